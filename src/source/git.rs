//! Git as a source, for `iamlint diff --git-base REF`: the `*.json` files under some paths
//! that changed between a ref and the working tree (and the untracked ones), each with its
//! text at the ref and now. It runs the `git` binary (`rev-parse`, `diff --name-status -z`,
//! `ls-files`, `show`) and never changes the repository: no command here writes, and
//! `GIT_OPTIONAL_LOCKS=0` keeps `git diff` from refreshing the index.
//!
//! A directory that is not in a git repository, or a ref that names no commit, is a
//! [`GitError`] with git's reason; a file that cannot be read is an error of that file only.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::{Document, Input, LoadError};

/// Why git could not be asked.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GitError {
    /// The `git` binary could not be run.
    #[error("cannot run `git`: {0}")]
    Spawn(#[source] std::io::Error),
    /// The directory is not inside a git work tree.
    #[error("{dir}: not a git repository: {detail}")]
    NotARepo {
        /// The directory.
        dir: String,
        /// What git said.
        detail: String,
    },
    /// The ref names no commit.
    #[error("`{reference}` is not a commit of the repository at {dir}: {detail}")]
    BadRef {
        /// The ref as given.
        reference: String,
        /// The directory.
        dir: String,
        /// What git said.
        detail: String,
    },
    /// Another git command failed.
    #[error("git {command}: {detail}")]
    Failed {
        /// The command, e.g. `diff --name-status`.
        command: String,
        /// What git said.
        detail: String,
    },
}

/// How a file changed since the ref.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Modified (or renamed from `base_path`, or its type changed).
    Modified,
    /// Not at the ref (added, or untracked).
    Added,
    /// At the ref, gone now.
    Deleted,
}

/// One changed file with its two texts.
#[derive(Debug)]
pub struct Changed {
    /// The path as shown (relative to the directory git ran in when below it).
    pub path: String,
    /// How it changed.
    pub status: Status,
    /// Its text at the ref (`None` for an added file), labelled `REF:path`.
    pub old: Option<Result<Document, LoadError>>,
    /// Its text now (`None` for a deleted file).
    pub new: Option<Result<Document, LoadError>>,
}

/// A git command run in `dir`: its standard output, or git's message.
fn git(dir: &Path, args: &[&str]) -> Result<Result<Vec<u8>, String>, GitError> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("GIT_OPTIONAL_LOCKS", "0")
        .env("GIT_TERMINAL_PROMPT", "0")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .output()
        .map_err(GitError::Spawn)?;
    if out.status.success() {
        Ok(Ok(out.stdout))
    } else {
        let msg = String::from_utf8_lossy(&out.stderr);
        let msg = msg
            .lines()
            .map(|l| l.trim_start_matches("fatal: ").trim())
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join("; ");
        Ok(Err(msg))
    }
}

fn failed(command: &str) -> impl FnOnce(String) -> GitError + '_ {
    move |detail| GitError::Failed {
        command: command.to_string(),
        detail,
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).trim_end().to_string()
}

/// The `*.json` files under `paths` (relative to `dir`; all of `dir` when empty) that differ
/// between `reference` and the working tree, plus untracked ones, each with both texts.
pub fn changed_since(
    dir: &Path,
    reference: &str,
    paths: &[String],
) -> Result<Vec<Changed>, GitError> {
    let shown = dir.display().to_string();
    let top =
        git(dir, &["rev-parse", "--show-toplevel"])?.map_err(|detail| GitError::NotARepo {
            dir: shown.clone(),
            detail,
        })?;
    let top = PathBuf::from(text(&top));
    let prefix = text(&git(dir, &["rev-parse", "--show-prefix"])?.map_err(failed("rev-parse"))?);
    // `--end-of-options`: a ref that starts with `-` is a ref, never an option.
    let spec = format!("{reference}^{{commit}}");
    let commit = git(
        dir,
        &[
            "rev-parse",
            "--verify",
            "--quiet",
            "--end-of-options",
            &spec,
        ],
    )?
    .map_err(|detail| GitError::BadRef {
        reference: reference.to_string(),
        dir: shown.clone(),
        detail: if detail.is_empty() {
            "no such commit".into()
        } else {
            detail
        },
    })?;
    let commit = text(&commit);
    let mut pathspecs: Vec<&str> = paths.iter().map(String::as_str).collect();
    if pathspecs.is_empty() {
        pathspecs.push(".");
    }
    let mut args = vec![
        "diff",
        "--name-status",
        "-z",
        "--no-ext-diff",
        "--no-textconv",
        // A file moved with few edits is compared with its old self; two merely similar
        // policies (git's default is 50%) are not taken for one renamed.
        "--find-renames=90%",
        &commit,
        "--",
    ];
    args.extend(&pathspecs);
    let listed = git(dir, &args)?.map_err(failed("diff --name-status"))?;
    let mut entries: Vec<(Status, Option<String>, Option<String>)> = Vec::new();
    let mut fields = listed
        .split(|&b| b == 0)
        .map(|f| String::from_utf8_lossy(f).into_owned());
    while let Some(st) = fields.next() {
        let Some(kind) = st.chars().next() else {
            continue;
        };
        let Some(first) = fields.next() else { break };
        match kind {
            'A' => entries.push((Status::Added, None, Some(first))),
            'D' => entries.push((Status::Deleted, Some(first), None)),
            // A rename or copy names the old path, then the new one.
            'R' | 'C' => {
                let Some(second) = fields.next() else { break };
                entries.push((Status::Modified, Some(first), Some(second)));
            }
            _ => entries.push((Status::Modified, Some(first.clone()), Some(first))),
        }
    }
    let mut args = vec![
        "ls-files",
        "--others",
        "--exclude-standard",
        "--full-name",
        "-z",
        "--",
    ];
    args.extend(&pathspecs);
    let untracked = git(dir, &args)?.map_err(failed("ls-files"))?;
    for f in untracked.split(|&b| b == 0).filter(|f| !f.is_empty()) {
        entries.push((
            Status::Added,
            None,
            Some(String::from_utf8_lossy(f).into_owned()),
        ));
    }
    let json = |p: &Option<String>| {
        p.as_deref()
            .is_some_and(|p| p.to_ascii_lowercase().ends_with(".json"))
    };
    let show = |name: &str| -> String {
        match name.strip_prefix(prefix.as_str()) {
            Some(rest) => rest.to_string(),
            None => top.join(name).display().to_string(),
        }
    };
    let mut out = Vec::new();
    for (status, old, new) in entries {
        if !json(&old) && !json(&new) {
            continue;
        }
        let path = show(new.as_deref().or(old.as_deref()).unwrap_or_default());
        let old = match &old {
            Some(o) => Some(at_ref(&top, reference, &commit, o)?),
            None => None,
        };
        let new = new
            .as_deref()
            .map(|n| super::read(&Input::File(top.join(n))).map(|d| relabel(d, show(n))));
        out.push(Changed {
            path,
            status,
            old,
            new,
        });
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}

fn relabel(mut d: Document, origin: String) -> Document {
    d.origin = origin;
    d
}

/// The text of root-relative `name` at `commit`, labelled `REF:name`.
fn at_ref(
    top: &Path,
    reference: &str,
    commit: &str,
    name: &str,
) -> Result<Result<Document, LoadError>, GitError> {
    let object = format!("{commit}:{name}");
    let bytes = git(top, &["cat-file", "blob", &object])?.map_err(failed("cat-file"))?;
    Ok(super::from_bytes(format!("{reference}:{name}"), bytes))
}
