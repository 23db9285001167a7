//! Review marks in the language server, over stdio: marks made with the code
//! actions survive edits above and inside their text and a restart (an
//! ignored conflict stays hidden, the hover still says verified), and a mark
//! whose text is removed is shown as an `orphaned-mark` diagnostic (and kept
//! in the store), before and after a restart, until the reviewer removes it
//! with its quick fix.

mod common;

use common::*;
use serde_json::{json, Value};

fn conflict(diags: &[Value]) -> Option<&Value> {
    diags.iter().find(|d| d["code"] == "conflict")
}

fn orphans(diags: &[Value]) -> Vec<&Value> {
    diags
        .iter()
        .filter(|d| d["code"] == "orphaned-mark")
        .collect()
}

fn action<'a>(list: &'a [Value], title: &str) -> &'a Value {
    list.iter()
        .find(|a| a["title"].as_str().is_some_and(|t| t.starts_with(title)))
        .unwrap_or_else(|| panic!("no action {title:?} in {list:?}"))
}

/// The diagnostics published for `name` at document version `version`.
fn diagnostics_at(c: &mut Client, name: &str, version: i64) -> Vec<Value> {
    let m = c
        .wait_for(|m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"]
                    .as_str()
                    .is_some_and(|u| u.ends_with(name))
                && m["params"]["version"] == version
        })
        .unwrap_or_else(|| panic!("no diagnostics for {name} at version {version}"));
    m["params"]["diagnostics"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// Replace the whole text of an open document.
fn change(c: &mut Client, path: &std::path::Path, version: i64, text: &str) {
    c.mark();
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": file_uri(path), "version": version},
               "contentChanges": [{"text": text}]}),
    );
}

/// Insert `s` at the very start of an open document (a ranged edit).
fn insert_at_top(c: &mut Client, path: &std::path::Path, version: i64, s: &str) {
    c.mark();
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": file_uri(path), "version": version},
               "contentChanges": [{"range": {"start": {"line": 0, "character": 0},
                                             "end": {"line": 0, "character": 0}}, "text": s}]}),
    );
}

fn run_command(c: &mut Client, cmd: &Value, extra: Option<Value>) {
    let mut args = cmd["arguments"].as_array().cloned().unwrap_or_default();
    args.extend(extra);
    let r = c.request(
        "workspace/executeCommand",
        json!({"command": cmd["command"], "arguments": args}),
    );
    assert!(r["error"].is_null(), "{r}");
}

fn hover(c: &mut Client, path: &std::path::Path, pos: &Value) -> String {
    let h = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": file_uri(path)}, "position": pos}),
    );
    h["result"]["contents"]["value"]
        .as_str()
        .unwrap_or("")
        .to_string()
}

/// The conflict diagnostic of the delegation figure, and its claim's text.
fn delegation_conflict(diags: &[Value], text: &str) -> (Value, String) {
    let d = diags
        .iter()
        .find(|d| {
            d["code"] == "conflict" && range_text(text, &d["range"], false).contains("200 members")
        })
        .cloned()
        .unwrap_or_else(|| panic!("no delegation conflict in {diags:?}"));
    let claim = range_text(text, &d["range"], false).to_string();
    (d, claim)
}

