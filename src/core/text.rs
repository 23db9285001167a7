//! Text primitives: sentence segmentation with byte spans, word tokens,
//! normalisation and stemming. Everything downstream works on byte offsets
//! into the original article text; nothing here ever re-allocates the text.

use std::ops::Range;
use std::sync::OnceLock;

use rust_stemmers::{Algorithm, Stemmer};
use rustc_hash::FxHashMap;
use unicode_segmentation::UnicodeSegmentation;

/// A word token: its byte span in the text and its normalised (lower-case,
/// typographic punctuation folded) form.
#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    pub span: Range<usize>,
    pub norm: String,
    /// Starts with an upper-case letter in the source.
    pub capitalised: bool,
    /// Joined to the previous token by a hyphen ("pre-market", "Jae-myung").
    pub hyphen_joined: bool,
}

/// Abbreviations after which a full stop does not end a sentence. UAX #29
/// sentence rules alone split after "Jan." or "Gov." followed by a capital.
const ABBREVIATIONS: &[&str] = &[
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "mr",
    "mrs", "ms", "dr", "prof", "gov", "sen", "rep", "gen", "col", "lt", "sgt", "capt", "st", "mt",
    "no", "vs", "inc", "corp", "co", "ltd", "jr", "sr", "u.s", "u.k", "u.n", "e.g", "i.e",
    "approx", "est", "dept", "fig", "ft", "rev", "hon", "pres",
];

/// The longest of [`ABBREVIATIONS`] fits the stack buffer
/// `ends_with_abbreviation` lower-cases a word into (checked when
/// compiling).
const _: () = {
    let mut i = 0;
    while i < ABBREVIATIONS.len() {
        assert!(ABBREVIATIONS[i].len() <= 8, "an abbreviation over 8 bytes");
        i += 1;
    }
};

/// [`ABBREVIATIONS`] as a word table.
fn abbreviations() -> &'static WordTable {
    static T: OnceLock<WordTable> = OnceLock::new();
    T.get_or_init(|| WordTable::new(&[(ABBREVIATIONS, 1)]))
}

/// Split `text[range]` into sentences, returned as trimmed byte ranges of `text`.
pub fn sentences(text: &str, range: Range<usize>) -> Vec<Range<usize>> {
    let Some(slice) = text.get(range.clone()) else {
        return Vec::new();
    };
    let base = range.start;
    let raw: Vec<Range<usize>> = if slice.is_ascii() {
        ascii_sentence_spans(slice.as_bytes(), &SENT_CLASSES)
            .into_iter()
            .map(|r| base + r.start..base + r.end)
            .collect()
    } else if only_curly_quotes(slice.as_bytes(), true) {
        // ASCII but for curly quotes (a quoted paragraph), each a Close
        // like `"`: every byte of them is read as one (see
        // `QUOTED_SENT_CLASSES`).
        ascii_sentence_spans(slice.as_bytes(), &QUOTED_SENT_CLASSES)
            .into_iter()
            .map(|r| base + r.start..base + r.end)
            .collect()
    } else {
        slice
            .split_sentence_bound_indices()
            .map(|(i, s)| base + i..base + i + s.len())
            .collect()
    };
    // Merge a piece into the next when it ends with an abbreviation or an
    // initial, and trim each merged piece, in one pass.
    let mut out: Vec<Range<usize>> = Vec::with_capacity(raw.len());
    let mut pieces = raw.into_iter().peekable();
    while let Some(mut cur) = pieces.next() {
        while pieces.peek().is_some() && ends_with_abbreviation(&text[cur.clone()]) {
            if let Some(next) = pieces.next() {
                cur.end = next.end;
            }
        }
        out.extend(trim_range(text, cur));
    }
    out
}

/// Whether `c` comes before the last word of a sentence piece: whitespace,
/// `(`, `"` or `“`.
fn before_last_word(c: char) -> bool {
    c.is_whitespace() || c == '(' || c == '"' || c == '“'
}

/// The last piece of `s` after a [`before_last_word`] char: read back over
/// its bytes while they are ASCII (nearly always: the last word of a
/// sentence piece), else by its chars (a `“` or a non-ASCII space may end
/// it). Splitting the whole piece by chars from the end was most of this
/// test (`abbreviation_test_is_the_lowercased_one` compares the two).
fn last_word(s: &str) -> &str {
    let b = s.as_bytes();
    for i in (0..b.len()).rev() {
        match b.get(i) {
            Some(&c) if c.is_ascii() => {
                if before_last_word(char::from(c)) {
                    return s.get(i + 1..).unwrap_or("");
                }
            }
            _ => return s.rsplit(before_last_word).next().unwrap_or(""),
        }
    }
    s
}

fn ends_with_abbreviation(s: &str) -> bool {
    let t = s.trim_end();
    let Some(stripped) = t.strip_suffix('.') else {
        return false;
    };
    let raw = last_word(stripped);
    // An ASCII word (nearly every one) is compared ignoring ASCII case
    // where it stands: its `to_lowercase` is one ASCII char per byte, so
    // no lower-cased copy is needed (a string allocated for every piece of
    // every paragraph; parse_only c200 callgrind, with `sentences` merging
    // and trimming in one pass: 1,191.6M -> 1,185.5M).
    // `abbreviation_test_is_the_lowercased_one` compares the two.
    if raw.is_ascii() {
        return match raw.as_bytes() {
            [] => false,
            [c] => c.is_ascii_alphabetic(),
            // Lower-cased on the stack (no abbreviation is longer than
            // eight bytes, checked when compiling) and looked up in a word
            // table: asking each of the 49 in turn was most of splitting a
            // paragraph.
            w => {
                let mut low = [0u8; 8];
                match low.get_mut(..w.len()) {
                    Some(l) => {
                        l.copy_from_slice(w);
                        l.make_ascii_lowercase();
                        abbreviations().get_bytes(l) != 0
                    }
                    None => false,
                }
            }
        };
    }
    let word = raw.to_lowercase();
    if word.is_empty() {
        return false;
    }
    // A single capital letter: an initial ("John F. Kennedy").
    if word.chars().count() == 1 && word.chars().all(|c| c.is_alphabetic()) {
        return true;
    }
    ABBREVIATIONS.contains(&word.as_str())
}

