//! Turns `data/catalog.json` (made by `scripts/build-catalog`) into the compact binary blob
//! the library embeds, so start-up decompresses and borrows instead of parsing JSON.

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
    };
    for s in j.services {
        let index: HashMap<&str, u16> = s
            .resources
            .iter()
            .enumerate()
            .map(|(i, r)| (r.name.as_str(), u16::try_from(i).unwrap_or(u16::MAX)))
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
                        index.get(r.name.as_str()).map(|&index| ActionResource {
                            index,
                            required: r.required,
                        })
                    })
                    .collect(),
                conditions: a.conditions,
                deprecated: a.deprecated,
                name: a.name,
            })
            .collect();
        out.services.push(Service {
            prefix: s.prefix,
            name: s.name,
            actions,
            resources: s
                .resources
                .into_iter()
                .map(|r| ResourceType {
                    name: r.name,
                    arns: r.arns,
                    conditions: r.conditions,
                })
                .collect(),
            conditions: s.conditions.into_iter().map(cond).collect(),
        });
    }
    normalise(&mut out);
    let blob = to_blob(&out)?;
    let dest = PathBuf::from(std::env::var("OUT_DIR")?).join("catalog.bin");
    std::fs::write(dest, blob)?;
    Ok(())
}

fn cond(c: JCond) -> CondKey<String> {
    CondKey { key: c.key, ty: c.ty }
}
