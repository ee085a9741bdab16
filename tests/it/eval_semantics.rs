//! Evaluation semantics of `check` and `can`, each a regression case of issue 9 part 6
//! (found by comparing iamlint's evaluator with an independent one), and `iamlint can`
//! (part 7) as a user runs it.

use serde_json::Value;

use crate::util::{check_ecr_push, run};

/// Write `policy` to a file in a fresh folder: (folder, path).
fn file(text: &str) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("policy.json");
    std::fs::write(&path, text).unwrap();
    (dir, path.display().to_string())
}

const PUSH_ACTIONS: &str = r#""ecr:BatchCheckLayerAvailability","ecr:InitiateLayerUpload","ecr:UploadLayerPart","ecr:CompleteLayerUpload","ecr:PutImage","ecr:BatchGetImage","ecr:GetDownloadUrlForLayer""#;

/// `check --format json` on the ecr-push rule set: (exit code, findings as (code, action)).
fn check(policy: &str, extra: &[&str]) -> (i32, Vec<(String, String)>, Value) {
    let mut rest = vec!["--format", "json", "--policy", policy];
    rest.extend_from_slice(extra);
    let args = check_ecr_push("prod-api", &rest);
    let (code, out, err) = run(&args);
    let v: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}{err}"));
    let found = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        // Leave out what a broad grant always draws; keep what decides the verdict.
        .filter(|f| {
            let noise = ["broad-resource", "excess-grant"].contains(&f["code"].as_str().unwrap())
                || (f["code"] == "mis-scoped-grant" && f["severity"] == "warning");
            !noise
        })
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["action"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    (code, found, v)
}

fn can(args: &[&str]) -> (i32, String, String) {
    let mut a = vec!["can"];
    a.extend_from_slice(args);
    run(&a)
}

fn can_json(args: &[&str]) -> (i32, Value) {
    let mut a = vec!["can", "--format", "json"];
    a.extend_from_slice(args);
    let (code, out, err) = run(&a);
    (
        code,
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}{err}")),
    )
}

/// Issue 9: a `Deny` on `repository/prod-*` made `ecr:GetAuthorizationToken`, an action that
/// takes no resource type (so it is requested on `*`), "denied".
#[test]
fn issue_9_deny_on_arns_does_not_reach_an_action_on_star() {
    let (_d, p) = file(&format!(
        r#"{{"Version":"2012-10-17","Statement":[
            {{"Effect":"Allow","Action":["ecr:GetAuthorizationToken",{PUSH_ACTIONS}],"Resource":"*"}},
            {{"Sid":"NoProd","Effect":"Deny","Action":"ecr:*","Resource":"arn:aws:ecr:*:*:repository/prod-*"}}]}}"#
    ));
    let (code, found, _) = check(&p, &[]);
    assert_eq!(code, 1);
    let denied: Vec<&str> = found
        .iter()
        .filter(|(c, _)| c == "missing-grant")
        .map(|(_, a)| a.as_str())
        .collect();
    assert_eq!(denied.len(), 7, "{found:?}");
    assert!(!denied.contains(&"ecr:GetAuthorizationToken"), "{found:?}");

    let (code, out, _) = can(&["ecr:GetAuthorizationToken", "--policy", &p]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.starts_with("allowed: `ecr:GetAuthorizationToken` on `*`"),
        "{out}"
    );
    let (code, out, _) = can(&[
        "ecr:PutImage",
        "arn:aws:ecr:us-east-1:123456789012:repository/prod-api",
        "--policy",
        &p,
    ]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.starts_with("denied:") && out.contains("statement `NoProd`"),
        "{out}"
    );
    // A Deny on `*` does reach it.
    let (_d2, p2) = file(
        r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Action":"ecr:*","Resource":"*"},
            {"Effect":"Deny","Action":"ecr:GetAuthorizationToken","Resource":"*"}]}"#,
    );
    let (code, _, _) = can(&["ecr:GetAuthorizationToken", "--policy", &p2]);
    assert_eq!(code, 1);
}

