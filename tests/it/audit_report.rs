//! `iamlint audit` as a report: every format of `lint` (text with its summary table, JSON,
//! SARIF valid against the 2.1.0 schema, Markdown), `--output`, several dumps in one run,
//! `audit merge` of shard results, and the baseline.

use serde_json::Value;

use crate::formats::valid_sarif;
use crate::util::run;

const DUMP: &str = "fixtures/audit/moto-account.json";
const MISSING: &str = "fixtures/audit/missing-policy.json";

fn json(args: &[&str]) -> (i32, Value) {
    let mut a = vec!["audit"];
    a.extend(args);
    a.extend(["--format", "json"]);
    let (code, out, err) = run(&a);
    let v = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out} {err}"));
    (code, v)
}

fn findings(v: &Value) -> &Vec<Value> {
    v["findings"].as_array().unwrap()
}

#[test]
fn text_starts_with_the_summary_table_then_findings_most_severe_first() {
    let (code, out, _) = run(&["audit", DUMP]);
    assert_eq!(code, 1);
    let table_end = out.find("└").unwrap();
    let head = &out[..table_end];
    assert!(
        head.contains("finding") && head.contains("admin-equivalent"),
        "{head}"
    );
    assert!(out.contains("users and roles audited"), "{out}");
    // Findings: `file:line:col: severity[code]: message`, errors before warnings before infos.
    let sev: Vec<&str> = out
        .lines()
        .filter(|l| l.starts_with(DUMP))
        .map(|l| l.split(": ").nth(1).unwrap().split('[').next().unwrap())
        .collect();
    assert!(sev.len() > 50, "{}", sev.len());
    let rank = |s: &str| {
        ["error", "warning", "info"]
            .iter()
            .position(|x| *x == s)
            .unwrap()
    };
    assert!(sev.windows(2).all(|w| rank(w[0]) <= rank(w[1])), "{sev:?}");
    // The split PassRole pair, located in the dump, naming the user.
    assert!(
        out.lines().any(|l| l.starts_with(&format!("{DUMP}:"))
            && l.contains("[privilege-escalation]")
            && l.contains("`user/esc-split-passrole`")),
        "{out}"
    );
}

#[test]
fn json_has_the_findings_of_lint_the_principals_the_paths_and_the_trust() {
    let (code, v) = json(&[DUMP]);
    assert_eq!(code, 1);
    for key in [
        "summary",
        "catalog",
        "errors",
        "audit",
        "principals",
        "paths",
        "trust",
    ] {
        assert!(v.get(key).is_some(), "{key}");
    }
    let alice = v["principals"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["principal"] == "user/admin-alice")
        .unwrap();
    assert_eq!(alice["admin"], true);
    assert_eq!(alice["kind"], "user");
    assert!(
        alice["codes"]
            .as_array()
            .unwrap()
            .contains(&Value::from("admin-equivalent"))
    );
    // A path of 2 steps, with its permissions.
    let hop = v["paths"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["from"] == "role/hop-1")
        .unwrap();
    assert_eq!(hop["steps"].as_array().unwrap().len(), 2);
    assert_eq!(hop["steps"][0]["via"], "sts:AssumeRole");
    let path = findings(&v)
        .iter()
        .find(|f| f["code"] == "escalation-path" && f["principal"] == "role/hop-1")
        .unwrap();
    assert_eq!(path["severity"], "error");
    assert_eq!(path["related"].as_array().unwrap().len(), 1, "{path}");
    // Trust: the role anyone may assume, and the finding in its trust policy.
    let t = v["trust"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["role"] == "role/trust-public")
        .unwrap();
    assert_eq!(t["trusted"][0]["kind"], "any");
    assert!(
        findings(&v)
            .iter()
            .any(|f| f["code"] == "trust-any-principal" && f["principal"] == "role/trust-public")
    );
    // Summary counts agree with the findings.
    let errors = findings(&v)
        .iter()
        .filter(|f| f["severity"] == "error")
        .count();
    assert_eq!(v["summary"]["errors"], errors);
}

#[test]
fn sarif_is_valid_and_each_result_names_its_principal() {
    let (code, out, _) = run(&["audit", DUMP, "--format", "sarif"]);
    assert_eq!(code, 1);
    let v = valid_sarif(&out);
    let results = v["runs"][0]["results"].as_array().unwrap();
    assert!(results.len() > 50);
    for r in results {
        let p = r["properties"]["principal"].as_str().unwrap();
        assert!(p.starts_with("user/") || p.starts_with("role/"), "{r}");
        let loc = &r["locations"][0]["physicalLocation"];
        assert!(
            loc["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
                .ends_with("moto-account.json")
        );
        assert!(loc["region"]["startLine"].as_u64().unwrap() > 0);
    }
    // Two principals sharing one statement (a managed policy) are two results.
    let prints: Vec<&str> = results
        .iter()
        .map(|r| {
            r["partialFingerprints"]
                .as_object()
                .unwrap()
                .values()
                .next()
                .unwrap()
                .as_str()
                .unwrap()
        })
        .collect();
    let mut unique = prints.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), prints.len());
}

