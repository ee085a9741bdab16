//! Who can reach whom (issue 12, part 3): a graph whose nodes are the users and roles of an
//! account and whose edge A -> B means "A can become B", each edge naming the permission
//! that allows it, the statement that decided it and any condition ("allowed if"); then,
//! for every principal that is not admin-equivalent ([`super::admin`]), one shortest path to
//! one that is, or to the virtual node [`ANY_PERMISSION`] ("grants itself anything").
//!
//! Every permission is asked of the one evaluator ([`effective::decide`]). The ways to
//! become another principal are:
//! - `sts:AssumeRole` on B, when B's trust policy admits A. The trust policy is read by
//!   [`Account::trust`] (the evaluator decides identity requests and has no `Principal`), and
//!   its principals are matched here: A's own ARN, A's account (`arn:aws:iam::ACCT:root` or
//!   `ACCT`: then A's own policy decides) or `*`; the trust statement's conditions are kept
//!   as the edge's condition. An unconditional trust `Deny` of `*` or of the same principal
//!   stops the `Allow`; a conditional one, or one naming a single caller of an account-wide
//!   trust, becomes part of the edge's condition ("not (...)", "the caller is not ..."),
//!   never dropped in silence ([`trust_denials`]). When the trust
//!   policy names A's ARN in A's own account, IAM needs no identity grant
//!   (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-basics.html>):
//!   the edge holds unless A's policies deny it.
//! - `iam:PassRole` on B (with `iam:PassedToService` set to the service) plus the actions
//!   that make a service run as B ([`METHODS`]), when B's trust admits that service.
//! - `iam:CreateAccessKey`, `iam:CreateLoginProfile`, `iam:UpdateLoginProfile` on user B.
//! - `iam:UpdateAssumeRolePolicy` and `sts:AssumeRole` on role B.
//! - Granting itself a policy (`iam:AttachUserPolicy`/`PutUserPolicy` on its own user,
//!   `AttachRolePolicy`/`PutRolePolicy` on its own role, `iam:AddUserToGroup` on an
//!   admin-equivalent group): an edge to [`ANY_PERMISSION`].
//!
//! The work is linear in principals: a grant on every user or role is found once, on a
//! probe ARN no policy names (as [`super::admin`] does), and becomes an edge to a *hub*
//! node ("any role trusting the account", "any user", "any role a service may assume")
//! whose edges to its members are built once; only when the probe is not allowed are the
//! principals the statements name by pattern asked one by one. A grant on the probe is
//! taken for every member: a `Deny` naming one member only is not seen through a hub.
//! Paths collapse hubs (A -> hub -> B is one step A -> B). Admin-equivalent principals get
//! no outgoing edges (they are where paths end); unevaluated principals are not nodes.

use std::collections::{HashMap, VecDeque};

use rayon::prelude::*;
use serde::Serialize;

use super::admin::{self, Admin};
use super::effective::{self, Access, Answer};
use super::trust::Trustee;
use super::{Account, Kind, Subject};
use crate::eval::condition::Context;
use crate::eval::request::{Hit, Request};

/// The virtual node of a principal that can grant itself any permission.
pub const ANY_PERMISSION: &str = "(any permission)";

/// The name no policy uses: a grant that reaches it reaches every user or role.
const PROBE: &str = "iamlint-any-principal-5c1e";

/// How to make a service run as a role passed to it: the service principal the role's
/// trust must admit, and the actions (besides `iam:PassRole`) the caller needs, each with
/// the resource it is asked on (`{p}` partition, `{a}` account, `{x}` a name no policy
/// uses). One entry per alternative.
pub const METHODS: &[(&str, &[(&str, &str)])] = &[
    // Lambda: create a function running as the role, then invoke it.
    (
        "lambda.amazonaws.com",
        &[
            (
                "lambda:CreateFunction",
                "arn:{p}:lambda:us-east-1:{a}:function:{x}",
            ),
            (
                "lambda:InvokeFunction",
                "arn:{p}:lambda:us-east-1:{a}:function:{x}",
            ),
        ],
    ),
    // Lambda: create a function, then have an event source mapping trigger it.
    (
        "lambda.amazonaws.com",
        &[
            (
                "lambda:CreateFunction",
                "arn:{p}:lambda:us-east-1:{a}:function:{x}",
            ),
            ("lambda:CreateEventSourceMapping", "*"),
        ],
    ),
    // EC2: launch an instance whose instance profile holds the role.
    (
        "ec2.amazonaws.com",
        &[("ec2:RunInstances", "arn:{p}:ec2:us-east-1:{a}:instance/{x}")],
    ),
    // ECS: register a task definition with the role as task role, then run it.
    (
        "ecs-tasks.amazonaws.com",
        &[
            ("ecs:RegisterTaskDefinition", "*"),
            (
                "ecs:RunTask",
                "arn:{p}:ecs:us-east-1:{a}:task-definition/{x}:1",
            ),
        ],
    ),
    // Glue: a development endpoint running as the role.
    (
        "glue.amazonaws.com",
        &[(
            "glue:CreateDevEndpoint",
            "arn:{p}:glue:us-east-1:{a}:devEndpoint/{x}",
        )],
    ),
    // Glue: a job running as the role, then start it.
    (
        "glue.amazonaws.com",
        &[
            ("glue:CreateJob", "arn:{p}:glue:us-east-1:{a}:job/{x}"),
            ("glue:StartJobRun", "arn:{p}:glue:us-east-1:{a}:job/{x}"),
        ],
    ),
    // CloudFormation: a stack whose service role is the role creates anything.
    (
        "cloudformation.amazonaws.com",
        &[(
            "cloudformation:CreateStack",
            "arn:{p}:cloudformation:us-east-1:{a}:stack/{x}/*",
        )],
    ),
    // SageMaker: a notebook instance running as the role.
    (
        "sagemaker.amazonaws.com",
        &[(
            "sagemaker:CreateNotebookInstance",
            "arn:{p}:sagemaker:us-east-1:{a}:notebook-instance/{x}",
        )],
    ),
    // CodeBuild: a project whose service role is the role, then build it.
    (
        "codebuild.amazonaws.com",
        &[
            (
                "codebuild:CreateProject",
                "arn:{p}:codebuild:us-east-1:{a}:project/{x}",
            ),
            (
                "codebuild:StartBuild",
                "arn:{p}:codebuild:us-east-1:{a}:project/{x}",
            ),
        ],
    ),
];

