//! `iamlint diff` (issue 11, part 2): the access a change adds and removes, computed on the
//! catalog-expanded actions and ARN patterns. Each case of the "must hold" list runs in
//! both directions; `--git-base` runs against a real repository made here.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value;

use crate::util::{iamlint, outcome, run};

const B: &str = "arn:aws:s3:::b/*";

fn stmt(effect: &str, action: &str, resource: &str) -> Value {
    serde_json::json!({"Effect": effect, "Action": action, "Resource": resource})
}

fn policy(stmts: &[Value]) -> String {
    serde_json::to_string_pretty(&serde_json::json!({
        "Version": "2012-10-17",
        "Statement": stmts,
    }))
    .unwrap()
}

/// What one run of `diff --format json` says.
struct Diffed {
    code: i32,
    added: BTreeSet<String>,
    removed: BTreeSet<String>,
    /// Reasons of the added grants.
    reasons: BTreeSet<String>,
    json: Value,
}

fn actions(file: &Value, side: &str) -> BTreeSet<String> {
    file[side]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["action"].as_str().unwrap().to_string())
        .collect()
}

fn diff_json(args: &[&str], dir: &Path) -> Diffed {
    let mut c = iamlint();
    c.current_dir(dir)
        .arg("diff")
        .args(args)
        .args(["--format", "json"]);
    let (code, out, err) = outcome(&mut c);
    let json: Value =
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}\nstderr: {err}"));
    let mut d = Diffed {
        code,
        added: BTreeSet::new(),
        removed: BTreeSet::new(),
        reasons: BTreeSet::new(),
        json: json.clone(),
    };
    for f in json["diff"]["files"].as_array().unwrap() {
        d.added.extend(actions(f, "added"));
        d.removed.extend(actions(f, "removed"));
        for g in f["added"].as_array().unwrap() {
            d.reasons.insert(g["reason"].as_str().unwrap().to_string());
        }
    }
    d
}

/// `diff old new` in a fresh folder, and `diff new old`.
fn both_ways(old: &str, new: &str) -> (Diffed, Diffed) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("old.json"), old).unwrap();
    std::fs::write(dir.path().join("new.json"), new).unwrap();
    (
        diff_json(&["old.json", "new.json"], dir.path()),
        diff_json(&["new.json", "old.json"], dir.path()),
    )
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(ToString::to_string).collect()
}

/// Nothing added either way, and exit 0 both ways.
fn same_access(old: &str, new: &str) {
    let (fwd, back) = both_ways(old, new);
    for d in [&fwd, &back] {
        assert_eq!(d.code, 0, "{}", d.json);
        assert!(d.added.is_empty() && d.removed.is_empty(), "{}", d.json);
        assert!(
            d.json["findings"].as_array().unwrap().is_empty(),
            "{}",
            d.json
        );
    }
}

#[test]
fn reordering_statements_adds_nothing_either_way() {
    let a = stmt("Allow", "s3:GetObject", B);
    let b = stmt("Allow", "ec2:DescribeInstances", "*");
    let d = stmt("Deny", "s3:GetObject", "arn:aws:s3:::b/secret/*");
    same_access(
        &policy(&[a.clone(), b.clone(), d.clone()]),
        &policy(&[d, b, a]),
    );
}

#[test]
fn splitting_statements_adds_nothing_either_way() {
    let whole = serde_json::json!({"Effect": "Allow",
        "Action": ["s3:GetObject", "s3:PutObject"],
        "Resource": [B, "arn:aws:s3:::c/*"]});
    let split = [
        stmt("Allow", "s3:GetObject", B),
        stmt("Allow", "s3:GetObject", "arn:aws:s3:::c/*"),
        serde_json::json!({"Effect": "Allow", "Action": "s3:PutObject",
            "Resource": [B, "arn:aws:s3:::c/*"]}),
    ];
    same_access(&policy(&[whole]), &policy(&split));
}

#[test]
fn narrowing_a_resource_removes_and_widening_adds() {
    let wide = policy(&[stmt("Allow", "s3:GetObject", B)]);
    let narrow = policy(&[stmt("Allow", "s3:GetObject", "arn:aws:s3:::b/logs/*")]);
    let (narrowed, widened) = both_ways(&wide, &narrow);
    assert_eq!(narrowed.code, 0, "{}", narrowed.json);
    assert!(narrowed.added.is_empty());
    assert_eq!(narrowed.removed, set(&["s3:GetObject"]));
    assert_eq!(widened.code, 1, "{}", widened.json);
    assert_eq!(widened.added, set(&["s3:GetObject"]));
    assert_eq!(widened.reasons, set(&["resource"]));
    // The finding points at the widened resource value, and at the old one as related.
    let f = &widened.json["findings"][0];
    assert_eq!(f["code"], "new-access");
    assert_eq!(f["resource"], B);
    assert_eq!(f["related"][0]["message"], "allowed before only on this");
    assert_eq!(f["related"][0]["file"], "new.json");
}

