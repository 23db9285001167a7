//! Conversions between byte offsets (what the engine uses) and LSP positions
//! (line + column in the negotiated encoding: UTF-8 bytes or UTF-16 code
//! units). Every conversion in the server goes through here. Line breaks are
//! the ones LSP defines ("\r\n", "\n", a lone "\r"). Positions past the end
//! of a line or of the document are clamped, never a panic.

use ropey::Rope;
use tower_lsp_server::ls_types::{Position, Range};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf16,
}

/// The next line break at or after `from`: (start of the break, its length).
fn next_break(text: &str, from: usize) -> Option<(usize, usize)> {
    let rest = text.get(from..)?;
    let i = rest.find(['\n', '\r'])?;
    let len = if rest[i..].starts_with("\r\n") { 2 } else { 1 };
    Some((from + i, len))
}

fn width(c: char, enc: Encoding) -> usize {
    match enc {
        Encoding::Utf8 => c.len_utf8(),
        Encoding::Utf16 => c.len_utf16(),
    }
}

/// Byte offset in `text` → LSP position. An offset inside a "\r\n" counts as
/// the end of its line.
pub fn position(text: &str, offset: usize, enc: Encoding) -> Position {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let (mut line, mut start) = (0u32, 0usize);
    while let Some((at, len)) = next_break(text, start) {
        if at >= offset {
            break;
        }
        if at + len > offset {
            offset = at; // between "\r" and "\n"
            break;
        }
        line += 1;
        start = at + len;
    }
    let character: usize = text[start..offset].chars().map(|c| width(c, enc)).sum();
    Position {
        line,
        character: character as u32,
    }
}

/// The LSP lines of one text, computed once (per text version): where each
/// line starts and where its content ends (before its line break), and the
/// UTF-16 length of the text up to checkpoints a few hundred bytes apart, so
/// that a conversion costs a binary search and a short scan, however long
/// the text or its lines (a 1 MB article on one line).
#[derive(Debug, Clone)]
pub struct LineIndex {
    /// Byte offset of the start of each line (the first is 0).
    starts: Vec<usize>,
    /// Byte offset of the end of each line's content (its break, or the end).
    ends: Vec<usize>,
    /// (byte offset, UTF-16 units of the text before it), increasing.
    utf16: Vec<(usize, usize)>,
    len: usize,
}

const CHECKPOINT: usize = 512;

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        let mut ends = Vec::new();
        let bytes = text.as_bytes();
        let mut i = 0;
        while let Some(at) = bytes
            .get(i..)
            .and_then(|rest| rest.iter().position(|&b| b == b'\n' || b == b'\r'))
        {
            let at = i + at;
            let len = if bytes.get(at..at + 2) == Some(b"\r\n") {
                2
            } else {
                1
            };
            ends.push(at);
            starts.push(at + len);
            i = at + len;
        }
        ends.push(text.len());
        let mut utf16 = vec![(0, 0)];
        let mut units = 0;
        let mut last = 0;
        for (b, c) in text.char_indices() {
            if b - last >= CHECKPOINT {
                utf16.push((b, units));
                last = b;
            }
            units += c.len_utf16();
        }
        LineIndex {
            starts,
            ends,
            utf16,
            len: text.len(),
        }
    }

    /// True when this index was built for `text` (same length: a cheap check
    /// against using an index of another version by mistake).
    pub fn fits(&self, text: &str) -> bool {
        self.len == text.len()
    }

    /// UTF-16 units of `text` before byte `at` (a char boundary).
    fn units_before(&self, text: &str, at: usize) -> usize {
        let k = self
            .utf16
            .partition_point(|&(b, _)| b <= at)
            .saturating_sub(1);
        let (b, u) = self.utf16.get(k).copied().unwrap_or((0, 0));
        u + text
            .get(b..at)
            .map_or(0, |s| s.chars().map(char::len_utf16).sum())
    }

    /// As [`position`], in O(log n + a checkpoint's span).
    pub fn position(&self, text: &str, offset: usize, enc: Encoding) -> Position {
        if !self.fits(text) {
            return position(text, offset, enc);
        }
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self
            .starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1);
        let start = self.starts.get(line).copied().unwrap_or(0);
        let end = self.ends.get(line).copied().unwrap_or(text.len());
        // Inside a "\r\n": the end of the line.
        let offset = offset.min(end);
        let character = match enc {
            Encoding::Utf8 => offset - start,
            Encoding::Utf16 => self.units_before(text, offset) - self.units_before(text, start),
        };
        Position {
            line: line as u32,
            character: character as u32,
        }
    }

    /// As [`range`].
    pub fn range(&self, text: &str, r: std::ops::Range<usize>, enc: Encoding) -> Range {
        Range {
            start: self.position(text, r.start, enc),
            end: self.position(text, r.end, enc),
        }
    }

    /// As [`offset`], in O(log n + a checkpoint's span).
    pub fn offset(&self, text: &str, pos: Position, enc: Encoding) -> usize {
        if !self.fits(text) {
            return offset(text, pos, enc);
        }
        let line = pos.line as usize;
        let (Some(&start), Some(&end)) = (self.starts.get(line), self.ends.get(line)) else {
            return text.len();
        };
        let want = pos.character as usize;
        match enc {
            Encoding::Utf8 => {
                let mut at = start.saturating_add(want).min(end);
                while !text.is_char_boundary(at) {
                    at -= 1;
                }
                at
            }
            Encoding::Utf16 => {
                let base = self.units_before(text, start);
                let target = base + want;
                if self.units_before(text, end) <= target {
                    return end;
                }
                // From the last checkpoint at or before the target unit
                // (and not before the line), to the character holding it.
                let k = self
                    .utf16
                    .partition_point(|&(_, u)| u <= target)
                    .saturating_sub(1);
                let (mut at, mut units) = match self.utf16.get(k) {
                    Some(&(b, u)) if b > start => (b, u),
                    _ => (start, base),
                };
                for c in text.get(at..end).unwrap_or("").chars() {
                    let w = c.len_utf16();
                    if units + w > target {
                        return at;
                    }
                    units += w;
                    at += c.len_utf8();
                }
                end
            }
        }
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
    let mut start = 0;
    for _ in 0..pos.line {
        match next_break(text, start) {
            Some((at, len)) => start = at + len,
            None => return text.len(),
        }
    }
    let end = next_break(text, start).map_or(text.len(), |(at, _)| at);
    let want = pos.character as usize;
    let mut units = 0;
    for (i, c) in text[start..end].char_indices() {
        let w = width(c, enc);
        if units + w > want {
            return start + i;
        }
        units += w;
    }
    end
}

