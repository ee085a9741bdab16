//! Byte spans into loaded text, values that carry one, and the line index that turns an
//! offset into `line:column` when a finding is rendered.
//!
//! Every stage keeps byte offsets only; line and column are computed once, for the findings
//! that are reported (cargo-deny's `Files`).

use std::fmt;
use std::hash::{Hash, Hasher};

/// A half-open byte range `start..end` into one source text.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    /// First byte.
    pub start: u32,
    /// One past the last byte.
    pub end: u32,
}

impl Span {
    /// A span from byte offsets; offsets past `u32::MAX` saturate (inputs are capped far below).
    pub fn new(start: usize, end: usize) -> Self {
        Span {
            start: u32::try_from(start).unwrap_or(u32::MAX),
            end: u32::try_from(end).unwrap_or(u32::MAX),
        }
    }

    /// The range as `usize`s, for slicing.
    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
}

/// A value with the span it was read from. Equality and hashing ignore the span, so tests
/// compare structure.
#[derive(Debug, Clone)]
pub struct Spanned<T> {
    /// The value.
    pub value: T,
    /// Where it was read.
    pub span: Span,
}

impl<T> Spanned<T> {
    /// Wrap a value with its span.
    pub fn new(value: T, span: Span) -> Self {
        Spanned { value, span }
    }
}

impl<T: PartialEq> PartialEq for Spanned<T> {
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
    }
}
impl<T: Eq> Eq for Spanned<T> {}
impl<T: Hash> Hash for Spanned<T> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.value.hash(state);
    }
}
impl<T: fmt::Display> fmt::Display for Spanned<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.value.fmt(f)
    }
}

/// Bytes between two marks of a long line (see [`LineIndex`]).
const MARK_EVERY: usize = 4096;

/// Start offset of every line of a text, for offset -> line:column.
///
/// A column counts characters from the line start. On a long line (a minified account dump
/// is one line of megabytes) that count is taken from the nearest mark instead: every
/// [`MARK_EVERY`] bytes of such a line, the characters before it are recorded once, so each
/// lookup counts at most that many bytes, and resolving many findings stays linear in the
/// text (issue 10).
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Vec<u32>,
    /// (byte offset, characters from its line's start), ascending; only on long lines.
    marks: Vec<(u32, u32)>,
}

impl LineIndex {
    /// Index the line starts of `text`.
    pub fn new(text: &str) -> Self {
        // Sized for lines of about 24 bytes (policies are indented JSON), so the list is
        // rarely grown.
        let mut starts = Vec::with_capacity(text.len() / 24 + 1);
        starts.push(0);
        // Vectorised search: this runs over every document with a finding.
        starts.extend(
            memchr::memchr_iter(b'\n', text.as_bytes())
                .map(|i| u32::try_from(i + 1).unwrap_or(u32::MAX)),
        );
        let mut marks = Vec::new();
        let ends = starts
            .iter()
            .skip(1)
            .map(|&e| e as usize)
            .chain([text.len()]);
        for (&start, end) in starts.iter().zip(ends) {
            let (mut at, mut chars) = (start as usize, 0usize);
            while end.saturating_sub(at) > MARK_EVERY {
                let mut next = at + MARK_EVERY;
                while !text.is_char_boundary(next) {
                    next -= 1;
                }
                chars += text.get(at..next).map_or(next - at, |s| s.chars().count());
                marks.push((
                    u32::try_from(next).unwrap_or(u32::MAX),
                    u32::try_from(chars).unwrap_or(u32::MAX),
                ));
                at = next;
            }
        }
        LineIndex { starts, marks }
    }

    /// 1-based line and 1-based column (in characters) of a byte offset.
    pub fn line_col(&self, text: &str, offset: u32) -> (u32, u32) {
        let line = self.starts.partition_point(|&s| s <= offset).max(1) - 1;
        let start = self.starts.get(line).copied().unwrap_or(0);
        // Count from the last mark of this line at or before the offset, if any.
        let (from, before) = match self.marks.partition_point(|&(m, _)| m <= offset) {
            0 => (start, 0),
            i => match self.marks.get(i - 1) {
                Some(&(m, c)) if m >= start => (m, c as usize),
                _ => (start, 0),
            },
        };
        let (from, end) = (from as usize, (offset as usize).min(text.len()));
        let col = before
            + text
                .get(from..end)
                .map_or(end.saturating_sub(from), |s| s.chars().count());
        (
            u32::try_from(line + 1).unwrap_or(u32::MAX),
            u32::try_from(col + 1).unwrap_or(u32::MAX),
        )
    }

    /// The byte offset at which 1-based line `line` starts.
    pub fn line_start(&self, line: u32) -> u32 {
        let i = (line as usize).saturating_sub(1);
        self.starts.get(i).copied().unwrap_or(0)
    }

    /// The text of 1-based line `line`, without its line break.
    pub fn line_text<'t>(&self, text: &'t str, line: u32) -> &'t str {
        let i = (line as usize).saturating_sub(1);
        let start = self.starts.get(i).copied().unwrap_or(0) as usize;
        let end = self.starts.get(i + 1).map_or(text.len(), |&e| e as usize);
        text.get(start..end)
            .unwrap_or("")
            .trim_end_matches(['\n', '\r'])
    }
}

