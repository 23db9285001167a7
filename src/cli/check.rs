//! `corroborate check PATH...`: the batch analysis and its report formats.

use std::io::Write;
use std::sync::Arc;

use rayon::prelude::*;
use serde_json::Value;

use crate::core::corpus::{Grouping, TermCounts};
use crate::core::persist;
use crate::core::{self, analysis, Article, ClaimRef, Corpus, DocId, MetaOverride, RelationKind};
use crate::review::marks::CorpusMarks;
use crate::review::Annotation;

use super::cache::{ArticleKeys, Previous};
use super::json_out::{self, ReportId};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A readable report (the default).
    Text,
    /// One JSON object (the contract in check-json.md).
    Json,
    /// SARIF 2.1.0, for code-scanning tools.
    Sarif,
    /// GitHub Actions workflow annotations.
    Github,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    /// Exit 1 when a conflict is found.
    Conflict,
    /// Exit 1 when a conflict or a tension is found.
    Tension,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    /// Colour when standard output is a terminal and NO_COLOR is not set.
    Auto,
    Always,
    Never,
}

impl ColorChoice {
    /// Whether to colour standard output.
    pub fn resolve(self) -> bool {
        use std::io::IsTerminal;
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                    && std::env::var_os("TERM").is_none_or(|t| t != "dumb")
                    && std::io::stdout().is_terminal()
            }
        }
    }
}

/// `corroborate check`: its command-line arguments.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Exit status: 0 when the analysis ran (whatever it found); 1 with --fail-on \
when such a finding was found; 2 on bad usage or an explicit PATH that is missing or not a \
readable UTF-8 article. Files inside directories that cannot be used (binary, UTF-16, invalid \
UTF-8, over 20 MB, unreadable, symlink loops) are skipped with a warning on stderr."
)]
pub struct CheckArgs {
    /// Article files, or directories to search for articles.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<std::path::PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
    /// Exit with status 1 when a finding of this kind (or worse) is found.
    #[arg(long, value_enum, value_name = "KIND")]
    pub fail_on: Option<FailOn>,
    /// Glob of article files inside directories (repeatable; default **/*.txt and **/*.md).
    #[arg(long = "glob", value_name = "GLOB")]
    pub globs: Vec<String>,
    /// Also list the supported facts and the single-source claims (text format).
    #[arg(long, short = 'a')]
    pub all: bool,
    /// Colour in the text report.
    #[arg(long, value_enum, default_value = "auto", value_name = "WHEN")]
    pub color: ColorChoice,
    /// Neither read nor write the analysis cache (also CORROBORATE_NO_CACHE=1).
    /// The cache lives in $CORROBORATE_CACHE_DIR, else $XDG_CACHE_HOME/corroborate,
    /// else ~/.cache/corroborate.
    #[arg(long)]
    pub no_cache: bool,
    /// Report everything, ignoring reviewers' marks. By default a claim
    /// marked `ignored` in the workspace's .corroborate/annotations.jsonl has
    /// no finding and does not count for --fail-on (the same conflict is still
    /// reported on the other source's claim unless that one is ignored too).
    #[arg(long)]
    pub no_marks: bool,
}

