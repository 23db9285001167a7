//! Two articles from one input: the whole analysis never panics and only
//! links claims of different documents. Shared by the cargo-fuzz target and
//! the bounded run in `tests/fuzz_smoke.rs`.
use corroborate::core::{analysis, Corpus, EngineConfig, MetaOverride};

pub fn run(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let (a, b) = text.split_at(
        text.char_indices()
            .nth(text.chars().count() / 2)
            .map_or(0, |(i, _)| i),
    );
    let mut corpus = Corpus::new(EngineConfig::default());
    corpus.upsert("a.txt", a, &MetaOverride::default());
    corpus.upsert("b.txt", &format!("{b}\n{a}"), &MetaOverride::default());
    for r in analysis::analyze(&corpus, true).relations() {
        assert_ne!(r.a.doc(), r.b.doc());
    }
}
