//! `iamlint check` and `iamlint render`: their arguments, which say where the principal's
//! policies come from ([`Principal`]); the check itself is [`crate::check`], its rendering
//! [`crate::report::check`].

use anyhow::Context as _;
use clap::Args;

use super::{Outcome, OutputArgs, emit};
use crate::analysis::check::Request;
use crate::config::CheckTable;
use crate::eval;
use crate::report;
use crate::rules::{self, Resolved, RuleSet};
use crate::source::principal::Principal;

/// Which rule set, with what parameters and features.
#[derive(Debug, Args)]
pub struct RuleArgs {
    /// A shipped rule set id (`iamlint rules list`) or a path to a rule file. `check`
    /// without it takes the rule set, parameters and features of the `[[check]]` of
    /// iamlint.toml whose `files` match the policies (`--param` and `--feature` add to them).
    #[arg(long, value_name = "ID|PATH")]
    pub rules: Option<String>,
    /// A parameter of the rule set, `name=value` (repeatable).
    #[arg(long = "param", value_name = "NAME=VALUE")]
    pub params: Vec<String>,
    /// An optional feature of the rule set (repeatable).
    #[arg(long = "feature", value_name = "NAME")]
    pub features: Vec<String>,
}

impl RuleArgs {
    /// Load and resolve the rule set `--rules` names.
    pub fn load(&self) -> anyhow::Result<(RuleSet, Resolved)> {
        let Some(id) = &self.rules else {
            anyhow::bail!("give --rules ID|PATH (`iamlint rules list` shows the shipped ones)");
        };
        let set = rules::find(id)?;
        let resolved = set.resolve(&self.param_pairs()?, &self.features)?;
        Ok((set, resolved))
    }

    /// Load and resolve the rule set of a `[[check]]` of the config, its parameters
    /// overridden by `--param` of the same name and its features joined by `--feature`'s
    /// (the command line comes first).
    pub fn load_table(&self, table: &CheckTable) -> anyhow::Result<(RuleSet, Resolved)> {
        let cli = self.param_pairs()?;
        let mut params: Vec<(String, String)> = table
            .params
            .iter()
            .filter(|(k, _)| !cli.iter().any(|(c, _)| c == k))
            .cloned()
            .collect();
        params.extend(cli);
        let mut features = table.features.clone();
        features.extend(
            self.features
                .iter()
                .filter(|f| !table.features.contains(f))
                .cloned(),
        );
        let set =
            rules::find(&table.rules).with_context(|| format!("the [[check]] at {}", table.at))?;
        let resolved = set
            .resolve(&params, &features)
            .with_context(|| format!("the [[check]] at {}", table.at))?;
        Ok((set, resolved))
    }

