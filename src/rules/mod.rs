//! Rule sets: what a system needs from IAM, as data files under `rules/` (embedded in the
//! binary) or a user's own file. This module loads and validates them with positions,
//! resolves parameters and features, and renders the least-privilege policy they describe.
//! `eval` compares policies against the [`Resolved`] grants.

pub mod schema;

use std::collections::BTreeMap;

use schema::{Grant, ParamKind, RuleFile};

use crate::span::{LineIndex, Span};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/rules.rs"));
}

/// Why a rule set could not be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RuleError {
    /// TOML syntax or schema error, or a semantic error located in the file.
    #[error("{file}:{line}:{column}: {message}")]
    Invalid {
        /// The rule file.
        file: String,
        /// 1-based line.
        line: u32,
        /// 1-based column.
        column: u32,
        /// What is wrong.
        message: String,
    },
    /// No shipped rule set has this id.
    #[error("no rule set `{id}`{hint} (`iamlint rules list` shows them)")]
    UnknownRuleSet {
        /// The id asked for.
        id: String,
        /// `; did you mean ...?`
        hint: String,
    },
    /// A usage error with parameters or features.
    #[error("{0}")]
    Usage(String),
    /// Over [`MAX_BYTES`].
    #[error("{path}: the file is {size} bytes, over the {max} byte limit for a rule file")]
    TooLarge {
        /// The path.
        path: String,
        /// Its size (at least; reading stops past the limit).
        size: u64,
        /// The limit.
        max: u64,
    },
    /// The file could not be read (it does not exist, the OS refused, a broken link).
    #[error(transparent)]
    Read(crate::source::LoadError),
}

/// Largest rule file read, like [`crate::source::MAX_BYTES`] for policies. The largest shipped
/// rule set is 7 KB; a generated one stating thousands of grants stays far below this.
pub const MAX_BYTES: u64 = 4 * 1024 * 1024;

/// Deepest nesting of arrays, inline tables and dotted keys a rule file may use (the
/// format needs three). The TOML reader has its own limit, but reports a dotted key over it
/// without a position; this check comes first and always names line and column.
const MAX_NESTING: usize = 32;

/// A loaded, validated rule set.
#[derive(Debug)]
pub struct RuleSet {
    /// Where it came from: `rules/<system>/<id>.toml` or the user's path.
    pub origin: String,
    /// The file text (findings point into it).
    pub text: String,
    /// The parsed file.
    pub file: RuleFile,
}

/// One required grant, parameters substituted.
#[derive(Debug, Clone)]
pub struct RequiredGrant {
    /// Statement id for `render`.
    pub sid: String,
    /// Actions as written in the rule.
    pub actions: Vec<String>,
    /// The span of each action in the rule file.
    pub action_spans: Vec<Span>,
    /// Resources, rendered.
    pub resources: Vec<String>,
    /// Required condition clauses: (operator, key, values).
    pub condition: Vec<(String, String, Vec<String>)>,
    /// The span of the grant in the rule file.
    pub span: Span,
    /// The feature that added it, if any.
    pub feature: Option<String>,
    /// Why it is needed.
    pub why: Option<String>,
}

/// A rule set with parameters and features applied.
#[derive(Debug, Clone)]
pub struct Resolved {
    /// Rule set id.
    pub id: String,
    /// Every required grant, base first, then features in the order asked.
    pub grants: Vec<RequiredGrant>,
    /// Parameter values, derived ones included.
    pub params: BTreeMap<String, String>,
}

/// Every shipped rule set: (path, text).
pub fn embedded() -> &'static [(&'static str, &'static str)] {
    embedded::RULES
}

/// Load every shipped rule set. Each file is named after its id, so `find` can take one
/// without reading the others: a file whose id differs, or two with one id, is an error.
pub fn all() -> Result<Vec<RuleSet>, RuleError> {
    let sets = embedded()
        .iter()
        .map(|(p, t)| {
            let set = RuleSet::parse(p, t)?;
            set.id_is_file_name()?;
            Ok(set)
        })
        .collect::<Result<Vec<_>, RuleError>>()?;
    for (i, set) in sets.iter().enumerate() {
        let id = set.id();
        if let Some(other) = sets
            .get(i + 1..)
            .and_then(|r| r.iter().find(|s| s.id() == id))
        {
            return Err(duplicate(id, [set.origin.as_str(), other.origin.as_str()]));
        }
    }
    Ok(sets)
}

