//! Dates and times in running text: absolute dates, ranges, weekdays and
//! relative expressions resolved against the article's publication date,
//! with the check that a stated weekday agrees with its date.
//! Calendar arithmetic is jiff's; the patterns are ours (English news usage).

use std::ops::Range;
use std::sync::OnceLock;

use jiff::civil::{Date, Weekday};
use regex::Regex;

/// What a date expression denotes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DateValue {
    Day(Date),
    /// Inclusive range of days.
    Span(Date, Date),
    /// A month, with its year when known.
    Month(Option<i16>, i8),
    Year(i16),
    /// A weekday that could not be resolved (no publication date).
    Weekday(Weekday),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateMention {
    pub span: Range<usize>,
    pub value: DateValue,
    /// A weekday was stated that disagrees with the date ("Sunday, January 5, 2026").
    pub weekday_mismatch: Option<(Weekday, Weekday)>,
}

impl DateValue {
    /// How many days a day or a span covers, both ends counted; `None` for
    /// coarser values and for a span that ends before it starts.
    pub fn days(&self) -> Option<i64> {
        let (a, b) = match self {
            DateValue::Day(a) => (*a, *a),
            DateValue::Span(a, b) => (*a, *b),
            _ => return None,
        };
        (a <= b).then(|| i64::from((b - a).get_days()) + 1)
    }

    /// The inclusive day range this value covers, when it is at day precision or coarser.
    pub fn range(&self) -> Option<(Date, Date)> {
        match *self {
            DateValue::Day(d) => Some((d, d)),
            DateValue::Span(a, b) => Some((a, b)),
            DateValue::Month(Some(y), m) => {
                let a = Date::new(y, m, 1).ok()?;
                Some((a, a.last_of_month()))
            }
            DateValue::Year(y) => Some((Date::new(y, 1, 1).ok()?, Date::new(y, 12, 31).ok()?)),
            _ => None,
        }
    }

    pub fn display(&self) -> String {
        match self {
            DateValue::Day(d) => d.to_string(),
            DateValue::Span(a, b) => format!("{a}..{b}"),
            DateValue::Month(Some(y), m) => format!("{y:04}-{m:02}"),
            DateValue::Month(None, m) => format!("month {m}"),
            DateValue::Year(y) => format!("{y}"),
            DateValue::Weekday(w) => weekday_name(*w).to_string(),
        }
    }
}

pub fn weekday_name(w: Weekday) -> &'static str {
    match w {
        Weekday::Monday => "Monday",
        Weekday::Tuesday => "Tuesday",
        Weekday::Wednesday => "Wednesday",
        Weekday::Thursday => "Thursday",
        Weekday::Friday => "Friday",
        Weekday::Saturday => "Saturday",
        Weekday::Sunday => "Sunday",
    }
}

pub fn month_number(word: &str) -> Option<i8> {
    // Compared ignoring ASCII case where it stands, not in a lower-cased
    // copy: it is asked of every capitalised word of every claim (a string
    // allocated per question; parse_only c200 callgrind, with `names`,
    // `terms::symbol`'s map and one digit test: 1,304.6M -> 1,258.1M).
    // `month_number_is_the_lowercased_comparison` checks it against the
    // comparison of the copy.
    let w = word.trim_end_matches('.').as_bytes();
    let &[a, b, c, ..] = w else {
        return None;
    };
    let m: i8 = match &[
        a.to_ascii_lowercase(),
        b.to_ascii_lowercase(),
        c.to_ascii_lowercase(),
    ] {
        b"jan" => 1,
        b"feb" => 2,
        b"mar" => 3,
        b"apr" => 4,
        b"may" => 5,
        b"jun" => 6,
        b"jul" => 7,
        b"aug" => 8,
        b"sep" => 9,
        b"oct" => 10,
        b"nov" => 11,
        b"dec" => 12,
        _ => return None,
    };
    // Reject words that merely start like a month ("marked", "mayor", "decade").
    const FULL: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    let full = FULL.get(usize::from(m.unsigned_abs()) - 1)?.as_bytes();
    let prefix = full
        .get(..w.len())
        .is_some_and(|f| f.eq_ignore_ascii_case(w));
    (prefix && (!w.eq_ignore_ascii_case(b"mar") || word.ends_with('.') || word == "Mar"))
        .then_some(m)
}

