//! `iamlint audit DUMP...|--live|--org|--accounts FILE`: the security review of one or
//! more accounts ([`crate::analysis::audit::review`]): the risks of every user and role, the
//! dangerous trust policies and the escalation paths, as findings in any format of `lint`.
//! Exit 2 when an account or a principal could not be read or evaluated, 1 on a finding at
//! or above `--fail-on`, 0 otherwise.
//!
//! Two steps: [`targets`] gathers the accounts to audit (dumps given, or read live), each
//! read or with why it could not be; [`run`] reviews those that were read and reports them
//! all, an account that could not be read included.

use clap::Args;

use super::{Outcome, OutputArgs};
use crate::analysis::audit::Account;
use crate::analysis::audit::review::{self, Input};
use crate::report;

/// Arguments of `iamlint audit`.
#[derive(Debug, Args)]
#[command(
    args_conflicts_with_subcommands = true,
    subcommand_negates_reqs = true,
    group(
        clap::ArgGroup::new("source")
            .required(true)
            .args(["dumps", "live", "org", "accounts"])
    )
)]
pub struct AuditArgs {
    /// `merge`: join shard results instead of auditing.
    #[command(subcommand)]
    pub command: Option<AuditCommand>,
    /// Account dumps (`aws iam get-account-authorization-details`; `-`: standard input).
    #[arg(value_name = "DUMP")]
    pub dumps: Vec<String>,
    /// The account of the running credentials instead, read live (read-only IAM calls, as
    /// `iamlint fetch gaad`).
    #[arg(long, help_heading = "Accounts")]
    pub live: bool,
    /// Many accounts instead, each read through a role assumed in it.
    #[command(flatten)]
    pub many: super::live::AccountsArgs,
    /// Connection, with --live, --org or --accounts.
    #[command(flatten)]
    pub conn: super::live::ConnArgs,
    /// An account id that roles may trust without a `trust-unknown-account` finding (the
    /// accounts of the dumps audited are known); repeatable.
    #[arg(long = "known-account", value_name = "ID")]
    pub known_accounts: Vec<String>,
    /// Format, `--fail-on`, `--output`, config and baseline.
    #[command(flatten)]
    pub out: OutputArgs,
}

/// What `iamlint audit` does besides auditing.
#[derive(Debug, clap::Subcommand)]
pub enum AuditCommand {
    /// Join the results of several `iamlint audit --format json` runs (the shards of an
    /// organization) into one report, in any format.
    Merge(MergeArgs),
}

/// Arguments of `iamlint audit merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The JSON results to join.
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<String>,
    /// Format, `--fail-on`, `--output`, config and baseline.
    #[command(flatten)]
    pub out: OutputArgs,
}

/// One account to audit: read, or why it could not be.
#[derive(Debug)]
pub struct Target {
    /// What names it: the dump's path, or the account id.
    pub name: String,
    /// The account, or the error that kept it from being read (never audited as clean).
    pub account: Result<Account, String>,
}

/// The accounts to audit: each dump given, or the accounts read live
/// ([`super::audit_sources`]); and, for `--org`/`--accounts`, every account of the
/// organization or the list (all shards), which its roles may trust.
pub fn targets(args: &AuditArgs) -> anyhow::Result<(Vec<Target>, Vec<String>)> {
    if let Some(live) = super::audit_sources::live_targets(args.live, &args.many, &args.conn)? {
        return Ok(live);
    }
    let targets = args
        .dumps
        .iter()
        .map(|d| Target {
            name: d.clone(),
            account: Account::read(d).map_err(|e| e.to_string()),
        })
        .collect();
    Ok((targets, Vec::new()))
}

/// Run `iamlint audit`.
pub fn run(args: &AuditArgs) -> anyhow::Result<Outcome> {
    if let Some(AuditCommand::Merge(m)) = &args.command {
        return merge(m);
    }
    let config = args.out.gate.config()?;
    let baseline = args.out.gate.baseline()?;
    let fail_on = args.out.fail_on(config.as_ref());
    // The organization's accounts (every shard's) are known to its trust policies.
    let (targets, org) = targets(args)?;
    let mut known = args.known_accounts.clone();
    known.extend(org);
    let inputs: Vec<Input<'_>> = targets
        .iter()
        .map(|t| Input {
            name: &t.name,
            account: t.account.as_ref().map_err(String::as_str),
        })
        .collect();
    let opts = review::Options {
        keep_text: args.out.format.shows_source(),
        permissions: args.out.format == report::Format::Html,
    };
    let review = review::review(&inputs, opts, &known);
    drop(inputs);
    super::keep_to_exit(targets);
    finish(
        &args.out,
        review,
        config.as_ref(),
        baseline.as_ref(),
        fail_on,
    )
}

/// The config and baseline applied to `review`, the report written, and the exit.
fn finish(
    out: &OutputArgs,
    mut review: review::Review,
    config: Option<&crate::config::Config>,
    baseline: Option<&crate::baseline::Baseline>,
    fail_on: super::FailOn,
) -> anyhow::Result<Outcome> {
    out.gate
        .finish(&mut [&mut review.report], config, baseline)?;
    let opts = report::text::Options {
        color: out.color.enabled(),
    };
    out.emit(|w| report::write(w, &review, out.format, opts))?;
    let outcome = out.gate.outcome(&[&review.report], fail_on);
    super::keep_to_exit(review);
    Ok(outcome)
}

/// Run `iamlint audit merge`: every part read (bounded like any input) and parsed first, so
/// a bad one fails the run before anything is written.
fn merge(args: &MergeArgs) -> anyhow::Result<Outcome> {
    let config = args.out.gate.config()?;
    let baseline = args.out.gate.baseline()?;
    let fail_on = args.out.fail_on(config.as_ref());
    let mut parts = Vec::new();
    for f in &args.files {
        // A part holds whole accounts: the account dump's limit, not a policy's.
        let input = crate::source::Input::named(f);
        let doc = crate::source::read_within(&input, crate::source::Limit::DUMP)?;
        let v: serde_json::Value = serde_json::from_str(&doc.text)
            .map_err(|e| anyhow::anyhow!("{f}:{}:{}: not JSON: {e}", e.line(), e.column()))?;
        parts.push((f.clone(), v));
    }
    let review = review::merge(&parts)?;
    finish(
        &args.out,
        review,
        config.as_ref(),
        baseline.as_ref(),
        fail_on,
    )
}
