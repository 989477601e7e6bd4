//! Findings: every row that was rejected or repaired, with where it was and what to do.

use std::fmt;

use serde::Serialize;

/// What happened to the row a finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// The row was not used.
    Skipped,
    /// The row was used; the value named was ignored or replaced.
    Repaired,
    /// The row repeated an id seen before and was not counted again.
    Duplicate,
    /// The whole file could not be read past this point.
    Fatal,
}

/// Characters of a value a finding quotes in full; a longer one is cut short.
const SHOWN_CHARS: usize = 80;

/// Text from the input with its control characters made visible and harmless: those a
/// terminal or a viewer would act on (ESC starting a colour or title sequence, a
/// carriage return overwriting a line, NUL, DEL, the C1 range) become the matching
/// symbol of Unicode's Control Pictures block (`␛`, `␍`, `␀`, `␡`) or `�`. So do the
/// bidirectional embeddings, overrides and isolates (U+202A to U+202E, U+2066 to
/// U+2069), which become `�`: an unclosed right-to-left override shows the rest of a
/// terminal line, or of a table cell, backwards. Tabs and line breaks stay. Borrowed,
/// without a copy, when there is nothing to change.
pub fn visible(value: &str) -> std::borrow::Cow<'_, str> {
    if !suspect(value.as_bytes()) || !changes(value.as_bytes()) {
        return std::borrow::Cow::Borrowed(value);
    }
    // What `c` shows as, `next` following it (a CR before LF is a line break too).
    let picture = |c: char, next: Option<char>| match c {
        '\t' | '\n' => c,
        '\r' if next == Some('\n') => c,
        '\0'..='\u{1f}' => char::from_u32(0x2400 + c as u32).unwrap_or('\u{FFFD}'),
        '\u{7f}' => '\u{2421}',
        '\u{80}'..='\u{9f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => '\u{FFFD}',
        _ => c,
    };
    let mut chars = value.chars().peekable();
    let mut shown = String::with_capacity(value.len());
    while let Some(c) = chars.next() {
        shown.push(picture(c, chars.peek().copied()));
    }
    std::borrow::Cow::Owned(shown)
}

/// Whether [`visible`] changes `bytes` (valid UTF-8), byte by byte: the characters
/// `picture` replaces, found by their encodings.
fn changes(bytes: &[u8]) -> bool {
    bytes.iter().enumerate().any(|(i, &b)| match b {
        b'\t' | b'\n' => false,
        b'\r' => bytes.get(i + 1) != Some(&b'\n'),
        0..=0x1F | 0x7F => true,
        // U+0080 to U+009F.
        0xC2 => matches!(bytes.get(i + 1), Some(0x80..=0x9F)),
        // U+202A to U+202E, U+2066 to U+2069.
        0xE2 => matches!(
            (bytes.get(i + 1), bytes.get(i + 2)),
            (Some(0x80), Some(0xAA..=0xAE)) | (Some(0x81), Some(0xA6..=0xA9))
        ),
        _ => false,
    })
}

/// Whether `bytes` may hold a character [`visible`] changes: true for any byte below
/// 0x20 (tab and line feed included, checked afterwards), DEL, or any byte of a
/// non-ASCII character (C1 controls and direction controls are among those). Eight
/// bytes at a time, as this runs on every row: one test a word, which costs less over
/// a whole file than a finer one would save on its rows with accented letters
/// (callgrind, 1 M rows of which 3 % have some: 5 878 M instructions with a test for
/// 0xC2 and 0xE2 only, against 5 753 M). On x86-64, sixteen bytes at a time with SSE2.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
pub fn suspect(bytes: &[u8]) -> bool {
    use safe_arch::{cmp_gt_mask_i8_m128i, cmp_lt_mask_i8_m128i, set_splat_i8_m128i};
    // As signed bytes, the printable ones are those above 0x1F and below 0x7F (bytes
    // from 0x80 are negative).
    let (above, below) = (set_splat_i8_m128i(0x1F), set_splat_i8_m128i(0x7F));
    let printable = |part: &[u8; 16]| {
        let x = safe_arch::load_unaligned_m128i(part);
        cmp_gt_mask_i8_m128i(x, above) & cmp_lt_mask_i8_m128i(x, below)
    };
    let mut parts = bytes.chunks_exact(16);
    let mut all = set_splat_i8_m128i(-1);
    for part in &mut parts {
        all &= printable(part.try_into().unwrap_or(&[0; 16]));
    }
    let mut last = [b' '; 16];
    last[..parts.remainder().len()].copy_from_slice(parts.remainder());
    all &= printable(&last);
    safe_arch::move_mask_i8_m128i(all) != 0xFFFF
}

