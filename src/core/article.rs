//! One article: front matter, header metadata (outlet, date, title), page
//! furniture, and the body blocks that claims are extracted from.
//!
//! Articles arrive as scraped or pasted text, so the header is recognised
//! line by line: the first lines before the first real paragraph hold the
//! title, a byline / outlet line and a date line in many shapes.

use std::ops::Range;

use jiff::civil::Date;

use super::dates;
use super::text;

/// Where a block of text sits in the article.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BlockRole {
    Title,
    /// A summary paragraph above the byline or date line: it restates the body.
    Standfirst,
    Body,
    Caption,
    /// Byline, date line, dateline-only lines: read for metadata, no claims.
    Meta,
    /// Navigation, share buttons, newsletter, copyright, repeated captions,
    /// lists of other headlines: never yields claims.
    Furniture,
}

#[derive(Debug, Clone)]
pub struct Block {
    pub span: Range<usize>,
    pub role: BlockRole,
}

/// Metadata that a caller (config file, front matter) may force.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MetaOverride {
    pub outlet: Option<String>,
    pub published: Option<Date>,
    pub title: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Meta {
    pub outlet: Option<String>,
    pub published: Option<Date>,
    pub title: Option<String>,
}

/// Lines made only of these (case-insensitive) are page furniture.
const FURNITURE_EXACT: &[&str] = &[
    "back to top",
    "back to top button",
    "leave a reply",
    "trending",
    "latest news",
    "last news",
    "read or share this story",
    "comments locked",
    "give feedback",
    "subscribe to our newsletter",
    "connect us on",
    "share this",
    "share this article",
    "advertisement",
    "sectors",
    "editions",
    "other links",
    "other products",
    "connect",
    "final results",
    "extra! read all about it!",
    "opinion / blog / interview",
    "you must be logged in to post a comment.",
];

/// Lines starting with these (case-insensitive) are page furniture.
const FURNITURE_PREFIX: &[&str] = &[
    "related:",
    "more:",
    "read more",
    "see also",
    "more from",
    "filed under",
    "email:",
    "phone:",
    "tel:",
    "©",
    "copyright",
    "all rights reserved",
    "your email address will not be published",
    "follow us",
    "sign up",
    "click here",
    "photo:",
    "image:",
    "[image",
    "[video",
    "video:",
    "comments (",
    "tags:",
    "topics:",
    "watch:",
    "listen:",
];

/// Markers after which a run of short lines is a list of other headlines.
const LIST_MARKERS: &[&str] = &[
    "trending",
    "latest news",
    "most read",
    "most popular",
    "opinion / blog / interview",
    "related stories",
    "more stories",
    "you may also like",
];

impl Meta {
    fn apply(&mut self, o: &MetaOverride) {
        if o.outlet.is_some() {
            self.outlet = o.outlet.clone();
        }
        if o.published.is_some() {
            self.published = o.published;
        }
        if o.title.is_some() {
            self.title = o.title.clone();
        }
    }
}

fn word_count(s: &str) -> usize {
    s.split_whitespace().count()
}

/// `word_count(s) > n`, reading no further than word `n + 1`: most tests
/// of a paragraph's length ask whether it is short, and counting all the
/// words of every paragraph was a large part of splitting an article.
fn more_words_than(s: &str, n: usize) -> bool {
    // Read from the bytes while they are ASCII (an ASCII char is white space
    // exactly when it is a space or one of \t \n \x0b \x0c \r): decoding
    // chars and asking each whether it is white space cost about as much
    // as the rest of splitting an article (parse_only c200 callgrind, with
    // `lines` by memchr: 1,330.5M -> 1,304.6M). A non-ASCII byte sends the
    // question to the general path. `more_words_than_is_split_whitespace`
    // compares the two.
    let mut words = 0;
    let mut in_word = false;
    for &b in s.as_bytes() {
        if !b.is_ascii() {
            return s.split_whitespace().nth(n).is_some();
        }
        let space = b == b' ' || (b'\t'..=b'\r').contains(&b);
        if !space && !in_word {
            words += 1;
            if words > n {
                return true;
            }
        }
        in_word = !space;
    }
    false
}

fn ends_sentence(s: &str) -> bool {
    let t = s.trim_end_matches(['"', '”', '’', '\'', ')']);
    t.ends_with(['.', '!', '?', ':'])
}

/// Parse the `---` front-matter block, if any: `(end of block, fields)`.
/// Only flat `key: value` lines are read; that is all articles carry.
fn front_matter(text: &str) -> Option<(usize, MetaOverride)> {
    let rest = text.strip_prefix("---")?;
    let first_nl = rest.find('\n')?;
    if !rest[..first_nl].trim().is_empty() {
        return None;
    }
    let body_start = 3 + first_nl + 1;
    let mut pos = body_start;
    let mut meta = MetaOverride::default();
    for line in text[body_start..].split_inclusive('\n') {
        let l = line.trim();
        pos += line.len();
        if l == "---" || l == "..." {
            return Some((pos, meta));
        }
        if let Some((k, v)) = l.split_once(':') {
            let v = v.trim().trim_matches(|c| c == '"' || c == '\'').to_string();
            if v.is_empty() {
                continue;
            }
            match k.trim().to_ascii_lowercase().as_str() {
                "outlet" | "source" | "publisher" => meta.outlet = Some(v),
                "published" | "date" => meta.published = dates::parse_date_line(&v),
                "title" => meta.title = Some(v),
                _ => {}
            }
        }
    }
    None
}

