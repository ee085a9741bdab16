//! `--format sarif`: a SARIF 2.1.0 log (OASIS, <https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html>)
//! for GitHub code scanning and other SARIF viewers. The object types are `serde-sarif`'s,
//! generated from the SARIF schema; this file only fills them in.
//!
//! One run: the tool with one rule per finding code (every code of [`Code::ALL`], so a
//! result's `ruleIndex` is the code's place there), one result per finding with its region
//! (start and end line and column, columns counted in Unicode code points as the text format
//! counts them, declared by `columnKind`), its related locations, and a partial fingerprint
//! ([`Finding::fingerprint`]) that survives lines moving; the catalog in the run's
//! properties; inputs that could not be read as error notifications of an unsuccessful
//! invocation. Results are built and written one at a time, never held all at once.

use std::collections::{BTreeMap, HashMap};
use std::io::{self, Write};

use serde::Serialize;
use serde::ser::{SerializeMap, SerializeSeq};
use serde_json::{Value, json};
use serde_sarif::sarif;

use crate::Report;
use crate::finding::{Code, Finding, Location, Severity};
use crate::span::LineIndex;

/// The JSON schema a log names in `$schema`.
pub const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// The key of [`Finding::fingerprint`] in a result's `partialFingerprints`; the version
/// changes when the fingerprint's recipe does.
pub const FINGERPRINT_KEY: &str = "iamlint/v1";

/// Where the project lives, from `repository` in `Cargo.toml`: the tool's
/// `informationUri`, and the base of each rule's `helpUri`. Empty when not set, and then
/// neither is written (both must be absolute URIs).
const REPOSITORY: &str = env!("CARGO_PKG_REPOSITORY");

/// Write `report` as a SARIF 2.1.0 log, pretty-printed.
pub fn write(out: &mut dyn Write, report: &Report) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &Log { report }).map_err(io::Error::other)?;
    out.write_all(b"\n")
}

/// [`write()`] into a string.
pub fn render(report: &Report) -> String {
    let mut out = Vec::new();
    // Writing into memory does not fail.
    let _ = write(&mut out, report);
    String::from_utf8_lossy(&out).into_owned()
}

/// The SARIF level of a severity.
pub fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn result_level(s: Severity) -> sarif::ResultLevel {
    match s {
        Severity::Error => sarif::ResultLevel::Error,
        Severity::Warning => sarif::ResultLevel::Warning,
        Severity::Info => sarif::ResultLevel::Note,
    }
}

/// The anchor of `code`'s section in `docs/codes.md`, as GitHub makes it from the heading
/// (`` ## `unknown-action` (error) `` gives `unknown-action-error`).
pub fn anchor(code: Code) -> String {
    let doc = crate::check::docs::explain(code);
    let heading = doc.lines().next().unwrap_or_default();
    github_slug(heading.trim_start_matches('#').trim())
}

/// GitHub's anchor for a Markdown heading: the text without its markup, lower case, every
/// character but letters, digits, `-` and `_` dropped, spaces made `-`.
pub fn github_slug(heading: &str) -> String {
    heading
        .chars()
        .filter_map(|c| {
            if c == ' ' {
                Some('-')
            } else if c.is_alphanumeric() || c == '-' || c == '_' {
                Some(c)
            } else {
                None
            }
        })
        .flat_map(char::to_lowercase)
        .collect()
}

/// The URI of `code`'s documentation under the repository `base`, at this version's tag.
pub fn help_uri(base: &str, code: Code) -> String {
    format!(
        "{}/blob/v{}/docs/codes.md#{}",
        base.trim_end_matches('/'),
        env!("CARGO_PKG_VERSION"),
        anchor(code)
    )
}

/// A file name as a SARIF `artifactLocation.uri`: a relative reference (or an absolute
/// path) kept as given, every byte but letters, digits, `-._~` and `/` percent-encoded (RFC
/// 3986), so a space, `%`, `#` or `?` in a name, or a `:` that would read as a scheme
/// (`arn:aws:iam::aws:policy/X`), stays part of the path.
pub fn uri(file: &str) -> String {
    let mut s = String::with_capacity(file.len());
    for b in file.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            s.push(char::from(b));
        } else {
            s.push_str(&format!("%{b:02X}"));
        }
    }
    s
}

/// One rule per code.
fn rules() -> Vec<sarif::ReportingDescriptor> {
    Code::ALL
        .iter()
        .map(|&c| {
            let doc = c.doc();
            let mut help = sarif::MultiformatMessageString::builder()
                .text(doc.fix)
                .markdown(crate::check::docs::explain(c))
                .build();
            help.properties = None;
            let mut r = sarif::ReportingDescriptor::builder()
                .id(c.as_str())
                .name(format!("{c:?}"))
                .short_description(
                    sarif::MultiformatMessageString::builder()
                        .text(c.summary())
                        .build(),
                )
                .full_description(
                    sarif::MultiformatMessageString::builder()
                        .text(format!("{} {}", doc.what, doc.why))
                        .build(),
                )
                .help(help)
                .default_configuration(
                    sarif::ReportingConfiguration::builder()
                        .level(json!(level(c.default_severity())))
                        .build(),
                )
                .build();
            if !REPOSITORY.is_empty() {
                r.help_uri = Some(help_uri(REPOSITORY, c));
            }
            r
        })
        .collect()
}

