//! Periods: `Period::parse` on any text (with two configured sprints), then the period's
//! predecessor, and a computation of the small worked data set for that period.
#![no_main]

use chrono::NaiveDate;
use escape_report::metrics::PeriodChoice;
use escape_report::model::config::Sprint;
use escape_report::model::period::Period;
use libfuzzer_sys::fuzz_target;

fn sprints() -> Vec<Sprint> {
    let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
    vec![
        Sprint {
            name: "Sprint 41".into(),
            start: d(2025, 10, 20),
            end: d(2025, 10, 31),
        },
        Sprint {
            name: "Sprint 42".into(),
            start: d(2025, 11, 3),
            end: d(2025, 11, 14),
        },
    ]
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let sprints = sprints();
    let Ok(period) = Period::parse(text, &sprints) else {
        return;
    };
    assert!(period.start <= period.end, "{text:?}: {period:?}");
    assert!(period.days() >= 1);
    assert!(period.contains(period.start) && period.contains(period.end));
    if let Some(previous) = period.previous(&sprints) {
        assert!(
            previous.end < period.start,
            "{text:?}: {previous:?} not before {period:?}"
        );
    }
    // The label parses back to the same period.
    if let Ok(again) = Period::parse(&period.label, &sprints) {
        assert_eq!(
            (again.start, again.end),
            (period.start, period.end),
            "{text:?}"
        );
    }
    let (config, settings) = escape_report_fuzz::defaults();
    let metrics = escape_report_fuzz::ingest(
        &config,
        &settings,
        PeriodChoice::Given(period),
        escape_report_fuzz::WORKED_CSV,
        None,
    );
    if let Some(m) = metrics {
        escape_report_fuzz::render_all(&m, &settings);
    }
});
