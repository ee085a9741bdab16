//! `infrastructure-modification`: a user or role of an account dump may terminate or delete infrastructure of every kind it names: any instance, any database.
//!
//! Produced by `iamlint audit` ([`crate::analysis::audit::review`]) from the risk table
//! [`crate::analysis::audit::risk::RISKS`], each action decided on the principal's union of
//! policies on a resource no statement names.

use super::docs::Doc;

/// The documentation of `infrastructure-modification`: `iamlint explain infrastructure-modification` prints it.
pub(crate) const DOC: Doc = Doc {
    what: "`iamlint audit`: a user or role whose policies together (capped by its permissions boundary, `Deny` winning) allow, on every resource, an action of the `infrastructure-modification` row of the risk table (may terminate or delete infrastructure of every kind it names: any instance, any database). Allowed only under a condition: reported as info, with the condition.",
    why: "A mistake or a stolen credential of this principal can take down every instance or database of the account.",
    example: r#"role/ci with ec2:TerminateInstances on *"#,
    fix: "Scope destructive actions to the resources the principal manages (by ARN or by tag condition).",
    access_analyzer: "None (Access Analyzer's policy checks read one policy; this is the principal's union).",
};
