//! The corpus: every article of the workspace, an inverted index of their
//! terms, and the grouping of articles into stories. Updating one document
//! re-parses only that document and touches only its index entries.

use rustc_hash::{FxHashMap, FxHashSet};
use std::sync::{Arc, OnceLock};

use super::article::MetaOverride;
use super::claim::Article;
use super::compare::{self, Relation, StoryIndex};
use super::terms::Term;

pub type DocId = usize;

/// How often each term occurs in an article's sentences: distinct terms in
/// the order they first occur, which is the order in which the corpus gives
/// new terms their ids (and ties between terms are broken by id). The
/// default, no terms, inserts an article without entering its terms in the
/// index: for a batch that knows its stories already (the CLI's cache keeps
/// them) and never asks for neighbours. As after [`Corpus::release_index`],
/// [`Corpus::stories`] and [`Corpus::neighbours`] do not see its terms.
#[derive(Default)]
pub struct TermCounts(Vec<(Term, u32)>);

impl TermCounts {
    /// The distinct terms counted, in the order they were first met.
    pub fn terms(&self) -> impl Iterator<Item = Term> + '_ {
        self.0.iter().map(|&(t, _)| t)
    }

    pub fn of(article: &Article) -> TermCounts {
        // Where each term is in `counts`, plus one, by term (terms are
        // dense interner ids): a slot per term, kept by the thread and
        // cleared after, so counting is an array access per occurrence
        // instead of a hash map's hashing and probing (a map sized for the
        // article's occurrences was most of this function). `counts`
        // becomes the corpus's record of the document, capacity and all.
        thread_local! {
            static AT: std::cell::RefCell<Vec<u32>> = const { std::cell::RefCell::new(Vec::new()) };
        }
        let need = article.terms.iter().max().map_or(0, |&t| t as usize + 1);
        let mut counts: Vec<(Term, u32)> = Vec::new();
        let kept = AT.with(|at| {
            let mut at = at.try_borrow_mut().ok()?;
            if at.len() < need {
                at.resize(need, 0);
            }
            Self::count(article, &mut at, &mut counts);
            for &(t, _) in &counts {
                if let Some(slot) = at.get_mut(t as usize) {
                    *slot = 0;
                }
            }
            Some(())
        });
        if kept.is_none() {
            // (Only if counting were re-entered on this thread.)
            Self::count(article, &mut vec![0; need], &mut counts);
        }
        TermCounts(counts)
    }

    /// Counts the article's sentence terms into `counts`, with `at` (zero
    /// for every term of the article) as [`TermCounts::of`] says.
    fn count(article: &Article, at: &mut [u32], counts: &mut Vec<(Term, u32)>) {
        for s in &article.sentences {
            for &t in article.terms_of(s.terms) {
                let Some(slot) = at.get_mut(t as usize) else {
                    continue;
                };
                if *slot == 0 {
                    counts.push((t, 0));
                    *slot = counts.len() as u32;
                }
                if let Some(c) = counts.get_mut(*slot as usize - 1) {
                    c.1 += 1;
                }
            }
        }
    }
}

/// How many of a document's rarest terms select its story candidates.
const RARE_TERMS: usize = 30;

/// The sublinear term frequency `1 + ln n`. Most counts are small: those are
/// read from a table built with the same expression (so the weights are the
/// same bits), because the keystroke path weighs every term of every
/// candidate document of the edited one (`logf` was 2.7% of the instructions
/// of `relations_for`; half of its calls were here).
fn log_tf(n: u32) -> f32 {
    static TABLE: OnceLock<[f32; 64]> = OnceLock::new();
    let table = TABLE.get_or_init(|| std::array::from_fn(|i| 1.0 + (i as f32).ln()));
    match table.get(n as usize) {
        Some(&w) => w,
        None => 1.0 + (n as f32).ln(),
    }
}

/// Cosine of two unit vectors sorted by term id.
fn cosine(a: &[(u32, f32)], b: &[(u32, f32)]) -> f32 {
    let (mut i, mut j, mut dot) = (0, 0, 0.0);
    while i < a.len() && j < b.len() {
        match a[i].0.cmp(&b[j].0) {
            std::cmp::Ordering::Equal => {
                dot += a[i].1 * b[j].1;
                i += 1;
                j += 1;
            }
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
        }
    }
    dot
}

/// Identifies one claim of one document: a document id and the claim's
/// index in its article, ordered by document, then claim.
///
/// Both are held as `u32` (8 bytes, not 16): every relation holds two and
/// every fact at least one, and on 10,000 articles (471,000 relations,
/// 308,000 facts) the wider form was a twentieth of the peak memory of
/// `check`, and its facts of two claims did not fit inline. A process never
/// holds 4 billion documents or claims of one article (each is text in
/// memory); the accessors give `usize` back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ClaimRef {
    doc: u32,
    claim: u32,
}

impl ClaimRef {
    /// The claim `claim` of document `doc`. Ids past `u32::MAX` (more
    /// documents, or more claims in one article, than a process can hold)
    /// saturate rather than wrap onto another claim.
    pub fn new(doc: DocId, claim: usize) -> ClaimRef {
        ClaimRef {
            doc: u32::try_from(doc).unwrap_or(u32::MAX),
            claim: u32::try_from(claim).unwrap_or(u32::MAX),
        }
    }

    /// The document.
    pub fn doc(self) -> DocId {
        self.doc as DocId
    }

    /// The claim's index in its article's claims.
    pub fn claim(self) -> usize {
        self.claim as usize
    }

    /// The reference as one integer, in the same order as the references
    /// (document, then claim).
    pub fn packed(self) -> u64 {
        (u64::from(self.doc) << 32) | u64::from(self.claim)
    }
}

/// Tuning of the analysis; defaults are what the gold sets were measured with.
#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// Minimum TF-IDF cosine between two articles to put them in one story.
    pub story_threshold: f32,
    /// Minimum IDF-weighted overlap for two statements to be the same fact.
    pub statement_threshold: f32,
    /// Minimum context overlap for two figures or dates to be the same fact.
    pub typed_threshold: f32,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            story_threshold: 0.2,
            statement_threshold: 0.3,
            typed_threshold: 0.2,
        }
    }
}

/// A copy of a corpus shares its documents and its term index: the index
/// is copied by the first change made to it while another copy holds it
/// (the language server groups a copy into stories away from its lock, and
/// a keystroke meanwhile pays for the copy; none comes, none is made). The
/// copy is of the index's tables of lists: each postings list and each
/// document's term counts is shared in turn, and copied only when changed
/// (a keystroke changes the lists of the few terms it adds or removes).
#[derive(Default, Clone)]
pub struct Corpus {
    pub config: EngineConfig,
    docs: Vec<Option<Arc<Article>>>,
    by_path: FxHashMap<String, DocId>,
    index: Arc<TermIndex>,
    live: usize,
    /// Per document: a number given to each version of it (and to its
    /// removal), never given twice ([`Corpus::stamp`]).
    stamps: Vec<u64>,
    last_stamp: u64,
}

/// The corpus's term index: what grouping documents into stories reads.
#[derive(Default, Clone)]
struct TermIndex {
    /// Global term → dense id of this corpus (`u32::MAX`: none), indexed
    /// by the term (interner ids are dense): an array access per distinct
    /// term of each inserted document instead of a hash map lookup, and a
    /// copy of the index (`Corpus::index_mut` while another copy shares
    /// it) is a plain copy of the array.
    term_ids: Vec<u32>,
    /// Document frequency per term id (terms counted once per document).
    df: Vec<u32>,
    /// Term id → documents containing it.
    postings: Vec<Arc<Vec<DocId>>>,
    /// Per document: (term id, count), sorted by term id.
    tf: Vec<Arc<Vec<(u32, u32)>>>,
}

impl TermIndex {
    fn term_id(&mut self, t: Term) -> u32 {
        match self.term_ids.get(t as usize) {
            Some(&i) if i != u32::MAX => return i,
            Some(_) => {}
            None => self.term_ids.resize(t as usize + 1, u32::MAX),
        }
        let i = self.df.len() as u32;
        if let Some(slot) = self.term_ids.get_mut(t as usize) {
            *slot = i;
        }
        self.df.push(0);
        self.postings.push(Arc::default());
        i
    }
}

/// Whether two publication days (day numbers) are close enough for one
/// story: [`Corpus::close_in_time`].
fn close_days(p: Option<i32>, q: Option<i32>) -> bool {
    match (p, q) {
        (Some(p), Some(q)) => (p - q).abs() <= 45,
        _ => true,
    }
}

/// Links `a` with each of `ns`, on both sides.
fn link(links: &mut [Vec<DocId>], a: DocId, ns: Vec<DocId>) {
    for b in ns {
        if let Some(l) = links.get_mut(a) {
            l.push(b);
        }
        if let Some(l) = links.get_mut(b) {
            l.push(a);
        }
    }
}

