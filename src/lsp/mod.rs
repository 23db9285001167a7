//! `corroborate lsp`: the language server.
//!
//! One `State` behind a `std::sync::Mutex` owns the corpus and the open
//! documents. The lock is never held across an `.await`: notification
//! handlers apply edits synchronously (so edits are applied in arrival order),
//! and analysis runs on the blocking pool. Every edit bumps the document's
//! generation; an analysis publishes only if the generation it was computed
//! for is still current, so stale results never overwrite newer ones.

pub mod config;
pub mod position;
pub mod render;
mod transport;
mod views;

use crate::cli::cache::{ArticleKeys, Cache};
use crate::core::corpus::TermCounts;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use ropey::Rope;
use serde_json::Value;
use tower_lsp_server::jsonrpc::{Error, ErrorCode, Result};
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, LanguageServer, LspService};

use self::config::Settings;
use self::position::Encoding;
use crate::core::{Article, Corpus, DocId, EngineConfig, Fact, Relation, RelationKind};
use crate::review;

const IGNORE_COMMAND: &str = "corroborate.ignore";
const VERIFY_COMMAND: &str = "corroborate.verify";
const DISPUTE_COMMAND: &str = "corroborate.dispute";
const CLEAR_COMMAND: &str = "corroborate.clearMark";
const REMOVE_ORPHAN_COMMAND: &str = "corroborate.removeOrphanedMark";
const WORDING_COMMAND: &str = "corroborate.useWording";
const ATTRIBUTE_COMMAND: &str = "corroborate.addAttribution";
const CONFIG_FILE: &str = "corroborate.toml";

/// An open document: the editor's text wins over the file on disk.
struct Doc {
    uri: Uri,
    rope: Rope,
    version: i32,
    /// Bumped on every change; analyses carry the generation they saw.
    gen: u64,
    /// The open documents of its story when it was last re-checked: after
    /// an edit that takes it out of that story they are re-checked too.
    peers: Vec<String>,
    /// Over `files.max_bytes` when last opened or changed (said once).
    too_big: bool,
    /// The generation last brought into the corpus: an open document whose
    /// edits are still waiting for their debounce is brought in before any
    /// other document of its story is checked against it.
    synced: Option<u64>,
}

struct State {
    corpus: Corpus,
    /// Open documents by corpus path.
    docs: HashMap<String, Doc>,
    roots: Vec<PathBuf>,
    settings: Settings,
    /// Settings from the client, applied over the config file.
    client_settings: Option<Value>,
    enc: Encoding,
    /// Bumped whenever any document of the corpus changes.
    corpus_gen: u64,
    /// Relations and story per document, valid for `corpus_gen`.
    cache: HashMap<DocId, Related>,
    /// The whole-corpus analysis (workspace symbols), valid for `corpus_gen`.
    analysis: Option<(u64, Arc<crate::core::analysis::Analysis>)>,
    /// The stamps ([`Corpus::stamp`]) of the documents of each story of
    /// `analysis`, parallel to its stories: the next analysis takes the
    /// relations of a story whose documents all kept theirs from it.
    analysis_stamps: Vec<Vec<(DocId, u64)>>,
    /// What grouping the corpus into stories for `analysis` left for the
    /// next grouping ([`Corpus::stories_since`]): after an edit, only the
    /// links of the documents it can have changed are made again.
    grouping: Option<crate::core::corpus::Grouping>,
    /// How many stories the last analysis took from the one before: their
    /// relations, and of those how many their facts too.
    analysis_reused: usize,
    analysis_facts_reused: usize,
    /// The review store (`.corroborate/annotations.jsonl`) of each root.
    reviews: Vec<review::store::Store>,
    /// The client takes versioned edits (`workspaceEdit.documentChanges`).
    document_changes: bool,
    /// Diagnostics to publish, in the order they were computed. Results are
    /// queued while the state is locked, so a result for an older version
    /// is always queued (and sent) before any result for a newer one.
    publisher: Option<tokio::sync::mpsc::UnboundedSender<Publish>>,
    /// Line indexes of the articles, valid for `corpus_gen`.
    lines: render::LineCache,
    /// `shutdown` was received (an `exit` without it ends with code 1).
    shut_down: bool,
    /// Reads of files from disk, numbered as they are asked for: the number
    /// of the last one asked for each path ([`State::disk_turn`]). A file is
    /// read outside the lock, so two changes of one file can be read at
    /// once: only the later one's text is taken in.
    disk_turns: HashMap<String, u64>,
    /// The number of the last read asked for.
    last_turn: u64,
    /// What the hovers of the open documents need, for hovers sent while
    /// the state is busy (shared with the server, which reads it unlocked).
    views: Arc<views::Views>,
    /// The on-disk cache (`check`'s), when on: the workspace analysis takes
    /// the relations of the stories it holds from it.
    disk_cache: Option<Arc<Cache>>,
    /// The cache keys of the documents taken in from disk as they are there
    /// (read, not an editor's buffer, and without overrides): a story of
    /// such documents only is looked up in the cache by their keys, as
    /// `check` looks it up ([`Cache::story_relations`]), so that reopening
    /// a workspace does not compare its stories again.
    article_keys: HashMap<DocId, ArticleKeys>,
}

/// A document's story and relations, for one corpus generation.
struct Related {
    gen: u64,
    story: Arc<Vec<DocId>>,
    rels: Arc<Vec<Relation>>,
}

/// One `textDocument/publishDiagnostics`.
struct Publish {
    uri: Uri,
    diagnostics: Vec<Diagnostic>,
    version: Option<i32>,
}

impl State {
    fn new() -> Self {
        State {
            corpus: Corpus::new(EngineConfig::default()),
            docs: HashMap::new(),
            roots: Vec::new(),
            settings: Settings::default(),
            client_settings: None,
            enc: Encoding::Utf16,
            corpus_gen: 0,
            cache: HashMap::new(),
            analysis: None,
            analysis_stamps: Vec::new(),
            grouping: None,
            analysis_reused: 0,
            analysis_facts_reused: 0,
            reviews: Vec::new(),
            document_changes: false,
            publisher: None,
            lines: render::LineCache::default(),
            shut_down: false,
            disk_turns: HashMap::new(),
            last_turn: 0,
            views: Arc::new(views::Views::default()),
            disk_cache: None,
            article_keys: HashMap::new(),
        }
    }

    /// Numbers a read (or removal) of `path` from disk, after every one
    /// asked for before it: whatever an earlier one finds is stale once
    /// this one is asked for.
    fn disk_turn(&mut self, path: &str) -> u64 {
        self.last_turn += 1;
        self.disk_turns.insert(path.to_string(), self.last_turn);
        self.last_turn
    }

    /// No read of `path` was asked for after turn `turn`.
    fn is_latest_read(&self, path: &str, turn: u64) -> bool {
        self.disk_turns.get(path).is_none_or(|&t| t <= turn)
    }

