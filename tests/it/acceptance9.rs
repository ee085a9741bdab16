//! Acceptance of issue 9 with hand-made inputs: defects found by running each item of the
//! issue through the CLI, one test per fix.

use serde_json::{Value, json};

use crate::util::{ecr_push, iamlint};

/// A policy of `n` statements, pretty-printed (about 90 characters each without whitespace).
fn statements(n: usize, tag: &str) -> Value {
    let st: Vec<Value> = (0..n)
        .map(|i| {
            json!({"Sid": format!("{tag}{i}"), "Effect": "Allow", "Action": "s3:GetObject",
                "Resource": format!("arn:aws:s3:::bucket-{i:04}/*")})
        })
        .collect();
    json!({"Version": "2012-10-17", "Statement": st})
}

/// Characters without whitespace, as IAM counts a policy's size.
fn size(v: &Value) -> usize {
    serde_json::to_string(v)
        .unwrap()
        .chars()
        .filter(|c| !c.is_whitespace())
        .count()
}

/// `lint --format json` of a file: (exit code, (code, message) of each finding).
fn lint_json(path: &std::path::Path, extra: &[&str]) -> (i32, Vec<(String, String)>) {
    let out = iamlint()
        .arg("lint")
        .args(extra)
        .args(["--format", "json", "--fail-on", "error"])
        .arg(path)
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let f = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    (out.status.code().unwrap(), f)
}

/// Issue 9 part 3: an account dump holds the AWS managed policies attached in the account
/// (`ReadOnlyAccess` has about 90,000 characters); they are AWS's, not bound by the quota
/// of customers' managed policies, so a dump of any account using one was an error. A
/// customer managed policy of the same size still is.
#[test]
fn dump_aws_managed_policy_is_not_over_a_customer_quota() {
    let big = statements(80, "S");
    assert!(size(&big) > 6144);
    let version = json!([{"Document": big, "VersionId": "v1", "IsDefaultVersion": true}]);
    let policy = |arn: &str, name: &str| {
        json!({"PolicyName": name, "PolicyId": "ANPA0000000000000001", "Arn": arn, "Path": "/",
            "DefaultVersionId": "v1", "AttachmentCount": 1, "IsAttachable": true,
            "PolicyVersionList": version})
    };
    let dump = json!({
        "UserDetailList": [], "GroupDetailList": [],
        "RoleDetailList": [{"RoleName": "r", "RoleId": "AROA0000000000000001", "Path": "/",
            "Arn": "arn:aws:iam::123456789012:role/r", "RolePolicyList": [],
            "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
            "AttachedManagedPolicies": [
                {"PolicyName": "ReadOnlyAccess", "PolicyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"},
                {"PolicyName": "mine", "PolicyArn": "arn:aws:iam::123456789012:policy/mine"}]}],
        "Policies": [policy("arn:aws:iam::aws:policy/ReadOnlyAccess", "ReadOnlyAccess"),
            policy("arn:aws:iam::123456789012:policy/mine", "mine")]
    });
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("account.json");
    std::fs::write(&path, serde_json::to_string_pretty(&dump).unwrap()).unwrap();
    let (code, f) = lint_json(&path, &[]);
    let large: Vec<&String> = f
        .iter()
        .filter(|(c, _)| c == "policy-too-large")
        .map(|(_, m)| m)
        .collect();
    assert_eq!(large.len(), 1, "{large:?}");
    assert!(
        large[0].contains("arn:aws:iam::123456789012:policy/mine"),
        "{}",
        large[0]
    );
    assert_eq!(code, 1);
}

#[test]
fn aws_managed_arns_in_every_partition() {
    use iamlint::check::quota::is_aws_managed;
    for a in [
        "arn:aws:iam::aws:policy/ReadOnlyAccess",
        "arn:aws-cn:iam::aws:policy/ReadOnlyAccess",
        "arn:aws-us-gov:iam::aws:policy/job-function/ViewOnlyAccess",
    ] {
        assert!(is_aws_managed(a), "{a}");
    }
    for a in [
        "arn:aws:iam::123456789012:policy/aws",
        "arn:aws:iam::aws:role/x",
        "policy.json",
        "",
    ] {
        assert!(!is_aws_managed(a), "{a}");
    }
}

