//! IAM's size quotas (issue 9, part 3): `policy-too-large` with the size and the quota for
//! the document's kind, from `--policy-kind` or the account dump; and
//! `too-many-attached-policies` in a dump.

use serde_json::{Value, json};

use crate::util::iamlint;

/// A policy of exactly `n` characters without whitespace.
fn policy_of_size(n: usize) -> String {
    let base = json!({"Version": "2012-10-17", "Statement": [{"Sid": "", "Effect": "Allow",
        "Action": "s3:GetObject", "Resource": "*"}]})
    .to_string();
    let pad = n - base.len();
    let sid: String = "A".repeat(pad);
    // Pretty-printed: whitespace must not count.
    let v = json!({"Version": "2012-10-17", "Statement": [{"Sid": sid, "Effect": "Allow",
        "Action": "s3:GetObject", "Resource": "*"}]});
    let text = serde_json::to_string_pretty(&v).unwrap();
    assert_eq!(
        text.chars().filter(|c| !c.is_whitespace()).count(),
        n,
        "the test's own arithmetic"
    );
    text
}

/// `lint` a policy on stdin: (exit code, the `policy-too-large` findings).
fn lint(text: &str, args: &[&str]) -> (i32, Vec<Value>) {
    let mut a = vec!["lint", "--format", "json"];
    a.extend_from_slice(args);
    a.push("-");
    let out = iamlint()
        .args(&a)
        .write_stdin(text.to_string())
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let found = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "policy-too-large")
        .cloned()
        .collect();
    (out.status.code().unwrap(), found)
}

#[test]
fn each_kind_has_its_quota() {
    for (kind, limit, what) in [
        ("managed", 6144, "a managed policy"),
        ("user-inline", 2048, "a user's inline policies together"),
        ("group-inline", 5120, "a group's inline policies together"),
        ("role-inline", 10240, "a role's inline policies together"),
        ("scp", 5120, "a service control policy"),
    ] {
        let (code, f) = lint(&policy_of_size(limit), &["--policy-kind", kind]);
        assert_eq!((code, f.len()), (0, 0), "{kind} at the quota");
        let (code, f) = lint(&policy_of_size(limit + 1), &["--policy-kind", kind]);
        assert_eq!(code, 1, "{kind} over the quota");
        assert_eq!(f.len(), 1, "{kind}");
        assert_eq!(f[0]["severity"], "error");
        let msg = f[0]["message"].as_str().unwrap();
        let size = format!("{}", limit + 1);
        let size = format!("{},{}", &size[..size.len() - 3], &size[size.len() - 3..]);
        assert!(msg.contains(&size) && msg.contains(what), "{msg}");
        assert_eq!(f[0]["line"], 1);
    }
}

#[test]
fn a_plain_file_is_a_managed_policy_until_told_and_then_only_a_warning() {
    let (code, f) = lint(&policy_of_size(6145), &[]);
    assert_eq!(code, 0);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0]["severity"], "warning");
    assert!(f[0]["help"].as_str().unwrap().contains("--policy-kind"));
    // Under the managed quota but over a user's: silent until the kind is given.
    assert_eq!(lint(&policy_of_size(3000), &[]).1.len(), 0);
    assert_eq!(
        lint(&policy_of_size(3000), &["--policy-kind", "user-inline"])
            .1
            .len(),
        1
    );
}

#[test]
fn a_trust_policy_is_measured_as_one() {
    let principals: Vec<String> = (0..80)
        .map(|i| format!("arn:aws:iam::{i:012}:root"))
        .collect();
    let trust = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"AWS": principals}, "Action": "sts:AssumeRole"}]})
    .to_string();
    let (_, f) = lint(&trust, &[]);
    assert_eq!(f.len(), 1);
    assert!(
        f[0]["message"]
            .as_str()
            .unwrap()
            .contains("a role trust policy")
    );
    assert_eq!(f[0]["severity"], "warning"); // adjustable, and assumed
    let (code, f) = lint(&trust, &["--policy-kind", "trust"]);
    assert_eq!((code, f[0]["severity"].as_str()), (0, Some("warning")));
}

#[test]
fn an_account_dump_says_what_each_document_is() {
    let (code, out, _) = crate::util::run(&[
        "lint",
        "--format",
        "json",
        "fixtures/lint/quota/policy.json",
    ]);
    assert_eq!(code, 1);
    let v: Value = serde_json::from_str(&out).unwrap();
    let f: Vec<(&str, &str, &str)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap(),
                f["severity"].as_str().unwrap(),
                f["message"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(f.len(), 3, "{f:?}");
    assert_eq!(f[0].0, "policy-too-large");
    assert_eq!(f[0].1, "error");
    assert!(f[0].2.contains("`user/alice` together total 2,428") && f[0].2.contains("2,048"));
    assert_eq!((f[1].0, f[1].1), ("policy-too-large", "warning"));
    assert!(f[1].2.contains("trust policy of `role/ci`"));
    assert_eq!((f[2].0, f[2].1), ("too-many-attached-policies", "warning"));
    assert!(f[2].2.contains("11 managed policies") && f[2].2.contains("quota of 10"));
}

#[test]
fn live_iam_measures_a_principals_inline_policies_together() {
    let s = crate::live::Server::moto();
    let iam = s.admin();
    let doc = |action: &str| {
        json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": action,
            "Resource": (0..40).map(|i| format!("arn:aws:s3:::bucket-{i:03}/*")).collect::<Vec<_>>()}]})
        .to_string()
    };
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            iam.create_user().user_name("alice").send().await.unwrap();
            for (name, action) in [("get", "s3:GetObject"), ("put", "s3:PutObject")] {
                iam.put_user_policy()
                    .user_name("alice")
                    .policy_name(name)
                    .policy_document(doc(action))
                    .send()
                    .await
                    .unwrap();
            }
        });
    let out = s
        .iamlint()
        .args(["lint", "--user", "alice", "--format", "json"])
        .args(s.endpoint())
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let f: Vec<&Value> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "policy-too-large")
        .collect();
    assert_eq!(f.len(), 1, "{v}");
    assert_eq!(f[0]["severity"], "error");
    let msg = f[0]["message"].as_str().unwrap();
    assert!(msg.contains("`user/alice` together total 2,4"), "{msg}");
    assert_eq!(out.status.code(), Some(1));
}
