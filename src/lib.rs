//! corroborate: cross-source claim checking for news articles.
//!
//! - [`core`]: the analysis (no I/O, no LSP): articles → claims → facts → verdicts.
//! - `cli`: the `check` command and its output formats.
//! - `lsp`: the language server.

pub mod cli;
pub mod core;
pub mod lsp;
pub mod review;
