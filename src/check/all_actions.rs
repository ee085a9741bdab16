//! `all-actions`: `Action: "*"` on a narrower resource, or with no resource.
//!
//! Produced by the security checks, [`super::security`].

use super::docs::Doc;

/// The documentation of `all-actions`: `iamlint explain all-actions` prints it.
pub(crate) const DOC: Doc = Doc {
    what: "`\"Action\": \"*\"` on a narrower resource, or with no valid resource.",
    why: "Every action of every service, including destructive and permissions-management actions, on those resources.",
    example: r#"{"Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::b/*"}"#,
    fix: "List the actions needed.",
    access_analyzer: "None.",
};
