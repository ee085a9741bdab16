//! Compiler-style text: `file:line:col: severity[code]: message`, the source line with a
//! marker under the span, then `help:` and related locations. Colour only when asked
//! (the CLI asks when stdout is a terminal).

use std::fmt::Write as _;
use std::ops::Not as _;

use super::summarize;
use crate::Report;
use crate::finding::{Finding, Severity};

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

/// Render all findings, then the load errors and a summary line. A finding repeated
/// word for word in one source (the same unknown action in ten statements) is shown once,
/// with the lines of the others; the JSON report keeps each.
pub fn render(report: &Report, opts: Options) -> String {
    let mut out = String::new();
    // Kept whole: nothing to flush.
    let _ = render_to(&mut out, report, opts, &mut |_| Ok(()));
    out
}

/// Write what [`render`] returns into `out`, a few findings at a time: the text of 20,000
/// findings is never held whole.
pub fn write(out: &mut dyn std::io::Write, report: &Report, opts: Options) -> std::io::Result<()> {
    let mut buf = String::new();
    render_to(&mut buf, report, opts, &mut |b| {
        out.write_all(b.as_bytes())?;
        b.clear();
        Ok(())
    })?;
    out.write_all(buf.as_bytes())
}

/// Most findings [`render_to`] renders as one piece of work, and how many pieces at a time
/// (so the text held at once stays bounded).
const RUN: usize = 512;
const WINDOW: usize = 32;

/// The text of source `i` of `report` (empty when it is not kept).
fn source_text(report: &Report, i: usize) -> &str {
    report.sources.get(i).map_or("", |s| s.text.as_str())
}

/// Render the findings `run` (all of one source) of `report`.
fn render_run(
    report: &Report,
    repeats: &[Option<Vec<usize>>],
    run: std::ops::Range<usize>,
    paint: &Paint,
) -> String {
    let mut out = String::new();
    let Some(first) = report.findings.get(run.start) else {
        return out;
    };
    let text = source_text(report, first.location.source);
    for k in run {
        let (Some(f), Some(Some(others))) = (report.findings.get(k), repeats.get(k)) else {
            continue; // a repeat: shown with its first occurrence
        };
        if others.is_empty() {
            finding(&mut out, f, text, paint);
        } else {
            let mut seen = std::collections::HashSet::new();
            let lines: Vec<String> = others
                .iter()
                .filter_map(|&o| report.findings.get(o).map(|g| g.location.line))
                .filter(|l| seen.insert(*l))
                .map(|l| l.to_string())
                .collect();
            let mut g = f.clone();
            g.related.push(crate::finding::Related {
                message: format!(
                    "the same at {} more place{}: line{} {}",
                    others.len(),
                    plural(others.len()),
                    plural(lines.len()),
                    crate::finding::bounded_list(&lines)
                ),
                location: others
                    .first()
                    .and_then(|&o| report.findings.get(o))
                    .map_or_else(|| f.location.clone(), |o| o.location.clone()),
            });
            finding(&mut out, &g, text, paint);
        }
    }
    out
}

/// Text past which [`render_to`] hands what it has rendered to `flush`.
const FLUSH_AT: usize = 64 * 1024;

/// Render into `out`, calling `flush` (which may empty it) whenever it holds over
/// [`FLUSH_AT`] bytes between two findings.
fn render_to(
    out: &mut String,
    report: &Report,
    opts: Options,
    flush: &mut dyn FnMut(&mut String) -> std::io::Result<()>,
) -> std::io::Result<()> {
    use rayon::prelude::*;
    let paint = Paint(opts.color);
    // The findings in runs of one source each (they come sorted by position, so a source's
    // are together), a big source's cut into pieces; a window of runs rendered at a time on
    // every core, and written in order. Repeats are found source by source, on every core.
    let mut sources: Vec<std::ops::Range<usize>> = Vec::new();
    let mut start = 0;
    for (k, f) in report.findings.iter().enumerate() {
        let same = report
            .findings
            .get(start)
            .is_some_and(|s| s.location.source == f.location.source);
        if !same {
            sources.push(start..k);
            start = k;
        }
    }
    sources.push(start..report.findings.len());
    let runs: Vec<std::ops::Range<usize>> = sources
        .iter()
        .flat_map(|r| r.clone().step_by(RUN).map(move |k| k..(k + RUN).min(r.end)))
        .collect();
    let repeats: Vec<Option<Vec<usize>>> = sources
        .par_iter()
        .flat_map_iter(|r| group(&report.findings, r.clone()))
        .collect();
    for window in runs.chunks(WINDOW) {
        let parts: Vec<String> = window
            .par_iter()
            .map(|r| render_run(report, &repeats, r.clone(), &paint))
            .collect();
        for part in parts {
            out.push_str(&part);
            if out.len() > FLUSH_AT {
                flush(out)?;
            }
        }
    }
    gate(out, report);
    if out.len() > FLUSH_AT {
        flush(out)?;
    }
    for e in &report.errors {
        let (a, b) = paint.sev(Severity::Error);
        let _ = writeln!(out, "{a}error{b}: {}", escape(e));
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
        } + &gate_summary(report),
        c.source(),
        c.date()
    );
    Ok(())
}

