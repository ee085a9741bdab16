//! `allow-not-action`: `Allow` with `NotAction` grants everything not listed.
//!
//! Produced by the security checks, [`super::security`].

use super::docs::Doc;

/// The documentation of `allow-not-action`: `iamlint explain allow-not-action` prints it.
pub(crate) const DOC: Doc = Doc {
    what: "`Allow` with `NotAction`.",
    why: "Grants every action not listed, including actions AWS adds later.",
    example: r#"{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}"#,
    fix: "List the actions with `Action`.",
    access_analyzer: "Allow with NotAction (security warning).",
};
