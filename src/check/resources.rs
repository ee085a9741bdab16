//! What the resource checks share (`resource-mismatch`, `resource-level-unsupported`,
//! `broad-resource`, `privilege-escalation`): whether an action can act on a resource value,
//! cached, and how an action's resource types read in a message.

use super::ResolvedResource;
use crate::arn::{Format, ResourcePattern};
use crate::catalog::ActionRef;

/// Can `action` act on the resource `r`? `*` fits every action; an ARN pattern fits when
/// it can name a resource of one of the action's types. An action without resource types
/// fits only `*`.
pub(crate) fn acts_on(action: ActionRef, r: &ResolvedResource<'_>) -> bool {
    action.resource_types().any(|(t, _)| type_fits(t, r))
}

/// Can the resource `r` name a resource of type `t`?
fn type_fits(t: &'static crate::catalog::ResourceType, r: &ResolvedResource<'_>) -> bool {
    match &r.pattern {
        Ok(ResourcePattern::Any) => true,
        Ok(ResourcePattern::Arn(p)) => match split_formats(t) {
            Some(formats) => formats.iter().any(|f| p.can_match(f)),
            // A type of another catalog than the one in use (made in a test).
            None => t.arns.iter().any(|f| p.can_match_format(f)),
        },
        Err(_) => false,
    }
}