/// A shipped rule set by id, or a file when `id_or_path` names one.
pub fn find(id_or_path: &str) -> Result<RuleSet, RuleError> {
    let p = std::path::Path::new(id_or_path);
    if id_or_path.ends_with(".toml") || p.is_file() {
        let text = read_file(id_or_path)?;
        return RuleSet::parse(id_or_path, &text);
    }
    if let Some(set) = find_shipped(embedded(), id_or_path)? {
        return Ok(set);
    }
    // A folder, FIFO or device is refused before reading (reading a FIFO blocks).
    crate::source::regular_file(p).map_err(|e| RuleError::Usage(e.to_string()))?;
    let ids = embedded().iter().filter_map(|(path, _)| file_id(path));
    let hint = crate::suggest::closest(id_or_path, ids)
        .map(|s| format!("; did you mean `{s}`?"))
        .unwrap_or_default();
    Err(RuleError::UnknownRuleSet {
        id: id_or_path.to_string(),
        hint,
    })
}

/// The rule set of `sets` (path, text) whose id is `id`, or `None`. Only the file named
/// `<id>.toml` is parsed and checked against the catalog: with an updated catalog that no
/// longer lists an action of another shipped set, this one still loads, and a lookup costs
/// one rule set, not all of them.
fn find_shipped(sets: &[(&str, &str)], id: &str) -> Result<Option<RuleSet>, RuleError> {
    let named: Vec<&(&str, &str)> = sets
        .iter()
        .filter(|(path, _)| file_id(path) == Some(id))
        .collect();
    match named.as_slice() {
        [] => Ok(None),
        [(path, text)] => {
            let set = RuleSet::parse(path, text)?;
            set.id_is_file_name()?;
            Ok(Some(set))
        }
        many => Err(duplicate(id, many.iter().map(|(path, _)| *path))),
    }
}

/// The id a shipped rule set's path gives it: `rules/dagster/ecr-push.toml` is `ecr-push`.
fn file_id(path: &str) -> Option<&str> {
    path.rsplit('/').next()?.strip_suffix(".toml")
}

/// Two or more shipped rule sets with one id: which one a user meant cannot be known.
fn duplicate<'a>(id: &str, paths: impl IntoIterator<Item = &'a str>) -> RuleError {
    let paths: Vec<String> = paths.into_iter().map(|p| format!("`{p}`")).collect();
    RuleError::Usage(format!(
        "the shipped rule sets {} all have the id `{id}`",
        paths.join(", ")
    ))
}

/// Read a rule file with the one reader of inputs ([`crate::source::read`]: no FIFO or
/// device is opened, the size is bounded, UTF-8 is checked with line and column); what it
/// refuses is said in the words of rule files. [`RuleSet::parse`] holds the text to
/// [`MAX_BYTES`].
fn read_file(path: &str) -> Result<String, RuleError> {
    use crate::source::LoadError;
    let e = match crate::source::read(&crate::source::Input::File(path.into())) {
        Ok(doc) => return Ok(doc.text),
        Err(e) => e,
    };
    Err(match e {
        LoadError::IsDirectory { path } => RuleError::Usage(format!(
            "{path}: not a regular file (a folder); a rule file is a TOML file"
        )),
        LoadError::NotRegular { path, .. } => RuleError::Usage(format!(
            "{path}: not a regular file; a rule file is a TOML file"
        )),
        LoadError::TooLarge { path, size, .. } => RuleError::TooLarge {
            path,
            size,
            max: MAX_BYTES,
        },
        LoadError::NotUtf8 { path, line, column } => RuleError::Invalid {
            file: path,
            line,
            column,
            message: "not UTF-8 text; a rule file is UTF-8 TOML".into(),
        },
        LoadError::Binary { path, line, column } => RuleError::Invalid {
            file: path,
            line,
            column,
            message: "not a text file (a NUL byte); a rule file is UTF-8 TOML".into(),
        },
        e => RuleError::Read(e),
    })
}

impl RuleSet {
    /// Parse and validate rule-set text.
    pub fn parse(origin: &str, text: &str) -> Result<RuleSet, RuleError> {
        let set = RuleSet::read(origin, text)?;
        set.validate()?;
        Ok(set)
    }

