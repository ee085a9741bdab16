//! The analysis stage: documents in (from [`crate::source`]), plain data out (for
//! [`crate::report`]). Each command is one library call here:
//! - [`lint`]: each document read once into the model ([`crate::policy`]) and linted by
//!   every check ([`mod@crate::check`]): [`crate::Report`];
//! - [`check`]: one principal's documents, each linted and parsed once, evaluated against a
//!   rule set ([`crate::eval`]): [`check::CheckResult`] (findings, the requirement rows, the
//!   policy simulator's verdict, the suggested fix, errors);
//! - [`diff`]: two sides (two policies, two sets, each changed file and its version at a git
//!   ref), each parsed once and expanded by the evaluator: [`diff::DiffResult`] (the access
//!   one side grants and the other does not, both ways, as findings and a delta per file).
//! - [`audit`]: the principals of an account dump, each with what applies to it, decided
//!   one request at a time by the same evaluator (`can --gaad`, `who-can`), and who each
//!   role trusts.
//!
//! Nothing here prints or decides an exit code: that is the command line's ([`crate::cli`]).

pub mod audit;
pub mod check;
pub mod diff;
pub mod lint;