/// The longest prefix of `s` of at most `max` bytes that ends on a char boundary.
pub fn prefix(s: &str, max: usize) -> &str {
    let mut end = max.min(s.len());
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// Trim whitespace from both ends of a byte range; `None` when nothing is left.
pub fn trim_range(text: &str, r: Range<usize>) -> Option<Range<usize>> {
    let s = text.get(r.clone())?;
    let start = r.start + (s.len() - s.trim_start().len());
    let end = r.end - (s.len() - s.trim_end().len());
    (start < end).then_some(start..end)
}

/// Fold typographic variants so that "Jae‑myung" (U+2011), "Jae-myung" and
/// curly/straight quotes compare equal.
pub fn fold_char(c: char) -> char {
    match c {
        '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2014}' | '\u{2212}' => '-',
        '\u{2018}' | '\u{2019}' | '\u{201B}' | '\u{2032}' => '\'',
        '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{2033}' => '"',
        '\u{00A0}' | '\u{2009}' | '\u{202F}' => ' ',
        _ => c,
    }
}

/// Word tokens of `text[range]` (UAX #29 word boundaries), with spans in `text`.
pub fn tokens(text: &str, range: Range<usize>) -> Vec<Token> {
    let mut buf = TokenBuf::default();
    buf.fill(text, range);
    let mut toks = buf.toks;
    toks.truncate(buf.len);
    toks
}

/// Whether a text's words are read by the ASCII path, and whether the text
/// is ASCII: `Some(true)` for ASCII text, `Some(false)` for text whose only
/// other characters are double curly quotes, `None` for any other. Double
/// curly quotes are in no word class of UAX #29 (unlike ‘ ’, which join
/// letters): like every non-ASCII byte in the ASCII word classes, their
/// bytes join nothing, so the words are the ASCII ones, and one curly quote
/// between words is no hyphen. `quoted_words_match_the_crate` compares
/// them. (The tokeniser and [`non_stop_norms`] both choose by this.)
fn ascii_word_path(b: &[u8]) -> Option<bool> {
    if b.is_ascii() {
        Some(true)
    } else if only_curly_quotes(b, false) {
        Some(false)
    } else {
        None
    }
}

/// A token list refilled sentence after sentence ([`TokenBuf::fill`]),
/// whose tokens keep their `norm` strings: a token written where one was
/// before reuses its string instead of allocating one. Parsing tokenises
/// every sentence once, and a fresh string per token (its allocation, copy
/// and free) was over a third of tokenising.
#[derive(Default)]
pub struct TokenBuf {
    /// Tokens `..len` are the current ones; those after are kept for
    /// their strings.
    toks: Vec<Token>,
    len: usize,
}

impl TokenBuf {
    /// Keeps at most `max` tokens' strings (a buffer kept between texts
    /// need not hold on to what one very long sentence needed).
    pub fn keep_at_most(&mut self, max: usize) {
        self.len = self.len.min(max);
        self.toks.truncate(max);
        self.toks.shrink_to(max);
    }

    /// The tokens of `text[range]`: the same as [`tokens`] gives.
    pub fn fill(&mut self, text: &str, range: Range<usize>) -> &[Token] {
        self.fill_plain(text, range).0
    }

    /// [`TokenBuf::fill`], and whether the text is plain: ASCII, with no
    /// token joined across punctuation (UAX #29's letter `.` `'` `:`
    /// letter and digit `.` `'` `,` `;` digit). Then the tokens are exactly
    /// the maximal runs of word bytes (`[A-Za-z0-9_]`) that hold a letter
    /// or a digit: in ASCII, word bytes always join each other, and
    /// anything else breaks unless one of those rules joins across it.
    pub fn fill_plain(&mut self, text: &str, range: Range<usize>) -> (&[Token], bool) {
        self.len = 0;
        let mut plain = false;
        if let Some(slice) = text.get(range.clone()) {
            match ascii_word_path(slice.as_bytes()) {
                Some(ascii) => {
                    let joined = self.ascii_tokens(slice, range.start);
                    plain = ascii && !joined;
                }
                None => self.unicode_tokens(slice, range.start),
            }
        }
        (self.toks.get(..self.len).unwrap_or(&[]), plain)
    }

    /// Appends the token of the word `w` at `span`; `ascii` tells that `w`
    /// is ASCII (the caller knows it of the whole sentence).
    #[inline(always)]
    fn push(
        &mut self,
        span: Range<usize>,
        w: &str,
        ascii: bool,
        capitalised: bool,
        hyphen_joined: bool,
    ) {
        match self.toks.get_mut(self.len) {
            Some(t) => {
                t.span = span;
                t.norm.clear();
                if ascii {
                    // `normalise_into`'s ASCII case, on the whole string
                    // (parse_only c200 callgrind: 1,408.5M -> 1,388.5M, and
                    // 1,377.3M without asking whether `w` is ASCII).
                    t.norm.push_str(w);
                    // Most words hold no capital: nothing to lower-case.
                    if any_upper(w.as_bytes()) {
                        t.norm.make_ascii_lowercase();
                    }
                    while t.norm.ends_with("'s") {
                        t.norm.truncate(t.norm.len() - 2);
                    }
                } else {
                    normalise_into(w, &mut t.norm);
                }
                t.capitalised = capitalised;
                t.hyphen_joined = hyphen_joined;
            }
            None => self.push_new(span, w, capitalised, hyphen_joined),
        }
        self.len += 1;
    }

    /// [`TokenBuf::push`] past the tokens kept: a new token (the first
    /// sentences of an article only). Out of line and cold, so that the
    /// reuse path is the one laid out (parse_only c200 callgrind: 1,178.4M
    /// -> 1,176.2M).
    #[cold]
    #[inline(never)]
    fn push_new(&mut self, span: Range<usize>, w: &str, capitalised: bool, hyphen_joined: bool) {
        self.toks.push(Token {
            span,
            norm: normalise(w),
            capitalised,
            hyphen_joined,
        });
    }

    /// The tokens of `slice`, which starts at `base` in the text, by the
    /// crate's word boundaries.
    fn unicode_tokens(&mut self, slice: &str, base: usize) {
        let mut prev_end: Option<usize> = None;
        for (i, w) in slice
            .split_word_bound_indices()
            .filter(|(_, w)| w.chars().any(|c| c.is_alphanumeric()))
        {
            let gap = prev_end.map(|p| &slice[p..i]);
            prev_end = Some(i + w.len());
            let hyphen_joined = gap.is_some_and(|g| {
                g.chars().count() == 1 && fold_char(g.chars().next().unwrap_or(' ')) == '-'
            });
            self.push(
                base + i..base + i + w.len(),
                w,
                w.is_ascii(),
                w.chars().next().is_some_and(char::is_uppercase),
                hyphen_joined,
            );
        }
    }

    /// The tokens of an ASCII `slice` that starts at `base` in the text:
    /// the same tokens, read from the bytes (nearly every sentence is
    /// ASCII, and the general path's dynamic dispatch, char decoding and a
    /// vector grown from nothing were a fifth of tokenising). In ASCII a
    /// gap is a hyphen when it is the one byte `-` (`fold_char` changes
    /// only non-ASCII characters), and a word is capitalised when its first
    /// byte is an upper-case letter. `ascii_tokens_are_the_general_ones`
    /// compares the two.
    ///
    /// Tells whether a token was joined across punctuation (see
    /// [`TokenBuf::fill_plain`]).
    fn ascii_tokens(&mut self, slice: &str, base: usize) -> bool {
        let b = slice.as_bytes();
        let joined = std::cell::Cell::new(false);
        // Room for words of about five bytes and a space: most sentences
        // never grow the vector, and none holds twice this.
        let want = b.len() / 5 + 4;
        if self.toks.capacity() < want {
            self.toks.reserve(want - self.toks.len());
        }
        let mut prev_end: Option<usize> = None;
        for r in ascii_word_spans(b, &joined) {
            let Some(w) = slice.get(r.clone()) else {
                continue;
            };
            let hyphen_joined =
                prev_end.is_some_and(|p| r.start == p + 1 && b.get(p) == Some(&b'-'));
            prev_end = Some(r.end);
            let capitalised = b.get(r.start).is_some_and(u8::is_ascii_uppercase);
            self.push(
                base + r.start..base + r.end,
                w,
                true,
                capitalised,
                hyphen_joined,
            );
        }
        joined.get()
    }
}

/// Whether `b` holds an ASCII capital, read a word at a time for words of
/// up to 16 bytes (two overlapping loads, as in [`pack_wide`]; a byte that
/// both loads hold is tested twice, which changes nothing).
/// `any_upper_is_the_byte_test` compares it with the byte test.
#[inline]
fn any_upper(b: &[u8]) -> bool {
    let n = b.len();
    let load4 = |i: usize| {
        b.get(i..i + 4)
            .and_then(|c| <[u8; 4]>::try_from(c).ok())
            .map_or(0, |c| u64::from(u32::from_le_bytes(c)))
    };
    let load8 = |i: usize| {
        b.get(i..i + 8)
            .and_then(|c| <[u8; 8]>::try_from(c).ok())
            .map_or(0, u64::from_le_bytes)
    };
    let upper = |x: u64| byte_range_mask(x, b'A', b'Z') != 0;
    match n {
        4..=7 => upper(load4(0) | (load4(n - 4) << 32)),
        8..=16 => upper(load8(0)) || upper(load8(n - 8)),
        _ => b.iter().any(u8::is_ascii_uppercase),
    }
}

/// [`tokens`] of an ASCII `slice` by the ASCII path (for the tests).
#[cfg(test)]
fn ascii_tokens(slice: &str, base: usize) -> Vec<Token> {
    let mut buf = TokenBuf::default();
    buf.ascii_tokens(slice, base);
    buf.toks
}

/// [`tokens`] of `slice` by the crate's word boundaries (for the tests).
#[cfg(test)]
fn unicode_tokens(slice: &str, base: usize) -> Vec<Token> {
    let mut buf = TokenBuf::default();
    buf.unicode_tokens(slice, base);
    buf.toks
}

/// UAX #29 word-break classes of the ASCII characters that can join a word
/// (the unicode-segmentation crate's `word_cat_table`, Unicode 17).
#[derive(Clone, Copy, PartialEq, Eq)]
enum WordClass {
    /// ALetter: A–Z, a–z.
    Letter,
    /// Numeric: 0–9.
    Digit,
    /// ExtendNumLet: `_`.
    Underscore,
    /// MidLetter `:`: joins letter to letter.
    MidLetter,
    /// MidNumLet `.` and Single_Quote `'` (MidNumLetQ): join letter to
    /// letter and digit to digit.
    MidBoth,
    /// MidNum `,` and `;`: digit to digit.
    MidNum,
    /// Everything else: never inside a word.
    Other,
}

/// The word class of every byte, looked up (the `match` below, tabled):
/// tokenising classifies every byte of every sentence.
static WORD_CLASSES: [WordClass; 256] = {
    let mut t = [WordClass::Other; 256];
    let mut b = 0;
    while b < 256 {
        t[b] = word_class_of(b as u8);
        b += 1;
    }
    t
};

#[inline]
fn word_class(b: u8) -> WordClass {
    // A `u8` index is always within the 256 entries.
    WORD_CLASSES[usize::from(b)]
}

const fn word_class_of(b: u8) -> WordClass {
    match b {
        b'A'..=b'Z' | b'a'..=b'z' => WordClass::Letter,
        b'0'..=b'9' => WordClass::Digit,
        b'_' => WordClass::Underscore,
        b':' => WordClass::MidLetter,
        b'.' | b'\'' => WordClass::MidBoth,
        b',' | b';' => WordClass::MidNum,
        _ => WordClass::Other,
    }
}

/// The byte ranges of the UAX #29 word segments of an ASCII string that
/// contain a letter or a digit, in order: the same segments as
/// `split_word_bound_indices` filtered on `char::is_alphanumeric`.
///
/// Hand-written because the crate's per-character table lookups were a
/// tenth of parsing time and almost all article text is ASCII; only the
/// rules that can apply to ASCII are needed (WB5–WB13b: letters, digits,
/// `_`, and the mid-word punctuation between two letters or two digits;
/// no ASCII character is Extend, Format or ZWJ, so WB4 never applies).
/// Non-ASCII text goes through the crate. `ascii_words_match_the_crate`
/// compares the two on random ASCII text.
///
/// `across` is set when a segment is joined across punctuation (WB6/WB7,
/// WB11/WB12).
fn ascii_word_spans<'s>(
    s: &'s [u8],
    across: &'s std::cell::Cell<bool>,
) -> impl Iterator<Item = Range<usize>> + 's {
    use WordClass::*;
    let class = |i: usize| s.get(i).map_or(Other, |&b| word_class(b));
    let mut i = 0;
    std::iter::from_fn(move || loop {
        // A segment that can hold a letter or digit starts on one of
        // Letter, Digit, Underscore: every other ASCII character breaks
        // before whatever follows it unless that rule joins it to the left.
        // Such bytes are passed in a loop of their own.
        while s
            .get(i)
            .is_some_and(|&b| !matches!(word_class(b), Letter | Digit | Underscore))
        {
            i += 1;
        }
        let start = i;
        let mut prev = class(i);
        if i >= s.len() {
            return None;
        }
        i += 1;
        let mut alnum = prev != Underscore;
        loop {
            // Letters and digits (nearly every byte of a word) join
            // whatever is before them here (WB5, WB8–WB10, WB13b), and are
            // passed in a loop of their own: the general step below was
            // most of tokenising (parse_only c200 callgrind, with the
            // skipping loop above: 1,425.7M -> 1,408.5M).
            while let Some(c) = s
                .get(i)
                .map(|&b| word_class(b))
                .filter(|c| matches!(c, Letter | Digit))
            {
                prev = c;
                alnum = true;
                i += 1;
            }
            let c = class(i);
            let joined = matches!(
                (prev, c),
                // WB5, WB8, WB9, WB10
                (Letter | Digit, Letter | Digit)
                // WB13a, WB13b
                | (Letter | Digit | Underscore, Underscore)
                | (Underscore, Letter | Digit)
            );
            if joined {
                alnum |= c != Underscore;
                prev = c;
                i += 1;
                continue;
            }
            // WB6/WB7: letter (MidLetter | MidNumLetQ) letter;
            // WB11/WB12: digit (MidNum | MidNumLetQ) digit.
            let next = class(i + 1);
            let mid = matches!(
                (prev, c, next),
                (Letter, MidLetter | MidBoth, Letter) | (Digit, MidNum | MidBoth, Digit)
            );
            if mid {
                across.set(true);
                prev = next;
                i += 2;
                continue;
            }
            break;
        }
        if alnum {
            return Some(start..i);
        }
    })
}

/// UAX #29 sentence-break classes of ASCII (the unicode-segmentation
/// crate's `sentence_cat_table`, Unicode 17; ASCII has no Sep, OLetter,
/// Format or Extend).
#[derive(Clone, Copy, PartialEq, Eq)]
enum SentClass {
    Cr,
    Lf,
    /// Tab, vertical tab, form feed, space.
    Sp,
    /// `!` `?`
    STerm,
    /// `.`
    ATerm,
    /// `"` `'` `(` `)` `[` `]` `{` `}`
    Close,
    /// `,` `-` `:` `;`
    SContinue,
    Numeric,
    Upper,
    Lower,
    Other,
}

/// The sentence class of every byte, looked up: `ascii_sentence_spans`
/// classifies each byte of the text up to three times, and the `match` was
/// an out-of-line call each time (a fortieth of parsing).
static SENT_CLASSES: [SentClass; 256] = {
    let mut t = [SentClass::Other; 256];
    let mut b = 0;
    while b < 256 {
        t[b] = sent_class_of(b as u8);
        b += 1;
    }
    t
};

