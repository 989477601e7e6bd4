//! CSV records straight from `csv-core`, each with the byte offset and line where its
//! text starts.
//!
//! The `csv` crate's reader dates a record from the end of the one before it, so after
//! a blank line, and on every row of a file with Windows (CRLF) line ends, its line is
//! one early. Here the line breaks between records are skipped before a record starts,
//! so findings name the line the row is on, and a reader started in the middle of a
//! file (see `csv::read`'s chunks) can be checked against one that read up to there.

use std::io::{self, BufRead};
use std::ops::Range;

/// One record: its fields' bytes, and where it was in the input.
#[derive(Debug, Clone)]
pub struct Record {
    /// The fields end to end (`gap` 0), or the line as it was, delimiters and all (1).
    data: Vec<u8>,
    ends: Vec<usize>,
    len: usize,
    /// Bytes between one field's end and the next one's start.
    gap: usize,
    /// Line of the record's first byte (1 is the input's first line).
    pub line: u64,
    /// Offset of the record's first byte in the input.
    pub byte: u64,
    /// True when the record ends inside a quoted value: a quote was never closed, and
    /// the record ran to the end of the input.
    pub open_quote: bool,
    /// True when the record grew past [`MAX_RECORD_BYTES`] or [`MAX_FIELDS`]: it holds
    /// no fields, and the reader stops there.
    pub too_long: bool,
}

/// The longest record read, in bytes (a 50 MB value fits): past it the input is taken
/// for something other than CSV, or a quote left open, and reading stops, so memory
/// stays bounded whatever the input (`/dev/zero` included).
pub const MAX_RECORD_BYTES: usize = 64 << 20;

/// The most fields in one record (the positions of a million fields take 8 MB).
pub const MAX_FIELDS: usize = 1 << 20;

impl Default for Record {
    fn default() -> Self {
        Record {
            data: vec![0; 1024],
            ends: vec![0; 32],
            len: 0,
            gap: 0,
            line: 0,
            byte: 0,
            open_quote: false,
            too_long: false,
        }
    }
}

impl PartialEq for Record {
    /// Records are equal when their fields are (not where they were read).
    fn eq(&self, other: &Record) -> bool {
        self.len == other.len && self.iter().eq(other.iter())
    }
}

impl Record {
    /// Number of fields.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// All fields' bytes, with the delimiters between them when [`Record::gap`] is 1.
    pub fn as_slice(&self) -> &[u8] {
        &self.data[..self.len.checked_sub(1).map_or(0, |last| self.ends[last])]
    }

    /// Where each field ends in [`Record::as_slice`].
    pub fn ends(&self) -> &[usize] {
        &self.ends[..self.len]
    }

    /// Bytes between the end of a field and the start of the next in
    /// [`Record::as_slice`]: 0 or 1.
    pub fn gap(&self) -> usize {
        self.gap
    }

    /// Where field `i` is in [`Record::as_slice`].
    pub fn range(&self, i: usize) -> Option<Range<usize>> {
        if i >= self.len {
            return None;
        }
        let start = if i == 0 {
            0
        } else {
            self.ends[i - 1] + self.gap
        };
        Some(start..self.ends[i])
    }

    pub fn get(&self, i: usize) -> Option<&[u8]> {
        self.range(i).map(|r| &self.data[r])
    }

    pub fn iter(&self) -> impl Iterator<Item = &[u8]> {
        (0..self.len).filter_map(|i| self.get(i))
    }
}

/// Reads records one after another from buffered input.
pub struct Records<R> {
    input: R,
    core: csv_core::Reader,
    /// Offset of the next unread byte.
    byte: u64,
    /// Line breaks skipped between records, which `core` did not see.
    skipped_lines: u64,
    /// Added to every line number: the lines before this reader's first byte.
    line_base: u64,
    delimiter: u8,
    /// Whether a line without quotes may be split here rather than by `core`; off until
    /// `core` has read a record, which strips a byte-order mark at the very start.
    fast: bool,
    /// False to leave every line to `core` (tests compare the two ways).
    plain: bool,
    /// The longest record read, in bytes ([`MAX_RECORD_BYTES`] but in tests).
    max_bytes: usize,
    /// Set once a record was too long: nothing more is read.
    stopped: bool,
}