#[test]
fn adding_a_condition_removes_and_removing_one_adds() {
    let free = policy(&[stmt("Allow", "s3:GetObject", B)]);
    let mut c = stmt("Allow", "s3:GetObject", B);
    c["Condition"] = serde_json::json!({"Bool": {"aws:SecureTransport": "true"}});
    let conditional = policy(&[c]);
    let (added_cond, removed_cond) = both_ways(&free, &conditional);
    assert_eq!(added_cond.code, 0, "{}", added_cond.json);
    assert!(added_cond.added.is_empty());
    assert_eq!(added_cond.removed, set(&["s3:GetObject"]));
    assert_eq!(removed_cond.code, 1, "{}", removed_cond.json);
    assert_eq!(removed_cond.added, set(&["s3:GetObject"]));
    assert_eq!(removed_cond.reasons, set(&["condition"]));
}

#[test]
fn conditions_compare_as_sets_whatever_their_spelling() {
    let mut a = stmt("Allow", "s3:GetObject", B);
    a["Condition"] =
        serde_json::json!({"StringEquals": {"aws:RequestedRegion": ["eu-west-1", "us-east-1"]}});
    let mut b = stmt("Allow", "s3:GetObject", B);
    b["Condition"] =
        serde_json::json!({"StringEquals": {"AWS:requestedregion": ["us-east-1", "eu-west-1"]}});
    same_access(&policy(&[a.clone()]), &policy(&[b]));
    // Another value is another condition: neither side covers the other.
    let mut c = stmt("Allow", "s3:GetObject", B);
    c["Condition"] = serde_json::json!({"StringEquals": {"aws:RequestedRegion": "ap-south-1"}});
    let (fwd, back) = both_ways(&policy(&[a]), &policy(&[c]));
    assert_eq!((fwd.code, back.code), (1, 1));
    assert_eq!(fwd.reasons, set(&["condition"]));
}

#[test]
fn adding_a_deny_removes_and_removing_one_adds() {
    let allow = stmt("Allow", "s3:*", B);
    let deny = stmt("Deny", "s3:Delete*", "*");
    let (added_deny, removed_deny) = both_ways(
        &policy(std::slice::from_ref(&allow)),
        &policy(&[allow, deny]),
    );
    assert_eq!(added_deny.code, 0, "{}", added_deny.json);
    assert!(added_deny.added.is_empty());
    assert!(
        added_deny.removed.contains("s3:DeleteObject"),
        "{:?}",
        added_deny.removed
    );
    assert!(!added_deny.removed.contains("s3:GetObject"));
    assert_eq!(removed_deny.code, 1, "{}", removed_deny.json);
    assert!(removed_deny.added.contains("s3:DeleteObject"));
    assert!(
        removed_deny
            .added
            .iter()
            .all(|a| a.starts_with("s3:Delete")),
        "{:?}",
        removed_deny.added
    );
    assert_eq!(removed_deny.reasons, set(&["deny"]));
    let f = &removed_deny.json["findings"][0];
    assert_eq!(f["related"][0]["message"], "denied before by this `Deny`");
}

#[test]
fn a_conditional_deny_added_adds_nothing_and_kept_is_no_change() {
    let allow = stmt("Allow", "s3:*", B);
    let mut deny = stmt("Deny", "s3:Delete*", "*");
    deny["Condition"] = serde_json::json!({"Bool": {"aws:MultiFactorAuthPresent": "false"}});
    let (fwd, back) = both_ways(
        &policy(std::slice::from_ref(&allow)),
        &policy(&[allow.clone(), deny.clone()]),
    );
    assert_eq!(fwd.code, 0, "{}", fwd.json);
    assert!(fwd.added.is_empty());
    // Removing it is new access: it denied under its condition.
    assert_eq!(back.code, 1, "{}", back.json);
    assert_eq!(back.reasons, set(&["deny"]));
    // The same conditional Deny on both sides: no change.
    same_access(
        &policy(&[allow.clone(), deny.clone()]),
        &policy(&[deny.clone(), allow.clone()]),
    );
    // Made unconditional: it denies more, so nothing is added.
    let (fwd, _) = both_ways(
        &policy(&[allow.clone(), deny]),
        &policy(&[allow, stmt("Deny", "s3:Delete*", "*")]),
    );
    assert_eq!(fwd.code, 0, "{}", fwd.json);
    assert!(fwd.added.is_empty());
}

