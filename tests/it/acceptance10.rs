//! Issue 10 acceptance: behaviours found missing or wrong when the issue was re-run item by
//! item through the CLI with hand-made inputs.

use crate::util::{check_ecr_push, iamlint};

/// Run the binary with `args` in `dir`: (exit code, stdout, stderr).
fn run_in<S: AsRef<std::ffi::OsStr>>(dir: &std::path::Path, args: &[S]) -> (i32, String, String) {
    crate::util::outcome(iamlint().current_dir(dir).args(args))
}

const ALLOW: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr:*","Resource":"*"}]}"#;

fn user(doc: &str) -> String {
    format!(
        r#"{{"UserName":"u1","Arn":"arn:aws:iam::123456789012:user/u1","GroupList":[],
            "AttachedManagedPolicies":[],"UserPolicyList":[{{"PolicyName":"p","PolicyDocument":{doc}}}]}}"#
    )
}

/// `UserDetailList` twice, the principal only in the first: the reader keeps one list, so
/// the principal's entry is unread. `check` must name the list given twice (located), not
/// claim the principal is not in the dump.
#[test]
fn principal_in_a_list_given_twice_is_an_unread_part() {
    let dir = tempfile::tempdir().unwrap();
    let dump = format!(
        "{{\"UserDetailList\": [{}],\n \"UserDetailList\": [],\n \"GroupDetailList\": [], \"RoleDetailList\": [], \"Policies\": []}}",
        user(ALLOW)
    );
    std::fs::write(dir.path().join("dump.json"), dump).unwrap();
    let (code, out, err) = run_in(
        dir.path(),
        &check_ecr_push(
            "r",
            &[
                "--gaad",
                "dump.json",
                "--principal",
                "arn:aws:iam::123456789012:user/u1",
            ],
        ),
    );
    let all = format!("{out}{err}");
    assert_eq!(code, 2, "{all}");
    assert!(
        all.contains(
            "dump.json:3:2: the key `UserDetailList` is given twice at the top of the dump"
        ),
        "{all}"
    );
    assert!(all.contains("arn:aws:iam::123456789012:user/u1"), "{all}");
    assert!(!all.contains("no user, group or role"), "{all}");
}

/// A rule file or a `--principal` that quotes control characters: the error line that
/// refuses it shows them escaped, never sends them to the terminal.
#[test]
fn refusal_errors_escape_control_characters() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("r.toml"),
        "id = \"rx\"\ntitle = \"t\"\nsystem = \"x\"\n[source]\ntitle = \"s\"\n[[grant]]\nactions = [\"s3:Get\\u001b[31mX\"]\nresources = [\"*\"]\n",
    )
    .unwrap();
    let (code, out, err) = run_in(dir.path(), &["render", "--rules", "r.toml"]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(
        err.contains("r.toml:7:12: unknown action `s3:Get\\x1b[31mX`"),
        "{err}"
    );
    assert!(!err.contains('\u{1b}'), "{err:?}");

    std::fs::write(
        dir.path().join("dump.json"),
        format!(
            "{{\"UserDetailList\": [{}], \"GroupDetailList\": [], \"RoleDetailList\": [], \"Policies\": []}}",
            user(ALLOW)
        ),
    )
    .unwrap();
    let (code, out, err) = run_in(
        dir.path(),
        &check_ecr_push(
            "r",
            &[
                "--gaad",
                "dump.json",
                "--principal",
                "arn:aws:iam::123456789012:user/u\u{1b}[2J\u{202e}2",
            ],
        ),
    );
    assert_eq!(code, 2, "{out}{err}");
    assert!(
        err.contains("user/u\\x1b[2J\\u{202e}2` in the dump"),
        "{err}"
    );
    assert!(
        !err.contains('\u{1b}') && !err.contains('\u{202e}'),
        "{err:?}"
    );
}

