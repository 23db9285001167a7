//! `corroborate report --html`: self-contained pages (inline CSS and JS, no
//! network), one per story ([`pages`]; an index links them when there are
//! several), each a matrix: facts down, sources across, each cell the
//! source's wording marked agree / conflict / tension / silent, by colour and
//! by glyph, columns sortable, counts per source. [`render`] puts every story
//! on one page.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::ops::Range;
use std::path::Path;

use crate::core::{Analysis, Article, ClaimRef, Corpus, DocId, Relation, RelationKind, Verdict};

use super::store::{Annotation, FileMarks, Status, Store};

/// The state of one cell of the matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Cell {
    Conflict,
    Tension,
    Agree,
    Single,
    Silent,
}

impl Cell {
    pub fn class(self) -> &'static str {
        match self {
            Cell::Conflict => "conflict",
            Cell::Tension => "tension",
            Cell::Agree => "agree",
            Cell::Single => "single",
            Cell::Silent => "silent",
        }
    }
    pub fn glyph(self) -> &'static str {
        match self {
            Cell::Conflict => "✗",
            Cell::Tension => "~",
            Cell::Agree => "✓",
            Cell::Single => "•",
            Cell::Silent => "—",
        }
    }
    pub fn word(self) -> &'static str {
        match self {
            Cell::Conflict => "conflict",
            Cell::Tension => "tension",
            Cell::Agree => "agrees",
            Cell::Single => "only source",
            Cell::Silent => "silent",
        }
    }
}

fn verdict_cell(v: Verdict) -> Cell {
    match v {
        Verdict::Conflict => Cell::Conflict,
        Verdict::Tension => Cell::Tension,
        Verdict::Agree => Cell::Agree,
        Verdict::SingleSource => Cell::Single,
    }
}

/// Escape text for HTML element content and attribute values.
pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut t: String = s.chars().take(max).collect();
    if let Some(i) = t.rfind(' ') {
        if i > max / 2 {
            t.truncate(i);
        }
    }
    t.push('…');
    t
}

/// Column heading of an article: outlet (or file name), date, file name.
pub fn source_name(a: &Article) -> String {
    match &a.meta.outlet {
        Some(o) if !o.trim().is_empty() => o.trim().to_string(),
        _ => file_name(a),
    }
}

fn file_name(a: &Article) -> String {
    Path::new(&a.path)
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_else(|| a.path.clone())
}

/// Counts of one source's cells in a story.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub conflicts: usize,
    pub tensions: usize,
    pub supported: usize,
    pub single: usize,
}

impl Counts {
    fn add(&mut self, c: Cell) {
        match c {
            Cell::Conflict => self.conflicts += 1,
            Cell::Tension => self.tensions += 1,
            Cell::Agree => self.supported += 1,
            Cell::Single => self.single += 1,
            Cell::Silent => {}
        }
    }
}

/// A matrix row: fact label, verdict, one cell per source column.
type Row<'r> = (&'r str, Verdict, Vec<(Cell, Vec<ClaimRef>)>);

/// Report options.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Shown in the header ("generated …"); `None` shows nothing (stable output).
    pub generated: Option<String>,
    /// Page title.
    pub title: Option<String>,
}

struct Ctx<'a> {
    corpus: &'a Corpus,
    by_claim: HashMap<ClaimRef, Vec<&'a Relation>>,
    marks: HashMap<DocId, FileMarks<'a>>,
}

impl<'a> Ctx<'a> {
    fn cell(&self, fact_verdict: Verdict, claims: &[ClaimRef]) -> Cell {
        if claims.is_empty() {
            return Cell::Silent;
        }
        if fact_verdict == Verdict::SingleSource {
            return Cell::Single;
        }
        let mut best: Option<Cell> = None;
        for c in claims {
            for r in self.by_claim.get(c).into_iter().flatten() {
                let k = match r.kind {
                    RelationKind::Conflict => Cell::Conflict,
                    RelationKind::Tension => Cell::Tension,
                    RelationKind::Support => Cell::Agree,
                };
                best = Some(best.map_or(k, |b| b.min(k)));
            }
        }
        best.unwrap_or(verdict_cell(fact_verdict).max(Cell::Agree))
    }

