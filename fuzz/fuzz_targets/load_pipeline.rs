//! Feeds arbitrary bytes to the pipeline loader: it must answer with a pipeline or with
//! diagnostics (which must render), never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use xtask::diagnostic::SourceFile;
use xtask::style::Style;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let src = SourceFile::new("pipelines/fuzz.yaml", text);
    let (_, diags) = xtask::load::read_pipeline("fuzz", &src, xtask::builtins::REGISTRY);
    for diag in diags {
        let _ = diag.render(Style::plain());
    }
});
