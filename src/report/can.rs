//! The decision of `iamlint can` ([`Decision`]) in every format: the verdict and the
//! statements behind it as text, or the decision as one JSON object.

use crate::eval::request::{Decision, Hit};

/// The text: the verdict, then the statements that decided, those whose condition did not
/// hold, those iamlint cannot decide, and notes. Sids, file names and values come from the
/// input: shown escaped.
pub fn render_text(d: &Decision) -> String {
    super::text::escape_lines(&text(d))
}

/// The decision as one pretty JSON object.
pub fn render_json(d: &Decision) -> anyhow::Result<String> {
    Ok(format!("{}\n", serde_json::to_string_pretty(d)?))
}

fn at(h: &Hit) -> String {
    let kind = if h.boundary {
        "boundary statement"
    } else {
        "statement"
    };
    format!(
        "{kind} `{}` ({}:{}:{})",
        h.statement, h.policy, h.line, h.column
    )
}

fn when(h: &Hit) -> String {
    if h.conditions.is_empty() {
        String::new()
    } else {
        format!(" when {}", h.conditions.join(" and "))
    }
}

/// The text report: the verdict, then the statements behind it.
fn text(d: &Decision) -> String {
    let mut s = format!(
        "{}: `{}` on `{}`\n",
        d.verdict.as_str(),
        d.action,
        d.resource
    );
    for h in &d.deciding {
        let verb = if h.effect == "Deny" {
            "denied"
        } else {
            "allowed"
        };
        s.push_str(&format!("  {verb} by {}{}\n", at(h), when(h)));
    }
    for h in &d.unmet {
        s.push_str(&format!(
            "  not applied: {} ({}), its condition does not hold: {}\n",
            at(h),
            h.effect,
            h.conditions.join(" and ")
        ));
    }
    for h in &d.undecided {
        s.push_str(&format!(
            "  not decided: {} ({}) has a condition iamlint cannot evaluate: {}\n",
            at(h),
            h.effect,
            h.conditions.join(" and ")
        ));
    }
    for n in &d.notes {
        s.push_str(&format!("  note: {n}\n"));
    }
    s
}
