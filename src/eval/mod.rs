//! Evaluation: does a principal's set of policies grant what a rule set requires?
//!
//! Policies are a union; an explicit `Deny` wins over any `Allow`; `NotAction`/`NotResource`
//! are honoured; action wildcards expand against the catalog; resources are compared as
//! patterns (containment for grants, overlap for denies; an action that takes no resource
//! type is requested on `*`, which a `Deny` on specific ARNs does not reach). Conditions are
//! evaluated against the request context the user gives (`--context`, [`condition`]); one it
//! does not decide leaves a conditional `Deny` (or a conditional `Allow` of the permissions
//! boundary) reported as `conditional-deny`, never ignored in silence. Each required
//! (action, resource) pair gets a [`Status`] naming the statement that decided it; [`check`]
//! turns them into findings (`missing-grant`, `mis-scoped-grant`, `conditional-grant`,
//! `missing-condition`, `conditional-deny`) and finds `excess-grant`s. [`request`] decides
//! one concrete request (`iamlint can`).

pub mod condition;
pub mod request;
pub mod suggest;

use std::collections::BTreeMap;

use self::condition::{Context, Tri};
use crate::arn::{ResourcePattern, pattern_covers, patterns_overlap};
use crate::catalog::{self, ActionRef};
use crate::check::{Matches, ResolvedAction, resolve_action};
use crate::finding::{Code, Finding, Severity};
use crate::policy::{Effect, Policy, Statement};
use crate::rules::{RequiredGrant, Resolved};
use crate::span::{Span, Spanned};

/// A loaded policy document of the principal.
#[derive(Debug, Clone)]
pub struct Doc {
    /// Index of its source in the report.
    pub src: usize,
    /// Where it came from (path or managed-policy ARN).
    pub origin: String,
    /// Its text, shared: the documents of an account dump are all in the dump's one text.
    /// Only the suggested fix reads it (`iamlint check` leaves it empty without `--suggest`).
    pub text: std::sync::Arc<str>,
    /// Parsed.
    pub policy: Policy,
}

/// One condition clause, normalised: (operator, lowercased key, sorted values).
type Clause = (String, String, Vec<String>);

/// A statement prepared for evaluation.
pub(crate) struct EStmt<'a> {
    pub doc: &'a Doc,
    pub st: &'a Statement,
    pub actions: Vec<ResolvedAction<'a>>,
    pub not_action: bool,
    /// The resource values, policy variables the context gives filled in.
    pub resources: Vec<Spanned<std::borrow::Cow<'a, str>>>,
    pub not_resource: bool,
    pub clauses: Vec<Clause>,
    /// The condition, evaluated against the (open) request context.
    pub cond: Tri,
    /// Action address -> index of the first value naming it, for a statement whose values
    /// name many actions one by one (others are scanned); the index of a `*` value.
    index: Option<foldhash::HashMap<usize, usize>>,
    star: Option<usize>,
}

impl EStmt<'_> {
    /// The value that makes this statement apply to `a`, if it does (for `NotAction`, the
    /// span of the `NotAction` key).
    pub fn names(&self, a: ActionRef) -> Option<Span> {
        let first = match &self.index {
            Some(index) => index.get(&(std::ptr::from_ref(a.action) as usize)).copied(),
            None => self.actions.iter().position(|x| x.matches.contains(a)),
        };
        let hit = first.or(self.star);
        if self.not_action {
            return hit
                .is_none()
                .then(|| self.st.action.as_ref().map(|e| e.key).unwrap_or_default());
        }
        hit.and_then(|i| self.actions.get(i)).map(|x| x.item.span)
    }

    /// The resource value that covers every resource `r` names, if any.
    pub fn covering(&self, r: &str) -> Option<String> {
        if self.not_resource {
            let hit = self.resources.iter().any(|x| patterns_overlap(&x.value, r));
            return (!hit).then(|| {
                format!(
                    "NotResource {}",
                    list(self.resources.iter().map(|x| x.value.as_ref()))
                )
            });
        }
        self.resources
            .iter()
            .find(|x| pattern_covers(&x.value, r))
            .map(|x| x.value.to_string())
    }

    /// The resource value that covers `r` if its unresolved policy variables (`${aws:username}`:
    /// the context does not give them) take the right values; `None` when no such value does,
    /// or the document's `Version` makes variables literal text.
    pub fn covering_with_variable(&self, r: &str) -> Option<String> {
        if self.not_resource
            || !condition::variables_allowed(
                self.doc.policy.version.as_ref().map(|v| v.value.as_str()),
            )
        {
            return None;
        }
        self.resources
            .iter()
            .filter(|x| crate::arn::has_var(&x.value))
            .find(|x| variables_as_wildcards(&x.value).is_some_and(|p| pattern_covers(&p, r)))
            .map(|x| x.value.to_string())
    }

    /// Does this `Deny` reach `r` for action `a`? An action that takes no resource type is
    /// requested on `*`, which only a value that matches `*` itself reaches (issue 9: a `Deny`
    /// on `repository/prod-*` does not deny `ecr:GetAuthorizationToken`).
    pub fn deny_reaches(&self, a: ActionRef, r: &str) -> bool {
        if a.resource_types().next().is_none() {
            let hit = self
                .resources
                .iter()
                .any(|x| crate::pattern::arn_match(&x.value, "*"));
            return hit != self.not_resource;
        }
        self.overlaps(r)
    }

    /// Does the statement touch any resource `r` names?
    pub fn overlaps(&self, r: &str) -> bool {
        if self.not_resource {
            return !self.resources.iter().any(|x| pattern_covers(&x.value, r));
        }
        self.resources.iter().any(|x| patterns_overlap(&x.value, r))
    }
}

