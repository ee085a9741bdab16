//! `iamlint catalog update` against a local HTTP server on 127.0.0.1 (never the internet).

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;

use assert_cmd::Command;

/// Serve `files` (path -> body; a missing path is a 404) until the test ends.
fn serve(files: Vec<(String, String)>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}/", listener.local_addr().unwrap());
    let base2 = base.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut line = String::new();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            if reader.read_line(&mut line).is_err() {
                continue;
            }
            // Drain the headers.
            loop {
                let mut h = String::new();
                if reader.read_line(&mut h).is_err() || h == "\r\n" || h.is_empty() {
                    break;
                }
            }
            let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
            let body = files
                .iter()
                .find(|(p, _)| *p == path)
                .map(|(_, b)| b.replace("{BASE}", &base2));
            let resp = match body {
                Some(b) => format!(
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

const FAKE: &str = r#"{"Name":"zzfake","Actions":[{"Name":"DoThing","ActionConditionKeys":["zzfake:Color"],
  "Annotations":{"Properties":{"IsList":false,"IsPermissionManagement":false,"IsTaggingOnly":false,"IsWrite":true}},
  "Resources":[{"Name":"thing"}]}],
  "Resources":[{"Name":"thing","ARNFormats":["arn:${Partition}:zzfake:${Region}:${Account}:thing/${ThingId}"]}],
  "ConditionKeys":[{"Name":"zzfake:Color","Types":["String"]}],"Version":"v1.0"}"#;
const S3: &str = r#"{"Name":"s3","Actions":[{"Name":"GetObject","Annotations":{"Properties":{"IsList":false,"IsPermissionManagement":false,"IsTaggingOnly":false,"IsWrite":false}},
  "Resources":[{"Name":"object"}]}],
  "Resources":[{"Name":"object","ARNFormats":["arn:${Partition}:s3:::${BucketName}/${ObjectName}"]}],"ConditionKeys":[]}"#;

fn index(services: &[&str]) -> String {
    let entries: Vec<String> = services
        .iter()
        .map(|s| format!(r#"{{"service":"{s}","url":"{{BASE}}v1/{s}/{s}.json"}}"#))
        .collect();
    format!("[{}]", entries.join(","))
}

fn iamlint(cache: &std::path::Path) -> Command {
    let mut c = Command::cargo_bin("iamlint").unwrap();
    c.env("IAMLINT_CACHE_DIR", cache)
        .env_remove("IAMLINT_NO_CACHE")
        .env("NO_COLOR", "1");
    c
}

#[test]
fn update_caches_the_service_reference_and_the_tool_prefers_it() {
    let base = serve(vec![
        ("/".into(), index(&["zzfake", "s3"])),
        ("/v1/zzfake/zzfake.json".into(), FAKE.into()),
        ("/v1/s3/s3.json".into(), S3.into()),
    ]);
    let cache = tempfile::tempdir().unwrap();
    let out = iamlint(cache.path())
        .args(["catalog", "info"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("loaded from:     embedded"));

    let out = iamlint(cache.path())
        .args(["catalog", "update", "--url", &base])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let said = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(said.starts_with("cached 2 services, 2 actions"), "{said}");
    assert!(cache.path().join("catalog.bin").exists());

    let out = iamlint(cache.path())
        .args(["catalog", "info"])
        .output()
        .unwrap();
    let info = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(info.contains("catalog.bin"), "{info}");
    assert!(info.contains("services:        2"), "{info}");

    let out = iamlint(cache.path())
        .args(["catalog", "action", "zzfake:dothing"])
        .output()
        .unwrap();
    let shown = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        shown.contains("access level:   Write") && shown.contains("thing (required)"),
        "{shown}"
    );

    let policy = cache.path().join("p.json");
    std::fs::write(&policy, r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"zzfake:DoThing","Resource":"arn:aws:zzfake:us-east-1:123456789012:thing/x"}]}"#).unwrap();
    let out = iamlint(cache.path())
        .args(["lint", "--format", "json", policy.to_str().unwrap()])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["findings"].as_array().unwrap().len(), 0, "{v}");
    assert!(
        v["catalog"]["source"]
            .as_str()
            .unwrap()
            .starts_with("AWS service reference")
    );
}

#[test]
fn a_failed_fetch_leaves_no_cache() {
    let base = serve(vec![
        ("/".into(), index(&["zzfake", "s3"])),
        ("/v1/zzfake/zzfake.json".into(), FAKE.into()),
    ]);
    let cache = tempfile::tempdir().unwrap();
    let out = iamlint(cache.path())
        .args(["catalog", "update", "--url", &base])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(
        err.contains("v1/s3/s3.json") && err.contains("404"),
        "{err}"
    );
    assert!(!cache.path().join("catalog.bin").exists());
}
