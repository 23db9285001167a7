//! Any bytes as an article: parsing never panics and every span is valid.
//! Shared by the cargo-fuzz target and the bounded run in `tests/fuzz_smoke.rs`.
use corroborate::core::{Article, MetaOverride};

pub fn run(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let a = Article::parse("fuzz.txt", &text, &MetaOverride::default());
    for c in &a.claims {
        assert!(c.span.start < c.span.end && a.text.get(c.span.clone()).is_some());
    }
}
