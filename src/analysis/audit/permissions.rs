//! Each principal's effective permissions (issue 12, part 5): for every service and access
//! level, the catalog actions it is allowed, on which resources, under which condition, and
//! the statements they come from, as plain data for the audit report
//! ([`crate::report::audit`]).
//!
//! Effective means what IAM's evaluation logic gives for the principal in its own account
//! (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html>),
//! the same rules as [`super::effective::decide`]: an `Allow` of its identity policies
//! applies, and (when it has one) an `Allow` of its permissions boundary, and no `Deny` of
//! either. It is computed by set operations over catalog action indices rather than by
//! deciding every action: each statement's `Action`/`NotAction` is expanded to a set once
//! (each value cached by its text, each statement by its document and position, across every
//! principal of the account: thousands share the same managed policies), and a statement
//! with resources other than `*` keeps only the actions that can act on one of them (an
//! action without resource types is requested on `*`, which only `*` matches). `NotAction`
//! grants the catalog's complement of what it names.
//!
//! Conditions are read as [`super::effective::decide`] reads them: the keys the dump fixes
//! for the principal ([`Subject::context`]) decide them; a condition on any other key makes
//! the grant "allowed if" it holds, and a conditional `Deny` leaves the action "allowed
//! unless" its condition holds: never silently allowed. An unconditional `Deny` removes an
//! action when its resources cover every resource the `Allow`s grant it on; a `Deny` on only
//! part of them is kept as an exception (`except`), the action staying allowed elsewhere.
//! A `NotResource` is shown as written (`not ...`), taken as reaching any resource type.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use serde::Serialize;

use super::effective::Access;
use super::{Account, Subject};
use crate::arn::{ArnPattern, pattern_covers, patterns_overlap};
use crate::catalog::{self, ActionRef};
use crate::eval::Doc;
use crate::eval::condition::{self, Context, Tri};
use crate::eval::request::Hit;
use crate::pattern::Pattern;
use crate::policy::{Effect, Statement};

/// A principal's effective permissions.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Permissions {
    /// Actions allowed whatever the request context.
    pub allowed: usize,
    /// Actions allowed only if a condition holds.
    pub allowed_if: usize,
    /// Actions an `Allow` grants that an unconditional `Deny` removes.
    pub denied: usize,
    /// By service prefix, in catalog order; only services with an action granted.
    pub services: Vec<ServicePermissions>,
    /// The statements the grants come from; [`Grant::from`] indexes this list.
    pub sources: Vec<Source>,
}

/// One service's part.
///
/// Serialized as `{"service", "levels"}`, or, when one grant holds every action of every
/// level it has (an administrator's services), as `{"service", "all": {LEVEL: COUNT},
/// "grant"}`: the grant without its `count` and `all_but`.
#[derive(Debug, Clone)]
pub struct ServicePermissions {
    /// Its prefix, e.g. `s3`.
    pub service: &'static str,
    /// Its name as AWS writes it (not serialized: the prefix names it).
    pub name: &'static str,
    /// By access level: List, Read, Write, Permissions management, Tagging.
    pub levels: Vec<LevelPermissions>,
}

impl Serialize for ServicePermissions {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let first = self.levels.first().and_then(|l| l.grants.first());
        let whole = |l: &LevelPermissions| {
            l.grants.len() == 1
                && l.grants.first().is_some_and(|g| {
                    g.actions.len() == l.of
                        && first.is_some_and(|f| {
                            f.access == g.access
                                && f.condition == g.condition
                                && f.any_resource == g.any_resource
                                && f.except == g.except
                                && f.from == g.from
                        })
                })
        };
        let mut m = s.serialize_map(Some(3))?;
        m.serialize_entry("service", self.service)?;
        match first {
            Some(f) if self.levels.iter().all(whole) => {
                m.serialize_entry("all", &LevelCounts(&self.levels))?;
                m.serialize_entry(
                    "grant",
                    &GrantCore {
                        access: f.access,
                        condition: f.condition.as_deref(),
                        any_resource: f.any_resource,
                        except: &f.except,
                        from: &f.from,
                    },
                )?;
            }
            _ => m.serialize_entry("levels", &self.levels)?,
        }
        m.end()
    }
}

/// `{LEVEL: COUNT}` in level order.
struct LevelCounts<'a>(&'a [LevelPermissions]);

impl Serialize for LevelCounts<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().map(|l| (l.level, l.of)))
    }
}

/// What a grant says besides its actions.
#[derive(Serialize)]
struct GrantCore<'a> {
    access: Access,
    #[serde(skip_serializing_if = "Option::is_none")]
    condition: Option<&'a str>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    any_resource: bool,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    except: &'a [String],
    from: &'a [usize],
}

/// One access level of one service.
#[derive(Debug, Clone, Serialize)]
pub struct LevelPermissions {
    /// `List`, `Read`, `Write`, `Permissions management` or `Tagging` (the catalog's primary
    /// access level of each action).
    pub level: &'static str,
    /// How many actions of the service the catalog has at this level.
    pub of: usize,
    /// Actions allowed whatever the request context.
    pub allowed: usize,
    /// Actions allowed only if a condition holds.
    #[serde(skip_serializing_if = "is_zero")]
    pub allowed_if: usize,
    /// Actions granted but removed by an unconditional `Deny`.
    #[serde(skip_serializing_if = "is_zero")]
    pub denied: usize,
    /// The actions, grouped by the statements that decide them.
    pub grants: Vec<Grant>,
}