/// [`SENT_CLASSES`] with every non-ASCII byte a Close: the classes of the
/// bytes of a text whose only non-ASCII characters are curly quotes
/// ([`only_curly_quotes`]; UAX #29 puts them, quotation marks, in Close).
/// A quote's three bytes are then three Closes where the crate sees one:
/// the rules read Closes only as a run (`SATerm Close* Sp*`: a break
/// falls after the whole run, never inside a quote), and SB7 and SB8 ask
/// of the character beside a terminator or in the scan for a lower-case
/// letter only whether it is one of classes a Close is not, so three
/// read as one would. `quoted_sentences_match_the_crate` compares them.
static QUOTED_SENT_CLASSES: [SentClass; 256] = {
    let mut t = [SentClass::Other; 256];
    let mut b = 0;
    while b < 256 {
        t[b] = if b < 0x80 {
            sent_class_of(b as u8)
        } else {
            SentClass::Close
        };
        b += 1;
    }
    t
};

/// Whether the non-ASCII characters of `b` are all curly quotes: “ ”
/// (U+201C, U+201D), and with `single` also ‘ ’ (U+2018, U+2019).
pub(crate) fn only_curly_quotes(b: &[u8], single: bool) -> bool {
    let mut i = 0;
    while let Some(p) = b
        .get(i..)
        .and_then(|r| r.iter().position(|c| !c.is_ascii()))
    {
        let at = i + p;
        match b.get(at..at + 3) {
            Some([0xE2, 0x80, 0x9C | 0x9D]) => {}
            Some([0xE2, 0x80, 0x98 | 0x99]) if single => {}
            _ => return false,
        }
        i = at + 3;
    }
    true
}

const fn sent_class_of(b: u8) -> SentClass {
    use SentClass::*;
    match b {
        b'\r' => Cr,
        b'\n' => Lf,
        b'\t' | 0x0b | 0x0c | b' ' => Sp,
        b'!' | b'?' => STerm,
        b'.' => ATerm,
        b'"' | b'\'' | b'(' | b')' | b'[' | b']' | b'{' | b'}' => Close,
        b',' | b'-' | b':' | b';' => SContinue,
        b'0'..=b'9' => Numeric,
        b'A'..=b'Z' => Upper,
        b'a'..=b'z' => Lower,
        _ => Other,
    }
}

/// The UAX #29 sentence segments of an ASCII string, as byte ranges
/// covering it: the same as `split_sentence_bound_indices`.
///
/// Hand-written for the same reason as [`ascii_word_spans`]: the crate's
/// table lookups were a tenth of parsing time. Only SB3–SB11 can apply to
/// ASCII. `ascii_sentences_match_the_crate` compares the two on random
/// ASCII text.
///
/// `classes` are the bytes' classes: [`SENT_CLASSES`], or
/// [`QUOTED_SENT_CLASSES`] for ASCII with curly quotes.
fn ascii_sentence_spans(s: &[u8], classes: &[SentClass; 256]) -> Vec<Range<usize>> {
    use SentClass::*;
    // A `u8` index is always within the 256 entries.
    let class = |i: usize| s.get(i).map(|&b| classes[usize::from(b)]);
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    // Only line breaks and terminators (`.`, `!`, `?`) can end a sentence;
    // every other byte is passed by. The next of each kind is found with
    // memchr, and searched again only once passed.
    let find = |from: usize, nl: bool| -> usize {
        let rest = s.get(from..).unwrap_or(&[]);
        let at = if nl {
            memchr::memchr2(b'\r', b'\n', rest)
        } else {
            memchr::memchr3(b'.', b'!', b'?', rest)
        };
        from + at.unwrap_or(rest.len())
    };
    let (mut next_nl, mut next_term) = (find(0, true), find(0, false));
    while i < s.len() {
        let c = class(i);
        match c {
            // SB3, SB4: a paragraph separator ends the sentence (CR × LF).
            Some(Cr) => {
                i += if class(i + 1) == Some(Lf) { 2 } else { 1 };
            }
            Some(Lf) => i += 1,
            Some(STerm | ATerm) => {
                let aterm = c == Some(ATerm);
                let before = i.checked_sub(1).and_then(class);
                let mut j = i + 1;
                // SB6: ATerm × Numeric; SB7: (Upper | Lower) ATerm × Upper.
                let next = class(j);
                if aterm
                    && (next == Some(Numeric)
                        || (next == Some(Upper) && matches!(before, Some(Upper | Lower))))
                {
                    i = j;
                    continue;
                }
                // SB9, SB10: SATerm Close* Sp* stays together.
                while class(j) == Some(Close) {
                    j += 1;
                }
                while class(j) == Some(Sp) {
                    j += 1;
                }
                // SB8: ATerm Close* Sp* × (¬(OLetter | Upper | Lower | ParaSep | SATerm))* Lower
                let lower_follows = aterm && {
                    let mut k = j;
                    loop {
                        match class(k) {
                            Some(Upper | Cr | Lf | STerm | ATerm) | None => break false,
                            Some(Lower) => break true,
                            Some(_) => k += 1,
                        }
                    }
                };
                // SB8a: SATerm Close* Sp* × (SContinue | SATerm)
                if lower_follows || matches!(class(j), Some(SContinue | STerm | ATerm)) {
                    i = j;
                    continue;
                }
                // SB11: SATerm Close* Sp* ParaSep? ÷
                match class(j) {
                    Some(Cr) if class(j + 1) == Some(Lf) => j += 2,
                    Some(Cr | Lf) => j += 1,
                    _ => {}
                }
                i = j;
            }
            _ => {
                let from = i + 1;
                if next_nl < from {
                    next_nl = find(from, true);
                }
                if next_term < from {
                    next_term = find(from, false);
                }
                i = next_nl.min(next_term);
                continue;
            }
        }
        if i < s.len() {
            out.push(start..i);
            start = i;
        }
    }
    if start < s.len() {
        out.push(start..s.len());
    }
    out
}

fn stemmer() -> &'static Stemmer {
    static S: OnceLock<Stemmer> = OnceLock::new();
    S.get_or_init(|| Stemmer::create(Algorithm::English))
}

/// Snowball stem of a normalised word. Memoised per thread: news text
/// repeats its words, and stemming is a large share of parsing time.
pub fn stem(word: &str) -> String {
    with_stem(word, str::to_string)
}

/// Calls `f` with the (memoised) stem of `word`, without allocating when
/// the stem is already known.
fn with_stem<R>(word: &str, f: impl FnOnce(&str) -> R) -> R {
    thread_local! {
        static CACHE: std::cell::RefCell<FxHashMap<Box<str>, Box<str>>> =
            std::cell::RefCell::new(FxHashMap::default());
    }
    CACHE.with(|c| match c.try_borrow_mut() {
        Ok(mut c) => {
            if let Some(s) = c.get(word) {
                return f(s);
            }
            let s: Box<str> = stemmer().stem(word).into();
            if c.len() > 200_000 {
                c.clear();
            }
            let r = f(&s);
            c.insert(word.into(), s);
            r
        }
        Err(_) => f(&stemmer().stem(word)),
    })
}

/// The interned content term of a normalised word: its stem folded through
/// the lexicon (`intern(canonical(stem(word)))`). Memoised per thread, so a
/// word seen before costs one hash lookup and no allocation.
///
/// A word of up to 15 bytes (most of them) is looked up as one integer
/// ([`pack_wide`]): hashing it is two multiplications and comparing it one
/// integer test, where the string key was hashed byte by byte and compared
/// by `memcmp` (parse_only c200 callgrind: 1,432.8M -> 1,425.7M).
pub fn term(word: &str) -> super::terms::Term {
    thread_local! {
        static SHORT: std::cell::RefCell<FxHashMap<u128, super::terms::Term>> =
            std::cell::RefCell::new(FxHashMap::default());
        static CACHE: std::cell::RefCell<FxHashMap<Box<str>, super::terms::Term>> =
            std::cell::RefCell::new(FxHashMap::default());
    }
    let compute = |w: &str| with_stem(w, |s| super::terms::intern(super::lexicon::canonical(s)));
    if let Some(k) = pack_wide(word.as_bytes()) {
        return short_memo(&SHORT, k, 200_000, || compute(word));
    }
    CACHE.with(|c| match c.try_borrow_mut() {
        Ok(mut c) => {
            if let Some(&t) = c.get(word) {
                return t;
            }
            let t = compute(word);
            if c.len() > 200_000 {
                c.clear();
            }
            c.insert(word.into(), t);
            t
        }
        Err(_) => compute(word),
    })
}

/// A value per short text (its bytes packed by [`pack_wide`]) that the
/// thread keeps in `map`: `compute` once per text, until the map holds
/// more than `cap` entries and is cleared (it would only grow otherwise);
/// computed without the map while it is in use (were `compute` to come
/// back here). Keyed by the packed bytes, a lookup reads no key through a
/// pointer and compares no bytes: `term`, `persist`'s interning of cached
/// words and `terms::symbol` keep their short texts so.
pub(crate) fn short_memo<V: Copy>(
    map: &'static std::thread::LocalKey<std::cell::RefCell<FxHashMap<u128, V>>>,
    key: u128,
    cap: usize,
    compute: impl FnOnce() -> V,
) -> V {
    map.with(|m| match m.try_borrow_mut() {
        Ok(mut m) => {
            if let Some(&v) = m.get(&key) {
                return v;
            }
            let v = compute();
            if m.len() > cap {
                m.clear();
            }
            m.insert(key, v);
            v
        }
        Err(_) => compute(),
    })
}

/// The bytes of a word of at most 15 bytes as one integer, its length in
/// the top byte; `None` for a longer word. Two words have the same key
/// exactly when they are the same bytes (`pack_wide_is_the_bytes_in_order`).
/// Up to 7 bytes this is [`pack`]; from 8, two overlapping 8-byte loads.
#[inline]
pub(crate) fn pack_wide(b: &[u8]) -> Option<u128> {
    let n = b.len();
    if n <= 7 {
        return pack(b).map(u128::from);
    }
    if n > 15 {
        return None;
    }
    let lo = u64::from_le_bytes(b.get(..8)?.try_into().ok()?);
    let hi = u64::from_le_bytes(b.get(n - 8..)?.try_into().ok()?);
    let bytes = u128::from(lo) | (u128::from(hi) << (8 * (n - 8)));
    Some(((n as u128) << 120) | bytes)
}

/// Lower-cased, typographically folded form of a word, without a trailing
/// possessive "'s" (the same as folding every char, lower-casing, then
/// `trim_end_matches("'s")`).
fn normalise(w: &str) -> String {
    let mut norm = String::with_capacity(w.len());
    normalise_into(w, &mut norm);
    norm
}

