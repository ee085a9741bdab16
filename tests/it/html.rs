//! `--format html` in a real browser: Debian's Chromium, headless (installed by
//! `scripts/test-env`). The page is opened with `?selftest`, drives itself as a user would
//! (sorts, filters, opens a principal) and writes what it saw into the DOM, which Chromium
//! prints; every console message Chromium logs is a failure.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::util::iamlint;

pub fn chromium() -> PathBuf {
    for name in ["chromium", "chromium-browser"] {
        for dir in ["/usr/bin", "/usr/local/bin"] {
            let p = Path::new(dir).join(name);
            if p.exists() {
                return p;
            }
        }
    }
    panic!("Chromium not found: run scripts/test-env (it installs Debian's chromium)");
}

/// What the page's self-test saw, and Chromium's console lines.
pub struct Seen {
    pub selftest: Value,
    pub console: Vec<String>,
}

/// Open `page` in headless Chromium with `?selftest`.
pub fn open(page: &Path) -> Seen {
    let profile = tempfile::tempdir().unwrap();
    let out = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-extensions",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("--dump-dom")
        .arg(format!("file://{}?selftest", page.display()))
        .output()
        .unwrap();
    let dom = String::from_utf8_lossy(&out.stdout);
    let err = String::from_utf8_lossy(&out.stderr);
    let start = dom
        .find("<pre id=\"selftest\">")
        .unwrap_or_else(|| panic!("no self-test result in the page:\n{dom}\n{err}"))
        + "<pre id=\"selftest\">".len();
    let end = start + dom[start..].find("</pre>").unwrap();
    let text = dom[start..end]
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&");
    Seen {
        selftest: serde_json::from_str(&text).unwrap(),
        console: err
            .lines()
            .filter(|l| l.contains(":CONSOLE"))
            .map(str::to_string)
            .collect(),
    }
}

/// Take a screenshot of `page` (the overview) into `png`.
pub fn screenshot(page: &Path, png: &Path) {
    let profile = tempfile::tempdir().unwrap();
    let out = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("--window-size=1280,900")
        .arg(format!("--screenshot={}", png.display()))
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap();
    assert!(png.exists(), "{out:?}");
}

fn html_of(args: &[&str], dir: &Path) -> PathBuf {
    let out = iamlint()
        .args(args)
        .args(["--format", "html"])
        .output()
        .unwrap();
    assert!(out.status.code().unwrap() < 2, "{out:?}");
    let page = dir.join("report.html");
    std::fs::write(&page, &out.stdout).unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    // Self-contained: nothing is fetched.
    for needle in ["http://", "https://", "src=\"//"] {
        let outside_data = text
            .split("<script type=\"application/json\"")
            .next()
            .unwrap();
        assert!(!outside_data.contains(needle), "{needle} in the page");
    }
    page
}

#[test]
fn lint_html_renders_sorts_and_filters_in_chromium() {
    let dir = tempfile::tempdir().unwrap();
    let root = env!("CARGO_MANIFEST_DIR");
    let page = html_of(
        &[
            "lint",
            "--fail-on",
            "never",
            &format!("{root}/fixtures/lint"),
        ],
        dir.path(),
    );
    let seen = open(&page);
    assert!(seen.console.is_empty(), "console: {:?}", seen.console);
    let t = &seen.selftest;
    assert_eq!(t["errors"], serde_json::json!([]), "{t}");
    // Filtering findings by severity shows errors only, every error.
    let json = iamlint()
        .args(["lint", "--fail-on", "never", "--format", "json"])
        .arg(format!("{root}/fixtures/lint"))
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&json.stdout).unwrap();
    let errors = v["summary"]["errors"].as_u64().unwrap() as usize;
    let rows = t["errorRows"].as_array().unwrap();
    assert!(errors > 0);
    assert_eq!(rows.len(), errors, "{t}");
    assert!(rows.iter().all(|r| r == "error"), "{t}");
    let png = dir.path().join("overview.png");
    screenshot(&page, &png);
    assert!(std::fs::read(&png).unwrap().starts_with(b"\x89PNG"));
}

#[test]
fn audit_html_renders_sorts_filters_and_draws_the_paths_in_chromium() {
    let dir = tempfile::tempdir().unwrap();
    let root = env!("CARGO_MANIFEST_DIR");
    let out = iamlint()
        .args(["audit", "--format", "html"])
        .arg(format!("{root}/fixtures/audit/moto-account.json"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let page = dir.path().join("audit.html");
    std::fs::write(&page, &out.stdout).unwrap();
    let html = String::from_utf8(out.stdout).unwrap();
    // Inline CSS and script under 200 KB, plus the data.
    let data_at = html.find("<script type=\"application/json\"").unwrap();
    let data_end = data_at + html[data_at..].find("</script>").unwrap();
    assert!(html.len() - (data_end - data_at) < 200_000);

    let seen = open(&page);
    assert!(seen.console.is_empty(), "console: {:?}", seen.console);
    let t = &seen.selftest;
    assert_eq!(t["errors"], serde_json::json!([]), "{t}");
    let names = |k: &str| -> Vec<String> {
        t[k].as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect()
    };
    // Clicking `name` sorts the principals; clicking again reverses them.
    let asc = names("sortedAsc");
    let mut sorted = asc.clone();
    sorted.sort();
    assert_eq!(asc, sorted);
    assert!(
        asc.len() > 30 && asc.contains(&"esc-three-steps".to_string()),
        "{asc:?}"
    );
    let mut desc = names("sortedDesc");
    desc.reverse();
    assert_eq!(desc, asc);
    // Sorting by findings orders the counts.
    let counts: Vec<u64> = t["byFindings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .collect();
    assert!(
        counts.windows(2).all(|w| w[0] <= w[1]) && counts.last() > Some(&0),
        "{counts:?}"
    );
    // The kind filter keeps roles only; the text filter keeps the principal typed.
    let roles = names("rolesShown");
    assert!(
        !roles.is_empty() && roles.iter().all(|k| k == "role"),
        "{roles:?}"
    );
    assert!(
        names("filtered").contains(&"admin-alice".to_string()),
        "{t}"
    );
    // Every path's principals are drawn; the cards count the paths.
    assert!(t["pathsDrawn"].as_u64().unwrap() >= 10, "{t}");
    assert!(
        names("cards").iter().any(|c| c == "25escalation paths"),
        "{t}"
    );
    assert!(
        t["principalHeading"]
            .as_str()
            .unwrap()
            .starts_with("user admin-alice"),
        "{t}"
    );
    screenshot(&page, &dir.path().join("overview.png"));
}
