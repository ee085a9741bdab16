//! What the trust-policy checks share (`trust-any-principal`, `trust-github-any-repo`,
//! `trust-cognito-no-amr`, `trust-any-audience`): which statements let someone assume the
//! role, who they name, and which condition clauses narrow them.
//!
//! A clause narrows only when it must hold: a positive operator (not `...Not...`, as a
//! negated operator holds for everything but the values it names) without `IfExists` (which
//! holds when the key is absent) and with a value other than `*`
//! (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html>).

use super::{ResolvedAction, Stmt};
use crate::policy::ConditionClause;
use crate::span::Spanned;

/// The STS actions that assume a role
/// (<https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssecuritytokenservice.html>).
const ASSUME: [&str; 3] = [
    "AssumeRole",
    "AssumeRoleWithSAML",
    "AssumeRoleWithWebIdentity",
];

/// The value of an `Allow` statement with a `Principal` (a trust policy's) whose `Action`
/// names `sts:<one of names>` (or `ASSUME` when `names` is empty), by name, wildcard or `*`.
pub(crate) fn assumes<'a, 's>(s: &'a Stmt<'s>, names: &[&str]) -> Option<&'a ResolvedAction<'s>> {
    let p = s.st.principal.as_ref()?;
    if p.not || !s.st.is_allow() || !s.positive_actions {
        return None;
    }
    let wanted: &[&str] = if names.is_empty() { &ASSUME } else { names };
    s.actions.iter().find(|a| {
        a.all
            || (a.service.is_some_and(|svc| svc.prefix == "sts")
                && a.matches.iter().any(|m| wanted.contains(&m.action.name)))
    })
}

/// The statement's `Federated` principals.
pub(crate) fn federated<'a>(s: &'a Stmt<'_>) -> impl Iterator<Item = &'a Spanned<String>> {
    s.st.principal
        .iter()
        .flat_map(|p| p.entries.iter())
        .filter(|(k, _)| k.value == "Federated")
        .flat_map(|(_, v)| v.iter())
}

/// The OIDC provider a `Federated` value names, as its condition keys are prefixed: the part
/// after `oidc-provider/` of an ARN, or the value itself (`cognito-identity.amazonaws.com`).
pub(crate) fn provider(value: &str) -> &str {
    value
        .split_once(":oidc-provider/")
        .map_or(value, |(_, host)| host)
}

/// True when the clause must hold for the statement to apply (see the module header).
pub(crate) fn narrows(c: &ConditionClause) -> bool {
    let op = c.operator.value.to_ascii_lowercase();
    !op.contains("not")
        && !op.ends_with("ifexists")
        && op != "null"
        && !c.values.is_empty()
        && c.values.iter().all(|v| v.value != "*")
}

/// The narrowing clauses on `key` (case-insensitive).
pub(crate) fn clauses_on<'a>(
    s: &'a Stmt<'_>,
    key: &'a str,
) -> impl Iterator<Item = &'a ConditionClause> {
    s.st.condition
        .iter()
        .filter(move |c| c.key.value.eq_ignore_ascii_case(key) && narrows(c))
}
