//! `iamlint lint`.

use clap::Args;

use super::{FailOn, Outcome, OutputArgs};
use crate::report;

/// Arguments of `iamlint lint`.
#[derive(Debug, Args)]
pub struct LintArgs {
    /// Policy files, folders (every *.json below), account dumps, or `-` for stdin.
    /// With none (and no live principal), the `files` of iamlint.toml.
    #[arg(value_name = "PATH")]
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
    let config = args.out.gate.config()?;
    let baseline = args.out.gate.baseline()?;
    let fail_on = args.out.fail_on(config.as_ref());
    // No path and no live principal: the files the config lists.
    let mut found = Vec::new();
    if args.paths.is_empty() && !args.live.any() {
        match &config {
            Some(c) if c.has_files() => {
                let cwd = std::env::current_dir()?.canonicalize()?;
                found = c.lint_files(&cwd)?;
            }
            Some(c) => anyhow::bail!(
                "give a PATH to lint: {} lists no `files` (see docs/config.md)",
                c.path.display()
            ),
            None => anyhow::bail!(
                "give a PATH to lint, or list `files` in an iamlint.toml (see docs/config.md)"
            ),
        }
    }
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
    let mut report = if found.is_empty() {
        crate::lint(&args.paths, &live.0, &live.1, opts)
    } else {
        crate::lint_found(&found, opts)
    };
    args.out
        .gate
        .finish(&mut [&mut report], config.as_ref(), baseline.as_ref())?;
    let catalog = catalog.join().unwrap_or_else(|_| crate::catalog::get());
    if let Some(w) = &catalog.warning {
        eprintln!("warning: {w}");
    }
    let opts = report::text::Options {
        color: args.out.color.enabled(),
    };
    // Written as it is rendered: the report's text is never held whole.
    args.out
        .emit(|out| report::write(out, &report, args.out.format, opts))?;
    let outcome = args.out.gate.outcome(&[&report], fail_on);
    // Thousands of findings, made on other threads: freeing them one by one is work the
    // exit does for free.
    super::keep_to_exit(report);
    Ok(outcome)
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