    fn reasons(&self, claims: &[ClaimRef]) -> Vec<String> {
        let mut out = Vec::new();
        for c in claims {
            for r in self.by_claim.get(c).into_iter().flatten() {
                let other = if r.a == *c { r.b } else { r.a };
                let name = self
                    .corpus
                    .article(other.doc())
                    .map(|a| source_name(a))
                    .unwrap_or_default();
                let s = format!("{} {}: {}", r.kind.as_str(), name, collapse(r.reason));
                if !out.contains(&s) {
                    out.push(s);
                }
            }
        }
        out
    }

    fn mark(&self, doc: DocId, span: &Range<usize>) -> Option<&'a Annotation> {
        self.marks.get(&doc).and_then(|m| m.status_of(span))
    }
}

fn badge(a: &Annotation) -> String {
    let mut title = format!("{} by {} on {}", a.status, a.author, a.created);
    if let Some(n) = &a.note {
        let _ = write!(title, " — {n}");
    }
    if let Some(s) = &a.source {
        let _ = write!(title, " (source: {s})");
    }
    format!(
        "<span class=\"badge b-{}\" title=\"{}\">{} {}</span>",
        a.status,
        esc(&title),
        a.status.glyph(),
        a.status
    )
}

const CSS: &str = r#"
:root{--fg:#1d2330;--muted:#5a6270;--bg:#fff;--line:#d5d9e0;--head:#f3f5f8;
--agree-bg:#e3f3e6;--agree-fg:#135c25;--agree-bd:#2e8b47;
--conflict-bg:#fde4e4;--conflict-fg:#8f1616;--conflict-bd:#c62828;
--tension-bg:#fff1cc;--tension-fg:#6b4a00;--tension-bd:#c98a00;
--single-bg:#e8eefb;--single-fg:#22407a;--single-bd:#5b7cc4;
--silent-bg:#f6f7f9;--silent-fg:#6b7280;--silent-bd:#c9ced6}
@media (prefers-color-scheme:dark){:root{--fg:#e6e9ef;--muted:#a3abb9;--bg:#15181e;--line:#343a46;--head:#1f242c;
--agree-bg:#15331d;--agree-fg:#a6e3b4;--agree-bd:#3fa45b;--conflict-bg:#3d1717;--conflict-fg:#ffb4b4;--conflict-bd:#e05555;
--tension-bg:#3a2e0c;--tension-fg:#ffd98a;--tension-bd:#d9a21b;--single-bg:#1a2640;--single-fg:#b4c8f5;--single-bd:#6d8fd8;
--silent-bg:#1b1e24;--silent-fg:#8b93a1;--silent-bd:#3b414d}}
*{box-sizing:border-box}
body{margin:0;padding:24px 32px;font:13.5px/1.42 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;color:var(--fg);background:var(--bg)}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}
.sub{color:var(--muted);margin:0 0 12px}
.legend{display:flex;flex-wrap:wrap;gap:8px 14px;align-items:center;margin:10px 0 6px;padding:8px 12px;border:1px solid var(--line);border-radius:8px;background:var(--head)}
.legend .k{display:inline-flex;align-items:center;gap:6px}
.sw{display:inline-block;min-width:22px;text-align:center;font-weight:700;border-radius:4px;padding:0 4px;border-left:4px solid}
.controls{margin:6px 0 0;color:var(--muted)}
nav ul{margin:4px 0;padding-left:20px}
table.matrix{border-collapse:separate;border-spacing:0;width:100%;table-layout:fixed;border:1px solid var(--line);border-radius:8px;overflow:hidden}
.matrix th,.matrix td{border-bottom:1px solid var(--line);border-right:1px solid var(--line);padding:6px 8px;vertical-align:top;text-align:left}
.matrix thead th{background:var(--head);position:sticky;top:0;z-index:1}
.matrix th.fact{width:16%}.matrix th.verdict{width:8.5em}
.matrix th button{all:unset;cursor:pointer;display:block;width:100%}
.matrix th button:focus-visible{outline:2px solid var(--single-bd);outline-offset:2px}
.matrix th .arrow{color:var(--muted);font-size:11px;white-space:nowrap}
.src-name{font-weight:650;overflow-wrap:anywhere}.src-meta{color:var(--muted);font-size:12px;font-weight:400;overflow-wrap:anywhere}
.counts{display:flex;flex-wrap:wrap;gap:4px;margin-top:4px;font-weight:400}
.counts span{font-size:11.5px;border-radius:4px;padding:0 5px;border-left:3px solid}.counts span.zero{opacity:.45}
tbody th{font-weight:600}
td.c,span.c{border-left:4px solid}
.conflict{background:var(--conflict-bg);color:var(--conflict-fg);border-left-color:var(--conflict-bd)!important}
.tension{background:var(--tension-bg);color:var(--tension-fg);border-left-color:var(--tension-bd)!important}
.agree{background:var(--agree-bg);color:var(--agree-fg);border-left-color:var(--agree-bd)!important}
.single{background:var(--single-bg);color:var(--single-fg);border-left-color:var(--single-bd)!important}
.silent{background:var(--silent-bg);color:var(--silent-fg);border-left-color:var(--silent-bd)!important}
.g{font-weight:800;margin-right:4px}.sr{font-style:italic;font-size:12px}.vh{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.q{margin:0}.q+.q{margin-top:6px;padding-top:6px;border-top:1px dashed var(--line)}
.badge{display:inline-block;margin:4px 4px 0 0;font-size:11.5px;font-weight:600;border-radius:10px;padding:0 7px;border:1px solid;background:var(--bg)}
.b-verified{color:var(--agree-fg);border-color:var(--agree-bd)}
.b-disputed{color:var(--conflict-fg);border-color:var(--conflict-bd)}
.b-ignored{color:var(--silent-fg);border-color:var(--silent-bd)}
td.ignored-cell .q{opacity:.6}
details{margin-top:10px}summary{cursor:pointer;color:var(--muted)}
.orphans li{margin:4px 0}
nav.back{margin:0 0 8px}
table.index{table-layout:auto}
footer{margin-top:28px;color:var(--muted);font-size:12px}
body.only-issues tr.r-agree,body.only-issues tr.r-single{display:none}
@media print{.controls,nav{display:none}.matrix thead th{position:static}}
"#;

const JS: &str = r#"
(function(){
  var rank={conflict:0,tension:1,agree:2,single:3,silent:4};
  document.querySelectorAll('table.matrix').forEach(function(t){
    var heads=t.querySelectorAll('thead th[data-col]');
    heads.forEach(function(th){
      var b=th.querySelector('button'); if(!b) return;
      b.addEventListener('click',function(){
        var col=+th.getAttribute('data-col');
        var dir=th.getAttribute('aria-sort')==='ascending'?-1:1;
        heads.forEach(function(h){h.removeAttribute('aria-sort');var a=h.querySelector('.arrow');if(a)a.textContent='↕';});
        th.setAttribute('aria-sort',dir===1?'ascending':'descending');
        var a=th.querySelector('.arrow'); if(a) a.textContent=dir===1?'▲':'▼';
        var body=t.tBodies[0]; var rows=Array.prototype.slice.call(body.rows);
        rows.sort(function(x,y){
          var cx=x.cells[col], cy=y.cells[col];
          var kx=cx.getAttribute('data-k')||cx.textContent, ky=cy.getAttribute('data-k')||cy.textContent;
          var rx=rank[kx], ry=rank[ky], c;
          if(rx!==undefined&&ry!==undefined){c=rx-ry;}else{c=kx.localeCompare(ky);}
          if(c===0){c=(+x.getAttribute('data-i'))-(+y.getAttribute('data-i'));return c;}
          return c*dir;
        });
        rows.forEach(function(r){body.appendChild(r);});
      });
    });
  });
  var cb=document.getElementById('only-issues');
  if(cb){cb.addEventListener('change',function(){document.body.classList.toggle('only-issues',cb.checked);});}
})();
"#;

/// The stories of the analysis that have articles: (story index, its documents).
pub fn stories(an: &Analysis) -> Vec<(usize, &Vec<DocId>)> {
    an.stories
        .iter()
        .enumerate()
        .filter(|(_, s)| !s.is_empty())
        .collect()
}

fn context<'a>(corpus: &'a Corpus, an: &'a Analysis, store: Option<&'a Store>) -> Ctx<'a> {
    let mut by_claim: HashMap<ClaimRef, Vec<&Relation>> = HashMap::new();
    for r in an.relations() {
        by_claim.entry(r.a).or_default().push(r);
        by_claim.entry(r.b).or_default().push(r);
    }
    let mut marks = HashMap::new();
    if let Some(st) = store {
        for (d, a) in corpus.docs() {
            let target = st.target_of(Path::new(&a.path));
            let m = st.marks_for_target(&target, &a.text);
            if !m.anchored.is_empty() {
                marks.insert(d, m);
            }
        }
    }
    Ctx {
        corpus,
        by_claim,
        marks,
    }
}

/// Counts of facts reported by two or more sources: (facts, in conflict, in tension).
fn fact_counts<'f>(facts: impl Iterator<Item = &'f crate::core::Fact>) -> (usize, usize, usize) {
    let mut n = (0, 0, 0);
    for f in facts {
        if f.verdict != Verdict::SingleSource {
            n.0 += 1;
        }
        if f.verdict == Verdict::Conflict {
            n.1 += 1;
        }
        if f.verdict == Verdict::Tension {
            n.2 += 1;
        }
    }
    n
}