/// What grouping a corpus into stories leaves for grouping it again after an
/// edit ([`Corpus::stories_since`]): per document, its term counts as the
/// index held them (the same allocations: a document whose counts are
/// another allocation now has changed), its story candidates, its day and
/// the documents linked to it. The counts are shared with the index, so
/// keeping them costs only the versions of the documents changed since.
#[derive(Clone, Default)]
pub struct Grouping {
    tf: Vec<Arc<Vec<(u32, u32)>>>,
    live: usize,
    candidates: Vec<Vec<DocId>>,
    days: Vec<Option<i32>>,
    links: Vec<Vec<DocId>>,
    /// Whether it was made from an earlier grouping ([`Corpus::regroup`])
    /// rather than afresh.
    regrouped: bool,
}

/// A [`Grouping`] without its term counts: what a later process needs to
/// take it up ([`Corpus::grouping_from`]), given what each document's
/// article was. Per document id: its candidates, day and links.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GroupingParts {
    pub live: usize,
    pub candidates: Vec<Vec<DocId>>,
    pub days: Vec<Option<i32>>,
    pub links: Vec<Vec<DocId>>,
}

impl Grouping {
    /// Whether it was made from the grouping before it (only the links an
    /// edit can have changed made again) rather than afresh.
    pub fn regrouped(&self) -> bool {
        self.regrouped
    }

    /// Its parts, for a later process (the term counts stay: they are the
    /// corpus's own).
    pub fn into_parts(self) -> GroupingParts {
        GroupingParts {
            live: self.live,
            candidates: self.candidates,
            days: self.days,
            links: self.links,
        }
    }
}

/// The postings lists of the rare terms (those whose document frequency is
/// 2 to the rare limit: the only lists [`Corpus::rare_candidates`] reads),
/// copied end to end into one array, for grouping the whole corpus: each
/// document reads a few dozen of them, and reading each through its own
/// allocation (pointer, then list) was most of finding the candidates.
struct RareLists {
    /// Per term id, where its list starts in `docs`; one more at the end.
    start: Vec<u32>,
    docs: Vec<u32>,
}

impl RareLists {
    fn of(index: &TermIndex, limit: u32) -> RareLists {
        let rare = |p: &Arc<Vec<DocId>>| (2..=limit as usize).contains(&p.len());
        let total: usize = index
            .postings
            .iter()
            .filter(|p| rare(p))
            .map(|p| p.len())
            .sum();
        let mut start = Vec::with_capacity(index.postings.len() + 1);
        let mut docs = Vec::with_capacity(total);
        for p in &index.postings {
            start.push(docs.len() as u32);
            if rare(p) {
                // (A document id past `u32` is not one a process holds.)
                docs.extend(p.iter().map(|&d| d as u32));
            }
        }
        start.push(docs.len() as u32);
        RareLists { start, docs }
    }

    /// The list of term `t` (empty if it is not rare).
    fn list(&self, t: u32) -> impl Iterator<Item = DocId> + '_ {
        let t = t as usize;
        let range = match (self.start.get(t), self.start.get(t + 1)) {
            (Some(&a), Some(&b)) => a as usize..b as usize,
            _ => 0..0,
        };
        self.docs
            .get(range)
            .unwrap_or_default()
            .iter()
            .map(|&d| d as DocId)
    }
}

/// How many new postings entries [`Corpus::insert_counted_many`] holds
/// before it enters them (16 bytes each).
const ADDED_AT_ONCE: usize = 1 << 18;

/// A document as a sparse unit vector: (term id, weight), sorted by term id.
type DocVector = Vec<(u32, f32)>;

impl Corpus {
    pub fn new(config: EngineConfig) -> Self {
        Corpus {
            config,
            ..Default::default()
        }
    }

    /// Parse `text` as the article at `path` and add or replace it.
    /// A new version of a document re-analyses only its edited blocks.
    pub fn upsert(&mut self, path: &str, text: &str, overrides: &MetaOverride) -> DocId {
        let old = self
            .by_path
            .get(path)
            .and_then(|&id| self.article(id))
            .cloned();
        self.insert(Article::reparse(path, text, overrides, old.as_deref()))
    }

    /// The term index, to change (copied first if another copy of the
    /// corpus shares it).
    fn index_mut(&mut self) -> &mut TermIndex {
        Arc::make_mut(&mut self.index)
    }

    /// Add or replace an already parsed article (parse in parallel, insert in order).
    pub fn insert(&mut self, article: Article) -> DocId {
        let counts = TermCounts::of(&article);
        self.insert_counted(article, counts)
    }

    /// [`Corpus::insert`] with the article's [`TermCounts`] already made
    /// (on the thread that parsed it: counting is most of inserting, and
    /// insertion is serial).
    pub fn insert_counted(&mut self, article: Article, counts: TermCounts) -> DocId {
        let (mut gone, mut added) = (Vec::new(), Vec::new());
        let id = self.put(article, counts, &mut gone, &mut added);
        self.add_postings(&added);
        self.drop_postings(gone);
        id
    }

    /// [`Corpus::insert_counted`] of many articles (a folder changed on
    /// disk): the same index as inserting them one by one, in order, with
    /// one pass over each postings list they leave instead of one per
    /// article. Their ids, in order.
    pub fn insert_counted_many(
        &mut self,
        items: impl IntoIterator<Item = (Article, TermCounts)>,
    ) -> Vec<DocId> {
        let (mut gone, mut added) = (Vec::new(), Vec::new());
        let mut touched: FxHashSet<DocId> = FxHashSet::default();
        let mut ids = Vec::new();
        for (article, counts) in items {
            // An article given twice: its first version's entries are made
            // and go before its second version's are (deferred, they could
            // be taken for the second's).
            let again = self
                .by_path
                .get(&article.path)
                .is_some_and(|id| touched.contains(id));
            if again {
                self.add_postings(&added);
                added.clear();
                self.drop_postings(std::mem::take(&mut gone));
                touched.clear();
            }
            let id = self.put(article, counts, &mut gone, &mut added);
            touched.insert(id);
            ids.push(id);
            // (The entries waiting are held to a few megabytes. A folder
            // that fills them once fills them again, in the same room: not
            // grown by doubling from empty each time.)
            if added.len() >= ADDED_AT_ONCE {
                self.add_postings(&added);
                added.clear();
            }
        }
        self.add_postings(&added);
        self.drop_postings(gone);
        ids
    }

    /// Appends each document of `added` to its term's postings list, in
    /// the order given. A list is an `Arc` shared with the copies of the
    /// index a server's snapshots hold, and changing it asks whether it is
    /// shared (`Arc::make_mut`, an atomic read-modify-write): asked for
    /// every entry of every article, that was 0.6 % of the samples of a
    /// first `check` of 10,000 articles (2 million entries; perf), and on
    /// the thread that inserts in order. Many entries (a folder's) are
    /// grouped by term first, by counting (the order of each term's
    /// documents kept), and each list is changed once; a few (an edited
    /// article's terms that came) one by one, without a pass over every term.
    fn add_postings(&mut self, added: &[(u32, DocId)]) {
        let grouped = added.len().saturating_mul(8) >= self.index.postings.len();
        self.add_postings_by(added, grouped);
    }

    /// [`Corpus::add_postings`], grouped by term first or not.
    fn add_postings_by(&mut self, added: &[(u32, DocId)], grouped: bool) {
        if added.is_empty() {
            return;
        }
        let ix = self.index_mut();
        let terms = ix.postings.len();
        if !grouped {
            for &(t, id) in added {
                if let Some(list) = ix.postings.get_mut(t as usize) {
                    Arc::make_mut(list).push(id);
                }
            }
            return;
        }
        // Where each term's documents start in `docs`, then where the next
        // one goes.
        let mut next = vec![0usize; terms + 1];
        for &(t, _) in added {
            if let Some(n) = next.get_mut(t as usize + 1) {
                *n += 1;
            }
        }
        let mut sum = 0;
        for n in &mut next {
            sum += *n;
            *n = sum;
        }
        let mut docs: Vec<DocId> = vec![0; added.len()];
        for &(t, id) in added {
            if let Some(at) = next.get_mut(t as usize) {
                if let Some(slot) = docs.get_mut(*at) {
                    *slot = id;
                }
                *at += 1;
            }
        }
        // Each term's place now ends where the next term's starts: its
        // documents run from the end of the term before.
        let mut from = 0;
        for (list, &to) in ix.postings.iter_mut().zip(&next) {
            if let Some(new) = docs.get(from..to).filter(|n| !n.is_empty()) {
                Arc::make_mut(list).extend_from_slice(new);
            }
            from = to;
        }
    }

