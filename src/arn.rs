//! ARNs and ARN patterns: `arn:partition:service:region:account:resource`, with `*`/`?`
//! wildcards and policy variables (`${aws:username}`; `${*}`, `${?}`, `${$}` stand for the
//! literal characters), and the question the checks ask of them: can a policy's resource
//! pattern name a resource of a given type, whose ARN format the catalog gives as e.g.
//! `arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}`?

use std::fmt;

/// Partitions AWS documents (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html>).
pub const PARTITIONS: &[&str] = &[
    "aws",
    "aws-cn",
    "aws-us-gov",
    "aws-iso",
    "aws-iso-b",
    "aws-iso-e",
    "aws-iso-f",
    "aws-eusc",
];

/// One partition of `data/regions.json`: its Regions and the pattern of their names.
struct PartitionRegions {
    id: String,
    regex: Option<regex_lite::Regex>,
    regions: Vec<String>,
}

#[derive(serde::Deserialize)]
struct RegionsFile {
    partitions: Vec<RegionsEntry>,
}

#[derive(serde::Deserialize)]
struct RegionsEntry {
    id: String,
    #[serde(rename = "regionRegex")]
    region_regex: String,
    regions: Vec<String>,
}

/// `data/regions.json`, made by `scripts/build-regions` from the AWS SDK's partition table
/// (<https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-regions.html>).
static REGIONS_JSON: &str = include_str!("../data/regions.json");

static REGIONS: std::sync::LazyLock<Vec<PartitionRegions>> = std::sync::LazyLock::new(|| {
    // INVARIANT: the file is embedded and a unit test parses it; were it unreadable, no
    // Region would be known and the checks that need one stay silent rather than wrong.
    serde_json::from_str::<RegionsFile>(REGIONS_JSON)
        .map(|f| {
            f.partitions
                .into_iter()
                .map(|p| PartitionRegions {
                    regex: regex_lite::Regex::new(&p.region_regex).ok(),
                    id: p.id,
                    regions: p.regions,
                })
                .collect()
        })
        .unwrap_or_default()
});

/// The partition a Region name belongs to (`cn-north-1` → `aws-cn`), or `None` when the
/// name is not a Region: neither listed in `data/regions.json` nor of the form its
/// partitions' Regions take (`us-east-1a`, an Availability Zone, is not one).
pub fn region_partition(name: &str) -> Option<&'static str> {
    if name.is_empty() {
        return None;
    }
    let parts: &'static [PartitionRegions] = &REGIONS;
    parts
        .iter()
        .find(|p| p.regions.iter().any(|r| r == name))
        .or_else(|| {
            parts
                .iter()
                .find(|p| p.regex.as_ref().is_some_and(|re| re.is_match(name)))
        })
        .map(|p| p.id.as_str())
}

/// Every Region `data/regions.json` lists, for "did you mean".
pub fn region_names() -> impl Iterator<Item = &'static str> {
    let parts: &'static [PartitionRegions] = &REGIONS;
    parts
        .iter()
        .flat_map(|p| p.regions.iter().map(String::as_str))
}

/// Partition names of `data/regions.json`, in its order.
pub fn partition_names() -> impl Iterator<Item = &'static str> {
    let parts: &'static [PartitionRegions] = &REGIONS;
    parts.iter().map(|p| p.id.as_str())
}

/// The longest ARN AWS accepts: IAM and STS API types that take an ARN allow at most 2,048
/// characters (<https://docs.aws.amazon.com/STS/latest/APIReference/API_PolicyDescriptorType.html>,
/// `arn`: "Maximum length of 2048"). A longer resource value names nothing AWS has; comparing
/// it costs the product of the lengths, so it is reported and not compared (issue 10).
pub const MAX_ARN_LEN: usize = 2048;

/// A policy `Resource` value: `*` or an ARN pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResourcePattern {
    /// `*`: every resource.
    Any,
    /// An ARN, maybe with wildcards and variables.
    Arn(ArnPattern),
}

/// A parsed ARN pattern. Components are kept as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArnPattern {
    /// `aws`, `aws-cn`, ... or a wildcard.
    pub partition: String,
    /// The service namespace, e.g. `s3`.
    pub service: String,
    /// The region; empty for global services.
    pub region: String,
    /// The account id; empty where the format has none.
    pub account: String,
    /// Everything after the fifth colon.
    pub resource: String,
    /// True when the pattern had fewer than six components and ends in a wildcard, e.g.
    /// `arn:aws:s3:*`: it then matches as one string.
    pub short: Option<String>,
}

/// Why a resource is not an ARN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArnError {
    /// It does not start with `arn:`; maybe with a corrected form.
    NotArn(Option<String>),
    /// Fewer than six colon-separated components.
    TooFewParts(usize),
    /// A partition AWS does not have.
    UnknownPartition(String),
    /// The service component is empty.
    EmptyService,
    /// Longer than [`MAX_ARN_LEN`] bytes (the length).
    TooLong(usize),
}

impl fmt::Display for ArnError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ArnError::NotArn(_) => write!(
                f,
                "is not an ARN (`arn:partition:service:region:account:resource`) or `*`"
            ),
            ArnError::TooFewParts(n) => {
                write!(f, "has {n} of the six colon-separated ARN components")
            }
            ArnError::UnknownPartition(p) => {
                write!(f, "names the partition `{p}`, which AWS does not have")
            }
            ArnError::EmptyService => write!(f, "has an empty service component"),
            ArnError::TooLong(n) => write!(
                f,
                "is {n} characters long; an ARN is at most {MAX_ARN_LEN}, so it names no resource"
            ),
        }
    }
}

