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
    let q = query.to_ascii_lowercase();
    let mut best: Option<(f64, usize, &'c str)> = None;
    for c in candidates {
        let lc = c.to_ascii_lowercase();
        if lc == q {
            return Some(c);
        }
        let score = strsim::jaro_winkler(&q, &lc);
        if score < 0.85 {
            continue;
        }
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

#[cfg(test)]
mod tests {
    use super::closest;

    #[test]
    fn finds_typos_and_case() {
        let fields = ["Version", "Statement", "Resource", "NotResource", "Action"];
        assert_eq!(closest("Resources", fields), Some("Resource"));
        assert_eq!(closest("resource", fields), Some("Resource"));
        assert_eq!(closest("Statment", fields), Some("Statement"));
        assert_eq!(closest("Banana", fields), None);
        let actions = ["CancelSpotInstanceRequests", "CancelSpotFleetRequests", "CancelImportTask"];
        assert_eq!(closest("CancelSpotRequests", actions), Some("CancelSpotInstanceRequests"));
    }
}