/// Actions of one service and level decided by the same statements.
///
/// Serialized compactly (an account has thousands of principals, and an administrator holds
/// every action of the catalog): `count`; the names as `actions`, or, when shorter, the
/// actions of the level it does *not* hold as `all_but` (`"all_but": []`: every action of
/// the level); the grant's resources are its sources' (`from`).
#[derive(Debug, Clone)]
pub struct Grant {
    /// Allowed, allowed if [`Grant::condition`] holds, or denied.
    pub access: Access,
    /// The action names (without the prefix), in catalog order.
    pub actions: Vec<&'static str>,
    /// For [`Access::AllowedIf`], what must hold: one of the identity `Allow`s' conditions
    /// (`or`), one of the boundary's, and none of the conditional `Deny`s' (`unless`).
    pub condition: Option<String>,
    /// The identity `Allow`s' resources, as written (a `NotResource` value as `not ...`;
    /// the policy variables the dump fixes for the principal filled in).
    pub resources: Vec<String>,
    /// True when an `Allow` grants them on every resource (`*`, or a `NotResource`).
    pub any_resource: bool,
    /// Where an unconditional `Deny` covers only part of the resources, or a conditional
    /// one applies: `not on RESOURCES` (with `if CONDITION` when it has one).
    pub except: Vec<String>,
    /// Indices into [`Permissions::sources`]: the identity `Allow`s, the boundary's `Allow`s,
    /// and the `Deny`s that decide these actions.
    pub from: Vec<usize>,
    /// The actions of the level not in [`Grant::actions`], when fewer than it holds.
    missing: Option<Vec<&'static str>>,
}

impl Serialize for Grant {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Compact<'a> {
            access: Access,
            count: usize,
            #[serde(skip_serializing_if = "Option::is_none")]
            actions: Option<&'a [&'static str]>,
            #[serde(skip_serializing_if = "Option::is_none")]
            all_but: Option<&'a [&'static str]>,
            #[serde(skip_serializing_if = "Option::is_none")]
            condition: Option<&'a str>,
            #[serde(skip_serializing_if = "std::ops::Not::not")]
            any_resource: bool,
            #[serde(skip_serializing_if = "<[String]>::is_empty")]
            except: &'a [String],
            from: &'a [usize],
        }
        Compact {
            access: self.access,
            count: self.actions.len(),
            actions: match self.missing {
                Some(_) => None,
                None => Some(&self.actions),
            },
            all_but: self.missing.as_deref(),
            condition: self.condition.as_deref(),
            any_resource: self.any_resource,
            except: &self.except,
            from: &self.from,
        }
        .serialize(s)
    }
}

/// A statement a grant comes from.
#[derive(Debug, Clone, Serialize)]
pub struct Source {
    /// The policy: `user/a inline "p"`, or the managed policy's ARN.
    pub policy: String,
    /// Its Sid, or `#N`.
    pub statement: String,
    /// `Allow` or `Deny`.
    pub effect: &'static str,
    /// True for a statement of the permissions boundary.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub boundary: bool,
    /// `file:line:col` of the statement (the file: the dump, or `embedded snapshot`).
    pub at: String,
    /// Its resources, as [`Grant::resources`] writes them.
    pub resources: Vec<String>,
    /// Its condition, when the dump does not decide it for the principal.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
}

/// The same level name: [`catalog::access_name`] returns one of a few static strings, so
/// their addresses decide (no byte comparison per action).
fn same(a: &'static str, b: &'static str) -> bool {
    std::ptr::eq(a, b) || a == b
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// Every catalog action numbered: services in catalog order, their actions in order.
struct Universe {
    /// The number of the first action of each service.
    starts: Vec<u32>,
    /// How many actions in all.
    len: u32,
}

fn universe() -> &'static Universe {
    static U: OnceLock<Universe> = OnceLock::new();
    U.get_or_init(|| {
        let mut starts = Vec::new();
        let mut len = 0u32;
        for s in catalog::get().services() {
            starts.push(len);
            len = len.saturating_add(u32::try_from(s.actions.len()).unwrap_or(u32::MAX));
        }
        Universe { starts, len }
    })
}

impl Universe {
    /// The action numbered `i`, with its service's position.
    fn action(&self, i: u32) -> Option<(usize, ActionRef)> {
        let s = self.starts.partition_point(|&st| st <= i).checked_sub(1)?;
        let service = catalog::get().services().get(s)?;
        let start = *self.starts.get(s)?;
        let action = service.actions.get((i - start) as usize)?;
        Some((s, ActionRef { service, action }))
    }

    /// The number of `a`'s action in service position `s`.
    fn number(&self, s: usize, a: usize) -> Option<u32> {
        Some(self.starts.get(s)? + u32::try_from(a).ok()?)
    }
}

/// A set of action numbers as bits.
#[derive(Debug, Clone)]
struct Bits(Vec<u64>);

impl Bits {
    fn empty(len: u32) -> Bits {
        Bits(vec![0; (len as usize).div_ceil(64)])
    }
    fn insert(&mut self, i: u32) {
        if let Some(w) = self.0.get_mut((i / 64) as usize) {
            *w |= 1 << (i % 64);
        }
    }
    fn contains(&self, i: u32) -> bool {
        self.0
            .get((i / 64) as usize)
            .is_some_and(|w| w & (1 << (i % 64)) != 0)
    }
    fn union(&mut self, o: &Actions) {
        match o {
            Actions::Few(v) => v.iter().for_each(|&i| self.insert(i)),
            Actions::Many(b) => self.0.iter_mut().zip(&b.0).for_each(|(x, y)| *x |= y),
        }
    }
    fn intersect(&mut self, o: &Bits) {
        self.0.iter_mut().zip(&o.0).for_each(|(x, y)| *x &= y);
    }
    fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        self.0.iter().enumerate().flat_map(|(wi, &w)| {
            let mut w = w;
            std::iter::from_fn(move || {
                if w == 0 {
                    return None;
                }
                let b = w.trailing_zeros();
                w &= w - 1;
                Some(u32::try_from(wi).unwrap_or(u32::MAX) * 64 + b)
            })
        })
    }
    fn count(&self) -> usize {
        self.0.iter().map(|w| w.count_ones() as usize).sum()
    }
}

