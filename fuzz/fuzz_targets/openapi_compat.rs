//! OpenAPI documents through the compatibility check: an input is a base and a revision
//! split at the first NUL byte. Comparing never panics, and a document compared with itself
//! has no findings.
#![no_main]

use libfuzzer_sys::fuzz_target;
use xtask::apicompat::{self, doc::Doc};
use xtask::style::Style;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (base, revision) = text.split_once('\0').unwrap_or((text, text));
    let parse = |t: &str| Doc::parse("openapi.yaml", t.to_owned());
    let (Ok(a), Ok(a2), Ok(b)) = (parse(base), parse(base), parse(revision)) else { return };
    match apicompat::compare(&a, &a2) {
        Ok(findings) => assert!(findings.is_empty(), "a document differs from itself: {findings:?}"),
        Err(diags) => {
            for diag in diags {
                let _ = diag.render(Style::plain());
            }
        }
    }
    let _ = apicompat::compare(&a, &b);
});
