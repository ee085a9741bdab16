//! Issue 12, parts 6 and `audit --live`: the accounts `iamlint audit` reads live, against
//! moto's server on 127.0.0.1 (it implements IAM, STS AssumeRole and Organizations, one IAM
//! per account). `--live` audits the caller's account; `--org`/`--accounts` with
//! `--role-name` audit each account through the role assumed in it, one `--shard` of them;
//! an account that cannot be read whole is named with the reason, never audited as clean,
//! and the run exits 2.

use aws_sdk_iam::config::{BehaviorVersion, Credentials, Region};

use crate::live::Server;
use crate::org::organization;

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// A data-exfiltration risk: every secret's value.
const SECRETS: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"secretsmanager:GetSecretValue","Resource":"*"}]}"#;

/// What `audit` printed, both streams, and its exit code.
fn audit(cmd: &mut assert_cmd::Command) -> (i32, String, String) {
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The lines that report `code` for `principal`.
fn risk_lines<'a>(out: &'a str, code: &str, principal: &str) -> Vec<&'a str> {
    let code = format!("[{code}]: ");
    let principal = format!("`{principal}`");
    out.lines()
        .filter(|l| l.contains(&code) && l.contains(&principal))
        .collect()
}

/// A user `name` allowed every secret's value, in the account `iam` manages.
async fn plant(iam: &aws_sdk_iam::Client, name: &str) {
    iam.create_user().user_name(name).send().await.unwrap();
    iam.put_user_policy()
        .user_name(name)
        .policy_name("secrets")
        .policy_document(SECRETS)
        .send()
        .await
        .unwrap();
}

/// An IAM client of member account `id`, through the role Organizations made in it.
async fn member_iam(s: &Server, id: &str) -> aws_sdk_iam::Client {
    let admin = Credentials::new("testing", "testing", None, None, "t");
    let sts = aws_sdk_sts::Client::from_conf(
        aws_sdk_sts::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .endpoint_url(&s.url)
            .credentials_provider(admin)
            .build(),
    );
    let out = sts
        .assume_role()
        .role_arn(format!(
            "arn:aws:iam::{id}:role/OrganizationAccountAccessRole"
        ))
        .role_session_name("setup")
        .send()
        .await
        .unwrap();
    let c = out.credentials().unwrap();
    aws_sdk_iam::Client::from_conf(
        aws_sdk_iam::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .endpoint_url(&s.url)
            .credentials_provider(Credentials::new(
                c.access_key_id(),
                c.secret_access_key(),
                Some(c.session_token().to_string()),
                None,
                "t",
            ))
            .build(),
    )
}

/// An access key of a new user `name` of the server's account, allowed `policy`.
async fn user_key(iam: &aws_sdk_iam::Client, name: &str, policy: &str) -> (String, String) {
    iam.create_user().user_name(name).send().await.unwrap();
    iam.put_user_policy()
        .user_name(name)
        .policy_name("p")
        .policy_document(policy)
        .send()
        .await
        .unwrap();
    let k = iam
        .create_access_key()
        .user_name(name)
        .send()
        .await
        .unwrap();
    let k = k.access_key().unwrap();
    (
        k.access_key_id().to_string(),
        k.secret_access_key().to_string(),
    )
}

/// The auditing role in the management account too (the organization's members have it),
/// and a planted risk in every account: `user/risky-in-NAME` (`mgmt` for the management).
async fn plant_everywhere(s: &Server, members: &[(String, String)]) {
    let iam = s.admin();
    // Naming `user/auditor` too: moto matches a same-account trust policy against the
    // caller's ARN itself, where IAM lets `:root` defer to the caller's own policies.
    iam.create_role()
        .role_name("iamlint-audit")
        .assume_role_policy_document(format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":["arn:aws:iam::{0}:root","arn:aws:iam::{0}:user/auditor"]}},"Action":"sts:AssumeRole"}}]}}"#,
            s.account
        ))
        .send()
        .await
        .unwrap();
    iam.put_role_policy()
        .role_name("iamlint-audit")
        .policy_name("read")
        .policy_document(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:Get*","iam:List*"],"Resource":"*"}]}"#,
        )
        .send()
        .await
        .unwrap();
    plant(&iam, "risky-in-mgmt").await;
    for (name, id) in members {
        plant(&member_iam(s, id).await, &format!("risky-in-{name}")).await;
    }
}

