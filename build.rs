//! Turns `data/catalog.json` (made by `scripts/build-catalog`) into the compact binary blob
//! the library embeds (uncompressed), so start-up borrows instead of parsing JSON.

#![expect(
    clippy::indexing_slicing,
    reason = "serde_json::Value indexing yields Null for a missing key; it never panics"
)]

use std::collections::HashMap;
use std::path::PathBuf;

#[path = "src/catalog/data.rs"]
mod data;

use data::*;

#[derive(serde::Deserialize)]
struct JCatalog {
    source: String,
    version: String,
    date: String,
    services: Vec<JService>,
    global_conditions: Vec<JCond>,
    global_conditions_source: String,
}
#[derive(serde::Deserialize)]
struct JService {
    prefix: String,
    name: String,
    actions: Vec<JAction>,
    resources: Vec<JResource>,
    conditions: Vec<JCond>,
}
#[derive(serde::Deserialize)]
struct JAction {
    name: String,
    access: Vec<String>,
    resources: Vec<JActionResource>,
    conditions: Vec<String>,
    deprecated: Option<String>,
}
#[derive(serde::Deserialize)]
struct JActionResource {
    name: String,
    required: bool,
}
#[derive(serde::Deserialize)]
struct JResource {
    name: String,
    arns: Vec<String>,
    conditions: Vec<String>,
}
#[derive(serde::Deserialize)]
struct JCond {
    key: String,
    #[serde(rename = "type")]
    ty: String,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("cargo::rerun-if-changed=data/catalog.json");
    println!("cargo::rerun-if-changed=src/catalog/data.rs");
    println!("cargo::rerun-if-changed=data/managed-policies.json");
    let (popularity, used) = popularity()?;
    let text = std::fs::read_to_string("data/catalog.json")
        .map_err(|e| format!("reading data/catalog.json (run scripts/build-catalog): {e}"))?;
    let j: JCatalog = serde_json::from_str(&text)?;
    let mut out = Data {
        source: j.source,
        version: j.version,
        date: j.date,
        services: Vec::new(),
        global_conditions: j.global_conditions.into_iter().map(cond).collect(),
        global_conditions_source: j.global_conditions_source,
        retired: Vec::new(),
    };
    for s in j.services {
        // Action entries name resource types in varying case (`Account` for `account`).
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
            .map(|a| Action {
                access: a.access.iter().map(|x| access_bit(x)).fold(0, |x, y| x | y),
                resources: a
                    .resources
                    .iter()
                    .filter_map(|r| {
                        index
                            .get(&r.name.to_ascii_lowercase())
                            .map(|&index| ActionResource {
                                index,
                                required: r.required,
                            })
                    })
                    .collect(),
                conditions: a.conditions,
                deprecated: a.deprecated,
                lname: a.name.to_ascii_lowercase(),
                popularity: popularity
                    .get(&format!("{}:{}", s.prefix, a.name).to_ascii_lowercase())
                    .copied()
                    .unwrap_or(0),
                name: a.name,
            })
            .collect();
        out.services.push(Service {
            keys: Vec::new(),
            prefix: s.prefix,
            name: s.name,
            actions,
            resources: s
                .resources
                .into_iter()
                .map(|r| ResourceType {
                    name: r.name,
                    // Some entries hold several formats in one string: "arn:a, arn:b".
                    arns: r
                        .arns
                        .iter()
                        .flat_map(|a| {
                            a.split(", arn:").enumerate().map(|(i, f)| {
                                if i == 0 {
                                    f.trim().to_string()
                                } else {
                                    format!("arn:{}", f.trim())
                                }
                            })
                        })
                        .collect(),
                    conditions: r.conditions,
                })
                .collect(),
            conditions: s.conditions.into_iter().map(cond).collect(),
        });
    }
    out.retired = retired(&out, &used);
    normalise(&mut out);
    embed_rules()?;
    // The managed-policy snapshot: compressed as is; parsed only when a command needs it.
    let managed = std::fs::read("data/managed-policies.json")?;
    std::fs::write(
        PathBuf::from(std::env::var("OUT_DIR")?).join("managed.lz4"),
        lz4_flex::compress_prepend_size(&managed),
    )?;
    // Embedded uncompressed: start-up borrows every name straight from the binary's
    // read-only data, with nothing to decompress into a buffer of its own. The services are
    // in two halves of about equal size, each its own blob, so start-up decodes them at once
    // on two cores; `catalog.bin` holds the rest. A service's size is measured with a table
    // of its own (its string places, which is what decoding reads), close to its share of
    // the blobs.
    let services = std::mem::take(&mut out.services);
    let sizes: Vec<usize> = services
        .iter()
        .map(|s| {
            strings::writing(|| postcard::to_allocvec(s))
                .0
                .map(|b| b.len())
        })
        .collect::<Result<_, _>>()?;
    let total: usize = sizes.iter().sum();
    let mut cut = 0;
    let mut first = 0;
    while cut < sizes.len() && 2 * (first + sizes[cut]) <= total {
        first += sizes[cut];
        cut += 1;
    }
    let out_dir = PathBuf::from(std::env::var("OUT_DIR")?);
    // The three blobs share one string table (each name once), embedded as text.
    let (blobs, table) = strings::writing(|| {
        Ok::<_, postcard::Error>([
            postcard::to_allocvec(&out)?,
            postcard::to_allocvec(&services[..cut])?,
            postcard::to_allocvec(&services[cut..])?,
        ])
    });
    let [rest, first, second] = blobs?;
    std::fs::write(out_dir.join("catalog.bin"), rest)?;
    std::fs::write(out_dir.join("services-1.bin"), first)?;
    std::fs::write(out_dir.join("services-2.bin"), second)?;
    std::fs::write(out_dir.join("strings.txt"), table)?;
    Ok(())
}

