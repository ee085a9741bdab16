//! `iamlint paths`: every escalation path of an account dump, from a principal that is not
//! admin-equivalent to one that is, shortest first
//! ([`crate::analysis::audit::graph`]), rendered by [`crate::report::paths`].

use clap::Args;

use super::{Format, Outcome, emit};
use crate::analysis::audit::{Account, Kind, graph};

/// Arguments of `iamlint paths`.
#[derive(Debug, Args)]
pub struct PathsArgs {
    /// The account dump (`aws iam get-account-authorization-details`; `-`: standard input).
    #[arg(long, value_name = "FILE")]
    pub gaad: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// Run `iamlint paths`: exit 0 when there is no path, 1 when there is one, 2 when a
/// principal could not be evaluated (the list would be incomplete).
pub fn run(args: &PathsArgs) -> anyhow::Result<Outcome> {
    let account = Account::read(&args.gaad)?;
    let g = graph::graph(&account);
    let paths = graph::paths(&account, &g);
    let principals = account
        .subjects
        .iter()
        .filter(|s| s.kind != Kind::Group)
        .count();
    let r = (
        account.origin.as_str(),
        principals,
        paths.as_slice(),
        account.unevaluated.as_slice(),
        account.errors.as_slice(),
    );
    emit(&match args.format {
        Format::Json => crate::report::paths::render_json(r.0, r.1, r.2, r.3, r.4)?,
        Format::Text => crate::report::paths::render_text(r.0, r.1, r.2, r.3, r.4),
    })?;
    let outcome = if !account.unevaluated.is_empty() || !account.errors.is_empty() {
        Outcome::Error
    } else if paths.is_empty() {
        Outcome::Clean
    } else {
        Outcome::Findings
    };
    super::keep_to_exit((g, paths, account));
    Ok(outcome)
}
