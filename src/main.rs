use std::process::ExitCode;

use clap::{Parser, Subcommand};

use corroborate::cli;

/// mimalloc instead of glibc's malloc: under glibc, malloc and free were a
/// quarter of `check`'s CPU samples (`perf record`, 1,000 generated
/// articles), spread over the parser's and the comparison's short-lived
/// vectors. See [`tune_allocator`] for the two options that keep its peak
/// memory near glibc's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's option numbers (`mi_option_t` in `mimalloc.h`; the same in its
/// v2 and v3). The crate's bindings do not name these two.
#[cfg(target_os = "linux")]
const MI_OPTION_ARENA_EAGER_COMMIT: libmimalloc_sys::mi_option_t = 4;
#[cfg(target_os = "linux")]
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Commit arena memory page by page, and give freed pages back after 5 ms
/// rather than mimalloc's default 10 ms. With mimalloc's defaults the peak
/// RSS of `check` on 1,000 generated articles (9.2 MB) was 178 MB against
/// glibc's 91 MB, and 60 MB on `seeds/` against 15 MB; with eager commit
/// off and a purge delay of 0, 101–103 MB and 16–17 MB (docs/performance-history.md,
/// "Allocator and claim extraction, latest").
///
/// A delay of 0 purges each freed page at once, one `madvise` per page
/// span, and every purge of memory that another thread touched interrupts
/// that thread to flush its TLB: `check --no-cache` on 10,000 articles spent
/// 1.1–3.9 s of 7–9 s of CPU in the kernel. A 5 ms delay batches the purges:
/// 0.2 s of system time, wall time 4.9–7.2 s → 4.0 s, peak RSS +1–2 %
/// (docs/performance-history.md, "Allocator purge delay, latest").
///
/// It must run before the first allocation: mimalloc reserves its first
/// arena then, with the options of that moment, and Rust's runtime
/// allocates before `main`. So it is a constructor of the executable
/// (`.init_array`), which the loader runs before the runtime starts.
#[cfg(target_os = "linux")]
extern "C" fn tune_allocator() {
    // SAFETY: mi_option_set is not thread-safe; constructors run on the
    // loading thread before any other thread exists.
    unsafe {
        libmimalloc_sys::mi_option_set(MI_OPTION_ARENA_EAGER_COMMIT, 0);
        libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 5);
    }
}

#[cfg(target_os = "linux")]
#[used]
#[link_section = ".init_array"]
static TUNE_ALLOCATOR: extern "C" fn() = tune_allocator;

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
