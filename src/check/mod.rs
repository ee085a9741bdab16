//! The lint checks, and the registry of every finding code.
//!
//! Each code has one file here named after it (`unknown_action.rs` for `unknown-action`)
//! holding its documentation ([`docs::Doc`], printed by `iamlint explain`) and, for a lint
//! check, its logic. The [`registry!`] table below lists every code once, one line each:
//! from it come the [`Code`] enum (name, default severity, summary), the documentation of
//! each code, and the checks [`lint_policy`] runs, in table order. Adding a code is one new
//! file and one line in the table.
//!
//! [`lint_policy`] resolves each statement's actions and resources against the catalog once
//! ([`Stmt`]), then calls each registered check with them; each check pushes plain
//! [`Finding`]s. Machinery shared by several codes stays in this file and in the topic
//! modules below (`resources`, `conditions`, `security`, `quota`, `escalation`).

pub(crate) mod conditions;
pub mod docs;
pub mod escalation;
pub mod quota;
mod resources;

pub use resources::describe_types;
mod security;
mod trust;

/// Calls one registered check of kind `$want` when the code's hooks include it.
///
/// Hooks: `action` (`fn action(&mut Cx, &Stmt, &ResolvedAction) -> bool`, per `Action`
/// value other than `*`, true when the value needs no later action check), `statement`
/// (`fn statement(&mut Cx, &Stmt)`, per statement) and `policy` (`fn policy(&mut Cx,
/// &[Stmt])`, once per document).
macro_rules! hook {
    (action action $m:ident $cx:ident $s:ident $a:ident) => {
        if $m::action($cx, $s, $a) {
            return;
        }
    };
    (statement statement $m:ident $cx:ident $s:ident) => {
        $m::statement($cx, $s);
    };
    (policy policy $m:ident $cx:ident $s:ident) => {
        $m::policy($cx, $s);
    };
    (action $other:ident $m:ident $cx:ident $s:ident $a:ident) => {};
    (statement $other:ident $m:ident $cx:ident $s:ident) => {};
    (policy $other:ident $m:ident $cx:ident $s:ident) => {};
}

/// The table of codes: `Variant = "name", Severity, module [hooks], "summary";`.
macro_rules! registry {
    ($( $(#[$m:meta])* $variant:ident = $name:literal, $sev:ident, $module:ident [$($hook:ident)*], $summary:literal; )*) => {
        $( pub(crate) mod $module; )*

        /// The stable id of a kind of finding.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[non_exhaustive]
        pub enum Code {
            $( $(#[$m])* #[doc = $summary] $variant, )*
        }

        impl Code {
            /// Every code, in declaration order.
            pub const ALL: &'static [Code] = &[$(Code::$variant),*];

            /// The kebab-case id.
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $name,)* }
            }

            /// The severity unless configuration says otherwise.
            pub fn default_severity(self) -> crate::finding::Severity {
                match self { $(Code::$variant => crate::finding::Severity::$sev,)* }
            }

            /// One line on what the code flags.
            pub fn summary(self) -> &'static str {
                match self { $(Code::$variant => $summary,)* }
            }

            /// The documentation: what it flags, why it matters, an example, the fix.
            pub fn doc(self) -> &'static docs::Doc {
                match self { $(Code::$variant => &$module::DOC,)* }
            }
        }

        /// Each code with the module that holds it, for the test that keeps them in step.
        #[cfg(test)]
        const MODULES: &[(Code, &str)] = &[$((Code::$variant, stringify!($module))),*];

        /// The `action` checks, in table order, on one value of `s`.
        fn run_action(cx: &mut Cx<'_>, s: &Stmt<'_>, a: &ResolvedAction<'_>) {
            $( $( hook!(action $hook $module cx s a); )* )*
        }

        /// The `statement` checks, in table order.
        fn run_statement(cx: &mut Cx<'_>, s: &Stmt<'_>) {
            $( $( hook!(statement $hook $module cx s); )* )*
        }

        /// The `policy` checks, in table order.
        fn run_policy(cx: &mut Cx<'_>, s: &[Stmt<'_>]) {
            $( $( hook!(policy $hook $module cx s); )* )*
        }
    };
}

