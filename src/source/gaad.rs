//! Account dumps: the output of `aws iam get-account-authorization-details` (GAAD). Every
//! policy document in it (users', groups' and roles' inline policies, trust policies, the
//! default version of each customer managed policy) becomes a [`PolicyDoc`] whose spans
//! point into the dump itself, so findings name the dump's line and column. Documents that
//! the API returned URL-encoded are decoded and parsed on their own.
//!
//! Nothing is dropped in silence: every part of the dump that cannot be read (a document
//! that does not decode or is not an object, an inline entry without a document, a
//! permissions boundary without an ARN, a group or managed policy the dump does not hold, a
//! principal or a list given twice) becomes a [`Problem`] at its place in the dump, scoped
//! to what it affects, so `check` refuses a principal with an unread part and `lint`
//! reports every one.
//!
//! The reader also measures each document for IAM's quotas as it reads it ([`Measured`]:
//! whose it is, its size, read or not), so the quota check needs no second walk of the dump;
//! and [`principal()`] reads one principal's documents for `check`
//! ([`crate::source::principal`]).

use crate::policy::json::{Member, Node, Parsed, Value};
use crate::source::principal;
use crate::span::Span;

/// One policy document found in a dump.
#[derive(Debug, Clone)]
pub struct PolicyDoc {
    /// E.g. `role/skypilot-v1 inline "ec2-access"` or the managed policy ARN.
    pub label: String,
    /// The JSON of the document: a node of the dump, or the parse of a decoded string.
    pub parsed: Parsed,
    /// `Some(text)` when the document was a URL-encoded string, decoded here (its spans
    /// point into this text, not into the dump).
    pub decoded: Option<String>,
    /// The span of the document (object or string) in the dump.
    pub at: Span,
}

/// A principal of the dump and what applies to it.
#[derive(Debug, Clone, Default)]
pub struct Principal {
    /// Its ARN.
    pub arn: String,
    /// `user/NAME`, `group/NAME` or `role/NAME`.
    pub label: String,
    /// Inline policies (own and, for a user, its groups'), as indexes into [`Dump::docs`].
    pub inline: Vec<usize>,
    /// ARNs of attached managed policies (own and, for users, the groups').
    pub attached: Vec<String>,
    /// The permissions boundary's ARN.
    pub boundary: Option<String>,
    /// For a user: the ARNs of its groups that the dump holds.
    pub groups: Vec<String>,
    /// The span of its entry in the dump.
    pub at: Span,
    /// Its own inline policy list, where the dump gives one: the span of the list and each
    /// document's index into [`Dump::measured`] (IAM's quota counts them together).
    pub own_inline: Option<(Span, Vec<usize>)>,
    /// Its trust policy, an index into [`Dump::measured`].
    pub trust: Option<usize>,
    /// Its own attached managed policy list, where the dump gives one: how many entries it
    /// has and where it is (for IAM's quota on attached policies).
    pub own_attached_list: Option<(usize, Span)>,
    /// How many of `attached` are its own (the rest are its groups').
    own_attached: usize,
    /// Where each own attached policy and the boundary are named in the dump.
    named_at: Vec<(String, Span)>,
}

/// Whose a document of the dump is, as IAM's quotas tell documents apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Owner {
    /// The default version of the managed policy with this ARN (empty: its entry has none).
    Managed(String),
    /// An inline policy of the user, group or role with this label (`user/alice`).
    Inline(String),
    /// The trust policy of the principal with this label (`role/ci`).
    Trust(String),
}

/// A document of the dump as IAM's quotas see it, read or not: whose, how large, where.
#[derive(Debug, Clone)]
pub struct Measured {
    /// Whose it is.
    pub owner: Owner,
    /// Its size as IAM counts it ([`crate::policy::size`]); `None` when it is neither an
    /// object nor a string that URL-decodes (an unread part, reported as such).
    pub size: Option<usize>,
    /// The document (object or string) in the dump.
    pub at: Span,
}

/// What an unread part of a dump affects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Every principal (a top-level list given twice).
    Dump,
    /// The principal with this ARN, and for a group the users in it.
    Principal(String),
    /// Every principal that has the managed policy with this ARN attached or as boundary.
    Policy(String),
    /// No principal's permissions (a trust policy, an entry without an ARN): `lint` only.
    Other,
}

/// A part of the dump that could not be read.
#[derive(Debug, Clone)]
pub struct Problem {
    /// Where in the dump.
    pub at: Span,
    /// What is wrong, naming the principal or policy; no location.
    pub message: String,
    /// The earlier occurrence, for something given twice.
    pub first: Option<Span>,
    /// What it affects.
    pub scope: Scope,
}

/// The problems of a dump by what they affect ([`Dump::problem_index`]).
#[derive(Debug, Default)]
pub struct ProblemIndex<'a> {
    dump: Vec<&'a Problem>,
    principal: std::collections::HashMap<&'a str, Vec<&'a Problem>>,
    policy: std::collections::HashMap<&'a str, Vec<&'a Problem>>,
    by_position: Vec<&'a Problem>,
}

impl<'a> ProblemIndex<'a> {
    /// The problems that reach `pr`: the dump's, its own and (a user's) its groups', and
    /// those of each policy attached to it or its boundary; in dump order, each once.
    pub fn of(&self, pr: &Principal) -> Vec<&'a Problem> {
        let none = Vec::new();
        let get = |m: &std::collections::HashMap<&'a str, Vec<&'a Problem>>, k: &str| {
            m.get(k).unwrap_or(&none).clone()
        };
        let mut out = self.dump.clone();
        out.extend(get(&self.principal, &pr.arn));
        for g in &pr.groups {
            out.extend(get(&self.principal, g));
        }
        for a in pr.attached.iter().chain(&pr.boundary) {
            out.extend(get(&self.policy, a));
        }
        out.sort_by_key(|p| (p.at.start, p.at.end, std::ptr::from_ref(*p) as usize));
        out.dedup_by_key(|p| std::ptr::from_ref(*p) as usize);
        out
    }

    /// The problems inside `span` (an entry's), in dump order.
    pub fn inside(&self, span: Span) -> Vec<&'a Problem> {
        let from = self
            .by_position
            .partition_point(|p| p.at.start < span.start);
        let to = self.by_position.partition_point(|p| p.at.start <= span.end);
        let starting = self.by_position.get(from..to.max(from)).unwrap_or_default();
        starting
            .iter()
            .filter(|p| p.at.end <= span.end)
            .copied()
            .collect()
    }
}

