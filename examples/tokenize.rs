//! The benchmark's floor: split a CSV file into records with the `csv` crate
//! and do nothing else.
//!
//! No tool can compute figures from a CSV file faster than it can tokenize
//! it, so `scripts/bench` sets `escape-report metrics --json` beside this.
//! One reused `ByteRecord`, a 1 MiB read buffer, no UTF-8 validation and no
//! field parsing; the delimiter is detected from the header line as
//! escape-report does (`,` `;` or tab, the most frequent wins).
//!
//! ```text
//! cargo run --release --example tokenize -- FILE.csv
//! ```
//!
//! Prints `records=N fields=F bytes=B` (records after the header).

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::process::ExitCode;

/// Read buffer of the file and of the CSV reader.
const BUFFER: usize = 1 << 20;

/// The header line's most frequent delimiter among `,` `;` and tab (`,` on a tie or none).
fn detect_delimiter(header: &[u8]) -> u8 {
    let mut best = b',';
    let mut best_count = 0;
    for d in [b',', b';', b'\t'] {
        let count = header.iter().filter(|&&b| b == d).count();
        if count > best_count {
            best = d;
            best_count = count;
        }
    }
    best
}

/// Counts of one pass over the input.
struct Counts {
    records: u64,
    fields: u64,
    bytes: u64,
}

fn tokenize(input: Box<dyn Read>) -> Result<Counts, csv::Error> {
    let mut input = BufReader::with_capacity(BUFFER, input);
    let delimiter = detect_delimiter(
        input
            .fill_buf()?
            .split(|&b| b == b'\n')
            .next()
            .unwrap_or(b""),
    );
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(true)
        .flexible(true)
        .buffer_capacity(BUFFER)
        .from_reader(input);
    let mut record = csv::ByteRecord::new();
    let mut counts = Counts {
        records: 0,
        fields: 0,
        bytes: 0,
    };
    while reader.read_byte_record(&mut record)? {
        counts.records += 1;
        counts.fields += record.len() as u64;
    }
    counts.bytes = reader.position().byte();
    Ok(counts)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [path] = args.as_slice() else {
        eprintln!("usage: tokenize FILE.csv   (`-` reads standard input)");
        return ExitCode::from(2);
    };
    let input: Box<dyn Read> = if path == "-" {
        Box::new(io::stdin().lock())
    } else {
        match File::open(path) {
            Ok(file) => Box::new(file),
            Err(e) => {
                eprintln!("tokenize: cannot open {path}: {e}");
                return ExitCode::from(2);
            }
        }
    };
    match tokenize(input) {
        Ok(c) => {
            println!(
                "records={} fields={} bytes={}",
                c.records, c.fields, c.bytes
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("tokenize: {path}: {e}");
            ExitCode::from(2)
        }
    }
}
