//! From relations to what the editor shows: diagnostics, hover cards, inlay
//! hints, symbols. Pure functions of the corpus and one document's relations.

use std::collections::BTreeMap;

use tower_lsp_server::ls_types::{
    Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, Location, NumberOrString,
    Position, Uri,
};

use super::config::Settings;
use std::sync::Arc;

use super::position::{Encoding, LineIndex};
use crate::core::{Article, ClaimRef, Corpus, DocId, Relation, RelationKind};

/// A claim's relations, seen from that claim.
pub struct Other<'a> {
    pub claim: ClaimRef,
    pub relation: &'a Relation,
}

/// Relations of `doc` grouped by its claim index.
pub fn by_claim(doc: DocId, rels: &[Relation]) -> BTreeMap<usize, Vec<Other<'_>>> {
    let mut m: BTreeMap<usize, Vec<Other>> = BTreeMap::new();
    for r in rels {
        if r.a.doc() == doc {
            m.entry(r.a.claim()).or_default().push(Other {
                claim: r.b,
                relation: r,
            });
        }
        if r.b.doc() == doc {
            m.entry(r.b.claim()).or_default().push(Other {
                claim: r.a,
                relation: r,
            });
        }
    }
    m
}

/// The outlet's name, or the file name when the article does not state it.
pub fn source_name(a: &Article) -> String {
    a.meta.outlet.clone().unwrap_or_else(|| {
        std::path::Path::new(&a.path)
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_else(|| a.path.clone())
    })
}

/// Text shortened to `max` characters at a char boundary, whitespace collapsed.
pub fn short(s: &str, max: usize) -> String {
    let flat: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= max {
        return flat;
    }
    let cut: String = flat.chars().take(max.saturating_sub(1)).collect();
    format!("{}…", cut.trim_end())
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// The URI of an article path (a file path, or already a URI for unsaved buffers).
pub fn uri_of(path: &str) -> Option<Uri> {
    if path.contains("://") || path.starts_with("untitled:") {
        return path.parse().ok();
    }
    Uri::from_file_path(path)
}

/// The line index of each article, built at most once per corpus
/// generation (the corpus changes only by whole-document replacement, and
/// every change bumps the generation).
#[derive(Default)]
pub struct LineCache {
    gen: std::cell::Cell<u64>,
    map: std::cell::RefCell<std::collections::HashMap<DocId, Arc<LineIndex>>>,
}

impl LineCache {
    pub(super) fn index(&self, gen: u64, doc: DocId, text: &str) -> Arc<LineIndex> {
        if self.gen.get() != gen {
            self.map.borrow_mut().clear();
            self.gen.set(gen);
        }
        let mut map = self.map.borrow_mut();
        match map.get(&doc) {
            Some(ix) if ix.fits(text) => ix.clone(),
            _ => {
                let ix = Arc::new(LineIndex::new(text));
                map.insert(doc, ix.clone());
                ix
            }
        }
    }
}

/// Conversions between byte spans of corpus articles and LSP positions,
/// through each article's cached line index.
pub struct Spans<'a> {
    pub corpus: &'a Corpus,
    pub enc: Encoding,
    pub cache: &'a LineCache,
    /// The corpus generation the cache is valid for.
    pub gen: u64,
}

impl Spans<'_> {
    fn with<T>(&self, doc: DocId, f: impl FnOnce(&LineIndex, &str) -> T) -> Option<T> {
        let art = self.corpus.article(doc)?;
        let ix = self.cache.index(self.gen, doc, &art.text);
        Some(f(&ix, &art.text))
    }

    /// Byte span of article `doc` → LSP range (empty at 0:0 for an unknown article).
    pub fn range(
        &self,
        doc: DocId,
        span: std::ops::Range<usize>,
    ) -> tower_lsp_server::ls_types::Range {
        self.with(doc, |ix, t| ix.range(t, span, self.enc))
            .unwrap_or_default()
    }

    pub fn position(&self, doc: DocId, offset: usize) -> Position {
        self.with(doc, |ix, t| ix.position(t, offset, self.enc))
            .unwrap_or_default()
    }

    pub fn offset(&self, doc: DocId, pos: Position) -> usize {
        self.with(doc, |ix, t| ix.offset(t, pos, self.enc))
            .unwrap_or(0)
    }
}

/// Which claims are hidden by a reviewer's "ignored" mark.
pub type IsIgnored<'a> = dyn Fn(&std::ops::Range<usize>) -> bool + 'a;

