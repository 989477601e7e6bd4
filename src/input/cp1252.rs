//! Windows-1252 text, as spreadsheets re-save exports, transcoded to UTF-8 while reading.

use std::io::{self, BufRead, Read};

/// Characters 0x80..=0x9F of Windows-1252; the rest of the upper half is Latin-1.
const HIGH: [char; 32] = [
    '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8D}', 'Ž', '\u{8F}',
    '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9D}', 'ž', 'Ÿ',
];

fn decode(byte: u8) -> char {
    match byte {
        0x80..=0x9F => HIGH[(byte - 0x80) as usize],
        _ => byte as char,
    }
}

/// True when the start of a file is not UTF-8 (an invalid sequence, not one cut off
/// at the end of the buffer) but reads as Windows-1252.
pub fn looks_like_cp1252(head: &[u8]) -> bool {
    match std::str::from_utf8(head) {
        Ok(_) => false,
        Err(e) => e.error_len().is_some(),
    }
}

/// A reader that turns Windows-1252 bytes into UTF-8.
pub struct Cp1252<R> {
    inner: R,
    pending: Vec<u8>,
    start: usize,
}

impl<R: BufRead> Cp1252<R> {
    pub fn new(inner: R) -> Self {
        Cp1252 {
            inner,
            pending: Vec::new(),
            start: 0,
        }
    }
}

impl<R: BufRead> Read for Cp1252<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if self.start >= self.pending.len() {
            self.pending.clear();
            self.start = 0;
            let chunk = self.inner.fill_buf()?;
            if chunk.is_empty() {
                return Ok(0);
            }
            let mut buf = [0u8; 4];
            for &b in chunk {
                if b < 0x80 {
                    self.pending.push(b);
                } else {
                    self.pending
                        .extend_from_slice(decode(b).encode_utf8(&mut buf).as_bytes());
                }
            }
            let n = chunk.len();
            self.inner.consume(n);
        }
        let n = out.len().min(self.pending.len() - self.start);
        out[..n].copy_from_slice(&self.pending[self.start..self.start + n]);
        self.start += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transcodes_windows_1252() {
        let bytes = b"id,title\nA-1,Z\xfcrich \x96 5 \x80\n";
        assert!(looks_like_cp1252(bytes));
        assert!(!looks_like_cp1252("Zürich".as_bytes()));
        let mut text = String::new();
        Cp1252::new(&bytes[..]).read_to_string(&mut text).unwrap();
        assert_eq!(text, "id,title\nA-1,Zürich – 5 €\n");
    }
}