/// [`normalise`], appended to `norm`.
fn normalise_into(w: &str, norm: &mut String) {
    let start = norm.len();
    // `fold_char` maps only non-ASCII characters: an ASCII word (nearly all
    // of them) needs only its bytes lower-cased.
    if w.is_ascii() {
        norm.push_str(w);
        if let Some(added) = norm.get_mut(start..) {
            added.make_ascii_lowercase();
        }
    } else {
        for c in w.chars().map(fold_char) {
            if c.is_ascii() {
                norm.push(c.to_ascii_lowercase());
            } else {
                norm.extend(c.to_lowercase());
            }
        }
    }
    while norm.len() >= start + 2 && norm.ends_with("'s") {
        norm.truncate(norm.len() - 2);
    }
}

/// `s` when it holds a digit, else the empty string: what a pattern that
/// needs a digit should search (`\d` is any Unicode decimal digit, and each
/// one is `char::is_numeric`). Most sentences have none, and a search of the
/// empty string costs nothing.
pub fn digit_gate(s: &str) -> &str {
    // A numeric char is an ASCII digit or not ASCII: a sentence with
    // neither (most) is settled by its bytes, eight at a time
    // ([`byte_range_mask`]), without decoding chars.
    if !words_of(s.as_bytes()).any(|x| (byte_range_mask(x, b'0', b'9') | (x & HIGH_BITS)) != 0) {
        return "";
    }
    if s.chars().any(char::is_numeric) {
        s
    } else {
        ""
    }
}

/// The high bit of each byte of a `u64`.
pub const HIGH_BITS: u64 = 0x8080_8080_8080_8080;

/// `b` eight bytes at a time, each eight as a little-endian `u64` (byte
/// `i` of the chunk in bits `8 i..8 i + 8`); the last chunk padded with
/// zero bytes.
#[inline]
pub fn words_of(b: &[u8]) -> impl Iterator<Item = u64> + '_ {
    let chunks = b.chunks_exact(8);
    let rest = chunks.remainder();
    let last = (!rest.is_empty()).then(|| {
        let mut pad = [0u8; 8];
        for (p, &c) in pad.iter_mut().zip(rest) {
            *p = c;
        }
        u64::from_le_bytes(pad)
    });
    chunks
        .map(|c| {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            u64::from_le_bytes(w)
        })
        .chain(last)
}

/// The high bit set for each byte of `x` that is ASCII and lies in
/// `lo..=hi` (both ASCII), every other bit clear: eight byte tests in a
/// few integer operations (a test per byte was most of the digit and
/// capital scans of every sentence). With each byte's high bit cleared
/// first, adding `0x80 - lo` to a byte sets its high bit exactly when it
/// is at least `lo`, and adding `0x7F - hi` when it is above `hi`; no sum
/// exceeds `0xFF`, so no carry crosses into the next byte. Bytes that
/// had their high bit set (not ASCII) are then left out.
/// `byte_range_mask_is_the_byte_test` compares it with the byte tests.
#[inline]
pub fn byte_range_mask(x: u64, lo: u8, hi: u8) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    let low7 = x & !HIGH_BITS;
    let at_least_lo = low7.wrapping_add(ONES * u64::from(0x80 - (lo & 0x7F)));
    let above_hi = low7.wrapping_add(ONES * u64::from(0x7F - (hi & 0x7F)));
    at_least_lo & !above_hi & !x & HIGH_BITS
}

/// The captures of `re` in `h`, in order (`re.captures_iter(h)`
/// collected), except that an empty haystack (what the gates above leave of
/// most sentences) is not searched at all: each call of `captures_iter`
/// clones the regex's shared group information (an atomic count that both
/// of `check`'s threads bump on every sentence).
///
/// Collected here, out of line, rather than handed out as a lazy iterator:
/// the callers' loops over a `Flatten` of the optional `CaptureMatches`
/// moved and tested that large iterator at every step, and most searches
/// find nothing (an empty vector allocates nothing). Parse_only c200
/// callgrind: 1,174.0M -> 1,157.9M.
#[inline(never)]
pub fn captures_in<'h>(re: &regex::Regex, h: &'h str) -> Vec<regex::Captures<'h>> {
    if h.is_empty() {
        return Vec::new();
    }
    re.captures_iter(h).collect()
}

/// The matches of `re` in `h`, in order (`re.find_iter(h)` collected), and
/// nothing searched in an empty haystack: [`captures_in`] without the
/// groups, for the same reasons (the number-word and ordinal loops over an
/// optional `Matches` cost every sentence about as much as the searches of
/// the few that hold such words).
#[inline(never)]
pub fn matches_in<'h>(re: &regex::Regex, h: &'h str) -> Vec<regex::Match<'h>> {
    if h.is_empty() {
        return Vec::new();
    }
    re.find_iter(h).collect()
}

/// Function words and reporting verbs that carry no topical content.
pub fn is_stopword(w: &str) -> bool {
    static TABLE: OnceLock<WordTable> = OnceLock::new();
    TABLE
        .get_or_init(|| WordTable::new(&[(STOPWORDS, 1)]))
        .get(w)
        != 0
}

const STOPWORDS: &[&str] = &[
    "a",
    "an",
    "the",
    "and",
    "or",
    "but",
    "if",
    "of",
    "to",
    "in",
    "on",
    "at",
    "by",
    "for",
    "with",
    "from",
    "as",
    "into",
    "onto",
    "about",
    "over",
    "after",
    "before",
    "during",
    "between",
    "through",
    "than",
    "then",
    "that",
    "this",
    "these",
    "those",
    "there",
    "here",
    "it",
    "its",
    "he",
    "she",
    "they",
    "them",
    "his",
    "her",
    "their",
    "we",
    "our",
    "us",
    "you",
    "your",
    "i",
    "me",
    "my",
    "is",
    "are",
    "was",
    "were",
    "be",
    "been",
    "being",
    "am",
    "has",
    "have",
    "had",
    "do",
    "does",
    "did",
    "will",
    "would",
    "shall",
    "should",
    "can",
    "could",
    "may",
    "might",
    "must",
    "not",
    "no",
    "so",
    "such",
    "also",
    "which",
    "who",
    "whom",
    "whose",
    "what",
    "when",
    "where",
    "while",
    "why",
    "how",
    "all",
    "any",
    "both",
    "each",
    "more",
    "most",
    "other",
    "some",
    "very",
    "just",
    "only",
    "own",
    "same",
    "too",
    "said",
    "say",
    "says",
    "saying",
    "told",
    "according",
    "noted",
    "added",
    "him",
    "himself",
    "itself",
    "one",
    "two",
    "new",
    "up",
    "out",
    "per",
    "via",
    "yet",
    "still",
    "even",
    "well",
    "many",
    "much",
    "s",
    "t",
    "mr",
    "ms",
    "mrs",
    "already",
    "however",
    "because",
    "since",
    "until",
    "against",
    "among",
    "amid",
    "within",
    "without",
    "upon",
    "whether",
    "around",
    "including",
    "further",
    "least",
    "nearly",
    "almost",
    "approximately",
    "roughly",
    "fewer",
    "less",
];

