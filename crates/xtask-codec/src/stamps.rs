//! The line format of the engine's file-stamp table (`target/xtask/cache/files.tsv`):
//! `sha256 size mtime_ns ctime_ns inode path`, tab-separated, one file per line. It is read
//! on every run that checks a cached step, thousands of lines at a time.

/// One line of the table, borrowing the text.
#[derive(Debug, PartialEq, Eq)]
pub struct Line<'a> {
    pub sha256: &'a str,
    pub size: u64,
    pub mtime_ns: i64,
    pub ctime_ns: i64,
    pub inode: u64,
    pub path: &'a str,
}

impl Line<'_> {
    /// Appends the line to `out`, newline included: what [`parse`] reads back.
    pub fn write(&self, out: &mut String) {
        use std::fmt::Write as _;
        let _ = writeln!(
            out,
            "{}\t{}\t{}\t{}\t{}\t{}",
            self.sha256, self.size, self.mtime_ns, self.ctime_ns, self.inode, self.path
        );
    }
}

/// Every line of `text`; `Err` is the number of the first bad line (1-based).
pub fn parse(text: &str) -> Result<Vec<Line<'_>>, usize> {
    let mut lines = Vec::with_capacity(text.len() / 100);
    for (n, line) in text.lines().enumerate() {
        lines.push(parse_line(line).ok_or(n + 1)?);
    }
    Ok(lines)
}

fn parse_line(line: &str) -> Option<Line<'_>> {
    let mut fields = line.splitn(6, '\t');
    let sha256 = fields.next()?;
    let size = fields.next()?.parse().ok()?;
    let mtime_ns = fields.next()?.parse().ok()?;
    let ctime_ns = fields.next()?.parse().ok()?;
    let inode = fields.next()?.parse().ok()?;
    let path = fields.next()?;
    (sha256.len() == 64).then_some(Line {
        sha256,
        size,
        mtime_ns,
        ctime_ns,
        inode,
        path,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_parse_and_the_first_bad_one_is_named() {
        let sha = "a".repeat(64);
        let text = format!("{sha}\t12\t-5\t7\t99\tdir/with\ttab.txt\n");
        assert_eq!(
            parse(&text).unwrap(),
            [Line {
                sha256: &sha,
                size: 12,
                mtime_ns: -5,
                ctime_ns: 7,
                inode: 99,
                path: "dir/with\ttab.txt",
            }]
        );
        let mut written = String::new();
        parse(&text).unwrap()[0].write(&mut written);
        assert_eq!(written, text);
        assert_eq!(parse(&format!("{text}{sha}\tx\t1\t2\t3\tp\n")), Err(2));
        assert_eq!(parse(&format!("{text}short\t1\t1\t2\t3\tp\n")), Err(2));
        assert_eq!(parse(&format!("{sha}\t1\t1\t2\n")), Err(1));
    }
}
