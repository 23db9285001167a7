//! Alignment and verdicts: which claims of different sources speak of the
//! same fact, and whether they agree, conflict or stand in tension.
//!
//! Candidates come from an inverted index of claim terms within one story;
//! a pair is kept when its wording is close (IDF-weighted overlap) and, for
//! typed claims, when their units and distinguishing names agree. Precision
//! comes first: every threshold errs on the side of saying nothing.

use rustc_hash::{FxHashMap, FxHashSet};
use std::sync::{Arc, OnceLock};

use super::article::BlockRole;
use super::claim::{stance_class, Article, Claim, ClaimKind};
use super::corpus::{ClaimRef, DocId, EngineConfig};
use super::dates::DateValue;
use super::entity::{self, Aliases};
use super::lexicon;
use super::quantity::{fmt_num, Approx, Quantity};
use super::terms::{self, Term};
use super::text;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RelationKind {
    Support,
    Conflict,
    Tension,
}

impl RelationKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RelationKind::Support => "support",
            RelationKind::Conflict => "conflict",
            RelationKind::Tension => "tension",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Relation {
    pub a: ClaimRef,
    pub b: ClaimRef,
    pub kind: RelationKind,
    /// One line a journalist understands. Most relations share one of a few
    /// fixed phrases; the others are kept like the labels
    /// ([`reason_kept_by`]): no allocation per relation.
    pub reason: &'static str,
    /// Short label of the fact ("delegation members"), kept by the
    /// function [`relations_keeping`] is given: [`terms::symbol`] (stored
    /// once for the process) unless a batch run keeps its own copies.
    pub label: &'static str,
    pub score: f32,
}

/// The reasons that do not depend on the claims (on the bench corpus,
/// 101,742 of 115,623 relations say "same statement in other words").
const FIXED_REASONS: &[&str] = &["same statement in other words", "same quotation"];

/// A relation's reason as `decide` gives it: most are fixed phrases
/// ("same statement in other words"), borrowed, not allocated for each pair
/// decided; the others are written for the pair.
type Reason = std::borrow::Cow<'static, str>;

/// A relation's reason as it is kept: one of [`FIXED_REASONS`], or else
/// what `keep` makes of it (see [`Relation::label`]).
pub fn reason_kept_by(reason: &str, keep: impl FnOnce(&str) -> &'static str) -> &'static str {
    match FIXED_REASONS.iter().find(|r| **r == reason) {
        Some(r) => r,
        None => keep(reason),
    }
}

/// A set of interned terms (sorted ids) with its total IDF weight.
#[derive(Debug, Clone, Default)]
struct TermSet {
    ids: Vec<u32>,
    weight: f32,
    /// Bit `id % 64` of each of its ids: a term whose bit is clear is not
    /// in the set, told without a search ([`TermSet::has`]).
    bloom: u64,
}

impl TermSet {
    fn new(ids: Vec<u32>, weight: f32) -> TermSet {
        let bloom = ids.iter().fold(0, |m, &i| m | TermSet::bit(i));
        TermSet { ids, weight, bloom }
    }

    fn bit(id: u32) -> u64 {
        1 << (id % 64)
    }

    /// Whether the set holds `id`. (The soft matches ask this of every
    /// partner of a term, and most are in neither set: the bloom settles
    /// most of those without the binary search.)
    fn has(&self, id: u32) -> bool {
        self.bloom & TermSet::bit(id) != 0 && self.ids.binary_search(&id).is_ok()
    }
}

/// The interned term sets of one claim (its sentence's set is kept once per
/// sentence, in [`StoryIndex::sent_sets`]: a sentence has several claims).
struct ClaimSets {
    terms: TermSet,
    window: TermSet,
}

/// The term set of a claim whose sentence is missing (never, for claims of
/// a parsed article).
static NO_TERMS: TermSet = TermSet {
    ids: Vec::new(),
    weight: 0.0,
    bloom: 0,
};

/// The articles of one story with their sentence-level term statistics.
/// Terms are folded through the lexicon and interned once, so that comparing
/// two claims is a merge of two sorted lists of integers.
pub struct StoryIndex {
    pub arts: Vec<(DocId, Arc<Article>)>,
    /// Local id → the term's text (resolved once: the interner's lookups are
    /// too slow for the comparison loop).
    vocab_text: Vec<&'static str>,
    /// Term → local id: the thread's table of [`terms::LocalIds`], held
    /// while the index lives and given back when it is dropped (a hash map
    /// of the story's thousand-odd terms cost a percent of a first run to
    /// fill), with the terms it holds (`vocab`, local id → term).
    ids: terms::LocalIds,
    vocab: Vec<Term>,
    df: Vec<u32>,
    idf: Vec<f32>,
    n: f32,
    /// Local term id → the claims whose terms hold it (as positions in
    /// `flat`), statements and typed claims apart.
    postings: [Postings; 2],
    /// Every claim of the story, article by article, with what the search
    /// for candidates reads of it (see [`ClaimFlat`]).
    flat: Vec<ClaimFlat>,
    /// Position in `flat` of each article's first claim.
    base: Vec<usize>,
    /// The IDF of the common terms given a bit in [`ClaimFlat::common`].
    common_idf: Vec<f32>,
    /// Quantity claims by the magnitude of their value (log-scale buckets).
    value_postings: FxHashMap<i32, Vec<u32>>,
    /// Date claims at day precision by each day they cover (spans of a month
    /// at most): a bare date clause ("scheduled from January 4 to 7") shares
    /// no word with the other source's, only its days.
    day_postings: FxHashMap<i32, Vec<u32>>,
    /// Date spans by their length in days, found by the durations of that
    /// many days ("January 4 to 7" / "the four-day trip").
    span_postings: FxHashMap<i64, Vec<u32>>,
    /// Durations of days by their number of days: how a date span finds the
    /// durations that find it (see [`span_link`]).
    duration_postings: FxHashMap<i64, Vec<u32>>,
    sets: Vec<Vec<ClaimSets>>,
    /// The term set of each sentence (per article, per sentence).
    sent_sets: Vec<Vec<TermSet>>,
    aliases: Aliases,
    /// Canonical names of each sentence (per article, per sentence), as
    /// numbers of the story's names, and in how many sentences of the story
    /// each name occurs (by number).
    sent_names: Vec<Vec<Vec<u32>>>,
    name_df: Vec<u32>,
    /// Per article, per sentence: whether one of its claims dates it to a
    /// day, a span of days or a weekday ([`sentence_days`] yields
    /// something). Most sentences hold no date, and [`days_apart`] is asked
    /// of 102 k statement pairs on 1,000 generated articles: finding the
    /// other sentence's claims to learn that was two binary searches a pair
    /// (callgrind: `days_apart` 19.4 M → 4.2 M instructions).
    sent_dated: Vec<Vec<bool>>,
    /// Document id → its index in `arts`.
    pos: FxHashMap<DocId, usize>,
    /// Local term id → the other terms of the story that contain it or that
    /// it contains (five letters at least: "connect" / "interconnect"), sorted.
    soft: Vec<Vec<u32>>,
    /// Role bindings of each claim ("CEO Jane Doe"), read the first time a
    /// comparison needs them (per article, per claim).
    roles: Vec<Vec<OnceLock<Vec<entity::RoleBinding>>>>,
    /// The event each statement claim introduces (per article, per claim;
    /// none for typed claims). Read when the story is indexed: deciding
    /// which candidate pairs to compare asks it of nearly every claim.
    events: Vec<Vec<Option<lexicon::EventIntro>>>,
    /// Whether each sentence grants its figure with conditions
    /// ([`lexicon::conditionality`]), read the first time a comparison needs
    /// it (per article, per sentence): the figures of one sentence are
    /// compared with many others.
    conditions: Vec<Vec<OnceLock<Option<bool>>>>,
    config: EngineConfig,
}

/// Local term id → the claims (positions in `flat`) whose terms hold it, in
/// increasing order: every list in one array, cut at `start` (a vector per
/// term, grown a push at a time, was a twelfth of building the index).
#[derive(Default)]
struct Postings {
    /// Where each term's list begins in `items`; one more entry than terms.
    start: Vec<u32>,
    items: Vec<u32>,
}

impl Postings {
    /// Lists of the sizes `counts` (per term), empty, with a cursor per
    /// term (where its next item goes) for [`Postings::push`].
    fn with_counts(counts: &[u32]) -> (Postings, Vec<u32>) {
        let mut start = Vec::with_capacity(counts.len() + 1);
        let mut at = 0u32;
        start.push(0);
        for &c in counts {
            at = at.saturating_add(c);
            start.push(at);
        }
        let cursor = start.get(..counts.len()).unwrap_or_default().to_vec();
        let items = vec![0; at as usize];
        (Postings { start, items }, cursor)
    }

    /// Appends `k` to the list of term `t`: pushes to each list must follow
    /// the counts given (a push past its list is dropped).
    fn push(&mut self, cursor: &mut [u32], t: usize, k: u32) {
        let (Some(c), Some(&end)) = (cursor.get_mut(t), self.start.get(t + 1)) else {
            return;
        };
        if *c < end {
            if let Some(slot) = self.items.get_mut(*c as usize) {
                *slot = k;
            }
            *c += 1;
        }
    }

    /// The claims holding term `t`.
    fn get(&self, t: usize) -> &[u32] {
        let (Some(&s), Some(&e)) = (self.start.get(t), self.start.get(t + 1)) else {
            return &[];
        };
        self.items.get(s as usize..e as usize).unwrap_or_default()
    }

    /// The claims holding term `t` from the first at position `from` in the
    /// story on, for calls with `from` never decreasing: `read` (a copy of
    /// the lists' starts, one per term) keeps where each list was left.
    fn get_from(&self, t: usize, read: &mut [u32], from: usize) -> &[u32] {
        let (Some(r), Some(&e)) = (read.get_mut(t), self.start.get(t + 1)) else {
            return &[];
        };
        while *r < e
            && self
                .items
                .get(*r as usize)
                .is_some_and(|&k| (k as usize) < from)
        {
            *r += 1;
        }
        self.items.get(*r as usize..e as usize).unwrap_or_default()
    }
}

/// Below this exact overlap, [`StoryIndex::cosine`] does not look for soft
/// matches: the exact overlap is the similarity.
const SOFT_FROM: f32 = 0.2;

/// A document frequency above this share of the story's sentences makes a
/// term common (its protagonists, its topic): common terms do not select
/// candidates, and they are the terms [`ClaimFlat::common`] gives a bit.
fn common_df(n: f32) -> u32 {
    (n * 0.2).max(10.0) as u32
}

/// What [`relations`] reads of a claim for each candidate pair before it
/// builds a view of it: enough to bound the two claims' similarity from
/// above (and so to skip the pairs `decide` would reject at once), in one
/// small record rather than behind the article's vectors.
#[derive(Debug, Clone, Copy, Default)]
struct ClaimFlat {
    art: u32,
    claim: u32,
    typed: bool,
    quote: bool,
    stance: bool,
    /// It introduces an event ([`StoryIndex::event_at`]).
    event: bool,
    /// The square root of the claim's term weight (`TermSet::weight` of its
    /// terms): the norm of a pair is the product of theirs.
    root: f32,
    /// Its common terms, one bit each (the first 64 of the story by id).
    common: u64,
    /// The IDF of its common terms past those 64 (counted as shared).
    overflow: f32,
    /// The most that soft matches can add to its overlap with another
    /// claim: 0.7 of the IDF of each of its terms that has a soft partner.
    soft: f32,
}

/// Two statement claims that may be related whatever their overlap: both
/// quote someone, or both state a position. Any other pair of statements
/// needs the statement threshold.
fn could_be_same_statement(idx: &StoryIndex, x: &View, y: &View) -> bool {
    let (cx, cy) = (x.claim, y.claim);
    (cx.quote.is_some() && cy.quote.is_some())
        || (!cx.features().stances.is_empty() && !cy.features().stances.is_empty())
        || same_event(idx, x, y).is_some()
}

/// What [`could_be_same_statement`] asks, read from the claims' records
/// without a view: a necessary condition (true whenever it is true), so that
/// most candidate pairs are settled without building the other claim's view
/// (without it, `relations` on 1,000 generated articles runs 12 % more
/// instructions).
fn may_be_same_statement(x: &ClaimFlat, y: &ClaimFlat) -> bool {
    (x.quote && y.quote) || (x.stance && y.stance) || x.event
}

/// The event noun two statements both introduce ("gave an interview with
/// CCTV News" / "In an exclusive interview with China's state broadcaster
/// CCTV"), when the names it is given to do not tell two events apart.
fn same_event<'i>(idx: &'i StoryIndex, x: &View, y: &View) -> Option<&'i str> {
    let (a, b) = (idx.event_of(x)?, idx.event_of(y)?);
    if a.noun != b.noun {
        return None;
    }
    fn named(e: &lexicon::EventIntro) -> Vec<&str> {
        e.partner.iter().map(String::as_str).collect()
    }
    names_compatible(idx, &named(a), &named(b)).then_some(a.word.as_str())
}

fn synonym(stem: &str) -> &str {
    lexicon::canonical(stem)
}

/// The days a day-precise date covers, as keys of `day_postings` (none for
/// a span longer than a month: it dates a period, not an event).
fn day_keys(d: &DateValue) -> Vec<i32> {
    let (Some(n), Some((from, _))) = (d.days().filter(|n| *n <= 32), d.range()) else {
        return Vec::new();
    };
    let key = |d: jiff::civil::Date| i32::from(d.year()) * 400 + i32::from(d.day_of_year());
    from.series(jiff::Span::new().days(1))
        .take(n as usize)
        .map(key)
        .collect()
}

