//! `redundant-action`: an action listed twice, or covered by a wildcard in the same statement.
//!
//! Logic: [`statement`].

use super::{Cx, ResolvedAction, Stmt};
use crate::finding::{Code, Finding};
use super::docs::Doc;

/// The documentation of `redundant-action`: `iamlint explain redundant-action` prints it.
pub(crate) const DOC: Doc = Doc {
    what: "An action listed twice, or covered by a wildcard (or `*`) in the same statement.",
    why: "Noise that hides what the statement grants.",
    example: r#""Action": ["s3:GetObject", "s3:Get*"]"#,
    fix: "Remove the redundant value.",
    access_analyzer: "Redundant action.",
};

/// An action listed twice, or whose every action another value in the statement also names.
pub(crate) fn statement(cx: &mut Cx<'_>, s: &Stmt<'_>) {
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
                    .statement(Some(s.reference()))
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
