//! `policy-too-large`: a policy, or a principal's inline policies together, over IAM's size quota.
//!
//! Produced by the quota checks, [`super::quota`], per document, per account dump and per live
//! principal.

use super::docs::Doc;

/// The documentation of `policy-too-large`: `iamlint explain policy-too-large` prints it.
pub(crate) const DOC: Doc = Doc {
    what: "A policy document over IAM's size quota for its kind, counted as IAM counts it: characters without whitespace. A managed policy may have 6,144; a user's inline policies together 2,048, a group's 5,120, a role's 10,240; a service control policy 5,120; a role trust policy 2,048 by default (adjustable, so over it is a warning). The quotas are kept in `data/iam-quotas.json` with the AWS page they come from. The kind comes from where the document was found (an account dump: inline, managed or trust policy; live IAM: inline or managed); a plain file is a managed policy unless `--policy-kind` says otherwise, or a trust policy when it has a `Principal` and only `sts:AssumeRole*` actions; the kind of a plain file being a guess, over its quota is a warning. AWS managed policies (`arn:aws:iam::aws:policy/...`) are AWS's and not measured: several are larger than customers may make theirs.",
    why: "IAM refuses to save it (`LimitExceeded`), so a deployment that creates it fails.",
    example: r#"{"Version": "2012-10-17", "Statement": [ /* 7,000 characters of statements */ ]}"#,
    fix: "Remove redundant actions (wildcards that cover several), merge statements with the same resources, or split the policy into several managed policies.",
    access_analyzer: "None (IAM itself rejects the call).",
};
