//! `iamlint.toml`: a project's settings for `lint` and `check`, found upward from the
//! working directory (or named with `--config`). It says which policy files `lint` reads
//! when given no paths (`files`, `exclude`), which rule set and parameters `check` applies to
//! which files (`[[check]]`), from which severity a run fails (`fail-on`), severity overrides
//! per code (`[severity]`), and which findings are accepted (`[[ignore]]`, each with a
//! required `reason`). The format is documented in `docs/config.md`.
//!
//! Loading validates everything with positions: an unknown key, a bad glob, a severity that
//! is none, an unknown code or an ignore without a reason is a [`ConfigError::Invalid`] at
//! `file:line:col`, as a rule file's errors are. After a command ran, [`Config::apply`]
//! overrides severities and moves the ignored findings into
//! [`Report::suppressed`](crate::Report::suppressed): the findings stay plain data,
//! `report/` shows what was suppressed and why.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::Report;
use crate::finding::{Code, Finding, Severity};
use crate::span::{LineIndex, Span};

/// The file name looked for, upward from the working directory.
pub const FILE_NAME: &str = "iamlint.toml";

/// Largest config file read: far more than any project's settings.
const MAX_BYTES: u64 = 1024 * 1024;

/// Why a config file could not be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// TOML syntax, an unknown key or a bad value, at its place in the file.
    #[error("{file}:{line}:{column}: {message}")]
    Invalid {
        /// The config file.
        file: String,
        /// 1-based line.
        line: u32,
        /// 1-based column.
        column: u32,
        /// What is wrong.
        message: String,
    },
    /// The file could not be read.
    #[error("{path}: {message}")]
    Read {
        /// The config file.
        path: String,
        /// Why.
        message: String,
    },
}

/// Which severity fails the run, as `fail-on` (and `--fail-on`) say it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    /// Errors only.
    Error,
    /// Warnings and errors.
    Warning,
    /// Anything.
    Info,
    /// Never fail on findings (unreadable input still exits 2).
    Never,
}

impl FailOn {
    /// Does a finding of severity `s` fail the run?
    pub fn fails(self, s: Severity) -> bool {
        match self {
            FailOn::Error => s >= Severity::Error,
            FailOn::Warning => s >= Severity::Warning,
            FailOn::Info => true,
            FailOn::Never => false,
        }
    }
}

/// A loaded, validated `iamlint.toml`.
#[derive(Debug)]
pub struct Config {
    /// The file, as found or named.
    pub path: PathBuf,
    /// Its folder, absolute: globs and rule-file paths are relative to it.
    pub dir: PathBuf,
    text: String,
    files: Vec<Glob>,
    exclude: Vec<Glob>,
    /// `fail-on`, if set.
    pub fail_on: Option<FailOn>,
    severity: Vec<(Code, Severity)>,
    ignores: Vec<Ignore>,
    /// The `[[check]]` tables, in file order.
    pub checks: Vec<CheckTable>,
    /// Every file below `dir` ([`walk`]), listed once when first needed.
    below: std::sync::OnceLock<Vec<String>>,
}

/// A glob of the config, compiled, with where it is written.
#[derive(Debug, Clone)]
struct Glob {
    text: String,
    span: Span,
    matcher: globset::GlobMatcher,
}

/// One `[[ignore]]`.
#[derive(Debug)]
struct Ignore {
    code: Code,
    path: Option<Glob>,
    sid: Option<String>,
    reason: String,
    span: Span,
}

/// One `[[check]]`: a rule set and the policy files (one principal's) it applies to.
#[derive(Debug)]
pub struct CheckTable {
    files: Vec<Glob>,
    /// A shipped rule set id, or a rule file (absolute, resolved against the config's folder).
    pub rules: String,
    /// Parameters, `name = "value"`.
    pub params: Vec<(String, String)>,
    /// Features.
    pub features: Vec<String>,
    /// `file:line:col` of the table, to name it in messages.
    pub at: String,
}

/// A finding accepted by an `[[ignore]]` of the config: not counted, shown as suppressed.
#[derive(Debug, Clone)]
pub struct Suppressed {
    /// The finding, its severity after overrides.
    pub finding: Finding,
    /// The ignore's `reason`.
    pub reason: String,
    /// Where the ignore is written, `file:line:col`.
    pub ignore: String,
}

// The finding's members, then `reason` and `ignore`.
impl serde::Serialize for Suppressed {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(None)?;
        let f = serde_json::to_value(&self.finding).map_err(serde::ser::Error::custom)?;
        if let serde_json::Value::Object(members) = f {
            for (k, v) in members {
                m.serialize_entry(&k, &v)?;
            }
        }
        m.serialize_entry("reason", &self.reason)?;
        m.serialize_entry("ignore", &self.ignore)?;
        m.end()
    }
}

