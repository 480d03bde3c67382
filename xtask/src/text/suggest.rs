//! "Did you mean" suggestions by edit distance.

/// The candidate closest to `word`, if it is close enough to be a likely typo.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .map(|c| (distance(word, c), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Edit distance over characters, case-insensitive, counting a swap of neighbours as one
/// edit (optimal string alignment).
fn distance(a: &str, b: &str) -> usize {
    strsim::osa_distance(&a.to_lowercase(), &b.to_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_near_misses_only() {
        let keys = ["timeout", "needs", "env", "outputs"];
        assert_eq!(did_you_mean("tiemout", keys), Some("timeout"));
        assert_eq!(did_you_mean("need", keys), Some("needs"));
        assert_eq!(did_you_mean("Env", keys), Some("env"));
        assert_eq!(did_you_mean("banana", keys), None);
        assert_eq!(did_you_mean("dmeo", ["demo", "bad"]), Some("demo"));
    }
}