    /// Position conversions for the articles of the corpus as it is now.
    fn spans(&self) -> render::Spans<'_> {
        render::Spans {
            corpus: &self.corpus,
            enc: self.enc,
            cache: &self.lines,
            gen: self.corpus_gen,
        }
    }

    /// The whole-corpus analysis, from the cache when nothing changed
    /// since; made under the state (the server makes it away from it:
    /// `symbol`).
    #[cfg(test)]
    fn analysis(&mut self) -> Arc<crate::core::analysis::Analysis> {
        match self.analysis_or_job() {
            Ok(a) => a,
            Err(job) => {
                let done = job.run();
                self.install_analysis(done)
            }
        }
    }

    /// The whole-corpus analysis when nothing changed since it was made,
    /// else what making it needs, taken from the state: a copy of the
    /// corpus (its articles and term index shared, not copied: an edit
    /// meanwhile copies the index, [`Corpus`]), and the analysis before
    /// with its stamps, so that only the stories that changed are compared
    /// again (after a keystroke, the edited document's: on 10,000 articles,
    /// grouping them into stories takes about 100 ms, and comparing every
    /// story over a second). The job groups and compares without the state
    /// ([`AnalysisJob::run`]), and [`State::install_analysis`] keeps its
    /// result.
    fn analysis_or_job(
        &mut self,
    ) -> std::result::Result<Arc<crate::core::analysis::Analysis>, Box<AnalysisJob>> {
        if let Some((g, a)) = &self.analysis {
            if *g == self.corpus_gen {
                return Ok(a.clone());
            }
        }
        let corpus = self.corpus.clone();
        // The analysis before is moved into the job (its relations are moved
        // out of it there, not copied: less memory at the peak). A query
        // that comes while the job runs starts from nothing.
        Err(Box::new(AnalysisJob {
            gen: self.corpus_gen,
            corpus,
            before: self.analysis.take().map(|(_, a)| a),
            before_stamps: std::mem::take(&mut self.analysis_stamps),
            grouping: self.grouping.take(),
            disk_cache: self.disk_cache.clone(),
            article_keys: self.article_keys.clone(),
        }))
    }

    /// Keeps a finished analysis unless a newer one was kept meanwhile;
    /// returns it either way (it is the corpus of its job's).
    fn install_analysis(&mut self, done: AnalysisDone) -> Arc<crate::core::analysis::Analysis> {
        let AnalysisDone {
            gen,
            analysis,
            stamps,
            reused,
            facts_reused,
            grouping,
            ..
        } = done;
        let newer = self.analysis.as_ref().is_some_and(|(g, _)| *g >= gen);
        if !newer {
            self.analysis_reused = reused;
            self.analysis_facts_reused = facts_reused;
            self.analysis_stamps = stamps;
            self.grouping = Some(grouping);
            self.analysis = Some((gen, analysis.clone()));
        }
        analysis
    }

    /// The open documents in the same story as `path` (`path` included when open).
    fn open_peers(&self, path: &str) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        if self.docs.contains_key(path) {
            out.push(path.to_string());
        }
        if self.docs.keys().all(|p| p == path) {
            return out; // no other open document: no story to look up
        }
        let Some(id) = self.corpus.doc_id(path) else {
            return out;
        };
        let story = self.corpus.story_of(id);
        for p in self.docs.keys() {
            if p != path && self.corpus.doc_id(p).is_some_and(|d| story.contains(&d)) {
                out.push(p.clone());
            }
        }
        out
    }

    /// Bring `path` up to date and list the open documents it touches: those
    /// of its story before the change and when it was last re-checked (a
    /// conflict may have gone with the change), and now (one may have come).
    fn touched_by(&mut self, path: &str) -> Vec<String> {
        self.sync_open(Some(path));
        let mut out = self.open_peers(path);
        self.sync_doc(path);
        let now = self.open_peers(path);
        // Each peer remembers this document, and this one its peers.
        for p in &now {
            if let Some(d) = self.docs.get_mut(p) {
                if !d.peers.iter().any(|x| x == path) {
                    d.peers.push(path.to_string());
                }
            }
        }
        let before = match self.docs.get_mut(path) {
            Some(d) => std::mem::replace(&mut d.peers, now.clone()),
            None => Vec::new(),
        };
        for p in now.into_iter().chain(before) {
            if !out.contains(&p) {
                out.push(p);
            }
        }
        out
    }

    /// Queue diagnostics for publication (or hand them back when there is
    /// no publisher yet).
    fn publish(&self, p: Publish) -> Option<Publish> {
        match &self.publisher {
            Some(tx) => tx.send(p).err().map(|e| e.0),
            None => Some(p),
        }
    }

    /// Compute and queue the diagnostics of the given open documents; what
    /// could not be queued is handed back.
    fn publish_for(&mut self, paths: &[String]) -> Vec<Publish> {
        self.sync_open(None);
        let mut unsent = Vec::new();
        for p in paths {
            if let Some((uri, diagnostics, version, _)) = self.diagnostics(p) {
                unsent.extend(self.publish(Publish {
                    uri,
                    diagnostics,
                    version: Some(version),
                }));
            }
        }
        unsent
    }

    fn root_of(&self, path: &str) -> Option<&Path> {
        self.roots
            .iter()
            .map(PathBuf::as_path)
            .find(|r| Path::new(path).starts_with(r))
    }

    fn upsert(&mut self, path: &str, text: &str) -> DocId {
        let over = self.settings.override_for(self.root_of(path), path);
        // The text read from disk, as an editor opens it: its cache keys
        // (kept only for an article without overrides) still hold; any
        // other text is not what the cache's entries are keyed by. (Compared
        // only while there are keys: not at every keystroke.)
        let same = over == crate::core::MetaOverride::default()
            && self.corpus.doc_id(path).is_some_and(|id| {
                self.article_keys.contains_key(&id)
                    && self.corpus.article(id).is_some_and(|a| a.text == text)
            });
        let id = self.corpus.upsert(path, text, &over);
        if !same {
            self.article_keys.remove(&id);
        }
        self.corpus_gen += 1;
        id
    }

    /// The settings or the review marks changed: every document's
    /// relations and diagnostics are made again, and no view made before
    /// answers a hover ([`views`]).
    fn everything_changed(&mut self) {
        self.corpus_gen += 1;
        self.views.bump();
    }

    fn remove(&mut self, path: &str) {
        self.remove_many(&[path]);
    }

    /// Removes the documents at these paths, with one pass over the
    /// corpus's index ([`Corpus::remove_many`]).
    fn remove_many<P: AsRef<str>>(&mut self, paths: &[P]) {
        // Their cached relations go with them (documents come and go by the
        // thousand in a long session: the cache must not keep them all).
        for p in paths {
            if let Some(id) = self.corpus.doc_id(p.as_ref()) {
                self.cache.remove(&id);
                self.article_keys.remove(&id);
            }
        }
        if self.corpus.remove_many(paths.iter().map(AsRef::as_ref)) > 0 {
            self.corpus_gen += 1;
        }
    }

    /// Relations of `doc`, from the cache when nothing changed since.
    fn relations(&mut self, doc: DocId) -> Arc<Vec<Relation>> {
        self.story_and_relations(doc).1
    }

    /// The documents of `doc`'s story and its relations, from the cache
    /// when nothing changed since.
    fn story_and_relations(&mut self, doc: DocId) -> (Arc<Vec<DocId>>, Arc<Vec<Relation>>) {
        self.sync_open(None);
        if let Some(r) = self.cache.get(&doc) {
            if r.gen == self.corpus_gen {
                return (r.story.clone(), r.rels.clone());
            }
        }
        let (story, rels) = self.corpus.story_and_relations_for(doc);
        let (story, rels) = (Arc::new(story), Arc::new(rels));
        self.cache.insert(
            doc,
            Related {
                gen: self.corpus_gen,
                story: story.clone(),
                rels: rels.clone(),
            },
        );
        (story, rels)
    }

    /// True when `path` is open and over `files.max_bytes`: its edits are
    /// applied to its text, but it is not analysed.
    fn skipped(&self, path: &str) -> bool {
        self.docs
            .get(path)
            .is_some_and(|d| d.rope.len_bytes() as u64 > self.settings.files.max_bytes)
    }

    /// Make the corpus hold the open document's current text (none for a
    /// document over the size limit: not even an older version of it).
    fn sync_doc(&mut self, path: &str) -> Option<DocId> {
        let gen = self.docs.get(path)?.gen;
        if let Some(d) = self.docs.get_mut(path) {
            d.synced = Some(gen);
        }
        if self.skipped(path) {
            self.remove(path);
            return None;
        }
        let text = self.docs.get(path)?.rope.to_string();
        let fresh = self
            .corpus
            .doc_id(path)
            .and_then(|d| self.corpus.article(d))
            .is_some_and(|a| a.text == text);
        if fresh {
            return self.corpus.doc_id(path);
        }
        Some(self.upsert(path, &text))
    }

    /// Bring every open document but `except` up to date in the corpus (an
    /// unsaved buffer always wins over the disk, even before its own
    /// debounced re-check has run).
    fn sync_open(&mut self, except: Option<&str>) {
        let stale: Vec<String> = self
            .docs
            .iter()
            .filter(|(p, d)| d.synced != Some(d.gen) && Some(p.as_str()) != except)
            .map(|(p, _)| p.clone())
            .collect();
        for p in stale {
            self.sync_doc(&p);
        }
    }

    /// The review store of the root holding `path` (the innermost root).
    fn review_for(&self, path: &str) -> Option<&review::store::Store> {
        self.review_index(path).and_then(|i| self.reviews.get(i))
    }

    /// Which review store holds `path`: the innermost root containing it.
    /// Stores keep their root resolved (symlinks followed), so the path is
    /// resolved too before it is compared.
    fn review_index(&self, path: &str) -> Option<usize> {
        let real = resolved(Path::new(path));
        self.reviews
            .iter()
            .enumerate()
            .filter(|(_, st)| real.starts_with(st.root()))
            .max_by_key(|(_, st)| st.root().as_os_str().len())
            .map(|(i, _)| i)
    }

    /// A review store for every root (opened from disk), none for roots
    /// that are gone.
    fn open_reviews(&mut self) {
        let roots = self.roots.clone();
        let real: Vec<PathBuf> = roots.iter().map(|r| resolved(r.as_path())).collect();
        self.reviews
            .retain(|st| real.iter().any(|r| st.root() == r.as_path()));
        for (r, rr) in roots.iter().zip(&real) {
            if !self.reviews.iter().any(|st| st.root() == rr.as_path()) {
                self.reviews.push(
                    review::store::Store::open(r)
                        .unwrap_or_else(|_| review::store::Store::empty(r)),
                );
            }
        }
    }

    fn review_note(&self, path: &str, text: &str, span: &std::ops::Range<usize>) -> Option<String> {
        let store = self.review_for(path)?;
        store
            .status_of(Path::new(path), text, span)
            .map(|a| a.summary())
    }

    /// The hover at `pos` of `path` (open, or an article of the corpus);
    /// `Err` for a document the server does not know.
    fn hover_at(&mut self, path: &str, pos: Position) -> std::result::Result<Option<Hover>, ()> {
        let doc = match self.docs.contains_key(path) {
            true => self.sync_doc(path),
            false => self.corpus.doc_id(path).ok_or(())?.into(),
        };
        let Some(doc) = doc else {
            return Ok(None); // an open document over the size limit
        };
        let (story, rels) = self.story_and_relations(doc);
        let Some(art) = self.corpus.article(doc).cloned() else {
            return Ok(None);
        };
        let off = self.spans().offset(doc, pos);
        let card = views::hover_card(&self.corpus, &story, doc, &art, &rels, off, |_, span| {
            self.review_note(path, &art.text, span)
        });
        Ok(card.map(|(md, span)| views::markdown_hover(md, self.spans().range(doc, span))))
    }

    /// Keeps what the hovers of open document `path` need now
    /// ([`views::HoverView`]).
    fn keep_view(
        &self,
        path: &str,
        doc: DocId,
        art: &Arc<Article>,
        story: &Arc<Vec<DocId>>,
        rels: &Arc<Vec<Relation>>,
        marks: Option<&review::store::FileMarks>,
    ) {
        // Notes only where a hover can show one: a claim with relations.
        let notes = marks.map_or_else(BTreeMap::new, |m| {
            render::by_claim(doc, rels)
                .keys()
                .filter_map(|&ci| {
                    let span = &art.claims.get(ci)?.span;
                    Some((ci, m.status_of(span)?.summary()))
                })
                .collect()
        });
        // The relations are found within the story
        // ([`Corpus::story_and_relations_for`]): its articles are all that
        // the card quotes.
        let articles = story
            .iter()
            .filter_map(|&d| Some((d, self.corpus.article(d)?.clone())))
            .collect();
        self.views.put(
            path,
            views::HoverView {
                count: self.views.count(),
                doc,
                art: art.clone(),
                rels: rels.clone(),
                story: story.clone(),
                articles,
                notes,
                lines: self.lines.index(self.corpus_gen, doc, &art.text),
                enc: self.enc,
            },
        );
    }

    /// Diagnostics of an open document, with its version.
    fn diagnostics(&mut self, path: &str) -> Option<(Uri, Vec<Diagnostic>, i32, u64)> {
        if self.skipped(path) {
            self.remove(path);
            let d = self.docs.get(path)?;
            return Some((d.uri.clone(), Vec::new(), d.version, d.gen));
        }
        let doc = self.sync_doc(path)?;
        let (story, rels) = self.story_and_relations(doc);
        let art = self.corpus.article(doc)?.clone();
        // The latest mark on a claim wins: an ignore followed by a
        // verification shows the claim again.
        let marks = self
            .review_for(path)
            .map(|st| st.marks(Path::new(path), &art.text));
        self.keep_view(path, doc, &art, &story, &rels, marks.as_ref());
        let is_ignored =
            |span: &std::ops::Range<usize>| marks.as_ref().is_some_and(|m| m.is_ignored(span));
        let mut diags = render::diagnostics(
            &self.corpus,
            doc,
            &rels,
            &self.settings,
            &self.spans(),
            &is_ignored,
        );
        // Marks whose text is gone stay in the store; the reviewer sees them
        // where their text was, until they clear or re-mark them.
        if let Some(m) = &marks {
            for o in m.orphaned() {
                let span = orphan_span(&art.text, &o.annotation.selector);
                diags.push(Diagnostic {
                    range: self.spans().range(doc, span),
                    severity: Some(DiagnosticSeverity::INFORMATION),
                    code: Some(NumberOrString::String(ORPHANED_CODE.into())),
                    source: Some("corroborate".into()),
                    message: format!(
                        "review mark orphaned (its text is gone): '{}' ({})",
                        render::short(&o.annotation.selector.exact, 80),
                        o.annotation.summary()
                    ),
                    ..Default::default()
                });
            }
        }
        let d = self.docs.get(path)?;
        Some((d.uri.clone(), diags, d.version, d.gen))
    }
}

#[derive(Clone)]
pub struct Backend {
    client: Client,
    state: Arc<Mutex<State>>,
    /// Held while a workspace analysis is made away from the state
    /// ([`State::analysis_or_job`]): a query that comes meanwhile waits for
    /// it, then finds it made, instead of making another beside it.
    analysis_gate: Arc<tokio::sync::Mutex<()>>,
    /// The state's views ([`views`]), read without its lock.
    views: Arc<views::Views>,
}

fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    // A panic while holding the lock leaves the state usable: the corpus is
    // only ever changed by whole-document replacement.
    state
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn path_of(uri: &Uri) -> String {
    match uri.to_file_path() {
        Some(p) => p.to_string_lossy().into_owned(),
        None => uri.as_str().to_string(),
    }
}

/// The `code` of the diagnostic that shows a review mark whose text is gone.
const ORPHANED_CODE: &str = "orphaned-mark";

/// Where an orphaned mark is shown: from its old start (kept inside the
/// text, on a character boundary) to the end of its old quote or of that
/// line, whichever comes first.
fn orphan_span(text: &str, sel: &review::Selector) -> std::ops::Range<usize> {
    let floor = |mut i: usize| {
        i = i.min(text.len());
        while i > 0 && !text.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let start = floor(sel.start);
    let line_end = text
        .get(start..)
        .and_then(|rest| rest.find('\n'))
        .map_or(text.len(), |i| start + i);
    let end = floor(sel.start.saturating_add(sel.exact.len()).min(line_end));
    start..end.max(start)
}

/// `p` with symlinks resolved (as the review stores hold their roots), or
/// as it is when it cannot be (an unsaved buffer, a file deleted meanwhile:
/// then its folder is resolved).
fn resolved(p: &Path) -> PathBuf {
    if let Ok(r) = std::fs::canonicalize(p) {
        return r;
    }
    match (p.parent(), p.file_name()) {
        (Some(dir), Some(name)) => std::fs::canonicalize(dir)
            .map(|d| d.join(name))
            .unwrap_or_else(|_| p.to_path_buf()),
        _ => p.to_path_buf(),
    }
}

/// Whether indexing takes the file at `rel` (relative to its root): not
/// under a hidden folder, `node_modules` or `target`, and matched by a glob.
fn indexed_file(rel: &Path, set: Option<&globset::GlobSet>) -> bool {
    !rel.components().any(|c| excluded_name(c.as_os_str())) && set.is_some_and(|s| s.is_match(rel))
}

/// A folder (or file) name indexing never enters: hidden, `node_modules`, `target`.
fn excluded_name(name: &std::ffi::OsStr) -> bool {
    let c = name.to_string_lossy();
    c.starts_with('.') || c == "node_modules" || c == "target"
}

/// The article files under the roots, and a line for each entry skipped
/// on the way: symbolic links (not followed: no loops, no article read
/// twice) that look like articles or lead to a folder or nowhere, and
/// folders that cannot be read. Excluded folders are not entered.
fn list_articles(
    roots: &[PathBuf],
    set: Option<&globset::GlobSet>,
) -> (Vec<PathBuf>, Vec<(MessageType, String)>) {
    let mut files = Vec::new();
    let mut notes = Vec::new();
    for r in roots {
        let walk = walkdir::WalkDir::new(r)
            .follow_links(false)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| e.depth() == 0 || !excluded_name(e.file_name()));
        for e in walk {
            let e = match e {
                Ok(e) => e,
                Err(err) => {
                    let at = err.path().unwrap_or(r).display().to_string();
                    let why = match err.io_error() {
                        Some(io) if io.kind() == std::io::ErrorKind::PermissionDenied => {
                            "permission denied".to_string()
                        }
                        Some(io) => io.to_string(),
                        None => err.to_string(),
                    };
                    notes.push((MessageType::WARNING, format!("{at}: skipped: {why}")));
                    continue;
                }
            };
            let rel = e.path().strip_prefix(r).unwrap_or(e.path());
            if e.file_type().is_file() {
                if indexed_file(rel, set) {
                    files.push(e.into_path());
                }
            } else if e.path_is_symlink() {
                let target = std::fs::metadata(e.path());
                let why = match &target {
                    Ok(m) if m.is_dir() => "a symbolic link to a folder, not followed",
                    Ok(_) if indexed_file(rel, set) => "a symbolic link, not followed",
                    Ok(_) => continue, // a link to a file that is not an article
                    Err(_) => "a symbolic link that leads nowhere (broken or a loop)",
                };
                notes.push((
                    MessageType::INFO,
                    format!("{}: skipped: {why}", e.path().display()),
                ));
            }
        }
    }
    (files, notes)
}

/// Whether a watched file is an article, by the same rule as indexing: its
/// path relative to the (innermost) root that holds it. A file outside
/// every root is matched by its absolute path or its name. `set` is the
/// settings' `files.globs`, compiled (`None` when they do not compile: then
/// any `.txt` or `.md` file is an article).
fn is_article(path: &str, roots: &[PathBuf], set: Option<&globset::GlobSet>) -> bool {
    let Some(set) = set else {
        return path.ends_with(".txt") || path.ends_with(".md");
    };
    let p = Path::new(path);
    let root = roots
        .iter()
        .filter(|r| p.starts_with(r))
        .max_by_key(|r| r.as_os_str().len());
    match root.and_then(|r| p.strip_prefix(r).ok()) {
        Some(rel) => indexed_file(rel, Some(set)),
        None => set.is_match(p) || p.file_name().is_some_and(|f| set.is_match(f)),
    }
}

fn globset(globs: &[String]) -> std::result::Result<globset::GlobSet, globset::Error> {
    let mut b = globset::GlobSetBuilder::new();
    for g in globs {
        b.add(globset::Glob::new(g)?);
    }
    b.build()
}

