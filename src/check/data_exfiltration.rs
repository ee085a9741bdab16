//! `data-exfiltration`: a user or role of an account dump reads data of every resource of a kind: any object, secret, parameter, or decrypts with any key.
//!
//! Produced by `iamlint audit` ([`crate::analysis::audit::review`]) from the risk table
//! [`crate::analysis::audit::risk::RISKS`], each action decided on the principal's union of
//! policies on a resource no statement names.

use super::docs::Doc;

/// The documentation of `data-exfiltration`: `iamlint explain data-exfiltration` prints it.
pub(crate) const DOC: Doc = Doc {
    what: "`iamlint audit`: a user or role whose policies together (capped by its permissions boundary, `Deny` winning) allow, on every resource, an action of the `data-exfiltration` row of the risk table (reads data of every resource of a kind: any object, secret, parameter, or decrypts with any key). Allowed only under a condition: reported as info, with the condition.",
    why: "The principal can read (and take out of the account) every S3 object, secret, SSM parameter or KMS-encrypted value it can reach, not only those of its workload.",
    example: r#"user/analyst with s3:GetObject on *"#,
    fix: "Scope the read to the buckets, secrets, parameters or keys the principal needs, by ARN.",
    access_analyzer: "None (Access Analyzer's policy checks read one policy; this is the principal's union).",
};
