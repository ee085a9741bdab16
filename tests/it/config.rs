//! `iamlint.toml` and baselines (issue 11, part 5): discovery upward, `--config`,
//! `--no-config`, precedence (command line > config > defaults), every key, errors with
//! `file:line:col`, ignores shown as suppressed, and the baseline round trip.

use std::path::Path;

use serde_json::Value;

use crate::util::{iamlint, outcome};

/// A statement that gives an `all-actions` warning.
const BROAD: &str =
    r#"{"Sid": "Broad", "Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::bucket/*"}"#;
/// A statement that gives an `unknown-action` error.
const TYPO: &str = r#"{"Sid": "Typo", "Effect": "Allow", "Action": "s3:GetObjekt", "Resource": "arn:aws:s3:::b/*"}"#;
/// A clean statement.
const CLEAN: &str = r#"{"Sid": "Read", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}"#;

fn policy(statements: &[&str]) -> String {
    format!(
        "{{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {}\n  ]\n}}\n",
        statements.join(",\n    ")
    )
}

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

/// Run iamlint in `dir`: (exit code, stdout, stderr).
fn run_in(dir: &Path, args: &[&str]) -> (i32, String, String) {
    outcome(iamlint().current_dir(dir).args(args))
}

fn json(out: &str) -> Value {
    serde_json::from_str(out).unwrap_or_else(|e| panic!("{e}: {out}"))
}

fn codes(v: &Value) -> Vec<String> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect()
}

