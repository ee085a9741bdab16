//! `iamlint check` as a library call: one principal's documents ([`crate::source::principal`])
//! are each linted and parsed into the model once, evaluated together against a rule set
//! ([`eval::check_in_context`]), optionally compared with IAM's policy simulator and given a
//! suggested fix. The [`CheckResult`] is plain data; [`crate::report::check`] renders it.

use std::collections::BTreeMap;
use std::sync::Arc;

use rayon::prelude::*;

use crate::eval::{self, Doc};
use crate::finding::{Code, Finding};
use crate::policy::Policy;
use crate::rules::{Resolved, RuleSet};
use crate::source::Document;
use crate::source::iam::{self, Session};
use crate::source::principal::{self, Documents, Form, Part, Read};
use crate::{LintOptions, Report, SourceText};

/// What to check.
pub struct Request<'a> {
    /// The rule set (its file is a source findings point into).
    pub set: &'a RuleSet,
    /// The rule set resolved with its parameters and features.
    pub resolved: &'a Resolved,
    /// Whose policies.
    pub principal: principal::Principal,
    /// What is known of the requests, `key=value` (`--context`).
    pub context: &'a [String],
    /// Compute a suggested fix of each policy.
    pub suggest: bool,
    /// Ask IAM's policy simulator through this session (a live principal only).
    pub simulate: Option<&'a Session>,
}

/// What a check found.
#[derive(Debug, Default)]
pub struct CheckResult {
    /// Findings (lint of each document, then the check's), the sources they point into (the
    /// rule file last) and what could not be read.
    pub report: Report,
    /// False when the principal could not be read whole: no check ran, and `report` holds
    /// only the errors.
    pub ran: bool,
    /// The rule set's id.
    pub rule_set: String,
    /// Its parameter values, derived ones included.
    pub params: BTreeMap<String, String>,
    /// One row per required action.
    pub rows: Vec<eval::Row>,
    /// The live principal read, if any.
    pub principal: Option<PrincipalSummary>,
    /// Where IAM's policy simulator disagrees, when asked.
    pub simulated: Option<Simulated>,
    /// The suggested fix: (origin, text, corrected text) per policy, when asked.
    pub suggestions: Vec<(String, String, String)>,
    /// The documents evaluated, read into the model.
    pub docs: Vec<Doc>,
}

/// What was read for a live principal.
#[derive(Debug, Clone)]
pub struct PrincipalSummary {
    /// `role/name`.
    pub name: String,
    /// Its ARN.
    pub arn: String,
    /// The origin of each identity policy.
    pub policies: Vec<String>,
    /// The permissions boundary's origin.
    pub boundary: Option<String>,
}

impl PrincipalSummary {
    fn of(p: &iam::Principal) -> PrincipalSummary {
        PrincipalSummary {
            name: p.label(),
            arn: p.arn.clone(),
            policies: p.policies.iter().map(|f| f.origin.clone()).collect(),
            boundary: p.boundary.as_ref().map(|b| b.origin.clone()),
        }
    }
}

/// Where IAM's policy simulator and iamlint disagree.
#[derive(Debug, serde::Serialize)]
pub struct Simulated {
    /// Pairs compared.
    pub compared: usize,
    /// Pairs whose rule grant requires a condition: the simulator would need request context.
    pub not_simulated_conditional: usize,
    /// Disagreements.
    pub disagreements: Vec<Disagreement>,
}

/// One (action, resource) pair the simulator decides otherwise.
#[derive(Debug, serde::Serialize)]
pub struct Disagreement {
    /// The action.
    pub action: String,
    /// The resource.
    pub resource: String,
    /// iamlint's verdict: `allowed` or `not allowed`.
    pub iamlint: &'static str,
    /// The simulator's decision.
    pub iam: String,
}

