//! The lint stage: one document in, its findings (sorted, with line and column) and its
//! model out. [`lint_one`] reads the JSON once ([`crate::policy::json`]), builds the model
//! ([`crate::policy::parse`]), runs every check ([`mod@crate::check`]) and IAM's quotas, and
//! hands back the parsed policy so a later stage ([`super::check`]) need not parse it
//! again; an account dump is linted document by document. [`lint`] is `iamlint lint` as a
//! library call: paths and live principals in, a [`Report`] out, for [`crate::report`] to
//! render.

use crate::finding::{Code, Finding};
use crate::source::{self, Document};
use crate::span::LineIndex;
use crate::{Report, SourceText, check, policy};

/// `iamlint lint`: read `paths` (files, folders, `-`) and the documents of the principals
/// read from live IAM (each document once), lint each, and measure the live principals'
/// quotas by what IAM says each document is. A call to IAM that failed is an error of the
/// report, never an empty principal.
pub fn lint(
    paths: &[String],
    live: &[source::iam::Principal],
    live_errors: &[source::iam::CallError],
    opts: LintOptions,
) -> Report {
    let extra = source::iam::documents(live);
    let mut report = crate::lint_paths_with(paths, extra, opts);
    check::quota::check_live(live, &mut report);
    // One (empty) source per error keeps `Report::documents` counting read documents only.
    for e in live_errors {
        report.sources.push(crate::SourceText {
            origin: String::new(),
            text: String::new(),
        });
        report.errors.push(e.to_string());
    }
    report
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
    /// rather than kept in [`Report::sources`](crate::Report::sources) for the findings
    /// that point into it.
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
    match source::gaad::parse(&doc.text) {
        Err(e) => out.push(Finding::new(Code::JsonSyntax, src, e.span, e.message)),
        Ok(parsed) if source::gaad::is_dump(&parsed.root) => {
            // An account dump: lint every policy document in it.
            let mut dump = source::gaad::Dump::read(&doc.text, &parsed);
            for d in &mut dump.docs {
                let mut found = Vec::new();
                // Each tree is read once, into its policy: taken, not copied.
                let tree = std::mem::take(&mut d.parsed);
                let policy = policy::parse::parse_policy(tree, src, &mut found);
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
            check::quota::check_dump(&dump, src, &mut out);
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
            let policy = policy::parse::parse_policy(parsed, src, &mut out);
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

/// The unread parts of a dump as `file:line:col: message` errors (see
/// [`source::gaad::errors`]).
pub fn dump_errors<'a>(
    origin: &str,
    text: &str,
    problems: impl Iterator<Item = &'a source::gaad::Problem>,
) -> Vec<String> {
    source::gaad::errors(origin, text, problems)
}

/// Sort findings by position and fill in file, line and column.
pub fn resolve(findings: &mut [Finding], origin: &str, text: &str) {
    if findings.is_empty() {
        return;
    }
    findings.sort_by_key(|f| (f.location.span.start, f.location.span.end, f.code));
    // Findings in order of position: counted forward; the places they relate to may lie
    // before them, which the cursor answers from an index it makes then.
    let mut cursor = crate::span::LineCursor::new(text);
    let origin: std::sync::Arc<str> = origin.into();
    for f in findings.iter_mut() {
        let (line, column) = cursor.line_col(f.location.span.start);
        f.location.file = origin.clone();
        f.location.line = line;
        f.location.column = column;
        for r in &mut f.related {
            let (line, column) = cursor.line_col(r.location.span.start);
            r.location.file = origin.clone();
            r.location.line = line;
            r.location.column = column;
        }
    }
}

/// Resolve findings that point into several sources, source by source on every core. A
/// finding that names its file was resolved already (by [`resolve`], when its document was
/// linted) and is left as it is.
pub fn resolve_all(findings: &mut [Finding], sources: &[SourceText]) {
    use rayon::prelude::*;
    // By source number, in a list as long as the sources (a finding pointing past them
    // has no text to resolve against, and is left as it is).
    let mut by_src: Vec<Vec<&mut Finding>> = sources.iter().map(|_| Vec::new()).collect();
    for f in findings.iter_mut().filter(|f| f.location.file.is_empty()) {
        if let Some(list) = by_src.get_mut(f.location.source) {
            list.push(f);
        }
    }
    // For the places findings relate to (which may lie in any source, in any order): one
    // line index per source, made when first needed, by whichever thread needs it (issue
    // 10: linear cost on a long rule file).
    let indexes: Vec<std::sync::OnceLock<LineIndex>> =
        sources.iter().map(|_| std::sync::OnceLock::new()).collect();
    let index_of = |i: usize, text: &str| {
        indexes
            .get(i)
            .map(|x| x.get_or_init(|| LineIndex::new(text)))
    };
    let by_src: Vec<(usize, Vec<&mut Finding>)> = by_src
        .into_iter()
        .enumerate()
        .filter(|(_, fs)| !fs.is_empty())
        .collect();
    by_src.into_par_iter().for_each(|(src, fs)| {
        let Some(s) = sources.get(src) else { return };
        let file: std::sync::Arc<str> = s.origin.as_str().into();
        // A source's findings come nearly in order of position (a check's excess findings,
        // statement by statement): counted forward through its text, no index of every line
        // made (a check of the corpus: 60,000 findings in 1,594 documents).
        let mut cursor = crate::span::LineCursor::new(&s.text);
        for f in fs {
            let (line, column) = cursor.line_col(f.location.span.start);
            f.location.file = file.clone();
            f.location.line = line;
            f.location.column = column;
            for r in &mut f.related {
                let Some(rs) = sources.get(r.location.source) else {
                    continue;
                };
                let Some(ri) = index_of(r.location.source, &rs.text) else {
                    continue;
                };
                let (line, column) = ri.line_col(&rs.text, r.location.span.start);
                r.location.file = rs.origin.as_str().into();
                r.location.line = line;
                r.location.column = column;
            }
        }
    });
}
