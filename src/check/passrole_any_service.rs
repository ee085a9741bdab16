//! `passrole-any-service`: `iam:PassRole` without an `iam:PassedToService` condition.
//!
//! Logic: [`statement`].

use super::{Cx, Stmt, security::passrole};
use crate::catalog::key_matches;
use crate::finding::{Code, Finding};
use super::docs::Doc;

/// The documentation of `passrole-any-service`: `iamlint explain passrole-any-service` prints it.
pub(crate) const DOC: Doc = Doc {
    what: "`iam:PassRole` with no `iam:PassedToService` condition.",
    why: "The role can be passed to any service, not only the one meant.",
    example: r#"{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam::1:role/app"}"#,
    fix: "Add `iam:PassedToService` naming the service.",
    access_analyzer: "None.",
};

/// `iam:PassRole` allowed with no `iam:PassedToService` condition.
pub(crate) fn statement(cx: &mut Cx<'_>, s: &Stmt<'_>) {
    let Some(a) = passrole(s) else {
        return;
    };
    let limited =
        s.st.condition
            .iter()
            .any(|c| key_matches("iam:PassedToService", &c.key.value));
    if !limited {
        cx.push(
            Finding::new(
                Code::PassroleAnyService,
                cx.src,
                a.item.span,
                format!("`{}` has no `iam:PassedToService` condition, so the roles can be passed to any service", a.item.value),
            )
            .statement(Some(s.reference()))
            .action("iam:PassRole")
            .help("add `\"Condition\": {\"StringEquals\": {\"iam:PassedToService\": \"ec2.amazonaws.com\"}}` naming the service"),
        );
    }
}
