//! The review store: marks survive edits and restarts (or are reported
//! orphaned), concurrent writers lose nothing, malformed lines are kept, and
//! the W3C export carries the Web Annotation model's required fields.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use corroborate::review::{export, Method, NewAnnotation, Status, Store};
use serde_json::Value;

const ARTICLE: &str = "Summit opens in Beijing\n\
By Staff Reporter\n\n\
The minister said on Tuesday that more than 200 delegates attended the summit in Beijing.\n\n\
Officials later confirmed the figure, and the talks lasted nearly three hours.\n\n\
Größe matters: the délégation from Seoul — led by Kim 🎉 — arrived on Monday.\n\n\
A spokesperson said the next meeting would be held in Seoul in March.\n";

fn workspace() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let art = dir.path().join("articles").join("summit.txt");
    fs::create_dir_all(art.parent().unwrap_or(dir.path())).unwrap_or_else(|e| panic!("{e}"));
    fs::write(&art, ARTICLE).unwrap_or_else(|e| panic!("{e}"));
    (dir, art)
}

fn span_of(text: &str, quote: &str) -> std::ops::Range<usize> {
    let i = text
        .find(quote)
        .unwrap_or_else(|| panic!("{quote:?} not in text"));
    i..i + quote.len()
}

fn mark(store: &mut Store, path: &Path, quote: &str, status: Status, note: &str) -> String {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("{e}"));
    let a = store
        .add(NewAnnotation {
            path: path.to_path_buf(),
            text: text.clone(),
            range: span_of(&text, quote),
            status,
            note: Some(note.to_string()),
            source: None,
            author: Some("tester".into()),
            label: None,
        })
        .unwrap_or_else(|e| panic!("add: {e}"));
    a.id
}

