//! `iamlint check` and `iamlint render`.

use clap::Args;
use comfy_table::{ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};

use super::{Format, Outcome, OutputArgs, emit};
use crate::eval::{self, Doc};
use crate::rules::{self, Resolved, RuleSet};
use crate::source::{self, Document, managed};
use crate::{Report, SourceText, report};

/// Which rule set, with what parameters and features.
#[derive(Debug, Args)]
pub struct RuleArgs {
    /// A shipped rule set id (`iamlint rules list`) or a path to a rule file.
    #[arg(long, value_name = "ID|PATH")]
    pub rules: String,
    /// A parameter of the rule set, `name=value` (repeatable).
    #[arg(long = "param", value_name = "NAME=VALUE")]
    pub params: Vec<String>,
    /// An optional feature of the rule set (repeatable).
    #[arg(long = "feature", value_name = "NAME")]
    pub features: Vec<String>,
}

impl RuleArgs {
    /// Load and resolve the rule set.
    pub fn load(&self) -> anyhow::Result<(RuleSet, Resolved)> {
        let set = rules::find(&self.rules)?;
        let mut params = Vec::new();
        for p in &self.params {
            let Some((k, v)) = p.split_once('=') else {
                anyhow::bail!("--param `{p}`: write NAME=VALUE");
            };
            params.push((k.trim().to_string(), v.trim().to_string()));
        }
        let resolved = set.resolve(&params, &self.features)?;
        Ok((set, resolved))
    }
}

/// Arguments of `iamlint check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The rule set.
    #[command(flatten)]
    pub rules: RuleArgs,
    /// A policy of the principal (repeatable): a file, a folder, `-`, or an AWS managed
    /// policy ARN such as `arn:aws:iam::aws:policy/SecretsManagerReadWrite` (offline).
    #[arg(
        long = "policy",
        value_name = "PATH|ARN",
        required_unless_present_any = ["gaad", "users", "roles", "groups", "caller"]
    )]
    pub policies: Vec<String>,
    /// An account dump (`aws iam get-account-authorization-details` output) to take the
    /// principal's policies from, with `--principal`.
    #[arg(
        long,
        value_name = "FILE",
        requires = "principal",
        conflicts_with = "policies"
    )]
    pub gaad: Option<String>,
    /// The user, group or role ARN in the `--gaad` dump to evaluate.
    #[arg(long, value_name = "ARN", requires = "gaad")]
    pub principal: Option<String>,
    /// The principal to read from live IAM (one of --user, --role, --group, --caller).
    #[command(flatten)]
    pub live: super::live::PrincipalArgs,
    /// Also ask IAM's policy simulator (SimulatePrincipalPolicy) for every required pair and
    /// report where its verdict differs from iamlint's (live principals only).
    #[arg(long)]
    pub simulate: bool,
    /// Print a unified diff from each policy file to a corrected one (never writes files).
    #[arg(long)]
    pub suggest: bool,
    /// What is known of the requests, `key=value` (repeatable), e.g.
    /// `aws:MultiFactorAuthPresent=true`: conditions it decides are decided, policy
    /// variables it gives (`aws:username=alice`) are filled in. Keys not given may hold any
    /// value, so a conditional `Deny` on them is reported as `conditional-deny`.
    #[arg(long = "context", value_name = "KEY=VALUE")]
    pub context: Vec<String>,
    /// Output options.
    #[command(flatten)]
    pub out: OutputArgs,
}

/// Arguments of `iamlint render`.
#[derive(Debug, Args)]
pub struct RenderArgs {
    /// The rule set.
    #[command(flatten)]
    pub rules: RuleArgs,
}

/// Run `iamlint render`: the least-privilege policy of a rule set.
pub fn render(args: &RenderArgs) -> anyhow::Result<Outcome> {
    let (_, resolved) = args.rules.load()?;
    emit(&eval::suggest::pretty(&rules::render(&resolved), 2))?;
    Ok(Outcome::Clean)
}