/// A project: `policies/a.json` (a warning), `policies/legacy/b.json` (an error),
/// `policies/package.json` (not a policy), `vendor/c.json` (an error, not listed).
fn project() -> tempfile::TempDir {
    let t = tempfile::tempdir().unwrap();
    write(t.path(), "policies/a.json", &policy(&[CLEAN, BROAD]));
    write(t.path(), "policies/legacy/b.json", &policy(&[TYPO]));
    write(t.path(), "policies/package.json", r#"{"name": "x"}"#);
    write(t.path(), "vendor/c.json", &policy(&[TYPO]));
    t
}

#[test]
fn lint_finds_the_config_upward_and_lints_its_files() {
    let t = project();
    write(
        t.path(),
        "iamlint.toml",
        "files = [\"policies/**/*.json\"]\nexclude = [\"policies/legacy/**\"]\n",
    );
    std::fs::create_dir_all(t.path().join("deep/er")).unwrap();
    let (code, out, err) = run_in(&t.path().join("deep/er"), &["lint", "--format", "json"]);
    assert_eq!(code, 0, "{out}{err}");
    let v = json(&out);
    // a.json only: b.json is excluded, package.json skipped as not a policy, vendor not listed.
    assert_eq!(codes(&v), ["all-actions"]);
    assert_eq!(v["findings"][0]["file"], "../../policies/a.json");
    assert_eq!(v["summary"]["documents"], 1);
    assert_eq!(v["skipped"][0]["file"], "../../policies/package.json");
    // Without the config, no path is an error.
    let (code, _, err) = run_in(&t.path().join("deep/er"), &["lint", "--no-config"]);
    assert_eq!(code, 2);
    assert!(err.contains("give a PATH to lint"), "{err}");
}

#[test]
fn a_glob_that_matches_nothing_is_an_error_at_its_place() {
    let t = project();
    write(
        t.path(),
        "iamlint.toml",
        "files = [\n  \"policy/*.json\",\n]\n",
    );
    let (code, out, err) = run_in(t.path(), &["lint"]);
    assert_eq!(code, 2, "{out}");
    assert!(
        err.contains("iamlint.toml:2:3: `policy/*.json` matches no file"),
        "{err}"
    );
}

#[test]
fn config_flag_and_no_config() {
    let t = project();
    // A config elsewhere, named with --config: its globs are relative to its own folder.
    write(
        t.path(),
        "vendor/iamlint.toml",
        "files = [\"*.json\"]\nfail-on = \"never\"\n",
    );
    // One in the working directory that would fail the run: --config wins over it.
    write(t.path(), "iamlint.toml", "fail-on = \"warning\"\n");
    let (code, out, _) = run_in(t.path(), &["lint", "--config", "vendor/iamlint.toml"]);
    // `vendor/c.json` holds an error; fail-on never.
    assert!(
        out.starts_with("vendor/c.json:4:50: error[unknown-action]"),
        "{out}"
    );
    assert_eq!(code, 0, "{out}");
    // The discovered one: fail-on warning makes a.json fail.
    let (code, _, _) = run_in(t.path(), &["lint", "policies/a.json"]);
    assert_eq!(code, 1);
    // --no-config: the default, error.
    let (code, _, _) = run_in(t.path(), &["lint", "--no-config", "policies/a.json"]);
    assert_eq!(code, 0);
    // --config and --no-config together is a usage error.
    let (code, _, _) = run_in(
        t.path(),
        &[
            "lint",
            "--no-config",
            "--config",
            "iamlint.toml",
            "policies/a.json",
        ],
    );
    assert_eq!(code, 2);
    // A --config that does not exist.
    let (code, _, err) = run_in(t.path(), &["lint", "--config", "nope.toml", "x.json"]);
    assert_eq!(code, 2);
    assert!(err.contains("nope.toml"), "{err}");
}

#[test]
fn command_line_beats_config_beats_defaults() {
    let t = project();
    write(
        t.path(),
        "iamlint.toml",
        "files = [\"policies/legacy/*.json\"]\nfail-on = \"warning\"\n",
    );
    // Default (no config): a warning does not fail.
    let (code, _, _) = run_in(t.path(), &["lint", "--no-config", "policies/a.json"]);
    assert_eq!(code, 0);
    // Config: fail-on warning.
    let (code, _, _) = run_in(t.path(), &["lint", "policies/a.json"]);
    assert_eq!(code, 1);
    // Command line: --fail-on error over the config's warning.
    let (code, _, _) = run_in(t.path(), &["lint", "--fail-on", "error", "policies/a.json"]);
    assert_eq!(code, 0);
    // Paths on the command line over the config's files: b.json (an error) is not read.
    let (_, out, _) = run_in(t.path(), &["lint", "--format", "json", "policies/a.json"]);
    assert_eq!(codes(&json(&out)), ["all-actions"]);
    // Without paths, the config's files.
    let (code, out, _) = run_in(t.path(), &["lint", "--format", "json"]);
    assert_eq!(codes(&json(&out)), ["unknown-action"]);
    assert_eq!(code, 1);
}

#[test]
fn severity_overrides_count_and_fail_as_overridden() {
    let t = project();
    write(
        t.path(),
        "iamlint.toml",
        "[severity]\nall-actions = \"error\"\nunknown-action = \"info\"\n",
    );
    let (code, out, _) = run_in(
        t.path(),
        &[
            "lint",
            "--format",
            "json",
            "policies/a.json",
            "policies/legacy/b.json",
        ],
    );
    let v = json(&out);
    assert_eq!(code, 1);
    assert_eq!(v["findings"][0]["code"], "all-actions");
    assert_eq!(v["findings"][0]["severity"], "error");
    assert_eq!(v["findings"][1]["severity"], "info");
    assert_eq!(v["summary"]["errors"], 1);
    assert_eq!(v["summary"]["infos"], 1);
    // The unknown action alone, now info, no longer fails the run.
    let (code, out, _) = run_in(t.path(), &["lint", "policies/legacy/b.json"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("info[unknown-action]"), "{out}");
}

#[test]
fn ignores_suppress_with_their_reason() {
    let t = project();
    write(t.path(), "policies/two.json", &policy(&[BROAD, TYPO]));
    write(
        t.path(),
        "iamlint.toml",
        r#"# accepted findings
[[ignore]]
code = "unknown-action"
path = "policies/legacy/*.json"
reason = "legacy role, removed in TICKET-1"

[[ignore]]
code = "all-actions"
sid = "Broad"
path = "policies/two.json"
reason = "the fleet janitor terminates any instance"
"#,
    );
    let args = [
        "lint",
        "policies/a.json",
        "policies/legacy/b.json",
        "policies/two.json",
    ];
    let (code, out, _) = run_in(t.path(), &args);
    // Left: a.json's all-actions (path does not match), two.json's unknown-action (the
    // first ignore's path does not match it).
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(
            "policies/legacy/b.json:4:50: suppressed error[unknown-action]: unknown action `s3:GetObjekt`"
        ),
        "{out}"
    );
    assert!(
        out.contains("(reason: legacy role, removed in TICKET-1; iamlint.toml:2:1)"),
        "{out}"
    );
    assert!(
        out.contains("policies/two.json:4:51: suppressed warning[all-actions]")
            && out
                .contains("(reason: the fleet janitor terminates any instance; iamlint.toml:7:1)"),
        "{out}"
    );
    assert!(
        out.contains("1 error, 1 warning, 0 info in 3 documents; 2 suppressed"),
        "{out}"
    );
    let mut json_args = args.to_vec();
    json_args.insert(1, "--format=json");
    let (_, out, _) = run_in(t.path(), &json_args);
    let v = json(&out);
    assert_eq!(codes(&v), ["all-actions", "unknown-action"]);
    assert_eq!(v["findings"][0]["file"], "policies/a.json");
    assert_eq!(v["findings"][1]["file"], "policies/two.json");
    let s = v["suppressed"].as_array().unwrap();
    assert_eq!(s.len(), 2);
    assert_eq!(s[0]["code"], "unknown-action");
    assert_eq!(s[0]["reason"], "legacy role, removed in TICKET-1");
    assert_eq!(s[0]["ignore"], "iamlint.toml:2:1");
    assert_eq!(s[1]["statement"], "Broad");
    assert_eq!(v["summary"]["errors"], 1);
    // In SARIF they are results marked suppressed, with the reason: code scanning shows
    // them as dismissed, not as open alerts.
    let mut sarif_args = args.to_vec();
    sarif_args.insert(1, "--format=sarif");
    let (_, out, _) = run_in(t.path(), &sarif_args);
    let v = crate::formats::valid_sarif(&out);
    let results = v["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 4);
    let suppressed: Vec<&Value> = results
        .iter()
        .filter(|r| r.get("suppressions").is_some())
        .collect();
    assert_eq!(suppressed.len(), 2);
    assert_eq!(suppressed[0]["ruleId"], "unknown-action");
    assert_eq!(
        suppressed[0]["suppressions"][0]["justification"],
        "legacy role, removed in TICKET-1 (iamlint.toml:2:1)"
    );
    let mut md_args = args.to_vec();
    md_args.insert(1, "--format=markdown");
    let (_, out, _) = run_in(t.path(), &md_args);
    assert!(
        out.contains("in 3 documents; 2 suppressed by `iamlint.toml`"),
        "{out}"
    );
    // A Sid that is not the finding's suppresses nothing.
    write(
        t.path(),
        "iamlint.toml",
        "[[ignore]]\ncode = \"all-actions\"\nsid = \"Other\"\nreason = \"r\"\n",
    );
    let (_, out, _) = run_in(t.path(), &["lint", "--format=json", "policies/a.json"]);
    assert_eq!(codes(&json(&out)), ["all-actions"]);
    assert!(json(&out).get("suppressed").is_none());
}

#[test]
fn bad_configs_are_errors_at_line_and_column() {
    let t = project();
    for (text, want) in [
        (
            "files = [\"policies/*.json\"]\n[[ignore]]\ncode = \"all-actions\"\n",
            "iamlint.toml:2:1: an `[[ignore]]` needs a `reason`",
        ),
        (
            "fail_on = \"error\"\n",
            "iamlint.toml:1:1: unknown field `fail_on`",
        ),
        (
            "fail-on = \"fatal\"\n",
            "iamlint.toml:1:11: `fail-on` is `fatal`",
        ),
        (
            "[severity]\nbroad-resorce = \"info\"\n",
            "iamlint.toml:2:1: no finding code `broad-resorce`; did you mean `broad-resource`?",
        ),
        (
            "[severity]\nall-actions = \"low\"\n",
            "iamlint.toml:2:15: `low` is not a severity",
        ),
        (
            "[[ignore]]\ncode = \"all-actions\"\nreason = \"r\"\nsidd = \"x\"\n",
            "iamlint.toml:4:1: unknown field `sidd`",
        ),
        (
            "exclude = [\"a/{b\"]\n",
            "iamlint.toml:1:12: bad glob `a/{b`",
        ),
        (
            "files = \"policies\"\n",
            "iamlint.toml:1:9: invalid type: string",
        ),
        (
            "[[check]]\nfiles = [\"*.json\"]\nrules = \"ecr-psh\"\n",
            "iamlint.toml:3:9: no rule set `ecr-psh`; did you mean `ecr-push`?",
        ),
        (
            "[[check]]\nfiles = [\"*.json\"]\nrules = \"my/rules.toml\"\n",
            "iamlint.toml:3:9: no rule file `my/rules.toml`",
        ),
        ("files = [\n", "iamlint.toml:1:10: unclosed array"),
    ] {
        write(t.path(), "iamlint.toml", text);
        let (code, out, err) = run_in(t.path(), &["lint", "policies/a.json"]);
        assert_eq!(code, 2, "{text:?}: {out}{err}");
        assert!(
            err.starts_with(&format!("error: {want}")),
            "{text:?}: {err}"
        );
        assert!(out.is_empty(), "{out}");
    }
}

#[test]
fn check_takes_rule_set_and_params_from_a_check_table() {
    let t = tempfile::tempdir().unwrap();
    let (code, rendered, _) = outcome(iamlint().args([
        "render",
        "--rules",
        "ecr-push",
        "--param",
        "account_id=123456789012",
        "--param",
        "region=us-east-1",
        "--param",
        "repository=dagster",
    ]));
    assert_eq!(code, 0);
    write(t.path(), "roles/ci/push.json", &rendered);
    write(t.path(), "roles/web/push.json", &rendered);
    // A rule file of the project, by path relative to the config.
    let rule = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("rules/dagster/ecr-push.toml"),
    )
    .unwrap()
    .replace("id = \"ecr-push\"", "id = \"our-push\"");
    write(t.path(), "rules/our-push.toml", &rule);
    write(
        t.path(),
        "iamlint.toml",
        r#"[[check]]
files = ["roles/ci/*.json"]
rules = "ecr-push"
params = { account_id = "123456789012", region = "us-east-1", repository = "dagster" }

[[check]]
files = ["roles/web/*.json"]
rules = "rules/our-push.toml"
params = { account_id = "123456789012", region = "us-east-1", repository = "web" }
"#,
    );
    // --policy picks the table whose files match it.
    let (code, out, _) = run_in(t.path(), &["check", "--policy", "roles/ci/push.json"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("`ecr-push`: 8 of 8 required grants satisfied"),
        "{out}"
    );
    let (code, out, _) = run_in(t.path(), &["check", "--policy", "roles/web/push.json"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("`our-push`: 1 of 8 required grants satisfied"),
        "{out}"
    );
    // --param beats the table's parameter of the same name.
    let (code, out, _) = run_in(
        t.path(),
        &[
            "check",
            "--policy",
            "roles/web/push.json",
            "--param",
            "repository=dagster",
        ],
    );
    assert_eq!(code, 0, "{out}");
    // --rules beats the tables (and takes its parameters from the command line only).
    let (code, _, err) = run_in(
        t.path(),
        &[
            "check",
            "--rules",
            "ecr-push",
            "--policy",
            "roles/ci/push.json",
        ],
    );
    assert_eq!(code, 2);
    assert!(err.contains("account_id"), "{err}");
    // No --policy: every table on its files, the run fails if any fails.
    let (code, out, _) = run_in(t.path(), &["check", "--format", "json"]);
    assert_eq!(code, 1);
    let v = json(&out);
    let sets: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["check"]["rule_set"].as_str().unwrap())
        .collect();
    assert_eq!(sets, ["ecr-push", "our-push"]);
    let (code, out, _) = run_in(t.path(), &["check"]);
    assert_eq!(code, 1);
    assert!(
        out.contains("== check `ecr-push` ([[check]] at iamlint.toml:1:1) ==")
            && out.contains("== check `our-push` ([[check]] at iamlint.toml:6:1) =="),
        "{out}"
    );
    // A policy no table lists.
    write(t.path(), "other.json", &rendered);
    let (code, _, err) = run_in(t.path(), &["check", "--policy", "other.json"]);
    assert_eq!(code, 2);
    assert!(err.contains("lists every --policy"), "{err}");
    // A parameter the rule set does not take: the table's place is named.
    write(
        t.path(),
        "iamlint.toml",
        "[[check]]\nfiles = [\"roles/ci/*.json\"]\nrules = \"ecr-push\"\nparams = { account_id = \"123456789012\", region = \"us-east-1\", repository = \"d\", bucket = \"x\" }\n",
    );
    let (code, _, err) = run_in(t.path(), &["check"]);
    assert_eq!(code, 2);
    assert!(err.contains("the [[check]] at iamlint.toml:1:1: "), "{err}");
    // Without --rules and without a table.
    let (code, _, err) = run_in(
        t.path(),
        &["check", "--no-config", "--policy", "other.json"],
    );
    assert_eq!(code, 2);
    assert!(err.contains("give --rules"), "{err}");
}

#[test]
fn baseline_round_trip() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path();
    // Two identical findings: the same statement twice, with one Sid (so a third finding,
    // `duplicate-sid`, on the second).
    let twin = BROAD.replace("Broad", "Twin");
    write(dir, "p.json", &policy(&[BROAD, &twin, &twin, CLEAN]));
    let (code, out, err) = run_in(
        dir,
        &[
            "lint",
            "--fail-on",
            "warning",
            "--write-baseline",
            "base.json",
            "p.json",
        ],
    );
    // Writing a baseline accepts every finding.
    assert_eq!(code, 0, "{out}{err}");
    assert!(err.contains("wrote 4 findings to base.json"), "{err}");
    let text = std::fs::read_to_string(dir.join("base.json")).unwrap();
    let b = json(&text);
    assert_eq!(b["version"], 1);
    let entries = b["findings"].as_array().unwrap();
    assert_eq!(entries.len(), 4);
    assert_eq!(entries[0]["file"], "p.json");
    // Sorted, and written again the same: stable.
    let (_, _, _) = run_in(dir, &["lint", "--write-baseline", "again.json", "p.json"]);
    assert_eq!(
        std::fs::read_to_string(dir.join("again.json")).unwrap(),
        text
    );
    let gate = [
        "lint",
        "--fail-on",
        "warning",
        "--baseline",
        "base.json",
        "p.json",
    ];
    let (code, out, _) = run_in(dir, &gate);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("0 errors, 0 warnings, 0 info in 1 document; 4 baselined, 0 fixed"),
        "{out}"
    );
    // Lines move: still clean.
    write(
        dir,
        "p.json",
        &format!("\n\n\n{}", policy(&[CLEAN, BROAD, &twin, &twin])),
    );
    let (code, out, _) = run_in(dir, &gate);
    assert_eq!(code, 0, "{out}");
    // A third `Twin`: the baseline holds two, so one is new. And a new finding elsewhere.
    write(
        dir,
        "p.json",
        &policy(&[CLEAN, BROAD, &twin, &twin, &twin, TYPO]),
    );
    let mut json_gate = gate.to_vec();
    json_gate.insert(1, "--format=json");
    let (code, out, _) = run_in(dir, &json_gate);
    assert_eq!(code, 1, "{out}");
    let v = json(&out);
    // The third `Twin`'s two findings (the baseline holds two of one, one of the other).
    assert_eq!(
        codes(&v),
        ["duplicate-sid", "all-actions", "unknown-action"]
    );
    assert_eq!(v["findings"][0]["line"], 8);
    assert_eq!(v["findings"][1]["statement"], "Twin");
    assert_eq!(v["findings"][1]["line"], 8);
    assert_eq!(v["baseline"]["baselined"], 4);
    assert_eq!(v["baseline"]["fixed"], serde_json::json!([]));
    // One removed: listed as fixed, the run clean.
    write(dir, "p.json", &policy(&[CLEAN, &twin, &twin]));
    let (code, out, _) = run_in(dir, &gate);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("fixed: p.json: all-actions: `\"Action\": \"*\"` allows every action of every service on the statement's resources (statement Broad) (in the baseline base.json, not found now)"),
        "{out}"
    );
    assert!(out.contains("3 baselined, 1 fixed"), "{out}");
    let (_, out, _) = run_in(dir, &json_gate);
    let v = json(&out);
    assert_eq!(v["baseline"]["fixed"][0]["statement"], "Broad");
    assert_eq!(v["baseline"]["file"], "base.json");
    // From a subfolder, naming the files from there: the same baseline holds.
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    let (code, out, _) = run_in(
        &dir.join("sub"),
        &[
            "lint",
            "--fail-on",
            "warning",
            "--baseline",
            "../base.json",
            "../p.json",
        ],
    );
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("3 baselined, 1 fixed"), "{out}");
}