/// Run `f` on the blocking pool with the state locked; a panic in the
/// analysis is caught and logged, and the server keeps serving.
async fn with_state<T: Send + 'static>(
    state: &Arc<Mutex<State>>,
    f: impl FnOnce(&mut State) -> T + Send + 'static,
) -> std::result::Result<T, String> {
    let state = state.clone();
    blocking(move || f(&mut lock(&state))).await
}

/// Runs `f` on a blocking thread; a panic in it is an error (its message).
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> std::result::Result<T, String> {
    let res = tokio::task::spawn_blocking(move || {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(f))
    })
    .await;
    match res {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(p)) => Err(p
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| p.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "analysis panicked".into())),
        Err(e) => Err(e.to_string()),
    }
}

fn internal(e: String) -> Error {
    Error {
        code: ErrorCode::InternalError,
        message: e.into(),
        data: None,
    }
}

fn unknown_document(uri: &Uri) -> Error {
    Error::invalid_params(format!("unknown document {}: open it first", uri.as_str()))
}

impl Backend {
    /// Re-check the given open documents (all when `None`) and publish.
    async fn refresh(&self, only: Option<Vec<String>>) {
        let res = with_state(&self.state, move |s| {
            let paths: Vec<String> = match only {
                Some(p) => p,
                None => s.docs.keys().cloned().collect(),
            };
            s.publish_for(&paths)
        })
        .await;
        self.after_publish(res).await;
    }

    /// Re-check `path` after a change, and the open documents it touches.
    async fn refresh_touched(&self, path: String) {
        let res = with_state(&self.state, move |s| {
            let paths = s.touched_by(&path);
            s.publish_for(&paths)
        })
        .await;
        self.after_publish(res).await;
    }

    async fn after_publish(&self, res: std::result::Result<Vec<Publish>, String>) {
        match res {
            Ok(unsent) => {
                // No publisher (before `initialize`): publish directly.
                for p in unsent {
                    self.client
                        .publish_diagnostics(p.uri, p.diagnostics, p.version)
                        .await;
                }
            }
            Err(e) => {
                self.client
                    .log_message(
                        MessageType::ERROR,
                        format!("corroborate: analysis failed: {e}"),
                    )
                    .await
            }
        }
    }

    /// Read the settings again; true when the set of article files changed
    /// (the workspace must be indexed again).
    async fn load_config(&self) -> bool {
        let (roots, client, enc) = {
            let s = lock(&self.state);
            (s.roots.clone(), s.client_settings.clone(), s.enc)
        };
        let mut texts: Vec<String> = Vec::new();
        let mut problems: Vec<(Uri, Diagnostic)> = Vec::new();
        let mut clean: Vec<Uri> = Vec::new();
        for r in &roots {
            let file = r.join(CONFIG_FILE);
            let Some(uri) = Uri::from_file_path(&file) else {
                continue;
            };
            match std::fs::read_to_string(&file) {
                Ok(text) => match Settings::from_toml(&text) {
                    Ok(_) => {
                        texts.push(text);
                        clean.push(uri);
                    }
                    Err((line, msg)) => problems.push((
                        uri,
                        Diagnostic {
                            // The whole line the error is on, to its real end.
                            range: {
                                let ix = position::LineIndex::new(&text);
                                let end =
                                    ix.offset(&text, Position::new(line as u32, u32::MAX), enc);
                                Range {
                                    start: Position::new(line as u32, 0),
                                    end: ix.position(&text, end, enc),
                                }
                            },
                            severity: Some(DiagnosticSeverity::ERROR),
                            source: Some("corroborate".into()),
                            code: Some(NumberOrString::String("config".into())),
                            message: format!(
                                "corroborate.toml: {msg} (this file is not used until it is fixed)"
                            ),
                            ..Default::default()
                        },
                    )),
                },
                Err(_) => clean.push(uri),
            }
        }
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let (settings, client_error) = Settings::layered(client.as_ref(), &refs);
        if let Some(e) = client_error {
            self.client
                .show_message(
                    MessageType::WARNING,
                    format!("corroborate: ignoring the editor's settings: {e}"),
                )
                .await;
        }
        let reindex = {
            let mut s = lock(&self.state);
            let old = std::mem::replace(&mut s.settings, settings);
            s.everything_changed();
            // Articles named by an override, before or after, are parsed again.
            if old.overrides != s.settings.overrides {
                let again: Vec<(String, String)> = s
                    .corpus
                    .docs()
                    .filter(|(_, a)| {
                        let root = s.root_of(&a.path);
                        old.override_for(root, &a.path) != s.settings.override_for(root, &a.path)
                    })
                    .map(|(_, a)| (a.path.clone(), a.text.clone()))
                    .collect();
                for (p, t) in again {
                    s.upsert(&p, &t);
                }
            }
            old.files != s.settings.files && !s.roots.is_empty()
        };
        for uri in clean {
            self.client.publish_diagnostics(uri, Vec::new(), None).await;
        }
        for (uri, d) in problems {
            self.client.publish_diagnostics(uri, vec![d], None).await;
        }
        reindex
    }

    /// Index the workspace again in a task of its own.
    fn spawn_index(&self) {
        let me = self.clone();
        tokio::spawn(async move { me.index_workspace().await });
    }

    /// Index every article under the workspace folders, with progress.
    async fn index_workspace(&self) {
        let (roots, settings) = {
            let s = lock(&self.state);
            (s.roots.clone(), s.settings.clone())
        };
        let token = NumberOrString::String("corroborate/indexing".into());
        let progress_ok = self
            .client
            .create_work_done_progress(token.clone())
            .await
            .is_ok();
        let (files, notes) = tokio::task::spawn_blocking(move || {
            let set = globset(&settings.files.globs).ok();
            list_articles(&roots, set.as_ref())
        })
        .await
        .unwrap_or_default();
        for (typ, m) in notes {
            self.client
                .log_message(typ, format!("corroborate: {m}"))
                .await;
        }
        let total = files.len();
        {
            // Articles of these roots that are no longer files of the
            // workspace (deleted meanwhile, or outside new globs) go, unless open.
            let mut s = lock(&self.state);
            let keep: std::collections::HashSet<String> = files
                .iter()
                .map(|p| p.to_string_lossy().into_owned())
                .collect();
            let gone: Vec<String> = s
                .corpus
                .docs()
                .map(|(_, a)| a.path.clone())
                .filter(|p| {
                    !keep.contains(p)
                        && !s.docs.contains_key(p)
                        && s.roots.iter().any(|r| Path::new(p).starts_with(r))
                })
                .collect();
            for p in gone {
                s.remove(&p);
            }
        }
        let progress = if progress_ok {
            Some(
                self.client
                    .progress(token, "Indexing articles")
                    .with_percentage(0)
                    .begin()
                    .await,
            )
        } else {
            None
        };
        let mut done = 0;
        let mut unread = 0;
        // The analysis cache of `check` (off with CORROBORATE_NO_CACHE=1).
        // Entries that missed are stored once the index is ready (below):
        // encoding and writing them was a quarter of a cold index's time,
        // and they are for the next start, not for this one.
        let cache = crate::cli::cache::Cache::from_env(false).map(Arc::new);
        lock(&self.state).disk_cache = cache.clone();
        let mut intake = Intake::default();
        for chunk in files.chunks(200) {
            let chunk_size = chunk.len();
            let (max, chunk, since) = {
                let s = lock(&self.state);
                let chunk: Vec<DiskFile> = chunk
                    .iter()
                    .map(|p| {
                        let path = p.to_string_lossy();
                        DiskFile {
                            over: s.settings.override_for(s.root_of(&path), &path),
                            path: p.clone(),
                        }
                    })
                    .collect();
                (s.settings.files.max_bytes, chunk, s.last_turn)
            };
            let cache = cache.clone();
            let read =
                tokio::task::spawn_blocking(move || read_files(chunk, max, cache.as_deref()))
                    .await
                    .unwrap_or_default();
            let mut skipped = Vec::new();
            {
                let mut s = lock(&self.state);
                for r in read {
                    match r.got {
                        Ok(a) => {
                            // Unsaved buffers win over the disk, and a
                            // change on disk since this chunk was read is
                            // taken in by its own read.
                            let take = !s.docs.contains_key(&a.article.path)
                                && s.is_latest_read(&a.article.path, since);
                            intake.add(a, take);
                        }
                        Err(e) => skipped.push(format!("{}: {e}", r.path.display())),
                    }
                }
                intake.insert_into(&mut s);
            }
            unread += skipped.len();
            for m in skipped {
                self.client
                    .log_message(MessageType::WARNING, format!("corroborate: {m}"))
                    .await;
            }
            done += chunk_size;
            if let Some(p) = &progress {
                let pct = (done * 100).checked_div(total).map_or(100, |p| p as u32);
                p.report_with_message(
                    format!("Indexing {}/{} articles", group(done), group(total)),
                    pct,
                )
                .await;
            }
        }
        if let Some(p) = progress {
            p.finish_with_message(format!("Indexed {} articles", group(total - unread)))
                .await;
        }
        intake.store_later(cache);
        self.client
            .log_message(
                MessageType::INFO,
                if unread == 0 {
                    format!("corroborate: indexed {total} articles")
                } else {
                    format!(
                        "corroborate: indexed {} articles ({unread} skipped)",
                        total - unread
                    )
                },
            )
            .await;
        self.refresh(None).await;
    }

    /// The one message for a document over the size limit.
    async fn say_too_big(&self, uri: &Uri, len: usize, max: u64) {
        self.client
            .log_message(
                MessageType::INFO,
                format!(
                    "corroborate: {} is {len} bytes, over the {max} byte limit (files.max_bytes): not analysed",
                    uri.as_str()
                ),
            )
            .await;
    }

    async fn register_watchers(&self) {
        let opts = DidChangeWatchedFilesRegistrationOptions {
            watchers: vec![
                FileSystemWatcher {
                    glob_pattern: GlobPattern::String("**/*.{txt,md}".into()),
                    kind: None,
                },
                FileSystemWatcher {
                    glob_pattern: GlobPattern::String(format!("**/{CONFIG_FILE}")),
                    kind: None,
                },
                // Marks written by `corroborate annotate` or another editor.
                FileSystemWatcher {
                    glob_pattern: GlobPattern::String("**/.corroborate/*.jsonl".into()),
                    kind: None,
                },
            ],
        };
        let reg = Registration {
            id: "corroborate-watch".into(),
            method: "workspace/didChangeWatchedFiles".into(),
            register_options: serde_json::to_value(opts).ok(),
        };
        if let Err(e) = self.client.register_capability(vec![reg]).await {
            self.client
                .log_message(
                    MessageType::INFO,
                    format!("corroborate: file watching not available: {e}"),
                )
                .await;
        }
    }
}

/// An article's text from the disk, or why it is skipped (over `max` bytes,
/// binary, not UTF-8, unreadable).
fn read_limited(p: &Path, max: u64) -> std::result::Result<String, String> {
    match std::fs::metadata(p) {
        Ok(m) if m.len() > max => Err(format!(
            "skipped: {} bytes is over the {max} byte limit (files.max_bytes)",
            m.len()
        )),
        _ => crate::cli::files::read_article(p).map_err(|e| format!("skipped: {e}")),
    }
}

/// A file to bring into the corpus from disk, with the metadata overrides
/// its path gets from the settings.
struct DiskFile {
    path: PathBuf,
    over: crate::core::MetaOverride,
}

/// What reading a [`DiskFile`] gave: its article, or why it was skipped.
struct DiskRead {
    path: PathBuf,
    got: std::result::Result<ReadArticle, String>,
}

struct ReadArticle {
    /// Analysed under the file's overrides.
    article: Article,
    /// The article's term counts (made here, in parallel: inserting into
    /// the corpus is serial, under the state's lock).
    counts: TermCounts,
    /// The on-disk cache's entry that this read missed, with what to write
    /// there when it is not `article` itself: the entry holds the article
    /// without overrides, as `check` reads it.
    miss: Option<(crate::cli::cache::Miss, Option<Article>)>,
    /// Its keys in the cache, when `article` is what the cache holds for
    /// the file (no overrides).
    keys: Option<ArticleKeys>,
}

/// Reads on their way into the corpus, a chunk at a time, and the cache
/// entries to write once the reading is done.
#[derive(Default)]
struct Intake {
    taken: Vec<(Article, TermCounts)>,
    /// Per taken article, the entry to write with it once it is the
    /// corpus's, and its keys in the cache ([`ReadArticle::keys`]).
    misses: Vec<(Option<crate::cli::cache::Miss>, Option<ArticleKeys>)>,
    to_store: Vec<(crate::cli::cache::Miss, Arc<Article>)>,
}

impl Intake {
    /// Adds a read: its article to take into the corpus when `take` (else
    /// only its cache entry is written).
    fn add(&mut self, r: ReadArticle, take: bool) {
        match (take, r.miss) {
            (true, Some((m, Some(plain)))) => {
                self.to_store.push((m, Arc::new(plain)));
                self.misses.push((None, r.keys));
                self.taken.push((r.article, r.counts));
            }
            (true, miss) => {
                self.misses.push((miss.map(|(m, _)| m), r.keys));
                self.taken.push((r.article, r.counts));
            }
            (false, Some((m, plain))) => {
                self.to_store
                    .push((m, Arc::new(plain.unwrap_or(r.article))));
            }
            (false, None) => {}
        }
    }

    /// Writes the cache entries of the reads that missed, on one thread of
    /// the blocking pool, so that the other cores stay free for the
    /// diagnostics that follow and the first keystrokes. An entry not
    /// written yet (the server stopped) is a miss at the next start, never a
    /// wrong hit: each is written whole, under the key of the text that was
    /// parsed.
    fn store_later(self, cache: Option<Arc<crate::cli::cache::Cache>>) {
        if let (Some(cache), false) = (cache, self.to_store.is_empty()) {
            let to_store = self.to_store;
            tokio::task::spawn_blocking(move || {
                for (miss, a) in to_store {
                    cache.store(&miss, &a);
                }
            });
        }
    }

