//! `missing-field`: a required element is absent.
//!
//! Produced by the parser, [`crate::policy::parse`].

use super::docs::Doc;

/// The documentation of `missing-field`: `iamlint explain missing-field` prints it.
pub(crate) const DOC: Doc = Doc {
    what: "A required element that is absent: `Statement`; a statement's `Effect`, `Action`/`NotAction`, and in identity policies `Resource`/`NotResource`; `Principal` in a resource policy. A missing `Version` is a warning.",
    why: "IAM rejects the statement, or (for `Version`) reads policy variables as plain text.",
    example: r#"{"Effect": "Allow", "Action": "ec2:TerminateInstances"}"#,
    fix: "Add the element.",
    access_analyzer: "Missing action / effect / resource / principal / statement / version.",
};
