//! Condition values a linter should question, and operators of the wrong type for their key
//! (issue 10, part 5): what `iamlint lint` prints and how it exits.

use crate::util::run;
use serde_json::Value;

/// A policy with one statement whose `Condition` is `condition` (JSON text).
fn policy(condition: &str) -> String {
    format!(
        r#"{{"Version": "2012-10-17", "Statement": [{{"Sid": "S", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*",
"Condition": {condition}}}]}}"#
    )
}

/// Lint `text` as a file: (exit code, [(code, severity, line:col, message)]).
fn lint(text: &str, extra: &[&str]) -> (i32, Vec<(String, String, String, String)>) {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("p.json");
    std::fs::write(&p, text).unwrap();
    let path = p.display().to_string();
    let mut args = vec!["lint", "--format", "json"];
    args.extend_from_slice(extra);
    args.push(&path);
    let (code, out, err) = run(&args);
    let v: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}{err}"));
    let findings = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["severity"].as_str().unwrap().to_string(),
                format!("{}:{}", f["line"], f["column"]),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    (code, findings)
}

fn row(code: &str, sev: &str, at: &str, msg: &str) -> (String, String, String, String) {
    (code.into(), sev.into(), at.into(), msg.into())
}

#[test]
fn each_unreadable_value_is_a_located_error() {
    let text = policy(
        r#"{
 "Null": {"aws:TokenIssueTime": "maybe"},
 "DateLessThan": {"aws:CurrentTime": ["2026-04-01T00:00:00Z", "next friday"]},
 "IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "10.0.0.0/33"]},
 "NotIpAddress": {"aws:SourceIp": "my-office"},
 "NumericLessThan": {"aws:MultiFactorAuthAge": "an hour"},
 "Bool": {"aws:SecureTransport": "yes"},
 "ArnEquals": {"aws:SourceArn": "s3://bucket"},
 "BinaryEquals": {"aws:username": "not base64!"}
}"#,
    );
    let (code, found) = lint(&text, &[]);
    assert_eq!(code, 1);
    let e = "invalid-condition-value";
    assert_eq!(
        found,
        vec![
            row(e, "error", "3:33", "`maybe` is not `true` or `false`"),
            row(e, "error", "4:63", "`next friday` is not a date"),
            row(
                e,
                "error",
                "5:47",
                "`10.0.0.0/33` is not an IP address or CIDR block"
            ),
            row(
                e,
                "error",
                "6:35",
                "`my-office` is not an IP address or CIDR block"
            ),
            row(e, "error", "7:48", "`an hour` is not a number"),
            row(e, "error", "8:34", "`yes` is not a Boolean"),
            row(e, "error", "9:33", "`s3://bucket` is not an ARN"),
            row(e, "error", "10:35", "`not base64!` is not base-64"),
        ]
    );
}

#[test]
fn the_text_report_says_what_to_write() {
    let text = policy(r#"{"DateGreaterThan": {"aws:CurrentTime": "${aws:CurrentTime}"}}"#);
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("p.json");
    std::fs::write(&p, &text).unwrap();
    let (code, out, _) = run(&["lint", &p.display().to_string()]);
    assert_eq!(code, 1);
    assert!(
        out.contains("error[invalid-condition-value]: `${aws:CurrentTime}` is not a date"),
        "{out}"
    );
    assert!(
        out.contains("= help: `DateGreaterThan` takes no policy variables: IAM compares the text `${aws:CurrentTime}` itself, which is not a date"),
        "{out}"
    );
}

#[test]
fn values_in_the_forms_aws_accepts_pass() {
    let text = policy(
        r#"{
 "Null": {"aws:TokenIssueTime": ["true", false]},
 "DateGreaterThan": {"aws:CurrentTime": ["2026-04-01", "2026-04-01T12:00Z", "2026-04-01T12:00:00.5+02:00", "1700000000"]},
 "DateLessThan": {"aws:EpochTime": 1700000000},
 "IpAddress": {"aws:SourceIp": ["203.0.113.7", "10.0.0.0/8", "2001:db8::/32", "::1"]},
 "NumericLessThanEquals": {"aws:MultiFactorAuthAge": [3600, "1.5", 1e3]},
 "Bool": {"aws:SecureTransport": [true, "False", "${aws:PrincipalTag/secure}"]},
 "ArnLike": {"aws:SourceArn": ["arn:aws:s3:::b", "arn:*:iam::*:role/${aws:username}", "arn:aws:sso:::instance/*"]},
 "BinaryEquals": {"aws:username": "QmluYXJ5VmFsdWU="},
 "StringEquals": {"aws:SourceAccount": [123456789012, "012345678901"]}
}"#,
    );
    let (code, found) = lint(&text, &["--fail-on", "warning"]);
    assert_eq!(found, vec![]);
    assert_eq!(code, 0);
}

