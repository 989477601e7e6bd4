//! The whole pipeline: bytes (format detected) → metrics → every audience's narrative →
//! charts → Markdown and HTML, plus the metrics JSON.
#![no_main]

use escape_report::metrics::PeriodChoice;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (config, settings) = escape_report_fuzz::defaults();
    if let Some(metrics) = escape_report_fuzz::ingest(
        &config,
        &settings,
        PeriodChoice::LatestFullQuarter,
        data,
        None,
    ) {
        escape_report_fuzz::render_all(&metrics, &settings);
    }
});