    /// Everything of inserting but changing the postings lists: the (term,
    /// document) pairs of the terms it no longer has are added to `gone`
    /// ([`Corpus::drop_postings`]), those of the terms it has now and had not
    /// to `added` ([`Corpus::add_postings`]).
    fn put(
        &mut self,
        article: Article,
        counts: TermCounts,
        gone: &mut Vec<(u32, DocId)>,
        added: &mut Vec<(u32, DocId)>,
    ) -> DocId {
        let (id, old) = match self.by_path.get(&article.path) {
            Some(&id) if self.docs.get(id).is_some_and(Option::is_some) => {
                self.live -= 1;
                (id, std::mem::take(&mut self.index_mut().tf[id]))
            }
            Some(&id) => (id, Arc::default()),
            None => {
                self.docs.push(None);
                self.index_mut().tf.push(Arc::default());
                let id = self.docs.len() - 1;
                self.by_path.insert(article.path.clone(), id);
                (id, Arc::default())
            }
        };
        self.restamp(id);
        let ix = self.index_mut();
        // Sorted by term id (a document has each once) as single integers,
        // id above count: the same order as the pairs', at about half the
        // instructions of sorting pairs (callgrind).
        let mut packed: Vec<u64> = counts
            .0
            .iter()
            .map(|&(t, n)| (u64::from(ix.term_id(t)) << 32) | u64::from(n))
            .collect();
        packed.sort_unstable();
        let tf: Vec<(u32, u32)> = packed
            .iter()
            .map(|&p| ((p >> 32) as u32, p as u32))
            .collect();
        // A new version of a document (a keystroke) shares nearly all its
        // terms with the old one: only the terms that came or went change
        // the document frequencies and postings.
        let has = |v: &[(u32, u32)], t: u32| v.binary_search_by_key(&t, |p| p.0).is_ok();
        for &(t, _) in old.iter().filter(|&&(t, _)| !has(&tf, t)) {
            ix.df[t as usize] = ix.df[t as usize].saturating_sub(1);
            gone.push((t, id));
        }
        for &(t, _) in tf.iter().filter(|&&(t, _)| !has(&old, t)) {
            ix.df[t as usize] += 1;
            added.push((t, id));
        }
        ix.tf[id] = Arc::new(tf);
        self.docs[id] = Some(Arc::new(article));
        self.live += 1;
        id
    }

    /// Gives document `id` a new stamp.
    fn restamp(&mut self, id: DocId) {
        self.last_stamp += 1;
        if self.stamps.len() <= id {
            self.stamps.resize(id + 1, 0);
        }
        if let Some(s) = self.stamps.get_mut(id) {
            *s = self.last_stamp;
        }
    }

    /// The stamp of the document's current version: two equal stamps of one
    /// document are the same article (and the same analysis of it). A
    /// story's relations depend on its articles only
    /// ([`Corpus::story_relations`]), so a story whose documents keep their
    /// stamps keeps its relations.
    pub fn stamp(&self, id: DocId) -> u64 {
        self.stamps.get(id).copied().unwrap_or(0)
    }

    /// Takes each (term, document) pair of `gone` out of the term's
    /// postings list, keeping the order of the rest: one pass over each
    /// list, whatever the number of its documents that go. (One pass per
    /// document made removing a quarter of a 10,000-article workspace take
    /// over a second: every article leaves the lists of the common terms,
    /// thousands of documents long.)
    fn drop_postings(&mut self, mut gone: Vec<(u32, DocId)>) {
        if gone.is_empty() {
            return;
        }
        let ix = self.index_mut();
        gone.sort_unstable();
        gone.dedup();
        for group in gone.chunk_by(|a, b| a.0 == b.0) {
            let Some(&(t, first)) = group.first() else {
                continue;
            };
            let Some(list) = ix.postings.get_mut(t as usize).map(Arc::make_mut) else {
                continue;
            };
            if group.len() == 1 {
                list.retain(|&d| d != first);
            } else {
                // `group` is sorted by document within the term.
                list.retain(|d| group.binary_search_by_key(d, |g| g.1).is_err());
            }
        }
    }

    /// Takes document `id` out of the corpus; its postings entries are
    /// added to `gone` ([`Corpus::drop_postings`]). False when it was no
    /// document.
    fn unindex(&mut self, id: DocId, gone: &mut Vec<(u32, DocId)>) -> bool {
        if self.docs.get(id).and_then(|d| d.as_ref()).is_none() {
            return false;
        }
        self.restamp(id);
        let ix = self.index_mut();
        let tf = std::mem::take(&mut ix.tf[id]);
        for &(t, _) in tf.iter() {
            ix.df[t as usize] = ix.df[t as usize].saturating_sub(1);
            gone.push((t, id));
        }
        self.docs[id] = None;
        self.live -= 1;
        true
    }

    pub fn remove(&mut self, path: &str) -> bool {
        self.remove_many([path]) == 1
    }

