//! Checks on `Condition`: `unknown-condition-operator`, `unknown-condition-key`,
//! `condition-key-not-applicable`, `invalid-condition-value` (a value the operator cannot
//! read) and `condition-type-mismatch` (an operator of another type than the catalog gives
//! the key).
//!
//! What each operator reads comes from AWS's condition operator page
//! (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html>):
//! which operators take policy variables (string, Boolean, ARN; not numeric, date, IP,
//! binary), dates as the W3C profile of ISO 8601 or epoch seconds, IP addresses in CIDR
//! form (a bare address is a /32), binary values base-64 encoded, `Null` `true` or `false`.

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
            .statement(Some(s.st.reference()));
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
        key(cx, s, c);
        if let Some(base) = base_operator(op) {
            values(cx, c, base, s.st);
            type_mismatch(cx, c, base, s.st);
        }
    }
}

/// What an operator reads its values as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    String,
    Numeric,
    Date,
    Bool,
    Binary,
    Ip,
    Arn,
    Null,
}

impl Kind {
    fn of(base: &str) -> Kind {
        match base {
            "Bool" => Kind::Bool,
            "BinaryEquals" => Kind::Binary,
            "IpAddress" | "NotIpAddress" => Kind::Ip,
            "Null" => Kind::Null,
            b if b.starts_with("Numeric") => Kind::Numeric,
            b if b.starts_with("Date") => Kind::Date,
            b if b.starts_with("Arn") => Kind::Arn,
            _ => Kind::String,
        }
    }

    /// Policy variables are replaced before the comparison (AWS: "Policy variables –
    /// Supported" for string, Boolean and ARN operators only).
    fn takes_variables(self) -> bool {
        matches!(self, Kind::String | Kind::Bool | Kind::Arn)
    }

    /// How a message names what the operator compares.
    fn what(self) -> &'static str {
        match self {
            Kind::String => "strings",
            Kind::Numeric => "numbers",
            Kind::Date => "dates",
            Kind::Bool => "Booleans",
            Kind::Binary => "base-64 binary values",
            Kind::Ip => "IP addresses",
            Kind::Arn => "ARNs",
            Kind::Null => "the key's presence",
        }
    }

    /// How a message names one value of the type.
    fn one(self) -> &'static str {
        match self {
            Kind::String => "a string",
            Kind::Numeric => "a number",
            Kind::Date => "a date",
            Kind::Bool => "a Boolean",
            Kind::Binary => "base-64",
            Kind::Ip => "an IP address or CIDR block",
            Kind::Arn => "an ARN",
            Kind::Null => "`true` or `false`",
        }
    }
}

/// `invalid-condition-value`: each value the operator cannot read as its type.
fn values(cx: &mut Cx<'_>, c: &crate::policy::ConditionClause, base: &str, st: &crate::policy::Statement) {
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
            .statement(Some(st.reference()))
            .help(help),
        );
    }
}

/// `condition-type-mismatch`: a numeric, date, Boolean, IP or ARN operator on a key the
/// catalog types otherwise. String operators read any key as text, and ARN-valued keys are
/// often typed `String` (tags, encryption context), so those pairs are left alone; so is a
/// numeric operator on a date key (epoch seconds are numbers).
fn type_mismatch(cx: &mut Cx<'_>, c: &crate::policy::ConditionClause, base: &str, st: &crate::policy::Statement) {
    let kind = Kind::of(base);
    if matches!(kind, Kind::String | Kind::Null | Kind::Binary) {
        return;
    }
    let key = c.key.value.as_str();
    let Some((prefix, _)) = key.split_once(':') else {
        return;
    };
    let found = cx.catalog.global_key(key).or_else(|| {
        cx.catalog
            .service(prefix)
            .and_then(|svc| cx.catalog.service_key(svc, key))
    });
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
        .statement(Some(st.reference()))
        .help(format!(
            "IAM cannot read the key's value as {}, so the condition never matches (with a `Not` operator, always); use an operator for {} values",
            kind.one(),
            k.ty
        )),
    );
}

fn is_bool(t: &str) -> bool {
    t.eq_ignore_ascii_case("true") || t.eq_ignore_ascii_case("false")
}

