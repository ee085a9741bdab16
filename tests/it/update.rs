//! `iamlint catalog update` against a local HTTP server on 127.0.0.1 (never the internet).

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::Path;

use assert_cmd::Command;

/// Serve `files` (path -> body, `{BASE}` replaced by the server's base URL; a missing path
/// is a 404) on 127.0.0.1 from a background thread until the test process ends. Returns the
/// base URL, `http://127.0.0.1:PORT/`.
pub(crate) fn serve(files: &[(&str, &str)]) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}/", listener.local_addr().unwrap());
    let files: Vec<(String, String)> = files
        .iter()
        .map(|(p, b)| ((*p).to_string(), b.replace("{BASE}", &base)))
        .collect();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let Ok(read_half) = stream.try_clone() else {
                continue;
            };
            let mut reader = BufReader::new(read_half);
            let mut line = String::new();
            if reader.read_line(&mut line).is_err() {
                continue;
            }
            // Drain the headers (a GET has no body).
            loop {
                let mut h = String::new();
                if reader.read_line(&mut h).is_err() || h == "\r\n" || h.is_empty() {
                    break;
                }
            }
            let path = line.split_whitespace().nth(1).unwrap_or("/");
            let resp = match files.iter().find(|(p, _)| p == path) {
                Some((_, b)) => format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{b}",
                    b.len()
                ),
                None => "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    .to_string(),
            };
            let _ = stream.write_all(resp.as_bytes());
        }
    });
    base
}

/// A service that does not exist in AWS: only the cached catalog knows it.
const FAKE: &str = r#"{"Name":"zzfake","Actions":[{"Name":"DoThing","ActionConditionKeys":["zzfake:Color"],
  "Annotations":{"Properties":{"IsList":false,"IsPermissionManagement":false,"IsTaggingOnly":false,"IsWrite":true}},
  "Resources":[{"Name":"thing"}]}],
  "Resources":[{"Name":"thing","ARNFormats":["arn:${Partition}:zzfake:${Region}:${Account}:thing/${ThingId}"]}],
  "ConditionKeys":[{"Name":"zzfake:Color","Types":["String"]}],"Version":"v1.0"}"#;

/// A cut-down `s3` with one action AWS does not have.
pub(crate) const S3: &str = r#"{"Name":"s3","Actions":[
  {"Name":"GetObject","Annotations":{"Properties":{"IsList":false,"IsPermissionManagement":false,"IsTaggingOnly":false,"IsWrite":false}},
   "Resources":[{"Name":"object"}]},
  {"Name":"FrobnicateBucket","Annotations":{"Properties":{"IsPermissionManagement":true,"IsWrite":true}},
   "Resources":[{"Name":"bucket"},{"Name":"object"}]}],
  "Resources":[{"Name":"bucket","ARNFormats":["arn:${Partition}:s3:::${BucketName}"]},
               {"Name":"object","ARNFormats":["arn:${Partition}:s3:::${BucketName}/${ObjectName}"]}],
  "ConditionKeys":[]}"#;

/// Every optional field missing: read as empty (and the access level as Read).
const SPARSE: &str = r#"{"Name":"zzsparse","Actions":[{"Name":"Look"}]}"#;

