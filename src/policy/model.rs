//! The typed policy model every stage uses. Values keep their spans; equality ignores them.

use crate::span::{Span, Spanned};

/// A policy document.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    /// `Version`, when present.
    pub version: Option<Spanned<String>>,
    /// `Id`, when present.
    pub id: Option<Spanned<String>>,
    /// The statements, in order.
    pub statements: Vec<Statement>,
    /// Identity policy, or resource/trust policy (one with a `Principal`).
    pub kind: PolicyKind,
}

/// What kind of document a policy is, as far as its text tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyKind {
    /// Attached to a user, group or role: no `Principal`, `Resource` required.
    Identity,
    /// A resource or trust policy: every statement names a `Principal`.
    Resource,
}

/// `Allow` or `Deny`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Effect {
    /// `"Allow"`
    Allow,
    /// `"Deny"`
    Deny,
}

/// One statement.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    /// 0-based position in the document.
    pub index: usize,
    /// The span of the statement object.
    pub span: Span,
    /// `Sid`.
    pub sid: Option<Spanned<String>>,
    /// `Effect`.
    pub effect: Option<Spanned<Effect>>,
    /// `Action` or `NotAction`.
    pub action: Option<Elements>,
    /// `Resource` or `NotResource`.
    pub resource: Option<Elements>,
    /// `Principal` or `NotPrincipal`.
    pub principal: Option<Principal>,
    /// `Condition`, flattened to one clause per operator and key.
    pub condition: Vec<ConditionClause>,
    /// The span of the `Condition` key, when present.
    pub condition_key: Option<Span>,
}

impl Statement {
    /// How findings name the statement: its Sid, or `#N`.
    pub fn reference(&self) -> String {
        match &self.sid {
            Some(s) if !s.value.is_empty() => s.value.clone(),
            // Written without the formatting machinery: a check of a broad policy names
            // tens of thousands of statements this way (600 instructions each through
            // `format!`).
            _ => {
                let mut n = itoa::Buffer::new();
                let n = n.format(self.index);
                let mut r = String::with_capacity(n.len() + 1);
                r.push('#');
                r.push_str(n);
                r
            }
        }
    }

    /// True for `Effect: Allow`.
    pub fn is_allow(&self) -> bool {
        matches!(
            self.effect,
            Some(Spanned {
                value: Effect::Allow,
                ..
            })
        )
    }
}

/// The values of `Action`/`NotAction` or `Resource`/`NotResource`.
#[derive(Debug, Clone, PartialEq)]
pub struct Elements {
    /// True for the `Not` form.
    pub not: bool,
    /// The span of the key.
    pub key: Span,
    /// The string values, in order (non-strings are reported and left out).
    pub items: Vec<Spanned<String>>,
    /// The misspelt key these values were read from, e.g. `Resources`.
    pub recovered_from: Option<String>,
}

/// `Principal`/`NotPrincipal`.
#[derive(Debug, Clone, PartialEq)]
pub struct Principal {
    /// True for `NotPrincipal`.
    pub not: bool,
    /// The span of the key.
    pub key: Span,
    /// `"Principal": "*"`.
    pub any: bool,
    /// `{"AWS": [...], "Service": ...}` entries.
    pub entries: Vec<(Spanned<String>, Vec<Spanned<String>>)>,
}

/// One `operator -> key -> values` clause of a `Condition`.
#[derive(Debug, Clone, PartialEq)]
pub struct ConditionClause {
    /// E.g. `StringEquals`, `ForAnyValue:StringLike`, `ArnLikeIfExists`.
    pub operator: Spanned<String>,
    /// The condition key.
    pub key: Spanned<String>,
    /// The values, as strings (numbers and booleans in their JSON text).
    pub values: Vec<Spanned<String>>,
}
