//! `iamlint audit DUMP`: the risks of every user and role of an account dump
//! ([`crate::analysis::audit::risk::audit`]). Exit 2 when a principal could not be
//! evaluated, 1 on a risk, 0 otherwise.

use clap::Args;

use super::{Outcome, emit, emit_with};
use crate::analysis::audit::Account;
use crate::analysis::audit::risk;

/// Arguments of `iamlint audit`.
#[derive(Debug, Args)]
pub struct AuditArgs {
    /// An account dump (`aws iam get-account-authorization-details`; `-`: standard input).
    #[arg(value_name = "DUMP")]
    pub dump: String,
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

/// Run `iamlint audit`.
pub fn run(args: &AuditArgs) -> anyhow::Result<Outcome> {
    let account = Account::read(&args.dump)?;
    let r = risk::audit(&account);
    let out = match args.format {
        AuditFormat::Html => {
            let g = crate::analysis::audit::graph::graph(&account);
            let paths = crate::analysis::audit::graph::paths(&account, &g);
            // Who each role trusts: read once, with the graph, from the dump already read.
            let trust = account.trust().map_err(anyhow::Error::msg)?;
            let data = crate::report::audit::html_data(&account, &r, &paths, trust);
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
