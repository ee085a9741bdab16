//! From a JSON tree to a [`Policy`], with every structural finding.
//!
//! The parser never stops at the first problem: each element is checked on its own, and a
//! misspelt element (`Resources`) is reported and then read as the element it most likely
//! means, so the defects behind it (an `s3://` "ARN") are found too.

use super::json::{Member, Node, Parsed, Value};
use super::model::*;
use crate::finding::{Code, Finding};
use crate::span::{Span, Spanned};
use crate::suggest::closest;

const TOP_FIELDS: &[&str] = &["Version", "Id", "Statement"];
const STMT_FIELDS: &[&str] = &[
    "Sid",
    "Effect",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Principal",
    "NotPrincipal",
    "Condition",
];
const PRINCIPAL_TYPES: &[&str] = &["AWS", "Service", "Federated", "CanonicalUser"];
/// Versions IAM accepts (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html>).
const VERSIONS: &[&str] = &["2012-10-17", "2008-10-17"];

/// Parse a policy from a JSON tree, pushing structural findings (source `src`) to `out`.
/// The tree is consumed: its strings move into the policy rather than being copied (a
/// lint of the AWS managed policies reads 80,000 of them).
pub fn parse_policy(doc: Parsed, src: usize, out: &mut Vec<Finding>) -> Policy {
    let mut p = Parser { src, out };
    for d in &doc.duplicates {
        p.out.push(
            Finding::new(
                Code::DuplicateKey,
                src,
                d.second,
                format!("duplicate key `{}`; IAM keeps only this one", d.key),
            )
            .related("first occurrence here", d.first),
        );
    }
    p.policy(doc.root)
}

struct Parser<'o> {
    src: usize,
    out: &'o mut Vec<Finding>,
}

