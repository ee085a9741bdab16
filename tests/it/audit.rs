//! Issue 12, part 1: effective permissions of the principals of an account dump, through
//! the CLI: `can --gaad PRINCIPAL ACTION RESOURCE` and `who-can ACTION RESOURCE --gaad`.
//! Each case has a near miss that must come out the other way.

use serde_json::Value;

use crate::util::run;

const DUMP: &str = "fixtures/audit/account.json";
const MISSING: &str = "fixtures/audit/missing-policy.json";
const PAYROLL: &str = "arn:aws:s3:::payroll/2026.csv";

/// `can --gaad DUMP ARGS... --format json`: (exit code, the answer).
fn can(dump: &str, args: &[&str]) -> (i32, Value) {
    let mut all = vec!["can", "--gaad", dump, "--format", "json"];
    all.extend_from_slice(args);
    let (code, out, err) = run(&all);
    let v = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out} {err}"));
    (code, v)
}

/// `who-can ARGS... --gaad DUMP --format json`: (exit code, the answer).
fn who_can(dump: &str, args: &[&str]) -> (i32, Value) {
    let mut all = vec!["who-can", "--gaad", dump, "--format", "json"];
    all.extend_from_slice(args);
    let (code, out, err) = run(&all);
    let v = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out} {err}"));
    (code, v)
}

fn names(v: &Value, list: &str) -> Vec<String> {
    v[list]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["principal"].as_str().unwrap().to_string())
        .collect()
}

