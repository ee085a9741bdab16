//! Many accounts: the organization's member accounts (read-only Organizations calls) or a
//! list from a file, one shard of them (`--shard K/N`, so a CI matrix or a batch array job
//! spreads a large organization over many machines), and each account's authorization
//! details read through a role assumed in it (`--role-name`), a bounded number of accounts
//! at once. An account that cannot be read (a refused `AssumeRole`, a failed call) is an
//! error of that account, never an empty dump.

use std::time::Duration;

use futures_util::StreamExt;
use serde_json::Value;

use super::{CallError, Loader, Options};

/// An account to read.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Account {
    /// The 12-digit id.
    pub id: String,
    /// Its name, when known.
    pub name: String,
}

/// One account's outcome.
#[derive(Debug)]
pub struct Read {
    /// The account.
    pub account: Account,
    /// Its authorization details, as `fetch gaad` writes them, or why not.
    pub dump: Result<Value, CallError>,
    /// AWS calls made for it.
    pub calls: usize,
}

/// `K/N` of `--shard`: shard K (1-based) of N.
pub fn parse_shard(s: &str) -> Result<(usize, usize), String> {
    let bad = || format!("--shard `{s}`: write K/N with 1 <= K <= N, e.g. 3/16");
    let (k, n) = s.split_once('/').ok_or_else(bad)?;
    let (k, n): (usize, usize) = (
        k.trim().parse().map_err(|_| bad())?,
        n.trim().parse().map_err(|_| bad())?,
    );
    if k == 0 || n == 0 || k > n {
        return Err(bad());
    }
    Ok((k, n))
}

/// Shard `k` of `n` of the accounts: sorted by id and deduplicated, every account whose
/// position is `k - 1` modulo `n`. The N shards are disjoint and together hold every
/// account, whichever machine computes them.
pub fn shard(mut accounts: Vec<Account>, k: usize, n: usize) -> Vec<Account> {
    accounts.sort();
    accounts.dedup_by(|a, b| a.id == b.id);
    accounts
        .into_iter()
        .enumerate()
        .filter(|(i, _)| n > 0 && i % n == k.saturating_sub(1))
        .map(|(_, a)| a)
        .collect()
}

/// The accounts of an `--accounts` file: one 12-digit id a line, optionally followed by a
/// name; blank lines and `#` comments are ignored. A bad line is an error naming
/// `file:line:column`.
pub fn parse_accounts(path: &str, text: &str) -> Result<Vec<Account>, String> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let content = line.split('#').next().unwrap_or_default();
        let trimmed = content.trim_start();
        if trimmed.trim().is_empty() {
            continue;
        }
        let column = content.len() - trimmed.len() + 1;
        let (id, name) = match trimmed.split_once(char::is_whitespace) {
            Some((id, name)) => (id, name.trim()),
            None => (trimmed.trim_end(), ""),
        };
        if id.len() != 12 || !id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!(
                "{path}:{}:{column}: `{id}` is not a 12-digit AWS account id",
                i + 1
            ));
        }
        out.push(Account {
            id: id.to_string(),
            name: name.to_string(),
        });
    }
    if out.is_empty() {
        return Err(format!("{path}: no account id in the file"));
    }
    Ok(out)
}

/// The organization's active accounts (`organizations:ListAccounts`, every page).
pub async fn list_accounts(conf: &aws_config::SdkConfig) -> Result<Vec<Account>, CallError> {
    let client = aws_sdk_organizations::Client::from_conf(
        aws_sdk_organizations::config::Builder::from(conf)
            .interceptor(super::guard::ReadOnly)
            .build(),
    );
    let (who, op) = ("organization", "organizations:ListAccounts");
    let mut out = Vec::new();
    let mut token: Option<String> = None;
    for _ in 0..super::MAX_PAGES {
        let page = client
            .list_accounts()
            .set_next_token(token.clone())
            .send()
            .await
            .map_err(|e| CallError::from_sdk(who, op, &e))?;
        for a in page.accounts() {
            #[allow(
                deprecated,
                reason = "`state` is not in every SDK version we build with"
            )]
            let active = a
                .status()
                .is_none_or(|s| *s == aws_sdk_organizations::types::AccountStatus::Active);
            if let (Some(id), true) = (a.id(), active) {
                out.push(Account {
                    id: id.to_string(),
                    name: a.name().unwrap_or_default().to_string(),
                });
            }
        }
        match page.next_token() {
            Some(t) if Some(t) != token.as_deref() => token = Some(t.to_string()),
            Some(_) => {
                return Err(CallError::new(
                    who,
                    op,
                    None,
                    "the listing does not advance (the same token again); stopped",
                ));
            }
            None => return Ok(out),
        }
    }
    Err(CallError::new(who, op, None, "too many pages; stopped"))
}

