//! The default, human-readable report of `corroborate check`.
//!
//! ```text
//! seeds/a.txt:12:5: conflict: delegation size
//!   Global Times says: "he will lead a trade delegation of more than 200 members"
//!   Korea Herald says: "trade delegation of nearly 200 members" (seeds/b.txt:8:1)
//!     why: 'more than 200 members' vs 'nearly 200 members': the figures cannot both be true
//! ```

use std::io::{self, Write};

use super::report::{excerpt, Detail, FindingKind, Report};

/// Claims longer than this (in characters) are cut with an ellipsis.
pub const MAX_CLAIM_CHARS: usize = 160;

/// ANSI styling, or none.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub color: bool,
}

impl Style {
    fn paint(&self, code: &str, s: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
    fn bold(&self, s: &str) -> String {
        self.paint("1", s)
    }
    fn dim(&self, s: &str) -> String {
        self.paint("2", s)
    }
    fn kind(&self, k: FindingKind) -> String {
        match k {
            FindingKind::Conflict => self.paint("1;31", "conflict"),
            FindingKind::Tension => self.paint("1;33", "tension"),
            FindingKind::DateMismatch => self.paint("1;35", "warning"),
        }
    }
    fn outlet(&self, s: &str) -> String {
        self.paint("36", s)
    }
    fn heading(&self, s: &str) -> String {
        self.paint("1;4", s)
    }
}

fn quoted(s: &str) -> String {
    format!("\"{}\"", excerpt(s, MAX_CLAIM_CHARS))
}

/// The report; with `detail` (`--all`), the supported facts and the
/// single-source claims are listed before the per-file summary.
pub fn write(
    report: &Report,
    detail: Option<&Detail>,
    style: Style,
    out: &mut dyn Write,
) -> io::Result<()> {
    let sections = [
        (FindingKind::Conflict, "Conflicts"),
        (FindingKind::Tension, "Tensions"),
        (FindingKind::DateMismatch, "Date warnings"),
    ];
    let mut any = false;
    for (kind, title) in sections {
        let group: Vec<_> = report.findings.iter().filter(|f| f.kind == kind).collect();
        if group.is_empty() {
            continue;
        }
        any = true;
        let pairs = match kind {
            FindingKind::Conflict => report.totals.conflicts,
            FindingKind::Tension => report.totals.tensions,
            FindingKind::DateMismatch => group.len(),
        };
        let unit = match (kind, pairs) {
            (FindingKind::DateMismatch, 1) => "claim",
            (FindingKind::DateMismatch, _) => "claims",
            (_, 1) => "pair of claims",
            _ => "pairs of claims",
        };
        writeln!(
            out,
            "{}\n",
            style.heading(&format!("{title}: {pairs} {unit}"))
        )?;
        for f in group {
            let at = format!("{}:{}:{}", f.this.path, f.this.loc.line, f.this.loc.col);
            match &f.issue {
                Some(issue) => {
                    writeln!(out, "{}: {}: {}", style.bold(&at), style.kind(kind), issue)?;
                    writeln!(
                        out,
                        "  {} says: {}",
                        style.outlet(&f.this.outlet),
                        quoted(&f.this.text)
                    )?;
                }
                None => {
                    writeln!(
                        out,
                        "{}: {}: {}",
                        style.bold(&at),
                        style.kind(kind),
                        f.label
                    )?;
                    writeln!(
                        out,
                        "  {} says: {}",
                        style.outlet(&f.this.outlet),
                        quoted(&f.this.text)
                    )?;
                    for o in &f.others {
                        writeln!(
                            out,
                            "  {} says: {} {}",
                            style.outlet(&o.side.outlet),
                            quoted(&o.side.text),
                            style.dim(&format!(
                                "({}:{}:{})",
                                o.side.path, o.side.loc.line, o.side.loc.col
                            ))
                        )?;
                        writeln!(out, "    {} {}", style.dim("why:"), o.reason)?;
                    }
                }
            }
            writeln!(out)?;
        }
    }
    if !any {
        writeln!(out, "No conflicts or tensions found.\n")?;
    }
    if let Some(d) = detail {
        write_detail(d, style, out)?;
    }
    if !report.files.is_empty() {
        writeln!(out, "{}\n", style.heading("Per file"))?;
        let width = report
            .files
            .iter()
            .map(|f| f.path.chars().count())
            .max()
            .unwrap_or(0)
            .min(60);
        for f in &report.files {
            let mut who = Vec::new();
            if let Some(o) = &f.outlet {
                who.push(o.clone());
            }
            if let Some(p) = &f.published {
                who.push(p.clone());
            }
            let mut counts = Vec::new();
            if f.conflicts > 0 {
                counts.push(format!("{} in conflict", f.conflicts));
            }
            if f.tensions > 0 {
                counts.push(format!("{} in tension", f.tensions));
            }
            counts.push(format!("{} supported", f.supported));
            counts.push(format!("{} single-source", f.single_source));
            if f.date_issues > 0 {
                let s = if f.date_issues == 1 { "" } else { "s" };
                counts.push(format!("{} date warning{s}", f.date_issues));
            }
            let who = if who.is_empty() {
                String::new()
            } else {
                format!(" ({})", style.outlet(&who.join(", ")))
            };
            writeln!(
                out,
                "  {:<width$}  {} claims: {}{}",
                f.path,
                f.claims,
                counts.join(", "),
                who,
            )?;
        }
        writeln!(out)?;
    }
    writeln!(out, "{}", style.bold(&report.totals.line()))?;
    Ok(())
}

fn write_detail(d: &Detail, style: Style, out: &mut dyn Write) -> io::Result<()> {
    if !d.supported.is_empty() {
        writeln!(
            out,
            "{}\n",
            style.heading(&format!("Supported: {} facts", d.supported.len()))
        )?;
        for (label, sides) in &d.supported {
            writeln!(out, "{} ({} sources)", style.bold(label), sides.len())?;
            for s in sides {
                writeln!(
                    out,
                    "  {} says: {} {}",
                    style.outlet(&s.outlet),
                    quoted(&s.text),
                    style.dim(&format!("({}:{}:{})", s.path, s.loc.line, s.loc.col))
                )?;
            }
            writeln!(out)?;
        }
    }
    if !d.single.is_empty() {
        writeln!(
            out,
            "{}\n",
            style.heading(&format!("Single-source: {} claims", d.single.len()))
        )?;
        for s in &d.single {
            writeln!(
                out,
                "{}: {} says: {}",
                style.bold(&format!("{}:{}:{}", s.path, s.loc.line, s.loc.col)),
                style.outlet(&s.outlet),
                quoted(&s.text)
            )?;
        }
        writeln!(out)?;
    }
    Ok(())
}