    /// Removes the documents at these paths (those that are documents),
    /// with one pass over each postings list they leave. How many were.
    pub fn remove_many<'p>(&mut self, paths: impl IntoIterator<Item = &'p str>) -> usize {
        let mut gone = Vec::new();
        let mut removed = 0;
        for path in paths {
            if let Some(id) = self.by_path.get(path).copied() {
                removed += usize::from(self.unindex(id, &mut gone));
            }
        }
        self.drop_postings(gone);
        removed
    }

    pub fn doc_id(&self, path: &str) -> Option<DocId> {
        self.by_path
            .get(path)
            .copied()
            .filter(|&id| self.docs[id].is_some())
    }

    pub fn article(&self, id: DocId) -> Option<&Arc<Article>> {
        self.docs.get(id).and_then(|d| d.as_ref())
    }

    pub fn docs(&self) -> impl Iterator<Item = (DocId, &Arc<Article>)> {
        self.docs
            .iter()
            .enumerate()
            .filter_map(|(i, d)| d.as_ref().map(|a| (i, a)))
    }

    pub fn len(&self) -> usize {
        self.live
    }

    pub fn is_empty(&self) -> bool {
        self.live == 0
    }

    fn idf(&self, term: u32) -> f32 {
        let df = self.index.df.get(term as usize).copied().unwrap_or(0) as f32;
        (1.0 + (self.live as f32 + 1.0) / (df + 1.0)).ln()
    }

    /// The document's TF-IDF vector, normalised to unit length.
    fn vector(&self, id: DocId) -> DocVector {
        self.vector_with(id, |t| self.idf(t))
    }

    /// [`Corpus::vector`] with the terms' IDF weights given (the same
    /// bits as [`Corpus::idf`]'s): [`Corpus::stories`] weighs every
    /// document, and computes each term's weight once, not once per
    /// document that has it.
    fn vector_with(&self, id: DocId, idf: impl Fn(u32) -> f32) -> DocVector {
        let Some(tf) = self.index.tf.get(id) else {
            return Vec::new();
        };
        let mut v: DocVector = tf.iter().map(|&(t, n)| (t, log_tf(n) * idf(t))).collect();
        let norm = v.iter().map(|(_, w)| w * w).sum::<f32>().sqrt();
        if norm > 0.0 {
            for (_, w) in &mut v {
                *w /= norm;
            }
        }
        v
    }

    /// A term rare enough to identify a story: used by a handful of documents.
    fn rare_limit(&self) -> u32 {
        (self.live as u32 / 50).max(20)
    }

    /// Documents whose TF-IDF cosine with `id` reaches the story threshold and
    /// that share at least two rare terms with it (coverage of one story shares
    /// its names; unrelated stories share only the language of news).
    pub fn neighbours(&self, id: DocId) -> Vec<DocId> {
        self.neighbours_counted(id, &mut Vec::new())
    }

    /// [`Corpus::neighbours`] with the counters of [`Corpus::rare_candidates`]
    /// given, so that a caller asking for several documents' neighbours (a
    /// story on the keystroke path) makes them once.
    fn neighbours_counted(&self, id: DocId, seen: &mut Vec<u8>) -> Vec<DocId> {
        let va = self.vector(id);
        let mut out: Vec<DocId> = self
            .rare_candidates(id, seen)
            .into_iter()
            .filter(|&d| {
                self.close_in_time(id, d)
                    && cosine(&va, &self.vector(d)) >= self.config.story_threshold
            })
            .collect();
        out.sort_unstable();
        out
    }

    /// The documents that share at least two of `id`'s rarest terms (its
    /// [`RARE_TERMS`] rarest, used by at least one other document), sorted:
    /// the candidates of its neighbours. The cost is the length of a few
    /// short lists. `seen` counts the lists each document is on: one
    /// counter per document of the corpus, all zero before and after.
    fn rare_candidates(&self, id: DocId, seen: &mut Vec<u8>) -> Vec<DocId> {
        self.rare_candidates_in(id, seen, |t| {
            self.index
                .postings
                .get(t as usize)
                .map_or(&[][..], |p| p.as_slice())
                .iter()
                .copied()
        })
    }

    /// [`Corpus::rare_candidates`] with each term's postings list given
    /// (the index's, or [`RareLists`]').
    fn rare_candidates_in<L: Iterator<Item = DocId>>(
        &self,
        id: DocId,
        seen: &mut Vec<u8>,
        list: impl Fn(u32) -> L,
    ) -> Vec<DocId> {
        let Some(tf) = self.index.tf.get(id) else {
            return Vec::new();
        };
        let limit = self.rare_limit();
        // The rare terms are told by their document frequencies (one array,
        // the length of each term's postings list) rather than by reading
        // each list's length through its pointer: a document has hundreds
        // of terms and keeps a few dozen.
        let mut rare: Vec<(u32, u32)> = tf
            .iter()
            .filter_map(|&(t, _)| Some((*self.index.df.get(t as usize)?, t)))
            .filter(|&(df, _)| df >= 2 && df <= limit)
            .collect();
        // The RARE_TERMS rarest, of equal frequency the lower term id (a
        // total order: which of the terms of equal frequency at the cut
        // were kept was left to the sort's algorithm), found by a
        // selection, then those few sorted: sorting every rare term of the
        // document was a fourteenth of finding and linking the candidates
        // (callgrind, 10,000 articles).
        if rare.len() > RARE_TERMS {
            rare.select_nth_unstable(RARE_TERMS);
            rare.truncate(RARE_TERMS);
        }
        rare.sort_unstable();
        // Every posting of the selected lists is counted in `seen`: the
        // second time a document is met it is a candidate (a counter per
        // document costs less than a sort of the postings or a hash map
        // entry per posting).
        if seen.len() < self.docs.len() {
            seen.resize(self.docs.len(), 0);
        }
        let mut out: Vec<DocId> = Vec::new();
        // (A loop per list, not one `flat_map` over them all: its test of
        // the list in hand at every posting was a sixth of finding and
        // linking the candidates, callgrind on 10,000 articles.)
        for &(_, t) in &rare {
            for d in list(t) {
                let Some(n) = seen.get_mut(d) else { continue };
                if *n == 1 && d != id {
                    out.push(d);
                }
                *n = n.saturating_add(1);
            }
        }
        // The counters are set back to zero by a second pass over the lists
        // (warm in the cache) rather than by keeping each document met: a
        // push per posting was most of this function.
        for &(_, t) in &rare {
            for d in list(t) {
                if let Some(n) = seen.get_mut(d) {
                    *n = 0;
                }
            }
        }
        out.sort_unstable();
        out
    }

    /// Coverage of one story is published within weeks, not months (an
    /// article without a date is close to every other).
    fn close_in_time(&self, a: DocId, b: DocId) -> bool {
        close_days(self.day(a), self.day(b))
    }

    /// The day a document was published, as a day number ([`close_days`]).
    fn day(&self, d: DocId) -> Option<i32> {
        let published = self.article(d)?.meta.published?;
        Some((published - jiff::civil::date(1970, 1, 1)).get_days())
    }

    /// The story of a document: the connected component of the neighbour graph.
    pub fn story_of(&self, id: DocId) -> Vec<DocId> {
        let mut seen: FxHashSet<DocId> = FxHashSet::default();
        seen.insert(id);
        let mut stack = vec![id];
        let mut counts = Vec::new();
        while let Some(d) = stack.pop() {
            for n in self.neighbours_counted(d, &mut counts) {
                if seen.insert(n) {
                    stack.push(n);
                }
            }
        }
        let mut v: Vec<DocId> = seen.into_iter().collect();
        v.sort_unstable();
        v
    }

    /// All stories of the corpus, each a sorted list of documents: the
    /// connected components of the neighbour graph, computed in parallel.
    ///
    /// The same graph as [`Corpus::neighbours`] gives, made with less work:
    /// an edge is undirected, so the cosine of a pair that each document
    /// selects as a candidate of the other is computed once, not twice; and
    /// each document's vector is spread over a dense array (term id →
    /// weight) so that its cosine with a candidate is one pass over the
    /// candidate's terms, not a merge of two lists whose every step is an
    /// unpredictable branch. The products are summed in the same order
    /// (by term id; a term only one side has adds +0.0), so the cosines are
    /// the same bits as [`cosine`]'s.
    pub fn stories(&self) -> Vec<Vec<DocId>> {
        self.stories_since(None).0
    }

    /// [`Corpus::stories`], and what the next grouping may take from this
    /// one. Given the [`Grouping`] of an earlier state of this corpus
    /// (made by this function), only the links of the documents an edit
    /// can have changed are made again ([`Corpus::regroup`]); the stories
    /// are the same as [`Corpus::stories`] gives, whatever changed.
    pub fn stories_since(&self, before: Option<Grouping>) -> (Vec<Vec<DocId>>, Grouping) {
        // (When `regroup` gives up, the stories are grouped afresh.)
        if let Some(done) = before.and_then(|b| self.regroup(b)) {
            return done;
        }
        self.group_all()
    }

    /// The [`Grouping`] an earlier process made of this corpus's documents
    /// (the same ids), from its parts, for [`Corpus::stories_since`]:
    /// `before[d]` is `None` when document `d`'s article is the one that
    /// grouping saw, else the distinct terms of the one it saw
    /// (`persist::sentence_terms`). The documents
    /// whose article changed are told by their term counts being another
    /// allocation than the index's, as for a grouping kept in memory.
    /// `None` when the parts are not of a corpus of this many documents.
    pub fn grouping_from(
        &self,
        parts: GroupingParts,
        before: Vec<Option<Vec<Term>>>,
    ) -> Option<Grouping> {
        let n = self.docs.len();
        let GroupingParts {
            live,
            candidates,
            days,
            links,
        } = parts;
        let sized = [candidates.len(), days.len(), links.len(), before.len()]
            .iter()
            .all(|&l| l == n);
        let named = |l: &Vec<Vec<DocId>>| l.iter().flatten().all(|&d| d < n);
        if !sized || self.index.tf.len() != n || !named(&candidates) || !named(&links) {
            return None;
        }
        let tf = before
            .into_iter()
            .zip(&self.index.tf)
            .map(|(old, now)| match old {
                None => now.clone(),
                Some(terms) => {
                    // In the index's ids, as its counts are. A term no
                    // document has now has no id, nor any document to touch.
                    let mut ids: Vec<(u32, u32)> = terms
                        .into_iter()
                        .filter_map(|t| self.index.term_ids.get(t as usize))
                        .filter(|&&i| i != u32::MAX)
                        .map(|&i| (i, 1))
                        .collect();
                    ids.sort_unstable();
                    Arc::new(ids)
                }
            })
            .collect();
        Some(Grouping {
            tf,
            live,
            candidates,
            days,
            links,
            regrouped: false,
        })
    }

    /// [`Corpus::stories`] made from nothing.
    fn group_all(&self) -> (Vec<Vec<DocId>>, Grouping) {
        use rayon::prelude::*;
        let idf: Vec<f32> = (0..self.index.df.len() as u32)
            .map(|t| self.idf(t))
            .collect();
        let vectors: Vec<DocVector> = (0..self.docs.len())
            .into_par_iter()
            .map(|d| {
                self.vector_with(d, |t| {
                    idf.get(t as usize).copied().unwrap_or_else(|| self.idf(t))
                })
            })
            .collect();
        let empty = DocVector::new();
        let vector = |d: DocId| vectors.get(d).unwrap_or(&empty);
        let ids: Vec<DocId> = self.docs().map(|(d, _)| d).collect();
        // Each document's day, once (not read from its article for every
        // candidate pair).
        let days: Vec<Option<i32>> = (0..self.docs.len()).map(|d| self.day(d)).collect();
        let day = |d: DocId| days.get(d).copied().flatten();
        let rare = RareLists::of(&self.index, self.rare_limit());
        let candidates: Vec<Vec<DocId>> = (0..self.docs.len())
            .into_par_iter()
            .map_init(Vec::new, |seen, d| {
                if self.article(d).is_some() {
                    self.rare_candidates_in(d, seen, |t| rare.list(t))
                } else {
                    Vec::new()
                }
            })
            .collect();
        let selects = |a: DocId, b: DocId| {
            candidates
                .get(a)
                .is_some_and(|c| c.binary_search(&b).is_ok())
        };
        let terms = self.index.df.len();
        let edges: Vec<(DocId, Vec<DocId>)> = ids
            .par_iter()
            .map_init(
                || vec![0.0f32; terms],
                |dense, &a| {
                    let cands = candidates.get(a).map(Vec::as_slice).unwrap_or(&[]);
                    // A pair both select is decided from its lower side.
                    let bs = cands.iter().copied().filter(|&b| !(b < a && selects(b, a)));
                    (a, self.linked(dense, a, bs, day, vector))
                },
            )
            .collect();
        let mut links: Vec<Vec<DocId>> = vec![Vec::new(); self.docs.len()];
        for (a, ns) in edges {
            link(&mut links, a, ns);
        }
        let grouping = Grouping {
            tf: self.index.tf.clone(),
            live: self.live,
            candidates,
            links,
            days,
            regrouped: false,
        };
        (self.components(&grouping.links), grouping)
    }

    /// Those of `bs` linked to `a` (one story): published close in time,
    /// with a cosine of their vectors that reaches the story threshold.
    /// `a`'s weights are spread over `dense` (all zero before and after), so
    /// that each cosine is one pass over the other vector, summed by its
    /// term ids: the products of the shared terms in term order, the same
    /// bits from either side of a pair (a term only one side has adds
    /// +0.0).
    fn linked<V: AsRef<[(u32, f32)]>>(
        &self,
        dense: &mut [f32],
        a: DocId,
        bs: impl Iterator<Item = DocId>,
        day: impl Fn(DocId) -> Option<i32>,
        vector: impl Fn(DocId) -> V,
    ) -> Vec<DocId> {
        let va = vector(a);
        let va = va.as_ref();
        for &(t, w) in va {
            if let Some(x) = dense.get_mut(t as usize) {
                *x = w;
            }
        }
        let dense_ = &*dense;
        let out = bs
            .filter(|&b| {
                close_days(day(a), day(b)) && {
                    let dot = vector(b).as_ref().iter().fold(0.0f32, |dot, &(t, w)| {
                        dot + dense_.get(t as usize).copied().unwrap_or(0.0) * w
                    });
                    dot >= self.config.story_threshold
                }
            })
            .collect();
        for &(t, _) in va {
            if let Some(x) = dense.get_mut(t as usize) {
                *x = 0.0;
            }
        }
        out
    }

    /// The stories of a link graph: its connected components over the
    /// corpus's documents, each sorted, in order.
    fn components(&self, links: &[Vec<DocId>]) -> Vec<Vec<DocId>> {
        let mut parent: Vec<DocId> = (0..self.docs.len()).collect();
        fn find(p: &mut [DocId], mut x: DocId) -> DocId {
            while p[x] != x {
                p[x] = p[p[x]];
                x = p[x];
            }
            x
        }
        for (d, ns) in links.iter().enumerate() {
            for &n in ns {
                if n >= parent.len() || d >= parent.len() {
                    continue;
                }
                let (a, b) = (find(&mut parent, d), find(&mut parent, n));
                if a != b {
                    parent[a.max(b)] = a.min(b);
                }
            }
        }
        let mut groups: FxHashMap<DocId, Vec<DocId>> = FxHashMap::default();
        for (d, _) in self.docs() {
            let r = find(&mut parent, d);
            groups.entry(r).or_default().push(d);
        }
        let mut out: Vec<Vec<DocId>> = groups.into_values().collect();
        for g in &mut out {
            g.sort_unstable();
        }
        out.sort();
        out
    }

    /// [`Corpus::stories_since`] from the grouping `before`; `None` when
    /// documents came or went, or an edit touched a quarter of the corpus
    /// (grouping afresh costs about as much then).
    ///
    /// A link (two documents of one story) is decided by the documents'
    /// candidates, days and weighted vectors. A document none of whose terms
    /// came to or left any document since `before`, and which did not change
    /// itself, keeps all three: its terms' document frequencies and postings
    /// lists are the same, and so is the number of documents (else this
    /// gives up), which with them makes the weights. So the links between
    /// two such documents stand; those of the others (`touched`) are made
    /// again, from both sides: a touched document's own candidates, and the
    /// untouched documents that select it. A cosine is the same from either
    /// side (the products of the shared terms, summed by term id), so a
    /// link does not depend on which side decides it.
    fn regroup(&self, mut before: Grouping) -> Option<(Vec<Vec<DocId>>, Grouping)> {
        let n = self.docs.len();
        if before.live != self.live || before.tf.len() != n || self.index.tf.len() != n {
            return None;
        }
        // The documents that changed, and the terms they took or left.
        let mut touched = vec![false; n];
        let mut moved: Vec<u32> = Vec::new();
        for (d, (old, new)) in before.tf.iter().zip(&self.index.tf).enumerate() {
            if Arc::ptr_eq(old, new) {
                continue;
            }
            if let Some(t) = touched.get_mut(d) {
                *t = true;
            }
            let has = |v: &[(u32, u32)], t: u32| v.binary_search_by_key(&t, |p| p.0).is_ok();
            moved.extend(old.iter().filter(|p| !has(new, p.0)).map(|p| p.0));
            moved.extend(new.iter().filter(|p| !has(old, p.0)).map(|p| p.0));
        }
        moved.sort_unstable();
        moved.dedup();
        // Every document that has such a term now (those that had it and
        // have it no more changed themselves).
        let mut count = touched.iter().filter(|&&t| t).count();
        for &t in &moved {
            for &d in self
                .index
                .postings
                .get(t as usize)
                .map_or(&[][..], |p| p.as_slice())
            {
                if let Some(x) = touched.get_mut(d) {
                    if !*x {
                        *x = true;
                        count += 1;
                    }
                }
            }
            if count * 4 > self.live {
                return None;
            }
        }
        let is_touched = |d: DocId| touched.get(d).copied().unwrap_or(false);
        // The touched documents' links are undone, on both sides.
        for d in (0..n).filter(|&d| is_touched(d)) {
            let gone = before
                .links
                .get_mut(d)
                .map(std::mem::take)
                .unwrap_or_default();
            for b in gone {
                if let Some(l) = before.links.get_mut(b) {
                    l.retain(|&x| x != d);
                }
            }
        }
        let mut seen = Vec::new();
        for d in (0..n).filter(|&d| is_touched(d)) {
            let cands = if self.article(d).is_some() {
                self.rare_candidates(d, &mut seen)
            } else {
                Vec::new()
            };
            if let Some(c) = before.candidates.get_mut(d) {
                *c = cands;
            }
            if let Some(day) = before.days.get_mut(d) {
                *day = self.day(d);
            }
        }
        // The pairs to decide: each touched document with its candidates,
        // and with the untouched documents that select it.
        let mut pairs: Vec<(DocId, DocId)> = Vec::new();
        for (a, cands) in before.candidates.iter().enumerate() {
            for &b in cands {
                match (is_touched(a), is_touched(b)) {
                    (true, _) => pairs.push((a, b)),
                    (false, true) => pairs.push((b, a)),
                    (false, false) => {}
                }
            }
        }
        // Each pair once, whichever side gave it.
        for p in &mut pairs {
            if !is_touched(p.0) || (is_touched(p.1) && p.1 < p.0) {
                *p = (p.1, p.0);
            }
        }
        pairs.sort_unstable();
        pairs.dedup();
        let mut dense = vec![0.0f32; self.index.df.len()];
        let days = std::mem::take(&mut before.days);
        let day = |d: DocId| days.get(d).copied().flatten();
        for group in pairs.chunk_by(|x, y| x.0 == y.0) {
            let Some(&(a, _)) = group.first() else {
                continue;
            };
            let bs = group.iter().map(|&(_, b)| b);
            let ns = self.linked(&mut dense, a, bs, day, |d| self.vector(d));
            link(&mut before.links, a, ns);
        }
        before.days = days;
        before.tf = self.index.tf.clone();
        before.regrouped = true;
        let stories = self.components(&before.links);
        Some((stories, before))
    }

    fn story_index(&self, story: &[DocId]) -> StoryIndex {
        let arts: Vec<(DocId, Arc<Article>)> = story
            .iter()
            .filter_map(|&d| self.article(d).map(|a| (d, a.clone())))
            .collect();
        StoryIndex::new(arts, self.config.clone())
    }

    /// Relations between claims of `id` and claims of other documents of its story.
    pub fn relations_for(&self, id: DocId) -> Vec<Relation> {
        self.story_and_relations_for(id).1
    }

    /// [`Corpus::story_of`] and [`Corpus::relations_for`] at once: the
    /// relations are found within the story, which is made once.
    pub fn story_and_relations_for(&self, id: DocId) -> (Vec<DocId>, Vec<Relation>) {
        if self.article(id).is_none() {
            return (Vec::new(), Vec::new());
        }
        let story = self.story_of(id);
        let idx = self.story_index(&story);
        let rels = compare::relations(&idx, Some(id));
        (story, rels)
    }

    /// Free the term index (document frequencies, postings, term vectors):
    /// what [`Corpus::stories`] and [`Corpus::neighbours`] read. A batch run
    /// that has its stories needs it no more (on the bench corpus it is 8 MB
    /// at the peak). The documents stay; afterwards the corpus finds no
    /// neighbours, and [`Corpus::insert`] starts a new index.
    pub fn release_index(&mut self) {
        // A new, empty index (the old one is freed unless a copy holds it).
        self.index = Arc::new(TermIndex {
            tf: vec![Arc::default(); self.docs.len()],
            ..TermIndex::default()
        });
    }

    /// Every relation in the corpus, story by story, with the stories.
    pub fn all_relations(&self) -> (Vec<Vec<DocId>>, Vec<Vec<Relation>>) {
        use rayon::prelude::*;
        let stories = self.stories();
        let rels = stories
            .par_iter()
            .map(|s| self.story_relations(s))
            .collect();
        (stories, rels)
    }

    /// Every relation within one story (one element of [`Corpus::stories`]):
    /// a function of the story's articles and the configuration only.
    pub fn story_relations(&self, story: &[DocId]) -> Vec<Relation> {
        compare::relations(&self.story_index(story), None)
    }

    /// [`Corpus::story_relations`] with the labels and reasons kept by
    /// `keep` ([`compare::relations_keeping`]).
    pub fn story_relations_keeping(
        &self,
        story: &[DocId],
        keep: fn(&str) -> &'static str,
    ) -> Vec<Relation> {
        compare::relations_keeping(&self.story_index(story), None, keep)
    }
}

