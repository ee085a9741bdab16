//! Differential test of the evaluator (`iamlint can`) against an independent one,
//! `@cloud-copilot/iam-simulate`, driven by `scripts/difftest/peer.mjs` (issue 9, part 7).
//!
//! A seeded generator writes cases near the edges of the policies it makes: wildcards in
//! actions and ARNs, `NotAction`, `NotResource`, `Deny`, policy variables, conditions on
//! string, ARN, IP, date, numeric and boolean keys with `IfExists` and set operators, and
//! permissions boundaries. Every disagreement must be explained in
//! `scripts/difftest/known.json` (with the AWS documentation that says who is right) or the
//! test fails. `scripts/difftest/run --cases N --seed S` runs a longer series; CI runs 500 cases
//! with the default seed. The peer is installed by `scripts/test-env` into `target/difftest`.
//! Environment: `DIFFTEST_CASES`, `DIFFTEST_SEED`; `DIFFTEST_DUMP=FILE` writes the
//! unexplained cases one per line; `DIFFTEST_DEBUG` prints why the peer rejected a case.
//!
//! A disagreement is explained when rewriting the case as the peer reads it under the kinds
//! `known.json` lists (a resource value replaced by one that matches or not as the peer
//! says, a `Version` raised, a CIDR replaced) makes iamlint give the peer's verdict.

use std::collections::BTreeMap;
use std::io::Write;
use std::process::{Command, Stdio};

use iamlint::eval::condition::Context;
use iamlint::eval::request::{self, Request, Verdict};
use serde_json::{Value, json};

/// splitmix64: small, seedable, the same on every platform.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    fn pick<T: Clone>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len())].clone()
    }
}

const SERVICES: &[&str] = &[
    "s3",
    "ec2",
    "iam",
    "sqs",
    "logs",
    "ecr",
    "dynamodb",
    "sns",
    "lambda",
    "secretsmanager",
];
const ACCOUNTS: &[&str] = &["111122223333", "444455556666"];
const REGIONS: &[&str] = &["us-east-1", "eu-west-1"];
const NAMES: &[&str] = &[
    "alice", "bob", "prod-api", "prod-web", "dev-1", "café", "a/b", "x_y",
];
const USERS: &[&str] = &["alice", "bob", "Alice"];

/// A concrete ARN from a catalog format: variables filled from the pools.
fn instantiate(rng: &mut Rng, format: &str) -> String {
    let mut out = String::new();
    let mut rest = format;
    while let Some(i) = rest.find("${") {
        out.push_str(&rest[..i]);
        let close = rest[i..].find('}').map_or(rest.len(), |c| i + c);
        let var = &rest[i + 2..close];
        out.push_str(match var {
            "Partition" => "aws",
            "Region" => rng.pick(REGIONS),
            "Account" => rng.pick(ACCOUNTS),
            v if v.contains("Bucket") => rng.pick(&["alice", "prod-api", "dev-1"]),
            _ => rng.pick(NAMES),
        });
        rest = rest.get(close + 1..).unwrap_or("");
    }
    out.push_str(rest);
    out
}

/// The request: an action of a service and a resource it takes.
fn request(rng: &mut Rng) -> (String, String, Vec<String>) {
    let c = iamlint::catalog::get();
    loop {
        let svc = c.service(rng.pick(SERVICES)).unwrap();
        let a = &svc.actions[rng.below(svc.actions.len())];
        if a.deprecated.is_some() {
            continue;
        }
        let action = format!("{}:{}", svc.prefix, a.name);
        let r = iamlint::catalog::ActionRef {
            service: svc,
            action: a,
        };
        let types: Vec<_> = r.resource_types().collect();
        let others: Vec<String> = (0..3)
            .map(|_| {
                let o = &svc.actions[rng.below(svc.actions.len())];
                format!("{}:{}", svc.prefix, o.name)
            })
            .collect();
        if types.is_empty() {
            return (action, "*".into(), others);
        }
        let (t, _) = types[rng.below(types.len())];
        let Some(f) = t.arns.first() else { continue };
        return (action, instantiate(rng, f), others);
    }
}

