//! Folders and special files (issue 10, part 3) and JSON in folders that is not a policy
//! (issue 9, part 5). Every run has a time limit, so a hang fails the test.

use std::path::Path;
use std::time::Duration;

use serde_json::Value;

use crate::util::{check_ecr_push, iamlint};

const POLICY: &str = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]}"#;

fn run_in<S: AsRef<std::ffi::OsStr>>(dir: &Path, args: &[S]) -> (i32, String, String) {
    crate::util::outcome(
        iamlint()
            .current_dir(dir)
            .args(args)
            .timeout(Duration::from_secs(30)),
    )
}

fn json_of(out: &str) -> Value {
    serde_json::from_str(out).unwrap_or_else(|e| panic!("{e}: {out}"))
}

#[cfg(unix)]
fn mkfifo(p: &Path) {
    let ok = std::process::Command::new("mkfifo")
        .arg(p)
        .status()
        .unwrap()
        .success();
    assert!(ok, "mkfifo {}", p.display());
}

#[cfg(unix)]
#[test]
fn regression_issue_10_fifos_never_block() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path().join("policies");
    std::fs::create_dir(&d).unwrap();
    std::fs::write(d.join("p.json"), POLICY).unwrap();
    mkfifo(&d.join("a.json"));
    // In a folder: skipped, the rest linted.
    let (code, out, err) = run_in(t.path(), &["lint", "--format", "json", "policies"]);
    assert_eq!(code, 0, "{out}{err}");
    let v = json_of(&out);
    assert_eq!(v["summary"]["documents"], 1, "{v}");
    assert_eq!(v["errors"], serde_json::json!([]), "{v}");
    // Named: said to be no regular file, for lint, --policy and --gaad alike.
    let says = "policies/a.json: not a regular file (a FIFO); to read a stream, pipe it to `-` (standard input)";
    let (code, out, err) = run_in(t.path(), &["lint", "policies/a.json"]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(out.contains(&format!("error: {says}")), "{out}");
    let args = check_ecr_push("dagster", &["--policy", "policies/a.json"]);
    let (code, out, err) = run_in(t.path(), &args);
    assert_eq!(code, 2, "{out}{err}");
    assert!(out.contains(says), "{out}");
    let args = check_ecr_push(
        "dagster",
        &["--gaad", "policies/a.json", "--principal", "x"],
    );
    let (code, out, err) = run_in(t.path(), &args);
    assert_eq!(code, 2, "{out}{err}");
    assert_eq!(err.trim(), format!("error: {says}"), "{out}");
    let (code, _, err) = run_in(t.path(), &["render", "--rules", "policies/a.json"]);
    assert_eq!(code, 2);
    assert_eq!(err.trim(), format!("error: {says}"));
}

