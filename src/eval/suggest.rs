//! `check --suggest`: a corrected version of each policy file, printed as a unified diff.
//!
//! The correction keeps the user's structure where it can: statements stay in their order
//! with their Sids; each keeps the required actions it was the one to grant (or mis-scope),
//! with the resources and condition the rule needs (a statement whose actions need
//! different resources is split, `Sid`, `Sid2`, ...); actions no rule requires are dropped,
//! and so is a statement left empty. Required actions nobody grants are appended, one
//! statement per rule grant. `Deny` statements and resource policies are kept as they are.
//! The user's file is never written.

use serde_json::{Map, Value};

use super::{Doc, Status, clauses_of, prepare, required_pairs, status};
use crate::rules::Resolved;

type Key = (Vec<String>, Vec<(String, String, Vec<String>)>);

/// One required action with what it needs, and the statement that will carry it.
struct Need {
    action: String,
    resources: Vec<String>,
    condition: Vec<(String, String, Vec<String>)>,
    grant: usize,
    home: Option<usize>,
}

/// The corrected document for every input that is a file, as (origin, original, corrected).
pub fn suggest(resolved: &Resolved, docs: &[Doc]) -> Vec<(String, String, String)> {
    let stmts = prepare(docs);
    let mut needs: Vec<Need> = Vec::new();
    for (gi, g) in resolved.grants.iter().enumerate() {
        let req = clauses_of(g);
        for (a, _, needed) in required_pairs(g) {
            let home = needed
                .iter()
                .find_map(|r| match status(&stmts, a, r, &req) {
                    Status::Granted { stmt, .. }
                    | Status::Conditional { stmt, .. }
                    | Status::Elsewhere { stmt, .. } => Some(stmt),
                    Status::Denied { .. } | Status::Boundary | Status::Missing => None,
                });
            let name = a.full_name();
            if needs
                .iter()
                .any(|n| n.action == name && n.resources == needed && n.condition == g.condition)
            {
                continue;
            }
            needs.push(Need {
                action: name,
                resources: needed,
                condition: g.condition.clone(),
                grant: gi,
                home,
            });
        }
    }
    let mut out = Vec::new();
    let first_file = docs
        .iter()
        .position(|d| !crate::source::managed::is_managed_arn(&d.origin));
    for (di, doc) in docs.iter().enumerate() {
        if crate::source::managed::is_managed_arn(&doc.origin) {
            continue;
        }
        let mut statements: Vec<Value> = Vec::new();
        let mut used_sids: Vec<String> = Vec::new();
        for st in &doc.policy.statements {
            let idx = stmts.iter().position(|s| std::ptr::eq(s.st, st));
            let Some(i) = idx.filter(|&i| stmts.get(i).is_some_and(|s| s.st.is_allow())) else {
                // Deny statements and resource-policy statements stay; an Allow IAM would
                // reject (no Resource, a misspelt element) goes: what it meant is re-added.
                if !st.is_allow() || st.principal.is_some() {
                    statements.push(verbatim(doc, st.span));
                }
                continue;
            };
            // Group this statement's needs by (resources, condition), first-seen order.
            let mut groups: Vec<(Key, Vec<String>)> = Vec::new();
            for n in needs.iter().filter(|n| n.home == Some(i)) {
                let key = (n.resources.clone(), n.condition.clone());
                match groups.iter_mut().find(|(k, _)| *k == key) {
                    Some((_, acts)) => push_unique(acts, &n.action),
                    None => groups.push((key, vec![n.action.clone()])),
                }
            }
            let sid = st.sid.as_ref().map(|s| s.value.clone());
            for (gi, ((resources, condition), actions)) in groups.into_iter().enumerate() {
                let sid = sid.as_ref().map(|s| {
                    if gi == 0 {
                        s.clone()
                    } else {
                        format!("{s}{}", gi + 1)
                    }
                });
                if let Some(s) = &sid {
                    used_sids.push(s.clone());
                }
                statements.push(statement(sid, &actions, &resources, &condition));
            }
        }
        if Some(di) == first_file {
            let mut added: Vec<(usize, Key, Vec<String>)> = Vec::new();
            for n in needs.iter().filter(|n| n.home.is_none()) {
                let key = (n.resources.clone(), n.condition.clone());
                match added
                    .iter_mut()
                    .find(|(g, k, _)| *g == n.grant && *k == key)
                {
                    Some((_, _, acts)) => push_unique(acts, &n.action),
                    None => added.push((n.grant, key, vec![n.action.clone()])),
                }
            }
            for (g, (resources, condition), actions) in added {
                let base = resolved
                    .grants
                    .get(g)
                    .map_or_else(|| "Added".to_string(), |g| g.sid.clone());
                let mut sid = base.clone();
                let mut k = 2;
                while used_sids.contains(&sid) {
                    sid = format!("{base}{k}");
                    k += 1;
                }
                used_sids.push(sid.clone());
                statements.push(statement(Some(sid), &actions, &resources, &condition));
            }
        }
        let mut doc_v = Map::new();
        if let Some(v) = &doc.policy.version {
            doc_v.insert("Version".into(), v.value.clone().into());
        } else {
            doc_v.insert("Version".into(), "2012-10-17".into());
        }
        if let Some(id) = &doc.policy.id {
            doc_v.insert("Id".into(), id.value.clone().into());
        }
        doc_v.insert("Statement".into(), Value::Array(statements));
        out.push((
            doc.origin.clone(),
            doc.text.to_string(),
            pretty(&Value::Object(doc_v), indent_of(&doc.text)),
        ));
    }
    out
}

