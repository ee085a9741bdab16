//! Issue 10 part 4: bounded cost on hostile inputs. Each case used to take from ten seconds
//! to minutes, or to exhaust memory (the figures are `scripts/bench-hostile` runs of the
//! release binary before the fix); each now answers correctly within a limit generous
//! enough for a debug build on a loaded machine.

use crate::util::{check_ecr_push, iamlint};
use serde_json::Value;
use std::time::Duration;

/// Far above what the fixed code needs in a debug build, far below what the old code took.
const LIMIT: Duration = Duration::from_secs(60);

/// Run with the time limit: (exit code, stdout). A run killed at the limit fails the test.
fn run_limited(args: &[&str]) -> (i32, String) {
    let out = iamlint()
        .args(args)
        .timeout(LIMIT)
        .output()
        .unwrap_or_else(|e| panic!("iamlint {args:?}: {e}"));
    let code = out.status.code().unwrap_or_else(|| {
        panic!(
            "iamlint {:?} was killed (over {LIMIT:?}?)",
            args.iter().map(|a| a.len().min(80)).collect::<Vec<_>>()
        )
    });
    (code, String::from_utf8_lossy(&out.stdout).into_owned())
}

fn json(out: &str) -> Value {
    serde_json::from_str(out).unwrap_or_else(|e| panic!("{e}: {}", &out[..out.len().min(500)]))
}

fn codes(v: &Value, code: &str) -> Vec<Value> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == code)
        .cloned()
        .collect()
}

fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> String {
    let p = dir.path().join(name);
    std::fs::write(&p, text).unwrap();
    p.display().to_string()
}

fn policy(statements: &[Value]) -> String {
    serde_json::json!({"Version": "2012-10-17", "Statement": statements}).to_string()
}

/// 8,000 distinct unknown actions in one statement: each "did you mean" weighed every other
/// action of the document (over 30 s). A typo among them still gets its suggestion, with
/// the words of the other actions as context; past 1,000 names there is no search.
#[test]
fn issue_10_many_unknown_actions() {
    let dir = tempfile::tempdir().unwrap();
    let mut acts: Vec<String> = vec![
        "ec2:CancelSpotRequests".into(),
        "ec2:DescribeSpotInstanceRequests".into(),
    ];
    acts.extend((0..8000).map(|i| format!("ec2:DescribeInstancez{i}")));
    let p = write(
        &dir,
        "p.json",
        &policy(&[serde_json::json!({"Effect": "Allow", "Action": acts, "Resource": "*"})]),
    );
    let (code, out) = run_limited(&["lint", "--format", "json", &p]);
    assert_eq!(code, 1);
    let v = json(&out);
    let unknown = codes(&v, "unknown-action");
    assert_eq!(unknown.len(), 8001);
    let typo = unknown
        .iter()
        .find(|f| f["action"] == "ec2:CancelSpotRequests")
        .unwrap();
    assert_eq!(typo["suggestion"], "ec2:CancelSpotInstanceRequests");
    // The first 1,000 unknown names are searched; the rest say why they were not, and stay
    // errors.
    let unsearched: Vec<&Value> = unknown
        .iter()
        .filter(|f| {
            f["help"]
                .as_str()
                .is_some_and(|h| h.contains("more than 1000 unknown names"))
        })
        .collect();
    assert_eq!(unsearched.len(), 7001);
    assert!(unsearched.iter().all(|f| f["severity"] == "error"));
    assert_eq!(unsearched[0]["action"], "ec2:DescribeInstancez999");
}

/// 100,000 statements with distinct Sids: the duplicate-Sid check compared each with every
/// earlier one (50,000 took 11 s). The one duplicate is still found, at its first use.
#[test]
fn issue_10_many_statements() {
    let dir = tempfile::tempdir().unwrap();
    let mut sts: Vec<Value> = (0..100_000)
        .map(|i| {
            serde_json::json!({"Sid": format!("S{i}"), "Effect": "Allow",
                "Action": "s3:GetObject", "Resource": format!("arn:aws:s3:::b-{i}/*")})
        })
        .collect();
    sts.push(serde_json::json!({"Sid": "S99999", "Effect": "Allow",
        "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b-x/*"}));
    let p = write(&dir, "p.json", &policy(&sts));
    let (code, out) = run_limited(&["lint", "--format", "json", "--fail-on", "warning", &p]);
    assert_eq!(code, 1);
    let v = json(&out);
    let dups = codes(&v, "duplicate-sid");
    assert_eq!(dups.len(), 1, "{dups:?}");
    assert!(dups[0]["message"].as_str().unwrap().contains("`S99999`"));
    assert_eq!(dups[0]["related"][0]["message"], "first used here");
}

