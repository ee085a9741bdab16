//! The escalation paths of an account ([`crate::analysis::audit::graph::paths`]) as text,
//! one line per path, `user/a -> role/b (sts:AssumeRole, file:line:col) -> ...`, shortest
//! first, with what could not be evaluated; or as one JSON object.

use serde::Serialize;

use crate::analysis::audit::Unevaluated;
use crate::analysis::audit::graph::{Path, Step};

/// One step as the text report writes it: ` -> to (via, statement[, if condition])`.
fn step_text(s: &Step) -> String {
    let mut t = format!(" -> {} ({}", s.to, s.via);
    if !s.statement.is_empty() {
        t.push_str(&format!(", {}", s.statement));
    }
    if let Some(c) = &s.condition {
        t.push_str(&format!(", allowed if {c}"));
    }
    t.push(')');
    t
}

/// The text report: a summary line, then one line per path.
pub fn render_text(
    dump: &str,
    principals: usize,
    paths: &[Path],
    unevaluated: &[Unevaluated],
    errors: &[String],
) -> String {
    let mut s = format!(
        "{dump}: {} to an admin-equivalent principal (of {principals} users and roles)\n",
        match paths.len() {
            1 => "1 path".to_string(),
            n => format!("{n} paths"),
        }
    );
    for p in paths {
        s.push_str(&p.from);
        for st in &p.steps {
            s.push_str(&step_text(st));
        }
        s.push('\n');
    }
    if !unevaluated.is_empty() {
        s.push_str(&format!(
            "not evaluated: {} (the dump does not hold everything that applies to them):\n",
            unevaluated.len()
        ));
        for u in unevaluated {
            for e in &u.errors {
                s.push_str(&format!("  {e}\n"));
            }
        }
    }
    for e in errors {
        s.push_str(&format!("incomplete dump: {e}\n"));
    }
    super::text::escape_lines(&s)
}

#[derive(Serialize)]
struct Json<'a> {
    dump: &'a str,
    principals: usize,
    paths: &'a [Path],
    unevaluated: &'a [Unevaluated],
    errors: &'a [String],
}

/// The paths as one pretty JSON object: `{dump, principals, paths: [{from, to, steps:
/// [{from, to, via, statement, condition}]}], unevaluated, errors}`.
pub fn render_json(
    dump: &str,
    principals: usize,
    paths: &[Path],
    unevaluated: &[Unevaluated],
    errors: &[String],
) -> anyhow::Result<String> {
    let mut s = serde_json::to_string_pretty(&Json {
        dump,
        principals,
        paths,
        unevaluated,
        errors,
    })?;
    s.push('\n');
    Ok(s)
}