/// The phrases of [`FURNITURE_EXACT`] (`true`: the whole line) and
/// [`FURNITURE_PREFIX`] (`false`: its start) that start with `first`:
/// asking each of the fifty of every line cost an eighth of
/// [`is_furniture_line`] (callgrind, 1,000 articles: 20.3 M → 17.8 M for
/// 26,582 lines).
fn furniture_phrases(first: Option<u8>) -> &'static [(&'static [u8], bool)] {
    struct ByFirst {
        phrases: Vec<(&'static [u8], bool)>,
        /// Where the phrases of each first byte start in `phrases`.
        starts: [usize; 257],
    }
    static BY_FIRST: std::sync::OnceLock<ByFirst> = std::sync::OnceLock::new();
    let t = BY_FIRST.get_or_init(|| {
        let mut phrases: Vec<(&'static [u8], bool)> = FURNITURE_EXACT
            .iter()
            .map(|p| (p.as_bytes(), true))
            .chain(FURNITURE_PREFIX.iter().map(|p| (p.as_bytes(), false)))
            .filter(|(p, _)| !p.is_empty())
            .collect();
        phrases.sort_by_key(|(p, _)| p.first().copied());
        let mut starts = [0usize; 257];
        for (b, s) in starts.iter_mut().enumerate() {
            *s = phrases.partition_point(|(p, _)| p.first().is_some_and(|&f| usize::from(f) < b));
        }
        ByFirst { phrases, starts }
    });
    let Some(b) = first.map(usize::from) else {
        return &[];
    };
    match (t.starts.get(b), t.starts.get(b + 1)) {
        (Some(&lo), Some(&hi)) => t.phrases.get(lo..hi).unwrap_or(&[]),
        _ => &[],
    }
}

fn is_furniture_line(l: &str) -> bool {
    let t = l.trim();
    // The lists are short phrases: only the start of a long line (a
    // paragraph) needs lowercasing to be compared with them.
    static LONGEST: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    let longest = *LONGEST.get_or_init(|| {
        FURNITURE_EXACT
            .iter()
            .chain(FURNITURE_PREFIX)
            .map(|p| p.chars().count())
            .max()
            .unwrap_or(0)
    });
    // An ASCII head (nearly every line) is its first bytes, lower-cased in
    // a buffer on the stack (for ASCII, `to_lowercase` is
    // `to_ascii_lowercase`): no chars to collect into a string of their
    // own, and no string allocated for the lower-cased copy.
    let n = (longest + 1).min(t.len());
    let mut buf = [0u8; 64];
    match (t.get(..n), buf.get_mut(..n)) {
        (Some(head), Some(low)) if head.is_ascii() => {
            low.copy_from_slice(head.as_bytes());
            low.make_ascii_lowercase();
            let low = &*low;
            let whole = head.len() == t.len();
            // Only the phrases that start with the line's first byte.
            if furniture_phrases(low.first().copied())
                .iter()
                .any(|&(p, exact)| {
                    if exact {
                        whole && low == p
                    } else {
                        low.starts_with(p)
                    }
                })
            {
                return true;
            }
        }
        _ => {
            let head: String = t.chars().take(longest + 1).collect();
            let low = head.to_lowercase();
            let whole = head.len() == t.len();
            if whole && FURNITURE_EXACT.contains(&low.as_str()) {
                return true;
            }
            if FURNITURE_PREFIX.iter().any(|p| low.starts_with(p)) {
                return true;
            }
        }
    }
    // Bare list numbers, pipes of links, all-caps section labels.
    if t.chars().all(|c| c.is_ascii_digit() || c.is_whitespace()) {
        return true;
    }
    // A paragraph rarely holds a '|': one memchr instead of a substring
    // search through every line.
    if memchr::memchr(b'|', l.as_bytes()).is_some()
        && l.matches(" | ").count() >= 3
        && !ends_sentence(l)
    {
        return true;
    }
    let mut letters = l.chars().filter(|c| c.is_alphabetic()).peekable();
    if letters.peek().is_some()
        && letters.all(char::is_uppercase)
        && !more_words_than(l, 6)
        && !ends_sentence(l)
    {
        return true;
    }
    false
}

/// What each byte of an ASCII text adds to its lower-cased text's
/// [`alphanumeric_key`]: a letter lower-cased, a digit, or nothing (0).
static KEY_BYTES: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        if c.is_ascii_alphanumeric() {
            t[b] = c.to_ascii_lowercase();
        }
        b += 1;
    }
    t
};