impl ResourcePattern {
    /// Parse a `Resource` value.
    pub fn parse(text: &str) -> Result<Self, ArnError> {
        if text == "*" {
            return Ok(ResourcePattern::Any);
        }
        ArnPattern::parse(text).map(ResourcePattern::Arn)
    }
}

impl ArnPattern {
    /// Parse an ARN pattern.
    pub fn parse(text: &str) -> Result<Self, ArnError> {
        if text.len() > MAX_ARN_LEN {
            return Err(ArnError::TooLong(text.len()));
        }
        let Some(rest) = text.strip_prefix("arn:") else {
            return Err(ArnError::NotArn(fix_uri(text)));
        };
        let comps = split_components(rest);
        if comps.len() < 5 {
            if text.ends_with('*') {
                let partition = comps.first().copied().unwrap_or("").to_string();
                return Ok(ArnPattern {
                    service: comps.get(1).copied().unwrap_or("*").to_string(),
                    partition,
                    region: String::new(),
                    account: String::new(),
                    resource: String::new(),
                    short: Some(text.to_string()),
                });
            }
            return Err(ArnError::TooFewParts(comps.len() + 1));
        }
        let get = |i: usize| comps.get(i).copied().unwrap_or("").to_string();
        let p = ArnPattern {
            partition: get(0),
            service: get(1),
            region: get(2),
            account: get(3),
            resource: get(4),
            short: None,
        };
        if !has_wild(&p.partition) && !PARTITIONS.contains(&p.partition.as_str()) {
            return Err(ArnError::UnknownPartition(p.partition));
        }
        if p.service.is_empty() {
            return Err(ArnError::EmptyService);
        }
        Ok(p)
    }

    /// Can this pattern name a resource whose ARN has the catalog `format`?
    pub fn can_match_format(&self, format: &str) -> bool {
        Format::split(format).is_some_and(|f| self.can_match(&f))
    }

    /// [`ArnPattern::can_match_format`] of a format split once ([`Format::split`]), for
    /// matching many patterns against the same formats.
    pub fn can_match(&self, f: &Format<'_>) -> bool {
        if let Some(short) = &self.short {
            return tokens_intersect(short, f.text);
        }
        let Some([fp, fs, fr, fa, fres]) = f.fields else {
            return false;
        };
        let [vp, vs, vr, va, vres] = f.vars;
        // The service is almost always literal on both sides: decide it cheaply first.
        if !vs && !has_wild(&self.service) && self.service != fs {
            return false;
        }
        [
            (&self.partition, fp, vp),
            (&self.service, fs, vs),
            (&self.region, fr, vr),
            (&self.account, fa, va),
            (&self.resource, fres, vres),
        ]
        .iter()
        .all(|&(p, f, var)| component_intersects(p, f, var))
    }
}

/// A catalog ARN format (`arn:${Partition}:s3:::${BucketName}`) split into its five fields
/// after `arn:`, each with whether it holds a variable: what matching a pattern against it
/// needs, found once rather than for every pattern.
#[derive(Debug, Clone, Copy)]
pub struct Format<'f> {
    /// The whole format.
    text: &'f str,
    /// Partition, service, Region, account and resource, as `splitn(5, ':')` gives them;
    /// `None` when the format has fewer than five colons after `arn:`.
    fields: Option<[&'f str; 5]>,
    /// Which fields hold a variable (`${`).
    vars: [bool; 5],
}

impl<'f> Format<'f> {
    /// Partition, service, Region, account and resource; `None` when the format has fewer
    /// than five colons after `arn:`.
    pub fn fields(&self) -> Option<[&'f str; 5]> {
        self.fields
    }

