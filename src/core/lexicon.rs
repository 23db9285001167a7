//! Words that say the same thing in news copy. Both sides of a comparison are
//! folded through this table before their terms are matched.
//!
//! This is a small hand-made lexicon of general English as used in news
//! (no story's names or facts). It is written by hand because the general
//! thesauri (WordNet) are large data files with far more senses than news
//! paraphrase needs, and would turn "bank" into "depository" as readily as
//! "trip" into "visit".

use rustc_hash::FxHashMap;
use std::sync::OnceLock;

use super::text::stem;

/// Groups of interchangeable words; the first of each is the canonical form.
const GROUPS: &[&[&str]] = &[
    &["visit", "trip", "mission", "tour", "journey"],
    &[
        "die",
        "kill",
        "dead",
        "death",
        "deaths",
        "fatal",
        "fatalities",
        "toll",
        "bodies",
        "body",
        "lives",
        "killed",
        "died",
    ],
    &[
        "child",
        "children",
        "student",
        "students",
        "pupil",
        "pupils",
        "kid",
        "kids",
        "schoolchildren",
    ],
    &["adult", "adults", "teacher", "teachers", "staff"],
    &["people", "person", "persons", "individuals"],
    &[
        "member",
        "members",
        "representative",
        "representatives",
        "delegate",
        "delegates",
        "executive",
        "executives",
        "businessmen",
        "businesspeople",
    ],
    &["country", "countries", "nation", "nations", "state"],
    &["quake", "earthquake", "tremor", "shock", "temblor"],
    &["broadcaster", "broadcast", "tv", "television", "channel"],
    &[
        "acquire",
        "acquisition",
        "buy",
        "buys",
        "bought",
        "purchase",
        "takeover",
        "acquiring",
    ],
    &["deal", "agreement", "transaction", "accord", "pact"],
    &["company", "firm", "business", "group", "corporation"],
    &["vote", "referendum", "ballot", "poll", "voted", "voters"],
    &[
        "win", "won", "victory", "beat", "beating", "triumph", "edged", "edging",
    ],
    &["penalty", "penalties", "shootout", "shoot", "spot", "kicks"],
    &["begin", "start", "launch", "began", "started"],
    &["missile", "rocket"],
    &[
        "cooperation",
        "collaboration",
        "partnership",
        "cooperate",
        "collaborate",
        "cooperating",
    ],
    &["tension", "tensions", "friction", "strain", "frictions"],
    &["economic", "economy", "economies", "economics"],
    &["president", "leader"],
    &["percent", "pc"],
    &["rescue", "rescuer", "rescuers", "search", "searching"],
    &["missing", "unaccounted", "trapped"],
    &["injured", "hurt", "wounded", "injuries"],
    &[
        "rise", "higher", "rose", "jump", "jumped", "gain", "climb", "surge", "soar", "rocketed",
        "increase", "up",
    ],
    &[
        "fall", "lower", "fell", "drop", "slip", "slipped", "decline", "plunge", "tumble",
        "decrease",
    ],
    &[
        "emphasize",
        "emphasise",
        "stress",
        "stressed",
        "underscore",
        "underscored",
        "highlight",
        "highlighted",
        "emphasis",
    ],
    &[
        "important",
        "importance",
        "vital",
        "critical",
        "crucial",
        "key",
        "paramount",
        "essential",
        "significant",
    ],
    &[
        "reaffirm",
        "reiterate",
        "restate",
        "reaffirmed",
        "reiterated",
        "restating",
        "reassure",
        "reassured",
    ],
    &[
        "relation",
        "relations",
        "ties",
        "relationship",
        "relationships",
    ],
    &["large", "big", "major", "huge", "massive"],
    &["official", "formal", "formally", "officially"],
    &["reduce", "minimize", "minimise", "lower", "cut", "ease"],
    &["resolve", "settle", "solve"],
    &[
        "misunderstanding",
        "misunderstandings",
        "difference",
        "differences",
        "disagreement",
        "disagreements",
        "dispute",
        "disputes",
    ],
    &[
        "dialogue",
        "talks",
        "communication",
        "exchanges",
        "discussions",
    ],
    &["help", "assist", "aid", "support"],
    &[
        "show",
        "shows",
        "indicate",
        "indicates",
        "signal",
        "signals",
        "demonstrate",
    ],
    &["expect", "expected", "anticipate", "likely"],
    &["announce", "announced", "confirm", "confirmed", "said"],
    &["stability", "stable", "stabilize", "stabilise"],
    &["peace", "peaceful", "peacefully"],
    &["history", "historical", "historic"],
    &[
        "connect",
        "connected",
        "interconnected",
        "integrated",
        "intertwined",
        "bound",
        "linked",
    ],
    &["closing", "close", "complete", "completed", "completion"],
    &[
        "headquarters",
        "hq",
        "headquartered",
        "headquarter",
        "based",
    ],
    &[
        "stake",
        "holding",
        "holds",
        "share",
        "shares",
        "shareholder",
    ],
    &["record", "biggest", "largest"],
    &["goalkeeper", "keeper"],
    &["miss", "missed", "blazed", "ballooned", "fired"],
    &["trophy", "cup", "title", "honour", "honor", "prize"],
    &["government", "administration"],
    &["new", "fresh", "renewed"],
];

