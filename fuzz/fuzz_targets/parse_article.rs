//! Any bytes as an article: parsing never panics and every span is valid.
#![no_main]
use corroborate::core::{Article, MetaOverride};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let a = Article::parse("fuzz.txt", &text, &MetaOverride::default());
    for c in &a.claims {
        assert!(c.span.start < c.span.end && a.text.get(c.span.clone()).is_some());
    }
});
