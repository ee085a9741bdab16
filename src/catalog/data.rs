//! The catalog's serialised form, shared by `build.rs` (which writes it from
//! `data/catalog.json`) and the library (which reads it). Generic over the string type:
//! `String` when built, `&str` when read.
//!
//! Every string is written once into one string table ([`strings`]) and each field holds its
//! place there, `(start, length)`: reading borrows each name from the table, which is checked
//! as UTF-8 once as a whole (for the embedded catalog, by the compiler: `include_str!`), not
//! name by name (that was 9 of the 22 M instructions of decoding the catalog).
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
#[serde(bound(serialize = "S: AsRef<str>", deserialize = "S: From<&'static str>"))]
pub struct Data<S> {
    #[serde(with = "strings::one")]
    pub source: S,
    #[serde(with = "strings::one")]
    pub version: S,
    #[serde(with = "strings::one")]
    pub date: S,
    pub services: Vec<Service<S>>,
    pub global_conditions: Vec<CondKey<S>>,
    #[serde(with = "strings::one")]
    pub global_conditions_source: S,
    /// Lowercased `service:action` names (and bare service prefixes) that AWS managed
    /// policies use but the catalog does not list: retired names, not typos. Sorted.
    #[serde(with = "strings::list")]
    pub retired: Vec<S>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(bound(serialize = "S: AsRef<str>", deserialize = "S: From<&'static str>"))]
pub struct Service<S> {
    #[serde(with = "strings::one")]
    pub prefix: S,
    #[serde(with = "strings::one")]
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
#[serde(bound(serialize = "S: AsRef<str>", deserialize = "S: From<&'static str>"))]
pub struct Action<S> {
    #[serde(with = "strings::one")]
    pub name: S,
    /// `name`, ASCII-lowercased: lookups compare bytes instead of folding case each time.
    #[serde(with = "strings::one")]
    pub lname: S,
    pub access: u8,
    pub resources: Vec<ActionResource>,
    #[serde(with = "strings::list")]
    pub conditions: Vec<S>,
    /// `Some("svc:Replacement")`, `Some("")` when retired with no single replacement.
    #[serde(with = "strings::optional")]
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
#[serde(bound(serialize = "S: AsRef<str>", deserialize = "S: From<&'static str>"))]
pub struct ResourceType<S> {
    #[serde(with = "strings::one")]
    pub name: S,
    #[serde(with = "strings::list")]
    pub arns: Vec<S>,
    #[serde(with = "strings::list")]
    pub conditions: Vec<S>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(bound(serialize = "S: AsRef<str>", deserialize = "S: From<&'static str>"))]
pub struct CondKey<S> {
    #[serde(with = "strings::one")]
    pub key: S,
    #[serde(with = "strings::one")]
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

/// Serialise and compress: the string table and the postcard of `data` (see [`strings`]),
/// as one postcard pair, then LZ4 with the size prepended.
pub fn to_blob(data: &Data<String>) -> Result<Vec<u8>, postcard::Error> {
    let (raw, table) = strings::writing(|| postcard::to_allocvec(data));
    let pair = postcard::to_allocvec(&(table, raw?))?;
    Ok(lz4_flex::compress_prepend_size(&pair))
}

/// The string table: serialising through [`writing`] puts each distinct string in one table
/// once and writes its place `(start, length)`; deserialising through [`reading`] turns
/// each place back into a string borrowed from the table. Fields opt in with
/// `#[serde(with = "strings::one")]` (or `list`, `optional`).
pub mod strings {
    use serde::de::{Error as _, SeqAccess, Visitor};
    use serde::{Deserialize, Deserializer, Serialize, Serializer};
    use std::cell::{Cell, RefCell};
    use std::collections::HashMap;

    /// The table being written, and each string's place in it.
    type Table = (String, HashMap<String, (u32, u32)>);

    thread_local! {
        static WRITING: RefCell<Option<Table>> = const { RefCell::new(None) };
        static READING: Cell<&'static str> = const { Cell::new("") };
    }

