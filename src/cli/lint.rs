//! `iamlint lint`.

use clap::Args;

use super::{FailOn, Format, Outcome, OutputArgs, emit};
use crate::report;

/// Arguments of `iamlint lint`.
#[derive(Debug, Args)]
pub struct LintArgs {
    /// Policy files, folders (every *.json below), or `-` for stdin.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<String>,
    /// Output options.
    #[command(flatten)]
    pub out: OutputArgs,
}

/// Run `iamlint lint`.
pub fn run(args: &LintArgs) -> anyhow::Result<Outcome> {
    let catalog = crate::catalog::get();
    if let Some(w) = &catalog.warning {
        eprintln!("warning: {w}");
    }
    let report = crate::lint_paths(&args.paths);
    let text = match args.out.format {
        Format::Json => report::json::render(&report),
        Format::Text => report::text::render(
            &report,
            report::text::Options {
                color: args.out.color.enabled(),
            },
        ),
    };
    emit(&text)?;
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