/// A statement's actions: a sorted list when few, bits when many (a `*` or a `NotAction`).
#[derive(Debug)]
enum Actions {
    Few(Vec<u32>),
    Many(Bits),
}

impl Actions {
    fn contains(&self, i: u32) -> bool {
        match self {
            Actions::Few(v) => v.binary_search(&i).is_ok(),
            Actions::Many(b) => b.contains(i),
        }
    }
    /// How many of the actions numbered `start..end` it holds.
    fn count_in(&self, start: u32, end: u32) -> usize {
        match self {
            Actions::Few(v) => v.partition_point(|&i| i < end) - v.partition_point(|&i| i < start),
            Actions::Many(b) => (start..end).filter(|&i| b.contains(i)).count(),
        }
    }
    fn from_bits(b: Bits) -> Actions {
        if b.count() <= 256 {
            Actions::Few(b.iter().collect())
        } else {
            Actions::Many(b)
        }
    }
}

/// A statement as a set of actions, made once for every principal it applies to.
#[derive(Debug)]
struct Prepared {
    effect: Effect,
    /// The actions it applies to on some resource it names.
    actions: Actions,
    /// Its resource values; `not` for a `NotResource`.
    resources: Vec<String>,
    not_resource: bool,
    /// A `*` among its `Resource` values, or a `NotResource` (reaching every resource type).
    any_resource: bool,
    /// Where it is, and its conditions as text.
    hit: Hit,
    /// `file:line:col`.
    at: String,
    /// Policy variables allowed (`Version` 2012-10-17).
    vars: bool,
}

/// One statement as it applies to one principal.
struct Applied {
    prep: Arc<Prepared>,
    boundary: bool,
    /// `True`: the dump's keys for the principal satisfy it (or it has none); `Unknown`: it
    /// depends on keys not given.
    cond: Tri,
    /// Resources with the principal's known variables filled in.
    resources: Vec<String>,
}

impl Applied {
    fn is_allow(&self) -> bool {
        self.prep.effect == Effect::Allow
    }
    fn condition(&self) -> Option<String> {
        (self.cond != Tri::True).then(|| self.prep.hit.conditions.join(" and "))
    }
    fn shown_resources(&self) -> Vec<String> {
        self.resources
            .iter()
            .map(|r| {
                if self.prep.not_resource {
                    format!("not {r}")
                } else {
                    r.clone()
                }
            })
            .collect()
    }
}

/// Computes effective permissions for the principals of one account, keeping what they
/// share: each action value expanded once, each statement prepared once.
pub struct Expander<'a> {
    account: &'a Account,
    /// Lowercased action value -> action numbers.
    values: HashMap<String, Arc<[u32]>>,
    /// (document address, statement index) -> the statement prepared, `None` when it grants
    /// and denies nothing (a trust statement, a misspelt element).
    statements: HashMap<(usize, usize), Option<Arc<Prepared>>>,
    /// (resource type address, resource value) -> can the value name a resource of the type.
    fits: HashMap<(usize, String), bool>,
}