/// A variant of `s` near it: a prefix and `*`, a `?` for one character, one character
/// changed, or a changed case.
fn near(rng: &mut Rng, s: &str, wild: bool) -> String {
    let chars: Vec<char> = s.chars().collect();
    if chars.is_empty() {
        return "*".into();
    }
    let i = rng.below(chars.len());
    match rng.below(if wild { 6 } else { 3 }) {
        0 => s.to_string(),
        1 => {
            let mut c = chars.clone();
            c[i] = if c[i] == 'z' { 'y' } else { 'z' };
            c.into_iter().collect()
        }
        2 => s.to_uppercase(),
        3 => chars[..i].iter().collect::<String>() + "*",
        4 => {
            let mut c = chars.clone();
            c[i] = '?';
            c.into_iter().collect()
        }
        _ => {
            let j = (i + 1 + rng.below(chars.len() - i)).min(chars.len());
            chars[..i].iter().collect::<String>() + "*" + &chars[j..].iter().collect::<String>()
        }
    }
}

fn action_values(rng: &mut Rng, action: &str, others: &[String]) -> Vec<String> {
    let (svc, name) = action.split_once(':').unwrap();
    let mut out = Vec::new();
    for _ in 0..1 + rng.below(2) {
        out.push(match rng.below(7) {
            0 | 1 => action.to_string(),
            2 => format!("{svc}:{}", near(rng, name, true)),
            3 => format!("{svc}:*"),
            4 => "*".into(),
            5 => rng.pick(others),
            _ => action.to_lowercase(),
        });
    }
    out
}

fn resource_values(rng: &mut Rng, resource: &str) -> Vec<String> {
    let mut out = Vec::new();
    for _ in 0..1 + rng.below(2) {
        if resource == "*" {
            out.push(
                rng.pick(&["*", "arn:aws:s3:::*", "arn:aws:ec2:*:*:*", "*"])
                    .to_string(),
            );
            continue;
        }
        let parts: Vec<&str> = resource.splitn(6, ':').collect();
        out.push(match rng.below(8) {
            0 => resource.to_string(),
            1 => "*".into(),
            2 => {
                // Region and account wildcards.
                format!("arn:aws:{}:*:*:{}", parts[2], parts[5])
            }
            3 => {
                let user = rng.pick(USERS);
                let v = rng.pick(&[
                    "${aws:username}",
                    "${aws:username}",
                    "${aws:PrincipalTag/team}",
                    "${aws:username, 'alice'}",
                ]);
                resource.replacen(user, v, 1)
            }
            4 => {
                let head = parts[..5].join(":");
                format!("{head}:{}", near(rng, parts[5], true))
            }
            5 => {
                let head = parts[..5].join(":");
                let r = parts[5];
                let cut = r.find(['/', ':']).map_or(r.len(), |i| i + 1);
                format!("{head}:{}*", &r[..cut])
            }
            6 => {
                let head = parts[..5].join(":");
                format!("{head}:{}", parts[5].to_uppercase())
            }
            _ => format!("arn:aws:{}:*", parts[2]),
        });
    }
    out
}

