//! `full-admin`: `*` allowed on `*`.
//!
//! Produced by the security checks, [`super::security`].

use super::docs::Doc;

/// The documentation of `full-admin`: `iamlint explain full-admin` prints it.
pub(crate) const DOC: Doc = Doc {
    what: "An `Allow` of `*` on `*` in an identity policy.",
    why: "Full administrator access: anything the account can do.",
    example: r#"{"Effect": "Allow", "Action": "*", "Resource": "*"}"#,
    fix: "Grant what the principal needs.",
    access_analyzer: "None as a check; Access Analyzer's external-access findings cover resource policies.",
};
