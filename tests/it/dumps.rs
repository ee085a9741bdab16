//! Account dumps with parts that cannot be read (issue 10, part 1): each is a located error
//! naming the principal, `check` of an affected principal exits 2 and `lint` reports them.

use std::time::Duration;

use serde_json::{Value, json};

use crate::util::{check_ecr_push, iamlint};

const DUMP: &str = "fixtures/gaad/account.json";
const USER: &str = "arn:aws:iam::123456789012:user/ecr-ci";
const GROUP: &str = "arn:aws:iam::123456789012:group/ci";

fn fixture() -> Value {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/gaad/account.json"
    ))
    .unwrap();
    serde_json::from_str(&text).unwrap()
}

/// Run the binary with a time limit: (exit code, stdout, stderr).
fn run<S: AsRef<std::ffi::OsStr>>(args: &[S], stdin: Option<&[u8]>) -> (i32, String, String) {
    let mut c = iamlint();
    c.args(args).timeout(Duration::from_secs(60));
    if let Some(s) = stdin {
        c.write_stdin(s.to_vec());
    }
    crate::util::outcome(&mut c)
}

fn check(dump: &str, principal: &str) -> (i32, String, String) {
    run(
        &check_ecr_push("dagster", &["--gaad", dump, "--principal", principal]),
        None,
    )
}

/// The 1-based line of the last line of `text` that contains `needle`, less `back` (an
/// entry's error points at its opening brace, above its first key).
fn line_of(text: &str, needle: &str, back: usize) -> usize {
    let found = text
        .lines()
        .enumerate()
        .filter(|(_, l)| l.contains(needle))
        .last()
        .unwrap_or_else(|| panic!("`{needle}` not in the dump"));
    found.0 + 1 - back
}

/// A dump with one defect: the user's check exits 2 with the error at the line of the last
/// `marker` (less `back`), the check of an unaffected principal (the role) still runs, and
/// `lint` exits 2 with it too.
fn defect(name: &str, text: &str, at: (&str, usize), says: &str) {
    defect_with(name, text, at, says, 1);
}

/// [`defect`], where the role's check exits `role_code` (2: the defect affects everyone).
fn defect_with(name: &str, text: &str, (marker, back): (&str, usize), says: &str, role_code: i32) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dump.json");
    std::fs::write(&path, text).unwrap();
    let p = path.to_str().unwrap();
    let line = line_of(text, marker, back);
    let located = format!("{p}:{line}:");

    let (code, out, err) = check(p, USER);
    assert_eq!(code, 2, "{name}: {out}{err}");
    let error = out
        .lines()
        .find(|l| l.contains(says))
        .unwrap_or_else(|| panic!("{name}: no `{says}` in {out}{err}"));
    assert!(
        error.starts_with(&format!("error: {located}")),
        "{name}: `{error}` is not at line {line}"
    );
    assert!(
        out.contains(&format!(
            "the check did not run: the dump does not hold everything that applies to `{USER}`"
        )),
        "{name}: {out}"
    );
    assert!(!out.contains("required grants satisfied"), "{name}: {out}");

    // Another principal, untouched by the defect, is checked as before.
    let (code, out, err) = check(p, "arn:aws:iam::123456789012:role/skypilot-v1");
    assert_eq!(code, role_code, "{name}: {out}{err}");
    if role_code == 1 {
        assert!(
            out.contains("0 of 8 required grants satisfied"),
            "{name}: {out}"
        );
    }

    let (code, out, err) = run(&["lint", p], None);
    assert_eq!(code, 2, "{name}: {out}{err}");
    assert!(
        out.lines()
            .any(|l| l.starts_with(&format!("error: {located}")) && l.contains(says)),
        "{name}: {out}"
    );
    let (code, out, _) = run(&["lint", "--format", "json", p], None);
    assert_eq!(code, 2);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert!(
        v["errors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e.as_str().unwrap().contains(says)),
        "{name}: {v}"
    );
}

fn pretty(v: &Value) -> String {
    serde_json::to_string_pretty(v).unwrap()
}

/// The user's own inline policy list with one more entry.
fn with_inline(entry: Value) -> String {
    let mut v = fixture();
    v["UserDetailList"][0]["UserPolicyList"]
        .as_array_mut()
        .unwrap()
        .push(entry);
    pretty(&v)
}

