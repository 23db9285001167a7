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
    fn broken_config_reports_the_line() {
        let (line, msg) = Settings::from_toml("[diagnostics]\ntension = \"yes\"\n")
            .expect_err("a string is not a bool");
        assert_eq!(line, 1);
        assert!(!msg.is_empty());
        assert!(Settings::from_toml("[nonsense]\nx = 1\n").is_err());
    }
}
