//! Development tool: write `check --format json` outputs for several engine
//! settings, to be scored with `../shared/eval/score --output`.
//! Usage: cargo run --release --example sweep -- DIR OUT_PREFIX key=v1,v2 ...
use corroborate::cli::{check, files};
use corroborate::core::{analysis, EngineConfig};

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let (dir, prefix) = (&args[1], &args[2]);
    let (key, vals) = args[3].split_once('=').unwrap_or(("statement", "0.34"));
    for v in vals.split(',') {
        let x: f32 = v.parse()?;
        let walk = files::collect(&[dir.into()], &files::default_globs())?;
        let mut corpus = check::build_corpus(walk.files);
        let mut cfg = EngineConfig::default();
        match key {
            "statement" => cfg.statement_threshold = x,
            "typed" => cfg.typed_threshold = x,
            "story" => cfg.story_threshold = x,
            _ => anyhow::bail!("unknown key {key}"),
        }
        corpus.config = cfg;
        let an = analysis::analyze(&corpus, true);
        std::fs::write(
            format!("{prefix}-{v}.json"),
            check::json_report(&corpus, &an).to_string(),
        )?;
    }
    Ok(())
}
