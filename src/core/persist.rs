//! A portable, compact encoding of an analysed [`Article`], for the on-disk
//! cache of the adapters (`check`): what `Article::parse` computed, without
//! the text (the caller has it) and with interned terms written as words
//! (term ids are only valid inside one process).
//!
//! Pure: bytes in, bytes out, no I/O. Decoding never panics and never
//! trusts its input: any malformed payload, unknown tag, index outside its
//! table or span that does not lie on char boundaries of the given text
//! yields `None`, and the caller parses the article again.
//!
//! Every core type is converted field by field with exhaustive destructuring
//! and struct literals, so a field added to a core type is a compile error
//! here until the encoding (and [`FORMAT`]) is updated.
//!
//! # Layout
//!
//! Written and read by hand ([`Reader`]), not by serde: a warm `check`
//! spends much of its time decoding, and postcard's serde decoding cost
//! about twice this, most of it per list element and per string (a UTF-8
//! validation for each word). Integers are LEB128 varints (`u`), signed ones
//! zigzagged first (`i`); floats are their 8 (or 4) bits, little-endian;
//! a span is its start and its length (`u u`); a list is its length then
//! its elements.
//!
//! The text of an entry lies in two string tables, each one block of UTF-8
//! validated at once, then the lengths of its strings:
//!
//! ```text
//! table   = u(total bytes) bytes u(count) u(length)*
//! article = table(vocabulary) table(strings) u(terms)
//!           meta blocks sentences claims
//! ```
//!
//! The vocabulary holds the article's terms (a term list is a list of
//! indices into it; `terms` is the length of all the lists together, so
//! that the article's term pool is allocated once, at its size); the strings every other text (names, values, stances,
//! quotations' words, metadata), each once, referred to by index. An
//! optional string is `u(0)` or `u(1 + index)`.

use std::ops::Range;

use jiff::civil::{Date, Weekday};
use rustc_hash::FxHashMap;
use thin_vec::ThinVec;

use super::article::{Block, BlockRole, Meta};
use super::claim::{
    place_claim_terms, Analysed, Article, Claim, ClaimKind, Extra, Features, QuoteInfo, Sentence,
    TermRange,
};
use super::compare::{Relation, RelationKind};
use super::corpus::{ClaimRef, DocId, GroupingParts};
use super::dates::DateValue;
use super::quantity::{Approx, Quantity};
use super::terms::{self, symbol, Term};

/// Version of the encodings; bump it whenever a layout below changes.
pub const FORMAT: u32 = 5;

/// Appends `v` as a LEB128 varint: seven bits a byte, low bits first, the
/// high bit set on every byte but the last.
fn put_u(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// Appends a signed integer, zigzagged (0, -1, 1, -2… as 0, 1, 2, 3…).
fn put_i(out: &mut Vec<u8>, v: i64) {
    put_u(out, ((v << 1) ^ (v >> 63)) as u64);
}

fn put_usize(out: &mut Vec<u8>, v: usize) {
    put_u(out, v as u64);
}

fn put_f64(out: &mut Vec<u8>, v: f64) {
    out.extend_from_slice(&v.to_bits().to_le_bytes());
}

fn put_span(out: &mut Vec<u8>, r: &Range<usize>) {
    put_usize(out, r.start);
    put_usize(out, r.end.saturating_sub(r.start));
}

fn put_date(out: &mut Vec<u8>, d: Date) {
    put_i(out, d.year().into());
    put_i(out, d.month().into());
    put_i(out, d.day().into());
}

/// Appends a string table (see the module's layout).
fn put_table(out: &mut Vec<u8>, strings: &[&str]) {
    put_usize(out, strings.iter().map(|s| s.len()).sum());
    for s in strings {
        out.extend_from_slice(s.as_bytes());
    }
    put_usize(out, strings.len());
    for s in strings {
        put_usize(out, s.len());
    }
}

/// The strings of an entry, each once, by index.
#[derive(Default)]
struct Strings<'a> {
    ids: FxHashMap<&'a str, u32>,
    list: Vec<&'a str>,
}

impl<'a> Strings<'a> {
    fn id(&mut self, s: &'a str) -> u32 {
        if let Some(&i) = self.ids.get(s) {
            return i;
        }
        let i = self.list.len() as u32;
        self.list.push(s);
        self.ids.insert(s, i);
        i
    }

    fn put(&mut self, out: &mut Vec<u8>, s: &'a str) {
        let i = self.id(s);
        put_u(out, i.into());
    }

    fn put_opt(&mut self, out: &mut Vec<u8>, s: Option<&'a str>) {
        match s {
            Some(s) => {
                let i = self.id(s);
                put_u(out, u64::from(i) + 1);
            }
            None => put_u(out, 0),
        }
    }
}

/// Reads what the `put_` functions wrote; every read is `None` past the end
/// or on a value out of its type's range, and consumes nothing useful then
/// (the caller gives up on the whole entry).
struct Reader<'b> {
    bytes: &'b [u8],
}

impl<'b> Reader<'b> {
    fn byte(&mut self) -> Option<u8> {
        let (&b, rest) = self.bytes.split_first()?;
        self.bytes = rest;
        Some(b)
    }

    /// A varint of at most ten bytes whose bits fit a `u64`.
    #[inline]
    fn u(&mut self) -> Option<u64> {
        let b = self.byte()?;
        if b < 0x80 {
            return Some(b.into());
        }
        let mut v = u64::from(b & 0x7F);
        let mut shift = 7;
        loop {
            let b = self.byte()?;
            let bits = u64::from(b & 0x7F);
            // The tenth byte holds the 64th bit alone.
            if shift == 63 && b > 1 {
                return None;
            }
            v |= bits << shift;
            if b < 0x80 {
                return Some(v);
            }
            shift += 7;
        }
    }

    fn usize(&mut self) -> Option<usize> {
        usize::try_from(self.u()?).ok()
    }

    fn u32(&mut self) -> Option<u32> {
        u32::try_from(self.u()?).ok()
    }

    fn i(&mut self) -> Option<i64> {
        let v = self.u()?;
        Some(((v >> 1) as i64) ^ -((v & 1) as i64))
    }

    fn i16(&mut self) -> Option<i16> {
        i16::try_from(self.i()?).ok()
    }

