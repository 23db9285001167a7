//! The whole analysis of two articles from one input (see `fuzz/harness/compare_articles.rs`).
#![no_main]

#[path = "../harness/compare_articles.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::run(data));
