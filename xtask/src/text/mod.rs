//! Small text helpers: shell-like splitting, durations, suggestions, templates,
//! workspace-relative paths, and the JSON writer of the reports.

pub mod ansi;
pub mod duration;
pub mod ident;
pub mod json;
pub mod random;
pub mod relpath;
pub mod shell_words;
pub mod suggest;
pub mod template;
pub mod time;
