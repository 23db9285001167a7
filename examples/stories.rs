//! Development tool: story sizes of a directory.
use corroborate::cli::{check, files};

fn main() -> anyhow::Result<()> {
    let dir = std::env::args().nth(1).unwrap_or_else(|| "seeds".into());
    let walk = files::collect(&[dir.into()], &files::default_globs())?;
    let corpus = check::build_corpus(walk.files);
    let mut sizes: Vec<usize> = corpus.stories().iter().map(Vec::len).collect();
    sizes.sort_unstable_by(|a, b| b.cmp(a));
    println!(
        "{} stories; largest {:?}",
        sizes.len(),
        &sizes[..sizes.len().min(10)]
    );
    Ok(())
}