#[cfg(unix)]
#[test]
fn regression_issue_10_symlinks_are_followed_once() {
    use std::os::unix::fs::symlink;
    let t = tempfile::tempdir().unwrap();
    let d = t.path().join("policies");
    std::fs::create_dir_all(d.join("real")).unwrap();
    std::fs::write(d.join("real/p.json"), POLICY).unwrap();
    // Two links to the folder itself: before, the walk was exponential.
    symlink(".", d.join("self-a")).unwrap();
    symlink(".", d.join("self-b")).unwrap();
    // Two links to one folder: walked once.
    symlink("real", d.join("again")).unwrap();
    symlink("real", d.join("zz-again")).unwrap();
    let (code, out, err) = run_in(t.path(), &["lint", "--format", "json", "policies"]);
    assert_eq!(code, 2, "{out}{err}");
    let v = json_of(&out);
    assert_eq!(v["summary"]["documents"], 1, "{v}");
    let errors: Vec<&str> = v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.as_str().unwrap())
        .collect();
    assert_eq!(errors.len(), 2, "{errors:?}");
    for (e, link) in errors.iter().zip(["self-a", "self-b"]) {
        assert!(
            e.starts_with(&format!("policies/{link}: a symbolic link to `")),
            "{e}"
        );
        assert!(
            e.ends_with("which contains it (a loop); not followed"),
            "{e}"
        );
    }
    // Without the loops, the same folder is clean.
    std::fs::remove_file(d.join("self-a")).unwrap();
    std::fs::remove_file(d.join("self-b")).unwrap();
    let (code, out, err) = run_in(t.path(), &["lint", "--format", "json", "policies"]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(json_of(&out)["summary"]["documents"], 1);
    // A folder reached only through a link is walked.
    let (code, out, err) = run_in(t.path(), &["lint", "--format", "json", "policies/again"]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(json_of(&out)["summary"]["documents"], 1);
}

#[cfg(unix)]
#[test]
fn regression_issue_10_broken_links_are_reported() {
    use std::os::unix::fs::symlink;
    let t = tempfile::tempdir().unwrap();
    let d = t.path().join("policies");
    std::fs::create_dir(&d).unwrap();
    std::fs::write(d.join("p.json"), POLICY).unwrap();
    symlink("gone.json", d.join("dangling.json")).unwrap();
    symlink("loop-b", d.join("loop-a")).unwrap();
    symlink("loop-a", d.join("loop-b")).unwrap();
    let (code, out, err) = run_in(t.path(), &["lint", "policies"]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(
        out.contains(
            "error: policies/dangling.json: a symbolic link to `gone.json`, which does not exist"
        ),
        "{out}"
    );
    assert!(
        out.contains("error: policies/loop-a: a symbolic link that cannot be followed: "),
        "{out}"
    );
    let (code, out, _) = run_in(t.path(), &["lint", "policies/dangling.json"]);
    assert_eq!(code, 2);
    assert!(
        out.contains(
            "error: policies/dangling.json: a symbolic link to `gone.json`, which does not exist"
        ),
        "{out}"
    );
}

#[test]
fn regression_issue_10_a_folder_where_a_file_is_expected() {
    let t = tempfile::tempdir().unwrap();
    std::fs::create_dir(t.path().join("dump")).unwrap();
    let args = check_ecr_push("dagster", &["--gaad", "dump", "--principal", "x"]);
    let (code, out, err) = run_in(t.path(), &args);
    assert_eq!(code, 2, "{out}{err}");
    assert_eq!(err, "error: dump: is a directory, not a file\n");
    let (code, _, err) = run_in(t.path(), &["render", "--rules", "dump"]);
    assert_eq!(code, 2);
    assert_eq!(err, "error: dump: is a directory, not a file\n");
    // A shipped rule set id still wins over nothing on disk.
    let (code, _, err) = run_in(t.path(), &["render", "--rules", "ecr-pus"]);
    assert_eq!(code, 2);
    assert!(err.contains("did you mean `ecr-push`?"), "{err}");
}

#[test]
fn regression_issue_9_json_that_is_not_a_policy_is_skipped_in_folders() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path().join("repo");
    std::fs::create_dir_all(d.join("iam")).unwrap();
    std::fs::write(d.join("iam/p.json"), POLICY).unwrap();
    std::fs::write(
        d.join("package.json"),
        r#"{"name": "x", "version": "1.0.0"}"#,
    )
    .unwrap();
    std::fs::write(d.join("list.json"), "[1, 2]").unwrap();
    std::fs::write(
        d.join("stack.json"),
        r#"{"Resources": {"R": {"Type": "AWS::IAM::Role", "Properties": {}}}}"#,
    )
    .unwrap();
    // Near misses of a policy stay errors.
    std::fs::write(
        d.join("typo.json"),
        r#"{"Verison": "2012-10-17", "Statment": []}"#,
    )
    .unwrap();
    std::fs::write(
        d.join("statement.json"),
        r#"{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}"#,
    )
    .unwrap();
    let (code, out, err) = run_in(t.path(), &["lint", "repo"]);
    assert_eq!(code, 1, "{out}{err}");
    let last = out.lines().last().unwrap();
    assert!(
        last.contains(
            "in 3 documents; skipped 3 JSON files that are not policy documents (1 a CloudFormation template, whose policies are not linted)"
        ),
        "{last}"
    );
    assert!(
        out.contains("repo/typo.json:1:2: error[unknown-field]"),
        "{out}"
    );
    assert!(
        out.contains("repo/statement.json:1:1: error[missing-field]"),
        "{out}"
    );
    let (code, out, _) = run_in(t.path(), &["lint", "--format", "json", "repo"]);
    assert_eq!(code, 1);
    let v = json_of(&out);
    assert_eq!(v["summary"]["skipped"], 3, "{v}");
    assert_eq!(v["summary"]["documents"], 3, "{v}");
    assert_eq!(
        v["skipped"],
        serde_json::json!([
            {"file": "repo/list.json", "reason": "not-a-policy"},
            {"file": "repo/package.json", "reason": "not-a-policy"},
            {"file": "repo/stack.json", "reason": "cloudformation-template"},
        ])
    );
    // Named explicitly, it is linted as the policy it was given as.
    let (code, out, _) = run_in(t.path(), &["lint", "repo/package.json"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("error[missing-field]: the policy has no `Statement`"),
        "{out}"
    );
    assert!(!out.contains("skipped"), "{out}");
    // A folder of JSON none of which is a policy checked nothing: an error, not a pass.
    let (code, out, _) = run_in(&d, &["lint", "."]);
    assert_eq!(code, 1, "{out}");
    std::fs::remove_dir_all(d.join("iam")).unwrap();
    std::fs::remove_file(d.join("typo.json")).unwrap();
    std::fs::remove_file(d.join("statement.json")).unwrap();
    let (code, out, _) = run_in(t.path(), &["lint", "repo"]);
    assert_eq!(code, 2, "{out}");
    assert!(
        out.contains("error: repo: the folder holds no policy documents: skipped 3 JSON files that are not policy documents (1 a CloudFormation template, whose policies are not linted)"),
        "{out}"
    );
}

#[test]
fn regression_issue_9_check_skips_json_that_is_not_a_policy_in_folders() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path().join("repo");
    std::fs::create_dir(&d).unwrap();
    std::fs::write(
        d.join("package.json"),
        r#"{"name": "x", "version": "1.0.0"}"#,
    )
    .unwrap();
    let args = check_ecr_push("dagster", &["--policy", "repo"]);
    let (code, out, err) = run_in(t.path(), &args);
    assert_eq!(code, 2, "{out}{err}");
    assert!(
        out.contains("error: repo: the folder holds no policy documents (1 JSON file that is not)"),
        "{out}"
    );
    std::fs::write(d.join("p.json"), POLICY).unwrap();
    let (code, out, err) = run_in(t.path(), &args);
    assert_eq!(code, 1, "{out}{err}");
    assert!(!out.contains("package.json"), "{out}");
    assert!(out.contains("repo/p.json"), "{out}");
}
