//! The importers (Jira, GitHub, PagerDuty, Zendesk, Freshdesk exports, CSV or JSON): the
//! first byte picks the format (or detection), the rest is the file.
#![no_main]

use escape_report::input::Format;
use escape_report::metrics::PeriodChoice;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, bytes)) = data.split_first() else {
        return;
    };
    let format = match selector % 6 {
        0 => Some(Format::Jira),
        1 => Some(Format::Github),
        2 => Some(Format::Pagerduty),
        3 => Some(Format::Zendesk),
        4 => Some(Format::Freshdesk),
        _ => None,
    };
    let (config, settings) = escape_report_fuzz::defaults();
    escape_report_fuzz::ingest(
        &config,
        &settings,
        PeriodChoice::LatestFullQuarter,
        bytes,
        format,
    );
});
