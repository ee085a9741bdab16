//! Trust: for every role of an account dump, who can assume it according to its trust
//! policy (principals of its own account, other accounts, services, anyone, federated
//! identities), with the dangerous shapes as findings (`trust-any-principal`,
//! `trust-github-any-repo`, `trust-cognito-no-amr`, `trust-any-audience`: the lint checks
//! of [`mod@crate::check`], run on each trust policy). A trust policy the dump does not hold
//! readably is an error of its role, never a role that trusts no one.
//!
//! This reads the trust policy alone: whether a principal of the account may also call
//! `sts:AssumeRole` on the role is its identity policies' question (issue 12, part 3).

use serde::Serialize;

use super::AuditError;
use crate::finding::{Code, Finding};
use crate::policy::Statement;
use crate::source::gaad::{self, Dump, Owner};
use crate::span::LineIndex;

/// Who a trust statement names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Trustee {
    /// A principal of the role's own account (its root, a user, a role).
    ThisAccount,
    /// A principal of another account, named.
    OtherAccount,
    /// An AWS service (`ec2.amazonaws.com`).
    Service,
    /// Any principal: `"*"` or `{"AWS": "*"}`.
    Any,
    /// A federated identity: an OIDC or SAML provider, or a web identity provider.
    Federated,
    /// A canonical user (S3's old form).
    CanonicalUser,
}

/// One principal a role trusts, and on what terms.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct Trusted {
    /// What kind of principal.
    pub kind: Trustee,
    /// The principal as written (`arn:aws:iam::111122223333:root`, `*`, a provider ARN).
    pub principal: String,
    /// For an account principal, its account.
    pub account: Option<String>,
    /// The statement's Sid or `#N`.
    pub statement: String,
    /// 1-based line of the statement in the dump (of the encoded document, if it was one).
    pub line: u32,
    /// Column.
    pub column: u32,
    /// The actions it is allowed, as written.
    pub actions: Vec<String>,
    /// Its conditions, as the policy writes them (empty: none).
    pub conditions: Vec<String>,
}

/// A role and who can assume it.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct RoleTrust {
    /// `role/NAME`.
    pub role: String,
    /// Its ARN.
    pub arn: String,
    /// Every principal an `Allow` of its trust policy names (`NotPrincipal` is in the
    /// findings of lint, not here).
    pub trusted: Vec<Trusted>,
    /// Every principal a `Deny` of its trust policy names (a `NotPrincipal` one as `*`, on
    /// the condition that the caller is none of those it names): an
    /// unconditional one stops the `Allow`s of the same principal, or of all when it names `*`;
    /// any other becomes a condition of the step it concerns (`graph::trust_denials`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub denied: Vec<Trusted>,
    /// The dangerous shapes, located in the dump.
    #[serde(skip)]
    pub findings: Vec<Finding>,
    /// Why its trust policy could not be read (`file:line:col: message`).
    pub error: Option<String>,
}

/// The trust codes: the lint findings of a trust policy that this report keeps.
const CODES: [Code; 4] = [
    Code::TrustAnyPrincipal,
    Code::TrustGithubAnyRepo,
    Code::TrustCognitoNoAmr,
    Code::TrustAnyAudience,
];

fn account_of(arn: &str) -> &str {
    arn.split(':').nth(4).unwrap_or("")
}

/// Every role of the dump text `text` (named `origin` in positions) and who can assume it.
pub fn roles(origin: &str, text: &str) -> Result<Vec<RoleTrust>, AuditError> {
    let mut parsed = super::parse_dump(origin, text)?;
    let dump = Dump::read_taking(text, &mut parsed);
    Ok(roles_in(origin, text, &dump, &LineIndex::new(text), None))
}

