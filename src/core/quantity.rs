//! Quantities: numbers in digits or words, with their approximators turned
//! into intervals, their unit or head noun, and a rate ("per day") when stated.
//! Number words are parsed by `text2num`; the approximator and unit lexicons
//! are ours (English news usage).

use std::ops::Range;
use std::sync::OnceLock;

use regex::Regex;
use text2num::{text2digits, Language};

use super::text::{self, Token, TokenTerms};

/// How a number was qualified.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Approx {
    Exact,
    /// more than / over
    Above,
    /// at least / no fewer than
    AtLeast,
    /// nearly / almost / close to
    Nearly,
    /// about / around / some / roughly
    About,
    /// up to / as many as / at most
    AtMost,
    /// less than / fewer than / under
    Below,
}

impl Approx {
    pub fn word(self) -> &'static str {
        match self {
            Approx::Exact => "",
            Approx::Above => "more than",
            Approx::AtLeast => "at least",
            Approx::Nearly => "nearly",
            Approx::About => "about",
            Approx::AtMost => "up to",
            Approx::Below => "less than",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Quantity {
    /// Span of the number with its approximator and unit.
    pub span: Range<usize>,
    pub value: f64,
    /// Upper end for stated ranges ("10 to 20").
    pub value_hi: Option<f64>,
    pub approx: Approx,
    /// Interval of values the wording allows, inclusive ends.
    pub low: f64,
    pub high: f64,
    /// Normalised unit or head noun (stemmed), e.g. "member", "percent", "usd", "minut".
    pub head: Option<String>,
    /// "per hour", "a day": the rate's time unit.
    pub per: Option<String>,
    /// Written as a score or ratio "11-10".
    pub score: Option<(u32, u32)>,
    /// Place value of the last significant digit as written: 1e9 for
    /// "$15 billion", 0.1 for "15.3", 100 for "200". Tells a rounded figure
    /// from a precise one.
    pub precision: f64,
    /// Written as an ordinal ("ninth", "32nd").
    pub ordinal: bool,
}

impl Quantity {
    /// Significant digits as written ("200" → 1, "217" → 3, "$15.3bn" → 3).
    pub fn sig_digits(&self) -> u32 {
        if self.precision <= 0.0 || self.value == 0.0 {
            return 1;
        }
        ((self.value.abs() / self.precision).log10().floor() as i64 + 1).max(1) as u32
    }

    /// A round figure: one significant digit ("200", "two million").
    pub fn is_round(&self) -> bool {
        self.sig_digits() <= 1
    }

    pub fn display(&self) -> String {
        let mut s = String::new();
        if self.approx != Approx::Exact {
            s.push_str(self.approx.word());
            s.push(' ');
        }
        if let Some((a, b)) = self.score {
            return format!("{a}-{b}");
        }
        s.push_str(&fmt_num(self.value));
        if let Some(h) = self.value_hi {
            s.push_str(" to ");
            s.push_str(&fmt_num(h));
        }
        if let Some(h) = &self.head {
            s.push(' ');
            s.push_str(h);
        }
        if let Some(p) = &self.per {
            s.push_str(" per ");
            s.push_str(p);
        }
        s
    }
}

pub fn fmt_num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

/// A number found in the text: span, value, unit, precision, ordinal.
type RawNumber = (Range<usize>, f64, Option<String>, f64, bool);

fn english() -> &'static Language {
    static L: OnceLock<Language> = OnceLock::new();
    L.get_or_init(Language::english)
}

/// The number words the `words` pattern reads (and [`number_word`] parses).
const CARDINALS: [&str; 33] = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
    "twenty",
    "thirty",
    "forty",
    "fifty",
    "sixty",
    "seventy",
    "eighty",
    "ninety",
    "hundred",
    "thousand",
    "million",
    "billion",
    "trillion",
];

/// [`CARDINALS`] as a pattern: one of them.
fn number_words() -> String {
    format!("(?:{})", CARDINALS.join("|"))
}

struct Patterns {
    number: Regex,
    words: Regex,
    ordinals: Regex,
}

const ORDINALS: [&str; 20] = [
    "first",
    "second",
    "third",
    "fourth",
    "fifth",
    "sixth",
    "seventh",
    "eighth",
    "ninth",
    "tenth",
    "eleventh",
    "twelfth",
    "thirteenth",
    "fourteenth",
    "fifteenth",
    "sixteenth",
    "seventeenth",
    "eighteenth",
    "nineteenth",
    "twentieth",
];

/// An ordinal that is part of a name: "the Eighth Amendment", "8th Amendment",
/// "Second World War" — followed by a capitalised word.
/// A written-out ordinal counts only when itself capitalised ("a record ninth
/// League Cup" is a count; "the Eighth Amendment" a name).
fn ordinal_in_name(text: &str, r: &Range<usize>) -> bool {
    let word = text.get(r.clone()).unwrap_or("");
    let after = text.get(r.end..).unwrap_or("");
    let next_cap = after
        .strip_prefix(' ')
        .unwrap_or("")
        .chars()
        .next()
        .is_some_and(char::is_uppercase);
    let first = word.chars().next();
    let capitalised_word = first.is_some_and(char::is_uppercase);
    let digits = first.is_some_and(|c| c.is_ascii_digit());
    next_cap && (capitalised_word || digits)
}

fn ordinal_value(w: &str) -> Option<f64> {
    let low = w.to_lowercase();
    ORDINALS
        .iter()
        .position(|o| *o == low)
        .map(|i| (i + 1) as f64)
}

fn patterns() -> &'static Patterns {
    static P: OnceLock<Patterns> = OnceLock::new();
    P.get_or_init(|| {
        let r = |s: &str| Regex::new(s).unwrap_or_else(|e| panic!("quantity pattern {s}: {e}"));
        Patterns {
            // digits with separators, optional currency and magnitude suffixes
            number: r(r"(?i)(?:(US\$|\$|£|€|A\$|C\$)\s?)?\b(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?(?:(bn|m|k|tn|pc|%|tb|gb|mb|km|kg|mph|st|nd|rd|th)\b|(%))?(?:\s?(billion|million|trillion|thousand)\b)?"),
            ordinals: r(&format!(r"(?i)\b(?:{})\b", ORDINALS.join("|"))),
            words: r(&format!(
                r"(?i)\b(?:a |an )?{n}(?:(?:\s+|-|\s+and\s+){n})*\b|\b(?:a couple of|couple of|dozens of|a dozen|hundreds of|thousands of|millions of)\b",
                n = number_words()
            )),
        }
    })
}

