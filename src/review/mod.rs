//! The review workflow: reviewers' annotations that survive edits, restarts and
//! collaborators, their W3C Web Annotation export, and the cross-source matrix.
//!
//! - [`store`]: `.corroborate/annotations.jsonl` (one JSON object a line),
//!   locked appends written atomically; malformed lines kept and reported.
//! - [`anchor`]: quote + prefix/suffix + position selectors and re-anchoring.
//! - [`export`]: W3C Web Annotation Data Model JSON-LD and plain JSON.
//! - [`html`]: the self-contained HTML matrix of `corroborate report --html`.
//! - [`marks`]: the marks of a whole corpus, as `corroborate check` honours them.
//!
//! For the language server:
//! ```no_run
//! # use std::path::Path;
//! use corroborate::review::Store;
//! let store = Store::open("/path/to/workspace").unwrap();
//! let (path, text) = (Path::new("/path/to/workspace/a.txt"), "article text");
//! let marks = store.marks(path, text); // anchor once per document version
//! let span = 0..7;
//! if marks.is_ignored(&span) { /* drop the diagnostic */ }
//! if let Some(v) = marks.verification(&span) { println!("verified by {}", v.author); }
//! ```

pub mod anchor;
pub mod cli;
pub mod export;
pub mod html;
pub mod marks;
pub mod store;

pub use anchor::{Method, Selector};
pub use store::{
    find_root, Anchored, Annotation, FileMarks, Malformed, NewAnnotation, Status, Store,
};
