//! Command-line side of live IAM: connection and principal options shared by `lint` and
//! `check`, and `iamlint fetch gaad`. Reading is the library's ([`crate::source::iam`]).

use std::io::IsTerminal;

use clap::{Args, Subcommand};

use super::{Outcome, emit};
use crate::source::iam::{self as live, Kind, Session};

/// How to reach AWS.
#[derive(Debug, Clone, Args)]
pub struct ConnArgs {
    /// A named profile of the shared AWS config and credentials files.
    #[arg(long, value_name = "NAME", help_heading = "AWS")]
    pub profile: Option<String>,
    /// The region to sign requests for (IAM is global; default from the profile, else us-east-1).
    #[arg(long, value_name = "REGION", help_heading = "AWS")]
    pub region: Option<String>,
    /// Send every AWS call to this endpoint instead (a local test server, a VPC endpoint).
    #[arg(long, value_name = "URL", help_heading = "AWS")]
    pub endpoint_url: Option<String>,
    /// AWS calls in flight at once.
    #[arg(long, value_name = "N", default_value_t = live::DEFAULT_IN_FLIGHT,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=256),
          help_heading = "AWS")]
    pub max_in_flight: usize,
}

impl ConnArgs {
    pub fn options(&self) -> live::Options {
        live::Options {
            profile: self.profile.clone(),
            region: self.region.clone(),
            endpoint_url: self.endpoint_url.clone(),
            max_in_flight: self.max_in_flight,
            progress: std::io::stderr().is_terminal(),
        }
    }
}

/// Principals to read from live IAM.
#[derive(Debug, Clone, Args)]
pub struct PrincipalArgs {
    /// An IAM user to read from live IAM (repeatable with `lint`; `*` for every user).
    #[arg(long = "user", value_name = "NAME", help_heading = "Live IAM")]
    pub users: Vec<String>,
    /// An IAM role to read from live IAM (repeatable with `lint`; `*` for every role).
    #[arg(long = "role", value_name = "NAME", help_heading = "Live IAM")]
    pub roles: Vec<String>,
    /// An IAM group to read from live IAM (repeatable with `lint`; `*` for every group).
    #[arg(long = "group", value_name = "NAME", help_heading = "Live IAM")]
    pub groups: Vec<String>,
    /// The principal of the running credentials (an assumed-role session is read as its role).
    #[arg(long, help_heading = "Live IAM")]
    pub caller: bool,
    /// Connection.
    #[command(flatten)]
    pub conn: ConnArgs,
}

impl PrincipalArgs {
    /// Was any live principal asked for?
    pub fn any(&self) -> bool {
        self.caller || !self.users.is_empty() || !self.roles.is_empty() || !self.groups.is_empty()
    }

    pub fn wanted(&self) -> Vec<(Kind, String)> {
        let mut out = Vec::new();
        for (kind, names) in [
            (Kind::User, &self.users),
            (Kind::Role, &self.roles),
            (Kind::Group, &self.groups),
        ] {
            out.extend(names.iter().map(|n| (kind, n.clone())));
        }
        out
    }

    /// Open a session and read the principals named.
    pub fn load(&self) -> anyhow::Result<(Session, Vec<live::Principal>, Vec<live::CallError>)> {
        let session = Session::open(&self.conn.options())?;
        let (principals, errors) = session.load(&self.wanted(), self.caller);
        Ok((session, principals, errors))
    }

    /// The one principal `check` evaluates.
    pub fn single(&self) -> anyhow::Result<()> {
        let n = self.wanted().len() + usize::from(self.caller);
        if n != 1 || self.wanted().iter().any(|(_, name)| name == "*") {
            anyhow::bail!(
                "`check` evaluates one principal: give one of --user, --role, --group or --caller"
            );
        }
        Ok(())
    }
}

/// `iamlint fetch`.
#[derive(Debug, Subcommand)]
pub enum FetchCommand {
    /// Write the account's authorization details as JSON, like
    /// `aws iam get-account-authorization-details` (read-only).
    Gaad {
        /// Many accounts.
        #[command(flatten)]
        many: AccountsArgs,
        /// With --org or --accounts: write each account's dump to DIR/ACCOUNT_ID.json.
        #[arg(long, value_name = "DIR")]
        out_dir: Option<std::path::PathBuf>,
        /// Connection.
        #[command(flatten)]
        conn: ConnArgs,
    },
}