/// Run `corroborate check`: the process exit status (0 ran, 1 `--fail-on`
/// matched, 2 usage error or unreadable argument). Messages go to stderr.
pub fn execute(args: CheckArgs) -> u8 {
    let globs = if args.globs.is_empty() {
        super::files::default_globs()
    } else {
        args.globs.clone()
    };
    let walk = match super::files::collect(&args.paths, &globs) {
        Ok(w) => w,
        Err(e) => {
            eprintln!("corroborate: error: {e}");
            return 2;
        }
    };
    for w in &walk.warnings {
        eprintln!("corroborate: warning: {w}");
    }
    if !walk.errors.is_empty() {
        for e in &walk.errors {
            eprintln!("corroborate: error: {e}");
        }
        return 2;
    }
    if walk.files.is_empty() {
        eprintln!(
            "corroborate: warning: no article files found (looked for {})",
            globs.join(", ")
        );
    }
    let cache = super::cache::Cache::from_env(args.no_cache);
    // The same as `analysis::analyze`, with the term index freed once the
    // stories are known: nothing after reads it.
    let Grouped {
        corpus,
        keys,
        stories,
        ..
    } = build_grouped(walk.files, cache.as_ref());
    let per_story = stories
        .par_iter()
        .map(|s| match &cache {
            Some(c) => c.story_relations(
                &corpus,
                s,
                |d| keys.get(d).copied().flatten(),
                label_for_this_run,
            ),
            None => corpus.story_relations_keeping(s, label_for_this_run),
        })
        .collect();
    let an = analysis::analyze_relations(&corpus, stories, per_story, true);
    let opts = Options {
        format: args.format,
        fail_on: args.fail_on,
        color: args.format == Format::Text && args.color.resolve(),
        all: args.all,
    };
    let marks = (!args.no_marks).then(|| CorpusMarks::load(&corpus));
    if let Some(m) = &marks {
        for w in &m.warnings {
            eprintln!("corroborate: warning: {w}");
        }
        let mut orphans: Vec<(&str, &crate::review::Annotation)> = m
            .orphaned()
            .filter_map(|(d, a)| Some((corpus.article(d)?.path.as_str(), a)))
            .collect();
        orphans.sort_by(|x, y| (x.0, &x.1.created).cmp(&(y.0, &y.1.created)));
        for (path, a) in orphans {
            eprintln!(
                "corroborate: warning: {path}: review mark orphaned (its text is gone): “{}” ({})",
                super::report::excerpt(&a.selector.exact, 80),
                a.summary()
            );
        }
    }
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::with_capacity(1 << 16, raw_stdout(&stdout));
    let res = run_marked(&corpus, &an, &opts, marks.as_ref(), &mut out).and_then(|code| {
        out.flush()?;
        Ok(code)
    });
    // The process ends here: freeing millions of small allocations one by
    // one would only delay the exit (8 % of a warm run on 10,000 articles).
    std::mem::forget(an);
    std::mem::forget(corpus);
    match res {
        Ok(code) => code as u8,
        Err(e) => {
            // A closed pipe (`| head`) is not an error of ours.
            let kind = e
                .downcast_ref::<std::io::Error>()
                .map(|io| io.kind())
                .or_else(|| {
                    e.downcast_ref::<serde_json::Error>()
                        .and_then(|j| j.io_error_kind())
                });
            if kind == Some(std::io::ErrorKind::BrokenPipe) {
                return 0;
            }
            eprintln!("corroborate: error: {e}");
            2
        }
    }
}

/// A relation's label (or reason), computed or read back from the cache,
/// kept to the end of this process: `check` holds its analysis to the end,
/// and forgets it at exit. The labels of a story are its own (about 90,000
/// distinct ones on 10,000 articles), so the process's shared table
/// ([`core::terms::symbol`]) would find few of them; and each of its
/// lookups takes a lock that the threads hand back and forth (8 % of a
/// warm `check` on 10,000 articles, `perf`). A copy of each of a story's
/// distinct texts is a few megabytes, once.
fn label_for_this_run(label: &str) -> &'static str {
    Box::leak(label.into())
}

/// Standard output without its line buffering: `Stdout` looks for the last
/// newline of everything written to it (a pass over the whole report, a
/// fortieth of a warm-cache `check`). On Unix a duplicate of the descriptor,
/// written to directly; elsewhere, or when it cannot be duplicated, the
/// locked `Stdout`.
fn raw_stdout(stdout: &std::io::Stdout) -> Box<dyn Write + '_> {
    #[cfg(unix)]
    {
        use std::os::fd::AsFd;
        if let Ok(fd) = stdout.as_fd().try_clone_to_owned() {
            return Box::new(std::fs::File::from(fd));
        }
    }
    Box::new(stdout.lock())
}

pub struct Options {
    pub format: Format,
    pub fail_on: Option<FailOn>,
    /// ANSI colour in the text report.
    pub color: bool,
    /// List supported facts and single-source claims in the text report.
    pub all: bool,
}

/// Build the corpus from loaded files, parsing in parallel (each article's
/// terms are counted on the thread that parsed it: counting is most of
/// inserting, and insertion is serial).
pub fn build_corpus(files: Vec<super::files::Loaded>) -> Corpus {
    let none = MetaOverride::default();
    let arts: Vec<(Article, TermCounts)> = files
        .into_par_iter()
        .map(|f| {
            let a = Article::parse_owned(f.path, f.text, &none);
            let counts = TermCounts::of(&a);
            (a, counts)
        })
        .collect();
    let mut corpus = Corpus::new(core::EngineConfig::default());
    corpus.insert_counted_many(arts);
    corpus
}

/// The corpus of a batch run, with its stories ([`build_grouped`]).
pub struct Grouped {
    /// The term index is released: nothing after the stories reads it.
    pub corpus: Corpus,
    /// The cache keys of each document's article, by document id (empty
    /// without a cache).
    pub keys: Vec<Option<ArticleKeys>>,
    pub stories: Vec<Vec<DocId>>,
    /// Whether the stories were made by regrouping the grouping the last
    /// run saved (after an edit) rather than grouped afresh or taken whole
    /// from the cache.
    pub regrouped: bool,
}