fn list<'s>(it: impl Iterator<Item = &'s str>) -> String {
    crate::finding::bounded_list(&it.map(|s| format!("`{s}`")).collect::<Vec<_>>())
}

/// `text` with each policy variable (`${aws:username}`, `${key, 'default'}`) as `*`, the
/// escapes `${*}`, `${?}`, `${$}` kept; `None` when it holds no variable.
fn variables_as_wildcards(text: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut any = false;
    while let Some(i) = rest.find("${") {
        out.push_str(rest.get(..i).unwrap_or(""));
        let tail = rest.get(i..).unwrap_or("");
        let Some(close) = tail.find('}') else {
            out.push_str(tail);
            rest = "";
            break;
        };
        match tail.get(2..close).unwrap_or("") {
            "*" | "?" | "$" => out.push_str(tail.get(..=close).unwrap_or("")),
            _ => {
                out.push('*');
                any = true;
            }
        }
        rest = tail.get(close + 1..).unwrap_or("");
    }
    out.push_str(rest);
    any.then_some(out)
}

/// Prepare every statement of identity policies (resource and trust policies grant to
/// others and are skipped), with no request context.
pub(crate) fn prepare(docs: &[Doc]) -> Vec<EStmt<'_>> {
    prepare_in(docs, &Context::new(false))
}

/// [`prepare`] against a request context: conditions evaluated, variables it gives filled in.
pub(crate) fn prepare_in<'a>(docs: &'a [Doc], ctx: &Context) -> Vec<EStmt<'a>> {
    use rayon::prelude::*;
    // Document by document on every core (general wildcards resolve through each thread's
    // cache, warm from the lint of the same documents); the order is that of `docs`.
    let per_doc: Vec<Vec<EStmt<'a>>> = docs.par_iter().map(|d| prepare_doc(d, ctx)).collect();
    // One list made at its size (a flattening collect would grow it by doubling).
    let mut all = Vec::with_capacity(per_doc.iter().map(Vec::len).sum());
    for stmts in per_doc {
        all.extend(stmts);
    }
    all
}

/// The prepared statements of one document.
fn prepare_doc<'a>(doc: &'a Doc, ctx: &Context) -> Vec<EStmt<'a>> {
    let c = catalog::get();
    let mut out = Vec::new();
    {
        for st in &doc.policy.statements {
            if st.principal.is_some() || st.effect.is_none() {
                continue;
            }
            let Some(action) = &st.action else { continue };
            let Some(resource) = &st.resource else {
                continue;
            };
            // A misspelt element (`Resources`) makes IAM reject the policy: it grants nothing.
            if resource.recovered_from.is_some() || action.recovered_from.is_some() {
                continue;
            }
            let actions: Vec<ResolvedAction<'_>> =
                action.items.iter().map(|i| resolve_action(c, i)).collect();
            // A run of actions is checked in one step, a listed match one by one: past a
            // few dozen steps per lookup, a table answers instead.
            let steps: usize = actions
                .iter()
                .map(|x| match x.matches {
                    Matches::List(ref l) => l.len(),
                    _ => 1,
                })
                .sum();
            let index = (steps > 32).then(|| {
                // At its size: grown by doubling, the tables of a check of the corpus
                // (200,000 actions) would be copied on every growth.
                let mut index =
                    foldhash::HashMap::with_capacity_and_hasher(steps, Default::default());
                for (k, x) in actions.iter().enumerate() {
                    for m in x.matches.iter() {
                        index
                            .entry(std::ptr::from_ref(m.action) as usize)
                            .or_insert(k);
                    }
                }
                index
            });
            let star = actions.iter().position(|x| x.all);
            let vars =
                condition::variables_allowed(doc.policy.version.as_ref().map(|v| v.value.as_str()));
            let resources = resource
                .items
                .iter()
                .map(|x| Spanned::new(condition::fill_known(&x.value, ctx, vars), x.span))
                .collect();
            out.push(EStmt {
                doc,
                st,
                index,
                star,
                actions,
                not_action: action.not,
                resources,
                not_resource: resource.not,
                cond: condition::all(&st.condition, ctx, vars),
                clauses: st
                    .condition
                    .iter()
                    .map(|c| {
                        let mut v: Vec<String> = c.values.iter().map(|v| v.value.clone()).collect();
                        v.sort();
                        (
                            c.operator.value.clone(),
                            c.key.value.to_ascii_lowercase(),
                            v,
                        )
                    })
                    .collect(),
            });
        }
    }
    out
}