fn head(h: &mut String, title: &str) {
    h.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    h.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    h.push_str("<meta name=\"generator\" content=\"corroborate\">\n");
    let _ = writeln!(h, "<title>{} — corroborate</title>", esc(title));
    let _ = writeln!(h, "<style>{CSS}</style>\n</head>\n<body>");
}

fn legend(h: &mut String) {
    h.push_str("<div class=\"legend\" role=\"note\" aria-label=\"Legend\"><strong>Legend</strong>");
    for c in [
        Cell::Agree,
        Cell::Conflict,
        Cell::Tension,
        Cell::Silent,
        Cell::Single,
    ] {
        let _ = write!(
            h,
            "<span class=\"k\"><span class=\"sw {}\" aria-hidden=\"true\">{}</span>{}</span>",
            c.class(),
            c.glyph(),
            match c {
                Cell::Agree => "agrees with another source",
                Cell::Conflict => "conflicts with another source",
                Cell::Tension => "in tension (compatible, worded differently)",
                Cell::Silent => "source is silent",
                Cell::Single => "only this source says it",
            }
        );
    }
    for s in [Status::Verified, Status::Disputed, Status::Ignored] {
        let _ = write!(
            h,
            "<span class=\"k\"><span class=\"badge b-{s}\">{} {s}</span></span>",
            s.glyph()
        );
    }
    h.push_str("<span class=\"k\">Under each source: its count of ✗ conflicts, ~ tensions, ✓ supported, • single-source claims</span></div>\n");
    h.push_str("<p class=\"controls\"><label><input type=\"checkbox\" id=\"only-issues\"> show only conflicts and tensions</label> · click a column heading to sort</p>\n");
}