impl<'a> Expander<'a> {
    /// An expander for the principals of `account`.
    pub fn new(account: &'a Account) -> Expander<'a> {
        Expander {
            account,
            values: HashMap::new(),
            statements: HashMap::new(),
            fits: HashMap::new(),
        }
    }

    /// The action numbers an `Action` value names.
    fn value(&mut self, text: &str) -> Arc<[u32]> {
        let key = text.to_ascii_lowercase();
        if let Some(v) = self.values.get(&key) {
            return v.clone();
        }
        let u = universe();
        let c = catalog::get();
        let mut out = Vec::new();
        if key == "*" {
            out.extend(0..u.len);
        } else if let Some((prefix, name)) = key.split_once(':') {
            let pattern = Pattern::new(name, true);
            let sp = Pattern::new(prefix, true);
            for (si, svc) in c.services().iter().enumerate() {
                if !sp.matches_ci(svc.prefix) {
                    continue;
                }
                for a in c.matching_actions(svc, &pattern) {
                    // Actions are sorted by `lname` (see `matching_actions`).
                    let ai = svc
                        .actions
                        .binary_search_by(|x| x.lname.cmp(a.action.lname))
                        .ok()
                        .and_then(|ai| u.number(si, ai));
                    out.extend(ai);
                }
            }
        }
        out.sort_unstable();
        let v: Arc<[u32]> = out.into();
        self.values.insert(key, v.clone());
        v
    }

    /// Can the resource value `r` name a resource `action` acts on?
    fn fits(&mut self, action: ActionRef, r: &str, parsed: Option<&ArnPattern>) -> bool {
        let Some(p) = parsed else { return false };
        action.resource_types().any(|(t, _)| {
            let key = (std::ptr::from_ref(t) as usize, r.to_string());
            if let Some(&f) = self.fits.get(&key) {
                return f;
            }
            let f = t.arns.iter().any(|fmt| p.can_match_format(fmt));
            self.fits.insert(key, f);
            f
        })
    }

    /// Statement `st` of `doc` as a set of actions (cached).
    fn prepare(&mut self, doc: &Arc<Doc>, st: &Statement, boundary: bool) -> Option<Arc<Prepared>> {
        let key = (Arc::as_ptr(doc) as usize, st.index);
        if let Some(p) = self.statements.get(&key) {
            return p.clone();
        }
        let p = self.prepare_uncached(doc, st, boundary).map(Arc::new);
        self.statements.insert(key, p.clone());
        p
    }

    fn prepare_uncached(&mut self, doc: &Doc, st: &Statement, boundary: bool) -> Option<Prepared> {
        if st.principal.is_some() {
            return None;
        }
        let effect = st.effect.as_ref()?.value;
        let (act, res) = (st.action.as_ref()?, st.resource.as_ref()?);
        // A misspelt element makes IAM reject the policy: it grants nothing.
        if act.recovered_from.is_some() || res.recovered_from.is_some() {
            return None;
        }
        let u = universe();
        let mut named = Bits::empty(u.len);
        for i in &act.items {
            let v = self.value(&i.value);
            v.iter().for_each(|&n| named.insert(n));
        }
        let mut actions = if act.not {
            let mut all = Bits::empty(u.len);
            (0..u.len)
                .filter(|&n| !named.contains(n))
                .for_each(|n| all.insert(n));
            all
        } else {
            named
        };
        let resources: Vec<String> = res.items.iter().map(|i| i.value.clone()).collect();
        let star = resources.iter().any(|r| r == "*");
        if res.not && star {
            return None;
        }
        if !res.not && !star {
            // Keep the actions that can act on one of the resources.
            let parsed: Vec<(String, Option<ArnPattern>)> = resources
                .iter()
                .map(|r| (r.clone(), ArnPattern::parse(r).ok()))
                .collect();
            let mut kept = Bits::empty(u.len);
            for n in actions.iter() {
                let Some((_, a)) = u.action(n) else { continue };
                if parsed.iter().any(|(r, p)| self.fits(a, r, p.as_ref())) {
                    kept.insert(n);
                }
            }
            actions = kept;
        }
        let hit = self.account.hit(doc, st, boundary);
        let at = format!("{}:{}:{}", self.account.file_of(&hit), hit.line, hit.column);
        Some(Prepared {
            effect,
            actions: Actions::from_bits(actions),
            resources,
            not_resource: res.not,
            any_resource: star || res.not,
            hit,
            at,
            vars: condition::variables_allowed(
                doc.policy.version.as_ref().map(|v| v.value.as_str()),
            ),
        })
    }

    /// The statements that apply to `subject`, conditions read with its keys.
    fn applied(&mut self, subject: &Subject) -> Vec<Applied> {
        let ctx = subject.context(&Context::new(false));
        let mut out = Vec::new();
        let sets = std::iter::once((&subject.docs, false))
            .chain(subject.boundary.as_ref().map(|b| (b, true)));
        for (doc, boundary) in sets.flat_map(|(docs, b)| docs.iter().map(move |d| (d, b))) {
            for st in &doc.policy.statements {
                let Some(prep) = self.prepare(doc, st, boundary) else {
                    continue;
                };
                let cond = condition::all(&st.condition, &ctx, prep.vars);
                if cond == Tri::False {
                    continue;
                }
                let resources = prep
                    .resources
                    .iter()
                    .map(|r| condition::fill_known(r, &ctx, prep.vars).into_owned())
                    .collect();
                out.push(Applied {
                    prep,
                    boundary,
                    cond,
                    resources,
                });
            }
        }
        out
    }

    /// The effective permissions of `subject`.
    pub fn permissions(&mut self, subject: &Subject) -> Permissions {
        let applied = self.applied(subject);
        let u = universe();
        // Granted by the identity policies, within the boundary's grants.
        let mut granted = Bits::empty(u.len);
        for a in applied.iter().filter(|a| a.is_allow() && !a.boundary) {
            granted.union(&a.prep.actions);
        }
        if subject.boundary.is_some() {
            let mut within = Bits::empty(u.len);
            for a in applied.iter().filter(|a| a.is_allow() && a.boundary) {
                within.union(&a.prep.actions);
            }
            granted.intersect(&within);
        }
        let mut b = Build {
            applied: &applied,
            has_boundary: subject.boundary.is_some(),
            relation: HashMap::new(),
            sources: HashMap::new(),
            out: Permissions::default(),
        };
        // Actions of one service and level with the same deciding statements share a grant:
        // (level, deciding statements, level position, grant position) of this service.
        let mut service: Option<ServicePermissions> = None;
        let mut actions: &'static [catalog::Action] = &[];
        let (mut start, mut end) = (0u32, 0u32);
        let mut groups: Vec<(&'static str, Vec<usize>, usize, usize)> = Vec::new();
        let (mut sig, mut allows) = (Vec::new(), Vec::new());
        let (mut relevant, mut constant): (Vec<usize>, bool) = (Vec::new(), false);
        for n in granted.iter() {
            if n >= end || service.is_none() {
                let Some((si, a)) = u.action(n) else { continue };
                b.finish(service.take());
                groups.clear();
                start = u.starts.get(si).copied().unwrap_or(n);
                end = u.starts.get(si + 1).copied().unwrap_or(u.len);
                actions = &a.service.actions;
                // The statements that reach the service, and whether each holds all of it.
                relevant.clear();
                constant = true;
                sig.clear();
                for (i, ap) in applied.iter().enumerate() {
                    let k = ap.prep.actions.count_in(start, end);
                    if k > 0 {
                        relevant.push(i);
                        constant &= k == (end - start) as usize;
                    }
                }
                service = Some(ServicePermissions {
                    service: a.service.prefix,
                    name: a.service.name,
                    levels: Vec::new(),
                });
            }
            let (Some(svc), Some(action)) = (service.as_mut(), actions.get((n - start) as usize))
            else {
                continue;
            };
            if constant {
                // Every statement that reaches the service holds all of it: one signature.
                if sig.is_empty() {
                    b.signature(n, &mut sig, &mut allows, None);
                }
            } else {
                b.signature(n, &mut sig, &mut allows, Some(&relevant));
            }
            let level = catalog::access_name(action.access);
            let (li, gi) = match groups.iter().find(|(l, s, ..)| same(l, level) && *s == sig) {
                Some(&(_, _, li, gi)) => (li, gi),
                None => {
                    let li = match svc.levels.iter().position(|l| l.level == level) {
                        Some(i) => i,
                        None => {
                            let of = actions
                                .iter()
                                .filter(|x| same(catalog::access_name(x.access), level))
                                .count();
                            svc.levels.push(LevelPermissions {
                                level,
                                of,
                                allowed: 0,
                                allowed_if: 0,
                                denied: 0,
                                grants: Vec::new(),
                            });
                            svc.levels.len() - 1
                        }
                    };
                    let grant = b.grant(&sig);
                    let Some(lp) = svc.levels.get_mut(li) else {
                        continue;
                    };
                    lp.grants.push(grant);
                    let gi = lp.grants.len() - 1;
                    groups.push((level, sig.clone(), li, gi));
                    (li, gi)
                }
            };
            let Some(lp) = svc.levels.get_mut(li) else {
                continue;
            };
            if let Some(g) = lp.grants.get_mut(gi) {
                g.actions.push(action.name);
                match g.access {
                    Access::Allowed => lp.allowed += 1,
                    Access::AllowedIf => lp.allowed_if += 1,
                    Access::Denied | Access::NotAllowed => lp.denied += 1,
                }
            }
        }
        b.finish(service);
        b.out
    }
}

/// What one principal's permissions are built from.
struct Build<'x> {
    applied: &'x [Applied],
    has_boundary: bool,
    /// (Deny, Allow) -> (their resources overlap, the Deny's cover the Allow's).
    relation: HashMap<(usize, usize), (bool, bool)>,
    /// Applied statement -> index into `out.sources`.
    sources: HashMap<usize, usize>,
    out: Permissions,
}

impl Build<'_> {
    /// Into `sig`, the applied statements (of `among`, else all) that decide action `n`:
    /// the identity `Allow`s (also into `allows`), the boundary's `Allow`s, and the `Deny`s
    /// whose resources meet an identity `Allow`'s.
    fn signature(
        &mut self,
        n: u32,
        sig: &mut Vec<usize>,
        allows: &mut Vec<usize>,
        among: Option<&[usize]>,
    ) {
        sig.clear();
        allows.clear();
        let all: Vec<usize>;
        let among = match among {
            Some(a) => a,
            None => {
                all = (0..self.applied.len()).collect();
                &all
            }
        };
        let mut denies = false;
        for &i in among {
            let Some(a) = self.applied.get(i) else {
                continue;
            };
            if !a.prep.actions.contains(n) {
                continue;
            }
            if a.is_allow() {
                sig.push(i);
                if !a.boundary {
                    allows.push(i);
                }
            } else {
                denies = true;
            }
        }
        if !denies {
            return;
        }
        for &d in among {
            let is_deny = self
                .applied
                .get(d)
                .is_some_and(|a| !a.is_allow() && a.prep.actions.contains(n));
            if is_deny && allows.iter().any(|&i| self.relation(d, i).0) {
                sig.push(d);
            }
        }
    }

