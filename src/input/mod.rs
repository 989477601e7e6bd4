//! Reading input files: format detection and one reader per format. Readers hand each
//! row to a [`RowVisitor`] with its line number; they know nothing of validation.

pub mod csv;
pub mod dates;
pub mod deployments;
pub mod encoding;
pub mod exports;
pub mod json;
pub mod json_exports;
pub mod records;
pub mod rules;

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::model::raw::{ColumnNames, RawRow};
use crate::model::Finding;

/// What readers need from the configuration.
pub struct ReadContext<'a> {
    pub rules: &'a rules::Classifier,
    pub mappings: &'a std::collections::BTreeMap<String, crate::model::import_config::Mapping>,
}

/// Receives what a reader finds, row by row.
pub trait RowVisitor {
    /// The format the input turned out to be (`csv`, `jira`, `github`, …).
    fn format(&mut self, _name: &str) {}
    /// A row that could be split into columns.
    fn row(&mut self, row: &RawRow<'_>, line: u64, columns: &ColumnNames);
    /// A row that could not be read at all (counted as read and skipped).
    fn bad_row(&mut self, finding: Finding);
    /// A finding about a row that is still passed on, or about the whole file.
    fn finding(&mut self, finding: Finding);
    /// The ids of the next few rows, about to be visited: a visitor that looks ids up in
    /// a large table may read ahead (see [`crate::ids::IdSet::warm`]). Only a hint: the
    /// rows still come one by one, and an id given here may differ from the validated
    /// one (an invalid row, say).
    fn warm(&mut self, _ids: &mut dyn Iterator<Item = &str>) {}
    /// About how many rows are still to come (an estimate from the file's size), for a
    /// visitor that can make room for them at once.
    fn expect_rows(&mut self, _rows: u64) {}
    /// A fresh visitor with the same settings, for the rows of a later part of the same
    /// file read on another thread; `None` when rows must come to this one in order.
    fn fork(&self) -> Option<Box<dyn Forked>> {
        None
    }
    /// Takes in what a [`RowVisitor::fork`] saw, as if this visitor had seen those rows
    /// itself, their lines shifted by `line_offset`. Returns false, changing nothing,
    /// when it cannot (the same id on both sides): the caller then visits the rows again.
    fn join(&mut self, _forked: Box<dyn Forked>, _line_offset: u64) -> bool {
        false
    }
}

/// A forked [`RowVisitor`]: sent to another thread, and back to be joined.
pub trait Forked: RowVisitor + Send {
    fn into_any(self: Box<Self>) -> Box<dyn std::any::Any>;
}

/// The formats escape-report reads, as `--input-format` names them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Format {
    /// Native records as CSV (delimiter `,` `;` or tab, detected).
    Csv,
    /// Native records as a JSON array of objects.
    Json,
    /// Native records as JSON Lines: one object per line.
    Jsonl,
    Jira,
    Github,
    Pagerduty,
    Zendesk,
    Freshdesk,
    /// A `[import.mapping.NAME]` from the configuration.
    Mapping(String),
}

impl Format {
    /// Parses an `--input-format` value.
    pub fn parse(text: &str) -> Result<Format, String> {
        Ok(match text.trim().to_ascii_lowercase().as_str() {
            "csv" => Format::Csv,
            "json" => Format::Json,
            "jsonl" | "ndjson" => Format::Jsonl,
            "jira" => Format::Jira,
            "github" => Format::Github,
            "pagerduty" => Format::Pagerduty,
            "zendesk" => Format::Zendesk,
            "freshdesk" => Format::Freshdesk,
            other => match other.strip_prefix("mapping:") {
                Some(name) if !name.is_empty() => Format::Mapping(name.to_string()),
                _ => return Err(format!(
                    "unknown format '{text}'; use csv, json, jsonl, jira, github, pagerduty, zendesk, freshdesk or mapping:NAME"
                )),
            },
        })
    }

    pub fn name(&self) -> String {
        match self {
            Format::Csv => "csv".into(),
            Format::Json => "json".into(),
            Format::Jsonl => "jsonl".into(),
            Format::Jira => "jira".into(),
            Format::Github => "github".into(),
            Format::Pagerduty => "pagerduty".into(),
            Format::Zendesk => "zendesk".into(),
            Format::Freshdesk => "freshdesk".into(),
            Format::Mapping(n) => format!("mapping:{n}"),
        }
    }

