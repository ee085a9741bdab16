//! `iamlint audit` on the fixture account built by `scripts/build-audit-fixture`: every
//! privilege-escalation method ([`METHODS`]) and every risky action ([`RISKS`]) has a case
//! that must be found and a near miss that must not; the case list is read from those
//! tables, so a method or action added without a case fails here. The whole audit (findings
//! and paths) is snapshot-tested.
//!
//! Case names, as the script derives them: `esc-m-<actions>` / `near-m-<actions>` (each
//! action's name after the service, lowercase, joined by `-`) and `risk-a-<service>-<action>`
//! / `near-a-<service>-<action>`.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use assert_cmd::Command;
use iamlint::analysis::audit::risk::RISKS;
use iamlint::check::escalation::METHODS;
use serde_json::Value;

const DUMP: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/fixtures/audit/moto-account.json"
);

/// The audit JSON of a dump, through the CLI.
fn audit_of(dump: &std::path::Path) -> Value {
    let out = Command::cargo_bin("iamlint")
        .unwrap()
        .arg("audit")
        .arg(dump)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The audit JSON of the fixture (once for the whole file).
fn audit() -> &'static Value {
    static AUDIT: OnceLock<Value> = OnceLock::new();
    AUDIT.get_or_init(|| audit_of(std::path::Path::new(DUMP)))
}

fn findings(v: &Value) -> &[Value] {
    v["findings"].as_array().unwrap()
}

/// The one audited principal named `name` (a user, or a role), e.g. `user/esc-m-x`.
fn principal(v: &Value, name: &str) -> Result<String, String> {
    let suffix = format!("/{name}");
    let found: Vec<&str> = v["principals"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["principal"].as_str())
        .filter(|p| p.ends_with(&suffix))
        .collect();
    match found.as_slice() {
        [one] => Ok((*one).to_string()),
        [] => Err(format!(
            "no principal `{name}` in the fixture: add its case to scripts/build-audit-fixture and regenerate"
        )),
        many => Err(format!("`{name}` is ambiguous: {many:?}")),
    }
}

fn of<'a>(v: &'a Value, who: &str, code: &str) -> Vec<&'a Value> {
    findings(v)
        .iter()
        .filter(|f| f["principal"] == who && f["code"] == code)
        .collect()
}

/// `createpolicyversion`, `passrole-createfunction-invokefunction`, ...
fn method_case(actions: &[&str]) -> String {
    actions
        .iter()
        .map(|a| {
            a.split_once(':')
                .map_or(*a, |(_, name)| name)
                .to_lowercase()
        })
        .collect::<Vec<_>>()
        .join("-")
}

/// `s3-getobject`, ...
fn risk_case(action: &str) -> String {
    action.to_lowercase().replace(':', "-")
}

#[test]
fn case_names_are_distinct() {
    let methods: BTreeSet<String> = METHODS.iter().map(|m| method_case(m.actions)).collect();
    assert_eq!(methods.len(), METHODS.len());
    let risks: BTreeSet<String> = RISKS.iter().map(|(_, a, _)| risk_case(a)).collect();
    assert_eq!(risks.len(), RISKS.len());
}

