//! `credentials-exposure`: a user or role of an account dump may mint or re-enable credentials: access keys of any user, federation tokens.
//!
//! Produced by `iamlint audit` ([`crate::analysis::audit::review`]) from the risk table
//! [`crate::analysis::audit::risk::RISKS`], each action decided on the principal's union of
//! policies on a resource no statement names.

use super::docs::Doc;

/// The documentation of `credentials-exposure`: `iamlint explain credentials-exposure` prints it.
pub(crate) const DOC: Doc = Doc {
    what: "`iamlint audit`: a user or role whose policies together (capped by its permissions boundary, `Deny` winning) allow, on every resource, an action of the `credentials-exposure` row of the risk table (may mint or re-enable credentials: access keys of any user, federation tokens). Allowed only under a condition: reported as info, with the condition.",
    why: "The principal can create long-lived keys for another user (and act as it), or mint federated credentials.",
    example: r#"user/ops with iam:CreateAccessKey on *"#,
    fix: "Scope key creation to the principal itself (`arn:aws:iam::ACCOUNT:user/${aws:username}`), or remove it.",
    access_analyzer: "None (Access Analyzer's policy checks read one policy; this is the principal's union).",
};
