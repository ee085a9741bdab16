//! Where documents come from, the first stage: files, folders (recursive `*.json`) and
//! standard input (here), AWS managed policies of the embedded snapshot ([`managed`]),
//! account dumps ([`gaad`]), live IAM ([`iam`], read-only) and files changed since a git
//! ref ([`git`], for `diff`). Each hands labelled
//! [`Document`]s (origin + text) to the next stage, the JSON reader and the model
//! ([`crate::policy`]); what it cannot read is a [`LoadError`] or an error message naming
//! file, line and column, never "no policies".
//!
//! Two doors: `lint` takes paths ([`expand`], [`read`]) plus live documents
//! ([`iam::documents`]); `check` takes one principal ([`principal::Principal`]: `--policy`
//! inputs, a dump's principal, a live principal), read by [`principal::read`] into the same
//! [`principal::Documents`]. A new source is one more file here and one more arm there.

pub mod gaad;
pub mod git;
pub mod iam;
pub mod managed;
pub mod principal;

use std::io::Read;
use std::path::{Path, PathBuf};

/// Largest document read, but for an account dump ([`MAX_DUMP_BYTES`]). A policy is far
/// smaller (IAM's own limit is 10,240 characters for an inline policy); the hostile-input
/// tests stand on this limit.
pub const MAX_BYTES: u64 = 32 * 1024 * 1024;

/// Largest account dump read ([`read_dump`]: `audit`, `who-can`, `can --gaad`, `paths
/// --gaad`, `check --gaad`, and `lint` of a file that starts as a dump). A dump holds every
/// version of every managed policy: one of 7,000 principals and 10,000 customer managed
/// policies (`scripts/gen-account`) takes about 50 MB compact and 120 MB as the aws CLI
/// indents it; large organisations' accounts are bigger still. The whole text is kept in
/// memory, so this is a bound on memory, not on what IAM can hold.
pub const MAX_DUMP_BYTES: u64 = 1024 * 1024 * 1024;

/// What a size limit is for, as [`LoadError::TooLarge`] names it.
pub const FOR_POLICY: &str = "a policy document";
/// What [`MAX_DUMP_BYTES`] is for.
pub const FOR_DUMP: &str = "an account dump";

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
    /// The OS refused. (The OS error is in the message and deliberately not a `source`,
    /// so a chain of errors does not print it twice.)
    #[error("{path}: cannot read: {error}")]
    Io {
        /// The path.
        path: String,
        /// The OS error.
        error: std::io::Error,
    },
    /// A directory where a file is expected.
    #[error("{path}: is a directory, not a file")]
    IsDirectory {
        /// The path.
        path: String,
    },
    /// A FIFO, socket or device: reading it could block forever or never end.
    #[error(
        "{path}: not a regular file ({kind}); to read a stream, pipe it to `-` (standard input)"
    )]
    NotRegular {
        /// The path.
        path: String,
        /// `a FIFO`, `a socket`, `a character device`, `a block device`.
        kind: &'static str,
    },
    /// A symbolic link whose target does not exist.
    #[error("{path}: a symbolic link to `{target}`, which does not exist")]
    DanglingLink {
        /// The link.
        path: String,
        /// What it points to.
        target: String,
    },
    /// A symbolic link that cannot be followed (a chain of links that loops).
    #[error("{path}: a symbolic link that cannot be followed: {error}")]
    BadLink {
        /// The link.
        path: String,
        /// The OS error.
        error: std::io::Error,
    },
    /// A symbolic link, in a folder being walked, to the folder itself or one above it.
    #[error("{path}: a symbolic link to `{target}`, which contains it (a loop); not followed")]
    LinkLoop {
        /// The link.
        path: String,
        /// The folder it points to.
        target: String,
    },
    /// Over [`MAX_BYTES`] (or [`MAX_DUMP_BYTES`] for a dump).
    #[error("{path}: the file is {size} bytes, over the {max} byte limit for {what}")]
    TooLarge {
        /// The path.
        path: String,
        /// Its size.
        size: u64,
        /// The limit.
        max: u64,
        /// What the limit is for: [`FOR_POLICY`] or [`FOR_DUMP`].
        what: &'static str,
    },
    /// Standard input over the limit: read up to the limit only, so its size is unknown.
    #[error("{path}: standard input holds more than the {max} byte limit for {what}")]
    StdinTooLarge {
        /// `-`.
        path: String,
        /// The limit.
        max: u64,
        /// What the limit is for: [`FOR_POLICY`] or [`FOR_DUMP`].
        what: &'static str,
    },
    /// A NUL byte: not a text file.
    #[error("{path}:{line}:{column}: not a text file (a NUL byte); iamlint reads JSON text")]
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
    /// A file named by the user.
    File(PathBuf),
    /// A `*.json` file found by walking a folder.
    Found(PathBuf),
    /// Standard input.
    Stdin,
}

