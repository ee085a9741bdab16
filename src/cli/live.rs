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
        /// Connection.
        #[command(flatten)]
        conn: ConnArgs,
    },
}

/// Run `iamlint fetch`.
pub fn fetch(cmd: &FetchCommand) -> anyhow::Result<Outcome> {
    let FetchCommand::Gaad { conn } = cmd;
    let s = Session::open(&conn.options())?;
    match s.gaad() {
        Ok(v) => {
            let mut text = serde_json::to_string_pretty(&v)?;
            text.push('\n');
            emit(&text)?;
            Ok(Outcome::Clean)
        }
        Err(e) => {
            eprintln!("error: {e}");
            eprintln!("error: nothing written: the dump would be incomplete");
            Ok(Outcome::Error)
        }
    }
}
