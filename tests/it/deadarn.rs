//! `dead-arn` (issue 9, part 2): ARN fields that make a grant dead, as `iamlint lint` reports
//! them, each with the ARN to write instead; and the ARNs whose empty fields are right.

use serde_json::Value;

use crate::util::iamlint;

/// Lint one policy with these resources (and actions that take them): the `dead-arn`
/// findings as (resource, suggestion).
fn dead(actions: &[&str], resources: &[&str]) -> Vec<(String, String)> {
    let policy = serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": actions, "Resource": resources}]
    });
    let out = iamlint()
        .args(["lint", "--format", "json", "-"])
        .write_stdin(policy.to_string())
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let dead: Vec<(String, String)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "dead-arn")
        .map(|f| {
            assert_eq!(f["severity"], "error");
            assert!(
                f["help"].as_str().unwrap().starts_with("write `arn:"),
                "{f}"
            );
            (
                f["resource"].as_str().unwrap().to_string(),
                f["suggestion"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    if !dead.is_empty() {
        assert_eq!(out.status.code(), Some(1));
    }
    dead
}

#[test]
fn empty_region_or_account_where_the_format_needs_one() {
    assert_eq!(
        dead(&["logs:CreateLogGroup"], &["arn:aws:logs:::log-group:x"]),
        [(
            "arn:aws:logs:::log-group:x".into(),
            "arn:aws:logs:*:*:log-group:x".into()
        )]
    );
    assert_eq!(
        dead(&["ec2:TerminateInstances"], &["arn:aws:ec2:::instance/*"]),
        [(
            "arn:aws:ec2:::instance/*".into(),
            "arn:aws:ec2:*:*:instance/*".into()
        )]
    );
    // The rest of the document's account fills the gap.
    assert_eq!(
        dead(
            &["sqs:SendMessage"],
            &[
                "arn:aws:sqs:us-east-1::q",
                "arn:aws:sqs:us-east-1:123456789012:other"
            ]
        ),
        [(
            "arn:aws:sqs:us-east-1::q".into(),
            "arn:aws:sqs:us-east-1:123456789012:q".into()
        )]
    );
}

#[test]
fn accounts_that_are_not_account_ids() {
    for bad in [
        "account-id",
        "<ACCOUNT_ID>",
        "12345678901",
        "1234567890123",
        "abc*",
    ] {
        let arn = format!("arn:aws:sqs:us-east-1:{bad}:q");
        assert_eq!(
            dead(&["sqs:SendMessage"], &[&arn]),
            [(arn.clone(), "arn:aws:sqs:us-east-1:*:q".into())],
            "{bad}"
        );
    }
    for fine in [
        "123456789012",
        "*",
        "12345678901?",
        "1234*",
        "${aws:PrincipalAccount}",
    ] {
        let arn = format!("arn:aws:sqs:us-east-1:{fine}:q");
        assert_eq!(dead(&["sqs:SendMessage"], &[&arn]), [], "{fine}");
    }
}

#[test]
fn regions_that_are_not_regions_of_the_partition() {
    assert_eq!(
        dead(
            &["sqs:SendMessage"],
            &["arn:aws:sqs:us-east-1a:123456789012:q"]
        ),
        [(
            "arn:aws:sqs:us-east-1a:123456789012:q".into(),
            "arn:aws:sqs:us-east-1:123456789012:q".into()
        )]
    );
    assert_eq!(
        dead(
            &["sqs:SendMessage"],
            &["arn:aws:sqs:cn-north-1:123456789012:q"]
        )
        .len(),
        1
    );
    for fine in [
        "us-east-1",
        "eu-*",
        "*",
        "${aws:RequestedRegion}",
        "ap-southeast-7",
    ] {
        let arn = format!("arn:aws:sqs:{fine}:123456789012:q");
        assert_eq!(dead(&["sqs:SendMessage"], &[&arn]), [], "{fine}");
    }
    assert_eq!(
        dead(
            &["sqs:SendMessage"],
            &["arn:aws-cn:sqs:cn-north-1:123456789012:q"]
        ),
        []
    );
}

#[test]
fn a_partition_the_rest_of_the_document_does_not_use() {
    assert_eq!(
        dead(
            &["sqs:SendMessage"],
            &[
                "arn:aws:sqs:us-east-1:123456789012:a",
                "arn:aws:sqs:us-east-1:123456789012:b",
                "arn:aws-cn:sqs:cn-north-1:123456789012:c",
            ]
        ),
        [(
            "arn:aws-cn:sqs:cn-north-1:123456789012:c".into(),
            "arn:aws:sqs:us-east-1:123456789012:c".into()
        )]
    );
    // One of each: which one is wrong is not known, so neither is flagged.
    assert_eq!(
        dead(
            &["sqs:SendMessage"],
            &["arn:aws:sqs:*:*:a", "arn:aws-us-gov:sqs:*:*:b"]
        ),
        []
    );
}

#[test]
fn empty_fields_the_format_has_empty_are_fine() {
    let fine = [
        "arn:aws:s3:::bucket",
        "arn:aws:s3:::bucket/*",
        "arn:aws:iam::123456789012:role/x",
        "arn:aws:iam::aws:policy/ReadOnlyAccess",
        "arn:aws:ec2:us-east-1::image/ami-1",
        "arn:aws:ssm:*::document/AWS-RunShellScript",
        "arn:aws:ssm:*::parameter/aws/service/*",
        "arn:aws:route53:::hostedzone/Z1",
    ];
    for r in fine {
        assert_eq!(
            dead(
                &[
                    "s3:GetObject",
                    "s3:ListBucket",
                    "iam:GetRole",
                    "iam:GetPolicy",
                    "ec2:RunInstances",
                    "ssm:SendCommand",
                    "ssm:GetParameter",
                    "route53:GetHostedZone"
                ],
                &[r]
            ),
            [],
            "{r}"
        );
    }
}