registry! {
    JsonSyntax = "json-syntax", Error, json_syntax [], "the text is not valid JSON";
    UnknownField = "unknown-field", Error, unknown_field [], "an element name IAM does not know";
    MissingField = "missing-field", Error, missing_field [], "a required element is absent";
    InvalidValue = "invalid-value", Error, invalid_value [action], "an element has a value IAM rejects";
    DuplicateKey = "duplicate-key", Error, duplicate_key [], "a key occurs twice in one object; IAM keeps the last";
    DuplicateSid = "duplicate-sid", Error, duplicate_sid [], "two statements share a Sid";
    UnknownService = "unknown-service", Warning, unknown_service [action], "an action names a service prefix the catalog does not list";
    UnknownAction = "unknown-action", Error, unknown_action [action], "an action the catalog does not list for its service";
    PatternMatchesNothing = "pattern-matches-nothing", Error, pattern_matches_nothing [action], "an action wildcard that matches no action";
    InvalidArn = "invalid-arn", Error, invalid_arn [statement], "a resource that is not an ARN or `*`";
    DeadArn = "dead-arn", Error, dead_arn [policy], "an ARN whose partition, Region or account field matches no resource";
    ResourceMismatch = "resource-mismatch", Error, resource_mismatch [statement], "an action that can act on none of the statement's resources, or a resource none of its actions act on";
    ResourceLevelUnsupported = "resource-level-unsupported", Warning, resource_level_unsupported [], "an action without resource-level permissions scoped to specific ARNs";
    UnknownConditionOperator = "unknown-condition-operator", Error, unknown_condition_operator [statement], "a condition operator IAM does not know";
    UnknownConditionKey = "unknown-condition-key", Warning, unknown_condition_key [statement], "a condition key neither global nor listed for its service";
    ConditionKeyNotApplicable = "condition-key-not-applicable", Warning, condition_key_not_applicable [], "a service condition key that none of the statement's actions carry";
    InvalidConditionValue = "invalid-condition-value", Error, invalid_condition_value [statement], "a condition value its operator cannot read: not a date, number, Boolean, IP address, ARN or base-64 value";
    ConditionTypeMismatch = "condition-type-mismatch", Warning, condition_type_mismatch [statement], "a numeric, date, Boolean, IP or ARN operator on a condition key of another type";
    RedundantAction = "redundant-action", Warning, redundant_action [statement], "an action listed twice, or covered by a wildcard in the same statement";
    DeprecatedAction = "deprecated-action", Warning, deprecated_action [action], "an action AWS retired or replaced";
    FullAdmin = "full-admin", Warning, full_admin [statement], "`*` allowed on `*`";
    AllActions = "all-actions", Warning, all_actions [statement], "`Action: \"*\"` on a narrower resource, or with no resource";
    PassroleToAny = "passrole-to-any", Warning, passrole_to_any [statement], "`iam:PassRole` allowed on every role";
    PassroleAnyService = "passrole-any-service", Warning, passrole_any_service [statement], "`iam:PassRole` without an `iam:PassedToService` condition";
    AllowNotAction = "allow-not-action", Warning, allow_not_action [statement], "`Allow` with `NotAction` grants everything not listed";
    AllowNotResource = "allow-not-resource", Warning, allow_not_resource [statement], "`Allow` with `NotResource` grants on everything not listed";
    PrivilegeEscalation = "privilege-escalation", Warning, privilege_escalation [policy], "the policy allows a known privilege-escalation method";
    PolicyTooLarge = "policy-too-large", Error, policy_too_large [], "a policy, or a principal's inline policies together, over IAM's size quota";
    TooManyAttachedPolicies = "too-many-attached-policies", Warning, too_many_attached_policies [], "more managed policies attached to a principal than IAM's default quota";
    BroadResource = "broad-resource", Info, broad_resource [statement], "a write or permissions-management action that supports resource-level permissions granted on `*` without a condition";
    TrustAnyPrincipal = "trust-any-principal", Error, trust_any_principal [statement], "a trust policy lets any principal (`*`) assume the role with no condition on who";
    TrustGithubAnyRepo = "trust-github-any-repo", Error, trust_github_any_repo [statement], "GitHub Actions' OIDC provider trusted without a `sub` that names the repositories' owner";
    TrustCognitoNoAmr = "trust-cognito-no-amr", Warning, trust_cognito_no_amr [statement], "Cognito identity pools trusted without an `amr` condition";
    TrustAnyAudience = "trust-any-audience", Error, trust_any_audience [statement], "`sts:AssumeRoleWithWebIdentity` allowed for tokens of any audience";
    MissingGrant = "missing-grant", Error, missing_grant [], "a required action on a required resource is not allowed";
    MisScopedGrant = "mis-scoped-grant", Warning, mis_scoped_grant [], "a required action is allowed, but on other resources than the rule needs";
    ExcessGrant = "excess-grant", Warning, excess_grant [], "an action allowed that no rule requires";
    MissingCondition = "missing-condition", Warning, missing_condition [], "a grant lacks the condition the rule requires";
    ConditionalGrant = "conditional-grant", Warning, conditional_grant [], "a required action is allowed only under a condition the rule does not require";
    ConditionalDeny = "conditional-deny", Warning, conditional_deny [], "a required action is denied under a condition the request context does not decide";
    NewAccess = "new-access", Error, new_access [], "a policy change grants access the old version did not";
    RemovedAccess = "removed-access", Info, removed_access [], "a policy change takes away access the old version granted";
    AdminEquivalent = "admin-equivalent", Error, admin_equivalent [], "a principal that may change any identity's permissions, so can grant itself anything";
    EscalationPath = "escalation-path", Error, escalation_path [], "a principal that is not admin-equivalent can become one through a chain of steps";
    DataExfiltration = "data-exfiltration", Warning, data_exfiltration [], "a principal may read every object, secret or parameter of a kind, or decrypt with any key";
    ResourceExposure = "resource-exposure", Warning, resource_exposure [], "a principal may change the resource policy of every bucket, key, repository or function";
    CredentialsExposure = "credentials-exposure", Warning, credentials_exposure [], "a principal may mint credentials: keys of any user, federation tokens";
    TrustUnknownAccount = "trust-unknown-account", Warning, trust_unknown_account [], "a role trusts a principal of an account the audit does not know";
    InfrastructureModification = "infrastructure-modification", Warning, infrastructure_modification [], "a principal may terminate or delete every instance or database";
}

