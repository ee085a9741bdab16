//! The command line: clap structures and one function per subcommand. A subcommand's
//! function parses its arguments, calls the library ([`crate::lint`], [`crate::check()`],
//! ...), renders the result with [`crate::report`] and maps it to an [`Outcome`]; it reads
//! no policy and draws no table itself. `main.rs` calls [`run`] and turns its [`Outcome`]
//! into the exit code.

mod audit;
mod audit_sources;
mod can;
mod catalog;
mod check;
mod diff;
mod lint;
mod live;
mod paths;
mod rules;
mod whocan;

use std::io::{IsTerminal, Write};

use clap::{Parser, Subcommand, ValueEnum};

use std::path::PathBuf;

use crate::baseline::Baseline;
use crate::config::Config;

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing at or above `--fail-on` (exit 0).
    Clean,
    /// Findings at or above `--fail-on` (exit 1).
    Findings,
    /// Usage error, or an input that could not be read (exit 2).
    Error,
}

impl Outcome {
    /// The process exit code.
    pub fn code(self) -> u8 {
        match self {
            Outcome::Clean => 0,
            Outcome::Findings => 1,
            Outcome::Error => 2,
        }
    }
}

/// Leave `value` to the end of the process instead of freeing it: a command hands over what
/// it read once its output is written, and the process ends next, when the system takes all
/// of its memory back at once. Freeing an account read from a large dump, allocation by
/// allocation, takes tens of milliseconds: a tenth of `who-can`'s run.
pub(crate) fn keep_to_exit<T>(value: T) {
    std::mem::forget(value);
}

/// Lint and audit AWS IAM policies, offline.
#[derive(Debug, Parser)]
#[command(name = "iamlint", version, about, long_about = None, arg_required_else_help = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Lint policy documents: files, folders (recursive *.json), `-` for stdin.
    Lint(lint::LintArgs),
    /// Look up the embedded AWS catalog.
    #[command(subcommand)]
    Catalog(catalog::CatalogCommand),
    /// Check policies against a rule set: missing, excess and mis-scoped grants.
    Check(check::CheckArgs),
    /// Decide one request: is ACTION on RESOURCE allowed by the policies (and boundary), or
    /// (`--gaad`) for PRINCIPAL of an account dump? Exit 0 allowed, 1 denied, not allowed or
    /// allowed only if a condition holds, 2 on bad input.
    Can(can::CanArgs),
    /// Every user and role of an account dump allowed ACTION on RESOURCE, and those allowed
    /// only if a condition holds. Exit 0, or 2 when a principal could not be evaluated.
    WhoCan(whocan::WhoCanArgs),
    /// Every escalation path of an account dump: how a user or role that is not
    /// admin-equivalent can become one, shortest first. Exit 0 none, 1 some, 2 when a
    /// principal could not be evaluated.
    Paths(paths::PathsArgs),
    /// The risks of every user and role of an account dump (or of accounts read live:
    /// --live, --org, --accounts): admin-equivalent, escalation methods, data exfiltration,
    /// exposure. Exit 2 when an account could not be read or a principal evaluated.
    Audit(audit::AuditArgs),
    /// Print the least-privilege policy a rule set describes.
    Render(check::RenderArgs),
    /// The access a policy change adds (and removes): two policies, two sets, or every
    /// policy file changed since a git ref. Exit 1 on new access.
    Diff(diff::DiffArgs),
    /// List, show and compare rule sets.
    #[command(subcommand)]
    Rules(rules::RulesCommand),
    /// Look up the embedded AWS managed policies.
    #[command(subcommand)]
    Managed(rules::ManagedCommand),
    /// Read from live IAM (read-only).
    #[command(subcommand)]
    Fetch(live::FetchCommand),
    /// Print the documentation of a finding code.
    Explain {
        /// The code, e.g. `resource-mismatch`.
        code: Option<String>,
        /// Print every code as Markdown (the source of docs/codes.md).
        #[arg(long, conflicts_with = "code")]
        all: bool,
    },
}