fn marks_on_disk(ws: &std::path::Path) -> Vec<Value> {
    std::fs::read_to_string(ws.join(".corroborate/annotations.jsonl"))
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

/// `text` with `word ` inserted before the first `at` inside `claim`.
fn edit_inside(text: &str, claim: &str, at: &str, word: &str) -> (String, String) {
    let i = claim
        .find(at)
        .unwrap_or_else(|| panic!("{at:?} not in the claim {claim:?}"));
    let new_claim = format!(
        "{}{word} {}",
        claim.get(..i).unwrap_or(""),
        claim.get(i..).unwrap_or("")
    );
    assert_eq!(text.matches(claim).count(), 1, "the claim occurs once");
    (text.replacen(claim, &new_claim, 1), new_claim)
}

#[test]
fn marks_survive_edits_and_restarts_and_orphans_are_shown() {
    let ws = seed_workspace(&[S000, S001, S002]);
    std::fs::write(
        ws.path().join("corroborate.toml"),
        "[review]\nauthor = \"ana\"\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let (p0, p2) = (ws.path().join(S000), ws.path().join(S002));
    let mut c = Client::start();
    c.initialize(ws.path(), false);
    let mut t0 = c.open(&p0, "text");
    let mut t2 = c.open(&p2, "text");
    let mut v0 = 1;
    let mut v2 = 1;

    // Verify the claim in 000 (with a note), ignore the one in 002.
    let d0 = c
        .diagnostics_for(S000, |d| conflict(d).is_some())
        .unwrap_or_else(|| panic!("conflict in 000"));
    let (c0, claim0) = delegation_conflict(&d0, &t0);
    let d2 = c
        .diagnostics_for(S002, |d| conflict(d).is_some())
        .unwrap_or_else(|| panic!("conflict in 002"));
    let (c2, claim2) = delegation_conflict(&d2, &t2);
    let actions = |c: &mut Client, p: &std::path::Path, d: &Value| -> Vec<Value> {
        let r = c.request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": file_uri(p)}, "range": d["range"], "context": {"diagnostics": [d]}}),
        );
        r["result"].as_array().cloned().unwrap_or_default()
    };
    let list0 = actions(&mut c, &p0, &c0);
    let verify = action(&list0, "Mark this claim verified")["command"].clone();
    let list2 = actions(&mut c, &p2, &c2);
    let ignore = action(&list2, "Ignore this conflict")["command"].clone();
    c.mark();
    run_command(
        &mut c,
        &verify,
        Some(json!({"note": "checked the press release", "source": "https://example.org/r"})),
    );
    run_command(&mut c, &ignore, None);
    c.diagnostics_for(S002, |d| conflict(d).is_none() && orphans(d).is_empty())
        .unwrap_or_else(|| panic!("the ignored conflict is hidden"));
    assert_eq!(marks_on_disk(ws.path()).len(), 2);

    // What must hold after each edit and after the restart.
    let holds = |c: &mut Client, t0: &str, v0: i64, v2: i64, what: &str| {
        let d0 = diagnostics_at(c, S000, v0);
        let (c0, _) = delegation_conflict(&d0, t0);
        // The 002 claim still conflicts (000 names its wording)...
        let msg = c0["message"].as_str().unwrap_or("");
        assert!(msg.contains("nearly 200"), "{what}: {msg}");
        // ...but its diagnostic stays hidden, and no mark is orphaned.
        let d2 = diagnostics_at(c, S002, v2);
        assert!(
            d2.iter().all(|d| d["code"] != "conflict"),
            "{what}: the ignored conflict came back: {d2:?}"
        );
        assert!(orphans(&d0).is_empty() && orphans(&d2).is_empty(), "{what}");
        let h = hover(c, &p0, &c0["range"]["start"]);
        assert!(
            h.contains("verified by ana") && h.contains("checked the press release"),
            "{what}: {h}"
        );
    };

    // 1. A line added above each claim.
    let intro = "UPDATE: this article was corrected.\n";
    v0 += 1;
    insert_at_top(&mut c, &p0, v0, intro);
    t0 = format!("{intro}{t0}");
    v2 += 1;
    insert_at_top(&mut c, &p2, v2, intro);
    t2 = format!("{intro}{t2}");
    holds(&mut c, &t0, v0, v2, "after an edit above");

    // 2. A word added inside each anchored text.
    let (n0, claim0) = edit_inside(&t0, &claim0, "delegation", "large");
    let (n2, claim2) = edit_inside(&t2, &claim2, "delegation", "large");
    (t0, t2) = (n0, n2);
    v0 += 1;
    change(&mut c, &p0, v0, &t0);
    v2 += 1;
    change(&mut c, &p2, v2, &t2);
    holds(&mut c, &t0, v0, v2, "after an edit inside the marked text");

    // 3. Saved, and the server restarted: the marks are read back and found.
    std::fs::write(&p0, &t0).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(&p2, &t2).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(c.shutdown(), 0);
    let mut c = Client::start();
    c.initialize(ws.path(), false);
    c.indexed().unwrap_or_else(|| panic!("indexing ends"));
    c.mark();
    c.open_text(&p0, "text", &t0);
    c.open_text(&p2, "text", &t2);
    let (mut v0, mut v2) = (1, 1);
    holds(&mut c, &t0, v0, v2, "after a restart");

    // 4. The marked sentence of 002 deleted: its mark is orphaned, shown
    //    where its text was, and kept in the store.
    let sentence = t2
        .split_inclusive(". ")
        .find(|s| s.contains(&claim2))
        .unwrap_or_else(|| panic!("the sentence of {claim2:?}"))
        .to_string();
    let at = t2.find(&sentence).unwrap_or(0);
    t2 = t2.replacen(&sentence, "", 1);
    v2 += 1;
    change(&mut c, &p2, v2, &t2);
    let d2 = diagnostics_at(&mut c, S002, v2);
    let o = orphans(&d2);
    assert_eq!(o.len(), 1, "{d2:?}");
    let o = o[0].clone();
    let msg = o["message"].as_str().unwrap_or("");
    assert!(
        msg.contains("review mark orphaned")
            && msg.contains("ignored by ana")
            && msg.contains("200 members"),
        "{msg}"
    );
    assert_eq!(o["severity"], 3, "information");
    assert_eq!(o["source"], "corroborate");
    // At the place where the text was (its line).
    let line_of = |t: &str, at: usize| t.get(..at).unwrap_or("").matches('\n').count();
    assert_eq!(o["range"]["start"]["line"], line_of(&t2, at.min(t2.len())));
    assert_eq!(marks_on_disk(ws.path()).len(), 2, "the orphan is kept");
    // The same for the verified claim of 000.
    t0 = t0.replacen(&claim0, "", 1);
    v0 += 1;
    change(&mut c, &p0, v0, &t0);
    let d0 = diagnostics_at(&mut c, S000, v0);
    let o0 = orphans(&d0);
    assert_eq!(o0.len(), 1, "{d0:?}");
    assert!(
        o0[0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("verified by ana") && m.contains("press release")),
        "{o0:?}"
    );

    // 5. Saved and restarted: still orphaned, still there.
    std::fs::write(&p0, &t0).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(&p2, &t2).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(c.shutdown(), 0);
    let mut c = Client::start();
    c.initialize(ws.path(), false);
    c.indexed().unwrap_or_else(|| panic!("indexing ends"));
    c.mark();
    c.open_text(&p2, "text", &t2);
    let d2 = diagnostics_at(&mut c, S002, 1);
    let o = orphans(&d2);
    assert_eq!(o.len(), 1, "{d2:?}");
    assert_eq!(marks_on_disk(ws.path()).len(), 2);

    // 6. The reviewer removes it with the quick fix on its diagnostic: only
    //    that line leaves the store, and the diagnostic goes.
    let o = o[0].clone();
    let r = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": file_uri(&p2)}, "range": o["range"], "context": {"diagnostics": [o]}}),
    );
    let list = r["result"].as_array().cloned().unwrap_or_default();
    let remove = action(&list, "Remove orphaned review mark (ignored by ana)")["command"].clone();
    c.mark();
    run_command(&mut c, &remove, None);
    c.diagnostics_for(S002, |d| orphans(d).is_empty())
        .unwrap_or_else(|| panic!("the orphan's diagnostic goes"));
    let left = marks_on_disk(ws.path());
    assert_eq!(left.len(), 1, "{left:?}");
    assert_eq!(left[0]["status"], "verified", "the other mark stays");
    // A mark of another article is not removed through this one.
    let r = c.request(
        "workspace/executeCommand",
        json!({"command": remove["command"], "arguments": [file_uri(&p2), left[0]["id"]]}),
    );
    assert!(r["error"].is_object(), "{r}");
    assert_eq!(marks_on_disk(ws.path()).len(), 1);
    assert_eq!(c.shutdown(), 0);
}
