//! The account audit (`iamlint can --gaad`, `iamlint who-can`; issue 12): every user, group
//! and role of an account dump ([`crate::source::gaad`]) with the documents that apply to
//! it, so one request can be decided for any of them by the one evaluator,
//! [`crate::eval::request`].
//!
//! [`Account::read`] turns a dump into [`Subject`]s: each principal's inline policies,
//! attached managed policies (customer managed from the dump; AWS managed from the dump's
//! own copy, else the embedded snapshot, [`crate::source::managed`]), for a user its groups'
//! inline and attached policies, and its permissions boundary. Each document is parsed once
//! and shared by every principal it applies to. A principal with any part the dump does not
//! hold (a policy it names that is not there, a document that does not decode, a group that
//! is missing) is not evaluated: it is an [`Unevaluated`] naming the principal and the dump
//! position, counted in every answer's summary, never skipped in silence.
//!
//! [`effective`] decides one request for one principal (allowed, allowed if a condition
//! holds, denied, not allowed); [`whocan`] decides it for every principal. Both hand plain
//! data to [`crate::report::can`] and [`crate::report::whocan`]. [`trust`] lists, for every
//! role, whom its trust policy lets assume it, and its dangerous shapes as findings.

pub mod admin;
pub mod effective;
pub mod graph;
pub mod permissions;
pub mod review;
pub mod risk;
pub mod trust;
pub mod whocan;

use std::sync::Arc;

use rayon::prelude::*;
use serde::Serialize;

use crate::eval::Doc;
use crate::eval::condition::Context;
use crate::eval::request::Hit;
use crate::policy::Statement;
use crate::policy::json::{Node, Value};
use crate::source::gaad::{self, Dump, Scope};
use crate::span::{LineIndex, Span};

/// What kind of principal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// An IAM user.
    User,
    /// An IAM group (its policies reach its users; it makes no request itself).
    Group,
    /// An IAM role.
    Role,
}

impl Kind {
    /// The kind a label names: `user/NAME`, `group/NAME`, else a role.
    pub fn of_label(label: &str) -> Kind {
        match label.split_once('/').map(|(k, _)| k) {
            Some("user") => Kind::User,
            Some("group") => Kind::Group,
            _ => Kind::Role,
        }
    }
}

/// A principal of the dump, ready to evaluate.
#[derive(Debug, Clone)]
pub struct Subject {
    /// `user/NAME`, `group/NAME` or `role/NAME`.
    pub label: String,
    /// Its ARN.
    pub arn: String,
    /// User, group or role.
    pub kind: Kind,
    /// Its identity policies: inline, attached, and for a user its groups'.
    pub docs: Vec<Arc<Doc>>,
    /// Its permissions boundary, if it has one.
    pub boundary: Option<Vec<Arc<Doc>>>,
    /// Its entry in the dump.
    pub at: Span,
    /// The request context keys the dump gives for it (`aws:PrincipalArn`, `aws:username`,
    /// its tags), added to every request it makes.
    keys: Vec<(String, String)>,
    /// [`Subject::context`] of an open context with no key given: what every request of an
    /// audit asks, made once per principal rather than once per request.
    pub(crate) open: Context,
}

/// A principal that could not be evaluated, and why.
#[derive(Debug, Clone, Serialize)]
pub struct Unevaluated {
    /// `user/NAME`, `group/NAME` or `role/NAME`.
    pub principal: String,
    /// Its ARN (empty when its entry has none).
    pub arn: String,
    /// Each unread part: `file:line:col: message`.
    pub errors: Vec<String>,
}

/// Where a document of the account is, for locating its statements.
#[derive(Debug, Clone)]
struct Place {
    /// What it is called: `user/a inline "p"`, or the managed policy's ARN.
    label: String,
    /// The file the position is in: the dump, or `None` for an AWS managed policy of the
    /// embedded snapshot (the position is in its document).
    in_dump: bool,
    /// For a URL-encoded document of the dump, the encoded string: its statements are
    /// located at the string, as the dump has no position inside it.
    encoded_at: Option<Span>,
}

