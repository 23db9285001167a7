//! Named entities: name mentions, acronyms defined in the text, and aliases
//! merged across a story: "Lee Jae-myung" / "Lee Jae Myung" / "President Lee" /
//! "Lee" are one person; "China Media Group (CMG)" makes "CMG" its alias.
//!
//! Names come from the tokenizer's capitalised runs (hyphens and spaces fold
//! the same way, so "Jae-myung" and "Jae Myung" give the same words); titles
//! are stripped; a single word joins the one longer name of the story that
//! contains it, and is left alone when several do (two people called Lee).

use rustc_hash::{FxHashMap, FxHashSet};

use super::text;

/// Words that precede a name without being part of it.
pub fn is_title(w: &str) -> bool {
    matches!(
        w,
        "president"
            | "prime"
            | "minister"
            | "mr"
            | "mrs"
            | "ms"
            | "dr"
            | "prof"
            | "professor"
            | "gov"
            | "governor"
            | "sen"
            | "senator"
            | "rep"
            | "gen"
            | "general"
            | "chancellor"
            | "king"
            | "queen"
            | "premier"
            | "ceo"
            | "chairman"
            | "chairwoman"
            | "chief"
            | "executive"
            | "secretary"
            | "spokesperson"
            | "spokesman"
            | "spokeswoman"
            | "director"
            | "leader"
            | "coach"
            | "manager"
            | "mayor"
            | "judge"
            | "justice"
            | "pope"
            | "sir"
            | "dame"
            | "lord"
            | "lady"
            | "captain"
            | "finance"
            | "foreign"
            | "defense"
            | "defence"
            | "deputy"
            | "vice"
            | "former"
            | "chinese"
            | "american"
            | "british"
            | "south"
            | "north"
            | "korean"
            | "u.s"
            | "us"
            | "taoiseach"
            | "boss"
            | "head"
    )
}

/// The words of a name with leading titles removed ("president lee" → ["lee"]).
pub fn name_words(name: &str) -> Vec<&str> {
    name_word_iter(name).collect()
}

/// [`name_words`] one at a time: the words of a name after its leading
/// titles.
fn name_word_iter(name: &str) -> impl Iterator<Item = &str> {
    name.split(' ')
        .filter(|w| !w.is_empty())
        .skip_while(|w| is_title(w))
}

/// A person named in a role that one person holds at a time ("CEO Ana
/// Ruiz", "Ana Ruiz, the group's chairman and CEO").
#[derive(Debug, Clone, PartialEq)]
pub struct RoleBinding {
    /// Canonical role: "ceo", "chair", "cfo", "coo", "president", "prime minister"...
    pub role: &'static str,
    /// The holder's name, normalised, honorifics left out.
    pub holder: String,
    /// The organisation or country the role belongs to when the text says
    /// ("Intel CEO", "Mobileye's chairman"), normalised.
    pub of: Option<String>,
}

/// Letters every title [`role_at`] knows contains, whatever its case (the
/// test `every_title_passes_the_role_word_filter` keeps the two in step).
const ROLE_WORDS: &[&str] = &[
    "chief",
    "prime",
    "ceo",
    "cfo",
    "coo",
    "chair",
    "president",
    "premier",
    "mayor",
    "governor",
];

/// The words a title [`role_at`] knows starts with (its token's
/// normalised word): `role_at` asks this list first, so a title it finds
/// always starts with one of them; `title_starts_are_role_at_s` checks
/// that each of them starts one.
const TITLE_STARTS: &[&str] = &[
    "chief",
    "prime",
    "ceo",
    "cfo",
    "coo",
    "chairman",
    "chairwoman",
    "chairperson",
    "president",
    "premier",
    "mayor",
    "governor",
];

/// Whether `w` (a normalised word) can start a title [`role_at`] knows:
/// a span none of whose tokens is one binds no role ([`role_bindings`]
/// reads titles from the span's tokens only), so parsing marks the claims
/// that hold one (`claim::Claim::title_word`).
pub(crate) fn is_title_start(w: &str) -> bool {
    static TABLE: std::sync::OnceLock<text::WordTable> = std::sync::OnceLock::new();
    TABLE
        .get_or_init(|| text::WordTable::new(&[(TITLE_STARTS, 1)]))
        .get(w)
        != 0
}

