//! Condition evaluation against a request context: every IAM condition operator, the
//! `...IfExists` suffix, the `ForAnyValue:`/`ForAllValues:` set operators, and policy
//! variables in values and resources. Hands [`Tri`] answers to the evaluator.
//!
//! The rules are AWS's:
//! - operators, the absent-key rule (false, but true for negated operators) and the case rules:
//!   <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html>
//! - several operators and keys are ANDed, several values ORed (NORed for negated operators):
//!   <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-logic-multiple-context-keys-or-values.html>
//! - set operators: <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_multi-value-conditions.html>
//! - variables: <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html>
//!
//! A context is either *complete* (what a request is: a key not given is absent, as in
//! `iamlint can`) or *open* (what `check` knows: a key not given may hold any value, so a
//! condition on it is [`Tri::Unknown`] and a policy variable matches any value).

use std::collections::BTreeMap;
use std::net::IpAddr;

use crate::pattern::{Wild, wild_match};
use crate::policy::ConditionClause;

/// A three-valued answer: a condition on a key the context does not give is unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tri {
    /// Holds.
    True,
    /// Does not hold.
    False,
    /// Depends on request values the context does not give.
    Unknown,
}

impl Tri {
    fn from(b: bool) -> Self {
        if b { Tri::True } else { Tri::False }
    }

    /// Logical AND.
    pub fn and(self, o: Tri) -> Tri {
        match (self, o) {
            (Tri::False, _) | (_, Tri::False) => Tri::False,
            (Tri::True, Tri::True) => Tri::True,
            _ => Tri::Unknown,
        }
    }
}

/// The request context: condition keys (case-insensitive) and their values.
#[derive(Debug, Clone, Default)]
pub struct Context {
    /// Lowercased key -> (key as given, values).
    values: BTreeMap<String, (String, Vec<String>)>,
    /// True when a key not given is absent from the request (a request); false when it may
    /// hold any value (a check without the request).
    pub complete: bool,
    /// Lowercased keys, and prefixes ending in `/`, known to be absent even from an open
    /// context (a principal of an account dump has no `aws:username` when it is a role, and
    /// no `aws:PrincipalTag/` keys but its tags).
    absent: Vec<String>,
}

/// A `--context` argument that is not `key=value`, or whose key no AWS page documents.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ContextError {
    /// Not `key=value`.
    #[error("context `{0}`: write KEY=VALUE, e.g. `aws:MultiFactorAuthPresent=false`")]
    NotKeyValue(String),
    /// A key the catalog does not know (a typo would decide the request as if it were
    /// absent): the argument and why.
    #[error("context `{0}`: {1}")]
    UnknownKey(String, String),
}

/// Why the catalog does not know condition key `key`, as `lint`'s `unknown-condition-key`
/// says it; `None` when it does.
fn unknown_key(key: &str) -> Option<String> {
    let cat = crate::catalog::get();
    let Some((prefix, _)) = key.split_once(':') else {
        return Some(format!(
            "`{key}` is not a condition key: keys are written `service:name`"
        ));
    };
    if cat.global_key(key).is_some() {
        return None;
    }
    let hint = |g: Option<&str>| {
        g.map(|g| format!("; did you mean `{g}`?"))
            .unwrap_or_default()
    };
    if prefix.eq_ignore_ascii_case("aws") {
        let g = crate::suggest::closest(key, cat.global_conditions().iter().map(|k| k.key));
        return Some(format!("unknown global condition key `{key}`{}", hint(g)));
    }
    let Some(svc) = cat.service(prefix) else {
        if cat.federation_key(key).is_some() {
            return None;
        }
        return Some(format!(
            "condition key `{key}` names the unknown service `{prefix}`"
        ));
    };
    if cat.service_key(svc, key).is_some() {
        return None;
    }
    let g = crate::suggest::closest(key, svc.conditions.iter().map(|k| k.key));
    Some(format!(
        "`{}` lists no condition key `{key}`{}",
        svc.prefix,
        hint(g)
    ))
}

impl Context {
    /// An empty context; `complete` as described on the field.
    pub fn new(complete: bool) -> Self {
        Context {
            values: BTreeMap::new(),
            complete,
            absent: Vec::new(),
        }
    }

    /// No key given and none marked absent: what an open context of no `--context` is.
    pub fn is_bare(&self) -> bool {
        self.values.is_empty() && self.absent.is_empty()
    }

