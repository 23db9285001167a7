//! Exports of the store: W3C Web Annotation Data Model JSON-LD, and plain JSON.

use std::path::Path;

use serde_json::{json, Value};

use super::anchor::{self, Method, Selector};
use super::store::{Annotation, Status, Store};

/// An annotation's place in the current article text.
#[derive(Debug, Clone)]
pub struct Located {
    /// The selector for the current text (the stored one when orphaned or unreadable).
    pub selector: Selector,
    pub method: Method,
    /// False when the article could not be read.
    pub checked: bool,
}

/// Anchor every annotation in its article as it is on disk now.
pub fn locate_all(store: &Store) -> Vec<(&Annotation, Located)> {
    let mut texts: std::collections::HashMap<&str, Option<String>> =
        std::collections::HashMap::new();
    store
        .annotations()
        .iter()
        .map(|a| {
            let text = texts
                .entry(a.target.as_str())
                .or_insert_with(|| std::fs::read_to_string(store.path_of(&a.target)).ok());
            let loc = match text {
                None => Located {
                    selector: a.selector.clone(),
                    method: Method::Orphaned,
                    checked: false,
                },
                Some(t) => match anchor::locate(t, &a.selector) {
                    Some((r, m)) => Located {
                        selector: anchor::select(t, r),
                        method: m,
                        checked: true,
                    },
                    None => Located {
                        selector: a.selector.clone(),
                        method: Method::Orphaned,
                        checked: true,
                    },
                },
            };
            (a, loc)
        })
        .collect()
}

/// `file://` URI of a path (percent-encoding what a URI cannot hold).
pub fn file_uri(path: &Path) -> String {
    let s = path.to_string_lossy().replace('\\', "/");
    let mut out = String::from("file://");
    if !s.starts_with('/') {
        out.push('/');
    }
    for b in s.bytes() {
        let keep = b.is_ascii_alphanumeric() || b"/-._~:@!$&'()*+,;=".contains(&b);
        if keep {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn motivation(s: Status) -> &'static str {
    match s {
        Status::Verified | Status::Disputed => "assessing",
        Status::Ignored => "moderating",
    }
}

/// One annotation in the W3C model (without `@context`, as inside a page).
pub fn w3c_annotation(store: &Store, a: &Annotation, loc: &Located) -> Value {
    let mut body = vec![json!({
        "type": "TextualBody",
        "value": a.status.as_str(),
        "purpose": "assessing",
        "format": "text/plain",
    })];
    if let Some(n) = &a.note {
        body.push(json!({
            "type": "TextualBody",
            "value": n,
            "purpose": "commenting",
            "format": "text/plain",
        }));
    }
    if let Some(src) = &a.source {
        if src.starts_with("http://") || src.starts_with("https://") {
            body.push(json!({ "id": src, "purpose": "linking" }));
        } else {
            body.push(json!({
                "type": "TextualBody",
                "value": format!("Source: {src}"),
                "purpose": "commenting",
                "format": "text/plain",
            }));
        }
    }
    let sel = &loc.selector;
    json!({
        "id": format!("urn:uuid:{}", a.id),
        "type": "Annotation",
        "motivation": motivation(a.status),
        "created": a.created,
        "creator": { "type": "Person", "name": a.author },
        "generator": { "type": "Software", "name": "corroborate" },
        "body": body,
        "target": {
            "source": file_uri(&store.path_of(&a.target)),
            "selector": [
                {
                    "type": "TextQuoteSelector",
                    "exact": sel.exact,
                    "prefix": sel.prefix,
                    "suffix": sel.suffix,
                },
                {
                    "type": "TextPositionSelector",
                    "start": sel.start_cp,
                    "end": sel.end_cp,
                }
            ]
        }
    })
}

/// The whole store as one W3C `AnnotationCollection` whose first (and only)
/// `AnnotationPage` embeds every annotation.
pub fn w3c(store: &Store) -> Value {
    let items: Vec<Value> = locate_all(store)
        .iter()
        .map(|(a, l)| w3c_annotation(store, a, l))
        .collect();
    let id = file_uri(&store.file());
    json!({
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "id": id,
        "type": "AnnotationCollection",
        "label": "corroborate review annotations",
        "total": items.len(),
        "first": {
            "id": format!("{id}#page1"),
            "type": "AnnotationPage",
            "startIndex": 0,
            "items": items,
        }
    })
}

/// The store as plain JSON for scripts: every record as stored, plus where it
/// anchors now, plus the lines that could not be read.
pub fn json(store: &Store) -> Value {
    let anns: Vec<Value> = locate_all(store)
        .iter()
        .map(|(a, l)| {
            let mut v = serde_json::to_value(a).unwrap_or(Value::Null);
            let state = match (l.checked, l.method) {
                (false, _) => "unreadable",
                (true, Method::Orphaned) => "orphaned",
                (true, _) => "anchored",
            };
            if let Value::Object(m) = &mut v {
                m.insert(
                    "anchor".into(),
                    json!({
                        "state": state,
                        "method": l.method.as_str(),
                        "start": l.selector.start,
                        "end": l.selector.end,
                        "start_cp": l.selector.start_cp,
                        "end_cp": l.selector.end_cp,
                    }),
                );
            }
            v
        })
        .collect();
    let bad: Vec<Value> = store
        .malformed()
        .iter()
        .map(|m| json!({ "line": m.line, "text": m.text, "error": m.error }))
        .collect();
    json!({
        "version": 1,
        "store": store.file().to_string_lossy(),
        "annotations": anns,
        "malformed": bad,
    })
}
