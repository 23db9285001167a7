//! End-to-end tests of `corroborate lsp`: the real binary, JSON-RPC over stdio.

mod common;

use common::*;
use serde_json::{json, Value};

fn conflict(diags: &[Value]) -> Option<&Value> {
    diags.iter().find(|d| d["code"] == "conflict")
}

#[test]
fn conflict_diagnostic_hover_definition_and_edit() {
    let ws = seed_workspace(&ALL);
    let mut c = Client::start();
    let init = c.initialize(ws.path(), false);
    assert_eq!(init["result"]["capabilities"]["positionEncoding"], "utf-16");
    let p000 = ws.path().join(S000);
    let text = c.open(&p000, "text");

    // The delegation-size conflict, on the clause that states it.
    let diags = c
        .diagnostics_for(S000, |d| conflict(d).is_some())
        .expect("a conflict diagnostic on 000");
    let d = conflict(&diags).expect("conflict").clone();
    // The exact range of the clause that states it.
    assert_eq!(
        d["range"],
        expected_range(
            &text,
            "noting that he will lead a trade delegation of more than 200 members to China",
            false
        )
    );
    assert_eq!(d["source"], "corroborate");
    assert_eq!(d["severity"], 2);
    assert!(
        d["message"]
            .as_str()
            .unwrap_or("")
            .contains("nearly 200 members"),
        "{}",
        d["message"]
    );
    let related = d["relatedInformation"]
        .as_array()
        .expect("related information");
    let other = related
        .iter()
        .find(|r| r["location"]["uri"].as_str().unwrap_or("").ends_with(S002))
        .expect("points at 002");
    let t002 = std::fs::read_to_string(ws.path().join(S002)).expect("002");
    assert_eq!(
        other["location"]["range"],
        expected_range(&t002, "trade delegation of nearly 200 members", false)
    );

    // Hover: a card with each source's wording.
    let h = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": file_uri(&p000)}, "position": d["range"]["start"]}),
    );
    let md = h["result"]["contents"]["value"]
        .as_str()
        .expect("markdown hover");
    assert!(
        md.contains("✗ conflicts") && md.contains("nearly 200 members"),
        "{md}"
    );
    assert!(md.contains("Global Times"), "{md}");
    // Hover away from any claim: nothing.
    let h = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": file_uri(&p000)}, "position": {"line": 0, "character": 0}}),
    );
    assert!(h["result"].is_null(), "{h}");

    // Go to definition: the same fact in the other sources.
    let def = c.request(
        "textDocument/definition",
        json!({"textDocument": {"uri": file_uri(&p000)}, "position": d["range"]["start"]}),
    );
    let locs = def["result"].as_array().expect("locations");
    assert!(
        locs.iter()
            .any(|l| l["uri"].as_str().unwrap_or("").ends_with(S002)),
        "{def}"
    );

    // Edit the other article so that it agrees: the conflict goes, in both.
    let p002 = ws.path().join(S002);
    let t002 = c.open(&p002, "plaintext");
    let _ = c
        .diagnostics_for(S002, |d| conflict(d).is_some())
        .expect("002 has the conflict too");
    c.mark();
    let at = t002.find("nearly 200 members").expect("wording");
    let line = t002[..at].matches('\n').count() as u32;
    let col: u32 = t002[t002[..at].rfind('\n').map_or(0, |i| i + 1)..at]
        .chars()
        .map(|ch| ch.len_utf16() as u32)
        .sum();
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": file_uri(&p002), "version": 2},
               "contentChanges": [{"range": {"start": {"line": line, "character": col}, "end": {"line": line, "character": col + 6}}, "text": "more than"}]}),
    );
    let after = c
        .diagnostics_for(S002, |d| conflict(d).is_none())
        .expect("002 republished without the conflict");
    assert!(conflict(&after).is_none());
    let after000 = c
        .diagnostics_for(S000, |d| conflict(d).is_none())
        .expect("000 republished without the conflict");
    assert!(conflict(&after000).is_none());
    assert_eq!(c.shutdown(), 0);
}

