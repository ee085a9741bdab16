//! `iamlint check`, `render`, `rules` and `managed`, as a user runs them.

use crate::util::{ecr_push, iamlint, run};
use serde_json::Value;

fn check_json<S: AsRef<str>>(args: &[S]) -> (i32, Value) {
    let mut a = vec!["check", "--format", "json"];
    a.extend(args.iter().map(AsRef::as_ref));
    let (code, out, err) = run(&a);
    (
        code,
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}{err}")),
    )
}

/// (code, action) of the check findings (lint codes left out).
fn check_codes(v: &Value) -> Vec<(String, String, String)> {
    let mut out: Vec<(String, String, String)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| {
            [
                "missing-grant",
                "mis-scoped-grant",
                "excess-grant",
                "missing-condition",
                "conditional-grant",
            ]
            .contains(&f["code"].as_str().unwrap())
        })
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["severity"].as_str().unwrap().to_string(),
                f["action"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    out.sort();
    out
}

const BUCKET: &str = "bucket_name=my-awesome-project";
const SEED_000: &str = "fixtures/lint/seed-000-dstack-hub/policy.json";
const SEED_001: &str = "fixtures/lint/seed-001-dstack/policy.json";
const SEED_002: &str = "fixtures/lint/seed-002-dstack-legacy/policy.json";

#[test]
fn seed_000_against_dstack_aws_misses_exactly_what_001_added() {
    let (code, v) = check_json(&[
        "--rules",
        "dstack-aws",
        "--param",
        BUCKET,
        "--policy",
        SEED_000,
    ]);
    assert_eq!(code, 1);
    let want: Vec<(String, String, String)> = [
        "ec2:DescribeSpotPriceHistory",
        "s3:GetBucketLocation",
        "s3:ListAllMyBuckets",
    ]
    .iter()
    .map(|a| ("missing-grant".into(), "error".into(), a.to_string()))
    .collect();
    assert_eq!(check_codes(&v), want);
    // A missing grant points at the rule line that requires it.
    let f = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "missing-grant")
        .unwrap();
    assert_eq!(f["file"], "rules/dstack/dstack-aws.toml");
    assert!(f["line"].as_u64().unwrap() > 1);
    assert_eq!(v["check"]["rule_set"], "dstack-aws");
}

#[test]
fn seed_001_satisfies_dstack_aws_exactly() {
    let (code, v) = check_json(&[
        "--rules",
        "dstack-aws",
        "--param",
        BUCKET,
        "--policy",
        SEED_001,
    ]);
    assert_eq!(code, 0, "{v}");
    assert!(check_codes(&v).is_empty(), "{:?}", check_codes(&v));
}

#[test]
fn seed_002_against_legacy_reports_mis_scoped_and_missing() {
    let (code, v) = check_json(&[
        "--rules",
        "dstack-aws-legacy",
        "--param",
        BUCKET,
        "--policy",
        SEED_002,
    ]);
    assert_eq!(code, 1);
    let codes = check_codes(&v);
    for a in [
        "iam:CreatePolicy",
        "iam:GetInstanceProfile",
        "iam:CreateInstanceProfile",
        "iam:AddRoleToInstanceProfile",
    ] {
        assert!(
            codes.contains(&("mis-scoped-grant".into(), "error".into(), a.into())),
            "{a}: {codes:?}"
        );
    }
    assert!(
        codes.contains(&(
            "missing-grant".into(),
            "error".into(),
            "ec2:CancelSpotInstanceRequests".into()
        )),
        "{codes:?}"
    );
    let f = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "mis-scoped-grant" && f["action"] == "iam:GetInstanceProfile")
        .unwrap();
    let msg = f["message"].as_str().unwrap();
    assert!(
        msg.contains(":role/dstack_role_my-awesome-project*")
            && msg.contains(":instance-profile/dstack_role_my-awesome-project*"),
        "{msg}"
    );
}