/// The actions that give the caller a user's credentials.
const USER_CREDENTIALS: &[&str] = &[
    "iam:CreateAccessKey",
    "iam:CreateLoginProfile",
    "iam:UpdateLoginProfile",
];

/// A node: a user, a role, [`ANY_PERMISSION`], or a hub (a set of principals a grant on
/// every one of them reaches).
#[derive(Debug, Clone, Serialize)]
pub struct Node {
    /// `user/NAME`, `role/NAME`, [`ANY_PERMISSION`] or the hub's description.
    pub label: String,
    /// Admin-equivalent ([`Admin::Yes`]), or [`ANY_PERMISSION`]: where paths end.
    pub admin: bool,
    /// A hub: paths pass through it without a step of their own.
    pub hub: bool,
}

/// An edge: `from` can become `to`.
#[derive(Debug, Clone, Serialize)]
pub struct Edge {
    /// Index into [`Graph::nodes`].
    pub from: usize,
    /// Index into [`Graph::nodes`].
    pub to: usize,
    /// The permission that allows it (`sts:AssumeRole`, `iam:PassRole + lambda:...`).
    pub via: String,
    /// The deciding statement, `file:line:col` (empty for a hub's edge to a member without
    /// a statement of its own).
    pub statement: String,
    /// What must hold ("allowed if"), when not sure.
    pub condition: Option<String>,
}

/// The can-become graph of an account.
#[derive(Debug, Clone, Serialize)]
pub struct Graph {
    /// Users and roles (in dump order), then [`ANY_PERMISSION`], then hubs.
    pub nodes: Vec<Node>,
    /// Every edge.
    pub edges: Vec<Edge>,
}

/// One step of a path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Step {
    /// `user/NAME` or `role/NAME`.
    pub from: String,
    /// `user/NAME`, `role/NAME` or [`ANY_PERMISSION`].
    pub to: String,
    /// The permission that allows it.
    pub via: String,
    /// The deciding statement, `file:line:col`.
    pub statement: String,
    /// What must hold, when not sure.
    pub condition: Option<String>,
}

/// A shortest path from a principal that is not admin-equivalent to one that is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Path {
    /// Where it starts.
    pub from: String,
    /// Where it ends: an admin-equivalent principal or [`ANY_PERMISSION`].
    pub to: String,
    /// Each step, in order.
    pub steps: Vec<Step>,
}

/// A permission granted: where, and under what condition.
struct Grant {
    statement: String,
    condition: Option<String>,
}

/// The actions a document's `Allow` statements name, by service: a request whose action
/// none of a subject's documents covers is not allowed, without asking the evaluator (most
/// of the questions here are of actions most principals have no statement for). Made once
/// per document: a managed policy is shared by many principals.
struct DocActs {
    by_service: HashMap<String, Vec<crate::pattern::Pattern>>,
    /// Patterns whose service part has a wildcard (`*`, `i*:*`).
    wild: Vec<crate::pattern::Pattern>,
    /// A `NotAction` (or a statement without an action): anything may be allowed.
    any: bool,
}

impl DocActs {
    fn of(doc: &crate::eval::Doc) -> DocActs {
        let mut a = DocActs {
            by_service: HashMap::new(),
            wild: Vec::new(),
            any: false,
        };
        for st in doc.policy.statements.iter().filter(|st| st.is_allow()) {
            match &st.action {
                Some(el) if !el.not => {
                    for i in &el.items {
                        let p = crate::pattern::Pattern::new(&i.value, true);
                        match i.value.split_once(':') {
                            Some((svc, _)) if !svc.contains(['*', '?']) => a
                                .by_service
                                .entry(svc.to_ascii_lowercase())
                                .or_default()
                                .push(p),
                            _ => a.wild.push(p),
                        }
                    }
                }
                _ => a.any = true,
            }
        }
        a
    }

    /// May an `Allow` of the document cover `action` (`svc` its service, lowercased)?
    fn may(&self, svc: &str, action: &str) -> bool {
        self.any
            || self.wild.iter().any(|p| p.matches_ci(action))
            || self
                .by_service
                .get(svc)
                .is_some_and(|ps| ps.iter().any(|p| p.matches_ci(action)))
    }
}

/// The [`DocActs`] of a subject's documents.
struct Acts<'x>(Vec<&'x DocActs>);

impl Acts<'_> {
    /// May an `Allow` of the subject cover `action`?
    fn may(&self, action: &str) -> bool {
        let svc = action
            .split_once(':')
            .map_or("", |(s, _)| s)
            .to_ascii_lowercase();
        self.0.iter().any(|d| d.may(&svc, action))
    }
}

/// A subject with the actions it may be allowed.
struct Who<'x> {
    s: &'x Subject,
    acts: Acts<'x>,
}

impl std::ops::Deref for Who<'_> {
    type Target = Subject;
    fn deref(&self) -> &Subject {
        self.s
    }
}

/// `a and b` of two optional conditions.
fn both(a: Option<String>, b: Option<String>) -> Option<String> {
    match (a, b) {
        (Some(a), Some(b)) => Some(format!("{a} and {b}")),
        (a, b) => a.or(b),
    }
}

/// `file:line:col` of a hit.
fn at(account: &Account, h: &Hit) -> String {
    format!("{}:{}:{}", account.file_of(h), h.line, h.column)
}

