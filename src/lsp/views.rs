//! Hovers answered while the server's state is busy.
//!
//! The state is one lock (`State` in `mod.rs`). Most of what holds it is
//! short, but some work on a large workspace is not: grouping 10,000
//! articles into stories for a first workspace-symbol query (~100 ms),
//! taking in thousands of files changed on disk, removing them. A hover
//! sent meanwhile waited for it.
//!
//! Each time an open document's diagnostics are made, what its hovers need
//! is kept here as a [`HoverView`]: the article, its relations, its story
//! and the articles they quote, the reviewers' notes, its line index. A
//! hover that finds the state locked is answered from the view instead, if
//! the view is *current*.
//!
//! # Invariant
//! A view is current when nothing the editor did has changed the state
//! since it was made: every change of an open document (open, edit, close),
//! of the settings, the roots or the review marks bumps [`Views::bump`]
//! while it holds the state's lock, after the change; a view records the
//! count it was made under, also under the lock. A hover sent after an edit
//! is never answered from a view made before it (the edit is applied, and
//! the count bumped, before the server reads the next message), and the
//! text the hover's position points into is the view's own.
//!
//! Changes on disk do not bump the count: a view answers what the
//! diagnostics on screen say until they are made again, as a hover that
//! came before the change was taken in always did.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use tower_lsp_server::ls_types::{Hover, HoverContents, MarkupContent, MarkupKind, Position};

use super::position::{Encoding, LineIndex};
use super::render::{self, Articles};
use crate::core::{Article, DocId, Relation};

/// The views of the open documents, by corpus path.
#[derive(Default)]
pub struct Views {
    /// Bumped by every change from the editor (see the module's invariant).
    count: AtomicU64,
    by_path: Mutex<HashMap<String, Arc<HoverView>>>,
}

impl Views {
    /// Call with the state locked, after changing it: every view made
    /// before is no longer current.
    pub fn bump(&self) {
        self.count.fetch_add(1, Ordering::SeqCst);
    }

    /// The count a view made now (with the state locked) records.
    pub fn count(&self) -> u64 {
        self.count.load(Ordering::SeqCst)
    }

    pub fn put(&self, path: &str, view: HoverView) {
        if let Ok(mut m) = self.by_path.lock() {
            m.insert(path.to_string(), Arc::new(view));
        }
    }

    pub fn forget(&self, path: &str) {
        if let Ok(mut m) = self.by_path.lock() {
            m.remove(path);
        }
    }

    /// The view of `path` if it is current.
    pub fn current(&self, path: &str) -> Option<Arc<HoverView>> {
        let view = self.by_path.lock().ok()?.get(path).cloned()?;
        (view.count == self.count()).then_some(view)
    }
}

/// What the hovers of one open document need, as its last diagnostics saw it.
pub struct HoverView {
    pub count: u64,
    pub doc: DocId,
    pub art: Arc<Article>,
    pub rels: Arc<Vec<Relation>>,
    /// The documents of its story, and their articles (the relations are
    /// all within the story).
    pub story: Arc<Vec<DocId>>,
    pub articles: HashMap<DocId, Arc<Article>>,
    /// The reviewers' note on each claim that has one (by claim index).
    pub notes: BTreeMap<usize, String>,
    pub lines: Arc<LineIndex>,
    pub enc: Encoding,
}

impl Articles for HoverView {
    fn article(&self, doc: DocId) -> Option<&Article> {
        self.articles.get(&doc).map(|a| &**a)
    }
}

impl HoverView {
    /// The hover at `pos`, as the server makes it with the state
    /// ([`hover_card`]); `None` where no claim with relations lies.
    pub fn hover(&self, pos: Position) -> Option<Hover> {
        let text = &self.art.text;
        let offset = self.lines.offset(text, pos, self.enc);
        let (md, span) = hover_card(
            self,
            &self.story,
            self.doc,
            &self.art,
            &self.rels,
            offset,
            |ci, _| self.notes.get(&ci).cloned(),
        )?;
        Some(markdown_hover(md, self.lines.range(text, span, self.enc)))
    }
}

/// The hover card of the claim with relations at byte `offset` of `art`
/// (document `doc`), and that claim's span: one function for the hover
/// made under the state's lock and the one made from a view. `note` gives
/// a claim's review note from its index and span.
pub fn hover_card(
    articles: &dyn Articles,
    story: &[DocId],
    doc: DocId,
    art: &Article,
    rels: &[Relation],
    offset: usize,
    note: impl FnOnce(usize, &std::ops::Range<usize>) -> Option<String>,
) -> Option<(String, std::ops::Range<usize>)> {
    let grouped = render::by_claim(doc, rels);
    let ci = render::related_claim_at(art, offset, &grouped)?;
    let claim = art.claims.get(ci)?;
    let md = render::hover(
        articles,
        story,
        doc,
        ci,
        grouped.get(&ci).map_or(&[][..], Vec::as_slice),
        note(ci, &claim.span),
    )?;
    Some((md, claim.span.clone()))
}

pub fn markdown_hover(md: String, range: tower_lsp_server::ls_types::Range) -> Hover {
    Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: md,
        }),
        range: Some(range),
    }
}
