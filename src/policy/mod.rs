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
    let n = text
        .bytes()
        .filter(|&b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c) && (b & 0xC0) != 0x80)
        .count();
    if text.is_ascii() {
        return n;
    }
    n - text
        .chars()
        .filter(|c| !c.is_ascii() && c.is_whitespace())
        .count()
}
