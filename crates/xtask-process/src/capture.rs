//! Collects a step's output line by line, masking secrets before anything is kept, and
//! bounding memory by dropping the oldest lines of very long outputs.

use crate::mask::Masker;
use std::io::Write;

/// Output beyond this many bytes drops the oldest lines (the tail is what explains a failure).
const LIMIT: usize = 8 << 20;

pub struct Capture<'m> {
    masker: &'m Masker,
    pending: Vec<u8>,
    kept: Vec<u8>,
    dropped: usize,
}

impl<'m> Capture<'m> {
    pub fn new(masker: &'m Masker) -> Self {
        Capture {
            masker,
            pending: Vec::new(),
            kept: Vec::new(),
            dropped: 0,
        }
    }

    pub fn push(&mut self, chunk: &[u8]) {
        self.pending.extend_from_slice(chunk);
        if let Some(last_newline) = self.pending.iter().rposition(|b| *b == b'\n') {
            let lines: Vec<u8> = self.pending.drain(..=last_newline).collect();
            self.keep(&lines);
        }
        // A single line longer than the limit is kept masked in pieces rather than held forever.
        if self.pending.len() > LIMIT {
            let piece = std::mem::take(&mut self.pending);
            self.keep(&piece);
        }
    }

    fn keep(&mut self, complete: &[u8]) {
        self.kept
            .extend_from_slice(&self.masker.mask_bytes(complete));
        if self.kept.len() > 2 * LIMIT {
            let cut = self.kept.len() - LIMIT;
            let cut = self.kept[cut..]
                .iter()
                .position(|b| *b == b'\n')
                .map_or(cut, |p| cut + p + 1);
            self.kept.drain(..cut);
            self.dropped += cut;
        }
    }

    /// The masked output as text, with a note when the start was dropped.
    pub fn finish(mut self) -> String {
        let rest = std::mem::take(&mut self.pending);
        self.keep(&rest);
        let text = String::from_utf8_lossy(&self.kept).into_owned();
        if self.dropped > 0 {
            format!(
                "[… {} bytes of earlier output omitted …]\n{text}",
                self.dropped
            )
        } else {
            text
        }
    }
}

impl Write for Capture<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.push(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_split_across_writes_is_masked() {
        let masker = Masker::new(["hunter2"]);
        let mut c = Capture::new(&masker);
        c.push(b"token: hun");
        c.push(b"ter2\nnext hunter2");
        assert_eq!(c.finish(), "token: ***\nnext ***");
    }
}
