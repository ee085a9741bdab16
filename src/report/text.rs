//! Compiler-style text: `file:line:col: severity[code]: message`, the source line with a
//! marker under the span, then `help:` and related locations. Colour only when asked
//! (the CLI asks when stdout is a terminal).

use std::fmt::Write as _;

use super::summarize;
use crate::Report;
use crate::finding::{Finding, Severity};
use crate::span::LineIndex;

/// Render options.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// ANSI colours.
    pub color: bool,
}

/// ANSI styling, or none.
pub(crate) struct Paint(pub bool);
impl Paint {
    fn sev(&self, s: Severity) -> (&'static str, &'static str) {
        if !self.0 {
            return ("", "");
        }
        match s {
            Severity::Error => ("\x1b[1;31m", "\x1b[0m"),
            Severity::Warning => ("\x1b[1;33m", "\x1b[0m"),
            Severity::Info => ("\x1b[1;36m", "\x1b[0m"),
        }
    }
    fn dim(&self) -> (&'static str, &'static str) {
        if self.0 {
            ("\x1b[1;34m", "\x1b[0m")
        } else {
            ("", "")
        }
    }
    fn bold(&self) -> (&'static str, &'static str) {
        if self.0 {
            ("\x1b[1m", "\x1b[0m")
        } else {
            ("", "")
        }
    }
}

/// Render all findings, then the load errors and a summary line.
pub fn render(report: &Report, opts: Options) -> String {
    let mut out = String::new();
    let paint = Paint(opts.color);
    let mut index: Option<(usize, LineIndex)> = None;
    for f in &report.findings {
        let src = report.sources.get(f.location.source);
        let text = src.map_or("", |s| s.text.as_str());
        if index.as_ref().is_none_or(|(i, _)| *i != f.location.source) {
            index = Some((f.location.source, LineIndex::new(text)));
        }
        let Some((_, ix)) = &index else { continue };
        finding(&mut out, f, text, ix, &paint);
    }
    for e in &report.errors {
        let (a, b) = paint.sev(Severity::Error);
        let _ = writeln!(out, "{a}error{b}: {e}");
    }
    let documents = report.documents();
    let s = summarize(&report.findings, documents, report.errors.len());
    let skipped = super::skipped_text(&report.skipped);
    let c = crate::catalog::get();
    let _ = writeln!(
        out,
        "{} error{}, {} warning{}, {} info in {} document{}{} (catalog {}, {})",
        s.errors,
        plural(s.errors),
        s.warnings,
        plural(s.warnings),
        s.infos,
        s.documents,
        plural(s.documents),
        if s.unreadable > 0 {
            format!("; {} unreadable", s.unreadable)
        } else {
            String::new()
        } + &if skipped.is_empty() {
            String::new()
        } else {
            format!("; {skipped}")
        },
        c.source(),
        c.date()
    );
    out
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Source lines longer than this (in characters) are shown as a window around the span.
const MAX_LINE: usize = 160;
/// Characters shown before the span in such a window.
const CONTEXT: usize = 40;

/// One finding with its snippet.
pub(crate) fn finding(out: &mut String, f: &Finding, text: &str, ix: &LineIndex, paint: &Paint) {
    let (sa, sb) = paint.sev(f.severity);
    let (da, db) = paint.dim();
    let (ba, bb) = paint.bold();
    let loc = &f.location;
    let _ = writeln!(
        out,
        "{ba}{}:{}:{}{bb}: {sa}{}[{}]{sb}: {ba}{}{bb}",
        loc.file,
        loc.line,
        loc.column,
        f.severity.as_str(),
        f.code.as_str(),
        f.message
    );
    if !text.is_empty() && loc.line > 0 {
        let line = ix.line_text(text, loc.line);
        let gutter = loc.line.to_string().len();
        let pad = " ".repeat(gutter);
        // Marker under the span, clipped to the line.
        let start_col = loc.column.saturating_sub(1) as usize;
        let span_text = text.get(loc.span.range()).unwrap_or("");
        let first_line = span_text.split('\n').next().unwrap_or("");
        let width = first_line.chars().count().max(1);
        let chars: Vec<char> = line
            .chars()
            .map(|c| if c == '\t' { ' ' } else { c })
            .collect();
        // A long line (a minified policy) shows a window around the span.
        let (from, to) = if chars.len() > MAX_LINE {
            let from = start_col.saturating_sub(CONTEXT).min(chars.len());
            (from, (from + MAX_LINE).min(chars.len()))
        } else {
            (0, chars.len())
        };
        let mut shown: String = chars.get(from..to).unwrap_or_default().iter().collect();
        let mut marker_at = start_col.saturating_sub(from);
        if from > 0 {
            shown.insert(0, '…');
            marker_at += 1;
        }
        if to < chars.len() {
            shown.push('…');
        }
        let width = width.min(to.saturating_sub(start_col).max(1));
        let _ = writeln!(out, "{da}{pad} |{db}");
        let _ = writeln!(out, "{da}{} |{db} {shown}", loc.line);
        let _ = writeln!(
            out,
            "{da}{pad} |{db} {}{sa}{}{sb}",
            " ".repeat(marker_at),
            "^".repeat(width)
        );
        for r in &f.related {
            let _ = writeln!(
                out,
                "{da}{pad} ={db} note: {} ({}:{}:{})",
                r.message, r.location.file, r.location.line, r.location.column
            );
        }
        if let Some(h) = &f.help {
            let _ = writeln!(out, "{da}{pad} ={db} help: {h}");
        }
    } else {
        for r in &f.related {
            let _ = writeln!(
                out,
                "  note: {} ({}:{}:{})",
                r.message, r.location.file, r.location.line, r.location.column
            );
        }
        if let Some(h) = &f.help {
            let _ = writeln!(out, "  help: {h}");
        }
    }
    out.push('\n');
}