/// One condition clause on a key of the context, with values near the request's.
fn clause(rng: &mut Rng, ctx: &BTreeMap<String, Value>) -> (String, String, Value) {
    let ie = |rng: &mut Rng, op: &str| {
        if rng.chance(25) {
            format!("{op}IfExists")
        } else {
            op.to_string()
        }
    };
    let cur = |k: &str| ctx.get(k).cloned();
    match rng.below(10) {
        0 => {
            let v = cur("aws:username").and_then(|v| v.as_str().map(String::from));
            let base = v.unwrap_or_else(|| "alice".into());
            let op = rng
                .pick(&[
                    "StringEquals",
                    "StringNotEquals",
                    "StringLike",
                    "StringNotLike",
                    "StringEqualsIgnoreCase",
                    "StringNotEqualsIgnoreCase",
                ])
                .to_string();
            let like = op.contains("Like");
            let mut vals = vec![near(rng, &base, like)];
            if rng.chance(30) {
                vals.push(rng.pick(USERS).to_string());
            }
            (ie(rng, &op), "aws:username".into(), json!(vals))
        }
        1 => {
            let op = rng
                .pick(&["StringEquals", "StringNotEquals", "StringLike"])
                .to_string();
            let r = rng.pick(REGIONS);
            let v = if op == "StringLike" {
                near(rng, r, true)
            } else {
                r.to_string()
            };
            (ie(rng, &op), "aws:RequestedRegion".into(), json!(v))
        }
        2 => {
            let op = rng.pick(&["IpAddress", "NotIpAddress"]).to_string();
            let v = rng.pick(&[
                "203.0.113.0/24",
                "203.0.113.7/32",
                "198.51.100.0/22",
                "0.0.0.0/0",
                "2001:db8::/32",
            ]);
            (ie(rng, &op), "aws:SourceIp".into(), json!(v))
        }
        3 => {
            let op = rng
                .pick(&[
                    "DateGreaterThan",
                    "DateLessThan",
                    "DateEquals",
                    "DateNotEquals",
                    "DateGreaterThanEquals",
                    "DateLessThanEquals",
                ])
                .to_string();
            let v = rng.pick(&[
                "2026-01-01T00:00:00Z",
                "2026-06-01T12:00:00Z",
                "2027-01-01T00:00:00Z",
            ]);
            (ie(rng, &op), "aws:CurrentTime".into(), json!(v))
        }
        4 => {
            let op = rng
                .pick(&[
                    "NumericLessThan",
                    "NumericGreaterThan",
                    "NumericEquals",
                    "NumericNotEquals",
                    "NumericLessThanEquals",
                    "NumericGreaterThanEquals",
                ])
                .to_string();
            let v = rng.pick(&["300", "3600", "0"]);
            (ie(rng, &op), "aws:MultiFactorAuthAge".into(), json!(v))
        }
        5 => {
            let k = rng.pick(&["aws:MultiFactorAuthPresent", "aws:SecureTransport"]);
            let v = rng.pick(&["true", "false"]);
            (ie(rng, "Bool"), k.to_string(), json!(v))
        }
        6 => {
            let op = rng
                .pick(&["ArnLike", "ArnEquals", "ArnNotLike", "ArnNotEquals"])
                .to_string();
            let v = rng.pick(&[
                "arn:aws:iam::111122223333:user/*",
                "arn:aws:iam::*:user/alice",
                "arn:aws:iam::444455556666:*",
                "arn:aws:iam::111122223333:role/*",
            ]);
            (ie(rng, &op), "aws:PrincipalArn".into(), json!(v))
        }
        7 => {
            let set = rng.pick(&["ForAnyValue:", "ForAllValues:"]);
            let op = rng.pick(&["StringEquals", "StringLike", "StringNotEquals"]);
            let mut vals = vec![rng.pick(&["team", "env", "t*", "owner"]).to_string()];
            if rng.chance(50) {
                vals.push(rng.pick(&["team", "env", "cost"]).to_string());
            }
            (format!("{set}{op}"), "aws:TagKeys".into(), json!(vals))
        }
        8 => {
            // A policy variable in a condition value.
            let op = rng
                .pick(&[
                    "StringEquals",
                    "StringNotEquals",
                    "StringLike",
                    "StringEqualsIfExists",
                ])
                .to_string();
            let v = rng.pick(&[
                "${aws:username}",
                "${aws:username}*",
                "${aws:PrincipalTag/team, 'alice'}",
                "${aws:RequestedRegion}",
            ]);
            (op, "aws:PrincipalTag/team".into(), json!(v))
        }
        _ => {
            let k = rng.pick(&["aws:MultiFactorAuthAge", "aws:username", "aws:SourceIp"]);
            (
                "Null".into(),
                k.to_string(),
                json!(rng.pick(&["true", "false"])),
            )
        }
    }
}

