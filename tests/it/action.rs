//! The GitHub Action's run step (`scripts/action-run`), called the way a runner calls it:
//! settings in environment variables, a clone whose `origin/main` is the PR's base, the
//! event file of a pull request, and GitHub's REST API played by a local server (no
//! network). It must write SARIF and a Markdown comment, post the comment once and update
//! it on the next run, and exit as the gate decides.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};

/// One request the fake API received.
#[derive(Debug, Clone)]
struct Req {
    method: String,
    path: String,
    auth: String,
    body: String,
}

/// GitHub's issue-comment endpoints, in memory.
#[derive(Default)]
struct Api {
    requests: Vec<Req>,
    comments: Vec<(u64, String)>,
}

fn serve(api: Arc<Mutex<Api>>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            if reader.read_line(&mut line).is_err() {
                continue;
            }
            let mut parts = line.split_whitespace();
            let method = parts.next().unwrap_or("").to_string();
            let path = parts.next().unwrap_or("").to_string();
            let (mut len, mut auth) = (0usize, String::new());
            loop {
                let mut h = String::new();
                if reader.read_line(&mut h).is_err() || h.trim().is_empty() {
                    break;
                }
                let (k, v) = h.split_once(':').unwrap_or((&h, ""));
                match k.to_ascii_lowercase().as_str() {
                    "content-length" => len = v.trim().parse().unwrap_or(0),
                    "authorization" => auth = v.trim().to_string(),
                    _ => {}
                }
            }
            let mut body = vec![0; len];
            reader.read_exact(&mut body).unwrap();
            let body = String::from_utf8(body).unwrap();
            let mut api = api.lock().unwrap();
            api.requests.push(Req {
                method: method.clone(),
                path: path.clone(),
                auth,
                body: body.clone(),
            });
            let comment_body = || -> String {
                let v: serde_json::Value = serde_json::from_str(&body).unwrap();
                v["body"].as_str().unwrap().to_string()
            };
            let (status, reply) = if method == "GET" && path.contains("/issues/7/comments") {
                // One page holds them all; page 2 is empty.
                let list: Vec<_> = if path.contains("page=1") {
                    api.comments
                        .iter()
                        .map(|(id, b)| serde_json::json!({"id": id, "body": b}))
                        .collect()
                } else {
                    Vec::new()
                };
                ("200 OK", serde_json::Value::from(list))
            } else if method == "POST" && path.ends_with("/issues/7/comments") {
                let id = 1000 + api.comments.len() as u64;
                api.comments.push((id, comment_body()));
                ("201 Created", serde_json::json!({"id": id}))
            } else if method == "PATCH" && path.contains("/issues/comments/") {
                let id: u64 = path.rsplit('/').next().unwrap().parse().unwrap();
                let b = comment_body();
                match api.comments.iter_mut().find(|(i, _)| *i == id) {
                    Some(c) => {
                        c.1 = b;
                        ("200 OK", serde_json::json!({"id": id}))
                    }
                    None => ("404 Not Found", serde_json::json!({"message": "Not Found"})),
                }
            } else {
                ("404 Not Found", serde_json::json!({"message": "Not Found"}))
            };
            let reply = reply.to_string();
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{reply}",
                reply.len()
            );
        }
    });
    url
}

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args([
            "-c",
            "init.defaultBranch=main",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?}: {out:?}");
}

const NARROW: &str = r#"{"Version":"2012-10-17","Statement":[{"Sid":"Read","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::app-bucket/*"}]}"#;
const WIDE: &str = r#"{"Version":"2012-10-17","Statement":[{"Sid":"Read","Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::app-bucket/*"}]}"#;

/// A clone whose `origin/main` holds `policies/app.json` as NARROW, on a PR branch where
/// `policies/app.json` is `head` (committed).
fn repo(head: &str) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let up = tmp.path().join("upstream");
    std::fs::create_dir_all(up.join("policies")).unwrap();
    git(&up, &["init", "-q"]);
    std::fs::write(up.join("policies/app.json"), NARROW).unwrap();
    std::fs::write(up.join("README"), "not a policy\n").unwrap();
    git(&up, &["add", "."]);
    git(&up, &["commit", "-qm", "base"]);
    git(tmp.path(), &["clone", "-q", "upstream", "work"]);
    let work = tmp.path().join("work");
    git(&work, &["checkout", "-qb", "pr"]);
    std::fs::write(work.join("policies/app.json"), head).unwrap();
    git(&work, &["commit", "-qam", "head", "--allow-empty"]);
    let event = tmp.path().join("event.json");
    std::fs::write(&event, r#"{"pull_request": {"number": 7}}"#).unwrap();
    (tmp, work)
}

