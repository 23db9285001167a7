//! A short, bounded run of the fuzz targets' harnesses (`fuzz/harness/`)
//! on every test run: first every input of `fuzz/regressions/<target>/`
//! (crashes found before, kept), then seeds (the repository's articles,
//! `fuzz/seeds/<target>/`) and a fixed number of deterministic mutations of
//! them. Not coverage-guided: the deep runs are `cargo fuzz run` (see
//! `fuzz/README.md`). An input that fails is written under the target
//! directory and named in the failure, to be added to `fuzz/regressions/`.
//!
//! `FUZZ_SMOKE_RUNS` (a number of mutations per target) and
//! `FUZZ_SMOKE_SEED` make longer or different runs.

#[path = "../fuzz/harness/compare_articles.rs"]
mod compare_articles;
#[path = "../fuzz/harness/jsonrpc.rs"]
mod jsonrpc;
#[path = "../fuzz/harness/lsp_positions.rs"]
mod lsp_positions;
#[path = "../fuzz/harness/parse_article.rs"]
mod parse_article;

mod common;

use common::Rng;
use std::path::{Path, PathBuf};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn files_in(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut v: Vec<(PathBuf, Vec<u8>)> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .filter_map(|p| std::fs::read(&p).ok().map(|b| (p, b)))
        .collect();
    v.sort();
    v
}

/// The repository's articles: real news text, front matter, Unicode.
fn articles() -> Vec<Vec<u8>> {
    let mut v: Vec<Vec<u8>> = files_in(&Path::new(ROOT).join("seeds"))
        .into_iter()
        .chain(files_in(
            &Path::new(ROOT).join("tests/fixtures/two-sources"),
        ))
        .filter(|(p, _)| p.extension().is_some_and(|e| e == "txt" || e == "md"))
        .map(|(_, b)| b)
        .collect();
    v.push(Vec::new());
    v
}

const ARTICLE_TOKENS: &[&str] = &[
    " more than ",
    " 300 ",
    "1,200",
    " said ",
    "---\n",
    "outlet: Herald\n",
    "published: 2025-03-03\n",
    "\n\n",
    "🙂",
    "e\u{301}",
    "한국어",
    "\r\n",
    "\r",
    "\0",
    "%",
    " million ",
    " percent ",
    "\"",
    "“",
    "”",
    " nearly ",
    " fewer than ",
    "January 3, 2025",
    "$5bn",
    " not ",
    "\u{feff}",
    "\u{2028}",
];

const JSON_TOKENS: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    "\"",
    ":",
    ",",
    "null",
    "-1",
    "4294967296",
    "1e999",
    "\\ud800",
    "\"method\"",
    "\"id\"",
    "\"jsonrpc\":\"2.0\"",
    "\0",
    "\"textDocument/didChange\"",
    "\"range\"",
    "🙂",
];

/// One to four mutations: bit flips, byte changes, token insertions,
/// deletions, duplications, truncation, splicing with another input.
fn mutate(rng: &mut Rng, input: &[u8], others: &[Vec<u8>], tokens: &[&str]) -> Vec<u8> {
    let mut v = input.to_vec();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(v.len() + 1);
        match rng.below(8) {
            0 if !v.is_empty() => {
                let i = rng.below(v.len());
                v[i] ^= 1 << rng.below(8);
            }
            1 if !v.is_empty() => {
                let i = rng.below(v.len());
                v[i] = [0u8, 0xFF, b'\n', b'\r', 0xC3, 0x80, b'9', b' '][rng.below(8)];
            }
            2 | 3 => {
                let t = tokens[rng.below(tokens.len())].as_bytes();
                v.splice(at..at, t.iter().copied());
            }
            4 => {
                let end = (at + 1 + rng.below(64)).min(v.len());
                if at < end {
                    v.drain(at..end);
                }
            }
            5 => {
                let end = (at + 1 + rng.below(256)).min(v.len());
                if at < end {
                    let copy = v[at..end].to_vec();
                    v.splice(at..at, copy);
                }
            }
            6 => v.truncate(at),
            _ => {
                if let Some(o) = others.get(rng.below(others.len())) {
                    let from = rng.below(o.len() + 1);
                    v.truncate(at);
                    v.extend_from_slice(&o[from..]);
                }
            }
        }
    }
    v
}

