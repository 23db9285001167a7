//! The HTML matrix: every story, fact and source is on the page, the markup is
//! balanced, nothing is fetched from the network, annotations show as badges.

use std::fs;
use std::path::PathBuf;
use std::process::Command;

use corroborate::cli::files;
use corroborate::core::{analysis, Verdict};
use corroborate::review::html::{self, esc, source_name};
use corroborate::review::{NewAnnotation, Status, Store};

const VOID: &[&str] = &["meta", "br", "input", "img", "link", "hr", "wbr", "col"];

/// A small well-formedness check: every non-void element is closed in order;
/// `<script>` and `<style>` contents are skipped.
fn check_balanced(h: &str) -> usize {
    let mut stack: Vec<String> = Vec::new();
    let mut rest = h;
    let mut elements = 0;
    while let Some(i) = rest.find('<') {
        rest = rest.get(i..).unwrap_or("");
        let end = rest
            .find('>')
            .unwrap_or_else(|| panic!("unterminated tag near {:?}", rest.get(..40)));
        let tag = rest.get(1..end).unwrap_or("");
        rest = rest.get(end + 1..).unwrap_or("");
        if tag.starts_with('!') {
            continue;
        }
        if let Some(name) = tag.strip_prefix('/') {
            let name = name.trim().to_ascii_lowercase();
            let open = stack.pop().unwrap_or_default();
            assert_eq!(open, name, "</{name}> closes <{open}>");
            continue;
        }
        let name: String = tag
            .split(|c: char| c.is_whitespace() || c == '/')
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        assert!(
            !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric()),
            "bad tag {tag:?}"
        );
        elements += 1;
        if VOID.contains(&name.as_str()) {
            continue;
        }
        if name == "script" || name == "style" {
            let close = format!("</{name}>");
            let j = rest
                .find(&close)
                .unwrap_or_else(|| panic!("{name} not closed"));
            rest = rest.get(j + close.len()..).unwrap_or("");
            continue;
        }
        stack.push(name);
    }
    assert!(stack.is_empty(), "unclosed: {stack:?}");
    elements
}

fn corpus_paths() -> Vec<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    vec![
        root.join("seeds"),
        root.join("tests/data/dev/carabao-cup-final-2022"),
    ]
}

#[test]
fn matrix_has_every_story_fact_and_source_and_is_balanced() {
    let walk =
        files::collect(&corpus_paths(), &files::default_globs()).unwrap_or_else(|e| panic!("{e}"));
    assert!(walk.files.len() >= 6);
    let corpus = corroborate::cli::check::build_corpus(walk.files);
    let an = analysis::analyze(&corpus, true);
    let page = html::render(&corpus, &an, None, &html::Options::default());

    let n = check_balanced(&page);
    assert!(n > 100);
    assert!(page.starts_with("<!DOCTYPE html>"));
    // Self-contained: no external resources.
    for bad in ["<link", "src=\"http", "href=\"http", "@import", "url(http"] {
        assert!(!page.contains(bad), "page references the network: {bad}");
    }
    let stories = an.stories.iter().filter(|s| !s.is_empty()).count();
    assert!(stories >= 2);
    assert_eq!(page.matches("<section id=\"story-").count(), stories);
    for f in &an.facts {
        let label: String = f.label.chars().take(60).collect();
        assert!(page.contains(&esc(&label)), "fact {:?} missing", f.label);
    }
    for (_, a) in corpus.docs() {
        assert!(
            page.contains(&esc(&source_name(a))),
            "source {} missing",
            a.path
        );
    }
    // One column per source in each story's matrix, plus Fact and Verdict.
    let multi = an
        .facts
        .iter()
        .filter(|f| f.verdict != Verdict::SingleSource)
        .count();
    assert_eq!(
        page.matches("<tr class=\"r-").count(),
        an.facts.len(),
        "one row per fact"
    );
    assert!(multi > 0);
    // Not colour alone: glyphs and the legend.
    for g in ["✓", "✗", "~", "—", "Legend"] {
        assert!(page.contains(g), "{g}");
    }
    assert!(page.contains("class=\"counts\""));
    assert!(page.contains("aria-sort") || page.contains("data-col"));
}

