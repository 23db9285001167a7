//! End-to-end tests of the language server's features beyond the first
//! diagnostic: indexing progress, navigation and symbols, unsaved buffers,
//! configuration layers, server-side edits, multi-root workspaces, skipped
//! files. The real binary over stdio; timeouts only guard against hangs.

mod common;

use common::*;
use serde_json::{json, Value};

fn conflict(diags: &[Value]) -> Option<&Value> {
    diags.iter().find(|d| d["code"] == "conflict")
}

/// A conflict whose related information points at a file ending with `other`.
fn conflict_with<'a>(diags: &'a [Value], other: &str) -> Option<&'a Value> {
    diags.iter().find(|d| {
        d["code"] == "conflict"
            && d["relatedInformation"].as_array().is_some_and(|r| {
                r.iter().any(|i| {
                    i["location"]["uri"]
                        .as_str()
                        .is_some_and(|u| u.ends_with(other))
                })
            })
    })
}

/// The LSP position of byte `at` of `text` (UTF-16 columns).
fn pos_of(text: &str, at: usize) -> Value {
    let line = text[..at].matches('\n').count();
    let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let col: usize = text[start..at].chars().map(char::len_utf16).sum();
    json!({"line": line, "character": col})
}

fn uri_ends(v: &Value, suffix: &str) -> bool {
    v["uri"].as_str().is_some_and(|u| u.ends_with(suffix))
}

fn params(roots: &[&std::path::Path], options: Value) -> Value {
    let folders: Vec<Value> = roots
        .iter()
        .enumerate()
        .map(|(i, r)| json!({"uri": file_uri(r), "name": format!("root{i}")}))
        .collect();
    json!({
        "processId": null,
        "rootUri": file_uri(roots[0]),
        "workspaceFolders": folders,
        "initializationOptions": options,
        "capabilities": {
            "general": {"positionEncodings": ["utf-16"]},
            "window": {"workDoneProgress": true},
            "workspace": {"workspaceEdit": {"documentChanges": true},
                          "didChangeWatchedFiles": {"dynamicRegistration": true}}
        }
    })
}

