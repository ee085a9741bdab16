//! A connection for one command: the tokio runtime, the guarded clients and the [`Loader`],
//! behind blocking calls. `lint` and `check` read principals through it; `check --simulate`
//! asks the policy simulator; `fetch gaad` reads the whole account.

use super::{CallError, Clients, Kind, Loader, Options, Principal};
use crate::source::Document;

/// A connection for one command: the runtime, the clients and the loader.
pub struct Session {
    rt: tokio::runtime::Runtime,
    conf: aws_config::SdkConfig,
    opts: Options,
    clients: Clients,
    loader: Loader,
}

/// Which accounts to read with [`Session::accounts`].
#[derive(Debug, Clone)]
pub enum Accounts {
    /// The organization's active accounts (`organizations:ListAccounts`).
    Organization,
    /// These.
    Listed(Vec<super::org::Account>),
}

impl Session {
    /// Connect (no call is made yet).
    pub fn open(opts: &Options) -> anyhow::Result<Session> {
        let rt = super::runtime()?;
        let conf = rt.block_on(super::sdk_config(opts));
        let clients = super::clients(&conf, None);
        let loader = Loader::new(&clients, opts);
        Ok(Session {
            rt,
            conf,
            opts: opts.clone(),
            clients,
            loader,
        })
    }

    /// Shard `shard.0` of `shard.1` of `which` accounts, each read through `role_name`
    /// assumed in it, `parallel` accounts at once. A listing that fails is an error;
    /// an account that cannot be read is an error in its [`super::org::Read`].
    pub fn accounts(
        &self,
        which: Accounts,
        shard: (usize, usize),
        role_name: &str,
        parallel: usize,
    ) -> Result<(Vec<super::org::Read>, Vec<String>), CallError> {
        let all = match which {
            Accounts::Organization => self.rt.block_on(super::org::list_accounts(&self.conf))?,
            Accounts::Listed(a) => a,
        };
        let ids: Vec<String> = all.iter().map(|a| a.id.clone()).collect();
        let mine = super::org::shard(all, shard.0, shard.1);
        // The accounts have their own progress bar: the session's call spinner would draw
        // over it.
        self.loader.finish();
        let reads = self.rt.block_on(super::org::read_accounts(
            &self.conf, &self.opts, &mine, role_name, parallel,
        ));
        Ok((reads, ids))
    }

    /// Read the principals `wanted` names, and first the caller's when `caller` is set.
    pub fn load(
        &self,
        wanted: &[(Kind, String)],
        caller: bool,
    ) -> (Vec<Principal>, Vec<CallError>) {
        let mut wanted = wanted.to_vec();
        let mut errors = Vec::new();
        if caller {
            match self.rt.block_on(super::caller(&self.clients)) {
                Ok((kind, name, arn)) => {
                    // Progress on stderr, as the loader's spinner: never part of a result.
                    eprintln!("caller: {arn} (reading {kind}/{name})");
                    wanted.insert(0, (kind, name));
                }
                Err(e) => errors.push(e),
            }
        }
        let (principals, errs) = self.rt.block_on(self.loader.principals(&wanted));
        self.loader.finish();
        errors.extend(errs);
        (principals, errors)
    }

    /// Ask the policy simulator.
    pub fn simulate(
        &self,
        p: &Principal,
        pairs: &[(String, String)],
    ) -> Result<Vec<super::simulate::Verdict>, CallError> {
        let r = self
            .rt
            .block_on(self.loader.simulate(&p.arn, &p.label(), pairs));
        self.loader.finish();
        r
    }

    /// The account's authorization details, as `aws iam get-account-authorization-details`.
    pub fn gaad(&self) -> Result<serde_json::Value, CallError> {
        let r = self.rt.block_on(self.loader.gaad());
        self.loader.finish();
        r
    }

    /// The ARN of the running credentials (STS `GetCallerIdentity`).
    pub fn caller_arn(&self) -> Result<String, CallError> {
        self.rt.block_on(super::caller_arn(&self.clients))
    }

    /// Calls made.
    pub fn calls(&self) -> usize {
        self.loader.calls()
    }
}

/// Every document the principals hold, each once (a managed policy attached to several
/// principals is one document).
pub fn documents(principals: &[Principal]) -> Vec<Document> {
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for p in principals {
        for f in p.policies.iter().chain(p.boundary.iter()) {
            if seen.insert(f.origin.clone()) {
                out.push(Document {
                    origin: f.origin.clone(),
                    text: f.text.clone(),
                });
            }
        }
    }
    out
}