/// Issue 9 part 3, live IAM: a role's inline policy of 8,000 characters is within the
/// role's 10,240 for its inline policies, but was read like a plain file, as a managed
/// policy over 6,144 (a warning). Live IAM says what each document is: the role's inline
/// policies are measured together, a customer managed policy against the managed quota as
/// an error, an AWS managed policy not at all.
#[test]
fn live_documents_are_measured_as_what_iam_holds() {
    let s = crate::live::Server::moto();
    let iam = s.admin();
    let inline = statements(85, "I");
    assert!(size(&inline) > 6144 && size(&inline) < 10240);
    let managed = statements(80, "M");
    assert!(size(&managed) > 6144);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let trust = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]});
    rt.block_on(async {
        for role in ["small", "large"] {
            iam.create_role()
                .role_name(role)
                .assume_role_policy_document(trust.to_string())
                .send()
                .await
                .unwrap();
            iam.attach_role_policy()
                .role_name(role)
                .policy_arn("arn:aws:iam::aws:policy/ReadOnlyAccess")
                .send()
                .await
                .unwrap();
        }
        iam.put_role_policy()
            .role_name("small")
            .policy_name("one")
            .policy_document(inline.to_string())
            .send()
            .await
            .unwrap();
        for name in ["one", "two"] {
            iam.put_role_policy()
                .role_name("large")
                .policy_name(name)
                .policy_document(inline.to_string())
                .send()
                .await
                .unwrap();
        }
        let arn = iam
            .create_policy()
            .policy_name("mine")
            .policy_document(managed.to_string())
            .send()
            .await
            .unwrap()
            .policy
            .unwrap()
            .arn
            .unwrap();
        iam.attach_role_policy()
            .role_name("large")
            .policy_arn(arn)
            .send()
            .await
            .unwrap();
    });
    let run = |role: &str| {
        let out = s
            .iamlint()
            .args(["lint", "--format", "json", "--role", role])
            .args(s.endpoint())
            .output()
            .unwrap();
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        let f: Vec<(String, String, String)> = v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["code"] == "policy-too-large")
            .map(|f| {
                (
                    f["severity"].as_str().unwrap().to_string(),
                    f["file"].as_str().unwrap().to_string(),
                    f["message"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        (out.status.code().unwrap(), f)
    };
    let (code, f) = run("small");
    assert_eq!((code, f.len()), (0, 0), "{f:?}");
    let (code, f) = run("large");
    assert_eq!(code, 1, "{f:?}");
    assert_eq!(f.len(), 2, "{f:?}");
    assert!(
        f.iter().any(|(sev, file, m)| sev == "error"
            && file == "role/large inline \"one\""
            && m.contains("inline policies of `role/large` together")
            && m.contains("10,240")),
        "{f:?}"
    );
    assert!(
        f.iter().any(|(sev, file, m)| sev == "error"
            && file == "arn:aws:iam::123456789012:policy/mine"
            && m.contains("6,144")),
        "{f:?}"
    );
}

/// Issue 9 parts 4 and 6: a conditional `Allow` of the permissions boundary is reported as
/// `conditional-deny` "allows only when <condition>". With eight required pairs on long ARNs
/// the message named three in full, and the text output's clip at about 300 characters cut
/// the condition, the one thing the finding is about. The help told the user to make sure a
/// boundary's condition "never holds", the opposite of what keeps the access.
#[test]
fn conditional_boundary_allow_keeps_its_condition_in_text_output() {
    let identity = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "ecr:*", "Resource": "*"}]});
    let boundary = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Action": "ecr:*", "Resource": "*",
        "Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}}]});
    let dump = json!({
        "UserDetailList": [{"UserName": "ci", "UserId": "AIDA0000000000000002", "Path": "/",
            "Arn": "arn:aws:iam::123456789012:user/ci", "GroupList": [],
            "UserPolicyList": [{"PolicyName": "ecr", "PolicyDocument": identity}],
            "AttachedManagedPolicies": [],
            "PermissionsBoundary": {"PermissionsBoundaryType": "Policy",
                "PermissionsBoundaryArn": "arn:aws:iam::123456789012:policy/bnd"}}],
        "GroupDetailList": [], "RoleDetailList": [],
        "Policies": [{"PolicyName": "bnd", "PolicyId": "ANPA0000000000000009", "Path": "/",
            "Arn": "arn:aws:iam::123456789012:policy/bnd", "DefaultVersionId": "v1",
            "AttachmentCount": 0, "PermissionsBoundaryUsageCount": 1, "IsAttachable": true,
            "PolicyVersionList": [{"Document": boundary, "VersionId": "v1", "IsDefaultVersion": true}]}]
    });
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("account.json");
    std::fs::write(&path, serde_json::to_string_pretty(&dump).unwrap()).unwrap();
    let out = iamlint()
        .arg("check")
        .args(ecr_push("dagster"))
        .arg("--gaad")
        .arg(&path)
        .args(["--principal", "arn:aws:iam::123456789012:user/ci"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let line = text
        .lines()
        .find(|l| l.contains("warning[conditional-deny]"))
        .unwrap_or_else(|| panic!("no conditional-deny in:\n{text}"));
    assert!(
        line.contains(r#"allows only when `{"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}`"#),
        "{line}"
    );
    assert!(line.chars().count() <= 320, "{line}");
    assert!(
        text.contains("make sure the condition always holds"),
        "{text}"
    );
}

/// Issue 9 part 6: "denied when <condition>". A negated operator was printed as
/// `StringNotEquals` `aws:RequestedRegion` = `us-east-1`, which reads as "denied when the
/// Region is us-east-1", the opposite of the policy. The condition is shown as the policy
/// writes it.
#[test]
fn negated_condition_reads_as_the_policy_writes_it() {
    let policy = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "ecr:*", "Resource": "*"},
        {"Sid": "OnlyUsEast", "Effect": "Deny", "Action": "*", "Resource": "*",
            "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["us-east-1", "us-west-2"]}}}]});
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.json");
    std::fs::write(&path, serde_json::to_string_pretty(&policy).unwrap()).unwrap();
    let out = iamlint()
        .args(["can", "ecr:GetAuthorizationToken", "--policy"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains(r#"denied by statement `OnlyUsEast`"#)
            && text.contains(
                r#"when `{"StringNotEquals": {"aws:RequestedRegion": ["us-east-1", "us-west-2"]}}`"#
            ),
        "{text}"
    );
    assert!(!text.contains("` = "), "{text}");
}

/// Issue 9 part 6: `--context` decides conditions. A misspelt key was taken as given and the
/// real key read as absent, so `--context aws:MultiFactorAuthPresnt=true` silently decided a
/// `BoolIfExists` MFA Deny as applying. A key AWS does not document is refused (exit 2) with
/// the closest one, in `can` and in `check`.
#[test]
fn misspelt_context_key_is_refused() {
    let policy = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "ecr:*", "Resource": "*"},
        {"Effect": "Deny", "Action": "ecr:*", "Resource": "*",
            "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}]});
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.json");
    std::fs::write(&path, serde_json::to_string_pretty(&policy).unwrap()).unwrap();
    let p = path.to_str().unwrap();
    let can = |ctx: &str| {
        let out = iamlint()
            .args([
                "can",
                "ecr:GetAuthorizationToken",
                "--policy",
                p,
                "--context",
                ctx,
            ])
            .output()
            .unwrap();
        (
            out.status.code().unwrap(),
            String::from_utf8(out.stdout).unwrap(),
            String::from_utf8(out.stderr).unwrap(),
        )
    };
    let (code, out, _) = can("aws:MultiFactorAuthPresent=true");
    assert_eq!(code, 0, "{out}");
    let (code, out, err) = can("aws:MultiFactorAuthPresnt=true");
    assert_eq!(code, 2, "{out}");
    assert!(
        err.contains("unknown global condition key `aws:MultiFactorAuthPresnt`; did you mean `aws:MultiFactorAuthPresent`?"),
        "{err}"
    );
    let (code, _, err) = can("ec2:InstanceTyp=t3.micro");
    assert_eq!(code, 2);
    assert!(err.contains("did you mean `ec2:InstanceType`?"), "{err}");
    // Tag keys, service keys and keys with a tag part are known.
    for ok in [
        "aws:PrincipalTag/team=a",
        "ec2:InstanceType=t3.micro",
        "aws:TagKeys=env",
    ] {
        let (code, _, err) = can(ok);
        assert_ne!(code, 2, "{ok}: {err}");
    }
    let out = iamlint()
        .arg("check")
        .args(ecr_push("dagster"))
        .args(["--policy", p, "--context", "aws:RequestedRegoin=us-east-1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("did you mean `aws:RequestedRegion`?"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