/// A unit's lower-cased text, as the block loop asks of it (equal to, starts
/// with, contains a lower-case ASCII word; its alphanumeric key). An ASCII
/// unit (nearly every one; curly quotes allowed, see `Lower::new`) is read
/// where it stands, ignoring ASCII case: its
/// `to_lowercase` is its `to_ascii_lowercase`, and lower-casing every
/// paragraph into a string of its own, to search it twice for "photo", was
/// a large part of splitting an article. Any other unit is lower-cased as
/// before. `lower_is_the_lowercased_text` compares the two.
enum Lower<'a> {
    Ascii(&'a str),
    Owned(String),
}

impl<'a> Lower<'a> {
    fn new(s: &'a str) -> Lower<'a> {
        // Curly quotes (a quoted paragraph) are as good as ASCII here: they
        // are their own lower case and not alphanumeric, and their bytes
        // are no ASCII bytes, so every question reads the same of the text
        // where it stands (a quoted paragraph was lower-cased whole, and its
        // key built char by char).
        if s.is_ascii() || text::only_curly_quotes(s.as_bytes(), true) {
            Lower::Ascii(s)
        } else {
            Lower::Owned(s.to_lowercase())
        }
    }

    /// `low == w`, for a lower-case ASCII `w`.
    fn is(&self, w: &str) -> bool {
        match self {
            Lower::Ascii(s) => s.eq_ignore_ascii_case(w),
            Lower::Owned(low) => low == w,
        }
    }

    /// `low.starts_with(p)`, for a lower-case ASCII `p`.
    fn starts_with(&self, p: &str) -> bool {
        match self {
            Lower::Ascii(s) => s
                .as_bytes()
                .get(..p.len())
                .is_some_and(|h| h.eq_ignore_ascii_case(p.as_bytes())),
            Lower::Owned(low) => low.starts_with(p),
        }
    }

    /// `ps.iter().any(|p| low.contains(p))`, for lower-case ASCII words
    /// that start with the same byte: the places of that byte, in either
    /// case, are found by memchr, and each is compared with every word.
    fn contains_any(&self, ps: &[&str]) -> bool {
        let first = ps.first().and_then(|p| p.as_bytes().first().copied());
        match (self, first) {
            (Lower::Ascii(s), Some(f)) if ps.iter().all(|p| p.as_bytes().first() == Some(&f)) => {
                let b = s.as_bytes();
                memchr::memchr2_iter(f, f.to_ascii_uppercase(), b).any(|i| {
                    ps.iter().any(|p| {
                        b.get(i..i + p.len())
                            .is_some_and(|h| h.eq_ignore_ascii_case(p.as_bytes()))
                    })
                })
            }
            (Lower::Ascii(s), _) => {
                let low = s.to_ascii_lowercase();
                ps.iter().any(|p| low.contains(p))
            }
            (Lower::Owned(low), _) => ps.iter().any(|p| low.contains(p)),
        }
    }

    /// The bytes of `alphanumeric_key(low)` (a unit's key is only compared
    /// with others: no check that the bytes are UTF-8 is needed).
    #[cfg(test)]
    fn key(&self) -> Vec<u8> {
        let mut key = Vec::new();
        self.key_into(&mut key);
        key
    }

    /// A digest of [`Lower::key`]: [`key_signature`], of the key's first
    /// [`SIGNATURE_BYTES`] bytes. Equal keys have equal signatures, so only
    /// units that share a signature need their keys compared. An ASCII
    /// unit's signature is read eight bytes at a time
    /// (`text::byte_range_mask`; a letter is a byte whose `| 0x20` is in
    /// `a..=z`, and that is also its lower case, a digit its own key byte),
    /// and no further than its key's first bytes: writing out the key of
    /// every unit, byte by byte, to find the few repeated ones was most of
    /// the time of splitting an article (`perf`), and reading every byte of
    /// every paragraph for its digest was still 1.5 % of a first run of
    /// `check` (callgrind, 10,000 articles). Two paragraphs whose keys start
    /// alike but differ further on share a signature and have their keys
    /// compared: rare, and the comparison tells them apart.
    /// `signature_is_the_keys` compares it with the key's.
    fn signature(&self) -> u64 {
        match self {
            Lower::Ascii(s) => {
                const FOLD: u64 = 0x2020_2020_2020_2020;
                const EVEN: u64 = 0x00FF_00FF_00FF_00FF;
                let (mut n, mut sum) = (0u64, 0u64);
                for x in text::words_of(s.as_bytes()) {
                    let folded = x | FOLD;
                    let mut alnum = text::byte_range_mask(folded, b'a', b'z')
                        | text::byte_range_mask(x, b'0', b'9');
                    let count = u64::from(alnum.count_ones());
                    let take = count.min(SIGNATURE_BYTES - n);
                    if take < count {
                        // Only the `take` lowest flags are kept: `past`
                        // loses its lowest `take` flags, one at a time, and
                        // is then the flags past the cut.
                        let mut past = alnum;
                        for _ in 0..take {
                            past &= past.wrapping_sub(1);
                        }
                        alnum ^= past;
                    }
                    // 0xFF for each key byte (the high bits moved down and
                    // spread over their bytes: no carry crosses a byte).
                    let kept = folded & ((alnum >> 7) * 0xFF);
                    // The eight bytes summed in four 16-bit lanes, then the
                    // lanes in the top one (at most 8 * 0x7A: no overflow).
                    let lanes = (kept & EVEN) + ((kept >> 8) & EVEN);
                    sum = sum.wrapping_add(lanes.wrapping_mul(0x0001_0001_0001_0001) >> 48);
                    n += take;
                    if n >= SIGNATURE_BYTES {
                        break;
                    }
                }
                (n << 32) | (sum & 0xFFFF_FFFF)
            }
            Lower::Owned(low) => key_signature(alphanumeric_key(low).as_bytes()),
        }
    }

    /// Appends [`Lower::key`] to `out` (an article's keys share one buffer).
    fn key_into(&self, out: &mut Vec<u8>) {
        match self {
            Lower::Ascii(s) => {
                // As in `alphanumeric_key`, each byte kept lower-cased, from
                // one table (a test and a lower-casing per byte cost more
                // than lower-casing the whole text first).
                let from = out.len();
                out.resize(from + s.len(), 0);
                let mut n = from;
                for c in s.bytes() {
                    let k = KEY_BYTES[usize::from(c)];
                    if let Some(slot) = out.get_mut(n) {
                        *slot = k;
                    }
                    n += usize::from(k != 0);
                }
                out.truncate(n);
            }
            Lower::Owned(low) => out.extend_from_slice(alphanumeric_key(low).as_bytes()),
        }
    }
}

/// For each unit, whether its key is not empty and an earlier unit has the
/// same key. Only the units whose [`Lower::signature`] another unit shares
/// have their keys written out (nearly every unit's is its own); those are
/// written into one buffer and compared as its slices (a vector allocated
/// per unit for its key was most of telling repeats).
fn repeated_keys(lows: &[Lower]) -> Vec<bool> {
    let signatures: Vec<u64> = lows.iter().map(Lower::signature).collect();
    let mut count: rustc_hash::FxHashMap<u64, u32> = rustc_hash::FxHashMap::default();
    count.reserve(signatures.len());
    for &g in &signatures {
        *count.entry(g).or_default() += 1;
    }
    // An empty key (no letter or digit) has a signature of 0.
    let shared = |g: &u64| *g != 0 && count.get(g).is_some_and(|&c| c > 1);
    let mut keys: Vec<u8> = Vec::new();
    let mut ends: Vec<Option<usize>> = Vec::with_capacity(lows.len());
    for (low, g) in lows.iter().zip(&signatures) {
        ends.push(shared(g).then(|| {
            low.key_into(&mut keys);
            keys.len()
        }));
    }
    let mut seen: rustc_hash::FxHashSet<&[u8]> = rustc_hash::FxHashSet::default();
    let mut from = 0;
    ends.iter()
        .map(|end| {
            let Some(end) = *end else {
                return false;
            };
            let key = keys.get(from..end).unwrap_or_default();
            from = end;
            !key.is_empty() && !seen.insert(key)
        })
        .collect()
}

/// How many of a key's first bytes its signature reads
/// ([`Lower::signature`]).
const SIGNATURE_BYTES: u64 = 32;

/// [`Lower::signature`] of a key, from its bytes: the number of its first
/// [`SIGNATURE_BYTES`] bytes (high half) and the sum of their values (low
/// half, wrapping).
fn key_signature(key: &[u8]) -> u64 {
    let head = key.get(..SIGNATURE_BYTES as usize).unwrap_or(key);
    let sum = head.iter().fold(0u64, |a, &b| a.wrapping_add(u64::from(b)));
    ((head.len() as u64) << 32) | (sum & 0xFFFF_FFFF)
}

/// A header line that names the outlet: "By X | date", "X and Y, USA TODAY",
/// "Outlet | Section | Sub", "Source: names, Outlet."
/// The letters and digits of a line, in order: two lines with the same key
/// are the same furniture repeated. Lines are mostly ASCII, and a byte loop
/// there is a fraction of the cost of collecting chars (a twentieth of the
/// instructions of parsing went to this key).
fn alphanumeric_key(low: &str) -> String {
    if low.is_ascii() {
        // Every byte is written, and the length moves past the kept ones:
        // no branch per byte, no capacity check per push.
        let mut key = vec![0u8; low.len()];
        let mut n = 0;
        for c in low.bytes() {
            if let Some(slot) = key.get_mut(n) {
                *slot = c;
            }
            n += usize::from(c.is_ascii_alphanumeric());
        }
        key.truncate(n);
        // Only ASCII bytes were kept.
        return String::from_utf8(key).unwrap_or_default();
    }
    low.chars().filter(|c| c.is_alphanumeric()).collect()
}

fn outlet_from_line(l: &str) -> Option<String> {
    let l = l.trim();
    let low = l.to_lowercase();
    if let Some(rest) = low.strip_prefix("source:") {
        let orig = &l[l.len() - rest.len()..];
        let last = orig.rsplit(',').next()?.trim().trim_end_matches('.');
        return (!last.is_empty()).then(|| last.to_string());
    }
    let first = l.split(" | ").next()?.trim();
    let first = first
        .strip_prefix("By ")
        .or_else(|| first.strip_prefix("by "))
        .unwrap_or(first);
    // "Name – Outlet" / "Name, OUTLET"
    for sep in [" – ", " — ", " - "] {
        if let Some((a, b)) = first.rsplit_once(sep) {
            if l.starts_with("By ") || l.starts_with("by ") {
                return Some(b.trim().to_string());
            }
            if !more_words_than(b, 3) && !more_words_than(a, 4) {
                return Some(b.trim().to_string());
            }
        }
    }
    if let Some((_, b)) = first.rsplit_once(", ") {
        if !more_words_than(b, 4) {
            return Some(b.trim().to_string());
        }
    }
    let name = first
        .trim_end_matches(" News Desk")
        .trim_end_matches(" Staff")
        .trim();
    (!name.is_empty() && !more_words_than(name, 6)).then(|| name.to_string())
}

/// Lines of `text[range]` with their byte ranges (without the line break).
fn lines(text: &str, start: usize) -> Vec<Range<usize>> {
    let Some(rest) = text.get(start..) else {
        return Vec::new();
    };
    // Room for every line at once (counting the breaks is a fraction of a
    // byte's instruction; grown line by line, the list was copied about
    // five times an article).
    let mut out = Vec::with_capacity(memchr::memchr_iter(b'\n', rest.as_bytes()).count() + 1);
    // The line breaks found by memchr (std's `split_inclusive` searched
    // byte-wise); the pieces are those of `split_inclusive('\n')`.
    let mut pos = start;
    let mut from = 0;
    let breaks = memchr::memchr_iter(b'\n', rest.as_bytes()).map(|i| i + 1);
    for to in breaks.chain((!rest.is_empty()).then_some(rest.len())) {
        if to <= from {
            continue;
        }
        let line = rest.get(from..to).unwrap_or("");
        let end = pos + line.trim_end_matches(['\n', '\r']).len();
        out.push(pos..end);
        pos += line.len();
        from = to;
    }
    out
}

/// Split an article into blocks with roles and read its metadata.
pub fn parse(text: &str, overrides: &MetaOverride) -> (Meta, Vec<Block>) {
    let mut meta = Meta::default();
    let (body_start, fm) = match front_matter(text) {
        Some((end, fm)) => (end, Some(fm)),
        None => (0, None),
    };
    let all = lines(text, body_start);
    // Join hard-wrapped paragraphs: a non-empty line continues the previous
    // one when that one did not end a sentence and this one starts lower-case.
    let mut units: Vec<Range<usize>> = Vec::with_capacity(all.len());
    for r in all {
        let Some(r) = text::trim_range(text, r) else {
            units.push(0..0);
            continue;
        };
        let s = &text[r.clone()];
        if let Some(prev) = units.last_mut() {
            let p = &text[prev.clone()];
            // The cheap test first: most lines do not start in lower case.
            // (The end of a line is read before its words are counted.)
            if s.chars().next().is_some_and(char::is_lowercase)
                && prev.start < prev.end
                && !ends_sentence(p)
                && more_words_than(p, 7)
            {
                prev.end = r.end;
                continue;
            }
        }
        units.push(r);
    }
    let units: Vec<Range<usize>> = units.into_iter().filter(|r| !r.is_empty()).collect();

    // The header ends at the first real paragraph.
    let header_end = units
        .iter()
        .position(|r| {
            let s = &text[r.clone()];
            ends_sentence(s) && more_words_than(s, 14) && !is_furniture_line(s)
        })
        .unwrap_or(units.len());

    let mut blocks = Vec::with_capacity(units.len());
    // Each unit's lower-cased text, and whether an earlier unit has its key
    // (the same furniture repeated).
    let lows: Vec<Lower> = units
        .iter()
        .map(|r| Lower::new(text[r.clone()].trim()))
        .collect();
    let repeated = repeated_keys(&lows);
    let mut in_list = false;
    let mut title_taken = false;
    for (i, (r, (low, &repeated))) in units.iter().zip(lows.iter().zip(&repeated)).enumerate() {
        let s = text[r.clone()].trim();
        let mut role = BlockRole::Body;
        if LIST_MARKERS.iter().any(|m| low.is(m)) {
            in_list = true;
        }
        let caption = low.starts_with("[photo") || low.contains_any(&["photo:", "photo by"]);
        // A byline/date line near the top, even below a summary paragraph:
        // "Desk | City | Updated: 04-01-2026 06:21 IST".
        let late_meta = i >= header_end
            && i < 10
            && !repeated
            && s.contains(" | ")
            && dates::parse_date_line(s).is_some();
        if late_meta {
            if meta.published.is_none() {
                meta.published = dates::parse_date_line(s);
            }
            if meta.outlet.is_none() {
                meta.outlet = outlet_from_line(s).filter(|o| dates::parse_date_line(o).is_none());
            }
            role = BlockRole::Meta;
        } else if repeated
            || is_furniture_line(s)
            || (in_list && (!more_words_than(s, 19) || !ends_sentence(s)))
        {
            role = BlockRole::Furniture;
        } else if caption {
            role = BlockRole::Caption;
        } else if i < header_end {
            // Header region: date lines, bylines, the title.
            let short = !more_words_than(s, 8)
                || ["published", "updated", "posted", "date", "created"]
                    .iter()
                    .any(|k| low.starts_with(k));
            // Only a short or a piped line can be a date line: a paragraph
            // of the header region is not searched for dates.
            let date = (short || s.contains(" | "))
                .then(|| dates::parse_date_line(s))
                .flatten();
            if let Some(d) = date {
                meta.published.get_or_insert(d);
                if meta.outlet.is_none() && s.contains(" | ") {
                    meta.outlet =
                        outlet_from_line(s).filter(|o| dates::parse_date_line(o).is_none());
                }
                role = BlockRole::Meta;
            } else if !title_taken && more_words_than(s, 2) {
                title_taken = true;
                meta.title = Some(s.to_string());
                role = BlockRole::Title;
            } else if s.contains(" | ")
                || s.starts_with("By ")
                || (short && !ends_sentence(s) && s.contains(", "))
                || (short && !ends_sentence(s) && title_taken && !more_words_than(s, 6))
            {
                if meta.outlet.is_none() {
                    meta.outlet = outlet_from_line(s);
                }
                role = BlockRole::Meta;
            }
        } else if i + 1 == units.len()
            && i > header_end
            && !more_words_than(s, 4)
            && !ends_sentence(s)
            && s.chars().next().is_some_and(char::is_uppercase)
        {
            // A trailing signature: the outlet's name.
            meta.outlet = Some(s.to_string());
            role = BlockRole::Meta;
        } else if i > header_end
            // (A body paragraph ends a sentence: its end is read before
            // its words are counted.)
            && !ends_sentence(s)
            && !more_words_than(s, 8)
            && s.split_whitespace()
                .filter(|w| w.chars().next().is_some_and(char::is_uppercase))
                .count()
                * 2
                >= word_count(s)
        {
            // A subheading inside the body ("Context of the Upcoming Visit").
            role = BlockRole::Furniture;
        } else if low.starts_with("source:") {
            if let Some(o) = outlet_from_line(s) {
                meta.outlet = Some(o);
            }
            role = BlockRole::Meta;
        }
        blocks.push(Block {
            span: r.clone(),
            role,
        });
    }
    // Body text above the header's last byline/date line is a standfirst.
    if let Some(last_meta) = blocks
        .iter()
        .take(8)
        .rposition(|b| b.role == BlockRole::Meta)
    {
        for b in blocks.iter_mut().take(last_meta) {
            if b.role == BlockRole::Body {
                b.role = BlockRole::Standfirst;
            }
        }
    }
    // A trailing signature: the last block is a short name without punctuation.
    if let Some(last) = blocks
        .iter_mut()
        .rev()
        .find(|b| b.role != BlockRole::Furniture)
    {
        let s = text[last.span.clone()].trim();
        if last.role == BlockRole::Body
            && !more_words_than(s, 4)
            && !ends_sentence(s)
            && s.chars().next().is_some_and(char::is_uppercase)
        {
            meta.outlet = Some(s.to_string());
            last.role = BlockRole::Meta;
        }
    }
    // A dateline "CITY, Jan 4 (Reuters) -" names the outlet.
    if meta.outlet.is_none() {
        for b in blocks.iter().filter(|b| b.role == BlockRole::Body).take(2) {
            let s = &text[b.span.clone()];
            let head = text::prefix(s, 80);
            if let (Some(a), Some(z)) = (head.find('('), head.find(')')) {
                let inner = &head[a + 1..z.max(a + 1)];
                if z > a
                    && !more_words_than(inner, 3)
                    && inner.chars().next().is_some_and(char::is_uppercase)
                {
                    meta.outlet = Some(inner.to_string());
                    break;
                }
            }
        }
    }
    if meta.published.is_none() {
        for b in blocks.iter().filter(|b| b.role == BlockRole::Body).take(1) {
            let s = &text[b.span.clone()];
            let head = text::prefix(s, 60);
            if let Some(d) = dates::parse_date_line(head) {
                meta.published = Some(d);
            }
        }
    }
    if let Some(fm) = fm {
        meta.apply(&fm);
    }
    meta.apply(overrides);
    (meta, blocks)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alphanumeric_key_keeps_letters_and_digits_in_order() {
        for low in [
            "advertisement",
            "share this: facebook | x | email",
            "read more: 12 things",
            "",
            "— ",
            "서울 12일 · 東京 “quote” 🎉 café",
        ] {
            let chars: String = low.chars().filter(|c| c.is_alphanumeric()).collect();
            assert_eq!(alphanumeric_key(low), chars, "{low:?}");
        }
        assert_eq!(alphanumeric_key("share this: x"), "sharethisx");
    }

    fn lines_by_split(text: &str, start: usize) -> Vec<Range<usize>> {
        let mut out = Vec::new();
        let mut pos = start;
        for line in text[start..].split_inclusive('\n') {
            let end = pos + line.trim_end_matches(['\n', '\r']).len();
            out.push(pos..end);
            pos += line.len();
        }
        out
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]
        #[test]
        fn more_words_than_is_split_whitespace(
            s in "[ \t\n\x0b\x0c\r\u{85}\u{a0}\u{2003}\u{3000}a-cé서.-]{0,30}",
            n in 0usize..8,
        ) {
            proptest::prop_assert_eq!(more_words_than(&s, n), s.split_whitespace().nth(n).is_some());
        }

        #[test]
        fn lines_are_those_of_split_inclusive(
            s in "[\n\ra é]{0,20}",
            start in 0usize..4,
        ) {
            let start = (0..=start.min(s.len())).rev().find(|&i| s.is_char_boundary(i)).unwrap_or(0);
            proptest::prop_assert_eq!(lines(&s, start), lines_by_split(&s, start));
        }
    }

