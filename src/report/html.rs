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
/// `findings`, `source`, `catalog`; see docs/audit.md).
pub fn write(out: &mut dyn Write, data: &Value) -> io::Result<()> {
    let (head, tail) = TEMPLATE.split_once(SLOT).unwrap_or((TEMPLATE, ""));
    out.write_all(head.as_bytes())?;
    out.write_all(embed(data).as_bytes())?;
    out.write_all(tail.as_bytes())
}

/// JSON safe inside a `<script>` element: `<`, `>` and `&` escaped as `\u` escapes (still
/// the same JSON), so no text of the input can close the element or open a comment.
pub fn embed(data: &Value) -> String {
    let text = serde_json::to_string(data).unwrap_or_else(|_| "{}".to_string());
    let mut out = String::with_capacity(text.len() + 64);
    for c in text.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
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
                "file": f.location.file,
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

    #[test]
    fn embedded_data_cannot_close_the_script() {
        let v = json!({"m": "</script><!-- & \u{2028}"});
        let e = embed(&v);
        assert!(
            !e.contains('<') && !e.contains('>') && !e.contains('&'),
            "{e}"
        );
        assert_eq!(serde_json::from_str::<Value>(&e).unwrap(), v);
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