    /// Inserts the articles added since the last call into `s`'s corpus,
    /// together ([`Corpus::insert_counted_many`]).
    fn insert_into(&mut self, s: &mut State) {
        let ids = s
            .corpus
            .insert_counted_many(std::mem::take(&mut self.taken));
        for (id, (miss, keys)) in ids.into_iter().zip(std::mem::take(&mut self.misses)) {
            if let (Some(m), Some(a)) = (miss, s.corpus.article(id)) {
                self.to_store.push((m, a.clone()));
            }
            match keys {
                Some(k) => s.article_keys.insert(id, k),
                None => s.article_keys.remove(&id),
            };
        }
        s.corpus_gen += 1;
    }
}

/// A thread pool of one thread fewer than the cores (at least one), for
/// work done while the user types; `None` if it cannot be made.
fn side_pool() -> Option<&'static rayon::ThreadPool> {
    static POOL: std::sync::OnceLock<Option<rayon::ThreadPool>> = std::sync::OnceLock::new();
    POOL.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        rayon::ThreadPoolBuilder::new()
            .num_threads(cores.saturating_sub(1).max(1))
            .thread_name(|i| format!("corroborate-side-{i}"))
            .build()
            .ok()
    })
    .as_ref()
}

/// Reads and analyses files on the threads of the current rayon pool (every
/// core, or those of [`side_pool`]), from the on-disk cache when it holds
/// an entry for the text. Called outside the state's lock: reading
/// and parsing are nearly all the work of taking in a file, and hovers and
/// keystrokes must not wait for a whole folder of them.
fn read_files(
    files: Vec<DiskFile>,
    max: u64,
    cache: Option<&crate::cli::cache::Cache>,
) -> Vec<DiskRead> {
    use rayon::prelude::*;
    let none = crate::core::MetaOverride::default();
    files
        .into_par_iter()
        .map(|f| {
            let got = read_limited(&f.path, max).map(|text| {
                let path = f.path.to_string_lossy().into_owned();
                let (lookup, keys) = match cache.map(|c| c.lookup(&path, &text, &none)) {
                    Some((found, keys)) => (Some(found), Some(keys)),
                    None => (None, None),
                };
                let (article, miss, keys) = if f.over == none {
                    match lookup {
                        Some(Ok(a)) => (a, None, keys),
                        Some(Err(m)) => {
                            (Article::parse(&path, &text, &none), Some((m, None)), keys)
                        }
                        None => (Article::parse(&path, &text, &none), None, None),
                    }
                } else {
                    // The entry holds the article without the overrides.
                    let plain = match lookup {
                        Some(Err(m)) => Some((m, Some(Article::parse(&path, &text, &none)))),
                        _ => None,
                    };
                    (Article::parse(&path, &text, &f.over), plain, None)
                };
                ReadArticle {
                    counts: TermCounts::of(&article),
                    article,
                    miss,
                    keys,
                }
            });
            DiskRead { path: f.path, got }
        })
        .collect()
}

/// The workspace symbols of the facts whose labels match `words`
/// ([`facts_matching`]): disagreements first, at most 50 claims a fact and
/// about 500 in all.
fn symbols_matching(
    an: &crate::core::analysis::Analysis,
    spans: &render::Spans,
    words: &[String],
) -> Vec<SymbolInformation> {
    let mut facts = facts_matching(an, words);
    // Disagreements first.
    facts.sort_by_key(|f| f.verdict);
    let mut out = Vec::new();
    for f in facts {
        for r in f.claims.iter().take(50) {
            let Some(a) = spans.corpus.article(r.doc()) else {
                continue;
            };
            let Some(c) = a.claims.get(r.claim()) else {
                continue;
            };
            let Some(uri) = render::uri_of(&a.path) else {
                continue;
            };
            #[allow(deprecated)]
            out.push(SymbolInformation {
                name: format!("{} — {}", f.label, f.verdict.as_str()),
                kind: SymbolKind::KEY,
                tags: None,
                deprecated: None,
                location: Location {
                    uri,
                    range: spans.range(r.doc(), c.span.clone()),
                },
                container_name: Some(render::source_name(a)),
            });
        }
        if out.len() > 500 {
            break;
        }
    }
    out
}

/// A workspace analysis to make away from the state ([`State::analysis_or_job`]).
struct AnalysisJob {
    /// The corpus generation it is of.
    gen: u64,
    /// The corpus of that generation, grouped into stories by the job.
    corpus: Corpus,
    before: Option<Arc<crate::core::analysis::Analysis>>,
    before_stamps: Vec<Vec<(DocId, u64)>>,
    grouping: Option<crate::core::corpus::Grouping>,
    /// The on-disk cache and the documents' keys in it
    /// ([`State::article_keys`]): the relations of a story not in `before`
    /// are read from the cache when it holds them, else compared and stored
    /// there.
    disk_cache: Option<Arc<Cache>>,
    article_keys: HashMap<DocId, ArticleKeys>,
}

/// What a workspace analysis may keep of a story of the analysis before:
/// its relations, and its facts when that analysis was not shared.
type StoryKept = (Vec<Relation>, Option<Vec<Fact>>);

/// A finished [`AnalysisJob`].
struct AnalysisDone {
    gen: u64,
    analysis: Arc<crate::core::analysis::Analysis>,
    stamps: Vec<Vec<(DocId, u64)>>,
    /// How many stories were taken from the analysis before: their
    /// relations, and of those how many their facts too.
    reused: usize,
    facts_reused: usize,
    /// What its grouping left for the next ([`State::grouping`]).
    grouping: crate::core::corpus::Grouping,
    /// The documents the analysis is of.
    corpus: Corpus,
}

impl AnalysisJob {
    /// Compares the stories whose documents changed since the analysis
    /// before (a story's relations depend on its articles only), takes the
    /// others' relations from it, and makes the facts.
    fn run(self) -> AnalysisDone {
        use rayon::prelude::*;
        let AnalysisJob {
            gen,
            mut corpus,
            before,
            before_stamps,
            grouping,
            disk_cache,
            article_keys,
        } = self;
        let (stories, grouping) = corpus.stories_since(grouping);
        // Grouped: the copy of the index is needed no more.
        corpus.release_index();
        let stamps: Vec<Vec<(DocId, u64)>> = stories
            .iter()
            .map(|s| s.iter().map(|&d| (d, corpus.stamp(d))).collect())
            .collect();
        let at: HashMap<&[(DocId, u64)], usize> = before_stamps
            .iter()
            .enumerate()
            .map(|(i, k)| (k.as_slice(), i))
            .collect();
        // The relations and facts kept are moved out of the analysis before
        // (not copied beside it: less memory at the peak); if a query still
        // holds it, its relations are copied and the facts made again.
        let mut old: Vec<Option<StoryKept>> = match before.map(Arc::try_unwrap) {
            Some(Ok(a)) => {
                let mut facts: Vec<Vec<Fact>> = vec![Vec::new(); a.stories.len()];
                for f in a.facts {
                    if let Some(v) = facts.get_mut(f.story as usize) {
                        v.push(f);
                    }
                }
                a.per_story
                    .into_iter()
                    .zip(facts)
                    .map(|(rels, facts)| Some((rels, Some(facts))))
                    .collect()
            }
            Some(Err(shared)) => shared
                .per_story
                .iter()
                .map(|rels| Some((rels.clone(), None)))
                .collect(),
            None => Vec::new(),
        };
        let (kept, kept_facts): (Vec<_>, Vec<_>) = stamps
            .iter()
            .map(|key| {
                let taken = at.get(key.as_slice()).and_then(|&i| old.get_mut(i)?.take());
                match taken {
                    Some((rels, facts)) => (Some(rels), facts),
                    None => (None, None),
                }
            })
            .unzip();
        drop(old);
        let reused = kept.iter().filter(|k| k.is_some()).count();
        let facts_reused = kept_facts.iter().filter(|k| k.is_some()).count();
        let per_story: Vec<Vec<Relation>> = stories
            .par_iter()
            .zip(kept)
            .map(|(story, kept)| {
                kept.unwrap_or_else(|| match &disk_cache {
                    Some(c) => c.story_relations(
                        &corpus,
                        story,
                        |d| article_keys.get(&d).copied(),
                        crate::core::terms::symbol,
                    ),
                    None => corpus.story_relations(story),
                })
            })
            .collect();
        let analysis = Arc::new(crate::core::analysis::analyze_relations_keeping(
            &corpus, stories, per_story, false, kept_facts,
        ));
        AnalysisDone {
            gen,
            analysis,
            stamps,
            reused,
            facts_reused,
            grouping,
            corpus,
        }
    }
}

/// The facts a workspace-symbol query finds: those with every word of the
/// query (lower-cased) in their label or in the label of one relation of
/// one of their claims (what the diagnostics and hovers show), in order;
/// all of them for no words.
///
/// Each distinct label is matched once: labels are shared (one string per
/// label for the process), and lower-casing every relation's label for
/// every fact was nearly all of a query's time (240 ms on 10,000 articles).
fn facts_matching<'a>(
    an: &'a crate::core::analysis::Analysis,
    words: &[String],
) -> Vec<&'a crate::core::analysis::Fact> {
    if words.is_empty() {
        return an.facts.iter().collect();
    }
    let mut said: rustc_hash::FxHashMap<(usize, usize), bool> = rustc_hash::FxHashMap::default();
    let mut label_matches = |l: &str| {
        *said
            .entry((l.as_ptr() as usize, l.len()))
            .or_insert_with(|| {
                let l = l.to_lowercase();
                words.iter().all(|w| l.contains(w.as_str()))
            })
    };
    let mut found: rustc_hash::FxHashSet<crate::core::ClaimRef> = rustc_hash::FxHashSet::default();
    for r in an.relations() {
        if label_matches(r.label) {
            found.insert(r.a);
            found.insert(r.b);
        }
    }
    an.facts
        .iter()
        .filter(|f| label_matches(f.label) || f.claims.iter().any(|c| found.contains(c)))
        .collect()
}