impl Input {
    /// The input a user names on the command line: `-` is standard input.
    pub fn named(path: &str) -> Input {
        if path == "-" {
            Input::Stdin
        } else {
            Input::File(path.into())
        }
    }

    /// Was it found by walking a folder (rather than named)?
    pub fn in_folder(&self) -> bool {
        matches!(self, Input::Found(_))
    }
}

/// Why a JSON file found in a folder was not linted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SkipReason {
    /// No `Version` or `Statement`, not an account dump.
    NotAPolicy,
    /// A CloudFormation (or SAM) template: its policies sit inside resources.
    CloudformationTemplate,
}

/// A JSON file found in a folder and not linted.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Skipped {
    /// Its path.
    pub file: String,
    /// Why.
    pub reason: SkipReason,
}

/// Decide whether JSON found in a folder is something other than a policy: `None` when it
/// is a policy, an account dump, or close enough to one that its mistakes must be reported
/// (a near miss of `Version` or `Statement` such as `Statment` or `Verison`, or a lone
/// statement with `Effect` and `Action`).
pub fn not_a_policy(root: &crate::policy::json::Node) -> Option<SkipReason> {
    use crate::policy::json::Value;
    let Value::Object(members) = &root.value else {
        return Some(SkipReason::NotAPolicy);
    };
    if gaad::is_dump(root) {
        return None;
    }
    let has = |k: &str| members.iter().any(|m| m.key.value == k);
    if has("Version") || has("Statement") {
        return None;
    }
    // A CloudFormation template: `AWSTemplateFormatVersion`, or `Resources` whose entries
    // have a `Type` such as `AWS::IAM::Role`.
    let cfn_resources = members.iter().any(|m| {
        m.key.value == "Resources"
            && matches!(&m.value.value, Value::Object(rs) if !rs.is_empty() && rs.iter().all(|r| {
                matches!(&r.value.value, Value::Object(f) if f.iter().any(|x| {
                    x.key.value == "Type" && matches!(&x.value.value, Value::String(t) if t.contains("::"))
                }))
            }))
    });
    if has("AWSTemplateFormatVersion") || cfn_resources {
        return Some(SkipReason::CloudformationTemplate);
    }
    if (has("Effect") && (has("Action") || has("NotAction")))
        || members.iter().any(|m| near_miss(&m.key.value))
    {
        return None;
    }
    Some(SkipReason::NotAPolicy)
}

/// A key that looks like a misspelt `Version` or `Statement`. `version` in any case alone
/// is not one: it is the key of many other JSON files (`package.json`).
fn near_miss(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    if k == "version" {
        return false;
    }
    strsim::osa_distance(&k, "statement") <= 2 || strsim::osa_distance(&k, "version") <= 1
}

