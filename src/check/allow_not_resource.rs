//! `allow-not-resource`: `Allow` with `NotResource` grants on everything not listed.
//!
//! Produced by the security checks, [`super::security`].

use super::docs::Doc;

/// The documentation of `allow-not-resource`: `iamlint explain allow-not-resource` prints it.
pub(crate) const DOC: Doc = Doc {
    what: "`Allow` with `NotResource`.",
    why: "Grants on every resource not listed, including ones created later.",
    example: r#"{"Effect": "Allow", "Action": "s3:*", "NotResource": "arn:aws:s3:::secret/*"}"#,
    fix: "List the resources with `Resource`.",
    access_analyzer: "Allow with NotResource (security warning).",
};
