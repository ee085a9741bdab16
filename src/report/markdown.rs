//! `--format markdown`: a pull-request comment or a review document. First a summary line
//! and a table of the findings by code, then the findings grouped by file and code, each
//! with its source line and help, then what the command adds ([`Extra`]: for `check` the
//! requirement table, the simulator's verdict and the suggested fix as a `diff` block).
//!
//! The whole stays under GitHub's comment limit ([`LIMIT`]): past it, the summary is kept,
//! then as many findings as fit, errors before warnings before infos, then as much of the
//! rest as fits, and a last paragraph says what was cut. Text from the input (file names,
//! messages, ARNs, Sids, policy lines) is escaped so it cannot break the Markdown: code
//! spans and fences longer than any run of backticks in them, `\|` in table cells, Markdown
//! and HTML characters backslash-escaped outside code, control characters shown as escapes.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::{self, Write};

use crate::Report;
use crate::finding::{Code, Finding, Severity};
use crate::span::LineIndex;

/// GitHub's limit on a comment's length, in characters; the output is kept below it,
/// counted in bytes (never fewer than characters, nor than UTF-16 units).
pub const LIMIT: usize = 65_536;

/// Room kept for the paragraph that says what was cut.
const CUT_NOTE: usize = 1_024;

/// Unreadable inputs listed by name before the rest are counted.
const MAX_ERRORS: usize = 20;

/// Longest message, help, note or source line shown, in characters.
const MAX_TEXT: usize = 300;

/// What a command shows after the findings.
#[derive(Debug, Default)]
pub struct Extra {
    /// The heading; `iamlint` when none.
    pub title: Option<String>,
    /// The parts after the findings, in order.
    pub sections: Vec<Section>,
}

/// A part of the document after the findings.
#[derive(Debug)]
pub enum Section {
    /// Shown whole, or left out whole (and said so) when it does not fit.
    Block {
        /// What it is, for the note of what was cut ("the suggested fix for `a.json`").
        name: String,
        /// The Markdown, already escaped.
        text: String,
    },
    /// A table shown with as many rows as fit.
    Table {
        /// What the rows are, for the note of what was cut ("requirement rows").
        name: String,
        /// The Markdown before the table, already escaped.
        intro: String,
        /// The header cells.
        header: Vec<String>,
        /// Rows as Markdown table lines (`| a | b |`), already escaped; the caller may stop
        /// making them past [`LIMIT`] bytes and give the count in `total`.
        rows: Vec<String>,
        /// How many rows there are.
        total: usize,
    },
}

/// Write `report` as Markdown, with `extra` after the findings, under [`LIMIT`].
pub fn write(out: &mut dyn Write, report: &Report, extra: &Extra) -> io::Result<()> {
    out.write_all(render(report, extra).as_bytes())
}

