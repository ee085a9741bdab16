//! `dead-arn`: a resource ARN whose partition, Region or account field can match no
//! resource, so the grant (or the exclusion, in `NotResource`) is dead. The other direction
//! (a field filled where the resource type's format has it empty) is `resource-mismatch`.

use std::borrow::Cow;
use foldhash::HashMap;
use std::sync::OnceLock;

use super::{Cx, Stmt};
use crate::arn::{ArnPattern, ResourcePattern};
use crate::finding::{Code, Finding};
use super::docs::Doc;

/// The documentation of `dead-arn`: `iamlint explain dead-arn` prints it.
pub(crate) const DOC: Doc = Doc {
    what: "An ARN that matches no resource because of its partition, Region or account field. A Region or account left empty where every resource type the ARN can name has one in its format (`arn:aws:logs:::log-group:x`, `arn:aws:ec2:::instance/*`, `arn:aws:sqs:us-east-1::q`; S3 bucket and object ARNs have neither, IAM ARNs no Region, and are not flagged). An account that is not a 12-digit ID (`account-id`, `<ACCOUNT_ID>`; wildcards and policy variables such as `${aws:PrincipalAccount}` are fine, and so is a literal account the format itself writes, like `aws` in AWS managed policy ARNs). A Region that is not a Region (`us-east-1a`, an Availability Zone) or belongs to another partition than the ARN's (`arn:aws:ec2:cn-north-1:...`); what a Region is comes from `data/regions.json`, generated from the AWS SDK's partition table. A partition other than the one most of the document's ARNs use (`aws-cn` among `aws` ARNs): a policy lives in one partition.",
    why: "IAM accepts the policy, but the ARN names no resource that exists, so the statement grants (or, in `NotResource`, excludes) nothing there. It usually is a placeholder never filled in or a copied ARN.",
    example: r#"{"Effect": "Allow", "Action": "logs:PutLogEvents", "Resource": "arn:aws:logs:::log-group:app:*"}"#,
    fix: "Write the suggested ARN: the empty or wrong field filled with the value the rest of the document uses, else `*` (`arn:aws:logs:*:*:log-group:app:*`).",
    access_analyzer: "Missing ARN region (`MISSING_ARN_REGION`), missing ARN account (`MISSING_ARN_ACCOUNT`), invalid ARN account, invalid ARN region; Access Analyzer does not compare partitions across a document.",
};

/// ## What it flags
/// An ARN that matches no resource because of its partition, Region or account field:
/// a Region or account left empty where every resource type the ARN can name has one in
/// its format (`arn:aws:logs:::log-group:x`, `arn:aws:sqs:us-east-1::q`); an account that is
/// not a 12-digit ID (`account-id`, `<ACCOUNT_ID>`); a Region that is not a Region
/// (`us-east-1a` is an Availability Zone), or one of another partition; a partition the rest
/// of the document does not use (`aws-cn` among `aws` ARNs).
pub(crate) fn policy(cx: &mut Cx<'_>, stmts: &[Stmt<'_>]) {
    let arns: Vec<(&Stmt<'_>, &super::ResolvedResource<'_>, &ArnPattern)> = stmts
        .iter()
        .flat_map(|s| {
            s.resources.iter().filter_map(move |r| match &r.pattern {
                Ok(ResourcePattern::Arn(p)) if p.short.is_none() => Some((s, r, p)),
                _ => None,
            })
        })
        .collect();
    if arns.is_empty() {
        return;
    }
    let doc = DocFields::of(arns.iter().map(|(_, _, p)| *p));
    for (s, r, p) in arns {
        let mut problems: Vec<String> = Vec::new();
        // Copied only when a field is rewritten: most ARNs have no problem.
        let mut fixed = Cow::Borrowed(p);
        partition(p, &doc, &mut problems, &mut fixed);
        region(p, &doc, &mut problems, &mut fixed);
        account(p, &doc, &mut problems, &mut fixed);
        missing(p, &r.item.value, &doc, &mut problems, &mut fixed);
        if problems.is_empty() {
            continue;
        }
        let fixed = fixed.to_string();
        cx.push(
            Finding::new(
                Code::DeadArn,
                cx.src,
                r.item.span,
                format!(
                    "`{}` matches no resource: {}",
                    r.item.value,
                    problems.join("; ")
                ),
            )
            .statement(Some(s.st.reference()))
            .resource(r.item.value.clone())
            .suggest(fixed.clone())
            .help(format!("write `{fixed}` instead")),
        );
    }
}

