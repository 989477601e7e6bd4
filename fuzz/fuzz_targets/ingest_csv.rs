//! Native csv input through the library API: bytes → Ingest::read_from (format forced,
//! and once more with detection) → finish, checking the Data quality invariant.
#![no_main]

use escape_report::input::Format;
use escape_report::metrics::PeriodChoice;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (config, settings) = escape_report_fuzz::defaults();
    for format in [Some(Format::Csv), None] {
        escape_report_fuzz::ingest(
            &config,
            &settings,
            PeriodChoice::LatestFullQuarter,
            data,
            format,
        );
    }
});
