//! The account audit as one report (`iamlint audit`): for each account dump, the risks of
//! every user and role ([`super::risk`]), the dangerous trust policies ([`super::trust`]),
//! and the escalation paths ([`super::graph`]), all as findings of registered codes located
//! in the dump, each naming its principal; plus the principals, the paths, and everything
//! that could not be read or evaluated (errors of the report: the run fails, nothing is
//! passed as clean).
//!
//! The report is a [`crate::Report`] (one source per dump), so every format of `lint`
//! renders it ([`crate::report::audit`] adds the principals and the paths). Unused
//! principals need access history, which a dump does not hold: out of scope offline.

use serde::{Deserialize, Serialize};

use super::graph::{self, Path};
use super::{Account, Kind, risk};
use crate::finding::{Code, Finding, Severity};

/// One account to review: its name, and the account or why it could not be read.
pub struct Input<'a> {
    /// The dump's path, or the account's id.
    pub name: &'a str,
    /// The account, or the error that kept it from being read.
    pub account: Result<&'a Account, &'a str>,
}

/// A principal of the report, with what the audit found of it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Principal {
    /// The account dump it is in.
    pub account: String,
    /// `user/NAME`, `group/NAME` or `role/NAME`.
    pub principal: String,
    /// Its ARN.
    pub arn: String,
    /// User, group or role.
    pub kind: Kind,
    /// Evaluated (false: the dump does not hold everything that applies to it).
    pub evaluated: bool,
    /// Admin-equivalent, whatever the request context.
    pub admin: bool,
    /// The findings about it, by code (sorted, once each).
    pub codes: Vec<String>,
    /// How many findings are about it.
    pub findings: usize,
    /// Its policies: each identity policy and its boundary, by name.
    pub policies: Vec<PolicyRef>,
    /// Its effective permissions by service and access level, when asked for (the HTML
    /// report's principal pages).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub permissions: Option<serde_json::Value>,
}

/// Who a role of one account trusts.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AccountTrust {
    /// The account dump.
    pub account: String,
    /// The role and its trust.
    #[serde(flatten)]
    pub role: super::trust::RoleTrust,
}

/// A policy that applies to a principal.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PolicyRef {
    /// The policy (`user/a inline "p"`, a managed policy's ARN).
    pub name: String,
    /// `identity policy` or `permissions boundary`.
    pub via: String,
}

/// An escalation path of one account.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AccountPath {
    /// The account dump.
    pub account: String,
    /// The path.
    #[serde(flatten)]
    pub path: Path,
}

/// The review of one or more accounts.
#[derive(Debug, Default)]
pub struct Review {
    /// The findings, most severe first; one source per account; the errors.
    pub report: crate::Report,
    /// Every user, group and role, evaluated or not, account by account.
    pub principals: Vec<Principal>,
    /// Every escalation path, shortest first within an account.
    pub paths: Vec<AccountPath>,
    /// The users and roles audited.
    pub audited: usize,
    /// Every role's trust relationships.
    pub trust: Vec<AccountTrust>,
}

/// An escalation path as a finding at its first step's statement, the other steps related:
/// an error, a warning when a step holds only under a condition.
fn path_finding(account: &Account, source: usize, p: &Path) -> Option<Finding> {
    let s = account.subjects.iter().find(|s| s.label == p.from)?;
    let conditional = p.steps.iter().any(|st| st.condition.is_some());
    let chain: String = p
        .steps
        .iter()
        .map(|st| format!(" -[{}]-> {}", st.via, st.to))
        .collect();
    let n = p.steps.len();
    let message = format!(
        "`{}` can become `{}` in {n} step{}: {}{chain}",
        p.from,
        p.to,
        if n == 1 { "" } else { "s" },
        p.from
    );
    let mut places = p.steps.iter().filter_map(|st| {
        account
            .locate(&st.statement)
            .map(|sp| (sp, format!("step {} -> {} ({})", st.from, st.to, st.via)))
    });
    let span = places.next();
    let mut f = Finding::new(
        Code::EscalationPath,
        source,
        span.as_ref().map_or(s.at, |(sp, _)| *sp),
        message,
    )
    .principal(p.from.clone());
    for (sp, what) in places {
        f = f.related(what, sp);
    }
    let conds: Vec<&str> = p
        .steps
        .iter()
        .filter_map(|st| st.condition.as_deref())
        .collect();
    if conditional {
        f = f
            .severity(Severity::Warning)
            .help(format!("only if {}", conds.join(" and ")));
    }
    risk::locate_all(account, &mut f);
    Some(f)
}