fn context(rng: &mut Rng) -> BTreeMap<String, Value> {
    let mut c = BTreeMap::new();
    let mut put = |rng: &mut Rng, k: &str, v: Value| {
        if rng.chance(80) {
            c.insert(k.to_string(), v);
        }
    };
    let user = rng.pick(USERS).to_string();
    put(rng, "aws:username", json!(user));
    let team = rng.pick(&["blue", "alice", "red"]).to_string();
    put(rng, "aws:PrincipalTag/team", json!(team));
    let region = rng.pick(REGIONS).to_string();
    put(rng, "aws:RequestedRegion", json!(region));
    let ip = rng
        .pick(&["203.0.113.7", "198.51.100.9", "192.0.2.1"])
        .to_string();
    put(rng, "aws:SourceIp", json!(ip));
    let t = rng
        .pick(&[
            "2026-06-01T12:00:00Z",
            "2025-12-31T23:59:59Z",
            "2026-03-01T00:00:00Z",
        ])
        .to_string();
    put(rng, "aws:CurrentTime", json!(t));
    let age = rng.pick(&["300", "299", "4000", "0"]).to_string();
    put(rng, "aws:MultiFactorAuthAge", json!(age));
    let mfa = rng.pick(&["true", "false"]).to_string();
    put(rng, "aws:MultiFactorAuthPresent", json!(mfa));
    let tls = rng.pick(&["true", "false"]).to_string();
    put(rng, "aws:SecureTransport", json!(tls));
    let arn = format!(
        "arn:aws:iam::111122223333:{}",
        rng.pick(&["user/alice", "user/bob", "role/ops"])
    );
    put(rng, "aws:PrincipalArn", json!(arn));
    let n = rng.below(3);
    let keys: Vec<String> = (0..n)
        .map(|_| rng.pick(&["team", "env", "cost"]).to_string())
        .collect();
    if !keys.is_empty() {
        put(rng, "aws:TagKeys", json!(keys));
    }
    c
}

fn statement(
    rng: &mut Rng,
    action: &str,
    resource: &str,
    others: &[String],
    ctx: &BTreeMap<String, Value>,
) -> Value {
    let mut st = serde_json::Map::new();
    let effect = if rng.chance(30) { "Deny" } else { "Allow" };
    st.insert("Effect".into(), json!(effect));
    let akey = if rng.chance(15) {
        "NotAction"
    } else {
        "Action"
    };
    st.insert(akey.into(), json!(action_values(rng, action, others)));
    let rkey = if rng.chance(15) {
        "NotResource"
    } else {
        "Resource"
    };
    st.insert(rkey.into(), json!(resource_values(rng, resource)));
    if rng.chance(45) {
        let mut cond: BTreeMap<String, serde_json::Map<String, Value>> = BTreeMap::new();
        for _ in 0..1 + rng.below(2) {
            let (op, k, v) = clause(rng, ctx);
            cond.entry(op).or_default().insert(k, v);
        }
        st.insert("Condition".into(), json!(cond));
    }
    Value::Object(st)
}

fn policy(
    rng: &mut Rng,
    action: &str,
    resource: &str,
    others: &[String],
    ctx: &BTreeMap<String, Value>,
) -> Value {
    let n = 1 + rng.below(3);
    let sts: Vec<Value> = (0..n)
        .map(|_| statement(rng, action, resource, others, ctx))
        .collect();
    let version = if rng.chance(8) {
        "2008-10-17"
    } else {
        "2012-10-17"
    };
    json!({"Version": version, "Statement": sts})
}

