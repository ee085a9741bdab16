//! The seed policies (`../shared/seeds`, placeholders filled in by `scripts/extract-seeds`).

use std::path::Path;

use crate::util::lint_file;

fn lint_case(case: &str) -> iamlint::Report {
    lint_file(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/lint")
            .join(case)
            .join("policy.json"),
    )
}

fn has(report: &iamlint::Report, code: &str, needle: &str) -> bool {
    report.findings.iter().any(|f| {
        f.code.as_str() == code && f.severity.as_str() == "error" && f.message.contains(needle)
    })
}

/// Seed 002 lists six defects; each must be found on its own, none masking another.
#[test]
fn seed_002_yields_every_defect() {
    let r = lint_case("seed-002-dstack-legacy");
    assert!(has(&r, "unknown-field", "`Resources`"));
    let fix = r
        .findings
        .iter()
        .find(|f| f.code.as_str() == "unknown-field")
        .unwrap();
    assert_eq!(fix.suggestion.as_deref(), Some("Resource"));
    // Behind the typo: both s3:// values.
    let arns: Vec<_> = r
        .findings
        .iter()
        .filter(|f| f.code.as_str() == "invalid-arn")
        .collect();
    assert_eq!(arns.len(), 2);
    assert_eq!(
        arns[0].suggestion.as_deref(),
        Some("arn:aws:s3:::my-awesome-project")
    );
    assert!(has(&r, "missing-field", "no `Resource`"));
    let unknown = r
        .findings
        .iter()
        .find(|f| f.code.as_str() == "unknown-action")
        .unwrap();
    assert_eq!(unknown.action.as_deref(), Some("ec2:CancelSpotRequests"));
    assert_eq!(
        unknown.suggestion.as_deref(),
        Some("ec2:CancelSpotInstanceRequests")
    );
    assert!(has(&r, "resource-mismatch", "`iam:CreatePolicy`"));
    for a in [
        "iam:GetInstanceProfile",
        "iam:CreateInstanceProfile",
        "iam:AddRoleToInstanceProfile",
    ] {
        assert!(has(&r, "resource-mismatch", &format!("`{a}`")), "{a}");
    }
    let lines: Vec<u32> = r.findings.iter().map(|f| f.location.line).collect();
    assert!(
        lines.windows(2).all(|w| w[0] <= w[1]),
        "findings are in source order"
    );
}

#[test]
fn seeds_000_001_003_004_have_no_error() {
    for case in [
        "seed-000-dstack-hub",
        "seed-001-dstack",
        "seed-003-skypilot",
        "seed-004-terraform-describe",
    ] {
        let r = lint_case(case);
        let errors: Vec<_> = r
            .findings
            .iter()
            .filter(|f| f.severity.as_str() == "error")
            .map(|f| &f.message)
            .collect();
        assert!(errors.is_empty(), "{case}: {errors:?}");
    }
}

#[test]
fn seed_001_warns_where_deserved() {
    let r = lint_case("seed-001-dstack");
    let warned = |code: &str, action: &str| {
        r.findings
            .iter()
            .any(|f| f.code.as_str() == code && f.action.as_deref() == Some(action))
    };
    assert!(warned("resource-level-unsupported", "s3:ListAllMyBuckets"));
    assert!(warned("deprecated-action", "logs:TagLogGroup"));
    assert!(warned("passrole-any-service", "iam:PassRole"));
}
