//! The corpus: every article of the workspace, an inverted index of their
//! terms, and the grouping of articles into stories. Updating one document
//! re-parses only that document and touches only its index entries.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use super::article::MetaOverride;
use super::claim::Article;
use super::compare::{self, Relation, StoryIndex};

pub type DocId = usize;

/// Identifies one claim of one document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ClaimRef {
    pub doc: DocId,
    pub claim: usize,
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
        EngineConfig { story_threshold: 0.2, statement_threshold: 0.3, typed_threshold: 0.2 }
    }
}

#[derive(Default)]
pub struct Corpus {
    pub config: EngineConfig,
    docs: Vec<Option<Arc<Article>>>,
    by_path: HashMap<String, DocId>,
    /// Document frequency of each term (terms counted once per document).
    df: HashMap<String, u32>,
    /// term → documents containing it.
    postings: HashMap<String, Vec<DocId>>,
    /// Per document: term → count.
    tf: Vec<HashMap<String, u32>>,
    live: usize,
}

impl Corpus {
    pub fn new(config: EngineConfig) -> Self {
        Corpus { config, ..Default::default() }
    }

    /// Parse `text` as the article at `path` and add or replace it.
    pub fn upsert(&mut self, path: &str, text: &str, overrides: &MetaOverride) -> DocId {
        self.insert(Article::parse(path, text, overrides))
    }

    /// Add or replace an already parsed article (parse in parallel, insert in order).
    pub fn insert(&mut self, article: Article) -> DocId {
        let id = match self.by_path.get(&article.path) {
            Some(&id) => {
                self.unindex(id);
                id
            }
            None => {
                self.docs.push(None);
                self.tf.push(HashMap::new());
                let id = self.docs.len() - 1;
                self.by_path.insert(article.path.clone(), id);
                id
            }
        };
        let mut tf: HashMap<String, u32> = HashMap::new();
        for s in &article.sentences {
            for t in &s.terms {
                *tf.entry(t.clone()).or_default() += 1;
            }
        }
        for t in tf.keys() {
            *self.df.entry(t.clone()).or_default() += 1;
            self.postings.entry(t.clone()).or_default().push(id);
        }
        self.tf[id] = tf;
        self.docs[id] = Some(Arc::new(article));
        self.live += 1;
        id
    }

    fn unindex(&mut self, id: DocId) {
        if self.docs.get(id).and_then(|d| d.as_ref()).is_none() {
            return;
        }
        let tf = std::mem::take(&mut self.tf[id]);
        for t in tf.keys() {
            if let Some(n) = self.df.get_mut(t) {
                *n = n.saturating_sub(1);
                if *n == 0 {
                    self.df.remove(t);
                }
            }
            if let Some(p) = self.postings.get_mut(t) {
                p.retain(|&d| d != id);
                if p.is_empty() {
                    self.postings.remove(t);
                }
            }
        }
        self.docs[id] = None;
        self.live -= 1;
    }

    pub fn remove(&mut self, path: &str) -> bool {
        match self.by_path.get(path).copied() {
            Some(id) if self.docs[id].is_some() => {
                self.unindex(id);
                true
            }
            _ => false,
        }
    }

    pub fn doc_id(&self, path: &str) -> Option<DocId> {
        self.by_path.get(path).copied().filter(|&id| self.docs[id].is_some())
    }

    pub fn article(&self, id: DocId) -> Option<&Arc<Article>> {
        self.docs.get(id).and_then(|d| d.as_ref())
    }

    pub fn docs(&self) -> impl Iterator<Item = (DocId, &Arc<Article>)> {
        self.docs.iter().enumerate().filter_map(|(i, d)| d.as_ref().map(|a| (i, a)))
    }

    pub fn len(&self) -> usize {
        self.live
    }

    pub fn is_empty(&self) -> bool {
        self.live == 0
    }

    fn idf(&self, term: &str) -> f32 {
        let df = self.df.get(term).copied().unwrap_or(0) as f32;
        (1.0 + (self.live as f32 + 1.0) / (df + 1.0)).ln()
    }

    fn weight(&self, term: &str, n: u32) -> f32 {
        (1.0 + (n as f32).ln()) * self.idf(term)
    }

    fn norm(&self, id: DocId) -> f32 {
        self.tf
            .get(id)
            .map(|tf| tf.iter().map(|(t, &n)| self.weight(t, n).powi(2)).sum::<f32>().sqrt())
            .unwrap_or(0.0)
    }

    /// A term rare enough to identify a story: used by a handful of documents.
    fn rare_limit(&self) -> u32 {
        (self.live as u32 / 50).max(20)
    }

