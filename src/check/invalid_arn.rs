//! `invalid-arn`: a resource that is not an ARN or `*`.
//!
//! Produced with the resource checks, [`super::resources`].

use super::docs::Doc;

/// The documentation of `invalid-arn`: `iamlint explain invalid-arn` prints it.
pub(crate) const DOC: Doc = Doc {
    what: "A resource that is not `*` or an ARN: `s3://bucket`, a bare name, too few components, an unknown partition.",
    why: "The statement grants nothing on it.",
    example: r#""Resource": "s3://my-bucket/*""#,
    fix: "Use the suggested ARN (`arn:aws:s3:::my-bucket/*`).",
    access_analyzer: "Invalid ARN / invalid ARN prefix / invalid partition.",
};
