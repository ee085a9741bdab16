//! `too-many-attached-policies`: more managed policies attached to a principal than IAM's default
//! quota.
//!
//! Produced by the quota checks, [`super::quota`], per account dump and per live principal.

use super::docs::Doc;

/// The documentation of `too-many-attached-policies`: `iamlint explain too-many-attached-policies`
/// prints it.
pub(crate) const DOC: Doc = Doc {
    what: "A user, group or role of an account dump with more managed policies attached than IAM's default quota of 10 (kept in `data/iam-quotas.json`).",
    why: "Attaching another one fails unless the account's quota was raised through Service Quotas; a dump over the default shows an account that did, or one about to fail.",
    example: r#"{"RoleDetailList": [{"RoleName": "ci", "AttachedManagedPolicies": [ /* 11 policies */ ]}]}"#,
    fix: "Merge policies into fewer customer managed policies, or raise the quota.",
    access_analyzer: "None.",
};