/// [`write()`] into a string.
pub fn render(report: &Report, extra: &Extra) -> String {
    let head = head(report, extra);
    let entries = entries(report);
    // The size of each entry and of the heading of each group, to choose what fits.
    let mut buf = String::new();
    let mut ix = None;
    let sizes: Vec<usize> = entries
        .iter()
        .map(|e| {
            buf.clear();
            entry(&mut buf, report, e, &mut ix);
            buf.len()
        })
        .collect();
    let group_size = |e: &Entry<'_>| {
        let mut s = String::new();
        group_headings(&mut s, e, true, true);
        s.len()
    };
    let tail_size: usize = extra.sections.iter().map(section_size).sum();
    let avail = LIMIT.saturating_sub(1 + head.len() + CUT_NOTE);
    let all: usize = {
        let mut total = 0;
        let mut last: Option<(usize, Code, Severity)> = None;
        for (e, n) in entries.iter().zip(&sizes) {
            if last != Some((e.source, e.code, e.severity)) {
                total += group_size(e);
                last = Some((e.source, e.code, e.severity));
            }
            total += n;
        }
        total
    };
    // Which entries are shown: all when everything fits; else by severity, each kind first
    // to last, until one does not fit, within a budget that leaves the parts after the
    // findings at least half.
    let mut keep = vec![true; entries.len()];
    if all + tail_size > avail {
        let budget = if tail_size == 0 {
            avail
        } else {
            avail.saturating_sub(tail_size).max(avail / 2)
        };
        keep = vec![false; entries.len()];
        let mut used = 0;
        let mut opened: std::collections::HashSet<(usize, Code, Severity)> = Default::default();
        let mut order: Vec<usize> = (0..entries.len()).collect();
        // Stable: within a severity, in document order.
        order.sort_by_key(|&i| std::cmp::Reverse(entries.get(i).map(|e| e.severity)));
        for i in order {
            let (Some(e), Some(&n)) = (entries.get(i), sizes.get(i)) else {
                continue;
            };
            let g = if opened.contains(&(e.source, e.code, e.severity)) {
                0
            } else {
                group_size(e)
            };
            if used + g + n > budget {
                break;
            }
            used += g + n;
            opened.insert((e.source, e.code, e.severity));
            if let Some(k) = keep.get_mut(i) {
                *k = true;
            }
        }
    }
    let mut doc = head;
    let mut last: Option<(usize, Code, Severity)> = None;
    for (e, _) in entries.iter().zip(&keep).filter(|(_, k)| **k) {
        let new_file = last.is_none_or(|(s, _, _)| s != e.source);
        let new_code = last != Some((e.source, e.code, e.severity));
        group_headings(&mut doc, e, new_file, new_code);
        last = Some((e.source, e.code, e.severity));
        entry(&mut doc, report, e, &mut ix);
    }
    // What was cut, for the last paragraph.
    let mut cut: Vec<String> = Vec::new();
    let (mut errors, mut warnings, mut infos) = (0, 0, 0);
    for (e, _) in entries.iter().zip(&keep).filter(|(_, k)| !**k) {
        *match e.severity {
            Severity::Error => &mut errors,
            Severity::Warning => &mut warnings,
            Severity::Info => &mut infos,
        } += e.findings.len();
    }
    let not_shown = errors + warnings + infos;
    if not_shown > 0 {
        cut.push(format!(
            "{} of {} findings ({errors} error{}, {warnings} warning{}, {infos} info{})",
            not_shown,
            report.findings.len(),
            plural(errors),
            plural(warnings),
            plural(infos),
        ));
    }
    let mut room = LIMIT.saturating_sub(1 + CUT_NOTE + doc.len());
    for s in &extra.sections {
        match s {
            Section::Block { name, text } => {
                if text.len() < room {
                    doc.push('\n');
                    doc.push_str(text);
                    room -= text.len() + 1;
                } else {
                    cut.push(format!("{name} ({} characters)", text.len()));
                }
            }
            Section::Table {
                name,
                intro,
                header,
                rows,
                total,
            } => {
                let mut t = format!("\n{intro}\n");
                if *total > 0 {
                    t.push('\n');
                    t.push_str(&table_header(header));
                }
                if t.len() > room {
                    cut.push(format!("{name}: all {total}"));
                    continue;
                }
                let mut n = 0;
                for r in rows {
                    if t.len() + r.len() + 1 > room {
                        break;
                    }
                    t.push_str(r);
                    t.push('\n');
                    n += 1;
                }
                if n == 0 && *total > 0 {
                    cut.push(format!("{name}: all {total}"));
                    continue;
                }
                room -= t.len();
                doc.push_str(&t);
                if n < *total {
                    cut.push(format!("{name}: {} of {total}", total - n));
                }
            }
        }
    }
    if !cut.is_empty() {
        let _ = write!(
            doc,
            "\n---\n\n**Cut to stay under GitHub's {LIMIT}-character comment limit:** {}. \
             Run with `--format text` or `--format json` for everything.\n",
            // Bounded: hundreds of policies can each have a fix that was left out.
            crate::finding::bounded_list_within(&cut, CUT_NOTE / 2)
        );
    }
    doc
}

/// One shown finding, or several that say the same word for word in one source (the same
/// unknown action in ten statements), listed once with each position.
struct Entry<'r> {
    source: usize,
    code: Code,
    severity: Severity,
    findings: Vec<&'r Finding>,
}

