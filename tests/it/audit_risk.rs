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
    v["findings"]
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
    assert!(has(&v, "user/esc-split-passrole", "privilege-escalation"));
    assert!(has(&v, "user/risk-exfil", "data-exfiltration"));
    assert!(has(&v, "user/risk-exposure", "resource-exposure"));
    assert!(has(&v, "user/risk-credentials", "credentials-exposure"));
    assert!(has(&v, "user/risk-infra", "infrastructure-modification"));
    // Near misses.
    assert!(!has(&v, "user/near-denied-admin", "admin-equivalent"));
    assert!(!has(&v, "role/near-bounded-admin", "admin-equivalent"));
    assert!(!has(&v, "user/near-exfil-scoped", "data-exfiltration"));
    assert!(!has(&v, "user/near-own-keys", "credentials-exposure"));
    assert!(!has(
        &v,
        "user/near-passrole-ec2-only",
        "privilege-escalation"
    ));
    // Conditional admin is reported with its condition, never as plainly allowed.
    let mfa = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["principal"] == "user/near-mfa-admin" && r["code"] == "admin-equivalent")
        .unwrap();
    assert_eq!(mfa["severity"], "warning");
    assert!(
        mfa["message"]
            .as_str()
            .unwrap()
            .contains("may change any identity's permissions if")
    );
    assert!(
        mfa["message"]
            .as_str()
            .unwrap()
            .contains("aws:MultiFactorAuthPresent")
    );
    // Every finding names its principal and a place in the dump.
    for f in v["findings"].as_array().unwrap() {
        assert!(
            f["principal"].as_str().is_some_and(|p| p.contains('/')),
            "{f}"
        );
        assert!(
            f["file"].as_str().unwrap().ends_with("moto-account.json"),
            "{f}"
        );
        assert!(f["line"].as_u64().unwrap() > 0, "{f}");
    }
    // The admin is located at the statement that grants it.
    let alice = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["principal"] == "user/admin-alice" && r["code"] == "admin-equivalent")
        .unwrap();
    assert!(
        alice["statement"]
            .as_str()
            .unwrap()
            .contains("AdministratorAccess")
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
    let not: Vec<&Value> = out["principals"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["evaluated"] == false)
        .map(|p| &p["principal"])
        .collect();
    assert_eq!(not, ["user/eve", "user/frank"]);
    assert_eq!(out["audit"]["not_evaluated"], 2);
    // Each is an error of the report naming the principal and the dump position.
    let errors = out["errors"].as_array().unwrap();
    assert!(errors.iter().any(|e| {
        let e = e.as_str().unwrap();
        e.contains("`user/eve` could not be evaluated") && e.contains("missing-policy.json:")
    }));
    let (_, code) = audit(&[DUMP, "--format", "json"]);
    assert_ne!(code, Some(2));
}
