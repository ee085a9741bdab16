//! `duplicate-sid`: two statements share a Sid.
//!
//! Produced by the parser, [`crate::policy::parse`].

use super::docs::Doc;

/// The documentation of `duplicate-sid`: `iamlint explain duplicate-sid` prints it.
pub(crate) const DOC: Doc = Doc {
    what: "Two statements with the same `Sid`.",
    why: "Sids must be unique within a policy; tools that address statements by Sid break.",
    example: r#"[{"Sid": "S3", ...}, {"Sid": "S3", ...}]"#,
    fix: "Rename one.",
    access_analyzer: "Duplicate Sid.",
};