/// `--format`, `--fail-on`, `--color` and the gate's flags, shared by `lint` and `check`.
#[derive(Debug, clap::Args)]
pub struct OutputArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = crate::report::Format::Text)]
    pub format: crate::report::Format,
    /// Fail (exit 1) on findings of this severity or worse [default: `fail-on` of
    /// iamlint.toml, else error].
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
    /// Colour the text output.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    pub color: Color,
    /// Write the report to this file instead of standard output (created, or replaced).
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Config file and baseline.
    #[command(flatten)]
    pub gate: GateArgs,
}

impl OutputArgs {
    /// Let `write` write the report to `--output`, else to stdout ([`emit_with`]).
    pub fn emit(
        &self,
        write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
    ) -> anyhow::Result<()> {
        let Some(path) = &self.output else {
            return emit_with(write);
        };
        let file = std::fs::File::create(path)
            .map_err(|e| anyhow::anyhow!("{}: cannot write the report: {e}", path.display()))?;
        let mut out = std::io::BufWriter::with_capacity(64 * 1024, file);
        write(&mut out)
            .and_then(|()| std::io::Write::flush(&mut out))
            .map_err(|e| anyhow::anyhow!("{}: cannot write the report: {e}", path.display()))
    }

    /// `--fail-on`, else the config's `fail-on`, else `error`.
    pub fn fail_on(&self, config: Option<&Config>) -> FailOn {
        self.fail_on
            .or(config.and_then(|c| c.fail_on))
            .unwrap_or(FailOn::Error)
    }
}

/// The config file and the baseline: `--config`, `--no-config`, `--baseline`,
/// `--write-baseline`. The work is the library's ([`Config::apply`], [`Baseline::apply`]).
#[derive(Debug, clap::Args)]
pub struct GateArgs {
    /// The config file [default: iamlint.toml in the working directory or the nearest folder
    /// above it].
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,
    /// Read no config file.
    #[arg(long)]
    pub no_config: bool,
    /// Fail only on findings this baseline does not hold; count the baselined ones and list
    /// the fixed ones (in the baseline, not found now).
    #[arg(long, value_name = "FILE", conflicts_with = "write_baseline")]
    pub baseline: Option<PathBuf>,
    /// Record the findings (after the config) in this baseline file and exit 0, unless an
    /// input could not be read (then nothing is written and the exit is 2).
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
}

impl GateArgs {
    /// The config: `--config`, else the one found upward from the working directory,
    /// unless `--no-config`.
    pub fn config(&self) -> anyhow::Result<Option<Config>> {
        if self.no_config {
            return Ok(None);
        }
        let path = match &self.config {
            Some(p) => p.clone(),
            None => {
                let cwd = std::env::current_dir()?;
                match crate::config::discover(&cwd) {
                    // Shown as the user would write it: `../iamlint.toml`.
                    Some(p) => crate::config::relative_to(&p, &cwd),
                    None => return Ok(None),
                }
            }
        };
        Ok(Some(Config::load(&path)?))
    }

    /// The `--baseline`, read before any work so a bad one fails at once.
    pub fn baseline(&self) -> anyhow::Result<Option<Baseline>> {
        Ok(self.baseline.as_deref().map(Baseline::read).transpose()?)
    }

    /// Apply the config to each report, then the baseline across them all, or record them
    /// in `--write-baseline` (only when every input was read: a baseline never records a
    /// partial run).
    pub fn finish(
        &self,
        reports: &mut [&mut crate::Report],
        config: Option<&Config>,
        baseline: Option<&Baseline>,
    ) -> anyhow::Result<()> {
        if let Some(c) = config {
            for r in reports.iter_mut() {
                c.apply(r);
            }
        }
        if let (Some(b), Some(path)) = (baseline, &self.baseline) {
            b.apply(reports, path);
        }
        if let Some(path) = &self.write_baseline {
            let unread: usize = reports.iter().map(|r| r.errors.len()).sum();
            if unread > 0 {
                eprintln!(
                    "error: {}: not written: {unread} input{} could not be read",
                    path.display(),
                    if unread == 1 { "" } else { "s" }
                );
            } else {
                // Only a baseline is overwritten: never a policy or another file named by
                // mistake (nothing a user passes in is modified).
                if path.exists() {
                    if let Err(e) = Baseline::read(path) {
                        anyhow::bail!(
                            "--write-baseline {}: the file exists and is not a baseline, so it \
                             is not overwritten ({e})",
                            path.display()
                        );
                    }
                }
                let all: Vec<&crate::Report> = reports.iter().map(|r| &**r).collect();
                let b = Baseline::of(&all, path);
                b.write(path)?;
                eprintln!(
                    "wrote {} finding{} to {}",
                    b.findings.len(),
                    if b.findings.len() == 1 { "" } else { "s" },
                    path.display()
                );
            }
        }
        Ok(())
    }

