//! Finding and reading article files. Unreadable, non-UTF-8, binary and
//! oversized files inside a directory are skipped with a warning; an explicit
//! argument that cannot be read is an error. Nothing here panics on odd input
//! and symlink loops are reported, not followed forever.

use std::io::Read;
use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};
use rayon::prelude::*;

/// Files bigger than this are skipped (with a warning): no news article is 20 MB.
pub const MAX_FILE_BYTES: u64 = 20 * 1024 * 1024;

pub struct Loaded {
    /// Display path: the argument joined with the path inside it.
    pub path: String,
    pub text: String,
    /// The file's canonical path, what `fs::canonicalize` gives (`None`
    /// when it cannot be had): the cache names the file's entry by it.
    pub canonical: Option<PathBuf>,
}

pub struct Walk {
    pub files: Vec<Loaded>,
    /// Entries of directories that were skipped, one line each.
    pub warnings: Vec<String>,
    /// Explicit arguments that do not exist or cannot be read (usage errors).
    pub errors: Vec<String>,
}

pub fn default_globs() -> Vec<String> {
    vec!["**/*.txt".into(), "**/*.md".into()]
}

fn globset(globs: &[String]) -> anyhow::Result<GlobSet> {
    let mut b = GlobSetBuilder::new();
    for g in globs {
        b.add(Glob::new(g).map_err(|e| anyhow::anyhow!("invalid --glob {g:?}: {e}"))?);
    }
    Ok(b.build()?)
}

/// ELOOP: too many levels of symbolic links.
const ELOOP: Option<i32> = if cfg!(target_os = "linux") {
    Some(40)
} else if cfg!(any(target_os = "macos", target_os = "freebsd")) {
    Some(62)
} else {
    None
};

/// Whether a directory's canonical path joined with the name of an entry
/// that is not a symlink is the entry's canonical path, as `canonicalize`
/// would give it. On Linux it is (`realpath` resolves symlinks, `.` and
/// `..`, none of which such a name is); elsewhere, where `canonicalize` may
/// also change a name's case or form, each entry is canonicalised.
const JOIN_IS_CANONICAL: bool = cfg!(target_os = "linux");

fn io_reason(e: &std::io::Error) -> String {
    if ELOOP.is_some() && e.raw_os_error() == ELOOP {
        return "symlink loop (too many levels of symbolic links)".into();
    }
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file (was it deleted?)".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => format!("cannot read: {e}"),
    }
}

/// Read a file as an article: `Err(reason)` when it is not one we can use.
pub fn read_article(path: &Path) -> Result<String, String> {
    // Look before opening: opening a FIFO would block.
    let meta = std::fs::metadata(path).map_err(|e| io_reason(&e))?;
    if meta.is_dir() {
        return Err("is a directory".into());
    }
    if !meta.is_file() {
        return Err("not a regular file".into());
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(too_big(meta.len()));
    }
    let f = std::fs::File::open(path).map_err(|e| io_reason(&e))?;
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    // The file may grow after the size check: never read past the limit.
    f.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| io_reason(&e))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_big(bytes.len() as u64));
    }
    decode(bytes)
}

fn too_big(n: u64) -> String {
    format!(
        "too big ({:.1} MB; the limit is {} MB)",
        n as f64 / 1_048_576.0,
        MAX_FILE_BYTES / 1_048_576
    )
}

/// Bytes → text, or why they are not a UTF-8 article.
pub fn decode(bytes: Vec<u8>) -> Result<String, String> {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err("UTF-16 text (save it as UTF-8)".into());
    }
    // (memchr, not a byte loop: this scan was a fortieth of a `check` whose
    // articles all came from the cache.)
    if memchr::memchr(0, bytes.get(..8192).unwrap_or(&bytes)).is_some() {
        return Err("binary data, not text".into());
    }
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "not valid UTF-8 (bad byte at offset {})",
            e.utf8_error().valid_up_to()
        )
    })
}

fn walk_warning(err: &walkdir::Error, root: &Path) -> String {
    let at = err.path().unwrap_or(root).display();
    if let Some(anc) = err.loop_ancestor() {
        return format!(
            "{at}: skipped: symlink loop (points back to {})",
            anc.display()
        );
    }
    match err.io_error() {
        Some(e) => format!("{at}: skipped: {}", io_reason(e)),
        None => format!("{at}: skipped: {err}"),
    }
}