/// Everything read from a dump.
#[derive(Debug, Clone, Default)]
pub struct Dump {
    /// Every document: inline, trust, and managed (default version).
    pub docs: Vec<PolicyDoc>,
    /// Customer managed policies: ARN -> index into `docs`.
    pub managed: Vec<(String, usize)>,
    /// Users, groups and roles.
    pub principals: Vec<Principal>,
    /// Every part that could not be read, in dump order.
    pub problems: Vec<Problem>,
    /// Every document IAM's quotas measure, read or not: so the quota check takes each
    /// document's owner and size from here rather than walking and decoding the dump again.
    pub measured: Vec<Measured>,
    /// Managed policy entries: ARN and span, in dump order.
    policy_at: Vec<(String, Span)>,
    /// [`Dump::read_taking`]: documents written as objects are moved, not copied, out of
    /// the dump's tree once it has been read.
    taking: bool,
    /// For [`Dump::read_taking`]: where each document to move starts, and its index in
    /// `docs`.
    to_take: Vec<(u32, usize)>,
}

/// The top-level lists of a dump.
const LISTS: [&str; 4] = [
    "UserDetailList",
    "GroupDetailList",
    "RoleDetailList",
    "Policies",
];

/// Where a dump holds its policy documents: [`crate::policy::json::parse_leaving`] leaves
/// them unread, and [`Dump::read`] reads the ones it wants (not the versions of a managed
/// policy other than the default, nor the copies of trust policies under instance
/// profiles), each on its own and in parallel. Every path starts at a list of [`LISTS`], so
/// a JSON text with none of them unread is no dump ([`is_dump`]).
pub const DOCUMENTS: &[&[&str]] = &[
    &["Policies", "PolicyVersionList", "Document"],
    &["UserDetailList", "UserPolicyList", "PolicyDocument"],
    &["GroupDetailList", "GroupPolicyList", "PolicyDocument"],
    &["RoleDetailList", "RolePolicyList", "PolicyDocument"],
    &["RoleDetailList", "AssumeRolePolicyDocument"],
    &[
        "RoleDetailList",
        "InstanceProfileList",
        "Roles",
        "AssumeRolePolicyDocument",
    ],
];

/// Read a JSON text that may be a dump: a dump with its documents unread ([`DOCUMENTS`]),
/// anything else whole.
pub fn parse(text: &str) -> Result<Parsed, crate::policy::json::SyntaxError> {
    let parsed = crate::policy::json::parse_leaving(text, DOCUMENTS)?;
    let has_list = |m: &[Member]| m.iter().any(|x| LISTS.contains(&x.key.value.as_str()));
    match &parsed.root.value {
        Value::Object(m) if has_list(m) && !is_dump(&parsed.root) => {
            crate::policy::json::parse(text)
        }
        _ => Ok(parsed),
    }
}

/// Why a JSON text is not an account dump, to follow its name in an error; `None` when it
/// is one.
pub fn not_a_dump(root: &Node) -> Option<&'static str> {
    if is_dump(root) {
        return None;
    }
    let has =
        |key: &str| matches!(&root.value, Value::Object(m) if m.iter().any(|x| x.key.value == key));
    Some(if LISTS.iter().any(|l| has(l)) {
        "not an account dump: it has `Statement`, so it is read as a policy"
    } else {
        "not an account dump (no `UserDetailList`, `GroupDetailList`, `RoleDetailList` or \
         `Policies`); write it with `aws iam get-account-authorization-details` or \
         `iamlint fetch gaad`"
    })
}

/// Is this JSON a GAAD dump?
pub fn is_dump(root: &Node) -> bool {
    let Value::Object(m) = &root.value else {
        return false;
    };
    m.iter().any(|x| LISTS.contains(&x.key.value.as_str()))
        && !m.iter().any(|x| x.key.value == "Statement")
}

/// The member `key` of object `n` (the last, as IAM keeps the last of a duplicated key).
pub(crate) fn get<'a>(n: &'a Node, key: &str) -> Option<&'a Node> {
    let Value::Object(m) = &n.value else {
        return None;
    };
    m.iter()
        .rev()
        .find(|x: &&Member| x.key.value == key)
        .map(|x| &x.value)
}

/// The string member `key` of object `n`, or `""`.
pub(crate) fn str_of<'a>(n: &'a Node, key: &str) -> &'a str {
    match get(n, key).map(|v| &v.value) {
        Some(Value::String(s)) => s,
        _ => "",
    }
}

/// Why a URL-encoded document does not decode.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// A `%` not followed by two hex digits.
    #[error("`{escape}` at character {at} is not a `%XX` escape")]
    BadEscape {
        /// The text from the `%`, up to three characters.
        escape: String,
        /// 1-based character offset of the `%`.
        at: usize,
    },
    /// The decoded bytes are not UTF-8.
    #[error("the decoded bytes are not UTF-8 (at byte {at})")]
    NotUtf8 {
        /// 0-based byte offset of the first invalid byte in the decoded text.
        at: usize,
    },
}

/// Decode `%XX` escapes (RFC 3986, as the AWS CLI does: a `+` stays a plus sign, which IAM
/// names and ARNs may contain). A `%` that starts no escape, or decoded bytes that are not
/// UTF-8, is an error: a lossy decode would hand the checks a document AWS does not hold.
pub fn url_decode(s: &str) -> Result<String, DecodeError> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        if c == b'%' {
            let hex = b
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .filter(|h| h.bytes().all(|x| x.is_ascii_hexdigit()));
            match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                Some(v) => {
                    out.push(v);
                    i += 3;
                    continue;
                }
                None => {
                    let escape: String = s.get(i..).unwrap_or("").chars().take(3).collect();
                    let at = s.get(..i).map_or(0, |h| h.chars().count()) + 1;
                    return Err(DecodeError::BadEscape { escape, at });
                }
            }
        }
        out.push(c);
        i += 1;
    }
    String::from_utf8(out).map_err(|e| DecodeError::NotUtf8 {
        at: e.utf8_error().valid_up_to(),
    })
}

/// Decode a policy document given as a string: raw JSON text (starting with `{`) as it is,
/// anything else URL-decoded (the raw API's form).
pub fn decode_document(s: &str) -> Result<String, DecodeError> {
    if s.trim_start().starts_with('{') {
        Ok(s.to_string())
    } else {
        url_decode(s)
    }
}