#[test]
fn a_new_wildcard_adds_the_actions_it_expands_to() {
    let one = policy(&[stmt("Allow", "s3:GetObject", B)]);
    let wild = policy(&[stmt("Allow", "s3:Get*", B)]);
    let (fwd, back) = both_ways(&one, &wild);
    assert_eq!(fwd.code, 1, "{}", fwd.json);
    assert!(fwd.added.contains("s3:GetObjectAcl"));
    assert!(!fwd.added.contains("s3:GetObject"));
    // Only actions that can act on `b/*` (objects): no bucket-level `s3:GetBucketPolicy`.
    assert!(!fwd.added.contains("s3:GetBucketPolicy"), "{:?}", fwd.added);
    assert_eq!(fwd.reasons, set(&["action"]));
    assert_eq!(back.code, 0);
    assert_eq!(back.removed, fwd.added);
    // Grouped by service and access level in the message and the text.
    let msg = fwd.json["findings"][0]["message"].as_str().unwrap();
    assert!(
        msg.starts_with("new access on `arn:aws:s3:::b/*`: "),
        "{msg}"
    );
    assert!(msg.contains("`s3` Read: `s3:GetObjectAcl`"), "{msg}");
}

#[test]
fn not_action_is_expanded_both_ways() {
    let mut old = stmt("Allow", "*", "*");
    old.as_object_mut().unwrap().remove("Action");
    old["NotAction"] = serde_json::json!(["iam:*", "organizations:*"]);
    let mut new = old.clone();
    new["NotAction"] = serde_json::json!("iam:*");
    let (fwd, back) = both_ways(&policy(&[old.clone()]), &policy(&[new]));
    assert_eq!(fwd.code, 1, "{}", fwd.json);
    assert!(fwd.added.contains("organizations:CreateAccount"));
    assert!(
        fwd.added.iter().all(|a| a.starts_with("organizations:")),
        "{:?}",
        fwd.added
    );
    assert_eq!(back.code, 0);
    assert!(back.added.is_empty());
    assert_eq!(back.removed, fwd.added);
    // NotAction and the actions it leaves, written out: the same access for those actions.
    let explicit = policy(&[stmt("Allow", "s3:GetObject", "*")]);
    let (fwd, back) = both_ways(&explicit, &policy(&[old]));
    assert_eq!(back.code, 0, "{}", back.json);
    assert!(back.added.is_empty());
    assert!(fwd.added.contains("ec2:RunInstances") && !fwd.added.contains("s3:GetObject"));
}

#[test]
fn not_resource_is_a_complement_both_ways() {
    let not = |rs: Value| serde_json::json!({"Effect": "Allow", "Action": "s3:GetObject", "NotResource": rs});
    let few = policy(&[not(serde_json::json!("arn:aws:s3:::secret/*"))]);
    let more = policy(&[not(serde_json::json!([
        "arn:aws:s3:::secret/*",
        "arn:aws:s3:::private/*"
    ]))]);
    // Excluding more is narrower.
    let (fwd, back) = both_ways(&few, &more);
    assert_eq!(fwd.code, 0, "{}", fwd.json);
    assert!(fwd.added.is_empty());
    assert_eq!(fwd.removed, set(&["s3:GetObject"]));
    assert_eq!(back.code, 1, "{}", back.json);
    assert_eq!(back.added, set(&["s3:GetObject"]));
    let r = &back.json["diff"]["files"][0]["added"][0]["resources"][0];
    assert_eq!(r, "NotResource arn:aws:s3:::secret/*");
    // `*` covers any complement; a plain ARN inside the complement is covered by it.
    let star = policy(&[stmt("Allow", "s3:GetObject", "*")]);
    let (fwd, back) = both_ways(&star, &few);
    assert!(fwd.added.is_empty() && back.code == 1);
    let inside = policy(&[stmt("Allow", "s3:GetObject", B)]);
    let (fwd, back) = both_ways(&few, &inside);
    assert_eq!(fwd.code, 0, "{}", fwd.json);
    assert_eq!(back.code, 1);
    // A Deny with NotResource cuts the same as the Allow it mirrors.
    let mut deny = serde_json::json!({"Effect": "Deny", "Action": "s3:GetObject",
        "NotResource": "arn:aws:s3:::public/*"});
    let allow = stmt("Allow", "s3:GetObject", "*");
    let (fwd, back) = both_ways(
        &policy(std::slice::from_ref(&allow)),
        &policy(&[allow.clone(), deny.clone()]),
    );
    assert_eq!(fwd.code, 0);
    assert_eq!(back.code, 1);
    assert_eq!(back.reasons, set(&["deny"]));
    deny["NotResource"] = serde_json::json!(["arn:aws:s3:::public/*", "arn:aws:s3:::shared/*"]);
    // Excluding more from the Deny denies less: new access.
    let (fwd, _) = both_ways(
        &policy(&[allow.clone(), stmt("Deny", "s3:GetObject", "*")]),
        &policy(&[allow, deny]),
    );
    assert_eq!(fwd.code, 1, "{}", fwd.json);
}