    fn i8(&mut self) -> Option<i8> {
        i8::try_from(self.i()?).ok()
    }

    fn f64(&mut self) -> Option<f64> {
        let (b, rest) = self.bytes.split_first_chunk::<8>()?;
        self.bytes = rest;
        Some(f64::from_bits(u64::from_le_bytes(*b)))
    }

    fn f32(&mut self) -> Option<f32> {
        let (b, rest) = self.bytes.split_first_chunk::<4>()?;
        self.bytes = rest;
        Some(f32::from_bits(u32::from_le_bytes(*b)))
    }

    fn take(&mut self, n: usize) -> Option<&'b [u8]> {
        let (a, rest) = self.bytes.split_at_checked(n)?;
        self.bytes = rest;
        Some(a)
    }

    /// The length of a list. Every element takes at least a byte, so a
    /// length above the bytes left is damage: refused before anything is
    /// allocated for it.
    fn len(&mut self) -> Option<usize> {
        let n = self.usize()?;
        (n <= self.bytes.len()).then_some(n)
    }

    /// A span (start, length) that is a range of char boundaries of `text`.
    fn span(&mut self, text: &str) -> Option<Range<usize>> {
        let start = self.usize()?;
        let end = start.checked_add(self.usize()?)?;
        text.get(start..end)?;
        Some(start..end)
    }

    fn date(&mut self) -> Option<Date> {
        Date::new(self.i16()?, self.i8()?, self.i8()?).ok()
    }

    /// A string table: one UTF-8 validation for all its strings.
    fn table(&mut self) -> Option<Vec<&'b str>> {
        let total = self.usize()?;
        let blob = std::str::from_utf8(self.take(total)?).ok()?;
        let n = self.len()?;
        let mut list = Vec::with_capacity(n);
        let mut start = 0usize;
        for _ in 0..n {
            let end = start.checked_add(self.usize()?)?;
            list.push(blob.get(start..end)?);
            start = end;
        }
        // Every byte of the block belongs to a string.
        (start == blob.len()).then_some(list)
    }

    /// `n` indices into `table`, each item handed to `push`. The common
    /// one-byte index is read without the general varint path: term lists
    /// are most of an entry.
    #[inline]
    fn indexed<T: Copy>(&mut self, n: usize, table: &[T], mut push: impl FnMut(T)) -> Option<()> {
        let mut bytes = self.bytes;
        for _ in 0..n {
            let (&b, rest) = bytes.split_first()?;
            let i = if b < 0x80 {
                bytes = rest;
                usize::from(b)
            } else {
                self.bytes = bytes;
                let i = self.usize()?;
                bytes = self.bytes;
                i
            };
            push(*table.get(i)?);
        }
        self.bytes = bytes;
        Some(())
    }

    /// An index into a table of `n`.
    fn index(&mut self, n: usize) -> Option<usize> {
        self.usize().filter(|&i| i < n)
    }

    /// An optional index into a table of `n` (`0` for none, else `1 + i`).
    fn opt_index(&mut self, n: usize) -> Option<Option<usize>> {
        match self.usize()? {
            0 => Some(None),
            i => (i <= n).then_some(Some(i - 1)),
        }
    }

    fn is_done(&self) -> bool {
        self.bytes.is_empty()
    }
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

fn weekday_of(w: i8) -> Option<Weekday> {
    Weekday::from_monday_one_offset(w).ok()
}

/// Interned terms → indices into the article's own vocabulary (through the
/// thread's table of [`terms::LocalIds`], not a hash map of its own).
struct Vocab {
    ids: terms::LocalIds,
    /// The terms given an index, in order.
    terms: Vec<Term>,
}

impl Vocab {
    fn new() -> Vocab {
        Vocab {
            ids: terms::LocalIds::take(),
            terms: Vec::new(),
        }
    }

    fn id(&mut self, t: Term) -> u32 {
        self.ids.id(&mut self.terms, t)
    }

    /// The vocabulary's words, in index order; the table given back.
    fn into_words(self) -> Vec<&'static str> {
        let words = self.terms.iter().map(|&t| terms::resolve(t)).collect();
        self.ids.give_back(&self.terms);
        words
    }

    /// Appends a term list: its length, then its terms' indices.
    fn put_list(&mut self, out: &mut Vec<u8>, ts: &[Term]) {
        put_usize(out, ts.len());
        for &t in ts {
            let i = self.id(t);
            put_u(out, i.into());
        }
    }
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
    let mut vocab = Vocab::new();
    let mut strs = Strings::default();
    // The tables come first but are known last: the body is written first,
    // at the end of `out`, and moved behind them below (a vector of its own,
    // grown from empty for every entry, was reallocated a dozen times per
    // article).
    let start = out.len();
    let b = &mut *out;
    let Meta {
        outlet,
        published,
        title,
    } = meta;
    strs.put_opt(b, outlet.as_deref());
    match published {
        Some(d) => {
            b.push(1);
            put_date(b, *d);
        }
        None => b.push(0),
    }
    strs.put_opt(b, title.as_deref());
    put_usize(b, blocks.len());
    for Block { span, role } in blocks {
        put_span(b, span);
        b.push(role_tag(*role));
    }
    put_usize(b, sentences.len());
    for s in sentences {
        let Sentence {
            span,
            role,
            terms,
            names,
        } = s;
        put_span(b, span);
        b.push(role_tag(*role));
        vocab.put_list(b, a.terms_of(*terms));
        put_usize(b, names.len());
        for n in names {
            strs.put(b, n);
        }
    }
    put_usize(b, claims.len());
    for c in claims {
        encode_claim(b, c, a.terms_of(c.terms), &mut vocab, &mut strs);
    }
    let body = out.len() - start;
    put_table(out, &vocab.into_words());
    put_table(out, &strs.list);
    // The pool the decoder lays out (`place_claim_terms`).
    let pool = super::claim::laid_out_len(sentences, claims, |r| a.terms_of(r));
    put_usize(out, pool);
    // Body, tables and pool → tables, pool and body.
    if let Some(entry) = out.get_mut(start..) {
        entry.rotate_left(body);
    }
}

