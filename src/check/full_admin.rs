//! `full-admin`: `*` allowed on `*`.
//!
//! Logic: [`statement`]; the narrower case is `all-actions`.

use super::{Cx, Stmt};
use crate::finding::{Code, Finding};
use super::docs::Doc;

/// The documentation of `full-admin`: `iamlint explain full-admin` prints it.
pub(crate) const DOC: Doc = Doc {
    what: "An `Allow` of `*` on `*` in an identity policy.",
    why: "Full administrator access: anything the account can do.",
    example: r#"{"Effect": "Allow", "Action": "*", "Resource": "*"}"#,
    fix: "Grant what the principal needs.",
    access_analyzer: "None as a check; Access Analyzer's external-access findings cover resource policies.",
};

/// An identity-policy `Allow` of `*` on `*`.
pub(crate) fn statement(cx: &mut Cx<'_>, s: &Stmt<'_>) {
    if !s.st.is_allow() || !s.positive_actions {
        return;
    }
    let Some(a) = s.actions.iter().find(|a| a.all) else {
        return;
    };
    if s.positive_resources && s.any_resource() && s.st.principal.is_none() {
        cx.push(
            Finding::new(Code::FullAdmin, cx.src, a.item.span, "the statement allows every action on every resource")
                .statement(Some(s.reference()))
                .action("*")
                .resource("*")
                .help("grant the actions the principal needs; `iamlint render` prints a least-privilege policy for a known system"),
        );
    }
}