    /// Errs, saying what to do, when the format names a mapping the configuration does
    /// not have: every row would otherwise be read as nothing.
    pub fn check_mapping(
        &self,
        mappings: &std::collections::BTreeMap<String, crate::model::import_config::Mapping>,
    ) -> Result<()> {
        let Format::Mapping(name) = self else {
            return Ok(());
        };
        if mappings.contains_key(name) {
            return Ok(());
        }
        if mappings.is_empty() {
            anyhow::bail!(
                "unknown format 'mapping:{name}': the configuration has no mapping; add an [import.mapping.{name}] section to escape-report.toml (`escape-report init` writes one as an example), or give the file that has it with --config"
            );
        }
        let known: Vec<String> = mappings.keys().map(|n| format!("mapping:{n}")).collect();
        anyhow::bail!(
            "unknown format 'mapping:{name}': the configuration has no [import.mapping.{name}]; use {}, or add that section",
            or_list(&known)
        )
    }

    /// The CSV export this format forces, if it is one.
    fn csv_kind(&self) -> Option<exports::CsvKind> {
        use exports::CsvKind;
        match self {
            Format::Csv => Some(CsvKind::Native),
            Format::Jira => Some(CsvKind::Jira),
            Format::Pagerduty => Some(CsvKind::PagerDuty),
            Format::Zendesk => Some(CsvKind::Zendesk),
            Format::Freshdesk => Some(CsvKind::Freshdesk),
            Format::Mapping(n) => Some(CsvKind::Mapping(n.clone())),
            _ => None,
        }
    }
}

/// `a`, `a or b`, `a, b or c`.
fn or_list(items: &[String]) -> String {
    match items.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        Some((last, _)) => last.clone(),
        None => String::new(),
    }
}

/// How the bytes are laid out, whatever the records mean.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Container {
    Csv,
    JsonArray,
    JsonLines,
    JsonDocument,
}

/// An input named on the command line: a path, or `-` for standard input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Stdin,
    Path(PathBuf),
}

impl Source {
    pub fn parse(arg: &str) -> Source {
        if arg == "-" {
            Source::Stdin
        } else {
            Source::Path(PathBuf::from(arg))
        }
    }

    /// How findings name this input.
    pub fn display_name(&self) -> String {
        match self {
            Source::Stdin => "<stdin>".to_string(),
            // A file name can hold control characters too; findings and reports show it
            // as they show the data (see `visible`).
            Source::Path(p) => {
                crate::model::finding::visible(&p.display().to_string()).into_owned()
            }
        }
    }

    /// Opens the input, decompressing gzip and zstd (recognised by their magic bytes);
    /// true when it was decompressed.
    fn open(&self) -> Result<(Box<dyn Read + Send>, bool)> {
        let raw = match self {
            Source::Stdin => crate::progress::wrap(io::stdin(), "standard input", None),
            Source::Path(p) => {
                if p.is_dir() {
                    anyhow::bail!("{} is a directory; name the files inside it", p.display());
                }
                let file = File::open(p).with_context(|| format!("cannot open {}", p.display()))?;
                // A pipe or a device has no size to show progress against.
                let size = file
                    .metadata()
                    .ok()
                    .filter(|m| m.is_file())
                    .map(|m| m.len());
                let name = p.file_name().unwrap_or(p.as_os_str()).to_string_lossy();
                crate::progress::wrap(file, &name, size)
            }
        };
        decompress(raw).with_context(|| format!("cannot read {}", self.display_name()))
    }
}

/// Wraps a compressed stream in its decoder (true) or passes it through (false).
pub fn decompress(raw: Box<dyn Read + Send>) -> io::Result<(Box<dyn Read + Send>, bool)> {
    let input_error = InputError::default();
    let watched = Watched {
        inner: raw,
        error: input_error.clone(),
    };
    let mut reader = BufReader::with_capacity(BUFFER, watched);
    let head = reader.fill_buf()?;
    Ok(if head.starts_with(&[0x1f, 0x8b]) {
        let decoder = Box::new(flate2::bufread::MultiGzDecoder::new(reader));
        (Box::new(Damage::new(decoder, "gzip", input_error)), true)
    } else if head.starts_with(&ZSTD_MAGIC) {
        let decoder = ZstdFrames::new(reader);
        (
            Box::new(Damage::new(Box::new(decoder), "zstd", input_error)),
            true,
        )
    } else {
        (Box::new(reader), false)
    })
}

