//! The principal page's effective permissions (issue 12, part 5) in Debian's headless
//! Chromium: the page opened with `?selftest&principal=ID` opens that principal, reads the
//! service x access level table, expands every service and writes what it saw into the DOM.

use std::path::Path;
use std::process::Command;

use serde_json::{Value, json};

use crate::html::chromium;
use crate::util::iamlint;

const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/fixtures/audit/moto-account.json"
);

/// The audit page of the fixture account, written into `dir`.
fn page(dir: &Path) -> std::path::PathBuf {
    let out = iamlint()
        .args(["audit", "--format", "html", FIXTURE])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let html = String::from_utf8(out.stdout).unwrap();
    // Inline CSS and script still under 200 KB, plus the data.
    let data_at = html.find("<script type=\"application/json\"").unwrap();
    let data_end = data_at + html[data_at..].find("</script>").unwrap();
    assert!(html.len() - (data_end - data_at) < 200_000);
    let p = dir.join("audit.html");
    std::fs::write(&p, html).unwrap();
    p
}

/// What the self-test saw on `principal`'s page, and Chromium's console lines.
fn seen(page: &Path, principal: &str) -> (Value, Vec<String>) {
    let profile = tempfile::tempdir().unwrap();
    let out = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
        ])
        .args(["--disable-extensions", "--enable-logging=stderr", "--v=0"])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("--dump-dom")
        .arg(format!(
            "file://{}?selftest&principal={principal}",
            page.display()
        ))
        .output()
        .unwrap();
    let dom = String::from_utf8_lossy(&out.stdout);
    let err = String::from_utf8_lossy(&out.stderr);
    let tag = "<pre id=\"selftest\">";
    let start = dom
        .find(tag)
        .unwrap_or_else(|| panic!("no self-test result:\n{dom}\n{err}"))
        + tag.len();
    let end = start + dom[start..].find("</pre>").unwrap();
    let text = dom[start..end]
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&");
    let v: Value = serde_json::from_str(&text).unwrap();
    let console = err
        .lines()
        .filter(|l| l.contains(":CONSOLE"))
        .map(str::to_string)
        .collect();
    (v, console)
}

/// `file:line:col` of the first statement of the customer managed policy `name`.
fn statement_at(name: &str) -> String {
    let text = std::fs::read_to_string(FIXTURE).unwrap();
    let entry = text
        .find(&format!(
            "\"Arn\": \"arn:aws:iam::123456789012:policy/{name}\""
        ))
        .unwrap();
    let st = entry + text[entry..].find("\"Statement\"").unwrap();
    let open = st + text[st..].find('{').unwrap();
    let line = text[..open].matches('\n').count() + 1;
    let col = open - text[..open].rfind('\n').map_or(0, |i| i + 1) + 1;
    format!("{FIXTURE}:{line}:{col}")
}

#[test]
fn a_principal_page_shows_its_effective_permissions_by_service_and_level() {
    let dir = tempfile::tempdir().unwrap();
    let page = page(dir.path());

    // risk-exfil: `read-everything` allows s3:GetObject, secretsmanager:GetSecretValue,
    // ssm:GetParameter (Read) and kms:Decrypt (Write) on `*`; nothing else applies to it.
    let (t, console) = seen(&page, "user/risk-exfil");
    assert!(console.is_empty(), "console: {console:?}");
    assert_eq!(t["errors"], json!([]), "{t}");
    let p = &t["permissions"];
    assert!(
        p["heading"]
            .as_str()
            .unwrap()
            .contains("4 allowed, 0 allowed if a condition holds"),
        "{p}"
    );
    // service, List, Read, Write, Permissions management, Tagging, actions
    assert_eq!(
        p["rows"],
        json!([
            ["kms", "–", "–", "1", "–", "–", "1"],
            ["s3", "–", "1", "–", "–", "–", "1"],
            ["secretsmanager", "–", "1", "–", "–", "–", "1"],
            ["ssm", "–", "1", "–", "–", "–", "1"],
        ]),
        "{p}"
    );
    // Expanded: each action, on `*` (flagged), from the policy's statement.
    let details = p["details"].as_array().unwrap();
    assert_eq!(details.len(), 4, "{p}");
    let at = statement_at("read-everything");
    for (d, action) in details.iter().zip([
        "kms:Decrypt",
        "s3:GetObject",
        "secretsmanager:GetSecretValue",
        "ssm:GetParameter",
    ]) {
        assert_eq!(d[1], "allowed 1", "{d}");
        assert_eq!(d[2], action, "{d}");
        assert_eq!(d[3], "* any resource", "{d}");
        let from = d[4].as_str().unwrap();
        assert!(
            from.contains("arn:aws:iam::123456789012:policy/read-everything") && from.contains(&at),
            "{from} lacks {at}"
        );
    }
    assert_eq!(p["collapsed"], 0, "a second click closes the details: {p}");

    // near-bounded-admin: AdministratorAccess within a boundary of `s3:Get*` and `s3:List*`.
    let (t, console) = seen(&page, "role/near-bounded-admin");
    assert!(console.is_empty(), "console: {console:?}");
    let p = &t["permissions"];
    let rows = p["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 1, "{p}");
    assert_eq!(rows[0][0], "s3");
    let s3 = iamlint::catalog::get().service("s3").unwrap();
    let get_list = s3
        .actions
        .iter()
        .filter(|a| a.lname.starts_with("get") || a.lname.starts_with("list"))
        .count();
    assert_eq!(rows[0][6], get_list.to_string(), "{p}");
    let details = p["details"].as_array().unwrap();
    assert!(
        details.iter().all(|d| {
            let from = d[4].as_str().unwrap();
            from.contains("AdministratorAccess") && from.contains("Allow (boundary)")
        }),
        "{p}"
    );

    // near-mfa-admin: `*` on `*` only with MFA: every action, each "allowed if".
    let (t, console) = seen(&page, "user/near-mfa-admin");
    assert!(console.is_empty(), "console: {console:?}");
    let p = &t["permissions"];
    let all: usize = iamlint::catalog::get()
        .services()
        .iter()
        .map(|s| s.actions.len())
        .sum();
    assert!(
        p["heading"]
            .as_str()
            .unwrap()
            .contains(&format!("0 allowed, {all} allowed if a condition holds")),
        "{}",
        p["heading"]
    );
    let details = p["details"].as_array().unwrap();
    assert!(details.len() > 300, "{}", details.len());
    assert!(
        details
            .iter()
            .all(|d| d[1].as_str().unwrap().starts_with("allowed if")
                && d[2].as_str().unwrap().starts_with("every ")
                && d[3]
                    .as_str()
                    .unwrap()
                    .contains("aws:MultiFactorAuthPresent")),
        "{:?}",
        details.first()
    );
}
