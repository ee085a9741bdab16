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
    /// The file could not be read.
    #[error("{path}: cannot read: {source}")]
    Io {
        /// The path.
        path: String,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
}

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

/// Load every shipped rule set.
pub fn all() -> Result<Vec<RuleSet>, RuleError> {
    embedded()
        .iter()
        .map(|(p, t)| RuleSet::parse(p, t))
        .collect()
}

/// A shipped rule set by id, or a file when `id_or_path` names one.
pub fn find(id_or_path: &str) -> Result<RuleSet, RuleError> {
    let p = std::path::Path::new(id_or_path);
    // A folder, FIFO or device is refused before reading (reading a FIFO blocks).
    let regular = || crate::source::regular_file(p).map_err(|e| RuleError::Usage(e.to_string()));
    if id_or_path.ends_with(".toml") || p.is_file() {
        regular()?;
        let text = std::fs::read_to_string(p).map_err(|source| RuleError::Io {
            path: id_or_path.to_string(),
            source,
        })?;
        return RuleSet::parse(id_or_path, &text);
    }
    let sets = all()?;
    let ids: Vec<String> = sets.iter().map(|s| s.file.id.get_ref().clone()).collect();
    if let Some(set) = sets.into_iter().find(|s| s.file.id.get_ref() == id_or_path) {
        return Ok(set);
    }
    regular()?;
    let hint = crate::suggest::closest(id_or_path, ids.iter().map(String::as_str))
        .map(|s| format!("; did you mean `{s}`?"))
        .unwrap_or_default();
    Err(RuleError::UnknownRuleSet {
        id: id_or_path.to_string(),
        hint,
    })
}

impl RuleSet {
    /// Parse and validate rule-set text.
    pub fn parse(origin: &str, text: &str) -> Result<RuleSet, RuleError> {
        let file: RuleFile = toml::from_str(text).map_err(|e| {
            let span = e.span().unwrap_or(0..0);
            invalid(
                origin,
                text,
                Span::new(span.start, span.end),
                e.message().to_string(),
            )
        })?;
        let set = RuleSet {
            origin: origin.to_string(),
            text: text.to_string(),
            file,
        };
        set.validate()?;
        Ok(set)
    }

    /// The rule set id.
    pub fn id(&self) -> &str {
        self.file.id.get_ref()
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
        let mut used: Vec<&str> = Vec::new();
        for (name, p) in params {
            if let Some(d) = &p.get_ref().derive {
                if !params.contains_key(&d.from) {
                    return Err(self.err(
                        p.span(),
                        format!(
                            "parameter `{name}` derives from the undeclared parameter `{}`",
                            d.from
                        ),
                    ));
                }
                used.push(d.from.as_str());
            }
        }
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
            }
            let cond_values: Vec<String> = grant
                .condition
                .values()
                .flat_map(|k| k.values())
                .flat_map(schema::OneOrMany::to_vec)
                .collect();
            let mut texts: Vec<(std::ops::Range<usize>, &str)> = grant
                .resources
                .iter()
                .map(|r| (r.span(), r.get_ref().as_str()))
                .collect();
            texts.extend(cond_values.iter().map(|v| (g.span(), v.as_str())));
            for (span, t) in texts {
                for name in placeholders(t) {
                    match params.get_key_value(&name) {
                        Some((k, _)) => used.push(k.as_str()),
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
        for (name, p) in declared {
            if let Some(d) = &p.get_ref().derive {
                let base = values.get(&d.from).cloned().unwrap_or_default();
                let v = match &d.replace {
                    Some([a, b]) => base.replace(a.as_str(), b),
                    None => base,
                };
                values.insert(name.clone(), v);
            }
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
        for (feature, g) in self.all_grants() {
            if let Some(f) = feature {
                if !features.iter().any(|x| x == f) {
                    continue;
                }
            }
            n += 1;
            let grant = g.get_ref();
            let sub = |s: &str| substitute(s, &values);
            grants.push(RequiredGrant {
                sid: grant.sid.clone().unwrap_or_else(|| format!("Grant{n}")),
                actions: grant.actions.iter().map(|a| a.get_ref().clone()).collect(),
                action_spans: grant
                    .actions
                    .iter()
                    .map(|a| Span::new(a.span().start, a.span().end))
                    .collect(),
                resources: grant.resources.iter().map(|r| sub(r.get_ref())).collect(),
                condition: grant
                    .condition
                    .iter()
                    .flat_map(|(op, keys)| {
                        keys.iter()
                            .map(move |(k, v)| (op.clone(), k.clone(), v.to_vec()))
                    })
                    .map(|(op, k, v)| (op, k, v.iter().map(|x| sub(x)).collect()))
                    .collect(),
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

fn invalid(origin: &str, text: &str, span: Span, message: String) -> RuleError {
    let (line, column) = LineIndex::new(text).line_col(text, span.start);
    RuleError::Invalid {
        file: origin.to_string(),
        line,
        column,
        message,
    }
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

fn substitute(s: &str, values: &BTreeMap<String, String>) -> String {
    let mut out = s.to_string();
    for (k, v) in values {
        out = out.replace(&format!("{{{k}}}"), v);
    }
    out
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
