//! "Did you mean": the closest candidate to a misspelt name, for element names, actions,
//! services, condition keys and operators alike.

/// Longest name a suggestion is looked for, in bytes. The names suggested (actions, service
/// prefixes, condition keys, managed-policy names, element names) are all far shorter, and
/// scoring grows with the product of the two lengths: a longer query is not a typo.
pub const MAX_QUERY: usize = 1024;

/// The candidate closest to `query` (case-insensitive), if one is close enough to be a
/// plausible typo.
///
/// Scores with Jaro-Winkler, which rewards a shared prefix (`CancelSpotRequests` vs
/// `CancelSpotInstanceRequests`), and breaks ties by the smaller edit distance.
pub fn closest<'c, I>(query: &str, candidates: I) -> Option<&'c str>
where
    I: IntoIterator<Item = &'c str>,
{
    closest_weighted(
        query,
        candidates.into_iter().map(|c| (c, 0)),
        &Context::default(),
    )
}

/// The names around a query (other action names of the same document), as a word count,
/// built once per document so each query costs the same however many names there are.
#[derive(Debug, Default)]
pub struct Context {
    /// Each word (lowercased, a final `s` trimmed) -> how many times the names hold it.
    words: foldhash::HashMap<String, u32>,
    /// Each name as written -> how many times it is listed.
    names: foldhash::HashMap<String, u32>,
}

impl Context {
    /// The context of these names.
    pub fn new<'a>(names: impl IntoIterator<Item = &'a str>) -> Self {
        let mut cx = Context::default();
        for n in names {
            *cx.names.entry(n.to_string()).or_default() += 1;
            for w in word_spans(n) {
                *cx.words.entry(context_word(w)).or_default() += 1;
            }
        }
        cx
    }

    /// True when a name other than `query` holds `word` (already a [`context_word`]).
    fn has(&self, word: &str, query: &str) -> bool {
        let total = self.words.get(word).copied().unwrap_or(0);
        if total == 0 {
            return false;
        }
        // The query's own listings do not count (it is not context for itself).
        let own = self.names.get(query).copied().unwrap_or(0);
        let per = word_spans(query)
            .filter(|w| context_word(w) == word)
            .count();
        u64::from(total) > u64::from(own) * per as u64
    }
}

/// A word as context compares it: lowercased, final `s`es trimmed.
fn context_word(w: &str) -> String {
    w.to_ascii_lowercase().trim_end_matches('s').to_string()
}

