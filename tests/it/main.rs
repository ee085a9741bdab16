//! Integration tests: one binary, a module per topic (ripgrep's `tests/tests.rs`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "integration tests: a failed unwrap is a failed test"
)]

mod acceptance10;
mod acceptance9;
mod action;
mod audit;
mod audit_cases;
mod audit_graph;
mod audit_live;
mod audit_report;
mod audit_risk;
mod catalog_prefixes;
mod check;
mod cli;
mod condvalues;
mod config;
mod deadarn;
mod diff;
mod difftest;
mod dump_limit;
mod dumps;
mod eval_semantics;
mod fixtures;
mod formats;
mod fuzz_regressions;
mod gaad;
mod hostile;
mod html;
mod html_permissions;
mod live;
mod org;
mod output;
mod pipeline;
mod published;
mod quota;
mod readonly;
mod rule_loader;
mod rulefiles;
mod seeds;
mod update;
mod util;
mod walk;
