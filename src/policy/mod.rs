//! Policy documents: the span-keeping JSON reader, the typed model, and the parser that
//! turns one into the other while collecting every structural finding.

pub mod json;
pub mod model;
pub mod parse;

pub use model::*;
