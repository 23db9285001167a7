//! The findings of a check, in a shape every output format shares: one
//! [`Finding`] per claim that is in conflict or tension with another source
//! (with those other sources' claims), or whose date has an issue.

use std::collections::BTreeMap;

use crate::core::{analysis::Analysis, Article, ClaimRef, Corpus, RelationKind, Verdict};
use crate::review::marks::CorpusMarks;

/// A position in a file: 1-based line, 1-based column in characters
/// (Unicode scalar values), and the byte range it covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Loc {
    pub line: usize,
    pub col: usize,
    /// Line and column just past the last character (exclusive end).
    pub end_line: usize,
    pub end_col: usize,
    pub byte_start: usize,
    pub byte_end: usize,
}

/// 1-based (line, column in characters) of a byte offset; offsets inside a
/// character or past the end are clamped to the preceding boundary.
pub fn line_col_chars(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line_start = before.rfind('\n').map_or(0, |p| p + 1);
    let line = before.bytes().filter(|&b| b == b'\n').count();
    (line + 1, before[line_start..].chars().count() + 1)
}

pub fn loc(text: &str, span: &std::ops::Range<usize>) -> Loc {
    let (line, col) = line_col_chars(text, span.start);
    let (end_line, end_col) = line_col_chars(text, span.end);
    Loc {
        line,
        col,
        end_line,
        end_col,
        byte_start: span.start,
        byte_end: span.end,
    }
}

/// Whitespace runs (newlines included) collapsed to one space, then cut to
/// at most `max` characters with an ellipsis.
pub fn excerpt(s: &str, max: usize) -> String {
    let mut out = String::new();
    let mut n = 0;
    for w in s.split_whitespace() {
        if n > max {
            break;
        }
        if n > 0 {
            out.push(' ');
            n += 1;
        }
        out.push_str(w);
        n += w.chars().count();
    }
    truncate_chars(&out, max)
}

/// `s` cut to at most `max` characters, ending with `…` when cut.
pub fn truncate_chars(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let keep = max.saturating_sub(1);
    let end = s.char_indices().nth(keep).map_or(s.len(), |(i, _)| i);
    let mut t = s[..end].trim_end().to_string();
    t.push('…');
    t
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FindingKind {
    Conflict,
    Tension,
    DateMismatch,
}

impl FindingKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FindingKind::Conflict => "conflict",
            FindingKind::Tension => "tension",
            FindingKind::DateMismatch => "date-mismatch",
        }
    }
}

/// One claim of one file as the reports show it.
#[derive(Debug, Clone)]
pub struct Side {
    pub path: String,
    /// The outlet, or the file name when the outlet is unknown.
    pub outlet: String,
    pub loc: Loc,
    /// The claim's exact text (the file's bytes of the span).
    pub text: String,
}

/// Another source's claim related to a finding's claim, and why.
#[derive(Debug, Clone)]
pub struct Other {
    pub side: Side,
    pub reason: String,
}

#[derive(Debug, Clone)]
pub struct Finding {
    pub kind: FindingKind,
    pub label: String,
    pub this: Side,
    /// Empty for a date mismatch; its message is in `issue`.
    pub others: Vec<Other>,
    pub issue: Option<String>,
}

/// Counts of one file's claims, for the summaries.
#[derive(Debug, Clone, Default)]
pub struct FileStats {
    pub path: String,
    pub outlet: Option<String>,
    pub published: Option<String>,
    pub claims: usize,
    pub conflicts: usize,
    pub tensions: usize,
    pub supported: usize,
    pub single_source: usize,
    pub date_issues: usize,
}

#[derive(Debug, Clone, Default)]
pub struct Totals {
    pub articles: usize,
    pub stories: usize,
    /// Pairs of claims in different sources.
    pub conflicts: usize,
    pub tensions: usize,
    pub supported: usize,
    pub single_source: usize,
    pub date_issues: usize,
    /// Findings (a claim's conflicts, tensions or date warning) not reported
    /// because a reviewer marked the claim `ignored`.
    pub ignored: usize,
}

impl Totals {
    pub fn line(&self) -> String {
        fn n(k: usize, one: &str, many: &str) -> String {
            format!("{k} {}", if k == 1 { one } else { many })
        }
        let mut s = format!(
            "{}, {}, {}, {}, {} supported, {} single-source",
            n(self.articles, "article", "articles"),
            n(self.stories, "story", "stories"),
            n(self.conflicts, "conflict", "conflicts"),
            n(self.tensions, "tension", "tensions"),
            self.supported,
            self.single_source,
        );
        if self.date_issues > 0 {
            s.push_str(&format!(
                ", {}",
                n(self.date_issues, "date warning", "date warnings")
            ));
        }
        if self.ignored > 0 {
            s.push_str(&format!(
                " ({} hidden by review marks)",
                n(self.ignored, "finding", "findings")
            ));
        }
        s
    }
}

pub struct Report {
    /// Conflicts first, then tensions, then date mismatches; each group by
    /// file path and position.
    pub findings: Vec<Finding>,
    pub files: Vec<FileStats>,
    pub totals: Totals,
}

