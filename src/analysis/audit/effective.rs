//! One request of one principal of an account dump, decided by the one evaluator
//! ([`request::decide_with`]) over the principal's documents and boundary, and read as
//! [`Access`]: allowed, allowed only if a condition holds, denied, or not allowed.
//!
//! The request context is *open*: a key the user does not give (`--context`) and the dump
//! does not fix for the principal ([`Subject::context`]) may hold any value, so a statement
//! conditioned on it is neither counted nor dropped: the answer is "allowed if" that
//! condition (for a `Deny`, "unless" it), as the evaluator reports it undecided.

use serde::Serialize;

use super::{Account, Subject};
use crate::eval::condition::Context;
use crate::eval::request::{self, Decision, Hit, Request, RequestError, Verdict};

/// The answer for one principal, conditions included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Access {
    /// Allowed whatever the values of the keys not given.
    Allowed,
    /// Allowed when [`Answer::condition`] holds.
    AllowedIf,
    /// An explicit `Deny` applies.
    Denied,
    /// Nothing allows it (or the boundary does not).
    NotAllowed,
}

impl Access {
    /// How the text report names it (without the condition).
    pub fn as_str(self) -> &'static str {
        match self {
            Access::Allowed => "allowed",
            Access::AllowedIf => "allowed if",
            Access::Denied => "denied",
            Access::NotAllowed => "not allowed",
        }
    }
}

/// One principal's answer to one request.
#[derive(Debug, Clone, Serialize)]
pub struct Answer {
    /// `user/NAME`, `group/NAME` or `role/NAME`.
    pub principal: String,
    /// Its ARN.
    pub arn: String,
    /// The answer.
    pub access: Access,
    /// For [`Access::AllowedIf`], what must hold, as the policies write it: one of the
    /// identity `Allow`s' conditions (`or`), one of the boundary's, and none of the
    /// conditional `Deny`s' (`unless`).
    pub condition: Option<String>,
    /// The evaluator's decision: the statements that decided, those whose condition did
    /// not hold, those whose condition depends on keys not given.
    pub decision: Decision,
}

/// A statement's conditions joined by `and`.
fn conds(h: &Hit) -> String {
    h.conditions.join(" and ")
}

/// Alternatives joined by `or`, parenthesised when there are several.
fn any_of(hs: &[&Hit]) -> String {
    let parts: Vec<String> = hs.iter().map(|h| conds(h)).collect();
    if parts.len() == 1 {
        parts.join("")
    } else {
        format!("({})", parts.join(" or "))
    }
}

/// Read the evaluator's decision as an [`Access`] and its condition. Only what the
/// evaluator decided is used: its deciding statements and the statements it left undecided.
/// `boundary_allows` is `None` without a boundary, else whether the boundary alone allows
/// the request whatever the keys not given (the decision names the boundary's `Allow`s
/// only when the identity policies allow too).
pub fn access(d: &Decision, boundary_allows: Option<bool>) -> (Access, Option<String>) {
    if d.verdict == Verdict::Denied {
        return (Access::Denied, None);
    }
    let has_boundary = boundary_allows.is_some();
    let sure = |boundary: bool| {
        (boundary && boundary_allows == Some(true))
            || d.deciding
                .iter()
                .any(|h| h.boundary == boundary && h.effect == "Allow")
    };
    let maybe = |boundary: bool, effect: &str| -> Vec<&Hit> {
        d.undecided
            .iter()
            .filter(|h| h.boundary == boundary && h.effect == effect)
            .collect()
    };
    let identity = maybe(false, "Allow");
    let boundary = maybe(true, "Allow");
    // Only the identity policies' and the boundary's own `Deny`s: both deny.
    let denies: Vec<&Hit> = d.undecided.iter().filter(|h| h.effect == "Deny").collect();
    let mut parts = Vec::new();
    if !sure(false) {
        if identity.is_empty() {
            return (Access::NotAllowed, None);
        }
        parts.push(any_of(&identity));
    }
    if has_boundary && !sure(true) {
        if boundary.is_empty() {
            return (Access::NotAllowed, None);
        }
        parts.push(any_of(&boundary));
    }
    let mut text = parts.join(" and ");
    if !denies.is_empty() {
        let unless = format!("unless {}", any_of(&denies));
        text = if text.is_empty() {
            unless
        } else {
            format!("{text}, {unless}")
        };
    }
    if text.is_empty() {
        (Access::Allowed, None)
    } else {
        (Access::AllowedIf, Some(text))
    }
}

