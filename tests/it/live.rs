//! Live IAM against real IAM endpoints on 127.0.0.1: moto's server (PyPI `moto`), and
//! `ministack` for what moto does not implement (user permissions boundaries and the policy
//! simulator). Both come from the virtualenv `scripts/test-env` makes (`.ci/run` runs it);
//! without it these tests fail and say so. Principals are created through the API with the
//! SDK, then the iamlint binary reads them with `--endpoint-url`.

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use aws_sdk_iam::config::{BehaviorVersion, Credentials, Region};
use serde_json::Value;

use crate::util::{check_ecr_push, ecr_push_in, iamlint};

const ACCOUNT: &str = "123456789012";

/// The virtualenv with moto and ministack.
fn pyenv_bin(name: &str) -> PathBuf {
    let root = std::env::var_os("IAMLINT_PYENV").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("target/pyenv"),
        PathBuf::from,
    );
    let p = root.join("bin").join(name);
    assert!(
        p.exists(),
        "{} not found: run `scripts/test-env` first (it installs moto and ministack into target/pyenv)",
        p.display()
    );
    p
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A server process on 127.0.0.1, killed on drop.
pub struct Server {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    /// Account id the server uses.
    pub account: &'static str,
}

impl Server {
    pub fn moto() -> Server {
        let port = free_port();
        let child = Command::new(pyenv_bin("moto_server"))
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .env("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        Server::wait(child, port, ACCOUNT)
    }

    pub fn ministack() -> Server {
        let port = free_port();
        let child = Command::new(pyenv_bin("ministack"))
            .env("GATEWAY_PORT", port.to_string())
            .env("MINISTACK_HOST", "127.0.0.1")
            .env("MINISTACK_ACCOUNT_ID", ACCOUNT)
            .env("SERVICES", "iam,sts")
            .env("LOG_LEVEL", "WARNING")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        Server::wait(child, port, ACCOUNT)
    }

    fn wait(mut child: Child, port: u16, account: &'static str) -> Server {
        let start = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Some(status) = child.try_wait().unwrap() {
                panic!("the test server exited with {status} before listening");
            }
            assert!(
                start.elapsed() < Duration::from_secs(60),
                "the test server did not listen within 60 s"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Server {
            child,
            url: format!("http://127.0.0.1:{port}"),
            account,
        }
    }

    /// An IAM client with the server's admin credentials, for setting up state.
    pub fn admin(&self) -> aws_sdk_iam::Client {
        self.iam_as("testing", "testing")
    }

    pub fn iam_as(&self, key: &str, secret: &str) -> aws_sdk_iam::Client {
        let conf = aws_sdk_iam::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .credentials_provider(Credentials::new(key, secret, None, None, "tests"))
            .endpoint_url(&self.url)
            .build();
        aws_sdk_iam::Client::from_conf(conf)
    }

    /// The iamlint binary, pointed at this server with the given credentials and no AWS
    /// configuration of the machine's.
    pub fn iamlint_as(&self, key: &str, secret: &str) -> assert_cmd::Command {
        let mut c = iamlint();
        for v in [
            "AWS_PROFILE",
            "AWS_DEFAULT_PROFILE",
            "AWS_SESSION_TOKEN",
            "AWS_REGION",
            "AWS_DEFAULT_REGION",
            "AWS_ENDPOINT_URL",
            "AWS_ROLE_ARN",
            "AWS_WEB_IDENTITY_TOKEN_FILE",
        ] {
            c.env_remove(v);
        }
        c.env("AWS_ACCESS_KEY_ID", key)
            .env("AWS_SECRET_ACCESS_KEY", secret)
            .env("AWS_CONFIG_FILE", "/nonexistent/iamlint-test/config")
            .env(
                "AWS_SHARED_CREDENTIALS_FILE",
                "/nonexistent/iamlint-test/credentials",
            )
            .env("AWS_EC2_METADATA_DISABLED", "true");
        c
    }

    /// `--endpoint-url URL`, given after the subcommand's other arguments.
    pub fn endpoint(&self) -> [&str; 2] {
        ["--endpoint-url", &self.url]
    }

    pub fn iamlint(&self) -> assert_cmd::Command {
        self.iamlint_as("testing", "testing")
    }

    /// `POST /moto-api/reset-auth`: from now on moto checks every request against the
    /// caller's IAM policies.
    pub fn enforce_auth(&self) {
        let port = self.url.rsplit(':').next().unwrap();
        let mut s = TcpStream::connect(("127.0.0.1", port.parse::<u16>().unwrap())).unwrap();
        use std::io::{Read, Write};
        write!(
            s,
            "POST /moto-api/reset-auth HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1\r\nConnection: close\r\n\r\n0"
        )
        .unwrap();
        let mut resp = String::new();
        s.read_to_string(&mut resp).unwrap();
        assert!(resp.starts_with("HTTP/1.1 200"), "{resp}");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn fixture(name: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("fixtures/lint/{name}/policy.json")),
    )
    .unwrap()
}

const TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;

fn small(action: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"{action}","Resource":"*"}}]}}"#
    )
}