fn table() -> &'static FxHashMap<String, String> {
    static T: OnceLock<FxHashMap<String, String>> = OnceLock::new();
    T.get_or_init(|| {
        let mut m = FxHashMap::default();
        for g in GROUPS {
            let canon = stem(g[0]);
            for w in *g {
                m.entry(stem(w)).or_insert_with(|| canon.clone());
            }
        }
        m
    })
}

/// The canonical stem for a stem.
pub fn canonical(stem: &str) -> &str {
    table().get(stem).map(String::as_str).unwrap_or(stem)
}

/// Whether a sentence states that something comes with conditions
/// (`Some(true)`: "subject to medical advice", "provided that ...") or
/// without any (`Some(false)`: "unrestricted", "on request"); `None` when it
/// says neither, or both.
pub fn conditionality(sentence: &str) -> Option<bool> {
    // Every phrase of the two patterns holds one of these stems, under the
    // same case folding: most sentences hold none, and are settled by this
    // literal search instead of two searches with word boundaries (which
    // make the lazy DFA give up on text with curly quotes; 3,444 sentences
    // of 1,000 generated articles cost 12.4M instructions).
    // `conditionality_is_the_patterns` compares it with the patterns alone.
    static STEMS: OnceLock<regex::Regex> = OnceLock::new();
    let stems = STEMS.get_or_init(|| {
        // A constant pattern, compiled by every test run.
        regex::Regex::new("(?i)subject|condition|provid|only|restrict|limit|request|demand")
            .unwrap_or_else(|e| panic!("condition stems: {e}"))
    });
    if !stems.is_match(sentence) {
        return None;
    }
    conditionality_by_patterns(sentence)
}

/// [`conditionality`] by its two patterns alone.
fn conditionality_by_patterns(sentence: &str) -> Option<bool> {
    static RE: OnceLock<[regex::Regex; 2]> = OnceLock::new();
    let [with, without] = RE.get_or_init(|| {
        // Constant patterns, compiled by every test run.
        let re = |s: &str| {
            regex::Regex::new(s).unwrap_or_else(|e| panic!("condition pattern {s}: {e}"))
        };
        [
            re(r"(?i)\b(subject to|conditional (on|upon)|on (the )?condition (that|of)|provided (that|it)|providing (that|it)|only if|only when)\b"),
            re(r"(?i)\b(unrestricted|without (any )?(restrictions?|conditions?|limits?)|no (restrictions?|conditions?)|on (request|demand)|unconditional(ly)?|unlimited)\b"),
        ]
    });
    match (with.is_match(sentence), without.is_match(sentence)) {
        (true, false) => Some(true),
        (false, true) => Some(false),
        _ => None,
    }
}