#[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
pub fn suspect(bytes: &[u8]) -> bool {
    suspect_by_word(bytes)
}

/// [`suspect`] on any processor, eight bytes at a time.
#[cfg_attr(
    all(target_arch = "x86_64", target_feature = "sse2", not(test)),
    allow(dead_code)
)]
fn suspect_by_word(bytes: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const LOW: u64 = 0x7F7F_7F7F_7F7F_7F7F;
    const HIGH: u64 = !LOW;
    // The top bit of a byte is set when the byte is 0x7F or more (0x7F + 1 carries into
    // it, and bytes from 0x80 have it), or below 0x20 (0x20 taken from it borrows).
    let flagged = |x: u64| (((x & LOW) + ONES) | x | (x.wrapping_sub(ONES * 0x20) & !x)) & HIGH;
    let mut words = bytes.chunks_exact(8);
    let mut found = 0;
    for word in &mut words {
        found |= flagged(u64::from_le_bytes(word.try_into().unwrap_or_default()));
    }
    let mut last = [b' '; 8];
    last[..words.remainder().len()].copy_from_slice(words.remainder());
    (found | flagged(u64::from_le_bytes(last))) != 0
}

/// Characters that take no room when shown: soft hyphen, zero-width and direction marks
/// (the Arabic letter mark too), direction embeddings, overrides and isolates, word
/// joiners, byte-order mark.
pub fn invisible(c: char) -> bool {
    matches!(c, '\u{ad}' | '\u{61c}' | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2069}' | '\u{feff}')
}

/// A value from the input as a finding quotes it: whole when short, else its start and
/// its length, so a 50 MB cell makes a one-line message; control characters are made
/// visible (see [`visible`]).
pub fn shown(value: &str) -> std::borrow::Cow<'_, str> {
    // Invisible characters (a zero-width space, a byte-order mark, a direction mark)
    // are named, or "unknown stage 'production'" would make no sense.
    if value.chars().any(invisible) {
        let named: String = value
            .chars()
            .map(|c| match invisible(c) {
                true => format!("<U+{:04X}>", c as u32),
                false => c.to_string(),
            })
            .collect();
        return std::borrow::Cow::Owned(shown(&named).into_owned());
    }
    let value = match visible(value) {
        std::borrow::Cow::Borrowed(value) => value,
        std::borrow::Cow::Owned(changed) => {
            return std::borrow::Cow::Owned(shown(&changed).into_owned())
        }
    };
    match value.char_indices().nth(SHOWN_CHARS) {
        None => std::borrow::Cow::Borrowed(value),
        Some((cut, _)) => {
            let start = value[..cut]
                .char_indices()
                .nth(SHOWN_CHARS / 2)
                .map_or(cut, |(i, _)| i);
            std::borrow::Cow::Owned(format!(
                "{}… ({} characters)",
                &value[..start],
                value.chars().count()
            ))
        }
    }
}

