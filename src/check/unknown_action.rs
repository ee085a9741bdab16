//! `unknown-action`: an action the catalog does not list for its service.
//!
//! Logic: [`action`], per `Action` value.

use super::{Cx, ResolvedAction, Stmt, over_budget};
use crate::finding::{Code, Finding, Severity};
use super::docs::Doc;

/// The documentation of `unknown-action`: `iamlint explain unknown-action` prints it.
pub(crate) const DOC: Doc = Doc {
    what: "An action its service does not have. An error when a real action is a near miss (a typo, e.g. `ec2:CancelSpotRequests` for `ec2:CancelSpotInstanceRequests`), else a warning: the action may be retired, or newer than the catalog.",
    why: "The grant is dead, and the action the author meant is missing.",
    example: r#""Action": "ec2:CancelSpotRequests""#,
    fix: "Use the suggested action.",
    access_analyzer: "Invalid action.",
};

/// A value without a wildcard that names no action of its (known) service.
pub(crate) fn action(cx: &mut Cx<'_>, s: &Stmt<'_>, a: &ResolvedAction<'_>) -> bool {
    if !a.matches.is_empty() || a.is_wild() {
        return false;
    }
    let text = &a.item.value;
    let mut f = Finding::new(
        Code::UnknownAction,
        cx.src,
        a.item.span,
        format!("unknown action `{text}`"),
    );
    let retired = cx.catalog.is_retired(text);
    let wanted = !retired && a.service.is_some();
    let searched = wanted && cx.take_suggestion();
    let suggestion = a.service.filter(|_| searched).and_then(|svc| {
        let name = text.split_once(':').map_or("", |(_, n)| n);
        let catalog = cx.catalog;
        catalog.suggest_action(svc, name, cx.suggest_context(svc.prefix))
    });
    if wanted && !searched {
        // Past the budget: still an error, as an unknown action is by default.
        f = f.help(over_budget());
    } else if retired {
        f = f.severity(Severity::Warning).help(format!(
            "AWS's own managed policies still name `{text}`; the catalog ({}) no longer lists it: retired, so the grant is dead",
            cx.catalog.date()
        ));
    } else if let Some(g) = suggestion {
        f = f.suggest(g);
    } else {
        // No near miss: most likely an action AWS retired, or one newer than the
        // catalog. Dead, but not a typo to fix now.
        f = f.severity(Severity::Warning).help(format!(
            "the catalog ({}) lists no such action; it may have been retired, or be newer than the catalog (`iamlint catalog update`)",
            cx.catalog.date()
        ));
    }
    cx.push(f.statement(Some(s.reference())).action(text.clone()));
    true
}
