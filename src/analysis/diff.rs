//! `iamlint diff` as a library call: the access one side (a policy, a set of one
//! principal's policies, a file at a git ref) grants that the other does not, both ways.
//!
//! Each side's documents are read into the model once and prepared by the evaluator
//! ([`eval::prepare`]): actions expanded against the catalog (`*` and `NotAction` to the
//! concrete actions they name), resources as ARN patterns. A grant is an (action, resource
//! value, condition set) of an `Allow` statement, kept only where the resource can name a
//! resource of the action (an ARN pattern that matches one of its resource types' formats;
//! `*` for an action that takes none). A grant of the new side is **new access** unless the
//! old side allows it too:
//! - an old `Allow` names the action, its resource covers the grant's
//!   ([`crate::arn::pattern_covers`]; `NotResource` by the complement), and its conditions are
//!   no stronger (each old clause is one of the new statement's); and
//! - every old `Deny` that reaches it (whatever its condition) is still there: a new `Deny`
//!   naming the action, covering what the old one reached, under no more conditions.
//!
//! A new grant wholly denied by a new unconditional `Deny` is no access. A conditional new
//! `Deny` denies only when its condition holds, which is not known offline: the grant is
//! kept (conservative: the gate never passes access it could not rule out; an unchanged
//! conditional `Deny` matches its old self and adds nothing). Statements with a `Principal`
//! (resource and trust policies) grant to others and are not compared, as in `check`.
//! Covering is decided per grant:
//! a new resource value that only the union of several old values covers is reported
//! (conservative again). Removed access is the same question the other way round.
//!
//! So reordering, splitting or merging statements, narrowing a resource, adding a condition
//! or a `Deny` add nothing; widening a resource, a new wildcard, a removed `Deny` or a
//! removed condition do. The [`DiffResult`] is plain data: findings `new-access` (error)
//! and `removed-access` (info) in its [`Report`], and the access delta per file grouped by
//! service and access level; [`crate::report::diff`] renders it.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use crate::arn::{ResourcePattern, pattern_covers, patterns_overlap};
use crate::catalog::{self, ActionRef};
use crate::eval::{self, Doc, EStmt};
use crate::finding::{Code, Finding, Related, Severity, bounded_list, bounded_list_within};
use crate::pattern::arn_match;
use crate::policy::Effect;
use crate::rules::Resolved;
use crate::source::Document;
use crate::span::{LineIndex, Span, Spanned};
use crate::{Report, SourceText};

/// How a compared file changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    /// Two policies (or two sets) given on the command line.
    Compared,
    /// Changed since the git ref.
    Modified,
    /// New since the git ref: everything it grants is new.
    Added,
    /// Deleted since the git ref: everything it granted is removed.
    Deleted,
}

/// One comparison: the old side's documents and the new side's.
#[derive(Debug, Clone)]
pub struct Pair {
    /// How the delta is labelled: the (new) file, or `old -> new` for sets.
    pub label: String,
    /// How it changed.
    pub change: Change,
    /// The old side (empty for an added file).
    pub old: Vec<Document>,
    /// The new side (empty for a deleted file).
    pub new: Vec<Document>,
}

/// What to compare.
#[derive(Debug, Default)]
pub struct Request<'a> {
    /// The comparisons, each on its own.
    pub pairs: Vec<Pair>,
    /// Inputs that could not be read (the run fails).
    pub errors: Vec<String>,
    /// New access inside this rule set's grants is allowed (`--allow-rules`).
    pub allow: Option<&'a Resolved>,
    /// JSON files that are not policies on either side, so not compared.
    pub skipped: Vec<crate::source::Skipped>,
}

/// The comparisons of files changed since a git ref ([`crate::source::git::changed_since`]):
/// a modified file against its version at the ref, an added one against nothing, a deleted
/// one as nothing against it. A side that could not be read is an error (its file is not
/// compared); JSON that is a policy on neither side is skipped.
pub fn git_pairs(
    changes: Vec<crate::source::git::Changed>,
) -> (Vec<Pair>, Vec<String>, Vec<crate::source::Skipped>) {
    use crate::source::git::Status;
    let mut pairs = Vec::new();
    let mut errors = Vec::new();
    let mut skipped = Vec::new();
    for c in changes {
        let mut side = |d: Option<Result<Document, crate::source::LoadError>>| match d {
            None => Some(Vec::new()),
            Some(Ok(d)) => Some(vec![d]),
            Some(Err(e)) => {
                errors.push(e.to_string());
                None
            }
        };
        let (Some(old), Some(new)) = (side(c.old), side(c.new)) else {
            continue;
        };
        let change = match c.status {
            Status::Modified => Change::Modified,
            Status::Added => Change::Added,
            Status::Deleted => Change::Deleted,
        };
        match pair_or_skip(c.path, change, old, new) {
            Ok(p) => pairs.push(p),
            Err(s) => skipped.push(s),
        }
    }
    (pairs, errors, skipped)
}