/// Whether the words after a "first ..." figure bound it in time ("since
/// 2012", "since taking office", "in a decade", "in more than five years"):
/// a "first since" claim, a streak that one source may scope differently.
pub fn since_bound(after: &str) -> bool {
    static RE: OnceLock<regex::Regex> = OnceLock::new();
    let re = RE.get_or_init(|| {
        // A constant pattern, compiled by every test run.
        regex::Regex::new(
            r"(?i)^\W*(?:[\w'’-]+\W+){0,3}?(?:since\b|in\s+(?:(?:over|more\s+than|nearly|almost|about)\s+)?(?:a|an|the\s+last|the\s+past|\w+)\s+(?:years?|decades?|seasons?|generations?|century|centuries)\b)",
        )
        .unwrap_or_else(|e| panic!("since pattern: {e}"))
    });
    re.is_match(after)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conditions_stated_or_denied() {
        assert_eq!(
            conditionality("terminations within 12 weeks, subject to medical advice"),
            Some(true)
        );
        assert_eq!(
            conditionality("allowed provided that a doctor agrees"),
            Some(true)
        );
        assert_eq!(
            conditionality("unrestricted access up to 12 weeks"),
            Some(false)
        );
        assert_eq!(conditionality("available on request"), Some(false));
        assert_eq!(conditionality("the subject of the talks"), None);
        assert_eq!(
            conditionality("on request, but subject to a waiting period"),
            None
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]
        /// The stems' search settles only sentences the patterns find
        /// nothing in: random phrases of the patterns' words, in any case
        /// (`ſ` and the Kelvin sign fold to `s` and `k`), and other words.
        #[test]
        fn conditionality_is_the_patterns(
            words in proptest::collection::vec(
                proptest::prop_oneof![
                    // The patterns' words, a third of the time: a phrase
                    // with no other stem beside it is what tells a stem
                    // missing from the search.
                    1 => proptest::sample::select(vec![
                        "subject", "SUBJECT", "ſubject", "conditional", "condition",
                        "Conditions", "provided", "Provided", "providing", "only", "ONLY",
                        "unrestricted", "restriction", "restrictions", "limit", "limits",
                        "request", "demand", "unconditional", "unconditionally", "unlimited",
                    ]),
                    2 => proptest::sample::select(vec![
                        "to", "on", "upon", "the", "that", "of", "it", "if", "when", "without",
                        "any", "no", "taſks", "\u{212A}", "access", "weeks", "12", ",", "’",
                        "é",
                    ]),
                ],
                0..12,
            ),
            seps in proptest::collection::vec(
                proptest::sample::select(vec![" ", " ", " ", "", "-", ", ", "\u{a0}"]),
                12,
            ),
        ) {
            let s: String = words
                .iter()
                .zip(&seps)
                .flat_map(|(w, sep)| [*w, *sep])
                .collect();
            proptest::prop_assert_eq!(conditionality(&s), conditionality_by_patterns(&s), "{:?}", s);
        }
    }

    #[test]
    fn first_since_bounds() {
        assert!(since_bound(" since 2015"));
        assert!(since_bound(" to the capital since taking office"));
        assert!(since_bound(" in a decade"));
        assert!(since_bound(" in more than five years"));
        assert!(!since_bound(" in the second half"));
        assert!(!since_bound(" of the season, he said"));
    }

    #[test]
    fn folds_paraphrases() {
        assert_eq!(canonical(&stem("trip")), canonical(&stem("visit")));
        assert_eq!(
            canonical(&stem("representatives")),
            canonical(&stem("members"))
        );
        assert_eq!(
            canonical(&stem("underscored")),
            canonical(&stem("emphasized"))
        );
        assert_eq!(canonical("zebra"), "zebra");
    }
}

/// An event a clause reports as taking place: a verb of giving or holding
/// ("gave", "held", "will pay"), or a clause-initial "In"/"During", then an
/// indefinite article, at most four modifiers and a noun naming a one-off
/// occasion ("gave an exclusive interview to China Media Group", "In a
/// Chinese state media interview, ..."), with the names the event is held
/// with or given to ("with CCTV News", "to China Media Group"). An event
/// named in passing ("beating Chelsea in a shoot-out", "the only miss of a
/// nerve-shredding shoot-out") is the setting of the clause, not its news.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventIntro {
    /// The event noun, folded ("trip" → "visit").
    pub noun: String,
    /// The noun as written, lower-cased ("trip").
    pub word: String,
    /// Lower-cased capitalised words right after "with"/"to" (empty when
    /// the event is given to nobody by name: "a state media interview").
    pub partner: Vec<String>,
}

/// Nouns of one-off occasions: a story has one of each as a rule, and two
/// sources that introduce one ("an interview") speak of the same one.
/// Containers of speech that recur ("a statement", "a post") and common
/// events ("a goal") are left out.
const EVENT_NOUNS: &str = "interview|visit|trip|tour|summit|meeting|talks|speech|address|press conference|news conference|referendum|earthquake|quake|final|shoot-out|shootout|acquisition|merger|takeover|tender offer|ceremony";

/// Whether `w` (a lower-case word) is the longest word of one of the
/// [`EVENT_NOUNS`] ("interview", "conference" of "press conference",
/// "shoot" of "shoot-out"). In text the tokenizer reads as plain
/// (`text::TokenBuf::fill_plain`: ASCII, no word joined across
/// punctuation) the tokens are the maximal runs of word bytes, which is
/// where `\b` and `\s` put a word's edges: every word of a noun that
/// [`event_introduction`]'s pattern matches is then a token of its own,
/// so a clause holding no token of these words introduces no event
/// (`claim::Claim::event_word`; checked in `word_lists_gate_the_searches`).
pub(crate) fn is_event_word(w: &str) -> bool {
    static TABLE: OnceLock<super::text::WordTable> = OnceLock::new();
    TABLE
        .get_or_init(|| {
            // The longest word of each noun: the rarest, as a rule (not
            // "press" or "news" for "press conference", "out" for "shoot-out").
            let words: Vec<&'static str> = EVENT_NOUNS
                .split('|')
                .filter_map(|noun| noun.split([' ', '-']).max_by_key(|w| w.len()))
                .collect();
            super::text::WordTable::new(&[(&words, 1)])
        })
        .get(w)
        != 0
}

