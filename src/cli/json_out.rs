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
/// bytes at a time.
fn first_escape(bytes: &[u8]) -> Option<usize> {
    let mut chunks = bytes.chunks_exact(8);
    let mut at = 0;
    for chunk in &mut chunks {
        let word = u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8]));
        if needs_escape(word) {
            if let Some(p) = chunk.iter().position(|&b| escape(b).is_some()) {
                return Some(at + p);
            }
        }
        at += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(|&b| escape(b).is_some())
        .map(|p| at + p)
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

/// Whether any of the eight bytes of `w` is below 0x20, a `"` or a `\`.
/// (The classic word-at-a-time tests: `(x - 0x01…) & !x & 0x80…` is non-zero
/// exactly when some byte of `x` is zero, and with `0x20…` in place of
/// `0x01…`, when some byte is below 0x20.)
fn needs_escape(w: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let below = w.wrapping_sub(ONES * 0x20) & !w & HIGH;
    let quote = w ^ (ONES * u64::from(b'"'));
    let quote = quote.wrapping_sub(ONES) & !quote & HIGH;
    let slash = w ^ (ONES * u64::from(b'\\'));
    let slash = slash.wrapping_sub(ONES) & !slash & HIGH;
    (below | quote | slash) != 0
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
    pub prefix: u8,
    pub n: u32,
}

impl ReportId {
    /// The id's text, in `buf` (the prefix, then at most ten digits).
    fn text(self, buf: &mut [u8; 11]) -> &str {
        let mut digits = itoa::Buffer::new();
        let digits = digits.format(self.n).as_bytes();
        for (b, d) in buf
            .iter_mut()
            .zip(std::iter::once(&self.prefix).chain(digits))
        {
            *b = *d;
        }
        let text = buf.get(..1 + digits.len()).unwrap_or_default();
        std::str::from_utf8(text).unwrap_or_default()
    }
}

impl serde::Serialize for ReportId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.text(&mut [0; 11]))
    }
}

/// Appends an id of the report as a JSON string.
pub fn push_id(out: &mut Vec<u8>, id: ReportId) {
    out.push(b'"');
    out.extend_from_slice(id.text(&mut [0; 11]).as_bytes());
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