use crate::arn::{ArnError, ResourcePattern};
use crate::catalog::{self, ActionRef, Catalog, Service};
use crate::finding::Finding;
use crate::pattern::Pattern;
use crate::policy::{Policy, Statement};
use crate::span::Spanned;
use std::sync::Arc;

/// "Did you mean" searches per policy document; later unknown names get none. Each search
/// scores every action of a service, and no policy AWS accepts lists this many actions: the
/// largest document IAM takes, a role's inline policies, is 10,240 characters
/// (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html>), and an
/// action with its quotes and comma takes at least 8 (issue 10: bounded cost).
pub(crate) const MAX_SUGGESTIONS: usize = 1000;

/// The help of an unknown name past [`MAX_SUGGESTIONS`].
pub(crate) fn over_budget() -> String {
    format!(
        "no \"did you mean\": this policy has more than {MAX_SUGGESTIONS} unknown names, more than a policy AWS accepts can hold"
    )
}

/// One `Action`/`NotAction` value, resolved against the catalog.
#[derive(Debug, Clone)]
pub struct ResolvedAction<'s> {
    /// The value as written.
    pub item: &'s Spanned<String>,
    /// `*`: every action of every service.
    pub all: bool,
    /// The service prefix as written (empty for `*`).
    pub prefix: &'s str,
    /// The service, when the catalog knows it.
    pub service: Option<&'static Service>,
    /// The name part has a wildcard (`*` or `?`).
    pub wild: bool,
    /// The actions it names (none for `*`, unknown services and unmatched patterns).
    pub matches: Matches,
    /// True when the value is not of the `service:action` form.
    pub malformed: bool,
}

impl ResolvedAction<'_> {
    /// True for `*` and values with a wildcard.
    pub fn is_wild(&self) -> bool {
        self.all || self.wild
    }
}

/// The catalog actions one `Action` value names. A name, or a name ending in `*`, names a
/// run of its service's actions (sorted by name), kept as that slice: most values are
/// resolved with nothing allocated. Other wildcards are a list, shared with every other
/// value of the same text.
#[derive(Debug, Clone, Default)]
pub enum Matches {
    /// None.
    #[default]
    Empty,
    /// A run of one service's actions.
    Run(&'static Service, &'static [catalog::Action]),
    /// Any other set.
    List(Arc<[ActionRef]>),
}

