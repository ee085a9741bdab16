//! `--format html`: one self-contained page (`html/audit.html`: inline CSS and script, no
//! network, a Content-Security-Policy that allows nothing else) with the result's data
//! embedded as JSON. The page draws an overview (counts, risks, the escalation paths as a
//! graph), a sortable and filterable table of principals with a page each (effective
//! permissions by service and access level, the policies they come from, who can assume
//! it), the findings, and the trust relationships. Any command's findings render with it;
//! `audit` fills in the principals and paths.
//!
//! The page is tested in a headless Chromium (`tests/it/html.rs`): it drives itself when
//! opened with `?selftest` and writes what it saw into the DOM.

use std::io::{self, Write};

use serde_json::{Value, json};

use crate::Report;

/// The page; `__IAMLINT_DATA__` is replaced by the data.
const TEMPLATE: &str = include_str!("html/audit.html");
const SLOT: &str = "__IAMLINT_DATA__";

/// Write the page with `data` (the shape the page reads: `summary`, `principals`, `paths`,
/// `findings`, `source`, `catalog`; see docs/audit.md), serialised straight into the page:
/// the data of a large account is tens of megabytes, never held twice.
pub fn write<T: serde::Serialize + ?Sized>(out: &mut dyn Write, data: &T) -> io::Result<()> {
    let (head, tail) = TEMPLATE.split_once(SLOT).unwrap_or((TEMPLATE, ""));
    out.write_all(head.as_bytes())?;
    let mut safe = ScriptSafe {
        out: &mut *out,
        held: Vec::new(),
    };
    serde_json::to_writer(&mut safe, data).map_err(io::Error::other)?;
    safe.finish()?;
    out.write_all(tail.as_bytes())
}

/// Passes JSON text on with `<`, `>`, `&`, U+2028 and U+2029 written as `\u` escapes (the
/// last two end a line in older JavaScript): still the same JSON, and no text of the input
/// can close the `<script>` element it is written into or open a comment.
struct ScriptSafe<'w> {
    out: &'w mut dyn Write,
    /// The start of a U+2028/U+2029 that the last write cut off.
    held: Vec<u8>,
}

impl ScriptSafe<'_> {
    fn finish(&mut self) -> io::Result<()> {
        let held = std::mem::take(&mut self.held);
        self.out.write_all(&held)
    }
}

impl Write for ScriptSafe<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut joined = std::mem::take(&mut self.held);
        let bytes: &[u8] = if joined.is_empty() {
            buf
        } else {
            joined.extend_from_slice(buf);
            &joined
        };
        let mut from = 0;
        for (i, &b) in bytes.iter().enumerate() {
            let escape: &[u8] = match b {
                b'<' => b"\\u003c",
                b'>' => b"\\u003e",
                b'&' => b"\\u0026",
                0xE2 => match bytes.get(i + 1..(i + 3).min(bytes.len())) {
                    Some([0x80, 0xA8]) => b"\\u2028",
                    Some([0x80, 0xA9]) => b"\\u2029",
                    // Cut at the end of this write: held for the next.
                    Some([] | [0x80]) => {
                        self.out.write_all(bytes.get(from..i).unwrap_or_default())?;
                        self.held = bytes.get(i..).unwrap_or_default().to_vec();
                        return Ok(buf.len());
                    }
                    _ => continue,
                },
                _ => continue,
            };
            self.out.write_all(bytes.get(from..i).unwrap_or_default())?;
            self.out.write_all(escape)?;
            from = i + if b == 0xE2 { 3 } else { 1 };
        }
        // A sequence escaped above may end past `from`'s byte: skip what it covered.
        self.out
            .write_all(bytes.get(from.min(bytes.len())..).unwrap_or_default())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// The page's data for a result that is findings only (`lint`, `check`, `diff`).
pub fn findings_data(report: &Report) -> Value {
    let s = super::summary(report);
    let c = crate::catalog::get();
    let findings: Vec<Value> = report
        .findings
        .iter()
        .map(|f| {
            json!({
                "code": f.code.as_str(),
                "severity": f.severity.as_str(),
                "message": f.message,
                "file": &*f.location.file,
                "line": f.location.line,
                "column": f.location.column,
            })
        })
        .collect();
    json!({
        "source": format!("{} documents", s.documents),
        "catalog": format!("{}, {}", c.source(), c.date()),
        "summary": {
            "principals": 0,
            "errors": s.errors,
            "warnings": s.warnings,
            "infos": s.infos,
            "unevaluated": s.unreadable,
        },
        "principals": [],
        "paths": [],
        "findings": findings,
        "errors": report.errors,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `data` as [`write`] embeds it.
    fn embed(data: &Value) -> String {
        let mut bytes = Vec::new();
        let mut safe = ScriptSafe {
            out: &mut bytes,
            held: Vec::new(),
        };
        let written = serde_json::to_writer(&mut safe, data).is_ok() && safe.finish().is_ok();
        match String::from_utf8(bytes) {
            Ok(s) if written => s,
            _ => "{}".to_string(),
        }
    }

    #[test]
    fn embedded_data_cannot_close_the_script() {
        let v = json!({"m": "</script><!-- & \u{2028}"});
        let e = embed(&v);
        assert!(
            !e.contains('<') && !e.contains('>') && !e.contains('&'),
            "{e}"
        );
        assert_eq!(serde_json::from_str::<Value>(&e).unwrap(), v);
        // Cut anywhere, as a writer may be handed it, the text comes out the same.
        let text = serde_json::to_string(&v).unwrap();
        for cut in 0..=text.len() {
            let mut out = Vec::new();
            let mut safe = ScriptSafe {
                out: &mut out,
                held: Vec::new(),
            };
            safe.write_all(&text.as_bytes()[..cut]).unwrap();
            safe.write_all(&text.as_bytes()[cut..]).unwrap();
            safe.finish().unwrap();
            assert_eq!(String::from_utf8(out).unwrap(), e, "cut at {cut}");
        }
        let mut page = Vec::new();
        write(&mut page, &v).unwrap();
        let page = String::from_utf8(page).unwrap();
        assert_eq!(
            page.matches("</script>").count(),
            TEMPLATE.matches("</script>").count()
        );
        assert!(page.len() < 200_000);
    }
}