#[test]
fn report_command_writes_one_file_with_badges() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let arts = dir.path().join("arts");
    fs::create_dir_all(&arts).unwrap_or_else(|e| panic!("{e}"));
    let src =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/dev/carabao-cup-final-2022");
    for e in fs::read_dir(&src)
        .unwrap_or_else(|e| panic!("{e}"))
        .flatten()
    {
        fs::copy(e.path(), arts.join(e.file_name())).unwrap_or_else(|e| panic!("{e}"));
    }
    // Mark a claim that the matrix shows (the first claim of a multi-source
    // fact), and one more that is then deleted from its article.
    let walk = files::collect(std::slice::from_ref(&arts), &files::default_globs())
        .unwrap_or_else(|e| panic!("{e}"));
    let corpus = corroborate::cli::check::build_corpus(walk.files);
    let an = analysis::analyze(&corpus, true);
    let fact = an
        .facts
        .iter()
        .find(|f| f.verdict != Verdict::SingleSource)
        .unwrap_or_else(|| panic!("a multi-source fact"));
    let shown = *fact.claims.first().unwrap_or_else(|| panic!("claims"));
    let a1 = corpus
        .article(shown.doc())
        .unwrap_or_else(|| panic!("article"));
    let span1 = a1
        .claims
        .get(shown.claim())
        .map(|c| c.span.clone())
        .unwrap_or(0..0);
    let (d2, a2) = corpus
        .docs()
        .find(|(d, _)| *d != shown.doc())
        .unwrap_or_else(|| panic!("two articles"));
    let _ = d2;
    let span2 = a2.claims.last().map(|c| c.span.clone()).unwrap_or(0..0);
    let mut st = Store::open(dir.path()).unwrap_or_else(|e| panic!("{e}"));
    for (a, span, status) in [
        (a1, span1, Status::Verified),
        (a2, span2.clone(), Status::Disputed),
    ] {
        st.add(NewAnnotation {
            path: PathBuf::from(&a.path),
            text: a.text.clone(),
            range: span,
            status,
            note: Some("checked <against> the match report".into()),
            source: None,
            author: Some("rev".into()),
            label: None,
        })
        .unwrap_or_else(|e| panic!("{e}"));
    }
    let removed = a2.text.get(span2).unwrap_or("").to_string();
    fs::write(&a2.path, a2.text.replacen(&removed, "", 1)).unwrap_or_else(|e| panic!("{e}"));

    let out_html = dir.path().join("out.html");
    let out = Command::new(env!("CARGO_BIN_EXE_corroborate"))
        .current_dir(dir.path())
        .args(["report", "arts", "--html", "out.html"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let page = fs::read_to_string(&out_html).unwrap_or_else(|e| panic!("{e}"));
    check_balanced(&page);
    assert!(page.contains("(orphaned)"), "orphaned marks are listed");
    let orphans = page
        .split("(orphaned)</h2>")
        .nth(1)
        .unwrap_or_else(|| panic!("orphan section"));
    assert!(orphans.contains("b-disputed"));
    let cells = page.split("(orphaned)</h2>").next().unwrap_or("");
    assert!(
        cells.contains("title=\"verified by rev"),
        "verified badge in the matrix"
    );
    assert!(page.contains("checked &lt;against&gt; the match report"));

    // Bad usage: exit 2 with a message.
    let out = Command::new(env!("CARGO_BIN_EXE_corroborate"))
        .current_dir(dir.path())
        .args(["report", "no-such-dir", "--html", "x.html"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.status.code(), Some(2));
    assert!(!dir.path().join("x.html").exists());
}

fn report_cmd(cwd: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_corroborate"))
        .current_dir(cwd)
        .arg("report")
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{e}"))
}

fn html_files(dir: &std::path::Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{e}"))
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".html"))
        .collect();
    v.sort();
    v
}

/// A page is self-contained: balanced, no network reference, its script and style inline.
fn assert_self_contained(page: &str) {
    check_balanced(page);
    assert!(page.starts_with("<!DOCTYPE html>"));
    for bad in [
        "<link",
        "src=\"http",
        "href=\"http",
        "@import",
        "url(http",
        "<script src",
    ] {
        assert!(!page.contains(bad), "page references the network: {bad}");
    }
    assert!(page.contains("<style>") && page.contains("<script>"));
}

