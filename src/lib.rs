//! iamlint: lint and audit AWS IAM policies, offline, against an embedded catalog of every
//! AWS action, resource type and condition key.
//!
//! The pipeline, one module per stage:
//! - [`source`] reads documents (files, folders, stdin);
//! - [`policy`] reads JSON with spans ([`policy::json`]) into a typed model, collecting
//!   structural findings;
//! - [`catalog`] is the embedded AWS data; [`arn`] and [`pattern`] normalise ARNs and
//!   wildcards against it;
//! - [`check`] runs the lint checks; [`finding`] is what they produce;
//! - [`report`] renders findings as text or JSON;
//! - [`live`] reads what IAM holds through the AWS SDK (read-only).
//!
//! ```
//! let report = iamlint::lint_texts(vec![iamlint::source::Document {
//!     origin: "example.json".into(),
//!     text: r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
//!               "Action":["ec2:DescribeSpotInstanceRequests","ec2:CancelSpotRequests"],
//!               "Resource":"*"}]}"#.into(),
//! }]);
//! assert_eq!(report.findings[0].code.as_str(), "unknown-action");
//! assert_eq!(report.findings[0].suggestion.as_deref(), Some("ec2:CancelSpotInstanceRequests"));
//! ```

pub mod arn;
pub mod catalog;
pub mod check;
pub mod cli;
pub mod eval;
pub mod finding;
pub mod live;
pub mod pattern;
pub mod policy;
pub mod report;
pub mod rules;
pub mod source;
pub mod span;
pub mod suggest;

use rayon::prelude::*;

use finding::{Code, Finding};
use source::{Document, Input, LoadError};
use span::LineIndex;

/// A document that was read, kept for rendering source lines.
#[derive(Debug, Clone)]
pub struct SourceText {
    /// Where it came from.
    pub origin: String,
    /// Its text; empty when it had no findings (only findings need it).
    pub text: String,
}

/// The outcome of a run: findings, the sources they point into, and what could not be read.
#[derive(Debug, Default)]
pub struct Report {
    /// Every source, in input order; `Location::source` indexes this.
    pub sources: Vec<SourceText>,
    /// Findings, ordered by source then position.
    pub findings: Vec<Finding>,
    /// Inputs that could not be read. Any of these makes the run fail (exit 2).
    pub errors: Vec<String>,
    /// Sources that are not inputs (a rule file findings point into), at the end of `sources`.
    pub support_sources: usize,
}

impl Report {
    /// How many input documents were read.
    pub fn documents(&self) -> usize {
        self.sources
            .len()
            .saturating_sub(self.errors.len())
            .saturating_sub(self.support_sources)
    }
}

/// Lint one document as source number `src`: JSON syntax, structure, then every check.
/// Findings come back sorted by position, with line and column resolved.
pub fn lint_document(doc: &Document, src: usize) -> Vec<Finding> {
    lint_document_with_policy(doc, src).0
}

/// [`lint_document`], and the document read as a policy (`None` when it is not JSON),
/// from one parse: `check` needs both.
pub fn lint_document_with_policy(
    doc: &Document,
    src: usize,
) -> (Vec<Finding>, Option<policy::Policy>) {
    let mut out = Vec::new();
    let mut model = None;
    match policy::json::parse(&doc.text) {
        Err(e) => out.push(Finding::new(Code::JsonSyntax, src, e.span, e.message)),
        Ok(parsed) if source::gaad::is_dump(&parsed.root) => {
            // An account dump: lint every policy document in it.
            model = Some(policy::parse::parse_policy(&parsed, src, &mut Vec::new()));
            let dump = source::gaad::Dump::read(&parsed);
            for d in &dump.docs {
                let mut found = Vec::new();
                let policy = policy::parse::parse_policy(&d.parsed, src, &mut found);
                check::lint_policy(&policy, src, &mut found);
                for mut f in found {
                    if d.decoded.is_some() {
                        // Spans point into the decoded text: show the encoded string.
                        f.location.span = d.at;
                        f.related.clear();
                    }
                    f.message = format!("{} (in {})", f.message, d.label);
                    out.push(f);
                }
            }
        }
        Ok(parsed) => {
            let policy = policy::parse::parse_policy(&parsed, src, &mut out);
            check::lint_policy(&policy, src, &mut out);
            model = Some(policy);
        }
    }
    resolve(&mut out, &doc.origin, &doc.text);
    (out, model)
}

