//! Policy documents, the stage after [`crate::source`]: the span-keeping JSON reader, the
//! typed model, and the parser that turns one into the other while collecting every
//! structural finding; and [`size`], a document's size as IAM's quotas count it. Hands the
//! model to the analysis ([`crate::analysis`]).

pub mod json;
pub mod model;
pub mod parse;

pub use model::*;

/// A policy's size as IAM counts it against its quotas: characters, whitespace not counted.
pub fn size(text: &str) -> usize {
    // Characters are counted by their first byte (UTF-8 continuation bytes are 10xxxxxx);
    // the whitespace JSON allows between tokens is ASCII, and other whitespace is rare
    // enough in a policy to be counted by its chars.
    // A branch-free sum over bytes, in blocks small enough for a `u8` count: the compiler
    // vectorises it (a policy is pretty-printed JSON, often many kilobytes).
    let n: usize = text
        .as_bytes()
        .chunks(255)
        .map(|block| {
            let kept: u8 = block
                .iter()
                .map(|&b| {
                    u8::from(!(b == b' ' || (b'\t'..=b'\r').contains(&b)) && (b & 0xC0) != 0x80)
                })
                .fold(0, u8::wrapping_add);
            usize::from(kept)
        })
        .sum();
    if text.is_ascii() {
        return n;
    }
    n - text
        .chars()
        .filter(|c| !c.is_ascii() && c.is_whitespace())
        .count()
}
