//! One request decided, as IAM decides it for a principal in its own account: is `action` on
//! `resource`, with this request context, allowed by the identity policies and the
//! permissions boundary? The answer names the statements that decided it (`iamlint can`, and
//! the differential test against an independent evaluator).
//!
//! The logic is AWS's policy evaluation for identity policies and a boundary
//! (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html>):
//! an explicit `Deny` in either wins; else the request needs an `Allow` in the identity
//! policies and, when there is a boundary, an `Allow` in the boundary too; else it is
//! implicitly denied. Actions match case-insensitively; resources as ARNs
//! ([`crate::pattern::arn_match`]); an action that takes no resource type is requested on
//! `*`, which only a `*` resource matches.

use std::borrow::Borrow;

use serde::Serialize;

use super::Doc;
use super::condition::{self, Context, Tri};
use crate::catalog;
use crate::pattern::wild_match;
use crate::policy::{Effect, Statement};
use crate::span::LineIndex;

/// What is asked.
#[derive(Debug, Clone)]
pub struct Request {
    /// `service:Action`.
    pub action: String,
    /// The resource ARN (or `*`).
    pub resource: String,
    /// The request context.
    pub context: Context,
}

/// The answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// An `Allow` applies (in the boundary too, if any) and no `Deny` does.
    Allowed,
    /// An explicit `Deny` applies.
    Denied,
    /// Nothing allows it (implicit deny).
    NotAllowed,
}

impl Verdict {
    /// How the CLI prints it.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Allowed => "allowed",
            Verdict::Denied => "denied",
            Verdict::NotAllowed => "not allowed",
        }
    }
}

/// A statement that took part in the decision.
#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    /// The policy it is in (path or ARN).
    pub policy: String,
    /// True for a statement of the permissions boundary.
    pub boundary: bool,
    /// Its Sid, or `#N`.
    pub statement: String,
    /// `Allow` or `Deny`.
    pub effect: &'static str,
    /// 1-based line and column of the statement.
    pub line: u32,
    /// Column.
    pub column: u32,
    /// Its conditions, as text (empty when it has none).
    pub conditions: Vec<String>,
}

/// The decision on one request.
#[derive(Debug, Clone, Serialize)]
pub struct Decision {
    /// Allowed, denied, or not allowed.
    pub verdict: Verdict,
    /// The action as evaluated.
    pub action: String,
    /// The resource as evaluated (`*` for an action that takes no resource type).
    pub resource: String,
    /// The statements that decided: the `Deny`s that apply, or the `Allow`s that grant.
    pub deciding: Vec<Hit>,
    /// Statements that name the action and resource but whose condition does not hold.
    pub unmet: Vec<Hit>,
    /// Statements whose condition the context does not decide (open contexts, operators
    /// iamlint does not know); they are taken as not applying.
    pub undecided: Vec<Hit>,
    /// Why it is not allowed, or how the request was read, in words.
    pub notes: Vec<String>,
}

/// Why a request cannot be evaluated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestError {
    /// The action is not `service:Action`.
    #[error("`{0}` is not an action: write `service:Action`, e.g. `s3:GetObject`")]
    NotAction(String),
    /// The catalog does not know the action.
    #[error("the action `{0}` is not in the catalog{1}")]
    UnknownAction(String, String),
}

/// The catalog's answer for a `service:Action`: its name as AWS spells it, and whether it
/// takes no resource type (then it is requested on `*`).
pub fn lookup(action: &str) -> Result<(String, bool), RequestError> {
    let c = catalog::get();
    let Some((svc, name)) = action.split_once(':') else {
        return Err(RequestError::NotAction(action.to_string()));
    };
    if let Some(a) = c.action(&svc.to_ascii_lowercase(), name) {
        return Ok((a.full_name(), a.resource_types().next().is_none()));
    }
    let hint = c
        .service(&svc.to_ascii_lowercase())
        .and_then(|s| c.suggest_action(s, name, &crate::suggest::Context::default()))
        .map(|s| format!("; did you mean `{s}`?"))
        .unwrap_or_default();
    Err(RequestError::UnknownAction(action.to_string(), hint))
}

/// Does statement `st` of `doc` apply to the request? `None` when it names another action
/// or resource (or is not an identity statement); else its condition's answer.
pub fn applies(
    doc: &Doc,
    st: &Statement,
    action: &str,
    resource: &str,
    ctx: &Context,
) -> Option<Tri> {
    if st.principal.is_some() || st.effect.is_none() {
        return None;
    }
    let (Some(act), Some(res)) = (&st.action, &st.resource) else {
        return None;
    };
    // A misspelt element (`Resources`) makes IAM reject the policy: it grants nothing.
    if act.recovered_from.is_some() || res.recovered_from.is_some() {
        return None;
    }
    let named = act
        .items
        .iter()
        .any(|i| i.value == "*" || crate::pattern::matches_ci_text(&i.value, action));
    if named == act.not {
        return None;
    }
    let vars = condition::variables_allowed(doc.policy.version.as_ref().map(|v| v.value.as_str()));
    // A value whose variable the request cannot fill matches nothing; AWS warns that it can
    // make the whole statement invalid, so a `NotResource` with one never applies
    // (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html>).
    let mut unresolved = false;
    let on = res.items.iter().any(|i| {
        if i.value == "*" {
            return true;
        }
        // Without a policy variable, the text before the first wildcard must start the
        // resource (and with no wildcard, be it): most ARNs of a dump are settled here.
        let pat = i.value.as_bytes();
        if memchr::memchr(b'$', pat).is_none() {
            match memchr::memchr2(b'*', b'?', pat) {
                None => return i.value == resource,
                Some(k) => {
                    if !pat
                        .get(..k)
                        .is_some_and(|head| resource.as_bytes().starts_with(head))
                    {
                        return false;
                    }
                }
            }
        }
        match condition::tokens(&i.value, ctx, vars, true) {
            Some(t) => wild_match(&t, resource, true),
            None => {
                unresolved = true;
                false
            }
        }
    });
    if on == res.not || (res.not && unresolved) {
        return None;
    }
    Some(condition::all(&st.condition, ctx, vars))
}