#[test]
fn secrets_manager_read_write_against_ecr_push() {
    let mut args = ecr_push("dagster");
    args.extend(
        [
            "--policy",
            "arn:aws:iam::aws:policy/SecretsManagerReadWrite",
        ]
        .map(String::from),
    );
    let (code, v) = check_json(&args);
    assert_eq!(code, 1);
    let codes = check_codes(&v);
    let missing: Vec<&str> = codes
        .iter()
        .filter(|c| c.0 == "missing-grant")
        .map(|c| c.2.as_str())
        .collect();
    let rows = v["check"]["rows"].as_array().unwrap();
    assert_eq!(
        missing.len(),
        rows.len(),
        "every required ECR action is missing"
    );
    assert!(missing.iter().all(|a| a.starts_with("ecr:")));
    let excess = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "excess-grant" && f["action"] == "secretsmanager:*")
        .unwrap();
    let extra = excess["extra_actions"].as_array().unwrap();
    assert!(extra.iter().any(|a| a == "secretsmanager:GetSecretValue"));
    assert_eq!(
        excess["file"],
        "arn:aws:iam::aws:policy/SecretsManagerReadWrite"
    );
}

/// Write a policy and a rule file into a temp dir; return (dir, policy path, rule path).
fn case(policy: &str, rule: &str) -> (tempfile::TempDir, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("policy.json");
    let r = dir.path().join("rule.toml");
    std::fs::write(&p, policy).unwrap();
    std::fs::write(&r, rule).unwrap();
    (dir, p.display().to_string(), r.display().to_string())
}

const RULE: &str = r#"
id = "test"
title = "t"
system = "s"
[source]
title = "d"
[[grant]]
sid = "Objects"
actions = ["s3:GetObject"]
resources = ["arn:aws:s3:::b/*"]
[[grant]]
sid = "Terminate"
actions = ["ec2:TerminateInstances"]
resources = ["*"]
condition = { StringEquals = { "aws:ResourceTag/owner" = "me" } }
"#;

fn codes_for(policy: &str) -> Vec<(String, String, String)> {
    let (_d, p, r) = case(policy, RULE);
    let (_, v) = check_json(&["--rules", &r, "--policy", &p]);
    check_codes(&v)
}

fn c(code: &str, sev: &str, action: &str) -> (String, String, String) {
    (code.into(), sev.into(), action.into())
}

#[test]
fn deny_wins_over_allow() {
    let got = codes_for(
        r#"{"Version":"2012-10-17","Statement":[
        {"Effect":"Allow","Action":["s3:GetObject","ec2:TerminateInstances"],"Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/owner":"me"}}},
        {"Effect":"Deny","Action":"s3:*","Resource":"arn:aws:s3:::b/secret/*"}]}"#,
    );
    assert!(
        got.contains(&c("missing-grant", "error", "s3:GetObject")),
        "{got:?}"
    );
}

#[test]
fn not_action_and_not_resource_are_honoured() {
    // NotAction iam:* allows s3:GetObject (and every other non-IAM action: excess).
    let got = codes_for(
        r#"{"Version":"2012-10-17","Statement":[
        {"Effect":"Allow","NotAction":"iam:*","Resource":"arn:aws:s3:::b/*"},
        {"Effect":"Allow","Action":"ec2:TerminateInstances","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/owner":"me"}}}]}"#,
    );
    assert!(!got.iter().any(|x| x.0 == "missing-grant"), "{got:?}");
    assert!(
        got.contains(&c("excess-grant", "warning", "NotAction")),
        "{got:?}"
    );
    // NotResource that excludes the bucket: the object grant is missing.
    let got = codes_for(
        r#"{"Version":"2012-10-17","Statement":[
        {"Effect":"Allow","Action":"s3:GetObject","NotResource":"arn:aws:s3:::b/*"},
        {"Effect":"Allow","Action":"ec2:TerminateInstances","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/owner":"me"}}}]}"#,
    );
    assert!(
        got.contains(&c("mis-scoped-grant", "error", "s3:GetObject")),
        "{got:?}"
    );
}