/// The length in days of a claim's date span ("January 4 to 7": 4), the
/// key of `span_postings`.
fn span_days(c: &Claim) -> Option<i64> {
    match &c.date {
        Some(d @ DateValue::Span(..)) => d.days(),
        _ => None,
    }
}

/// The number of days a duration claim counts ("the four-day trip": 4),
/// the key of `duration_postings`.
fn duration_days(c: &Claim) -> Option<i64> {
    c.quantity
        .as_ref()
        .filter(|q| {
            c.kind == ClaimKind::Duration
                && q.head.as_deref() == Some("day")
                && q.value.fract() == 0.0
        })
        .map(|q| q.value as i64)
}

/// Whether `x`, a duration of days, finds `y`, a date span of as many days,
/// as a candidate: the one link followed one way only, so such a pair is
/// decided from the duration's side (the span meets the durations through
/// `duration_postings` only so that each pair is met from its earlier
/// claim; see [`relations_keeping`]).
fn span_link(x: &Claim, y: &Claim) -> bool {
    duration_days(x).is_some_and(|n| span_days(y) == Some(n))
}

/// Log-scale bucket of a value: neighbouring buckets differ by 25 %.
fn value_bucket(v: f64) -> Option<i32> {
    (v.is_finite() && v > 0.0).then(|| (v.ln() / 1.25f64.ln()).floor() as i32)
}

/// For each term of five letters or more, the other terms of the vocabulary
/// that contain it or that it contains. Each term's substrings are looked up
/// in the vocabulary (a term has few of them), rather than every pair of
/// terms being compared on every comparison of two claims. Indexed by local
/// term id (empty for a term without partners, most of them).
fn soft_partners(vocab: &[&'static str]) -> Vec<Vec<u32>> {
    // (Room for every term at once: collected through a filter, which
    // tells no size, the table was grown and rehashed some ten times a
    // story.)
    let mut by_text: FxHashMap<&str, u32> =
        FxHashMap::with_capacity_and_hasher(vocab.len(), Default::default());
    by_text.extend(
        vocab
            .iter()
            .enumerate()
            .filter(|(_, t)| t.len() >= 5)
            .map(|(i, t)| (*t, i as u32)),
    );
    let mut out: Vec<Vec<u32>> = vec![Vec::new(); vocab.len()];
    for (i, t) in vocab.iter().enumerate() {
        if t.len() < 6 {
            continue;
        }
        let i = i as u32;
        for len in 5..t.len() {
            for start in 0..=t.len() - len {
                let Some(sub) = t.get(start..start + len) else {
                    continue;
                };
                if let Some(&j) = by_text.get(sub) {
                    if let Some(v) = out.get_mut(i as usize) {
                        v.push(j);
                    }
                    if let Some(v) = out.get_mut(j as usize) {
                        v.push(i);
                    }
                }
            }
        }
    }
    for v in &mut out {
        v.sort_unstable();
        v.dedup();
    }
    out
}

impl Drop for StoryIndex {
    /// Gives the thread back its table of local ids, zeroed.
    fn drop(&mut self) {
        std::mem::take(&mut self.ids).give_back(&self.vocab);
    }
}

impl StoryIndex {
    pub fn new(arts: Vec<(DocId, Arc<Article>)>, config: EngineConfig) -> Self {
        let mut vocab: Vec<Term> = Vec::new();
        let mut local = terms::LocalIds::take();
        let mut df: Vec<u32> = Vec::new();
        let mut n = 0.0;
        let mut raw: Vec<Vec<(Vec<u32>, Vec<u32>)>> = Vec::with_capacity(arts.len());
        let mut sent_sets: Vec<Vec<Vec<u32>>> = Vec::with_capacity(arts.len());
        for (_, a) in &arts {
            // The local id of each place of the article's term list that a
            // sentence holds, as the sentences' terms are given theirs: a
            // claim whose terms are a run of its sentence's (nearly all)
            // copies them instead of looking each up again.
            let mut local_pool: Vec<u32> = vec![u32::MAX; a.terms.len()];
            let mut per_sent = Vec::with_capacity(a.sentences.len());
            for s in &a.sentences {
                n += 1.0;
                let start = s.terms.start as usize;
                let mut v: Vec<u32> = a
                    .terms_of(s.terms)
                    .iter()
                    .map(|&t| local.id(&mut vocab, t))
                    .collect();
                if let Some(places) = local_pool.get_mut(start..start + v.len()) {
                    places.copy_from_slice(&v);
                }
                v.sort_unstable();
                v.dedup();
                for &t in &v {
                    if df.len() <= t as usize {
                        df.resize(t as usize + 1, 0);
                    }
                    df[t as usize] += 1;
                }
                per_sent.push(v);
            }
            let mut per_claim = Vec::with_capacity(a.claims.len());
            for c in &a.claims {
                // A claim whose terms are all its sentence's (a statement that
                // spans its sentence) has the sentence's set, sorted already.
                let whole = a
                    .sentences
                    .get(c.sentence)
                    .filter(|s| s.terms == c.terms)
                    .and_then(|_| per_sent.get(c.sentence));
                let t = match whole {
                    Some(set) => set.clone(),
                    None => {
                        // (Every place of a run of a sentence's terms already
                        // has its id: the same ids as looking the terms up, in
                        // the same order.)
                        let start = c.terms.start as usize;
                        let mut t: Vec<u32> = match local_pool
                            .get(start..start + c.terms.len())
                            .filter(|places| !places.contains(&u32::MAX))
                        {
                            Some(places) => places.to_vec(),
                            None => a
                                .terms_of(c.terms)
                                .iter()
                                .map(|&t| local.id(&mut vocab, t))
                                .collect(),
                        };
                        t.sort_unstable();
                        t.dedup();
                        t
                    }
                };
                let mut w: Vec<u32> = c
                    .features()
                    .window
                    .iter()
                    .map(|&t| local.id(&mut vocab, t))
                    .collect();
                w.sort_unstable();
                w.dedup();
                per_claim.push((t, w));
            }
            sent_sets.push(per_sent);
            raw.push(per_claim);
        }
        df.resize(vocab.len(), 0);
        let vocab_text: Vec<&'static str> = vocab.iter().map(|&t| terms::resolve(t)).collect();
        let soft = soft_partners(&vocab_text);
        let idf: Vec<f32> = df
            .iter()
            .map(|&d| (n / (d as f32 + 1.0)).ln().max(0.05))
            .collect();
        let set = |ids: Vec<u32>| {
            let weight = ids
                .iter()
                .map(|&i| idf.get(i as usize).copied().unwrap_or(0.05))
                .sum();
            TermSet::new(ids, weight)
        };
        let mut value_postings: FxHashMap<i32, Vec<u32>> = FxHashMap::default();
        let mut day_postings: FxHashMap<i32, Vec<u32>> = FxHashMap::default();
        let mut span_postings: FxHashMap<i64, Vec<u32>> = FxHashMap::default();
        let mut duration_postings: FxHashMap<i64, Vec<u32>> = FxHashMap::default();
        // Each family's lists are counted, then filled in claim order.
        let mut counts = [vec![0u32; vocab.len()], vec![0u32; vocab.len()]];
        for ((_, a), per_claim) in arts.iter().zip(&raw) {
            for (c, (t, _)) in a.claims.iter().zip(per_claim) {
                let fam = usize::from(c.kind.is_typed());
                for &id in t {
                    if let Some(n) = counts[fam].get_mut(id as usize) {
                        *n += 1;
                    }
                }
            }
        }
        let [(p0, c0), (p1, c1)] = counts.map(|c| Postings::with_counts(&c));
        let mut postings = [p0, p1];
        let mut cursors = [c0, c1];
        // The common terms, a bit each in id order (the first 64).
        let common = common_df(n);
        let mut common_bit: FxHashMap<u32, u32> = FxHashMap::default();
        let mut common_idf: Vec<f32> = Vec::new();
        for (t, _) in df.iter().enumerate().filter(|(_, &d)| d > common) {
            if common_idf.len() < 64 {
                common_bit.insert(t as u32, common_idf.len() as u32);
                common_idf.push(idf.get(t).copied().unwrap_or(0.05));
            }
        }
        let idf_of = |i: u32| idf.get(i as usize).copied().unwrap_or(0.05);
        let mut flat: Vec<ClaimFlat> =
            Vec::with_capacity(arts.iter().map(|(_, a)| a.claims.len()).sum());
        let mut base: Vec<usize> = Vec::with_capacity(arts.len());
        let mut sets = Vec::with_capacity(arts.len());
        let mut events = Vec::with_capacity(arts.len());
        let mut sent_dated = Vec::with_capacity(arts.len());
        for (ai, (_, a)) in arts.iter().enumerate() {
            base.push(flat.len());
            let mut dated = vec![false; a.sentences.len()];
            let mut per = Vec::with_capacity(a.claims.len());
            let mut art_events = Vec::with_capacity(a.claims.len());
            for (ci, (c, (t, w))) in a
                .claims
                .iter()
                .zip(std::mem::take(&mut raw[ai]))
                .enumerate()
            {
                let k = flat.len() as u32;
                let fam = usize::from(c.kind.is_typed());
                // (Only statements holding a word of an event noun are
                // searched: `Claim::event_word`.)
                let event = (!c.kind.is_typed() && c.event_word)
                    .then(|| lexicon::event_introduction(a.claim_text(ci)))
                    .flatten();
                let mut cf = ClaimFlat {
                    art: ai as u32,
                    claim: ci as u32,
                    typed: c.kind.is_typed(),
                    quote: c.quote.is_some(),
                    stance: !c.features().stances.is_empty(),
                    event: event.is_some(),
                    ..ClaimFlat::default()
                };
                art_events.push(event);
                for &id in &t {
                    postings[fam].push(&mut cursors[fam], id as usize, k);
                    if df.get(id as usize).is_some_and(|&d| d > common) {
                        match common_bit.get(&id) {
                            Some(b) => cf.common |= 1 << b,
                            None => cf.overflow += idf_of(id),
                        }
                    }
                    if soft.get(id as usize).is_some_and(|p| !p.is_empty()) {
                        cf.soft += 0.7 * idf_of(id);
                    }
                }
                if let Some(b) = c.quantity.as_ref().and_then(|q| value_bucket(q.value)) {
                    value_postings.entry(b).or_default().push(k);
                }
                for d in c.date.as_ref().map(day_keys).into_iter().flatten() {
                    day_postings.entry(d).or_default().push(k);
                }
                if let Some(days) = span_days(c) {
                    span_postings.entry(days).or_default().push(k);
                }
                if let Some(days) = duration_days(c) {
                    duration_postings.entry(days).or_default().push(k);
                }
                if c.date.as_ref().is_some_and(names_days) {
                    if let Some(d) = dated.get_mut(c.sentence) {
                        *d = true;
                    }
                }
                let terms = set(t);
                cf.root = terms.weight.sqrt();
                flat.push(cf);
                per.push(ClaimSets {
                    terms,
                    window: set(w),
                });
            }
            sets.push(per);
            events.push(art_events);
            sent_dated.push(dated);
        }
        let sent_sets: Vec<Vec<TermSet>> = sent_sets
            .into_iter()
            .map(|a| a.into_iter().map(set).collect())
            .collect();
        let mut acronyms = Vec::new();
        for (_, a) in &arts {
            for s in &a.sentences {
                if let Some(t) = a.text.get(s.span.clone()) {
                    if t.contains('(') {
                        acronyms.extend(entity::acronyms(t));
                    }
                }
            }
        }
        let aliases = Aliases::build(
            arts.iter()
                .flat_map(|(_, a)| a.sentences.iter().flat_map(|s| s.names.iter().copied())),
            &acronyms,
        );
        // Each canonical name gets a number in the story: a sentence keeps
        // its names' numbers (no copy of each name for the sentence and
        // another for the count), the counts are by number.
        let mut name_ids: FxHashMap<String, u32> = FxHashMap::default();
        let mut name_df: Vec<u32> = Vec::new();
        // Each name as written, with its number (none for a name whose
        // canonical form is empty): most are mentioned in many sentences,
        // and finding the canonical form of every mention was half of
        // numbering them. Keyed by where the name's text is: names are
        // symbols, stored once for the process, so one name is one address
        // and length (hashing and comparing their texts instead was most of
        // this table's cost); a copy elsewhere would only be numbered again,
        // to the same number, by its canonical form.
        let mut number_of: FxHashMap<*const str, Option<u32>> = FxHashMap::default();
        let sent_names: Vec<Vec<Vec<u32>>> = arts
            .iter()
            .map(|(_, a)| {
                a.sentences
                    .iter()
                    .map(|s| {
                        let mut v: Vec<u32> = s
                            .names
                            .iter()
                            .filter_map(|&n| {
                                *number_of.entry(std::ptr::from_ref(n)).or_insert_with(|| {
                                    let c = aliases.canonical(n);
                                    if c.is_empty() {
                                        return None;
                                    }
                                    let next = name_ids.len() as u32;
                                    Some(*name_ids.entry(c).or_insert_with(|| {
                                        name_df.push(0);
                                        next
                                    }))
                                })
                            })
                            .collect();
                        v.sort_unstable();
                        v.dedup();
                        for &n in &v {
                            if let Some(d) = name_df.get_mut(n as usize) {
                                *d += 1;
                            }
                        }
                        v
                    })
                    .collect()
            })
            .collect();
        let pos = arts.iter().enumerate().map(|(i, (d, _))| (*d, i)).collect();
        let roles = arts
            .iter()
            .map(|(_, a)| a.claims.iter().map(|_| OnceLock::new()).collect())
            .collect();
        let conditions = arts
            .iter()
            .map(|(_, a)| a.sentences.iter().map(|_| OnceLock::new()).collect())
            .collect();
        StoryIndex {
            events,
            conditions,
            arts,
            vocab_text,
            ids: local,
            vocab,
            df,
            idf,
            n,
            postings,
            flat,
            base,
            common_idf,
            value_postings,
            day_postings,
            span_postings,
            duration_postings,
            sets,
            sent_sets,
            aliases,
            sent_names,
            name_df,
            sent_dated,
            pos,
            soft,
            roles,
            config,
        }
    }

    /// The article of a document of this story.
    fn article_of(&self, d: DocId) -> Option<&Article> {
        let i = *self.pos.get(&d)?;
        self.arts.get(i).map(|(_, a)| a.as_ref())
    }

    /// The two claims' sentences name the same rare entity (one found in
    /// few sentences of the story: not a protagonist).
    fn share_rare_name(&self, x: &View, y: &View) -> bool {
        let rare = (self.n * 0.1).max(3.0);
        let names = |v: &View| {
            self.sent_names
                .get(v.art_index)
                .and_then(|a| a.get(v.claim.sentence))
        };
        let (Some(a), Some(b)) = (names(x), names(y)) else {
            return false;
        };
        a.iter().any(|n| {
            b.contains(n)
                && self
                    .name_df
                    .get(*n as usize)
                    .is_some_and(|&d| (d as f32) < rare)
        })
    }

    fn idf_of(&self, id: u32) -> f32 {
        self.idf.get(id as usize).copied().unwrap_or(0.05)
    }

    fn local(&self, t: &str) -> Option<u32> {
        terms::get(t).and_then(|g| self.ids.get(g))
    }

    fn df_of(&self, t: &str) -> u32 {
        self.local(t)
            .and_then(|i| self.df.get(i as usize))
            .copied()
            .unwrap_or(0)
    }

    fn df_of_term(&self, t: Term) -> u32 {
        self.ids
            .get(t)
            .and_then(|i| self.df.get(i as usize))
            .copied()
            .unwrap_or(0)
    }

    fn text_of(&self, local: u32) -> &'static str {
        self.vocab_text.get(local as usize).copied().unwrap_or("")
    }

    /// IDF-weighted cosine of two term sets (binary weights), and the shared terms.
    fn overlap(&self, a: &TermSet, b: &TermSet) -> (f32, Vec<u32>) {
        // (At its final size at once: growing it a term at a time was a
        // tenth of the cosines' cost.)
        let mut shared = Vec::with_capacity(a.ids.len().min(b.ids.len()));
        let sim = self.cosine(a, b, Some(&mut shared));
        (sim, shared)
    }

    /// [`StoryIndex::overlap`] without the shared terms (no allocation).
    fn similarity(&self, a: &TermSet, b: &TermSet) -> f32 {
        self.cosine(a, b, None)
    }

    fn cosine(&self, a: &TermSet, b: &TermSet, mut shared: Option<&mut Vec<u32>>) -> f32 {
        if a.weight == 0.0 || b.weight == 0.0 {
            return 0.0;
        }
        let (mut i, mut j) = (0, 0);
        let mut ws = 0.0;
        // The merge steps without a branch on which side is behind (most
        // steps: which one is not predictable); only a shared term branches.
        while let (Some(&x), Some(&y)) = (a.ids.get(i), b.ids.get(j)) {
            if x == y {
                if let Some(s) = shared.as_deref_mut() {
                    s.push(x);
                }
                ws += self.idf_of(x);
            }
            i += usize::from(x <= y);
            j += usize::from(y <= x);
        }
        // Soft matches beyond the stemmer: one word inside the other
        // ("interconnect" / "connect"), at a discount. Only worth looking for
        // when the exact overlap is already notable (most pairs are not).
        let norm = (a.weight * b.weight).sqrt();
        let exact = ws / norm;
        if exact < SOFT_FROM {
            return exact;
        }
        self.add_soft(a, b, ws) / norm
    }

    /// `ws` plus what soft matches add to the overlap of `a` with `b`.
    fn add_soft(&self, a: &TermSet, b: &TermSet, mut ws: f32) -> f32 {
        let has = |t: &TermSet, id: &u32| t.has(*id);
        // (Most terms have no soft partner: that is settled first, before
        // the searches.)
        let partners_of = |x: &u32| self.soft.get(*x as usize).map_or(&[][..], Vec::as_slice);
        for x in a
            .ids
            .iter()
            .filter(|x| !partners_of(x).is_empty() && !has(b, x))
        {
            let partners = partners_of(x);
            // The first partner (by id) that only `b` has.
            if let Some(&y) = partners.iter().find(|y| has(b, y) && !has(a, y)) {
                ws += 0.7 * self.idf_of(*x).min(self.idf_of(y));
            }
        }
        ws
    }

    /// Whether the sentence of `v`'s claim may date something to a day (see
    /// [`StoryIndex::sent_dated`]); `true` when the index cannot tell, so
    /// that the caller walks the sentence's dates.
    fn sentence_dated(&self, v: &View) -> bool {
        self.sent_dated
            .get(v.art_index)
            .and_then(|a| a.get(v.claim.sentence))
            .is_none_or(|&d| d)
    }

    /// The event a statement claim introduces, read once per claim.
    fn event_of(&self, v: &View) -> Option<&lexicon::EventIntro> {
        self.event_at(v.art_index, v.claim_index)
    }

    /// [`StoryIndex::event_of`] claim `ci` of article `ai`.
    fn event_at(&self, ai: usize, ci: usize) -> Option<&lexicon::EventIntro> {
        self.events.get(ai)?.get(ci)?.as_ref()
    }

    /// [`lexicon::conditionality`] of a claim's sentence, read once per
    /// sentence.
    fn conditionality(&self, v: &View) -> Option<bool> {
        let sentence = || {
            v.art
                .sentences
                .get(v.claim.sentence)
                .and_then(|s| v.art.text.get(s.span.clone()))
                .and_then(lexicon::conditionality)
        };
        match self
            .conditions
            .get(v.art_index)
            .and_then(|c| c.get(v.claim.sentence))
        {
            Some(cell) => *cell.get_or_init(sentence),
            None => sentence(),
        }
    }

    /// The role bindings of a claim's span, read once per claim.
    fn roles_of(&self, v: &View) -> &[entity::RoleBinding] {
        match self
            .roles
            .get(v.art_index)
            .and_then(|r| r.get(v.claim_index))
        {
            // (A claim holding no word a title starts with binds no role:
            // `Claim::title_word`.)
            Some(cell) => cell.get_or_init(|| match v.claim.title_word {
                true => entity::role_bindings(&v.art.text, v.claim.span.clone()),
                false => Vec::new(),
            }),
            None => &[],
        }
    }

    fn words(&self, ids: &[u32]) -> Vec<String> {
        ids.iter().map(|&i| self.text_of(i).to_string()).collect()
    }
}