/// The [`Hit`] of statement `st` of `doc`, located in the document's own text.
pub fn hit(doc: &Doc, st: &Statement, boundary: bool) -> Hit {
    let idx = LineIndex::new(&doc.text);
    let (line, column) = idx.line_col(&doc.text, st.span.start);
    hit_at(doc, st, boundary, line, column)
}

/// The [`Hit`] of statement `st` of `doc`, at a `line` and `column` the caller computed.
pub fn hit_at(doc: &Doc, st: &Statement, boundary: bool, line: u32, column: u32) -> Hit {
    Hit {
        policy: doc.origin.clone(),
        boundary,
        statement: st.reference(),
        effect: if st.is_allow() { "Allow" } else { "Deny" },
        line,
        column,
        conditions: st.condition.iter().map(condition::describe).collect(),
    }
}

/// Decide `req` against the identity policies `docs` and an optional permissions boundary.
pub fn decide<D: Borrow<Doc>>(
    docs: &[D],
    boundary: Option<&[D]>,
    req: &Request,
) -> Result<Decision, RequestError> {
    decide_with(docs, boundary, req, &hit)
}

/// [`decide`], with `hit` making the [`Hit`] of each statement that took part (a caller
/// that evaluates many principals of one account dump locates statements with one line
/// index of the dump, not one per hit).
pub fn decide_with<D: Borrow<Doc>>(
    docs: &[D],
    boundary: Option<&[D]>,
    req: &Request,
    hit: &dyn Fn(&Doc, &Statement, bool) -> Hit,
) -> Result<Decision, RequestError> {
    decide_in(
        docs,
        boundary,
        &req.action,
        &req.resource,
        &req.context,
        hit,
    )
}

/// [`decide_with`] of the request (`action`, `resource`, `context`), given by reference: an
/// account audit asks hundreds of thousands of requests, each principal's in its own
/// context, made once.
pub fn decide_in<D: Borrow<Doc>>(
    docs: &[D],
    boundary: Option<&[D]>,
    action: &str,
    resource: &str,
    context: &Context,
    hit: &dyn Fn(&Doc, &Statement, bool) -> Hit,
) -> Result<Decision, RequestError> {
    let (action, wildcard_only) = lookup(action)?;
    let mut notes = Vec::new();
    let resource = if wildcard_only {
        if resource != "*" {
            notes.push(format!(
                "`{action}` takes no resource type, so IAM evaluates it on `*`, which only a `*` resource matches"
            ));
        }
        "*".to_string()
    } else {
        resource.to_string()
    };
    let mut deny = Vec::new();
    let mut allow = Vec::new();
    let mut ballow = Vec::new();
    let mut unmet = Vec::new();
    let mut undecided = Vec::new();
    let sets = std::iter::once((docs, false)).chain(boundary.map(|b| (b, true)));
    for (set, is_boundary) in sets {
        for doc in set {
            let doc: &Doc = doc.borrow();
            for st in &doc.policy.statements {
                let Some(t) = applies(doc, st, &action, &resource, context) else {
                    continue;
                };
                let h = hit(doc, st, is_boundary);
                let is_deny = matches!(st.effect.as_ref().map(|e| e.value), Some(Effect::Deny));
                match t {
                    Tri::True if is_deny => deny.push(h),
                    Tri::True if is_boundary => ballow.push(h),
                    Tri::True => allow.push(h),
                    Tri::False => unmet.push(h),
                    Tri::Unknown => undecided.push(h),
                }
            }
        }
    }
    let (verdict, deciding) = if !deny.is_empty() {
        (Verdict::Denied, deny)
    } else if allow.is_empty() {
        notes.push("no identity policy statement allows it".into());
        (Verdict::NotAllowed, Vec::new())
    } else if boundary.is_some() && ballow.is_empty() {
        notes.push("the identity policies allow it, but the permissions boundary does not".into());
        (Verdict::NotAllowed, allow)
    } else {
        allow.extend(ballow);
        (Verdict::Allowed, allow)
    };
    Ok(Decision {
        verdict,
        action,
        resource,
        deciding,
        unmet,
        undecided,
        notes,
    })
}

/// A policy text that cannot be evaluated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{origin}:{line}:{column}: {message}")]
pub struct DocError {
    /// The file or ARN.
    pub origin: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
    /// What is wrong.
    pub message: String,
}

/// Parse a policy text for evaluation; `src` is its index among the caller's sources. JSON
/// that cannot be read is an error naming the line and column.
pub fn doc_from_text(src: usize, origin: &str, text: &str) -> Result<Doc, DocError> {
    let parsed = crate::policy::json::parse(text).map_err(|e| {
        let (line, column) = LineIndex::new(text).line_col(text, e.span.start);
        DocError {
            origin: origin.to_string(),
            line,
            column,
            message: e.message.clone(),
        }
    })?;
    let mut scratch = Vec::new();
    let policy = crate::policy::parse::parse_policy(parsed, src, &mut scratch);
    Ok(Doc {
        src,
        origin: origin.to_string(),
        text: text.into(),
        policy,
    })
}
