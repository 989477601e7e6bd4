//! Short texts as numbers, for lookups on every row: a text of up to sixteen bytes
//! becomes three integers that hash and compare in a few instructions, where a `String`
//! key costs a hash over its bytes and a call to `memcmp`.

/// A text of up to sixteen bytes as numbers that give it back: its length, and its
/// first and last eight bytes (four, or the first, middle and last byte, for shorter
/// texts), overlapping when it is shorter than sixteen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ShortKey(u64, u64, u8);

impl ShortKey {
    /// `None` for a text longer than sixteen bytes.
    #[inline]
    pub fn of(text: &str) -> Option<ShortKey> {
        let b = text.as_bytes();
        let n = b.len();
        let eight = |s: &[u8]| u64::from_le_bytes(s.try_into().unwrap_or_default());
        let four = |s: &[u8]| u64::from(u32::from_le_bytes(s.try_into().unwrap_or_default()));
        let byte = |i: usize| u64::from(b[i]);
        Some(match n {
            0 => ShortKey(0, 0, 0),
            1..=3 => ShortKey(byte(0) | byte(n / 2) << 8 | byte(n - 1) << 16, 0, n as u8),
            4..=7 => ShortKey(four(&b[..4]), four(&b[n - 4..]), n as u8),
            8..=16 => ShortKey(eight(&b[..8]), eight(&b[n - 8..]), n as u8),
            _ => return None,
        })
    }

    /// The text the key was made from.
    pub fn text(self) -> String {
        let ShortKey(first, last, n) = self;
        let n = usize::from(n);
        let (first, last) = (first.to_le_bytes(), last.to_le_bytes());
        let mut bytes = vec![0; n];
        match n {
            0 => {}
            1..=3 => {
                bytes[n - 1] = first[2];
                bytes[n / 2] = first[1];
                bytes[0] = first[0];
            }
            _ => {
                let half = if n < 8 { 4 } else { 8 };
                bytes[n - half..].copy_from_slice(&last[..half]);
                bytes[..half].copy_from_slice(&first[..half]);
            }
        }
        // The bytes came from a text, so they are UTF-8.
        String::from_utf8_lossy(&bytes).into_owned()
    }

    /// The key of the text in ASCII lower case; `None` when the text is not ASCII.
    #[inline]
    pub fn ascii_lowercase(self) -> Option<ShortKey> {
        const EACH: u64 = u64::MAX / 255;
        let ShortKey(first, last, n) = self;
        if (first | last) & (EACH * 0x80) != 0 {
            return None;
        }
        // Every byte is below 0x80, so these sums carry into no other byte: the top bit
        // of a byte of `from_a` is set from `A` up, that of `past_z` from the byte after
        // `Z` up. Setting bit 5 of the bytes in between lowers them.
        let lower = |word: u64| {
            let from_a = word + EACH * (0x80 - u64::from(b'A'));
            let past_z = word + EACH * (0x80 - u64::from(b'Z') - 1);
            word | ((from_a & !past_z & (EACH * 0x80)) >> 2)
        };
        Some(ShortKey(lower(first), lower(last), n))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_give_their_text_back() {
        for text in [
            "",
            "a",
            "ab",
            "abc",
            "abcd",
            "héllo",
            "1234567",
            "12345678",
            "sixteen bytes!!!",
            "é",
            "日本",
        ] {
            assert_eq!(ShortKey::of(text).unwrap().text(), text);
        }
        assert_eq!(ShortKey::of("seventeen bytes!!"), None);
        assert_ne!(ShortKey::of("abcdefghi"), ShortKey::of("abcdefgh"));
        assert_ne!(ShortKey::of("aXb"), ShortKey::of("aYb"));
    }

    #[test]
    fn lower_case_keys_are_the_keys_of_lower_case_texts() {
        for b in 0u8..128 {
            // Every byte in every position of texts of each length, next to upper- and
            // lower-case letters.
            for n in 1..=16 {
                for at in 0..n {
                    let mut text = b"AbCdEfGhIjKlMnOp"[..n].to_vec();
                    text[at] = b;
                    let text = std::str::from_utf8(&text).unwrap();
                    let key = ShortKey::of(text).unwrap().ascii_lowercase();
                    assert_eq!(key, ShortKey::of(&text.to_ascii_lowercase()), "{text:?}");
                }
            }
        }
        assert_eq!(ShortKey::of("é").unwrap().ascii_lowercase(), None);
        assert_eq!(ShortKey::of("abcdefgé").unwrap().ascii_lowercase(), None);
    }
}
