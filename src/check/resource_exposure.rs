//! `resource-exposure`: a user or role of an account dump may change the resource policy of every resource of a kind: a bucket, key, repository or function policy.
//!
//! Produced by `iamlint audit` ([`crate::analysis::audit::review`]) from the risk table
//! [`crate::analysis::audit::risk::RISKS`], each action decided on the principal's union of
//! policies on a resource no statement names.

use super::docs::Doc;

/// The documentation of `resource-exposure`: `iamlint explain resource-exposure` prints it.
pub(crate) const DOC: Doc = Doc {
    what: "`iamlint audit`: a user or role whose policies together (capped by its permissions boundary, `Deny` winning) allow, on every resource, an action of the `resource-exposure` row of the risk table (may change the resource policy of every resource of a kind: a bucket, key, repository or function policy). Allowed only under a condition: reported as info, with the condition.",
    why: "With it the principal can open any bucket, key, image repository or function to another account, or to anyone, without changing any IAM policy.",
    example: r#"role/deployer with s3:PutBucketPolicy on *"#,
    fix: "Scope the policy-changing action to the resources the principal owns, or deny it with a condition on who may be granted access.",
    access_analyzer: "None (Access Analyzer's policy checks read one policy; this is the principal's union).",
};
