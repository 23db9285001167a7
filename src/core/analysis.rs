//! The whole-corpus result: relations grouped into facts with a verdict.

use smallvec::SmallVec;

use super::compare::{Relation, RelationKind};
use super::corpus::{ClaimRef, Corpus, DocId};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Verdict {
    Conflict,
    Tension,
    Agree,
    SingleSource,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Agree => "agree",
            Verdict::Conflict => "conflict",
            Verdict::Tension => "tension",
            Verdict::SingleSource => "single-source",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Fact {
    /// Stored once for the process, as the relations' labels are (the
    /// single-source facts are labelled with their kind).
    pub label: &'static str,
    /// Inline for up to two claims (in the room of the heap pointer and
    /// length): most facts are single-source (46,248 of the 57,796 facts of
    /// the bench corpus) and many of the others have two claims, and a heap
    /// block each was their largest cost.
    pub claims: SmallVec<[ClaimRef; 2]>,
    pub verdict: Verdict,
    /// Index into `Analysis::stories`.
    /// (A `u32`, with the label a plain `&str`: there are 308,000 facts on
    /// 10,000 articles; at 48 bytes each rather than 64 they hold 5 MB less.)
    pub story: u32,
}

#[derive(Debug, Clone, Default)]
pub struct Analysis {
    pub stories: Vec<Vec<DocId>>,
    /// The relations of each story (parallel to `stories`), as
    /// [`Corpus::all_relations`] made them: kept apart rather than copied
    /// into one vector, which would hold them twice at the peak.
    pub per_story: Vec<Vec<Relation>>,
    pub facts: Vec<Fact>,
}

impl Analysis {
    /// Every relation, story by story.
    pub fn relations(&self) -> impl Iterator<Item = &Relation> + '_ {
        self.per_story.iter().flatten()
    }
}

/// The groups of claims a story's relations link, by union-find over the
/// story's claims numbered in their order (documents by id, then claims):
/// the root of a group is its first claim. (Numbers in vectors, not a hash
/// map of claims: the map was a twentieth of a warm-cache `check`.)
struct Groups {
    /// The story's documents by id, each with the number of its first claim.
    docs: Vec<(DocId, u32)>,
    parent: Vec<u32>,
    linked: Vec<bool>,
}

impl Groups {
    fn of(corpus: &Corpus, docs: Option<&[DocId]>, rels: &[Relation]) -> Groups {
        // The story's documents and any a relation names, with as many
        // numbers as their claims (or as the relations need). A relation's
        // claims are looked up among the story's documents (sorting one
        // entry per claim of every relation was half of making the groups).
        let mut sizes: Vec<(DocId, usize)> = docs
            .unwrap_or(&[])
            .iter()
            .map(|&d| (d, corpus.article(d).map_or(0, |a| a.claims.len())))
            .collect();
        sizes.sort_unstable();
        sizes.dedup_by(|later, kept| {
            let same = later.0 == kept.0;
            if same {
                kept.1 = kept.1.max(later.1);
            }
            same
        });
        let mut outside: Vec<(DocId, usize)> = Vec::new();
        for c in rels.iter().flat_map(|r| [r.a, r.b]) {
            let need = c.claim() + 1;
            match sizes.binary_search_by_key(&c.doc(), |s| s.0) {
                Ok(i) => {
                    if let Some(s) = sizes.get_mut(i) {
                        s.1 = s.1.max(need);
                    }
                }
                Err(_) => outside.push((c.doc(), need)),
            }
        }
        if !outside.is_empty() {
            sizes.extend(outside);
            sizes.sort_unstable();
        }
        let mut docs: Vec<(DocId, u32)> = Vec::new();
        let mut total = 0usize;
        for (i, &(d, size)) in sizes.iter().enumerate() {
            // The last of a document's run is its largest size.
            if sizes.get(i + 1).is_some_and(|next| next.0 == d) {
                continue;
            }
            docs.push((d, total as u32));
            total += size;
        }
        let mut g = Groups {
            docs,
            parent: (0..total as u32).collect(),
            linked: vec![false; total],
        };
        for r in rels {
            if let (Some(a), Some(b)) = (g.number(r.a), g.number(r.b)) {
                for n in [a, b] {
                    if let Some(l) = g.linked.get_mut(n as usize) {
                        *l = true;
                    }
                }
                g.union(a, b);
            }
        }
        g
    }

    fn len(&self) -> u32 {
        self.parent.len() as u32
    }

