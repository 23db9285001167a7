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
    let words: Vec<&str> = name.split(' ').filter(|w| !w.is_empty()).collect();
    let start = words
        .iter()
        .position(|w| !is_title(w))
        .unwrap_or(words.len());
    words[start..].to_vec()
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
        for n in names {
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
        // A single word joins the one longer name that contains it.
        for s in &singles {
            let owners: Vec<&String> = full
                .iter()
                .filter(|f| f.split(' ').any(|w| w == s))
                .collect();
            if let [one] = owners.as_slice() {
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
        let key = name_words(name).join(" ");
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
