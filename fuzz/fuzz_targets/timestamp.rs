//! Timestamps: `parse_timestamp` on any text, checked against chrono for the date part;
//! also the export date parser (`DateStyle::parse`, every locale) and `parse_offset`.
#![no_main]

use chrono::{NaiveDate, Timelike};
use escape_report::input::dates::DateStyle;
use escape_report::model::import_config::parse_offset;
use escape_report::model::time::{date_of, parse_timestamp, start_of, MICROS_PER_DAY};
use libfuzzer_sys::fuzz_target;

const LOCALES: [&str; 8] = ["en", "de", "fr", "es", "nl", "it", "pt", "xx"];

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Some(minutes) = parse_offset(text) {
        assert!(minutes.abs() <= 14 * 60 + 59, "{text:?} -> {minutes}");
    }
    // The export parser, in every locale and with a zone offset taken from the text.
    let offset = i64::from(data.first().copied().unwrap_or(0) as i8) * 7;
    for locale in LOCALES {
        if let Some(t) = DateStyle::new(locale, offset).parse(text) {
            let _ = date_of(t);
        }
    }
    let Some(micros) = parse_timestamp(text) else {
        return;
    };
    // Any accepted instant maps to a date and back without panicking.
    let date = date_of(micros);
    let midnight = start_of(date);
    assert!(
        midnight <= micros && micros - midnight < MICROS_PER_DAY,
        "{text:?}"
    );
    // The date part agrees with chrono.
    let t = text.trim();
    let ymd = NaiveDate::parse_from_str(&t[..10], "%Y-%m-%d")
        .unwrap_or_else(|e| panic!("accepted {t:?} but chrono refuses its date: {e}"));
    if t.len() == 10 {
        assert_eq!(date, ymd, "{t:?}");
        assert_eq!(micros, start_of(ymd), "{t:?}");
    } else {
        // With a time and perhaps an offset, the UTC date is within a day of the written one.
        let diff = (date - ymd).num_days().abs();
        assert!(diff <= 1, "{t:?}: {date} vs {ymd}");
        // The time without an offset agrees with chrono too.
        // (A leap second 60 is folded into the next minute here; chrono keeps it apart.)
        if let Ok(naive) = chrono::NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S")
            .map_err(|_| ())
            .and_then(|n| {
                if n.nanosecond() < 1_000_000_000 {
                    Ok(n)
                } else {
                    Err(())
                }
            })
        {
            let expected =
                start_of(naive.date()) + i64::from(naive.num_seconds_from_midnight()) * 1_000_000;
            assert_eq!(micros, expected, "{t:?}");
        }
    }
});