#[test]
fn a_file_added_on_disk_brings_a_new_diagnostic() {
    let ws = seed_workspace(&[S000, S001, S003, S004]);
    let mut c = Client::start();
    c.initialize(ws.path(), false);
    let p001 = ws.path().join(S001);
    c.open(&p001, "markdown");
    let first = c
        .diagnostics_for(S001, |_| true)
        .expect("first diagnostics of 001");
    assert!(
        conflict(&first).is_none(),
        "no conflict without 002: {first:?}"
    );
    // 002 appears on disk.
    let seeds = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds");
    c.mark();
    std::fs::copy(seeds.join(S002), ws.path().join(S002)).expect("copy");
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": file_uri(&ws.path().join(S002)), "type": 1}]}),
    );
    let d = c
        .diagnostics_for(S001, |d| conflict(d).is_some())
        .expect("a conflict with the new file");
    assert!(conflict(&d).is_some());
    // And it goes when the file is deleted.
    c.mark();
    std::fs::remove_file(ws.path().join(S002)).expect("rm");
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": file_uri(&ws.path().join(S002)), "type": 3}]}),
    );
    c.diagnostics_for(S001, |d| conflict(d).is_none())
        .expect("the conflict goes with the file");
    assert_eq!(c.shutdown(), 0);
}

/// A burst of changes on disk in one notification (a checkout of another
/// branch): every file is taken in, a file's events in one batch end as its
/// last one says, and the server answers requests meanwhile.
#[test]
fn a_burst_of_files_changed_on_disk_is_taken_in_whole() {
    let ws = seed_workspace(&[S000, S001, S003, S004]);
    let filler = |i: usize, version: &str| {
        format!(
            "Market report {i} ({version})\n\nPublished: 2025-02-{:02}\n\nThe covered market of district {i} opened {} new stalls on Tuesday, its managers said.\n",
            i % 28 + 1,
            i + 3
        )
    };
    let fillers: Vec<std::path::PathBuf> = (0..300)
        .map(|i| ws.path().join(format!("market-{i:03}.txt")))
        .collect();
    for (i, p) in fillers.iter().enumerate() {
        std::fs::write(p, filler(i, "first")).expect("write");
    }
    let mut c = Client::start();
    c.initialize(ws.path(), false);
    c.indexed().expect("indexed");
    let p001 = ws.path().join(S001);
    c.open(&p001, "text");
    let first = c.diagnostics_for(S001, |_| true).expect("diagnostics");
    assert!(
        conflict(&first).is_none(),
        "no conflict without 002: {first:?}"
    );

    // Every filler changes, 002 appears in the middle of the batch, and 003
    // is deleted and created again (it is still on disk).
    let seeds = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds");
    for (i, p) in fillers.iter().enumerate() {
        std::fs::write(p, filler(i, "second")).expect("write");
    }
    std::fs::copy(seeds.join(S002), ws.path().join(S002)).expect("copy");
    let p003 = ws.path().join(S003);
    let mut changes: Vec<Value> = fillers
        .iter()
        .map(|p| json!({"uri": file_uri(p), "type": 2}))
        .collect();
    changes.insert(
        150,
        json!({"uri": file_uri(&ws.path().join(S002)), "type": 1}),
    );
    changes.push(json!({"uri": file_uri(&p003), "type": 3}));
    changes.push(json!({"uri": file_uri(&p003), "type": 1}));
    c.mark();
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": changes }),
    );
    // Answered while the files are read (or after: either way, answered).
    let r = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": file_uri(&p001)}, "position": {"line": 0, "character": 3}}),
    );
    assert!(r.get("error").is_none(), "{r}");
    let said = c
        .wait_for(|m| {
            m["method"] == "window/logMessage"
                && m["params"]["message"]
                    .as_str()
                    .is_some_and(|s| s.contains("changed articles"))
        })
        .expect("the burst is read");
    assert!(
        said["params"]["message"]
            .as_str()
            .is_some_and(|s| s.contains("read 302 changed articles")),
        "{said}"
    );
    c.diagnostics_for(S001, |d| conflict(d).is_some())
        .expect("002, read in the burst, conflicts with 001");
    // 003's last event was its creation: it is an article of the workspace.
    let h = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": file_uri(&p003)}, "position": {"line": 0, "character": 0}}),
    );
    assert!(h.get("error").is_none(), "003 is known: {h}");

    // 002 changed, then deleted, in one batch: the deletion is its last word.
    c.mark();
    std::fs::remove_file(ws.path().join(S002)).expect("rm");
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [
            {"uri": file_uri(&ws.path().join(S002)), "type": 2},
            {"uri": file_uri(&ws.path().join(S002)), "type": 3}
        ]}),
    );
    c.diagnostics_for(S001, |d| conflict(d).is_none())
        .expect("the conflict goes with 002");
    let h = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": file_uri(&ws.path().join(S002))}, "position": {"line": 0, "character": 0}}),
    );
    assert!(h.get("error").is_some(), "002 is gone: {h}");
    assert_eq!(c.shutdown(), 0);
}

