//! `resource-level-unsupported`: an action without resource-level permissions scoped to specific
//! ARNs.
//!
//! Produced by [`super::resource_mismatch`], in the same pass over actions and resources.

use super::docs::Doc;

/// The documentation of `resource-level-unsupported`: `iamlint explain resource-level-unsupported`
/// prints it.
pub(crate) const DOC: Doc = Doc {
    what: "An action that supports no resource-level permissions (the catalog lists no resource type for it: `s3:ListAllMyBuckets`, `logs:DescribeLogGroups`) in a statement that names only specific ARNs.",
    why: "AWS documents `*` for such actions. Some of these grants work in practice, so this is a warning, not an error.",
    example: r#"{"Action": "s3:ListAllMyBuckets", "Resource": "arn:aws:s3:::*"}"#,
    fix: "Move the action to a statement with `\"Resource\": \"*\"`.",
    access_analyzer: "Unsupported resource ARN in policy.",
};