impl Parser<'_> {
    fn push(&mut self, f: Finding) {
        self.out.push(f);
    }

    fn finding(&self, code: Code, span: Span, msg: String) -> Finding {
        Finding::new(code, self.src, span, msg)
    }

    /// The members of `node` when it is an object; else an `invalid-value` finding at it,
    /// its message made by `what` from the type found.
    fn members(&mut self, node: Node, what: impl FnOnce(&str) -> String) -> Option<Vec<Member>> {
        match node.value {
            Value::Object(members) => Some(members),
            other => {
                let f = self.finding(Code::InvalidValue, node.span, what(other.type_name()));
                self.push(f);
                None
            }
        }
    }

    fn policy(&mut self, root: Node) -> Policy {
        let mut policy = Policy {
            version: None,
            id: None,
            statements: Vec::new(),
            kind: PolicyKind::Identity,
        };
        let root_span = root.span;
        let Some(members) = self.members(root, |t| {
            format!("a policy document must be a JSON object, found {t}")
        }) else {
            return policy;
        };
        let mut statement_node = None;
        for m in members {
            match m.key.value.as_str() {
                "Version" => {
                    policy.version = self.string(m, Code::InvalidValue);
                    if let Some(v) = &policy.version {
                        if !VERSIONS.contains(&v.value.as_str()) {
                            let f = self
                                .finding(
                                    Code::InvalidValue,
                                    v.span,
                                    format!("`{}` is not a policy language version", v.value),
                                )
                                .suggest("2012-10-17");
                            self.push(f);
                        }
                    }
                }
                "Id" => policy.id = self.string(m, Code::InvalidValue),
                "Statement" => statement_node = Some(m.value),
                _ => self.unknown_field(&m.key, TOP_FIELDS, None),
            }
        }
        if policy.version.is_none() {
            let f = self
                .finding(
                    Code::MissingField,
                    Span::new(root_span.start as usize, root_span.start as usize + 1),
                    "no `Version`: IAM reads the policy as version 2008-10-17, where policy variables are plain text".into(),
                )
                .severity(crate::finding::Severity::Warning)
                .help("add `\"Version\": \"2012-10-17\"`");
            self.push(f);
        }
        match statement_node {
            None => {
                let f = self.finding(
                    Code::MissingField,
                    Span::new(root_span.start as usize, root_span.start as usize + 1),
                    "the policy has no `Statement`".into(),
                );
                self.push(f);
            }
            Some(node) => match node.value {
                Value::Object(_) => policy.statements.push(self.statement(node, 0)),
                Value::Array(items) => {
                    policy.statements.reserve_exact(items.len());
                    if items.is_empty() {
                        let f = self.finding(
                            Code::InvalidValue,
                            node.span,
                            "`Statement` is an empty list".into(),
                        );
                        self.push(f);
                    }
                    for (i, item) in items.into_iter().enumerate() {
                        if let Value::Object(_) = item.value {
                            policy.statements.push(self.statement(item, i));
                        } else {
                            let f = self.finding(
                                Code::InvalidValue,
                                item.span,
                                format!(
                                    "a statement must be an object, found {}",
                                    item.value.type_name()
                                ),
                            );
                            self.push(f);
                        }
                    }
                }
                ref other => {
                    let f = self.finding(
                        Code::InvalidValue,
                        node.span,
                        format!(
                            "`Statement` must be an object or a list of objects, found {}",
                            other.type_name()
                        ),
                    );
                    self.push(f);
                }
            },
        }
        if policy.statements.iter().any(|s| s.principal.is_some()) {
            policy.kind = PolicyKind::Resource;
        }
        self.after_statements(&policy);
        policy
    }

    /// Checks that need all statements: duplicate Sids, missing `Resource`/`Principal` by kind.
    fn after_statements(&mut self, policy: &Policy) {
        // By text: a policy may hold tens of thousands of Sids (issue 10: linear cost).
        let mut seen: foldhash::HashMap<&str, &Spanned<String>> = foldhash::HashMap::default();
        for st in &policy.statements {
            if let Some(sid) = &st.sid {
                if let Some(first) = seen.get(sid.value.as_str()) {
                    let f = self
                        .finding(
                            Code::DuplicateSid,
                            sid.span,
                            format!("the Sid `{}` is already used", sid.value),
                        )
                        .statement(Some(st.reference()))
                        .related("first used here", first.span);
                    self.push(f);
                } else {
                    seen.insert(&sid.value, sid);
                }
            }
            let head = Span::new(st.span.start as usize, st.span.start as usize + 1);
            match policy.kind {
                PolicyKind::Identity if st.resource.is_none() => {
                    let f = self
                        .finding(
                            Code::MissingField,
                            head,
                            "the statement has no `Resource` or `NotResource`".into(),
                        )
                        .statement(Some(st.reference()))
                        .help("an identity policy statement must name its resources; use `\"Resource\": \"*\"` for actions that take none");
                    self.push(f);
                }
                PolicyKind::Resource if st.principal.is_none() => {
                    let f = self
                        .finding(
                            Code::MissingField,
                            head,
                            "the statement has no `Principal` or `NotPrincipal`, while others in this resource policy do".into(),
                        )
                        .statement(Some(st.reference()));
                    self.push(f);
                }
                _ => {}
            }
        }
    }

    fn unknown_field(
        &mut self,
        key: &Spanned<String>,
        known: &[&'static str],
        recovered: Option<&str>,
    ) {
        let mut f = self.finding(
            Code::UnknownField,
            key.span,
            format!("unknown element `{}`", key.value),
        );
        if let Some(s) = closest(&key.value, known.iter().copied()) {
            f = f.suggest(s);
            if let Some(r) = recovered {
                f = f.help(format!(
                    "did you mean `{s}`? IAM rejects `{}`; its values were read as `{r}` for the other checks",
                    key.value
                ));
            }
        }
        self.push(f);
    }

    fn string(&mut self, m: Member, code: Code) -> Option<Spanned<String>> {
        match m.value.value {
            Value::String(s) => Some(Spanned::new(s, m.value.span)),
            other => {
                let f = self.finding(
                    code,
                    m.value.span,
                    format!(
                        "`{}` must be a string, found {}",
                        m.key.value,
                        other.type_name()
                    ),
                );
                self.push(f);
                None
            }
        }
    }

    fn statement(&mut self, node: Node, index: usize) -> Statement {
        let mut st = Statement {
            index,
            span: node.span,
            sid: None,
            effect: None,
            action: None,
            resource: None,
            principal: None,
            condition: Vec::new(),
            condition_key: None,
        };
        let Value::Object(members) = node.value else {
            return st;
        };
        let mut unknown: Vec<Member> = Vec::new();
        let mut effect_key = false;
        for m in members {
            let key = m.key.value.as_str();
            match key {
                "Sid" => st.sid = self.string(m, Code::InvalidValue),
                "Effect" => {
                    effect_key = true;
                    st.effect = self.effect(m);
                }
                "Action" | "NotAction" | "Resource" | "NotResource" => {
                    let is_action = key.ends_with("Action");
                    let slot = if is_action {
                        &mut st.action
                    } else {
                        &mut st.resource
                    };
                    let key_span = m.key.span;
                    let els = self.elements(m, None, index);
                    if let Some(prev) = slot.as_ref().filter(|p| p.not != els.not) {
                        let (a, b) = if is_action {
                            ("Action", "NotAction")
                        } else {
                            ("Resource", "NotResource")
                        };
                        let f = self
                            .finding(
                                Code::InvalidValue,
                                key_span,
                                format!("a statement cannot have both `{a}` and `{b}`"),
                            )
                            .related("the other one is here", prev.key);
                        self.push(f);
                    }
                    *slot = Some(els);
                }
                "Principal" | "NotPrincipal" => st.principal = Some(self.principal(m)),
                "Condition" => {
                    st.condition_key = Some(m.key.span);
                    st.condition = self.condition(m.value);
                }
                _ => unknown.push(m),
            }
        }
        // Unknown keys last, so a misspelt element is recovered only when the real one is absent.
        for m in unknown {
            let guess = closest(&m.key.value, STMT_FIELDS.iter().copied());
            let slot = match guess {
                Some("Action" | "NotAction") if st.action.is_none() => Some(&mut st.action),
                Some("Resource" | "NotResource") if st.resource.is_none() => Some(&mut st.resource),
                _ => None,
            };
            match (slot, guess) {
                (Some(slot), Some(g)) => {
                    self.unknown_field(&m.key, STMT_FIELDS, Some(g));
                    let mut els = self.elements(m, Some(g), index);
                    els.not = g.starts_with("Not");
                    *slot = Some(els);
                }
                _ => self.unknown_field(&m.key, STMT_FIELDS, None),
            }
        }
        let head = Span::new(node.span.start as usize, node.span.start as usize + 1);
        if st.effect.is_none() && !effect_key {
            let f = self
                .finding(
                    Code::MissingField,
                    head,
                    "the statement has no `Effect`".into(),
                )
                .statement(Some(st.reference()));
            self.push(f);
        }
        if st.action.is_none() {
            let f = self
                .finding(
                    Code::MissingField,
                    head,
                    "the statement has no `Action` or `NotAction`".into(),
                )
                .statement(Some(st.reference()));
            self.push(f);
        }
        st
    }

    fn effect(&mut self, m: Member) -> Option<Spanned<Effect>> {
        let Value::String(s) = &m.value.value else {
            return self.string(m, Code::InvalidValue).and(None);
        };
        let span = m.value.span;
        match s.as_str() {
            "Allow" => Some(Spanned::new(Effect::Allow, span)),
            "Deny" => Some(Spanned::new(Effect::Deny, span)),
            other => {
                let mut f = self.finding(
                    Code::InvalidValue,
                    span,
                    format!("`Effect` must be `Allow` or `Deny`, not `{other}`"),
                );
                if let Some(g) = closest(other, ["Allow", "Deny"]) {
                    f = f.suggest(g);
                }
                self.push(f);
                None
            }
        }
    }

    fn elements(&mut self, m: Member, recovered: Option<&str>, _index: usize) -> Elements {
        let Member { key, value } = m;
        let not = recovered.unwrap_or(&key.value).starts_with("Not");
        let mut items = Vec::with_capacity(match &value.value {
            Value::Array(list) => list.len(),
            _ => 1,
        });
        let mut push_str = |p: &mut Self, n: Node| match n.value {
            Value::String(s) => items.push(Spanned::new(s, n.span)),
            other => {
                let f = p.finding(
                    Code::InvalidValue,
                    n.span,
                    format!(
                        "`{}` values must be strings, found {}",
                        key.value,
                        other.type_name()
                    ),
                );
                p.push(f);
            }
        };
        match value.value {
            Value::Array(list) => {
                if list.is_empty() {
                    let f = self.finding(
                        Code::InvalidValue,
                        value.span,
                        format!("`{}` is an empty list", key.value),
                    );
                    self.push(f);
                }
                for n in list {
                    push_str(self, n);
                }
            }
            _ => push_str(self, value),
        }
        Elements {
            not,
            key: key.span,
            items,
            recovered_from: recovered.map(|_| key.value),
        }
    }

    fn principal(&mut self, m: Member) -> Principal {
        let mut p = Principal {
            not: m.key.value == "NotPrincipal",
            key: m.key.span,
            any: false,
            entries: Vec::new(),
        };
        match m.value.value {
            Value::String(s) if s == "*" => p.any = true,
            Value::Object(types) => {
                for t in types {
                    if !PRINCIPAL_TYPES.contains(&t.key.value.as_str()) {
                        self.unknown_field(&t.key, PRINCIPAL_TYPES, None);
                        continue;
                    }
                    let vals = self.string_list(t.value, &t.key.value);
                    p.entries.push((t.key, vals));
                }
            }
            other => {
                let f = self.finding(
                    Code::InvalidValue,
                    m.value.span,
                    format!(
                        "`{}` must be `\"*\"` or an object such as `{{\"AWS\": ...}}`, found {}",
                        m.key.value,
                        match other {
                            Value::String(s) => format!("`{s}`"),
                            o => o.type_name().to_string(),
                        }
                    ),
                );
                self.push(f);
            }
        }
        p
    }

    /// A string, or a list of strings; numbers and booleans are kept as their text (IAM
    /// accepts them in condition values: "quotation marks are optional for numeric and
    /// Boolean values", <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html>).
    fn string_list(&mut self, n: Node, key: &str) -> Vec<Spanned<String>> {
        let mut out = Vec::with_capacity(match &n.value {
            Value::Array(items) => items.len(),
            _ => 1,
        });
        let mut one = |p: &mut Self, n: Node| match n.value {
            Value::String(s) => out.push(Spanned::new(s, n.span)),
            Value::Number(s) => {
                if leading_zero(&s) {
                    let f = p
                        .finding(
                            Code::JsonSyntax,
                            n.span,
                            format!(
                                "`{s}` is not a JSON number: a number cannot start with `0`; IAM rejects the document"
                            ),
                        )
                        .help(format!("write it as a string, `\"{s}\"` (an account id keeps its leading zero only as a string)"));
                    p.push(f);
                }
                out.push(Spanned::new(s, n.span));
            }
            Value::Bool(b) => out.push(Spanned::new(b.to_string(), n.span)),
            other => {
                let f = p.finding(
                    Code::InvalidValue,
                    n.span,
                    format!(
                        "values of `{key}` must be strings, found {}",
                        other.type_name()
                    ),
                );
                p.push(f);
            }
        };
        match n.value {
            Value::Array(items) => {
                for i in items {
                    one(self, i);
                }
            }
            _ => one(self, n),
        }
        out
    }

    fn condition(&mut self, node: Node) -> Vec<ConditionClause> {
        let mut out = Vec::new();
        let Some(ops) = self.members(node, |t| {
            format!("`Condition` must be an object, found {t}")
        }) else {
            return out;
        };
        for op in ops {
            let name = &op.key.value;
            let Some(keys) = self.members(op.value, |t| {
                format!("the condition operator `{name}` must map to an object of keys, found {t}")
            }) else {
                continue;
            };
            for k in keys {
                let values = self.string_list(k.value, &k.key.value);
                out.push(ConditionClause {
                    operator: op.key.clone(),
                    key: k.key,
                    values,
                });
            }
        }
        out
    }
}

/// `01`, `-007`: the JSON reader takes them, but RFC 8259 (and so IAM, which reads policies
/// as RFC 7159 JSON: <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html>)
/// does not allow a leading zero before other digits.
fn leading_zero(number: &str) -> bool {
    let b = number.strip_prefix('-').unwrap_or(number).as_bytes();
    matches!(b, [b'0', d, ..] if d.is_ascii_digit())
}