/// An account dump read for evaluation.
#[derive(Debug)]
pub struct Account {
    /// The dump's path (`-`: standard input).
    pub origin: String,
    /// Every user, group and role that can be evaluated, in dump order (groups last).
    pub subjects: Vec<Subject>,
    /// Every principal that cannot be evaluated.
    pub unevaluated: Vec<Unevaluated>,
    /// What makes the whole dump incomplete (a truncated dump, a list given twice): any of
    /// these means a principal may be missing from every answer.
    pub errors: Vec<String>,
    text: Arc<str>,
    lines: LineIndex,
    /// The dump is ASCII, so a column is a byte distance (a compact dump is one line of
    /// megabytes: counting characters up to each statement would dominate `who-can`).
    ascii: bool,
    /// Indexed by [`Doc::src`].
    places: Vec<Place>,
    /// The AWS managed policies read from the embedded snapshot (not the dump).
    from_snapshot: Vec<String>,
    /// Who each role trusts, read from [`Account::text`] when first asked ([`Account::trust`]).
    trust: std::sync::OnceLock<Result<Vec<trust::RoleTrust>, String>>,
}

/// Parse the text of a dump and check that it is one: the error names `origin:line:col`.
pub(crate) fn parse_dump(
    origin: &str,
    text: &str,
) -> Result<crate::policy::json::Parsed, AuditError> {
    let parsed = gaad::parse(text).map_err(|e| {
        let (line, column) = LineIndex::new(text).line_col(text, e.span.start);
        AuditError::Json {
            origin: origin.to_string(),
            line,
            column,
            message: e.message.clone(),
        }
    })?;
    if let Some(why) = gaad::not_a_dump(&parsed.root) {
        return Err(AuditError::NotDump(origin.to_string(), why));
    }
    Ok(parsed)
}

/// What reading the principals of one dump shares: each document parsed once, and the
/// dump's managed policies by ARN (a dump holds thousands).
struct Cache<'d> {
    /// Indexed like [`Dump::docs`] (and their [`Doc::src`] is that index).
    docs: &'d [Arc<Doc>],
    /// AWS managed policies read from the embedded snapshot, by ARN.
    snapshot: std::collections::HashMap<String, Arc<Doc>>,
    /// Managed policy ARN -> index into [`Dump::docs`].
    held: std::collections::HashMap<&'d str, usize>,
}

/// Why a dump cannot be audited at all.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AuditError {
    /// It could not be read.
    #[error(transparent)]
    Load(#[from] crate::source::LoadError),
    /// It is not JSON.
    #[error("{origin}:{line}:{column}: {message}")]
    Json {
        /// The dump.
        origin: String,
        /// 1-based line.
        line: u32,
        /// 1-based column.
        column: u32,
        /// What is wrong.
        message: String,
    },
    /// It is JSON, but not an account dump.
    #[error("{0}: {1}")]
    NotDump(String, &'static str),
    /// An AWS managed policy of the embedded snapshot that does not parse (a bug).
    #[error("{0}")]
    Snapshot(String),
}

/// The principal's ARN's account, `""` if it has none.
pub(crate) fn account_of(arn: &str) -> &str {
    arn.split(':').nth(4).unwrap_or("")
}

/// Every entry of the dump's `list`, by span, for reading what [`gaad`] does not keep.
fn entries<'a>(root: &'a Node, list: &str) -> Vec<&'a Node> {
    match gaad::get(root, list).map(|l| &l.value) {
        Some(Value::Array(a)) => a.iter().collect(),
        _ => Vec::new(),
    }
}

