//! Checks on `Condition`: `unknown-condition-operator`, `unknown-condition-key`,
//! `condition-key-not-applicable`.

use super::{Cx, Stmt};
use crate::catalog::key_matches;
use crate::finding::{Code, Finding};
use crate::suggest::closest;

/// The condition operators IAM knows
/// (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html>).
pub(crate) const OPERATORS: &[&str] = &[
    "StringEquals",
    "StringNotEquals",
    "StringEqualsIgnoreCase",
    "StringNotEqualsIgnoreCase",
    "StringLike",
    "StringNotLike",
    "NumericEquals",
    "NumericNotEquals",
    "NumericLessThan",
    "NumericLessThanEquals",
    "NumericGreaterThan",
    "NumericGreaterThanEquals",
    "DateEquals",
    "DateNotEquals",
    "DateLessThan",
    "DateLessThanEquals",
    "DateGreaterThan",
    "DateGreaterThanEquals",
    "Bool",
    "BinaryEquals",
    "IpAddress",
    "NotIpAddress",
    "ArnEquals",
    "ArnLike",
    "ArnNotEquals",
    "ArnNotLike",
    "Null",
];

/// Split `ForAnyValue:StringLikeIfExists` into its base operator, or `None` if it is not one.
pub(crate) fn base_operator(op: &str) -> Option<&'static str> {
    let op = op
        .strip_prefix("ForAllValues:")
        .or_else(|| op.strip_prefix("ForAnyValue:"))
        .unwrap_or(op);
    let base = op.strip_suffix("IfExists").unwrap_or(op);
    let found = OPERATORS.iter().copied().find(|o| *o == base)?;
    // `Null` checks existence itself; `NullIfExists` is not an operator.
    (found != "Null" || base == op).then_some(found)
}

pub(crate) fn check(cx: &mut Cx<'_>, s: &Stmt<'_>) {
    let stmt_ref = s.st.reference();
    let mut seen_ops: Vec<&str> = Vec::new();
    for c in &s.st.condition {
        let op = c.operator.value.as_str();
        if base_operator(op).is_none() && !seen_ops.contains(&op) {
            seen_ops.push(op);
            let mut f = Finding::new(
                Code::UnknownConditionOperator,
                cx.src,
                c.operator.span,
                format!("unknown condition operator `{op}`"),
            )
            .statement(Some(stmt_ref.clone()));
            let (prefix, rest) = match op.split_once(':') {
                Some((p, r)) => (format!("{p}:"), r),
                None => (String::new(), op),
            };
            let bare = rest.strip_suffix("IfExists").unwrap_or(rest);
            let suffix = &rest[bare.len()..];
            if let Some(g) = closest(bare, OPERATORS.iter().copied()) {
                f = f.suggest(format!("{prefix}{g}{suffix}"));
            }
            cx.push(f);
        }
        key(cx, s, c, &stmt_ref);
    }
}

fn key(cx: &mut Cx<'_>, s: &Stmt<'_>, c: &crate::policy::ConditionClause, stmt_ref: &str) {
    let key = c.key.value.as_str();
    let Some((prefix, _)) = key.split_once(':') else {
        cx.push(
            Finding::new(
                Code::UnknownConditionKey,
                cx.src,
                c.key.span,
                format!("`{key}` is not a condition key: keys are written `service:name`"),
            )
            .statement(Some(stmt_ref.to_string())),
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
            .statement(Some(stmt_ref.to_string()));
            if let Some(g) = closest(key, cx.catalog.global_conditions().iter().map(|k| k.key)) {
                f = f.suggest(g);
            }
            cx.push(f);
        }
        return;
    }
    let Some(svc) = cx.catalog.service(prefix) else {
        cx.push(
            Finding::new(
                Code::UnknownConditionKey,
                cx.src,
                c.key.span,
                format!("condition key `{key}` names the unknown service `{prefix}`"),
            )
            .statement(Some(stmt_ref.to_string())),
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
        .statement(Some(stmt_ref.to_string()));
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
            .statement(Some(stmt_ref.to_string()))
            .help("the condition never matches for these actions: with a positive operator the grant is dead, with a negative one the condition does nothing"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::base_operator;

    #[test]
    fn operators() {
        assert_eq!(base_operator("StringEquals"), Some("StringEquals"));
        assert_eq!(
            base_operator("ForAnyValue:StringLikeIfExists"),
            Some("StringLike")
        );
        assert_eq!(base_operator("Null"), Some("Null"));
        assert_eq!(base_operator("NullIfExists"), None);
        assert_eq!(base_operator("StringEqual"), None);
        assert_eq!(base_operator("stringequals"), None);
    }
}
