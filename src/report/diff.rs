//! The result of `diff` ([`DiffResult`]) in every format: the findings (`new-access`,
//! `removed-access`) as for `lint`, then the access delta per file, grouped by service and
//! access level (text); or one JSON object with `diff` (`allowed_by`, and per file the
//! added and removed grants, each action whole) beside the findings. [`write_markdown_delta`]
//! prints the delta as Markdown, for a PR comment.
//!
//! Text and Markdown name the actions of a group within a budget and count the rest, and
//! show at most [`MAX_GROUPS`] groups per file and side (`Action: *` adds thousands of
//! actions in hundreds of groups); the JSON keeps every grant.

use std::collections::BTreeMap;
use std::io::{self, Write};

use super::text::{self, escape};
use crate::analysis::diff::{Change, DiffResult, FileDelta, Grant};
use crate::finding::{bounded_list, bounded_list_within};

/// Groups (service, access level) shown per file and side in text and Markdown.
pub const MAX_GROUPS: usize = 40;

impl super::Render for DiffResult {
    fn report(&self) -> &crate::Report {
        &self.report
    }
    fn write_text(&self, out: &mut dyn Write, opts: text::Options) -> io::Result<()> {
        write_text(out, self, opts)
    }
    fn write_json(&self, out: &mut dyn Write) -> io::Result<()> {
        write_json(out, self)
    }
    fn write_markdown(&self, out: &mut dyn Write) -> io::Result<()> {
        super::markdown::write(out, &self.report, &markdown_extra(self))
    }
}

fn change_name(c: Change) -> &'static str {
    match c {
        Change::Compared => "compared",
        Change::Modified => "modified",
        Change::Added => "added",
        Change::Deleted => "deleted",
    }
}

/// One group of grants: (service, access level) -> grants.
/// Ordered by service, then access level (the most powerful first).
type Groups<'g> = BTreeMap<(&'g str, u8, &'g str), Vec<&'g Grant>>;

fn groups(grants: &[Grant]) -> Groups<'_> {
    let mut by: Groups<'_> = BTreeMap::new();
    for g in grants {
        by.entry((
            g.service.as_str(),
            crate::analysis::diff::level_rank(g.access_level),
            g.access_level,
        ))
        .or_default()
        .push(g);
    }
    by
}

/// The actions of a group (bounded), and the resources they are granted on (bounded).
fn group_text(gs: &[&Grant]) -> (String, String) {
    let mut names: Vec<String> = gs.iter().map(|g| format!("`{}`", g.action)).collect();
    names.dedup();
    let mut resources: Vec<String> = Vec::new();
    for g in gs {
        for r in &g.resources {
            let r = format!("`{r}`");
            if !resources.contains(&r) {
                resources.push(r);
            }
        }
    }
    (
        bounded_list_within(&names, 2 * crate::finding::LIST_BUDGET),
        bounded_list(&resources),
    )
}

fn count(n: usize) -> String {
    format!("{n} action{}", if n == 1 { "" } else { "s" })
}

