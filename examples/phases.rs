//! Development tool: time each phase of `check` on a directory.
//! Usage: cargo run --release --example phases -- DIR
use std::time::Instant;

use corroborate::cli::{check, files};
use corroborate::core::analysis;

/// The binary's allocator, so that the phases take what they take in
/// `check` (under glibc's malloc the allocation-heavy phases are slower).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> anyhow::Result<()> {
    let dir = std::env::args().nth(1).unwrap_or_else(|| "seeds".into());
    let t = Instant::now();
    let walk = files::collect(&[dir.into()], &files::default_globs())?;
    let bytes: usize = walk.files.iter().map(|f| f.text.len()).sum();
    eprintln!(
        "read    {:>8.3}s  {} files {} bytes",
        t.elapsed().as_secs_f64(),
        walk.files.len(),
        bytes
    );
    let t = Instant::now();
    let corpus = check::build_corpus(walk.files);
    eprintln!("parse   {:>8.3}s", t.elapsed().as_secs_f64());
    let t = Instant::now();
    let stories = corpus.stories();
    eprintln!(
        "stories {:>8.3}s  {} stories",
        t.elapsed().as_secs_f64(),
        stories.len()
    );
    let t = Instant::now();
    let rels = corpus.all_relations();
    eprintln!(
        "relations {:>6.3}s  {} stories",
        t.elapsed().as_secs_f64(),
        rels.0.len()
    );
    drop(rels);
    let t = Instant::now();
    let an = analysis::analyze(&corpus, true);
    eprintln!(
        "analyze {:>8.3}s  {} relations",
        t.elapsed().as_secs_f64(),
        an.relations().count()
    );
    let t = Instant::now();
    let s = check::json_report(&corpus, &an).to_string();
    eprintln!(
        "json    {:>8.3}s  {} bytes",
        t.elapsed().as_secs_f64(),
        s.len()
    );
    Ok(())
}
