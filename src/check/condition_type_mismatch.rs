//! `condition-type-mismatch`: a numeric, date, Boolean, IP or ARN operator on a condition key of another type.
//!
//! Produced by the condition checks, [`super::conditions`], per condition clause.

use super::docs::Doc;

/// The documentation of `condition-type-mismatch`: `iamlint explain condition-type-mismatch` prints it.
pub(crate) const DOC: Doc = Doc {
    what: "A numeric, date, Boolean, IP or ARN operator on a condition key whose type in the catalog (AWS's Service Authorization Reference and global key page) is another: `DateGreaterThan` on the String key `aws:username`, `Bool` on the Date key `aws:TokenIssueTime`. String operators read any key as text and are not flagged; ARN operators on String keys are not flagged either (tags and encryption-context keys often hold ARNs), nor numeric operators on date keys (epoch seconds).",
    why: "IAM cannot read the key's value as the operator's type, so the condition never matches (with a `Not` operator, always).",
    example: r#""Condition": {"DateGreaterThan": {"aws:username": "2026-01-01"}}"#,
    fix: "Use an operator of the key's type (the help line names it), or the key you meant.",
    access_analyzer: "Type mismatch.",
};
