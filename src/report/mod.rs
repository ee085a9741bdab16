//! Rendering: every format takes the same [`Report`](crate::Report). `text` reads like a
//! compiler; `json` is one object with findings, a summary, and the catalog the verdict was
//! made with.

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