/// Plain-text outputs other than the lint report also quote the input: `rules show` of a
/// user's rule file, `can`'s deciding statement, `check`'s table of unsatisfied grants and
/// the `--suggest` diff of a dump's policy. None sends a control character to the terminal.
#[test]
fn text_outputs_escape_control_characters() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    std::fs::write(
        p.join("r.toml"),
        "id = \"ry\"\ntitle = \"t\\u001b[31mT\"\nsystem = \"x\"\nnotes = [\"n\\u001b[2Jn\"]\n\
         [source]\ntitle = \"s\\u202es\"\n[params.b]\ndescription = \"d\"\nkind = \"string\"\n\
         example = \"e\"\n[[grant]]\nsid = \"S\\u001b[31m\"\nactions = [\"s3:GetObject\"]\n\
         resources = [\"arn:aws:s3:::{b}/*\"]\nwhy = \"w\\u001bw\"\n",
    )
    .unwrap();
    std::fs::write(
        p.join("p.json"),
        r#"{"Version":"2012-10-17","Statement":[{"Sid":"A\u001b[31m","Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#,
    )
    .unwrap();
    let clean =
        |what: &str, (code, out, err): (i32, String, String), code_want: i32, shows: &str| {
            assert_eq!(code, code_want, "{what}: {out}{err}");
            assert!(
                !out.contains('\u{1b}') && !out.contains('\u{202e}'),
                "{what}: {out:?}"
            );
            assert!(out.contains(shows), "{what}: {out}");
        };
    clean(
        "rules show",
        run_in(p, &["rules", "show", "r.toml"]),
        0,
        "t\\x1b[31mT",
    );
    clean(
        "can",
        run_in(
            p,
            &[
                "can",
                "s3:GetObject",
                "arn:aws:s3:::b/k",
                "--policy",
                "p.json",
            ],
        ),
        0,
        "statement `A\\x1b[31m`",
    );
    clean(
        "check",
        run_in(
            p,
            &[
                "check",
                "--rules",
                "r.toml",
                "--param",
                "b=x\u{1b}[31m",
                "--policy",
                "p.json",
            ],
        ),
        0,
        "arn:aws:s3:::x\\x1b[31m/*",
    );
    let doc = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr:*","Resource":"*"}]}"#;
    std::fs::write(
        p.join("dump.json"),
        format!(
            r#"{{"UserDetailList": [{{"UserName":"u\u001b[31m1","Arn":"arn:aws:iam::123456789012:user/u1","GroupList":[],"AttachedManagedPolicies":[],"UserPolicyList":[{{"PolicyName":"p\u001b]0;x\u0007","PolicyDocument":{doc}}}]}}], "GroupDetailList": [], "RoleDetailList": [], "Policies": []}}"#
        ),
    )
    .unwrap();
    clean(
        "check --gaad --suggest",
        run_in(
            p,
            &check_ecr_push(
                "r",
                &[
                    "--gaad",
                    "dump.json",
                    "--principal",
                    "arn:aws:iam::123456789012:user/u1",
                    "--suggest",
                ],
            ),
        ),
        0,
        "--- user/u\\x1b[31m1 inline \"p\\x1b]0;x\\x07\"",
    );
}

/// `condition-type-mismatch` names the key's type with the right article.
#[test]
fn type_mismatch_message_reads_as_english() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("p.json"),
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*",
            "Condition":{"DateGreaterThan":{"aws:SourceIp":"2020-01-01"}}}]}"#,
    )
    .unwrap();
    let (code, out, err) = run_in(dir.path(), &["lint", "p.json"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains(
            "p.json:2:45: warning[condition-type-mismatch]: `DateGreaterThan` compares dates, but `aws:SourceIp` is an IPAddress key"
        ),
        "{out}"
    );
}

/// Standard input over the size limit is read only up to the limit: the error says it is
/// over, without claiming a size it never measured (it said "the file is 33554433 bytes"
/// for 40 MB).
#[test]
fn stdin_over_the_limit_names_no_made_up_size() {
    let big = vec![b' '; 40_000_000];
    let out = iamlint()
        .args(["lint", "-"])
        .write_stdin(big)
        .output()
        .unwrap();
    let err = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains(
            "-: standard input holds more than the 33554432 byte limit for a policy document"
        ),
        "{err}"
    );
    assert!(!err.contains("33554433"), "{err}");
}