/// The findings `iamlint.toml` suppressed, one line each with the reason, and what a
/// baseline did: the fixed entries, one line each (the baselined are counted in the summary).
fn gate(out: &mut String, report: &Report) {
    for s in &report.suppressed {
        let f = &s.finding;
        let _ = writeln!(
            out,
            "{}:{}:{}: suppressed {}[{}]: {} (reason: {}; {})",
            escape(&f.location.file),
            f.location.line,
            f.location.column,
            f.severity.as_str(),
            f.code.as_str(),
            line_text(&f.message),
            line_text(&s.reason),
            escape(&s.ignore)
        );
    }
    if let Some(b) = &report.baseline {
        for e in &b.fixed {
            let _ = writeln!(
                out,
                "fixed: {}: {}: {}{} (in the baseline {}, not found now)",
                escape(&e.file),
                escape(&e.code),
                line_text(&e.message),
                e.statement
                    .as_deref()
                    .map(|s| format!(" (statement {})", escape(s)))
                    .unwrap_or_default(),
                escape(&b.file)
            );
        }
    }
}

/// `; 2 suppressed; 5 baselined, 1 fixed` for the summary line; empty without config or
/// baseline effects.
fn gate_summary(report: &Report) -> String {
    let mut s = String::new();
    if !report.suppressed.is_empty() {
        let _ = write!(s, "; {} suppressed", report.suppressed.len());
    }
    if let Some(b) = &report.baseline {
        let _ = write!(s, "; {} baselined, {} fixed", b.baselined, b.fixed.len());
    }
    s
}

/// For each finding of `range` (all of one source): `None` when it repeats an earlier one
/// word for word (code, severity, message, help), else the indices of its later repeats.
fn group(findings: &[Finding], range: std::ops::Range<usize>) -> Vec<Option<Vec<usize>>> {
    type Key<'f> = (crate::finding::Code, Severity, &'f str, Option<&'f str>);
    let mut first: std::collections::HashMap<Key<'_>, usize, foldhash::fast::RandomState> =
        std::collections::HashMap::default();
    let offset = range.start;
    let here = findings.get(range).unwrap_or_default();
    let mut out: Vec<Option<Vec<usize>>> = Vec::with_capacity(here.len());
    for (k, f) in here.iter().enumerate() {
        let key = (f.code, f.severity, f.message.as_str(), f.help.as_deref());
        match first.get(&key) {
            Some(&i) => {
                if let Some(Some(v)) = out.get_mut(i) {
                    v.push(offset + k);
                }
                out.push(None);
            }
            None => {
                first.insert(key, k);
                out.push(Some(Vec::new()));
            }
        }
    }
    out
}

/// Longest message, help or note shown, in characters; JSON has the whole text.
const MAX_TEXT: usize = 250;

/// Text from the input made safe for a terminal: control characters (an ANSI escape's
/// ESC, a carriage return that would overwrite the line, ...) and the Unicode controls that
/// reorder text are shown as escapes (`\x1b`, `\u{202e}`) instead of acting.
pub fn escape(s: &str) -> std::borrow::Cow<'_, str> {
    if printable_ascii(s) || !s.chars().any(needs_escape) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        push_escaped(&mut out, c);
    }
    std::borrow::Cow::Owned(out)
}

/// A whole plain-text report (no colour codes of its own) made safe for a terminal: each
/// line escaped as by [`escape`], the line breaks kept.
pub fn escape_lines(s: &str) -> String {
    if !s.chars().any(|c| c != '\n' && needs_escape(c)) {
        return s.to_string();
    }
    s.split('\n').map(escape).collect::<Vec<_>>().join("\n")
}