// ---- the file format (serde); validated into `Config` ----

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawConfig {
    #[serde(default)]
    files: Vec<Spanned<String>>,
    #[serde(default)]
    exclude: Vec<Spanned<String>>,
    fail_on: Option<Spanned<String>>,
    #[serde(default)]
    severity: BTreeMap<Spanned<String>, Spanned<String>>,
    #[serde(default, rename = "ignore")]
    ignores: Vec<Spanned<RawIgnore>>,
    #[serde(default, rename = "check")]
    checks: Vec<Spanned<RawCheck>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIgnore {
    code: Spanned<String>,
    path: Option<Spanned<String>>,
    sid: Option<Spanned<String>>,
    reason: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCheck {
    files: Vec<Spanned<String>>,
    rules: Spanned<String>,
    #[serde(default)]
    params: BTreeMap<String, Spanned<String>>,
    #[serde(default)]
    features: Vec<String>,
}

/// The config file to use: `iamlint.toml` in `start` or the nearest folder above it, up to
/// the filesystem root; `None` when there is none.
pub fn discover(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .map(|d| d.join(FILE_NAME))
        .find(|p| p.is_file())
}

impl Config {
    /// Read and validate a config file.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let shown = path.display().to_string();
        let read_err = |message: String| ConfigError::Read {
            path: shown.clone(),
            message,
        };
        let text = read_settings(path, "a config file is UTF-8 TOML", MAX_BYTES).map_err(
            |(at, message)| match at {
                Some((line, column)) => ConfigError::Invalid {
                    file: shown.clone(),
                    line,
                    column,
                    message,
                },
                None => read_err(message),
            },
        )?;
        let dir = path
            .parent()
            .map(|d| {
                if d.as_os_str().is_empty() {
                    Path::new(".")
                } else {
                    d
                }
            })
            .unwrap_or(Path::new("."));
        let dir = dir
            .canonicalize()
            .map_err(|e| read_err(format!("its folder: {e}")))?;
        Config::parse(path, dir, text)
    }

    /// Validate config text read from `path`, whose folder is `dir` (absolute).
    pub fn parse(path: &Path, dir: PathBuf, text: String) -> Result<Config, ConfigError> {
        let origin = path.display().to_string();
        let err = |span: Span, message: String| invalid(&origin, &text, span, message);
        if let Some((at, _)) = crate::rules::too_deep(&text) {
            return Err(err(
                Span::new(at, at),
                "nested deeper than a config file can be".to_string(),
            ));
        }
        let raw: RawConfig = toml::from_str(&text).map_err(|e| {
            let span = e.span().unwrap_or(0..0);
            err(Span::new(span.start, span.end), e.message().to_string())
        })?;
        let globs = |list: &[Spanned<String>]| -> Result<Vec<Glob>, ConfigError> {
            list.iter().map(|g| glob(g, &err)).collect()
        };
        let files = globs(&raw.files)?;
        let exclude = globs(&raw.exclude)?;
        let fail_on = raw
            .fail_on
            .as_ref()
            .map(|f| match f.get_ref().as_str() {
                "error" => Ok(FailOn::Error),
                "warning" => Ok(FailOn::Warning),
                "info" => Ok(FailOn::Info),
                "never" => Ok(FailOn::Never),
                other => Err(err(
                    span_of(f),
                    format!(
                        "`fail-on` is `{other}`; write one of `error`, `warning`, `info`, `never`"
                    ),
                )),
            })
            .transpose()?;
        let mut severity = Vec::new();
        for (code, sev) in &raw.severity {
            let c = code_named(code, &err)?;
            let s = match sev.get_ref().as_str() {
                "error" => Severity::Error,
                "warning" => Severity::Warning,
                "info" => Severity::Info,
                other => {
                    return Err(err(
                        span_of(sev),
                        format!("`{other}` is not a severity; write `error`, `warning` or `info`"),
                    ));
                }
            };
            severity.push((c, s));
        }
        let mut ignores = Vec::new();
        for i in &raw.ignores {
            let span = span_of(i);
            let r = i.get_ref();
            let code = code_named(&r.code, &err)?;
            let reason = match &r.reason {
                Some(reason) if !reason.get_ref().trim().is_empty() => reason.get_ref().clone(),
                Some(reason) => {
                    return Err(err(
                        span_of(reason),
                        "an empty `reason`: say why the finding is accepted".to_string(),
                    ));
                }
                None => {
                    return Err(err(
                        span,
                        "an `[[ignore]]` needs a `reason`: say why the finding is accepted"
                            .to_string(),
                    ));
                }
            };
            ignores.push(Ignore {
                code,
                path: r.path.as_ref().map(|p| glob(p, &err)).transpose()?,
                sid: r.sid.as_ref().map(|s| s.get_ref().clone()),
                reason,
                span,
            });
        }
        let mut checks = Vec::new();
        for c in &raw.checks {
            let span = span_of(c);
            let r = c.get_ref();
            if r.files.is_empty() {
                return Err(err(
                    span,
                    "a `[[check]]` needs `files`: the policy files it checks".to_string(),
                ));
            }
            let rules = rules_of(&r.rules, &dir, &err)?;
            checks.push(CheckTable {
                files: globs(&r.files)?,
                rules,
                params: r
                    .params
                    .iter()
                    .map(|(k, v)| (k.clone(), v.get_ref().clone()))
                    .collect(),
                features: r.features.clone(),
                at: position(&origin, &text, span),
            });
        }
        Ok(Config {
            path: path.to_path_buf(),
            dir,
            text,
            files,
            exclude,
            fail_on,
            severity,
            ignores,
            checks,
            below: std::sync::OnceLock::new(),
        })
    }

    /// `file:line:col` of a span of the config.
    fn at(&self, span: Span) -> String {
        position(&self.path.display().to_string(), &self.text, span)
    }

    /// Does the config say which files `lint` reads?
    pub fn has_files(&self) -> bool {
        !self.files.is_empty()
    }

    /// The files `lint` reads when given no paths: every file below the config's folder
    /// (hidden entries skipped) that a `files` glob matches and no `exclude` glob does,
    /// sorted, each as a path relative to `cwd` where it can be. A glob that matches no file
    /// is an error naming its place: a gate never passes on nothing.
    pub fn lint_files(&self, cwd: &Path) -> Result<Vec<PathBuf>, ConfigError> {
        self.matching(&self.files, cwd)
    }

    /// The files of a `[[check]]`, as [`Config::lint_files`] finds them.
    pub fn check_files(&self, table: &CheckTable, cwd: &Path) -> Result<Vec<PathBuf>, ConfigError> {
        self.matching(&table.files, cwd)
    }

    /// The `[[check]]` whose `files` match every one of `paths` (the first such), if any.
    pub fn check_for(&self, paths: &[String]) -> Option<&CheckTable> {
        self.checks.iter().find(|t| {
            paths.iter().all(|p| {
                let rel = self.relative(p);
                t.files.iter().any(|g| g.matcher.is_match(&rel))
            })
        })
    }

    fn matching(&self, globs: &[Glob], cwd: &Path) -> Result<Vec<PathBuf>, ConfigError> {
        let all = self.below.get_or_init(|| walk(&self.dir));
        let mut out = Vec::new();
        for g in globs {
            let before = out.len();
            for rel in all {
                if g.matcher.is_match(rel) && !self.exclude.iter().any(|x| x.matcher.is_match(rel))
                {
                    out.push(rel.clone());
                }
            }
            if out.len() == before {
                let (line, column) = LineIndex::new(&self.text).line_col(&self.text, g.span.start);
                return Err(ConfigError::Invalid {
                    file: self.path.display().to_string(),
                    line,
                    column,
                    message: format!("`{}` matches no file below {}", g.text, self.dir.display()),
                });
            }
        }
        out.sort();
        out.dedup();
        Ok(out
            .into_iter()
            .map(|rel| relative_to(&self.dir.join(rel), cwd))
            .collect())
    }

    /// A finding's file as the config's globs see it: relative to the config's folder, with
    /// `/` separators, when it is a file below it; else as written.
    fn relative(&self, file: &str) -> String {
        match Path::new(file).canonicalize() {
            Ok(abs) => match abs.strip_prefix(&self.dir) {
                Ok(rel) => slashed(rel),
                Err(_) => file.to_string(),
            },
            Err(_) => file.to_string(),
        }
    }

    /// Apply the config to a command's report: override severities per code, then move
    /// every finding an `[[ignore]]` matches into [`Report::suppressed`] with its reason.
    /// An ignore matches a finding of its `code`, in a file its `path` glob matches (when
    /// given; relative to the config's folder), in the statement whose Sid is `sid` (when
    /// given).
    pub fn apply(&self, report: &mut Report) {
        if self.severity.is_empty() && self.ignores.is_empty() {
            return;
        }
        let mut rel: BTreeMap<String, String> = BTreeMap::new();
        let findings = std::mem::take(&mut report.findings);
        for mut f in findings {
            if let Some((_, s)) = self.severity.iter().find(|(c, _)| *c == f.code) {
                f.severity = *s;
            }
            let matched = self.ignores.iter().find(|i| {
                i.code == f.code
                    && i.sid
                        .as_ref()
                        .is_none_or(|sid| f.statement.as_deref() == Some(sid.as_str()))
                    && i.path.as_ref().is_none_or(|g| {
                        let file = rel
                            .entry(f.location.file.to_string())
                            .or_insert_with(|| self.relative(&f.location.file));
                        g.matcher.is_match(file.as_str())
                    })
            });
            match matched {
                Some(i) => report.suppressed.push(Suppressed {
                    finding: f,
                    reason: i.reason.clone(),
                    ignore: self.at(i.span),
                }),
                None => report.findings.push(f),
            }
        }
    }
}

/// A settings file's text (a config or a baseline), read with the one reader of inputs
/// ([`crate::source::read`]: no FIFO or device is opened, the size is bounded, UTF-8 is
/// checked); what it refuses is said in the words of settings (`what`: "a config file is
/// UTF-8 TOML"), with the line and column where there is one, never repeating the path.
pub(crate) fn read_settings(
    path: &Path,
    what: &str,
    max: u64,
) -> Result<String, (Option<(u32, u32)>, String)> {
    use crate::source::LoadError;
    let shown = path.display().to_string();
    let e = match crate::source::regular_file(path)
        .and_then(|()| crate::source::read(&crate::source::Input::File(path.to_path_buf())))
    {
        Ok(doc) if doc.text.len() as u64 > max => {
            return Err((
                None,
                format!(
                    "the file is {} bytes, over the {max} byte limit; {what}",
                    doc.text.len()
                ),
            ));
        }
        Ok(doc) => return Ok(doc.text),
        Err(e) => e,
    };
    Err(match e {
        LoadError::IsDirectory { .. } => (None, format!("a folder, not a file; {what}")),
        LoadError::NotRegular { kind, .. } => {
            (None, format!("not a regular file ({kind}); {what}"))
        }
        LoadError::NotUtf8 { line, column, .. } => {
            (Some((line, column)), format!("not UTF-8 text; {what}"))
        }
        LoadError::Binary { line, column, .. } => (
            Some((line, column)),
            format!("not a text file (a NUL byte); {what}"),
        ),
        LoadError::TooLarge { size, .. } => (
            None,
            format!("the file is {size} bytes, over the {max} byte limit; {what}"),
        ),
        e => {
            let text = e.to_string();
            let prefix = format!("{shown}: ");
            (
                None,
                text.strip_prefix(&prefix).unwrap_or(&text).to_string(),
            )
        }
    })
}

/// The config's place of `span` as `file:line:col`.
fn position(origin: &str, text: &str, span: Span) -> String {
    let (line, column) = LineIndex::new(text).line_col(text, span.start);
    format!("{origin}:{line}:{column}")
}

fn invalid(origin: &str, text: &str, span: Span, message: String) -> ConfigError {
    let (line, column) = LineIndex::new(text).line_col(text, span.start);
    ConfigError::Invalid {
        file: origin.to_string(),
        line,
        column,
        message,
    }
}

fn span_of<T>(s: &Spanned<T>) -> Span {
    let r = s.span();
    Span::new(r.start, r.end)
}

fn glob(
    g: &Spanned<String>,
    err: &dyn Fn(Span, String) -> ConfigError,
) -> Result<Glob, ConfigError> {
    let text = g.get_ref();
    let matcher = globset::GlobBuilder::new(text)
        .literal_separator(true)
        .build()
        .map_err(|e| err(span_of(g), format!("bad glob `{text}`: {}", e.kind())))?
        .compile_matcher();
    Ok(Glob {
        text: text.clone(),
        span: span_of(g),
        matcher,
    })
}

fn code_named(
    name: &Spanned<String>,
    err: &dyn Fn(Span, String) -> ConfigError,
) -> Result<Code, ConfigError> {
    Code::from_name(name.get_ref()).ok_or_else(|| {
        let names = Code::ALL.iter().map(|c| c.as_str());
        let hint = crate::suggest::closest(name.get_ref(), names)
            .map(|s| format!("; did you mean `{s}`?"))
            .unwrap_or_else(|| " (`iamlint explain` lists them)".to_string());
        err(
            span_of(name),
            format!("no finding code `{}`{hint}", name.get_ref()),
        )
    })
}

/// A `[[check]]`'s `rules`: a shipped id as it is; a rule file (a value ending in `.toml` or
/// holding a `/`) resolved against the config's folder, and there.
fn rules_of(
    r: &Spanned<String>,
    dir: &Path,
    err: &dyn Fn(Span, String) -> ConfigError,
) -> Result<String, ConfigError> {
    let v = r.get_ref();
    if v.ends_with(".toml") || v.contains('/') {
        let p = dir.join(v);
        if !p.is_file() {
            return Err(err(
                span_of(r),
                format!("no rule file `{v}` (relative to {})", dir.display()),
            ));
        }
        return Ok(p.display().to_string());
    }
    let ids: Vec<&str> = crate::rules::embedded()
        .iter()
        .filter_map(|(path, _)| path.rsplit('/').next()?.strip_suffix(".toml"))
        .collect();
    if ids.contains(&v.as_str()) {
        return Ok(v.clone());
    }
    let hint = crate::suggest::closest(v, ids.iter().copied())
        .map(|s| format!("; did you mean `{s}`?"))
        .unwrap_or_default();
    Err(err(
        span_of(r),
        format!("no rule set `{v}`{hint} (`iamlint rules list` shows them)"),
    ))
}

/// Every file below `dir`, relative to it with `/` separators, hidden entries skipped,
/// symbolic links not followed into folders (a link to a file is listed).
fn walk(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            if e.file_name().to_string_lossy().starts_with('.') {
                continue;
            }
            let p = e.path();
            let Ok(t) = e.file_type() else { continue };
            if t.is_dir() {
                stack.push(p);
            } else if t.is_file() || (t.is_symlink() && p.is_file()) {
                if let Ok(rel) = p.strip_prefix(dir) {
                    out.push(slashed(rel));
                }
            }
        }
    }
    out.sort();
    out
}

