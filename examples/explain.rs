//! Development tool: show the claims of a story whose text contains A and B
//! and why they are or are not related.
//! Usage: cargo run --release --example explain -- DIR "text a" "text b"
use corroborate::cli::{check, files};
use corroborate::core::compare::{explain_pair, StoryIndex};

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let walk = files::collect(&[args[1].clone().into()], &files::default_globs())?;
    let corpus = check::build_corpus(walk.files);
    let arts: Vec<_> = corpus.docs().map(|(d, a)| (d, a.clone())).collect();
    let idx = StoryIndex::new(arts.clone(), corpus.config.clone());
    let find = |needle: &str| {
        let mut v = Vec::new();
        for (ai, (_, a)) in arts.iter().enumerate() {
            for (ci, c) in a.claims.iter().enumerate() {
                if a.text[c.span.clone()].contains(needle) {
                    println!(
                        "[{ai}:{ci}] {} {:?} {:?} «{}»",
                        a.path,
                        c.kind,
                        c.value,
                        &a.text[c.span.clone()]
                    );
                    v.push((ai, ci));
                }
            }
        }
        v
    };
    let xs = find(&args[2]);
    let ys = find(&args[3]);
    for &x in &xs {
        for &y in &ys {
            if x.0 != y.0 {
                println!("{x:?} ~ {y:?}: {}", explain_pair(&idx, x, y));
            }
        }
    }
    Ok(())
}