    /// Mark `key` (or every key under a prefix ending in `/`, as `aws:PrincipalTag/`) as
    /// absent from the request unless given, even when the context is open.
    pub fn set_absent(&mut self, key_or_prefix: &str) {
        self.absent.push(key_or_prefix.to_ascii_lowercase());
    }

    /// True when `key`, not given, may hold any value: the context is open and `key` is not
    /// known to be absent.
    pub fn open_for(&self, key: &str) -> bool {
        if self.complete {
            return false;
        }
        let k = key.to_ascii_lowercase();
        !self
            .absent
            .iter()
            .any(|a| *a == k || (a.ends_with('/') && k.starts_with(a.as_str())))
    }

    /// Add a value to `key` (a key given twice has several values, as `aws:TagKeys` does).
    pub fn add(&mut self, key: &str, value: &str) {
        self.values
            .entry(key.to_ascii_lowercase())
            .or_insert_with(|| (key.to_string(), Vec::new()))
            .1
            .push(value.to_string());
    }

    /// Add `key=value` arguments.
    pub fn parse_args(&mut self, args: &[String]) -> Result<(), ContextError> {
        for a in args {
            match a.split_once('=') {
                Some((k, v)) if !k.trim().is_empty() => {
                    if let Some(why) = unknown_key(k.trim()) {
                        return Err(ContextError::UnknownKey(a.clone(), why));
                    }
                    self.add(k.trim(), v);
                }
                _ => return Err(ContextError::NotKeyValue(a.clone())),
            }
        }
        Ok(())
    }

    /// The values of `key`, if given.
    pub fn get(&self, key: &str) -> Option<&[String]> {
        self.values
            .get(&key.to_ascii_lowercase())
            .map(|(_, v)| v.as_slice())
    }

    /// True when no key is given.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Every key as given, with its values.
    pub fn entries(&self) -> impl Iterator<Item = (&str, &[String])> {
        self.values
            .values()
            .map(|(k, v)| (k.as_str(), v.as_slice()))
    }
}

/// Whether a statement may use policy variables: only under `Version` 2012-10-17; in older
/// documents `${...}` is literal text.
pub fn variables_allowed(version: Option<&str>) -> bool {
    version == Some("2012-10-17")
}

/// A resource or condition value as wildcard tokens, its policy variables replaced from the
/// context. `None` when a variable's key is absent from a complete context (the value then
/// matches nothing: AWS leaves the element unmatched). With `wildcards` false, `*` and `?`
/// are literal (`StringEquals`). A variable the open context does not give matches any value.
pub fn tokens(text: &str, ctx: &Context, vars: bool, wildcards: bool) -> Option<Vec<Wild>> {
    let mut out = Vec::with_capacity(text.len());
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if vars && rest.starts_with("${") {
            if let Some(close) = rest.find('}') {
                let inner = rest.get(2..close).unwrap_or("");
                rest = rest.get(close + 1..).unwrap_or("");
                match inner {
                    "*" => out.push(Wild::Lit('*')),
                    "?" => out.push(Wild::Lit('?')),
                    "$" => out.push(Wild::Lit('$')),
                    _ => {
                        // `${key, 'default'}`.
                        let (key, default) = match inner.split_once(',') {
                            Some((k, d)) => {
                                let d = d.trim();
                                let d = d
                                    .strip_prefix('\'')
                                    .and_then(|d| d.strip_suffix('\''))
                                    .unwrap_or(d);
                                (k.trim(), Some(d))
                            }
                            None => (inner.trim(), None),
                        };
                        match (ctx.get(key), default) {
                            (Some([v]), _) => out.extend(v.chars().map(Wild::Lit)),
                            (None, Some(d)) => out.extend(d.chars().map(Wild::Lit)),
                            (None, None) if ctx.open_for(key) => out.push(Wild::Any),
                            _ => return None,
                        }
                    }
                }
                continue;
            }
        }
        out.push(match c {
            '*' if wildcards => Wild::Any,
            '?' if wildcards => Wild::One,
            _ => Wild::Lit(c),
        });
        rest = rest.get(c.len_utf8()..).unwrap_or("");
    }
    Some(out)
}