    /// Parse rule-set text against the schema, without the semantic checks of `validate`.
    fn read(origin: &str, text: &str) -> Result<RuleSet, RuleError> {
        if text.len() as u64 > MAX_BYTES {
            return Err(RuleError::TooLarge {
                path: origin.to_string(),
                size: text.len() as u64,
                max: MAX_BYTES,
            });
        }
        if let Some((at, message)) = too_deep(text) {
            return Err(invalid(origin, text, Span::new(at, at), message));
        }
        let file: RuleFile = toml::from_str(text).map_err(|e| {
            let span = e.span().unwrap_or(0..0);
            invalid(
                origin,
                text,
                Span::new(span.start, span.end),
                e.message().to_string(),
            )
        })?;
        Ok(RuleSet {
            origin: origin.to_string(),
            text: text.to_string(),
            file,
        })
    }

    /// The rule set id.
    pub fn id(&self) -> &str {
        self.file.id.get_ref()
    }

    /// A shipped rule set's id is its file name (`find` looks it up by that name).
    fn id_is_file_name(&self) -> Result<(), RuleError> {
        match file_id(&self.origin) {
            Some(name) if name != self.id() => Err(self.err(
                self.file.id.span(),
                format!(
                    "the id `{}` is not the file name `{name}`; a shipped rule set is named after its id",
                    self.id()
                ),
            )),
            _ => Ok(()),
        }
    }

    fn err(&self, span: std::ops::Range<usize>, message: String) -> RuleError {
        invalid(
            &self.origin,
            &self.text,
            Span::new(span.start, span.end),
            message,
        )
    }

    /// Every grant with the feature that adds it.
    fn all_grants(&self) -> impl Iterator<Item = (Option<&str>, &toml::Spanned<Grant>)> {
        self.file
            .grants
            .iter()
            .map(|g| (None, g))
            .chain(self.file.features.iter().flat_map(|(name, f)| {
                f.get_ref()
                    .grants
                    .iter()
                    .map(move |g| (Some(name.as_str()), g))
            }))
    }

    /// Placeholders name declared parameters; every parameter is used; derivations refer
    /// to declared parameters; actions are `service:action`.
    fn validate(&self) -> Result<(), RuleError> {
        let params = &self.file.params;
        let mut used: std::collections::BTreeSet<&str> = std::collections::BTreeSet::new();
        for (name, p) in params {
            if let Some(d) = &p.get_ref().derive {
                if d.replace.as_ref().is_some_and(|[a, _]| a.is_empty()) {
                    return Err(self.err(
                        p.span(),
                        format!(
                            "parameter `{name}`: `replace` needs a non-empty string to replace"
                        ),
                    ));
                }
                if !params.contains_key(&d.from) {
                    return Err(self.err(
                        p.span(),
                        format!(
                            "parameter `{name}` derives from the undeclared parameter `{}`",
                            d.from
                        ),
                    ));
                }
                used.insert(d.from.as_str());
            }
        }
        self.derivation_cycles()?;
        for (_, g) in self.all_grants() {
            let grant = g.get_ref();
            if grant.actions.is_empty() || grant.resources.is_empty() {
                return Err(self.err(
                    g.span(),
                    "a grant needs at least one action and one resource".into(),
                ));
            }
            for a in &grant.actions {
                if !a.get_ref().contains(':') {
                    return Err(self.err(
                        a.span(),
                        format!("`{}` is not an action: write `service:Action`", a.get_ref()),
                    ));
                }
                if let Some(why) = unknown_action(a.get_ref()) {
                    return Err(self.err(a.span(), why));
                }
            }
            for (op, keys) in &grant.condition {
                if crate::check::conditions::base_operator(op).is_none() {
                    let at = keys.values().next().map_or(g.span(), toml::Spanned::span);
                    let hint = crate::suggest::closest(
                        op,
                        crate::check::conditions::OPERATORS.iter().copied(),
                    )
                    .map(|s| format!("; did you mean `{s}`?"))
                    .unwrap_or_default();
                    return Err(self.err(at, format!("unknown condition operator `{op}`{hint}")));
                }
            }
            let cond_values: Vec<(std::ops::Range<usize>, String)> = grant
                .condition
                .values()
                .flat_map(|k| k.values())
                .flat_map(|v| v.get_ref().to_vec().into_iter().map(move |t| (v.span(), t)))
                .collect();
            let mut texts: Vec<(std::ops::Range<usize>, &str)> = grant
                .resources
                .iter()
                .map(|r| (r.span(), r.get_ref().as_str()))
                .collect();
            texts.extend(
                cond_values
                    .iter()
                    .map(|(span, v)| (span.clone(), v.as_str())),
            );
            for (span, t) in texts {
                for name in placeholders(t) {
                    match params.get_key_value(&name) {
                        Some((k, _)) => {
                            used.insert(k.as_str());
                        }
                        None => {
                            let hint =
                                crate::suggest::closest(&name, params.keys().map(String::as_str))
                                    .map(|s| format!("; did you mean `{{{s}}}`?"))
                                    .unwrap_or_default();
                            return Err(
                                self.err(span, format!("undeclared parameter `{{{name}}}`{hint}"))
                            );
                        }
                    }
                }
            }
        }
        for (name, p) in params {
            if !used.contains(&name.as_str()) {
                return Err(self.err(
                    p.span(),
                    format!("parameter `{name}` is declared but never used"),
                ));
            }
        }
        Ok(())
    }