/// What the rest of the document says about the fields, for the ARN to write instead.
struct DocFields {
    /// The partition most literal ARNs use, when one is used more than any other.
    partition: Option<String>,
    /// The one valid literal Region the document uses, if exactly one.
    region: Option<String>,
    /// The one 12-digit account the document uses, if exactly one.
    account: Option<String>,
}

impl DocFields {
    fn of<'p>(arns: impl Iterator<Item = &'p ArnPattern>) -> DocFields {
        let mut partitions: Vec<(&str, usize)> = Vec::new();
        let mut regions: Vec<(&str, &str)> = Vec::new();
        let mut accounts: Vec<&str> = Vec::new();
        for p in arns {
            if is_literal(&p.partition) {
                match partitions.iter_mut().find(|(x, _)| *x == p.partition) {
                    Some((_, n)) => *n += 1,
                    None => partitions.push((&p.partition, 1)),
                }
            }
            if !p.region.is_empty() && is_literal(&p.region) {
                if let Some(rp) = crate::arn::region_partition(&p.region) {
                    if !regions.contains(&(p.region.as_str(), rp)) {
                        regions.push((&p.region, rp));
                    }
                }
            }
            if is_account_id(&p.account) && !accounts.contains(&p.account.as_str()) {
                accounts.push(&p.account);
            }
        }
        partitions.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
        let partition = match partitions.as_slice() {
            [(p, _)] => Some(p.to_string()),
            [(p, a), (_, b), ..] if a > b => Some(p.to_string()),
            _ => None,
        };
        let one = |v: Vec<&str>| match v.as_slice() {
            [x] => Some(x.to_string()),
            _ => None,
        };
        // Regions of the document's partition only: the others are what gets reported.
        regions.retain(|(_, rp)| partition.as_deref().is_none_or(|p| p == *rp));
        DocFields {
            region: one(regions.into_iter().map(|(r, _)| r).collect()),
            partition,
            account: one(accounts),
        }
    }
}

/// No wildcard and no policy variable: the field is exactly this text.
fn is_literal(s: &str) -> bool {
    !s.contains(['*', '?']) && !crate::arn::has_var(s)
}

fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

fn partition(p: &ArnPattern, doc: &DocFields, problems: &mut Vec<String>, fixed: &mut Cow<'_, ArnPattern>) {
    let Some(dp) = &doc.partition else { return };
    if is_literal(&p.partition) && p.partition != *dp {
        problems.push(format!(
            "the partition `{}` differs from the rest of the document's `{dp}`, and a policy applies in one partition",
            p.partition
        ));
        fixed.to_mut().partition.clone_from(dp);
    }
}

fn region(p: &ArnPattern, doc: &DocFields, problems: &mut Vec<String>, fixed: &mut Cow<'_, ArnPattern>) {
    if p.region.is_empty() || !is_literal(&p.region) {
        return;
    }
    match crate::arn::region_partition(&p.region) {
        None => {
            // An Availability Zone (`us-east-1a`) names its Region without the last letter.
            let trimmed = p.region.trim_end_matches(|c: char| c.is_ascii_lowercase());
            let guess = if trimmed != p.region && crate::arn::region_partition(trimmed).is_some() {
                Some(trimmed.to_string())
            } else {
                doc.region.clone().or_else(|| {
                    crate::suggest::closest(&p.region, crate::arn::region_names())
                        .map(str::to_string)
                })
            };
            let az = if guess.as_deref() == Some(trimmed) && trimmed != p.region {
                " (an Availability Zone?)"
            } else {
                ""
            };
            problems.push(format!("`{}` is not an AWS Region{az}", p.region));
            fixed.to_mut().region = guess.unwrap_or_else(|| "*".into());
        }
        Some(rp) if is_literal(&p.partition) && fixed.partition != rp => {
            // After a partition already reported, the Region only follows it.
            if fixed.partition == p.partition {
                problems.push(format!(
                    "the Region `{}` is in the partition `{rp}`, not `{}`",
                    p.region, fixed.partition
                ));
            }
            if doc.partition.as_deref() == Some(fixed.partition.as_str()) {
                fixed.to_mut().region = doc
                    .region
                    .clone()
                    .filter(|r| crate::arn::region_partition(r) == Some(fixed.partition.as_str()))
                    .unwrap_or_else(|| "*".into());
            } else {
                fixed.to_mut().partition = rp.to_string();
            }
        }
        Some(_) => {}
    }
}