/// One problem with the input, located as precisely as the format allows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub file: String,
    /// 1-based, counting the header line.
    pub line: u64,
    /// The column's header name as written in the file, when the finding is about one column.
    pub column: Option<String>,
    pub message: String,
    #[serde(skip)]
    pub outcome: Outcome,
    /// A short, stable reason used to count findings by kind.
    #[serde(skip)]
    pub reason: &'static str,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file, self.line)?;
        if let Some(column) = &self.column {
            write!(f, ": column '{column}'")?;
        }
        write!(f, ": {}", self.message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_block_checks_find_what_a_byte_loop_finds() {
        let flagged = |b: u8| !(0x20..0x7F).contains(&b);
        for check in [suspect, suspect_by_word] {
            for b in 0..=255u8 {
                for at in 0..40 {
                    let mut bytes = vec![b'a'; 40];
                    bytes[at] = b;
                    assert_eq!(check(&bytes), flagged(b), "byte {b:#x} at {at}");
                    assert_eq!(
                        check(&bytes[..at + 1]),
                        flagged(b),
                        "byte {b:#x} last of {}",
                        at + 1
                    );
                }
            }
        }
        // Every printable ASCII byte next to every other passes.
        let printable: Vec<u8> = (0x20..0x7F).collect();
        for a in &printable {
            let pair: Vec<u8> = printable.iter().flat_map(|b| [*a, *b]).collect();
            assert!(!suspect(&pair));
        }
        assert!(suspect("£5".as_bytes()));
        assert!(suspect("a\u{85}b".as_bytes()), "C1 control");
        assert!(suspect("a\u{202e}b".as_bytes()), "right-to-left override");
        // Accented text is looked at, and passes `visible` unchanged.
        assert!(suspect("Zürich, café, Øresund, ﬁ".as_bytes()));
        assert!(matches!(
            visible("Zürich, café, Øresund, ﬁ — 5 €"),
            std::borrow::Cow::Borrowed(_)
        ));
        // Every character that reports must not show as it is (control characters,
        // direction overrides and isolates) is flagged, wherever it falls in a word.
        let shown_otherwise = |c: char| matches!(c, '\0'..='\u{1f}' | '\u{7f}'..='\u{9f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
        for c in (0..0x11_0000).filter_map(char::from_u32) {
            // The byte-wise test agrees with the characters' own.
            for text in [format!("a{c}b"), format!("{c}"), format!("{c}\n")] {
                let chars: Vec<char> = text.chars().collect();
                let changed = chars.iter().enumerate().any(|(i, &c)| match c {
                    '\t' | '\n' => false,
                    '\r' => chars.get(i + 1) != Some(&'\n'),
                    _ => shown_otherwise(c),
                });
                assert_eq!(changes(text.as_bytes()), changed, "U+{:04X}", c as u32);
            }
            if shown_otherwise(c) {
                for pad in 0..8 {
                    let text = format!("{}{c}", "a".repeat(pad));
                    assert!(suspect(text.as_bytes()), "U+{:04X}", c as u32);
                }
            }
        }
    }

    #[test]
    fn control_characters_become_symbols() {
        assert!(matches!(
            visible("plain £ text\twith\nbreaks"),
            std::borrow::Cow::Borrowed(_)
        ));
        assert_eq!(
            visible("\x1b[31mred\r\0\x7f"),
            "\u{241b}[31mred\u{240d}\u{2400}\u{2421}"
        );
        assert_eq!(visible("c1\u{9b}31m"), "c1\u{fffd}31m");
        // Direction overrides and isolates; Hebrew and the marks that only hint stay.
        assert_eq!(
            visible("fix \u{202e}gnp.exe\u{2066}x\u{2069} \u{5e9}\u{5dc}\u{200f}"),
            "fix \u{fffd}gnp.exe\u{fffd}x\u{fffd} \u{5e9}\u{5dc}\u{200f}"
        );
        assert_eq!(shown("stage\x1b[2J"), "stage\u{241b}[2J");
        assert_eq!(shown("production\u{200b}"), "production<U+200B>");
        assert_eq!(shown("\u{feff}2"), "<U+FEFF>2");
        assert_eq!(shown("code\u{61c}"), "code<U+061C>");
        // Findings name a direction control rather than show it as �.
        assert_eq!(shown("\u{2066}prod\u{202e}"), "<U+2066>prod<U+202E>");
    }

    #[test]
    fn long_values_are_cut_short() {
        assert_eq!(shown("PRJ-12"), "PRJ-12");
        let exact = "x".repeat(SHOWN_CHARS);
        assert_eq!(shown(&exact), exact);
        let long = "é".repeat(50_000_000 / 2);
        let cut = shown(&long);
        assert!(cut.ends_with("… (25000000 characters)"), "{cut}");
        assert!(cut.chars().count() < 80);
    }
}
