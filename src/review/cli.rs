//! The review commands: `annotate`, `annotations list|export`, `report --html`.
//! `main.rs` holds only the enum variants; the work is here.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{anyhow, Context, Result};

use crate::core::{analysis, Article, MetaOverride};

use super::anchor::{self, Method};
use super::export;
use super::html;
use super::store::{self, NewAnnotation, Status, Store};

/// `corroborate annotate PATH (--at LINE:COL | --claim TEXT) --status S`
#[derive(Debug, clap::Args)]
pub struct AnnotateArgs {
    /// The article file.
    pub path: PathBuf,
    /// A position inside the claim: LINE:COL, 1-based, column in characters.
    #[arg(
        long,
        value_name = "LINE:COL",
        conflicts_with = "claim",
        required_unless_present = "claim"
    )]
    pub at: Option<String>,
    /// The exact text to mark (must occur once in the file; otherwise use --at).
    #[arg(long, value_name = "TEXT")]
    pub claim: Option<String>,
    #[arg(long, value_enum)]
    pub status: Status,
    /// Why: what was checked, or what is wrong.
    #[arg(long)]
    pub note: Option<String>,
    /// What verifies or disputes it (a URL, a document, a person).
    #[arg(long)]
    pub source: Option<String>,
    /// Reviewer name (default: $USER).
    #[arg(long)]
    pub author: Option<String>,
    /// Workspace root holding .corroborate/ (default: the nearest ancestor of PATH
    /// with .corroborate/, corroborate.toml or .git).
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    /// W3C Web Annotation Data Model JSON-LD: one AnnotationCollection.
    W3c,
    /// Plain JSON for scripts: the stored records plus where each anchors now.
    Json,
}

/// `corroborate annotations list|export`
#[derive(Debug, clap::Subcommand)]
pub enum AnnotationsCmd {
    /// List the annotations of the workspace: anchored or orphaned, and malformed lines.
    List {
        /// Workspace root holding .corroborate/ (default: found from the current directory).
        #[arg(long, value_name = "DIR")]
        root: Option<PathBuf>,
    },
    /// Write every annotation to standard output (or --output FILE).
    Export {
        #[arg(long, value_enum, default_value = "w3c")]
        format: ExportFormat,
        /// Workspace root holding .corroborate/ (default: found from the current directory).
        #[arg(long, value_name = "DIR")]
        root: Option<PathBuf>,
        /// Write to FILE (atomically) instead of standard output.
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
    },
}

/// `corroborate report PATH... --html FILE`
#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Write the self-contained HTML matrix to FILE. One story: FILE is its
    /// page. Several: FILE is an index linking to one page per story,
    /// FILE-STEM-N-SLUG.html next to it. A directory (or a path ending with
    /// a slash): DIR/index.html and DIR/story-N-SLUG.html.
    #[arg(long, value_name = "FILE|DIR/", required = true)]
    pub html: PathBuf,
    /// Glob of article files inside directories (repeatable).
    #[arg(long = "glob")]
    pub globs: Vec<String>,
    /// Workspace root whose annotations are shown as badges (default: found from
    /// the first PATH).
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
    /// Page title.
    #[arg(long)]
    pub title: Option<String>,
}

fn root_for(root: &Option<PathBuf>, near: &Path) -> Result<PathBuf> {
    match root {
        Some(r) if r.is_dir() => Ok(r.clone()),
        Some(r) => Err(anyhow!("--root {}: not a directory", r.display())),
        None => Ok(store::find_root(near)),
    }
}

fn cwd() -> PathBuf {
    std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."))
}

fn line_col(text: &str, byte: usize) -> (usize, usize) {
    let b = byte.min(text.len());
    let before = text.get(..b).unwrap_or("");
    let line = before.matches('\n').count() + 1;
    let col_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    let col = text
        .get(col_start..b)
        .map(|s| s.chars().count())
        .unwrap_or(0)
        + 1;
    (line, col)
}

fn quote(s: &str, max: usize) -> String {
    let c: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if c.chars().count() <= max {
        c
    } else {
        let mut t: String = c.chars().take(max).collect();
        t.push('…');
        t
    }
}

