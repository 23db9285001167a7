//! Deterministic generator of realistic news corpora for benchmarks and scale
//! tests: several outlets per story, paraphrased sentences, figures, dates,
//! names and quotes, planted conflicts, page furniture.
//!
//! ```sh
//! cargo run --release --bin gencorpus -- --stories 200 --outlets 5 --seed 1 --out /tmp/corpus
//! ```
//!
//! The same arguments always write the same bytes: the random generator is a
//! hand-written SplitMix64 because the crates' generators do not promise the
//! same stream across versions, and benchmarks must compare like with like.

use std::fmt::Write as _;
use std::path::PathBuf;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn pick<T: Copy>(&mut self, v: &[T]) -> T {
        v[self.below(v.len())]
    }
    fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }
}

const SYLLABLES: &[&str] = &[
    "ka", "lo", "mar", "ten", "vi", "sa", "ro", "del", "an", "mi", "tor", "ba", "ne", "lu", "chi",
    "da", "po", "rel", "su", "gan", "ti", "ve", "mo", "ra", "zen", "ko", "li", "dar", "fe", "ho",
];
const OUTLETS: &[&str] = &[
    "The Daily Ledger",
    "Northern Courier",
    "Global Wire",
    "The Harbour Times",
    "Metro Bulletin",
    "Capital Post",
    "Evening Herald",
    "World Report",
    "The Citizen",
    "Coastal News",
];
const MONTHS: &[&str] = &[
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const WEEKDAYS: &[&str] = &[
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];
/// Filler templates; `{t}` is one of the story's own topic words, `{p}` its
/// place and `{w}` a word of the general vocabulary (Zipf-distributed), so
/// that sentences share grammar words but rarely their content.
const FILLER: &[&str] = &[
    "Officials in {p} said the {w} {w} would {w} the {t} before {w}.",
    "The {w} of the {t} was {w} by {w} {w} in {p}.",
    "{W} {w} told the {w} that {w} {w} had {w} the {t}.",
    "A {w} {w} described the {w} as {w} and {w}.",
    "Local {w} near the {w} reported {w} {w} throughout the day.",
    "{W} {w} said they were {w} the {t} with {w} {w}.",
    "Critics of the {w} argued that {w} had {w} the {w} {w}.",
    "In {p}, {w} {w} welcomed the {w} as {w}.",
    "Details of the {w} {w} are expected after the {w} {w}.",
    "The {w} {w} declined to {w} on the {t} when contacted.",
];
const FURNITURE: &[&str] = &[
    "TRENDING",
    "Leave a Reply",
    "Back to top",
    "Subscribe to our Newsletter",
];

/// A word of a 20,000-word general vocabulary, Zipf-distributed (rank ~ 1/u).
fn vocab_word(r: &mut Rng) -> String {
    let u = (r.next() >> 11) as f64 / (1u64 << 53) as f64;
    let rank = ((20_000f64).powf(u) as u64).max(1);
    let mut x = Rng(rank.wrapping_mul(0x2545_F491_4F6C_DD1D));
    let n = 2 + x.below(2);
    (0..n).map(|_| x.pick(SYLLABLES)).collect()
}

fn name(r: &mut Rng, syll: usize) -> String {
    let mut s = String::new();
    for _ in 0..syll {
        s.push_str(r.pick(SYLLABLES));
    }
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => s,
    }
}

struct Story {
    place: String,
    person: String,
    person_last: String,
    org: String,
    kind: usize,
    count: u32,
    month: usize,
    day: u32,
    weekday: usize,
    days: u32,
    amount: u32,
    pct: u32,
    quote: String,
    topics: Vec<String>,
}

fn story(r: &mut Rng) -> Story {
    let first = name(r, 2);
    let last = name(r, 3);
    Story {
        place: name(r, 3),
        person: format!("{first} {last}"),
        person_last: last,
        org: format!(
            "{} {}",
            name(r, 2),
            r.pick(&["Group", "Holdings", "Council", "Agency", "Federation"])
        ),
        kind: r.below(3),
        count: 20 + r.below(480) as u32,
        month: r.below(12),
        day: 1 + r.below(24) as u32,
        weekday: r.below(7),
        days: 2 + r.below(5) as u32,
        amount: 2 + r.below(90) as u32,
        pct: 5 + r.below(60) as u32,
        quote: format!(
            "We will {} every {} and we will not stop until the work is done",
            r.pick(&["rebuild", "review", "support", "protect", "reach"]),
            r.pick(&["home", "family", "district", "contract", "school"])
        ),
        topics: (0..6).map(|_| name(r, 3).to_lowercase()).collect(),
    }
}