/// Diagnostics of one document.
pub fn diagnostics(
    corpus: &Corpus,
    doc: DocId,
    rels: &[Relation],
    settings: &Settings,
    spans: &Spans,
    ignored: &IsIgnored,
) -> Vec<Diagnostic> {
    let Some(art) = corpus.article(doc) else {
        return Vec::new();
    };
    let text = &art.text;
    let mut out = Vec::new();
    let grouped = by_claim(doc, rels);
    for (ci, claim) in art.claims.iter().enumerate() {
        if ignored(&claim.span) {
            continue;
        }
        let others = grouped.get(&ci);
        let worst = others.and_then(|o| {
            o.iter()
                .map(|x| x.relation.kind)
                .filter(|k| *k != RelationKind::Support)
                .min()
        });
        // Positions are computed only for what is reported.
        let range = || spans.range(doc, claim.span.clone());
        match (worst, others) {
            (Some(kind), Some(others)) => {
                let enabled = match kind {
                    RelationKind::Conflict => settings.diagnostics.conflict,
                    RelationKind::Tension => settings.diagnostics.tension,
                    RelationKind::Support => false,
                };
                if !enabled {
                    continue;
                }
                let disagreeing: Vec<&Other> =
                    others.iter().filter(|o| o.relation.kind == kind).collect();
                let label = disagreeing
                    .first()
                    .map(|o| o.relation.label)
                    .unwrap_or("claim");
                let here = short(&text[claim.span.clone()], 80);
                let mut message = format!("{}: '{}' here", capitalise(label), here);
                let mut related = Vec::new();
                for o in &disagreeing {
                    let Some(oa) = corpus.article(o.claim.doc()) else {
                        continue;
                    };
                    let Some(oc) = oa.claims.get(o.claim.claim()) else {
                        continue;
                    };
                    let wording = short(oa.text.get(oc.span.clone()).unwrap_or(""), 80);
                    message.push_str(&format!("; {} says '{}'", source_name(oa), wording));
                    if let Some(uri) = uri_of(&oa.path) {
                        related.push(DiagnosticRelatedInformation {
                            location: Location {
                                uri,
                                range: spans.range(o.claim.doc(), oc.span.clone()),
                            },
                            message: format!(
                                "{}: '{}' ({})",
                                source_name(oa),
                                wording,
                                o.relation.reason
                            ),
                        });
                    }
                }
                if let Some(o) = disagreeing.first() {
                    message.push_str(&format!(" ({})", o.relation.reason));
                }
                let (severity, code) = match kind {
                    RelationKind::Conflict => (DiagnosticSeverity::WARNING, "conflict"),
                    _ => (DiagnosticSeverity::INFORMATION, "tension"),
                };
                out.push(Diagnostic {
                    range: range(),
                    severity: Some(severity),
                    code: Some(NumberOrString::String(code.into())),
                    source: Some("corroborate".into()),
                    message,
                    related_information: Some(related),
                    ..Default::default()
                });
            }
            (None, None) if settings.diagnostics.single_source && !claim.kind.is_typed() => {
                out.push(Diagnostic {
                    range: range(),
                    severity: Some(DiagnosticSeverity::HINT),
                    code: Some(NumberOrString::String("single-source".into())),
                    source: Some("corroborate".into()),
                    message: "No other source states this".into(),
                    ..Default::default()
                });
            }
            _ => {}
        }
        if let Some(issue) = claim
            .issue()
            .filter(|_| settings.diagnostics.date_mismatch && claim.kind.is_typed())
        {
            out.push(Diagnostic {
                range: range(),
                severity: Some(DiagnosticSeverity::WARNING),
                code: Some(NumberOrString::String("date-mismatch".into())),
                source: Some("corroborate".into()),
                message: format!("Date: {issue}"),
                ..Default::default()
            });
        }
    }
    out
}

/// The innermost claim of `doc` containing byte `offset`.
pub fn claim_at(art: &Article, offset: usize) -> Option<usize> {
    art.claims
        .iter()
        .enumerate()
        .filter(|(_, c)| c.span.start <= offset && offset <= c.span.end)
        .min_by_key(|(_, c)| c.span.len())
        .map(|(i, _)| i)
}

/// The claim at `offset` that other sources speak of, preferring the innermost.
pub fn related_claim_at(
    art: &Article,
    offset: usize,
    grouped: &BTreeMap<usize, Vec<Other>>,
) -> Option<usize> {
    art.claims
        .iter()
        .enumerate()
        .filter(|(i, c)| c.span.start <= offset && offset <= c.span.end && grouped.contains_key(i))
        // A claim in conflict or tension first (what the squiggle is about),
        // then the innermost.
        .min_by_key(|(i, c)| {
            let disagrees = grouped
                .get(i)
                .is_some_and(|o| o.iter().any(|x| x.relation.kind != RelationKind::Support));
            (!disagrees, c.span.len())
        })
        .map(|(i, _)| i)
}

fn mark(kind: RelationKind) -> &'static str {
    match kind {
        RelationKind::Support => "✓ agrees",
        RelationKind::Conflict => "✗ conflicts",
        RelationKind::Tension => "~ tension",
    }
}

/// Where the hover card finds the articles it quotes: the corpus under
/// the server's lock, or the copies a [`super::views::HoverView`] keeps.
pub trait Articles {
    fn article(&self, doc: DocId) -> Option<&Article>;
}

impl Articles for Corpus {
    fn article(&self, doc: DocId) -> Option<&Article> {
        Corpus::article(self, doc).map(|a| &**a)
    }
}

