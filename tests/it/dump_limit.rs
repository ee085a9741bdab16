//! Account dumps have their own size limit (`MAX_DUMP_BYTES`, 1 GiB), above the 32 MiB one
//! of a policy document: a dump over 32 MiB is read by `audit`, `who-can`, `can --gaad`,
//! `paths --gaad`, `check --gaad` and `lint`; a policy over 32 MiB is still refused.

use crate::util::run;

/// The moto fixture account padded with whitespace (as an indenting writer would) to just
/// over 32 MiB.
fn big_dump(dir: &std::path::Path) -> String {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/audit/moto-account.json"
    ))
    .unwrap();
    // Inside the first list, so the dump still starts with its first key.
    let (head, tail) = text.split_once('[').unwrap();
    assert!(head.contains("UserDetailList"), "{head}");
    let pad = " ".repeat(33 * 1024 * 1024);
    let path = dir.join("big-dump.json");
    std::fs::write(&path, format!("{head}[\n{pad}{tail}")).unwrap();
    assert!(std::fs::metadata(&path).unwrap().len() > 32 * 1024 * 1024);
    path.display().to_string()
}

#[test]
fn a_dump_over_32_mib_is_read_by_every_command() {
    let dir = tempfile::tempdir().unwrap();
    let dump = big_dump(dir.path());
    let small = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/audit/moto-account.json"
    );

    // The same answers as on the unpadded fixture (positions aside).
    let (code, out, err) = run(&["audit", &dump, "--format", "json"]);
    assert_eq!(code, 1, "{err}");
    let (_, small_out, _) = run(&["audit", small, "--format", "json"]);
    let risks = |s: &str| {
        let v: serde_json::Value = serde_json::from_str(s).unwrap();
        let list = v
            .get("findings")
            .or_else(|| v.get("risks"))
            .unwrap()
            .clone();
        list.as_array().unwrap().len()
    };
    assert!(risks(&out) > 0);
    assert_eq!(risks(&out), risks(&small_out));

    let (code, out, err) = run(&[
        "who-can",
        "iam:CreatePolicyVersion",
        "arn:aws:iam::123456789012:policy/x",
        "--gaad",
        &dump,
    ]);
    assert!(code == 0 || code == 1, "{code} {out} {err}");
    assert!(out.contains("user/admin-alice"), "{out}");

    let (code, out, err) = run(&[
        "can",
        "user/admin-alice",
        "iam:CreatePolicyVersion",
        "arn:aws:iam::123456789012:policy/x",
        "--gaad",
        &dump,
    ]);
    assert_eq!(code, 0, "{out} {err}");
    assert!(out.contains("allowed"), "{out}");

    let (code, out, err) = run(&["paths", "--gaad", &dump]);
    assert!(code == 0 || code == 1, "{code} {out} {err}");
    assert!(!err.contains("limit"), "{err}");

    // `lint` of a file that starts as a dump gets the dump's limit too.
    let (code, out, err) = run(&["lint", &dump]);
    assert!(code == 0 || code == 1, "{code} {out} {err}");
    assert!(
        !out.contains("byte limit") && !err.contains("byte limit"),
        "{out} {err}"
    );
}

#[test]
fn a_policy_over_32_mib_is_still_refused() {
    let dir = tempfile::tempdir().unwrap();
    // A policy (its first key is not a dump's list), padded over the limit.
    let path = dir.path().join("big-policy.json");
    let pad = " ".repeat(33 * 1024 * 1024);
    std::fs::write(
        &path,
        format!("{{\"Version\": \"2012-10-17\",{pad}\"Statement\": []}}"),
    )
    .unwrap();
    let (code, out, err) = run(&["lint", &path.display().to_string()]);
    assert_eq!(code, 2, "{out} {err}");
    let all = format!("{out}{err}");
    assert!(
        all.contains("over the 33554432 byte limit for a policy document"),
        "{all}"
    );
}