#[test]
fn sets_compare_as_one_principal() {
    let dir = tempfile::tempdir().unwrap();
    let w = |name: &str, text: String| std::fs::write(dir.path().join(name), text).unwrap();
    w("a.json", policy(&[stmt("Allow", "s3:GetObject", B)]));
    w(
        "b.json",
        policy(&[stmt("Allow", "ec2:DescribeInstances", "*")]),
    );
    w(
        "merged.json",
        policy(&[
            stmt("Allow", "ec2:DescribeInstances", "*"),
            stmt("Allow", "s3:GetObject", B),
        ]),
    );
    w(
        "wider.json",
        policy(&[
            stmt("Allow", "ec2:Describe*", "*"),
            stmt("Allow", "s3:GetObject", B),
        ]),
    );
    let d = diff_json(
        &["--old", "a.json", "--old", "b.json", "--new", "merged.json"],
        dir.path(),
    );
    assert_eq!(d.code, 0, "{}", d.json);
    assert!(d.added.is_empty() && d.removed.is_empty());
    let d = diff_json(
        &["--old", "merged.json", "--new", "a.json", "--new", "b.json"],
        dir.path(),
    );
    assert_eq!(d.code, 0, "{}", d.json);
    let d = diff_json(
        &["--old", "a.json", "--old", "b.json", "--new", "wider.json"],
        dir.path(),
    );
    assert_eq!(d.code, 1);
    assert!(d.added.contains("ec2:DescribeVpcs") && !d.added.contains("ec2:DescribeInstances"));
    let label = d.json["diff"]["files"][0]["file"].as_str().unwrap();
    assert_eq!(label, "wider.json");
}

#[test]
fn text_output_shows_the_delta_and_bad_usage_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("old.json"),
        policy(&[stmt("Allow", "s3:GetObject", B)]),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("new.json"),
        policy(&[stmt("Allow", "s3:PutObject", B)]),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("bad.json"),
        "{\"Version\": \"2012-10-17\",\n  \"Statement\": [}",
    )
    .unwrap();
    let mut c = iamlint();
    c.current_dir(dir.path())
        .args(["diff", "old.json", "new.json"]);
    let (code, out, _) = outcome(&mut c);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("new.json:"), "{out}");
    assert!(out.contains("error[new-access]: new access on `arn:aws:s3:::b/*`: 1 action not allowed before: `s3` Write: `s3:PutObject`"), "{out}");
    assert!(out.contains("info[removed-access]"), "{out}");
    assert!(out.contains("access delta:\nnew.json (compared): 1 action added, 1 action removed\n  + s3 Write: `s3:PutObject` on `arn:aws:s3:::b/*`\n  - s3 Read: `s3:GetObject` on `arn:aws:s3:::b/*`\n"), "{out}");
    // `--fail-on never` passes; `--fail-on info` fails on removed access alone.
    let mut c = iamlint();
    c.current_dir(dir.path())
        .args(["diff", "new.json", "new.json", "--fail-on", "info"]);
    assert_eq!(outcome(&mut c).0, 0);
    let mut c = iamlint();
    c.current_dir(dir.path())
        .args(["diff", "new.json", "old.json", "--fail-on", "info"]);
    assert_eq!(outcome(&mut c).0, 1);
    // Not JSON: exit 2 naming file, line and column.
    let mut c = iamlint();
    c.current_dir(dir.path())
        .args(["diff", "old.json", "bad.json"]);
    let (code, out, _) = outcome(&mut c);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("bad.json:2:17: not valid JSON"), "{out}");
    // One path only: a usage error.
    let (code, _, err) = run(&["diff", "fixtures/lint/seed-002-dstack-legacy/policy.json"]);
    assert_eq!(code, 2);
    assert!(err.contains("give two policies"), "{err}");
}