/// The log: `$schema`, `version`, one run.
struct Log<'a> {
    report: &'a Report,
}

impl Serialize for Log<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(3))?;
        m.serialize_entry("$schema", SCHEMA)?;
        m.serialize_entry("version", "2.1.0")?;
        m.serialize_entry(
            "runs",
            &[RunOut {
                report: self.report,
            }],
        )?;
        m.end()
    }
}

/// The run: everything but the results from `serde-sarif`'s [`sarif::Run`], then the
/// results, written one at a time.
struct RunOut<'a> {
    report: &'a Report,
}

impl Serialize for RunOut<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let r = self.report;
        let mut driver = sarif::ToolComponent::builder()
            .name("iamlint")
            .version(env!("CARGO_PKG_VERSION"))
            .semantic_version(env!("CARGO_PKG_VERSION"))
            .rules(rules())
            .build();
        if !REPOSITORY.is_empty() {
            driver.information_uri = Some(REPOSITORY.to_string());
        }
        let mut notifications: Vec<sarif::Notification> = r
            .errors
            .iter()
            .map(|e| {
                sarif::Notification::builder()
                    .level(json!("error"))
                    .message(sarif::Message::builder().text(e.clone()).build())
                    .build()
            })
            .collect();
        notifications.extend(r.skipped.iter().map(|sk| {
            sarif::Notification::builder()
                .level(json!("note"))
                .message(
                    sarif::Message::builder()
                        .text(format!(
                            "{}: skipped, {}",
                            sk.file,
                            match sk.reason {
                                crate::source::SkipReason::NotAPolicy => "not a policy document",
                                crate::source::SkipReason::CloudformationTemplate =>
                                    "a CloudFormation template, whose policies are not linted",
                            }
                        ))
                        .build(),
                )
                .locations(vec![
                    sarif::Location::builder()
                        .physical_location(
                            sarif::PhysicalLocation::builder()
                                .artifact_location(
                                    sarif::ArtifactLocation::builder()
                                        .uri(uri(&sk.file))
                                        .build(),
                                )
                                .build(),
                        )
                        .build(),
                ])
                .build()
        }));
        let mut invocation = sarif::Invocation::builder()
            .execution_successful(r.errors.is_empty())
            .build();
        if !notifications.is_empty() {
            invocation.tool_execution_notifications = Some(notifications);
        }
        let catalog = serde_json::to_value(super::json::catalog_info()).unwrap_or_default();
        let summary = serde_json::to_value(super::summary(r)).unwrap_or_default();
        let run = sarif::Run::builder()
            .tool(sarif::Tool::builder().driver(driver).build())
            .invocations(vec![invocation])
            .column_kind(json!("unicodeCodePoints"))
            .properties(
                sarif::PropertyBag::builder()
                    .additional_properties(BTreeMap::from([
                        ("catalog".to_string(), catalog),
                        ("summary".to_string(), summary),
                    ]))
                    .build(),
            )
            .build();
        let Value::Object(members) =
            serde_json::to_value(&run).map_err(serde::ser::Error::custom)?
        else {
            return Err(serde::ser::Error::custom("a SARIF run is an object"));
        };
        let mut m = s.serialize_map(Some(members.len() + 1))?;
        for (k, v) in &members {
            m.serialize_entry(k, v)?;
        }
        m.serialize_entry("results", &Results { report: r })?;
        m.end()
    }
}

/// Every finding as a result, each built as it is written.
struct Results<'a> {
    report: &'a Report,
}

impl Serialize for Results<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let r = self.report;
        let mut lines = Lines {
            report: r,
            indexes: HashMap::new(),
        };
        let mut seq = s.serialize_seq(Some(r.findings.len() + r.suppressed.len()))?;
        // A finding an `iamlint.toml` ignore moved aside is still a result, marked
        // suppressed with the ignore's reason: code scanning shows it as dismissed.
        for sup in &r.suppressed {
            let mut res = result(&sup.finding, &mut lines);
            res.suppressions = Some(vec![
                sarif::Suppression::builder()
                    .kind(json!("external"))
                    .status(json!("accepted"))
                    .justification(format!("{} ({})", sup.reason, sup.ignore))
                    .build(),
            ]);
            seq.serialize_element(&res)?;
        }
        for f in &r.findings {
            seq.serialize_element(&result(f, &mut lines))?;
            // The line index of the finding's own source is kept only while its findings
            // are written (they come source by source); a related source's (a rule file)
            // stays.
            lines.indexes.retain(|&k, _| {
                k == f.location.source || f.related.iter().any(|x| x.location.source == k)
            });
        }
        seq.end()
    }
}

