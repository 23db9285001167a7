//! The server side of the bad-input corpus (`tests/cli_bad_input.rs` holds
//! the `check` side): the real binary over stdio, on a workspace of odd
//! files built at test time, and on documents with odd contents opened by
//! the client. Every odd file is indexed or skipped with one log line, the
//! server keeps answering, and nothing is published for what it skipped.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use common::*;
use serde_json::{json, Value};

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/two-sources");
const HERALD: &str = "harbour-herald.txt";
const COURIER: &str = "valley-courier.txt";
/// The herald's side of the planted conflict (the courier says 150).
const CLAIM: &str = "More than 300 homes were evacuated along the east bank";

/// Whether permissions stop this process (they do not for root).
fn permissions_apply(p: &Path) -> bool {
    fs::read(p).is_err()
}

struct Workspace {
    dir: tempfile::TempDir,
    /// The unreadable file and folder, when permissions apply.
    denied: bool,
}

impl Workspace {
    fn path(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for Workspace {
    fn drop(&mut self) {
        // Let the temporary directory be removed.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            for p in ["secret.txt", "locked"] {
                let _ =
                    fs::set_permissions(self.dir.path().join(p), fs::Permissions::from_mode(0o755));
            }
        }
    }
}

/// The corpus of `cli_bad_input.rs`, as a workspace: two good articles with
/// a planted conflict, and every kind of odd file next to them.
fn bad_workspace() -> Workspace {
    let dir = tempfile::tempdir().expect("tempdir");
    let c = dir.path();
    for f in [HERALD, COURIER] {
        fs::copy(Path::new(FIXTURE).join(f), c.join(f)).expect("copy fixture");
    }
    fs::write(c.join("empty.txt"), "").expect("write");
    fs::write(c.join("blank.md"), " \n\t\r\n   \n\u{a0}\n").expect("write");
    let sentence =
        "The council said more than 300 homes were evacuated on Sunday near the bridge. ";
    let line = sentence.repeat(1024 * 1024 / sentence.len() + 1);
    fs::write(c.join("one-line.txt"), &line.as_bytes()[..1024 * 1024]).expect("write");
    fs::write(
        c.join("latin1.txt"),
        b"Caf\xe9 owners said 20 homes were flooded.\n",
    )
    .expect("write");
    let mut utf16 = vec![0xFF, 0xFE];
    for u in "Flood closes bridge\n".encode_utf16() {
        utf16.extend_from_slice(&u.to_le_bytes());
    }
    fs::write(c.join("utf16.txt"), utf16).expect("write");
    let binary: Vec<u8> = (0..4096u32).map(|i| (i * 7919 % 251) as u8).collect();
    fs::write(c.join("binary.txt"), binary).expect("write");
    fs::create_dir(c.join("x.txt")).expect("mkdir");
    fs::write(
        c.join("x.txt").join("inner.md"),
        "The bridge reopened on Friday, the council said.\n",
    )
    .expect("write");
    {
        use std::io::Write;
        let f = fs::File::create(c.join("huge.txt")).expect("create");
        let mut f = std::io::BufWriter::new(f);
        let para = "Officials said more than 300 homes were evacuated along the east bank.\n";
        let mut n = 0;
        while n <= 50 * 1024 * 1024 {
            f.write_all(para.as_bytes()).expect("write");
            n += para.len();
        }
    }
    #[cfg(unix)]
    let denied = {
        use std::os::unix::fs::{symlink, PermissionsExt};
        fs::create_dir(c.join("sub")).expect("mkdir");
        symlink("..", c.join("sub").join("loop")).expect("symlink");
        symlink("self.txt", c.join("self.txt")).expect("symlink");
        fs::write(c.join("deleted.bak"), "x").expect("write");
        symlink("deleted.bak", c.join("gone.txt")).expect("symlink");
        fs::remove_file(c.join("deleted.bak")).expect("rm");
        let secret = c.join("secret.txt");
        fs::write(&secret, "More than 300 homes were evacuated.\n").expect("write");
        fs::set_permissions(&secret, fs::Permissions::from_mode(0o000)).expect("chmod");
        let locked = c.join("locked");
        fs::create_dir(&locked).expect("mkdir");
        fs::write(locked.join("inside.txt"), "Nothing to see.\n").expect("write");
        fs::set_permissions(&locked, fs::Permissions::from_mode(0o000)).expect("chmod");
        let applies = permissions_apply(&secret);
        if !applies {
            println!("note: running as root: the permission-denied cases do not apply");
        }
        applies
    };
    #[cfg(not(unix))]
    let denied = false;
    Workspace { dir, denied }
}