    /// A derived parameter must not derive, step by step, from itself: the first cycle
    /// found (in name order) is an error at its first parameter. Each parameter is walked
    /// once (a finished one is never walked again), so this is linear in the parameters.
    fn derivation_cycles(&self) -> Result<(), RuleError> {
        let params = &self.file.params;
        // Parameters whose chain is known to end at a given parameter.
        let mut done: std::collections::BTreeSet<&str> = std::collections::BTreeSet::new();
        for start in params.keys() {
            // The chain walked from `start`, and each name's position in it.
            let mut path: Vec<&str> = Vec::new();
            let mut on_path: BTreeMap<&str, usize> = BTreeMap::new();
            let mut at = start.as_str();
            loop {
                if done.contains(at) {
                    break;
                }
                if let Some(&i) = on_path.get(at) {
                    let cycle = path.get(i..).unwrap_or_default();
                    let first = cycle.first().copied().unwrap_or(at);
                    let shown: Vec<String> = cycle
                        .iter()
                        .chain(std::iter::once(&first))
                        .map(|n| format!("`{n}`"))
                        .collect();
                    let span = params.get(first).map_or(0..0, toml::Spanned::span);
                    return Err(self.err(
                        span,
                        format!(
                            "derived parameters form a cycle: {}",
                            shown.join(" derives from ")
                        ),
                    ));
                }
                on_path.insert(at, path.len());
                path.push(at);
                match params.get(at).and_then(|p| p.get_ref().derive.as_ref()) {
                    Some(d) if params.contains_key(&d.from) => at = d.from.as_str(),
                    _ => break,
                }
            }
            done.extend(path);
        }
        Ok(())
    }

    /// Apply parameter values (`name=value`) and features.
    pub fn resolve(
        &self,
        given: &[(String, String)],
        features: &[String],
    ) -> Result<Resolved, RuleError> {
        let declared = &self.file.params;
        let mut values: BTreeMap<String, String> = BTreeMap::new();
        for (k, v) in given {
            let Some(p) = declared.get(k) else {
                let hint = crate::suggest::closest(k, declared.keys().map(String::as_str))
                    .map(|s| format!("; did you mean `{s}`?"))
                    .unwrap_or_default();
                return Err(RuleError::Usage(format!(
                    "rule set `{}` has no parameter `{k}`{hint}",
                    self.id()
                )));
            };
            if p.get_ref().derive.is_some() {
                return Err(RuleError::Usage(format!(
                    "parameter `{k}` of `{}` is derived, not given",
                    self.id()
                )));
            }
            validate_value(p.get_ref().kind, v)
                .map_err(|why| RuleError::Usage(format!("--param {k}={v}: {why}")))?;
            values.insert(k.clone(), v.clone());
        }
        for (name, p) in declared {
            let p = p.get_ref();
            if p.derive.is_none() && !values.contains_key(name) {
                match &p.default {
                    Some(d) => {
                        values.insert(name.clone(), d.clone());
                    }
                    None => {
                        return Err(RuleError::Usage(format!(
                            "rule set `{}` needs --param {name}=VALUE ({}{})",
                            self.id(),
                            p.description,
                            p.example
                                .as_ref()
                                .map(|e| format!(", e.g. `{e}`"))
                                .unwrap_or_default()
                        )));
                    }
                }
            }
        }
        for name in declared.keys() {
            derive_into(name, declared, &mut values).map_err(|(n, why)| {
                self.err(declared.get(&n).map_or(0..0, toml::Spanned::span), why)
            })?;
        }
        for f in features {
            if !self.file.features.contains_key(f) {
                let hint =
                    crate::suggest::closest(f, self.file.features.keys().map(String::as_str))
                        .map(|s| format!("; did you mean `{s}`?"))
                        .unwrap_or_default();
                let known: Vec<&str> = self.file.features.keys().map(String::as_str).collect();
                return Err(RuleError::Usage(format!(
                    "rule set `{}` has no feature `{f}`{hint} (features: {})",
                    self.id(),
                    if known.is_empty() {
                        "none".to_string()
                    } else {
                        known.join(", ")
                    }
                )));
            }
        }
        let mut grants = Vec::new();
        let mut n = 0;
        // Bytes rendered so far: many short placeholders with long values could otherwise
        // multiply a small file into gigabytes.
        let rendered = std::cell::Cell::new(0usize);
        for (feature, g) in self.all_grants() {
            if let Some(f) = feature {
                if !features.iter().any(|x| x == f) {
                    continue;
                }
            }
            n += 1;
            let grant = g.get_ref();
            let sub = |s: &str, at: std::ops::Range<usize>| {
                let out = substitute(s, &values).map_err(|why| self.err(at.clone(), why))?;
                rendered.set(rendered.get().saturating_add(out.len()));
                if rendered.get() > MAX_RENDERED_TOTAL {
                    return Err(self.err(
                        at,
                        format!("the rule set would render to over {MAX_RENDERED_TOTAL} bytes"),
                    ));
                }
                Ok(out)
            };
            let resources = grant
                .resources
                .iter()
                .map(|r| sub(r.get_ref(), r.span()))
                .collect::<Result<Vec<_>, _>>()?;
            let mut condition = Vec::new();
            for (op, keys) in &grant.condition {
                for (k, v) in keys {
                    let vals = v
                        .get_ref()
                        .to_vec()
                        .iter()
                        .map(|x| sub(x, v.span()))
                        .collect::<Result<Vec<_>, _>>()?;
                    condition.push((op.clone(), k.clone(), vals));
                }
            }
            grants.push(RequiredGrant {
                sid: grant.sid.clone().unwrap_or_else(|| format!("Grant{n}")),
                actions: grant.actions.iter().map(|a| a.get_ref().clone()).collect(),
                action_spans: grant
                    .actions
                    .iter()
                    .map(|a| Span::new(a.span().start, a.span().end))
                    .collect(),
                resources,
                condition,
                span: Span::new(g.span().start, g.span().end),
                feature: feature.map(str::to_string),
                why: grant.why.clone(),
            });
        }
        Ok(Resolved {
            id: self.id().to_string(),
            grants,
            params: values,
        })
    }

