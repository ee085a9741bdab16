//! `redundant-action`: an action listed twice, or covered by a wildcard in the same statement.
//!
//! Logic: [`statement`].

use super::{Cx, Matches, ResolvedAction, Stmt};
use crate::catalog;
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

/// Statements up to this many values are compared pair by pair (no table is built); longer
/// ones, which can list thousands, are hashed (issue 10: linear cost).
const SCAN: usize = 16;

/// An action listed twice, or whose every action another value in the statement also names.
pub(crate) fn statement(cx: &mut Cx<'_>, s: &Stmt<'_>) {
    let acts = &s.actions;
    if acts.len() < 2 {
        return;
    }
    // Only a wildcard value can cover another, and only one of the same service or with a
    // wildcard service.
    let wild: Vec<usize> = (0..acts.len())
        .filter(|&j| acts.get(j).is_some_and(|b| b.is_wild() && !b.malformed))
        .collect();
    let any_service = |b: &ResolvedAction<'_>| b.all || b.prefix.contains(['*', '?']);
    let by_service = (wild.len() > SCAN).then(|| {
        let mut same: foldhash::HashMap<String, Vec<usize>> = foldhash::HashMap::default();
        let mut any: Vec<usize> = Vec::new();
        for &j in &wild {
            if let Some(b) = acts.get(j) {
                if any_service(b) {
                    any.push(j);
                } else {
                    same.entry(b.prefix.to_ascii_lowercase()).or_default().push(j);
                }
            }
        }
        (same, any)
    });
    let dups = earlier_same_text(acts);
    // Each value's actions as a set of addresses, made when first compared.
    let mut sets: Vec<Option<Set>> = acts.iter().map(|_| None).collect();
    for (i, a) in acts.iter().enumerate() {
        if a.malformed || (a.matches.is_empty() && !a.all) {
            continue;
        }
        let mut covered_by = dups.get(i).copied().flatten();
        if covered_by.is_none() {
            let mut test = |j: usize| -> bool {
                let Some(b) = acts.get(j) else { return false };
                if i == j || b.item.value.eq_ignore_ascii_case(&a.item.value) {
                    return false;
                }
                // Two values naming the same set: flag the later one only.
                covers(acts, &mut sets, j, i) && (j < i || !covers(acts, &mut sets, i, j))
            };
            covered_by = match &by_service {
                None => wild.iter().copied().find(|&j| {
                    acts.get(j).is_some_and(|b| {
                        any_service(a)
                            || any_service(b)
                            || b.prefix.eq_ignore_ascii_case(a.prefix)
                    }) && test(j)
                }),
                Some(_) if any_service(a) => wild.iter().copied().find(|&j| test(j)),
                Some((same, any)) => {
                    let same = same
                        .get(&a.prefix.to_ascii_lowercase())
                        .map_or(&[][..], Vec::as_slice);
                    // In index order, as one list would be: the first coverer is reported.
                    let mut c: Vec<usize> = same.iter().chain(any).copied().collect();
                    if !any.is_empty() && !same.is_empty() {
                        c.sort_unstable();
                    }
                    c.into_iter().find(|&j| test(j))
                }
            };
        }
        let Some(b) = covered_by.and_then(|j| acts.get(j)) else {
            continue;
        };
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

/// For each value, the first earlier value of the same text in any case.
fn earlier_same_text(acts: &[ResolvedAction<'_>]) -> Vec<Option<usize>> {
    if acts.len() <= SCAN {
        return acts
            .iter()
            .enumerate()
            .map(|(i, a)| {
                acts.iter()
                    .take(i)
                    .position(|b| b.item.value.eq_ignore_ascii_case(&a.item.value))
            })
            .collect();
    }
    let mut first: foldhash::HashMap<String, usize> = foldhash::HashMap::default();
    acts.iter()
        .enumerate()
        .map(|(i, a)| match first.entry(a.item.value.to_ascii_lowercase()) {
            std::collections::hash_map::Entry::Occupied(e) => Some(*e.get()),
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(i);
                None
            }
        })
        .collect()
}

/// The catalog actions one value names, as addresses: a run of one service's actions is
/// the range of its addresses (and their number); any other list, sorted and without
/// repeats.
enum Set {
    Range(usize, usize, usize),
    Sorted(Vec<usize>),
}

impl Set {
    fn of(m: &Matches) -> Set {
        match m {
            Matches::Run(_, run) => {
                let lo = run.as_ptr() as usize;
                Set::Range(lo, lo + std::mem::size_of_val(*run), run.len())
            }
            _ => {
                let mut v: Vec<usize> = m
                    .iter()
                    .map(|x| std::ptr::from_ref(x.action) as usize)
                    .collect();
                v.sort_unstable();
                v.dedup();
                Set::Sorted(v)
            }
        }
    }
    fn len(&self) -> usize {
        match self {
            Set::Range(_, _, n) => *n,
            Set::Sorted(v) => v.len(),
        }
    }
    fn contains(&self, x: usize) -> bool {
        match self {
            Set::Range(lo, hi, _) => (*lo..*hi).contains(&x),
            Set::Sorted(v) => v.binary_search(&x).is_ok(),
        }
    }
    /// Every member of `self` is in `other`.
    fn within(&self, other: &Set) -> bool {
        match self {
            Set::Range(lo, hi, n) => match other {
                Set::Range(olo, ohi, _) => *n == 0 || (olo <= lo && hi <= ohi),
                Set::Sorted(_) => (*lo..*hi)
                    .step_by(std::mem::size_of::<catalog::Action>().max(1))
                    .all(|x| other.contains(x)),
            },
            Set::Sorted(v) => v.iter().all(|x| other.contains(*x)),
        }
    }
}

/// Does value `bi` name every action value `ai` names (and something, so unknown names
/// cover nothing)?
fn covers(acts: &[ResolvedAction<'_>], sets: &mut [Option<Set>], bi: usize, ai: usize) -> bool {
    let (Some(b), Some(a)) = (acts.get(bi), acts.get(ai)) else {
        return false;
    };
    if b.all {
        return true;
    }
    if a.all || !b.is_wild() {
        return false;
    }
    for (k, x) in [(bi, b), (ai, a)] {
        if let Some(slot @ None) = sets.get_mut(k) {
            *slot = Some(Set::of(&x.matches));
        }
    }
    let (Some(Some(sb)), Some(Some(sa))) = (sets.get(bi), sets.get(ai)) else {
        return false;
    };
    sb.len() >= sa.len() && sa.within(sb)
}