fn slashed(p: &Path) -> String {
    let parts: Vec<String> = p
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    parts.join("/")
}

/// `path` as seen from `base` (both absolute): relative, with `..` where it is not below.
pub(crate) fn relative_to(path: &Path, base: &Path) -> PathBuf {
    let p: Vec<Component<'_>> = path.components().collect();
    let b: Vec<Component<'_>> = base.components().collect();
    let common = p.iter().zip(&b).take_while(|(x, y)| x == y).count();
    if common == 0 {
        return path.to_path_buf();
    }
    let mut out = PathBuf::new();
    for _ in b.iter().skip(common) {
        out.push("..");
    }
    for c in p.iter().skip(common) {
        out.push(c.as_os_str());
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(
            Path::new("iamlint.toml"),
            PathBuf::from(env!("CARGO_MANIFEST_DIR")),
            text.to_string(),
        )
    }

    #[test]
    fn relative_paths() {
        for (path, base, want) in [
            ("/a/b/c.json", "/a", "b/c.json"),
            ("/a/b/c.json", "/a/b", "c.json"),
            ("/a/p/c.json", "/a/x/y", "../../p/c.json"),
            ("/a", "/a", "."),
        ] {
            assert_eq!(
                relative_to(Path::new(path), Path::new(base)),
                PathBuf::from(want),
                "{path} from {base}"
            );
        }
    }

    #[test]
    fn errors_name_line_and_column() {
        for (text, want) in [
            (
                "fail-on = \"warn\"\n",
                "iamlint.toml:1:11: `fail-on` is `warn`",
            ),
            (
                "files = [\"a/**\"]\nfilez = []\n",
                "iamlint.toml:2:1: unknown field `filez`",
            ),
            (
                "[severity]\nexcess-grnt = \"error\"\n",
                "iamlint.toml:2:1: no finding code `excess-grnt`; did you mean `excess-grant`?",
            ),
            (
                "[severity]\nexcess-grant = \"fatal\"\n",
                "iamlint.toml:2:16: `fatal` is not a severity",
            ),
            ("files = [\"a/[\"]\n", "iamlint.toml:1:10: bad glob `a/[`"),
            (
                "[[ignore]]\ncode = \"broad-resource\"\n",
                "iamlint.toml:1:1: an `[[ignore]]` needs a `reason`",
            ),
            (
                "[[ignore]]\ncode = \"broad-resource\"\nreason = \" \"\n",
                "iamlint.toml:3:10: an empty `reason`",
            ),
            (
                "[[check]]\nfiles = [\"*.json\"]\nrules = \"dstak-aws\"\n",
                "iamlint.toml:3:9: no rule set `dstak-aws`; did you mean `dstack-aws`?",
            ),
        ] {
            let e = parse(text).unwrap_err().to_string();
            assert!(e.starts_with(want), "{text:?}: {e}");
        }
    }
}
