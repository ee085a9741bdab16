//! iamlint: lint and audit AWS IAM policies, offline, against an embedded catalog of every
//! AWS action, resource type and condition key.
//!
//! One road, one module per stage: **source -> documents -> model -> analysis -> report**.
//! - [`source`] reads documents from wherever they are: files, folders, stdin, AWS managed
//!   policies of the embedded snapshot, account dumps ([`source::gaad`]) and live IAM
//!   ([`source::iam`], read-only). Each yields labelled [`source::Document`]s; one principal
//!   for `check` comes through one interface, [`source::principal::read`].
//! - [`policy`] reads each document's JSON once, with spans ([`policy::json`]), into the one
//!   typed model ([`policy::parse`]), collecting structural findings.
//! - [`analysis`] is each command as a library call returning plain data: [`lint`] (a
//!   [`Report`]) and [`check()`] (a [`CheckResult`]: findings, requirement rows, the policy
//!   simulator's verdict, the suggested fix, errors) and [`diff()`] (a [`DiffResult`]: the
//!   access one side grants and the other does not). It runs the lint checks ([`mod@check`],
//!   one finding code each, producing [`finding::Finding`]s) and the evaluation against a
//!   rule set ([`eval`], [`rules`]), with the AWS data of [`catalog`] and the ARN and
//!   wildcard matching of [`arn`] and [`pattern`].
//! - [`config`] (`iamlint.toml`) and [`baseline`] adjust a result after the analysis:
//!   severities overridden per code, ignored findings moved to [`Report::suppressed`] with
//!   their reason, findings a baseline holds counted in [`Report::baseline`] instead of
//!   reported. The config also says what `lint` and `check` read when given no inputs.
//! - [`report`] renders every result in every format (text, JSON, SARIF, Markdown); line
//!   and column are computed there, from the spans.
//! - [`cli`] only parses arguments, calls the library, renders, and maps the outcome to an
//!   exit code.
//!
//! Adding a source is a file in `source/` (and an arm of [`source::principal::Principal`]
//! for `check`); a command is a file in `analysis/`, one in `cli/` and, if its result holds
//! more than a report, one in `report/`; a format is a file in `report/`.
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

pub mod analysis;
pub mod arn;
pub mod baseline;
pub mod catalog;
pub mod check;
pub mod cli;
pub mod config;
pub mod eval;
pub mod finding;
pub mod pattern;
pub mod policy;
pub mod report;
pub mod rules;
pub mod source;
pub mod span;
pub mod suggest;

/// Live IAM, under its old name: [`source::iam`].
pub use source::iam as live;

use rayon::prelude::*;

pub use analysis::check::{CheckResult, check};
pub use analysis::diff::{DiffResult, diff};
pub use analysis::lint::{
    LintOptions, Linted, dump_errors, lint, lint_document, lint_one, resolve, resolve_all,
};
use source::{Document, Input, LoadError};

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
    pub findings: Vec<finding::Finding>,
    /// Inputs that could not be read. Any of these makes the run fail (exit 2).
    pub errors: Vec<String>,
    /// Sources that are not inputs (a rule file findings point into), at the end of `sources`.
    pub support_sources: usize,
    /// JSON files found in a folder that are not policy documents, so not linted.
    pub skipped: Vec<source::Skipped>,
    /// Findings an `[[ignore]]` of `iamlint.toml` accepted, with its reason: not in
    /// `findings`, not counted ([`config::Config::apply`]).
    pub suppressed: Vec<config::Suppressed>,
    /// What a `--baseline` did: the findings it held were removed from `findings`
    /// ([`baseline::Baseline::apply`]).
    pub baseline: Option<baseline::Applied>,
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

/// Lint documents already in memory, in parallel.
pub fn lint_texts(docs: Vec<Document>) -> Report {
    collect(
        docs.into_iter().map(source::Pending::Ready).collect(),
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
    let (docs, errors) = source::load(args, extra);
    let mut report = collect(docs, opts);
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

/// Lint the files `iamlint.toml`'s globs found ([`config::Config::lint_files`]): as files
/// found by walking a folder, JSON among them that is not a policy is skipped, not linted.
pub fn lint_found(files: &[std::path::PathBuf], opts: LintOptions) -> Report {
    collect(
        files
            .iter()
            .map(|p| source::Pending::Read(Input::Found(p.clone())))
            .collect(),
        opts,
    )
}

/// Lint inputs of which some may be stdin, already expanded.
pub fn lint_inputs(inputs: &[Input]) -> Report {
    collect(
        inputs.iter().cloned().map(source::Pending::Read).collect(),
        LintOptions::default(),
    )
}

fn collect(docs: Vec<source::Pending>, opts: LintOptions) -> Report {
    let linted: Vec<Result<(SourceText, Linted), LoadError>> = docs
        .into_par_iter()
        // Small pieces, so that no core is left alone with a long run of documents at the
        // end (rayon cuts a list in a few large ones, one per core and then some).
        .with_max_len(8)
        .enumerate()
        .map(|(i, pending)| {
            let (d, in_folder) = pending.load();
            d.map(|doc| {
                let mut linted = lint_one(&doc, i, in_folder, opts);
                // The model is for callers that evaluate it (`check`); a lint report has no
                // use for it. Dropped here, on the thread that made it, not held for all
                // documents and freed one by one at the end.
                linted.policy = None;
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
    // Room for every finding at once: the list is not copied as it grows.
    report.findings.reserve_exact(
        linted
            .iter()
            .filter_map(|r| r.as_ref().ok())
            .map(|(_, l)| l.findings.len())
            .sum(),
    );
    report.sources.reserve_exact(linted.len());
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