/// How one required (action, resource) pair fares.
#[derive(Debug, Clone)]
pub enum Status {
    /// Allowed by statement `stmt` (index into the prepared list) through `value`.
    Granted {
        /// The granting statement.
        stmt: usize,
        /// The value naming the action there.
        item: Span,
        /// The resource value that covers the need.
        on: String,
        /// The grant reaches more than needed.
        broader: bool,
        /// The rule requires a condition the grant lacks.
        missing_condition: bool,
    },
    /// Allowed only under conditions the rule does not require.
    Conditional {
        /// The statement.
        stmt: usize,
        /// The value naming the action there.
        item: Span,
        /// Set when what is unknown is not a condition but a policy variable in this
        /// resource value: it covers the need only for some values of the variable.
        variable: Option<String>,
    },
    /// The action is allowed, but only on other resources.
    Elsewhere {
        /// The first statement allowing it.
        stmt: usize,
        /// The value naming the action there.
        item: Span,
        /// What it is allowed on.
        on: Vec<String>,
    },
    /// A `Deny` wins.
    Denied {
        /// The denying statement.
        stmt: usize,
    },
    /// Allowed by the identity policies, but not by the permissions boundary.
    Boundary,
    /// Not allowed at all.
    Missing,
}

impl Status {
    fn label(&self) -> &'static str {
        match self {
            Status::Granted { broader: true, .. } => "too broad",
            Status::Granted {
                missing_condition: true,
                ..
            } => "no condition",
            Status::Granted { .. } => "ok",
            Status::Conditional { .. } => "conditional",
            Status::Elsewhere { .. } => "mis-scoped",
            Status::Denied { .. } => "denied",
            Status::Boundary => "boundary",
            Status::Missing => "missing",
        }
    }
}