/// The request context keys IAM sets for a request of this principal, from its dump entry
/// (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html>:
/// `aws:PrincipalArn` is the user's or the role's ARN, also for a role session;
/// `aws:PrincipalAccount` its account; `aws:PrincipalType` `User` or `AssumedRole`;
/// `aws:username` a user's name, absent for a role; `aws:userid` a user's unique id;
/// `aws:PrincipalTag/K` each of its tags, absent for other keys). A group's keys are its
/// users', which differ: only the account and the type are known.
fn principal_keys(kind: Kind, arn: &str, entry: Option<&Node>) -> Vec<(String, String)> {
    let mut keys = vec![(
        "aws:PrincipalAccount".to_string(),
        account_of(arn).to_string(),
    )];
    match kind {
        Kind::User => {
            keys.push(("aws:PrincipalType".into(), "User".into()));
            keys.push(("aws:PrincipalArn".into(), arn.to_string()));
            if let Some(e) = entry {
                keys.push((
                    "aws:username".into(),
                    gaad::str_of(e, "UserName").to_string(),
                ));
                keys.push(("aws:userid".into(), gaad::str_of(e, "UserId").to_string()));
            }
        }
        Kind::Role => {
            keys.push(("aws:PrincipalType".into(), "AssumedRole".into()));
            keys.push(("aws:PrincipalArn".into(), arn.to_string()));
        }
        Kind::Group => keys.push(("aws:PrincipalType".into(), "User".into())),
    }
    if kind != Kind::Group {
        let tags = entry.and_then(|e| gaad::get(e, "Tags")).map(|t| &t.value);
        if let Some(Value::Array(tags)) = tags {
            for t in tags {
                let k = gaad::str_of(t, "Key");
                if !k.is_empty() {
                    keys.push((
                        format!("aws:PrincipalTag/{k}"),
                        gaad::str_of(t, "Value").to_string(),
                    ));
                }
            }
        }
    }
    // An empty value is what the entry does not give (no `UserId`): left open.
    keys.retain(|(k, v)| !v.is_empty() || k.starts_with("aws:PrincipalTag/"));
    keys
}

impl Subject {
    /// `base` (the user's `--context`) with the keys the dump gives for this principal
    /// added where the user gave none, and its absent keys marked absent.
    pub fn context(&self, base: &Context) -> Context {
        let mut c = base.clone();
        for (k, v) in &self.keys {
            if c.get(k).is_none() {
                c.add(k, v);
            }
        }
        match self.kind {
            Kind::Role => c.set_absent("aws:username"),
            Kind::User | Kind::Group => {}
        }
        if self.kind != Kind::Group {
            c.set_absent("aws:PrincipalTag/");
        }
        c
    }
}

impl Account {
    /// Read the dump at `path` (`-`: standard input), within
    /// [`crate::source::MAX_DUMP_BYTES`].
    pub fn read(path: &str) -> Result<Account, AuditError> {
        Account::read_within(path, crate::source::Limit::DUMP)
    }

    /// [`Account::read`] within `limit` (the tests give a small one).
    pub fn read_within(path: &str, limit: crate::source::Limit) -> Result<Account, AuditError> {
        let doc = crate::source::read_within(&crate::source::Input::named(path), limit)?;
        Account::from_text(path, &doc.text)
    }

