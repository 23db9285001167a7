//! Property tests: the analysis core accepts any text without panicking, and
//! every span it reports is a valid, non-empty range on char boundaries.

use corroborate::core::{analysis, Article, Corpus, EngineConfig, MetaOverride};
use proptest::prelude::*;

/// Text built from the pieces that trip parsers: multi-byte letters, curly
/// quotes, dashes, digits and dates, CRLF, furniture words, lone surrogates'
/// replacement characters, control characters.
fn articleish() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("The ministry said 1,200 people were evacuated on Monday. ".to_string()),
        Just("“We will rebuild,” Governor Ortiz said.\r\n".to_string()),
        Just("Published: Jan 03, 2026 11:06 AM\n".to_string()),
        Just("more than 200 members ".to_string()),
        Just("nearly 200 members, ".to_string()),
        Just("from January 4 to 7, 2026 ".to_string()),
        Just("Sunday, January 5, 2026 ".to_string()),
        Just("한국어 문장입니다. 中文句子。 ".to_string()),
        Just("🙂 emoji 👍🏽 and e\u{301}tude ".to_string()),
        Just("—".to_string()),
        Just("\"".to_string()),
        Just("TRENDING\n1\n".to_string()),
        Just("---\noutlet: X\n---\n".to_string()),
        Just("\n\n".to_string()),
        Just("$15.3bn 34.4% 4TB per hour 11-10 ".to_string()),
        "[a-zA-Z0-9 .,;:'\"()\\-–—“”‘’\u{a0}\u{2011}]{0,40}",
        any::<String>(),
    ];
    proptest::collection::vec(piece, 0..25).prop_map(|v| v.concat())
}

fn check_spans(a: &Article) {
    for c in &a.claims {
        assert!(c.span.start < c.span.end, "empty span {:?}", c.span);
        assert!(c.span.end <= a.text.len(), "span past the end");
        assert!(
            a.text.is_char_boundary(c.span.start) && a.text.is_char_boundary(c.span.end),
            "span not on char boundaries"
        );
        if let Some(q) = &c.quantity {
            assert!(
                a.text.get(q.span.clone()).is_some(),
                "quantity span invalid"
            );
        }
    }
    for s in &a.sentences {
        assert!(
            a.text.get(s.span.clone()).is_some(),
            "sentence span invalid"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn parse_never_panics_and_spans_are_valid(text in articleish()) {
        let a = Article::parse("x.txt", &text, &MetaOverride::default());
        check_spans(&a);
    }

    #[test]
    fn relations_link_different_documents(a in articleish(), b in articleish(), c in articleish()) {
        let mut corpus = Corpus::new(EngineConfig::default());
        for (i, t) in [a, b, c].iter().enumerate() {
            corpus.upsert(&format!("d{i}.txt"), t, &MetaOverride::default());
        }
        let an = analysis::analyze(&corpus, true);
        for r in an.relations() {
            prop_assert_ne!(r.a.doc(), r.b.doc());
            prop_assert!(corpus.article(r.a.doc()).is_some_and(|x| x.claims.get(r.a.claim()).is_some()));
            prop_assert!(corpus.article(r.b.doc()).is_some_and(|x| x.claims.get(r.b.claim()).is_some()));
        }
    }
}

#[test]
fn degenerate_inputs() {
    for text in [
        "",
        " ",
        "\n\n\n",
        "\r\n",
        "\0\0\0",
        "a",
        "1",
        "“",
        "---",
        "---\n---\n",
        &"x".repeat(100_000),
        &"word ".repeat(50_000),
    ] {
        let a = Article::parse("x.txt", text, &MetaOverride::default());
        check_spans(&a);
    }
}

#[test]
fn upsert_replace_and_remove_keep_the_index_consistent() {
    let mut corpus = Corpus::new(EngineConfig::default());
    let t1 = "Title of the story here\n\nThe agency said the storm killed at least 120 people in the coastal province of Norland on Monday.\n";
    let t2 = "Another title for the story\n\nThe storm killed nearly 100 people in the coastal province of Norland on Monday, the agency said.\n";
    let a = corpus.upsert("a.txt", t1, &MetaOverride::default());
    let b = corpus.upsert("b.txt", t2, &MetaOverride::default());
    assert!(
        !corpus.relations_for(a).is_empty(),
        "the two accounts are related"
    );
    // Replace b with an unrelated text: no relation remains.
    corpus.upsert("b.txt", "Unrelated headline about markets\n\nShares of a chip maker rose sharply in early trading in Frankfurt after results beat forecasts.\n", &MetaOverride::default());
    assert_eq!(
        corpus.doc_id("b.txt"),
        Some(b),
        "a replaced document keeps its id"
    );
    assert!(corpus.relations_for(a).is_empty());
    assert!(corpus.remove("b.txt"));
    assert!(!corpus.remove("b.txt"));
    assert_eq!(corpus.len(), 1);
    assert!(corpus.relations_for(b).is_empty());
}
