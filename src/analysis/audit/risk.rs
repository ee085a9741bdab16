//! Risks across a principal's policies: for every user and role of an account dump, on the
//! UNION of its identity policies (capped by its boundary, `Deny` winning), which risky
//! actions are allowed on every resource, and which known privilege-escalation methods
//! ([`crate::check::escalation::METHODS`], reused, not copied) are complete. Every verdict is
//! [`effective::decide`]'s. Groups make no request: their policies reach their users, who are
//! audited; groups themselves are skipped. Unused principals need access history: out of
//! scope offline.

use super::effective::{self, Access};
use super::{Account, Subject, admin};
use crate::eval::condition::Context;
use crate::eval::request::{Hit, Request};
use crate::finding::{Code, Finding, Severity};

/// The risky single actions, one table: `(finding code, action, why)`. Each is decided on a
/// resource no statement names ([`probe_resource`]), so only a grant on every resource of
/// its kind counts.
pub const RISKS: &[(Code, &str, &str)] = &[
    (
        Code::DataExfiltration,
        "s3:GetObject",
        "reads any object of any bucket",
    ),
    (
        Code::DataExfiltration,
        "secretsmanager:GetSecretValue",
        "reads any secret",
    ),
    (
        Code::DataExfiltration,
        "ssm:GetParameter",
        "reads any parameter, SecureString included",
    ),
    (
        Code::DataExfiltration,
        "ssm:GetParameters",
        "reads any parameters, SecureString included",
    ),
    (
        Code::DataExfiltration,
        "kms:Decrypt",
        "decrypts with any key",
    ),
    (
        Code::ResourceExposure,
        "s3:PutBucketPolicy",
        "may open any bucket to anyone",
    ),
    (
        Code::ResourceExposure,
        "kms:PutKeyPolicy",
        "may give any key to anyone",
    ),
    (
        Code::ResourceExposure,
        "ecr:SetRepositoryPolicy",
        "may open any image repository",
    ),
    (
        Code::ResourceExposure,
        "lambda:AddPermission",
        "may let anyone invoke any function",
    ),
    (
        Code::CredentialsExposure,
        "iam:CreateAccessKey",
        "creates keys for any user",
    ),
    (
        Code::CredentialsExposure,
        "iam:UpdateAccessKey",
        "re-activates any user's keys",
    ),
    (
        Code::CredentialsExposure,
        "sts:GetFederationToken",
        "mints federated credentials",
    ),
    (
        Code::InfrastructureModification,
        "ec2:TerminateInstances",
        "terminates any instance",
    ),
    (
        Code::InfrastructureModification,
        "rds:DeleteDBInstance",
        "deletes any database",
    ),
];

/// The name no policy uses: a grant that reaches it reaches every resource of its kind.
const ANY: &str = "iamlint-any-resource-7f3a";

/// A resource of `action` that no statement names: the ARN format of the action's resource
/// type (from the catalog; its first required one) in the subject's partition and account,
/// every other part [`ANY`]. A grant on `*`, on `arn:aws:iam::ACCOUNT:user/*` or on
/// `arn:aws:s3:::*/*` reaches it; one scoped to named resources does not. `*` for an action
/// that takes no resource type.
pub(crate) fn probe_resource(s: &Subject, action: &str) -> String {
    let Some(a) = crate::catalog::get().action_by_full_name(action) else {
        return "*".to_string();
    };
    let mut types: Vec<_> = a.resource_types().collect();
    types.sort_by_key(|(_, required)| !required);
    let Some(format) = types.first().and_then(|(t, _)| t.arns.first()) else {
        return "*".to_string();
    };
    let mut parts = s.arn.splitn(6, ':');
    let partition = parts.nth(1).unwrap_or("aws");
    let account = parts.nth(2).unwrap_or("123456789012");
    // Each `${Var}`: the partition, the account, else a name no statement uses.
    let mut out = String::with_capacity(format.len() + 32);
    let mut rest: &str = format;
    while let Some(i) = rest.find("${") {
        out.push_str(rest.get(..i).unwrap_or(""));
        let after = rest.get(i + 2..).unwrap_or("");
        let Some(j) = after.find('}') else {
            break;
        };
        out.push_str(match after.get(..j).unwrap_or("") {
            "Partition" => partition,
            "Account" => account,
            _ => ANY,
        });
        rest = after.get(j + 1..).unwrap_or("");
    }
    out.push_str(rest);
    out
}

/// Decide `action` on a resource no statement names ([`probe_resource`]) for `s`: `None`
/// unless allowed (or allowed if); else the access, its condition and the `Allow`
/// statements that grant it.
fn probe(
    account: &Account,
    s: &Subject,
    context: &Context,
    action: &str,
) -> Option<(Access, Option<String>, Vec<Hit>)> {
    let req = Request {
        action: action.to_string(),
        resource: probe_resource(s, action),
        context: context.clone(),
    };
    let a = effective::decide(account, s, &req).ok()?;
    if !matches!(a.access, Access::Allowed | Access::AllowedIf) {
        return None;
    }
    let hits = a
        .decision
        .deciding
        .into_iter()
        .chain(a.decision.undecided)
        .filter(|h| h.effect == "Allow")
        .collect();
    Some((a.access, a.condition, hits))
}

