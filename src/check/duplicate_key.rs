//! `duplicate-key`: a key occurs twice in one object; IAM keeps the last.
//!
//! Produced by the parser, [`crate::policy::parse`], from the keys the JSON reader kept.

use super::docs::Doc;

/// The documentation of `duplicate-key`: `iamlint explain duplicate-key` prints it.
pub(crate) const DOC: Doc = Doc {
    what: "A key that occurs twice in one JSON object.",
    why: "IAM keeps the last occurrence and silently drops the first, so a reviewer reads a policy that is not the one in force.",
    example: r#"{"Effect": "Deny", "Effect": "Allow", "Action": "*", "Resource": "*"}"#,
    fix: "Merge the two values or remove one.",
    access_analyzer: "None: Access Analyzer parses the document as IAM does.",
};
