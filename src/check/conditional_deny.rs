//! `conditional-deny`: a required action is denied under a condition the request context does not
//! decide.
//!
//! Produced by `iamlint check`'s evaluator, [`crate::eval`].

use super::docs::Doc;

/// The documentation of `conditional-deny`: `iamlint explain conditional-deny` prints it.
pub(crate) const DOC: Doc = Doc {
    what: "`iamlint check`: a `Deny` with a condition would deny a required action (or a permissions boundary allows it only under a condition), and the request context given with `--context` does not decide the condition. Without `--context`, every such `Deny` is reported here instead of being ignored.",
    why: "Whether the system works depends on the request: `aws:MultiFactorAuthPresent`, `aws:RequestedRegion` and the like decide between allowed and denied.",
    example: r#"rule: ec2:RunInstances; policy: Deny * if Bool aws:MultiFactorAuthPresent = false"#,
    fix: "Give the request context (`--context aws:MultiFactorAuthPresent=true`) to decide it; `iamlint can` decides one request.",
    access_analyzer: "None.",
};
