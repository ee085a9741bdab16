//! `escalation-path`: a user or role of an account dump that is not admin-equivalent can
//! become one, step by step (assume a role, pass a role to a service it drives, create keys
//! for a user, rewrite a trust policy, grant itself).
//!
//! Produced by `iamlint audit` from [`crate::analysis::audit::graph::paths`].

use super::docs::Doc;

/// The documentation of `escalation-path`: `iamlint explain escalation-path` prints it.
pub(crate) const DOC: Doc = Doc {
    what: "`iamlint audit`: the shortest chain of \"can become\" steps from a principal that is not admin-equivalent to one that is (or to every permission). Each step names the permission that allows it and the statement that grants it; an assume step needs both the caller's permission and the role's trust policy.",
    why: "The principal is an administrator in all but name: whoever holds its credentials reaches every permission of the account in a few calls.",
    example: "user/dev -> sts:AssumeRole -> role/deployer -> iam:PassRole + lambda:CreateFunction -> role/admin",
    fix: "Break the weakest step: narrow the trust policy or the `sts:AssumeRole` grant, add `iam:PassedToService` and scope `iam:PassRole` to the roles the service needs, or take the IAM write away.",
    access_analyzer: "None (Access Analyzer does not follow chains of principals).",
};
