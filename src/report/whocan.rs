//! The answer of `iamlint who-can` ([`WhoCan`]) in every format: as text, a summary line,
//! then each principal allowed, allowed if a condition holds, or denied by an explicit
//! `Deny` over an `Allow`, with the statements behind it, and what could not be evaluated;
//! or as one JSON object.

use serde::Serialize;

use super::can::{AnswerJson, answer_text};
use crate::analysis::audit::Unevaluated;
use crate::analysis::audit::whocan::WhoCan;
use crate::eval::request::Hit;

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The text report. `file_of` says which file a statement's position is in.
pub fn render_text(w: &WhoCan, file_of: &dyn Fn(&Hit) -> String) -> String {
    let mut s = format!(
        "`{}` on `{}`: {} allowed, {} allowed if a condition holds, {} denied by a `Deny` \
         (of {} evaluated)\n",
        w.action,
        w.resource,
        w.allowed.len(),
        w.allowed_if.len(),
        w.denied.len(),
        plural(w.evaluated, "user or role", "users and roles"),
    );
    for a in w.allowed.iter().chain(&w.allowed_if).chain(&w.denied) {
        s.push_str(&answer_text(a, file_of, false));
    }
    if !w.unevaluated.is_empty() {
        s.push_str(&format!(
            "not evaluated: {}, the dump does not hold everything that applies to them:\n",
            plural(w.unevaluated.len(), "principal", "principals")
        ));
        for u in &w.unevaluated {
            for e in &u.errors {
                s.push_str(&format!("  {e}\n"));
            }
        }
    }
    for e in &w.errors {
        s.push_str(&format!("incomplete dump: {e}\n"));
    }
    super::text::escape_lines(&s)
}

#[derive(Serialize)]
struct Summary {
    evaluated: usize,
    allowed: usize,
    allowed_if: usize,
    denied: usize,
    unevaluated: usize,
    complete: bool,
}

#[derive(Serialize)]
struct Json<'a> {
    action: &'a str,
    resource: &'a str,
    dump: &'a str,
    summary: Summary,
    allowed: Vec<AnswerJson<'a>>,
    allowed_if: Vec<AnswerJson<'a>>,
    denied: Vec<AnswerJson<'a>>,
    unevaluated: &'a [Unevaluated],
    errors: &'a [String],
}

/// The answer as one pretty JSON object.
pub fn render_json(w: &WhoCan, file_of: &dyn Fn(&Hit) -> String) -> anyhow::Result<String> {
    let all = |v| -> Vec<AnswerJson<'_>> {
        let v: &Vec<_> = v;
        v.iter().map(|a| AnswerJson::new(a, file_of)).collect()
    };
    let j = Json {
        action: &w.action,
        resource: &w.resource,
        dump: &w.dump,
        summary: Summary {
            evaluated: w.evaluated,
            allowed: w.allowed.len(),
            allowed_if: w.allowed_if.len(),
            denied: w.denied.len(),
            unevaluated: w.unevaluated.len(),
            complete: w.complete(),
        },
        allowed: all(&w.allowed),
        allowed_if: all(&w.allowed_if),
        denied: all(&w.denied),
        unevaluated: &w.unevaluated,
        errors: &w.errors,
    };
    Ok(format!("{}\n", serde_json::to_string_pretty(&j)?))
}
