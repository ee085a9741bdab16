//! One principal's documents, from wherever they are: what `check` evaluates. Every kind of
//! source (files, folders, stdin and AWS managed policy ARNs named by `--policy`; a
//! principal of an account dump; a principal read from live IAM) is read here into the same
//! [`Documents`]: the texts findings point into, and one labelled [`Part`] per policy
//! document, each read as JSON at most once. The analysis stage ([`crate::analysis::check`])
//! parses each part into the model, lints it and evaluates the principal.

use crate::policy::json::Parsed;

use super::{Document, iam};

/// Where a principal's documents come from.
#[derive(Debug)]
pub enum Principal {
    /// `--policy` inputs: files, folders, `-` (stdin), AWS managed policy ARNs (offline).
    Policies(Vec<String>),
    /// The user, group or role `principal` (an ARN) of the account dump at `path` (`-`:
    /// standard input).
    Dump {
        /// The dump.
        path: String,
        /// The principal's ARN.
        principal: String,
    },
    /// What live IAM returned for the one principal asked: the principals read and the
    /// calls that failed.
    Live {
        /// Principals read (one is expected).
        principals: Vec<iam::Principal>,
        /// Calls that failed.
        errors: Vec<iam::CallError>,
    },
}

/// What a part's JSON is, which says how it is linted.
#[derive(Debug, Clone)]
pub enum Form {
    /// The whole text: linted as `iamlint lint` lints a file (JSON syntax and all).
    Text,
    /// A document of an account dump, read already; its findings name it, `(in <label>)`.
    InDump(Parsed),
    /// An AWS managed policy of the embedded snapshot that a dump names: evaluated, not
    /// linted (it is AWS's, not the user's).
    Snapshot(Parsed),
}

/// One policy document of the principal.
#[derive(Debug, Clone)]
pub struct Part {
    /// What findings and the suggested fix call it: a path, `role/x inline "p"`, an ARN.
    pub label: String,
    /// Index of the text it is in, in [`Documents::texts`].
    pub text: usize,
    /// Its JSON.
    pub form: Form,
    /// The permissions boundary rather than an identity policy.
    pub boundary: bool,
}

/// A principal's documents.
#[derive(Debug, Default)]
pub struct Documents {
    /// Every text read, in order; findings index this.
    pub texts: Vec<Document>,
    /// The policy documents, identity policies first in the order IAM lists them.
    pub parts: Vec<Part>,
    /// Inputs that could not be read (the check still runs on the rest and fails).
    pub errors: Vec<String>,
    /// The live principal, when it came from live IAM.
    pub live: Option<iam::Principal>,
}

/// What reading a principal gave.
#[derive(Debug)]
pub enum Read {
    /// Its documents.
    Whole(Documents),
    /// Part of what applies to it could not be read, so a check could pass wrongly: these
    /// errors, and no check.
    Incomplete(Vec<String>),
}

/// Read a principal's documents.
pub fn read(p: Principal) -> anyhow::Result<Read> {
    match p {
        Principal::Policies(specs) => {
            let (docs, errors) = super::policies(&specs);
            Ok(Read::Whole(whole(docs, None, errors, None)))
        }
        Principal::Dump { path, principal } => super::gaad::principal(&path, &principal),
        Principal::Live {
            mut principals,
            errors,
        } => {
            if !errors.is_empty() || principals.is_empty() {
                let mut errors: Vec<String> = errors.iter().map(ToString::to_string).collect();
                errors.push(
                    "the check did not run: IAM did not return everything that applies to the \
                     principal, and a check on part of it could pass wrongly"
                        .to_string(),
                );
                return Ok(Read::Incomplete(errors));
            }
            let p = principals.remove(0);
            let mut docs: Vec<Document> = p
                .policies
                .iter()
                .map(|f| Document {
                    origin: f.origin.clone(),
                    text: f.text.clone(),
                })
                .collect();
            let mut boundary = None;
            if let Some(b) = &p.boundary {
                boundary = Some(docs.len());
                docs.push(Document {
                    origin: b.origin.clone(),
                    text: b.text.clone(),
                });
            }
            Ok(Read::Whole(whole(docs, boundary, Vec::new(), Some(p))))
        }
    }
}

/// Whole documents, each its own text.
fn whole(
    docs: Vec<Document>,
    boundary: Option<usize>,
    errors: Vec<String>,
    live: Option<iam::Principal>,
) -> Documents {
    let parts = docs
        .iter()
        .enumerate()
        .map(|(i, d)| Part {
            label: d.origin.clone(),
            text: i,
            form: Form::Text,
            boundary: boundary == Some(i),
        })
        .collect();
    Documents {
        texts: docs,
        parts,
        errors,
        live,
    }
}