/// 1000 → "1,000".
fn group(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let utf8 = params
            .capabilities
            .general
            .as_ref()
            .and_then(|g| g.position_encodings.as_ref())
            .is_some_and(|v| v.contains(&PositionEncodingKind::UTF8));
        let mut roots: Vec<PathBuf> = params
            .workspace_folders
            .unwrap_or_default()
            .iter()
            .filter_map(|f| f.uri.to_file_path().map(|p| p.into_owned()))
            .collect();
        #[allow(deprecated)]
        if roots.is_empty() {
            if let Some(p) = params.root_uri.as_ref().and_then(|u| u.to_file_path()) {
                roots.push(p.into_owned());
            }
        }
        // One task publishes diagnostics, in the order they were queued.
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Publish>();
        let client = self.client.clone();
        tokio::spawn(async move {
            while let Some(p) = rx.recv().await {
                client
                    .publish_diagnostics(p.uri, p.diagnostics, p.version)
                    .await;
            }
        });
        {
            let mut s = lock(&self.state);
            s.publisher = Some(tx);
            s.document_changes = params
                .capabilities
                .workspace
                .as_ref()
                .and_then(|w| w.workspace_edit.as_ref())
                .and_then(|e| e.document_changes)
                .unwrap_or(false);
            s.enc = if utf8 {
                Encoding::Utf8
            } else {
                Encoding::Utf16
            };
            s.client_settings = params.initialization_options.clone();
            s.roots = roots;
            s.open_reviews();
        }
        Ok(InitializeResult {
            capabilities: ServerCapabilities {
                position_encoding: Some(if utf8 {
                    PositionEncodingKind::UTF8
                } else {
                    PositionEncodingKind::UTF16
                }),
                text_document_sync: Some(TextDocumentSyncCapability::Options(
                    TextDocumentSyncOptions {
                        open_close: Some(true),
                        change: Some(TextDocumentSyncKind::INCREMENTAL),
                        save: Some(TextDocumentSyncSaveOptions::Supported(true)),
                        ..Default::default()
                    },
                )),
                hover_provider: Some(HoverProviderCapability::Simple(true)),
                definition_provider: Some(OneOf::Left(true)),
                references_provider: Some(OneOf::Left(true)),
                document_symbol_provider: Some(OneOf::Left(true)),
                workspace_symbol_provider: Some(OneOf::Left(true)),
                code_action_provider: Some(CodeActionProviderCapability::Simple(true)),
                inlay_hint_provider: Some(OneOf::Left(true)),
                execute_command_provider: Some(ExecuteCommandOptions {
                    commands: vec![
                        IGNORE_COMMAND.into(),
                        VERIFY_COMMAND.into(),
                        DISPUTE_COMMAND.into(),
                        CLEAR_COMMAND.into(),
                        WORDING_COMMAND.into(),
                        ATTRIBUTE_COMMAND.into(),
                        REMOVE_ORPHAN_COMMAND.into(),
                    ],
                    ..Default::default()
                }),
                workspace: Some(WorkspaceServerCapabilities {
                    workspace_folders: Some(WorkspaceFoldersServerCapabilities {
                        supported: Some(true),
                        change_notifications: Some(OneOf::Left(true)),
                    }),
                    file_operations: None,
                }),
                ..Default::default()
            },
            server_info: Some(ServerInfo {
                name: "corroborate".into(),
                version: Some(env!("CARGO_PKG_VERSION").into()),
            }),
            offset_encoding: None,
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        let _ = self.load_config().await;
        // Client requests are awaited in a task of their own, never in the
        // pipeline of notifications.
        let me = self.clone();
        tokio::spawn(async move {
            me.register_watchers().await;
            me.index_workspace().await;
        });
    }

    async fn shutdown(&self) -> Result<()> {
        lock(&self.state).shut_down = true;
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let doc = params.text_document;
        let path = path_of(&doc.uri);
        // A client without workspace folders (a single file): the folder of
        // the first article opened is the workspace.
        let adopt_root = {
            let mut s = lock(&self.state);
            let parent = Path::new(&path)
                .parent()
                .filter(|p| p.is_absolute())
                .map(Path::to_path_buf);
            match parent {
                Some(p) if s.roots.is_empty() => {
                    s.roots.push(p);
                    s.open_reviews();
                    s.views.bump();
                    true
                }
                _ => false,
            }
        };
        if adopt_root {
            let me = self.clone();
            tokio::spawn(async move {
                let _ = me.load_config().await;
                me.index_workspace().await
            });
        }
        let too_big = {
            let mut s = lock(&self.state);
            let gen = s.docs.get(&path).map_or(0, |d| d.gen + 1);
            let max = s.settings.files.max_bytes;
            let too_big = doc.text.len() as u64 > max;
            s.docs.insert(
                path.clone(),
                Doc {
                    uri: doc.uri.clone(),
                    rope: Rope::from_str(&doc.text),
                    version: doc.version,
                    gen,
                    peers: Vec::new(),
                    too_big,
                    synced: None,
                },
            );
            s.views.bump();
            too_big.then_some((doc.text.len(), max))
        };
        if let Some((len, max)) = too_big {
            self.say_too_big(&doc.uri, len, max).await;
        }
        self.refresh_touched(path).await;
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let path = path_of(&params.text_document.uri);
        let version = params.text_document.version;
        let mut out_of_order = None;
        let mut became_too_big = None;
        let gen: Option<u64> = {
            let mut s = lock(&self.state);
            let enc = s.enc;
            let max = s.settings.files.max_bytes;
            let gen = match s.docs.get_mut(&path) {
                None => None,
                Some(doc) => {
                    // Versions only grow; a client that breaks this still has
                    // its edits applied in arrival order, with a warning.
                    if version <= doc.version {
                        out_of_order = Some(doc.version);
                    }
                    for change in params.content_changes {
                        position::apply_change(&mut doc.rope, change.range, &change.text, enc);
                    }
                    doc.version = version;
                    doc.gen += 1;
                    let len = doc.rope.len_bytes();
                    let too_big = len as u64 > max;
                    if too_big && !doc.too_big {
                        became_too_big = Some((len, max));
                    }
                    doc.too_big = too_big;
                    Some(doc.gen)
                }
            };
            s.views.bump();
            gen
        };
        if let Some(had) = out_of_order {
            self.client
                .log_message(
                    MessageType::WARNING,
                    format!(
                        "corroborate: version {version} of {} after version {had}: versions should grow",
                        params.text_document.uri.as_str()
                    ),
                )
                .await;
        }
        if let Some((len, max)) = became_too_big {
            self.say_too_big(&params.text_document.uri, len, max).await;
        }
        let Some(gen) = gen else {
            self.client
                .log_message(
                    MessageType::WARNING,
                    format!(
                        "corroborate: change for a document that is not open: {}",
                        params.text_document.uri.as_str()
                    ),
                )
                .await;
            return;
        };
        let debounce = lock(&self.state).settings.diagnostics.debounce_ms;
        let me = self.clone();
        tokio::spawn(async move {
            // No debounce: no timer either (a zero sleep still waits for
            // the timer wheel's next millisecond tick).
            if debounce > 0 {
                tokio::time::sleep(Duration::from_millis(debounce)).await;
            }
            let current = lock(&me.state)
                .docs
                .get(&path)
                .is_some_and(|d| d.gen == gen);
            if !current {
                return; // a newer edit will publish
            }
            me.refresh_touched(path).await;
        });
    }

    async fn did_save(&self, _: DidSaveTextDocumentParams) {}

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let path = path_of(&params.text_document.uri);
        let disk = crate::cli::files::read_article(Path::new(&path));
        let (unsent, touched) = {
            let mut s = lock(&self.state);
            // The open documents this one touched: those of its story, and
            // those it was last checked with (not every open document: closing
            // many documents must not re-check all the others each time).
            let mut touched = s.open_peers(&path);
            if let Some(d) = s.docs.remove(&path) {
                touched.extend(d.peers);
            }
            s.views.forget(&path);
            s.views.bump();
            // The disk's version comes back (or the document goes, if
            // unsaved): a read of the file asked for before is stale.
            s.disk_turn(&path);
            match disk {
                Ok(text) => {
                    s.upsert(&path, &text);
                }
                Err(_) => s.remove(&path),
            }
            // And those of the story the disk's version is in.
            touched.extend(s.open_peers(&path));
            let mut seen = std::collections::HashSet::new();
            touched.retain(|p| *p != path && s.docs.contains_key(p) && seen.insert(p.clone()));
            // Through the queue, after anything computed while it was open.
            let unsent = s.publish(Publish {
                uri: params.text_document.uri,
                diagnostics: Vec::new(),
                version: None,
            });
            (unsent, touched)
        };
        if let Some(p) = unsent {
            self.client
                .publish_diagnostics(p.uri, p.diagnostics, p.version)
                .await;
        }
        if !touched.is_empty() {
            self.refresh(Some(touched)).await;
        }
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        if !params.settings.is_null() {
            lock(&self.state).client_settings = Some(params.settings);
        }
        if self.load_config().await {
            self.spawn_index();
        }
        self.refresh(None).await;
    }

    async fn did_change_workspace_folders(&self, params: DidChangeWorkspaceFoldersParams) {
        {
            let mut s = lock(&self.state);
            for f in params.event.removed {
                if let Some(p) = f.uri.to_file_path() {
                    let p = p.into_owned();
                    s.roots.retain(|r| *r != p);
                    let gone: Vec<String> = s
                        .corpus
                        .docs()
                        .map(|(_, a)| a.path.clone())
                        .filter(|a| Path::new(a).starts_with(&p))
                        .collect();
                    for g in gone {
                        s.remove(&g);
                    }
                }
            }
            for f in params.event.added {
                if let Some(p) = f.uri.to_file_path() {
                    s.roots.push(p.into_owned());
                }
            }
            s.open_reviews();
            s.views.bump();
        }
        // The roots' config files may have come or gone.
        let _ = self.load_config().await;
        let me = self.clone();
        tokio::spawn(async move { me.index_workspace().await });
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        let mut config_changed = false;
        let mut review_changed = false;
        let mut problems = Vec::new();
        // The events are sorted under the lock; the removals are done on the
        // blocking pool (removing thousands of articles takes a while: a
        // hover meanwhile is answered from its document's view), and the
        // files to read are read outside the lock, in the background (a
        // checkout of another branch can change thousands at once).
        let (to_read, turns, max, deleted) = {
            let mut s = lock(&self.state);
            let mut to_read: Vec<DiskFile> = Vec::new();
            // The turn of each file's last event in this batch.
            let mut turns: HashMap<String, u64> = HashMap::new();
            // Compiled once for the batch, not once per file.
            let set = globset(&s.settings.files.globs).ok();
            // Removed together, after the loop, unless a later event of the
            // file came meanwhile (a file deleted and created again, in this
            // batch or a later one, is read, and its read taken in).
            let mut deleted: Vec<(String, u64)> = Vec::new();
            for ev in params.changes {
                let path = path_of(&ev.uri);
                if path.ends_with(CONFIG_FILE) {
                    config_changed = true;
                    continue;
                }
                if path.contains("/.corroborate/") {
                    review_changed = true;
                    continue;
                }
                if !is_article(&path, &s.roots, set.as_ref()) || s.docs.contains_key(&path) {
                    continue; // unsaved buffers win over the disk
                }
                // Any read of this file still under way is stale from here.
                let turn = s.disk_turn(&path);
                if ev.typ == FileChangeType::DELETED {
                    deleted.push((path, turn));
                } else if turns.insert(path.clone(), turn).is_none() {
                    let over = s.settings.override_for(s.root_of(&path), &path);
                    to_read.push(DiskFile {
                        path: PathBuf::from(path),
                        over,
                    });
                }
            }
            if review_changed {
                for st in s.reviews.iter_mut() {
                    let _ = st.reload();
                }
                s.everything_changed();
            }
            (to_read, turns, s.settings.files.max_bytes, deleted)
        };
        if !deleted.is_empty() {
            let removed = with_state(&self.state, move |s| {
                let gone: Vec<String> = deleted
                    .into_iter()
                    .filter(|(p, turn)| !s.docs.contains_key(p) && s.is_latest_read(p, *turn))
                    .map(|(p, _)| p)
                    .collect();
                s.remove_many(&gone);
            })
            .await;
            if let Err(e) = removed {
                self.client
                    .log_message(
                        MessageType::ERROR,
                        format!("corroborate: removing deleted articles failed: {e}"),
                    )
                    .await;
            }
        }
        if !to_read.is_empty() {
            let n = to_read.len();
            // The indexing's cache, whose packs are indexed already (a new
            // one reads every pack it touches whole again: 52 MB for 10,000
            // articles).
            let cache = lock(&self.state)
                .disk_cache
                .clone()
                .or_else(|| Cache::from_env(false).map(Arc::new));
            let mut intake = Intake::default();
            let mut from_cache = 0;
            let mut files = to_read.into_iter();
            let turns = Arc::new(turns);
            // In chunks, as indexing reads: the lock is taken between them,
            // and no more than a chunk's texts are held at once.
            loop {
                let chunk: Vec<DiskFile> = files.by_ref().take(200).collect();
                if chunk.is_empty() {
                    break;
                }
                let shared = cache.clone();
                // On all cores but one: the files changed while the user
                // works, whose keystrokes and hovers keep a core.
                let read = tokio::task::spawn_blocking(move || match side_pool() {
                    Some(pool) => pool.install(|| read_files(chunk, max, shared.as_deref())),
                    None => read_files(chunk, max, shared.as_deref()),
                })
                .await
                .unwrap_or_default();
                // Taken in under the lock on the blocking pool (a hover
                // meanwhile is answered from its document's view).
                let cached = cache.is_some();
                let turns = turns.clone();
                let mut chunk_intake = std::mem::take(&mut intake);
                let taken = with_state(&self.state, move |s| {
                    let mut unreadable: Vec<String> = Vec::new();
                    let mut problems: Vec<String> = Vec::new();
                    let mut from_cache = 0;
                    for r in read {
                        let path = r.path.to_string_lossy().into_owned();
                        // Taken in unless the file was opened, or changed
                        // again (a later read has it), meanwhile.
                        let take = !s.docs.contains_key(&path)
                            && turns
                                .get(&path)
                                .is_some_and(|&t| s.is_latest_read(&path, t));
                        match r.got {
                            Ok(a) => {
                                if cached && a.miss.is_none() {
                                    from_cache += 1;
                                }
                                chunk_intake.add(a, take);
                            }
                            Err(e) => {
                                if take {
                                    problems.push(format!("{path}: {e}"));
                                    unreadable.push(path);
                                }
                            }
                        }
                    }
                    chunk_intake.insert_into(s);
                    s.remove_many(&unreadable);
                    (chunk_intake, problems, from_cache)
                })
                .await;
                match taken {
                    Ok((back, more, n)) => {
                        intake = back;
                        problems.extend(more);
                        from_cache += n;
                    }
                    Err(e) => problems.push(format!("taking in changed articles failed: {e}")),
                }
            }
            self.client
                .log_message(
                    MessageType::LOG,
                    format!(
                        "corroborate: read {} changed articles ({} from the cache)",
                        group(n),
                        group(from_cache)
                    ),
                )
                .await;
            // For the next start, as after indexing.
            intake.store_later(cache);
        }
        for p in problems {
            self.client
                .log_message(MessageType::WARNING, format!("corroborate: {p}"))
                .await;
        }
        if config_changed && self.load_config().await {
            self.spawn_index();
        }
        self.refresh(None).await;
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        let uri = params.text_document_position_params.text_document.uri;
        let pos = params.text_document_position_params.position;
        let path = path_of(&uri);
        // The state is busy (a workspace query, files taken in from disk):
        // the document's view answers, if nothing the editor did came since
        // it was made (`views`).
        if matches!(
            self.state.try_lock(),
            Err(std::sync::TryLockError::WouldBlock)
        ) {
            if let Some(view) = self.views.current(&path) {
                return Ok(view.hover(pos));
            }
        }
        // Free a moment ago: it may have been taken since (a query that
        // came just before this hover locks it on the blocking pool), so
        // the blocking task looks again before it waits.
        let (state, views) = (self.state.clone(), self.views.clone());
        let res = blocking(move || {
            let mut s = match state.try_lock() {
                Ok(s) => s,
                Err(std::sync::TryLockError::Poisoned(p)) => p.into_inner(),
                Err(std::sync::TryLockError::WouldBlock) => {
                    if let Some(view) = views.current(&path) {
                        return Ok(view.hover(pos));
                    }
                    lock(&state)
                }
            };
            s.hover_at(&path, pos)
        })
        .await
        .map_err(internal)?;
        res.map_err(|()| unknown_document(&uri))
    }

    async fn goto_definition(
        &self,
        params: GotoDefinitionParams,
    ) -> Result<Option<GotoDefinitionResponse>> {
        let tdp = params.text_document_position_params;
        let locs = self
            .related_locations(tdp.text_document.uri, tdp.position, false)
            .await?;
        Ok((!locs.is_empty()).then_some(GotoDefinitionResponse::Array(locs)))
    }

    async fn references(&self, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
        let tdp = params.text_document_position;
        let locs = self
            .related_locations(tdp.text_document.uri, tdp.position, true)
            .await?;
        Ok((!locs.is_empty()).then_some(locs))
    }

    async fn document_symbol(
        &self,
        params: DocumentSymbolParams,
    ) -> Result<Option<DocumentSymbolResponse>> {
        let uri = params.text_document.uri;
        let path = path_of(&uri);
        let res = with_state(&self.state, move |s| -> Option<Vec<DocumentSymbol>> {
            if s.skipped(&path) {
                return Some(Vec::new()); // over the size limit: not analysed
            }
            let doc = if s.docs.contains_key(&path) {
                s.sync_doc(&path)?
            } else {
                s.corpus.doc_id(&path)?
            };
            let rels = s.relations(doc);
            let art = s.corpus.article(doc)?.clone();
            let grouped = render::by_claim(doc, &rels);
            // Claims grouped by fact label.
            let mut facts: std::collections::BTreeMap<String, Vec<DocumentSymbol>> =
                Default::default();
            for (ci, others) in &grouped {
                let Some(c) = art.claims.get(*ci) else {
                    continue;
                };
                let label = others
                    .iter()
                    .min_by_key(|o| (o.relation.kind == RelationKind::Support, o.relation.kind))
                    .map(|o| o.relation.label.to_string())
                    .unwrap_or_default();
                let r = s.spans().range(doc, c.span.clone());
                #[allow(deprecated)]
                facts.entry(label).or_default().push(DocumentSymbol {
                    name: render::short(&art.text[c.span.clone()], 60),
                    detail: Some(render::tally(others)),
                    kind: SymbolKind::STRING,
                    tags: None,
                    deprecated: None,
                    range: r,
                    selection_range: r,
                    children: None,
                });
            }
            #[allow(deprecated)]
            let out = facts
                .into_iter()
                .filter_map(|(label, children)| {
                    let first = children.first()?.range;
                    let last = children.last()?.range;
                    Some(DocumentSymbol {
                        name: if label.is_empty() {
                            "fact".into()
                        } else {
                            label
                        },
                        detail: Some(format!("{} mention(s)", children.len())),
                        kind: SymbolKind::KEY,
                        tags: None,
                        deprecated: None,
                        range: Range {
                            start: first.start,
                            end: last.end.max(first.end),
                        },
                        selection_range: first,
                        children: Some(children),
                    })
                })
                .collect();
            Some(out)
        })
        .await
        .map_err(internal)?;
        match res {
            Some(v) => Ok(Some(DocumentSymbolResponse::Nested(v))),
            None => Err(unknown_document(&uri)),
        }
    }

    async fn symbol(
        &self,
        params: WorkspaceSymbolParams,
    ) -> Result<Option<WorkspaceSymbolResponse>> {
        let words: Vec<String> = params
            .query
            .to_lowercase()
            .split_whitespace()
            .map(str::to_string)
            .collect();
        // One analysis made at a time: a query sent while one is made (the
        // picker sends one per letter typed) waits for it.
        let gate = self.analysis_gate.clone().lock_owned().await;
        let state = self.state.clone();
        // The job is made and kept in one blocking task: a query cancelled
        // meanwhile (the picker cancels the one before) still leaves the
        // analysis made for the next.
        let res = blocking(move || {
            let _gate = gate;
            let step = {
                let mut s = lock(&state);
                // Unsaved buffers first.
                let open: Vec<String> = s.docs.keys().cloned().collect();
                for p in &open {
                    s.sync_doc(p);
                }
                match s.analysis_or_job() {
                    Ok(an) => Ok(symbols_matching(&an, &s.spans(), &words)),
                    Err(job) => Err((job, s.enc)),
                }
            };
            match step {
                Ok(out) => out,
                Err((job, enc)) => {
                    // Compared away from the state: keystrokes and
                    // hovers do not wait for it (on 10,000 articles the
                    // first query compares every story, a second).
                    let done = job.run();
                    let lines = render::LineCache::default();
                    let spans = render::Spans {
                        corpus: &done.corpus,
                        enc,
                        cache: &lines,
                        gen: done.gen,
                    };
                    let out = symbols_matching(&done.analysis, &spans, &words);
                    lock(&state).install_analysis(done);
                    out
                }
            }
        })
        .await
        .map_err(internal)?;
        Ok(Some(WorkspaceSymbolResponse::Flat(res)))
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        let uri = params.text_document.uri.clone();
        let path = path_of(&uri);
        let range = params.range;
        let res = with_state(&self.state, move |s| -> Option<Vec<CodeActionOrCommand>> {
            if s.skipped(&path) {
                return Some(Vec::new()); // over the size limit: not analysed
            }
            let doc = if s.docs.contains_key(&path) {
                s.sync_doc(&path)?
            } else {
                s.corpus.doc_id(&path)?
            };
            let rels = s.relations(doc);
            let art = s.corpus.article(doc)?.clone();
            let (a, b) = (
                s.spans().offset(doc, range.start),
                s.spans().offset(doc, range.end),
            );
            let grouped = render::by_claim(doc, &rels);
            let marks = s
                .review_for(&path)
                .map(|st| st.marks(Path::new(&path), &art.text));
            let mut out = Vec::new();
            for (ci, others) in &grouped {
                let Some(c) = art.claims.get(*ci) else {
                    continue;
                };
                if !(c.span.start <= b && a <= c.span.end) {
                    continue;
                }
                let disagreeing: Vec<_> = others
                    .iter()
                    .filter(|o| o.relation.kind != RelationKind::Support)
                    .collect();
                if disagreeing.is_empty() {
                    continue;
                }
                let claim_text = art.text.get(c.span.clone()).unwrap_or("").to_string();
                // The claim's text goes with its offsets: a command run after
                // an edit finds the claim again, or is refused.
                let args = vec![
                    Value::String(params.text_document.uri.as_str().to_string()),
                    Value::from(c.span.start),
                    Value::from(c.span.end),
                    Value::String(claim_text.clone()),
                ];
                let ignore_title = if disagreeing
                    .iter()
                    .any(|o| o.relation.kind == RelationKind::Conflict)
                {
                    "Ignore this conflict here"
                } else {
                    "Ignore this tension here"
                };
                out.push(CodeActionOrCommand::CodeAction(CodeAction {
                    title: ignore_title.into(),
                    kind: Some(CodeActionKind::QUICKFIX),
                    command: Some(Command {
                        title: ignore_title.into(),
                        command: IGNORE_COMMAND.into(),
                        arguments: Some(args.clone()),
                    }),
                    ..Default::default()
                }));
                for (title, command) in [
                    ("Mark this claim verified", VERIFY_COMMAND),
                    ("Mark this claim disputed", DISPUTE_COMMAND),
                ] {
                    out.push(CodeActionOrCommand::CodeAction(CodeAction {
                        title: title.into(),
                        kind: Some(CodeActionKind::QUICKFIX),
                        command: Some(Command {
                            title: title.into(),
                            command: command.into(),
                            arguments: Some(args.clone()),
                        }),
                        ..Default::default()
                    }));
                }
                // A claim with a mark (ignored ones included: their
                // diagnostic is hidden, the action is not) can be cleared.
                if let Some(a) = marks.as_ref().and_then(|m| m.status_of(&c.span)) {
                    let title = format!("Clear mark ({} by {})", a.status, a.author);
                    out.push(CodeActionOrCommand::CodeAction(CodeAction {
                        title: title.clone(),
                        kind: Some(CodeActionKind::QUICKFIX),
                        command: Some(Command {
                            title,
                            command: CLEAR_COMMAND.into(),
                            arguments: Some(args),
                        }),
                        ..Default::default()
                    }));
                }
                // Edits are made by the server (`workspace/applyEdit`) when the
                // command runs, against the text of that moment.
                let mut offered: Vec<String> = Vec::new();
                for o in &disagreeing {
                    let Some(oa) = s.corpus.article(o.claim.doc()) else {
                        continue;
                    };
                    let Some(oc) = oa.claims.get(o.claim.claim()) else {
                        continue;
                    };
                    let name = render::source_name(oa);
                    let wording = oa.text.get(oc.span.clone()).unwrap_or("").to_string();
                    let edit_args = |at: std::ops::Range<usize>, new_text: String| {
                        vec![serde_json::json!({
                            "uri": params.text_document.uri.as_str(),
                            "start": c.span.start,
                            "end": c.span.end,
                            "expected": claim_text,
                            "editStart": at.start,
                            "editEnd": at.end,
                            "newText": new_text,
                        })]
                    };
                    let title = format!("Use {name}'s wording: '{}'", render::short(&wording, 50));
                    if wording != claim_text && !offered.contains(&title) {
                        offered.push(title.clone());
                        out.push(CodeActionOrCommand::CodeAction(CodeAction {
                            title: title.clone(),
                            kind: Some(CodeActionKind::QUICKFIX),
                            command: Some(Command {
                                title,
                                command: WORDING_COMMAND.into(),
                                arguments: Some(edit_args(c.span.clone(), wording.clone())),
                            }),
                            ..Default::default()
                        }));
                    }
                    let title = format!("Add attribution: according to {name}");
                    if !offered.contains(&title) {
                        offered.push(title.clone());
                        let (at, new_text) = render::attribution(&art.text, &c.span, &name);
                        out.push(CodeActionOrCommand::CodeAction(CodeAction {
                            title: title.clone(),
                            kind: Some(CodeActionKind::QUICKFIX),
                            command: Some(Command {
                                title,
                                command: ATTRIBUTE_COMMAND.into(),
                                arguments: Some(edit_args(at..at, new_text)),
                            }),
                            ..Default::default()
                        }));
                    }
                }
            }
            // An orphaned mark shown here can be removed from the store.
            for o in marks.iter().flat_map(|m| m.orphaned()) {
                let span = orphan_span(&art.text, &o.annotation.selector);
                if !(span.start <= b && a <= span.end) {
                    continue;
                }
                let title = format!(
                    "Remove orphaned review mark ({} by {})",
                    o.annotation.status, o.annotation.author
                );
                out.push(CodeActionOrCommand::CodeAction(CodeAction {
                    title: title.clone(),
                    kind: Some(CodeActionKind::QUICKFIX),
                    command: Some(Command {
                        title,
                        command: REMOVE_ORPHAN_COMMAND.into(),
                        arguments: Some(vec![
                            Value::String(params.text_document.uri.as_str().to_string()),
                            Value::String(o.annotation.id.clone()),
                        ]),
                    }),
                    ..Default::default()
                }));
            }
            Some(out)
        })
        .await
        .map_err(internal)?;
        match res {
            Some(v) => Ok(Some(v)),
            None => Err(unknown_document(&uri)),
        }
    }

    async fn execute_command(&self, params: ExecuteCommandParams) -> Result<Option<Value>> {
        if params.command == WORDING_COMMAND || params.command == ATTRIBUTE_COMMAND {
            return self.apply_text_command(params.arguments).await;
        }
        if params.command == REMOVE_ORPHAN_COMMAND {
            return self.remove_orphan(params.arguments).await;
        }
        let status = match params.command.as_str() {
            IGNORE_COMMAND => Some(review::store::Status::Ignored),
            VERIFY_COMMAND => Some(review::store::Status::Verified),
            DISPUTE_COMMAND => Some(review::store::Status::Disputed),
            CLEAR_COMMAND => None,
            other => return Err(Error::invalid_params(format!("unknown command {other}"))),
        };
        let args = params.arguments;
        let (Some(uri), Some(start), Some(end)) = (
            args.first()
                .and_then(Value::as_str)
                .and_then(|s| s.parse::<Uri>().ok()),
            args.get(1).and_then(Value::as_u64),
            args.get(2).and_then(Value::as_u64),
        ) else {
            return Err(Error::invalid_params(
                "expected [uri, start byte, end byte, claim text]",
            ));
        };
        let expected = match args.get(3) {
            None | Some(Value::Null) => None,
            Some(Value::String(t)) => Some(t.clone()),
            Some(_) => return Err(Error::invalid_params("the claim text must be a string")),
        };
        // What verifies or disputes the claim: {"note": …, "source": …}.
        let detail = |k: &str| {
            args.get(4)
                .and_then(|d| d.get(k))
                .and_then(Value::as_str)
                .map(str::to_string)
        };
        let (note, source) = (detail("note"), detail("source"));
        let path = path_of(&uri);
        let res = with_state(
            &self.state,
            move |s| -> std::result::Result<String, MarkError> {
                let other = |m: &str| MarkError::Other(m.to_string());
                let doc = s
                    .sync_doc(&path)
                    .or_else(|| s.corpus.doc_id(&path))
                    .ok_or_else(|| other("unknown document"))?;
                let text = s
                    .corpus
                    .article(doc)
                    .map(|a| a.text.clone())
                    .ok_or_else(|| other("unknown document"))?;
                let (start, end) =
                    claim_now(&text, start as usize..end as usize, expected.as_deref())?;
                // The store of the file's root; a file outside every root
                // gets one in its folder.
                let i = match s.review_index(&path) {
                    Some(i) => i,
                    None => {
                        let dir = Path::new(&path)
                            .parent()
                            .map(Path::to_path_buf)
                            .unwrap_or_default();
                        s.reviews.push(
                            review::store::Store::open(&dir)
                                .unwrap_or_else(|_| review::store::Store::empty(&dir)),
                        );
                        s.reviews.len() - 1
                    }
                };
                // An empty setting (what an editor sends for "not set") is no author.
                let author = s
                    .settings
                    .review
                    .author
                    .clone()
                    .filter(|a| !a.trim().is_empty());
                let store = s
                    .reviews
                    .get_mut(i)
                    .ok_or_else(|| other("no review store"))?;
                let Some(status) = status else {
                    // Clear: every mark on the claim goes (so no older one
                    // takes over).
                    let span = start..end;
                    let ids: Vec<String> = store
                        .marks(Path::new(&path), &text)
                        .on(&span)
                        .map(|a| a.annotation.id.clone())
                        .collect();
                    if ids.is_empty() {
                        return Err(other("the claim has no mark"));
                    }
                    let n = store
                        .remove(&ids)
                        .map_err(|e| MarkError::Other(e.to_string()))?;
                    s.everything_changed();
                    return Ok(format!("cleared {n} mark(s)"));
                };
                store
                    .add(review::store::NewAnnotation {
                        path: PathBuf::from(&path),
                        text,
                        range: start..end,
                        status,
                        note,
                        source,
                        author,
                        label: None,
                    })
                    .map_err(|e| MarkError::Other(e.to_string()))?;
                s.everything_changed();
                Ok(format!("marked {}", status.as_str()))
            },
        )
        .await
        .map_err(internal)?;
        match res {
            Ok(msg) => {
                self.client
                    .log_message(MessageType::INFO, format!("corroborate: {msg}"))
                    .await;
                self.refresh(None).await;
                Ok(Some(Value::String(msg)))
            }
            Err(MarkError::Changed(e)) => {
                self.client
                    .show_message(MessageType::WARNING, format!("corroborate: {e}"))
                    .await;
                Err(Error {
                    code: ErrorCode::ContentModified,
                    message: e.into(),
                    data: None,
                })
            }
            Err(MarkError::Other(e)) => Err(Error::invalid_params(e)),
        }
    }

    async fn inlay_hint(&self, params: InlayHintParams) -> Result<Option<Vec<InlayHint>>> {
        let uri = params.text_document.uri;
        let path = path_of(&uri);
        let range = params.range;
        let res = with_state(&self.state, move |s| -> Option<Vec<InlayHint>> {
            if !s.settings.inlay_hints.enable || s.skipped(&path) {
                return Some(Vec::new());
            }
            let doc = if s.docs.contains_key(&path) {
                s.sync_doc(&path)?
            } else {
                s.corpus.doc_id(&path)?
            };
            let rels = s.relations(doc);
            let art = s.corpus.article(doc)?.clone();
            let (a, b) = (
                s.spans().offset(doc, range.start),
                s.spans().offset(doc, range.end),
            );
            let grouped = render::by_claim(doc, &rels);
            // One hint per claim end; where claims end together (a clause
            // inside its sentence), the one that disagrees, else the innermost.
            let mut at_end: std::collections::BTreeMap<usize, (bool, usize, usize)> =
                Default::default();
            for (ci, others) in &grouped {
                let Some(c) = art.claims.get(*ci) else {
                    continue;
                };
                if c.span.end < a || c.span.start > b {
                    continue;
                }
                let disagrees = others
                    .iter()
                    .any(|o| o.relation.kind != RelationKind::Support);
                let key = (!disagrees, c.span.len(), *ci);
                let e = at_end.entry(c.span.end).or_insert(key);
                if key < *e {
                    *e = key;
                }
            }
            let mut out = Vec::new();
            for (end, (_, _, ci)) in at_end {
                let Some(others) = grouped.get(&ci) else {
                    continue;
                };
                let tooltip: Vec<String> = others
                    .iter()
                    .filter_map(|o| {
                        let oa = s.corpus.article(o.claim.doc())?;
                        let oc = oa.claims.get(o.claim.claim())?;
                        Some(format!(
                            "{} {}: '{}'",
                            render::glyph(o.relation.kind),
                            render::source_name(oa),
                            render::short(oa.text.get(oc.span.clone()).unwrap_or(""), 80)
                        ))
                    })
                    .collect();
                out.push(InlayHint {
                    position: s.spans().position(doc, end),
                    label: InlayHintLabel::String(render::tally(others)),
                    kind: None,
                    text_edits: None,
                    tooltip: Some(InlayHintTooltip::String(tooltip.join("\n"))),
                    padding_left: Some(true),
                    padding_right: None,
                    data: None,
                });
            }
            Some(out)
        })
        .await
        .map_err(internal)?;
        match res {
            Some(v) => Ok(Some(v)),
            None => Err(unknown_document(&uri)),
        }
    }
}

