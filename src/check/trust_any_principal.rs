//! `trust-any-principal`: a trust policy lets any principal (`*`) assume the role, with no
//! condition that narrows who.
//!
//! Logic: [`statement`].

use super::docs::Doc;
use super::trust::{assumes, narrows};
use super::{Cx, Stmt};
use crate::finding::{Code, Finding};

/// The documentation of `trust-any-principal`: `iamlint explain trust-any-principal` prints it.
pub(crate) const DOC: Doc = Doc {
    what: "A trust policy `Allow` of `sts:AssumeRole` (or another assume action) to `Principal: \"*\"` (or `{\"AWS\": \"*\"}`) with no condition on who the caller is: `aws:PrincipalOrgID`, `aws:PrincipalOrgPaths`, `aws:PrincipalAccount`, `aws:PrincipalArn`, `aws:SourceAccount`, `aws:SourceArn`, `aws:SourceOrgID` or `aws:SourceOrgPaths`.",
    why: "Any AWS principal of any account can assume the role and use its permissions.",
    example: r#"{"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"}"#,
    fix: "Name the accounts or roles that may assume it in `Principal`, or add a condition on `aws:PrincipalOrgID` or `aws:PrincipalArn`.",
    access_analyzer: "External access findings for IAM roles (ValidatePolicy: none).",
};

/// The global condition keys that say who the caller is, so a condition on one narrows
/// `Principal: *`
/// (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html>,
/// "Properties of the principal" and "Properties of the role session").
const WHO: [&str; 8] = [
    "aws:PrincipalOrgID",
    "aws:PrincipalOrgPaths",
    "aws:PrincipalAccount",
    "aws:PrincipalArn",
    "aws:SourceAccount",
    "aws:SourceArn",
    "aws:SourceOrgID",
    "aws:SourceOrgPaths",
];

/// `Principal: *` (or `AWS: *`) allowed to assume the role without a narrowing condition.
pub(crate) fn statement(cx: &mut Cx<'_>, s: &Stmt<'_>) {
    let Some(a) = assumes(s, &[]) else {
        return;
    };
    let Some(p) = &s.st.principal else {
        return;
    };
    let star = p.entries.iter().find_map(|(k, v)| {
        (k.value == "AWS")
            .then(|| v.iter().find(|x| x.value == "*"))
            .flatten()
    });
    let span = match (p.any, star) {
        (true, _) => p.key,
        (false, Some(v)) => v.span,
        (false, None) => return,
    };
    let narrowed = s
        .st
        .condition
        .iter()
        .any(|c| narrows(c) && WHO.iter().any(|k| c.key.value.eq_ignore_ascii_case(k)));
    if narrowed {
        return;
    }
    cx.push(
        Finding::new(
            Code::TrustAnyPrincipal,
            cx.src,
            span,
            format!(
                "any principal of any account may `{}` this role: `Principal` is `*` and no condition narrows who",
                a.item.value
            ),
        )
        .statement(Some(s.reference()))
        .help("name the accounts or roles in `Principal`, or add `\"Condition\": {\"StringEquals\": {\"aws:PrincipalOrgID\": \"o-...\"}}`"),
    );
}