/// A title at `toks[i..]` naming a role only one person holds at a time,
/// and how many tokens it takes.
fn role_at(toks: &[text::Token], i: usize) -> Option<(&'static str, usize)> {
    let w = |k: usize| toks.get(i + k).map_or("", |t| t.norm.as_str());
    if !is_title_start(w(0)) {
        return None;
    }
    let (role, len) = match (w(0), w(1), w(2)) {
        ("chief", "executive", "officer") => ("ceo", 3),
        ("chief", "financial", "officer") => ("cfo", 3),
        ("chief", "operating", "officer") => ("coo", 3),
        ("chief", "executive", _) => ("ceo", 2),
        ("prime", "minister", _) => ("prime minister", 2),
        ("ceo", ..) => ("ceo", 1),
        ("cfo", ..) => ("cfo", 1),
        ("coo", ..) => ("coo", 1),
        ("chairman" | "chairwoman" | "chairperson", ..) => ("chair", 1),
        ("president", ..) => ("president", 1),
        ("premier", ..) => ("prime minister", 1),
        ("mayor", ..) => ("mayor", 1),
        ("governor", ..) => ("governor", 1),
        _ => return None,
    };
    // "former CEO", "vice president", "co-CEO", "new chairman": another
    // role, or the same one at another time.
    let before = i
        .checked_sub(1)
        .and_then(|k| toks.get(k))
        .map(|t| t.norm.as_str());
    if matches!(
        before,
        Some(
            "former"
                | "ex"
                | "vice"
                | "deputy"
                | "acting"
                | "interim"
                | "incoming"
                | "outgoing"
                | "then"
                | "late"
                | "new"
                | "co"
                | "next"
                | "future"
                | "previous"
        )
    ) {
        return None;
    }
    Some((role, len))
}

fn is_honorific(w: &str) -> bool {
    matches!(
        w,
        "mr" | "mrs" | "ms" | "dr" | "prof" | "professor" | "sir" | "dame"
    )
}

/// Bytes between two tokens (empty when they touch or overlap).
fn gap<'a>(text: &'a str, a: &text::Token, b: &text::Token) -> &'a str {
    text.get(a.span.end..b.span.start).unwrap_or("")
}

/// A capitalised name starting at `toks[i]` (after honorifics): its
/// normalised words and the index after it.
fn name_at(text: &str, toks: &[text::Token], mut i: usize) -> Option<(String, usize)> {
    while toks.get(i).is_some_and(|t| is_honorific(&t.norm)) {
        i += 1;
    }
    let start = i;
    while let Some(t) = toks.get(i) {
        let joined = i == start
            || toks
                .get(i - 1)
                .is_some_and(|p| gap(text, p, t).chars().all(|c| c == ' ' || c == '-'));
        if !joined || !t.capitalised || text::is_stopword(&t.norm) || role_at(toks, i).is_some() {
            break;
        }
        i += 1;
    }
    (i > start).then(|| {
        let words: Vec<&str> = toks
            .get(start..i)
            .unwrap_or(&[])
            .iter()
            .map(|t| t.norm.as_str())
            .collect();
        (words.join(" "), i)
    })
}

