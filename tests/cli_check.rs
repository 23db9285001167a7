//! `corroborate check` run as a process: the JSON contract of
//! ../shared/spec/check-json.md on the seeds, exit codes, usage errors.

use std::collections::HashSet;
use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_corroborate"));
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c.env_remove("NO_COLOR");
    c
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("run corroborate")
}

fn code(o: &Output) -> i32 {
    o.status.code().expect("exit code")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Every rule of the JSON contract, checked against the files on disk.
pub fn assert_contract(v: &Value, root: &Path) {
    assert_eq!(v["version"], 1);
    let sources = v["sources"].as_array().expect("sources");
    let claims = v["claims"].as_array().expect("claims");
    let facts = v["facts"].as_array().expect("facts");
    let relations = v["relations"].as_array().expect("relations");
    let mut paths = HashSet::new();
    for s in sources {
        let p = s["path"].as_str().expect("source path");
        assert!(paths.insert(p.to_string()), "duplicate source {p}");
        for k in ["outlet", "published", "title"] {
            assert!(s[k].is_null() || s[k].is_string(), "{k} of {p}");
        }
        if let Some(d) = s["published"].as_str() {
            assert!(
                d.len() == 10 && d.as_bytes()[4] == b'-' && d.as_bytes()[7] == b'-',
                "published {d:?} is not an ISO date"
            );
        }
    }
    let mut ids = std::collections::HashMap::new();
    let mut files = std::collections::HashMap::new();
    for c in claims {
        let id = c["id"].as_str().expect("claim id").to_string();
        let src = c["source"].as_str().expect("claim source").to_string();
        assert!(
            paths.contains(&src),
            "claim {id} source {src} not in sources"
        );
        let bytes = files
            .entry(src.clone())
            .or_insert_with(|| std::fs::read(root.join(&src)).expect("read source"));
        let text = std::str::from_utf8(bytes).expect("utf-8");
        let start = c["start"].as_u64().expect("start") as usize;
        let end = c["end"].as_u64().expect("end") as usize;
        assert!(
            start < end && end <= bytes.len(),
            "claim {id} span {start}..{end}"
        );
        assert!(
            text.is_char_boundary(start) && text.is_char_boundary(end),
            "claim {id} span not on char boundaries"
        );
        assert_eq!(
            c["text"].as_str().expect("text"),
            &text[start..end],
            "claim {id} text"
        );
        let kind = c["kind"].as_str().expect("kind");
        assert!(
            ["quantity", "date", "duration", "entity", "quote", "position", "event", "other"]
                .contains(&kind),
            "kind {kind}"
        );
        assert!(c["value"].is_null() || c["value"].is_string());
        assert!(
            ids.insert(id.clone(), src).is_none(),
            "duplicate claim id {id}"
        );
    }
    let mut fids = HashSet::new();
    for f in facts {
        assert!(fids.insert(f["id"].as_str().expect("fact id").to_string()));
        assert!(f["label"].is_string());
        let cs = f["claims"].as_array().expect("fact claims");
        assert!(!cs.is_empty());
        for c in cs {
            assert!(ids.contains_key(c.as_str().unwrap()), "fact claim {c}");
        }
        let verdict = f["verdict"].as_str().unwrap();
        assert!(["agree", "conflict", "tension", "single-source"].contains(&verdict));
    }
    for r in relations {
        let a = r["a"].as_str().unwrap();
        let b = r["b"].as_str().unwrap();
        let (sa, sb) = (&ids[a], &ids[b]);
        assert_ne!(sa, sb, "relation {a}-{b} within one source");
        let rel = r["relation"].as_str().unwrap();
        assert!(["support", "conflict", "tension"].contains(&rel));
        assert!(!r["reason"].as_str().unwrap().is_empty());
    }
}

#[test]
fn json_on_seeds_keeps_the_contract() {
    let o = run(&["check", "--format", "json", "seeds"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).expect("one JSON object on stdout");
    assert_contract(&v, Path::new(env!("CARGO_MANIFEST_DIR")));
    let sources = v["sources"].as_array().unwrap();
    assert_eq!(sources.len(), 5);
    for s in sources {
        assert!(s["path"].as_str().unwrap().starts_with("seeds/"));
    }
    assert!(!v["claims"].as_array().unwrap().is_empty());
}

#[test]
fn json_paths_are_joined_to_the_argument() {
    let o = run(&["check", "--format", "json", "tests/fixtures/two-sources/"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let paths: Vec<&str> = v["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        paths,
        [
            "tests/fixtures/two-sources/harbour-herald.txt",
            "tests/fixtures/two-sources/valley-courier.txt"
        ]
    );
    // An explicit file keeps its path as given.
    let o = run(&[
        "check",
        "--format",
        "json",
        "tests/fixtures/two-sources/harbour-herald.txt",
    ]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        v["sources"][0]["path"],
        "tests/fixtures/two-sources/harbour-herald.txt"
    );
}

#[test]
fn json_spans_on_multibyte_text() {
    let dir = tempfile::tempdir().unwrap();
    let a = "---\noutlet: Seoul Daily\n---\n서울 — President Lee Jae-myung said on Monday that 한국 will send more than 200 delegates to Beijing. « Déjà vu », he said 😀.\n";
    let b = "---\noutlet: Busan Post\n---\n부산 — Lee Jae-myung said on Monday that Korea will send nearly 200 delegates to Beijing, officials said.\r\nThe delegates leave on Tuesday.\r\n";
    std::fs::write(dir.path().join("a.txt"), a).unwrap();
    std::fs::write(dir.path().join("b.txt"), b).unwrap();
    let o = bin()
        .current_dir(dir.path())
        .args(["check", "--format", "json", "."])
        .output()
        .unwrap();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_contract(&v, dir.path());
}

#[test]
fn exit_codes() {
    // 0: the analysis ran, whatever it found.
    let o = run(&["check", "tests/fixtures/two-sources"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    // 1: --fail-on conflict and a conflict was found.
    let o = run(&[
        "check",
        "--fail-on",
        "conflict",
        "--format",
        "json",
        "tests/fixtures/two-sources",
    ]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    serde_json::from_slice::<Value>(&o.stdout).expect("the report is still written");
    let o = run(&[
        "check",
        "--fail-on",
        "tension",
        "tests/fixtures/two-sources",
    ]);
    assert_eq!(code(&o), 1);
    // No conflict or tension: 0 even with --fail-on.
    let o = run(&[
        "check",
        "--fail-on",
        "tension",
        "tests/fixtures/date-mismatch",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
}

#[test]
fn usage_errors_exit_2_with_one_line() {
    for args in [
        vec!["check"],
        vec!["check", "--format", "xml", "seeds"],
        vec!["check", "--fail-on", "everything", "seeds"],
        vec!["check", "--color", "sometimes", "seeds"],
        vec!["check", "--glob", "[", "seeds"],
    ] {
        let o = run(&args);
        assert_eq!(code(&o), 2, "{args:?}: {}", stderr(&o));
        assert!(o.stdout.is_empty(), "{args:?} wrote to stdout");
        assert!(!stderr(&o).trim().is_empty(), "{args:?}: no message");
    }
    let o = run(&["check", "no/such/dir"]);
    assert_eq!(code(&o), 2);
    let e = stderr(&o);
    assert_eq!(e.lines().count(), 1, "{e}");
    assert!(
        e.contains("no/such/dir") && e.contains("no such file"),
        "{e}"
    );
    // A missing path among good ones is still a usage error.
    let o = run(&["check", "seeds", "missing.txt"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("missing.txt"));
}

#[test]
fn no_articles_is_not_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let o = run(&["check", "--format", "json", dir.path().to_str().unwrap()]);
    assert_eq!(code(&o), 0);
    assert!(stderr(&o).contains("no article files"));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["sources"].as_array().unwrap().len(), 0);
}

#[test]
fn globs_select_files() {
    let o = run(&[
        "check",
        "--format",
        "json",
        "--glob",
        "*herald*",
        "tests/fixtures/two-sources",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["sources"].as_array().unwrap().len(), 1);
}

#[test]
fn a_file_given_twice_is_read_once() {
    let o = run(&[
        "check",
        "--format",
        "json",
        "tests/fixtures/two-sources",
        "tests/fixtures/two-sources/harbour-herald.txt",
        "tests/fixtures/two-sources/",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["sources"].as_array().unwrap().len(), 2);
}

#[test]
fn a_closed_pipe_is_not_an_error() {
    use std::io::Read;
    let mut child = bin()
        .args(["check", "--format", "json", "seeds"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 1];
    child
        .stdout
        .as_mut()
        .unwrap()
        .read_exact(&mut first)
        .unwrap();
    drop(child.stdout.take());
    let o = child.wait_with_output().unwrap();
    assert!(matches!(o.status.code(), Some(0)), "{}", stderr(&o));
    assert!(!stderr(&o).contains("panicked"));
}
