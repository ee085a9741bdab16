//! `removed-access`: a policy change takes away access the old version granted.
//!
//! Produced by `iamlint diff` ([`crate::analysis::diff`]).

use super::docs::Doc;

/// The documentation of `removed-access`: `iamlint explain removed-access` prints it.
pub(crate) const DOC: Doc = Doc {
    what: "`iamlint diff`: the old side allowed an (action, resource) that the new side does not: an action dropped, a resource narrowed, a condition added, or a `Deny` added.",
    why: "Removing access is safe for security but can break a system that used it: worth a look before it ships.",
    example: r#"old: s3:* on arn:aws:s3:::b/*; new: s3:GetObject on arn:aws:s3:::b/*"#,
    fix: "Nothing if the access is not needed; otherwise put it back.",
    access_analyzer: "None (CheckNoNewAccess with the sides swapped).",
};
