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
    for (_, a) in corpus.docs() {
        let mut add = |k, n| *parts.entry(k).or_default() += n;
        add("text", a.text.capacity());
        add("blocks", a.blocks.capacity() * size_of::<Block>());
        add("sentences", a.sentences.capacity() * size_of::<Sentence>());
        for s in &a.sentences {
            add("sentence terms", s.terms.capacity() * 4);
            add("sentence names", strings(&s.names));
        }
        add("claims", a.claims.capacity() * size_of::<Claim>());
        for c in &a.claims {
            *kinds.entry(c.kind.as_str()).or_default() += 1;
            add("claim terms", c.terms.capacity() * 4);
            let f = &c.features;
            let named = |v: &[(String, _)]| v.iter().map(|n| n.0.capacity() + 32).sum::<usize>();
            add(
                "features",
                named(&f.names) + named(&f.near_names) + f.window.capacity() * 4,
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
        "claims by kind: {kinds:?}; one claim is {} bytes",
        size_of::<Claim>()
    );
    Ok(())
}