/// A fixed set of words with a flag byte each, for the word lists looked up
/// for every token (a `match` of strings compiles to a length check and a
/// `memcmp` per arm, and the stopwords are 154; hashing the word cost as
/// much). Most words are in no list: a bit per (length, first letter)
/// rejects nearly all of those at once. A word of up to 7 bytes is then
/// packed into one integer and found in a small open-addressing table; a
/// longer one is compared with the few longer words.
pub(crate) struct WordTable {
    /// Bit `b & 63` of entry `min(len, 15)`: some word has that length and
    /// a first byte `b`.
    first: [u64; 16],
    /// Packed short words and their flags, at `slot(key)` or just after
    /// (wrapping); a key of 0 (the empty word, never in a list) is a free slot.
    slots: Vec<(u64, u8)>,
    long: Vec<(&'static str, u8)>,
}

/// The bytes of a word of at most 7 bytes as one integer, its length in
/// the top byte (so "a" and "a\0" differ); `None` for a longer word.
///
/// Read as two overlapping little-endian loads, not byte by byte (it runs
/// for every token, several times): the bytes the loads share sit at the
/// same place in both, so OR-ing them is the same as placing each byte.
/// `pack_is_the_bytes_in_order` compares it with the byte loop.
#[inline]
fn pack(b: &[u8]) -> Option<u64> {
    let n = b.len();
    let bytes = match (n, b) {
        (0, _) => 0,
        (1, [a]) => u64::from(*a),
        (2..=3, [a0, a1, ..]) => {
            let lo = u64::from(u16::from_le_bytes([*a0, *a1]));
            let hi = match b.get(n - 2..) {
                Some([c0, c1]) => u64::from(u16::from_le_bytes([*c0, *c1])),
                _ => 0,
            };
            lo | (hi << (8 * (n - 2)))
        }
        (4..=7, [a0, a1, a2, a3, ..]) => {
            let lo = u64::from(u32::from_le_bytes([*a0, *a1, *a2, *a3]));
            let hi = match b.get(n - 4..) {
                Some([c0, c1, c2, c3]) => u64::from(u32::from_le_bytes([*c0, *c1, *c2, *c3])),
                _ => 0,
            };
            lo | (hi << (8 * (n - 4)))
        }
        _ => return None,
    };
    Some(((n as u64) << 56) | bytes)
}

impl WordTable {
    /// The words of `lists`, each with the union of the flags of the
    /// lists that hold it.
    pub(crate) fn new(lists: &[(&[&'static str], u8)]) -> WordTable {
        let mut short: Vec<(u64, u8)> = Vec::new();
        let mut long: Vec<(&'static str, u8)> = Vec::new();
        let mut first = [0u64; 16];
        for &(list, flag) in lists {
            for &w in list {
                if let (Some(&b), Some(f)) = (w.as_bytes().first(), first.get_mut(w.len().min(15)))
                {
                    *f |= 1 << (b & 63);
                }
                match pack(w.as_bytes()) {
                    Some(0) => {}
                    Some(k) => match short.iter_mut().find(|e| e.0 == k) {
                        Some(e) => e.1 |= flag,
                        None => short.push((k, flag)),
                    },
                    None => match long.iter_mut().find(|e| e.0 == w) {
                        Some(e) => e.1 |= flag,
                        None => long.push((w, flag)),
                    },
                }
            }
        }
        // At most half full: probes stay short.
        let size = (short.len() * 2).next_power_of_two().max(2);
        let mut t = WordTable {
            first,
            slots: vec![(0, 0); size],
            long,
        };
        for (k, flag) in short {
            let mut i = t.slot(k);
            while t.slots.get(i).is_some_and(|e| e.0 != 0) {
                i = (i + 1) & (size - 1);
            }
            if let Some(e) = t.slots.get_mut(i) {
                *e = (k, flag);
            }
        }
        t
    }

    /// Where the search for a packed key starts.
    #[inline]
    fn slot(&self, k: u64) -> usize {
        // Fibonacci hashing: the top bits of the product; `slots.len()` is a
        // power of two.
        let bits = self.slots.len().trailing_zeros();
        (k.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - bits)) as usize
    }

    /// The flags of `w`: 0 when it is in none of the lists.
    #[inline]
    pub(crate) fn get(&self, w: &str) -> u8 {
        self.get_bytes(w.as_bytes())
    }

    /// [`WordTable::get`] of a word's bytes.
    #[inline]
    pub(crate) fn get_bytes(&self, w: &[u8]) -> u8 {
        let Some(&b) = w.first() else {
            return 0;
        };
        if self
            .first
            .get(w.len().min(15))
            .is_none_or(|f| f & (1 << (b & 63)) == 0)
        {
            return 0;
        }
        match pack(w) {
            Some(k) => self.find_packed(k),
            None => self
                .long
                .iter()
                .find(|e| e.0.as_bytes() == w)
                .map_or(0, |e| e.1),
        }
    }

    /// [`WordTable::get_bytes`] of `w` lower-cased, for a table of
    /// lower-case letters and `w` made of `[A-Za-z0-9_]` only: setting bit
    /// 5 of each byte lower-cases a letter, leaves a digit as it is and
    /// turns `_` into DEL, which no word of such a table holds. No copy of
    /// the word is made.
    #[inline]
    pub(crate) fn get_word_folded(&self, w: &[u8]) -> u8 {
        let Some(&b) = w.first() else {
            return 0;
        };
        if self
            .first
            .get(w.len().min(15))
            .is_none_or(|f| f & (1 << ((b | 0x20) & 63)) == 0)
        {
            return 0;
        }
        match pack(w) {
            Some(k) => {
                // Bit 5 of each of the word's bytes (not of the length byte).
                let bytes = (1u64 << (8 * w.len())) - 1;
                self.find_packed(k | (bytes & 0x2020_2020_2020_2020))
            }
            None => self
                .long
                .iter()
                .find(|e| e.0.as_bytes().eq_ignore_ascii_case(w))
                .map_or(0, |e| e.1),
        }
    }

    /// The flags stored under a packed short word.
    #[inline]
    fn find_packed(&self, k: u64) -> u8 {
        let mask = self.slots.len() - 1;
        let mut i = self.slot(k);
        // The table is never full: an empty slot ends the search.
        while let Some(&(key, flag)) = self.slots.get(i) {
            if key == k {
                return flag;
            }
            if key == 0 {
                return 0;
            }
            i = (i + 1) & mask;
        }
        0
    }
}

/// Content terms (stems) of a token list: no stopwords, no pure numbers.
/// A hyphenated compound also counts as one word ("pre-market" ~ "premarket").
pub fn content_stems(tokens: &[Token]) -> Vec<String> {
    let mut out = Vec::with_capacity(tokens.len());
    for (i, t) in tokens.iter().enumerate() {
        let numeric = t.norm.chars().all(|c| c.is_ascii_digit());
        if !is_stopword(&t.norm) && !numeric {
            out.push(stem(&t.norm));
        }
        if t.hyphen_joined && i > 0 && !numeric && !t.capitalised && !tokens[i - 1].capitalised {
            let prev = &tokens[i - 1].norm;
            if !prev.chars().all(|c| c.is_ascii_digit()) {
                out.push(stem(&format!("{prev}{}", t.norm)));
            }
        }
    }
    out
}

/// Content terms of a token list: stems folded through the lexicon, interned.
/// The same terms, in the same order, as interning `content_stems(tokens)`
/// through the lexicon, without building the stems.
pub fn content_terms(tokens: &[Token]) -> Vec<super::terms::Term> {
    content_terms_of(&token_terms(tokens))
}

/// A token's contribution to `content_terms`, worked out once per sentence:
/// a sentence's tokens feed the term sets of the sentence, of each of its
/// clauses and of every figure's and date's clause, and hashing each word
/// again for every set was an eighth of parsing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TokenTerms {
    /// The word's own term: None for stopwords and pure numbers.
    own: Option<super::terms::Term>,
    /// The term of the hyphenated compound this token closes with the
    /// previous token ("pre-market"), if it forms one.
    joined: Option<super::terms::Term>,
    /// The word's [`word_flags`]: the word lists it is in.
    flags: u16,
}

impl TokenTerms {
    /// The word lists the token's word is in ([`word_flags`]).
    pub fn flags(&self) -> u16 {
        self.flags
    }

    /// The word's own term ([`term`] of it): `None` for a stopword or a
    /// pure number.
    pub fn own(&self) -> Option<super::terms::Term> {
        self.own
    }
}

/// [`TokenTerms::flags`]: the claim word lists (`claim::list_flags`).
pub const LIST_FLAGS: u16 = 0x7F;
/// [`TokenTerms::flags`]: a stopword ([`is_stopword`]).
pub const STOPWORD: u16 = 0x80;
/// [`TokenTerms::flags`]: the spelled-number words, shifted by 8
/// (`quantity::spelled_flags`).
pub const SPELLED_SHIFT: u16 = 8;
/// [`TokenTerms::flags`]: a month or weekday name (`claim::is_date_word`).
pub const DATE_WORD: u16 = 0x400;
/// [`TokenTerms::flags`]: a word of an event noun
/// (`lexicon::is_event_word`).
pub const EVENT_WORD: u16 = 0x800;
/// [`TokenTerms::flags`]: a word a title starts with
/// (`entity::is_title_start`).
pub const TITLE_WORD: u16 = 0x1000;

/// Every word list a sentence's tokens are asked about, as one set of
/// flags: worked out with the token's terms, from the same table of
/// recent words ([`token_info`]), so that the sentence, each clause and
/// each claim read the lists from the tokens instead of looking every
/// word up again in each (parse_only c200 callgrind: 1,250.1M -> 1,191.6M).
fn word_flags(w: &str) -> u16 {
    u16::from(super::claim::list_flags(w))
        | if is_stopword(w) { STOPWORD } else { 0 }
        | (u16::from(super::quantity::spelled_flags(w)) << SPELLED_SHIFT)
        | if super::claim::is_date_word(w) {
            DATE_WORD
        } else {
            0
        }
        | if super::lexicon::is_event_word(w) {
            EVENT_WORD
        } else {
            0
        }
        | if super::entity::is_title_start(w) {
            TITLE_WORD
        } else {
            0
        }
}

/// `TokenTerms` of each token, in order.
pub fn token_terms(tokens: &[Token]) -> Vec<TokenTerms> {
    let mut out = Vec::new();
    token_terms_into(tokens, &mut out);
    out
}

/// [`token_terms`] written into `out` (cleared first): an article's
/// sentences share one vector instead of allocating one each.
///
/// The thread's table of recent words ([`token_info`]) is borrowed once
/// for the whole sentence, not once per token: the thread-local access,
/// the borrow and the test that the table is set up were a third of a
/// word's lookup when the table holds it (most words).
pub fn token_terms_into(tokens: &[Token], out: &mut Vec<TokenTerms>) {
    out.clear();
    out.reserve(tokens.len());
    RECENT.with(|r| match r.try_borrow_mut() {
        Ok(mut recent) => push_token_terms(tokens, out, |w| recent.info(w)),
        // Only a call from inside the table's own work could find it
        // borrowed; the full path gives the same answers.
        Err(_) => push_token_terms(tokens, out, token_info_full),
    })
}

/// Calls `each` with every token of `tokens` that is not a stopword and
/// its [`term`], in order: the same as testing [`is_stopword`] and taking
/// [`term`] of each token's `norm`, read from the thread's table of recent
/// words as [`token_terms_into`] reads them (the relations' labels ask it
/// of every word of the claims they label; the two lookups per word were
/// a quarter of making the labels' words). A word the table gives no term
/// is a stopword or a pure number: the number's term is taken by [`term`].
/// `non_stop_terms_are_the_lookups` compares the two.
pub fn non_stop_terms(tokens: &[Token], mut each: impl FnMut(&Token, super::terms::Term)) {
    let mut one = |t: &Token, (own, flags): (Option<super::terms::Term>, u16)| {
        if flags & STOPWORD != 0 {
            return;
        }
        each(t, own.unwrap_or_else(|| term(&t.norm)));
    };
    RECENT.with(|r| match r.try_borrow_mut() {
        Ok(mut recent) => tokens.iter().for_each(|t| one(t, recent.info(&t.norm))),
        Err(_) => tokens.iter().for_each(|t| one(t, token_info_full(&t.norm))),
    })
}

/// Where the places that [`non_stop_norms`] gives lie.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NormsIn {
    /// In the text: each is an ASCII word whose norm is its ASCII lower
    /// case (nothing was written to `norms`).
    Text,
    /// In `norms`, where each norm was appended.
    Norms,
}

/// The words of `text[range]` that are not stopwords, in order, as
/// [`non_stop_terms`] gives them for [`tokens`]`(text, range)`: for each,
/// `keep` is asked with its [`term`], and a word it keeps a value for has
/// the value pushed to `out` with the place of its norm: where the word
/// stands in `text`, when it is ASCII and its norm is its lower case (the
/// ASCII path below, [`NormsIn::Text`]), or in `norms`, where the norm is
/// appended ([`NormsIn::Norms`]). The caller lower-cases only the words
/// it uses (a label uses three at most): copying and lowering every word
/// kept was a tenth of the labels' cost.
///
/// The relations' labels ask this of every claim they label. An ASCII text
/// (or one whose only other characters are double curly quotes, which
/// [`TokenBuf::fill_plain`] also tokenises by the ASCII path) is read
/// without building its tokens: each word is looked up in the thread's
/// table of recent words by a key made from its bytes as written (the
/// possessive cut, the letters lowered in the key). Building a token (a string
/// copied and lowered for every word, stopwords included) and reading the
/// tokens again was most of the labels' words. Any other text, and a
/// call made while the table is in use, goes through the tokens.
/// `non_stop_norms_are_the_tokens_lookups` compares the two.
pub fn non_stop_norms<T>(
    text: &str,
    range: Range<usize>,
    norms: &mut String,
    out: &mut Vec<(T, Range<usize>)>,
    mut keep: impl FnMut(super::terms::Term) -> Option<T>,
) -> NormsIn {
    let Some(slice) = text.get(range.clone()) else {
        return NormsIn::Norms;
    };
    let done = ascii_word_path(slice.as_bytes()).is_some()
        && RECENT.with(|r| match r.try_borrow_mut() {
            Ok(mut recent) => {
                ascii_non_stop_norms(slice, range.start, &mut recent, out, &mut keep);
                true
            }
            Err(_) => false,
        });
    if done {
        return NormsIn::Text;
    }
    non_stop_norms_by_tokens(text, range, norms, out, keep);
    NormsIn::Norms
}

/// [`non_stop_norms`] through the tokens, in a list kept for the thread
/// (its strings reused). (Out of line: most claims do not come here.)
#[inline(never)]
fn non_stop_norms_by_tokens<T>(
    text: &str,
    range: Range<usize>,
    norms: &mut String,
    out: &mut Vec<(T, Range<usize>)>,
    mut keep: impl FnMut(super::terms::Term) -> Option<T>,
) {
    thread_local! {
        static TOKENS: std::cell::RefCell<TokenBuf> = std::cell::RefCell::new(TokenBuf::default());
    }
    let mut each = |t: &Token, term| {
        if let Some(v) = keep(term) {
            let start = norms.len();
            norms.push_str(&t.norm);
            out.push((v, start..norms.len()));
        }
    };
    TOKENS.with(|buf| match buf.try_borrow_mut() {
        Ok(mut buf) => non_stop_terms(buf.fill(text, range.clone()), &mut each),
        Err(_) => non_stop_terms(&tokens(text, range.clone()), &mut each),
    });
}

/// [`non_stop_norms`] of a text `slice`, at `base` in the text, tokenised
/// by the ASCII path: each word kept is given by its place in the text.
fn ascii_non_stop_norms<T>(
    slice: &str,
    base: usize,
    recent: &mut Recent,
    out: &mut Vec<(T, Range<usize>)>,
    keep: &mut impl FnMut(super::terms::Term) -> Option<T>,
) {
    // A word's norm, written out only when the table misses it (or it is
    // longer than a key holds, or a number, whose term is asked by text).
    let mut scratch = String::new();
    let lowered = |w: &str, into: &mut String| {
        into.push_str(w);
        if any_upper(w.as_bytes()) {
            let from = into.len() - w.len();
            if let Some(added) = into.get_mut(from..) {
                added.make_ascii_lowercase();
            }
        }
    };
    let b = slice.as_bytes();
    let joined = std::cell::Cell::new(false);
    for r in ascii_word_spans(b, &joined) {
        let mut word = b.get(r.clone()).unwrap_or_default();
        // `TokenBuf::push`'s cut of "'s" after lowering: 's' or 'S' here.
        while let [rest @ .., b'\'', s] = word {
            if *s | 0x20 != b's' {
                break;
            }
            word = rest;
        }
        // (An ASCII word: its ends are characters' ends.)
        let Some(w) = slice.get(r.start..r.start + word.len()) else {
            continue;
        };
        let key = pack_wide(word).map(lower_key);
        let (own, flags) = match key.and_then(|k| recent.hit(k)) {
            Some(info) => info,
            None => {
                scratch.clear();
                lowered(w, &mut scratch);
                match key {
                    Some(k) => recent.miss(k, &scratch),
                    None => token_info_full(&scratch),
                }
            }
        };
        if flags & STOPWORD != 0 {
            continue;
        }
        let term = match own {
            Some(t) => t,
            None => {
                scratch.clear();
                lowered(w, &mut scratch);
                term(&scratch)
            }
        };
        if let Some(v) = keep(term) {
            out.push((v, base + r.start..base + r.start + word.len()));
        }
    }
}

/// The [`pack_wide`] key of an ASCII word with its capitals lowered: the
/// key of its lower-cased bytes (a key's length byte, at most 15, and its
/// zero padding hold no capital).
#[inline]
fn lower_key(k: u128) -> u128 {
    let lower = |x: u64| x | (byte_range_mask(x, b'A', b'Z') >> 2);
    u128::from(lower(k as u64)) | (u128::from(lower((k >> 64) as u64)) << 64)
}

/// Appends the `TokenTerms` of each token to `out`, each word's own term
/// and flags from `info` ([`token_info`]).
#[inline]
fn push_token_terms(
    tokens: &[Token],
    out: &mut Vec<TokenTerms>,
    mut info: impl FnMut(&str) -> (Option<super::terms::Term>, u16),
) {
    let mut joined = String::new();
    let mut prev: Option<&Token> = None;
    for t in tokens {
        let numeric = is_numeric(&t.norm);
        let (own, flags) = info(&t.norm);
        let mut pair = None;
        if t.hyphen_joined && !numeric && !t.capitalised {
            if let Some(p) = prev {
                if !p.capitalised && !is_numeric(&p.norm) {
                    joined.clear();
                    joined.push_str(&p.norm);
                    joined.push_str(&t.norm);
                    pair = Some(term(&joined));
                }
            }
        }
        out.push(TokenTerms {
            own,
            joined: pair,
            flags,
        });
        prev = Some(t);
    }
}

/// Slots of the table of recent words (a power of two): 32,768 × 24 bytes
/// (768 KiB a thread; 1 MiB with the 32-byte slots these figures were
/// measured with). Twice 4096 took parse_only c200 callgrind from
/// 1,174.4M to 1,166.1M (fewer words pushed out), and c2000 user time did
/// not grow (1.14-1.17 s against 1.17-1.20 s, single runs on the shared
/// machine). From 8192, `check --no-cache` on 1,000 articles missed 47.0 k
/// times (each miss a stemming and a lookup in the interner, ~1,100
/// instructions), 33.0 k with 16,384 slots and 24.1 k with 32,768: 2,379.9M
/// -> 2,370.9M -> 2,365.1M instructions; on 10,000 articles the CPU time
/// was the same (4.16 s and 4.15 s, means of four runs alternated): a
/// table past the 512 KiB of a core's L2 cost nothing measurable.
const RECENT_SLOTS: usize = 32768;

/// A slot of the table of recent words: a word's [`pack_wide`] key (as two
/// halves) and its answers, in 24 bytes (as `Option<(u128, Option<Term>,
/// u16)>`, 32: a `u128` is aligned to 16).
#[derive(Clone, Copy, Default)]
struct RecentSlot {
    lo: u64,
    hi: u64,
    /// The term, `u32::MAX` for none.
    own: u32,
    flags: u16,
    /// Whether the slot holds a word.
    used: bool,
}

/// The thread's table of recent words ([`token_info`]).
#[derive(Default)]
struct Recent {
    slots: Vec<RecentSlot>,
}

thread_local! {
    static RECENT: std::cell::RefCell<Recent> = const {
        std::cell::RefCell::new(Recent { slots: Vec::new() })
    };
}

impl Recent {
    /// [`token_info`] of `w`, from the table when it holds the word, else
    /// by the full path, whose answer then takes the word's slot.
    // (Always inlined: called out of line, once per token of every
    // sentence, it cost parsing more than the labels saved.)
    #[inline(always)]
    fn info(&mut self, w: &str) -> (Option<super::terms::Term>, u16) {
        let Some(k) = pack_wide(w.as_bytes()) else {
            return token_info_full(w);
        };
        match self.hit(k) {
            Some(info) => info,
            None => self.miss(k, w),
        }
    }