#[test]
fn regression_issue_10_inline_documents_that_cannot_be_read() {
    // A Deny that would block the push, URL-encoded with one broken escape: before, it was
    // dropped and the check passed.
    let deny = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Deny%22%2C%22Action%22%3A%22ecr%3A%2A%22%2C%22Resource%22%3A%22%2A%22%7D%5D%7D%ZZ";
    defect(
        "bad URL-encoding",
        &with_inline(json!({"PolicyName": "deny-all", "PolicyDocument": deny})),
        ("%ZZ", 0),
        "user/ecr-ci inline policy `deny-all`: the document does not URL-decode: `%ZZ`",
    );
    defect(
        "decoded text not JSON",
        &with_inline(json!({"PolicyName": "deny-all", "PolicyDocument": "%7B%22Version%22"})),
        ("\"%7B%22Version%22\"", 0),
        "user/ecr-ci inline policy `deny-all`: the decoded document is not JSON",
    );
    for (doc, says) in [
        (json!(5), "the document is a number, not a policy object"),
        (Value::Null, "the document is null, not a policy object"),
        (
            json!([{"Effect": "Deny"}]),
            "the document is an array, not a policy object",
        ),
        (
            json!("%5B%5D"),
            "the decoded document is an array, not a policy object",
        ),
    ] {
        let text = with_inline(json!({"PolicyName": "deny-all", "PolicyDocument": doc}));
        // The fixture's own inline document is an object on its line; this one is the last.
        let first = pretty(&doc);
        let marker = format!("\"PolicyDocument\": {}", first.lines().next().unwrap());
        defect(
            says,
            &text,
            (&marker, 0),
            &format!("user/ecr-ci inline policy `deny-all`: {says}"),
        );
    }
    defect(
        "no PolicyDocument",
        &with_inline(json!({"PolicyName": "deny-all", "Document": {}})),
        ("\"PolicyName\": \"deny-all\"", 1),
        "user/ecr-ci inline policy `deny-all`: the entry has no `PolicyDocument`",
    );
}

#[test]
fn regression_issue_10_a_boundary_without_an_arn() {
    for (b, says) in [
        (
            json!("arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"),
            "user/ecr-ci: the permissions boundary is a string, not an object with `PermissionsBoundaryArn`",
        ),
        (
            json!({"PermissionsBoundaryType": "Policy"}),
            "user/ecr-ci: the permissions boundary is an object without `PermissionsBoundaryArn`",
        ),
    ] {
        let mut v = fixture();
        v["UserDetailList"][0]["PermissionsBoundary"] = b;
        defect(says, &pretty(&v), ("\"PermissionsBoundary\"", 0), says);
    }
}

#[test]
fn regression_issue_10_groups_and_policies_the_dump_does_not_hold() {
    let mut v = fixture();
    v["UserDetailList"][0]["GroupList"] = json!(["ci", "admins"]);
    defect(
        "group",
        &pretty(&v),
        ("\"admins\"", 0),
        "user/ecr-ci: the user is in group `admins`, which the dump does not hold",
    );

    let mut v = fixture();
    v["UserDetailList"][0]["AttachedManagedPolicies"]
        .as_array_mut()
        .unwrap()
        .push(json!({"PolicyName": "gone", "PolicyArn": "arn:aws:iam::123456789012:policy/gone"}));
    defect(
        "customer managed",
        &pretty(&v),
        ("\"PolicyName\": \"gone\"", 1),
        "user/ecr-ci: `arn:aws:iam::123456789012:policy/gone` applies to it, but the dump does not hold it",
    );

    let mut v = fixture();
    v["UserDetailList"][0]["AttachedManagedPolicies"]
        .as_array_mut()
        .unwrap()
        .push(json!({"PolicyName": "NoSuchPolicy", "PolicyArn": "arn:aws:iam::aws:policy/NoSuchPolicy"}));
    defect(
        "AWS managed",
        &pretty(&v),
        ("\"PolicyName\": \"NoSuchPolicy\"", 1),
        "neither the dump nor the embedded snapshot of AWS managed policies holds it",
    );

    // The user's group has an attached policy the dump does not hold: the user is affected
    // through the group.
    let mut v = fixture();
    v["GroupDetailList"][0]["AttachedManagedPolicies"]
        .as_array_mut()
        .unwrap()
        .push(json!({"PolicyName": "gone", "PolicyArn": "arn:aws:iam::123456789012:policy/gone"}));
    defect(
        "group's attached",
        &pretty(&v),
        ("\"PolicyName\": \"gone\"", 1),
        "group/ci: `arn:aws:iam::123456789012:policy/gone` applies to it",
    );

    // A customer managed policy whose default version does not decode.
    let mut v = fixture();
    v["Policies"][0]["PolicyVersionList"][0]["Document"] = json!("%7B%2");
    defect(
        "managed default version",
        &pretty(&v),
        ("\"%7B%2\"", 0),
        "managed policy `arn:aws:iam::123456789012:policy/ecr-layers` (default version): the document does not URL-decode",
    );
}

