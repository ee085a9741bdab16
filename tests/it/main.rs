//! Integration tests: one binary, a module per topic (ripgrep's `tests/tests.rs`).

mod check;
mod cli;
mod fixtures;
mod seeds;
mod update;
mod util;
