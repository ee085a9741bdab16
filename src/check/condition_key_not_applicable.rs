//! `condition-key-not-applicable`: a service condition key that none of the statement's actions
//! carry.
//!
//! Produced by [`super::unknown_condition_key`], per condition clause, once the key is known to
//! the catalog.

use super::docs::Doc;

/// The documentation of `condition-key-not-applicable`: `iamlint explain
/// condition-key-not-applicable` prints it.
pub(crate) const DOC: Doc = Doc {
    what: "A service condition key that none of the statement's actions, nor their resource types, carry.",
    why: "The request context of those actions never holds the key: with a positive operator the grant is dead.",
    example: r#"{"Action": "s3:GetObject", "Condition": {"StringEquals": {"ec2:InstanceType": "t3.micro"}}}"#,
    fix: "Use a key the actions support (`iamlint catalog action` lists them), or split the statement.",
    access_analyzer: "Unsupported action for condition key / unsupported service for condition key.",
};