/// Line and column of offsets taken in ascending order, counted forward through the text
/// without indexing its lines first: a document's findings are few and sorted, so one pass
/// over the text up to the last of them is all they need (a [`LineIndex`] visits every
/// line of every document that has a finding). The same answers as
/// [`LineIndex::line_col`]; an offset before the last one, or not on a character boundary,
/// is answered by a [`LineIndex`] made for it.
#[derive(Debug)]
pub struct LineCursor<'t> {
    text: &'t str,
    /// The offset counted up to (a character boundary).
    at: usize,
    /// Line breaks before `at`.
    line: usize,
    /// Characters from the start of `at`'s line to `at`.
    column: usize,
    /// For offsets the cursor cannot reach going forward.
    index: Option<LineIndex>,
}

impl<'t> LineCursor<'t> {
    /// A cursor at the start of `text`.
    pub fn new(text: &'t str) -> Self {
        LineCursor {
            text,
            at: 0,
            line: 0,
            column: 0,
            index: None,
        }
    }

    /// 1-based line and 1-based column (in characters) of a byte offset, as
    /// [`LineIndex::line_col`] gives them.
    pub fn line_col(&mut self, offset: u32) -> (u32, u32) {
        let text = self.text;
        let end = (offset as usize).min(text.len());
        let Some(seg) = text.get(self.at..end).filter(|_| end >= self.at) else {
            return self
                .index
                .get_or_insert_with(|| LineIndex::new(text))
                .line_col(text, offset);
        };
        let bytes = seg.as_bytes();
        match memchr::memrchr(b'\n', bytes) {
            Some(last) => {
                self.line += line_breaks(bytes);
                self.column = seg.get(last + 1..).map_or(0, |s| s.chars().count());
            }
            None => self.column += seg.chars().count(),
        }
        self.at = end;
        (
            u32::try_from(self.line + 1).unwrap_or(u32::MAX),
            u32::try_from(self.column + 1).unwrap_or(u32::MAX),
        )
    }
}

/// The line breaks in `bytes`, counted 64 bytes at a time into one byte each: a loop the
/// compiler vectorises, where a search stops at every line break.
fn line_breaks(bytes: &[u8]) -> usize {
    let mut chunks = bytes.chunks_exact(64);
    let mut n = 0;
    for chunk in &mut chunks {
        let mut k = 0u8;
        for &b in chunk {
            k += u8::from(b == b'\n');
        }
        n += usize::from(k);
    }
    n + chunks.remainder().iter().filter(|&&b| b == b'\n').count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters() {
        let text = "ab\ncé\nx";
        let ix = LineIndex::new(text);
        assert_eq!(ix.line_col(text, 0), (1, 1));
        assert_eq!(ix.line_col(text, 3), (2, 1));
        // `é` is two bytes: the offset after it is column 3.
        assert_eq!(ix.line_col(text, 6), (2, 3));
        assert_eq!(ix.line_col(text, 7), (3, 1));
        assert_eq!(ix.line_text(text, 2), "cé");
    }

    #[test]
    fn long_lines_count_from_marks_and_agree_with_a_plain_count() {
        // One line of 3 marks' length with multi-byte characters across the mark bytes,
        // then a short line, then another long line.
        let long: String = "aé€😀".repeat(3 * MARK_EVERY / 10);
        let text = format!("{long}\nxy\n{long}");
        let ix = LineIndex::new(&text);
        assert!(ix.marks.len() >= 4, "{}", ix.marks.len());
        let second = long.len() + 1 + 3;
        for (offset, _) in text.char_indices().step_by(7).chain([(text.len(), ' ')]) {
            let (line, col) = ix.line_col(&text, offset as u32);
            let start = match line {
                1 => 0,
                2 => long.len() + 1,
                _ => second,
            };
            assert_eq!(
                col as usize,
                text[start..offset].chars().count() + 1,
                "{offset}"
            );
        }
        assert_eq!(ix.line_col(&text, (long.len() + 2) as u32), (2, 2));
    }

    /// The cursor answers as the index does, for offsets in order, out of order, past the
    /// end and inside a character, on short and long lines with multi-byte characters.
    #[test]
    fn cursor_agrees_with_the_index() {
        let long: String = "aé€😀".repeat(3 * MARK_EVERY / 10);
        let texts = [
            String::new(),
            "ab\ncé\nx".to_string(),
            "\n\n\n".to_string(),
            format!("{long}\nxy\n\n{long}\n"),
            format!("{{\n  \"a\": \"é\",\n{long}\n}}"),
            "{\n  \"Sid\": \"é\"\n}\n".repeat(300),
        ];
        for text in &texts {
            let ix = LineIndex::new(text);
            // One jump over many lines (line breaks counted 64 bytes at a time), then on.
            let n = u32::try_from(text.len()).unwrap_or(u32::MAX);
            let mut cursor = LineCursor::new(text);
            for o in [n / 3, n / 3 + 1, n / 2 + 70, n] {
                assert_eq!(cursor.line_col(o), ix.line_col(text, o), "{o} by jumps");
            }
            let mut offsets: Vec<u32> = (0..=n + 2).step_by(3).collect();
            offsets.extend((0..=n).step_by(5));
            offsets.sort_unstable();
            let mut cursor = LineCursor::new(text);
            for &o in &offsets {
                assert_eq!(cursor.line_col(o), ix.line_col(text, o), "{o} in order");
            }
            // Backwards and at random: answered all the same.
            let mut cursor = LineCursor::new(text);
            for &o in offsets
                .iter()
                .rev()
                .step_by(7)
                .chain(offsets.iter().step_by(11))
            {
                assert_eq!(cursor.line_col(o), ix.line_col(text, o), "{o} out of order");
            }
        }
    }

    #[test]
    fn spanned_equality_ignores_span() {
        assert_eq!(
            Spanned::new(1, Span::new(0, 1)),
            Spanned::new(1, Span::new(5, 9))
        );
    }
}
