//! Development tool: parse every file of a directory N times (profiling aid).
use corroborate::cli::files;
use corroborate::core::{Article, MetaOverride};

fn main() -> anyhow::Result<()> {
    let dir = std::env::args().nth(1).unwrap_or_else(|| "seeds".into());
    let n: usize = std::env::args()
        .nth(2)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    let walk = files::collect(&[dir.into()], &files::default_globs())?;
    let mut claims = 0;
    for _ in 0..n {
        for f in &walk.files {
            claims += Article::parse(&f.path, &f.text, &MetaOverride::default())
                .claims
                .len();
        }
    }
    println!("{claims}");
    Ok(())
}
