//! Large native CSV files are read in two halves on two threads and joined
//! (`input::csv::chunked`). This target writes the bytes to a file, reads it that way
//! (with the size limit lowered to nothing, so every file is split at its middle) and
//! in one go from memory, and checks that the two give the same metrics, findings and
//! all: a split inside a quoted value, an id on both sides, blank lines and odd line
//! ends must all come out as one read.
#![no_main]

use escape_report::ingest::Ingest;
use escape_report::input::{csv, Format, Source};
use escape_report::metrics::PeriodChoice;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    csv::set_chunked_min_bytes(0);
    let (config, settings) = escape_report_fuzz::defaults();
    let path = std::env::temp_dir().join(format!("escape-report-fuzz-{}.csv", std::process::id()));
    std::fs::write(&path, data).expect("the temporary file is written");
    let name = path.display().to_string();
    let mut halves = Ingest::new(&config, PeriodChoice::LatestFullQuarter);
    let read = halves.read(&Source::Path(path.clone()), Some(Format::Csv));
    let halves = halves.finish(&settings);
    read.expect("a file that was just written can be read");
    escape_report_fuzz::check_metrics(&halves);
    let mut whole = Ingest::new(&config, PeriodChoice::LatestFullQuarter);
    whole
        .read_from(&name, data, Some(Format::Csv))
        .expect("bytes in memory can be read");
    let whole = whole.finish(&settings);
    let (a, b) = (
        serde_json::to_string(&halves).expect("serialises"),
        serde_json::to_string(&whole).expect("serialises"),
    );
    assert!(a == b, "two halves differ from one read:\n{a}\n{b}");
});
