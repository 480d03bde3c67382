//! `cargo xtask`: the thin binary over the engine library.

fn main() -> std::process::ExitCode {
    xtask::main(std::env::args_os())
}
