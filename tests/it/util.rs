//! Shared helpers.

use std::path::Path;

/// Lint one file through the library and check the invariants every finding must keep.
pub fn lint_file(path: &Path) -> iamlint::Report {
    let rel = path
        .strip_prefix(env!("CARGO_MANIFEST_DIR"))
        .unwrap_or(path)
        .display()
        .to_string();
    let report = iamlint::lint_paths(&[rel]);
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let text = std::fs::read_to_string(path).unwrap();
    check_invariants(&report, &text);
    report
}

/// Every span lies inside its source, line/column agree with it, and a finding that names
/// an action or resource underlines exactly that value.
pub fn check_invariants(report: &iamlint::Report, text: &str) {
    for f in &report.findings {
        let span = f.location.span;
        assert!(
            span.start <= span.end && (span.end as usize) <= text.len(),
            "{f:?}"
        );
        assert!(f.location.line >= 1 && f.location.column >= 1, "{f:?}");
        let before = &text[..span.start as usize];
        assert_eq!(
            f.location.line as usize,
            before.matches('\n').count() + 1,
            "{f:?}"
        );
        let underlined = &text[span.range()];
        let named: Vec<&String> = [&f.action, &f.resource].into_iter().flatten().collect();
        let simple = named.iter().all(|n| !n.contains(" + ") && *n != "*");
        if underlined.starts_with('"') && !named.is_empty() && simple {
            let value = underlined.trim_matches('"');
            assert!(
                named.iter().any(|n| *n == value),
                "{}: {} underlines {value}",
                f.code.as_str(),
                f.message
            );
        }
        assert!(
            !f.message.ends_with('.'),
            "message ends with a period: {}",
            f.message
        );
        assert!(
            !f.message.contains('\n'),
            "message has a line break: {}",
            f.message
        );
    }
}

/// The binary, run from the repository root, with no user cache and no colour.
pub fn iamlint() -> assert_cmd::Command {
    let mut c = assert_cmd::Command::cargo_bin("iamlint").unwrap();
    c.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("IAMLINT_NO_CACHE", "1")
        .env("NO_COLOR", "1");
    c
}

/// Run the binary: (exit code, stdout, stderr).
pub fn run<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> (i32, String, String) {
    outcome(iamlint().args(args))
}

/// `--rules ecr-push` with the parameters it needs, for `repository` in account
/// `123456789012` and region `us-east-1`: the shipped rule set most `check` tests use.
pub fn ecr_push(repository: &str) -> Vec<String> {
    ecr_push_in("123456789012", repository)
}

/// [`ecr_push`] in another account.
pub fn ecr_push_in(account: &str, repository: &str) -> Vec<String> {
    [
        "--rules",
        "ecr-push",
        "--param",
        &format!("account_id={account}"),
        "--param",
        "region=us-east-1",
        "--param",
        &format!("repository={repository}"),
    ]
    .map(String::from)
    .to_vec()
}

/// `check` of the `ecr-push` rule set ([`ecr_push`]) for `repository`, then `rest`.
pub fn check_ecr_push(repository: &str, rest: &[&str]) -> Vec<String> {
    let mut args = vec!["check".to_string()];
    args.extend(ecr_push(repository));
    args.extend(rest.iter().map(ToString::to_string));
    args
}

/// Run a prepared command: (exit code, -1 when killed; stdout; stderr).
pub fn outcome(c: &mut assert_cmd::Command) -> (i32, String, String) {
    let out = c.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}