const ZSTD_MAGIC: [u8; 4] = [0x28, 0xb5, 0x2f, 0xfd];

/// The error of reading a compressed input itself (not of decoding it), kept aside so
/// it is reported as it was rather than as damaged data.
type InputError = std::sync::Arc<std::sync::Mutex<Option<io::Error>>>;

/// A compressed input, whose read errors are noted in an [`InputError`].
struct Watched {
    inner: Box<dyn Read + Send>,
    error: InputError,
}

impl Read for Watched {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.read(buf).inspect_err(|e| {
            if e.kind() != io::ErrorKind::Interrupted {
                if let Ok(mut kept) = self.error.lock() {
                    *kept = Some(io::Error::new(e.kind(), e.to_string()));
                }
            }
        })
    }
}

/// A decoder whose errors say in words that the data is damaged or cut short, instead
/// of the decoder's internals; an error reading the input itself passes through.
struct Damage {
    decoder: Box<dyn Read + Send>,
    format: &'static str,
    input_error: InputError,
}

impl Damage {
    fn new(decoder: Box<dyn Read + Send>, format: &'static str, input_error: InputError) -> Self {
        Damage {
            decoder,
            format,
            input_error,
        }
    }
}

impl Read for Damage {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.decoder.read(buf).map_err(|e| {
            if let Some(input) = self.input_error.lock().ok().and_then(|mut e| e.take()) {
                return input;
            }
            if e.kind() == io::ErrorKind::Interrupted {
                return e;
            }
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "the compressed data ends early or is damaged ({}: {}); the file may be cut short: copy or export it again",
                    self.format,
                    damage_reason(&e)
                ),
            )
        })
    }
}

/// A few words on what a decoder found wrong: "unexpected end of file" when the data
/// stopped (anywhere in the error's chain), else the first phrase of its message.
fn damage_reason(e: &io::Error) -> String {
    let mut next = e
        .get_ref()
        .map(|inner| inner as &(dyn std::error::Error + 'static));
    let mut ended = e.kind() == io::ErrorKind::UnexpectedEof;
    while let Some(error) = next {
        ended |= error
            .downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == io::ErrorKind::UnexpectedEof);
        next = error.source();
    }
    if ended {
        return "unexpected end of file".into();
    }
    let text = e.to_string();
    let phrase = text
        .split([':', '(', ';'])
        .next()
        .unwrap_or_default()
        .trim();
    // A single word is a type name from a debug dump, not words.
    if !phrase.contains(' ') {
        return "invalid data".into();
    }
    let mut chars = phrase.chars();
    chars
        .next()
        .map(|first| first.to_lowercase().chain(chars).collect())
        .unwrap_or_default()
}

/// Zstandard frames one after another (as `zstd -c a b` or `cat a.zst b.zst` make
/// them) read as one stream, like gzip members; skippable frames are skipped, and a
/// frame's checksum, when it has one, is checked.
struct ZstdFrames<R> {
    source: R,
    frame: ruzstd::decoding::FrameDecoder,
    /// Whether `frame` was started on a frame header (not yet at the first read).
    started: bool,
}

impl<R: BufRead> ZstdFrames<R> {
    fn new(source: R) -> Self {
        ZstdFrames {
            source,
            frame: ruzstd::decoding::FrameDecoder::new(),
            started: false,
        }
    }

    /// Starts the next frame; false at the end of the input.
    fn next_frame(&mut self) -> io::Result<bool> {
        use ruzstd::decoding::errors::{FrameDecoderError, ReadFrameHeaderError};
        loop {
            if self.source.fill_buf()?.is_empty() {
                return Ok(false);
            }
            match self.frame.reset(&mut self.source) {
                Ok(()) => return Ok(true),
                Err(FrameDecoderError::ReadFrameHeaderError(ReadFrameHeaderError::SkipFrame {
                    length,
                    ..
                })) => {
                    let length = u64::from(length);
                    let skipped = io::copy(&mut (&mut self.source).take(length), &mut io::sink())?;
                    if skipped < length {
                        return Err(io::ErrorKind::UnexpectedEof.into());
                    }
                }
                Err(e) => return Err(io::Error::other(e)),
            }
        }
    }

    /// Errs when the frame just read carries a checksum that its data does not match.
    fn check_sum(&self) -> io::Result<()> {
        match (
            self.frame.get_checksum_from_data(),
            self.frame.get_calculated_checksum(),
        ) {
            (Some(stored), Some(computed)) if stored != computed => Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "the checksum does not match the data",
            )),
            _ => Ok(()),
        }
    }
}

