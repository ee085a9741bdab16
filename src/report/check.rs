//! The result of `check` ([`CheckResult`]) in every format: the findings as for `lint`, then
//! the live principal read, the requirement table, the policy simulator's verdict and the
//! suggested fix as unified diffs (text); or one JSON object with `check`, `suggestions`,
//! `principal` and `simulate` beside the findings. A check that did not run (the principal
//! could not be read whole) shows its errors only.
//!
//! Both are written straight into the output, the table a slice of rows at a time: a rule
//! set of 10,000 grants makes a table of 20 MB, which is never held whole (issue 10: bounded
//! memory).

use std::collections::{BTreeMap, HashSet};
use std::io::{self, Write};

use comfy_table::{
    ColumnConstraint, ContentArrangement, Table, Width, presets::UTF8_FULL_CONDENSED,
};

use super::text::{self, escape, escape_lines};
use crate::analysis::check::{CheckResult, PrincipalSummary, Simulated};
use crate::eval::{Row, suggest::unified_diff};

/// Compiler-style text, then the table and the rest. Below the findings nothing is
/// coloured, and names, Sids and policy text come from the input: shown escaped.
pub fn write_text(out: &mut dyn Write, r: &CheckResult, opts: text::Options) -> io::Result<()> {
    text::write(out, &r.report, opts)?;
    if !r.ran {
        return Ok(());
    }
    if let Some(p) = &r.principal {
        out.write_all(b"\n")?;
        out.write_all(escape_lines(&principal_text(p)).as_bytes())?;
    }
    write_table(out, &r.rule_set, &r.rows)?;
    if let Some(sim) = &r.simulated {
        out.write_all(escape_lines(&simulated_text(sim)).as_bytes())?;
    }
    for (origin, old, new) in &r.suggestions {
        out.write_all(b"\n")?;
        let part = if old == new {
            format!("{origin}: no change needed\n")
        } else {
            unified_diff(origin, old, new)
        };
        out.write_all(escape_lines(&part).as_bytes())?;
    }
    Ok(())
}