#[test]
fn baseline_after_config_and_for_check() {
    let t = project();
    write(
        t.path(),
        "iamlint.toml",
        "files = [\"policies/**/*.json\"]\n[[ignore]]\ncode = \"unknown-action\"\nreason = \"r\"\n",
    );
    // Only what the config leaves is recorded.
    let (code, _, err) = run_in(t.path(), &["lint", "--write-baseline", "b.json"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("wrote 1 finding to b.json"), "{err}");
    // `check`: its findings too.
    let (code, out, _) = outcome(iamlint().current_dir(t.path()).args([
        "check",
        "--rules",
        "ecr-push",
        "--param",
        "account_id=123456789012",
        "--param",
        "region=us-east-1",
        "--param",
        "repository=r",
        "--policy",
        "policies/a.json",
        "--write-baseline",
        "c.json",
    ]));
    assert_eq!(code, 0, "{out}");
    let (code, out, _) = outcome(iamlint().current_dir(t.path()).args([
        "check",
        "--rules",
        "ecr-push",
        "--param",
        "account_id=123456789012",
        "--param",
        "region=us-east-1",
        "--param",
        "repository=r",
        "--policy",
        "policies/a.json",
        "--baseline",
        "c.json",
    ]));
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("baselined, 0 fixed"), "{out}");
    // An input that could not be read: nothing is written, exit 2.
    let (code, _, err) = run_in(
        t.path(),
        &["lint", "--write-baseline", "d.json", "missing.json"],
    );
    assert_eq!(code, 2);
    assert!(err.contains("d.json: not written"), "{err}");
    assert!(!t.path().join("d.json").exists());
}