#[test]
fn regression_issue_10_duplicates_are_not_picked_in_silence() {
    let mut v = fixture();
    let mut twin = v["UserDetailList"][0].clone();
    twin["UserPolicyList"] = json!([]);
    twin["GroupList"] = json!([]);
    v["UserDetailList"].as_array_mut().unwrap().push(twin);
    let text = pretty(&v);
    // The error points at the second entry and names the first.
    let second = text.match_indices("\"UserName\": \"ecr-ci\"").count();
    assert_eq!(second, 2);
    defect(
        "duplicate principal",
        &text,
        ("\"Path\": \"/\"", 1),
        "is in the dump twice; which entry IAM holds is unknown (first at",
    );

    // Two top-level `UserDetailList`s: a JSON reader keeps one.
    let text = pretty(&fixture());
    let text = text.replacen(
        "{\n  \"UserDetailList\"",
        "{\n  \"UserDetailList\": [],\n  \"UserDetailList\"",
        1,
    );
    defect_with(
        "duplicate list",
        &text,
        ("\"UserDetailList\": [", 0),
        "the key `UserDetailList` is given twice at the top of the dump; only one would be read",
        2,
    );
}

#[test]
fn regression_issue_10_a_sound_dump_still_passes() {
    // Exit 1: the fixture has one lint error (`ecr:PutImag`); every grant is satisfied.
    let (code, out, err) = check(DUMP, USER);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("8 of 8 required grants satisfied"), "{out}");
    let (code, out, err) = check(DUMP, GROUP);
    assert_eq!(code, 1, "{out}{err}");
    let (code, out, _) = run(&["lint", "--format", "json", DUMP], None);
    assert_eq!(code, 1);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["errors"], json!([]));
}

#[test]
fn regression_issue_10_gaad_from_standard_input() {
    let text = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/gaad/account.json"
    ))
    .unwrap();
    let (code, out, err) = run(
        &check_ecr_push("dagster", &["--gaad", "-", "--principal", USER]),
        Some(&text),
    );
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("8 of 8 required grants satisfied"), "{out}");
    // Empty standard input is not a dump.
    let (code, out, err) = run(
        &check_ecr_push("dagster", &["--gaad", "-", "--principal", USER]),
        Some(b""),
    );
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("error: -:1:1:"), "{err}");
}

#[test]
fn regression_issue_10_a_dump_is_not_a_policy() {
    let (code, out, err) = run(&check_ecr_push("dagster", &["--policy", DUMP]), None);
    assert_eq!(code, 2, "{out}{err}");
    assert!(
        out.contains(&format!(
            "{DUMP}: an account dump, not a policy: check one of its principals with `--gaad {DUMP} --principal ARN`"
        )),
        "{out}"
    );
}

/// A proxy in front of a test server that replaces the `PolicyDocument` of every answer
/// with `doc` (as a broken IAM endpoint or a corrupted response would).
fn rewriting_proxy(upstream: &str, doc: &'static str) -> String {
    use std::io::{Read, Write};
    use std::net::{TcpListener, TcpStream};
    let upstream_port: u16 = upstream.rsplit(':').next().unwrap().parse().unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for client in listener.incoming() {
            let Ok(mut client) = client else { continue };
            std::thread::spawn(move || {
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
                let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
                let len: usize = head
                    .to_ascii_lowercase()
                    .lines()
                    .find_map(|l| {
                        l.strip_prefix("content-length:")
                            .map(|v| v.trim().to_string())
                    })
                    .map_or(0, |v| v.parse().unwrap());
                while buf.len() < head_end + len {
                    let n = client.read(&mut chunk).unwrap_or(0);
                    if n == 0 {
                        return;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                }
                let without_connection = |h: &str| {
                    h.split("\r\n")
                        .filter(|l| {
                            let l = l.to_ascii_lowercase();
                            !l.starts_with("connection:") && !l.starts_with("content-length:")
                        })
                        .collect::<Vec<_>>()
                        .join("\r\n")
                        .trim_end()
                        .to_string()
                };
                let mut fwd = without_connection(&head).into_bytes();
                fwd.extend_from_slice(
                    format!("\r\nContent-Length: {len}\r\nConnection: close\r\n\r\n").as_bytes(),
                );
                fwd.extend_from_slice(&buf[head_end..]);
                let mut up = TcpStream::connect(("127.0.0.1", upstream_port)).unwrap();
                up.write_all(&fwd).unwrap();
                let mut resp = Vec::new();
                up.read_to_end(&mut resp).unwrap();
                let split = resp.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
                let rhead = String::from_utf8_lossy(&resp[..split]).into_owned();
                let mut body = String::from_utf8_lossy(&resp[split..]).into_owned();
                if let (Some(a), Some(b)) = (
                    body.find("<PolicyDocument>"),
                    body.find("</PolicyDocument>"),
                ) {
                    body.replace_range(a + "<PolicyDocument>".len()..b, doc);
                }
                let mut out = without_connection(&rhead).into_bytes();
                out.extend_from_slice(
                    format!(
                        "\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                        body.len()
                    )
                    .as_bytes(),
                );
                out.extend_from_slice(body.as_bytes());
                let _ = client.write_all(&out);
            });
        }
    });
    format!("http://127.0.0.1:{port}")
}