/// Distinct actions of a side.
fn actions(grants: &[Grant]) -> usize {
    let mut names: Vec<&str> = grants.iter().map(|g| g.action.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    names.len()
}

/// The findings as for `lint`, then per file the access added (`+`) and removed (`-`),
/// one line per service and access level. Input text (paths, ARNs) is shown escaped.
pub fn write_text(out: &mut dyn Write, r: &DiffResult, opts: text::Options) -> io::Result<()> {
    text::write(out, &r.report, opts)?;
    if r.files.is_empty() {
        return Ok(());
    }
    out.write_all(b"\naccess delta:\n")?;
    let quiet = quiet_files(r);
    for f in &r.files {
        if quiet > 0 && unchanged(f) {
            continue;
        }
        let mut line = format!(
            "{} ({}): {} added, {} removed",
            f.file,
            change_name(f.change),
            count(actions(&f.added)),
            count(actions(&f.removed))
        );
        if let Some(id) = &r.allowed_by {
            let inside = f.added.iter().filter(|g| g.allowed).count();
            if inside > 0 {
                line.push_str(&format!(" ({inside} added inside `{id}`)"));
            }
        }
        writeln!(out, "{}", escape(&line))?;
        for (mark, side) in [("+", &f.added), ("-", &f.removed)] {
            let gs = groups(side);
            let n = gs.len();
            for ((svc, _, level), grants) in gs.into_iter().take(MAX_GROUPS) {
                let (names, on) = group_text(&grants);
                let mut l = format!("  {mark} {svc} {level}: {names} on {on}");
                if mark == "+" && grants.iter().all(|g| g.allowed) && r.allowed_by.is_some() {
                    l.push_str(" (allowed)");
                }
                writeln!(out, "{}", escape(&l))?;
            }
            if n > MAX_GROUPS {
                writeln!(
                    out,
                    "  {mark} ... and {} more groups (`--format json` lists every action)",
                    n - MAX_GROUPS
                )?;
            }
        }
    }
    if quiet > 0 {
        writeln!(out, "{quiet} more files: no access added or removed")?;
    }
    Ok(())
}

/// Files listed by name when they changed no access, at most; past it they are counted.
pub const MAX_UNCHANGED_LISTED: usize = 10;

fn unchanged(f: &FileDelta) -> bool {
    f.added.is_empty() && f.removed.is_empty()
}

/// How many files are counted rather than listed (0: all are listed).
fn quiet_files(r: &DiffResult) -> usize {
    let n = r.files.iter().filter(|f| unchanged(f)).count();
    if n > MAX_UNCHANGED_LISTED { n } else { 0 }
}

/// One JSON object: the report's members, plus `diff`: `allowed_by` and `files`, each
/// with `file`, `change`, `added` and `removed` (every grant: service, access level,
/// action, resources, reason, conditional, allowed).
pub fn write_json(out: &mut dyn Write, r: &DiffResult) -> io::Result<()> {
    #[derive(serde::Serialize)]
    struct DiffJson<'a> {
        allowed_by: &'a Option<String>,
        new_access: bool,
        files: &'a [FileDelta],
    }
    let member = DiffJson {
        allowed_by: &r.allowed_by,
        new_access: r.has_new_access(),
        files: &r.files,
    };
    super::json::write_with(out, &r.report, &[("diff", member)])
}

/// A Markdown table cell: no line break, `|` escaped, control characters as escapes.
fn cell(s: &str) -> String {
    escape(s).replace('|', "\\|").replace(['\n', '\r'], " ")
}

/// The access delta as Markdown, per file: a heading, then the access added and removed
/// as tables of service, access level, actions and resources. Made for a PR comment: each
/// table holds at most [`MAX_GROUPS`] rows and says what it left out.
pub fn write_markdown_delta(out: &mut dyn Write, r: &DiffResult) -> io::Result<()> {
    if r.files.is_empty() {
        return writeln!(out, "No policy file to compare.");
    }
    let quiet = quiet_files(r);
    for f in &r.files {
        if quiet > 0 && unchanged(f) {
            continue;
        }
        write_file_delta(out, r, f)?;
    }
    if quiet > 0 {
        writeln!(out, "No access added or removed in {quiet} more files.")?;
    }
    Ok(())
}

/// What Markdown shows after the findings: the access delta of each file, one block each
/// (a file's delta is shown whole or cut whole under the comment limit, and said so).
pub fn markdown_extra(r: &DiffResult) -> super::markdown::Extra {
    use super::markdown::{Extra, Section};
    let mut extra = Extra {
        title: Some("iamlint diff: the access this change adds and removes".to_string()),
        sections: Vec::new(),
    };
    if r.files.is_empty() {
        extra.sections.push(Section::Block {
            name: "the note that no file was compared".into(),
            text: "No policy file to compare.\n".into(),
        });
        return extra;
    }
    let quiet = quiet_files(r);
    for f in &r.files {
        if quiet > 0 && unchanged(f) {
            continue;
        }
        let mut text = Vec::new();
        // Writing into memory does not fail.
        let _ = write_file_delta(&mut text, r, f);
        extra.sections.push(Section::Block {
            name: format!("the access delta of `{}`", f.file),
            text: String::from_utf8_lossy(&text).into_owned(),
        });
    }
    if quiet > 0 {
        extra.sections.push(Section::Block {
            name: "the count of unchanged files".into(),
            text: format!("No access added or removed in {quiet} more files.\n"),
        });
    }
    extra
}