struct View<'a> {
    art_index: usize,
    claim_index: usize,
    art: &'a Article,
    claim: &'a Claim,
    terms: &'a TermSet,
    sent_terms: &'a TermSet,
    window: &'a TermSet,
}

impl View<'_> {
    fn role(&self) -> Option<BlockRole> {
        self.art.sentences.get(self.claim.sentence).map(|s| s.role)
    }

    fn is_title(&self) -> bool {
        matches!(self.role(), Some(BlockRole::Title | BlockRole::Standfirst))
    }

    fn is_caption(&self) -> bool {
        self.role() == Some(BlockRole::Caption)
    }
}

fn view<'a>(idx: &'a StoryIndex, ai: usize, ci: usize) -> Option<View<'a>> {
    let art = &idx.arts.get(ai)?.1;
    let claim = art.claims.get(ci)?;
    let sets = idx.sets.get(ai)?.get(ci)?;
    let sent_terms = idx
        .sent_sets
        .get(ai)
        .and_then(|a| a.get(claim.sentence))
        .unwrap_or(&NO_TERMS);
    Some(View {
        art_index: ai,
        claim_index: ci,
        art,
        claim,
        terms: &sets.terms,
        sent_terms,
        window: &sets.window,
    })
}

/// Distinguishing names inside the claim's own span: the names that tell
/// list items apart ("71 in Morelos", "43 in Puebla"). Names found in many
/// sentences of the story (its protagonists) distinguish nothing.
fn local_names(idx: &StoryIndex, v: &View) -> Vec<&'static str> {
    rare_names(idx, &v.claim.features().names)
}

/// Distinguishing names next to the claim's figure.
fn near_names(idx: &StoryIndex, v: &View) -> Vec<&'static str> {
    rare_names(idx, &v.claim.features().near_names)
}

/// The names next to two claims' figures agree once the names each side
/// shares with the other's sentence are set aside: a name one source writes
/// as a name and the other only as a word of its sentence (the "myung" of
/// "Lee Jae‑myung", split at a non-breaking hyphen) names the same actor,
/// not a rival one.
fn near_names_agree(idx: &StoryIndex, x: &View, y: &View) -> bool {
    let (a, b) = (near_names(idx, x), near_names(idx, y));
    if names_compatible(idx, &a, &b) {
        return true;
    }
    // The names' terms were derived at parse time: look them up, do not
    // re-stem the names in the comparison loop.
    let not_in = |of: &View, v: &View| -> Vec<&'static str> {
        rare(idx, &of.claim.features().near_names)
            .filter(|(_, t)| idx.ids.get(*t).is_none_or(|id| !v.sent_terms.has(id)))
            .map(|(n, _)| *n)
            .collect()
    };
    names_compatible(idx, &not_in(x, y), &not_in(y, x))
}

/// How many of two claims' shared terms are not words of a name in either
/// claim. The names of a story's protagonists ("South Korean President Lee
/// Jae-myung") fill many sentences with the same four or five terms: two
/// statements that share those and one more word ("... visit") say
/// different things.
fn shared_content(idx: &StoryIndex, x: &View, y: &View, shared: &[u32]) -> usize {
    // (The names' local ids looked up for each shared term, in the table of
    // local ids: collecting them into a vector first cost its allocation,
    // more than the lookups.)
    let (xn, yn) = (&x.claim.features().names, &y.claim.features().names);
    let named = |id: u32| {
        xn.iter()
            .chain(yn.iter())
            .any(|(_, t)| idx.ids.get(*t) == Some(id))
    };
    shared.iter().filter(|&&id| !named(id)).count()
}

/// The names found in few sentences of the story.
fn rare<'n>(
    idx: &'n StoryIndex,
    names: &'n [(&'static str, Term)],
) -> impl Iterator<Item = &'n (&'static str, Term)> {
    let limit = (idx.n * 0.1).max(3.0);
    names
        .iter()
        .filter(move |(_, st)| (idx.df_of_term(*st) as f32) < limit)
}

fn rare_names(idx: &StoryIndex, names: &[(&'static str, Term)]) -> Vec<&'static str> {
    rare(idx, names).map(|(n, _)| *n).collect()
}

fn names_compatible(idx: &StoryIndex, a: &[&str], b: &[&str]) -> bool {
    if a.is_empty() || b.is_empty() {
        return true;
    }
    a.iter().any(|x| {
        b.iter()
            .any(|y| x == y || strsim::jaro_winkler(x, y) >= 0.88 || idx.aliases.same(x, y))
    })
}

/// What state a count of people is about: the dead, the missing, the injured,
/// the rescued. Two counts about different states are different facts.
fn state_classes(idx: &StoryIndex, terms: &TermSet) -> FxHashSet<&'static str> {
    terms
        .ids
        .iter()
        .filter_map(|&t| match idx.text_of(t) {
            "die" => Some("dead"),
            "miss" => Some("missing"),
            "injur" | "hospit" => Some("injured"),
            "surviv" | "rescu" | "aliv" | "save" | "evacu" => Some("rescued"),
            "arrest" | "detain" => Some("arrested"),
            _ => None,
        })
        .collect()
}

/// A head that counts people in general ("people", "persons"): the unit
/// folds it to "people", the lexicon to the stem "peopl".
fn is_people(h: &str) -> bool {
    h == "people" || synonym(h) == "peopl"
}

/// The clause places its fact at another time than the story's event ("a
/// quake that killed nearly 100 people two weeks ago", "the previous
/// record"): its figure is not a rival account of the story's figure.
fn displaced_in_time(v: &View) -> bool {
    // Words of the span without tokenising (this runs in the comparison
    // loop): in ASCII (nearly every span), split on the bytes that are no
    // letter or digit, the same words as splitting on the chars (and no
    // char decoded: half of this function's instructions).
    let span = v.art.text.get(v.claim.span.clone()).unwrap_or("");
    if span.is_ascii() {
        return displaced_words(
            span.as_bytes()
                .split(|b| !b.is_ascii_alphanumeric())
                .filter(|w| !w.is_empty()),
        );
    }
    displaced_words(
        span.split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::as_bytes),
    )
}

/// [`displaced_in_time`] of the span's words.
fn displaced_words<'w>(words: impl Iterator<Item = &'w [u8]>) -> bool {
    let mut words = words.peekable();
    let is = |w: &[u8], list: &[&str]| list.iter().any(|l| w.eq_ignore_ascii_case(l.as_bytes()));
    while let Some(w) = words.next() {
        if is(
            w,
            &[
                "ago",
                "previous",
                "previously",
                "prior",
                "former",
                "earlier",
            ],
        ) {
            return true;
        }
        if w.eq_ignore_ascii_case(b"last")
            && words
                .peek()
                .is_some_and(|n| is(n, &["week", "month", "year", "decade", "season", "century"]))
        {
            return true;
        }
    }
    false
}

