//! `redundant-action`: an action listed twice, or covered by a wildcard in the same statement.
//!
//! Logic: [`statement`].

use super::{Cx, Matches, ResolvedAction, Stmt};
use crate::catalog;
use crate::finding::{Code, Finding};
use super::docs::Doc;

/// The documentation of `redundant-action`: `iamlint explain redundant-action` prints it.
pub(crate) const DOC: Doc = Doc {
    what: "An action listed twice, or covered by a wildcard (or `*`) in the same statement.",
    why: "Noise that hides what the statement grants.",
    example: r#""Action": ["s3:GetObject", "s3:Get*"]"#,
    fix: "Remove the redundant value.",
    access_analyzer: "Redundant action.",
};

/// Statements up to this many values are compared pair by pair (no table is built); longer
/// ones, which can list thousands, are hashed (issue 10: linear cost).
const SCAN: usize = 16;

/// An action listed twice, or whose every action another value in the statement also names.
pub(crate) fn statement(cx: &mut Cx<'_>, s: &Stmt<'_>) {
    let acts = &s.actions;
    if acts.len() < 2 {
        return;
    }
    // Per value, found once: does its service part have a wildcard (or is it `*`)? Only a
    // wildcard value can cover another, and only one of the same service or with such a
    // service part. Two values name the same service when the catalog gave both the same
    // one (it looks prefixes up without case); a value of a service the catalog does not
    // know names no action, so it neither covers nor is covered.
    let any: Vec<bool> = acts
        .iter()
        .map(|b| b.all || memchr::memchr2(b'*', b'?', b.prefix.as_bytes()).is_some())
        .collect();
    let wild: Vec<usize> = (0..acts.len())
        .filter(|&j| acts.get(j).is_some_and(|b| b.is_wild() && !b.malformed))
        .collect();
    let any_at = |j: usize| any.get(j).copied().unwrap_or(false);
    let same_service = |a: &ResolvedAction<'_>, b: &ResolvedAction<'_>| {
        matches!((a.service, b.service), (Some(x), Some(y)) if std::ptr::eq(x, y))
    };
    let by_service = (wild.len() > SCAN).then(|| {
        let mut same: foldhash::HashMap<usize, Vec<usize>> = foldhash::HashMap::default();
        let mut anywhere: Vec<usize> = Vec::new();
        for &j in &wild {
            if any_at(j) {
                anywhere.push(j);
            } else if let Some(svc) = acts.get(j).and_then(|b| b.service) {
                same.entry(std::ptr::from_ref(svc) as usize)
                    .or_default()
                    .push(j);
            }
        }
        (same, anywhere)
    });
    let dups = earlier_same_text(acts);
    // Each value's actions as a set of addresses, made when first compared.
    let mut sets: Vec<Option<Set>> = acts.iter().map(|_| None).collect();
    for (i, a) in acts.iter().enumerate() {
        if a.malformed || (a.matches.is_empty() && !a.all) {
            continue;
        }
        let mut covered_by = dups.get(i).copied().flatten();
        if covered_by.is_none() {
            let mut test = |j: usize| -> bool {
                let Some(b) = acts.get(j) else { return false };
                if i == j || b.item.value.eq_ignore_ascii_case(&a.item.value) {
                    return false;
                }
                // Two values naming the same set: flag the later one only.
                covers(acts, &mut sets, j, i) && (j < i || !covers(acts, &mut sets, i, j))
            };
            covered_by = match &by_service {
                None => wild.iter().copied().find(|&j| {
                    acts.get(j)
                        .is_some_and(|b| any_at(i) || any_at(j) || same_service(a, b))
                        && test(j)
                }),
                Some(_) if any_at(i) => wild.iter().copied().find(|&j| test(j)),
                Some((same, anywhere)) => {
                    let same = a
                        .service
                        .and_then(|svc| same.get(&(std::ptr::from_ref(svc) as usize)))
                        .map_or(&[][..], Vec::as_slice);
                    // In index order, as one list would be: the first coverer is reported.
                    first_of_merged(same, anywhere, &mut test)
                }
            };
        }
        let Some(b) = covered_by.and_then(|j| acts.get(j)) else {
            continue;
        };
        let msg = if b.item.value.eq_ignore_ascii_case(&a.item.value) {
            format!("`{}` is listed twice", a.item.value)
        } else {
            format!(
                "`{}` is already covered by `{}`",
                a.item.value, b.item.value
            )
        };
        cx.push(
            Finding::new(Code::RedundantAction, cx.src, a.item.span, msg)
                .statement(Some(s.reference()))
                .action(a.item.value.clone())
                .related(format!("`{}` is here", b.item.value), b.item.span)
                .help("remove it"),
        );
    }
}

