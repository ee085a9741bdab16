//! The `iamlint` binary: parse arguments, call the library, map the outcome to an exit code.

use std::process::ExitCode;

use clap::Parser;

// Linting allocates many small strings; mimalloc halves their cost against glibc's malloc.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // Decode the embedded catalog on its own thread while the arguments are parsed and the
    // inputs found and read: most commands need it, and its decoding is serial (about 30 M
    // instructions), so a core would otherwise wait for it. A command that never asks for
    // it exits without waiting.
    std::thread::spawn(|| {
        iamlint::catalog::get();
    });
    let cli = match iamlint::cli::Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            // clap uses 0 for --help/--version and 2 for usage errors, as we do.
            return ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2));
        }
    };
    match iamlint::cli::run(cli) {
        Ok(outcome) => ExitCode::from(outcome.code()),
        Err(e) => {
            // The message may quote the input (a rule file's action, a principal's name):
            // its control characters are shown as escapes, line by line, never sent raw.
            let text = format!("{e:#}");
            let lines: Vec<_> = text.lines().map(iamlint::report::text::escape).collect();
            eprintln!("error: {}", lines.join("\n"));
            ExitCode::from(2)
        }
    }
}