#[test]
fn folders_compare_file_by_file() {
    let dir = tempfile::tempdir().unwrap();
    let w = |rel: &str, text: String| {
        let p = dir.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    };
    w("old/same.json", policy(&[stmt("Allow", "s3:GetObject", B)]));
    w("new/same.json", policy(&[stmt("Allow", "s3:GetObject", B)]));
    w(
        "old/gone.json",
        policy(&[stmt("Allow", "sqs:SendMessage", "*")]),
    );
    w(
        "new/sub/fresh.json",
        policy(&[stmt("Allow", "sns:Publish", "*")]),
    );
    w("new/package.json", r#"{"name": "x"}"#.into());
    let d = diff_json(&["old", "new"], dir.path());
    assert_eq!(d.code, 1, "{}", d.json);
    assert_eq!(d.added, set(&["sns:Publish"]));
    assert_eq!(d.removed, set(&["sqs:SendMessage"]));
    let files: Vec<(String, String)> = d.json["diff"]["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["file"].as_str().unwrap().into(),
                f["change"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        files,
        [
            ("old/gone.json".to_string(), "deleted".to_string()),
            ("new/same.json".into(), "compared".into()),
            ("new/sub/fresh.json".into(), "added".into()),
        ]
    );
    assert_eq!(d.json["skipped"][0]["file"], "new/package.json");
}

#[test]
fn allow_rules_lets_new_access_inside_a_rule_set_pass() {
    let repo = "arn:aws:ecr:us-east-1:123456789012:repository/dagster";
    let old = policy(&[stmt("Allow", "ecr:GetAuthorizationToken", "*")]);
    let inside = policy(&[
        stmt("Allow", "ecr:GetAuthorizationToken", "*"),
        serde_json::json!({"Effect": "Allow", "Action": ["ecr:PutImage", "ecr:UploadLayerPart"], "Resource": repo}),
    ]);
    let outside = policy(&[
        stmt("Allow", "ecr:GetAuthorizationToken", "*"),
        serde_json::json!({"Effect": "Allow", "Action": ["ecr:PutImage", "ecr:DeleteRepository"], "Resource": repo}),
    ]);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("old.json"), old).unwrap();
    std::fs::write(dir.path().join("inside.json"), inside).unwrap();
    std::fs::write(dir.path().join("outside.json"), outside).unwrap();
    let rules = [
        "--allow-rules",
        "ecr-push",
        "--param",
        "account_id=123456789012",
        "--param",
        "region=us-east-1",
        "--param",
        "repository=dagster",
    ];
    let mut args = vec!["old.json", "inside.json"];
    // Without the rule set, it fails.
    assert_eq!(diff_json(&args, dir.path()).code, 1);
    args.extend(rules);
    let d = diff_json(&args, dir.path());
    assert_eq!(d.code, 0, "{}", d.json);
    assert_eq!(d.added, set(&["ecr:PutImage", "ecr:UploadLayerPart"]));
    assert_eq!(d.json["diff"]["allowed_by"], "ecr-push");
    assert_eq!(d.json["diff"]["new_access"], false);
    let f = &d.json["findings"][0];
    assert_eq!(
        (f["code"].as_str(), f["severity"].as_str()),
        (Some("new-access"), Some("info"))
    );
    // Another repository is outside the rule set's grants.
    let mut other = args.clone();
    let at = other
        .iter()
        .position(|a| *a == "repository=dagster")
        .unwrap();
    other[at] = "repository=other";
    assert_eq!(diff_json(&other, dir.path()).code, 1);
    // An action the rule set does not grant fails; the finding names it alone.
    let mut args = vec!["old.json", "outside.json"];
    args.extend(rules);
    let d = diff_json(&args, dir.path());
    assert_eq!(d.code, 1, "{}", d.json);
    let errors: Vec<&Value> = d.json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "error")
        .collect();
    assert_eq!(errors.len(), 1, "{}", d.json);
    assert_eq!(
        errors[0]["extra_actions"],
        serde_json::json!(["ecr:DeleteRepository"])
    );
    // A rule set that does not exist: exit 2.
    let mut c = iamlint();
    c.current_dir(dir.path()).args([
        "diff",
        "old.json",
        "inside.json",
        "--allow-rules",
        "no-such-rules",
    ]);
    assert_eq!(outcome(&mut c).0, 2);
}