/// The words that qualify an ordinal's head, folded: the tokens of the
/// figure between the ordinal and its head ("first *domestic knockout*
/// prize"). `None` unless the figure is a "first" bounded in time ("since
/// 2012", "in a decade").
fn first_since_qualifiers(q: &Quantity, v: &View) -> Option<FxHashSet<Term>> {
    if !q.ordinal || q.value != 1.0 {
        return None;
    }
    let end = v.claim.span.end.max(q.span.end);
    let after = v.art.text.get(q.span.end..end)?;
    if !lexicon::since_bound(text::prefix(after, 80)) {
        return None;
    }
    let toks = text::tokens(&v.art.text, q.span.clone());
    let inner = toks.get(1..toks.len().checked_sub(1)?)?;
    Some(
        inner
            .iter()
            .filter(|t| !text::is_stopword(&t.norm))
            .map(|t| text::term(&t.norm))
            .collect(),
    )
}

/// Two "first since" claims of one head where one source adds a qualifier
/// to the other's ("first domestic knockout prize since 2012" / "first
/// domestic trophy in a decade"): the narrower streak may hold while the
/// broader one does not.
fn first_scope_differs(a: &Quantity, b: &Quantity, x: &View, y: &View) -> Option<String> {
    let (qa, qb) = (first_since_qualifiers(a, x)?, first_since_qualifiers(b, y)?);
    let narrower = |p: &FxHashSet<Term>, q: &FxHashSet<Term>| {
        !q.is_empty() && p.len() > q.len() && q.is_subset(p)
    };
    if !narrower(&qa, &qb) && !narrower(&qb, &qa) {
        return None;
    }
    let (ta, tb) = (qdesc(a, &x.art.text), qdesc(b, &y.art.text));
    Some(format!(
        "'{ta}' vs '{tb}': the sources scope the 'first' differently"
    ))
}

/// Two aligned statements that give one role to different people ("CEO
/// Raj Patel" / "Lena Ortiz, chairman and CEO"), where one of the two
/// people is named by both with another role: a different person in the
/// same role, not two roles of one person.
fn role_conflict(idx: &StoryIndex, x: &View, y: &View) -> Option<String> {
    let (ra, rb) = (idx.roles_of(x), idx.roles_of(y));
    if ra.is_empty() || rb.is_empty() {
        return None;
    }
    let same = |a: &str, b: &str| {
        a == b || idx.aliases.same(a, b) || a.rsplit(' ').next() == b.rsplit(' ').next()
    };
    let of_same = |a: &Option<String>, b: &Option<String>| match (a, b) {
        (Some(p), Some(q)) => same(p, q),
        _ => true,
    };
    for p in ra {
        for q in rb
            .iter()
            .filter(|q| q.role == p.role && of_same(&p.of, &q.of))
        {
            if same(&p.holder, &q.holder) {
                continue;
            }
            // The other source's holder named here in another role, or this
            // holder named there in another role.
            let elsewhere = |rs: &[entity::RoleBinding], who: &str| {
                rs.iter().any(|r| r.role != p.role && same(&r.holder, who))
            };
            if elsewhere(ra, &q.holder) || elsewhere(rb, &p.holder) {
                return Some(format!(
                    "the {} is {} in one source and {} in the other",
                    role_label(p.role),
                    capitalised(&p.holder),
                    capitalised(&q.holder)
                ));
            }
        }
    }
    None
}

/// A normalised name written with capitals again ("ziv aviram" → "Ziv Aviram").
fn capitalised(name: &str) -> String {
    name.split(' ')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect::<String>())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn role_label(role: &str) -> String {
    match role {
        "ceo" | "cfo" | "coo" => role.to_uppercase(),
        "chair" => "chairman".into(),
        _ => role.into(),
    }
}

/// The noun right after a duration written as a modifier ("a four-day
/// trip" → "trip"), as a term.
fn duration_noun(q: &Quantity, v: &View) -> Option<Term> {
    let end = v.claim.span.end.max(q.span.end);
    // Only the first token past the figure is wanted (the rest of the
    // claim was tokenised for it, a few thousand instructions a call).
    let next = first_token(&v.art.text, q.span.end..end)?;
    let between = v.art.text.get(q.span.end..next.span.start)?;
    (between.trim().is_empty() && !text::is_stopword(&next.norm)).then(|| text::term(&next.norm))
}

/// The first token of `range` in `text` (`text::tokens(text, range)`'s
/// first), read a window at a time: from where the last one ended up to
/// the first whitespace after the next word begins. A token is never
/// joined across whitespace and a word always breaks from the whitespace
/// before it, so the first window that holds a token holds the range's
/// first. `first_token_is_the_tokens_first` compares the two.
fn first_token(text: &str, range: std::ops::Range<usize>) -> Option<text::Token> {
    let mut from = range.start;
    while from < range.end {
        let rest = text.get(from..range.end)?;
        let word_at = rest.len() - rest.trim_start().len();
        let cut = rest
            .get(word_at..)?
            .char_indices()
            .find(|(_, c)| c.is_whitespace())
            .map_or(range.end, |(i, c)| from + word_at + i + c.len_utf8());
        if let Some(t) = text::tokens(text, from..cut).into_iter().next() {
            return Some(t);
        }
        from = cut;
    }
    None
}

/// The dates stated in a claim's sentence that name one day or a span of
/// days (a weekday not resolved against a publication date included).
fn sentence_days<'a>(v: &View<'a>) -> impl Iterator<Item = &'a DateValue> + 'a {
    sentence_claims(v)
        .iter()
        .filter_map(|c| c.date.as_ref())
        .filter(|d| names_days(d))
}

/// A date that names one day or a span of days, or a weekday.
fn names_days(d: &DateValue) -> bool {
    matches!(
        d,
        DateValue::Day(_) | DateValue::Span(..) | DateValue::Weekday(_)
    )
}

/// The claims of the claim's sentence (an article's claims come in sentence
/// order: a binary search, not a scan, on the comparison path).
fn sentence_claims<'a>(v: &View<'a>) -> &'a [Claim] {
    let claims = &v.art.claims;
    let s = v.claim.sentence;
    let lo = claims.partition_point(|c| c.sentence < s);
    let hi = claims.partition_point(|c| c.sentence <= s);
    claims.get(lo..hi).unwrap_or(&[])
}

/// Whether two dates can name a common day (a weekday: any date that falls
/// on it).
fn may_share_day(a: &DateValue, b: &DateValue) -> bool {
    use DateValue::*;
    match (a, b) {
        (Weekday(p), Weekday(q)) => p == q,
        (Weekday(w), Day(d)) | (Day(d), Weekday(w)) => d.weekday() == *w,
        (Weekday(_), _) | (_, Weekday(_)) => true,
        _ => match (a.range(), b.range()) {
            (Some(p), Some(q)) => p.0 <= q.1 && q.0 <= p.1,
            _ => true,
        },
    }
}

/// Both sentences date their event to the day, and no two of their dates
/// can share a day.
fn days_apart(idx: &StoryIndex, x: &View, y: &View) -> bool {
    // (The dates are walked again rather than collected: most sentences
    // hold none, and two vectors per pair cost more than the walks.)
    if !idx.sentence_dated(y) || !idx.sentence_dated(x) {
        return false;
    }
    let mut dated = false;
    for a in sentence_days(x) {
        dated = true;
        if sentence_days(y).any(|b| may_share_day(a, b)) {
            return false;
        }
    }
    dated
}

fn quantity_heads_compatible(a: &Quantity, b: &Quantity) -> Option<bool> {
    if a.ordinal != b.ordinal {
        // "a ninth title" / "nine times": only a count of times matches an ordinal.
        let cardinal = if a.ordinal { b } else { a };
        return Some(cardinal.head.as_deref() == Some("time"));
    }
    match (&a.head, &b.head) {
        (Some(x), Some(y)) => Some(x == y || synonym(x) == synonym(y)),
        _ if a.ordinal => Some(false),
        _ => None,
    }
}

/// A claim's non-stopwords that the story's vocabulary holds, in order,
/// each with its local term id and the place of its text: in the article's
/// text, to be lower-cased when a label uses it, or in `text`, where its
/// folded form was written (see [`text::non_stop_norms`]). (A word that
/// the story lacks can never be a shared one, so it is left out.)
struct LabelWords {
    words: Vec<(u32, std::ops::Range<usize>)>,
    text: String,
    at: text::NormsIn,
}

/// The words of a claim that can name its fact (read from its text by
/// [`text::non_stop_norms`], the words kept in one string: a `String` per
/// word was most of the labels' cost).
fn label_words(v: &View, idx: &StoryIndex) -> LabelWords {
    // Room for the span's words at once (their folded forms are rarely
    // longer): grown word by word, they were a fifth of this function.
    let span = v.claim.span.len();
    let mut words = Vec::with_capacity(span / 6 + 1);
    let mut norms = String::new();
    let at = text::non_stop_norms(
        &v.art.text,
        v.claim.span.clone(),
        &mut norms,
        &mut words,
        |term| idx.ids.get(term),
    );
    LabelWords {
        words,
        text: norms,
        at,
    }
}

/// The label of a relation of the claim of `v` whose claims share the
/// story's terms `shared`, written into `out` (cleared first): the three
/// shared words of highest IDF, in the claim's order, each once, or the
/// claim's kind. (Written into the caller's string, kept from one relation
/// to the next, through vectors on the stack: three allocations per
/// relation were most of this function.)
fn label_of_into(
    v: &View,
    words: &LabelWords,
    shared: &SharedMarks,
    idx: &StoryIndex,
    out: &mut String,
) {
    // The three shared words of highest IDF (of equal IDF, the earlier),
    // picked as the words go by, each (IDF, place): the same three as a
    // stable sort of every shared word by IDF, highest first, cut to three
    // (`label_picks_the_sorts_three`), without collecting and sorting them
    // all (that was most of this function).
    let mut top: [Option<(f32, usize)>; 3] = [None; 3];
    for (i, (local, _)) in words.words.iter().enumerate() {
        if !shared.has(*local) {
            continue;
        }
        let idf = idx.idf_of(*local);
        top3_push(&mut top, (idf, i));
    }
    // In the claim's order; three words at most: the first of each is kept
    // by a look at the words kept so far (a hash set here cost more than the
    // rest of the label).
    let mut picked: smallvec::SmallVec<[usize; 3]> = top.iter().flatten().map(|p| p.1).collect();
    picked.sort_unstable();
    // A word read where it stands in the text is ASCII, and its norm is
    // its lower case: words are the same when they are but for case.
    let in_text = words.at == text::NormsIn::Text;
    let source: &str = if in_text { &v.art.text } else { &words.text };
    let mut kept: smallvec::SmallVec<[&str; 3]> = smallvec::SmallVec::new();
    for i in picked {
        let w = words
            .words
            .get(i)
            .and_then(|(_, at)| source.get(at.clone()))
            .unwrap_or("");
        let same = |k: &&str| {
            if in_text {
                k.eq_ignore_ascii_case(w)
            } else {
                *k == w
            }
        };
        if !kept.iter().any(same) {
            kept.push(w);
        }
    }
    out.clear();
    if kept.is_empty() {
        out.push_str(v.claim.kind.as_str());
    } else {
        for (i, w) in kept.iter().enumerate() {
            if i > 0 {
                out.push(' ');
            }
            let from = out.len();
            out.push_str(w);
            if in_text {
                if let Some(added) = out.get_mut(from..) {
                    added.make_ascii_lowercase();
                }
            }
        }
    }
}

/// The shared terms of one relation, marked in a table by story-local term
/// id: a label asks of each word of its claim whether the pair shares it,
/// and a scan of the shared terms per word was an eighth of the labels'
/// picking (callgrind, 1,000 articles). One table serves every relation
/// of a story: a relation's marks are its serial number, so none are
/// cleared.
struct SharedMarks {
    marks: Vec<u32>,
    serial: u32,
}

impl SharedMarks {
    fn new(terms: usize) -> Self {
        SharedMarks {
            marks: vec![0; terms],
            serial: 0,
        }
    }

    /// Marks `shared` (and only them) as the shared terms.
    fn set(&mut self, shared: &[u32]) {
        if self.serial == u32::MAX {
            // (Never in practice: every mark is cleared before the serial
            // numbers start again.)
            self.marks.fill(0);
            self.serial = 0;
        }
        self.serial += 1;
        for &t in shared {
            if let Some(m) = self.marks.get_mut(t as usize) {
                *m = self.serial;
            }
        }
    }

    fn has(&self, t: u32) -> bool {
        self.marks.get(t as usize) == Some(&self.serial)
    }
}

/// Puts `c` (IDF, place) among the three kept in `top`, highest IDF first,
/// when it outranks one of them: words come in the claim's order, so of
/// equal IDF the one kept first stays ahead.
fn top3_push(top: &mut [Option<(f32, usize)>; 3], c: (f32, usize)) {
    let at = top.iter().position(|k| match k {
        None => true,
        Some(k) => c.0.total_cmp(&k.0) == std::cmp::Ordering::Greater,
    });
    if let Some(at) = at {
        // Shift the lower ones down by one, the last falls out.
        let mut carry = Some(c);
        for slot in top.iter_mut().skip(at) {
            std::mem::swap(slot, &mut carry);
            if carry.is_none() {
                break;
            }
        }
    }
}

/// The words of a claim's quotation, borrowed (each pair of quotations
/// compared copied every word of both, a string each).
fn quote_words<'a>(v: &View<'a>) -> Option<FxHashSet<&'a str>> {
    v.claim
        .quote
        .as_ref()
        .map(|q| q.words.iter().map(String::as_str).collect())
}

