//! The whole-corpus result: relations grouped into facts with a verdict.

use rustc_hash::{FxHashMap, FxHashSet};
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
    /// Inline for one claim: most facts are single-source (46,248 of the
    /// 57,796 facts of the bench corpus), and a heap block each was their
    /// largest cost.
    pub claims: SmallVec<[ClaimRef; 1]>,
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

struct UnionFind(FxHashMap<ClaimRef, ClaimRef>);

impl UnionFind {
    fn find(&mut self, x: ClaimRef) -> ClaimRef {
        let p = *self.0.entry(x).or_insert(x);
        if p == x {
            return x;
        }
        let r = self.find(p);
        self.0.insert(x, r);
        r
    }
    fn union(&mut self, a: ClaimRef, b: ClaimRef) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            self.0.insert(ra.max(rb), ra.min(rb));
        }
    }
}

/// How many facts [`analyze_relations`] makes of one story: one per group
/// of related claims, plus one per statement claim left alone.
fn count_facts(
    corpus: &Corpus,
    docs: Option<&[DocId]>,
    rels: &[Relation],
    single_source: bool,
) -> usize {
    let mut uf = UnionFind(FxHashMap::default());
    for r in rels {
        uf.union(r.a, r.b);
    }
    let linked: Vec<ClaimRef> = uf.0.keys().copied().collect();
    let groups = linked.iter().filter(|&&c| uf.find(c) == c).count();
    if !single_source {
        return groups;
    }
    let linked: FxHashSet<ClaimRef> = linked.into_iter().collect();
    let singles: usize = docs
        .unwrap_or(&[])
        .iter()
        .filter_map(|&d| corpus.article(d).map(|a| (d, a)))
        .map(|(d, a)| {
            a.claims
                .iter()
                .enumerate()
                .filter(|(ci, c)| {
                    !c.kind.is_typed() && !linked.contains(&ClaimRef { doc: d, claim: *ci })
                })
                .count()
        })
        .sum();
    groups + singles
}

/// The facts of story `si`: one per group of related claims (by union of
/// the relations), then, with `single_source`, one per statement claim left
/// alone. `count` is their number ([`count_facts`]).
fn story_facts(
    corpus: &Corpus,
    si: usize,
    docs: Option<&[DocId]>,
    rels: &[Relation],
    single_source: bool,
    count: usize,
) -> Vec<Fact> {
    let mut facts = Vec::with_capacity(count);
    let mut uf = UnionFind(FxHashMap::default());
    for r in rels {
        uf.union(r.a, r.b);
    }
    let mut groups: FxHashMap<ClaimRef, Vec<&Relation>> = FxHashMap::default();
    for r in rels {
        let root = uf.find(r.a);
        groups.entry(root).or_default().push(r);
    }
    let mut gs: Vec<(ClaimRef, Vec<&Relation>)> = groups.into_iter().collect();
    gs.sort_by_key(|g| g.0);
    for (_, rs) in gs {
        let mut claims: SmallVec<[ClaimRef; 1]> = rs.iter().flat_map(|r| [r.a, r.b]).collect();
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
        let linked: FxHashSet<ClaimRef> = rels.iter().flat_map(|r| [r.a, r.b]).collect();
        for &d in docs.unwrap_or(&[]) {
            let Some(a) = corpus.article(d) else { continue };
            for (ci, c) in a.claims.iter().enumerate() {
                let r = ClaimRef { doc: d, claim: ci };
                if !c.kind.is_typed() && !linked.contains(&r) {
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
    use rayon::prelude::*;
    // Stories are independent: their facts are made on every core (this
    // ran on one thread after the parallel comparison: a twentieth of
    // `check`'s time on 10,000 articles).
    //
    // Room for the facts is made once, at their number (counted first: the
    // number of claims, an upper bound, held 2.5 times the room needed),
    // not by doubling (which held the old and the new vector at the peak).
    let counts: Vec<usize> = per_story
        .par_iter()
        .enumerate()
        .map(|(si, rels)| {
            count_facts(
                corpus,
                stories.get(si).map(Vec::as_slice),
                rels,
                single_source,
            )
        })
        .collect();
    let mut facts = Vec::with_capacity(counts.iter().sum());
    // A batch of stories at a time, so that their own vectors are never all
    // held beside the whole one.
    const BATCH: usize = 256;
    for start in (0..per_story.len()).step_by(BATCH) {
        let parts: Vec<Vec<Fact>> = (start..(start + BATCH).min(per_story.len()))
            .into_par_iter()
            .map(|si| {
                story_facts(
                    corpus,
                    si,
                    stories.get(si).map(Vec::as_slice),
                    per_story.get(si).map_or(&[], Vec::as_slice),
                    single_source,
                    counts.get(si).copied().unwrap_or(0),
                )
            })
            .collect();
        for p in parts {
            facts.extend(p);
        }
    }
    // The keys are distinct (a claim is in one fact), so an unstable sort,
    // which needs no buffer, gives the same order.
    facts.par_sort_unstable_by_key(|f| (f.verdict, f.claims.first().copied()));
    facts.shrink_to_fit();
    Analysis {
        stories,
        per_story,
        facts,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fact is 48 bytes (308,000 of them on 10,000 articles): the label a
    /// `&'static str`, one claim inline, the story a `u32`.
    #[test]
    fn facts_stay_small() {
        assert_eq!(std::mem::size_of::<Fact>(), 48);
    }
}