/// A minimal IAM query-API server on 127.0.0.1 for one role `r1`: its inline policy `p1`
/// has the document `doc` (as IAM sends it, URL-encoded), `boundary` and `attached` are
/// spliced into `GetRole` and `ListAttachedRolePolicies`. It answers what moto cannot be
/// made to return: documents that do not decode, are not objects, entries without ARNs.
fn fake_iam(doc: &'static str, boundary: &'static str, attached: &'static str) -> String {
    use std::io::{BufRead, BufReader, Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(conn) = conn else { return };
            std::thread::spawn(move || {
                let mut r = BufReader::new(conn.try_clone().unwrap());
                let mut w = conn;
                loop {
                    let mut len = 0usize;
                    let mut line = String::new();
                    loop {
                        line.clear();
                        if r.read_line(&mut line).unwrap_or(0) == 0 {
                            return;
                        }
                        if line == "\r\n" {
                            break;
                        }
                        if let Some((k, v)) = line.split_once(':') {
                            if k.eq_ignore_ascii_case("content-length") {
                                len = v.trim().parse().unwrap();
                            }
                        }
                    }
                    let mut body = vec![0; len];
                    r.read_exact(&mut body).unwrap();
                    let body = String::from_utf8(body).unwrap();
                    let action = body
                        .split('&')
                        .find_map(|kv| kv.strip_prefix("Action="))
                        .unwrap_or("")
                        .to_string();
                    let inner = match action.as_str() {
                        "GetRole" => format!(
                            "<Role><Path>/</Path><RoleName>r1</RoleName><RoleId>AROAEXAMPLE</RoleId>\
                             <Arn>arn:aws:iam::123456789012:role/r1</Arn>\
                             <CreateDate>2020-01-01T00:00:00Z</CreateDate>\
                             <AssumeRolePolicyDocument>%7B%7D</AssumeRolePolicyDocument>{boundary}</Role>"
                        ),
                        "ListRolePolicies" => "<PolicyNames><member>p1</member></PolicyNames>\
                             <IsTruncated>false</IsTruncated>"
                            .to_string(),
                        "GetRolePolicy" => format!(
                            "<RoleName>r1</RoleName><PolicyName>p1</PolicyName>\
                             <PolicyDocument>{doc}</PolicyDocument>"
                        ),
                        "ListAttachedRolePolicies" => {
                            format!("{attached}<IsTruncated>false</IsTruncated>")
                        }
                        _ => String::new(),
                    };
                    let xml = format!(
                        "<{action}Response xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\">\
                         <{action}Result>{inner}</{action}Result>\
                         <ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></{action}Response>"
                    );
                    let status = if inner.is_empty() {
                        "400 Bad Request"
                    } else {
                        "200 OK"
                    };
                    let _ = write!(
                        w,
                        "HTTP/1.1 {status}\r\nContent-Type: text/xml\r\nContent-Length: {}\r\n\r\n{xml}",
                        xml.len()
                    );
                }
            });
        }
    });
    url
}

/// Issue 10 part 1, "the same rule holds for live IAM": an inline document that does not
/// URL-decode or is a number, `null` or an array, a boundary or an attached policy without
/// an ARN: `check --role` refuses (exit 2) and `lint --role` reports it (exit 2), naming the
/// role and the call. A readable role is checked as usual.
#[test]
fn live_iam_unread_parts_refuse_the_check() {
    const OK: &str = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22ecr%3A%2A%22%2C%22Resource%22%3A%22%2A%22%7D%5D%7D";
    const NONE: &str = "<AttachedPolicies/>";
    let cases: [(&str, &str, &str, Option<&str>); 7] = [
        (OK, "", NONE, None),
        (
            "%7B%22Version%ZZ",
            "",
            NONE,
            Some(
                "role/r1: iam:GetRolePolicy failed: inline policy `p1`: the document does not URL-decode",
            ),
        ),
        (
            "5",
            "",
            NONE,
            Some("inline policy `p1`: the document is a number, not a policy object"),
        ),
        (
            "null",
            "",
            NONE,
            Some("inline policy `p1`: the document is null, not a policy object"),
        ),
        (
            "%5B%5D",
            "",
            NONE,
            Some("inline policy `p1`: the document is an array, not a policy object"),
        ),
        (
            OK,
            "<PermissionsBoundary><PermissionsBoundaryType>Policy</PermissionsBoundaryType></PermissionsBoundary>",
            NONE,
            Some(
                "role/r1: iam:GetRole failed: the permissions boundary has no ARN in the response",
            ),
        ),
        (
            OK,
            "",
            "<AttachedPolicies><member><PolicyName>x</PolicyName></member></AttachedPolicies>",
            Some(
                "role/r1: iam:ListAttachedRolePolicies failed: an attached policy (`x`) has no ARN in the response",
            ),
        ),
    ];
    for (doc, boundary, attached, want) in cases {
        let url = fake_iam(doc, boundary, attached);
        for args in [
            ["lint", "--role", "r1"].map(String::from).to_vec(),
            check_ecr_push("app", &["--role", "r1"]),
        ] {
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
            let out = c
                .env("AWS_ACCESS_KEY_ID", "test")
                .env("AWS_SECRET_ACCESS_KEY", "test")
                .env("AWS_CONFIG_FILE", "/nonexistent/iamlint-test/config")
                .env(
                    "AWS_SHARED_CREDENTIALS_FILE",
                    "/nonexistent/iamlint-test/credentials",
                )
                .env("AWS_EC2_METADATA_DISABLED", "true")
                .args(&args)
                .args(["--endpoint-url", &url])
                .timeout(std::time::Duration::from_secs(120))
                .output()
                .unwrap();
            let all = format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            match want {
                None => {
                    assert_ne!(out.status.code(), Some(2), "{args:?}: {all}");
                    assert!(!all.contains("unreadable"), "{args:?}: {all}");
                }
                Some(w) => {
                    assert_eq!(out.status.code(), Some(2), "{args:?} {doc}: {all}");
                    assert!(all.contains(w), "{args:?} {doc}: {all}");
                    if args.first().is_some_and(|a| a == "check") {
                        assert!(all.contains("the check did not run"), "{all}");
                    }
                }
            }
        }
    }
}