#[test]
fn a_leading_zero_number_is_a_json_error_where_it_stands() {
    let text = policy(r#"{"StringEquals": {"aws:SourceAccount": 012345678901}}"#);
    let (code, found) = lint(&text, &[]);
    assert_eq!(code, 1);
    assert_eq!(
        found,
        vec![row(
            "json-syntax",
            "error",
            "2:53",
            "`012345678901` is not a JSON number: a number cannot start with `0`; IAM rejects the document"
        )]
    );
    // The rest of the document is still checked.
    let text = policy(
        r#"{"StringEquals": {"aws:SourceAccount": -01}, "Bool": {"aws:SecureTransport": "1"}}"#,
    );
    let (_, found) = lint(&text, &[]);
    let codes: Vec<&str> = found.iter().map(|f| f.0.as_str()).collect();
    assert_eq!(codes, ["json-syntax", "invalid-condition-value"]);
}

#[test]
fn an_operator_of_another_type_than_its_key_is_a_warning() {
    let text = policy(
        r#"{
 "DateGreaterThan": {"aws:username": "2026-01-01"},
 "Bool": {"aws:TokenIssueTime": "true"},
 "NumericGreaterThan": {"aws:SourceAccount": "1"},
 "IpAddressIfExists": {"aws:SourceVpc": "10.0.0.0/8"},
 "ForAnyValue:ArnLike": {"aws:MultiFactorAuthPresent": "arn:aws:iam::*:mfa/*"}
}"#,
    );
    let (code, found) = lint(&text, &[]);
    assert_eq!(code, 0, "warnings only: {found:?}");
    let m = "condition-type-mismatch";
    assert_eq!(
        found,
        vec![
            row(
                m,
                "warning",
                "3:22",
                "`DateGreaterThan` compares dates, but `aws:username` is a String key"
            ),
            row(
                m,
                "warning",
                "4:11",
                "`Bool` compares Booleans, but `aws:TokenIssueTime` is a Date key"
            ),
            row(
                m,
                "warning",
                "5:25",
                "`NumericGreaterThan` compares numbers, but `aws:SourceAccount` is a String key"
            ),
            row(
                m,
                "warning",
                "6:24",
                "`IpAddressIfExists` compares IP addresses, but `aws:SourceVpc` is a String key"
            ),
            row(
                m,
                "warning",
                "7:26",
                "`ForAnyValue:ArnLike` compares ARNs, but `aws:MultiFactorAuthPresent` is a Bool key"
            ),
        ]
    );
    let (code, _) = lint(&text, &["--fail-on", "warning"]);
    assert_eq!(code, 1);
}

#[test]
fn string_operators_and_arns_in_string_keys_are_not_mismatches() {
    let text = policy(
        r#"{
 "StringLike": {"aws:SourceIp": "10.*", "aws:PrincipalArn": "arn:aws:iam::*:role/x"},
 "ArnLike": {"aws:RequestTag/owner": "arn:aws:iam::*:role/x"},
 "NumericLessThan": {"aws:EpochTime": "1700000000"},
 "Null": {"aws:SourceIp": "true"}
}"#,
    );
    let (code, found) = lint(&text, &["--fail-on", "warning"]);
    assert_eq!(found, vec![]);
    assert_eq!(code, 0);
}

/// AWS's own managed policies are valid: none of them may get a finding of the new codes.
#[test]
fn no_new_finding_on_the_aws_managed_policies() {
    let snap = iamlint::source::managed::snapshot().unwrap();
    let docs: Vec<iamlint::source::Document> = snap
        .policies
        .iter()
        .map(|p| iamlint::source::Document {
            origin: p.name.clone(),
            text: iamlint::source::managed::document_text(p),
        })
        .collect();
    assert!(docs.len() > 1000);
    let report = iamlint::lint_texts(docs);
    let new: Vec<String> = report
        .findings
        .iter()
        .filter(|f| {
            matches!(
                f.code.as_str(),
                "invalid-condition-value" | "condition-type-mismatch" | "json-syntax"
            )
        })
        .map(|f| format!("{}:{}: {}", f.location.file, f.location.line, f.message))
        .collect();
    assert!(new.is_empty(), "{new:#?}");
}