#[test]
fn indexing_progress_navigation_and_symbols() {
    let ws = seed_workspace(&ALL);
    let mut c = Client::start();
    c.initialize_with(params(&[ws.path()], Value::Null));
    // Work-done progress: a token created by the server, a begin, reports
    // "Indexing n/N articles", an end.
    let end = c.indexed().expect("indexing ends");
    assert!(
        end["params"]["value"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("5 articles")),
        "{end}"
    );
    assert!(c
        .seen
        .iter()
        .any(|m| m["method"] == "window/workDoneProgress/create"));
    assert!(c.seen.iter().any(|m| m["method"] == "$/progress"
        && m["params"]["value"]["message"]
            .as_str()
            .is_some_and(|s| s.starts_with("Indexing ") && s.ends_with("/5 articles"))));
    // The watchers are registered dynamically.
    let reg = c
        .seen
        .iter()
        .find(|m| m["method"] == "client/registerCapability")
        .expect("registration")
        .clone();
    let watchers = reg["params"]["registrations"][0]["registerOptions"]["watchers"].to_string();
    assert!(
        watchers.contains("**/*.{txt,md}") && watchers.contains("corroborate.toml"),
        "{watchers}"
    );

    let p000 = ws.path().join(S000);
    let text = c.open(&p000, "text");
    let diags = c
        .diagnostics_for(S000, |d| conflict_with(d, S002).is_some())
        .expect("the delegation conflict");
    let d = conflict_with(&diags, S002).expect("conflict").clone();
    let at = d["range"]["start"].clone();
    let uri = file_uri(&p000);

    // References: this mention and the other sources'.
    let refs = c.request(
        "textDocument/references",
        json!({"textDocument": {"uri": uri}, "position": at, "context": {"includeDeclaration": true}}),
    );
    let refs = refs["result"].as_array().expect("locations").clone();
    assert!(refs
        .iter()
        .any(|l| uri_ends(l, S000) && l["range"] == d["range"]));
    assert!(refs.iter().any(|l| uri_ends(l, S002)));

    // Definition: the other sources only; a document that is not open
    // (indexed from disk) answers hovers too.
    let def = c.request(
        "textDocument/definition",
        json!({"textDocument": {"uri": uri}, "position": at}),
    );
    let locs = def["result"].as_array().expect("locations").clone();
    assert!(locs.iter().all(|l| !uri_ends(l, S000)), "{locs:?}");
    let l002 = locs
        .iter()
        .find(|l| uri_ends(l, S002))
        .expect("002")
        .clone();
    let t002 = std::fs::read_to_string(ws.path().join(S002)).expect("002");
    assert!(range_text(&t002, &l002["range"], false).contains("nearly 200 members"));
    let h = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": l002["uri"]}, "position": l002["range"]["start"]}),
    );
    let md = h["result"]["contents"]["value"].as_str().unwrap_or("");
    assert!(
        md.contains("more than 200 members") && md.contains('✗'),
        "{md}"
    );

    // Document symbols: facts with the article's claims as children.
    let sym = c.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": uri}}),
    );
    let facts = sym["result"].as_array().expect("symbols").clone();
    assert!(!facts.is_empty());
    let child = facts
        .iter()
        .flat_map(|f| f["children"].as_array().cloned().unwrap_or_default())
        .find(|ch| ch["range"] == d["range"])
        .expect("the conflicting claim among the symbols");
    assert!(child["detail"].as_str().unwrap_or("").contains('✗'));

    // Workspace symbols: the fact label, searched across the corpus.
    let label = d["message"]
        .as_str()
        .and_then(|m| m.split(':').next())
        .expect("label")
        .to_lowercase();
    let ws_sym = c.request("workspace/symbol", json!({"query": label}));
    let found = ws_sym["result"].as_array().expect("symbols").clone();
    assert!(
        found.iter().any(|s| uri_ends(&s["location"], S000))
            && found.iter().any(|s| uri_ends(&s["location"], S002)),
        "{label}: {found:?}"
    );
    let none = c.request("workspace/symbol", json!({"query": "zzzz no such fact"}));
    assert_eq!(none["result"], json!([]));

    // Inlay hints: a tally after the claim.
    let end_line = text.lines().count() as u32 + 1;
    let hints = c.request(
        "textDocument/inlayHint",
        json!({"textDocument": {"uri": uri}, "range": {"start": {"line": 0, "character": 0}, "end": {"line": end_line, "character": 0}}}),
    );
    let hints = hints["result"].as_array().expect("hints").clone();
    assert!(
        hints.iter().any(|h| h["position"] == d["range"]["end"]
            && h["label"].as_str().unwrap_or("").contains('✗')),
        "{hints:?}"
    );
    assert_eq!(c.shutdown(), 0);
}

#[test]
fn a_pending_edit_is_seen_by_the_other_documents_before_its_debounce() {
    let ws = seed_workspace(&[S000, S001, S002]);
    let mut c = Client::start();
    // A debounce far longer than the test: 002's own re-check never runs.
    c.initialize_with(params(
        &[ws.path()],
        json!({"diagnostics": {"debounceMs": 600000}}),
    ));
    c.indexed().expect("indexed");
    let p000 = ws.path().join(S000);
    let t000 = c.open(&p000, "text");
    let p002 = ws.path().join(S002);
    let t002 = c.open(&p002, "text");
    c.diagnostics_for(S002, |_| true).expect("002 checked once");
    // 002 now agrees with 000 on the delegation size; the edit waits for its debounce.
    let r002 = expected_range(&t002, "delegation of nearly 200 members", false);
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": file_uri(&p002), "version": 2},
               "contentChanges": [{"range": r002, "text": "delegation of more than 200 members"}]}),
    );
    // Hovering 000's delegation claim compares it with 002 as edited.
    let r000 = expected_range(&t000, "delegation of more than 200 members", false);
    let h = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": file_uri(&p000)}, "position": r000["start"]}),
    );
    let md = h["result"]["contents"]["value"].as_str().unwrap_or("");
    assert!(!md.is_empty(), "a hover card: {h}");
    assert!(
        !md.contains("nearly 200 members"),
        "002's unsaved edit is used: {md}"
    );
    assert_eq!(c.shutdown(), 0);
}