/// The one place where `q` occurs with any whitespace between its words
/// (text copied from a rewrapped paragraph).
fn loose_match(text: &str, q: &str) -> Option<std::ops::Range<usize>> {
    let words: Vec<String> = q.split_whitespace().map(regex::escape).collect();
    if words.len() < 2 {
        return None;
    }
    let re = regex::Regex::new(&words.join(r"\s+")).ok()?;
    let mut it = re.find_iter(text);
    let first = it.next()?;
    if it.next().is_some() {
        return None;
    }
    Some(first.range())
}

/// The byte range a reviewer means: the claim at LINE:COL (the shortest claim
/// containing it, else its sentence), or the one occurrence of --claim.
pub fn resolve_range(
    text: &str,
    path: &str,
    at: Option<&str>,
    claim: Option<&str>,
) -> Result<std::ops::Range<usize>> {
    if let Some(q) = claim {
        let q = q.trim();
        if q.is_empty() {
            return Err(anyhow!("--claim is empty"));
        }
        let hits: Vec<usize> = text.match_indices(q).map(|(i, _)| i).collect();
        return match hits.as_slice() {
            [i] => Ok(*i..*i + q.len()),
            [] => match loose_match(text, q) {
                Some(r) => Ok(r),
                None => Err(anyhow!("--claim text not found in {path}")),
            },
            many => {
                let places: Vec<String> = many
                    .iter()
                    .take(5)
                    .map(|&i| {
                        let (l, c) = line_col(text, i);
                        format!("{l}:{c}")
                    })
                    .collect();
                Err(anyhow!(
                    "--claim text occurs {} times in {path} (at {}); use --at LINE:COL",
                    many.len(),
                    places.join(", ")
                ))
            }
        };
    }
    let at = at.ok_or_else(|| anyhow!("give --at LINE:COL or --claim TEXT"))?;
    let (l, c) = at
        .split_once(':')
        .and_then(|(l, c)| {
            Some((
                l.trim().parse::<usize>().ok()?,
                c.trim().parse::<usize>().ok()?,
            ))
        })
        .ok_or_else(|| anyhow!("--at {at}: expected LINE:COL, e.g. 12:5"))?;
    let byte = anchor::byte_of_line_col(text, l, c)
        .ok_or_else(|| anyhow!("--at {at}: no such position in {path}"))?;
    let art = Article::parse(path, text, &MetaOverride::default());
    let inside = |r: &std::ops::Range<usize>| r.start <= byte && byte < r.end.max(r.start + 1);
    if let Some(cl) = art
        .claims
        .iter()
        .filter(|c| inside(&c.span))
        .min_by_key(|c| c.span.len())
    {
        return Ok(cl.span.clone());
    }
    if let Some(s) = art.sentences.iter().find(|s| inside(&s.span)) {
        return Ok(s.span.clone());
    }
    Err(anyhow!("--at {at}: no claim or sentence there in {path}"))
}

/// `annotate`: returns the exit status.
pub fn annotate(a: AnnotateArgs, out: &mut dyn Write) -> Result<u8> {
    let display = a.path.display().to_string();
    let text = crate::cli::files::read_article(&a.path).map_err(|e| anyhow!("{display}: {e}"))?;
    let range = resolve_range(&text, &display, a.at.as_deref(), a.claim.as_deref())?;
    let root = root_for(&a.root, &a.path)?;
    let mut st = Store::open(&root)?;
    let (l, c) = line_col(&text, range.start);
    let ann = st.add(NewAnnotation {
        path: a.path.clone(),
        text: text.clone(),
        range,
        status: a.status,
        note: a.note,
        source: a.source,
        author: a.author,
        label: None,
    })?;
    writeln!(
        out,
        "{} {}:{l}:{c} {} by {}: “{}” ({})",
        ann.status.glyph(),
        ann.target,
        ann.status,
        ann.author,
        quote(&ann.selector.exact, 80),
        st.file().display()
    )?;
    Ok(0)
}

