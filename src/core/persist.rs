//! A portable, compact encoding of an analysed [`Article`], for the on-disk
//! cache of the adapters (`check`): what `Article::parse` computed, without
//! the text (the caller has it) and with interned terms written as words
//! (term ids are only valid inside one process).
//!
//! Pure: bytes in, bytes out, no I/O. Decoding never panics and never
//! trusts its input: any malformed payload, unknown tag or span that does
//! not lie on char boundaries of the given text yields `None`, and the
//! caller parses the article again.
//!
//! Every core type is converted field by field with exhaustive destructuring
//! and struct literals, so a field added to a core type is a compile error
//! here until the encoding (and [`FORMAT`]) is updated.

use std::ops::Range;

use jiff::civil::{Date, Weekday};
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use thin_vec::ThinVec;

use super::article::{Block, BlockRole, Meta};
use super::claim::{
    push_terms, Analysed, Article, Claim, ClaimKind, Extra, Features, QuoteInfo, Sentence,
};
use super::compare::{Relation, RelationKind};
use super::corpus::{ClaimRef, DocId};
use super::dates::DateValue;
use super::quantity::{Approx, Quantity};
use super::terms::{self, symbol, Term};

/// Version of the encodings; bump it whenever a layout below changes.
pub const FORMAT: u32 = 2;

type Span = (usize, usize);

/// The wire form of an article. Words and names are borrowed from the
/// payload when decoding (they are interned at once): a `String` each was a
/// tenth of decoding a cached article.
#[derive(Serialize, Deserialize)]
struct PArticle<'a> {
    #[serde(borrow)]
    vocab: Vec<&'a str>,
    meta: PMeta,
    blocks: Vec<(Span, u8)>,
    #[serde(borrow)]
    sentences: Vec<PSentence<'a>>,
    #[serde(borrow)]
    claims: Vec<PClaim<'a>>,
}

#[derive(Serialize, Deserialize)]
struct PMeta {
    outlet: Option<String>,
    published: Option<PDate>,
    title: Option<String>,
}

type PDate = (i16, i8, i8);

#[derive(Serialize, Deserialize)]
struct PSentence<'a> {
    span: Span,
    role: u8,
    terms: Vec<u32>,
    #[serde(borrow)]
    names: Vec<&'a str>,
}