#[test]
fn unsaved_buffers_win_over_the_disk() {
    let ws = seed_workspace(&[S000, S001, S002]);
    let mut c = Client::start();
    c.initialize_with(params(&[ws.path()], Value::Null));
    c.indexed().expect("indexed");
    // 002 open with an unsaved edit that agrees with 000.
    let p002 = ws.path().join(S002);
    let t002 = std::fs::read_to_string(&p002).expect("002");
    let edited = t002.replace("nearly 200 members", "more than 200 members");
    assert_ne!(edited, t002);
    c.open_text(&p002, "plaintext", &edited);
    let p000 = ws.path().join(S000);
    c.open(&p000, "text");
    let d = c
        .diagnostics_for(S000, |_| true)
        .expect("diagnostics of 000");
    assert!(
        !d.iter().any(|x| x["code"] == "conflict"
            && x["message"]
                .as_str()
                .unwrap_or("")
                .contains("nearly 200 members")),
        "the unsaved buffer is used: {d:?}"
    );
    // A change on disk does not override the open buffer.
    c.mark();
    std::fs::write(
        &p002,
        t002.replace("nearly 200 members", "nearly 150 members"),
    )
    .expect("w");
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": file_uri(&p002), "type": 2}]}),
    );
    let d = c.diagnostics_for(S000, |_| true).expect("republished");
    assert!(
        !d.iter()
            .any(|x| x["message"].as_str().unwrap_or("").contains("150 members")),
        "{d:?}"
    );
    // Closing the buffer brings the disk back: the conflict returns.
    c.mark();
    c.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": file_uri(&p002)}}),
    );
    c.diagnostics_for(S002, |d| d.is_empty())
        .expect("a closed document's diagnostics are cleared");
    c.diagnostics_for(S000, |d| conflict_with(d, S002).is_some())
        .expect("the disk's wording conflicts again");
    assert_eq!(c.shutdown(), 0);
}

#[test]
fn edits_that_leave_or_join_a_story_recheck_old_and_new_peers() {
    let ws = seed_workspace(&[S000, S002]);
    let mut c = Client::start();
    c.initialize_with(params(&[ws.path()], Value::Null));
    c.indexed().expect("indexed");
    let (p000, p002) = (ws.path().join(S000), ws.path().join(S002));
    c.open(&p000, "text");
    c.open(&p002, "text");
    c.diagnostics_for(S000, |d| conflict_with(d, S002).is_some())
        .expect("conflict");
    c.mark();
    // 002 becomes another story altogether (a whole-text change).
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": file_uri(&p002), "version": 2},
               "contentChanges": [{"text": "Gardening notes\n\nTomatoes need about six hours of sun a day, and basil grows well next to them.\n"}]}),
    );
    c.diagnostics_for(S000, |d| conflict_with(d, S002).is_none())
        .expect("000 is re-checked without 002");
    // And back: an edit that joins the story re-checks its new peers.
    c.mark();
    let t002 = std::fs::read_to_string(&p002).expect("002");
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": file_uri(&p002), "version": 3},
               "contentChanges": [{"text": t002}]}),
    );
    c.diagnostics_for(S000, |d| conflict_with(d, S002).is_some())
        .expect("000 is re-checked with 002 back in its story");
    assert_eq!(c.shutdown(), 0);
}