/// Expand the command-line inputs: `-` is stdin, a folder is every `*.json` below it
/// (sorted, hidden entries skipped), anything else a file. A walk skips FIFOs, sockets and
/// devices, follows a symbolic link to a folder once (a folder reached twice is walked
/// once), and reports a link that loops or points nowhere.
pub fn expand(args: &[String]) -> (Vec<Input>, Vec<LoadError>) {
    let mut inputs = Vec::new();
    let mut errors = Vec::new();
    for a in args {
        if a == "-" {
            inputs.push(Input::Stdin);
            continue;
        }
        let p = Path::new(a);
        match std::fs::metadata(p) {
            Ok(m) if m.is_dir() => {
                let before = inputs.len();
                walk(p, &mut inputs, &mut errors);
                if inputs.len() == before {
                    errors.push(LoadError::EmptyFolder { path: a.clone() });
                }
            }
            Ok(_) => inputs.push(Input::File(p.to_path_buf())),
            Err(e) => match link_error(p, e) {
                Ok(err) => errors.push(err),
                // Not there: reading it says so, in input order.
                Err(_) => inputs.push(Input::File(p.to_path_buf())),
            },
        }
    }
    (inputs, errors)
}

/// The error for a path whose `metadata` failed, when it is a symbolic link; else the
/// OS error back.
fn link_error(p: &Path, error: std::io::Error) -> Result<LoadError, std::io::Error> {
    let is_link = std::fs::symlink_metadata(p).is_ok_and(|m| m.file_type().is_symlink());
    if !is_link {
        return Err(error);
    }
    let path = p.display().to_string();
    Ok(if error.kind() == std::io::ErrorKind::NotFound {
        LoadError::DanglingLink {
            path,
            target: std::fs::read_link(p)
                .map(|t| t.display().to_string())
                .unwrap_or_default(),
        }
    } else {
        LoadError::BadLink { path, error }
    })
}

/// Identity of a folder: device and inode where the OS has them, else its canonical path.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum DirId {
    #[cfg(unix)]
    Inode(u64, u64),
    #[cfg_attr(unix, allow(dead_code, reason = "the fallback off unix"))]
    Path(PathBuf),
}

fn dir_id(p: &Path, m: &std::fs::Metadata) -> DirId {
    #[cfg(unix)]
    {
        let _ = p;
        use std::os::unix::fs::MetadataExt;
        DirId::Inode(m.dev(), m.ino())
    }
    #[cfg(not(unix))]
    {
        let _ = m;
        DirId::Path(std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf()))
    }
}

/// `a FIFO`, `a socket`, ... for a file that is neither regular nor a folder.
fn special_kind(m: &std::fs::Metadata) -> Option<&'static str> {
    let t = m.file_type();
    if t.is_file() || t.is_dir() {
        return None;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return Some("a FIFO");
        }
        if t.is_socket() {
            return Some("a socket");
        }
        if t.is_char_device() {
            return Some("a character device");
        }
        if t.is_block_device() {
            return Some("a block device");
        }
    }
    Some("not a file or folder")
}

fn is_json(p: &Path) -> bool {
    p.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
}

