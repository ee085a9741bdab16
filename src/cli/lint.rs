//! `iamlint lint`.

use clap::Args;

use super::{FailOn, Format, Outcome, OutputArgs, emit_with};
use crate::report;

/// Arguments of `iamlint lint`.
#[derive(Debug, Args)]
pub struct LintArgs {
    /// Policy files, folders (every *.json below), account dumps, or `-` for stdin.
    #[arg(
        value_name = "PATH",
        required_unless_present_any = ["users", "roles", "groups", "caller"]
    )]
    pub paths: Vec<String>,
    /// What a policy file is saved as, for IAM's size quota (account dumps say it
    /// themselves). Default: a managed policy, or a trust policy when the text is one.
    #[arg(long, value_enum, value_name = "KIND")]
    pub policy_kind: Option<crate::check::quota::Kind>,
    /// Principals to read from live IAM.
    #[command(flatten)]
    pub live: super::live::PrincipalArgs,
    /// Output options.
    #[command(flatten)]
    pub out: OutputArgs,
}

/// Run `iamlint lint`.
pub fn run(args: &LintArgs) -> anyhow::Result<Outcome> {
    // Decode the catalog while the files are read; linting waits for it.
    let catalog = std::thread::spawn(crate::catalog::get);
    let mut live_errors = Vec::new();
    let mut extra = Vec::new();
    let mut live_principals = Vec::new();
    if args.live.any() {
        let session = super::live::Session::open(&args.live.conn)?;
        let (principals, errors) = session.load(&args.live);
        extra = super::live::documents(&principals);
        live_errors = errors.iter().map(ToString::to_string).collect();
        eprintln!(
            "read {} principals, {} policy documents in {} AWS calls",
            principals.len(),
            extra.len(),
            session.calls()
        );
        live_principals = principals;
    }
    let opts = crate::LintOptions {
        policy_kind: args.policy_kind,
    };
    let mut report = crate::lint_paths_with(&args.paths, extra, opts);
    crate::check::quota::check_live(&live_principals, &mut report);
    let catalog = catalog.join().unwrap_or_else(|_| crate::catalog::get());
    if let Some(w) = &catalog.warning {
        eprintln!("warning: {w}");
    }
    // One (empty) source per error keeps `Report::documents` counting read documents only.
    for e in live_errors {
        report.sources.push(crate::SourceText {
            origin: String::new(),
            text: String::new(),
        });
        report.errors.push(e);
    }
    let opts = report::text::Options {
        color: args.out.color.enabled(),
    };
    // Written as it is rendered: the report's text is never held whole.
    emit_with(|out| match args.out.format {
        Format::Json => report::json::write_with::<serde_json::Value>(out, &report, &[]),
        Format::Text => report::text::write(out, &report, opts),
    })?;
    Ok(outcome(&report, args.out.fail_on))
}

/// The exit outcome of a report.
pub fn outcome(report: &crate::Report, fail_on: FailOn) -> Outcome {
    if !report.errors.is_empty() {
        Outcome::Error
    } else if report.findings.iter().any(|f| fail_on.fails(f.severity)) {
        Outcome::Findings
    } else {
        Outcome::Clean
    }
}
