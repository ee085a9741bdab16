//! `passrole-to-any`: `iam:PassRole` allowed on every role.
//!
//! Produced by the security checks, [`super::security`].

use super::docs::Doc;

/// The documentation of `passrole-to-any`: `iamlint explain passrole-to-any` prints it.
pub(crate) const DOC: Doc = Doc {
    what: "`iam:PassRole` allowed on `*` (or every role).",
    why: "The principal can hand any role, including administrator roles, to a service it controls.",
    example: r#"{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}"#,
    fix: "Scope it to the roles needed.",
    access_analyzer: "Pass role with star in resource (`PASS_ROLE_WITH_STAR_IN_RESOURCE`).",
};