/// One file's heading and its tables of access added and removed.
fn write_file_delta(out: &mut dyn Write, r: &DiffResult, f: &FileDelta) -> io::Result<()> {
    {
        writeln!(
            out,
            "### Access delta of `{}` ({})\n",
            cell(&f.file).replace('`', "'"),
            change_name(f.change)
        )?;
        if f.added.is_empty() && f.removed.is_empty() {
            return writeln!(out, "No access added or removed.\n");
        }
        for (title, side, added) in [
            ("Access added", &f.added, true),
            ("Access removed", &f.removed, false),
        ] {
            if side.is_empty() {
                continue;
            }
            writeln!(out, "**{title}** ({})\n", count(actions(side)))?;
            let allowed_column = added && r.allowed_by.is_some();
            if allowed_column {
                writeln!(
                    out,
                    "| Service | Access level | Actions | Resources | Inside `{}` |",
                    cell(r.allowed_by.as_deref().unwrap_or_default())
                )?;
                writeln!(out, "|---|---|---|---|---|")?;
            } else {
                writeln!(out, "| Service | Access level | Actions | Resources |")?;
                writeln!(out, "|---|---|---|---|")?;
            }
            let gs = groups(side);
            let n = gs.len();
            for ((svc, _, level), grants) in gs.into_iter().take(MAX_GROUPS) {
                let (names, on) = group_text(&grants);
                write!(
                    out,
                    "| `{}` | {} | {} | {} |",
                    cell(svc),
                    level,
                    cell(&names),
                    cell(&on)
                )?;
                if allowed_column {
                    let inside = grants.iter().all(|g| g.allowed);
                    write!(out, " {} |", if inside { "yes" } else { "no" })?;
                }
                writeln!(out)?;
            }
            if n > MAX_GROUPS {
                writeln!(
                    out,
                    "\n{} more service and access-level groups not shown; `--format json` lists every action.",
                    n - MAX_GROUPS
                )?;
            }
            writeln!(out)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::diff::{Pair, Request, diff};
    use crate::source::Document;

    fn result() -> DiffResult {
        let doc = |o: &str, t: &str| Document {
            origin: o.into(),
            text: t.into(),
        };
        diff(Request {
            pairs: vec![Pair {
                label: "p|x.json".into(),
                change: Change::Modified,
                old: vec![doc(
                    "old.json",
                    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}"#,
                )],
                new: vec![doc(
                    "p|x.json",
                    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:PutObject","ec2:DescribeInstances"],"Resource":["arn:aws:s3:::b/*","*"]}]}"#,
                )],
            }],
            ..Request::default()
        })
    }

    #[test]
    fn markdown_delta_groups_by_service_and_level() {
        let mut out = Vec::new();
        write_markdown_delta(&mut out, &result()).unwrap();
        let md = String::from_utf8(out).unwrap();
        assert!(
            md.starts_with("### Access delta of `p\\|x.json` (modified)\n"),
            "{md}"
        );
        assert!(md.contains("**Access added** (2 actions)"), "{md}");
        assert!(
            md.contains("| `s3` | Write | `s3:PutObject` | `arn:aws:s3:::b/*`, `*` |"),
            "{md}"
        );
        assert!(
            md.contains("| `ec2` | List | `ec2:DescribeInstances` | `*` |"),
            "{md}"
        );
        assert!(md.contains("**Access removed** (1 action)"), "{md}");
        assert!(md.contains("| `s3` | Read | `s3:GetObject` |"), "{md}");
    }

    #[test]
    fn files_without_change_are_counted_past_ten() {
        let same = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#;
        let doc = |o: String| Document {
            origin: o,
            text: same.into(),
        };
        let pairs = |n: usize| {
            (0..n)
                .map(|i| Pair {
                    label: format!("f{i}.json"),
                    change: Change::Compared,
                    old: vec![doc(format!("old/f{i}.json"))],
                    new: vec![doc(format!("f{i}.json"))],
                })
                .collect::<Vec<_>>()
        };
        let text = |n: usize| {
            let r = diff(Request {
                pairs: pairs(n),
                ..Request::default()
            });
            let mut out = Vec::new();
            write_text(&mut out, &r, text::Options::default()).unwrap();
            let mut md = Vec::new();
            write_markdown_delta(&mut md, &r).unwrap();
            (
                String::from_utf8(out).unwrap(),
                String::from_utf8(md).unwrap(),
            )
        };
        let (t, md) = text(10);
        assert!(
            t.contains("f9.json (compared): 0 actions added, 0 actions removed"),
            "{t}"
        );
        assert!(
            md.contains("### Access delta of `f9.json` (compared)\n\nNo access added or removed."),
            "{md}"
        );
        let (t, md) = text(11);
        assert!(!t.contains("f9.json"), "{t}");
        assert!(
            t.ends_with("access delta:\n11 more files: no access added or removed\n"),
            "{t}"
        );
        assert_eq!(md, "No access added or removed in 11 more files.\n");
    }
}