/// `trust-unknown-account` for each principal of another account a role trusts that is
/// not in `known`, at its statement.
fn unknown_accounts(
    account: &Account,
    source: usize,
    t: &super::trust::RoleTrust,
    known: &[String],
) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    for x in &t.trusted {
        let Some(id) = x.account.as_deref() else {
            continue;
        };
        if x.kind != super::trust::Trustee::OtherAccount
            || known.iter().any(|k| k == id)
            || seen.contains(&id)
        {
            continue;
        }
        seen.push(id);
        let span = account
            .span_at(&account.origin, x.line, x.column)
            .or_else(|| {
                account
                    .subjects
                    .iter()
                    .find(|s| s.label == t.role)
                    .map(|s| s.at)
            })
            .unwrap_or_default();
        let mut f = Finding::new(
            Code::TrustUnknownAccount,
            source,
            span,
            format!(
                "`{}` trusts `{}` of account {id}, which is not an account of this audit (in {} trust policy)",
                t.role, x.principal, t.role
            ),
        )
        .principal(t.role.clone())
        .statement(Some(x.statement.clone()))
        .help(format!(
            "if {id} is yours or a vendor's, pass `--known-account {id}`"
        ));
        risk::locate_all(account, &mut f);
        out.push(f);
    }
    out
}

/// What a review keeps besides the findings.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Keep each dump's text in the report's sources (for formats that print the source
    /// around a finding).
    pub keep_text: bool,
    /// Each principal's effective permissions ([`super::permissions`]; the HTML report's
    /// principal pages).
    pub permissions: bool,
}

