//! Rendering: every format takes the same [`Report`](crate::Report). `text` reads like a
//! compiler; `json` is one object with findings, a summary, and the catalog the verdict was
//! made with.

pub mod check;
pub mod json;
pub mod text;

use crate::finding::{Finding, Severity};

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
