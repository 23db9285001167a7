//! The annotation store: `.corroborate/annotations.jsonl` under the workspace
//! root, one JSON object a line, appended under an advisory lock and written
//! atomically (temp file in the same directory, fsync, rename). Lines that do
//! not parse are kept byte for byte and reported.
//!
//! A line (fields in this order; unknown fields are kept when read back):
//!
//! ```json
//! {"id":"8e92645c-739e-4929-8135-1dc2fb174639","created":"2026-01-05T09:12:44Z",
//!  "author":"ana","status":"verified","note":"checked the broadcast",
//!  "source":"https://example.org/release","target":"seeds/000_d708aa83a71d4e9b.txt",
//!  "selector":{"exact":"…quoted claim…","prefix":"32 chars before","suffix":"32 chars after",
//!              "start":847,"end":949,"start_cp":845,"end_cp":947}}
//! ```
//!
//! `status` is `verified`, `disputed` or `ignored`; `start`/`end` are byte
//! offsets and `start_cp`/`end_cp` code-point offsets of the quote when it was
//! marked. Several annotations may cover the same claim: the last one wins.
//! Writers take `annotations.lock` (an advisory lock), re-read the file, append,
//! write a temp file, fsync and rename, so no writer's record is lost.

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::ops::Range;
use std::path::{Component, Path, PathBuf};

use anyhow::{anyhow, Context, Result};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::anchor::{self, Method, Selector};

/// Directory of the store under the workspace root.
pub const DIR: &str = ".corroborate";
/// The store file inside [`DIR`].
pub const FILE: &str = "annotations.jsonl";
const LOCK: &str = "annotations.lock";

/// A reviewer's judgement of a claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Checked and true (the note or source says how).
    Verified,
    /// Checked and doubtful or false (the note says why).
    Disputed,
    /// Not worth flagging: its diagnostic is suppressed.
    Ignored,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Verified => "verified",
            Status::Disputed => "disputed",
            Status::Ignored => "ignored",
        }
    }
    /// The glyph shown next to the status (never colour alone).
    pub fn glyph(self) -> &'static str {
        match self {
            Status::Verified => "✔",
            Status::Disputed => "⚑",
            Status::Ignored => "⊘",
        }
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One line of the store.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Annotation {
    /// A UUID (exported as `urn:uuid:…`).
    pub id: String,
    /// RFC 3339 UTC timestamp.
    pub created: String,
    pub author: String,
    pub status: Status,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// What verifies (or disputes) the claim: a URL, a document, a person.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The article, relative to the workspace root with `/` separators.
    pub target: String,
    pub selector: Selector,
    /// The fact label the claim belonged to when it was marked, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Fields written by newer versions or other tools, kept as they are.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Annotation {
    /// One line for a hover or a list: "✔ verified by ana on 2026-01-05 — note (source: …)".
    pub fn summary(&self) -> String {
        let day = self.created.get(..10).unwrap_or(&self.created);
        let mut s = format!(
            "{} {} by {} on {day}",
            self.status.glyph(),
            self.status,
            self.author
        );
        if let Some(n) = &self.note {
            s.push_str(" — ");
            s.push_str(n);
        }
        if let Some(src) = &self.source {
            s.push_str(" (source: ");
            s.push_str(src);
            s.push(')');
        }
        s
    }
}

/// A line of the store that is not an annotation (kept verbatim in the file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Malformed {
    /// 1-based line number.
    pub line: usize,
    pub text: String,
    pub error: String,
}

/// An annotation located in the current text of its article.
#[derive(Debug, Clone)]
pub struct Anchored<'a> {
    pub annotation: &'a Annotation,
    /// Current byte range, `None` when orphaned.
    pub range: Option<Range<usize>>,
    pub method: Method,
}

impl Anchored<'_> {
    pub fn is_orphaned(&self) -> bool {
        self.range.is_none()
    }
}

