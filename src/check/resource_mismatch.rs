//! `resource-mismatch`: an action that can act on none of the statement's resources, or a resource none of its actions act on.
//!
//! Produced with the resource checks, [`super::resources`], which match every action against every resource once for this code and `resource-level-unsupported`.

use super::docs::Doc;

/// The documentation of `resource-mismatch`: `iamlint explain resource-mismatch` prints it.
pub(crate) const DOC: Doc = Doc {
    what: "An action that can act on none of its statement's resources (`iam:GetInstanceProfile` on a `role/` ARN, `s3:GetObject` on a bucket ARN), or a resource that none of its statement's actions act on. Resource patterns are matched against each resource type's ARN format, wildcards and policy variables included; a statement mixing role and instance-profile ARNs for role and instance-profile actions is fine.",
    why: "The grant is dead: the access the author meant is missing.",
    example: r#"{"Action": "iam:GetInstanceProfile", "Resource": "arn:aws:iam::*:role/app*"}"#,
    fix: "Scope the action to the resource types the message names, or move it to a statement that does.",
    access_analyzer: "Unsupported resource ARN in policy (warning there); none of Access Analyzer's checks matches actions to resource types per statement.",
};
