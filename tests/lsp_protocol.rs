//! Protocol abuse beyond `lsp_stdio.rs` `protocol_abuse_does_not_kill_the_server`
//! (which covers bodies that are not JSON or not JSON-RPC, a hover before
//! `initialize`, an unknown method, positions past the end in a hover and
//! an edit, a change for an unopened document and a 1,000-edit burst):
//! parameters of the wrong types for each request and notification, the
//! lifecycle out of order, positions and ranges past the end for every
//! position-taking request, and frames with odd headers. Errors are what
//! JSON-RPC and LSP say, and the server goes on.

mod common;

use std::path::Path;

use common::*;
use serde_json::{json, Value};

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/two-sources");
const HERALD: &str = "harbour-herald.txt";
const COURIER: &str = "valley-courier.txt";

/// JSON-RPC: invalid params.
const INVALID_PARAMS: i64 = -32602;
/// LSP: a request before `initialize`.
const SERVER_NOT_INITIALIZED: i64 = -32002;
/// JSON-RPC: invalid request.
const INVALID_REQUEST: i64 = -32600;

fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for f in [HERALD, COURIER] {
        std::fs::copy(Path::new(FIXTURE).join(f), dir.path().join(f)).expect("copy");
    }
    dir
}

fn conflict(diags: &[Value]) -> Option<&Value> {
    diags.iter().find(|d| d["code"] == "conflict")
}

/// The server still serves `path`: its conflict is there on a request.
fn still_serving(c: &mut Client, path: &Path) {
    let s = c.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": file_uri(path)}}),
    );
    assert!(s["result"].as_array().is_some_and(|a| !a.is_empty()), "{s}");
}

#[test]
fn the_lifecycle_out_of_order_gets_lsp_errors() {
    let ws = workspace();
    let mut c = Client::start();
    // Before initialize: every request is ServerNotInitialized, and
    // notifications are dropped (nothing is published for them).
    for (method, params) in [
        ("shutdown", Value::Null),
        ("workspace/symbol", json!({"query": ""})),
        (
            "textDocument/documentSymbol",
            json!({"textDocument": {"uri": "file:///x.txt"}}),
        ),
    ] {
        let r = c.request(method, params);
        assert_eq!(r["error"]["code"], SERVER_NOT_INITIALIZED, "{method}: {r}");
    }
    // An unknown method is not found, initialized or not.
    let r = c.request("corroborate/unknown", json!({}));
    assert_eq!(r["error"]["code"], -32601, "{r}");
    let herald = ws.path().join(HERALD);
    c.open(&herald, "text");
    c.initialize(ws.path(), false);
    c.indexed().expect("indexing ends");
    let s = c.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": file_uri(&herald)}}),
    );
    // The document opened before initialize was not taken: not open now
    // (its file is indexed: symbols come from the disk).
    assert!(s["result"].is_array(), "{s}");
    assert!(
        !c.seen
            .iter()
            .any(|m| m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == file_uri(&herald).as_str()),
        "published for a document opened before initialize"
    );
    // A second initialize is an invalid request; the first one holds.
    let again = c.request(
        "initialize",
        json!({"processId": null, "rootUri": null, "capabilities": {}}),
    );
    assert_eq!(again["error"]["code"], INVALID_REQUEST, "{again}");
    c.open(&herald, "text");
    c.diagnostics_for(HERALD, |d| conflict(d).is_some())
        .expect("the conflict after a second initialize");
    // After shutdown: requests are invalid, exit ends with code 0.
    let r = c.request("shutdown", Value::Null);
    assert!(r["error"].is_null(), "{r}");
    let late = c.request("workspace/symbol", json!({"query": ""}));
    assert_eq!(late["error"]["code"], INVALID_REQUEST, "{late}");
    c.notify("exit", Value::Null);
    assert_eq!(c.wait_exit(), 0);
}