    /// Read a dump from its text; `origin` names it in positions.
    pub fn from_text(origin: &str, text: &str) -> Result<Account, AuditError> {
        let mut parsed = parse_dump(origin, text)?;
        let mut dump = Dump::read_taking(text, &mut parsed);
        let mut acc = Account {
            origin: origin.to_string(),
            subjects: Vec::new(),
            unevaluated: Vec::new(),
            errors: Vec::new(),
            text: Arc::from(text),
            lines: LineIndex::new(text),
            ascii: text.is_ascii(),
            places: Vec::new(),
            from_snapshot: Vec::new(),
            trust: std::sync::OnceLock::new(),
        };
        // Problems that reach every principal, and a truncated dump (principals missing).
        let dump_wide: Vec<gaad::Problem> = dump
            .problems
            .iter()
            .filter(|p| p.scope == Scope::Dump)
            .cloned()
            .collect();
        acc.errors = gaad::errors_with(origin, text, &acc.lines, dump_wide.iter());
        if matches!(
            gaad::get(&parsed.root, "IsTruncated").map(|v| &v.value),
            Some(Value::Bool(true))
        ) {
            acc.errors.extend(gaad::errors_with(
                origin,
                text,
                &acc.lines,
                dump.problems
                    .iter()
                    .filter(|p| p.message.contains("`IsTruncated`")),
            ));
        }
        // Each document of the dump parsed once, all of them in parallel (most are needed);
        // source `i` is document `i`.
        acc.places = dump
            .docs
            .iter()
            .map(|pd| Place {
                label: pd.label.clone(),
                in_dump: true,
                encoded_at: pd.decoded.as_ref().map(|_| pd.at),
            })
            .collect();
        let docs: Vec<Arc<Doc>> = dump
            .docs
            .par_iter_mut()
            .enumerate()
            .map(|(src, pd)| {
                // The JSON tree is done with once parsed: freed here, its memory is
                // taken again by the next document's (fresh memory costs a page fault).
                let tree = std::mem::take(&mut pd.parsed);
                let policy = crate::policy::parse::parse_policy(tree, src, &mut Vec::new());
                Arc::new(Doc {
                    src,
                    origin: pd.label.clone(),
                    text: pd
                        .decoded
                        .as_deref()
                        .map_or_else(|| acc.text.clone(), Arc::from),
                    policy,
                })
            })
            .collect();
        let mut cache = Cache {
            docs: &docs,
            snapshot: std::collections::HashMap::new(),
            held: dump.managed.iter().map(|(a, i)| (a.as_str(), *i)).collect(),
        };
        // Who each role trusts comes from the dump already read: reading it again for the
        // graph or the report would parse tens of megabytes twice.
        // The trust relationships are found while the principals are read: the principals'
        // reading fills `acc`, so the line index it shares with them is lent out meanwhile.
        let lines = std::mem::replace(&mut acc.lines, LineIndex::new(""));
        let (trust, ()) = rayon::join(
            || trust::roles_in(origin, text, &dump, &lines, Some(&docs)),
            || acc.principals(&dump, &parsed.root, &lines, &mut cache),
        );
        acc.lines = lines;
        acc.trust = std::sync::OnceLock::from(Ok(trust));
        // The dump's tree and reading are done with: freed on the side (hundreds of
        // thousands of small allocations, tens of milliseconds) while the caller goes on.
        drop(cache);
        rayon::spawn(move || drop((parsed, dump, docs)));
        Ok(acc)
    }

    /// Every principal of `dump` (whose tree is `root`) as a subject, or as unevaluated with
    /// the errors that say why.
    fn principals(&mut self, dump: &Dump, root: &Node, lines: &LineIndex, cache: &mut Cache<'_>) {
        let (origin, text) = (self.origin.clone(), self.text.clone());
        let problems = dump.problem_index();
        let by_start: std::collections::HashMap<u32, &Node> =
            ["UserDetailList", "RoleDetailList", "GroupDetailList"]
                .iter()
                .flat_map(|l| entries(root, l))
                .map(|n| (n.span.start, n))
                .collect();
        // An error at the principal's entry.
        let at_entry = |pr: &gaad::Principal, message: String| {
            let problem = gaad::Problem {
                at: pr.at,
                message,
                first: None,
                scope: Scope::Other,
            };
            gaad::errors_with(&origin, &text, lines, std::iter::once(&problem))
        };
        for pr in &dump.principals {
            let own: Vec<&gaad::Problem> = if pr.arn.is_empty() {
                // An entry without an ARN: its problems are those inside it.
                problems.inside(pr.at)
            } else {
                let mut own = problems.of(pr);
                own.retain(|p| p.scope != Scope::Dump);
                own
            };
            let read = if !own.is_empty() || pr.arn.is_empty() {
                let errors = gaad::errors_with(&origin, &text, lines, own.into_iter());
                Err(if errors.is_empty() {
                    at_entry(pr, format!("{}: the entry has no `Arn`", pr.label))
                } else {
                    errors
                })
            } else {
                let entry = by_start.get(&pr.at.start).copied();
                self.subject(pr, Kind::of_label(&pr.label), entry, cache)
                    .map_err(|message| at_entry(pr, message))
            };
            match read {
                Ok(s) => self.subjects.push(s),
                Err(errors) => self.unevaluated.push(Unevaluated {
                    principal: pr.label.clone(),
                    arn: pr.arn.clone(),
                    errors,
                }),
            }
        }
    }