/// The hover card of claim `ci` of `doc`: the fact, a line per source, the
/// reason; `story` is the documents of `doc`'s story (the sources that say
/// nothing of it are listed as silent).
pub fn hover(
    corpus: &dyn Articles,
    story: &[DocId],
    doc: DocId,
    ci: usize,
    others: &[Other],
    review: Option<String>,
) -> Option<String> {
    let art = corpus.article(doc)?;
    let claim = art.claims.get(ci)?;
    // The label of the most telling relation: a conflict, a tension, then agreement.
    let label = others
        .iter()
        .min_by_key(|o| (o.relation.kind == RelationKind::Support, o.relation.kind))
        .map(|o| o.relation.label)
        .unwrap_or_default();
    let mut s = format!(
        "**{}**",
        capitalise(if label.is_empty() {
            claim.kind.as_str()
        } else {
            label
        })
    );
    if let Some(v) = &claim.value {
        s.push_str(&format!(" · `{v}`"));
    }
    s.push_str("\n\n");
    let date = |a: &Article| {
        a.meta
            .published
            .map(|d| format!(" ({d})"))
            .unwrap_or_default()
    };
    s.push_str(&format!(
        "- **{}**{} — this article: “{}”\n",
        source_name(art),
        date(art),
        short(art.text.get(claim.span.clone()).unwrap_or(""), 120)
    ));
    let mut mentioned = vec![doc];
    let mut sorted: Vec<&Other> = others.iter().collect();
    sorted.sort_by_key(|o| (o.relation.kind, o.claim));
    for o in &sorted {
        let Some(oa) = corpus.article(o.claim.doc()) else {
            continue;
        };
        let Some(oc) = oa.claims.get(o.claim.claim()) else {
            continue;
        };
        mentioned.push(o.claim.doc());
        s.push_str(&format!(
            "- {} **{}**{}: “{}” — {}\n",
            mark(o.relation.kind),
            source_name(oa),
            date(oa),
            short(oa.text.get(oc.span.clone()).unwrap_or(""), 120),
            o.relation.reason
        ));
    }
    for &d in story {
        if mentioned.contains(&d) {
            continue;
        }
        if let Some(oa) = corpus.article(d) {
            s.push_str(&format!(
                "- — **{}**{}: silent\n",
                source_name(oa),
                date(oa)
            ));
        }
    }
    if let Some(r) = review {
        s.push_str(&format!("\n{r}\n"));
    }
    Some(s)
}

/// "✓", "✗" or "~".
pub fn glyph(kind: RelationKind) -> &'static str {
    match kind {
        RelationKind::Support => "✓",
        RelationKind::Conflict => "✗",
        RelationKind::Tension => "~",
    }
}

/// "✓2 ✗1 ~1" for a claim's relations.
pub fn tally(others: &[Other]) -> String {
    let n = |k| others.iter().filter(|o| o.relation.kind == k).count();
    let mut parts = Vec::new();
    for (k, g) in [
        (RelationKind::Support, "✓"),
        (RelationKind::Conflict, "✗"),
        (RelationKind::Tension, "~"),
    ] {
        let c = n(k);
        if c > 0 {
            parts.push(format!("{g}{c}"));
        }
    }
    parts.join(" ")
}

/// Where "according to <outlet>" goes for the claim at `span` of `text`, and
/// the text to insert: before the claim's closing punctuation (", according
/// to X."), or after a closing quotation mark (" (according to X)").
pub fn attribution(text: &str, span: &std::ops::Range<usize>, outlet: &str) -> (usize, String) {
    let claim = text.get(span.clone()).unwrap_or("");
    let trimmed = claim.trim_end();
    let mut at = span.start + trimmed.len();
    let last = trimmed.chars().next_back();
    match last {
        Some('"' | '\u{201D}' | '\u{2019}' | '\'' | ')') => {
            return (at, format!(" (according to {outlet})"));
        }
        Some('.' | '!' | '?' | ';' | ':' | ',') => {
            at -= 1; // all ASCII
        }
        _ => {}
    }
    (at, format!(", according to {outlet}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attribution_goes_before_the_full_stop_or_after_the_quote() {
        let t = "They sent more than 200 members. Then more.";
        let span = 0..t.find(" Then").unwrap_or(0);
        let (at, ins) = attribution(t, &span, "Example Wire");
        let mut out = t.to_string();
        out.insert_str(at, &ins);
        assert!(out.starts_with("They sent more than 200 members, according to Example Wire."));
        let t = "He said \u{201C}we are 200\u{201D}";
        let (at, ins) = attribution(t, &(0..t.len()), "X");
        assert_eq!(at, t.len());
        assert_eq!(ins, " (according to X)");
        let t = "한국 delegation of nearly 200";
        assert_eq!(attribution(t, &(0..t.len()), "X").0, t.len());
        // A span past the text does not panic.
        let _ = attribution("abc", &(2..99), "X");
    }
}