async fn create_role(iam: &aws_sdk_iam::Client, name: &str) {
    iam.create_role()
        .role_name(name)
        .assume_role_policy_document(TRUST)
        .send()
        .await
        .unwrap();
}

async fn create_policy(iam: &aws_sdk_iam::Client, name: &str, doc: &str) -> String {
    iam.create_policy()
        .policy_name(name)
        .policy_document(doc)
        .send()
        .await
        .unwrap()
        .policy()
        .unwrap()
        .arn()
        .unwrap()
        .to_string()
}

/// What a user sees of one finding, without the file name.
fn seen(f: &Value) -> (String, String, u64, u64, String) {
    (
        f["code"].as_str().unwrap().to_string(),
        f["severity"].as_str().unwrap().to_string(),
        f["line"].as_u64().unwrap(),
        f["column"].as_u64().unwrap(),
        f["message"].as_str().unwrap().to_string(),
    )
}

fn json_of(out: &std::process::Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: stdout {} stderr {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// Lint `text` as a local file and return what the user sees, per finding.
fn lint_local(text: &str) -> Vec<(String, String, u64, u64, String)> {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("policy.json");
    std::fs::write(&p, text).unwrap();
    let out = iamlint()
        .args(["lint", "--format", "json", "--fail-on", "never"])
        .arg(&p)
        .output()
        .unwrap();
    let v = json_of(&out);
    v["findings"].as_array().unwrap().iter().map(seen).collect()
}

/// A role with inline, customer managed, AWS managed policies and a boundary: the findings
/// of `lint --role` equal those of the same documents linted as local files, and each
/// points at its origin.
#[test]
fn role_findings_equal_local_files() {
    let s = Server::moto();
    let iam = s.admin();
    let boundary_doc = small("ecr:*");
    let (customer, bnd) = rt().block_on(async {
        create_role(&iam, "skypilot-v1").await;
        for (name, doc) in [
            ("skypilot", fixture("seed-003-skypilot")),
            ("escalation", fixture("escalation")),
            ("security", fixture("security")),
        ] {
            iam.put_role_policy()
                .role_name("skypilot-v1")
                .policy_name(name)
                .policy_document(doc)
                .send()
                .await
                .unwrap();
        }
        let customer = create_policy(&iam, "dstack", &fixture("seed-001-dstack")).await;
        let bnd = create_policy(&iam, "ecr-only", &boundary_doc).await;
        for arn in [
            customer.as_str(),
            "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
        ] {
            iam.attach_role_policy()
                .role_name("skypilot-v1")
                .policy_arn(arn)
                .send()
                .await
                .unwrap();
        }
        iam.put_role_permissions_boundary()
            .role_name("skypilot-v1")
            .permissions_boundary(&bnd)
            .send()
            .await
            .unwrap();
        (customer, bnd)
    });
    // The AWS managed policy as this server holds it.
    let managed_text = rt().block_on(async {
        let arn = "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly";
        let p = iam.get_policy().policy_arn(arn).send().await.unwrap();
        let v = p
            .policy()
            .unwrap()
            .default_version_id()
            .unwrap()
            .to_string();
        let pv = iam
            .get_policy_version()
            .policy_arn(arn)
            .version_id(v)
            .send()
            .await
            .unwrap();
        iamlint::live::decode_document(pv.policy_version().unwrap().document().unwrap()).unwrap()
    });

    let out = s
        .iamlint()
        .args([
            "lint",
            "--role",
            "skypilot-v1",
            "--format",
            "json",
            "--fail-on",
            "never",
        ])
        .args(s.endpoint())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("read 1 principals, 6 policy documents"),
        "{stderr}"
    );
    let v = json_of(&out);
    let findings = v["findings"].as_array().unwrap();
    let expected: Vec<(String, String)> = vec![
        (
            "role/skypilot-v1 inline \"skypilot\"".into(),
            fixture("seed-003-skypilot"),
        ),
        (
            "role/skypilot-v1 inline \"escalation\"".into(),
            fixture("escalation"),
        ),
        (
            "role/skypilot-v1 inline \"security\"".into(),
            fixture("security"),
        ),
        (customer.clone(), fixture("seed-001-dstack")),
        (
            "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly".into(),
            managed_text,
        ),
        (format!("{bnd} (permissions boundary)"), boundary_doc),
    ];
    let mut total = 0;
    for (origin, text) in &expected {
        let live: Vec<_> = findings
            .iter()
            .filter(|f| f["file"] == origin.as_str())
            .map(seen)
            .collect();
        let local = lint_local(text);
        assert_eq!(live, local, "{origin}");
        total += live.len();
    }
    // Every finding belongs to one of the documents, and the defects are there.
    assert_eq!(total, findings.len());
    assert!(findings.iter().any(|f| f["code"] == "privilege-escalation"));
}

/// `check --role` with a boundary equals `check --gaad` on the dump `fetch gaad` wrote from
/// the same server, and the boundary caps the grants.
#[test]
fn check_role_with_boundary_equals_gaad_dump() {
    let s = Server::moto();
    let iam = s.admin();
    rt().block_on(async {
        create_role(&iam, "ecr-ci").await;
        iam.put_role_policy()
            .role_name("ecr-ci")
            .policy_name("ecr")
            .policy_document(small("ecr:*"))
            .send()
            .await
            .unwrap();
        let bnd = create_policy(
            &iam,
            "ecr-read",
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ecr:GetAuthorizationToken","ecr:BatchCheckLayerAvailability"],"Resource":"*"}]}"#,
        )
        .await;
        iam.put_role_permissions_boundary()
            .role_name("ecr-ci")
            .permissions_boundary(bnd)
            .send()
            .await
            .unwrap();
    });
    let mut rule = vec!["check".to_string()];
    rule.extend(ecr_push_in(ACCOUNT, "app"));
    rule.extend(["--format", "json"].map(String::from));
    let live = s
        .iamlint()
        .args(&rule)
        .args(["--role", "ecr-ci"])
        .args(s.endpoint())
        .output()
        .unwrap();
    assert_eq!(live.status.code(), Some(1), "{live:?}");
    let live = json_of(&live);
    let rows = live["check"]["rows"].as_array().unwrap();
    let status = |a: &str| {
        rows.iter()
            .find(|r| r["action"] == a)
            .map(|r| r["status"].as_str().unwrap().to_string())
    };
    assert_eq!(status("ecr:GetAuthorizationToken").as_deref(), Some("ok"));
    assert_eq!(status("ecr:PutImage").as_deref(), Some("boundary"));
    assert_eq!(
        live["principal"]["permissions_boundary"],
        format!("arn:aws:iam::{ACCOUNT}:policy/ecr-read (permissions boundary)")
    );

    let dump = s
        .iamlint()
        .args(["fetch", "gaad"])
        .args(s.endpoint())
        .output()
        .unwrap();
    assert_eq!(dump.status.code(), Some(0), "{dump:?}");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("account.json");
    std::fs::write(&path, &dump.stdout).unwrap();
    let d: Value = serde_json::from_slice(&dump.stdout).unwrap();
    // moto leaves PolicyName out of Policies entries: taken from the ARN.
    let pol = d["Policies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["Arn"] == format!("arn:aws:iam::{ACCOUNT}:policy/ecr-read"))
        .unwrap();
    assert_eq!(pol["PolicyName"], "ecr-read");
    assert!(pol["PolicyVersionList"][0]["Document"].is_object());

    let offline = iamlint()
        .args(&rule)
        .args(["--gaad"])
        .arg(&path)
        .args([
            "--principal",
            &format!("arn:aws:iam::{ACCOUNT}:role/ecr-ci"),
        ])
        .output()
        .unwrap();
    let offline = json_of(&offline);
    assert_eq!(live["check"]["rows"], offline["check"]["rows"]);

    // The dump lints like any file (every document of it).
    let out = iamlint()
        .args(["lint", "--format", "json", "--fail-on", "never"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
}

/// A user in two groups: own inline and attached policies, then each group's, in order; the
/// same user found through `--caller` with its own access key.
#[test]
fn user_in_several_groups_and_caller() {
    let s = Server::moto();
    let iam = s.admin();
    let (key, secret) = rt().block_on(async {
        iam.create_user()
            .user_name("ci-deployer")
            .send()
            .await
            .unwrap();
        iam.put_user_policy()
            .user_name("ci-deployer")
            .policy_name("own")
            .policy_document(small("ecr:GetAuthorizationToken"))
            .send()
            .await
            .unwrap();
        let own = create_policy(&iam, "own-managed", &small("ecr:PutImage")).await;
        iam.attach_user_policy()
            .user_name("ci-deployer")
            .policy_arn(own)
            .send()
            .await
            .unwrap();
        for (g, action) in [
            ("builders", "ecr:UploadLayerPart"),
            ("pushers", "ecr:InitiateLayerUpload"),
        ] {
            iam.create_group().group_name(g).send().await.unwrap();
            iam.add_user_to_group()
                .group_name(g)
                .user_name("ci-deployer")
                .send()
                .await
                .unwrap();
            iam.put_group_policy()
                .group_name(g)
                .policy_name(format!("{g}-inline"))
                .policy_document(small(action))
                .send()
                .await
                .unwrap();
        }
        iam.attach_group_policy()
            .group_name("pushers")
            .policy_arn("arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPowerUser")
            .send()
            .await
            .unwrap();
        let k = iam
            .create_access_key()
            .user_name("ci-deployer")
            .send()
            .await
            .unwrap();
        let k = k.access_key().unwrap();
        (
            k.access_key_id().to_string(),
            k.secret_access_key().to_string(),
        )
    });
    let mut args = vec!["check".to_string()];
    args.extend(ecr_push_in(ACCOUNT, "app"));
    args.extend(["--format", "json"].map(String::from));
    let by_name = s
        .iamlint()
        .args(&args)
        .args(["--user", "ci-deployer"])
        .args(s.endpoint())
        .output()
        .unwrap();
    let v = json_of(&by_name);
    assert_eq!(
        v["principal"]["policies"],
        serde_json::json!([
            "user/ci-deployer inline \"own\"",
            format!("arn:aws:iam::{ACCOUNT}:policy/own-managed"),
            "group/builders inline \"builders-inline\"",
            "group/pushers inline \"pushers-inline\"",
            "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPowerUser",
        ])
    );
    assert_eq!(
        v["principal"]["arn"],
        format!("arn:aws:iam::{ACCOUNT}:user/ci-deployer")
    );

    let by_caller = s
        .iamlint_as(&key, &secret)
        .args(&args)
        .arg("--caller")
        .args(s.endpoint())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&by_caller.stderr);
    assert!(
        stderr.contains(&format!(
            "caller: arn:aws:iam::{ACCOUNT}:user/ci-deployer (reading user/ci-deployer)"
        )),
        "{stderr}"
    );
    // Secrets never appear in what iamlint prints.
    assert!(!stderr.contains(&secret));
    assert!(!String::from_utf8_lossy(&by_caller.stdout).contains(&secret));
    let w = json_of(&by_caller);
    assert_eq!(v["check"], w["check"]);
    assert_eq!(v["findings"], w["findings"]);
}

/// More than 100 attached policies and more than 100 roles: every page is read.
#[test]
fn pagination_over_100_policies_and_roles() {
    let s = Server::moto();
    let iam = s.admin();
    rt().block_on(async {
        create_role(&iam, "big").await;
        for i in 0..105 {
            let arn = create_policy(&iam, &format!("p{i:03}"), &small("s3:ListAllMyBuckets")).await;
            iam.attach_role_policy()
                .role_name("big")
                .policy_arn(arn)
                .send()
                .await
                .unwrap();
        }
        for i in 0..104 {
            create_role(&iam, &format!("r{i:03}")).await;
        }
        // The server pages at 100, as IAM does: these listings take two pages.
        let page = iam.list_roles().send().await.unwrap();
        assert!(page.is_truncated());
        let page = iam
            .list_attached_role_policies()
            .role_name("big")
            .send()
            .await
            .unwrap();
        assert!(page.is_truncated());
    });
    let out = s
        .iamlint()
        .args(["lint", "--role", "*", "--format", "json"])
        .args(s.endpoint())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("read 105 principals, 105 policy documents"),
        "{stderr}"
    );
    let v = json_of(&out);
    assert_eq!(v["summary"]["documents"], 105);
}

/// A refused call is reported with the principal and the call, and exits 2: never taken as
/// "no policies".
#[test]
fn refused_call_exits_2() {
    let s = Server::moto();
    let iam = s.admin();
    let (key, secret) = rt().block_on(async {
        create_role(&iam, "target").await;
        iam.put_role_policy()
            .role_name("target")
            .policy_name("p")
            .policy_document(small("ecr:*"))
            .send()
            .await
            .unwrap();
        iam.create_user().user_name("auditor").send().await.unwrap();
        iam.put_user_policy()
            .user_name("auditor")
            .policy_name("read-but-not-attached")
            .policy_document(
                r#"{"Version":"2012-10-17","Statement":[
                    {"Effect":"Allow","Action":["iam:Get*","iam:List*"],"Resource":"*"},
                    {"Effect":"Deny","Action":"iam:ListAttachedRolePolicies","Resource":"*"}]}"#,
            )
            .send()
            .await
            .unwrap();
        let k = iam
            .create_access_key()
            .user_name("auditor")
            .send()
            .await
            .unwrap();
        let k = k.access_key().unwrap();
        (
            k.access_key_id().to_string(),
            k.secret_access_key().to_string(),
        )
    });
    s.enforce_auth();
    for args in [
        ["lint", "--role", "target"].map(String::from).to_vec(),
        check_ecr_push("app", &["--role", "target"]),
    ] {
        let out = s
            .iamlint_as(&key, &secret)
            .args(&args)
            .args(s.endpoint())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{out:?}");
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            all.contains("role/target: iam:ListAttachedRolePolicies was refused (AccessDenied)"),
            "{all}"
        );
        assert!(!all.contains(&secret));
    }
}

