//! The rule-set file format (TOML), as serde types. Unknown keys are rejected, and every
//! value a finding may point at keeps its span, so a typo in a rule file gets
//! `file:line:col` like a policy. `docs/rules.md` documents the format for authors.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

/// One rule set: what a system needs.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleFile {
    /// Stable id, e.g. `dstack-aws`.
    pub id: Spanned<String>,
    /// One line.
    pub title: String,
    /// The system, e.g. `dstack`.
    pub system: String,
    /// The document the rule set states.
    pub source: SourceDoc,
    /// Parameters, by name, in file order of appearance irrelevant (sorted by name).
    #[serde(default)]
    pub params: BTreeMap<String, Spanned<Param>>,
    /// Required grants.
    #[serde(default, rename = "grant")]
    pub grants: Vec<Spanned<Grant>>,
    /// Optional named features that add grants.
    #[serde(default)]
    pub features: BTreeMap<String, Spanned<Feature>>,
    /// Notes for the reader (e.g. the defects of the source document).
    #[serde(default)]
    pub notes: Vec<String>,
}

/// Where the requirement comes from.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceDoc {
    /// The document's title.
    pub title: String,
    /// Where it is published.
    pub url: Option<String>,
    /// The system's version the document describes.
    pub version: Option<String>,
    /// When the document was published or read, `YYYY-MM-DD` or `YYYY-MM`.
    pub date: Option<String>,
    /// The seed file it was taken from, if any.
    pub seed: Option<String>,
}

/// A parameter a user supplies with `--param name=value`, or one derived from another.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Param {
    /// What it is.
    pub description: String,
    /// How values are validated.
    #[serde(default)]
    pub kind: ParamKind,
    /// An example value (used by tests and `rules show`).
    pub example: Option<String>,
    /// A default when the user gives none.
    pub default: Option<String>,
    /// Derived from another parameter instead of given.
    pub derive: Option<Derive>,
}

/// Validation of a parameter value.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ParamKind {
    /// Any non-empty string without `*`, `?` or `"`.
    #[default]
    String,
    /// An S3 bucket name (3-63 of `a-z0-9.-`, starting and ending with a letter or digit).
    S3BucketName,
    /// A 12-digit AWS account id.
    AccountId,
    /// An AWS region such as `eu-west-1`.
    Region,
    /// An IAM user, role or policy name (`[A-Za-z0-9+=,.@_-]`, 1-64).
    IamName,
}

/// How a derived parameter is computed.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Derive {
    /// The parameter it is derived from.
    pub from: String,
    /// Replace every occurrence of the first string with the second.
    pub replace: Option<[String; 2]>,
}

/// A required grant: these actions on these resources, maybe under a condition.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Grant {
    /// The statement id `render` gives it.
    pub sid: Option<String>,
    /// Actions (`service:Action`; wildcards allowed but discouraged).
    pub actions: Vec<Spanned<String>>,
    /// Resource patterns, `{param}` placeholders allowed.
    pub resources: Vec<Spanned<String>>,
    /// A condition the grant must carry: operator -> key -> value or values (with the
    /// span of the value, so an error in it is located).
    #[serde(default)]
    pub condition: BTreeMap<String, BTreeMap<String, Spanned<OneOrMany>>>,
    /// Why the system needs it.
    pub why: Option<String>,
}

/// A string or a list of strings.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany {
    /// One.
    One(String),
    /// Several.
    Many(Vec<String>),
}

impl OneOrMany {
    /// The values as a list.
    pub fn to_vec(&self) -> Vec<String> {
        match self {
            OneOrMany::One(s) => vec![s.clone()],
            OneOrMany::Many(v) => v.clone(),
        }
    }
}

/// An optional part of the system, turned on with `--feature`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Feature {
    /// What it enables.
    pub description: String,
    /// The grants it adds.
    #[serde(default, rename = "grant")]
    pub grants: Vec<Spanned<Grant>>,
}
