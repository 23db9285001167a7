//! Development tool: time what grouping a folder into stories costs after
//! its articles are parsed (what a `check` whose articles all come from
//! the cache, one of them edited, does): counting each article's terms,
//! indexing them in a corpus, and `Corpus::stories`, each several times
//! (the fastest of the rounds is the figure; the first pays for fresh
//! memory). Prints a hash of the stories, to compare two builds.
//! Usage: cargo run --release --example grouping -- DIR [ROUNDS]
use std::time::{Duration, Instant};

use corroborate::cli::files;
use corroborate::core::corpus::TermCounts;
use corroborate::core::{Article, Corpus, EngineConfig, MetaOverride};

/// The binary's allocator (see `examples/phases.rs`).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let dir = args.next().unwrap_or_else(|| "seeds".into());
    let rounds: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(8);
    let walk = files::collect(&[dir.into()], &files::default_globs())?;
    let none = MetaOverride::default();
    let arts: Vec<Article> = walk
        .files
        .into_iter()
        .map(|f| Article::parse_owned(f.path, f.text, &none))
        .collect();
    let mut best = [Duration::MAX; 3];
    let mut stories = Vec::new();
    for _ in 0..rounds {
        let copies: Vec<Article> = arts.to_vec();
        let t = Instant::now();
        let counts: Vec<TermCounts> = copies.iter().map(TermCounts::of).collect();
        let counting = t.elapsed();
        let t = Instant::now();
        let mut corpus = Corpus::new(EngineConfig::default());
        for (a, n) in copies.into_iter().zip(counts) {
            corpus.insert_counted(a, n);
        }
        let indexing = t.elapsed();
        let t = Instant::now();
        stories = corpus.stories();
        let grouping = t.elapsed();
        for (b, d) in best.iter_mut().zip([counting, indexing, grouping]) {
            *b = (*b).min(d);
        }
    }
    let hash = stories
        .iter()
        .flatten()
        .fold(stories.len() as u64, |h, &d| {
            h.wrapping_mul(1_000_003).wrapping_add(d as u64)
        });
    let [c, i, g] = best.map(|d| d.as_secs_f64());
    println!(
        "{} articles, {} stories (hash {hash:016x}); fastest of {rounds}: \
         counting {c:.3}s  indexing {i:.3}s  grouping {g:.3}s",
        arts.len(),
        stories.len()
    );
    Ok(())
}