/// The grouping a run before this one saved, as the grouping of an earlier
/// state of `corpus` ([`Corpus::grouping_from`]), when it can be taken up:
/// it has the same document ids, and each document's article is the one it
/// grouped (the same key) or was changed since from that one (the entry's
/// previous version has its key, and says which terms it had). `None`
/// otherwise: the corpus is grouped afresh.
fn grouping_before(
    corpus: &Corpus,
    keys: &[Option<ArticleKeys>],
    before: Vec<Option<Previous>>,
    saved: persist::SavedGrouping,
) -> Option<Grouping> {
    // (`before` grows with `keys`: one entry per document id.)
    if saved.keys.len() != keys.len() || before.len() != keys.len() {
        return None;
    }
    let mut changed = Vec::with_capacity(keys.len());
    for ((now, was), previous) in keys.iter().zip(&saved.keys).zip(before) {
        changed.push(match (now, was) {
            (None, None) => None,
            (Some(now), Some(was)) if now.key == *was => None,
            (Some(_), Some(was)) => Some(previous.filter(|p| p.key == *was)?.terms),
            _ => return None,
        });
    }
    corpus.grouping_from(saved.parts, changed)
}

/// The corpus of a batch run and its stories, with each article's cache
/// key.
///
/// With a cache, the stories come from it when every article is the one of
/// its last run (grouping a corpus, which needs every article's term
/// counts, was a sixth of a warm `check` on 10,000 articles); then the
/// articles' terms are never counted.
pub fn build_grouped(
    files: Vec<super::files::Loaded>,
    cache: Option<&super::cache::Cache>,
) -> Grouped {
    let Some(cache) = cache else {
        let mut corpus = build_corpus(files);
        let stories = corpus.stories();
        corpus.release_index();
        return Grouped {
            corpus,
            keys: Vec::new(),
            stories,
            regrouped: false,
        };
    };
    let none = MetaOverride::default();
    // Per file: its article, keys and canonical path, and the version its
    // entry held before (an edit since the last run).
    type Read = (Article, ArticleKeys, Option<std::path::PathBuf>);
    let (arts, previous): (Vec<Read>, Vec<Option<Previous>>) = files
        .into_par_iter()
        .map(|f| {
            let (a, key, previous) =
                cache.article_owned_since(f.path, f.text, &none, f.canonical.as_deref());
            ((a, key, f.canonical), previous)
        })
        .unzip();
    let config = core::EngineConfig::default();
    let article_keys: Vec<[u8; 32]> = arts.iter().map(|(_, k, _)| k.key).collect();
    // The entry is named by the folders the files lie in, so that adding or
    // removing an article rewrites the folder's entry instead of adding one.
    let mut folders: Vec<&[u8]> = arts
        .iter()
        .map(|(a, _, canonical)| {
            let file = canonical
                .as_deref()
                .unwrap_or(std::path::Path::new(&a.path));
            file.parent().unwrap_or(file).as_os_str().as_encoded_bytes()
        })
        .collect();
    folders.sort_unstable();
    folders.dedup();
    let entry = cache.stories_entry(folders, &article_keys, &config);
    let grouping_entry = cache.grouping_entry(&entry, &config);
    // A path given twice is one document (the later article replaces it).
    let docs = arts
        .iter()
        .map(|(a, _, _)| a.path.as_str())
        .collect::<rustc_hash::FxHashSet<&str>>()
        .len();
    let cached = cache.stories(&entry, docs);
    // With the stories cached, no article's terms are counted (and none
    // is indexed: `counts` is empty).
    let counts: Vec<TermCounts> = match cached {
        Some(_) => Vec::new(),
        None => arts.par_iter().map(|(a, _, _)| TermCounts::of(a)).collect(),
    };
    let mut corpus = Corpus::new(config);
    let mut keys: Vec<Option<ArticleKeys>> = Vec::new();
    // Per document id, the version its file's entry held before this run.
    let mut before: Vec<Option<Previous>> = Vec::new();
    // (Without counts, each article is inserted unindexed: with
    // `TermCounts::default()`, no terms.)
    let mut counts = counts.into_iter();
    let (arts, arts_keys): (Vec<_>, Vec<_>) = arts.into_iter().map(|(a, key, _)| (a, key)).unzip();
    let ids = corpus.insert_counted_many(
        arts.into_iter()
            .map(|a| (a, counts.next().unwrap_or_default())),
    );
    for ((d, key), previous) in ids.into_iter().zip(arts_keys).zip(previous) {
        if keys.len() <= d {
            keys.resize(d + 1, None);
            before.resize(d + 1, None);
        }
        if let Some(slot) = keys.get_mut(d) {
            *slot = Some(key);
        }
        if let Some(slot) = before.get_mut(d) {
            *slot = previous;
        }
    }
    let mut regrouped = false;
    let stories = match cached {
        Some(s) => s,
        None => {
            // Regrouped from the last run's grouping when there is one for
            // these documents, else grouped afresh: the same stories.
            let saved = cache.grouping(&grouping_entry);
            let was = saved.and_then(|g| grouping_before(&corpus, &keys, before, g));
            let (s, grouping) = corpus.stories_since(was);
            regrouped = grouping.regrouped();
            cache.store_stories(&entry, &s);
            cache.store_grouping(
                &grouping_entry,
                &persist::SavedGrouping {
                    keys: keys.iter().map(|k| k.as_ref().map(|k| k.key)).collect(),
                    parts: grouping.into_parts(),
                },
            );
            s
        }
    };
    corpus.release_index();
    Grouped {
        corpus,
        keys,
        stories,
        regrouped,
    }
}

