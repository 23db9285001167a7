//! Writing the JSON report's most numerous elements (claims, facts,
//! relations) straight into a byte buffer, in exactly the bytes
//! `serde_json::to_writer` writes for their `Serialize` forms.
//!
//! Why by hand: serde_json escapes a string one byte at a time, and the
//! report of 1,000 articles is about 21 MB of mostly claim text; its string
//! escaping was a sixth of the instructions of a `check` whose articles all
//! came from the cache. Here runs of eight bytes that need no escape are
//! recognised a word at a time. The tests compare every writer with
//! serde_json's output.

/// Appends `s` as a JSON string (with its quotes), escaped as serde_json
/// escapes it: `"` and `\` with a backslash; backspace, form feed, newline,
/// carriage return and tab as `\b \f \n \r \t`; other bytes below 0x20 as
/// `\u00XX` (lowercase hex); everything else, non-ASCII included, as is.
pub fn push_str(out: &mut Vec<u8>, s: &str) {
    out.reserve(s.len() + 2);
    out.push(b'"');
    let mut rest = s.as_bytes();
    while let Some(at) = first_escape(rest) {
        let (run, tail) = rest.split_at_checked(at).unwrap_or((rest, &[]));
        out.extend_from_slice(run);
        let Some((&b, tail)) = tail.split_first() else {
            rest = &[];
            break;
        };
        match escape(b) {
            Some(Escape::Short(c)) => out.extend_from_slice(&[b'\\', c]),
            Some(Escape::Unicode) => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.extend_from_slice(b"\\u00");
                out.push(HEX[usize::from(b >> 4)]);
                out.push(HEX[usize::from(b & 0xF)]);
            }
            None => out.push(b),
        }
        rest = tail;
    }
    out.extend_from_slice(rest);
    out.push(b'"');
}

/// The position of the first byte of `bytes` to escape, looked for eight
/// bytes at a time, sixteen in the loop.
fn first_escape(bytes: &[u8]) -> Option<usize> {
    let word = |b: &[u8]| u64::from_le_bytes(b.try_into().unwrap_or([0; 8]));
    let mut at = 0;
    let mut pairs = bytes.chunks_exact(16);
    for pair in &mut pairs {
        let (lo, hi) = pair.split_at(8);
        let (lo, hi) = (escape_mask(word(lo)), escape_mask(word(hi)));
        if lo != 0 {
            return Some(at + first_flagged(lo));
        }
        if hi != 0 {
            return Some(at + 8 + first_flagged(hi));
        }
        at += 16;
    }
    let mut rest = pairs.remainder();
    if let Some((w, tail)) = rest.split_first_chunk::<8>() {
        let m = escape_mask(u64::from_le_bytes(*w));
        if m != 0 {
            return Some(at + first_flagged(m));
        }
        at += 8;
        rest = tail;
    }
    rest.iter()
        .position(|&b| escape(b).is_some())
        .map(|p| at + p)
}

/// The index of the lowest byte flagged in a mask of [`escape_mask`].
fn first_flagged(mask: u64) -> usize {
    (mask.trailing_zeros() / 8) as usize
}

enum Escape {
    Short(u8),
    Unicode,
}

fn escape(b: u8) -> Option<Escape> {
    Some(match b {
        b'"' => Escape::Short(b'"'),
        b'\\' => Escape::Short(b'\\'),
        0x08 => Escape::Short(b'b'),
        0x0C => Escape::Short(b'f'),
        b'\n' => Escape::Short(b'n'),
        b'\r' => Escape::Short(b'r'),
        b'\t' => Escape::Short(b't'),
        0..=0x1F => Escape::Unicode,
        _ => return None,
    })
}

/// The high bit of each of the eight bytes of `w` (little-endian) that is
/// below 0x20, a `"` or a `\\`, and maybe of bytes above the first such
/// one: the lowest bit set is always that of the first byte to escape.
/// (The classic word-at-a-time tests: `(x - 0x01…) & !x & 0x80…` flags a
/// zero byte, and with `0x20…` in place of `0x01…`, a byte below 0x20; a
/// borrow only runs upwards from a flagged byte, so the lowest flag is
/// exact.)
fn escape_mask(w: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let below = w.wrapping_sub(ONES * 0x20) & !w & HIGH;
    let quote = w ^ (ONES * u64::from(b'"'));
    let quote = quote.wrapping_sub(ONES) & !quote & HIGH;
    let slash = w ^ (ONES * u64::from(b'\\'));
    let slash = slash.wrapping_sub(ONES) & !slash & HIGH;
    below | quote | slash
}

/// Appends an unsigned number.
pub fn push_uint(out: &mut Vec<u8>, n: u64) {
    out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
}

/// A claim's or fact's id in the report ("c12", "f3"): a prefix letter and
/// a number, written without a `String` of its own (the report writes two
/// for each of its relations, and formatting them was a twentieth of
/// `check` on 1,000 articles).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportId {
    /// An ASCII letter (`c` or `f`): written as is.
    pub prefix: u8,
    pub n: u32,
}