/// Why a grant of one side is not a grant of the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Reason {
    /// The other side allows the action on no resource.
    Action,
    /// The other side allows the action, on narrower resources.
    Resource,
    /// The other side allows it only under a condition this grant lacks.
    Condition,
    /// The other side has a `Deny` reaching it that this side lacks.
    Deny,
}

/// One action granted on one side and not on the other.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Grant {
    /// The service prefix.
    pub service: String,
    /// Its access level (`Read`, `Write`, `List`, `Tagging`, `Permissions management`).
    pub access_level: &'static str,
    /// `service:Action`.
    pub action: String,
    /// The resource values it is granted on (`NotResource a, b` for a complement).
    pub resources: Vec<String>,
    /// Why the other side does not grant it.
    pub reason: Reason,
    /// The grant is under a condition (of the statement granting it).
    pub conditional: bool,
    /// New access inside the grants of the `--allow-rules` rule set.
    pub allowed: bool,
}

/// The access delta of one comparison.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FileDelta {
    /// The label of the comparison (the file).
    pub file: String,
    /// How it changed.
    pub change: Change,
    /// Access the new side grants and the old did not, by service, access level, action.
    pub added: Vec<Grant>,
    /// Access the old side granted and the new does not.
    pub removed: Vec<Grant>,
}

/// What a diff found.
#[derive(Debug, Default)]
pub struct DiffResult {
    /// Findings `new-access` and `removed-access`, the sources they point into (old and new
    /// texts) and what could not be read.
    pub report: Report,
    /// The delta per comparison, in input order.
    pub files: Vec<FileDelta>,
    /// The `--allow-rules` rule set's id, when one was given.
    pub allowed_by: Option<String>,
}

impl DiffResult {
    /// Is there new access outside the allowed rule set?
    pub fn has_new_access(&self) -> bool {
        self.files
            .iter()
            .any(|f| f.added.iter().any(|g| !g.allowed))
    }
}

/// The pair, or why it is skipped: every side there is is JSON and not a policy (a
/// `package.json` beside the policies).
fn pair_or_skip(
    label: String,
    change: Change,
    old: Vec<Document>,
    new: Vec<Document>,
) -> Result<Pair, crate::source::Skipped> {
    let not_policy = |d: &Document| {
        crate::policy::json::parse(&d.text)
            .ok()
            .and_then(|p| crate::source::not_a_policy(&p.root))
    };
    let reasons: Vec<_> = old.iter().chain(&new).map(not_policy).collect();
    if let Some(Some(reason)) = reasons.first() {
        if reasons.iter().all(Option::is_some) {
            return Err(crate::source::Skipped {
                file: label,
                reason: *reason,
            });
        }
    }
    Ok(Pair {
        label,
        change,
        old,
        new,
    })
}

/// The comparisons of two folders, file by file (by path below each): a file in both is
/// compared, one only in `new` is added, one only in `old` deleted. Files that could not be
/// read are errors; JSON that is a policy on neither side is skipped.
pub fn folder_pairs(
    old: &std::path::Path,
    new: &std::path::Path,
) -> (Vec<Pair>, Vec<String>, Vec<crate::source::Skipped>) {
    use crate::source::{self, Input};
    let mut errors = Vec::new();
    let mut files = |dir: &std::path::Path| {
        let (inputs, errs) = source::expand(&[dir.display().to_string()]);
        errors.extend(errs.iter().map(ToString::to_string));
        inputs
            .into_iter()
            .filter_map(|i| match &i {
                Input::Found(p) | Input::File(p) => p
                    .strip_prefix(dir)
                    .ok()
                    .map(|rel| (rel.to_path_buf(), i.clone())),
                Input::Stdin => None,
            })
            .collect::<BTreeMap<_, _>>()
    };
    let (o, n) = (files(old), files(new));
    let mut rels: Vec<&std::path::PathBuf> = o.keys().chain(n.keys()).collect();
    rels.sort();
    rels.dedup();
    let mut pairs = Vec::new();
    let mut skipped = Vec::new();
    for rel in rels {
        let mut side = |i: Option<&Input>| match i.map(source::read) {
            None => Some(Vec::new()),
            Some(Ok(d)) => Some(vec![d]),
            Some(Err(e)) => {
                errors.push(e.to_string());
                None
            }
        };
        let (Some(a), Some(b)) = (side(o.get(rel)), side(n.get(rel))) else {
            continue;
        };
        let change = match (a.is_empty(), b.is_empty()) {
            (true, _) => Change::Added,
            (_, true) => Change::Deleted,
            _ => Change::Compared,
        };
        let label = b
            .first()
            .or(a.first())
            .map(|d| d.origin.clone())
            .unwrap_or_default();
        match pair_or_skip(label, change, a, b) {
            Ok(p) => pairs.push(p),
            Err(s) => skipped.push(s),
        }
    }
    (pairs, errors, skipped)
}

