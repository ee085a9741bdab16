//! `invalid-condition-value`: a condition value its operator cannot read: not a date, number, Boolean, IP address, ARN or base-64 value.
//!
//! Produced by the condition checks, [`super::conditions`], per condition clause.

use super::docs::Doc;

/// The documentation of `invalid-condition-value`: `iamlint explain invalid-condition-value` prints it.
pub(crate) const DOC: Doc = Doc {
    what: "A condition value its operator cannot read, by the operator's type (AWS's condition operator page): `Null` or `Bool` with anything but `true`/`false`; a numeric operator with a non-number; a date operator with a value that is neither ISO 8601 (the W3C profile: `2026-04-01`, `2026-04-01T12:00:00Z`, with an offset or fraction) nor epoch seconds; `IpAddress`/`NotIpAddress` with something that is not an IPv4/IPv6 address or CIDR block; an ARN operator with a value that is not an ARN (wildcards allowed); `BinaryEquals` with a value that is not base-64. A policy variable counts as a value only where AWS replaces it (string, Boolean and ARN operators). Unquoted JSON numbers and Booleans are fine in condition values (the policy grammar makes quotes optional for them) and are read as their text; a number with a leading zero is not JSON and is a `json-syntax` error.",
    why: "IAM cannot compare the request's value with it, so a positive condition never matches (the grant or Deny is dead) and a negative one always matches; IAM may also refuse the policy.",
    example: r#""Condition": {"DateLessThan": {"aws:CurrentTime": "next friday"}, "IpAddress": {"aws:SourceIp": "10.0.0.0/33"}}"#,
    fix: "Write the value in the form the help line names; for a date computed per request, use a date key, not a policy variable.",
    access_analyzer: "Invalid condition data type, Type mismatch (Boolean, date, IP range, number), Invalid variable for operator.",
};
