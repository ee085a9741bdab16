//! `invalid-arn`: a resource that is not an ARN or `*`.
//!
//! Logic: [`statement`].

use super::{Cx, Stmt};
use crate::arn::ArnError;
use crate::finding::{Code, Finding};
use super::docs::Doc;

/// The documentation of `invalid-arn`: `iamlint explain invalid-arn` prints it.
pub(crate) const DOC: Doc = Doc {
    what: "A resource that is not `*` or an ARN: `s3://bucket`, a bare name, too few components, an unknown partition.",
    why: "The statement grants nothing on it.",
    example: r#""Resource": "s3://my-bucket/*""#,
    fix: "Use the suggested ARN (`arn:aws:s3:::my-bucket/*`).",
    access_analyzer: "Invalid ARN / invalid ARN prefix / invalid partition.",
};

/// Each `Resource`/`NotResource` value that does not parse.
pub(crate) fn statement(cx: &mut Cx<'_>, s: &Stmt<'_>) {
    for r in &s.resources {
        if let Err(e) = &r.pattern {
            let mut f = Finding::new(
                Code::InvalidArn,
                cx.src,
                r.item.span,
                format!("`{}` {e}", r.item.value),
            )
            .statement(Some(s.reference()))
            .resource(r.item.value.clone());
            match e {
                ArnError::NotArn(Some(fix)) => f = f.suggest(fix.clone()),
                ArnError::UnknownPartition(p) => {
                    if let Some(g) =
                        crate::suggest::closest(p, crate::arn::PARTITIONS.iter().copied())
                    {
                        f = f.suggest(r.item.value.replacen(p.as_str(), g, 1));
                    }
                }
                _ => {}
            }
            cx.push(f);
        }
    }
}