/// Compare each pair of the request. A document that is not valid JSON (or not a policy)
/// is an error of the result naming its file, line and column, and that pair is not
/// compared: the gate never passes on what it could not read.
pub fn diff(req: Request<'_>) -> DiffResult {
    use rayon::prelude::*;
    let mut out = DiffResult {
        allowed_by: req.allow.map(|r| r.id.clone()),
        ..DiffResult::default()
    };
    out.report.errors = req.errors;
    out.report.skipped = req.skipped;
    let rules = req.allow.map(RuleGrants::new);
    // Each pair's documents take the next source numbers; the pairs run on every core.
    let mut base = 0;
    let numbered: Vec<(usize, Pair)> = req
        .pairs
        .into_iter()
        .map(|p| {
            let b = base;
            base += p.old.len() + p.new.len();
            (b, p)
        })
        .collect();
    let done: Vec<Compared> = numbered
        .into_par_iter()
        .map(|(b, p)| compare(b, p, rules.as_ref(), out.allowed_by.as_deref()))
        .collect();
    for c in done {
        out.report.sources.extend(c.sources);
        out.report.errors.extend(c.errors);
        out.report.findings.extend(c.findings);
        out.files.extend(c.delta);
    }
    out.report.findings.sort_by(|a, b| {
        (a.location.source, a.location.span.start, a.code).cmp(&(
            b.location.source,
            b.location.span.start,
            b.code,
        ))
    });
    out
}

/// What one pair gave.
struct Compared {
    sources: Vec<SourceText>,
    errors: Vec<String>,
    findings: Vec<Finding>,
    delta: Option<FileDelta>,
}

/// Compare one pair whose first document is source `base`. Findings come back resolved;
/// the texts are kept only when a finding points into them.
fn compare(
    base: usize,
    pair: Pair,
    rules: Option<&RuleGrants>,
    allowed_by: Option<&str>,
) -> Compared {
    let mut errors = Vec::new();
    let old = read_side(&pair.old, base, &mut errors);
    let new = read_side(&pair.new, base + pair.old.len(), &mut errors);
    let mut findings = Vec::new();
    let mut delta = None;
    // The same texts on both sides grant the same: nothing to expand.
    let same = pair.old.len() == pair.new.len()
        && pair
            .old
            .iter()
            .zip(&pair.new)
            .all(|(a, b)| a.text == b.text);
    if errors.is_empty() {
        let mut d = FileDelta {
            file: pair.label,
            change: pair.change,
            added: Vec::new(),
            removed: Vec::new(),
        };
        if !same {
            let os = eval::prepare(&old);
            let ns = eval::prepare(&new);
            let (oi, ni) = (Indexes::new(&os), Indexes::new(&ns));
            let added = gained(&ns, &ni, &os, &oi);
            let removed = gained(&os, &oi, &ns, &ni);
            d.added = grants(&ns, &added, rules);
            d.removed = grants(&os, &removed, None);
            findings_of(
                &ns,
                &added,
                Direction::Added,
                rules,
                allowed_by,
                &mut findings,
            );
            findings_of(&os, &removed, Direction::Removed, None, None, &mut findings);
        }
        delta = Some(d);
    }
    let mut sources: Vec<SourceText> = pair
        .old
        .into_iter()
        .chain(pair.new)
        .map(|d| SourceText {
            origin: d.origin,
            text: d.text,
        })
        .collect();
    // Resolved against this pair's sources, renumbered as the report's.
    for f in &mut findings {
        f.location.source -= base;
        for r in &mut f.related {
            r.location.source -= base;
        }
    }
    crate::resolve_all(&mut findings, &sources);
    for f in &mut findings {
        f.location.source += base;
        for r in &mut f.related {
            r.location.source += base;
        }
    }
    for (i, s) in sources.iter_mut().enumerate() {
        if !findings.iter().any(|f| {
            f.location.source == base + i || f.related.iter().any(|r| r.location.source == base + i)
        }) {
            s.text = String::new();
        }
    }
    Compared {
        sources,
        errors,
        findings,
        delta,
    }
}