/// The words of every quotation in the claim's sentence (a source may quote
/// a remark in pieces: "the culmination of a quiet revolution" ... "over the
/// last couple of decades").
fn quoted_pieces(v: &View) -> Vec<FxHashSet<String>> {
    let Some(sent) = v.art.sentences.get(v.claim.sentence) else {
        return Vec::new();
    };
    super::claim::quotations(&v.art.text, sent.span.clone())
        .into_iter()
        .map(|r| {
            super::text::tokens(&v.art.text, r)
                .into_iter()
                .map(|t| super::claim::quote_word(&t.norm))
                .collect()
        })
        .collect()
}

/// How well the quotations of two sentences align: the share of the words
/// of the best-contained piece (four words at least) of either side found in
/// the other side's quotations, when it is 0.8 or more.
fn quotes_aligned(x: &View, y: &View) -> Option<f32> {
    let (qa, qb) = (quoted_pieces(x), quoted_pieces(y));
    let (wa, wb): (FxHashSet<&String>, FxHashSet<&String>) =
        (qa.iter().flatten().collect(), qb.iter().flatten().collect());
    let within = |p: &FxHashSet<String>, other: &FxHashSet<&String>| {
        if p.len() < 4 {
            0.0
        } else {
            p.iter().filter(|w| other.contains(w)).count() as f32 / p.len() as f32
        }
    };
    let contained = qa
        .iter()
        .map(|p| within(p, &wb))
        .chain(qb.iter().map(|p| within(p, &wa)))
        .fold(0.0f32, f32::max);
    (contained >= 0.8).then_some(contained)
}

/// The same figure: value, upper end and unit.
fn same_figure(a: &Quantity, b: &Quantity) -> bool {
    a.value == b.value && a.value_hi == b.value_hi && a.head == b.head
}

/// A figure quoted in one sentence that the other's quotations give in
/// other words ("over the last couple of decades" / "for the past 10 or 20
/// years"): a quotation is verbatim, its figures too.
fn quoted_figures_differ(x: &View, y: &View) -> Option<String> {
    let (fa, fb) = (quoted_figures(x), quoted_figures(y));
    let p = fa
        .iter()
        .find(|p| !fb.iter().any(|q| same_figure(p.1, q.1)))?;
    let q = fb
        .iter()
        .find(|q| !fa.iter().any(|p| same_figure(p.1, q.1)))
        .or(fb.first())?;
    Some(quoted_figure_reason(&p.0, &q.0))
}

fn quoted_figure_reason(a: &str, b: &str) -> String {
    format!("the quotation says '{a}' here and '{b}' there")
}

/// Whether a figure stands inside the quotation marks of its claim's sentence.
fn in_quotation(v: &View, q: &Quantity) -> bool {
    v.art.sentences.get(v.claim.sentence).is_some_and(|s| {
        super::claim::quotations(&v.art.text, s.span.clone())
            .iter()
            .any(|r| r.start <= q.span.start && q.span.end <= r.end)
    })
}

/// Figures written inside the quotation marks of the claim's sentence, with
/// their wording.
fn quoted_figures<'a>(v: &View<'a>) -> Vec<(String, &'a Quantity)> {
    let art: &'a Article = v.art;
    sentence_claims(v)
        .iter()
        .filter_map(|c| c.quantity.as_deref())
        .filter(|q| in_quotation(v, q))
        .map(|q| (qdesc(q, &art.text), q))
        .collect()
}

fn jaccard(a: &FxHashSet<&str>, b: &FxHashSet<&str>) -> f32 {
    let i = a.intersection(b).count() as f32;
    let u = a.union(b).count() as f32;
    if u == 0.0 {
        0.0
    } else {
        i / u
    }
}

fn speakers_differ(idx: &StoryIndex, a: &Option<String>, b: &Option<String>) -> bool {
    match (a, b) {
        (Some(x), Some(y)) => !idx.aliases.same(x, y),
        _ => false,
    }
}

fn qdesc(q: &Quantity, text: &str) -> String {
    let s = text.get(q.span.clone()).unwrap_or("").trim();
    if s.is_empty() {
        q.display()
    } else {
        s.to_string()
    }
}

/// Decide the relation between two claims of different documents, if any.
fn decide(idx: &StoryIndex, x: &View, y: &View) -> Option<(RelationKind, Reason, f32, Vec<u32>)> {
    let d = decide_inner(idx, x, y)?;
    // A hypothetical ("the game could have been 5-5") asserts nothing another
    // source can contradict.
    if d.0 != RelationKind::Support && (x.claim.hypothetical || y.claim.hypothetical) {
        return None;
    }
    Some(d)
}

fn decide_inner(
    idx: &StoryIndex,
    x: &View,
    y: &View,
) -> Option<(RelationKind, Reason, f32, Vec<u32>)> {
    use ClaimKind::*;
    use RelationKind::*;
    let (cx, cy) = (x.claim, y.claim);
    match (cx.kind.is_typed(), cy.kind.is_typed()) {
        (false, false) => {
            // Headlines compress and paraphrase: their figures and dates are
            // compared, their wording is not.
            if x.is_title() || y.is_title() {
                return None;
            }
            // Most candidate pairs share a word or two and nothing else: without
            // a quotation or a stated position on both sides, too little overlap
            // ends the comparison before anything is allocated.
            // (One cosine, with the shared terms: a pair that gets this far
            // usually passes, and would otherwise be measured twice.)
            let (sim, shared) = idx.overlap(x.terms, y.terms);
            if sim < idx.config.statement_threshold && !could_be_same_statement(idx, x, y) {
                return None;
            }
            // Quotes: the same words given to different speakers, or reworded.
            if let (Some(qa), Some(qb)) = (quote_words(x), quote_words(y)) {
                let j = jaccard(&qa, &qb);
                if j >= 0.5 {
                    let (sa, sb) = (&cx.quote.as_ref()?.speaker, &cy.quote.as_ref()?.speaker);
                    if speakers_differ(idx, sa, sb) {
                        return Some((
                            Conflict,
                            format!(
                                "the same quote is attributed to {} and to {}",
                                sa.as_deref().unwrap_or("?"),
                                sb.as_deref().unwrap_or("?")
                            )
                            .into(),
                            j,
                            shared,
                        ));
                    }
                    if j < 0.999 && qa.len().abs_diff(qb.len()) <= 6 {
                        return Some((
                            Tension,
                            "the quotation is worded differently".into(),
                            j,
                            shared,
                        ));
                    }
                    return Some((Support, "same quotation".into(), j, shared));
                }
            }
            // One source quotes part of what the other quotes in full ("the
            // culmination of a quiet revolution"): the same quotation, unless
            // a figure inside the quotation marks is given in other words.
            if let (Some(qa), Some(qb)) = (&cx.quote, &cy.quote) {
                if !speakers_differ(idx, &qa.speaker, &qb.speaker) {
                    if let Some(contained) = quotes_aligned(x, y) {
                        if let Some(reason) = quoted_figures_differ(x, y) {
                            return Some((Tension, reason.into(), contained * 0.6, shared));
                        }
                    }
                }
            }
            // Official positions worded as a principle vs a policy.
            let (px, py) = (&cx.features().stances, &cy.features().stances);
            for (mx, nx) in px {
                for (my, ny) in py {
                    let same_mod = mx == my || mx.replace(' ', "") == my.replace(' ', "");
                    if same_mod && stance_class(nx) != stance_class(ny) {
                        return Some((Tension, format!("'{mx} {nx}' here vs '{my} {ny}': the wording of the position differs").into(), 0.6, shared));
                    }
                    if same_mod && sim >= 0.12 {
                        return Some((
                            Support,
                            format!("both state the {mx} {nx}").into(),
                            0.6,
                            shared,
                        ));
                    }
                }
            }
            // Two sources that introduce the same occasion ("gave an
            // interview with CCTV News" / "In a state media interview before
            // his trip") report the same event, however they word the rest.
            if let Some(noun) = same_event(idx, x, y) {
                if !days_apart(idx, x, y) && !x.is_caption() && !y.is_caption() {
                    return Some((
                        Support,
                        format!("both report the {noun}").into(),
                        sim.max(idx.config.statement_threshold),
                        shared,
                    ));
                }
            }
            if sim < idx.config.statement_threshold || shared.len() < 2 {
                return None;
            }
            // Affirmed vs denied: the same statement, apart from the negation.
            let unshared = |t: &TermSet| t.ids.iter().filter(|i| !shared.contains(i)).count();
            if cx.negated != cy.negated
                && sim >= 0.6
                && unshared(x.terms) <= 2
                && unshared(y.terms) <= 2
                && !cx.hypothetical
                && !cy.hypothetical
            {
                return Some((
                    Conflict,
                    "one source affirms what the other denies".into(),
                    sim,
                    shared,
                ));
            }
            // Events placed on different days are different events, however
            // alike their words ("gave an interview that aired on Friday" /
            // "met the premier on Monday").
            if days_apart(idx, x, y) {
                return None;
            }
            if let Some(reason) = role_conflict(idx, x, y) {
                return Some((Conflict, reason.into(), sim, shared));
            }
            if shared_content(idx, x, y, &shared) < 2 {
                return None;
            }
            Some((Support, "same statement in other words".into(), sim, shared))
        }
        (true, true) => {
            if !typed_pair_possible(cx, cy) {
                return None;
            }
            // context: the clause's own terms count fully, the rest of the sentence less
            let (csim, shared) = idx.overlap(x.terms, y.terms);
            let ssim = idx.similarity(x.sent_terms, y.sent_terms);
            let wsim = idx.similarity(x.window, y.window);
            let sim = 0.6 * csim.max(wsim) + 0.4 * ssim;
            // Agreement needs the names next to the figures to agree; a
            // disagreement needs the names of the whole clauses to agree.
            let names_near = near_names_agree(idx, x, y);
            let names_clause = names_compatible(idx, &local_names(idx, x), &local_names(idx, y));
            // Two day-precise dates that agree, in clauses that share words of
            // their own: the date is the evidence, whatever names each source
            // gives the actors ("Lee will visit China from January 4 to 7" /
            // "President Lee Jae Myung heads to China this Sunday").
            if let (Date, Date, Some(da), Some(db)) = (cx.kind, cy.kind, &cx.date, &cy.date) {
                let day = |d: &DateValue| matches!(d, DateValue::Day(_) | DateValue::Span(..));
                // A date clause may be a bare date ("scheduled from January 4
                // to January 7"): then the sentences are the context, and they
                // must share more.
                let sentences_agree = || {
                    let (s, sh) = idx.overlap(x.sent_terms, y.sent_terms);
                    s >= idx.config.typed_threshold && sh.len() >= 4
                };
                if day(da)
                    && day(db)
                    && names_near
                    && ((shared.len() >= 2 && csim >= idx.config.typed_threshold)
                        || sentences_agree())
                {
                    if let Some((Support, r)) = compare_dates(da, db) {
                        return Some((Support, r.into(), sim, shared));
                    }
                }
            }
            if !names_near || (!names_clause && (cx.quantity.is_none() || cy.quantity.is_none())) {
                return None;
            }
            match (
                cx.kind,
                cy.kind,
                &cx.quantity,
                &cy.quantity,
                &cx.date,
                &cy.date,
            ) {
                (_, _, Some(a), Some(b), _, _) => {
                    if let (Some(sa), Some(sb)) = (a.score, b.score) {
                        let same = sa == sb || (sa.0 == sb.1 && sa.1 == sb.0);
                        return if same && sim >= 0.1 {
                            Some((
                                Support,
                                format!("same score {}-{}", sa.0, sa.1).into(),
                                sim + 0.2,
                                shared,
                            ))
                        } else if !same && csim >= 0.5 {
                            Some((
                                Conflict,
                                format!("score {}-{} vs {}-{}", sa.0, sa.1, sb.0, sb.1).into(),
                                sim,
                                shared,
                            ))
                        } else {
                            None
                        };
                    }
                    // (A score against a plain figure, heads that differ and
                    // figures a factor of two apart were ruled out by
                    // `typed_pair_possible`.)
                    let mut heads = quantity_heads_compatible(a, b);
                    // The state counted, from the clause or, for list items
                    // ("…, 43 in Puebla"), from the sentence that introduces them.
                    let state = |v: &View| {
                        let c = state_classes(idx, v.terms);
                        if c.is_empty()
                            && v.claim.quantity.as_ref().is_some_and(|q| q.head.is_none())
                        {
                            state_classes(idx, v.sent_terms)
                        } else {
                            c
                        }
                    };
                    let (sx, sy) = (state(x), state(y));
                    let mut sim = sim;
                    // Both sentences name the same minor entity ("Dr Harlap ...
                    // 10 per cent" / "Shmuel Harlap ... with 7%"): evidence that
                    // the figures are about the same thing, whatever the words.
                    let rare_name = idx.share_rare_name(x, y);
                    if rare_name {
                        sim += 0.15;
                    }
                    if !sx.is_empty() && !sy.is_empty() {
                        if sx.is_disjoint(&sy) {
                            return None;
                        }
                        // Both count the dead (or the missing...): evidence of one measure.
                        sim += 0.1;
                        // "the death toll stood at 217" / "killed at least 217 people":
                        // a count of the dead with no noun, or with a generic one.
                        let generic =
                            |q: &super::quantity::Quantity| q.head.as_deref().is_none_or(is_people);
                        if heads.is_none() && generic(a) && generic(b) {
                            heads = Some(true);
                        }
                    }
                    // The same specific figure ("$63.54", "1,429,981", "66.4%") is itself
                    // evidence of the same fact; round figures need their context.
                    let same_value = (a.value - b.value).abs() <= 1e-9 * a.value.abs().max(1.0);
                    // A unit rarely used in the story ("terabytes") makes a figure specific too.
                    let rare_unit = heads == Some(true)
                        && a.head
                            .as_deref()
                            .is_some_and(|h| idx.df_of(synonym(h)) <= 3 && !is_people(h));
                    let specific = same_value
                        && a.ordinal == b.ordinal
                        && (a.sig_digits().min(b.sig_digits()) >= 3 || rare_unit);
                    let need = match heads {
                        _ if specific => 0.0,
                        Some(true) => idx.config.typed_threshold,
                        _ => idx.config.typed_threshold + 0.15,
                    };
                    // Nearly equal figures of the same unit are evidence of one measure.
                    let close = heads == Some(true)
                        && (a.value - b.value).abs() <= 0.05 * a.value.abs().max(b.value.abs());
                    let sim = if close { sim + 0.1 } else { sim };
                    if sim < need {
                        return None;
                    }
                    // Two figures inside one quotation, worded differently.
                    if !same_figure(a, b)
                        && in_quotation(x, a)
                        && in_quotation(y, b)
                        && quotes_aligned(x, y).is_some()
                    {
                        let reason =
                            quoted_figure_reason(&qdesc(a, &x.art.text), &qdesc(b, &y.art.text));
                        return Some((Tension, reason.into(), sim, shared));
                    }
                    // "first X since" claims scoped differently: both name the
                    // head and a shared qualifier, which is the alignment evidence.
                    if let Some(reason) = first_scope_differs(a, b, x, y) {
                        if sim >= idx.config.typed_threshold + 0.1
                            && heads == Some(true)
                            && names_clause
                            && displaced_in_time(x) == displaced_in_time(y)
                        {
                            return Some((Tension, reason.into(), sim, shared));
                        }
                    }
                    let (kind, reason) = compare_quantities(a, b, x, y)?;
                    // Saying two figures disagree needs more: enough context, both
                    // nouns known, and the same distinguishing names on both sides.
                    // The same specific figure of a rare unit, over a different
                    // time ("4 TB per hour" / "4 TB per day"), is one measure
                    // misreported: the figure itself is the evidence.
                    let rate_differs = a.per.is_some() && b.per.is_some() && a.per != b.per;
                    let same_measure = specific && rate_differs && !shared.is_empty();
                    if kind != Support && displaced_in_time(x) != displaced_in_time(y) {
                        return None;
                    }
                    if kind != Support
                        && !same_measure
                        && (sim < idx.config.typed_threshold + 0.1
                            || heads != Some(true)
                            || !names_clause
                            || (local_names(idx, x).is_empty() != local_names(idx, y).is_empty()
                                && !rare_name))
                    {
                        return None;
                    }
                    // The same figure, granted with conditions by one source and
                    // without any by the other ("up to 12 weeks, subject to
                    // medical advice" / "unrestricted up to 12 weeks").
                    if kind == Support {
                        let cond = |v: &View| idx.conditionality(v);
                        if let (Some(p), Some(q)) = (cond(x), cond(y)) {
                            if p != q {
                                let (ta, tb) = (qdesc(a, &x.art.text), qdesc(b, &y.art.text));
                                let (with, without) = if p { (&ta, &tb) } else { (&tb, &ta) };
                                return Some((
                                    Tension,
                                    format!("'{with}' comes with conditions in one source; '{without}' without any in the other").into(),
                                    sim,
                                    shared,
                                ));
                            }
                        }
                    }
                    Some((
                        kind,
                        reason.into(),
                        sim + if specific { 0.3 } else { 0.0 },
                        shared,
                    ))
                }
                (Duration, Date, Some(q), None, _, Some(d))
                | (Date, Duration, None, Some(q), Some(d), _) => {
                    let (from, to) = match d {
                        DateValue::Span(a, b) => (*a, *b),
                        _ => return None,
                    };
                    // The noun the duration qualifies ("the four-day *trip*") found
                    // in the date's sentence is evidence of one event, whatever else
                    // the two clauses say.
                    let dv = if cx.kind == Duration { x } else { y };
                    let other = if cx.kind == Duration { y } else { x };
                    let same_event = duration_noun(q, dv)
                        .and_then(|t| idx.ids.get(t))
                        .is_some_and(|id| other.sent_terms.has(id));
                    // (A count of days, exact, against a span: `typed_pair_possible`.)
                    if sim < 0.1 && !same_event {
                        return None;
                    }
                    let days = d.days()? as f64;
                    (days == q.value).then(|| {
                        (
                            Support,
                            format!(
                                "{}-day span {from} to {to} matches '{}'",
                                fmt_num(days),
                                qdesc(q, &dv.art.text)
                            )
                            .into(),
                            sim,
                            shared,
                        )
                    })
                }
                (Date, Date, _, _, Some(da), Some(db)) => {
                    // Agreeing dates need less context than disagreeing ones.
                    match compare_dates(da, db) {
                        Some((Support, r)) if sim >= idx.config.typed_threshold => {
                            Some((Support, r.into(), sim, shared))
                        }
                        Some((k, r)) if sim >= 0.45 => Some((k, r.into(), sim, shared)),
                        _ => None,
                    }
                }
                _ => None,
            }
        }
        _ => None,
    }
}