/// Orphaned annotations (kept and shown, never dropped) of the documents
/// `keep` accepts.
fn orphans_section(h: &mut String, ctx: &Ctx<'_>, keep: impl Fn(DocId) -> bool) {
    let mut orphans: Vec<(&str, &Annotation)> = ctx
        .marks
        .iter()
        .filter(|(d, _)| keep(**d))
        .flat_map(|(d, m)| {
            let path = ctx
                .corpus
                .article(*d)
                .map(|a| a.path.as_str())
                .unwrap_or("");
            m.orphaned().map(move |o| (path, o.annotation))
        })
        .collect();
    orphans.sort_by(|x, y| (x.0, &x.1.created, &x.1.id).cmp(&(y.0, &y.1.created, &y.1.id)));
    if orphans.is_empty() {
        return;
    }
    h.push_str(
        "<section class=\"orphans\"><h2>Annotations whose text is gone (orphaned)</h2><ul>\n",
    );
    for (p, a) in orphans {
        let _ = writeln!(
            h,
            "<li>{} <code>{}</code>: “{}”</li>",
            badge(a),
            esc(p),
            esc(&truncate(&collapse(&a.selector.exact), 160))
        );
    }
    h.push_str("</ul></section>\n");
}

fn tail(h: &mut String) {
    h.push_str("</main>\n<footer>Generated by corroborate. Cells show each source's own wording; hover a cell for the reasons. Colours are paired with the glyphs ✓ ✗ ~ — •.</footer>\n");
    let _ = writeln!(h, "<script>{JS}</script>\n</body>\n</html>");
}

