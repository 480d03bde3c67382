//! Any text as any policy file (each rule's own file and the secrets allowlist), beside the
//! repository's other policy files: a policy or positioned diagnostics that render, never a
//! panic or a hang.
#![no_main]

use libfuzzer_sys::fuzz_target;
use xtask::policy::{Policies, RULES};
use xtask::style::Style;

/// The repository's policy files, the starting point every input replaces one of.
const REPO: &[(&str, &str)] = &[
    ("policies/secrets.yaml", include_str!("../../policies/secrets.yaml")),
    ("policies/secrets-allowlist.yaml", include_str!("../../policies/secrets-allowlist.yaml")),
    ("policies/rotation.yaml", include_str!("../../policies/rotation.yaml")),
    ("policies/telemetry.yaml", include_str!("../../policies/telemetry.yaml")),
    ("policies/services.yaml", include_str!("../../policies/services.yaml")),
    ("policies/rls.yaml", include_str!("../../policies/rls.yaml")),
    ("policies/supply-chain.yaml", include_str!("../../policies/supply-chain.yaml")),
];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else { return };
    let Ok(text) = std::str::from_utf8(rest) else { return };
    let files: Vec<&str> = RULES.iter().flat_map(|r| r.files.iter().copied()).collect();
    let target = files[pick as usize % files.len()];
    let source = |rel: &str| {
        Ok(if rel == target {
            Some(text.to_owned())
        } else {
            REPO.iter().find(|(p, _)| *p == rel).map(|(_, t)| t.to_string())
        })
    };
    match Policies::read(&source) {
        Ok(Ok(policies)) => assert!(!policies.present(&[]).is_empty()),
        Ok(Err(diags)) => {
            for diag in diags {
                assert!(diag.file.starts_with("policies/"), "{}", diag.file);
                let _ = diag.render(Style::plain());
            }
        }
        Err(e) => panic!("reading from memory cannot fail: {e}"),
    }
});
