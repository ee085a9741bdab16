//! IAM's quotas that a linter can see: `policy-too-large` (a document, or a principal's
//! inline policies together, over the size IAM accepts for its kind) and
//! `too-many-attached-policies` (more managed policies attached to a principal of an
//! account dump than the default quota). The numbers are AWS facts kept in
//! `data/iam-quotas.json` with the page they come from; the kind of a document comes from
//! where it was found (the account dump's reader, [`Dump::measured`], says whose each
//! document is and how large; live IAM says it too) or, for a plain file, from
//! `--policy-kind` (default: a managed policy; a trust policy when its text is one).

use std::sync::LazyLock;

use crate::finding::{Code, Finding, Severity};
use crate::policy::{Policy, PolicyKind};
use crate::source::gaad::{Dump, Owner};
use crate::span::Span;

/// What a policy document is saved as, which decides its size quota.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum Kind {
    /// A customer managed policy.
    Managed,
    /// An inline policy of a user (the user's inline policies share one quota).
    UserInline,
    /// An inline policy of a group.
    GroupInline,
    /// An inline policy of a role.
    RoleInline,
    /// A service control policy of AWS Organizations.
    Scp,
    /// A role's trust policy.
    Trust,
}

impl Kind {
    /// The name `data/iam-quotas.json` and `--policy-kind` use.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Managed => "managed",
            Kind::UserInline => "user-inline",
            Kind::GroupInline => "group-inline",
            Kind::RoleInline => "role-inline",
            Kind::Scp => "scp",
            Kind::Trust => "trust",
        }
    }
}

#[derive(serde::Deserialize)]
struct QuotaFile {
    source: String,
    policy_size: Vec<SizeQuota>,
    attached_managed: Vec<AttachedQuota>,
}

#[derive(serde::Deserialize)]
struct SizeQuota {
    kind: String,
    what: String,
    limit: usize,
    adjustable: bool,
}

#[derive(serde::Deserialize)]
struct AttachedQuota {
    principal: String,
    limit: usize,
    adjustable: bool,
}

/// `data/iam-quotas.json`, hand-kept from
/// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html>.
static QUOTAS: LazyLock<Option<QuotaFile>> = LazyLock::new(|| {
    // INVARIANT: embedded and parsed by a unit test; were it unreadable, no quota finding
    // would be made (rather than a crash).
    serde_json::from_str(include_str!("../../data/iam-quotas.json")).ok()
});

fn size_quota(kind: Kind) -> Option<&'static SizeQuota> {
    QUOTAS
        .as_ref()?
        .policy_size
        .iter()
        .find(|q| q.kind == kind.as_str())
}

fn source() -> &'static str {
    QUOTAS.as_ref().map_or("", |q| q.source.as_str())
}

pub use crate::policy::size;