#[test]
fn parameters_of_the_wrong_type_are_invalid_params() {
    let ws = workspace();
    let herald = ws.path().join(HERALD);
    let uri = file_uri(&herald);
    let mut c = Client::start();
    c.initialize(ws.path(), false);
    c.indexed().expect("indexing ends");
    let text = c.open(&herald, "text");
    c.diagnostics_for(HERALD, |d| conflict(d).is_some())
        .expect("the conflict");
    let pos = json!({"line": 0, "character": 0});
    let range = json!({"start": pos, "end": pos});
    let requests: Vec<(&str, Value)> = vec![
        (
            "textDocument/hover",
            json!({"textDocument": 42, "position": pos}),
        ),
        (
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": "start"}),
        ),
        (
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": {"line": -1, "character": 0}}),
        ),
        (
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": {"line": 4_294_967_296u64, "character": 0}}),
        ),
        ("textDocument/hover", json!({"textDocument": {"uri": uri}})),
        (
            "textDocument/hover",
            json!({"textDocument": {"uri": "not a uri"}, "position": pos}),
        ),
        ("textDocument/hover", Value::Null),
        ("textDocument/hover", json!([1, 2])),
        (
            "textDocument/definition",
            json!({"textDocument": {"uri": uri}, "position": {"line": "zero", "character": 0}}),
        ),
        (
            "textDocument/references",
            json!({"textDocument": {"uri": uri}, "position": pos}),
        ),
        (
            "textDocument/documentSymbol",
            json!({"textDocument": {"uri": null}}),
        ),
        (
            "textDocument/codeAction",
            json!({"textDocument": {"uri": uri}, "range": range}),
        ),
        (
            "textDocument/inlayHint",
            json!({"textDocument": {"uri": uri}, "range": 7}),
        ),
        ("workspace/symbol", json!({"query": 5})),
        (
            "workspace/executeCommand",
            json!({"command": ["corroborate.ignore"]}),
        ),
    ];
    for (method, params) in requests {
        let r = c.request(method, params.clone());
        assert_eq!(r["error"]["code"], INVALID_PARAMS, "{method} {params}: {r}");
        assert!(r["error"]["message"].is_string(), "{r}");
    }
    // Notifications of the wrong shape: nothing to answer, nothing broken.
    c.mark();
    for (method, params) in [
        (
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "version": 9}}),
        ),
        (
            "textDocument/didOpen",
            json!({"textDocument": {"uri": 5, "languageId": "text", "version": 1, "text": "x"}}),
        ),
        (
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": "all of it"}),
        ),
        (
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": "two"}, "contentChanges": [{"text": ""}]}),
        ),
        (
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"range": {"start": 1}, "text": ""}]}),
        ),
        ("textDocument/didClose", json!({"textDocument": {}})),
        (
            "workspace/didChangeWatchedFiles",
            json!({"changes": [{"uri": uri, "type": 99}]}),
        ),
        (
            "workspace/didChangeConfiguration",
            json!({"settings": {"corroborate": {"files": {"maxBytes": "big"}}}}),
        ),
        ("$/cancelRequest", json!({"id": 123456})),
        ("$/cancelRequest", json!({"id": {"no": 1}})),
        ("$/setTrace", json!({"value": "loud"})),
        ("corroborate/unknownNotification", json!({"x": 1})),
    ] {
        c.notify(method, params);
    }
    let r = c.request("corroborate/stillThere", json!({}));
    assert_eq!(r["error"]["code"], -32601, "{r}");
    // None of those was answered (notifications have no response) ...
    assert!(
        !c.seen
            .iter()
            .any(|m| m.get("id").is_some() && m.get("method").is_none()),
        "{:?}",
        c.seen
    );
    // ... and the document is as it was: the same text, the same conflict.
    let h = c.hover_text(
        &uri,
        &expected_range(&text, "More than 300 homes", false)["start"],
    );
    assert!(h.contains("150"), "{h}");
    still_serving(&mut c, &herald);
    assert_eq!(c.shutdown(), 0);
}

#[test]
fn positions_and_ranges_past_the_end_are_answered_for_every_request() {
    let ws = workspace();
    let herald = ws.path().join(HERALD);
    let uri = file_uri(&herald);
    let mut c = Client::start();
    c.initialize(ws.path(), false);
    c.indexed().expect("indexing ends");
    c.open(&herald, "text");
    c.diagnostics_for(HERALD, |d| conflict(d).is_some())
        .expect("the conflict");
    let far = json!({"line": 4_000_000_000u32, "character": 4_000_000_000u32});
    // Past the end of a line that exists, and past the last line.
    let past_line = json!({"line": 0, "character": 9999});
    let backwards =
        json!({"start": {"line": 12, "character": 5}, "end": {"line": 2, "character": 0}});
    for p in [&far, &past_line] {
        let tp = json!({"textDocument": {"uri": uri}, "position": p});
        for method in ["textDocument/hover", "textDocument/definition"] {
            let r = c.request(method, tp.clone());
            assert!(
                r["error"].is_null() && r.get("result").is_some(),
                "{method} {p}: {r}"
            );
        }
        let mut refs = tp.clone();
        refs["context"] = json!({"includeDeclaration": true});
        let r = c.request("textDocument/references", refs);
        assert!(r["error"].is_null(), "{r}");
    }
    for range in [
        json!({"start": far, "end": far}),
        json!({"start": {"line": 0, "character": 0}, "end": far}),
        backwards,
    ] {
        let r = c.request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": uri}, "range": range, "context": {"diagnostics": []}}),
        );
        assert!(r["error"].is_null(), "codeAction {range}: {r}");
        let r = c.request(
            "textDocument/inlayHint",
            json!({"textDocument": {"uri": uri}, "range": range}),
        );
        assert!(r["error"].is_null(), "inlayHint {range}: {r}");
    }
    // A backwards edit range and one far past the end: applied as the
    // sync code defines (clamped, ordered), never a crash.
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [
            {"range": {"start": {"line": 3, "character": 4}, "end": {"line": 1, "character": 0}}, "text": "🙂"},
            {"range": {"start": far, "end": far}, "text": "\nThe end."},
        ]}),
    );
    c.diagnostics_for(HERALD, |_| true)
        .expect("published after the odd edits");
    // The document is still served, and a full sync puts it right.
    let text = std::fs::read_to_string(&herald).expect("herald");
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 3}, "contentChanges": [{"text": text}]}),
    );
    c.diagnostics_for(HERALD, |d| conflict(d).is_some())
        .expect("the conflict after a full sync");
    still_serving(&mut c, &herald);
    assert_eq!(c.shutdown(), 0);
}