impl Matches {
    /// The actions, in catalog order.
    pub fn iter(&self) -> MatchIter<'_> {
        match self {
            Matches::Empty => MatchIter::List([].iter()),
            Matches::Run(service, run) => MatchIter::Run(service, run.iter()),
            Matches::List(l) => MatchIter::List(l.iter()),
        }
    }
    /// How many.
    pub fn len(&self) -> usize {
        match self {
            Matches::Empty => 0,
            Matches::Run(_, run) => run.len(),
            Matches::List(l) => l.len(),
        }
    }
    /// None at all.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Is `a` one of them? A run answers by address, a list by search.
    pub fn contains(&self, a: ActionRef) -> bool {
        match self {
            Matches::Empty => false,
            Matches::Run(_, run) => run.as_ptr_range().contains(&std::ptr::from_ref(a.action)),
            Matches::List(l) => l.iter().any(|m| std::ptr::eq(m.action, a.action)),
        }
    }
    /// The first, in catalog order.
    pub fn first(&self) -> Option<ActionRef> {
        self.iter().next()
    }
    /// All of them, in a list of their own.
    pub fn to_vec(&self) -> Vec<ActionRef> {
        self.iter().collect()
    }
}

/// The iterator of [`Matches::iter`].
pub enum MatchIter<'a> {
    /// Over a run of one service's actions.
    Run(&'static Service, std::slice::Iter<'static, catalog::Action>),
    /// Over a list.
    List(std::slice::Iter<'a, ActionRef>),
}

impl Iterator for MatchIter<'_> {
    type Item = ActionRef;
    fn next(&mut self) -> Option<ActionRef> {
        match self {
            MatchIter::Run(service, it) => it.next().map(|action| ActionRef { service, action }),
            MatchIter::List(it) => it.next().copied(),
        }
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        match self {
            MatchIter::Run(_, it) => it.size_hint(),
            MatchIter::List(it) => it.size_hint(),
        }
    }
}

impl ExactSizeIterator for MatchIter<'_> {}

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
    /// The statement's Sid, or `#N`, as findings name it: made only for a finding.
    pub fn reference(&self) -> String {
        self.st.reference()
    }
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
            .flat_map(|a| a.matches.iter().map(move |m| (a, m)))
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
    /// "Did you mean" searches made for this document (see [`MAX_SUGGESTIONS`]).
    suggestions: usize,
}