impl super::Render for CheckResult {
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

/// What Markdown shows after the findings: the principal read, the table of requirements
/// not satisfied, the simulator's verdict, the suggested fix as `diff` blocks.
pub fn markdown_extra(r: &CheckResult) -> super::markdown::Extra {
    use super::markdown::{Extra, Section, cell, code_span, escape_text, fenced, table_row};
    let mut extra = Extra {
        title: Some(format!("iamlint check: {}", code_span(&r.rule_set))),
        sections: Vec::new(),
    };
    if !r.ran {
        return extra;
    }
    if let Some(p) = &r.principal {
        let mut text = format!(
            "**Principal** {} ({}): {} {}\n\n",
            code_span(&p.name),
            code_span(&p.arn),
            p.policies.len(),
            if p.policies.len() == 1 {
                "policy"
            } else {
                "policies"
            }
        );
        for o in &p.policies {
            text.push_str(&format!("- {}\n", code_span(o)));
        }
        match &p.boundary {
            Some(b) => text.push_str(&format!(
                "- permissions boundary {}: a grant counts only where the boundary allows it too\n",
                code_span(b)
            )),
            None => text.push_str("- no permissions boundary\n"),
        }
        extra.sections.push(Section::Block {
            name: "the principal read".into(),
            text,
        });
    }
    let bad: Vec<&Row> = r.rows.iter().filter(|row| row.status != "ok").collect();
    // Rows are made only up to the comment limit: a rule set of 10,000 grants is never
    // rendered whole.
    let mut rows = Vec::new();
    let mut size = 0;
    for row in &bad {
        if size > super::markdown::LIMIT {
            break;
        }
        let line = table_row(&[
            code_span(&row.grant).replace('|', "\\|"),
            row.status.to_string(),
            code_span(&row.action).replace('|', "\\|"),
            cell(&row.granted_on),
            cell(&row.needed_on),
        ]);
        size += line.len() + 1;
        rows.push(line);
    }
    extra.sections.push(Section::Table {
        name: "requirement rows not satisfied".into(),
        intro: format!(
            "### Requirements\n\n{}: **{} of {} required grants satisfied**{}",
            code_span(&r.rule_set),
            r.rows.len() - bad.len(),
            r.rows.len(),
            if bad.is_empty() { "" } else { ":" }
        ),
        header: HEADER.iter().map(ToString::to_string).collect(),
        rows,
        total: bad.len(),
    });
    if let Some(sim) = &r.simulated {
        let skipped = if sim.not_simulated_conditional > 0 {
            format!(
                " ({} pairs under a required condition not simulated: that needs request context)",
                sim.not_simulated_conditional
            )
        } else {
            String::new()
        };
        let intro = if sim.disagreements.is_empty() {
            format!(
                "### Policy simulator\n\nIAM's policy simulator agrees with iamlint on all {} (action, resource) pairs{skipped}.",
                sim.compared
            )
        } else {
            format!(
                "### Policy simulator\n\nIAM's policy simulator **disagrees** with iamlint on {} of {} pairs{skipped}:",
                sim.disagreements.len(),
                sim.compared
            )
        };
        extra.sections.push(Section::Table {
            name: "simulator disagreements".into(),
            intro,
            header: ["action", "resource", "iamlint", "IAM simulator"]
                .iter()
                .map(ToString::to_string)
                .collect(),
            rows: sim
                .disagreements
                .iter()
                .map(|d| {
                    table_row(&[
                        cell(std::slice::from_ref(&d.action)),
                        cell(std::slice::from_ref(&d.resource)),
                        d.iamlint.to_string(),
                        escape_text(&d.iam).replace('|', "\\|"),
                    ])
                })
                .collect(),
            total: sim.disagreements.len(),
        });
    }
    for (origin, old, new) in &r.suggestions {
        let text = if old == new {
            format!(
                "### Suggested fix for {}\n\nNo change needed.\n",
                code_span(origin)
            )
        } else {
            let diff = super::text::escape_lines(&unified_diff(origin, old, new));
            format!(
                "### Suggested fix for {}\n\n{}\n",
                code_span(origin),
                fenced("diff", &diff, "")
            )
        };
        extra.sections.push(Section::Block {
            name: format!("the suggested fix for {}", code_span(origin)),
            text,
        });
    }
    extra
}

/// [`write_text`] into a string.
pub fn render_text(r: &CheckResult, opts: text::Options) -> String {
    let mut out = Vec::new();
    // Writing into memory does not fail.
    let _ = write_text(&mut out, r, opts);
    String::from_utf8_lossy(&out).into_owned()
}

/// One JSON object: the report's, plus `check` (rule set, params, rows), `suggestions`,
/// `principal` and `simulate` when there are. The rows are serialised from where they
/// are, not copied into a `serde_json::Value` first.
pub fn write_json(out: &mut dyn Write, r: &CheckResult) -> io::Result<()> {
    #[derive(serde::Serialize)]
    #[serde(untagged)]
    enum Member<'a> {
        Check(CheckJson<'a>),
        Value(serde_json::Value),
    }
    if !r.ran {
        return super::json::write_with::<serde_json::Value>(out, &r.report, &[]);
    }
    let mut extra = vec![(
        "check",
        Member::Check(CheckJson {
            rule_set: &r.rule_set,
            params: &r.params,
            rows: &r.rows,
        }),
    )];
    if !r.suggestions.is_empty() {
        let list = r
            .suggestions
            .iter()
            .map(|(origin, old, new)| {
                serde_json::json!({
                    "file": origin,
                    "diff": unified_diff(origin, old, new),
                    "policy": serde_json::from_str::<serde_json::Value>(new).unwrap_or_default(),
                })
            })
            .collect::<Vec<_>>();
        extra.push(("suggestions", Member::Value(list.into())));
    }
    if let Some(p) = &r.principal {
        extra.push((
            "principal",
            Member::Value(serde_json::json!({
                "name": p.name,
                "arn": p.arn,
                "policies": p.policies,
                "permissions_boundary": p.boundary,
            })),
        ));
    }
    if let Some(s) = &r.simulated {
        extra.push(("simulate", Member::Value(serde_json::to_value(s)?)));
    }
    super::json::write_with(out, &r.report, &extra)
}

/// [`write_json`] into a string.
pub fn render_json(r: &CheckResult) -> anyhow::Result<String> {
    let mut out = Vec::new();
    write_json(&mut out, r)?;
    Ok(String::from_utf8(out)?)
}

/// What was read for a live principal, for the reader.
fn principal_text(p: &PrincipalSummary) -> String {
    let mut text = format!(
        "principal {} ({}): {} {}",
        p.name,
        p.arn,
        p.policies.len(),
        if p.policies.len() == 1 {
            "policy"
        } else {
            "policies"
        }
    );
    for o in &p.policies {
        text.push_str(&format!("\n  {o}"));
    }
    match &p.boundary {
        Some(b) => text.push_str(&format!(
            "\n  {b}: a grant counts only where the boundary allows it too\n"
        )),
        None => text.push_str("\n  no permissions boundary\n"),
    }
    text
}

fn simulated_text(sim: &Simulated) -> String {
    let skipped = if sim.not_simulated_conditional > 0 {
        format!(
            " ({} pairs under a required condition not simulated: that needs request context)",
            sim.not_simulated_conditional
        )
    } else {
        String::new()
    };
    if sim.disagreements.is_empty() {
        return format!(
            "\nsimulate: IAM's policy simulator agrees with iamlint on all {} (action, resource) pairs{skipped}\n",
            sim.compared
        );
    }
    let mut t = Table::new();
    t.load_style(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_width(140)
        .set_header(["action", "resource", "iamlint", "IAM simulator"]);
    for d in &sim.disagreements {
        t.add_row([
            d.action.as_str(),
            d.resource.as_str(),
            d.iamlint,
            d.iam.as_str(),
        ]);
    }
    format!(
        "\nsimulate: IAM's policy simulator disagrees with iamlint on {} of {} pairs{skipped}:\n{t}\n",
        sim.disagreements.len(),
        sim.compared
    )
}

/// The table's width in terminal columns.
const WIDTH: u16 = 140;

/// The columns of the table.
const HEADER: [&str; 5] = ["rule", "status", "action", "granted on", "needed on"];

/// Rows formatted at a time: each slice is one small table whose columns have the widths the
/// whole table would give them.
const SLICE: usize = 512;

/// The `check` member of the JSON report: the rule set, its parameters and every row.
#[derive(Debug, serde::Serialize)]
pub struct CheckJson<'a> {
    /// The rule set id.
    pub rule_set: &'a str,
    /// Parameter values, derived ones included.
    pub params: &'a BTreeMap<String, String>,
    /// One row per required action.
    pub rows: &'a [Row],
}

/// Write the summary line and the table of the rows that are not `ok` (nothing more when
/// every row is): the same text as one `comfy_table` of all of them.
pub fn write_table(out: &mut dyn Write, rule_set: &str, rows: &[Row]) -> io::Result<()> {
    let bad: Vec<&Row> = rows.iter().filter(|r| r.status != "ok").collect();
    write!(
        out,
        "\n`{}`: {} of {} required grants satisfied",
        escape(rule_set),
        rows.len() - bad.len(),
        rows.len()
    )?;
    if bad.is_empty() {
        return out.write_all(b"\n");
    }
    out.write_all(b":\n")?;
    let cells: Vec<[String; 5]> = bad.iter().map(|r| cells(r)).collect();
    let widths = column_widths(&cells);
    // A row whose every line fits its column unwrapped is written as `comfy_table` would
    // write it, without it; the other rows go through it, at most SLICE at a time. The
    // first row always does: its table gives the top border and the header; every table
    // ends with the same bottom border, written once at the end.
    let rows: Vec<(bool, &[String; 5])> = cells
        .iter()
        .enumerate()
        .map(|(i, r)| (i > 0 && fits_unwrapped(r, &widths), r))
        .collect();
    let mut bottom = None;
    for run in rows.chunk_by(|a, b| a.0 == b.0) {
        if run.first().is_some_and(|r| r.0) {
            for (_, r) in run {
                write_plain_row(out, r, &widths)?;
            }
            continue;
        }
        for slice in run.chunks(SLICE) {
            let mut t = table();
            t.set_constraints(
                widths
                    .iter()
                    .map(|&w| ColumnConstraint::Absolute(Width::Fixed(w))),
            );
            for (_, r) in slice {
                t.add_row(r.iter().map(String::as_str));
            }
            let mut lines: Vec<String> = t.lines().collect();
            // Top border, header and the line below it: once, from the first table.
            let body_from = if bottom.is_none() {
                0
            } else {
                lines
                    .iter()
                    .position(|l| l.starts_with('╞'))
                    .map_or(0, |p| p + 1)
            };
            bottom = lines.pop();
            for l in lines.get(body_from..).unwrap_or_default() {
                out.write_all(l.as_bytes())?;
                out.write_all(b"\n")?;
            }
        }
    }
    out.write_all(bottom.unwrap_or_default().as_bytes())?;
    out.write_all(b"\n")
}

/// Does every line of every cell fit its column (`widths`, padding included) as it is,
/// in printable ASCII, one byte a column, so that the table would not wrap it?
fn fits_unwrapped(row: &[String; 5], widths: &[u16]) -> bool {
    row.iter().zip(widths).all(|(cell, &w)| {
        cell.split('\n')
            .all(|l| l.len() + 2 <= usize::from(w) && l.bytes().all(|b| (b' '..=b'~').contains(&b)))
    })
}

/// A row that [`fits_unwrapped`], as the table's style writes it: `│ a ┆ b │`, each value
/// padded to its column, one line per line of the tallest cell.
fn write_plain_row(out: &mut dyn Write, row: &[String; 5], widths: &[u16]) -> io::Result<()> {
    let height = row.iter().map(|c| c.split('\n').count()).max().unwrap_or(1);
    let mut lines: Vec<std::str::Split<'_, char>> = row.iter().map(|c| c.split('\n')).collect();
    let mut buf = String::new();
    for _ in 0..height {
        buf.clear();
        buf.push('│');
        for (k, (line, &w)) in lines.iter_mut().zip(widths).enumerate() {
            if k > 0 {
                buf.push('┆');
            }
            let text = line.next().unwrap_or("");
            buf.push(' ');
            buf.push_str(text);
            let pad = usize::from(w).saturating_sub(text.len() + 1);
            buf.extend(std::iter::repeat_n(' ', pad));
        }
        buf.push_str("│\n");
        out.write_all(buf.as_bytes())?;
    }
    Ok(())
}

/// An empty table with the header and the look of `check`'s.
fn table() -> Table {
    let mut t = Table::new();
    t.load_style(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_width(WIDTH)
        .set_header(HEADER);
    t
}

/// The width (padding included) `comfy_table` gives each column of a table of all `rows`.
/// Its arrangement depends only on the set of lines in each column (their widths and where
/// they may wrap), not on which row holds them: a table of one row, each cell holding a
/// column's distinct lines, is arranged the same. Only its top border is read.
fn column_widths(rows: &[[String; 5]]) -> Vec<u16> {
    let mut seen: [HashSet<&str>; 5] = Default::default();
    let mut probe: [String; 5] = Default::default();
    for r in rows {
        for ((cell, seen), probe) in r.iter().zip(&mut seen).zip(&mut probe) {
            for line in cell.split('\n') {
                if !seen.is_empty() && !seen.contains(line) {
                    probe.push('\n');
                }
                if seen.insert(line) {
                    probe.push_str(line);
                }
            }
        }
    }
    drop(seen);
    let mut t = table();
    t.add_row(probe);
    let top = t.lines().next().unwrap_or_default();
    // `┌──────┬─────┐`: the run of `─` between corners is a column's width.
    top.trim_start_matches('┌')
        .trim_end_matches('┐')
        .split('┬')
        .map(|run| u16::try_from(run.chars().count()).unwrap_or(u16::MAX))
        .collect()
}

/// A row's cells, escaped: values from the input are shown escaped in a terminal.
fn cells(r: &Row) -> [String; 5] {
    [
        escape(&r.grant).into_owned(),
        r.status.to_string(),
        escape(&r.action).into_owned(),
        if r.granted_on.is_empty() {
            "-".to_string()
        } else {
            cell(&r.granted_on)
        },
        cell(&r.needed_on),
    ]
}

/// One value a line. A value longer than an ARN can be is shortened: the table wraps a long
/// word at a cost that grows with the square of its length (issue 10: bounded cost); the
/// findings and the JSON keep it whole.
fn cell(values: &[String]) -> String {
    let max = crate::arn::MAX_ARN_LEN;
    let mut s = String::new();
    for (i, v) in values.iter().enumerate() {
        if i > 0 {
            s.push('\n');
        }
        match v.char_indices().nth(64) {
            Some((cut, _)) if v.len() > max => {
                let short = format!(
                    "{}… ({} characters)",
                    v.get(..cut).unwrap_or(""),
                    v.chars().count()
                );
                s.push_str(&escape(&short));
            }
            _ => s.push_str(&escape(v)),
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(grant: &str, status: &'static str, granted: &[&str], needed: &[&str]) -> Row {
        Row {
            grant: grant.into(),
            status,
            action: "s3:GetObject".into(),
            granted_on: granted.iter().map(ToString::to_string).collect(),
            needed_on: needed.iter().map(ToString::to_string).collect(),
        }
    }

    /// The table as one `comfy_table` of every row, as `check` printed it before slicing.
    fn whole(rule_set: &str, rows: &[Row]) -> String {
        let bad: Vec<&Row> = rows.iter().filter(|r| r.status != "ok").collect();
        let mut s = format!(
            "\n`{rule_set}`: {} of {} required grants satisfied",
            rows.len() - bad.len(),
            rows.len()
        );
        if bad.is_empty() {
            return s + "\n";
        }
        s.push_str(":\n");
        let mut t = table();
        for r in bad {
            t.add_row(cells(r));
        }
        s + &t.to_string() + "\n"
    }

    fn sliced(rule_set: &str, rows: &[Row]) -> String {
        let mut out = Vec::new();
        write_table(&mut out, rule_set, rows).unwrap();
        String::from_utf8(out).unwrap()
    }

    /// Sliced, the table is the same text as whole: narrow and wide columns, columns that
    /// wrap at spaces and inside long words, multi-line cells, several slices, escapes.
    #[test]
    fn sliced_table_is_the_whole_table() {
        let mut cases: Vec<Vec<Row>> = vec![
            vec![row(
                "G0",
                "ok",
                &["arn:aws:s3:::b/*"],
                &["arn:aws:s3:::b/*"],
            )],
            vec![row("G0", "missing", &[], &["arn:aws:s3:::b/*"])],
        ];
        // Many short rows over several slices, with one wide value far down.
        let mut many: Vec<Row> = (0..(3 * SLICE + 7))
            .map(|i| {
                row(
                    &format!("G{i}"),
                    if i % 3 == 0 { "ok" } else { "mis-scoped" },
                    &["arn:aws:s3:::a/*", "arn:aws:s3:::c/*"],
                    &[&format!("arn:aws:s3:::bucket-{i}/*")],
                )
            })
            .collect();
        many.push(row(
            "Last",
            "denied",
            &["*"],
            &[&format!("arn:aws:s3:::{}/*", "x".repeat(90))],
        ));
        cases.push(many);
        // Columns that cannot all fit: long words, words with spaces, a long Sid, an
        // over-long value (shortened), a control character (escaped), wide characters.
        let wide: Vec<Row> = (0..(SLICE + 3))
            .map(|i| {
                row(
                    &format!("Sid with spaces number {i} and some more words"),
                    "too broad",
                    &[
                        &format!("arn:aws:s3:::{}-{i}/*", "long".repeat(20)),
                        "arn:aws:s3:::a b c d e f g h i j k l m n o p q r s t u v w x y z/*",
                    ],
                    &[
                        &format!("arn:aws:s3:::{}/{i}", "y".repeat(3000)),
                        "arn:aws:s3:::tab\there/ünïcödé/日本語/*",
                    ],
                )
            })
            .collect();
        cases.push(wide);
        // Rows written without the table (they fit) between rows it wraps, over slices;
        // values with spaces at their ends, and one that fills its column exactly.
        let mixed: Vec<Row> = (0..(2 * SLICE + 5))
            .map(|i| {
                let needed = match i % 7 {
                    0 => format!("arn:aws:s3:::{}/{i}", "z".repeat(150)),
                    1 => format!(" arn:aws:s3:::spaced-{i}/* "),
                    2 => "arn:aws:s3:::ünï/*".to_string(),
                    _ => format!("arn:aws:s3:::bucket-{i}/*"),
                };
                row(
                    &format!("G{i}"),
                    "mis-scoped",
                    &["arn:aws:s3:::a/*", "arn:aws:s3:::c/* "],
                    &[&needed],
                )
            })
            .collect();
        cases.push(mixed);
        cases.push(
            ["a", "ab", "abc"]
                .iter()
                .map(|g| row(g, "missing", &[], &["arn:aws:s3:::b/*"]))
                .collect(),
        );
        for rows in &cases {
            assert_eq!(sliced("set`x", rows), whole("set`x", rows));
        }
    }
}
