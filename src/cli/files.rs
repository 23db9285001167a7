//! Finding and reading article files. Unreadable, non-UTF-8 and oversized
//! files are skipped with a warning; nothing here panics on odd input.

use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};

/// Files bigger than this are skipped (with a warning): no news article is 20 MB.
pub const MAX_FILE_BYTES: u64 = 20 * 1024 * 1024;

pub struct Loaded {
    /// Display path: the argument joined with the path inside it.
    pub path: String,
    pub text: String,
}

pub struct Walk {
    pub files: Vec<Loaded>,
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
        b.add(Glob::new(g)?);
    }
    Ok(b.build()?)
}

/// Read a file as an article: `Err(reason)` when it must be skipped.
pub fn read_article(path: &Path) -> Result<String, String> {
    let meta = std::fs::metadata(path).map_err(|e| format!("cannot read: {e}"))?;
    if meta.is_dir() {
        return Err("is a directory".into());
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(format!(
            "skipped: {} bytes is over the {} byte limit",
            meta.len(),
            MAX_FILE_BYTES
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read: {e}"))?;
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err("skipped: UTF-16 text; save it as UTF-8".into());
    }
    if bytes.iter().take(8192).any(|&b| b == 0) {
        return Err("skipped: binary data".into());
    }
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "skipped: not valid UTF-8 (byte {})",
            e.utf8_error().valid_up_to()
        )
    })
}

/// Walk the given paths (files or directories) and read every article.
pub fn collect(paths: &[PathBuf], globs: &[String]) -> anyhow::Result<Walk> {
    let set = globset(globs)?;
    let mut w = Walk {
        files: Vec::new(),
        warnings: Vec::new(),
        errors: Vec::new(),
    };
    for p in paths {
        if !p.exists() {
            w.errors
                .push(format!("{}: no such file or directory", p.display()));
            continue;
        }
        if p.is_file() {
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
                Err(err) => w.warnings.push(format!("{}: {err}", p.display())),
            }
        }
        for e in entries {
            match read_article(&e) {
                Ok(text) => w.files.push(Loaded {
                    path: e.display().to_string(),
                    text,
                }),
                Err(err) => w.warnings.push(format!("{}: {err}", e.display())),
            }
        }
    }
    Ok(w)
}