fn account(p: &ArnPattern, doc: &DocFields, problems: &mut Vec<String>, fixed: &mut Cow<'_, ArnPattern>) {
    let a = &p.account;
    if a.is_empty() || crate::arn::has_var(a) || is_account_id(a) || special_account(&p.service, a)
    {
        return;
    }
    // With wildcards: the literal characters must be digits, and no more than 12 of them
    // (`?` stands for one); without `*`, exactly 12.
    let digits_ok = a
        .bytes()
        .all(|b| b.is_ascii_digit() || b == b'*' || b == b'?');
    let n = a.bytes().filter(|&b| b != b'*').count();
    let len_ok = if a.contains('*') { n <= 12 } else { n == 12 };
    if digits_ok && len_ok {
        return;
    }
    problems.push(format!("the account `{a}` is not a 12-digit account ID"));
    fixed.to_mut().account = doc.account.clone().unwrap_or_else(|| "*".into());
}

/// A literal account some resource type's format writes for the ARN's service, e.g. `aws`
/// in `arn:${Partition}:iam::aws:policy/...` (AWS managed policies), or one AWS-owned
/// resources of the service use (`data/aws-owned-arns.json`).
fn special_account(service: &str, account: &str) -> bool {
    formats(service).iter().any(|f| f.account == account)
        || aws_owned()
            .iter()
            .any(|e| e.service == service && e.account == account)
}

/// An entry of `data/aws-owned-arns.json`.
#[derive(serde::Deserialize)]
struct Owned {
    service: String,
    #[serde(rename = "type")]
    type_name: String,
    account: String,
}

#[derive(serde::Deserialize)]
struct OwnedFile {
    entries: Vec<Owned>,
}

/// Resource types whose AWS-owned resources have an empty or `aws` account field although
/// the catalog's format has `${Account}`; hand-kept with the AWS page that shows each.
fn aws_owned() -> &'static [Owned] {
    static OWNED: OnceLock<Vec<Owned>> = OnceLock::new();
    OWNED.get_or_init(|| {
        // INVARIANT: embedded and parsed by a unit test; unreadable would mean more findings,
        // never a crash.
        serde_json::from_str::<OwnedFile>(include_str!("../../data/aws-owned-arns.json"))
            .map(|f| f.entries)
            .unwrap_or_default()
    })
}

/// A Region or account left empty where every format the ARN can name has one.
fn missing(
    p: &ArnPattern,
    text: &str,
    doc: &DocFields, problems: &mut Vec<String>, fixed: &mut Cow<'_, ArnPattern>) {
    let (no_region, no_account) = (p.region.is_empty(), p.account.is_empty());
    if !(no_region || no_account) || !is_literal(&p.service) {
        return;
    }
    let Some(Lacks {
        region,
        account,
        types,
    }) = lacks_cached(p, text)
    else {
        return;
    };
    let mut lacks = Vec::new();
    if region {
        lacks.push("Region");
        fixed.to_mut().region = doc
            .region
            .clone()
            .filter(|r| crate::arn::region_partition(r) == Some(fixed.partition.as_str()))
            .unwrap_or_else(|| "*".into());
    }
    if account {
        lacks.push("account");
        fixed.to_mut().account = doc.account.clone().unwrap_or_else(|| "*".into());
    }
    let (fields, has) = match lacks.as_slice() {
        [one] => (format!("{one} field is"), "has one"),
        _ => (format!("{} fields are", lacks.join(" and ")), "has both"),
    };
    problems.push(format!("the {fields} empty, but {types} {has} in its ARN"));
}

/// Which empty fields of an ARN every resource type it can name has, and those types.
#[derive(Clone)]
struct Lacks {
    region: bool,
    account: bool,
    types: String,
}

/// Entries the [`Lacks`] cache holds before it starts over.
const LACKS_MAX: usize = 1 << 12;

thread_local! {
    /// [`lacks`] by resource text: AWS-style policies repeat the same ARNs across documents.
    static LACKS: std::cell::RefCell<HashMap<Box<str>, Option<Lacks>>> =
        std::cell::RefCell::default();
}

