//! Removes ANSI escape sequences, for output shown without colour.

/// Drops CSI sequences (`ESC [ … final`), OSC sequences (`ESC ] … BEL/ST`) and two-byte
/// escapes like `ESC ( B`; everything else is kept.
pub fn strip(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\x1b' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('[') => {
                for c in chars.by_ref() {
                    if ('@'..='~').contains(&c) {
                        break;
                    }
                }
            }
            Some(']') => {
                while let Some(c) = chars.next() {
                    if c == '\x07' || (c == '\x1b' && chars.next_if_eq(&'\\').is_some()) {
                        break;
                    }
                }
            }
            Some('(' | ')') => {
                chars.next();
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::strip;

    #[test]
    fn strips_colour_and_charset_sequences() {
        assert_eq!(strip("\x1b[31m-old\x1b(B\x1b[m plain"), "-old plain");
        assert_eq!(strip("\x1b]8;;http://x\x07link\x1b]8;;\x1b\\"), "link");
        assert_eq!(strip("no escapes"), "no escapes");
    }
}
