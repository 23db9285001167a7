//! `corroborate check PATH...`: the batch analysis and its report formats.

use std::io::Write;

use rayon::prelude::*;
use serde_json::{json, Value};

use crate::core::{self, analysis, Article, ClaimRef, Corpus, MetaOverride, RelationKind};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
    Sarif,
    Github,
}

pub struct Options {
    pub format: Format,
    pub fail_on_conflict: bool,
}

/// Build the corpus from loaded files, parsing in parallel.
pub fn build_corpus(files: Vec<super::files::Loaded>) -> Corpus {
    let arts: Vec<Article> = files
        .into_par_iter()
        .map(|f| Article::parse(&f.path, &f.text, &MetaOverride::default()))
        .collect();
    let mut corpus = Corpus::new(core::EngineConfig::default());
    for a in arts {
        corpus.insert(a);
    }
    corpus
}

fn claim_id(map: &std::collections::HashMap<ClaimRef, usize>, r: ClaimRef) -> String {
    format!("c{}", map.get(&r).copied().unwrap_or(0))
}

/// The JSON report of `../shared/spec/check-json.md` (version 1).
pub fn json_report(corpus: &Corpus, an: &analysis::Analysis) -> Value {
    let mut ids = std::collections::HashMap::new();
    let mut claims = Vec::new();
    let mut sources = Vec::new();
    for (d, a) in corpus.docs() {
        sources.push(json!({
            "path": a.path,
            "outlet": a.meta.outlet,
            "published": a.meta.published.map(|p| p.to_string()),
            "title": a.meta.title,
        }));
        for (ci, c) in a.claims.iter().enumerate() {
            let n = ids.len() + 1;
            ids.insert(ClaimRef { doc: d, claim: ci }, n);
            claims.push(json!({
                "id": format!("c{n}"),
                "source": a.path,
                "start": c.span.start,
                "end": c.span.end,
                "text": a.text.get(c.span.clone()).unwrap_or(""),
                "kind": c.kind.as_str(),
                "value": c.value,
                "issue": c.issue,
            }));
        }
    }
    let facts: Vec<Value> = an
        .facts
        .iter()
        .enumerate()
        .map(|(i, f)| {
            json!({
                "id": format!("f{}", i + 1),
                "label": f.label,
                "claims": f.claims.iter().map(|&r| claim_id(&ids, r)).collect::<Vec<_>>(),
                "verdict": f.verdict.as_str(),
            })
        })
        .collect();
    let relations: Vec<Value> = an
        .relations
        .iter()
        .map(|r| {
            json!({
                "a": claim_id(&ids, r.a),
                "b": claim_id(&ids, r.b),
                "relation": r.kind.as_str(),
                "reason": r.reason,
                "label": r.label,
            })
        })
        .collect();
    json!({ "version": 1, "sources": sources, "claims": claims, "facts": facts, "relations": relations })
}

pub fn run(corpus: &Corpus, opts: &Options, out: &mut dyn Write) -> anyhow::Result<i32> {
    let an = analysis::analyze(corpus, true);
    match opts.format {
        Format::Json => {
            serde_json::to_writer(&mut *out, &json_report(corpus, &an))?;
            writeln!(out)?;
        }
        _ => {
            for r in &an.relations {
                let (Some(a), Some(b)) = (corpus.article(r.a.doc), corpus.article(r.b.doc)) else {
                    continue;
                };
                writeln!(
                    out,
                    "{} {}: {} <> {}: {}",
                    r.kind.as_str(),
                    r.label,
                    a.claim_text(r.a.claim),
                    b.claim_text(r.b.claim),
                    r.reason
                )?;
            }
        }
    }
    let conflict = an
        .relations
        .iter()
        .any(|r| r.kind == RelationKind::Conflict);
    Ok(if opts.fail_on_conflict && conflict {
        1
    } else {
        0
    })
}