/// Walk the given paths (files or directories) and read every article.
/// `Err` only for an invalid glob.
pub fn collect(paths: &[PathBuf], globs: &[String]) -> anyhow::Result<Walk> {
    let set = globset(globs)?;
    let mut w = Walk {
        files: Vec::new(),
        warnings: Vec::new(),
        errors: Vec::new(),
    };
    // The same file reached twice (`check seeds seeds/a.txt`, a symlink) is
    // read once: it must not be compared with itself. (A file whose
    // canonical path cannot be had is read.)
    let mut seen = std::collections::HashSet::new();
    let mut first = |c: &Option<PathBuf>| c.as_ref().is_none_or(|c| seen.insert(c.clone()));
    for p in paths {
        let meta = match std::fs::metadata(p) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let why = if std::fs::symlink_metadata(p).is_ok() {
                    "broken symlink"
                } else {
                    "no such file or directory"
                };
                w.errors.push(format!("{}: {why}", p.display()));
                continue;
            }
            Err(e) => {
                w.errors.push(format!("{}: {}", p.display(), io_reason(&e)));
                continue;
            }
        };
        if !meta.is_dir() {
            let canonical = std::fs::canonicalize(p).ok();
            if !first(&canonical) {
                continue;
            }
            match read_article(p) {
                Ok(text) => w.files.push(Loaded {
                    path: p.display().to_string(),
                    text,
                    canonical,
                }),
                Err(e) => w.errors.push(format!("{}: {e}", p.display())),
            }
            continue;
        }
        // Each entry with its canonical path. The walk knows it without a
        // `canonicalize` per file (a system call per component of the path,
        // a tenth of the system calls of `check` with a warm cache): an entry
        // that is not a symlink, in a directory whose canonical path is
        // known, is that path joined with its name. `dirs[d]` is the
        // canonical path of the directory being walked at depth `d`.
        let mut entries: Vec<(PathBuf, Option<PathBuf>)> = Vec::new();
        let mut dirs: Vec<Option<PathBuf>> = Vec::new();
        for e in walkdir::WalkDir::new(p)
            .follow_links(true)
            .sort_by_file_name()
        {
            match e {
                Ok(e) if e.file_type().is_file() || e.file_type().is_dir() => {
                    let is_dir = e.file_type().is_dir();
                    let rel = e.path().strip_prefix(p).unwrap_or(e.path());
                    if !(is_dir || set.is_match(rel) || set.is_match(e.path())) {
                        continue;
                    }
                    let d = e.depth();
                    let canonical = match d.checked_sub(1).and_then(|up| dirs.get(up)) {
                        Some(Some(dir)) if JOIN_IS_CANONICAL && !e.path_is_symlink() => {
                            Some(dir.join(e.file_name()))
                        }
                        _ => std::fs::canonicalize(e.path()).ok(),
                    };
                    if is_dir {
                        dirs.resize(d, None);
                        dirs.push(canonical);
                    } else {
                        entries.push((e.into_path(), canonical));
                    }
                }
                Ok(_) => {}
                // The explicit argument itself cannot be read: a usage error.
                Err(err) if err.depth() == 0 && err.loop_ancestor().is_none() => {
                    let why = err.io_error().map_or_else(|| err.to_string(), io_reason);
                    w.errors.push(format!("{}: {why}", p.display()));
                }
                Err(err) => w.warnings.push(walk_warning(&err, p)),
            }
        }
        entries.retain(|(_, c)| first(c));
        let read: Vec<(PathBuf, Option<PathBuf>, Result<String, String>)> = entries
            .into_par_iter()
            .map(|(e, c)| {
                let r = read_article(&e);
                (e, c, r)
            })
            .collect();
        for (e, canonical, r) in read {
            match r {
                Ok(text) => w.files.push(Loaded {
                    path: e.display().to_string(),
                    text,
                    canonical,
                }),
                Err(err) => w.warnings.push(format!("{}: skipped: {err}", e.display())),
            }
        }
    }
    Ok(w)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walked_files_know_their_canonical_paths() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        let sub = root.join("sub").join("deeper");
        std::fs::create_dir_all(&sub).expect("mkdir");
        std::fs::write(root.join("a.txt"), "a").expect("write");
        std::fs::write(sub.join("b.txt"), "b").expect("write");
        std::fs::write(root.join("sub").join("c.txt"), "c").expect("write");
        let outside = tempfile::tempdir().expect("tempdir");
        std::fs::write(outside.path().join("d.txt"), "d").expect("write");
        #[cfg(unix)]
        {
            use std::os::unix::fs::symlink;
            // A symlinked file, a symlinked directory and a file under it.
            symlink(outside.path().join("d.txt"), root.join("link.txt")).expect("symlink");
            symlink(outside.path(), root.join("linked")).expect("symlink");
        }
        // Through a path with `..` in it.
        let arg = root.join("sub").join("..");
        let w = collect(&[arg], &default_globs()).expect("walk");
        assert!(
            w.errors.is_empty() && w.warnings.is_empty(),
            "{:?}",
            w.warnings
        );
        assert!(w.files.len() >= 3);
        for f in &w.files {
            let want = std::fs::canonicalize(&f.path).ok();
            assert!(want.is_some());
            assert_eq!(f.canonical, want, "{}", f.path);
        }
        // An explicit file too; and a file reached twice is read once.
        let file = root.join("a.txt");
        let w = collect(&[file.clone(), root.to_path_buf()], &default_globs()).expect("walk");
        assert_eq!(w.files.iter().filter(|f| f.text == "a").count(), 1);
        assert_eq!(w.files[0].canonical, std::fs::canonicalize(&file).ok());
    }

    #[test]
    fn decoding() {
        assert!(decode(b"hello".to_vec()).is_ok());
        assert!(decode(vec![0xEF, 0xBB, 0xBF, b'a']).is_ok());
        assert!(decode(vec![0xFF, 0xFE, b'a', 0])
            .unwrap_err()
            .contains("UTF-16"));
        assert!(decode(vec![b'a', 0, b'b']).unwrap_err().contains("binary"));
        assert!(decode(vec![b'a', 0xC3]).unwrap_err().contains("UTF-8"));
    }
}