    /// Run `f` (which serialises catalog values) with a fresh table; the table comes back
    /// beside `f`'s result. Serialising a string outside `writing` is an error.
    pub fn writing<R>(f: impl FnOnce() -> R) -> (R, String) {
        let before = WRITING.with(|w| w.replace(Some((String::new(), HashMap::new()))));
        let r = f();
        let table = WRITING
            .with(|w| w.replace(before))
            .map(|t| t.0)
            .unwrap_or_default();
        (r, table)
    }

    /// Run `f` (which deserialises catalog values written with `table`) with the places read
    /// as strings of `table`.
    pub fn reading<R>(table: &'static str, f: impl FnOnce() -> R) -> R {
        let before = READING.with(|r| r.replace(table));
        let out = f();
        READING.with(|r| r.set(before));
        out
    }

    /// The place of `s` in the table being written, added at its end when new.
    fn place(s: &str) -> Option<(u32, u32)> {
        WRITING.with(|w| {
            let mut w = w.borrow_mut();
            let (table, seen) = w.as_mut()?;
            if let Some(&p) = seen.get(s) {
                return Some(p);
            }
            let p = (
                u32::try_from(table.len()).ok()?,
                u32::try_from(s.len()).ok()?,
            );
            table.push_str(s);
            seen.insert(s.to_string(), p);
            Some(p)
        })
    }

    /// A string written as its place.
    struct Place<'a>(&'a str);

    impl Serialize for Place<'_> {
        fn serialize<Z: Serializer>(&self, z: Z) -> Result<Z::Ok, Z::Error> {
            match place(self.0) {
                Some(p) => p.serialize(z),
                None => Err(serde::ser::Error::custom(
                    "a catalog string written outside strings::writing",
                )),
            }
        }
    }

    /// A string read from its place.
    struct Read<S>(S);

    impl<'de, S: From<&'static str>> Deserialize<'de> for Read<S> {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            let (start, len) = <(u32, u32)>::deserialize(d)?;
            let (start, len) = (start as usize, len as usize);
            READING
                .with(|t| t.get().get(start..start.saturating_add(len)))
                .map(|s| Read(S::from(s)))
                .ok_or_else(|| D::Error::custom("a string place outside the string table"))
        }
    }

    /// One string.
    pub mod one {
        use super::*;

        pub fn serialize<S: AsRef<str>, Z: Serializer>(s: &S, z: Z) -> Result<Z::Ok, Z::Error> {
            Place(s.as_ref()).serialize(z)
        }

        pub fn deserialize<'de, S: From<&'static str>, D: Deserializer<'de>>(
            d: D,
        ) -> Result<S, D::Error> {
            Read::deserialize(d).map(|r| r.0)
        }
    }

    /// A list of strings.
    pub mod list {
        use super::*;

        pub fn serialize<S: AsRef<str>, Z: Serializer>(v: &[S], z: Z) -> Result<Z::Ok, Z::Error> {
            z.collect_seq(v.iter().map(|s| Place(s.as_ref())))
        }

        pub fn deserialize<'de, S: From<&'static str>, D: Deserializer<'de>>(
            d: D,
        ) -> Result<Vec<S>, D::Error> {
            struct Items<S>(std::marker::PhantomData<S>);
            impl<'de, S: From<&'static str>> Visitor<'de> for Items<S> {
                type Value = Vec<S>;
                fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    f.write_str("a list of string places")
                }
                fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<S>, A::Error> {
                    let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
                    while let Some(Read(s)) = seq.next_element::<Read<S>>()? {
                        out.push(s);
                    }
                    Ok(out)
                }
            }
            d.deserialize_seq(Items(std::marker::PhantomData))
        }
    }

    /// A string or none.
    pub mod optional {
        use super::*;

        pub fn serialize<S: AsRef<str>, Z: Serializer>(
            v: &Option<S>,
            z: Z,
        ) -> Result<Z::Ok, Z::Error> {
            v.as_ref().map(|s| Place(s.as_ref())).serialize(z)
        }

        pub fn deserialize<'de, S: From<&'static str>, D: Deserializer<'de>>(
            d: D,
        ) -> Result<Option<S>, D::Error> {
            Option::<Read<S>>::deserialize(d).map(|o| o.map(|r| r.0))
        }
    }
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
