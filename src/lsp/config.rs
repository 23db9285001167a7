//! Server settings: `corroborate.toml` at the workspace root, then the
//! client's `initializationOptions`, then `workspace/didChangeConfiguration`.
//! The file uses snake_case keys, clients send camelCase; both are accepted.

use serde::Deserialize;

use crate::core::MetaOverride;

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    pub diagnostics: Diagnostics,
    #[serde(alias = "inlayHints")]
    pub inlay_hints: InlayHints,
    pub files: Files,
    /// Per-file metadata: `[[overrides]] path = "a.txt" outlet = "…" published = "2026-01-04"`.
    pub overrides: Vec<Override>,
    /// Reviewer marks made from the editor.
    pub review: Review,
}

#[derive(Debug, Clone, Deserialize, PartialEq, Default)]
#[serde(default, deny_unknown_fields)]
pub struct Review {
    /// Who the marks are by; unset: `$USER`.
    pub author: Option<String>,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Diagnostics {
    /// Claims that conflict with another source (warnings).
    pub conflict: bool,
    /// Claims in tension with another source (information).
    pub tension: bool,
    /// Claims no other source states (hints).
    #[serde(alias = "singleSource")]
    pub single_source: bool,
    /// A weekday that disagrees with its date.
    #[serde(alias = "dateMismatch")]
    pub date_mismatch: bool,
    /// Delay after the last keystroke before re-checking, in milliseconds.
    #[serde(alias = "debounceMs")]
    pub debounce_ms: u64,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct InlayHints {
    /// "✓2 ✗1" after each claim other sources speak of.
    pub enable: bool,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Files {
    pub globs: Vec<String>,
    /// Files bigger than this are not indexed.
    #[serde(alias = "maxBytes")]
    pub max_bytes: u64,
}

#[derive(Debug, Clone, Deserialize, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct Override {
    /// Path relative to the workspace root, or absolute.
    pub path: String,
    pub outlet: Option<String>,
    pub published: Option<String>,
    pub title: Option<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            diagnostics: Diagnostics::default(),
            inlay_hints: InlayHints { enable: true },
            files: Files::default(),
            overrides: Vec::new(),
            review: Review::default(),
        }
    }
}

impl Default for Diagnostics {
    fn default() -> Self {
        Diagnostics {
            conflict: true,
            tension: true,
            single_source: false,
            date_mismatch: true,
            debounce_ms: 150,
        }
    }
}

impl Default for InlayHints {
    fn default() -> Self {
        InlayHints { enable: true }
    }
}

impl Default for Files {
    fn default() -> Self {
        Files {
            globs: crate::cli::files::default_globs(),
            max_bytes: crate::cli::files::MAX_FILE_BYTES,
        }
    }
}

impl Settings {
    /// Parse a `corroborate.toml`; the error is one line for a diagnostic.
    pub fn from_toml(text: &str) -> Result<Settings, (usize, String)> {
        toml::from_str::<Settings>(text).map_err(|e| {
            let line = e
                .span()
                .map_or(0, |s| text[..s.start.min(text.len())].matches('\n').count());
            (line, e.message().to_string())
        })
    }

    /// Settings sent by a client (`initializationOptions`, `didChangeConfiguration`),
    /// either bare or under a `corroborate` key.
    pub fn from_json(v: &serde_json::Value) -> Result<Settings, String> {
        let mut v = v.get("corroborate").unwrap_or(v).clone();
        // Editor-side settings of the same section, not the server's.
        if let Some(o) = v.as_object_mut() {
            for k in ["server", "documentSelector", "trace"] {
                o.remove(k);
            }
        }
        serde_json::from_value::<Settings>(v).map_err(|e| e.to_string())
    }

