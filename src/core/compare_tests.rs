//! Verdicts on small stories written for the tests (`testdata/relations/`).
//!
//! A fixture is plain text: `=== name` starts an article, `>>> kind: «a» ~
//! «b»` expects the relation between the claims of the first article that
//! contain `a` and the claims of another that contain `b` (the best-scored
//! one when several claims contain the text). Kinds: `support`, `conflict`,
//! `tension`, `disagree` (conflict or tension), `none` (no relation at all).

use crate::core::article::MetaOverride;
use crate::core::corpus::{story_files, ClaimRef, Corpus, EngineConfig};

use super::{Relation, RelationKind};

struct Fixture {
    articles: Vec<(String, String)>,
    expect: Vec<(String, String, String)>,
}

fn parse(src: &str) -> Fixture {
    let mut articles: Vec<(String, String)> = Vec::new();
    let mut expect = Vec::new();
    for line in src.lines() {
        if let Some(name) = line.strip_prefix("=== ") {
            articles.push((name.trim().to_string(), String::new()));
        } else if let Some(e) = line.strip_prefix(">>> ") {
            let (kind, rest) = e.split_once(':').expect("'>>> kind: «a» ~ «b»'");
            let parts: Vec<&str> = rest.split('«').skip(1).collect();
            assert_eq!(parts.len(), 2, "two «quoted» texts in {line}");
            let q = |p: &str| p.split('»').next().unwrap_or("").to_string();
            expect.push((kind.trim().to_string(), q(parts[0]), q(parts[1])));
        } else if let Some((_, text)) = articles.last_mut() {
            text.push_str(line);
            text.push('\n');
        }
    }
    Fixture { articles, expect }
}

fn relations_of(f: &Fixture) -> (Corpus, Vec<Relation>) {
    let mut c = Corpus::new(EngineConfig::default());
    for (name, text) in &f.articles {
        c.upsert(name, text, &MetaOverride::default());
    }
    let (_, rels) = c.all_relations();
    (c, rels.into_iter().flatten().collect())
}

fn check(file: &str, src: &str) {
    let f = parse(src);
    assert!(f.articles.len() >= 2, "{file}: two articles at least");
    let (corpus, rels) = relations_of(&f);
    let claim_text = |r: crate::core::corpus::ClaimRef| {
        corpus
            .article(r.doc())
            .and_then(|a| {
                a.claims
                    .get(r.claim())
                    .and_then(|c| a.text.get(c.span.clone()))
            })
            .unwrap_or("")
            .to_string()
    };
    let first = corpus.doc_id(&f.articles[0].0).expect("first article");
    for (kind, a, b) in &f.expect {
        let mut found: Vec<&Relation> = rels
            .iter()
            .filter(|r| {
                let (ta, tb) = (claim_text(r.a), claim_text(r.b));
                (r.a.doc() == first && ta.contains(a.as_str()) && tb.contains(b.as_str()))
                    || (r.b.doc() == first && tb.contains(a.as_str()) && ta.contains(b.as_str()))
            })
            .collect();
        found.sort_by(|p, q| q.score.total_cmp(&p.score));
        let got = found.first().map(|r| r.kind);
        let ok = match kind.as_str() {
            "none" => found.is_empty(),
            "support" => got == Some(RelationKind::Support),
            "conflict" => got == Some(RelationKind::Conflict),
            "tension" => got == Some(RelationKind::Tension),
            "disagree" => matches!(got, Some(RelationKind::Conflict | RelationKind::Tension)),
            other => panic!("{file}: unknown kind {other}"),
        };
        let all: Vec<String> = rels
            .iter()
            .map(|r| {
                format!(
                    "{:?} «{}» ~ «{}»: {}",
                    r.kind,
                    claim_text(r.a),
                    claim_text(r.b),
                    r.reason
                )
            })
            .collect();
        assert!(
            ok,
            "{file}: expected {kind} between «{a}» and «{b}», got {:?}\nall relations:\n{}",
            found
                .iter()
                .map(|r| (r.kind, &r.reason))
                .collect::<Vec<_>>(),
            all.join("\n")
        );
    }
}