/// Line indexes of the sources findings point into, made when first needed.
struct Lines<'a> {
    report: &'a Report,
    indexes: HashMap<usize, LineIndex>,
}

impl Lines<'_> {
    /// The region of `loc`: start line and column as resolved; the end from the span, when
    /// the source text is at hand.
    fn region(&mut self, loc: &Location) -> Option<sarif::Region> {
        if loc.line == 0 {
            return None;
        }
        let mut region = sarif::Region::builder()
            .start_line(i64::from(loc.line))
            .start_column(i64::from(loc.column.max(1)))
            .build();
        let text = self
            .report
            .sources
            .get(loc.source)
            .map_or("", |s| s.text.as_str());
        if !text.is_empty() && (loc.span.end as usize) <= text.len() {
            let ix = self
                .indexes
                .entry(loc.source)
                .or_insert_with(|| LineIndex::new(text));
            let (line, column) = ix.line_col(text, loc.span.end);
            // The span's own start, in case the location was resolved otherwise.
            let (start_line, start_column) = ix.line_col(text, loc.span.start);
            if (start_line, start_column) == (loc.line, loc.column) {
                region.end_line = Some(i64::from(line));
                region.end_column = Some(i64::from(column));
            }
        }
        Some(region)
    }

    fn location(&mut self, loc: &Location, message: Option<&str>) -> sarif::Location {
        let mut physical = sarif::PhysicalLocation::builder()
            .artifact_location(
                sarif::ArtifactLocation::builder()
                    .uri(uri(&loc.file))
                    .build(),
            )
            .build();
        physical.region = self.region(loc);
        let mut l = sarif::Location::builder()
            .physical_location(physical)
            .build();
        if let Some(m) = message {
            l.message = Some(sarif::Message::builder().text(m).build());
        }
        l
    }
}

/// One finding as a SARIF result.
fn result(f: &Finding, lines: &mut Lines<'_>) -> sarif::Result {
    let text = match &f.help {
        Some(h) => format!("{}\nhelp: {h}", f.message),
        None => f.message.clone(),
    };
    let mut res = sarif::Result::builder()
        .message(sarif::Message::builder().text(text).build())
        .rule_id(f.code.as_str())
        .level(result_level(f.severity))
        .locations(vec![lines.location(&f.location, None)])
        .partial_fingerprints(BTreeMap::from([(
            FINGERPRINT_KEY.to_string(),
            f.fingerprint(),
        )]))
        .build();
    res.rule_index = Code::ALL
        .iter()
        .position(|&c| c == f.code)
        .and_then(|i| i64::try_from(i).ok());
    if !f.related.is_empty() {
        res.related_locations = Some(
            f.related
                .iter()
                .zip(1_i64..)
                .map(|(rel, id)| {
                    let mut l = lines.location(&rel.location, Some(&rel.message));
                    l.id = Some(id);
                    l
                })
                .collect(),
        );
    }
    let mut props: BTreeMap<String, Value> = BTreeMap::new();
    for (k, v) in f.texts() {
        if let Some(v) = v {
            props.insert(k.to_string(), Value::String(v.to_string()));
        }
    }
    if !f.extra_actions.is_empty() {
        props.insert("extra_actions".to_string(), json!(f.extra_actions));
    }
    if !props.is_empty() {
        res.properties = Some(
            sarif::PropertyBag::builder()
                .additional_properties(props)
                .build(),
        );
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_percent_encoded() {
        assert_eq!(uri("policies/a.json"), "policies/a.json");
        assert_eq!(uri("/abs/p a#1%?.json"), "/abs/p%20a%231%25%3F.json");
        assert_eq!(
            uri("arn:aws:iam::aws:policy/ViewOnlyAccess"),
            "arn%3Aaws%3Aiam%3A%3Aaws%3Apolicy/ViewOnlyAccess"
        );
        assert_eq!(uri("ü.json"), "%C3%BC.json");
        assert_eq!(uri("-"), "-");
    }

    /// Each code's anchor is that of a heading of docs/codes.md, as GitHub makes it.
    #[test]
    fn help_anchors_are_headings_of_the_codes_page() {
        let page = include_str!("../../docs/codes.md");
        let slugs: Vec<String> = page
            .lines()
            .filter_map(|l| l.strip_prefix("## "))
            .map(|h| github_slug(h.trim()))
            .collect();
        for &c in Code::ALL {
            assert!(slugs.contains(&anchor(c)), "{}: {}", c.as_str(), anchor(c));
        }
        assert_eq!(anchor(Code::UnknownAction), "unknown-action-error");
        assert_eq!(
            help_uri("https://example.org/iamlint/", Code::FullAdmin),
            format!(
                "https://example.org/iamlint/blob/v{}/docs/codes.md#full-admin-warning",
                env!("CARGO_PKG_VERSION")
            )
        );
    }
}