#[derive(Serialize, Deserialize)]
struct PClaim<'a> {
    span: Span,
    sentence: usize,
    kind: u8,
    value: Option<String>,
    quantity: Option<PQuantity>,
    date: Option<PDateValue>,
    quote: Option<PQuote>,
    terms: Vec<u32>,
    negated: bool,
    modal: bool,
    hypothetical: bool,
    issue: Option<String>,
    #[serde(borrow)]
    names: Vec<(&'a str, u32)>,
    #[serde(borrow)]
    near_names: Vec<(&'a str, u32)>,
    window: Vec<u32>,
    stances: Vec<(String, String)>,
}

#[derive(Serialize, Deserialize)]
struct PQuantity {
    span: Span,
    value: f64,
    value_hi: Option<f64>,
    approx: u8,
    low: f64,
    high: f64,
    head: Option<String>,
    per: Option<String>,
    score: Option<(u32, u32)>,
    precision: f64,
    ordinal: bool,
}

#[derive(Serialize, Deserialize)]
enum PDateValue {
    Day(PDate),
    Span(PDate, PDate),
    Month(Option<i16>, i8),
    Year(i16),
    Weekday(i8),
}

#[derive(Serialize, Deserialize)]
struct PQuote {
    span: Span,
    words: Vec<String>,
    speaker: Option<String>,
}

fn role_tag(r: BlockRole) -> u8 {
    match r {
        BlockRole::Title => 0,
        BlockRole::Standfirst => 1,
        BlockRole::Body => 2,
        BlockRole::Caption => 3,
        BlockRole::Meta => 4,
        BlockRole::Furniture => 5,
    }
}

fn role_of(t: u8) -> Option<BlockRole> {
    Some(match t {
        0 => BlockRole::Title,
        1 => BlockRole::Standfirst,
        2 => BlockRole::Body,
        3 => BlockRole::Caption,
        4 => BlockRole::Meta,
        5 => BlockRole::Furniture,
        _ => return None,
    })
}

fn kind_tag(k: ClaimKind) -> u8 {
    match k {
        ClaimKind::Quantity => 0,
        ClaimKind::Date => 1,
        ClaimKind::Duration => 2,
        ClaimKind::Entity => 3,
        ClaimKind::Quote => 4,
        ClaimKind::Position => 5,
        ClaimKind::Event => 6,
        ClaimKind::Other => 7,
    }
}

fn kind_of(t: u8) -> Option<ClaimKind> {
    Some(match t {
        0 => ClaimKind::Quantity,
        1 => ClaimKind::Date,
        2 => ClaimKind::Duration,
        3 => ClaimKind::Entity,
        4 => ClaimKind::Quote,
        5 => ClaimKind::Position,
        6 => ClaimKind::Event,
        7 => ClaimKind::Other,
        _ => return None,
    })
}

fn approx_tag(a: Approx) -> u8 {
    match a {
        Approx::Exact => 0,
        Approx::Above => 1,
        Approx::AtLeast => 2,
        Approx::Nearly => 3,
        Approx::About => 4,
        Approx::AtMost => 5,
        Approx::Below => 6,
    }
}

fn approx_of(t: u8) -> Option<Approx> {
    Some(match t {
        0 => Approx::Exact,
        1 => Approx::Above,
        2 => Approx::AtLeast,
        3 => Approx::Nearly,
        4 => Approx::About,
        5 => Approx::AtMost,
        6 => Approx::Below,
        _ => return None,
    })
}

fn pdate(d: Date) -> PDate {
    (d.year(), d.month(), d.day())
}

fn date_of(d: PDate) -> Option<Date> {
    Date::new(d.0, d.1, d.2).ok()
}

fn weekday_of(w: i8) -> Option<Weekday> {
    Weekday::from_monday_one_offset(w).ok()
}

/// Interned terms → indices into the article's own vocabulary.
#[derive(Default)]
struct Vocab {
    ids: FxHashMap<Term, u32>,
    words: Vec<&'static str>,
}

impl Vocab {
    fn id(&mut self, t: Term) -> u32 {
        if let Some(&i) = self.ids.get(&t) {
            return i;
        }
        let i = self.words.len() as u32;
        self.words.push(terms::resolve(t));
        self.ids.insert(t, i);
        i
    }

    fn ids(&mut self, ts: &[Term]) -> Vec<u32> {
        ts.iter().map(|&t| self.id(t)).collect()
    }
}

fn span(r: &Range<usize>) -> Span {
    (r.start, r.end)
}

/// The article's analysis as bytes (everything but its path and text).
pub fn encode(a: &Article) -> Vec<u8> {
    let mut out = Vec::new();
    encode_into(a, &mut out);
    out
}

/// [`encode`], appended to `out` (the cache reuses one buffer per thread:
/// a fresh, doubling `Vec` per entry freed and re-committed pages on every
/// store, 10× the `madvise` calls of a run without the cache).
pub fn encode_into(a: &Article, out: &mut Vec<u8>) {
    let Article {
        path: _,
        text: _,
        meta,
        blocks,
        sentences,
        claims,
        terms: _,
    } = a;
    let mut vocab = Vocab::default();
    let Meta {
        outlet,
        published,
        title,
    } = meta;
    let meta = PMeta {
        outlet: outlet.clone(),
        published: published.map(pdate),
        title: title.clone(),
    };
    let blocks = blocks
        .iter()
        .map(|b| {
            let Block { span: s, role } = b;
            (span(s), role_tag(*role))
        })
        .collect();
    let sentences = sentences
        .iter()
        .map(|s| {
            let Sentence {
                span: sp,
                role,
                terms,
                names,
            } = s;
            PSentence {
                span: span(sp),
                role: role_tag(*role),
                terms: vocab.ids(a.terms_of(*terms)),
                names: names.iter().map(|n| &**n).collect(),
            }
        })
        .collect();
    let claims = claims
        .iter()
        .map(|c| encode_claim(c, a.terms_of(c.terms), &mut vocab))
        .collect();
    let p = PArticle {
        vocab: std::mem::take(&mut vocab.words),
        meta,
        blocks,
        sentences,
        claims,
    };
    // Serialising plain data into a Vec cannot fail; an empty payload
    // would only be rejected on reading (a cache miss).
    let start = out.len();
    match postcard::to_extend(&p, std::mem::take(out)) {
        Ok(v) => *out = v,
        Err(_) => out.truncate(start),
    }
}

fn encode_claim<'a>(c: &'a Claim, terms: &[Term], vocab: &mut Vocab) -> PClaim<'a> {
    let Claim {
        span: sp,
        sentence,
        kind,
        value,
        quantity,
        date,
        quote,
        terms: _,
        negated,
        modal,
        hypothetical,
        extra: _,
    } = c;
    let Features {
        names,
        near_names,
        window,
        stances,
    } = c.features();
    let named = |v: &mut Vocab, ns: &[(&'a str, Term)]| -> Vec<(&'a str, u32)> {
        ns.iter().map(|(n, t)| (*n, v.id(*t))).collect()
    };
    PClaim {
        span: span(sp),
        sentence: *sentence,
        kind: kind_tag(*kind),
        value: value.as_deref().map(String::from),
        quantity: quantity.as_deref().map(encode_quantity),
        date: date.as_ref().map(|d| match d {
            DateValue::Day(d) => PDateValue::Day(pdate(*d)),
            DateValue::Span(a, b) => PDateValue::Span(pdate(*a), pdate(*b)),
            DateValue::Month(y, m) => PDateValue::Month(*y, *m),
            DateValue::Year(y) => PDateValue::Year(*y),
            DateValue::Weekday(w) => PDateValue::Weekday(w.to_monday_one_offset()),
        }),
        quote: quote.as_deref().map(|q| {
            let QuoteInfo {
                span: qs,
                words,
                speaker,
            } = q;
            PQuote {
                span: span(qs),
                words: words.clone(),
                speaker: speaker.clone(),
            }
        }),
        terms: vocab.ids(terms),
        negated: *negated,
        modal: *modal,
        hypothetical: *hypothetical,
        issue: c.issue().map(String::from),
        names: named(vocab, names),
        near_names: named(vocab, near_names),
        window: vocab.ids(window),
        stances: stances.to_vec(),
    }
}