const MFA_DENY: &str = r#"{"Version":"2012-10-17","Statement":[
    {"Effect":"Allow","Action":"ecr:*","Resource":"*"},
    {"Sid":"NeedMfa","Effect":"Deny","NotAction":"iam:*","Resource":"*",
     "Condition":{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}},
    {"Sid":"OnlyUsEast1","Effect":"Deny","Action":"ecr:PutImage","Resource":"*",
     "Condition":{"StringNotEquals":{"aws:RequestedRegion":"us-east-1"}}}]}"#;

/// Issue 9: a conditional `Deny` was skipped in silence. It is reported as
/// `conditional-deny` when the context does not decide it, and decided when it does.
#[test]
fn issue_9_conditional_deny_is_reported_and_decided_by_the_context() {
    let (_d, p) = file(MFA_DENY);
    let (code, found, v) = check(&p, &[]);
    assert_eq!(code, 0, "warnings only: {found:?}");
    let cd: Vec<&Value> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "conditional-deny")
        .collect();
    assert_eq!(cd.len(), 2, "one per conditional Deny: {cd:?}");
    let msg = cd[0]["message"].as_str().unwrap();
    assert!(
        msg.contains("`ecr-push` requires `ecr:GetAuthorizationToken` on `*`")
            && msg.contains("and 7 more, which are denied when `{\"BoolIfExists\": {\"aws:MultiFactorAuthPresent\": \"false\"}}`"),
        "{msg}"
    );
    assert_eq!(cd[0]["severity"], "warning");

    // The context decides: without MFA every action is denied.
    let (code, found, _) = check(&p, &["--context", "aws:MultiFactorAuthPresent=false"]);
    assert_eq!(code, 1);
    assert_eq!(
        found.iter().filter(|(c, _)| c == "missing-grant").count(),
        8,
        "{found:?}"
    );
    // With MFA in eu-west-1 only `ecr:PutImage` is denied, and nothing is left undecided.
    let (code, found, _) = check(
        &p,
        &[
            "--context",
            "aws:MultiFactorAuthPresent=true",
            "--context",
            "aws:RequestedRegion=eu-west-1",
        ],
    );
    assert_eq!(code, 1);
    assert_eq!(
        found,
        vec![("missing-grant".to_string(), "ecr:PutImage".to_string())]
    );
    // In us-east-1 with MFA: satisfied.
    let (code, found, _) = check(
        &p,
        &[
            "--context",
            "aws:MultiFactorAuthPresent=true",
            "--context",
            "aws:RequestedRegion=us-east-1",
        ],
    );
    assert_eq!((code, found), (0, vec![]));

    // `can` decides one request the same way; keys not given are absent (IfExists holds).
    let (code, out, _) = can(&["ecr:GetAuthorizationToken", "--policy", &p]);
    assert_eq!(code, 1);
    assert!(out.contains("denied by statement `NeedMfa`"), "{out}");
    let (code, out, _) = can(&[
        "ecr:GetAuthorizationToken",
        "--policy",
        &p,
        "--context",
        "aws:MultiFactorAuthPresent=true",
    ]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("not applied: statement `NeedMfa`"), "{out}");
}

