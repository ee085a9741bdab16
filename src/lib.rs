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
    /// JSON files found in a folder that are not policy documents, so not linted.
    pub skipped: Vec<source::Skipped>,
}

impl Report {
    /// How many input documents were read. An input that could not be read, or was
    /// skipped, keeps its place in `sources` with an empty origin.
    pub fn documents(&self) -> usize {
        self.sources
            .iter()
            .filter(|s| !s.origin.is_empty())
            .count()
            .saturating_sub(self.support_sources)
    }
}

/// What linting one document gave.
#[derive(Debug, Default)]
pub struct Linted {
    /// Findings, sorted by position, with line and column resolved.
    pub findings: Vec<Finding>,
    /// Parts that could not be read (of an account dump), each `file:line:col: message`.
    pub errors: Vec<String>,
    /// Set when the document was found in a folder and is not a policy: not linted.
    pub skipped: Option<source::SkipReason>,
    /// The document read as a policy (`None` when it is not JSON, is an account dump, or
    /// was skipped), so a caller that evaluates it need not parse it again.
    pub policy: Option<policy::Policy>,
}

/// How to lint, beyond what the documents say themselves.
#[derive(Debug, Clone, Copy, Default)]
pub struct LintOptions {
    /// What a plain policy file is saved as, for its size quota; `None`: a managed policy
    /// (or a trust policy, when its text is one). Account dumps say it themselves.
    pub policy_kind: Option<check::quota::Kind>,
    /// Nothing will render source lines (JSON output): each text is dropped once linted,
    /// rather than kept in [`Report::sources`] for the findings that point into it.
    pub drop_texts: bool,
}

/// Lint one document as source number `src`: JSON syntax, structure, then every check.
/// Findings come back sorted by position, with line and column resolved. The parts of an
/// account dump that could not be read are left out here: [`lint_one`] returns them.
pub fn lint_document(doc: &Document, src: usize) -> Vec<Finding> {
    lint_one(doc, src, false, LintOptions::default()).findings
}

/// Lint one document as source number `src`, with the parts of an account dump that could
/// not be read as errors. `in_folder`: the document was found by walking a folder, so JSON
/// that is not a policy (see [`source::not_a_policy`]) is skipped rather than linted.
pub fn lint_one(doc: &Document, src: usize, in_folder: bool, opts: LintOptions) -> Linted {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    let mut model = None;
    match policy::json::parse(&doc.text) {
        Err(e) => out.push(Finding::new(Code::JsonSyntax, src, e.span, e.message)),
        Ok(parsed) if source::gaad::is_dump(&parsed.root) => {
            // An account dump: lint every policy document in it.
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
            errors = dump_errors(&doc.origin, &doc.text, dump.problems.iter());
            check::quota::check_dump(&doc.text, &parsed, src, &mut out);
        }
        Ok(parsed) => {
            if in_folder {
                if let Some(why) = source::not_a_policy(&parsed.root) {
                    return Linted {
                        skipped: Some(why),
                        ..Linted::default()
                    };
                }
            }
            let policy = policy::parse::parse_policy(&parsed, src, &mut out);
            check::lint_policy(&policy, src, &mut out);
            // AWS managed policies are AWS's, not bound by the quotas of customers' policies.
            if !source::managed::is_managed_arn(&doc.origin) {
                check::quota::check_document(&doc.text, &policy, opts.policy_kind, src, &mut out);
            }
            model = Some(policy);
        }
    }
    resolve(&mut out, &doc.origin, &doc.text);
    Linted {
        findings: out,
        errors,
        skipped: None,
        policy: model,
    }
}

