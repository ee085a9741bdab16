//! `unknown-field`: an element name IAM does not know.
//!
//! Produced by the parser, [`crate::policy::parse`].

use super::docs::Doc;

/// The documentation of `unknown-field`: `iamlint explain unknown-field` prints it.
pub(crate) const DOC: Doc = Doc {
    what: "An element name IAM does not know, such as `Resources` or `effect`. When it is close to an element the statement lacks, the values are read as that element so the checks behind it still run.",
    why: "IAM rejects the policy; a typo'd element never grants what it looks like it grants.",
    example: r#"{"Effect": "Allow", "Action": "s3:GetObject", "Resources": "arn:aws:s3:::b/*"}"#,
    fix: "Use the suggested element name.",
    access_analyzer: "Unsupported or unknown policy element (`UNSUPPORTED_ELEMENT`-style errors).",
};
