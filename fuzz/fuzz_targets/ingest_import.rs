//! The importers (Jira, GitHub, PagerDuty, Zendesk, Freshdesk exports, CSV or JSON, and
//! a `[import.mapping.NAME]` from the configuration): the first byte picks the format
//! (or detection), the rest is the file.
#![no_main]

use escape_report::input::Format;
use escape_report::metrics::{PeriodChoice, Settings};
use escape_report::model::Config;
use libfuzzer_sys::fuzz_target;

/// A mapping for a tool escape-report does not know, as a user would write it.
const MAPPING: &str = r#"
[import.mapping.tool.columns]
id = "Ticket"
title = "Headline"
detected_at = "Opened"
resolved_at = "Closed"
type = "Kind"
severity = "Priority"
cost_hours = "Hours"
component = "Area"

[import.mapping.tool.fixed]
found_stage = "production"
"#;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, bytes)) = data.split_first() else {
        return;
    };
    // First bytes from 240 up: the mapping, forced (even) or detected (odd).
    let (config, format) = if selector >= 240 {
        let config = Config::from_toml(MAPPING).expect("the mapping is valid");
        (
            config,
            (selector % 2 == 0).then(|| Format::Mapping("tool".into())),
        )
    } else {
        let format = match selector % 6 {
            0 => Some(Format::Jira),
            1 => Some(Format::Github),
            2 => Some(Format::Pagerduty),
            3 => Some(Format::Zendesk),
            4 => Some(Format::Freshdesk),
            _ => None,
        };
        (Config::default(), format)
    };
    let settings = Settings::from_config(&config).expect("the settings are valid");
    escape_report_fuzz::ingest(
        &config,
        &settings,
        PeriodChoice::LatestFullQuarter,
        bytes,
        format,
    );
});
