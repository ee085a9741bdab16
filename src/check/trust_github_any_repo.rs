//! `trust-github-any-repo`: a role trusts GitHub Actions' OIDC provider for any repository.
//!
//! Logic: [`statement`].

use super::docs::Doc;
use super::trust::{assumes, clauses_on, federated, provider};
use super::{Cx, Stmt};
use crate::finding::{Code, Finding};

/// The documentation of `trust-github-any-repo`: `iamlint explain trust-github-any-repo` prints it.
pub(crate) const DOC: Doc = Doc {
    what: "A trust policy lets `token.actions.githubusercontent.com` (GitHub Actions' OIDC provider) assume the role with no condition on `token.actions.githubusercontent.com:sub`, or with one whose value leaves the repository owner open (`*`, `repo:*`, `repo:*/app:*`). iamlint reads `sub` as GitHub's default `repo:OWNER/REPO:...`; a customised subject claim that does not start with `repo:OWNER/` is flagged too.",
    why: "Every workflow of every GitHub repository, anyone's, gets a token the provider signs: without a `sub` naming your repositories, any of them can assume the role.",
    example: r#"{"Effect": "Allow", "Principal": {"Federated": "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"}, "Action": "sts:AssumeRoleWithWebIdentity", "Condition": {"StringLike": {"token.actions.githubusercontent.com:sub": "repo:*"}}}"#,
    fix: "Add `\"StringLike\": {\"token.actions.githubusercontent.com:sub\": \"repo:OWNER/REPO:*\"}` (better, a branch or environment) and `\"StringEquals\": {\"token.actions.githubusercontent.com:aud\": \"sts.amazonaws.com\"}`.",
    access_analyzer: "None as a check; external access findings list the provider.",
};

/// GitHub Actions' OIDC provider
/// (<https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/configuring-openid-connect-in-amazon-web-services>).
const GITHUB: &str = "token.actions.githubusercontent.com";

/// Does a `sub` value (a pattern under `StringLike`) fix the repository owner? Only when
/// the text before its first wildcard is `repo:OWNER/` already.
fn fixes_owner(value: &str, like: bool) -> bool {
    let lit = if like {
        value.split(['*', '?']).next().unwrap_or("")
    } else {
        value
    };
    lit.strip_prefix("repo:")
        .and_then(|rest| rest.split_once('/'))
        .is_some_and(|(owner, _)| !owner.is_empty())
}

/// GitHub's provider trusted without a `sub` that names the repositories' owner.
pub(crate) fn statement(cx: &mut Cx<'_>, s: &Stmt<'_>) {
    let Some(a) = assumes(s, &["AssumeRoleWithWebIdentity"]) else {
        return;
    };
    let Some(fed) = federated(s).find(|f| provider(&f.value).eq_ignore_ascii_case(GITHUB)) else {
        return;
    };
    let key = format!("{GITHUB}:sub");
    let clauses: Vec<_> = clauses_on(s, &key).collect();
    // Every narrowing clause must hold, so one that fixes the owner in all its values is
    // enough.
    let fixed = clauses.iter().any(|c| {
        let like = c.operator.value.to_ascii_lowercase().contains("like");
        c.values.iter().all(|v| fixes_owner(&v.value, like))
    });
    if fixed {
        return;
    }
    let (span, why) = match clauses.first() {
        Some(c) => (
            c.values.first().map_or(c.key.span, |v| v.span),
            "its `sub` condition admits any repository owner",
        ),
        None => (fed.span, "no condition names the repository (`sub`)"),
    };
    cx.push(
        Finding::new(
            Code::TrustGithubAnyRepo,
            cx.src,
            span,
            format!("any GitHub repository's workflow may `{}` this role: {why}", a.item.value),
        )
        .statement(Some(s.reference()))
        .help(format!(
            "add `\"StringLike\": {{\"{key}\": \"repo:OWNER/REPO:ref:refs/heads/main\"}}` naming your repositories"
        )),
    );
}

#[cfg(test)]
mod tests {
    use super::fixes_owner;

    #[test]
    fn owner_fixed_or_open() {
        for (v, like, fixed) in [
            ("repo:acme/app:ref:refs/heads/main", false, true),
            ("repo:acme/*", true, true),
            ("repo:acme/app:*", true, true),
            ("repo:*", true, false),
            ("*", true, false),
            ("repo:*/app:*", true, false),
            ("repo:ac*/app:*", true, false),
            ("repo:acme*", true, false),
            // Under StringEquals `*` is literal: an owner named `*` cannot exist, but the
            // value is fixed text, so it is not open.
            ("repo:*/app", false, true),
        ] {
            assert_eq!(fixes_owner(v, like), fixed, "{v}");
        }
    }
}
