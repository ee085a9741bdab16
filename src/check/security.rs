//! Security checks: `full-admin`, `all-actions`, `passrole-to-any`, `passrole-any-service`,
//! `allow-not-action`, `allow-not-resource`, `broad-resource` (per statement) and
//! `privilege-escalation` (over the whole policy).

use super::escalation::METHODS;
use super::{Cx, Stmt};
use crate::arn::ResourcePattern;
use crate::catalog::key_matches;
use crate::finding::{Code, Finding};
use crate::span::Span;

pub(crate) fn check_statement(cx: &mut Cx<'_>, s: &Stmt<'_>) {
    if !s.st.is_allow() {
        return;
    }
    if let Some(a) = s.st.action.as_ref().filter(|a| a.not) {
        cx.push(
            Finding::new(
                Code::AllowNotAction,
                cx.src,
                a.key,
                "`Allow` with `NotAction` grants every action not listed, including future ones",
            )
            .statement(Some(s.st.reference()))
            .help("list the actions to allow with `Action` instead"),
        );
    }
    if let Some(r) = s.st.resource.as_ref().filter(|r| r.not) {
        cx.push(
            Finding::new(
                Code::AllowNotResource,
                cx.src,
                r.key,
                "`Allow` with `NotResource` grants on every resource not listed, including future ones",
            )
            .statement(Some(s.st.reference()))
            .help("list the resources to allow with `Resource` instead"),
        );
    }
    if !s.positive_actions {
        return;
    }
    let all = s.actions.iter().find(|a| a.all);
    let has_condition = !s.st.condition.is_empty();
    if let Some(a) = all {
        if s.positive_resources && s.any_resource() {
            if s.st.principal.is_none() {
                cx.push(
                    Finding::new(Code::FullAdmin, cx.src, a.item.span, "the statement allows every action on every resource")
                        .statement(Some(s.st.reference()))
                        .action("*")
                        .resource("*")
                        .help("grant the actions the principal needs; `iamlint render` prints a least-privilege policy for a known system"),
                );
            }
        } else if s.st.principal.is_none() {
            let scope = if s.st.resource.is_none()
                || s.st
                    .resource
                    .as_ref()
                    .is_some_and(|r| r.recovered_from.is_some())
            {
                "with no valid `Resource`"
            } else {
                "on the statement's resources"
            };
            cx.push(
                Finding::new(
                    Code::AllActions,
                    cx.src,
                    a.item.span,
                    format!("`\"Action\": \"*\"` allows every action of every service {scope}"),
                )
                .statement(Some(s.st.reference()))
                .action("*")
                .help("list the actions needed on these resources"),
            );
        }
        return;
    }
    // PassRole, when named in the iam service (explicitly or by an iam wildcard).
    let passrole = s.actions.iter().find(|a| {
        a.service.is_some_and(|svc| svc.prefix == "iam")
            && a.matches.iter().any(|m| m.action.name == "PassRole")
    });
    if let Some(a) = passrole {
        let on_any = s
            .resources
            .iter()
            .filter(|_| s.positive_resources)
            .find(|r| match &r.pattern {
                Ok(ResourcePattern::Any) => true,
                Ok(ResourcePattern::Arn(p)) => {
                    p.service == "iam" && (p.resource == "*" || p.resource == "role/*")
                }
                Err(_) => false,
            });
        if let Some(r) = on_any {
            cx.push(
                Finding::new(
                    Code::PassroleToAny,
                    cx.src,
                    r.item.span,
                    format!("`{}` allows passing every role (`{}`) to a service", a.item.value, r.item.value),
                )
                .statement(Some(s.st.reference()))
                .action("iam:PassRole")
                .resource(r.item.value.clone())
                .related("the action is here", a.item.span)
                .help("scope `iam:PassRole` to the roles the service needs, e.g. `arn:aws:iam::123456789012:role/my-service-role`"),
            );
        }
        let limited =
            s.st.condition
                .iter()
                .any(|c| key_matches("iam:PassedToService", &c.key.value));
        if !limited {
            cx.push(
                Finding::new(
                    Code::PassroleAnyService,
                    cx.src,
                    a.item.span,
                    format!("`{}` has no `iam:PassedToService` condition, so the roles can be passed to any service", a.item.value),
                )
                .statement(Some(s.st.reference()))
                .action("iam:PassRole")
                .help("add `\"Condition\": {\"StringEquals\": {\"iam:PassedToService\": \"ec2.amazonaws.com\"}}` naming the service"),
            );
        }
    }
    // broad-resource: write/permissions actions with resource-level support, on `*`,
    // unconditioned. One finding per value.
    if has_condition || !s.positive_resources || !s.any_resource() {
        return;
    }
    for a in &s.actions {
        let broad: Vec<_> = a
            .matches
            .iter()
            // PassRole on `*` is `passrole-to-any`, a warning already.
            .filter(|m| {
                m.is_write() && !m.action.resources.is_empty() && !m.is("iam", "PassRole")
            })
            .collect();
        if broad.is_empty() {
            continue;
        }
        let msg = if a.is_wild() {
            format!(
                "`{}` allows {} write or permissions-management actions that support resource-level permissions on `*`",
                a.item.value,
                broad.len()
            )
        } else {
            format!(
                "`{}` ({}) supports resource-level permissions but is allowed on `*`",
                a.item.value,
                broad.first().map_or("", |m| m.access_level())
            )
        };
        let f = Finding::new(Code::BroadResource, cx.src, a.item.span, msg)
            .statement(Some(s.st.reference()))
            .action(a.item.value.clone())
            .resource("*")
            .help(format!(
                "scope it to {}",
                broad
                    .first()
                    .map(|m| super::resources::describe_types(**m))
                    .unwrap_or_default()
            ));
        cx.push(f);
    }
}