/// `git` in `dir` with a fixed identity; panics when it fails.
fn git(dir: &Path, args: &[&str]) -> String {
    let out = std::process::Command::new("git")
        .arg("-C")
        .arg(dir)
        .args([
            "-c",
            "user.name=iamlint test",
            "-c",
            "user.email=test@example.com",
        ])
        .args([
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// A repository with a base commit and a head commit: `a.json` widened, `n.json` added,
/// `d.json` deleted, `broken.json` no longer JSON, `same.json` untouched, `package.json`
/// (not a policy) changed, and `untracked.json` never committed.
fn repo() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    let w = |rel: &str, text: &str| {
        let f = p.join(rel);
        std::fs::create_dir_all(f.parent().unwrap()).unwrap();
        std::fs::write(f, text).unwrap();
    };
    git(p, &["init", "-q"]);
    w(
        "policies/a.json",
        &policy(&[stmt("Allow", "s3:GetObject", B)]),
    );
    w(
        "policies/d.json",
        &policy(&[stmt("Allow", "sqs:SendMessage", "*")]),
    );
    w(
        "policies/broken.json",
        &policy(&[stmt("Allow", "sns:Publish", "*")]),
    );
    w(
        "policies/same.json",
        &policy(&[stmt("Allow", "kms:Decrypt", "*")]),
    );
    w(
        "policies/package.json",
        r#"{"name": "x", "version": "1.0.0"}"#,
    );
    w("README.md", "policies\n");
    git(p, &["add", "-A"]);
    git(p, &["commit", "-q", "-m", "base"]);
    let base = git(p, &["rev-parse", "HEAD"]);
    w(
        "policies/a.json",
        &policy(&[stmt("Allow", "s3:GetObject", "arn:aws:s3:::*")]),
    );
    w(
        "policies/n.json",
        &policy(&[stmt("Allow", "iam:PassRole", "*")]),
    );
    std::fs::remove_file(p.join("policies/d.json")).unwrap();
    w(
        "policies/broken.json",
        "{\"Version\": \"2012-10-17\",\n\"Statement\": [\n  {\"Effect\": ",
    );
    w(
        "policies/package.json",
        r#"{"name": "x", "version": "1.0.1"}"#,
    );
    w("README.md", "policies, changed\n");
    git(p, &["add", "-A"]);
    git(p, &["commit", "-q", "-m", "head"]);
    w(
        "policies/untracked.json",
        &policy(&[stmt("Allow", "lambda:InvokeFunction", "*")]),
    );
    (dir, base)
}

#[test]
fn git_base_compares_each_changed_policy_with_its_version_at_the_ref() {
    let (dir, base) = repo();
    let p = dir.path();
    let status = git(p, &["status", "--porcelain"]);
    let index = std::fs::read(p.join(".git/index")).unwrap();
    let files = [
        "policies/a.json",
        "policies/n.json",
        "policies/d.json",
        "policies/same.json",
        "policies/package.json",
        "policies/untracked.json",
    ];
    let mut args = vec!["--git-base", base.as_str()];
    args.extend(files);
    let d = diff_json(&args, p);
    assert_eq!(d.code, 1, "{}", d.json);
    let by_file: Vec<(String, String, BTreeSet<String>, BTreeSet<String>)> =
        d.json["diff"]["files"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["file"].as_str().unwrap().to_string(),
                    f["change"].as_str().unwrap().to_string(),
                    actions(f, "added"),
                    actions(f, "removed"),
                )
            })
            .collect();
    assert_eq!(
        by_file,
        [
            (
                "policies/a.json".to_string(),
                "modified".to_string(),
                set(&["s3:GetObject"]),
                set(&[])
            ),
            (
                "policies/d.json".into(),
                "deleted".into(),
                set(&[]),
                set(&["sqs:SendMessage"])
            ),
            (
                "policies/n.json".into(),
                "added".into(),
                set(&["iam:PassRole"]),
                set(&[])
            ),
            (
                "policies/untracked.json".into(),
                "added".into(),
                set(&["lambda:InvokeFunction"]),
                set(&[])
            ),
        ]
    );
    assert_eq!(d.json["skipped"][0]["file"], "policies/package.json");
    // The removed access points into the file at the ref.
    let removed = d.json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "removed-access")
        .unwrap();
    assert_eq!(removed["file"], format!("{base}:policies/d.json"));
    // Run from a subfolder, paths show relative to it.
    let d = diff_json(&["--git-base", &base, "a.json"], &p.join("policies"));
    assert_eq!(d.json["diff"]["files"][0]["file"], "a.json");
    // Nothing in the repository changed.
    assert_eq!(git(p, &["status", "--porcelain"]), status);
    assert_eq!(std::fs::read(p.join(".git/index")).unwrap(), index);
}

#[test]
fn git_base_fails_on_a_policy_that_is_no_longer_json() {
    let (dir, base) = repo();
    // The whole folder (a branch name as the ref): the broken file fails the run.
    git(dir.path(), &["branch", "base", &base]);
    let d = diff_json(&["--git-base", "base", "policies"], dir.path());
    assert_eq!(d.code, 2, "{}", d.json);
    let errors = d.json["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{}", d.json);
    assert!(
        errors[0]
            .as_str()
            .unwrap()
            .starts_with("policies/broken.json:3:14: not valid JSON"),
        "{errors:?}"
    );
    // The others are still compared.
    assert!(d.added.contains("iam:PassRole"));
    let mut c = iamlint();
    c.current_dir(dir.path())
        .args(["diff", "--git-base", "base"]);
    let (code, out, _) = outcome(&mut c);
    assert_eq!(code, 2);
    assert!(
        out.contains("policies/broken.json:3:14: not valid JSON"),
        "{out}"
    );
}

