//! Account dumps (`aws iam get-account-authorization-details` output) read offline.

use serde_json::Value;

use crate::util::{check_ecr_push, run};

const DUMP: &str = "fixtures/gaad/account.json";

#[test]
fn lint_reads_every_document_of_a_dump() {
    let (code, out, _) = run(&["lint", "--format", "json", DUMP]);
    assert_eq!(code, 1);
    let v: Value = serde_json::from_str(&out).unwrap();
    let f = &v["findings"][0];
    assert_eq!(f["code"], "unknown-action");
    assert_eq!(f["suggestion"], "ecr:PutImage");
    // A URL-encoded document: the finding points at the encoded string in the dump.
    assert_eq!(f["file"], DUMP);
    assert_eq!(f["line"], 30);
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .ends_with("(in group/ci inline \"push\")")
    );
    // The non-default version (`ecr:*` on `*`) is not in force, so not linted.
    assert_eq!(v["findings"].as_array().unwrap().len(), 1, "{v}");
}

#[test]
fn check_a_principal_of_a_dump() {
    let args = check_ecr_push(
        "dagster",
        &[
            "--format",
            "json",
            "--gaad",
            DUMP,
            "--principal",
            "arn:aws:iam::123456789012:user/ecr-ci",
        ],
    );
    let (_, out, err) = run(&args);
    let v: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {err}"));
    // Inline token grant + the group's inline and attached policies cover every ECR action;
    // the attached AWS managed policy comes from the embedded snapshot.
    assert!(
        v["check"]["rows"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["status"] == "ok"),
        "{v}"
    );
    assert!(
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["code"] == "excess-grant"
                && f["file"] == "arn:aws:iam::aws:policy/SecretsManagerReadWrite")
    );
    let args = check_ecr_push(
        "dagster",
        &[
            "--gaad",
            DUMP,
            "--principal",
            "arn:aws:iam::123456789012:user/ecr-cj",
        ],
    );
    let (code, _, err) = run(&args);
    assert_eq!(code, 2);
    assert!(
        err.contains("did you mean `arn:aws:iam::123456789012:user/ecr-ci`?"),
        "{err}"
    );
}

#[test]
fn a_permissions_boundary_caps_the_grants() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/gaad/account.json"
    ))
    .unwrap();
    let mut v: Value = serde_json::from_str(&text).unwrap();
    v["UserDetailList"][0]["PermissionsBoundary"] = serde_json::json!({
        "PermissionsBoundaryType": "Policy",
        "PermissionsBoundaryArn": "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"
    });
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("dump.json");
    std::fs::write(&p, serde_json::to_string_pretty(&v).unwrap()).unwrap();
    let args = check_ecr_push(
        "dagster",
        &[
            "--format",
            "json",
            "--gaad",
            p.to_str().unwrap(),
            "--principal",
            "arn:aws:iam::123456789012:user/ecr-ci",
        ],
    );
    let (code, out, _) = run(&args);
    assert_eq!(code, 1);
    let v: Value = serde_json::from_str(&out).unwrap();
    let capped: Vec<&Value> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| {
            f["code"] == "missing-grant"
                && f["message"]
                    .as_str()
                    .unwrap()
                    .contains("permissions boundary")
        })
        .collect();
    assert!(capped.iter().any(|f| f["action"] == "ecr:PutImage"), "{v}");
}