/// Render every story on one page (sections linked from a list at the top).
/// `store`: the workspace's annotations, shown as badges.
pub fn render(corpus: &Corpus, an: &Analysis, store: Option<&Store>, opts: &Options) -> String {
    let ctx = context(corpus, an, store);
    let stories = stories(an);
    let (n_facts, n_conf, n_tens) = fact_counts(an.facts.iter());
    let title = opts
        .title
        .clone()
        .unwrap_or_else(|| "Cross-source matrix".to_string());
    let mut h = String::with_capacity(64 * 1024);
    head(&mut h, &title);
    h.push_str("<header>\n");
    let _ = writeln!(h, "<h1>{}</h1>", esc(&title));
    let _ = write!(
        h,
        "<p class=\"sub\">{} sources · {} {} · {} facts reported by two or more sources ({} in conflict, {} in tension)",
        corpus.len(),
        stories.len(),
        if stories.len() == 1 { "story" } else { "stories" },
        n_facts,
        n_conf,
        n_tens
    );
    if let Some(g) = &opts.generated {
        let _ = write!(h, " · generated {}", esc(g));
    }
    h.push_str("</p>\n");
    legend(&mut h);
    if stories.len() > 1 {
        h.push_str("<nav aria-label=\"Stories\"><ul>\n");
        for (k, (si, docs)) in stories.iter().enumerate() {
            let _ = writeln!(
                h,
                "<li><a href=\"#story-{}\">{}</a></li>",
                si + 1,
                esc(&story_title(corpus, docs, k + 1))
            );
        }
        h.push_str("</ul></nav>\n");
    }
    h.push_str("</header>\n<main>\n");
    for (k, (si, docs)) in stories.iter().enumerate() {
        render_story(&mut h, &ctx, an, *si, docs, k + 1);
    }
    orphans_section(&mut h, &ctx, |_| true);
    tail(&mut h);
    h
}

/// One page of `corroborate report --html`.
#[derive(Debug, Clone)]
pub struct Page {
    /// File name, to be written next to the others.
    pub name: String,
    pub html: String,
    /// The story it shows (its number among the stories, from 1); `None`
    /// for the index of several stories.
    pub story: Option<usize>,
}

/// The file name of story `n`'s page: `STEM-N-SLUG.html` (the slug from the
/// story's headline, ASCII letters and digits only, at most 48 characters).
pub fn story_file(stem: &str, corpus: &Corpus, docs: &[DocId], n: usize) -> String {
    let title = docs
        .iter()
        .filter_map(|d| corpus.article(*d))
        .find_map(|a| a.meta.title.clone().filter(|t| !t.trim().is_empty()))
        .unwrap_or_default();
    let mut slug = String::new();
    for w in title
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if slug.len() + w.len() + 1 > 48 {
            break;
        }
        if !slug.is_empty() {
            slug.push('-');
        }
        slug.push_str(&w.to_ascii_lowercase());
    }
    if slug.is_empty() {
        format!("{stem}-{n}.html")
    } else {
        format!("{stem}-{n}-{slug}.html")
    }
}

/// The pages of `corroborate report --html FILE`: with one story, that
/// story's page (named `main`); with several, an index named `main` linking
/// to one page per story (named by [`story_file`] with `stem`). Every page is
/// self-contained (inline CSS and script, nothing fetched).
pub fn pages(
    corpus: &Corpus,
    an: &Analysis,
    store: Option<&Store>,
    opts: &Options,
    main: &str,
    stem: &str,
) -> Vec<Page> {
    let ctx = context(corpus, an, store);
    let stories = stories(an);
    if stories.len() <= 1 {
        let html = match stories.first() {
            Some((si, docs)) => story_page(&ctx, an, opts, *si, docs, 1, None),
            None => render(corpus, an, store, opts),
        };
        return vec![Page {
            name: main.to_string(),
            html,
            story: stories.first().map(|_| 1),
        }];
    }
    let mut out = vec![Page {
        name: main.to_string(),
        html: String::new(),
        story: None,
    }];
    let mut links = Vec::new();
    for (k, (si, docs)) in stories.iter().enumerate() {
        let name = story_file(stem, corpus, docs, k + 1);
        out.push(Page {
            html: story_page(&ctx, an, opts, *si, docs, k + 1, Some(main)),
            name: name.clone(),
            story: Some(k + 1),
        });
        links.push((name, *si, docs.as_slice()));
    }
    if let Some(first) = out.first_mut() {
        first.html = index_page(&ctx, an, opts, &links);
    }
    out
}

