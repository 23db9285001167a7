//! Text anchoring in the manner of robust web annotation tools: an annotation
//! remembers the exact quote, some context either side and its position, and
//! is found again after the text is edited by trying, in order:
//!
//! 1. the old position, if the quote is still there;
//! 2. the exact quote elsewhere (the occurrence with the best context, then
//!    the one nearest the old position);
//! 3. the old prefix and suffix, with the (edited) text between them;
//! 4. a fuzzy match of the quote (normalised Levenshtein on candidate windows).
//!
//! Otherwise the annotation is *orphaned*: kept and reported, never dropped.

use std::ops::Range;

use serde::{Deserialize, Serialize};

/// Context kept either side of the quote, in characters.
pub const CONTEXT_CHARS: usize = 32;
/// Lowest similarity (0..1) a fuzzy match of the quote must reach.
pub const FUZZY_THRESHOLD: f64 = 0.75;
/// Lowest similarity of the text found between the old prefix and suffix.
pub const CONTEXT_THRESHOLD: f64 = 0.5;

/// Where an annotation points: quote, context and position (bytes and code points).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Selector {
    pub exact: String,
    #[serde(default)]
    pub prefix: String,
    #[serde(default)]
    pub suffix: String,
    /// Byte offsets into the file (start inclusive, end exclusive).
    pub start: usize,
    pub end: usize,
    /// The same span in Unicode code points (the W3C TextPositionSelector unit).
    #[serde(default)]
    pub start_cp: usize,
    #[serde(default)]
    pub end_cp: usize,
}

/// How an annotation was found in the current text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    /// Quote unchanged at its old position.
    Position,
    /// Quote unchanged, moved.
    Quote,
    /// Found between its old prefix and suffix (the quote itself was edited).
    Context,
    /// Found by approximate match of the quote.
    Fuzzy,
    /// Not found: the annotation is kept but points nowhere.
    Orphaned,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Position => "position",
            Method::Quote => "quote",
            Method::Context => "context",
            Method::Fuzzy => "fuzzy",
            Method::Orphaned => "orphaned",
        }
    }
}

