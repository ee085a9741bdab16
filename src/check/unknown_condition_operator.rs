//! `unknown-condition-operator`: a condition operator IAM does not know.
//!
//! Logic: [`statement`].

use super::conditions::{OPERATORS, base_operator};
use super::{Cx, Stmt};
use crate::finding::{Code, Finding};
use crate::suggest::closest;
use super::docs::Doc;

/// The documentation of `unknown-condition-operator`: `iamlint explain unknown-condition-operator`
/// prints it.
pub(crate) const DOC: Doc = Doc {
    what: "A condition operator IAM does not have, `ForAnyValue:`/`ForAllValues:` prefixes and `IfExists` suffixes understood.",
    why: "IAM rejects the policy.",
    example: r#""Condition": {"StringEqual": {"aws:username": "x"}}"#,
    fix: "Use the suggested operator.",
    access_analyzer: "Invalid condition operator.",
};

/// Each unknown operator of the statement, once.
pub(crate) fn statement(cx: &mut Cx<'_>, s: &Stmt<'_>) {
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
            .statement(Some(s.reference()));
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
    }
}