#[test]
fn settings_from_the_client_and_the_project_file() {
    let ws = seed_workspace(&[S000, S002]);
    std::fs::write(
        ws.path().join("corroborate.toml"),
        format!("[[overrides]]\npath = \"{S002}\"\noutlet = \"Example Wire\"\n"),
    )
    .expect("config");
    let mut c = Client::start();
    // What VS Code sends: every key, conflicts turned off by the user.
    c.initialize_with(params(
        &[ws.path()],
        json!({"corroborate": {"diagnostics": {"conflict": false, "tension": true}, "inlayHints": {"enable": true},
               "files": {"globs": ["**/*.txt", "**/*.md"]}, "server": {"path": "x"}}}),
    ));
    c.indexed().expect("indexed");
    let p000 = ws.path().join(S000);
    c.open(&p000, "text");
    let d = c.diagnostics_for(S000, |_| true).expect("diagnostics");
    assert!(conflict(&d).is_none(), "conflicts are off: {d:?}");
    // Turned on again by didChangeConfiguration: the conflict, with the
    // outlet the project file gives 002.
    c.mark();
    c.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"corroborate": {"diagnostics": {"conflict": true}}}}),
    );
    let d = c
        .diagnostics_for(S000, |d| conflict_with(d, S002).is_some())
        .expect("conflict back");
    let msg = conflict_with(&d, S002).expect("c")["message"]
        .as_str()
        .unwrap_or("")
        .to_string();
    assert!(msg.contains("Example Wire says"), "{msg}");

    // The file breaks: a diagnostic on it, and the server keeps going.
    c.mark();
    let cfg = ws.path().join("corroborate.toml");
    std::fs::write(&cfg, "[[overrides]]\npath = 3\n").expect("w");
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": file_uri(&cfg), "type": 2}]}),
    );
    let bad = c
        .diagnostics_for("corroborate.toml", |d| !d.is_empty())
        .expect("config diagnostic");
    assert_eq!(bad[0]["severity"], 1);
    assert_eq!(bad[0]["range"]["start"]["line"], 1);
    // (Earlier publications may still be on their way: wait for the state.)
    c.diagnostics_for(S000, |d| {
        conflict_with(d, S002)
            .is_some_and(|x| !x["message"].as_str().unwrap_or("").contains("Example Wire"))
    })
    .expect("still analysed, without the broken file's override");
    // Fixed: the diagnostic goes.
    c.mark();
    std::fs::write(&cfg, "[diagnostics]\ntension = false\n").expect("w");
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": file_uri(&cfg), "type": 2}]}),
    );
    c.diagnostics_for("corroborate.toml", |d| d.is_empty())
        .expect("config diagnostic cleared");
    c.diagnostics_for(S000, |d| {
        conflict_with(d, S002).is_some() && d.iter().all(|x| x["code"] != "tension")
    })
    .expect("republished without tensions");
    assert_eq!(c.shutdown(), 0);
}

