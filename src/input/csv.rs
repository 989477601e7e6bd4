//! Native records as CSV: delimiter detected from the header line, byte-order mark
//! accepted, quoted fields with newlines, line numbers that count the header.

use std::borrow::Cow;
use std::io::BufRead;

use anyhow::Result;

use super::exports::{detect, Cells, CsvKind, Mapped, Mapper};
use super::{ReadContext, RowVisitor};
use crate::model::raw::{ColumnNames, Field, RawRow};
use crate::model::{Finding, Outcome};

/// Picks `,` `;` or tab: whichever occurs most often outside quotes in the first line.
pub fn detect_delimiter(head: &[u8]) -> u8 {
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for &b in head {
        match b {
            b'"' => quoted = !quoted,
            b'\n' if !quoted => break,
            b',' if !quoted => counts[0] += 1,
            b';' if !quoted => counts[1] += 1,
            b'\t' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let best = (0..3)
        .max_by_key(|&i| (counts[i], std::cmp::Reverse(i)))
        .unwrap_or(0);
    [b',', b';', b'\t'][best]
}

fn finding(
    file: &str,
    line: u64,
    column: Option<String>,
    outcome: Outcome,
    reason: &'static str,
    message: String,
) -> Finding {
    Finding {
        file: file.to_string(),
        line,
        column,
        message,
        outcome,
        reason,
    }
}

/// Reads a CSV file: native records, or an export recognised from its header (or the
/// kind `forced` by `--input-format`).
pub fn read(
    file: &str,
    mut input: impl BufRead + Send,
    visitor: &mut dyn RowVisitor,
    ctx: &ReadContext<'_>,
    forced: Option<CsvKind>,
) -> Result<()> {
    let head = input.fill_buf()?;
    if head.starts_with(b"\xEF\xBB\xBF") {
        input.consume(3);
    }
    let head = input.fill_buf()?;
    if head.iter().all(|b| b.is_ascii_whitespace()) {
        visitor.finding(finding(
            file,
            1,
            None,
            Outcome::Fatal,
            "empty file",
            "the file is empty; export the records again, with a header line naming the columns"
                .into(),
        ));
        return Ok(());
    }
    let delimiter = detect_delimiter(head);
    let mut reader = ::csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(input);
    let mut record = ::csv::ByteRecord::new();
    if !reader.read_byte_record(&mut record)? {
        return Ok(());
    }
    let headers: Vec<String> = record
        .iter()
        .map(|raw| {
            let name = String::from_utf8_lossy(raw);
            ctx.rules
                .header(name.trim_start_matches('\u{feff}'))
                .to_string()
        })
        .collect();
    let kind = forced.unwrap_or_else(|| detect(&headers, ctx.mappings));
    visitor.format(&kind.name());
    if kind != CsvKind::Native {
        return read_export(file, reader, record, &headers, kind, visitor, ctx);
    }
    let mut columns = ColumnNames::default();
    let mut mapping: Vec<(usize, Field)> = Vec::new();
    for (i, name) in headers.iter().enumerate() {
        if let Some(field) = Field::from_header(name) {
            if columns.0[field.index()].is_none() {
                columns.0[field.index()] = Some(name.trim().to_string());
                mapping.push((i, field));
            }
        }
    }
    let missing: Vec<&str> = Field::ALL
        .iter()
        .filter(|f| f.required() && columns.0[f.index()].is_none())
        .map(|f| f.name())
        .collect();
    if !missing.is_empty() {
        let found: Vec<String> = record
            .iter()
            .take(12)
            .map(|h| String::from_utf8_lossy(h).trim().to_string())
            .collect();
        visitor.finding(finding(
            file,
            1,
            None,
            Outcome::Fatal,
            "missing columns",
            format!(
                "the header has no {} column{}; the native format needs id, found_stage and detected_at (the header has: {}). Rename the columns, or convert the file with `escape-report import`",
                missing.join(", "),
                if missing.len() == 1 { "" } else { "s" },
                found.join(", ")
            ),
        ));
        return Ok(());
    }
    let native = NativeRows {
        file,
        mapping,
        columns,
        header_len: record.len(),
    };
    pipelined(reader, |item| match item {
        Item::Record(record) => native.handle(record, visitor),
        Item::Error { line, message } => visitor.bad_row(finding(
            file,
            line,
            None,
            Outcome::Skipped,
            "unreadable row",
            format!("the row cannot be read as CSV ({message}); check its quotes"),
        )),
    })
}

/// What the tokenizing thread hands over.
enum Item<'a> {
    Record(&'a ::csv::ByteRecord),
    Error { line: u64, message: String },
}

/// Records per batch between the tokenizing thread and the one that does the rest.
const BATCH: usize = 512;

enum Batch {
    Records(Vec<::csv::ByteRecord>, usize),
    Error { line: u64, message: String },
}

/// Reads records on a second thread while `handle` works on the previous batch, so
/// tokenizing and the rest of the work use both cores. Order is kept.
fn pipelined<R: std::io::Read + Send>(
    mut reader: ::csv::Reader<R>,
    mut handle: impl FnMut(Item<'_>),
) -> Result<()> {
    let (full_tx, full_rx) = std::sync::mpsc::sync_channel::<Batch>(4);
    let (empty_tx, empty_rx) = std::sync::mpsc::channel::<Vec<::csv::ByteRecord>>();
    std::thread::scope(|scope| {
        let producer = scope.spawn(move || -> std::io::Result<()> {
            let mut last_line = 1;
            loop {
                let mut batch = empty_rx
                    .try_recv()
                    .unwrap_or_else(|_| vec![::csv::ByteRecord::new(); BATCH]);
                let mut filled = 0;
                let mut done = false;
                while filled < BATCH {
                    match reader.read_byte_record(&mut batch[filled]) {
                        Ok(true) => {
                            last_line =
                                batch[filled].position().map_or(last_line + 1, |p| p.line());
                            filled += 1;
                        }
                        Ok(false) => {
                            done = true;
                            break;
                        }
                        Err(e) => {
                            if let ::csv::ErrorKind::Io(_) = e.kind() {
                                let _ = full_tx.send(Batch::Records(batch, filled));
                                return Err(std::io::Error::other(e.to_string()));
                            }
                            let line = e.position().map_or(last_line + 1, |p| p.line());
                            if full_tx
                                .send(Batch::Records(std::mem::take(&mut batch), filled))
                                .is_err()
                            {
                                return Ok(());
                            }
                            if full_tx
                                .send(Batch::Error {
                                    line,
                                    message: e.to_string(),
                                })
                                .is_err()
                            {
                                return Ok(());
                            }
                            batch = vec![::csv::ByteRecord::new(); BATCH];
                            filled = 0;
                        }
                    }
                }
                if full_tx.send(Batch::Records(batch, filled)).is_err() || done {
                    return Ok(());
                }
            }
        });
        for batch in full_rx {
            match batch {
                Batch::Records(records, filled) => {
                    for record in &records[..filled] {
                        handle(Item::Record(record));
                    }
                    let _ = empty_tx.send(records);
                }
                Batch::Error { line, message } => handle(Item::Error { line, message }),
            }
        }
        producer
            .join()
            .map_err(|_| anyhow::anyhow!("the reading thread stopped unexpectedly"))?
            .map_err(anyhow::Error::from)
    })
}

/// Turns native records into raw rows.
struct NativeRows<'f> {
    file: &'f str,
    mapping: Vec<(usize, Field)>,
    columns: ColumnNames,
    header_len: usize,
}

impl NativeRows<'_> {
    fn handle(&self, record: &::csv::ByteRecord, visitor: &mut dyn RowVisitor) {
        let file = self.file;
        let line = record.position().map_or(0, |p| p.line());
        if record.len() == 1 && record.get(0).is_some_and(|f| f.is_empty()) {
            return; // a blank line
        }
        let header_len = self.header_len;
        if record.len() != header_len {
            let message = if record.len() < header_len {
                format!("the row has {} fields but the header has {}; the missing ones are taken as empty (a truncated line or a stray delimiter?)", record.len(), header_len)
            } else {
                format!("the row has {} fields but the header has {}; the extra ones are ignored (an unquoted delimiter inside a value?)", record.len(), header_len)
            };
            visitor.finding(finding(
                file,
                line,
                None,
                Outcome::Repaired,
                "wrong number of fields",
                message,
            ));
        }
        let mut row = RawRow::default();
        // One UTF-8 check for the whole record: fields split at ASCII delimiters, so when
        // the whole is valid every field is, and slices of it need no further check.
        let whole = std::str::from_utf8(record.as_slice()).ok();
        for &(i, field) in &self.mapping {
            let Some(range) = record.range(i) else {
                continue;
            };
            if range.is_empty() {
                continue;
            }
            let bytes = &record.as_slice()[range.clone()];
            let text = match whole
                .and_then(|w| w.get(range))
                .map(Ok)
                .unwrap_or_else(|| std::str::from_utf8(bytes))
            {
                Ok(s) => Cow::Borrowed(s),
                Err(_) => {
                    visitor.finding(finding(
                        file,
                        line,
                        self.columns.0[field.index()].clone(),
                        Outcome::Repaired,
                        "invalid UTF-8",
                        "the value is not valid UTF-8; unreadable bytes were replaced with \u{FFFD}. Save the file as UTF-8".into(),
                    ));
                    Cow::Owned(String::from_utf8_lossy(bytes).into_owned())
                }
            };
            let text = if crate::output_csv::is_text(field) {
                match text {
                    Cow::Borrowed(t) => Cow::Borrowed(crate::output_csv::restore(t)),
                    Cow::Owned(t) => Cow::Owned(crate::output_csv::restore(&t).to_string()),
                }
            } else {
                text
            };
            row.values[field.index()] = Some(text);
        }
        visitor.row(&row, line, &self.columns);
    }
}

/// The rows of an export, mapped record by record onto the native columns.
fn read_export<R: std::io::Read>(
    file: &str,
    mut reader: ::csv::Reader<R>,
    mut record: ::csv::ByteRecord,
    headers: &[String],
    kind: CsvKind,
    visitor: &mut dyn RowVisitor,
    ctx: &ReadContext<'_>,
) -> Result<()> {
    let mapper = Mapper::new(kind.clone(), headers, ctx.mappings);
    if let Some(missing) = mapper.missing() {
        visitor.finding(finding(
            file,
            1,
            None,
            Outcome::Fatal,
            "missing columns",
            format!(
                "{missing}; export again with all fields, or name the format with --input-format"
            ),
        ));
        return Ok(());
    }
    let columns = mapper.column_names(headers);
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                if let ::csv::ErrorKind::Io(_) = e.kind() {
                    return Err(e.into());
                }
                let line = e.position().map_or(0, |p| p.line());
                visitor.bad_row(finding(
                    file,
                    line,
                    None,
                    Outcome::Skipped,
                    "unreadable row",
                    format!("the row cannot be read as CSV ({e}); check its quotes"),
                ));
                continue;
            }
        }
        let line = record.position().map_or(0, |p| p.line());
        if record.iter().all(|f| f.iter().all(u8::is_ascii_whitespace)) {
            continue;
        }
        let mut bad_utf8 = false;
        let cells = Cells {
            values: record
                .iter()
                .map(|bytes| match std::str::from_utf8(bytes) {
                    Ok(s) => Cow::Borrowed(s),
                    Err(_) => {
                        bad_utf8 = true;
                        Cow::Owned(String::from_utf8_lossy(bytes).into_owned())
                    }
                })
                .collect(),
        };
        if bad_utf8 {
            visitor.finding(finding(file, line, None, Outcome::Repaired, "invalid UTF-8", "the row is not valid UTF-8; unreadable bytes were replaced with \u{FFFD}. Save the file as UTF-8".into()));
        }
        match mapper.map(&cells, ctx.rules) {
            Mapped::Row(row) => visitor.row(&row, line, &columns),
            Mapped::Skip { reason, message } => {
                visitor.bad_row(finding(file, line, None, Outcome::Skipped, reason, message))
            }
            Mapped::NotARecord => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delimiter_is_the_most_frequent_outside_quotes() {
        assert_eq!(detect_delimiter(b"id,title,found_stage\n1;2"), b',');
        assert_eq!(detect_delimiter(b"id;title;found_stage\n"), b';');
        assert_eq!(detect_delimiter(b"id\ttitle\tfound_stage"), b'\t');
        assert_eq!(detect_delimiter(b"\"a,b,c\";x;y\n"), b';');
    }
}
