//! `--format sarif` and `--format markdown` of `lint` and `check` (issue 11, parts 3, 4 and
//! 7): every SARIF log validates against the SARIF 2.1.0 schema (`tests/data/`), results
//! carry what code scanning needs; Markdown is snapshot-tested, stays under GitHub's comment
//! limit and cannot be broken by the input.

use std::sync::OnceLock;

use serde_json::{Value, json};

use crate::util::{iamlint, run};

const SEED_001: &str = "fixtures/lint/seed-001-dstack/policy.json";
const SEED_002: &str = "fixtures/lint/seed-002-dstack-legacy/policy.json";
const SECURITY: &str = "fixtures/lint/security/policy.json";

/// The SARIF 2.1.0 schema, compiled once, formats asserted (`uri`, `uri-reference`).
fn validator() -> &'static jsonschema::Validator {
    static V: OnceLock<jsonschema::Validator> = OnceLock::new();
    V.get_or_init(|| {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/sarif-schema-2.1.0.json"
        );
        let text = std::fs::read_to_string(path).unwrap();
        // The schema's two `language` patterns (of a run and of a tool component) have a
        // lone `]` (`...{2}]?$`): a literal `]` in
        // ECMA-262 (Annex B), which the crate's `regex` format check, run when the schema
        // is checked against its meta-schema, rejects. `\\]` is the same literal; nothing
        // else is touched, and no log here has a `language`.
        let lone = r#"[a-zA-Z]{2}]?$"#;
        assert_eq!(text.matches(lone).count(), 2);
        let text = text.replace(lone, r#"[a-zA-Z]{2}\\]?$"#);
        let schema: Value = serde_json::from_str(&text).unwrap();
        jsonschema::options()
            .should_validate_formats(true)
            .build(&schema)
            .unwrap()
    })
}

/// Parse a SARIF log and fail on every schema error.
pub fn valid_sarif(out: &str) -> Value {
    let v: Value = serde_json::from_str(out).unwrap_or_else(|e| panic!("{e}: {out}"));
    let errors: Vec<String> = validator()
        .iter_errors(&v)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{} schema errors: {errors:#?}",
        errors.len()
    );
    v
}

fn sarif_of(args: &[&str]) -> (i32, Value) {
    let mut a = args.to_vec();
    a.extend(["--format", "sarif"]);
    let (code, out, err) = run(&a);
    assert!(code != 2 || !out.is_empty(), "{err}");
    (code, valid_sarif(&out))
}

/// Every result: its rule is the one `ruleIndex` names, its region is ordered, its
/// fingerprint is 16 hex digits.
fn check_results(v: &Value) {
    let run = &v["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    for r in run["results"].as_array().unwrap() {
        let i = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[i]["id"], r["ruleId"], "{r}");
        let region = &r["locations"][0]["physicalLocation"]["region"];
        let start = (
            region["startLine"].as_u64().unwrap(),
            region["startColumn"].as_u64().unwrap(),
        );
        let end = (
            region["endLine"].as_u64().unwrap(),
            region["endColumn"].as_u64().unwrap(),
        );
        assert!(start <= end, "{r}");
        let fp = r["partialFingerprints"]["iamlint/v1"].as_str().unwrap();
        assert!(
            fp.len() == 16 && fp.bytes().all(|b| b.is_ascii_hexdigit()),
            "{r}"
        );
        assert!(["error", "warning", "note"].contains(&r["level"].as_str().unwrap()));
    }
}