/// Why a mark command was not carried out.
enum MarkError {
    /// The claim is no longer in the text as it was when the action was offered.
    Changed(String),
    Other(String),
}

/// The claim a mark command names, in the text as it is now: at its offsets
/// when it still reads `expected` there, else the occurrence of `expected`
/// nearest to them (the text moved by an edit elsewhere); refused when it is
/// gone. Without `expected` (older clients), the offsets as they are.
fn claim_now(
    text: &str,
    span: std::ops::Range<usize>,
    expected: Option<&str>,
) -> std::result::Result<(usize, usize), MarkError> {
    let Some(want) = expected else {
        if span.start >= span.end || text.get(span.clone()).is_none() {
            return Err(MarkError::Other("the range is not in the document".into()));
        }
        return Ok((span.start, span.end));
    };
    if want.is_empty() {
        return Err(MarkError::Other("the claim text is empty".into()));
    }
    if text.get(span.clone()) == Some(want) {
        return Ok((span.start, span.end));
    }
    text.match_indices(want)
        .map(|(i, _)| i)
        .min_by_key(|&i| i.abs_diff(span.start))
        .map(|i| (i, i + want.len()))
        .ok_or_else(|| {
            MarkError::Changed(format!(
                "the claim \u{201c}{}\u{201d} is no longer in the document: ask for the action again",
                render::short(want, 60)
            ))
        })
}