/// The span of `key`'s member (key and value) in object `n`, else the span of `n`.
fn member_span(n: &Node, key: &str) -> Span {
    let Value::Object(m) = &n.value else {
        return n.span;
    };
    m.iter()
        .rev()
        .find(|x| x.key.value == key)
        .map_or(n.span, |x| Span {
            start: x.key.span.start,
            end: x.value.span.end,
        })
}

/// The document of the default version of a managed policy entry, as IAM picks it: the
/// version marked `IsDefaultVersion`, or the one `DefaultVersionId` names.
fn default_document(p: &Node) -> Option<&Node> {
    let default = str_of(p, "DefaultVersionId");
    let Some(Value::Array(versions)) = get(p, "PolicyVersionList").map(|v| &v.value) else {
        return None;
    };
    versions
        .iter()
        .find(|v| {
            matches!(
                get(v, "IsDefaultVersion").map(|x| &x.value),
                Some(Value::Bool(true))
            ) || (!default.is_empty() && str_of(v, "VersionId") == default)
        })
        .and_then(|v| get(v, "Document"))
}

/// Move the documents that [`Dump::read_taking`] read out of the dump's tree into `docs`.
/// Documents are at most five levels down (`Policies[i].PolicyVersionList[j].Document`), so
/// the walk goes no deeper and never into a document.
fn take_docs(
    n: &mut Node,
    depth: u32,
    slots: &std::collections::HashMap<u32, usize>,
    docs: &mut [PolicyDoc],
) {
    if depth > 0 {
        if let Some(doc) = slots.get(&n.span.start).and_then(|&i| docs.get_mut(i)) {
            if doc.at == n.span && matches!(n.value, Value::Object(_)) {
                let span = n.span;
                doc.parsed.root = std::mem::replace(
                    n,
                    Node {
                        value: Value::Null,
                        span,
                    },
                );
                return;
            }
        }
    }
    if depth >= 5 {
        return;
    }
    match &mut n.value {
        Value::Array(a) => a
            .iter_mut()
            .for_each(|x| take_docs(x, depth + 1, slots, docs)),
        Value::Object(m) => m
            .iter_mut()
            .for_each(|x| take_docs(&mut x.value, depth + 1, slots, docs)),
        _ => {}
    }
}

fn contains(outer: Span, inner: Span) -> bool {
    outer.start <= inner.start && inner.end <= outer.end
}

impl Dump {
    fn problem(&mut self, at: Span, scope: Scope, message: String) {
        self.problems.push(Problem {
            at,
            message,
            first: None,
            scope,
        });
    }

