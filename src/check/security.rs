//! What several security checks share: finding the `iam:PassRole` value of a statement
//! (`passrole-to-any`, `passrole-any-service`).

use super::{ResolvedAction, Stmt};

/// The value of an `Allow` statement's `Action` (without `*`) that names `iam:PassRole`,
/// explicitly or by an iam wildcard.
pub(crate) fn passrole<'a, 's>(s: &'a Stmt<'s>) -> Option<&'a ResolvedAction<'s>> {
    if !s.st.is_allow() || !s.positive_actions || s.all_actions() {
        return None;
    }
    s.actions.iter().find(|a| {
        a.service.is_some_and(|svc| svc.prefix == "iam")
            && a.matches.iter().any(|m| m.action.name == "PassRole")
    })
}