#[derive(serde::Serialize)]
struct JsonSource<'a> {
    path: &'a str,
    outlet: Option<&'a str>,
    published: Option<String>,
    title: Option<&'a str>,
}

#[derive(serde::Serialize)]
struct JsonClaim<'a> {
    id: ReportId,
    source: &'a str,
    start: usize,
    end: usize,
    text: &'a str,
    kind: &'static str,
    value: Option<&'a str>,
    issue: Option<&'a str>,
    /// The reviewer's latest mark on the claim (an extension of the
    /// contract, which allows extra fields); absent when there is none.
    #[serde(skip_serializing_if = "Option::is_none")]
    review: Option<JsonReview<'a>>,
}

#[derive(serde::Serialize)]
struct JsonReview<'a> {
    status: &'static str,
    author: &'a str,
    created: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<&'a str>,
}

impl<'a> JsonReview<'a> {
    fn of(a: &'a Annotation) -> Self {
        JsonReview {
            status: a.status.as_str(),
            author: &a.author,
            created: &a.created,
            note: a.note.as_deref(),
            source: a.source.as_deref(),
        }
    }
}

#[derive(serde::Serialize)]
struct JsonFact<'a> {
    id: ReportId,
    label: &'a str,
    claims: Vec<ReportId>,
    verdict: &'static str,
}

#[derive(serde::Serialize)]
struct JsonRelation<'a> {
    a: ReportId,
    b: ReportId,
    relation: &'static str,
    reason: &'a str,
    label: &'a str,
}

/// The JSON report of `../shared/spec/check-json.md` (version 1), borrowing
/// from the corpus and serialised straight to the output: sources, claims,
/// facts and relations are made one at a time as they are written, never
/// held all at once (on a large corpus they would weigh as much as the
/// analysis itself).
pub struct JsonReport<'a> {
    corpus: &'a Corpus,
    an: &'a analysis::Analysis,
    /// Per document and claim: its number in the report (from 1), 0 when
    /// the claim is not printed.
    ids: Vec<Vec<u32>>,
    /// Reviewers' marks, written with their claims.
    marks: Option<&'a CorpusMarks>,
}

pub fn json_document<'a>(corpus: &'a Corpus, an: &'a analysis::Analysis) -> JsonReport<'a> {
    json_document_marked(corpus, an, None)
}

/// [`json_document`] with each marked claim's latest mark as `review`
/// (status, author, created, note, source). Relations are all kept: the
/// contract lists every pair the tool links.
pub fn json_document_marked<'a>(
    corpus: &'a Corpus,
    an: &'a analysis::Analysis,
    marks: Option<&'a CorpusMarks>,
) -> JsonReport<'a> {
    let mut ids: Vec<Vec<u32>> = Vec::new();
    let mut n = 0u32;
    for (d, a) in corpus.docs() {
        // The core validates spans; never print a claim whose text is not
        // exactly the file's bytes.
        let numbers = a
            .claims
            .iter()
            .map(|c| match a.text.get(c.span.clone()) {
                Some(_) => {
                    n += 1;
                    n
                }
                None => 0,
            })
            .collect();
        if ids.len() <= d {
            ids.resize_with(d + 1, Vec::new);
        }
        if let Some(slot) = ids.get_mut(d) {
            *slot = numbers;
        }
    }
    JsonReport {
        corpus,
        an,
        ids,
        marks,
    }
}

impl JsonReport<'_> {
    fn id(&self, r: ClaimRef) -> Option<ReportId> {
        self.ids
            .get(r.doc())?
            .get(r.claim())
            .filter(|&&n| n > 0)
            .map(|&n| ReportId { prefix: b'c', n })
    }
}

/// A JSON array written from an iterator made when it is serialised.
struct Seq<F>(F);

impl<F, I> serde::Serialize for Seq<F>
where
    F: Fn() -> I,
    I: Iterator,
    I::Item: serde::Serialize,
{
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq((self.0)())
    }
}