/// [`roles`] of a dump already read (its `lines` indexed): the account reads it once for
/// the principals and the trust relationships.
/// `models`: the documents of `dump` already parsed, indexed alike (else each trust policy is
/// parsed here).
pub(crate) fn roles_in(
    origin: &str,
    text: &str,
    dump: &Dump,
    lines: &LineIndex,
    models: Option<&[std::sync::Arc<crate::eval::Doc>]>,
) -> Vec<RoleTrust> {
    // Each document by where it starts in the dump (a dump holds tens of thousands).
    let doc_at: std::collections::HashMap<u32, usize> = dump
        .docs
        .iter()
        .enumerate()
        .map(|(i, d)| (d.at.start, i))
        .collect();
    let mut out = Vec::new();
    for pr in dump
        .principals
        .iter()
        .filter(|p| p.label.starts_with("role/"))
    {
        let mut rt = RoleTrust {
            role: pr.label.clone(),
            arn: pr.arn.clone(),
            trusted: Vec::new(),
            denied: Vec::new(),
            findings: Vec::new(),
            error: None,
        };
        let measured = pr.trust.and_then(|m| dump.measured.get(m));
        let Some(m) = measured.filter(|m| m.owner == Owner::Trust(pr.label.clone())) else {
            rt.error = Some(
                gaad::errors_with(
                    origin,
                    text,
                    lines,
                    std::iter::once(&gaad::Problem {
                        at: pr.at,
                        message: format!(
                            "{}: the entry has no `AssumeRolePolicyDocument`",
                            pr.label
                        ),
                        first: None,
                        scope: gaad::Scope::Other,
                    }),
                )
                .join("; "),
            );
            out.push(rt);
            continue;
        };
        let Some((i, doc)) = doc_at
            .get(&m.at.start)
            .and_then(|&i| Some((i, dump.docs.get(i)?)))
        else {
            // Unread: the dump's reader says why, at the document.
            let why: Vec<&gaad::Problem> = dump.problems.iter().filter(|p| p.at == m.at).collect();
            rt.error = Some(gaad::errors_with(origin, text, lines, why.into_iter()).join("; "));
            out.push(rt);
            continue;
        };
        let parsed_here;
        let policy = match models.and_then(|m| m.get(i)) {
            Some(d) => &d.policy,
            None => {
                parsed_here =
                    crate::policy::parse::parse_policy(doc.parsed.clone(), 0, &mut Vec::new());
                &parsed_here
            }
        };
        // A statement's place in the dump: inside the document, or the encoded string.
        let at = |offset: u32| match doc.decoded {
            Some(_) => lines.line_col(text, doc.at.start),
            None => lines.line_col(text, offset),
        };
        let own = account_of(&pr.arn);
        for st in &policy.statements {
            let list = if st.is_allow() {
                &mut rt.trusted
            } else {
                &mut rt.denied
            };
            trusted(st, own, &at, list);
        }
        let mut found = Vec::new();
        crate::check::lint_policy(policy, 0, &mut found);
        for mut f in found.into_iter().filter(|f| CODES.contains(&f.code)) {
            let (line, column) = at(f.location.span.start);
            f.location.file = origin.into();
            f.location.line = line;
            f.location.column = column;
            // The span in the dump: the statement's, or the encoded document's.
            if doc.decoded.is_some() {
                f.location.span = doc.at;
            }
            f.related.clear();
            f.message = format!("{} (in {} trust policy)", f.message, pr.label);
            f.principal = Some(pr.label.clone());
            rt.findings.push(f);
        }
        out.push(rt);
    }
    out
}

