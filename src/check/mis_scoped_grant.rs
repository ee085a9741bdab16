//! `mis-scoped-grant`: a required action is allowed, but on other resources than the rule needs.
//!
//! Produced by `iamlint check`'s evaluator, [`crate::eval`].

use super::docs::Doc;

/// The documentation of `mis-scoped-grant`: `iamlint explain mis-scoped-grant` prints it.
pub(crate) const DOC: Doc = Doc {
    what: "`iamlint check`: a required action is allowed, but on other resources than the rule needs: too broad (warning) or beside the point, so the required access is missing (error).",
    why: "Too broad grants more than needed; beside the point fails at run time.",
    example: r#"rule: iam:PassRole on role/skypilot-v1; policy: iam:PassRole on *"#,
    fix: "Scope the grant to the resources the message names.",
    access_analyzer: "None.",
};