/// Read each document of a side into the model; `src` is the index of the first one's
/// source. JSON that does not parse, an account dump or JSON that is not a policy is an
/// error naming where.
fn read_side(docs: &[Document], src: usize, errors: &mut Vec<String>) -> Vec<Doc> {
    let mut out = Vec::new();
    for (i, d) in docs.iter().enumerate() {
        let at = |span: Span| {
            let (line, col) = LineIndex::new(&d.text).line_col(&d.text, span.start);
            format!("{}:{line}:{col}", d.origin)
        };
        match crate::policy::json::parse(&d.text) {
            Err(e) => errors.push(format!(
                "{}: not valid JSON: {}; the diff cannot read it",
                at(e.span),
                e.message
            )),
            Ok(parsed) if crate::source::gaad::is_dump(&parsed.root) => errors.push(format!(
                "{}: an account dump, not a policy: diff policy documents",
                d.origin
            )),
            Ok(parsed) => {
                let mut scratch = Vec::new();
                let policy = crate::policy::parse::parse_policy(parsed, src + i, &mut scratch);
                out.push(Doc {
                    src: src + i,
                    origin: d.origin.clone(),
                    text: Arc::from(d.text.as_str()),
                    policy,
                });
            }
        }
    }
    out
}

/// A side's `Allow` and `Deny` statements, each by the actions they name.
struct Indexes {
    allows: Index,
    denies: Index,
}

impl Indexes {
    fn new(stmts: &[EStmt<'_>]) -> Indexes {
        Indexes {
            allows: Index::new(stmts, |s| s.st.is_allow()),
            denies: Index::new(stmts, is_deny),
        }
    }
}

/// Statements by the actions they name, so a grant is compared with those that can
/// concern it only.
struct Index {
    by_action: HashMap<usize, Vec<usize>>,
    /// Statements with `*` or `NotAction`: they may name any action.
    wide: Vec<usize>,
}

impl Index {
    fn new(stmts: &[EStmt<'_>], keep: impl Fn(&EStmt<'_>) -> bool) -> Index {
        let mut by_action: HashMap<usize, Vec<usize>> = HashMap::new();
        let mut wide = Vec::new();
        for (i, s) in stmts.iter().enumerate() {
            if !keep(s) {
                continue;
            }
            if s.not_action || s.actions.iter().any(|x| x.all) {
                wide.push(i);
                continue;
            }
            for x in &s.actions {
                for m in x.matches.iter() {
                    let v = by_action.entry(key(m)).or_default();
                    if v.last() != Some(&i) {
                        v.push(i);
                    }
                }
            }
        }
        Index { by_action, wide }
    }

    /// The statements that name `a`: those with `*` or `NotAction` that name it first (they
    /// tend to be broad: a grant is decided sooner), then those listing it, in statement
    /// order.
    fn naming<'s, 'd>(
        &'s self,
        stmts: &'s [EStmt<'d>],
        a: ActionRef,
    ) -> impl Iterator<Item = (usize, &'s EStmt<'d>)> + 's {
        self.wide
            .iter()
            .chain(self.by_action.get(&key(a)).into_iter().flatten())
            .filter_map(move |&i| stmts.get(i).map(|s| (i, s)))
            .filter(move |(_, s)| s.names(a).is_some())
    }
}

fn key(a: ActionRef) -> usize {
    std::ptr::from_ref(a.action) as usize
}

/// The resources of a grant: one value, or everything but some (`NotResource`).
#[derive(Debug, Clone, Copy)]
enum Res<'a> {
    Pat(&'a str),
    Not(&'a [Spanned<std::borrow::Cow<'a, str>>]),
}

impl Res<'_> {
    fn text(self) -> String {
        match self {
            Res::Pat(r) => r.to_string(),
            Res::Not(xs) => format!(
                "NotResource {}",
                xs.iter()
                    .map(|x| x.value.as_ref())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }
}

/// One grant of one side that the other side does not grant.
struct Gain<'a> {
    /// The granting statement (index into its side's prepared statements).
    stmt: usize,
    /// Where the finding points: the action value, or the resource value that widened.
    span: Span,
    action: ActionRef,
    res: Res<'a>,
    reason: Reason,
    /// The other side's statement that explains it (the narrower grant, the condition, the
    /// `Deny`): (source, span).
    related: Option<(usize, Span)>,
}

fn is_deny(s: &EStmt<'_>) -> bool {
    matches!(s.st.effect.as_ref().map(|e| e.value), Some(Effect::Deny))
}

/// Does the statement apply to the request on `*` that an action taking no resource type
/// is made on?
fn applies_to_star(s: &EStmt<'_>) -> bool {
    s.resources.iter().any(|x| arn_match(&x.value, "*")) != s.not_resource
}

/// Does the statement's resource part cover every resource of `res` for action `a`?
fn covers(s: &EStmt<'_>, a: ActionRef, res: Res<'_>) -> bool {
    if a.resource_types().next().is_none() {
        return applies_to_star(s);
    }
    match (s.not_resource, res) {
        (false, Res::Pat(r)) => s.resources.iter().any(|x| pattern_covers(&x.value, r)),
        (true, Res::Pat(r)) => !s.resources.iter().any(|x| patterns_overlap(&x.value, r)),
        (false, Res::Not(_)) => s.resources.iter().any(|x| x.value == "*"),
        // All but `ys` covers all but `xs` when each `y` lies within some `x`.
        (true, Res::Not(xs)) => s
            .resources
            .iter()
            .all(|y| xs.iter().any(|x| pattern_covers(&x.value, &y.value))),
    }
}