#[test]
fn marks_survive_edits_and_restart_or_are_orphaned() {
    let (dir, art) = workspace();
    let q_moved = "Officials later confirmed the figure";
    let q_inside = "more than 200 delegates attended the summit";
    let q_gone = "the next meeting would be held in Seoul in March";
    let q_unicode = "led by Kim 🎉";
    {
        let mut st = Store::open(dir.path()).unwrap_or_else(|e| panic!("{e}"));
        mark(&mut st, &art, q_moved, Status::Verified, "press office");
        mark(&mut st, &art, q_inside, Status::Disputed, "count was 180");
        mark(&mut st, &art, q_gone, Status::Ignored, "boilerplate");
        mark(&mut st, &art, q_unicode, Status::Verified, "photo");
        assert_eq!(st.annotations().len(), 4);
    } // "restart": the store is dropped and opened again below.

    // Edit above the anchored text, inside one quote, and delete another.
    let edited = format!(
        "UPDATE 3 (adds reaction from Seoul).\n\n{}",
        ARTICLE
            .replace("more than 200 delegates", "more than 250 delegates")
            .replace(
                "A spokesperson said the next meeting would be held in Seoul in March.\n",
                "No further meetings were announced.\n"
            )
    );
    fs::write(&art, &edited).unwrap_or_else(|e| panic!("{e}"));

    let st = Store::open(dir.path()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(st.annotations().len(), 4, "nothing is dropped");
    let anchored = st.annotations_for(&art, &edited);
    assert_eq!(anchored.len(), 4);
    let by_note = |n: &str| {
        anchored
            .iter()
            .find(|a| a.annotation.note.as_deref() == Some(n))
            .unwrap_or_else(|| panic!("annotation {n} missing"))
    };

    let moved = by_note("press office");
    assert_eq!(moved.method, Method::Quote);
    assert_eq!(
        moved.range.clone().and_then(|r| edited.get(r)),
        Some(q_moved)
    );

    let inside = by_note("count was 180");
    assert!(matches!(inside.method, Method::Context | Method::Fuzzy));
    assert_eq!(
        inside.range.clone().and_then(|r| edited.get(r)),
        Some("more than 250 delegates attended the summit")
    );

    let gone = by_note("boilerplate");
    assert!(gone.is_orphaned());
    assert_eq!(gone.method, Method::Orphaned);
    assert_eq!(gone.annotation.selector.exact, q_gone, "kept as it was");

    let uni = by_note("photo");
    assert_eq!(
        uni.range.clone().and_then(|r| edited.get(r)),
        Some(q_unicode)
    );

    // Per-claim questions the language server asks.
    let claim = span_of(
        &edited,
        "Officials later confirmed the figure, and the talks",
    );
    let v = st.verification(&art, &edited, &claim);
    assert_eq!(v.map(|a| a.author.as_str()), Some("tester"));
    assert!(!st.is_ignored(&art, &edited, &claim));
    let marks = st.marks(&art, &edited);
    assert_eq!(marks.orphaned().count(), 1);
    let disputed = span_of(&edited, "more than 250 delegates");
    assert_eq!(
        marks.status_of(&disputed).map(|a| a.status),
        Some(Status::Disputed)
    );

    // A later mark on the same claim wins; the earlier one stays in the file.
    let mut st = st;
    let text = fs::read_to_string(&art).unwrap_or_else(|e| panic!("{e}"));
    mark(&mut st, &art, q_moved, Status::Ignored, "not needed");
    let claim = span_of(&text, q_moved);
    assert!(st.is_ignored(&art, &text, &claim));
    assert_eq!(st.annotations().len(), 5);
}

#[test]
fn paths_are_relative_to_the_root() {
    let (dir, art) = workspace();
    let mut st = Store::open(dir.path()).unwrap_or_else(|e| panic!("{e}"));
    mark(&mut st, &art, "nearly three hours", Status::Verified, "x");
    assert_eq!(
        st.annotations().first().map(|a| a.target.as_str()),
        Some("articles/summit.txt")
    );
    // The same file named another way finds the same annotations.
    let other = dir.path().join("articles/../articles/./summit.txt");
    assert_eq!(st.annotations_for(&other, ARTICLE).len(), 1);
    let raw = fs::read_to_string(st.file()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(raw.lines().count(), 1);
    let v: Value = serde_json::from_str(raw.trim()).unwrap_or_else(|e| panic!("{e}"));
    for k in [
        "id", "created", "author", "status", "note", "target", "selector",
    ] {
        assert!(v.get(k).is_some(), "field {k} in {raw}");
    }
    for k in [
        "exact", "prefix", "suffix", "start", "end", "start_cp", "end_cp",
    ] {
        assert!(v["selector"].get(k).is_some(), "selector field {k}");
    }
}

#[test]
fn concurrent_writers_in_threads_lose_nothing() {
    let (dir, art) = workspace();
    let quotes = [
        "more than 200 delegates",
        "nearly three hours",
        "arrived on Monday",
        "held in Seoul in March",
    ];
    let threads = 8;
    let per = 12;
    std::thread::scope(|s| {
        for t in 0..threads {
            let root = dir.path().to_path_buf();
            let art = art.clone();
            s.spawn(move || {
                // Each writer has its own store, as two editors would.
                let mut st = Store::open(&root).unwrap_or_else(|e| panic!("{e}"));
                for i in 0..per {
                    let q = quotes.get((t + i) % quotes.len()).copied().unwrap_or("");
                    mark(&mut st, &art, q, Status::Verified, &format!("t{t}-{i}"));
                }
            });
        }
    });
    let st = Store::open(dir.path()).unwrap_or_else(|e| panic!("{e}"));
    assert!(st.malformed().is_empty(), "{:?}", st.malformed());
    assert_eq!(st.annotations().len(), threads * per);
    for t in 0..threads {
        for i in 0..per {
            let n = format!("t{t}-{i}");
            assert!(
                st.annotations()
                    .iter()
                    .any(|a| a.note.as_deref() == Some(n.as_str())),
                "{n} lost"
            );
        }
    }
    // No temp files left behind.
    let leftovers: Vec<String> = fs::read_dir(dir.path().join(".corroborate"))
        .unwrap_or_else(|e| panic!("{e}"))
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn concurrent_writer_processes_lose_nothing() {
    let (dir, art) = workspace();
    let bin = env!("CARGO_BIN_EXE_corroborate");
    let procs = 6;
    let per = 4;
    let mut children = Vec::new();
    for p in 0..procs {
        let art = art.clone();
        let root = dir.path().to_path_buf();
        children.push(std::thread::spawn(move || {
            for i in 0..per {
                let out = Command::new(bin)
                    .arg("annotate")
                    .arg(&art)
                    .args(["--claim", "nearly three hours", "--status", "verified"])
                    .args(["--note", &format!("p{p}-{i}"), "--author", "proc"])
                    .arg("--root")
                    .arg(&root)
                    .output()
                    .unwrap_or_else(|e| panic!("spawn: {e}"));
                assert!(
                    out.status.success(),
                    "{}",
                    String::from_utf8_lossy(&out.stderr)
                );
            }
        }));
    }
    for c in children {
        c.join()
            .unwrap_or_else(|_| panic!("writer thread panicked"));
    }
    let st = Store::open(dir.path()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(st.annotations().len(), procs * per);
    assert!(st.malformed().is_empty());
}

#[test]
fn malformed_lines_are_kept_verbatim_and_reported() {
    let (dir, art) = workspace();
    let mut st = Store::open(dir.path()).unwrap_or_else(|e| panic!("{e}"));
    mark(
        &mut st,
        &art,
        "nearly three hours",
        Status::Verified,
        "first",
    );
    // Someone edits the file by hand and breaks a line (no newline at the end).
    let mut raw = fs::read_to_string(st.file()).unwrap_or_else(|e| panic!("{e}"));
    let junk = "{\"id\": \"half-written\", \"status\": ";
    raw.push_str(junk);
    fs::write(st.file(), &raw).unwrap_or_else(|e| panic!("{e}"));

    let mut st = Store::open(dir.path()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(st.annotations().len(), 1);
    assert_eq!(st.malformed().len(), 1);
    assert_eq!(st.malformed().first().map(|m| m.line), Some(2));
    assert_eq!(st.malformed().first().map(|m| m.text.as_str()), Some(junk));

    mark(
        &mut st,
        &art,
        "arrived on Monday",
        Status::Disputed,
        "second",
    );
    let after = fs::read_to_string(st.file()).unwrap_or_else(|e| panic!("{e}"));
    assert!(after.lines().any(|l| l == junk), "junk line kept verbatim");
    assert_eq!(st.annotations().len(), 2);
    assert_eq!(st.malformed().len(), 1);

    // The list command reports it; the export warns and goes on.
    let out = Command::new(env!("CARGO_BIN_EXE_corroborate"))
        .args(["annotations", "list", "--root"])
        .arg(dir.path())
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    assert!(stdout.contains("1 malformed line"), "{stdout}");
    assert!(stdout.contains("line 2"), "{stdout}");
}

fn is_iri(s: &str) -> bool {
    s.split_once(':')
        .is_some_and(|(scheme, rest)| !scheme.is_empty() && !rest.is_empty())
}

/// The Web Annotation Data Model's MUSTs for what we emit.
fn check_w3c(doc: &Value, texts: &dyn Fn(&str) -> Option<String>) -> usize {
    assert_eq!(doc["@context"], "http://www.w3.org/ns/anno.jsonld");
    assert_eq!(doc["type"], "AnnotationCollection");
    assert!(doc["id"].as_str().is_some_and(is_iri));
    let page = &doc["first"];
    assert_eq!(page["type"], "AnnotationPage");
    let items = page["items"]
        .as_array()
        .unwrap_or_else(|| panic!("items is an array"));
    assert_eq!(doc["total"].as_u64(), Some(items.len() as u64));
    for a in items {
        assert_eq!(a["type"], "Annotation");
        assert!(a["id"].as_str().is_some_and(is_iri), "id is an IRI: {a}");
        let created = a["created"].as_str().unwrap_or("");
        assert!(
            created.parse::<jiff::Timestamp>().is_ok(),
            "created {created}"
        );
        assert!(a["creator"]["name"].is_string());
        let motivation = a["motivation"].as_str().unwrap_or("");
        assert!(["assessing", "moderating"].contains(&motivation));
        let bodies = a["body"].as_array().unwrap_or_else(|| panic!("body array"));
        assert!(!bodies.is_empty());
        for b in bodies {
            let textual = b["type"] == "TextualBody" && b["value"].is_string();
            let external = b["id"].as_str().is_some_and(is_iri);
            assert!(textual || external, "body {b}");
        }
        let target = &a["target"];
        let source = target["source"].as_str().unwrap_or("");
        assert!(is_iri(source));
        let sels = target["selector"]
            .as_array()
            .unwrap_or_else(|| panic!("selectors"));
        let quote = sels
            .iter()
            .find(|s| s["type"] == "TextQuoteSelector")
            .unwrap_or_else(|| panic!("TextQuoteSelector"));
        let pos = sels
            .iter()
            .find(|s| s["type"] == "TextPositionSelector")
            .unwrap_or_else(|| panic!("TextPositionSelector"));
        let exact = quote["exact"].as_str().unwrap_or_else(|| panic!("exact"));
        assert!(quote["prefix"].is_string() && quote["suffix"].is_string());
        let start = pos["start"].as_u64().unwrap_or_else(|| panic!("start")) as usize;
        let end = pos["end"].as_u64().unwrap_or_else(|| panic!("end")) as usize;
        assert!(start <= end);
        // Positions count code points of the current text.
        if let Some(text) = texts(source) {
            let slice: String = text.chars().skip(start).take(end - start).collect();
            assert_eq!(
                slice, exact,
                "TextPositionSelector matches TextQuoteSelector"
            );
        }
    }
    items.len()
}

#[test]
fn w3c_export_has_the_required_fields() {
    let (dir, art) = workspace();
    let mut st = Store::open(dir.path()).unwrap_or_else(|e| panic!("{e}"));
    mark(&mut st, &art, "led by Kim 🎉", Status::Verified, "photo");
    mark(
        &mut st,
        &art,
        "nearly three hours",
        Status::Disputed,
        "two hours",
    );
    mark(
        &mut st,
        &art,
        "held in Seoul in March",
        Status::Ignored,
        "boilerplate",
    );
    let text = fs::read_to_string(&art).unwrap_or_else(|e| panic!("{e}"));
    fs::write(&art, format!("Prepended line with ünïcödé.\n{text}"))
        .unwrap_or_else(|e| panic!("{e}"));
    let art_uri = export::file_uri(&st.path_of("articles/summit.txt"));
    let texts = |uri: &str| -> Option<String> {
        if uri == art_uri {
            fs::read_to_string(&art).ok()
        } else {
            None
        }
    };
    let doc = export::w3c(&st);
    assert_eq!(check_w3c(&doc, &texts), 3);

    // The command prints the same, and `--format json` is an object for scripts.
    let bin = env!("CARGO_BIN_EXE_corroborate");
    let out = Command::new(bin)
        .args(["annotations", "export", "--format", "w3c", "--root"])
        .arg(dir.path())
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(out.status.success());
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(check_w3c(&doc, &texts), 3);

    let out = Command::new(bin)
        .args(["annotations", "export", "--format", "json", "--root"])
        .arg(dir.path())
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(doc["version"], 1);
    let anns = doc["annotations"]
        .as_array()
        .unwrap_or_else(|| panic!("array"));
    assert_eq!(anns.len(), 3);
    assert!(anns.iter().all(|a| a["anchor"]["state"] == "anchored"));
}

#[test]
fn annotate_command_marks_the_claim_at_a_position() {
    let (dir, art) = workspace();
    let bin = env!("CARGO_BIN_EXE_corroborate");
    // Line 4 is the "more than 200 delegates" sentence.
    let out = Command::new(bin)
        .arg("annotate")
        .arg(&art)
        .args([
            "--at",
            "4:40",
            "--status",
            "verified",
            "--source",
            "https://example.org/r",
        ])
        .args(["--author", "ana", "--root"])
        .arg(dir.path())
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let st = Store::open(dir.path()).unwrap_or_else(|e| panic!("{e}"));
    let a = st
        .annotations()
        .first()
        .unwrap_or_else(|| panic!("one annotation"));
    assert_eq!(a.author, "ana");
    assert_eq!(a.source.as_deref(), Some("https://example.org/r"));
    assert!(a.selector.exact.contains("200"), "{}", a.selector.exact);

    // Text copied across a line break still finds its one occurrence.
    let out = Command::new(bin)
        .arg("annotate")
        .arg(&art)
        .args([
            "--claim",
            "confirmed the   figure,\n and the talks",
            "--status",
            "ignored",
        ])
        .arg("--root")
        .arg(dir.path())
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let st = Store::open(dir.path()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        st.annotations().get(1).map(|a| a.selector.exact.as_str()),
        Some("confirmed the figure, and the talks")
    );
    assert!(st
        .annotations()
        .first()
        .is_some_and(|a| a.summary().starts_with("✔ verified by ana on ")));

    // Bad input: clear one-line errors and exit status 2.
    for args in [
        vec!["--at", "99:1"],
        vec!["--at", "x"],
        vec!["--claim", "not in the article at all"],
        vec!["--claim", "Seoul"],
    ] {
        let out = Command::new(bin)
            .arg("annotate")
            .arg(&art)
            .args(&args)
            .args(["--status", "ignored", "--root"])
            .arg(dir.path())
            .output()
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(err.trim().lines().count(), 1, "{err}");
    }
}
