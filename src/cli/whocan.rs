//! `iamlint who-can`: every user and role of an account dump allowed one request, and those
//! allowed only under a condition ([`crate::analysis::audit::whocan`]), rendered by
//! [`crate::report::whocan`].

use clap::Args;

use super::{Format, Outcome, emit};
use crate::analysis::audit::{Account, effective, whocan};
use crate::eval::request::{Hit, Request};

/// Arguments of `iamlint who-can`.
#[derive(Debug, Args)]
pub struct WhoCanArgs {
    /// The action, e.g. `s3:GetObject`.
    pub action: String,
    /// The resource ARN; `*` (the default) for actions that take no resource type.
    #[arg(default_value = "*")]
    pub resource: String,
    /// The account dump (`aws iam get-account-authorization-details`; `-`: standard input).
    #[arg(long, value_name = "FILE")]
    pub gaad: String,
    /// A request context value, `key=value` (repeatable). Keys not given (and not fixed by
    /// the dump for each principal, as `aws:username`) may hold any value: a statement
    /// conditioned on one makes its principal "allowed if <condition>".
    #[arg(long = "context", value_name = "KEY=VALUE")]
    pub context: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// Run `iamlint who-can`: exit 0 when every principal was evaluated, 2 when any could not
/// be (the list of who can would be incomplete).
pub fn run(args: &WhoCanArgs) -> anyhow::Result<Outcome> {
    let context = effective::context(&args.context)?;
    let account = Account::read(&args.gaad)?;
    let req = Request {
        action: args.action.clone(),
        resource: args.resource.clone(),
        context,
    };
    let w = whocan::who_can(&account, &req)?;
    let file_of = |h: &Hit| account.file_of(h).to_string();
    emit(&match args.format {
        Format::Json => crate::report::whocan::render_json(&w, &file_of)?,
        Format::Text => crate::report::whocan::render_text(&w, &file_of),
    })?;
    let complete = w.complete();
    super::keep_to_exit((w, account));
    Ok(if complete {
        Outcome::Clean
    } else {
        Outcome::Error
    })
}