fn deciding(v: &Value) -> Vec<(String, String)> {
    v["deciding"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["policy"].as_str().unwrap().to_string(),
                h["statement"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn who_can_lists_the_allowed_the_conditional_and_the_denied() {
    let (code, v) = who_can(DUMP, &["s3:GetObject", PAYROLL]);
    assert_eq!(code, 0, "{v}");
    // alice through her group, admin through the AWS managed AdministratorAccess, analyst
    // through a condition on its own tag, which the dump decides.
    assert_eq!(
        names(&v, "allowed"),
        ["user/alice", "role/admin", "role/analyst"]
    );
    assert_eq!(names(&v, "allowed_if"), ["user/dave"]);
    let dave = &v["allowed_if"][0];
    assert_eq!(dave["access"], "allowed_if");
    assert_eq!(
        dave["condition"],
        r#"`{"Bool": {"aws:MultiFactorAuthPresent": "true"}}`"#
    );
    // carol: allowed by AmazonS3ReadOnlyAccess, denied by her own Deny.
    assert_eq!(names(&v, "denied"), ["user/carol"]);
    // Near misses: bob is not in `finance`, intern's tag is not `finance`, ci-deployer's
    // boundary stops it; none is listed anywhere.
    let all = [
        names(&v, "allowed"),
        names(&v, "allowed_if"),
        names(&v, "denied"),
    ]
    .concat();
    for p in ["user/bob", "role/intern", "role/ci-deployer", "role/ops"] {
        assert!(!all.contains(&p.to_string()), "{p}: {v}");
    }
    assert_eq!(v["summary"]["evaluated"], 9);
    assert_eq!(v["summary"]["complete"], true);
}

#[test]
fn who_can_text_names_each_principal_and_the_statement() {
    let (code, out, _) = run(&["who-can", "s3:GetObject", PAYROLL, "--gaad", DUMP]);
    assert_eq!(code, 0);
    assert!(
        out.starts_with(
            "`s3:GetObject` on `arn:aws:s3:::payroll/2026.csv`: 3 allowed, 1 allowed if a \
             condition holds, 1 denied by a `Deny` (of 9 users and roles evaluated)\n"
        ),
        "{out}"
    );
    assert!(
        out.contains(
            "allowed: user/alice\n  allowed by statement `ReadPayroll` of group/finance inline \
             \"payroll-read\" (fixtures/audit/account.json:71:15)\n"
        ),
        "{out}"
    );
    assert!(
        out.contains(r#"allowed if `{"Bool": {"aws:MultiFactorAuthPresent": "true"}}`: user/dave"#),
        "{out}"
    );
}

#[test]
fn a_group_grants_its_users() {
    let (code, v) = can(DUMP, &["user/alice", "s3:GetObject", PAYROLL]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["access"], "allowed");
    assert_eq!(
        deciding(&v),
        [(
            "group/finance inline \"payroll-read\"".to_string(),
            "ReadPayroll".to_string()
        )]
    );
    assert_eq!(v["deciding"][0]["file"], DUMP);
    assert_eq!(v["deciding"][0]["line"], 71);
    // Near miss: bob is in `staff`, not `finance`.
    let (code, v) = can(DUMP, &["user/bob", "s3:GetObject", PAYROLL]);
    assert_eq!(code, 1);
    assert_eq!(v["access"], "not_allowed");
    // A group's customer managed policy reaches its users too, and `${aws:username}` is
    // each user's own name: alice reaches her home, bob does not reach hers.
    let home = "arn:aws:s3:::home/alice/notes.txt";
    let (code, v) = can(DUMP, &["user/alice", "s3:PutObject", home]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(
        v["deciding"][0]["policy"],
        "arn:aws:iam::123456789012:policy/home-folders"
    );
    let (code, v) = can(DUMP, &["user/bob", "s3:PutObject", home]);
    assert_eq!((code, v["access"].as_str()), (1, Some("not_allowed")));
    // The group itself answers for what it grants.
    let (code, _) = can(DUMP, &["group/finance", "s3:GetObject", PAYROLL]);
    assert_eq!(code, 0);
}

#[test]
fn a_role_has_no_user_name() {
    // `${aws:username}` is absent for a role: intern's home-folder grant matches nothing,
    // not every home. (An open context would otherwise read it as any value.)
    let (_, v) = who_can(DUMP, &["s3:PutObject", "arn:aws:s3:::home/alice/notes.txt"]);
    assert_eq!(names(&v, "allowed"), ["user/alice", "role/admin"]);
    // ops may put anything from the office, but its boundary only allows artifacts/.
    assert!(names(&v, "allowed_if").is_empty(), "{v}");
}

#[test]
fn the_boundary_caps_the_grants() {
    let (code, v) = can(DUMP, &["role/ci-deployer", "s3:GetObject", PAYROLL]);
    assert_eq!(code, 1);
    assert_eq!(v["access"], "not_allowed");
    assert!(
        v["notes"][0]
            .as_str()
            .unwrap()
            .contains("the permissions boundary does not"),
        "{v}"
    );
    // Near miss: what the boundary allows.
    let (code, v) = can(
        DUMP,
        &[
            "role/ci-deployer",
            "s3:PutObject",
            "arn:aws:s3:::artifacts/app.zip",
        ],
    );
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["access"], "allowed");
    let hits = v["deciding"].as_array().unwrap();
    assert!(
        hits.iter()
            .any(|h| h["boundary"] == true && h["statement"] == "ArtifactsOnly"),
        "{v}"
    );
}

#[test]
fn a_deny_wins_over_an_aws_managed_allow() {
    let (code, v) = can(DUMP, &["user/carol", "s3:GetObject", PAYROLL]);
    assert_eq!(code, 1);
    assert_eq!(v["access"], "denied");
    assert_eq!(
        deciding(&v),
        [(
            "user/carol inline \"no-payroll\"".to_string(),
            "NoPayroll".to_string()
        )]
    );
    // Near miss: outside the Deny, the AWS managed policy (from the embedded snapshot)
    // allows it.
    let (code, v) = can(
        DUMP,
        &[
            "user/carol",
            "s3:GetObject",
            "arn:aws:s3:::public/index.html",
        ],
    );
    assert_eq!(code, 0, "{v}");
    assert_eq!(
        v["deciding"][0]["policy"],
        "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
    );
    assert_eq!(v["deciding"][0]["file"], "embedded snapshot");
}

#[test]
fn a_condition_the_request_does_not_decide_is_allowed_if() {
    // dave's grant is URL-encoded in the dump: it is located at the encoded string.
    let (code, v) = can(DUMP, &["user/contractors/dave", "s3:GetObject", PAYROLL]);
    assert_eq!(code, 1, "{v}");
    assert_eq!(v["access"], "allowed_if");
    assert_eq!(v["undecided"][0]["statement"], "PayrollWithMfa");
    assert_eq!(v["undecided"][0]["line"], 53);
    // Decided by the context, both ways.
    let (code, v) = can(
        DUMP,
        &[
            "user/dave",
            "s3:GetObject",
            PAYROLL,
            "--context",
            "aws:MultiFactorAuthPresent=true",
        ],
    );
    assert_eq!((code, v["access"].as_str()), (0, Some("allowed")));
    let (code, v) = can(
        DUMP,
        &[
            "arn:aws:iam::123456789012:user/contractors/dave",
            "s3:GetObject",
            PAYROLL,
            "--context",
            "aws:MultiFactorAuthPresent=false",
        ],
    );
    assert_eq!((code, v["access"].as_str()), (1, Some("not_allowed")));
    assert_eq!(v["unmet"][0]["statement"], "PayrollWithMfa");
}

#[test]
fn a_conditional_deny_reads_unless_and_the_boundary_still_caps() {
    let artifacts = "arn:aws:s3:::artifacts/x";
    let (code, out, _) = run(&["can", "--gaad", DUMP, "role/ops", "s3:PutObject", artifacts]);
    assert_eq!(code, 1);
    assert!(
        out.starts_with(
            r#"allowed if `{"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}`, unless `{"StringNotEquals": {"aws:RequestedRegion": "us-east-1"}}`: `s3:PutObject` on `arn:aws:s3:::artifacts/x` for role/ops"#
        ),
        "{out}"
    );
    // Near miss: the boundary does not allow payroll/, whatever the conditions.
    let (code, v) = can(DUMP, &["role/ops", "s3:PutObject", PAYROLL]);
    assert_eq!((code, v["access"].as_str()), (1, Some("not_allowed")));
    // Both keys given: decided.
    let (code, v) = can(
        DUMP,
        &[
            "role/ops",
            "s3:PutObject",
            artifacts,
            "--context",
            "aws:SourceIp=203.0.113.9",
            "--context",
            "aws:RequestedRegion=eu-west-1",
        ],
    );
    assert_eq!((code, v["access"].as_str()), (1, Some("denied")));
}

#[test]
fn a_principal_tag_is_taken_from_the_dump() {
    let (code, v) = can(DUMP, &["role/analyst", "s3:GetObject", PAYROLL]);
    assert_eq!((code, v["access"].as_str()), (0, Some("allowed")));
    // Near miss: intern's tag is `engineering`; decided, not "allowed if".
    let (code, v) = can(DUMP, &["role/intern", "s3:GetObject", PAYROLL]);
    assert_eq!((code, v["access"].as_str()), (1, Some("not_allowed")));
    assert_eq!(v["unmet"][0]["statement"], "FinanceTeam");
    // bob has the same policy and no `team` tag: the key is absent, so it does not hold
    // (not "allowed if", as a key the dump does not fix would be).
    let (code, v) = can(DUMP, &["user/bob", "s3:GetObject", PAYROLL]);
    assert_eq!((code, v["access"].as_str()), (1, Some("not_allowed")));
    assert_eq!(v["unmet"][0]["statement"], "FinanceTeam");
}

#[test]
fn a_policy_the_dump_does_not_hold_is_reported_not_skipped() {
    let logs = "arn:aws:logs:us-east-1:123456789012:log-group:x:log-stream:y";
    let (code, v) = who_can(MISSING, &["logs:GetLogEvents", logs]);
    assert_eq!(code, 2, "{v}");
    assert_eq!(names(&v, "allowed"), ["user/alice"]);
    assert_eq!(v["summary"]["unevaluated"], 2);
    assert_eq!(v["summary"]["complete"], false);
    let eve = &v["unevaluated"][0];
    assert_eq!(eve["principal"], "user/eve");
    assert_eq!(
        eve["errors"][0],
        "fixtures/audit/missing-policy.json:20:9: user/eve: \
         `arn:aws:iam::123456789012:policy/gone` applies to it, but the dump does not hold it, \
         so what it grants is unknown"
    );
    assert_eq!(v["unevaluated"][1]["principal"], "user/frank");
    let (code, out, _) = run(&["who-can", "logs:GetLogEvents", logs, "--gaad", MISSING]);
    assert_eq!(code, 2);
    assert!(out.contains("not evaluated: 2 principals"), "{out}");
    // `can` on that principal refuses, naming it and the position; near miss: alice of
    // the same dump is answered.
    let (code, out, err) = run(&[
        "can",
        "--gaad",
        MISSING,
        "user/eve",
        "logs:GetLogEvents",
        logs,
    ]);
    assert_eq!(code, 2, "{out}");
    assert!(
        err.contains("`user/eve` cannot be evaluated") && err.contains("missing-policy.json:20:9"),
        "{err}"
    );
    let (code, _, _) = run(&[
        "can",
        "--gaad",
        MISSING,
        "user/alice",
        "logs:GetLogEvents",
        logs,
    ]);
    assert_eq!(code, 0);
}

#[test]
fn bad_input_is_an_error_not_an_answer() {
    let (code, _, err) = run(&["can", "--gaad", DUMP, "user/alcie", "s3:GetObject", PAYROLL]);
    assert_eq!(code, 2);
    assert!(err.contains("did you mean `user/alice`?"), "{err}");
    let (code, _, err) = run(&["who-can", "s3:GetObjekt", PAYROLL, "--gaad", DUMP]);
    assert_eq!(code, 2);
    assert!(err.contains("did you mean `s3:GetObject`?"), "{err}");
    // A policy file is not a dump.
    let (code, _, err) = run(&[
        "who-can",
        "s3:GetObject",
        "--gaad",
        "fixtures/lint/seed-001-dstack/policy.json",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("not an account dump"), "{err}");
    // Nor one with a dump's list beside its `Statement`: the message says why, not that the
    // list is missing.
    let dir = tempfile::tempdir().unwrap();
    let mixed = dir.path().join("mixed.json");
    std::fs::write(
        &mixed,
        r#"{"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}],
            "Policies": []}"#,
    )
    .unwrap();
    let (code, _, err) = run(&["who-can", "s3:GetObject", "--gaad", mixed.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(
        err.contains("not an account dump: it has `Statement`"),
        "{err}"
    );
    // A principal without `--gaad`, or `--policy` with it: a usage error.
    let (code, _, _) = run(&[
        "can",
        "user/alice",
        "s3:GetObject",
        PAYROLL,
        "--policy",
        "x.json",
    ]);
    assert_eq!(code, 2);
    let (code, _, _) = run(&[
        "can",
        "--gaad",
        DUMP,
        "--policy",
        "x.json",
        "user/alice",
        "s3:GetObject",
    ]);
    assert_eq!(code, 2);
}

#[test]
fn lint_of_a_dump_flags_the_dangerous_trust_policies_at_their_place() {
    let (code, out, _) = run(&["lint", "--format", "json", "fixtures/audit/trust.json"]);
    // The broken trust policy is an input error: exit 2, never a clean pass.
    assert_eq!(code, 2, "{out}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let trust: Vec<(String, String)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"].as_str().unwrap().starts_with("trust-"))
        .map(|f| {
            let m = f["message"].as_str().unwrap();
            let role = m
                .rsplit_once("(in ")
                .unwrap()
                .1
                .trim_end_matches(" trust policy)");
            (f["code"].as_str().unwrap().to_string(), role.to_string())
        })
        .collect();
    // Exactly the dangerous shapes; the near misses (`ci` with its own repository,
    // `org-only` narrowed by organization, `partner` naming accounts) have none.
    assert_eq!(
        trust,
        [
            ("trust-github-any-repo".into(), "role/ci-any-repo".into()),
            ("trust-any-principal".into(), "role/open".into()),
            ("trust-cognito-no-amr".into(), "role/app-users".into()),
            ("trust-any-audience".into(), "role/web".into()),
        ]
    );
    assert!(
        v["errors"][0]
            .as_str()
            .unwrap()
            .contains("role/broken trust policy: the document does not URL-decode"),
        "{v}"
    );
}

#[test]
fn a_dump_read_from_standard_input_and_an_incomplete_dump() {
    let text = std::fs::read_to_string(DUMP).unwrap();
    let out = crate::util::iamlint()
        .args([
            "who-can",
            "s3:GetObject",
            PAYROLL,
            "--gaad",
            "-",
            "--format",
            "json",
        ])
        .write_stdin(text.clone())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        names(&v, "allowed"),
        ["user/alice", "role/admin", "role/analyst"]
    );
    assert_eq!(v["allowed"][0]["deciding"][0]["file"], "-");
    // A truncated dump may lack principals: the answer says so and exits 2, and `can`
    // refuses; near miss: the same dump not truncated is answered (above).
    let dir = tempfile::tempdir().unwrap();
    let cut = dir.path().join("cut.json");
    let mut d: Value = serde_json::from_str(&text).unwrap();
    d["IsTruncated"] = Value::Bool(true);
    d["Marker"] = Value::String("abc".into());
    std::fs::write(&cut, serde_json::to_string_pretty(&d).unwrap()).unwrap();
    let cut = cut.to_str().unwrap();
    let (code, out, _) = run(&["who-can", "s3:GetObject", PAYROLL, "--gaad", cut]);
    assert_eq!(code, 2, "{out}");
    assert!(
        out.contains("incomplete dump: ") && out.contains("`IsTruncated` is true"),
        "{out}"
    );
    let (code, _, err) = run(&["can", "--gaad", cut, "user/alice", "s3:GetObject", PAYROLL]);
    assert_eq!(code, 2);
    assert!(err.contains("the dump is incomplete"), "{err}");
}