/// Only printable ASCII (no control, no DEL, nothing above): nothing to escape, every
/// character one column. Decided over the bytes without branching on each, the common case
/// of every text a report shows.
fn printable_ascii(s: &str) -> bool {
    s.bytes()
        .fold(false, |bad, b| bad | !(0x20..0x7f).contains(&b))
        .not()
}

fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

fn push_escaped(out: &mut String, c: char) {
    if !needs_escape(c) {
        out.push(c);
    } else if (c as u32) < 0x80 {
        let _ = write!(out, "\\x{:02x}", c as u32);
    } else {
        let _ = write!(out, "\\u{{{:x}}}", c as u32);
    }
}

/// How many characters `c` takes once escaped.
fn escaped_width(c: char) -> usize {
    if !needs_escape(c) {
        1
    } else if (c as u32) < 0x80 {
        4
    } else {
        format!("{:x}", c as u32).len() + 4
    }
}

/// A message, help or note line: escaped, and clipped to [`MAX_TEXT`] characters.
fn line_text(s: &str) -> std::borrow::Cow<'_, str> {
    let e = escape(s);
    // No more bytes than that is no more characters either.
    if e.len() <= MAX_TEXT || e.chars().count() <= MAX_TEXT {
        return e;
    }
    // Room for "… (N more characters)".
    std::borrow::Cow::Owned(crate::finding::clip(&e, MAX_TEXT - 30).into_owned())
}

/// `n` in decimal.
fn push_num(out: &mut String, n: u32) {
    out.push_str(itoa::Buffer::new().format(n));
}