#[test]
fn wildcards_expand_exactly() {
    let got = codes_for(
        r#"{"Version":"2012-10-17","Statement":[
        {"Effect":"Allow","Action":"s3:Get*","Resource":"arn:aws:s3:::b/*"},
        {"Effect":"Allow","Action":"ec2:TerminateInstances","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/owner":"me"}}}]}"#,
    );
    assert_eq!(got, vec![c("excess-grant", "warning", "s3:Get*")]);
    let (_d, p, r) = case(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:Get*","Resource":"arn:aws:s3:::b/*"}]}"#,
        RULE,
    );
    let (_, v) = check_json(&["--rules", &r, "--policy", &p]);
    let f = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "excess-grant")
        .unwrap();
    let extra = f["extra_actions"].as_array().unwrap();
    assert!(
        extra
            .iter()
            .all(|a| a.as_str().unwrap().starts_with("s3:Get"))
    );
    assert!(!extra.iter().any(|a| a == "s3:GetObject"));
    assert!(f["message"].as_str().unwrap().contains("(Read "), "{f}");
}

#[test]
fn conditions_required_missing_and_extra() {
    // The rule's condition absent: missing-condition.
    let got = codes_for(
        r#"{"Version":"2012-10-17","Statement":[
        {"Effect":"Allow","Action":["s3:GetObject","ec2:TerminateInstances"],"Resource":["arn:aws:s3:::b/*","*"]}]}"#,
    );
    assert!(
        got.contains(&c("missing-condition", "warning", "ec2:TerminateInstances")),
        "{got:?}"
    );
    // A condition the rule does not ask for: conditional-grant.
    let got = codes_for(
        r#"{"Version":"2012-10-17","Statement":[
        {"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}},
        {"Effect":"Allow","Action":"ec2:TerminateInstances","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/owner":"me"}}}]}"#,
    );
    assert_eq!(got, vec![c("conditional-grant", "warning", "s3:GetObject")]);
}

#[test]
fn too_broad_is_a_warning() {
    let (code, v) = check_json(&[
        "--rules",
        "skypilot-aws",
        "--param",
        "account_id=123456789012",
        "--policy",
        "fixtures/lint/seed-003-skypilot/policy.json",
    ]);
    assert_eq!(code, 0, "{v}");
    let (_d, p, _) = case(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:GetRole","iam:PassRole"],"Resource":"*"}]}"#,
        RULE,
    );
    let (_, v) = check_json(&[
        "--rules",
        "skypilot-aws",
        "--param",
        "account_id=123456789012",
        "--policy",
        &p,
    ]);
    let f = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "mis-scoped-grant" && f["action"] == "iam:PassRole")
        .unwrap();
    assert_eq!(f["severity"], "warning");
    assert!(f["message"].as_str().unwrap().contains("role/skypilot-v1"));
}

#[test]
fn suggest_prints_a_diff_that_fixes_everything_and_writes_nothing() {
    for (rules, policy) in [("dstack-aws-legacy", SEED_002), ("dstack-aws", SEED_000)] {
        let before =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/").to_string() + policy)
                .unwrap();
        let (_, v) = check_json(&[
            "--rules",
            rules,
            "--param",
            BUCKET,
            "--policy",
            policy,
            "--suggest",
        ]);
        let after =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/").to_string() + policy)
                .unwrap();
        assert_eq!(before, after, "the user's file is untouched");
        let s = &v["suggestions"][0];
        assert!(
            s["diff"]
                .as_str()
                .unwrap()
                .starts_with(&format!("--- {policy}"))
        );
        let dir = tempfile::tempdir().unwrap();
        let fixed = dir.path().join("fixed.json");
        std::fs::write(&fixed, serde_json::to_string_pretty(&s["policy"]).unwrap()).unwrap();
        let (code, v) = check_json(&[
            "--rules",
            rules,
            "--param",
            BUCKET,
            "--policy",
            fixed.to_str().unwrap(),
        ]);
        assert!(check_codes(&v).is_empty(), "{rules}: {:?}", check_codes(&v));
        assert_eq!(code, 0, "{rules}: the suggestion lints without error: {v}");
    }
}

#[test]
fn every_rule_set_renders_a_policy_that_lints_clean() {
    let (_, out, _) = run(&["rules", "list", "--format", "json"]);
    let sets: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(sets.as_array().unwrap().len(), 7);
    for s in sets.as_array().unwrap() {
        let id = s["id"].as_str().unwrap();
        let (_, shown, _) = run(&["rules", "show", id]);
        let set = iamlint::rules::find(id).unwrap();
        let mut args: Vec<String> = vec!["render".into(), "--rules".into(), id.into()];
        for (k, v) in set.example_params() {
            args.push("--param".into());
            args.push(format!("{k}={v}"));
        }
        for f in set.file.features.keys() {
            args.push("--feature".into());
            args.push(f.clone());
        }
        let out = iamlint().args(&args).output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{id}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let lint = iamlint()
            .args(["lint", "--format", "json", "-"])
            .write_stdin(out.stdout)
            .output()
            .unwrap();
        let v: Value = serde_json::from_slice(&lint.stdout).unwrap();
        assert_eq!(
            v["summary"]["errors"], 0,
            "{id} renders a policy with errors: {v}"
        );
        assert!(shown.contains(id));
    }
}

/// Every (action, resource, condition) a policy allows, wildcards expanded.
fn grants(policy: &Value) -> std::collections::BTreeSet<(String, String, String)> {
    let c = iamlint::catalog::get();
    let list = |v: &Value| -> Vec<String> {
        match v {
            Value::Array(a) => a.iter().map(|x| x.as_str().unwrap().to_string()).collect(),
            Value::String(s) => vec![s.clone()],
            _ => vec![],
        }
    };
    let mut out = std::collections::BTreeSet::new();
    for st in policy["Statement"].as_array().unwrap() {
        for a in list(&st["Action"]) {
            let item = iamlint::span::Spanned::new(a, iamlint::span::Span::default());
            for m in iamlint::check::resolve_action(c, &item).matches.iter() {
                for r in list(&st["Resource"]) {
                    out.insert((m.full_name(), r, st["Condition"].to_string()));
                }
            }
        }
    }
    out
}

#[test]
fn render_dstack_aws_grants_exactly_what_seed_001_grants() {
    let (code, out, _) = run(&["render", "--rules", "dstack-aws", "--param", BUCKET]);
    assert_eq!(code, 0);
    let rendered: Value = serde_json::from_str(&out).unwrap();
    let seed: Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/lint/seed-001-dstack/policy.json"
        ))
        .unwrap(),
    )
    .unwrap();
    assert_eq!(grants(&rendered), grants(&seed));
}

#[test]
fn rules_diff_shows_what_a_new_version_adds() {
    let (code, out, _) = run(&["rules", "diff", "dstack-aws-hub", "dstack-aws"]);
    assert_eq!(code, 0);
    for a in [
        "+ s3:ListAllMyBuckets",
        "+ s3:GetBucketLocation",
        "+ ec2:DescribeSpotPriceHistory",
    ] {
        assert!(out.contains(a), "{a}: {out}");
    }
    assert!(out.contains("3 added, 0 removed"), "{out}");
}

#[test]
fn usage_and_rule_file_errors() {
    let (code, _, err) = run(&[
        "check",
        "--rules",
        "dstack-awz",
        "--param",
        BUCKET,
        "--policy",
        SEED_001,
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("did you mean `dstack-aws`?"), "{err}");
    let (code, _, err) = run(&[
        "check",
        "--rules",
        "dstack-aws",
        "--param",
        "bucket=x",
        "--policy",
        SEED_001,
    ]);
    assert_eq!(code, 2);
    assert!(
        err.contains("no parameter `bucket`; did you mean `bucket_name`?"),
        "{err}"
    );
    let (code, _, err) = run(&[
        "check",
        "--rules",
        "dstack-aws",
        "--param",
        "bucket_name=Bad_Name",
        "--policy",
        SEED_001,
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("S3 bucket name"), "{err}");
    let (code, _, err) = run(&["check", "--rules", "dstack-aws", "--policy", SEED_001]);
    assert_eq!(code, 2);
    assert!(err.contains("needs --param bucket_name=VALUE"), "{err}");
    let (_d, p, r) = case(
        "{}",
        "id = \"x\"\ntitle = \"t\"\nsystem = \"s\"\n[source]\ntitle = \"d\"\n[[grant]]\nactoins = [\"s3:GetObject\"]\n",
    );
    let (code, _, err) = run(&["check", "--rules", &r, "--policy", &p]);
    assert_eq!(code, 2);
    assert!(
        err.contains("rule.toml:7:1: unknown field `actoins`"),
        "{err}"
    );
    // An unreadable policy never passes.
    let (code, _, _) = run(&[
        "check",
        "--rules",
        "dstack-aws",
        "--param",
        BUCKET,
        "--policy",
        SEED_001,
        "--policy",
        "nope.json",
    ]);
    assert_eq!(code, 2);
}

#[test]
fn managed_policies_offline() {
    let (code, out, _) = run(&["managed", "list"]);
    assert_eq!(code, 0);
    assert!(out.contains("arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"));
    assert!(
        out.contains("1594 policies"),
        "{}",
        out.lines().last().unwrap()
    );
    let (code, out, _) = run(&["managed", "show", "SecretsManagerReadWrite"]);
    assert_eq!(code, 0);
    assert!(out.contains("secretsmanager:*"));
    let (code, _, err) = run(&["managed", "show", "SecretsManagerReadWrit"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("did you mean `SecretsManagerReadWrite`?"),
        "{err}"
    );
    let (code, v) = check_json(&[
        "--rules",
        "dagster-terraform-describe",
        "--policy",
        "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess",
    ]);
    assert_eq!(code, 0, "{v}");
}