/// Approximators, longest first, as they appear before the number.
const BEFORE: &[(&str, Approx)] = &[
    ("no fewer than", Approx::AtLeast),
    ("no less than", Approx::AtLeast),
    ("a minimum of", Approx::AtLeast),
    ("at least", Approx::AtLeast),
    ("in excess of", Approx::Above),
    ("upwards of", Approx::Above),
    ("more than", Approx::Above),
    ("well over", Approx::Above),
    ("just over", Approx::Above),
    ("greater than", Approx::Above),
    ("exceeding", Approx::Above),
    ("above", Approx::Above),
    ("over", Approx::Above),
    ("close to", Approx::Nearly),
    ("just under", Approx::Nearly),
    ("nearly", Approx::Nearly),
    ("almost", Approx::Nearly),
    ("approaching", Approx::Nearly),
    ("an estimated", Approx::About),
    ("approximately", Approx::About),
    ("roughly", Approx::About),
    ("around", Approx::About),
    ("about", Approx::About),
    ("some", Approx::About),
    ("circa", Approx::About),
    ("as many as", Approx::AtMost),
    ("no more than", Approx::AtMost),
    ("at most", Approx::AtMost),
    ("up to", Approx::AtMost),
    ("fewer than", Approx::Below),
    ("less than", Approx::Below),
    ("under", Approx::Below),
    ("below", Approx::Below),
];

/// Units and head nouns folded to one name.
fn canonical_unit(word: &str) -> String {
    let w = word.to_lowercase();
    let w = w.trim_end_matches('.');
    match w {
        "%" | "pc" | "percent" | "per cent" | "percentage" => "percent".into(),
        "tb" | "terabyte" | "terabytes" => "terabyte".into(),
        "gb" | "gigabyte" | "gigabytes" => "gigabyte".into(),
        "km" | "kilometre" | "kilometres" | "kilometer" | "kilometers" => "km".into(),
        "mile" | "miles" => "mile".into(),
        "storey" | "storeys" | "story" | "stories" | "floor" | "floors" => "storey".into(),
        "yr" | "yrs" => "year".into(),
        "min" | "mins" => "minut".into(),
        "hr" | "hrs" => "hour".into(),
        "people" | "person" | "persons" | "individuals" | "individual" => "people".into(),
        _ => text::stem(w),
    }
}

/// Time units a rate can be "per".
const RATE_UNITS: &[&str] = &[
    "second", "minute", "hour", "day", "week", "month", "year", "night", "game", "match", "capita",
    "head", "share",
];

/// Words that are not the head noun of a quantity even when they follow it.
fn skip_as_head(w: &str) -> bool {
    text::is_stopword(w)
        || matches!(
            w,
            "were"
                | "was"
                | "are"
                | "is"
                | "had"
                | "have"
                | "died"
                | "killed"
                | "people's"
                | "per"
                | "percent"
                | "more"
                | "less"
                | "others"
                | "other"
                | "dead"
                | "injured"
                | "hurt"
                | "missing"
                | "left"
                | "later"
                | "earlier"
                | "ago"
                | "years'"
                // prepositions the stopword list leaves out: "four hours under the rules"
                | "under"
                | "since"
                | "until"
                | "within"
                | "without"
                | "across"
                | "amid"
                | "despite"
                | "against"
                | "behind"
                | "beyond"
                | "inside"
                | "outside"
                | "toward"
                | "towards"
                | "via"
        )
}

/// Adjectives that may sit between a number and its noun; the noun is the head.
fn is_modifier(w: &str) -> bool {
    matches!(
        w,
        "dead"
            | "new"
            | "additional"
            | "more"
            | "other"
            | "further"
            | "confirmed"
            | "known"
            | "reported"
            | "full"
            | "key"
            | "major"
            | "large"
            | "small"
            | "senior"
            | "young"
            | "total"
            | "separate"
            | "different"
            | "business"
            | "economic"
            | "trade"
            | "official"
            | "consecutive"
            | "straight"
            | "previous"
            | "valid"
            | "registered"
            | "eligible"
    )
}

/// The value of one number word ("forty" → 40), so that quotations that
/// spell a figure differently ("10 or twenty years") compare equal.
pub fn number_word(w: &str) -> Option<f64> {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = RE.get_or_init(|| {
        Regex::new(&format!("^(?i){}$", number_words()))
            .unwrap_or_else(|e| panic!("number word pattern: {e}"))
    });
    if re.is_match(w) {
        parse_words(w)
    } else {
        None
    }
}

fn parse_words(s: &str) -> Option<f64> {
    let low = s.to_lowercase();
    let low = low.trim();
    match low {
        "a dozen" => return Some(12.0),
        "dozens of" => return Some(24.0),
        "a couple of" | "couple of" => return Some(2.0),
        "hundreds of" => return Some(200.0),
        "thousands of" => return Some(2000.0),
        "millions of" => return Some(2_000_000.0),
        "a" | "an" | "half a" => return None,
        _ => {}
    }
    let cleaned = low
        .trim_start_matches("a ")
        .trim_start_matches("an ")
        .replace(" and ", " ");
    let cleaned = if cleaned.starts_with("hundred")
        || cleaned.starts_with("thousand")
        || cleaned.starts_with("million")
    {
        format!("one {cleaned}")
    } else {
        cleaned
    };
    let digits = text2digits(&cleaned, english()).ok()?;
    digits.parse::<f64>().ok()
}

/// The values a wording allows. An unqualified figure stands for what rounds
/// to it at the precision it was written with ("$15 billion" covers 14.5–15.5 billion).
fn interval(v: f64, approx: Approx, precision: f64) -> (f64, f64) {
    match approx {
        Approx::Exact if precision > 1.0 => (v - precision / 2.0, v + precision / 2.0),
        Approx::Exact => (v, v),
        Approx::Above => (v + v.abs() * 1e-9 + 1e-9, f64::INFINITY),
        Approx::AtLeast => (v, f64::INFINITY),
        Approx::Nearly => (v * 0.9, v - v.abs() * 1e-9 - 1e-9),
        Approx::About => (v * 0.9, v * 1.1),
        Approx::AtMost => (0.0, v),
        Approx::Below => (0.0, v - v.abs() * 1e-9 - 1e-9),
    }
}

