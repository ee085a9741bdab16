//! `invalid-value`: an element has a value IAM rejects.
//!
//! Produced by the parser, [`crate::policy::parse`], for element values, and by [`action`] below
//! for `Action` values.

use super::{Cx, ResolvedAction, Stmt};
use crate::finding::{Code, Finding};
use super::docs::Doc;

/// The documentation of `invalid-value`: `iamlint explain invalid-value` prints it.
pub(crate) const DOC: Doc = Doc {
    what: "A value IAM rejects: an `Effect` other than `Allow`/`Deny`, an unknown `Version`, a non-string where a string is needed, an action not of the form `service:action`, both `Action` and `NotAction`.",
    why: "IAM rejects the policy.",
    example: r#"{"Effect": "allow", "Action": "s3:GetObject", "Resource": "*"}"#,
    fix: "Use a valid value; the help line names one.",
    access_analyzer: "Invalid effect, invalid version, data type mismatch.",
};

/// A value that is not of the `service:action` form.
pub(crate) fn action(cx: &mut Cx<'_>, s: &Stmt<'_>, a: &ResolvedAction<'_>) -> bool {
    if !a.malformed {
        return false;
    }
    let text = &a.item.value;
    cx.push(
        Finding::new(
            Code::InvalidValue,
            cx.src,
            a.item.span,
            format!("`{text}` is not an action: write `service:Action`, e.g. `s3:GetObject`"),
        )
        .statement(Some(s.reference()))
        .action(text.clone()),
    );
    true
}
