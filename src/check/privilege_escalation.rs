//! `privilege-escalation`: the policy allows a known privilege-escalation method.
//!
//! Logic: [`policy`], over the whole policy, with the methods of [`super::escalation`].

use super::escalation::METHODS;
use super::{Cx, Matches, Stmt};
use crate::arn::ResourcePattern;
use crate::finding::{Code, Finding};
use crate::span::Span;
use super::docs::Doc;

/// The documentation of `privilege-escalation`: `iamlint explain privilege-escalation` prints it.
pub(crate) const DOC: Doc = Doc {
    what: "A known privilege-escalation method (table below): every action it needs is allowed, without a condition, on resources its actions can act on.",
    why: "The principal can grant itself more permissions than the policy shows.",
    example: r#"{"Effect": "Allow", "Action": ["iam:CreateRole", "iam:AttachRolePolicy"], "Resource": "*"}"#,
    fix: "Scope the resources, add the condition the table names, or drop an action of the method.",
    access_analyzer: "None in policy validation.",
};

/// `privilege-escalation` over all statements: each method whose actions are all allowed
/// by some `Allow` statement whose scope does not stop it.
pub(crate) fn policy(cx: &mut Cx<'_>, stmts: &[Stmt<'_>]) {
    // A policy that is full admin already says so; escalation adds nothing.
    if stmts
        .iter()
        .any(|s| s.st.is_allow() && s.positive_actions && s.all_actions() && s.any_resource())
    {
        return;
    }
    if stmts.iter().any(|s| s.st.principal.is_some()) {
        return; // resource and trust policies grant to others; the methods concern identities
    }
    // For each action of the methods, the statements that can grant it without restriction
    // and name it, in order: one pass over the values, each a search among the methods'
    // actions by address (a run of actions, `ec2:Describe*`, is a range).
    let targets = method_targets(cx.catalog);
    let (methods, addrs) = (&targets.0, &targets.1);
    let mut naming: Vec<Vec<usize>> = vec![Vec::new(); addrs.len()];
    let mut add = |k: usize, i: usize| {
        if let Some(v) = naming.get_mut(k) {
            if v.last() != Some(&i) {
                v.push(i);
            }
        }
    };
    for (i, s) in stmts.iter().enumerate() {
        if !may_grant_unrestricted(s) {
            continue;
        }
        for a in &s.actions {
            match &a.matches {
                _ if a.all => (0..addrs.len()).for_each(|k| add(k, i)),
                Matches::Empty => {}
                Matches::Run(_, run) => {
                    let r = run.as_ptr_range();
                    let (lo, hi) = (r.start as usize, r.end as usize);
                    let from = addrs.partition_point(|x| *x < lo);
                    let to = addrs.partition_point(|x| *x < hi);
                    (from..to).for_each(|k| add(k, i));
                }
                Matches::List(l) => {
                    for m in l.iter() {
                        if let Ok(k) = addrs.binary_search(&(std::ptr::from_ref(m.action) as usize)) {
                            add(k, i);
                        }
                    }
                }
            }
        }
    }
    for (method, targets) in METHODS.iter().zip(methods.iter()) {
        let mut grants: Vec<(usize, Span)> = Vec::new();
        for target in targets {
            let Some(target) = *target else {
                break;
            };
            let found = addrs
                .binary_search(&(std::ptr::from_ref(target.action) as usize))
                .ok()
                .and_then(|k| naming.get(k))
                .and_then(|named| {
                    named.iter().find_map(|&i| {
                        let s = stmts.get(i)?;
                        grants_unrestricted(s, target).map(|span| (i, span))
                    })
                });
            match found {
                Some(g) => grants.push(g),
                None => break,
            }
        }
        if grants.len() != method.actions.len() {
            continue;
        }
        let Some(&(first_stmt, first_span)) = grants.first() else {
            continue;
        };
        let Some(s) = stmts.get(first_stmt) else {
            continue;
        };
        let mut f = Finding::new(
            Code::PrivilegeEscalation,
            cx.src,
            first_span,
            format!(
                "privilege escalation: {} ({})",
                method.name,
                method
                    .actions
                    .iter()
                    .map(|a| format!("`{a}`"))
                    .collect::<Vec<_>>()
                    .join(" + ")
            ),
        )
        .statement(Some(s.st.reference()))
        .action(method.actions.join(" + "));
        for (&(_, span), a) in grants.iter().zip(method.actions).skip(1) {
            f = f.related(format!("`{a}` is allowed here"), span);
        }
        let help = match method.defused_by {
            Some(k) => format!("scope the resources, or add a `{k}` condition"),
            None => {
                "scope the resources to what the principal needs, or remove the action".to_string()
            }
        };
        cx.push(f.help(help));
    }
}

/// If `s` allows `action` without a condition that could stop it, the span of the value
/// that names it.
/// The catalog actions of each of [`METHODS`], in order (`None` where the catalog lacks
/// one), and the addresses of them all, sorted: looked up once per catalog and thread.
fn method_targets(catalog: &'static crate::catalog::Catalog) -> std::rc::Rc<Targets> {
    thread_local! {
        static TARGETS: std::cell::RefCell<Option<(usize, std::rc::Rc<Targets>)>> =
            const { std::cell::RefCell::new(None) };
    }
    let key = std::ptr::from_ref(catalog) as usize;
    TARGETS.with_borrow_mut(|t| match t {
        Some((k, v)) if *k == key => v.clone(),
        _ => {
            let methods: Vec<Vec<Option<crate::catalog::ActionRef>>> = METHODS
                .iter()
                .map(|m| {
                    m.actions
                        .iter()
                        .map(|a| catalog.action_by_full_name(a))
                        .collect()
                })
                .collect();
            let mut addrs: Vec<usize> = methods
                .iter()
                .flatten()
                .flatten()
                .map(|a| std::ptr::from_ref(a.action) as usize)
                .collect();
            addrs.sort_unstable();
            addrs.dedup();
            let v = std::rc::Rc::new((methods, addrs));
            *t = Some((key, v.clone()));
            v
        }
    })
}

/// Each method's catalog actions, and the sorted addresses of them all.
type Targets = (Vec<Vec<Option<crate::catalog::ActionRef>>>, Vec<usize>);

/// Can the statement grant anything without restriction (an unconditioned `Allow` of
/// listed actions on some resource)?
fn may_grant_unrestricted(s: &Stmt<'_>) -> bool {
    // Any condition may restrict; only the method's own key is known to. Be conservative
    // about false alarms: a conditioned grant does not count.
    s.st.is_allow() && s.positive_actions && s.st.resource.is_some() && s.st.condition.is_empty()
}

fn grants_unrestricted(s: &Stmt<'_>, target: crate::catalog::ActionRef) -> Option<Span> {
    if !may_grant_unrestricted(s) {
        return None;
    }
    let value = s
        .actions
        .iter()
        .find(|a| a.all || a.matches.contains(target))?;
    if !s.positive_resources {
        return Some(value.item.span); // NotResource: open-ended
    }
    // The resources the action can act on; when each names one resource (no wildcard or
    // variable), the scope stops the method: only those named resources are reachable.
    let reachable: Vec<_> = s
        .resources
        .iter()
        .filter(|r| super::resources::acts_on(target, r))
        .collect();
    let open = reachable.iter().any(|r| match &r.pattern {
        Ok(ResourcePattern::Any) => true,
        Ok(ResourcePattern::Arn(p)) => {
            p.short.is_some() || p.resource.contains(['*', '?']) || crate::arn::has_var(&p.resource)
        }
        Err(_) => false,
    });
    open.then_some(value.item.span)
}