#[test]
fn git_base_with_a_bad_ref_or_outside_a_repository_exits_2() {
    let (dir, _) = repo();
    let mut c = iamlint();
    c.current_dir(dir.path())
        .args(["diff", "--git-base", "no-such-branch"]);
    let (code, out, err) = outcome(&mut c);
    assert_eq!(code, 2, "{out}");
    assert!(
        err.contains("`no-such-branch` is not a commit of the repository"),
        "{err}"
    );
    let mut c = iamlint();
    c.current_dir(dir.path())
        .args(["diff", "--git-base", "--output=x"]);
    let (code, _, err) = outcome(&mut c);
    assert_eq!(code, 2, "{err}");
    assert!(!dir.path().join("x").exists());
    let plain = tempfile::tempdir().unwrap();
    let mut c = iamlint();
    c.current_dir(plain.path())
        .env("GIT_CEILING_DIRECTORIES", plain.path().parent().unwrap())
        .args(["diff", "--git-base", "main"]);
    let (code, _, err) = outcome(&mut c);
    assert_eq!(code, 2);
    assert!(err.contains("not a git repository"), "{err}");
}

#[test]
fn git_base_compares_a_moved_file_with_its_old_self() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    git(p, &["init", "-q"]);
    let stmts: Vec<Value> = (0..20)
        .map(|i| {
            stmt(
                "Allow",
                "s3:GetObject",
                &format!("arn:aws:s3:::bucket-{i}/*"),
            )
        })
        .collect();
    std::fs::create_dir_all(p.join("policies/moved")).unwrap();
    std::fs::write(p.join("policies/x.json"), policy(&stmts)).unwrap();
    git(p, &["add", "-A"]);
    git(p, &["commit", "-q", "-m", "base"]);
    let mut more = stmts.clone();
    more[0]["Action"] = "s3:PutObject".into();
    std::fs::remove_file(p.join("policies/x.json")).unwrap();
    std::fs::write(p.join("policies/moved/x.json"), policy(&more)).unwrap();
    git(p, &["add", "-A"]);
    git(p, &["commit", "-q", "-m", "move"]);
    let d = diff_json(&["--git-base", "HEAD~1", "policies"], p);
    assert_eq!(d.code, 1, "{}", d.json);
    let files = d.json["diff"]["files"].as_array().unwrap();
    assert_eq!(files.len(), 1, "{}", d.json);
    assert_eq!(files[0]["file"], "policies/moved/x.json");
    assert_eq!(files[0]["change"], "modified");
    assert_eq!(d.added, set(&["s3:PutObject"]));
    assert_eq!(d.removed, set(&["s3:GetObject"]));
    let removed = d.json["diff"]["files"][0]["removed"][0]["resources"].clone();
    assert_eq!(removed, serde_json::json!(["arn:aws:s3:::bucket-0/*"]));
}

