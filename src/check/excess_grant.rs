//! `excess-grant`: an action allowed that no rule requires.
//!
//! Produced by `iamlint check`'s evaluator, [`crate::eval`].

use super::docs::Doc;

/// The documentation of `excess-grant`: `iamlint explain excess-grant` prints it.
pub(crate) const DOC: Doc = Doc {
    what: "`iamlint check`: an action allowed that no rule of the rule set requires.",
    why: "Least privilege: access nobody needs is access an attacker can use.",
    example: r#"rule: s3:GetObject on the bucket; policy: s3:* on the bucket"#,
    fix: "Remove it, or narrow the wildcard to the actions required.",
    access_analyzer: "None.",
};