/// The guard refuses a write before it is sent; the server never sees it.
#[test]
fn clients_refuse_writes() {
    let s = Server::moto();
    let conf = aws_sdk_iam::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("testing", "testing", None, None, "tests"))
        .endpoint_url(&s.url)
        .interceptor(iamlint::live::guard::ReadOnly)
        .build();
    let guarded = aws_sdk_iam::Client::from_conf(conf);
    rt().block_on(async {
        let err = guarded
            .create_user()
            .user_name("intruder")
            .send()
            .await
            .unwrap_err();
        let msg = aws_sdk_iam::error::DisplayErrorContext(&err).to_string();
        assert!(
            msg.contains("iamlint is read-only: refusing to call iam:CreateUser"),
            "{msg}"
        );
        // A read goes through the same guard.
        guarded.list_roles().send().await.unwrap();
        let users = s.admin().list_users().send().await.unwrap();
        assert!(users.users().is_empty());
    });
}

/// `--simulate` where the endpoint implements the simulator (ministack): no disagreement.
/// Also a user permissions boundary, which moto does not implement.
#[test]
fn simulate_agrees_and_user_boundary_on_ministack() {
    let s = Server::ministack();
    let iam = s.admin();
    rt().block_on(async {
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
    args.extend(ecr_push_in(s.account, "app"));
    args.extend(["--user", "pusher", "--simulate"].map(String::from));
    let out = s.iamlint().args(&args).args(s.endpoint()).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(
        text.contains(
            "simulate: IAM's policy simulator agrees with iamlint on all 8 (action, resource) pairs"
        ),
        "{text}"
    );
    // A user boundary that allows only the token: PutImage is capped.
    rt().block_on(async {
        let bnd = create_policy(&iam, "token-only", &small("ecr:GetAuthorizationToken")).await;
        iam.put_user_permissions_boundary()
            .user_name("pusher")
            .permissions_boundary(bnd)
            .send()
            .await
            .unwrap();
    });
    let out = s
        .iamlint()
        .args(args)
        .args(["--format", "json"])
        .args(s.endpoint())
        .output()
        .unwrap();
    let v = json_of(&out);
    let rows = v["check"]["rows"].as_array().unwrap();
    let put = rows.iter().find(|r| r["action"] == "ecr:PutImage").unwrap();
    assert_eq!(put["status"], "boundary");
    let tok = rows
        .iter()
        .find(|r| r["action"] == "ecr:GetAuthorizationToken")
        .unwrap();
    assert_eq!(tok["status"], "ok");
    assert!(
        v["simulate"]["compared"].as_u64().unwrap() == 8,
        "{}",
        v["simulate"]
    );
}

/// Where the endpoint lacks the simulator (moto), `--simulate` says so and exits 2.
#[test]
fn simulate_missing_api_is_an_error() {
    let s = Server::moto();
    let iam = s.admin();
    rt().block_on(async {
        create_role(&iam, "r").await;
        iam.put_role_policy()
            .role_name("r")
            .policy_name("p")
            .policy_document(small("ecr:*"))
            .send()
            .await
            .unwrap();
    });
    let out = s
        .iamlint()
        .args(check_ecr_push("app", &["--role", "r", "--simulate"]))
        .args(s.endpoint())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("--simulate: role/r: iam:SimulatePrincipalPolicy failed"),
        "{text}"
    );
    assert!(
        text.contains("may not implement SimulatePrincipalPolicy"),
        "{text}"
    );
    // The check itself still ran and is shown.
    assert!(
        text.contains("`ecr-push`: 1 of 8 required grants satisfied"),
        "{text}"
    );
}

/// A proxy in front of a server that answers every `every`-th request with IAM's
/// `Throttling` error, `limit` times in all, and forwards the others.
struct Throttler {
    url: String,
    throttled: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

fn throttler(upstream: &str, every: usize, limit: usize) -> Throttler {
    use std::io::{Read, Write};
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let upstream_port: u16 = upstream.rsplit(':').next().unwrap().parse().unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen = Arc::new(AtomicUsize::new(0));
    let throttled = Arc::new(AtomicUsize::new(0));
    let t = throttled.clone();
    std::thread::spawn(move || {
        for client in listener.incoming() {
            let Ok(mut client) = client else { continue };
            let seen = seen.clone();
            let throttled = t.clone();
            std::thread::spawn(move || {
                // One request per connection: read the head and the body.
                let mut buf = Vec::new();
                let mut chunk = [0u8; 8192];
                let head_end = loop {
                    let n = client.read(&mut chunk).unwrap_or(0);
                    if n == 0 {
                        return;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                    if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                        break i + 4;
                    }
                };
                let head = String::from_utf8_lossy(&buf[..head_end]).to_ascii_lowercase();
                let len: usize = head
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length:"))
                    .map_or(0, |v| v.trim().parse().unwrap());
                while buf.len() < head_end + len {
                    let n = client.read(&mut chunk).unwrap_or(0);
                    if n == 0 {
                        return;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                }
                if seen.fetch_add(1, Ordering::SeqCst) % every == every - 1
                    && throttled
                        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |t| {
                            (t < limit).then_some(t + 1)
                        })
                        .is_ok()
                {
                    let body = "<ErrorResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>t</RequestId></ErrorResponse>";
                    let _ = write!(
                        client,
                        "HTTP/1.1 400 Bad Request\r\nContent-Type: text/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                        body.len()
                    );
                    return;
                }
                // Forward with `Connection: close` and relay the whole answer.
                let text = String::from_utf8_lossy(&buf[..head_end]).into_owned();
                let mut fwd: Vec<u8> = text
                    .split("\r\n")
                    .filter(|l| !l.to_ascii_lowercase().starts_with("connection:"))
                    .collect::<Vec<_>>()
                    .join("\r\n")
                    .trim_end()
                    .as_bytes()
                    .to_vec();
                fwd.extend_from_slice(b"\r\nConnection: close\r\n\r\n");
                fwd.extend_from_slice(&buf[head_end..]);
                let mut up = TcpStream::connect(("127.0.0.1", upstream_port)).unwrap();
                up.write_all(&fwd).unwrap();
                let mut resp = Vec::new();
                up.read_to_end(&mut resp).unwrap();
                let split = resp.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
                let rhead = String::from_utf8_lossy(&resp[..split]).into_owned();
                let mut out: Vec<u8> = rhead
                    .split("\r\n")
                    .filter(|l| !l.to_ascii_lowercase().starts_with("connection:"))
                    .collect::<Vec<_>>()
                    .join("\r\n")
                    .trim_end()
                    .as_bytes()
                    .to_vec();
                out.extend_from_slice(b"\r\nConnection: close\r\n\r\n");
                out.extend_from_slice(&resp[split..]);
                let _ = client.write_all(&out);
            });
        }
    });
    Throttler {
        url: format!("http://127.0.0.1:{port}"),
        throttled,
    }
}

/// Throttling that a retry clears is absorbed: the same findings as without it, exit 0.
/// Two throttles only: in adaptive mode the SDK's rate limiter then waits about 20 s for
/// each throttled retry (it costs 10 tokens at the minimum refill rate of 0.5 a second).
#[test]
fn throttling_is_retried_not_reported() {
    let s = Server::moto();
    let iam = s.admin();
    rt().block_on(async {
        for i in 0..20 {
            let name = format!("worker-{i:02}");
            create_role(&iam, &name).await;
            iam.put_role_policy()
                .role_name(&name)
                .policy_name("p")
                .policy_document(fixture("security"))
                .send()
                .await
                .unwrap();
        }
    });
    let args = [
        "lint",
        "--role",
        "*",
        "--format",
        "json",
        "--fail-on",
        "never",
    ];
    let direct = s.iamlint().args(args).args(s.endpoint()).output().unwrap();
    assert_eq!(direct.status.code(), Some(0), "{direct:?}");
    let proxy = throttler(&s.url, 5, 2);
    let out = s
        .iamlint()
        .args(args)
        .args(["--endpoint-url", &proxy.url])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let throttled = proxy.throttled.load(std::sync::atomic::Ordering::SeqCst);
    assert_eq!(throttled, 2, "requests throttled");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("read 20 principals, 20 policy documents"),
        "{stderr}"
    );
    assert!(!stderr.contains("Throttling"), "{stderr}");
    assert_eq!(json_of(&out)["findings"], json_of(&direct)["findings"]);
}
