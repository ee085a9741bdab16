//! Many accounts against moto's server, which implements Organizations and STS AssumeRole
//! with one IAM per account: `fetch gaad --org|--accounts --role-name --shard` reads each
//! account through the role assumed in it, writes one dump per account, and never passes an
//! account it could not read.

use std::path::Path;

use aws_sdk_iam::config::{BehaviorVersion, Credentials, Region};

use crate::live::Server;

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// Clients of the server signing with `creds`.
macro_rules! client {
    ($sdk:ident, $s:expr, $creds:expr) => {
        $sdk::Client::from_conf(
            $sdk::Config::builder()
                .behavior_version(BehaviorVersion::latest())
                .region(Region::new("us-east-1"))
                .endpoint_url(&$s.url)
                .credentials_provider($creds)
                .build(),
        )
    };
}

const READ_IAM: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:Get*","iam:List*"],"Resource":"*"}]}"#;

/// An organization of three member accounts (`a`, `b`, `c`), each holding a role
/// `iamlint-audit` that can read IAM and a user `only-in-NAME`. Returns the member ids.
pub(crate) fn organization(s: &Server) -> Vec<(String, String)> {
    let admin = Credentials::new("testing", "testing", None, None, "t");
    rt().block_on(async {
        let orgs = client!(aws_sdk_organizations, s, admin.clone());
        orgs.create_organization()
            .feature_set(aws_sdk_organizations::types::OrganizationFeatureSet::All)
            .send()
            .await
            .unwrap();
        let mut ids = Vec::new();
        for name in ["a", "b", "c"] {
            let out = orgs
                .create_account()
                .account_name(name)
                .email(format!("{name}@example.com"))
                .send()
                .await
                .unwrap();
            let id = out.create_account_status().unwrap().account_id().unwrap().to_string();
            // Set the account up as its own administrator.
            let sts = client!(aws_sdk_sts, s, admin.clone());
            let c = sts
                .assume_role()
                .role_arn(format!("arn:aws:iam::{id}:role/OrganizationAccountAccessRole"))
                .role_session_name("setup")
                .send()
                .await
                .unwrap();
            let c = c.credentials().unwrap();
            let member = client!(
                aws_sdk_iam,
                s,
                Credentials::new(
                    c.access_key_id(),
                    c.secret_access_key(),
                    Some(c.session_token().to_string()),
                    None,
                    "t",
                )
            );
            member
                .create_role()
                .role_name("iamlint-audit")
                .assume_role_policy_document(format!(
                    r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{}:root"}},"Action":"sts:AssumeRole"}}]}}"#,
                    s.account
                ))
                .send()
                .await
                .unwrap();
            member
                .put_role_policy()
                .role_name("iamlint-audit")
                .policy_name("read")
                .policy_document(READ_IAM)
                .send()
                .await
                .unwrap();
            member
                .create_user()
                .user_name(format!("only-in-{name}"))
                .send()
                .await
                .unwrap();
            ids.push((name.to_string(), id));
        }
        ids
    })
}

fn users_of(dir: &Path, id: &str) -> Vec<String> {
    let text = std::fs::read_to_string(dir.join(format!("{id}.json"))).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v["UserDetailList"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["UserName"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn org_reads_every_account_through_the_assumed_role_and_shards_split_them() {
    let s = Server::moto();
    let members = organization(&s);
    let dir = tempfile::tempdir().unwrap();
    let out = s
        .iamlint()
        .args([
            "fetch",
            "gaad",
            "--org",
            "--role-name",
            "iamlint-audit",
            "--out-dir",
        ])
        .arg(dir.path())
        .args(s.endpoint())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    // The management account and the three members.
    assert!(err.contains("4 of 4 accounts read (shard 1/1)"), "{err}");
    for (name, id) in &members {
        // Each dump is its own account's: the user made there, and no other member's.
        let users = users_of(dir.path(), id);
        assert_eq!(users, [format!("only-in-{name}")], "{id}: {users:?}");
    }

    // Two shards are disjoint and together read every account.
    let mut seen = Vec::new();
    for k in ["1/2", "2/2"] {
        let d = tempfile::tempdir().unwrap();
        let out = s
            .iamlint()
            .args([
                "fetch",
                "gaad",
                "--org",
                "--role-name",
                "iamlint-audit",
                "--shard",
                k,
            ])
            .arg("--out-dir")
            .arg(d.path())
            .args(s.endpoint())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{out:?}");
        let names: Vec<String> = std::fs::read_dir(d.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names.len(), 2, "{k}: {names:?}");
        seen.extend(names);
    }
    seen.sort();
    let mut all: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    all.sort();
    assert_eq!(seen, all);
}

#[test]
fn a_refused_assume_role_fails_the_run_and_names_the_account() {
    let s = Server::moto();
    let members = organization(&s);
    let (a, c) = (&members[0].1, &members[2].1);
    // An auditor that may assume the role in every account but `c`.
    let key = rt().block_on(async {
        let iam = s.admin();
        iam.create_user().user_name("auditor").send().await.unwrap();
        iam.put_user_policy()
            .user_name("auditor")
            .policy_name("audit")
            .policy_document(format!(
                r#"{{"Version":"2012-10-17","Statement":[
                    {{"Effect":"Allow","Action":["sts:AssumeRole","organizations:ListAccounts"],"Resource":"*"}},
                    {{"Effect":"Deny","Action":"sts:AssumeRole","Resource":"arn:aws:iam::{c}:role/iamlint-audit"}}]}}"#
            ))
            .send()
            .await
            .unwrap();
        let k = iam.create_access_key().user_name("auditor").send().await.unwrap();
        let k = k.access_key().unwrap();
        (k.access_key_id().to_string(), k.secret_access_key().to_string())
    });
    s.enforce_auth();
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("accounts.txt");
    std::fs::write(&list, format!("# the members\n{a} a\n{c} c\n")).unwrap();
    let out_dir = dir.path().join("dumps");
    let out = s
        .iamlint_as(&key.0, &key.1)
        .args([
            "fetch",
            "gaad",
            "--role-name",
            "iamlint-audit",
            "--accounts",
        ])
        .arg(&list)
        .arg("--out-dir")
        .arg(&out_dir)
        .args(s.endpoint())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains(&format!(
            "error: account {c} (c) not read: account {c}: sts:AssumeRole was refused"
        )),
        "{err}"
    );
    assert!(err.contains("1 of 2 accounts read"), "{err}");
    // The account read has its dump; the refused one has none, rather than an empty one.
    assert_eq!(users_of(&out_dir, a), ["only-in-a"]);
    assert!(!out_dir.join(format!("{c}.json")).exists());
}

#[test]
fn a_bad_accounts_file_is_an_error_at_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("accounts.txt");
    std::fs::write(&list, "111122223333\n  1234 short\n").unwrap();
    let out = crate::util::iamlint()
        .args(["fetch", "gaad", "--role-name", "r", "--accounts"])
        .arg(&list)
        .args(["--out-dir", "/nonexistent/never-written"])
        .args(["--endpoint-url", "http://127.0.0.1:9"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!(
            "{}:2:3: `1234` is not a 12-digit AWS account id",
            list.display()
        )),
        "{err}"
    );
}
