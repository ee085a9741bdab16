//! `allow-not-resource`: `Allow` with `NotResource` grants on everything not listed.
//!
//! Logic: [`statement`].

use super::{Cx, Stmt};
use crate::finding::{Code, Finding};
use super::docs::Doc;

/// The documentation of `allow-not-resource`: `iamlint explain allow-not-resource` prints it.
pub(crate) const DOC: Doc = Doc {
    what: "`Allow` with `NotResource`.",
    why: "Grants on every resource not listed, including ones created later.",
    example: r#"{"Effect": "Allow", "Action": "s3:*", "NotResource": "arn:aws:s3:::secret/*"}"#,
    fix: "List the resources with `Resource`.",
    access_analyzer: "Allow with NotResource (security warning).",
};

/// An `Allow` statement with `NotResource`.
pub(crate) fn statement(cx: &mut Cx<'_>, s: &Stmt<'_>) {
    if !s.st.is_allow() {
        return;
    }
    if let Some(r) = s.st.resource.as_ref().filter(|r| r.not) {
        cx.push(
            Finding::new(
                Code::AllowNotResource,
                cx.src,
                r.key,
                "`Allow` with `NotResource` grants on every resource not listed, including future ones",
            )
            .statement(Some(s.reference()))
            .help("list the resources to allow with `Resource` instead"),
        );
    }
}