/// The argument of the text-editing commands.
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct TextCommand {
    uri: String,
    /// The claim the action was offered on, and its text at that moment.
    start: usize,
    end: usize,
    expected: String,
    /// The byte range to replace, and the new text.
    edit_start: usize,
    edit_end: usize,
    new_text: String,
}

impl Backend {
    /// "Use <outlet>'s wording" and "Add attribution": check that the claim
    /// still reads as when the action was offered, then ask the client to
    /// apply the edit (`workspace/applyEdit`, versioned when the document is
    /// open and the client supports it).
    /// `corroborate.removeOrphanedMark [uri, id]`: remove a mark whose text is
    /// gone from the store of the document's root (only while it is orphaned:
    /// a mark that anchors again is cleared with `clearMark`).
    async fn remove_orphan(&self, args: Vec<Value>) -> Result<Option<Value>> {
        let (Some(uri), Some(id)) = (
            args.first()
                .and_then(Value::as_str)
                .and_then(|s| s.parse::<Uri>().ok()),
            args.get(1).and_then(Value::as_str).map(str::to_string),
        ) else {
            return Err(Error::invalid_params("expected [uri, mark id]"));
        };
        let path = path_of(&uri);
        let res = with_state(
            &self.state,
            move |s| -> std::result::Result<String, String> {
                let doc = s
                    .sync_doc(&path)
                    .or_else(|| s.corpus.doc_id(&path))
                    .ok_or("unknown document")?;
                let text = s
                    .corpus
                    .article(doc)
                    .map(|a| a.text.clone())
                    .ok_or("unknown document")?;
                let i = s
                    .review_index(&path)
                    .ok_or("no review store for the document")?;
                let store = s.reviews.get_mut(i).ok_or("no review store")?;
                let orphaned = store
                    .marks(Path::new(&path), &text)
                    .orphaned()
                    .any(|o| o.annotation.id == id);
                if !orphaned {
                    return Err("no such orphaned mark (it may anchor again)".into());
                }
                let n = store.remove(&[id]).map_err(|e| e.to_string())?;
                s.everything_changed();
                Ok(format!("removed {n} orphaned mark(s)"))
            },
        )
        .await
        .map_err(internal)?;
        match res {
            Ok(msg) => {
                self.client
                    .log_message(MessageType::INFO, format!("corroborate: {msg}"))
                    .await;
                self.refresh(None).await;
                Ok(Some(Value::String(msg)))
            }
            Err(e) => Err(Error::invalid_params(e)),
        }
    }

    async fn apply_text_command(&self, args: Vec<Value>) -> Result<Option<Value>> {
        let cmd: TextCommand = args
            .into_iter()
            .next()
            .and_then(|v| serde_json::from_value(v).ok())
            .ok_or_else(|| {
                Error::invalid_params(
                    "expected {uri, start, end, expected, editStart, editEnd, newText}",
                )
            })?;
        let uri: Uri = cmd
            .uri
            .parse()
            .map_err(|_| Error::invalid_params(format!("not a URI: {}", cmd.uri)))?;
        let edit = {
            let s = lock(&self.state);
            let path = path_of(&uri);
            let (text, version) = match s.docs.get(&path) {
                Some(d) => (d.rope.to_string(), Some(d.version)),
                None => match s.corpus.doc_id(&path).and_then(|d| s.corpus.article(d)) {
                    Some(a) => (a.text.clone(), None),
                    None => return Err(unknown_document(&uri)),
                },
            };
            let ok = cmd.start <= cmd.edit_start
                && cmd.edit_start <= cmd.edit_end
                && cmd.edit_end <= cmd.end
                && text.get(cmd.start..cmd.end) == Some(cmd.expected.as_str())
                && text.is_char_boundary(cmd.edit_start)
                && text.is_char_boundary(cmd.edit_end);
            if !ok {
                return Err(Error::invalid_params(
                    "the text changed since the action was offered: ask for it again",
                ));
            }
            let range = position::range(&text, cmd.edit_start..cmd.edit_end, s.enc);
            let text_edit = TextEdit {
                range,
                new_text: cmd.new_text,
            };
            match version.filter(|_| s.document_changes) {
                Some(v) => WorkspaceEdit {
                    document_changes: Some(DocumentChanges::Edits(vec![TextDocumentEdit {
                        text_document: OptionalVersionedTextDocumentIdentifier {
                            uri: uri.clone(),
                            version: Some(v),
                        },
                        edits: vec![OneOf::Left(text_edit)],
                    }])),
                    ..Default::default()
                },
                None => WorkspaceEdit {
                    changes: Some(HashMap::from([(uri.clone(), vec![text_edit])])),
                    ..Default::default()
                },
            }
        };
        // The lock is released: the client's answer may take a while.
        match self.client.apply_edit(edit).await {
            Ok(r) if r.applied => Ok(Some(serde_json::json!({"applied": true}))),
            Ok(r) => Err(Error::invalid_params(format!(
                "the editor did not apply the edit{}",
                r.failure_reason
                    .map(|f| format!(": {f}"))
                    .unwrap_or_default()
            ))),
            Err(e) => Err(Error {
                code: ErrorCode::InternalError,
                message: format!("workspace/applyEdit failed: {}", e.message).into(),
                data: None,
            }),
        }
    }

    async fn related_locations(
        &self,
        uri: Uri,
        pos: Position,
        include_self: bool,
    ) -> Result<Vec<Location>> {
        let path = path_of(&uri);
        let res = with_state(&self.state, move |s| -> Option<Vec<Location>> {
            if s.skipped(&path) {
                return Some(Vec::new()); // over the size limit: not analysed
            }
            let doc = if s.docs.contains_key(&path) {
                s.sync_doc(&path)?
            } else {
                s.corpus.doc_id(&path)?
            };
            let rels = s.relations(doc);
            let art = s.corpus.article(doc)?.clone();
            let off = s.spans().offset(doc, pos);
            let grouped = render::by_claim(doc, &rels);
            let Some(ci) = render::related_claim_at(&art, off, &grouped) else {
                return Some(Vec::new());
            };
            let mut out = Vec::new();
            if include_self {
                if let (Some(c), Some(u)) = (art.claims.get(ci), render::uri_of(&art.path)) {
                    out.push(Location {
                        uri: u,
                        range: s.spans().range(doc, c.span.clone()),
                    });
                }
            }
            for o in grouped.get(&ci).map_or(&[][..], Vec::as_slice) {
                let Some(oa) = s.corpus.article(o.claim.doc()) else {
                    continue;
                };
                let Some(oc) = oa.claims.get(o.claim.claim()) else {
                    continue;
                };
                if let Some(u) = render::uri_of(&oa.path) {
                    out.push(Location {
                        uri: u,
                        range: s.spans().range(o.claim.doc(), oc.span.clone()),
                    });
                }
            }
            Some(out)
        })
        .await
        .map_err(internal)?;
        res.ok_or_else(|| unknown_document(&uri))
    }
}

/// Serve the language server on any byte streams until `exit` or the end of
/// the input (stdio in `run`; in-memory streams in tests and fuzzing).
pub async fn serve<I, O>(input: I, output: O)
where
    I: tokio::io::AsyncRead + Unpin + Send + 'static,
    O: tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    serve_then_status(input, output).await;
}

/// As [`serve`]; true when the session was shut down properly (`shutdown`
/// before `exit` or the end of the input).
async fn serve_then_status<I, O>(input: I, output: O) -> bool
where
    I: tokio::io::AsyncRead + Unpin + Send + 'static,
    O: tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let fresh = State::new();
    let views = fresh.views.clone();
    let state = Arc::new(Mutex::new(fresh));
    let shared = state.clone();
    let (service, socket) = LspService::new(move |client| Backend {
        client,
        state: shared,
        analysis_gate: Arc::default(),
        views,
    });
    transport::serve(input, output, service, socket).await;
    let clean = lock(&state).shut_down;
    clean
}