/// Which accounts to read, and how (`--org`, `--accounts`, `--role-name`, `--shard`).
#[derive(Debug, Clone, Args)]
pub struct AccountsArgs {
    /// Every active account of the organization (read-only Organizations calls, with the
    /// running credentials: the management account or a delegated administrator).
    #[arg(
        long,
        requires = "role_name",
        conflicts_with = "accounts",
        help_heading = "Accounts"
    )]
    pub org: bool,
    /// The accounts listed in FILE instead: one 12-digit id a line, optionally a name after
    /// it; `#` starts a comment.
    #[arg(
        long,
        value_name = "FILE",
        requires = "role_name",
        help_heading = "Accounts"
    )]
    pub accounts: Option<String>,
    /// The role to assume in each account (read-only IAM access is enough).
    #[arg(long, value_name = "NAME", help_heading = "Accounts")]
    pub role_name: Option<String>,
    /// Take shard K of N of the accounts (sorted by id, every Nth from the Kth), so N
    /// machines share an organization.
    #[arg(long, value_name = "K/N", default_value = "1/1", value_parser = live::org::parse_shard,
          help_heading = "Accounts")]
    pub shard: (usize, usize),
    /// Accounts read at once.
    #[arg(long, value_name = "N", default_value_t = 4,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=64),
          help_heading = "Accounts")]
    pub parallel_accounts: usize,
}

impl AccountsArgs {
    /// Were many accounts asked for?
    pub fn any(&self) -> bool {
        self.org || self.accounts.is_some()
    }

    /// Read the accounts: each one's dump, or why it could not be read.
    pub fn read(&self, s: &Session) -> anyhow::Result<(Vec<live::org::Read>, Vec<String>)> {
        let which = match &self.accounts {
            Some(path) => {
                let text =
                    std::fs::read_to_string(path).map_err(|e| anyhow::anyhow!("{path}: {e}"))?;
                live::session::Accounts::Listed(
                    live::org::parse_accounts(path, &text).map_err(anyhow::Error::msg)?,
                )
            }
            None => live::session::Accounts::Organization,
        };
        let role = self.role_name.as_deref().unwrap_or_default();
        Ok(s.accounts(which, self.shard, role, self.parallel_accounts)?)
    }
}

/// `fetch gaad --org|--accounts`: one dump per account into `dir`; an account that could
/// not be read is reported and makes the run fail (exit 2).
fn fetch_accounts(
    s: &Session,
    many: &AccountsArgs,
    dir: &std::path::Path,
) -> anyhow::Result<Outcome> {
    let (reads, _) = many.read(s)?;
    std::fs::create_dir_all(dir).map_err(|e| anyhow::anyhow!("{}: {e}", dir.display()))?;
    let mut failed = 0;
    for r in &reads {
        let name = if r.account.name.is_empty() {
            String::new()
        } else {
            format!(" ({})", r.account.name)
        };
        match &r.dump {
            Ok(v) => {
                let path = dir.join(format!("{}.json", r.account.id));
                let text = live::gaad::to_text(v)?;
                std::fs::write(&path, text)
                    .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
                eprintln!(
                    "account {}{name}: {} ({} AWS calls)",
                    r.account.id,
                    path.display(),
                    r.calls
                );
            }
            Err(e) => {
                failed += 1;
                eprintln!("error: account {}{name} not read: {e}", r.account.id);
            }
        }
    }
    eprintln!(
        "{} of {} accounts read (shard {}/{}){}",
        reads.len() - failed,
        reads.len(),
        many.shard.0,
        many.shard.1,
        if failed > 0 {
            "; the accounts not read have no dump"
        } else {
            ""
        }
    );
    Ok(if failed > 0 {
        Outcome::Error
    } else {
        Outcome::Clean
    })
}

/// Run `iamlint fetch`.
pub fn fetch(cmd: &FetchCommand) -> anyhow::Result<Outcome> {
    let FetchCommand::Gaad {
        many,
        out_dir,
        conn,
    } = cmd;
    let s = Session::open(&conn.options())?;
    if many.any() {
        let Some(dir) = out_dir else {
            anyhow::bail!("--org and --accounts write one dump per account: give --out-dir DIR");
        };
        return fetch_accounts(&s, many, dir);
    }
    if many.role_name.is_some() || many.shard != (1, 1) {
        anyhow::bail!("--role-name and --shard apply to many accounts: give --org or --accounts");
    }
    match s.gaad() {
        Ok(v) => {
            emit(&live::gaad::to_text(&v)?)?;
            Ok(Outcome::Clean)
        }
        Err(e) => {
            eprintln!("error: {e}");
            eprintln!("error: nothing written: the dump would be incomplete");
            Ok(Outcome::Error)
        }
    }
}