impl<R: BufRead> Records<R> {
    /// A reader whose first byte is at `byte`, on line `line_base + 1`.
    pub fn new(input: R, delimiter: u8, byte: u64, line_base: u64) -> Records<R> {
        Records {
            input,
            core: csv_core::ReaderBuilder::new().delimiter(delimiter).build(),
            byte,
            skipped_lines: 0,
            line_base,
            delimiter,
            fast: false,
            plain: true,
            max_bytes: MAX_RECORD_BYTES,
            stopped: false,
        }
    }

    /// The reader with another limit on a record's bytes, for tests.
    #[cfg(test)]
    pub fn with_max_bytes(mut self, max_bytes: usize) -> Records<R> {
        self.max_bytes = max_bytes;
        self
    }

    /// A whole line in the buffer without a quote (or a carriage return but at its end),
    /// or whose quotes are all simple (see [`unquote`]), is split at the delimiter here,
    /// as `core` would split it, without its state machine. Returns false, having read
    /// nothing, for any other line.
    fn read_plain(&mut self, record: &mut Record) -> io::Result<bool> {
        let buf = self.input.fill_buf()?;
        let Some(newline) = memchr::memchr(b'\n', buf) else {
            return Ok(false);
        };
        let line = &buf[..newline];
        if line.len() > self.max_bytes {
            return Ok(false);
        }
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let quoted = match memchr::memchr2(b'"', b'\r', line) {
            None => false,
            Some(at) if line[at] == b'"' && memchr::memchr(b'\r', &line[at..]).is_none() => true,
            Some(_) => return Ok(false),
        };
        // Sixty-four bytes at a time, as a mask of the delimiters' positions (see
        // `delimiters`); the bits of the block are then taken in order. One loop per
        // block rather than per word: its exit is mispredicted once per block, not once
        // per field. The line is copied into a buffer of whole blocks, and the bits of
        // the bytes past its end (left from earlier lines) are cleared.
        let padded = line.len().div_ceil(64) * 64;
        if record.data.len() < padded {
            record.data.resize(padded, 0);
        }
        record.data[..line.len()].copy_from_slice(line);
        let (data, ends) = (&record.data[..padded], &mut record.ends);
        let mut fields = 0;
        let mut push = |end: usize| {
            if fields == ends.len() {
                ends.resize(fields * 2 + 1, 0);
            }
            ends[fields] = end;
            fields += 1;
        };
        for (i, block) in data.chunks_exact(64).enumerate() {
            let block = block.try_into().unwrap_or(&[0; 64]);
            let within = (line.len() - 64 * i).min(64);
            let mut mask = delimiters(block, self.delimiter) & (u64::MAX >> (64 - within));
            while mask != 0 {
                push(64 * i + mask.trailing_zeros() as usize);
                mask &= mask - 1;
            }
        }
        push(line.len());
        record.gap = 1;
        record.len = fields;
        if quoted && !unquote(line, self.delimiter, record) {
            return Ok(false);
        }
        self.input.consume(newline + 1);
        self.byte += newline as u64 + 1;
        self.skipped_lines += 1;
        Ok(true)
    }

    /// The line of the next unread byte.
    fn line(&self) -> u64 {
        self.line_base + self.skipped_lines + self.core.line()
    }