/// Like [`closest`], with a prior per candidate (how often it is used). Candidates that
/// contain the query's words in order (`CancelSpotRequests` in
/// `CancelSpotInstanceRequests`: a word left out) rank first; the prior then separates
/// candidates that are equally close in spelling, and so do the names around the query
/// (`context`: other action names of the same document, the query's own listings aside): a
/// word the candidate adds that the author used elsewhere (`Instance` beside
/// `DescribeSpotInstanceRequests`) is likely meant.
///
/// Cost: linear in the candidates, each scored in the product of its length and the
/// query's (bounded by [`MAX_QUERY`]); nothing depends on the size of `context`.
pub fn closest_weighted<'c, I>(query: &str, candidates: I, context: &Context) -> Option<&'c str>
where
    I: IntoIterator<Item = (&'c str, u16)>,
{
    if query.len() > MAX_QUERY {
        return None;
    }
    let q = query.to_ascii_lowercase();
    let qwords: Vec<&str> = word_spans(query).collect();
    let mut flags = Vec::new();
    let mut shared = SharedLetters::new(&q);
    let mut best: Option<(f64, Option<usize>, &'c str)> = None;
    for (c, weight) in candidates {
        if c.eq_ignore_ascii_case(query) {
            return Some(c);
        }
        let dropped_word = qwords.len() > 1 && is_subsequence(&qwords, c);
        // Most candidates share too few letters with the query (or differ too much in
        // length) to score 0.85 at all: an upper bound on their score skips the scoring.
        if !dropped_word && shared.bound(c) < 0.85 - 1e-6 {
            continue;
        }
        let mut score = if q.is_ascii() && c.is_ascii() {
            jaro_winkler_ascii(q.as_bytes(), c.as_bytes(), &mut flags)
        } else {
            strsim::generic_jaro_winkler(&Lower(&q), &Lower(c))
        };
        if score < 0.85 && !dropped_word {
            continue;
        }
        if dropped_word {
            score += 0.1;
        }
        score += 0.02 * f64::from(weight).ln_1p();
        let added = word_spans(c)
            .filter(|w| !qwords.iter().any(|q| q.eq_ignore_ascii_case(w)))
            .filter(|w| context.has(&context_word(w), query))
            .count();
        score += 0.05 * added as f64;
        // The edit distance only breaks ties: worked out when one comes up.
        let distance = |c: &str| strsim::generic_levenshtein(&Lower(&q), &Lower(c));
        match &mut best {
            Some((s, _, _)) if score < *s - 1e-9 => {}
            Some((s, d, b)) if score <= *s + 1e-9 => {
                let dist = distance(c);
                if dist < *d.get_or_insert_with(|| distance(b)) {
                    best = Some((score, Some(dist), c));
                }
            }
            _ => best = Some((score, None, c)),
        }
    }
    best.map(|(_, _, c)| c)
}

/// An upper bound on the Jaro-Winkler score of a query against each candidate, from how
/// many characters the two can have in common whatever their order: the most matches Jaro
/// can find.
struct SharedLetters {
    /// The query's count of each (lowercase) byte; `None` when the query is not ASCII or
    /// too long to count in a byte.
    query: Option<[u8; 128]>,
    /// Scratch: the count of each byte of the candidate taken so far.
    taken: [u8; 128],
    /// The query's length in characters.
    len: usize,
}

impl SharedLetters {
    fn new(q: &str) -> Self {
        let query = (q.is_ascii() && q.len() <= usize::from(u8::MAX)).then(|| {
            let mut counts = [0u8; 128];
            for &b in q.as_bytes() {
                if let Some(n) = counts.get_mut(usize::from(b & 0x7f)) {
                    *n += 1;
                }
            }
            counts
        });
        SharedLetters {
            query,
            taken: [0u8; 128],
            len: q.chars().count(),
        }
    }

    /// An upper bound on the query's Jaro-Winkler score against `c`.
    ///
    /// Jaro is `(m/|a| + m/|b| + (m - t)/m) / 3` with `m` matches and `t` half the
    /// transpositions; `m` is at most the shared letter count (an ASCII query and name) or
    /// the shorter length (any other), and `(m - t)/m` at most 1. Winkler adds
    /// `0.1 * prefix * (1 - jaro)` with `prefix <= 4`, so the score is at most
    /// `0.6 * jaro + 0.4`, which is at least `jaro` itself. With lengths alone that is
    /// `0.8 + 0.2 * shorter/longer`: below a length ratio of 1/4 no score reaches 0.85.
    fn bound(&mut self, c: &str) -> f64 {
        let (a, b) = (self.len, c.chars().count());
        if a == 0 || b == 0 {
            // Jaro of an empty and a non-empty text is 0 (two empty ones are equal).
            return if a == b { 1.0 } else { 0.0 };
        }
        let m = match &self.query {
            Some(query) if c.is_ascii() => {
                let mut m = 0_usize;
                for &x in c.as_bytes() {
                    let x = usize::from(x.to_ascii_lowercase() & 0x7f);
                    if let (Some(t), Some(&have)) = (self.taken.get_mut(x), query.get(x)) {
                        let fits = *t < have;
                        *t += u8::from(fits);
                        m += usize::from(fits);
                    }
                }
                for &x in c.as_bytes() {
                    if let Some(t) = self
                        .taken
                        .get_mut(usize::from(x.to_ascii_lowercase() & 0x7f))
                    {
                        *t = 0;
                    }
                }
                m
            }
            _ => a.min(b),
        };
        let jaro = (m as f64 / a as f64 + m as f64 / b as f64 + 1.0) / 3.0;
        0.6 * jaro + 0.4
    }
}

/// `strsim::jaro_winkler(a, &b.to_ascii_lowercase())` for ASCII `a` (lowercase) and `b`, the
/// same steps in the same order (so the same `f64`), on bytes and without allocating.
fn jaro_winkler_ascii(a: &[u8], b: &[u8], flags: &mut Vec<bool>) -> f64 {
    let (a_len, b_len) = (a.len(), b.len());
    if a_len == 0 && b_len == 0 {
        return 1.0;
    }
    if a_len == 0 || b_len == 0 {
        return 0.0;
    }
    let range = (a_len.max(b_len) / 2).saturating_sub(1);
    if a_len <= 64 && b_len <= 64 {
        return jaro_winkler_short(a, b, range);
    }
    flags.clear();
    flags.resize(a_len + b_len, false);
    let (a_flags, b_flags) = flags.split_at_mut(a_len);
    let mut matches = 0_usize;
    for (i, &x) in a.iter().enumerate() {
        let lo = i.saturating_sub(range);
        let hi = b_len.min(i + range + 1);
        for j in lo..hi {
            let (Some(&y), Some(bf)) = (b.get(j), b_flags.get_mut(j)) else {
                break;
            };
            if !*bf && x == y.to_ascii_lowercase() {
                *bf = true;
                if let Some(af) = a_flags.get_mut(i) {
                    *af = true;
                }
                matches += 1;
                break;
            }
        }
    }
    if matches == 0 {
        return 0.0;
    }
    let mut transpositions = 0_usize;
    let mut bs = b_flags.iter().zip(b).filter(|(f, _)| **f).map(|(_, y)| y);
    for (_, x) in a_flags.iter().zip(a).filter(|(f, _)| **f) {
        if bs.next().is_some_and(|y| *x != y.to_ascii_lowercase()) {
            transpositions += 1;
        }
    }
    transpositions /= 2;
    let sim = ((matches as f64 / a_len as f64)
        + (matches as f64 / b_len as f64)
        + ((matches - transpositions) as f64 / matches as f64))
        / 3.0;
    if sim > 0.7 {
        let prefix = a
            .iter()
            .take(4)
            .zip(b)
            .take_while(|(x, y)| **x == y.to_ascii_lowercase())
            .count();
        sim + 0.1 * prefix as f64 * (1.0 - sim)
    } else {
        sim
    }
}

/// [`jaro_winkler_ascii`] for names of at most 64 bytes (every catalog name): `b` lowercased
/// on the stack, the matched positions as bit masks.
fn jaro_winkler_short(a: &[u8], b: &[u8], range: usize) -> f64 {
    let (a_len, b_len) = (a.len(), b.len());
    let mut bl = [0u8; 64];
    for (d, s) in bl.iter_mut().zip(b) {
        *d = s.to_ascii_lowercase();
    }
    let (mut a_flags, mut b_flags) = (0u64, 0u64);
    let mut matches = 0_usize;
    for (i, &x) in a.iter().enumerate() {
        let lo = i.saturating_sub(range);
        let hi = b_len.min(i + range + 1);
        for (j, &y) in bl.iter().enumerate().take(hi).skip(lo) {
            if b_flags & (1 << j) == 0 && x == y {
                b_flags |= 1 << j;
                a_flags |= 1 << i;
                matches += 1;
                break;
            }
        }
    }
    if matches == 0 {
        return 0.0;
    }
    let mut transpositions = 0_usize;
    let (mut am, mut bm) = (a_flags, b_flags);
    while am != 0 && bm != 0 {
        let (i, j) = (am.trailing_zeros() as usize, bm.trailing_zeros() as usize);
        if a.get(i) != bl.get(j) {
            transpositions += 1;
        }
        am &= am - 1;
        bm &= bm - 1;
    }
    transpositions /= 2;
    let sim = ((matches as f64 / a_len as f64)
        + (matches as f64 / b_len as f64)
        + ((matches - transpositions) as f64 / matches as f64))
        / 3.0;
    if sim > 0.7 {
        let prefix = a
            .iter()
            .take(4)
            .zip(bl.get(..b_len).unwrap_or(&[]))
            .take_while(|(x, y)| x == y)
            .count();
        sim + 0.1 * prefix as f64 * (1.0 - sim)
    } else {
        sim
    }
}

/// A name's characters, ASCII-lowercased, without making a lowercased copy.
struct Lower<'a>(&'a str);

impl<'a> IntoIterator for &Lower<'a> {
    type Item = char;
    type IntoIter = std::iter::Map<std::str::Chars<'a>, fn(char) -> char>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.chars().map(|c| c.to_ascii_lowercase())
    }
}

