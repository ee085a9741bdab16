//! Rendering, the last stage: every format takes the same [`Report`](crate::Report).
//! `text` reads like a compiler; `json` is one object with findings, a summary, and the
//! catalog the verdict was made with; [`sarif`] is a SARIF 2.1.0 log for code scanning;
//! [`markdown`] is a PR comment or review document, kept under GitHub's comment limit. A command whose result holds more than a report
//! has its own file rendering it in every format: [`check`] (the requirement table, the
//! simulator's verdict, the suggested fix) and [`can`] (one decision). Nothing here reads
//! input or decides an exit code.
//!
//! Every command's result implements [`Render`]: a format is a variant of [`Format`], an arm
//! of [`write`], a method of [`Render`] whose default renders the findings of
//! [`Render::report`], and its own file here. A command whose result holds more than a
//! report overrides the methods it has more for.

pub mod audit;
pub mod can;
pub mod check;
pub mod diff;
pub mod html;
pub mod json;
pub mod markdown;
pub mod paths;
pub mod sarif;
pub mod text;
pub mod whocan;

use std::io::{self, Write};

use crate::finding::{Finding, Severity};

/// An output format of `lint`, `check` and `diff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Compiler-style text.
    Text,
    /// One JSON object.
    Json,
    /// A SARIF 2.1.0 log (GitHub code scanning and other SARIF viewers).
    Sarif,
    /// Markdown for a pull-request comment or a review document (under 65,536 characters).
    Markdown,
    /// One self-contained HTML page (no network): overview, sortable and filterable tables.
    Html,
}

impl Format {
    /// Does rendering in this format show source lines (so the texts must be kept)?
    pub fn shows_source(self) -> bool {
        match self {
            // SARIF needs the text for each region's end line and column; Markdown shows the
            // source line.
            Format::Text | Format::Sarif | Format::Markdown => true,
            Format::Json | Format::Html => false,
        }
    }
}

/// A command's result, renderable in every [`Format`]. Each method's default renders the
/// findings of [`Render::report`] alone.
pub trait Render {
    /// The findings, the sources they point into, and what could not be read.
    fn report(&self) -> &crate::Report;
    /// Compiler-style text.
    fn write_text(&self, out: &mut dyn Write, opts: text::Options) -> io::Result<()> {
        text::write(out, self.report(), opts)
    }
    /// One JSON object.
    fn write_json(&self, out: &mut dyn Write) -> io::Result<()> {
        json::write_with::<serde_json::Value>(out, self.report(), &[])
    }
    /// A SARIF 2.1.0 log.
    fn write_sarif(&self, out: &mut dyn Write) -> io::Result<()> {
        sarif::write(out, self.report())
    }
    /// Markdown, under GitHub's comment limit.
    fn write_markdown(&self, out: &mut dyn Write) -> io::Result<()> {
        markdown::write(out, self.report(), &markdown::Extra::default())
    }
    /// One self-contained HTML page.
    fn write_html(&self, out: &mut dyn Write) -> io::Result<()> {
        html::write(out, &html::findings_data(self.report()))
    }
}

impl Render for crate::Report {
    fn report(&self) -> &crate::Report {
        self
    }
}

/// Write `result` in `format` into `out`, as it is rendered.
pub fn write(
    out: &mut dyn Write,
    result: &dyn Render,
    format: Format,
    opts: text::Options,
) -> io::Result<()> {
    match format {
        Format::Text => result.write_text(out, opts),
        Format::Json => result.write_json(out),
        Format::Sarif => result.write_sarif(out),
        Format::Markdown => result.write_markdown(out),
        Format::Html => result.write_html(out),
    }
}

/// Counts by severity.
#[derive(Debug, Default, Clone, Copy, serde::Serialize)]
pub struct Summary {
    /// Errors.
    pub errors: usize,
    /// Warnings.
    pub warnings: usize,
    /// Infos.
    pub infos: usize,
    /// Documents read.
    pub documents: usize,
    /// Inputs that could not be read.
    pub unreadable: usize,
    /// JSON files found in folders that are not policy documents, so not linted (listed in
    /// the report's `skipped`).
    pub skipped: usize,
}

/// The summary of a report: findings by severity, documents read, unreadable, skipped.
pub fn summary(report: &crate::Report) -> Summary {
    Summary {
        skipped: report.skipped.len(),
        ..summarize(&report.findings, report.documents(), report.errors.len())
    }
}

/// The text of skipped files for a summary line, e.g. `skipped 3 JSON files that are not
/// policy documents (1 a CloudFormation template, whose policies are not linted)`; empty
/// when none was.
pub fn skipped_text(skipped: &[crate::source::Skipped]) -> String {
    use crate::source::SkipReason;
    if skipped.is_empty() {
        return String::new();
    }
    let n = skipped.len();
    let cfn = skipped
        .iter()
        .filter(|s| s.reason == SkipReason::CloudformationTemplate)
        .count();
    let mut s = if n == 1 {
        "skipped 1 JSON file that is not a policy document".to_string()
    } else {
        format!("skipped {n} JSON files that are not policy documents")
    };
    if cfn > 0 {
        s.push_str(&format!(
            " ({cfn} {}, whose policies are not linted)",
            if cfn == 1 {
                "a CloudFormation template"
            } else {
                "CloudFormation templates"
            }
        ));
    }
    s
}

/// Count findings by severity.
pub fn summarize(findings: &[Finding], documents: usize, unreadable: usize) -> Summary {
    let mut s = Summary {
        documents,
        unreadable,
        ..Summary::default()
    };
    for f in findings {
        match f.severity {
            Severity::Error => s.errors += 1,
            Severity::Warning => s.warnings += 1,
            Severity::Info => s.infos += 1,
        }
    }
    s
}
