//! `*`/`?` wildcard matching as IAM does it for actions and resources, compiled once to the
//! cheapest strategy that answers: an exact literal, a prefix (`s3:Get*`), or a general
//! backtracking matcher.

/// A compiled wildcard pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pattern {
    /// No wildcard: equal text.
    Literal(String),
    /// `prefix*`: text starting with the prefix.
    Prefix(String),
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
            Pattern::General(g) => glob_match(g.as_bytes(), text.as_bytes()),
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
            Pattern::General(g) => glob_match_by(g.as_bytes(), text.as_bytes(), |p, t| {
                p == t.to_ascii_lowercase()
            }),
        }
    }
}

/// Classic two-pointer glob match with single-star backtracking: linear in practice,
/// O(n·m) worst case, never exponential.
pub fn glob_match(pat: &[u8], text: &[u8]) -> bool {
    glob_match_by(pat, text, |p, t| p == t)
}

fn glob_match_by(pat: &[u8], text: &[u8], eq: impl Fn(u8, u8) -> bool) -> bool {
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pat.get(p) {
            Some(b'*') => {
                star = Some((p, t));
                p += 1;
            }
            Some(&c) if c == b'?' || text.get(t).is_some_and(|&x| eq(c, x)) => {
                p += 1;
                t += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    p = sp + 1;
                    t = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    pat.get(p..)
        .is_some_and(|rest| rest.iter().all(|&c| c == b'*'))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The oracle: the pattern translated to an anchored regex, matched by brute force.
    fn naive(p: &[u8], t: &[u8]) -> bool {
        match p.split_first() {
            None => t.is_empty(),
            Some((b'*', rest)) => (0..=t.len()).any(|i| naive(rest, &t[i..])),
            Some((&c, rest)) => match t.split_first() {
                Some((&d, trest)) if c == b'?' || c == d => naive(rest, trest),
                _ => false,
            },
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
        }
    }

    #[test]
    fn agrees_with_the_naive_oracle() {
        // Every pattern and text over a small alphabet up to length 5: exhaustive, not random.
        let alpha = [b'a', b'b', b'*', b'?'];
        let mut pats = vec![vec![]];
        for _ in 0..4 {
            let next: Vec<Vec<u8>> = pats
                .iter()
                .flat_map(|p| alpha.iter().map(move |&c| [p.clone(), vec![c]].concat()))
                .collect();
            pats.extend(next);
        }
        pats.sort();
        pats.dedup();
        let texts: Vec<Vec<u8>> = pats
            .iter()
            .filter(|p| !p.contains(&b'*') && !p.contains(&b'?'))
            .cloned()
            .collect();
        for p in &pats {
            let ps = std::str::from_utf8(p).unwrap();
            let compiled = Pattern::new(ps, false);
            for t in &texts {
                let ts = std::str::from_utf8(t).unwrap();
                assert_eq!(compiled.matches(ts), naive(p, t), "{ps} vs {ts}");
            }
        }
    }
}