fn weekday_of(word: &str) -> Option<Weekday> {
    let w = word.to_ascii_lowercase();
    Some(match w.get(..3)? {
        "mon" if "monday".starts_with(&w) => Weekday::Monday,
        "tue" if "tuesday".starts_with(&w) || w == "tues" => Weekday::Tuesday,
        "wed" if "wednesday".starts_with(&w) => Weekday::Wednesday,
        "thu" if "thursday".starts_with(&w) || w == "thurs" => Weekday::Thursday,
        "fri" if "friday".starts_with(&w) => Weekday::Friday,
        "sat" if "saturday".starts_with(&w) => Weekday::Saturday,
        "sun" if "sunday".starts_with(&w) => Weekday::Sunday,
        _ => return None,
    })
}

const MONTH: &str = r"(?:Jan(?:uary|\.)?|Feb(?:ruary|\.)?|Mar(?:ch|\.)?|Apr(?:il|\.)?|May|June?|July?|Aug(?:ust|\.)?|Sept?(?:ember|\.)?|Oct(?:ober|\.)?|Nov(?:ember|\.)?|Dec(?:ember|\.)?)";
const WEEKDAY: &str = r"(?:Mon|Tues?|Wed|Thu(?:rs)?|Fri|Sat|Sun)(?:day|nesday|rsday|urday)?\.?";

struct Patterns {
    iso: Regex,
    dmy_num: Regex,
    mdy_range: Regex,
    mdy: Regex,
    dmy: Regex,
    weekday: Regex,
    month_year: Regex,
    year: Regex,
}

fn patterns() -> &'static Patterns {
    static P: OnceLock<Patterns> = OnceLock::new();
    P.get_or_init(|| {
        let r = |s: &str| Regex::new(s).unwrap_or_else(|e| panic!("date pattern {s}: {e}"));
        Patterns {
            iso: r(r"\b(\d{4})-(\d{2})-(\d{2})\b"),
            dmy_num: r(r"\b(\d{1,2})[-/](\d{1,2})[-/](\d{4})\b"),
            // "January 4 to 7, 2026", "from January 4 to January 7, 2026", "Jan 4-7"
            mdy_range: r(&format!(
                r"\b({MONTH})\s+(\d{{1,2}})(?:st|nd|rd|th)?\s*(?:-|–|to|through|until)\s*(?:({MONTH})\s+)?(\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(\d{{4}}))?\b"
            )),
            // "(Sunday,) January 5(, 2026)"
            mdy: r(&format!(
                r"\b(?:({WEEKDAY}),?\s+)?({MONTH})\s+(\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+(\d{{4}})\b)?"
            )),
            // "(Sunday) 27 February 2022", "13 Mar, 2017", "Sun, 27 Feb, 2022"
            dmy: r(&format!(
                r"\b(?:({WEEKDAY}),?\s+)?(\d{{1,2}})(?:st|nd|rd|th)?\s+({MONTH}),?(?:\s+(\d{{4}})\b)?"
            )),
            weekday: r(&format!(r"\b(?:(this|next|last|on|early|late)\s+)?({WEEKDAY})(?:'s|’s)?\b")),
            month_year: r(&format!(r"\b(?:in\s+)?({MONTH})(?:\s+(\d{{4}}))?\b")),
            year: r(r"\b(1[89]\d\d|20\d\d)\b"),
        }
    })
}

fn mk(y: i64, m: i64, d: i64) -> Option<Date> {
    Date::new(
        i16::try_from(y).ok()?,
        i8::try_from(m).ok()?,
        i8::try_from(d).ok()?,
    )
    .ok()
}

fn num(s: Option<regex::Match>) -> Option<i64> {
    s?.as_str().parse().ok()
}

/// Infer the year of a month/day without one: the year that puts the date
/// closest to the reference date.
fn infer_year(m: i8, d: i8, reference: Option<Date>) -> Option<Date> {
    let r = reference?;
    let mut best: Option<(i64, Date)> = None;
    for y in [r.year() - 1, r.year(), r.year() + 1] {
        if let Ok(c) = Date::new(y, m, d) {
            let dist = (c - r).get_days().unsigned_abs() as i64;
            if best.is_none_or(|(bd, _)| dist < bd) {
                best = Some((dist, c));
            }
        }
    }
    best.map(|b| b.1)
}