/// Every `*.json` below `root`, real folders first (sorted), then the folders reached only
/// through symbolic links, each folder once. Iterative, so a deep tree cannot overflow the
/// stack.
fn walk(root: &Path, out: &mut Vec<Input>, errors: &mut Vec<LoadError>) {
    let mut seen = std::collections::HashSet::new();
    if let Ok(m) = std::fs::metadata(root) {
        seen.insert(dir_id(root, &m));
    }
    // Links to folders, followed after the real tree: (link, folder holding it).
    let mut links: std::collections::VecDeque<(PathBuf, PathBuf)> =
        std::collections::VecDeque::new();
    let mut stack = vec![root.to_path_buf()];
    loop {
        let Some(dir) = stack.pop() else {
            // The real tree is done: follow the next link to a folder not yet walked.
            let Some((link, holder)) = links.pop_front() else {
                break;
            };
            let Ok(m) = std::fs::metadata(&link) else {
                continue;
            };
            let target = std::fs::canonicalize(&link).unwrap_or_else(|_| link.clone());
            let holder = std::fs::canonicalize(&holder).unwrap_or(holder);
            if holder.starts_with(&target) {
                errors.push(LoadError::LinkLoop {
                    path: link.display().to_string(),
                    target: target.display().to_string(),
                });
                continue;
            }
            if seen.insert(dir_id(&link, &m)) {
                stack.push(link);
            }
            continue;
        };
        let rd = match std::fs::read_dir(&dir) {
            Ok(rd) => rd,
            Err(error) => {
                errors.push(LoadError::Io {
                    path: dir.display().to_string(),
                    error,
                });
                continue;
            }
        };
        let mut entries: Vec<(std::ffi::OsString, std::fs::FileType)> = rd
            .filter_map(Result::ok)
            .filter(|e| !e.file_name().as_encoded_bytes().starts_with(b"."))
            .filter_map(|e| e.file_type().ok().map(|t| (e.file_name(), t)))
            .collect();
        // One folder: its paths sort as their names do, compared as bytes (comparing
        // `Path`s walks their components, a cost that counts in a folder of thousands).
        entries.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let mut subdirs = Vec::new();
        for (name, t) in entries {
            let p = dir.join(name);
            if t.is_dir() {
                if let Ok(m) = std::fs::metadata(&p) {
                    if seen.insert(dir_id(&p, &m)) {
                        subdirs.push(p);
                    }
                }
            } else if t.is_symlink() {
                match std::fs::metadata(&p) {
                    Ok(m) if m.is_dir() => links.push_back((p, dir.clone())),
                    Ok(m) if m.is_file() && is_json(&p) => out.push(Input::Found(p)),
                    // A link to a FIFO, socket or device is skipped like one.
                    Ok(_) => {}
                    Err(e) => {
                        // A link that points nowhere matters where it looks like a policy;
                        // a loop of links anywhere.
                        if let Ok(err) = link_error(&p, e) {
                            if is_json(&p) || matches!(err, LoadError::BadLink { .. }) {
                                errors.push(err);
                            }
                        }
                    }
                }
            } else if t.is_file() && is_json(&p) {
                out.push(Input::Found(p));
            }
            // FIFOs, sockets and devices: skipped (reading one could block forever).
        }
        // Depth first, in sorted order: the first subfolder on top of the stack.
        stack.extend(subdirs.into_iter().rev());
    }
}

/// Refuse a path that exists but is no regular file (a folder, FIFO, socket or device) or is
/// a broken symbolic link, with the error [`read`] would give. A path that does not exist
/// passes: the caller decides what that means.
pub fn regular_file(p: &Path) -> Result<(), LoadError> {
    let path = || p.display().to_string();
    match std::fs::metadata(p) {
        Ok(m) if m.is_dir() => Err(LoadError::IsDirectory { path: path() }),
        Ok(m) => match special_kind(&m) {
            Some(kind) => Err(LoadError::NotRegular { path: path(), kind }),
            None => Ok(()),
        },
        Err(e) => match link_error(p, e) {
            Ok(err) => Err(err),
            Err(_) => Ok(()),
        },
    }
}

/// Read one input as UTF-8 text, within [`MAX_BYTES`].
pub fn read(input: &Input) -> Result<Document, LoadError> {
    read_within(input, Limit::POLICY)
}

/// Read an account dump as UTF-8 text, within [`MAX_DUMP_BYTES`].
pub fn read_dump(input: &Input) -> Result<Document, LoadError> {
    read_within(input, Limit::DUMP)
}

/// A size limit and what it is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    /// The most bytes read.
    pub max: u64,
    /// What it is for, in messages: [`FOR_POLICY`] or [`FOR_DUMP`].
    pub what: &'static str,
}

impl Limit {
    /// [`MAX_BYTES`], for a policy document.
    pub const POLICY: Limit = Limit {
        max: MAX_BYTES,
        what: FOR_POLICY,
    };
    /// [`MAX_DUMP_BYTES`], for an account dump.
    pub const DUMP: Limit = Limit {
        max: MAX_DUMP_BYTES,
        what: FOR_DUMP,
    };
}

