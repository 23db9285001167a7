//! The command line: `corroborate check` and its output formats.

pub mod check;
pub mod files;
