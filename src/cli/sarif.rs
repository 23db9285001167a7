//! `--format sarif`: a SARIF 2.1.0 log with one result per claim in conflict
//! or tension (the other sources' claims as related locations) and one per
//! date that disagrees with its weekday.

use serde_sarif::sarif::{
    ArtifactLocation, Location, Message, MultiformatMessageString, PhysicalLocation, Region,
    ReportingConfiguration, ReportingDescriptor, Result as SarifResult, ResultLevel, Run, Sarif,
    Tool, ToolComponent,
};

use super::report::{FindingKind, Report, Side};

pub const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// A relative path as a URI reference, an absolute one as a `file://` URI.
pub fn path_uri(path: &str) -> String {
    let p = path.replace('\\', "/");
    let mut out = String::with_capacity(p.len());
    let abs = p.starts_with('/');
    if abs {
        out.push_str("file://");
    }
    for b in p.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

fn rule_id(k: FindingKind) -> String {
    format!("corroborate/{}", k.as_str())
}

fn rules() -> Vec<ReportingDescriptor> {
    let rule = |k: FindingKind, name: &str, short: &str, level: &str| {
        ReportingDescriptor::builder()
            .id(rule_id(k))
            .name(name.to_string())
            .short_description(
                MultiformatMessageString::builder()
                    .text(short.to_string())
                    .build(),
            )
            .default_configuration(
                ReportingConfiguration::builder()
                    .level(serde_json::json!(level))
                    .build(),
            )
            .build()
    };
    vec![
        rule(
            FindingKind::Conflict,
            "ConflictingClaim",
            "Another source states something that cannot also be true",
            "warning",
        ),
        rule(
            FindingKind::Tension,
            "ClaimInTension",
            "Another source words the same fact in a way an editor should notice",
            "note",
        ),
        rule(
            FindingKind::DateMismatch,
            "DateMismatch",
            "A weekday that disagrees with its date",
            "warning",
        ),
    ]
}

fn location(s: &Side, message: Option<String>) -> Location {
    let region = Region::builder()
        .start_line(s.loc.line as i64)
        .start_column(s.loc.col as i64)
        .end_line(s.loc.end_line as i64)
        .end_column(s.loc.end_col as i64)
        .byte_offset(s.loc.byte_start as i64)
        .byte_length((s.loc.byte_end - s.loc.byte_start) as i64)
        .build();
    let phys = PhysicalLocation::builder()
        .artifact_location(ArtifactLocation::builder().uri(path_uri(&s.path)).build())
        .region(region)
        .build();
    match message {
        Some(m) => Location::builder()
            .physical_location(phys)
            .message(Message::builder().text(m).build())
            .build(),
        None => Location::builder().physical_location(phys).build(),
    }
}

pub fn log(report: &Report) -> Sarif {
    let mut results = Vec::new();
    for f in &report.findings {
        let level = match f.kind {
            FindingKind::Tension => ResultLevel::Note,
            _ => ResultLevel::Warning,
        };
        let text = match &f.issue {
            Some(issue) => format!("{issue}: \"{}\"", f.this.text.trim()),
            None => {
                let mut t = format!("{}: {}", f.kind.as_str(), f.label);
                for o in &f.others {
                    t.push_str(&format!(
                        "\n{} ({}:{}:{}) says \"{}\": {}",
                        o.side.outlet,
                        o.side.path,
                        o.side.loc.line,
                        o.side.loc.col,
                        o.side.text.trim(),
                        o.reason
                    ));
                }
                t
            }
        };
        let related: Vec<Location> = f
            .others
            .iter()
            .enumerate()
            .map(|(i, o)| {
                let mut l = location(&o.side, Some(format!("{}: {}", o.side.outlet, o.reason)));
                l.id = Some(i as i64 + 1);
                l
            })
            .collect();
        let b = SarifResult::builder()
            .rule_id(rule_id(f.kind))
            .level(level)
            .message(Message::builder().text(text).build())
            .locations(vec![location(&f.this, None)]);
        let r = if related.is_empty() {
            b.build()
        } else {
            b.related_locations(related).build()
        };
        results.push(r);
    }
    let driver = ToolComponent::builder()
        .name("corroborate".to_string())
        .version(env!("CARGO_PKG_VERSION").to_string())
        .rules(rules())
        .build();
    let run = Run::builder()
        .tool(Tool::builder().driver(driver).build())
        .column_kind(serde_json::json!("unicodeCodePoints"))
        .results(results)
        .build();
    Sarif::builder()
        .schema(SCHEMA.to_string())
        .version(serde_json::json!("2.1.0"))
        .runs(vec![run])
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris() {
        assert_eq!(path_uri("seeds/a b.txt"), "seeds/a%20b.txt");
        assert_eq!(path_uri("/tmp/x#1.txt"), "file:///tmp/x%231.txt");
        assert_eq!(path_uri("뉴스.txt"), "%EB%89%B4%EC%8A%A4.txt");
    }
}