    use proptest::strategy::Strategy;

    /// The words the block loop asks `Lower` about.
    const ASKED: &[&str] = &[
        "[photo",
        "photo:",
        "photo by",
        "published",
        "updated",
        "posted",
        "date",
        "created",
        "source:",
        "trending",
        "opinion / blog / interview",
    ];

    fn check_lower(s: &str) {
        let low = s.to_lowercase();
        let l = Lower::new(s);
        assert_eq!(l.key(), alphanumeric_key(&low).into_bytes(), "{s:?}");
        assert_eq!(l.signature(), key_signature(&l.key()), "{s:?}");
        assert_eq!(
            l.contains_any(&["photo:", "photo by"]),
            low.contains("photo:") || low.contains("photo by"),
            "{s:?}"
        );
        for w in ASKED.iter().chain(LIST_MARKERS) {
            assert_eq!(l.is(w), low == *w, "{s:?} is {w:?}");
            assert_eq!(l.starts_with(w), low.starts_with(w), "{s:?} starts {w:?}");
            assert_eq!(
                l.contains_any(&[w]),
                low.contains(w),
                "{s:?} contains {w:?}"
            );
        }
    }

    #[test]
    fn lower_is_the_lowercased_text_on_written_cases() {
        for s in [
            "",
            "TRENDING",
            "Trending",
            "[Photo caption: a man]",
            "A man speaks. PHOTO: agency",
            "photo By someone",
            "PhotO bY",
            "Published: today",
            "SOURCE: Reuters",
            "Source:",
            "İstanbul photo: x",
            "K photo by",
            "Opinion / Blog / Interview",
            "opinion / blog / interview ",
            "\u{201C}Trending\u{201D}",
            "He said \u{201C}photo by\u{2019}s\u{201D} Source:",
        ] {
            check_lower(s);
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]
        /// A unit's signature is its key's (control bytes, curly quotes and
        /// other non-ASCII text, words longer than eight bytes), and the
        /// units found repeated are those with the key of an earlier unit.
        #[test]
        fn signature_is_the_keys(
            units in proptest::collection::vec(
                proptest::prop_oneof![
                    "[\\x00-\\x7F]{0,40}",
                    // Keys of over `SIGNATURE_BYTES` bytes, alike at the start.
                    "The Company said: (it [a-c]{0,2}|9 .[A-Z]){4,9}",
                    "[a-zA-Z0-9 .,]{30,90}",
                    "(Photo|READ MORE|\u{201C}|\u{201D}|\u{2019}|É|İ|\u{212A}|[a-zA-Z0-9 .]){0,12}",
                    proptest::sample::select(vec![
                        "Advertisement", "ADVERTISEMENT", "advert-isement", "", "--",
                        "Read more", "read MORE!", "\u{201C}Read more\u{201D}",
                    ])
                    .prop_map(str::to_string),
                ],
                0..10,
            )
        ) {
            let lows: Vec<Lower> = units.iter().map(|u| Lower::new(u)).collect();
            for l in &lows {
                proptest::prop_assert_eq!(l.signature(), key_signature(&l.key()));
            }
            let mut seen = std::collections::HashSet::new();
            let want: Vec<bool> = lows
                .iter()
                .map(|l| {
                    let k = l.key();
                    !k.is_empty() && !seen.insert(k)
                })
                .collect();
            proptest::prop_assert_eq!(repeated_keys(&lows), want);
        }

        /// `Lower` answers as the lower-cased text does, ASCII or not.
        #[test]
        fn lower_is_the_lowercased_text(
            parts in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::sample::select(vec![
                        "photo", "PHOTO", "Photo", ":", " ", "by", "By", "[", "/", "source",
                        "Trending", "latest news", "MOST READ", "İ", "\u{212A}", "É", "©",
                        "published", "Posted", "p", "P", "h", "\u{201C}", "\u{201D}",
                        "\u{2018}", "\u{2019}", "\u{201C}Photo: ", "\u{2019}s",
                    ])
                    .prop_map(str::to_string),
                    "[ -~]{0,4}",
                ],
                0..8,
            )
        ) {
            check_lower(&parts.concat());
        }
    }

    fn roles(t: &str) -> Vec<(BlockRole, String)> {
        parse(t, &MetaOverride::default())
            .1
            .into_iter()
            .map(|b| (b.role, t[b.span].to_string()))
            .collect()
    }

    #[test]
    fn header_lines_give_metadata() {
        let t = "Storm floods the valley\n\nThe Daily Planet | World\nPublished: Mar 05, 2024 09:00 AM\n\nThe river rose by two metres overnight and 300 homes were flooded, officials said on Tuesday.\n";
        let (m, _) = parse(t, &MetaOverride::default());
        assert_eq!(m.title.as_deref(), Some("Storm floods the valley"));
        assert_eq!(m.published, Some(jiff::civil::date(2024, 3, 5)));
        assert_eq!(m.outlet.as_deref(), Some("The Daily Planet"));
    }

    #[test]
    fn outlet_after_comma_and_signature() {
        let t = "Title of the piece here\nJane Roe and Bob Poe, METRO NEWS\n\nSomething happened in the city today and many people were there to see it happen.\n\nCity Herald";
        let (m, b) = parse(t, &MetaOverride::default());
        assert_eq!(m.outlet.as_deref(), Some("City Herald"));
        assert_eq!(b.last().map(|b| b.role), Some(BlockRole::Meta));
    }

    #[test]
    fn front_matter_overrides() {
        let t = "---\noutlet: Example Post\npublished: 2024-02-01\ntitle: \"A title\"\n---\nBody text that says something long enough to be a paragraph in the article.\n";
        let (m, _) = parse(t, &MetaOverride::default());
        assert_eq!(m.outlet.as_deref(), Some("Example Post"));
        assert_eq!(m.published, Some(jiff::civil::date(2024, 2, 1)));
        assert_eq!(m.title.as_deref(), Some("A title"));
    }

    /// The phrases asked of a line's first byte are exactly the listed
    /// phrases that start with it, exact or prefix as listed, for every
    /// byte.
    #[test]
    fn furniture_phrases_are_the_lists_by_first_byte() {
        let mut seen = 0;
        for b in 0..=255u8 {
            let mut got: Vec<(&[u8], bool)> = furniture_phrases(Some(b)).to_vec();
            let mut want: Vec<(&[u8], bool)> = FURNITURE_EXACT
                .iter()
                .map(|p| (p.as_bytes(), true))
                .chain(FURNITURE_PREFIX.iter().map(|p| (p.as_bytes(), false)))
                .filter(|(p, _)| p.first() == Some(&b))
                .collect();
            got.sort();
            want.sort();
            assert_eq!(got, want, "first byte {b}");
            seen += got.len();
        }
        assert_eq!(seen, FURNITURE_EXACT.len() + FURNITURE_PREFIX.len());
        assert!(furniture_phrases(None).is_empty());
    }

    #[test]
    fn furniture_is_recognised() {
        let t = "Headline about a thing\n\nA long paragraph of real news text that goes on for more than fifteen words in total here.\n\nTRENDING\n\n1\nSome other headline about elsewhere\n\nLeave a Reply\nBack to top button\n";
        let r = roles(t);
        let furniture: Vec<&str> = r
            .iter()
            .filter(|(k, _)| *k == BlockRole::Furniture)
            .map(|(_, s)| s.as_str())
            .collect();
        assert_eq!(
            furniture,
            vec![
                "TRENDING",
                "1",
                "Some other headline about elsewhere",
                "Leave a Reply",
                "Back to top button"
            ]
        );
    }

    #[test]
    fn repeated_caption_is_furniture() {
        let t = "Headline about a thing\n\nA man speaks at a podium on Monday. Photo: agency\n\nA man speaks at a podium on Monday. Photo: agency\n\nA long paragraph of real news text that goes on for more than fifteen words in total here.\n";
        let r = roles(t);
        assert_eq!(r[1].0, BlockRole::Caption);
        assert_eq!(r[2].0, BlockRole::Furniture);
    }
}
