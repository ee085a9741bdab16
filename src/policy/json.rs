//! A JSON reader that keeps the byte span of every key and value.
//!
//! It hands [`Node`] trees to the policy parser. Two things serde_json cannot give us are its
//! job: positions for every element, and duplicate keys (IAM keeps the last one, which hides
//! mistakes), which it reports instead of dropping. Nesting is capped at [`MAX_DEPTH`], so a
//! document of 100,000 brackets yields an error, not a stack overflow: the recursion depth
//! is bounded by the cap, not by the input.

use crate::span::{Span, Spanned};

/// Deepest nesting accepted. IAM documents need five levels; GAAD dumps about ten.
pub const MAX_DEPTH: usize = 128;

/// A JSON value with its span.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Node {
    /// The value.
    pub value: Value,
    /// The span of the whole value, quotes and brackets included.
    pub span: Span,
}

/// A JSON value.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Value {
    /// `null`
    #[default]
    Null,
    /// `true` / `false`
    Bool(bool),
    /// A number, kept as its source text.
    Number(String),
    /// A string, unescaped.
    String(String),
    /// An array.
    Array(Vec<Node>),
    /// An object, members in source order (duplicates kept; see [`Parsed::duplicates`]).
    Object(Vec<Member>),
    /// An object that [`parse_leaving`] checked but did not build: read it with
    /// [`parse_at`] and the node's span.
    Unread,
}

impl Value {
    /// The JSON type name, for messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Number(_) => "a number",
            Value::String(_) => "a string",
            Value::Array(_) => "an array",
            Value::Object(_) | Value::Unread => "an object",
        }
    }
}

/// One `"key": value` member of an object.
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    /// The key, unescaped, with the span of its quoted text.
    pub key: Spanned<String>,
    /// The value.
    pub value: Node,
}

/// A key that occurs twice in one object.
#[derive(Debug, Clone, PartialEq)]
pub struct DuplicateKey {
    /// The key text.
    pub key: String,
    /// The earlier occurrence.
    pub first: Span,
    /// The later occurrence (the one IAM keeps).
    pub second: Span,
}

/// A successfully read document (the default: `null`, for a tree taken out of its place).
#[derive(Debug, Clone, Default)]
pub struct Parsed {
    /// The root value.
    pub root: Node,
    /// Every duplicate key, in source order.
    pub duplicates: Vec<DuplicateKey>,
}

/// Why a text is not JSON, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    /// What went wrong, as a message fragment.
    pub message: String,
    /// Where.
    pub span: Span,
}

/// Read a JSON document.
pub fn parse(text: &str) -> Result<Parsed, SyntaxError> {
    parse_leaving(text, &[])
}