impl ReportId {
    /// The id as a JSON string (`"c12"`), in `buf`: the quotes, the prefix
    /// and at most ten digits.
    fn quoted(self, buf: &mut [u8; 13]) -> &[u8] {
        let mut digits = itoa::Buffer::new();
        let digits = digits.format(self.n).as_bytes();
        let end = digits.len() + 2;
        buf[0] = b'"';
        buf[1] = self.prefix;
        if let Some(d) = buf.get_mut(2..end) {
            d.copy_from_slice(digits);
        }
        if let Some(q) = buf.get_mut(end) {
            *q = b'"';
        }
        buf.get(..=end).unwrap_or_default()
    }
}

impl serde::Serialize for ReportId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // The text between the quotes: a letter and digits, so UTF-8.
        let mut buf = [0; 13];
        let quoted = self.quoted(&mut buf);
        let text = quoted
            .get(1..quoted.len().saturating_sub(1))
            .unwrap_or_default();
        s.serialize_str(std::str::from_utf8(text).unwrap_or_default())
    }
}

/// Appends an id of the report as a JSON string, in one copy (the report
/// has two ids a relation: pushed byte by byte, with the id's text made
/// apart and checked as UTF-8, they were a twentieth of a warm `check`).
///
/// The bytes are pushed one by one into room reserved first: copying the
/// id's few bytes with `extend_from_slice` (and making them with a copy)
/// called the C library's `memcpy` twice per id, a twenty-fifth of the
/// samples of a `check` of an edited folder (perf, 10,000 articles). (A
/// block of 16 bytes appended whole and cut to length measured slower.)
pub fn push_id(out: &mut Vec<u8>, id: ReportId) {
    let mut digits = itoa::Buffer::new();
    let digits = digits.format(id.n).as_bytes();
    out.reserve(digits.len() + 3);
    out.push(b'"');
    out.push(id.prefix);
    for &d in digits {
        out.push(d);
    }
    out.push(b'"');
}

/// Appends an optional string: the string, or `null`.
pub fn push_opt_str(out: &mut Vec<u8>, s: Option<&str>) {
    match s {
        Some(s) => push_str(out, s),
        None => out.extend_from_slice(b"null"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ours(s: &str) -> String {
        let mut out = Vec::new();
        push_str(&mut out, s);
        String::from_utf8(out).expect("the escaped string is UTF-8")
    }

    #[test]
    fn escapes_as_serde_json_does() {
        for s in [
            "",
            "plain",
            "exactly8",
            "a \"quoted\" word",
            "back\\slash at the end\\",
            "tab\there, newline\nthere, return\r, feed\x0c, bell\x07, nul\0, del\x7f",
            "“curly” quotes — and 한국어, 中文, emoji 🎉 in one line",
            "\"\"\"\"\"\"\"\"\"",
            "0123456789abcdef\x1f",
        ] {
            assert_eq!(
                ours(s),
                serde_json::to_string(s).expect("serialises"),
                "{s:?}"
            );
        }
    }

    #[test]
    fn every_byte_below_0x80_is_escaped_as_serde_json_does() {
        for b in 0u8..0x80 {
            // At each position of a word, and in the tail.
            for pad in 0..10 {
                let s = format!(
                    "{}{}{}",
                    "x".repeat(pad),
                    char::from(b),
                    "y".repeat(9 - pad)
                );
                assert_eq!(ours(&s), serde_json::to_string(&s).expect("serialises"));
            }
        }
    }

    #[test]
    fn the_first_escape_is_found_at_any_position() {
        // Every length across the sixteen- and eight-byte steps and the
        // tail, each byte to escape at every position, after plain ASCII,
        // after UTF-8 and after bytes that come near the flags (0x20, 0x21,
        // 0x5B, 0x7F).
        for len in 1..40 {
            for at in 0..len {
                for (special, fill) in [
                    ('"', 'x'),
                    ('\\', 'é'),
                    ('\n', ' '),
                    ('\x1f', '!'),
                    ('"', '['),
                    ('\x00', '\x7f'),
                ] {
                    let s: String = (0..len)
                        .map(|i| if i == at { special } else { fill })
                        .collect();
                    assert_eq!(ours(&s), serde_json::to_string(&s).expect("serialises"));
                    let at_byte = s.char_indices().nth(at).map(|(i, _)| i);
                    assert_eq!(first_escape(s.as_bytes()), at_byte, "{s:?}");
                }
            }
        }
    }

    proptest! {
        #[test]
        fn any_string_is_escaped_as_serde_json_does(s in any::<String>()) {
            prop_assert_eq!(ours(&s), serde_json::to_string(&s).expect("serialises"));
        }

        #[test]
        fn ascii_with_specials_is_escaped_as_serde_json_does(
            s in proptest::collection::vec(
                prop_oneof![Just('"'), Just('\\'), Just('\n'), Just('\x01'), Just('a'), Just('é')],
                0..40,
            ).prop_map(|v| v.into_iter().collect::<String>())
        ) {
            prop_assert_eq!(ours(&s), serde_json::to_string(&s).expect("serialises"));
        }
    }

    #[test]
    fn ids_and_numbers_are_serde_json_s() {
        let mut out = Vec::new();
        push_id(
            &mut out,
            ReportId {
                prefix: b'c',
                n: 4_294_967_295,
            },
        );
        push_uint(&mut out, 0);
        push_opt_str(&mut out, None);
        push_opt_str(&mut out, Some("x"));
        assert_eq!(out, br#""c4294967295"0null"x""#);
        let id = ReportId { prefix: b'f', n: 7 };
        assert_eq!(serde_json::to_string(&id).expect("serialises"), r#""f7""#);
    }
}