#[test]
fn bad_baselines_are_errors_at_line_and_column() {
    let t = project();
    for (text, want) in [
        (
            "{\n  \"version\": 1,\n  \"findings\": [\n}",
            "b.json:4:1: expected value",
        ),
        (
            "{\"version\": 7, \"findings\": []}",
            "b.json:1:13: baseline version 7",
        ),
        ("{\"version\": 1}", "b.json:1:14: missing field `findings`"),
        (
            "{\"version\": 1, \"findings\": [{\"file\": \"a\", \"code\": \"c\", \"message\": \"m\", \"fingerprint\": \"abc\", \"x\": 1}]}",
            "b.json:1:91: `abc` is not a fingerprint",
        ),
    ] {
        write(t.path(), "b.json", text);
        let (code, out, err) = run_in(
            t.path(),
            &["lint", "--baseline", "b.json", "policies/a.json"],
        );
        assert_eq!(code, 2, "{text}: {out}");
        assert!(err.starts_with(&format!("error: {want}")), "{text}: {err}");
    }
    let (code, _, err) = run_in(
        t.path(),
        &["lint", "--baseline", "none.json", "policies/a.json"],
    );
    assert_eq!(code, 2);
    assert!(err.contains("none.json"), "{err}");
    // --baseline and --write-baseline together is a usage error.
    let (code, _, _) = run_in(
        t.path(),
        &[
            "lint",
            "--baseline",
            "b.json",
            "--write-baseline",
            "b.json",
            "policies/a.json",
        ],
    );
    assert_eq!(code, 2);
}