/// The first of `a` and `b` (each in ascending order), taken in ascending order, that
/// passes `test`.
fn first_of_merged(a: &[usize], b: &[usize], test: &mut impl FnMut(usize) -> bool) -> Option<usize> {
    let (mut a, mut b) = (a.iter().peekable(), b.iter().peekable());
    loop {
        let next = match (a.peek(), b.peek()) {
            (Some(&&x), Some(&&y)) if x <= y => a.next(),
            (Some(_), Some(_)) | (None, Some(_)) => b.next(),
            (Some(_), None) => a.next(),
            (None, None) => return None,
        };
        if let Some(&j) = next {
            if test(j) {
                return Some(j);
            }
        }
    }
}

/// A text that hashes and compares without ASCII case, so a table can key values by it
/// without a lowercased copy of each.
#[derive(Clone, Copy)]
struct Folded<'a>(&'a str);

impl PartialEq for Folded<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.0.eq_ignore_ascii_case(other.0)
    }
}

impl Eq for Folded<'_> {}

impl std::hash::Hash for Folded<'_> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        // Lowercased a piece at a time on the stack; the same text in any case gives the
        // same pieces.
        let mut buf = [0u8; 64];
        for piece in self.0.as_bytes().chunks(buf.len()) {
            let out = buf.get_mut(..piece.len()).unwrap_or_default();
            for (o, b) in out.iter_mut().zip(piece) {
                *o = b.to_ascii_lowercase();
            }
            state.write(out);
        }
        state.write_usize(self.0.len());
    }
}

/// For each value, the first earlier value of the same text in any case.
fn earlier_same_text(acts: &[ResolvedAction<'_>]) -> Vec<Option<usize>> {
    if acts.len() <= SCAN {
        return acts
            .iter()
            .enumerate()
            .map(|(i, a)| {
                acts.iter()
                    .take(i)
                    .position(|b| b.item.value.eq_ignore_ascii_case(&a.item.value))
            })
            .collect();
    }
    let mut first: foldhash::HashMap<Folded<'_>, usize> = foldhash::HashMap::default();
    first.reserve(acts.len());
    acts.iter()
        .enumerate()
        .map(|(i, a)| match first.entry(Folded(&a.item.value)) {
            std::collections::hash_map::Entry::Occupied(e) => Some(*e.get()),
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(i);
                None
            }
        })
        .collect()
}

/// The catalog actions one value names, as addresses: a run of one service's actions is
/// the range of its addresses (and their number); any other list, sorted and without
/// repeats.
enum Set {
    Range(usize, usize, usize),
    Sorted(Vec<usize>),
}

impl Set {
    fn of(m: &Matches) -> Set {
        match m {
            Matches::Run(_, run) => {
                let lo = run.as_ptr() as usize;
                Set::Range(lo, lo + std::mem::size_of_val(*run), run.len())
            }
            _ => {
                let mut v: Vec<usize> = m
                    .iter()
                    .map(|x| std::ptr::from_ref(x.action) as usize)
                    .collect();
                v.sort_unstable();
                v.dedup();
                Set::Sorted(v)
            }
        }
    }
    fn len(&self) -> usize {
        match self {
            Set::Range(_, _, n) => *n,
            Set::Sorted(v) => v.len(),
        }
    }
    fn contains(&self, x: usize) -> bool {
        match self {
            Set::Range(lo, hi, _) => (*lo..*hi).contains(&x),
            Set::Sorted(v) => v.binary_search(&x).is_ok(),
        }
    }
    /// Every member of `self` is in `other`.
    fn within(&self, other: &Set) -> bool {
        match self {
            Set::Range(lo, hi, n) => match other {
                Set::Range(olo, ohi, _) => *n == 0 || (olo <= lo && hi <= ohi),
                Set::Sorted(_) => (*lo..*hi)
                    .step_by(std::mem::size_of::<catalog::Action>().max(1))
                    .all(|x| other.contains(x)),
            },
            Set::Sorted(v) => v.iter().all(|x| other.contains(*x)),
        }
    }
}