macro_rules! fixture_tests {
    ($($name:ident => $file:literal),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                check($file, include_str!(concat!("testdata/relations/", $file)));
            }
        )*
    };
}

fixture_tests! {
    same_figure_over_another_time_conflicts => "rate-per-time.txt",
    a_minor_name_ties_two_figures => "minor-name-stakes.txt",
    a_figure_placed_in_the_past_is_no_rival => "displaced-in-time.txt",
    two_lower_bounds => "bounds.txt",
    a_count_of_people_is_a_count_of_the_dead => "people-head.txt",
    a_caption_does_not_hide_the_body => "caption-and-body.txt",
    a_quoted_figure_in_other_words_is_a_tension => "quote-figures.txt",
    conditions_against_none_are_a_tension => "conditions.txt",
    the_source_of_a_figure_does_not_distinguish_it => "attribution.txt",
    a_first_since_narrowed_is_a_tension => "first-since-scope.txt",
    one_role_two_holders_conflict => "role-holders.txt",
    a_date_span_matches_a_start_day_and_a_length => "date-and-duration.txt",
    a_bare_date_clause_is_found_by_its_days => "bare-date-clause.txt",
    statements_dated_to_different_days_differ => "days-apart.txt",
    a_halfway_figure_is_not_the_round_one => "halfway-rounding.txt",
    each_mention_of_a_repeated_figure_is_supported => "repeated-mention.txt",
    sources_introducing_the_same_occasion_agree => "same-occasion.txt",
}

#[test]
fn a_weekday_shares_a_day_only_with_dates_on_it() {
    use crate::core::dates::DateValue;
    use jiff::civil::{date, Weekday};
    // 2026-01-02 is a Friday.
    let friday = DateValue::Day(date(2026, 1, 2));
    assert!(super::may_share_day(
        &friday,
        &DateValue::Weekday(Weekday::Friday)
    ));
    assert!(!super::may_share_day(
        &friday,
        &DateValue::Weekday(Weekday::Monday)
    ));
    assert!(!super::may_share_day(
        &DateValue::Weekday(Weekday::Friday),
        &DateValue::Weekday(Weekday::Monday)
    ));
    let span = DateValue::Span(date(2026, 1, 1), date(2026, 1, 4));
    assert!(super::may_share_day(
        &span,
        &DateValue::Day(date(2026, 1, 3))
    ));
    assert!(!super::may_share_day(
        &span,
        &DateValue::Day(date(2026, 1, 5))
    ));
}

#[test]
fn day_keys_cover_a_short_span_and_nothing_else() {
    use super::day_keys;
    use crate::core::dates::DateValue;
    use jiff::civil::{date, Weekday};
    let day = day_keys(&DateValue::Day(date(2026, 1, 4)));
    assert_eq!(day.len(), 1);
    let span = day_keys(&DateValue::Span(date(2025, 12, 30), date(2026, 1, 2)));
    assert_eq!(span.len(), 4, "four days across a new year");
    let mut sorted = span.clone();
    sorted.dedup();
    assert_eq!(sorted.len(), 4, "each day its own key");
    assert!(day_keys(&DateValue::Span(date(2026, 1, 1), date(2026, 3, 1))).is_empty());
    assert!(day_keys(&DateValue::Span(date(2026, 1, 7), date(2026, 1, 4))).is_empty());
    assert!(day_keys(&DateValue::Span(date(9999, 12, 30), date(9999, 12, 31))).len() == 2);
    assert!(day_keys(&DateValue::Year(2026)).is_empty());
    assert!(day_keys(&DateValue::Weekday(Weekday::Monday)).is_empty());
}

