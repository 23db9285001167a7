//! `--format github`: GitHub Actions workflow commands.
//!
//! Conflicts and date mismatches are `::warning`, tensions `::notice`.
//! GitHub shows at most [`CAP`] annotations of each level per step, so past
//! that one `::notice::` says how many more there are and the full list is
//! printed as plain log lines inside a collapsible group.

use std::io::{self, Write};

use super::report::{excerpt, Finding, FindingKind, Report};

/// Annotations of one level GitHub displays per step.
pub const CAP: usize = 10;

/// Escape the message part of a workflow command.
pub fn escape_data(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            _ => out.push(c),
        }
    }
    out
}

/// Escape a property value (`file=`, `title=`, …) of a workflow command.
pub fn escape_property(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            ':' => out.push_str("%3A"),
            ',' => out.push_str("%2C"),
            _ => out.push(c),
        }
    }
    out
}

/// One workflow command: `::level k=v,…::message`.
pub fn command(level: &str, props: &[(&str, String)], message: &str) -> String {
    let props: Vec<String> = props
        .iter()
        .map(|(k, v)| format!("{k}={}", escape_property(v)))
        .collect();
    if props.is_empty() {
        format!("::{level}::{}", escape_data(message))
    } else {
        format!("::{level} {}::{}", props.join(","), escape_data(message))
    }
}

fn level(f: &Finding) -> &'static str {
    match f.kind {
        FindingKind::Tension => "notice",
        _ => "warning",
    }
}

fn title(f: &Finding) -> String {
    match f.kind {
        FindingKind::Conflict => format!("Conflict: {}", f.label),
        FindingKind::Tension => format!("Tension: {}", f.label),
        FindingKind::DateMismatch => "Date does not match its weekday".to_string(),
    }
}

/// The annotation's message: this claim, then each other source's wording
/// and the reason, one per line.
fn message(f: &Finding) -> String {
    let mut m = format!("{} says \"{}\"", f.this.outlet, excerpt(&f.this.text, 200));
    if let Some(issue) = &f.issue {
        m = format!("{issue}\n{m}");
    }
    for o in &f.others {
        m.push_str(&format!(
            "\n{} ({}:{}:{}) says \"{}\": {}",
            o.side.outlet,
            o.side.path,
            o.side.loc.line,
            o.side.loc.col,
            excerpt(&o.side.text, 200),
            o.reason
        ));
    }
    m
}

/// The annotation for one finding.
pub fn annotation(f: &Finding) -> String {
    let l = &f.this.loc;
    command(
        level(f),
        &[
            ("file", f.this.path.clone()),
            ("line", l.line.to_string()),
            ("col", l.col.to_string()),
            ("endLine", l.end_line.to_string()),
            ("endColumn", l.end_col.to_string()),
            ("title", title(f)),
        ],
        &message(f),
    )
}

/// A finding as one plain log line (no workflow command).
pub fn plain(f: &Finding) -> String {
    let l = &f.this.loc;
    let mut m = message(f).replace(['\r', '\n'], " | ");
    if m.starts_with("::") {
        m.insert(0, ' ');
    }
    format!(
        "{}:{}:{}: {}: {}",
        f.this.path,
        l.line,
        l.col,
        title(f).to_lowercase(),
        m
    )
}

/// The lines to print: annotations within the caps, then the summary notice
/// and the full list when some did not fit.
pub fn lines(report: &Report) -> Vec<String> {
    let warnings: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| level(f) == "warning")
        .collect();
    let notices: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| level(f) == "notice")
        .collect();
    let overflow = warnings.len() > CAP || notices.len() > CAP;
    // The summary is itself a notice: leave room for it.
    let notice_cap = if overflow { CAP - 1 } else { CAP };
    let mut out = Vec::new();
    out.extend(warnings.iter().take(CAP).map(|f| annotation(f)));
    out.extend(notices.iter().take(notice_cap).map(|f| annotation(f)));
    let hidden_w = warnings.len().saturating_sub(CAP);
    let hidden_n = notices.len().saturating_sub(notice_cap);
    if hidden_w + hidden_n > 0 {
        let mut parts = Vec::new();
        let count = |k: FindingKind, skip: usize, list: &[&Finding]| {
            list.iter().skip(skip).filter(|f| f.kind == k).count()
        };
        for (k, name, skip, list) in [
            (FindingKind::Conflict, "conflicts", CAP, &warnings),
            (FindingKind::DateMismatch, "date warnings", CAP, &warnings),
            (FindingKind::Tension, "tensions", notice_cap, &notices),
        ] {
            let n = count(k, skip, list);
            if n > 0 {
                parts.push(format!("{n} {name}"));
            }
        }
        out.push(command(
            "notice",
            &[("title", "corroborate: more findings".to_string())],
            &format!(
                "{} more findings are not shown as annotations (GitHub shows {CAP} per kind): {}. \
                 The full list is in this step's log.",
                hidden_w + hidden_n,
                parts.join(", ")
            ),
        ));
        out.push(format!(
            "::group::corroborate: all {} findings",
            report.findings.len()
        ));
        out.extend(report.findings.iter().map(plain));
        out.push("::endgroup::".to_string());
    }
    out.push(format!("corroborate: {}", report.totals.line()));
    out
}

pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    for l in lines(report) {
        writeln!(out, "{l}")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        assert_eq!(escape_data("50% a\r\nb: c, d"), "50%25 a%0D%0Ab: c, d");
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
        assert_eq!(
            command("warning", &[("file", "a,b:c.txt".into())], "x\ny"),
            "::warning file=a%2Cb%3Ac.txt::x%0Ay"
        );
    }
}