/// Sort findings by position and fill in file, line and column.
pub fn resolve(findings: &mut [Finding], origin: &str, text: &str) {
    if findings.is_empty() {
        return;
    }
    findings.sort_by_key(|f| (f.location.span.start, f.location.span.end, f.code));
    let index = LineIndex::new(text);
    for f in findings.iter_mut() {
        let (line, column) = index.line_col(text, f.location.span.start);
        f.location.file = origin.to_string();
        f.location.line = line;
        f.location.column = column;
        for r in &mut f.related {
            let (line, column) = index.line_col(text, r.location.span.start);
            r.location.file = origin.to_string();
            r.location.line = line;
            r.location.column = column;
        }
    }
}

/// Resolve findings that point into several sources.
pub fn resolve_all(findings: &mut [Finding], sources: &[SourceText]) {
    let mut by_src: std::collections::BTreeMap<usize, Vec<&mut Finding>> =
        std::collections::BTreeMap::new();
    for f in findings.iter_mut() {
        by_src.entry(f.location.source).or_default().push(f);
    }
    // One line index per source, made when first needed: findings can be many, and each
    // may point into a long rule file (issue 10: linear cost).
    let mut indexes: std::collections::HashMap<usize, LineIndex> = std::collections::HashMap::new();
    for (src, fs) in by_src {
        let Some(s) = sources.get(src) else { continue };
        let index = LineIndex::new(&s.text);
        for f in fs {
            let (line, column) = index.line_col(&s.text, f.location.span.start);
            f.location.file = s.origin.clone();
            f.location.line = line;
            f.location.column = column;
            for r in &mut f.related {
                let Some(rs) = sources.get(r.location.source) else {
                    continue;
                };
                let (line, column) = indexes
                    .entry(r.location.source)
                    .or_insert_with(|| LineIndex::new(&rs.text))
                    .line_col(&rs.text, r.location.span.start);
                r.location.file = rs.origin.clone();
                r.location.line = line;
                r.location.column = column;
            }
        }
    }
}

/// Lint documents already in memory, in parallel.
pub fn lint_texts(docs: Vec<Document>) -> Report {
    let results: Vec<Result<Document, LoadError>> = docs.into_iter().map(Ok).collect();
    collect(results)
}

/// Read and lint inputs (paths, folders, `-`), in parallel.
pub fn lint_paths(args: &[String]) -> Report {
    lint_paths_and(args, Vec::new())
}

/// [`lint_paths`], then documents already in memory (policies read from live IAM).
pub fn lint_paths_and(args: &[String], extra: Vec<Document>) -> Report {
    let (inputs, errors) = source::expand(args);
    let mut docs: Vec<Result<Document, LoadError>> = inputs.par_iter().map(source::read).collect();
    docs.extend(extra.into_iter().map(Ok));
    let mut report = collect(docs);
    report
        .errors
        .splice(0..0, errors.iter().map(ToString::to_string));
    report
}

/// Lint inputs of which some may be stdin, already expanded.
pub fn lint_inputs(inputs: &[Input]) -> Report {
    collect(inputs.par_iter().map(source::read).collect())
}

fn collect(docs: Vec<Result<Document, LoadError>>) -> Report {
    let linted: Vec<Result<(SourceText, Vec<Finding>), LoadError>> = docs
        .into_par_iter()
        .enumerate()
        .map(|(i, d)| {
            d.map(|doc| {
                let findings = lint_document(&doc, i);
                let text = if findings.is_empty() {
                    String::new()
                } else {
                    doc.text
                };
                (
                    SourceText {
                        origin: doc.origin,
                        text,
                    },
                    findings,
                )
            })
        })
        .collect();
    let mut report = Report::default();
    for r in linted {
        match r {
            Ok((src, findings)) => {
                report.sources.push(src);
                report.findings.extend(findings);
            }
            Err(e) => {
                report.sources.push(SourceText {
                    origin: String::new(),
                    text: String::new(),
                });
                report.errors.push(e.to_string());
            }
        }
    }
    report
}
