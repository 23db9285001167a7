//! The language server's keystroke path, measured end to end over stdio on a
//! generated workspace of 1,000 articles of about 1,500 words:
//! indexing time, start-up to first diagnostics, `didChange` →
//! `publishDiagnostics` (debounce set to 0, so it is excluded), hover latency,
//! a burst of files changed on disk at once (a `git checkout`, a wire feed
//! synced into the folder: one `didChangeWatchedFiles` with a change for a
//! quarter of the workspace, `LSP_BENCH_BURST` files), with a hover and 20
//! keystrokes meanwhile, then the same files deleted at once (a hover
//! meanwhile), workspace symbols (first, with 5 keystrokes then a hover
//! while it is made; after a keystroke; again), and the server's peak
//! memory.
//! Run: `cargo bench --bench lsp`.

#[path = "../tests/common/mod.rs"]
mod common;

use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

use common::{file_uri, Client};
use serde_json::json;

fn corpus(stories: usize, words: usize) -> PathBuf {
    let dir =
        PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("lsp-bench-{stories}-{words}"));
    if !dir.exists() {
        let status = Command::new(env!("CARGO"))
            .args([
                "run",
                "--release",
                "--quiet",
                "--bin",
                "gencorpus",
                "--",
                "--stories",
            ])
            .arg(stories.to_string())
            .args(["--outlets", "5", "--seed", "3", "--words"])
            .arg(words.to_string())
            .arg("--out")
            .arg(&dir)
            .status()
            .expect("run gencorpus");
        assert!(status.success());
    }
    dir
}

fn pct(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    v[((v.len() as f64 - 1.0) * p).round() as usize]
}

