//! `who-can`: one request decided for every user and role of an account dump
//! ([`effective::decide`], so by the one evaluator), in parallel. Groups make no request of
//! their own: what a group grants reaches its users, and is found there. The answer lists
//! who is allowed, who only if a condition holds, who is explicitly denied, and every
//! principal that could not be evaluated; it never drops one in silence.

use rayon::prelude::*;
use serde::Serialize;

use super::effective::{self, Access, Answer};
use super::{Account, Kind, Unevaluated};
use crate::eval::request::{Request, RequestError};

/// The answer of `who-can`.
#[derive(Debug, Clone, Serialize)]
pub struct WhoCan {
    /// The action as evaluated (AWS's spelling).
    pub action: String,
    /// The resource as evaluated (`*` for an action that takes no resource type).
    pub resource: String,
    /// The dump.
    pub dump: String,
    /// Users and roles evaluated.
    pub evaluated: usize,
    /// Allowed whatever the keys not given, in dump order.
    pub allowed: Vec<Answer>,
    /// Allowed only if a condition holds.
    pub allowed_if: Vec<Answer>,
    /// Allowed by some statement but denied by an explicit `Deny` (the near misses a
    /// reviewer wants to see: what stops them).
    pub denied: Vec<Answer>,
    /// Users and roles that could not be evaluated (groups too: their users are among
    /// these).
    pub unevaluated: Vec<Unevaluated>,
    /// What makes the whole dump incomplete.
    pub errors: Vec<String>,
}

impl WhoCan {
    /// True when every principal was evaluated and the dump is whole: only then is the
    /// list of who can complete.
    pub fn complete(&self) -> bool {
        self.unevaluated.is_empty() && self.errors.is_empty()
    }
}

/// Who in `account` can make `req`.
pub fn who_can(account: &Account, req: &Request) -> Result<WhoCan, RequestError> {
    // The request is checked once, so a typo is one error, not one per principal.
    let (action, wildcard_only) = crate::eval::request::lookup(&req.action)?;
    let answers: Vec<Answer> = account
        .subjects
        .par_iter()
        .filter(|s| s.kind != Kind::Group)
        .map(|s| effective::decide(account, s, req))
        .collect::<Result<_, _>>()?;
    let evaluated = answers.len();
    let mut out = WhoCan {
        action,
        resource: if wildcard_only {
            "*".into()
        } else {
            req.resource.clone()
        },
        dump: account.origin.clone(),
        evaluated,
        allowed: Vec::new(),
        allowed_if: Vec::new(),
        denied: Vec::new(),
        unevaluated: account.unevaluated.clone(),
        errors: account.errors.clone(),
    };
    for a in answers {
        match a.access {
            Access::Allowed => out.allowed.push(a),
            Access::AllowedIf => out.allowed_if.push(a),
            Access::Denied if has_allow(account, &a, req) => out.denied.push(a),
            Access::Denied | Access::NotAllowed => {}
        }
    }
    Ok(out)
}

/// Would an `Allow` of the principal grant the request if no `Deny` applied? (A `Deny`
/// decides alone, so the decision does not name the `Allow`s it overrode.)
fn has_allow(account: &Account, a: &Answer, req: &Request) -> bool {
    let Some(s) = account.subjects.iter().find(|s| s.arn == a.arn) else {
        return false;
    };
    let ctx = s.context(&req.context);
    s.docs.iter().any(|doc| {
        doc.policy.statements.iter().any(|st| {
            st.is_allow()
                && crate::eval::request::applies(
                    doc,
                    st,
                    &a.decision.action,
                    &a.decision.resource,
                    &ctx,
                )
                .is_some_and(|t| t != crate::eval::condition::Tri::False)
        })
    })
}