pub fn outlet_or_name(a: &Article) -> String {
    match &a.meta.outlet {
        Some(o) if !o.trim().is_empty() => o.trim().to_string(),
        _ => std::path::Path::new(&a.path)
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_else(|| a.path.clone()),
    }
}

fn side(a: &Article, claim: usize) -> Option<Side> {
    let c = a.claims.get(claim)?;
    let text = a.text.get(c.span.clone())?;
    Some(Side {
        path: a.path.clone(),
        outlet: outlet_or_name(a),
        loc: loc(&a.text, &c.span),
        text: text.to_string(),
    })
}

pub fn build(corpus: &Corpus, an: &Analysis) -> Report {
    build_marked(corpus, an, None)
}

/// [`build`] honouring reviewers' marks: a claim whose latest mark says
/// `ignored` has no finding (as in the editor, where its diagnostic is
/// hidden); the same conflict is still reported on the other source's claim
/// unless that one is ignored too. A pair both of whose claims are ignored
/// is not counted in the totals.
pub fn build_marked(corpus: &Corpus, an: &Analysis, marks: Option<&CorpusMarks>) -> Report {
    let ignored = |c: ClaimRef| marks.is_some_and(|m| m.is_ignored(corpus, c));
    let mut hidden: std::collections::HashSet<(ClaimRef, FindingKind)> = Default::default();
    // (claim, kind) → [(other claim, reason, label)]
    type Key = (ClaimRef, FindingKind);
    let mut related: BTreeMap<Key, Vec<(ClaimRef, &str, &str)>> = BTreeMap::new();
    let mut totals = Totals {
        articles: corpus.len(),
        stories: an.stories.iter().filter(|s| !s.is_empty()).count(),
        ..Totals::default()
    };
    let mut supported: std::collections::HashSet<ClaimRef> = Default::default();
    for r in an.relations() {
        let (ia, ib) = match r.kind {
            RelationKind::Support => (false, false),
            _ => (ignored(r.a), ignored(r.b)),
        };
        let kind = match r.kind {
            RelationKind::Conflict | RelationKind::Tension if ia && ib => {
                let k = if r.kind == RelationKind::Conflict {
                    FindingKind::Conflict
                } else {
                    FindingKind::Tension
                };
                hidden.insert((r.a, k));
                hidden.insert((r.b, k));
                continue;
            }
            RelationKind::Conflict => {
                totals.conflicts += 1;
                FindingKind::Conflict
            }
            RelationKind::Tension => {
                totals.tensions += 1;
                FindingKind::Tension
            }
            RelationKind::Support => {
                totals.supported += 1;
                supported.insert(r.a);
                supported.insert(r.b);
                continue;
            }
        };
        if ia {
            hidden.insert((r.a, kind));
        } else {
            related
                .entry((r.a, kind))
                .or_default()
                .push((r.b, r.reason, r.label));
        }
        if ib {
            hidden.insert((r.b, kind));
        } else {
            related
                .entry((r.b, kind))
                .or_default()
                .push((r.a, r.reason, r.label));
        }
    }
    let mut single: std::collections::HashSet<ClaimRef> = Default::default();
    for f in &an.facts {
        if f.verdict == Verdict::SingleSource {
            single.extend(f.claims.iter().copied());
        }
    }

    let mut findings = Vec::new();
    for ((cr, kind), mut others) in related {
        let Some(a) = corpus.article(cr.doc()) else {
            continue;
        };
        let Some(this) = side(a, cr.claim()) else {
            continue;
        };
        others.sort_by_key(|o| o.0);
        others.dedup_by_key(|o| o.0);
        let label = others.first().map(|o| o.2.to_string()).unwrap_or_default();
        let others: Vec<Other> = others
            .iter()
            .filter_map(|&(o, reason, _)| {
                let b = corpus.article(o.doc())?;
                Some(Other {
                    side: side(b, o.claim())?,
                    reason: reason.to_string(),
                })
            })
            .collect();
        if others.is_empty() {
            continue;
        }
        findings.push(Finding {
            kind,
            label,
            this,
            others,
            issue: None,
        });
    }

    let mut files = Vec::new();
    for (d, a) in corpus.docs() {
        let mut st = FileStats {
            path: a.path.clone(),
            outlet: a.meta.outlet.clone(),
            published: a.meta.published.map(|p| p.to_string()),
            claims: a.claims.len(),
            ..FileStats::default()
        };
        // Nested claims often carry the same date issue: report it once, on
        // the shortest span.
        let mut issues: Vec<(usize, &str)> = Vec::new();
        for (ci, c) in a.claims.iter().enumerate() {
            let r = ClaimRef::new(d, ci);
            if supported.contains(&r) {
                st.supported += 1;
            }
            if single.contains(&r) {
                st.single_source += 1;
            }
            if let Some(issue) = c.issue().filter(|i| !i.trim().is_empty()) {
                if ignored(r) {
                    hidden.insert((r, FindingKind::DateMismatch));
                } else {
                    issues.push((ci, issue));
                }
            }
        }
        issues.sort_by_key(|&(ci, _)| a.claims[ci].span.len());
        let mut kept: Vec<(usize, &str)> = Vec::new();
        for (ci, issue) in issues {
            let span = &a.claims[ci].span;
            let dup = kept.iter().any(|&(k, ki)| {
                let ks = &a.claims[k].span;
                ki == issue && ks.start < span.end && span.start < ks.end
            });
            if dup {
                continue;
            }
            kept.push((ci, issue));
            st.date_issues += 1;
            if let Some(this) = side(a, ci) {
                findings.push(Finding {
                    kind: FindingKind::DateMismatch,
                    label: "date".into(),
                    this,
                    others: Vec::new(),
                    issue: Some(issue.to_string()),
                });
            }
        }
        files.push(st);
    }
    let by_path: std::collections::HashMap<String, usize> = files
        .iter()
        .enumerate()
        .map(|(i, f)| (f.path.clone(), i))
        .collect();
    for f in &findings {
        if let Some(st) = by_path.get(&f.this.path).and_then(|&i| files.get_mut(i)) {
            match f.kind {
                FindingKind::Conflict => st.conflicts += 1,
                FindingKind::Tension => st.tensions += 1,
                FindingKind::DateMismatch => {}
            }
        }
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    totals.single_source = files.iter().map(|f| f.single_source).sum();
    totals.date_issues = files.iter().map(|f| f.date_issues).sum();
    totals.ignored = hidden.len();
    findings.sort_by(|x, y| {
        (x.kind, &x.this.path, x.this.loc.byte_start).cmp(&(
            y.kind,
            &y.this.path,
            y.this.loc.byte_start,
        ))
    });
    Report {
        findings,
        files,
        totals,
    }
}

/// Line starts of a text, for many line/column look-ups in one file.
pub struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { text, starts }
    }

    /// Same as [`line_col_chars`].
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let col = self.text[self.starts[line]..offset].chars().count();
        (line + 1, col + 1)
    }

    pub fn loc(&self, span: &std::ops::Range<usize>) -> Loc {
        let (line, col) = self.line_col(span.start);
        let (end_line, end_col) = self.line_col(span.end);
        Loc {
            line,
            col,
            end_line,
            end_col,
            byte_start: span.start,
            byte_end: span.end,
        }
    }
}