/// Invariants over generated policies (a fixed-seed generator; `DIFF_CASES`, `DIFF_SEED`): reordering changes no
/// access; adding a `Deny` (conditional or not), or a condition to an `Allow`, adds none;
/// adding an `Allow` removes none.
#[test]
fn generated_policies_keep_the_invariants() {
    use iamlint::analysis::diff::{Change, Pair, Request, diff};
    use iamlint::source::Document;
    // `DIFF_CASES` and `DIFF_SEED` run a longer or another series.
    let env = |k: &str| std::env::var(k).ok().and_then(|v| v.parse::<u64>().ok());
    let cases = env("DIFF_CASES").unwrap_or(30);
    let seed = std::cell::Cell::new(env("DIFF_SEED").unwrap_or(0x2545_f491_4f6c_dd1d).max(1));
    let next = |n: usize| {
        let mut x = seed.get();
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        seed.set(x);
        (x % n as u64) as usize
    };
    let actions = [
        "s3:GetObject",
        "s3:Get*",
        "s3:*",
        "s3:PutObject",
        "ec2:Describe*",
        "iam:PassRole",
    ];
    let resources = [
        "*",
        B,
        "arn:aws:s3:::b/logs/*",
        "arn:aws:s3:::*",
        "arn:aws:iam::123456789012:role/app-*",
    ];
    let conditions = [
        Value::Null,
        serde_json::json!({"Bool": {"aws:SecureTransport": "true"}}),
        serde_json::json!({"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}),
    ];
    let make = |effect: &str| {
        let mut s = serde_json::json!({"Effect": effect});
        let a = actions[next(actions.len())];
        let r = resources[next(resources.len())];
        s[if next(6) == 0 { "NotAction" } else { "Action" }] = a.into();
        s[if next(6) == 0 {
            "NotResource"
        } else {
            "Resource"
        }] = r.into();
        let c = &conditions[next(conditions.len())];
        if !c.is_null() {
            s["Condition"] = c.clone();
        }
        s
    };
    let run = |old: &[Value], new: &[Value]| {
        let doc = |o: &str, st: &[Value]| Document {
            origin: o.into(),
            text: policy(st),
        };
        let r = diff(Request {
            pairs: vec![Pair {
                label: "new.json".into(),
                change: Change::Compared,
                old: vec![doc("old.json", old)],
                new: vec![doc("new.json", new)],
            }],
            ..Request::default()
        });
        assert!(r.report.errors.is_empty(), "{:?}", r.report.errors);
        let f = &r.files[0];
        (f.added.len(), f.removed.len())
    };
    // `NotAction` (one statement in six) expands to every action: the costly path.
    for case in 0..cases {
        let n = 1 + (case % 4) as usize;
        let mut p: Vec<Value> = (0..n)
            .map(|_| {
                let e = if next(4) == 0 { "Deny" } else { "Allow" };
                make(e)
            })
            .collect();
        let mut shuffled = p.clone();
        shuffled.reverse();
        assert_eq!(run(&p, &shuffled), (0, 0), "reordered: {p:?}");
        let mut denied = p.clone();
        denied.insert(next(p.len() + 1), make("Deny"));
        assert_eq!(run(&p, &denied).0, 0, "Deny added: {denied:?} from {p:?}");
        let mut allowed = p.clone();
        allowed.push(make("Allow"));
        assert_eq!(
            run(&p, &allowed).1,
            0,
            "Allow added: {allowed:?} from {p:?}"
        );
        if let Some(i) = p.iter().position(|s| s["Effect"] == "Allow") {
            let old = p.clone();
            // One more clause (an operator the pool never uses), the others kept.
            if p[i]["Condition"].is_null() {
                p[i]["Condition"] = serde_json::json!({});
            }
            p[i]["Condition"]["Null"] = serde_json::json!({"aws:TokenIssueTime": "false"});
            assert_eq!(run(&old, &p).0, 0, "condition added: {p:?} from {old:?}");
        }
    }
}

/// The PR comment of a diff: the findings, then the access delta of each file grouped by
/// service and access level; valid SARIF for code scanning.
#[test]
fn diff_markdown_and_sarif() {
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("old.json");
    let new = dir.path().join("new.json");
    std::fs::write(
        &old,
        policy(&[
            stmt("Allow", "s3:GetObject", B),
            stmt("Allow", "ec2:TerminateInstances", "*"),
        ]),
    )
    .unwrap();
    std::fs::write(
        &new,
        policy(&[
            stmt("Allow", "s3:*Object", B),
            stmt("Allow", "ec2:DescribeInstances", "*"),
        ]),
    )
    .unwrap();
    let out = iamlint()
        .current_dir(dir.path())
        .args(["diff", "old.json", "new.json", "--format", "markdown"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let md = String::from_utf8(out.stdout).unwrap();
    insta::assert_snapshot!("diff_markdown", md);
    assert!(
        md.contains("### Access delta of `new.json` (compared)"),
        "{md}"
    );
    assert!(
        md.contains("**Access added**") && md.contains("**Access removed**"),
        "{md}"
    );
    let out = iamlint()
        .current_dir(dir.path())
        .args(["diff", "old.json", "new.json", "--format", "sarif"])
        .output()
        .unwrap();
    let v = crate::formats::valid_sarif(&String::from_utf8(out.stdout).unwrap());
    let rules: Vec<&str> = v["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["ruleId"].as_str().unwrap())
        .collect();
    assert!(
        rules.contains(&"new-access") && rules.contains(&"removed-access"),
        "{rules:?}"
    );
}

/// A side that cannot be read is not compared: no access is made up as added or removed
/// against an empty side, and the run fails on the error.
#[test]
fn an_unreadable_side_is_an_error_not_a_delta() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, b"\xff\xfe{}").unwrap();
    let good = dir.path().join("good.json");
    std::fs::write(&good, policy(&[stmt("Allow", "s3:GetObject", B)])).unwrap();
    let out = iamlint()
        .args(["diff", "--format", "json"])
        .arg(&bad)
        .arg(&good)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["findings"], serde_json::json!([]), "{v}");
    assert_eq!(v["diff"]["files"], serde_json::json!([]), "{v}");
    assert!(
        v["errors"][0].as_str().unwrap().contains("not UTF-8"),
        "{v}"
    );
}
