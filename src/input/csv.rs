//! Native records as CSV: delimiter detected from the header line, byte-order mark
//! accepted, quoted fields with newlines, line numbers that count the header.

use std::borrow::Cow;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use anyhow::Result;

use super::exports::{detect, Cells, CsvKind, Mapped, Mapper};
use super::records::{Record, Records};
use super::{Forked, ReadContext, RowVisitor};
use crate::model::finding::shown;
use crate::model::raw::{ColumnNames, Field, RawRow};
use crate::model::{Finding, Outcome};

/// Picks `,` `;` or tab: whichever occurs most often outside quotes in the header line,
/// the first that is not blank (as [`Records`] skips blank lines before a record).
pub fn detect_delimiter(head: &[u8]) -> u8 {
    let start = head
        .iter()
        .position(|b| !matches!(b, b'\r' | b'\n'))
        .unwrap_or(head.len());
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for &b in &head[start..] {
        match b {
            b'"' => quoted = !quoted,
            b'\n' | b'\r' if !quoted => break,
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

/// The finding for a record that a never-closed quote ran to the end of the input.
fn unclosed_quote(file: &str, line: u64) -> Finding {
    finding(
        file,
        line,
        None,
        Outcome::Skipped,
        "unclosed quote",
        "a quoted value in this row is never closed, so everything after it to the end of the file was read into this one row, which is skipped; close the quote (a quote inside a quoted value is written twice: \"\")".into(),
    )
}

/// The finding for a record too long to read, where reading the file stopped.
fn too_long(file: &str, line: u64) -> Finding {
    finding(
        file,
        line,
        None,
        Outcome::Fatal,
        "row too long",
        format!(
            "this row is longer than {} MiB (or has more than {} fields), so it and the rest of the file were not read; is a quote left open (a quote inside a quoted value is written twice: \"\"), or is the file not CSV?",
            super::records::MAX_RECORD_BYTES >> 20,
            super::records::MAX_FIELDS
        ),
    )
}

/// The names of a header line for a message that says which columns are missing: the
/// first twelve, each quoted as the file spells it (so that an empty name or one holding
/// a comma shows as such), then how many more there are.
pub(super) fn header_names(header: &Record) -> String {
    const LISTED: usize = 12;
    let mut names = (header.iter().take(LISTED))
        .map(|name| format!("'{}'", String::from_utf8_lossy(name).trim()))
        .collect::<Vec<_>>()
        .join(", ");
    if header.len() > LISTED {
        names += &format!(" and {} more", header.len() - LISTED);
    }
    names
}

/// The finding for a row with more or fewer fields than the header, if it has.
fn wrong_field_count(file: &str, record: &Record, header_len: usize) -> Option<Finding> {
    let fields = record.len();
    let message = match fields.cmp(&header_len) {
        std::cmp::Ordering::Equal => return None,
        std::cmp::Ordering::Less => format!("the row has {fields} fields but the header has {header_len}; the missing ones are taken as empty (a truncated line or a stray delimiter?)"),
        std::cmp::Ordering::Greater => format!("the row has {fields} fields but the header has {header_len}; the extra ones are ignored (an unquoted delimiter inside a value?)"),
    };
    Some(finding(
        file,
        record.line,
        None,
        Outcome::Repaired,
        "wrong number of fields",
        message,
    ))
}

/// The finding for a copy of the header line inside the file.
fn repeated_header(file: &str, line: u64) -> Finding {
    finding(
        file,
        line,
        None,
        Outcome::Skipped,
        "repeated header",
        "this line repeats the header line (were files joined together?); it is skipped. Remove it, or give the files as separate inputs".into(),
    )
}

/// A header's names as they are compared: without a byte-order mark, spaces, `-` and
/// `_`, in lower case, so that a header line repeated inside a file is recognised however
/// its copy is spelt (files from different exports joined with `cat`).
struct HeaderKeys(Vec<Vec<u8>>);

impl HeaderKeys {
    fn of(header: &Record) -> HeaderKeys {
        HeaderKeys(header.iter().map(|name| loose(name).collect()).collect())
    }

    /// Whether `record` is the header again. A row whose first byte is a letter or
    /// digit other than the header's first costs one comparison; others are compared
    /// field by field without a copy.
    fn repeated_by(&self, record: &Record) -> bool {
        if record.len() != self.0.len() {
            return false;
        }
        // A letter or digit is neither dropped by `loose` nor the start of a BOM.
        if let Some(&b) = record.get(0).and_then(<[u8]>::first) {
            let key = self.0.first().and_then(|k| k.first()).copied();
            if b.is_ascii_alphanumeric() && Some(b.to_ascii_lowercase()) != key {
                return false;
            }
        }
        record
            .iter()
            .zip(&self.0)
            .all(|(field, key)| loose(field).eq(key.iter().copied()))
    }
}

/// The bytes of a header name as [`HeaderKeys`] compares them.
fn loose(name: &[u8]) -> impl Iterator<Item = u8> + '_ {
    name.strip_prefix(b"\xEF\xBB\xBF")
        .unwrap_or(name)
        .iter()
        .filter(|b| !matches!(b, b' ' | b'-' | b'_' | b'\t'))
        .map(u8::to_ascii_lowercase)
}

/// Reads a CSV file: native records, or an export recognised from its header (or the
/// kind `forced` by `--input-format`). `chunkable` names the file when `input` is its
/// bytes unchanged: a large native file is then read in two halves on two threads.
pub fn read(
    file: &str,
    mut input: impl BufRead + Send,
    visitor: &mut dyn RowVisitor,
    ctx: &ReadContext<'_>,
    forced: Option<CsvKind>,
    chunkable: Option<&Path>,
) -> Result<()> {
    let head = input.fill_buf()?;
    let bom = if head.starts_with(b"\xEF\xBB\xBF") {
        input.consume(3);
        3
    } else {
        0
    };
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
    // Lines ended by a lone CR are numbered as lines; such a file is read in one go.
    let input = super::records::LineEnds::sniff(input)?;
    let chunkable = chunkable.filter(|_| !input.translated());
    let mut records = Records::new(input, delimiter, bom, 0);
    let mut record = Record::default();
    if !records.read(&mut record)? {
        return Ok(());
    }
    if record.too_long {
        visitor.format(&CsvKind::Native.name());
        visitor.finding(too_long(file, record.line));
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
    // Findings about the header name its line, which blank lines may push down.
    let header_line = record.line;
    if kind != CsvKind::Native {
        return read_export(file, records, &headers, &record, kind, visitor, ctx);
    }
    let mut columns = ColumnNames::default();
    let mut slots: Vec<Option<Field>> = vec![None; headers.len()];
    for (i, name) in headers.iter().enumerate() {
        let Some(field) = Field::from_header(name) else {
            continue;
        };
        if columns.0[field.index()].is_none() {
            columns.0[field.index()] = Some(shown(name.trim()).into_owned());
            slots[i] = Some(field);
            continue;
        }
        let first = slots.iter().position(|s| *s == Some(field)).unwrap_or(0);
        visitor.finding(finding(
            file,
            header_line,
            Some(shown(name.trim()).into_owned()),
            Outcome::Repaired,
            "repeated column",
            format!(
                "columns {} and {} of the header are both {}; the values of column {} are ignored. Remove or rename one of them",
                first + 1,
                i + 1,
                field.name(),
                i + 1
            ),
        ));
    }
    let missing: Vec<&str> = Field::ALL
        .iter()
        .filter(|f| f.required() && columns.0[f.index()].is_none())
        .map(|f| f.name())
        .collect();
    if !missing.is_empty() {
        visitor.finding(finding(
            file,
            header_line,
            None,
            Outcome::Fatal,
            "missing columns",
            format!(
                "the header has no {} column{}; the native format needs id, found_stage and detected_at (the header has: {}). Rename the columns, or convert the file with `escape-report import`",
                missing.join(", "),
                if missing.len() == 1 { "" } else { "s" },
                header_names(&record)
            ),
        ));
        return Ok(());
    }
    let id_column = slots.iter().position(|slot| *slot == Some(Field::Id));
    let mapped = (slots.iter().enumerate())
        .filter_map(|(column, slot)| Some((column, (*slot)?)))
        .collect();
    let native = NativeRows {
        mapped,
        file,
        columns,
        header_len: record.len(),
        header: HeaderKeys::of(&record),
        // Only a file with exactly the columns `import` writes, in its order, is taken
        // for its output, whose defused cells (`'=…`) are read back as they were.
        restore: record
            .iter()
            .eq(Field::ALL.iter().map(|f| f.name().as_bytes())),
        id_column,
    };
    let plan = chunkable.and_then(|path| split_point(path).map(|split| (path, split)));
    let rows = match (plan, visitor.fork()) {
        (Some((path, split)), Some(fork)) => {
            chunked(&native, records, path, split, delimiter, visitor, fork)?
        }
        _ => pipelined(records, Record::default(), |batch| {
            native.handle_all(batch, visitor)
        })?,
    };
    if rows == 0 {
        visitor.finding(no_rows(file, header_line));
    }
    Ok(())
}

/// The finding for a file with a header line and nothing under it.
fn no_rows(file: &str, header_line: u64) -> Finding {
    finding(
        file,
        header_line,
        None,
        Outcome::Fatal,
        "no rows",
        "the file has a header line but no rows; export the records again (is the export's filter too narrow?)".into(),
    )
}

/// Files at least this large are read in two halves at once (small ones in unit tests,
/// so that they go that way).
static CHUNKED_MIN_BYTES: AtomicU64 = AtomicU64::new(if cfg!(test) { 1024 } else { 4 << 20 });

/// Sets the size from which files are read in two halves: for the fuzz target that
/// compares that way with one read on files of any size.
#[doc(hidden)]
pub fn set_chunked_min_bytes(bytes: u64) {
    CHUNKED_MIN_BYTES.store(bytes, Ordering::Relaxed);
}

#[cfg(test)]
thread_local! {
    /// How many halves this thread joined, for tests to see which way a file went.
    pub static JOINED: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// Where the second half of a large file starts: just after the first line break past
/// the middle. That may be inside a quoted value; `chunked` finds out and copes.
fn split_point(path: &Path) -> Option<u64> {
    let mut file = std::fs::File::open(path).ok()?;
    let metadata = file.metadata().ok()?;
    if !metadata.is_file() || metadata.len() < CHUNKED_MIN_BYTES.load(Ordering::Relaxed) {
        return None;
    }
    let size = metadata.len();
    file.seek(SeekFrom::Start(size / 2)).ok()?;
    let mut window = vec![0; 1 << 20];
    let n = read_up_to(&mut file, &mut window).ok()?;
    let newline = window[..n].iter().position(|&b| b == b'\n')?;
    let split = size / 2 + newline as u64 + 1;
    (split < size).then_some(split)
}

/// Reads until `buf` is full or the input ends; the number of bytes read.
fn read_up_to(input: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match input.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// What the second thread of [`chunked`] hands back.
struct SecondHalf {
    visitor: Box<dyn Forked>,
    /// Its first record, to check it is the one the first thread reached.
    first: Option<Record>,
    rows: u64,
}

/// Reads the records before `split` on this thread and those from `split` on another,
/// with a forked visitor that is joined at the end. The result is the same as reading
/// in one go: the first thread reads on until a record starts at or past `split`, and
/// the halves are joined only if that record is the second thread's first (same offset,
/// same fields), so `split` fell between records, and the visitor accepts the join (no
/// id on both sides). Otherwise the second thread's work is dropped and this thread
/// reads on to the end. Returns the number of records.
fn chunked<R: BufRead + Send>(
    native: &NativeRows<'_>,
    mut records: Records<R>,
    path: &Path,
    split: u64,
    delimiter: u8,
    visitor: &mut dyn RowVisitor,
    fork: Box<dyn Forked>,
) -> Result<u64> {
    let abandon = AtomicBool::new(false);
    // Bytes the second thread added to the progress bar, taken back if its work is dropped.
    let counted = std::sync::Arc::new(AtomicU64::new(0));
    let size = std::fs::metadata(path).map_or(split, |m| m.len());
    std::thread::scope(|scope| {
        let second = scope.spawn(|| -> std::io::Result<Option<SecondHalf>> {
            let mut file = std::fs::File::open(path)?;
            file.seek(SeekFrom::Start(split))?;
            let input = BufReader::with_capacity(
                1 << 18,
                crate::progress::wrap_more(file, std::sync::Arc::clone(&counted)),
            );
            let mut records = Records::new(input, delimiter, split, 0);
            let mut batch = vec![Record::default(); WARM];
            let mut half = SecondHalf {
                visitor: fork,
                first: None,
                rows: 0,
            };
            loop {
                let mut filled = 0;
                while filled < WARM && records.read(&mut batch[filled])? {
                    filled += 1;
                }
                if half.first.is_none() && filled > 0 {
                    half.first = Some(batch[0].clone());
                    if let Some(rows) = rows_until(&batch[..filled], size) {
                        half.visitor.expect_rows(rows);
                    }
                }
                native.handle_all(&batch[..filled], &mut *half.visitor);
                half.rows += filled as u64;
                if filled < WARM {
                    return Ok(Some(half));
                }
                if abandon.load(Ordering::Relaxed) {
                    return Ok(None);
                }
            }
        });
        let mut batch = vec![Record::default(); WARM];
        let mut rows = 0;
        // Whether a record at or past the split was reached; it is then `batch[filled]`.
        let (reached, filled) = loop {
            let mut filled = 0;
            let end = loop {
                if filled == WARM {
                    break None;
                }
                match records.read(&mut batch[filled]) {
                    Ok(true) if batch[filled].byte >= split => break Some(Ok(true)),
                    Ok(true) => filled += 1,
                    Ok(false) => break Some(Ok(false)),
                    Err(e) => break Some(Err(e)),
                }
            };
            if rows == 0 {
                if let Some(expected) = rows_until(&batch[..filled], split) {
                    visitor.expect_rows(expected);
                }
            }
            native.handle_all(&batch[..filled], visitor);
            rows += filled as u64;
            if let Some(end) = end {
                break (end, filled);
            }
        };
        let record = match reached {
            Ok(true) => std::mem::take(&mut batch[filled]),
            _ => Record::default(),
        };
        if !matches!(reached, Ok(true)) {
            abandon.store(true, Ordering::Relaxed);
        }
        let half = second
            .join()
            .map_err(|_| anyhow::anyhow!("the second reading thread stopped unexpectedly"))?;
        if !reached? {
            return Ok(rows);
        }
        let second_rows = half.as_ref().ok().and_then(Option::as_ref).map(|h| h.rows);
        if let Ok(Some(half)) = half {
            let first = half.first.as_ref();
            if let Some(offset) = first
                .filter(|f| f.byte == record.byte && **f == record)
                .and_then(|f| record.line.checked_sub(f.line))
            {
                if visitor.join(half.visitor, offset) {
                    #[cfg(test)]
                    JOINED.with(|j| j.set(j.get() + 1));
                    return Ok(rows + half.rows);
                }
            }
        }
        // The halves could not be joined: read the second one here (the bar counts it
        // once: what the second thread added is taken off).
        let step = crate::progress::ROW_STEP;
        let added_rows = second_rows.map_or(0, |rows| rows / step * step);
        crate::progress::take_back(counted.load(Ordering::Relaxed), added_rows);
        native.handle(&record, visitor);
        rows += 1;
        Ok(rows + pipelined(records, record, |batch| native.handle_all(batch, visitor))?)
    })
}

/// About how many records of the average length of `batch` are between its first one
/// and byte `end`.
fn rows_until(batch: &[Record], end: u64) -> Option<u64> {
    let (first, last) = (batch.first()?, batch.last()?);
    let per_row = (last.byte - first.byte) / (batch.len() as u64 - 1).max(1);
    (per_row > 0).then(|| end.saturating_sub(first.byte) / per_row)
}

/// Records per batch between the tokenizing thread and the one that does the rest.
const BATCH: usize = 512;

/// Reads records on a second thread while `handle` works on the previous batch, so
/// tokenizing and the rest of the work use both cores. Order is kept. `spare` is a
/// record to reuse. Returns the number of records.
fn pipelined<R: BufRead + Send>(
    mut records: Records<R>,
    spare: Record,
    mut handle: impl FnMut(&[Record]),
) -> Result<u64> {
    let (full_tx, full_rx) = std::sync::mpsc::sync_channel::<(Vec<Record>, usize)>(4);
    let (empty_tx, empty_rx) = std::sync::mpsc::channel::<Vec<Record>>();
    let _ = empty_tx.send(vec![spare]);
    std::thread::scope(|scope| {
        let producer = scope.spawn(move || -> std::io::Result<()> {
            loop {
                let mut batch = empty_rx.try_recv().unwrap_or_default();
                batch.resize_with(BATCH, Record::default);
                let mut filled = 0;
                let mut done = false;
                while filled < BATCH {
                    match records.read(&mut batch[filled]) {
                        Ok(true) => filled += 1,
                        Ok(false) => {
                            done = true;
                            break;
                        }
                        Err(e) => {
                            let _ = full_tx.send((batch, filled));
                            return Err(e);
                        }
                    }
                }
                if full_tx.send((batch, filled)).is_err() || done {
                    return Ok(());
                }
            }
        });
        let mut rows = 0;
        for (batch, filled) in full_rx {
            handle(&batch[..filled]);
            rows += filled as u64;
            let _ = empty_tx.send(batch);
        }
        producer
            .join()
            .map_err(|_| anyhow::anyhow!("the reading thread stopped unexpectedly"))?
            .map_err(anyhow::Error::from)?;
        Ok(rows)
    })
}

/// Native records handled together: their ids are looked up in the id set first, all at
/// once, so that the memory reads of a large set overlap instead of each row waiting for
/// its own (see [`crate::ids::IdSet::warm`]).
const WARM: usize = 16;

/// Turns native records into raw rows.
struct NativeRows<'f> {
    file: &'f str,
    columns: ColumnNames,
    header_len: usize,
    /// The header line, to recognise it repeated (files joined with `cat`).
    header: HeaderKeys,
    /// Whether the file is `import`'s output, whose defused cells are restored.
    restore: bool,
    /// The column of the ids.
    id_column: Option<usize>,
    /// The columns that are read, in order, with their fields (not the columns of no
    /// field, nor a field's second column).
    mapped: Vec<(usize, Field)>,
}

impl NativeRows<'_> {
    /// A field whose text is not a piece of its record's text: the record is not valid
    /// UTF-8 (or only when its fields are joined). Repaired, with a finding, when the
    /// field itself is not valid either.
    #[cold]
    fn field_apart<'r>(
        &self,
        bytes: &'r [u8],
        field: Field,
        line: u64,
        visitor: &mut dyn RowVisitor,
    ) -> Cow<'r, str> {
        let text = match std::str::from_utf8(bytes) {
            Ok(text) => return Cow::Borrowed(self.restored(text)),
            Err(_) => String::from_utf8_lossy(bytes),
        };
        visitor.finding(finding(
            self.file,
            line,
            self.columns.0[field.index()].clone(),
            Outcome::Repaired,
            "invalid UTF-8",
            "the value is not valid UTF-8; unreadable bytes were replaced with \u{FFFD}. Save the file as UTF-8".into(),
        ));
        Cow::Owned(self.restored(&text).to_string())
    }

    /// A cell `import` defused (see `output_csv`) as it was, in a file `import` wrote.
    fn restored<'t>(&self, text: &'t str) -> &'t str {
        match self.restore {
            true => crate::output_csv::restore(text),
            false => text,
        }
    }

    /// Handles records in order, in groups of [`WARM`] whose ids the visitor sees first.
    fn handle_all(&self, records: &[Record], visitor: &mut dyn RowVisitor) {
        for group in records.chunks(WARM) {
            if let Some(column) = self.id_column {
                let mut ids = group.iter().filter_map(|record| {
                    let id = std::str::from_utf8(record.get(column)?).ok()?;
                    let id = match self.restore {
                        true => crate::output_csv::restore(id),
                        false => id,
                    };
                    Some(crate::model::raw::trim(id))
                });
                visitor.warm(&mut ids);
            }
            for record in group {
                self.handle(record, visitor);
            }
        }
    }

    fn handle(&self, record: &Record, visitor: &mut dyn RowVisitor) {
        let file = self.file;
        let line = record.line;
        if record.too_long {
            visitor.bad_row(too_long(file, line));
            return;
        }
        if record.open_quote {
            visitor.bad_row(unclosed_quote(file, line));
            return;
        }
        if record.len() == 1 && record.get(0).is_some_and(|f| f.is_empty()) {
            return; // a blank line
        }
        if self.header.repeated_by(record) {
            visitor.bad_row(repeated_header(file, line));
            return;
        }
        if let Some(wrong) = wrong_field_count(file, record, self.header_len) {
            visitor.finding(wrong);
        }
        let mut row = RawRow::default();
        // One UTF-8 check for the whole record: when the whole is valid, a field whose
        // ends are character boundaries is valid too, and needs no check of its own.
        // (Delimiters are ASCII, so they do not change whether the whole is valid.)
        // simdutf8 checks the record in vector steps: at 1 M rows, std's check took 190 M
        // instructions and 4 M simulated mispredicted branches.
        let bytes = record.as_slice();
        let whole = simdutf8::basic::from_utf8(bytes).ok();
        row.plain = !crate::model::finding::suspect(bytes)
            & (bytes.len() <= crate::model::validate::LONG_TEXT_CHARS);
        let (ends, gap) = (record.ends(), record.gap());
        for &(column, field) in &self.mapped {
            let Some(&end) = ends.get(column) else {
                break; // a short record: this column and those after it are missing
            };
            let start = column.checked_sub(1).map_or(0, |before| ends[before] + gap);
            if end <= start {
                continue;
            }
            let text = match whole.and_then(|w| w.get(start..end)) {
                // A cell `import` defused (see `output_csv`) reads back as it was.
                Some(t) if self.restore && t.starts_with('\'') => {
                    Cow::Borrowed(crate::output_csv::restore(t))
                }
                Some(t) => Cow::Borrowed(t),
                None => self.field_apart(&bytes[start..end], field, line, visitor),
            };
            row.values[field.index()] = Some(text);
        }
        visitor.row(&row, line, &self.columns);
    }
}