/// What to add: built by the CLI or a code action.
#[derive(Debug, Clone)]
pub struct NewAnnotation {
    /// The article path (absolute, or relative to the current directory).
    pub path: PathBuf,
    /// The article text the range refers to (the editor buffer or the file).
    pub text: String,
    /// Byte range of the claim in `text`.
    pub range: Range<usize>,
    pub status: Status,
    pub note: Option<String>,
    pub source: Option<String>,
    /// `None`: `$USER` (or `$USERNAME`), else "unknown".
    pub author: Option<String>,
    pub label: Option<String>,
}

/// The annotations of one workspace.
#[derive(Debug, Clone)]
pub struct Store {
    root: PathBuf,
    annotations: Vec<Annotation>,
    malformed: Vec<Malformed>,
}

/// The workspace root for `start`: the nearest ancestor holding `.corroborate/`,
/// else the nearest holding `corroborate.toml` or `.git`, else `start` itself.
pub fn find_root(start: &Path) -> PathBuf {
    let abs = absolute(start);
    let base = if abs.is_file() {
        abs.parent().map(Path::to_path_buf).unwrap_or(abs)
    } else {
        abs
    };
    if let Some(d) = base.ancestors().find(|d| d.join(DIR).is_dir()) {
        return d.to_path_buf();
    }
    if let Some(d) = base
        .ancestors()
        .find(|d| d.join("corroborate.toml").is_file() || d.join(".git").exists())
    {
        return d.to_path_buf();
    }
    base
}

fn absolute(p: &Path) -> PathBuf {
    let joined = if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir()
            .map(|c| c.join(p))
            .unwrap_or_else(|_| p.to_path_buf())
    };
    fs::canonicalize(&joined).unwrap_or_else(|_| lexical(&joined))
}

fn lexical(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// The author name from the environment.
pub fn default_author() -> String {
    ["USER", "USERNAME", "LOGNAME"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|s| !s.trim().is_empty()))
        .unwrap_or_else(|| "unknown".to_string())
}

/// A random version-4 UUID (from the standard library's randomly keyed hasher,
/// the time, the process id and a counter).
pub fn new_uuid() -> String {
    use std::collections::hash_map::RandomState;
    use std::hash::{BuildHasher, Hasher};
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let word = |salt: u64| {
        let mut h = RandomState::new().build_hasher();
        h.write_u128(nanos);
        h.write_u32(std::process::id());
        h.write_u64(n);
        h.write_u64(salt);
        h.finish()
    };
    let hi = word(1);
    let lo = word(2);
    let hi = (hi & 0xffff_ffff_ffff_0fff) | 0x0000_0000_0000_4000;
    let lo = (lo & 0x3fff_ffff_ffff_ffff) | 0x8000_0000_0000_0000;
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        hi >> 32,
        (hi >> 16) & 0xffff,
        hi & 0xffff,
        lo >> 48,
        lo & 0xffff_ffff_ffff
    )
}

/// Whether a mark's range covers a claim's span: they overlap by at least
/// half of the shorter one.
pub fn overlaps(a: &Range<usize>, b: &Range<usize>) -> bool {
    let lo = a.start.max(b.start);
    let hi = a.end.min(b.end);
    if hi <= lo {
        return false;
    }
    let inter = hi - lo;
    let shorter = (a.end - a.start).min(b.end - b.start).max(1);
    inter * 2 >= shorter
}

/// The annotations of one article, anchored once in its current text.
#[derive(Debug, Clone)]
pub struct FileMarks<'a> {
    pub anchored: Vec<Anchored<'a>>,
}