    /// Split `text`; `None` when it does not start with `arn:` (it then matches nothing).
    pub fn split(text: &'f str) -> Option<Format<'f>> {
        let frest = text.strip_prefix("arn:")?;
        let b = frest.as_bytes();
        let mut colons = b
            .iter()
            .enumerate()
            .filter(|&(_, &c)| c == b':')
            .map(|(i, _)| i);
        let fields = match (colons.next(), colons.next(), colons.next(), colons.next()) {
            (Some(c1), Some(c2), Some(c3), Some(c4)) => {
                let part = |from: usize, to: usize| frest.get(from..to).unwrap_or("");
                Some([
                    part(0, c1),
                    part(c1 + 1, c2),
                    part(c2 + 1, c3),
                    part(c3 + 1, c4),
                    part(c4 + 1, frest.len()),
                ])
            }
            _ => None,
        };
        Some(Format {
            text,
            fields,
            vars: fields.map_or([false; 5], |f| f.map(has_var)),
        })
    }
}

/// The five components after `arn:`, split at colons outside policy variables: the colon in
/// `${aws:PrincipalAccount}` does not end the account (issue 9: AWS managed policies write
/// `arn:*:kms:*:${aws:PrincipalAccount}:key/*`). An unclosed `${` splits at every colon.
fn split_components(rest: &str) -> Vec<&str> {
    let mut out = Vec::with_capacity(5);
    let mut start = 0;
    let mut in_var = false;
    for (i, c) in rest.char_indices() {
        if out.len() == 4 {
            break;
        }
        if in_var {
            in_var = c != '}';
        } else if c == '$' && rest.get(i..).is_some_and(|t| t.starts_with("${")) {
            in_var = true;
        } else if c == ':' {
            out.push(rest.get(start..i).unwrap_or(""));
            start = i + 1;
        }
    }
    out.push(rest.get(start..).unwrap_or(""));
    if in_var && out.len() < 5 {
        return rest.splitn(5, ':').collect();
    }
    out
}

/// One component: the common shapes decided without building automata. `f_var`: `f`
/// holds a variable.
fn component_intersects(p: &str, f: &str, f_var: bool) -> bool {
    if p == "*" {
        return true;
    }
    if !f_var {
        if !has_wild(p) {
            return p == f;
        }
    } else if let Some(name) = f.strip_prefix("${").and_then(|r| r.strip_suffix('}')) {
        if !name.contains(['$', '{', '}']) && !has_wild(p) {
            // The whole component is one variable; `p` is a literal.
            return !NO_SLASH_VARS.contains(&name) || !p.contains(['/', ':']);
        }
    }
    if !literal_ends_agree(p, f) {
        return false;
    }
    tokens_intersect(p, f)
}

/// A necessary condition for [`component_intersects`], in linear time: a string both sides
/// accept starts with the literal head of each (the text before the first wildcard or
/// variable) and ends with the literal tail of each, so of each pair one is a prefix (a
/// suffix) of the other. Most types of a service differ there (`table/` and `function:`),
/// so most pairs are told apart without building the product automaton.
fn literal_ends_agree(p: &str, f: &str) -> bool {
    // `$` opens a variable only as `${`, but stopping at any `$` is merely less decisive.
    // Bytes: every delimiter is ASCII, so each index found is a character boundary.
    let (pb, fb) = (p.as_bytes(), f.as_bytes());
    let ph_len = pb
        .iter()
        .position(|&c| matches!(c, b'*' | b'?' | b'$'))
        .unwrap_or(pb.len());
    let fh_len = fb.iter().position(|&c| c == b'$').unwrap_or(fb.len());
    let (ph, fh) = (
        pb.get(..ph_len).unwrap_or(&[]),
        fb.get(..fh_len).unwrap_or(&[]),
    );
    if !(ph.starts_with(fh) || fh.starts_with(ph)) {
        return false;
    }
    // Tails: the text after the last wildcard or variable (a variable ends at `}`).
    let p_tail = pb
        .iter()
        .rposition(|&c| matches!(c, b'*' | b'?' | b'}'))
        .map_or(pb, |i| pb.get(i + 1..).unwrap_or(&[]));
    let f_tail = fb
        .iter()
        .rposition(|&c| c == b'}')
        .map_or(fb, |i| fb.get(i + 1..).unwrap_or(&[]));
    // With no wildcard at all, the whole text is both head and tail: already compared.
    p_tail.ends_with(f_tail) || f_tail.ends_with(p_tail)
}

impl fmt::Display for ArnPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.short {
            Some(s) => f.write_str(s),
            None => write!(
                f,
                "arn:{}:{}:{}:{}:{}",
                self.partition, self.service, self.region, self.account, self.resource
            ),
        }
    }
}

/// Does `s` hold a policy variable (`${`)? A plain loop over the bytes: this runs on short
/// ARN fields for every (resource, type) pair, where `str::contains("${")` would build a
/// substring searcher and `memchr` costs a call per `$`.
pub fn has_var(s: &str) -> bool {
    s.as_bytes().windows(2).any(|w| w == b"${")
}

fn has_wild(s: &str) -> bool {
    s.bytes().any(|b| b == b'*' || b == b'?') || has_var(s)
}

/// `s3://bucket/key` is how people write S3 locations; IAM needs `arn:aws:s3:::bucket/key`.
fn fix_uri(text: &str) -> Option<String> {
    let path = text.strip_prefix("s3://")?;
    Some(format!("arn:aws:s3:::{path}"))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tok {
    Lit(char),
    /// `?`: one character other than `:`.
    One,
    /// `*` or a policy variable: any string.
    Star,
    /// `*` inside a segment (not followed by `:` or the end): any string without `:`
    /// (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html#reference_policies_elements_resource_wildcards>).
    SegStar,
    /// A format variable: any string; `false` = excluding `/`.
    Var(bool),
}

/// The star token for a `*` followed by `next`: it crosses `:` only as the last character
/// of its segment.
fn star(next: Option<char>) -> Tok {
    if matches!(next, None | Some(':')) {
        Tok::Star
    } else {
        Tok::SegStar
    }
}

/// Tokens of a policy pattern component.
fn policy_tokens(s: &str) -> Vec<Tok> {
    let mut out = Vec::with_capacity(s.len());
    policy_tokens_into(s, &mut out);
    out
}

/// [`policy_tokens`] appended to `out`.
fn policy_tokens_into(s: &str, out: &mut Vec<Tok>) {
    tokens_into(
        s,
        out,
        |inner| match inner {
            "*" => Tok::Lit('*'),
            "?" => Tok::Lit('?'),
            "$" => Tok::Lit('$'),
            // A request-time value: could be anything.
            _ => Tok::Star,
        },
        |c, next| match c {
            '*' => Some(star(next)),
            '?' => Some(Tok::One),
            _ => None,
        },
    );
}

/// Tokens of `s` appended to `out`, a byte at a time (every delimiter is ASCII; a
/// character is decoded only where a byte is not ASCII): `var` makes the token of a
/// `${...}` from its inside, `special` that of a character from it and the next one (else
/// a literal).
fn tokens_into(
    s: &str,
    out: &mut Vec<Tok>,
    var: impl Fn(&str) -> Tok,
    special: impl Fn(char, Option<char>) -> Option<Tok>,
) {
    let b = s.as_bytes();
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        if let Some(close) = variable_end(b, i) {
            out.push(var(s.get(i + 2..close).unwrap_or("")));
            i = close + 1;
            continue;
        }
        i += push_char(s, i, c, out, &special);
    }
}