/// The full example of docs/config.md is a valid config, and its baseline example a valid
/// baseline.
#[test]
fn the_documented_examples_are_valid() {
    let doc = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/config.md"))
        .unwrap();
    let block = |lang: &str| -> String {
        let start = doc.find(&format!("```{lang}\n")).unwrap() + lang.len() + 4;
        let end = start + doc[start..].find("```").unwrap();
        doc[start..end].to_string()
    };
    let t = tempfile::tempdir().unwrap();
    let dir = t.path();
    write(dir, "iamlint.toml", &block("toml"));
    let rule = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("rules/dagster/ecr-push.toml"),
    )
    .unwrap()
    .replace("id = \"ecr-push\"", "id = \"our-ecr-push\"");
    write(dir, "rules/our-ecr-push.toml", &rule);
    write(dir, "policies/a.json", &policy(&[CLEAN, BROAD]));
    write(dir, "policies/vendor/v.json", &policy(&[TYPO]));
    write(dir, "accounts/b.json", &policy(&[CLEAN]));
    let (code, out, err) = run_in(dir, &["lint", "--format=json"]);
    // fail-on warning: the all-actions warning fails; the vendor file is excluded.
    assert_eq!(code, 1, "{out}{err}");
    assert_eq!(codes(&json(&out)), ["all-actions"]);
    write(dir, "base.json", &block("json"));
    let (code, out, err) = run_in(dir, &["lint", "--baseline", "base.json", "--format=json"]);
    assert_eq!(code, 1, "{out}{err}");
    assert_eq!(
        json(&out)["baseline"]["fixed"][0]["statement"],
        "AllOnBucket"
    );
}