/// An account dump (findings point into the dump) and a policy from stdin validate too.
#[test]
fn lint_sarif_of_a_dump_and_of_stdin_validates() {
    // The policies published by real projects, too.
    let (code, v) = sarif_of(&["lint", "fixtures/published"]);
    assert_eq!(code, 1);
    check_results(&v);
    let (code, v) = sarif_of(&["lint", "fixtures/gaad/account.json"]);
    assert_eq!(code, 1);
    check_results(&v);
    assert!(!v["runs"][0]["results"].as_array().unwrap().is_empty());
    let out = iamlint()
        .args(["lint", "--format", "sarif", "-"])
        .write_stdin(std::fs::read_to_string(SEED_002).unwrap())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v = valid_sarif(std::str::from_utf8(&out.stdout).unwrap());
    check_results(&v);
    assert_eq!(
        v["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "-"
    );
}

#[test]
fn lint_sarif_validates_on_every_lint_fixture() {
    let (code, v) = sarif_of(&["lint", "fixtures/lint"]);
    assert_eq!(code, 1);
    check_results(&v);
    let run = &v["runs"][0];
    assert_eq!(v["version"], "2.1.0");
    assert_eq!(run["tool"]["driver"]["name"], "iamlint");
    assert_eq!(run["tool"]["driver"]["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    assert_eq!(run["invocations"][0]["executionSuccessful"], true);
    // One rule per code, all of them, with their docs.
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    let all: Vec<&str> = iamlint::finding::Code::ALL
        .iter()
        .map(|c| c.as_str())
        .collect();
    assert_eq!(ids, all);
    let unknown = &rules[ids.iter().position(|&i| i == "unknown-action").unwrap()];
    assert_eq!(unknown["defaultConfiguration"]["level"], "error");
    assert_eq!(
        unknown["shortDescription"]["text"],
        "an action the catalog does not list for its service"
    );
    assert!(
        unknown["help"]["markdown"]
            .as_str()
            .unwrap()
            .contains("**Fix.**")
    );
    let broad = &rules[ids.iter().position(|&i| i == "broad-resource").unwrap()];
    assert_eq!(broad["defaultConfiguration"]["level"], "note");
    // The catalog the verdict was made with.
    let catalog = iamlint::catalog::get();
    assert_eq!(run["properties"]["catalog"]["source"], catalog.source());
    assert_eq!(run["properties"]["catalog"]["date"], catalog.date());
    // As many results as the JSON report has findings.
    let (_, out, _) = run_json(&["lint", "fixtures/lint"]);
    assert_eq!(
        run["results"].as_array().unwrap().len(),
        out["findings"].as_array().unwrap().len()
    );
}

fn run_json(args: &[&str]) -> (i32, Value, String) {
    let mut a = args.to_vec();
    a.extend(["--format", "json"]);
    let (code, out, err) = run(&a);
    (code, serde_json::from_str(&out).unwrap(), err)
}

/// A result names its region from start to end, in code points, and its related locations
/// (the other action of a privilege-escalation method); the fingerprint is the library's.
#[test]
fn sarif_results_have_end_positions_related_locations_and_fingerprints() {
    let dir = tempfile::tempdir().unwrap();
    // A name with a space, `#` and non-ASCII: percent-encoded in the URI.
    let name = "pölicy #1.json";
    let path = dir.path().join(name);
    std::fs::write(
        &path,
        "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Sid\": \"ÄÖÜ\", \"Effect\": \"Allow\",\n\"Action\": [\"ec2:CancelSpotRequests\", \"iam:CreateRole\", \"iam:AttachRolePolicy\"], \"Resource\": \"*\"}]}",
    )
    .unwrap();
    let out = iamlint()
        .current_dir(dir.path())
        .args(["lint", "--format", "sarif", name])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v = valid_sarif(std::str::from_utf8(&out.stdout).unwrap());
    check_results(&v);
    let results = v["runs"][0]["results"].as_array().unwrap();
    let unknown = results
        .iter()
        .find(|r| r["ruleId"] == "unknown-action")
        .unwrap();
    let loc = &unknown["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], "p%C3%B6licy%20%231.json");
    // `"ec2:CancelSpotRequests"` on line 2 from column 12: 24 code points.
    assert_eq!(
        loc["region"],
        json!({"startLine": 2, "startColumn": 12, "endLine": 2, "endColumn": 36})
    );
    assert_eq!(unknown["level"], "error");
    assert_eq!(unknown["properties"]["action"], "ec2:CancelSpotRequests");
    assert_eq!(unknown["properties"]["statement"], "ÄÖÜ");
    assert!(
        unknown["message"]["text"]
            .as_str()
            .unwrap()
            .contains("\nhelp: did you mean `ec2:CancelSpot")
    );
    let esc = results
        .iter()
        .find(|r| r["ruleId"] == "privilege-escalation")
        .unwrap();
    let related = esc["relatedLocations"].as_array().unwrap();
    assert_eq!(related.len(), 1);
    assert_eq!(related[0]["id"], 1);
    assert!(
        related[0]["message"]["text"]
            .as_str()
            .unwrap()
            .contains("iam:AttachRolePolicy")
    );
    assert_eq!(related[0]["physicalLocation"]["region"]["startLine"], 2);
    // The fingerprint is `Finding::fingerprint()` of the same finding.
    let report = iamlint::lint_paths(&[path.display().to_string()]);
    let f = report
        .findings
        .iter()
        .find(|f| f.code.as_str() == "unknown-action")
        .unwrap();
    let mut f = f.clone();
    f.location.file = name.into();
    assert_eq!(
        unknown["partialFingerprints"]["iamlint/v1"],
        f.fingerprint()
    );
}

/// An input that cannot be read is an error notification of an unsuccessful invocation;
/// the log still validates and the run exits 2.
#[test]
fn sarif_of_an_unreadable_input_is_an_unsuccessful_invocation() {
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("broken.json");
    std::fs::write(&broken, b"\xff\xfe not UTF-8").unwrap();
    let missing = dir.path().join("missing.json");
    let (code, v) = sarif_of(&[
        "lint",
        SECURITY,
        &missing.display().to_string(),
        &broken.display().to_string(),
    ]);
    assert_eq!(code, 2);
    check_results(&v);
    let inv = &v["runs"][0]["invocations"][0];
    assert_eq!(inv["executionSuccessful"], false);
    let notes = inv["toolExecutionNotifications"].as_array().unwrap();
    assert_eq!(notes.len(), 2, "{notes:#?}");
    assert!(notes.iter().all(|n| n["level"] == "error"));
    assert!(
        notes[0]["message"]["text"]
            .as_str()
            .unwrap()
            .contains("missing.json")
    );
    assert!(!v["runs"][0]["results"].as_array().unwrap().is_empty());
}

/// `check`: the findings point at the policy, with the rule-file line that required the
/// grant as a related location; validates with and without findings, and from stdin.
#[test]
fn check_sarif_validates_with_rule_file_related_locations() {
    let (code, v) = sarif_of(&[
        "check",
        "--rules",
        "dstack-aws",
        "--param",
        "bucket_name=bucket-x",
        "--policy",
        SEED_001,
        "--suggest",
    ]);
    assert_eq!(code, 1);
    check_results(&v);
    let results = v["runs"][0]["results"].as_array().unwrap();
    let mis = results
        .iter()
        .find(|r| r["ruleId"] == "mis-scoped-grant")
        .unwrap();
    let rel = &mis["relatedLocations"][0];
    assert_eq!(
        rel["physicalLocation"]["artifactLocation"]["uri"],
        "rules/dstack/dstack-aws.toml"
    );
    assert!(
        rel["physicalLocation"]["region"]["startLine"]
            .as_u64()
            .unwrap()
            > 1
    );
    assert!(
        rel["message"]["text"]
            .as_str()
            .unwrap()
            .contains("required by `dstack-aws`")
    );
    // A policy given on stdin, and the rule set's own least-privilege policy: no check
    // finding.
    let (_, policy, _) = run(&[
        "render",
        "--rules",
        "ecr-push",
        "--param",
        "account_id=123456789012",
        "--param",
        "region=us-east-1",
        "--param",
        "repository=r",
    ]);
    let out = iamlint()
        .args([
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
            "-",
            "--format",
            "sarif",
        ])
        .write_stdin(policy)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = valid_sarif(std::str::from_utf8(&out.stdout).unwrap());
    assert!(
        v["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["level"] != "error")
    );
}

/// A managed policy ARN as the origin: the `:` are encoded, so the URI is not read as one
/// with an `arn` scheme.
#[test]
fn check_sarif_of_a_managed_policy_validates() {
    let (_, v) = sarif_of(&[
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
        "arn:aws:iam::aws:policy/SecretsManagerReadWrite",
    ]);
    check_results(&v);
    let uris: Vec<&str> = v["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert!(
        uris.iter().any(|u| u.starts_with("arn%3Aaws%3Aiam")),
        "{uris:?}"
    );
}

/// Markdown is parsed as GitHub does (CommonMark with tables): no raw HTML gets through,
/// and every table row has as many cells as its header.
fn check_markdown(md: &str) {
    use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
    assert!(
        md.len() < iamlint::report::markdown::LIMIT,
        "{} bytes",
        md.len()
    );
    let mut cells = 0;
    let mut header_cells = 0;
    let mut in_head = false;
    for ev in Parser::new_ext(md, Options::ENABLE_TABLES) {
        match ev {
            Event::Html(h) | Event::InlineHtml(h) => {
                // Only the line breaks the table cells are made with.
                assert_eq!(&*h, "<br>", "raw HTML in the Markdown");
            }
            Event::Start(Tag::TableHead) => {
                in_head = true;
                header_cells = 0;
            }
            Event::End(TagEnd::TableHead) => in_head = false,
            Event::Start(Tag::TableRow) => cells = 0,
            Event::Start(Tag::TableCell) => {
                if in_head {
                    header_cells += 1;
                } else {
                    cells += 1;
                }
            }
            Event::End(TagEnd::TableRow) => assert_eq!(cells, header_cells, "{md}"),
            _ => {}
        }
    }
}

fn markdown_of(args: &[&str]) -> (i32, String) {
    let mut a = args.to_vec();
    a.extend(["--format", "markdown"]);
    let (code, out, _) = run(&a);
    check_markdown(&out);
    (code, out)
}

#[test]
fn lint_markdown_snapshots() {
    // Warnings only (exit 0), and errors (exit 1).
    for (name, path, exit) in [("security", SECURITY, 0), ("seed_002", SEED_002, 1)] {
        let (code, md) = markdown_of(&["lint", path]);
        assert_eq!(code, exit);
        insta::assert_snapshot!(format!("lint_markdown_{name}"), md);
    }
    // An unreadable input is listed first, and fails the run.
    let (code, md) = markdown_of(&["lint", SECURITY, "no-such-file.json"]);
    assert_eq!(code, 2);
    let cannot = md.find("**Could not read**").unwrap();
    assert!(cannot < md.find("### ").unwrap());
    assert!(md.contains("- `no-such-file.json: cannot read"));
    let (code, md) = markdown_of(&[
        "lint",
        "fixtures/lint/seed-001-dstack/policy.json",
        "--fail-on",
        "never",
    ]);
    assert_eq!(code, 0);
    assert!(md.starts_with("## iamlint\n\n**0 errors, "), "{md}");
}

#[test]
fn check_markdown_snapshot() {
    let (code, md) = markdown_of(&[
        "check",
        "--rules",
        "dstack-aws",
        "--param",
        "bucket_name=my-awesome-project",
        "--policy",
        SEED_002,
        "--suggest",
    ]);
    assert_eq!(code, 1);
    // The requirement table, then the suggested fix as a fenced diff.
    let table = md
        .find("| rule | status | action | granted on | needed on |")
        .unwrap();
    let fix = md
        .find("```diff\n--- fixtures/lint/seed-002-dstack-legacy/policy.json")
        .unwrap();
    assert!(table < fix);
    insta::assert_snapshot!("check_markdown_seed_002", md);
}

/// A report far over GitHub's limit keeps its summary, shows errors before warnings, stays
/// under the limit and says what was cut.
#[test]
fn a_huge_markdown_report_stays_under_the_comment_limit_and_says_what_was_cut() {
    // 600 statements: an unknown action (error) and a full admin (warning) each.
    let statements: Vec<Value> = (0..600)
        .flat_map(|i| {
            [
                json!({"Sid": format!("W{i}"), "Effect": "Allow", "Action": "*", "Resource": "*"}),
                json!({"Sid": format!("E{i}"), "Effect": "Allow", "Action": format!("s3:GetObjekt{i}"), "Resource": "*"}),
            ]
        })
        .collect();
    let policy = json!({"Version": "2012-10-17", "Statement": statements});
    let out = iamlint()
        .args(["lint", "--format", "markdown", "-"])
        .write_stdin(policy.to_string())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let md = String::from_utf8(out.stdout).unwrap();
    check_markdown(&md);
    assert!(md.len() > 60_000, "{}", md.len());
    let (_, v, _) = {
        let out = iamlint()
            .args(["lint", "--format", "json", "-"])
            .write_stdin(policy.to_string())
            .output()
            .unwrap();
        (0, serde_json::from_slice::<Value>(&out.stdout).unwrap(), ())
    };
    let warnings = v["summary"]["warnings"].as_u64().unwrap();
    let total = v["findings"].as_array().unwrap().len();
    assert!(warnings >= 600);
    assert!(
        md.starts_with(&format!(
            "## iamlint\n\n**600 errors, {warnings} warnings, 0 infos** in 1 document"
        )),
        "{}",
        &md[..200]
    );
    // Errors first: every error shown comes before the cut ends them, and no warning is
    // shown while errors were cut.
    let shown_errors = md.matches("unknown action `s3:GetObjekt").count();
    assert!(shown_errors > 10 && shown_errors < 600, "{shown_errors}");
    assert!(
        !md.contains("#### `full-admin`"),
        "warnings shown while errors were cut"
    );
    let cut = md.lines().last().unwrap();
    assert!(
        cut.starts_with("**Cut to stay under GitHub's 65536-character comment limit:**"),
        "{cut}"
    );
    let not_shown = 600 - shown_errors;
    assert!(
        cut.contains(&format!(
            "{} of {total} findings ({not_shown} errors, {warnings} warnings, 0 infos)",
            total - shown_errors
        )),
        "{cut}"
    );
}

/// `check` of a policy with many findings: the requirement table and the fix are cut, and
/// said to be, rather than pushing the comment over the limit.
#[test]
fn a_huge_check_markdown_stays_under_the_limit() {
    let statements: Vec<Value> = (0..600)
        .map(|i| json!({"Sid": format!("S{i}"), "Effect": "Allow", "Action": format!("ec2:Describe{i}"), "Resource": "*"}))
        .collect();
    let policy = json!({"Version": "2012-10-17", "Statement": statements});
    let out = iamlint()
        .args([
            "check",
            "--rules",
            "dstack-aws",
            "--param",
            "bucket_name=b-1",
            "--policy",
            "-",
            "--suggest",
            "--format",
            "markdown",
        ])
        .write_stdin(policy.to_string())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let md = String::from_utf8(out.stdout).unwrap();
    check_markdown(&md);
    let cut = md.lines().last().unwrap();
    assert!(cut.contains("of "), "{cut}");
    assert!(
        md.contains("### Requirements"),
        "the table keeps at least half the room"
    );
    assert!(cut.contains("the suggested fix for `-`"), "{cut}");
}

/// Sids, actions and ARNs with pipes, backticks, HTML and control characters cannot break
/// the Markdown: no raw HTML, tables keep their columns, code spans hold.
#[test]
fn user_text_cannot_break_the_markdown() {
    let policy = json!({"Version": "2012-10-17", "Statement": [
        {"Sid": "x|y", "Effect": "Allow", "Action": "s3:Get`<img src=x onerror=alert(1)>|", "Resource": "*"},
        {"Sid": "Tick", "Effect": "Allow", "Action": "s3:`Get``Object`", "Resource": "arn:aws:s3:::b|<b>/*"},
        {"Sid": "Esc", "Effect": "Allow", "Action": "s3:Get\u{1b}[31mRed\u{202e}", "Resource": "*"},
        {"Sid": "Fence", "Effect": "Allow", "Action": "s3:```\n</details>", "Resource": "*"}
    ]});
    let out = iamlint()
        .args(["lint", "--format", "markdown", "-"])
        .write_stdin(serde_json::to_string_pretty(&policy).unwrap())
        .output()
        .unwrap();
    let md = String::from_utf8(out.stdout).unwrap();
    check_markdown(&md);
    assert!(!md.contains('\u{1b}') && !md.contains('\u{202e}'), "{md}");
    assert!(md.contains("\\x1b[31mRed\\u{202e}"), "{md}");
    // `check` rows hold user text in table cells: a resource with a `|` and HTML stays one
    // code span in one cell.
    let arn = "arn:aws:ecr:us-east-1:123456789012:repository/r|<b>x</b>";
    let policy = json!({"Version": "2012-10-17", "Statement": [
        {"Sid": "x|y", "Effect": "Allow", "Action": "ecr:*", "Resource": arn}]});
    let out = iamlint()
        .args([
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
            "-",
            "--format",
            "markdown",
        ])
        .write_stdin(policy.to_string())
        .output()
        .unwrap();
    let md = String::from_utf8(out.stdout).unwrap();
    check_markdown(&md);
    assert!(md.contains("| rule | status |"), "{md}");
    let mut in_cell = false;
    let mut cell_codes = Vec::new();
    for ev in pulldown_cmark::Parser::new_ext(&md, pulldown_cmark::Options::ENABLE_TABLES) {
        match ev {
            pulldown_cmark::Event::Start(pulldown_cmark::Tag::TableCell) => in_cell = true,
            pulldown_cmark::Event::End(pulldown_cmark::TagEnd::TableCell) => in_cell = false,
            pulldown_cmark::Event::Code(c) if in_cell => cell_codes.push(c.to_string()),
            _ => {}
        }
    }
    assert!(cell_codes.iter().any(|c| c == arn), "{cell_codes:?}");
}

/// The validator is not a rubber stamp: a log with an unknown level, a URI with a raw
/// space, or a region starting at line 0 is rejected.
#[test]
fn the_schema_validator_rejects_broken_logs() {
    let (_, out, _) = run(&["lint", "--format", "sarif", SECURITY]);
    let good: Value = serde_json::from_str(&out).unwrap();
    assert!(validator().is_valid(&good));
    let mut bad = good.clone();
    bad["runs"][0]["results"][0]["level"] = json!("fatal");
    assert!(!validator().is_valid(&bad));
    let mut bad = good.clone();
    bad["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] =
        json!("a b.json");
    assert!(
        !validator().is_valid(&bad),
        "a raw space is not a URI reference"
    );
    let mut bad = good;
    bad["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] =
        json!(0);
    assert!(!validator().is_valid(&bad));
}

/// A grant a `Deny` takes away: the result's related location is the `Deny`, its region
/// the denied action's value.
#[test]
fn check_sarif_points_at_the_deny_that_won() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("deny.json"),
        r#"{"Version": "2012-10-17", "Statement": [
  {"Effect": "Allow", "Action": "ecr:*", "Resource": "*"},
  {"Sid": "NoPush", "Effect": "Deny", "Action": "ecr:PutImage", "Resource": "*"}
]}"#,
    )
    .unwrap();
    let out = iamlint()
        .current_dir(dir.path())
        .args([
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
            "deny.json",
            "--format",
            "sarif",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v = valid_sarif(std::str::from_utf8(&out.stdout).unwrap());
    check_results(&v);
    let denied = v["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| {
            r["message"]["text"]
                .as_str()
                .unwrap()
                .contains("is denied by statement `NoPush`")
        })
        .unwrap();
    assert_eq!(denied["ruleId"], "missing-grant");
    assert_eq!(denied["properties"]["action"], "ecr:PutImage");
    let deny = denied["relatedLocations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["message"]["text"] == "the Deny is here")
        .unwrap();
    assert_eq!(
        deny["physicalLocation"]["artifactLocation"]["uri"],
        "deny.json"
    );
    // `"ecr:PutImage"` on line 3 from column 49.
    assert_eq!(
        deny["physicalLocation"]["region"],
        json!({"startLine": 3, "startColumn": 49, "endLine": 3, "endColumn": 63})
    );
}

/// Hundreds of policies, each with a suggested fix: the fixes that do not fit are counted,
/// and the note of what was cut stays short.
#[test]
fn many_suggested_fixes_are_cut_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    let mut args: Vec<String> = [
        "check",
        "--rules",
        "ecr-push",
        "--param",
        "account_id=123456789012",
        "--param",
        "region=us-east-1",
        "--param",
        "repository=r",
        "--suggest",
        "--format",
        "markdown",
    ]
    .map(String::from)
    .to_vec();
    for i in 0..300 {
        let name = format!("p{i:03}.json");
        std::fs::write(
            dir.path().join(&name),
            format!(
                r#"{{"Version": "2012-10-17", "Statement": [{{"Sid": "S{i}", "Effect": "Allow", "Action": ["ecr:GetAuthorizationToken", "s3:GetObject"], "Resource": "arn:aws:s3:::bucket-{i}/*"}}]}}"#
            ),
        )
        .unwrap();
        args.extend(["--policy".to_string(), name]);
    }
    let out = iamlint()
        .current_dir(dir.path())
        .args(&args)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let md = String::from_utf8(out.stdout).unwrap();
    check_markdown(&md);
    assert!(md.contains("### Suggested fix for `p000.json`"));
    let cut = md.lines().last().unwrap();
    assert!(cut.len() < 1000, "{cut}");
    assert!(
        cut.contains("the suggested fix for `p299.json`") || cut.contains(" more."),
        "{cut}"
    );
}

/// The results of a small lint, for review: what code scanning receives.
#[test]
fn sarif_results_snapshot() {
    let (_, v) = sarif_of(&["lint", SECURITY]);
    insta::assert_json_snapshot!("sarif_results_security", v["runs"][0]["results"]);
}

/// A live principal checked with `--simulate` (ministack on 127.0.0.1): the Markdown shows
/// the principal read and the simulator's verdict; the SARIF validates.
#[test]
fn live_check_markdown_shows_the_principal_and_the_simulator() {
    let s = crate::live::Server::ministack();
    let iam = s.admin();
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            iam.create_user().user_name("pusher").send().await.unwrap();
            iam.put_user_policy()
                .user_name("pusher")
                .policy_name("ecr")
                .policy_document(
                    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ecr:GetAuthorizationToken","ecr:BatchCheckLayerAvailability","ecr:PutImage"],"Resource":"*"}]}"#,
                )
                .send()
                .await
                .unwrap();
        });
    let mut args = vec!["check".to_string()];
    args.extend(crate::util::ecr_push_in(s.account, "app"));
    args.extend(["--user", "pusher", "--simulate"].map(String::from));
    let out = s
        .iamlint()
        .args(&args)
        .args(["--format", "markdown"])
        .args(s.endpoint())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let md = String::from_utf8(out.stdout).unwrap();
    check_markdown(&md);
    assert!(md.contains("**Principal** `user/pusher`"), "{md}");
    assert!(md.contains("- no permissions boundary"), "{md}");
    assert!(
        md.contains("### Policy simulator\n\nIAM's policy simulator agrees with iamlint on all 8 (action, resource) pairs."),
        "{md}"
    );
    let out = s
        .iamlint()
        .args(&args)
        .args(["--format", "sarif"])
        .args(s.endpoint())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    check_results(&valid_sarif(std::str::from_utf8(&out.stdout).unwrap()));
}