    /// The settings of a workspace: the client's settings, then each
    /// `corroborate.toml` over them (the project file wins over editor
    /// settings, which editors send with their defaults filled in; keys the
    /// file does not set keep the client's value). `overrides` of several
    /// files add up. Returns the settings and what went wrong with the
    /// client's part (the files are checked with [`Settings::from_toml`]).
    pub fn layered(
        client: Option<&serde_json::Value>,
        files: &[&str],
    ) -> (Settings, Option<String>) {
        let mut base = serde_json::Value::Object(Default::default());
        let mut client_error = None;
        if let Some(v) = client {
            let v = client_value(v);
            match serde_json::from_value::<Settings>(v.clone()) {
                Ok(_) => base = v,
                Err(e) => client_error = Some(e.to_string()),
            }
        }
        let mut overrides: Vec<serde_json::Value> = Vec::new();
        for text in files {
            if Settings::from_toml(text).is_err() {
                continue;
            }
            let Ok(t) = toml::from_str::<toml::Value>(text) else {
                continue;
            };
            let Ok(mut v) = serde_json::to_value(t) else {
                continue;
            };
            if let Some(serde_json::Value::Array(o)) =
                v.as_object_mut().and_then(|o| o.remove("overrides"))
            {
                overrides.extend(o);
            }
            merge(&mut base, &v);
        }
        if let Some(serde_json::Value::Array(o)) =
            base.as_object_mut().and_then(|b| b.get_mut("overrides"))
        {
            o.extend(overrides);
        } else if !overrides.is_empty() {
            if let Some(b) = base.as_object_mut() {
                b.insert("overrides".into(), serde_json::Value::Array(overrides));
            }
        }
        match serde_json::from_value::<Settings>(base) {
            Ok(s) => (s, client_error),
            // Each part is valid alone; together they cannot be invalid, but
            // never fail here.
            Err(e) => (Settings::default(), Some(e.to_string())),
        }
    }

    /// The metadata override for a file, if the settings name it.
    pub fn override_for(&self, root: Option<&std::path::Path>, path: &str) -> MetaOverride {
        let p = std::path::Path::new(path);
        for o in &self.overrides {
            let target = std::path::Path::new(&o.path);
            let matches =
                p == target || root.is_some_and(|r| r.join(target) == p) || p.ends_with(target);
            if matches {
                return MetaOverride {
                    outlet: o.outlet.clone(),
                    published: o
                        .published
                        .as_deref()
                        .and_then(crate::core::dates::parse_date_line),
                    title: o.title.clone(),
                };
            }
        }
        MetaOverride::default()
    }
}

/// A client's settings in the file's spelling: bare or under a
/// `corroborate` key, editor-side keys removed, camelCase keys in snake_case.
fn client_value(v: &serde_json::Value) -> serde_json::Value {
    let mut v = v.get("corroborate").unwrap_or(v).clone();
    if let Some(o) = v.as_object_mut() {
        for k in ["server", "documentSelector", "trace"] {
            o.remove(k);
        }
    }
    snake_keys(v)
}

fn snake_keys(v: serde_json::Value) -> serde_json::Value {
    match v {
        serde_json::Value::Object(o) => serde_json::Value::Object(
            o.into_iter()
                .map(|(k, v)| {
                    let mut s = String::with_capacity(k.len() + 2);
                    for c in k.chars() {
                        if c.is_ascii_uppercase() {
                            s.push('_');
                            s.push(c.to_ascii_lowercase());
                        } else {
                            s.push(c);
                        }
                    }
                    (s, snake_keys(v))
                })
                .collect(),
        ),
        serde_json::Value::Array(a) => {
            serde_json::Value::Array(a.into_iter().map(snake_keys).collect())
        }
        other => other,
    }
}

