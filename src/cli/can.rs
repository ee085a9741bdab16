//! `iamlint can`: is one request allowed by a set of policies (and a permissions boundary)?
//! The decision is [`request::decide`]'s, its rendering [`crate::report::can`]'s.

use clap::Args;

use super::{Format, Outcome, emit};
use crate::eval::Doc;
use crate::eval::condition::Context;
use crate::eval::request::{self, Request, Verdict};

/// Arguments of `iamlint can`.
#[derive(Debug, Args)]
pub struct CanArgs {
    /// The action, e.g. `s3:GetObject`.
    pub action: String,
    /// The resource ARN; `*` (the default) for actions that take no resource type.
    #[arg(default_value = "*")]
    pub resource: String,
    /// An identity policy of the principal (repeatable): a file, a folder, `-`, or an AWS
    /// managed policy ARN.
    #[arg(long = "policy", value_name = "PATH|ARN", required = true)]
    pub policies: Vec<String>,
    /// The principal's permissions boundary: a file or an AWS managed policy ARN.
    #[arg(long, value_name = "PATH|ARN")]
    pub boundary: Option<String>,
    /// A request context value, `key=value` (repeatable; give a key several times for a
    /// multi-valued key such as `aws:TagKeys`). Keys not given are absent from the request.
    #[arg(long = "context", value_name = "KEY=VALUE")]
    pub context: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

fn load(specs: &[String], first: usize) -> anyhow::Result<Vec<Doc>> {
    let (inputs, errors) = crate::source::policies(specs);
    if let Some(e) = errors.first() {
        anyhow::bail!("{e}");
    }
    inputs
        .iter()
        .enumerate()
        .map(|(i, d)| Ok(request::doc_from_text(first + i, &d.origin, &d.text)?))
        .collect()
}

/// Run `iamlint can`.
pub fn run(args: &CanArgs) -> anyhow::Result<Outcome> {
    let mut context = Context::new(true);
    context.parse_args(&args.context)?;
    let docs = load(&args.policies, 0)?;
    let boundary = match &args.boundary {
        Some(b) => Some(load(std::slice::from_ref(b), docs.len())?),
        None => None,
    };
    let req = Request {
        action: args.action.clone(),
        resource: args.resource.clone(),
        context,
    };
    let d = request::decide(&docs, boundary.as_deref(), &req)?;
    emit(&match args.format {
        Format::Json => crate::report::can::render_json(&d)?,
        Format::Text => crate::report::can::render_text(&d),
    })?;
    Ok(match d.verdict {
        Verdict::Allowed => Outcome::Clean,
        Verdict::Denied | Verdict::NotAllowed => Outcome::Findings,
    })
}
