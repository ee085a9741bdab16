//! The decision of `iamlint can` ([`Decision`]) in every format: the verdict and the
//! statements behind it as text, or the decision as one JSON object. For a principal of an
//! account dump (`--gaad`), its [`Answer`]: the same, with "allowed if `<condition>`" for a
//! grant under a condition the request does not decide.

use crate::analysis::audit::effective::{Access, Answer};
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

/// Where a statement of an account dump is: `file` is the dump (or `embedded snapshot` for
/// an AWS managed policy the dump does not hold).
fn at_in(h: &Hit, file: &str) -> String {
    let kind = if h.boundary {
        "boundary statement"
    } else {
        "statement"
    };
    format!(
        "{kind} `{}` of {} ({file}:{}:{})",
        h.statement, h.policy, h.line, h.column
    )
}

/// One principal's answer of `can --gaad` as text: the answer (with its condition), then
/// the statements behind it. `file_of` says which file a statement's position is in.
pub fn render_answer_text(a: &Answer, file_of: &dyn Fn(&Hit) -> String) -> String {
    super::text::escape_lines(&answer_text(a, file_of, true))
}

/// [`render_answer_text`]; with `request` false the first line names the principal only
/// (`who-can` states the request once).
pub(crate) fn answer_text(a: &Answer, file_of: &dyn Fn(&Hit) -> String, request: bool) -> String {
    let d = &a.decision;
    let head = match &a.condition {
        Some(c) => format!("allowed if {c}"),
        None => a.access.as_str().to_string(),
    };
    let indent = "";
    let mut s = if request {
        format!(
            "{head}: `{}` on `{}` for {}\n",
            d.action, d.resource, a.principal
        )
    } else {
        format!("{head}: {}\n", a.principal)
    };
    for h in &d.deciding {
        let verb = if h.effect == "Deny" {
            "denied"
        } else {
            "allowed"
        };
        s.push_str(&format!(
            "{indent}  {verb} by {}{}\n",
            at_in(h, &file_of(h)),
            when(h)
        ));
    }
    for h in &d.undecided {
        let verb = if h.effect == "Deny" {
            "denied"
        } else {
            "allowed"
        };
        s.push_str(&format!(
            "{indent}  {verb} if {} by {}\n",
            h.conditions.join(" and "),
            at_in(h, &file_of(h))
        ));
    }
    for h in &d.unmet {
        s.push_str(&format!(
            "{indent}  not applied: {} ({}), its condition does not hold: {}\n",
            at_in(h, &file_of(h)),
            h.effect,
            h.conditions.join(" and ")
        ));
    }
    for n in &d.notes {
        s.push_str(&format!("{indent}  note: {n}\n"));
    }
    s
}

/// A statement with the file its position is in, for JSON.
#[derive(serde::Serialize)]
struct Located<'a> {
    file: String,
    #[serde(flatten)]
    hit: &'a Hit,
}

/// An [`Answer`] for JSON: each statement names its file.
#[derive(serde::Serialize)]
pub(crate) struct AnswerJson<'a> {
    principal: &'a str,
    arn: &'a str,
    access: Access,
    condition: Option<&'a str>,
    action: &'a str,
    resource: &'a str,
    deciding: Vec<Located<'a>>,
    unmet: Vec<Located<'a>>,
    undecided: Vec<Located<'a>>,
    notes: &'a [String],
}

impl<'a> AnswerJson<'a> {
    pub(crate) fn new(a: &'a Answer, file_of: &dyn Fn(&Hit) -> String) -> Self {
        let loc = |hs: &'a [Hit]| -> Vec<Located<'a>> {
            hs.iter()
                .map(|h| Located {
                    file: file_of(h),
                    hit: h,
                })
                .collect()
        };
        AnswerJson {
            principal: &a.principal,
            arn: &a.arn,
            access: a.access,
            condition: a.condition.as_deref(),
            action: &a.decision.action,
            resource: &a.decision.resource,
            deciding: loc(&a.decision.deciding),
            unmet: loc(&a.decision.unmet),
            undecided: loc(&a.decision.undecided),
            notes: &a.decision.notes,
        }
    }
}

/// One principal's answer of `can --gaad` as one pretty JSON object.
pub fn render_answer_json(a: &Answer, file_of: &dyn Fn(&Hit) -> String) -> anyhow::Result<String> {
    Ok(format!(
        "{}\n",
        serde_json::to_string_pretty(&AnswerJson::new(a, file_of))?
    ))
}