/// `text` with the policy variables the context gives (one value, or a default) filled in;
/// others stay as written. For checks, where a variable the context does not give stands for
/// any value.
pub fn fill_known<'a>(text: &'a str, ctx: &Context, vars: bool) -> std::borrow::Cow<'a, str> {
    // Nearly every value has nothing to fill: it is borrowed, not copied (a check of the
    // corpus prepares 35,000 of them).
    if !vars || !crate::arn::has_var(text) || ctx.is_empty() {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("${") {
        out.push_str(rest.get(..i).unwrap_or(""));
        let tail = rest.get(i..).unwrap_or("");
        let Some(close) = tail.find('}') else {
            out.push_str(tail);
            return std::borrow::Cow::Owned(out);
        };
        let var = tail.get(..=close).unwrap_or("");
        let inner = tail.get(2..close).unwrap_or("");
        let key = inner.split_once(',').map_or(inner, |(k, _)| k).trim();
        match ctx.get(key) {
            Some([v]) if !matches!(inner, "*" | "?" | "$") => out.push_str(v),
            _ => out.push_str(var),
        }
        rest = tail.get(close + 1..).unwrap_or("");
    }
    out.push_str(rest);
    std::borrow::Cow::Owned(out)
}

/// How values compare under an operator family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    StringEquals,
    StringEqualsIgnoreCase,
    StringLike,
    Numeric(Cmp),
    Date(Cmp),
    Bool,
    Binary,
    Ip,
    Arn,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cmp {
    Eq,
    Lt,
    Le,
    Gt,
    Ge,
}

/// A parsed operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Operator {
    family: Family,
    negated: bool,
    if_exists: bool,
    set: Option<SetOp>,
    null: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SetOp {
    Any,
    All,
}

fn parse_operator(op: &str) -> Option<Operator> {
    let (set, base) = if let Some(b) = op.strip_prefix("ForAnyValue:") {
        (Some(SetOp::Any), b)
    } else if let Some(b) = op.strip_prefix("ForAllValues:") {
        (Some(SetOp::All), b)
    } else {
        (None, op)
    };
    let (base, if_exists) = match base.strip_suffix("IfExists") {
        Some(b) => (b, true),
        None => (base, false),
    };
    let mut o = Operator {
        family: Family::StringEquals,
        negated: false,
        if_exists,
        set,
        null: false,
    };
    let num = |s: &str| -> Option<Cmp> {
        Some(match s {
            "Equals" | "NotEquals" => Cmp::Eq,
            "LessThan" => Cmp::Lt,
            "LessThanEquals" => Cmp::Le,
            "GreaterThan" => Cmp::Gt,
            "GreaterThanEquals" => Cmp::Ge,
            _ => return None,
        })
    };
    match base {
        "StringEquals" => {}
        "StringNotEquals" => o.negated = true,
        "StringEqualsIgnoreCase" => o.family = Family::StringEqualsIgnoreCase,
        "StringNotEqualsIgnoreCase" => {
            o.family = Family::StringEqualsIgnoreCase;
            o.negated = true;
        }
        "StringLike" => o.family = Family::StringLike,
        "StringNotLike" => {
            o.family = Family::StringLike;
            o.negated = true;
        }
        "Bool" => o.family = Family::Bool,
        "BinaryEquals" => o.family = Family::Binary,
        "IpAddress" => o.family = Family::Ip,
        "NotIpAddress" => {
            o.family = Family::Ip;
            o.negated = true;
        }
        "ArnEquals" | "ArnLike" => o.family = Family::Arn,
        "ArnNotEquals" | "ArnNotLike" => {
            o.family = Family::Arn;
            o.negated = true;
        }
        "Null" if !if_exists && set.is_none() => o.null = true,
        _ => {
            if let Some(r) = base.strip_prefix("Numeric") {
                o.family = Family::Numeric(num(r)?);
                o.negated = r == "NotEquals";
            } else if let Some(r) = base.strip_prefix("Date") {
                o.family = Family::Date(num(r)?);
                o.negated = r == "NotEquals";
            } else {
                return None;
            }
        }
    }
    Some(o)
}