/// Read the `--policy` inputs: files, folders, stdin, managed ARNs.
pub fn load_policies(specs: &[String]) -> (Vec<Document>, Vec<String>) {
    let mut docs = Vec::new();
    let mut errors = Vec::new();
    for spec in specs {
        if managed::is_managed_arn(spec) {
            match managed::find(spec) {
                Ok(p) => docs.push(Document {
                    origin: p.arn.clone(),
                    text: managed::document_text(p),
                }),
                Err(e) => errors.push(e),
            }
            continue;
        }
        let (inputs, errs) = source::expand(std::slice::from_ref(spec));
        errors.extend(errs.iter().map(ToString::to_string));
        let before = docs.len();
        let mut skipped = 0;
        for i in &inputs {
            match source::read(i) {
                // JSON found in a folder that is not a policy is not one of the principal's.
                Ok(d) if i.in_folder() && not_a_policy(&d) => skipped += 1,
                Ok(d) => docs.push(d),
                Err(e) => errors.push(e.to_string()),
            }
        }
        if skipped > 0 && docs.len() == before {
            errors.push(format!(
                "{spec}: the folder holds no policy documents ({skipped} JSON file{} that {} not)",
                if skipped == 1 { "" } else { "s" },
                if skipped == 1 { "is" } else { "are" }
            ));
        }
    }
    (docs, errors)
}

/// JSON that parses and is not a policy (see [`source::not_a_policy`]). A text that names
/// `Version` or `Statement` is taken as a policy without parsing it twice (a folder of
/// policies is the common case).
fn not_a_policy(d: &Document) -> bool {
    if d.text.contains("\"Statement\"") || d.text.contains("\"Version\"") {
        return false;
    }
    crate::policy::json::parse(&d.text).is_ok_and(|p| source::not_a_policy(&p.root).is_some())
}

