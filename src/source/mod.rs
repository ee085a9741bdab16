//! Where documents come from: files, folders (recursive `*.json`) and standard input.
//! Hands `Document`s (origin + text) to the parser; reports what it cannot read as
//! [`LoadError`]s, never as "no policies".

pub mod gaad;
pub mod managed;

use std::io::Read;
use std::path::{Path, PathBuf};

/// Largest document read: IAM's own limit is 10,240 characters for an inline policy, and an
/// account dump of thousands of principals stays far below this.
pub const MAX_BYTES: u64 = 32 * 1024 * 1024;

/// A loaded text and where it came from.
#[derive(Debug, Clone)]
pub struct Document {
    /// A path, `-` for stdin, or a description such as `arn:aws:iam::aws:policy/X`.
    pub origin: String,
    /// The text.
    pub text: String,
}

/// Why an input could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    /// The OS refused.
    #[error("{path}: cannot read: {source}")]
    Io {
        /// The path.
        path: String,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// Over [`MAX_BYTES`].
    #[error("{path}: the file is {size} bytes, over the {max} byte limit for a policy document")]
    TooLarge {
        /// The path.
        path: String,
        /// Its size.
        size: u64,
        /// The limit.
        max: u64,
    },
    /// A NUL byte: not a text file.
    #[error("{path}:{line}:{column}: not a text file (a NUL byte); a policy is JSON text")]
    Binary {
        /// The path.
        path: String,
        /// Line of the first NUL byte.
        line: u32,
        /// Column of the first NUL byte.
        column: u32,
    },
    /// Not UTF-8.
    #[error("{path}:{line}:{column}: not UTF-8 text; IAM policies are UTF-8 JSON")]
    NotUtf8 {
        /// The path.
        path: String,
        /// Line of the first invalid byte.
        line: u32,
        /// Column of the first invalid byte.
        column: u32,
    },
    /// A folder with no `*.json` in it, so nothing would be checked.
    #[error("{path}: the folder holds no *.json files")]
    EmptyFolder {
        /// The path.
        path: String,
    },
}

/// One input to read: a file path or stdin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// A file.
    File(PathBuf),
    /// Standard input.
    Stdin,
}

/// Expand the command-line inputs: `-` is stdin, a folder is every `*.json` below it
/// (sorted, hidden entries skipped), anything else a file.
pub fn expand(args: &[String]) -> (Vec<Input>, Vec<LoadError>) {
    let mut inputs = Vec::new();
    let mut errors = Vec::new();
    for a in args {
        if a == "-" {
            inputs.push(Input::Stdin);
            continue;
        }
        let p = Path::new(a);
        if p.is_dir() {
            let before = inputs.len();
            if let Err(e) = walk(p, &mut inputs) {
                errors.push(e);
            }
            if inputs.len() == before {
                errors.push(LoadError::EmptyFolder { path: a.clone() });
            }
        } else {
            inputs.push(Input::File(p.to_path_buf()));
        }
    }
    (inputs, errors)
}

fn walk(dir: &Path, out: &mut Vec<Input>) -> Result<(), LoadError> {
    let io = |source| LoadError::Io {
        path: dir.display().to_string(),
        source,
    };
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(io)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            !p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        })
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(&p, out)?;
        } else if p
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"))
        {
            out.push(Input::File(p));
        }
    }
    Ok(())
}

/// Read one input as UTF-8 text, within [`MAX_BYTES`].
pub fn read(input: &Input) -> Result<Document, LoadError> {
    let (origin, bytes) = match input {
        Input::Stdin => {
            let mut buf = Vec::new();
            std::io::stdin()
                .take(MAX_BYTES + 1)
                .read_to_end(&mut buf)
                .map_err(|source| LoadError::Io {
                    path: "-".into(),
                    source,
                })?;
            ("-".to_string(), buf)
        }
        Input::File(p) => {
            let path = p.display().to_string();
            let io = |source| LoadError::Io {
                path: path.clone(),
                source,
            };
            let f = std::fs::File::open(p).map_err(io)?;
            let size = f.metadata().map_err(io)?.len();
            if size > MAX_BYTES {
                return Err(LoadError::TooLarge {
                    path,
                    size,
                    max: MAX_BYTES,
                });
            }
            let mut buf = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
            f.take(MAX_BYTES + 1).read_to_end(&mut buf).map_err(io)?;
            (path, buf)
        }
    };
    from_bytes(origin, bytes)
}

/// Check size, NUL bytes and UTF-8 of a loaded buffer.
pub fn from_bytes(origin: String, bytes: Vec<u8>) -> Result<Document, LoadError> {
    if bytes.len() as u64 > MAX_BYTES {
        return Err(LoadError::TooLarge {
            path: origin,
            size: bytes.len() as u64,
            max: MAX_BYTES,
        });
    }
    if let Some(i) = bytes.iter().position(|&b| b == 0) {
        let (line, column) = byte_line_col(&bytes, i);
        return Err(LoadError::Binary {
            path: origin,
            line,
            column,
        });
    }
    match String::from_utf8(bytes) {
        Ok(text) => Ok(Document { origin, text }),
        Err(e) => {
            let i = e.utf8_error().valid_up_to();
            let (line, column) = byte_line_col(e.as_bytes(), i);
            Err(LoadError::NotUtf8 {
                path: origin,
                line,
                column,
            })
        }
    }
}

fn byte_line_col(bytes: &[u8], i: usize) -> (u32, u32) {
    let head = bytes.get(..i).unwrap_or(bytes);
    let line = head.iter().filter(|&&b| b == b'\n').count() + 1;
    let col = head.iter().rev().take_while(|&&b| b != b'\n').count() + 1;
    (
        u32::try_from(line).unwrap_or(u32::MAX),
        u32::try_from(col).unwrap_or(u32::MAX),
    )
}