impl<R: BufRead> Read for ZstdFrames<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        if !self.started {
            self.started = true;
            if !self.next_frame()? {
                return Ok(0);
            }
        }
        loop {
            while self.frame.can_collect() == 0 && !self.frame.is_finished() {
                self.frame
                    .decode_blocks(
                        &mut self.source,
                        ruzstd::decoding::BlockDecodingStrategy::UptoBlocks(1),
                    )
                    .map_err(io::Error::other)?;
            }
            if self.frame.can_collect() > 0 {
                return self.frame.read(buf);
            }
            self.check_sum()?;
            if !self.next_frame()? {
                return Ok(0);
            }
        }
    }
}

/// The largest input read whole (a JSON document, a deployments file) rather than
/// streamed record by record: far above any real one, and a bound on memory.
pub const MAX_DOCUMENT_BYTES: u64 = 256 << 20;

/// Reads `input` to its end; `None` when it holds more than [`MAX_DOCUMENT_BYTES`] (then
/// only that much was read).
pub fn read_bounded(input: impl Read) -> io::Result<Option<Vec<u8>>> {
    let mut bytes = Vec::new();
    input.take(MAX_DOCUMENT_BYTES + 1).read_to_end(&mut bytes)?;
    Ok((bytes.len() as u64 <= MAX_DOCUMENT_BYTES).then_some(bytes))
}

/// Size of the read buffer; large enough to hold a typical header line for sniffing.
const BUFFER: usize = 256 * 1024;

/// Reads one input, sniffing its format unless `forced`. Returns the format it was read as.
/// Errors are for inputs that cannot be opened or read; problems with the content become
/// findings.
pub fn read(
    source: &Source,
    forced: Option<&Format>,
    ctx: &ReadContext<'_>,
    visitor: &mut dyn RowVisitor,
) -> Result<()> {
    if let Some(format) = forced {
        format.check_mapping(ctx.mappings)?;
    }
    let (input, compressed) = source.open()?;
    let name = source.display_name();
    let path = source_path(source);
    let chunkable = path.filter(|_| !compressed);
    read_stream(&name, path, chunkable, input, forced, ctx, visitor)
}

/// Reads one input from any reader; `path` (if any) helps detect the format and `name`
/// is how findings name the input.
pub fn read_from(
    name: &str,
    path: Option<&Path>,
    input: impl Read + Send,
    forced: Option<&Format>,
    ctx: &ReadContext<'_>,
    visitor: &mut dyn RowVisitor,
) -> Result<()> {
    if let Some(format) = forced {
        format.check_mapping(ctx.mappings)?;
    }
    read_stream(name, path, None, input, forced, ctx, visitor)
}

/// [`read_from`], where `chunkable` names the file when `input` is its bytes unchanged
/// (not decompressed): a large CSV file is then read in two halves at once.
fn read_stream(
    name: &str,
    path: Option<&Path>,
    chunkable: Option<&Path>,
    input: impl Read + Send,
    forced: Option<&Format>,
    ctx: &ReadContext<'_>,
    visitor: &mut dyn RowVisitor,
) -> Result<()> {
    let mut reader = BufReader::with_capacity(BUFFER, input);
    let head = reader
        .fill_buf()
        .with_context(|| format!("cannot read {name}"))?;
    if let Some(encoding) = encoding::sniff(head) {
        if encoding == encoding_rs::WINDOWS_1252 {
            visitor.finding(file_finding(
                name,
                crate::model::Outcome::Repaired,
                "Windows-1252 text",
                "the file is not UTF-8; it was read as Windows-1252 (as spreadsheets save it). Save it as UTF-8 to be sure accents and symbols are right".into(),
            ));
        }
        let (decoded, malformed) = encoding::Decoded::new(reader, encoding);
        let transcoded = BufReader::with_capacity(BUFFER, decoded);
        let read = read_container(name, path, None, transcoded, forced, ctx, visitor);
        if malformed.load(std::sync::atomic::Ordering::Relaxed) {
            visitor.finding(file_finding(
                name,
                crate::model::Outcome::Repaired,
                "invalid text",
                format!("the file is {}, but some of it is not valid {0}; those characters were replaced with \u{FFFD}. Save the file as UTF-8", encoding.name()),
            ));
        }
        return read;
    }
    read_container(name, path, chunkable, reader, forced, ctx, visitor)
}