/// The `window/logMessage` notifications received so far: (type, message).
fn logs(c: &Client) -> Vec<(i64, String)> {
    c.seen
        .iter()
        .filter(|m| m["method"] == "window/logMessage")
        .map(|m| {
            (
                m["params"]["type"].as_i64().unwrap_or(0),
                m["params"]["message"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn conflict(diags: &[Value]) -> Option<&Value> {
    diags.iter().find(|d| d["code"] == "conflict")
}

/// Every diagnostic range lies inside `text` (lines and columns that exist,
/// never inside a UTF-16 surrogate pair), start before end.
fn assert_inside(text: &str, diags: &[Value]) {
    let lines: Vec<&str> = text.split('\n').collect();
    for d in diags {
        let r = &d["range"];
        let mut ends = Vec::new();
        for end in ["start", "end"] {
            let line = r[end]["line"].as_u64().expect("line") as usize;
            let ch = r[end]["character"].as_u64().expect("character") as usize;
            let l = lines
                .get(line)
                .unwrap_or_else(|| panic!("line {line} past the end: {d}"));
            let l = l.strip_suffix('\r').unwrap_or(l);
            let mut units = 0;
            let mut on_boundary = ch == 0;
            for c in l.chars() {
                units += c.len_utf16();
                on_boundary |= units == ch;
            }
            assert!(
                ch <= units && on_boundary,
                "{end} {line}:{ch} off the line: {d}"
            );
            ends.push((line, ch));
        }
        assert!(ends[0] <= ends[1], "start after end: {d}");
    }
}

#[test]
fn a_workspace_of_bad_files_is_indexed_with_a_line_for_each_skipped_file() {
    let ws = bad_workspace();
    let root = ws.path().to_path_buf();
    let mut c = Client::start();
    c.initialize(&root, false);
    c.indexed().expect("indexing ends");
    c.wait_for(|m| {
        m["method"] == "window/logMessage"
            && m["params"]["message"]
                .as_str()
                .is_some_and(|s| s.starts_with("corroborate: indexed"))
    })
    .map(|m| c.seen.push(m))
    .expect("the indexing summary");
    let logs = logs(&c);
    let shown: Vec<String> = logs.iter().map(|(t, m)| format!("{t} {m}")).collect();
    let shown = shown.join("\n");
    let about = |name: &str| {
        let hits: Vec<&(i64, String)> = logs
            .iter()
            .filter(|(_, m)| m.contains(&format!("/{name}:")))
            .collect();
        hits
    };
    // One line for each skipped file, with its reason.
    let mut skipped: Vec<(&str, &str, i64)> = vec![
        ("huge.txt", "files.max_bytes", 2),
        ("latin1.txt", "not valid UTF-8", 2),
        ("utf16.txt", "UTF-16", 2),
        ("binary.txt", "binary", 2),
    ];
    if cfg!(unix) {
        skipped.extend([
            ("sub/loop", "symbolic link to a folder, not followed", 3),
            ("self.txt", "leads nowhere", 3),
            ("gone.txt", "leads nowhere", 3),
        ]);
        if ws.denied {
            skipped.extend([
                ("secret.txt", "permission denied", 2),
                ("locked", "permission denied", 2),
            ]);
        }
    }
    for (name, why, typ) in &skipped {
        let hits = about(name);
        assert_eq!(hits.len(), 1, "one line about {name}:\n{shown}");
        let (t, m) = hits[0];
        assert!(
            m.starts_with("corroborate: ") && m.contains("skipped"),
            "{m}"
        );
        assert!(m.contains(why), "{name}: {m}");
        assert_eq!(t, typ, "{name}: {m}");
    }
    // Nothing about the files that are fine, odd as they are.
    for name in [
        HERALD,
        COURIER,
        "empty.txt",
        "blank.md",
        "one-line.txt",
        "x.txt",
        "inner.md",
    ] {
        assert!(about(name).is_empty(), "{name}:\n{shown}");
    }
    // Every message is one line, from corroborate.
    for (_, m) in &logs {
        assert!(m.starts_with("corroborate: ") && !m.contains('\n'), "{m}");
    }
    // The summary counts what was indexed.
    // Listed: the 10 files and secret.txt; locked/inside.txt when the
    // folder can be read (root).
    let read = if ws.denied { 6 } else { 8 };
    let unread = if ws.denied { 5 } else { 4 };
    assert!(
        logs.iter()
            .any(|(_, m)| m == &format!("corroborate: indexed {read} articles ({unread} skipped)")),
        "{shown}"
    );

    // Workspace symbols come from the readable articles only.
    let sym = c.request("workspace/symbol", json!({"query": ""}));
    let list = sym["result"].as_array().expect("symbols");
    assert!(!list.is_empty(), "{sym}");
    let readable: Vec<String> = [
        HERALD,
        COURIER,
        "empty.txt",
        "blank.md",
        "one-line.txt",
        "x.txt/inner.md",
        "secret.txt",
        "locked/inside.txt",
    ]
    .iter()
    .map(|n| file_uri(&root.join(n)))
    .collect();
    for s in list {
        let uri = s["location"]["uri"].as_str().unwrap_or("");
        assert!(readable.iter().any(|r| r == uri), "symbol in {uri}");
    }

    // The planted conflict is found, at its exact place.
    let courier = root.join(COURIER);
    let herald = root.join(HERALD);
    let text = c.open(&herald, "text");
    let d = c
        .diagnostics_for(HERALD, |d| conflict(d).is_some())
        .expect("the planted conflict");
    assert_inside(&text, &d);
    let conf = conflict(&d).expect("conflict");
    assert_eq!(conf["range"], expected_range(&text, CLAIM, false));
    let h = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": file_uri(&herald)}, "position": conf["range"]["start"]}),
    );
    let card = h["result"]["contents"]["value"].as_str().unwrap_or("");
    assert!(card.contains("150"), "{h}");
    // The odd but readable files open like any other.
    for name in ["empty.txt", "blank.md", "one-line.txt"] {
        let p = root.join(name);
        let text = c.open(&p, "text");
        let d = c
            .diagnostics_for(name, |_| true)
            .unwrap_or_else(|| panic!("diagnostics for {name}"));
        assert_inside(&text, &d);
    }

    // A watched-file event for a file that is gone by the time it is read,
    // for a folder named like an article, and for the binary file: a line
    // each, and the server goes on.
    c.mark();
    let vanished = root.join("vanished.txt");
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [
            {"uri": file_uri(&vanished), "type": 1},
            {"uri": file_uri(&root.join("x.txt")), "type": 2},
            {"uri": file_uri(&root.join("binary.txt")), "type": 2},
            {"uri": file_uri(&root.join("never-was.txt")), "type": 3},
        ]}),
    );
    for (name, why) in [
        ("vanished.txt", "no such file"),
        ("x.txt", "is a directory"),
        ("binary.txt", "binary"),
    ] {
        let m = c
            .wait_for(|m| {
                m["method"] == "window/logMessage"
                    && m["params"]["message"]
                        .as_str()
                        .is_some_and(|s| s.contains(&format!("/{name}:")))
            })
            .unwrap_or_else(|| panic!("a line about {name}"));
        let m = m["params"]["message"].as_str().unwrap_or("");
        assert!(m.contains(why), "{name}: {m}");
    }
    // An article deleted between the listing and the reading: the server
    // had it, the change event finds nothing to read; its conflict goes.
    c.open(&courier, "text");
    c.diagnostics_for(COURIER, |d| conflict(d).is_some())
        .expect("the courier's side of the conflict");
    c.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": file_uri(&herald)}}),
    );
    fs::remove_file(&herald).expect("rm");
    c.mark();
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": file_uri(&herald), "type": 2}]}),
    );
    let m = c
        .wait_for(|m| {
            m["method"] == "window/logMessage"
                && m["params"]["message"]
                    .as_str()
                    .is_some_and(|s| s.contains(HERALD))
        })
        .expect("a line about the deleted article");
    assert!(
        m["params"]["message"]
            .as_str()
            .unwrap_or("")
            .contains("no such file"),
        "{m}"
    );
    c.diagnostics_for(COURIER, |d| conflict(d).is_none())
        .expect("the conflict goes with the article");

    // Nothing was ever published for a file the server skipped.
    let skipped_uris: Vec<String> = [
        "huge.txt",
        "latin1.txt",
        "utf16.txt",
        "binary.txt",
        "self.txt",
        "gone.txt",
        "x.txt",
        "vanished.txt",
    ]
    .iter()
    .map(|n| file_uri(&root.join(n)))
    .collect();
    for m in &c.seen {
        if m["method"] == "textDocument/publishDiagnostics" {
            let uri = m["params"]["uri"].as_str().unwrap_or("");
            assert!(!skipped_uris.iter().any(|s| s == uri), "published {m}");
        }
    }
    // Still serving, and a clean shutdown.
    let r = c.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": file_uri(&courier)}}),
    );
    assert!(r["result"].is_array(), "{r}");
    assert_eq!(c.shutdown(), 0);
}