/// Read a JSON document, leaving unbuilt each object found at one of the key paths of
/// `unread` (object keys from the root; arrays on the way are passed through, so
/// `["Policies", "PolicyVersionList", "Document"]` names the `Document` of every version of
/// every policy). Such an object is checked as strictly as the rest (the same errors at the
/// same places, nesting counted from the root) but becomes a [`Value::Unread`] node, and a
/// duplicate key in it is not reported here: [`parse_at`] reads it when it is wanted. An
/// account dump is mostly policy documents, and many of them (the versions that are not the
/// default) are never wanted.
pub fn parse_leaving(text: &str, unread: &[&[&'static str]]) -> Result<Parsed, SyntaxError> {
    let mut p = Reader {
        src: text.as_bytes(),
        text,
        pos: 0,
        duplicates: Vec::new(),
        unread,
        trail: Vec::new(),
        nodes: Vec::new(),
        members: Vec::new(),
    };
    p.document()
}

/// Read the JSON value at `span` of `text` (a [`Value::Unread`] node's span), with spans that
/// point into the whole `text`.
pub fn parse_at(text: &str, span: Span) -> Result<Parsed, SyntaxError> {
    let end = (span.end as usize).min(text.len());
    let mut p = Reader {
        src: text.as_bytes().get(..end).unwrap_or_default(),
        text: text.get(..end).unwrap_or_default(),
        pos: span.start as usize,
        duplicates: Vec::new(),
        unread: &[],
        trail: Vec::new(),
        nodes: Vec::new(),
        members: Vec::new(),
    };
    p.document()
}

/// Where a string's characters go: kept, or only checked.
trait Sink {
    fn push_str(&mut self, s: &str);
    fn push(&mut self, c: char);
}

impl Sink for String {
    fn push_str(&mut self, s: &str) {
        String::push_str(self, s);
    }
    fn push(&mut self, c: char) {
        String::push(self, c);
    }
}

/// Checks a string without keeping it.
struct Discard;

impl Sink for Discard {
    fn push_str(&mut self, _: &str) {}
    fn push(&mut self, _: char) {}
}

/// The length of the run at the start of `s` before its first `"`, `\\` or control
/// character (all of `s` when it has none).
fn plain_len(s: &[u8]) -> usize {
    const ONES: u64 = u64::from_ne_bytes([1; 8]);
    const HIGH: u64 = ONES << 7;
    // Policy strings are short: test eight bytes at a time in a word (a byte is flagged when
    // it is zero after the XOR, or below 0x20; a false flag can only follow a true one, so
    // the lowest flag is exact).
    let mut i = 0;
    while i < 32 {
        let Some(word) = s.get(i..i + 8).and_then(|w| <[u8; 8]>::try_from(w).ok()) else {
            let tail = s.get(i..).unwrap_or_default();
            return i + tail.iter().position(|&b| special(b)).unwrap_or(tail.len());
        };
        let x = u64::from_le_bytes(word);
        let quote = x ^ (ONES * u64::from(b'"'));
        let slash = x ^ (ONES * u64::from(b'\\'));
        let found = ((quote.wrapping_sub(ONES) & !quote)
            | (slash.wrapping_sub(ONES) & !slash)
            | (x.wrapping_sub(ONES * 0x20) & !x))
            & HIGH;
        if found != 0 {
            return i + (found.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    // A long string: a vectorised search for the closing quote or a backslash, then for a
    // control character in the run before it (there rarely is one).
    let rest = s.get(i..).unwrap_or_default();
    let end = memchr::memchr2(b'"', b'\\', rest).unwrap_or(rest.len());
    let head = rest.get(..end).unwrap_or(rest);
    i + if head.iter().fold(false, |c, &b| c | (b < 0x20)) {
        head.iter().position(|&b| b < 0x20).unwrap_or(end)
    } else {
        end
    }
}

/// A byte that ends a run of plain string characters.
fn special(b: u8) -> bool {
    b == b'"' || b == b'\\' || b < 0x20
}

struct Reader<'a> {
    src: &'a [u8],
    text: &'a str,
    pos: usize,
    duplicates: Vec<DuplicateKey>,
    /// The key paths whose objects are left unread; empty below a key no path goes on with
    /// (so the members of a policy document cost nothing more than without paths).
    unread: &'a [&'a [&'static str]],
    /// The keys from the root to the current value, each as the `unread` path spells it.
    trail: Vec<&'static str>,
    /// The items of the arrays being read, innermost last: an array takes its own off the
    /// top when it ends, in one allocation of the right size (no growing per item).
    nodes: Vec<Node>,
    /// The same for the members of the objects being read.
    members: Vec<Member>,
}

impl Reader<'_> {
    fn document(&mut self) -> Result<Parsed, SyntaxError> {
        let p = self;
        p.skip_ws();
        if p.pos >= p.src.len() {
            return Err(p.err_here("the document is empty"));
        }
        let root = p.value(0)?;
        p.skip_ws();
        if p.pos < p.src.len() {
            return Err(SyntaxError {
                message: "unexpected text after the end of the document".into(),
                span: Span::new(p.pos, p.pos + p.char_len_at(p.pos)),
            });
        }
        Ok(Parsed {
            root,
            duplicates: std::mem::take(&mut p.duplicates),
        })
    }

    fn peek(&self) -> Option<u8> {
        self.src.get(self.pos).copied()
    }

    fn char_len_at(&self, pos: usize) -> usize {
        self.text
            .get(pos..)
            .and_then(|s| s.chars().next())
            .map_or(1, char::len_utf8)
    }

    fn err_here(&self, message: &str) -> SyntaxError {
        let end = if self.pos < self.src.len() {
            self.pos + self.char_len_at(self.pos)
        } else {
            self.pos
        };
        SyntaxError {
            message: message.to_string(),
            span: Span::new(self.pos, end),
        }
    }

    fn unexpected(&self, expected: &str) -> SyntaxError {
        match self.text.get(self.pos..).and_then(|s| s.chars().next()) {
            None => self.err_here(&format!("unexpected end of input, expected {expected}")),
            Some(c) => self.err_here(&format!(
                "expected {expected}, found `{}`",
                c.escape_debug()
            )),
        }
    }

    fn skip_ws(&mut self) {
        while let Some(b) = self.peek() {
            match b {
                b' ' | b'\t' | b'\r' => self.pos += 1,
                b'\n' => {
                    self.pos += 1;
                    // The indentation of pretty-printed JSON, eight spaces at a time.
                    while self
                        .src
                        .get(self.pos..self.pos + 8)
                        .and_then(|w| <[u8; 8]>::try_from(w).ok())
                        == Some([b' '; 8])
                    {
                        self.pos += 8;
                    }
                }
                _ => return,
            }
        }
    }

    fn value(&mut self, depth: usize) -> Result<Node, SyntaxError> {
        let start = self.pos;
        let value = match self.peek() {
            Some(b'{') => self.object(depth)?,
            Some(b'[') => self.array(depth)?,
            Some(b'"') => Value::String(self.string()?),
            Some(b't') => self.literal("true", Value::Bool(true))?,
            Some(b'f') => self.literal("false", Value::Bool(false))?,
            Some(b'n') => self.literal("null", Value::Null)?,
            Some(b'-' | b'0'..=b'9') => {
                self.number()?;
                Value::Number(
                    self.text
                        .get(start..self.pos)
                        .unwrap_or_default()
                        .to_string(),
                )
            }
            _ => return Err(self.unexpected("a value")),
        };
        Ok(Node {
            value,
            span: Span::new(start, self.pos),
        })
    }

    /// Check a value as [`Reader::value`] reads it (the same errors at the same places),
    /// building nothing.
    fn skip(&mut self, depth: usize) -> Result<(), SyntaxError> {
        match self.peek() {
            Some(b'{') => {
                let depth = self.enter(depth)?;
                self.members(|r| {
                    r.string_into(&mut Discard)?;
                    r.colon()?;
                    r.skip(depth)
                })
            }
            Some(b'[') => {
                let depth = self.enter(depth)?;
                self.items(|r| r.skip(depth))
            }
            Some(b'"') => self.string_into(&mut Discard),
            Some(b't') => self.literal("true", Value::Null).map(drop),
            Some(b'f') => self.literal("false", Value::Null).map(drop),
            Some(b'n') => self.literal("null", Value::Null).map(drop),
            Some(b'-' | b'0'..=b'9') => self.number(),
            _ => Err(self.unexpected("a value")),
        }
    }

    fn literal(&mut self, word: &str, value: Value) -> Result<Value, SyntaxError> {
        if self.src.get(self.pos..self.pos + word.len()) == Some(word.as_bytes()) {
            self.pos += word.len();
            Ok(value)
        } else {
            Err(self.unexpected("a value"))
        }
    }

    /// Pass over a number (its text is the caller's span).
    fn number(&mut self) -> Result<(), SyntaxError> {
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        let digits = |r: &mut Self| {
            let s = r.pos;
            while let Some(b'0'..=b'9') = r.peek() {
                r.pos += 1;
            }
            r.pos > s
        };
        if !digits(self) {
            return Err(self.unexpected("a digit"));
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if !digits(self) {
                return Err(self.unexpected("a digit after `.`"));
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            if !digits(self) {
                return Err(self.unexpected("a digit in the exponent"));
            }
        }
        Ok(())
    }

    fn string(&mut self) -> Result<String, SyntaxError> {
        // Most strings have no escape: copy them in one allocation of the right size.
        let start = self.pos + 1;
        let rest = self.src.get(start..).unwrap_or_default();
        let end = plain_len(rest);
        if rest.get(end) == Some(&b'"') {
            if let Some(s) = self.text.get(start..start + end) {
                self.pos = start + end + 1;
                return Ok(s.to_owned());
            }
        }
        let mut out = String::new();
        self.string_into(&mut out)?;
        Ok(out)
    }

    fn string_into(&mut self, out: &mut impl Sink) -> Result<(), SyntaxError> {
        let open = self.pos;
        self.pos += 1; // the opening quote
        loop {
            // Copy the run of plain characters in one go.
            let run = self.pos;
            self.pos += plain_len(self.src.get(self.pos..).unwrap_or_default());
            out.push_str(self.text.get(run..self.pos).unwrap_or_default());
            match self.peek() {
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(());
                }
                Some(b'\\') => {
                    self.pos += 1;
                    self.escape(out)?;
                }
                Some(_) => {
                    return Err(self.err_here("control character in a string; write it escaped"));
                }
                None => {
                    return Err(SyntaxError {
                        message: "unterminated string".into(),
                        span: Span::new(open, self.pos),
                    });
                }
            }
        }
    }

    fn escape(&mut self, out: &mut impl Sink) -> Result<(), SyntaxError> {
        let c = match self.peek() {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => {
                self.pos += 1;
                let hi = self.hex4()?;
                let c = if (0xD800..0xDC00).contains(&hi) {
                    if self.src.get(self.pos..self.pos + 2) != Some(b"\\u") {
                        return Err(self.err_here("lone surrogate in a `\\u` escape"));
                    }
                    self.pos += 2;
                    let lo = self.hex4()?;
                    if !(0xDC00..0xE000).contains(&lo) {
                        return Err(self.err_here("invalid surrogate pair in a `\\u` escape"));
                    }
                    char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))
                } else {
                    char::from_u32(hi)
                };
                out.push(c.ok_or_else(|| self.err_here("invalid `\\u` escape"))?);
                return Ok(());
            }
            _ => return Err(self.unexpected("an escape character")),
        };
        self.pos += 1;
        out.push(c);
        Ok(())
    }

    fn hex4(&mut self) -> Result<u32, SyntaxError> {
        let mut v = 0;
        for _ in 0..4 {
            let d = match self.peek() {
                Some(b @ b'0'..=b'9') => b - b'0',
                Some(b @ b'a'..=b'f') => b - b'a' + 10,
                Some(b @ b'A'..=b'F') => b - b'A' + 10,
                _ => return Err(self.unexpected("a hex digit")),
            };
            v = v * 16 + u32::from(d);
            self.pos += 1;
        }
        Ok(v)
    }

    fn enter(&self, depth: usize) -> Result<usize, SyntaxError> {
        if depth >= MAX_DEPTH {
            return Err(self.err_here(&format!(
                "nesting deeper than {MAX_DEPTH} levels; no IAM document needs that"
            )));
        }
        Ok(depth + 1)
    }

    /// After a key: the `:` and the space around it.
    fn colon(&mut self) -> Result<(), SyntaxError> {
        self.skip_ws();
        if self.peek() != Some(b':') {
            return Err(self.unexpected("`:`"));
        }
        self.pos += 1;
        self.skip_ws();
        Ok(())
    }

    /// Walk the items of the array at the cursor, `item` reading each.
    fn items(
        &mut self,
        mut item: impl FnMut(&mut Self) -> Result<(), SyntaxError>,
    ) -> Result<(), SyntaxError> {
        self.pos += 1;
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(());
        }
        loop {
            self.skip_ws();
            item(self)?;
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(());
                }
                _ => return Err(self.unexpected("`,` or `]`")),
            }
        }
    }

    /// Walk the members of the object at the cursor, `member` reading each from its key's
    /// opening quote.
    fn members(
        &mut self,
        mut member: impl FnMut(&mut Self) -> Result<(), SyntaxError>,
    ) -> Result<(), SyntaxError> {
        self.pos += 1;
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(());
        }
        loop {
            self.skip_ws();
            if self.peek() != Some(b'"') {
                return Err(self.unexpected("a key in double quotes"));
            }
            member(self)?;
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(());
                }
                _ => return Err(self.unexpected("`,` or `}`")),
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<Value, SyntaxError> {
        let depth = self.enter(depth)?;
        let base = self.nodes.len();
        self.items(|r| {
            let item = r.value(depth)?;
            r.nodes.push(item);
            Ok(())
        })?;
        Ok(Value::Array(self.nodes.split_off(base)))
    }

    fn object(&mut self, depth: usize) -> Result<Value, SyntaxError> {
        let depth = self.enter(depth)?;
        let base = self.members.len();
        self.members(|r| {
            let kstart = r.pos;
            let key = r.string()?;
            let kspan = Span::new(kstart, r.pos);
            r.colon()?;
            let value = r.member_value(&key, depth)?;
            // Objects in IAM documents are small; a linear scan beats hashing. Large objects
            // (GAAD maps) stay linear only up to a bound.
            let members = r.members.get(base..).unwrap_or_default();
            if members.len() < 64 {
                if let Some(prev) = members.iter().find(|m| m.key.value == key) {
                    r.duplicates.push(DuplicateKey {
                        key: key.clone(),
                        first: prev.key.span,
                        second: kspan,
                    });
                }
            }
            r.members.push(Member {
                key: Spanned::new(key, kspan),
                value,
            });
            Ok(())
        })?;
        Ok(Value::Object(self.members.split_off(base)))
    }

    /// The value of member `key`: read, or left unread when its key path is one of `unread`.
    fn member_value(&mut self, key: &str, depth: usize) -> Result<Node, SyntaxError> {
        if self.unread.is_empty() {
            return self.value(depth);
        }
        let Some((step, ends)) = self.step(key) else {
            // No path goes on below this key: its value is read with none.
            let paths = std::mem::take(&mut self.unread);
            let value = self.value(depth);
            self.unread = paths;
            return value;
        };
        if ends && self.peek() == Some(b'{') {
            let start = self.pos;
            self.skip(depth)?;
            return Ok(Node {
                value: Value::Unread,
                span: Span::new(start, self.pos),
            });
        }
        self.trail.push(step);
        let value = self.value(depth);
        self.trail.pop();
        value
    }

    /// The trail entry of `key` below the current trail (`None` when no path of `unread`
    /// goes on with it), and whether a path ends at it.
    fn step(&self, key: &str) -> Option<(&'static str, bool)> {
        let n = self.trail.len();
        let mut step = None;
        for path in self.unread {
            if path.get(..n) == Some(self.trail.as_slice()) {
                if let Some(&k) = path.get(n).filter(|&&k| k == key) {
                    let ends = path.len() == n + 1;
                    step = Some((k, ends || step.is_some_and(|(_, e)| e)));
                }
            }
        }
        step
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> SyntaxError {
        match parse(text) {
            Err(e) => e,
            Ok(_) => panic!("`{text}` should fail"),
        }
    }

    #[test]
    fn keeps_spans_of_keys_and_values() {
        let text = r#"{"a": ["x", 1, true, null], "b": "\u00e9\ud83d\ude00"}"#;
        let p = parse(text).expect("valid");
        let Value::Object(m) = &p.root.value else {
            panic!()
        };
        assert_eq!(m[0].key.value, "a");
        assert_eq!(&text[m[0].key.span.range()], "\"a\"");
        assert_eq!(&text[m[0].value.span.range()], r#"["x", 1, true, null]"#);
        assert_eq!(m[1].value.value, Value::String("é😀".into()));
    }

    #[test]
    fn reports_duplicate_keys_and_keeps_both() {
        let p = parse(r#"{"Effect":"Allow","Effect":"Deny"}"#).expect("valid");
        assert_eq!(p.duplicates.len(), 1);
        assert_eq!(p.duplicates[0].key, "Effect");
        assert_eq!(p.duplicates[0].second, Span::new(18, 26));
    }

    #[test]
    fn syntax_errors_point_at_the_offending_byte() {
        let e = err("{\"a\": 1,}");
        assert_eq!(e.span, Span::new(8, 9));
        assert!(e.message.contains("key"), "{}", e.message);
        assert_eq!(err("").message, "the document is empty");
        assert_eq!(err("  \n ").message, "the document is empty");
        assert!(err("{} x").message.contains("after the end"));
        assert!(err("\"abc").message.contains("unterminated"));
        assert!(err("[1 2]").message.contains("`,` or `]`"));
        assert!(err("{\"a\" 1}").message.contains("`:`"));
        assert!(err("\"\\x\"").message.contains("escape"));
        assert!(err("\"\\ud800\"").message.contains("surrogate"));
        assert!(err("-").message.contains("digit"));
    }

    #[test]
    fn plain_len_stops_at_the_first_special_byte() {
        // Against a byte-by-byte scan, at every position and length around the word size.
        let slow = |s: &[u8]| s.iter().position(|&b| special(b)).unwrap_or(s.len());
        for len in 0..80 {
            for at in 0..=len {
                for special_byte in [b'"', b'\\', 0x00, 0x1f, b'\n'] {
                    let mut s: Vec<u8> = (0..len)
                        .map(|i| b"a\xc3\xa9 !#[]~\x7f\x20Z\xff"[i % 13])
                        .collect();
                    if at < len {
                        s[at] = special_byte;
                        // A second one after it must not matter.
                        if at + 1 < len {
                            s[at + 1] = b'"';
                        }
                    }
                    assert_eq!(plain_len(&s), slow(&s), "{s:?}");
                }
            }
        }
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let text = "[".repeat(100_000);
        let e = err(&text);
        assert!(e.message.contains("nesting deeper"));
        assert_eq!(e.span.start as usize, MAX_DEPTH);
        let text = "{\"a\":".repeat(100_000);
        assert!(err(&text).message.contains("nesting deeper"));
    }

    #[test]
    fn agrees_with_serde_json_on_values() {
        for text in [
            r#"{"a":[1,2.5e3,-0.1],"b":{"c":"d\n\"e\""}}"#,
            "[]",
            "{}",
            "\"\"",
        ] {
            let ours = parse(text).expect("valid").root;
            let theirs: serde_json::Value = serde_json::from_str(text).expect("valid");
            assert_eq!(to_serde(&ours), theirs, "{text}");
        }
    }

    fn to_serde(n: &Node) -> serde_json::Value {
        match &n.value {
            Value::Null => serde_json::Value::Null,
            Value::Bool(b) => (*b).into(),
            Value::Number(s) => serde_json::from_str(s).expect("number"),
            Value::String(s) => s.clone().into(),
            Value::Array(a) => a.iter().map(to_serde).collect(),
            Value::Object(m) => m
                .iter()
                .map(|m| (m.key.value.clone(), to_serde(&m.value)))
                .collect::<serde_json::Map<_, _>>()
                .into(),
            Value::Unread => panic!("an unread node"),
        }
    }

    const DOCS: &[&[&str]] = &[&["Policies", "PolicyVersionList", "Document"]];

    #[test]
    fn leaves_objects_at_the_paths_unread_and_reads_them_later() {
        let text = r#"{"Policies":[{"Arn":"a","PolicyVersionList":[
            {"Document":{"Statement":[{"Effect":"Allow","Effect":"Deny"}]},"IsDefaultVersion":true},
            {"Document":"%7B%7D"}]}],
            "Document":{"x":1}, "Other":{"Document":{"y":2}}}"#;
        let lazy = parse_leaving(text, DOCS).expect("valid");
        let full = parse(text).expect("valid");
        // Only the object at the path is unread: not a string there, not the same key
        // elsewhere.
        let Value::Object(top) = &lazy.root.value else {
            panic!()
        };
        let Value::Array(policies) = &top[0].value.value else {
            panic!()
        };
        let Value::Object(entry) = &policies[0].value else {
            panic!()
        };
        let Value::Array(versions) = &entry[1].value.value else {
            panic!()
        };
        let doc = |v: &Node| match &v.value {
            Value::Object(m) => m[0].value.clone(),
            _ => panic!(),
        };
        let unread = doc(&versions[0]);
        assert_eq!(unread.value, Value::Unread);
        assert!(matches!(doc(&versions[1]).value, Value::String(_)));
        assert!(matches!(top[1].value.value, Value::Object(_)));
        assert_eq!(
            to_serde(&top[2].value),
            serde_json::json!({"Document": {"y": 2}})
        );
        // Its duplicate key is found when it is read, at the same place as a full read.
        assert!(lazy.duplicates.is_empty());
        let read = parse_at(text, unread.span).expect("valid");
        assert_eq!(read.duplicates, full.duplicates);
        assert_eq!(&text[read.root.span.range()], &text[unread.span.range()]);
        assert_eq!(
            to_serde(&read.root),
            serde_json::json!({"Statement": [{"Effect": "Deny"}]})
        );
    }

    #[test]
    fn an_unread_object_is_checked_as_strictly_as_a_read_one() {
        let wrap = |doc: &str| {
            format!(r#"{{"Policies":[{{"PolicyVersionList":[{{"Document":{doc}}}]}}]}}"#)
        };
        for doc in [
            "{\"a\": 1,}",
            "{\"a\" 1}",
            "{\"a\": [1 2]}",
            "{\"a\": \"\\x\"}",
            "{\"a\": \"\\ud800\"}",
            "{\"a\": -}",
            "{\"a\": 1.}",
            "{\"a\": tru}",
            "{\"a\": \"x\ny\"}",
            "{\"a\": \"abc",
            "{\"a\": {",
            &"{\"a\":[".repeat(100),
        ] {
            let text = wrap(doc);
            let full = parse(&text).expect_err(&text);
            let lazy = parse_leaving(&text, DOCS).expect_err(&text);
            assert_eq!(full, lazy, "{text}");
        }
        for doc in [
            "{}",
            "{\"a\":[1,-2.5e+3,true,false,null,\"\\u00e9\"],\"b\":{}}",
        ] {
            let text = wrap(doc);
            let lazy = parse_leaving(&text, DOCS).expect(&text);
            let full = parse(&text).expect(&text);
            assert_eq!(lazy.root.span, full.root.span);
        }
    }
}
