//! What the `Condition` checks share (`unknown-condition-operator`, `unknown-condition-key`,
//! `condition-key-not-applicable`, `invalid-condition-value`, `condition-type-mismatch`,
//! each in its own file): the operators IAM knows, the type each reads its values as, and
//! the value forms.
//!
//! What each operator reads comes from AWS's condition operator page
//! (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html>):
//! which operators take policy variables (string, Boolean, ARN; not numeric, date, IP,
//! binary), dates as the W3C profile of ISO 8601 or epoch seconds, IP addresses in CIDR
//! form (a bare address is a /32), binary values base-64 encoded, `Null` `true` or `false`.

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

/// What an operator reads its values as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
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
    pub(crate) fn of(base: &str) -> Kind {
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
    pub(crate) fn takes_variables(self) -> bool {
        matches!(self, Kind::String | Kind::Bool | Kind::Arn)
    }

    /// How a message names what the operator compares.
    pub(crate) fn what(self) -> &'static str {
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
    pub(crate) fn one(self) -> &'static str {
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

pub(crate) fn is_bool(t: &str) -> bool {
    t.eq_ignore_ascii_case("true") || t.eq_ignore_ascii_case("false")
}

/// `-12`, `3.5`, `1e3`: the number forms JSON has (IAM converts JSON numbers to text).
pub(crate) fn is_number(t: &str) -> bool {
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
pub(crate) fn is_date(t: &str) -> bool {
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
pub(crate) fn is_ip_or_cidr(t: &str) -> bool {
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
pub(crate) fn is_arn_pattern(t: &str) -> bool {
    t == "*" || (t.starts_with("arn:") && (t.matches(':').count() >= 5 || t.contains('*')))
}

/// Standard base-64 (RFC 4648 §4), padded, or unpadded with a possible length.
pub(crate) fn is_base64(t: &str) -> bool {
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