    /// Reads the next record into `record`; false at the end of the input.
    pub fn read(&mut self, record: &mut Record) -> io::Result<bool> {
        use csv_core::ReadRecordResult::*;
        if self.stopped {
            return Ok(false);
        }
        // A buffer that a long record grew is given back rather than kept for every row.
        if record.data.len() > 1 << 20 {
            record.data = vec![0; 1024];
        }
        if record.ends.len() > 1 << 16 {
            record.ends = vec![0; 32];
        }
        // Line breaks (and blank lines) before the record are not part of it.
        loop {
            let buf = self.input.fill_buf()?;
            if buf.is_empty() {
                break;
            }
            let skip = buf
                .iter()
                .position(|b| !matches!(b, b'\r' | b'\n'))
                .unwrap_or(buf.len());
            self.skipped_lines += buf[..skip].iter().filter(|&&b| b == b'\n').count() as u64;
            self.byte += skip as u64;
            let more = skip == buf.len();
            self.input.consume(skip);
            if !more {
                break;
            }
        }
        record.line = self.line();
        record.byte = self.byte;
        record.len = 0;
        record.open_quote = false;
        record.too_long = false;
        if self.fast && self.read_plain(record)? {
            return Ok(true);
        }
        let (mut out, mut end) = (0, 0);
        // At the end of the input, a record in progress is first fed one line break: it
        // ends the record unless a quoted value is still open and takes it in.
        let mut probed = false;
        loop {
            let buf = self.input.fill_buf()?;
            let probe = buf.is_empty() && !probed && record.byte < self.byte;
            let input: &[u8] = if probe { b"\n" } else { buf };
            let (result, read, written, ended) =
                self.core
                    .read_record(input, &mut record.data[out..], &mut record.ends[end..]);
            // Whether the record ended with a carriage return (`core` counts only line
            // feeds as lines; one that follows is read before the next record).
            let ended_cr = !probe && read > 0 && input[read - 1] == b'\r';
            if probe {
                if read > 0 {
                    // Taken in without ending the record: inside a quoted value.
                    probed = true;
                    record.open_quote = matches!(result, InputEmpty | OutputFull);
                }
            } else {
                self.input.consume(read);
                self.byte += read as u64;
            }
            out += written;
            end += ended;
            if out > self.max_bytes || end > MAX_FIELDS {
                return Ok(self.stop(record));
            }
            match result {
                InputEmpty => {}
                OutputFull => {
                    let size = (record.data.len().max(1) * 2).min(self.max_bytes + 1);
                    record.data.resize(size, 0);
                }
                OutputEndsFull => {
                    let size = (record.ends.len().max(1) * 2).min(MAX_FIELDS + 1);
                    record.ends.resize(size, 0);
                }
                Record => {
                    record.len = end;
                    record.gap = 0;
                    self.fast = self.plain;
                    // A lone carriage return in a file whose first lines end otherwise
                    // (those that use it throughout are read through `LoneCrAsLf`) ends
                    // a line too, as editors show it.
                    if ended_cr && self.input.fill_buf()?.first() != Some(&b'\n') {
                        self.skipped_lines += 1;
                    }
                    return Ok(true);
                }
                End => return Ok(false),
            }
        }
    }
}

impl<R> Records<R> {
    /// Marks `record` too long and stops reading; true, as `read` returns for a record.
    fn stop(&mut self, record: &mut Record) -> bool {
        record.len = 0;
        record.too_long = true;
        self.stopped = true;
        true
    }
}

/// Whether `head`, the start of an input, ends lines with a lone carriage return (as
/// "CSV (Macintosh)" files do), rather than with LF or CR LF: whether its first line
/// break is a carriage return that no line feed follows.
pub fn lone_cr(head: &[u8]) -> bool {
    memchr::memchr2(b'\r', b'\n', head)
        .is_some_and(|i| head[i] == b'\r' && head.get(i + 1).is_some_and(|&b| b != b'\n'))
}

/// Input whose line ends are read as they are, or whose lone carriage returns are read
/// as line feeds (see [`lone_cr`]), so every line gets its own number.
pub enum LineEnds<R> {
    AsTheyAre(R),
    LoneCrAsLf(LoneCrAsLf<R>),
}

impl<R: BufRead> LineEnds<R> {
    /// `input` as it is, or with lone carriage returns read as line feeds when its first
    /// buffer shows them.
    pub fn sniff(mut input: R) -> io::Result<LineEnds<R>> {
        Ok(if lone_cr(input.fill_buf()?) {
            LineEnds::LoneCrAsLf(LoneCrAsLf {
                inner: input,
                buf: vec![0; 1 << 18],
                pos: 0,
                end: 0,
                pending_cr: false,
            })
        } else {
            LineEnds::AsTheyAre(input)
        })
    }

    pub fn translated(&self) -> bool {
        matches!(self, LineEnds::LoneCrAsLf(_))
    }
}

impl<R: BufRead> io::Read for LineEnds<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let buf = self.fill_buf()?;
        let n = buf.len().min(out.len());
        out[..n].copy_from_slice(&buf[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for LineEnds<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        match self {
            LineEnds::AsTheyAre(input) => input.fill_buf(),
            LineEnds::LoneCrAsLf(input) => input.fill_buf(),
        }
    }

    fn consume(&mut self, amount: usize) {
        match self {
            LineEnds::AsTheyAre(input) => input.consume(amount),
            LineEnds::LoneCrAsLf(input) => input.consume(amount),
        }
    }
}