/// The story index of each real story: the seeds and the dev stories.
fn real_story_indexes() -> Vec<super::StoryIndex> {
    [
        "seeds",
        "tests/data/dev/intel-mobileye-2017",
        "tests/data/dev/mexico-earthquake-2017",
        "tests/data/dev/ireland-abortion-referendum-2018",
        "tests/data/dev/carabao-cup-final-2022",
    ]
    .iter()
    .map(|dir| {
        let mut c = Corpus::new(EngineConfig::default());
        for (path, text) in story_files(dir) {
            c.upsert(&path, &text, &MetaOverride::default());
        }
        let arts: Vec<_> = c.docs().map(|(d, a)| (d, a.clone())).collect();
        super::StoryIndex::new(arts, EngineConfig::default())
    })
    .collect()
}

/// A story's index holds its thread's table of local term ids while it
/// lives and gives it back, zeroed, when dropped: the relations of a story
/// are the same from a fresh thread, after other stories' indexes were
/// dropped on the thread, and while another index lives on it.
#[test]
fn story_indexes_one_after_another_or_at_once_relate_the_same() {
    let on_fresh_thread = || {
        std::thread::spawn(|| {
            let idx = real_story_indexes().swap_remove(0);
            super::relations(&idx, None)
        })
        .join()
        .expect("the thread ends")
    };
    let fresh = on_fresh_thread();
    assert!(!fresh.is_empty());
    // Every real story indexed and dropped on this thread first, then the
    // seeds' again (its first term ids would be stale ones if the table
    // came back unzeroed).
    drop(real_story_indexes());
    let after = real_story_indexes().swap_remove(0);
    assert_eq!(super::relations(&after, None), fresh);
    // Another index alive on the thread meanwhile (the five made at once
    // above: each after the first starts from a table of its own).
    let all = real_story_indexes();
    assert_eq!(super::relations(&all[0], None), fresh);
    drop(after);
    assert_eq!(super::relations(&all[0], None), fresh);
}

/// The bound by which `relations` skips statement pairs without comparing
/// them is never below the similarity `decide` first tests, and a pair it
/// skips is one `decide` rejects: on every cross-document pair of real
/// stories (the seeds and the dev stories).
#[test]
fn the_similarity_bounds_hold_on_real_stories() {
    use super::{
        could_be_same_statement, decide, overlap_bound, pair_bound, view, with_soft_allowance,
        BOUND_MARGIN,
    };
    let (mut pairs, mut skipped, mut tighter, mut both_ways) = (0, 0, 0, 0);
    for idx in real_story_indexes() {
        let common = super::common_df(idx.n);
        for (kx, fx) in idx.flat.iter().enumerate() {
            let x = view(&idx, fx.art as usize, fx.claim as usize).expect("claim");
            assert_eq!(idx.base[fx.art as usize] + fx.claim as usize, kx);
            if fx.typed {
                continue;
            }
            for fy in idx.flat.iter().filter(|f| f.art != fx.art && !f.typed) {
                let y = view(&idx, fy.art as usize, fy.claim as usize).expect("claim");
                let selecting: f32 = x
                    .terms
                    .ids
                    .iter()
                    .filter(|t| y.terms.ids.contains(t) && idx.df[**t as usize] <= common)
                    .map(|&t| idx.idf_of(t))
                    .sum();
                let shared = super::shared_bound(&idx, fx, fy, selecting);
                let (exact, norm) = overlap_bound(fx, fy, shared);
                let loose = with_soft_allowance(fx, exact, norm);
                let threshold = idx.config.statement_threshold;
                let (most, _) = pair_bound(&idx, x.terms, fx, fy, shared, threshold);
                let sim = idx.similarity(x.terms, y.terms);
                if norm > 0.0 {
                    for bound in [loose / norm, most / norm] {
                        assert!(bound >= sim - 1e-5, "bound {bound} < similarity {sim}");
                    }
                    assert!(most <= loose, "the pair's bound is no looser");
                    tighter += usize::from(most < loose);
                }
                pairs += 1;
                if could_be_same_statement(&idx, &x, &y) {
                    assert!(super::may_be_same_statement(fx, fy));
                    assert_eq!(fx.event, idx.event_of(&x).is_some());
                }
                if super::rejected_both_ways(&idx, fx, fy, shared) {
                    both_ways += 1;
                    assert!(super::decide_candidate(&idx, fx, fy, shared).is_none());
                    assert!(super::decide_candidate(&idx, fy, fx, shared).is_none());
                }
                if norm > 0.0
                    && most < (idx.config.statement_threshold - BOUND_MARGIN) * norm
                    && !could_be_same_statement(&idx, &x, &y)
                {
                    skipped += 1;
                    assert!(decide(&idx, &x, &y).is_none(), "a skipped pair is related");
                }
            }
        }
    }
    assert!(
        pairs > 10_000 && skipped > pairs / 2,
        "{skipped} of {pairs}"
    );
    // Most pairs are settled both ways by their records alone.
    assert!(
        both_ways > pairs / 3,
        "{both_ways} of {pairs} rejected both ways"
    );
    // The soft matches counted pair by pair do tighten some bounds.
    assert!(tighter > 100, "{tighter} bounds tightened of {pairs}");
}