/// Two articles whose conflicting figure sits on a line full of Hangul,
/// CJK, emoji and curly quotes, with CRLF line ends.
fn multibyte_workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let a = "Ferry disaster off the Norland coast leaves many missing\r\n\r\nPublished: 2025-03-12\r\n\r\n한국어 보도 🙂 “속보” 中文: The coast guard said the ferry Norland Star carried more than 300 passengers when it sank near Vellmar island on Tuesday.\r\n\r\nRescue boats from Vellmar searched the cold water through the night, officials said, and divers reached the Norland Star hull at dawn.\r\n";
    let b = "Norland Star ferry sinks near Vellmar island\r\n\r\nPublished: 2025-03-12\r\n\r\nThe ferry Norland Star was carrying nearly 300 passengers when it sank near Vellmar island on Tuesday, the coast guard said.\r\n\r\nDivers reached the hull of the Norland Star at dawn after rescue boats from Vellmar searched through the night, officials said.\r\n";
    std::fs::write(dir.path().join("a.txt"), a).expect("write");
    std::fs::write(dir.path().join("b.txt"), b).expect("write");
    dir
}

fn multibyte(utf8: bool) {
    let ws = multibyte_workspace();
    let mut c = Client::start();
    let init = c.initialize(ws.path(), utf8);
    assert_eq!(
        init["result"]["capabilities"]["positionEncoding"],
        if utf8 { "utf-8" } else { "utf-16" }
    );
    let pa = ws.path().join("a.txt");
    let text = c.open(&pa, "text");
    let diags = c
        .diagnostics_for("a.txt", |d| conflict(d).is_some())
        .expect("conflict on a.txt");
    let d = conflict(&diags).expect("conflict");
    // Exact line and columns, counted here: after "한국어 보도 🙂 “속보” 中文: "
    // the start is at 19 UTF-16 units but 43 bytes.
    let claim = "The coast guard said the ferry Norland Star carried more than 300 passengers when it sank near Vellmar island on Tuesday";
    let want = expected_range(&text, claim, utf8);
    assert_eq!(
        want["start"],
        json!({"line": 4, "character": if utf8 { 43 } else { 19 }})
    );
    assert_eq!(
        d["range"],
        want,
        "({})",
        if utf8 { "utf-8" } else { "utf-16" }
    );
    let tb = std::fs::read_to_string(ws.path().join("b.txt")).expect("b.txt");
    let rel = d["relatedInformation"][0]["location"]["range"].clone();
    assert_eq!(
        rel,
        expected_range(
            &tb,
            "The ferry Norland Star was carrying nearly 300 passengers when it sank near Vellmar island on Tuesday",
            utf8
        )
    );
    // Hover at the exact start of the range finds the claim.
    let h = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": file_uri(&pa)}, "position": d["range"]["start"]}),
    );
    assert!(
        h["result"]["contents"]["value"]
            .as_str()
            .unwrap_or("")
            .contains("nearly 300"),
        "{h}"
    );
    assert_eq!(c.shutdown(), 0);
}

#[test]
fn multibyte_positions_utf16() {
    multibyte(false);
}

#[test]
fn multibyte_positions_utf8() {
    multibyte(true);
}