/// Decide `req` for `subject` of `account`. `req.context` is the user's; the keys the dump
/// gives for the principal are added ([`Subject::context`]).
pub fn decide(account: &Account, subject: &Subject, req: &Request) -> Result<Answer, RequestError> {
    // The principal's context: made once for an open context with no key given (what the
    // audit asks), else here.
    let made;
    let context = if !req.context.complete && req.context.is_bare() {
        &subject.open
    } else {
        made = subject.context(&req.context);
        &made
    };
    let (action, resource) = (req.action.as_str(), req.resource.as_str());
    let hit =
        |doc: &crate::eval::Doc, st: &crate::policy::Statement, b: bool| account.hit(doc, st, b);
    let d = request::decide_in(
        &subject.docs,
        subject.boundary.as_deref(),
        action,
        resource,
        context,
        &hit,
    )?;
    // Without an identity `Allow` that holds, the decision does not say whether the
    // boundary allows: when an identity `Allow` is conditional, ask the same evaluator about
    // the boundary alone.
    let boundary_allows = match &subject.boundary {
        None => None,
        Some(_) if d.deciding.iter().any(|h| h.boundary) => Some(true),
        Some(b)
            if d.verdict == Verdict::NotAllowed
                && d.deciding.is_empty()
                && d.undecided
                    .iter()
                    .any(|h| !h.boundary && h.effect == "Allow") =>
        {
            let none: Option<&[std::sync::Arc<crate::eval::Doc>]> = None;
            let alone = request::decide_in(b, none, action, resource, context, &hit)?;
            Some(alone.verdict == Verdict::Allowed)
        }
        Some(_) => Some(false),
    };
    let (access, condition) = access(&d, boundary_allows);
    let mut d = d;
    if access == Access::AllowedIf {
        // The evaluator's "nothing allows it" counts only what holds for sure; here what
        // allows it under a condition is the answer, so say that instead.
        d.notes.retain(|n| {
            !n.starts_with("no identity policy")
                && !n.starts_with("the identity policies allow it, but")
        });
        d.notes.push("a statement above applies only if its condition holds: the request does not give the keys it tests (`--context KEY=VALUE` decides them)".into());
    }
    Ok(Answer {
        principal: subject.label.clone(),
        arn: subject.arn.clone(),
        access,
        condition,
        decision: d,
    })
}

/// An open request context holding the user's `--context` arguments.
pub fn context(args: &[String]) -> Result<Context, crate::eval::condition::ContextError> {
    let mut c = Context::new(false);
    c.parse_args(args)?;
    Ok(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hit(effect: &'static str, boundary: bool, cond: &str) -> Hit {
        Hit {
            policy: "p".into(),
            boundary,
            statement: "s".into(),
            effect,
            line: 1,
            column: 1,
            conditions: if cond.is_empty() {
                Vec::new()
            } else {
                vec![cond.to_string()]
            },
        }
    }

    fn decision(verdict: Verdict, deciding: Vec<Hit>, undecided: Vec<Hit>) -> Decision {
        Decision {
            verdict,
            action: "s3:GetObject".into(),
            resource: "*".into(),
            deciding,
            unmet: Vec::new(),
            undecided,
            notes: Vec::new(),
        }
    }

    #[test]
    fn access_reads_the_decision() {
        use Verdict::{Allowed, Denied, NotAllowed};
        let cases: Vec<(Decision, Option<bool>, Access, Option<&str>)> = vec![
            // A Deny that holds decides alone.
            (
                decision(
                    Denied,
                    vec![hit("Deny", false, "")],
                    vec![hit("Allow", false, "A")],
                ),
                None,
                Access::Denied,
                None,
            ),
            (
                decision(Allowed, vec![hit("Allow", false, "")], vec![]),
                None,
                Access::Allowed,
                None,
            ),
            (
                decision(NotAllowed, vec![], vec![]),
                None,
                Access::NotAllowed,
                None,
            ),
            // Conditional Allows are alternatives.
            (
                decision(
                    NotAllowed,
                    vec![],
                    vec![hit("Allow", false, "A"), hit("Allow", false, "B")],
                ),
                None,
                Access::AllowedIf,
                Some("(A or B)"),
            ),
            // A sure Allow makes a conditional one irrelevant; a conditional Deny does not.
            (
                decision(
                    Allowed,
                    vec![hit("Allow", false, "")],
                    vec![hit("Allow", false, "A"), hit("Deny", false, "D")],
                ),
                None,
                Access::AllowedIf,
                Some("unless D"),
            ),
            // The boundary must allow too: surely, under a condition, or not at all.
            (
                decision(NotAllowed, vec![], vec![hit("Allow", false, "A")]),
                Some(true),
                Access::AllowedIf,
                Some("A"),
            ),
            (
                decision(NotAllowed, vec![], vec![hit("Allow", false, "A")]),
                Some(false),
                Access::NotAllowed,
                None,
            ),
            (
                decision(
                    NotAllowed,
                    vec![hit("Allow", false, "")],
                    vec![hit("Allow", true, "B")],
                ),
                Some(false),
                Access::AllowedIf,
                Some("B"),
            ),
            (
                decision(NotAllowed, vec![hit("Allow", false, "")], vec![]),
                Some(false),
                Access::NotAllowed,
                None,
            ),
        ];
        for (i, (d, b, want, cond)) in cases.into_iter().enumerate() {
            let (got, c) = access(&d, b);
            assert_eq!((got, c.as_deref()), (want, cond), "case {i}");
        }
    }
}
