//! `privilege-escalation`: the policy allows a known privilege-escalation method.
//!
//! Produced by the security checks, [`super::security`], over the whole policy, with the methods of [`super::escalation`].

use super::docs::Doc;

/// The documentation of `privilege-escalation`: `iamlint explain privilege-escalation` prints it.
pub(crate) const DOC: Doc = Doc {
    what: "A known privilege-escalation method (table below): every action it needs is allowed, without a condition, on resources its actions can act on.",
    why: "The principal can grant itself more permissions than the policy shows.",
    example: r#"{"Effect": "Allow", "Action": ["iam:CreateRole", "iam:AttachRolePolicy"], "Resource": "*"}"#,
    fix: "Scope the resources, add the condition the table names, or drop an action of the method.",
    access_analyzer: "None in policy validation.",
};
