//! `broad-resource`: a write or permissions-management action that supports resource-level
//! permissions granted on `*` without a condition.
//!
//! Logic: [`statement`].

use super::{Cx, Stmt};
use crate::finding::{Code, Finding};
use super::docs::Doc;

/// The documentation of `broad-resource`: `iamlint explain broad-resource` prints it.
pub(crate) const DOC: Doc = Doc {
    what: "A Write, Tagging or Permissions-management action that supports resource-level permissions, allowed on `*` without a condition.",
    why: "It could be scoped; on `*` it reaches every resource of its type in the account.",
    example: r#"{"Effect": "Allow", "Action": "ec2:TerminateInstances", "Resource": "*"}"#,
    fix: "Scope it to the resource types the help line names, or add a tag condition.",
    access_analyzer: "None.",
};

/// Write/permissions actions with resource-level support, on `*`, unconditioned. One
/// finding per value.
pub(crate) fn statement(cx: &mut Cx<'_>, s: &Stmt<'_>) {
    if !s.st.is_allow() || !s.positive_actions || s.all_actions() {
        return;
    }
    if !s.st.condition.is_empty() || !s.positive_resources || !s.any_resource() {
        return;
    }
    for a in &s.actions {
        // How many of the value's actions are broad, and the first (`ec2:*` names hundreds:
        // counted, not listed).
        let mut broad = 0usize;
        let mut first = None;
        // PassRole on `*` is `passrole-to-any`, a warning already.
        for m in a.matches.iter().filter(|m| {
            m.is_write() && !m.action.resources.is_empty() && !m.is("iam", "PassRole")
        }) {
            broad += 1;
            first.get_or_insert(m);
        }
        let Some(first) = first else {
            continue;
        };
        let msg = if a.is_wild() {
            format!(
                "`{}` allows {broad} write or permissions-management actions that support resource-level permissions on `*`",
                a.item.value,
            )
        } else {
            format!(
                "`{}` ({}) supports resource-level permissions but is allowed on `*`",
                a.item.value,
                first.access_level()
            )
        };
        let mut help = String::from("scope it to ");
        help.push_str(&super::resources::describe_types(first));
        let f = Finding::new(Code::BroadResource, cx.src, a.item.span, msg)
            .statement(Some(s.reference()))
            .action(a.item.value.clone())
            .resource("*")
            .help(help);
        cx.push(f);
    }
}