/// A workspace with the courier only: documents opened by the client bring
/// the other side of the conflict.
fn courier_workspace() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    fs::copy(Path::new(FIXTURE).join(COURIER), dir.path().join(COURIER)).expect("copy");
    let p = dir.path().join(COURIER);
    (dir, p)
}

fn herald_text() -> String {
    fs::read_to_string(Path::new(FIXTURE).join(HERALD)).expect("herald")
}

#[test]
fn documents_with_a_bom_or_nul_bytes_are_served_with_exact_ranges() {
    let (ws, _) = courier_workspace();
    let mut c = Client::start();
    c.initialize(ws.path(), false);
    c.indexed().expect("indexing ends");
    // A UTF-8 byte-order mark before the article (one UTF-16 unit on line 0).
    let bom = ws.path().join("bom.txt");
    let with_bom = format!("\u{feff}{}", herald_text());
    c.open_text(&bom, "text", &with_bom);
    let d = c
        .diagnostics_for("bom.txt", |d| conflict(d).is_some())
        .expect("the conflict of the article with a BOM");
    assert_inside(&with_bom, &d);
    assert_eq!(
        conflict(&d).expect("conflict")["range"],
        expected_range(&with_bom, CLAIM, false)
    );
    // NUL bytes and other control characters inside the text.
    let nul = ws.path().join("nul.txt");
    let with_nul = herald_text()
        .replace("Okafor said", "Okafor\0 said\u{1}\u{7f}")
        .replace("Flood waters", "\0\0Flood waters");
    c.open_text(&nul, "text", &with_nul);
    let d = c
        .diagnostics_for("nul.txt", |d| conflict(d).is_some())
        .expect("the conflict of the article with NUL bytes");
    assert_inside(&with_nul, &d);
    assert_eq!(
        conflict(&d).expect("conflict")["range"],
        expected_range(&with_nul, CLAIM, false)
    );
    let h = c.hover_text(
        &file_uri(&nul),
        &conflict(&d).expect("conflict")["range"]["start"],
    );
    assert!(h.contains("150"), "{h}");
    // Nothing but NUL bytes, only whitespace, nothing at all.
    for (name, text) in [
        ("zeros.txt", "\0".repeat(10_000)),
        ("spaces.txt", " \t\r\n\u{a0}\u{3000}\n".repeat(1000)),
        ("nothing.txt", String::new()),
    ] {
        let p = ws.path().join(name);
        c.open_text(&p, "text", &text);
        let d = c
            .diagnostics_for(name, |_| true)
            .unwrap_or_else(|| panic!("diagnostics for {name}"));
        assert!(d.is_empty(), "{name}: {d:?}");
        let h = c.request(
            "textDocument/hover",
            json!({"textDocument": {"uri": file_uri(&p)}, "position": {"line": 3, "character": 2}}),
        );
        assert!(h["error"].is_null(), "{name}: {h}");
        let s = c.request(
            "textDocument/documentSymbol",
            json!({"textDocument": {"uri": file_uri(&p)}}),
        );
        assert_eq!(s["result"], json!([]), "{name}: {s}");
    }
    assert_eq!(c.shutdown(), 0);
}

