use std::process::ExitCode;

use clap::{Parser, Subcommand};

use corroborate::cli;

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
    Check(cli::check::CheckArgs),
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
        Cmd::Check(args) => ExitCode::from(cli::check::execute(args)),
    }
}
