//! The result of `check` ([`CheckResult`]) in every format: the findings as for `lint`, then
//! the live principal read, the requirement table, the policy simulator's verdict and the
//! suggested fix as unified diffs (text); or one JSON object with `check`, `suggestions`,
//! `principal` and `simulate` beside the findings. A check that did not run (the principal
//! could not be read whole) shows its errors only.

use comfy_table::{ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};

use super::text::{self, escape, escape_lines};
use crate::analysis::check::{CheckResult, PrincipalSummary, Simulated};
use crate::eval::{self, suggest::unified_diff};

/// Compiler-style text, then the table and the rest. Below the findings nothing is
/// coloured, and names, Sids and policy text come from the input: shown escaped.
pub fn render_text(r: &CheckResult, opts: text::Options) -> String {
    let mut s = text::render(&r.report, opts);
    if !r.ran {
        return s;
    }
    if let Some(p) = &r.principal {
        s.push('\n');
        s.push_str(&escape_lines(&principal_text(p)));
    }
    s.push_str(&table(&r.rule_set, &r.rows));
    if let Some(sim) = &r.simulated {
        s.push_str(&escape_lines(&simulated_text(sim)));
    }
    for (origin, old, new) in &r.suggestions {
        s.push('\n');
        let part = if old == new {
            format!("{origin}: no change needed\n")
        } else {
            unified_diff(origin, old, new)
        };
        s.push_str(&escape_lines(&part));
    }
    s
}

/// One JSON object: the report's, plus `check` (rule set, params, rows), `suggestions`,
/// `principal` and `simulate` when there are.
pub fn render_json(r: &CheckResult) -> anyhow::Result<String> {
    if !r.ran {
        return Ok(super::json::render(&r.report));
    }
    let mut extra = vec![(
        "check",
        serde_json::json!({
            "rule_set": r.rule_set,
            "params": r.params,
            "rows": r.rows,
        }),
    )];
    if !r.suggestions.is_empty() {
        let list = r
            .suggestions
            .iter()
            .map(|(origin, old, new)| {
                serde_json::json!({
                    "file": origin,
                    "diff": unified_diff(origin, old, new),
                    "policy": serde_json::from_str::<serde_json::Value>(new).unwrap_or_default(),
                })
            })
            .collect::<Vec<_>>();
        extra.push(("suggestions", list.into()));
    }
    if let Some(p) = &r.principal {
        extra.push((
            "principal",
            serde_json::json!({
                "name": p.name,
                "arn": p.arn,
                "policies": p.policies,
                "permissions_boundary": p.boundary,
            }),
        ));
    }
    if let Some(s) = &r.simulated {
        extra.push(("simulate", serde_json::to_value(s)?));
    }
    Ok(super::json::render_with(&r.report, &extra))
}

/// What was read for a live principal, for the reader.
fn principal_text(p: &PrincipalSummary) -> String {
    let mut text = format!(
        "principal {} ({}): {} {}",
        p.name,
        p.arn,
        p.policies.len(),
        if p.policies.len() == 1 {
            "policy"
        } else {
            "policies"
        }
    );
    for o in &p.policies {
        text.push_str(&format!("\n  {o}"));
    }
    match &p.boundary {
        Some(b) => text.push_str(&format!(
            "\n  {b}: a grant counts only where the boundary allows it too\n"
        )),
        None => text.push_str("\n  no permissions boundary\n"),
    }
    text
}

fn simulated_text(sim: &Simulated) -> String {
    let skipped = if sim.not_simulated_conditional > 0 {
        format!(
            " ({} pairs under a required condition not simulated: that needs request context)",
            sim.not_simulated_conditional
        )
    } else {
        String::new()
    };
    if sim.disagreements.is_empty() {
        return format!(
            "\nsimulate: IAM's policy simulator agrees with iamlint on all {} (action, resource) pairs{skipped}\n",
            sim.compared
        );
    }
    let mut t = Table::new();
    t.load_style(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_width(140)
        .set_header(["action", "resource", "iamlint", "IAM simulator"]);
    for d in &sim.disagreements {
        t.add_row([
            d.action.as_str(),
            d.resource.as_str(),
            d.iamlint,
            d.iam.as_str(),
        ]);
    }
    format!(
        "\nsimulate: IAM's policy simulator disagrees with iamlint on {} of {} pairs{skipped}:\n{t}\n",
        sim.disagreements.len(),
        sim.compared
    )
}

fn table(rule_set: &str, rows: &[eval::Row]) -> String {
    let bad: Vec<&eval::Row> = rows.iter().filter(|r| r.status != "ok").collect();
    let mut s = format!(
        "\n`{}`: {} of {} required grants satisfied",
        escape(rule_set),
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
            escape(&r.grant).into_owned(),
            r.status.to_string(),
            escape(&r.action).into_owned(),
            if r.granted_on.is_empty() {
                "-".to_string()
            } else {
                cell(&r.granted_on)
            },
            cell(&r.needed_on),
        ]);
    }
    s.push_str(&t.to_string());
    s.push('\n');
    s
}

/// One value a line. A value longer than an ARN can be is shortened: the table wraps a long
/// word at a cost that grows with the square of its length (issue 10: bounded cost); the
/// findings and the JSON keep it whole.
fn cell(values: &[String]) -> String {
    let max = crate::arn::MAX_ARN_LEN;
    let short = |v: &String| match v.char_indices().nth(64) {
        Some((cut, _)) if v.len() > max => {
            format!(
                "{}… ({} characters)",
                v.get(..cut).unwrap_or(""),
                v.chars().count()
            )
        }
        _ => v.clone(),
    };
    // Policy text: escaped like every other input value shown in a terminal.
    values
        .iter()
        .map(|v| escape(&short(v)).into_owned())
        .collect::<Vec<_>>()
        .join("\n")
}
