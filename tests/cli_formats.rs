//! The text, SARIF and GitHub outputs of `corroborate check`.
//! Snapshots use the small invented fixtures in tests/fixtures/, never the
//! seeds (whose results move as the engine is tuned).

use std::process::{Command, Output};

use serde_json::Value;

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_corroborate"));
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c.env_remove("NO_COLOR");
    c
}

fn run(args: &[&str]) -> Output {
    let o = bin().args(args).output().expect("run corroborate");
    assert!(
        matches!(o.status.code(), Some(0 | 1)),
        "{args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    o
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("utf-8 output")
}

#[test]
fn text_report_two_sources() {
    let o = run(&["check", "tests/fixtures/two-sources"]);
    let out = stdout(&o);
    assert!(!out.contains('\x1b'), "no colour when not a terminal");
    insta::assert_snapshot!("text_two_sources", out);
}

#[test]
fn text_report_date_warning() {
    let o = run(&["check", "tests/fixtures/date-mismatch"]);
    let out = stdout(&o);
    assert!(out.contains("warning: 2025-03-09 is a Sunday, not a Saturday"));
    insta::assert_snapshot!("text_date_mismatch", out);
}

#[test]
fn text_report_conflicts_come_first() {
    let out = stdout(&run(&["check", "tests/fixtures/two-sources"]));
    let conflict = out.find("conflict:").expect("a conflict line");
    let summary = out.find("Per file").expect("the per-file summary");
    assert!(conflict < summary);
    let last = out.lines().last().unwrap();
    assert!(
        last.starts_with("2 articles, 1 story, 1 conflict,"),
        "summary line: {last}"
    );
    // path:line:col, 1-based, of the planted conflict.
    assert!(out.contains("tests/fixtures/two-sources/harbour-herald.txt:10:1: conflict"));
    assert!(out.contains("Valley Courier says: \"Fewer than 150 homes"));
}

#[test]
fn colour_follows_the_flag_and_no_color() {
    let always = stdout(&run(&[
        "check",
        "--color",
        "always",
        "tests/fixtures/two-sources",
    ]));
    assert!(always.contains("\x1b[1;31mconflict\x1b[0m"));
    let never = stdout(&run(&[
        "check",
        "--color",
        "never",
        "tests/fixtures/two-sources",
    ]));
    assert!(!never.contains('\x1b'));
    // NO_COLOR only affects `auto` (and stdout is not a terminal here anyway).
    let o = bin()
        .env("NO_COLOR", "1")
        .args(["check", "tests/fixtures/two-sources"])
        .output()
        .unwrap();
    assert!(!o.stdout.contains(&0x1b));
    // Other formats are never coloured.
    let o = run(&[
        "check",
        "--color",
        "always",
        "--format",
        "github",
        "tests/fixtures/two-sources",
    ]);
    assert!(!o.stdout.contains(&0x1b));
}

/// The structure SARIF 2.1.0 requires, plus what we promise.
fn assert_sarif(v: &Value, dir: &std::path::Path) {
    assert_eq!(v["version"], "2.1.0");
    assert!(v["$schema"].as_str().unwrap().contains("sarif-2.1.0"));
    let runs = v["runs"].as_array().expect("runs");
    assert_eq!(runs.len(), 1);
    let run = &runs[0];
    assert_eq!(run["tool"]["driver"]["name"], "corroborate");
    let rules: Vec<&str> = run["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    for r in run["results"].as_array().expect("results") {
        let rule = r["ruleId"].as_str().expect("ruleId");
        assert!(rules.contains(&rule), "{rule} not among the rules");
        assert!(["warning", "note"].contains(&r["level"].as_str().unwrap()));
        assert!(!r["message"]["text"].as_str().expect("message").is_empty());
        let locs = r["locations"].as_array().expect("locations");
        assert_eq!(locs.len(), 1);
        let mut all = locs.clone();
        if rule != "corroborate/date-mismatch" {
            let rel = r["relatedLocations"].as_array().expect("relatedLocations");
            assert!(!rel.is_empty());
            all.extend(rel.iter().cloned());
        }
        for l in all {
            let p = &l["physicalLocation"];
            let uri = p["artifactLocation"]["uri"].as_str().expect("uri");
            let reg = &p["region"];
            for k in ["startLine", "startColumn", "endLine", "endColumn"] {
                assert!(reg[k].as_u64().unwrap() >= 1, "{k}");
            }
            let off = reg["byteOffset"].as_u64().unwrap() as usize;
            let len = reg["byteLength"].as_u64().unwrap() as usize;
            let text = std::fs::read_to_string(dir.join(uri)).expect("uri names the file");
            let claim = text.get(off..off + len).expect("region on char boundaries");
            // The line/column pair points at the same text as the bytes.
            let line = reg["startLine"].as_u64().unwrap() as usize;
            let col = reg["startColumn"].as_u64().unwrap() as usize;
            let line_text = text.split('\n').nth(line - 1).unwrap();
            let from_col: String = line_text.chars().skip(col - 1).collect();
            assert!(
                from_col.starts_with(claim.lines().next().unwrap_or("")),
                "{uri}:{line}:{col} is not where byte {off} is"
            );
        }
    }
}

#[test]
fn sarif_is_valid_2_1_0() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    for dir in ["tests/fixtures/two-sources", "seeds"] {
        let o = run(&["check", "--format", "sarif", dir]);
        let v: Value = serde_json::from_slice(&o.stdout).expect("SARIF is JSON");
        assert_sarif(&v, root);
    }
    let o = run(&["check", "--format", "sarif", "tests/fixtures/two-sources"]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let results = v["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 2, "one result per claim in conflict");
    assert_eq!(results[0]["ruleId"], "corroborate/conflict");
    assert_eq!(results[0]["level"], "warning");
    let msg = results[0]["message"]["text"].as_str().unwrap();
    assert!(msg.contains("the figures cannot both be true"), "{msg}");
    assert!(msg.contains("Fewer than 150 homes"), "{msg}");
    let o = run(&["check", "--format", "sarif", "tests/fixtures/date-mismatch"]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_sarif(&v, root);
    assert_eq!(
        v["runs"][0]["results"][0]["ruleId"],
        "corroborate/date-mismatch"
    );
}

#[test]
fn sarif_columns_count_characters() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("a.txt"),
        "---\noutlet: Seoul Daily\npublished: 2025-03-03\n---\n서울 — 한국 officials said more than 300 homes were evacuated in Millbrook on Sunday.\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("b.txt"),
        "---\noutlet: Busan Post\npublished: 2025-03-03\n---\n부산 — Officials said fewer than 150 homes were evacuated in Millbrook on Sunday.\n",
    )
    .unwrap();
    let o = bin()
        .current_dir(dir.path())
        .args(["check", "--format", "sarif", "."])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["runs"][0]["columnKind"], "unicodeCodePoints");
    assert_sarif(&v, dir.path());
    let results = v["runs"][0]["results"].as_array().unwrap();
    assert!(!results.is_empty(), "the planted conflict is found");
    let region = &results[0]["locations"][0]["physicalLocation"]["region"];
    // "서울 — " is 5 characters but 12 bytes.
    assert_eq!(region["startColumn"], 6);
    assert_eq!(region["startLine"], 5);
}

