//! `conditional-grant`: a required action is allowed only under a condition the rule does not
//! require.
//!
//! Produced by `iamlint check`'s evaluator, [`crate::eval`].

use super::docs::Doc;

/// The documentation of `conditional-grant`: `iamlint explain conditional-grant` prints it.
pub(crate) const DOC: Doc = Doc {
    what: "`iamlint check`: a required action is allowed only under a condition the rule does not require.",
    why: "Whether the system works depends on request context iamlint cannot see.",
    example: r#"rule: s3:GetObject; policy: s3:GetObject if aws:SourceIp = 10.0.0.0/8"#,
    fix: "Check that the condition holds where the system runs, or drop it.",
    access_analyzer: "None.",
};