/// [`lacks`] of `p`, read from `text` (the cache's key).
fn lacks_cached(p: &ArnPattern, text: &str) -> Option<Lacks> {
    if let Some(hit) = LACKS.with_borrow(|m| m.get(text).cloned()) {
        return hit;
    }
    let r = lacks(p);
    LACKS.with_borrow_mut(|m| {
        if m.len() >= LACKS_MAX {
            m.clear();
        }
        m.insert(text.into(), r.clone());
    });
    r
}

fn lacks(p: &ArnPattern) -> Option<Lacks> {
    let (no_region, no_account) = (p.region.is_empty(), p.account.is_empty());
    let mut probe = p.clone();
    if no_region {
        probe.region = "*".into();
    }
    if no_account {
        probe.account = "*".into();
    }
    let all = formats(&p.service);
    // First the formats that leave the same fields empty: one the ARN fits settles that
    // the field is not missing (S3 and IAM ARNs end here, after a test or a few).
    let (mut region_ok, mut account_ok) = (!no_region, !no_account);
    for f in all {
        if region_ok && account_ok {
            return None;
        }
        let settles_region = !region_ok && f.region.is_empty();
        let settles_account = !account_ok && !f.needs_account;
        if (settles_region || settles_account) && probe.can_match(&f.split) {
            region_ok |= settles_region;
            account_ok |= settles_account;
        }
    }
    if region_ok && account_ok {
        return None;
    }
    let candidates: Vec<&Format> = all
        .iter()
        .filter(|f| probe.can_match(&f.split))
        .collect();
    if candidates.is_empty() {
        return None; // the resource part names no type of the service: `resource-mismatch` says so
    }
    Some(Lacks {
        region: !region_ok,
        account: !account_ok,
        types: bounded_type_names(&candidates),
    })
}

fn bounded_type_names(candidates: &[&Format]) -> String {
    let mut names: Vec<String> = Vec::new();
    for f in candidates {
        let n = format!("`{}`", f.type_name);
        if !names.contains(&n) {
            names.push(n);
        }
    }
    if names.len() == 1 {
        format!("resource type {}", crate::finding::bounded_list(&names))
    } else {
        format!(
            "every resource type it can name ({})",
            crate::finding::bounded_list(&names)
        )
    }
}

/// One ARN format of the catalog, split into its fields.
struct Format {
    type_name: &'static str,
    region: &'static str,
    /// The account field is not empty, and the type has no AWS-owned resources without one
    /// (`data/aws-owned-arns.json`).
    needs_account: bool,
    account: &'static str,
    /// The format split into its fields, once.
    split: crate::arn::Format<'static>,
}

/// Every ARN format of the catalog, by the service field of the ARN (which is not always
/// the action prefix of the service that defines the type).
fn formats(service: &str) -> &'static [Format] {
    static BY_SERVICE: OnceLock<HashMap<&'static str, Vec<Format>>> = OnceLock::new();
    let map = BY_SERVICE.get_or_init(|| {
        let mut m: HashMap<&'static str, Vec<Format>> = HashMap::default();
        for svc in crate::catalog::get().services() {
            for t in &svc.resources {
                // A format that is not `arn:` and five fields names no resource: left out.
                for split in t.arns.iter().filter_map(|f| crate::arn::Format::split(f)) {
                    let Some([_, s, region, account, _]) = split.fields() else {
                        continue;
                    };
                    let owned = aws_owned()
                        .iter()
                        .any(|e| e.service == s && e.type_name == t.name && e.account.is_empty());
                    m.entry(s).or_default().push(Format {
                        type_name: t.name,
                        region,
                        needs_account: !account.is_empty() && !owned,
                        account,
                        split,
                    });
                }
            }
        }
        m
    });
    map.get(service).map_or(&[], Vec::as_slice)
}

#[cfg(test)]
mod tests {
    #[test]
    fn aws_owned_table_reads() {
        let owned = super::aws_owned();
        assert!(owned.len() >= 5);
        // Every entry names a service whose ARNs the catalog knows (a typo would do nothing).
        for e in owned {
            assert!(
                e.service == "cloudformation" || !super::formats(&e.service).is_empty(),
                "{}",
                e.service
            );
        }
    }
}