    /// Do Deny `d`'s resources meet Allow `i`'s, and cover them all?
    fn relation(&mut self, d: usize, i: usize) -> (bool, bool) {
        if let Some(&r) = self.relation.get(&(d, i)) {
            return r;
        }
        let (Some(deny), Some(allow)) = (self.applied.get(d), self.applied.get(i)) else {
            return (false, false);
        };
        let r = if deny.prep.not_resource || allow.prep.not_resource {
            // Not refined: a `NotResource` meets everything and is covered only by `*`.
            let covers = !deny.prep.not_resource && deny.resources.iter().any(|r| r == "*");
            (true, covers)
        } else {
            let meets = deny
                .resources
                .iter()
                .any(|x| allow.resources.iter().any(|y| patterns_overlap(x, y)));
            let covers = allow
                .resources
                .iter()
                .all(|y| deny.resources.iter().any(|x| pattern_covers(x, y)));
            (meets, covers)
        };
        self.relation.insert((d, i), r);
        r
    }

    fn source(&mut self, i: usize) -> Option<usize> {
        if let Some(&s) = self.sources.get(&i) {
            return Some(s);
        }
        let a = self.applied.get(i)?;
        let s = self.out.sources.len();
        self.out.sources.push(Source {
            policy: a.prep.hit.policy.clone(),
            statement: a.prep.hit.statement.clone(),
            effect: a.prep.hit.effect,
            boundary: a.boundary,
            at: a.prep.at.clone(),
            resources: a.shown_resources(),
            condition: a.condition(),
        });
        self.sources.insert(i, s);
        Some(s)
    }