/// The people a span names in one-holder roles: "ROLE NAME" ("chairman Dr
/// Lena Ortiz", "Acme CEO Raj Patel") and "NAME, [ORG's] ROLE [and ROLE]"
/// ("Raj Patel, Acme's founder, chairman and CEO"). A role given to two
/// different people within the span is left out (a list of countries'
/// presidents, two companies' chief executives).
pub fn role_bindings(text: &str, range: std::ops::Range<usize>) -> Vec<RoleBinding> {
    // Most spans name no role: one scan for the role words' letters (the
    // words `role_at` knows, in any case) saves tokenising them.
    static FINDER: std::sync::OnceLock<Option<aho_corasick::AhoCorasick>> =
        std::sync::OnceLock::new();
    let finder = FINDER.get_or_init(|| {
        aho_corasick::AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(ROLE_WORDS)
            .ok()
    });
    if let (Some(f), Some(span)) = (finder, text.get(range.clone())) {
        if !f.is_match(span) {
            return Vec::new();
        }
    }
    let toks = text::tokens(text, range);
    let mut out: Vec<RoleBinding> = Vec::new();
    let capital_before = |i: usize| {
        let t = toks.get(i.checked_sub(1)?)?;
        let next = toks.get(i)?;
        (t.capitalised && !text::is_stopword(&t.norm) && gap(text, t, next) == " ")
            .then(|| t.norm.clone())
    };
    let mut i = 0;
    while i < toks.len() {
        if let Some((role, len)) = role_at(&toks, i) {
            let after = toks.get(i + len);
            let spaced = match (toks.get(i + len - 1), after) {
                (Some(l), Some(a)) => gap(text, l, a) == " ",
                _ => false,
            };
            if spaced {
                if let Some((holder, _)) = name_at(text, &toks, i + len) {
                    out.push(RoleBinding {
                        role,
                        holder,
                        of: capital_before(i),
                    });
                }
            }
            i += len;
            continue;
        }
        // "NAME, [ORG's] [co-founder,] ROLE [and ROLE]"
        let starts_run = i
            .checked_sub(1)
            .and_then(|k| toks.get(k))
            .is_none_or(|p| !p.capitalised);
        if toks.get(i).is_some_and(|t| t.capitalised) && starts_run {
            if let Some((holder, after_name)) = name_at(text, &toks, i) {
                let mut j = after_name;
                let comma = toks
                    .get(j)
                    .zip(j.checked_sub(1).and_then(|k| toks.get(k)))
                    .is_some_and(|(n, p)| gap(text, p, n).trim() == ",");
                if comma {
                    let mut of = None;
                    let mut roles = Vec::new();
                    while let Some(t) = toks.get(j) {
                        if let Some((role, len)) = role_at(&toks, j) {
                            roles.push(role);
                            j += len;
                        } else if matches!(t.norm.as_str(), "and" | "the" | "co" | "founder") {
                            j += 1;
                        } else if t.capitalised && !text::is_stopword(&t.norm) && of.is_none() {
                            of = Some(t.norm.clone());
                            j += 1;
                        } else {
                            break;
                        }
                        // A role list goes on over commas and spaces only.
                        let sep = match (j.checked_sub(1).and_then(|k| toks.get(k)), toks.get(j)) {
                            (Some(p), Some(n)) => gap(text, p, n),
                            _ => "",
                        };
                        if !sep.chars().all(|c| c == ' ' || c == ',' || c == '-') {
                            break;
                        }
                    }
                    // "In Dublin, Mayor Ana Ruiz said": the role goes with the
                    // name that follows it, not with the place before the comma.
                    let named_after = roles.last().is_some()
                        && toks.get(j).is_some_and(|t| t.capitalised)
                        && j.checked_sub(1)
                            .and_then(|k| toks.get(k))
                            .zip(toks.get(j))
                            .is_some_and(|(p, n)| gap(text, p, n) == " ");
                    if !roles.is_empty() && !named_after {
                        for role in roles {
                            out.push(RoleBinding {
                                role,
                                holder: holder.clone(),
                                of: of.clone(),
                            });
                        }
                        i = j;
                        continue;
                    }
                }
                i = after_name;
                continue;
            }
        }
        i += 1;
    }
    let surname = |h: &str| h.rsplit(' ').next().unwrap_or("").to_string();
    let mut contested: Vec<&'static str> = Vec::new();
    for a in &out {
        if out
            .iter()
            .any(|b| b.role == a.role && surname(&b.holder) != surname(&a.holder))
        {
            contested.push(a.role);
        }
    }
    out.retain(|b| !contested.contains(&b.role));
    out
}

/// Acronyms defined in a sentence: "China Media Group (CMG)" → ("cmg", "china media group").
pub fn acronyms(sentence: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = sentence;
    let mut offset = 0;
    while let Some(open) = rest.find('(') {
        let Some(close) = rest[open..].find(')') else {
            break;
        };
        let inner = &rest[open + 1..open + close];
        let acro: String = inner.chars().filter(|c| c.is_alphanumeric()).collect();
        if (2..=6).contains(&acro.chars().count())
            && acro.chars().filter(|c| c.is_alphabetic()).count() >= 2
            && acro.chars().all(|c| c.is_uppercase() || c.is_ascii_digit())
        {
            // The expansion: as many capitalised words before "(" as the acronym has letters.
            let before = &sentence[..offset + open];
            let words: Vec<&str> = before.split_whitespace().collect();
            let n = acro.chars().filter(|c| c.is_alphabetic()).count();
            if words.len() >= n {
                let cand = &words[words.len() - n..];
                let initials: String = cand
                    .iter()
                    .filter_map(|w| w.chars().next())
                    .collect::<String>()
                    .to_uppercase();
                let letters: String = acro
                    .chars()
                    .filter(|c| c.is_alphabetic())
                    .collect::<String>()
                    .to_uppercase();
                if initials == letters {
                    let exp: Vec<String> = cand.iter().map(|w| fold(w)).collect();
                    out.push((fold(&acro), exp.join(" ")));
                }
            }
        }
        offset += open + close + 1;
        rest = &sentence[offset..];
    }
    out
}

