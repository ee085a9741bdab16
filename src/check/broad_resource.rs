//! `broad-resource`: a write or permissions-management action that supports resource-level permissions granted on `*` without a condition.
//!
//! Produced by the security checks, [`super::security`].

use super::docs::Doc;

/// The documentation of `broad-resource`: `iamlint explain broad-resource` prints it.
pub(crate) const DOC: Doc = Doc {
    what: "A Write, Tagging or Permissions-management action that supports resource-level permissions, allowed on `*` without a condition.",
    why: "It could be scoped; on `*` it reaches every resource of its type in the account.",
    example: r#"{"Effect": "Allow", "Action": "ec2:TerminateInstances", "Resource": "*"}"#,
    fix: "Scope it to the resource types the help line names, or add a tag condition.",
    access_analyzer: "None.",
};