    /// The grant of the actions decided by `sig` (its actions still to add).
    fn grant(&mut self, sig: &[usize]) -> Grant {
        let pick = |f: &dyn Fn(&Applied) -> bool| -> Vec<usize> {
            sig.iter()
                .copied()
                .filter(|&i| self.applied.get(i).is_some_and(f))
                .collect()
        };
        let allows = pick(&|a| a.is_allow() && !a.boundary);
        let bounds = pick(&|a| a.is_allow() && a.boundary);
        let denies = pick(&|a| !a.is_allow());
        let any_of = |ids: &[usize], applied: &[Applied]| -> Option<String> {
            if ids
                .iter()
                .any(|&i| applied.get(i).is_some_and(|a| a.cond == Tri::True))
            {
                return None;
            }
            let parts: Vec<String> = ids
                .iter()
                .filter_map(|&i| applied.get(i).and_then(Applied::condition))
                .collect();
            match parts.len() {
                0 => None,
                1 => parts.into_iter().next(),
                _ => Some(format!("({})", parts.join(" or "))),
            }
        };
        let mut parts: Vec<String> = Vec::new();
        parts.extend(any_of(&allows, self.applied));
        if self.has_boundary {
            parts.extend(any_of(&bounds, self.applied));
        }
        let mut unless = Vec::new();
        let mut except = Vec::new();
        let mut denied = false;
        for &d in &denies {
            let covers_all = allows.iter().all(|&i| self.relation(d, i).1);
            let Some(deny) = self.applied.get(d) else {
                continue;
            };
            match (covers_all, deny.condition()) {
                (true, None) => denied = true,
                (true, Some(c)) => unless.push(c),
                (false, c) => except.push(match c {
                    None => format!("not on {}", deny.shown_resources().join(", ")),
                    Some(c) => format!("not on {} if {c}", deny.shown_resources().join(", ")),
                }),
            }
        }
        let mut text = parts.join(" and ");
        if !unless.is_empty() {
            let u = if unless.len() == 1 {
                unless.join("")
            } else {
                format!("({})", unless.join(" or "))
            };
            text = if text.is_empty() {
                format!("unless {u}")
            } else {
                format!("{text}, unless {u}")
            };
        }
        let (access, condition) = if denied {
            (Access::Denied, None)
        } else if text.is_empty() {
            (Access::Allowed, None)
        } else {
            (Access::AllowedIf, Some(text))
        };
        let mut resources: Vec<String> = Vec::new();
        let mut any_resource = false;
        for &i in &allows {
            if let Some(a) = self.applied.get(i) {
                any_resource |= a.prep.any_resource;
                for r in a.shown_resources() {
                    if !resources.contains(&r) {
                        resources.push(r);
                    }
                }
            }
        }
        let from = sig.iter().filter_map(|&i| self.source(i)).collect();
        Grant {
            access,
            actions: Vec::new(),
            condition,
            resources,
            any_resource,
            except,
            from,
            missing: None,
        }
    }

    /// Count a finished service in and keep it.
    fn finish(&mut self, service: Option<ServicePermissions>) {
        let Some(mut s) = service else { return };
        let order = ["List", "Read", "Write", "Permissions management", "Tagging"];
        s.levels.sort_by_key(|l| {
            order
                .iter()
                .position(|o| *o == l.level)
                .unwrap_or(order.len())
        });
        let svc = catalog::get().service(s.service);
        for l in &mut s.levels {
            for g in &mut l.grants {
                if g.actions.len() * 2 > l.of {
                    // Both lists are in catalog order.
                    let mut held = g.actions.iter().peekable();
                    let mut missing = Vec::new();
                    for a in svc.iter().flat_map(|v| v.actions.iter()) {
                        if !same(catalog::access_name(a.access), l.level) {
                            continue;
                        }
                        if held.peek().is_some_and(|h| **h == a.name) {
                            held.next();
                        } else {
                            missing.push(a.name);
                        }
                    }
                    g.missing = Some(missing);
                }
            }
        }
        for l in &s.levels {
            self.out.allowed += l.allowed;
            self.out.allowed_if += l.allowed_if;
            self.out.denied += l.denied;
        }
        self.out.services.push(s);
    }
}