/// Case `i` of the series that starts at `seed`.
fn case(seed: u64, i: u64) -> Value {
    let mut rng = Rng(seed ^ i.wrapping_mul(0xA24B_AED4_963E_E407));
    let (action, resource, others) = request(&mut rng);
    let ctx = context(&mut rng);
    let policies: Vec<Value> = (0..1 + rng.below(2))
        .map(|_| policy(&mut rng, &action, &resource, &others, &ctx))
        .collect();
    let boundary = if rng.chance(25) {
        policy(&mut rng, &action, &resource, &others, &ctx)
    } else {
        Value::Null
    };
    json!({
        "id": i,
        "policies": policies,
        "boundary": boundary,
        "action": action,
        "resource": resource,
        "context": ctx,
    })
}

/// iamlint's verdict on a case, in the peer's words.
fn ours(c: &Value) -> String {
    let docs: Vec<_> = c["policies"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
        .map(|(i, p)| request::doc_from_text(i, &format!("p{i}"), &p.to_string()).unwrap())
        .collect();
    let boundary = (!c["boundary"].is_null())
        .then(|| vec![request::doc_from_text(9, "boundary", &c["boundary"].to_string()).unwrap()]);
    let ctx = context_of(c);
    let req = Request {
        action: c["action"].as_str().unwrap().to_string(),
        resource: c["resource"].as_str().unwrap().to_string(),
        context: ctx,
    };
    match request::decide(&docs, boundary.as_deref(), &req) {
        Ok(d) => match d.verdict {
            Verdict::Allowed => "Allowed",
            Verdict::Denied => "ExplicitlyDenied",
            Verdict::NotAllowed => "ImplicitlyDenied",
        }
        .to_string(),
        Err(e) => format!("error: {e}"),
    }
}

/// An explained kind of disagreement, from `scripts/difftest/known.json`.
#[derive(serde::Deserialize)]
struct Known {
    kind: String,
    #[allow(
        dead_code,
        reason = "read by people: the AWS page that says who is right"
    )]
    doc: String,
    #[allow(dead_code, reason = "read by people")]
    why: String,
}

/// The case's request context, as `can` reads it.
fn context_of(c: &Value) -> Context {
    let mut ctx = Context::new(true);
    for (k, v) in c["context"].as_object().unwrap() {
        match v {
            Value::Array(vs) => vs.iter().for_each(|v| ctx.add(k, v.as_str().unwrap())),
            v => ctx.add(k, v.as_str().unwrap()),
        }
    }
    ctx
}

/// A glob where `*` and `?` take any character, `:` included.
fn loose_glob(p: &str, t: &str) -> bool {
    iamlint::pattern::wild_match(&iamlint::pattern::Wild::parse(p), t, false)
}

/// The peer's reading of a `Resource` value under an explained kind, when it differs from
/// AWS's documented one (ours) for this request resource.
/// `raw` is the value as written, `filled` with its variables filled from the context, and
/// `ours` iamlint's reading (both `None` when a variable cannot be filled, which makes
/// iamlint ignore a `NotResource` statement).
fn peer_reading(
    kind: &str,
    raw: &str,
    filled: Option<&str>,
    ours: Option<bool>,
    resource: &str,
) -> Option<bool> {
    // The fields as the peer splits them: at the first five colons, variables unfilled.
    let raw_text = raw;
    let raw: Vec<&str> = raw.splitn(6, ':').collect();
    let v: Vec<&str> = filled.unwrap_or(raw_text).splitn(6, ':').collect();
    let r: Vec<&str> = resource.splitn(6, ':').collect();
    if v.len() != 6 || r.len() != 6 {
        return None;
    }
    let theirs = match kind {
        // The peer matches the five first fields one by one and the resource part with
        // wildcards that take `:` anywhere.
        "wildcard-crosses-colon" => {
            filled?;
            (0..5).all(|i| loose_glob(v[i], r[i]) && !r[i].contains(':')) && loose_glob(v[5], r[5])
        }
        // The peer takes the resource part up to the first `/` or `:` as a resource type that
        // must appear literally in the request, so a wildcard or a variable there (even the
        // `/` inside `${aws:PrincipalTag/team}`) matches nothing.
        "wildcard-in-resource-type" => {
            let rest = raw.get(5).copied().unwrap_or("");
            let s3_bucket = v[2] == "s3" && v[3].is_empty() && v[4].is_empty();
            let cut = rest.find(['/', ':']).map(|i| i + 1).unwrap_or(0);
            let product = &rest[..cut];
            if s3_bucket || !product.contains(['*', '?', '$']) {
                return None;
            }
            ours.unwrap_or(false) && r[5].starts_with(product)
        }
        _ => return None,
    };
    (Some(theirs) != ours).then_some(theirs)
}

