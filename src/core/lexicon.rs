//! Words that say the same thing in news copy. Both sides of a comparison are
//! folded through this table before their terms are matched.
//!
//! This is a small hand-made lexicon of general English as used in news
//! (no story's names or facts). It is written by hand because the general
//! thesauri (WordNet) are large data files with far more senses than news
//! paraphrase needs, and would turn "bank" into "depository" as readily as
//! "trip" into "visit".

use std::collections::HashMap;
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

fn table() -> &'static HashMap<String, String> {
    static T: OnceLock<HashMap<String, String>> = OnceLock::new();
    T.get_or_init(|| {
        let mut m = HashMap::new();
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
