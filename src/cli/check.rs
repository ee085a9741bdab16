//! `iamlint check` and `iamlint render`.

use clap::Args;
use comfy_table::{ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};

use super::{Format, Outcome, OutputArgs, emit};
use crate::eval::{self, Doc};
use crate::rules::{self, Resolved, RuleSet};
use crate::source::{self, Document, managed};
use crate::{Report, SourceText, report};

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
    #[arg(long = "policy", value_name = "PATH|ARN", required = true)]
    pub policies: Vec<String>,
    /// Print a unified diff from each policy file to a corrected one (never writes files).
    #[arg(long)]
    pub suggest: bool,
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

/// Read the `--policy` inputs: files, folders, stdin, managed ARNs.
pub fn load_policies(specs: &[String]) -> (Vec<Document>, Vec<String>) {
    let mut docs = Vec::new();
    let mut errors = Vec::new();
    for spec in specs {
        if managed::is_managed_arn(spec) {
            match managed::find(spec) {
                Ok(p) => docs.push(Document {
                    origin: p.arn.clone(),
                    text: managed::document_text(p),
                }),
                Err(e) => errors.push(e),
            }
            continue;
        }
        let (inputs, errs) = source::expand(std::slice::from_ref(spec));
        errors.extend(errs.iter().map(ToString::to_string));
        for i in &inputs {
            match source::read(i) {
                Ok(d) => docs.push(d),
                Err(e) => errors.push(e.to_string()),
            }
        }
    }
    (docs, errors)
}

/// Run `iamlint check`.
pub fn run(args: &CheckArgs) -> anyhow::Result<Outcome> {
    let (set, resolved) = args.rules.load()?;
    let (inputs, mut errors) = load_policies(&args.policies);
    let mut findings = Vec::new();
    let mut docs = Vec::new();
    let mut sources = Vec::new();
    use rayon::prelude::*;
    let linted: Vec<(Vec<crate::finding::Finding>, Option<crate::policy::Policy>)> = inputs
        .par_iter()
        .enumerate()
        .map(|(i, d)| {
            let policy = crate::policy::json::parse(&d.text).ok().map(|parsed| {
                let mut scratch = Vec::new();
                crate::policy::parse::parse_policy(&parsed, i, &mut scratch)
            });
            (crate::lint_document(d, i), policy)
        })
        .collect();
    for ((i, d), (lint, policy)) in inputs.into_iter().enumerate().zip(linted) {
        findings.extend(lint);
        match policy {
            Some(policy) => docs.push(Doc {
                src: i,
                origin: d.origin.clone(),
                text: d.text.clone(),
                policy,
            }),
            None => errors.push(format!(
                "{}: not valid JSON, so the check cannot use it",
                d.origin
            )),
        }
        sources.push(SourceText {
            origin: d.origin,
            text: d.text,
        });
    }
    let rule_src = sources.len();
    sources.push(SourceText {
        origin: set.origin.clone(),
        text: set.text.clone(),
    });
    let outcome = eval::check(&resolved, rule_src, &docs);
    let mut check_findings = outcome.findings;
    crate::resolve_all(&mut check_findings, &sources);
    findings.extend(check_findings);
    let report = Report {
        sources,
        findings,
        errors,
        support_sources: 1,
    };
    let suggestions = if args.suggest {
        eval::suggest::suggest(&resolved, &docs)
    } else {
        Vec::new()
    };
    let text = match args.out.format {
        Format::Json => json(&report, &resolved, &outcome.rows, &suggestions)?,
        Format::Text => {
            let mut s = report::text::render(
                &report,
                report::text::Options {
                    color: args.out.color.enabled(),
                },
            );
            s.push_str(&table(&resolved, &outcome.rows));
            for (origin, old, new) in &suggestions {
                s.push('\n');
                if old == new {
                    s.push_str(&format!("{origin}: no change needed\n"));
                } else {
                    s.push_str(&eval::suggest::unified_diff(origin, old, new));
                }
            }
            s
        }
    };
    emit(&text)?;
    Ok(super::lint::outcome(&report, args.out.fail_on))
}

fn table(resolved: &Resolved, rows: &[eval::Row]) -> String {
    let bad: Vec<&eval::Row> = rows.iter().filter(|r| r.status != "ok").collect();
    let mut s = format!(
        "\n`{}`: {} of {} required grants satisfied",
        resolved.id,
        rows.len() - bad.len(),
        rows.len()
    );
    if bad.is_empty() {
        s.push('\n');
        return s;
    }
    s.push_str(":\n");
    let mut t = Table::new();
    t.load_style(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_width(140)
        .set_header(["rule", "status", "action", "granted on", "needed on"]);
    for r in bad {
        t.add_row([
            r.grant.clone(),
            r.status.to_string(),
            r.action.clone(),
            if r.granted_on.is_empty() {
                "-".to_string()
            } else {
                r.granted_on.join("\n")
            },
            r.needed_on.join("\n"),
        ]);
    }
    s.push_str(&t.to_string());
    s.push('\n');
    s
}

fn json(
    report: &Report,
    resolved: &Resolved,
    rows: &[eval::Row],
    suggestions: &[(String, String, String)],
) -> anyhow::Result<String> {
    let mut extra = vec![(
        "check",
        serde_json::json!({
            "rule_set": resolved.id,
            "params": resolved.params,
            "rows": rows,
        }),
    )];
    if !suggestions.is_empty() {
        let list = suggestions
            .iter()
            .map(|(origin, old, new)| {
                serde_json::json!({
                    "file": origin,
                    "diff": eval::suggest::unified_diff(origin, old, new),
                    "policy": serde_json::from_str::<serde_json::Value>(new).unwrap_or_default(),
                })
            })
            .collect::<Vec<_>>();
        extra.push(("suggestions", list.into()));
    }
    let s = report::json::render_with(report, &extra);
    Ok(s)
}
