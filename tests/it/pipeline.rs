//! One road (issue 11, part 1): every source yields labelled documents through one
//! interface, `lint` and `check` are library calls returning plain data, and the command
//! line only renders what the library returns. The account dump's reader says whose each
//! document is and how large, and the quota check reads that.

use serde_json::{Value, json};

use iamlint::source::principal::{self, Form, Principal, Read};

use crate::util::run;

const DUMP: &str = "fixtures/gaad/account.json";
const ECR_CI: &str = "arn:aws:iam::123456789012:user/ecr-ci";
const ECR_PARAMS: [&str; 3] = [
    "account_id=123456789012",
    "region=us-east-1",
    "repository=dagster",
];

fn ecr_push() -> (iamlint::rules::RuleSet, iamlint::rules::Resolved) {
    let set = iamlint::rules::find("ecr-push").unwrap();
    let params: Vec<(String, String)> = ECR_PARAMS
        .iter()
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap();
            (k.to_string(), v.to_string())
        })
        .collect();
    let resolved = set.resolve(&params, &[]).unwrap();
    (set, resolved)
}

fn check_json(source: &[&str]) -> (i32, Value) {
    let mut args = vec!["check", "--rules", "ecr-push", "--format", "json"];
    for p in ECR_PARAMS {
        args.extend(["--param", p]);
    }
    args.extend_from_slice(source);
    let (code, out, err) = run(&args);
    (
        code,
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}{err}")),
    )
}

/// A dump's principal comes through the same interface as `--policy` files: labelled parts,
/// each pointing at the text it is in, the decoded ones with their own text.
#[test]
fn a_dump_principal_is_read_into_labelled_parts() {
    let Read::Whole(docs) = principal::read(Principal::Dump {
        path: DUMP.into(),
        principal: ECR_CI.into(),
    })
    .unwrap() else {
        panic!("the fixture's principal is whole");
    };
    let labels: Vec<&str> = docs.parts.iter().map(|p| p.label.as_str()).collect();
    assert_eq!(
        labels,
        [
            "user/ecr-ci inline \"ecr-token\"",
            "group/ci inline \"push\"",
            "arn:aws:iam::aws:policy/SecretsManagerReadWrite",
            "arn:aws:iam::123456789012:policy/ecr-layers",
        ]
    );
    assert_eq!(docs.texts[0].origin, DUMP);
    // The group's policy is URL-encoded in the dump: decoded into a text of its own.
    let push = &docs.parts[1];
    assert_eq!(
        docs.texts[push.text].origin,
        "fixtures/gaad/account.json (group/ci inline \"push\", decoded)"
    );
    assert!(docs.texts[push.text].text.starts_with('{'));
    // The AWS managed policy comes from the embedded snapshot and is not linted.
    assert!(matches!(docs.parts[2].form, Form::Snapshot(_)));
    assert!(matches!(docs.parts[0].form, Form::InDump(_)));
    assert!(docs.parts.iter().all(|p| !p.boundary));
    assert!(docs.errors.is_empty() && docs.live.is_none());

    // `--policy` inputs: each file its own text, linted whole.
    let Read::Whole(files) = principal::read(Principal::Policies(vec![
        "fixtures/lint/seed-001-dstack/policy.json".into(),
        "arn:aws:iam::aws:policy/SecretsManagerReadWrite".into(),
        "no-such-file.json".into(),
    ]))
    .unwrap() else {
        panic!("files are never refused whole");
    };
    assert_eq!(files.parts.len(), 2);
    assert!(files.parts.iter().all(|p| matches!(p.form, Form::Text)));
    assert_eq!(files.parts[1].text, 1);
    assert_eq!(files.errors.len(), 1, "{:?}", files.errors);
    assert!(files.errors[0].starts_with("no-such-file.json: cannot read"));
}

