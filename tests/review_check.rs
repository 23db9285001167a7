//! `corroborate check` honours the workspace's review marks: a claim marked
//! `ignored` has no finding (text, SARIF, GitHub) and a conflict both of whose
//! claims are ignored does not count for `--fail-on`; `--no-marks` shows
//! everything; the JSON report keeps every relation (the contract of
//! ../shared/spec/check-json.md) and gives marked claims a `review` object;
//! orphaned marks are reported on standard error.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use corroborate::review::{NewAnnotation, Status, Store};
use serde_json::Value;

const SEEDS: [&str; 5] = [
    "000_d708aa83a71d4e9b.txt",
    "001_5323763388cca4d5.txt",
    "002_69854c8e9be16728.txt",
    "003_e46d6d1d605074c4.txt",
    "004_0937b39be52192f5.txt",
];

fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let seeds = Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds");
    for n in SEEDS {
        std::fs::copy(seeds.join(n), dir.path().join(n)).unwrap_or_else(|e| panic!("copy: {e}"));
    }
    // The workspace root for find_root (else a parent of the temp dir could be taken).
    std::fs::create_dir(dir.path().join(".git")).unwrap_or_else(|e| panic!("mkdir: {e}"));
    dir
}

fn check(ws: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_corroborate"))
        .current_dir(ws)
        .env("CORROBORATE_NO_CACHE", "1")
        .env("NO_COLOR", "1")
        .arg("check")
        .args(args)
        .arg(".")
        .output()
        .unwrap_or_else(|e| panic!("run corroborate: {e}"))
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn json(ws: &Path, args: &[&str]) -> Value {
    let mut a = vec!["--format", "json"];
    a.extend_from_slice(args);
    let o = check(ws, &a);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("JSON: {e}"))
}

/// The contract's shape (version, sources, claims whose text is the file's
/// bytes, facts and relations naming known claims), and the `review` extension.
fn assert_contract(v: &Value, ws: &Path) {
    assert_eq!(v["version"], 1);
    let sources: HashSet<&str> = v["sources"]
        .as_array()
        .unwrap_or_else(|| panic!("sources"))
        .iter()
        .filter_map(|s| s["path"].as_str())
        .collect();
    let mut ids = HashSet::new();
    for c in v["claims"].as_array().unwrap_or_else(|| panic!("claims")) {
        let src = c["source"].as_str().unwrap_or_else(|| panic!("source"));
        assert!(sources.contains(src), "{src}");
        let bytes = std::fs::read(ws.join(src)).unwrap_or_else(|e| panic!("{src}: {e}"));
        let (s, e) = (
            c["start"].as_u64().unwrap_or(0) as usize,
            c["end"].as_u64().unwrap_or(0) as usize,
        );
        let text = bytes.get(s..e).map(String::from_utf8_lossy);
        assert_eq!(text.as_deref(), c["text"].as_str(), "claim {}", c["id"]);
        assert!(ids.insert(c["id"].as_str().unwrap_or("").to_string()));
        if let Some(r) = c.get("review") {
            assert!(
                ["verified", "disputed", "ignored"].contains(&r["status"].as_str().unwrap_or("")),
                "{r}"
            );
            assert!(r["author"].is_string() && r["created"].is_string(), "{r}");
        }
    }
    for f in v["facts"].as_array().unwrap_or_else(|| panic!("facts")) {
        for c in f["claims"]
            .as_array()
            .unwrap_or_else(|| panic!("fact claims"))
        {
            assert!(ids.contains(c.as_str().unwrap_or("")), "{f}");
        }
    }
    for r in v["relations"]
        .as_array()
        .unwrap_or_else(|| panic!("relations"))
    {
        assert!(ids.contains(r["a"].as_str().unwrap_or("")), "{r}");
        assert!(ids.contains(r["b"].as_str().unwrap_or("")), "{r}");
        assert!(["support", "conflict", "tension"].contains(&r["relation"].as_str().unwrap_or("")));
    }
}