/// "6,144".
fn thousands(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The finding for `size` characters of `kind` at `span`, if over the quota. `whose` names
/// what was measured (`the policy`, `the inline policies of user/alice together`).
fn over(kind: Kind, size: usize, whose: &str, src: usize, span: Span) -> Option<Finding> {
    let q = size_quota(kind)?;
    if size <= q.limit {
        return None;
    }
    let mut f = Finding::new(
        Code::PolicyTooLarge,
        src,
        span,
        format!(
            "{whose} {} {} characters without whitespace, over IAM's quota of {} for {}",
            if whose.ends_with("together") {
                "total"
            } else {
                "has"
            },
            thousands(size),
            thousands(q.limit),
            q.what
        ),
    );
    let help = match kind {
        Kind::UserInline | Kind::GroupInline | Kind::RoleInline => {
            "IAM refuses to save it; move statements into managed policies (6,144 characters each)"
        }
        _ => {
            "IAM refuses to save it; merge statements and actions under wildcards, or split it into several policies"
        }
    };
    f = f.help(format!("{help} ({})", source()));
    if q.adjustable {
        f = f
            .severity(Severity::Warning)
            .help(format!("the default quota; unless the account raised it through Service Quotas, IAM refuses to save it ({})", source()));
    }
    Some(f)
}

/// A plain document (a file, stdin): its kind is `kind` when given, else a trust policy
/// when its text is one, else a managed policy; other resource policies (bucket policies,
/// ...) have their services' quotas, not IAM's, and are not measured.
pub(crate) fn check_document(
    text: &str,
    policy: &Policy,
    kind: Option<Kind>,
    src: usize,
    out: &mut Vec<Finding>,
) {
    let (kind, assumed) = match kind {
        Some(k) => (k, false),
        None if is_trust(policy) => (Kind::Trust, true),
        None if policy.kind == PolicyKind::Identity => (Kind::Managed, true),
        None => return,
    };
    // No more characters than bytes: most documents are decided without counting.
    if size_quota(kind).is_none_or(|q| text.len() <= q.limit) {
        return;
    }
    let start = text.find(|c: char| !c.is_whitespace()).unwrap_or(0);
    let span = Span::new(start, (start + 1).min(text.len()));
    let whose = match kind {
        Kind::UserInline | Kind::GroupInline | Kind::RoleInline => {
            "the policy (alone, before any other inline policy of its principal)"
        }
        _ => "the policy",
    };
    let Some(mut f) = over(kind, size(text), whose, src, span) else {
        return;
    };
    if assumed {
        // Only the user knows what the file will be saved as (AWS's own managed policies,
        // for one, are larger than customers may make theirs): a warning until told.
        f.severity = f.severity.min(Severity::Warning);
        f.help = Some(
            format!(
                "{} (read as {}; `--policy-kind` says what it is saved as)",
                f.help.unwrap_or_default(),
                size_quota(kind).map_or("", |q| q.what.as_str())
            )
            .into(),
        );
    }
    out.push(f);
}

/// Every action of the policy is one a trust policy grants (`sts:AssumeRole*`, ...).
fn is_trust(policy: &Policy) -> bool {
    let mut any = false;
    for st in &policy.statements {
        for a in st.action.iter().flat_map(|a| a.items.iter()) {
            let v = a.value.to_ascii_lowercase();
            if !(v.starts_with("sts:assumerole")
                || v == "sts:tagsession"
                || v == "sts:setsourceidentity"
                || v == "sts:setcontext")
            {
                return false;
            }
            any = true;
        }
    }
    any
}

/// The quotas of an account dump, as its reader measured them ([`Dump::measured`]): each
/// customer managed policy's default version and each trust policy on its own, each
/// principal's own inline policies together, and the managed policies attached to each
/// principal.
pub(crate) fn check_dump(dump: &Dump, src: usize, out: &mut Vec<Finding>) {
    for m in &dump.measured {
        let Some(n) = m.size else { continue };
        match &m.owner {
            // AWS's own managed policies (a dump holds those attached in the account) are not
            // bound by the quota of customers' policies: ReadOnlyAccess has 90,000 characters.
            Owner::Managed(arn) if is_aws_managed(arn) => {}
            Owner::Managed(arn) => {
                let whose = format!("the managed policy `{arn}`");
                out.extend(over(Kind::Managed, n, &whose, src, m.at));
            }
            Owner::Trust(label) => {
                let whose = format!("the trust policy of `{label}`");
                out.extend(over(Kind::Trust, n, &whose, src, m.at));
            }
            // Measured together, per principal, below.
            Owner::Inline(_) => {}
        }
    }
    for pr in &dump.principals {
        let what = pr.label.split('/').next().unwrap_or_default();
        let kind = match what {
            "user" => Kind::UserInline,
            "group" => Kind::GroupInline,
            _ => Kind::RoleInline,
        };
        if let Some((at, docs)) = &pr.own_inline {
            let total: usize = docs
                .iter()
                .filter_map(|&i| dump.measured.get(i).and_then(|m| m.size))
                .sum();
            let whose = format!("the inline policies of `{}` together", pr.label);
            out.extend(over(kind, total, &whose, src, *at));
        }
        if let Some((n, at)) = pr.own_attached_list {
            attached(what, &pr.label, n, src, at, out);
        }
    }
}

/// An AWS managed policy's ARN, in any partition (`arn:aws:iam::aws:policy/...`): AWS's
/// own policies, not bound by the quotas of customers' policies.
pub fn is_aws_managed(arn: &str) -> bool {
    let mut f = arn.splitn(6, ':');
    f.next() == Some("arn")
        && f.next().is_some()
        && f.next() == Some("iam")
        && f.next() == Some("")
        && f.next() == Some("aws")
        && f.next().is_some_and(|r| r.starts_with("policy/"))
}

/// Live IAM says what each document is, so the reading of a plain file (a managed policy
/// unless `--policy-kind`) is replaced: inline policies are measured together per principal
/// (`role/x inline "p"`, also a group's reached through a user), a customer managed policy or
/// permissions boundary (its ARN) as a managed policy, an AWS managed one not at all. Each
/// finding points at the first document measured.
pub fn check_live(principals: &[crate::source::iam::Principal], report: &mut crate::Report) {
    let mut seen = std::collections::HashSet::new();
    let docs: Vec<&crate::source::iam::Fetched> = principals
        .iter()
        .flat_map(|p| p.policies.iter().chain(p.boundary.iter()))
        .filter(|f| seen.insert(f.origin.as_str()))
        .collect();
    let src_of = |origin: &str| report.sources.iter().position(|s| s.origin == origin);
    let live: std::collections::HashSet<usize> =
        docs.iter().filter_map(|f| src_of(&f.origin)).collect();
    // (principal label, its kind, total size, the first document's source)
    let mut inline: Vec<(&str, Kind, usize, usize)> = Vec::new();
    let mut made: Vec<Finding> = Vec::new();
    for f in &docs {
        let Some(src) = src_of(&f.origin) else {
            continue;
        };
        if let Some((label, _)) = f.origin.split_once(" inline \"") {
            let kind = match label.split('/').next() {
                Some("user") => Kind::UserInline,
                Some("group") => Kind::GroupInline,
                Some("role") => Kind::RoleInline,
                _ => continue,
            };
            match inline.iter_mut().find(|e| e.0 == label) {
                Some(e) => e.2 += size(&f.text),
                None => inline.push((label, kind, size(&f.text), src)),
            }
            continue;
        }
        let arn = f
            .origin
            .strip_suffix(" (permissions boundary)")
            .unwrap_or(&f.origin);
        if is_aws_managed(arn) {
            continue;
        }
        let whose = format!("the managed policy `{arn}`");
        made.extend(over(
            Kind::Managed,
            size(&f.text),
            &whose,
            src,
            Span::new(0, 0),
        ));
    }
    for (label, kind, total, src) in inline {
        let whose = format!("the inline policies of `{label}` together");
        made.extend(over(kind, total, &whose, src, Span::new(0, 0)));
    }
    report
        .findings
        .retain(|f| !(f.code == Code::PolicyTooLarge && live.contains(&f.location.source)));
    for mut f in made {
        let src = f.location.source;
        if let Some(s) = report.sources.get(src) {
            f.location.file = s.origin.as_str().into();
        }
        f.location.line = 1;
        f.location.column = 1;
        let at = report
            .findings
            .iter()
            .position(|g| g.location.source > src)
            .unwrap_or(report.findings.len());
        report.findings.insert(at, f);
    }
}

fn attached(what: &str, label: &str, n: usize, src: usize, span: Span, out: &mut Vec<Finding>) {
    let Some(q) = QUOTAS
        .as_ref()
        .and_then(|q| q.attached_managed.iter().find(|q| q.principal == what))
    else {
        return;
    };
    if n <= q.limit {
        return;
    }
    let mut f = Finding::new(
        Code::TooManyAttachedPolicies,
        src,
        span,
        format!(
            "`{label}` has {n} managed policies attached, over IAM's default quota of {} per {what}",
            q.limit
        ),
    );
    f = f.help(if q.adjustable {
        format!(
            "attaching more fails unless the account's quota was raised through Service Quotas; merge policies to stay under it ({})",
            source()
        )
    } else {
        format!("IAM refuses more; merge policies ({})", source())
    });
    out.push(f);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotas_read_from_data() {
        assert!(QUOTAS.is_some());
        for (k, n) in [
            (Kind::Managed, 6144),
            (Kind::UserInline, 2048),
            (Kind::GroupInline, 5120),
            (Kind::RoleInline, 10240),
            (Kind::Scp, 5120),
            (Kind::Trust, 2048),
        ] {
            assert_eq!(size_quota(k).map(|q| q.limit), Some(n), "{k:?}");
        }
        assert!(source().starts_with("https://docs.aws.amazon.com/"));
    }

    #[test]
    fn size_ignores_whitespace() {
        assert_eq!(size("{ \"a\" :\n\t\"b c\" }"), 10);
        // Characters, not bytes; Unicode whitespace not counted either.
        assert_eq!(size("\"é\u{2003}ü\"\u{c}"), 4);
        assert_eq!(thousands(6144), "6,144");
        assert_eq!(thousands(10240), "10,240");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000_000), "1,000,000");
    }
}
