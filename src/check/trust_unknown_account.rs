//! `trust-unknown-account`: a role's trust policy lets a principal of another AWS account
//! assume it, and that account is not one the audit knows.
//!
//! Produced by `iamlint audit` ([`crate::analysis::audit::review`]) from the trust
//! relationships of [`crate::analysis::audit::trust`]. Known: the accounts of the dumps
//! audited together, and those given with `--known-account`.

use super::docs::Doc;

/// The documentation of `trust-unknown-account`: `iamlint explain trust-unknown-account` prints it.
pub(crate) const DOC: Doc = Doc {
    what: "`iamlint audit`: an `Allow` of a role's trust policy names a principal of another account (`arn:aws:iam::999988887777:root`, a role or user of it, or the bare account id), and that account is neither one of the accounts audited in the same run nor one given with `--known-account`.",
    why: "Whoever controls that account can act as the role. An account nobody on the team recognises is often a vendor that was offboarded, a typo, or an attacker's foothold.",
    example: r#"{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::999988887777:root"}, "Action": "sts:AssumeRole"}"#,
    fix: "Remove the trust if the account is not yours or a vendor you use; otherwise pass it with `--known-account 999988887777` (and add `sts:ExternalId` for a third party).",
    access_analyzer: "External access findings for IAM roles (online; this is offline, against the accounts you name).",
};