/// The principals a statement of a trust policy names (an `Allow`'s or a `Deny`'s).
fn trusted(st: &Statement, own: &str, at: &dyn Fn(u32) -> (u32, u32), out: &mut Vec<Trusted>) {
    let Some(p) = &st.principal else {
        return;
    };
    let (line, column) = at(st.span.start);
    let actions: Vec<String> = st
        .action
        .iter()
        .filter(|a| !a.not)
        .flat_map(|a| a.items.iter().map(|i| i.value.clone()))
        .collect();
    let mut conditions: Vec<String> = st
        .condition
        .iter()
        .map(crate::eval::condition::describe)
        .collect();
    if p.not {
        // An `Allow` with `NotPrincipal` is lint's finding. A `Deny` with it denies every
        // caller but those named: `*`, on the condition that the caller is none of them.
        if st.is_allow() {
            return;
        }
        let names: Vec<&str> = p
            .entries
            .iter()
            .flat_map(|(_, vs)| vs.iter().map(|v| v.value.as_str()))
            .collect();
        conditions.push(format!("the caller is none of {}", names.join(", ")));
    }
    let mut push = |kind, principal: &str, account: Option<String>| {
        out.push(Trusted {
            kind,
            principal: principal.to_string(),
            account,
            statement: st.reference(),
            line,
            column,
            actions: actions.clone(),
            conditions: conditions.clone(),
        });
    };
    if p.not {
        push(Trustee::Any, "*", None);
        return;
    }
    if p.any {
        push(Trustee::Any, "*", None);
    }
    for (k, vs) in &p.entries {
        for v in vs {
            let v = v.value.as_str();
            match k.value.as_str() {
                "AWS" if v == "*" => push(Trustee::Any, v, None),
                "AWS" => {
                    // A bare account id, or an ARN in an account.
                    let acct = if v.len() == 12 && v.bytes().all(|b| b.is_ascii_digit()) {
                        v
                    } else {
                        account_of(v)
                    };
                    let kind = if acct == own {
                        Trustee::ThisAccount
                    } else {
                        Trustee::OtherAccount
                    };
                    push(kind, v, Some(acct.to_string()));
                }
                "Service" => push(Trustee::Service, v, None),
                "Federated" => push(Trustee::Federated, v, None),
                _ => push(Trustee::CanonicalUser, v, None),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_and_whom_it_trusts() {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/audit/trust.json"
        ))
        .unwrap();
        let roles = roles("trust.json", &text).unwrap();
        let get = |name: &str| roles.iter().find(|r| r.role == name).unwrap();
        let codes = |name: &str| -> Vec<&str> {
            get(name).findings.iter().map(|f| f.code.as_str()).collect()
        };
        // Near misses: the same shapes, narrowed, give no finding.
        let ci = get("role/ci");
        assert_eq!(ci.trusted.len(), 1);
        assert_eq!(ci.trusted[0].kind, Trustee::Federated);
        assert!(codes("role/ci").is_empty(), "{:?}", ci.findings);
        assert_eq!(codes("role/ci-any-repo"), ["trust-github-any-repo"]);
        let f = &get("role/ci-any-repo").findings[0];
        assert_eq!(&*f.location.file, "trust.json");
        assert!(
            f.message.ends_with("(in role/ci-any-repo trust policy)"),
            "{}",
            f.message
        );
        // The finding is at the `sub` value, in the dump.
        let line = text.lines().nth(f.location.line as usize - 1).unwrap();
        assert!(line.contains("repo:*"), "{line}");
        assert_eq!(codes("role/open"), ["trust-any-principal"]);
        assert_eq!(get("role/open").trusted[0].kind, Trustee::Any);
        assert!(codes("role/org-only").is_empty());
        assert_eq!(codes("role/app-users"), ["trust-cognito-no-amr"]);
        assert_eq!(codes("role/web"), ["trust-any-audience"]);
        let partner = get("role/partner");
        let kinds: Vec<(Trustee, Option<&str>)> = partner
            .trusted
            .iter()
            .map(|t| (t.kind, t.account.as_deref()))
            .collect();
        assert_eq!(
            kinds,
            [
                (Trustee::ThisAccount, Some("123456789012")),
                (Trustee::OtherAccount, Some("210987654321")),
                (Trustee::Service, None)
            ]
        );
        assert_eq!(partner.trusted[1].conditions.len(), 1);
        // A trust policy that does not decode is an error of its role, not "trusts no one".
        let broken = get("role/broken");
        assert!(broken.trusted.is_empty());
        let e = broken.error.as_deref().unwrap();
        assert!(
            e.starts_with("trust.json:") && e.contains("does not URL-decode"),
            "{e}"
        );
    }
}