/// A finding of the audit about `s`, located at the first of `hits` the dump holds (else at
/// the principal's entry), the other statements as related locations, those of the
/// embedded snapshot (AWS managed policies the dump does not copy) in the help.
pub(crate) fn finding(
    account: &Account,
    source: usize,
    code: Code,
    s: &Subject,
    message: String,
    hits: &[Hit],
) -> Finding {
    let mut in_dump = Vec::new();
    let mut elsewhere = Vec::new();
    for h in hits {
        match account.span_at(account.file_of(h), h.line, h.column) {
            Some(span) if !in_dump.iter().any(|(sp, _)| *sp == span) => in_dump.push((span, h)),
            Some(_) => {}
            None => elsewhere.push(format!(
                "{} statement {} ({}:{}:{})",
                h.policy,
                h.statement,
                account.file_of(h),
                h.line,
                h.column
            )),
        }
    }
    let span = in_dump.first().map_or(s.at, |(sp, _)| *sp);
    let mut f = Finding::new(code, source, span, message).principal(s.label.clone());
    if let Some((_, h)) = in_dump.first() {
        f = f.statement(Some(format!("{} {}", h.policy, h.statement)));
    }
    for (sp, h) in in_dump.iter().skip(1) {
        f = f.related(
            format!("also from {} statement {}", h.policy, h.statement),
            *sp,
        );
    }
    if !elsewhere.is_empty() {
        elsewhere.sort();
        elsewhere.dedup();
        f = f.help(format!("from {}", elsewhere.join(", ")));
    }
    locate_all(account, &mut f);
    f
}

/// Fill in the file, line and column of a finding (and its related places) from its span.
pub(crate) fn locate_all(account: &Account, f: &mut Finding) {
    for loc in std::iter::once(&mut f.location).chain(f.related.iter_mut().map(|r| &mut r.location))
    {
        let (line, column) = account.line_col(loc.span.start);
        loc.file = account.origin.as_str().into();
        loc.line = line;
        loc.column = column;
    }
}

/// `" if <condition>"`, or nothing.
fn if_(condition: Option<&str>) -> String {
    condition.map(|c| format!(" if {c}")).unwrap_or_default()
}

/// The risks of every user and role of `account`, as findings into `source` (the dump's
/// index in the report's sources). Groups make no request: their policies reach their
/// users, who are audited.
pub fn audit(account: &Account, source: usize) -> Vec<Finding> {
    use rayon::prelude::*;
    // An open context: a key no one gives may hold any value.
    let Ok(context) = effective::context(&[]) else {
        return Vec::new();
    };
    // Principal by principal, on every core; the findings in dump order.
    account
        .subjects
        .par_iter()
        .filter(|s| s.kind != super::Kind::Group)
        .flat_map_iter(|s| of_subject(account, source, &context, s))
        .collect()
}

/// The risks of one user or role.
fn of_subject(account: &Account, source: usize, context: &Context, s: &Subject) -> Vec<Finding> {
    let mut out = Vec::new();
    {
        let who = &s.label;
        let (admin, hits) = admin::admin_at(account, s);
        match &admin {
            admin::Admin::Yes => out.push(finding(
                account,
                source,
                Code::AdminEquivalent,
                s,
                format!(
                    "`{who}` may change any identity's permissions, so it can grant itself anything"
                ),
                &hits,
            )),
            admin::Admin::If(c) => out.push(
                finding(
                    account,
                    source,
                    Code::AdminEquivalent,
                    s,
                    format!(
                        "`{who}` may change any identity's permissions if {}",
                        c.join(" and ")
                    ),
                    &hits,
                )
                .severity(Severity::Warning),
            ),
            admin::Admin::No => {}
        }
        // An administrator needs no escalation: its methods would only repeat it (for one
        // under a condition, the methods under no other condition).
        let admin_if: &[String] = match &admin {
            admin::Admin::If(c) => c,
            _ => &[],
        };
        if admin != admin::Admin::Yes {
            for m in crate::check::escalation::METHODS {
                let mut all = Some((Access::Allowed, Vec::<String>::new(), Vec::<Hit>::new()));
                for action in m.actions {
                    all = match (all, probe(account, s, context, action)) {
                        (Some((acc, mut conds, mut at)), Some((a, c, mut h))) => {
                            conds.extend(c);
                            at.append(&mut h);
                            let acc = if a == Access::AllowedIf { a } else { acc };
                            Some((acc, conds, at))
                        }
                        _ => None,
                    };
                }
                let Some((acc, mut conds, hits)) = all else {
                    continue;
                };
                conds.sort();
                conds.dedup();
                if !admin_if.is_empty() && conds.iter().all(|c| admin_if.contains(c)) {
                    continue;
                }
                // A condition on the key that defuses the method (e.g. `iam:PassedToService`
                // on the PassRole grant) restricts it: not reported.
                if m.defused_by
                    .is_some_and(|k| conds.iter().any(|c| c.contains(k)))
                {
                    continue;
                }
                let cond = (!conds.is_empty()).then(|| conds.join(" and "));
                let sev = if acc == Access::AllowedIf {
                    Severity::Warning
                } else {
                    Severity::Error
                };
                out.push(
                    finding(
                        account,
                        source,
                        Code::PrivilegeEscalation,
                        s,
                        format!(
                            "`{who}` can escalate its privileges: {} ({}){}",
                            m.name,
                            m.actions.join(" + "),
                            if_(cond.as_deref())
                        ),
                        &hits,
                    )
                    .severity(sev),
                );
            }
        }
        for (code, action, why) in RISKS {
            let Some((acc, cond, hits)) = probe(account, s, context, action) else {
                continue;
            };
            let mut f = finding(
                account,
                source,
                *code,
                s,
                format!(
                    "`{who}` is allowed `{action}` on every resource: {why}{}",
                    if_(cond.as_deref())
                ),
                &hits,
            )
            .action(*action)
            .resource("*");
            if acc == Access::AllowedIf {
                f = f.severity(Severity::Info);
            }
            out.push(f);
        }
    }
    out
}
