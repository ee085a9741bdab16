//! Checks on `Resource` values against the statement's actions: `invalid-arn`,
//! `resource-mismatch` and `resource-level-unsupported`.

use super::{Cx, ResolvedResource, Stmt};
use crate::arn::{ArnError, ResourcePattern};
use crate::catalog::ActionRef;
use crate::finding::{Code, Finding};

/// Can `action` act on the resource `r`? `*` fits every action; an ARN pattern fits when
/// it can name a resource of one of the action's types. An action without resource types
/// fits only `*`.
pub(crate) fn acts_on(action: ActionRef, r: &ResolvedResource<'_>) -> bool {
    action.resource_types().any(|(t, _)| type_fits(t, r))
}

/// Can the resource `r` name a resource of type `t`?
fn type_fits(t: &crate::catalog::ResourceType, r: &ResolvedResource<'_>) -> bool {
    match &r.pattern {
        Ok(ResourcePattern::Any) => true,
        Ok(ResourcePattern::Arn(p)) => t.arns.iter().any(|f| p.can_match_format(f)),
        Err(_) => false,
    }
}

/// Entries the fit cache holds before it starts over (bounds memory on huge inputs).
const FIT_CACHE_MAX: usize = 1 << 16;

/// Entries held, and answers by type address, then resource text.
type FitCache = (
    usize,
    foldhash::HashMap<usize, foldhash::HashMap<Box<str>, bool>>,
);

thread_local! {
    /// [`type_fits`] answers by resource text and resource type, kept across the documents
    /// a thread lints: AWS-style policies repeat the same resources (`arn:aws:s3:::*`, ...)
    /// and each answer is an automaton intersection. Types are catalog entries that live for
    /// the whole process, so their addresses identify them.
    static FITS: std::cell::RefCell<FitCache> =
        std::cell::RefCell::default();
}

/// [`type_fits`], remembered across documents.
fn type_fits_cached(t: &'static crate::catalog::ResourceType, r: &ResolvedResource<'_>) -> bool {
    let key = std::ptr::from_ref(t) as usize;
    if let Some(hit) = FITS.with_borrow(|(_, m)| {
        m.get(&key)
            .and_then(|by| by.get(r.item.value.as_str()))
            .copied()
    }) {
        return hit;
    }
    let fit = type_fits(t, r);
    FITS.with_borrow_mut(|(n, m)| {
        if *n >= FIT_CACHE_MAX {
            m.clear();
            *n = 0;
        }
        *n += 1;
        m.entry(key)
            .or_default()
            .insert(r.item.value.as_str().into(), fit);
    });
    fit
}