fn encode_quantity(q: &Quantity) -> PQuantity {
    let Quantity {
        span: sp,
        value,
        value_hi,
        approx,
        low,
        high,
        head,
        per,
        score,
        precision,
        ordinal,
    } = q;
    PQuantity {
        span: span(sp),
        value: *value,
        value_hi: *value_hi,
        approx: approx_tag(*approx),
        low: *low,
        high: *high,
        head: head.clone(),
        per: per.clone(),
        score: *score,
        precision: *precision,
        ordinal: *ordinal,
    }
}

/// `terms::intern`, memoised per thread: the shared interner's lookups cost
/// more than a local map's, and a corpus repeats its vocabulary.
fn intern_memo(w: &str) -> Term {
    thread_local! {
        static MEMO: std::cell::RefCell<FxHashMap<Box<str>, Term>> =
            std::cell::RefCell::new(FxHashMap::default());
    }
    MEMO.with(|m| match m.try_borrow_mut() {
        Ok(mut m) => {
            if let Some(&t) = m.get(w) {
                return t;
            }
            let t = terms::intern(w);
            if m.len() > 200_000 {
                m.clear();
            }
            m.insert(w.into(), t);
            t
        }
        Err(_) => terms::intern(w),
    })
}

/// Decodes what [`encode`] wrote for the article at `path` with `text`.
/// `None` when the bytes are not such an encoding, or describe spans that
/// are not valid ranges of `text`.
pub fn decode(path: &str, text: &str, bytes: &[u8]) -> Option<Article> {
    decode_parts(text, bytes).map(|d| Article::from_parts(path.to_string(), text.to_string(), d))
}