/// `$OUT_DIR/rules.rs`: every `rules/**/*.toml`, embedded. Adding a rule set is adding a file.
fn embed_rules() -> Result<(), Box<dyn std::error::Error>> {
    println!("cargo::rerun-if-changed=rules");
    let root = std::env::current_dir()?;
    let mut files = Vec::new();
    let mut stack = vec![root.join("rules")];
    while let Some(dir) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&dir) else {
            continue;
        };
        println!("cargo::rerun-if-changed={}", dir.display());
        for e in rd {
            let p = e?.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "toml") {
                files.push(p);
            }
        }
    }
    files.sort();
    let mut src = String::from(
        "/// Shipped rule sets: (path, text).\npub static RULES: &[(&str, &str)] = &[\n",
    );
    for f in files {
        let rel = f.strip_prefix(&root)?.to_string_lossy().replace('\\', "/");
        src.push_str(&format!(
            "    ({rel:?}, include_str!({:?})),\n",
            f.display().to_string()
        ));
    }
    src.push_str("];\n");
    std::fs::write(
        PathBuf::from(std::env::var("OUT_DIR")?).join("rules.rs"),
        src,
    )?;
    Ok(())
}

/// Count, per lowercased `service:action`, the AWS managed policies that name it literally.
type Popularity = (HashMap<String, u16>, std::collections::BTreeSet<String>);

/// Names used by AWS managed policies that the catalog lacks: whole services (any action
/// value naming the prefix) and literal actions of known services.
fn retired(data: &Data<String>, used: &std::collections::BTreeSet<String>) -> Vec<String> {
    let services: std::collections::HashMap<String, std::collections::HashSet<String>> = data
        .services
        .iter()
        .map(|s| {
            (
                s.prefix.to_ascii_lowercase(),
                s.actions
                    .iter()
                    .map(|a| a.name.to_ascii_lowercase())
                    .collect(),
            )
        })
        .collect();
    let mut out = std::collections::BTreeSet::new();
    for name in used {
        let Some((prefix, action)) = name.split_once(':') else {
            continue;
        };
        if prefix.contains(['*', '?']) {
            continue;
        }
        match services.get(prefix) {
            None => {
                out.insert(prefix.to_string());
            }
            Some(actions) if !action.contains(['*', '?']) && !actions.contains(action) => {
                out.insert(name.clone());
            }
            Some(_) => {}
        }
    }
    out.into_iter().collect()
}

fn popularity() -> Result<Popularity, Box<dyn std::error::Error>> {
    let text = std::fs::read_to_string("data/managed-policies.json").map_err(|e| {
        format!(
            "reading data/managed-policies.json (run scripts/fetch-managed-policies --embed): {e}"
        )
    })?;
    let v: serde_json::Value = serde_json::from_str(&text)?;
    let mut counts: HashMap<String, u16> = HashMap::new();
    let mut used = std::collections::BTreeSet::new();
    for p in v["policies"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
    {
        let mut seen = std::collections::HashSet::new();
        let stmts = &p["document"]["Statement"];
        let stmts: Vec<&serde_json::Value> = match stmts {
            serde_json::Value::Array(a) => a.iter().collect(),
            other => vec![other],
        };
        for st in stmts {
            let acts: Vec<&serde_json::Value> = ["Action", "NotAction"]
                .iter()
                .flat_map(|k| match &st[*k] {
                    serde_json::Value::Array(a) => a.iter().collect::<Vec<_>>(),
                    other => vec![other],
                })
                .collect();
            for a in acts.iter().filter_map(|a| a.as_str()) {
                used.insert(a.to_ascii_lowercase());
                if !a.contains(['*', '?']) && seen.insert(a.to_ascii_lowercase()) {
                    *counts.entry(a.to_ascii_lowercase()).or_default() += 1;
                }
            }
        }
    }
    Ok((counts, used))
}

fn cond(c: JCond) -> CondKey<String> {
    CondKey {
        key: c.key,
        ty: c.ty,
    }
}