impl Cx<'_> {
    pub fn push(&mut self, f: Finding) {
        self.out.push(f);
    }

    /// Count one "did you mean" search; false once the document has had its share.
    pub fn take_suggestion(&mut self) -> bool {
        self.suggestions += 1;
        self.suggestions <= MAX_SUGGESTIONS
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

/// Answers by the text they were found for, kept across the documents a thread lints, for
/// the catalog they were found in (its address: a catalog lives for the whole process).
/// Bounded: once it holds `MAX` entries it starts over.
struct TextCache<V, const MAX: usize> {
    catalog: usize,
    map: foldhash::HashMap<Box<str>, V>,
}

impl<V, const MAX: usize> Default for TextCache<V, MAX> {
    fn default() -> Self {
        TextCache {
            catalog: 0,
            map: foldhash::HashMap::default(),
        }
    }
}

impl<V: Clone, const MAX: usize> TextCache<V, MAX> {
    fn get(&self, catalog: &'static Catalog, text: &str) -> Option<V> {
        if self.catalog == std::ptr::from_ref(catalog) as usize {
            self.map.get(text).cloned()
        } else {
            None
        }
    }

    fn put(&mut self, catalog: &'static Catalog, text: &str, value: V) {
        let key = std::ptr::from_ref(catalog) as usize;
        if self.catalog != key || self.map.len() >= MAX {
            self.map.clear();
            self.catalog = key;
        }
        self.map.insert(text.into(), value);
    }
}

thread_local! {
    /// The actions of values that are not a run of one service ([`Matches::List`]: `*` in
    /// the service part, `?` or an inner `*`), by text.
    static LISTED: std::cell::RefCell<TextCache<Arc<[ActionRef]>, { 1 << 12 }>> =
        std::cell::RefCell::default();
}

/// What [`resolve_action`] found for a text that names a run of one service's actions (or
/// none), by place in the catalog rather than by reference: with its key an entry takes 32
/// bytes. Values that name a list of actions are not kept here ([`listed`] keeps those).
#[derive(Clone, Copy)]
struct Resolved {
    /// The service's index in [`Catalog::services`], or `u16::MAX` for none.
    service: u16,
    /// The run of the service's actions named: its first index and length.
    start: u16,
    len: u16,
    /// The prefix's length in bytes.
    prefix_len: u16,
    wild: bool,
    malformed: bool,
}

impl Resolved {
    /// `r` packed, if it is a run (or nothing) and its places fit; never `*`, which
    /// [`Resolved::unpack`] cannot give back (and which costs nothing to resolve).
    fn pack(catalog: &'static Catalog, r: &ResolvedAction<'_>) -> Option<Resolved> {
        if r.all {
            return None;
        }
        let number = |n: Option<usize>| n.and_then(|n| u16::try_from(n).ok());
        let service = match r.service {
            None => u16::MAX,
            Some(svc) => number(catalog.service_number(svc)).filter(|&i| i != u16::MAX)?,
        };
        let (start, len) = match &r.matches {
            Matches::Empty => (0, 0),
            Matches::Run(svc, run) => {
                if r.service.is_none_or(|s| !std::ptr::eq(s, *svc)) {
                    return None;
                }
                let first = run.first().and_then(|a| catalog::index_in(&svc.actions, a));
                (number(first)?, u16::try_from(run.len()).ok()?)
            }
            Matches::List(_) => return None,
        };
        Some(Resolved {
            service,
            start,
            len,
            prefix_len: u16::try_from(r.prefix.len()).ok()?,
            wild: r.wild,
            malformed: r.malformed,
        })
    }

    /// Back to what [`resolve_action`] returns for `item`.
    fn unpack<'s>(
        self,
        catalog: &'static Catalog,
        item: &'s Spanned<String>,
    ) -> ResolvedAction<'s> {
        let service = catalog.services().get(usize::from(self.service));
        let start = usize::from(self.start);
        let run = service.and_then(|s| s.actions.get(start..start + usize::from(self.len)));
        ResolvedAction {
            item,
            all: false,
            prefix: item.value.get(..usize::from(self.prefix_len)).unwrap_or(""),
            service,
            wild: self.wild,
            matches: match (service, run) {
                (Some(svc), Some(run)) if !run.is_empty() => Matches::Run(svc, run),
                _ => Matches::Empty,
            },
            malformed: self.malformed,
        }
    }
}

thread_local! {
    /// [`resolve_action`]'s answers by text: policies repeat the same actions (the AWS
    /// managed policies name 59,000 values, 16,500 of them different), and a hash lookup
    /// costs a fifth of a resolution. At most 32,768 entries of 32 bytes, and their texts:
    /// more than the corpus's, so a thread that meets every value (one core; or a `check`,
    /// which resolves each value again to prepare it, on whichever thread takes its
    /// document) does not start over just before the end.
    static RESOLVED: std::cell::RefCell<TextCache<Resolved, { 1 << 15 }>> =
        std::cell::RefCell::default();
}

/// Resolve one action value against the catalog.
pub fn resolve_action<'s>(
    catalog: &'static Catalog,
    item: &'s Spanned<String>,
) -> ResolvedAction<'s> {
    let text = item.value.as_str();
    if let Some(r) = RESOLVED.with_borrow(|c| c.get(catalog, text)) {
        return r.unpack(catalog, item);
    }
    let r = resolve_uncached(catalog, item);
    if let Some(packed) = Resolved::pack(catalog, &r) {
        RESOLVED.with_borrow_mut(|c| c.put(catalog, text, packed));
    }
    r
}

/// [`resolve_action`] without its cache.
fn resolve_uncached<'s>(
    catalog: &'static Catalog,
    item: &'s Spanned<String>,
) -> ResolvedAction<'s> {
    let text = item.value.as_str();
    let mut r = ResolvedAction {
        item,
        all: text == "*",
        prefix: "",
        service: None,
        wild: false,
        matches: Matches::Empty,
        malformed: false,
    };
    if r.all {
        return r;
    }
    // Bytes, not chars: the separators are ASCII, and the search is memchr's.
    let Some(colon) = memchr::memchr(b':', text.as_bytes()) else {
        r.malformed = true;
        return r;
    };
    let (prefix, name) = (
        text.get(..colon).unwrap_or(""),
        text.get(colon + 1..).unwrap_or(""),
    );
    r.prefix = prefix;
    r.wild = memchr::memchr2(b'*', b'?', name.as_bytes()).is_some();
    if memchr::memchr2(b'*', b'?', prefix.as_bytes()).is_some() {
        r.matches = listed(catalog, text, prefix, name, None);
    } else if let Some(svc) = catalog.service(prefix) {
        r.service = Some(svc);
        r.matches = match Catalog::action_run(svc, name) {
            Some([]) => Matches::Empty,
            Some(run) => Matches::Run(svc, run),
            None => listed(catalog, text, prefix, name, Some(svc)),
        };
    }
    r
}