/// Evaluate one required pair.
pub(crate) fn status(stmts: &[EStmt<'_>], a: ActionRef, r: &str, required: &[Clause]) -> Status {
    for (i, s) in stmts.iter().enumerate() {
        if s.cond == Tri::True && denies(s, a, r) {
            return Status::Denied { stmt: i };
        }
    }
    let mut best: Option<(u8, Status)> = None;
    let mut conditional = None;
    let mut elsewhere: Option<(usize, Span, Vec<String>)> = None;
    for (i, s) in stmts.iter().enumerate() {
        if !s.st.is_allow() || s.cond == Tri::False {
            continue;
        }
        let Some(item) = s.names(a) else { continue };
        match s.covering(r) {
            Some(on) => {
                // A condition the context makes true is no restriction here.
                if s.cond != Tri::True && !s.clauses.iter().all(|c| required.contains(c)) {
                    conditional.get_or_insert(Status::Conditional {
                        stmt: i,
                        item,
                        variable: None,
                    });
                    continue;
                }
                let missing_condition = !required.iter().all(|c| s.clauses.contains(c));
                let broader = !pattern_covers(r, &on);
                // Prefer an exact grant with the required condition.
                let rank = u8::from(broader) + 2 * u8::from(missing_condition);
                if best.as_ref().is_none_or(|(b, _)| rank < *b) {
                    best = Some((
                        rank,
                        Status::Granted {
                            stmt: i,
                            item,
                            on,
                            broader,
                            missing_condition,
                        },
                    ));
                }
            }
            None => {
                // A value with a policy variable the request context does not give covers
                // the need for some values of it: allowed only then, never a plain grant
                // nor a plain miss (issue 9: without context a variable stands for any
                // value).
                if let Some(v) = s.covering_with_variable(r) {
                    if s.cond == Tri::True || s.clauses.iter().all(|c| required.contains(c)) {
                        conditional.get_or_insert(Status::Conditional {
                            stmt: i,
                            item,
                            variable: Some(v),
                        });
                        continue;
                    }
                }
                // Name the statement that lists the action itself, not one that allows `*`.
                let explicit = s.actions.iter().any(|x| !x.all && x.item.span == item);
                if explicit
                    && elsewhere.as_ref().is_some_and(|(j, _, _)| {
                        stmts
                            .get(*j)
                            .is_some_and(|p| p.actions.iter().any(|x| x.all))
                    })
                {
                    elsewhere = None;
                }
                let e = elsewhere.get_or_insert((i, item, Vec::new()));
                if e.0 != i {
                    continue;
                }
                for x in &s.resources {
                    let v = if s.not_resource {
                        format!("NotResource {}", x.value)
                    } else {
                        x.value.to_string()
                    };
                    if !e.2.contains(&v) {
                        e.2.push(v);
                    }
                }
            }
        }
    }
    if let Some((_, s)) = best {
        return s;
    }
    if let Some(c) = conditional {
        return c;
    }
    match elsewhere {
        Some((stmt, item, on)) => Status::Elsewhere { stmt, item, on },
        None => Status::Missing,
    }
}

/// Is `s` a `Deny` that names `a` and reaches `r` (whatever its condition)?
fn denies(s: &EStmt<'_>, a: ActionRef, r: &str) -> bool {
    matches!(s.st.effect.as_ref().map(|e| e.value), Some(Effect::Deny))
        && s.names(a).is_some()
        && s.deny_reaches(a, r)
}

/// A line of the summary table.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Row {
    /// The rule grant's Sid.
    pub grant: String,
    /// `ok`, `missing`, `mis-scoped`, `too broad`, `conditional`, `no condition`, `denied`.
    pub status: &'static str,
    /// The action.
    pub action: String,
    /// What the policies allow it on.
    pub granted_on: Vec<String>,
    /// What the rule needs.
    pub needed_on: Vec<String>,
}

/// The outcome of `check`.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Findings in the policies and the rule file.
    pub findings: Vec<Finding>,
    /// One row per required action.
    pub rows: Vec<Row>,
    /// iamlint's verdict on every required (action, resource) pair, for `--simulate`.
    pub verdicts: Vec<Verdict>,
}

/// Whether the policies allow one required (action, resource) pair.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Verdict {
    /// The action.
    pub action: String,
    /// The resource the rule needs it on.
    pub resource: String,
    /// Allowed (after Deny and the permissions boundary).
    pub allowed: bool,
    /// The rule requires a condition, so a verdict without request context is not comparable.
    pub conditional: bool,
}

/// The actions a rule names (wildcards expanded), with the resources each needs: those of
/// the grant's resources it can act on (all of them if it can act on none).
pub fn required_pairs(g: &RequiredGrant) -> Vec<(ActionRef, usize, Vec<String>)> {
    let c = catalog::get();
    let mut out = Vec::new();
    for (k, a) in g.actions.iter().enumerate() {
        let item = Spanned::new(a.clone(), Span::default());
        for m in resolve_action(c, &item).matches.iter() {
            let fits: Vec<String> = g
                .resources
                .iter()
                .filter(|r| match ResourcePattern::parse(r) {
                    Ok(ResourcePattern::Any) => true,
                    Ok(ResourcePattern::Arn(p)) => m
                        .resource_types()
                        .any(|(t, _)| t.arns.iter().any(|f| p.can_match_format(f))),
                    Err(_) => false,
                })
                .cloned()
                .collect();
            let needed = if fits.is_empty() {
                g.resources.clone()
            } else {
                fits
            };
            out.push((m, k, needed));
        }
    }
    out
}

fn clauses_of(g: &RequiredGrant) -> Vec<Clause> {
    g.condition
        .iter()
        .map(|(op, k, v)| {
            let mut v = v.clone();
            v.sort();
            (op.clone(), k.to_ascii_lowercase(), v)
        })
        .collect()
}

fn describe(clauses: &[Clause]) -> String {
    clauses
        .iter()
        .map(|(op, k, v)| format!("`{op}` `{k}` = {}", list(v.iter().map(String::as_str))))
        .collect::<Vec<_>>()
        .join(" and ")
}

/// Compare `docs` (one principal's policies) with a resolved rule set whose file is source
/// `rule_src`.
pub fn check(resolved: &Resolved, rule_src: usize, docs: &[Doc]) -> Outcome {
    check_with_boundary(resolved, rule_src, docs, None)
}