/// Apply one `didChange` content change to a rope: a range replacement, or
/// the whole text when there is no range. Ranges are clamped and ordered.
///
/// Positions are resolved by `offset` on the rope's text, the function every
/// other conversion uses, so that the server and the analysis never disagree
/// on what a line is (ropey's own line breaks include U+2028 and others that
/// LSP clients do not count).
pub fn apply_change(rope: &mut Rope, range: Option<Range>, text: &str, enc: Encoding) {
    match range {
        Some(r) => {
            let current = rope.to_string();
            let (a, b) = (offset(&current, r.start, enc), offset(&current, r.end, enc));
            let (a, b) = (a.min(b), a.max(b));
            let (ca, cb) = (rope.byte_to_char(a), rope.byte_to_char(b));
            rope.remove(ca..cb);
            rope.insert(ca, text);
        }
        None => *rope = Rope::from_str(text),
    }
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
            if TEXT[..i].ends_with('\r') && TEXT[i..].starts_with('\n') {
                continue; // inside a CRLF: not a position a client can name
            }
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
        let cr = TEXT.find('\r').unwrap_or(0);
        assert_eq!(
            offset(
                TEXT,
                Position {
                    line: 0,
                    character: 999
                },
                Encoding::Utf16
            ),
            cr
        );
        assert_eq!(
            offset(
                TEXT,
                Position {
                    line: 1,
                    character: 0
                },
                Encoding::Utf16
            ),
            cr + 2
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
    fn the_line_index_agrees_on_long_lines_and_odd_columns() {
        // Longer than several checkpoints, multi-byte all along, several breaks.
        let t = format!(
            "{}\r\n{}\r{}",
            "한🙂a“".repeat(700),
            "é中".repeat(400),
            "x🙂".repeat(300)
        );
        let ix = LineIndex::new(&t);
        for enc in [Encoding::Utf8, Encoding::Utf16] {
            for (i, _) in t
                .char_indices()
                .step_by(7)
                .chain(std::iter::once((t.len(), ' ')))
            {
                assert_eq!(ix.position(&t, i, enc), position(&t, i, enc), "{i} {enc:?}");
            }
            for line in 0..4 {
                for character in (0..4000).step_by(13) {
                    let p = Position { line, character };
                    assert_eq!(ix.offset(&t, p, enc), offset(&t, p, enc), "{p:?} {enc:?}");
                }
            }
        }
    }

    #[test]
    fn line_breaks_are_lsp_line_breaks() {
        let t = "a\r\nb\rc\nd\u{2028}e";
        let at = |c: char| t.find(c).unwrap_or(0);
        assert_eq!(
            position(t, at('b'), Encoding::Utf16),
            Position {
                line: 1,
                character: 0
            }
        );
        assert_eq!(
            position(t, at('c'), Encoding::Utf16),
            Position {
                line: 2,
                character: 0
            }
        );
        assert_eq!(
            position(t, at('d'), Encoding::Utf16),
            Position {
                line: 3,
                character: 0
            }
        );
        // U+2028 is not a line break for LSP.
        assert_eq!(
            position(t, at('e'), Encoding::Utf16),
            Position {
                line: 3,
                character: 2
            }
        );
        // Inside "\r\n" is the end of the line.
        assert_eq!(
            position(t, 2, Encoding::Utf16),
            Position {
                line: 0,
                character: 1
            }
        );
    }

    #[test]
    fn edits_land_where_the_client_means() {
        for enc in [Encoding::Utf8, Encoding::Utf16] {
            let mut rope = Rope::from_str(TEXT);
            let emoji = TEXT.find('🙂').unwrap_or(0);
            let p = position(TEXT, emoji, enc);
            apply_change(&mut rope, Some(Range { start: p, end: p }), "X", enc);
            assert_eq!(rope.to_string(), TEXT.replacen('🙂', "X🙂", 1));
            let mut rope = Rope::from_str(TEXT);
            let far = Position {
                line: 50,
                character: 3,
            };
            apply_change(
                &mut rope,
                Some(Range {
                    start: far,
                    end: far,
                }),
                "!",
                enc,
            );
            assert_eq!(rope.to_string(), format!("{TEXT}!"));
        }
    }
}

#[cfg(test)]
mod edit_streams {
    //! Random incremental edit streams, applied by the server's sync code and
    //! by a plain-string model of the client: the texts never drift apart,
    //! in either encoding, and every position maps back inside the text.
    use super::*;
    use proptest::prelude::*;

    /// A client's own idea of a position, written independently of the
    /// server's converters: walk the characters, a new line after "\n",
    /// after "\r" not followed by "\n", and count columns in bytes or in
    /// UTF-16 units (str::encode_utf16).
    fn client_position(text: &str, at: usize, utf8: bool) -> Position {
        let (mut line, mut line_start) = (0u32, 0usize);
        let mut chars = text.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            if i >= at {
                break;
            }
            let brk = match c {
                '\n' => true,
                '\r' => chars.peek().map(|&(_, n)| n) != Some('\n'),
                _ => false,
            };
            if brk {
                line += 1;
                line_start = i + 1;
            }
        }
        let col = &text[line_start..at];
        let character = if utf8 {
            col.len()
        } else {
            col.encode_utf16().count()
        };
        Position {
            line,
            character: character as u32,
        }
    }

    fn piece() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("한국".to_string()),
            Just("中文".to_string()),
            Just("🙂".to_string()),
            Just("e\u{301}".to_string()),
            Just("“q”".to_string()),
            Just("\r\n".to_string()),
            Just("\n".to_string()),
            Just("\r".to_string()),
            Just("abc".to_string()),
            Just(String::new()),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

        #[test]
        fn server_and_client_texts_agree(
            initial in proptest::collection::vec(piece(), 0..20),
            edits in proptest::collection::vec((0usize..400, 0usize..400, proptest::collection::vec(piece(), 0..4)), 1..60),
            utf8 in any::<bool>(),
        ) {
            let enc = if utf8 { Encoding::Utf8 } else { Encoding::Utf16 };
            let mut client: String = initial.concat();
            let mut rope = Rope::from_str(&client);
            for (a, b, ins) in edits {
                // Two positions a client can name: char boundaries, not inside a CRLF.
                let bounds: Vec<usize> = client
                    .char_indices()
                    .map(|(i, _)| i)
                    .chain(std::iter::once(client.len()))
                    .filter(|&i| !(client[..i].ends_with('\r') && client[i..].starts_with('\n')))
                    .collect();
                let (x, y) = (bounds[a % bounds.len()], bounds[b % bounds.len()]);
                let (x, y) = (x.min(y), x.max(y));
                // The client names the range its own way; the server's
                // converters (plain and indexed) agree with it both ways.
                let range = Range { start: client_position(&client, x, utf8), end: client_position(&client, y, utf8) };
                let ix = LineIndex::new(&client);
                for (at, p) in [(x, range.start), (y, range.end)] {
                    prop_assert_eq!(position(&client, at, enc), p);
                    prop_assert_eq!(ix.position(&client, at, enc), p);
                    prop_assert_eq!(offset(&client, p, enc), at);
                    prop_assert_eq!(ix.offset(&client, p, enc), at);
                }
                let ins = ins.concat();
                apply_change(&mut rope, Some(range), &ins, enc);
                client.replace_range(x..y, &ins);
                prop_assert_eq!(rope.to_string(), client.clone());
                let ix = LineIndex::new(&client);
                for off in [0, x, x + ins.len(), client.len()] {
                    let back = offset(&client, position(&client, off, enc), enc);
                    prop_assert!(back <= client.len() && client.is_char_boundary(back));
                    prop_assert_eq!(ix.position(&client, off, enc), position(&client, off, enc));
                }
            }
        }
    }
}
