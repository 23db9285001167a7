//! Editor positions and edits on any text (see `fuzz/harness/lsp_positions.rs`).
#![no_main]

#[path = "../harness/lsp_positions.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: (String, Vec<harness::Edit>, bool)| {
    let (text, edits, utf8) = data;
    harness::run(&text, edits, utf8);
});