/// Review `inputs`, in order. `known`: accounts a role may trust without a
/// `trust-unknown-account` finding, besides those of the dumps reviewed.
pub fn review(inputs: &[Input<'_>], opts: Options, known: &[String]) -> Review {
    let mut r = Review::default();
    let mut known: Vec<String> = known.to_vec();
    known.extend(inputs.iter().filter_map(|i| i.account.ok()).flat_map(|a| {
        a.subjects
            .iter()
            .map(|s| super::account_of(&s.arn).to_string())
            .filter(|id| !id.is_empty())
    }));
    known.sort();
    known.dedup();
    for (source, input) in inputs.iter().enumerate() {
        let account = match input.account {
            Ok(a) => a,
            Err(e) => {
                r.report.sources.push(crate::SourceText {
                    origin: String::new(),
                    text: String::new(),
                });
                r.report.errors.push(if e.starts_with(input.name) {
                    e.to_string()
                } else {
                    format!("{}: {e}", input.name)
                });
                continue;
            }
        };
        r.report.sources.push(crate::SourceText {
            origin: account.origin.clone(),
            text: if opts.keep_text {
                account.text().to_string()
            } else {
                String::new()
            },
        });
        r.report.errors.extend(account.errors.iter().cloned());
        for u in &account.unevaluated {
            r.report.errors.push(format!(
                "`{}` could not be evaluated: {}",
                u.principal,
                u.errors.join("; ")
            ));
        }
        // The risks of each principal and the escalation graph, side by side.
        let (mut found, paths) = rayon::join(
            || risk::audit(account, source),
            || graph::paths(account, &graph::graph(account)),
        );
        match account.trust() {
            Ok(roles) => {
                for t in roles {
                    if let Some(e) = &t.error {
                        r.report
                            .errors
                            .push(format!("`{}`: trust policy not read: {e}", t.role));
                    }
                    found.extend(t.findings.iter().cloned().map(|mut f| {
                        f.location.source = source;
                        f
                    }));
                    found.extend(unknown_accounts(account, source, t, &known));
                    r.trust.push(AccountTrust {
                        account: account.origin.clone(),
                        role: t.clone(),
                    });
                }
            }
            Err(e) => r.report.errors.push(e),
        }
        found.extend(
            paths
                .iter()
                .filter_map(|p| path_finding(account, source, p)),
        );
        r.paths.extend(paths.into_iter().map(|path| AccountPath {
            account: account.origin.clone(),
            path,
        }));
        r.audited += account
            .subjects
            .iter()
            .filter(|s| s.kind != Kind::Group)
            .count();
        // Each principal's effective permissions; what principals share is computed once.
        let mut expander = opts
            .permissions
            .then(|| super::permissions::Expander::new(account));
        // The findings of each principal, grouped once (not one scan per principal).
        let mut by_principal: std::collections::HashMap<&str, Vec<&Finding>> =
            std::collections::HashMap::new();
        for f in &found {
            if let Some(p) = f.principal.as_deref() {
                by_principal.entry(p).or_default().push(f);
            }
        }
        for s in &account.subjects {
            let mine = by_principal.remove(s.label.as_str()).unwrap_or_default();
            let mut codes: Vec<String> = mine.iter().map(|f| f.code.as_str().to_string()).collect();
            codes.sort_unstable();
            codes.dedup();
            let mut policies: Vec<PolicyRef> = s
                .docs
                .iter()
                .map(|d| PolicyRef {
                    name: d.origin.clone(),
                    via: "identity policy".to_string(),
                })
                .collect();
            policies.extend(s.boundary.iter().flatten().map(|d| PolicyRef {
                name: d.origin.clone(),
                via: "permissions boundary".to_string(),
            }));
            r.principals.push(Principal {
                account: account.origin.clone(),
                principal: s.label.clone(),
                arn: s.arn.clone(),
                kind: s.kind,
                evaluated: true,
                admin: mine
                    .iter()
                    .any(|f| f.code == Code::AdminEquivalent && f.severity == Severity::Error),
                findings: mine.len(),
                codes,
                policies,
                permissions: expander
                    .as_mut()
                    .map(|e| serde_json::to_value(e.permissions(s)).unwrap_or_default()),
            });
        }
        for u in &account.unevaluated {
            let kind = Kind::of_label(&u.principal);
            r.principals.push(Principal {
                account: account.origin.clone(),
                principal: u.principal.clone(),
                arn: u.arn.clone(),
                kind,
                evaluated: false,
                admin: false,
                codes: Vec::new(),
                findings: 0,
                policies: Vec::new(),
                permissions: None,
            });
        }
        r.report.findings.append(&mut found);
    }
    // Most severe first; then by account, principal and place.
    r.report.findings.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then(a.location.source.cmp(&b.location.source))
            .then(a.principal.cmp(&b.principal))
            .then(a.location.span.start.cmp(&b.location.span.start))
            .then(a.code.cmp(&b.code))
    });
    r
}

/// Why shard results cannot be merged.
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    /// A file is not the JSON of `iamlint audit --format json`.
    #[error("{0}: not the JSON of `iamlint audit --format json` ({1})")]
    NotAudit(String, String),
}

/// A member of a part, or why it is missing or not what it should be.
fn member<'v, T: Deserialize<'v>>(
    origin: &str,
    v: &'v serde_json::Value,
    key: &str,
) -> Result<T, MergeError> {
    let m = v
        .get(key)
        .ok_or_else(|| MergeError::NotAudit(origin.to_string(), format!("no `{key}`")))?;
    T::deserialize(m).map_err(|e| MergeError::NotAudit(origin.to_string(), format!("`{key}`: {e}")))
}

