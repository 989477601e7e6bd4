//! The configuration file: `Config::from_toml` on any text; an accepted configuration must
//! give valid settings and compute and render the worked data set without panicking.
#![no_main]

use escape_report::metrics::{PeriodChoice, Settings};
use escape_report::model::period::Period;
use escape_report::model::Config;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(config) = Config::from_toml(text) else {
        return;
    };
    let settings = Settings::from_config(&config)
        .unwrap_or_else(|e| panic!("from_toml accepted a configuration Settings refuses: {e:#}"));
    let mut choices = vec![PeriodChoice::LatestFullQuarter];
    if let Some(sprint) = config.sprints.first() {
        if let Ok(p) = Period::parse(&sprint.name, &config.sprints) {
            choices.push(PeriodChoice::Given(p));
        }
    }
    for choice in choices {
        if let Some(m) = escape_report_fuzz::ingest(
            &config,
            &settings,
            choice,
            escape_report_fuzz::WORKED_CSV,
            None,
        ) {
            escape_report_fuzz::render_all(&m, &settings);
        }
    }
});