/// The first absolute date in a header line ("Published: Jan 03, 2026 11:06 AM",
/// "date 2026-01-04", "Updated: 04-01-2026 06:21 IST", "Sunday 27 February 2022").
pub fn parse_date_line(s: &str) -> Option<Date> {
    // Every form below needs a `\d` (a Unicode decimal digit, which is
    // numeric): most header candidates have none, and need no regex.
    if !s.chars().any(char::is_numeric) {
        return None;
    }
    let p = patterns();
    let mut found: Vec<(usize, Date)> = Vec::new();
    if let Some(c) = p.iso.captures(s) {
        if let Some(d) = mk(num(c.get(1))?, num(c.get(2))?, num(c.get(3))?) {
            found.push((c.get(0)?.start(), d));
        }
    }
    if let Some(c) = p.dmy_num.captures(s) {
        // Day first unless that is impossible: the form of most non-US outlets.
        let (a, b, y) = (num(c.get(1))?, num(c.get(2))?, num(c.get(3))?);
        if let Some(d) = mk(y, b, a).or_else(|| mk(y, a, b)) {
            found.push((c.get(0)?.start(), d));
        }
    }
    for c in p.mdy.captures_iter(s) {
        if let (Some(m), Some(d), Some(y)) = (
            c.get(2).and_then(|m| month_number(m.as_str())),
            num(c.get(3)),
            num(c.get(4)),
        ) {
            if let Some(d) = mk(y, m as i64, d) {
                found.push((c.get(0).map_or(0, |m| m.start()), d));
                break;
            }
        }
    }
    for c in p.dmy.captures_iter(s) {
        if let (Some(d), Some(m), Some(y)) = (
            num(c.get(2)),
            c.get(3).and_then(|m| month_number(m.as_str())),
            num(c.get(4)),
        ) {
            if let Some(d) = mk(y, m as i64, d) {
                found.push((c.get(0).map_or(0, |m| m.start()), d));
                break;
            }
        }
    }
    found.sort_by_key(|f| f.0);
    found.first().map(|f| f.1)
}

/// Words that make a bare weekday point forward from the publication date.
fn future_context(before: &str) -> bool {
    let b = before.to_lowercase();
    [
        " will ",
        " to be ",
        "expected",
        "scheduled",
        "plans",
        "planned",
        " set to",
        "is to ",
        "are to ",
        "embark",
        "next",
        "upcoming",
        "due ",
    ]
    .iter()
    .any(|k| b.contains(k))
}

/// The clause of `s` around `start..end`: from the punctuation before it to
/// the punctuation after it ("The summit, announced last week, *opens this
/// Thursday*").
fn clause_around(s: &str, start: usize, end: usize) -> &str {
    let stop = |c: char| matches!(c, ',' | ';' | ':' | '—' | '–' | '(' | ')');
    let from = s
        .get(..start)
        .and_then(|b| b.rfind(stop).map(|i| i + 1))
        .unwrap_or(0);
    let to = s
        .get(end..)
        .and_then(|a| a.find(stop).map(|i| end + i))
        .unwrap_or(s.len());
    s.get(from..to).unwrap_or(s)
}

/// Whether a clause is told in the past tense: a past auxiliary, a common
/// irregular past, or a lowercase word in "-ed" that is not "-eed"
/// ("proceed") or "hundred". The tense is all a weekday after "this" needs:
/// which of the week's two sides of the publication day it lies on.
fn past_tense(clause: &str) -> bool {
    const IRREGULAR: &[&str] = &[
        "was", "were", "had", "did", "said", "told", "met", "went", "came", "gave", "took", "held",
        "made", "left", "began", "spoke", "saw", "won", "lost", "flew", "sent", "led", "rose",
        "fell", "struck", "brought",
    ];
    clause
        .split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '’'))
        .any(|w| {
            IRREGULAR.contains(&w)
                || (w.len() >= 5
                    && w.ends_with("ed")
                    && !w.ends_with("eed")
                    && w != "hundred"
                    && w.chars().all(|c| c.is_ascii_lowercase()))
        })
}

/// Resolve a bare weekday against the publication date: the nearest such day
/// in the past (news reports what happened), or in the future when the
/// sentence speaks of the future. The publication day itself counts both ways.
pub fn resolve_weekday(w: Weekday, published: Date, future: bool) -> Date {
    let pw = published.weekday();
    let diff = i64::from(w.to_monday_zero_offset()) - i64::from(pw.to_monday_zero_offset());
    let days = if future {
        diff.rem_euclid(7)
    } else {
        -((-diff).rem_euclid(7))
    };
    published
        .checked_add(jiff::Span::new().days(days))
        .unwrap_or(published)
}

