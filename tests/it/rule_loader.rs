//! A rule file is read by the one reader of inputs (`source::read`), and what it refuses is
//! said once, in the words of rule files; a shipped rule set is found by its id without
//! reading the others (issue 10, leftovers).

use crate::util::run;

const RULES: &str = "id = \"x\"\ntitle = \"t\"\nsystem = \"s\"\n[source]\ntitle = \"d\"\n[[grant]]\nactions = [\"s3:GetObject\"]\nresources = [\"*\"]\n";

/// `render --rules <path>` exits 2 with exactly `want` on stderr and nothing on stdout.
fn refused(path: &str, want: &str) {
    let (code, out, err) = run(&["render", "--rules", path]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(out.is_empty(), "{out}");
    assert_eq!(err, format!("error: {want}\n"));
}

/// The OS error of a missing file is said once (it was also the error's cause, so the
/// chain printed it twice).
#[test]
fn a_missing_rule_file_is_said_once() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("nope.toml").display().to_string();
    refused(
        &p,
        &format!("{p}: cannot read: No such file or directory (os error 2)"),
    );
}

#[cfg(unix)]
#[test]
fn a_broken_link_names_its_target() {
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("rules.toml");
    std::os::unix::fs::symlink("gone.toml", &link).unwrap();
    let p = link.display().to_string();
    refused(
        &p,
        &format!("{p}: a symbolic link to `gone.toml`, which does not exist"),
    );
}

#[test]
fn a_nul_byte_is_located() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("rules.toml");
    std::fs::write(&p, format!("{RULES}notes = [\"a\0b\"]\n")).unwrap();
    let p = p.display().to_string();
    refused(
        &p,
        &format!("{p}:9:12: not a text file (a NUL byte); a rule file is UTF-8 TOML"),
    );
}

#[test]
fn a_folder_named_like_a_rule_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("rules.toml");
    std::fs::create_dir(&p).unwrap();
    let p = p.display().to_string();
    refused(
        &p,
        &format!("{p}: not a regular file (a folder); a rule file is a TOML file"),
    );
}

#[test]
fn a_readable_rule_file_still_renders() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("rules.toml");
    std::fs::write(&p, RULES).unwrap();
    let (code, out, err) = run(&["render", "--rules", p.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("\"s3:GetObject\""), "{out}");
}

/// Every shipped id is found, and an unknown one gets the did-you-mean over all of them.
#[test]
fn shipped_ids_are_found_and_unknown_ones_get_a_hint() {
    let (code, out, err) = run(&["rules", "list", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let list: serde_json::Value = serde_json::from_str(&out).unwrap();
    for set in list.as_array().unwrap() {
        let id = set["id"].as_str().unwrap();
        let file = set["file"].as_str().unwrap();
        assert!(file.ends_with(&format!("/{id}.toml")), "{file}");
        let (code, out, err) = run(&["rules", "show", id]);
        assert_eq!(code, 0, "{id}: {err}");
        assert!(out.contains(id), "{out}");
    }
    let (code, _, err) = run(&["rules", "show", "dstack-aws-hubb"]);
    assert_eq!(code, 2);
    assert_eq!(
        err,
        "error: no rule set `dstack-aws-hubb`; did you mean `dstack-aws-hub`? (`iamlint rules list` shows them)\n"
    );
}