/// The flags byte of a claim: its three booleans, then which of its
/// optional parts follow.
const NEGATED: u8 = 1;
const MODAL: u8 = 1 << 1;
const HYPOTHETICAL: u8 = 1 << 2;
const HAS_VALUE: u8 = 1 << 3;
const HAS_QUANTITY: u8 = 1 << 4;
const HAS_DATE: u8 = 1 << 5;
const HAS_QUOTE: u8 = 1 << 6;
const HAS_ISSUE: u8 = 1 << 7;
/// The flags byte is full: `Claim::event_word` and `Claim::title_word`
/// are the high bits of the claim's kind byte (its tags are below 8).
const EVENT_WORD: u8 = 1 << 7;
const TITLE_WORD: u8 = 1 << 6;

/// The flags byte of a quantity: which of its optional parts follow.
const Q_VALUE_HI: u8 = 1;
const Q_HEAD: u8 = 1 << 1;
const Q_PER: u8 = 1 << 2;
const Q_SCORE: u8 = 1 << 3;
const Q_ORDINAL: u8 = 1 << 4;

/// A claim: span, sentence, kind, flags, then the optional value,
/// quantity, date and quote, its terms, the optional issue, and its
/// features' lists.
fn encode_claim<'a>(
    b: &mut Vec<u8>,
    c: &'a Claim,
    terms: &[Term],
    vocab: &mut Vocab,
    strs: &mut Strings<'a>,
) {
    let Claim {
        span,
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
        event_word,
        title_word,
        extra: _,
    } = c;
    let Features {
        names,
        near_names,
        window,
        stances,
    } = c.features();
    let issue = c.issue();
    let flag = |on: bool, f: u8| if on { f } else { 0 };
    put_span(b, span);
    put_usize(b, *sentence);
    b.push(kind_tag(*kind) | flag(*event_word, EVENT_WORD) | flag(*title_word, TITLE_WORD));
    b.push(
        flag(*negated, NEGATED)
            | flag(*modal, MODAL)
            | flag(*hypothetical, HYPOTHETICAL)
            | flag(value.is_some(), HAS_VALUE)
            | flag(quantity.is_some(), HAS_QUANTITY)
            | flag(date.is_some(), HAS_DATE)
            | flag(quote.is_some(), HAS_QUOTE)
            | flag(issue.is_some(), HAS_ISSUE),
    );
    if let Some(v) = value {
        strs.put(b, v);
    }
    if let Some(q) = quantity {
        encode_quantity(b, q, strs);
    }
    if let Some(d) = date {
        match d {
            DateValue::Day(d) => {
                b.push(0);
                put_date(b, *d);
            }
            DateValue::Span(x, y) => {
                b.push(1);
                put_date(b, *x);
                put_date(b, *y);
            }
            DateValue::Month(y, m) => {
                match y {
                    Some(y) => {
                        b.push(2);
                        put_i(b, (*y).into());
                    }
                    None => b.push(3),
                }
                put_i(b, (*m).into());
            }
            DateValue::Year(y) => {
                b.push(4);
                put_i(b, (*y).into());
            }
            DateValue::Weekday(w) => {
                b.push(5);
                put_i(b, w.to_monday_one_offset().into());
            }
        }
    }
    if let Some(q) = quote {
        let QuoteInfo {
            span,
            words,
            speaker,
        } = &**q;
        put_span(b, span);
        put_usize(b, words.len());
        for w in words {
            strs.put(b, w);
        }
        strs.put_opt(b, speaker.as_deref());
    }
    vocab.put_list(b, terms);
    if let Some(i) = issue {
        strs.put(b, i);
    }
    for list in [names, near_names] {
        put_usize(b, list.len());
        for (n, t) in list.iter() {
            strs.put(b, n);
            let i = vocab.id(*t);
            put_u(b, i.into());
        }
    }
    vocab.put_list(b, window);
    put_usize(b, stances.len());
    for (m, n) in stances.iter() {
        strs.put(b, m);
        strs.put(b, n);
    }
}

/// A quantity: span, flags, approximation, value, low, high, precision,
/// then the optional upper value, head, rate unit and score.
fn encode_quantity<'a>(b: &mut Vec<u8>, q: &'a Quantity, strs: &mut Strings<'a>) {
    let Quantity {
        span,
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
    let flag = |on: bool, f: u8| if on { f } else { 0 };
    put_span(b, span);
    b.push(
        flag(value_hi.is_some(), Q_VALUE_HI)
            | flag(head.is_some(), Q_HEAD)
            | flag(per.is_some(), Q_PER)
            | flag(score.is_some(), Q_SCORE)
            | flag(*ordinal, Q_ORDINAL),
    );
    b.push(approx_tag(*approx));
    for v in [*value, *low, *high, *precision] {
        put_f64(b, v);
    }
    if let Some(v) = value_hi {
        put_f64(b, *v);
    }
    if let Some(h) = head {
        strs.put(b, h);
    }
    if let Some(p) = per {
        strs.put(b, p);
    }
    if let Some((x, y)) = score {
        put_u(b, (*x).into());
        put_u(b, (*y).into());
    }
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

/// What the body of an entry refers to: the article's terms (its
/// vocabulary, interned) and its string table.
struct Tables<'b> {
    terms: Vec<Term>,
    strs: Vec<&'b str>,
    /// The [`symbol`] of each string, once asked for: a name recurs in
    /// the sentence and in each of its claims.
    symbols: Vec<Option<&'static str>>,
}

impl<'b> Tables<'b> {
    fn term(&self, r: &mut Reader) -> Option<Term> {
        let i = r.usize()?;
        self.terms.get(i).copied()
    }