/// The actions of `prefix:name` that are not one run of one service's actions (`svc`, when
/// the prefix has no wildcard), remembered by text.
fn listed(
    catalog: &'static Catalog,
    text: &str,
    prefix: &str,
    name: &str,
    svc: Option<&'static Service>,
) -> Matches {
    let cached = LISTED.with_borrow(|c| c.get(catalog, text));
    let list = cached.unwrap_or_else(|| {
        let pattern = Pattern::new(name, true);
        let mut matches = Vec::new();
        match svc {
            Some(svc) => matches.extend(catalog.matching_actions(svc, &pattern)),
            None => {
                // A wildcard in the service part: expand across every matching service.
                let sp = Pattern::new(prefix, true);
                for svc in catalog.services() {
                    if sp.matches_ci(svc.prefix) {
                        matches.extend(catalog.matching_actions(svc, &pattern));
                    }
                }
            }
        }
        let list: Arc<[ActionRef]> = matches.into();
        LISTED.with_borrow_mut(|c| c.put(catalog, text, list.clone()));
        list
    });
    if list.is_empty() {
        Matches::Empty
    } else {
        Matches::List(list)
    }
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
        for a in s.actions.iter().filter(|a| !a.all) {
            run_action(&mut cx, s, a);
        }
        run_statement(&mut cx, s);
    }
    run_policy(&mut cx, &stmts);
}

#[cfg(test)]
mod tests {
    use super::{Code, MODULES};

    /// An action value resolves the same from the cache as afresh: its service, prefix,
    /// flags and every action it names.
    #[test]
    fn cached_resolution_equals_fresh() {
        let catalog = crate::catalog::get();
        let texts = [
            "*",
            "s3:GetObject",
            "S3:getobject",
            "s3:Get*",
            "s3:*",
            "s3:*Object",
            "s3:Get?bject",
            "s3:GetObjekt",
            "nosuch:Get*",
            "ec2:Describe*",
            "*:GetObject",
            "s3",
            ":",
            "s3:",
            "iam:PassRole",
            "kms:*",
            "ec2:*Tags",
            "dynamodb:BatchGet*",
        ];
        let show = |r: &super::ResolvedAction<'_>| {
            (
                r.all,
                r.prefix.to_string(),
                r.service.map(|s| s.prefix),
                r.wild,
                r.malformed,
                r.matches.iter().map(|m| m.full_name()).collect::<Vec<_>>(),
            )
        };
        for text in texts {
            let item = crate::span::Spanned::new(text.to_string(), crate::span::Span::default());
            let fresh = show(&super::resolve_uncached(catalog, &item));
            for _ in 0..2 {
                assert_eq!(
                    show(&super::resolve_action(catalog, &item)),
                    fresh,
                    "{text}"
                );
            }
        }
    }

    /// One file per code, named after it, opening with the code's name, with every part of
    /// its documentation written.
    #[test]
    fn each_code_has_its_file_and_doc() {
        assert_eq!(MODULES.len(), Code::ALL.len());
        for (code, module) in MODULES {
            let name = code.as_str();
            assert_eq!(*module, name.replace('-', "_"), "module of `{name}`");
            let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("src/check")
                .join(format!("{module}.rs"));
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            assert!(
                text.starts_with(&format!("//! `{name}`")),
                "{} should open with `//! `{name}``",
                path.display()
            );
            let d = code.doc();
            for (part, t) in [
                ("what", d.what),
                ("why", d.why),
                ("example", d.example),
                ("fix", d.fix),
                ("access_analyzer", d.access_analyzer),
            ] {
                assert!(!t.trim().is_empty(), "`{name}`: empty {part}");
            }
        }
    }
}