/// Where the `${...}` opening at byte `i` of `b` closes (the index of its `}`), if one
/// opens there and closes.
fn variable_end(b: &[u8], i: usize) -> Option<usize> {
    if b.get(i) != Some(&b'$') || b.get(i + 1) != Some(&b'{') {
        return None;
    }
    memchr::memchr(b'}', b.get(i + 2..)?).map(|k| i + 2 + k)
}

/// Push the token of the character at byte `i` of `s` (whose first byte is `c`): what
/// `special` makes of it and the character after it, else a literal. Returns its length.
fn push_char(
    s: &str,
    i: usize,
    c: u8,
    out: &mut Vec<Tok>,
    special: &impl Fn(char, Option<char>) -> Option<Tok>,
) -> usize {
    let (ch, len) = if c.is_ascii() {
        (char::from(c), 1)
    } else {
        let ch = s
            .get(i..)
            .and_then(|r| r.chars().next())
            .unwrap_or('\u{fffd}');
        (ch, ch.len_utf8().max(1))
    };
    // Only ASCII characters are special, and only an ASCII next one decides a `*`.
    let next = s.as_bytes().get(i + len).map(|&n| char::from(n));
    out.push(special(ch, next).unwrap_or(Tok::Lit(ch)));
    len
}

/// Format variables whose values cannot contain `/` (nor `:`). S3 bucket names are DNS-like
/// (<https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html>); without
/// this, `arn:aws:s3:::b/*` would pass as a bucket ARN, a common and costly mistake.
const NO_SLASH_VARS: &[&str] = &["BucketName", "Account", "Region", "Partition"];

/// Tokens of a catalog ARN format component.
#[cfg(test)]
fn format_tokens(s: &str) -> Vec<Tok> {
    let mut out = Vec::with_capacity(s.len());
    format_tokens_into(s, &mut out);
    out
}

/// [`format_tokens`] appended to `out`.
fn format_tokens_into(s: &str, out: &mut Vec<Tok>) {
    tokens_into(
        s,
        out,
        |name| Tok::Var(!NO_SLASH_VARS.contains(&name)),
        |_, _| None,
    );
}

/// Is there a string both token sequences accept? A reachability search over the product
/// of the two automata: O(n·m) states, each visited once.
fn intersects(p: &[Tok], f: &[Tok]) -> bool {
    SCRATCH.with_borrow_mut(|sc| intersects_in(p, f, &mut sc.seen, &mut sc.stack))
}

/// Buffers the ARN matching of one thread reuses: token lists and the search's state.
#[derive(Default)]
struct Scratch {
    p: Vec<Tok>,
    f: Vec<Tok>,
    seen: Vec<u64>,
    stack: Vec<(usize, usize)>,
}

thread_local! {
    static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::default();
}

/// Tokens of policy component `p` and format component `f`, and whether they intersect,
/// with this thread's buffers (nothing allocated once they have grown).
fn tokens_intersect(p: &str, f: &str) -> bool {
    SCRATCH.with_borrow_mut(|sc| {
        let Scratch {
            p: pt,
            f: ft,
            seen,
            stack,
        } = sc;
        pt.clear();
        ft.clear();
        policy_tokens_into(p, pt);
        format_tokens_into(f, ft);
        intersects_in(pt, ft, seen, stack)
    })
}

/// [`intersects`] with the visited set (a bit per state) and the stack given.
fn intersects_in(
    p: &[Tok],
    f: &[Tok],
    seen: &mut Vec<u64>,
    stack: &mut Vec<(usize, usize)>,
) -> bool {
    let (n, m) = (p.len(), f.len());
    let w = m + 1;
    seen.clear();
    seen.resize(((n + 1) * w).div_ceil(64), 0);
    stack.clear();
    stack.push((0, 0));
    while let Some((i, j)) = stack.pop() {
        let at = i * w + j;
        let Some(word) = seen.get_mut(at / 64) else {
            continue;
        };
        let bit = 1u64 << (at % 64);
        if *word & bit != 0 {
            continue;
        }
        *word |= bit;
        if i == n && j == m {
            return true;
        }
        let pt = p.get(i).copied();
        let ft = f.get(j).copied();
        if matches!(pt, Some(Tok::Star | Tok::SegStar)) {
            stack.push((i + 1, j));
        }
        if let Some(Tok::Var(_)) = ft {
            stack.push((i, j + 1));
        }
        let (Some(pt), Some(ft)) = (pt, ft) else {
            continue;
        };
        // One character consumed by both sides.
        let ok = match (pt, ft) {
            (Tok::Lit(a), Tok::Lit(b)) => a == b,
            (Tok::Lit(a), Tok::Var(any)) => any || (a != '/' && a != ':'),
            (Tok::One | Tok::SegStar, Tok::Lit(b)) => b != ':',
            (_, Tok::Lit(_)) | (_, Tok::Var(_)) => true,
            (_, Tok::One | Tok::Star | Tok::SegStar) => false,
        };
        if !ok {
            continue;
        }
        let ni = if matches!(pt, Tok::Star | Tok::SegStar) {
            i
        } else {
            i + 1
        };
        let nj = if matches!(ft, Tok::Var(_)) { j } else { j + 1 };
        if (ni, nj) != (i, j) {
            stack.push((ni, nj));
        }
    }
    false
}