/// The entries in the order shown: by source (in input order), then by severity (errors
/// first), then by code (in table order), then by position.
fn entries(report: &Report) -> Vec<Entry<'_>> {
    type Key<'f> = (usize, Code, Severity, &'f str, Option<&'f str>);
    let mut at: HashMap<Key<'_>, usize> = HashMap::new();
    let mut out: Vec<Entry<'_>> = Vec::new();
    for f in &report.findings {
        let key = (
            f.location.source,
            f.code,
            f.severity,
            f.message.as_str(),
            f.help.as_deref(),
        );
        match at.get(&key).and_then(|&i| out.get_mut(i)) {
            Some(e) => e.findings.push(f),
            None => {
                at.insert(key, out.len());
                out.push(Entry {
                    source: f.location.source,
                    code: f.code,
                    severity: f.severity,
                    findings: vec![f],
                });
            }
        }
    }
    let rank = |c: Code| Code::ALL.iter().position(|&x| x == c).unwrap_or(usize::MAX);
    // Stable: positions stay in order within a code.
    out.sort_by_key(|e| (e.source, std::cmp::Reverse(e.severity), rank(e.code)));
    out
}

/// The headings above an entry: the file's when `file`, the code's when `code`.
fn group_headings(out: &mut String, e: &Entry<'_>, file: bool, code: bool) {
    if file {
        let name = e.findings.first().map_or("", |f| &*f.location.file);
        let _ = writeln!(out, "\n### {}", code_span(name));
    }
    if code {
        let _ = writeln!(
            out,
            "\n#### {} ({}): {}\n",
            code_span(e.code.as_str()),
            e.severity.as_str(),
            inline(e.code.summary())
        );
    }
}

/// One entry: where, the message, the source line, notes and help.
fn entry(out: &mut String, report: &Report, e: &Entry<'_>, ix: &mut Option<(usize, LineIndex)>) {
    let Some(f) = e.findings.first() else {
        return;
    };
    let loc = &f.location;
    let mut lines: Vec<String> = Vec::new();
    for g in &e.findings {
        let l = g.location.line.to_string();
        if g.location.line > 0 && !lines.contains(&l) {
            lines.push(l);
        }
    }
    let at = if lines.is_empty() {
        String::new()
    } else if e.findings.len() == 1 {
        format!("**line {}, column {}**: ", loc.line, loc.column)
    } else {
        format!(
            "**line{} {}** ({} times): ",
            plural(lines.len()),
            crate::finding::bounded_list(&lines),
            e.findings.len()
        )
    };
    let _ = writeln!(out, "- {at}{}", inline(&clip(&f.message)));
    let text = report
        .sources
        .get(loc.source)
        .map_or("", |s| s.text.as_str());
    if loc.line > 0 && !text.is_empty() {
        if ix.as_ref().is_none_or(|(s, _)| *s != loc.source) {
            *ix = Some((loc.source, LineIndex::new(text)));
        }
        let Some((_, ix)) = ix else { return };
        let line = source_window(ix.line_text(text, loc.line), loc.column);
        // Rule files findings point into are TOML; everything else is a JSON document.
        let info = if loc.file.ends_with(".toml") {
            "toml"
        } else {
            "json"
        };
        let _ = writeln!(out, "{}", fenced(info, &line, "  "));
    }
    for r in &f.related {
        let _ = writeln!(
            out,
            "  - note: {} ({})",
            inline(&clip(&r.message)),
            code_span(&format!(
                "{}:{}:{}",
                r.location.file, r.location.line, r.location.column
            ))
        );
    }
    if let Some(h) = &f.help {
        let _ = writeln!(out, "  - help: {}", inline(&clip(h)));
    }
}

