//! The lint checks. [`lint_policy`] resolves each statement's actions and resources against
//! the catalog once ([`Cx`]), then runs every check over them; each check pushes plain
//! [`Finding`]s. The documentation of every code is in [`docs`].

mod actions;
pub(crate) mod conditions;
mod dead_arn;
pub mod docs;
pub(crate) mod escalation;
pub mod quota;
mod resources;

pub use resources::describe_types;
mod security;

use crate::arn::{ArnError, ResourcePattern};
use crate::catalog::{self, ActionRef, Catalog, Service};
use crate::finding::Finding;
use crate::pattern::Pattern;
use crate::policy::{Policy, Statement};
use crate::span::Spanned;
use std::rc::Rc;

/// One `Action`/`NotAction` value, resolved against the catalog.
#[derive(Debug, Clone)]
pub struct ResolvedAction<'s> {
    /// The value as written.
    pub item: &'s Spanned<String>,
    /// `*`: every action of every service.
    pub all: bool,
    /// The service prefix as written (empty for `*`).
    pub prefix: Rc<str>,
    /// The service, when the catalog knows it.
    pub service: Option<&'static Service>,
    /// The name part compiled (lowercased).
    pub pattern: Option<Rc<Pattern>>,
    /// The actions it names (empty for `*`, unknown services and unmatched patterns);
    /// shared with every other value of the same text.
    pub matches: Rc<[ActionRef]>,
    /// True when the value is not of the `service:action` form.
    pub malformed: bool,
}

impl ResolvedAction<'_> {
    /// True for `*` and values with a wildcard.
    pub fn is_wild(&self) -> bool {
        self.all || self.pattern.as_deref().is_some_and(Pattern::is_wild)
    }
}

/// One `Resource`/`NotResource` value, parsed.
#[derive(Debug)]
pub(crate) struct ResolvedResource<'s> {
    pub item: &'s Spanned<String>,
    pub pattern: Result<ResourcePattern, ArnError>,
}

/// A statement with its actions and resources resolved.
pub(crate) struct Stmt<'s> {
    pub st: &'s Statement,
    pub actions: Vec<ResolvedAction<'s>>,
    pub resources: Vec<ResolvedResource<'s>>,
    /// `Action` (not `NotAction`) is present.
    pub positive_actions: bool,
    /// `Resource` (not `NotResource`) is present.
    pub positive_resources: bool,
}

impl Stmt<'_> {
    /// Any resource is `*`.
    pub fn any_resource(&self) -> bool {
        self.resources
            .iter()
            .any(|r| matches!(r.pattern, Ok(ResourcePattern::Any)))
    }
    /// Any action is `*`.
    pub fn all_actions(&self) -> bool {
        self.actions.iter().any(|a| a.all)
    }
    /// Every catalog action the statement's `Action` names, with the value that named it.
    pub fn named_actions(&self) -> impl Iterator<Item = (&ResolvedAction<'_>, ActionRef)> {
        self.actions
            .iter()
            .flat_map(|a| a.matches.iter().map(move |m| (a, *m)))
    }
}

/// Context for the checks of one document.
pub(crate) struct Cx<'a> {
    pub src: usize,
    /// Every action value of the document (`svc:Name`), for context-aware suggestions.
    pub context: Vec<&'a str>,
    pub catalog: &'static Catalog,
    pub out: &'a mut Vec<Finding>,
    /// `context` by lowercased service prefix, as "did you mean" weighs it; made on the
    /// first unknown action, once per document (issue 10: linear cost).
    suggest_context: Option<foldhash::HashMap<String, crate::suggest::Context>>,
    /// "Did you mean" searches made for this document (see [`actions::MAX_SUGGESTIONS`]).
    suggestions: usize,
}

impl Cx<'_> {
    pub fn push(&mut self, f: Finding) {
        self.out.push(f);
    }

    /// Count one "did you mean" search; false once the document has had its share.
    pub fn take_suggestion(&mut self) -> bool {
        self.suggestions += 1;
        self.suggestions <= actions::MAX_SUGGESTIONS
    }

    /// The names of the document's actions of service `prefix`, for "did you mean".
    pub fn suggest_context(&mut self, prefix: &str) -> &crate::suggest::Context {
        let context = &self.context;
        let by_service = self.suggest_context.get_or_insert_with(|| {
            let mut names: foldhash::HashMap<String, Vec<&str>> = foldhash::HashMap::default();
            for (p, n) in context.iter().filter_map(|c| c.split_once(':')) {
                names.entry(p.to_ascii_lowercase()).or_default().push(n);
            }
            names
                .into_iter()
                .map(|(p, ns)| (p, crate::suggest::Context::new(ns)))
                .collect()
        });
        by_service.entry(prefix.to_ascii_lowercase()).or_default()
    }
}