/// The articles of a story folder (`dir`, from the repository's root:
/// `seeds`, `tests/data/dev/NAME`), as path and text, in path order: for
/// the tests that run on real stories.
#[cfg(test)]
pub(crate) fn story_files(dir: impl AsRef<std::path::Path>) -> Vec<(String, String)> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<std::path::PathBuf> = std::fs::read_dir(root.join(dir))
        .expect("story directory")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    files.sort();
    files
        .iter()
        .map(|f| {
            let text = std::fs::read_to_string(f).expect("article");
            (f.to_string_lossy().into_owned(), text)
        })
        .collect()
}

/// Articles of made-up stories, for the tests of grouping (here and in
/// `cli::check`): each story has its own two dozen invented names, and each
/// outlet's article of it eight sentences naming five of them.
#[cfg(test)]
pub(crate) mod made_up {
    const SUFFIXES: [&str; 12] = [
        "qu", "zor", "fex", "wim", "jup", "dox", "bel", "nyx", "tav", "gol", "pek", "ruz",
    ];

    /// How many stories there are names for.
    pub const STORIES: usize = SUFFIXES.len();

    /// The names of a story.
    pub fn names(story: usize) -> Vec<String> {
        let syll = ["ka", "lo", "mar", "ten", "vi", "sa", "ro", "del"];
        (0..24)
            .map(|i| {
                format!(
                    "{}{}{}",
                    syll[i % 8],
                    syll[(i / 8 + story) % 8],
                    SUFFIXES[story % SUFFIXES.len()]
                )
            })
            .collect()
    }

