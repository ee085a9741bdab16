//! `resource-mismatch`: an action that can act on none of the statement's resources, or a resource
//! none of its actions act on.
//!
//! Logic: [`statement`], which matches every action against every resource once, for this code
//! and `resource-level-unsupported`; the matching itself is in [`super::resources`].

use super::resources::{FitTable, describe_types};
use super::{Cx, ResolvedResource, Stmt};
use crate::finding::{Code, Finding};
use super::docs::Doc;

/// The documentation of `resource-mismatch`: `iamlint explain resource-mismatch` prints it.
pub(crate) const DOC: Doc = Doc {
    what: "An action that can act on none of its statement's resources (`iam:GetInstanceProfile` on a `role/` ARN, `s3:GetObject` on a bucket ARN), or a resource that none of its statement's actions act on. Resource patterns are matched against each resource type's ARN format, wildcards and policy variables included; a statement mixing role and instance-profile ARNs for role and instance-profile actions is fine.",
    why: "The grant is dead: the access the author meant is missing.",
    example: r#"{"Action": "iam:GetInstanceProfile", "Resource": "arn:aws:iam::*:role/app*"}"#,
    fix: "Scope the action to the resource types the message names, or move it to a statement that does.",
    access_analyzer: "Unsupported resource ARN in policy (warning there); none of Access Analyzer's checks matches actions to resource types per statement.",
};

/// Match every action of the statement against every resource once: an action that fits
/// none (`resource-mismatch`, or `resource-level-unsupported` when it takes no resource
/// type), then a resource no action fits.
pub(crate) fn statement(cx: &mut Cx<'_>, s: &Stmt<'_>) {
    // `NotAction`/`NotResource` name what is *not* granted: nothing to match.
    if !s.positive_actions || !s.positive_resources || s.all_actions() {
        return;
    }
    let valid: Vec<&ResolvedResource<'_>> =
        s.resources.iter().filter(|r| r.pattern.is_ok()).collect();
    if valid.is_empty() || s.any_resource() {
        return;
    }
    let table = FitTable::new(&valid);
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
            // Once this value fits and every resource has an action that fits it, the other
            // matches change nothing (`ec2:Describe*` names hundreds).
            if fits && fitted.iter().all(|x| *x) {
                break;
            }
            for k in 0..valid.len() {
                if fits && fitted.get(k) == Some(&true) {
                    continue;
                }
                let fit = m.resource_types().any(|(t, _)| table.fits(t, k));
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
                .statement(Some(s.reference()))
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
                .find(|m| !m.action.resources.is_empty());
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
                .statement(Some(s.reference()))
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
                .statement(Some(s.reference()))
                .resource(r.item.value.clone())
                .help("remove it, or add the actions it was meant for"),
            );
        }
    }
}