/// Does one request value match one policy value under `family` (before negation)?
fn matches(family: Family, req: &str, pol: &str, ctx: &Context, vars: bool) -> bool {
    match family {
        Family::StringEquals | Family::StringEqualsIgnoreCase | Family::StringLike => {
            let Some(p) = tokens(pol, ctx, vars, family == Family::StringLike) else {
                return false;
            };
            if family == Family::StringEqualsIgnoreCase {
                let p: Vec<Wild> = p.into_iter().map(Wild::lower).collect();
                return wild_match(&p, &req.to_lowercase(), false);
            }
            wild_match(&p, req, false)
        }
        Family::Numeric(c) => match (req.trim().parse::<f64>(), pol.trim().parse::<f64>()) {
            (Ok(a), Ok(b)) => compare(c, a, b),
            _ => false,
        },
        Family::Date(c) => match (date(req), date(pol)) {
            (Some(a), Some(b)) => compare(c, a, b),
            _ => false,
        },
        Family::Bool => req.eq_ignore_ascii_case(pol.trim()),
        Family::Binary => req == pol,
        Family::Ip => match (req.trim().parse::<IpAddr>(), cidr(pol)) {
            (Ok(ip), Some(net)) => in_cidr(ip, net),
            _ => false,
        },
        Family::Arn => arn_like(req, pol, ctx, vars),
    }
}

fn compare(c: Cmp, a: f64, b: f64) -> bool {
    match c {
        Cmp::Eq => a == b,
        Cmp::Lt => a < b,
        Cmp::Le => a <= b,
        Cmp::Gt => a > b,
        Cmp::Ge => a >= b,
    }
}

/// `ArnEquals`/`ArnLike`: the six colon-separated components compared one by one, each
/// with `*`/`?` wildcards; the last (the resource) takes the rest of the ARN.
fn arn_like(req: &str, pol: &str, ctx: &Context, vars: bool) -> bool {
    let Some(p) = tokens(pol, ctx, vars, true) else {
        return false;
    };
    // Split the tokens at their first five literal colons.
    let mut comps: Vec<Vec<Wild>> = vec![Vec::new()];
    for t in p {
        match (t, comps.len()) {
            (Wild::Lit(':'), n) if n < 6 => comps.push(Vec::new()),
            (t, _) => {
                if let Some(last) = comps.last_mut() {
                    last.push(t);
                }
            }
        }
    }
    let r: Vec<&str> = req.splitn(6, ':').collect();
    comps.len() == 6 && r.len() == 6 && comps.iter().zip(&r).all(|(p, r)| wild_match(p, r, false))
}

/// A date as seconds since the epoch: ISO 8601 (`2026-01-31T12:00:00Z`, a date alone) or a
/// number of seconds.
pub fn date(s: &str) -> Option<f64> {
    let s = s.trim();
    if let Ok(n) = s.parse::<f64>() {
        return Some(n);
    }
    use aws_smithy_types::date_time::{DateTime, Format};
    let full = if s.len() == 10 {
        format!("{s}T00:00:00Z")
    } else {
        s.to_string()
    };
    DateTime::from_str(&full, Format::DateTime)
        .ok()
        .map(|d| d.as_secs_f64())
}

fn cidr(s: &str) -> Option<(IpAddr, u8)> {
    let s = s.trim();
    let (ip, bits) = match s.split_once('/') {
        Some((a, b)) => (a.parse::<IpAddr>().ok()?, b.parse::<u8>().ok()?),
        None => {
            let ip = s.parse::<IpAddr>().ok()?;
            (ip, if ip.is_ipv4() { 32 } else { 128 })
        }
    };
    let max = if ip.is_ipv4() { 32 } else { 128 };
    (bits <= max).then_some((ip, bits))
}

fn in_cidr(ip: IpAddr, (net, bits): (IpAddr, u8)) -> bool {
    // Both addresses left-aligned in 128 bits, so a prefix of `bits` is the top bits.
    let top = |a: IpAddr| -> u128 {
        match a {
            IpAddr::V4(v) => u128::from(u32::from(v)) << 96,
            IpAddr::V6(v) => u128::from(v),
        }
    };
    if ip.is_ipv4() != net.is_ipv4() {
        return false;
    }
    let mask = u128::MAX.checked_shl(128 - u32::from(bits)).unwrap_or(0);
    top(ip) & mask == top(net) & mask
}

/// Evaluate one clause (operator, key, values) against the context.
pub fn clause(c: &ConditionClause, ctx: &Context, vars: bool) -> Tri {
    let values: Vec<&str> = c.values.iter().map(|v| v.value.as_str()).collect();
    eval(&c.operator.value, &c.key.value, &values, ctx, vars)
}