    fn param_pairs(&self) -> anyhow::Result<Vec<(String, String)>> {
        let mut params = Vec::new();
        for p in &self.params {
            let Some((k, v)) = p.split_once('=') else {
                anyhow::bail!("--param `{p}`: write NAME=VALUE");
            };
            params.push((k.trim().to_string(), v.trim().to_string()));
        }
        Ok(params)
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
    /// Without one (nor --gaad nor a live principal), each `[[check]]` of iamlint.toml
    /// checks the files it lists.
    #[arg(long = "policy", value_name = "PATH|ARN")]
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

/// Run `iamlint check`: parse the principal's source from the arguments (or take each
/// `[[check]]` of the config), call [`crate::check`], apply the config and the baseline,
/// render, map to an exit code.
pub fn run(args: &CheckArgs) -> anyhow::Result<Outcome> {
    let config = args.out.gate.config()?;
    let baseline = args.out.gate.baseline()?;
    let fail_on = args.out.fail_on(config.as_ref());
    let live_wanted = args.live.any();
    let own_principal = live_wanted || args.gaad.is_some() || !args.policies.is_empty();
    // What to check: (rule set, principal, the `[[check]]` it comes from).
    let mut jobs: Vec<(RuleSet, Resolved, Option<Principal>, Option<&CheckTable>)> = Vec::new();
    if args.rules.rules.is_some() {
        if !own_principal {
            anyhow::bail!(
                "give the policies to check: --policy, --gaad with --principal, or a live principal"
            );
        }
        let (set, resolved) = args.rules.load()?;
        jobs.push((set, resolved, None, None));
    } else {
        let Some(c) = config.as_ref().filter(|c| !c.checks.is_empty()) else {
            anyhow::bail!(
                "give --rules ID|PATH, or a `[[check]]` in iamlint.toml (see docs/config.md)"
            );
        };
        if !args.policies.is_empty() {
            let Some(t) = c.check_for(&args.policies) else {
                anyhow::bail!(
                    "no `[[check]]` of {} lists every --policy in its `files`: give --rules",
                    c.path.display()
                );
            };
            let (set, resolved) = args.rules.load_table(t)?;
            jobs.push((set, resolved, None, Some(t)));
        } else if own_principal {
            let [t] = c.checks.as_slice() else {
                anyhow::bail!(
                    "{} has {} `[[check]]` tables: give --rules",
                    c.path.display(),
                    c.checks.len()
                );
            };
            let (set, resolved) = args.rules.load_table(t)?;
            jobs.push((set, resolved, None, Some(t)));
        } else {
            let several = c.checks.len() > 1;
            if several && !matches!(args.out.format, report::Format::Text | report::Format::Json) {
                anyhow::bail!(
                    "{} has {} `[[check]]` tables and this format shows one check: give --policy or --rules",
                    c.path.display(),
                    c.checks.len()
                );
            }
            let cwd = std::env::current_dir()?.canonicalize()?;
            for t in &c.checks {
                let files = c.check_files(t, &cwd)?;
                let (set, resolved) = args.rules.load_table(t)?;
                let files = files.iter().map(|f| f.display().to_string()).collect();
                jobs.push((set, resolved, Some(Principal::Policies(files)), Some(t)));
            }
        }
    }
    if live_wanted && (args.gaad.is_some() || !args.policies.is_empty()) {
        anyhow::bail!("a live principal is checked on its own: drop --policy and --gaad");
    }
    if args.simulate && !live_wanted {
        anyhow::bail!("--simulate asks live IAM: give --user, --role, --group or --caller");
    }
    let mut session = None;
    let mut results = Vec::new();
    for (set, resolved, principal, table) in jobs {
        let principal = match principal {
            Some(p) => p,
            None if live_wanted => {
                args.live.single()?;
                let (s, principals, errors) = args.live.load()?;
                session = Some(s);
                Principal::Live { principals, errors }
            }
            None => match (&args.gaad, &args.principal) {
                (Some(path), Some(principal)) => Principal::Dump {
                    path: path.clone(),
                    principal: principal.clone(),
                },
                _ => Principal::Policies(args.policies.clone()),
            },
        };
        let result = crate::check(Request {
            set: &set,
            resolved: &resolved,
            principal,
            context: &args.context,
            suggest: args.suggest,
            simulate: session.as_ref().filter(|_| args.simulate),
        })?;
        results.push((table.map(|t| t.at.clone()), result));
    }
    {
        let mut reports: Vec<&mut crate::Report> =
            results.iter_mut().map(|(_, r)| &mut r.report).collect();
        args.out
            .gate
            .finish(&mut reports, config.as_ref(), baseline.as_ref())?;
    }
    let opts = report::text::Options {
        color: args.out.color.enabled(),
    };
    // Written as it is rendered: a table of 10,000 grants is never held whole.
    match results.as_slice() {
        [(_, result)] => args
            .out
            .emit(|out| report::write(out, result, args.out.format, opts))?,
        many => args.out.emit(|out| {
            let json = args.out.format == report::Format::Json;
            if json {
                out.write_all(b"[\n")?;
            }
            for (i, (at, result)) in many.iter().enumerate() {
                if json && i > 0 {
                    out.write_all(b",\n")?;
                } else if !json {
                    if i > 0 {
                        out.write_all(b"\n")?;
                    }
                    let at = at.as_deref().unwrap_or("");
                    writeln!(out, "== check `{}` ([[check]] at {at}) ==", result.rule_set)?;
                }
                report::write(out, result, args.out.format, opts)?;
            }
            if json {
                out.write_all(b"]\n")?;
            }
            Ok(())
        })?,
    }
    let reports: Vec<&crate::Report> = results.iter().map(|(_, r)| &r.report).collect();
    let outcome = args.out.gate.outcome(&reports, fail_on);
    // The binary exits right after this call: freeing a check of the corpus (60,000
    // findings, its texts and models) one allocation at a time costs more than its whole
    // evaluation (92 M instructions), and the process's end frees it at once.
    std::mem::forget(results);
    Ok(outcome)
}
