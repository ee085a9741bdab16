//! `json-syntax`: the text is not valid JSON.
//!
//! Produced where a document is read: [`crate::policy::json`] fails, and [`crate::analysis`] turns
//! the error into this finding.

use super::docs::Doc;

/// The documentation of `json-syntax`: `iamlint explain json-syntax` prints it.
pub(crate) const DOC: Doc = Doc {
    what: "Text that is not JSON: a missing comma, a trailing comma, an unterminated string, nesting deeper than 128 levels, an empty file. A number with a leading zero (`012345678901`, an account id left unquoted) is reported where it stands, and the rest of the document is still checked.",
    why: "IAM rejects the document; no other check can run on it.",
    example: r#"{"Version": "2012-10-17", "Statement": [],}"#,
    fix: "Correct the JSON at the reported line and column.",
    access_analyzer: "JSON syntax error (`JSON_SYNTAX_ERROR`).",
};