fn peak_rss_mb(pid: u32) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .map(str::to_string)
        })
        .and_then(|l| {
            l.split_whitespace()
                .nth(1)
                .and_then(|k| k.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// Types (even `v`) or deletes (odd `v`) a digit at the start of `line`,
/// as version `v`, and waits for that version's diagnostics: the time
/// taken, in ms.
fn keystroke(c: &mut Client, path: &std::path::Path, line: u32, v: i64) -> f64 {
    let insert = v % 2 == 0;
    let end = if insert { 0 } else { 1 };
    let t = Instant::now();
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": file_uri(path), "version": v}, "contentChanges": [{"range": {"start": {"line": line, "character": 0}, "end": {"line": line, "character": end}}, "text": if insert { "7" } else { "" }}]}),
    );
    c.wait_for(|m| m["method"] == "textDocument/publishDiagnostics" && m["params"]["version"] == v)
        .expect("diagnostics");
    t.elapsed().as_secs_f64() * 1000.0
}

/// A hover at the sixth character of `line`, waited for.
fn hover_line(c: &mut Client, path: &std::path::Path, line: u32) {
    c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": file_uri(path)}, "position": {"line": line, "character": 5}}),
    );
}

/// A `didChangeWatchedFiles` change of type `typ` (1 created, 2 changed,
/// 3 deleted) for each file.
fn events(files: &[(PathBuf, String)], typ: u8) -> Vec<serde_json::Value> {
    files
        .iter()
        .map(|(p, _)| json!({"uri": file_uri(p), "type": typ}))
        .collect()
}

/// Waits for the server's line saying that changed files are in.
fn files_read(c: &mut Client) -> Option<serde_json::Value> {
    c.wait_for(|m| {
        m["method"] == "window/logMessage"
            && m["params"]["message"]
                .as_str()
                .is_some_and(|s| s.contains("changed articles"))
    })
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --benches` passes nothing: do
    // the full run only when benchmarking.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    // LSP_BENCH_STORIES=2000 for a 10,000-article workspace.
    let stories = std::env::var("LSP_BENCH_STORIES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(200);
    let words = std::env::var("LSP_BENCH_WORDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1500);
    let dir = corpus(stories, words);
    let n = std::fs::read_dir(&dir).map(|d| d.count()).unwrap_or(0);
    let mut c = Client::start();
    let pid = c.pid();
    let t0 = Instant::now();
    let uri = file_uri(&dir);
    c.request(
        "initialize",
        json!({"processId": null, "rootUri": uri, "workspaceFolders": [{"uri": uri, "name": "bench"}],
               "capabilities": {"window": {"workDoneProgress": true}},
               "initializationOptions": {"diagnostics": {"debounceMs": 0}}}),
    );
    c.notify("initialized", json!({}));
    c.wait_for(|m| m["method"] == "$/progress" && m["params"]["value"]["kind"] == "end")
        .expect("indexing ends");
    let indexing = t0.elapsed().as_secs_f64();
    // A 1,500-word article of the workspace.
    let path = dir.join("s00007_o02.txt");
    let text = std::fs::read_to_string(&path).expect("article");
    let edited_words = text.split_whitespace().count();
    let t1 = Instant::now();
    c.notify("textDocument/didOpen", json!({"textDocument": {"uri": file_uri(&path), "languageId": "text", "version": 1, "text": text}}));
    c.wait_for(|m| m["method"] == "textDocument/publishDiagnostics" && m["params"]["version"] == 1)
        .expect("first diagnostics");
    let first = t1.elapsed().as_secs_f64() * 1000.0;

    // Keystrokes: type and delete a digit in a sentence with a figure.
    let line = text
        .lines()
        .position(|l| l.contains("affected"))
        .unwrap_or(4) as u32;
    let mut change_ms: Vec<f64> = (2..=201)
        .map(|v| keystroke(&mut c, &path, line, v))
        .collect();
    // Hovers over the lines of the article.
    let mut hover_ms = Vec::new();
    for i in 0..300u32 {
        let t = Instant::now();
        c.request(
            "textDocument/hover",
            json!({"textDocument": {"uri": file_uri(&path)}, "position": {"line": (i * 7) % 40, "character": (i * 13) % 60}}),
        );
        hover_ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    // Workspace symbols (the whole workspace's facts): asked once, with a
    // hover and 5 keystrokes sent while the server answers, then again
    // after a keystroke in the open document.
    let t6 = Instant::now();
    const FIRST_QUERY: u64 = 900_000;
    c.send_raw(
        json!({"jsonrpc": "2.0", "id": FIRST_QUERY, "method": "workspace/symbol", "params": {"query": "council"}})
            .to_string()
            .as_bytes(),
    );
    // The keystrokes first (the user types on while the query runs), then
    // a hover.
    let mut symbols_keys: Vec<f64> = (800..805)
        .map(|v| keystroke(&mut c, &path, line, v))
        .collect();
    symbols_keys.sort_by(f64::total_cmp);
    let th = Instant::now();
    hover_line(&mut c, &path, line);
    let symbols_hover = th.elapsed().as_secs_f64() * 1000.0;
    c.wait_for(|m| m.get("id") == Some(&json!(FIRST_QUERY)) && m.get("method").is_none())
        .expect("workspace symbols");
    let symbols_first = t6.elapsed().as_secs_f64() * 1000.0;
    keystroke(&mut c, &path, line, 900);
    let t7 = Instant::now();
    c.request("workspace/symbol", json!({"query": "council"}));
    let symbols_edited = t7.elapsed().as_secs_f64() * 1000.0;
    let t8 = Instant::now();
    let found = c.request("workspace/symbol", json!({"query": "council"}));
    let symbols_again = t8.elapsed().as_secs_f64() * 1000.0;
    let symbols_n = found["result"].as_array().map_or(0, Vec::len);
    // A burst: a quarter of the workspace (LSP_BENCH_BURST files) changed
    // on disk at once, then a hover and a keystroke in the open document
    // while the server takes the burst in, then the time until it says it
    // has (its log line).
    let burst_n = std::env::var("LSP_BENCH_BURST")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(n / 4);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.sort();
    files.retain(|p| p != &path);
    files.truncate(burst_n);
    let originals: Vec<(PathBuf, String)> = files
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok().map(|t| (p.clone(), t)))
        .collect();
    // Each file gets another one's text (as after a checkout of another
    // branch: nothing of the old version to reuse), and a sentence.
    for (i, (p, _)) in originals.iter().enumerate() {
        let t = originals
            .get((i + 1) % originals.len())
            .map_or("", |(_, t)| t.as_str());
        let added = format!(
            "{t}\nThe council said on Monday that {} people had attended the meeting.\n",
            1000 + i
        );
        std::fs::write(p, added).expect("write a changed article");
    }
    let changes = events(&originals, 2);
    let t2 = Instant::now();
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": changes }),
    );
    hover_line(&mut c, &path, line);
    let burst_hover = t2.elapsed().as_secs_f64() * 1000.0;
    // Keystrokes while the burst is taken in (type and delete a digit, as
    // above, 20 times: most land before the burst is in).
    let mut burst_keys: Vec<f64> = (1000..1020)
        .map(|v| keystroke(&mut c, &path, line, v))
        .collect();
    let keys_done = t2.elapsed().as_secs_f64() * 1000.0;
    let applied = files_read(&mut c).map(|_| t2.elapsed().as_secs_f64() * 1000.0);
    // The same files deleted (a checkout of a branch without them), then a
    // hover: removals are made as the event is sorted.
    for (p, _) in &originals {
        std::fs::remove_file(p).expect("delete an article");
    }
    let deleted = events(&originals, 3);
    let t5 = Instant::now();
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": deleted }),
    );
    hover_line(&mut c, &path, line);
    let delete_hover = t5.elapsed().as_secs_f64() * 1000.0;
    // Back as they were, and said so: the server stores their analyses
    // again, for the next run's indexing.
    for (p, t) in &originals {
        std::fs::write(p, t).expect("restore an article");
    }
    let created = events(&originals, 1);
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": created }),
    );
    files_read(&mut c);
    let rss = peak_rss_mb(pid);
    let _ = c.shutdown();
    println!("corroborate lsp on {n} generated articles of ~{words} words (the edited one: {edited_words} words)");
    println!("  indexing (initialize → progress end)      {indexing:>8.2} s");
    println!("  open → first diagnostics                  {first:>8.1} ms");
    println!("  didChange → publishDiagnostics  p50 {:>6.2} ms   p95 {:>6.2} ms   (debounce 0, 200 edits)", pct(&mut change_ms, 0.5), pct(&mut change_ms, 0.95));
    println!(
        "  hover                           p50 {:>6.2} ms   p95 {:>6.2} ms   (300 hovers)",
        pct(&mut hover_ms, 0.5),
        pct(&mut hover_ms, 0.95)
    );
    println!(
        "  burst of {} files changed on disk: hover {burst_hover:.1} ms; 20 keystrokes p50 {:.2} ms, p95 {:.2} ms (done {keys_done:.0} ms in); taken in after {}",
        originals.len(),
        pct(&mut burst_keys, 0.5),
        pct(&mut burst_keys, 0.95),
        applied.map_or("(no log line)".to_string(), |ms| format!("{ms:.0} ms"))
    );
    println!(
        "  workspace/symbol (\"council\", {symbols_n} symbols): first {symbols_first:.0} ms (meanwhile 5 keystrokes max {:.1} ms, then a hover {symbols_hover:.1} ms), after a keystroke {symbols_edited:.0} ms, again {symbols_again:.0} ms",
        symbols_keys.last().copied().unwrap_or(f64::NAN)
    );
    println!("  the same files deleted: hover {delete_hover:.1} ms");
    println!("  server peak memory (VmHWM)                {rss:>8.1} MB");
}
