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

/// One record: its fields' bytes end to end, and where it was in the input.
#[derive(Debug, Clone)]
pub struct Record {
    data: Vec<u8>,
    ends: Vec<usize>,
    len: usize,
    /// Line of the record's first byte (1 is the input's first line).
    pub line: u64,
    /// Offset of the record's first byte in the input.
    pub byte: u64,
    /// True when the record ends inside a quoted value: a quote was never closed, and
    /// the record ran to the end of the input.
    pub open_quote: bool,
}

impl Default for Record {
    fn default() -> Self {
        Record {
            data: vec![0; 1024],
            ends: vec![0; 32],
            len: 0,
            line: 0,
            byte: 0,
            open_quote: false,
        }
    }
}

impl PartialEq for Record {
    /// Records are equal when their fields are (not where they were read).
    fn eq(&self, other: &Record) -> bool {
        self.len == other.len
            && self.ends[..self.len] == other.ends[..other.len]
            && self.as_slice() == other.as_slice()
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

    /// All fields' bytes, end to end.
    pub fn as_slice(&self) -> &[u8] {
        &self.data[..self.len.checked_sub(1).map_or(0, |last| self.ends[last])]
    }

    /// Where each field ends in [`Record::as_slice`].
    pub fn ends(&self) -> &[usize] {
        &self.ends[..self.len]
    }

    /// Where field `i` is in [`Record::as_slice`].
    pub fn range(&self, i: usize) -> Option<Range<usize>> {
        if i >= self.len {
            return None;
        }
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
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
        }
    }

    /// The line of the next unread byte.
    fn line(&self) -> u64 {
        self.line_base + self.skipped_lines + self.core.line()
    }

    /// Reads the next record into `record`; false at the end of the input.
    pub fn read(&mut self, record: &mut Record) -> io::Result<bool> {
        use csv_core::ReadRecordResult::*;
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
            match result {
                InputEmpty => {}
                OutputFull => {
                    let size = record.data.len().max(1) * 2;
                    record.data.resize(size, 0);
                }
                OutputEndsFull => {
                    let size = record.ends.len().max(1) * 2;
                    record.ends.resize(size, 0);
                }
                Record => {
                    record.len = end;
                    return Ok(true);
                }
                End => return Ok(false),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