/// The page of one story: its matrix, and the orphaned marks of its articles.
fn story_page(
    ctx: &Ctx<'_>,
    an: &Analysis,
    opts: &Options,
    si: usize,
    docs: &[DocId],
    n: usize,
    index: Option<&str>,
) -> String {
    let corpus = ctx.corpus;
    let story = story_title(corpus, docs, n);
    let title = match &opts.title {
        Some(t) => format!("{t} — {story}"),
        None => story.clone(),
    };
    let (n_facts, n_conf, n_tens) = fact_counts(an.facts.iter().filter(|f| f.story as usize == si));
    let mut h = String::with_capacity(32 * 1024);
    head(&mut h, &title);
    h.push_str("<header>\n");
    if let Some(i) = index {
        let _ = writeln!(
            h,
            "<nav class=\"back\" aria-label=\"All stories\"><a href=\"{}\">← all stories</a></nav>",
            esc(i)
        );
    }
    let _ = writeln!(
        h,
        "<h1>{}</h1>",
        esc(opts.title.as_deref().unwrap_or("Cross-source matrix"))
    );
    let _ = write!(
        h,
        "<p class=\"sub\">{} sources · {} facts reported by two or more sources ({} in conflict, {} in tension)",
        docs.len(),
        n_facts,
        n_conf,
        n_tens
    );
    if let Some(g) = &opts.generated {
        let _ = write!(h, " · generated {}", esc(g));
    }
    h.push_str("</p>\n");
    legend(&mut h);
    h.push_str("</header>\n<main>\n");
    render_story(&mut h, ctx, an, si, docs, n);
    orphans_section(&mut h, ctx, |d| docs.contains(&d));
    tail(&mut h);
    h
}

/// The index of several stories: one row per story with its counts and a
/// link to its page; the same list as JSON (`#corroborate-stories`) for
/// tools such as the VS Code extension.
fn index_page(
    ctx: &Ctx<'_>,
    an: &Analysis,
    opts: &Options,
    links: &[(String, usize, &[DocId])],
) -> String {
    let corpus = ctx.corpus;
    let title = opts
        .title
        .clone()
        .unwrap_or_else(|| "Cross-source matrix".to_string());
    let (n_facts, n_conf, n_tens) = fact_counts(an.facts.iter());
    let mut h = String::with_capacity(8 * 1024);
    head(&mut h, &title);
    h.push_str("<header>\n");
    let _ = writeln!(h, "<h1>{}</h1>", esc(&title));
    let _ = write!(
        h,
        "<p class=\"sub\">{} sources · {} stories · {} facts reported by two or more sources ({} in conflict, {} in tension)",
        corpus.len(),
        links.len(),
        n_facts,
        n_conf,
        n_tens
    );
    if let Some(g) = &opts.generated {
        let _ = write!(h, " · generated {}", esc(g));
    }
    h.push_str("</p>\n</header>\n<main>\n");
    h.push_str("<table class=\"matrix index\">\n<thead><tr>");
    for (i, (name, class)) in [
        ("Story", "fact"),
        ("Sources", ""),
        ("Facts", ""),
        ("✗ Conflicts", ""),
        ("~ Tensions", ""),
        ("Orphaned marks", ""),
    ]
    .iter()
    .enumerate()
    {
        let _ = write!(
            h,
            "<th scope=\"col\" class=\"{class}\" data-col=\"{i}\"><button type=\"button\">{name} <span class=\"arrow\" aria-hidden=\"true\">↕</span></button></th>"
        );
    }
    h.push_str("</tr></thead>\n<tbody>\n");
    let mut manifest = Vec::new();
    for (ri, (name, si, docs)) in links.iter().enumerate() {
        let (f, c, t) = fact_counts(an.facts.iter().filter(|f| f.story as usize == *si));
        let orphaned: usize = docs
            .iter()
            .filter_map(|d| ctx.marks.get(d))
            .map(|m| m.orphaned().count())
            .sum();
        let row = if c > 0 {
            Cell::Conflict
        } else if t > 0 {
            Cell::Tension
        } else {
            Cell::Agree
        };
        let story = story_title(corpus, docs, ri + 1);
        let _ = writeln!(
            h,
            "<tr class=\"r-{}\" data-i=\"{ri}\"><th scope=\"row\"><a href=\"{}\">{}</a></th><td data-k=\"{:08}\">{}</td><td data-k=\"{:08}\">{f}</td><td class=\"c {}\" data-k=\"{:08}\">{c}</td><td class=\"c {}\" data-k=\"{:08}\">{t}</td><td data-k=\"{:08}\">{orphaned}</td></tr>",
            row.class(),
            esc(name),
            esc(&story),
            docs.len(),
            docs.len(),
            f,
            if c > 0 { "conflict" } else { "silent" },
            c,
            if t > 0 { "tension" } else { "silent" },
            t,
            orphaned
        );
        let sources: Vec<&str> = docs
            .iter()
            .filter_map(|d| corpus.article(*d).map(|a| a.path.as_str()))
            .collect();
        manifest.push(serde_json::json!({
            "file": name,
            "title": story,
            "sources": sources,
            "conflicts": c,
            "tensions": t,
        }));
    }
    h.push_str("</tbody>\n</table>\n");
    // Inside <script>, "</" must not appear: escaped as "<\/".
    let json = serde_json::Value::Array(manifest)
        .to_string()
        .replace("</", "<\\/");
    let _ = writeln!(
        h,
        "<script type=\"application/json\" id=\"corroborate-stories\">{json}</script>"
    );
    tail(&mut h);
    h
}