/// Run the action's script in `work` as a runner would; returns (exit code, stderr+stdout).
fn run(tmp: &Path, work: &Path, api: &str) -> (i32, String) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/action-run");
    let runner_temp = tmp.join("runner");
    std::fs::create_dir_all(&runner_temp).unwrap();
    let out = Command::new("bash")
        .arg(script)
        .current_dir(work)
        .env("IAMLINT", env!("CARGO_BIN_EXE_iamlint"))
        .env("IAMLINT_PATHS", "policies")
        .env("GITHUB_BASE_REF", "main")
        .env("GITHUB_EVENT_PATH", tmp.join("event.json"))
        .env("GITHUB_TOKEN", "test-token")
        .env("GITHUB_API_URL", api)
        .env("GITHUB_REPOSITORY", "acme/infra")
        .env("RUNNER_TEMP", &runner_temp)
        .env("GITHUB_STEP_SUMMARY", tmp.join("summary.md"))
        .env("GITHUB_OUTPUT", tmp.join("output.txt"))
        .env_remove("IAMLINT_BASE")
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

#[test]
fn new_access_fails_the_gate_and_one_comment_is_kept_up_to_date() {
    let api = Arc::new(Mutex::new(Api::default()));
    let url = serve(api.clone());
    let (tmp, work) = repo(WIDE);
    let (code, out) = run(tmp.path(), &work, &url);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("commented on #7"), "{out}");

    let reports = tmp.path().join("runner/iamlint");
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(reports.join("iamlint.sarif")).unwrap())
            .unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    let comment = std::fs::read_to_string(reports.join("comment.md")).unwrap();
    assert!(comment.starts_with("<!-- iamlint-comment -->"), "{comment}");
    assert!(comment.contains("s3:PutObject"), "{comment}");
    let outputs = std::fs::read_to_string(tmp.path().join("output.txt")).unwrap();
    assert!(outputs.contains("exit-code=1"), "{outputs}");
    assert!(
        std::fs::read_to_string(tmp.path().join("summary.md"))
            .unwrap()
            .contains("s3:PutObject")
    );

    {
        let api = api.lock().unwrap();
        assert_eq!(api.comments.len(), 1);
        assert!(api.comments[0].1.contains("s3:PutObject"));
        let post = api.requests.iter().find(|r| r.method == "POST").unwrap();
        assert_eq!(post.path, "/repos/acme/infra/issues/7/comments");
        assert_eq!(post.auth, "Bearer test-token");
        assert!(
            post.body
                .starts_with(r#"{"body":"<!-- iamlint-comment -->"#),
            "{}",
            post.body
        );
    }

    // The next push takes the widening back: the same comment is updated, none is added.
    std::fs::write(work.join("policies/app.json"), NARROW).unwrap();
    git(&work, &["commit", "-qam", "narrow"]);
    let (code, out) = run(tmp.path(), &work, &url);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("updated comment 1000 on #7"), "{out}");
    let api = api.lock().unwrap();
    assert_eq!(api.comments.len(), 1, "{:?}", api.comments);
    assert!(
        !api.comments[0].1.contains("s3:PutObject"),
        "{}",
        api.comments[0].1
    );
    assert!(api.requests.iter().any(|r| r.method == "PATCH"));
}

#[test]
fn a_policy_that_no_longer_reads_never_passes() {
    let api = Arc::new(Mutex::new(Api::default()));
    let url = serve(api);
    let (tmp, work) = repo(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","#);
    let (code, out) = run(tmp.path(), &work, &url);
    assert_eq!(code, 2, "{out}");
}

#[test]
fn a_base_that_is_not_a_commit_is_an_error() {
    let (tmp, work) = repo(NARROW);
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/action-run");
    let out = Command::new("bash")
        .arg(script)
        .current_dir(&work)
        .env("IAMLINT", env!("CARGO_BIN_EXE_iamlint"))
        .env("IAMLINT_BASE", "no-such-ref")
        .env("RUNNER_TEMP", tmp.path())
        .env_remove("GITHUB_BASE_REF")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("`no-such-ref` is not a commit"));
}