impl<'a> JsonReport<'a> {
    fn source(a: &'a Article) -> JsonSource<'a> {
        JsonSource {
            path: &a.path,
            outlet: a.meta.outlet.as_deref(),
            published: a.meta.published.map(|p| p.to_string()),
            title: a.meta.title.as_deref(),
        }
    }

    /// The printed claims of one document.
    fn claims_of(&self, d: DocId, a: &'a Article) -> impl Iterator<Item = JsonClaim<'a>> + '_ {
        a.claims.iter().enumerate().filter_map(move |(ci, c)| {
            let text = a.text.get(c.span.clone())?;
            Some(JsonClaim {
                id: self.id(ClaimRef::new(d, ci))?,
                source: &a.path,
                start: c.span.start,
                end: c.span.end,
                text,
                kind: c.kind.as_str(),
                value: c.value.as_deref(),
                issue: c.issue(),
                review: self
                    .marks
                    .and_then(|m| m.status_of(d, &c.span))
                    .map(JsonReview::of),
            })
        })
    }

    /// The `i`-th fact (from 0), when one of its claims is printed.
    fn fact(&self, i: usize, f: &'a analysis::Fact) -> Option<JsonFact<'a>> {
        let claims: Vec<ReportId> = f.claims.iter().filter_map(|&r| self.id(r)).collect();
        (!claims.is_empty()).then(|| JsonFact {
            id: ReportId {
                prefix: b'f',
                n: u32::try_from(i + 1).unwrap_or(u32::MAX),
            },
            label: f.label,
            claims,
            verdict: f.verdict.as_str(),
        })
    }

    /// A relation between two documents whose claims are both printed.
    fn relation(&self, r: &'a core::Relation) -> Option<JsonRelation<'a>> {
        if r.a.doc() == r.b.doc() {
            return None;
        }
        Some(JsonRelation {
            a: self.id(r.a)?,
            b: self.id(r.b)?,
            relation: r.kind.as_str(),
            reason: r.reason,
            label: r.label,
        })
    }

    /// Write the report as compact JSON: the same bytes as
    /// `serde_json::to_writer(out, self)`, with the arrays' elements
    /// serialised on every core. Serialising was the one long stretch of
    /// `check` that ran on one thread (a sixth of its time on 10,000
    /// articles); it runs a batch at a time so that the report is never
    /// held whole in memory.
    pub fn write(&self, out: &mut dyn Write) -> std::io::Result<()> {
        let (corpus, an) = (self.corpus, self.an);
        let docs: Vec<(DocId, &Arc<Article>)> = corpus.docs().collect();
        out.write_all(b"{\"version\":1,\"sources\":")?;
        serde_json::to_writer(
            &mut *out,
            &Seq(|| docs.iter().map(|(_, a)| Self::source(a))),
        )?;
        out.write_all(b",\"claims\":")?;
        write_array(out, &docs, |_, (d, a), w| {
            // Every claim names its document's path: escaped once.
            let mut source = Vec::with_capacity(a.path.len() + 2);
            json_out::push_str(&mut source, &a.path);
            self.claims_of(*d, a)
                .try_for_each(|c| w.push_with(|b| c.write(b, &source)))
        })?;
        out.write_all(b",\"facts\":")?;
        write_array(out, &an.facts, |i, f, w| match self.fact(i, f) {
            Some(j) => w.push_with(|b| {
                j.write(b);
                Ok(())
            }),
            None => Ok(()),
        })?;
        out.write_all(b",\"relations\":")?;
        write_array(out, &an.per_story, |_, rels, w| {
            rels.iter()
                .filter_map(|r| self.relation(r))
                .try_for_each(|j| {
                    w.push_with(|b| {
                        j.write(b);
                        Ok(())
                    })
                })
        })?;
        out.write_all(b"}")
    }
}

/// The elements of one JSON array that [`write_array`] makes, serialised
/// into its buffer and separated by commas.
struct Elements<'b> {
    buf: &'b mut Vec<u8>,
    /// Whether an element was written (into the buffer or before it).
    any: bool,
}

impl Elements<'_> {
    /// Appends one element, which `write` writes into the buffer.
    fn push_with(
        &mut self,
        write: impl FnOnce(&mut Vec<u8>) -> serde_json::Result<()>,
    ) -> serde_json::Result<()> {
        if self.any {
            self.buf.push(b',');
        }
        self.any = true;
        write(self.buf)
    }
}

// The report's elements written by hand (see `json_out`), field by field in
// the order of their `Serialize` derivations: the tests of `write` compare
// the two.
impl JsonClaim<'_> {
    /// `source` is `self.source` as a JSON string (what
    /// [`json_out::push_str`] makes of it), made once for all the claims
    /// of a document.
    fn write(&self, out: &mut Vec<u8>, source: &[u8]) -> serde_json::Result<()> {
        out.extend_from_slice(b"{\"id\":");
        json_out::push_id(out, self.id);
        out.extend_from_slice(b",\"source\":");
        out.extend_from_slice(source);
        out.extend_from_slice(b",\"start\":");
        json_out::push_uint(out, self.start as u64);
        out.extend_from_slice(b",\"end\":");
        json_out::push_uint(out, self.end as u64);
        out.extend_from_slice(b",\"text\":");
        json_out::push_str(out, self.text);
        out.extend_from_slice(b",\"kind\":");
        json_out::push_str(out, self.kind);
        out.extend_from_slice(b",\"value\":");
        json_out::push_opt_str(out, self.value);
        out.extend_from_slice(b",\"issue\":");
        json_out::push_opt_str(out, self.issue);
        if let Some(r) = &self.review {
            out.extend_from_slice(b",\"review\":");
            serde_json::to_writer(&mut *out, r)?;
        }
        out.push(b'}');
        Ok(())
    }
}

