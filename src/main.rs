use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use corroborate::cli::{self, check::Format};

#[derive(Parser)]
#[command(
    name = "corroborate",
    version,
    about = "Check news articles against each other: conflicts, support, single-source claims"
)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Analyse the articles under PATH... and report conflicting and supported claims.
    Check {
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
        /// Exit with status 1 when a conflict is found.
        #[arg(long, value_name = "KIND")]
        fail_on: Option<String>,
        /// Glob of article files inside directories (repeatable).
        #[arg(long = "glob")]
        globs: Vec<String>,
    },
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    match cli.cmd {
        Cmd::Check {
            paths,
            format,
            fail_on,
            globs,
        } => {
            let globs = if globs.is_empty() {
                cli::files::default_globs()
            } else {
                globs
            };
            let walk = match cli::files::collect(&paths, &globs) {
                Ok(w) => w,
                Err(e) => {
                    eprintln!("corroborate: {e}");
                    return ExitCode::from(2);
                }
            };
            for w in &walk.warnings {
                eprintln!("corroborate: warning: {w}");
            }
            if !walk.errors.is_empty() {
                for e in &walk.errors {
                    eprintln!("corroborate: error: {e}");
                }
                return ExitCode::from(2);
            }
            let corpus = cli::check::build_corpus(walk.files);
            let opts = cli::check::Options {
                format,
                fail_on_conflict: fail_on.as_deref() == Some("conflict"),
            };
            let stdout = std::io::stdout();
            let mut out = stdout.lock();
            match cli::check::run(&corpus, &opts, &mut out) {
                Ok(code) => ExitCode::from(code as u8),
                Err(e) => {
                    eprintln!("corroborate: {e}");
                    ExitCode::from(2)
                }
            }
        }
    }
}