/// Read one input as UTF-8 text, within `limit` (the tests give a small one).
pub fn read_within(input: &Input, limit: Limit) -> Result<Document, LoadError> {
    let Limit { max, what } = limit;
    let (origin, bytes, limit) = match input {
        Input::Stdin => {
            let mut buf = Vec::new();
            std::io::stdin()
                .take(max + 1)
                .read_to_end(&mut buf)
                .map_err(|error| LoadError::Io {
                    path: "-".into(),
                    error,
                })?;
            if buf.len() as u64 > max {
                return Err(LoadError::StdinTooLarge {
                    path: "-".into(),
                    max,
                    what,
                });
            }
            ("-".to_string(), buf, limit)
        }
        Input::Found(p) => {
            // The walk saw a regular file (or a link to one), so only `open` and `read`
            // reach the OS, which counts on a folder of thousands of policies. Opened
            // without blocking: should it have become a FIFO since, neither call waits (an
            // empty one reads as an empty document, which is an error finding, not a pass).
            let path = p.display().to_string();
            let bytes = open_nonblocking(p)
                .and_then(|f| read_capped(f, max))
                .map_err(|error| LoadError::Io {
                    path: path.clone(),
                    error,
                })?;
            if bytes.len() as u64 > max {
                // An account dump found in a folder gets the dump's limit.
                if limit == Limit::POLICY && starts_like_dump(&bytes) {
                    return read_within(&Input::File(p.clone()), Limit::DUMP);
                }
                return Err(LoadError::TooLarge {
                    path,
                    size: bytes.len() as u64,
                    max,
                    what,
                });
            }
            (path, bytes, limit)
        }
        Input::File(p) => {
            let path = p.display().to_string();
            let io = |error| LoadError::Io {
                path: path.clone(),
                error,
            };
            // Look before opening: opening a FIFO blocks until something writes to it.
            let m = match std::fs::metadata(p) {
                Ok(m) => m,
                Err(e) => return Err(link_error(p, e).unwrap_or_else(io)),
            };
            if m.is_dir() {
                return Err(LoadError::IsDirectory { path });
            }
            if let Some(kind) = special_kind(&m) {
                return Err(LoadError::NotRegular { path, kind });
            }
            let mut f = std::fs::File::open(p).map_err(io)?;
            let size = f.metadata().map_err(io)?.len();
            // A file that starts as an account dump (`lint` of one) gets the dump's limit.
            let (max, what) =
                if size > max && limit == Limit::POLICY && file_starts_like_dump(&mut f) {
                    (MAX_DUMP_BYTES, FOR_DUMP)
                } else {
                    (max, what)
                };
            if size > max {
                return Err(LoadError::TooLarge {
                    path,
                    size,
                    max,
                    what,
                });
            }
            let mut buf = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
            f.take(max + 1).read_to_end(&mut buf).map_err(io)?;
            (path, buf, Limit { max, what })
        }
    };
    from_bytes_within(origin, bytes, limit)
}

/// Does this text start as an account dump: an object whose first key is one of the dump's
/// top-level lists (the aws CLI and `iamlint fetch gaad` write `UserDetailList` first)?
/// Only the first key is looked at, so a large policy is never read as a dump.
fn starts_like_dump(head: &[u8]) -> bool {
    let head = head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(head);
    let mut rest = head.iter().skip_while(|b| b.is_ascii_whitespace());
    if rest.next() != Some(&b'{') {
        return false;
    }
    let rest: Vec<u8> = rest
        .skip_while(|b| b.is_ascii_whitespace())
        .take(20)
        .copied()
        .collect();
    [
        &b"\"UserDetailList\""[..],
        b"\"GroupDetailList\"",
        b"\"RoleDetailList\"",
        b"\"Policies\"",
    ]
    .iter()
    .any(|k| rest.starts_with(k))
}

/// [`starts_like_dump`] of a file's first bytes; the file is read from its start after.
fn file_starts_like_dump(f: &mut std::fs::File) -> bool {
    use std::io::Seek;
    let mut head = Vec::with_capacity(4096);
    let ok = (&mut *f).take(4096).read_to_end(&mut head).is_ok();
    f.rewind().is_ok() && ok && starts_like_dump(&head)
}

/// A document read (or why not), and whether a folder walk found it: JSON found in a
/// folder that is not a policy is skipped, not linted.
pub type Loaded = (Result<Document, LoadError>, bool);

/// A document to come: an input still to read, or a text already in memory.
#[derive(Debug)]
pub enum Pending {
    /// Read when [`Pending::load`]ed.
    Read(Input),
    /// Already read (a live IAM document).
    Ready(Document),
}

