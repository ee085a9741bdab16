//! `unknown-condition-key`: a condition key neither global nor listed for its service.
//!
//! Logic: [`statement`], per condition clause; it also produces
//! `condition-key-not-applicable`, which needs the key found first.

use super::{Cx, Stmt};
use crate::catalog::key_matches;
use crate::finding::{Code, Finding};
use crate::suggest::closest;
use super::docs::Doc;

/// The documentation of `unknown-condition-key`: `iamlint explain unknown-condition-key` prints it.
pub(crate) const DOC: Doc = Doc {
    what: "A condition key that is neither a global key (`aws:...`, from the AWS global condition key page) nor listed for its service.",
    why: "A condition on a key that never exists is never true (or, with `...IfExists`, always).",
    example: r#""Condition": {"StringEquals": {"aws:ResourceTags/team": "x"}}"#,
    fix: "Use the suggested key.",
    access_analyzer: "Invalid global condition key / invalid service condition key.",
};

/// Per condition clause of the statement.
pub(crate) fn statement(cx: &mut Cx<'_>, s: &Stmt<'_>) {
    for c in &s.st.condition {
        key(cx, s, c);
    }
}

fn key(cx: &mut Cx<'_>, s: &Stmt<'_>, c: &crate::policy::ConditionClause) {
    let key = c.key.value.as_str();
    let Some((prefix, _)) = key.split_once(':') else {
        cx.push(
            Finding::new(
                Code::UnknownConditionKey,
                cx.src,
                c.key.span,
                format!("`{key}` is not a condition key: keys are written `service:name`"),
            )
            .statement(Some(s.reference())),
        );
        return;
    };
    // A few service-prefixed keys are global (`glue:RoleAssumedBy`, `ec2:SourceInstanceArn`).
    if !prefix.eq_ignore_ascii_case("aws") && cx.catalog.global_key(key).is_some() {
        return;
    }
    if prefix.eq_ignore_ascii_case("aws") {
        if cx.catalog.global_key(key).is_none() {
            let mut f = Finding::new(
                Code::UnknownConditionKey,
                cx.src,
                c.key.span,
                format!("unknown global condition key `{key}`"),
            )
            .statement(Some(s.reference()));
            if let Some(g) = closest(key, cx.catalog.global_conditions().iter().map(|k| k.key)) {
                f = f.suggest(g);
            }
            cx.push(f);
        }
        return;
    }
    let Some(svc) = cx.catalog.service(prefix) else {
        if cx.catalog.federation_key(key).is_some() {
            return;
        }
        cx.push(
            Finding::new(
                Code::UnknownConditionKey,
                cx.src,
                c.key.span,
                format!("condition key `{key}` names the unknown service `{prefix}`"),
            )
            .statement(Some(s.reference())),
        );
        return;
    };
    if cx.catalog.service_key(svc, key).is_none() {
        let mut f = Finding::new(
            Code::UnknownConditionKey,
            cx.src,
            c.key.span,
            format!("`{}` lists no condition key `{key}`", svc.prefix),
        )
        .statement(Some(s.reference()));
        if let Some(g) = closest(key, svc.conditions.iter().map(|k| k.key)) {
            f = f.suggest(g);
        }
        cx.push(f);
        return;
    }
    // Applicable when some named action, or one of its resource types, carries the key.
    // With `*` or `NotAction` the set of actions is open: skip.
    if !s.positive_actions || s.all_actions() || s.actions.iter().any(|a| a.matches.is_empty()) {
        return;
    }
    let applies = s.named_actions().any(|(_, m)| {
        m.action.conditions.iter().any(|k| key_matches(k, key))
            || m.resource_types()
                .any(|(t, _)| t.conditions.iter().any(|k| key_matches(k, key)))
    });
    if !applies {
        cx.push(
            Finding::new(
                Code::ConditionKeyNotApplicable,
                cx.src,
                c.key.span,
                format!("no action of the statement carries the condition key `{key}`"),
            )
            .statement(Some(s.reference()))
            .help("the condition never matches for these actions: with a positive operator the grant is dead, with a negative one the condition does nothing"),
        );
    }
}

