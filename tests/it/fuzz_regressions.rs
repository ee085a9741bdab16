//! Inputs the fuzzers flagged (`fuzz/regressions/TARGET/`), replayed through the command a
//! user runs for that target: each must finish with a verdict (exit 0, 1 or 2), no panic,
//! and well inside the fuzzers' per-input limit.

use std::time::{Duration, Instant};

use crate::util::run;

fn replay(target: &str, args: &dyn Fn(&str) -> Vec<String>) -> usize {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/regressions")
        .join(target);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return 0;
    };
    let mut n = 0;
    for e in entries {
        let path = e.unwrap().path();
        let p = path.to_str().unwrap().to_string();
        let a = args(&p);
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        let t = Instant::now();
        let (code, out, err) = run(&a);
        assert!((0..=2).contains(&code), "{p}: exit {code}\n{out}\n{err}");
        assert!(!err.contains("panicked"), "{p}: {err}");
        assert!(
            t.elapsed() < Duration::from_secs(5),
            "{p}: {:?}",
            t.elapsed()
        );
        n += 1;
    }
    n
}

#[test]
fn fuzz_regressions_finish_with_a_verdict() {
    let check = replay("check", &|p| {
        [
            "check",
            "--rules",
            "dstack-aws",
            "--param",
            "bucket_name=my-awesome-project",
            "--fail-on",
            "never",
            "--policy",
            p,
        ]
        .map(String::from)
        .to_vec()
    });
    let lint = replay("lint", &|p| {
        ["lint", "--fail-on", "never", p].map(String::from).to_vec()
    });
    assert!(check + lint > 0, "no regression inputs found");
}