/// A config or baseline that is no text file is refused in their own words, with the line
/// and column of the first bad byte, never read as policy input.
#[test]
fn unreadable_config_and_baseline() {
    let t = project();
    std::fs::write(
        t.path().join("iamlint.toml"),
        b"files = [\"p.json\"]\n# caf\xe9\n",
    )
    .unwrap();
    let (code, _, err) = run_in(t.path(), &["lint", "policies/a.json"]);
    assert_eq!(code, 2);
    assert_eq!(
        err,
        "error: iamlint.toml:2:6: not UTF-8 text; a config file is UTF-8 TOML\n"
    );
    let (code, _, err) = run_in(
        t.path(),
        &[
            "lint",
            "--no-config",
            "--baseline",
            "policies",
            "policies/a.json",
        ],
    );
    assert_eq!(code, 2);
    assert_eq!(
        err,
        "error: policies: a folder, not a file; a baseline is UTF-8 JSON\n"
    );
}

/// `--write-baseline` overwrites a baseline, never another file (a policy named by mistake).
#[test]
fn write_baseline_overwrites_only_a_baseline() {
    let t = project();
    let before = std::fs::read_to_string(t.path().join("policies/a.json")).unwrap();
    let (code, _, err) = run_in(
        t.path(),
        &[
            "lint",
            "--write-baseline",
            "policies/a.json",
            "policies/a.json",
        ],
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("--write-baseline policies/a.json: the file exists and is not a baseline"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(t.path().join("policies/a.json")).unwrap(),
        before
    );
    // An older baseline is replaced.
    write(t.path(), "b.json", "{\"version\": 1, \"findings\": []}");
    let (code, _, err) = run_in(
        t.path(),
        &["lint", "--write-baseline", "b.json", "policies/a.json"],
    );
    assert_eq!(code, 0, "{err}");
    let b: Value =
        serde_json::from_str(&std::fs::read_to_string(t.path().join("b.json")).unwrap()).unwrap();
    assert_eq!(b["findings"].as_array().unwrap().len(), 1);
}
