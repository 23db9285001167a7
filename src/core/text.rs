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

/// Split `text[range]` into sentences, returned as trimmed byte ranges of `text`.
pub fn sentences(text: &str, range: Range<usize>) -> Vec<Range<usize>> {
    let Some(slice) = text.get(range.clone()) else {
        return Vec::new();
    };
    let base = range.start;
    let mut raw: Vec<Range<usize>> = slice
        .split_sentence_bound_indices()
        .map(|(i, s)| base + i..base + i + s.len())
        .collect();
    // Merge a piece into the next when it ends with an abbreviation or an initial.
    let mut merged: Vec<Range<usize>> = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        let mut cur = raw[i].clone();
        while i + 1 < raw.len() && ends_with_abbreviation(&text[cur.clone()]) {
            i += 1;
            cur.end = raw[i].end;
        }
        merged.push(cur);
        i += 1;
    }
    raw.clear();
    merged
        .into_iter()
        .filter_map(|r| trim_range(text, r))
        .collect()
}

fn ends_with_abbreviation(s: &str) -> bool {
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
    let Some(slice) = text.get(range.clone()) else {
        return Vec::new();
    };
    let mut prev_end: Option<usize> = None;
    slice
        .split_word_bound_indices()
        .filter(|(_, w)| w.chars().any(|c| c.is_alphanumeric()))
        .map(|(i, w)| {
            let gap = prev_end.map(|p| &slice[p..i]);
            prev_end = Some(i + w.len());
            let hyphen_joined = gap.is_some_and(|g| {
                g.chars().count() == 1 && fold_char(g.chars().next().unwrap_or(' ')) == '-'
            });
            let norm = normalise(w);
            Token {
                span: range.start + i..range.start + i + w.len(),
                norm,
                capitalised: w.chars().next().is_some_and(char::is_uppercase),
                hyphen_joined,
            }
        })
        .collect()
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
pub fn term(word: &str) -> super::terms::Term {
    thread_local! {
        static CACHE: std::cell::RefCell<FxHashMap<Box<str>, super::terms::Term>> =
            std::cell::RefCell::new(FxHashMap::default());
    }
    let compute = |w: &str| with_stem(w, |s| super::terms::intern(super::lexicon::canonical(s)));
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

/// Lower-cased, typographically folded form of a word, without a trailing
/// possessive "'s" (the same as folding every char, lower-casing, then
/// `trim_end_matches("'s")`).
fn normalise(w: &str) -> String {
    let mut norm = String::with_capacity(w.len());
    for c in w.chars().map(fold_char) {
        if c.is_ascii() {
            norm.push(c.to_ascii_lowercase());
        } else {
            norm.extend(c.to_lowercase());
        }
    }
    while norm.ends_with("'s") {
        norm.truncate(norm.len() - 2);
    }
    norm
}

/// Function words and reporting verbs that carry no topical content.
pub fn is_stopword(w: &str) -> bool {
    // A `match` compiles to a length-and-byte decision tree: no scan, no hashing.
    matches!(
        w,
        "a" | "an"
            | "the"
            | "and"
            | "or"
            | "but"
            | "if"
            | "of"
            | "to"
            | "in"
            | "on"
            | "at"
            | "by"
            | "for"
            | "with"
            | "from"
            | "as"
            | "into"
            | "onto"
            | "about"
            | "over"
            | "after"
            | "before"
            | "during"
            | "between"
            | "through"
            | "than"
            | "then"
            | "that"
            | "this"
            | "these"
            | "those"
            | "there"
            | "here"
            | "it"
            | "its"
            | "he"
            | "she"
            | "they"
            | "them"
            | "his"
            | "her"
            | "their"
            | "we"
            | "our"
            | "us"
            | "you"
            | "your"
            | "i"
            | "me"
            | "my"
            | "is"
            | "are"
            | "was"
            | "were"
            | "be"
            | "been"
            | "being"
            | "am"
            | "has"
            | "have"
            | "had"
            | "do"
            | "does"
            | "did"
            | "will"
            | "would"
            | "shall"
            | "should"
            | "can"
            | "could"
            | "may"
            | "might"
            | "must"
            | "not"
            | "no"
            | "so"
            | "such"
            | "also"
            | "which"
            | "who"
            | "whom"
            | "whose"
            | "what"
            | "when"
            | "where"
            | "while"
            | "why"
            | "how"
            | "all"
            | "any"
            | "both"
            | "each"
            | "more"
            | "most"
            | "other"
            | "some"
            | "very"
            | "just"
            | "only"
            | "own"
            | "same"
            | "too"
            | "said"
            | "say"
            | "says"
            | "saying"
            | "told"
            | "according"
            | "noted"
            | "added"
            | "him"
            | "himself"
            | "itself"
            | "one"
            | "two"
            | "new"
            | "up"
            | "out"
            | "per"
            | "via"
            | "yet"
            | "still"
            | "even"
            | "well"
            | "many"
            | "much"
            | "s"
            | "t"
            | "mr"
            | "ms"
            | "mrs"
            | "already"
            | "however"
            | "because"
            | "since"
            | "until"
            | "against"
            | "among"
            | "amid"
            | "within"
            | "without"
            | "upon"
            | "whether"
            | "around"
            | "including"
            | "further"
            | "least"
            | "nearly"
            | "almost"
            | "approximately"
            | "roughly"
            | "fewer"
            | "less"
    )
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
    let mut out = Vec::with_capacity(tokens.len());
    let mut joined = String::new();
    for (i, t) in tokens.iter().enumerate() {
        let numeric = is_numeric(&t.norm);
        if !is_stopword(&t.norm) && !numeric {
            out.push(term(&t.norm));
        }
        if t.hyphen_joined && !numeric && !t.capitalised {
            if let Some(p) = i.checked_sub(1).and_then(|j| tokens.get(j)) {
                if !p.capitalised && !is_numeric(&p.norm) {
                    joined.clear();
                    joined.push_str(&p.norm);
                    joined.push_str(&t.norm);
                    out.push(term(&joined));
                }
            }
        }
    }
    // Kept for the life of the corpus: no room for the stopwords dropped.
    out.shrink_to_fit();
    out
}

fn is_numeric(w: &str) -> bool {
    w.bytes().all(|b| b.is_ascii_digit())
}

/// The tokens lying inside `span`: the same tokens as filtering on
/// `t.span.start >= span.start && t.span.end <= span.end`, as a sub-slice
/// (tokens are in text order and disjoint, so they are contiguous).
pub fn tokens_within<'t>(tokens: &'t [Token], span: &Range<usize>) -> &'t [Token] {
    let lo = tokens.partition_point(|t| t.span.start < span.start);
    let hi = tokens.partition_point(|t| t.span.end <= span.end);
    tokens.get(lo..hi.max(lo)).unwrap_or(&[])
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

    fn sents(t: &str) -> Vec<&str> {
        sentences(t, 0..t.len())
            .into_iter()
            .map(|r| &t[r])
            .collect()
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

    #[test]
    fn line_col_counts_bytes() {
        assert_eq!(line_col("ab\ncé\nx", 6), (1, 3));
        assert_eq!(line_col("ab", 99), (0, 2));
    }
}
