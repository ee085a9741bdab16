//! Rule files that cannot mean what they say are refused with `file:line:col`, by `check`,
//! `render` and `rules show` alike (issue 10, part 2).

use crate::util::{ecr_push, run};

const HEAD: &str = "id = \"x\"\ntitle = \"t\"\nsystem = \"s\"\n[source]\ntitle = \"d\"\n";
const POLICY: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#;

/// A temporary folder holding `rules.toml` (the given text) and `policy.json`.
fn setup(rules: &[u8]) -> (tempfile::TempDir, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let r = dir.path().join("rules.toml");
    std::fs::write(&r, rules).unwrap();
    let p = dir.path().join("policy.json");
    std::fs::write(&p, POLICY).unwrap();
    (dir, r.display().to_string(), p.display().to_string())
}

/// `render`, `check` and `rules show` all exit 2 with `error: <file>:<want>` on stderr and
/// print nothing on stdout.
fn refused(rules: &[u8], params: &[&str], want: &str) {
    refused_by(rules, params, want, true);
}

/// [`refused`], for errors that depend on the parameter values: `rules show` (which takes
/// `example` values) is left out.
fn refused_when_resolved(rules: &[u8], params: &[&str], want: &str) {
    refused_by(rules, params, want, false);
}

fn refused_by(rules: &[u8], params: &[&str], want: &str, with_show: bool) {
    let (_dir, r, p) = setup(rules);
    let mut param_args: Vec<&str> = Vec::new();
    for kv in params {
        param_args.extend(["--param", kv]);
    }
    let mut render = vec!["render", "--rules", r.as_str()];
    render.extend(&param_args);
    let mut check = vec!["check", "--rules", r.as_str(), "--policy", p.as_str()];
    check.extend(&param_args);
    let show = vec!["rules", "show", r.as_str()];
    let mut commands = vec![render, check];
    if with_show {
        commands.push(show);
    }
    for args in commands {
        let (code, out, err) = run(&args);
        assert_eq!(code, 2, "{args:?}: {out}{err}");
        assert!(out.is_empty(), "{args:?} printed: {out}");
        let line = format!("error: {r}:{want}\n");
        assert_eq!(err, line, "{args:?}");
    }
}

#[test]
fn an_unknown_action_is_an_error_at_its_position_not_zero_grants() {
    let text = format!("{HEAD}[[grant]]\nactions = [\"s3:GetObjekt\"]\nresources = [\"*\"]\n");
    refused(
        text.as_bytes(),
        &[],
        "7:12: unknown action `s3:GetObjekt`; did you mean `s3:GetObject`?",
    );
}

#[test]
fn one_unknown_action_among_known_ones_is_an_error_too() {
    let text = format!(
        "{HEAD}[[grant]]\nactions = [\"s3:GetObject\", \"s3:PutObjekt\"]\nresources = [\"*\"]\n"
    );
    refused(
        text.as_bytes(),
        &[],
        "7:28: unknown action `s3:PutObjekt`; did you mean `s3:PutObject`?",
    );
}

#[test]
fn a_wildcard_that_matches_nothing_is_an_error() {
    let text = format!("{HEAD}[[grant]]\nactions = [\"s3:Frobnicate*\"]\nresources = [\"*\"]\n");
    refused(
        text.as_bytes(),
        &[],
        "7:12: `s3:Frobnicate*` matches no action of `s3`",
    );
    let text = format!("{HEAD}[[grant]]\nactions = [\"zz*:Get*\"]\nresources = [\"*\"]\n");
    refused(text.as_bytes(), &[], "7:12: `zz*:Get*` matches no action");
}

#[test]
fn an_unknown_service_is_an_error() {
    let text = format!("{HEAD}[[grant]]\nactions = [\"dynamodbb:GetItem\"]\nresources = [\"*\"]\n");
    refused(
        text.as_bytes(),
        &[],
        "7:12: `dynamodbb:GetItem` names the unknown service `dynamodbb`; did you mean `dynamodb`?",
    );
}

