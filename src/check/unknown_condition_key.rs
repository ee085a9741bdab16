//! `unknown-condition-key`: a condition key neither global nor listed for its service.
//!
//! Produced by the condition checks, [`super::conditions`], per condition clause.

use super::docs::Doc;

/// The documentation of `unknown-condition-key`: `iamlint explain unknown-condition-key` prints it.
pub(crate) const DOC: Doc = Doc {
    what: "A condition key that is neither a global key (`aws:...`, from the AWS global condition key page) nor listed for its service.",
    why: "A condition on a key that never exists is never true (or, with `...IfExists`, always).",
    example: r#""Condition": {"StringEquals": {"aws:ResourceTags/team": "x"}}"#,
    fix: "Use the suggested key.",
    access_analyzer: "Invalid global condition key / invalid service condition key.",
};