/// Reads a carriage return that no line feed follows as a line feed, byte for byte (so
/// offsets stay those of the input). A carriage return at the end of a buffer is held
/// back until the next byte is known.
pub struct LoneCrAsLf<R> {
    inner: R,
    buf: Vec<u8>,
    pos: usize,
    end: usize,
    pending_cr: bool,
}

impl<R: BufRead> LoneCrAsLf<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        while self.pos == self.end {
            self.pos = 0;
            let src = self.inner.fill_buf()?;
            if std::mem::take(&mut self.pending_cr) {
                self.buf[0] = if src.first() == Some(&b'\n') {
                    b'\r'
                } else {
                    b'\n'
                };
                self.end = 1;
                break;
            }
            if src.is_empty() {
                self.end = 0;
                break;
            }
            let n = src.len().min(self.buf.len());
            self.buf[..n].copy_from_slice(&src[..n]);
            self.inner.consume(n);
            let mut end = n;
            if self.buf[end - 1] == b'\r' {
                end -= 1;
                self.pending_cr = true;
            }
            let chunk = &mut self.buf[..end];
            let mut from = 0;
            while let Some(at) = memchr::memchr(b'\r', &chunk[from..]) {
                let i = from + at;
                if chunk.get(i + 1) != Some(&b'\n') {
                    chunk[i] = b'\n';
                }
                from = i + 1;
            }
            self.end = end;
        }
        Ok(&self.buf[self.pos..self.end])
    }

    fn consume(&mut self, amount: usize) {
        self.pos = (self.pos + amount).min(self.end);
    }
}

/// Bit `i` set where `block[i]` is the delimiter, with SSE2 (part of every x86-64
/// processor) sixteen bytes at a time: at 1 M rows, 5 537 M instructions in all with
/// eight-byte words, 5 229 M with this (cachegrind).
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
fn delimiters(block: &[u8; 64], delimiter: u8) -> u64 {
    use safe_arch::{cmp_eq_mask_i8_m128i, load_unaligned_m128i, move_mask_i8_m128i};
    let pattern = safe_arch::set_splat_i8_m128i(delimiter as i8);
    let mut mask = 0;
    for (i, part) in block.chunks_exact(16).enumerate() {
        let part = part.try_into().unwrap_or(&[0; 16]);
        let found = cmp_eq_mask_i8_m128i(load_unaligned_m128i(part), pattern);
        mask |= u64::from(move_mask_i8_m128i(found) as u16) << (16 * i);
    }
    mask
}

#[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
fn delimiters(block: &[u8; 64], delimiter: u8) -> u64 {
    delimiters_by_word(block, delimiter)
}

/// [`delimiters`] on any processor: each eight-byte word gives the top bit of every byte
/// equal to the delimiter (a match becomes zero in `x`), gathered into one bit per byte
/// by a multiplication.
#[cfg_attr(
    all(target_arch = "x86_64", target_feature = "sse2", not(test)),
    allow(dead_code)
)]
fn delimiters_by_word(block: &[u8; 64], delimiter: u8) -> u64 {
    const LOW: u64 = 0x7F7F_7F7F_7F7F_7F7F;
    let pattern = u64::from(delimiter) * 0x0101_0101_0101_0101;
    let mut mask = 0;
    for (w, word) in block.chunks_exact(8).enumerate() {
        let x = u64::from_le_bytes(word.try_into().unwrap_or_default()) ^ pattern;
        let found = !(((x & LOW) + LOW) | x | LOW);
        mask |= ((found >> 7).wrapping_mul(0x0102_0408_1020_4080) >> 56) << (8 * w);
    }
    mask
}