    /// The entries of list `key` of `n`: absent is empty; anything but an array of objects
    /// is a problem.
    fn items<'a>(&mut self, n: &'a Node, key: &str, who: &str, scope: &Scope) -> Vec<&'a Node> {
        match get(n, key) {
            None => Vec::new(),
            Some(Node {
                value: Value::Array(a),
                ..
            }) => {
                let mut out = Vec::with_capacity(a.len());
                for x in a {
                    if matches!(x.value, Value::Object(_)) {
                        out.push(x);
                    } else {
                        self.problem(
                            x.span,
                            scope.clone(),
                            format!(
                                "{who}: an entry of `{key}` is {}, not an object, so it cannot be read",
                                x.value.type_name()
                            ),
                        );
                    }
                }
                out
            }
            Some(other) => {
                self.problem(
                    other.span,
                    scope.clone(),
                    format!(
                        "{who}: `{key}` is {}, not a list, so it cannot be read",
                        other.value.type_name()
                    ),
                );
                Vec::new()
            }
        }
    }

    /// Add a document, or record why it cannot be read, and measure it for IAM's quotas as
    /// `owner`'s (the decoded text, once). `what` names it in messages. Returns its index in
    /// `docs` (when read) and in `measured`.
    #[allow(
        clippy::too_many_arguments,
        reason = "one private call shape; the three reads of a dump pass the same context"
    )]
    fn add(
        &mut self,
        label: String,
        what: &str,
        node: &Node,
        whole: &Parsed,
        scope: &Scope,
        text: &str,
        owner: Owner,
    ) -> (Option<usize>, usize) {
        let mut size = None;
        let doc = self.read_doc(label, what, node, whole, scope, text, &mut size);
        self.measured.push(Measured {
            owner,
            size,
            at: node.span,
        });
        let measured = self.measured.len() - 1;
        let Some(doc) = doc else {
            return (None, measured);
        };
        if self.taking && matches!(doc.parsed.root.value, Value::Null) {
            self.to_take.push((doc.at.start, self.docs.len()));
        }
        self.docs.push(doc);
        (Some(self.docs.len() - 1), measured)
    }

    /// Read a document, or record why it cannot be read; `size` is set when it can be
    /// measured (an object, or a string that URL-decodes).
    #[allow(
        clippy::too_many_arguments,
        reason = "the context of `add`, and the size it measures"
    )]
    fn read_doc(
        &mut self,
        label: String,
        what: &str,
        node: &Node,
        whole: &Parsed,
        scope: &Scope,
        text: &str,
        size: &mut Option<usize>,
    ) -> Option<PolicyDoc> {
        let doc = match &node.value {
            Value::Object(_) => {
                *size = text.get(node.span.range()).map(crate::policy::size);
                PolicyDoc {
                    label,
                    parsed: Parsed {
                        // Moved in by `read_taking` once the whole dump is read.
                        root: if self.taking {
                            Node {
                                value: Value::Null,
                                span: node.span,
                            }
                        } else {
                            node.clone()
                        },
                        duplicates: whole
                            .duplicates
                            .iter()
                            .filter(|d| contains(node.span, d.second))
                            .cloned()
                            .collect(),
                    },
                    decoded: None,
                    at: node.span,
                }
            }
            Value::Unread => {
                // Read after the whole dump, with the others ([`Dump::read_unread`]).
                *size = text.get(node.span.range()).map(crate::policy::size);
                PolicyDoc {
                    label,
                    parsed: Parsed {
                        root: node.clone(),
                        duplicates: Vec::new(),
                    },
                    decoded: None,
                    at: node.span,
                }
            }
            Value::String(s) => {
                // The raw API returns documents URL-encoded (RFC 3986); the CLI decodes them.
                let text = match decode_document(s) {
                    Ok(t) => {
                        *size = Some(crate::policy::size(&t));
                        t
                    }
                    Err(e) => {
                        self.problem(
                            node.span,
                            scope.clone(),
                            format!("{what}: the document does not URL-decode: {e}"),
                        );
                        return None;
                    }
                };
                let parsed = match crate::policy::json::parse(&text) {
                    Ok(p) => p,
                    Err(e) => {
                        let (l, c) =
                            crate::span::LineIndex::new(&text).line_col(&text, e.span.start);
                        self.problem(
                            node.span,
                            scope.clone(),
                            format!(
                                "{what}: the decoded document is not JSON: {} (decoded text {l}:{c})",
                                e.message
                            ),
                        );
                        return None;
                    }
                };
                if !matches!(parsed.root.value, Value::Object(_)) {
                    self.problem(
                        node.span,
                        scope.clone(),
                        format!(
                            "{what}: the decoded document is {}, not a policy object",
                            parsed.root.value.type_name()
                        ),
                    );
                    return None;
                }
                PolicyDoc {
                    label,
                    parsed,
                    decoded: Some(text),
                    at: node.span,
                }
            }
            other => {
                self.problem(
                    node.span,
                    scope.clone(),
                    format!(
                        "{what}: the document is {}, not a policy object",
                        other.type_name()
                    ),
                );
                return None;
            }
        };
        Some(doc)
    }

    /// Measure a document that is not read, as IAM's quotas would (a trust policy in the
    /// entry of a user or group).
    fn measure_only(&mut self, owner: Owner, node: &Node, text: &str) -> usize {
        let size = match &node.value {
            Value::Object(_) | Value::Unread => {
                text.get(node.span.range()).map(crate::policy::size)
            }
            Value::String(s) => decode_document(s).ok().map(|d| crate::policy::size(&d)),
            _ => None,
        };
        self.measured.push(Measured {
            owner,
            size,
            at: node.span,
        });
        self.measured.len() - 1
    }

    /// A user, group or role entry: its inline policies (read into `docs`), attached
    /// policy ARNs and permissions boundary.
    fn principal(
        &mut self,
        n: &Node,
        kind: &str,
        list: &str,
        whole: &Parsed,
        text: &str,
    ) -> Principal {
        let name_key = match kind {
            "user" => "UserName",
            "group" => "GroupName",
            _ => "RoleName",
        };
        let name = str_of(n, name_key);
        let arn = str_of(n, "Arn").to_string();
        let label = format!("{kind}/{name}");
        let scope = if arn.is_empty() {
            self.problem(
                n.span,
                Scope::Other,
                format!("{label}: the entry has no `Arn`, so no check can name it"),
            );
            Scope::Other
        } else {
            Scope::Principal(arn.clone())
        };
        let mut pr = Principal {
            arn,
            label: label.clone(),
            at: n.span,
            ..Principal::default()
        };
        let mut own_inline = Vec::new();
        for ip in self.items(n, list, &label, &scope) {
            let pname = str_of(ip, "PolicyName");
            let what = format!("{label} inline policy `{pname}`");
            match get(ip, "PolicyDocument") {
                Some(doc) => {
                    let doc_label = format!("{label} inline \"{pname}\"");
                    let owner = Owner::Inline(label.clone());
                    let (i, m) = self.add(doc_label, &what, doc, whole, &scope, text, owner);
                    pr.inline.extend(i);
                    own_inline.push(m);
                }
                None => self.problem(
                    ip.span,
                    scope.clone(),
                    format!("{what}: the entry has no `PolicyDocument`"),
                ),
            }
        }
        pr.own_inline = get(n, list).map(|l| (l.span, own_inline));
        // The quota counts every entry of the list, readable or not.
        pr.own_attached_list = get(n, "AttachedManagedPolicies").map(|l| match &l.value {
            Value::Array(a) => (a.len(), l.span),
            _ => (0, l.span),
        });
        if kind != "role" {
            // Only a role has a trust policy; one in another entry is measured, not read.
            if let Some(t) = get(n, "AssumeRolePolicyDocument") {
                pr.trust = Some(self.measure_only(Owner::Trust(label.clone()), t, text));
            }
        }
        for a in self.items(n, "AttachedManagedPolicies", &label, &scope) {
            match get(a, "PolicyArn").map(|v| &v.value) {
                Some(Value::String(s)) if !s.is_empty() => {
                    pr.attached.push(s.clone());
                    pr.named_at.push((s.clone(), a.span));
                }
                _ => self.problem(
                    a.span,
                    scope.clone(),
                    format!(
                        "{label}: an attached policy (`{}`) has no `PolicyArn`",
                        str_of(a, "PolicyName")
                    ),
                ),
            }
        }
        if let Some(b) = get(n, "PermissionsBoundary") {
            match get(b, "PermissionsBoundaryArn").map(|v| &v.value) {
                Some(Value::String(s)) if !s.is_empty() => {
                    pr.boundary = Some(s.clone());
                    pr.named_at
                        .push((s.clone(), member_span(n, "PermissionsBoundary")));
                }
                _ => {
                    let why = if matches!(b.value, Value::Object(_)) {
                        "an object without `PermissionsBoundaryArn`".to_string()
                    } else {
                        format!(
                            "{}, not an object with `PermissionsBoundaryArn`",
                            b.value.type_name()
                        )
                    };
                    self.problem(
                        member_span(n, "PermissionsBoundary"),
                        scope,
                        format!(
                            "{label}: the permissions boundary is {why}, so what it caps is unknown"
                        ),
                    );
                }
            }
        }
        pr.own_attached = pr.attached.len();
        pr
    }

    /// Read a dump already parsed as JSON; `text` is the dump's text (what IAM's quotas
    /// measure of a document written as an object).
    pub fn read(text: &str, whole: &Parsed) -> Dump {
        let mut d = Dump::default();
        d.fill(text, whole);
        d.read_unread(text);
        d
    }

    /// [`Dump::read`], moving each document read out of `whole` rather than copying it (a
    /// dump's documents are most of its tree): in `whole` they are left `null`, the rest of
    /// the dump (the principals' entries, the versions not read) as it was.
    pub fn read_taking(text: &str, whole: &mut Parsed) -> Dump {
        let mut d = Dump {
            taking: true,
            ..Dump::default()
        };
        d.fill(text, whole);
        d.read_unread(text);
        let slots: std::collections::HashMap<u32, usize> =
            std::mem::take(&mut d.to_take).into_iter().collect();
        take_docs(&mut whole.root, 0, &slots, &mut d.docs);
        d
    }

    /// Read the documents that the dump's reading left unread ([`DOCUMENTS`]), in parallel:
    /// each is a few kilobytes, and an account has tens of thousands.
    fn read_unread(&mut self, text: &str) {
        use rayon::prelude::*;
        let failed: Vec<Problem> = self
            .docs
            .par_iter_mut()
            .filter(|d| matches!(d.parsed.root.value, Value::Unread))
            .filter_map(|d| match crate::policy::json::parse_at(text, d.at) {
                Ok(p) => {
                    d.parsed = p;
                    None
                }
                // Not seen: the dump's reading checked this text as strictly. Should it
                // happen, no principal is reported as read.
                Err(e) => Some(Problem {
                    at: e.span,
                    message: format!("{}: {}", d.label, e.message),
                    first: None,
                    scope: Scope::Dump,
                }),
            })
            .collect();
        self.problems.extend(failed);
    }

    fn fill(&mut self, text: &str, whole: &Parsed) {
        let d = self;
        let root = &whole.root;
        let truncated = matches!(
            get(root, "IsTruncated").map(|v| &v.value),
            Some(Value::Bool(true))
        );
        if truncated {
            d.problem(
                member_span(root, "IsTruncated"),
                Scope::Other,
                "the dump is truncated (`IsTruncated` is true): the principals and policies \
                 after its `Marker` are not in it"
                    .to_string(),
            );
        }
        // The first entry of each managed policy ARN: a map, as a dump holds thousands.
        let mut first_at: std::collections::HashMap<String, Span> =
            std::collections::HashMap::new();
        for p in d.items(root, "Policies", "the dump", &Scope::Dump) {
            let arn = str_of(p, "Arn").to_string();
            if arn.is_empty() {
                d.problem(
                    p.span,
                    Scope::Other,
                    format!(
                        "managed policy `{}`: the entry has no `Arn`",
                        str_of(p, "PolicyName")
                    ),
                );
                // Unread, but IAM would still refuse it if it were too large.
                if let Some(doc) = default_document(p) {
                    d.measure_only(Owner::Managed(arn), doc, text);
                }
                continue;
            }
            let scope = Scope::Policy(arn.clone());
            if let Some(&first) = first_at.get(&arn) {
                d.problems.push(Problem {
                    at: p.span,
                    message: format!(
                        "managed policy `{arn}` is in the dump twice; which one IAM holds is unknown"
                    ),
                    first: Some(first),
                    scope: scope.clone(),
                });
            }
            first_at.entry(arn.clone()).or_insert(p.span);
            d.policy_at.push((arn.clone(), p.span));
            let what = format!("managed policy `{arn}`");
            let default = str_of(p, "DefaultVersionId");
            let versions = d.items(p, "PolicyVersionList", &what, &scope);
            let version = versions.iter().find(|v| {
                matches!(
                    get(v, "IsDefaultVersion").map(|x| &x.value),
                    Some(Value::Bool(true))
                ) || (!default.is_empty() && str_of(v, "VersionId") == default)
            });
            match version.map(|v| (v, get(v, "Document"))) {
                Some((_, Some(doc))) => {
                    let what = format!("{what} (default version)");
                    let owner = Owner::Managed(arn.clone());
                    if let (Some(i), _) = d.add(arn.clone(), &what, doc, whole, &scope, text, owner)
                    {
                        d.managed.push((arn, i));
                    }
                }
                Some((v, None)) => d.problem(
                    v.span,
                    scope,
                    format!("{what}: the default version has no `Document`"),
                ),
                None => d.problem(
                    p.span,
                    scope,
                    format!("{what}: the dump holds no default version of it"),
                ),
            }
        }
        let mut groups: Vec<(String, Principal)> = Vec::new();
        for g in d.items(root, "GroupDetailList", "the dump", &Scope::Dump) {
            let pr = d.principal(g, "group", "GroupPolicyList", whole, text);
            groups.push((str_of(g, "GroupName").to_string(), pr));
        }
        // Each group name: its first entry, and whether another has the same name.
        let mut group_named: std::collections::HashMap<&str, (usize, bool)> =
            std::collections::HashMap::new();
        for (i, (name, _)) in groups.iter().enumerate() {
            group_named
                .entry(name.as_str())
                .and_modify(|e| e.1 = true)
                .or_insert((i, false));
        }
        let mut principals = Vec::new();
        for u in d.items(root, "UserDetailList", "the dump", &Scope::Dump) {
            let mut pr = d.principal(u, "user", "UserPolicyList", whole, text);
            let scope = if pr.arn.is_empty() {
                Scope::Other
            } else {
                Scope::Principal(pr.arn.clone())
            };
            match get(u, "GroupList") {
                None => {}
                Some(Node {
                    value: Value::Array(list),
                    ..
                }) => {
                    for g in list {
                        let Value::String(gname) = &g.value else {
                            d.problem(
                                g.span,
                                scope.clone(),
                                format!(
                                    "{}: a group of `GroupList` is {}, not a group name",
                                    pr.label,
                                    g.value.type_name()
                                ),
                            );
                            continue;
                        };
                        let named = group_named.get(gname.as_str()).copied();
                        if named.is_some_and(|(_, twice)| twice) {
                            d.problem(
                                g.span,
                                scope.clone(),
                                format!(
                                    "{}: the dump holds two groups named `{gname}`; which one the user is in is unknown",
                                    pr.label
                                ),
                            );
                        }
                        match named.and_then(|(i, _)| groups.get(i)) {
                            Some((_, gp)) => {
                                pr.inline.extend(gp.inline.iter().copied());
                                pr.attached.extend(gp.attached.iter().cloned());
                                pr.groups.push(gp.arn.clone());
                            }
                            None => d.problem(
                                g.span,
                                scope.clone(),
                                format!(
                                    "{}: the user is in group `{gname}`, which the dump does not hold, so its policies are unknown",
                                    pr.label
                                ),
                            ),
                        }
                    }
                }
                Some(other) => d.problem(
                    other.span,
                    scope,
                    format!(
                        "{}: `GroupList` is {}, not a list of group names",
                        pr.label,
                        other.value.type_name()
                    ),
                ),
            }
            principals.push(pr);
        }
        for r in d.items(root, "RoleDetailList", "the dump", &Scope::Dump) {
            let label = format!("role/{}", str_of(r, "RoleName"));
            let mut trust = None;
            if let Some(n) = get(r, "AssumeRolePolicyDocument") {
                let what = format!("{label} trust policy");
                let owner = Owner::Trust(label.clone());
                let doc_label = format!("{label} trust policy");
                let (_, m) = d.add(doc_label, &what, n, whole, &Scope::Other, text, owner);
                trust = Some(m);
            }
            let mut pr = d.principal(r, "role", "RolePolicyList", whole, text);
            pr.trust = trust;
            principals.push(pr);
        }
        principals.extend(groups.into_iter().map(|(_, p)| p));
        d.principals = principals;
        d.missing_policies();
        d.duplicate_principals();
        d.duplicate_keys(whole);
        d.problems.sort_by_key(|p| (p.at.start, p.at.end));
    }

    /// An attached policy or boundary the dump does not hold and that is not an AWS managed
    /// policy of the embedded snapshot.
    fn missing_policies(&mut self) {
        let mut found = Vec::new();
        let mut held: std::collections::HashSet<&str> =
            self.managed.iter().map(|(a, _)| a.as_str()).collect();
        // A policy with a problem of its own is reported there.
        held.extend(self.problems.iter().filter_map(|p| match &p.scope {
            Scope::Policy(a) => Some(a.as_str()),
            _ => None,
        }));
        for pr in &self.principals {
            // Groups' policies reach a user too: name each once, at its holder.
            let own = pr.attached.get(..pr.own_attached).unwrap_or_default();
            let mut named_at: std::collections::HashMap<&str, Span> =
                std::collections::HashMap::new();
            for (a, at) in &pr.named_at {
                named_at.entry(a.as_str()).or_insert(*at);
            }
            for arn in own.iter().chain(pr.boundary.iter()) {
                if held.contains(arn.as_str()) {
                    continue;
                }
                if crate::source::managed::is_managed_arn(arn)
                    && crate::source::managed::find(arn).is_ok()
                {
                    continue;
                }
                let at = named_at.get(arn.as_str()).copied().unwrap_or(pr.at);
                found.push((at, pr.arn.clone(), pr.label.clone(), arn.clone()));
            }
        }
        for (at, arn, label, policy) in found {
            let scope = if arn.is_empty() {
                Scope::Other
            } else {
                Scope::Principal(arn)
            };
            let what = if crate::source::managed::is_managed_arn(&policy) {
                "neither the dump nor the embedded snapshot of AWS managed policies holds it"
            } else {
                "the dump does not hold it"
            };
            self.problem(
                at,
                scope,
                format!(
                    "{label}: `{policy}` applies to it, but {what}, so what it grants is unknown"
                ),
            );
        }
    }

    fn duplicate_principals(&mut self) {
        let mut seen: std::collections::HashMap<&str, Span> = std::collections::HashMap::new();
        let mut found = Vec::new();
        for pr in &self.principals {
            if pr.arn.is_empty() {
                continue;
            }
            if let Some(first) = seen.get(pr.arn.as_str()) {
                found.push(Problem {
                    at: pr.at,
                    message: format!(
                        "{}: `{}` is in the dump twice; which entry IAM holds is unknown",
                        pr.label, pr.arn
                    ),
                    first: Some(*first),
                    scope: Scope::Principal(pr.arn.clone()),
                });
            } else {
                seen.insert(&pr.arn, pr.at);
            }
        }
        self.problems.extend(found);
    }

    /// A key given twice outside a policy document (those are lint findings of the
    /// document): one of the two was read and the other dropped.
    fn duplicate_keys(&mut self, whole: &Parsed) {
        // Documents, entries and policies each by start: none of them overlaps another of
        // its kind, so the one that holds a place is the last to start before it.
        fn by_start<T>(items: impl Iterator<Item = (Span, T)>) -> Vec<(Span, T)> {
            let mut v: Vec<(Span, T)> = items.collect();
            v.sort_by_key(|(at, _)| at.start);
            v
        }
        fn holder<T: Copy>(sorted: &[(Span, T)], at: Span) -> Option<T> {
            let i = sorted.partition_point(|(s, _)| s.start <= at.start);
            let (s, t) = sorted.get(i.checked_sub(1)?)?;
            contains(*s, at).then_some(*t)
        }
        let docs = by_start(self.docs.iter().map(|d| (d.at, ())));
        let principals = by_start(self.principals.iter().enumerate().map(|(i, p)| (p.at, i)));
        let policies = by_start(self.policy_at.iter().enumerate().map(|(i, p)| (p.1, i)));
        let top: std::collections::HashSet<Span> = match &whole.root.value {
            Value::Object(m) => m.iter().map(|x| x.key.span).collect(),
            _ => std::collections::HashSet::new(),
        };
        for dup in &whole.duplicates {
            if holder(&docs, dup.second).is_some() {
                continue;
            }
            let top = top.contains(&dup.second);
            let principal = holder(&principals, dup.second).and_then(|i| self.principals.get(i));
            let policy = holder(&policies, dup.second).and_then(|i| self.policy_at.get(i));
            let (scope, where_) = match (top, principal, policy) {
                (true, ..) => (Scope::Dump, "at the top of the dump".to_string()),
                (false, Some(p), _) if !p.arn.is_empty() => (
                    Scope::Principal(p.arn.clone()),
                    format!("in the entry of {}", p.label),
                ),
                (false, Some(p), _) => (Scope::Other, format!("in the entry of {}", p.label)),
                (false, None, Some((arn, _))) => (
                    Scope::Policy(arn.clone()),
                    format!("in the entry of managed policy `{arn}`"),
                ),
                (false, None, None) => (Scope::Dump, "in the dump".to_string()),
            };
            self.problems.push(Problem {
                at: dup.second,
                message: format!(
                    "the key `{}` is given twice {where_}; only one would be read",
                    dup.key
                ),
                first: Some(dup.first),
                scope,
            });
        }
    }

    /// The problems indexed once by what they affect, so asking for each of many principals
    /// ([`ProblemIndex::of`]) stays linear in the dump.
    pub fn problem_index(&self) -> ProblemIndex<'_> {
        let mut ix = ProblemIndex {
            by_position: self.problems.iter().collect(),
            ..ProblemIndex::default()
        };
        ix.by_position.sort_by_key(|p| (p.at.start, p.at.end));
        for p in &self.problems {
            match &p.scope {
                Scope::Dump => ix.dump.push(p),
                Scope::Principal(a) => ix.principal.entry(a).or_default().push(p),
                Scope::Policy(a) => ix.policy.entry(a).or_default().push(p),
                Scope::Other => {}
            }
        }
        ix
    }

    /// The problems that leave part of `pr`'s permissions unread ([`ProblemIndex::of`]; for
    /// many principals, build [`Dump::problem_index`] once).
    pub fn problems_of<'a>(&'a self, pr: &'a Principal) -> impl Iterator<Item = &'a Problem> {
        self.problem_index().of(pr).into_iter()
    }
}