    /// The number of a claim of the story.
    fn number(&self, c: ClaimRef) -> Option<u32> {
        let i = self.docs.binary_search_by_key(&c.doc(), |d| d.0).ok()?;
        let base = self.docs.get(i)?.1;
        let n = base.checked_add(u32::try_from(c.claim()).ok()?)?;
        (n < self.len()).then_some(n)
    }

    fn find(&mut self, mut x: u32) -> u32 {
        // Path halving: each step points a claim at its grandparent.
        loop {
            let Some(&p) = self.parent.get(x as usize) else {
                return x;
            };
            if p == x {
                return x;
            }
            let gp = self.parent.get(p as usize).copied().unwrap_or(p);
            if let Some(slot) = self.parent.get_mut(x as usize) {
                *slot = gp;
            }
            x = gp;
        }
    }

    fn union(&mut self, a: u32, b: u32) {
        let (ra, rb) = (self.find(a), self.find(b));
        if let Some(slot) = self.parent.get_mut(ra.max(rb) as usize) {
            *slot = ra.min(rb);
        }
    }

    /// The root of the group of a claim of the story.
    fn root_of(&mut self, c: ClaimRef) -> Option<u32> {
        self.number(c).map(|n| self.find(n))
    }

    /// Whether a relation links the claim.
    fn is_linked(&self, c: &ClaimRef) -> bool {
        self.number(*c)
            .and_then(|n| self.linked.get(n as usize))
            .copied()
            .unwrap_or(false)
    }

    /// How many groups the relations make.
    fn count(&mut self) -> usize {
        (0..self.len())
            .filter(|&n| self.linked.get(n as usize) == Some(&true) && self.find(n) == n)
            .count()
    }
}

/// How many facts [`analyze_relations`] makes of one story, whose groups
/// are `g`: one per group of related claims, plus one per statement claim
/// left alone.
fn count_facts(
    corpus: &Corpus,
    docs: Option<&[DocId]>,
    g: &mut Groups,
    single_source: bool,
) -> usize {
    let groups = g.count();
    if !single_source {
        return groups;
    }
    let singles: usize = docs
        .unwrap_or(&[])
        .iter()
        .filter_map(|&d| corpus.article(d).map(|a| (d, a)))
        .map(|(d, a)| {
            a.claims
                .iter()
                .enumerate()
                .filter(|(ci, c)| !c.kind.is_typed() && !g.is_linked(&ClaimRef::new(d, *ci)))
                .count()
        })
        .sum();
    groups + singles
}

/// The facts of story `si`: one per group of related claims (`g`, the
/// union of the relations), then, with `single_source`, one per statement
/// claim left alone. `count` is their number ([`count_facts`]).
fn story_facts(
    corpus: &Corpus,
    si: usize,
    docs: Option<&[DocId]>,
    rels: &[Relation],
    single_source: bool,
    (mut g, count): (Groups, usize),
) -> Vec<Fact> {
    let mut facts = Vec::with_capacity(count);
    // The relations of each group, at its root's number (so in the order of
    // the groups' first claims).
    let mut groups: Vec<Vec<&Relation>> = vec![Vec::new(); g.len() as usize];
    for r in rels {
        if let Some(rs) = g
            .root_of(r.a)
            .and_then(|root| groups.get_mut(root as usize))
        {
            rs.push(r);
        }
    }
    for rs in groups.into_iter().filter(|rs| !rs.is_empty()) {
        let mut claims: SmallVec<[ClaimRef; 2]> = rs.iter().flat_map(|r| [r.a, r.b]).collect();
        claims.sort_unstable();
        claims.dedup();
        let verdict = if rs.iter().any(|r| r.kind == RelationKind::Conflict) {
            Verdict::Conflict
        } else if rs.iter().any(|r| r.kind == RelationKind::Tension) {
            Verdict::Tension
        } else {
            Verdict::Agree
        };
        // The label of the most telling relation.
        let label = rs
            .iter()
            .min_by_key(|r| (r.kind, std::cmp::Reverse((r.score * 1000.0) as i64)))
            .map(|r| r.label)
            .unwrap_or_default();
        facts.push(Fact {
            label,
            claims,
            verdict,
            story: si as u32,
        });
    }
    if single_source {
        for &d in docs.unwrap_or(&[]) {
            let Some(a) = corpus.article(d) else { continue };
            for (ci, c) in a.claims.iter().enumerate() {
                let r = ClaimRef::new(d, ci);
                if !c.kind.is_typed() && !g.is_linked(&r) {
                    facts.push(Fact {
                        label: c.kind.as_str(),
                        claims: smallvec::smallvec![r],
                        verdict: Verdict::SingleSource,
                        story: si as u32,
                    });
                }
            }
        }
    }
    facts
}

