//! Findings: what iamlint says about its input. Plain data; `report/` renders them.
//!
//! A [`Code`] is a stable kebab-case id with a default [`Severity`]; the codes are
//! registered, one line each, in the table of `check/mod.rs`, and each one's documentation
//! lives in its own file there (`check/unknown_action.rs`), printed by `iamlint explain CODE`.

use serde::Serialize;

use crate::span::Span;

/// How serious a finding is. Ordered: `Info < Warning < Error`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; nothing is wrong.
    Info,
    /// Probably wrong, or risky.
    Warning,
    /// Wrong: IAM rejects it, or a grant is dead.
    Error,
}

impl Severity {
    /// The lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

pub use crate::check::Code;

impl Code {
    /// The code with this id, if any.
    pub fn from_name(name: &str) -> Option<Code> {
        Code::ALL.iter().copied().find(|c| c.as_str() == name)
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// A finding about one place in one input.
#[derive(Debug, Clone)]
pub struct Finding {
    /// The stable id.
    pub code: Code,
    /// How serious.
    pub severity: Severity,
    /// One line: what is wrong, user text in backticks.
    pub message: String,
    /// Where.
    pub location: Location,
    /// The statement's Sid, or `#N` (0-based index) when it has none.
    pub statement: Option<String>,
    /// The action concerned.
    pub action: Option<String>,
    /// The resource concerned.
    pub resource: Option<String>,
    /// A replacement for the flagged text, when there is one.
    pub suggestion: Option<String>,
    /// More explanation, shown as `help:`. Most are fixed text, kept without a copy: a
    /// check of a broad policy writes the same help on tens of thousands of findings.
    pub help: Option<std::borrow::Cow<'static, str>>,
    /// Other places that explain the finding.
    pub related: Vec<Related>,
    /// For `excess-grant` and `new-access`: every extra action, in the order of their
    /// names (each one is written as its name, `service:Action`).
    pub extra_actions: Vec<crate::catalog::ActionRef>,
    /// For a finding of the account audit: the user or role (`user/NAME`, `role/NAME`) it
    /// is about; a statement of a managed policy is shared by every principal it is
    /// attached to, so the principal tells the findings apart.
    pub principal: Option<String>,
}

// Written by hand rather than with `#[serde(flatten)]`, which buffers every finding in a map.
impl Serialize for Finding {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("code", &self.code)?;
        m.serialize_entry("severity", &self.severity)?;
        m.serialize_entry("message", &self.message)?;
        m.serialize_entry("file", &*self.location.file)?;
        m.serialize_entry("line", &self.location.line)?;
        m.serialize_entry("column", &self.location.column)?;
        for (k, v) in self.texts() {
            if let Some(v) = v {
                m.serialize_entry(k, v)?;
            }
        }
        if !self.related.is_empty() {
            m.serialize_entry("related", &self.related)?;
        }
        if !self.extra_actions.is_empty() {
            m.serialize_entry("extra_actions", &self.extra_actions)?;
        }
        m.end()
    }
}

/// A place in an input, with its line and column once resolved.
#[derive(Debug, Clone, Default)]
pub struct Location {
    /// Where the document came from: a path, `-` for stdin, or a description. Shared by
    /// the findings of one document (a check of a broad policy has tens of thousands).
    pub file: std::sync::Arc<str>,
    /// 1-based line; 0 until resolved.
    pub line: u32,
    /// 1-based column in characters; 0 until resolved.
    pub column: u32,
    /// The byte span.
    pub span: Span,
    /// Index of the source in the report's source list.
    pub source: usize,
}

/// A second place that explains a finding.
#[derive(Debug, Clone)]
pub struct Related {
    /// What is there.
    pub message: String,
    /// Where.
    pub location: Location,
}

impl Serialize for Related {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(4))?;
        m.serialize_entry("message", &self.message)?;
        m.serialize_entry("file", &*self.location.file)?;
        m.serialize_entry("line", &self.location.line)?;
        m.serialize_entry("column", &self.location.column)?;
        m.end()
    }
}