/// The story index's bit for a sentence that dates something to a day,
/// which `days_apart` reads instead of finding the sentence's claims, is
/// whether the sentence's claims hold such a date: on every claim of the
/// seeds and the dev stories, dated or not.
#[test]
fn a_sentences_day_bit_is_its_claims_dates() {
    use super::{sentence_days, view};
    let (mut dated, mut undated) = (0, 0);
    for idx in real_story_indexes() {
        for f in &idx.flat {
            let x = view(&idx, f.art as usize, f.claim as usize).expect("claim");
            let walked = sentence_days(&x).next().is_some();
            assert_eq!(
                idx.sentence_dated(&x),
                walked,
                "{:?}",
                x.art.claim_text(x.claim_index)
            );
            if walked {
                dated += 1;
            } else {
                undated += 1;
            }
        }
    }
    assert!(
        dated > 20 && undated > dated,
        "{dated} dated, {undated} not"
    );
}

/// The server asks for one document's relations (`relations` with a focus):
/// they are the batch run's relations that touch it, on the seeds and on
/// every development story, pairs that only one of their claims finds among
/// them (a duration of days finds a date span of as many days; the span does
/// not look for durations). Only the wording may differ: the focus's claim
/// comes first in it ("'…' here vs '…'").
#[test]
fn a_documents_relations_are_the_batch_runs_that_touch_it() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut corpus = Corpus::new(EngineConfig::default());
    let mut dirs = vec![root.join("seeds")];
    if let Ok(d) = std::fs::read_dir(root.join("tests/data/dev")) {
        dirs.extend(d.flatten().map(|e| e.path()).filter(|p| p.is_dir()));
    }
    for dir in dirs {
        for (path, text) in story_files(dir) {
            corpus.upsert(&path, &text, &MetaOverride::default());
        }
    }
    let key = |r: &Relation| (r.a, r.b, r.kind, r.score.to_bits());
    let (mut stories, mut compared, mut spans) = (0, 0, 0);
    for story in corpus.stories() {
        let all = corpus.story_relations(&story);
        stories += usize::from(!all.is_empty());
        for &doc in &story {
            let touching: Vec<_> = all
                .iter()
                .filter(|r| r.a.doc() == doc || r.b.doc() == doc)
                .map(key)
                .collect();
            let mine = corpus.relations_for(doc);
            assert_eq!(touching, mine.iter().map(key).collect::<Vec<_>>());
            compared += mine.len();
            spans += mine
                .iter()
                .filter(|r| r.reason.contains("-day span"))
                .count();
        }
    }
    assert!(stories >= 5, "{stories} stories with relations");
    assert!(compared > 500, "{compared} relations compared");
    assert!(spans >= 2, "the seeds' span and duration, from both sides");
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]
    /// `first_token` (a window up to the first whitespace after the next
    /// word begins) is the first of the whole range's tokens, from any
    /// start and end, in text with joins across punctuation ("3.5", "U.S",
    /// "don't"), non-ASCII spaces and letters, and combining marks.
    #[test]
    fn first_token_is_the_tokens_first(
        s in "([a-zA-Z0-9]|[ .,:;'’-]|\\u{a0}|\\u{2009}|\\u{301}|é|한|中|😀|\\(){0,30}",
        a in 0usize..40,
        b in 0usize..40,
    ) {
        let (lo, hi) = (a.min(b).min(s.len()), a.max(b).min(s.len()));
        if s.is_char_boundary(lo) && s.is_char_boundary(hi) {
            let want = crate::core::text::tokens(&s, lo..hi).into_iter().next();
            proptest::prop_assert_eq!(super::first_token(&s, lo..hi), want);
        }
    }
}