fn floor_boundary(text: &str, mut i: usize) -> usize {
    if i >= text.len() {
        return text.len();
    }
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_boundary(text: &str, mut i: usize) -> usize {
    if i >= text.len() {
        return text.len();
    }
    while i < text.len() && !text.is_char_boundary(i) {
        i += 1;
    }
    i
}

/// Code-point offset of a byte offset (clamped to the text, floored to a boundary).
pub fn cp_of_byte(text: &str, byte: usize) -> usize {
    let b = floor_boundary(text, byte);
    text.get(..b).map(|s| s.chars().count()).unwrap_or(0)
}

/// Byte offset of a code-point offset (clamped to the end of the text).
pub fn byte_of_cp(text: &str, cp: usize) -> usize {
    text.char_indices()
        .nth(cp)
        .map(|(b, _)| b)
        .unwrap_or(text.len())
}

/// Byte offset of a 1-based line and 1-based column counted in characters.
pub fn byte_of_line_col(text: &str, line: usize, col: usize) -> Option<usize> {
    if line == 0 || col == 0 {
        return None;
    }
    let mut start = 0usize;
    for _ in 1..line {
        let nl = text.get(start..)?.find('\n')?;
        start += nl + 1;
    }
    let rest = text.get(start..)?;
    let line_text = rest.split('\n').next().unwrap_or("");
    let line_text = line_text.strip_suffix('\r').unwrap_or(line_text);
    let n = line_text.chars().count();
    if col > n + 1 {
        return None;
    }
    Some(start + byte_of_cp(line_text, col - 1))
}

/// The selector of `range` in `text` (range clamped and snapped to char boundaries).
pub fn select(text: &str, range: Range<usize>) -> Selector {
    let start = floor_boundary(text, range.start.min(text.len()));
    let end = ceil_boundary(text, range.end.max(start).min(text.len()));
    let before = text.get(..start).unwrap_or("");
    let after = text.get(end..).unwrap_or("");
    let prefix: String = {
        let n = before.chars().count();
        before
            .chars()
            .skip(n.saturating_sub(CONTEXT_CHARS))
            .collect()
    };
    let suffix: String = after.chars().take(CONTEXT_CHARS).collect();
    let start_cp = before.chars().count();
    let exact = text.get(start..end).unwrap_or("").to_string();
    let end_cp = start_cp + exact.chars().count();
    Selector {
        exact,
        prefix,
        suffix,
        start,
        end,
        start_cp,
        end_cp,
    }
}

/// Similarity of two strings in 0..=1 (normalised Levenshtein over characters).
pub fn similarity(a: &str, b: &str) -> f64 {
    strsim::normalized_levenshtein(a, b)
}

/// How well the context around `range` matches the selector's prefix and suffix (0..=2).
fn context_score(text: &str, range: &Range<usize>, sel: &Selector) -> f64 {
    let before = text.get(..range.start).unwrap_or("");
    let after = text.get(range.end..).unwrap_or("");
    let pn = sel.prefix.chars().count();
    let sn = sel.suffix.chars().count();
    let bn = before.chars().count();
    let p: String = before.chars().skip(bn.saturating_sub(pn)).collect();
    let s: String = after.chars().take(sn).collect();
    let ps = if pn == 0 {
        1.0
    } else {
        similarity(&p, &sel.prefix)
    };
    let ss = if sn == 0 {
        1.0
    } else {
        similarity(&s, &sel.suffix)
    };
    ps + ss
}

/// Find the selector in `text`: the current byte range and how it was found,
/// or `None` when the annotation is orphaned.
pub fn locate(text: &str, sel: &Selector) -> Option<(Range<usize>, Method)> {
    if sel.exact.is_empty() {
        return None;
    }
    // 1. Unchanged at the old position.
    if text.get(sel.start..sel.end) == Some(sel.exact.as_str()) {
        return Some((sel.start..sel.end, Method::Position));
    }
    // 2. The exact quote elsewhere: best context, then nearest.
    let len = sel.exact.len();
    let mut best: Option<(Range<usize>, f64, usize)> = None;
    for (i, _) in text.match_indices(sel.exact.as_str()) {
        let r = i..i + len;
        let ctx = context_score(text, &r, sel);
        let dist = i.abs_diff(sel.start);
        let better = match &best {
            None => true,
            Some((_, c, d)) => ctx > *c + 1e-9 || ((ctx - *c).abs() <= 1e-9 && dist < *d),
        };
        if better {
            best = Some((r, ctx, dist));
        }
    }
    if let Some((r, ctx, _)) = best {
        // A short quote ("200") found elsewhere with unlike context is more
        // likely another mention than this one moved: prefer the old context.
        if sel.exact.chars().count() < 16 && ctx < 0.8 {
            if let Some(c) = between_context(text, sel) {
                return Some((c, Method::Context));
            }
        }
        return Some((r, Method::Quote));
    }
    // 3. Between the old prefix and suffix.
    if let Some(r) = between_context(text, sel) {
        return Some((r, Method::Context));
    }
    // 4. Fuzzy.
    fuzzy(text, sel).map(|r| (r, Method::Fuzzy))
}

/// Occurrences of a non-empty needle, nearest the hint first.
fn occurrences_near(text: &str, needle: &str, hint: usize) -> Vec<usize> {
    if needle.is_empty() {
        return Vec::new();
    }
    let mut v: Vec<usize> = text.match_indices(needle).map(|(i, _)| i).collect();
    v.sort_by_key(|&i| i.abs_diff(hint));
    v.truncate(16);
    v
}

fn between_context(text: &str, sel: &Selector) -> Option<Range<usize>> {
    // Short contexts (at the start or end of a file) are too weak to anchor on alone.
    let min_ctx = 8;
    let exact_chars = sel.exact.chars().count();
    let max_len = sel.exact.len() * 2 + 64;
    let mut best: Option<(Range<usize>, f64)> = None;
    let consider = |r: Range<usize>, best: &mut Option<(Range<usize>, f64)>| {
        if r.start >= r.end {
            return;
        }
        let Some(found) = text.get(r.clone()) else {
            return;
        };
        let s = similarity(found.trim(), sel.exact.trim());
        if s >= CONTEXT_THRESHOLD && best.as_ref().is_none_or(|(_, b)| s > *b) {
            *best = Some((r, s));
        }
    };
    let prefix_ok = sel.prefix.chars().count() >= min_ctx;
    let suffix_ok = sel.suffix.chars().count() >= min_ctx;
    let hint_p = sel.start.saturating_sub(sel.prefix.len());
    let ps: Vec<usize> = if prefix_ok {
        occurrences_near(text, &sel.prefix, hint_p)
            .into_iter()
            .map(|i| i + sel.prefix.len())
            .collect()
    } else {
        Vec::new()
    };
    let ss: Vec<usize> = if suffix_ok {
        occurrences_near(text, &sel.suffix, sel.end)
    } else {
        Vec::new()
    };
    // Both sides: the text between them.
    for &a in &ps {
        for &b in &ss {
            if b > a && b - a <= max_len {
                consider(a..b, &mut best);
            }
        }
    }
    if best.is_some() {
        return best.map(|(r, _)| r);
    }
    // One side only: a window of the quote's length next to it.
    for &a in &ps {
        let end = ceil_boundary(text, a + byte_len_of_chars(text.get(a..)?, exact_chars));
        consider(a..end, &mut best);
    }
    for &b in &ss {
        let before = text.get(..b)?;
        let n = before.chars().count();
        let start = byte_of_cp(before, n.saturating_sub(exact_chars));
        consider(start..b, &mut best);
    }
    // One-sided matches must be close to the quote, not merely similar.
    best.filter(|(_, s)| *s >= FUZZY_THRESHOLD).map(|(r, _)| r)
}

fn byte_len_of_chars(s: &str, n: usize) -> usize {
    s.char_indices().nth(n).map(|(b, _)| b).unwrap_or(s.len())
}

/// Word starts (byte offsets) of `text`.
fn word_starts(text: &str) -> Vec<usize> {
    let mut v = Vec::new();
    let mut prev_space = true;
    for (i, c) in text.char_indices() {
        let space = c.is_whitespace();
        if !space && prev_space {
            v.push(i);
        }
        prev_space = space;
    }
    v
}

/// Word ends (byte offsets just past a word) of `text`.
fn word_ends(text: &str) -> Vec<usize> {
    let mut v = Vec::new();
    let mut prev: Option<(usize, char)> = None;
    for (i, c) in text.char_indices() {
        if let Some((_, p)) = prev {
            if !p.is_whitespace() && c.is_whitespace() {
                v.push(i);
            }
        }
        prev = Some((i, c));
    }
    if prev.is_some_and(|(_, c)| !c.is_whitespace()) {
        v.push(text.len());
    }
    v
}

fn words(s: &str) -> Vec<String> {
    s.split_whitespace().map(|w| w.to_lowercase()).collect()
}

/// Approximate match: candidate windows of about the quote's word count,
/// ranked by shared words, the best few scored by normalised Levenshtein.
fn fuzzy(text: &str, sel: &Selector) -> Option<Range<usize>> {
    let qwords = words(&sel.exact);
    let nq = qwords.len();
    if nq == 0 || sel.exact.chars().count() < 8 {
        return None;
    }
    let starts = word_starts(text);
    let ends = word_ends(text);
    if starts.is_empty() || starts.len() != ends.len() {
        return None;
    }
    let twords: Vec<String> = starts
        .iter()
        .zip(&ends)
        .map(|(&s, &e)| text.get(s..e).unwrap_or("").to_lowercase())
        .collect();
    let mut need: std::collections::HashMap<&str, i64> = std::collections::HashMap::new();
    for w in &qwords {
        *need.entry(w.as_str()).or_default() += 1;
    }
    // Sliding window of nq words: count of quote words matched (multiset).
    let mut have: std::collections::HashMap<&str, i64> = std::collections::HashMap::new();
    let mut matched: i64 = 0;
    let mut cands: Vec<(i64, usize)> = Vec::new();
    for (i, w) in twords.iter().enumerate() {
        if let Some(&n) = need.get(w.as_str()) {
            let h = have.entry(w.as_str()).or_default();
            *h += 1;
            if *h <= n {
                matched += 1;
            }
        }
        if i >= nq {
            let old = twords.get(i - nq).map(String::as_str).unwrap_or("");
            if let Some(&n) = need.get(old) {
                let h = have.entry(old).or_default();
                if *h <= n {
                    matched -= 1;
                }
                *h -= 1;
            }
        }
        if i + 1 >= nq {
            cands.push((matched, i + 1 - nq));
        } else if i + 1 == twords.len() {
            cands.push((matched, 0));
        }
    }
    let floor = (nq as i64 + 1) / 2;
    cands.retain(|c| c.0 >= floor.max(1));
    cands.sort_by(|a, b| {
        b.0.cmp(&a.0).then_with(|| {
            let da = starts.get(a.1).map(|s| s.abs_diff(sel.start)).unwrap_or(0);
            let db = starts.get(b.1).map(|s| s.abs_diff(sel.start)).unwrap_or(0);
            da.cmp(&db)
        })
    });
    cands.truncate(6);
    let mut best: Option<(Range<usize>, f64, usize)> = None;
    let quote = sel.exact.as_str();
    for &(_, w0) in &cands {
        for ds in [-1i64, 0, 1] {
            let si = w0 as i64 + ds;
            if si < 0 {
                continue;
            }
            let si = si as usize;
            for dn in -2i64..=2 {
                let ei = si as i64 + nq as i64 - 1 + dn;
                if ei < si as i64 {
                    continue;
                }
                let (Some(&s), Some(&e)) = (starts.get(si), ends.get(ei as usize)) else {
                    continue;
                };
                let Some(found) = text.get(s..e) else {
                    continue;
                };
                let mut sc = similarity(found, quote.trim());
                // The quote may begin or end inside a word or with punctuation:
                // compare trimmed forms as well.
                sc = sc.max(similarity(found.trim(), quote.trim()));
                let dist = s.abs_diff(sel.start);
                let better = match &best {
                    None => true,
                    Some((_, b, d)) => sc > *b + 1e-9 || ((sc - *b).abs() <= 1e-9 && dist < *d),
                };
                if better {
                    best = Some((s..e, sc, dist));
                }
            }
        }
    }
    best.filter(|(_, s, _)| *s >= FUZZY_THRESHOLD)
        .map(|(r, _, _)| r)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "The minister said on Tuesday that more than 200 people attended the \
                        summit in Beijing. Officials later confirmed the figure. Weather was fine.";

    fn sel_of(text: &str, quote: &str) -> Selector {
        let i = text.find(quote).unwrap_or(0);
        select(text, i..i + quote.len())
    }

    #[test]
    fn position_then_moved() {
        let s = sel_of(TEXT, "more than 200 people attended");
        assert_eq!(locate(TEXT, &s).map(|x| x.1), Some(Method::Position));
        let edited = format!("BREAKING. {TEXT}");
        let (r, m) = locate(&edited, &s).unwrap_or((0..0, Method::Orphaned));
        assert_eq!(m, Method::Quote);
        assert_eq!(&edited[r], "more than 200 people attended");
    }

    #[test]
    fn edited_inside_found_by_context() {
        let s = sel_of(TEXT, "more than 200 people attended");
        let edited = TEXT.replace("more than 200 people", "more than 250 people");
        let (r, m) = locate(&edited, &s).unwrap_or((0..0, Method::Orphaned));
        assert_eq!(m, Method::Context);
        assert_eq!(&edited[r], "more than 250 people attended");
    }

    #[test]
    fn edited_everywhere_found_fuzzily() {
        let s = sel_of(TEXT, "Officials later confirmed the figure.");
        let edited =
            "Completely new opening paragraph here.\n\nOfficials later confirmed that figure. \
                      Then something else entirely happened.";
        let (r, m) = locate(edited, &s).unwrap_or((0..0, Method::Orphaned));
        assert_eq!(m, Method::Fuzzy);
        assert_eq!(&edited[r], "Officials later confirmed that figure.");
    }

    #[test]
    fn short_quote_edited_in_place_is_not_moved_to_another_mention() {
        let text = "Officials said 200 people came to the rally in the square. \
                    Last year 200 were arrested at a different protest downtown.";
        let i = text.find("200").unwrap_or(0);
        let s = select(text, i..i + 3);
        let edited = text.replacen("200 people", "250 people", 1);
        let (r, m) = locate(&edited, &s).unwrap_or((0..0, Method::Orphaned));
        assert_eq!(m, Method::Context);
        assert_eq!(&edited[r], "250");
    }

    #[test]
    fn removed_is_orphaned() {
        let s = sel_of(TEXT, "more than 200 people attended");
        let edited = "An unrelated text about football results and the weather at the weekend.";
        assert!(locate(edited, &s).is_none());
    }

    #[test]
    fn repeated_quote_picks_context() {
        let text = "Alpha said yes. Beta said no. Gamma said yes. Delta said no.";
        let i = text.rfind("said no").unwrap_or(0);
        let s = select(text, i..i + 7);
        let edited = format!("Intro. {text}");
        let (r, _) = locate(&edited, &s).unwrap_or((0..0, Method::Orphaned));
        assert_eq!(r.start, i + 7);
    }

    #[test]
    fn code_points_and_line_col() {
        let text = "Größe 🎉 ok\nzweite Zeile";
        let s = sel_of(text, "ok");
        assert_eq!((s.start_cp, s.end_cp), (8, 10));
        assert_eq!(byte_of_line_col(text, 2, 1), text.find("zweite"));
        assert_eq!(byte_of_line_col(text, 1, 9), text.find("ok"));
        assert_eq!(byte_of_line_col(text, 3, 1), None);
        assert_eq!(cp_of_byte(text, s.start), 8);
    }

    #[test]
    fn odd_ranges_do_not_panic() {
        let text = "héllo wörld";
        let s = select(text, 2..200);
        assert!(text.is_char_boundary(s.start));
        let (a, b) = (50, 10);
        let s2 = select(text, a..b);
        assert!(s2.exact.is_empty());
        assert!(locate(text, &s2).is_none());
    }

    proptest::proptest! {
        #[test]
        fn locate_never_panics_and_returns_valid_spans(
            text in "[a-zA-Z é🎉\n.,]{0,300}",
            edit in "[a-zA-Z é🎉\n.,]{0,300}",
            a in 0usize..320,
            b in 0usize..320,
        ) {
            let s = select(&text, a.min(b)..a.max(b));
            proptest::prop_assert!(text.is_char_boundary(s.start) && text.is_char_boundary(s.end));
            if let Some((r, m)) = locate(&text, &s) {
                proptest::prop_assert!(text.get(r).is_some());
                proptest::prop_assert_eq!(m, Method::Position);
            }
            if let Some((r, _)) = locate(&edit, &s) {
                proptest::prop_assert!(edit.get(r).is_some());
            }
        }
    }
}