/// Bodies that are JSON but not JSON-RPC 2.0 messages, and the id each
/// error must carry; after each, the server still answers a request.
fn invalid_requests(c: &mut Client) {
    let cases: [(&[u8], Value); 11] = [
        (b"[1,2,3]", Value::Null),
        (b"[]", Value::Null),
        (br#""str""#, Value::Null),
        (b"42", Value::Null),
        (b"null", Value::Null),
        (br#"{"jsonrpc":"2.0","method":5}"#, Value::Null),
        (
            br#"{"id":{"a":1},"method":"x","jsonrpc":"2.0"}"#,
            Value::Null,
        ),
        (br#"{"jsonrpc":"1.0","id":6,"method":"shutdown"}"#, json!(6)),
        (br#"{"jsonrpc":"2.0","id":5}"#, json!(5)),
        (
            br#"{"jsonrpc":"2.0","id":1.5,"method":"shutdown"}"#,
            Value::Null,
        ),
        (
            br#"{"jsonrpc":"2.0","id":"dup","method":"a","method":"b"}"#,
            json!("dup"),
        ),
    ];
    for (body, id) in cases {
        let shown = String::from_utf8_lossy(body).into_owned();
        c.send_raw(body);
        let err = c
            .wait_for(|m| m["error"]["code"] == -32600)
            .unwrap_or_else(|| panic!("no -32600 answer to {shown}"));
        assert_eq!(err["id"], id, "{shown}: {err}");
        assert_eq!(err["jsonrpc"], "2.0", "{err}");
        // Still serving: a request gets its answer (MethodNotFound here).
        let r = c.request("corroborate/stillThere", json!({}));
        assert!(r["error"]["code"].is_number(), "{shown}: then {r}");
    }
}

#[test]
fn protocol_abuse_does_not_kill_the_server() {
    let ws = seed_workspace(&[S000, S002]);
    let mut c = Client::start();
    // JSON that is not a JSON-RPC message, before initialize: an invalid
    // request (-32600) each, and the server goes on.
    invalid_requests(&mut c);
    // A request before initialize: an error, not a crash.
    let early = c.request("textDocument/hover", json!({"textDocument": {"uri": "file:///nowhere.txt"}, "position": {"line": 0, "character": 0}}));
    assert!(early["error"].is_object(), "{early}");
    c.initialize(ws.path(), false);
    // Malformed JSON, wrong types, unknown methods.
    c.send_raw(b"{this is not json");
    c.send_raw(
        br#"{"jsonrpc":"2.0","id":77,"method":"textDocument/hover","params":{"textDocument":42}}"#,
    );
    let malformed = c
        .wait_for(|m| m["error"]["code"] == -32700 && m["id"].is_null())
        .expect("a parse error for the malformed JSON");
    assert!(malformed["error"]["message"].is_string(), "{malformed}");
    // The same after initialize.
    invalid_requests(&mut c);
    let unknown = c.request("corroborate/doesNotExist", json!({}));
    assert_eq!(unknown["error"]["code"], -32601, "{unknown}");
    // A change for a document that was never opened, and a hover on one.
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": "file:///never/opened.txt", "version": 3}, "contentChanges": [{"text": "x"}]}),
    );
    let h = c.request("textDocument/hover", json!({"textDocument": {"uri": "file:///never/opened.txt"}, "position": {"line": 0, "character": 0}}));
    assert!(h["error"].is_object(), "unknown document is an error: {h}");
    // Positions far past the end, and edits past the end.
    let p = ws.path().join(S000);
    c.open(&p, "text");
    let h = c.request("textDocument/hover", json!({"textDocument": {"uri": file_uri(&p)}, "position": {"line": 99999, "character": 99999}}));
    assert!(h.get("result").is_some(), "{h}");
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": file_uri(&p), "version": 2},
               "contentChanges": [{"range": {"start": {"line": 5000, "character": 3}, "end": {"line": 6000, "character": 0}}, "text": "\r\ntrailing 🙂 text"}]}),
    );
    // A burst of edits: the last version is what gets published.
    for v in 3..1003 {
        c.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": file_uri(&p), "version": v},
                   "contentChanges": [{"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}, "text": "x"}]}),
        );
    }
    let last = c
        .wait_for(|m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"].as_str().unwrap_or("").ends_with(S000)
                && m["params"]["version"] == 1002
        })
        .expect("diagnostics for the last version");
    assert_eq!(last["params"]["version"], 1002);
    // Never an older version published after a newer one.
    let versions: Vec<i64> = c
        .seen
        .iter()
        .filter(|m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"].as_str().unwrap_or("").ends_with(S000)
        })
        .filter_map(|m| m["params"]["version"].as_i64())
        .chain(std::iter::once(1002))
        .collect();
    assert!(
        versions.windows(2).all(|w| w[0] <= w[1]),
        "stale publish after a newer one: {versions:?}"
    );
    // The server still answers.
    let sym = c.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": file_uri(&p)}}),
    );
    assert!(sym["result"].is_array(), "{sym}");
    assert_eq!(c.shutdown(), 0);
}

#[test]
fn code_actions_ignore_a_conflict_and_offer_wording() {
    let ws = seed_workspace(&[S000, S001, S002]);
    let mut c = Client::start();
    c.initialize(ws.path(), false);
    let p = ws.path().join(S000);
    c.open(&p, "text");
    let diags = c
        .diagnostics_for(S000, |d| conflict(d).is_some())
        .expect("conflict");
    let d = conflict(&diags).expect("conflict").clone();
    let actions = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": file_uri(&p)}, "range": d["range"], "context": {"diagnostics": [d]}}),
    );
    let list = actions["result"].as_array().expect("actions");
    let titles: Vec<&str> = list.iter().filter_map(|a| a["title"].as_str()).collect();
    assert!(
        titles
            .iter()
            .any(|t| t.starts_with("Use China Media Group's wording")),
        "{titles:?}"
    );
    assert!(
        titles.iter().any(|t| t.starts_with("Add attribution")),
        "{titles:?}"
    );
    let ignore = list
        .iter()
        .find(|a| a["title"] == "Ignore this conflict here")
        .expect("ignore action");
    let cmd = ignore["command"].clone();
    c.mark();
    let r = c.request(
        "workspace/executeCommand",
        json!({"command": cmd["command"], "arguments": cmd["arguments"]}),
    );
    assert!(r["error"].is_null(), "{r}");
    // The conflict is no longer reported, and the mark is on disk.
    if c.diagnostics_for(S000, |d| conflict(d).is_none()).is_none() {
        let seen: Vec<String> = c
            .seen
            .iter()
            .filter(|m| m["method"] == "textDocument/publishDiagnostics")
            .map(|m| m.to_string().chars().take(300).collect())
            .collect();
        panic!("diagnostic not gone after ignore; published: {seen:#?}; command result {r}");
    }
    let store = std::fs::read_to_string(ws.path().join(".corroborate/annotations.jsonl"))
        .expect("annotations written");
    assert!(store.contains("ignored"), "{store}");
    assert_eq!(c.shutdown(), 0);
}

