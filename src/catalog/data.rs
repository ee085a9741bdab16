//! The catalog's serialised form, shared by `build.rs` (which writes it from
//! `data/catalog.json`) and the library (which reads it, borrowing every string from the
//! decompressed blob). Generic over the string type: `String` when built, `&str` when read.
//!
//! INVARIANT: services are sorted by prefix, each service's actions by ASCII-lowercased name,
//! so lookups are binary searches and no index is built at start-up.

#![allow(missing_docs, dead_code)] // shared with build.rs, which has no docs lint context

use serde::{Deserialize, Serialize};

/// Bit flags for access levels (an action can have two, e.g. Tagging + Write).
pub const READ: u8 = 1;
pub const LIST: u8 = 2;
pub const WRITE: u8 = 4;
pub const PERMISSIONS: u8 = 8;
pub const TAGGING: u8 = 16;

#[derive(Debug, Serialize, Deserialize)]
#[serde(bound(deserialize = "S: Deserialize<'de>"))]
pub struct Data<S> {
    pub source: S,
    pub version: S,
    pub date: S,
    pub services: Vec<Service<S>>,
    pub global_conditions: Vec<CondKey<S>>,
    pub global_conditions_source: S,
    /// Lowercased `service:action` names (and bare service prefixes) that AWS managed
    /// policies use but the catalog does not list: retired names, not typos. Sorted.
    pub retired: Vec<S>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(bound(deserialize = "S: Deserialize<'de>"))]
pub struct Service<S> {
    pub prefix: S,
    pub name: S,
    pub actions: Vec<Action<S>>,
    /// Per action, the first 16 bytes of its `lname` as one big-endian number (zeros
    /// after a shorter name), in the same order: a search compares numbers held together
    /// rather than names spread over the catalog. Not stored: made by [`Service::index`]
    /// once the service is read.
    #[serde(skip)]
    pub keys: Vec<u128>,
    pub resources: Vec<ResourceType<S>>,
    pub conditions: Vec<CondKey<S>>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(bound(deserialize = "S: Deserialize<'de>"))]
pub struct Action<S> {
    pub name: S,
    /// `name`, ASCII-lowercased: lookups compare bytes instead of folding case each time.
    pub lname: S,
    pub access: u8,
    pub resources: Vec<ActionResource>,
    pub conditions: Vec<S>,
    /// `Some("svc:Replacement")`, `Some("")` when retired with no single replacement.
    pub deprecated: Option<S>,
    /// How many AWS managed policies name the action literally: the prior that ranks
    /// "did you mean" candidates that are equally close in spelling.
    pub popularity: u16,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct ActionResource {
    /// Index into the service's `resources`.
    pub index: u16,
    pub required: bool,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(bound(deserialize = "S: Deserialize<'de>"))]
pub struct ResourceType<S> {
    pub name: S,
    pub arns: Vec<S>,
    pub conditions: Vec<S>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(bound(deserialize = "S: Deserialize<'de>"))]
pub struct CondKey<S> {
    pub key: S,
    pub ty: S,
}

/// Ordering used for every sorted name: ASCII case-insensitive.
pub fn cmp_ci(a: &str, b: &str) -> std::cmp::Ordering {
    a.bytes()
        .map(|c| c.to_ascii_lowercase())
        .cmp(b.bytes().map(|c| c.to_ascii_lowercase()))
}

/// Access level names as the catalog JSON writes them.
pub fn access_bit(name: &str) -> u8 {
    match name {
        "Read" => READ,
        "List" => LIST,
        "Write" => WRITE,
        "Permissions management" => PERMISSIONS,
        "Tagging" => TAGGING,
        _ => 0,
    }
}

/// Sort everything into the order the INVARIANT above promises.
pub fn normalise(data: &mut Data<String>) {
    data.services.sort_by(|a, b| cmp_ci(&a.prefix, &b.prefix));
    for s in &mut data.services {
        s.actions.sort_by(|a, b| cmp_ci(&a.name, &b.name));
        s.conditions.sort_by(|a, b| cmp_ci(&a.key, &b.key));
    }
    data.global_conditions
        .sort_by(|a, b| cmp_ci(&a.key, &b.key));
}

/// Serialise and compress: postcard, then LZ4 with the size prepended.
pub fn to_blob(data: &Data<String>) -> Result<Vec<u8>, postcard::Error> {
    let raw = postcard::to_allocvec(data)?;
    Ok(lz4_flex::compress_prepend_size(&raw))
}

/// The first 16 bytes of `b` as one big-endian number, zeros after a shorter text: for
/// texts without NUL bytes, the numbers are ordered as the texts' first 16 bytes are.
pub fn key16(b: &[u8]) -> u128 {
    let mut k = [0u8; 16];
    let n = b.len().min(16);
    if let (Some(dst), Some(src)) = (k.get_mut(..n), b.get(..n)) {
        dst.copy_from_slice(src);
    }
    u128::from_be_bytes(k)
}

impl<S: AsRef<str>> Service<S> {
    /// Make [`Service::keys`].
    pub fn index(&mut self) {
        self.keys = self
            .actions
            .iter()
            .map(|a| key16(a.lname.as_ref().as_bytes()))
            .collect();
    }
}
