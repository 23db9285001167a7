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
    /// Mark a claim verified, disputed or ignored (stored in .corroborate/annotations.jsonl).
    Annotate(corroborate::review::cli::AnnotateArgs),
    /// List or export the workspace's annotations.
    Annotations {
        #[command(subcommand)]
        cmd: corroborate::review::cli::AnnotationsCmd,
    },
    /// Write the cross-source matrix of the articles under PATH... as HTML: one self-contained page per story.
    Report(corroborate::review::cli::ReportArgs),
    /// Run the language server on standard input and output (for editors).
    Lsp,
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
        Cmd::Annotate(args) => ExitCode::from(corroborate::review::cli::run_annotate(args)),
        Cmd::Annotations { cmd } => ExitCode::from(corroborate::review::cli::run_annotations(cmd)),
        Cmd::Report(args) => ExitCode::from(corroborate::review::cli::run_report(args)),
        Cmd::Lsp => corroborate::lsp::run(),
    }
}