    /// Documents whose TF-IDF cosine with `id` reaches the story threshold and
    /// that share at least two rare terms with it (coverage of one story shares
    /// its names; unrelated stories share only the language of news).
    /// Candidates come from the postings of the document's rare terms only.
    pub fn neighbours(&self, id: DocId) -> Vec<DocId> {
        self.neighbours_with(id, &|d| self.norm(d))
    }

    fn neighbours_with(&self, id: DocId, norm: &dyn Fn(DocId) -> f32) -> Vec<DocId> {
        let Some(tf) = self.tf.get(id) else { return Vec::new() };
        let na = norm(id);
        if na == 0.0 {
            return Vec::new();
        }
        let limit = self.rare_limit();
        let mut shared_rare: HashMap<DocId, u32> = HashMap::new();
        for t in tf.keys() {
            match self.postings.get(t) {
                Some(p) if p.len() as u32 <= limit => {
                    for &d in p.iter().filter(|&&d| d != id) {
                        *shared_rare.entry(d).or_default() += 1;
                    }
                }
                _ => {}
            }
        }
        let published = self.article(id).and_then(|a| a.meta.published);
        let mut out: Vec<DocId> = shared_rare
            .into_iter()
            .filter(|&(_, n)| n >= 2)
            .map(|(d, _)| d)
            .filter(|&d| {
                // Coverage of one story is published within weeks, not months.
                if let (Some(p), Some(q)) = (published, self.article(d).and_then(|a| a.meta.published)) {
                    if (p - q).get_days().abs() > 45 {
                        return false;
                    }
                }
                let Some(other) = self.tf.get(d) else { return false };
                let nb = norm(d);
                if nb == 0.0 {
                    return false;
                }
                let dot: f32 = tf
                    .iter()
                    .filter_map(|(t, &n)| other.get(t).map(|&m| self.weight(t, n) * self.weight(t, m)))
                    .sum();
                dot / (na * nb) >= self.config.story_threshold
            })
            .collect();
        out.sort_unstable();
        out
    }

    /// The story of a document: the connected component of the neighbour graph.
    pub fn story_of(&self, id: DocId) -> Vec<DocId> {
        let mut seen: HashSet<DocId> = HashSet::from([id]);
        let mut stack = vec![id];
        while let Some(d) = stack.pop() {
            for n in self.neighbours(d) {
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
    pub fn stories(&self) -> Vec<Vec<DocId>> {
        use rayon::prelude::*;
        let norms: Vec<f32> = (0..self.docs.len()).into_par_iter().map(|d| self.norm(d)).collect();
        let norm = |d: DocId| norms.get(d).copied().unwrap_or(0.0);
        let ids: Vec<DocId> = self.docs().map(|(d, _)| d).collect();
        let edges: Vec<(DocId, Vec<DocId>)> = ids.par_iter().map(|&d| (d, self.neighbours_with(d, &norm))).collect();
        let mut parent: Vec<DocId> = (0..self.docs.len()).collect();
        fn find(p: &mut [DocId], mut x: DocId) -> DocId {
            while p[x] != x {
                p[x] = p[p[x]];
                x = p[x];
            }
            x
        }
        for (d, ns) in &edges {
            for &n in ns {
                let (a, b) = (find(&mut parent, *d), find(&mut parent, n));
                if a != b {
                    parent[a.max(b)] = a.min(b);
                }
            }
        }
        let mut groups: HashMap<DocId, Vec<DocId>> = HashMap::new();
        for &d in &ids {
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

    fn story_index(&self, story: &[DocId]) -> StoryIndex {
        let arts: Vec<(DocId, Arc<Article>)> = story
            .iter()
            .filter_map(|&d| self.article(d).map(|a| (d, a.clone())))
            .collect();
        StoryIndex::new(arts, self.config.clone())
    }

    /// Relations between claims of `id` and claims of other documents of its story.
    pub fn relations_for(&self, id: DocId) -> Vec<Relation> {
        if self.article(id).is_none() {
            return Vec::new();
        }
        let story = self.story_of(id);
        let idx = self.story_index(&story);
        compare::relations(&idx, Some(id))
    }

    /// Every relation in the corpus, story by story.
    pub fn all_relations(&self) -> Vec<(usize, Vec<Relation>)> {
        use rayon::prelude::*;
        let stories = self.stories();
        stories
            .par_iter()
            .enumerate()
            .map(|(i, s)| {
                let idx = self.story_index(s);
                (i, compare::relations(&idx, None))
            })
            .collect()
    }
}
