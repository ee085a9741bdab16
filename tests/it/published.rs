//! Issue 9: policies that open-source projects publish (`fixtures/published/`) lint with no
//! error except the true defects their README lists, each with its reason.

use std::collections::BTreeSet;

use crate::util::run;

const DIR: &str = "fixtures/published";

/// (file under `fixtures/published/`, line, code) rows of the README's "True defects" table.
fn listed_defects() -> BTreeSet<(String, u64, String)> {
    let readme = std::fs::read_to_string(format!(
        "{}/{DIR}/README.md",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
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
    for file in ["iam_policy.json", "iam_policy_cn.json", "iam_policy_us-gov.json"] {
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