/// The parts of a [`ResolvedAction`] that depend on its text only.
#[derive(Clone)]
struct Resolution {
    prefix: Rc<str>,
    service: Option<&'static Service>,
    pattern: Option<Rc<Pattern>>,
    matches: Rc<[ActionRef]>,
    malformed: bool,
}

/// Entries the resolution cache holds before it starts over (bounds memory on huge inputs).
const RESOLVED_MAX: usize = 1 << 14;

thread_local! {
    /// Resolutions by action text, kept across the documents a thread lints (AWS-style
    /// policies repeat `ec2:Describe*`, `s3:GetObject`, ...), for the catalog they were
    /// made against (its address: the catalog lives for the whole process).
    static RESOLVED: std::cell::RefCell<(usize, foldhash::HashMap<Box<str>, Resolution>)> =
        std::cell::RefCell::default();
}

/// Resolve one action value against the catalog.
pub fn resolve_action<'s>(
    catalog: &'static Catalog,
    item: &'s Spanned<String>,
) -> ResolvedAction<'s> {
    let key = std::ptr::from_ref(catalog) as usize;
    let text = item.value.as_str();
    let cached = RESOLVED.with_borrow(|(k, m)| {
        if *k == key {
            m.get(text).cloned()
        } else {
            None
        }
    });
    let r = cached.unwrap_or_else(|| {
        let r = resolve_uncached(catalog, text);
        RESOLVED.with_borrow_mut(|(k, m)| {
            if *k != key || m.len() >= RESOLVED_MAX {
                m.clear();
                *k = key;
            }
            m.insert(text.into(), r.clone());
        });
        r
    });
    ResolvedAction {
        item,
        all: text == "*",
        prefix: r.prefix,
        service: r.service,
        pattern: r.pattern,
        matches: r.matches,
        malformed: r.malformed,
    }
}

fn resolve_uncached(catalog: &'static Catalog, text: &str) -> Resolution {
    let mut r = Resolution {
        prefix: Rc::from(""),
        service: None,
        pattern: None,
        matches: Rc::from([]),
        malformed: false,
    };
    if text == "*" {
        return r;
    }
    let Some((prefix, name)) = text.split_once(':') else {
        r.malformed = true;
        return r;
    };
    r.prefix = Rc::from(prefix);
    let pattern = Pattern::new(name, true);
    let mut matches = Vec::new();
    if prefix.contains(['*', '?']) {
        // A wildcard in the service part: expand across every matching service.
        let sp = Pattern::new(prefix, true);
        for svc in catalog.services() {
            if sp.matches_ci(svc.prefix) {
                matches.extend(catalog.matching_actions(svc, &pattern));
            }
        }
    } else if let Some(svc) = catalog.service(prefix) {
        r.service = Some(svc);
        matches.extend(catalog.matching_actions(svc, &pattern));
    }
    r.matches = matches.into();
    r.pattern = Some(Rc::new(pattern));
    r
}

/// Lint one parsed policy: every check, findings pushed to `out`.
pub fn lint_policy(policy: &Policy, src: usize, out: &mut Vec<Finding>) {
    let catalog = catalog::get();
    let stmts: Vec<Stmt<'_>> = policy
        .statements
        .iter()
        .map(|st| Stmt {
            st,
            actions: st
                .action
                .iter()
                .flat_map(|a| a.items.iter())
                .map(|i| resolve_action(catalog, i))
                .collect(),
            resources: st
                .resource
                .iter()
                .flat_map(|r| r.items.iter())
                .map(|item| ResolvedResource {
                    item,
                    pattern: ResourcePattern::parse(&item.value),
                })
                .collect(),
            positive_actions: st.action.as_ref().is_some_and(|a| !a.not),
            positive_resources: st.resource.as_ref().is_some_and(|r| !r.not),
        })
        .collect();
    let context: Vec<&str> = policy
        .statements
        .iter()
        .flat_map(|st| st.action.iter().flat_map(|a| a.items.iter()))
        .map(|i| i.value.as_str())
        .collect();
    let mut cx = Cx {
        src,
        context,
        catalog,
        out,
        suggest_context: None,
        suggestions: 0,
    };
    for s in &stmts {
        actions::check(&mut cx, s);
        resources::check(&mut cx, s);
        conditions::check(&mut cx, s);
        security::check_statement(&mut cx, s);
    }
    security::check_policy(&mut cx, &stmts);
    dead_arn::check(&mut cx, &stmts);
}
