//! Development tool: the engine's share of the keystroke path (re-parse one
//! document, re-check it against its story), without the protocol.
//! Usage: cargo run --release --example keystroke -- DIR FILE
//! (`KEYSTROKE_PROFILE=N` adds N more edits (upsert + `relations_for`), to profile.)
use std::time::Instant;

use corroborate::cli::{check, files};
use corroborate::core::MetaOverride;

/// The binary's allocator, so that a profile of this example shows the
/// allocation costs of what ships (under glibc's malloc, malloc and free were
/// a sixth of the instructions of `relations_for`).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let walk = files::collect(&[args[1].clone().into()], &files::default_globs())?;
    let mut corpus = check::build_corpus(walk.files);
    let path = corpus
        .docs()
        .map(|(_, a)| a.path.clone())
        .find(|p| p.ends_with(&args[2]))
        .expect("file");
    let text = std::fs::read_to_string(&path)?;
    // Type and delete a digit at the start of a body line with a figure, as
    // `benches/lsp.rs` does.
    let at = text
        .match_indices('\n')
        .map(|(i, _)| i + 1)
        .find(|&i| {
            text[i..]
                .lines()
                .next()
                .is_some_and(|l| l.contains("affected"))
        })
        .unwrap_or(0);
    let edit = |i: usize| {
        let digit = if i.is_multiple_of(2) { "7" } else { "" };
        format!("{}{digit}{}", &text[..at], &text[at..])
    };
    let (mut parse, mut story, mut rel, mut index) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for i in 0..100 {
        let edited = edit(i);
        let t = Instant::now();
        let id = corpus.upsert(&path, &edited, &MetaOverride::default());
        parse.push(t.elapsed().as_secs_f64() * 1e3);
        let t = Instant::now();
        let s = corpus.story_of(id);
        story.push(t.elapsed().as_secs_f64() * 1e3);
        let t = Instant::now();
        let arts: Vec<_> = s
            .iter()
            .filter_map(|&d| corpus.article(d).map(|a| (d, a.clone())))
            .collect();
        let idx = corroborate::core::compare::StoryIndex::new(arts, corpus.config.clone());
        index.push(t.elapsed().as_secs_f64() * 1e3);
        drop(idx);
        let t = Instant::now();
        let r = corpus.relations_for(id);
        rel.push(t.elapsed().as_secs_f64() * 1e3);
        if i == 0 {
            eprintln!("story of {} docs, {} relations", s.len(), r.len());
        }
    }
    // KEYSTROKE_PROFILE=N: then N more edits without timing, for a profiler.
    if let Some(n) = std::env::var("KEYSTROKE_PROFILE")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
    {
        for i in 0..n {
            let edited = edit(i);
            let id = corpus.upsert(&path, &edited, &MetaOverride::default());
            std::hint::black_box(corpus.relations_for(id));
        }
    }
    for (name, mut v) in [
        ("upsert (parse + index)", parse),
        ("story_of", story),
        ("StoryIndex::new", index),
        ("relations_for", rel),
    ] {
        v.sort_by(f64::total_cmp);
        eprintln!("{name:<24} p50 {:.2} ms  p95 {:.2} ms", v[50], v[95]);
    }
    Ok(())
}
