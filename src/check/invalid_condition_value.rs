//! `invalid-condition-value`: a condition value its operator cannot read: not a date, number,
//! Boolean, IP address, ARN or base-64 value.
//!
//! Logic: [`statement`], per condition clause; the value forms are read by
//! [`super::conditions`].

use super::conditions::{
    Kind, base_operator, is_arn_pattern, is_base64, is_bool, is_date, is_ip_or_cidr, is_number,
};
use super::{Cx, Stmt};
use crate::finding::{Code, Finding};
use super::docs::Doc;

/// The documentation of `invalid-condition-value`: `iamlint explain invalid-condition-value` prints
/// it.
pub(crate) const DOC: Doc = Doc {
    what: "A condition value its operator cannot read, by the operator's type (AWS's condition operator page): `Null` or `Bool` with anything but `true`/`false`; a numeric operator with a non-number; a date operator with a value that is neither ISO 8601 (the W3C profile: `2026-04-01`, `2026-04-01T12:00:00Z`, with an offset or fraction) nor epoch seconds; `IpAddress`/`NotIpAddress` with something that is not an IPv4/IPv6 address or CIDR block; an ARN operator with a value that is not an ARN (wildcards allowed); `BinaryEquals` with a value that is not base-64. A policy variable counts as a value only where AWS replaces it (string, Boolean and ARN operators). Unquoted JSON numbers and Booleans are fine in condition values (the policy grammar makes quotes optional for them) and are read as their text; a number with a leading zero is not JSON and is a `json-syntax` error.",
    why: "IAM cannot compare the request's value with it, so a positive condition never matches (the grant or Deny is dead) and a negative one always matches; IAM may also refuse the policy.",
    example: r#""Condition": {"DateLessThan": {"aws:CurrentTime": "next friday"}, "IpAddress": {"aws:SourceIp": "10.0.0.0/33"}}"#,
    fix: "Write the value in the form the help line names; for a date computed per request, use a date key, not a policy variable.",
    access_analyzer: "Invalid condition data type, Type mismatch (Boolean, date, IP range, number), Invalid variable for operator.",
};

/// Per condition clause of the statement.
pub(crate) fn statement(cx: &mut Cx<'_>, s: &Stmt<'_>) {
    for c in &s.st.condition {
        if let Some(base) = base_operator(c.operator.value.as_str()) {
            values(cx, c, base, s);
        }
    }
}

/// `invalid-condition-value`: each value the operator cannot read as its type.
fn values(cx: &mut Cx<'_>, c: &crate::policy::ConditionClause, base: &str, s: &Stmt<'_>) {
    let kind = Kind::of(base);
    if kind == Kind::String {
        return;
    }
    for v in &c.values {
        let t = v.value.as_str();
        let has_var = crate::arn::has_var(t);
        if has_var && kind.takes_variables() {
            continue;
        }
        let (ok, expected) = match kind {
            Kind::String => (true, ""),
            Kind::Null => (
                is_bool(t),
                "`true` (the key is absent) or `false` (it is present)",
            ),
            Kind::Bool => (is_bool(t), "`true` or `false`"),
            Kind::Numeric => (is_number(t), "a number such as `3600` or `1.2`"),
            Kind::Date => (
                is_date(t),
                "a date in ISO 8601 form (`2026-04-01`, `2026-04-01T12:00:00Z`) or epoch seconds",
            ),
            Kind::Ip => (
                is_ip_or_cidr(t),
                "an IPv4 or IPv6 address or CIDR block (`203.0.113.0/24`, `2001:db8::/32`)",
            ),
            Kind::Arn => (
                is_arn_pattern(t),
                "an ARN, `arn:partition:service:region:account:resource`, wildcards allowed",
            ),
            Kind::Binary => (is_base64(t), "base-64 encoded bytes"),
        };
        if ok {
            continue;
        }
        let help = if has_var {
            format!(
                "`{base}` takes no policy variables: IAM compares the text `{t}` itself, which is not {}",
                kind.one()
            )
        } else {
            format!("`{base}` compares {}: write {expected}", kind.what())
        };
        cx.push(
            Finding::new(
                Code::InvalidConditionValue,
                cx.src,
                v.span,
                format!("`{t}` is not {}", kind.one()),
            )
            .statement(Some(s.reference()))
            .help(help),
        );
    }
}

