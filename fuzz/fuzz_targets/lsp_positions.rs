//! Editor positions and edits on any text: conversions never panic, always
//! land on char boundaries inside the text, and edits keep the rope valid.
#![no_main]
use corroborate::lsp::position::{apply_change, offset, position, Encoding};
use libfuzzer_sys::fuzz_target;
use ropey::Rope;
use tower_lsp_server::ls_types::{Position, Range};

fuzz_target!(|data: (String, Vec<(u32, u32, u32, u32, String)>, bool)| {
    let (text, edits, utf8) = data;
    let enc = if utf8 {
        Encoding::Utf8
    } else {
        Encoding::Utf16
    };
    let mut rope = Rope::from_str(&text);
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
});