fn runs(default: usize) -> usize {
    std::env::var("FUZZ_SMOKE_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn seed() -> u64 {
    std::env::var("FUZZ_SMOKE_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0x5EED_CAFE)
}

/// Run `f` on one input; a panic is saved to a file and fails the test.
fn check(target: &str, what: &str, input: &[u8], f: fn(&[u8])) {
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(input)));
    if r.is_err() {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("fuzz-smoke");
        let _ = std::fs::create_dir_all(&dir);
        let path = dir.join(format!("{target}-{what}"));
        let _ = std::fs::write(&path, input);
        panic!(
            "{target} failed on {what} ({} bytes), saved to {}: add it to fuzz/regressions/{target}/",
            input.len(),
            path.display()
        );
    }
}

/// Regressions, seeds, then `n` mutations of them.
fn smoke(target: &str, seeds: Vec<Vec<u8>>, tokens: &[&str], n: usize, f: fn(&[u8])) {
    let regressions = files_in(&Path::new(ROOT).join("fuzz/regressions").join(target));
    for (p, input) in &regressions {
        let name = p
            .file_name()
            .map_or_else(String::new, |s| s.to_string_lossy().into_owned());
        check(target, &format!("regression-{name}"), input, f);
    }
    let mut pool: Vec<Vec<u8>> = seeds;
    pool.extend(
        files_in(&Path::new(ROOT).join("fuzz/seeds").join(target))
            .into_iter()
            .map(|(_, b)| b),
    );
    pool.extend(regressions.into_iter().map(|(_, b)| b));
    assert!(!pool.is_empty(), "no seeds for {target}");
    for (i, input) in pool.iter().enumerate() {
        check(target, &format!("seed-{i}"), input, f);
    }
    let s = seed();
    let mut rng = Rng(s ^ target.len() as u64 ^ 0x9E37_79B9_7F4A_7C15);
    for i in 0..n {
        let base = &pool[rng.below(pool.len())];
        let m = mutate(&mut rng, base, &pool, tokens);
        check(target, &format!("seed{s}-run{i}"), &m, f);
    }
    println!(
        "{target}: {} regressions, {} seeds, {n} mutations: no failure",
        files_in(&Path::new(ROOT).join("fuzz/regressions").join(target)).len(),
        pool.len()
    );
}

#[test]
fn parse_article_smoke() {
    smoke(
        "parse_article",
        articles(),
        ARTICLE_TOKENS,
        runs(5_000),
        parse_article::run,
    );
}

#[test]
fn compare_articles_smoke() {
    smoke(
        "compare_articles",
        articles(),
        ARTICLE_TOKENS,
        runs(2_000),
        compare_articles::run,
    );
}

#[test]
fn lsp_positions_smoke() {
    // Texts with edits: [encoding] text \0 (4 coordinates, inserted text)...
    let seeds: Vec<Vec<u8>> = articles()
        .into_iter()
        .enumerate()
        .map(|(i, a)| {
            let mut v = vec![i as u8];
            v.extend_from_slice(&a[..a.len().min(2000)]);
            for e in [
                &b"\x02\x05\x03\x00\xf0\x9f\x99\x82\r\n"[..],
                b"\x00\x00\x00\x00x",
                b"\x09\xff\x01\x02",
                b"\x01\x03\x01\x03e\xcc\x81",
            ] {
                v.push(0);
                v.extend_from_slice(e);
            }
            v
        })
        .collect();
    smoke(
        "lsp_positions",
        seeds,
        ARTICLE_TOKENS,
        runs(50_000),
        lsp_positions::from_bytes,
    );
}

#[test]
fn jsonrpc_smoke() {
    smoke(
        "jsonrpc",
        Vec::new(),
        JSON_TOKENS,
        runs(5_000),
        jsonrpc::run,
    );
}
