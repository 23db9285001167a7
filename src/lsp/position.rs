//! Conversions between byte offsets (what the engine uses) and LSP positions
//! (line + column in the negotiated encoding: UTF-8 bytes or UTF-16 code
//! units). Every conversion in the server goes through here. Positions past
//! the end of a line or of the document are clamped, never a panic.

use ropey::Rope;
use tower_lsp_server::ls_types::{Position, Range};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf16,
}

/// Byte offset in `text` → LSP position.
pub fn position(text: &str, offset: usize, enc: Encoding) -> Position {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count();
    let line_start = before.rfind('\n').map_or(0, |p| p + 1);
    let col_text = &text[line_start..offset];
    let character = match enc {
        Encoding::Utf8 => col_text.len(),
        Encoding::Utf16 => col_text.chars().map(char::len_utf16).sum(),
    };
    Position {
        line: line as u32,
        character: character as u32,
    }
}

/// Byte range → LSP range.
pub fn range(text: &str, r: std::ops::Range<usize>, enc: Encoding) -> Range {
    Range {
        start: position(text, r.start, enc),
        end: position(text, r.end, enc),
    }
}

/// LSP position → byte offset in `text`; clamped to the line and the text,
/// and to a char boundary (a UTF-16 column inside a surrogate pair, or a
/// UTF-8 column inside a character, lands before that character).
pub fn offset(text: &str, pos: Position, enc: Encoding) -> usize {
    let mut line_start = 0;
    for _ in 0..pos.line {
        match text[line_start..].find('\n') {
            Some(i) => line_start += i + 1,
            None => return text.len(),
        }
    }
    let line_end = text[line_start..]
        .find('\n')
        .map_or(text.len(), |i| line_start + i);
    let line = &text[line_start..line_end];
    let want = pos.character as usize;
    let mut units = 0;
    for (i, c) in line.char_indices() {
        let w = match enc {
            Encoding::Utf8 => c.len_utf8(),
            Encoding::Utf16 => c.len_utf16(),
        };
        if units + w > want {
            return line_start + i;
        }
        units += w;
    }
    line_end
}

/// LSP position → char index in a rope (for applying edits), clamped.
pub fn rope_char(rope: &Rope, pos: Position, enc: Encoding) -> usize {
    let lines = rope.len_lines();
    let line = (pos.line as usize).min(lines.saturating_sub(1));
    if pos.line as usize >= lines {
        return rope.len_chars();
    }
    let line_start = rope.line_to_char(line);
    let slice = rope.line(line);
    // The line without its terminator.
    let mut len = slice.len_chars();
    while len > 0 && matches!(slice.char(len - 1), '\n' | '\r') {
        len -= 1;
    }
    let want = pos.character as usize;
    let mut units = 0;
    for (i, c) in slice.chars().take(len).enumerate() {
        let w = match enc {
            Encoding::Utf8 => c.len_utf8(),
            Encoding::Utf16 => c.len_utf16(),
        };
        if units + w > want {
            return line_start + i;
        }
        units += w;
    }
    line_start + len
}

#[cfg(test)]
mod tests {
    use super::*;

    // Hangul, CJK, an emoji (a surrogate pair in UTF-16), curly quotes, CRLF.
    const TEXT: &str = "한국 中文 “quote” 🙂 end\r\nsecond line é\nthird";

    fn roundtrip(enc: Encoding) {
        for (i, _) in TEXT
            .char_indices()
            .chain(std::iter::once((TEXT.len(), ' ')))
        {
            let p = position(TEXT, i, enc);
            assert_eq!(offset(TEXT, p, enc), i, "offset {i} -> {p:?} ({enc:?})");
        }
    }

    #[test]
    fn roundtrip_utf16() {
        roundtrip(Encoding::Utf16);
    }

    #[test]
    fn roundtrip_utf8() {
        roundtrip(Encoding::Utf8);
    }

    #[test]
    fn columns_in_both_encodings() {
        let emoji = TEXT.find('🙂').unwrap_or(0);
        let after = emoji + '🙂'.len_utf8();
        // 한국(2) space 中文(2) space “quote”(7) space = 14 UTF-16 units before the emoji
        assert_eq!(
            position(TEXT, emoji, Encoding::Utf16),
            Position {
                line: 0,
                character: 14
            }
        );
        assert_eq!(
            position(TEXT, after, Encoding::Utf16),
            Position {
                line: 0,
                character: 16
            }
        );
        assert_eq!(
            position(TEXT, emoji, Encoding::Utf8).character as usize,
            emoji
        );
        let e = TEXT.find('é').unwrap_or(0);
        assert_eq!(
            position(TEXT, e, Encoding::Utf16),
            Position {
                line: 1,
                character: 12
            }
        );
    }

    #[test]
    fn clamps_past_the_end() {
        assert_eq!(
            offset(
                TEXT,
                Position {
                    line: 0,
                    character: 999
                },
                Encoding::Utf16
            ),
            TEXT.find('\r').unwrap_or(0)
        );
        assert_eq!(
            offset(
                TEXT,
                Position {
                    line: 99,
                    character: 0
                },
                Encoding::Utf16
            ),
            TEXT.len()
        );
        // Inside the surrogate pair: lands before the emoji.
        let emoji = TEXT.find('🙂').unwrap_or(0);
        assert_eq!(
            offset(
                TEXT,
                Position {
                    line: 0,
                    character: 15
                },
                Encoding::Utf16
            ),
            emoji
        );
        assert_eq!(
            position(TEXT, 10_000, Encoding::Utf8),
            position(TEXT, TEXT.len(), Encoding::Utf8)
        );
    }

    #[test]
    fn rope_positions_match_string_positions() {
        let rope = Rope::from_str(TEXT);
        for enc in [Encoding::Utf8, Encoding::Utf16] {
            for (i, _) in TEXT.char_indices() {
                let p = position(TEXT, i, enc);
                let c = rope_char(&rope, p, enc);
                assert_eq!(rope.char_to_byte(c), i, "{p:?} {enc:?}");
            }
            assert_eq!(
                rope_char(
                    &rope,
                    Position {
                        line: 50,
                        character: 3
                    },
                    enc
                ),
                rope.len_chars()
            );
        }
    }
}