impl JsonFact<'_> {
    fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"{\"id\":");
        json_out::push_id(out, self.id);
        out.extend_from_slice(b",\"label\":");
        json_out::push_str(out, self.label);
        out.extend_from_slice(b",\"claims\":[");
        for (i, c) in self.claims.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            json_out::push_id(out, *c);
        }
        out.extend_from_slice(b"],\"verdict\":");
        json_out::push_str(out, self.verdict);
        out.push(b'}');
    }
}

impl JsonRelation<'_> {
    fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"{\"a\":");
        json_out::push_id(out, self.a);
        out.extend_from_slice(b",\"b\":");
        json_out::push_id(out, self.b);
        out.extend_from_slice(b",\"relation\":");
        json_out::push_str(out, self.relation);
        out.extend_from_slice(b",\"reason\":");
        json_out::push_str(out, self.reason);
        out.extend_from_slice(b",\"label\":");
        json_out::push_str(out, self.label);
        out.push(b'}');
    }
}

/// Write a JSON array whose elements `each` makes from `items` (none, one
/// or several per item, given its index in `items`), in order.
///
/// The elements are written into one buffer, passed to `out` each time it
/// holds a megabyte (past the output's own buffer, without a copy into
/// it). On one thread: written by both threads, a few items at a time each
/// and joined in order, the report took 12 % more CPU time in all and more
/// wall time (10,000 articles: 5.6–5.9 s CPU and 3.05–3.17 s wall against
/// 5.0–5.1 s and 2.77–2.80 s); writing the elements is a few instructions
/// a byte, less than handing the items between the threads cost.
fn write_array<T>(
    out: &mut dyn Write,
    items: &[T],
    each: impl Fn(usize, &T, &mut Elements) -> serde_json::Result<()>,
) -> std::io::Result<()> {
    const FLUSH: usize = 1 << 20;
    out.write_all(b"[")?;
    // Room for what is written before a flush at once (the flush comes
    // after the element that crosses it): grown from empty, the buffer was
    // copied twenty times per `check` (5.6 M instructions on 1,000 articles).
    let mut buf: Vec<u8> = Vec::with_capacity(FLUSH + FLUSH / 4);
    let mut elements = Elements {
        buf: &mut buf,
        any: false,
    };
    for (i, t) in items.iter().enumerate() {
        each(i, t, &mut elements)?;
        if elements.buf.len() >= FLUSH {
            out.write_all(elements.buf)?;
            elements.buf.clear();
        }
    }
    out.write_all(elements.buf)?;
    out.write_all(b"]")
}

impl serde::Serialize for JsonReport<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let (corpus, an) = (self.corpus, self.an);
        let mut st = s.serialize_struct("JsonReport", 5)?;
        st.serialize_field("version", &1u32)?;
        st.serialize_field(
            "sources",
            &Seq(|| corpus.docs().map(|(_, a)| Self::source(a))),
        )?;
        st.serialize_field(
            "claims",
            &Seq(|| corpus.docs().flat_map(move |(d, a)| self.claims_of(d, a))),
        )?;
        st.serialize_field(
            "facts",
            &Seq(|| {
                an.facts
                    .iter()
                    .enumerate()
                    .filter_map(|(i, f)| self.fact(i, f))
            }),
        )?;
        st.serialize_field(
            "relations",
            &Seq(|| an.relations().filter_map(|r| self.relation(r))),
        )?;
        st.end()
    }
}

/// The JSON report as a value (for tools and examples; `check` streams it).
pub fn json_report(corpus: &Corpus, an: &analysis::Analysis) -> Value {
    serde_json::to_value(json_document(corpus, an)).unwrap_or(Value::Null)
}

pub fn run(corpus: &Corpus, opts: &Options, out: &mut dyn Write) -> anyhow::Result<i32> {
    run_analysis(corpus, &analysis::analyze(corpus, true), opts, out)
}

/// [`run`] with the analysis already done.
pub fn run_analysis(
    corpus: &Corpus,
    an: &analysis::Analysis,
    opts: &Options,
    out: &mut dyn Write,
) -> anyhow::Result<i32> {
    run_marked(corpus, an, opts, None, out)
}

