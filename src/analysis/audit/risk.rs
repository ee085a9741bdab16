//! Risks across a principal's policies: for every user and role of an account dump, on the
//! UNION of its identity policies (capped by its boundary, `Deny` winning), which risky
//! actions are allowed on every resource, and which known privilege-escalation methods
//! ([`crate::check::escalation::METHODS`], reused, not copied) are complete. Every verdict is
//! [`effective::decide`]'s. Groups make no request: their policies reach their users, who are
//! audited; groups themselves are skipped. Unused principals need access history: out of
//! scope offline.

use serde::Serialize;

use super::effective::{self, Access};
use super::{Account, Subject, admin};
use crate::eval::condition::Context;
use crate::eval::request::Request;

/// The risky single actions, one table: `(category, action, why)`.
pub const RISKS: &[(&str, &str, &str)] = &[
    (
        "data-exfiltration",
        "s3:GetObject",
        "reads any object of any bucket",
    ),
    (
        "data-exfiltration",
        "secretsmanager:GetSecretValue",
        "reads any secret",
    ),
    (
        "data-exfiltration",
        "ssm:GetParameter",
        "reads any parameter, SecureString included",
    ),
    (
        "data-exfiltration",
        "ssm:GetParameters",
        "reads any parameters, SecureString included",
    ),
    ("data-exfiltration", "kms:Decrypt", "decrypts with any key"),
    (
        "resource-exposure",
        "s3:PutBucketPolicy",
        "may open any bucket to anyone",
    ),
    (
        "resource-exposure",
        "kms:PutKeyPolicy",
        "may give any key to anyone",
    ),
    (
        "resource-exposure",
        "ecr:SetRepositoryPolicy",
        "may open any image repository",
    ),
    (
        "resource-exposure",
        "lambda:AddPermission",
        "may let anyone invoke any function",
    ),
    (
        "credentials-exposure",
        "iam:CreateAccessKey",
        "creates keys for any user",
    ),
    (
        "credentials-exposure",
        "iam:UpdateAccessKey",
        "re-activates any user's keys",
    ),
    (
        "credentials-exposure",
        "sts:GetFederationToken",
        "mints federated credentials",
    ),
    (
        "infrastructure-modification",
        "ec2:TerminateInstances",
        "terminates any instance",
    ),
    (
        "infrastructure-modification",
        "rds:DeleteDBInstance",
        "deletes any database",
    ),
];

/// One risk of one principal.
#[derive(Debug, Clone, Serialize)]
pub struct Risk {
    /// `user/NAME` or `role/NAME`.
    pub principal: String,
    /// Its ARN.
    pub arn: String,
    /// `admin-equivalent`, `escalation-method` or a [`RISKS`] category.
    pub code: String,
    /// The action(s), or the escalation method's name.
    pub what: String,
    /// `allowed` or `allowed if`.
    pub access: String,
    /// The condition, for `allowed if`.
    pub condition: Option<String>,
    /// The deciding statements, `file:line:col`.
    pub at: Vec<String>,
}

/// The audit of an account.
#[derive(Debug, Clone, Serialize)]
pub struct AuditResult {
    /// The principals audited.
    pub principals: usize,
    /// Every risk found, principal by principal.
    pub risks: Vec<Risk>,
    /// The principals that could not be evaluated (each an error).
    pub unevaluated: Vec<super::Unevaluated>,
}

/// Decide `action` on `*` for `s`: `None` unless allowed (or allowed if).
fn probe(
    account: &Account,
    s: &Subject,
    context: &Context,
    action: &str,
) -> Option<(Access, Option<String>, Vec<String>)> {
    let req = Request {
        action: action.to_string(),
        resource: "*".to_string(),
        context: context.clone(),
    };
    let a = effective::decide(account, s, &req).ok()?;
    if !matches!(a.access, Access::Allowed | Access::AllowedIf) {
        return None;
    }
    let at = a
        .decision
        .deciding
        .iter()
        .chain(a.decision.undecided.iter())
        .filter(|h| h.effect == "Allow")
        .map(|h| format!("{}:{}:{}", account.file_of(h), h.line, h.column))
        .collect();
    Some((a.access, a.condition, at))
}

/// Audit every user and role of `account`.
pub fn audit(account: &Account) -> AuditResult {
    let mut risks = Vec::new();
    let mut principals = 0;
    // An open context: a key no one gives may hold any value.
    let Ok(context) = effective::context(&[]) else {
        return AuditResult {
            principals,
            risks,
            unevaluated: account.unevaluated.clone(),
        };
    };
    for s in account
        .subjects
        .iter()
        .filter(|s| s.kind != super::Kind::Group)
    {
        principals += 1;
        let mut push =
            |code: &str, what: &str, access: Access, condition: Option<String>, at: Vec<String>| {
                risks.push(Risk {
                    principal: s.label.clone(),
                    arn: s.arn.clone(),
                    code: code.to_string(),
                    what: what.to_string(),
                    access: access.as_str().to_string(),
                    condition,
                    at,
                });
            };
        match admin::admin(account, s) {
            admin::Admin::Yes => push(
                "admin-equivalent",
                "may change any identity's permissions",
                Access::Allowed,
                None,
                Vec::new(),
            ),
            admin::Admin::If(c) => push(
                "admin-equivalent",
                "may change any identity's permissions",
                Access::AllowedIf,
                Some(c.join(" and ")),
                Vec::new(),
            ),
            admin::Admin::No => {}
        }
        for m in crate::check::escalation::METHODS {
            let mut all = Some((Access::Allowed, Vec::<String>::new(), Vec::<String>::new()));
            for action in m.actions {
                all = match (all, probe(account, s, &context, action)) {
                    (Some((acc, mut conds, mut at)), Some((a, c, mut h))) => {
                        conds.extend(c);
                        at.append(&mut h);
                        let acc = if a == Access::AllowedIf { a } else { acc };
                        Some((acc, conds, at))
                    }
                    _ => None,
                };
            }
            if let Some((acc, conds, at)) = all {
                // A condition on the key that defuses the method (e.g. `iam:PassedToService`
                // on the PassRole grant) restricts it: not reported.
                if m.defused_by
                    .is_some_and(|k| conds.iter().any(|c| c.contains(k)))
                {
                    continue;
                }
                let cond = (!conds.is_empty()).then(|| conds.join(" and "));
                push("escalation-method", m.name, acc, cond, at);
            }
        }
        for (code, action, _why) in RISKS {
            if let Some((acc, cond, at)) = probe(account, s, &context, action) {
                push(code, action, acc, cond, at);
            }
        }
    }
    AuditResult {
        principals,
        risks,
        unevaluated: account.unevaluated.clone(),
    }
}