/// `annotations list`.
pub fn list(root: Option<PathBuf>, out: &mut dyn Write) -> Result<u8> {
    let root = root_for(&root, &cwd())?;
    let st = Store::open(&root)?;
    let located = export::locate_all(&st);
    let orphaned = located
        .iter()
        .filter(|(_, l)| l.method == Method::Orphaned)
        .count();
    writeln!(
        out,
        "{}: {} annotation{} ({} anchored, {} orphaned), {} malformed line{}",
        st.file().display(),
        located.len(),
        if located.len() == 1 { "" } else { "s" },
        located.len() - orphaned,
        orphaned,
        st.malformed().len(),
        if st.malformed().len() == 1 { "" } else { "s" },
    )?;
    let mut texts: std::collections::HashMap<&str, Option<String>> = Default::default();
    for (a, l) in &located {
        let text = texts
            .entry(a.target.as_str())
            .or_insert_with(|| std::fs::read_to_string(st.path_of(&a.target)).ok());
        let place = match (text.as_deref(), l.method) {
            (Some(t), m) if m != Method::Orphaned => {
                let (ln, col) = line_col(t, l.selector.start);
                format!("{}:{ln}:{col}", a.target)
            }
            _ => a.target.clone(),
        };
        let state = match (text.is_some(), l.method) {
            (false, _) => "ORPHANED (file unreadable)".to_string(),
            (true, Method::Orphaned) => "ORPHANED (text gone)".to_string(),
            (true, Method::Position) => "anchored".to_string(),
            (true, m) => format!("re-anchored by {}", m.as_str()),
        };
        let mut extra = String::new();
        if let Some(n) = &a.note {
            extra.push_str(&format!(" — {}", quote(n, 80)));
        }
        if let Some(s) = &a.source {
            extra.push_str(&format!(" [source: {}]", quote(s, 80)));
        }
        writeln!(
            out,
            "{} {place}  {}  {state}  {} {}  “{}”{extra}",
            a.status.glyph(),
            a.status,
            a.author,
            a.created,
            quote(&l.selector.exact, 70),
        )?;
        if l.method != Method::Orphaned && l.selector.exact != a.selector.exact {
            writeln!(out, "    was: “{}”", quote(&a.selector.exact, 70))?;
        }
    }
    for m in st.malformed() {
        writeln!(
            out,
            "! line {} of {} is not an annotation (kept as is): {}",
            m.line,
            store::FILE,
            quote(&m.error, 100)
        )?;
    }
    Ok(0)
}

/// `annotations export`.
pub fn export_cmd(
    format: ExportFormat,
    root: Option<PathBuf>,
    output: Option<PathBuf>,
    out: &mut dyn Write,
) -> Result<u8> {
    let root = root_for(&root, &cwd())?;
    let st = Store::open(&root)?;
    let v = match format {
        ExportFormat::W3c => export::w3c(&st),
        ExportFormat::Json => export::json(&st),
    };
    let mut s = serde_json::to_string_pretty(&v).context("cannot encode export")?;
    s.push('\n');
    match output {
        Some(p) => store::atomic_write(&absolute_file(&p), s.as_bytes())?,
        None => out.write_all(s.as_bytes())?,
    }
    for m in st.malformed() {
        eprintln!(
            "corroborate: warning: {} line {} skipped (not an annotation): {}",
            st.file().display(),
            m.line,
            quote(&m.error, 100)
        );
    }
    Ok(0)
}

fn absolute_file(p: &Path) -> PathBuf {
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        cwd().join(p)
    }
}

