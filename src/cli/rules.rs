//! `iamlint rules list|show|diff` and `iamlint managed list|show`.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use clap::Subcommand;

use super::{Format, Outcome, emit};
use crate::rules::{self, Resolved, RuleSet};
use crate::source::managed;

/// `iamlint rules ...`
#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// Every shipped rule set: id, title, source, version, params.
    List {
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// One rule set: source, params, grants, features, notes.
    Show {
        /// Id or path.
        id: String,
    },
    /// What a newer version of a requirement adds, removes or re-scopes (parameters take
    /// their `example` values unless given).
    Diff {
        /// The older rule set.
        old: String,
        /// The newer rule set.
        new: String,
        /// `name=value`, applied to both where declared.
        #[arg(long = "param", value_name = "NAME=VALUE")]
        params: Vec<String>,
    },
}

/// `iamlint managed ...`
#[derive(Debug, Subcommand)]
pub enum ManagedCommand {
    /// Every AWS managed policy in the embedded snapshot.
    List,
    /// One policy document, by name or ARN.
    Show {
        /// E.g. `SecretsManagerReadWrite` or `arn:aws:iam::aws:policy/job-function/ViewOnlyAccess`.
        name: String,
    },
}

/// Run `iamlint rules ...`.
pub fn run(cmd: RulesCommand) -> anyhow::Result<Outcome> {
    match cmd {
        RulesCommand::List { format } => {
            let sets = rules::all()?;
            let text = match format {
                Format::Json => {
                    let v: Vec<serde_json::Value> = sets.iter().map(|s| serde_json::json!({
                        "id": s.id(), "title": s.file.title, "system": s.file.system,
                        "source": s.file.source.title, "version": s.file.source.version, "date": s.file.source.date,
                        "params": s.file.params.keys().collect::<Vec<_>>(),
                        "features": s.file.features.keys().collect::<Vec<_>>(),
                        "file": s.origin,
                    })).collect();
                    format!("{}\n", serde_json::to_string_pretty(&v)?)
                }
                Format::Text => {
                    let mut t = comfy_table::Table::new();
                    t.load_style(comfy_table::presets::UTF8_FULL_CONDENSED)
                        .set_content_arrangement(comfy_table::ContentArrangement::Dynamic)
                        .set_width(140)
                        .set_header(["id", "title", "source", "version", "params", "features"]);
                    for s in &sets {
                        let src = &s.file.source;
                        t.add_row([
                            s.id().to_string(),
                            s.file.title.clone(),
                            src.title.clone(),
                            [src.version.clone(), src.date.clone()]
                                .into_iter()
                                .flatten()
                                .collect::<Vec<_>>()
                                .join(", "),
                            s.file
                                .params
                                .iter()
                                .filter(|(_, p)| p.get_ref().derive.is_none())
                                .map(|(k, _)| k.as_str())
                                .collect::<Vec<_>>()
                                .join(", "),
                            s.file
                                .features
                                .keys()
                                .map(String::as_str)
                                .collect::<Vec<_>>()
                                .join(", "),
                        ]);
                    }
                    format!("{t}\n")
                }
            };
            emit(&text)?;
        }
        RulesCommand::Show { id } => {
            let set = rules::find(&id)?;
            // A rule file is input: its text is shown escaped.
            emit(&crate::report::text::escape_lines(&show(&set)?))?;
        }
        RulesCommand::Diff { old, new, params } => {
            let a = rules::find(&old)?;
            let b = rules::find(&new)?;
            emit(&crate::report::text::escape_lines(&diff(&a, &b, &params)?))?;
        }
    }
    Ok(Outcome::Clean)
}