    /// An outlet's article of a story, with `extra` at its end.
    pub fn text(story: usize, outlet: usize, extra: &str) -> String {
        let pool = names(story);
        let mut t = format!("Story {story} from outlet {outlet}\n\n");
        for s in 0..8 {
            let words: Vec<&str> = (0..5)
                .filter_map(|k| pool.get((s * 5 + k + outlet * 3) % pool.len()))
                .map(String::as_str)
                .collect();
            t.push_str(&format!(
                "Officials said the {} met the council on Monday. ",
                words.join(" ")
            ));
        }
        t.push_str(extra);
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Term counts list each term once, in the order of its first
    /// occurrence (the order the corpus numbers new terms in), with the
    /// number of its occurrences.
    #[test]
    fn term_counts_are_distinct_in_first_occurrence_order() {
        let text = "Storm hits Ardmore\n\nThe storm hit Ardmore on Tuesday and the storm \
                    flooded 40 homes, officials said. Ardmore officials said the storm was \
                    the worst in years.\n";
        let a = Article::parse("a.txt", text, &MetaOverride::default());
        let all: Vec<Term> = a
            .sentences
            .iter()
            .flat_map(|s| a.terms_of(s.terms).iter().copied())
            .collect();
        let mut first: Vec<Term> = Vec::new();
        for &t in &all {
            if !first.contains(&t) {
                first.push(t);
            }
        }
        let counts = TermCounts::of(&a).0;
        assert!(counts.len() > 5, "{}", counts.len());
        assert_eq!(counts.iter().map(|c| c.0).collect::<Vec<_>>(), first);
        for (t, n) in &counts {
            assert_eq!(*n as usize, all.iter().filter(|x| *x == t).count());
        }
        assert!(counts.iter().any(|c| c.1 >= 3), "'storm' occurs 4 times");
    }

    /// The table gives the bits the expression gives, inside it and past it.
    #[test]
    fn log_tf_is_one_plus_ln() {
        for n in 1..1000u32 {
            assert_eq!(
                log_tf(n).to_bits(),
                (1.0 + (n as f32).ln()).to_bits(),
                "n = {n}"
            );
        }
        assert!(log_tf(2) > log_tf(1) && log_tf(1) == 1.0);
    }

    /// A copy of a corpus shares its index until one of them changes: the
    /// copy keeps grouping and finding neighbours as the corpus was, and
    /// the changed corpus as a corpus made from its new articles does.
    #[test]
    fn a_copy_keeps_its_index_when_the_corpus_changes() {
        let seeds = concat!(env!("CARGO_MANIFEST_DIR"), "/seeds");
        let mut files: Vec<(String, String)> = std::fs::read_dir(seeds)
            .expect("seeds")
            .filter_map(|e| e.ok())
            .map(|e| {
                let p = e.path().to_string_lossy().into_owned();
                let t = std::fs::read_to_string(&p).expect("seed");
                (p, t)
            })
            .collect();
        files.sort();
        // Two stories: the seeds, and three unrelated articles.
        for (i, topic) in ["harvest figures", "tram line", "museum reopening"]
            .iter()
            .enumerate()
        {
            files.push((
                format!("other-{i}.txt"),
                format!("The {topic}\n\nThe city council said on Monday that the {topic} drew 40 people.\n"),
            ));
        }
        let made = |files: &[(String, String)]| {
            let mut c = Corpus::new(EngineConfig::default());
            for (p, t) in files {
                c.upsert(p, t, &MetaOverride::default());
            }
            c
        };
        let mut c = made(&files);
        let before = (c.stories(), stats(&c));
        let copy = c.clone();
        assert!(Arc::ptr_eq(&c.index, &copy.index), "shared, not copied");
        // The first seed becomes an unrelated article; the last one goes.
        let (first, _) = files.first().cloned().expect("a seed");
        let (last, _) = files.get(4).cloned().expect("five seeds");
        let other = "Rain delays the harvest\n\nFarmers said on Tuesday that the rain delayed the harvest by 12 days.\n";
        c.upsert(&first, other, &MetaOverride::default());
        c.remove(&last);
        assert!(!Arc::ptr_eq(&c.index, &copy.index), "copied by the change");
        // Only its tables: a postings list is copied when a term came to
        // or left a document (the edited one's old and new terms, the
        // removed one's), and every other list is still shared.
        let doc_of = |c: &Corpus, p: &str| c.doc_id(p).expect("a document");
        let (first_id, last_id) = (doc_of(&copy, &first), doc_of(&copy, &last));
        let terms =
            |tf: &Arc<Vec<(u32, u32)>>| -> FxHashSet<u32> { tf.iter().map(|p| p.0).collect() };
        let (was, now) = (&copy.index.tf[first_id], &c.index.tf[first_id]);
        let mut touched: FxHashSet<u32> = terms(was)
            .symmetric_difference(&terms(now))
            .copied()
            .collect();
        touched.extend(terms(&copy.index.tf[last_id]));
        assert!(!touched.is_empty());
        for (t, (x, y)) in c
            .index
            .postings
            .iter()
            .zip(&copy.index.postings)
            .enumerate()
        {
            assert_eq!(
                Arc::ptr_eq(x, y),
                !touched.contains(&(t as u32)),
                "the list of term {t}"
            );
        }
        let counts_kept = c
            .index
            .tf
            .iter()
            .zip(&copy.index.tf)
            .filter(|(x, y)| Arc::ptr_eq(x, y))
            .count();
        assert_eq!(
            counts_kept,
            copy.index.tf.len() - 2,
            "two documents changed"
        );
        assert!((copy.stories(), stats(&copy)) == before, "the copy's index");
        if let Some(f) = files.first_mut() {
            f.1 = other.to_string();
        }
        files.remove(4);
        let fresh = made(&files);
        // Document frequencies and postings by path (the removed document's
        // id is not given again: ids differ from the fresh corpus's).
        let named = |c: &Corpus| -> Vec<(Term, u32, Vec<String>)> {
            let mut v: Vec<(Term, u32, Vec<String>)> = stats(c)
                .into_iter()
                .map(|(t, df, docs)| {
                    let mut p: Vec<String> = docs
                        .into_iter()
                        .filter_map(|d| c.article(d).map(|a| a.path.clone()))
                        .collect();
                    p.sort();
                    (t, df, p)
                })
                .collect();
            v.sort();
            v
        };
        assert!(named(&c) == named(&fresh), "the changed corpus's index");
        let paths = |c: &Corpus, stories: Vec<Vec<DocId>>| -> Vec<Vec<String>> {
            let mut v: Vec<Vec<String>> = stories
                .into_iter()
                .map(|s| {
                    let mut s: Vec<String> = s
                        .into_iter()
                        .filter_map(|d| c.article(d).map(|a| a.path.clone()))
                        .collect();
                    s.sort();
                    s
                })
                .collect();
            v.sort();
            v
        };
        assert_eq!(paths(&c, c.stories()), paths(&fresh, fresh.stories()));
        assert_ne!(paths(&c, c.stories()), paths(&copy, copy.stories()));
    }

    /// Relations whose labels and reasons are kept by another function are
    /// the same relations, with the same texts.
    #[test]
    fn relations_keeping_texts_elsewhere_are_the_same() {
        let seeds = concat!(env!("CARGO_MANIFEST_DIR"), "/seeds");
        let mut c = Corpus::new(EngineConfig::default());
        let mut paths: Vec<std::path::PathBuf> = std::fs::read_dir(seeds)
            .map(|d| d.flatten().map(|e| e.path()).collect())
            .unwrap_or_default();
        paths.sort();
        for p in paths
            .iter()
            .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        {
            let text = std::fs::read_to_string(p).unwrap_or_default();
            c.upsert(&p.to_string_lossy(), &text, &MetaOverride::default());
        }
        let stories = c.stories();
        assert!(!stories.is_empty());
        let mut any = false;
        for s in &stories {
            let shared = c.story_relations(s);
            let copied = c.story_relations_keeping(s, |t| Box::leak(t.into()));
            any |= !shared.is_empty();
            assert_eq!(format!("{shared:?}"), format!("{copied:?}"));
        }
        assert!(any, "the seeds have relations");
    }

    /// The stories are the connected components of the undirected graph
    /// that [`Corpus::neighbours`] gives, document by document (the batch
    /// computes each pair once and the cosines another way). Articles of a
    /// story draw more than [`RARE_TERMS`] names from a pool of their own, so
    /// two of them need not select each other among their rarest terms.
    #[test]
    fn stories_are_the_components_of_the_neighbour_graph() {
        let mut seed: u64 = 7;
        let mut next = |n: u64| {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (seed >> 33) % n
        };
        let syll = [
            "ka", "lo", "mar", "ten", "vi", "sa", "ro", "del", "an", "mi",
        ];
        let mut c = Corpus::new(EngineConfig::default());
        for story in 0..8u64 {
            let pool: Vec<String> = (0..70)
                .map(|i| {
                    let a = syll.get((i % 10) as usize).copied().unwrap_or("ka");
                    let b = syll
                        .get(((i / 10 + story) % 10) as usize)
                        .copied()
                        .unwrap_or("lo");
                    format!(
                        "{a}{b}{}",
                        ["qu", "zor", "fex", "wim", "jup", "dox", "ny", "bel"][story as usize]
                    )
                })
                .collect();
            for outlet in 0..(2 + next(4)) {
                let mut text = format!("Story {story} by outlet {outlet}\n\n");
                for _ in 0..12 {
                    let words: Vec<&str> = (0..6)
                        .filter_map(|_| pool.get(next(70) as usize).map(String::as_str))
                        .collect();
                    text.push_str(&format!(
                        "Officials said the {} met the {} on Monday. ",
                        words.join(" "),
                        ["council", "mayor", "police"][next(3) as usize]
                    ));
                }
                c.upsert(
                    &format!("s{story}_o{outlet}.txt"),
                    &text,
                    &MetaOverride::default(),
                );
            }
        }
        // One-sided selection: A's rarest terms are the forty names it
        // shares with C alone, so A does not select B; B's rarest are the two
        // names it shares with A (and D, E), so B selects A.
        let with_c: Vec<String> = (0..40)
            .map(|i| format!("{}{}vok", syll[i % 10], syll[i / 10]))
            .collect();
        let pair = "Zembrowski Quillfeather";
        let a = format!(
            "Harbour talks\n\n{pair} and {pair} said {pair} would talk. {}.\n",
            with_c.join(" ")
        );
        let cc = format!("Harbour\n\nThe talks: {}.\n", with_c.join(" "));
        let b = format!("Talks\n\n{pair} said {pair} would talk to {pair}.\n");
        let de = format!("Other\n\n{pair} met the council about a bridge and roads.\n");
        for (path, text) in [
            ("a.txt", &a),
            ("b.txt", &b),
            ("c.txt", &cc),
            ("d.txt", &de),
            ("e.txt", &de),
        ] {
            c.upsert(path, text, &MetaOverride::default());
        }
        let ids: Vec<DocId> = c.docs().map(|(d, _)| d).collect();
        let mut parent: Vec<DocId> = (0..c.docs.len()).collect();
        fn root(p: &[DocId], mut x: DocId) -> DocId {
            while p[x] != x {
                x = p[x];
            }
            x
        }
        let mut one_sided = 0;
        for &a in &ids {
            for b in c.neighbours(a) {
                if !c.neighbours(b).contains(&a) {
                    one_sided += 1;
                }
                let (ra, rb) = (root(&parent, a), root(&parent, b));
                parent[ra.max(rb)] = ra.min(rb);
            }
        }
        let mut expected: FxHashMap<DocId, Vec<DocId>> = FxHashMap::default();
        for &d in &ids {
            expected.entry(root(&parent, d)).or_default().push(d);
        }
        let mut expected: Vec<Vec<DocId>> = expected.into_values().collect();
        expected.sort();
        let got = c.stories();
        assert_eq!(got, expected);
        assert!(
            got.len() >= 4 && got.iter().any(|s| s.len() >= 3),
            "{got:?}"
        );
        assert!(one_sided > 0, "no pair selected from one side only");
    }

    /// Document frequencies and postings, by term, as sets.
    fn stats(c: &Corpus) -> Vec<(Term, u32, Vec<DocId>)> {
        let mut v: Vec<(Term, u32, Vec<DocId>)> = c
            .index
            .term_ids
            .iter()
            .enumerate()
            .filter(|(_, &i)| i != u32::MAX)
            .map(|(t, &i)| {
                let t = t as Term;
                let mut p = c.index.postings[i as usize].to_vec();
                p.sort_unstable();
                // `rare_candidates` reads a list's length as the term's
                // document frequency.
                assert_eq!(p.len(), c.index.df[i as usize] as usize, "term {t}");
                (t, c.index.df[i as usize], p)
            })
            .filter(|(_, df, _)| *df > 0)
            .collect();
        v.sort_by_key(|(t, ..)| crate::core::terms::resolve(*t));
        v
    }

    /// [`stats`] with each postings list's length instead of its documents
    /// (for corpora whose documents have other ids).
    fn stats_by_length(c: &Corpus) -> Vec<(Term, u32, usize)> {
        stats(c)
            .into_iter()
            .map(|(t, df, p)| (t, df, p.len()))
            .collect()
    }

    /// Grouping again from the grouping before an edit gives the stories a
    /// grouping from nothing gives, after edits of every kind: a new word
    /// typed, a story's names moved from one article to another (the same
    /// document frequencies, other postings), an article rewritten into
    /// another story and back, a text set again unchanged; and it is made
    /// from the grouping before (not afresh) for each of those. An article
    /// added makes it start afresh.
    #[test]
    fn regrouping_after_an_edit_is_grouping_afresh() {
        use super::made_up::{names, text, STORIES};
        let none = MetaOverride::default();
        let mut c = Corpus::new(EngineConfig::default());
        for story in 0..STORIES {
            for outlet in 0..4 {
                c.upsert(
                    &format!("s{story}_o{outlet}.txt"),
                    &text(story, outlet, ""),
                    &none,
                );
            }
        }
        let (first, mut g) = c.stories_since(None);
        assert_eq!(first, c.stories());
        assert!(first.len() >= 5, "{first:?}");
        let step = |c: &mut Corpus, g: &mut Grouping, path: &str, new: String, what: &str| {
            c.upsert(path, &new, &none);
            let fresh = c.stories();
            let made = c.regroup(g.clone());
            assert!(made.is_some(), "{what}: not regrouped");
            let (again, next) = c.stories_since(Some(std::mem::take(g)));
            assert_eq!(again, fresh, "{what}");
            if let Some((m, _)) = made {
                assert_eq!(m, fresh, "{what}");
            }
            *g = next;
            fresh
        };
        step(
            &mut c,
            &mut g,
            "s0_o1.txt",
            text(0, 1, "A brandnewword was typed."),
            "a new word",
        );
        // Story 1's names leave one of its articles for an article of story 2
        // (the words of every article left as they are: an edit that
        // brings or takes a word most articles have touches them all, and
        // that is grouped afresh).
        let moved = names(1).join(" ");
        step(
            &mut c,
            &mut g,
            "s1_o0.txt",
            text(5, 3, ""),
            "names taken out (another story's put in)",
        );
        let merged = step(
            &mut c,
            &mut g,
            "s2_o0.txt",
            text(2, 0, &format!("Also: {moved}. {moved}.")),
            "names moved in",
        );
        let joined = merged.iter().any(|s| {
            let has = |p: &str| c.doc_id(p).is_some_and(|d| s.contains(&d));
            has("s1_o1.txt") && has("s2_o0.txt")
        });
        assert!(joined, "the moved names join the stories: {merged:?}");
        step(&mut c, &mut g, "s2_o0.txt", text(2, 0, ""), "and back");
        step(
            &mut c,
            &mut g,
            "s3_o2.txt",
            text(3, 2, ""),
            "the same text again",
        );
        // A link one side selects (as in
        // `stories_are_the_components_of_the_neighbour_graph`): B's rarest
        // terms are the two names it shares with A, A's are forty it
        // shares with C alone. A edited, the link is found from B's side.
        let syll = [
            "ka", "lo", "mar", "ten", "vi", "sa", "ro", "del", "an", "mi",
        ];
        let with_c: Vec<String> = (0..40)
            .map(|i| format!("{}{}vok", syll[i % 10], syll[i / 10]))
            .collect();
        let pair = "Zembrowski Quillfeather";
        let a = |extra: &str| {
            format!(
                "Harbour talks\n\n{pair} and {pair} said {pair} would talk. {}. {extra}\n",
                with_c.join(" ")
            )
        };
        let side = [
            (
                "b.txt",
                format!("Talks\n\n{pair} said {pair} would talk to {pair}.\n"),
            ),
            (
                "c.txt",
                format!("Harbour\n\nThe talks: {}.\n", with_c.join(" ")),
            ),
            (
                "d.txt",
                format!("Other\n\n{pair} met the council about a bridge.\n"),
            ),
            (
                "e.txt",
                format!("Other\n\n{pair} met the council about a bridge.\n"),
            ),
        ];
        c.upsert("a.txt", &a(""), &none);
        for (path, t) in &side {
            c.upsert(path, t, &none);
        }
        g = c.stories_since(None).1;
        let (ia, ib) = (c.doc_id("a.txt"), c.doc_id("b.txt"));
        let one_sided = |c: &Corpus| {
            let (Some(ia), Some(ib)) = (ia, ib) else {
                return false;
            };
            let mut seen = Vec::new();
            !c.rare_candidates(ia, &mut seen).contains(&ib)
                && c.rare_candidates(ib, &mut seen).contains(&ia)
        };
        assert!(one_sided(&c), "B selects A, A does not select B");
        step(
            &mut c,
            &mut g,
            "a.txt",
            a("Quietly."),
            "an article only another selects",
        );
        assert!(one_sided(&c));
        c.upsert("new.txt", &text(4, 9, ""), &none);
        assert!(
            c.regroup(g.clone()).is_none(),
            "a new article: grouped afresh"
        );
        let (afresh, _) = c.stories_since(Some(g));
        assert_eq!(afresh, c.stories());
    }

    /// Inserting or removing many articles at once builds the very index of
    /// doing it one at a time, in order: the same document frequencies, term
    /// counts and postings lists, their order included. The batch replaces
    /// documents, adds one, gives one path twice, and removes documents,
    /// one of them twice and one path that is none.
    #[test]
    fn many_at_once_is_one_at_a_time() {
        let texts = [
            ("a.txt", "Harbour opens\n\nThe new harbour opened on Monday with 40 berths for ferries.\n"),
            ("b.txt", "Ferries return\n\nFerries returned to the harbour, which has 40 berths.\n"),
            ("c.txt", "Council meets\n\nThe council met on Monday to discuss the harbour and its ferries.\n"),
            ("d.txt", "Yachts arrive\n\nYachts arrived at the marina on Tuesday, the council said.\n"),
        ];
        let later = [
            ("b.txt", "Ferries stay away\n\nNo ferries came to the harbour on Tuesday, the council said.\n"),
            ("e.txt", "Market opens\n\nThe market by the harbour opened with 12 stalls.\n"),
            ("a.txt", "Harbour opens late\n\nThe new harbour opened on Tuesday with 45 berths for yachts.\n"),
            ("b.txt", "Ferries return\n\nThe ferries returned on Wednesday to a harbour of 40 berths.\n"),
            ("d.txt", "Yachts arrive\n\nYachts arrived at the marina on Tuesday, the council said.\n"),
        ];
        let over = MetaOverride::default();
        let build = |batch: bool| {
            let mut c = Corpus::new(EngineConfig::default());
            for (p, t) in texts {
                c.upsert(p, t, &over);
            }
            let items = later.iter().map(|(p, t)| {
                let a = Article::parse(p, t, &over);
                let n = TermCounts::of(&a);
                (a, n)
            });
            let ids = if batch {
                c.insert_counted_many(items)
            } else {
                items.map(|(a, n)| c.insert_counted(a, n)).collect()
            };
            let gone = ["c.txt", "e.txt", "c.txt", "nowhere.txt"];
            let removed = if batch {
                c.remove_many(gone)
            } else {
                gone.iter().filter(|p| c.remove(p)).count()
            };
            (c, ids, removed)
        };
        // Entries entered one by one or grouped by term: the same lists
        // (a shared copy of the index keeps its own).
        let mut by_one = build(false).0;
        let mut by_term = by_one.clone();
        let added: Vec<(u32, DocId)> = (0..by_one.index.postings.len() as u32)
            .flat_map(|t| [(t % 7, 40 + t as DocId), (t, 3), (t / 2, 90 + t as DocId)])
            .collect();
        let before = by_one.index.postings.clone();
        by_one.add_postings_by(&added, false);
        by_term.add_postings_by(&added, true);
        assert_eq!(by_one.index.postings, by_term.index.postings);
        assert_ne!(by_one.index.postings, before);
        let mut want = before.clone();
        for (t, d) in added {
            Arc::make_mut(&mut want[t as usize]).push(d);
        }
        assert_eq!(by_term.index.postings, want);
        let (one, ids_one, removed_one) = build(false);
        let (many, ids_many, removed_many) = build(true);
        assert_eq!(ids_one, ids_many);
        assert_eq!((removed_one, removed_many), (2, 2));
        assert_eq!(one.index.df, many.index.df);
        assert_eq!(one.index.tf, many.index.tf);
        assert_eq!(one.index.postings, many.index.postings);
        assert_eq!(one.live, many.live);
        let texts_of = |c: &Corpus| -> Vec<(String, String)> {
            c.docs()
                .map(|(_, a)| (a.path.clone(), a.text.clone()))
                .collect()
        };
        assert_eq!(texts_of(&one), texts_of(&many));
        // And both are what building the end state afresh gives.
        let mut fresh = Corpus::new(EngineConfig::default());
        for (p, t) in [texts[0], texts[1], texts[3]] {
            fresh.upsert(p, t, &over);
        }
        for (p, t) in [later[2], later[3]] {
            fresh.upsert(p, t, &over);
        }
        // (Document ids differ: compared by list length.)
        assert_eq!(stats_by_length(&many), stats_by_length(&fresh));
    }

    #[test]
    fn replacing_a_document_updates_only_what_changed_and_ends_as_a_fresh_build() {
        let a1 = "Harbour opens\n\nThe new harbour opened on Monday with 40 berths for ferries.\n";
        let a2 = "Harbour opens\n\nThe new harbour opened on Tuesday with 45 berths for yachts.\n";
        let b = "Ferries return\n\nFerries returned to the harbour, which has 40 berths.\n";
        let over = MetaOverride::default();
        let mut edited = Corpus::new(EngineConfig::default());
        edited.upsert("a.txt", a1, &over);
        edited.upsert("b.txt", b, &over);
        edited.upsert("a.txt", a2, &over);
        edited.upsert("a.txt", a2, &over);
        let mut fresh = Corpus::new(EngineConfig::default());
        fresh.upsert("a.txt", a2, &over);
        fresh.upsert("b.txt", b, &over);
        assert_eq!(stats(&edited), stats(&fresh));
        assert!(edited.remove("a.txt"));
        let mut only_b = Corpus::new(EngineConfig::default());
        only_b.upsert("b.txt", b, &over);
        assert_eq!(stats_by_length(&edited), stats_by_length(&only_b));
    }
}
