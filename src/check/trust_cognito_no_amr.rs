//! `trust-cognito-no-amr`: a role trusts Cognito identity pools without an `amr` condition.
//!
//! Logic: [`statement`].

use super::docs::Doc;
use super::trust::{assumes, clauses_on, federated, provider};
use super::{Cx, Stmt};
use crate::finding::{Code, Finding};

/// The documentation of `trust-cognito-no-amr`: `iamlint explain trust-cognito-no-amr` prints it.
pub(crate) const DOC: Doc = Doc {
    what: "A trust policy lets `cognito-identity.amazonaws.com` assume the role with no condition on `cognito-identity.amazonaws.com:amr` (`authenticated` or `unauthenticated`).",
    why: "Without `amr`, the role is open to unauthenticated (guest) identities of the pool as well as signed-in ones; AWS's role trust examples for identity pools test both `aud` and `amr`.",
    example: r#"{"Effect": "Allow", "Principal": {"Federated": "cognito-identity.amazonaws.com"}, "Action": "sts:AssumeRoleWithWebIdentity", "Condition": {"StringEquals": {"cognito-identity.amazonaws.com:aud": "us-east-1:1234abcd-..."}}}"#,
    fix: "Add `\"ForAnyValue:StringLike\": {\"cognito-identity.amazonaws.com:amr\": \"authenticated\"}`.",
    access_analyzer: "None.",
};

/// Cognito identity pools' provider
/// (<https://docs.aws.amazon.com/cognito/latest/developerguide/role-trust-and-permissions.html>).
const COGNITO: &str = "cognito-identity.amazonaws.com";

/// Cognito identity pools trusted without `amr`.
pub(crate) fn statement(cx: &mut Cx<'_>, s: &Stmt<'_>) {
    let Some(a) = assumes(s, &["AssumeRoleWithWebIdentity"]) else {
        return;
    };
    let Some(fed) = federated(s).find(|f| provider(&f.value).eq_ignore_ascii_case(COGNITO)) else {
        return;
    };
    let key = format!("{COGNITO}:amr");
    if clauses_on(s, &key).next().is_some() {
        return;
    }
    cx.push(
        Finding::new(
            Code::TrustCognitoNoAmr,
            cx.src,
            fed.span,
            format!(
                "Cognito identities may `{}` this role whether signed in or not: no condition on `{key}`",
                a.item.value
            ),
        )
        .statement(Some(s.reference()))
        .help(format!(
            "add `\"ForAnyValue:StringLike\": {{\"{key}\": \"authenticated\"}}`"
        )),
    );
}