impl Finding {
    /// The optional text members by their names in the reports, in the order the JSON
    /// report writes them: every renderer lists them from here.
    pub fn texts(&self) -> [(&'static str, Option<&str>); 6] {
        [
            ("principal", self.principal.as_deref()),
            ("statement", self.statement.as_deref()),
            ("action", self.action.as_deref()),
            ("resource", self.resource.as_deref()),
            ("suggestion", self.suggestion.as_deref()),
            ("help", self.help.as_deref()),
        ]
    }

    /// A fingerprint that names this finding across commits: a hash of its file, code,
    /// statement, action, resource, message and (for the audit) principal, but not of its line or column, so it
    /// survives lines moving above it. Two findings alike in all of these share one (a
    /// baseline counts them). 16 hex digits (64-bit FNV-1a, stable across versions and
    /// platforms).
    pub fn fingerprint(&self) -> String {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        let parts = [
            &self.location.file,
            self.code.as_str(),
            self.statement.as_deref().unwrap_or(""),
            self.action.as_deref().unwrap_or(""),
            self.resource.as_deref().unwrap_or(""),
            self.message.as_str(),
        ];
        // The principal only when there is one, so other findings keep their fingerprints.
        for part in parts.into_iter().chain(self.principal.as_deref()) {
            // Each part is ended by a byte no UTF-8 text holds, so ("ab", "c") != ("a", "bc").
            for b in part.bytes().chain(std::iter::once(0xff)) {
                h ^= u64::from(b);
                h = h.wrapping_mul(0x0000_0100_0000_01b3);
            }
        }
        format!("{h:016x}")
    }

    /// A finding with the code's default severity at `span` of source `source`.
    pub fn new(code: Code, source: usize, span: Span, message: impl Into<String>) -> Self {
        Finding {
            code,
            severity: code.default_severity(),
            message: message.into(),
            location: Location {
                file: std::sync::Arc::default(),
                line: 0,
                column: 0,
                span,
                source,
            },
            statement: None,
            action: None,
            resource: None,
            suggestion: None,
            help: None,
            related: Vec::new(),
            extra_actions: Vec::new(),
            principal: None,
        }
    }

    /// Set the principal (account audit).
    pub fn principal(mut self, p: impl Into<String>) -> Self {
        self.principal = Some(p.into());
        self
    }

    /// Set the severity.
    pub fn severity(mut self, s: Severity) -> Self {
        self.severity = s;
        self
    }
    /// Set the statement reference.
    pub fn statement(mut self, s: Option<String>) -> Self {
        self.statement = s;
        self
    }
    /// Set the action.
    pub fn action(mut self, a: impl Into<String>) -> Self {
        self.action = Some(a.into());
        self
    }
    /// Set the resource.
    pub fn resource(mut self, r: impl Into<String>) -> Self {
        self.resource = Some(r.into());
        self
    }
    /// Set the suggestion; the help line says "did you mean" unless help is set later.
    pub fn suggest(mut self, s: impl Into<String>) -> Self {
        let s = s.into();
        self.help = Some(format!("did you mean `{s}`?").into());
        self.suggestion = Some(s);
        self
    }
    /// Set the help text.
    pub fn help(mut self, h: impl Into<std::borrow::Cow<'static, str>>) -> Self {
        self.help = Some(h.into());
        self
    }
    /// Add a related location in the same source.
    pub fn related(mut self, message: impl Into<String>, span: Span) -> Self {
        let source = self.location.source;
        self.related.push(Related {
            message: message.into(),
            location: Location {
                span,
                source,
                ..Location::default()
            },
        });
        self
    }
}

/// Characters a list inside a message or help line may take before the rest is counted
/// instead of named, so no line of the text output runs to thousands of characters.
pub const LIST_BUDGET: usize = 120;

/// Join `items` with `, ` for a message or help line, naming as many as fit in
/// [`LIST_BUDGET`] characters (at least one) and counting the rest: "`a`, `b` and 41 more".
/// Put the items that matter first.
pub fn bounded_list<S: AsRef<str>>(items: &[S]) -> String {
    bounded_list_within(items, LIST_BUDGET)
}

/// [`bounded_list`] with another budget.
pub fn bounded_list_within<S: AsRef<str>>(items: &[S], budget: usize) -> String {
    bounded_iter_within(items.iter(), budget)
}

/// [`bounded_list_within`] of items made one by one: those past the budget are counted,
/// never made (`ec2:CreateTags` takes over 100 resource types, and a message names a few).
pub fn bounded_iter_within<S: AsRef<str>>(
    items: impl ExactSizeIterator<Item = S>,
    budget: usize,
) -> String {
    let total = items.len();
    let mut out = String::new();
    let mut shown = 0;
    for (i, it) in items.enumerate() {
        let it = it.as_ref();
        let sep = if i == 0 { "" } else { ", " };
        let rest = total - i;
        // Keep room for " and N more" unless this is the last item.
        let tail = if rest > 1 { 16 } else { 0 };
        if i > 0 && out.len() + sep.len() + it.len() + tail > budget {
            break;
        }
        out.push_str(sep);
        // Only what no list could show whole is cut (user text; catalog names fit).
        out.push_str(&clip(it, budget.max(2 * LIST_BUDGET)));
        shown += 1;
    }
    let more = total - shown;
    if more > 0 {
        out.push_str(&format!(" and {more} more"));
    }
    out
}

/// `s` cut to about `max` characters (at a character boundary), with "…" when cut: for
/// user text (a 100,000-character ARN) quoted in a message.
pub fn clip(s: &str, max: usize) -> std::borrow::Cow<'_, str> {
    // No more bytes than `max`: no more characters either, and nothing to count.
    if s.len() <= max {
        return std::borrow::Cow::Borrowed(s);
    }
    match s.char_indices().nth(max) {
        None => std::borrow::Cow::Borrowed(s),
        Some((at, _)) => {
            let cut = s.get(..at).unwrap_or(s);
            let rest = s.chars().count() - max;
            std::borrow::Cow::Owned(format!("{cut}… ({rest} more characters)"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_lists() {
        assert_eq!(bounded_list(&["`a`", "`b`"]), "`a`, `b`");
        let many: Vec<String> = (0..500).map(|i| format!("`type-{i}`")).collect();
        let s = bounded_list(&many);
        assert!(s.len() <= LIST_BUDGET + 20, "{s}");
        assert!(s.starts_with("`type-0`, `type-1`"), "{s}");
        let shown = s.matches("`type-").count();
        assert!(s.ends_with(&format!(" and {} more", 500 - shown)), "{s}");
        // One huge item is clipped, never dropped.
        let huge = "x".repeat(10_000);
        let s = bounded_list(&[huge.as_str(), "y"]);
        assert!(s.len() < 400 && s.contains("more characters") && s.ends_with(" and 1 more"));
        assert_eq!(bounded_list::<&str>(&[]), "");
    }

    #[test]
    fn fingerprint_ignores_position_only() {
        let f = Finding::new(Code::UnknownAction, 0, Span::default(), "unknown `s3:Get`")
            .action("s3:Get");
        let mut moved = f.clone();
        moved.location.line = 40;
        moved.location.column = 9;
        moved.location.span = Span {
            start: 400,
            end: 410,
        };
        assert_eq!(f.fingerprint(), moved.fingerprint());
        assert_eq!(f.fingerprint().len(), 16);
        let mut other = f.clone();
        other.location.file = "b.json".into();
        assert_ne!(f.fingerprint(), other.fingerprint());
        let other = f.clone().action("s3:Ge");
        assert_ne!(f.fingerprint(), other.fingerprint());
    }

    #[test]
    fn codes_are_unique_and_kebab_case() {
        let mut names: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
        names.sort_unstable();
        let n = names.len();
        names.dedup();
        assert_eq!(names.len(), n, "duplicate code names");
        for name in &names {
            assert!(
                name.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'),
                "{name}"
            );
            assert_eq!(Code::from_name(name).map(Code::as_str), Some(*name));
        }
        insta::assert_snapshot!(names.join("\n"));
    }
}