    fn str(&self, r: &mut Reader) -> Option<&'b str> {
        let i = r.index(self.strs.len())?;
        self.strs.get(i).copied()
    }

    fn string(&self, r: &mut Reader) -> Option<String> {
        self.str(r).map(String::from)
    }

    fn opt_string(&self, r: &mut Reader) -> Option<Option<String>> {
        match r.opt_index(self.strs.len())? {
            Some(i) => Some(Some(String::from(*self.strs.get(i)?))),
            None => Some(None),
        }
    }

    fn symbol(&mut self, r: &mut Reader) -> Option<&'static str> {
        let i = r.index(self.strs.len())?;
        let slot = self.symbols.get_mut(i)?;
        if let Some(s) = *slot {
            return Some(s);
        }
        let s = symbol(self.strs.get(i)?);
        *slot = Some(s);
        Some(s)
    }

    /// A term list, appended to the article's pool, and where it lies
    /// there.
    fn terms_into(&self, r: &mut Reader, pool: &mut Vec<Term>) -> Option<TermRange> {
        let n = r.len()?;
        let start = pool.len();
        r.indexed(n, &self.terms, |t| pool.push(t))?;
        // What `claim::push_terms` does, for a pool that never nears
        // `u32::MAX` terms (an article is at most 20 MB).
        let range = TermRange {
            start: u32::try_from(start).ok()?,
            len: u32::try_from(n).ok()?,
        };
        range.start.checked_add(range.len)?;
        Some(range)
    }

    /// A claim's term list, placed in the article's pool as the parser
    /// places it ([`place_claim_terms`]: within its sentence's terms when
    /// it is a run of them), read through `scratch`.
    fn claim_terms_into(
        &self,
        r: &mut Reader,
        pool: &mut Vec<Term>,
        sentence: TermRange,
        scratch: &mut Vec<Term>,
    ) -> Option<TermRange> {
        let n = r.len()?;
        scratch.clear();
        r.indexed(n, &self.terms, |t| scratch.push(t))?;
        let range = place_claim_terms(pool, sentence, scratch);
        // `place_claim_terms` gives an empty range for a list past `u32`.
        (range.len() == n).then_some(range)
    }

    /// A list of (name, term) pairs.
    fn names(&mut self, r: &mut Reader) -> Option<ThinVec<(&'static str, Term)>> {
        let n = r.len()?;
        let mut v = ThinVec::with_capacity(n);
        for _ in 0..n {
            v.push((self.symbol(r)?, self.term(r)?));
        }
        Some(v)
    }
}

/// An article's analysis, decoded and checked against its text (without the
/// path and the text).
fn decode_parts(text: &str, bytes: &[u8]) -> Option<Analysed> {
    let mut r = Reader { bytes };
    let words = r.table()?;
    let strs = r.table()?;
    let mut t = Tables {
        terms: words.iter().map(|&w| intern_memo(w)).collect(),
        symbols: vec![None; strs.len()],
        strs,
    };
    // Sentences' terms, then claims': the order the parser lays them in,
    // in a pool of exactly their number (each takes a byte at least).
    let pool_len = r.len()?;
    let mut pool: Vec<Term> = Vec::with_capacity(pool_len);
    let outlet = t.opt_string(&mut r)?;
    let published = match r.byte()? {
        0 => None,
        1 => Some(r.date()?),
        _ => return None,
    };
    let title = t.opt_string(&mut r)?;
    let meta = Meta {
        outlet,
        published,
        title,
    };
    let n = r.len()?;
    let mut blocks = Vec::with_capacity(n);
    for _ in 0..n {
        blocks.push(Block {
            span: r.span(text)?,
            role: role_of(r.byte()?)?,
        });
    }
    let n = r.len()?;
    let mut sentences = Vec::with_capacity(n);
    for _ in 0..n {
        let span = r.span(text)?;
        let role = role_of(r.byte()?)?;
        let terms = t.terms_into(&mut r, &mut pool)?;
        let k = r.len()?;
        let mut names = ThinVec::with_capacity(k);
        for _ in 0..k {
            names.push(t.symbol(&mut r)?);
        }
        sentences.push(Sentence {
            span,
            role,
            terms,
            names,
        });
    }
    let n = r.len()?;
    let mut claims = Vec::with_capacity(n);
    let mut scratch = Vec::new();
    for _ in 0..n {
        claims.push(decode_claim(
            &mut r,
            &mut t,
            text,
            &sentences,
            &mut pool,
            &mut scratch,
        )?);
    }
    if !r.is_done() || pool.len() != pool_len {
        return None;
    }
    Some((meta, blocks, sentences, claims, pool.into_boxed_slice()))
}

/// What [`encode_claim`] wrote.
fn decode_claim(
    r: &mut Reader,
    t: &mut Tables,
    text: &str,
    sentences: &[Sentence],
    pool: &mut Vec<Term>,
    scratch: &mut Vec<Term>,
) -> Option<Claim> {
    let span = r.span(text)?;
    let sentence = r.usize()?;
    let sentence_range = sentences.get(sentence)?.terms;
    if span.start >= span.end {
        return None;
    }
    let kind_byte = r.byte()?;
    let kind = kind_of(kind_byte & !(EVENT_WORD | TITLE_WORD))?;
    let flags = r.byte()?;
    let has = |f: u8| flags & f != 0;
    let value = match has(HAS_VALUE) {
        true => Some(Box::from(t.str(r)?)),
        false => None,
    };
    let quantity = match has(HAS_QUANTITY) {
        true => Some(Box::new(decode_quantity(r, t, text)?)),
        false => None,
    };
    let date = match has(HAS_DATE) {
        true => Some(match r.byte()? {
            0 => DateValue::Day(r.date()?),
            1 => DateValue::Span(r.date()?, r.date()?),
            2 => DateValue::Month(Some(r.i16()?), r.i8()?),
            3 => DateValue::Month(None, r.i8()?),
            4 => DateValue::Year(r.i16()?),
            5 => DateValue::Weekday(weekday_of(r.i8()?)?),
            _ => return None,
        }),
        false => None,
    };
    let quote = match has(HAS_QUOTE) {
        true => {
            let span = r.span(text)?;
            let n = r.len()?;
            let mut words = Vec::with_capacity(n);
            for _ in 0..n {
                words.push(t.string(r)?);
            }
            let speaker = t.opt_string(r)?;
            Some(Box::new(QuoteInfo {
                span,
                words,
                speaker,
            }))
        }
        false => None,
    };
    let terms = t.claim_terms_into(r, pool, sentence_range, scratch)?;
    let issue = match has(HAS_ISSUE) {
        true => Some(Box::from(t.str(r)?)),
        false => None,
    };
    let names = t.names(r)?;
    let near_names = t.names(r)?;
    let n = r.len()?;
    let mut window = ThinVec::with_capacity(n);
    r.indexed(n, &t.terms, |t| window.push(t))?;
    let n = r.len()?;
    let mut stances = ThinVec::with_capacity(n);
    for _ in 0..n {
        stances.push((t.string(r)?, t.string(r)?));
    }
    Some(Claim {
        span,
        sentence,
        kind,
        value,
        quantity,
        date,
        quote,
        terms,
        negated: has(NEGATED),
        modal: has(MODAL),
        hypothetical: has(HYPOTHETICAL),
        event_word: kind_byte & EVENT_WORD != 0,
        title_word: kind_byte & TITLE_WORD != 0,
        extra: Extra::new(
            Features {
                names,
                near_names,
                window,
                stances,
            },
            issue,
        ),
    })
}