#[test]
fn a_broken_config_is_a_diagnostic_not_a_crash() {
    let ws = seed_workspace(&[S000, S002]);
    std::fs::write(
        ws.path().join("corroborate.toml"),
        "[diagnostics]\ntension = \"yes\"\n",
    )
    .expect("write config");
    let mut c = Client::start();
    c.initialize(ws.path(), false);
    let d = c
        .diagnostics_for("corroborate.toml", |d| !d.is_empty())
        .expect("config diagnostic");
    // The line of the error, to its real end ("tension = \"yes\"": 15 units).
    assert_eq!(
        d[0]["range"],
        json!({"start": {"line": 1, "character": 0}, "end": {"line": 1, "character": 15}})
    );
    // The server still works with the defaults.
    let p = ws.path().join(S000);
    c.open(&p, "text");
    c.diagnostics_for(S000, |d| conflict(d).is_some())
        .expect("still analyses");
    assert_eq!(c.shutdown(), 0);
}

/// A sentence that conflicts with `two.txt` ("nearly 300 homes").
const COUNCIL: &str =
    "The council said more than 300 homes were evacuated on Sunday near the bridge 🙂. ";

fn council_workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("two.txt"),
        "Bridge evacuation\n\nThe council said nearly 300 homes were evacuated on Sunday near the bridge.\n",
    )
    .expect("write");
    dir
}

#[test]
fn a_one_megabyte_single_line_article_is_served() {
    let ws = council_workspace();
    let mut c = Client::start();
    c.initialize(ws.path(), false);
    c.indexed().expect("indexing ends");
    let p = ws.path().join("one.txt");
    let line = COUNCIL.repeat(1024 * 1024 / COUNCIL.len() + 1);
    c.open_text(&p, "text", &line);
    let diags = c
        .diagnostics_for("one.txt", |d| !d.is_empty())
        .expect("diagnostics of the long line");
    // The ranges are exact, even at the far end of the line (columns
    // counted here with str::encode_utf16, not by the server's code).
    let far = diags
        .iter()
        .max_by_key(|d| d["range"]["start"]["character"].as_u64())
        .expect("a diagnostic");
    assert_eq!(far["range"]["start"]["line"], 0);
    let covered = range_text(&line, &far["range"], false);
    assert!(covered.contains("more than 300 homes"), "{covered:?}");
    let start = offset_of(&line, &far["range"]["start"], false);
    assert_eq!(
        far["range"]["start"]["character"].as_u64(),
        Some(line[..start].encode_utf16().count() as u64)
    );
    let h = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": file_uri(&p)}, "position": far["range"]["start"]}),
    );
    assert!(
        h["result"]["contents"]["value"]
            .as_str()
            .unwrap_or("")
            .contains("nearly 300"),
        "{h}"
    );
    let sym = c.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": file_uri(&p)}}),
    );
    assert!(
        sym["result"].as_array().is_some_and(|a| !a.is_empty()),
        "{}",
        sym.to_string().chars().take(300).collect::<String>()
    );
    // An edit in the middle of the line is published for its version.
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": file_uri(&p), "version": 2},
               "contentChanges": [{"range": {"start": {"line": 0, "character": 500000}, "end": {"line": 0, "character": 500000}}, "text": "x"}]}),
    );
    c.wait_for(|m| {
        m["method"] == "textDocument/publishDiagnostics"
            && m["params"]["uri"]
                .as_str()
                .unwrap_or("")
                .ends_with("one.txt")
            && m["params"]["version"] == 2
    })
    .expect("diagnostics of version 2");
    assert_eq!(c.shutdown(), 0);
}