/// [`check`] for a principal with a permissions boundary: a grant counts only where the
/// boundary allows it too (<https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html>).
pub fn check_with_boundary(
    resolved: &Resolved,
    rule_src: usize,
    docs: &[Doc],
    boundary: Option<&[Doc]>,
) -> Outcome {
    check_in_context(resolved, rule_src, docs, boundary, &Context::new(false))
}

/// [`check_with_boundary`] with what is known of the request (`--context`): conditions it
/// decides count as decided, and policy variables it gives are filled in. The context is
/// open: a key it does not give may hold any value.
pub fn check_in_context(
    resolved: &Resolved,
    rule_src: usize,
    docs: &[Doc],
    boundary: Option<&[Doc]>,
    ctx: &Context,
) -> Outcome {
    check_after(resolved, rule_src, docs, boundary, ctx, Vec::new())
}

/// [`check_in_context`] whose findings follow `findings` (the documents' lint) in one list:
/// a large check's are never copied from one list to another.
pub fn check_after(
    resolved: &Resolved,
    rule_src: usize,
    docs: &[Doc],
    boundary: Option<&[Doc]>,
    ctx: &Context,
    findings: Vec<Finding>,
) -> Outcome {
    use rayon::prelude::*;
    let stmts = prepare_in(docs, ctx);
    let bstmts = boundary.map(|b| prepare_in(b, ctx));
    // Conditional `Deny`s and conditional boundary `Allow`s that decide required pairs:
    // (identity?, statement index) -> the pairs, reported once per statement.
    let mut conditional: BTreeMap<(bool, usize), Vec<Pair>> = BTreeMap::new();
    let mut out = Outcome {
        findings,
        ..Outcome::default()
    };
    let id = &resolved.id;
    let c = catalog::get();
    // Required actions by their catalog number (see `excess`).
    let mut required_set = vec![false; c.action_count()];
    // Every required (action, resources) of every grant, in rule order.
    let reqs: Vec<Vec<Clause>> = resolved.grants.iter().map(clauses_of).collect();
    let mut jobs: Vec<(usize, ActionRef, usize, Vec<String>)> = Vec::new();
    for (gi, g) in resolved.grants.iter().enumerate() {
        for (a, k, needed) in required_pairs(g) {
            if let Some(slot) = c.action_number(a).and_then(|n| required_set.get_mut(n)) {
                *slot = true;
            }
            jobs.push((gi, a, k, needed));
        }
    }
    // What each allowed value grants beyond the rule set, found now so that the list of
    // findings is made once at its full size: the excess findings of a broad policy are
    // tens of thousands, and a list grown in steps is copied into fresh memory each time.
    let excess = excess_of_all(&stmts, &required_set);
    let pairs: usize = jobs.iter().map(|j| j.3.len()).sum();
    out.findings.reserve_exact(excess.len() + 2 * pairs + 16);
    // Each pair decided on every core: its statuses, and the conditional statements it
    // meets in the order a serial pass meets them (added to `conditional` below, in order).
    type Decided = (Vec<(String, Status)>, Vec<((bool, usize), Pair)>);
    let decided: Vec<Decided> = {
        jobs.par_iter()
            .map(|(gi, a, k, needed)| {
                let a = *a;
                let mut meets: Vec<((bool, usize), Pair)> = Vec::new();
                let Some(g) = resolved.grants.get(*gi) else {
                    return (Vec::new(), meets);
                };
                let empty = Vec::new();
                let req = reqs.get(*gi).unwrap_or(&empty);
                let action_span = g.action_spans.get(*k).copied().unwrap_or(g.span);
                let name = a.full_name();
                let statuses = needed
                    .iter()
                    .map(|r| {
                        let st = status(&stmts, a, r, req);
                        let granted = matches!(st, Status::Granted { .. });
                        if granted {
                            for (i, s) in stmts.iter().enumerate() {
                                if s.cond == Tri::Unknown && denies(s, a, r) {
                                    meets.push(((true, i), (name.clone(), r.clone(), action_span)));
                                }
                            }
                        }
                        // The boundary caps what identity policies grant.
                        let capped = bstmts.as_ref().is_some_and(|b| {
                            if !granted {
                                return false;
                            }
                            let bs = status(b, a, r, &[]);
                            let pair = (name.clone(), r.clone(), action_span);
                            for (i, s) in b.iter().enumerate() {
                                if s.cond == Tri::Unknown && denies(s, a, r) {
                                    meets.push(((false, i), pair.clone()));
                                }
                            }
                            match bs {
                                Status::Granted { .. } => false,
                                Status::Conditional { stmt, .. } => {
                                    meets.push(((false, stmt), pair));
                                    false
                                }
                                _ => true,
                            }
                        });
                        (r.clone(), if capped { Status::Boundary } else { st })
                    })
                    .collect();
                (statuses, meets)
            })
            .collect()
    };
    for ((gi, a, k, needed), (statuses, meets)) in jobs.into_iter().zip(decided) {
        let Some(g) = resolved.grants.get(gi) else {
            continue;
        };
        let empty = Vec::new();
        let req = reqs.get(gi).unwrap_or(&empty);
        let action_span = g.action_spans.get(k).copied().unwrap_or(g.span);
        let name = a.full_name();
        for (key, pair) in meets {
            conditional.entry(key).or_default().push(pair);
        }
        {
            out.verdicts.extend(statuses.iter().map(|(r, st)| Verdict {
                action: name.clone(),
                resource: r.clone(),
                allowed: matches!(st, Status::Granted { .. }),
                conditional: !req.is_empty(),
            }));
            let rule_at = |mut f: Finding| {
                f.related.push(crate::finding::Related {
                    message: format!("required by `{id}` grant `{}`", g.sid),
                    location: crate::finding::Location {
                        span: action_span,
                        source: rule_src,
                        ..Default::default()
                    },
                });
                f
            };
            let mut granted_on: Vec<String> = Vec::new();
            let mut worst = "ok";
            for (r, st) in &statuses {
                let label = st.label();
                if rank(label) > rank(worst) {
                    worst = label;
                }
                match st {
                    Status::Granted {
                        stmt,
                        item,
                        on,
                        broader,
                        missing_condition,
                    } => {
                        granted_on.push(on.clone());
                        let Some(s) = stmts.get(*stmt) else { continue };
                        if *broader {
                            out.findings.push(rule_at(
                                Finding::new(Code::MisScopedGrant, s.doc.src, *item, format!(
                                    "`{name}` is allowed on `{on}`, broader than the `{r}` that `{id}` needs"))
                                .severity(Severity::Warning)
                                .statement(Some(s.st.reference()))
                                .action(name.clone())
                                .resource(r.clone())
                                .help(format!("scope the grant to `{r}`")),
                            ));
                        }
                        if *missing_condition {
                            out.findings.push(rule_at(
                                Finding::new(Code::MissingCondition, s.doc.src, *item, format!(
                                    "`{name}` on `{r}` is allowed without the condition {} that `{id}` requires", describe(req)))
                                .statement(Some(s.st.reference()))
                                .action(name.clone())
                                .resource(r.clone()),
                            ));
                        }
                    }
                    Status::Conditional {
                        stmt,
                        item,
                        variable: Some(v),
                    } => {
                        let Some(s) = stmts.get(*stmt) else { continue };
                        out.findings.push(rule_at(
                            Finding::new(Code::ConditionalGrant, s.doc.src, *item, format!(
                                "`{name}` on `{r}` is allowed only when the policy variables of `{v}` name it, which depends on who makes the request"))
                            .statement(Some(s.st.reference()))
                            .action(name.clone())
                            .resource(r.clone())
                            .help("give the request's values to decide it, e.g. `--context aws:username=NAME`"),
                        ));
                    }
                    Status::Conditional {
                        stmt,
                        item,
                        variable: None,
                    } => {
                        let Some(s) = stmts.get(*stmt) else { continue };
                        let extra: Vec<Clause> = s
                            .clauses
                            .iter()
                            .filter(|c| !req.contains(c))
                            .cloned()
                            .collect();
                        out.findings.push(rule_at(
                            Finding::new(Code::ConditionalGrant, s.doc.src, *item, format!(
                                "`{name}` on `{r}` is allowed only under the condition {}, which `{id}` does not require", describe(&extra)))
                            .statement(Some(s.st.reference()))
                            .action(name.clone())
                            .resource(r.clone())
                            .help("whether the system works then depends on the request; make sure the condition holds where it runs"),
                        ));
                    }
                    Status::Elsewhere { stmt, item, on } => {
                        granted_on.extend(on.iter().cloned());
                        let Some(s) = stmts.get(*stmt) else { continue };
                        out.findings.push(rule_at(
                            Finding::new(
                                Code::MisScopedGrant,
                                s.doc.src,
                                *item,
                                format!(
                                    "`{name}` is allowed on {}, but `{id}` needs it on `{r}`",
                                    list(on.iter().map(String::as_str))
                                ),
                            )
                            .severity(Severity::Error)
                            .statement(Some(s.st.reference()))
                            .action(name.clone())
                            .resource(r.clone())
                            .help(format!(
                                "`{name}` takes {}",
                                crate::check::describe_types(a)
                            )),
                        ));
                    }
                    Status::Denied { stmt } => {
                        let Some(s) = stmts.get(*stmt) else { continue };
                        let deny_span = s.names(a).unwrap_or(s.st.span);
                        let mut f = Finding::new(
                            Code::MissingGrant,
                            rule_src,
                            action_span,
                            format!(
                                "`{name}` on `{r}` is denied by statement `{}` of `{}`",
                                s.st.reference(),
                                s.doc.origin
                            ),
                        )
                        .action(name.clone())
                        .resource(r.clone());
                        f.related.push(crate::finding::Related {
                            message: "the Deny is here".into(),
                            location: crate::finding::Location {
                                span: deny_span,
                                source: s.doc.src,
                                ..Default::default()
                            },
                        });
                        out.findings.push(f);
                    }
                    Status::Boundary => {
                        out.findings.push(
                            Finding::new(Code::MissingGrant, rule_src, action_span, format!(
                                "`{name}` on `{r}` is allowed by the policies but not by the permissions boundary; `{id}` requires it"))
                            .action(name.clone())
                            .resource(r.clone())
                            .help("the boundary caps the identity policies: allow the action in the boundary too"),
                        );
                    }
                    Status::Missing => {
                        out.findings.push(
                            Finding::new(Code::MissingGrant, rule_src, action_span, format!(
                                "`{name}` on `{r}` is not allowed by any policy; `{id}` requires it (grant `{}`)", g.sid))
                            .action(name.clone())
                            .resource(r.clone())
                            .help(format!("add `{name}` on `{r}`; `--suggest` prints the change")),
                        );
                    }
                }
            }
            granted_on.dedup();
            out.rows.push(Row {
                grant: g.sid.clone(),
                status: worst,
                action: name,
                granted_on,
                needed_on: needed,
            });
        }
    }
    for ((identity, i), pairs) in conditional {
        let set = if identity {
            Some(&stmts)
        } else {
            bstmts.as_ref()
        };
        if let Some(s) = set.and_then(|v| v.get(i)) {
            out.findings
                .push(conditional_deny(s, !identity, &pairs, id, rule_src));
        }
    }
    out.findings
        .par_extend(excess.into_par_iter().map(|x| excess_finding(x, id)));
    // Each prepared statement owns its lists: thousands of them are freed on every core,
    // not one by one on this thread while the others wait (11 M instructions, the corpus).
    drop_on_every_core(stmts);
    drop_on_every_core(bstmts.unwrap_or_default());
    out
}

