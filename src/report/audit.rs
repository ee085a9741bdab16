//! `iamlint audit` rendered ([`crate::analysis::audit::review::Review`]): the findings as
//! `lint` renders them (text, JSON, SARIF, Markdown), with a summary table first in text,
//! the principals and escalation paths added to JSON and Markdown, and the self-contained
//! HTML page ([`super::html`]) with the principals, paths, findings and trust relationships.

use std::io::{self, Write};

use comfy_table::{ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};
use serde::Serialize;
use serde_json::{Value, json};

use super::{Render, markdown, text};
use crate::analysis::audit::review::Review;
use crate::finding::{Code, Severity};

impl Render for Review {
    fn report(&self) -> &crate::Report {
        &self.report
    }

    /// The summary table (findings by code and severity), then the findings, most severe
    /// first, each with its place in the dump.
    fn write_text(&self, out: &mut dyn Write, opts: text::Options) -> io::Result<()> {
        if self.principals.is_empty() && !self.report.errors.is_empty() {
            // No account was read: the errors say why, with no table of zeros above them.
            return text::write(out, &self.report, opts);
        }
        writeln!(out, "{}", summary_table(self))?;
        writeln!(
            out,
            "{} users and roles audited, {} admin-equivalent, {} escalation paths, {} not evaluated\n",
            self.audited,
            self.principals.iter().filter(|p| p.admin).count(),
            self.paths.len(),
            self.principals.iter().filter(|p| !p.evaluated).count(),
        )?;
        text::write(out, &self.report, opts)
    }

    /// `lint`'s JSON (the `findings`, each naming its `principal`), plus `audit` (counts),
    /// `principals`, `paths` and `trust`: what `iamlint audit merge` reads back.
    fn write_json(&self, out: &mut dyn Write) -> io::Result<()> {
        let principals = serde_json::to_value(&self.principals).unwrap_or(Value::Null);
        let paths = serde_json::to_value(&self.paths).unwrap_or(Value::Null);
        let trust = serde_json::to_value(&self.trust).unwrap_or(Value::Null);
        let audit = json!({
            "audited": self.audited,
            "admin_equivalent": self.principals.iter().filter(|p| p.admin).count(),
            "not_evaluated": self.principals.iter().filter(|p| !p.evaluated).count(),
            "paths": self.paths.len(),
        });
        super::json::write_with(
            out,
            &self.report,
            &[
                ("audit", audit),
                ("principals", principals),
                ("paths", paths),
                ("trust", trust),
            ],
        )
    }

    /// The findings, then the escalation paths and the admin-equivalent principals.
    fn write_markdown(&self, out: &mut dyn Write) -> io::Result<()> {
        let mut extra = markdown::Extra {
            title: Some("iamlint audit".to_string()),
            sections: Vec::new(),
        };
        let header = |cells: &[&str]| cells.iter().map(|c| (*c).to_string()).collect();
        extra.sections.push(markdown::Section::Table {
            name: "escalation paths".to_string(),
            intro: format!(
                "### Escalation paths\n\n{} users and roles audited; {} can become an administrator.\n",
                self.audited,
                self.paths.len()
            ),
            header: header(&["From", "To", "Steps"]),
            rows: self
                .paths
                .iter()
                .map(|p| {
                    let steps: Vec<String> = p
                        .path
                        .steps
                        .iter()
                        .map(|s| format!("{} -> {} ({})", s.from, s.to, s.via))
                        .collect();
                    markdown::table_row(&[
                        markdown::cell(std::slice::from_ref(&p.path.from)),
                        markdown::cell(std::slice::from_ref(&p.path.to)),
                        markdown::cell(&steps),
                    ])
                })
                .collect(),
            total: self.paths.len(),
        });
        let admins: Vec<_> = self.principals.iter().filter(|p| p.admin).collect();
        extra.sections.push(markdown::Section::Table {
            name: "admin-equivalent principals".to_string(),
            intro: "### Admin-equivalent principals\n".to_string(),
            header: header(&["Principal", "Account", "Policies"]),
            rows: admins
                .iter()
                .map(|p| {
                    let pol: Vec<String> = p.policies.iter().map(|x| x.name.clone()).collect();
                    markdown::table_row(&[
                        markdown::cell(std::slice::from_ref(&p.principal)),
                        markdown::cell(std::slice::from_ref(&p.account)),
                        markdown::cell(&pol),
                    ])
                })
                .collect(),
            total: admins.len(),
        });
        markdown::write(out, &self.report, &extra)
    }

    /// One self-contained page: overview, paths drawn, principals (a page each), findings,
    /// trust.
    fn write_html(&self, out: &mut dyn Write) -> io::Result<()> {
        super::html::write(out, &html_data(self))
    }
}