/// [`decode`], keeping the caller's strings for the article (no copy of its
/// text); they are handed back when the bytes do not decode.
pub fn decode_owned(path: String, text: String, bytes: &[u8]) -> Result<Article, (String, String)> {
    match decode_parts(&text, bytes) {
        Some(d) => Ok(Article::from_parts(path, text, d)),
        None => Err((path, text)),
    }
}

/// An article's analysis, decoded and checked against its text (without the
/// path and the text).
fn decode_parts(text: &str, bytes: &[u8]) -> Option<Analysed> {
    let p: PArticle = match postcard::take_from_bytes::<PArticle>(bytes) {
        Ok((p, [])) => p,
        _ => return None,
    };
    let terms: Vec<Term> = p.vocab.iter().map(|&w| intern_memo(w)).collect();
    let term = |i: u32| terms.get(i as usize).copied();
    // The terms of one list go through a buffer reused from list to list
    // (a vector per sentence and claim was a twentieth of decoding).
    let mut scratch: Vec<Term> = Vec::new();
    let range = |s: Span| -> Option<Range<usize>> {
        (s.0 <= s.1 && text.get(s.0..s.1).is_some()).then_some(s.0..s.1)
    };
    let meta = Meta {
        outlet: p.meta.outlet,
        published: match p.meta.published {
            Some(d) => Some(date_of(d)?),
            None => None,
        },
        title: p.meta.title,
    };
    let blocks = exact(p.blocks, |(s, r)| {
        Some(Block {
            span: range(s)?,
            role: role_of(r)?,
        })
    })?;
    // Sentences' terms, then claims': the order the parser lays them in.
    let mut pool: Vec<Term> = Vec::new();
    let sentences = exact(p.sentences, |s| {
        Some(Sentence {
            span: range(s.span)?,
            role: role_of(s.role)?,
            terms: push_terms(&mut pool, terms_into(&mut scratch, &s.terms, &terms)?),
            names: thin(s.names.iter().map(|&n| symbol(n))),
        })
    })?;
    let n_sentences = sentences.len();
    let claims = exact(p.claims, |c| {
        let named = |ns: Vec<(&str, u32)>| {
            ns.into_iter()
                .map(|(n, i)| Some((symbol(n), term(i)?)))
                .collect::<Option<Vec<_>>>()
                .map(|v| thin(v.into_iter()))
        };
        let span = range(c.span)?;
        if span.start >= span.end || c.sentence >= n_sentences {
            return None;
        }
        Some(Claim {
            span,
            sentence: c.sentence,
            kind: kind_of(c.kind)?,
            value: c.value.map(String::into_boxed_str),
            quantity: match c.quantity {
                Some(q) => Some(Box::new(Quantity {
                    span: range(q.span)?,
                    value: q.value,
                    value_hi: q.value_hi,
                    approx: approx_of(q.approx)?,
                    low: q.low,
                    high: q.high,
                    head: q.head,
                    per: q.per,
                    score: q.score,
                    precision: q.precision,
                    ordinal: q.ordinal,
                })),
                None => None,
            },
            date: match c.date {
                Some(d) => Some(match d {
                    PDateValue::Day(d) => DateValue::Day(date_of(d)?),
                    PDateValue::Span(a, b) => DateValue::Span(date_of(a)?, date_of(b)?),
                    PDateValue::Month(y, m) => DateValue::Month(y, m),
                    PDateValue::Year(y) => DateValue::Year(y),
                    PDateValue::Weekday(w) => DateValue::Weekday(weekday_of(w)?),
                }),
                None => None,
            },
            quote: match c.quote {
                Some(q) => Some(Box::new(QuoteInfo {
                    span: range(q.span)?,
                    words: q.words,
                    speaker: q.speaker,
                })),
                None => None,
            },
            terms: push_terms(&mut pool, terms_into(&mut scratch, &c.terms, &terms)?),
            negated: c.negated,
            modal: c.modal,
            hypothetical: c.hypothetical,
            extra: Extra::new(
                Features {
                    names: named(c.names)?,
                    near_names: named(c.near_names)?,
                    window: thin(terms_into(&mut scratch, &c.window, &terms)?.iter().copied()),
                    stances: thin(c.stances.into_iter()),
                },
                c.issue.map(String::into_boxed_str),
            ),
        })
    })?;
    Some((meta, blocks, sentences, claims, pool.into_boxed_slice()))
}