/// Turns a line split at every delimiter (`record`, as `read_plain` leaves it) into the
/// fields `core` would read, when each quote in the line opens a field and the next
/// closes it, right before a delimiter or the end of the line: the pieces between each
/// pair become one field, without its quotes, and the text after it moves back. Returns
/// false for any other line (a doubled quote, a quote inside a field, text after a
/// closing quote, a quoted line break), which `core` must read.
fn unquote(line: &[u8], delimiter: u8, record: &mut Record) -> bool {
    let n = record.len;
    let mut quotes = memchr::memchr_iter(b'"', line);
    // Fields read (`k`) and written (`j`); bytes taken out so far; bytes of the line up
    // to which the data is in its final place.
    let (mut k, mut j, mut shift, mut done) = (0, 0, 0, 0);
    while let Some(open) = quotes.next() {
        let Some(close) = quotes.next() else {
            return false;
        };
        if !(open == 0 || line[open - 1] == delimiter)
            || !(close + 1 == line.len() || line[close + 1] == delimiter)
        {
            return false;
        }
        // The fields before the opening quote move back by `shift`.
        while k < n && record.ends[k] < open {
            record.ends[j] = record.ends[k] - shift;
            j += 1;
            k += 1;
        }
        record.data.copy_within(done..open, done - shift);
        // The pieces up to the closing quote are one field, without its quotes (read
        // before the field is written over them).
        while k < n && record.ends[k] <= close {
            k += 1;
        }
        if k == n || record.ends[k] != close + 1 {
            return false;
        }
        k += 1;
        let start = open - shift;
        record.data.copy_within(open + 1..close, start);
        record.ends[j] = start + (close - open - 1);
        j += 1;
        shift += 2;
        done = close + 1;
    }
    while k < n {
        record.ends[j] = record.ends[k] - shift;
        j += 1;
        k += 1;
    }
    record.data.copy_within(done..line.len(), done - shift);
    record.len = j;
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Both ways of finding delimiters agree with a byte-by-byte search, for blocks
        /// of any bytes (high ones included) and any delimiter.
        #[test]
        fn delimiter_masks(bytes in proptest::collection::vec(any::<u8>(), 64), pick in any::<u8>(), at in 0usize..64) {
            let block: [u8; 64] = bytes.try_into().unwrap();
            // Often one of the block's own bytes, so that there are matches.
            let delimiter = if pick % 2 == 0 { block[at] } else { pick };
            let expected = (0..64).filter(|&i| block[i] == delimiter).fold(0u64, |m, i| m | 1 << i);
            prop_assert_eq!(delimiters(&block, delimiter), expected);
            prop_assert_eq!(delimiters_by_word(&block, delimiter), expected);
        }
    }

    /// Lone carriage returns as line feeds, worked out byte by byte.
    fn lone_cr_as_lf(input: &[u8]) -> Vec<u8> {
        let mut out = input.to_vec();
        for i in 0..input.len() {
            if input[i] == b'\r' && input.get(i + 1) != Some(&b'\n') {
                out[i] = b'\n';
            }
        }
        out
    }

    proptest! {
        #[test]
        fn lone_carriage_returns_read_as_line_feeds_across_buffers(
            input in proptest::collection::vec(prop_oneof![Just(b'a'), Just(b'\r'), Just(b'\n')], 0..64),
            capacity in 1usize..8,
        ) {
            // A head with a lone CR, so that the input is translated.
            let mut bytes = b"x\ry".to_vec();
            bytes.extend_from_slice(&input);
            let reader = io::BufReader::with_capacity(capacity.max(4), &bytes[..]);
            let mut ends = LineEnds::sniff(reader).unwrap();
            prop_assert!(ends.translated());
            if let LineEnds::LoneCrAsLf(inner) = &mut ends {
                inner.buf.truncate(capacity);
            }
            let mut out = Vec::new();
            io::Read::read_to_end(&mut ends, &mut out).unwrap();
            prop_assert_eq!(out, lone_cr_as_lf(&bytes));
        }
    }

    #[test]
    fn lines_ended_by_a_lone_cr_are_numbered() {
        let input = b"a,b\rc,d\r\r\"e\re\",f\rg,h\r\ni,j\r";
        let reader = LineEnds::sniff(&input[..]).unwrap();
        let mut records = Records::new(reader, b',', 0, 0);
        let mut record = Record::default();
        let mut lines = Vec::new();
        while records.read(&mut record).unwrap() {
            lines.push((
                record.line,
                String::from_utf8_lossy(record.get(0).unwrap()).into_owned(),
            ));
        }
        let expected = [(1, "a"), (2, "c"), (4, "e\ne"), (6, "g"), (7, "i")];
        assert_eq!(lines, expected.map(|(l, f)| (l, f.to_string())));
        // Files whose first line ends otherwise are read as they are.
        for other in [&b"a,b\r\nc,d\n"[..], b"a,b\n\"c\rc\",d\n"] {
            assert!(!LineEnds::sniff(other).unwrap().translated());
        }
    }

    #[test]
    fn lone_carriage_returns_after_other_line_ends_count_as_lines() {
        let input = b"h,x\nA,1\rB,2\rC,3\r\nD,\"4\r4\"\rE,5\n";
        let mut records = Records::new(&input[..], b',', 0, 0);
        let mut record = Record::default();
        let mut lines = Vec::new();
        while records.read(&mut record).unwrap() {
            lines.push((record.line, record.get(0).unwrap().to_vec()));
        }
        // D's value holds a carriage return inside quotes, which is not counted as a
        // line there (a file whose lines end with lone carriage returns from the start
        // is read through `LoneCrAsLf`, which counts every one).
        let expected: Vec<(u64, Vec<u8>)> =
            [(1, "h"), (2, "A"), (3, "B"), (4, "C"), (5, "D"), (6, "E")]
                .iter()
                .map(|(l, f)| (*l, f.as_bytes().to_vec()))
                .collect();
        assert_eq!(lines, expected);
    }

    #[test]
    fn a_record_past_the_limit_stops_the_reader() {
        for plain in [true, false] {
            for long in ["x".repeat(100), format!("\"{}", "y\n".repeat(50))] {
                let input = format!("a,b\nc,d\n{long}\ne,f\n");
                let mut records = Records::new(input.as_bytes(), b',', 0, 0).with_max_bytes(16);
                records.plain = plain;
                let mut record = Record::default();
                for line in [1, 2] {
                    assert!(records.read(&mut record).unwrap());
                    assert!(!record.too_long);
                    assert_eq!((record.line, record.len()), (line, 2));
                }
                assert!(records.read(&mut record).unwrap());
                assert!(record.too_long, "{long:?}");
                assert_eq!((record.line, record.len()), (3, 0));
                // Nothing after it is read: not the rest of the record, not the next line.
                assert!(!records.read(&mut record).unwrap());
                assert!(!records.read(&mut record).unwrap());
            }
        }
    }

    #[test]
    fn many_fields_stop_the_reader_too() {
        let input = ",".repeat(MAX_FIELDS + 10);
        let mut records = Records::new(input.as_bytes(), b',', 0, 0);
        records.plain = false;
        let mut record = Record::default();
        assert!(records.read(&mut record).unwrap());
        assert!(record.too_long);
        assert!(!records.read(&mut record).unwrap());
    }

    /// A record as tests compare it: fields, line, offset, open quote.
    type Seen = (Vec<Vec<u8>>, u64, u64, bool);

    /// Every record of `input`, and the offset after the last.
    fn read_all(input: &[u8], delimiter: u8, plain: bool) -> (Vec<Seen>, u64) {
        let mut records = Records::new(input, delimiter, 0, 0);
        records.plain = plain;
        let mut record = Record::default();
        let mut out = Vec::new();
        while records.read(&mut record).unwrap() {
            let fields = record.iter().map(<[u8]>::to_vec).collect();
            out.push((fields, record.line, record.byte, record.open_quote));
        }
        (out, records.byte)
    }

    proptest! {
        /// Lines split without `core` come out exactly as `core` splits them.
        #[test]
        fn plain_lines_split_as_the_state_machine_does(
            input in proptest::collection::vec(
                prop_oneof![
                    Just(b','), Just(b';'), Just(b'"'), Just(b'\r'), Just(b'\n'),
                    Just(b'a'), Just(b' '), Just(0xEF), Just(0xBB), Just(0xBF), Just(0u8),
                ],
                0..300,
            ),
            semicolon in any::<bool>(),
        ) {
            let delimiter = if semicolon { b';' } else { b',' };
            prop_assert_eq!(read_all(&input, delimiter, true), read_all(&input, delimiter, false));
        }

        /// The same with long lines (many eight-byte words each), most of them plain or
        /// with simple quoted values, so that the fast path takes them.
        #[test]
        fn long_plain_lines_split_as_the_state_machine_does(
            lines in proptest::collection::vec(
                proptest::collection::vec(
                    prop_oneof![
                        8 => Just(&b","[..]), 2 => Just(&b";"[..]), 12 => Just(&b"a"[..]),
                        2 => Just(&b" "[..]), 2 => Just(&b"\xC3\xA9"[..]),
                        1 => Just(&b",\"q,;\","[..]), 1 => Just(&b",\"\","[..]),
                    ],
                    0..300,
                ),
                1..6,
            ),
            semicolon in any::<bool>(),
        ) {
            let lines: Vec<Vec<u8>> = lines.iter().map(|tokens| tokens.concat()).collect();
            let input = lines.join(&b'\n');
            let delimiter = if semicolon { b';' } else { b',' };
            prop_assert_eq!(read_all(&input, delimiter, true), read_all(&input, delimiter, false));
        }
    }

    #[test]
    fn plain_lines_are_split_without_the_state_machine() {
        let input = b"h,i\na,b\r\nc,\"d, e\"\r\n\"\",\"f\"\"g\"\nh,i\n";
        assert_eq!(read_all(input, b',', true), read_all(input, b',', false));
        let mut records = Records::new(&input[..], b',', 0, 0);
        let mut record = Record::default();
        for _ in 0..5 {
            records.read(&mut record).unwrap();
        }
        // csv-core counts from line 1 and saw two line ends: the header's and that of the
        // line with a doubled quote; the line with simple quotes was split without it.
        assert_eq!(records.core.line(), 3);
    }

    #[test]
    fn simple_quotes_are_taken_out_and_others_left_to_the_state_machine() {
        let split = |line: &str| {
            let (records, _) = read_all(format!("h\n{line}\n").as_bytes(), b',', true);
            let (core, _) = read_all(format!("h\n{line}\n").as_bytes(), b',', false);
            assert_eq!(records, core, "{line}");
            // Whether the line is read without `core`, and how.
            let mut record = Record::default();
            let input = format!("{line}\n");
            let mut fast = Records::new(input.as_bytes(), b',', 0, 0);
            fast.fast = true;
            fast.read_plain(&mut record).unwrap().then(|| {
                record
                    .iter()
                    .map(|f| String::from_utf8_lossy(f).into_owned())
                    .collect::<Vec<_>>()
            })
        };
        assert_eq!(split("\"a,b\",c"), Some(s(&["a,b", "c"])));
        assert_eq!(split("x,\"\","), Some(s(&["x", "", ""])));
        assert_eq!(split("\"\""), Some(s(&[""])));
        assert_eq!(
            split("1,\"a, b, c\",2,\"d\",\"e,f\""),
            Some(s(&["1", "a, b, c", "2", "d", "e,f"]))
        );
        for other in [
            "\"a\"\"b\"",
            "a\"b",
            "\"a\"b,c",
            "\"open",
            "\"a\" ,b",
            "a,\"b\",\"c",
        ] {
            assert_eq!(split(other), None, "{other}");
        }
    }

    fn all(input: &[u8]) -> Vec<(Vec<String>, u64, u64, bool)> {
        let mut records = Records::new(input, b',', 0, 0);
        let mut record = Record::default();
        let mut out = Vec::new();
        while records.read(&mut record).unwrap() {
            let fields = record
                .iter()
                .map(|f| String::from_utf8_lossy(f).into_owned())
                .collect();
            out.push((fields, record.line, record.byte, record.open_quote));
        }
        out
    }

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn lines_and_offsets_are_where_the_text_starts() {
        assert_eq!(
            all(b"h\na,b\r\n\r\nc,\"x\ny\"\n\nd,e"),
            vec![
                (s(&["h"]), 1, 0, false),
                (s(&["a", "b"]), 2, 2, false),
                (s(&["c", "x\ny"]), 4, 9, false),
                (s(&["d", "e"]), 7, 18, false),
            ]
        );
    }

    #[test]
    fn crlf_rows_are_on_their_own_lines() {
        let lines: Vec<u64> = all(b"h\r\na\r\nb\r\n").iter().map(|r| r.1).collect();
        assert_eq!(lines, [1, 2, 3]);
    }

    #[test]
    fn an_unclosed_quote_runs_to_the_end_and_is_flagged() {
        let records = all(b"h\na,\"open\nb,c\nd,e\n");
        assert_eq!(records.len(), 2);
        assert_eq!(records[1].0[0], "a");
        assert!(records[1].0[1].starts_with("open\nb,c\nd,e\n"));
        assert!(records[1].3);
        assert!(
            !all(b"a,\"x\"\"y\"\n")[0].3,
            "a doubled quote is not an open one"
        );
    }

    #[test]
    fn long_fields_and_many_fields_grow_the_buffers() {
        let long = "x".repeat(5000);
        let many = vec!["y"; 100].join(",");
        let input = format!("{long},{many}\n");
        let records = all(input.as_bytes());
        assert_eq!(records[0].0.len(), 101);
        assert_eq!(records[0].0[0], long);
    }
}
