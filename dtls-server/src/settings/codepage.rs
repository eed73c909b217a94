//! The seed's `CodePage` setting: how `SendText` turns text into bytes and
//! how the text view of a `DataIn` datagram is decoded.
//!
//! Four code pages are implemented, all without tables from other crates:
//! UTF-8 (65001), ISO 8859-1 (28591), US-ASCII (20127) and Windows-1252
//! (1252). Encoding is strict (a character the code page cannot represent
//! is an error naming it); decoding never fails (bytes that do not decode
//! become U+FFFD), because the datagram's bytes stay available unchanged.

use crate::error::Error;

/// A text encoding selectable with `CodePage=<identifier>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum CodePage {
    /// 65001, Unicode UTF-8. The default (`0`, "the system code page", is
    /// UTF-8 on the platforms this project targets).
    #[default]
    Utf8,
    /// 28591, ISO 8859-1 Latin I: bytes are U+0000..=U+00FF.
    Latin1,
    /// 20127, US-ASCII (7-bit).
    Ascii,
    /// 1252, ANSI Latin I (Windows-1252): Latin-1 with printable characters
    /// in 0x80..=0x9F. The five bytes Windows leaves undefined there
    /// (0x81, 0x8D, 0x8F, 0x90, 0x9D) map to the C1 controls of the same
    /// value, as Windows and the WHATWG encoding standard do, so every byte
    /// round-trips.
    Windows1252,
}

/// Windows-1252 bytes 0x80..=0x9F. Undefined positions hold the C1 control
/// of the same value.
const CP1252_HIGH: [char; 32] = [
    '\u{20AC}', '\u{0081}', '\u{201A}', '\u{0192}', '\u{201E}', '\u{2026}', '\u{2020}', '\u{2021}',
    '\u{02C6}', '\u{2030}', '\u{0160}', '\u{2039}', '\u{0152}', '\u{008D}', '\u{017D}', '\u{008F}',
    '\u{0090}', '\u{2018}', '\u{2019}', '\u{201C}', '\u{201D}', '\u{2022}', '\u{2013}', '\u{2014}',
    '\u{02DC}', '\u{2122}', '\u{0161}', '\u{203A}', '\u{0153}', '\u{009D}', '\u{017E}', '\u{0178}',
];