#[test]
fn copy_wording_and_attribution_are_server_side_edits() {
    let ws = seed_workspace(&[S000, S002]);
    let mut c = Client::start();
    c.initialize_with(params(&[ws.path()], Value::Null));
    c.indexed().expect("indexed");
    let p000 = ws.path().join(S000);
    let text = c.open(&p000, "text");
    let diags = c
        .diagnostics_for(S000, |d| conflict_with(d, S002).is_some())
        .expect("conflict");
    let d = conflict_with(&diags, S002).expect("c").clone();
    let claim = range_text(&text, &d["range"], false).to_string();
    let actions = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": file_uri(&p000)}, "range": d["range"], "context": {"diagnostics": [d]}}),
    );
    let list = actions["result"].as_array().expect("actions").clone();
    // Every action is a command the server runs: nothing for the editor to implement.
    assert!(list.iter().all(|a| a["command"]["command"]
        .as_str()
        .is_some_and(|c| c.starts_with("corroborate."))));
    let wording = list
        .iter()
        .find(|a| {
            a["title"]
                .as_str()
                .is_some_and(|t| t.starts_with("Use China Media Group's wording"))
        })
        .expect("wording action")
        .clone();
    let r = c.request(
        "workspace/executeCommand",
        json!({"command": wording["command"]["command"], "arguments": wording["command"]["arguments"]}),
    );
    assert_eq!(r["result"]["applied"], true, "{r}");
    let edit = c
        .wait_for(|m| m["method"] == "workspace/applyEdit")
        .expect("applyEdit");
    let doc_edit = &edit["params"]["edit"]["documentChanges"][0];
    assert_eq!(doc_edit["textDocument"]["version"], 1, "a versioned edit");
    let te = &doc_edit["edits"][0];
    assert_eq!(te["range"], d["range"]);
    assert!(te["newText"]
        .as_str()
        .unwrap_or("")
        .contains("nearly 200 members"));

    let attribution = list
        .iter()
        .find(|a| {
            a["title"]
                .as_str()
                .is_some_and(|t| t.starts_with("Add attribution: according to China Media Group"))
        })
        .expect("attribution action")
        .clone();
    c.mark();
    let r = c.request(
        "workspace/executeCommand",
        json!({"command": attribution["command"]["command"], "arguments": attribution["command"]["arguments"]}),
    );
    assert_eq!(r["result"]["applied"], true, "{r}");
    let edit = c
        .wait_for(|m| m["method"] == "workspace/applyEdit")
        .expect("applyEdit");
    let te = &edit["params"]["edit"]["documentChanges"][0]["edits"][0];
    assert_eq!(te["range"]["start"], te["range"]["end"], "an insertion");
    assert_eq!(te["newText"], ", according to China Media Group");
    let end = text.find(&claim).expect("claim") + claim.trim_end().len();
    assert_eq!(te["range"]["start"], pos_of(&text, end));

    // The client edits the claim meanwhile: a stale action is refused, not applied.
    c.mark();
    let at = text.find(&claim).expect("claim");
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": file_uri(&p000), "version": 2},
               "contentChanges": [{"range": {"start": pos_of(&text, at), "end": pos_of(&text, at)}, "text": "X"}]}),
    );
    let r = c.request(
        "workspace/executeCommand",
        json!({"command": wording["command"]["command"], "arguments": wording["command"]["arguments"]}),
    );
    assert!(r["error"].is_object(), "{r}");
    // Bad arguments are an error too.
    let r = c.request(
        "workspace/executeCommand",
        json!({"command": "corroborate.useWording", "arguments": [42]}),
    );
    assert!(r["error"].is_object(), "{r}");
    assert_eq!(c.shutdown(), 0);
}

#[test]
fn every_workspace_folder_is_indexed() {
    let a = seed_workspace(&[S000]);
    let b = seed_workspace(&[S002]);
    let mut c = Client::start();
    c.initialize_with(params(&[a.path(), b.path()], Value::Null));
    c.indexed().expect("indexed");
    c.open(&a.path().join(S000), "text");
    let d = c
        .diagnostics_for(S000, |d| conflict_with(d, S002).is_some())
        .expect("a conflict with the article of the other folder");
    let rel = &conflict_with(&d, S002).expect("c")["relatedInformation"];
    assert!(rel.to_string().contains(&b.path().display().to_string()));
    // "Ignore this conflict here" in the second folder's article is stored
    // in that folder.
    let p002 = b.path().join(S002);
    c.open(&p002, "text");
    let d = c
        .diagnostics_for(S002, |d| conflict_with(d, S000).is_some())
        .expect("conflict on 002");
    let d = conflict_with(&d, S000).expect("c").clone();
    let actions = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": file_uri(&p002)}, "range": d["range"], "context": {"diagnostics": [d]}}),
    );
    let ignore = actions["result"]
        .as_array()
        .and_then(|l| {
            l.iter()
                .find(|a| a["title"] == "Ignore this conflict here")
                .cloned()
        })
        .expect("ignore action");
    c.mark();
    let r = c.request(
        "workspace/executeCommand",
        json!({"command": ignore["command"]["command"], "arguments": ignore["command"]["arguments"]}),
    );
    assert!(r["error"].is_null(), "{r}");
    let ignored = d["range"].clone();
    c.diagnostics_for(S002, |diags| {
        !diags
            .iter()
            .any(|x| x["code"] == "conflict" && x["range"] == ignored)
    })
    .expect("the ignored conflict goes");
    let store = std::fs::read_to_string(b.path().join(".corroborate/annotations.jsonl"))
        .expect("the mark is in the second folder");
    assert!(store.contains("ignored") && store.contains(S002), "{store}");
    assert!(!a.path().join(".corroborate/annotations.jsonl").exists());
    assert_eq!(c.shutdown(), 0);
}