/// Check a principal's policies against a rule set. An input that cannot be read is an
/// error of the result (the run fails); a principal read only in part is not checked at all
/// ([`CheckResult::ran`] is false). Bad arguments (a dump that is not one, a principal it
/// does not hold, a bad `--context`) are `Err`.
pub fn check(req: Request<'_>) -> anyhow::Result<CheckResult> {
    let docs = match principal::read(req.principal)? {
        Read::Incomplete(errors) => {
            return Ok(CheckResult {
                report: Report {
                    errors,
                    ..Report::default()
                },
                ..CheckResult::default()
            });
        }
        Read::Whole(d) => d,
    };
    let Documents {
        texts,
        mut parts,
        mut errors,
        live,
    } = docs;
    // One parse of each document gives both its lint findings and the policy to evaluate.
    let read: Vec<(Vec<Finding>, Result<Policy, String>)> = parts
        .par_iter_mut()
        // Small pieces, so no core is left alone with a long run of documents.
        .with_max_len(8)
        .map(|p| read_part(p, &texts))
        .collect();
    // The suggested fix rewrites the texts: then one copy of each, shared by every document
    // in it (an account dump holds many). Without it nothing reads them.
    let shared: Vec<Arc<str>> = if req.suggest {
        texts.iter().map(|t| Arc::from(t.text.as_str())).collect()
    } else {
        Vec::new()
    };
    // Made at their sizes: moved into once, not grown by doubling on this thread.
    let mut findings = Vec::with_capacity(read.iter().map(|(lint, _)| lint.len()).sum());
    let mut docs = Vec::with_capacity(parts.len());
    let mut boundary: Option<Vec<Doc>> = None;
    for (part, (lint, policy)) in parts.iter().zip(read) {
        findings.extend(lint);
        match policy {
            Ok(policy) => {
                let doc = Doc {
                    src: part.text,
                    origin: part.label.clone(),
                    text: shared.get(part.text).cloned().unwrap_or_default(),
                    policy,
                };
                if part.boundary {
                    boundary.get_or_insert_with(Vec::new).push(doc);
                } else {
                    docs.push(doc);
                }
            }
            Err(e) => errors.push(e),
        }
        if part.boundary {
            boundary.get_or_insert_with(Vec::new);
        }
    }
    let mut sources: Vec<SourceText> = texts
        .into_iter()
        .map(|d| SourceText {
            origin: d.origin,
            text: d.text,
        })
        .collect();
    let rule_src = sources.len();
    sources.push(SourceText {
        origin: req.set.origin.clone(),
        text: req.set.text.clone(),
    });
    let mut context = eval::condition::Context::new(false);
    context.parse_args(req.context)?;
    let outcome = eval::check_after(
        req.resolved,
        rule_src,
        &docs,
        boundary.as_deref(),
        &context,
        findings,
    );
    let mut findings = outcome.findings;
    let mut simulated = None;
    if let (Some(session), Some(p)) = (req.simulate, &live) {
        match simulate(session, p, &outcome.verdicts) {
            Ok(s) => simulated = Some(s),
            Err(e) => errors.push(e),
        }
    }
    // Lint findings of whole documents are resolved already (they name their file); those
    // from a dump and the check's own are not.
    crate::resolve_all(&mut findings, &sources);
    let suggestions = if req.suggest {
        eval::suggest::suggest(req.resolved, &docs)
    } else {
        Vec::new()
    };
    Ok(CheckResult {
        report: Report {
            sources,
            findings,
            errors,
            support_sources: 1,
            skipped: Vec::new(),
            ..Report::default()
        },
        ran: true,
        rule_set: req.resolved.id.clone(),
        params: req.resolved.params.clone(),
        rows: outcome.rows,
        principal: live.as_ref().map(PrincipalSummary::of),
        simulated,
        suggestions,
        docs,
    })
}

/// Lint one part and read it into the model, once: a part's JSON tree is taken, its
/// strings moved into the policy.
fn read_part(p: &mut Part, texts: &[Document]) -> (Vec<Finding>, Result<Policy, String>) {
    match &mut p.form {
        Form::Text => {
            let Some(d) = texts.get(p.text) else {
                return (Vec::new(), Err(format!("{}: no text", p.label)));
            };
            let linted = crate::lint_one(d, p.text, false, LintOptions::default());
            let lint = linted.findings;
            let policy = linted.policy.ok_or_else(|| {
                if lint.iter().any(|f| f.code == Code::JsonSyntax) {
                    format!("{}: not valid JSON, so the check cannot use it", d.origin)
                } else {
                    format!(
                        "{}: an account dump, not a policy: check one of its principals with \
                         `--gaad {} --principal ARN`",
                        d.origin, d.origin
                    )
                }
            });
            (lint, policy)
        }
        Form::InDump(parsed) => {
            let mut found = Vec::new();
            let tree = std::mem::take(parsed);
            let policy = crate::policy::parse::parse_policy(tree, p.text, &mut found);
            crate::check::lint_policy(&policy, p.text, &mut found);
            for f in &mut found {
                f.message = format!("{} (in {})", f.message, p.label);
            }
            (found, Ok(policy))
        }
        Form::Snapshot(parsed) => {
            let mut scratch = Vec::new();
            let tree = std::mem::take(parsed);
            let policy = crate::policy::parse::parse_policy(tree, p.text, &mut scratch);
            (Vec::new(), Ok(policy))
        }
    }
}

/// Ask IAM's policy simulator about every (action, resource) pair the rule set requires
/// (those under a required condition aside) and keep where it disagrees.
fn simulate(
    session: &Session,
    p: &iam::Principal,
    verdicts: &[eval::Verdict],
) -> Result<Simulated, String> {
    let mut pairs: Vec<(String, String)> = Vec::new();
    let mut skipped = 0;
    for v in verdicts {
        if v.conditional {
            skipped += 1;
        } else if !pairs
            .iter()
            .any(|(a, r)| *a == v.action && *r == v.resource)
        {
            pairs.push((v.action.clone(), v.resource.clone()));
        }
    }
    let answers = session.simulate(p, &pairs).map_err(|e| {
        let hint = if e.is_access_denied() {
            ""
        } else {
            " (this endpoint may not implement SimulatePrincipalPolicy; the check above stands on its own)"
        };
        format!("--simulate: {e}{hint}")
    })?;
    let mut out = Simulated {
        compared: 0,
        not_simulated_conditional: skipped,
        disagreements: Vec::new(),
    };
    for v in verdicts.iter().filter(|v| !v.conditional) {
        out.compared += 1;
        let iam = answers
            .iter()
            .find(|a| a.action.eq_ignore_ascii_case(&v.action) && a.resource == v.resource)
            .map_or("no answer", |a| a.decision.as_str());
        if (iam == "allowed") != v.allowed {
            out.disagreements.push(Disagreement {
                action: v.action.clone(),
                resource: v.resource.clone(),
                iamlint: if v.allowed { "allowed" } else { "not allowed" },
                iam: iam.to_string(),
            });
        }
    }
    Ok(out)
}
