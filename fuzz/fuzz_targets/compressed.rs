//! gzip and zstd input: bytes → `input::decompress` (as a file or standard input is
//! opened) → read with the format detected → metrics checked. A damaged stream may end
//! the read with an error (the message says so); it must not panic.
#![no_main]

use std::io::Read;

use escape_report::ingest::Ingest;
use escape_report::metrics::PeriodChoice;
use libfuzzer_sys::fuzz_target;

/// Decompressed bytes read at most: enough for any corpus input, and a bound on the
/// time a decompression bomb can take.
const MAX_DECODED: u64 = 4 << 20;

fuzz_target!(|data: &[u8]| {
    let (config, settings) = escape_report_fuzz::defaults();
    let Ok((reader, _)) =
        escape_report::input::decompress(Box::new(std::io::Cursor::new(data.to_vec())))
    else {
        return;
    };
    let mut ingest = Ingest::new(&config, PeriodChoice::LatestFullQuarter);
    if let Err(e) = ingest.read_from("fuzz", reader.take(MAX_DECODED), None) {
        let message = format!("{e:#}");
        assert!(message.contains("compressed data"), "{message}");
    }
    escape_report_fuzz::check_metrics(&ingest.finish(&settings));
});
