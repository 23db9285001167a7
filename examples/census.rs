//! Development tool: where the parsed corpus's memory goes (heap bytes by
//! part, counted from capacities), and how many claims of each kind.
//! Usage: cargo run --release --example census -- DIR
use std::collections::BTreeMap;
use std::mem::size_of;

use corroborate::cli::{check, files};
use corroborate::core::article::Block;
use corroborate::core::claim::{Claim, Sentence};

fn main() -> anyhow::Result<()> {
    let dir = std::env::args().nth(1).unwrap_or_else(|| "seeds".into());
    let walk = files::collect(&[dir.into()], &files::default_globs())?;
    let corpus = check::build_corpus(walk.files);
    let mut parts: BTreeMap<&str, usize> = BTreeMap::new();
    let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
    let strings = |v: &[String]| {
        v.iter()
            .map(|s| s.capacity() + size_of::<String>())
            .sum::<usize>()
    };
    // A ThinVec's heap block: its length and capacity, then the items.
    fn thin<T>(v: &thin_vec::ThinVec<T>) -> usize {
        match v.capacity() {
            0 => 0,
            n => 16 + n * size_of::<T>(),
        }
    }
    for (_, a) in corpus.docs() {
        let mut add = |k, n| *parts.entry(k).or_default() += n;
        add("text", a.text.capacity());
        add("blocks", a.blocks.capacity() * size_of::<Block>());
        add("sentences", a.sentences.capacity() * size_of::<Sentence>());
        // Sentences' terms, then those of claims that are not a run of
        // their sentence's (most claims' lie within it).
        add(
            "terms",
            a.terms.len() * size_of::<corroborate::core::terms::Term>(),
        );
        for s in &a.sentences {
            // The names themselves are symbols, stored once for the process.
            add("sentence names", thin(&s.names));
        }
        add("claims", a.claims.capacity() * size_of::<Claim>());
        for c in &a.claims {
            *kinds.entry(c.kind.as_str()).or_default() += 1;
            let f = c.features();
            let stances: usize = f
                .stances
                .iter()
                .map(|(m, n)| m.capacity() + n.capacity())
                .sum();
            add(
                "features",
                thin(&f.names) + thin(&f.near_names) + thin(&f.window) + thin(&f.stances) + stances,
            );
            if let Some(q) = &c.quote {
                add("quotes", strings(&q.words));
            }
        }
    }
    for (k, v) in &parts {
        println!("{k:<16} {:>8.1} MB", *v as f64 / 1e6);
    }
    println!(
        "claims by kind: {kinds:?}; one claim is {} bytes, one sentence {}",
        size_of::<Claim>(),
        size_of::<Sentence>()
    );
    Ok(())
}
