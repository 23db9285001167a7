//! The review marks of a whole corpus, for `corroborate check` and the report:
//! each article's annotations read from the store of its workspace (the
//! nearest ancestor with `.corroborate/`, else with `corroborate.toml` or
//! `.git`, see [`super::store::find_root`]) and anchored once in its text.
//!
//! The rule is the editor's: a claim is hidden when the latest mark on it says
//! `ignored`; the same conflict seen from the other source's claim is hidden
//! only if that claim is ignored too.

use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use crate::core::{ClaimRef, Corpus, DocId};

use super::store::{self, Annotation, Status, Store};

/// One article's marks: where each anchors now (`None`: orphaned).
#[derive(Debug, Clone, Default)]
struct DocMarks {
    anchored: Vec<(Option<Range<usize>>, Annotation)>,
}

/// The marks of every article of a corpus.
#[derive(Debug, Clone, Default)]
pub struct CorpusMarks {
    per_doc: HashMap<DocId, DocMarks>,
    /// Problems met while reading the stores (unreadable file, malformed
    /// lines), one message each, for standard error.
    pub warnings: Vec<String>,
}

impl CorpusMarks {
    /// Read the stores of the corpus's workspaces (each once) and anchor
    /// their annotations in the articles' texts. Never fails: a store that
    /// cannot be read is a warning and no marks.
    pub fn load(corpus: &Corpus) -> CorpusMarks {
        let mut out = CorpusMarks::default();
        // Parent directory → root, root → store (None when unreadable).
        let mut roots: HashMap<PathBuf, PathBuf> = HashMap::new();
        let mut stores: HashMap<PathBuf, Option<Store>> = HashMap::new();
        for (d, a) in corpus.docs() {
            let path = Path::new(&a.path);
            let parent = path.parent().map(Path::to_path_buf).unwrap_or_default();
            let root = roots
                .entry(parent.clone())
                .or_insert_with(|| store::find_root(path))
                .clone();
            let st = stores
                .entry(root.clone())
                .or_insert_with(|| match Store::open(&root) {
                    Ok(s) => {
                        for m in s.malformed() {
                            out.warnings.push(format!(
                                "{} line {} skipped (not an annotation): {}",
                                s.file().display(),
                                m.line,
                                m.error
                            ));
                        }
                        (!s.annotations().is_empty()).then_some(s)
                    }
                    Err(e) => {
                        out.warnings.push(format!(
                            "{e:#}; review marks of {} not used",
                            root.display()
                        ));
                        None
                    }
                });
            let Some(st) = st.as_ref() else {
                continue;
            };
            let marks = st.marks(path, &a.text);
            if marks.anchored.is_empty() {
                continue;
            }
            out.per_doc.insert(
                d,
                DocMarks {
                    anchored: marks
                        .anchored
                        .into_iter()
                        .map(|m| (m.range, m.annotation.clone()))
                        .collect(),
                },
            );
        }
        out
    }

    /// No article has a mark.
    pub fn is_empty(&self) -> bool {
        self.per_doc.is_empty()
    }

    /// The latest mark (in store order) on the claim at `span` of `doc`.
    pub fn status_of(&self, doc: DocId, span: &Range<usize>) -> Option<&Annotation> {
        self.per_doc
            .get(&doc)?
            .anchored
            .iter()
            .rev()
            .find_map(|(r, a)| {
                r.as_ref()
                    .is_some_and(|r| store::overlaps(r, span))
                    .then_some(a)
            })
    }

    /// The latest mark on a claim of the corpus.
    pub fn of_claim(&self, corpus: &Corpus, c: ClaimRef) -> Option<&Annotation> {
        let span = &corpus.article(c.doc())?.claims.get(c.claim())?.span;
        self.status_of(c.doc(), span)
    }

    /// True when the latest mark on the claim says `ignored`.
    pub fn is_ignored(&self, corpus: &Corpus, c: ClaimRef) -> bool {
        self.of_claim(corpus, c)
            .is_some_and(|a| a.status == Status::Ignored)
    }

    /// The marks whose text is gone, with their article.
    pub fn orphaned(&self) -> impl Iterator<Item = (DocId, &Annotation)> {
        self.per_doc.iter().flat_map(|(d, m)| {
            m.anchored
                .iter()
                .filter(|(r, _)| r.is_none())
                .map(move |(_, a)| (*d, a))
        })
    }

    /// How many marks are anchored and how many orphaned.
    pub fn counts(&self) -> (usize, usize) {
        let mut anchored = 0;
        let mut orphaned = 0;
        for m in self.per_doc.values() {
            for (r, _) in &m.anchored {
                if r.is_some() {
                    anchored += 1;
                } else {
                    orphaned += 1;
                }
            }
        }
        (anchored, orphaned)
    }
}