/// A rule file of 10,000 grants against a policy that has none of them: each finding's
/// pointer into the rule file re-indexed the whole file (over 30 s).
#[test]
fn issue_10_many_rule_grants() {
    let dir = tempfile::tempdir().unwrap();
    let mut rules = String::from(
        "id = \"many\"\ntitle = \"many grants\"\nsystem = \"hostile\"\n\n[source]\ntitle = \"generated\"\n\n",
    );
    for i in 0..10_000 {
        rules.push_str(&format!(
            "[[grant]]\nsid = \"G{i}\"\nactions = [\"s3:GetObject\", \"s3:PutObject\"]\nresources = [\"arn:aws:s3:::bucket-{i}/*\"]\n\n"
        ));
    }
    let r = write(&dir, "rules.toml", &rules);
    let p = write(
        &dir,
        "p.json",
        &policy(&[serde_json::json!({"Effect": "Allow",
            "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "arn:aws:s3:::bucket-7/*"})]),
    );
    let (code, out) = run_limited(&["check", "--format", "json", "--rules", &r, "--policy", &p]);
    assert_eq!(code, 1);
    let v = json(&out);
    // Two actions of 9,999 grants are allowed on another bucket; the one on bucket-7 is met.
    let elsewhere = codes(&v, "mis-scoped-grant");
    assert_eq!(elsewhere.len(), 19_998);
    let last = elsewhere
        .iter()
        .find(|f| f["resource"] == "arn:aws:s3:::bucket-9999/*")
        .unwrap();
    // The rule-file line that requires it: grant 9,999 starts 5 lines per grant after line
    // 8; its actions are its third line.
    let rel = last["related"].as_array().unwrap().last().unwrap();
    assert_eq!(rel["line"], 8 + 5 * 9999 + 2, "{rel}");
}

/// A 1 MB service prefix: "did you mean" scored it against every service (15 s).
#[test]
fn issue_10_long_service_prefix() {
    let dir = tempfile::tempdir().unwrap();
    let action = format!("{}:GetObject", "s".repeat(1 << 20));
    let p = write(
        &dir,
        "p.json",
        &policy(&[serde_json::json!({"Effect": "Allow", "Action": action, "Resource": "*"})]),
    );
    let (code, out) = run_limited(&["lint", "--format", "json", &p]);
    assert_eq!(code, 0, "an unknown service is a warning");
    let v = json(&out);
    let f = codes(&v, "unknown-service");
    assert_eq!(f.len(), 1);
    assert!(f[0]["suggestion"].is_null());
}

/// A 100,000-character managed-policy name: compared with every name of the snapshot (13 s).
#[test]
fn issue_10_long_managed_policy_name() {
    let arn = format!("arn:aws:iam::aws:policy/{}", "A".repeat(100_000));
    let (code, out) = {
        let out = iamlint()
            .args(check_ecr_push("r", &["--policy", &arn]))
            .timeout(LIMIT)
            .output()
            .unwrap();
        (
            out.status.code().expect("not killed"),
            String::from_utf8_lossy(&out.stdout).into_owned()
                + &String::from_utf8_lossy(&out.stderr),
        )
    };
    assert_eq!(code, 2);
    assert!(
        out.contains("no AWS managed policy"),
        "{}",
        &out[..out.len().min(300)]
    );
    assert!(!out.contains("did you mean"));
}

/// A `Deny` on a 100,000-character wildcard pattern against a required resource of 200,000
/// characters: intersecting them built a table of 2e10 cells and aborted. Now the pattern is
/// an error (an ARN is at most 2,048 characters), and the Deny is taken to apply, so the
/// check fails rather than pass on a comparison it did not make.
#[test]
fn issue_10_long_deny_pattern() {
    let dir = tempfile::tempdir().unwrap();
    let pattern = format!("arn:aws:s3:::{}", "*a".repeat(50_000));
    let p = write(
        &dir,
        "p.json",
        &policy(&[
            serde_json::json!({"Effect": "Allow", "Action": "s3:*", "Resource": "*"}),
            serde_json::json!({"Effect": "Deny", "Action": "s3:GetObject", "Resource": pattern}),
        ]),
    );
    let r = write(
        &dir,
        "rules.toml",
        &format!(
            "id = \"long\"\ntitle = \"long\"\nsystem = \"hostile\"\n[source]\ntitle = \"generated\"\n[[grant]]\nactions = [\"s3:GetObject\"]\nresources = [\"arn:aws:s3:::{}\"]\n",
            "ab".repeat(100_000)
        ),
    );
    let (code, out) = run_limited(&["check", "--format", "json", "--rules", &r, "--policy", &p]);
    assert_eq!(code, 1);
    let v = json(&out);
    let invalid = codes(&v, "invalid-arn");
    assert_eq!(invalid.len(), 1);
    assert!(
        invalid[0]["message"].as_str().unwrap().ends_with(
            "is 100013 characters long; an ARN is at most 2048, so it names no resource"
        )
    );
    assert_eq!(
        v["check"]["rows"][0]["status"], "denied",
        "{}",
        v["check"]["rows"]
    );
    // The text table shortens the value (wrapping it cost the square of its length); the
    // JSON above keeps it whole.
    assert_eq!(
        v["check"]["rows"][0]["needed_on"][0]
            .as_str()
            .unwrap()
            .len(),
        200_013
    );
    let (code, out) = run_limited(&["check", "--rules", &r, "--policy", &p]);
    assert_eq!(code, 1);
    let table = &out[out.find("required grants satisfied").unwrap()..];
    assert!(
        table.contains("arn:aws:s3:::abababab") && table.contains("… (200013 characters)"),
        "{}",
        &table[..table.len().min(2000)]
    );
}
