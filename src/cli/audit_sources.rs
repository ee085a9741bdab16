//! Where the accounts of `iamlint audit` come from when they are not dump files: the account
//! of the running credentials (`--live`), or many accounts (`--org`, `--accounts FILE`, one
//! `--shard` of them), each read through a role assumed in it. Every account is read as
//! `iamlint fetch gaad` reads it (the same [`crate::source::iam`] code, read-only), into the
//! text `fetch gaad` would write, then into an [`Account`] named `live:ACCOUNT_ID`.
//!
//! An account that cannot be read whole (a refused `AssumeRole`, an `AccessDenied` on a page
//! of `GetAccountAuthorizationDetails`) is a [`Target`] holding the error, never an empty
//! account: `audit` reports it and exits 2.

use super::audit::Target;
use super::live::{AccountsArgs, ConnArgs};
use crate::analysis::audit::Account;
use crate::source::iam::{self as live, CallError, Session};

/// The accounts to read live, when `--live`, `--org` or `--accounts` asks for them; `None`
/// when the accounts are dump files (then no connection or account option may be given).
pub fn live_targets(
    caller: bool,
    many: &AccountsArgs,
    conn: &ConnArgs,
) -> anyhow::Result<Option<(Vec<Target>, Vec<String>)>> {
    let connects = conn.profile.is_some() || conn.region.is_some() || conn.endpoint_url.is_some();
    let per_account = many.role_name.is_some() || many.shard != (1, 1);
    if many.any() {
        return accounts(many, conn).map(Some);
    }
    if per_account {
        anyhow::bail!("--role-name and --shard apply to many accounts: give --org or --accounts");
    }
    if caller {
        return Ok(Some((vec![caller_account(conn)?], Vec::new())));
    }
    if connects {
        anyhow::bail!(
            "--profile, --region and --endpoint-url read accounts live: give --live, --org or \
             --accounts instead of dump files"
        );
    }
    Ok(None)
}

/// `live:ACCOUNT_ID`: how an account read live is named, in its positions too.
fn origin(account_id: &str) -> String {
    format!("live:{account_id}")
}

/// An account's dump, as `fetch gaad` would write it, read as an [`Account`] named `origin`.
fn account_of(origin: &str, dump: &serde_json::Value) -> Result<Account, String> {
    let text = live::gaad::to_text(dump).map_err(|e| format!("{origin}: {e}"))?;
    Account::from_text(origin, &text).map_err(|e| e.to_string())
}

/// Why the account `name` could not be audited: the call that failed.
fn not_read(name: &str, e: &CallError) -> String {
    format!("{name}: {e} (the account is not audited)")
}

/// `--live`: the account of the running credentials, read whole.
fn caller_account(conn: &ConnArgs) -> anyhow::Result<Target> {
    let s = Session::open(&conn.options())?;
    let arn = match s.caller_arn() {
        Ok(arn) => arn,
        Err(e) => {
            let name = "live".to_string();
            return Ok(Target {
                account: Err(not_read(&name, &e)),
                name,
            });
        }
    };
    // arn:PARTITION:SERVICE::ACCOUNT:RESOURCE
    let id = arn.split(':').nth(4).unwrap_or_default();
    let name = origin(if id.is_empty() { "caller" } else { id });
    let account = match s.gaad() {
        Ok(dump) => account_of(&name, &dump),
        Err(e) => Err(not_read(&name, &e)),
    };
    eprintln!("caller: {arn} ({} IAM calls)", s.calls());
    Ok(Target { name, account })
}

/// `--org` or `--accounts`: one shard of the accounts, each read through the role assumed
/// in it, as `fetch gaad --org` reads them ([`AccountsArgs::read`]).
fn accounts(many: &AccountsArgs, conn: &ConnArgs) -> anyhow::Result<(Vec<Target>, Vec<String>)> {
    let s = Session::open(&conn.options())?;
    let (reads, all) = many.read(&s)?;
    let total = reads.len();
    let mut failed = 0;
    let targets: Vec<Target> = reads
        .into_iter()
        .map(|r| {
            let name = origin(&r.account.id);
            let account = match r.dump {
                Ok(dump) => account_of(&name, &dump),
                Err(mut e) => {
                    if !r.account.name.is_empty() {
                        // `account ID` -> `account ID (NAME)`, so the reader knows which.
                        e.who = e.who.replacen(
                            &r.account.id,
                            &format!("{} ({})", r.account.id, r.account.name),
                            1,
                        );
                    }
                    Err(not_read(&name, &e))
                }
            };
            if account.is_err() {
                failed += 1;
            }
            Target { name, account }
        })
        .collect();
    eprintln!(
        "{} of {total} accounts read (shard {}/{})",
        total - failed,
        many.shard.0,
        many.shard.1,
    );
    Ok((targets, all))
}
