//! `*`/`?` wildcard matching as IAM does it for actions and resources, compiled once to the
//! cheapest strategy that answers: an exact literal, a prefix (`s3:Get*`), a suffix
//! (`*Resource`), a substring (`*Session*`), or a general backtracking matcher. `?` is one
//! character, not one byte (issue 9: multi-byte UTF-8 in ARNs). [`arn_match`] adds the
//! `Resource` rule for colons: a `*` crosses `:` only when it is the last character of its
//! colon-separated segment.

/// A compiled wildcard pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pattern {
    /// No wildcard: equal text.
    Literal(String),
    /// `prefix*`: text starting with the prefix.
    Prefix(String),
    /// `*suffix`: text ending with the suffix.
    Suffix(String),
    /// `*part*`: text holding the part.
    Contains(String),
    /// Anything else.
    General(String),
}

impl Pattern {
    /// Compile `text`. With `fold_case`, the pattern is stored lowercased and matched against
    /// lowercased text (action names are case-insensitive; ARNs are not).
    pub fn new(text: &str, fold_case: bool) -> Self {
        let t = if fold_case {
            text.to_ascii_lowercase()
        } else {
            text.to_string()
        };
        let wild = |c: char| c == '*' || c == '?';
        match t.find(wild) {
            None => Pattern::Literal(t),
            Some(i) if i + 1 == t.len() && t.ends_with('*') => Pattern::Prefix(t[..i].to_string()),
            Some(0) if t.starts_with('*') => {
                let rest = t.get(1..).unwrap_or_default();
                match rest.find(wild) {
                    None if !rest.is_empty() => Pattern::Suffix(rest.to_string()),
                    Some(j) if j > 0 && j + 1 == rest.len() && rest.ends_with('*') => {
                        Pattern::Contains(rest.get(..j).unwrap_or_default().to_string())
                    }
                    _ => Pattern::General(t),
                }
            }
            Some(_) => Pattern::General(t),
        }
    }

    /// True when the pattern has a wildcard.
    pub fn is_wild(&self) -> bool {
        !matches!(self, Pattern::Literal(_))
    }

    /// Match `text` (already lowercased when the pattern folds case).
    pub fn matches(&self, text: &str) -> bool {
        match self {
            Pattern::Literal(l) => l == text,
            Pattern::Prefix(p) => text.starts_with(p.as_str()),
            Pattern::Suffix(x) => text.ends_with(x.as_str()),
            Pattern::Contains(x) => text.contains(x.as_str()),
            Pattern::General(g) => glob_match(g, text),
        }
    }

    /// Match `text` in any case against a pattern compiled with `fold_case`, without
    /// allocating a lowercased copy.
    pub fn matches_ci(&self, text: &str) -> bool {
        match self {
            Pattern::Literal(l) => l.eq_ignore_ascii_case(text),
            Pattern::Prefix(p) => text
                .as_bytes()
                .get(..p.len())
                .is_some_and(|h| h.eq_ignore_ascii_case(p.as_bytes())),
            // Byte windows: a match of valid UTF-8 in valid UTF-8 starts at a character.
            Pattern::Suffix(x) => text
                .len()
                .checked_sub(x.len())
                .and_then(|at| text.as_bytes().get(at..))
                .is_some_and(|t| t.eq_ignore_ascii_case(x.as_bytes())),
            Pattern::Contains(x) => text
                .as_bytes()
                .windows(x.len())
                .any(|w| w.eq_ignore_ascii_case(x.as_bytes())),
            Pattern::General(g) => glob_match_by(g, text, |p, t| p == t.to_ascii_lowercase()),
        }
    }
}

/// `Pattern::new(pat, true).matches_ci(text)` without compiling the pattern, so nothing is
/// allocated: for the evaluator's hot path, which matches each statement's action patterns
/// against one action per request (an account audit asks hundreds of thousands).
pub fn matches_ci_text(pat: &str, text: &str) -> bool {
    let (p, t) = (pat.as_bytes(), text.as_bytes());
    // Most patterns name another service: a first letter that differs settles it.
    if let (Some(&a), Some(&b)) = (p.first(), t.first()) {
        if a != b'*' && a != b'?' && !a.eq_ignore_ascii_case(&b) {
            return false;
        }
    }
    match memchr::memchr2(b'*', b'?', p) {
        None => pat.eq_ignore_ascii_case(text),
        Some(i) if i + 1 == pat.len() && pat.ends_with('*') => {
            match (text.as_bytes().get(..i), pat.as_bytes().get(..i)) {
                (Some(h), Some(p)) => h.eq_ignore_ascii_case(p),
                _ => false,
            }
        }
        Some(_) => glob_match_by(pat, text, |p, t| p.eq_ignore_ascii_case(&t)),
    }
}