/// Whether `s` holds the first three letters of a weekday name ("Mon",
/// "Tue", "Wed", "Thu", "Fri", "Sat", "Sun") and of a month name ("Jan" …
/// "Dec"): every match of `WEEKDAY` starts with one of the first, every
/// match of `MONTH` with one of the second (both patterns are
/// case-sensitive). `calendar_words_never_hide_a_match` checks it.
fn calendar_words(s: &str) -> (bool, bool) {
    let (mut weekday, mut month) = (false, false);
    let b = s.as_bytes();
    // The capitals of each eight bytes at once (`text::byte_range_mask`):
    // most bytes are not capitals, and a test of every byte was most of
    // this scan; each capital found is looked at as before.
    for (k, x) in super::text::words_of(b).enumerate() {
        let mut capitals = super::text::byte_range_mask(x, b'A', b'Z');
        while capitals != 0 {
            let i = k * 8 + (capitals.trailing_zeros() / 8) as usize;
            capitals &= capitals - 1;
            // A capital in the last two bytes starts no word of three
            // (and no later capital does).
            let Some(w) = b.get(i..i + 3) else {
                return (weekday, month);
            };
            match w {
                b"Mon" | b"Tue" | b"Wed" | b"Thu" | b"Fri" | b"Sat" | b"Sun" => weekday = true,
                b"Jan" | b"Feb" | b"Mar" | b"Apr" | b"May" | b"Jun" | b"Jul" | b"Aug" | b"Sep"
                | b"Oct" | b"Nov" | b"Dec" => month = true,
                _ => {}
            }
            if weekday && month {
                return (weekday, month);
            }
        }
    }
    (weekday, month)
}

/// [`calendar_words`] by a test of every byte (for the tests).
#[cfg(test)]
fn calendar_words_by_bytes(s: &str) -> (bool, bool) {
    let b = s.as_bytes();
    let mut out = (false, false);
    for i in (0..b.len()).filter(|&i| b[i].is_ascii_uppercase()) {
        match b.get(i..i + 3) {
            Some(b"Mon" | b"Tue" | b"Wed" | b"Thu" | b"Fri" | b"Sat" | b"Sun") => out.0 = true,
            Some(
                b"Jan" | b"Feb" | b"Mar" | b"Apr" | b"May" | b"Jun" | b"Jul" | b"Aug" | b"Sep"
                | b"Oct" | b"Nov" | b"Dec",
            ) => out.1 = true,
            _ => {}
        }
    }
    out
}

/// Whether `s` holds "18", "19" or "20", which every match of the `year`
/// pattern starts with.
fn year_digits(s: &str) -> bool {
    s.as_bytes()
        .windows(2)
        .any(|w| matches!(w, [b'1', b'8' | b'9'] | [b'2', b'0']))
}

/// All date expressions in `text[range]`.
pub fn find(text: &str, range: Range<usize>, published: Option<Date>) -> Vec<DateMention> {
    let digits = text
        .get(range.clone())
        .is_some_and(|s| !super::text::digit_gate(s).is_empty());
    find_in(text, range, published, digits)
}