    /// The slot of the word whose [`pack_wide`] key is `k`.
    #[inline(always)]
    fn slot_of(k: u128) -> usize {
        let folded = (k as u64) ^ ((k >> 64) as u64);
        (folded.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - RECENT_SLOTS.trailing_zeros()))
            as usize
    }

    /// The answers for the word whose key is `k`, when the table holds it.
    #[inline(always)]
    fn hit(&self, k: u128) -> Option<(Option<super::terms::Term>, u16)> {
        match self.slots.get(Self::slot_of(k)) {
            Some(e) if e.used && e.lo == k as u64 && e.hi == (k >> 64) as u64 => {
                Some(((e.own != u32::MAX).then_some(e.own), e.flags))
            }
            _ => None,
        }
    }

    /// The answers for `w` (whose key is `k`) by the full path, kept in
    /// its slot.
    #[inline(always)]
    fn miss(&mut self, k: u128, w: &str) -> (Option<super::terms::Term>, u16) {
        if self.slots.is_empty() {
            self.slots.resize(RECENT_SLOTS, RecentSlot::default());
        }
        let (own, flags) = token_info_full(w);
        // (A term of `u32::MAX` could not be told from none: not kept.)
        if let Some(slot) = self
            .slots
            .get_mut(Self::slot_of(k))
            .filter(|_| own != Some(u32::MAX))
        {
            *slot = RecentSlot {
                lo: k as u64,
                hi: (k >> 64) as u64,
                own: own.unwrap_or(u32::MAX),
                flags,
                used: true,
            };
        }
        (own, flags)
    }
}

/// [`token_info`] by the full path: the stopword table, [`term`]'s map
/// and the word lists.
fn token_info_full(w: &str) -> (Option<super::terms::Term>, u16) {
    (
        (!is_stopword(w) && !is_numeric(w)).then(|| term(w)),
        word_flags(w),
    )
}

/// A word's own content term (`None` for a stopword or a pure number, else
/// its [`term`]) and its [`word_flags`].
///
/// Asked of every token: a word of up to 15 bytes is first looked up in a
/// small direct-mapped table of the thread's recent words, by its
/// [`pack_wide`] key (one multiplication to place it, one comparison to
/// find it), before the stopword table and [`term`]'s map, whose lookups
/// (thread-local access, hashing, probing) were most of making a
/// sentence's terms (parse_only c200 callgrind: 1,258.1M -> 1,255.5M with
/// one map of the answers, -> 1,250.1M with this table instead). A word
/// placed where another was replaces it; the table only ever holds answers
/// the full path gave (`content_term_is_the_full_path`).
#[cfg(test)]
fn token_info(w: &str) -> (Option<super::terms::Term>, u16) {
    RECENT.with(|r| match r.try_borrow_mut() {
        Ok(mut recent) => recent.info(w),
        Err(_) => token_info_full(w),
    })
}

/// `content_terms` of a run of tokens from their `TokenTerms`: the same
/// terms in the same order. The first token's compound is left out, as
/// `content_terms` leaves it out when the run starts at that token.
pub fn content_terms_of(terms: &[TokenTerms]) -> Vec<super::terms::Term> {
    let mut out = Vec::with_capacity(terms.len());
    extend_content_terms(&mut out, terms);
    out.shrink_to_fit();
    out
}

/// Appends [`content_terms_of`]`(terms)` to `out` (an article's term pool:
/// no vector of its own to allocate and shrink).
pub fn extend_content_terms(out: &mut Vec<super::terms::Term>, terms: &[TokenTerms]) {
    // Room for every term a token can give (its own and its compound's),
    // so that no push grows the vector; each pushed by a plain test of its
    // option (extending by each option reserved room for it again, and
    // was most of making the term lists of sentences and claims).
    out.reserve(2 * terms.len());
    let Some((first, rest)) = terms.split_first() else {
        return;
    };
    if let Some(own) = first.own {
        out.push(own);
    }
    for t in rest {
        if let Some(own) = t.own {
            out.push(own);
        }
        if let Some(joined) = t.joined {
            out.push(joined);
        }
    }
}

fn is_numeric(w: &str) -> bool {
    w.bytes().all(|b| b.is_ascii_digit())
}

/// The tokens lying inside `span`: the same tokens as filtering on
/// `t.span.start >= span.start && t.span.end <= span.end`, as a sub-slice
/// (tokens are in text order and disjoint, so they are contiguous).
pub fn tokens_within<'t>(tokens: &'t [Token], span: &Range<usize>) -> &'t [Token] {
    tokens.get(token_range(tokens, span)).unwrap_or(&[])
}

