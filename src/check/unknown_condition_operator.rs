//! `unknown-condition-operator`: a condition operator IAM does not know.
//!
//! Produced by the condition checks, [`super::conditions`], per condition clause.

use super::docs::Doc;

/// The documentation of `unknown-condition-operator`: `iamlint explain unknown-condition-operator` prints it.
pub(crate) const DOC: Doc = Doc {
    what: "A condition operator IAM does not have, `ForAnyValue:`/`ForAllValues:` prefixes and `IfExists` suffixes understood.",
    why: "IAM rejects the policy.",
    example: r#""Condition": {"StringEqual": {"aws:username": "x"}}"#,
    fix: "Use the suggested operator.",
    access_analyzer: "Invalid condition operator.",
};