    /// The managed policy `arn`: the dump's copy, else (AWS managed) the embedded snapshot's.
    fn managed(&mut self, arn: &str, cache: &mut Cache<'_>) -> Result<Arc<Doc>, String> {
        if let Some(d) = cache.held.get(arn).and_then(|&i| cache.docs.get(i)) {
            return Ok(d.clone());
        }
        if let Some(d) = cache.snapshot.get(arn) {
            return Ok(d.clone());
        }
        if !crate::source::managed::is_managed_arn(arn) {
            return Err(format!(
                "`{arn}` applies to it, but the dump does not hold it"
            ));
        }
        let m = crate::source::managed::find(arn)?;
        let text = crate::source::managed::document_text(m);
        let src = self.places.len();
        let d = crate::eval::request::doc_from_text(src, arn, &text).map_err(|e| e.to_string())?;
        self.places.push(Place {
            label: arn.to_string(),
            in_dump: false,
            encoded_at: None,
        });
        let d = Arc::new(d);
        cache.snapshot.insert(arn.to_string(), d.clone());
        self.from_snapshot.push(arn.to_string());
        Ok(d)
    }

    fn subject(
        &mut self,
        pr: &gaad::Principal,
        kind: Kind,
        entry: Option<&Node>,
        cache: &mut Cache<'_>,
    ) -> Result<Subject, String> {
        let mut own = Vec::new();
        for &i in &pr.inline {
            own.extend(cache.docs.get(i).cloned());
        }
        for arn in &pr.attached {
            let d = self.managed(arn, cache)?;
            // A policy attached to the user and to one of its groups applies once.
            if !own.iter().any(|o: &Arc<Doc>| Arc::ptr_eq(o, &d)) {
                own.push(d);
            }
        }
        let boundary = match pr.boundary.as_ref().filter(|b| !b.is_empty()) {
            Some(b) => Some(vec![self.managed(b, cache)?]),
            None => None,
        };
        let keys = principal_keys(kind, &pr.arn, entry);
        let mut s = Subject {
            label: pr.label.clone(),
            arn: pr.arn.clone(),
            kind,
            docs: own,
            boundary,
            at: pr.at,
            keys,
            open: Context::new(false),
        };
        s.open = s.context(&Context::new(false));
        Ok(s)
    }

    /// The principal `spec` names: `user/NAME`, `group/NAME`, `role/NAME` or an ARN. `Err`
    /// when the dump holds none (with the closest name), or holds it but cannot evaluate it.
    pub fn find(&self, spec: &str) -> Result<&Subject, FindError> {
        // `user/NAME`, or with the path as the ARN writes it (`user/contractors/dave`).
        let hit = |label: &str, arn: &str| {
            label == spec || arn == spec || arn.splitn(6, ':').nth(5) == Some(spec)
        };
        if let Some(s) = self.subjects.iter().find(|s| hit(&s.label, &s.arn)) {
            return Ok(s);
        }
        if let Some(u) = self.unevaluated.iter().find(|u| hit(&u.principal, &u.arn)) {
            return Err(FindError::Unevaluated(u.clone()));
        }
        let names = self
            .subjects
            .iter()
            .map(|s| s.label.as_str())
            .chain(self.unevaluated.iter().map(|u| u.principal.as_str()));
        let names: Vec<&str> = if spec.starts_with("arn:") {
            self.subjects
                .iter()
                .map(|s| s.arn.as_str())
                .chain(self.unevaluated.iter().map(|u| u.arn.as_str()))
                .collect()
        } else {
            names.collect()
        };
        let hint = crate::suggest::closest(spec, names)
            .map(|s| format!("; did you mean `{s}`?"))
            .unwrap_or_default();
        Err(FindError::Missing(format!(
            "{}: no user, group or role `{spec}` in the dump{hint}",
            self.origin
        )))
    }