impl CodePage {
    /// Every supported code page.
    pub const ALL: &'static [CodePage] = &[
        CodePage::Utf8,
        CodePage::Latin1,
        CodePage::Ascii,
        CodePage::Windows1252,
    ];

    /// The Windows code page identifier the seed uses.
    pub const fn id(self) -> u32 {
        match self {
            CodePage::Utf8 => 65001,
            CodePage::Latin1 => 28591,
            CodePage::Ascii => 20127,
            CodePage::Windows1252 => 1252,
        }
    }

    /// The seed's name of the code page.
    pub const fn name(self) -> &'static str {
        match self {
            CodePage::Utf8 => "Unicode UTF-8",
            CodePage::Latin1 => "ISO 8859-1 Latin I",
            CodePage::Ascii => "US-ASCII (7-bit)",
            CodePage::Windows1252 => "ANSI - Latin I",
        }
    }

    /// The code page with this identifier, if it is supported. `0` (the
    /// system default code page) is UTF-8.
    pub const fn from_id(id: u32) -> Option<CodePage> {
        match id {
            0 | 65001 => Some(CodePage::Utf8),
            28591 => Some(CodePage::Latin1),
            20127 => Some(CodePage::Ascii),
            1252 => Some(CodePage::Windows1252),
            _ => None,
        }
    }

    /// Encodes `text` for `SendText`.
    ///
    /// # Errors
    /// [`Error::Unencodable`] naming the first character this code page
    /// cannot represent (never for UTF-8).
    pub fn encode(self, text: &str) -> Result<Vec<u8>, Error> {
        match self {
            CodePage::Utf8 => Ok(text.as_bytes().to_vec()),
            _ => text
                .chars()
                .map(|c| {
                    self.encode_char(c).ok_or(Error::Unencodable {
                        character: c,
                        code_page: self.id(),
                    })
                })
                .collect(),
        }
    }

    fn encode_char(self, c: char) -> Option<u8> {
        let code = u32::from(c);
        match self {
            CodePage::Utf8 => None,
            CodePage::Ascii => u8::try_from(code).ok().filter(u8::is_ascii),
            CodePage::Latin1 => u8::try_from(code).ok(),
            CodePage::Windows1252 => {
                if let Some(pos) = CP1252_HIGH.iter().position(|&h| h == c) {
                    // pos < 32, so 0x80 + pos fits in a byte.
                    return u8::try_from(0x80 + pos).ok();
                }
                u8::try_from(code)
                    .ok()
                    .filter(|b| !(0x80..=0x9F).contains(b))
            }
        }
    }

    /// Decodes received bytes (the text view of a `DataIn` datagram).
    /// Never fails: bytes that are not valid in this code page become
    /// U+FFFD REPLACEMENT CHARACTER.
    pub fn decode(self, bytes: &[u8]) -> String {
        match self {
            CodePage::Utf8 => String::from_utf8_lossy(bytes).into_owned(),
            CodePage::Latin1 => bytes.iter().map(|&b| char::from(b)).collect(),
            CodePage::Ascii => bytes
                .iter()
                .map(|&b| {
                    if b.is_ascii() {
                        char::from(b)
                    } else {
                        '\u{FFFD}'
                    }
                })
                .collect(),
            CodePage::Windows1252 => bytes
                .iter()
                .map(|&b| match b {
                    0x80..=0x9F => CP1252_HIGH[usize::from(b - 0x80)],
                    _ => char::from(b),
                })
                .collect(),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip() {
        for cp in CodePage::ALL {
            assert_eq!(CodePage::from_id(cp.id()), Some(*cp));
        }
        assert_eq!(CodePage::from_id(0), Some(CodePage::Utf8));
        assert_eq!(CodePage::from_id(932), None);
    }

    #[test]
    fn utf8_is_identity() {
        let text = "h\u{e9}llo \u{20ac} \u{1F600}";
        let bytes = CodePage::Utf8.encode(text).unwrap();
        assert_eq!(bytes, text.as_bytes());
        assert_eq!(CodePage::Utf8.decode(&bytes), text);
        assert_eq!(CodePage::Utf8.decode(&[0x66, 0xFF]), "f\u{FFFD}");
    }

    #[test]
    fn latin1_covers_every_byte() {
        let all: Vec<u8> = (0..=255).collect();
        let text = CodePage::Latin1.decode(&all);
        assert_eq!(CodePage::Latin1.encode(&text).unwrap(), all);
        assert!(matches!(
            CodePage::Latin1.encode("\u{20ac}"),
            Err(Error::Unencodable {
                character: '\u{20ac}',
                code_page: 28591
            })
        ));
    }

    #[test]
    fn ascii_is_seven_bit() {
        assert_eq!(CodePage::Ascii.encode("abc").unwrap(), b"abc");
        let err = CodePage::Ascii.encode("caf\u{e9}").unwrap_err();
        assert!(err.to_string().contains("20127"), "{err}");
        assert_eq!(CodePage::Ascii.decode(b"a\xE9"), "a\u{FFFD}");
    }

    #[test]
    fn windows_1252_round_trips_every_byte() {
        let all: Vec<u8> = (0..=255).collect();
        let text = CodePage::Windows1252.decode(&all);
        assert_eq!(CodePage::Windows1252.encode(&text).unwrap(), all);
        assert_eq!(CodePage::Windows1252.encode("\u{20ac}").unwrap(), [0x80]);
        assert_eq!(
            CodePage::Windows1252.decode(&[0x93, 0x94]),
            "\u{201C}\u{201D}"
        );
        assert_eq!(CodePage::Windows1252.encode("\u{e9}").unwrap(), [0xE9]);
        // U+0080 is not a Windows-1252 character (0x80 is the euro sign).
        assert!(CodePage::Windows1252.encode("\u{80}").is_err());
        assert!(CodePage::Windows1252.encode("\u{3042}").is_err());
    }
}