/// What `--all` adds: the facts several sources agree on and the claims only
/// one source makes.
pub struct Detail {
    /// (label, the claims that agree), in the engine's order.
    pub supported: Vec<(String, Vec<Side>)>,
    /// By file path and position.
    pub single: Vec<Side>,
}

pub fn detail(corpus: &Corpus, an: &Analysis) -> Detail {
    let mut index: std::collections::HashMap<usize, LineIndex> = Default::default();
    let mut side_of = |r: ClaimRef| -> Option<Side> {
        let a = corpus.article(r.doc())?;
        let c = a.claims.get(r.claim())?;
        let text = a.text.get(c.span.clone())?;
        let li = index
            .entry(r.doc())
            .or_insert_with(|| LineIndex::new(&a.text));
        Some(Side {
            path: a.path.clone(),
            outlet: outlet_or_name(a),
            loc: li.loc(&c.span),
            text: text.to_string(),
        })
    };
    let mut d = Detail {
        supported: Vec::new(),
        single: Vec::new(),
    };
    for f in &an.facts {
        match f.verdict {
            Verdict::Agree => {
                let sides: Vec<Side> = f.claims.iter().filter_map(|&r| side_of(r)).collect();
                if sides.len() > 1 {
                    d.supported.push((f.label.to_string(), sides));
                }
            }
            Verdict::SingleSource => d.single.extend(f.claims.iter().filter_map(|&r| side_of(r))),
            _ => {}
        }
    }
    d.single
        .sort_by(|x, y| (&x.path, x.loc.byte_start).cmp(&(&y.path, y.loc.byte_start)));
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_characters() {
        let t = "ab\n한국 x\n";
        assert_eq!(line_col_chars(t, 0), (1, 1));
        assert_eq!(line_col_chars(t, 3), (2, 1));
        let x = t.find('x').unwrap();
        assert_eq!(line_col_chars(t, x), (2, 4));
        // inside a multi-byte character: clamped to its start
        assert_eq!(line_col_chars(t, 4), (2, 1));
        assert_eq!(line_col_chars(t, 999), (3, 1));
        let li = LineIndex::new(t);
        for off in 0..=t.len() + 2 {
            assert_eq!(li.line_col(off), line_col_chars(t, off), "offset {off}");
        }
    }

    #[test]
    fn truncation_at_char_boundary() {
        assert_eq!(truncate_chars("héllo", 10), "héllo");
        assert_eq!(truncate_chars("héllo wörld", 5), "héll…");
        assert_eq!(truncate_chars("한국어한국어", 3), "한국…");
        assert_eq!(excerpt("a\n  b\r\n\tc", 80), "a b c");
        assert_eq!(excerpt("a\n  b\r\n\tc", 3), "a…");
        assert_eq!(excerpt("ab\ncd", 4), "ab…");
    }
}