/// `over` deep-merged into `base`: objects key by key, anything else replaced.
fn merge(base: &mut serde_json::Value, over: &serde_json::Value) {
    match (base, over) {
        (serde_json::Value::Object(b), serde_json::Value::Object(o)) => {
            for (k, v) in o {
                match b.get_mut(k) {
                    Some(existing) => merge(existing, v),
                    None => {
                        b.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        (b, o) => *b = o.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_and_json_spellings() {
        let s = Settings::from_toml(
            "[diagnostics]\nsingle_source = true\ntension = false\n[inlay_hints]\nenable = false\n[[overrides]]\npath = \"a.txt\"\noutlet = \"Example Post\"\npublished = \"2026-01-04\"\n",
        )
        .expect("valid toml");
        assert!(s.diagnostics.single_source && !s.diagnostics.tension && !s.inlay_hints.enable);
        assert_eq!(
            s.override_for(None, "/w/a.txt").outlet.as_deref(),
            Some("Example Post")
        );
        let j = Settings::from_json(&serde_json::json!({"corroborate": {"diagnostics": {"singleSource": true}, "inlayHints": {"enable": false}}}))
            .expect("valid json");
        assert!(j.diagnostics.single_source && j.diagnostics.tension && !j.inlay_hints.enable);
        // What VS Code sends for the whole section, editor-side keys included.
        let vs = Settings::from_json(&serde_json::json!({"server": {"path": "/x"}, "documentSelector": ["plaintext"], "diagnostics": {"tension": false}}))
            .expect("editor keys are ignored");
        assert!(!vs.diagnostics.tension);
    }

    #[test]
    fn the_project_file_layers_over_the_editor_settings() {
        // What VS Code sends: every key, defaults included.
        let client = serde_json::json!({"corroborate": {
            "diagnostics": {"conflict": true, "tension": true, "singleSource": true, "debounceMs": 150},
            "inlayHints": {"enable": true},
            "files": {"globs": ["**/*.txt", "**/*.md"]},
            "server": {"path": "/x"}
        }});
        let file = "[diagnostics]\ntension = false\n[files]\nglobs = [\"articles/**/*.txt\"]\n[[overrides]]\npath = \"a.txt\"\noutlet = \"Example Post\"\n";
        let other = "[[overrides]]\npath = \"b.txt\"\noutlet = \"Other Wire\"\n";
        let (s, err) = Settings::layered(Some(&client), &[file, other]);
        assert!(err.is_none(), "{err:?}");
        assert!(!s.diagnostics.tension, "the file wins");
        assert!(
            s.diagnostics.single_source,
            "the client's keys the file does not set"
        );
        assert_eq!(s.files.globs, vec!["articles/**/*.txt".to_string()]);
        assert_eq!(s.overrides.len(), 2, "overrides of both files");
        // A broken client part is reported and the file still applies.
        let bad = serde_json::json!({"diagnostics": {"conflict": "yes"}});
        let (s, err) = Settings::layered(Some(&bad), &[file]);
        assert!(err.is_some());
        assert!(!s.diagnostics.tension && s.diagnostics.conflict);
        // A broken file is skipped (its diagnostic comes from from_toml).
        let (s, _) = Settings::layered(Some(&client), &["[diagnostics]\ntension = \"no\"\n"]);
        assert!(s.diagnostics.tension);
        // Nothing at all: the defaults.
        assert_eq!(Settings::layered(None, &[]).0, Settings::default());
    }

    #[test]
    fn what_the_vscode_extension_sends_is_read() {
        // The whole `corroborate` section, as VS Code sends it, editor-side keys included.
        let v = serde_json::json!({"corroborate": {
            "server": {"path": ""}, "documentSelector": ["plaintext"],
            "diagnostics": {"conflict": true, "tension": false, "singleSource": false,
                            "dateMismatch": true, "debounceMs": 150},
            "inlayHints": {"enable": true},
            "files": {"globs": ["**/*.txt"], "maxBytes": 1000},
            "overrides": [{"path": "a.txt", "outlet": "Example Post"}],
            "review": {"author": "ana"}
        }});
        let s = Settings::from_json(&v).expect("the extension's settings parse");
        assert_eq!(s.files.max_bytes, 1000);
        assert!(!s.diagnostics.tension);
        assert_eq!(s.overrides.len(), 1);
        assert_eq!(s.review.author.as_deref(), Some("ana"));
    }

    #[test]
    fn broken_config_reports_the_line() {
        let (line, msg) = Settings::from_toml("[diagnostics]\ntension = \"yes\"\n")
            .expect_err("a string is not a bool");
        assert_eq!(line, 1);
        assert!(!msg.is_empty());
        assert!(Settings::from_toml("[nonsense]\nx = 1\n").is_err());
    }
}