/// The unread parts of a dump as `file:line:col: message` errors.
pub fn dump_errors<'a>(
    origin: &str,
    text: &str,
    problems: impl Iterator<Item = &'a source::gaad::Problem>,
) -> Vec<String> {
    let index = LineIndex::new(text);
    problems
        .map(|p| {
            let (l, c) = index.line_col(text, p.at.start);
            match p.first {
                Some(first) => {
                    let (fl, fc) = index.line_col(text, first.start);
                    format!("{origin}:{l}:{c}: {} (first at {fl}:{fc})", p.message)
                }
                None => format!("{origin}:{l}:{c}: {}", p.message),
            }
        })
        .collect()
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
    collect(
        docs.into_iter().map(Job::Ready).collect(),
        LintOptions::default(),
    )
}

/// Read and lint inputs (paths, folders, `-`), in parallel.
pub fn lint_paths(args: &[String]) -> Report {
    lint_paths_and(args, Vec::new())
}

/// [`lint_paths`], then documents already in memory (policies read from live IAM).
pub fn lint_paths_and(args: &[String], extra: Vec<Document>) -> Report {
    lint_paths_with(args, extra, LintOptions::default())
}

/// [`lint_paths_and`] with options.
pub fn lint_paths_with(args: &[String], extra: Vec<Document>, opts: LintOptions) -> Report {
    let (inputs, errors) = source::expand(args);
    // Each input is read by the thread that lints it, so a text lives only while linted.
    let jobs: Vec<Job<'_>> = inputs
        .iter()
        .map(Job::Read)
        .chain(extra.into_iter().map(Job::Ready))
        .collect();
    let mut report = collect(jobs, opts);
    report
        .errors
        .splice(0..0, errors.iter().map(ToString::to_string));
    // A folder whose JSON files were all skipped checked nothing: as for a folder with no
    // JSON at all, that is an error, never a pass.
    if !report.skipped.is_empty() {
        for a in args {
            let dir = std::path::Path::new(a);
            if a == "-" || !dir.is_dir() {
                continue;
            }
            let under = |f: &str| std::path::Path::new(f).starts_with(dir);
            let here: Vec<source::Skipped> = report
                .skipped
                .iter()
                .filter(|s| under(&s.file))
                .cloned()
                .collect();
            let read = report.sources.iter().any(|s| under(&s.origin));
            if !here.is_empty() && !read {
                report.errors.push(format!(
                    "{a}: the folder holds no policy documents: {}",
                    report::skipped_text(&here)
                ));
            }
        }
    }
    report
}

/// Lint inputs of which some may be stdin, already expanded.
pub fn lint_inputs(inputs: &[Input]) -> Report {
    collect(
        inputs.iter().map(Job::Read).collect(),
        LintOptions::default(),
    )
}

/// One document to lint: an input still to read, or a text already in memory.
enum Job<'a> {
    Read(&'a Input),
    Ready(Document),
}

impl Job<'_> {
    /// The document, and whether it was found by walking a folder.
    fn load(self) -> (Result<Document, LoadError>, bool) {
        match self {
            Job::Read(i) => (source::read(i), i.in_folder()),
            Job::Ready(d) => (Ok(d), false),
        }
    }
}

fn collect(jobs: Vec<Job<'_>>, opts: LintOptions) -> Report {
    let linted: Vec<Result<(SourceText, Linted), LoadError>> = jobs
        .into_par_iter()
        .enumerate()
        .map(|(i, job)| {
            let (d, in_folder) = job.load();
            d.map(|doc| {
                let linted = lint_one(&doc, i, in_folder, opts);
                let text = if linted.findings.is_empty() || opts.drop_texts {
                    String::new()
                } else {
                    doc.text
                };
                (
                    SourceText {
                        origin: doc.origin,
                        text,
                    },
                    linted,
                )
            })
        })
        .collect();
    let mut report = Report::default();
    for r in linted {
        match r {
            Ok((src, linted)) => {
                if let Some(reason) = linted.skipped {
                    report.skipped.push(source::Skipped {
                        file: src.origin,
                        reason,
                    });
                    report.sources.push(SourceText {
                        origin: String::new(),
                        text: String::new(),
                    });
                    continue;
                }
                report.sources.push(src);
                report.findings.extend(linted.findings);
                report.errors.extend(linted.errors);
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