/// Findings by code (rows) and severity (columns), the codes in registry order.
fn summary_table(r: &Review) -> Table {
    let mut t = Table::new();
    t.load_style(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Disabled)
        .set_header(vec!["finding", "error", "warning", "info", "principals"]);
    let mut total = [0usize; 3];
    for code in Code::ALL {
        let of: Vec<_> = r
            .report
            .findings
            .iter()
            .filter(|f| f.code == *code)
            .collect();
        if of.is_empty() {
            continue;
        }
        let n = |s: Severity| of.iter().filter(|f| f.severity == s).count();
        let counts = [n(Severity::Error), n(Severity::Warning), n(Severity::Info)];
        for (t, c) in total.iter_mut().zip(counts) {
            *t += c;
        }
        let mut who: Vec<(&str, Option<&str>)> = of
            .iter()
            .map(|f| (&*f.location.file, f.principal.as_deref()))
            .collect();
        who.sort_unstable();
        who.dedup();
        t.add_row(vec![
            code.as_str().to_string(),
            counts[0].to_string(),
            counts[1].to_string(),
            counts[2].to_string(),
            who.len().to_string(),
        ]);
    }
    t.add_row(vec![
        "total".to_string(),
        total[0].to_string(),
        total[1].to_string(),
        total[2].to_string(),
        r.principals
            .iter()
            .filter(|p| p.findings > 0)
            .count()
            .to_string(),
    ]);
    t
}

/// The page's data: `summary`, `principals`, `paths`, `findings`, `source`, `catalog`.
/// The page's data: `permissions` of each principal serialised from the review, not copied
/// (they are most of the data of a large account).
#[derive(Serialize)]
pub struct Page<'a> {
    #[serde(flatten)]
    rest: Value,
    principals: Vec<PrincipalPage<'a>>,
}

/// A principal of [`Page`].
#[derive(Serialize)]
struct PrincipalPage<'a> {
    #[serde(flatten)]
    fields: Value,
    permissions: Option<&'a Value>,
}

/// The data of the HTML page of `r` (the shape docs/audit.md describes).
pub fn html_data(r: &Review) -> Page<'_> {
    let findings: Vec<Value> = r
        .report
        .findings
        .iter()
        .map(|f| {
            json!({
                "code": f.code.as_str(),
                "severity": f.severity.as_str(),
                "message": f.message,
                "principal": f.principal,
                "file": &*f.location.file, "line": f.location.line, "column": f.location.column,
            })
        })
        .collect();
    let count = |sev: Severity| {
        r.report
            .findings
            .iter()
            .filter(|f| f.severity == sev)
            .count()
    };
    let many = r.report.sources.len() > 1;
    let id = |account: &str, p: &str| {
        if many {
            format!("{account}:{p}")
        } else {
            p.to_string()
        }
    };
    // Each role's trust, found by account and role (not one scan of every role per principal).
    let trust_of: std::collections::HashMap<
        (&str, &str),
        &crate::analysis::audit::review::AccountTrust,
    > = r
        .trust
        .iter()
        .map(|t| ((t.account.as_str(), t.role.role.as_str()), t))
        .collect();
    let principals: Vec<PrincipalPage<'_>> = r
        .principals
        .iter()
        .map(|p| {
            let trust: Vec<Value> = trust_of
                .get(&(p.account.as_str(), p.principal.as_str()))
                .into_iter()
                .flat_map(|t| {
                    let codes: Vec<&str> = t.role.findings.iter().map(|f| f.code.as_str()).collect();
                    t.role.trusted.iter().map(move |x| {
                        json!({
                            "who": x.principal,
                            "kind": x.kind,
                            "condition": if x.conditions.is_empty() { Value::Null } else { Value::from(x.conditions.join(" and ")) },
                            "findings": codes,
                        })
                    })
                })
                .collect();
            let fields = json!({
                "id": id(&p.account, &p.principal),
                "account": p.account,
                "arn": p.arn,
                "kind": p.kind,
                "name": p.principal.split_once('/').map_or(p.principal.as_str(), |(_, n)| n),
                "admin": p.admin,
                "evaluated": p.evaluated,
                "risks": p.codes,
                "findings": p.findings,
                "policies": p.policies,
                "trust": trust,
            });
            PrincipalPage {
                fields,
                permissions: p.permissions.as_ref(),
            }
        })
        .collect();
    let paths: Vec<Value> = r
        .paths
        .iter()
        .map(|p| {
            let mut v = serde_json::to_value(&p.path).unwrap_or(Value::Null);
            if many {
                if let Some(o) = v.as_object_mut() {
                    for k in ["from", "to"] {
                        if let Some(s) = o.get(k).and_then(Value::as_str) {
                            let new = Value::from(id(&p.account, s));
                            o.insert(k.to_string(), new);
                        }
                    }
                }
            }
            v
        })
        .collect();
    let c = crate::catalog::get();
    let sources: Vec<&str> = r
        .report
        .sources
        .iter()
        .map(|s| s.origin.as_str())
        .filter(|o| !o.is_empty())
        .collect();
    let rest = json!({
        "source": sources.join(", "),
        "catalog": format!("{}, {}", c.source(), c.date()),
        "summary": {
            "principals": r.principals.len(),
            "errors": count(Severity::Error),
            "warnings": count(Severity::Warning),
            "infos": count(Severity::Info),
            "admins": r.principals.iter().filter(|p| p.admin).count(),
            "unevaluated": r.principals.iter().filter(|p| !p.evaluated).count(),
        },
        "paths": paths,
        "findings": findings,
        "unevaluated": r.principals.iter().filter(|p| !p.evaluated).map(|p| json!({"principal": p.principal, "arn": p.arn})).collect::<Vec<_>>(),
        "errors": r.report.errors,
    });
    Page { rest, principals }
}
