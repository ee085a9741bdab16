//! `iamlint can`: is one request allowed by a set of policies (and a permissions boundary),
//! or (`--gaad`) for one user, group or role of an account dump? The decision is
//! [`request::decide`]'s (for a dump's principal through
//! [`crate::analysis::audit::effective`]), its rendering [`crate::report::can`]'s.

use clap::Args;

use super::{Format, Outcome, emit};
use crate::analysis::audit::Account;
use crate::analysis::audit::effective::{self, Access};
use crate::eval::Doc;
use crate::eval::condition::Context;
use crate::eval::request::{self, Hit, Request, Verdict};

/// Arguments of `iamlint can`.
#[derive(Debug, Args)]
pub struct CanArgs {
    /// `ACTION [RESOURCE]` (e.g. `s3:GetObject arn:aws:s3:::b/k`); with `--gaad`,
    /// `PRINCIPAL ACTION [RESOURCE]`, the principal as `user/NAME`, `group/NAME`,
    /// `role/NAME` or an ARN. The resource defaults to `*`, for actions that take no
    /// resource type.
    #[arg(value_name = "[PRINCIPAL] ACTION [RESOURCE]", num_args = 1..=3, required = true)]
    pub words: Vec<String>,
    /// An identity policy of the principal (repeatable): a file, a folder, `-`, or an AWS
    /// managed policy ARN.
    #[arg(
        long = "policy",
        value_name = "PATH|ARN",
        required_unless_present = "gaad",
        conflicts_with = "gaad"
    )]
    pub policies: Vec<String>,
    /// The principal's permissions boundary: a file or an AWS managed policy ARN.
    #[arg(long, value_name = "PATH|ARN", conflicts_with = "gaad")]
    pub boundary: Option<String>,
    /// An account dump (`aws iam get-account-authorization-details`; `-`: standard input):
    /// decide the request for PRINCIPAL of it, with its inline, attached and group policies
    /// and its permissions boundary. Context keys not given (and not fixed by the dump, as
    /// `aws:username`) may hold any value: a statement conditioned on one makes the answer
    /// "allowed if <condition>".
    #[arg(long, value_name = "FILE")]
    pub gaad: Option<String>,
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
    if let Some(dump) = &args.gaad {
        return run_gaad(args, dump);
    }
    let (action, resource) = match args.words.as_slice() {
        [a] => (a.clone(), "*".to_string()),
        [a, r] => (a.clone(), r.clone()),
        _ => anyhow::bail!(
            "give ACTION [RESOURCE]; a PRINCIPAL is for `--gaad FILE` (a principal of an account dump)"
        ),
    };
    let mut context = Context::new(true);
    context.parse_args(&args.context)?;
    let docs = load(&args.policies, 0)?;
    let boundary = match &args.boundary {
        Some(b) => Some(load(std::slice::from_ref(b), docs.len())?),
        None => None,
    };
    let req = Request {
        action,
        resource,
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

/// `can --gaad FILE PRINCIPAL ACTION [RESOURCE]`.
fn run_gaad(args: &CanArgs, dump: &str) -> anyhow::Result<Outcome> {
    let (principal, action, resource) = match args.words.as_slice() {
        [p, a] => (p, a.clone(), "*".to_string()),
        [p, a, r] => (p, a.clone(), r.clone()),
        _ => anyhow::bail!(
            "with `--gaad`, give PRINCIPAL ACTION [RESOURCE], e.g. `role/ci s3:GetObject arn:aws:s3:::b/k`"
        ),
    };
    let context = effective::context(&args.context)?;
    let account = Account::read(dump)?;
    // A dump read in part (a list given twice, a truncated dump) may hide what applies.
    if !account.errors.is_empty() {
        anyhow::bail!(
            "{}\nthe request was not decided: the dump is incomplete",
            account.errors.join("\n")
        );
    }
    let subject = account.find(principal)?;
    let req = Request {
        action,
        resource,
        context,
    };
    let a = effective::decide(&account, subject, &req)?;
    let file_of = |h: &Hit| account.file_of(h).to_string();
    emit(&match args.format {
        Format::Json => crate::report::can::render_answer_json(&a, &file_of)?,
        Format::Text => crate::report::can::render_answer_text(&a, &file_of),
    })?;
    let outcome = match a.access {
        Access::Allowed => Outcome::Clean,
        Access::AllowedIf | Access::Denied | Access::NotAllowed => Outcome::Findings,
    };
    super::keep_to_exit((a, account));
    Ok(outcome)
}
