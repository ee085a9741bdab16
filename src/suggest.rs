//! "Did you mean": the closest candidate to a misspelt name, for element names, actions,
//! services, condition keys and operators alike.

/// The candidate closest to `query` (case-insensitive), if one is close enough to be a
/// plausible typo.
///
/// Scores with Jaro-Winkler, which rewards a shared prefix (`CancelSpotRequests` vs
/// `CancelSpotInstanceRequests`), and breaks ties by the smaller edit distance.
pub fn closest<'c, I>(query: &str, candidates: I) -> Option<&'c str>
where
    I: IntoIterator<Item = &'c str>,
{
    closest_weighted(query, candidates.into_iter().map(|c| (c, 0)), &[])
}

/// Like [`closest`], with a prior per candidate (how often it is used). Candidates that
/// contain the query's words in order (`CancelSpotRequests` in
/// `CancelSpotInstanceRequests`: a word left out) rank first; the prior then separates
/// candidates that are equally close in spelling, and so do the names around the query
/// (`context`: other action names of the same document): a word the candidate adds that the
/// author used elsewhere (`Instance` beside `DescribeSpotInstanceRequests`) is likely meant.
pub fn closest_weighted<'c, I>(query: &str, candidates: I, context: &[&str]) -> Option<&'c str>
where
    I: IntoIterator<Item = (&'c str, u16)>,
{
    let q = query.to_ascii_lowercase();
    let qwords = words(query);
    let ctx: Vec<String> = context
        .iter()
        .flat_map(|c| words(c))
        .map(|w| w.trim_end_matches('s').to_string())
        .collect();
    let mut best: Option<(f64, usize, &'c str)> = None;
    for (c, weight) in candidates {
        let lc = c.to_ascii_lowercase();
        if lc == q {
            return Some(c);
        }
        let mut score = strsim::jaro_winkler(&q, &lc);
        let dropped_word = qwords.len() > 1 && is_subsequence(&qwords, &words(c));
        if score < 0.85 && !dropped_word {
            continue;
        }
        if dropped_word {
            score += 0.1;
        }
        score += 0.02 * f64::from(weight).ln_1p();
        let added = words(c)
            .into_iter()
            .filter(|w| !qwords.contains(w))
            .filter(|w| ctx.contains(&w.trim_end_matches('s').to_string()))
            .count();
        score += 0.05 * added as f64;
        let dist = strsim::levenshtein(&q, &lc);
        let better = match best {
            None => true,
            Some((s, d, _)) => score > s + 1e-9 || ((score - s).abs() <= 1e-9 && dist < d),
        };
        if better {
            best = Some((score, dist, c));
        }
    }
    best.map(|(_, _, c)| c)
}

/// CamelCase / separator words, lowercased.
fn words(s: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for ch in s.chars() {
        if !ch.is_ascii_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
            continue;
        }
        if ch.is_ascii_uppercase() && prev_lower && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        prev_lower = ch.is_ascii_lowercase() || ch.is_ascii_digit();
        cur.push(ch.to_ascii_lowercase());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

fn is_subsequence(needle: &[String], hay: &[String]) -> bool {
    let mut it = hay.iter();
    needle.iter().all(|w| it.any(|h| h == w))
}

#[cfg(test)]
mod tests {
    use super::{closest, closest_weighted, words};

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
        let ctx = ["DescribeSpotInstanceRequests", "TerminateInstances"];
        assert_eq!(
            closest_weighted("CancelSpotRequests", weighted(), &ctx),
            Some("CancelSpotInstanceRequests")
        );
        let ctx = ["DescribeSpotFleetRequests"];
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
