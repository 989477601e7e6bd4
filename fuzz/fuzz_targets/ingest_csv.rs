//! Native csv input through the library API: bytes → Ingest::read_from with the format
//! forced → finish, checking the Data quality invariant. Detection is left to `pipeline`
//! and `compressed`: run with it too, this target wandered into every other reader.
#![no_main]

use escape_report::input::Format;
use escape_report::metrics::PeriodChoice;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (config, settings) = escape_report_fuzz::defaults();
    escape_report_fuzz::ingest(
        &config,
        &settings,
        PeriodChoice::LatestFullQuarter,
        data,
        Some(Format::Csv),
    );
});