/// The source line around 1-based `column`, tabs as spaces, control characters escaped,
/// a long line (a minified policy) as a window around the column.
fn source_window(line: &str, column: u32) -> String {
    let chars: Vec<char> = line
        .chars()
        .map(|c| if c == '\t' { ' ' } else { c })
        .collect();
    let (from, to) = if chars.len() > MAX_TEXT {
        let from = (column.saturating_sub(1) as usize)
            .saturating_sub(40)
            .min(chars.len());
        (from, (from + MAX_TEXT).min(chars.len()))
    } else {
        (0, chars.len())
    };
    let window: String = chars.get(from..to).unwrap_or_default().iter().collect();
    let mut s = super::text::escape(&window).into_owned();
    if from > 0 {
        s.insert(0, '…');
    }
    if to < chars.len() {
        s.push('…');
    }
    s
}

/// The summary line, the table of findings by code, what could not be read.
fn head(report: &Report, extra: &Extra) -> String {
    let s = super::summary(report);
    let c = crate::catalog::get();
    let mut out = String::new();
    let _ = writeln!(out, "## {}\n", extra.title.as_deref().unwrap_or("iamlint"));
    let mut line = format!(
        "**{} error{}, {} warning{}, {} info{}** in {} document{}",
        s.errors,
        plural(s.errors),
        s.warnings,
        plural(s.warnings),
        s.infos,
        plural(s.infos),
        s.documents,
        plural(s.documents)
    );
    if s.unreadable > 0 {
        let _ = write!(line, "; **{} unreadable**", s.unreadable);
    }
    let skipped = super::skipped_text(&report.skipped);
    if !skipped.is_empty() {
        let _ = write!(line, "; {}", escape_text(&skipped));
    }
    if !report.suppressed.is_empty() {
        let _ = write!(
            line,
            "; {} suppressed by `iamlint.toml`",
            report.suppressed.len()
        );
    }
    if let Some(b) = &report.baseline {
        let _ = write!(
            line,
            "; {} in the baseline, {} fixed since",
            b.baselined,
            b.fixed.len()
        );
    }
    let _ = writeln!(
        out,
        "{line} (catalog {}, {})",
        escape_text(c.source()),
        escape_text(c.date())
    );
    if !report.findings.is_empty() {
        let mut counts: Vec<(Code, Severity, usize)> = Vec::new();
        for f in &report.findings {
            match counts
                .iter_mut()
                .find(|(c, s, _)| *c == f.code && *s == f.severity)
            {
                Some(n) => n.2 += 1,
                None => counts.push((f.code, f.severity, 1)),
            }
        }
        let rank = |c: Code| Code::ALL.iter().position(|&x| x == c).unwrap_or(usize::MAX);
        counts.sort_by_key(|&(c, s, _)| (std::cmp::Reverse(s), rank(c)));
        out.push('\n');
        out.push_str(&table_header(
            &["code", "severity", "findings"].map(String::from),
        ));
        for (c, s, n) in counts {
            let _ = writeln!(out, "| {} | {} | {n} |", code_span(c.as_str()), s.as_str());
        }
    }
    if !report.errors.is_empty() {
        let _ = writeln!(
            out,
            "\n**Could not read** (a run with unreadable input never passes):\n"
        );
        for e in report.errors.iter().take(MAX_ERRORS) {
            let _ = writeln!(out, "- {}", code_span(&clip(e)));
        }
        if report.errors.len() > MAX_ERRORS {
            let _ = writeln!(out, "- and {} more", report.errors.len() - MAX_ERRORS);
        }
    }
    out
}

/// The bytes a section takes when shown whole.
fn section_size(s: &Section) -> usize {
    match s {
        Section::Block { text, .. } => text.len() + 1,
        Section::Table {
            intro,
            header,
            rows,
            total,
            ..
        } => {
            let per_row = rows.iter().map(|r| r.len() + 1).sum::<usize>();
            // Rows the caller did not make count as the average of those it did.
            let missing = total.saturating_sub(rows.len());
            let avg = if rows.is_empty() {
                0
            } else {
                per_row / rows.len()
            };
            intro.len() + 3 + table_header(header).len() + per_row + missing * avg
        }
    }
}

/// `| a | b |` and the line below it.
pub fn table_header(cells: &[String]) -> String {
    format!(
        "| {} |\n|{}\n",
        cells.join(" | "),
        " --- |".repeat(cells.len())
    )
}

