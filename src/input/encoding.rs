//! Text that is not UTF-8, transcoded while reading: UTF-16 with a byte-order mark (as
//! Excel saves "Unicode Text"), and Windows-1252 (as spreadsheets re-save exports).

use std::io::{self, BufRead, Read};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use encoding_rs::{Decoder, Encoding, UTF_16BE, UTF_16LE, WINDOWS_1252};

/// The encoding the start of a file is in, when it is not UTF-8: UTF-16 when it starts
/// with a UTF-16 byte-order mark; Windows-1252 when it has an invalid UTF-8 sequence
/// (not one cut off at the end of `head`).
pub fn sniff(head: &[u8]) -> Option<&'static Encoding> {
    if head.starts_with(b"\xFF\xFE") {
        return Some(UTF_16LE);
    }
    if head.starts_with(b"\xFE\xFF") {
        return Some(UTF_16BE);
    }
    match std::str::from_utf8(head) {
        Ok(_) => None,
        Err(e) => e.error_len().map(|_| WINDOWS_1252),
    }
}

/// A reader that turns text in another encoding into UTF-8 (the byte-order mark left
/// out). Malformed input becomes U+FFFD, and `malformed` is set.
pub struct Decoded<R> {
    inner: R,
    decoder: Decoder,
    pending: Vec<u8>,
    start: usize,
    finished: bool,
    malformed: Arc<AtomicBool>,
}

impl<R: BufRead> Decoded<R> {
    /// The reader, and a flag that says (once read) whether anything was malformed.
    pub fn new(inner: R, encoding: &'static Encoding) -> (Self, Arc<AtomicBool>) {
        let malformed = Arc::new(AtomicBool::new(false));
        let reader = Decoded {
            inner,
            decoder: encoding.new_decoder_with_bom_removal(),
            pending: Vec::new(),
            start: 0,
            finished: false,
            malformed: Arc::clone(&malformed),
        };
        (reader, malformed)
    }
}

impl<R: BufRead> Read for Decoded<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        while self.start >= self.pending.len() {
            if self.finished {
                return Ok(0);
            }
            let chunk = self.inner.fill_buf()?;
            let last = chunk.is_empty();
            let room = self
                .decoder
                .max_utf8_buffer_length(chunk.len())
                .unwrap_or(chunk.len().saturating_mul(3));
            self.pending.resize(room.max(16), 0);
            let (_, read, written, malformed) =
                self.decoder.decode_to_utf8(chunk, &mut self.pending, last);
            if malformed {
                self.malformed.store(true, Ordering::Relaxed);
            }
            self.pending.truncate(written);
            self.start = 0;
            self.inner.consume(read);
            self.finished = last;
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

    fn decode(bytes: &[u8]) -> (String, bool) {
        let encoding = sniff(bytes).expect("not UTF-8");
        // A small buffer, so that characters are split between reads.
        let inner = io::BufReader::with_capacity(3, bytes);
        let (mut reader, malformed) = Decoded::new(inner, encoding);
        let mut text = String::new();
        reader.read_to_string(&mut text).unwrap();
        (text, malformed.load(Ordering::Relaxed))
    }

    #[test]
    fn transcodes_windows_1252() {
        let bytes = b"id,title\nA-1,Z\xfcrich \x96 5 \x80 \x81\n";
        assert_eq!(sniff("Zürich".as_bytes()), None);
        assert_eq!(sniff(&bytes[..]), Some(WINDOWS_1252));
        assert_eq!(
            decode(bytes),
            ("id,title\nA-1,Zürich – 5 € \u{81}\n".to_string(), false)
        );
    }

    #[test]
    fn transcodes_utf16_with_a_byte_order_mark() {
        let text = "id\tfound_stage\nA-1\tprod 𝄞 Zürich\n";
        let mut le = vec![0xFF, 0xFE];
        let mut be = vec![0xFE, 0xFF];
        for unit in text.encode_utf16() {
            le.extend_from_slice(&unit.to_le_bytes());
            be.extend_from_slice(&unit.to_be_bytes());
        }
        assert_eq!(decode(&le), (text.to_string(), false));
        assert_eq!(decode(&be), (text.to_string(), false));
        // A lone surrogate and a byte left over: replaced, and said so.
        le.extend_from_slice(&[0x00, 0xD8, b'x']);
        let (decoded, malformed) = decode(&le);
        assert!(decoded.starts_with(text) && decoded.contains('\u{FFFD}'));
        assert!(malformed);
    }
}