/// Whether `s` may hold a match of the `words` pattern and of the
/// `ordinals` pattern: a prefilter, never false where the pattern matches
/// (`spelled_numbers_never_hide_a_match` checks it).
///
/// Every match of `words` starts with a whole word (between `\b`s) that is
/// one of [`CARDINALS`] or "couple", "dozen", "dozens", "hundreds",
/// "thousands", "millions": whatever follows the first number word is a
/// space, a hyphen or a word boundary. Every match of `ordinals` is a whole
/// word of [`ORDINALS`]. So it is enough to look at each run of word
/// characters, lower-cased. Under `(?i)` the only non-ASCII characters that
/// match an ASCII letter are `ſ` (s) and `K` (k, in none of the words;
/// `only_long_s_and_kelvin_fold_to_ascii` checks this): `ſ` is read as `s`
/// and every other non-ASCII character ends a run. A run that a non-ASCII
/// letter splits is then read as pieces, which only adds candidates.
fn spelled_numbers(s: &str) -> (bool, bool) {
    let b = s.as_bytes();
    // The longest word of either list is 11 bytes ("seventeenth").
    let mut word = [0u8; 12];
    let mut len = 0usize;
    let (mut number, mut ordinal) = (false, false);
    let table = spelled_words();
    let mut i = 0;
    loop {
        let c = b.get(i).copied();
        let letter = match c {
            Some(c) => match WORD_BYTES[usize::from(c)] {
                // U+017F LATIN SMALL LETTER LONG S, which `(?i)` folds to `s`.
                0 if c == 0xC5 && b.get(i + 1) == Some(&0xBF) => {
                    i += 1;
                    Some(b's')
                }
                0 => None,
                l => Some(l),
            },
            None => None,
        };
        match letter {
            Some(l) => {
                if let Some(slot) = word.get_mut(len) {
                    *slot = l;
                }
                len += 1;
            }
            None => {
                if (3..=word.len()).contains(&len) {
                    let flags = table.get_bytes(word.get(..len).unwrap_or(&[]));
                    number |= flags & 1 != 0;
                    ordinal |= flags & 2 != 0;
                    if number && ordinal {
                        break;
                    }
                }
                len = 0;
                if c.is_none() {
                    break;
                }
            }
        }
        i += 1;
    }
    (number, ordinal)
}

/// The bytes of a word (`\w` in ASCII: letters, digits, `_`) lower-cased;
/// 0 for every other byte.
static WORD_BYTES: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        if c.is_ascii_alphanumeric() || c == b'_' {
            t[b] = c.to_ascii_lowercase();
        }
        b += 1;
    }
    t
};

/// The words [`spelled_numbers`] looks for: flag 1 for a word that can
/// start a match of `words` ([`is_number_word`]), 2 for an ordinal.
fn spelled_words() -> &'static super::text::WordTable {
    static T: OnceLock<super::text::WordTable> = OnceLock::new();
    T.get_or_init(|| {
        super::text::WordTable::new(&[(&CARDINALS, 1), (QUANTITY_NOUNS, 1), (&ORDINALS, 2)])
    })
}

/// The spelled-number flags of a lower-case word (1: it may start a
/// number-word match, 2: an ordinal), carried by each token's
/// `text::TokenTerms` (see [`spelled_numbers_in_tokens`]).
pub(crate) fn spelled_flags(w: &str) -> u8 {
    spelled_words().get(w)
}

/// The whole words beside [`CARDINALS`] that can start a match of the
/// `words` pattern.
const QUANTITY_NOUNS: &[&str] = &[
    "couple",
    "dozen",
    "dozens",
    "hundreds",
    "thousands",
    "millions",
];

/// [`spelled_numbers`] of a sentence `s` read from its `tokens` (spans in
/// `text`), when that is the same: `s` is ASCII (no `ſ`) and no `.` `,`
/// `'` `:` `;` stands between two word bytes. Then no token was joined
/// across punctuation (UAX #29 joins words only so), every token is one
/// maximal run of word bytes, and every run holding a letter is a token:
/// the runs the byte loop reads are the tokens. `None` otherwise.
///
/// Then a token's normalised word is its bytes lower-cased (no `'`, so no
/// possessive to drop), and the table's words are lower-case letters, so
/// the token's [`spelled_flags`] carried in `tterms` (one per token, when
/// given) are the table's answer for its bytes: no lookup per token
/// (checked in `spelled_numbers_never_hide_a_match`).
///
/// `plain` tells that the tokenizer found `s` plain (`TokenBuf::fill_plain`:
/// ASCII, no token joined across punctuation), which is what the test of
/// the punctuation establishes, without searching `s` for it.
fn spelled_numbers_in_tokens(
    text: &str,
    s: &str,
    tokens: &[Token],
    tterms: Option<(&[TokenTerms], u16)>,
    plain: bool,
) -> Option<(bool, bool)> {
    if !plain {
        let b = s.as_bytes();
        if !b.is_ascii() {
            return None;
        }
        let word = |p: Option<usize>| {
            p.and_then(|p| b.get(p))
                .is_some_and(|&c| WORD_BYTES[usize::from(c)] != 0)
        };
        let flanked = |p: usize| word(p.checked_sub(1)) && word(Some(p + 1));
        if memchr::memchr3_iter(b'.', b',', b'\'', b).any(flanked)
            || memchr::memchr2_iter(b':', b';', b).any(flanked)
        {
            return None;
        }
    }
    let (mut number, mut ordinal) = (false, false);
    if let Some((tt, all)) = tterms.filter(|(tt, _)| tt.len() == tokens.len()) {
        // No token in the lists (most sentences): no token to read.
        if (all >> super::text::SPELLED_SHIFT) & 3 == 0 {
            return Some((false, false));
        }
        for (t, tt) in tokens.iter().zip(tt) {
            if !(3..=11).contains(&t.span.len()) {
                continue;
            }
            let flags = tt.flags() >> super::text::SPELLED_SHIFT;
            number |= flags & 1 != 0;
            ordinal |= flags & 2 != 0;
        }
        return Some((number, ordinal));
    }
    let table = spelled_words();
    for t in tokens {
        if !(3..=11).contains(&t.span.len()) {
            continue;
        }
        let flags = table.get_word_folded(text.get(t.span.clone())?.as_bytes());
        number |= flags & 1 != 0;
        ordinal |= flags & 2 != 0;
    }
    Some((number, ordinal))
}