/// `report --html`.
pub fn report(a: ReportArgs) -> Result<u8> {
    let globs = if a.globs.is_empty() {
        crate::cli::files::default_globs()
    } else {
        a.globs
    };
    let walk = crate::cli::files::collect(&a.paths, &globs)?;
    for w in &walk.warnings {
        eprintln!("corroborate: warning: {w}");
    }
    if !walk.errors.is_empty() {
        return Err(anyhow!(walk.errors.join("; ")));
    }
    if walk.files.is_empty() {
        return Err(anyhow!("no article files found"));
    }
    let near = a.paths.first().cloned().unwrap_or_else(cwd);
    let root = root_for(&a.root, &near)?;
    let st = Store::open(&root)?;
    for m in st.malformed() {
        eprintln!(
            "corroborate: warning: {} line {} skipped (not an annotation): {}",
            st.file().display(),
            m.line,
            quote(&m.error, 100)
        );
    }
    let corpus = crate::cli::check::build_corpus(walk.files);
    let an = analysis::analyze(&corpus, true);
    // FILE, or DIR/ (an existing directory, or a path ending with a slash):
    // DIR/index.html. Story pages go next to it.
    let target = absolute_file(&a.html);
    let as_dir = target.is_dir()
        || a.html
            .as_os_str()
            .to_string_lossy()
            .ends_with(std::path::MAIN_SEPARATOR);
    let (dir, main, stem) = if as_dir {
        (
            target.clone(),
            "index.html".to_string(),
            "story".to_string(),
        )
    } else {
        let dir = target.parent().map(Path::to_path_buf).unwrap_or_else(cwd);
        let main = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .ok_or_else(|| anyhow!("--html {}: not a file name", a.html.display()))?;
        let stem = target
            .file_stem()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "report".into());
        (dir, main, stem)
    };
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let pages = html::pages(
        &corpus,
        &an,
        if st.annotations().is_empty() {
            None
        } else {
            Some(&st)
        },
        &html::Options {
            generated: Some(
                jiff::Timestamp::now()
                    .strftime("%Y-%m-%d %H:%M UTC")
                    .to_string(),
            ),
            title: a.title,
        },
        &main,
        &stem,
    );
    for p in &pages {
        store::atomic_write(&dir.join(&p.name), p.html.as_bytes())?;
    }
    let stories = an.stories.iter().filter(|s| !s.is_empty()).count();
    eprintln!(
        "corroborate: wrote {} ({} sources, {} {}, {} facts{})",
        dir.join(&main).display(),
        corpus.len(),
        stories,
        if stories == 1 { "story" } else { "stories" },
        an.facts.len(),
        if pages.len() > 1 {
            format!("; an index of {} story pages", pages.len() - 1)
        } else {
            String::new()
        }
    );
    for p in pages.iter().skip(1) {
        eprintln!("corroborate: wrote {}", dir.join(&p.name).display());
    }
    // Story pages of an earlier run that this one did not write (the stories
    // changed): removed, so that no page beside the index is out of date.
    // Only files named like ours and written by corroborate.
    let names: Vec<&str> = pages.iter().map(|p| p.name.as_str()).collect();
    for old in stale_pages(&dir, &stem, &names) {
        match std::fs::remove_file(&old) {
            Ok(()) => eprintln!(
                "corroborate: removed {} (a story page of an earlier run)",
                old.display()
            ),
            Err(e) => eprintln!("corroborate: warning: cannot remove {}: {e}", old.display()),
        }
    }
    Ok(0)
}

/// Files `STEM-N[-…].html` in `dir`, not in `keep`, that corroborate wrote
/// (their head names it as the generator).
fn stale_pages(dir: &Path, stem: &str, keep: &[&str]) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let prefix = format!("{stem}-");
    let mut out = Vec::new();
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let Some(rest) = name
            .strip_prefix(&prefix)
            .and_then(|r| r.strip_suffix(".html"))
        else {
            continue;
        };
        let number = rest.split('-').next().unwrap_or("");
        if number.is_empty()
            || !number.bytes().all(|b| b.is_ascii_digit())
            || keep.contains(&name.as_str())
        {
            continue;
        }
        let mut head = [0u8; 512];
        let n = std::fs::File::open(e.path())
            .and_then(|mut f| std::io::Read::read(&mut f, &mut head))
            .unwrap_or(0);
        let head = String::from_utf8_lossy(head.get(..n).unwrap_or(&[]));
        if head.starts_with("<!DOCTYPE html>")
            && head.contains("<meta name=\"generator\" content=\"corroborate\">")
        {
            out.push(e.path());
        }
    }
    out.sort();
    out
}

fn finish(r: Result<u8>) -> u8 {
    match r {
        Ok(c) => c,
        Err(e) => {
            eprintln!("corroborate: {e:#}");
            2
        }
    }
}

/// `corroborate annotate`: exit status 0, or 2 with a message on standard error.
pub fn run_annotate(a: AnnotateArgs) -> u8 {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    finish(annotate(a, &mut out))
}

/// `corroborate annotations list|export`.
pub fn run_annotations(cmd: AnnotationsCmd) -> u8 {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    finish(match cmd {
        AnnotationsCmd::List { root } => list(root, &mut out),
        AnnotationsCmd::Export {
            format,
            root,
            output,
        } => export_cmd(format, root, output, &mut out),
    })
}

/// `corroborate report --html`.
pub fn run_report(a: ReportArgs) -> u8 {
    finish(report(a))
}