#[test]
fn every_escalation_method_is_found_on_its_case_and_not_on_its_near_miss() {
    let v = audit();
    let mut wrong = Vec::new();
    for m in METHODS {
        let name = method_case(m.actions);
        let actions = m.actions.join(" + ");
        let names_it = |f: &&Value| {
            let msg = f["message"].as_str().unwrap_or_default();
            msg.contains(m.name) && msg.contains(&format!("({actions})"))
        };
        match principal(v, &format!("esc-m-{name}")) {
            Ok(who) => {
                let hits: Vec<&Value> = of(v, &who, "privilege-escalation")
                    .into_iter()
                    .filter(names_it)
                    .collect();
                match hits.as_slice() {
                    [f] if f["severity"] == "error" => {}
                    [f] => wrong.push(format!("{who}: `{}` is not an error: {f}", m.name)),
                    [] => wrong.push(format!("{who}: method `{}` not found", m.name)),
                    _ => wrong.push(format!("{who}: method `{}` found twice", m.name)),
                }
            }
            Err(e) => wrong.push(e),
        }
        match principal(v, &format!("near-m-{name}")) {
            Ok(who) => {
                if let Some(f) = of(v, &who, "privilege-escalation").first() {
                    wrong.push(format!("{who}: near miss of `{}` found: {f}", m.name));
                }
            }
            Err(e) => wrong.push(e),
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn every_risky_action_is_found_on_its_case_and_not_on_its_near_miss() {
    let v = audit();
    let mut wrong = Vec::new();
    for (code, action, _) in RISKS {
        let name = risk_case(action);
        match principal(v, &format!("risk-a-{name}")) {
            Ok(who) => {
                let hits: Vec<&Value> = of(v, &who, code.as_str())
                    .into_iter()
                    .filter(|f| f["action"] == *action && f["resource"] == "*")
                    .collect();
                match hits.as_slice() {
                    [f] if f["severity"] == "warning" => {
                        let msg = f["message"].as_str().unwrap_or_default();
                        if !msg.contains(&format!("`{action}` on every resource")) {
                            wrong.push(format!("{who}: message does not name `{action}`: {msg}"));
                        }
                    }
                    [f] => wrong.push(format!("{who}: `{action}` is not a warning: {f}")),
                    [] => wrong.push(format!(
                        "{who}: `{}` of `{action}` not found",
                        code.as_str()
                    )),
                    _ => wrong.push(format!("{who}: `{action}` found twice")),
                }
            }
            Err(e) => wrong.push(e),
        }
        match principal(v, &format!("near-a-{name}")) {
            // The near miss gets no finding at all: its grant is scoped, denied or bounded.
            Ok(who) => {
                let got: Vec<&Value> = findings(v)
                    .iter()
                    .filter(|f| f["principal"] == who)
                    .collect();
                if !got.is_empty() {
                    wrong.push(format!(
                        "{who}: near miss of `{action}` has findings: {got:?}"
                    ));
                }
            }
            Err(e) => wrong.push(e),
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// Every near miss is near: with what stops it taken away (its `Deny` statements, its
/// conditions, the scope of its grants, its permissions boundary), each `near-m-*` gets its
/// method and each `near-a-*` its finding. So a near miss is not silent for another reason
/// (a misspelt action, a policy the dump lacks).
#[test]
fn near_misses_are_found_once_what_stops_them_is_taken_away() {
    fn unstop(entry: &mut Value) {
        entry.as_object_mut().unwrap().remove("PermissionsBoundary");
        for list in ["UserPolicyList", "RolePolicyList"] {
            for p in entry[list].as_array_mut().into_iter().flatten() {
                let doc = &mut p["PolicyDocument"]["Statement"];
                let kept: Vec<Value> = doc
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|st| st["Effect"] == "Allow")
                    .cloned()
                    .map(|mut st| {
                        st.as_object_mut().unwrap().remove("Condition");
                        st["Resource"] = Value::from("*");
                        st
                    })
                    .collect();
                *doc = Value::from(kept);
            }
        }
    }
    let mut dump: Value = serde_json::from_str(&std::fs::read_to_string(DUMP).unwrap()).unwrap();
    let mut unstopped = 0;
    for (list, name) in [
        ("UserDetailList", "UserName"),
        ("RoleDetailList", "RoleName"),
    ] {
        for e in dump[list].as_array_mut().unwrap() {
            let n = e[name].as_str().unwrap();
            if n.starts_with("near-m-") || n.starts_with("near-a-") {
                unstop(e);
                unstopped += 1;
            }
        }
    }
    assert_eq!(unstopped, METHODS.len() + RISKS.len());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("unstopped.json");
    std::fs::write(&path, serde_json::to_vec(&dump).unwrap()).unwrap();
    let v = audit_of(&path);
    let mut wrong = Vec::new();
    for m in METHODS {
        let who = principal(&v, &format!("near-m-{}", method_case(m.actions))).unwrap();
        if !of(&v, &who, "privilege-escalation")
            .iter()
            .any(|f| f["message"].as_str().unwrap_or_default().contains(m.name))
        {
            wrong.push(format!("{who}: `{}` still not found", m.name));
        }
    }
    for (code, action, _) in RISKS {
        let who = principal(&v, &format!("near-a-{}", risk_case(action))).unwrap();
        if !of(&v, &who, code.as_str())
            .iter()
            .any(|f| f["action"] == *action)
        {
            wrong.push(format!("{who}: `{action}` still not found"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn principals_get_what_their_names_say() {
    let v = audit();
    let risk_codes = [
        "data-exfiltration",
        "resource-exposure",
        "credentials-exposure",
        "infrastructure-modification",
    ];
    let mut wrong = Vec::new();
    for p in v["principals"].as_array().unwrap() {
        let who = p["principal"].as_str().unwrap();
        assert_eq!(p["evaluated"], true, "{who}");
        let name = who.split_once('/').map_or(who, |(_, n)| n);
        let codes: BTreeSet<&str> = findings(v)
            .iter()
            .filter(|f| f["principal"] == who)
            .filter_map(|f| f["code"].as_str())
            .collect();
        let ok = if name.starts_with("admin-") {
            p["admin"] == true && codes.contains("admin-equivalent")
        } else if name.starts_with("esc-") {
            p["admin"] == false
                && (codes.contains("privilege-escalation") || codes.contains("escalation-path"))
        } else if name.starts_with("risk-") {
            p["admin"] == false && risk_codes.iter().any(|c| codes.contains(c))
        } else if name.starts_with("near-") {
            // No near miss is an administrator (the boundary, the Deny, the condition).
            (p["admin"] == false && !codes.contains("admin-equivalent"))
                || (name == "near-mfa-admin"
                    && of(v, who, "admin-equivalent")
                        .iter()
                        .all(|f| f["severity"] == "warning"))
        } else {
            true
        };
        if !ok {
            wrong.push(format!("{who}: {codes:?}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn paths_of_one_two_and_three_steps_and_a_path_stopped_by_a_trust_policy() {
    let v = audit();
    let paths = v["paths"].as_array().unwrap();
    let steps = |from: &str| -> Option<usize> {
        paths
            .iter()
            .find(|p| p["from"] == from)
            .map(|p| p["steps"].as_array().unwrap().len())
    };
    assert_eq!(steps("role/esc-closed-put-self"), Some(1));
    assert_eq!(steps("user/esc-two-steps"), Some(2));
    assert_eq!(steps("user/esc-three-steps"), Some(3));
    // near-path-3 may assume near-path-hop-1, which may assume esc-closed-put-self (which
    // can write its own policy), but that role's trust does not admit near-path-hop-1.
    assert_eq!(steps("user/near-path-3"), None);
    assert_eq!(steps("role/near-path-hop-1"), None);
    // Shortest first.
    let lens: Vec<usize> = paths
        .iter()
        .map(|p| p["steps"].as_array().unwrap().len())
        .collect();
    assert!(lens.windows(2).all(|w| w[0] <= w[1]), "{lens:?}");
    // The role trusting another account is listed with that account.
    let other = v["trust"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["role"] == "role/trust-other-account")
        .unwrap();
    assert_eq!(other["trusted"][0]["kind"], "other_account");
    assert_eq!(other["trusted"][0]["account"], "999988887777");
}

#[test]
fn findings_snapshot() {
    let mut lines: Vec<String> = findings(audit())
        .iter()
        .map(|f| {
            format!(
                "{} {} {}",
                f["code"].as_str().unwrap(),
                f["severity"].as_str().unwrap(),
                f["principal"].as_str().unwrap_or("-")
            )
        })
        .collect();
    lines.sort();
    insta::assert_snapshot!(lines.join("\n"));
}

#[test]
fn paths_snapshot() {
    let lines: Vec<String> = audit()["paths"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let via: Vec<String> = p["steps"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| match s["condition"].as_str() {
                    Some(c) => format!("{} if {c}", s["via"].as_str().unwrap()),
                    None => s["via"].as_str().unwrap().to_string(),
                })
                .collect();
            format!(
                "{} -> {}: {}",
                p["from"].as_str().unwrap(),
                p["to"].as_str().unwrap(),
                via.join(", ")
            )
        })
        .collect();
    insta::assert_snapshot!(lines.join("\n"));
}
