//! `deprecated-action`: an action AWS retired or replaced.
//!
//! Logic: [`action`], per `Action` value.

use super::{Cx, ResolvedAction, Stmt};
use crate::finding::{Code, Finding};
use super::docs::Doc;

/// The documentation of `deprecated-action`: `iamlint explain deprecated-action` prints it.
pub(crate) const DOC: Doc = Doc {
    what: "An action that AWS retired or replaced, from the catalog data (action descriptions) and a data table of documented deprecations (`data/deprecated-actions.json`).",
    why: "It may stop working; the replacement is what new code calls.",
    example: r#""Action": "logs:TagLogGroup""#,
    fix: "Use the replacement (`logs:TagResource`), or grant both during a migration.",
    access_analyzer: "None.",
};

/// Every deprecated action a value without a wildcard names.
pub(crate) fn action(cx: &mut Cx<'_>, s: &Stmt<'_>, a: &ResolvedAction<'_>) -> bool {
    if a.is_wild() {
        return false;
    }
    for m in a.matches.iter() {
        if let Some(rep) = m.action.deprecated {
            let mut f = Finding::new(
                Code::DeprecatedAction,
                cx.src,
                a.item.span,
                format!("`{}` is deprecated", m.full_name()),
            )
            .statement(Some(s.reference()))
            .action(m.full_name());
            if !rep.is_empty() {
                f = f.suggest(rep).help(format!("AWS replaced it with `{rep}`"));
            }
            cx.push(f);
        }
    }
    false
}