#[test]
fn several_stories_give_an_index_and_one_page_per_story() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let seeds = root.join("seeds");
    let cup = root.join("tests/data/dev/carabao-cup-final-2022");
    let (s, c) = (
        seeds.to_string_lossy().into_owned(),
        cup.to_string_lossy().into_owned(),
    );
    // Left by an earlier run: a story page of ours that this run does not
    // write (removed), and pages that are not ours (kept).
    let ours = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"generator\" content=\"corroborate\">\n";
    fs::write(dir.path().join("out-9-old-story.html"), ours).unwrap_or_else(|e| panic!("{e}"));
    fs::write(
        dir.path().join("out-8-mine.html"),
        "<!DOCTYPE html><p>my notes</p>",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    fs::write(dir.path().join("out-notes.html"), ours).unwrap_or_else(|e| panic!("{e}"));
    let out = report_cmd(dir.path(), &[&s, &c, "--html", "out.html"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        !dir.path().join("out-9-old-story.html").exists(),
        "stale page removed"
    );
    assert!(
        dir.path().join("out-8-mine.html").exists(),
        "not ours: kept"
    );
    assert!(
        dir.path().join("out-notes.html").exists(),
        "not a story page name: kept"
    );
    fs::remove_file(dir.path().join("out-8-mine.html")).unwrap_or_else(|e| panic!("{e}"));
    fs::remove_file(dir.path().join("out-notes.html")).unwrap_or_else(|e| panic!("{e}"));
    let files = html_files(dir.path());
    assert_eq!(files.len(), 3, "{files:?}");
    let index = fs::read_to_string(dir.path().join("out.html")).unwrap_or_else(|e| panic!("{e}"));
    assert_self_contained(&index);
    // The index links every story page and lists them as JSON for tools.
    let json = index
        .split("id=\"corroborate-stories\">")
        .nth(1)
        .and_then(|t| t.split("</script>").next())
        .unwrap_or_else(|| panic!("manifest"));
    let stories: serde_json::Value =
        serde_json::from_str(&json.replace("<\\/", "</")).unwrap_or_else(|e| panic!("{e}"));
    let stories = stories.as_array().cloned().unwrap_or_default();
    assert_eq!(stories.len(), 2);
    let mut all_sources = 0;
    for st in &stories {
        let name = st["file"].as_str().unwrap_or_else(|| panic!("file"));
        assert!(
            name.starts_with("out-") && name.ends_with(".html"),
            "{name}"
        );
        assert!(files.contains(&name.to_string()), "{name} written");
        assert!(index.contains(&format!("href=\"{name}\"")), "{name} linked");
        let page = fs::read_to_string(dir.path().join(name)).unwrap_or_else(|e| panic!("{e}"));
        assert_self_contained(&page);
        // One story's matrix per page, with the counts per source and a way back.
        assert_eq!(page.matches("<section id=\"story-").count(), 1, "{name}");
        assert!(page.contains("class=\"counts\""), "{name}");
        assert!(page.contains("href=\"out.html\""), "{name}");
        let srcs = st["sources"].as_array().cloned().unwrap_or_default();
        all_sources += srcs.len();
        // Its own sources are its columns, the other story's are not.
        for other in stories.iter().filter(|o| o["file"] != st["file"]) {
            for p in other["sources"].as_array().into_iter().flatten() {
                let p = p.as_str().unwrap_or("");
                assert!(
                    !page.contains(&format!("title=\"{}\"", esc(p))),
                    "{name} shows {p}"
                );
            }
        }
        for p in &srcs {
            let p = p.as_str().unwrap_or("");
            assert!(
                page.contains(&format!("title=\"{}\"", esc(p))),
                "{name} lacks {p}"
            );
        }
    }
    assert!(all_sources >= 6);

    // A directory: DIR/index.html and DIR/story-N-….html.
    let out = report_cmd(dir.path(), &[&s, &c, "--html", "site/"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let site = html_files(&dir.path().join("site"));
    assert_eq!(site.len(), 3, "{site:?}");
    assert!(site.contains(&"index.html".to_string()));
    assert!(
        site.iter().filter(|n| n.starts_with("story-")).count() == 2,
        "{site:?}"
    );

    // One story: the file is that story's page, and nothing else is written.
    let one = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let out = report_cmd(one.path(), &[&c, "--html", "cup.html"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(html_files(one.path()), vec!["cup.html".to_string()]);
    let page = fs::read_to_string(one.path().join("cup.html")).unwrap_or_else(|e| panic!("{e}"));
    assert_self_contained(&page);
    assert!(!page.contains("corroborate-stories"));
    assert!(!page.contains("all stories"));
    assert_eq!(page.matches("<section id=\"story-").count(), 1);
}