/// Group the relations of each story into facts. `single_source` adds a fact
/// for every statement claim that no other source speaks of.
pub fn analyze(corpus: &Corpus, single_source: bool) -> Analysis {
    let (stories, per_story) = corpus.all_relations();
    analyze_relations(corpus, stories, per_story, single_source)
}

/// [`analyze`] from already computed stories and their relations (as
/// [`Corpus::all_relations`] returns them; the CLI may take them from its cache).
pub fn analyze_relations(
    corpus: &Corpus,
    stories: Vec<Vec<DocId>>,
    per_story: Vec<Vec<Relation>>,
    single_source: bool,
) -> Analysis {
    analyze_relations_keeping(corpus, stories, per_story, single_source, Vec::new())
}

/// [`analyze_relations`] with the facts of some stories known (`known`,
/// parallel to `stories`; missing or `None` for a story whose facts are to
/// be made): the server's analysis after an edit keeps the facts of every
/// story whose articles did not change, as it keeps their relations. A
/// story's facts are a function of its articles and relations alone; the
/// known facts are given the story's index in `stories`.
pub fn analyze_relations_keeping(
    corpus: &Corpus,
    stories: Vec<Vec<DocId>>,
    per_story: Vec<Vec<Relation>>,
    single_source: bool,
    mut known: Vec<Option<Vec<Fact>>>,
) -> Analysis {
    use rayon::prelude::*;
    known.resize_with(per_story.len(), || None);
    // Stories are independent: their facts are made on every core (this
    // ran on one thread after the parallel comparison: a twentieth of
    // `check`'s time on 10,000 articles).
    //
    // Room for the facts is made once, at their number (counted first: the
    // number of claims, an upper bound, held 2.5 times the room needed),
    // not by doubling (which held the old and the new vector at the peak).
    // The groups counted are kept for making the facts (a few bytes per
    // claim; making them twice was a twentieth of a warm `check`'s
    // instructions).
    // Per story, its known facts, or its groups counted.
    let counted: Vec<Result<Vec<Fact>, (Groups, usize)>> = known
        .into_par_iter()
        .zip(per_story.par_iter())
        .enumerate()
        .map(|(si, (known, rels))| {
            known.ok_or_else(|| {
                let docs = stories.get(si).map(Vec::as_slice);
                let mut g = Groups::of(corpus, docs, rels);
                let n = count_facts(corpus, docs, &mut g, single_source);
                (g, n)
            })
        })
        .collect();
    let room = counted
        .iter()
        .map(|c| c.as_ref().map_or_else(|c| c.1, Vec::len))
        .sum();
    let mut facts = Vec::with_capacity(room);
    let mut counted = counted.into_iter();
    // A batch of stories at a time, so that their own vectors are never all
    // held beside the whole one.
    const BATCH: usize = 256;
    for start in (0..per_story.len()).step_by(BATCH) {
        let batch: Vec<(usize, _)> = (start..(start + BATCH).min(per_story.len()))
            .zip(counted.by_ref())
            .collect();
        let parts: Vec<Vec<Fact>> = batch
            .into_par_iter()
            .map(|(si, made)| match made {
                Ok(mut known) => {
                    for f in &mut known {
                        f.story = si as u32;
                    }
                    known
                }
                Err(g) => story_facts(
                    corpus,
                    si,
                    stories.get(si).map(Vec::as_slice),
                    per_story.get(si).map_or(&[], Vec::as_slice),
                    single_source,
                    g,
                ),
            })
            .collect();
        for p in parts {
            facts.extend(p);
        }
    }
    sort_facts(&mut facts);
    facts.shrink_to_fit();
    Analysis {
        stories,
        per_story,
        facts,
    }
}

/// A fact's place in the report's order, (verdict, first claim), as one
/// integer of 67 bits: the verdict above a claim reference shifted past a
/// bit that tells no claim (first) from one.
fn fact_order(f: &Fact) -> u128 {
    let first = f
        .claims
        .first()
        .map_or(0, |c| (u128::from(c.packed()) << 1) | 1);
    ((f.verdict as u128) << 65) | first
}

/// Bits of a sort key of [`sort_facts`] that hold the fact's place: the
/// 67 bits of [`fact_order`] above them.
const FACT_PLACE_BITS: u32 = 61;