/// A principal that live IAM returned only in part is refused, not checked.
#[test]
fn a_live_principal_read_in_part_is_not_checked() {
    let (set, resolved) = ecr_push();
    let result = iamlint::check(iamlint::analysis::check::Request {
        set: &set,
        resolved: &resolved,
        principal: Principal::Live {
            principals: Vec::new(),
            errors: Vec::new(),
        },
        context: &[],
        suggest: false,
        simulate: None,
    })
    .unwrap();
    assert!(!result.ran);
    assert!(result.rows.is_empty() && result.report.findings.is_empty());
    assert_eq!(result.report.errors.len(), 1);
    assert!(result.report.errors[0].starts_with("the check did not run"));
}

/// `iamlint::check` returns what `iamlint check --format json` prints: the command line
/// renders the library's result and adds nothing.
#[test]
fn check_is_a_library_call_the_cli_renders() {
    let (set, resolved) = ecr_push();
    let result = iamlint::check(iamlint::analysis::check::Request {
        set: &set,
        resolved: &resolved,
        principal: Principal::Dump {
            path: DUMP.into(),
            principal: ECR_CI.into(),
        },
        context: &[],
        suggest: true,
        simulate: None,
    })
    .unwrap();
    assert!(result.ran);
    assert_eq!(result.rule_set, "ecr-push");
    assert!(!result.rows.is_empty());
    assert!(!result.suggestions.is_empty());
    // The rule file is the last source, the support source findings may point into.
    assert_eq!(result.report.support_sources, 1);
    assert!(
        result
            .report
            .sources
            .last()
            .unwrap()
            .origin
            .ends_with("ecr-push.toml")
    );

    let (code, cli) = check_json(&["--gaad", DUMP, "--principal", ECR_CI, "--suggest"]);
    assert_eq!(
        cli["check"]["rows"],
        serde_json::to_value(&result.rows).unwrap()
    );
    assert_eq!(cli["check"]["rule_set"], json!(result.rule_set));
    let messages: Vec<&str> = cli["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    let found: Vec<&str> = result
        .report
        .findings
        .iter()
        .map(|f| f.message.as_str())
        .collect();
    assert_eq!(messages, found);
    let files: Vec<&str> = cli["suggestions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["file"].as_str().unwrap())
        .collect();
    let lib: Vec<&str> = result
        .suggestions
        .iter()
        .map(|(f, _, _)| f.as_str())
        .collect();
    assert_eq!(files, lib);
    let failing = result
        .report
        .findings
        .iter()
        .any(|f| f.severity == iamlint::finding::Severity::Error);
    assert_eq!(code, i32::from(failing));
}

/// `iamlint::lint` is the command's library call: paths in, a report out.
#[test]
fn lint_is_a_library_call_the_cli_renders() {
    let report = iamlint::lint(
        &[DUMP.to_string(), "fixtures/lint/actions".to_string()],
        &[],
        &[],
        iamlint::LintOptions::default(),
    );
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let (code, out, _) = run(&["lint", "--format", "json", DUMP, "fixtures/lint/actions"]);
    assert_eq!(code, 1);
    let v: Value = serde_json::from_str(&out).unwrap();
    let cli: Vec<(String, u64)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect();
    let lib: Vec<(String, u64)> = report
        .findings
        .iter()
        .map(|f| (f.code.as_str().to_string(), u64::from(f.location.line)))
        .collect();
    assert_eq!(cli, lib);
}

/// The dump's reader records whose each document is and its size as IAM counts it (the
/// decoded text of a URL-encoded one, and one that decodes but is not JSON too, since IAM
/// would store it); the quota check takes both from there.
#[test]
fn the_dump_reader_measures_each_document_for_the_quota_check() {
    use iamlint::source::gaad::{Dump, Owner};
    let inline_a = "x".repeat(3000);
    let pretty = json!({"Version": "2012-10-17", "Statement": []});
    let dump = json!({"UserDetailList": [{
    "UserName": "u", "Arn": "arn:aws:iam::1:user/u",
    "UserPolicyList": [
        {"PolicyName": "a", "PolicyDocument": inline_a},
        {"PolicyName": "b", "PolicyDocument": "%7B%22Version%22%3A%20%222012-10-17%22%7D"},
        {"PolicyName": "c", "PolicyDocument": pretty}
    ]}]});
    let text = serde_json::to_string_pretty(&dump).unwrap();
    let d = Dump::read(&text, &iamlint::policy::json::parse(&text).unwrap());
    let sizes: Vec<(Owner, Option<usize>)> = d
        .measured
        .iter()
        .map(|m| (m.owner.clone(), m.size))
        .collect();
    let u = || Owner::Inline("user/u".into());
    assert_eq!(
        sizes,
        [
            (u(), Some(3000)),
            // `{"Version": "2012-10-17"}` without its whitespace.
            (u(), Some(24)),
            (u(), Some(pretty.to_string().len())),
        ]
    );
    let (at, docs) = d.principals[0].own_inline.as_ref().unwrap();
    assert_eq!(docs, &[0, 1, 2]);
    assert!(text[at.range()].starts_with('['));

    // The command line: the undecodable-as-JSON document is an error (exit 2) and counts
    // toward the user's inline total all the same.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dump.json");
    std::fs::write(&path, &text).unwrap();
    let (code, out, _) = run(&["lint", "--format", "json", path.to_str().unwrap()]);
    assert_eq!(code, 2, "{out}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let total = 3000 + 24 + pretty.to_string().len();
    let want = format!(
        "the inline policies of `user/u` together total {},{:03} characters without whitespace",
        total / 1000,
        total % 1000
    );
    assert!(
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["message"].as_str().unwrap().starts_with(&want)),
        "{want}: {out}"
    );
}

/// A dump's documents share the dump's one text in the evaluation: each used to carry its
/// own copy of the whole dump, so a principal with 300 policies in a 6 MB dump took 1.8 GB
/// (the check was killed under this 700 MB data limit) where it now takes under 100 MB.
#[cfg(target_os = "linux")]
#[test]
fn a_dump_principal_does_not_copy_the_dump_per_document() {
    let policy = |i: usize| {
        json!({"Version": "2012-10-17", "Statement": [{"Sid": format!("S{i}"), "Effect": "Allow",
            "Action": ["s3:GetObject", "ecr:GetAuthorizationToken"],
            "Resource": (0..20).map(|j| format!("arn:aws:s3:::b{i}/{j}")).collect::<Vec<_>>()}]})
    };
    let users: Vec<Value> = (0..20)
        .map(|k| {
            json!({"UserName": format!("u{k}"), "Arn": format!("arn:aws:iam::123456789012:user/u{k}"),
                "UserPolicyList": (0..300).map(|i| json!({"PolicyName": format!("p{i}"),
                    "PolicyDocument": policy(i)})).collect::<Vec<_>>()})
        })
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dump.json");
    let text = serde_json::to_string_pretty(&json!({"UserDetailList": users})).unwrap();
    assert!(text.len() > 5_000_000, "{}", text.len());
    std::fs::write(&path, text).unwrap();
    let bin = assert_cmd::cargo::cargo_bin("iamlint");
    let mut c = assert_cmd::Command::new("sh");
    c.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("IAMLINT_NO_CACHE", "1")
        .args(["-c", "ulimit -d 700000 && exec \"$0\" \"$@\""])
        .arg(bin)
        .args(["check", "--rules", "ecr-push", "--format", "json"]);
    for p in ECR_PARAMS {
        c.args(["--param", p]);
    }
    c.arg("--gaad")
        .arg(&path)
        .args(["--principal", "arn:aws:iam::123456789012:user/u3"]);
    let (code, out, err) = crate::util::outcome(&mut c);
    assert_eq!(code, 1, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let rows = v["check"]["rows"].as_array().unwrap();
    // The evaluation ran whole: the grant the policies scope wrongly and those they miss.
    assert!(
        rows.iter()
            .any(|r| r["action"] == "ecr:GetAuthorizationToken" && r["status"] == "mis-scoped"),
        "{rows:?}"
    );
    assert!(rows.iter().any(|r| r["status"] == "missing"), "{rows:?}");
}