/// [`run_analysis`] honouring reviewers' marks: claims marked `ignored` have
/// no finding in the text, SARIF and GitHub reports, and a conflict or
/// tension both of whose claims are ignored does not count for `--fail-on`.
/// The JSON report keeps every relation and gives marked claims a `review`.
pub fn run_marked(
    corpus: &Corpus,
    an: &analysis::Analysis,
    opts: &Options,
    marks: Option<&CorpusMarks>,
    out: &mut dyn Write,
) -> anyhow::Result<i32> {
    let marks = marks.filter(|m| !m.is_empty());
    match opts.format {
        Format::Json => {
            json_document_marked(corpus, an, marks).write(&mut *out)?;
            writeln!(out)?;
        }
        Format::Text => {
            let report = super::report::build_marked(corpus, an, marks);
            let detail = opts.all.then(|| super::report::detail(corpus, an));
            let style = super::text::Style { color: opts.color };
            super::text::write(&report, detail.as_ref(), style, out)?;
        }
        Format::Sarif => {
            let report = super::report::build_marked(corpus, an, marks);
            serde_json::to_writer_pretty(&mut *out, &super::sarif::log(&report))?;
            writeln!(out)?;
        }
        Format::Github => {
            let report = super::report::build_marked(corpus, an, marks);
            super::github::write(&report, out)?;
        }
    }
    let ignored = |c: ClaimRef| marks.is_some_and(|m| m.is_ignored(corpus, c));
    let found = |k: RelationKind| {
        an.relations()
            .any(|r| r.kind == k && !(ignored(r.a) && ignored(r.b)))
    };
    let fail = match opts.fail_on {
        None => false,
        Some(FailOn::Conflict) => found(RelationKind::Conflict),
        Some(FailOn::Tension) => found(RelationKind::Conflict) || found(RelationKind::Tension),
    };
    Ok(i32::from(fail))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A folder checked again after edits is regrouped from the grouping
    /// the run before saved (not grouped afresh), into the stories grouping
    /// afresh gives; taken whole from the cache when nothing changed; and
    /// grouped afresh when an article's entry holds a version the saved
    /// grouping did not see (written by another run in between).
    #[test]
    fn an_edited_folder_is_regrouped_from_the_last_runs_grouping() {
        use crate::core::corpus::made_up::{names, text, STORIES};
        let tmp = tempfile::tempdir().expect("tempdir");
        let cache = super::super::cache::Cache::new(tmp.path());
        let mut texts: Vec<(String, String)> = (0..STORIES)
            .flat_map(|story| (0..4).map(move |o| (story, o)))
            .map(|(story, o)| (format!("s{story}_o{o}.txt"), text(story, o, "")))
            .collect();
        let load = |texts: &[(String, String)]| {
            texts
                .iter()
                .map(|(path, text)| super::super::files::Loaded {
                    path: path.clone(),
                    text: text.clone(),
                    canonical: None,
                })
                .collect::<Vec<_>>()
        };
        let afresh = |texts: &[(String, String)]| build_grouped(load(texts), None).stories;
        let first = build_grouped(load(&texts), Some(&cache));
        assert!(!first.regrouped, "nothing to regroup from");
        assert_eq!(first.stories, afresh(&texts));
        assert!(first.stories.len() >= 5, "{:?}", first.stories);
        let edit = |texts: &mut Vec<(String, String)>, i: usize, new: String, what: &str| {
            if let Some(t) = texts.get_mut(i) {
                t.1 = new;
            }
            let g = build_grouped(load(texts), Some(&cache));
            assert!(g.regrouped, "{what}: not regrouped");
            assert_eq!(g.stories, afresh(texts), "{what}");
            g.stories
        };
        edit(
            &mut texts,
            1,
            text(0, 1, "A brandnewword was typed."),
            "a new word",
        );
        // Another story's article in its place: its old names leave the
        // corpus's counts, the other story's gain some.
        edit(
            &mut texts,
            4,
            text(5, 3, ""),
            "names taken out, others put in",
        );
        let moved = names(1).join(" ");
        let merged = edit(
            &mut texts,
            8,
            text(2, 0, &format!("Also: {moved}. {moved}.")),
            "names moved in",
        );
        assert_ne!(merged, first.stories, "the moved names change the stories");
        let again = build_grouped(load(&texts), Some(&cache));
        assert!(
            !again.regrouped,
            "the same folder: its stories from the cache"
        );
        assert_eq!(again.stories, merged);
        // The entry of an article rewritten behind the grouping's back: its
        // previous version is not the one the grouping saw.
        let none = MetaOverride::default();
        cache.article("s3_o2.txt", &text(7, 2, ""), &none);
        let i = texts
            .iter()
            .position(|(p, _)| p == "s3_o2.txt")
            .unwrap_or(0);
        if let Some(t) = texts.get_mut(i) {
            t.1 = text(3, 2, "Edited.");
        }
        let behind = build_grouped(load(&texts), Some(&cache));
        assert!(!behind.regrouped, "grouped afresh");
        assert_eq!(behind.stories, afresh(&texts));
    }

    /// `JsonReport::write` (parallel, in batches) writes the very bytes that
    /// serde writes from the `Serialize` impl (one thread, one pass).
    fn assert_same_bytes(corpus: &Corpus) {
        let an = analysis::analyze(corpus, true);
        let doc = json_document(corpus, &an);
        let mut streamed = Vec::new();
        doc.write(&mut streamed).expect("write to a vector");
        let reference = serde_json::to_vec(&doc).expect("serialise");
        assert_eq!(
            String::from_utf8_lossy(&streamed),
            String::from_utf8_lossy(&reference)
        );
        let v: Value = serde_json::from_slice(&streamed).expect("valid JSON");
        assert!(v["claims"].is_array() && v["relations"].is_array());
    }

    #[test]
    fn written_elements_escape_as_serde_json_does() {
        // Quotation marks, backslashes, tabs and a control character in the
        // paths and the claims' text, beside curly quotes and Hangul.
        let mut corpus = Corpus::new(core::EngineConfig::default());
        let texts = [
            "The ferry carried \"more than 300\" passengers\twhen it sank on Tuesday, \u{1}the coast guard said.\n\n\
             “우리는 재건할 것” the governor said of the 300 homes.\n",
            "The ferry carried 250 passengers when it sank on Tuesday, a back\\slash report said.\n\n\
             The governor said 300 homes would be rebuilt.\n",
        ];
        for (i, text) in texts.iter().enumerate() {
            corpus.upsert(
                &format!("dir\\\"quoted\"\t{i}.txt"),
                text,
                &MetaOverride::default(),
            );
        }
        assert_same_bytes(&corpus);
        let an = analysis::analyze(&corpus, true);
        assert!(an.relations().count() > 0, "the two articles relate");
    }

    #[test]
    fn parallel_report_is_the_serialised_report_on_the_seeds() {
        let mut corpus = Corpus::new(core::EngineConfig::default());
        let mut n = 0;
        for (path, text) in crate::core::corpus::story_files("seeds") {
            corpus.upsert(&path, &text, &MetaOverride::default());
            n += 1;
        }
        assert!(n >= 5);
        assert_same_bytes(&corpus);
    }

    #[test]
    fn arrays_keep_order_indices_and_commas_across_flushes() {
        // Each item writes its index once, twice or not at all, every
        // hundredth item with a long string beside it (the buffer is passed
        // on a megabyte at a time, and some items write after it was
        // emptied): the array must read as the serial loop over the items
        // would write it.
        let items: Vec<u32> = (0..2_500).map(|i| i % 3).collect();
        let long = |i: usize| (i % 100 == 1).then(|| "x".repeat(100_000));
        let mut out = Vec::new();
        write_array(&mut out, &items, |i, &n, w| {
            (0..n).try_for_each(|_| {
                w.push_with(|b| match long(i) {
                    Some(l) => serde_json::to_writer(b, &(i, l)),
                    None => serde_json::to_writer(b, &i),
                })
            })
        })
        .expect("write to a vector");
        let serial: Vec<serde_json::Value> = items
            .iter()
            .enumerate()
            .flat_map(|(i, &n)| std::iter::repeat_n(i, n as usize))
            .map(|i| match long(i) {
                Some(l) => serde_json::json!([i, l]),
                None => serde_json::json!(i),
            })
            .collect();
        assert!(out.len() > 2 << 20, "the array crosses two flushes");
        assert_eq!(
            String::from_utf8_lossy(&out),
            serde_json::to_string(&serial).expect("serialise")
        );
    }

    #[test]
    fn streamed_report_is_the_serialised_report() {
        // Documents with no claim at all (they must not leave a stray
        // comma), one with none printed.
        let mut corpus = Corpus::new(core::EngineConfig::default());
        for i in 0..41 {
            let text = match i % 4 {
                0 => String::new(),
                1 => format!(
                    "Flood in Ardmore\n\nThe flood killed {} people on Tuesday, officials said. \
                     Rescuers worked for 3 days in the town of Ardmore.\n",
                    10 + i
                ),
                2 => "ok\n".to_string(),
                _ => format!(
                    "Ardmore flood\n\nOfficials said {} people died in the Ardmore flood on \
                     Tuesday. “We are heartbroken,” the mayor said.\n",
                    12 + i
                ),
            };
            corpus.upsert(&format!("a{i:02}.txt"), &text, &MetaOverride::default());
        }
        assert_same_bytes(&corpus);
        assert_same_bytes(&Corpus::new(core::EngineConfig::default()));
    }
}
