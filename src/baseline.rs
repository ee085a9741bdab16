//! Baselines: the findings a project has accepted for now, so a gate fails only on new ones.
//! [`Baseline::of`] records a report's findings (after the config) by
//! [`Finding::fingerprint`], which leaves out line and column, so lines moving above a
//! finding keep it baselined. [`Baseline::apply`] removes from a report the findings the
//! baseline holds (as a multiset: two identical findings need two entries) and lists the
//! entries no finding matched any more: fixed. The file is JSON with a `version`, its entries
//! sorted, so it diffs well in review.
//!
//! A finding's file is recorded relative to the baseline's folder, and so it is compared: a
//! baseline written from the repository root holds when iamlint runs in a subfolder.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::Report;
use crate::finding::Finding;

/// The version of the baseline format this iamlint writes and reads.
pub const VERSION: u32 = 1;

/// Largest baseline read.
const MAX_BYTES: u64 = 64 * 1024 * 1024;

/// Why a baseline could not be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BaselineError {
    /// Not JSON, or not a baseline, at its place in the file.
    #[error("{file}:{line}:{column}: {message}")]
    Invalid {
        /// The baseline file.
        file: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// The file could not be read or written.
    #[error("{path}: {message}")]
    Io {
        /// The baseline file.
        path: String,
        /// Why.
        message: String,
    },
}

/// A baseline file: every accepted finding, sorted.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    /// The format's version, [`VERSION`].
    #[serde(deserialize_with = "version")]
    pub version: u32,
    /// One entry per finding (a finding found twice has two).
    pub findings: Vec<Entry>,
}

/// One accepted finding.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// Its file, relative to the baseline's folder where it is a file.
    pub file: String,
    /// The finding code.
    pub code: String,
    /// The message, as it was.
    pub message: String,
    /// The statement's Sid or `#N`, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub statement: Option<String>,
    /// [`Finding::fingerprint`] of the finding, its file as in `file`.
    #[serde(deserialize_with = "fingerprint")]
    pub fingerprint: String,
}

/// What applying a baseline did, for the report.
#[derive(Debug, Clone, Serialize)]
pub struct Applied {
    /// The baseline file.
    pub file: String,
    /// Findings the baseline holds: not counted.
    pub baselined: usize,
    /// Entries no finding matched: fixed since the baseline was written.
    pub fixed: Vec<Entry>,
}

fn version<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    let v = u32::deserialize(d)?;
    if v == VERSION {
        Ok(v)
    } else {
        Err(serde::de::Error::custom(format!(
            "baseline version {v}; this iamlint reads version {VERSION}"
        )))
    }
}

fn fingerprint<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let v = String::deserialize(d)?;
    if v.len() == 16 && v.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(v)
    } else {
        Err(serde::de::Error::custom(format!(
            "`{v}` is not a fingerprint (16 hex digits)"
        )))
    }
}

/// Files are compared relative to the baseline's folder.
struct Keys {
    dir: Option<PathBuf>,
    cache: BTreeMap<String, String>,
}

impl Keys {
    fn new(baseline: &Path) -> Keys {
        let dir = baseline
            .parent()
            .map(|d| {
                if d.as_os_str().is_empty() {
                    Path::new(".")
                } else {
                    d
                }
            })
            .and_then(|d| d.canonicalize().ok());
        Keys {
            dir,
            cache: BTreeMap::new(),
        }
    }

    /// A finding's file as the baseline records it.
    fn file(&mut self, file: &str) -> String {
        let dir = self.dir.as_deref();
        self.cache
            .entry(file.to_string())
            .or_insert_with(|| {
                let p = Path::new(file);
                match (dir, p.is_file().then(|| p.canonicalize().ok()).flatten()) {
                    (Some(dir), Some(abs)) => {
                        let rel = crate::config::relative_to(&abs, dir);
                        let parts: Vec<String> = rel
                            .components()
                            .map(|c| c.as_os_str().to_string_lossy().into_owned())
                            .collect();
                        parts.join("/")
                    }
                    _ => file.to_string(),
                }
            })
            .clone()
    }

    fn entry(&mut self, f: &Finding) -> Entry {
        let mut g = f.clone();
        g.location.file = self.file(&f.location.file).into();
        Entry {
            fingerprint: g.fingerprint(),
            file: g.location.file.to_string(),
            code: f.code.as_str().to_string(),
            message: f.message.clone(),
            statement: f.statement.clone(),
        }
    }
}