/// Can the statement's resource part touch a resource of `res`?
fn reaches(s: &EStmt<'_>, a: ActionRef, res: Res<'_>) -> bool {
    match res {
        Res::Pat(r) => s.deny_reaches(a, r),
        Res::Not(xs) => {
            s.not_resource
                || s.resources
                    .iter()
                    .any(|y| !xs.iter().any(|x| pattern_covers(&x.value, &y.value)))
        }
    }
}

/// Is every clause of `sub` one of `of`'s?
fn clauses_within<T: PartialEq>(sub: &[T], of: &[T]) -> bool {
    sub.iter().all(|c| of.contains(c))
}

/// Does `d2` (of the other side) deny `a` wherever `d` does, on the part of `res` `d`
/// reaches?
fn deny_kept(d: &EStmt<'_>, d2: &EStmt<'_>, a: ActionRef, res: Res<'_>) -> bool {
    if !is_deny(d2) || d2.names(a).is_none() || !clauses_within(&d2.clauses, &d.clauses) {
        return false;
    }
    if a.resource_types().next().is_none() {
        return applies_to_star(d2);
    }
    match (d.not_resource, d2.not_resource) {
        (false, false) => d
            .resources
            .iter()
            .filter(|y| match res {
                Res::Pat(r) => patterns_overlap(&y.value, r),
                Res::Not(_) => true,
            })
            .all(|y| {
                d2.resources
                    .iter()
                    .any(|y2| pattern_covers(&y2.value, &y.value))
            }),
        (false, true) => d.resources.iter().all(|y| {
            !d2.resources
                .iter()
                .any(|y2| patterns_overlap(&y2.value, &y.value))
        }),
        (true, false) => d2.resources.iter().any(|y2| y2.value == "*"),
        (true, true) => d2.resources.iter().all(|y2| {
            d.resources
                .iter()
                .any(|y| pattern_covers(&y.value, &y2.value))
        }),
    }
}

/// Can resource value `r` name a resource `a` acts on? An action that takes no resource
/// type is requested on `*`: only a value matching `*` grants it.
fn fits(a: ActionRef, r: &str, parsed: &Result<ResourcePattern, crate::arn::ArnError>) -> bool {
    if a.resource_types().next().is_none() {
        return arn_match(r, "*");
    }
    match parsed {
        Ok(ResourcePattern::Any) => true,
        Ok(ResourcePattern::Arn(p)) => a
            .resource_types()
            .any(|(t, _)| t.arns.iter().any(|f| p.can_match_format(f))),
        Err(_) => false,
    }
}