/// The case with every resource value the explained `kinds` read differently replaced by
/// one that reads as the peer does (`*` to match, an ARN of no service not to).
fn as_peer_reads(c: &Value, kinds: &[&str]) -> (Value, Vec<&'static str>) {
    let mut c = c.clone();
    let resource = c["resource"].as_str().unwrap_or("").to_string();
    let mut used = Vec::new();
    let ctx = context_of(&c);
    let mut fix = |policy: &mut Value| {
        let vars = policy["Version"].as_str() == Some("2012-10-17");
        let Some(sts) = policy["Statement"].as_array_mut() else {
            return;
        };
        for st in sts {
            for key in ["Resource", "NotResource"] {
                let Some(vals) = st.get_mut(key).and_then(Value::as_array_mut) else {
                    continue;
                };
                for v in vals.iter_mut() {
                    let raw = v.as_str().unwrap_or("").to_string();
                    // iamlint's own reading of the value.
                    use iamlint::pattern::Wild;
                    let toks = iamlint::eval::condition::tokens(&raw, &ctx, vars, true);
                    let ours = if raw == "*" {
                        Some(true)
                    } else {
                        toks.as_ref()
                            .map(|t| iamlint::pattern::wild_match(t, &resource, true))
                    };
                    let filled: Option<String> = toks.map(|t| {
                        t.iter()
                            .map(|w| match w {
                                Wild::Lit(c) => *c,
                                Wild::Any => '*',
                                Wild::One => '?',
                            })
                            .collect()
                    });
                    for kind in KINDS {
                        if !kinds.contains(kind) {
                            continue;
                        }
                        if let Some(m) =
                            peer_reading(kind, &raw, filled.as_deref(), ours, &resource)
                        {
                            *v = json!(if m { "*" } else { "arn:aws:none:::never" });
                            if !used.contains(kind) {
                                used.push(*kind);
                            }
                            break;
                        }
                    }
                }
            }
        }
    };
    if let Some(ps) = c["policies"].as_array_mut() {
        ps.iter_mut().for_each(&mut fix);
    }
    if !c["boundary"].is_null() {
        fix(&mut c["boundary"]);
    }
    // The peer fills policy variables whatever the `Version`.
    if kinds.contains(&"variables-in-old-version") {
        let mut touched = false;
        let mut bump = |p: &mut Value| {
            if p["Version"].as_str() != Some("2012-10-17") && p.to_string().contains("${") {
                p["Version"] = json!("2012-10-17");
                touched = true;
            }
        };
        if let Some(ps) = c["policies"].as_array_mut() {
            ps.iter_mut().for_each(&mut bump);
        }
        if !c["boundary"].is_null() {
            bump(&mut c["boundary"]);
        }
        if touched {
            used.push("variables-in-old-version");
        }
    }
    // Condition values the peer reads differently.
    if kinds.contains(&"cidr-zero-prefix") {
        let mut t = c.to_string();
        if t.contains("\"0.0.0.0/0\"") {
            // The peer's `0.0.0.0/0` matches no address: read it as a network none of the
            // generated addresses is in.
            t = t.replace("\"0.0.0.0/0\"", "\"255.255.255.255/32\"");
            c = serde_json::from_str(&t).unwrap();
            used.push("cidr-zero-prefix");
        }
    }
    (c, used)
}

/// Every kind the test knows how to read the peer's way; `known.json` says which are
/// explained (with the AWS page that says who is right).
const KINDS: &[&str] = &[
    "wildcard-crosses-colon",
    "wildcard-in-resource-type",
    "cidr-zero-prefix",
    "variables-in-old-version",
];