fn story_title(corpus: &Corpus, docs: &[DocId], n: usize) -> String {
    let t = docs
        .iter()
        .filter_map(|d| corpus.article(*d))
        .find_map(|a| a.meta.title.clone().filter(|t| !t.trim().is_empty()));
    match t {
        Some(t) => format!("Story {n}: {}", truncate(&collapse(&t), 110)),
        None => format!("Story {n}"),
    }
}

fn render_story(h: &mut String, ctx: &Ctx<'_>, an: &Analysis, si: usize, docs: &[DocId], n: usize) {
    let corpus = ctx.corpus;
    let mut cols: Vec<(DocId, &Article)> = docs
        .iter()
        .filter_map(|d| corpus.article(*d).map(|a| (*d, a.as_ref())))
        .collect();
    // Dated sources first, oldest first; then the undated by path.
    cols.sort_by(|x, y| {
        let kx = (x.1.meta.published.is_none(), x.1.meta.published, &x.1.path);
        let ky = (y.1.meta.published.is_none(), y.1.meta.published, &y.1.path);
        kx.cmp(&ky)
    });
    let facts: Vec<&crate::core::Fact> =
        an.facts.iter().filter(|f| f.story as usize == si).collect();
    let rows: Vec<Row<'_>> = facts
        .iter()
        .map(|f| {
            let cells = cols
                .iter()
                .map(|(d, _)| {
                    let cs: Vec<ClaimRef> =
                        f.claims.iter().copied().filter(|c| c.doc() == *d).collect();
                    (ctx.cell(f.verdict, &cs), cs)
                })
                .collect();
            (f.label, f.verdict, cells)
        })
        .collect();
    let mut counts = vec![Counts::default(); cols.len()];
    for (_, _, cells) in &rows {
        for (i, (c, _)) in cells.iter().enumerate() {
            if let Some(k) = counts.get_mut(i) {
                k.add(*c);
            }
        }
    }
    let _ = writeln!(
        h,
        "<section id=\"story-{}\" aria-labelledby=\"story-{}-h\">",
        si + 1,
        si + 1
    );
    let _ = writeln!(
        h,
        "<h2 id=\"story-{}-h\">{}</h2>",
        si + 1,
        esc(&story_title(corpus, docs, n))
    );
    let (multi, single): (Vec<&Row<'_>>, Vec<&Row<'_>>) =
        rows.iter().partition(|r| r.1 != Verdict::SingleSource);
    if multi.is_empty() {
        h.push_str("<p class=\"sub\">No fact in this story is reported by two sources.</p>\n");
    } else {
        table(h, ctx, &cols, &counts, &multi, true);
    }
    if !single.is_empty() {
        let _ = writeln!(
            h,
            "<details><summary>Claims only one source makes ({})</summary>",
            single.len()
        );
        table(h, ctx, &cols, &counts, &single, false);
        h.push_str("</details>\n");
    }
    h.push_str("</section>\n");
}