#[test]
fn an_unknown_action_in_a_feature_is_refused_without_the_feature() {
    let text = format!(
        "{HEAD}[[grant]]\nactions = [\"s3:GetObject\"]\nresources = [\"*\"]\n[features.f]\ndescription = \"f\"\n[[features.f.grant]]\nactions = [\"ec2:RunInstance\"]\nresources = [\"*\"]\n"
    );
    refused(
        text.as_bytes(),
        &[],
        "12:12: unknown action `ec2:RunInstance`; did you mean `ec2:RunInstances`?",
    );
}

const CHAIN: &str = "[params.bucket]\ndescription = \"b\"\nkind = \"s3-bucket-name\"\n[params.under]\ndescription = \"u\"\nderive = { from = \"bucket\", replace = [\"-\", \"_\"] }\n[params.upper]\ndescription = \"derived from a derived one\"\nderive = { from = \"under\", replace = [\"_\", \"__\"] }\n[[grant]]\nactions = [\"s3:GetObject\"]\nresources = [\"arn:aws:s3:::{upper}/*\"]\n";

#[test]
fn a_parameter_derived_from_a_derived_one_resolves() {
    let (_dir, r, p) = setup(format!("{HEAD}{CHAIN}").as_bytes());
    let (code, out, err) = run(&["render", "--rules", &r, "--param", "bucket=my-b-x"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        v["Statement"][0]["Resource"], "arn:aws:s3:::my__b__x/*",
        "{out}"
    );
    // `check` compares against the same resolved resource: a policy granting exactly it
    // satisfies the rule.
    let policy = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::my__b__x/*"}]}"#;
    std::fs::write(&p, policy).unwrap();
    let (code, out, err) = run(&[
        "check",
        "--rules",
        &r,
        "--param",
        "bucket=my-b-x",
        "--policy",
        &p,
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("`x`: 1 of 1 required grants satisfied"),
        "{out}"
    );
}

#[test]
fn a_cycle_of_derivations_is_an_error_naming_the_cycle() {
    let text = format!(
        "{HEAD}[params.a]\ndescription = \"a\"\n[params.b]\ndescription = \"b\"\nderive = {{ from = \"c\" }}\n[params.c]\ndescription = \"c\"\nderive = {{ from = \"b\" }}\n[[grant]]\nactions = [\"s3:GetObject\"]\nresources = [\"arn:aws:s3:::{{a}}/{{b}}\"]\n"
    );
    refused(
        text.as_bytes(),
        &["a=x"],
        "8:1: derived parameters form a cycle: `b` derives from `c` derives from `b`",
    );
    let text = format!(
        "{HEAD}[params.a]\ndescription = \"a\"\nderive = {{ from = \"a\" }}\n[[grant]]\nactions = [\"s3:GetObject\"]\nresources = [\"arn:aws:s3:::{{a}}\"]\n"
    );
    refused(
        text.as_bytes(),
        &[],
        "6:1: derived parameters form a cycle: `a` derives from `a`",
    );
}

#[test]
fn bad_utf8_is_located() {
    let mut text = format!("{HEAD}[[grant]]\nactions = [\"s3:GetObject\"]\n").into_bytes();
    text.extend_from_slice(b"resources = [\"arn:aws:s3:::caf\xe9\"]\n");
    refused(
        &text,
        &[],
        "8:31: not UTF-8 text; a rule file is UTF-8 TOML",
    );
}

#[test]
fn deep_dotted_keys_are_located_not_1_1() {
    // The TOML reader reports a dotted key of 80 parts as "recursion limit" at 1:1.
    let text = format!("{HEAD}{}b = 1\n", "a.".repeat(100));
    refused(
        text.as_bytes(),
        &[],
        "6:64: a dotted key of more than 32 parts; a rule file needs three",
    );
    let text = format!("{HEAD}[{}b]\n", "a.".repeat(100));
    refused(
        text.as_bytes(),
        &[],
        "6:65: a dotted key of more than 32 parts; a rule file needs three",
    );
}

#[test]
fn deep_nesting_is_located() {
    let text = format!(
        "{HEAD}notes = {}{}\n",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    refused(
        text.as_bytes(),
        &[],
        "6:41: nested deeper than 32 levels; a rule file needs three",
    );
    // Brackets and dots inside strings and comments do not count.
    let text = format!(
        "notes = [\"\\\"{}\", '''{}''', \"\"\"\n{}\"\"\"] # {}\n{HEAD}[[grant]]\nactions = [\"s3:GetObject\"]\nresources = [\"*\"]\n",
        "[.".repeat(100),
        "{.".repeat(100),
        "[.".repeat(100),
        "[.".repeat(100)
    );
    let (_dir, r, _p) = setup(text.as_bytes());
    let (code, _, err) = run(&["render", "--rules", &r]);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn an_oversized_rule_file_is_refused() {
    let mut text = HEAD.as_bytes().to_vec();
    text.resize(5 * 1024 * 1024, b'\n');
    let (_dir, r, _p) = setup(&text);
    let (code, out, err) = run(&["render", "--rules", &r]);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert_eq!(
        err,
        format!(
            "error: {r}: the file is 5242880 bytes, over the 4194304 byte limit for a rule file\n"
        )
    );
}

#[cfg(unix)]
#[test]
fn a_fifo_is_refused_without_blocking() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("rules.toml");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let f = fifo.display().to_string();
    let (code, _, err) = run(&["render", "--rules", &f]);
    assert_eq!(code, 2);
    assert_eq!(
        err,
        format!("error: {f}: not a regular file; a rule file is a TOML file\n")
    );
}

#[test]
fn shipped_rule_sets_still_load() {
    let (code, out, err) = run(&["rules", "list", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(v.as_array().unwrap().len() >= 7, "{out}");
}

#[test]
fn errors_in_required_conditions_point_at_the_value() {
    // Before, an undeclared placeholder in a condition value pointed at the grant (`[[grant]]`).
    let text = format!(
        "{HEAD}[params.tag]\ndescription = \"t\"\n[[grant]]\nactions = [\"ec2:TerminateInstances\"]\nresources = [\"*\"]\ncondition = {{ StringEquals = {{ \"aws:ResourceTag/x\" = \"{{tagg}}\" }} }}\n"
    );
    refused(
        text.as_bytes(),
        &["tag=v"],
        "11:54: undeclared parameter `{tagg}`; did you mean `{tag}`?",
    );
    let text = format!(
        "{HEAD}[params.tag]\ndescription = \"t\"\n[[grant]]\nactions = [\"ec2:TerminateInstances\"]\nresources = [\"*\"]\ncondition = {{ StringEqual = {{ \"aws:ResourceTag/x\" = \"{{tag}}\" }} }}\n"
    );
    refused(
        text.as_bytes(),
        &["tag=v"],
        "11:53: unknown condition operator `StringEqual`; did you mean `StringEquals`?",
    );
}

/// With a catalog (updated from a local test server) whose `s3` lacks `s3:PutObject`, a rule
/// set that requires it is refused where it names it, and one that needs no `s3` still loads.
#[test]
fn only_the_rule_set_asked_for_is_checked_against_the_catalog() {
    use crate::update::{S3, index, serve};
    // The actions `ecr-push` requires, each on the repository resource type.
    let actions: Vec<String> = [
        "GetAuthorizationToken",
        "BatchCheckLayerAvailability",
        "InitiateLayerUpload",
        "UploadLayerPart",
        "CompleteLayerUpload",
        "PutImage",
        "BatchGetImage",
        "GetDownloadUrlForLayer",
    ]
    .iter()
    .map(|a| format!(r#"{{"Name":"{a}","Resources":[{{"Name":"repository"}}]}}"#))
    .collect();
    let ecr = format!(
        r#"{{"Name":"ecr","Actions":[{}],"Resources":[{{"Name":"repository","ARNFormats":["arn:${{Partition}}:ecr:${{Region}}:${{Account}}:repository/${{RepositoryName}}"]}}],"ConditionKeys":[]}}"#,
        actions.join(",")
    );
    let base = serve(&[
        ("/", &index(&["s3", "ecr"])),
        ("/v1/s3/s3.json", S3),
        ("/v1/ecr/ecr.json", &ecr),
    ]);
    let cache = tempfile::tempdir().unwrap();
    let bin = |args: &[&str]| {
        crate::util::outcome(
            crate::util::iamlint()
                .env("IAMLINT_CACHE_DIR", cache.path())
                .env_remove("IAMLINT_NO_CACHE")
                .args(args),
        )
    };
    let (code, _, err) = bin(&["catalog", "update", "--url", &base]);
    assert_eq!(code, 0, "{err}");
    let mut render = vec!["render".to_string()];
    render.extend(ecr_push("dagster"));
    let render: Vec<&str> = render.iter().map(String::as_str).collect();
    let (code, out, err) = bin(&render);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("ecr:PutImage"), "{out}");
    let (code, out, err) = bin(&[
        "render",
        "--rules",
        "dstack-aws",
        "--param",
        "bucket_name=my-awesome-project",
    ]);
    assert_eq!(code, 2);
    assert!(out.is_empty(), "{out}");
    assert!(
        err.starts_with("error: rules/dstack/dstack-aws.toml:")
            && err.contains(": unknown action `s3:"),
        "{err}"
    );
}

/// A chain of `n` parameters, each derived from the one before with `replace`, and one
/// resource per parameter.
fn chain(n: usize, replace: &str) -> String {
    let mut t = format!("{HEAD}[params.p0]\ndescription = \"p\"\n");
    for i in 1..n {
        t.push_str(&format!(
            "[params.p{i}]\ndescription = \"p\"\nderive = {{ from = \"p{}\", replace = {replace} }}\n",
            i - 1
        ));
    }
    let res: Vec<String> = (0..n)
        .map(|i| format!("\"arn:aws:s3:::{{p{i}}}\""))
        .collect();
    t.push_str(&format!(
        "[[grant]]\nactions = [\"s3:GetObject\"]\nresources = [{}]\n",
        res.join(", ")
    ));
    t
}

#[test]
fn a_long_chain_of_derivations_resolves_in_linear_time() {
    // Walking every chain from every parameter was cubic: 2,000 parameters took minutes.
    let (_dir, r, _p) = setup(chain(2000, "[\"a\", \"b\"]").as_bytes());
    let started = std::time::Instant::now();
    let (code, out, err) = run(&["render", "--rules", &r, "--param", "p0=xa"]);
    assert_eq!(code, 0, "{err}");
    assert!(started.elapsed() < std::time::Duration::from_secs(30));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let res = v["Statement"][0]["Resource"].as_array().unwrap();
    assert_eq!(res.len(), 2000);
    assert_eq!(res[0], "arn:aws:s3:::xa");
    assert_eq!(res[1999], "arn:aws:s3:::xb");
}

#[test]
fn values_that_grow_past_any_policy_are_refused_where_they_are_made() {
    // Each step doubles every `a`: 2^40 bytes at the end of the chain.
    refused_when_resolved(
        chain(40, "[\"a\", \"aa\"]").as_bytes(),
        &["p0=a"],
        "47:1: parameter `p14` would be over 10240 characters, longer than any IAM policy",
    );
    let text = format!(
        "{HEAD}[params.p]\ndescription = \"p\"\n[[grant]]\nactions = [\"s3:GetObject\"]\nresources = [\"{}\"]\n",
        "{p}".repeat(10_000)
    );
    refused_when_resolved(
        text.as_bytes(),
        &["p=abcdefgh"],
        "10:14: a grant would render to over 10240 characters, longer than any IAM policy",
    );
    let text = format!(
        "{HEAD}[params.p]\ndescription = \"p\"\n[params.q]\ndescription = \"q\"\nderive = {{ from = \"p\", replace = [\"\", \"x\"] }}\n[[grant]]\nactions = [\"s3:GetObject\"]\nresources = [\"arn:aws:s3:::{{q}}\"]\n"
    );
    refused(
        text.as_bytes(),
        &["p=a"],
        "8:1: parameter `q`: `replace` needs a non-empty string to replace",
    );
}
