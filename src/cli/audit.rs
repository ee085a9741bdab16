//! `iamlint audit DUMP...|--live|--org|--accounts FILE`: the risks of every user and role of
//! one or more account dumps ([`crate::analysis::audit::risk::audit`]). Exit 2 when an
//! account or a principal could not be evaluated, 1 on a risk, 0 otherwise.
//!
//! Two steps: [`targets`] gathers the accounts to audit (dumps given, or read live), each
//! read or with why it could not be; [`run`] audits those that were read and reports them
//! all, an account that could not be read included.

use clap::Args;

use super::{Outcome, emit, emit_with};
use crate::analysis::audit::Account;
use crate::analysis::audit::risk;

/// Arguments of `iamlint audit`.
#[derive(Debug, Args)]
#[command(group(
    clap::ArgGroup::new("source")
        .required(true)
        .args(["dumps", "live", "org", "accounts"])
))]
pub struct AuditArgs {
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
    /// Output format.
    #[arg(long, value_enum, default_value_t = AuditFormat::Text)]
    pub format: AuditFormat,
}

/// The formats of `audit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum AuditFormat {
    /// One line per risk, then the counts.
    Text,
    /// One JSON object: `principals`, `risks`, `unevaluated`.
    Json,
    /// One self-contained HTML page: overview, escalation paths drawn as a graph, the
    /// principals (sortable, filterable, a page each), the risks, the trust relationships.
    Html,
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
/// ([`super::audit_sources`]).
pub fn targets(args: &AuditArgs) -> anyhow::Result<Vec<Target>> {
    if let Some(live) = super::audit_sources::live_targets(args.live, &args.many, &args.conn)? {
        return Ok(live);
    }
    Ok(args
        .dumps
        .iter()
        .map(|d| Target {
            name: d.clone(),
            account: Account::read(d).map_err(|e| e.to_string()),
        })
        .collect())
}

/// Run `iamlint audit`.
pub fn run(args: &AuditArgs) -> anyhow::Result<Outcome> {
    let targets = targets(args)?;
    let mut outcome = Outcome::Clean;
    for t in &targets {
        let account = match &t.account {
            Ok(a) => a,
            Err(e) => {
                if e.starts_with(&t.name) {
                    eprintln!("error: {e}");
                } else {
                    eprintln!("error: {}: {e}", t.name);
                }
                outcome = Outcome::Error;
                continue;
            }
        };
        let o = audit_one(account, args.format)?;
        outcome = match (outcome, o) {
            (Outcome::Error, _) | (_, Outcome::Error) => Outcome::Error,
            (Outcome::Findings, _) | (_, Outcome::Findings) => Outcome::Findings,
            _ => Outcome::Clean,
        };
    }
    Ok(outcome)
}

/// Audit and report one account.
fn audit_one(account: &Account, format: AuditFormat) -> anyhow::Result<Outcome> {
    let r = risk::audit(account);
    let out = match format {
        AuditFormat::Html => {
            let g = crate::analysis::audit::graph::graph(account);
            let paths = crate::analysis::audit::graph::paths(account, &g);
            // Who each role trusts: read once, with the graph, from the dump already read.
            let trust = account.trust().map_err(anyhow::Error::msg)?;
            let data = crate::report::audit::html_data(account, &r, &paths, trust);
            emit_with(|out| crate::report::html::write(out, &data))?;
            String::new()
        }
        AuditFormat::Json => serde_json::to_string_pretty(&r)? + "\n",
        AuditFormat::Text => {
            let mut s = String::new();
            for u in &r.unevaluated {
                s += &format!(
                    "error: {} could not be evaluated: {}\n",
                    u.principal,
                    u.errors.join("; ")
                );
            }
            for k in &r.risks {
                let cond = k
                    .condition
                    .as_deref()
                    .map(|c| format!(" if {c}"))
                    .unwrap_or_default();
                let at = k.at.first().map(|a| format!("{a}: ")).unwrap_or_default();
                s += &format!(
                    "{at}{}: {} {}{} ({})\n",
                    k.code, k.principal, k.what, cond, k.access
                );
            }
            s += &format!(
                "{} principals, {} risks, {} unevaluated\n",
                r.principals,
                r.risks.len(),
                r.unevaluated.len()
            );
            s
        }
    };
    if !out.is_empty() {
        emit(&out)?;
    }
    Ok(if !r.unevaluated.is_empty() || !account.errors.is_empty() {
        Outcome::Error
    } else if r.risks.is_empty() {
        Outcome::Clean
    } else {
        Outcome::Findings
    })
}