/// The unread parts of a dump as `file:line:col: message` errors.
pub fn errors<'a>(
    origin: &str,
    text: &str,
    problems: impl Iterator<Item = &'a Problem>,
) -> Vec<String> {
    let mut problems = problems.peekable();
    if problems.peek().is_none() {
        // Indexing the lines of a dump of tens of megabytes costs more than the rest.
        return Vec::new();
    }
    errors_with(origin, text, &crate::span::LineIndex::new(text), problems)
}

/// [`errors`] with the dump's line index built once by the caller (one per dump, not one
/// per principal with an unread part).
pub fn errors_with<'a>(
    origin: &str,
    text: &str,
    index: &crate::span::LineIndex,
    problems: impl Iterator<Item = &'a Problem>,
) -> Vec<String> {
    problems
        .map(|p| {
            let (l, c) = index.line_col(text, p.at.start);
            match p.first {
                Some(first) => {
                    let (fl, fc) = index.line_col(text, first.start);
                    format!("{origin}:{l}:{c}: {} (first at {fl}:{fc})", p.message)
                }
                None => format!("{origin}:{l}:{c}: {}", p.message),
            }
        })
        .collect()
}

/// `principal`'s inline, attached (customer or AWS managed) and group policies, and its
/// permissions boundary, from the dump at `path` (`-`: standard input). Any part of the
/// principal that could not be read makes the read [`Incomplete`](principal::Read): a check
/// never passes on data it could not read.
pub fn principal(path: &str, principal: &str) -> anyhow::Result<principal::Read> {
    use crate::source::managed;
    use principal::{Documents, Form, Part, Read};
    let incomplete = |mut errors: Vec<String>| {
        errors.push(format!(
            "the check did not run: the dump does not hold everything that applies to \
             `{principal}`, and a check on part of it could pass wrongly"
        ));
        Ok(Read::Incomplete(errors))
    };
    let doc = super::read_dump(&super::Input::named(path))?;
    let parsed = parse(&doc.text).map_err(|e| {
        let (l, c) = crate::span::LineIndex::new(&doc.text).line_col(&doc.text, e.span.start);
        anyhow::anyhow!("{path}:{l}:{c}: {}", e.message)
    })?;
    if let Some(why) = not_a_dump(&parsed.root) {
        anyhow::bail!("{path}: {why}");
    }
    let mut parsed = parsed;
    let dump = Dump::read_taking(&doc.text, &mut parsed);
    let Some(pr) = dump.principals.iter().find(|p| p.arn == principal) else {
        // A list given twice was read once: the principal may be in the other one, so its
        // absence is not known; say what could not be read, not "no such principal".
        let unread: Vec<Problem> = dump
            .problems
            .iter()
            .filter(|p| p.scope == Scope::Dump)
            .map(|p| {
                let mut p = p.clone();
                p.message = format!("{} (it may hold `{principal}`)", p.message);
                p
            })
            .collect();
        if !unread.is_empty() {
            return incomplete(errors(path, &doc.text, unread.iter()));
        }
        let hint =
            crate::suggest::closest(principal, dump.principals.iter().map(|p| p.arn.as_str()))
                .map(|s| format!("; did you mean `{s}`?"))
                .unwrap_or_default();
        anyhow::bail!("{path}: no user, group or role `{principal}` in the dump{hint}");
    };
    // Each error names the principal: a managed policy's or the whole dump's problem says
    // whom it concerns here.
    let problems: Vec<Problem> = dump
        .problems_of(pr)
        .map(|p| {
            let mut p = p.clone();
            if !matches!(p.scope, Scope::Principal(_)) {
                p.message = format!("{} (it applies to `{principal}`)", p.message);
            }
            p
        })
        .collect();
    let unread = errors(path, &doc.text, problems.iter());
    if !unread.is_empty() {
        return incomplete(unread);
    }
    let mut out = Documents {
        texts: vec![super::Document {
            origin: path.to_string(),
            text: doc.text.clone(),
        }],
        ..Documents::default()
    };
    // A document of the dump: its spans point into the dump, or into its decoded text.
    let add = |d: &PolicyDoc, label: &str, boundary: bool, out: &mut Documents| {
        let text = match &d.decoded {
            None => 0,
            Some(t) => {
                out.texts.push(super::Document {
                    origin: format!("{path} ({label}, decoded)"),
                    text: t.clone(),
                });
                out.texts.len() - 1
            }
        };
        out.parts.push(Part {
            label: label.to_string(),
            text,
            form: Form::InDump(d.parsed.clone()),
            boundary,
        });
    };
    for &i in &pr.inline {
        if let Some(d) = dump.docs.get(i) {
            add(d, &d.label, false, &mut out);
        }
    }
    // The first entry of each ARN (one given twice is a problem that stops the check).
    let mut held: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for (a, i) in &dump.managed {
        held.entry(a.as_str()).or_insert(*i);
    }
    let by_arn = |arn: &str, boundary: bool, out: &mut Documents| -> anyhow::Result<()> {
        if let Some(&i) = held.get(arn) {
            if let Some(d) = dump.docs.get(i) {
                add(d, arn, boundary, out);
                return Ok(());
            }
        }
        if managed::is_managed_arn(arn) {
            let m = managed::find(arn).map_err(anyhow::Error::msg)?;
            let text = managed::document_text(m);
            let parsed = crate::policy::json::parse(&text)
                .map_err(|e| anyhow::anyhow!("{arn}: {}", e.message))?;
            out.texts.push(super::Document {
                origin: arn.to_string(),
                text,
            });
            out.parts.push(Part {
                label: arn.to_string(),
                text: out.texts.len() - 1,
                form: Form::Snapshot(parsed),
                boundary,
            });
            return Ok(());
        }
        anyhow::bail!(
            "{path}: `{principal}` has `{arn}` attached, but the dump holds no document for it"
        )
    };
    for arn in &pr.attached {
        by_arn(arn, false, &mut out)?;
    }
    if let Some(b) = pr.boundary.as_ref().filter(|b| !b.is_empty()) {
        by_arn(b, true, &mut out)?;
    }
    Ok(Read::Whole(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Dump {
        Dump::read(text, &parse(text).unwrap())
    }

    #[test]
    fn problems_reach_whom_they_concern() {
        let d = read(
            r#"{"UserDetailList": [
                 {"UserName": "u", "Arn": "arn:aws:iam::1:user/u", "GroupList": ["g", "g2"]},
                 {"UserName": "v", "Arn": "arn:aws:iam::1:user/v", "GroupList": []}],
               "GroupDetailList": [
                 {"GroupName": "g", "Arn": "arn:aws:iam::1:group/g",
                  "GroupPolicyList": [{"PolicyName": "p", "PolicyDocument": 5}]},
                 {"GroupName": "g2", "Arn": "arn:aws:iam::1:group/g2"},
                 {"GroupName": "g2", "Arn": "arn:aws:iam::1:group/g2b"}]}"#,
        );
        let of = |arn: &str| {
            let pr = d.principals.iter().find(|p| p.arn == arn).unwrap();
            d.problems_of(pr)
                .map(|p| p.message.clone())
                .collect::<Vec<_>>()
        };
        let u = of("arn:aws:iam::1:user/u");
        assert_eq!(u.len(), 2, "{u:?}");
        assert!(
            u.iter()
                .any(|m| m.contains("group/g inline policy `p`: the document is a number")),
            "{u:?}"
        );
        assert!(
            u.iter().any(|m| m.contains("two groups named `g2`")),
            "{u:?}"
        );
        assert!(of("arn:aws:iam::1:user/v").is_empty());
        assert_eq!(of("arn:aws:iam::1:group/g").len(), 1);
        assert!(of("arn:aws:iam::1:group/g2").is_empty());
    }

    #[test]
    fn the_problem_index_gives_what_asking_each_principal_gives() {
        let d = read(
            r#"{"UserDetailList": [
                 {"UserName": "u", "Arn": "arn:aws:iam::1:user/u", "GroupList": ["g", "g", "nog"],
                  "AttachedManagedPolicies": [{"PolicyArn": "arn:aws:iam::1:policy/p"},
                                              {"PolicyArn": "arn:aws:iam::1:policy/p"}],
                  "PermissionsBoundary": {"PermissionsBoundaryArn": "arn:aws:iam::1:policy/p"}},
                 {"UserName": "noarn", "UserPolicyList": [{"PolicyName": "x", "PolicyDocument": 1}]},
                 {"UserName": "v", "Arn": "arn:aws:iam::1:user/v", "UserPolicyList": [{}]}],
               "GroupDetailList": [
                 {"GroupName": "g", "Arn": "arn:aws:iam::1:group/g",
                  "GroupPolicyList": [{"PolicyName": "p", "PolicyDocument": 5}]}],
               "Policies": [{"Arn": "arn:aws:iam::1:policy/p", "PolicyVersionList": []}]}"#,
        );
        let ix = d.problem_index();
        let mut seen = 0;
        for pr in &d.principals {
            // What a problem reaches, spelled out: the dump's reach everyone, a principal's
            // it and (a group's) its users, a policy's whoever has it attached or as boundary.
            let slow: Vec<*const Problem> = d
                .problems
                .iter()
                .filter(|p| match &p.scope {
                    Scope::Dump => true,
                    Scope::Principal(a) => *a == pr.arn || pr.groups.contains(a),
                    Scope::Policy(a) => pr.attached.contains(a) || pr.boundary.as_ref() == Some(a),
                    Scope::Other => false,
                })
                .map(std::ptr::from_ref)
                .collect();
            let fast: Vec<*const Problem> = ix.of(pr).into_iter().map(std::ptr::from_ref).collect();
            assert_eq!(fast, slow, "{}", pr.label);
            let slow: Vec<*const Problem> = d
                .problems
                .iter()
                .filter(|p| contains(pr.at, p.at))
                .map(std::ptr::from_ref)
                .collect();
            let fast: Vec<*const Problem> = ix
                .inside(pr.at)
                .into_iter()
                .map(std::ptr::from_ref)
                .collect();
            assert_eq!(fast, slow, "{}", pr.label);
            seen += slow.len();
        }
        assert!(seen >= 5, "{:?}", d.problems);
    }

    #[test]
    fn reading_by_moving_documents_reads_what_copying_reads() {
        for path in [
            "fixtures/audit/moto-account.json",
            "fixtures/gaad/account.json",
        ] {
            let text =
                std::fs::read_to_string(format!("{}/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap();
            let mut whole = crate::policy::json::parse(&text).unwrap();
            let copied = Dump::read(&text, &whole);
            let moved = Dump::read_taking(&text, &mut whole);
            assert!(!copied.docs.is_empty(), "{path}");
            assert_eq!(copied.docs.len(), moved.docs.len(), "{path}");
            for (c, m) in copied.docs.iter().zip(&moved.docs) {
                assert_eq!(c.label, m.label);
                assert_eq!(c.parsed.root, m.parsed.root, "{path}: {}", c.label);
                assert!(
                    matches!(m.parsed.root.value, Value::Object(_)),
                    "{}",
                    m.label
                );
            }
            assert_eq!(copied.problems.len(), moved.problems.len(), "{path}");
            assert_eq!(copied.principals.len(), moved.principals.len(), "{path}");
        }
    }

    #[test]
    fn decodes_url_encoding() {
        assert_eq!(
            super::url_decode("%7B%22a%22%3A%201%7D").unwrap(),
            "{\"a\": 1}"
        );
        assert_eq!(super::url_decode("role/a+b").unwrap(), "role/a+b");
        assert!(matches!(
            super::url_decode("100%"),
            Err(DecodeError::BadEscape { at: 4, .. })
        ));
        assert!(matches!(
            super::url_decode("%7B%zz"),
            Err(DecodeError::BadEscape { at: 4, .. })
        ));
        assert!(matches!(
            super::url_decode("%7B%FF%7D"),
            Err(DecodeError::NotUtf8 { at: 1 })
        ));
    }
}
