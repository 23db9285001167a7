//! The GitHub workflow-command formatter: escaping and the per-step cap.

use corroborate::cli::github::{self, escape_data, escape_property, CAP};
use corroborate::cli::report::{Finding, FindingKind, Loc, Other, Report, Side, Totals};

fn side(path: &str, line: usize) -> Side {
    Side {
        path: path.to_string(),
        outlet: "Daily, News: 100%".to_string(),
        loc: Loc {
            line,
            col: 3,
            end_line: line,
            end_col: 20,
            byte_start: 0,
            byte_end: 17,
        },
        text: "more than 200\nmembers".to_string(),
    }
}

fn finding(kind: FindingKind, i: usize) -> Finding {
    Finding {
        kind,
        label: "delegation, size: 50%".to_string(),
        this: side(&format!("dir,a:b/{i}.txt"), i + 1),
        others: if kind == FindingKind::DateMismatch {
            Vec::new()
        } else {
            vec![Other {
                side: side("other.txt", 7),
                reason: "more than 200 vs nearly 200: the ranges do not overlap\r\n".to_string(),
            }]
        },
        issue: (kind == FindingKind::DateMismatch)
            .then(|| "2025-03-09 is a Sunday, not a Saturday".to_string()),
    }
}

fn report(conflicts: usize, tensions: usize, dates: usize) -> Report {
    let mut findings = Vec::new();
    findings.extend((0..conflicts).map(|i| finding(FindingKind::Conflict, i)));
    findings.extend((0..tensions).map(|i| finding(FindingKind::Tension, i)));
    findings.extend((0..dates).map(|i| finding(FindingKind::DateMismatch, i)));
    Report {
        findings,
        files: Vec::new(),
        totals: Totals {
            articles: 2,
            stories: 1,
            conflicts,
            tensions,
            ..Totals::default()
        },
    }
}

#[test]
fn escapes_data_and_properties() {
    assert_eq!(escape_data("a%b\r\nc:d,e"), "a%25b%0D%0Ac:d,e");
    assert_eq!(escape_property("a%b\r\nc:d,e"), "a%25b%0D%0Ac%3Ad%2Ce");
    assert_eq!(
        escape_data("%0A"),
        "%250A",
        "already-escaped text is escaped again"
    );
}

#[test]
fn annotation_is_one_line_with_escaped_properties() {
    let a = github::annotation(&finding(FindingKind::Conflict, 0));
    assert!(!a.contains('\n') && !a.contains('\r'), "{a}");
    assert!(a.starts_with(
        "::warning file=dir%2Ca%3Ab/0.txt,line=1,col=3,endLine=1,endColumn=20,title=Conflict%3A delegation%2C size%3A 50%25::"
    ), "{a}");
    let msg = a.split_once("::").unwrap().1.split_once("::").unwrap().1;
    assert!(msg.contains("Daily, News: 100%25 says"), "{msg}");
    assert!(
        msg.contains("%0ADaily, News: 100%25 (other.txt:7:3)"),
        "{msg}"
    );
    assert!(msg.ends_with("do not overlap%0D%0A"), "{msg}");
    let t = github::annotation(&finding(FindingKind::Tension, 0));
    assert!(t.starts_with("::notice file="));
    let d = github::annotation(&finding(FindingKind::DateMismatch, 0));
    assert!(d.starts_with("::warning file="));
    assert!(d.contains("2025-03-09 is a Sunday"));
}

fn count(lines: &[String], prefix: &str) -> usize {
    lines.iter().filter(|l| l.starts_with(prefix)).count()
}

#[test]
fn within_the_cap_everything_is_an_annotation() {
    let lines = github::lines(&report(CAP, CAP, 0));
    assert_eq!(count(&lines, "::warning "), CAP);
    assert_eq!(count(&lines, "::notice "), CAP);
    assert_eq!(count(&lines, "::group::"), 0);
    assert_eq!(lines.len(), 2 * CAP + 1);
    assert!(lines.last().unwrap().starts_with("corroborate: 2 articles"));
}

#[test]
fn past_the_cap_a_summary_and_the_full_list() {
    let r = report(25, 14, 3);
    let lines = github::lines(&r);
    assert_eq!(count(&lines, "::warning "), CAP);
    // One notice slot is kept for the summary: GitHub shows 10 notices too.
    let notices: Vec<&String> = lines.iter().filter(|l| l.starts_with("::notice")).collect();
    assert_eq!(notices.len(), CAP);
    let summary = notices.last().unwrap();
    assert!(
        summary.starts_with("::notice title=corroborate%3A more findings::"),
        "{summary}"
    );
    // 15 conflicts + 3 dates past the warning cap, 5 tensions past the notice cap.
    assert!(summary.contains("23 more findings"), "{summary}");
    assert!(summary.contains("15 conflicts"), "{summary}");
    assert!(summary.contains("3 date warnings"), "{summary}");
    assert!(summary.contains("5 tensions"), "{summary}");
    let start = lines
        .iter()
        .position(|l| l.starts_with("::group::"))
        .unwrap();
    let end = lines.iter().position(|l| l == "::endgroup::").unwrap();
    assert_eq!(
        end - start - 1,
        r.findings.len(),
        "every finding as a plain line"
    );
    for l in &lines[start + 1..end] {
        assert!(!l.starts_with("::"), "plain line looks like a command: {l}");
        assert!(l.starts_with("dir,a:b/"), "{l}");
    }
}

#[test]
fn only_tensions_past_the_cap() {
    let lines = github::lines(&report(0, CAP, 0));
    assert_eq!(count(&lines, "::notice "), CAP);
    assert_eq!(count(&lines, "::group::"), 0);
    let lines = github::lines(&report(0, CAP + 1, 0));
    assert_eq!(count(&lines, "::notice file="), CAP - 1);
    assert_eq!(count(&lines, "::notice title="), 1);
    assert!(lines.iter().any(|l| l.contains("2 more findings")));
}