fn show(set: &RuleSet) -> anyhow::Result<String> {
    let f = &set.file;
    let mut s = String::new();
    writeln!(
        s,
        "{} — {}\n  file:    {}\n  system:  {}",
        set.id(),
        f.title,
        set.origin,
        f.system
    )?;
    writeln!(s, "  source:  {}", f.source.title)?;
    for (k, v) in [
        ("url", &f.source.url),
        ("version", &f.source.version),
        ("date", &f.source.date),
        ("seed", &f.source.seed),
    ] {
        if let Some(v) = v {
            writeln!(s, "  {k:<8} {v}")?;
        }
    }
    if !f.params.is_empty() {
        writeln!(s, "\nparams:")?;
        for (k, p) in &f.params {
            let p = p.get_ref();
            let how = match &p.derive {
                Some(d) => format!("derived from {}", d.from),
                None => format!(
                    "{:?}{}",
                    p.kind,
                    p.example
                        .as_ref()
                        .map(|e| format!(", e.g. {e}"))
                        .unwrap_or_default()
                )
                .to_lowercase(),
            };
            writeln!(s, "  {k}: {} ({how})", p.description)?;
        }
    }
    let resolved = set.resolve(
        &set.example_params(),
        &f.features.keys().cloned().collect::<Vec<_>>(),
    )?;
    writeln!(s, "\ngrants (with example params, every feature):")?;
    for g in &resolved.grants {
        let feature = g
            .feature
            .as_ref()
            .map(|x| format!(" [feature {x}]"))
            .unwrap_or_default();
        writeln!(s, "  {}{feature}: {}", g.sid, g.actions.join(", "))?;
        writeln!(s, "    on {}", g.resources.join(", "))?;
        for (op, k, v) in &g.condition {
            writeln!(s, "    if {op} {k} = {}", v.join(", "))?;
        }
        if let Some(w) = &g.why {
            writeln!(s, "    why: {w}")?;
        }
    }
    for (name, feat) in &f.features {
        writeln!(s, "\nfeature {name}: {}", feat.get_ref().description)?;
    }
    if !f.notes.is_empty() {
        writeln!(s, "\nnotes:")?;
        for n in &f.notes {
            writeln!(s, "  - {n}")?;
        }
    }
    Ok(s)
}

/// (action, resource) -> conditions, for every grant.
fn pairs(r: &Resolved) -> BTreeMap<(String, String), Vec<String>> {
    let mut m = BTreeMap::new();
    for g in &r.grants {
        for (a, _, needed) in crate::eval::required_pairs(g) {
            for res in needed {
                let cond: Vec<String> = g
                    .condition
                    .iter()
                    .map(|(op, k, v)| format!("{op} {k}={}", v.join("|")))
                    .collect();
                m.insert((a.full_name(), res), cond);
            }
        }
    }
    m
}

fn diff(a: &RuleSet, b: &RuleSet, given: &[String]) -> anyhow::Result<String> {
    let resolve = |set: &RuleSet| -> anyhow::Result<Resolved> {
        let mut params = set.example_params();
        for p in given {
            let Some((k, v)) = p.split_once('=') else {
                anyhow::bail!("--param `{p}`: write NAME=VALUE")
            };
            if set.file.params.contains_key(k) {
                params.retain(|(x, _)| x != k);
                params.push((k.to_string(), v.to_string()));
            }
        }
        Ok(set.resolve(&params, &[])?)
    };
    let (pa, pb) = (pairs(&resolve(a)?), pairs(&resolve(b)?));
    let mut s = format!(
        "--- {} ({})\n+++ {} ({})\n",
        a.id(),
        a.origin,
        b.id(),
        b.origin
    );
    let actions = |m: &BTreeMap<(String, String), Vec<String>>| -> BTreeMap<String, Vec<String>> {
        let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (act, res) in m.keys() {
            out.entry(act.clone()).or_default().push(res.clone());
        }
        out
    };
    let (aa, ab) = (actions(&pa), actions(&pb));
    let (mut added, mut removed, mut rescoped, mut cond) = (0, 0, 0, 0);
    for (act, res) in &ab {
        match aa.get(act) {
            None => {
                added += 1;
                writeln!(s, "+ {act} on {}", res.join(", "))?;
            }
            Some(old) if old != res => {
                rescoped += 1;
                writeln!(s, "~ {act}: {} -> {}", old.join(", "), res.join(", "))?;
            }
            Some(_) => {}
        }
    }
    for (act, res) in &aa {
        if !ab.contains_key(act) {
            removed += 1;
            writeln!(s, "- {act} on {}", res.join(", "))?;
        }
    }
    for (k, c) in &pb {
        if let Some(old) = pa.get(k) {
            if old != c {
                cond += 1;
                writeln!(s, "~ {} on {}: condition {:?} -> {:?}", k.0, k.1, old, c)?;
            }
        }
    }
    writeln!(
        s,
        "{added} added, {removed} removed, {rescoped} re-scoped, {cond} with a changed condition"
    )?;
    Ok(s)
}

/// Run `iamlint managed ...`.
pub fn managed(cmd: ManagedCommand) -> anyhow::Result<Outcome> {
    let snap = managed::snapshot().map_err(anyhow::Error::msg)?;
    match cmd {
        ManagedCommand::List => {
            let mut s = String::new();
            for p in &snap.policies {
                writeln!(s, "{}\t{}", p.arn, p.version)?;
            }
            writeln!(
                s,
                "{} policies ({}, newest update {})",
                snap.policies.len(),
                snap.source,
                snap.date
            )?;
            emit(&s)?;
        }
        ManagedCommand::Show { name } => {
            let p = managed::find(&name).map_err(anyhow::Error::msg)?;
            emit(&managed::document_text(p))?;
        }
    }
    Ok(Outcome::Clean)
}
