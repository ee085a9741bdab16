//! `admin-equivalent`: a user or role of an account dump may change any identity's
//! permissions, so it can grant itself anything.
//!
//! Produced by `iamlint audit` ([`crate::analysis::audit::review`]), on the principal's
//! union of policies ([`crate::analysis::audit::admin`]).

use super::docs::Doc;

/// The documentation of `admin-equivalent`: `iamlint explain admin-equivalent` prints it.
pub(crate) const DOC: Doc = Doc {
    what: "`iamlint audit`: a user or role whose policies together (inline, attached, its groups', capped by its permissions boundary, `Deny` winning) allow writing or attaching a policy to any role and any user, a new version of any managed policy, and any role's trust policy. Each is asked of the evaluator on a role, user or policy no statement names, so only grants on every one count.",
    why: "With those permissions the principal can grant itself, or a role it can assume, every permission of the account: it is an administrator whatever its policies are called.",
    example: r#"user/ci with "iam:*" on "*" from a customer managed policy and no boundary"#,
    fix: "Take `iam:Put*Policy`, `iam:Attach*Policy`, `iam:CreatePolicyVersion` and `iam:UpdateAssumeRolePolicy` on `*` away, scope them to the roles the principal manages, or cap it with a permissions boundary.",
    access_analyzer: "None (Access Analyzer reports external and unused access, not administrator equivalence).",
};