/// Classic two-pointer glob match with single-star backtracking over characters: linear in
/// practice, O(n·m) worst case, never exponential. `*` is any run of characters, `?` one.
pub fn glob_match(pat: &str, text: &str) -> bool {
    glob_match_by(pat, text, |p, t| p == t)
}

/// One token of a wildcard pattern whose policy variables have been replaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wild {
    /// This character.
    Lit(char),
    /// `*`: any run of characters.
    Any,
    /// `?`: one character.
    One,
}

impl Wild {
    /// The token for case-insensitive matching (against lowercased text).
    pub fn lower(self) -> Self {
        match self {
            Wild::Lit(c) => Wild::Lit(c.to_lowercase().next().unwrap_or(c)),
            w => w,
        }
    }

    /// The tokens of a pattern with no variables.
    pub fn parse(pat: &str) -> Vec<Wild> {
        pat.chars()
            .map(|c| match c {
                '*' => Wild::Any,
                '?' => Wild::One,
                c => Wild::Lit(c),
            })
            .collect()
    }
}

/// Match an ARN against a `Resource` pattern as IAM does: `*` and `?` within a segment (the
/// parts separated by colons); a `*` expands past colons only when it is the last character
/// of its segment (followed by `:` or the end), and always past `/`
/// (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html#reference_policies_elements_resource_wildcards>).
/// `?` stands for one character other than `:`. Case-sensitive.
pub fn arn_match(pat: &str, text: &str) -> bool {
    if !pat.contains(['*', '?']) {
        return pat == text;
    }
    wild_match(&Wild::parse(pat), text, true)
}

/// The two-pointer matcher over characters (byte offsets stepped by whole characters, so
/// nothing is allocated on the hot path of action matching).
fn glob_match_by(pat: &str, text: &str, eq: impl Fn(char, char) -> bool) -> bool {
    let next = |s: &str, i: usize| s.get(i..).and_then(|r| r.chars().next());
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while let Some(x) = next(text, t) {
        match next(pat, p) {
            Some('*') => {
                star = Some((p, t));
                p += 1;
            }
            Some(c) if c == '?' || eq(c, x) => {
                p += c.len_utf8();
                t += x.len_utf8();
            }
            _ => match star {
                Some((sp, st)) => {
                    let skipped = next(text, st).map_or(1, char::len_utf8);
                    p = sp + 1;
                    t = st + skipped;
                    star = Some((sp, t));
                }
                None => return false,
            },
        }
    }
    pat.get(p..)
        .is_some_and(|rest| rest.chars().all(|c| c == '*'))
}

