//! `iamlint audit`: the risks of each principal of the fixture account, through the CLI JSON.

use assert_cmd::Command;
use serde_json::Value;

const DUMP: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/fixtures/audit/moto-account.json"
);

fn audit(args: &[&str]) -> (Value, Option<i32>) {
    let out = Command::cargo_bin("iamlint")
        .unwrap()
        .arg("audit")
        .args(args)
        .output()
        .unwrap();
    (
        serde_json::from_slice(&out.stdout).unwrap(),
        out.status.code(),
    )
}

fn has(v: &Value, principal: &str, code: &str) -> bool {
    v["risks"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["principal"] == principal && r["code"] == code)
}

#[test]
fn risk_and_escalation_cases_are_found_near_misses_are_not() {
    let (v, code) = audit(&[DUMP, "--format", "json"]);
    assert_eq!(code, Some(1));
    assert!(has(&v, "user/admin-alice", "admin-equivalent"));
    assert!(has(&v, "user/admin-by-group", "admin-equivalent"));
    // PassRole in one policy, Lambda in the other: only the union makes the method.
    assert!(has(&v, "user/esc-split-passrole", "escalation-method"));
    assert!(has(&v, "user/risk-exfil", "data-exfiltration"));
    assert!(has(&v, "user/risk-exposure", "resource-exposure"));
    assert!(has(&v, "user/risk-credentials", "credentials-exposure"));
    assert!(has(&v, "user/risk-infra", "infrastructure-modification"));
    // Near misses.
    assert!(!has(&v, "user/near-denied-admin", "admin-equivalent"));
    assert!(!has(&v, "role/near-bounded-admin", "admin-equivalent"));
    assert!(!has(&v, "user/near-exfil-scoped", "data-exfiltration"));
    assert!(!has(&v, "user/near-own-keys", "credentials-exposure"));
    assert!(!has(&v, "user/near-passrole-ec2-only", "escalation-method"));
    // Conditional admin is reported with its condition, never as plainly allowed.
    let mfa = v["risks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["principal"] == "user/near-mfa-admin" && r["code"] == "admin-equivalent")
        .unwrap();
    assert_eq!(mfa["access"], "allowed if");
    assert!(
        mfa["condition"]
            .as_str()
            .unwrap()
            .contains("aws:MultiFactorAuthPresent")
    );
}

#[test]
fn a_principal_that_cannot_be_evaluated_exits_2() {
    // user/eve and user/frank have a managed policy the dump does not hold.
    let missing = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/audit/missing-policy.json"
    );
    let (out, code) = audit(&[missing, "--format", "json"]);
    assert_eq!(code, Some(2));
    assert_eq!(out["unevaluated"][0]["principal"], "user/eve");
    assert_eq!(out["unevaluated"][1]["principal"], "user/frank");
    let (_, code) = audit(&[DUMP, "--format", "json"]);
    assert_ne!(code, Some(2));
}
