//! Readable text output at scale (issue 9, part 4) and terminal safety (issue 10, part 5):
//! no message, help or note line over 300 characters, repeated findings grouped, control
//! characters from the input escaped.

use serde_json::{Value, json};

use crate::util::iamlint;

/// The longest line of a text report once each finding's `file:line:col: ` prefix (a path
/// of any length) is taken off.
fn longest(text: &str) -> (usize, String) {
    text.lines()
        .map(|l| {
            let body = match l.find(": ") {
                Some(i) if l[..i].matches(':').count() >= 2 && !l.starts_with(' ') => &l[i + 2..],
                _ => l,
            };
            (body.chars().count(), l.to_string())
        })
        .max_by_key(|(n, _)| *n)
        .unwrap_or_default()
}

fn lint_text(policy: &Value) -> String {
    let out = iamlint()
        .args(["lint", "--fail-on", "never", "-"])
        .write_stdin(policy.to_string())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn the_managed_policy_corpus_prints_no_line_over_300_characters() {
    let snap = iamlint::source::managed::snapshot().unwrap();
    let docs: Vec<iamlint::source::Document> = snap
        .policies
        .iter()
        .map(|p| iamlint::source::Document {
            origin: format!("{}.json", p.name),
            text: serde_json::to_string_pretty(&p.document).unwrap(),
        })
        .collect();
    assert!(docs.len() > 1000);
    let report = iamlint::lint_texts(docs);
    let text = iamlint::report::text::render(&report, iamlint::report::text::Options::default());
    let (n, line) = longest(&text);
    assert!(n <= 300, "{n} characters: {line}");
    // Before issue 9 the longest was over 13,000 (every EC2 resource type on one line).
    assert!(text.contains(" more"), "long lists are cut and counted");
}

#[test]
fn an_action_with_a_hundred_resource_types_names_a_few_and_counts_the_rest() {
    let text = lint_text(&json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "ec2:CreateTags", "Resource": "*"}]}));
    let help = text
        .lines()
        .find(|l| l.contains("help: scope it to"))
        .expect("a broad-resource help line");
    assert!(help.chars().count() <= 300, "{help}");
    let more: usize = help
        .rsplit(" and ")
        .next()
        .and_then(|t| t.strip_suffix(" more"))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no count of the rest: {help}"));
    assert!(more > 50, "{help}");
}

#[test]
fn long_user_values_are_clipped_in_text_and_whole_in_json() {
    let long = format!("s3:Get{}", "b".repeat(5000));
    let policy = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": long, "Resource": "*"}]});
    let text = lint_text(&policy);
    let (n, line) = longest(&text);
    assert!(n <= 300, "{n}: {line}");
    assert!(text.contains("more characters"), "{text}");
    let out = iamlint()
        .args(["lint", "--format", "json", "-"])
        .write_stdin(policy.to_string())
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| { f["message"].as_str().unwrap().contains(&"b".repeat(5000)) })
    );
}

#[test]
fn identical_findings_in_many_statements_are_grouped_in_text_only() {
    let stmts: Vec<Value> = (0..6)
        .map(|i| {
            json!({"Sid": format!("S{i}"), "Effect": "Allow", "Action": "s3:GetObjekt",
            "Resource": "*"})
        })
        .collect();
    let policy = json!({"Version": "2012-10-17", "Statement": stmts});
    let text_policy = serde_json::to_string_pretty(&policy).unwrap();
    let run = |format: &str| {
        let out = iamlint()
            .args(["lint", "--format", format, "-"])
            .write_stdin(text_policy.clone())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        String::from_utf8(out.stdout).unwrap()
    };
    let text = run("text");
    assert_eq!(text.matches("error[unknown-action]").count(), 1, "{text}");
    let lines: Vec<usize> = text_policy
        .lines()
        .enumerate()
        .filter(|(_, l)| l.contains("s3:GetObjekt"))
        .map(|(i, _)| i + 1)
        .collect();
    let note = format!(
        "note: the same at 5 more places: lines {}",
        lines[1..]
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    );
    assert!(text.contains(&note), "{note}\n{text}");
    // The summary and the JSON count every one.
    assert!(text.contains("6 errors"), "{text}");
    let v: Value = serde_json::from_str(&run("json")).unwrap();
    assert_eq!(v["findings"].as_array().unwrap().len(), 6);
}

#[test]
fn control_characters_from_the_input_are_escaped() {
    // An ANSI escape that would clear the screen, a carriage return that would overwrite
    // the line, and a right-to-left override, in values that findings quote.
    let policy = json!({"Version": "2012-10-17", "Statement": [
        {"Sid": "A", "Effect": "Allow", "Action": "s3:Get\u{1b}[2JObject", "Resource": "*"},
        {"Sid": "B", "Effect": "Allow", "Action": "s3:Put\rObject\u{202e}", "Resource": "*"},
        {"Sid": "C", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::\u{7f}b\u{9b}/*"}]});
    for color in ["never", "always"] {
        let out = iamlint()
            .args(["lint", "--color", color, "-"])
            .write_stdin(policy.to_string())
            .output()
            .unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.contains(r"`s3:Get\x1b[2JObject`"), "{text}");
        assert!(text.contains(r"`s3:Put\x0dObject\u{202e}`"), "{text}");
        assert!(text.contains(r"\x7fb\u{9b}"), "{text}");
        assert!(!text.contains('\r') && !text.contains('\u{202e}') && !text.contains('\u{9b}'));
        // Only iamlint's own colour codes are escape sequences.
        let esc = text.matches('\u{1b}').count();
        let own = text.matches("\u{1b}[0m").count() * 2;
        if color == "never" {
            assert_eq!(esc, 0, "{text}");
        } else {
            assert!(esc <= own, "{text}");
        }
    }
}