#[test]
fn a_document_over_max_bytes_is_not_analysed_but_keeps_its_edits() {
    let ws = council_workspace();
    let mut c = Client::start();
    c.initialize_with(json!({
        "processId": null,
        "rootUri": file_uri(ws.path()),
        "workspaceFolders": [{"uri": file_uri(ws.path()), "name": "ws"}],
        "initializationOptions": {"files": {"maxBytes": 100000}},
        "capabilities": {"window": {"workDoneProgress": true}}
    }));
    c.indexed().expect("indexing ends");
    let p = ws.path().join("big.txt");
    // A conflicting article, then 200 kB of filler on its last line.
    let head = "Evacuation\n\nThe council said more than 300 homes were evacuated on Sunday near the bridge.\n\n";
    let filler = "Lorem ipsum dolor sit amet 🙂 more than 300. ".repeat(4600);
    let text = format!("{head}{filler}");
    assert!(text.len() > 100_000);
    c.open_text(&p, "text", &text);
    let log = c
        .wait_for(|m| {
            m["method"] == "window/logMessage"
                && m["params"]["message"]
                    .as_str()
                    .is_some_and(|s| s.contains("big.txt") && s.contains("files.max_bytes"))
        })
        .expect("one message about the size");
    assert_eq!(log["params"]["type"], 3, "informational: {log}");
    let d = c
        .diagnostics_for("big.txt", |_| true)
        .expect("diagnostics (none) for the big document");
    assert!(d.is_empty(), "not analysed: {d:?}");
    let h = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": file_uri(&p)}, "position": {"line": 2, "character": 20}}),
    );
    assert!(h["error"].is_null() && h["result"].is_null(), "{h}");
    let sym = c.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": file_uri(&p)}}),
    );
    assert_eq!(sym["result"], json!([]), "{sym}");
    // The edit that removes the filler is applied (while over the limit,
    // the text is still kept): the article is analysed again.
    let filler_units = filler.encode_utf16().count() as u64;
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": file_uri(&p), "version": 2},
               "contentChanges": [{"range": {"start": {"line": 4, "character": 0}, "end": {"line": 4, "character": filler_units}}, "text": ""}]}),
    );
    let d = c
        .diagnostics_for("big.txt", |d| conflict(d).is_some())
        .expect("analysed once under the limit");
    let covered = range_text(head, &conflict(&d).expect("conflict")["range"], false);
    assert!(covered.contains("more than 300 homes"), "{covered:?}");
    // Only one message about the size.
    assert!(!c.seen.iter().any(|m| m["method"] == "window/logMessage"
        && m["params"]["message"]
            .as_str()
            .is_some_and(|s| s.contains("files.max_bytes"))));
    assert_eq!(c.shutdown(), 0);
}

/// The code actions offered on the conflict of `path`.
fn actions_on_conflict(c: &mut Client, path: &std::path::Path, suffix: &str) -> Vec<Value> {
    let diags = c
        .diagnostics_for(suffix, |d| conflict(d).is_some())
        .expect("conflict");
    let d = conflict(&diags).expect("conflict").clone();
    let actions = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": file_uri(path)}, "range": d["range"], "context": {"diagnostics": [d]}}),
    );
    actions["result"].as_array().cloned().expect("actions")
}

fn action<'a>(list: &'a [Value], title: &str) -> &'a Value {
    list.iter()
        .find(|a| a["title"].as_str().is_some_and(|t| t.starts_with(title)))
        .unwrap_or_else(|| panic!("no action {title:?} in {list:?}"))
}

#[test]
fn mark_commands_follow_the_claim_after_an_edit_or_refuse() {
    let ws = seed_workspace(&[S000, S001, S002]);
    let mut c = Client::start();
    c.initialize(ws.path(), false);
    let p = ws.path().join(S000);
    let text = c.open(&p, "text");
    let list = actions_on_conflict(&mut c, &p, S000);
    let ignore = action(&list, "Ignore this conflict")["command"].clone();
    let verify = action(&list, "Mark this claim verified")["command"].clone();
    let claim = ignore["arguments"][3]
        .as_str()
        .expect("claim text")
        .to_string();
    let start = ignore["arguments"][1].as_u64().expect("start") as usize;
    assert_eq!(text.get(start..start + claim.len()), Some(claim.as_str()));

    // A line added above the claim: the old command marks the claim, not the
    // text now at its old offsets.
    let intro = "UPDATE: new intro line.\n";
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": file_uri(&p), "version": 2},
               "contentChanges": [{"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}, "text": intro}]}),
    );
    let r = c.request(
        "workspace/executeCommand",
        json!({"command": ignore["command"], "arguments": ignore["arguments"]}),
    );
    assert!(r["error"].is_null(), "{r}");
    let store = std::fs::read_to_string(ws.path().join(".corroborate/annotations.jsonl"))
        .expect("annotations written");
    let mark: Value =
        serde_json::from_str(store.lines().last().expect("a line")).expect("a JSON line");
    assert_eq!(mark["status"], "ignored");
    assert_eq!(mark["selector"]["exact"], claim.as_str(), "{mark}");
    assert_eq!(mark["selector"]["start"], start + intro.len(), "{mark}");
    c.diagnostics_for(S000, |d| conflict(d).is_none())
        .expect("the conflict is ignored");

    // The claim itself edited: the old command is refused, with a message.
    let changed = format!("{intro}{text}").replace(&claim, "a claim that says something else");
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": file_uri(&p), "version": 3},
               "contentChanges": [{"text": changed}]}),
    );
    c.mark();
    let r = c.request(
        "workspace/executeCommand",
        json!({"command": verify["command"], "arguments": verify["arguments"]}),
    );
    assert_eq!(r["error"]["code"], -32801, "{r}");
    c.wait_for(|m| {
        m["method"] == "window/showMessage"
            && m["params"]["message"]
                .as_str()
                .is_some_and(|s| s.contains("no longer in the document"))
    })
    .expect("the user is told why");
    let after = std::fs::read_to_string(ws.path().join(".corroborate/annotations.jsonl"))
        .expect("annotations");
    assert_eq!(after, store, "nothing marked");
    assert_eq!(c.shutdown(), 0);
}