impl Pending {
    /// Read it (if not yet): the document, and whether a folder walk found it.
    pub fn load(self) -> Loaded {
        match self {
            Pending::Read(i) => (read(&i), i.in_folder()),
            Pending::Ready(d) => (Ok(d), false),
        }
    }
}

/// The inputs of `lint`: each path (a file, every `*.json` below a folder, `-`), then
/// documents already in memory (live IAM's), in that order; and the paths that could not
/// be expanded. Nothing is read yet: the thread that lints a document reads it, so a text
/// lives only while it is linted.
pub fn load(paths: &[String], extra: Vec<Document>) -> (Vec<Pending>, Vec<LoadError>) {
    let (inputs, errors) = expand(paths);
    let docs = inputs
        .into_iter()
        .map(Pending::Read)
        .chain(extra.into_iter().map(Pending::Ready))
        .collect();
    (docs, errors)
}

/// Read the `--policy` inputs of `check`: files, folders, stdin, AWS managed policy ARNs.
/// JSON found in a folder that is not a policy is not one of the principal's; a folder
/// holding no policy at all is an error.
pub fn policies(specs: &[String]) -> (Vec<Document>, Vec<String>) {
    let mut docs = Vec::new();
    let mut errors = Vec::new();
    for spec in specs {
        if managed::is_managed_arn(spec) {
            match managed::find(spec) {
                Ok(p) => docs.push(Document {
                    origin: p.arn.clone(),
                    text: managed::document_text(p),
                }),
                Err(e) => errors.push(e),
            }
            continue;
        }
        let (inputs, errs) = expand(std::slice::from_ref(spec));
        errors.extend(errs.iter().map(ToString::to_string));
        let before = docs.len();
        let mut skipped = 0;
        // Read on every core (a folder may hold thousands of policies), kept in order.
        let read: Vec<Result<Option<Document>, LoadError>> = {
            use rayon::prelude::*;
            inputs
                .par_iter()
                .map(|i| {
                    // JSON found in a folder that is not a policy is not one of the principal's.
                    read(i).map(|d| (!(i.in_folder() && not_a_policy_text(&d))).then_some(d))
                })
                .collect()
        };
        for r in read {
            match r {
                Ok(Some(d)) => docs.push(d),
                Ok(None) => skipped += 1,
                Err(e) => errors.push(e.to_string()),
            }
        }
        if skipped > 0 && docs.len() == before {
            errors.push(format!(
                "{spec}: the folder holds no policy documents ({skipped} JSON file{} that {} not)",
                if skipped == 1 { "" } else { "s" },
                if skipped == 1 { "is" } else { "are" }
            ));
        }
    }
    (docs, errors)
}

/// JSON that parses and is not a policy (see [`not_a_policy`]). A text that names
/// `Version` or `Statement` is taken as a policy without parsing it twice (a folder of
/// policies is the common case).
fn not_a_policy_text(d: &Document) -> bool {
    if d.text.contains("\"Statement\"") || d.text.contains("\"Version\"") {
        return false;
    }
    crate::policy::json::parse(&d.text).is_ok_and(|p| not_a_policy(&p.root).is_some())
}

/// Open for reading; on unix with `O_NONBLOCK`, so that opening a FIFO never waits for a
/// writer (and reading an empty one fails rather than waits).
fn open_nonblocking(p: &Path) -> std::io::Result<std::fs::File> {
    let mut o = std::fs::OpenOptions::new();
    o.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.custom_flags(libc::O_NONBLOCK);
    }
    o.open(p)
}

