//! Account dumps: the output of `aws iam get-account-authorization-details` (GAAD). Every
//! policy document in it (users', groups' and roles' inline policies, trust policies, the
//! default version of each customer managed policy) becomes a [`PolicyDoc`] whose spans
//! point into the dump itself, so findings name the dump's line and column. Documents that
//! the API returned URL-encoded are decoded and parsed on their own.

use crate::policy::json::{Member, Node, Parsed, Value};

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
    pub at: crate::span::Span,
}

/// A principal of the dump and what applies to it.
#[derive(Debug, Clone, Default)]
pub struct Principal {
    /// Its ARN.
    pub arn: String,
    /// Inline policies, attached managed policies (by ARN), and for a user its groups'.
    pub inline: Vec<usize>,
    /// ARNs of attached managed policies (own and, for users, the groups').
    pub attached: Vec<String>,
    /// The permissions boundary's ARN.
    pub boundary: Option<String>,
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
}

/// Is this JSON a GAAD dump?
pub fn is_dump(root: &Node) -> bool {
    let Value::Object(m) = &root.value else {
        return false;
    };
    m.iter().any(|x| {
        matches!(
            x.key.value.as_str(),
            "UserDetailList" | "RoleDetailList" | "GroupDetailList" | "Policies"
        )
    }) && !m.iter().any(|x| x.key.value == "Statement")
}

fn get<'a>(n: &'a Node, key: &str) -> Option<&'a Node> {
    let Value::Object(m) = &n.value else {
        return None;
    };
    m.iter()
        .rev()
        .find(|x: &&Member| x.key.value == key)
        .map(|x| &x.value)
}

fn str_of<'a>(n: &'a Node, key: &str) -> &'a str {
    match get(n, key).map(|v| &v.value) {
        Some(Value::String(s)) => s,
        _ => "",
    }
}

fn items<'a>(n: &'a Node, key: &str) -> &'a [Node] {
    match get(n, key).map(|v| &v.value) {
        Some(Value::Array(a)) => a,
        _ => &[],
    }
}

/// Decode `%XX` escapes (RFC 3986, as the AWS CLI does: a `+` stays a plus sign, which IAM
/// names and ARNs may contain).
pub fn url_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        if c == b'%' {
            let hex = b
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok());
            if let Some(v) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(c);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

impl Dump {
    fn add(&mut self, label: String, node: &Node, whole: &Parsed) -> Option<usize> {
        let doc = match &node.value {
            Value::Object(_) => PolicyDoc {
                label,
                parsed: Parsed {
                    root: node.clone(),
                    duplicates: whole
                        .duplicates
                        .iter()
                        .filter(|d| {
                            d.second.start >= node.span.start && d.second.end <= node.span.end
                        })
                        .cloned()
                        .collect(),
                },
                decoded: None,
                at: node.span,
            },
            Value::String(s) => {
                // The raw API returns documents URL-encoded (RFC 3986); the CLI decodes them.
                let text = if s.trim_start().starts_with('{') {
                    s.clone()
                } else {
                    url_decode(s)
                };
                let parsed = crate::policy::json::parse(&text).ok()?;
                PolicyDoc {
                    label,
                    parsed,
                    decoded: Some(text),
                    at: node.span,
                }
            }
            _ => return None,
        };
        self.docs.push(doc);
        Some(self.docs.len() - 1)
    }

    /// A user, group or role entry: its inline policies (read into `docs`), attached
    /// policy ARNs and permissions boundary.
    fn principal(
        &mut self,
        n: &Node,
        kind: &str,
        name: &str,
        list: &str,
        whole: &Parsed,
    ) -> Principal {
        let mut pr = Principal {
            arn: str_of(n, "Arn").to_string(),
            ..Principal::default()
        };
        for ip in items(n, list) {
            let label = format!("{kind}/{name} inline \"{}\"", str_of(ip, "PolicyName"));
            if let Some(i) = get(ip, "PolicyDocument").and_then(|doc| self.add(label, doc, whole)) {
                pr.inline.push(i);
            }
        }
        pr.attached = items(n, "AttachedManagedPolicies")
            .iter()
            .map(|a| str_of(a, "PolicyArn").to_string())
            .collect();
        pr.boundary =
            get(n, "PermissionsBoundary").map(|b| str_of(b, "PermissionsBoundaryArn").to_string());
        pr
    }

    /// Read a dump already parsed as JSON.
    pub fn read(whole: &Parsed) -> Dump {
        let mut d = Dump::default();
        let root = &whole.root;
        for p in items(root, "Policies") {
            let arn = str_of(p, "Arn").to_string();
            let default = str_of(p, "DefaultVersionId");
            let version = items(p, "PolicyVersionList").iter().find(|v| {
                matches!(
                    get(v, "IsDefaultVersion").map(|x| &x.value),
                    Some(Value::Bool(true))
                ) || str_of(v, "VersionId") == default
            });
            if let Some(doc) = version.and_then(|v| get(v, "Document")) {
                if let Some(i) = d.add(arn.clone(), doc, whole) {
                    d.managed.push((arn, i));
                }
            }
        }
        let mut group_principals: Vec<(String, Principal)> = Vec::new();
        for g in items(root, "GroupDetailList") {
            let name = str_of(g, "GroupName").to_string();
            let pr = d.principal(g, "group", &name, "GroupPolicyList", whole);
            group_principals.push((name, pr));
        }
        for u in items(root, "UserDetailList") {
            let mut pr = d.principal(u, "user", str_of(u, "UserName"), "UserPolicyList", whole);
            for g in items(u, "GroupList") {
                if let Value::String(gname) = &g.value {
                    if let Some((_, gp)) = group_principals.iter().find(|(n, _)| n == gname) {
                        pr.inline.extend(gp.inline.iter().copied());
                        pr.attached.extend(gp.attached.iter().cloned());
                    }
                }
            }
            d.principals.push(pr);
        }
        for r in items(root, "RoleDetailList") {
            let name = str_of(r, "RoleName");
            if let Some(n) = get(r, "AssumeRolePolicyDocument") {
                d.add(format!("role/{name} trust policy"), n, whole);
            }
            let pr = d.principal(r, "role", name, "RolePolicyList", whole);
            d.principals.push(pr);
        }
        d.principals
            .extend(group_principals.into_iter().map(|(_, p)| p));
        d
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn decodes_url_encoding() {
        assert_eq!(super::url_decode("%7B%22a%22%3A%201%7D"), "{\"a\": 1}");
        assert_eq!(super::url_decode("role/a+b"), "role/a+b");
        assert_eq!(super::url_decode("100%"), "100%");
    }
}