fn push_unique(v: &mut Vec<String>, s: &str) {
    if !v.iter().any(|x| x == s) {
        v.push(s.to_string());
    }
}

/// A statement kept as the user wrote it (re-read from its text).
fn verbatim(doc: &Doc, span: crate::span::Span) -> Value {
    doc.text
        .get(span.range())
        .and_then(|t| serde_json::from_str(t).ok())
        .unwrap_or(Value::Null)
}

fn statement(
    sid: Option<String>,
    actions: &[String],
    resources: &[String],
    condition: &[(String, String, Vec<String>)],
) -> Value {
    let mut m = Map::new();
    if let Some(s) = sid {
        m.insert("Sid".into(), s.into());
    }
    m.insert("Effect".into(), "Allow".into());
    m.insert(
        "Action".into(),
        Value::Array(actions.iter().cloned().map(Value::String).collect()),
    );
    m.insert("Resource".into(), one_or_many(resources));
    if !condition.is_empty() {
        let mut c: Map<String, Value> = Map::new();
        for (op, k, v) in condition {
            if let Value::Object(keys) = c
                .entry(op.clone())
                .or_insert_with(|| Value::Object(Map::new()))
            {
                keys.insert(k.clone(), one_or_many(v));
            }
        }
        m.insert("Condition".into(), Value::Object(c));
    }
    Value::Object(m)
}

fn one_or_many(v: &[String]) -> Value {
    match v {
        [one] => Value::String(one.clone()),
        many => Value::Array(many.iter().cloned().map(Value::String).collect()),
    }
}

/// The indentation unit of a JSON text: the leading spaces of its first indented line.
fn indent_of(text: &str) -> usize {
    text.lines()
        .map(|l| l.len() - l.trim_start_matches(' ').len())
        .find(|&n| n > 0)
        .unwrap_or(2)
}

/// Pretty JSON with `indent` spaces, ending in a newline.
pub fn pretty(v: &Value, indent: usize) -> String {
    use serde::Serialize;
    let pad = " ".repeat(indent);
    let mut buf = Vec::new();
    let mut ser = serde_json::Serializer::with_formatter(
        &mut buf,
        serde_json::ser::PrettyFormatter::with_indent(pad.as_bytes()),
    );
    if v.serialize(&mut ser).is_err() {
        return String::new();
    }
    let mut s = String::from_utf8(buf).unwrap_or_default();
    s.push('\n');
    s
}

/// A unified diff from `old` to `new`.
pub fn unified_diff(origin: &str, old: &str, new: &str) -> String {
    let diff = similar::TextDiff::from_lines(old, new);
    diff.unified_diff()
        .context_radius(3)
        .header(origin, &format!("{origin} (suggested)"))
        .to_string()
}