/// The rows of an export, mapped record by record onto the native columns.
fn read_export<R: BufRead>(
    file: &str,
    mut records: Records<R>,
    headers: &[String],
    header_record: &Record,
    kind: CsvKind,
    visitor: &mut dyn RowVisitor,
    ctx: &ReadContext<'_>,
) -> Result<()> {
    let header = HeaderKeys::of(header_record);
    let mapper = Mapper::new(kind.clone(), headers, ctx.mappings);
    if let Some(missing) = mapper.missing() {
        visitor.finding(finding(
            file,
            header_record.line,
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
    let mut record = Record::default();
    // Rows counted as read: all but blank lines and Jira's footer.
    let mut rows = 0u64;
    while records.read(&mut record)? {
        let line = record.line;
        if record.too_long {
            visitor.bad_row(too_long(file, line));
            rows += 1;
            continue;
        }
        if record.open_quote {
            visitor.bad_row(unclosed_quote(file, line));
            rows += 1;
            continue;
        }
        if header.repeated_by(&record) {
            visitor.bad_row(repeated_header(file, line));
            rows += 1;
            continue;
        }
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
        let mapped = mapper.map(&cells, ctx.rules);
        if !matches!(mapped, Mapped::NotARecord) {
            if let Some(wrong) = wrong_field_count(file, &record, header_record.len()) {
                visitor.finding(wrong);
            }
        }
        match mapped {
            Mapped::Row(row) => visitor.row(&row, line, &columns),
            Mapped::Skip { reason, message } => {
                visitor.bad_row(finding(file, line, None, Outcome::Skipped, reason, message))
            }
            Mapped::NotARecord => continue,
        }
        rows += 1;
    }
    if rows == 0 {
        visitor.finding(no_rows(file, header_record.line));
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
        // The header is the first line that is not blank.
        assert_eq!(detect_delimiter(b"\nid;found_stage;detected_at\n"), b';');
        assert_eq!(detect_delimiter(b"\r\n\r\nid\tfound_stage\n"), b'\t');
        // Lines ended by a lone CR: the rows after the header do not count.
        assert_eq!(
            detect_delimiter(b"id;title;found_stage\rA;a, b, c, d;unit\r"),
            b';'
        );
    }

    #[test]
    fn a_repeated_header_is_recognised_with_or_without_the_quick_look() {
        let record = |line: &str| {
            let mut records = Records::new(line.as_bytes(), b',', 0, 0);
            let mut record = Record::default();
            assert!(records.read(&mut record).unwrap());
            record
        };
        let header = HeaderKeys::of(&record("Id,found_stage\n"));
        // Without the look at the first byte: every field compared.
        let slow = |r: &Record| {
            r.len() == header.0.len()
                && r.iter()
                    .zip(&header.0)
                    .all(|(f, k)| loose(f).eq(k.iter().copied()))
        };
        for line in [
            "id,found_stage",
            "ID,Found Stage",
            "_id,found-stage",
            " iD,FOUND_STAGE",
            "\u{feff}id,found_stage",
            "id,found",
            "i,found_stage",
            "PRJ-1,production",
            "idx,found_stage",
            "1d,found_stage",
            ",found_stage",
            "-,-",
            "id",
        ] {
            let r = record(&format!("{line}\n"));
            assert_eq!(header.repeated_by(&r), slow(&r), "{line}");
        }
        assert!(header.repeated_by(&record("ID,Found Stage\n")));
        assert!(!header.repeated_by(&record("PRJ-1,production\n")));
    }
}
