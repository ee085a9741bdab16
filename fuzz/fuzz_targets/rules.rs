//! Arbitrary bytes as a rule-set file: the TOML loader, validation, parameter resolution with
//! the file's own example values, and rendering. Any panic, hang or stack overflow is a bug.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(set) = iamlint::rules::RuleSet::parse("fuzz.toml", text) else {
        return;
    };
    let params = set.example_params();
    if let Ok(resolved) = set.resolve(&params, &[]) {
        let _ = iamlint::rules::render(&resolved);
    }
});
