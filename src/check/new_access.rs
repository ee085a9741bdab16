//! `new-access`: a policy change grants access the old version did not.
//!
//! Produced by `iamlint diff` ([`crate::analysis::diff`]).

use super::docs::Doc;

/// The documentation of `new-access`: `iamlint explain new-access` prints it.
pub(crate) const DOC: Doc = Doc {
    what: "`iamlint diff`: the new side allows an (action, resource) under conditions the old side did not: a new action or wildcard, a wider resource, a removed condition, or a removed `Deny`. Actions are compared after the catalog expands wildcards and `NotAction`, resources as ARN patterns; a new resource that only several old ones together cover, or a grant under a new conditional `Deny`, is reported too (whether the `Deny` applies is not known offline).",
    why: "It is what a reviewer must see before approving an IAM change; a gate on pull requests fails on it unless the access is inside a rule set the team allows (`--allow-rules`).",
    example: r#"old: s3:GetObject on arn:aws:s3:::b/*; new: s3:*Object on arn:aws:s3:::b/* (adds s3:PutObject, s3:DeleteObject, ...)"#,
    fix: "Drop the access if it is not needed; if it is, approve it, or state it in a rule set and pass `--allow-rules`.",
    access_analyzer: "CheckNoNewAccess (offline, on the catalog-expanded actions).",
};
