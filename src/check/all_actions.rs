//! `all-actions`: `Action: "*"` on a narrower resource, or with no resource.
//!
//! Logic: [`statement`]; `*` on `*` is `full-admin`.

use super::{Cx, Stmt};
use crate::finding::{Code, Finding};
use super::docs::Doc;

/// The documentation of `all-actions`: `iamlint explain all-actions` prints it.
pub(crate) const DOC: Doc = Doc {
    what: "`\"Action\": \"*\"` on a narrower resource, or with no valid resource.",
    why: "Every action of every service, including destructive and permissions-management actions, on those resources.",
    example: r#"{"Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::b/*"}"#,
    fix: "List the actions needed.",
    access_analyzer: "None.",
};

/// An identity-policy `Allow` of `*` on anything but `*` alone.
pub(crate) fn statement(cx: &mut Cx<'_>, s: &Stmt<'_>) {
    if !s.st.is_allow() || !s.positive_actions {
        return;
    }
    let Some(a) = s.actions.iter().find(|a| a.all) else {
        return;
    };
    if s.positive_resources && s.any_resource() {
        return; // full-admin
    }
    if s.st.principal.is_none() {
        let scope = if s.st.resource.is_none()
            || s.st
                .resource
                .as_ref()
                .is_some_and(|r| r.recovered_from.is_some())
        {
            "with no valid `Resource`"
        } else {
            "on the statement's resources"
        };
        cx.push(
            Finding::new(
                Code::AllActions,
                cx.src,
                a.item.span,
                format!("`\"Action\": \"*\"` allows every action of every service {scope}"),
            )
            .statement(Some(s.reference()))
            .action("*")
            .help("list the actions needed on these resources"),
        );
    }
}
