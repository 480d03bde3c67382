//! Small text helpers used by the loader: shell-like splitting, durations, suggestions,
//! templates and workspace-relative paths.

pub mod ansi;
pub mod duration;
pub mod ident;
pub mod random;
pub mod relpath;
pub mod shell_words;
pub mod suggest;
pub mod template;
pub mod time;
