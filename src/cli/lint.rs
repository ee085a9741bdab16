//! `iamlint lint`.

use clap::Args;

use super::{FailOn, Outcome, OutputArgs, emit_with};
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

/// Run `iamlint lint`: read the live principals asked for, call [`crate::lint`], render,
/// map the report to an exit code.
pub fn run(args: &LintArgs) -> anyhow::Result<Outcome> {
    // Decode the catalog while the files are read; linting waits for it.
    let catalog = std::thread::spawn(crate::catalog::get);
    let mut live = (Vec::new(), Vec::new());
    if args.live.any() {
        let (session, principals, errors) = args.live.load()?;
        eprintln!(
            "read {} principals, {} policy documents in {} AWS calls",
            principals.len(),
            crate::source::iam::documents(&principals).len(),
            session.calls()
        );
        live = (principals, errors);
    }
    let opts = crate::LintOptions {
        policy_kind: args.policy_kind,
        drop_texts: !args.out.format.shows_source(),
    };
    let report = crate::lint(&args.paths, &live.0, &live.1, opts);
    let catalog = catalog.join().unwrap_or_else(|_| crate::catalog::get());
    if let Some(w) = &catalog.warning {
        eprintln!("warning: {w}");
    }
    let opts = report::text::Options {
        color: args.out.color.enabled(),
    };
    // Written as it is rendered: the report's text is never held whole.
    emit_with(|out| report::write(out, &report, args.out.format, opts))?;
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