/// Run `iamlint check`.
pub fn run(args: &CheckArgs) -> anyhow::Result<Outcome> {
    let (set, resolved) = args.rules.load()?;
    let live_wanted = args.live.any();
    if live_wanted && (args.gaad.is_some() || !args.policies.is_empty()) {
        anyhow::bail!("a live principal is checked on its own: drop --policy and --gaad");
    }
    if args.simulate && !live_wanted {
        anyhow::bail!("--simulate asks live IAM: give --user, --role, --group or --caller");
    }
    let (mut inputs, mut errors) = load_policies(&args.policies);
    let mut live = None;
    let mut boundary_at = None;
    if live_wanted {
        args.live.single()?;
        let session = super::live::Session::open(&args.live.conn)?;
        let (mut principals, call_errors) = session.load(&args.live);
        if !call_errors.is_empty() || principals.is_empty() {
            let mut errors: Vec<String> = call_errors.iter().map(ToString::to_string).collect();
            errors.push(
                "the check did not run: IAM did not return everything that applies to the \
                 principal, and a check on part of it could pass wrongly"
                    .to_string(),
            );
            return refuse(errors, &args.out);
        }
        let p = principals.remove(0);
        inputs.extend(p.policies.iter().map(|f| Document {
            origin: f.origin.clone(),
            text: f.text.clone(),
        }));
        if let Some(b) = &p.boundary {
            boundary_at = Some(inputs.len());
            inputs.push(Document {
                origin: b.origin.clone(),
                text: b.text.clone(),
            });
        }
        live = Some((session, p));
    }
    let mut findings = Vec::new();
    let mut docs = Vec::new();
    let mut sources = Vec::new();
    let mut boundary = None;
    if let (Some(path), Some(principal)) = (&args.gaad, &args.principal) {
        let p = from_gaad(path, principal)?;
        if !p.errors.is_empty() {
            let mut errors = p.errors;
            errors.push(format!(
                "the check did not run: the dump does not hold everything that applies to \
                 `{principal}`, and a check on part of it could pass wrongly"
            ));
            return refuse(errors, &args.out);
        }
        findings = p.findings;
        docs = p.docs;
        sources = p.sources;
        boundary = p.boundary;
    }
    use rayon::prelude::*;
    type Read = Result<crate::policy::Policy, String>;
    let linted: Vec<(Vec<crate::finding::Finding>, Read)> = inputs
        .par_iter()
        .enumerate()
        .map(|(i, d)| {
            // One parse gives both the lint findings and the policy to evaluate.
            let linted = crate::lint_one(d, i, false, crate::LintOptions::default());
            let lint = linted.findings;
            let policy = linted.policy.ok_or_else(|| {
                if lint
                    .iter()
                    .any(|f| f.code == crate::finding::Code::JsonSyntax)
                {
                    format!("{}: not valid JSON, so the check cannot use it", d.origin)
                } else {
                    format!(
                        "{}: an account dump, not a policy: check one of its principals with \
                         `--gaad {} --principal ARN`",
                        d.origin, d.origin
                    )
                }
            });
            (lint, policy)
        })
        .collect();
    for ((i, d), (lint, policy)) in inputs.into_iter().enumerate().zip(linted) {
        findings.extend(lint);
        match policy {
            Ok(policy) => docs.push(Doc {
                src: i,
                origin: d.origin.clone(),
                text: d.text.clone(),
                policy,
            }),
            Err(e) => errors.push(e),
        }
        sources.push(SourceText {
            origin: d.origin,
            text: d.text,
        });
    }
    if let Some(at) = boundary_at {
        let (b, rest): (Vec<Doc>, Vec<Doc>) = docs.into_iter().partition(|d| d.src == at);
        docs = rest;
        boundary = Some(b);
    }
    let rule_src = sources.len();
    sources.push(SourceText {
        origin: set.origin.clone(),
        text: set.text.clone(),
    });
    let mut context = eval::condition::Context::new(false);
    context.parse_args(&args.context)?;
    let outcome = eval::check_in_context(&resolved, rule_src, &docs, boundary.as_deref(), &context);
    let check_findings = outcome.findings;
    findings.extend(check_findings);
    let mut simulated = None;
    if let (true, Some((session, p))) = (args.simulate, &live) {
        match simulate(session, p, &outcome.verdicts) {
            Ok(s) => simulated = Some(s),
            Err(e) => errors.push(e),
        }
    }
    let principal = live.as_ref().map(|(_, p)| principal_summary(p));
    // Lint findings of `--policy` files are resolved already; those from a dump are not.
    crate::resolve_all(&mut findings, &sources);
    let report = Report {
        sources,
        findings,
        errors,
        support_sources: 1,
        skipped: Vec::new(),
    };
    let suggestions = if args.suggest {
        eval::suggest::suggest(&resolved, &docs)
    } else {
        Vec::new()
    };
    match args.out.format {
        Format::Json => {
            let mut extra = Vec::new();
            if let Some(p) = &principal {
                extra.push(("principal", p.json.clone()));
            }
            if let Some(s) = &simulated {
                extra.push(("simulate", serde_json::to_value(s)?));
            }
            json(&report, &resolved, &outcome.rows, &suggestions, extra)?;
        }
        Format::Text => {
            let mut tail = String::new();
            if let Some(sim) = &simulated {
                tail.push_str(&report::text::escape_lines(&sim.text()));
            }
            for (origin, old, new) in &suggestions {
                tail.push('\n');
                let part = if old == new {
                    format!("{origin}: no change needed\n")
                } else {
                    eval::suggest::unified_diff(origin, old, new)
                };
                tail.push_str(&report::text::escape_lines(&part));
            }
            let opts = report::text::Options {
                color: args.out.color.enabled(),
            };
            super::emit_with(|out| {
                report::text::write(out, &report, opts)?;
                // Below the findings nothing is coloured, and names, Sids and policy text
                // come from the input: shown escaped.
                if let Some(p) = &principal {
                    out.write_all(b"\n")?;
                    out.write_all(report::text::escape_lines(&p.text).as_bytes())?;
                }
                report::check::write_table(out, &resolved.id, &outcome.rows)?;
                out.write_all(tail.as_bytes())
            })?;
        }
    }
    Ok(super::lint::outcome(&report, args.out.fail_on))
}