/// What [`encode_quantity`] wrote.
fn decode_quantity(r: &mut Reader, t: &Tables, text: &str) -> Option<Quantity> {
    let span = r.span(text)?;
    let flags = r.byte()?;
    if flags & !(Q_VALUE_HI | Q_HEAD | Q_PER | Q_SCORE | Q_ORDINAL) != 0 {
        return None;
    }
    let has = |f: u8| flags & f != 0;
    let approx = approx_of(r.byte()?)?;
    let (value, low, high, precision) = (r.f64()?, r.f64()?, r.f64()?, r.f64()?);
    let value_hi = match has(Q_VALUE_HI) {
        true => Some(r.f64()?),
        false => None,
    };
    let head = match has(Q_HEAD) {
        true => Some(t.string(r)?),
        false => None,
    };
    let per = match has(Q_PER) {
        true => Some(t.string(r)?),
        false => None,
    };
    let score = match has(Q_SCORE) {
        true => Some((r.u32()?, r.u32()?)),
        false => None,
    };
    Some(Quantity {
        span,
        value,
        value_hi,
        approx,
        low,
        high,
        head,
        per,
        score,
        precision,
        ordinal: has(Q_ORDINAL),
    })
}

/// `terms::intern`, memoised per thread: the shared interner's lookups cost
/// more than a local map's, and a corpus repeats its vocabulary. Words of
/// up to 15 bytes (nearly all) are keyed by their bytes packed in one
/// integer (`text::pack_wide`), as `text::term` keys them: a map of boxed
/// strings read each key through its pointer and compared it byte by byte,
/// a twentieth of a `check` with one article edited on 10,000 articles
/// (`perf record`), most of it in cache misses on the keys.
fn intern_memo(w: &str) -> Term {
    thread_local! {
        static SHORT: std::cell::RefCell<FxHashMap<u128, Term>> =
            std::cell::RefCell::new(FxHashMap::default());
        static MEMO: std::cell::RefCell<FxHashMap<Box<str>, Term>> =
            std::cell::RefCell::new(FxHashMap::default());
    }
    if let Some(k) = super::text::pack_wide(w.as_bytes()) {
        return super::text::short_memo(&SHORT, k, 200_000, || terms::intern(w));
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
///
/// ```text
/// relations = table(reasons and labels) u(count) relation*
/// relation  = u(a's document) u(a's claim) u(b's document) u(b's claim)
///             kind u(reason) u(label) score (f32)
/// ```
///
/// A story's relations share a few reasons and labels: each is written
/// once, in the table.
pub fn encode_relations(story: &[DocId], rels: &[Relation]) -> Option<Vec<u8>> {
    let pos = |d: DocId| story.iter().position(|&s| s == d).map(|p| p as u64);
    let mut strs = Strings::default();
    let mut body = Vec::with_capacity(rels.len() * 12);
    let b = &mut body;
    put_usize(b, rels.len());
    for r in rels {
        let Relation {
            a,
            b: other,
            kind,
            reason,
            label,
            score,
        } = r;
        for c in [a, other] {
            put_u(b, pos(c.doc())?);
            put_usize(b, c.claim());
        }
        b.push(relation_kind_tag(*kind));
        strs.put(b, reason);
        strs.put(b, label);
        b.extend_from_slice(&score.to_bits().to_le_bytes());
    }
    let mut out = Vec::with_capacity(body.len() + 64);
    put_table(&mut out, &strs.list);
    out.extend_from_slice(&body);
    Some(out)
}

/// Decodes what [`encode_relations`] wrote, for the same story. `None` on
/// malformed bytes or a claim that the story's articles do not have
/// (`claims(doc)` is the number of claims of a document). `label` keeps
/// each distinct label, and reason that is not a fixed phrase, of the story
/// for the relations to point to (as [`terms::symbol`] does).
pub fn decode_relations(
    story: &[DocId],
    claims: impl Fn(DocId) -> usize,
    bytes: &[u8],
    label: fn(&str) -> &'static str,
) -> Option<Vec<Relation>> {
    let mut r = Reader { bytes };
    let strs = r.table()?;
    // Each string's reason and label text, once asked for.
    let mut reasons: Vec<Option<&'static str>> = vec![None; strs.len()];
    let mut labels: Vec<Option<&'static str>> = vec![None; strs.len()];
    let memo =
        |r: &mut Reader, memo: &mut [Option<&'static str>], f: &dyn Fn(&str) -> &'static str| {
            let i = r.index(strs.len())?;
            let slot = memo.get_mut(i)?;
            if slot.is_none() {
                *slot = Some(f(strs.get(i)?));
            }
            *slot
        };
    let n = r.len()?;
    let mut rels = Vec::with_capacity(n);
    for _ in 0..n {
        let mut claim = || -> Option<ClaimRef> {
            let doc = *story.get(r.usize()?)?;
            let claim = r.usize()?;
            (claim < claims(doc)).then_some(ClaimRef::new(doc, claim))
        };
        let (a, b) = (claim()?, claim()?);
        rels.push(Relation {
            a,
            b,
            kind: relation_kind_of(r.byte()?)?,
            reason: memo(&mut r, &mut reasons, &|s| {
                super::compare::reason_kept_by(s, label)
            })?,
            label: memo(&mut r, &mut labels, &label)?,
            score: r.f32()?,
        });
    }
    r.is_done().then_some(rels)
}

/// Appends a corpus's stories (what [`crate::core::Corpus::stories`]
/// returns: sorted lists of document ids, in order): the number of
/// stories, then each story's length and its ids, each as its distance
/// from the one before (ids ascend, so the numbers stay small).
pub fn encode_stories_into(stories: &[Vec<DocId>], out: &mut Vec<u8>) {
    put_usize(out, stories.len());
    for s in stories {
        put_ascending(out, s);
    }
}

/// Appends an ascending list of document ids: its length, then each id as
/// its distance from the one after the id before (the numbers stay small).
fn put_ascending(out: &mut Vec<u8>, ids: &[DocId]) {
    put_usize(out, ids.len());
    let mut next = 0;
    for &d in ids {
        put_usize(out, d.saturating_sub(next));
        next = d + 1;
    }
}

impl Reader<'_> {
    /// What [`put_ascending`] wrote, when every id is below `below` (so
    /// the ids strictly ascend).
    fn ascending(&mut self, below: usize) -> Option<Vec<DocId>> {
        let len = self.len()?;
        let mut ids = Vec::with_capacity(len);
        let mut next = 0usize;
        for _ in 0..len {
            let d = next.checked_add(self.usize()?)?;
            if d >= below {
                return None;
            }
            ids.push(d);
            next = d + 1;
        }
        Some(ids)
    }
}

/// Decodes what [`encode_stories_into`] wrote, for a corpus of `docs`
/// documents (ids `0..docs`). `None` on malformed bytes, and unless every
/// document is in exactly one story, each story is a non-empty ascending
/// list and the stories are in order: the shape `stories` gives.
pub fn decode_stories(bytes: &[u8], docs: usize) -> Option<Vec<Vec<DocId>>> {
    let mut r = Reader { bytes };
    let n = r.len()?;
    let mut stories = Vec::with_capacity(n.min(docs));
    let mut seen = vec![false; docs];
    let mut total = 0usize;
    for _ in 0..n {
        let s = r.ascending(docs)?;
        if s.is_empty() {
            return None;
        }
        for &d in &s {
            let slot = seen.get_mut(d)?;
            if *slot {
                return None;
            }
            *slot = true;
        }
        total += s.len();
        stories.push(s);
    }
    let ordered = stories.is_sorted();
    (r.is_done() && total == docs && ordered).then_some(stories)
}

/// The distinct terms of an article entry's sentences, in order of term
/// id (what [`crate::core::corpus::TermCounts::of`] counts), read without
/// the article's text: the entry of a version of a file that has changed
/// since, whose terms say which terms an edit took away from the corpus.
/// It reads the entry as [`decode_parts`] does up to its sentences (the
/// test `sentence_terms_are_the_counted_terms` compares the two).
pub fn sentence_terms(bytes: &[u8]) -> Option<Vec<Term>> {
    let mut r = Reader { bytes };
    let words = r.table()?;
    let strs = r.table()?;
    let t = Tables {
        terms: words.iter().map(|&w| intern_memo(w)).collect(),
        symbols: Vec::new(),
        strs,
    };
    r.len()?;
    r.opt_index(t.strs.len())?;
    match r.byte()? {
        0 => {}
        1 => {
            r.date()?;
        }
        _ => return None,
    }
    r.opt_index(t.strs.len())?;
    let n = r.len()?;
    for _ in 0..n {
        r.usize()?;
        r.usize()?;
        role_of(r.byte()?)?;
    }
    let n = r.len()?;
    let mut pool: Vec<Term> = Vec::new();
    for _ in 0..n {
        r.usize()?;
        r.usize()?;
        role_of(r.byte()?)?;
        t.terms_into(&mut r, &mut pool)?;
        let k = r.len()?;
        for _ in 0..k {
            r.index(t.strs.len())?;
        }
    }
    pool.sort_unstable();
    pool.dedup();
    Some(pool)
}

/// What a grouping of a folder leaves for the next run's
/// (`Corpus::grouping_from`): per document id, the key of the article it
/// grouped (`None` for an id no document holds), and the grouping's parts
/// (per document id its story candidates, day and links; the number of
/// documents).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SavedGrouping {
    pub keys: Vec<Option<[u8; 32]>>,
    pub parts: GroupingParts,
}

/// Appends `g` as bytes. Candidates are ascending (as a grouping makes
/// them) and written as gaps; links in their order.
pub fn encode_grouping_into(g: &SavedGrouping, out: &mut Vec<u8>) {
    let SavedGrouping { keys, parts } = g;
    put_usize(out, parts.live);
    put_usize(out, keys.len());
    for k in keys {
        match k {
            Some(k) => {
                out.push(1);
                out.extend_from_slice(k);
            }
            None => out.push(0),
        }
    }
    for c in &parts.candidates {
        put_ascending(out, c);
    }
    for d in &parts.days {
        match d {
            Some(d) => {
                out.push(1);
                put_i(out, i64::from(*d));
            }
            None => out.push(0),
        }
    }
    for l in &parts.links {
        put_usize(out, l.len());
        for &d in l {
            put_usize(out, d);
        }
    }
}

/// Decodes what [`encode_grouping_into`] wrote. `None` on malformed bytes,
/// and unless every list has one entry per document id, every id named is
/// one of them, and each document's candidates ascend.
pub fn decode_grouping(bytes: &[u8]) -> Option<SavedGrouping> {
    let mut r = Reader { bytes };
    let live = r.usize()?;
    let n = r.len()?;
    let mut keys = Vec::with_capacity(n);
    for _ in 0..n {
        keys.push(match r.byte()? {
            0 => None,
            1 => Some(<[u8; 32]>::try_from(r.take(32)?).ok()?),
            _ => return None,
        });
    }
    let mut candidates = Vec::with_capacity(n);
    for _ in 0..n {
        candidates.push(r.ascending(n)?);
    }
    let mut days = Vec::with_capacity(n);
    for _ in 0..n {
        days.push(match r.byte()? {
            0 => None,
            1 => Some(i32::try_from(r.i()?).ok()?),
            _ => return None,
        });
    }
    let mut links = Vec::with_capacity(n);
    for _ in 0..n {
        let len = r.len()?;
        let mut l = Vec::with_capacity(len);
        for _ in 0..len {
            l.push(r.index(n)?);
        }
        links.push(l);
    }
    r.is_done().then_some(SavedGrouping {
        keys,
        parts: GroupingParts {
            live,
            candidates,
            days,
            links,
        },
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
        let back = decode_relations(&story, n, &bytes, symbol).expect("decodes");
        assert_eq!(format!("{rels:?}"), format!("{back:?}"));
        assert_eq!(back.capacity(), back.len());
        // Another story of other documents: a miss, not a wrong answer.
        assert!(decode_relations(&[0], n, &bytes, symbol).is_none());
        assert!(decode_relations(&story, |_| 0, &bytes, symbol).is_none());
        assert!(decode_relations(&story, n, &bytes[..bytes.len() - 1], symbol).is_none());
        // Relations naming a document outside the story are not encoded.
        assert!(encode_relations(&[0], &rels).is_none());
    }

    #[test]
    fn stories_that_are_not_a_partition_in_order_are_rejected() {
        let encoded = |stories: &[Vec<DocId>]| {
            let mut out = Vec::new();
            encode_stories_into(stories, &mut out);
            out
        };
        let good = encoded(&[vec![0, 2], vec![1, 3, 4]]);
        assert_eq!(
            decode_stories(&good, 5),
            Some(vec![vec![0, 2], vec![1, 3, 4]])
        );
        // A document twice, a document missing, an empty story, stories
        // out of order, ids out of order, trailing bytes.
        for bad in [
            encoded(&[vec![0, 2], vec![2, 3, 4]]),
            encoded(&[vec![0, 2], vec![3, 4]]),
            encoded(&[vec![0, 1, 2, 3, 4], vec![]]),
            encoded(&[vec![1, 3, 4], vec![0, 2]]),
            encoded(&[vec![2, 0], vec![1, 3, 4]]),
            [good.as_slice(), &[0]].concat(),
        ] {
            assert_eq!(decode_stories(&bad, 5), None, "{bad:?}");
        }
        assert_eq!(decode_stories(&encoded(&[]), 0), Some(vec![]));
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

    /// `sentence_terms` reads, without the text, the terms that counting
    /// the decoded article's terms finds; of every seed article and of one
    /// with a quotation, figures and dates; cut short, nothing.
    #[test]
    fn sentence_terms_are_the_counted_terms() {
        let mut texts: Vec<String> = crate::core::corpus::story_files("seeds")
            .into_iter()
            .map(|(_, text)| text)
            .collect();
        texts.push(TEXT.to_string());
        assert!(texts.len() >= 6);
        for text in &texts {
            let a = Article::parse("a.txt", text, &MetaOverride::default());
            let bytes = encode(&a);
            let mut counted: Vec<Term> = crate::core::corpus::TermCounts::of(&a).terms().collect();
            counted.sort_unstable();
            assert!(!counted.is_empty());
            assert_eq!(sentence_terms(&bytes), Some(counted));
            assert_eq!(sentence_terms(&bytes[..bytes.len() / 2]), None);
        }
    }

    #[test]
    fn groupings_round_trip_and_are_checked() {
        let g = SavedGrouping {
            keys: vec![Some([7; 32]), None, Some([9; 32]), Some([1; 32])],
            parts: GroupingParts {
                live: 3,
                candidates: vec![vec![2, 3], vec![], vec![0], vec![0, 2]],
                days: vec![Some(19_800), None, Some(-3), Some(0)],
                links: vec![vec![3, 2], vec![], vec![0], vec![0]],
            },
        };
        let mut bytes = Vec::new();
        encode_grouping_into(&g, &mut bytes);
        assert_eq!(decode_grouping(&bytes), Some(g.clone()));
        for cut in 0..bytes.len() {
            assert_eq!(decode_grouping(&bytes[..cut]), None, "cut at {cut}");
        }
        // A document named that is not one of them.
        let mut far = g.clone();
        far.parts.links[2] = vec![4];
        let mut bytes = Vec::new();
        encode_grouping_into(&far, &mut bytes);
        assert_eq!(decode_grouping(&bytes), None);
    }

    #[test]
    fn every_seed_article_round_trips() {
        let mut n = 0;
        for (path, text) in crate::core::corpus::story_files("seeds") {
            let a = Article::parse(&path, &text, &MetaOverride::default());
            let bytes = encode(&a);
            let b = decode(&path, &text, &bytes).expect("decodes");
            assert_eq!(debug(&a), debug(&b), "{path}");
            // Cut anywhere: rejected, never a panic.
            for cut in (0..bytes.len()).step_by(7) {
                assert!(
                    decode(&path, &text, &bytes[..cut]).is_none(),
                    "{path}: {cut}"
                );
            }
            n += 1;
        }
        assert!(n >= 5);
    }

    #[test]
    fn every_kind_of_value_round_trips() {
        let mut a = Article::parse("a.txt", TEXT, &MetaOverride::default());
        let span = a.claims[0].span.clone();
        let date = Date::new(2024, 5, 2).expect("a date");
        let dates = [
            DateValue::Day(date),
            DateValue::Span(date, Date::new(-9999, 1, 31).expect("a date")),
            DateValue::Month(Some(-3), 12),
            DateValue::Month(None, 1),
            DateValue::Year(i16::MAX),
            DateValue::Weekday(Weekday::Sunday),
        ];
        let template = a.claims[0].clone();
        let claim_terms = a.terms_of(template.terms).to_vec();
        a.claims.clear();
        // The terms as decoding lays them out: the sentences', then each
        // claim's in turn that is not a run of its sentence's.
        let sentences_end = a
            .sentences
            .iter()
            .map(|s| s.terms.start as usize + s.terms.len())
            .max()
            .unwrap_or(0);
        let mut pool = a.terms[..sentences_end].to_vec();
        for (i, d) in dates.into_iter().enumerate() {
            let mut c = template.clone();
            c.date = Some(d);
            c.negated = i % 2 == 0;
            c.modal = i % 3 == 0;
            c.hypothetical = i == 5;
            c.value = (i != 1).then(|| format!("v{i} é").into_boxed_str());
            c.quantity = Some(Box::new(Quantity {
                span: span.clone(),
                value: f64::NAN,
                value_hi: (i % 2 == 1).then_some(-0.0),
                approx: approx_of(i as u8).expect("an approximation"),
                low: f64::NEG_INFINITY,
                high: 1e300,
                head: (i != 2).then(|| "percent".to_string()),
                per: (i == 3).then(|| "hour".to_string()),
                score: (i == 4).then_some((u32::MAX, 0)),
                precision: 0.1,
                ordinal: i == 0,
            }));
            c.quote = Some(Box::new(QuoteInfo {
                span: span.clone(),
                words: vec!["we".into(), "will".into(), "we".into(), String::new()],
                speaker: (i == 2).then(|| "ortiz".to_string()),
            }));
            c.extra = Extra::new(
                Features {
                    names: [("ortiz", terms::intern("ortiz"))].into_iter().collect(),
                    near_names: ThinVec::new(),
                    window: [terms::intern("ferri"), terms::intern("ortiz")]
                        .into_iter()
                        .collect(),
                    stances: [("one china".to_string(), "policy".to_string())]
                        .into_iter()
                        .collect(),
                },
                (i == 3).then(|| "weekday disagrees".into()),
            );
            let sentence = a.sentences[c.sentence].terms;
            c.terms = place_claim_terms(&mut pool, sentence, &claim_terms);
            a.claims.push(c);
        }
        a.terms = pool.into_boxed_slice();
        let bytes = encode(&a);
        let b = decode("a.txt", TEXT, &bytes).expect("decodes");
        // NaN is not equal to itself: compare the debug forms.
        assert_eq!(debug(&a), debug(&b));
        assert!(b.claims[0]
            .quantity
            .as_ref()
            .is_some_and(|q| q.value.is_nan()));
    }

    #[test]
    fn varints_and_tables_read_back() {
        for v in [
            0,
            1,
            127,
            128,
            300,
            u64::from(u32::MAX),
            u64::MAX - 1,
            u64::MAX,
        ] {
            let mut out = Vec::new();
            put_u(&mut out, v);
            let mut r = Reader { bytes: &out };
            assert_eq!(r.u(), Some(v));
            assert!(r.is_done());
        }
        // An eleventh byte, or a tenth byte beyond the 64th bit: refused.
        assert_eq!(Reader { bytes: &[0xFF; 11] }.u(), None);
        let mut too_big = vec![0xFF; 9];
        too_big.push(0x02);
        assert_eq!(Reader { bytes: &too_big }.u(), None);
        // A table whose lengths do not cover its block, or cut a character.
        let mut out = Vec::new();
        put_table(&mut out, &["é", "ab"]);
        assert_eq!(Reader { bytes: &out }.table(), Some(vec!["é", "ab"]));
        let cut_char = [3, 0xC3, 0xA9, b'a', 2, 1, 2];
        assert_eq!(Reader { bytes: &cut_char }.table(), None);
        let short = [3, b'a', b'b', b'c', 1, 2];
        assert_eq!(Reader { bytes: &short }.table(), None);
        // Indices of one byte and of several; one out of the table.
        let table: Vec<u32> = (0..300).map(|i| i * 10).collect();
        let mut out = Vec::new();
        for i in [0, 200, 1, 299] {
            put_u(&mut out, i);
        }
        let mut got = Vec::new();
        let mut r = Reader { bytes: &out };
        assert_eq!(r.indexed(4, &table, |t| got.push(t)), Some(()));
        assert_eq!((got, r.is_done()), (vec![0, 2000, 10, 2990], true));
        assert_eq!(Reader { bytes: &out }.indexed(5, &table, |_| ()), None);
        assert_eq!(
            Reader { bytes: &out }.indexed(4, &table[..250], |_| ()),
            None
        );
        // A list longer than the bytes left is refused before allocating.
        assert_eq!(
            Reader {
                bytes: &[200, 1, 2]
            }
            .len(),
            None
        );
    }

    proptest::proptest! {
        #[test]
        fn any_integer_round_trips(u in proptest::num::u64::ANY, i in proptest::num::i64::ANY) {
            let mut out = Vec::new();
            put_u(&mut out, u);
            put_i(&mut out, i);
            let mut r = Reader { bytes: &out };
            proptest::prop_assert_eq!(r.u(), Some(u));
            proptest::prop_assert_eq!(r.i(), Some(i));
            proptest::prop_assert!(r.is_done());
        }

        #[test]
        fn any_table_round_trips(strings in proptest::collection::vec(".*", 0..20)) {
            let refs: Vec<&str> = strings.iter().map(String::as_str).collect();
            let mut out = Vec::new();
            put_table(&mut out, &refs);
            let mut r = Reader { bytes: &out };
            proptest::prop_assert_eq!(r.table(), Some(refs));
            proptest::prop_assert!(r.is_done());
        }

        /// The memo answers as the interner does, for words short and long,
        /// asked again after others, and for words that differ only in
        /// trailing NUL bytes or in length (the packed key holds both).
        #[test]
        fn memoised_interning_is_interning(
            words in proptest::collection::vec("[ab\u{0}é’]{0,18}|[a-z]{5,20}", 1..40)
        ) {
            for w in words.iter().chain(words.iter().rev()) {
                proptest::prop_assert_eq!(intern_memo(w), terms::intern(w), "{:?}", w);
                proptest::prop_assert_eq!(terms::symbol(w), w.as_str());
            }
        }

        #[test]
        fn any_bytes_decode_without_panic(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..400)) {
            let _ = decode("a.txt", TEXT, &bytes);
            let _ = decode_relations(&[0, 1], |_| 3, &bytes, symbol);
            let _ = decode_stories(&bytes, 7);
        }

        /// Any partition of the documents into stories, in the shape
        /// `Corpus::stories` gives, comes back as it was; cut short, or
        /// read for a corpus of another size, it is a miss.
        #[test]
        fn any_partition_of_the_documents_round_trips(
            story_of in proptest::collection::vec(0usize..6, 1..40),
        ) {
            let docs = story_of.len();
            let mut stories: Vec<Vec<DocId>> = (0..6)
                .map(|s| (0..docs).filter(|&d| story_of[d] == s).collect::<Vec<_>>())
                .filter(|s| !s.is_empty())
                .collect();
            stories.sort();
            let mut out = Vec::new();
            encode_stories_into(&stories, &mut out);
            proptest::prop_assert_eq!(decode_stories(&out, docs), Some(stories));
            for cut in 0..out.len() {
                proptest::prop_assert_eq!(decode_stories(&out[..cut], docs), None);
            }
            proptest::prop_assert_eq!(decode_stories(&out, docs + 1), None);
            proptest::prop_assert_eq!(decode_stories(&out, docs - 1), None);
        }
    }
}