/// Does value `bi` name every action value `ai` names (and something, so unknown names
/// cover nothing)?
fn covers(acts: &[ResolvedAction<'_>], sets: &mut [Option<Set>], bi: usize, ai: usize) -> bool {
    let (Some(b), Some(a)) = (acts.get(bi), acts.get(ai)) else {
        return false;
    };
    if b.all {
        return true;
    }
    if a.all || !b.is_wild() {
        return false;
    }
    for (k, x) in [(bi, b), (ai, a)] {
        if let Some(slot @ None) = sets.get_mut(k) {
            *slot = Some(Set::of(&x.matches));
        }
    }
    let (Some(Some(sb)), Some(Some(sa))) = (sets.get(bi), sets.get(ai)) else {
        return false;
    };
    sb.len() >= sa.len() && sa.within(sb)
}

#[cfg(test)]
mod tests {
    use crate::finding::Code;

    /// `redundant-action`'s messages for a policy of one statement with these actions.
    fn redundant(actions: &[&str]) -> Vec<String> {
        let text = serde_json::json!({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]
        })
        .to_string();
        let doc = crate::source::Document {
            origin: "p.json".into(),
            text,
        };
        crate::analysis::lint::lint_document(&doc, 0)
            .into_iter()
            .filter(|f| f.code == Code::RedundantAction)
            .map(|f| f.message)
            .collect()
    }

    /// What a short statement (values compared pair by pair) reports, a long one (values
    /// keyed by service and by case-folded text) reports too: services matched without
    /// case, `*` in the service part, and the first coverer in the statement's order.
    #[test]
    fn long_statements_report_as_short_ones() {
        let values = [
            "s3:GetObject",
            "S3:Get*",
            "s3:getobject",
            "ec2:DescribeInstances",
            "ec2:Describe*",
            "s3:PutObject",
            "s3:*",
            "nosuch:Get*",
            "NoSuch:Get*",
            "*:GetObject",
            "sqs:SendMessage",
            "sqs:sendmessage",
        ];
        let short = redundant(&values);
        assert_eq!(
            short,
            [
                "`s3:GetObject` is already covered by `S3:Get*`",
                "`S3:Get*` is already covered by `s3:*`",
                "`s3:getobject` is listed twice",
                "`ec2:DescribeInstances` is already covered by `ec2:Describe*`",
                "`s3:PutObject` is already covered by `s3:*`",
                "`sqs:sendmessage` is listed twice",
            ]
        );
        // Past the bound, with wildcards of other services that cover nothing here.
        let fillers = [
            "sns:Get*", "kms:Get*", "logs:Get*", "lambda:Get*", "iam:Get*", "sts:Get*",
            "ecr:Get*", "ecs:Get*", "eks:Get*", "rds:Get*", "ssm:Get*", "glue:Get*",
            "athena:Get*", "cloudwatch:Get*", "dynamodb:Get*", "kinesis:Get*",
            "firehose:Get*",
        ];
        let mut long: Vec<&str> = values.to_vec();
        long.extend(fillers);
        assert!(long.iter().filter(|v| v.contains('*')).count() > super::SCAN);
        assert_eq!(redundant(&long), short);
        // The same values after the fillers: the first coverer is still the first in order.
        let mut after: Vec<&str> = fillers.to_vec();
        after.extend(values);
        assert_eq!(redundant(&after), short);
    }
}
