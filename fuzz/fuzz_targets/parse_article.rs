//! Any bytes as an article (see `fuzz/harness/parse_article.rs`).
#![no_main]

#[path = "../harness/parse_article.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::run(data));