/// Print only the errors and exit 2: the principal could not be read whole.
fn refuse(errors: Vec<String>, out: &OutputArgs) -> anyhow::Result<Outcome> {
    let report = Report {
        errors,
        ..Report::default()
    };
    emit(&match out.format {
        Format::Json => report::json::render(&report),
        Format::Text => report::text::render(
            &report,
            report::text::Options {
                color: out.color.enabled(),
            },
        ),
    })?;
    Ok(Outcome::Error)
}

/// Write the JSON report with the `check` member (and the others) after the findings.
fn json(
    report: &Report,
    resolved: &Resolved,
    rows: &[eval::Row],
    suggestions: &[(String, String, String)],
    more: Vec<(&'static str, serde_json::Value)>,
) -> anyhow::Result<()> {
    /// A member of the report: the rows are serialised from where they are, not copied
    /// into a `serde_json::Value` first.
    #[derive(serde::Serialize)]
    #[serde(untagged)]
    enum Member<'a> {
        Check(report::check::CheckJson<'a>),
        Value(serde_json::Value),
    }
    let mut extra = vec![(
        "check",
        Member::Check(report::check::CheckJson {
            rule_set: &resolved.id,
            params: &resolved.params,
            rows,
        }),
    )];
    if !suggestions.is_empty() {
        let list = suggestions
            .iter()
            .map(|(origin, old, new)| {
                serde_json::json!({
                    "file": origin,
                    "diff": eval::suggest::unified_diff(origin, old, new),
                    "policy": serde_json::from_str::<serde_json::Value>(new).unwrap_or_default(),
                })
            })
            .collect::<Vec<_>>();
        extra.push(("suggestions", Member::Value(list.into())));
    }
    extra.extend(more.into_iter().map(|(k, v)| (k, Member::Value(v))));
    super::emit_with(|out| report::json::write_with(out, report, &extra))
}

/// A principal's policies read from an account dump.
struct FromGaad {
    sources: Vec<SourceText>,
    docs: Vec<Doc>,
    findings: Vec<crate::finding::Finding>,
    boundary: Option<Vec<Doc>>,
    /// The parts of the principal that could not be read, located in the dump.
    errors: Vec<String>,
}

/// Collect `principal`'s inline, attached (customer or AWS managed) and group policies, and
/// its permissions boundary, from the dump at `path` (`-`: standard input). Any part of the
/// principal that could not be read is in `errors`: a check never passes on data it could
/// not read.
fn from_gaad(path: &str, principal: &str) -> anyhow::Result<FromGaad> {
    use crate::source::gaad::Dump;
    let input = if path == "-" {
        source::Input::Stdin
    } else {
        source::Input::File(path.into())
    };
    let doc = source::read(&input)?;
    let parsed = crate::policy::json::parse(&doc.text).map_err(|e| {
        let (l, c) = crate::span::LineIndex::new(&doc.text).line_col(&doc.text, e.span.start);
        anyhow::anyhow!("{path}:{l}:{c}: {}", e.message)
    })?;
    let dump = Dump::read(&parsed);
    if !crate::source::gaad::is_dump(&parsed.root) {
        anyhow::bail!(
            "{path}: not an account dump (no `UserDetailList`, `GroupDetailList`, \
             `RoleDetailList` or `Policies`); write it with `aws iam \
             get-account-authorization-details` or `iamlint fetch gaad`"
        );
    }
    let Some(pr) = dump.principals.iter().find(|p| p.arn == principal) else {
        // A list given twice was read once: the principal may be in the other one, so its
        // absence is not known; say what could not be read, not "no such principal".
        let unread: Vec<crate::source::gaad::Problem> = dump
            .problems
            .iter()
            .filter(|p| p.scope == crate::source::gaad::Scope::Dump)
            .map(|p| {
                let mut p = p.clone();
                p.message = format!("{} (it may hold `{principal}`)", p.message);
                p
            })
            .collect();
        if !unread.is_empty() {
            return Ok(FromGaad {
                sources: Vec::new(),
                docs: Vec::new(),
                findings: Vec::new(),
                boundary: None,
                errors: crate::dump_errors(path, &doc.text, unread.iter()),
            });
        }
        let hint =
            crate::suggest::closest(principal, dump.principals.iter().map(|p| p.arn.as_str()))
                .map(|s| format!("; did you mean `{s}`?"))
                .unwrap_or_default();
        anyhow::bail!("{path}: no user, group or role `{principal}` in the dump{hint}");
    };
    let mut out = FromGaad {
        sources: vec![SourceText {
            origin: path.to_string(),
            text: doc.text.clone(),
        }],
        docs: Vec::new(),
        findings: Vec::new(),
        boundary: None,
        errors: Vec::new(),
    };
    // Each error names the principal: a managed policy's or the whole dump's problem says
    // whom it concerns here.
    let problems: Vec<crate::source::gaad::Problem> = dump
        .problems_of(pr)
        .map(|p| {
            let mut p = p.clone();
            if !matches!(p.scope, crate::source::gaad::Scope::Principal(_)) {
                p.message = format!("{} (it applies to `{principal}`)", p.message);
            }
            p
        })
        .collect();
    out.errors = crate::dump_errors(path, &doc.text, problems.iter());
    if !out.errors.is_empty() {
        return Ok(out);
    }
    let add = |d: &crate::source::gaad::PolicyDoc, label: &str, out: &mut FromGaad| -> Doc {
        let (src, text) = match &d.decoded {
            None => (0, doc.text.clone()),
            Some(t) => {
                out.sources.push(SourceText {
                    origin: format!("{path} ({label}, decoded)"),
                    text: t.clone(),
                });
                (out.sources.len() - 1, t.clone())
            }
        };
        let mut found = Vec::new();
        let policy = crate::policy::parse::parse_policy(&d.parsed, src, &mut found);
        crate::check::lint_policy(&policy, src, &mut found);
        for f in &mut found {
            f.message = format!("{} (in {label})", f.message);
        }
        out.findings.extend(found);
        Doc {
            src,
            origin: label.to_string(),
            text,
            policy,
        }
    };
    let mut docs = Vec::new();
    for &i in &pr.inline {
        if let Some(d) = dump.docs.get(i) {
            docs.push(add(d, &d.label.clone(), &mut out));
        }
    }
    let resolve_arn = |arn: &str, out: &mut FromGaad| -> anyhow::Result<Doc> {
        if let Some((_, i)) = dump.managed.iter().find(|(a, _)| a == arn) {
            if let Some(d) = dump.docs.get(*i) {
                return Ok(add(d, arn, out));
            }
        }
        if managed::is_managed_arn(arn) {
            let m = managed::find(arn).map_err(anyhow::Error::msg)?;
            let text = managed::document_text(m);
            out.sources.push(SourceText {
                origin: arn.to_string(),
                text: text.clone(),
            });
            let src = out.sources.len() - 1;
            let parsed = crate::policy::json::parse(&text)
                .map_err(|e| anyhow::anyhow!("{arn}: {}", e.message))?;
            let mut scratch = Vec::new();
            let policy = crate::policy::parse::parse_policy(&parsed, src, &mut scratch);
            return Ok(Doc {
                src,
                origin: arn.to_string(),
                text,
                policy,
            });
        }
        anyhow::bail!(
            "{path}: `{principal}` has `{arn}` attached, but the dump holds no document for it"
        )
    };
    for arn in &pr.attached {
        docs.push(resolve_arn(arn, &mut out)?);
    }
    if let Some(b) = pr.boundary.as_ref().filter(|b| !b.is_empty()) {
        out.boundary = Some(vec![resolve_arn(b, &mut out)?]);
    }
    out.docs = docs;
    Ok(out)
}

/// What was read for a live principal, for the reader.
struct PrincipalSummary {
    text: String,
    json: serde_json::Value,
}

fn principal_summary(p: &crate::live::Principal) -> PrincipalSummary {
    let origins: Vec<&str> = p.policies.iter().map(|f| f.origin.as_str()).collect();
    let boundary = p.boundary.as_ref().map(|b| b.origin.as_str());
    let mut text = format!(
        "principal {} ({}): {} {}",
        p.label(),
        p.arn,
        origins.len(),
        if origins.len() == 1 {
            "policy"
        } else {
            "policies"
        }
    );
    for o in &origins {
        text.push_str(&format!("\n  {o}"));
    }
    match boundary {
        Some(b) => text.push_str(&format!(
            "\n  {b}: a grant counts only where the boundary allows it too\n"
        )),
        None => text.push_str("\n  no permissions boundary\n"),
    }
    PrincipalSummary {
        text,
        json: serde_json::json!({
            "name": p.label(),
            "arn": p.arn,
            "policies": origins,
            "permissions_boundary": boundary,
        }),
    }
}

/// Where IAM's policy simulator and iamlint disagree.
#[derive(Debug, serde::Serialize)]
struct Simulated {
    /// Pairs compared.
    compared: usize,
    /// Pairs whose rule grant requires a condition: the simulator would need request context.
    not_simulated_conditional: usize,
    /// Disagreements.
    disagreements: Vec<Disagreement>,
}

#[derive(Debug, serde::Serialize)]
struct Disagreement {
    action: String,
    resource: String,
    iamlint: &'static str,
    iam: String,
}

impl Simulated {
    fn text(&self) -> String {
        let skipped = if self.not_simulated_conditional > 0 {
            format!(
                " ({} pairs under a required condition not simulated: that needs request context)",
                self.not_simulated_conditional
            )
        } else {
            String::new()
        };
        if self.disagreements.is_empty() {
            return format!(
                "\nsimulate: IAM's policy simulator agrees with iamlint on all {} (action, resource) pairs{skipped}\n",
                self.compared
            );
        }
        let mut t = Table::new();
        t.load_style(UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Dynamic)
            .set_width(140)
            .set_header(["action", "resource", "iamlint", "IAM simulator"]);
        for d in &self.disagreements {
            t.add_row([
                d.action.as_str(),
                d.resource.as_str(),
                d.iamlint,
                d.iam.as_str(),
            ]);
        }
        format!(
            "\nsimulate: IAM's policy simulator disagrees with iamlint on {} of {} pairs{skipped}:\n{t}\n",
            self.disagreements.len(),
            self.compared
        )
    }
}

fn simulate(
    session: &super::live::Session,
    p: &crate::live::Principal,
    verdicts: &[eval::Verdict],
) -> Result<Simulated, String> {
    let mut pairs: Vec<(String, String)> = Vec::new();
    let mut skipped = 0;
    for v in verdicts {
        if v.conditional {
            skipped += 1;
        } else if !pairs
            .iter()
            .any(|(a, r)| *a == v.action && *r == v.resource)
        {
            pairs.push((v.action.clone(), v.resource.clone()));
        }
    }
    let answers = session.simulate(p, &pairs).map_err(|e| {
        let hint = if e.is_access_denied() {
            ""
        } else {
            " (this endpoint may not implement SimulatePrincipalPolicy; the check above stands on its own)"
        };
        format!("--simulate: {e}{hint}")
    })?;
    let mut out = Simulated {
        compared: 0,
        not_simulated_conditional: skipped,
        disagreements: Vec::new(),
    };
    for v in verdicts.iter().filter(|v| !v.conditional) {
        out.compared += 1;
        let iam = answers
            .iter()
            .find(|a| a.action.eq_ignore_ascii_case(&v.action) && a.resource == v.resource)
            .map_or("no answer", |a| a.decision.as_str());
        if (iam == "allowed") != v.allowed {
            out.disagreements.push(Disagreement {
                action: v.action.clone(),
                resource: v.resource.clone(),
                iamlint: if v.allowed { "allowed" } else { "not allowed" },
                iam: iam.to_string(),
            });
        }
    }
    Ok(out)
}