/// The claims of the JSON report that are in a conflict: (id, source, start, end).
fn conflict_claims(v: &Value) -> Vec<(String, String, usize, usize)> {
    let in_conflict: HashSet<&str> = v["relations"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| r["relation"] == "conflict")
        .flat_map(|r| [r["a"].as_str(), r["b"].as_str()])
        .flatten()
        .collect();
    v["claims"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|c| in_conflict.contains(c["id"].as_str().unwrap_or("")))
        .map(|c| {
            (
                c["id"].as_str().unwrap_or("").to_string(),
                c["source"].as_str().unwrap_or("").to_string(),
                c["start"].as_u64().unwrap_or(0) as usize,
                c["end"].as_u64().unwrap_or(0) as usize,
            )
        })
        .collect()
}

fn mark(ws: &Path, source: &str, range: std::ops::Range<usize>, status: Status) {
    let path: PathBuf = ws.join(source);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{e}"));
    let mut st = Store::open(ws).unwrap_or_else(|e| panic!("{e}"));
    st.add(NewAnnotation {
        path,
        text,
        range,
        status,
        note: Some("checked against the release".into()),
        source: None,
        author: Some("rev".into()),
        label: None,
    })
    .unwrap_or_else(|e| panic!("{e}"));
}

fn conflict_lines(text: &str) -> Vec<&str> {
    text.lines()
        .filter(|l| l.contains(": conflict: "))
        .collect()
}

#[test]
fn ignored_marks_hide_findings_and_do_not_fail_the_check() {
    let ws = workspace();
    let ws = ws.path();

    // Before any mark: the seeds' conflicts fail the check.
    let before = check(ws, &["--fail-on", "conflict"]);
    assert_eq!(before.status.code(), Some(1));
    let before_text = stdout(&before);
    assert!(!conflict_lines(&before_text).is_empty(), "{before_text}");
    let v0 = json(ws, &[]);
    assert_contract(&v0, ws);
    let claims = conflict_claims(&v0);
    let n_conflicts = |v: &Value| {
        v["relations"].as_array().map_or(0, |r| {
            r.iter().filter(|r| r["relation"] == "conflict").count()
        })
    };
    assert!(n_conflicts(&v0) > 0);
    let first_source = claims
        .first()
        .map(|c| c.1.clone())
        .unwrap_or_else(|| panic!("a conflicting claim"));

    // One source's side ignored: its findings go, the other sources' stay,
    // and the check still fails (the editor rule: "ignore this conflict here").
    for (_, src, s, e) in claims.iter().filter(|c| c.1 == first_source) {
        mark(ws, src, *s..*e, Status::Ignored);
    }
    let one_side = check(ws, &["--fail-on", "conflict"]);
    let text = stdout(&one_side);
    let name = first_source.trim_start_matches("./");
    assert!(
        conflict_lines(&text).iter().all(|l| !l.contains(name)),
        "{text}"
    );
    assert!(!conflict_lines(&text).is_empty(), "{text}");
    assert_eq!(one_side.status.code(), Some(1), "{text}");
    assert!(text.contains("hidden by review marks"), "{text}");

    // Both sides ignored: no conflict reported, the check passes.
    for (_, src, s, e) in claims.iter().filter(|c| c.1 != first_source) {
        mark(ws, src, *s..*e, Status::Ignored);
    }
    let all = check(ws, &["--fail-on", "conflict"]);
    let text = stdout(&all);
    assert!(conflict_lines(&text).is_empty(), "{text}");
    assert!(text.contains(" 0 conflicts"), "{text}");
    assert!(text.contains("hidden by review marks"), "{text}");
    assert_eq!(all.status.code(), Some(0), "{text}");

    // The machine formats agree (and show the conflicts with --no-marks).
    let sarif_conflicts = |extra: &[&str]| {
        let mut a = vec!["--format", "sarif", "--fail-on", "conflict"];
        a.extend_from_slice(extra);
        let o = check(ws, &a);
        let s: Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}"));
        let n = s["runs"][0]["results"].as_array().map_or(0, |r| {
            r.iter()
                .filter(|r| r["ruleId"] == "corroborate/conflict")
                .count()
        });
        (o.status.code(), n)
    };
    assert_eq!(sarif_conflicts(&[]), (Some(0), 0));
    let (code, n) = sarif_conflicts(&["--no-marks"]);
    assert_eq!(code, Some(1));
    assert!(n > 0);
    let gh = check(ws, &["--format", "github", "--fail-on", "conflict"]);
    assert_eq!(gh.status.code(), Some(0));
    assert!(!stdout(&gh).contains("title=Conflict"), "{}", stdout(&gh));
    let gh = check(ws, &["--format", "github", "--no-marks"]);
    assert!(stdout(&gh).contains("title=Conflict"), "{}", stdout(&gh));

    // JSON: every relation is still there (the contract), the marked claims say so.
    let v = json(ws, &[]);
    assert_contract(&v, ws);
    assert_eq!(n_conflicts(&v), n_conflicts(&v0));
    let marked: HashSet<&str> = claims.iter().map(|c| c.0.as_str()).collect();
    for c in v["claims"].as_array().into_iter().flatten() {
        if marked.contains(c["id"].as_str().unwrap_or("")) {
            assert_eq!(c["review"]["status"], "ignored", "{c}");
            assert_eq!(c["review"]["author"], "rev", "{c}");
            assert_eq!(c["review"]["note"], "checked against the release", "{c}");
        }
    }
    // `--no-marks`: everything again, no `review` fields.
    let again = check(ws, &["--no-marks", "--fail-on", "conflict"]);
    assert_eq!(again.status.code(), Some(1));
    assert_eq!(
        conflict_lines(&stdout(&again)),
        conflict_lines(&before_text)
    );
    let plain = json(ws, &["--no-marks"]);
    assert!(plain["claims"]
        .as_array()
        .into_iter()
        .flatten()
        .all(|c| c.get("review").is_none()));
    assert_eq!(plain, v0, "--no-marks is the report without marks");
}

