//! `allow-not-action`: `Allow` with `NotAction` grants everything not listed.
//!
//! Logic: [`statement`].

use super::{Cx, Stmt};
use crate::finding::{Code, Finding};
use super::docs::Doc;

/// The documentation of `allow-not-action`: `iamlint explain allow-not-action` prints it.
pub(crate) const DOC: Doc = Doc {
    what: "`Allow` with `NotAction`.",
    why: "Grants every action not listed, including actions AWS adds later.",
    example: r#"{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}"#,
    fix: "List the actions with `Action`.",
    access_analyzer: "Allow with NotAction (security warning).",
};

/// An `Allow` statement with `NotAction`.
pub(crate) fn statement(cx: &mut Cx<'_>, s: &Stmt<'_>) {
    if !s.st.is_allow() {
        return;
    }
    if let Some(a) = s.st.action.as_ref().filter(|a| a.not) {
        cx.push(
            Finding::new(
                Code::AllowNotAction,
                cx.src,
                a.key,
                "`Allow` with `NotAction` grants every action not listed, including future ones",
            )
            .statement(Some(s.reference()))
            .help("list the actions to allow with `Action` instead"),
        );
    }
}