    /// The [`Hit`] of statement `st` of `doc`, located in the dump (or in the embedded
    /// snapshot's document of an AWS managed policy).
    pub(crate) fn hit(&self, doc: &Doc, st: &Statement, boundary: bool) -> Hit {
        let mut h = crate::eval::request::hit_at(doc, st, boundary, 0, 0);
        let place = self.places.get(doc.src);
        let (line, column) = match place {
            Some(Place {
                in_dump: true,
                encoded_at: Some(at),
                ..
            }) => self.line_col(at.start),
            Some(Place { in_dump: true, .. }) => self.line_col(st.span.start),
            _ => LineIndex::new(&doc.text).line_col(&doc.text, st.span.start),
        };
        h.line = line;
        h.column = column;
        h.policy = place.map_or_else(|| doc.origin.clone(), |p| p.label.clone());
        h
    }

    /// The dump's text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The byte span of `file:line:col` (as a [`Hit`] is printed) when it is a place in this
    /// dump: the statement's first character. `None` for a place elsewhere (the embedded
    /// snapshot) or one the dump does not have.
    pub fn locate(&self, at: &str) -> Option<Span> {
        let mut parts = at.rsplitn(3, ':');
        let column: u32 = parts.next()?.parse().ok()?;
        let line: u32 = parts.next()?.parse().ok()?;
        self.span_at(parts.next()?, line, column)
    }

    /// The span of `line`:`column` of `file` when `file` is this dump (see [`Account::locate`]).
    pub fn span_at(&self, file: &str, line: u32, column: u32) -> Option<Span> {
        if file != self.origin || line == 0 || column == 0 {
            return None;
        }
        let start = self.lines.line_start(line);
        if line > 1 && start == 0 {
            return None;
        }
        let rest = self.text.get(start as usize..)?;
        // Columns count characters; an ASCII dump's are bytes.
        let offset = if self.ascii {
            column - 1
        } else {
            let (i, _) = rest.char_indices().nth(column as usize - 1)?;
            u32::try_from(i).ok()?
        };
        let at = start.checked_add(offset)? as usize;
        (at < self.text.len()).then(|| Span::new(at, at + 1))
    }

    /// Line and column of a byte offset of the dump.
    pub fn line_col(&self, offset: u32) -> (u32, u32) {
        if !self.ascii {
            return self.lines.line_col(&self.text, offset);
        }
        let (line, _) = self.lines.line_col("", offset);
        let start = self.lines.line_start(line);
        (line, offset.saturating_sub(start).saturating_add(1))
    }

    /// Every role of the dump and who can assume it ([`trust::roles`]), read once however
    /// many parts of an audit ask (the escalation graph, the report).
    pub fn trust(&self) -> Result<&[trust::RoleTrust], String> {
        self.trust
            .get_or_init(|| trust::roles(&self.origin, &self.text).map_err(|e| e.to_string()))
            .as_ref()
            .map(Vec::as_slice)
            .map_err(Clone::clone)
    }

    /// Where a [`Hit`]'s line and column are: the dump, or (for an AWS managed policy of the
    /// embedded snapshot) the policy's own document.
    pub fn file_of(&self, h: &Hit) -> &str {
        if self.from_snapshot.contains(&h.policy) {
            "embedded snapshot"
        } else {
            &self.origin
        }
    }
}

