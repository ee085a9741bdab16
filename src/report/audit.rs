//! `iamlint audit` rendered as the HTML page ([`super::html`]): the risks as findings, each
//! user, group and role with its risks, policies and trust, the escalation paths of
//! [`crate::analysis::audit::graph`], and what could not be evaluated.

use serde_json::{Value, json};

use crate::analysis::audit::graph::Path;
use crate::analysis::audit::risk::{AuditResult, Risk};
use crate::analysis::audit::trust::RoleTrust;
use crate::analysis::audit::{Account, Kind};

/// How serious a risk is: admin-equivalent and an escalation method are errors when they hold
/// whatever the request, warnings when only under a condition; the other categories one step
/// lower.
pub fn severity(r: &Risk) -> &'static str {
    let conditional = r.condition.is_some();
    match (r.code.as_str(), conditional) {
        ("admin-equivalent" | "escalation-method", false) => "error",
        ("admin-equivalent" | "escalation-method", true) | (_, false) => "warning",
        (_, true) => "info",
    }
}

/// `file:line:col` split into its parts (the file may hold colons).
fn place(at: &str) -> (String, u64, u64) {
    let mut parts = at.rsplitn(3, ':');
    let col = parts.next().and_then(|c| c.parse().ok());
    let line = parts.next().and_then(|l| l.parse().ok());
    match (line, col, parts.next()) {
        (Some(l), Some(c), Some(file)) => (file.to_string(), l, c),
        _ => (at.to_string(), 0, 0),
    }
}

/// The page's data: `summary`, `principals`, `paths`, `findings`, `source`, `catalog`.
pub fn html_data(account: &Account, r: &AuditResult, paths: &[Path], trust: &[RoleTrust]) -> Value {
    let findings: Vec<Value> = r
        .risks
        .iter()
        .map(|k| {
            let (file, line, column) = k.at.first().map_or((String::new(), 0, 0), |a| place(a));
            let cond = k
                .condition
                .as_deref()
                .map(|c| format!(" if {c}"))
                .unwrap_or_default();
            json!({
                "code": k.code,
                "severity": severity(k),
                "message": format!("{}{cond}", k.what),
                "principal": k.principal,
                "file": file, "line": line, "column": column,
            })
        })
        .collect();
    let count = |sev: &str| findings.iter().filter(|f| f["severity"] == sev).count();
    let mut principals = Vec::new();
    let mut admins = 0;
    // Each principal's effective permissions; what principals share is computed once.
    let mut expander = crate::analysis::audit::permissions::Expander::new(account);
    for s in &account.subjects {
        let mine: Vec<&Risk> = r.risks.iter().filter(|k| k.principal == s.label).collect();
        let admin = mine
            .iter()
            .any(|k| k.code == "admin-equivalent" && k.condition.is_none());
        admins += usize::from(admin);
        let mut risks: Vec<&str> = mine.iter().map(|k| k.code.as_str()).collect();
        risks.sort_unstable();
        risks.dedup();
        let mut policies: Vec<Value> = s
            .docs
            .iter()
            .map(|d| json!({"name": d.origin, "via": "identity policy"}))
            .collect();
        policies.extend(
            s.boundary
                .iter()
                .flatten()
                .map(|d| json!({"name": d.origin, "via": "permissions boundary"})),
        );
        let trusted: Vec<Value> = trust
            .iter()
            .filter(|t| t.role == s.label)
            .flat_map(|t| {
                let codes: Vec<&str> = t.findings.iter().map(|f| f.code.as_str()).collect();
                t.trusted.iter().map(move |x| {
                    json!({
                        "who": x.principal,
                        "kind": x.kind,
                        "condition": if x.conditions.is_empty() { Value::Null } else { Value::from(x.conditions.join(" and ")) },
                        "findings": codes,
                    })
                })
            })
            .collect();
        let kind = match s.kind {
            Kind::User => "user",
            Kind::Group => "group",
            Kind::Role => "role",
        };
        principals.push(json!({
            "id": s.label,
            "arn": s.arn,
            "kind": kind,
            "name": s.label.split_once('/').map_or(s.label.as_str(), |(_, n)| n),
            "admin": admin,
            "risks": risks,
            "findings": mine.len(),
            "policies": policies,
            "trust": trusted,
        }));
        // Moved in, not built inside `json!` (which would copy it).
        if let Some(Value::Object(m)) = principals.last_mut() {
            let perms = serde_json::to_value(expander.permissions(s)).unwrap_or(Value::Null);
            m.insert("permissions".into(), perms);
        }
    }
    let c = crate::catalog::get();
    json!({
        "source": account.origin,
        "catalog": format!("{}, {}", c.source(), c.date()),
        "summary": {
            "principals": principals.len(),
            "errors": count("error"),
            "warnings": count("warning"),
            "infos": count("info"),
            "admins": admins,
            "unevaluated": r.unevaluated.len(),
        },
        "principals": principals,
        "paths": paths,
        "findings": findings,
        "unevaluated": r.unevaluated,
        "errors": account.errors,
    })
}