    /// The outcome of reports at `fail_on`: writing a baseline accepts every finding.
    pub fn outcome(&self, reports: &[&crate::Report], fail_on: FailOn) -> Outcome {
        let fail_on = if self.write_baseline.is_some() {
            FailOn::Never
        } else {
            fail_on
        };
        reports
            .iter()
            .map(|r| lint::outcome(r, fail_on))
            .max_by_key(|o| o.code())
            .unwrap_or(Outcome::Clean)
    }
}

/// Output format of the commands that print one thing (`can`, `catalog`, `rules`); `lint`,
/// `check` and `diff` take [`crate::report::Format`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Compiler-style text.
    Text,
    /// One JSON object.
    Json,
}

pub use crate::config::FailOn;

/// When to colour text output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Color {
    /// When stdout is a terminal and `NO_COLOR` is unset.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

impl Color {
    /// Resolve against the terminal.
    pub fn enabled(self) -> bool {
        match self {
            Color::Always => true,
            Color::Never => false,
            Color::Auto => {
                std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
            }
        }
    }
}

/// Run a parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<Outcome> {
    match cli.command {
        Command::Lint(args) => lint::run(&args),
        Command::Catalog(cmd) => catalog::run(cmd),
        Command::Check(args) => check::run(&args),
        Command::Render(args) => check::render(&args),
        Command::Diff(args) => diff::run(&args),
        Command::Can(args) => can::run(&args),
        Command::WhoCan(args) => whocan::run(&args),
        Command::Paths(args) => paths::run(&args),
        Command::Audit(args) => audit::run(&args),
        Command::Rules(cmd) => rules::run(cmd),
        Command::Managed(cmd) => rules::managed(cmd),
        Command::Fetch(cmd) => live::fetch(&cmd),
        Command::Explain { code, all } => explain(code.as_deref(), all),
    }
}

fn explain(code: Option<&str>, all: bool) -> anyhow::Result<Outcome> {
    if all {
        emit(&crate::check::docs::all_markdown())?;
        return Ok(Outcome::Clean);
    }
    let Some(name) = code else {
        let mut s = String::new();
        for c in crate::finding::Code::ALL {
            s.push_str(&format!(
                "{:<30} {:<8} {}\n",
                c.as_str(),
                c.default_severity().as_str(),
                c.summary()
            ));
        }
        emit(&s)?;
        return Ok(Outcome::Clean);
    };
    match crate::finding::Code::from_name(name) {
        Some(c) => {
            emit(&crate::check::docs::explain(c))?;
            Ok(Outcome::Clean)
        }
        None => {
            let names = crate::finding::Code::ALL.iter().map(|c| c.as_str());
            let hint = crate::suggest::closest(name, names)
                .map(|s| format!("; did you mean `{s}`?"))
                .unwrap_or_default();
            eprintln!("error: no finding code `{name}`{hint} (`iamlint explain` lists them)");
            Ok(Outcome::Error)
        }
    }
}

/// Write to stdout; a closed pipe is not an error.
pub fn emit(s: &str) -> anyhow::Result<()> {
    emit_with(|out| out.write_all(s.as_bytes()))
}

/// Let `write` write to stdout (buffered), so a large report is never held whole; a closed
/// pipe is not an error.
pub fn emit_with(
    write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> anyhow::Result<()> {
    let mut out = std::io::BufWriter::with_capacity(64 * 1024, std::io::stdout().lock());
    match write(&mut out).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        r => Ok(r?),
    }
}