pub(crate) fn check(cx: &mut Cx<'_>, s: &Stmt<'_>) {
    for r in &s.resources {
        if let Err(e) = &r.pattern {
            let mut f = Finding::new(
                Code::InvalidArn,
                cx.src,
                r.item.span,
                format!("`{}` {e}", r.item.value),
            )
            .statement(Some(s.st.reference()))
            .resource(r.item.value.clone());
            match e {
                ArnError::NotArn(Some(fix)) => f = f.suggest(fix.clone()),
                ArnError::UnknownPartition(p) => {
                    if let Some(g) =
                        crate::suggest::closest(p, crate::arn::PARTITIONS.iter().copied())
                    {
                        f = f.suggest(r.item.value.replacen(p.as_str(), g, 1));
                    }
                }
                _ => {}
            }
            cx.push(f);
        }
    }
    // `NotAction`/`NotResource` name what is *not* granted: nothing to match.
    if !s.positive_actions || !s.positive_resources || s.all_actions() {
        return;
    }
    let valid: Vec<&ResolvedResource<'_>> =
        s.resources.iter().filter(|r| r.pattern.is_ok()).collect();
    if valid.is_empty() || s.any_resource() {
        return;
    }
    // Which resources did some action fit? Used for the resource-side finding.
    let mut fitted = vec![false; valid.len()];
    let mut some_action_fits = false;
    for a in &s.actions {
        if a.matches.is_empty() {
            continue;
        }
        let mut any_typed = false;
        let mut fits = false;
        for m in a.matches.iter() {
            if m.action.resources.is_empty() {
                continue;
            }
            any_typed = true;
            for (k, r) in valid.iter().enumerate() {
                let fit = m.resource_types().any(|(t, _)| type_fits_cached(t, r));
                if fit {
                    fits = true;
                    if let Some(x) = fitted.get_mut(k) {
                        *x = true;
                    }
                }
            }
        }
        some_action_fits |= fits;
        if !any_typed {
            // Every action named supports no resource-level permissions.
            let what = if a.is_wild() {
                format!("no action named by `{}` supports", a.item.value)
            } else {
                format!("`{}` supports no", a.item.value)
            };
            cx.push(
                Finding::new(
                    Code::ResourceLevelUnsupported,
                    cx.src,
                    a.item.span,
                    format!("{what} resource-level permissions, but the statement names specific resources"),
                )
                .statement(Some(s.st.reference()))
                .action(a.item.value.clone())
                .help("AWS documents `\"Resource\": \"*\"` for such actions; some work with ARNs, but that is not documented"),
            );
            some_action_fits = true;
            continue;
        }
        if !fits {
            let m = a
                .matches
                .iter()
                .find(|m| !m.action.resources.is_empty())
                .copied();
            let takes = m.map(describe_types).unwrap_or_default();
            let what = if a.is_wild() {
                format!("no action named by `{}` can act on any", a.item.value)
            } else {
                format!("`{}` can act on none", a.item.value)
            };
            let res: Vec<String> = valid
                .iter()
                .map(|r| format!("`{}`", r.item.value))
                .collect();
            cx.push(
                Finding::new(
                    Code::ResourceMismatch,
                    cx.src,
                    a.item.span,
                    format!(
                        "{what} of the statement's resources ({})",
                        crate::finding::bounded_list(&res)
                    ),
                )
                .statement(Some(s.st.reference()))
                .action(a.item.value.clone())
                .help(format!(
                    "`{}` takes {takes}",
                    m.map(|m| m.full_name()).unwrap_or_default()
                )),
            );
        }
    }
    if !some_action_fits {
        return; // every action is already flagged; flagging each resource too is noise
    }
    for (r, fit) in valid.iter().zip(&fitted) {
        let only_untyped = s
            .named_actions()
            .all(|(_, m)| m.action.resources.is_empty());
        if !fit && !only_untyped {
            cx.push(
                Finding::new(
                    Code::ResourceMismatch,
                    cx.src,
                    r.item.span,
                    format!("no action of the statement can act on `{}`", r.item.value),
                )
                // Dead text rather than missing access: the statement's actions found
                // resources; this one only adds nothing.
                .severity(crate::finding::Severity::Warning)
                .statement(Some(s.st.reference()))
                .resource(r.item.value.clone())
                .help("remove it, or add the actions it was meant for"),
            );
        }
    }
}

thread_local! {
    /// [`describe_types`] by action address: `broad-resource` repeats it thousands of times.
    static DESCRIBED: std::cell::RefCell<foldhash::HashMap<usize, String>> =
        std::cell::RefCell::default();
}

/// "resource type `instance-profile` (`arn:${Partition}:iam::...`)", for messages.
pub fn describe_types(a: ActionRef) -> String {
    let key = std::ptr::from_ref(a.action) as usize;
    if let Some(s) = DESCRIBED.with_borrow(|m| m.get(&key).cloned()) {
        return s;
    }
    let s = describe_types_uncached(a);
    // Bounded by the catalog's number of actions.
    DESCRIBED.with_borrow_mut(|m| m.insert(key, s.clone()));
    s
}

/// Characters the list of resource types in a message may take.
const TYPES_BUDGET: usize = 170;

fn describe_types_uncached(a: ActionRef) -> String {
    // Required types first: they are the ones a policy must name. With a few types each
    // shows its ARN format; with many (`ec2:CreateTags` takes over 100) the first does, the
    // next are named, and the rest counted.
    let mut types: Vec<(&crate::catalog::ResourceType, bool)> = a.resource_types().collect();
    types.sort_by_key(|(_, req)| !*req);
    let all_optional = types.len() > 1 && types.iter().all(|(_, req)| !*req);
    let parts_with = |with_format: usize| -> Vec<String> {
        types
            .iter()
            .enumerate()
            .map(|(i, (t, req))| {
                let opt = if *req || all_optional { "" } else { "optional" };
                if i < with_format {
                    let arns: Vec<String> = t.arns.iter().map(|f| format!("`{f}`")).collect();
                    let sep = if opt.is_empty() { "" } else { ", " };
                    format!(
                        "`{}` ({opt}{sep}{})",
                        t.name,
                        crate::finding::bounded_list_within(&arns, 100)
                    )
                } else if opt.is_empty() {
                    format!("`{}`", t.name)
                } else {
                    format!("`{}` ({opt})", t.name)
                }
            })
            .collect()
    };
    let mut parts = parts_with(types.len());
    if parts.iter().map(|p| p.len() + 2).sum::<usize>() > TYPES_BUDGET {
        parts = parts_with(1);
    }
    let n = parts.len();
    format!(
        "the resource type{}{} {}",
        if n == 1 { "" } else { "s" },
        if all_optional { " (all optional)" } else { "" },
        crate::finding::bounded_list_within(&parts, TYPES_BUDGET)
    )
}