/// Issue 9: a conditional `Allow` in the permissions boundary counted as a full allow.
#[test]
fn issue_9_conditional_boundary_allow() {
    let (_d, p) = file(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#,
    );
    let dir = tempfile::tempdir().unwrap();
    let b = dir.path().join("boundary.json");
    std::fs::write(
        &b,
        r#"{"Version":"2012-10-17","Statement":[{"Sid":"FromOffice","Effect":"Allow","Action":"s3:*","Resource":"*",
            "Condition":{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}}]}"#,
    )
    .unwrap();
    let b = b.display().to_string();
    let obj = "arn:aws:s3:::bucket/key";
    let (code, v) = can_json(&["s3:GetObject", obj, "--policy", &p, "--boundary", &b]);
    assert_eq!(code, 1);
    assert_eq!(v["verdict"], "not_allowed");
    let (code, v) = can_json(&[
        "s3:GetObject",
        obj,
        "--policy",
        &p,
        "--boundary",
        &b,
        "--context",
        "aws:SourceIp=203.0.113.9",
    ]);
    assert_eq!(code, 0);
    assert_eq!(v["verdict"], "allowed");
    assert_eq!(v["deciding"][1]["boundary"], true);
    assert_eq!(v["deciding"][1]["statement"], "FromOffice");

    // `check` through the library: the boundary's condition is reported, then decided.
    let set = iamlint::rules::find("ecr-push").unwrap();
    let params: Vec<(String, String)> = [
        ("account_id", "123456789012"),
        ("region", "us-east-1"),
        ("repository", "r"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let resolved = set.resolve(&params, &[]).unwrap();
    let doc = |i: usize, text: &str| iamlint::eval::request::doc_from_text(i, "p", text).unwrap();
    let docs = vec![doc(
        0,
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr:*","Resource":"*"}]}"#,
    )];
    let boundary = vec![doc(
        1,
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"true"}}}]}"#,
    )];
    let codes = |ctx: &[&str]| {
        let mut c = iamlint::eval::condition::Context::new(false);
        c.parse_args(&ctx.iter().map(|s| s.to_string()).collect::<Vec<_>>())
            .unwrap();
        let out = iamlint::eval::check_in_context(&resolved, 2, &docs, Some(&boundary), &c);
        let mut v: Vec<&'static str> = out
            .findings
            .iter()
            .map(|f| f.code.as_str())
            .filter(|c| !["excess-grant", "mis-scoped-grant"].contains(c))
            .collect();
        v.dedup();
        (v, out.findings)
    };
    let (v, f) = codes(&[]);
    assert_eq!(v, vec!["conditional-deny"]);
    let f: Vec<_> = f
        .iter()
        .filter(|f| f.code.as_str() == "conditional-deny")
        .collect();
    assert_eq!(f.len(), 1);
    assert!(
        f[0].message.contains(
            "which the permissions boundary allows only when `{\"Bool\": {\"aws:SecureTransport\": \"true\"}}`"
        ),
        "{}",
        f[0].message
    );
    assert_eq!(
        codes(&["aws:SecureTransport=false"]).0,
        vec!["missing-grant"]
    );
    assert!(codes(&["aws:SecureTransport=true"]).0.is_empty());
}

/// Issue 9: `?` matched one byte, so `caf?` missed `café`.
#[test]
fn issue_9_question_mark_is_one_character() {
    let (_d, p) = file(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket/caf?"}]}"#,
    );
    assert_eq!(
        can(&["s3:GetObject", "arn:aws:s3:::bucket/café", "--policy", &p]).0,
        0
    );
    assert_eq!(
        can(&["s3:GetObject", "arn:aws:s3:::bucket/cafés", "--policy", &p]).0,
        1
    );
}