#[cfg(unix)]
#[test]
fn ignore_marks_work_through_a_symlinked_workspace_root() {
    let dir = tempfile::tempdir().expect("tempdir");
    let real = dir.path().join("real");
    std::fs::create_dir(&real).expect("mkdir");
    let seeds = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds");
    for n in [S000, S001, S002] {
        std::fs::copy(seeds.join(n), real.join(n)).expect("copy seed");
    }
    let link = dir.path().join("link");
    std::os::unix::fs::symlink(&real, &link).expect("symlink");
    let mut c = Client::start();
    c.initialize(&link, false);
    let p = link.join(S000);
    c.open(&p, "text");
    let list = actions_on_conflict(&mut c, &p, S000);
    let ignore = action(&list, "Ignore this conflict")["command"].clone();
    c.mark();
    let r = c.request(
        "workspace/executeCommand",
        json!({"command": ignore["command"], "arguments": ignore["arguments"]}),
    );
    assert!(r["error"].is_null(), "{r}");
    c.diagnostics_for(S000, |d| conflict(d).is_none())
        .expect("the ignored conflict is gone through the symlinked root");
    let store = std::fs::read_to_string(real.join(".corroborate/annotations.jsonl"))
        .expect("the mark is in the workspace's store");
    let mark: Value =
        serde_json::from_str(store.lines().last().expect("a line")).expect("a JSON line");
    assert_eq!(mark["target"], S000, "{mark}");
    // A restart reads it back.
    assert_eq!(c.shutdown(), 0);
    let mut c = Client::start();
    c.initialize(&link, false);
    c.indexed().expect("indexing ends");
    c.open(&p, "text");
    let d = c
        .diagnostics_for(S000, |_| true)
        .expect("diagnostics after a restart");
    assert!(conflict(&d).is_none(), "{d:?}");
    assert_eq!(c.shutdown(), 0);
}

