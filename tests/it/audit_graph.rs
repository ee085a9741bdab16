//! Issue 12, part 3: who can become whom, through the CLI: `paths --gaad DUMP`. On the
//! fixture account built against moto (scripts/build-audit-fixture), each escalation of 1,
//! 2 and 3 steps is found with the permission and statement of every step, and each near
//! miss (the scope or a condition stops it) has no path.

use serde_json::Value;

use crate::util::run;

const DUMP: &str = "fixtures/audit/moto-account.json";

/// `paths --gaad DUMP --format json`: (exit code, the answer).
fn paths(dump: &str) -> (i32, Value) {
    let (code, out, err) = run(&["paths", "--gaad", dump, "--format", "json"]);
    let v = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out} {err}"));
    (code, v)
}

fn path_of<'a>(v: &'a Value, from: &str) -> Option<&'a Value> {
    v["paths"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["from"] == from)
}

/// (to, via) of each step.
fn steps(p: &Value) -> Vec<(String, String)> {
    p["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["to"].as_str().unwrap().to_string(),
                s["via"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// The statement a step names is in the dump, at a statement granting `action`.
fn assert_statement(step: &Value, action: &str) {
    let loc = step["statement"].as_str().unwrap();
    let mut parts = loc.rsplitn(3, ':');
    let (_col, line, file) = (
        parts.next().unwrap(),
        parts.next().unwrap().parse::<usize>().unwrap(),
        parts.next().unwrap(),
    );
    assert_eq!(file, DUMP);
    let text = std::fs::read_to_string(DUMP).unwrap();
    let near: Vec<&str> = text.lines().skip(line - 1).take(6).collect();
    assert!(
        near[0].trim_start().starts_with('{') && near.join("\n").contains(action),
        "{loc}: {near:?}"
    );
}

#[test]
fn escalations_of_one_two_and_three_steps_are_found() {
    let (code, v) = paths(DUMP);
    assert_eq!(code, 1, "paths found: exit 1");
    let get = |from: &str| path_of(&v, from).unwrap_or_else(|| panic!("no path from {from}"));
    let one = |from: &str| steps(get(from));

    assert_eq!(
        one("user/esc-create-key"),
        [("user/admin-alice".into(), "iam:CreateAccessKey".into())]
    );
    assert_statement(
        &get("user/esc-create-key")["steps"][0],
        "iam:CreateAccessKey",
    );

    // PassRole in one managed policy, lambda in another: only their union escalates.
    let p = one("user/esc-split-passrole");
    assert_eq!(p.len(), 1);
    assert_eq!(p[0].0, "role/lambda-admin");
    assert!(
        p[0].1.starts_with("iam:PassRole + lambda:CreateFunction"),
        "{p:?}"
    );
    assert_statement(&get("user/esc-split-passrole")["steps"][0], "iam:PassRole");

    assert_eq!(
        one("user/esc-two-steps"),
        [
            ("role/esc-self-attach".into(), "sts:AssumeRole".into()),
            ("(any permission)".into(), "iam:AttachRolePolicy".into()),
        ]
    );
    assert_eq!(
        one("user/esc-three-steps"),
        [
            ("role/hop-1".into(), "sts:AssumeRole".into()),
            ("role/hop-2".into(), "sts:AssumeRole".into()),
            ("(any permission)".into(), "iam:PutRolePolicy".into()),
        ]
    );
    let three = get("user/esc-three-steps");
    assert_eq!(three["to"], "(any permission)");
    assert_statement(&three["steps"][1], "sts:AssumeRole");
    assert_statement(&three["steps"][2], "iam:PutRolePolicy");
    // Every step is named from where the previous one ended.
    let s = three["steps"].as_array().unwrap();
    assert_eq!(s[0]["from"], "user/esc-three-steps");
    assert_eq!(s[1]["from"], "role/hop-1");
    assert_eq!(s[2]["from"], "role/hop-2");
    assert!(s.iter().all(|x| x["condition"].is_null()));

    assert_eq!(
        one("user/esc-attach-self"),
        [("(any permission)".into(), "iam:AttachUserPolicy".into())]
    );
    // Through its group's inline policy.
    let p = one("user/esc-login-profile");
    assert_eq!(p[0].0, "user/admin-alice");
    assert!(p[0].1.ends_with("LoginProfile"), "{p:?}");
    assert_statement(&get("user/esc-login-profile")["steps"][0], "LoginProfile");

    // Shortest first.
    let lens: Vec<usize> = v["paths"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["steps"].as_array().unwrap().len())
        .collect();
    assert!(lens.windows(2).all(|w| w[0] <= w[1]), "{lens:?}");
}

#[test]
fn near_misses_and_admins_have_no_path() {
    let (_, v) = paths(DUMP);
    for from in [
        // Keys for itself only.
        "user/near-own-keys",
        // The role's trust policy admits admin-alice only.
        "user/near-untrusted-assume",
        // PassRole only to EC2, and it drives Lambda.
        "user/near-passrole-ec2-only",
        "user/dev-plain",
        "user/near-exfil-scoped",
        // Already admin-equivalent.
        "user/admin-alice",
        "user/admin-by-group",
        "role/admin-role",
        "role/lambda-admin",
    ] {
        assert!(
            path_of(&v, from).is_none(),
            "{from}: {:?}",
            path_of(&v, from)
        );
    }
}

#[test]
fn a_conditional_step_is_kept_and_says_its_condition() {
    let (_, v) = paths(DUMP);
    // `*` only with MFA: every way it escalates needs MFA.
    let p = path_of(&v, "user/near-mfa-admin").unwrap();
    let c = p["steps"][0]["condition"].as_str().unwrap();
    assert!(c.contains("aws:MultiFactorAuthPresent"), "{c}");
}

#[test]
fn the_text_report_is_one_line_per_path_shortest_first() {
    let (code, out, _) = run(&["paths", "--gaad", DUMP]);
    assert_eq!(code, 1);
    let mut lines = out.lines();
    let head = lines.next().unwrap();
    assert!(
        head.contains("paths to an admin-equivalent principal"),
        "{head}"
    );
    let three = out
        .lines()
        .find(|l| l.starts_with("user/esc-three-steps "))
        .unwrap();
    assert!(
        three.starts_with(&format!(
            "user/esc-three-steps -> role/hop-1 (sts:AssumeRole, {DUMP}:"
        )),
        "{three}"
    );
    assert!(
        three.contains(" -> (any permission) (iam:PutRolePolicy, "),
        "{three}"
    );
    let last = out.lines().rfind(|l| l.contains(" -> ")).unwrap();
    assert!(last.starts_with("user/esc-three-steps"), "{last}");
}

#[test]
fn an_account_without_escalation_exits_0_and_bad_input_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let clean = dir.path().join("clean.json");
    std::fs::write(
        &clean,
        r#"{"UserDetailList": [{"UserName": "u", "Arn": "arn:aws:iam::111122223333:user/u",
          "UserPolicyList": [{"PolicyName": "p", "PolicyDocument": {"Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}}]}]}"#,
    )
    .unwrap();
    let (code, v) = paths(clean.to_str().unwrap());
    assert_eq!(code, 0);
    assert_eq!(v["paths"].as_array().unwrap().len(), 0);
    assert_eq!(v["principals"], 1);
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{\"UserDetailList\": [").unwrap();
    let (code, _, err) = run(&["paths", "--gaad", bad.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("bad.json:1:"), "{err}");
}