#[test]
fn markdown_parses_and_lists_paths_and_admins() {
    let (code, out, _) = run(&["audit", DUMP, "--format", "markdown"]);
    assert_eq!(code, 1);
    assert!(out.len() < 65_536);
    assert!(
        out.starts_with("## iamlint audit") || out.contains("iamlint audit"),
        "{out}"
    );
    assert!(out.contains("### Escalation paths"), "{out}");
    assert!(out.contains("### Admin-equivalent principals"), "{out}");
    let tables = pulldown_cmark::Parser::new_ext(&out, pulldown_cmark::Options::ENABLE_TABLES)
        .filter(|e| {
            matches!(
                e,
                pulldown_cmark::Event::Start(pulldown_cmark::Tag::Table(_))
            )
        })
        .count();
    assert!(tables >= 2, "{tables}");
}

#[test]
fn output_writes_the_report_to_a_file_and_nothing_to_stdout() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("report.html");
    let (code, out, _) = run(&[
        "audit",
        DUMP,
        "--format",
        "html",
        "-o",
        file.to_str().unwrap(),
    ]);
    assert_eq!(code, 1);
    assert!(out.is_empty(), "{out}");
    let html = std::fs::read_to_string(&file).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>") || html.starts_with("<!doctype html>"));
    assert!(html.contains("admin-alice"));
}

#[test]
fn several_dumps_are_one_report_and_an_unreadable_one_fails_the_run() {
    let (code, v) = json(&[DUMP, MISSING]);
    assert_eq!(code, 2);
    let accounts: std::collections::BTreeSet<&str> = v["principals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["account"].as_str().unwrap())
        .collect();
    assert_eq!(accounts.len(), 2);
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("not-a-dump.json");
    std::fs::write(&bad, r#"{"Version": "2012-10-17", "Statement": []}"#).unwrap();
    let (code, v) = json(&[DUMP, bad.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(
        v["errors"][0]
            .as_str()
            .unwrap()
            .contains("not an account dump"),
        "{v}"
    );
    // The readable one is still audited.
    assert!(findings(&v).iter().any(|f| f["code"] == "admin-equivalent"));
}

#[test]
fn merge_joins_shards_into_the_report_of_one_run() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("shard-1.json");
    let b = dir.path().join("shard-2.json");
    let (a, b) = (a.to_str().unwrap(), b.to_str().unwrap());
    run(&["audit", DUMP, "--format", "json", "-o", a]);
    run(&["audit", MISSING, "--format", "json", "-o", b]);
    let (code, merged) = json(&["merge", a, b]);
    let (code_both, both) = json(&[DUMP, MISSING]);
    assert_eq!(code, 2);
    assert_eq!(code, code_both);
    let key = |v: &Value| {
        let mut k: Vec<String> = findings(v)
            .iter()
            .map(|f| {
                format!(
                    "{} {} {} {}",
                    f["file"], f["line"], f["principal"], f["message"]
                )
            })
            .collect();
        k.sort();
        k
    };
    assert_eq!(key(&merged), key(&both));
    assert_eq!(merged["principals"], both["principals"]);
    assert_eq!(merged["errors"], both["errors"]);
    assert_eq!(merged["audit"]["audited"], both["audit"]["audited"]);
    // Any format.
    let (_, md, _) = run(&["audit", "merge", a, b, "--format", "markdown"]);
    assert!(md.contains("### Escalation paths"));
    // The same account twice: an error, not double counts.
    let (code, out, _) = run(&["audit", "merge", a, a]);
    assert_eq!(code, 2);
    assert!(out.contains("each account once"), "{out}");
    let (_, v) = json(&["merge", a, a]);
    assert!(
        v["errors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e.as_str().unwrap().contains("each account once"))
    );
    // Not an audit result.
    let (code, _, err) = run(&["audit", "merge", "fixtures/audit/trust.json"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("not the JSON of `iamlint audit --format json`"),
        "{err}"
    );
}

#[test]
fn a_baseline_accepts_todays_findings_and_fails_on_new_ones() {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("baseline.json");
    let base = base.to_str().unwrap();
    let (code, _, _) = run(&["audit", DUMP, "--write-baseline", base]);
    assert_eq!(code, 0);
    let (code, _, _) = run(&["audit", DUMP, "--baseline", base]);
    assert_eq!(code, 0);
    // Another account's findings are new.
    let (code, _, _) = run(&[
        "audit",
        DUMP,
        "fixtures/audit/account.json",
        "--baseline",
        base,
    ]);
    assert_eq!(code, 1);
}

#[test]
fn a_truncated_dump_a_foreign_one_and_an_unreadable_trust_policy_fail_the_run_by_name() {
    let dir = tempfile::tempdir().unwrap();
    // Truncated: the JSON error names the dump, line and column.
    let text = std::fs::read_to_string(DUMP).unwrap();
    let cut = dir.path().join("cut.json");
    std::fs::write(&cut, &text[..text.len() / 2]).unwrap();
    let (code, out, _) = run(&["audit", cut.to_str().unwrap()]);
    assert_eq!(code, 2);
    let e = out
        .lines()
        .find(|l| l.starts_with("error:"))
        .unwrap_or_default();
    assert!(
        e.contains("cut.json:") && e.matches(':').count() >= 3,
        "{out}"
    );
    // No account was read: the error comes first, with no table of zeros above it.
    assert!(out.starts_with("error:"), "{out}");
    assert!(!out.contains("users and roles audited"), "{out}");
    // A role whose trust policy is not a policy: an error naming the role and its place.
    let bad = dir.path().join("bad-trust.json");
    std::fs::write(
        &bad,
        r#"{"UserDetailList": [], "GroupDetailList": [], "Policies": [], "RoleDetailList": [
  {"RoleName": "r", "Arn": "arn:aws:iam::123456789012:role/r",
   "AssumeRolePolicyDocument": "%7B%22Statement%22%3A",
   "RolePolicyList": [], "AttachedManagedPolicies": []}]}"#,
    )
    .unwrap();
    let (code, v) = json(&[bad.to_str().unwrap()]);
    assert_eq!(code, 2);
    let errors: Vec<&str> = v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.as_str().unwrap())
        .collect();
    assert!(
        errors
            .iter()
            .any(|e| e.contains("role/r") && e.contains("bad-trust.json:")),
        "{errors:?}"
    );
}

#[test]
fn a_role_trusting_an_unknown_account_is_flagged_unless_the_account_is_known() {
    let (_, v) = json(&[DUMP]);
    let f: Vec<&Value> = findings(&v)
        .iter()
        .filter(|f| f["code"] == "trust-unknown-account")
        .collect();
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0]["principal"], "role/trust-other-account");
    assert!(f[0]["message"].as_str().unwrap().contains("999988887777"));
    assert!(f[0]["line"].as_u64().unwrap() > 0);
    let (_, v) = json(&[DUMP, "--known-account", "999988887777"]);
    assert!(
        !findings(&v)
            .iter()
            .any(|f| f["code"] == "trust-unknown-account")
    );
}

