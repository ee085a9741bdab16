//! Admin-equivalent principals: a principal is admin-equivalent when it may change any
//! identity's permissions, because with that it can grant itself anything. It is asked, with
//! the same evaluator as every other answer ([`super::effective::decide`]), for each of
//! [`PROBES`] on a role, user or policy of its account that no policy names (so only a grant
//! on every role, user or policy counts), after Deny and the permissions boundary.

use super::effective::{self, Access};
use super::{Account, Subject};
use crate::eval::request::{Hit, Request};

/// The requests that make a principal admin-equivalent when all are allowed, with the kind
/// of resource each acts on: writing or attaching a policy to any role or user, a new
/// version of any managed policy, and any role's trust policy.
pub const PROBES: &[(&str, &str)] = &[
    ("iam:PutRolePolicy", "role"),
    ("iam:AttachRolePolicy", "role"),
    ("iam:PutUserPolicy", "user"),
    ("iam:AttachUserPolicy", "user"),
    ("iam:CreatePolicyVersion", "policy"),
    ("iam:UpdateAssumeRolePolicy", "role"),
];

/// The name no policy uses: a grant that reaches it reaches every role, user or policy.
const ANY: &str = "iamlint-any-identity-7f3a";

/// Is the principal admin-equivalent?
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Admin {
    /// Yes, whatever the request context.
    Yes,
    /// Only when these conditions hold (one per probe that is conditional).
    If(Vec<String>),
    /// No.
    No,
}

/// The ARN of `kind`/[`ANY`] in the subject's account and partition.
fn probe_arn(subject: &Subject, kind: &str) -> String {
    let mut parts = subject.arn.splitn(6, ':');
    let partition = parts.nth(1).unwrap_or("aws");
    let account = parts.nth(2).unwrap_or("123456789012");
    format!("arn:{partition}:iam::{account}:{kind}/{ANY}")
}

/// Whether `subject` is admin-equivalent.
pub fn admin(account: &Account, subject: &Subject) -> Admin {
    admin_at(account, subject).0
}

/// Whether `subject` is admin-equivalent, with the `Allow` statements that make it so (each
/// once, in probe order).
pub fn admin_at(account: &Account, subject: &Subject) -> (Admin, Vec<Hit>) {
    let mut conditions = Vec::new();
    let mut hits: Vec<Hit> = Vec::new();
    // An open context: a key no one gives may hold any value.
    let Ok(context) = effective::context(&[]) else {
        return (Admin::No, hits);
    };
    for (action, kind) in PROBES {
        let req = Request {
            action: (*action).to_string(),
            resource: probe_arn(subject, kind),
            context: context.clone(),
        };
        let a = match effective::decide(account, subject, &req) {
            Ok(a) if matches!(a.access, Access::Allowed | Access::AllowedIf) => a,
            _ => return (Admin::No, Vec::new()),
        };
        if let Some(c) = &a.condition {
            if !conditions.contains(c) {
                conditions.push(c.clone());
            }
        }
        for h in a.decision.deciding.iter().chain(&a.decision.undecided) {
            let seen = hits
                .iter()
                .any(|k| k.policy == h.policy && k.line == h.line && k.column == h.column);
            if h.effect == "Allow" && !seen {
                hits.push(h.clone());
            }
        }
    }
    let verdict = if conditions.is_empty() {
        Admin::Yes
    } else {
        Admin::If(conditions)
    };
    (verdict, hits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fixture_account_admins_and_near_misses() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/audit/moto-account.json"
        );
        let account = Account::read(path).unwrap();
        let of = |label: &str| {
            let s = account.subjects.iter().find(|s| s.label == label).unwrap();
            admin(&account, s)
        };
        assert_eq!(of("user/admin-alice"), Admin::Yes);
        assert_eq!(of("user/admin-by-group"), Admin::Yes);
        assert_eq!(of("role/admin-role"), Admin::Yes);
        // A Deny of iam:* beats the group's AdministratorAccess.
        assert_eq!(of("user/near-denied-admin"), Admin::No);
        // A boundary of S3 reads caps AdministratorAccess.
        assert_eq!(of("role/near-bounded-admin"), Admin::No);
        // `*` only with MFA: admin if that holds.
        assert!(
            matches!(of("user/near-mfa-admin"), Admin::If(c) if c[0].contains("aws:MultiFactorAuthPresent"))
        );
        // Attaching a policy to itself only is an escalation step, not admin.
        assert_eq!(of("user/esc-attach-self"), Admin::No);
        assert_eq!(of("user/dev-plain"), Admin::No);
    }
}