impl<'a> FileMarks<'a> {
    /// The latest annotation (in file order) on `span`, whatever its status.
    pub fn status_of(&self, span: &Range<usize>) -> Option<&'a Annotation> {
        self.anchored
            .iter()
            .rev()
            .find(|a| a.range.as_ref().is_some_and(|r| overlaps(r, span)))
            .map(|a| a.annotation)
    }
    /// Every annotation on `span` (in file order).
    pub fn on<'s>(&'s self, span: &'s Range<usize>) -> impl Iterator<Item = &'s Anchored<'a>> {
        self.anchored
            .iter()
            .filter(move |a| a.range.as_ref().is_some_and(|r| overlaps(r, span)))
    }
    /// True when the latest annotation on `span` says `ignored`.
    pub fn is_ignored(&self, span: &Range<usize>) -> bool {
        self.status_of(span)
            .is_some_and(|a| a.status == Status::Ignored)
    }
    /// The latest annotation on `span` when it says `verified`.
    pub fn verification(&self, span: &Range<usize>) -> Option<&'a Annotation> {
        self.status_of(span)
            .filter(|a| a.status == Status::Verified)
    }
    pub fn orphaned(&self) -> impl Iterator<Item = &Anchored<'a>> {
        self.anchored.iter().filter(|a| a.is_orphaned())
    }
}

impl Store {
    /// Open (read) the store of a workspace; a missing file is an empty store.
    pub fn open(root: impl AsRef<Path>) -> Result<Store> {
        let root = absolute(root.as_ref());
        let mut s = Store {
            root,
            annotations: Vec::new(),
            malformed: Vec::new(),
        };
        s.reload()?;
        Ok(s)
    }

    /// A store with nothing read (e.g. when the file cannot be read and the
    /// caller must go on); [`Store::add`] still appends to the file on disk.
    pub fn empty(root: impl AsRef<Path>) -> Store {
        Store {
            root: absolute(root.as_ref()),
            annotations: Vec::new(),
            malformed: Vec::new(),
        }
    }

    /// Read the file again (after another process wrote it).
    pub fn reload(&mut self) -> Result<()> {
        let bytes = match fs::read(self.file()) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(anyhow!("cannot read {}: {e}", self.file().display())),
        };
        let (a, m) = parse(&bytes);
        self.annotations = a;
        self.malformed = m;
        Ok(())
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// `.corroborate/annotations.jsonl` under the root.
    pub fn file(&self) -> PathBuf {
        self.root.join(DIR).join(FILE)
    }

    /// Every annotation, in file order (later ones win on the same text).
    pub fn annotations(&self) -> &[Annotation] {
        &self.annotations
    }

    /// Lines that are not annotations (kept in the file, reported here).
    pub fn malformed(&self) -> &[Malformed] {
        &self.malformed
    }

    pub fn is_empty(&self) -> bool {
        self.annotations.is_empty() && self.malformed.is_empty()
    }

    /// The store's name for an article path: relative to the root with `/`
    /// separators, or absolute when outside the root.
    pub fn target_of(&self, path: &Path) -> String {
        let abs = absolute(path);
        let rel = abs.strip_prefix(&self.root).unwrap_or(&abs);
        let parts: Vec<String> = rel
            .components()
            .filter_map(|c| match c {
                Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
                Component::RootDir => Some(String::new()),
                Component::Prefix(p) => Some(p.as_os_str().to_string_lossy().into_owned()),
                _ => None,
            })
            .collect();
        parts.join("/")
    }

    /// The article a target names.
    pub fn path_of(&self, target: &str) -> PathBuf {
        let p = Path::new(target);
        if p.is_absolute() {
            p.to_path_buf()
        } else {
            self.root.join(target)
        }
    }