impl Baseline {
    /// The baseline of a report's findings, to be written at `path`.
    pub fn of(reports: &[&Report], path: &Path) -> Baseline {
        let mut keys = Keys::new(path);
        let mut findings: Vec<Entry> = reports
            .iter()
            .flat_map(|r| &r.findings)
            .map(|f| keys.entry(f))
            .collect();
        findings.sort();
        Baseline {
            version: VERSION,
            findings,
        }
    }

    /// The file's text: pretty JSON, entries sorted, a final line break.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }

    /// Write the baseline to `path`.
    pub fn write(&self, path: &Path) -> Result<(), BaselineError> {
        std::fs::write(path, self.to_json()).map_err(|e| BaselineError::Io {
            path: path.display().to_string(),
            message: e.to_string(),
        })
    }

    /// Read a baseline file; what is not one is an error at `file:line:col`.
    pub fn read(path: &Path) -> Result<Baseline, BaselineError> {
        let shown = path.display().to_string();
        let io = |message: String| BaselineError::Io {
            path: shown.clone(),
            message,
        };
        let text = crate::config::read_settings(path, "a baseline is UTF-8 JSON", MAX_BYTES)
            .map_err(|(at, message)| match at {
                Some((line, column)) => BaselineError::Invalid {
                    file: shown.clone(),
                    line: line as usize,
                    column: column as usize,
                    message,
                },
                None => io(message),
            })?;
        Baseline::parse(&shown, &text)
    }

    /// Read baseline text (from `origin`).
    pub fn parse(origin: &str, text: &str) -> Result<Baseline, BaselineError> {
        serde_json::from_str(text).map_err(|e| BaselineError::Invalid {
            file: origin.to_string(),
            line: e.line(),
            column: e.column(),
            message: strip_position(&e.to_string()),
        })
    }

    /// Remove from the reports of one run the findings this baseline (read from `path`)
    /// holds, each entry matching one finding, and record in each [`Report::baseline`] how
    /// many were; the entries that matched none (fixed) are listed in the last report's.
    pub fn apply(&self, reports: &mut [&mut Report], path: &Path) {
        let mut keys = Keys::new(path);
        let mut left: BTreeMap<&str, Vec<&Entry>> = BTreeMap::new();
        for e in &self.findings {
            left.entry(e.fingerprint.as_str()).or_default().push(e);
        }
        for report in reports.iter_mut() {
            let mut baselined = 0;
            let findings = std::mem::take(&mut report.findings);
            for f in findings {
                let key = keys.entry(&f).fingerprint;
                match left.get_mut(key.as_str()).and_then(Vec::pop) {
                    Some(_) => baselined += 1,
                    None => report.findings.push(f),
                }
            }
            report.baseline = Some(Applied {
                file: path.display().to_string(),
                baselined,
                fixed: Vec::new(),
            });
        }
        let mut fixed: Vec<Entry> = left.into_values().flatten().cloned().collect();
        fixed.sort();
        if let Some(Some(applied)) = reports.last_mut().map(|r| r.baseline.as_mut()) {
            applied.fixed = fixed;
        }
    }
}

/// serde_json's message without its " at line L column C" (the error says it first).
fn strip_position(s: &str) -> String {
    match s.rfind(" at line ") {
        Some(i) => s.get(..i).unwrap_or(s).to_string(),
        None => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_baselines_name_line_and_column() {
        for (text, want) in [
            (
                "{\"version\": 1,\n \"findings\": [}",
                "b.json:2:15: expected value",
            ),
            (
                "{\"version\": 2, \"findings\": []}",
                "b.json:1:13: baseline version 2",
            ),
            (
                "{\"version\": 1, \"findings\": [], \"extra\": 1}",
                "b.json:1:38: unknown field `extra`",
            ),
            (
                "{\"version\": 1, \"findings\": [{\"file\": \"a\", \"code\": \"c\", \"message\": \"m\",\n \"fingerprint\": \"xyz\"}]}",
                "b.json:2:22: `xyz` is not a fingerprint",
            ),
            ("true", "b.json:1:4: invalid type: boolean `true`"),
        ] {
            let e = Baseline::parse("b.json", text).unwrap_err().to_string();
            assert!(e.starts_with(want), "{text:?}: {e}");
        }
    }
}