/// Whether two typed claims can be related at all, from their values alone:
/// the checks of [`decide_inner`] that do not depend on context, made before
/// its similarities are computed (most typed candidate pairs fail them).
fn typed_pair_possible(cx: &Claim, cy: &Claim) -> bool {
    use ClaimKind::*;
    match (
        cx.kind,
        cy.kind,
        &cx.quantity,
        &cy.quantity,
        &cx.date,
        &cy.date,
    ) {
        (_, _, Some(a), Some(b), _, _) => {
            if a.score.is_some() || b.score.is_some() {
                return a.score.is_some() && b.score.is_some();
            }
            if quantity_heads_compatible(a, b) == Some(false) {
                return false;
            }
            // Sources disagree on a figure by tens of percent, not by a factor
            // of three: such figures are counts of different things.
            let (lo, hi) = (
                a.value.abs().min(b.value.abs()),
                a.value.abs().max(b.value.abs()),
            );
            !(hi > 2.0 * lo.max(1e-9) && a.per == b.per)
        }
        (Duration, Date, Some(q), None, _, Some(d))
        | (Date, Duration, None, Some(q), Some(d), _) => {
            matches!(d, DateValue::Span(..))
                && q.head.as_deref() == Some("day")
                && q.approx == Approx::Exact
        }
        (Date, Date, _, _, Some(_), Some(_)) => true,
        _ => false,
    }
}

fn compare_dates(a: &DateValue, b: &DateValue) -> Option<(RelationKind, String)> {
    use RelationKind::*;
    if let (DateValue::Weekday(x), DateValue::Weekday(y)) = (a, b) {
        return Some(if x == y {
            (Support, "same day".into())
        } else {
            (Conflict, format!("{} vs {}", a.display(), b.display()))
        });
    }
    let (ra, rb) = (a.range()?, b.range()?);
    let precise = |d: &DateValue| matches!(d, DateValue::Day(_) | DateValue::Span(..));
    if ra.0 <= rb.1 && rb.0 <= ra.1 {
        Some((
            Support,
            format!("{} and {} agree", a.display(), b.display()),
        ))
    } else if precise(a) && precise(b) {
        Some((
            Conflict,
            format!(
                "{} vs {}: different dates for the same event",
                a.display(),
                b.display()
            ),
        ))
    } else {
        None
    }
}

/// `a` rounded to the precision `b` was written with equals `b`.
fn rounds_to(a: &Quantity, b: &Quantity) -> bool {
    if b.precision <= 0.0 || a.precision > b.precision {
        return false;
    }
    // Halfway ("6.5" / "7"): it rounds up as readily as down, so it is no
    // evidence that one figure is the other rounded.
    let halfway = ((a.value - b.value).abs() - b.precision / 2.0).abs() <= b.precision * 1e-6;
    let r = (a.value / b.precision + 0.5).floor() * b.precision;
    !halfway && (r - b.value).abs() <= b.precision * 1e-6
}

fn compare_quantities(
    a: &Quantity,
    b: &Quantity,
    x: &View,
    y: &View,
) -> Option<(RelationKind, String)> {
    use RelationKind::*;
    let (ta, tb) = (qdesc(a, &x.art.text), qdesc(b, &y.art.text));
    if let (Some(pa), Some(pb)) = (&a.per, &b.per) {
        if pa != pb {
            return Some((Conflict, format!("'{ta}' vs '{tb}': per {pa} vs per {pb}")));
        }
    }
    let overlap = a.low <= b.high && b.low <= a.high;
    let exact = |q: &Quantity| q.approx == Approx::Exact && q.value_hi.is_none();
    if exact(a) && exact(b) && (rounds_to(a, b) || rounds_to(b, a)) && a.value != b.value {
        return Some((Support, format!("'{ta}' and '{tb}' agree once rounded")));
    }
    if !overlap {
        return Some((
            Conflict,
            format!("'{ta}' vs '{tb}': the figures cannot both be true"),
        ));
    }
    let same_point =
        (a.value - b.value).abs() <= 1e-9 * a.value.abs().max(1.0) && a.value_hi == b.value_hi;
    let bound = |q: &Quantity| {
        matches!(
            q.approx,
            Approx::Above | Approx::AtLeast | Approx::AtMost | Approx::Below
        )
    };
    if same_point {
        if a.approx != b.approx && bound(a) && bound(b) {
            return Some((
                Tension,
                format!("'{ta}' vs '{tb}': the same figure with a different qualifier"),
            ));
        }
        return Some((Support, format!("'{ta}' and '{tb}' agree")));
    }
    // A one-sided bound that the other figure satisfies: consistent when the
    // bound is a round summary ("more than 200" / "217"); two different counts
    // otherwise ("no fewer than 86" / "94").
    if bound(a) != bound(b) {
        let b_q = if bound(a) { a } else { b };
        if b_q.is_round() {
            return Some((Support, format!("'{ta}' is consistent with '{tb}'")));
        }
        return Some((
            Tension,
            format!("'{ta}' vs '{tb}': compatible, but different counts"),
        ));
    }
    if bound(a) && bound(b) {
        // Two bounds on the same side, the looser one a round summary
        // ("more than 200" / "at least 217"): the same count, said loosely.
        let lower = |q: &Quantity| matches!(q.approx, Approx::Above | Approx::AtLeast);
        if lower(a) == lower(b) {
            let (loose, tight) = if lower(a) == (a.value <= b.value) {
                (a, b)
            } else {
                (b, a)
            };
            // Within a quarter: "more than 100" is no summary of "above 200".
            let near = loose.value.abs().min(tight.value.abs())
                >= 0.75 * loose.value.abs().max(tight.value.abs());
            if loose.is_round() {
                if near {
                    return Some((Support, format!("'{ta}' is consistent with '{tb}'")));
                }
                // A round bound far below: a count of something else, or too
                // loose to disagree with.
                return None;
            }
        }
        let later = if a.low > b.low { &ta } else { &tb };
        return Some((
            Tension,
            format!("'{ta}' vs '{tb}': different counts; '{later}' may be a later update"),
        ));
    }
    // Point figures: one may be the other rounded ("$15 billion" / "$15.3 billion").
    if rounds_to(a, b) || rounds_to(b, a) {
        return Some((Support, format!("'{ta}' and '{tb}' agree once rounded")));
    }
    Some((
        Tension,
        format!("'{ta}' vs '{tb}': close but not the same figure"),
    ))
}

/// How far below the statement threshold [`pair_bound`] must be for a
/// pair to be skipped: far more than the rounding of its sums.
const BOUND_MARGIN: f32 = 1e-4;

/// An exact-overlap bound ([`overlap_bound`]) with the most soft matches
/// could add on top (0.7 of the IDF of each of `x`'s terms that has a soft
/// partner), when the overlap could reach [`SOFT_FROM`]: an upper bound of
/// the pair's similarity from the claims' records alone.
fn with_soft_allowance(x: &ClaimFlat, exact: f32, norm: f32) -> f32 {
    if exact < (SOFT_FROM - BOUND_MARGIN) * norm {
        exact
    } else {
        exact + x.soft
    }
}

/// The bound [`relations`] skips statement pairs by: [`with_soft_allowance`],
/// and when that lets the pair through on the soft allowance alone (every
/// soft partner of `x`'s terms counted), what soft matches add to this pair
/// counted instead: nothing when `y` has no term with a partner (partners
/// are mutual), else from the two term sets (`x_terms` and `y`'s). Most
/// statement pairs `decide` measured only to reject were let through by the
/// allowance (two thirds of its calls on statements, 1,000 articles).
///
/// `shared` is the pair's [`shared_bound`] (the same from either side).
fn pair_bound(
    idx: &StoryIndex,
    x_terms: &TermSet,
    x: &ClaimFlat,
    y: &ClaimFlat,
    shared: f32,
    threshold: f32,
) -> (f32, f32) {
    let (exact, norm) = overlap_bound(x, y, shared);
    let most = with_soft_allowance(x, exact, norm);
    let below = |m: f32| norm > 0.0 && m < (threshold - BOUND_MARGIN) * norm;
    if below(most) || x.soft == 0.0 || !below(exact) {
        return (most, norm);
    }
    if y.soft == 0.0 {
        return (exact, norm);
    }
    match idx
        .sets
        .get(y.art as usize)
        .and_then(|s| s.get(y.claim as usize))
    {
        Some(ty) => (idx.add_soft(x_terms, &ty.terms, exact), norm),
        None => (most, norm),
    }
}

