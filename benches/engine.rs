//! Engine throughput: parsing (MB/s of article text) and cross-source
//! comparison, on generated corpora of 10 and 1,000 articles.
//! Run: `cargo bench --bench engine`. Whole-process figures on 10,000
//! articles: `bash benches/whole.sh`.

use std::path::PathBuf;
use std::process::Command;

use corroborate::core::{analysis, Article, Corpus, EngineConfig, MetaOverride};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};

fn corpus_dir(stories: usize) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("bench-corpus-{stories}"));
    if !dir.exists() {
        let status = Command::new(env!("CARGO"))
            .args([
                "run",
                "--release",
                "--quiet",
                "--bin",
                "gencorpus",
                "--",
                "--stories",
            ])
            .arg(stories.to_string())
            .args(["--outlets", "5", "--seed", "1", "--out"])
            .arg(&dir)
            .status()
            .expect("run gencorpus");
        assert!(status.success());
    }
    dir
}

fn load(dir: &PathBuf) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = std::fs::read_dir(dir)
        .expect("corpus dir")
        .flatten()
        .map(|e| {
            (
                e.path().display().to_string(),
                std::fs::read_to_string(e.path()).expect("utf-8"),
            )
        })
        .collect();
    v.sort();
    v
}

fn bench(c: &mut Criterion) {
    for (stories, label) in [(2usize, "10 articles"), (200, "1000 articles")] {
        let files = load(&corpus_dir(stories));
        let bytes: usize = files.iter().map(|f| f.1.len()).sum();
        let mut g = c.benchmark_group(format!("engine/{label}"));
        g.sample_size(10);
        g.throughput(Throughput::Bytes(bytes as u64));
        g.bench_function("parse", |b| {
            b.iter(|| {
                files
                    .iter()
                    .map(|(p, t)| Article::parse(p, t, &MetaOverride::default()).claims.len())
                    .sum::<usize>()
            })
        });
        let build = || {
            let mut corpus = Corpus::new(EngineConfig::default());
            for (p, t) in &files {
                corpus.upsert(p, t, &MetaOverride::default());
            }
            corpus
        };
        g.bench_function("analyze (stories + relations + facts)", |b| {
            b.iter_batched(
                build,
                |corpus| analysis::analyze(&corpus, true).relations().count(),
                BatchSize::LargeInput,
            )
        });
        let corpus = build();
        let first = corpus.doc_id(&files[0].0).expect("doc");
        g.bench_function("relations_for one document (the server's re-check)", |b| {
            b.iter(|| corpus.relations_for(first).len())
        });
        g.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