/// CamelCase / separator words, as slices of `s` (compare them ignoring ASCII case).
fn word_spans(s: &str) -> impl Iterator<Item = &str> {
    let b = s.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        while b.get(i).is_some_and(|c| !c.is_ascii_alphanumeric()) {
            i += 1;
        }
        let start = i;
        let mut prev_lower = false;
        while let Some(&c) = b.get(i) {
            if !c.is_ascii_alphanumeric() || (c.is_ascii_uppercase() && prev_lower) {
                break;
            }
            prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
            i += 1;
        }
        // Word boundaries are ASCII bytes, so these are char boundaries.
        (i > start).then(|| s.get(start..i)).flatten()
    })
}

/// CamelCase / separator words, lowercased.
#[cfg(test)]
fn words(s: &str) -> Vec<String> {
    word_spans(s).map(str::to_ascii_lowercase).collect()
}

/// Are `needle`'s words, in order, among the words of `hay`?
fn is_subsequence(needle: &[&str], hay: &str) -> bool {
    let mut it = word_spans(hay);
    needle.iter().all(|w| it.any(|h| h.eq_ignore_ascii_case(w)))
}

#[cfg(test)]
mod tests {
    use super::{Context, closest, closest_weighted, words};

    /// The byte-level Jaro-Winkler gives strsim's `f64` exactly, on every pair of a sample
    /// of catalog names and typos of them.
    #[test]
    fn ascii_jaro_winkler_is_strsims() {
        let c = crate::catalog::get();
        let mut names: Vec<String> = c
            .services()
            .iter()
            .flat_map(|s| s.actions.iter().map(|a| a.name.to_string()))
            .step_by(97)
            .collect();
        let typos: Vec<String> = names
            .iter()
            .flat_map(|n| {
                [
                    n[1..].to_string(),
                    format!("{n}s"),
                    n.replacen('e', "", 1),
                    n.to_uppercase(),
                ]
            })
            .collect();
        names.extend(typos);
        names.extend([
            "".to_string(),
            "a".to_string(),
            "ab".to_string(),
            "a\0\0".to_string(),
        ]);
        // Past 64 bytes: the general path.
        names.push("DescribeInstances".repeat(5));
        names.push("DescribeInstancez".repeat(4));
        let mut flags = Vec::new();
        for a in &names {
            let al = a.to_ascii_lowercase();
            for b in names.iter().step_by(7) {
                let want = strsim::jaro_winkler(&al, &b.to_ascii_lowercase());
                let got = super::jaro_winkler_ascii(al.as_bytes(), b.as_bytes(), &mut flags);
                assert_eq!(want.to_bits(), got.to_bits(), "{a} ~ {b}");
                let bound = super::SharedLetters::new(&al).bound(b);
                // Equal bounds may differ in the last bit: the skip keeps a margin.
                assert!(
                    bound + 1e-9 >= got,
                    "{a} ~ {b}: bound {bound} < score {got}"
                );
            }
        }
    }

    #[test]
    fn finds_typos_and_case() {
        let fields = ["Version", "Statement", "Resource", "NotResource", "Action"];
        assert_eq!(closest("Resources", fields), Some("Resource"));
        assert_eq!(closest("resource", fields), Some("Resource"));
        assert_eq!(closest("Statment", fields), Some("Statement"));
        assert_eq!(closest("Banana", fields), None);
        let actions = [
            "CancelSpotInstanceRequests",
            "CancelSpotFleetRequests",
            "CancelImportTask",
        ];
        let weighted = || actions.iter().map(|a| (*a, 5));
        let ctx = Context::new(["DescribeSpotInstanceRequests", "TerminateInstances"]);
        assert_eq!(
            closest_weighted("CancelSpotRequests", weighted(), &ctx),
            Some("CancelSpotInstanceRequests")
        );
        let ctx = Context::new(["DescribeSpotFleetRequests"]);
        assert_eq!(
            closest_weighted("CancelSpotRequests", weighted(), &ctx),
            Some("CancelSpotFleetRequests")
        );
        assert_eq!(
            words("CancelSpotInstanceRequests"),
            ["cancel", "spot", "instance", "requests"]
        );
    }
}