#[test]
fn document_lifecycle_abuse_is_logged_and_survived() {
    let ws = workspace();
    let herald = ws.path().join(HERALD);
    let uri = file_uri(&herald);
    let mut c = Client::start();
    c.initialize(ws.path(), false);
    c.indexed().expect("indexing ends");
    // A change for a document that is not open: one warning line.
    c.mark();
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": "x"}]}),
    );
    let w = c
        .wait_for(|m| {
            m["method"] == "window/logMessage"
                && m["params"]["message"]
                    .as_str()
                    .is_some_and(|s| s.contains("not open"))
        })
        .expect("a warning about the unopened document");
    assert_eq!(w["params"]["type"], 2, "{w}");
    // A close of a document never opened: nothing breaks.
    c.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": file_uri(&ws.path().join("never.txt"))}}),
    );
    // Opened twice: the second text wins.
    c.open_text(&herald, "text", "Nothing here.\n");
    c.open(&herald, "text");
    c.diagnostics_for(HERALD, |d| conflict(d).is_some())
        .expect("the second open's text");
    // Versions going backwards: applied, with a warning.
    c.mark();
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 0}, "contentChanges": [
            {"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}, "text": ""}]}),
    );
    let w = c
        .wait_for(|m| {
            m["method"] == "window/logMessage"
                && m["params"]["message"]
                    .as_str()
                    .is_some_and(|s| s.contains("versions should grow"))
        })
        .expect("a warning about the version");
    assert_eq!(w["params"]["type"], 2, "{w}");
    // A lone surrogate escape in the text is not JSON the server can read:
    // a parse error, and the document keeps its text.
    c.send_raw(
        format!(
            r#"{{"jsonrpc":"2.0","method":"textDocument/didChange","params":{{"textDocument":{{"uri":"{uri}","version":5}},"contentChanges":[{{"text":"bad \ud800 text"}}]}}}}"#
        )
        .as_bytes(),
    );
    let e = c
        .wait_for(|m| m["error"]["code"] == -32700)
        .expect("a parse error for the lone surrogate");
    assert!(e["id"].is_null(), "{e}");
    still_serving(&mut c, &herald);
    // Odd frames: header names in another case, an extra header, a
    // Content-Type, headers without the \r.
    let body =
        json!({"jsonrpc": "2.0", "id": 900, "method": "workspace/symbol", "params": {"query": ""}})
            .to_string();
    c.send_frame(
        format!(
            "content-length: {}\r\nX-Extra: yes\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n{body}",
            body.len()
        )
        .as_bytes(),
    );
    let r = c
        .wait_for(|m| m["id"] == 900)
        .expect("an answer to the odd frame");
    assert!(r["result"].is_array(), "{r}");
    let body =
        json!({"jsonrpc": "2.0", "id": 901, "method": "workspace/symbol", "params": {"query": ""}})
            .to_string();
    c.send_frame(format!("Content-Length: {}\n\n{body}", body.len()).as_bytes());
    let r = c
        .wait_for(|m| m["id"] == 901)
        .expect("an answer to the frame without CR");
    assert!(r["result"].is_array(), "{r}");
    // A header block without a length: a parse error, then the next frame.
    c.send_frame(b"X-Nothing: here\r\n\r\n");
    c.wait_for(|m| m["error"]["code"] == -32700)
        .expect("a parse error for the frame without a length");
    still_serving(&mut c, &herald);
    assert_eq!(c.shutdown(), 0);
}