/// Issue 9: `*` in `Resource` crosses `/` always, and `:` only as the last character of its
/// colon-separated segment, as AWS documents
/// (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html#reference_policies_elements_resource_wildcards>).
#[test]
fn issue_9_star_in_an_arn_segment() {
    let (_d, p) = file(
        r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket/*"},
            {"Effect":"Allow","Action":"logs:PutLogEvents","Resource":"arn:aws:logs:*:*:log-group:app*"},
            {"Effect":"Allow","Action":"logs:GetLogEvents","Resource":"arn:aws:logs:*:*:log-group:app*stream"}]}"#,
    );
    let ok = |action: &str, arn: &str| can(&[action, arn, "--policy", &p]).0 == 0;
    assert!(ok("s3:GetObject", "arn:aws:s3:::bucket/a/b/c.txt"));
    let stream = "arn:aws:logs:us-east-1:123456789012:log-group:app:log-stream:stream";
    assert!(
        ok("logs:PutLogEvents", stream),
        "`*` last in its segment crosses `:`"
    );
    assert!(
        !ok("logs:GetLogEvents", stream),
        "`*` inside a segment stops at `:`"
    );
    assert!(ok(
        "logs:GetLogEvents",
        "arn:aws:logs:us-east-1:123456789012:log-group:app/x/stream"
    ));
}

/// Issue 9: policy variables are filled from the context (`check` and `can`); under
/// `Version` 2008-10-17 they are literal text.
#[test]
fn issue_9_policy_variables_with_context() {
    let policy = |version: &str| {
        format!(
            r#"{{"Version":"{version}","Statement":[
                {{"Effect":"Allow","Action":"ecr:GetAuthorizationToken","Resource":"*"}},
                {{"Effect":"Allow","Action":[{PUSH_ACTIONS}],"Resource":"arn:aws:ecr:us-east-1:123456789012:repository/${{aws:username}}"}}]}}"#
        )
    };
    let (_d, p) = file(&policy("2012-10-17"));
    let (code, found, _) = check(&p, &["--context", "aws:username=prod-api"]);
    assert_eq!((code, found), (0, vec![]));
    let (code, found, _) = check(&p, &["--context", "aws:username=bob"]);
    assert_eq!(code, 1);
    assert!(
        found.iter().all(|(c, _)| c == "mis-scoped-grant"),
        "{found:?}"
    );
    let repo = "arn:aws:ecr:us-east-1:123456789012:repository/alice";
    assert_eq!(
        can(&[
            "ecr:PutImage",
            repo,
            "--policy",
            &p,
            "--context",
            "aws:username=alice"
        ])
        .0,
        0
    );
    assert_eq!(
        can(&[
            "ecr:PutImage",
            repo,
            "--policy",
            &p,
            "--context",
            "aws:username=bob"
        ])
        .0,
        1
    );
    // Without the key, the variable matches nothing.
    assert_eq!(can(&["ecr:PutImage", repo, "--policy", &p]).0, 1);

    let (_d2, old) = file(&policy("2008-10-17"));
    let (code, found, _) = check(&old, &["--context", "aws:username=prod-api"]);
    assert_eq!(code, 1, "{found:?}");
    assert_eq!(
        can(&[
            "ecr:PutImage",
            repo,
            "--policy",
            &old,
            "--context",
            "aws:username=alice"
        ])
        .0,
        1
    );
    let literal = "arn:aws:ecr:us-east-1:123456789012:repository/${aws:username}";
    assert_eq!(can(&["ecr:PutImage", literal, "--policy", &old]).0, 0);
}

/// `iamlint can`: conditions with several keys (AND), values (OR), set operators over a
/// multi-valued key given twice, and the JSON a machine reads.
#[test]
fn can_evaluates_conditions_and_prints_json() {
    let (_d, p) = file(
        r#"{"Version":"2012-10-17","Statement":[{"Sid":"Tagging","Effect":"Allow","Action":"ec2:CreateTags","Resource":"*",
            "Condition":{"ForAllValues:StringEquals":{"aws:TagKeys":["team","env"]},
                         "StringEquals":{"aws:RequestedRegion":["eu-west-1","us-east-1"]},
                         "DateLessThan":{"aws:CurrentTime":"2030-01-01T00:00:00Z"}}}]}"#,
    );
    let inst = "arn:aws:ec2:eu-west-1:123456789012:instance/i-0123456789abcdef0";
    let base = [
        "ec2:CreateTags",
        inst,
        "--policy",
        &p,
        "--context",
        "aws:RequestedRegion=eu-west-1",
        "--context",
        "aws:CurrentTime=2026-11-30T12:00:00Z",
        "--context",
        "aws:TagKeys=team",
    ];
    let (code, v) = can_json(&base);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["verdict"], "allowed");
    assert_eq!(v["action"], "ec2:CreateTags");
    assert_eq!(v["deciding"][0]["statement"], "Tagging");
    assert_eq!(v["deciding"][0]["line"], 1);
    let mut more = base.to_vec();
    more.extend(["--context", "aws:TagKeys=owner"]);
    let (code, v) = can_json(&more);
    assert_eq!((code, v["verdict"].as_str()), (1, Some("not_allowed")));
    assert_eq!(v["unmet"][0]["statement"], "Tagging");
    // Bad input: exit 2 with a message naming what is wrong.
    let (code, _, err) = can(&["ec2:CreateTagz", inst, "--policy", &p]);
    assert_eq!(code, 2);
    assert!(err.contains("did you mean `ec2:CreateTags`"), "{err}");
    let (code, _, err) = can(&[
        "ec2:CreateTags",
        inst,
        "--policy",
        &p,
        "--context",
        "novalue",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("KEY=VALUE"), "{err}");
    let (_d2, bad) = file("{\"Version\": \"2012-10-17\",\n \"Statement\": [}");
    let (code, _, err) = can(&["ec2:CreateTags", inst, "--policy", &bad]);
    assert_eq!(code, 2);
    assert!(err.contains("policy.json:2:"), "{err}");
}

/// A conditional `Allow` in the identity policies: `conditional-grant` without context, a
/// grant when the context makes its condition true, missing when it makes it false.
#[test]
fn conditional_allow_decided_by_the_context() {
    let (_d, p) = file(&format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":["ecr:GetAuthorizationToken",{PUSH_ACTIONS}],"Resource":"*",
            "Condition":{{"IpAddress":{{"aws:SourceIp":"10.0.0.0/8"}}}}}}]}}"#
    ));
    let (code, found, _) = check(&p, &[]);
    assert_eq!(code, 0);
    assert_eq!(found.len(), 8, "{found:?}");
    assert!(
        found.iter().all(|(c, _)| c == "conditional-grant"),
        "{found:?}"
    );
    let (code, found, _) = check(&p, &["--context", "aws:SourceIp=10.1.2.3"]);
    assert_eq!((code, found), (0, vec![]));
    let (code, found, _) = check(&p, &["--context", "aws:SourceIp=192.0.2.1"]);
    assert_eq!(code, 1);
    assert_eq!(found.len(), 8, "{found:?}");
    assert!(found.iter().all(|(c, _)| c == "missing-grant"), "{found:?}");
}

/// Issue 9: without request context a policy variable stands for any value, so a grant on
/// `repository/${aws:username}` neither satisfies the rule outright nor misses it: each pair
/// is a `conditional-grant` warning that names the variable (before, a false `mis-scoped-grant`
/// error). Under `Version` 2008-10-17 the text is literal and the grant is beside the point.
#[test]
fn issue_9_policy_variables_without_context_are_conditional() {
    let policy = |version: &str| {
        format!(
            r#"{{"Version":"{version}","Statement":[
                {{"Effect":"Allow","Action":"ecr:GetAuthorizationToken","Resource":"*"}},
                {{"Effect":"Allow","Action":[{PUSH_ACTIONS}],"Resource":"arn:aws:ecr:us-east-1:123456789012:repository/${{aws:username}}"}}]}}"#
        )
    };
    let (_d, p) = file(&policy("2012-10-17"));
    let (code, found, v) = check(&p, &[]);
    assert_eq!(code, 0, "{found:?}");
    assert_eq!(found.len(), 7, "{found:?}");
    assert!(
        found.iter().all(|(c, _)| c == "conditional-grant"),
        "{found:?}"
    );
    let msg = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "conditional-grant")
        .unwrap()["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        msg.contains(
            "policy variables of `arn:aws:ecr:us-east-1:123456789012:repository/${aws:username}`"
        ),
        "{msg}"
    );
    let (_d2, old) = file(&policy("2008-10-17"));
    let (code, found, _) = check(&old, &[]);
    assert_eq!(code, 1, "{found:?}");
    assert!(
        found.iter().all(|(c, _)| c == "mis-scoped-grant"),
        "{found:?}"
    );
}
