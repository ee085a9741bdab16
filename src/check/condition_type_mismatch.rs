//! `condition-type-mismatch`: a numeric, date, Boolean, IP or ARN operator on a condition key of
//! another type.
//!
//! Logic: [`statement`], per condition clause.

use super::conditions::{Kind, base_operator};
use super::{Cx, Stmt};
use crate::finding::{Code, Finding};
use super::docs::Doc;

/// The documentation of `condition-type-mismatch`: `iamlint explain condition-type-mismatch` prints
/// it.
pub(crate) const DOC: Doc = Doc {
    what: "A numeric, date, Boolean, IP or ARN operator on a condition key whose type in the catalog (AWS's Service Authorization Reference and global key page) is another: `DateGreaterThan` on the String key `aws:username`, `Bool` on the Date key `aws:TokenIssueTime`. String operators read any key as text and are not flagged; ARN operators on String keys are not flagged either (tags and encryption-context keys often hold ARNs), nor numeric operators on date keys (epoch seconds).",
    why: "IAM cannot read the key's value as the operator's type, so the condition never matches (with a `Not` operator, always).",
    example: r#""Condition": {"DateGreaterThan": {"aws:username": "2026-01-01"}}"#,
    fix: "Use an operator of the key's type (the help line names it), or the key you meant.",
    access_analyzer: "Type mismatch.",
};

/// Per condition clause of the statement.
pub(crate) fn statement(cx: &mut Cx<'_>, s: &Stmt<'_>) {
    for c in &s.st.condition {
        if let Some(base) = base_operator(c.operator.value.as_str()) {
            type_mismatch(cx, c, base, s);
        }
    }
}

/// `condition-type-mismatch`: a numeric, date, Boolean, IP or ARN operator on a key the
/// catalog types otherwise. String operators read any key as text, and ARN-valued keys are
/// often typed `String` (tags, encryption context), so those pairs are left alone; so is a
/// numeric operator on a date key (epoch seconds are numbers).
fn type_mismatch(cx: &mut Cx<'_>, c: &crate::policy::ConditionClause, base: &str, s: &Stmt<'_>) {
    let kind = Kind::of(base);
    if matches!(kind, Kind::String | Kind::Null | Kind::Binary) {
        return;
    }
    let key = c.key.value.as_str();
    let Some((prefix, _)) = key.split_once(':') else {
        return;
    };
    let found = cx
        .catalog
        .global_key(key)
        .or_else(|| {
            cx.catalog
                .service(prefix)
                .and_then(|svc| cx.catalog.service_key(svc, key))
        })
        .or_else(|| cx.catalog.federation_key(key));
    let Some(k) = found else { return };
    let ty = k.ty.strip_prefix("ArrayOf").unwrap_or(k.ty);
    let fits = match kind {
        Kind::String | Kind::Null | Kind::Binary => true,
        Kind::Numeric => matches!(ty, "Numeric" | "Date"),
        Kind::Date => ty == "Date",
        Kind::Bool => ty == "Bool",
        Kind::Ip => ty == "IPAddress",
        Kind::Arn => matches!(ty, "ARN" | "String"),
    };
    if fits {
        return;
    }
    cx.push(
        Finding::new(
            Code::ConditionTypeMismatch,
            cx.src,
            c.key.span,
            format!(
                "`{}` compares {}, but `{key}` is {} {} key",
                c.operator.value,
                kind.what(),
                // `an IPAddress key`, `an ArrayOfString key`, `a Date key`.
                if k.ty.starts_with(['A', 'E', 'I', 'O', 'U']) {
                    "an"
                } else {
                    "a"
                },
                k.ty
            ),
        )
        .statement(Some(s.reference()))
        .help(format!(
            "IAM cannot read the key's value as {}, so the condition never matches (with a `Not` operator, always); use an operator for {} values",
            kind.one(),
            k.ty
        )),
    );
}