/// An upper bound of the exact overlap of two statement claims (the part of
/// `idx.similarity(x.terms, y.terms)`, what `decide` first compares with the
/// statement threshold, that is not soft matches) from their records alone,
/// as a fraction (numerator, norm) so that the caller compares without a
/// division: `shared` is the pair's [`shared_bound`], to which `x`'s
/// overflow is added (its common terms past the 64th, all counted). The
/// sums are taken in another order than [`StoryIndex::cosine`]'s, and the
/// norm is a product of square roots, so the bound holds within rounding:
/// callers leave a [`BOUND_MARGIN`]. A norm of zero (a claim without weight)
/// bounds nothing: the pair is left to `decide`.
fn overlap_bound(x: &ClaimFlat, y: &ClaimFlat, shared: f32) -> (f32, f32) {
    (shared + x.overflow, x.root * y.root)
}

/// The part of [`overlap_bound`]'s numerator that is the same from either
/// side of the pair: `selecting`, the IDF weight of the selecting (not
/// common) terms they share, which [`relations`] sums while it gathers
/// candidates, and then the common terms both have, by their bits in bit
/// order. Taken once per candidate pair and handed to both orders of its
/// bounds and of [`decide_candidate`].
fn shared_bound(idx: &StoryIndex, x: &ClaimFlat, y: &ClaimFlat, selecting: f32) -> f32 {
    let mut shared = selecting;
    let mut both = x.common & y.common;
    while both != 0 {
        let bit = both.trailing_zeros() as usize;
        shared += idx.common_idf.get(bit).copied().unwrap_or(f32::INFINITY);
        both &= both - 1;
    }
    shared
}

/// A relation found by [`relations`], with what its label is made of: the
/// claim it was found from (article and claim index) and the terms the two
/// claims share.
struct Found {
    rel: Relation,
    ai: usize,
    ci: usize,
    shared: Vec<u32>,
    /// The article (index in the story) of `rel.a` and of `rel.b`: the
    /// matching reads both claims several times, and finding each article
    /// by its document id was a hash lookup each time.
    at: [usize; 2],
    /// Its place among the relations found in pair order (set by
    /// [`by_score`]): the relations kept are put back in pair order by it.
    rank: usize,
}

/// `decide(x, y)` for a candidate pair, unless their records show that it
/// rejects the pair: two statements whose similarity cannot reach the
/// threshold, unless both quote someone, state a position or introduce the
/// same event (`could_be_same_statement`). `shared` is the pair's
/// [`shared_bound`] (see [`overlap_bound`]). The claims' views
/// are built only when needed: most pairs are settled by their records.
fn decide_candidate(
    idx: &StoryIndex,
    fx: &ClaimFlat,
    fy: &ClaimFlat,
    shared: f32,
) -> Option<(RelationKind, Reason, f32, Vec<u32>)> {
    let (ai, ci) = (fx.art as usize, fx.claim as usize);
    let (bj, cj) = (fy.art as usize, fy.claim as usize);
    if !fx.typed {
        let threshold = idx.config.statement_threshold;
        let x_terms = &idx.sets.get(ai)?.get(ci)?.terms;
        let (most, norm) = pair_bound(idx, x_terms, fx, fy, shared, threshold);
        if norm > 0.0 && most < (threshold - BOUND_MARGIN) * norm {
            if !may_be_same_statement(fx, fy) {
                return None;
            }
            let (x, y) = (view(idx, ai, ci)?, view(idx, bj, cj)?);
            if !could_be_same_statement(idx, &x, &y) {
                return None;
            }
            return decide(idx, &x, &y);
        }
    }
    decide(idx, &view(idx, ai, ci)?, &view(idx, bj, cj)?)
}

/// Whether the records of two statements show that `decide_candidate`
/// rejects them whichever comes first: the bounds of both orders (without
/// the pair's own soft matches) are below the threshold, and neither claim
/// gives another reason to compare them. Settles most candidate pairs at the
/// cost of one order's.
fn rejected_both_ways(idx: &StoryIndex, fx: &ClaimFlat, fy: &ClaimFlat, shared: f32) -> bool {
    if fx.typed || fy.typed || (fx.quote && fy.quote) || (fx.stance && fy.stance) {
        return false;
    }
    let threshold = idx.config.statement_threshold;
    // `overlap_bound` of each order (the same norm, each side's overflow).
    let below = |x: &ClaimFlat, y: &ClaimFlat| {
        let (exact, norm) = overlap_bound(x, y, shared);
        let most = with_soft_allowance(x, exact, norm);
        norm > 0.0 && most < (threshold - BOUND_MARGIN) * norm
    };
    below(fx, fy) && below(fy, fx) && !fx.event && !fy.event
}

/// Relations of a story; with `focus`, only those touching that document.
///
/// Every candidate pair is scored, then for each pair of documents the claims
/// are matched one to one, best score first (statements and typed claims
/// separately): a sentence of one article restates at most one sentence of
/// another, and the best-aligned wording is the one reported.
pub fn relations(idx: &StoryIndex, focus: Option<DocId>) -> Vec<Relation> {
    relations_keeping(idx, focus, terms::symbol)
}

/// [`relations`] with the labels and reasons that are not fixed phrases
/// kept by `keep` (each distinct one once per call): [`terms::symbol`]
/// stores them once for the process, what a long-running server needs; a
/// batch run that holds its analysis to its end can keep a copy of each
/// instead, and spare the shared table's locks.
pub fn relations_keeping(
    idx: &StoryIndex,
    focus: Option<DocId>,
    keep: fn(&str) -> &'static str,
) -> Vec<Relation> {
    // Each distinct text kept, once.
    let mut kept: FxHashSet<&'static str> = FxHashSet::default();
    let mut keep_once = |s: &str| -> &'static str {
        if let Some(&k) = kept.get(s) {
            return k;
        }
        let k = keep(s);
        kept.insert(k);
        k
    };
    // The relations found. Each pair of claims is met once: from its earlier
    // claim in the story, or with `focus` from the focus's claim. It is
    // decided from that claim first, then from the other (`decide` is not
    // symmetric, and a span link is followed one way only): the server's
    // relations of a document are the batch run's that touch it.
    // (Room for three relations per claim compared, at once: the story's,
    // or the focus's. Grown from empty, moving the relations found so far
    // cost a first run 0.4% of its instructions: callgrind c200, 2,595.9M
    // -> 2,586.3M with room for two; 1.9 are found per claim on average, and
    // with two, 1,241 growths remained: -> 2,516.5M from 2,520.4M with three.)
    let compared = match focus {
        Some(f) => idx.article_of(f).map_or(0, |a| a.claims.len()),
        None => idx.flat.len(),
    };
    let mut found: Vec<Found> = Vec::with_capacity(3 * compared);
    // Candidates are gathered in a vector and told apart by a stamp per claim
    // of the story (the claim being compared), not by hashing every posting.
    let total = idx.flat.len();
    let mut stamp: Vec<u32> = vec![0; total];
    // Per candidate: the IDF weight of the selecting terms it shares with the
    // claim being compared (each posting lists a claim once per term).
    let mut acc: Vec<f32> = vec![0.0; total];
    // Per candidate: whether a link both claims follow (a selecting term, a
    // figure of a similar size, a day) found it, and not a span link alone.
    let mut mutual: Vec<bool> = vec![false; total];
    let mut serial: u32 = 0;
    let mut cands: Vec<u32> = Vec::new();
    let common = common_df(idx.n);
    // Where each term's list was left (see `Postings::get_from`). With a
    // focus (the server's keystroke path) every list is read whole: no
    // copy of the lists' starts.
    let mut read = focus
        .is_none()
        .then(|| idx.postings.each_ref().map(|p| p.start.clone()));
    for (ai, (da, art)) in idx.arts.iter().enumerate() {
        if focus.is_some_and(|f| f != *da) {
            continue;
        }
        let own = idx.base.get(ai).map_or(0..0, |&b| b..b + art.claims.len());
        // Without a focus, the pairs with the claims of earlier articles were
        // met from those: every list (in claim order) is read from the end
        // of this article on.
        let from = if focus.is_some() { 0 } else { own.end };
        for ci in 0..art.claims.len() {
            let Some(x) = view(idx, ai, ci) else { continue };
            let Some(fx) = idx.flat.get(own.start + ci) else {
                continue;
            };
            serial += 1;
            cands.clear();
            let first_found = found.len();
            let mut add = |p: &[u32], w: f32, both: bool| {
                // (Term lists come already cut: `Postings::get_from`.)
                let later = match p.first() {
                    Some(&k) if (k as usize) < from => p.partition_point(|&k| (k as usize) < from),
                    _ => 0,
                };
                for &k in p.get(later..).unwrap_or_default() {
                    // (Without a focus the lists start past this article.)
                    if focus.is_some() && own.contains(&(k as usize)) {
                        continue;
                    }
                    let k_ = k as usize;
                    if let (Some(s), Some(a), Some(m)) =
                        (stamp.get_mut(k_), acc.get_mut(k_), mutual.get_mut(k_))
                    {
                        if *s != serial {
                            *s = serial;
                            *a = 0.0;
                            *m = false;
                            cands.push(k);
                        }
                        *a += w;
                        *m |= both;
                    }
                }
            };
            let fam = usize::from(x.claim.kind.is_typed());
            // Terms found in a fifth of the story's sentences (its protagonists,
            // its topic) match everything: they do not select candidates.
            for t in &x.terms.ids {
                if idx.df.get(*t as usize).is_some_and(|&d| d > common) {
                    continue;
                }
                let Some(p) = idx.postings.get(fam) else {
                    continue;
                };
                let list = match read.as_mut().and_then(|r| r.get_mut(fam)) {
                    Some(read) => p.get_from(*t as usize, read, from),
                    None => p.get(*t as usize),
                };
                add(list, idx.idf_of(*t), true);
            }
            // Figures also find figures of a similar size, whatever their words.
            if let Some(b) = x
                .claim
                .quantity
                .as_ref()
                .and_then(|q| value_bucket(q.value))
            {
                for nb in b - 3..=b + 3 {
                    if let Some(p) = idx.value_postings.get(&nb) {
                        add(p, 0.0, true);
                    }
                }
            }
            // Dates find the dates of the same days.
            for d in x.claim.date.as_ref().map(day_keys).into_iter().flatten() {
                if let Some(p) = idx.day_postings.get(&d) {
                    add(p, 0.0, true);
                }
            }
            // A duration of days finds the spans of as many days; a span is
            // met with the durations that find it.
            if let Some(p) = duration_days(x.claim).and_then(|n| idx.span_postings.get(&n)) {
                add(p, 0.0, false);
            }
            if let Some(p) = span_days(x.claim).and_then(|n| idx.duration_postings.get(&n)) {
                add(p, 0.0, false);
            }
            // (Their order does not matter: each pair is met once, and the
            // results are sorted below.)
            for &k in &cands {
                let k_ = k as usize;
                let Some(fy) = idx.flat.get(k_) else {
                    continue;
                };
                let selecting = acc.get(k_).copied().unwrap_or(f32::MAX);
                let shared = shared_bound(idx, fx, fy, selecting);
                if rejected_both_ways(idx, fx, fy, shared) {
                    continue;
                }
                let (bj, cj) = (fy.art as usize, fy.claim as usize);
                let Some((db, y_claim)) = idx
                    .arts
                    .get(bj)
                    .and_then(|(d, a)| Some((*d, a.claims.get(cj)?)))
                else {
                    continue;
                };
                let both = mutual.get(k_).copied().unwrap_or(false);
                let forward = || {
                    (both || span_link(x.claim, y_claim))
                        .then(|| decide_candidate(idx, fx, fy, shared))
                        .flatten()
                        .map(|d| (d, ai, ci))
                };
                let backward = || {
                    (both || span_link(y_claim, x.claim))
                        .then(|| decide_candidate(idx, fy, fx, shared))
                        .flatten()
                        .map(|d| (d, bj, cj))
                };
                // `x` first: the earlier claim of the pair, or the focus's
                // (whose relations then say "here" of its own claims).
                let decided = forward().or_else(backward);
                let Some(((kind, reason, mut score, shared), di, dc)) = decided else {
                    continue;
                };
                let (ra, rb) = (ClaimRef::new(*da, ci), ClaimRef::new(db, cj));
                let (a, b, at) = if ra <= rb {
                    (ra, rb, [ai, bj])
                } else {
                    (rb, ra, [bj, ai])
                };
                let Some(y) = view(idx, bj, cj) else { continue };
                // A headline restates the body: when both carry the fact, the
                // body's wording is the one to compare, even when the headline
                // shares more words with the other article's lead.
                if x.is_title() || y.is_title() {
                    score *= 0.5;
                }
                // So does a photo caption.
                if x.is_caption() || y.is_caption() {
                    score *= 0.8;
                }
                found.push(Found {
                    rel: Relation {
                        a,
                        b,
                        kind,
                        // (A fixed phrase is 'static already.)
                        reason: match reason {
                            Reason::Borrowed(fixed) => fixed,
                            Reason::Owned(made) => reason_kept_by(&made, &mut keep_once),
                        },
                        label: "",
                        score,
                    },
                    ai: di,
                    ci: dc,
                    shared,
                    at,
                    rank: 0,
                });
            }
            // This claim's relations in pair order (a few): the claims are
            // met in pair order, so the relations found come sorted by their
            // pair, and `by_score` need not sort them (see there).
            if let Some(mine) = found.get_mut(first_found..) {
                mine.sort_by_key(|f| pair_key(&f.rel));
            }
        }
    }
    // One-to-one matching per document pair and claim family.
    // The claim `r` of the article at `ai` in the story.
    let claim =
        |ai: usize, r: ClaimRef| idx.arts.get(ai).and_then(|(_, a)| a.claims.get(r.claim()));
    let typed = |ai: usize, r: ClaimRef| claim(ai, r).is_some_and(|c| c.kind.is_typed());
    let found_count = found.len();
    let cands = by_score(found);
    // A headline or caption restates the body of its own article: a claim
    // may be matched once with the other article's body and once with its
    // display text (the caption's "more than 200" and the body's "217").
    let display = |ai: usize, r: ClaimRef| {
        let role = idx.arts.get(ai).and_then(|(_, a)| {
            let c = a.claims.get(r.claim())?;
            a.sentences.get(c.sentence).map(|s| s.role)
        });
        matches!(
            role,
            Some(BlockRole::Title | BlockRole::Standfirst | BlockRole::Caption)
        )
    };
    // Only a disagreement earns that second match: agreement with one of
    // them is already said.
    // A date checked against a date and against a duration of the same
    // article ("January 4 to 7" / "this Sunday", "the four-day trip") makes
    // two checks: a duration matched with a date is a match apart.
    let is_duration =
        |ai: usize, r: ClaimRef| claim(ai, r).is_some_and(|c| c.kind == ClaimKind::Duration);
    // The sentence of a statement claim that states a position (None for
    // any other claim).
    let stance_sentence = |ai: usize, r: ClaimRef| {
        claim(ai, r)
            .filter(|c| !c.kind.is_typed() && !c.features().stances.is_empty())
            .map(|c| c.sentence)
    };
    let sentence_of = |ai: usize, r: ClaimRef| claim(ai, r).map(|c| c.sentence);
    // (Room for two keys of every candidate at once: grown from empty, the
    // two tables were rehashed some twenty times a story.)
    let room = 2 * cands.len();
    let mut used: FxHashSet<(ClaimRef, DocId, bool, bool)> =
        FxHashSet::with_capacity_and_hasher(room, Default::default());
    // The claim each claim was first matched with in each other document.
    let mut partner: FxHashMap<(ClaimRef, DocId), ClaimRef> =
        FxHashMap::with_capacity_and_hasher(room, Default::default());
    let mut stance_used: FxHashSet<(DocId, usize, DocId)> = FxHashSet::default();
    // (Room for every candidate at once: grown from empty, moving the
    // relations kept so far was a third of a percent of a first run.)
    let mut out: Vec<Found> = Vec::with_capacity(cands.len());
    for f in cands {
        let r = &f.rel;
        let [ia, ib] = f.at;
        let cross = is_duration(ia, r.a) != is_duration(ib, r.b);
        let (ka, kb) = (
            (r.a, r.b.doc(), display(ib, r.b), cross),
            (r.b, r.a.doc(), display(ia, r.a), cross),
        );
        let (ua, ub) = (used.contains(&ka), used.contains(&kb));
        if ua && ub {
            continue;
        }
        // An article that states a figure or a date twice: each of its
        // mentions is supported by the other source's one mention, so a
        // claim already matched in this document may be matched again with a
        // mention of the same value as its partner.
        if ua || ub {
            let (held, other) = if ua { (r.a, r.b) } else { (r.b, r.a) };
            let repeat = r.kind == RelationKind::Support
                && partner
                    .get(&(held, other.doc()))
                    .is_some_and(|p| same_typed_value(idx, *p, other));
            if !repeat {
                continue;
            }
        }
        let taken = |k: &(ClaimRef, DocId, bool, bool)| used.contains(&(k.0, k.1, !k.2, k.3));
        if r.kind == RelationKind::Support && (taken(&ka) || taken(&kb)) {
            continue;
        }
        // A sentence states its position once, however many of its clauses
        // carry it (the clause and the whole sentence): it is compared once
        // with each other document.
        let stance_keys = stance_sentence(ia, r.a)
            .zip(stance_sentence(ib, r.b))
            .map(|(sa, sb)| [(r.a.doc(), sa, r.b.doc()), (r.b.doc(), sb, r.a.doc())]);
        if let Some(keys) = stance_keys {
            if keys.iter().any(|k| stance_used.contains(k)) {
                continue;
            }
            stance_used.extend(keys);
        }
        used.insert(ka);
        used.insert(kb);
        partner.entry((r.a, r.b.doc())).or_insert(r.b);
        partner.entry((r.b, r.a.doc())).or_insert(r.a);
        out.push(f);
    }
    // A statement pair whose typed claims disagree is not "support".
    let disagree: FxHashSet<(DocId, usize, DocId, usize)> = out
        .iter()
        .filter(|f| f.rel.kind != RelationKind::Support)
        .filter_map(|f| {
            let (r, [ia, ib]) = (&f.rel, f.at);
            let sa = sentence_of(ia, r.a)?;
            let sb = sentence_of(ib, r.b)?;
            Some((r.a.doc(), sa, r.b.doc(), sb))
        })
        .collect();
    out.retain(|f| {
        let (r, [ia, ib]) = (&f.rel, f.at);
        if r.kind != RelationKind::Support || typed(ia, r.a) {
            return true;
        }
        match (sentence_of(ia, r.a), sentence_of(ib, r.b)) {
            (Some(sa), Some(sb)) => !disagree.contains(&(r.a.doc(), sa, r.b.doc(), sb)),
            _ => true,
        }
    });
    // Many relations share a claim: its words are read once.
    // (Room for a claim a relation at once, which is more than are met.)
    let mut words_of: FxHashMap<(usize, usize), LabelWords> =
        FxHashMap::with_capacity_and_hasher(out.len(), Default::default());
    let mut label = String::new();
    let mut marks = SharedMarks::new(idx.df.len());
    let labelled: Vec<(usize, Relation)> = out
        .into_iter()
        .map(|f| {
            let Found {
                rel: mut r,
                ai,
                ci,
                shared,
                at: [ia, ib],
                rank,
            } = f;
            if let Some(v) = view(idx, ai, ci) {
                // (A relation's claims are of two documents: the claim it
                // was found from is `a` when its article is `a`'s.)
                let (other_art, other_claim) = if ai == ia {
                    (ib, r.b.claim())
                } else {
                    (ia, r.a.claim())
                };
                let other = view(idx, other_art, other_claim);
                r.label = match other.and_then(|w| label_hint(&v, &w)) {
                    Some(hint) => keep_once(&hint),
                    None => {
                        let words = words_of
                            .entry((ai, ci))
                            .or_insert_with(|| label_words(&v, idx));
                        marks.set(&shared);
                        label_of_into(&v, words, &marks, idx, &mut label);
                        keep_once(&label)
                    }
                };
            }
            (rank, r)
        })
        .collect();
    // Back in pair order, each at its rank (the relations were found in pair
    // order: no sort). A story's relations are kept to the end of `check`:
    // no room to spare.
    let mut out = in_place_order(found_count, labelled);
    if !out.is_sorted_by_key(pair_key) {
        // (Never: see `in_place_order`.)
        out.sort_by_key(pair_key);
    }
    out
}