/// Match `text` against tokens by dynamic programming over (pattern, text) positions:
/// O(n·m), exact whatever the mix of stars. With `colons` (ARNs, see [`arn_match`]) a `*`
/// not followed by `:` or the end does not take `:`, and `?` never does.
pub fn wild_match(pat: &[Wild], text: &str, colons: bool) -> bool {
    let text: Vec<char> = text.chars().collect();
    let m = text.len();
    // dp[j]: pat[..i] matches text[..j].
    let mut dp = vec![false; m + 1];
    if let Some(d) = dp.first_mut() {
        *d = true;
    }
    for (i, &w) in pat.iter().enumerate() {
        let mut next = vec![false; m + 1];
        match w {
            Wild::Any => {
                let crosses = !colons || matches!(pat.get(i + 1), None | Some(Wild::Lit(':')));
                let mut run = false;
                for j in 0..=m {
                    // A run of characters ending at j: a colon ends it unless the star crosses.
                    if j > 0 && !crosses && text.get(j - 1) == Some(&':') {
                        run = false;
                    }
                    run |= dp.get(j).copied().unwrap_or(false);
                    if let Some(n) = next.get_mut(j) {
                        *n = run;
                    }
                }
            }
            _ => {
                for j in 1..=m {
                    let ok = match (w, text.get(j - 1)) {
                        (Wild::Lit(c), Some(&x)) => x == c,
                        (Wild::One, Some(&x)) => !(colons && x == ':'),
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The oracle: the pattern matched by brute force over characters. With `colons`, a `*`
    /// not last in its segment and a `?` never take a `:` (IAM's `Resource` rule).
    fn naive(p: &[char], t: &[char], colons: bool) -> bool {
        match p.split_first() {
            None => t.is_empty(),
            Some(('*', rest)) => {
                let crosses = !colons || matches!(rest.first(), None | Some(':'));
                (0..=t.len())
                    .take_while(|&i| crosses || i == 0 || t[i - 1] != ':')
                    .any(|i| naive(rest, &t[i..], colons))
            }
            Some((&c, rest)) => match t.split_first() {
                Some((&d, trest)) if (c == '?' && !(colons && d == ':')) || c == d => {
                    naive(rest, trest, colons)
                }
                _ => false,
            },
        }
    }

    /// Every string over `alpha` up to length `n`.
    fn strings(alpha: &[char], n: usize) -> Vec<String> {
        let mut out = vec![String::new()];
        let mut last = vec![String::new()];
        for _ in 0..n {
            last = last
                .iter()
                .flat_map(|p| alpha.iter().map(move |&c| format!("{p}{c}")))
                .collect();
            out.extend(last.iter().cloned());
        }
        out
    }

    /// Regression for issue 9: `?` is one character, also when it takes two or more bytes.
    #[test]
    fn question_mark_is_one_character() {
        assert!(glob_match("a?c", "aéc"));
        assert!(glob_match("a?c", "a😀c"));
        assert!(!glob_match("a??c", "aéc"));
        assert!(arn_match("arn:aws:s3:::caf?", "arn:aws:s3:::café"));
        assert!(Pattern::new("s3:get?bject", true).matches_ci("s3:GetÖbject"));
    }

    /// Regression for issue 9: AWS's documented wildcard rules in `Resource`: `*` crosses `/`
    /// always and `:` only as the last character of a segment.
    #[test]
    fn arn_wildcards_follow_aws() {
        for (p, t, want) in [
            ("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a/b/c", true),
            ("arn:aws:s3:::bucket/*/x", "arn:aws:s3:::bucket/a/b/x", true),
            (
                "arn:aws:sns:*:*:topic*",
                "arn:aws:sns:us-east-1:1:topic:sub",
                true,
            ),
            (
                "arn:aws:logs:*:*:log-group:*",
                "arn:aws:logs:r:1:log-group:g:log-stream:s",
                true,
            ),
            (
                "arn:aws:logs:*:*:log-group:a*b",
                "arn:aws:logs:r:1:log-group:a:b",
                false,
            ),
            (
                "arn:aws:logs:*:*:log-group:a*b",
                "arn:aws:logs:r:1:log-group:a/xb",
                true,
            ),
            ("arn:aws:s3:::b?c", "arn:aws:s3:::b:c", false),
            ("arn:aws:s3:::b*", "arn:aws:s3:::B1", false),
            (
                "arn:aws:iam::*:role/x",
                "arn:aws:iam::123456789012:role/x",
                true,
            ),
        ] {
            assert_eq!(arn_match(p, t), want, "{p} vs {t}");
        }
    }

    #[test]
    fn table() {
        for (p, t, want) in [
            ("s3:get*", "s3:getobject", true),
            ("s3:get*", "s3:putobject", false),
            ("*", "", true),
            ("a?c", "abc", true),
            ("a?c", "ac", false),
            ("*object", "s3:getobject", true),
            ("s3:*object*", "s3:getobjectacl", true),
            ("ec2:describe*", "ec2:describe", true),
            ("a*b*c", "aXbYbZc", true),
            ("a*b*c", "aXbYbZ", false),
        ] {
            assert_eq!(Pattern::new(p, true).matches(t), want, "{p} vs {t}");
            // The uncompiled matcher answers the same, in any case of the text.
            assert_eq!(matches_ci_text(p, t), want, "{p} vs {t}");
            assert_eq!(
                matches_ci_text(p, &t.to_ascii_uppercase()),
                Pattern::new(p, true).matches_ci(&t.to_ascii_uppercase()),
                "{p} vs {t}"
            );
        }
    }

    #[test]
    fn agrees_with_the_naive_oracle() {
        // Every pattern and text over a small alphabet: exhaustive, not random.
        let pats = strings(&['a', 'é', ':', '*', '?'], 4);
        let texts = strings(&['a', 'é', ':'], 5);
        for p in &pats {
            let pc: Vec<char> = p.chars().collect();
            let compiled = Pattern::new(p, false);
            for t in &texts {
                let tc: Vec<char> = t.chars().collect();
                assert_eq!(compiled.matches(t), naive(&pc, &tc, false), "{p} vs {t}");
                assert_eq!(arn_match(p, t), naive(&pc, &tc, true), "arn {p} vs {t}");
            }
        }
    }
}
