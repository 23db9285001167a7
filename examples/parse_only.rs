//! Development tool: parse every file of a directory N times (profiling aid).
use corroborate::cli::files;
use corroborate::core::{Article, MetaOverride};

/// The binary's allocator, so that a profile of this example shows the
/// allocation costs of what ships (under glibc's malloc, malloc and free were
/// a fifth of the instructions). The binary's two memory options
/// (`tune_allocator` in main.rs) change its peak memory, not its work.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
