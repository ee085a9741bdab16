//! `passrole-any-service`: `iam:PassRole` without an `iam:PassedToService` condition.
//!
//! Produced by the security checks, [`super::security`].

use super::docs::Doc;

/// The documentation of `passrole-any-service`: `iamlint explain passrole-any-service` prints it.
pub(crate) const DOC: Doc = Doc {
    what: "`iam:PassRole` with no `iam:PassedToService` condition.",
    why: "The role can be passed to any service, not only the one meant.",
    example: r#"{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam::1:role/app"}"#,
    fix: "Add `iam:PassedToService` naming the service.",
    access_analyzer: "None.",
};
