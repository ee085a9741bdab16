//! `missing-grant`: a required action on a required resource is not allowed.
//!
//! Produced by `iamlint check`'s evaluator, [`crate::eval`].

use super::docs::Doc;

/// The documentation of `missing-grant`: `iamlint explain missing-grant` prints it.
pub(crate) const DOC: Doc = Doc {
    what: "`iamlint check`: a rule requires an action on a resource, and no policy allows it (or a `Deny` wins).",
    why: "The system fails at run time with AccessDenied.",
    example: r#"rule: ec2:DescribeSpotPriceHistory on *; policy: no such grant"#,
    fix: "Add the grant (`--suggest` prints a diff).",
    access_analyzer: "Closest: CheckAccessNotGranted, inverted.",
};