/// Does the policy resource pattern `p` match every resource the pattern `r` names?
/// `*` and `?` are wildcards on both sides; a policy variable in `p` stands for a value
/// only known at request time, so it covers only the same variable in `r`.
///
/// A value longer than [`MAX_ARN_LEN`] covers nothing and is covered by nothing but `*`:
/// the answer that never lets a grant pass unchecked.
pub fn pattern_covers(p: &str, r: &str) -> bool {
    if p == "*" {
        return true;
    }
    if p.len() > MAX_ARN_LEN || r.len() > MAX_ARN_LEN {
        return false;
    }
    // Answers without the table: `p`'s literal head and tail must be `r`'s, byte for byte
    // (a literal matches only the same literal); with no wildcard, or one final `*`, that
    // is the whole answer.
    let wild = |c: char| c == '*' || c == '?';
    let Some(first) = p.find(wild) else {
        return p == r;
    };
    let (head, rest) = p.split_at(first);
    if !r.starts_with(head) {
        return false;
    }
    if rest == "*" {
        return true;
    }
    let tail = p.rfind(wild).and_then(|i| p.get(i + 1..)).unwrap_or("");
    if !r.ends_with(tail) {
        return false;
    }
    covers_table(p, r)
}

/// [`pattern_covers`] by its table: O(|p|·|r|) time, O(|r|) memory.
fn covers_table(p: &str, r: &str) -> bool {
    let pt = cover_tokens(p);
    let rt = cover_tokens(r);
    // dp[j] = p[..i] matches every string of r[..j]
    let m = rt.len();
    let mut dp = vec![false; m + 1];
    if let Some(d) = dp.first_mut() {
        *d = true;
    }
    for t in &pt {
        let mut next = vec![false; m + 1];
        match t {
            Tok::Star | Tok::SegStar => {
                // A segment star covers a run of `r` that can never hold a `:`.
                let bounded = *t == Tok::SegStar;
                let mut any = false;
                for j in 0..=m {
                    if bounded && j > 0 && matches!(rt.get(j - 1), Some(Tok::Lit(':') | Tok::Star))
                    {
                        any = false;
                    }
                    any |= dp.get(j).copied().unwrap_or(false);
                    if let Some(n) = next.get_mut(j) {
                        *n = any;
                    }
                }
            }
            _ => {
                for j in 1..=m {
                    let ok = match (t, rt.get(j - 1)) {
                        (Tok::Lit(a), Some(Tok::Lit(b))) => a == b,
                        (Tok::One, Some(Tok::Lit(c))) => *c != ':',
                        (Tok::One, Some(Tok::One)) => true,
                        _ => false,
                    };
                    if let Some(n) = next.get_mut(j) {
                        *n = ok && dp.get(j - 1).copied().unwrap_or(false);
                    }
                }
            }
        }
        dp = next;
    }
    dp.get(m).copied().unwrap_or(false)
}

/// Can the two policy resource patterns name a common resource?
///
/// A value longer than [`MAX_ARN_LEN`] is taken to overlap everything: the answer that
/// never lets a `Deny` be overlooked.
pub fn patterns_overlap(a: &str, b: &str) -> bool {
    if a == "*" || b == "*" || a.len() > MAX_ARN_LEN || b.len() > MAX_ARN_LEN {
        return true;
    }
    // Literal heads (and tails) are consumed in step by both sides: they must agree.
    let cut = |c: char| c == '*' || c == '?' || c == '$';
    let head = |s: &'_ str| s.find(cut).unwrap_or(s.len());
    let n = head(a).min(head(b));
    if a.as_bytes().get(..n) != b.as_bytes().get(..n) {
        return false;
    }
    let tail_cut = |c: char| c == '*' || c == '?' || c == '}';
    let tail = |s: &'_ str| s.len() - s.rfind(tail_cut).map_or(0, |i| i + 1);
    let n = tail(a).min(tail(b));
    if a.as_bytes().get(a.len() - n..) != b.as_bytes().get(b.len() - n..) {
        return false;
    }
    overlap_automata(a, b)
}

/// [`patterns_overlap`] by the product automaton.
fn overlap_automata(a: &str, b: &str) -> bool {
    let bt: Vec<Tok> = policy_tokens(b)
        .into_iter()
        .map(|t| match t {
            Tok::Star | Tok::One | Tok::SegStar => Tok::Var(true),
            other => other,
        })
        .collect();
    intersects(&policy_tokens(a), &bt)
}

