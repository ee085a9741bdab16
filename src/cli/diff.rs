//! `iamlint diff`: which comparison the arguments ask for (two policies, two folders file
//! by file, two sets of one principal's policies, or the files changed since a git ref),
//! the rule set whose grants new access may take (`--allow-rules`); the comparison itself
//! is [`crate::analysis::diff`], its rendering [`crate::report::diff`]. Exit 1 when new
//! access appears outside the allowed rule set (with the default `--fail-on error`), 2 when
//! an input could not be read.

use clap::Args;

use super::check::RuleArgs;
use super::{Outcome, OutputArgs};
use crate::analysis::diff::{self, Change, Pair, Request};
use crate::report;

/// Arguments of `iamlint diff`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// `OLD NEW`: two policy files (or AWS managed policy ARNs), or two folders compared
    /// file by file. With `--git-base`: the paths whose changed *.json files to compare
    /// (default: the whole work tree below the current directory).
    #[arg(value_name = "PATH")]
    pub paths: Vec<String>,
    /// A policy of the old side (repeatable; a file, folder, `-` or managed policy ARN):
    /// with `--new`, the two sides are two sets, one principal's policies before and after.
    #[arg(long = "old", value_name = "PATH|ARN", requires = "new")]
    pub old: Vec<String>,
    /// A policy of the new side (repeatable), with `--old`.
    #[arg(long = "new", value_name = "PATH|ARN", requires = "old")]
    pub new: Vec<String>,
    /// Compare every *.json file changed since this git ref (a branch, tag or commit of the
    /// repository of the current directory) with its version there; untracked files count
    /// as added. Nothing in the repository is changed.
    #[arg(long, value_name = "REF", conflicts_with_all = ["old", "new"])]
    pub git_base: Option<String>,
    /// New access inside the grants of this rule set (a shipped id or a rule file) does not
    /// fail the run; it is reported as info.
    #[arg(long, value_name = "ID|PATH")]
    pub allow_rules: Option<String>,
    /// A parameter of the `--allow-rules` rule set, `name=value` (repeatable).
    #[arg(long = "param", value_name = "NAME=VALUE", requires = "allow_rules")]
    pub params: Vec<String>,
    /// An optional feature of the `--allow-rules` rule set (repeatable).
    #[arg(long = "feature", value_name = "NAME", requires = "allow_rules")]
    pub features: Vec<String>,
    /// Output options.
    #[command(flatten)]
    pub out: OutputArgs,
}

/// Run `iamlint diff`: build the comparisons from the arguments, call
/// [`crate::analysis::diff::diff`], render, map to an exit code.
pub fn run(args: &DiffArgs) -> anyhow::Result<Outcome> {
    let config = args.out.gate.config()?;
    let baseline = args.out.gate.baseline()?;
    let fail_on = args.out.fail_on(config.as_ref());
    let allow = match &args.allow_rules {
        Some(rules) => Some(
            RuleArgs {
                rules: Some(rules.clone()),
                params: args.params.clone(),
                features: args.features.clone(),
            }
            .load()?
            .1,
        ),
        None => None,
    };
    let (pairs, errors, skipped) = if let Some(base) = &args.git_base {
        let changes =
            crate::source::git::changed_since(std::path::Path::new("."), base, &args.paths)?;
        diff::git_pairs(changes)
    } else if !args.old.is_empty() {
        if !args.paths.is_empty() {
            anyhow::bail!("give the two sides either as `OLD NEW` or with --old/--new, not both");
        }
        sets(&args.old, &args.new)
    } else {
        let [old, new] = args.paths.as_slice() else {
            anyhow::bail!(
                "give two policies (`iamlint diff OLD NEW`), two sets (`--old A --old B --new C`), \
                 or `--git-base REF [PATH...]`"
            );
        };
        let (o, n) = (std::path::Path::new(old), std::path::Path::new(new));
        if o.is_dir() && n.is_dir() {
            diff::folder_pairs(o, n)
        } else {
            sets(std::slice::from_ref(old), std::slice::from_ref(new))
        }
    };
    let mut result = diff::diff(Request {
        pairs,
        errors,
        allow: allow.as_ref(),
        skipped,
    });
    // The config's severities and ignores, and the baseline, as for `lint`.
    args.out.gate.finish(
        &mut [&mut result.report],
        config.as_ref(),
        baseline.as_ref(),
    )?;
    let opts = report::text::Options {
        color: args.out.color.enabled(),
    };
    args.out
        .emit(|out| report::write(out, &result, args.out.format, opts))?;
    Ok(args.out.gate.outcome(&[&result.report], fail_on))
}

/// One comparison of two sets of policies (files, folders, `-`, managed policy ARNs).
fn sets(old: &[String], new: &[String]) -> (Vec<Pair>, Vec<String>, Vec<crate::source::Skipped>) {
    let (o, mut errors) = crate::source::policies(old);
    let (n, e) = crate::source::policies(new);
    errors.extend(e);
    // A side not read whole is not compared: its delta would be made up (everything
    // "removed" or "added"). The errors make the run fail (exit 2) and say why.
    if !errors.is_empty() {
        return (Vec::new(), errors, Vec::new());
    }
    let label = if new.len() == 1 {
        new.join("")
    } else {
        format!("{} -> {}", old.join(", "), new.join(", "))
    };
    let pair = Pair {
        label,
        change: Change::Compared,
        old: o,
        new: n,
    };
    (vec![pair], errors, Vec::new())
}
