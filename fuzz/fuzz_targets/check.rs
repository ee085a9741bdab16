//! Arbitrary bytes as a policy checked against a fixed rule set (`dstack-aws` with its
//! example parameters): parsing, action expansion, resource matching, Deny handling and the
//! findings `check` reports. Any panic, hang or stack overflow is a bug.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

fn rules() -> &'static iamlint::rules::Resolved {
    static R: OnceLock<iamlint::rules::Resolved> = OnceLock::new();
    R.get_or_init(|| {
        let set = iamlint::rules::find("dstack-aws").expect("embedded rule set");
        let params = set.example_params();
        set.resolve(&params, &[]).expect("example parameters resolve")
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(parsed) = iamlint::policy::json::parse(text) else {
        return;
    };
    let mut scratch = Vec::new();
    let policy = iamlint::policy::parse::parse_policy(parsed, 1, &mut scratch);
    let doc = iamlint::eval::Doc {
        src: 1,
        origin: "fuzz.json".into(),
        text: text.into(),
        policy,
    };
    let _ = iamlint::eval::check(rules(), 0, std::slice::from_ref(&doc));
});
