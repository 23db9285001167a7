//! The command line: `corroborate check` and its output formats.

pub mod cache;
pub mod check;
pub mod files;
pub mod github;
pub mod json_out;
pub mod pack;
pub mod report;
pub mod sarif;
pub mod text;