#[test]
fn verified_marks_are_in_the_json_and_orphans_are_reported() {
    let ws = workspace();
    let ws = ws.path();
    let v0 = json(ws, &[]);
    let claims = conflict_claims(&v0);
    let (id, src, s, e) = claims
        .first()
        .cloned()
        .unwrap_or_else(|| panic!("a conflicting claim"));
    mark(ws, &src, s..e, Status::Verified);
    let v = json(ws, &[]);
    assert_contract(&v, ws);
    let c = v["claims"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| c["id"] == id.as_str())
        .cloned()
        .unwrap_or_else(|| panic!("claim {id}"));
    assert_eq!(c["review"]["status"], "verified", "{c}");
    // Verified is not ignored: the conflict still fails the check.
    assert_eq!(check(ws, &["--fail-on", "conflict"]).status.code(), Some(1));

    // The marked sentence removed from the article: the mark is orphaned,
    // kept in the store, and named on standard error.
    let path = ws.join(&src);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{e}"));
    let line_start = text
        .get(..s)
        .and_then(|t| t.rfind('\n'))
        .map_or(0, |i| i + 1);
    let line_end = text
        .get(e..)
        .and_then(|t| t.find('\n'))
        .map_or(text.len(), |i| e + i);
    let edited = format!(
        "{}{}",
        text.get(..line_start).unwrap_or(""),
        text.get(line_end..).unwrap_or("")
    );
    std::fs::write(&path, edited).unwrap_or_else(|e| panic!("{e}"));
    let o = check(ws, &[]);
    assert_eq!(o.status.code(), Some(0));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("review mark orphaned") && err.contains("verified by rev"),
        "{err}"
    );
    let store = std::fs::read_to_string(ws.join(".corroborate/annotations.jsonl"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(store.lines().count(), 1, "the orphan is kept");
    // A store line that is not an annotation is a warning, not a failure.
    std::fs::write(
        ws.join(".corroborate/annotations.jsonl"),
        format!("{store}not json\n"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let o = check(ws, &["--format", "json"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&o.stderr).contains("line 2 skipped"));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}"));
    assert_contract(&v, ws);
}
