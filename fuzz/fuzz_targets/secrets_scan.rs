//! The secrets scan, with the repository's secrets policy, over any file content under any
//! of the names it treats differently (config files, a key file): it ends, and every finding
//! points into the file and never prints the value it found.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use xtask::diagnostic::SourceFile;
use xtask::policy::Policies;
use xtask::policy::secrets::Secrets;

const NAMES: &[&str] = &["config/x.env", "a.yaml", "b.toml", "c.json", "d.sh", "cosign.key", "e.rs"];

fn policy() -> &'static Secrets {
    static POLICY: OnceLock<Secrets> = OnceLock::new();
    POLICY.get_or_init(|| {
        let source = |rel: &str| {
            Ok(match rel {
                "policies/secrets.yaml" => Some(include_str!("../../policies/secrets.yaml").to_owned()),
                "policies/secrets-allowlist.yaml" => {
                    Some(include_str!("../../policies/secrets-allowlist.yaml").to_owned())
                }
                _ => None,
            })
        };
        let policies = Policies::read(&source).expect("in memory").expect("the repository's policy is valid");
        policies.get::<Secrets>().expect("there is a secrets policy").clone()
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else { return };
    let Ok(text) = std::str::from_utf8(rest) else { return };
    let src = SourceFile::new(NAMES[pick as usize % NAMES.len()], text);
    let lines = text.lines().count().max(1);
    for finding in policy().scan(&src) {
        let span = finding.diag.span.expect("scan findings have a position");
        assert!(span.start.line >= 1 && span.start.line <= lines, "{finding:?}");
    }
});
