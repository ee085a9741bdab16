//! `unknown-service`: an action names a service prefix the catalog does not list.
//!
//! Logic: [`action`], per `Action` value.

use super::{Cx, ResolvedAction, Stmt, over_budget};
use crate::finding::{Code, Finding, Severity};
use super::docs::Doc;

/// The documentation of `unknown-service`: `iamlint explain unknown-service` prints it.
pub(crate) const DOC: Doc = Doc {
    what: "An action whose service prefix the catalog does not list. An error when a real prefix is a near miss (a typo), else a warning: AWS's own managed policies still name a few retired services.",
    why: "The grant is dead.",
    example: r#""Action": "s33:GetObject""#,
    fix: "Use the suggested prefix, or remove the action.",
    access_analyzer: "Invalid service.",
};

/// A value whose (literal) service prefix the catalog does not list.
pub(crate) fn action(cx: &mut Cx<'_>, s: &Stmt<'_>, a: &ResolvedAction<'_>) -> bool {
    if a.service.is_some() || a.prefix.contains(['*', '?']) {
        return false;
    }
    let text = &a.item.value;
    let mut f = Finding::new(
        Code::UnknownService,
        cx.src,
        a.item.span,
        format!(
            "unknown service prefix `{}` in `{text}` (catalog of {})",
            a.prefix,
            cx.catalog.date()
        ),
    )
    .statement(Some(s.reference()))
    .action(text.clone());
    let name = text.split_once(':').map_or("", |(_, n)| n);
    if cx.catalog.is_retired(a.prefix) {
        f = f.help(format!(
            "AWS's own managed policies still name `{}`; AWS has retired it, so the grant is dead",
            a.prefix
        ));
    } else if !cx.take_suggestion() {
        f = f.help(over_budget());
    } else if let Some(g) = cx.catalog.suggest_service(a.prefix) {
        // A near miss of a real prefix whose service has the action: a typo.
        let fits = cx.catalog.service(g).is_some_and(|svc| {
            cx.catalog
                .matching_actions(svc, &crate::pattern::Pattern::new(name, true))
                .next()
                .is_some()
        });
        f = f.suggest(format!("{g}:{name}"));
        if fits && strsim::levenshtein(&a.prefix.to_ascii_lowercase(), g) <= 2 {
            f = f.severity(Severity::Error);
        }
    }
    cx.push(f);
    true
}