/// The terms of a list of vocabulary ids, in `scratch`; `None` when an id
/// is not in the vocabulary.
fn terms_into<'s>(scratch: &'s mut Vec<Term>, ids: &[u32], vocab: &[Term]) -> Option<&'s [Term]> {
    scratch.clear();
    for &i in ids {
        scratch.push(*vocab.get(i as usize)?);
    }
    Some(scratch)
}

/// Converts a decoded list into the engine's type, in a vector of exactly
/// its length; `None` as soon as one item does not convert.
///
/// Not `into_iter().map(..).collect()`: that collects in place, into the
/// wire list's own buffer, which is sized for the wire type and stays
/// allocated, its excess unused, for as long as the article lives. On 10,000
/// cached articles those buffers were 265 MB of a 503 MB heap (heaptrack,
/// `check` with a warm cache).
fn exact<S, T>(items: Vec<S>, mut f: impl FnMut(S) -> Option<T>) -> Option<Vec<T>> {
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        out.push(f(item)?);
    }
    Some(out)
}

/// A decoded list as the parser makes it: no room to spare.
fn thin<T>(items: impl ExactSizeIterator<Item = T>) -> ThinVec<T> {
    let mut v = ThinVec::with_capacity(items.len());
    v.extend(items);
    v
}

/// One relation of a story, with its claims as (index in the story, claim index).
#[derive(Serialize, Deserialize)]
struct PRelation<'a> {
    a: (u32, u32),
    b: (u32, u32),
    kind: u8,
    reason: &'a str,
    label: &'a str,
    score: f32,
}

fn relation_kind_tag(k: RelationKind) -> u8 {
    match k {
        RelationKind::Support => 0,
        RelationKind::Conflict => 1,
        RelationKind::Tension => 2,
    }
}

fn relation_kind_of(t: u8) -> Option<RelationKind> {
    Some(match t {
        0 => RelationKind::Support,
        1 => RelationKind::Conflict,
        2 => RelationKind::Tension,
        _ => return None,
    })
}

/// The relations of one story as bytes; documents are written as their
/// position in `story`, so the entry does not depend on document ids.
/// `None` when a relation names a document outside the story.
pub fn encode_relations(story: &[DocId], rels: &[Relation]) -> Option<Vec<u8>> {
    let pos = |d: DocId| story.iter().position(|&s| s == d).map(|p| p as u32);
    let mut out = Vec::with_capacity(rels.len());
    for r in rels {
        let Relation {
            a,
            b,
            kind,
            reason,
            label,
            score,
        } = r;
        out.push(PRelation {
            a: (pos(a.doc)?, a.claim as u32),
            b: (pos(b.doc)?, b.claim as u32),
            kind: relation_kind_tag(*kind),
            reason,
            label,
            score: *score,
        });
    }
    postcard::to_allocvec(&out).ok()
}