/// Every grant of `to`'s `Allow` statements that `from` does not grant.
fn gained<'a>(
    to: &'a [EStmt<'_>],
    ti: &Indexes,
    from: &[EStmt<'_>],
    fi: &Indexes,
) -> Vec<Gain<'a>> {
    let c = catalog::get();
    let mut out = Vec::new();
    let to_denies = to.iter().any(is_deny);
    let from_denies = from.iter().any(is_deny);
    for (i, s) in to.iter().enumerate() {
        if !s.st.is_allow() || s.cond == eval::condition::Tri::False {
            continue;
        }
        let named: Vec<ActionRef> = if s.not_action || s.actions.iter().any(|x| x.all) {
            c.services()
                .iter()
                .flat_map(|svc| {
                    svc.actions.iter().map(move |a| ActionRef {
                        service: svc,
                        action: a,
                    })
                })
                .filter(|a| s.names(*a).is_some())
                .collect()
        } else {
            let mut seen = std::collections::HashSet::new();
            s.actions
                .iter()
                .flat_map(|x| x.matches.iter())
                .filter(|a| seen.insert(key(*a)))
                .collect()
        };
        let parsed: Vec<_> = s
            .resources
            .iter()
            .map(|x| ResourcePattern::parse(&x.value))
            .collect();
        for a in named {
            let action_span = s.names(a).unwrap_or(s.st.span);
            let values: Vec<(Res<'a>, Span)> = if s.not_resource {
                if s.resources.iter().any(|x| x.value == "*") {
                    continue;
                }
                let key_span = s.st.resource.as_ref().map_or(s.st.span, |e| e.key);
                let res = if a.resource_types().next().is_none() {
                    // Requested on `*`, which only a `NotResource` matching it excludes.
                    if s.resources.iter().any(|x| arn_match(&x.value, "*")) {
                        continue;
                    }
                    Res::Pat("*")
                } else {
                    Res::Not(&s.resources)
                };
                vec![(res, key_span)]
            } else {
                s.resources
                    .iter()
                    .zip(&parsed)
                    .filter(|(x, p)| fits(a, &x.value, p))
                    .map(|(x, _)| {
                        let r = if a.resource_types().next().is_none() {
                            "*"
                        } else {
                            x.value.as_ref()
                        };
                        (Res::Pat(r), x.span)
                    })
                    .collect()
            };
            for (res, res_span) in values {
                // Wholly denied on this side by an unconditional `Deny`: no access.
                if to_denies
                    && ti
                        .denies
                        .naming(to, a)
                        .any(|(_, d)| d.clauses.is_empty() && covers(d, a, res))
                {
                    continue;
                }
                let mut reason = Reason::Action;
                let mut related = None;
                let mut allowed = false;
                for (_, o) in fi.allows.naming(from, a) {
                    if o.cond == eval::condition::Tri::False {
                        continue;
                    }
                    if !covers(o, a, res) {
                        if reason == Reason::Action {
                            reason = Reason::Resource;
                            related = Some((o.doc.src, o.names(a).unwrap_or(o.st.span)));
                        }
                        continue;
                    }
                    if !clauses_within(&o.clauses, &s.clauses) {
                        if reason != Reason::Condition {
                            reason = Reason::Condition;
                            related = Some((o.doc.src, o.st.condition_key.unwrap_or(o.st.span)));
                        }
                        continue;
                    }
                    allowed = true;
                    break;
                }
                if allowed && !from_denies {
                    continue;
                }
                if allowed {
                    // Allowed there too, unless a `Deny` there that reached it is gone.
                    let gone = fi.denies.naming(from, a).find(|(_, d)| {
                        reaches(d, a, res)
                            && !ti
                                .denies
                                .naming(to, a)
                                .any(|(_, d2)| deny_kept(d, d2, a, res))
                    });
                    match gone {
                        None => continue,
                        Some((_, d)) => {
                            reason = Reason::Deny;
                            related = Some((d.doc.src, d.names(a).unwrap_or(d.st.span)));
                        }
                    }
                }
                let span = if reason == Reason::Resource {
                    res_span
                } else {
                    action_span
                };
                out.push(Gain {
                    stmt: i,
                    span,
                    action: a,
                    res,
                    reason,
                    related,
                });
            }
        }
    }
    out
}

/// The grants of a rule set by action, with their resources and required conditions.
struct RuleGrants {
    by_action: HashMap<usize, Vec<RuleGrant>>,
}

type Clause = (String, String, Vec<String>);

/// The resources a rule grant needs an action on, and the conditions it requires.
type RuleGrant = (Vec<String>, Vec<Clause>);

impl RuleGrants {
    fn new(r: &Resolved) -> RuleGrants {
        let mut by_action: HashMap<usize, Vec<RuleGrant>> = HashMap::new();
        for g in &r.grants {
            let req: Vec<Clause> = g
                .condition
                .iter()
                .map(|(op, k, v)| {
                    let mut v = v.clone();
                    v.sort();
                    (op.clone(), k.to_ascii_lowercase(), v)
                })
                .collect();
            for (a, _, needed) in eval::required_pairs(g) {
                by_action
                    .entry(key(a))
                    .or_default()
                    .push((needed, req.clone()));
            }
        }
        RuleGrants { by_action }
    }

    /// Is the grant of `a` on `res` under `clauses` inside one of the rule set's grants?
    fn allows(&self, a: ActionRef, res: Res<'_>, clauses: &[Clause]) -> bool {
        self.by_action.get(&key(a)).is_some_and(|gs| {
            gs.iter().any(|(needed, req)| {
                clauses_within(req, clauses)
                    && needed.iter().any(|rr| match res {
                        Res::Pat(r) => pattern_covers(rr, r),
                        Res::Not(_) => rr == "*",
                    })
            })
        })
    }
}

