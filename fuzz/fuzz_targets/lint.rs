//! Arbitrary bytes through the whole lint path: the JSON reader, the policy parser and
//! every check. Any panic, hang or stack overflow is a bug.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        // Non-UTF-8 input is rejected by the reader before parsing; exercise that path too.
        let _ = iamlint::source::from_bytes("fuzz".into(), data.to_vec());
        return;
    };
    let _ = iamlint::policy::json::parse(text);
    let _ = iamlint::lint_texts(vec![iamlint::source::Document {
        origin: "fuzz".into(),
        text: text.to_string(),
    }]);
});