/// Ask `action` on `resource` of `s`; the answer and, when allowed (surely or if), the
/// identity statement that grants it.
fn ask(
    account: &Account,
    s: &Who<'_>,
    action: &str,
    resource: &str,
    ctx: &Context,
) -> (Access, Option<Grant>) {
    if !s.acts.may(action) {
        return (Access::NotAllowed, None);
    }
    decide(account, s.s, action, resource, ctx)
}

/// [`ask`] without the shortcut.
fn decide(
    account: &Account,
    s: &Subject,
    action: &str,
    resource: &str,
    ctx: &Context,
) -> (Access, Option<Grant>) {
    let req = Request {
        action: action.to_string(),
        resource: resource.to_string(),
        context: ctx.clone(),
    };
    let Ok(a) = effective::decide(account, s, &req) else {
        return (Access::NotAllowed, None);
    };
    let grant = grant_of(account, &a);
    (a.access, grant)
}

fn grant_of(account: &Account, a: &Answer) -> Option<Grant> {
    if !matches!(a.access, Access::Allowed | Access::AllowedIf) {
        return None;
    }
    let allow = |h: &&Hit| h.effect == "Allow" && !h.boundary;
    let h = a
        .decision
        .deciding
        .iter()
        .find(allow)
        .or_else(|| a.decision.undecided.iter().find(allow))?;
    Some(Grant {
        statement: at(account, h),
        condition: a.condition.clone(),
    })
}

/// Ask every action of `actions` (on the probe resources of [`METHODS`]); all must be
/// allowed. The first statement, and the conditions joined.
fn ask_all(
    account: &Account,
    s: &Who<'_>,
    actions: &[(&str, &str)],
    ctx: &Context,
) -> Option<Grant> {
    let (p, a) = partition_account(&s.arn);
    let mut out: Option<Grant> = None;
    for (action, resource) in actions {
        let r = resource
            .replace("{p}", p)
            .replace("{a}", a)
            .replace("{x}", PROBE);
        let g = ask(account, s, action, &r, ctx).1?;
        out = Some(match out {
            None => g,
            Some(o) => Grant {
                statement: o.statement,
                condition: both(o.condition, g.condition),
            },
        });
    }
    out
}

/// The partition and account of an ARN.
fn partition_account(arn: &str) -> (&str, &str) {
    let mut parts = arn.split(':');
    let p = parts.nth(1).unwrap_or("aws");
    let a = parts.nth(2).unwrap_or("");
    (p, a)
}

/// `arn:P:iam::A:KIND/<probe>` in the subject's account.
fn probe(s: &Subject, kind: &str) -> String {
    let (p, a) = partition_account(&s.arn);
    format!("arn:{p}:iam::{a}:{kind}/{PROBE}")
}