/// A dump where `user/u` may call `sts:AssumeRole` on anything and `role/admin` (allowed
/// `*`) trusts `user/u`, with `deny` as a second statement of the trust policy.
fn trust_deny_dump(deny: &str) -> String {
    let trust = format!(
        r#"{{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "Principal": {{"AWS": "arn:aws:iam::123456789012:user/u"}}, "Action": "sts:AssumeRole"}}{deny}]}}"#
    );
    format!(
        r#"{{"UserDetailList": [{{"UserName": "u", "Arn": "arn:aws:iam::123456789012:user/u", "GroupList": [],
  "UserPolicyList": [{{"PolicyName": "assume", "PolicyDocument": {{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}}]}}}}],
  "AttachedManagedPolicies": []}}],
 "GroupDetailList": [], "Policies": [],
 "RoleDetailList": [{{"RoleName": "admin", "Arn": "arn:aws:iam::123456789012:role/admin",
  "AssumeRolePolicyDocument": {trust},
  "RolePolicyList": [{{"PolicyName": "all", "PolicyDocument": {{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "Action": "*", "Resource": "*"}}]}}}}],
  "AttachedManagedPolicies": []}}]}}"#
    )
}

#[test]
fn an_unconditional_deny_in_a_trust_policy_stops_the_path_a_conditional_one_does_not() {
    let dir = tempfile::tempdir().unwrap();
    let paths_of = |name: &str, deny: &str| {
        let f = dir.path().join(name);
        std::fs::write(&f, trust_deny_dump(deny)).unwrap();
        let (_, v) = json(&[f.to_str().unwrap()]);
        v["paths"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["from"] == "user/u")
            .count()
    };
    assert_eq!(paths_of("allow.json", ""), 1);
    let deny_all = r#", {"Effect": "Deny", "Principal": "*", "Action": "sts:AssumeRole"}"#;
    assert_eq!(paths_of("deny-all.json", deny_all), 0);
    let deny_u = r#", {"Effect": "Deny", "Principal": {"AWS": "arn:aws:iam::123456789012:user/u"}, "Action": "sts:*"}"#;
    assert_eq!(paths_of("deny-u.json", deny_u), 0);
    let deny_other = r#", {"Effect": "Deny", "Principal": {"AWS": "arn:aws:iam::123456789012:user/x"}, "Action": "sts:AssumeRole"}"#;
    assert_eq!(paths_of("deny-other.json", deny_other), 1);
    // Under a condition the dump cannot decide, the path stays.
    let deny_if = r#", {"Effect": "Deny", "Principal": "*", "Action": "sts:AssumeRole", "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "false"}}}"#;
    assert_eq!(paths_of("deny-if.json", deny_if), 1);
}
