//! `iamlint lint`.

use clap::Args;

use super::{Color, FailOn, Format, Outcome, emit};
use crate::report;

/// Arguments of `iamlint lint`.
#[derive(Debug, Args)]
pub struct LintArgs {
    /// Policy files, folders (every *.json below), or `-` for stdin.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Fail (exit 1) on findings of this severity or worse.
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    pub fail_on: FailOn,
    /// Colour the text output.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    pub color: Color,
}

/// Run `iamlint lint`.
pub fn run(args: &LintArgs) -> anyhow::Result<Outcome> {
    let catalog = crate::catalog::get();
    if let Some(w) = &catalog.warning {
        eprintln!("warning: {w}");
    }
    let report = crate::lint_paths(&args.paths);
    let text = match args.format {
        Format::Json => report::json::render(&report),
        Format::Text => report::text::render(
            &report,
            report::text::Options {
                color: args.color.enabled(),
            },
        ),
    };
    emit(&text)?;
    Ok(outcome(&report, args.fail_on))
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