/// The first event a clause introduces (see [`EventIntro`]).
pub fn event_introduction(clause: &str) -> Option<EventIntro> {
    static RE: OnceLock<regex::Regex> = OnceLock::new();
    let re = RE.get_or_init(|| {
        // A constant pattern, compiled by every test run.
        regex::Regex::new(&format!(
            r"(?i)(?:(?:^|[,;]\s+)(?:in|during|at)\s+|\b(?:gave|gives|give|giving|granted|grants|held|holds|hold|holding|paid|pays|pay|paying|made|makes|make|making|received|receives|receive|conducted|conducts|attended|attends|embarked\s+on|embarks\s+on|embarking\s+on|began|begins|begin)\s+)(?:a|an)\s+(?:[\w'’-]+\s+){{0,4}}?({EVENT_NOUNS})\b(?:\s+(?:with|to)\s+([^,;:()—–]{{1,60}}))?"
        ))
        .unwrap_or_else(|e| panic!("event pattern: {e}"))
    });
    // Most clauses name no event at all: the nouns alone, under the same
    // case folding, are a literal search (no word boundary, which makes the
    // lazy DFA give up on text with curly quotes and fall back to a slower
    // engine). Without one of them the full pattern cannot match.
    static NOUNS: OnceLock<regex::Regex> = OnceLock::new();
    let nouns = NOUNS.get_or_init(|| {
        // A constant pattern, compiled by every test run.
        regex::Regex::new(&format!("(?i){EVENT_NOUNS}"))
            .unwrap_or_else(|e| panic!("event nouns: {e}"))
    });
    if !nouns.is_match(clause) {
        return None;
    }
    let caps = re.captures(clause)?;
    let noun_text = caps.get(1)?.as_str().to_lowercase();
    let noun = canonical(&stem(&noun_text.replace(['-', ' '], ""))).to_string();
    let partner = caps
        .get(2)
        .map(|m| {
            m.as_str()
                .split_whitespace()
                .filter(|w| w.chars().next().is_some_and(char::is_uppercase))
                .map(|w| w.trim_end_matches(['.', '’', '\'']).to_lowercase())
                .map(|w| w.trim_end_matches("’s").trim_end_matches("'s").to_string())
                .filter(|w| !w.is_empty())
                .collect()
        })
        .unwrap_or_default();
    Some(EventIntro {
        noun,
        word: noun_text,
        partner,
    })
}

#[cfg(test)]
mod event_tests {
    use super::*;

    #[test]
    fn events_introduced_with_their_partner() {
        let e = event_introduction(
            "The minister gave an exclusive interview to Radio Nova at the palace",
        )
        .expect("an interview");
        assert_eq!(e.noun, stem("interview"));
        assert_eq!(e.partner, vec!["radio", "nova"]);
        let e = event_introduction("In a state television interview before her trip, she said")
            .expect("an interview");
        assert!(e.partner.is_empty());
        let t =
            event_introduction("the premier will pay a three-day trip to Oslo").expect("a trip");
        assert_eq!(t.noun, canonical(&stem("visit")));
        assert_eq!(t.partner, vec!["oslo"]);
    }

    /// Text with curly quotes and other letters beyond ASCII, and nouns in
    /// capitals: the search for the nouns alone folds case as the full
    /// pattern does.
    #[test]
    fn events_found_beside_curly_quotes_and_in_capitals() {
        let e = event_introduction("“It was fine,” she said, giving an INTERVIEW to Café Nova")
            .expect("an interview");
        assert_eq!(e.noun, stem("interview"));
        assert_eq!(e.partner, vec!["café", "nova"]);
        assert!(event_introduction("“Ça va,” the café’s owner said").is_none());
    }

    #[test]
    fn back_references_and_other_nouns_introduce_nothing() {
        assert_eq!(
            event_introduction("In the interview, she said the talks went well"),
            None
        );
        assert_eq!(event_introduction("He issued a statement on Monday"), None);
        assert_eq!(
            event_introduction("She scored a goal in the first half"),
            None
        );
        assert_eq!(
            event_introduction("They won 11-10 in a shoot-out after a draw"),
            None
        );
    }
}