#[test]
fn a_fifty_megabyte_document_is_not_analysed_and_the_server_goes_on() {
    let (ws, courier) = courier_workspace();
    let mut c = Client::start();
    c.initialize(ws.path(), false);
    c.indexed().expect("indexing ends");
    let p = ws.path().join("huge.txt");
    let para = "Officials said more than 300 homes were evacuated along the east bank 🙂.\n";
    let text = para.repeat(50 * 1024 * 1024 / para.len() + 1);
    c.open_text(&p, "text", &text);
    drop(text);
    let log = c
        .wait_for(|m| {
            m["method"] == "window/logMessage"
                && m["params"]["message"]
                    .as_str()
                    .is_some_and(|s| s.contains("huge.txt") && s.contains("not analysed"))
        })
        .expect("one line about the size");
    assert_eq!(log["params"]["type"], 3, "{log}");
    let d = c
        .diagnostics_for("huge.txt", |_| true)
        .expect("diagnostics (none) for the huge document");
    assert!(d.is_empty(), "{d:?}");
    let h = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": file_uri(&p)}, "position": {"line": 1000, "character": 20}}),
    );
    assert!(h["error"].is_null() && h["result"].is_null(), "{h}");
    // The server holds the text, not copies of it: a generous bound of a
    // few times the document's size.
    if let Some((rss, peak)) = memory_kb(c.pid()) {
        println!("server with a 50 MB document: {rss} kB resident, {peak} kB peak");
        assert!(rss < 400 * 1024, "{rss} kB resident for a 50 MB document");
    }
    // Replaced by an article: analysed, the conflict found.
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": file_uri(&p), "version": 2},
               "contentChanges": [{"text": herald_text()}]}),
    );
    let d = c
        .diagnostics_for("huge.txt", |d| conflict(d).is_some())
        .expect("analysed once small");
    assert_eq!(
        conflict(&d).expect("conflict")["range"],
        expected_range(&herald_text(), CLAIM, false)
    );
    c.open(&courier, "text");
    c.diagnostics_for(COURIER, |d| conflict(d).is_some())
        .expect("the other side");
    assert_eq!(c.shutdown(), 0);
}