/// Evaluate `operator: {key: values}`. An operator iamlint does not know is unknown.
pub fn eval(operator: &str, key: &str, values: &[&str], ctx: &Context, vars: bool) -> Tri {
    let Some(op) = parse_operator(operator) else {
        return Tri::Unknown;
    };
    let req = ctx.get(key);
    if req.is_none() && ctx.open_for(key) {
        return Tri::Unknown;
    }
    if op.null {
        // `Null: true` holds when the key is absent; `false` when present.
        let absent = req.is_none_or(<[String]>::is_empty);
        return Tri::from(
            values
                .iter()
                .any(|v| v.eq_ignore_ascii_case("true") == absent),
        );
    }
    let req: &[String] = req.unwrap_or(&[]);
    if req.is_empty() && op.if_exists {
        return Tri::True;
    }
    // A value with a variable the request cannot fill matches nothing, and a negated
    // operator over it does not hold either: an unresolved variable never makes a statement
    // apply (AWS: it "might cause the entire statement to be invalid",
    // <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html>).
    // An absent key is decided first, by the absent-key rule.
    if !req.is_empty() && op.negated && values.iter().any(|v| tokens(v, ctx, vars, false).is_none())
    {
        return Tri::False;
    }
    // One request value against the clause's values: OR, or NOR when negated.
    let one = |r: &str| -> bool {
        let hit = values.iter().any(|p| matches(op.family, r, p, ctx, vars));
        hit != op.negated
    };
    match op.set {
        Some(SetOp::All) => Tri::from(req.iter().all(|r| one(r))),
        Some(SetOp::Any) => Tri::from(req.iter().any(|r| one(r))),
        None => {
            if req.is_empty() {
                return Tri::from(op.if_exists || op.negated);
            }
            Tri::from(req.iter().any(|r| one(r)))
        }
    }
}

/// Evaluate a statement's conditions (every clause must hold).
pub fn all(clauses: &[ConditionClause], ctx: &Context, vars: bool) -> Tri {
    clauses
        .iter()
        .fold(Tri::True, |acc, c| acc.and(clause(c, ctx, vars)))
}