/// Tokens for containment: `*`, `?`, literal bytes; a policy variable stays literal text.
fn cover_tokens(s: &str) -> Vec<Tok> {
    let mut out = Vec::with_capacity(s.len());
    let mut it = s.chars().peekable();
    while let Some(c) = it.next() {
        out.push(match c {
            '*' => star(it.peek().copied()),
            '?' => Tok::One,
            _ => Tok::Lit(c),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The tokenisers as first written, a character at a time: the reference the byte
    /// tokenisers must agree with. Tokens of a policy pattern component.
    fn reference_policy_tokens(s: &str) -> Vec<Tok> {
        let mut out = Vec::with_capacity(s.len());
        let mut it = s.char_indices().peekable();
        while let Some((i, c)) = it.next() {
            if c == '$' && s.get(i + 1..).is_some_and(|r| r.starts_with('{')) {
                if let Some(close) = s.get(i..).and_then(|r| r.find('}')) {
                    let inner = s.get(i + 2..i + close).unwrap_or("");
                    match inner {
                        "*" => out.push(Tok::Lit('*')),
                        "?" => out.push(Tok::Lit('?')),
                        "$" => out.push(Tok::Lit('$')),
                        // A request-time value: could be anything.
                        _ => out.push(Tok::Star),
                    }
                    while it.peek().is_some_and(|&(j, _)| j <= i + close) {
                        it.next();
                    }
                    continue;
                }
            }
            out.push(match c {
                '*' => star(it.peek().map(|&(_, n)| n)),
                '?' => Tok::One,
                _ => Tok::Lit(c),
            });
        }
        out
    }

    /// Tokens of a catalog ARN format component.
    fn reference_format_tokens(s: &str) -> Vec<Tok> {
        let mut out = Vec::with_capacity(s.len());
        let mut it = s.char_indices();
        while let Some((i, c)) = it.next() {
            if c == '$' && s.get(i + 1..).is_some_and(|r| r.starts_with('{')) {
                if let Some(close) = s.get(i..).and_then(|r| r.find('}')) {
                    let name = s.get(i + 2..i + close).unwrap_or("");
                    out.push(Tok::Var(!NO_SLASH_VARS.contains(&name)));
                    for _ in it.by_ref().take_while(|&(j, _)| j < i + close) {}
                    continue;
                }
            }
            out.push(Tok::Lit(c));
        }
        out
    }

    #[test]
    fn byte_tokenisers_agree_with_the_character_ones() {
        let mut texts = vec![String::new()];
        for _ in 0..4 {
            let next: Vec<String> = texts
                .iter()
                .flat_map(|t| {
                    [
                        "a",
                        "é",
                        "/",
                        ":",
                        "*",
                        "?",
                        "$",
                        "{",
                        "}",
                        "${x}",
                        "${*}",
                        "${BucketName}",
                        "日",
                    ]
                    .iter()
                    .map(move |c| format!("{t}{c}"))
                })
                .collect();
            texts.extend(next);
        }
        for t in &texts {
            assert_eq!(policy_tokens(t), reference_policy_tokens(t), "`{t}`");
            assert_eq!(format_tokens(t), reference_format_tokens(t), "`{t}`");
        }
        assert!(texts.len() > 30_000);
    }

    /// The literal-ends test that `component_intersects` runs first never rejects a pair the
    /// product automaton accepts: every policy component over a small alphabet (with `*`,
    /// `?` and a policy variable) against every format component (with format variables).
    #[test]
    fn literal_ends_never_reject_an_intersecting_pair() {
        let mut pats = vec![String::new()];
        for _ in 0..4 {
            let next: Vec<String> = pats
                .iter()
                .flat_map(|p| {
                    ["a", "b", "/", "*", "?", "${aws:username}"]
                        .iter()
                        .map(move |c| format!("{p}{c}"))
                })
                .collect();
            pats.extend(next);
        }
        let mut formats = vec![String::new()];
        for _ in 0..3 {
            let next: Vec<String> = formats
                .iter()
                .flat_map(|f| {
                    ["a", "b", "/", "${Name}", "${BucketName}"]
                        .iter()
                        .map(move |c| format!("{f}{c}"))
                })
                .collect();
            formats.extend(next);
        }
        let mut checked = 0;
        for p in &pats {
            for f in &formats {
                if intersects(&policy_tokens(p), &format_tokens(f)) {
                    assert!(literal_ends_agree(p, f), "`{p}` against `{f}`");
                    checked += 1;
                }
            }
        }
        assert!(checked > 10_000, "{checked}");
    }

    #[test]
    fn has_var_finds_a_policy_variable() {
        assert!(has_var("a${aws:username}"));
        assert!(has_var("${"));
        assert!(!has_var("a$b{c}"));
        assert!(!has_var("$"));
        assert!(!has_var(""));
    }

    /// The short cuts of `pattern_covers` and `patterns_overlap` agree with the tables they
    /// skip, on every pattern pair over a small alphabet up to length 4.
    #[test]
    fn short_cuts_agree_with_the_tables() {
        let alpha = ['a', 'b', '*', '?'];
        let mut pats = vec![String::new()];
        for _ in 0..4 {
            let next: Vec<String> = pats
                .iter()
                .flat_map(|p| alpha.iter().map(move |c| format!("{p}{c}")))
                .collect();
            pats.extend(next);
        }
        pats.sort();
        pats.dedup();
        for p in &pats {
            for r in &pats {
                if p != "*" {
                    assert_eq!(pattern_covers(p, r), covers_table(p, r), "{p} covers {r}");
                }
                if p != "*" && r != "*" {
                    assert_eq!(patterns_overlap(p, r), overlap_automata(p, r), "{p} ~ {r}");
                }
            }
        }
        for (a, b) in [("x${aws:username}", "xy"), ("${*}a", "*a"), ("a${?}", "ab")] {
            assert_eq!(patterns_overlap(a, b), overlap_automata(a, b), "{a} ~ {b}");
        }
    }

    /// Issue 10: a resource value longer than an ARN can be is not compared (the table
    /// would be the product of the lengths); the answers are the ones that fail a check.
    #[test]
    fn over_long_values_are_not_compared() {
        let long = format!("arn:aws:s3:::{}", "*a".repeat(50_000));
        let req = format!("arn:aws:s3:::{}", "ab".repeat(100_000));
        assert!(!pattern_covers(&long, &req));
        assert!(patterns_overlap(&long, &req));
        assert_eq!(ArnPattern::parse(&long), Err(ArnError::TooLong(long.len())));
        let edge = format!("arn:aws:s3:::{}", "a".repeat(MAX_ARN_LEN - 13));
        assert!(ArnPattern::parse(&edge).is_ok());
        assert!(pattern_covers(&edge, &edge));
    }

    #[test]
    fn containment_and_overlap() {
        for (p, r, want) in [
            ("*", "arn:aws:s3:::b/*", true),
            ("arn:aws:s3:::b/*", "arn:aws:s3:::b/*", true),
            ("arn:aws:s3:::b/*", "arn:aws:s3:::b/x/*", true),
            ("arn:aws:s3:::b/x/*", "arn:aws:s3:::b/*", false),
            ("arn:aws:s3:::*", "arn:aws:s3:::b", true),
            ("arn:aws:s3:::b?", "arn:aws:s3:::b*", false),
            ("arn:aws:iam::*:role/x*", "arn:aws:iam::1:role/x_y*", true),
            (
                "arn:aws:iam::*:role/x*",
                "arn:aws:iam::*:instance-profile/x*",
                false,
            ),
            (
                "arn:aws:s3:::b/${aws:username}/*",
                "arn:aws:s3:::b/*",
                false,
            ),
            ("arn:aws:s3:::b", "*", false),
        ] {
            assert_eq!(pattern_covers(p, r), want, "{p} covers {r}");
        }
        assert!(patterns_overlap("arn:aws:s3:::b/*", "arn:aws:s3:::*/x"));
        // Issue 9: `?` is one character, not one byte.
        assert!(pattern_covers("arn:aws:s3:::caf?", "arn:aws:s3:::café"));
        assert!(patterns_overlap("arn:aws:s3:::caf?", "arn:aws:s3:::café"));
        // Issue 9: a `*` inside a segment does not cross `:`; one at its end does.
        assert!(!pattern_covers(
            "arn:aws:logs:r:1:log-group:a*b",
            "arn:aws:logs:r:1:log-group:a:b"
        ));
        assert!(pattern_covers(
            "arn:aws:logs:r:1:log-group:a*",
            "arn:aws:logs:r:1:log-group:a:b"
        ));
        assert!(!pattern_covers(
            "arn:aws:logs:r:1:log-group:a*b",
            "arn:aws:logs:r:1:log-group:a*"
        ));
        assert!(pattern_covers(
            "arn:aws:logs:r:1:log-group:a*",
            "arn:aws:logs:r:1:log-group:a*b"
        ));
        assert!(!patterns_overlap(
            "arn:aws:logs:r:1:log-group:a*b",
            "arn:aws:logs:r:1:log-group:a:b"
        ));
        assert!(!patterns_overlap("arn:aws:s3:::a/*", "arn:aws:s3:::b/*"));
    }

    const ROLE: &str = "arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}";
    const PROFILE: &str =
        "arn:${Partition}:iam::${Account}:instance-profile/${InstanceProfileNameWithPath}";
    const BUCKET: &str = "arn:${Partition}:s3:::${BucketName}";
    const OBJECT: &str = "arn:${Partition}:s3:::${BucketName}/${ObjectName}";
    const LOG_GROUP: &str = "arn:${Partition}:logs:${Region}:${Account}:log-group:${LogGroupName}";

    fn m(p: &str, f: &str) -> bool {
        ArnPattern::parse(p).expect(p).can_match_format(f)
    }

    #[test]
    fn variable_colons_do_not_split() {
        let p = ArnPattern::parse("arn:*:kms:*:${aws:PrincipalAccount}:key/*").expect("parses");
        assert_eq!(p.account, "${aws:PrincipalAccount}");
        assert_eq!(p.resource, "key/*");
        let p = ArnPattern::parse("arn:aws:s3:::b/${aws:userid}:x").expect("parses");
        assert_eq!(
            (p.account.as_str(), p.resource.as_str()),
            ("", "b/${aws:userid}:x")
        );
        // An unclosed `${` does not hide the colons after it.
        let p = ArnPattern::parse("arn:aws:sqs:${x:us-east-1:1:q").expect("parses");
        assert_eq!((p.region.as_str(), p.resource.as_str()), ("${x", "1:q"));
    }

    #[test]
    fn matches_formats() {
        for (p, f, want) in [
            ("arn:aws:iam::*:role/dstack_role_x*", ROLE, true),
            ("arn:aws:iam::*:role/dstack_role_x*", PROFILE, false),
            ("arn:aws:iam::*:instance-profile/x*", PROFILE, true),
            ("arn:aws:iam::123456789012:role/a/b/c", ROLE, true),
            ("arn:aws:s3:::bucket", BUCKET, true),
            ("arn:aws:s3:::bucket", OBJECT, false),
            ("arn:aws:s3:::bucket/*", BUCKET, false),
            ("arn:aws:s3:::bucket/*", OBJECT, true),
            ("arn:aws:s3:::*", BUCKET, true),
            ("arn:aws:s3:::*", OBJECT, true),
            ("arn:aws:s3:::b*", OBJECT, true),
            ("arn:*:s3:::b", BUCKET, true),
            ("arn:aws:ec2:*:*:instance/*", OBJECT, false),
            (
                "arn:aws:logs:*:*:log-group:/dstack/jobs/b*:*",
                LOG_GROUP,
                true,
            ),
            ("arn:aws:logs:*:*:log-group:*", LOG_GROUP, true),
            ("arn:aws:iam::*:role/${aws:username}", ROLE, true),
            // Issue 9: a variable's colon does not split the ARN.
            ("arn:aws:iam::${aws:PrincipalAccount}:role/x", ROLE, true),
            (
                "arn:*:logs:*:${aws:PrincipalAccount}:log-group:g",
                LOG_GROUP,
                true,
            ),
            (
                "arn:aws:iam::${aws:PrincipalAccount}:instance-profile/x",
                ROLE,
                false,
            ),
            ("arn:aws:s3:::b/home/${aws:username}/*", OBJECT, true),
            ("arn:aws:s3:*", OBJECT, true),
            ("arn:aws:ec2:*", OBJECT, false),
            ("arn:aws:iam::?:role/x", ROLE, true),
        ] {
            assert_eq!(m(p, f), want, "{p} vs {f}");
        }
    }

    #[test]
    fn rejects_non_arns() {
        assert_eq!(
            ResourcePattern::parse("s3://bucket/x"),
            Err(ArnError::NotArn(Some("arn:aws:s3:::bucket/x".into())))
        );
        assert_eq!(
            ResourcePattern::parse("bucket"),
            Err(ArnError::NotArn(None))
        );
        assert_eq!(
            ResourcePattern::parse("arn:aws:s3"),
            Err(ArnError::TooFewParts(3))
        );
        assert_eq!(
            ResourcePattern::parse("arn:amazon:s3:::b"),
            Err(ArnError::UnknownPartition("amazon".into()))
        );
        assert_eq!(
            ResourcePattern::parse("arn:aws::::x"),
            Err(ArnError::EmptyService)
        );
        assert_eq!(ResourcePattern::parse("*"), Ok(ResourcePattern::Any));
    }

    #[test]
    fn regions_from_data() {
        assert_eq!(region_partition("us-east-1"), Some("aws"));
        assert_eq!(region_partition("cn-north-1"), Some("aws-cn"));
        assert_eq!(region_partition("us-gov-west-1"), Some("aws-us-gov"));
        // Not listed yet, but of the form `aws` Regions take.
        assert_eq!(region_partition("eu-central-9"), Some("aws"));
        for not in [
            "us-east-1a",
            "us-east",
            "useast1",
            "",
            "aws-global",
            "US-EAST-1",
        ] {
            assert_eq!(region_partition(not), None, "{not}");
        }
        assert!(region_names().count() > 30);
        // The partitions typed in `PARTITIONS` are exactly those of the data file.
        let mut data: Vec<&str> = partition_names().collect();
        let mut typed = PARTITIONS.to_vec();
        data.sort_unstable();
        typed.sort_unstable();
        assert_eq!(data, typed);
    }

    #[test]
    fn variables_with_colons_stay_one_field() {
        let p = ArnPattern::parse("arn:aws:sqs:${aws:RequestedRegion}:${aws:PrincipalAccount}:q")
            .expect("parses");
        assert_eq!(p.region, "${aws:RequestedRegion}");
        assert_eq!(p.account, "${aws:PrincipalAccount}");
        assert_eq!(p.resource, "q");
        let p = ArnPattern::parse("arn:aws:logs:*:*:log-group:a:b").expect("parses");
        assert_eq!(p.resource, "log-group:a:b");
        // An unclosed `${` is no variable: its colon splits like any other (`arn`, `aws`,
        // `sqs`, `${aws`, `x`), still too few fields.
        assert_eq!(
            ResourcePattern::parse("arn:aws:sqs:${aws:x"),
            Err(ArnError::TooFewParts(5))
        );
    }

    #[test]
    fn display_round_trips() {
        for s in [
            "arn:aws:s3:::b/k",
            "arn:aws-cn:iam::123456789012:role/a:b",
            "arn:aws:logs:*:*:log-group:/x:*",
            "arn:aws:s3:*",
        ] {
            assert_eq!(ArnPattern::parse(s).expect(s).to_string(), s);
        }
    }

    #[test]
    fn literal_policy_variables() {
        // `${*}` is a literal star: it does not match `bucket2`.
        let p = ArnPattern::parse("arn:aws:s3:::b${*}").expect("parses");
        assert!(p.can_match_format(BUCKET));
        assert!(!intersects(&policy_tokens("b${*}"), &format_tokens("b2")));
        assert!(intersects(&policy_tokens("b*"), &format_tokens("b2")));
    }
}