/// Up to `max` + 1 bytes of `f`, read through a buffer kept by the thread (two `read` calls
/// for a file that fits), then copied out at its exact size.
fn read_capped(f: std::fs::File, max: u64) -> std::io::Result<Vec<u8>> {
    thread_local! {
        static BUF: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    BUF.with_borrow_mut(|buf| {
        buf.clear();
        buf.reserve(64 * 1024);
        f.take(max + 1).read_to_end(buf)?;
        let out = buf.as_slice().to_vec();
        // A huge file once must not keep its buffer for the rest of the run.
        buf.shrink_to(64 * 1024);
        Ok(out)
    })
}

/// Check size, NUL bytes and UTF-8 of a loaded buffer.
pub fn from_bytes(origin: String, bytes: Vec<u8>) -> Result<Document, LoadError> {
    from_bytes_within(origin, bytes, Limit::POLICY)
}

/// [`from_bytes`] within `limit`.
fn from_bytes_within(origin: String, bytes: Vec<u8>, limit: Limit) -> Result<Document, LoadError> {
    if bytes.len() as u64 > limit.max {
        return Err(LoadError::TooLarge {
            path: origin,
            size: bytes.len() as u64,
            max: limit.max,
            what: limit.what,
        });
    }
    if let Some(i) = memchr::memchr(0, &bytes) {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(text: &str) -> Option<SkipReason> {
        let parsed = crate::policy::json::parse(text).unwrap();
        not_a_policy(&parsed.root)
    }

    #[test]
    fn a_dump_over_its_limit_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("d.json");
        std::fs::write(&path, r#"{"UserDetailList": [], "Policies": []}"#).unwrap();
        let input = Input::File(path.clone());
        let small = Limit {
            max: 16,
            what: FOR_DUMP,
        };
        let e = read_within(&input, small).unwrap_err().to_string();
        assert_eq!(
            e,
            format!(
                "{}: the file is 38 bytes, over the 16 byte limit for an account dump",
                path.display()
            )
        );
        // Within the limit, read whole.
        let big = Limit {
            max: 38,
            what: FOR_DUMP,
        };
        assert_eq!(read_within(&input, big).unwrap().text.len(), 38);
        // The audit's read takes the same limit and gives the same error.
        let e = crate::analysis::audit::Account::read_within(&path.display().to_string(), small)
            .unwrap_err()
            .to_string();
        assert!(
            e.ends_with("over the 16 byte limit for an account dump"),
            "{e}"
        );
        const { assert!(MAX_DUMP_BYTES > MAX_BYTES) };
    }

    #[test]
    fn only_a_text_whose_first_key_is_a_dump_list_starts_like_a_dump() {
        for (text, want) in [
            (r#"{"UserDetailList": []}"#, true),
            ("\u{feff}\n {\n    \"RoleDetailList\": []}", true),
            (r#"{"Policies":[]}"#, true),
            (r#"{"GroupDetailList": []}"#, true),
            (r#"{"Version": "2012-10-17", "UserDetailList": []}"#, false),
            (r#"{"Statement": []}"#, false),
            (r#"["UserDetailList"]"#, false),
            (r#"{"UserDetailListX": []}"#, false),
            ("", false),
        ] {
            assert_eq!(starts_like_dump(text.as_bytes()), want, "{text}");
        }
    }

    #[test]
    fn tells_policies_from_other_json() {
        let policy = Some(SkipReason::NotAPolicy);
        let cfn = Some(SkipReason::CloudformationTemplate);
        for (text, want) in [
            (r#"{"Version": "2012-10-17", "Statement": []}"#, None),
            (r#"{"Statement": []}"#, None),
            (r#"{"Version": "2012-10-17"}"#, None),
            (r#"{"UserDetailList": []}"#, None),
            // Near misses stay policies, so their mistakes are reported.
            (r#"{"Statment": []}"#, None),
            (r#"{"statement": []}"#, None),
            (r#"{"Statements": []}"#, None),
            (r#"{"Verison": "2012-10-17"}"#, None),
            (r#"{"Effect": "Allow", "Action": "s3:*"}"#, None),
            // Not policies.
            (r#"{"name": "x", "version": "1.0.0"}"#, policy),
            (r#"{"VERSION": 3}"#, policy),
            (r#"[1, 2]"#, policy),
            (r#""text""#, policy),
            (r#"{}"#, policy),
            (r#"{"Resources": {}}"#, policy),
            (r#"{"AWSTemplateFormatVersion": "2010-09-09"}"#, cfn),
            (r#"{"Resources": {"R": {"Type": "AWS::IAM::Role"}}}"#, cfn),
        ] {
            assert_eq!(kind(text), want, "{text}");
        }
    }
}
