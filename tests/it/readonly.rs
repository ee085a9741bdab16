//! iamlint never changes IAM: the operations the source calls, the guard's list, the
//! `iamlint-readonly` rule set and the README agree.

use std::collections::BTreeSet;
use std::path::Path;

use crate::util::run;

const RENDER: [&str; 9] = [
    "render",
    "--rules",
    "iamlint-readonly",
    "--param",
    "account_id=123456789012",
    "--feature",
    "account",
    "--feature",
    "simulate",
];

/// Every action the rendered rule set grants, with every feature (`org` too, which the
/// README's rendering leaves out).
fn rule_set_actions() -> BTreeSet<String> {
    let mut args = RENDER.to_vec();
    args.extend(["--feature", "org"]);
    let (code, out, err) = run(&args);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let mut set = BTreeSet::new();
    for st in v["Statement"].as_array().unwrap() {
        match &st["Action"] {
            serde_json::Value::String(a) => {
                set.insert(a.clone());
            }
            serde_json::Value::Array(a) => {
                set.extend(a.iter().map(|x| x.as_str().unwrap().to_string()));
            }
            other => panic!("unexpected Action {other}"),
        }
    }
    set
}

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// `get_role_policy` -> `GetRolePolicy`.
fn camel(snake: &str) -> String {
    snake
        .split('_')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// Every `.method(` in `src/` whose CamelCase name is an IAM or STS action of the catalog
/// (the SDK's fluent call for that operation).
fn operations_in_source() -> BTreeSet<String> {
    let catalog = iamlint::catalog::get();
    let mut files = Vec::new();
    rust_files(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut files,
    );
    let mut ops = BTreeSet::new();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        let bytes = text.as_bytes();
        for (i, _) in text.match_indices('.') {
            let rest = &bytes[i + 1..];
            let n = rest
                .iter()
                .take_while(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || **b == b'_')
                .count();
            if n == 0 || rest.get(n) != Some(&b'(') {
                continue;
            }
            let name = camel(std::str::from_utf8(&rest[..n]).unwrap());
            for service in ["iam", "sts", "organizations"] {
                if catalog.action(service, &name).is_some() {
                    ops.insert(format!("{service}:{name}"));
                }
            }
        }
    }
    ops
}

#[test]
fn source_calls_only_operations_of_the_readonly_rule_set() {
    let ops = operations_in_source();
    // The scan sees the calls (it is not vacuous).
    for expected in [
        "iam:GetRole",
        "iam:ListAttachedUserPolicies",
        "iam:GetAccountAuthorizationDetails",
        "iam:SimulatePrincipalPolicy",
        "sts:GetCallerIdentity",
        "sts:AssumeRole",
        "organizations:ListAccounts",
    ] {
        assert!(ops.contains(expected), "{expected} not found in {ops:?}");
    }
    let granted = rule_set_actions();
    // GetCallerIdentity needs no permission (AWS answers it for any credentials).
    let outside: Vec<&String> = ops
        .iter()
        .filter(|o| !granted.contains(*o) && *o != "sts:GetCallerIdentity")
        .collect();
    assert!(
        outside.is_empty(),
        "the source calls operations the iamlint-readonly rule set does not grant: {outside:?}"
    );
}

#[test]
fn guard_list_equals_the_rule_set() {
    let mut guard: BTreeSet<String> = iamlint::live::guard::ALLOWED
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert!(guard.remove("sts:GetCallerIdentity"));
    assert_eq!(guard, rule_set_actions());
    // Get, List and Simulate only, and AssumeRole (it issues credentials for reading the
    // accounts of `--org`; it changes nothing in IAM).
    for a in &guard {
        let op = a.split_once(':').unwrap().1;
        assert!(
            op.starts_with("Get")
                || op.starts_with("List")
                || op.starts_with("Simulate")
                || a == "sts:AssumeRole",
            "{a}"
        );
    }
}

#[test]
fn readme_prints_the_rule_set() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let cmd = format!("iamlint {}", RENDER.join(" "));
    let at = readme
        .find(&cmd)
        .unwrap_or_else(|| panic!("README.md does not show `{cmd}`"));
    let after = &readme[at..];
    let start = after.find("```json\n").unwrap() + "```json\n".len();
    let end = start + after[start..].find("```").unwrap();
    let (_, out, _) = run(&RENDER);
    assert_eq!(
        &after[start..end],
        out,
        "README.md's iamlint-readonly policy is stale"
    );
}