/// Read every account's authorization details through `role_name` assumed in it, at most
/// `parallel` accounts at once (each with `o.max_in_flight` calls in flight), with a
/// progress bar on a terminal. Results are in account order.
pub async fn read_accounts(
    conf: &aws_config::SdkConfig,
    o: &Options,
    accounts: &[Account],
    role_name: &str,
    parallel: usize,
) -> Vec<Read> {
    let base = super::clients(conf, None);
    // The partition of the running credentials, for the role ARNs.
    let partition = match super::caller_arn(&base).await {
        Ok(arn) => arn.split(':').nth(1).unwrap_or("aws").to_string(),
        Err(_) => "aws".to_string(),
    };
    let bar = o.progress.then(|| {
        let bar = indicatif::ProgressBar::new(accounts.len() as u64);
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{bar:30} {pos}/{len} accounts in {elapsed} {msg}",
        ) {
            bar.set_style(style);
        }
        bar.enable_steady_tick(Duration::from_millis(200));
        bar
    });
    let inner = Options {
        progress: false,
        ..o.clone()
    };
    let mut reads: Vec<Read> = futures_util::stream::iter(accounts.iter().cloned())
        .map(|account| {
            let (base, inner, bar, partition) = (&base, &inner, &bar, &partition);
            async move {
                let role = format!("arn:{partition}:iam::{}:role/{role_name}", account.id);
                let r = read_one(conf, base, inner, &account, &role).await;
                if let Some(b) = bar {
                    b.inc(1);
                }
                r
            }
        })
        .buffer_unordered(parallel.max(1))
        .collect()
        .await;
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    reads.sort_by(|a, b| a.account.cmp(&b.account));
    reads
}

async fn read_one(
    conf: &aws_config::SdkConfig,
    base: &super::Clients,
    o: &Options,
    account: &Account,
    role: &str,
) -> Read {
    let who = format!("account {}", account.id);
    let assumed = base
        .sts
        .assume_role()
        .role_arn(role)
        .role_session_name("iamlint-audit")
        .send()
        .await
        .map_err(|e| CallError::from_sdk(&who, "sts:AssumeRole", &e));
    let creds = match assumed {
        Ok(out) => match out.credentials() {
            Some(c) => aws_sdk_iam::config::Credentials::new(
                c.access_key_id(),
                c.secret_access_key(),
                Some(c.session_token().to_string()),
                None,
                "iamlint-assume-role",
            ),
            None => {
                return Read {
                    account: account.clone(),
                    dump: Err(CallError::new(
                        &who,
                        "sts:AssumeRole",
                        None,
                        format!("{role}: the answer holds no credentials"),
                    )),
                    calls: 1,
                };
            }
        },
        Err(mut e) => {
            e.message = format!("{role}: {}", e.message);
            return Read {
                account: account.clone(),
                dump: Err(e),
                calls: 1,
            };
        }
    };
    let loader = Loader::new(&super::clients(conf, Some(creds)), o);
    let dump = loader.gaad().await.map_err(|mut e| {
        e.who = format!("{who}: {}", e.who);
        e
    });
    Read {
        account: account.clone(),
        dump,
        calls: 1 + loader.calls(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(a: &[Account]) -> Vec<&str> {
        a.iter().map(|a| a.id.as_str()).collect()
    }

    #[test]
    fn shards_are_disjoint_and_cover_every_account() {
        let all: Vec<Account> = (0..10)
            .rev()
            .map(|i| Account {
                id: format!("{:012}", i),
                name: String::new(),
            })
            .collect();
        let mut seen = Vec::new();
        for k in 1..=3 {
            let s = shard(all.clone(), k, 3);
            assert!(s.len() == 3 || s.len() == 4);
            seen.extend(ids(&s).into_iter().map(str::to_string));
        }
        seen.sort();
        assert_eq!(seen, ids(&shard(all.clone(), 1, 1)));
        assert_eq!(seen.len(), 10);
        assert_eq!(parse_shard("3/16"), Ok((3, 16)));
        for bad in ["0/3", "4/3", "3", "a/b", "1/0"] {
            assert!(parse_shard(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn accounts_file_errors_name_line_and_column() {
        let text = "# prod\n111122223333 prod\n\n  444455556666\n  12345 oops\n";
        let e = parse_accounts("accounts.txt", text).unwrap_err();
        assert_eq!(
            e,
            "accounts.txt:5:3: `12345` is not a 12-digit AWS account id"
        );
        let ok = parse_accounts("a", "111122223333 prod # main\n444455556666\n").unwrap();
        assert_eq!(ids(&ok), ["111122223333", "444455556666"]);
        assert_eq!(ok[0].name, "prod");
        assert!(parse_accounts("a", "# nothing\n").is_err());
    }
}