/// [`find`], told whether `text[range]` holds a digit (whether
/// [`super::text::digit_gate`] passes it): a sentence's quantities and
/// dates are found with one digit test instead of two.
pub fn find_in(
    text: &str,
    range: Range<usize>,
    published: Option<Date>,
    digits: bool,
) -> Vec<DateMention> {
    let Some(s) = text.get(range.clone()) else {
        return Vec::new();
    };
    let base = range.start;
    let p = patterns();
    let mut out: Vec<DateMention> = Vec::new();
    let taken = |out: &Vec<DateMention>, r: &Range<usize>| {
        out.iter()
            .any(|m| m.span.start < r.end && r.start < m.span.end)
    };
    let year_of = |y: Option<i64>| y.or_else(|| published.map(|p| i64::from(p.year())));
    // Every pattern but the weekday's and the month's needs a digit (the
    // test covers every Unicode digit).
    let with_digits = if digits { s } else { "" };
    // Likewise every pattern with a month name needs one of its first three
    // letters as written ("Jan" … "Dec", case-sensitive like the patterns),
    // and the weekday pattern one of "Mon" … "Sun": found in one pass over
    // the bytes instead of a regex search per pattern.
    let (weekday_word, month_word) = calendar_words(s);
    let with_month = if month_word { with_digits } else { "" };
    // Most sentences give no pattern anything to search: nothing to set up.
    if with_digits.is_empty() && !weekday_word && !month_word {
        return out;
    }

    // A digit sentence is searched only by the patterns whose literal bytes
    // it holds: an ISO date has a '-', a year "18", "19" or "20" (the
    // patterns' other characters are classes).
    let with_hyphen = if memchr::memchr(b'-', with_digits.as_bytes()).is_some() {
        with_digits
    } else {
        ""
    };
    let with_century = if year_digits(with_digits) {
        with_digits
    } else {
        ""
    };
    for c in super::text::captures_in(&p.iso, with_hyphen) {
        let Some(all) = c.get(0) else { continue };
        if let Some(d) = num(c.get(1)).and_then(|y| mk(y, num(c.get(2))?, num(c.get(3))?)) {
            out.push(DateMention {
                span: base + all.start()..base + all.end(),
                value: DateValue::Day(d),
                weekday_mismatch: None,
            });
        }
    }
    for c in super::text::captures_in(&p.mdy_range, with_month) {
        let Some(all) = c.get(0) else { continue };
        let r = base + all.start()..base + all.end();
        if taken(&out, &r) {
            continue;
        }
        let Some(m1) = c.get(1).and_then(|m| month_number(m.as_str())) else {
            continue;
        };
        let m2 = c
            .get(3)
            .and_then(|m| month_number(m.as_str()))
            .unwrap_or(m1);
        let (Some(d1), Some(d2)) = (num(c.get(2)), num(c.get(4))) else {
            continue;
        };
        let y = num(c.get(5));
        let a = match year_of(y) {
            Some(0) => None,
            Some(y) if c.get(5).is_some() => mk(y, m1 as i64, d1),
            _ => i8::try_from(d1)
                .ok()
                .and_then(|d| infer_year(m1, d, published)),
        };
        let Some(a) = a else { continue };
        let Some(b) = mk(i64::from(a.year()), m2 as i64, d2) else {
            continue;
        };
        if b >= a {
            out.push(DateMention {
                span: r,
                value: DateValue::Span(a, b),
                weekday_mismatch: None,
            });
        }
    }
    let push_day = |out: &mut Vec<DateMention>,
                    r: Range<usize>,
                    wd: Option<regex::Match>,
                    m: i8,
                    d: i64,
                    y: Option<i64>| {
        if taken(out, &r) {
            return;
        }
        let date = match y {
            Some(y) => mk(y, m as i64, d),
            None => i8::try_from(d)
                .ok()
                .and_then(|d| infer_year(m, d, published)),
        };
        let Some(date) = date else { return };
        let mismatch = wd
            .and_then(|w| weekday_of(w.as_str().trim_end_matches('.')))
            .filter(|w| *w != date.weekday())
            .map(|w| (w, date.weekday()));
        out.push(DateMention {
            span: r,
            value: DateValue::Day(date),
            weekday_mismatch: mismatch,
        });
    };
    for c in super::text::captures_in(&p.mdy, with_month) {
        let Some(all) = c.get(0) else { continue };
        let Some(m) = c.get(2).and_then(|m| month_number(m.as_str())) else {
            continue;
        };
        let Some(d) = num(c.get(3)) else { continue };
        if !(1..=31).contains(&d) {
            continue;
        }
        push_day(
            &mut out,
            base + all.start()..base + all.end(),
            c.get(1),
            m,
            d,
            num(c.get(4)),
        );
    }
    for c in super::text::captures_in(&p.dmy, with_month) {
        let Some(all) = c.get(0) else { continue };
        let Some(m) = c.get(3).and_then(|m| month_number(m.as_str())) else {
            continue;
        };
        let Some(d) = num(c.get(2)) else { continue };
        if !(1..=31).contains(&d) {
            continue;
        }
        push_day(
            &mut out,
            base + all.start()..base + all.end(),
            c.get(1),
            m,
            d,
            num(c.get(4)),
        );
    }
    for c in super::text::captures_in(&p.weekday, if weekday_word { s } else { "" }) {
        let (Some(all), Some(wm)) = (c.get(0), c.get(2)) else {
            continue;
        };
        let r = base + all.start()..base + all.end();
        if taken(&out, &r) {
            continue;
        }
        let Some(w) = weekday_of(wm.as_str().trim_end_matches('.')) else {
            continue;
        };
        // Short forms only with a full stop or when capitalised words follow? Keep full names
        // and the common three-letter forms only when followed by a comma or date.
        if wm.as_str().len() < 6 {
            continue;
        }
        let modifier = c.get(1).map(|m| m.as_str().to_lowercase());
        let value = match published {
            Some(p) => {
                let future = match modifier.as_deref() {
                    Some("next") => true,
                    Some("last") => false,
                    // "this Thursday" is the one of the week the article
                    // speaks from: ahead of it in the present or future
                    // tense ("opens this Thursday"), behind it in the past
                    // tense ("met this Monday").
                    Some("this") => {
                        p.weekday() != w
                            && (future_context(&format!(" {s} "))
                                || !past_tense(clause_around(s, all.start(), all.end())))
                    }
                    _ => future_context(&format!(" {} ", &s[..all.start()])),
                };
                let mut d = resolve_weekday(w, p, future);
                if modifier.as_deref() == Some("next") && d == p {
                    d = d.checked_add(jiff::Span::new().days(7)).unwrap_or(d);
                }
                DateValue::Day(d)
            }
            None => DateValue::Weekday(w),
        };
        out.push(DateMention {
            span: r,
            value,
            weekday_mismatch: None,
        });
    }
    for c in super::text::captures_in(&p.month_year, if month_word { s } else { "" }) {
        let (Some(all), Some(mm)) = (c.get(0), c.get(1)) else {
            continue;
        };
        let r = base + all.start()..base + all.end();
        if taken(&out, &r) {
            continue;
        }
        // "May" and "March" are also ordinary words: require "in" or a year.
        let has_in = all.as_str().to_lowercase().starts_with("in ");
        if !has_in && c.get(2).is_none() {
            continue;
        }
        let Some(m) = month_number(mm.as_str()) else {
            continue;
        };
        let y = num(c.get(2))
            .and_then(|y| i16::try_from(y).ok())
            .or_else(|| {
                // "in June" in a story published in January refers to the past June.
                published.map(|p| {
                    if m > p.month() {
                        p.year() - 1
                    } else {
                        p.year()
                    }
                })
            });
        out.push(DateMention {
            span: r,
            value: DateValue::Month(y, m),
            weekday_mismatch: None,
        });
    }
    for c in super::text::captures_in(&p.year, with_century) {
        let Some(all) = c.get(0) else { continue };
        let r = base + all.start()..base + all.end();
        if taken(&out, &r) {
            continue;
        }
        // Not part of a larger number or a money amount.
        let before = &s[..all.start()];
        let after = &s[all.end()..];
        if before.ends_with(['$', '£', '€', ',', '.'])
            || after.starts_with([',', '.']) && after[1..].starts_with(|c: char| c.is_ascii_digit())
        {
            continue;
        }
        // "2000 people", "1985 votes": a count, not a year. A year is introduced
        // ("in", "by", "since", "the year") or not followed by a plural noun.
        let lead = before.trim_end().to_lowercase();
        let introduced = [
            "in", "by", "since", "until", "year", "of", "from", "to", "and", "after", "before",
            "the", "early", "late", "mid",
        ]
        .iter()
        .any(|w| lead.ends_with(w));
        let next = after
            .split_whitespace()
            .next()
            .unwrap_or("")
            .trim_matches(|c: char| !c.is_alphanumeric());
        let plural_noun = next.len() > 3
            && next.ends_with('s')
            && next.chars().all(|c| c.is_ascii_lowercase())
            && next != "was"
            && next != "has";
        if plural_noun && !introduced {
            continue;
        }
        if let Ok(y) = all.as_str().parse::<i16>() {
            out.push(DateMention {
                span: r,
                value: DateValue::Year(y),
                weekday_mismatch: None,
            });
        }
    }
    out.retain(|m| m.span.start < m.span.end && text.get(m.span.clone()).is_some());
    out.sort_by_key(|m| m.span.start);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `month_number` as it was: the comparisons made on a lower-cased copy.
    fn month_number_by_copy(word: &str) -> Option<i8> {
        let w = word.trim_end_matches('.').to_ascii_lowercase();
        let m = match w.get(..3)? {
            "jan" => 1,
            "feb" => 2,
            "mar" => 3,
            "apr" => 4,
            "may" => 5,
            "jun" => 6,
            "jul" => 7,
            "aug" => 8,
            "sep" => 9,
            "oct" => 10,
            "nov" => 11,
            "dec" => 12,
            _ => return None,
        };
        const FULL: [&str; 12] = [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ];
        let full = FULL[(m - 1) as usize];
        (full.starts_with(&w)
            && (w.len() >= 3)
            && (w != "mar" || word.ends_with('.') || word == "Mar"))
            .then_some(m)
    }

    #[test]
    fn month_number_on_written_cases() {
        for w in [
            "Jan",
            "jan.",
            "JANUARY",
            "Januaryx",
            "Mar",
            "mar",
            "MAR",
            "Mar.",
            "march",
            "mayor",
            "May",
            "Sept",
            "sept.",
            "Sep",
            "decade",
            "Dec..",
            "",
            "ja",
            "Ju",
            "June",
            "Junе",
            "Ma\u{0301}r",
            "é",
            "Marć",
            "Dec\u{00e9}",
        ] {
            assert_eq!(month_number(w), month_number_by_copy(w), "{w:?}");
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]
        #[test]
        fn month_number_is_the_lowercased_comparison(
            w in "[JjAaNnFfEeBbMmRrPpYyUuLlGgSsOoCcTtVvDdHhIi.é]{0,10}"
        ) {
            proptest::prop_assert_eq!(month_number(&w), month_number_by_copy(&w));
        }
    }
    use jiff::civil::date;
    use proptest::strategy::Strategy;

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]
        /// The prefilter of `find` never skips a pattern that would match.
        #[test]
        fn calendar_words_never_hide_a_match(
            v in proptest::collection::vec(
                proptest::prop_oneof![
                    3 => proptest::sample::select(vec![
                        "Mon", "Monday", "Tues", "Tuesday", "Wed", "Wednesday", "Thu",
                        "Thurs", "Thursday", "Fri", "Friday", "Sat", "Saturday", "Sun",
                        "Sunday", "Jan", "Jan.", "January", "Feb", "February", "Mar",
                        "March", "Apr", "April", "May", "Jun", "June", "Jul", "July", "Aug",
                        "August", "Sep", "Sept", "Sept.", "September", "Oct", "October",
                        "Nov", "November", "Dec", "December", "in", "on", "next", "last",
                        "this", "to", "through", "-", "–", ",", " ", "  ", "st", "th", "\u{2019}s",
                        "'s", "2026", "4", "17", "1999", "monday", "MAY", "Mo", "Ju", "1850",
                        "2026-01-04", "20", "19", "\u{661}\u{662}", "1\u{669}99", "12-31",
                    ])
                    .prop_map(str::to_string),
                    1 => "[ -~]{1,4}",
                ],
                0..12,
            )
        ) {
            let s = v.join(" ");
            let (weekday, month) = calendar_words(&s);
            proptest::prop_assert_eq!((weekday, month), calendar_words_by_bytes(&s), "{:?}", s);
            let joined = v.concat();
            proptest::prop_assert_eq!(
                calendar_words(&joined),
                calendar_words_by_bytes(&joined),
                "{:?}",
                joined
            );
            let p = patterns();
            proptest::prop_assert!(s.contains('-') || !p.iso.is_match(&s), "{s:?}");
            proptest::prop_assert!(year_digits(&s) || !p.year.is_match(&s), "{s:?}");
            proptest::prop_assert!(weekday || !p.weekday.is_match(&s), "{s:?}");
            for r in [&p.month_year, &p.mdy, &p.dmy, &p.mdy_range] {
                proptest::prop_assert!(month || !r.is_match(&s), "{s:?}");
            }
            let (weekday, month) = calendar_words(&joined);
            proptest::prop_assert!(weekday || !p.weekday.is_match(&joined), "{joined:?}");
            for r in [&p.month_year, &p.mdy, &p.dmy, &p.mdy_range] {
                proptest::prop_assert!(month || !r.is_match(&joined), "{joined:?}");
            }
        }
    }

    fn vals(s: &str, p: Option<Date>) -> Vec<(String, DateValue)> {
        find(s, 0..s.len(), p)
            .into_iter()
            .map(|m| (s[m.span].to_string(), m.value))
            .collect()
    }

    #[test]
    fn header_dates() {
        assert_eq!(
            parse_date_line("Published: Jan 03, 2026 11:06 AM"),
            Some(date(2026, 1, 3))
        );
        assert_eq!(
            parse_date_line(" date 2026-01-04 Left Menu"),
            Some(date(2026, 1, 4))
        );
        assert_eq!(
            parse_date_line("Updated: 04-01-2026 06:21 IST"),
            Some(date(2026, 1, 4))
        );
        assert_eq!(
            parse_date_line("ITV News | Sunday 27 February 2022"),
            Some(date(2022, 2, 27))
        );
        assert_eq!(
            parse_date_line("By Wire | 13 Mar, 2017"),
            Some(date(2017, 3, 13))
        );
        assert_eq!(
            parse_date_line("Published Sept. 19, 2017 | Updated Sept. 20, 2017"),
            Some(date(2017, 9, 19))
        );
        assert_eq!(
            parse_date_line("Sun, 27 Feb, 2022"),
            Some(date(2022, 2, 27))
        );
        assert_eq!(parse_date_line("no date here"), None);
    }

    #[test]
    fn this_weekday_follows_the_tense() {
        // Published on Sunday 8 June 2025.
        let p = Some(date(2025, 6, 8));
        let v = vals("Reyes opens her festival this Thursday.", p);
        assert_eq!(v[0].1, DateValue::Day(date(2025, 6, 12)));
        let v = vals("The festival, postponed twice, opens this Thursday.", p);
        assert_eq!(v[0].1, DateValue::Day(date(2025, 6, 12)));
        let v = vals("Reyes met the mayor this Thursday, her office said.", p);
        assert_eq!(v[0].1, DateValue::Day(date(2025, 6, 5)));
        let v = vals("The mayor was re-elected this Thursday.", p);
        assert_eq!(v[0].1, DateValue::Day(date(2025, 6, 5)));
        // A future word wins over a past one elsewhere in the sentence.
        let v = vals("She said she will sign it this Thursday.", p);
        assert_eq!(v[0].1, DateValue::Day(date(2025, 6, 12)));
    }

    #[test]
    fn ranges_and_days() {
        let v = vals(
            "The trip runs from March 3 to 6, 2025, officials said.",
            None,
        );
        assert_eq!(v[0].1, DateValue::Span(date(2025, 3, 3), date(2025, 3, 6)));
        let v = vals("scheduled from March 3 to March 6, 2025", None);
        assert_eq!(v[0].1, DateValue::Span(date(2025, 3, 3), date(2025, 3, 6)));
        let v = vals("It aired on Oct. 2 this year.", Some(date(2025, 10, 5)));
        assert_eq!(v[0].1, DateValue::Day(date(2025, 10, 2)));
    }

    #[test]
    fn weekday_mismatch_is_detected() {
        // 5 January 2026 is a Monday.
        let m = find("on Sunday, January 5, 2026", 0..26, None);
        assert_eq!(
            m[0].weekday_mismatch,
            Some((Weekday::Sunday, Weekday::Monday))
        );
        let m = find("on Monday, January 5, 2026", 0..26, None);
        assert_eq!(m[0].weekday_mismatch, None);
    }

    #[test]
    fn weekdays_resolve_against_publication() {
        // Published Wednesday 2025-03-12.
        let p = Some(date(2025, 3, 12));
        let v = vals("The storm hit on Monday.", p);
        assert_eq!(v[0].1, DateValue::Day(date(2025, 3, 10)));
        let v = vals("The minister will travel on Friday.", p);
        assert_eq!(v[0].1, DateValue::Day(date(2025, 3, 14)));
        let v = vals("The storm hit on Monday.", None);
        assert_eq!(v[0].1, DateValue::Weekday(Weekday::Monday));
    }

    #[test]
    fn months_and_years() {
        let p = Some(date(2026, 1, 4));
        let v = vals("since taking office in June", p);
        assert_eq!(v[0].1, DateValue::Month(Some(2025), 6));
        let v = vals("the system deployed in 2016 and 2,000 people", p);
        assert_eq!(v.len(), 1);
        assert_eq!(v[0].1, DateValue::Year(2016));
        assert!(vals("The mayor marked the day", p).is_empty());
    }
}
