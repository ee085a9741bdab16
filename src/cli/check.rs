//! `iamlint check` and `iamlint render`: their arguments, which say where the principal's
//! policies come from ([`Principal`]); the check itself is [`crate::check`], its rendering
//! [`crate::report::check`].

use clap::Args;

use super::{Outcome, OutputArgs, emit, emit_with};
use crate::analysis::check::Request;
use crate::eval;
use crate::report;
use crate::rules::{self, Resolved, RuleSet};
use crate::source::principal::Principal;

/// Which rule set, with what parameters and features.
#[derive(Debug, Args)]
pub struct RuleArgs {
    /// A shipped rule set id (`iamlint rules list`) or a path to a rule file.
    #[arg(long, value_name = "ID|PATH")]
    pub rules: String,
    /// A parameter of the rule set, `name=value` (repeatable).
    #[arg(long = "param", value_name = "NAME=VALUE")]
    pub params: Vec<String>,
    /// An optional feature of the rule set (repeatable).
    #[arg(long = "feature", value_name = "NAME")]
    pub features: Vec<String>,
}

impl RuleArgs {
    /// Load and resolve the rule set.
    pub fn load(&self) -> anyhow::Result<(RuleSet, Resolved)> {
        let set = rules::find(&self.rules)?;
        let mut params = Vec::new();
        for p in &self.params {
            let Some((k, v)) = p.split_once('=') else {
                anyhow::bail!("--param `{p}`: write NAME=VALUE");
            };
            params.push((k.trim().to_string(), v.trim().to_string()));
        }
        let resolved = set.resolve(&params, &self.features)?;
        Ok((set, resolved))
    }
}

/// Arguments of `iamlint check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The rule set.
    #[command(flatten)]
    pub rules: RuleArgs,
    /// A policy of the principal (repeatable): a file, a folder, `-`, or an AWS managed
    /// policy ARN such as `arn:aws:iam::aws:policy/SecretsManagerReadWrite` (offline).
    #[arg(
        long = "policy",
        value_name = "PATH|ARN",
        required_unless_present_any = ["gaad", "users", "roles", "groups", "caller"]
    )]
    pub policies: Vec<String>,
    /// An account dump (`aws iam get-account-authorization-details` output) to take the
    /// principal's policies from, with `--principal`.
    #[arg(
        long,
        value_name = "FILE",
        requires = "principal",
        conflicts_with = "policies"
    )]
    pub gaad: Option<String>,
    /// The user, group or role ARN in the `--gaad` dump to evaluate.
    #[arg(long, value_name = "ARN", requires = "gaad")]
    pub principal: Option<String>,
    /// The principal to read from live IAM (one of --user, --role, --group, --caller).
    #[command(flatten)]
    pub live: super::live::PrincipalArgs,
    /// Also ask IAM's policy simulator (SimulatePrincipalPolicy) for every required pair and
    /// report where its verdict differs from iamlint's (live principals only).
    #[arg(long)]
    pub simulate: bool,
    /// Print a unified diff from each policy file to a corrected one (never writes files).
    #[arg(long)]
    pub suggest: bool,
    /// What is known of the requests, `key=value` (repeatable), e.g.
    /// `aws:MultiFactorAuthPresent=true`: conditions it decides are decided, policy
    /// variables it gives (`aws:username=alice`) are filled in. Keys not given may hold any
    /// value, so a conditional `Deny` on them is reported as `conditional-deny`.
    #[arg(long = "context", value_name = "KEY=VALUE")]
    pub context: Vec<String>,
    /// Output options.
    #[command(flatten)]
    pub out: OutputArgs,
}

/// Arguments of `iamlint render`.
#[derive(Debug, Args)]
pub struct RenderArgs {
    /// The rule set.
    #[command(flatten)]
    pub rules: RuleArgs,
}

/// Run `iamlint render`: the least-privilege policy of a rule set.
pub fn render(args: &RenderArgs) -> anyhow::Result<Outcome> {
    let (_, resolved) = args.rules.load()?;
    emit(&eval::suggest::pretty(&rules::render(&resolved), 2))?;
    Ok(Outcome::Clean)
}

/// Run `iamlint check`: parse the principal's source from the arguments, call
/// [`crate::check`], render its result, map it to an exit code.
pub fn run(args: &CheckArgs) -> anyhow::Result<Outcome> {
    let (set, resolved) = args.rules.load()?;
    let live_wanted = args.live.any();
    if live_wanted && (args.gaad.is_some() || !args.policies.is_empty()) {
        anyhow::bail!("a live principal is checked on its own: drop --policy and --gaad");
    }
    if args.simulate && !live_wanted {
        anyhow::bail!("--simulate asks live IAM: give --user, --role, --group or --caller");
    }
    let mut session = None;
    let principal = if live_wanted {
        args.live.single()?;
        let (s, principals, errors) = args.live.load()?;
        session = Some(s);
        Principal::Live { principals, errors }
    } else if let (Some(path), Some(principal)) = (&args.gaad, &args.principal) {
        Principal::Dump {
            path: path.clone(),
            principal: principal.clone(),
        }
    } else {
        Principal::Policies(args.policies.clone())
    };
    let result = crate::check(Request {
        set: &set,
        resolved: &resolved,
        principal,
        context: &args.context,
        suggest: args.suggest,
        simulate: session.as_ref().filter(|_| args.simulate),
    })?;
    let opts = report::text::Options {
        color: args.out.color.enabled(),
    };
    // Written as it is rendered: a table of 10,000 grants is never held whole.
    emit_with(|out| report::write(out, &result, args.out.format, opts))?;
    Ok(super::lint::outcome(&result.report, args.out.fail_on))
}