    /// The annotations of `path`, anchored in `text` (its current contents).
    pub fn annotations_for(&self, path: &Path, text: &str) -> Vec<Anchored<'_>> {
        self.marks(path, text).anchored
    }

    /// Like [`Store::annotations_for`], as a value that answers per-span questions
    /// without anchoring again.
    pub fn marks(&self, path: &Path, text: &str) -> FileMarks<'_> {
        let target = self.target_of(path);
        self.marks_for_target(&target, text)
    }

    /// As [`Store::marks`] with the target name already known.
    pub fn marks_for_target(&self, target: &str, text: &str) -> FileMarks<'_> {
        let anchored = self
            .annotations
            .iter()
            .filter(|a| a.target == target)
            .map(|a| match anchor::locate(text, &a.selector) {
                Some((r, m)) => Anchored {
                    annotation: a,
                    range: Some(r),
                    method: m,
                },
                None => Anchored {
                    annotation: a,
                    range: None,
                    method: Method::Orphaned,
                },
            })
            .collect();
        FileMarks { anchored }
    }

    /// True when the latest annotation on the claim at `span` says `ignored`.
    pub fn is_ignored(&self, path: &Path, text: &str, span: &Range<usize>) -> bool {
        self.marks(path, text).is_ignored(span)
    }

    /// The latest annotation on `span` when it says `verified`.
    pub fn verification(
        &self,
        path: &Path,
        text: &str,
        span: &Range<usize>,
    ) -> Option<&Annotation> {
        self.marks(path, text).verification(span)
    }

    /// The latest annotation on `span`, whatever its status.
    pub fn status_of(&self, path: &Path, text: &str, span: &Range<usize>) -> Option<&Annotation> {
        self.marks(path, text).status_of(span)
    }

    /// Record an annotation: appended under the lock to the file as it is on
    /// disk now (so concurrent writers lose nothing), written atomically; the
    /// store is then reloaded.
    pub fn add(&mut self, new: NewAnnotation) -> Result<Annotation> {
        if new.range.start >= new.range.end || new.text.get(new.range.clone()).is_none() {
            return Err(anyhow!(
                "the range {}..{} is not a span of the text",
                new.range.start,
                new.range.end
            ));
        }
        let ann = Annotation {
            id: new_uuid(),
            created: jiff::Timestamp::now()
                .strftime("%Y-%m-%dT%H:%M:%SZ")
                .to_string(),
            author: new
                .author
                .filter(|a| !a.trim().is_empty())
                .unwrap_or_else(default_author),
            status: new.status,
            note: new.note.filter(|s| !s.is_empty()),
            source: new.source.filter(|s| !s.is_empty()),
            target: self.target_of(&new.path),
            selector: anchor::select(&new.text, new.range),
            label: new.label,
            extra: Map::new(),
        };
        self.append(std::slice::from_ref(&ann))?;
        Ok(ann)
    }

    /// Append records (already built) as one atomic write.
    pub fn append(&mut self, records: &[Annotation]) -> Result<()> {
        let mut lines = String::new();
        for r in records {
            lines.push_str(&serde_json::to_string(r).context("cannot encode annotation")?);
            lines.push('\n');
        }
        self.update(|mut bytes| {
            if !bytes.is_empty() && !bytes.ends_with(b"\n") {
                bytes.push(b'\n');
            }
            bytes.extend_from_slice(lines.as_bytes());
            bytes
        })
    }

    /// Remove the annotations with these ids (a reviewer clearing a mark),
    /// as one atomic write under the lock; every other line, malformed ones
    /// included, is kept byte for byte. Returns how many were removed.
    pub fn remove(&mut self, ids: &[String]) -> Result<usize> {
        let mut removed = 0;
        self.update(|bytes| {
            let mut out = Vec::with_capacity(bytes.len());
            for raw in bytes.split_inclusive(|&b| b == b'\n') {
                let line = raw.strip_suffix(b"\n").unwrap_or(raw);
                let line = line.strip_suffix(b"\r").unwrap_or(line);
                let gone =
                    serde_json::from_slice::<Annotation>(line).is_ok_and(|a| ids.contains(&a.id));
                if gone {
                    removed += 1;
                } else {
                    out.extend_from_slice(raw);
                }
            }
            out
        })?;
        Ok(removed)
    }

    /// Rewrite the file under the lock: `f` gets its bytes as they are on
    /// disk now and returns the new ones, written atomically; the store is
    /// then reloaded from them.
    fn update(&mut self, f: impl FnOnce(Vec<u8>) -> Vec<u8>) -> Result<()> {
        let dir = self.root.join(DIR);
        fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
        write_gitignore(&dir);
        let lock_path = dir.join(LOCK);
        let lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(&lock_path)
            .with_context(|| format!("cannot open lock {}", lock_path.display()))?;
        lock.lock()
            .with_context(|| format!("cannot lock {}", lock_path.display()))?;
        let result = (|| -> Result<Vec<u8>> {
            let file = self.file();
            let bytes = match File::open(&file) {
                Ok(mut f) => {
                    let mut b = Vec::new();
                    f.read_to_end(&mut b)
                        .with_context(|| format!("cannot read {}", file.display()))?;
                    b
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
                Err(e) => return Err(anyhow!("cannot read {}: {e}", file.display())),
            };
            let bytes = f(bytes);
            atomic_write(&file, &bytes)?;
            Ok(bytes)
        })();
        let _ = lock.unlock();
        let bytes = result?;
        let (a, m) = parse(&bytes);
        self.annotations = a;
        self.malformed = m;
        Ok(())
    }
}

