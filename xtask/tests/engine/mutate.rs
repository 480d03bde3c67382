//! Deterministic mutations of seed texts (replace, insert, delete a byte, truncate), for the
//! property tests that run the fuzz targets' invariants in the normal test suite.

/// xorshift64*: reproducible pseudo-random numbers without a dependency.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Bytes that matter to YAML, JSON, PEM, base64 and shell-like config syntax.
const ALPHABET: &[u8] = b" \n\t:-[]{}&*!|>'\"#%@`,?0aZ_/.\\\r=$+";

/// `rounds` texts, each a seed (in turn) with one to four random edits; edits that break
/// UTF-8 are skipped.
pub fn mutations(seeds: &[String], rounds: usize, seed: u64) -> Vec<String> {
    let mut rng = Rng(seed);
    let mut out = Vec::with_capacity(rounds);
    for round in 0..rounds {
        let mut bytes = seeds[round % seeds.len()].clone().into_bytes();
        for _ in 0..1 + rng.below(4) {
            let at = rng.below(bytes.len() + 1);
            match rng.below(4) {
                0 if at < bytes.len() => bytes[at] = ALPHABET[rng.below(ALPHABET.len())],
                1 => bytes.insert(at, ALPHABET[rng.below(ALPHABET.len())]),
                2 if at < bytes.len() => {
                    bytes.remove(at);
                }
                _ => bytes.truncate(at),
            }
        }
        if let Ok(text) = String::from_utf8(bytes) {
            out.push(text);
        }
    }
    out
}