/// Serve the language server on stdin/stdout until `exit`.
pub fn run() -> std::process::ExitCode {
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("corroborate lsp: cannot start the runtime: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    let clean = rt.block_on(serve_then_status(tokio::io::stdin(), tokio::io::stdout()));
    // The stdin reader may still be blocked in a read the client never ends:
    // do not wait for it.
    rt.shutdown_timeout(Duration::from_millis(200));
    // LSP: `exit` without `shutdown` first ends with code 1.
    if clean {
        std::process::ExitCode::SUCCESS
    } else {
        std::process::ExitCode::from(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A read of a file asked for later makes the earlier ones stale (their
    /// text is not taken in), for that file only; an indexing pass's reads
    /// are stale for the files changed since it began.
    #[test]
    fn a_later_read_of_a_file_makes_earlier_ones_stale() {
        let mut s = State::new();
        let indexing = s.last_turn;
        let first = s.disk_turn("/w/a.txt");
        let second = s.disk_turn("/w/a.txt");
        assert!(!s.is_latest_read("/w/a.txt", first));
        assert!(s.is_latest_read("/w/a.txt", second));
        assert!(!s.is_latest_read("/w/a.txt", indexing));
        assert!(s.is_latest_read("/w/b.txt", indexing));
        let other = s.disk_turn("/w/b.txt");
        assert!(s.is_latest_read("/w/a.txt", second), "b's read is not a's");
        assert!(s.is_latest_read("/w/b.txt", other));
    }

    /// The seed articles and the two-source fixture, sorted per folder:
    /// a workspace of two stories.
    fn seed_and_fixture_files() -> Vec<PathBuf> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files: Vec<PathBuf> = Vec::new();
        for dir in ["seeds", "tests/fixtures/two-sources"] {
            let mut in_dir: Vec<PathBuf> = std::fs::read_dir(root.join(dir))
                .expect("fixture folder")
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "txt" || x == "md"))
                .collect();
            in_dir.sort();
            files.extend(in_dir);
        }
        files
    }

    /// A workspace read through the on-disk cache takes the relations of
    /// its stories from the cache when it is opened again (as `check` does,
    /// by the same keys), and its analysis is the one made by comparing
    /// them; a story with a document from an editor's buffer is compared
    /// again.
    #[test]
    fn a_reopened_workspace_reads_its_stories_from_the_cache() {
        use std::sync::atomic::Ordering::Relaxed;
        let files = seed_and_fixture_files();
        let dir = tempfile::tempdir().expect("tempdir");
        // The workspace indexed as the server indexes it, with a cache of
        // its own on the directory (a new process).
        let open = || {
            let cache = Arc::new(Cache::new(dir.path()));
            let mut s = State::new();
            s.disk_cache = Some(cache.clone());
            let disk: Vec<DiskFile> = files
                .iter()
                .map(|p| DiskFile {
                    path: p.clone(),
                    over: crate::core::MetaOverride::default(),
                })
                .collect();
            let mut intake = Intake::default();
            for r in read_files(disk, u64::MAX, Some(&cache)) {
                intake.add(r.got.expect("a fixture"), true);
            }
            intake.insert_into(&mut s);
            (s, cache)
        };
        let fresh = |s: &State| format!("{:?}", crate::core::analysis::analyze(&s.corpus, false));
        let (mut first, cache) = open();
        let hits = cache.hits.load(Relaxed);
        let made = first.analysis();
        assert!(made.stories.len() >= 2, "{:?}", made.stories);
        assert_eq!(cache.hits.load(Relaxed), hits, "an empty cache");
        assert_eq!(format!("{made:?}"), fresh(&first));
        // Opened again: every story is read from the cache.
        let (mut again, cache) = open();
        let hits = cache.hits.load(Relaxed);
        let read = again.analysis();
        assert_eq!(
            cache.hits.load(Relaxed) - hits,
            read.stories.len() as u64,
            "every story from the cache"
        );
        assert_eq!(format!("{read:?}"), format!("{made:?}"));
        // An article opened in an editor as it is on disk: every story is
        // still read.
        let f = files.first().expect("a seed article");
        let text = std::fs::read_to_string(f).expect("fixture");
        let (mut opened, cache) = open();
        opened.upsert(&f.to_string_lossy(), &text);
        let hits = cache.hits.load(Relaxed);
        let read = opened.analysis();
        assert_eq!(cache.hits.load(Relaxed) - hits, read.stories.len() as u64);
        assert_eq!(format!("{read:?}"), format!("{made:?}"));
        // Edited there: its story is compared, the others are read.
        let (mut edited, cache) = open();
        edited.upsert(&f.to_string_lossy(), &text.replacen("a ", "a large ", 1));
        let hits = cache.hits.load(Relaxed);
        let with_edit = edited.analysis();
        assert_eq!(
            cache.hits.load(Relaxed) - hits,
            with_edit.stories.len() as u64 - 1
        );
        assert_eq!(format!("{with_edit:?}"), fresh(&edited));
        assert_ne!(format!("{with_edit:?}"), format!("{made:?}"));
    }

    /// After an edit, the whole-workspace analysis compares again only the
    /// edited document's story, and is the analysis made afresh.
    #[test]
    fn the_workspace_analysis_redoes_only_the_stories_that_changed() {
        let files = seed_and_fixture_files();
        let mut s = State::new();
        for f in &files {
            let text = std::fs::read_to_string(f).expect("fixture");
            s.upsert(&f.to_string_lossy(), &text);
        }
        let fresh = |s: &State| format!("{:?}", crate::core::analysis::analyze(&s.corpus, false));
        let first = s.analysis();
        assert!(first.stories.len() >= 2, "{:?}", first.stories);
        assert_eq!(s.analysis_reused, 0);
        assert_eq!(format!("{first:?}"), fresh(&s));
        drop(first);
        // An edit of a seed article: its story is compared again, the
        // others are taken from the analysis before (moved out of it: no
        // one else holds it).
        let edit = |s: &mut State, i: usize| {
            let f = files.get(i).expect("a seed article");
            let text = std::fs::read_to_string(f).expect("fixture");
            s.upsert(&f.to_string_lossy(), &text.replacen("a ", "a large ", 1));
        };
        edit(&mut s, 0);
        let second = s.analysis();
        assert_eq!(s.analysis_reused, second.stories.len() - 1);
        assert_eq!(s.analysis_facts_reused, second.stories.len() - 1);
        assert_eq!(format!("{second:?}"), fresh(&s));
        // Asked again with nothing changed: the same analysis.
        let third = s.analysis();
        assert!(Arc::ptr_eq(&second, &third));
        // Another edit while the analysis before is still held (copied
        // from it, then).
        edit(&mut s, 1);
        let fourth = s.analysis();
        assert_eq!(s.analysis_reused, fourth.stories.len() - 1);
        assert_eq!(s.analysis_facts_reused, 0);
        assert_eq!(format!("{fourth:?}"), fresh(&s));
        assert_eq!(format!("{third:?}"), format!("{second:?}"));
        drop((second, third, fourth));
        // Made away from the state while the user edits: the job is of the
        // corpus it was taken from, and kept; the analysis asked for next is
        // of the edited corpus, and compares the edited story only.
        edit(&mut s, 2);
        let Err(job) = s.analysis_or_job() else {
            panic!("an edit since the last analysis: a job");
        };
        let before_edit = fresh(&s);
        edit(&mut s, 3);
        let done = job.run();
        assert_eq!(done.reused, done.analysis.stories.len() - 1);
        let made = s.install_analysis(done);
        assert_eq!(format!("{made:?}"), before_edit);
        drop(made);
        let fifth = s.analysis();
        assert_eq!(s.analysis_reused, fifth.stories.len() - 1);
        assert_eq!(format!("{fifth:?}"), fresh(&s));
        // A job that ends after a newer analysis was kept is not kept.
        edit(&mut s, 0);
        let Err(old_job) = s.analysis_or_job() else {
            panic!("a job");
        };
        let newest = s.analysis();
        let old_done = old_job.run();
        s.install_analysis(old_done);
        assert!(Arc::ptr_eq(&s.analysis(), &newest));
        assert_eq!(format!("{newest:?}"), fresh(&s));
    }

    /// A workspace-symbol query finds what comparing the query with every
    /// label of every fact finds: for no words, for each word of each
    /// relation's label, for all of a label's words, and for a word no label
    /// has.
    #[test]
    fn symbol_queries_find_the_facts_a_plain_search_finds() {
        let mut s = State::new();
        for (path, text) in crate::core::corpus::story_files("seeds") {
            s.upsert(&path, &text);
        }
        let an = s.analysis();
        let plain = |words: &[String]| -> Vec<usize> {
            an.facts
                .iter()
                .enumerate()
                .filter(|(_, f)| {
                    let mut names = vec![f.label.to_lowercase()];
                    for r in an.relations() {
                        if f.claims.iter().any(|c| *c == r.a || *c == r.b) {
                            names.push(r.label.to_lowercase());
                        }
                    }
                    words.is_empty()
                        || names
                            .iter()
                            .any(|n| words.iter().all(|w| n.contains(w.as_str())))
                })
                .map(|(i, _)| i)
                .collect()
        };
        let index = |found: Vec<&crate::core::analysis::Fact>| -> Vec<usize> {
            found
                .iter()
                .filter_map(|f| an.facts.iter().position(|g| std::ptr::eq(g, *f)))
                .collect()
        };
        let mut queries: Vec<Vec<String>> = vec![Vec::new(), vec!["zzzz".into()]];
        for r in an.relations() {
            let words: Vec<String> = r.label.split_whitespace().map(str::to_lowercase).collect();
            queries.extend(words.iter().map(|w| vec![w.clone()]));
            queries.push(words);
        }
        queries.sort();
        queries.dedup();
        let mut some = 0;
        for q in &queries {
            let want = plain(q);
            some += usize::from(!want.is_empty() && want.len() < an.facts.len());
            assert_eq!(index(facts_matching(&an, q)), want, "{q:?}");
        }
        assert!(some > 5, "queries that find some facts but not all: {some}");
    }
    /// A hover answered from a document's view ([`views`]) is the hover
    /// the state makes, at every position of every line (Hangul, CJK,
    /// emoji and curly quotes on one of them, in UTF-16), review note
    /// included; an edit makes the view stale until the next diagnostics.
    #[test]
    fn a_view_answers_the_hovers_the_state_makes_until_an_edit() {
        let dir = tempfile::tempdir().expect("tempdir");
        let seeds = Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds");
        let mut names: Vec<PathBuf> = std::fs::read_dir(&seeds)
            .expect("seeds")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        names.sort();
        let mut s = State::new();
        s.roots = vec![dir.path().to_path_buf()];
        s.open_reviews();
        let mut paths = Vec::new();
        for (i, f) in names.iter().enumerate() {
            let mut text = std::fs::read_to_string(f).expect("seed");
            if i == 0 {
                // Every line but the headers' starts with characters of
                // one, two and four bytes that are one or two UTF-16 units.
                text = text
                    .split('\n')
                    .map(|l| match l.contains(':') || l.trim().is_empty() {
                        true => l.to_string(),
                        false => format!("한국 中文 😀 “q” {l}"),
                    })
                    .collect::<Vec<_>>()
                    .join("\n");
            }
            let to = dir.path().join(f.file_name().expect("name"));
            std::fs::write(&to, &text).expect("copy");
            let path = to.to_string_lossy().into_owned();
            s.upsert(&path, &text);
            paths.push((path, text));
        }
        let (path, text) = paths.first().cloned().expect("a seed");
        let uri = Uri::from_file_path(&path).expect("uri");
        s.docs.insert(
            path.clone(),
            Doc {
                uri,
                rope: Rope::from_str(&text),
                version: 1,
                gen: 0,
                peers: Vec::new(),
                too_big: false,
                synced: None,
            },
        );
        // A reviewer's mark on the first claim with relations.
        let doc = s.corpus.doc_id(&path).expect("doc");
        let rels = s.relations(doc);
        let art = s.corpus.article(doc).expect("article").clone();
        let marked = render::by_claim(doc, &rels)
            .keys()
            .next()
            .and_then(|&ci| art.claims.get(ci))
            .map(|c| c.span.clone())
            .expect("a claim with relations");
        let i = s.review_index(&path).expect("a review store");
        s.reviews
            .get_mut(i)
            .expect("store")
            .add(review::store::NewAnnotation {
                path: PathBuf::from(&path),
                text: text.clone(),
                range: marked,
                status: review::store::Status::Verified,
                note: Some("called the ministry".into()),
                source: None,
                author: Some("tester".into()),
                label: None,
            })
            .expect("mark");
        s.everything_changed();
        assert!(s.views.current(&path).is_none(), "no diagnostics yet");
        s.diagnostics(&path).expect("diagnostics");
        let view = s.views.current(&path).expect("a current view");
        let mut answered = 0;
        let mut noted = 0;
        for (line, l) in text.split('\n').enumerate() {
            let units = l.encode_utf16().count() as u32;
            for ch in (0..=units + 1).step_by(3).chain([units]) {
                let pos = Position::new(line as u32, ch);
                let from_state = s.hover_at(&path, pos).expect("known document");
                assert_eq!(view.hover(pos), from_state, "{pos:?}");
                if let Some(h) = from_state {
                    answered += 1;
                    if let HoverContents::Markup(m) = &h.contents {
                        noted += usize::from(m.value.contains("called the ministry"));
                    }
                }
            }
        }
        assert!(
            answered > 20 && noted > 0,
            "{answered} hovers, {noted} with the note"
        );
        // Past the end of the text: the same answer too.
        let far = Position::new(100_000, 7);
        assert_eq!(view.hover(far), s.hover_at(&path, far).expect("known"));
        // An edit (as `did_change` makes it): the view is stale, and hovers
        // go to the state until the diagnostics are made again.
        if let Some(d) = s.docs.get_mut(&path) {
            d.rope.insert(0, "Breaking: ");
            d.gen += 1;
        }
        s.views.bump();
        assert!(s.views.current(&path).is_none());
        s.diagnostics(&path).expect("diagnostics");
        let view = s.views.current(&path).expect("current again");
        let pos = Position::new(0, 3);
        assert_eq!(view.hover(pos), s.hover_at(&path, pos).expect("known"));
        // A closed document has no view.
        s.views.forget(&path);
        assert!(s.views.current(&path).is_none());
    }
}
