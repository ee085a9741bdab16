//! `missing-condition`: a grant lacks the condition the rule requires.
//!
//! Produced by `iamlint check`'s evaluator, [`crate::eval`].

use super::docs::Doc;

/// The documentation of `missing-condition`: `iamlint explain missing-condition` prints it.
pub(crate) const DOC: Doc = Doc {
    what: "`iamlint check`: the rule requires a condition on a grant (e.g. `aws:ResourceTag/dstack_bucket` on `ec2:TerminateInstances`), and the grant lacks it.",
    why: "The grant reaches resources the system does not own.",
    example: r#"rule: ec2:TerminateInstances if aws:ResourceTag/dstack_bucket = b"#,
    fix: "Add the condition.",
    access_analyzer: "None.",
};