/// A finding about a whole file (line 1, no column).
fn file_finding(
    name: &str,
    outcome: crate::model::Outcome,
    reason: &'static str,
    message: String,
) -> crate::model::Finding {
    crate::model::Finding {
        file: name.to_string(),
        line: 1,
        column: None,
        message,
        outcome,
        reason,
    }
}

fn read_container(
    name: &str,
    path: Option<&Path>,
    chunkable: Option<&Path>,
    mut reader: impl BufRead + Send,
    forced: Option<&Format>,
    ctx: &ReadContext<'_>,
    visitor: &mut dyn RowVisitor,
) -> Result<()> {
    let container = match forced {
        Some(Format::Json) => Container::JsonArray,
        Some(Format::Jsonl) => Container::JsonLines,
        Some(f) if f.csv_kind().is_some() && *f != Format::Pagerduty => Container::Csv,
        _ => detect(path, &mut reader).with_context(|| format!("cannot read {name}"))?,
    };
    // The readers name the format once they see a header or a record; an input without
    // either (an empty file, `[]`) is named for its layout, or the format given.
    let format = match (forced, container) {
        (Some(format), _) => format.name(),
        (None, Container::Csv) => Format::Csv.name(),
        (None, _) => Format::Json.name(),
    };
    visitor.format(&format);
    match container {
        Container::Csv => csv::read(
            name,
            reader,
            visitor,
            ctx,
            forced.and_then(Format::csv_kind),
            chunkable,
        ),
        Container::JsonArray => json::read_array(name, reader, visitor, ctx),
        Container::JsonLines => json::read_lines(name, reader, visitor, ctx),
        Container::JsonDocument => json::read_document(name, reader, visitor, ctx),
    }
    .with_context(|| format!("cannot read {name}"))
}

fn source_path(source: &Source) -> Option<&Path> {
    match source {
        Source::Path(p) => Some(p),
        Source::Stdin => None,
    }
}

/// Decides the layout from the extension, then from the first significant byte; an
/// object is JSON Lines when its first line is a whole object, else one document.
fn detect(path: Option<&Path>, reader: &mut impl BufRead) -> io::Result<Container> {
    let extension = path
        .and_then(|p| p.extension())
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match extension.as_deref() {
        Some("csv" | "tsv" | "txt") => return Ok(Container::Csv),
        Some("jsonl" | "ndjson") => return Ok(Container::JsonLines),
        _ => {}
    }
    let buffer = reader.fill_buf()?;
    let body = buffer.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(buffer);
    let start = body.iter().position(|b| !b.is_ascii_whitespace());
    Ok(match start.map(|i| (i, body[i])) {
        Some((_, b'[')) => Container::JsonArray,
        Some((i, b'{')) => {
            let line = body[i..].split(|b| *b == b'\n').next().unwrap_or_default();
            if serde_json::from_slice::<serde_json::Value>(line).is_ok() {
                Container::JsonLines
            } else {
                Container::JsonDocument
            }
        }
        _ if extension.as_deref() == Some("json") => Container::JsonArray,
        _ => Container::Csv,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Gives its bytes, then fails as a disk might.
    struct Failing(io::Cursor<Vec<u8>>);

    impl Read for Failing {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            match self.0.read(buf)? {
                0 => Err(io::Error::other("input/output error")),
                n => Ok(n),
            }
        }
    }

    #[test]
    fn an_error_reading_a_compressed_input_is_not_called_damage() {
        for name in ["worked.csv.gz", "worked.csv.zst"] {
            let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
            let whole = std::fs::read(path.join(name)).unwrap();
            let half = Failing(io::Cursor::new(whole[..whole.len() / 2].to_vec()));
            let (mut reader, compressed) = decompress(Box::new(half)).unwrap();
            assert!(compressed);
            let error = io::copy(&mut reader, &mut io::sink()).unwrap_err();
            assert_eq!(error.to_string(), "input/output error", "{name}");
        }
    }
}