fn write_gitignore(dir: &Path) {
    let gi = dir.join(".gitignore");
    if !gi.exists() {
        let _ = fs::write(
            gi,
            "# corroborate: the lock and temporary files\n*.lock\n*.tmp\n",
        );
    }
}

/// Write `bytes` to `path` atomically: a temp file in the same directory,
/// flushed to disk, renamed over the target; the directory is synced too.
pub fn atomic_write(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path
        .parent()
        .ok_or_else(|| anyhow!("{} has no parent directory", path.display()))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "file".into());
    let tmp = dir.join(format!(
        ".{name}.{}.{}.tmp",
        std::process::id(),
        &new_uuid()[..8]
    ));
    let write = || -> std::io::Result<()> {
        let mut f = OpenOptions::new().write(true).create_new(true).open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        drop(f);
        fs::rename(&tmp, path)?;
        Ok(())
    };
    if let Err(e) = write() {
        let _ = fs::remove_file(&tmp);
        return Err(anyhow!("cannot write {}: {e}", path.display()));
    }
    #[cfg(unix)]
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Parse the store's bytes: annotations, and the lines that are not.
pub fn parse(bytes: &[u8]) -> (Vec<Annotation>, Vec<Malformed>) {
    let mut anns = Vec::new();
    let mut bad = Vec::new();
    for (i, raw) in bytes.split(|&b| b == b'\n').enumerate() {
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        if raw.iter().all(|b| b.is_ascii_whitespace()) {
            continue;
        }
        let line = i + 1;
        let text = match std::str::from_utf8(raw) {
            Ok(t) => t,
            Err(e) => {
                bad.push(Malformed {
                    line,
                    text: String::from_utf8_lossy(raw).into_owned(),
                    error: format!("not valid UTF-8: {e}"),
                });
                continue;
            }
        };
        match serde_json::from_str::<Annotation>(text) {
            Ok(a) => anns.push(a),
            Err(e) => bad.push(Malformed {
                line,
                text: text.to_string(),
                error: e.to_string(),
            }),
        }
    }
    (anns, bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuid_shape() {
        let u = new_uuid();
        assert_eq!(u.len(), 36);
        assert_eq!(u.as_bytes().get(14), Some(&b'4'));
        assert_ne!(new_uuid(), new_uuid());
    }

    #[test]
    fn parse_keeps_bad_lines_and_unknown_fields() {
        let good = r#"{"id":"x","created":"2026-01-01T00:00:00Z","author":"a","status":"verified","target":"a.txt","selector":{"exact":"q","start":0,"end":1},"tool":"other"}"#;
        let text = format!("{good}\nnot json\n\n{{\"id\":1}}\n");
        let (a, m) = parse(text.as_bytes());
        assert_eq!(a.len(), 1);
        assert_eq!(
            a.first().and_then(|x| x.extra.get("tool")),
            Some(&Value::from("other"))
        );
        assert_eq!(m.len(), 2);
        assert_eq!(m.first().map(|x| x.line), Some(2));
        assert_eq!(m.get(1).map(|x| x.line), Some(4));
    }

    #[test]
    fn overlap_rule() {
        assert!(overlaps(&(10..20), &(10..20)));
        assert!(overlaps(&(10..20), &(0..100)));
        assert!(overlaps(&(10..20), &(14..30)));
        assert!(!overlaps(&(10..20), &(18..40)));
        assert!(!overlaps(&(10..20), &(20..30)));
    }
}
