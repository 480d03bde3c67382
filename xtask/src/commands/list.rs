//! `cargo xtask list`: the pipelines with their descriptions and needs.

use crate::commands::App;
use crate::failure::Failure;
use std::path::Path;

pub fn run(app: &App, root: &Path) -> Result<(), Failure> {
    let ws = crate::load::load(root, crate::builtins::REGISTRY)?;
    let width = ws.names().map(str::len).max().unwrap_or(0);
    for p in &ws.pipelines {
        let needs: Vec<&str> = p.needs.iter().map(|n| n.name.as_str()).collect();
        let needs = if needs.is_empty() {
            String::new()
        } else {
            app.style.dim(&format!(" (needs {})", needs.join(", ")))
        };
        let pad = " ".repeat(width - p.name.len());
        println!("{}{pad}  {}{needs}", app.style.bold(&p.name), p.description);
    }
    Ok(())
}