fn peer(cases: &[Value]) -> Vec<Value> {
    let root = env!("CARGO_MANIFEST_DIR");
    let modules =
        std::env::var("DIFFTEST_MODULES").unwrap_or_else(|_| format!("{root}/target/difftest"));
    assert!(
        std::path::Path::new(&modules)
            .join("node_modules/@cloud-copilot/iam-simulate")
            .exists(),
        "the peer evaluator is not installed in {modules}: run scripts/test-env"
    );
    let mut child = Command::new("node")
        .arg(format!("{root}/scripts/difftest/peer.mjs"))
        .env("DIFFTEST_MODULES", &modules)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("node runs (scripts/test-env installs the peer)");
    let mut input = String::new();
    for c in cases {
        input.push_str(&c.to_string());
        input.push('\n');
    }
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    assert!(out.status.success(), "the peer failed");
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn agrees_with_iam_simulate() {
    let n: u64 = std::env::var("DIFFTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(500);
    let seed: u64 = std::env::var("DIFFTEST_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(9);
    let root = env!("CARGO_MANIFEST_DIR");
    let known: Vec<Known> = serde_json::from_str(
        &std::fs::read_to_string(format!("{root}/scripts/difftest/known.json")).unwrap(),
    )
    .unwrap();
    let cases: Vec<Value> = (0..n).map(|i| case(seed, i)).collect();
    let answers = peer(&cases);
    assert_eq!(answers.len(), cases.len());
    let (mut agree, mut explained, mut rejected) = (0, 0, 0);
    let mut by_kind: BTreeMap<&str, usize> = BTreeMap::new();
    let mut verdicts: BTreeMap<String, usize> = BTreeMap::new();
    let mut unexplained = Vec::new();
    for (c, a) in cases.iter().zip(&answers) {
        let theirs = a["result"].as_str().unwrap();
        if theirs == "error" {
            rejected += 1;
            if std::env::var("DIFFTEST_DEBUG").is_ok() {
                println!("REJECTED {} {} {}", c["action"], c["resource"], a["errors"]);
            }
            continue;
        }
        let mine = ours(c);
        *verdicts.entry(theirs.to_string()).or_default() += 1;
        if mine == theirs {
            agree += 1;
            continue;
        }
        let kinds: Vec<&str> = known.iter().map(|k| k.kind.as_str()).collect();
        let (rewritten, used) = as_peer_reads(c, &kinds);
        if !used.is_empty() && ours(&rewritten) == theirs {
            explained += 1;
            for k in used {
                *by_kind.entry(k).or_default() += 1;
            }
        } else {
            if std::env::var("DIFFTEST_DEBUG").is_ok() {
                println!("REWRITTEN {used:?} -> {}: {rewritten}", ours(&rewritten));
            }
            unexplained.push(format!("iamlint {mine}, peer {theirs}: {c}"));
        }
    }
    println!(
        "difftest seed {seed}: {n} cases, {agree} agree, {explained} explained disagreements {by_kind:?}, {} unexplained, {rejected} rejected by the peer",
        unexplained.len()
    );
    println!("  the peer's verdicts on the cases it accepted: {verdicts:?}");
    for (k, n) in &by_kind {
        let doc = known
            .iter()
            .find(|x| x.kind == *k)
            .map_or("", |x| x.doc.as_str());
        println!("  explained {k}: {n} (AWS: {doc})");
    }
    for u in unexplained.iter().take(40) {
        println!("DISAGREE {u}");
    }
    if let Ok(path) = std::env::var("DIFFTEST_DUMP") {
        std::fs::write(path, unexplained.join("\n")).unwrap();
    }
    assert!(
        rejected * 5 < n as usize,
        "the peer rejected {rejected} of {n} cases: the generator drifted from what it accepts"
    );
    assert!(
        unexplained.is_empty(),
        "{} unexplained disagreements",
        unexplained.len()
    );
}