pub(crate) fn index(services: &[&str]) -> String {
    let entries: Vec<String> = services
        .iter()
        .map(|s| format!(r#"{{"service":"{s}","url":"{{BASE}}v1/{s}/{s}.json"}}"#))
        .collect();
    format!("[{}]", entries.join(","))
}

fn iamlint(cache: &Path) -> Command {
    let mut c = Command::cargo_bin("iamlint").unwrap();
    c.env("IAMLINT_CACHE_DIR", cache)
        .env_remove("IAMLINT_NO_CACHE")
        .env("NO_COLOR", "1");
    c
}

fn stdout(c: &mut Command) -> String {
    let out = c.output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The names in the cache directory (no temporary files may be left behind).
fn listing(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

fn good_server() -> String {
    let idx = index(&["zzfake", "s3", "zzsparse"]);
    serve(&[
        ("/", &idx),
        ("/v1/zzfake/zzfake.json", FAKE),
        ("/v1/s3/s3.json", S3),
        ("/v1/zzsparse/zzsparse.json", SPARSE),
    ])
}

#[test]
fn without_a_cache_the_embedded_catalog_is_used() {
    let cache = tempfile::tempdir().unwrap();
    let info = stdout(iamlint(cache.path()).args(["catalog", "info"]));
    assert!(info.contains("loaded from:     embedded\n"), "{info}");
    assert!(!info.contains("AWS service reference"), "{info}");
}

/// A cache this version cannot read (one written by an earlier iamlint, or damaged) is set
/// aside with a warning that says how to rewrite it; the embedded catalog is used.
#[test]
fn an_unreadable_cache_is_ignored_with_a_warning_that_says_how_to_rewrite_it() {
    let cache = tempfile::tempdir().unwrap();
    let cache_file = cache.path().join("catalog.bin");
    std::fs::write(&cache_file, b"\x10\x00\x00\x00not a catalog blob").unwrap();
    let out = iamlint(cache.path())
        .args(["catalog", "info"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let info = String::from_utf8_lossy(&out.stdout);
    assert!(info.contains("loaded from:     embedded\n"), "{info}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!(
            "ignoring the cached catalog `{}`",
            cache_file.display()
        )),
        "{err}"
    );
    assert!(
        err.contains("`iamlint catalog update` writes it again); using the embedded one"),
        "{err}"
    );
}

#[test]
fn update_caches_the_service_reference_and_the_tool_prefers_it() {
    let base = good_server();
    let cache = tempfile::tempdir().unwrap();
    let cache_file = cache.path().join("catalog.bin");

    let said = stdout(iamlint(cache.path()).args(["catalog", "update", "--url", &base]));
    assert!(
        said.starts_with("cached 3 services, 4 actions (AWS service reference, 20"),
        "{said}"
    );
    assert!(
        said.trim_end()
            .ends_with(&format!("in {}", cache_file.display())),
        "{said}"
    );
    assert_eq!(listing(cache.path()), ["catalog.bin"]);

    let info = stdout(iamlint(cache.path()).args(["catalog", "info"]));
    assert!(
        info.contains(&format!("loaded from:     {}\n", cache_file.display())),
        "{info}"
    );
    assert!(
        info.contains(&format!("source:          AWS service reference ({base})")),
        "{info}"
    );
    assert!(info.contains("services:        3\n"), "{info}");
    // Global keys come from the embedded catalog (the service reference has none).
    assert!(!info.contains("(0 global"), "{info}");

    let shown = stdout(iamlint(cache.path()).args(["catalog", "action", "zzfake:DoThing"]));
    assert!(shown.starts_with("zzfake:DoThing\n"), "{shown}");
    assert!(shown.contains("access level:   Write"), "{shown}");
    assert!(shown.contains("thing (required)"), "{shown}");
    assert!(
        shown.contains("arn:${Partition}:zzfake:${Region}:${Account}:thing/${ThingId}"),
        "{shown}"
    );
    assert!(shown.contains("condition keys: zzfake:Color"), "{shown}");

    let shown = stdout(iamlint(cache.path()).args(["catalog", "action", "s3:frobnicatebucket"]));
    assert!(
        shown.contains("access level:   Permissions management"),
        "{shown}"
    );
    // Two resource types: neither is marked required.
    assert!(!shown.contains("(required)"), "{shown}");
    // The long service name is kept from the embedded catalog.
    assert!(!shown.contains("service:        s3 (s3)"), "{shown}");

    let shown = stdout(iamlint(cache.path()).args(["catalog", "action", "zzsparse:Look"]));
    assert!(shown.contains("access level:   Read"), "{shown}");
    assert!(shown.contains("resource types: none"), "{shown}");

    // The cached s3 replaces the embedded one entirely.
    let out = iamlint(cache.path())
        .args(["catalog", "action", "s3:PutObject"])
        .output()
        .unwrap();
    assert_ne!(out.status.code(), Some(0));

    let policy = cache.path().join("p.json");
    std::fs::write(
        &policy,
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"zzfake:DoThing","Resource":"arn:aws:zzfake:us-east-1:123456789012:thing/x"}]}"#,
    )
    .unwrap();
    let lint = |c: &mut Command| -> serde_json::Value {
        let out = c
            .args(["lint", "--format", "json", policy.to_str().unwrap()])
            .output()
            .unwrap();
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let codes = |v: &serde_json::Value| -> Vec<String> {
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["code"].as_str().unwrap().to_string())
            .collect()
    };
    let v = lint(&mut iamlint(cache.path()));
    assert!(!codes(&v).iter().any(|c| c.starts_with("unknown-")), "{v}");
    assert_eq!(v["catalog"]["origin"], cache_file.display().to_string());
    assert!(
        v["catalog"]["source"]
            .as_str()
            .unwrap()
            .starts_with("AWS service reference")
    );

    // IAMLINT_NO_CACHE: back to the embedded catalog, which has no `zzfake`.
    let v = lint(iamlint(cache.path()).env("IAMLINT_NO_CACHE", "1"));
    assert_eq!(v["catalog"]["origin"], "embedded");
    assert!(codes(&v).iter().any(|c| c == "unknown-service"), "{v}");
}

#[test]
fn a_missing_service_file_fails_and_writes_no_cache() {
    let idx = index(&["zzfake", "s3"]);
    let base = serve(&[("/", &idx), ("/v1/zzfake/zzfake.json", FAKE)]);
    let cache = tempfile::tempdir().unwrap();
    let out = iamlint(cache.path())
        .args(["catalog", "update", "--url", &base])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("{base}v1/s3/s3.json")) && err.contains("404"),
        "{err}"
    );
    assert!(listing(cache.path()).is_empty());

    let info = stdout(iamlint(cache.path()).args(["catalog", "info"]));
    assert!(info.contains("loaded from:     embedded\n"), "{info}");
}

#[test]
fn a_failed_update_leaves_the_previous_cache_untouched() {
    let cache = tempfile::tempdir().unwrap();
    stdout(iamlint(cache.path()).args(["catalog", "update", "--url", &good_server()]));
    let before = std::fs::read(cache.path().join("catalog.bin")).unwrap();

    // Bad JSON in one service file.
    let idx = index(&["zzfake", "s3"]);
    let base = serve(&[
        ("/", &idx),
        ("/v1/zzfake/zzfake.json", FAKE),
        ("/v1/s3/s3.json", r#"{"Name":"s3","Actions":[{"Name":"#),
    ]);
    let out = iamlint(cache.path())
        .args(["catalog", "update", "--url", &base])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("{base}v1/s3/s3.json")), "{err}");

    // A 404 for the index itself, and an index that is not a list.
    for base in [serve(&[]), serve(&[("/", r#"{"services":[]}"#)])] {
        let out = iamlint(cache.path())
            .args(["catalog", "update", "--url", &base])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(&base), "{err}");
    }

    assert_eq!(
        std::fs::read(cache.path().join("catalog.bin")).unwrap(),
        before
    );
    assert_eq!(listing(cache.path()), ["catalog.bin"]);
}