fn marks_on_disk(ws: &std::path::Path) -> Vec<Value> {
    std::fs::read_to_string(ws.join(".corroborate/annotations.jsonl"))
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

#[test]
fn the_latest_mark_wins_and_marks_can_be_cleared_or_disputed() {
    let ws = seed_workspace(&[S000, S001, S002]);
    std::fs::write(
        ws.path().join("corroborate.toml"),
        "[review]\nauthor = \"ana\"\n",
    )
    .expect("config");
    let mut c = Client::start();
    c.initialize(ws.path(), false);
    let p = ws.path().join(S000);
    c.open(&p, "text");
    let diags = c
        .diagnostics_for(S000, |d| conflict(d).is_some())
        .expect("conflict");
    let range = conflict(&diags).expect("conflict")["range"].clone();
    let actions_here = |c: &mut Client| -> Vec<Value> {
        let r = c.request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": file_uri(&p)}, "range": range, "context": {"diagnostics": []}}),
        );
        r["result"].as_array().cloned().expect("actions")
    };
    let list = actions_here(&mut c);
    let cmd = |title: &str| action(&list, title)["command"].clone();
    let (ignore, verify, dispute) = (
        cmd("Ignore this conflict"),
        cmd("Mark this claim verified"),
        cmd("Mark this claim disputed"),
    );
    assert!(
        !list
            .iter()
            .any(|a| a["title"].as_str().unwrap_or("").starts_with("Clear mark")),
        "nothing to clear yet"
    );
    let run = |c: &mut Client, cmd: &Value, extra: Option<Value>| {
        let mut args = cmd["arguments"].as_array().cloned().expect("arguments");
        args.extend(extra);
        let r = c.request(
            "workspace/executeCommand",
            json!({"command": cmd["command"], "arguments": args}),
        );
        assert!(r["error"].is_null(), "{r}");
    };

    // Ignored, then verified with a note and a source: the verification is
    // the latest mark, so the conflict shows again.
    c.mark();
    run(&mut c, &ignore, None);
    c.diagnostics_for(S000, |d| conflict(d).is_none())
        .expect("ignored");
    c.mark();
    run(
        &mut c,
        &verify,
        Some(json!({"note": "checked the CCTV transcript", "source": "https://example.org/x"})),
    );
    c.diagnostics_for(S000, |d| conflict(d).is_some())
        .expect("verified after ignored: shown again");
    let last = marks_on_disk(ws.path()).last().cloned().expect("a mark");
    assert_eq!(last["status"], "verified");
    assert_eq!(last["author"], "ana", "review.author from corroborate.toml");
    assert_eq!(last["note"], "checked the CCTV transcript");
    assert_eq!(last["source"], "https://example.org/x");
    let h = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": file_uri(&p)}, "position": range["start"]}),
    );
    let md = h["result"]["contents"]["value"].as_str().unwrap_or("");
    assert!(md.contains("verified by ana"), "{md}");

    // Ignored again, then cleared: every mark on the claim goes, and the
    // conflict is back.
    c.mark();
    run(&mut c, &ignore, None);
    c.diagnostics_for(S000, |d| conflict(d).is_none())
        .expect("ignored again");
    let here = actions_here(&mut c);
    let clear = action(&here, "Clear mark (ignored by ana)")["command"].clone();
    c.mark();
    run(&mut c, &clear, None);
    c.diagnostics_for(S000, |d| conflict(d).is_some())
        .expect("the conflict is back after clearing");
    assert!(
        marks_on_disk(ws.path()).is_empty(),
        "all marks on it cleared"
    );

    // Disputed, with a note.
    run(
        &mut c,
        &dispute,
        Some(json!({"note": "the ministry says 150"})),
    );
    let last = marks_on_disk(ws.path()).last().cloned().expect("a mark");
    assert_eq!(last["status"], "disputed");
    assert_eq!(last["note"], "the ministry says 150");
    assert_eq!(c.shutdown(), 0);
}

#[test]
fn watched_files_follow_root_relative_globs_and_indexing_exclusions() {
    let dir = tempfile::tempdir().expect("tempdir");
    let news = dir.path().join("news");
    std::fs::create_dir_all(news.join(".drafts")).expect("mkdir");
    let seeds = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds");
    std::fs::copy(seeds.join(S000), news.join(S000)).expect("copy");
    let mut c = Client::start();
    c.initialize_with(json!({
        "processId": null,
        "rootUri": file_uri(dir.path()),
        "workspaceFolders": [{"uri": file_uri(dir.path()), "name": "ws"}],
        "initializationOptions": {"files": {"globs": ["news/**/*.txt"]}},
        "capabilities": {"window": {"workDoneProgress": true}}
    }));
    c.indexed().expect("indexing ends");
    let p = news.join(S000);
    c.open(&p, "text");
    let first = c.diagnostics_for(S000, |_| true).expect("diagnostics");
    assert!(conflict(&first).is_none(), "{first:?}");
    // A conflicting article in a hidden folder is not an article (as for
    // indexing): nothing changes.
    let hidden = news.join(".drafts").join(S002);
    std::fs::copy(seeds.join(S002), &hidden).expect("copy");
    c.mark();
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": file_uri(&hidden), "type": 1}]}),
    );
    let d = c.diagnostics_for(S000, |_| true).expect("republished");
    assert!(
        conflict(&d).is_none(),
        "a hidden draft is not indexed: {d:?}"
    );
    // The same article in news/: matched by the root-relative glob.
    let added = news.join(S002);
    std::fs::copy(seeds.join(S002), &added).expect("copy");
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": file_uri(&added), "type": 1}]}),
    );
    c.diagnostics_for(S000, |d| conflict(d).is_some())
        .expect("the new article's conflict");
    assert_eq!(c.shutdown(), 0);
}

#[test]
fn exit_without_shutdown_ends_with_code_1() {
    let ws = seed_workspace(&[S000]);
    let mut c = Client::start();
    c.initialize(ws.path(), false);
    let r = c.request("workspace/symbol", json!({"query": ""}));
    assert!(r["result"].is_array(), "{r}");
    c.notify("exit", Value::Null);
    assert_eq!(c.wait_exit(), 1);
}
