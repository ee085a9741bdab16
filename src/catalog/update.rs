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
use std::path::PathBuf;
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

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(60)))
        .build()
        .into()
}

fn get_json<T: for<'de> Deserialize<'de>>(agent: &ureq::Agent, url: &str) -> anyhow::Result<T> {
    let body = agent
        .get(url)
        .call()
        .map_err(|e| anyhow::anyhow!("GET {url}: {e}"))?
        .body_mut()
        .read_to_string()
        .map_err(|e| anyhow::anyhow!("GET {url}: reading the body: {e}"))?;
    serde_json::from_str(&body).map_err(|e| anyhow::anyhow!("{url}: not the expected JSON: {e}"))
}

/// Fetch the service reference at `url` and write the cache. Returns a one-line summary.
pub fn update(url: &str) -> anyhow::Result<String> {
    let agent = agent();
    let index: Vec<IndexEntry> = get_json(&agent, url)?;
    if index.is_empty() {
        anyhow::bail!("{url}: the index lists no services");
    }
    // Fetch with a few requests in flight; the first failure fails the update.
    let fetched: Vec<anyhow::Result<SrService>> = std::thread::scope(|s| {
        let chunks: Vec<&[IndexEntry]> = index.chunks(index.len().div_ceil(8)).collect();
        let handles: Vec<_> = chunks
            .into_iter()
            .map(|chunk| {
                let agent = agent.clone();
                s.spawn(move || {
                    chunk
                        .iter()
                        .map(|e| {
                            get_json::<SrService>(&agent, &e.url).map(|mut svc| {
                                if svc.name.is_empty() {
                                    svc.name.clone_from(&e.service);
                                }
                                svc
                            })
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| {
                h.join()
                    .unwrap_or_else(|_| vec![Err(anyhow::anyhow!("a fetch thread failed"))])
            })
            .collect()
    });
    let services: Vec<SrService> = fetched.into_iter().collect::<anyhow::Result<_>>()?;
    let data = convert(url, services);
    let (n_services, n_actions) = (
        data.services.len(),
        data.services.iter().map(|s| s.actions.len()).sum::<usize>(),
    );
    let blob = data::to_blob(&data)?;
    let path = cache_file()
        .ok_or_else(|| anyhow::anyhow!("no cache directory: set IAMLINT_CACHE_DIR or HOME"))?;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| anyhow::anyhow!("creating {}: {e}", dir.display()))?;
    }
    let tmp = path.with_extension("bin.tmp");
    std::fs::write(&tmp, blob).map_err(|e| anyhow::anyhow!("writing {}: {e}", tmp.display()))?;
    std::fs::rename(&tmp, &path).map_err(|e| anyhow::anyhow!("writing {}: {e}", path.display()))?;
    Ok(format!(
        "cached {n_services} services, {n_actions} actions ({}, {}) in {}",
        data.source,
        data.date,
        path.display()
    ))
}

fn convert(url: &str, services: Vec<SrService>) -> Data<String> {
    let embedded = super::get();
    let popularity: HashMap<String, u16> = embedded
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
    let deprecated: HashMap<String, &str> = embedded
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
        global_conditions: embedded
            .global_conditions()
            .iter()
            .map(|k| CondKey {
                key: k.key.to_string(),
                ty: k.ty.to_string(),
            })
            .collect(),
        global_conditions_source: embedded.global_conditions_source().to_string(),
        retired: Vec::new(),
    };
    for s in services {
        let prefix = s.name.to_ascii_lowercase();
        let index: HashMap<String, u16> = s
            .resources
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
            .map(|a| {
                let p = a.annotations.map(|x| x.properties).unwrap_or_default();
                let access = if p.is_permission_management {
                    data::PERMISSIONS | data::WRITE
                } else if p.is_tagging_only {
                    data::TAGGING | data::WRITE
                } else if p.is_write {
                    data::WRITE
                } else if p.is_list {
                    data::LIST
                } else {
                    data::READ
                };
                let single = a.resources.len() == 1;
                let full = format!("{prefix}:{}", a.name).to_ascii_lowercase();
                data::Action {
                    access,
                    resources: a
                        .resources
                        .iter()
                        .filter_map(|r| index.get(&r.name.to_ascii_lowercase()))
                        .map(|&index| ActionResource {
                            index,
                            required: single,
                        })
                        .collect(),
                    conditions: a.action_condition_keys,
                    deprecated: deprecated.get(&full).map(|d| (*d).to_string()),
                    popularity: popularity.get(&full).copied().unwrap_or(0),
                    lname: a.name.to_ascii_lowercase(),
                    name: a.name,
                }
            })
            .collect();
        out.services.push(Service {
            name: s.name.clone(),
            prefix,
            actions,
            resources: s
                .resources
                .into_iter()
                .map(|r| ResourceType {
                    name: r.name,
                    arns: r.arn_formats,
                    conditions: r.condition_keys,
                })
                .collect(),
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
    // Names AWS's managed policies use that the new data lacks stay "retired".
    out.retired = c_retired();
    data::normalise(&mut out);
    out
}

fn c_retired() -> Vec<String> {
    let c = super::get();
    let mut v: Vec<String> = c.retired_names().iter().map(|s| (*s).to_string()).collect();
    v.sort();
    v
}

/// Today's UTC date, `YYYY-MM-DD` (civil-from-days, H. Hinnant's algorithm).
fn today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let days = i64::try_from(secs / 86_400).unwrap_or(0);
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
    #[test]
    fn today_is_a_date() {
        let t = super::today();
        assert_eq!(t.len(), 10);
        assert!(t.as_str() > "2025-01-01");
    }
}