/// `audit --live` reads the caller's account through the SDK and finds the risk planted in
/// it; a caller refused `GetAccountAuthorizationDetails` gets no audit of a partial account
/// but an error naming the call, and exit 2.
#[test]
fn live_audits_the_callers_account_and_a_refused_read_is_not_clean() {
    let s = Server::moto();
    let iam = s.admin();
    let (key, secret) = rt().block_on(async {
        plant(&iam, "leaky").await;
        // A near miss: the same action on one secret only.
        iam.create_user().user_name("careful").send().await.unwrap();
        iam.put_user_policy()
            .user_name("careful")
            .policy_name("one-secret")
            .policy_document(SECRETS.replace(
                r#""Resource":"*""#,
                r#""Resource":"arn:aws:secretsmanager:us-east-1:123456789012:secret:app-AbCdEf""#,
            ))
            .send()
            .await
            .unwrap();
        user_key(
            &iam,
            "auditor",
            r#"{"Version":"2012-10-17","Statement":[
                {"Effect":"Allow","Action":["iam:Get*","iam:List*","sts:GetCallerIdentity"],"Resource":"*"},
                {"Effect":"Deny","Action":"iam:GetAccountAuthorizationDetails","Resource":"*"}]}"#,
        )
        .await
    });

    let (code, out, err) = audit(
        s.iamlint()
            .args(["audit", "--live", "--fail-on", "warning"])
            .args(s.endpoint()),
    );
    assert_eq!(code, 1, "{out}{err}");
    let leaky = risk_lines(&out, "data-exfiltration", "user/leaky");
    assert_eq!(leaky.len(), 1, "{out}{err}");
    // The position is in the account read live, named by its id.
    assert!(leaky[0].starts_with("live:123456789012:"), "{out}");
    assert!(
        risk_lines(&out, "data-exfiltration", "user/careful").is_empty(),
        "{out}"
    );
    assert!(err.contains("caller: arn:aws:"), "{err}");

    // The same account, the dump refused: exit 2, the call named, no account passed as read.
    s.enforce_auth();
    let (code, out, err) = audit(
        s.iamlint_as(&key, &secret)
            .args(["audit", "--live"])
            .args(s.endpoint()),
    );
    assert_eq!(code, 2, "{out}{err}");
    // The error is the report's, on stdout with the findings.
    assert!(
        out.contains("error: live:123456789012: account: iam:GetAccountAuthorizationDetails was refused (AccessDenied)"),
        "{out}"
    );
    assert!(out.contains("the account is not audited"), "{out}");
    assert!(!out.contains("user/leaky"), "{out}");
    assert!(!format!("{out}{err}").contains(&secret));
}

/// `--org --role-name` audits every account of the organization through the role; two
/// shards split them (each account in exactly one); `--accounts FILE` audits those listed.
#[test]
fn org_audits_every_account_and_shards_split_them() {
    let s = Server::moto();
    let members = organization(&s);
    rt().block_on(plant_everywhere(&s, &members));
    let mut all: Vec<(String, String)> = members.clone();
    all.push(("mgmt".into(), s.account.to_string()));

    // The organization (the management account and three members) in two shards: each
    // account audited in exactly one, through its own dump.
    let mut seen = Vec::new();
    for (k, parallel) in [("1/2", "1"), ("2/2", "4")] {
        let (code, out, err) = audit(
            s.iamlint()
                .args([
                    "audit",
                    "--org",
                    "--role-name",
                    "iamlint-audit",
                    "--shard",
                    k,
                    "--fail-on",
                    "warning",
                ])
                .args(["--parallel-accounts", parallel])
                .args(s.endpoint()),
        );
        assert_eq!(code, 1, "{k}: {out}{err}");
        assert!(
            err.contains(&format!("2 of 2 accounts read (shard {k})")),
            "{err}"
        );
        let mut here = Vec::new();
        for (name, id) in &all {
            let lines = risk_lines(&out, "data-exfiltration", &format!("user/risky-in-{name}"));
            if let Some(line) = lines.first() {
                // The account's own risk, located in that account's dump.
                assert_eq!(lines.len(), 1, "{k}: {out}");
                assert!(line.starts_with(&format!("live:{id}:")), "{k}: {out}");
                here.push(name.as_str());
            }
        }
        assert_eq!(here.len(), 2, "{k}: {out}");
        seen.extend(here);
    }
    seen.sort();
    let mut names: Vec<&str> = all.iter().map(|(n, _)| n.as_str()).collect();
    names.sort();
    assert_eq!(seen, names);

    // --accounts FILE: those listed, and only those.
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("accounts.txt");
    let (a, b) = (&members[0].1, &members[1].1);
    std::fs::write(&list, format!("{a} a # first\n\n{b}\n")).unwrap();
    let (code, out, err) = audit(
        s.iamlint()
            .args([
                "audit",
                "--fail-on",
                "warning",
                "--role-name",
                "iamlint-audit",
            ])
            .arg("--accounts")
            .arg(&list)
            .args(s.endpoint()),
    );
    assert_eq!(code, 1, "{out}{err}");
    assert!(err.contains("2 of 2 accounts read"), "{err}");
    assert_eq!(
        risk_lines(&out, "data-exfiltration", "user/risky-in-a").len(),
        1
    );
    assert_eq!(
        risk_lines(&out, "data-exfiltration", "user/risky-in-b").len(),
        1
    );
    assert!(
        !out.contains("risky-in-c") && !out.contains("risky-in-mgmt"),
        "{out}"
    );
}