/// One finding of an audit's JSON, back in the model (its place by file, line and column:
/// the dump's text is not in the JSON).
fn finding_of(origin: &str, v: &serde_json::Value, source: usize) -> Result<Finding, MergeError> {
    let bad = |what: &str| MergeError::NotAudit(origin.to_string(), format!("a finding {what}"));
    let text = |k: &str| v.get(k).and_then(serde_json::Value::as_str);
    let code = text("code")
        .and_then(Code::from_name)
        .ok_or_else(|| bad("with no code iamlint knows"))?;
    let severity = match text("severity") {
        Some("error") => Severity::Error,
        Some("warning") => Severity::Warning,
        Some("info") => Severity::Info,
        _ => return Err(bad("with no severity")),
    };
    let num = |k: &str| {
        v.get(k)
            .and_then(serde_json::Value::as_u64)
            .and_then(|n| u32::try_from(n).ok())
            .unwrap_or(0)
    };
    let mut f = Finding::new(
        code,
        source,
        crate::span::Span::default(),
        text("message").unwrap_or(""),
    )
    .severity(severity);
    f.location.file = text("file").unwrap_or("").into();
    f.location.line = num("line");
    f.location.column = num("column");
    f.principal = text("principal").map(str::to_string);
    f.statement = text("statement").map(str::to_string);
    f.action = text("action").map(str::to_string);
    f.resource = text("resource").map(str::to_string);
    f.help = text("help").map(|h| h.to_string().into());
    for r in v
        .get("related")
        .and_then(serde_json::Value::as_array)
        .into_iter()
        .flatten()
    {
        let t = |k: &str| r.get(k).and_then(serde_json::Value::as_str).unwrap_or("");
        let n = |k: &str| {
            r.get(k)
                .and_then(serde_json::Value::as_u64)
                .and_then(|n| u32::try_from(n).ok())
                .unwrap_or(0)
        };
        f.related.push(crate::finding::Related {
            message: t("message").to_string(),
            location: crate::finding::Location {
                file: t("file").into(),
                line: n("line"),
                column: n("column"),
                span: crate::span::Span::default(),
                source,
            },
        });
    }
    Ok(f)
}

/// Join the results of `iamlint audit --format json` (shards of an organization, each with
/// its accounts) into one review: `parts` are `(file, its JSON)`. An account in two parts
/// is an error of the review (shards must not overlap: its findings would count twice), as
/// is every error a part reported.
pub fn merge(parts: &[(String, serde_json::Value)]) -> Result<Review, MergeError> {
    let mut r = Review::default();
    let mut seen: Vec<(String, String)> = Vec::new();
    for (origin, v) in parts {
        if v.get("audit").is_none() {
            return Err(MergeError::NotAudit(
                origin.clone(),
                "no `audit`".to_string(),
            ));
        }
        let errors: Vec<String> = member(origin, v, "errors")?;
        let principals: Vec<Principal> = member(origin, v, "principals")?;
        let paths: Vec<AccountPath> = member(origin, v, "paths")?;
        let trust: Vec<AccountTrust> = member(origin, v, "trust")?;
        let findings: Vec<serde_json::Value> = member(origin, v, "findings")?;
        r.report.errors.extend(errors);
        // The accounts of this part, each a source.
        let mut accounts: Vec<String> = principals.iter().map(|p| p.account.clone()).collect();
        accounts.extend(findings.iter().filter_map(|f| {
            f.get("file")
                .and_then(serde_json::Value::as_str)
                .map(str::to_string)
        }));
        accounts.sort();
        accounts.dedup();
        let base = r.report.sources.len();
        for a in &accounts {
            if let Some((_, other)) = seen.iter().find(|(x, _)| x == a) {
                r.report.errors.push(format!(
                    "{a}: in both {other} and {origin}; each account once"
                ));
            }
            seen.push((a.clone(), origin.clone()));
            r.report.sources.push(crate::SourceText {
                origin: a.clone(),
                text: String::new(),
            });
        }
        for f in &findings {
            let file = f
                .get("file")
                .and_then(serde_json::Value::as_str)
                .unwrap_or("");
            let i = accounts.iter().position(|a| a == file).unwrap_or(0);
            r.report.findings.push(finding_of(origin, f, base + i)?);
        }
        r.audited += principals
            .iter()
            .filter(|p| p.evaluated && p.kind != Kind::Group)
            .count();
        r.principals.extend(principals);
        r.paths.extend(paths);
        r.trust.extend(trust);
    }
    r.report.findings.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then(a.location.source.cmp(&b.location.source))
            .then(a.principal.cmp(&b.principal))
            .then(a.location.line.cmp(&b.location.line))
            .then(a.code.cmp(&b.code))
    });
    Ok(r)
}
