//! `passrole-to-any`: `iam:PassRole` allowed on every role.
//!
//! Logic: [`statement`].

use super::{Cx, Stmt, security::passrole};
use crate::arn::ResourcePattern;
use crate::finding::{Code, Finding};
use super::docs::Doc;

/// The documentation of `passrole-to-any`: `iamlint explain passrole-to-any` prints it.
pub(crate) const DOC: Doc = Doc {
    what: "`iam:PassRole` allowed on `*` (or every role).",
    why: "The principal can hand any role, including administrator roles, to a service it controls.",
    example: r#"{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}"#,
    fix: "Scope it to the roles needed.",
    access_analyzer: "Pass role with star in resource (`PASS_ROLE_WITH_STAR_IN_RESOURCE`).",
};

/// `iam:PassRole` allowed on `*`, `arn:...:iam::...:*` or `role/*`.
pub(crate) fn statement(cx: &mut Cx<'_>, s: &Stmt<'_>) {
    let Some(a) = passrole(s) else {
        return;
    };
    let on_any = s
        .resources
        .iter()
        .filter(|_| s.positive_resources)
        .find(|r| match &r.pattern {
            Ok(ResourcePattern::Any) => true,
            Ok(ResourcePattern::Arn(p)) => {
                p.service == "iam" && (p.resource == "*" || p.resource == "role/*")
            }
            Err(_) => false,
        });
    if let Some(r) = on_any {
        cx.push(
            Finding::new(
                Code::PassroleToAny,
                cx.src,
                r.item.span,
                format!("`{}` allows passing every role (`{}`) to a service", a.item.value, r.item.value),
            )
            .statement(Some(s.reference()))
            .action("iam:PassRole")
            .resource(r.item.value.clone())
            .related("the action is here", a.item.span)
            .help("scope `iam:PassRole` to the roles the service needs, e.g. `arn:aws:iam::123456789012:role/my-service-role`"),
        );
    }
}