#[test]
fn oversized_binary_and_non_utf8_files_are_skipped_with_a_message() {
    let ws = seed_workspace(&[S000, S002]);
    std::fs::write(ws.path().join("binary.txt"), b"abc\0\x01\x02def").expect("w");
    std::fs::write(ws.path().join("latin1.txt"), b"caf\xe9 au lait\n").expect("w");
    let mut c = Client::start();
    // A limit below the size of 002: it is skipped.
    let size = std::fs::metadata(ws.path().join(S002)).expect("m").len();
    let limit = std::fs::metadata(ws.path().join(S000))
        .expect("m")
        .len()
        .max(size)
        - 1;
    c.initialize_with(params(&[ws.path()], json!({"files": {"maxBytes": limit}})));
    c.indexed().expect("indexed");
    let logs: Vec<String> = c
        .seen
        .iter()
        .filter(|m| m["method"] == "window/logMessage")
        .filter_map(|m| m["params"]["message"].as_str().map(str::to_string))
        .collect();
    for f in ["binary.txt", "latin1.txt"] {
        assert!(
            logs.iter().any(|l| l.contains(f)),
            "{f} not reported: {logs:?}"
        );
    }
    assert!(
        logs.iter().any(|l| l.contains("limit")),
        "the size guard is reported: {logs:?}"
    );
    // The server still serves the rest.
    let h = c.request("workspace/symbol", json!({"query": ""}));
    assert!(h["result"].is_array());
    assert_eq!(c.shutdown(), 0);
}

#[test]
fn requests_on_unknown_documents_are_errors_and_shutdown_is_honoured() {
    let ws = seed_workspace(&[S000]);
    let mut c = Client::start();
    c.initialize_with(params(&[ws.path()], Value::Null));
    let uri = "file:///no/such/article.txt";
    for (method, p) in [
        (
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": {"line": 0, "character": 0}}),
        ),
        (
            "textDocument/definition",
            json!({"textDocument": {"uri": uri}, "position": {"line": 0, "character": 0}}),
        ),
        (
            "textDocument/references",
            json!({"textDocument": {"uri": uri}, "position": {"line": 0, "character": 0}, "context": {"includeDeclaration": true}}),
        ),
        (
            "textDocument/documentSymbol",
            json!({"textDocument": {"uri": uri}}),
        ),
        (
            "textDocument/codeAction",
            json!({"textDocument": {"uri": uri}, "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}, "context": {"diagnostics": []}}),
        ),
        (
            "textDocument/inlayHint",
            json!({"textDocument": {"uri": uri}, "range": {"start": {"line": 0, "character": 0}, "end": {"line": 9, "character": 0}}}),
        ),
    ] {
        let r = c.request(method, p);
        assert!(r["error"].is_object(), "{method}: {r}");
    }
    // Versions that go backwards are applied in order, with a warning.
    let p = ws.path().join(S000);
    c.open(&p, "markdown");
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": file_uri(&p), "version": 0}, "contentChanges": [{"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}, "text": "x"}]}),
    );
    c.wait_for(|m| {
        m["method"] == "window/logMessage"
            && m["params"]["message"]
                .as_str()
                .is_some_and(|s| s.contains("versions should grow"))
    })
    .expect("a warning");
    // After shutdown, requests are refused; exit ends the process with 0.
    let r = c.request("shutdown", Value::Null);
    assert!(r["error"].is_null(), "{r}");
    let after = c.request("workspace/symbol", json!({"query": ""}));
    assert!(after["error"].is_object(), "{after}");
    c.notify("exit", Value::Null);
    assert_eq!(c.wait_exit(), 0);
}