/// The items in the order of their places (each below `n`), in a vector
/// of exactly their number. An item whose place is out of range or taken
/// already (never, for the callers' places: ranks and a counting sort's
/// slots, each distinct) is kept, after the others, not lost.
fn in_place_order<T>(n: usize, items: impl IntoIterator<Item = (usize, T)>) -> Vec<T> {
    let mut placed: Vec<Option<T>> = Vec::new();
    placed.resize_with(n, || None);
    let mut strays = Vec::new();
    let mut count = 0;
    for (at, item) in items {
        match placed.get_mut(at) {
            Some(p @ None) => {
                *p = Some(item);
                count += 1;
            }
            _ => strays.push(item),
        }
    }
    // (Into room for all at once: collected through `flatten`, which tells
    // no size, the vector grew by doubling and moved its items each time.)
    let mut out = Vec::with_capacity(count + strays.len());
    out.extend(placed.into_iter().flatten());
    out.extend(strays);
    out
}

/// A relation's pair of claims as one integer, in the pairs' order.
fn pair_key(r: &Relation) -> u128 {
    (u128::from(r.a.packed()) << 64) | u128::from(r.b.packed())
}

/// A relation's score bucket: scores within 0.05 of each other are a tie.
fn score_bucket(r: &Relation) -> i64 {
    (r.score / 0.05).floor() as i64
}

/// The relations found, best score bucket first and, within a bucket, by
/// pair: a stable sort by (`Reverse(score_bucket)`, a, b), so that ties go
/// to the earliest mentions, the lead statement of each article.
///
/// Without a focus the relations come in pair order already (each claim's
/// relations are sorted as they are found, and their `a` is that claim),
/// and a stable counting sort by bucket (a score bucket is a small number)
/// finishes the order: the general sort of the relations by the three
/// keys was 1.4 % of a first run's instructions (callgrind, 10,000
/// articles). Relations that are not in pair order are sorted by pair
/// first, and buckets too far apart to count are sorted as before. (A pair
/// of claims is found once, so pair order is a total order: each
/// relation's rank in it, set here, places it back after the matching.)
fn by_score(mut found: Vec<Found>) -> Vec<Found> {
    if !found.is_sorted_by_key(|f| pair_key(&f.rel)) {
        found.sort_by_key(|f| pair_key(&f.rel));
    }
    for (rank, f) in found.iter_mut().enumerate() {
        f.rank = rank;
    }
    let buckets: Vec<i64> = found.iter().map(|f| score_bucket(&f.rel)).collect();
    let (Some(&lo), Some(&hi)) = (buckets.iter().min(), buckets.iter().max()) else {
        return found;
    };
    let span = usize::try_from(hi.saturating_sub(lo)).unwrap_or(usize::MAX);
    if span >= 1 << 16 {
        found.sort_by_cached_key(|f| (std::cmp::Reverse(score_bucket(&f.rel)), pair_key(&f.rel)));
        return found;
    }
    // The place of each bucket's first relation, highest bucket first.
    let slot = |b: i64| usize::try_from(hi - b).unwrap_or(0);
    let mut starts = vec![0usize; span + 2];
    for &b in &buckets {
        if let Some(n) = starts.get_mut(slot(b) + 1) {
            *n += 1;
        }
    }
    for i in 1..starts.len() {
        let before = starts.get(i - 1).copied().unwrap_or(0);
        if let Some(n) = starts.get_mut(i) {
            *n += before;
        }
    }
    let n = found.len();
    let places = found.into_iter().zip(&buckets).map(|(f, &b)| {
        let at = starts.get_mut(slot(b)).map_or(usize::MAX, |at| {
            *at += 1;
            *at - 1
        });
        (at, f)
    });
    in_place_order(n, places)
}

/// Two typed claims that state the same value ("his first visit" / "his
/// first state visit since taking office"); the caller gives two claims of
/// one document.
fn same_typed_value(idx: &StoryIndex, p: ClaimRef, q: ClaimRef) -> bool {
    let claim = |r: ClaimRef| {
        idx.article_of(r.doc())
            .and_then(|a| a.claims.get(r.claim()))
    };
    match (claim(p), claim(q)) {
        (Some(a), Some(b)) if a.kind.is_typed() && a.kind == b.kind => {
            match (&a.quantity, &b.quantity, &a.date, &b.date) {
                (Some(x), Some(y), _, _) => {
                    x.low == y.low
                        && x.high == y.high
                        && x.ordinal == y.ordinal
                        && quantity_heads_compatible(x, y) == Some(true)
                }
                (None, None, Some(x), Some(y)) => x == y,
                _ => false,
            }
        }
        _ => false,
    }
}

/// A label that says what kind of fact two claims share, when their shape
/// tells: an official position, a quotation.
fn label_hint(x: &View, y: &View) -> Option<String> {
    for (mx, _) in &x.claim.features().stances {
        if y.claim
            .features()
            .stances
            .iter()
            .any(|(my, _)| my.replace(' ', "") == mx.replace(' ', ""))
        {
            return Some(format!("{} position", mx.replace(' ', "-")));
        }
    }
    if let (Some(qa), Some(qb)) = (&x.claim.quote, &y.claim.quote) {
        let speaker = qa.speaker.as_ref().or(qb.speaker.as_ref());
        return Some(match speaker {
            Some(s) => format!("quote by {s}"),
            None => "quotation".to_string(),
        });
    }
    None
}

/// Why two claims are (or are not) related: for debugging and `explain` tools.
/// `a` and `b` are (article index in the story, claim index).
pub fn explain_pair(idx: &StoryIndex, a: (usize, usize), b: (usize, usize)) -> String {
    let (Some(x), Some(y)) = (view(idx, a.0, a.1), view(idx, b.0, b.1)) else {
        return "no such claim".into();
    };
    let (sim, shared) = idx.overlap(x.terms, y.terms);
    let content = shared_content(idx, &x, &y, &shared);
    let shared = idx.words(&shared);
    let (ssim, _) = idx.overlap(x.sent_terms, y.sent_terms);
    format!(
        "clause sim {sim:.3} sentence sim {ssim:.3} shared {shared:?} ({content} not names)\n  names {:?} / {:?}\n  near {:?} / {:?} (agree {})\n  q {:?}\n  q {:?}\n  -> {:?}",
        local_names(idx, &x),
        local_names(idx, &y),
        near_names(idx, &x),
        near_names(idx, &y),
        near_names_agree(idx, &x, &y),
        x.claim.quantity.as_ref().map(|q| (q.display(), q.low, q.high)),
        y.claim.quantity.as_ref().map(|q| (q.display(), q.low, q.high)),
        decide(idx, &x, &y).map(|d| (d.0, d.1, d.2))
    )
}

#[cfg(test)]
#[path = "compare_tests.rs"]
mod tests;