/// A clause as the policy writes it, `{"Bool": {"aws:MultiFactorAuthPresent": "false"}}`
/// (an earlier `StringNotEquals` `key` = `v` read as an equality).
pub fn describe(c: &ConditionClause) -> String {
    let q = |s: &str| serde_json::to_string(s).unwrap_or_default();
    let vals: Vec<String> = c.values.iter().map(|v| q(&v.value)).collect();
    format!(
        "`{{{}: {{{}: {}}}}}`",
        q(&c.operator.value),
        q(&c.key.value),
        if vals.len() == 1 {
            vals.join("")
        } else {
            format!("[{}]", vals.join(", "))
        }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(kv: &[(&str, &str)]) -> Context {
        let mut c = Context::new(true);
        for (k, v) in kv {
            c.add(k, v);
        }
        c
    }

    fn t(op: &str, key: &str, vals: &[&str], c: &Context) -> Tri {
        eval(op, key, vals, c, true)
    }

    #[test]
    fn operators() {
        use Tri::{False as F, True as T};
        let c = ctx(&[
            ("aws:username", "alice"),
            ("aws:SourceIp", "203.0.113.7"),
            ("aws:CurrentTime", "2026-06-01T12:00:00Z"),
            ("aws:MultiFactorAuthAge", "300"),
            ("aws:MultiFactorAuthPresent", "true"),
            ("aws:PrincipalArn", "arn:aws:iam::123456789012:role/a/b"),
            ("aws:TagKeys", "team"),
            ("aws:TagKeys", "env"),
            ("aws:PrincipalTag/team", "Blue"),
        ]);
        for (op, key, vals, want) in [
            ("StringEquals", "aws:username", &["alice"][..], T),
            ("StringEquals", "AWS:USERNAME", &["bob", "alice"][..], T),
            ("StringEquals", "aws:username", &["Alice"][..], F),
            ("StringEqualsIgnoreCase", "aws:username", &["ALICE"][..], T),
            ("StringNotEquals", "aws:username", &["bob", "carol"][..], T),
            ("StringNotEquals", "aws:username", &["bob", "alice"][..], F),
            ("StringLike", "aws:username", &["a*"][..], T),
            ("StringLike", "aws:username", &["a?ice"][..], T),
            ("StringEquals", "aws:username", &["a*"][..], F),
            ("StringNotLike", "aws:username", &["b*"][..], T),
            ("StringEquals", "aws:nokey", &["x"][..], F),
            ("StringNotEquals", "aws:nokey", &["x"][..], T),
            ("StringEqualsIfExists", "aws:nokey", &["x"][..], T),
            ("StringEqualsIfExists", "aws:username", &["x"][..], F),
            ("IpAddress", "aws:SourceIp", &["203.0.113.0/24"][..], T),
            ("IpAddress", "aws:SourceIp", &["198.51.100.0/24"][..], F),
            ("NotIpAddress", "aws:SourceIp", &["198.51.100.0/24"][..], T),
            ("IpAddress", "aws:SourceIp", &["2001:db8::/32"][..], F),
            (
                "DateGreaterThan",
                "aws:CurrentTime",
                &["2026-01-01T00:00:00Z"][..],
                T,
            ),
            ("DateLessThan", "aws:CurrentTime", &["2026-01-01"][..], F),
            ("DateLessThan", "aws:CurrentTime", &["1800000000"][..], T),
            (
                "NumericLessThan",
                "aws:MultiFactorAuthAge",
                &["3600"][..],
                T,
            ),
            (
                "NumericGreaterThanEquals",
                "aws:MultiFactorAuthAge",
                &["300"][..],
                T,
            ),
            (
                "NumericNotEquals",
                "aws:MultiFactorAuthAge",
                &["300"][..],
                F,
            ),
            ("Bool", "aws:MultiFactorAuthPresent", &["true"][..], T),
            ("Bool", "aws:MultiFactorAuthPresent", &["false"][..], F),
            ("BoolIfExists", "aws:SecureTransport", &["false"][..], T),
            ("Null", "aws:SecureTransport", &["true"][..], T),
            ("Null", "aws:username", &["true"][..], F),
            ("Null", "aws:username", &["false"][..], T),
            (
                "ArnLike",
                "aws:PrincipalArn",
                &["arn:aws:iam::*:role/a/*"][..],
                T,
            ),
            (
                "ArnEquals",
                "aws:PrincipalArn",
                &["arn:aws:iam::*:role/*"][..],
                T,
            ),
            (
                "ArnNotLike",
                "aws:PrincipalArn",
                &["arn:aws:iam::*:user/*"][..],
                T,
            ),
            ("ArnLike", "aws:PrincipalArn", &["arn:aws:iam::*"][..], F),
            (
                "ForAllValues:StringEquals",
                "aws:TagKeys",
                &["team", "env", "x"][..],
                T,
            ),
            ("ForAllValues:StringEquals", "aws:TagKeys", &["team"][..], F),
            ("ForAllValues:StringEquals", "aws:nokey", &["team"][..], T),
            ("ForAnyValue:StringEquals", "aws:TagKeys", &["env"][..], T),
            ("ForAnyValue:StringEquals", "aws:nokey", &["env"][..], F),
            ("ForAnyValue:StringLike", "aws:TagKeys", &["t*"][..], T),
            (
                "StringEquals",
                "aws:PrincipalTag/team",
                &["${aws:PrincipalTag/team}"][..],
                T,
            ),
            (
                "StringEquals",
                "aws:username",
                &["${aws:nokey, 'alice'}"][..],
                T,
            ),
            ("StringEquals", "aws:username", &["${aws:nokey}"][..], F),
        ] {
            assert_eq!(t(op, key, vals, &c), want, "{op} {key} {vals:?}");
        }
        // Unknown operators are unknown, never silently true.
        assert_eq!(
            t("StringEqualz", "aws:username", &["alice"], &c),
            Tri::Unknown
        );
    }

    #[test]
    fn open_context_leaves_absent_keys_unknown() {
        let mut c = Context::new(false);
        c.add("aws:MultiFactorAuthPresent", "false");
        assert_eq!(
            t("Bool", "aws:MultiFactorAuthPresent", &["false"], &c),
            Tri::True
        );
        assert_eq!(
            t("StringEquals", "aws:RequestedRegion", &["eu-west-1"], &c),
            Tri::Unknown
        );
    }

    #[test]
    fn variables_stay_literal_in_old_versions() {
        let c = ctx(&[("aws:username", "alice")]);
        assert_eq!(
            eval(
                "StringEquals",
                "aws:username",
                &["${aws:username}"],
                &c,
                false
            ),
            Tri::False
        );
        assert!(variables_allowed(Some("2012-10-17")));
        assert!(!variables_allowed(Some("2008-10-17")));
        assert!(!variables_allowed(None));
    }
}
