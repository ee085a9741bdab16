//! Issue 9: policies that open-source projects publish (`fixtures/published/`) lint with no
//! error except the true defects their README lists, each with its reason.

use std::collections::BTreeSet;

use crate::util::run;

const DIR: &str = "fixtures/published";

/// (file under `fixtures/published/`, line, code) rows of the README's "True defects" table.
fn listed_defects() -> BTreeSet<(String, u64, String)> {
    let readme =
        std::fs::read_to_string(format!("{}/{DIR}/README.md", env!("CARGO_MANIFEST_DIR"))).unwrap();
    let (_, table) = readme.split_once("## True defects").unwrap();
    table
        .lines()
        .filter(|l| l.starts_with("| `"))
        .map(|l| {
            let cells: Vec<&str> = l.split('|').map(|c| c.trim().trim_matches('`')).collect();
            (
                cells[1].to_string(),
                cells[2].parse().unwrap(),
                cells[3].to_string(),
            )
        })
        .collect()
}

#[test]
fn issue_9_published_policies_have_no_false_errors() {
    let (code, out, err) = run(&["lint", "--format", "json", "--fail-on", "never", DIR]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["summary"]["unreadable"], 0, "{out}");
    assert!(v["summary"]["documents"].as_u64().unwrap() >= 20, "{out}");
    let errors: BTreeSet<(String, u64, String)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "error")
        .map(|f| {
            let file = f["file"].as_str().unwrap();
            (
                file.strip_prefix(&format!("{DIR}/"))
                    .unwrap_or(file)
                    .to_string(),
                f["line"].as_u64().unwrap(),
                f["code"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let listed = listed_defects();
    assert!(!listed.is_empty());
    let unexplained: Vec<_> = errors.difference(&listed).collect();
    let gone: Vec<_> = listed.difference(&errors).collect();
    assert!(
        unexplained.is_empty() && gone.is_empty(),
        "errors not listed as true defects: {unexplained:?}; listed but not reported: {gone:?}"
    );
}

/// The AWS Load Balancer Controller's policy in its aws, aws-cn and aws-us-gov variants, the
/// case that issue 9 found six false errors in: the text a user sees says 0 errors.
#[test]
fn issue_9_load_balancer_controller_policy_has_no_error() {
    for file in [
        "iam_policy.json",
        "iam_policy_cn.json",
        "iam_policy_us-gov.json",
    ] {
        let path = format!("{DIR}/aws-load-balancer-controller/{file}");
        let (code, out, _) = run(&["lint", &path]);
        assert_eq!(code, 0, "{out}");
        assert!(out.contains("0 errors, 0 warnings"), "{out}");
    }
}

/// AWS managed policies write policy variables, whose names hold a colon, inside an ARN's
/// account (`AmazonTimestreamInfluxDBServiceRolePolicy`): the colon does not end the account.
#[test]
fn issue_9_variable_in_arn_account_is_not_dead() {
    let text = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
      "Action": "kms:Decrypt", "Resource": "arn:*:kms:*:${aws:PrincipalAccount}:key/*"}]}"#;
    let out = crate::util::iamlint()
        .args(["lint", "-"])
        .write_stdin(text)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(!stdout.contains("resource-mismatch"), "{stdout}");
}

/// (policy, statement, action, code) rows of `docs/managed-policy-errors.md`'s table.
fn documented_managed_errors() -> BTreeSet<(String, String, String, String)> {
    let doc = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/docs/managed-policy-errors.md"
    ))
    .unwrap();
    let (_, table) = doc.split_once("## Errors").unwrap();
    let mut out = BTreeSet::new();
    for line in table.lines().filter(|l| l.starts_with("| `")) {
        let cells: Vec<&str> = line.split(" | ").collect();
        let unquote = |c: &str| c.trim_matches(['|', ' ', '`']).to_string();
        let (policy, statement, code) = (unquote(cells[0]), unquote(cells[1]), unquote(cells[3]));
        for action in cells[2].split(", ") {
            out.insert((
                policy.clone(),
                statement.clone(),
                unquote(action),
                code.clone(),
            ));
        }
    }
    out
}

/// Issue 9: every AWS managed policy (the embedded snapshot, one file per policy as
/// `scripts/fetch-managed-policies --corpus` writes them) lints with no unknown-name error,
/// and its errors are exactly the true defects `docs/managed-policy-errors.md` lists.
#[test]
fn issue_9_managed_policy_errors_are_the_documented_defects() {
    let snapshot: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/data/managed-policies.json"
        ))
        .unwrap(),
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let policies = snapshot["policies"].as_array().unwrap();
    for p in policies {
        let name = p["name"].as_str().unwrap();
        let text = serde_json::to_string_pretty(&p["document"]).unwrap();
        std::fs::write(dir.path().join(format!("{name}.json")), text + "\n").unwrap();
    }
    let out = crate::util::iamlint()
        .args(["lint", "--format", "json", "--fail-on", "never"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        v["summary"]["documents"].as_u64(),
        Some(policies.len() as u64)
    );
    let errors: BTreeSet<(String, String, String, String)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "error")
        .map(|f| {
            let file = std::path::Path::new(f["file"].as_str().unwrap());
            (
                file.file_stem().unwrap().to_string_lossy().into_owned(),
                f["statement"].as_str().unwrap_or("").to_string(),
                f["action"].as_str().unwrap_or("").to_string(),
                f["code"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(
        errors
            .iter()
            .all(|e| e.3 != "unknown-service" && e.3 != "unknown-action"),
        "{errors:?}"
    );
    let documented = documented_managed_errors();
    let undocumented: Vec<_> = errors.difference(&documented).collect();
    let gone: Vec<_> = documented.difference(&errors).collect();
    assert!(
        undocumented.is_empty() && gone.is_empty(),
        "errors not in docs/managed-policy-errors.md: {undocumented:?}; documented but not reported: {gone:?}"
    );
}