/// Live IAM: an inline document that does not decode, or decodes to something that is not a
/// policy object, is a part of the principal that could not be read: exit 2, naming it.
/// Before, `%` without an escape was kept as is (the document below then granted `ecr:*`
/// and the check passed) and a number was linted as a policy with no statement.
#[test]
fn regression_issue_10_live_documents_that_do_not_decode() {
    let s = crate::live::Server::moto();
    let iam = s.admin();
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            iam.create_role()
                .role_name("pusher")
                .assume_role_policy_document(
                    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#,
                )
                .send()
                .await
                .unwrap();
            iam.put_role_policy()
                .role_name("pusher")
                .policy_name("push")
                .policy_document(
                    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr:*","Resource":"*"}]}"#,
                )
                .send()
                .await
                .unwrap();
        });
    for (doc, says) in [
        (
            "%7B%22Version%22%3A%222012-10-17%22%2C%22Id%22%3A%22100%%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22ecr%3A%2A%22%2C%22Resource%22%3A%22%2A%22%7D%5D%7D",
            "inline policy `push`: the document does not URL-decode: `%%2` at character",
        ),
        (
            "5",
            "inline policy `push`: the document is a number, not a policy object",
        ),
    ] {
        let url = rewriting_proxy(&s.url, doc);
        let out = s
            .iamlint()
            .timeout(Duration::from_secs(120))
            .args(check_ecr_push(
                "dagster",
                &["--role", "pusher", "--endpoint-url", &url],
            ))
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(2), "{text}");
        assert!(
            text.contains("role/pusher: iam:GetRolePolicy") && text.contains(says),
            "{text}"
        );
        assert!(text.contains("the check did not run"), "{text}");
        let out = s
            .iamlint()
            .timeout(Duration::from_secs(120))
            .args(["lint", "--role", "pusher", "--endpoint-url", &url])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(2), "{text}");
        assert!(text.contains(says), "{text}");
    }
}

#[test]
fn a_version_that_is_not_the_default_is_not_read_as_part_of_the_account() {
    // A key given twice in a version IAM does not apply: it reaches no principal. (It used
    // to make the policy, and so the group and its user, unreadable.)
    let text = pretty(&fixture()).replacen(
        "\"Effect\": \"Allow\",\n                \"Action\": \"ecr:*\"",
        "\"Effect\": \"Allow\",\n                \"Effect\": \"Deny\",\n                \"Action\": \"ecr:*\"",
        1,
    );
    assert!(text.contains("\"Effect\": \"Deny\""), "the fixture changed");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dump.json");
    std::fs::write(&path, &text).unwrap();
    let path = path.to_str().unwrap();
    for principal in [USER, GROUP] {
        let (code, out, err) = check(path, principal);
        assert_eq!(code, 1, "{principal}: {out}{err}");
    }
    assert!(
        check(path, USER)
            .1
            .contains("8 of 8 required grants satisfied")
    );
    let (code, out, _) = run(&["lint", "--format", "json", path], None);
    assert_eq!(code, 1);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["errors"], json!([]));
    // Its text is still JSON that must be well formed: a syntax error there is one.
    let broken = text.replacen("\"Effect\": \"Deny\",", "\"Effect\": \"Deny\",,", 1);
    std::fs::write(dir.path().join("dump.json"), &broken).unwrap();
    let (code, out, err) = run(&["who-can", "ecr:PutImage", "*", "--gaad", path], None);
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("dump.json:"), "{err}");
}