/// The effective permissions of `subject` of `account` (for many principals of one account,
/// keep one [`Expander`]: what they share is computed once).
pub fn permissions(account: &Account, subject: &Subject) -> Permissions {
    Expander::new(account).permissions(subject)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::audit::effective;
    use crate::eval::request::Request;

    /// A dump with one user `u` whose inline policy is `doc`, and a boundary `b` if given.
    fn user_with(doc: &str, boundary: Option<&str>) -> Account {
        let b = boundary.map_or(String::new(), |_| {
            r#","PermissionsBoundary": {"PermissionsBoundaryType": "Policy",
              "PermissionsBoundaryArn": "arn:aws:iam::1:policy/b"}"#
                .to_string()
        });
        let policies = boundary.map_or(String::new(), |d| {
            format!(
                r#","Policies": [{{"PolicyName": "b", "Arn": "arn:aws:iam::1:policy/b",
                  "PolicyVersionList": [{{"VersionId": "v1", "IsDefaultVersion": true,
                  "Document": {d}}}]}}]"#
            )
        });
        let text = format!(
            r#"{{"UserDetailList": [{{"UserName": "u", "Arn": "arn:aws:iam::1:user/u",
              "UserPolicyList": [{{"PolicyName": "p", "PolicyDocument": {doc}}}]{b}}}]{policies}}}"#
        );
        Account::from_text("d.json", &text).unwrap()
    }

    fn perms(acc: &Account, who: &str) -> Permissions {
        permissions(acc, acc.find(who).unwrap())
    }

    fn level<'p>(p: &'p Permissions, service: &str, level: &str) -> &'p LevelPermissions {
        p.services
            .iter()
            .find(|s| s.service == service)
            .and_then(|s| s.levels.iter().find(|l| l.level == level))
            .unwrap_or_else(|| panic!("no {service} {level} in {p:#?}"))
    }

    fn count_in_catalog(service: &str, pred: impl Fn(&crate::catalog::Action) -> bool) -> usize {
        catalog::get()
            .service(service)
            .unwrap()
            .actions
            .iter()
            .filter(|a| pred(a))
            .count()
    }

    #[test]
    fn a_boundary_caps_the_grant_to_what_it_allows() {
        let acc = user_with(
            r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}]}"#,
            Some(
                r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}"#,
            ),
        );
        let p = perms(&acc, "user/u");
        assert_eq!((p.allowed, p.allowed_if, p.denied), (1, 0, 0), "{p:#?}");
        assert_eq!(p.services.len(), 1);
        let read = level(&p, "s3", "Read");
        assert_eq!(read.allowed, 1);
        let g = read.grants.first().unwrap();
        assert_eq!(g.actions, vec!["GetObject"]);
        assert_eq!(g.access, Access::Allowed);
        assert!(g.any_resource);
        // It comes from the inline policy and the boundary, each located in the dump.
        let from: Vec<(&str, bool, &str)> = g
            .from
            .iter()
            .map(|&i| {
                let s = p.sources.get(i).unwrap();
                (s.policy.as_str(), s.boundary, s.at.as_str())
            })
            .collect();
        assert_eq!(from.len(), 2, "{from:?}");
        assert!(
            from.iter()
                .any(|(pol, b, at)| pol.contains("inline") && !b && at.starts_with("d.json:2:")),
            "{from:?}"
        );
        assert!(
            from.iter()
                .any(|(pol, b, _)| *pol == "arn:aws:iam::1:policy/b" && *b),
            "{from:?}"
        );
        // Without the boundary: every s3 `Get*` action.
        let acc = user_with(
            r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}]}"#,
            None,
        );
        let p = perms(&acc, "user/u");
        let want = count_in_catalog("s3", |a| a.lname.starts_with("get"));
        assert!(want > 50);
        assert_eq!(p.allowed, want);
    }

    #[test]
    fn a_conditional_deny_leaves_the_action_allowed_unless_its_condition_holds() {
        let acc = user_with(
            r#"{"Version": "2012-10-17", "Statement": [
              {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "*"},
              {"Sid": "NoMfaNoGet", "Effect": "Deny", "Action": "s3:GetObject", "Resource": "*",
               "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}]}"#,
            None,
        );
        let p = perms(&acc, "user/u");
        assert_eq!((p.allowed, p.allowed_if, p.denied), (1, 1, 0), "{p:#?}");
        let read = level(&p, "s3", "Read");
        let g = read.grants.first().unwrap();
        assert_eq!(g.actions, vec!["GetObject"]);
        assert_eq!(g.access, Access::AllowedIf);
        let c = g.condition.as_deref().unwrap();
        assert!(
            c.starts_with("unless ") && c.contains("aws:MultiFactorAuthPresent"),
            "{c}"
        );
        assert!(
            g.from
                .iter()
                .any(|&i| p.sources.get(i).unwrap().statement == "NoMfaNoGet")
        );
        // The same as the one-request evaluator says.
        let s = acc.find("user/u").unwrap();
        let req = Request {
            action: "s3:GetObject".into(),
            resource: "arn:aws:s3:::b/k".into(),
            context: Context::new(false),
        };
        assert_eq!(
            effective::decide(&acc, s, &req).unwrap().access,
            Access::AllowedIf
        );
        let write = level(&p, "s3", "Write");
        assert_eq!((write.allowed, write.allowed_if), (1, 0));
    }

    #[test]
    fn an_unconditional_deny_removes_and_a_narrower_one_is_an_exception() {
        let acc = user_with(
            r#"{"Version": "2012-10-17", "Statement": [
              {"Effect": "Allow", "Action": ["sqs:SendMessage", "sqs:ReceiveMessage"], "Resource": "*"},
              {"Effect": "Deny", "Action": "sqs:SendMessage", "Resource": "*"},
              {"Effect": "Deny", "Action": "sqs:ReceiveMessage", "Resource": "arn:aws:sqs:us-east-1:1:secret"}]}"#,
            None,
        );
        let p = perms(&acc, "user/u");
        assert_eq!((p.allowed, p.allowed_if, p.denied), (1, 0, 1), "{p:#?}");
        let grants: Vec<&Grant> = p
            .services
            .iter()
            .flat_map(|s| &s.levels)
            .flat_map(|l| &l.grants)
            .collect();
        let send = grants
            .iter()
            .find(|g| g.actions == ["SendMessage"])
            .unwrap();
        assert_eq!(send.access, Access::Denied);
        let recv = grants
            .iter()
            .find(|g| g.actions == ["ReceiveMessage"])
            .unwrap();
        assert_eq!(recv.access, Access::Allowed);
        assert_eq!(recv.except, vec!["not on arn:aws:sqs:us-east-1:1:secret"]);
    }

    #[test]
    fn not_action_grants_the_catalogs_complement() {
        let acc = user_with(
            r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "NotAction": ["iam:*", "organizations:*"], "Resource": "*"}]}"#,
            None,
        );
        let p = perms(&acc, "user/u");
        let all: usize = catalog::get()
            .services()
            .iter()
            .map(|s| s.actions.len())
            .sum();
        let iam = count_in_catalog("iam", |_| true) + count_in_catalog("organizations", |_| true);
        assert_eq!(p.allowed, all - iam);
        assert!(
            p.services
                .iter()
                .all(|s| s.service != "iam" && s.service != "organizations")
        );
        assert!(p.services.iter().any(|s| s.service == "s3"));
        // Each level counts what the catalog has at that level when everything is granted.
        let s3 = level(&p, "s3", "Write");
        assert_eq!(s3.allowed, s3.of);
        // Serialized, a whole level is `all_but: []`, not every name; a service one grant
        // holds wholly is its counts by level and the grant.
        let v = serde_json::to_value(s3).unwrap();
        assert_eq!(v["grants"][0]["all_but"], serde_json::json!([]), "{v}");
        assert_eq!(v["grants"][0]["count"], s3.of);
        assert!(v["grants"][0].get("actions").is_none());
        let s3 = p.services.iter().find(|s| s.service == "s3").unwrap();
        let v = serde_json::to_value(s3).unwrap();
        assert_eq!(
            v["all"]["Write"],
            s3.levels.iter().find(|l| l.level == "Write").unwrap().of
        );
        assert_eq!(v["grant"]["access"], "allowed", "{v}");
        assert_eq!(v["grant"]["from"], serde_json::json!([0]), "{v}");
        assert!(v.get("levels").is_none());
        // Not wholly: a Deny takes one action away, so the levels are spelt out.
        let p = perms(
            &user_with(
                r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sqs:*", "Resource": "*"},
                  {"Effect": "Deny", "Action": "sqs:SendMessage", "Resource": "*"}]}"#,
                None,
            ),
            "user/u",
        );
        let v = serde_json::to_value(p.services.first().unwrap()).unwrap();
        assert!(v.get("levels").is_some() && v.get("all").is_none(), "{v}");
    }

    #[test]
    fn resources_keep_only_the_actions_that_act_on_them() {
        let acc = user_with(
            r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket", "s3:ListAllMyBuckets"], "Resource": "arn:aws:s3:::data/*"}]}"#,
            None,
        );
        let p = perms(&acc, "user/u");
        // An object ARN: not the bucket action, and not the action that takes no resource.
        assert_eq!(p.allowed, 1, "{p:#?}");
        let g = level(&p, "s3", "Read").grants.first().unwrap();
        assert_eq!(g.actions, vec!["GetObject"]);
        assert_eq!(g.resources, vec!["arn:aws:s3:::data/*"]);
        assert!(!g.any_resource);
        let v = serde_json::to_value(g).unwrap();
        assert_eq!(v["actions"], serde_json::json!(["GetObject"]), "{v}");
        assert!(v.get("all_but").is_none() && v.get("any_resource").is_none());
        // Most of a level: the actions it lacks.
        let acc = user_with(
            r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "NotAction": "sqs:SendMessage", "Resource": "*"}]}"#,
            None,
        );
        let p = perms(&acc, "user/u");
        let w = level(&p, "sqs", "Write");
        let v = serde_json::to_value(w).unwrap();
        assert_eq!(
            v["grants"][0]["all_but"],
            serde_json::json!(["SendMessage"]),
            "{v}"
        );
        assert_eq!(v["grants"][0]["count"], w.of - 1);
    }

    #[test]
    fn a_groups_policy_reaches_its_user_and_a_condition_the_dump_decides_is_decided() {
        let text = r#"{
          "UserDetailList": [{"UserName": "u", "Arn": "arn:aws:iam::1:user/u", "GroupList": ["g"],
            "Tags": [{"Key": "team", "Value": "data"}]}],
          "GroupDetailList": [{"GroupName": "g", "Arn": "arn:aws:iam::1:group/g",
            "GroupPolicyList": [{"PolicyName": "gp", "PolicyDocument": {"Version": "2012-10-17",
              "Statement": [{"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": "*"},
                {"Effect": "Allow", "Action": "dynamodb:PutItem", "Resource": "*",
                 "Condition": {"StringEquals": {"aws:PrincipalTag/team": "data"}}},
                {"Effect": "Allow", "Action": "dynamodb:DeleteItem", "Resource": "*",
                 "Condition": {"StringEquals": {"aws:PrincipalTag/team": "ops"}}}]}}]}]}"#;
        let acc = Account::from_text("d.json", text).unwrap();
        let p = perms(&acc, "user/u");
        // GetItem, and PutItem: the user's tag satisfies its condition; DeleteItem's does not.
        assert_eq!((p.allowed, p.allowed_if), (2, 0), "{p:#?}");
        let src = p.sources.first().unwrap();
        assert!(src.policy.starts_with("group/g"), "{src:?}");
        // The group itself: its users' tags are unknown, so both are conditional.
        let g = perms(&acc, "group/g");
        assert_eq!((g.allowed, g.allowed_if), (1, 2), "{g:#?}");
    }

    /// An ARN of the first resource type of `a`, or `*` when it takes none.
    fn resource_of(a: ActionRef) -> String {
        let Some((t, _)) = a.resource_types().next() else {
            return "*".into();
        };
        let mut out = String::new();
        let mut rest = t.arns.first().copied().unwrap_or("");
        while let Some(i) = rest.find("${") {
            out.push_str(&rest[..i]);
            let close = rest[i..].find('}').unwrap() + i;
            out.push_str(match &rest[i + 2..close] {
                "Partition" => "aws",
                "Region" => "us-east-1",
                "Account" => "123456789012",
                _ => "x",
            });
            rest = &rest[close + 1..];
        }
        out.push_str(rest);
        out
    }

    #[test]
    fn the_fixture_account_agrees_with_the_one_request_evaluator() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/audit/moto-account.json"
        );
        let acc = Account::read(path).unwrap();
        let mut ex = Expander::new(&acc);
        let u = universe();
        let mut checked = 0;
        for s in &acc.subjects {
            let p = ex.permissions(s);
            let mut listed = std::collections::HashMap::new();
            for sv in &p.services {
                for l in &sv.levels {
                    for g in &l.grants {
                        for a in &g.actions {
                            listed.insert(format!("{}:{a}", sv.service), g);
                        }
                    }
                }
            }
            // Every 53rd action of the catalog: what the page says, the evaluator says.
            for n in (0..u.len).step_by(53) {
                let (_, a) = u.action(n).unwrap();
                let name = a.full_name();
                let req = Request {
                    action: name.clone(),
                    resource: resource_of(a),
                    context: Context::new(false),
                };
                let d = effective::decide(&acc, s, &req).unwrap().access;
                match listed.get(&name) {
                    Some(g) if g.any_resource && g.except.is_empty() => {
                        assert_eq!(d, g.access, "{} {name}: {g:?}", s.label);
                        checked += 1;
                    }
                    Some(_) => {}
                    None => assert!(
                        matches!(d, Access::NotAllowed | Access::Denied),
                        "{} {name}: {d:?} but not listed",
                        s.label
                    ),
                }
            }
        }
        assert!(checked > 500, "{checked}");
        // Admins hold every action; a Deny of `iam:*` removes IAM from the group's admin.
        let mut of = |who: &str| ex.permissions(acc.find(who).unwrap());
        let all: usize = catalog::get()
            .services()
            .iter()
            .map(|s| s.actions.len())
            .sum();
        assert_eq!(of("user/admin-alice").allowed, all);
        let near = of("user/near-denied-admin");
        assert_eq!(near.denied, count_in_catalog("iam", |_| true));
        assert_eq!(near.allowed, all - near.denied);
    }
}