/// Drop the items of `v` on every core.
fn drop_on_every_core<T: Send>(v: Vec<T>) {
    use rayon::prelude::*;
    v.into_par_iter().with_min_len(64).for_each(drop);
}

/// A required (action, resource) pair and the rule's span that requires it.
type Pair = (String, String, Span);

/// One `conditional-deny` finding for a statement whose condition the context does not
/// decide: a `Deny` that would deny required pairs, or a boundary `Allow` without which they
/// are denied.
fn conditional_deny(
    s: &EStmt<'_>,
    boundary: bool,
    pairs: &[Pair],
    id: &str,
    rule_src: usize,
) -> Finding {
    let mut pairs = pairs.to_vec();
    pairs.dedup_by(|a, b| a.0 == b.0 && a.1 == b.1);
    let conds =
        s.st.condition
            .iter()
            .map(condition::describe)
            .collect::<Vec<_>>()
            .join(" and ");
    // Bounded, so the condition at the end of the message survives the text output's clip.
    let shown: Vec<String> = pairs
        .iter()
        .map(|(a, r, _)| format!("`{a}` on `{r}`"))
        .collect();
    let list = crate::finding::bounded_list(&shown);
    let message = if boundary && s.st.is_allow() {
        format!("`{id}` requires {list}, which the permissions boundary allows only when {conds}")
    } else {
        let verb = if pairs.len() == 1 { "is" } else { "are" };
        format!("`{id}` requires {list}, which {verb} denied when {conds}")
    };
    let keys: Vec<String> =
        s.st.condition
            .iter()
            .map(|c| format!("--context {}=...", c.key.value))
            .collect();
    let span = s.st.condition_key.unwrap_or(s.st.span);
    let mut f = Finding::new(Code::ConditionalDeny, s.doc.src, span, message)
        .statement(Some(s.st.reference()))
        .help(format!(
            "whether the request is denied depends on its context; give it ({}) to decide, or make sure the condition {} holds where the system runs",
            keys.join(" "),
            if boundary && s.st.is_allow() { "always" } else { "never" }
        ));
    f.related.push(crate::finding::Related {
        message: format!("required by `{id}`"),
        location: crate::finding::Location {
            source: rule_src,
            span: pairs.first().map(|p| p.2).unwrap_or_default(),
            ..Default::default()
        },
    });
    f
}

