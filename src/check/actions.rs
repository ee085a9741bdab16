//! Checks on `Action`/`NotAction` values: `unknown-service`, `unknown-action`,
//! `pattern-matches-nothing`, `deprecated-action`, `redundant-action`, and malformed values
//! (`invalid-value`).

use super::{Cx, ResolvedAction, Stmt};
use crate::finding::{Code, Finding, Severity};

/// "Did you mean" searches per policy document; later unknown names get none. Each search
/// scores every action of a service, and no policy AWS accepts lists this many actions: the
/// largest document IAM takes, a role's inline policies, is 10,240 characters
/// (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html>), and an
/// action with its quotes and comma takes at least 8 (issue 10: bounded cost).
pub(crate) const MAX_SUGGESTIONS: usize = 1000;

/// The help of an unknown name past [`MAX_SUGGESTIONS`].
fn over_budget() -> String {
    format!(
        "no \"did you mean\": this policy has more than {MAX_SUGGESTIONS} unknown names, more than a policy AWS accepts can hold"
    )
}

pub(crate) fn check(cx: &mut Cx<'_>, s: &Stmt<'_>) {
    for a in &s.actions {
        if a.all {
            continue;
        }
        let text = &a.item.value;
        let span = a.item.span;
        if a.malformed {
            cx.push(
                Finding::new(
                    Code::InvalidValue,
                    cx.src,
                    span,
                    format!(
                        "`{text}` is not an action: write `service:Action`, e.g. `s3:GetObject`"
                    ),
                )
                .statement(Some(s.st.reference()))
                .action(text.clone()),
            );
            continue;
        }
        let wild_service = a.prefix.contains(['*', '?']);
        match a.service {
            None if !wild_service => {
                let mut f = Finding::new(
                    Code::UnknownService,
                    cx.src,
                    span,
                    format!(
                        "unknown service prefix `{}` in `{text}` (catalog of {})",
                        a.prefix,
                        cx.catalog.date()
                    ),
                )
                .statement(Some(s.st.reference()))
                .action(text.clone());
                let name = text.split_once(':').map_or("", |(_, n)| n);
                if cx.catalog.is_retired(&a.prefix) {
                    f = f.help(format!(
                        "AWS's own managed policies still name `{}`; AWS has retired it, so the grant is dead",
                        a.prefix
                    ));
                } else if !cx.take_suggestion() {
                    f = f.help(over_budget());
                } else if let Some(g) = cx.catalog.suggest_service(&a.prefix) {
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
                continue;
            }
            _ => {}
        }
        if a.matches.is_empty() {
            let f = if a.is_wild() {
                Finding::new(
                    Code::PatternMatchesNothing,
                    cx.src,
                    span,
                    format!("`{text}` matches no action"),
                )
            } else {
                let mut f = Finding::new(
                    Code::UnknownAction,
                    cx.src,
                    span,
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
                f
            };
            cx.push(f.statement(Some(s.st.reference())).action(text.clone()));
            continue;
        }
        if !a.is_wild() {
            for m in a.matches.iter() {
                if let Some(rep) = m.action.deprecated {
                    let mut f = Finding::new(
                        Code::DeprecatedAction,
                        cx.src,
                        span,
                        format!("`{}` is deprecated", m.full_name()),
                    )
                    .statement(Some(s.st.reference()))
                    .action(m.full_name());
                    if !rep.is_empty() {
                        f = f.suggest(rep).help(format!("AWS replaced it with `{rep}`"));
                    }
                    cx.push(f);
                }
            }
        }
    }
    redundant(cx, s);
}

/// An action listed twice, or whose every action another value in the statement also names.
fn redundant(cx: &mut Cx<'_>, s: &Stmt<'_>) {
    let acts = &s.actions;
    if acts.len() < 2 {
        return;
    }
    // Statements can list thousands of actions: find duplicates by hashing, and test
    // coverage only against the (few) wildcard values.
    let wild: Vec<usize> = (0..acts.len())
        .filter(|&j| acts.get(j).is_some_and(|b| b.is_wild() && !b.malformed))
        .collect();
    // Each value's actions as sorted addresses, so "covers" is one merge walk; needed only
    // when there is a wildcard value to compare with.
    let sets: Vec<Vec<usize>> = acts
        .iter()
        .filter(|_| !wild.is_empty())
        .map(|a| {
            let mut v: Vec<usize> = a
                .matches
                .iter()
                .map(|m| std::ptr::from_ref(m.action) as usize)
                .collect();
            v.sort_unstable();
            v.dedup();
            v
        })
        .collect();
    let empty = Vec::new();
    let mut first: foldhash::HashMap<String, usize> = foldhash::HashMap::default();
    // Only a value of the same service, or with a wildcard service, can cover another.
    let mut wild_by_service: foldhash::HashMap<String, Vec<usize>> = foldhash::HashMap::default();
    let mut wild_any_service: Vec<usize> = Vec::new();
    for &j in &wild {
        if let Some(b) = acts.get(j) {
            if b.all || b.prefix.contains(['*', '?']) {
                wild_any_service.push(j);
            } else {
                wild_by_service
                    .entry(b.prefix.to_ascii_lowercase())
                    .or_default()
                    .push(j);
            }
        }
    }
    let no_wild = Vec::new();
    for (i, a) in acts.iter().enumerate() {
        let lc = a.item.value.to_ascii_lowercase();
        // A wildcard service may expand to one service only: compare it with every value.
        let candidates: Vec<usize> = if a.all || a.prefix.contains(['*', '?']) {
            wild.clone()
        } else {
            let same_service = lc
                .split_once(':')
                .and_then(|(p, _)| wild_by_service.get(p))
                .unwrap_or(&no_wild);
            // In index order, as one list would be: the first coverer is reported.
            let mut c: Vec<usize> = same_service
                .iter()
                .chain(&wild_any_service)
                .copied()
                .collect();
            if !wild_any_service.is_empty() && !same_service.is_empty() {
                c.sort_unstable();
            }
            c
        };
        let dup_of = match first.get(&lc) {
            Some(&j) => Some(j),
            None => {
                first.insert(lc, i);
                None
            }
        };
        if a.malformed || (a.matches.is_empty() && !a.all) {
            continue;
        }
        let sa = sets.get(i).unwrap_or(&empty);
        let covered_by = dup_of
            .and_then(|j| acts.get(j).map(|b| (j, b)))
            .or_else(|| {
                candidates
                    .into_iter()
                    .filter_map(|j| acts.get(j).map(|b| (j, b)))
                    .find(|&(j, b)| {
                        if i == j || b.item.value.eq_ignore_ascii_case(&a.item.value) {
                            return false;
                        }
                        let sb = sets.get(j).unwrap_or(&empty);
                        // Two values naming the same set: flag the later one only.
                        covers(b, a, sb, sa) && (j < i || !covers(a, b, sa, sb))
                    })
            });
        if let Some((_, b)) = covered_by {
            let msg = if b.item.value.eq_ignore_ascii_case(&a.item.value) {
                format!("`{}` is listed twice", a.item.value)
            } else {
                format!(
                    "`{}` is already covered by `{}`",
                    a.item.value, b.item.value
                )
            };
            cx.push(
                Finding::new(Code::RedundantAction, cx.src, a.item.span, msg)
                    .statement(Some(s.st.reference()))
                    .action(a.item.value.clone())
                    .related(format!("`{}` is here", b.item.value), b.item.span)
                    .help("remove it"),
            );
        }
    }
}

/// Does `b` name every action `a` names (and something, so unknown names cover nothing)?
fn covers(b: &ResolvedAction<'_>, a: &ResolvedAction<'_>, sb: &[usize], sa: &[usize]) -> bool {
    if b.all {
        return true;
    }
    if a.all || !b.is_wild() || sb.len() < sa.len() {
        return false;
    }
    sa.iter().all(|x| sb.binary_search(x).is_ok())
}
