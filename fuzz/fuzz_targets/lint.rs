//! Arbitrary bytes through the whole lint path: the JSON reader, the policy parser, every
//! check, and the text and JSON reports (the text one shows each finding's source line,
//! found around its span). Any panic, hang or stack overflow is a bug.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        // Non-UTF-8 input is rejected by the reader before parsing; exercise that path too.
        let _ = iamlint::source::from_bytes("fuzz".into(), data.to_vec());
        return;
    };
    let _ = iamlint::policy::json::parse(text);
    let report = iamlint::lint_texts(vec![iamlint::source::Document {
        origin: "fuzz".into(),
        text: text.to_string(),
    }]);
    let _ = iamlint::report::text::render(&report, iamlint::report::text::Options::default());
    let _ = iamlint::report::json::render(&report);
});
