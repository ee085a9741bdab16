//! `trust-any-audience`: `sts:AssumeRoleWithWebIdentity` allowed for tokens of any audience.
//!
//! Logic: [`statement`].

use super::docs::Doc;
use super::trust::{assumes, clauses_on, federated, provider};
use super::{Cx, Stmt};
use crate::finding::{Code, Finding};

/// The documentation of `trust-any-audience`: `iamlint explain trust-any-audience` prints it.
pub(crate) const DOC: Doc = Doc {
    what: "A trust policy allows `sts:AssumeRoleWithWebIdentity` to a `Federated` identity provider with no condition on the token's audience: `<provider>:aud` (`<provider>:app_id` for `graph.facebook.com` and `www.amazon.com`).",
    why: "The provider signs tokens for every application that uses it; without an audience condition a token issued to any of them, someone else's included, can assume the role.",
    example: r#"{"Effect": "Allow", "Principal": {"Federated": "arn:aws:iam::123456789012:oidc-provider/oidc.example.com"}, "Action": "sts:AssumeRoleWithWebIdentity"}"#,
    fix: "Add `\"StringEquals\": {\"<provider>:aud\": \"<your client id>\"}`.",
    access_analyzer: "None.",
};

/// The audience key of a provider: `app_id` for Facebook and Login with Amazon, `aud` for
/// the others
/// (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-wif>).
fn audience_key(provider: &str) -> String {
    let name = if provider.eq_ignore_ascii_case("graph.facebook.com")
        || provider.eq_ignore_ascii_case("www.amazon.com")
    {
        "app_id"
    } else {
        "aud"
    };
    format!("{provider}:{name}")
}

/// A web identity provider trusted without an audience condition.
pub(crate) fn statement(cx: &mut Cx<'_>, s: &Stmt<'_>) {
    let Some(a) = assumes(s, &["AssumeRoleWithWebIdentity"]) else {
        return;
    };
    for fed in federated(s) {
        let p = provider(&fed.value);
        // A SAML provider (`:saml-provider/`) has no audience key of this kind.
        if p.is_empty() || fed.value.contains(":saml-provider/") {
            continue;
        }
        let key = audience_key(p);
        if clauses_on(s, &key).next().is_some() {
            continue;
        }
        cx.push(
            Finding::new(
                Code::TrustAnyAudience,
                cx.src,
                fed.span,
                format!(
                    "a token of `{p}` issued to any application may `{}` this role: no condition on `{key}`",
                    a.item.value
                ),
            )
            .statement(Some(s.reference()))
                .help(format!("add `\"StringEquals\": {{\"{key}\": \"<your client id>\"}}`")),
        );
    }
}