/// A table row of cells already made safe for a table ([`cell`]).
pub fn table_row(cells: &[String]) -> String {
    format!("| {} |", cells.join(" | "))
}

/// User text as a table cell: a code span, with `|` escaped (GFM splits cells at a `|`
/// even inside a code span), each value of a list on its own line (`<br>`).
pub fn cell(values: &[String]) -> String {
    if values.is_empty() {
        return "-".to_string();
    }
    values
        .iter()
        .map(|v| code_span(&clip(v)).replace('|', "\\|"))
        .collect::<Vec<_>>()
        .join("<br>")
}

/// User text as an inline code span: delimited by more backticks than any run in it,
/// control characters and line breaks shown as escapes.
pub fn code_span(s: &str) -> String {
    let s = super::text::escape(s);
    let run = longest_run(&s, '`');
    let fence = "`".repeat(run + 1);
    // A span that starts or ends with a backtick needs a space against the delimiter (one
    // space each side is stripped when rendered).
    if s.starts_with('`') || s.ends_with('`') || s.is_empty() {
        format!("{fence} {s} {fence}")
    } else {
        format!("{fence}{s}{fence}")
    }
}

/// A fenced code block of `info` (`json`, `diff`), each line indented by `indent`, with a
/// fence longer than any run of backticks in `body`.
pub fn fenced(info: &str, body: &str, indent: &str) -> String {
    let fence = "`".repeat(longest_run(body, '`').max(2) + 1);
    let mut s = format!("{indent}{fence}{info}\n");
    for l in body.lines() {
        let _ = writeln!(s, "{indent}{l}");
    }
    let _ = write!(s, "{indent}{fence}");
    s
}

fn longest_run(s: &str, c: char) -> usize {
    let mut best = 0;
    let mut n = 0;
    for x in s.chars() {
        if x == c {
            n += 1;
            best = best.max(n);
        } else {
            n = 0;
        }
    }
    best
}

/// A message or help line: the parts between backticks as code spans (finding messages put
/// user text there), the rest escaped; text whose backticks do not pair is escaped whole.
pub fn inline(s: &str) -> String {
    let parts: Vec<&str> = s.split('`').collect();
    if parts.len() % 2 == 0 {
        return escape_text(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for (i, p) in parts.iter().enumerate() {
        if i % 2 == 0 {
            out.push_str(&escape_text(p));
        } else {
            out.push_str(&code_span(p));
        }
    }
    out
}

/// Text outside code: every character Markdown or HTML gives a meaning backslash-escaped,
/// control characters shown as escapes, line breaks as spaces.
pub fn escape_text(s: &str) -> String {
    let s = super::text::escape(&s.replace(['\n', '\r'], " ")).into_owned();
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if matches!(
            c,
            '\\' | '`'
                | '*'
                | '_'
                | '['
                | ']'
                | '<'
                | '>'
                | '|'
                | '~'
                | '#'
                | '&'
                | '!'
                | '{'
                | '}'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// `s` clipped to [`MAX_TEXT`] characters.
fn clip(s: &str) -> std::borrow::Cow<'_, str> {
    if s.chars().count() <= MAX_TEXT {
        std::borrow::Cow::Borrowed(s)
    } else {
        crate::finding::clip(s, MAX_TEXT - 30)
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_text_cannot_break_the_markdown() {
        assert_eq!(code_span("s3:Get`Object"), "``s3:Get`Object``");
        assert_eq!(code_span("`x"), "`` `x ``");
        assert_eq!(code_span("a\x1b[31m"), "`a\\x1b[31m`");
        assert_eq!(
            escape_text("<img src=x> | *b*"),
            "\\<img src=x\\> \\| \\*b\\*"
        );
        assert_eq!(
            inline("unknown action `<script>` in `a|b`"),
            "unknown action `<script>` in `a|b`"
        );
        // Unpaired backticks: all text.
        assert_eq!(inline("a `b"), "a \\`b");
        assert_eq!(cell(&["a|b".into(), "c".into()]), "`a\\|b`<br>`c`");
        let body = "x ``` y\n````";
        assert!(fenced("json", body, "").starts_with("`````json\n"));
    }
}