#[test]
fn github_annotations() {
    let o = run(&["check", "--format", "github", "tests/fixtures/two-sources"]);
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3, "{out}");
    assert!(lines[0].starts_with(
        "::warning file=tests/fixtures/two-sources/harbour-herald.txt,line=10,col=1,endLine=10,endColumn="
    ));
    assert!(lines[0].contains(",title=Conflict%3A "), "{}", lines[0]);
    assert!(lines[0].contains("%0AValley Courier (tests/fixtures/two-sources/valley-courier.txt:10:1) says \"Fewer than 150 homes"));
    assert!(lines[2].starts_with("corroborate: 2 articles"));
    insta::assert_snapshot!("github_two_sources", out);
}

#[test]
fn text_all_lists_supported_and_single_source_claims() {
    let out = stdout(&run(&["check", "--all", "tests/fixtures/two-sources"]));
    let conflicts = out.find("Conflicts:").unwrap();
    let supported = out.find("Supported:").expect("supported section");
    let single = out.find("Single-source:").expect("single-source section");
    let per_file = out.find("Per file").unwrap();
    assert!(conflicts < supported && supported < single && single < per_file);
    assert!(
        out.contains("Valley Courier says: \"The council expects the bridge to reopen on Friday")
    );
    let plain = stdout(&run(&["check", "tests/fixtures/two-sources"]));
    assert!(!plain.contains("Supported:"));
}

#[test]
fn long_claims_are_cut_at_a_char_boundary() {
    let dir = tempfile::tempdir().unwrap();
    let long = "한국 ".repeat(120);
    for (f, outlet, n) in [
        ("a.txt", "Seoul Daily", "more than 300"),
        ("b.txt", "Busan Post", "fewer than 150"),
    ] {
        std::fs::write(
            dir.path().join(f),
            format!("---\noutlet: {outlet}\npublished: 2025-03-03\n---\nOfficials in Millbrook said {n} homes were evacuated on Sunday as {long}water rose.\n"),
        )
        .unwrap();
    }
    let o = bin()
        .current_dir(dir.path())
        .args(["check", "--all", "."])
        .output()
        .unwrap();
    let out = String::from_utf8(o.stdout).expect("valid UTF-8 after truncation");
    for l in out.lines() {
        assert!(l.chars().count() < 400, "{l}");
    }
    assert!(out.contains('…'), "{out}");
}

/// `--color auto` on a real terminal (through util-linux `script`, when the
/// machine has it): coloured, unless NO_COLOR is set.
#[test]
fn colour_on_a_terminal() {
    let probe = Command::new("script").arg("--version").output();
    if !probe.map(|o| o.status.success()).unwrap_or(false) {
        eprintln!("skipped: no `script` to give the binary a terminal");
        return;
    }
    let cmd = format!(
        "{} check tests/fixtures/two-sources",
        env!("CARGO_BIN_EXE_corroborate")
    );
    let tty = |no_color: bool| {
        let mut c = Command::new("script");
        c.current_dir(env!("CARGO_MANIFEST_DIR"))
            .args(["-qec", &cmd, "/dev/null"])
            .env_remove("NO_COLOR")
            .env("TERM", "xterm");
        if no_color {
            c.env("NO_COLOR", "1");
        }
        String::from_utf8_lossy(&c.output().unwrap().stdout).into_owned()
    };
    let coloured = tty(false);
    assert!(coloured.contains("conflict"), "{coloured}");
    assert!(coloured.contains("\x1b[1;31mconflict"), "{coloured}");
    let plain = tty(true);
    assert!(
        plain.contains("conflict") && !plain.contains('\x1b'),
        "{plain}"
    );
}