/// The delta of one side: one [`Grant`] per (action, reason), sorted by service, access
/// level and action.
fn grants(stmts: &[EStmt<'_>], gains: &[Gain<'_>], rules: Option<&RuleGrants>) -> Vec<Grant> {
    let mut by: BTreeMap<(String, &'static str, String, Reason), Grant> = BTreeMap::new();
    for g in gains {
        let Some(s) = stmts.get(g.stmt) else { continue };
        let service = g.action.service.prefix.to_string();
        let level = g.action.access_level();
        let action = g.action.full_name();
        let allowed = rules.is_some_and(|r| r.allows(g.action, g.res, &s.clauses));
        let e = by
            .entry((service.clone(), level, action.clone(), g.reason))
            .or_insert_with(|| Grant {
                service,
                access_level: level,
                action,
                resources: Vec::new(),
                reason: g.reason,
                conditional: !s.clauses.is_empty(),
                allowed: true,
            });
        let r = g.res.text();
        if !e.resources.contains(&r) {
            e.resources.push(r);
        }
        e.conditional &= !s.clauses.is_empty();
        e.allowed &= allowed;
    }
    by.into_values().collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Direction {
    Added,
    Removed,
}

/// One finding per (statement, place, reason[, inside the allowed rule set]).
fn findings_of(
    stmts: &[EStmt<'_>],
    gains: &[Gain<'_>],
    dir: Direction,
    rules: Option<&RuleGrants>,
    allowed_by: Option<&str>,
    out: &mut Vec<Finding>,
) {
    let mut groups: BTreeMap<(usize, u32, Reason, bool), Vec<&Gain<'_>>> = BTreeMap::new();
    for g in gains {
        let within = rules.is_some_and(|r| {
            stmts
                .get(g.stmt)
                .is_some_and(|s| r.allows(g.action, g.res, &s.clauses))
        });
        groups
            .entry((g.stmt, g.span.start, g.reason, within))
            .or_default()
            .push(g);
    }
    for ((stmt, _, reason, within), gs) in groups {
        let (Some(s), Some(first)) = (stmts.get(stmt), gs.first()) else {
            continue;
        };
        let mut actions: Vec<ActionRef> = Vec::new();
        let mut resources: Vec<String> = Vec::new();
        for g in &gs {
            if !actions.iter().any(|a| key(*a) == key(g.action)) {
                actions.push(g.action);
            }
            let r = g.res.text();
            if !resources.contains(&r) {
                resources.push(r);
            }
        }
        let what = grouped(&actions);
        let on = bounded_list(
            &resources
                .iter()
                .map(|r| format!("`{r}`"))
                .collect::<Vec<_>>(),
        );
        let n = actions.len();
        let noun = if n == 1 { "action" } else { "actions" };
        let message = match (dir, reason) {
            (Direction::Added, Reason::Action) => {
                format!("new access on {on}: {n} {noun} not allowed before: {what}")
            }
            (Direction::Added, Reason::Resource) => {
                format!("new access on {on}, wider than before: {n} {noun}: {what}")
            }
            (Direction::Added, Reason::Condition) => format!(
                "new access on {on} without the condition that limited it before: {n} {noun}: {what}"
            ),
            (Direction::Added, Reason::Deny) => format!(
                "new access on {on} that a removed `Deny` denied before: {n} {noun}: {what}"
            ),
            (Direction::Removed, Reason::Action) => {
                format!("removed access on {on}: {n} {noun} no longer allowed: {what}")
            }
            (Direction::Removed, Reason::Resource) => {
                format!("removed access on {on}, narrowed now: {n} {noun}: {what}")
            }
            (Direction::Removed, Reason::Condition) => format!(
                "removed access on {on}, now allowed only under a condition: {n} {noun}: {what}"
            ),
            (Direction::Removed, Reason::Deny) => {
                format!("removed access on {on}, denied now by a new `Deny`: {n} {noun}: {what}")
            }
        };
        let code = match dir {
            Direction::Added => Code::NewAccess,
            Direction::Removed => Code::RemovedAccess,
        };
        let mut f =
            Finding::new(code, s.doc.src, first.span, message).statement(Some(s.st.reference()));
        // The value the finding underlines.
        let underlined = s
            .actions
            .iter()
            .find(|x| x.item.span == first.span)
            .map(|x| x.item.value.clone())
            .or_else(|| {
                s.st.action
                    .as_ref()
                    .filter(|e| e.key == first.span)
                    .map(|_| "NotAction".to_string())
            });
        if let Some(u) = underlined {
            f = f.action(u);
        } else if let Some(r) = s.resources.iter().find(|x| x.span == first.span) {
            f = f.resource(r.value.clone());
        }
        if within {
            f = f.severity(Severity::Info).help(format!(
                "inside the grants of `{}`, which --allow-rules allows",
                allowed_by.unwrap_or_default()
            ));
        } else if dir == Direction::Added {
            f = f.help(
                "review the access this change adds; if it is intended, allow it with `--allow-rules` or accept it",
            );
        }
        if let Some((src, span)) = first.related {
            let message = match (dir, reason) {
                (Direction::Added, Reason::Resource) => "allowed before only on this",
                (Direction::Added, Reason::Condition) => "allowed before only under this condition",
                (Direction::Added, Reason::Deny) => "denied before by this `Deny`",
                (Direction::Removed, Reason::Resource) => "allowed now only on this",
                (Direction::Removed, Reason::Condition) => "allowed now only under this condition",
                (Direction::Removed, Reason::Deny) => "denied now by this `Deny`",
                (_, Reason::Action) => "",
            };
            if !message.is_empty() {
                f.related.push(Related {
                    message: message.into(),
                    location: crate::finding::Location {
                        source: src,
                        span,
                        ..Default::default()
                    },
                });
            }
        }
        let c = crate::catalog::get();
        actions.sort_by_cached_key(|a| c.name_rank(*a));
        f.extra_actions = actions;
        out.push(f);
    }
}

/// The order access levels are named in: what grants the most first.
pub(crate) fn level_rank(level: &str) -> u8 {
    match level {
        "Permissions management" => 0,
        "Write" => 1,
        "Tagging" => 2,
        "List" => 3,
        "Read" => 4,
        _ => 5,
    }
}

/// Actions grouped by service and access level (the most powerful level first), each group
/// and the whole bounded: "`s3` Write: `s3:DeleteObject`, `s3:PutObject`; `s3` Read:
/// `s3:GetObject`" (then "and N more groups").
pub(crate) fn grouped(actions: &[ActionRef]) -> String {
    let mut by: BTreeMap<(u8, &str, &str), Vec<String>> = BTreeMap::new();
    for a in actions {
        let level = a.access_level();
        by.entry((level_rank(level), a.service.prefix, level))
            .or_default()
            .push(format!("`{}`", a.full_name()));
    }
    let total = by.len();
    let mut out = String::new();
    for (i, ((_, svc, level), mut names)) in by.into_iter().enumerate() {
        names.sort_unstable();
        let group = format!(
            "`{svc}` {level}: {}",
            bounded_list_within(&names, crate::finding::LIST_BUDGET / 2)
        );
        if i > 0 && out.len() + group.len() > 160 {
            out.push_str(&format!("; {} more groups", total - i));
            break;
        }
        if i > 0 {
            out.push_str("; ");
        }
        out.push_str(&group);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(origin: &str, text: &str) -> Document {
        Document {
            origin: origin.into(),
            text: text.into(),
        }
    }

    fn run(old: &str, new: &str) -> DiffResult {
        diff(Request {
            pairs: vec![Pair {
                label: "new.json".into(),
                change: Change::Compared,
                old: vec![doc("old.json", old)],
                new: vec![doc("new.json", new)],
            }],
            ..Request::default()
        })
    }

    fn stmt(effect: &str, action: &str, resource: &str) -> String {
        format!(r#"{{"Effect":"{effect}","Action":{action},"Resource":{resource}}}"#)
    }

    fn policy(stmts: &[String]) -> String {
        format!(
            r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
            stmts.join(",")
        )
    }

    #[test]
    fn a_new_wildcard_names_the_added_actions_by_level() {
        let old = policy(&[stmt("Allow", r#""s3:GetObject""#, r#""arn:aws:s3:::b/*""#)]);
        let new = policy(&[stmt("Allow", r#""s3:*Object""#, r#""arn:aws:s3:::b/*""#)]);
        let r = run(&old, &new);
        assert!(r.has_new_access());
        let added: Vec<&str> = r.files[0].added.iter().map(|g| g.action.as_str()).collect();
        assert!(added.contains(&"s3:PutObject") && added.contains(&"s3:DeleteObject"));
        assert!(!added.contains(&"s3:GetObject"), "{added:?}");
        let f = &r.report.findings[0];
        assert_eq!(f.code, Code::NewAccess);
        assert!(
            f.message.contains("`s3` Write: `s3:DeleteObject`"),
            "{}",
            f.message
        );
        assert_eq!(&*f.location.file, "new.json");
        // The other way, the same actions are removed access.
        let back = run(&new, &old);
        assert!(!back.has_new_access());
        assert_eq!(back.files[0].removed.len(), added.len());
    }

    #[test]
    fn an_action_only_granted_on_resources_it_cannot_name_is_no_access() {
        // `s3:ListBucket` acts on buckets; `b/*` names objects only.
        let old = policy(&[stmt("Allow", r#""s3:GetObject""#, r#""arn:aws:s3:::b/*""#)]);
        let new = policy(&[stmt(
            "Allow",
            r#"["s3:GetObject","s3:ListBucket"]"#,
            r#""arn:aws:s3:::b/*""#,
        )]);
        assert!(!run(&old, &new).has_new_access());
    }

    /// An action that takes no resource type is requested on `*`: a `NotResource` of ARNs
    /// applies to it, and the same statement on both sides covers it (found by the
    /// generated-policy test: every such action was reported as widened).
    #[test]
    fn actions_without_resource_types_under_not_resource_compare_equal() {
        let a = r#"{"Effect":"Allow","NotAction":"s3:*","NotResource":"arn:aws:s3:::*"}"#;
        let b = r#"{"Effect":"Allow","Action":"ec2:DescribeInstances","Resource":"*"}"#;
        let r = run(
            &policy(&[a.into(), b.into()]),
            &policy(&[b.into(), a.into()]),
        );
        assert!(r.files[0].added.is_empty() && r.files[0].removed.is_empty());
        assert!(r.report.findings.is_empty());
    }
}
