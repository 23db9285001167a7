//! Editor positions and edits on any text: conversions never panic, always
//! land on char boundaries inside the text, and edits keep the rope valid.
//! Shared by the cargo-fuzz target (structured input) and the bounded run in
//! `tests/fuzz_smoke.rs` (bytes, through [`from_bytes`]).
use corroborate::lsp::position::{apply_change, offset, position, Encoding};
use ropey::Rope;
use tower_lsp_server::ls_types::{Position, Range};

/// An edit: start line and column, end line and column, inserted text.
pub type Edit = (u32, u32, u32, u32, String);

pub fn run(text: &str, edits: Vec<Edit>, utf8: bool) {
    let enc = if utf8 {
        Encoding::Utf8
    } else {
        Encoding::Utf16
    };
    let mut rope = Rope::from_str(text);
    for (l1, c1, l2, c2, ins) in edits.into_iter().take(64) {
        let current = rope.to_string();
        let r = Range {
            start: Position::new(l1 % 64, c1 % 256),
            end: Position::new(l2 % 64, c2 % 256),
        };
        for p in [r.start, r.end] {
            let o = offset(&current, p, enc);
            assert!(o <= current.len() && current.is_char_boundary(o));
            let _ = position(&current, o, enc);
        }
        apply_change(&mut rope, Some(r), &ins, enc);
    }
}

/// Bytes as a text and edits: the first byte's low bit chooses the
/// encoding; the rest, split at NUL bytes, is the text, then one edit per
/// part (four bytes of coordinates, then the inserted text).
#[allow(dead_code)] // used by tests/fuzz_smoke.rs, not by the cargo-fuzz target
pub fn from_bytes(data: &[u8]) {
    let utf8 = data.first().is_some_and(|b| b & 1 == 1);
    let rest = data.get(1..).unwrap_or(&[]);
    let mut parts = rest.split(|&b| b == 0);
    let text = String::from_utf8_lossy(parts.next().unwrap_or(&[])).into_owned();
    let edits = parts
        .map(|p| {
            let at = |i: usize| u32::from(p.get(i).copied().unwrap_or(0));
            let ins = String::from_utf8_lossy(p.get(4..).unwrap_or(&[])).into_owned();
            (at(0), at(1), at(2), at(3), ins)
        })
        .collect();
    run(&text, edits, utf8);
}