/// `privilege-escalation` over all statements: each method whose actions are all allowed
/// by some `Allow` statement whose scope does not stop it.
pub(crate) fn check_policy(cx: &mut Cx<'_>, stmts: &[Stmt<'_>]) {
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
    // Per statement that can grant without restriction, the actions it names (by address),
    // so each method's actions are looked up rather than searched for.
    let named: Vec<Option<foldhash::HashSet<usize>>> = stmts
        .iter()
        .map(|s| {
            may_grant_unrestricted(s).then(|| {
                s.actions
                    .iter()
                    .flat_map(|a| a.matches.iter())
                    .map(|m| std::ptr::from_ref(m.action) as usize)
                    .collect()
            })
        })
        .collect();
    let targets = method_targets(cx.catalog);
    for (method, targets) in METHODS.iter().zip(targets.iter()) {
        let mut grants: Vec<(usize, Span)> = Vec::new();
        for target in targets {
            let Some(target) = *target else {
                break;
            };
            let key = std::ptr::from_ref(target.action) as usize;
            let found = stmts
                .iter()
                .zip(&named)
                .enumerate()
                .filter(|(_, (s, set))| {
                    set.as_ref().is_some_and(|set| set.contains(&key))
                        || s.actions.iter().any(|a| a.all)
                })
                .find_map(|(i, (s, _))| grants_unrestricted(s, target).map(|span| (i, span)));
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
/// one), looked up once per catalog and thread.
fn method_targets(
    catalog: &'static crate::catalog::Catalog,
) -> std::rc::Rc<Vec<Vec<Option<crate::catalog::ActionRef>>>> {
    type Targets = std::rc::Rc<Vec<Vec<Option<crate::catalog::ActionRef>>>>;
    thread_local! {
        static TARGETS: std::cell::RefCell<Option<(usize, Targets)>> =
            const { std::cell::RefCell::new(None) };
    }
    let key = std::ptr::from_ref(catalog) as usize;
    TARGETS.with_borrow_mut(|t| match t {
        Some((k, v)) if *k == key => v.clone(),
        _ => {
            let v: Targets = std::rc::Rc::new(
                METHODS
                    .iter()
                    .map(|m| {
                        m.actions
                            .iter()
                            .map(|a| catalog.action_by_full_name(a))
                            .collect()
                    })
                    .collect(),
            );
            *t = Some((key, v.clone()));
            v
        }
    })
}

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
    let value = s.actions.iter().find(|a| {
        a.all
            || a.matches
                .iter()
                .any(|m| std::ptr::eq(m.action, target.action))
    })?;
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