/// A whole word that can start a match of the `words` pattern (lower case).
#[cfg(test)]
fn is_number_word(w: &[u8]) -> bool {
    matches!(
        w,
        b"zero"
            | b"one"
            | b"two"
            | b"three"
            | b"four"
            | b"five"
            | b"six"
            | b"seven"
            | b"eight"
            | b"nine"
            | b"ten"
            | b"eleven"
            | b"twelve"
            | b"thirteen"
            | b"fourteen"
            | b"fifteen"
            | b"sixteen"
            | b"seventeen"
            | b"eighteen"
            | b"nineteen"
            | b"twenty"
            | b"thirty"
            | b"forty"
            | b"fifty"
            | b"sixty"
            | b"seventy"
            | b"eighty"
            | b"ninety"
            | b"hundred"
            | b"thousand"
            | b"million"
            | b"billion"
            | b"trillion"
            | b"couple"
            | b"dozen"
            | b"dozens"
            | b"hundreds"
            | b"thousands"
            | b"millions"
    )
}

/// A whole word that the `ordinals` pattern matches (lower case).
#[cfg(test)]
fn is_ordinal(w: &[u8]) -> bool {
    ORDINALS.iter().any(|o| o.as_bytes() == w)
}

/// One match of the `number` pattern: the byte ranges, in the searched
/// string, of the whole match and of its groups (1: currency, 2: integer
/// part, 3: decimals, 4: suffix word, 5: a `%` that group 4 did not take,
/// 6: magnitude word).
#[derive(Debug, Clone, PartialEq, Eq)]
struct NumberMatch {
    all: Range<usize>,
    currency: Option<Range<usize>>,
    int: Range<usize>,
    frac: Option<Range<usize>>,
    suffix: Option<Range<usize>>,
    percent: Option<Range<usize>>,
    magnitude: Option<Range<usize>>,
}

/// The matches of the `number` pattern (`re`) in `s`, in order, as its
/// `captures_iter` gives them: an ASCII string (nearly every sentence) is
/// read by [`ascii_number_matches`], any other searched by `re`.
fn number_matches(re: &Regex, s: &str) -> Vec<NumberMatch> {
    if s.is_empty() {
        return Vec::new();
    }
    if s.is_ascii() {
        return ascii_number_matches(s);
    }
    regex_number_matches(re, s)
}

/// [`number_matches`] by the regex.
fn regex_number_matches(re: &Regex, s: &str) -> Vec<NumberMatch> {
    let range = |m: regex::Match| m.start()..m.end();
    super::text::captures_in(re, s)
        .into_iter()
        .filter_map(|c| {
            Some(NumberMatch {
                all: c.get(0).map(range)?,
                currency: c.get(1).map(range),
                int: c.get(2).map(range)?,
                frac: c.get(3).map(range),
                suffix: c.get(4).map(range),
                percent: c.get(5).map(range),
                magnitude: c.get(6).map(range),
            })
        })
        .collect()
}

/// The suffix words of the `number` pattern's group 4, in its order.
const NUMBER_SUFFIXES: [&str; 16] = [
    "bn", "m", "k", "tn", "pc", "%", "tb", "gb", "mb", "km", "kg", "mph", "st", "nd", "rd", "th",
];

/// The magnitude words of the `number` pattern's group 6.
const MAGNITUDES: [&str; 4] = ["billion", "million", "trillion", "thousand"];

/// The matches of the `number` pattern in an ASCII `s`, read from its
/// bytes: the same as the regex gives (`ascii_numbers_are_the_patterns`
/// compares them), at a fraction of the cost (the regex's captures were a
/// twentieth of parsing). The pattern, `(?i)` with Unicode classes, reads
/// in ASCII as: `\d` a byte 0-9, `\s` one of `\t \n \x0B \x0C \r`
/// and space, `\b` a change between a word byte (`[A-Za-z0-9_]`) and
/// another, letters in either case (`ſ` and the Kelvin sign, which also
/// fold to `s` and `k`, are not ASCII). Everything after the integer part
/// is optional, so the first way of matching in the pattern's order is
/// always taken: each optional part is taken, greedily, when it can be,
/// and nothing is ever given back.
///
/// Where matches start: every match holds an integer part, whose first
/// digit has a word boundary before it (the pattern's `\b`, or the
/// currency sign or space before it, which are not word bytes). A match
/// starts at that digit, or earlier at its currency ("US$", "$", "A$",
/// "C$", then a space or not); the bytes between a currency's start and
/// its digit are no digits, so a match whose integer starts at an earlier
/// digit starts earlier: the leftmost match is found by trying the digits
/// in order. Like the regex's iteration, the next search starts where a
/// match ends, and no match starts before that (its currency is then left
/// out, as the regex would start at the digit).
fn ascii_number_matches(s: &str) -> Vec<NumberMatch> {
    let b = s.as_bytes();
    let at = |i: usize| b.get(i).copied();
    let word = |i: Option<usize>| {
        i.and_then(|i| b.get(i))
            .is_some_and(|&c| c.is_ascii_alphanumeric() || c == b'_')
    };
    // `\b` before byte `i`.
    let boundary = |i: usize| word(i.checked_sub(1)) != word(Some(i));
    let digit = |i: usize| at(i).is_some_and(|c| c.is_ascii_digit());
    let space =
        |i: usize| at(i).is_some_and(|c| matches!(c, b'\t' | b'\n' | 0x0B | 0x0C | b'\r' | b' '));
    let digits_from = |i: usize| {
        b.get(i..)
            .map_or(0, |r| r.iter().take_while(|c| c.is_ascii_digit()).count())
    };
    let word_at = |i: usize, w: &str| {
        b.get(i..i + w.len())
            .is_some_and(|h| h.eq_ignore_ascii_case(w.as_bytes()))
            && boundary(i + w.len())
    };
    let mut out = Vec::new();
    // Matches start at `from` or later; the digits are tried from `next`.
    let mut from = 0;
    let mut next = 0;
    while let Some(d) = b
        .get(next..)
        .and_then(|r| r.iter().position(u8::is_ascii_digit))
    {
        let q = next + d;
        next = q + 1;
        if !boundary(q) {
            continue;
        }
        // The currency before the digit, directly or across one space:
        // "US$" is tried first (it starts leftmost), then "A$" or "C$",
        // then "$", as the regex, trying start positions from the left,
        // would find them.
        let sign = match q.checked_sub(1) {
            Some(j) if at(j) == Some(b'$') => Some(j),
            Some(j) if space(j) && j.checked_sub(1).and_then(at) == Some(b'$') => j.checked_sub(1),
            _ => None,
        };
        let currency = sign.and_then(|j| {
            let us = j.checked_sub(2).filter(|&u| {
                u >= from && b.get(u..j).is_some_and(|h| h.eq_ignore_ascii_case(b"us"))
            });
            let ac = j
                .checked_sub(1)
                .filter(|&a| a >= from && matches!(at(a), Some(b'a' | b'A' | b'c' | b'C')));
            let start = us.or(ac).or((j >= from).then_some(j))?;
            Some(start..j + 1)
        });
        // The integer part: groups of three after commas when the first
        // run has at most three digits and one such group follows, else
        // the run of digits.
        let run = digits_from(q);
        let group = |i: usize| at(i) == Some(b',') && digits_from(i + 1) >= 3;
        let mut end = q + run;
        if run <= 3 && group(end) {
            while group(end) {
                end += 4;
            }
        }
        let int = q..end;
        let frac = (at(end) == Some(b'.') && digit(end + 1)).then(|| {
            let f = end + 1..end + 1 + digits_from(end + 1);
            end = f.end;
            f
        });
        let suffix = NUMBER_SUFFIXES
            .iter()
            .find(|w| word_at(end, w))
            .map(|w| end..end + w.len());
        let percent = match &suffix {
            Some(r) => {
                end = r.end;
                None
            }
            None => (at(end) == Some(b'%')).then(|| {
                end += 1;
                end - 1..end
            }),
        };
        // `\s?` takes a space when a magnitude follows it; without the
        // space, a magnitude must follow directly.
        let mag_at = if space(end) { end + 1 } else { end };
        let magnitude = MAGNITUDES
            .iter()
            .find(|w| word_at(mag_at, w))
            .map(|w| mag_at..mag_at + w.len());
        if let Some(m) = &magnitude {
            end = m.end;
        }
        let start = currency.as_ref().map_or(q, |c| c.start);
        out.push(NumberMatch {
            all: start..end,
            currency,
            int,
            frac,
            suffix,
            percent,
            magnitude,
        });
        from = end;
        next = end;
    }
    out
}