/// Sorts the facts by (verdict, first claim). The keys are distinct (a
/// claim is in one fact), so any sort gives the same order. Sorted as
/// integers, each key with the fact's place below it, and the facts then
/// put in order by swaps along the permutation (as `sort_by_cached_key`
/// does): sorting the 48-byte facts themselves by the pair, which moved
/// every fact at every level of the sort, was 1.2 % of a first run's
/// instructions on 10,000 articles (callgrind).
fn sort_facts(facts: &mut [Fact]) {
    use rayon::prelude::*;
    let place_mask: u128 = (1 << FACT_PLACE_BITS) - 1;
    if u128::try_from(facts.len()).map_or(true, |n| n > place_mask) {
        // (Never: more facts than memory holds.)
        facts.par_sort_unstable_by_key(|f| (f.verdict, f.claims.first().copied()));
        return;
    }
    let mut keys: Vec<u128> = facts
        .par_iter()
        .enumerate()
        .map(|(i, f)| (fact_order(f) << FACT_PLACE_BITS) | i as u128)
        .collect();
    keys.par_sort_unstable();
    // Place i takes the fact first at `keys[i]`'s place; a place before i
    // was swapped away already, to the place its own key names.
    for i in 0..keys.len() {
        let Some(&k) = keys.get(i) else { break };
        let mut from = (k & place_mask) as usize;
        while from < i {
            match keys.get(from) {
                Some(&k) => from = (k & place_mask) as usize,
                None => break,
            }
        }
        if let Some(slot) = keys.get_mut(i) {
            *slot = (*slot & !place_mask) | from as u128;
        }
        if from < facts.len() {
            facts.swap(i, from);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// `sort_facts` orders facts as the sort by (verdict, first claim)
        /// it replaces.
        #[test]
        fn facts_sort_by_verdict_and_first_claim(
            facts in proptest::collection::vec((0u8..4, proptest::option::of((0usize..5, 0usize..300))), 0..80),
        ) {
            let verdicts = [Verdict::Conflict, Verdict::Tension, Verdict::Agree, Verdict::SingleSource];
            // (Distinct first claims, as a run's are.)
            let mut seen = std::collections::HashSet::new();
            let mut made: Vec<Fact> = facts
                .into_iter()
                .filter(|(_, c)| seen.insert(*c))
                .enumerate()
                .map(|(i, (v, c))| Fact {
                    label: "",
                    claims: c.map(|(d, n)| ClaimRef::new(d, n)).into_iter().collect(),
                    verdict: verdicts[usize::from(v)],
                    story: i as u32,
                })
                .collect();
            let mut expected = made.clone();
            expected.sort_by_key(|f| (f.verdict, f.claims.first().copied()));
            sort_facts(&mut made);
            let stories = |v: &[Fact]| v.iter().map(|f| f.story).collect::<Vec<_>>();
            proptest::prop_assert_eq!(stories(&made), stories(&expected));
        }
    }

    /// A fact is 48 bytes (308,000 of them on 10,000 articles): the label a
    /// `&'static str`, one claim inline, the story a `u32`.
    fn rel(a: (DocId, usize), b: (DocId, usize)) -> Relation {
        let c = |(doc, claim)| ClaimRef::new(doc, claim);
        Relation {
            a: c(a),
            b: c(b),
            kind: RelationKind::Support,
            reason: "",
            label: "",
            score: 1.0,
        }
    }

    #[test]
    fn groups_are_the_linked_components_rooted_at_their_first_claim() {
        // No articles in the corpus: the numbering comes from the relations
        // alone, documents listed out of order and one named only by them.
        let corpus = Corpus::new(crate::core::EngineConfig::default());
        let rels = [
            rel((7, 3), (2, 5)),
            rel((2, 0), (9, 1)),
            rel((9, 1), (7, 0)),
        ];
        let mut g = Groups::of(&corpus, Some(&[9, 2]), &rels);
        assert_eq!(g.count(), 2);
        let root = |g: &mut Groups, doc, claim| g.root_of(ClaimRef::new(doc, claim));
        assert_eq!(root(&mut g, 7, 3), root(&mut g, 2, 5));
        assert_eq!(root(&mut g, 2, 5), g.number(ClaimRef::new(2, 5)));
        assert_eq!(root(&mut g, 9, 1), root(&mut g, 2, 0));
        assert_eq!(root(&mut g, 7, 0), g.number(ClaimRef::new(2, 0)));
        assert!(g.is_linked(&ClaimRef::new(7, 3)));
        assert!(!g.is_linked(&ClaimRef::new(7, 1)));
        assert!(!g.is_linked(&ClaimRef::new(4, 0)));
    }

    #[test]
    fn facts_stay_small() {
        assert_eq!(std::mem::size_of::<Fact>(), 48);
    }
}