/// Why `can` has no principal to evaluate.
#[derive(Debug, Clone, thiserror::Error)]
pub enum FindError {
    /// The dump holds no such principal.
    #[error("{0}")]
    Missing(String),
    /// The dump holds it, but not everything that applies to it.
    #[error(
        "`{}` cannot be evaluated: the dump does not hold everything that applies to it:\n{}",
        .0.principal,
        .0.errors.join("\n")
    )]
    Unevaluated(Unevaluated),
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::request::Request;

    fn ask(acc: &Account, who: &str, action: &str, resource: &str) -> effective::Access {
        let s = acc.find(who).unwrap();
        let req = Request {
            action: action.into(),
            resource: resource.into(),
            context: Context::new(false),
        };
        effective::decide(acc, s, &req).unwrap().access
    }

    #[test]
    fn the_dumps_copy_of_an_aws_managed_policy_is_the_one_evaluated() {
        // The dump holds its own (here narrower) version of AmazonS3ReadOnlyAccess; the
        // embedded snapshot's grants `s3:Get*` on `*`.
        let text = r#"{
          "UserDetailList": [{"UserName": "u", "Arn": "arn:aws:iam::1:user/u",
            "AttachedManagedPolicies": [{"PolicyName": "AmazonS3ReadOnlyAccess",
              "PolicyArn": "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"}]},
            {"UserName": "v", "Arn": "arn:aws:iam::1:user/v",
            "AttachedManagedPolicies": [{"PolicyName": "AmazonS3ReadOnlyAccess",
              "PolicyArn": "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"}]}],
          "Policies": [{"PolicyName": "AmazonS3ReadOnlyAccess",
            "Arn": "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess", "DefaultVersionId": "v9",
            "PolicyVersionList": [{"VersionId": "v9", "IsDefaultVersion": true, "Document":
              {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                "Action": "s3:GetObject", "Resource": "arn:aws:s3:::only/*"}]}}]}]}"#;
        let acc = Account::from_text("d.json", text).unwrap();
        assert_eq!(
            ask(&acc, "user/u", "s3:GetObject", "arn:aws:s3:::only/x"),
            effective::Access::Allowed
        );
        assert_eq!(
            ask(&acc, "user/u", "s3:GetObject", "arn:aws:s3:::other/x"),
            effective::Access::NotAllowed
        );
        // Parsed once, shared by both users.
        let (u, v) = (acc.find("user/u").unwrap(), acc.find("user/v").unwrap());
        assert!(Arc::ptr_eq(&u.docs[0], &v.docs[0]));
        assert!(acc.from_snapshot.is_empty());
    }

    #[test]
    fn a_policy_attached_twice_applies_once_and_an_arn_finds_its_principal() {
        let text = r#"{
          "UserDetailList": [{"UserName": "u", "Path": "/team/", "Arn": "arn:aws:iam::1:user/team/u",
            "GroupList": ["g"],
            "AttachedManagedPolicies": [{"PolicyName": "p", "PolicyArn": "arn:aws:iam::1:policy/p"}]}],
          "GroupDetailList": [{"GroupName": "g", "Arn": "arn:aws:iam::1:group/g",
            "AttachedManagedPolicies": [{"PolicyName": "p", "PolicyArn": "arn:aws:iam::1:policy/p"}]}],
          "Policies": [{"PolicyName": "p", "Arn": "arn:aws:iam::1:policy/p",
            "PolicyVersionList": [{"VersionId": "v1", "IsDefaultVersion": true, "Document":
              {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                "Action": "sqs:SendMessage", "Resource": "*"}]}}]}]}"#;
        let acc = Account::from_text("d.json", text).unwrap();
        for who in ["user/u", "user/team/u", "arn:aws:iam::1:user/team/u"] {
            let s = acc.find(who).unwrap();
            assert_eq!(s.docs.len(), 1, "{who}");
        }
        assert!(matches!(acc.find("user/w"), Err(FindError::Missing(_))));
    }
}