fn number_words(n: u32) -> String {
    const ONES: &[&str] = &[
        "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    ];
    ONES.get(n as usize)
        .map_or_else(|| n.to_string(), |s| s.to_string())
}

fn article(r: &mut Rng, s: &Story, outlet: &str, words: usize) -> String {
    let mut out = String::new();
    // Planted discrepancies.
    let count = if r.chance(0.25) {
        s.count + 10 + r.below(40) as u32
    } else {
        s.count
    };
    let approx = r.pick(&["more than", "at least", "nearly", "about", ""]);
    let day = if r.chance(0.1) { s.day + 1 } else { s.day };
    let (what, unit) = match s.kind {
        0 => ("storm", "people"),
        1 => ("agreement", "jobs"),
        _ => ("summit", "delegates"),
    };
    let titles = [
        format!(
            "{} {} leaves {} {} affected in {}",
            s.place, what, count, unit, s.place
        ),
        format!("{} confirms {} as {} gathers pace", s.org, what, s.person),
        format!("What we know about the {} {}", s.place, what),
    ];
    let _ = writeln!(out, "{}\n", titles[r.below(titles.len())]);
    let _ = writeln!(
        out,
        "{outlet} | World | {} {}, 2026\n",
        MONTHS[s.month], s.day
    );
    let facts = [
        format!(
            "The {what} in {} affected {} {count} {unit}, {} said on {}.",
            s.place, approx, s.person, WEEKDAYS[s.weekday]
        ),
        format!(
            "According to {}, {} {count} {unit} were affected by the {what}.",
            s.org,
            if approx.is_empty() { "some" } else { approx }
        ),
        format!(
            "The {}-day programme runs from {} {day} to {} {}, 2026, officials said.",
            number_words(s.days),
            MONTHS[s.month],
            MONTHS[s.month],
            day + s.days - 1
        ),
        format!("\u{201c}{},\u{201d} {} told reporters.", s.quote, s.person),
        format!(
            "{} said the cost had reached ${} million, or {}% of the annual budget.",
            s.person_last, s.amount, s.pct
        ),
        format!(
            "It is the first {what} of its kind in {} since the {} was founded.",
            s.place, s.org
        ),
    ];
    let mut n_words = 0;
    let mut i = 0;
    while n_words < words {
        let para = if i < facts.len() && r.chance(0.8) {
            facts[i].clone()
        } else {
            let mut p = String::new();
            for _ in 0..(2 + r.below(3)) {
                let t = &s.topics[r.below(s.topics.len())];
                let mut sentence = r.pick(FILLER).replace("{t}", t).replace("{p}", &s.place);
                while let Some(i) = sentence.find("{w}") {
                    let w = vocab_word(r);
                    sentence.replace_range(i..i + 3, &w);
                }
                while let Some(i) = sentence.find("{W}") {
                    let w = vocab_word(r);
                    let cap: String = w
                        .chars()
                        .take(1)
                        .flat_map(char::to_uppercase)
                        .chain(w.chars().skip(1))
                        .collect();
                    sentence.replace_range(i..i + 3, &cap);
                }
                p.push_str(&sentence);
                p.push(' ');
            }
            p.trim_end().to_string()
        };
        i += 1;
        n_words += para.split_whitespace().count();
        let _ = writeln!(out, "{para}\n");
    }
    for f in FURNITURE.iter().take(1 + r.below(FURNITURE.len())) {
        let _ = writeln!(out, "{f}");
    }
    out
}

fn main() -> std::process::ExitCode {
    let mut stories = 200usize;
    let mut outlets = 5usize;
    let mut seed = 1u64;
    let mut words = 600usize;
    let mut out = PathBuf::from("target/corpus");
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let v = args.next();
        let parsed = match (a.as_str(), v.as_deref()) {
            ("--stories", Some(v)) => v.parse().map(|x| stories = x).is_ok(),
            ("--outlets", Some(v)) => v.parse().map(|x| outlets = x).is_ok(),
            ("--seed", Some(v)) => v.parse().map(|x| seed = x).is_ok(),
            ("--words", Some(v)) => v.parse().map(|x| words = x).is_ok(),
            ("--out", Some(v)) => {
                out = PathBuf::from(v);
                true
            }
            _ => false,
        };
        if !parsed {
            eprintln!(
                "usage: gencorpus [--stories N] [--outlets N] [--seed N] [--words N] [--out DIR]"
            );
            return std::process::ExitCode::from(2);
        }
    }
    let mut r = Rng(seed);
    if let Err(e) = std::fs::create_dir_all(&out) {
        eprintln!("gencorpus: {}: {e}", out.display());
        return std::process::ExitCode::from(2);
    }
    let mut bytes = 0usize;
    for si in 0..stories {
        let s = story(&mut r);
        for oi in 0..outlets {
            let outlet = OUTLETS[(si + oi) % OUTLETS.len()];
            let text = article(&mut r, &s, outlet, words);
            bytes += text.len();
            let path = out.join(format!("s{si:05}_o{oi:02}.txt"));
            if let Err(e) = std::fs::write(&path, text) {
                eprintln!("gencorpus: {}: {e}", path.display());
                return std::process::ExitCode::from(2);
            }
        }
    }
    eprintln!(
        "gencorpus: wrote {} articles, {} bytes, to {}",
        stories * outlets,
        bytes,
        out.display()
    );
    std::process::ExitCode::SUCCESS
}
