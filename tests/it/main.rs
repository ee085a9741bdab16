//! Integration tests: one binary, a module per topic (ripgrep's `tests/tests.rs`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "integration tests: a failed unwrap is a failed test"
)]

mod check;
mod cli;
mod fixtures;
mod gaad;
mod hostile;
mod live;
mod readonly;
mod seeds;
mod update;
mod util;
