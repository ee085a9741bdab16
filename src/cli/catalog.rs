//! `iamlint catalog info|action|update`.

use std::fmt::Write as _;

use clap::Subcommand;

use super::{Format, Outcome, emit};
use crate::catalog::{self, ActionRef};

/// `iamlint catalog ...`
#[derive(Debug, Subcommand)]
pub enum CatalogCommand {
    /// Data source and date, and counts of services, actions, resource types, condition keys.
    Info {
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Show actions: access level, resource types with ARN formats, condition keys.
    /// Takes `service:Action`, case-insensitive, wildcards allowed (`s3:Get*`).
    Action {
        /// E.g. `iam:GetInstanceProfile` or `s3:Get*Tagging`.
        name: String,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Fetch AWS's machine-readable service reference into the user cache; iamlint then
    /// prefers it while it is newer than the embedded data.
    Update {
        /// Base URL of the service reference (its index lists each service's file).
        #[arg(long, default_value = catalog::update::DEFAULT_URL)]
        url: String,
    },
}

/// Run `iamlint catalog ...`.
pub fn run(cmd: CatalogCommand) -> anyhow::Result<Outcome> {
    let c = catalog::get();
    if let Some(w) = &c.warning {
        eprintln!("warning: {w}");
    }
    match cmd {
        CatalogCommand::Info { format } => {
            let (s, a, r, k) = c.counts();
            let text = match format {
                Format::Json => {
                    let mut j = serde_json::to_string_pretty(&serde_json::json!({
                        "source": c.source(), "version": c.version(), "date": c.date(), "origin": c.origin,
                        "services": s, "actions": a, "resource_types": r, "condition_keys": k,
                        "global_condition_keys_source": c.global_conditions_source(),
                    }))?;
                    j.push('\n');
                    j
                }
                Format::Text => format!(
                    "source:          {}\ndate:            {}\nloaded from:     {}\nservices:        {s}\nactions:         {a}\nresource types:  {r}\ncondition keys:  {k} ({} global, from {})\n",
                    c.source(),
                    c.date(),
                    c.origin,
                    c.global_conditions().len(),
                    c.global_conditions_source()
                ),
            };
            emit(&text)?;
            Ok(Outcome::Clean)
        }
        CatalogCommand::Action { name, format } => action(&name, format),
        CatalogCommand::Update { url } => {
            let summary = catalog::update::update(&url)?;
            emit(&format!("{summary}\n"))?;
            Ok(Outcome::Clean)
        }
    }
}

fn action(name: &str, format: Format) -> anyhow::Result<Outcome> {
    let c = catalog::get();
    let item = crate::span::Spanned::new(name.to_string(), crate::span::Span::default());
    let r = crate::check::resolve_action(c, &item);
    let found: Vec<ActionRef> = if r.all {
        anyhow::bail!("`*` names every action; give a service, e.g. `s3:*`");
    } else {
        r.matches.to_vec()
    };
    if found.is_empty() {
        let hint = match (r.service, name.split_once(':')) {
            (Some(svc), Some((_, a))) => c
                .suggest_action(svc, a, &crate::suggest::Context::default())
                .map(|s| format!("; did you mean `{s}`?")),
            (None, Some((p, _))) => c
                .suggest_service(p)
                .map(|s| format!("; no service `{p}`: did you mean `{s}`?")),
            _ => Some("; write `service:Action`".to_string()),
        };
        eprintln!(
            "error: no action matches `{name}`{}",
            hint.unwrap_or_default()
        );
        return Ok(Outcome::Error);
    }
    let text = match format {
        Format::Json => {
            let list: Vec<serde_json::Value> = found.iter().map(|a| action_json(*a)).collect();
            let mut s = serde_json::to_string_pretty(&list)?;
            s.push('\n');
            s
        }
        Format::Text => {
            let mut s = String::new();
            for a in &found {
                action_text(&mut s, *a);
            }
            s
        }
    };
    emit(&text)?;
    Ok(Outcome::Clean)
}

fn action_text(s: &mut String, a: ActionRef) {
    let _ = writeln!(s, "{}", a.full_name());
    let _ = writeln!(
        s,
        "  service:        {} ({})",
        a.service.prefix, a.service.name
    );
    let _ = writeln!(s, "  access level:   {}", a.access_level());
    if let Some(rep) = a.action.deprecated {
        let _ = writeln!(
            s,
            "  deprecated:     {}",
            if rep.is_empty() { "yes" } else { rep }
        );
    }
    if a.action.resources.is_empty() {
        let _ = writeln!(
            s,
            "  resource types: none (no resource-level permissions: use \"Resource\": \"*\")"
        );
    } else {
        let _ = writeln!(s, "  resource types:");
        for (t, req) in a.resource_types() {
            let _ = writeln!(s, "    {}{}", t.name, if req { " (required)" } else { "" });
            for f in &t.arns {
                let _ = writeln!(s, "      {f}");
            }
            if !t.conditions.is_empty() {
                let _ = writeln!(s, "      condition keys: {}", t.conditions.join(", "));
            }
        }
    }
    if a.action.conditions.is_empty() {
        let _ = writeln!(s, "  condition keys: none of its own");
    } else {
        let _ = writeln!(s, "  condition keys: {}", a.action.conditions.join(", "));
    }
}

fn action_json(a: ActionRef) -> serde_json::Value {
    serde_json::json!({
        "action": a.full_name(),
        "service_name": a.service.name,
        "access_level": a.access_level(),
        "deprecated": a.action.deprecated,
        "resource_types": a.resource_types().map(|(t, req)| serde_json::json!({
            "name": t.name, "required": req, "arn_formats": t.arns, "condition_keys": t.conditions,
        })).collect::<Vec<_>>(),
        "condition_keys": a.action.conditions,
    })
}