/// Decodes what [`encode_relations`] wrote, for the same story. `None` on
/// malformed bytes or a claim that the story's articles do not have
/// (`claims(doc)` is the number of claims of a document).
pub fn decode_relations(
    story: &[DocId],
    claims: impl Fn(DocId) -> usize,
    bytes: &[u8],
) -> Option<Vec<Relation>> {
    let rels: Vec<PRelation> = match postcard::take_from_bytes::<Vec<PRelation>>(bytes) {
        Ok((r, [])) => r,
        _ => return None,
    };
    let claim = |(d, c): (u32, u32)| -> Option<ClaimRef> {
        let doc = *story.get(d as usize)?;
        let claim = c as usize;
        (claim < claims(doc)).then_some(ClaimRef { doc, claim })
    };
    exact(rels, |r| {
        Some(Relation {
            a: claim(r.a)?,
            b: claim(r.b)?,
            kind: relation_kind_of(r.kind)?,
            reason: super::compare::reason_text(r.reason),
            label: symbol(r.label),
            score: r.score,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::article::MetaOverride;

    const TEXT: &str = "Ferry sinks off the coast\n\nPublished: 2024-05-02\n\n\
        The ferry carried more than 300 passengers when it sank on Tuesday, the coast guard said.\n\n\
        “We will rebuild every single home,” Governor Ortiz said on Friday, January 5, 2024.\n\n\
        The pre-market price rose 4.5% to $63.54 per share, while the One China policy held.\n";

    fn debug(a: &Article) -> String {
        format!(
            "{:?}|{:?}|{:?}|{:?}|{}|{}",
            a.meta, a.blocks, a.sentences, a.claims, a.path, a.text
        )
    }

    #[test]
    fn round_trip_is_identical() {
        let a = Article::parse("a.txt", TEXT, &MetaOverride::default());
        assert!(a.claims.iter().any(|c| c.quantity.is_some()));
        assert!(a.claims.iter().any(|c| c.date.is_some()));
        assert!(a.claims.iter().any(|c| c.quote.is_some()));
        let bytes = encode(&a);
        let b = decode("a.txt", TEXT, &bytes).expect("decodes");
        assert_eq!(debug(&a), debug(&b));
        // No room to spare: the lists live as long as the corpus.
        assert_eq!(b.claims.capacity(), b.claims.len());
        assert_eq!(b.sentences.capacity(), b.sentences.len());
        assert_eq!(b.blocks.capacity(), b.blocks.len());
    }

    #[test]
    fn relations_round_trip_and_are_checked() {
        use crate::core::{Corpus, EngineConfig};
        let mut c = Corpus::new(EngineConfig::default());
        c.upsert("a.txt", TEXT, &MetaOverride::default());
        c.upsert(
            "b.txt",
            &TEXT.replace("300", "400"),
            &MetaOverride::default(),
        );
        let story = vec![0, 1];
        let rels = c.story_relations(&story);
        assert!(!rels.is_empty());
        let n = |d: DocId| c.article(d).map_or(0, |a| a.claims.len());
        let bytes = encode_relations(&story, &rels).expect("encodes");
        let back = decode_relations(&story, n, &bytes).expect("decodes");
        assert_eq!(format!("{rels:?}"), format!("{back:?}"));
        assert_eq!(back.capacity(), back.len());
        // Another story of other documents: a miss, not a wrong answer.
        assert!(decode_relations(&[0], n, &bytes).is_none());
        assert!(decode_relations(&story, |_| 0, &bytes).is_none());
        assert!(decode_relations(&story, n, &bytes[..bytes.len() - 1]).is_none());
        // Relations naming a document outside the story are not encoded.
        assert!(encode_relations(&[0], &rels).is_none());
    }

    #[test]
    fn damaged_payloads_are_rejected() {
        let a = Article::parse("a.txt", TEXT, &MetaOverride::default());
        let bytes = encode(&a);
        assert!(decode("a.txt", TEXT, &[]).is_none());
        assert!(decode("a.txt", TEXT, &bytes[..bytes.len() / 2]).is_none());
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(decode("a.txt", TEXT, &longer).is_none());
        // Spans are checked against the text they are decoded for.
        assert!(decode("a.txt", "short", &bytes).is_none());
        // Any single flipped byte: never a panic (and mostly a rejection).
        for i in 0..bytes.len() {
            let mut b = bytes.clone();
            b[i] ^= 0xA5;
            let _ = decode("a.txt", TEXT, &b);
        }
    }

    #[test]
    fn owned_decoding_keeps_or_hands_back_the_strings() {
        let a = Article::parse("a.txt", TEXT, &MetaOverride::default());
        let bytes = encode(&a);
        let b = decode_owned("a.txt".into(), TEXT.into(), &bytes).expect("decodes");
        assert_eq!(debug(&a), debug(&b));
        assert_eq!((b.path.as_str(), b.text.as_str()), ("a.txt", TEXT));
        // A payload that does not fit the text: the caller's strings back.
        let back = decode_owned("a.txt".into(), "short".into(), &bytes).map(|_| ());
        assert_eq!(back, Err(("a.txt".to_string(), "short".to_string())));
    }
}
