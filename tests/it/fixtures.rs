//! Fixture cases: `fixtures/lint/<case>/policy.json` (with a `note.md` saying what it should
//! yield), snapshot-tested as rendered text and as JSON findings.

use crate::util::lint_file;

#[test]
fn lint_fixtures() {
    insta::glob!("../../fixtures/lint", "*/policy.json", |path| {
        let report = lint_file(path);
        let text =
            iamlint::report::text::render(&report, iamlint::report::text::Options::default());
        insta::assert_snapshot!("text", text);
        insta::assert_json_snapshot!("json", report.findings);
    });
}

#[test]
fn every_code_has_a_fixture_or_a_test() {
    // Codes exercised by the lint fixtures, plus those only `check` produces, those only
    // `diff` produces (tested in `diff.rs`), and those only `audit` produces (tested in
    // `audit_report.rs` and `audit_risk.rs` on the moto fixture account).
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/lint");
    let mut seen = std::collections::BTreeSet::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let p = entry.unwrap().path().join("policy.json");
        for f in lint_file(&p).findings {
            seen.insert(f.code.as_str());
        }
    }
    let check_only = [
        "missing-grant",
        "mis-scoped-grant",
        "excess-grant",
        "missing-condition",
        "conditional-grant",
        "conditional-deny",
        "json-syntax",
        "new-access",
        "removed-access",
        "admin-equivalent",
        "escalation-path",
        "data-exfiltration",
        "resource-exposure",
        "credentials-exposure",
        "infrastructure-modification",
        "trust-unknown-account",
    ];
    let missing: Vec<&str> = iamlint::finding::Code::ALL
        .iter()
        .map(|c| c.as_str())
        .filter(|c| !seen.contains(c) && !check_only.contains(c))
        .collect();
    assert!(
        missing.is_empty(),
        "codes without a lint fixture: {missing:?}"
    );
}