/// The candidates (node, ARN) that some `Allow` statement of `s` whose action may cover
/// `action` names by its resources: only these can be allowed when a grant on every
/// principal is not. A policy variable (`${aws:username}`) is read as `*` here (the
/// evaluator decides exactly afterwards).
fn named<'c>(s: &Subject, action: &str, cands: &[(usize, &'c str)]) -> Vec<(usize, &'c str)> {
    let mut out: Vec<(usize, &'c str)> = Vec::new();
    for doc in &s.docs {
        for st in doc.policy.statements.iter().filter(|st| st.is_allow()) {
            let acts = match &st.action {
                Some(a) if !a.not => a
                    .items
                    .iter()
                    .any(|i| crate::pattern::matches_ci_text(&i.value, action)),
                _ => true,
            };
            if !acts {
                continue;
            }
            match &st.resource {
                Some(r) if !r.not => {
                    for item in &r.items {
                        if item.value == "*" {
                            out.extend_from_slice(cands);
                            continue;
                        }
                        let pat = unvar(&item.value);
                        out.extend(
                            cands
                                .iter()
                                .filter(|(_, arn)| crate::pattern::arn_match(&pat, arn)),
                        );
                    }
                }
                _ => out.extend_from_slice(cands),
            }
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// A resource pattern with each `${...}` variable read as `*`.
fn unvar(p: &str) -> String {
    let mut out = String::with_capacity(p.len());
    let mut rest = p;
    while let Some(i) = rest.find("${") {
        out.push_str(rest.get(..i).unwrap_or(""));
        match rest.get(i..).and_then(|r| r.find('}')) {
            Some(j) => {
                out.push('*');
                rest = rest.get(i + j + 1..).unwrap_or("");
            }
            None => {
                rest = rest.get(i..).unwrap_or("");
                break;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Roles (nodes) a trust principal admits, each with the trust statement's condition.
type Members = Vec<(usize, Option<String>)>;

/// What a role's trust policy admits (`sts:AssumeRole`), indexed for lookup.
#[derive(Default)]
struct TrustIndex {
    /// Principal ARN -> (role node, trust statement location, conditions).
    by_arn: HashMap<String, Vec<(usize, String, Option<String>)>>,
    /// Account id -> roles trusting the account's root.
    by_account: HashMap<String, Members>,
    /// Roles trusting `*`.
    any: Members,
    /// No role.
    none: Members,
    /// Service principal -> roles trusting it.
    by_service: HashMap<String, Members>,
}

/// Does an action list of a trust statement allow `action`?
fn allows_action(actions: &[String], action: &str) -> bool {
    actions
        .iter()
        .any(|a| crate::pattern::matches_ci_text(a, action))
}

/// Does a trust policy's AWS principal name a whole account (`arn:aws:iam::ACCT:root`, or
/// the bare account id)?
fn is_account_root(p: &str) -> bool {
    p.len() == 12 && p.bytes().all(|b| b.is_ascii_digit()) || p.ends_with(":root")
}

/// What a trust policy's `Deny`s of `sts:AssumeRole` (`denied`) do to its `Allow` of `tr`:
/// `None` when one stops it (an unconditional `Deny` of `*` or of the same principal), else
/// what must hold for it to stand: not a conditional `Deny`'s conditions, and not being a
/// principal that a `Deny` names among those the `Allow` admits (one user of a trusted
/// account). A hub edge is shared by every caller, so that last one is a condition on the
/// step, not a step left out: shown, never read as allowed in silence.
fn trust_denials(
    denied: &[super::trust::Trusted],
    tr: &super::trust::Trusted,
) -> Option<Vec<String>> {
    let mut unless = Vec::new();
    for d in denied
        .iter()
        .filter(|d| allows_action(&d.actions, "sts:AssumeRole"))
    {
        let same = d.kind == Trustee::Any || d.principal == tr.principal;
        let among = !same
            && matches!(d.kind, Trustee::ThisAccount | Trustee::OtherAccount)
            && match tr.kind {
                Trustee::Any => true,
                Trustee::ThisAccount | Trustee::OtherAccount => {
                    is_account_root(&tr.principal)
                        && !is_account_root(&d.principal)
                        && d.account == tr.account
                }
                _ => false,
            };
        let when = d.conditions.join(" and ");
        match (same, among, d.conditions.is_empty()) {
            (true, _, true) => return None,
            (true, _, false) => unless.push(format!("not ({when})")),
            (false, true, true) => unless.push(format!("the caller is not {}", d.principal)),
            (false, true, false) => unless.push(format!(
                "(the caller is not {} or not ({when}))",
                d.principal
            )),
            (false, false, _) => {}
        }
    }
    Some(unless)
}

impl TrustIndex {
    fn build(account: &Account, node_of: &HashMap<&str, usize>) -> TrustIndex {
        let mut t = TrustIndex::default();
        let Ok(roles) = account.trust() else {
            return t;
        };
        for r in roles {
            let Some(&node) = node_of.get(r.arn.as_str()) else {
                continue;
            };
            for tr in &r.trusted {
                if !allows_action(&tr.actions, "sts:AssumeRole") {
                    continue;
                }
                let Some(unless) = trust_denials(&r.denied, tr) else {
                    continue;
                };
                let conds: Vec<String> = (!tr.conditions.is_empty())
                    .then(|| tr.conditions.join(" and "))
                    .into_iter()
                    .chain(unless)
                    .collect();
                let cond =
                    (!conds.is_empty()).then(|| format!("{} (trust policy)", conds.join(" and ")));
                let loc = format!("{}:{}:{}", account.origin, tr.line, tr.column);
                match tr.kind {
                    Trustee::Any => t.any.push((node, cond)),
                    Trustee::Service => t
                        .by_service
                        .entry(tr.principal.clone())
                        .or_default()
                        .push((node, cond)),
                    Trustee::ThisAccount | Trustee::OtherAccount => {
                        let p = tr.principal.as_str();
                        match (&tr.account, is_account_root(p)) {
                            (Some(a), true) => t
                                .by_account
                                .entry(a.clone())
                                .or_default()
                                .push((node, cond)),
                            _ => t
                                .by_arn
                                .entry(p.to_string())
                                .or_default()
                                .push((node, loc, cond)),
                        }
                    }
                    Trustee::Federated | Trustee::CanonicalUser => {}
                }
            }
        }
        t
    }
}

/// Where an edge found for one subject goes: a node, or a hub (made once, when the
/// graph is put together).
enum To<'a> {
    Node(usize),
    Hub {
        label: String,
        via: &'static str,
        members: &'a [(usize, Option<String>)],
    },
}

/// What finding the edges of one subject reads, and the edges found (subjects are done in
/// parallel; hubs are made afterwards).
struct Sub<'a> {
    account: &'a Account,
    /// Node -> ARN (users and roles).
    arns: &'a [&'a str],
    /// Every user, and every role, as hub members.
    users: &'a Members,
    roles: &'a Members,
    edges: Vec<(usize, To<'a>, String, Grant)>,
}

impl<'a> Sub<'a> {
    /// The hub `label` leading to `members` (node, condition) by `via`.
    fn hub(
        &self,
        label: &str,
        via: &'static str,
        members: &'a [(usize, Option<String>)],
    ) -> To<'a> {
        To::Hub {
            label: label.to_string(),
            via,
            members,
        }
    }

    fn edge(&mut self, from: usize, to: impl Into<To<'a>>, via: &str, g: Grant) {
        self.edges.push((from, to.into(), via.to_string(), g));
    }

    /// The members of a hub with their ARNs, for asking one by one.
    fn cands(&self, members: &[(usize, Option<String>)]) -> Vec<(usize, &'a str)> {
        members
            .iter()
            .map(|(m, _)| (*m, self.arns.get(*m).copied().unwrap_or("")))
            .collect()
    }
}

impl From<usize> for To<'_> {
    fn from(n: usize) -> Self {
        To::Node(n)
    }
}

/// Does a hub lead anywhere but back to `a`?
fn others(members: &[(usize, Option<String>)], a: usize) -> bool {
    members.iter().any(|(m, _)| *m != a)
}

/// The condition a hub member adds (its trust statement's).
fn member_cond(members: &[(usize, Option<String>)], i: usize) -> Option<String> {
    members
        .iter()
        .find(|(m, _)| *m == i)
        .and_then(|(_, c)| c.clone())
}

/// The can-become graph of `account`.
pub fn graph(account: &Account) -> Graph {
    let subjects: Vec<&Subject> = account
        .subjects
        .iter()
        .filter(|s| s.kind != Kind::Group)
        .collect();
    let admin_of: Vec<bool> = subjects
        .par_iter()
        .map(|s| admin::admin(account, s) == Admin::Yes)
        .collect();
    let of_kind = |k: Kind| -> Members {
        subjects
            .iter()
            .enumerate()
            .filter(|(_, s)| s.kind == k)
            .map(|(i, _)| (i, None))
            .collect()
    };
    let (users, roles) = (of_kind(Kind::User), of_kind(Kind::Role));
    let arns: Vec<&str> = subjects.iter().map(|s| s.arn.as_str()).collect();
    let mut nodes: Vec<Node> = subjects
        .iter()
        .zip(&admin_of)
        .map(|(s, &admin)| Node {
            label: s.label.clone(),
            admin,
            hub: false,
        })
        .collect();
    let any_perm = nodes.len();
    nodes.push(Node {
        label: ANY_PERMISSION.to_string(),
        admin: true,
        hub: false,
    });
    let node_of: HashMap<&str, usize> = subjects
        .iter()
        .enumerate()
        .map(|(i, s)| (s.arn.as_str(), i))
        .collect();
    let trust = TrustIndex::build(account, &node_of);
    let admin_groups: Vec<&Subject> = account
        .subjects
        .iter()
        .filter(|s| s.kind == Kind::Group && admin::admin(account, s) == Admin::Yes)
        .collect();
    // Each document's actions, once.
    let mut docs: HashMap<usize, &crate::eval::Doc> = HashMap::new();
    for s in &subjects {
        for d in &s.docs {
            docs.insert(std::sync::Arc::as_ptr(d).addr(), d);
        }
    }
    let docs: Vec<(usize, &crate::eval::Doc)> = docs.into_iter().collect();
    let doc_acts: Vec<DocActs> = docs.par_iter().map(|(_, d)| DocActs::of(d)).collect();
    let acts_of: HashMap<usize, &DocActs> =
        docs.iter().map(|(p, _)| *p).zip(doc_acts.iter()).collect();
    let mut edges = Vec::new();
    let Ok(open) = effective::context(&[]) else {
        return Graph { nodes, edges };
    };
    let found: Vec<Vec<(usize, To<'_>, String, Grant)>> = subjects
        .par_iter()
        .enumerate()
        .filter(|(a, _)| !admin_of.get(*a).copied().unwrap_or(false))
        .map(|(a, s)| {
            let acts = s
                .docs
                .iter()
                .filter_map(|d| acts_of.get(&std::sync::Arc::as_ptr(d).addr()).copied())
                .collect();
            let s = &Who {
                s,
                acts: Acts(acts),
            };
            let mut b = Sub {
                account,
                arns: &arns,
                users: &users,
                roles: &roles,
                edges: Vec::new(),
            };
            assume_role(&mut b, &trust, a, s, &open);
            pass_role(&mut b, &trust, a, s);
            credentials(&mut b, a, s, &open);
            update_trust(&mut b, a, s, &open);
            grant_self(&mut b, any_perm, &admin_groups, a, s, &open);
            b.edges
        })
        .collect();
    // Each hub once, with its edges to its members.
    let mut hubs: HashMap<String, usize> = HashMap::new();
    for (from, to, via, g) in found.into_iter().flatten() {
        let to = match to {
            To::Node(n) => n,
            To::Hub {
                label,
                via: hub_via,
                members,
            } => match hubs.get(&label) {
                Some(&h) => h,
                None => {
                    let h = nodes.len();
                    nodes.push(Node {
                        label: label.clone(),
                        admin: false,
                        hub: true,
                    });
                    edges.extend(members.iter().map(|(m, c)| Edge {
                        from: h,
                        to: *m,
                        via: hub_via.to_string(),
                        statement: String::new(),
                        condition: c.clone(),
                    }));
                    hubs.insert(label, h);
                    h
                }
            },
        };
        edges.push(Edge {
            from,
            to,
            via,
            statement: g.statement,
            condition: g.condition,
        });
    }
    Graph { nodes, edges }
}

/// `sts:AssumeRole` edges of subject `s` (node `a`).
fn assume_role<'a>(b: &mut Sub<'a>, trust: &'a TrustIndex, a: usize, s: &Who<'_>, ctx: &Context) {
    let account = b.account;
    // The trust policy names it.
    for (role, loc, cond) in trust.by_arn.get(&s.arn).into_iter().flatten() {
        if *role == a {
            continue;
        }
        let arn = b.arns.get(*role).copied().unwrap_or("");
        let (access, g) = decide(account, s.s, "sts:AssumeRole", arn, ctx);
        let g = match (access, g) {
            (_, Some(g)) => g,
            // The trust policy names it in its own account: no identity grant needed.
            (Access::NotAllowed, None)
                if partition_account(arn).1 == partition_account(&s.arn).1 =>
            {
                Grant {
                    statement: loc.clone(),
                    condition: None,
                }
            }
            _ => continue,
        };
        let g = Grant {
            statement: g.statement,
            condition: both(g.condition, cond.clone()),
        };
        b.edge(a, *role, "sts:AssumeRole", g);
    }
    if !s.acts.may("sts:AssumeRole") {
        return;
    }
    // The trust policy admits its account, or anyone: its own policy decides.
    let own = partition_account(&s.arn).1.to_string();
    let groups: [(String, &'a Members); 2] = [
        (
            format!("any role trusting account {own}"),
            trust.by_account.get(&own).unwrap_or(&trust.none),
        ),
        ("any role trusting `*`".to_string(), &trust.any),
    ];
    for (label, members) in groups {
        if !others(members, a) {
            continue;
        }
        if let (_, Some(g)) = ask(account, s, "sts:AssumeRole", &probe(s, "role"), ctx) {
            let h = b.hub(&label, "sts:AssumeRole", members);
            b.edge(a, h, "sts:AssumeRole", g);
            continue;
        }
        for (i, arn) in named(s, "sts:AssumeRole", &b.cands(members)) {
            if i == a {
                continue;
            }
            if let (_, Some(g)) = ask(account, s, "sts:AssumeRole", arn, ctx) {
                let g = Grant {
                    statement: g.statement,
                    condition: both(g.condition, member_cond(members, i)),
                };
                b.edge(a, i, "sts:AssumeRole", g);
            }
        }
    }
}

/// `iam:PassRole` to a service the subject can drive ([`METHODS`]).
fn pass_role<'a>(b: &mut Sub<'a>, trust: &'a TrustIndex, a: usize, s: &Who<'_>) {
    let account = b.account;
    if !s.acts.may("iam:PassRole") {
        return;
    }
    for (service, actions) in METHODS {
        let Some(members) = trust.by_service.get(*service) else {
            continue;
        };
        if !others(members, a) {
            continue;
        }
        let Ok(ctx) = effective::context(&[format!("iam:PassedToService={service}")]) else {
            continue;
        };
        let Some(drive) = ask_all(account, s, actions, &ctx) else {
            continue;
        };
        let via = format!(
            "iam:PassRole + {}",
            actions
                .iter()
                .map(|(a, _)| *a)
                .collect::<Vec<_>>()
                .join(" + ")
        );
        if let (_, Some(g)) = ask(account, s, "iam:PassRole", &probe(s, "role"), &ctx) {
            let h = b.hub(
                &format!("any role trusting {service}"),
                "iam:PassRole",
                members,
            );
            let g = Grant {
                statement: g.statement,
                condition: both(g.condition, drive.condition.clone()),
            };
            b.edge(a, h, &via, g);
            continue;
        }
        for (i, arn) in named(s, "iam:PassRole", &b.cands(members)) {
            if i == a {
                continue;
            }
            if let (_, Some(g)) = ask(account, s, "iam:PassRole", arn, &ctx) {
                let g = Grant {
                    statement: g.statement,
                    condition: both(
                        both(g.condition, drive.condition.clone()),
                        member_cond(members, i),
                    ),
                };
                b.edge(a, i, &via, g);
            }
        }
    }
}

/// Credentials of another user: access keys, a login profile.
fn credentials(b: &mut Sub<'_>, a: usize, s: &Who<'_>, ctx: &Context) {
    let account = b.account;
    let users = b.users;
    if others(users, a) {
        for action in USER_CREDENTIALS {
            if !s.acts.may(action) {
                continue;
            }
            if let (_, Some(g)) = ask(account, s, action, &probe(s, "user"), ctx) {
                let h = b.hub("any user", action, users);
                b.edge(a, h, action, g);
                continue;
            }
            for (i, arn) in named(s, action, &b.cands(users)) {
                if i == a {
                    continue;
                }
                if let (_, Some(g)) = ask(account, s, action, arn, ctx) {
                    b.edge(a, i, action, g);
                }
            }
        }
    }
}

/// Rewrite a role's trust policy, then assume it.
fn update_trust(b: &mut Sub<'_>, a: usize, s: &Who<'_>, ctx: &Context) {
    let account = b.account;
    let via = "iam:UpdateAssumeRolePolicy + sts:AssumeRole";
    if !s.acts.may("iam:UpdateAssumeRolePolicy") || !s.acts.may("sts:AssumeRole") {
        return;
    }
    let roles = b.roles;
    let p = probe(s, "role");
    let on_any = match ask(account, s, "iam:UpdateAssumeRolePolicy", &p, ctx) {
        (_, Some(u)) => match ask(account, s, "sts:AssumeRole", &p, ctx) {
            (_, Some(g)) => Some(Grant {
                statement: u.statement,
                condition: both(u.condition, g.condition),
            }),
            _ => None,
        },
        _ => None,
    };
    if let Some(g) = on_any {
        if others(roles, a) {
            let h = b.hub("any role", "iam:UpdateAssumeRolePolicy", roles);
            b.edge(a, h, via, g);
        }
    } else {
        for (i, arn) in named(s, "iam:UpdateAssumeRolePolicy", &b.cands(roles)) {
            if i == a {
                continue;
            }
            let (_, Some(u)) = ask(account, s, "iam:UpdateAssumeRolePolicy", arn, ctx) else {
                continue;
            };
            let (_, Some(g)) = ask(account, s, "sts:AssumeRole", arn, ctx) else {
                continue;
            };
            let g = Grant {
                statement: u.statement,
                condition: both(u.condition, g.condition),
            };
            b.edge(a, i, via, g);
        }
    }
}

/// Whether `condition` (of a grant of `action`) names the key that defuses the escalation
/// methods of `action` ([`crate::check::escalation::METHODS`], the one table).
fn defused(action: &str, condition: Option<&str>) -> bool {
    let Some(c) = condition else {
        return false;
    };
    crate::check::escalation::METHODS
        .iter()
        .any(|m| m.actions.contains(&action) && m.defused_by.is_some_and(|k| c.contains(k)))
}

/// Grant itself a policy: an edge to [`ANY_PERMISSION`].
fn grant_self(
    b: &mut Sub<'_>,
    any_perm: usize,
    admin_groups: &[&Subject],
    a: usize,
    s: &Who<'_>,
    ctx: &Context,
) {
    let account = b.account;
    let own: &[&str] = match s.kind {
        Kind::User => &["iam:AttachUserPolicy", "iam:PutUserPolicy"],
        Kind::Role => &["iam:AttachRolePolicy", "iam:PutRolePolicy"],
        Kind::Group => &[],
    };
    for action in own {
        if let (_, Some(g)) = ask(account, s, action, &s.arn, ctx) {
            // A condition on the key that defuses the method (`iam:PolicyARN` naming the
            // policies it may attach) does not give every permission.
            if defused(action, g.condition.as_deref()) {
                continue;
            }
            b.edge(a, any_perm, action, g);
            return;
        }
    }
    if s.kind != Kind::User || admin_groups.is_empty() || !s.acts.may("iam:AddUserToGroup") {
        return;
    }
    if let (_, Some(g)) = ask(account, s, "iam:AddUserToGroup", &probe(s, "group"), ctx) {
        if let Some(first) = admin_groups.first() {
            b.edge(
                a,
                any_perm,
                &format!("iam:AddUserToGroup ({})", first.label),
                g,
            );
        }
        return;
    }
    let arns: Vec<(usize, &str)> = admin_groups
        .iter()
        .enumerate()
        .map(|(i, g)| (i, g.arn.as_str()))
        .collect();
    for (i, arn) in named(s, "iam:AddUserToGroup", &arns) {
        let Some(group) = admin_groups.get(i) else {
            continue;
        };
        if let (_, Some(g)) = ask(account, s, "iam:AddUserToGroup", arn, ctx) {
            b.edge(
                a,
                any_perm,
                &format!("iam:AddUserToGroup ({})", group.label),
                g,
            );
            return;
        }
    }
}

/// One shortest path from every principal that is not admin-equivalent and can reach one
/// (or [`ANY_PERMISSION`]), fewest steps first, then by name. A breadth-first search from
/// the admin side over the reversed edges: linear in edges. An edge out of a hub costs
/// nothing (the step into the hub is the step).
pub fn paths(_account: &Account, g: &Graph) -> Vec<Path> {
    let n = g.nodes.len();
    let mut into: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (e, edge) in g.edges.iter().enumerate() {
        if let Some(v) = into.get_mut(edge.to) {
            v.push(e);
        }
    }
    let mut dist: Vec<Option<usize>> = vec![None; n];
    // next[u]: the edge to follow from u towards an admin.
    let mut next: Vec<Option<usize>> = vec![None; n];
    let mut queue = VecDeque::new();
    for (i, node) in g.nodes.iter().enumerate() {
        if node.admin {
            if let Some(d) = dist.get_mut(i) {
                *d = Some(0);
            }
            queue.push_back(i);
        }
    }
    while let Some(v) = queue.pop_front() {
        let dv = dist.get(v).copied().flatten().unwrap_or(0);
        for &e in into.get(v).into_iter().flatten() {
            let Some(edge) = g.edges.get(e) else { continue };
            let u = edge.from;
            let w = usize::from(!g.nodes.get(u).is_some_and(|n| n.hub));
            let du = dv + w;
            if dist.get(u).copied().flatten().is_none_or(|d| du < d) {
                if let Some(d) = dist.get_mut(u) {
                    *d = Some(du);
                }
                if let Some(x) = next.get_mut(u) {
                    *x = Some(e);
                }
                if w == 0 {
                    queue.push_front(u);
                } else {
                    queue.push_back(u);
                }
            }
        }
    }
    let label = |i: usize| g.nodes.get(i).map_or("", |n| n.label.as_str()).to_string();
    let mut out = Vec::new();
    for (start, node) in g.nodes.iter().enumerate() {
        if node.admin || node.hub || dist.get(start).copied().flatten().is_none() {
            continue;
        }
        let mut steps = Vec::new();
        let mut at = start;
        // Bounded by the node count: each step strictly nears an admin.
        for _ in 0..n {
            let Some(edge) = next.get(at).copied().flatten().and_then(|e| g.edges.get(e)) else {
                break;
            };
            let mut step = Step {
                from: label(at),
                to: label(edge.to),
                via: edge.via.clone(),
                statement: edge.statement.clone(),
                condition: edge.condition.clone(),
            };
            at = edge.to;
            // Through a hub: one step to the member the hub leads to.
            if g.nodes.get(at).is_some_and(|n| n.hub) {
                if let Some(h) = next.get(at).copied().flatten().and_then(|e| g.edges.get(e)) {
                    step.to = label(h.to);
                    step.condition = both(step.condition, h.condition.clone());
                    at = h.to;
                }
            }
            steps.push(step);
            if g.nodes.get(at).is_some_and(|n| n.admin) {
                break;
            }
        }
        if let Some(last) = steps.last() {
            out.push(Path {
                from: node.label.clone(),
                to: last.to.clone(),
                steps,
            });
        }
    }
    out.sort_by(|a, b| a.steps.len().cmp(&b.steps.len()).then(a.from.cmp(&b.from)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unvar_reads_variables_as_wildcards() {
        assert_eq!(
            unvar("arn:aws:iam::1:user/${aws:username}"),
            "arn:aws:iam::1:user/*"
        );
        assert_eq!(unvar("a${x}b${y}"), "a*b*");
        assert_eq!(unvar("plain"), "plain");
        assert_eq!(unvar("open${x"), "open${x");
    }

    fn account(text: &str) -> Account {
        Account::from_text("t.json", text).unwrap()
    }

    const ADMIN_ROLE: &str = r#"{"RoleName": "boss", "Arn": "arn:aws:iam::111122223333:role/boss",
        "AssumeRolePolicyDocument": TRUST,
        "RolePolicyList": [{"PolicyName": "all", "PolicyDocument": {"Version": "2012-10-17",
          "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}}]}"#;

    fn dump(trust: &str, user_stmt: &str) -> String {
        let role = ADMIN_ROLE.replace("TRUST", trust);
        format!(
            r#"{{"UserDetailList": [{{"UserName": "u", "Arn": "arn:aws:iam::111122223333:user/u",
              "UserPolicyList": [{{"PolicyName": "p", "PolicyDocument": {{"Version": "2012-10-17",
                "Statement": [{user_stmt}]}}}}]}}],
              "RoleDetailList": [{role}]}}"#
        )
    }

    fn trust(principal: &str, cond: &str) -> String {
        format!(
            r#"{{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "Principal": {principal},
              "Action": "sts:AssumeRole"{cond}}}]}}"#
        )
    }

    fn path_of(text: &str) -> Option<Path> {
        let acc = account(text);
        let g = graph(&acc);
        paths(&acc, &g).into_iter().find(|p| p.from == "user/u")
    }

    const ASSUME_ANY: &str = r#"{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}"#;
    const NOTHING: &str =
        r#"{"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*"}"#;

    #[test]
    fn trust_of_the_account_root_needs_the_callers_grant() {
        let root = trust(r#"{"AWS": "arn:aws:iam::111122223333:root"}"#, "");
        let p = path_of(&dump(&root, ASSUME_ANY)).unwrap();
        assert_eq!(p.to, "role/boss");
        assert_eq!(p.steps.len(), 1);
        assert_eq!(p.steps[0].via, "sts:AssumeRole");
        assert!(
            p.steps[0].statement.starts_with("t.json:"),
            "{:?}",
            p.steps[0]
        );
        assert!(path_of(&dump(&root, NOTHING)).is_none());
        // A bare account id is the root too.
        let bare = trust(r#"{"AWS": "111122223333"}"#, "");
        assert!(path_of(&dump(&bare, ASSUME_ANY)).is_some());
    }

    #[test]
    fn trust_of_another_principal_or_account_admits_no_one_here() {
        let other = trust(r#"{"AWS": "arn:aws:iam::999988887777:root"}"#, "");
        assert!(path_of(&dump(&other, ASSUME_ANY)).is_none());
        let someone = trust(r#"{"AWS": "arn:aws:iam::111122223333:user/v"}"#, "");
        assert!(path_of(&dump(&someone, ASSUME_ANY)).is_none());
        let service = trust(r#"{"Service": "ec2.amazonaws.com"}"#, "");
        assert!(path_of(&dump(&service, ASSUME_ANY)).is_none());
    }

    #[test]
    fn trust_naming_the_caller_in_its_account_needs_no_grant_unless_denied() {
        let named = trust(r#"{"AWS": "arn:aws:iam::111122223333:user/u"}"#, "");
        let p = path_of(&dump(&named, NOTHING)).unwrap();
        assert_eq!(p.to, "role/boss");
        let deny = r#"{"Effect": "Deny", "Action": "sts:AssumeRole", "Resource": "*"}"#;
        assert!(path_of(&dump(&named, deny)).is_none());
    }

    /// A trust policy: an `Allow` of `sts:AssumeRole` to `allowed`, and a `Deny` of it to
    /// `denied` with `cond`.
    fn allow_and_deny(allowed: &str, denied: &str, cond: &str) -> String {
        format!(
            r#"{{"Version": "2012-10-17", "Statement": [
              {{"Effect": "Allow", "Principal": {allowed}, "Action": "sts:AssumeRole"}},
              {{"Effect": "Deny", "Principal": {denied}, "Action": "sts:AssumeRole"{cond}}}]}}"#
        )
    }

    const ROOT: &str = r#"{"AWS": "arn:aws:iam::111122223333:root"}"#;
    const USER_U: &str = r#"{"AWS": "arn:aws:iam::111122223333:user/u"}"#;
    const NOT_FROM_VPC: &str = r#", "Condition": {"StringNotEquals": {"aws:SourceVpc": "vpc-1"}}"#;

    #[test]
    fn a_trust_deny_stops_the_step_or_becomes_its_condition() {
        // Unconditional, of the same principal or of anyone: no step.
        assert!(path_of(&dump(&allow_and_deny(ROOT, ROOT, ""), ASSUME_ANY)).is_none());
        assert!(path_of(&dump(&allow_and_deny(ROOT, r#""*""#, ""), ASSUME_ANY)).is_none());
        // Conditional: the step holds only where the condition does not.
        let p = path_of(&dump(&allow_and_deny(ROOT, ROOT, NOT_FROM_VPC), ASSUME_ANY)).unwrap();
        let c = p.steps[0].condition.as_deref().unwrap();
        assert!(c.starts_with("not (") && c.contains("aws:SourceVpc"), "{c}");
        assert!(c.ends_with("(trust policy)"), "{c}");
        // A Deny of the caller among the account it trusts: the step says so.
        let p = path_of(&dump(&allow_and_deny(ROOT, USER_U, ""), ASSUME_ANY)).unwrap();
        let c = p.steps[0].condition.as_deref().unwrap();
        assert!(
            c.contains("the caller is not arn:aws:iam::111122223333:user/u"),
            "{c}"
        );
        let p = path_of(&dump(
            &allow_and_deny(r#""*""#, USER_U, NOT_FROM_VPC),
            ASSUME_ANY,
        ))
        .unwrap();
        let c = p.steps[0].condition.as_deref().unwrap();
        assert!(
            c.contains("user/u or not (") && c.contains("aws:SourceVpc"),
            "{c}"
        );
        // A Deny of all but some (`NotPrincipal`): the step holds for those only.
        let but = r#"{"Version": "2012-10-17", "Statement": [
              {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "sts:AssumeRole"},
              {"Effect": "Deny", "NotPrincipal": {"AWS": "arn:aws:iam::111122223333:user/ops"}, "Action": "sts:AssumeRole"}]}"#;
        let p = path_of(&dump(but, ASSUME_ANY)).unwrap();
        let c = p.steps[0].condition.as_deref().unwrap();
        assert_eq!(
            c,
            "not (the caller is none of arn:aws:iam::111122223333:user/ops) (trust policy)"
        );
        // A Deny of another account's principal is no part of this one's step.
        let other = r#"{"AWS": "arn:aws:iam::999988887777:user/x"}"#;
        let p = path_of(&dump(&allow_and_deny(ROOT, other, ""), ASSUME_ANY)).unwrap();
        assert_eq!(p.steps[0].condition, None);
    }

    #[test]
    fn trust_of_anyone_with_a_condition_is_a_conditional_step() {
        let any = trust(
            r#""*""#,
            r#", "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-1"}}"#,
        );
        let p = path_of(&dump(&any, ASSUME_ANY)).unwrap();
        let c = p.steps[0].condition.as_deref().unwrap();
        assert!(
            c.contains("aws:PrincipalOrgID") && c.contains("trust policy"),
            "{c}"
        );
    }
}
