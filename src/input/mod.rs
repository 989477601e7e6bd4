//! Reading input files: format detection and one reader per format. Readers hand each
//! row to a [`RowVisitor`] with its line number; they know nothing of validation.

pub mod csv;
pub mod json;

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::model::raw::{ColumnNames, RawRow};
use crate::model::Finding;

/// Receives what a reader finds, row by row.
pub trait RowVisitor {
    /// A row that could be split into columns.
    fn row(&mut self, row: &RawRow<'_>, line: u64, columns: &ColumnNames);
    /// A row that could not be read at all (counted as read and skipped).
    fn bad_row(&mut self, finding: Finding);
    /// A finding about a row that is still passed on, or about the whole file.
    fn finding(&mut self, finding: Finding);
}

/// The formats escape-report reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Native records as CSV (delimiter `,` `;` or tab, detected).
    Csv,
    /// Native records as a JSON array of objects.
    Json,
    /// Native records as JSON Lines: one object per line.
    Jsonl,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Json => "json",
            Format::Jsonl => "jsonl",
        }
    }
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
            Source::Path(p) => p.display().to_string(),
        }
    }

    fn open(&self) -> Result<Box<dyn Read>> {
        Ok(match self {
            Source::Stdin => Box::new(io::stdin().lock()),
            Source::Path(p) => {
                if p.is_dir() {
                    anyhow::bail!("{} is a directory; name the files inside it", p.display());
                }
                Box::new(File::open(p).with_context(|| format!("cannot open {}", p.display()))?)
            }
        })
    }
}

/// Size of the read buffer; large enough to hold a typical header line for sniffing.
const BUFFER: usize = 256 * 1024;

/// Reads one input, sniffing its format unless `forced`. Returns the format it was read as.
/// Errors are for inputs that cannot be opened or read; problems with the content become
/// findings.
pub fn read(
    source: &Source,
    forced: Option<Format>,
    visitor: &mut dyn RowVisitor,
) -> Result<Format> {
    read_from(
        &source.display_name(),
        source_path(source),
        source.open()?,
        forced,
        visitor,
    )
}

/// Reads one input from any reader; `path` (if any) helps detect the format and `name`
/// is how findings name the input.
pub fn read_from(
    name: &str,
    path: Option<&Path>,
    input: impl Read,
    forced: Option<Format>,
    visitor: &mut dyn RowVisitor,
) -> Result<Format> {
    let name = name.to_string();
    let mut reader = BufReader::with_capacity(BUFFER, input);
    let format = match forced {
        Some(f) => f,
        None => detect(path, &mut reader).with_context(|| format!("cannot read {name}"))?,
    };
    match format {
        Format::Csv => csv::read(&name, reader, visitor),
        Format::Json => json::read_array(&name, reader, visitor),
        Format::Jsonl => json::read_lines(&name, reader, visitor),
    }
    .with_context(|| format!("cannot read {name}"))?;
    Ok(format)
}

fn source_path(source: &Source) -> Option<&Path> {
    match source {
        Source::Path(p) => Some(p),
        Source::Stdin => None,
    }
}

/// Decides the format from the extension, then from the first significant byte.
fn detect(path: Option<&Path>, reader: &mut impl BufRead) -> io::Result<Format> {
    let extension = path
        .and_then(|p| p.extension())
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match extension.as_deref() {
        Some("csv" | "tsv" | "txt") => return Ok(Format::Csv),
        Some("jsonl" | "ndjson") => return Ok(Format::Jsonl),
        _ => {}
    }
    let buffer = reader.fill_buf()?;
    let first = buffer
        .strip_prefix(b"\xEF\xBB\xBF")
        .unwrap_or(buffer)
        .iter()
        .find(|b| !b.is_ascii_whitespace());
    Ok(match first {
        Some(b'[') => Format::Json,
        Some(b'{') => Format::Jsonl,
        _ if extension.as_deref() == Some("json") => Format::Json,
        _ => Format::Csv,
    })
}
