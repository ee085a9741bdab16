//! `iamlint catalog update`: fetch AWS's machine-readable service reference and store it in
//! the user cache as the same compressed blob the binary embeds. Implemented in the next
//! step; the cache location is decided here.

use std::path::PathBuf;

/// `$IAMLINT_CACHE_DIR`, else `$XDG_CACHE_HOME/iamlint`, else `$HOME/.cache/iamlint`.
pub fn cache_dir() -> Option<PathBuf> {
    if let Some(d) = std::env::var_os("IAMLINT_CACHE_DIR") {
        return Some(PathBuf::from(d));
    }
    if let Some(d) = std::env::var_os("XDG_CACHE_HOME").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(d).join("iamlint"));
    }
    std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache").join("iamlint"))
}

/// The cached catalog blob.
pub fn cache_file() -> Option<PathBuf> {
    cache_dir().map(|d| d.join("catalog.bin"))
}

/// AWS's service reference endpoint.
pub const DEFAULT_URL: &str = "https://servicereference.us-east-1.amazonaws.com/";

/// Fetch and cache (implemented with the HTTP client below).
pub fn update(_url: &str) -> anyhow::Result<String> {
    anyhow::bail!("not built yet")
}
