//! Replaces secret values with `***` in everything the engine prints.

/// The secret values of one run. Multi-line values are masked line by line, like GitHub
/// Actions does, so a line-buffered stream can never show part of one.
#[derive(Clone, Debug, Default)]
pub struct Masker {
    /// Longest first, so a secret containing another is masked whole.
    values: Vec<Vec<u8>>,
}

pub const MASK: &str = "***";

impl Masker {
    pub fn new<I, S>(values: I) -> Masker
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut parts: Vec<Vec<u8>> = values
            .into_iter()
            .flat_map(|v| {
                v.as_ref()
                    .lines()
                    .map(|l| l.trim_end_matches('\r').as_bytes().to_vec())
                    .collect::<Vec<_>>()
            })
            .filter(|p| !p.is_empty())
            .collect();
        parts.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        parts.dedup();
        Masker { values: parts }
    }

    /// The secret values of `names` that are set in the environment.
    pub fn from_env<'a>(names: impl IntoIterator<Item = &'a str>) -> Masker {
        Masker::new(names.into_iter().filter_map(|n| std::env::var(n).ok()))
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The raw values, for `::add-mask::`.
    pub fn values(&self) -> impl Iterator<Item = String> + '_ {
        self.values
            .iter()
            .map(|v| String::from_utf8_lossy(v).into_owned())
    }

    pub fn mask_bytes(&self, text: &[u8]) -> Vec<u8> {
        if self.values.is_empty() {
            return text.to_vec();
        }
        let mut out = Vec::with_capacity(text.len());
        let mut i = 0;
        while i < text.len() {
            match self.values.iter().find(|v| text[i..].starts_with(v)) {
                Some(v) => {
                    out.extend_from_slice(MASK.as_bytes());
                    i += v.len();
                }
                None => {
                    out.push(text[i]);
                    i += 1;
                }
            }
        }
        out
    }

    pub fn mask(&self, text: &str) -> String {
        if self.values.is_empty() {
            return text.to_owned();
        }
        String::from_utf8_lossy(&self.mask_bytes(text.as_bytes())).into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_every_occurrence_longest_first() {
        let m = Masker::new(["s3cret", "s3cret-longer", ""]);
        assert_eq!(m.mask("a s3cret b s3cret-longer c"), "a *** b *** c");
        assert_eq!(m.mask("nothing here"), "nothing here");
    }

    #[test]
    fn multi_line_values_are_masked_per_line() {
        let m = Masker::new(["line-one\nline-two\n"]);
        assert_eq!(m.mask("x line-two y\nline-one"), "x *** y\n***");
    }
}