proptest::proptest! {
    /// The words `displaced_in_time` reads of an ASCII span, split on its
    /// bytes, say what splitting it on its chars says; and a span is
    /// displaced when it has one of the words, in any case.
    #[test]
    fn displaced_words_by_bytes_are_those_by_chars(
        s in "([a-zA-Z0-9 ,.'-]|ago|AGO|Previously|previous|prior|Former|EARLIER|last|LAST|year|Week|month|Season|century|decade|decades|é|’){0,24}",
    ) {
        let by_chars = super::displaced_words(
            s.split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
                .map(str::as_bytes),
        );
        let words: Vec<String> = s
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect();
        let listed = ["ago", "previous", "previously", "prior", "former", "earlier"];
        let periods = ["week", "month", "year", "decade", "season", "century"];
        let expected = words.iter().any(|w| listed.contains(&w.as_str()))
            || words
                .windows(2)
                .any(|p| p[0] == "last" && periods.contains(&p[1].as_str()));
        proptest::prop_assert_eq!(by_chars, expected);
        if s.is_ascii() {
            let by_bytes = super::displaced_words(
                s.as_bytes()
                    .split(|b| !b.is_ascii_alphanumeric())
                    .filter(|w| !w.is_empty()),
            );
            proptest::prop_assert_eq!(by_bytes, by_chars);
        }
    }

    /// The label's three words picked as the words go by are those of a
    /// stable sort of them all by IDF, highest first, cut to three (IDFs
    /// drawn from a few values, so that ties are common).
    /// A term set holds exactly its ids, whatever its bloom lets through.
    #[test]
    fn a_term_set_has_its_ids(
        ids in proptest::collection::btree_set(0u32..300, 0..40),
        probes in proptest::collection::vec(0u32..300, 0..60),
    ) {
        let ids: Vec<u32> = ids.into_iter().collect();
        let set = super::TermSet::new(ids.clone(), 1.0);
        for p in probes.iter().chain(&ids) {
            proptest::prop_assert_eq!(set.has(*p), ids.contains(p));
        }
    }

    #[test]
    fn label_picks_the_sorts_three(idfs in proptest::collection::vec(0u8..5, 0..20)) {
        let words: Vec<(f32, usize)> = idfs
            .iter()
            .enumerate()
            .map(|(i, &d)| (0.05 + f32::from(d) * 0.7, i))
            .collect();
        let mut sorted = words.clone();
        sorted.sort_by(|a, b| b.0.total_cmp(&a.0));
        sorted.truncate(3);
        let mut top = [None; 3];
        for &w in &words {
            super::top3_push(&mut top, w);
        }
        let picked: Vec<(f32, usize)> = top.iter().flatten().copied().collect();
        proptest::prop_assert_eq!(picked, sorted);
    }

    /// `by_score` orders relations as the stable sort by (best bucket,
    /// a, b) it replaces, whether they come in pair order (a story's run)
    /// or not (a focus's), and with buckets too far apart to count.
    #[test]
    fn by_score_is_the_sort_by_bucket_and_pair(
        rels in proptest::collection::vec((0u8..4, 0u8..6, 0u8..4, 0u8..6, 0u8..40), 0..60),
        in_pair_order: bool,
        far: bool,
    ) {
        let found = |rels: &[(u8, u8, u8, u8, u8)]| -> Vec<super::Found> {
            rels.iter()
                .map(|&(da, ca, db, cb, s)| {
                    let mut score = f32::from(s) * 0.013;
                    if far && s == 39 {
                        score = 1e9;
                    }
                    super::Found {
                        rel: Relation {
                            a: ClaimRef::new(usize::from(da), usize::from(ca)),
                            b: ClaimRef::new(usize::from(db), usize::from(cb)),
                            kind: RelationKind::Support,
                            reason: "",
                            label: "",
                            score,
                        },
                        ai: 0,
                        ci: 0,
                        shared: Vec::new(),
                        at: [0, 0],
                        rank: 0,
                    }
                })
                .collect()
        };
        let mut rels = rels;
        if in_pair_order {
            rels.sort_by_key(|&(da, ca, db, cb, _)| (da, ca, db, cb));
        }
        let key = |f: &super::Found| (f.rel.a, f.rel.b, f.rel.score.to_bits());
        let mut expected = found(&rels);
        expected.sort_by_cached_key(|f| {
            (
                std::cmp::Reverse((f.rel.score / 0.05).floor() as i64),
                f.rel.a,
                f.rel.b,
            )
        });
        let expected: Vec<_> = expected.iter().map(key).collect();
        let got = super::by_score(found(&rels));
        // Each relation's rank is its place in pair order.
        let mut by_rank: Vec<_> = got.iter().map(|f| (f.rank, f.rel.a, f.rel.b)).collect();
        by_rank.sort_unstable();
        proptest::prop_assert!(by_rank.windows(2).all(|w| (w[0].1, w[0].2) <= (w[1].1, w[1].2)));
        proptest::prop_assert!(by_rank.iter().enumerate().all(|(i, r)| r.0 == i));
        let got: Vec<_> = got.iter().map(key).collect();
        proptest::prop_assert_eq!(got, expected);
    }
}