fn rank(label: &str) -> u8 {
    match label {
        "ok" => 0,
        "no condition" => 1,
        "too broad" => 2,
        "conditional" => 3,
        "mis-scoped" => 4,
        "denied" => 5,
        _ => 6,
    }
}

/// Actions allowed that no rule requires, one [`Excess`] per policy value that names some
/// (each becomes an `excess-grant` finding, [`excess_finding`]); `required` is indexed by
/// [`catalog::Catalog::action_number`]. Statement by statement on every core, in statement
/// order.
fn excess_of_all<'a>(stmts: &'a [EStmt<'a>], required: &[bool]) -> Vec<Excess<'a>> {
    use rayon::prelude::*;
    stmts
        .par_chunks(32)
        .flat_map_iter(|chunk| {
            let mut found = Vec::new();
            for s in chunk {
                excess_of(s, required, &mut found);
            }
            found
        })
        .collect()
}

/// One value's excess: its statement, span and text, and the actions it allows that no
/// rule requires, in name order.
type Excess<'a> = (&'a EStmt<'a>, Span, &'a str, Vec<ActionRef>);

/// [`excess`] of one statement: each value that allows an action not required.
fn excess_of<'a>(s: &'a EStmt<'a>, required: &[bool], out: &mut Vec<Excess<'a>>) {
    if !s.st.is_allow() {
        return;
    }
    let c = catalog::get();
    let is_required = |n: usize| required.get(n).copied() == Some(true);
    // Every action not required, in name order, that `keep` keeps (`*` and `NotAction`
    // name thousands: they are read in the catalog's name order, nothing sorted).
    let every_extra = |keep: &dyn Fn(ActionRef) -> bool| -> Vec<ActionRef> {
        c.actions_by_name()
            .iter()
            .filter(|(n, a)| !is_required(*n) && keep(*a))
            .map(|x| x.1)
            .collect()
    };
    let mut push = |span: Span, text: &'a str, extra: Vec<ActionRef>| {
        if !extra.is_empty() {
            out.push((s, span, text, extra));
        }
    };
    if s.not_action {
        push(
            s.st.action.as_ref().map(|e| e.key).unwrap_or_default(),
            "NotAction",
            every_extra(&|a| s.names(a).is_some()),
        );
        return;
    }
    // One scratch list for the statement's values; each value's list is then made at its
    // size (collected in place from this one, it would keep room for the ranks too: 50%
    // more memory over the 200,000 actions a check of the corpus lists).
    let mut ranked: Vec<(u32, ActionRef)> = Vec::new();
    for a in &s.actions {
        let extra = if a.all {
            every_extra(&|_| true)
        } else {
            // Sorted by name through the catalog's ranks (no string is compared).
            ranked.clear();
            ranked.extend(a.matches.iter().filter_map(|m| {
                let n = c.action_number(m);
                (!n.is_some_and(is_required)).then(|| (c.name_rank(m), m))
            }));
            ranked.sort_unstable_by_key(|x| x.0);
            ranked.iter().map(|x| x.1).collect()
        };
        push(a.item.span, a.item.value.as_str(), extra);
    }
}

/// The `excess-grant` finding of one value.
fn excess_finding((s, span, text, extra): Excess<'_>, id: &str) -> Finding {
    let msg = if extra.len() == 1 && !text.contains(['*', '?']) && text != "NotAction" {
        // Tens of thousands in a check of a broad policy: one allocation of the right size.
        ["`", text, "` is not required by `", id, "`"].concat()
    } else {
        let mut by_level: BTreeMap<&str, usize> = BTreeMap::new();
        for a in &extra {
            *by_level.entry(a.access_level()).or_default() += 1;
        }
        let mut levels: Vec<(&str, usize)> = by_level.into_iter().collect();
        levels.sort_by_key(|x| std::cmp::Reverse(x.1));
        format!(
            "`{text}` allows {} action{} `{id}` does not require ({})",
            extra.len(),
            if extra.len() == 1 { "" } else { "s" },
            levels
                .iter()
                .map(|(l, n)| format!("{l} {n}"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let mut f = Finding::new(Code::ExcessGrant, s.doc.src, span, msg)
        .statement(Some(s.st.reference()))
        .action(text)
        .help("remove it; `--suggest` prints the change");
    f.extra_actions = extra;
    f
}