fn fold(w: &str) -> String {
    text::tokens(w, 0..w.len())
        .into_iter()
        .map(|t| t.norm)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Alias classes of the names of one story.
#[derive(Debug, Default, Clone)]
pub struct Aliases {
    /// name (title-stripped, normalised) → canonical name
    canon: FxHashMap<String, String>,
}

impl Aliases {
    /// Build from the names found in a story's sentences and its acronym definitions.
    pub fn build<'a>(
        names: impl Iterator<Item = &'a str>,
        acronyms: &[(String, String)],
    ) -> Aliases {
        let mut full: FxHashSet<String> = FxHashSet::default();
        let mut singles: FxHashSet<String> = FxHashSet::default();
        // A story names its protagonists in most of its sentences: each
        // name is split into words once (a vector and a string per mention
        // were most of this function). A name is told by where it is
        // stored, not by its text: the sentences' names are interned, one
        // string per name for the process, so the same name is the same
        // place (hashing two words instead of the name's bytes). A name
        // that were not interned would only be split again: `full` and
        // `singles` are sets.
        let mut seen: FxHashSet<(usize, usize)> = FxHashSet::default();
        for n in names {
            if !seen.insert((n.as_ptr() as usize, n.len())) {
                continue;
            }
            let w = name_words(n);
            match w.len() {
                0 => {}
                1 => {
                    singles.insert(w[0].to_string());
                }
                _ => {
                    full.insert(w.join(" "));
                }
            }
        }
        let mut canon: FxHashMap<String, String> = FxHashMap::default();
        for f in &full {
            canon.insert(f.clone(), f.clone());
        }
        // A single word joins the one longer name that contains it: each
        // word of the longer names with the one name that has it, or none
        // when several do (one pass over the names rather than one per
        // single word).
        let mut owner: FxHashMap<&str, Option<&String>> = FxHashMap::default();
        for f in &full {
            for w in f.split(' ') {
                owner
                    .entry(w)
                    .and_modify(|o| {
                        if *o != Some(f) {
                            *o = None;
                        }
                    })
                    .or_insert(Some(f));
            }
        }
        for s in &singles {
            if let Some(Some(one)) = owner.get(s.as_str()) {
                canon.insert(s.clone(), (*one).clone());
            }
        }
        for (acro, exp) in acronyms {
            let target = canon.get(exp).cloned().unwrap_or_else(|| exp.clone());
            canon.insert(exp.clone(), target.clone());
            canon.insert(acro.clone(), target);
        }
        Aliases { canon }
    }

    /// The canonical form of a name (itself when unknown).
    pub fn canonical(&self, name: &str) -> String {
        // `name_words(name).join(" ")`, written straight into one string.
        let mut key = String::with_capacity(name.len());
        for w in name_word_iter(name) {
            if !key.is_empty() {
                key.push(' ');
            }
            key.push_str(w);
        }
        self.canon.get(&key).cloned().unwrap_or(key)
    }

    /// Two names that denote the same entity in this story.
    pub fn same(&self, a: &str, b: &str) -> bool {
        let (ca, cb) = (self.canonical(a), self.canonical(b));
        ca == cb || (!ca.is_empty() && !cb.is_empty() && strsim::jaro_winkler(&ca, &cb) >= 0.92)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn title_starts_are_role_at_s() {
        // The list's words, and words like them.
        let like = [
            "chair",
            "chairs",
            "presidential",
            "minister",
            "executive",
            "officer",
            "vice",
            "mayors",
            "governors",
            "chiefs",
        ];
        for &w in TITLE_STARTS.iter().chain(&like) {
            let some_title = [
                "executive officer",
                "financial officer",
                "operating officer",
                "minister",
                "Raj",
            ]
            .iter()
            .any(|rest| {
                let s = format!("{w} {rest} Patel");
                role_at(&text::tokens(&s, 0..s.len()), 0).is_some()
            });
            assert_eq!(some_title, is_title_start(w), "{w}");
        }
    }

    #[test]
    fn every_title_passes_the_role_word_filter() {
        for title in [
            "Chief Executive Officer",
            "chief financial officer",
            "Chief Operating Officer",
            "chief executive",
            "Prime Minister",
            "CEO",
            "CFO",
            "COO",
            "Chairman",
            "chairwoman",
            "Chairperson",
            "President",
            "Premier",
            "Mayor",
            "Governor",
        ] {
            let t = format!("{title} Ana Ruiz spoke.");
            assert!(
                !super::role_bindings(&t, 0..t.len()).is_empty(),
                "{title} is not found"
            );
        }
    }

    #[test]
    fn roles_before_and_after_names() {
        let roles = |s: &str| {
            super::role_bindings(s, 0..s.len())
                .into_iter()
                .map(|b| (b.role, b.holder, b.of))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            roles("Its founders, chairman Dr Lena Ortiz and CEO Raj Patel, own a third"),
            vec![
                ("chair", "lena ortiz".to_string(), None),
                ("ceo", "raj patel".to_string(), None)
            ]
        );
        assert_eq!(
            roles("The unit will be led by Lena Ortiz, Acme's co-founder, Chairman and CEO"),
            vec![
                ("chair", "lena ortiz".to_string(), Some("acme".to_string())),
                ("ceo", "lena ortiz".to_string(), Some("acme".to_string()))
            ]
        );
        assert_eq!(
            roles("said Raj Patel, Acme CEO"),
            vec![("ceo", "raj patel".to_string(), Some("acme".to_string()))]
        );
        assert_eq!(
            roles("Acme chief executive Raj Patel said"),
            vec![("ceo", "raj patel".to_string(), Some("acme".to_string()))]
        );
        // Two holders of one role in a span, a former holder, a place before a comma.
        assert!(roles("President Ana Ruiz met President Li Wen in Lima").is_empty());
        assert!(roles("former CEO Raj Patel").is_empty());
        assert_eq!(
            roles("In Lima, Mayor Ana Ruiz said"),
            vec![("mayor", "ana ruiz".to_string(), None)]
        );
    }

    use super::*;

    #[test]
    fn person_aliases_merge() {
        let names = [
            "lee jae myung",
            "president lee",
            "lee",
            "xi jinping",
            "president xi",
        ];
        let al = Aliases::build(names.iter().copied(), &[]);
        assert!(al.same("lee", "lee jae myung"));
        assert!(al.same("president lee", "lee jae myung"));
        assert!(al.same("xi", "xi jinping"));
        assert!(!al.same("lee", "xi jinping"));
        // A word twice in the one longer name still has one owner.
        let al = Aliases::build(["boutros boutros ghali", "boutros"].iter().copied(), &[]);
        assert!(al.same("boutros", "boutros boutros ghali"));
        // Names mentioned again (a story's protagonists, in most of its
        // sentences) change nothing: the same canonical forms.
        let once = Aliases::build(names.iter().copied(), &[]);
        let again = Aliases::build(names.iter().chain(names.iter().rev()).copied(), &[]);
        for n in names.iter().chain(&["jae myung", "jinping", "lee xi"]) {
            assert_eq!(once.canonical(n), again.canonical(n), "{n}");
        }
        // So do copies of them stored elsewhere (a mention is told from
        // the others by where its text is: names not interned are only
        // split again).
        let copies: Vec<String> = names.iter().map(|n| n.to_string()).collect();
        let apart = Aliases::build(
            names
                .iter()
                .copied()
                .chain(copies.iter().map(String::as_str)),
            &[],
        );
        for n in names.iter().chain(&["jae myung", "jinping", "lee xi"]) {
            assert_eq!(once.canonical(n), apart.canonical(n), "{n}");
        }
    }

    /// The canonical form of an unknown name is its words after the leading
    /// titles, single-spaced: what `name_words` gives, joined.
    #[test]
    fn canonical_of_an_unknown_name_is_its_name_words() {
        let al = Aliases::build(["xi jinping"].iter().copied(), &[]);
        for n in [
            "",
            "  ",
            "president",
            "president  lee jae  myung ",
            "dr mr ana president ruiz",
            "ana",
        ] {
            assert_eq!(al.canonical(n), name_words(n).join(" "), "{n:?}");
        }
        assert_eq!(al.canonical("president xi jinping"), "xi jinping");
    }

    #[test]
    fn ambiguous_surname_stays_apart() {
        let names = ["kim min jun", "kim yuna", "kim"];
        let al = Aliases::build(names.iter().copied(), &[]);
        assert!(!al.same("kim", "kim yuna"));
        assert!(!al.same("kim min jun", "kim yuna"));
    }

    #[test]
    fn acronyms_are_defined_in_text() {
        let a = acronyms("He gave an interview to China Media Group (CMG) at the Blue House.");
        assert_eq!(
            a,
            vec![("cmg".to_string(), "china media group".to_string())]
        );
        let al = Aliases::build(["china media group"].iter().copied(), &a);
        assert!(al.same("cmg", "china media group"));
        assert!(acronyms("the (very) best (2024)").is_empty());
    }
}