/// A label names each word once and in lower case, however the claim
/// writes it: the words a label picks are lower-cased as it picks them
/// ("Kestrel", "kestrel" and "KESTREL" are one word).
#[test]
fn labels_are_lower_case_words_each_once() {
    let f = parse(
        "=== a.txt\nStorm news\n\nFloods closed the road and the bridge on Monday. \
         The road and the bridge were closed by floods again. Floods closed the bridge and the road for days.\n\n\
         Floods closed the Kestrel road and the kestrel bridge on Tuesday.\n\n\
         === b.txt\nMore storm news\n\nThe bridge and the road were closed by floods on Monday. \
         Floods closed the road and the bridge once more. The floods closed the road and the bridge again.\n\n\
         Floods closed the KESTREL road and the Kestrel bridge on Tuesday.\n",
    );
    let (_, rels) = relations_of(&f);
    let labelled: Vec<&str> = rels
        .iter()
        .map(|r| r.label)
        .filter(|l| l.contains("kestrel"))
        .collect();
    assert!(!labelled.is_empty(), "{rels:?}");
    for r in &rels {
        assert_eq!(r.label, r.label.to_lowercase(), "{r:?}");
        let words: Vec<&str> = r.label.split(' ').collect();
        let mut once = words.clone();
        once.sort_unstable();
        once.dedup();
        assert_eq!(once.len(), words.len(), "{r:?}");
    }
}
