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
    // read once: it must not be compared with itself.
    let mut seen = std::collections::HashSet::new();
    let mut first = |p: &Path| std::fs::canonicalize(p).map_or(true, |c| seen.insert(c));
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
            if !first(p) {
                continue;
            }
            match read_article(p) {
                Ok(text) => w.files.push(Loaded {
                    path: p.display().to_string(),
                    text,
                }),
                Err(e) => w.errors.push(format!("{}: {e}", p.display())),
            }
            continue;
        }
        let mut entries: Vec<PathBuf> = Vec::new();
        for e in walkdir::WalkDir::new(p)
            .follow_links(true)
            .sort_by_file_name()
        {
            match e {
                Ok(e) if e.file_type().is_file() => {
                    let rel = e.path().strip_prefix(p).unwrap_or(e.path());
                    if set.is_match(rel) || set.is_match(e.path()) {
                        entries.push(e.into_path());
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
        entries.retain(|e| first(e));
        let read: Vec<(PathBuf, Result<String, String>)> = entries
            .into_par_iter()
            .map(|e| {
                let r = read_article(&e);
                (e, r)
            })
            .collect();
        for (e, r) in read {
            match r {
                Ok(text) => w.files.push(Loaded {
                    path: e.display().to_string(),
                    text,
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
