//! The command line: clap structures and one function per subcommand. A subcommand's
//! function parses its arguments, calls the library ([`crate::lint`], [`crate::check()`],
//! ...), renders the result with [`crate::report`] and maps it to an [`Outcome`]; it reads
//! no policy and draws no table itself. `main.rs` calls [`run`] and turns its [`Outcome`]
//! into the exit code.

mod can;
mod catalog;
mod check;
mod lint;
mod live;
mod rules;
mod whocan;

use std::io::{IsTerminal, Write};

use clap::{Parser, Subcommand, ValueEnum};

use crate::finding::Severity;

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
    /// Print the least-privilege policy a rule set describes.
    Render(check::RenderArgs),
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

/// `--format`, `--fail-on` and `--color`, shared by `lint` and `check`.
#[derive(Debug, clap::Args)]
pub struct OutputArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = crate::report::Format::Text)]
    pub format: crate::report::Format,
    /// Fail (exit 1) on findings of this severity or worse.
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    pub fail_on: FailOn,
    /// Colour the text output.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    pub color: Color,
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

/// The severity from which the run fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// Errors only.
    Error,
    /// Warnings and errors.
    Warning,
    /// Anything.
    Info,
    /// Never fail on findings (unreadable input still exits 2).
    Never,
}

impl FailOn {
    /// Does a finding of severity `s` fail the run?
    pub fn fails(self, s: Severity) -> bool {
        match self {
            FailOn::Error => s >= Severity::Error,
            FailOn::Warning => s >= Severity::Warning,
            FailOn::Info => true,
            FailOn::Never => false,
        }
    }
}

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
        Command::Can(args) => can::run(&args),
        Command::WhoCan(args) => whocan::run(&args),
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