fn table(
    h: &mut String,
    ctx: &Ctx<'_>,
    cols: &[(DocId, &Article)],
    counts: &[Counts],
    rows: &[&Row<'_>],
    with_counts: bool,
) {
    h.push_str("<table class=\"matrix\">\n<thead><tr>");
    h.push_str("<th class=\"fact\" scope=\"col\" data-col=\"0\"><button type=\"button\">Fact <span class=\"arrow\" aria-hidden=\"true\">↕</span></button></th>");
    h.push_str("<th class=\"verdict\" scope=\"col\" data-col=\"1\"><button type=\"button\">Verdict <span class=\"arrow\" aria-hidden=\"true\">↕</span></button></th>");
    for (i, (_, a)) in cols.iter().enumerate() {
        let date = a
            .meta
            .published
            .map(|d| d.to_string())
            .unwrap_or_else(|| "date unknown".into());
        let _ = write!(
            h,
            "<th scope=\"col\" data-col=\"{}\" title=\"{}\"><button type=\"button\"><span class=\"src-name\">{}</span> <span class=\"arrow\" aria-hidden=\"true\">↕</span><br><span class=\"src-meta\">{}{}</span></button>",
            i + 2,
            esc(&a.path),
            esc(&source_name(a)),
            esc(&date),
            if source_name(a) == file_name(a) {
                String::new()
            } else {
                format!(" · {}", esc(&file_name(a)))
            }
        );
        if with_counts {
            if let Some(c) = counts.get(i) {
                let what = format!(
                    "{} conflicts, {} tensions, {} supported, {} single-source",
                    c.conflicts, c.tensions, c.supported, c.single
                );
                let _ = write!(
                    h,
                    "<div class=\"counts\" title=\"{what}\" aria-label=\"{what}\">"
                );
                for (cell, n) in [
                    (Cell::Conflict, c.conflicts),
                    (Cell::Tension, c.tensions),
                    (Cell::Agree, c.supported),
                    (Cell::Single, c.single),
                ] {
                    let _ = write!(
                        h,
                        "<span class=\"{}{}\">{} {n}</span>",
                        cell.class(),
                        if n == 0 { " zero" } else { "" },
                        cell.glyph()
                    );
                }
                h.push_str("</div>");
            }
        }
        h.push_str("</th>");
    }
    h.push_str("</tr></thead>\n<tbody>\n");
    for (ri, (label, verdict, cells)) in rows.iter().enumerate() {
        let vc = verdict_cell(*verdict);
        let _ = write!(h, "<tr class=\"r-{}\" data-i=\"{ri}\">", vc.class());
        let _ = write!(h, "<th scope=\"row\">{}</th>", esc(&truncate(label, 80)));
        let _ = write!(
            h,
            "<td class=\"c {}\" data-k=\"{}\"><span class=\"g\" aria-hidden=\"true\">{}</span>{}</td>",
            vc.class(),
            vc.class(),
            vc.glyph(),
            verdict.as_str()
        );
        for (cell, claims) in cells {
            let reasons = ctx.reasons(claims);
            let mut badges = String::new();
            let mut ignored = false;
            let mut seen: Vec<&str> = Vec::new();
            for c in claims {
                let Some(a) = ctx.corpus.article(c.doc()) else {
                    continue;
                };
                let Some(cl) = a.claims.get(c.claim()) else {
                    continue;
                };
                if let Some(m) = ctx.mark(c.doc(), &cl.span) {
                    if !seen.contains(&m.id.as_str()) {
                        seen.push(m.id.as_str());
                        badges.push_str(&badge(m));
                        ignored |= m.status == Status::Ignored;
                    }
                }
            }
            let _ = write!(
                h,
                "<td class=\"c {}{}\" data-k=\"{}\"{}>",
                cell.class(),
                if ignored { " ignored-cell" } else { "" },
                cell.class(),
                if reasons.is_empty() {
                    String::new()
                } else {
                    format!(" title=\"{}\"", esc(&reasons.join("\n")))
                }
            );
            if claims.is_empty() {
                let _ = write!(
                    h,
                    "<span class=\"g\" aria-hidden=\"true\">{}</span><span class=\"sr\">{}</span>",
                    cell.glyph(),
                    cell.word()
                );
            } else {
                for (k, c) in claims.iter().enumerate() {
                    let text = ctx
                        .corpus
                        .article(c.doc())
                        .and_then(|a| {
                            a.claims
                                .get(c.claim())
                                .and_then(|cl| a.text.get(cl.span.clone()))
                        })
                        .unwrap_or("");
                    let _ = write!(
                        h,
                        "<p class=\"q\">{}{}</p>",
                        if k == 0 {
                            format!(
                                "<span class=\"g\" title=\"{}\" aria-hidden=\"true\">{}</span><span class=\"vh\">{}: </span>",
                                cell.word(),
                                cell.glyph(),
                                cell.word()
                            )
                        } else {
                            String::new()
                        },
                        esc(&truncate(&collapse(text), 220))
                    );
                }
            }
            h.push_str(&badges);
            h.push_str("</td>");
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody>\n</table>\n");
}