/// The ARN formats of resource type `t` of the catalog in use, split into their fields
/// ([`Format::split`]) once for the whole run rather than at every match; `None` for a
/// type of another catalog.
fn split_formats(t: &'static crate::catalog::ResourceType) -> Option<&'static [Format<'static>]> {
    /// Every format, and by type address the range of the type's formats in it.
    type Split = (
        Vec<Format<'static>>,
        foldhash::HashMap<usize, (usize, usize)>,
    );
    static SPLIT: std::sync::OnceLock<Split> = std::sync::OnceLock::new();
    let (all, by_type) = SPLIT.get_or_init(|| {
        let mut all = Vec::new();
        let mut by_type = foldhash::HashMap::default();
        for svc in crate::catalog::get().services() {
            for t in &svc.resources {
                let start = all.len();
                // A format not starting with `arn:` matches nothing: left out.
                all.extend(t.arns.iter().filter_map(|f| Format::split(f)));
                by_type.insert(std::ptr::from_ref(t) as usize, (start, all.len()));
            }
        }
        (all, by_type)
    });
    let &(a, b) = by_type.get(&(std::ptr::from_ref(t) as usize))?;
    all.get(a..b)
}

/// Entries the fit cache holds before it starts over (bounds memory on huge inputs).
const FIT_CACHE_MAX: usize = 1 << 16;

/// [`type_fits`] answers, kept across the documents a thread lints: AWS-style policies
/// repeat the same resources (`arn:aws:s3:::*`, ...) and each answer is an automaton
/// intersection. By resource text a slot, and in each slot the answers by resource type;
/// types are catalog entries that live for the whole process, so their addresses identify
/// them.
#[derive(Default)]
struct FitCache {
    /// Answers held in all.
    held: usize,
    slots: foldhash::HashMap<Box<str>, u32>,
    answers: Vec<foldhash::HashMap<usize, bool>>,
}

thread_local! {
    static FITS: std::cell::RefCell<FitCache> = std::cell::RefCell::default();
}

/// Whether each resource type fits each of a statement's resources, answered from (and
/// kept in) this thread's cache: each resource's text is looked up once, when the table is
/// made, and each question after that costs a lookup by type address.
pub(crate) struct FitTable<'a, 's> {
    resources: &'a [&'a ResolvedResource<'s>],
    /// Each resource's slot in the cache.
    slots: Vec<u32>,
}

impl<'a, 's> FitTable<'a, 's> {
    pub(crate) fn new(resources: &'a [&'a ResolvedResource<'s>]) -> Self {
        let slots = FITS.with_borrow_mut(|c| {
            if c.held >= FIT_CACHE_MAX || c.answers.len() >= FIT_CACHE_MAX {
                *c = FitCache::default();
            }
            resources
                .iter()
                .map(|r| {
                    let next = u32::try_from(c.answers.len()).unwrap_or(u32::MAX);
                    let slot = *c.slots.entry(r.item.value.as_str().into()).or_insert(next);
                    if slot == next {
                        c.answers.push(foldhash::HashMap::default());
                    }
                    slot
                })
                .collect()
        });
        FitTable { resources, slots }
    }

    /// Can resource number `k` name a resource of type `t`?
    pub(crate) fn fits(&self, t: &'static crate::catalog::ResourceType, k: usize) -> bool {
        let (Some(r), Some(&slot)) = (self.resources.get(k), self.slots.get(k)) else {
            return false;
        };
        let key = std::ptr::from_ref(t) as usize;
        FITS.with_borrow_mut(|c| {
            let held = c.held;
            let Some(answers) = c.answers.get_mut(slot as usize) else {
                return type_fits(t, r);
            };
            if let Some(&hit) = answers.get(&key) {
                return hit;
            }
            let fit = type_fits(t, r);
            // Past the bound the answer is not kept; the table starts over at the next
            // statement.
            if held < FIT_CACHE_MAX {
                answers.insert(key, fit);
                c.held += 1;
            }
            fit
        })
    }
}

thread_local! {
    /// [`describe_types`] by action address: `broad-resource` repeats it thousands of times.
    static DESCRIBED: std::cell::RefCell<foldhash::HashMap<usize, String>> =
        std::cell::RefCell::default();
}

/// "resource type `instance-profile` (`arn:${Partition}:iam::...`)", for messages.
pub fn describe_types(a: ActionRef) -> String {
    let key = std::ptr::from_ref(a.action) as usize;
    if let Some(s) = DESCRIBED.with_borrow(|m| m.get(&key).cloned()) {
        return s;
    }
    let s = describe_types_uncached(a);
    // Bounded by the catalog's number of actions.
    DESCRIBED.with_borrow_mut(|m| m.insert(key, s.clone()));
    s
}

/// [`crate::finding::bounded_list_within`] of `items` each in backticks: only the items the
/// list shows are quoted.
fn quoted_list(items: &[&str], budget: usize) -> String {
    crate::finding::bounded_iter_within(items.iter().map(|x| format!("`{x}`")), budget)
}

/// Characters the list of resource types in a message may take.
const TYPES_BUDGET: usize = 170;

fn describe_types_uncached(a: ActionRef) -> String {
    // Required types first: they are the ones a policy must name. With a few types each
    // shows its ARN format; with many (`ec2:CreateTags` takes over 100) the first does, the
    // next are named, and the rest counted.
    let mut types: Vec<(&crate::catalog::ResourceType, bool)> = a.resource_types().collect();
    types.sort_by_key(|(_, req)| !*req);
    let all_optional = types.len() > 1 && types.iter().all(|(_, req)| !*req);
    // The `i`th type, with its ARN formats when `i < with_format`.
    let part = |i: usize, with_format: usize| -> Option<String> {
        let (t, req) = types.get(i)?;
        let opt = if *req || all_optional { "" } else { "optional" };
        // Written piece by piece: for the thousands of actions a lint describes, `format!`
        // and a string per ARN format cost more than the rest of the message.
        let mut s = String::with_capacity(t.name.len() + 16);
        s.push('`');
        s.push_str(t.name);
        s.push('`');
        if i < with_format {
            s.push_str(" (");
            if !opt.is_empty() {
                s.push_str(opt);
                s.push_str(", ");
            }
            s.push_str(&quoted_list(&t.arns, 100));
            s.push(')');
        } else if !opt.is_empty() {
            s.push_str(" (");
            s.push_str(opt);
            s.push(')');
        }
        Some(s)
    };
    // Every type with its formats if that fits the budget, else only the first: made one by
    // one, so a long list (`ec2:CreateTags`) stops being formatted once it is over, and of
    // the short form only the types the message shows are made.
    let mut parts = Vec::with_capacity(types.len());
    let mut used = 0;
    let mut over = false;
    for i in 0..types.len() {
        let Some(p) = part(i, types.len()) else {
            break;
        };
        used += p.len() + 2;
        parts.push(p);
        if used > TYPES_BUDGET {
            over = true;
            break;
        }
    }
    let (n, list) = if over {
        let short = (0..types.len()).map(|i| part(i, 1).unwrap_or_default());
        (
            types.len(),
            crate::finding::bounded_iter_within(short, TYPES_BUDGET),
        )
    } else {
        (
            parts.len(),
            crate::finding::bounded_list_within(&parts, TYPES_BUDGET),
        )
    };
    format!(
        "the resource type{}{} {list}",
        if n == 1 { "" } else { "s" },
        if all_optional { " (all optional)" } else { "" },
    )
}

#[cfg(test)]
mod tests {
    /// The list made without a string per item is the one `bounded_list_within` makes of
    /// the quoted items: short and long lists, at and around the budget, and items long
    /// enough to be cut.
    #[test]
    fn quoted_list_equals_the_general_list() {
        let long = "x".repeat(300);
        let lists: Vec<Vec<&str>> = vec![
            vec![],
            vec!["a"],
            vec!["arn:${Partition}:ec2:${Region}:${Account}:instance/${InstanceId}"; 3],
            (0..40)
                .map(|i| ["ab", "abcdefghij", "arn:x:y"][i % 3])
                .collect(),
            vec![long.as_str(), "b"],
            vec!["a", long.as_str()],
        ];
        for items in &lists {
            for budget in [0, 1, 10, 50, 99, 100, 101, 170, 500] {
                let quoted: Vec<String> = items.iter().map(|x| format!("`{x}`")).collect();
                assert_eq!(
                    super::quoted_list(items, budget),
                    crate::finding::bounded_list_within(&quoted, budget),
                    "{items:?} within {budget}"
                );
            }
        }
    }
}
