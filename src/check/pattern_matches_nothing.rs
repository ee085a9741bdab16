//! `pattern-matches-nothing`: an action wildcard that matches no action.
//!
//! Logic: [`action`], per `Action` value.

use super::{Cx, ResolvedAction, Stmt};
use crate::finding::{Code, Finding};
use super::docs::Doc;

/// The documentation of `pattern-matches-nothing`: `iamlint explain pattern-matches-nothing` prints
/// it.
pub(crate) const DOC: Doc = Doc {
    what: "An action wildcard that matches no action of its service.",
    why: "The grant is dead; most likely a typo in the fixed part.",
    example: r#""Action": "s3:Gett*""#,
    fix: "Correct the pattern.",
    access_analyzer: "Invalid action (for wildcards that match nothing).",
};

/// A value with a wildcard that names no action.
pub(crate) fn action(cx: &mut Cx<'_>, s: &Stmt<'_>, a: &ResolvedAction<'_>) -> bool {
    if !a.matches.is_empty() || !a.is_wild() {
        return false;
    }
    let text = &a.item.value;
    let f = Finding::new(
        Code::PatternMatchesNothing,
        cx.src,
        a.item.span,
        format!("`{text}` matches no action"),
    );
    cx.push(f.statement(Some(s.reference())).action(text.clone()));
    true
}