/// `n` copies of `c`.
fn push_n(out: &mut String, c: char, n: usize) {
    out.extend(std::iter::repeat_n(c, n));
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Source lines longer than this (in characters) are shown as a window around the span.
const MAX_LINE: usize = 160;
/// Characters shown before the span in such a window.
const CONTEXT: usize = 40;

/// Bytes looked through on each side of a span for its line's ends: more than a window
/// shows (a character takes at most four bytes), so a line cut there is a long one.
const LINE_REACH: usize = 4 * (MAX_LINE + 2);

/// The line of `text` that holds byte `at`, without its line break, its byte offset, and
/// whether it was cut at [`LINE_REACH`] bytes from `at` (it is longer: shown as a window).
/// Only the bytes near `at` are read, so many findings on one long line cost no more than
/// on many lines, and no index of every line is made.
fn line_around(text: &str, at: usize) -> (&str, usize, bool) {
    let bytes = text.as_bytes();
    let at = at.min(bytes.len());
    let lo = at.saturating_sub(LINE_REACH);
    let (mut start, cut_before) =
        match memchr::memrchr(b'\n', bytes.get(lo..at).unwrap_or_default()) {
            Some(i) => (lo + i + 1, false),
            None => (lo, lo > 0),
        };
    let hi = at.saturating_add(LINE_REACH).min(bytes.len());
    let (mut end, cut_after) = match memchr::memchr(b'\n', bytes.get(at..hi).unwrap_or_default()) {
        Some(i) => (at + i, false),
        None => (hi, hi < bytes.len()),
    };
    // A cut falls on a character boundary.
    while !text.is_char_boundary(start) {
        start += 1;
    }
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let line = text.get(start..end).unwrap_or_default();
    let line = if cut_after {
        line
    } else {
        line.trim_end_matches('\r')
    };
    (line, start, cut_before || cut_after)
}

/// One finding with its snippet.
pub(crate) fn finding(out: &mut String, f: &Finding, text: &str, paint: &Paint) {
    let (sa, sb) = paint.sev(f.severity);
    let (da, db) = paint.dim();
    let (ba, bb) = paint.bold();
    let loc = &f.location;
    // Pushed piece by piece: thousands of findings, each a few short lines.
    for part in [ba, &escape(&loc.file), ":"] {
        out.push_str(part);
    }
    push_num(out, loc.line);
    out.push(':');
    push_num(out, loc.column);
    for part in [
        bb,
        ": ",
        sa,
        f.severity.as_str(),
        "[",
        f.code.as_str(),
        "]",
        sb,
        ": ",
        ba,
        &line_text(&f.message),
        bb,
        "\n",
    ] {
        out.push_str(part);
    }
    if !text.is_empty() && loc.line > 0 {
        let (line, line_start, cut) = line_around(text, loc.span.start as usize);
        let mut digits = itoa::Buffer::new();
        let line_no = digits.format(loc.line);
        // A line number has at most 10 digits.
        let pad = "          ".get(..line_no.len()).unwrap_or("          ");
        // Marker under the span, clipped to the line.
        let start_col = loc.column.saturating_sub(1) as usize;
        let span_text = text.get(loc.span.range()).unwrap_or("");
        let first_line = span_text.split('\n').next().unwrap_or("");
        // No marker is wider than a window: count no further (a span can be megabytes).
        let width = first_line.chars().take(MAX_LINE + 1).count().max(1);
        // A long line (a minified policy, an account dump of megabytes on one line) shows a
        // window around the span, found from the span's byte offset: the line is never
        // walked whole, so many findings on one line cost no more than on many lines.
        let long = cut || (line.len() > MAX_LINE && line.chars().nth(MAX_LINE).is_some());
        let (from, window_text, cut_after) = if long {
            let mut at = (loc.span.start as usize)
                .saturating_sub(line_start)
                .min(line.len());
            while !line.is_char_boundary(at) {
                at -= 1;
            }
            let back = start_col.min(CONTEXT);
            let head = line.get(..at).unwrap_or_default();
            let from_byte = head
                .char_indices()
                .rev()
                .nth(back.saturating_sub(1))
                .map_or(at, |(i, _)| if back == 0 { at } else { i });
            let rest = line.get(from_byte..).unwrap_or_default();
            let end = rest
                .char_indices()
                .nth(MAX_LINE)
                .map_or(rest.len(), |(i, _)| i);
            (
                start_col - back,
                rest.get(..end).unwrap_or_default(),
                end < rest.len(),
            )
        } else {
            (0, line, false)
        };
        let (mut shown, mut marker_at, width) = window(window_text, from, start_col, width);
        if from > 0 {
            shown.to_mut().insert(0, '…');
            marker_at += 1;
        }
        if cut_after {
            shown.to_mut().push('…');
        }
        for part in [
            da, pad, " |", db, "\n", da, line_no, " |", db, " ", &shown, "\n", da, pad, " |", db,
            " ",
        ] {
            out.push_str(part);
        }
        push_n(out, ' ', marker_at);
        out.push_str(sa);
        push_n(out, '^', width);
        out.push_str(sb);
        out.push('\n');
        for r in &f.related {
            let _ = writeln!(
                out,
                "{da}{pad} ={db} note: {} ({}:{}:{})",
                line_text(&r.message),
                escape(&r.location.file),
                r.location.line,
                r.location.column
            );
        }
        if let Some(h) = &f.help {
            for part in [da, pad, " =", db, " help: ", &line_text(h), "\n"] {
                out.push_str(part);
            }
        }
    } else {
        for r in &f.related {
            let _ = writeln!(
                out,
                "  note: {} ({}:{}:{})",
                line_text(&r.message),
                escape(&r.location.file),
                r.location.line,
                r.location.column
            );
        }
        if let Some(h) = &f.help {
            let _ = writeln!(out, "  help: {}", line_text(h));
        }
    }
    out.push('\n');
}

/// The source window as shown, the column at which the marker starts and its width, in
/// characters as shown: [`shown_window`], without copying or counting when the window is
/// printable ASCII (one byte, one character, one column), as nearly every line is.
fn window(
    window_text: &str,
    from: usize,
    start_col: usize,
    width: usize,
) -> (std::borrow::Cow<'_, str>, usize, usize) {
    if !printable_ascii(window_text) {
        let (s, m, w) = shown_window(window_text, from, start_col, width);
        return (std::borrow::Cow::Owned(s), m, w);
    }
    let len = window_text.len();
    let before = start_col.saturating_sub(from).min(len);
    let width = width
        .min((from + len).saturating_sub(start_col).max(1))
        .min(len - before)
        .max(1);
    (std::borrow::Cow::Borrowed(window_text), before, width)
}

/// A source window with tabs shown as spaces and control characters escaped, the column at
/// which the marker starts and its width, in characters as shown. `from`: the window's
/// first column (0-based); `start_col`: the span's; `width`: the span's width before
/// clipping to the window.
fn shown_window(
    window_text: &str,
    from: usize,
    start_col: usize,
    width: usize,
) -> (String, usize, usize) {
    let window: Vec<char> = window_text
        .chars()
        .map(|c| if c == '\t' { ' ' } else { c })
        .collect();
    let window = window.as_slice();
    let to = from + window.len();
    let mut shown = String::new();
    for &c in window {
        push_escaped(&mut shown, c);
    }
    // Where the marker goes and how wide it is, in characters as shown (escaped).
    let before = start_col.saturating_sub(from).min(window.len());
    let marker_at: usize = window
        .get(..before)
        .unwrap_or_default()
        .iter()
        .map(|&c| escaped_width(c))
        .sum();
    let width = width.min(to.saturating_sub(start_col).max(1));
    let width: usize = window
        .get(before..(before + width).min(window.len()))
        .unwrap_or_default()
        .iter()
        .map(|&c| escaped_width(c))
        .sum::<usize>()
        .max(1);
    (shown, marker_at, width)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The byte test agrees with the character test on every ASCII character, and refuses
    /// every text with a character above ASCII.
    #[test]
    fn printable_ascii_is_needs_no_escape() {
        for b in 0u8..0x80 {
            let c = char::from(b);
            let text = format!("ab{c}cdefghijklmnopqrstuvwxyz0123456789");
            assert_eq!(printable_ascii(&text), !needs_escape(c), "{b:#x}");
        }
        for text in ["é", "a\u{9b}", "\u{202e}", "abc\u{7f}"] {
            assert!(!printable_ascii(text), "{text:?}");
        }
        assert!(printable_ascii(""));
    }

    /// The line found around a byte, reading only near it, is the line a full index of the
    /// text gives; a line cut short is one longer than a window, and holds the byte.
    #[test]
    fn line_around_is_the_indexed_line() {
        let long = format!("{{\"a\": \"{}\"}}", "é😀x".repeat(300));
        let texts = [
            "",
            "\n",
            "a\nbc\r\n\r\nd",
            "{\n  \"Action\": \"s3:GetObject\"\r\n}\r\r",
            long.as_str(),
            &format!("x\n{long}\ny"),
        ];
        for text in texts {
            let ix = crate::span::LineIndex::new(text);
            for at in (0..=text.len()).filter(|&i| text.is_char_boundary(i)) {
                let (line, start, cut) = line_around(text, at);
                let (number, _) = ix.line_col(text, u32::try_from(at).unwrap());
                let whole = ix.line_text(text, number);
                if cut {
                    assert!(whole.chars().count() > MAX_LINE, "{at}");
                    assert!(whole.contains(line) && (start..=start + line.len()).contains(&at));
                } else {
                    assert_eq!(
                        (line, start),
                        (whole, ix.line_start(number) as usize),
                        "{at}"
                    );
                }
            }
        }
    }

    /// On printable ASCII, the window shown without counting is the one counted character
    /// by character, for every position and width of the marker.
    #[test]
    fn ascii_window_equals_counted_window() {
        let long = "x".repeat(200);
        for text in ["", "a", "abc def", "  \"s3:GetObject\",", long.as_str()] {
            for from in 0..3 {
                for start_col in 0..12 {
                    for width in 1..12 {
                        let (shown, at, w) = window(text, from, start_col, width);
                        let (s, a, ww) = shown_window(text, from, start_col, width);
                        assert_eq!(
                            (shown.as_ref(), at, w),
                            (s.as_str(), a, ww),
                            "{text:?} {from} {start_col} {width}"
                        );
                    }
                }
            }
        }
    }

    /// Written a few findings at a time, the text is the same as rendered whole, with and
    /// without colour, over many flushes and none.
    #[test]
    fn written_equals_rendered() {
        let root = env!("CARGO_MANIFEST_DIR");
        // 2,000 statements, each with an unknown action and a wildcard: several hundred KB.
        let statements: Vec<String> = (0..2000)
            .map(|i| {
                format!(
                    r#"{{"Sid": "S{i}", "Effect": "Allow", "Action": "s3:GetObjekt{i}", "Resource": "*"}}"#
                )
            })
            .collect();
        let big = crate::source::Document {
            origin: "big.json".into(),
            text: format!(
                r#"{{"Version": "2012-10-17", "Statement": [{}]}}"#,
                statements.join(",\n")
            ),
        };
        for (paths, extra) in [
            (vec![format!("{root}/fixtures/lint")], Vec::new()),
            (Vec::new(), vec![big]),
        ] {
            let report = crate::lint_paths_and(&paths, extra);
            for color in [false, true] {
                let opts = Options { color };
                let whole = render(&report, opts);
                let mut out = Vec::new();
                write(&mut out, &report, opts).unwrap();
                assert_eq!(String::from_utf8(out).unwrap(), whole, "{paths:?}");
                assert!(
                    paths.is_empty() == (whole.len() > 4 * FLUSH_AT),
                    "{}",
                    whole.len()
                );
            }
        }
    }
}