/// An account whose role cannot be assumed is named with the reason; the others are still
/// audited; the run exits 2 (never 1 or 0, as if the refused account were read and clean).
#[test]
fn a_refused_assume_role_is_that_accounts_error_and_the_others_are_audited() {
    let s = Server::moto();
    let members = organization(&s);
    let c = members[2].1.clone();
    let (key, secret) = rt().block_on(async {
        plant_everywhere(&s, &members).await;
        user_key(
            &s.admin(),
            "auditor",
            &format!(
                r#"{{"Version":"2012-10-17","Statement":[
                    {{"Effect":"Allow","Action":["sts:AssumeRole","sts:GetCallerIdentity","organizations:ListAccounts"],"Resource":"*"}},
                    {{"Effect":"Deny","Action":"sts:AssumeRole","Resource":"arn:aws:iam::{c}:role/iamlint-audit"}}]}}"#
            ),
        )
        .await
    });
    s.enforce_auth();
    let (code, out, err) = audit(
        s.iamlint_as(&key, &secret)
            .args(["audit", "--org", "--role-name", "iamlint-audit"])
            .args(s.endpoint()),
    );
    assert_eq!(code, 2, "{out}{err}");
    assert!(
        out.contains(&format!(
            "error: live:{c}: account {c} (c): sts:AssumeRole was refused (AccessDenied): arn:aws:iam::{c}:role/iamlint-audit"
        )),
        "{out}"
    );
    // The management account and the members a and b read; c not.
    assert!(err.contains("3 of 4 accounts read (shard 1/1)"), "{err}");
    assert_eq!(
        risk_lines(&out, "data-exfiltration", "user/risky-in-a").len(),
        1,
        "{out}"
    );
    assert_eq!(
        risk_lines(&out, "data-exfiltration", "user/risky-in-b").len(),
        1,
        "{out}"
    );
    assert_eq!(
        risk_lines(&out, "data-exfiltration", "user/risky-in-mgmt").len(),
        1,
        "{out}"
    );
    assert!(!out.contains("risky-in-c"), "{out}");
    // The refused account is not counted as audited anywhere: no finding is located in it.
    assert!(
        !out.lines().any(|l| l.starts_with(&format!("live:{c}:"))),
        "{out}"
    );
}

/// The sources are exclusive and one is required; connection and account options without a
/// live source are refused rather than ignored. No server: each fails before any call.
#[test]
fn sources_are_exclusive_and_required() {
    for (args, says) in [
        (
            &["audit"][..],
            "the following required arguments were not provided",
        ),
        (
            &["audit", "fixtures/audit/account.json", "--live"],
            "cannot be used with '--live'",
        ),
        (
            &["audit", "--org", "--accounts", "a.txt", "--role-name", "r"],
            "'--org' cannot be used with '--accounts <FILE>'",
        ),
        (
            &["audit", "--org"],
            "the following required arguments were not provided:\n  --role-name <NAME>",
        ),
        (
            &["audit", "fixtures/audit/account.json", "--profile", "prod"],
            "--profile, --region and --endpoint-url read accounts live",
        ),
        (
            &["audit", "--live", "--role-name", "r"],
            "--role-name and --shard apply to many accounts",
        ),
        (
            &["audit", "fixtures/audit/account.json", "--shard", "1/2"],
            "--role-name and --shard apply to many accounts",
        ),
    ] {
        let (code, out, err) = crate::util::run(args);
        assert_eq!(code, 2, "{args:?}: {out}{err}");
        assert!(err.contains(says), "{args:?}: {err}");
        assert!(out.is_empty(), "{args:?}: {out}");
    }
}