/// The indices of `tokens_within(tokens, span)` in `tokens`.
pub fn token_range(tokens: &[Token], span: &Range<usize>) -> Range<usize> {
    let lo = tokens.partition_point(|t| t.span.start < span.start);
    let hi = tokens.partition_point(|t| t.span.end <= span.end);
    lo..hi.max(lo)
}

/// Byte offset → (0-based line, byte column) for reports.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text.as_bytes()[..offset];
    let line = before.iter().filter(|&&b| b == b'\n').count();
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1);
    (line, offset - line_start)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalise_is_fold_lower_then_trim_possessives() {
        let reference = |w: &str| {
            let folded: String = w.chars().map(fold_char).collect();
            folded.to_lowercase().trim_end_matches("'s").to_string()
        };
        for w in [
            "Seoul",
            "IT'S",
            "O'Brien's's",
            "Jae-myung's",
            "s",
            "'s",
            "",
            "Lee’s",
            "ÉLAN’S",
            "서울's",
            "İstanbul",
            "x'S",
        ] {
            assert_eq!(normalise(w), reference(w), "{w:?}");
        }
    }

    #[test]
    fn token_terms_give_content_terms_of_every_run() {
        // Hyphenated compounds inside and at the edge of a run, a capitalised
        // pair (no compound), numbers, stopwords and a possessive.
        let t = "The pre-market fall of 12-day highs hit Jae-myung's well-known \
                 co-op, and 40 long-term out-of-town traders said it was over.";
        let toks = tokens(t, 0..t.len());
        let tt = token_terms(&toks);
        assert_eq!(tt.len(), toks.len());
        // The terms are the stems of `content_stems`, folded and interned.
        let from_stems: Vec<_> = content_stems(&toks)
            .iter()
            .map(|s| crate::core::terms::intern(crate::core::lexicon::canonical(s)))
            .collect();
        assert_eq!(content_terms(&toks), from_stems);
        for lo in 0..=toks.len() {
            for hi in lo..=toks.len() {
                assert_eq!(
                    content_terms_of(&tt[lo..hi]),
                    content_terms(&toks[lo..hi]),
                    "tokens {lo}..{hi}"
                );
            }
        }
        // Byte spans map to the same runs as `tokens_within`.
        for (a, b) in [(0, t.len()), (4, 20), (5, 18), (30, 90), (60, 61)] {
            let r = token_range(&toks, &(a..b));
            assert_eq!(
                content_terms_of(&tt[r]),
                content_terms(tokens_within(&toks, &(a..b)))
            );
        }
        // The compound is there when its first half is in the run, and not
        // when the run starts at its second half.
        let pre = toks.iter().position(|x| x.norm == "pre").unwrap_or(0);
        assert!(
            content_terms_of(&tt[pre..pre + 2]).len()
                > content_terms_of(&tt[pre + 1..pre + 2]).len()
        );
    }

    fn sents(t: &str) -> Vec<&str> {
        sentences(t, 0..t.len())
            .into_iter()
            .map(|r| &t[r])
            .collect()
    }

    /// `ends_with_abbreviation` as it was: the last word lower-cased.
    fn ends_with_abbreviation_by_copy(s: &str) -> bool {
        let t = s.trim_end();
        let Some(stripped) = t.strip_suffix('.') else {
            return false;
        };
        let word: String = stripped
            .rsplit(|c: char| c.is_whitespace() || c == '(' || c == '"' || c == '“')
            .next()
            .unwrap_or("")
            .to_lowercase();
        if word.is_empty() {
            return false;
        }
        if word.chars().count() == 1 && word.chars().all(|c| c.is_alphabetic()) {
            return true;
        }
        ABBREVIATIONS.contains(&word.as_str())
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]
        #[test]
        fn abbreviation_test_is_the_lowercased_one(
            s in "[a-zA-Z .(\"“İé\t\x0B\u{a0}]{0,6}(Jan|GOV|u.s|U.S|Mr|F|é|İ|É)?[.]?[ ]?"
        ) {
            proptest::prop_assert_eq!(ends_with_abbreviation(&s), ends_with_abbreviation_by_copy(&s));
        }
    }

    #[test]
    fn abbreviations_do_not_split() {
        let t = "The quake struck on Sept. 19 near the U.S. border. Gov. Abbott spoke.";
        assert_eq!(
            sents(t),
            vec![
                "The quake struck on Sept. 19 near the U.S. border.",
                "Gov. Abbott spoke."
            ]
        );
    }

    #[test]
    fn initials_do_not_split() {
        let t = "John F. Kennedy arrived. Then he left.";
        assert_eq!(sents(t), vec!["John F. Kennedy arrived.", "Then he left."]);
    }

    #[test]
    fn tokens_fold_typography() {
        let t = "Lee Jae\u{2011}myung’s “One China”";
        let toks = tokens(t, 0..t.len());
        let norms: Vec<&str> = toks.iter().map(|t| t.norm.as_str()).collect();
        assert_eq!(norms, vec!["lee", "jae", "myung", "one", "china"]);
        assert!(toks[0].capitalised);
    }

    /// ASCII text rich in what the word and sentence rules look at:
    /// letters of both cases, digits, apostrophes, full stops, commas and
    /// colons between digits or letters, hyphens, underscores, quotes,
    /// brackets, terminators, spaces and line breaks.
    fn ascii_text() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let piece = prop_oneof![
            4 => "[a-z]{1,6}",
            2 => "[A-Z][a-z]{0,5}",
            1 => "[A-Z]{1,3}",
            2 => "[0-9]{1,4}",
            3 => proptest::sample::select(vec![
                " ", " ", "  ", ".", ". ", "'", ",", ";", ":", "-", "_", "\"", "(", ")",
                "[", "]", "!", "?", "\n", "\r\n", "\r", "\t", "$", "%", "/", "&", "#",
                "...", ".\" ", "?' ", "\x0b", "\x0c", "*", "@", "~", "`",
                // Possessives, cut from the words in any case.
                "'s", "'S", "'s's", "s'",
            ])
            .prop_map(str::to_string),
            1 => "[ -~]{1,3}",
        ];
        proptest::collection::vec(piece, 0..40).prop_map(|v| v.concat())
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]
        #[test]
        fn pack_is_the_bytes_in_order(b in proptest::collection::vec(proptest::num::u8::ANY, 0..10)) {
            let by_byte = (b.len() <= 7).then(|| {
                b.iter()
                    .enumerate()
                    .fold((b.len() as u64) << 56, |k, (i, &c)| k | (u64::from(c) << (8 * i)))
            });
            proptest::prop_assert_eq!(pack(&b), by_byte);
        }

        #[test]
        fn ascii_tokens_are_the_general_ones(s in ascii_text(), base in 0usize..100) {
            proptest::prop_assert_eq!(ascii_tokens(&s, base), unicode_tokens(&s, base));
        }

        #[test]
        fn pack_wide_is_the_bytes_in_order(b in proptest::collection::vec(proptest::num::u8::ANY, 0..18)) {
            let n = b.len();
            let by_byte = (n <= 15).then(|| {
                let top = if n <= 7 { (n as u128) << 56 } else { (n as u128) << 120 };
                b.iter()
                    .enumerate()
                    .fold(top, |k, (i, &c)| k | (u128::from(c) << (8 * i)))
            });
            proptest::prop_assert_eq!(pack_wide(&b), by_byte);
        }

        /// The table of recent words answers as the full path does, for
        /// words asked again after others took their slots or not.
        #[test]
        fn content_term_is_the_full_path(
            words in proptest::collection::vec("[a-z0-9'-]{0,18}|the|of|2024|and|said|ten|policy", 1..60)
        ) {
            for w in words.iter().chain(words.iter().rev()) {
                let full = (!is_stopword(w) && !is_numeric(w)).then(|| term(w));
                proptest::prop_assert_eq!(token_info(w), (full, word_flags(w)), "{:?}", w);
            }
        }

        /// `non_stop_terms` gives the tokens that are not stopwords, each
        /// with its `term` (numbers included), in order.
        #[test]
        fn non_stop_terms_are_the_lookups(
            words in proptest::collection::vec("[a-zA-Z0-9'-]{0,18}|the|Of|2024|and|said|ten|policy|1990s", 1..40)
        ) {
            let text = words.join(" ");
            let toks = tokens(&text, 0..text.len());
            let want: Vec<(String, crate::core::terms::Term)> = toks
                .iter()
                .filter(|t| !is_stopword(&t.norm))
                .map(|t| (t.norm.clone(), term(&t.norm)))
                .collect();
            // Twice: the second time from the table.
            for _ in 0..2 {
                let mut got = Vec::new();
                non_stop_terms(&toks, |t, id| got.push((t.norm.clone(), id)));
                proptest::prop_assert_eq!(&got, &want);
            }
        }

        /// `non_stop_norms` gives the norms and terms `non_stop_terms` gives
        /// of the tokens, whichever words `keep` takes, each norm's place
        /// in the string it appends to: ASCII text (by the bytes), text
        /// with double curly quotes (also by the bytes), other text (by
        /// the tokens); possessives, capitals, numbers and words too long
        /// for the table's keys; asked twice, the second time from the
        /// table.
        #[test]
        fn non_stop_norms_are_the_tokens_lookups(
            text in proptest::prop_oneof![
                3 => ascii_text(),
                1 => "([a-zA-Z0-9'\u{201C}\u{201D} .,-]|Seventeen-letters|INTERNATIONALLY|1990s|Lee's|LEE'S){0,30}",
                1 => "[a-zA-Z’é서 .'-]{0,30}",
            ],
            range in (0usize..40, 0usize..120),
            keep_every in 1u32..4,
            prefix in "[a-z ]{0,3}",
        ) {
            let text = format!("{prefix}{text}");
            // A range of the text, on characters' ends.
            let mut lo = range.0.min(text.len());
            while !text.is_char_boundary(lo) {
                lo -= 1;
            }
            let mut hi = (lo + range.1).min(text.len());
            while !text.is_char_boundary(hi) {
                hi -= 1;
            }
            let keep = |t: crate::core::terms::Term| t.is_multiple_of(keep_every).then_some(t);
            let mut want = Vec::new();
            non_stop_terms(&tokens(&text, lo..hi), |t, id| {
                if let Some(v) = keep(id) {
                    want.push((v, t.norm.clone()));
                }
            });
            for _ in 0..2 {
                let mut norms = String::from("before");
                let mut out = Vec::new();
                let from = non_stop_norms(&text, lo..hi, &mut norms, &mut out, keep);
                let got: Vec<_> = out
                    .iter()
                    .map(|(v, at)| {
                        let norm = match from {
                            NormsIn::Text => text
                                .get(at.clone())
                                .filter(|w| w.is_ascii())
                                .map(str::to_ascii_lowercase),
                            NormsIn::Norms => norms.get(at.clone()).map(str::to_string),
                        };
                        (*v, norm.unwrap_or_else(|| "?".to_string()))
                    })
                    .collect();
                proptest::prop_assert_eq!(&got, &want);
                proptest::prop_assert!(norms.starts_with("before"));
            }
        }

        /// A refilled token list holds what a fresh one would, whatever it
        /// held before (longer or shorter sentences, other words, non-ASCII).
        #[test]
        fn a_refilled_token_buf_is_fresh_tokens(
            texts in proptest::collection::vec(
                proptest::prop_oneof![ascii_text(), "[a-zA-Z’‑é서 .'-]{0,30}"],
                1..5,
            )
        ) {
            let mut buf = TokenBuf::default();
            for t in &texts {
                let fresh = tokens(t, 0..t.len());
                proptest::prop_assert_eq!(buf.fill(t, 0..t.len()), fresh.as_slice());
            }
        }

        /// A word table answers as a scan of its lists would.
        #[test]
        fn word_tables_are_their_lists(w in "[a-z'\\x00]{0,10}") {
            let lists: [(&[&str], u8); 3] = [
                (STOPWORDS, 1),
                (&["a", "zz", "approximately", "a\0", "including"], 2),
                (&["the", "including", "tall", "abcdefgh"], 4),
            ];
            let table = WordTable::new(&lists);
            let want = lists
                .iter()
                .filter(|(l, _)| l.contains(&w.as_str()))
                .fold(0, |a, (_, f)| a | f);
            proptest::prop_assert_eq!(table.get(&w), want);
            for (l, _) in lists {
                for x in l {
                    let want = lists
                        .iter()
                        .filter(|(l, _)| l.contains(x))
                        .fold(0, |a, (_, f)| a | f);
                    proptest::prop_assert_eq!(table.get(x), want, "{:?}", x);
                }
            }
            proptest::prop_assert_eq!(is_stopword(&w), STOPWORDS.contains(&w.as_str()));
        }
    }

    fn crate_words(s: &str) -> Vec<Range<usize>> {
        s.split_word_bound_indices()
            .filter(|(_, w)| w.chars().any(|c| c.is_alphanumeric()))
            .map(|(i, w)| i..i + w.len())
            .collect()
    }

    fn crate_sentences(s: &str) -> Vec<Range<usize>> {
        s.split_sentence_bound_indices()
            .map(|(i, w)| i..i + w.len())
            .collect()
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4000))]
        #[test]
        fn ascii_words_match_the_crate(s in ascii_text()) {
            let ours: Vec<Range<usize>> = ascii_word_spans(s.as_bytes(), &std::cell::Cell::new(false)).collect();
            proptest::prop_assert_eq!(ours, crate_words(&s));
        }

        #[test]
        fn ascii_sentences_match_the_crate(s in ascii_text()) {
            proptest::prop_assert_eq!(ascii_sentence_spans(s.as_bytes(), &SENT_CLASSES), crate_sentences(&s));
        }

        #[test]
        fn any_ascii_matches_the_crate(s in "[\\x00-\\x7f]{0,60}") {
            let ours: Vec<Range<usize>> = ascii_word_spans(s.as_bytes(), &std::cell::Cell::new(false)).collect();
            proptest::prop_assert_eq!(ours, crate_words(&s));
            proptest::prop_assert_eq!(ascii_sentence_spans(s.as_bytes(), &SENT_CLASSES), crate_sentences(&s));
        }
    }

    /// ASCII text with curly quotes, double and (with `single`) single.
    fn quoted_text(single: bool) -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let quotes: Vec<&str> = if single {
            vec![
                "\u{201C}",
                "\u{201D}",
                "\u{2018}",
                "\u{2019}",
                ".\u{201D} ",
                "?\u{2019} ",
            ]
        } else {
            vec![
                "\u{201C}",
                "\u{201D}",
                ".\u{201D} ",
                "\u{201C}a\u{201D}",
                "-\u{201C}",
            ]
        };
        let piece = prop_oneof![
            3 => ascii_text(),
            2 => proptest::sample::select(quotes).prop_map(str::to_string),
        ];
        proptest::collection::vec(piece, 0..6).prop_map(|v| v.concat())
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4000))]
        /// The sentences of ASCII with curly quotes, by the byte machine,
        /// are the crate's.
        #[test]
        fn quoted_sentences_match_the_crate(s in quoted_text(true)) {
            proptest::prop_assert!(only_curly_quotes(s.as_bytes(), true));
            proptest::prop_assert_eq!(
                ascii_sentence_spans(s.as_bytes(), &QUOTED_SENT_CLASSES),
                crate_sentences(&s),
                "{:?}",
                s
            );
        }

        /// The tokens of ASCII with double curly quotes, by the ASCII
        /// path, are the crate's.
        #[test]
        fn quoted_words_match_the_crate(s in quoted_text(false), base in 0usize..50) {
            proptest::prop_assert!(only_curly_quotes(s.as_bytes(), false));
            let mut buf = TokenBuf::default();
            buf.ascii_tokens(&s, base);
            let by_bytes = buf.toks.get(..buf.len).unwrap_or(&[]).to_vec();
            proptest::prop_assert_eq!(by_bytes, unicode_tokens(&s, base), "{:?}", s);
            let by_crate = unicode_tokens(&s, 0);
            let (toks, plain) = buf.fill_plain(&s, 0..s.len());
            proptest::prop_assert_eq!(toks, by_crate.as_slice());
            proptest::prop_assert!(s.is_ascii() || !plain);
        }

        /// Only curly quotes pass as curly quotes.
        #[test]
        fn only_curly_quotes_is_the_char_test(s in "[a-z \u{201C}\u{201D}\u{2018}\u{2019}\u{2014}\u{e9}]{0,12}", single in proptest::bool::ANY) {
            let want = s.chars().all(|c| {
                c.is_ascii()
                    || matches!(c, '\u{201C}' | '\u{201D}')
                    || (single && matches!(c, '\u{2018}' | '\u{2019}'))
            });
            proptest::prop_assert_eq!(only_curly_quotes(s.as_bytes(), single), want);
        }
    }

    #[test]
    fn ascii_fast_paths_on_written_cases() {
        for s in [
            "",
            "Mr. Smith's dog, aged 3.5, ran 1,000 m: a_b c:d e.f 'quoted' \"x.\" Y",
            "He left. Then (at 5 p.m.) she said: \"no.\" and he... left!? OK.\r\n\r\nNext",
            "U.S. troops. e.g. this. 3.14. A.B. the end.   \n",
            "don't can't rock'n'roll '90s 1990's __init__ _x x_ 1_000",
        ] {
            let ours: Vec<Range<usize>> =
                ascii_word_spans(s.as_bytes(), &std::cell::Cell::new(false)).collect();
            assert_eq!(ours, crate_words(s), "{s:?}");
            assert_eq!(
                ascii_sentence_spans(s.as_bytes(), &SENT_CLASSES),
                crate_sentences(s),
                "{s:?}"
            );
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(5000))]
        /// Eight byte tests at once give each byte's test.
        #[test]
        fn byte_range_mask_is_the_byte_test(
            b in proptest::collection::vec(proptest::num::u8::ANY, 0..20),
            lo in 0u8..0x80,
            hi in 0u8..0x80,
        ) {
            let words: Vec<u64> = words_of(&b).collect();
            proptest::prop_assert_eq!(words.len(), b.len().div_ceil(8));
            for (i, &c) in b.iter().enumerate() {
                let (w, k) = (words[i / 8], i % 8);
                proptest::prop_assert_eq!((w >> (8 * k)) as u8, c);
                let m = byte_range_mask(w, lo, hi);
                proptest::prop_assert_eq!(
                    (m >> (8 * k)) & 0xFF,
                    if c.is_ascii() && (lo..=hi).contains(&c) { 0x80 } else { 0 },
                    "byte {} in {}..={}", c, lo, hi
                );
            }
            // The padding bytes are zero.
            if let Some(&last) = words.last() {
                let used = (b.len() - 1) % 8 + 1;
                proptest::prop_assert_eq!(last.checked_shr(8 * used as u32).unwrap_or(0), 0);
            }
        }

        /// Appending a run's terms by plain tests of the options gives
        /// what extending by them did.
        #[test]
        fn extend_content_terms_is_extending_by_the_options(
            tt in proptest::collection::vec(
                (
                    proptest::option::of(0u32..50),
                    proptest::option::of(0u32..50),
                    proptest::num::u16::ANY,
                ),
                0..12,
            ),
            pre in proptest::collection::vec(0u32..50, 0..3),
        ) {
            let terms: Vec<TokenTerms> = tt
                .iter()
                .map(|&(own, joined, flags)| TokenTerms { own, joined, flags })
                .collect();
            let mut want = pre.clone();
            for (i, t) in terms.iter().enumerate() {
                want.extend(t.own);
                if i > 0 {
                    want.extend(t.joined);
                }
            }
            let mut got = pre;
            extend_content_terms(&mut got, &terms);
            proptest::prop_assert_eq!(got, want);
        }

        /// The capital test of whole words is the byte test.
        #[test]
        fn any_upper_is_the_byte_test(b in proptest::collection::vec(proptest::num::u8::ANY, 0..20)) {
            proptest::prop_assert_eq!(any_upper(&b), b.iter().any(u8::is_ascii_uppercase));
        }

        /// A plain text's tokens are its runs of word bytes that hold a
        /// letter or a digit, and a text whose tokens are not is not plain.
        #[test]
        fn plain_tokens_are_the_runs_of_word_bytes(
            s in proptest::prop_oneof![ascii_text(), "[a-zA-Z0-9_ .,;:'\u{e9}-]{0,30}"]
        ) {
            let mut buf = TokenBuf::default();
            let (toks, plain) = buf.fill_plain(&s, 0..s.len());
            let spans: Vec<Range<usize>> = toks.iter().map(|t| t.span.clone()).collect();
            let b = s.as_bytes();
            let word = |c: &u8| c.is_ascii_alphanumeric() || *c == b'_';
            let mut runs = Vec::new();
            let mut i = 0;
            while i < b.len() {
                if word(&b[i]) {
                    let start = i;
                    while i < b.len() && word(&b[i]) {
                        i += 1;
                    }
                    if b[start..i].iter().any(u8::is_ascii_alphanumeric) {
                        runs.push(start..i);
                    }
                } else {
                    i += 1;
                }
            }
            if plain {
                proptest::prop_assert_eq!(&spans, &runs, "{:?}", s);
            } else {
                proptest::prop_assert!(!s.is_ascii() || spans != runs, "{:?}", s);
            }
        }

        /// The digit test of whole words is the test of every char.
        #[test]
        fn digit_gate_is_the_char_test(s in "[a-z0-9 .\u{661}\u{e9}\u{bd}\u{b2}]{0,40}") {
            let want = s.chars().any(char::is_numeric);
            proptest::prop_assert_eq!(!digit_gate(&s).is_empty(), want, "{:?}", s);
        }
    }

    #[test]
    fn line_col_counts_bytes() {
        assert_eq!(line_col("ab\ncé\nx", 6), (1, 3));
        assert_eq!(line_col("ab", 99), (0, 2));
    }
}