    /// Parameters filled with their `example` values (for tests and `rules show`).
    pub fn example_params(&self) -> Vec<(String, String)> {
        self.file
            .params
            .iter()
            .filter(|(_, p)| p.get_ref().derive.is_none())
            .filter_map(|(k, p)| p.get_ref().example.clone().map(|e| (k.clone(), e)))
            .collect()
    }
}

/// The first place where `text` nests arrays, inline tables or dotted-key segments deeper
/// than [`MAX_NESTING`], with a message; `None` when it does not. Strings and comments are
/// skipped, so brackets and dots inside them do not count. One pass, no recursion.
pub(crate) fn too_deep(text: &str) -> Option<(usize, String)> {
    let b = text.as_bytes();
    let mut depth = 0usize;
    // Dots outside strings since the last `=`, `,`, bracket, brace or line break: the
    // segments of a dotted key (a value such as `1.5` has one, far below the limit).
    let mut dots = 0usize;
    let mut i = 0usize;
    while let Some(&c) = b.get(i) {
        match c {
            b'#' => {
                // A comment runs to the end of the line.
                i = b
                    .get(i..)
                    .unwrap_or_default()
                    .iter()
                    .position(|&x| x == b'\n')
                    .map_or(b.len(), |n| i + n);
                continue;
            }
            b'"' | b'\'' => {
                let triple = b.get(i..i + 3).is_some_and(|t| t.iter().all(|&x| x == c));
                i = if triple {
                    skip_multiline(b, i + 3, c)
                } else {
                    skip_string(b, i + 1, c)
                };
                continue;
            }
            b'[' | b'{' => {
                depth += 1;
                dots = 0;
                if depth > MAX_NESTING {
                    return Some((
                        i,
                        format!("nested deeper than {MAX_NESTING} levels; a rule file needs three"),
                    ));
                }
            }
            b']' | b'}' => {
                depth = depth.saturating_sub(1);
                dots = 0;
            }
            b'=' | b',' | b'\n' => dots = 0,
            b'.' => {
                dots += 1;
                if dots >= MAX_NESTING {
                    return Some((
                        i,
                        format!(
                            "a dotted key of more than {MAX_NESTING} parts; a rule file needs three"
                        ),
                    ));
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// Past a one-line string opened before `i` with `quote` (basic strings have escapes).
fn skip_string(b: &[u8], mut i: usize, quote: u8) -> usize {
    while let Some(&c) = b.get(i) {
        if c == b'\\' && quote == b'"' {
            i += 2;
            continue;
        }
        if c == quote || c == b'\n' {
            return i + 1;
        }
        i += 1;
    }
    i
}

/// Past a multi-line string whose opening triple quote ends before `i`.
fn skip_multiline(b: &[u8], mut i: usize, quote: u8) -> usize {
    while let Some(&c) = b.get(i) {
        if c == b'\\' && quote == b'"' {
            i += 2;
            continue;
        }
        if b.get(i..i + 3)
            .is_some_and(|t| t.iter().all(|&x| x == quote))
        {
            return i + 3;
        }
        i += 1;
    }
    i
}

fn invalid(origin: &str, text: &str, span: Span, message: String) -> RuleError {
    let (line, column) = LineIndex::new(text).line_col(text, span.start);
    RuleError::Invalid {
        file: origin.to_string(),
        line,
        column,
        message,
    }
}

/// Longest value a derived parameter or a rendered string may have: IAM's largest policy
/// (an inline role policy) is 10,240 characters, so nothing longer can be granted.
const MAX_RENDERED: usize = 10_240;

/// Most bytes the resources and condition values of one resolved rule set may take.
const MAX_RENDERED_TOTAL: usize = 2 * MAX_BYTES as usize;

/// Fill in the value of `name` and of every derived parameter on its chain: follow `from`
/// to a parameter with a value (given, defaulted, or derived before), then apply each step's
/// replacement from there back to `name`. Every parameter gets its value once, so deriving
/// them all is linear; `validate` has ruled out cycles, and the walk is bounded anyway.
fn derive_into(
    name: &str,
    declared: &BTreeMap<String, toml::Spanned<schema::Param>>,
    values: &mut BTreeMap<String, String>,
) -> Result<(), (String, String)> {
    let mut chain: Vec<(&str, &schema::Derive)> = Vec::new();
    let mut at = name;
    for _ in 0..=declared.len() {
        if values.contains_key(at) {
            break;
        }
        let Some(d) = declared.get(at).and_then(|p| p.get_ref().derive.as_ref()) else {
            break;
        };
        chain.push((at, d));
        at = d.from.as_str();
    }
    let mut v = values.get(at).cloned().unwrap_or_default();
    for (n, d) in chain.iter().rev() {
        if let Some([a, b]) = &d.replace {
            let grown = v
                .matches(a.as_str())
                .count()
                .saturating_mul(b.len().saturating_sub(a.len()));
            if v.len().saturating_add(grown) > MAX_RENDERED {
                return Err((
                    (*n).to_string(),
                    format!(
                        "parameter `{n}` would be over {MAX_RENDERED} characters, longer than any IAM policy"
                    ),
                ));
            }
            v = v.replace(a.as_str(), b);
        }
        values.insert((*n).to_string(), v.clone());
    }
    Ok(())
}

/// Why a rule's action names no catalog action, or `None` when it names some. A rule that
/// requires nothing the catalog knows would be "satisfied" by any policy.
fn unknown_action(text: &str) -> Option<String> {
    let c = crate::catalog::get();
    let item = crate::span::Spanned::new(text.to_string(), Span::default());
    let r = crate::check::resolve_action(c, &item);
    if !r.matches.is_empty() {
        return None;
    }
    if r.prefix.contains(['*', '?']) {
        return Some(format!("`{text}` matches no action"));
    }
    let Some(svc) = r.service else {
        let hint = c
            .suggest_service(r.prefix)
            .map(|s| format!("; did you mean `{s}`?"))
            .unwrap_or_default();
        return Some(format!(
            "`{text}` names the unknown service `{}`{hint}",
            r.prefix
        ));
    };
    if r.is_wild() {
        return Some(format!("`{text}` matches no action of `{}`", svc.prefix));
    }
    let name = text.split_once(':').map_or(text, |(_, n)| n);
    let hint = c
        .suggest_action(svc, name, &crate::suggest::Context::default())
        .map(|s| format!("; did you mean `{s}`?"))
        .unwrap_or_default();
    let retired = if c.is_retired(text) {
        " (a retired name AWS no longer lists)"
    } else {
        ""
    };
    Some(format!("unknown action `{text}`{retired}{hint}"))
}

/// `{name}` placeholders in `s`.
fn placeholders(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(i) = rest.find('{') {
        // `${aws:username}` is a policy variable, not a placeholder.
        let is_var = i > 0 && rest.as_bytes().get(i - 1) == Some(&b'$');
        let Some(j) = rest.get(i..).and_then(|r| r.find('}')) else {
            break;
        };
        if !is_var {
            out.push(rest.get(i + 1..i + j).unwrap_or("").to_string());
        }
        rest = rest.get(i + j + 1..).unwrap_or("");
    }
    out
}

/// `s` with each `{name}` placeholder replaced by its value, in one pass (a value is never
/// substituted again; `${...}` policy variables are left alone). An error when the result
/// would be longer than [`MAX_RENDERED`] and longer than `s` itself.
fn substitute(s: &str, values: &BTreeMap<String, String>) -> Result<String, String> {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('{') {
        let is_var = i > 0 && rest.as_bytes().get(i - 1) == Some(&b'$');
        let Some(j) = rest.get(i..).and_then(|r| r.find('}')) else {
            break;
        };
        let name = rest.get(i + 1..i + j).unwrap_or("");
        out.push_str(rest.get(..i).unwrap_or(""));
        match values.get(name) {
            Some(v) if !is_var => out.push_str(v),
            _ => out.push_str(rest.get(i..=i + j).unwrap_or("")),
        }
        if out.len() > MAX_RENDERED.max(s.len()) {
            return Err(format!(
                "a grant would render to over {MAX_RENDERED} characters, longer than any IAM policy"
            ));
        }
        rest = rest.get(i + j + 1..).unwrap_or("");
    }
    out.push_str(rest);
    Ok(out)
}

/// Check a parameter value against its kind.
pub fn validate_value(kind: ParamKind, v: &str) -> Result<(), String> {
    let ok = |c: bool, why: &str| if c { Ok(()) } else { Err(why.to_string()) };
    match kind {
        ParamKind::String => ok(
            !v.is_empty() && !v.contains(['*', '?', '"', '{', '}']),
            "must be non-empty, without `*`, `?`, quotes or braces",
        ),
        ParamKind::AccountId => ok(
            v.len() == 12 && v.bytes().all(|b| b.is_ascii_digit()),
            "an AWS account id is 12 digits, without hyphens",
        ),
        ParamKind::S3BucketName => {
            let b = v.as_bytes();
            ok(
                (3..=63).contains(&b.len())
                    && b.iter().all(|c| {
                        c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'.' || *c == b'-'
                    })
                    && b.first().is_some_and(u8::is_ascii_alphanumeric)
                    && b.last().is_some_and(u8::is_ascii_alphanumeric)
                    && !v.contains(".."),
                "an S3 bucket name is 3-63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit",
            )
        }
        ParamKind::Region => {
            let parts: Vec<&str> = v.split('-').collect();
            ok(
                parts.len() >= 3
                    && parts.iter().all(|p| {
                        !p.is_empty()
                            && p.bytes()
                                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
                    })
                    && parts
                        .last()
                        .is_some_and(|p| p.bytes().all(|c| c.is_ascii_digit())),
                "a region looks like `eu-west-1`",
            )
        }
        ParamKind::IamName => ok(
            (1..=64).contains(&v.len())
                && v.bytes()
                    .all(|c| c.is_ascii_alphanumeric() || b"+=,.@_-".contains(&c)),
            "an IAM name is 1-64 of letters, digits and `+=,.@_-`",
        ),
    }
}

/// The policy document a resolved rule set describes: one statement per grant.
pub fn render(resolved: &Resolved) -> serde_json::Value {
    let one_or_many = |v: &[String]| match v {
        [one] => serde_json::Value::String(one.clone()),
        many => serde_json::Value::Array(
            many.iter()
                .cloned()
                .map(serde_json::Value::String)
                .collect(),
        ),
    };
    let statements: Vec<serde_json::Value> = resolved
        .grants
        .iter()
        .map(|g| {
            let mut st = serde_json::Map::new();
            st.insert("Sid".into(), g.sid.clone().into());
            st.insert("Effect".into(), "Allow".into());
            st.insert("Action".into(), one_or_many(&g.actions));
            st.insert("Resource".into(), one_or_many(&g.resources));
            if !g.condition.is_empty() {
                let mut cond = serde_json::Map::new();
                for (op, k, v) in &g.condition {
                    let entry = cond
                        .entry(op.clone())
                        .or_insert_with(|| serde_json::Value::Object(serde_json::Map::new()));
                    if let serde_json::Value::Object(m) = entry {
                        m.insert(k.clone(), one_or_many(v));
                    }
                }
                st.insert("Condition".into(), cond.into());
            }
            serde_json::Value::Object(st)
        })
        .collect();
    serde_json::json!({ "Version": "2012-10-17", "Statement": statements })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_skip_policy_variables() {
        assert_eq!(
            placeholders("arn:aws:s3:::{bucket}/${aws:username}/{x}"),
            ["bucket", "x"]
        );
    }

    #[test]
    fn param_kinds() {
        assert!(validate_value(ParamKind::S3BucketName, "my-awesome-project").is_ok());
        assert!(validate_value(ParamKind::S3BucketName, "My_Bucket").is_err());
        assert!(validate_value(ParamKind::S3BucketName, "ab").is_err());
        assert!(validate_value(ParamKind::AccountId, "123456789012").is_ok());
        assert!(validate_value(ParamKind::AccountId, "1234-5678-9012").is_err());
        assert!(validate_value(ParamKind::Region, "eu-west-1").is_ok());
        assert!(validate_value(ParamKind::Region, "europe").is_err());
        assert!(validate_value(ParamKind::String, "a*").is_err());
    }

    /// Every shipped rule set is named after its id, ids are unique, and `find` gives each.
    #[test]
    fn shipped_ids_are_file_names() {
        let sets = all().unwrap();
        assert_eq!(sets.len(), embedded().len());
        for set in &sets {
            assert_eq!(file_id(&set.origin), Some(set.id()), "{}", set.origin);
            assert_eq!(find(set.id()).unwrap().origin, set.origin);
        }
    }

    const GOOD: &str = "id = \"good\"\ntitle = \"t\"\nsystem = \"s\"\n[source]\ntitle = \"d\"\n[[grant]]\nactions = [\"s3:GetObject\"]\nresources = [\"*\"]\n";

    /// Only the file named after the id is read: another that does not even parse (or names
    /// an action the catalog no longer has) does not stop it.
    #[test]
    fn a_shipped_set_is_found_without_reading_the_others() {
        let sets = [
            ("rules/a/broken.toml", "this is = = not TOML"),
            ("rules/a/good.toml", GOOD),
            (
                "rules/b/stale.toml",
                "id = \"stale\"\n[[grant]]\nactions = [\"s3:Gone\"]\n",
            ),
        ];
        let set = find_shipped(&sets, "good").unwrap().unwrap();
        assert_eq!(set.origin, "rules/a/good.toml");
        assert!(find_shipped(&sets, "nothing").unwrap().is_none());
        let e = find_shipped(&sets, "broken").unwrap_err().to_string();
        assert!(e.starts_with("rules/a/broken.toml:1:"), "{e}");
    }

    #[test]
    fn a_shipped_id_given_twice_or_not_its_file_name_is_an_error() {
        let sets = [("rules/a/good.toml", GOOD), ("rules/b/good.toml", GOOD)];
        let e = find_shipped(&sets, "good").unwrap_err().to_string();
        assert_eq!(
            e,
            "the shipped rule sets `rules/a/good.toml`, `rules/b/good.toml` all have the id `good`"
        );
        let sets = [("rules/a/other.toml", GOOD)];
        assert!(find_shipped(&sets, "good").unwrap().is_none());
        let e = find_shipped(&sets, "other").unwrap_err().to_string();
        assert_eq!(
            e,
            "rules/a/other.toml:1:6: the id `good` is not the file name `other`; a shipped rule set is named after its id"
        );
    }

    #[test]
    fn errors_point_into_the_file() {
        let text = "id = \"x\"\ntitle = \"t\"\nsystem = \"s\"\n[source]\ntitle = \"d\"\n\n[[grant]]\nactoins = [\"s3:GetObject\"]\n";
        let e = RuleSet::parse("x.toml", text).unwrap_err().to_string();
        assert!(e.starts_with("x.toml:8:1: unknown field `actoins`"), "{e}");
        let text = "id = \"x\"\ntitle = \"t\"\nsystem = \"s\"\n[source]\ntitle = \"d\"\n[[grant]]\nactions = [\"s3:GetObject\"]\nresources = [\"arn:aws:s3:::{buckt}/*\"]\n[params.bucket]\ndescription = \"b\"\n";
        let e = RuleSet::parse("x.toml", text).unwrap_err().to_string();
        assert!(
            e.starts_with("x.toml:8:14: undeclared parameter `{buckt}`; did you mean `{bucket}`?"),
            "{e}"
        );
    }
}