/// `-12`, `3.5`, `1e3`: the number forms JSON has (IAM converts JSON numbers to text).
fn is_number(t: &str) -> bool {
    let b = t.strip_prefix('-').unwrap_or(t);
    let (mantissa, exp) = match b.find(['e', 'E']) {
        Some(i) => (b.get(..i).unwrap_or(""), b.get(i + 1..)),
        None => (b, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit());
    let m_ok = match mantissa.split_once('.') {
        Some((i, f)) => digits(i) && digits(f),
        None => digits(mantissa),
    };
    let e_ok = exp.is_none_or(|e| digits(e.strip_prefix(['+', '-']).unwrap_or(e)));
    m_ok && e_ok
}

/// Epoch seconds, or the W3C profile of ISO 8601 (<https://www.w3.org/TR/NOTE-datetime>):
/// `YYYY`, `YYYY-MM`, `YYYY-MM-DD`, then `Thh:mm`, `:ss`, `.s...`, and a zone `Z`,
/// `+hh:mm` or `-hh:mm` (`+hhmm` and no zone are accepted too: ISO 8601 allows them).
fn is_date(t: &str) -> bool {
    if is_number(t) && !t.contains(['e', 'E']) {
        return true;
    }
    let num = |s: &str, len: usize, lo: u32, hi: u32| -> bool {
        s.len() == len
            && s.bytes().all(|c| c.is_ascii_digit())
            && s.parse::<u32>().is_ok_and(|n| (lo..=hi).contains(&n))
    };
    let (date, time) = match t.split_once(['T', 't']) {
        Some((d, tm)) => (d, Some(tm)),
        None => (t, None),
    };
    let mut parts = date.split('-');
    let (Some(y), m, d, None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    if !num(y, 4, 0, 9999) {
        return false;
    }
    match (m, d) {
        (None, None) => return time.is_none(),
        (Some(m), None) => return num(m, 2, 1, 12) && time.is_none(),
        (Some(m), Some(d)) => {
            let Ok(month) = m.parse::<u32>() else {
                return false;
            };
            let year: u32 = y.parse().unwrap_or(0);
            let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
            let days = match month {
                2 if leap => 29,
                2 => 28,
                4 | 6 | 9 | 11 => 30,
                _ => 31,
            };
            if !num(m, 2, 1, 12) || !num(d, 2, 1, days) {
                return false;
            }
        }
        (None, Some(_)) => return false,
    }
    let Some(time) = time else { return true };
    // The zone: `Z`, or the last `+`/`-`.
    let (clock, zone) = if let Some(c) = time.strip_suffix(['Z', 'z']) {
        (c, None)
    } else if let Some(i) = time.rfind(['+', '-']) {
        (time.get(..i).unwrap_or(""), time.get(i + 1..))
    } else {
        (time, None)
    };
    if let Some(z) = zone {
        let ok = match z.split_once(':') {
            Some((h, m)) => num(h, 2, 0, 23) && num(m, 2, 0, 59),
            None => num(z, 4, 0, 2359) && z.get(2..).is_some_and(|m| num(m, 2, 0, 59)),
        };
        if !ok {
            return false;
        }
    }
    let (hms, frac) = match clock.split_once('.') {
        Some((a, f)) => (a, Some(f)),
        None => (clock, None),
    };
    if frac.is_some_and(|f| f.is_empty() || !f.bytes().all(|c| c.is_ascii_digit())) {
        return false;
    }
    let mut p = hms.split(':');
    match (p.next(), p.next(), p.next(), p.next()) {
        (Some(h), Some(m), None, None) => frac.is_none() && num(h, 2, 0, 23) && num(m, 2, 0, 59),
        (Some(h), Some(m), Some(s), None) => {
            num(h, 2, 0, 23) && num(m, 2, 0, 59) && num(s, 2, 0, 60)
        }
        _ => false,
    }
}

/// An IPv4 or IPv6 address, with an optional `/prefix` within its length.
fn is_ip_or_cidr(t: &str) -> bool {
    let (addr, prefix) = match t.split_once('/') {
        Some((a, p)) => (a, Some(p)),
        None => (t, None),
    };
    let max = if addr.parse::<std::net::Ipv4Addr>().is_ok() {
        32
    } else if addr.parse::<std::net::Ipv6Addr>().is_ok() {
        128
    } else {
        return false;
    };
    prefix.is_none_or(|p| {
        !p.is_empty()
            && p.len() <= 3
            && p.bytes().all(|c| c.is_ascii_digit())
            && p.parse::<u32>().is_ok_and(|n| n <= max)
    })
}

/// An ARN or ARN pattern: `arn:` and six colon-separated parts, unless a wildcard may stand
/// for the rest; or `*` alone.
fn is_arn_pattern(t: &str) -> bool {
    t == "*" || (t.starts_with("arn:") && (t.matches(':').count() >= 5 || t.contains('*')))
}

/// Standard base-64 (RFC 4648 §4), padded, or unpadded with a possible length.
fn is_base64(t: &str) -> bool {
    let body = t.trim_end_matches('=');
    let pad = t.len() - body.len();
    !body.is_empty()
        && pad <= 2
        && body
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'+' || c == b'/')
        && if pad > 0 {
            t.len() % 4 == 0
        } else {
            body.len() % 4 != 1
        }
}

fn key(cx: &mut Cx<'_>, s: &Stmt<'_>, c: &crate::policy::ConditionClause) {
    let key = c.key.value.as_str();
    let Some((prefix, _)) = key.split_once(':') else {
        cx.push(
            Finding::new(
                Code::UnknownConditionKey,
                cx.src,
                c.key.span,
                format!("`{key}` is not a condition key: keys are written `service:name`"),
            )
            .statement(Some(s.st.reference())),
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
            .statement(Some(s.st.reference()));
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
            .statement(Some(s.st.reference())),
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
        .statement(Some(s.st.reference()));
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
            .statement(Some(s.st.reference()))
            .help("the condition never matches for these actions: with a positive operator the grant is dead, with a negative one the condition does nothing"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::{base_operator, is_arn_pattern, is_base64, is_date, is_ip_or_cidr, is_number};

    #[test]
    fn value_forms() {
        for ok in [
            "1700000000",
            "2026",
            "2026-04",
            "2026-04-01",
            "2024-02-29",
            "2026-04-01T12:00Z",
            "2026-04-01T12:00:00Z",
            "2026-04-01T12:00:00.123Z",
            "2026-04-01T12:00:00+02:00",
            "2026-04-01T12:00:00-0530",
            "2026-04-01T12:00:00",
        ] {
            assert!(is_date(ok), "{ok}");
        }
        for bad in [
            "yesterday",
            "2026-13-01",
            "2023-02-29",
            "2026-04-31",
            "2026-04-01T25:00:00Z",
            "2026-04-01T12",
            "2026/04/01",
            "04/01/2026",
            "2026-04-01T12:00:00+2",
            "2026-04-01T12:00.5Z",
            "${aws:CurrentTime}",
            "",
        ] {
            assert!(!is_date(bad), "{bad}");
        }
        for ok in [
            "10.0.0.0/8",
            "203.0.113.7",
            "2001:db8::/32",
            "::1",
            "0.0.0.0/0",
        ] {
            assert!(is_ip_or_cidr(ok), "{ok}");
        }
        for bad in [
            "10.0.0.0/33",
            "10.0.0",
            "300.1.1.1",
            "2001:db8::/129",
            "10.0.0.0/",
            "any",
        ] {
            assert!(!is_ip_or_cidr(bad), "{bad}");
        }
        for ok in ["3600", "-1", "1.2", "1e3", "2.5E-2"] {
            assert!(is_number(ok), "{ok}");
        }
        for bad in ["", "one", "1.", ".5", "1,000", "0x10", "1e", "--1"] {
            assert!(!is_number(bad), "{bad}");
        }
        for ok in ["arn:aws:s3:::b", "arn:aws:iam::*:role/x", "arn:*", "*"] {
            assert!(is_arn_pattern(ok), "{ok}");
        }
        for bad in ["s3://bucket", "role/x", "arn:aws:s3", ""] {
            assert!(!is_arn_pattern(bad), "{bad}");
        }
        for ok in ["QUJD", "QUI=", "QQ==", "QUJDRA"] {
            assert!(is_base64(ok), "{ok}");
        }
        for bad in ["", "QUJ=D", "Q===", "not base64!", "QUJDR"] {
            assert!(!is_base64(bad), "{bad}");
        }
    }

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