/// Find quantities in `text[range]`; `skip` are spans already claimed by dates.
pub fn find(
    text: &str,
    range: Range<usize>,
    tokens: &[Token],
    skip: &[Range<usize>],
) -> Vec<Quantity> {
    let digits = text
        .get(range.clone())
        .is_some_and(|s| !super::text::digit_gate(s).is_empty());
    find_in(text, range, tokens, None, skip, digits, false)
}

/// [`find`], told whether `text[range]` holds a digit (whether
/// [`super::text::digit_gate`] passes it; see [`super::dates::find_in`]).
/// `tterms`, when given, are the tokens' terms (one per token), whose
/// flags spare a lookup of each word, with the union of those flags (a
/// sentence without a number word is settled by it); `plain`, that the
/// tokenizer found the text plain (`text::TokenBuf::fill_plain`; false
/// when not known).
pub fn find_in(
    text: &str,
    range: Range<usize>,
    tokens: &[Token],
    tterms: Option<(&[TokenTerms], u16)>,
    skip: &[Range<usize>],
    digits: bool,
    plain: bool,
) -> Vec<Quantity> {
    let Some(s) = text.get(range.clone()) else {
        return Vec::new();
    };
    let base = range.start;
    let p = patterns();
    let mut raw: Vec<RawNumber> = Vec::new();
    let overlaps =
        |r: &Range<usize>, v: &[Range<usize>]| v.iter().any(|o| o.start < r.end && r.start < o.end);

    // The number pattern needs a digit.
    let with_digits = if digits { s } else { "" };
    let part = |r: &Range<usize>| s.get(r.clone()).unwrap_or("");
    for c in number_matches(&p.number, with_digits) {
        let r = base + c.all.start..base + c.all.end;
        if overlaps(&r, skip) {
            continue;
        }
        let int = part(&c.int);
        let frac = c.frac.as_ref().map(part).unwrap_or("");
        let Ok(mut v) = format!(
            "{}.{}",
            int.replace(',', ""),
            if frac.is_empty() { "0" } else { frac }
        )
        .parse::<f64>() else {
            continue;
        };
        let suffix = c
            .suffix
            .as_ref()
            .or(c.percent.as_ref())
            .map(|m| part(m).to_lowercase());
        if matches!(suffix.as_deref(), Some("st" | "nd" | "rd" | "th")) {
            if !ordinal_in_name(text, &r) {
                raw.push((r, v, None, 1.0, true));
            }
            continue;
        }
        let mag = c.magnitude.as_ref().map(|m| part(m).to_lowercase());
        let mut unit: Option<String> = None;
        let digits = int.replace(',', "");
        // Trailing zeros mark a round figure only from 100 up: "20 children"
        // is a count, "200 members" may be a rounding.
        let mut precision = if frac.is_empty() && digits.len() >= 3 {
            10f64.powi((digits.len() - digits.trim_end_matches('0').len()) as i32)
        } else if frac.is_empty() {
            1.0
        } else {
            10f64.powi(-(frac.len() as i32))
        };
        if digits.trim_end_matches('0').is_empty() {
            precision = 1.0;
        }
        match (suffix.as_deref(), mag.as_deref()) {
            (Some("bn"), _) | (_, Some("billion")) => {
                v *= 1e9;
                precision *= 1e9;
            }
            (Some("m"), _) | (_, Some("million")) => {
                v *= 1e6;
                precision *= 1e6;
            }
            (Some("tn"), _) | (_, Some("trillion")) => {
                v *= 1e12;
                precision *= 1e12;
            }
            (Some("k"), _) | (_, Some("thousand")) => {
                v *= 1e3;
                precision *= 1e3;
            }
            _ => {}
        }
        if let Some(cur) = &c.currency {
            unit = Some(match part(cur) {
                "£" => "gbp".into(),
                "€" => "eur".into(),
                _ => "usd".into(),
            });
        } else if let Some(sfx) = suffix.as_deref() {
            if !matches!(sfx, "bn" | "m" | "k" | "tn") {
                unit = Some(canonical_unit(sfx));
            }
        }
        raw.push((r, v, unit, precision, false));
    }
    // Most sentences hold no number word and no ordinal: one pass over the
    // bytes tells, instead of two regex searches of every sentence (they
    // were a tenth of parsing).
    let (number_word, ordinal_word) = spelled_numbers_in_tokens(text, s, tokens, tterms, plain)
        .unwrap_or_else(|| spelled_numbers(s));
    for m in super::text::matches_in(&p.words, if number_word { s } else { "" }) {
        let r = base + m.start()..base + m.end();
        if overlaps(&r, skip) || raw.iter().any(|(o, ..)| o.start < r.end && r.start < o.end) {
            continue;
        }
        let word = m.as_str();
        let low = word.to_lowercase();
        if low == "a" || low == "an" || low == "one" {
            continue; // "one of the", too ambiguous to be an amount
        }
        let Some(v) = parse_words(word) else { continue };
        // "the two countries", "the three men": a reference, not a count.
        if v <= 3.0 && s[..m.start()].to_lowercase().trim_end().ends_with("the") {
            continue;
        }
        let zeros =
            format!("{}", v as i64).len() - format!("{}", v as i64).trim_end_matches('0').len();
        raw.push((r, v, None, 10f64.powi(zeros as i32), false));
    }
    for m in super::text::matches_in(&p.ordinals, if ordinal_word { s } else { "" }) {
        let r = base + m.start()..base + m.end();
        if overlaps(&r, skip) || raw.iter().any(|(o, ..)| o.start < r.end && r.start < o.end) {
            continue;
        }
        if let Some(v) = ordinal_value(m.as_str()) {
            if !ordinal_in_name(text, &r) {
                raw.push((r, v, None, 1.0, true));
            }
        }
    }
    raw.sort_by_key(|r| r.0.start);

    let mut out: Vec<Quantity> = Vec::new();
    // The end of the last stated range ("10 or 20 years"): its upper number
    // is part of it, not a figure of its own.
    let mut range_end = 0;
    for (r, v, unit, precision, ordinal) in raw {
        if r.start < range_end {
            continue;
        }
        let before = &text[range.start..r.start];
        let after = &text[r.end..range.end];
        let before_low = before.to_lowercase();
        let before_trim = before_low.trim_end();
        // A score or a ratio: "11-10", "2-1 win".
        if let Some(rest) = after.strip_prefix('-') {
            let d: String = rest.chars().take_while(char::is_ascii_digit).collect();
            if !d.is_empty() && !before.ends_with('-') {
                if let (Ok(a), Ok(b)) = (u32::try_from(v as i64), d.parse::<u32>()) {
                    let end = r.end + 1 + d.len();
                    out.push(Quantity {
                        span: r.start..end,
                        value: v,
                        value_hi: None,
                        approx: Approx::Exact,
                        low: v,
                        high: v,
                        head: Some("score".into()),
                        per: None,
                        score: Some((a, b)),
                        precision: 1.0,
                        ordinal: false,
                    });
                    continue;
                }
            }
        }
        if before.ends_with('-')
            && before
                .trim_end_matches('-')
                .ends_with(|c: char| c.is_ascii_digit())
        {
            continue; // second half of a score, handled above
        }
        let mut start = r.start;
        let mut approx = Approx::Exact;
        // Matched on the original text (ASCII case-insensitively): offsets in a
        // lower-cased copy can differ from the original's.
        let before_orig = before.trim_end();
        for (w, a) in BEFORE {
            let Some(cut) = before_orig.len().checked_sub(w.len()) else {
                continue;
            };
            let tail = before_orig.get(cut..).unwrap_or("");
            if tail.eq_ignore_ascii_case(w) {
                // whole word only
                if cut == 0 || !before_orig[..cut].ends_with(|c: char| c.is_alphanumeric()) {
                    approx = *a;
                    start = range.start + cut;
                    break;
                }
            }
        }
        // "some" before a number is an approximator only when no noun intervenes.
        let mut end = r.end;
        let mut value_hi = None;
        // Stated ranges: "10 to 20", "10 or 20", "between 10 and 20".
        let after_low = after.to_lowercase();
        for joiner in [" to ", " or ", " and ", "-", "–"] {
            if let Some(rest) = after_low.strip_prefix(joiner) {
                let num_end = rest
                    .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ','))
                    .unwrap_or(rest.len());
                let word_end = rest
                    .find(|c: char| !c.is_alphabetic())
                    .unwrap_or(rest.len());
                let cand = if num_end > 0 {
                    rest[..num_end]
                        .trim_end_matches([',', '.'])
                        .replace(',', "")
                        .parse::<f64>()
                        .ok()
                        .map(|x| (x, num_end))
                } else {
                    parse_words(&rest[..word_end]).map(|x| (x, word_end))
                };
                if let Some((hi, len)) = cand {
                    if hi > v && (joiner != " and " || before_trim.ends_with("between")) {
                        value_hi = Some(hi);
                        end = r.end + joiner.len() + len;
                    }
                }
                break;
            }
        }
        // A unit written before the number: "magnitude 7.1", "magnitude-7.1".
        let prefix_unit = {
            let b = before_low.trim_end_matches(['-', ' ']);
            ["magnitude", "category", "level", "grade", "phase", "stage"]
                .into_iter()
                .find(|u| b.ends_with(u) && b.len() + 2 >= before_low.len())
        };
        // Unit or head noun after the number.
        let mut head = unit.clone().or_else(|| prefix_unit.map(text::stem));
        let mut per = None;
        let rest_tokens: Vec<&Token> = tokens
            .iter()
            .filter(|t| t.span.start >= end)
            .take(6)
            .collect();
        let mut i = 0;
        let mut last_noun_end = end;
        // "20-minute-long", "four-day", "7.1-magnitude": a hyphenated unit.
        if text[end..].starts_with('-') {
            if let Some(t) = rest_tokens.first() {
                if t.span.start == end + 1 {
                    head = Some(canonical_unit(&t.norm));
                    last_noun_end = t.span.end;
                    i = 1;
                    if text[t.span.end..].starts_with("-long")
                        || text[t.span.end..].starts_with("-old")
                    {
                        last_noun_end = t.span.end + 5;
                    }
                }
            }
        }
        if head.is_none() || unit.is_some() || prefix_unit.is_some() {
            // "200 members", "200 business representatives": the last word of a run of
            // nouns/modifiers directly after the number.
            let mut run_end = i;
            let mut prev_end = last_noun_end;
            while run_end < rest_tokens.len() && run_end < i + 3 {
                let t = rest_tokens[run_end];
                let gap = &text[prev_end..t.span.start];
                // A past tense after the noun is the clause's verb ("120 minutes
                // produced no goals", "two million people voted").
                let verb = run_end > i && t.norm.len() > 4 && t.norm.ends_with("ed");
                if !gap.chars().all(|c| c == ' ' || c == '-')
                    || skip_as_head(&t.norm) && !is_modifier(&t.norm)
                    || verb
                {
                    break;
                }
                prev_end = t.span.end;
                run_end += 1;
            }
            // Drop trailing modifiers, keep the last noun.
            let mut j = run_end;
            while j > i && is_modifier(&rest_tokens[j - 1].norm) && j - 1 > i {
                j -= 1;
            }
            if j > i {
                let t = rest_tokens[j - 1];
                if !is_modifier(&t.norm) || j - 1 == i {
                    if head.is_none() {
                        head = Some(canonical_unit(&t.norm));
                    }
                    last_noun_end = t.span.end;
                    i = j;
                }
            }
        }
        // "percent"/"per cent" written as words.
        if head.is_none() {
            let a = text[end..range.end].to_lowercase();
            for w in [" per cent", " percent", "pc"] {
                if a.starts_with(w) {
                    head = Some("percent".into());
                    last_noun_end = end + w.len();
                }
            }
        }
        // A rate: "of data per hour", "a day".
        let tail = text[last_noun_end..range.end].to_lowercase();
        let tail_words: Vec<&str> = tail
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .take(5)
            .collect();
        for k in 0..tail_words.len() {
            if matches!(tail_words[k], "per" | "a" | "an" | "each" | "every") {
                if let Some(u) = tail_words.get(k + 1) {
                    let st = text::stem(u);
                    if RATE_UNITS.iter().any(|r| text::stem(r) == st)
                        && (tail_words[k] == "per" || k <= 3)
                    {
                        per = Some(st);
                        break;
                    }
                }
            }
            if k >= 3 {
                break;
            }
        }
        let _ = i;
        let (mut low, mut high) = interval(v, approx, precision);
        if let Some(hi) = value_hi {
            low = v;
            high = hi;
            range_end = end;
        }
        // "or more" after the number.
        if after_low.trim_start().starts_with("or more") {
            high = f64::INFINITY;
            approx = Approx::AtLeast;
        }
        // Decades are counted in years, so that "a couple of decades" and
        // "10 or 20 years" compare.
        let (v, value_hi, precision) = if head.as_deref() == Some("decad") {
            head = Some("year".into());
            low *= 10.0;
            high *= 10.0;
            (v * 10.0, value_hi.map(|h| h * 10.0), precision * 10.0)
        } else {
            (v, value_hi, precision)
        };
        out.push(Quantity {
            span: start..last_noun_end.max(end),
            value: v,
            value_hi,
            approx,
            low,
            high,
            head,
            per,
            score: None,
            precision,
            ordinal,
        });
    }
    // Spans must be valid ranges of the text whatever the input.
    out.retain(|q| q.span.start < q.span.end && text.get(q.span.clone()).is_some());
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::strategy::Strategy;

    /// The table `spelled_numbers` reads is the two word tests.
    #[test]
    fn spelled_words_are_the_word_tests() {
        let t = spelled_words();
        let mut all: Vec<&str> = CARDINALS.to_vec();
        all.extend(QUANTITY_NOUNS);
        all.extend(ORDINALS);
        all.extend(["a", "an", "the", "tens", "firsts", "hundredth", "", "onee"]);
        for w in all {
            let want =
                u8::from(is_number_word(w.as_bytes())) | (2 * u8::from(is_ordinal(w.as_bytes())));
            assert_eq!(t.get(w), want, "{w}");
        }
        assert_eq!(CARDINALS.len() + QUANTITY_NOUNS.len(), 39);
    }

    /// What `spelled_numbers` assumes of `(?i)`: no non-ASCII character but
    /// `ſ` and `K` matches an ASCII letter.
    #[test]
    fn only_long_s_and_kelvin_fold_to_ascii() {
        let re = Regex::new("(?i)[a-z]").unwrap();
        let folding: Vec<char> = (0x80..=0x10FFFFu32)
            .filter_map(char::from_u32)
            .filter(|c| re.is_match(&c.to_string()))
            .collect();
        assert_eq!(folding, ['\u{17F}', '\u{212A}']);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]
        /// The prefilter of `find` never skips a pattern that would match.
        #[test]
        fn spelled_numbers_never_hide_a_match(
            v in proptest::collection::vec(
                proptest::prop_oneof![
                    3 => proptest::sample::select(vec![
                        "one", "One", "ONE", "two", "ten", "often", "seven", "seventeen",
                        "Seventeenth", "twenty", "hundred", "hundreds", "Thousands",
                        "millions", "couple", "dozen", "dozens", "a", "an", "and", "of",
                        "first", "First", "second", "twelfth", "twentieth", "ſix", "ſecond",
                        "ſ", "\u{212A}", "-", "\u{2014}", "\u{201C}", "\u{201D}", "\u{e9}",
                        "_", "1", "'s", ".", ",", " ", "\u{a0}", "  ", "x",
                    ])
                    .prop_map(str::to_string),
                    1 => "[ -~]{1,4}",
                ],
                0..12,
            )
        ) {
            let p = patterns();
            for s in [v.join(" "), v.concat()] {
                let (number, ordinal) = spelled_numbers(&s);
                // Read from the tokens, when it can be, it is the same.
                let toks = text::tokens(&s, 0..s.len());
                if let Some(by_tokens) = spelled_numbers_in_tokens(&s, &s, &toks, None, false) {
                    proptest::prop_assert_eq!(by_tokens, (number, ordinal), "{:?}", s);
                }
                // And when the tokenizer finds the text plain, with or
                // without the flags.
                let mut buf = text::TokenBuf::default();
                let (ptoks, plain) = buf.fill_plain(&s, 0..s.len());
                if plain {
                    let tt = text::token_terms(ptoks);
                    let all = crate::core::claim::token_flags(&tt);
                    for flags in [None, Some((tt.as_slice(), all))] {
                        proptest::prop_assert_eq!(
                            spelled_numbers_in_tokens(&s, &s, ptoks, flags, true),
                            Some((number, ordinal)),
                            "{:?}",
                            s
                        );
                    }
                }
                // And from the tokens' flags.
                let tt = text::token_terms(&toks);
                let all = crate::core::claim::token_flags(&tt);
                proptest::prop_assert_eq!(
                    spelled_numbers_in_tokens(&s, &s, &toks, Some((&tt, all)), false),
                    spelled_numbers_in_tokens(&s, &s, &toks, None, false),
                    "{:?}",
                    s
                );
                proptest::prop_assert!(number || !p.words.is_match(&s), "{s:?}");
                proptest::prop_assert!(ordinal || !p.ordinals.is_match(&s), "{s:?}");
            }
        }
    }

    /// ASCII strings made of what the `number` pattern reads: digits,
    /// separators, currencies, suffixes and magnitudes in either case,
    /// the spaces `\s` holds and bytes it does not, word and non-word bytes.
    fn number_text() -> impl Strategy<Value = String> {
        let piece = proptest::prop_oneof![
            4 => proptest::sample::select(vec![
                "1", "7", "12", "123", "1234", "20", "2025", "0", ",", ",000", ",12", ",1234",
                ".", ".5", "..", "$", "US$", "us$", "uS$", "A$", "a$", "C$", "c$", "B$", "s$",
                "%", "bn", "BN", "m", "M", "k", "K", "tn", "pc", "tb", "gb", "mb", "km", "kg",
                "mph", "MPH", "st", "nd", "rd", "th", "TH", "billion", "Million", "trillion",
                "thousand", "thousands", "millions", "x", "_", "a", "s", "-", "(", "'",
                " ", "  ", "\t", "\n", "\r", "\x0B", "\x0C", "\x1C", "\x00",
            ])
            .prop_map(str::to_string),
            1 => "[\\x00-\\x7f]{1,3}",
        ];
        proptest::collection::vec(piece, 0..14).prop_map(|v| v.concat())
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(20000))]
        /// The byte reader of the `number` pattern gives the regex's
        /// matches and groups on ASCII text.
        #[test]
        fn ascii_numbers_are_the_patterns(s in number_text()) {
            let p = patterns();
            proptest::prop_assert_eq!(
                ascii_number_matches(&s),
                regex_number_matches(&p.number, &s),
                "{:?}",
                s
            );
        }
    }

    /// The same on written cases, each with its matches' text.
    #[test]
    fn ascii_numbers_on_written_cases() {
        let p = patterns();
        for s in [
            "US$5 bn and $ 12,345.67 million, A$3m, 1,2345, 12,34, 5%x 5% 6 % 7pc",
            "The 21st, 3rd and 2nd; 40mph 5km2 5kmh 5 km, 9 billion, 9billions, 9\tthousand",
            "abc123 _5 5_ 1.2.3 1,000,000,0000 $$5 bus$5 us$ 5 $\x0C5 $\x1C5",
        ] {
            let by_bytes = ascii_number_matches(s);
            assert_eq!(by_bytes, regex_number_matches(&p.number, s), "{s:?}");
            assert!(!by_bytes.is_empty());
        }
    }

    fn q(s: &str) -> Vec<Quantity> {
        let toks = text::tokens(s, 0..s.len());
        find(s, 0..s.len(), &toks, &[])
    }

    #[test]
    fn approximators_become_intervals() {
        let v = q("he will lead a delegation of more than 300 members");
        assert_eq!(v.len(), 1);
        assert_eq!(v[0].approx, Approx::Above);
        assert_eq!(v[0].head.as_deref(), Some("member"));
        let w = q("a delegation of nearly 300 members");
        assert!(
            w[0].high < v[0].low,
            "nearly 300 and more than 300 do not overlap"
        );
        let a = q("at least 120 people died");
        assert_eq!((a[0].low, a[0].high), (120.0, f64::INFINITY));
        assert_eq!(a[0].head.as_deref(), Some("people"));
    }

    #[test]
    fn number_words_and_compounds() {
        let v = q("They met two hundred and five delegates.");
        assert_eq!(v[0].value, 205.0);
        let v = q("the four-day trip");
        assert_eq!((v[0].value, v[0].head.as_deref()), (4.0, Some("day")));
        let v = q("a nearly 25-minute-long speech");
        assert_eq!(v[0].value, 25.0);
        assert_eq!(v[0].approx, Approx::Nearly);
        assert_eq!(v[0].head.as_deref(), Some("minut"));
        let v =
            q("where 120 minutes produced no goals, parking for up to four hours under the rules");
        let heads: Vec<_> = v.iter().map(|q| q.head.as_deref()).collect();
        assert_eq!(heads, [Some("minut"), Some("hour")]);
        let v = q("a dozen schools");
        assert_eq!(v[0].value, 12.0);
    }

    #[test]
    fn ordinals_count_unless_part_of_a_name() {
        let v = q("they won a record ninth title on the 32nd anniversary");
        assert_eq!(
            v.iter()
                .filter(|x| x.ordinal)
                .map(|x| x.value)
                .collect::<Vec<_>>(),
            vec![9.0, 32.0]
        );
        assert!(q("voters repealed the Eighth Amendment")
            .iter()
            .all(|x| !x.ordinal));
        assert!(q("voters repealed the 8th Amendment")
            .iter()
            .all(|x| !x.ordinal));
    }

    #[test]
    fn the_upper_end_of_a_range_is_not_a_figure_of_its_own() {
        let v = q("the town has changed for the past 10 or 20 years");
        assert_eq!(v.len(), 1, "{v:?}");
        assert_eq!((v[0].low, v[0].high), (10.0, 20.0));
        let v = q("between 40 and 60 boats sailed, and 12 sank");
        assert_eq!(v.len(), 2, "{v:?}");
        assert_eq!(v[1].value, 12.0);
    }

    #[test]
    fn decades_are_years() {
        let v = q("the town has changed over the last couple of decades");
        assert_eq!(v.len(), 1);
        assert_eq!(v[0].head.as_deref(), Some("year"));
        assert_eq!(v[0].value, 20.0);
        let v = q("prices rose for three decades");
        assert_eq!((v[0].value, v[0].low, v[0].high), (30.0, 30.0, 30.0));
    }

    #[test]
    fn money_percent_rates_scores() {
        let v = q("a deal worth $12.8bn, or 41% of sales");
        assert_eq!(v[0].value, 12.8e9);
        assert_eq!(v[0].head.as_deref(), Some("usd"));
        assert_eq!(v[1].head.as_deref(), Some("percent"));
        let v = q("it records 3 terabytes of data per hour");
        assert_eq!(v[0].per.as_deref(), Some("hour"));
        assert_eq!(v[0].head.as_deref(), Some("terabyte"));
        let v = q("they won 4-2 on penalties");
        assert_eq!(v[0].score, Some((4, 2)));
        let v = q("between 10 and 20 years");
        assert_eq!((v[0].low, v[0].high), (10.0, 20.0));
        let v = q("passed by 52.3 per cent");
        assert_eq!(v[0].head.as_deref(), Some("percent"));
    }
}
