//! Arbitrary bytes as an account dump (`get-account-authorization-details`): the JSON reader,
//! the dump reader (URL-decoding, principals, groups, attachments) and the lint of every
//! document in it. Any panic, hang or stack overflow is a bug.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(parsed) = iamlint::policy::json::parse(text) else {
        return;
    };
    if iamlint::source::gaad::is_dump(&parsed.root) {
        let _ = iamlint::source::gaad::Dump::read(text, &parsed);
        let _ = iamlint::lint_document(
            &iamlint::source::Document {
                origin: "fuzz.json".into(),
                text: text.to_string(),
            },
            0,
        );
    }
});
