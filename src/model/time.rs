//! Timestamps: ISO 8601 / RFC 3339 parsing without a general-purpose parser on the hot
//! path, and conversion between instants (microseconds since the Unix epoch, UTC) and dates.

use chrono::{Datelike, NaiveDate};

pub const MICROS_PER_SECOND: i64 = 1_000_000;
pub const MICROS_PER_DAY: i64 = 86_400 * MICROS_PER_SECOND;
pub const MICROS_PER_HOUR: f64 = 3_600.0 * MICROS_PER_SECOND as f64;

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = month as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + day as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        _ => 28,
    }
}

/// The UTC calendar date of an instant.
pub fn date_of(micros: i64) -> NaiveDate {
    let days = micros.div_euclid(MICROS_PER_DAY);
    NaiveDate::from_num_days_from_ce_opt((days + 719_163) as i32).unwrap_or(NaiveDate::MIN)
}

/// Midnight UTC at the start of a date.
pub fn start_of(date: NaiveDate) -> i64 {
    days_from_civil(date.year() as i64, date.month(), date.day()) * MICROS_PER_DAY
}

/// An instant as RFC 3339 in UTC, to the second: `2025-09-22T09:26:00Z`.
pub fn format_timestamp(micros: i64) -> String {
    let date = date_of(micros);
    let seconds = micros.div_euclid(MICROS_PER_SECOND).rem_euclid(86_400);
    format!(
        "{}T{:02}:{:02}:{:02}Z",
        date.format("%Y-%m-%d"),
        seconds / 3600,
        seconds / 60 % 60,
        seconds % 60
    )
}

/// The first instant accepted: 0001-01-01T00:00:00Z.
pub const MIN_INSTANT: i64 = -62_135_596_800 * MICROS_PER_SECOND;
/// The first instant past the last one accepted: 10000-01-01T00:00:00Z. Dates print as
/// four-digit years, so year 0 and years past 9999 are not dates we read.
pub const END_INSTANT: i64 = 253_402_300_800 * MICROS_PER_SECOND;

/// Parses `YYYY-MM-DD`, optionally followed by `T` or a space, `HH:MM[:SS[.fraction]]` and
/// `Z` or an offset `±HH[:MM]`. Times without an offset are UTC. Only instants whose UTC
/// date is from 0001-01-01 to 9999-12-31 are accepted: `0000-06-01` and
/// `9999-12-31T23:00:00-05:00` (in year 10000 in UTC) are not.
pub fn parse_timestamp(text: &str) -> Option<i64> {
    parse_timestamp_with(text, date_micros)
}

/// A date seen by a [`DateMemo`]: its ten bytes and its first instant.
type Memo = ([u8; 10], i64);

/// Remembers the first instant of the dates parsed with it, one for each day of the
/// month: rows usually come in date order, so the timestamps of a column fall within a
/// few weeks of each other (a resolution date a few days after detection), and each
/// date's calendar arithmetic is done about once.
#[derive(Debug, Clone, Default)]
pub struct DateMemo([std::cell::Cell<Option<Memo>>; 32]);

impl DateMemo {
    fn micros(&self, date: &[u8; 10]) -> Option<i64> {
        // Days 01 to 31 get slots of their own; other bytes get some slot, and the
        // whole date is compared anyway.
        let day = date[8].wrapping_mul(10).wrapping_add(date[9]);
        let slot = &self.0[usize::from(day) % 32];
        match slot.get() {
            Some((seen, micros)) if seen == *date => Some(micros),
            _ => {
                let micros = date_micros(date)?;
                slot.set(Some((*date, micros)));
                Some(micros)
            }
        }
    }
}

/// [`parse_timestamp`], with the date part taken from `memo` when it has seen it.
pub fn parse_timestamp_memo(text: &str, memo: &DateMemo) -> Option<i64> {
    parse_timestamp_with(text, |date| memo.micros(date))
}

/// [`parse_timestamp`], with the first instant of the date part from `date_micros`.
fn parse_timestamp_with(
    text: &str,
    date_micros: impl FnOnce(&[u8; 10]) -> Option<i64>,
) -> Option<i64> {
    let b = super::raw::trim(text).as_bytes();
    if b.len() < 10 {
        return None;
    }
    let date: [u8; 10] = b[..10].try_into().ok()?;
    let mut micros = date_micros(&date)?;
    let rest = &b[10..];
    if rest.is_empty() {
        return in_range(micros);
    }
    if !(rest[0] == b'T' || rest[0] == b't' || rest[0] == b' ') || rest.len() < 6 || rest[3] != b':'
    {
        return None;
    }
    let hour = digits(&rest[1..3])? as i64;
    let minute = digits(&rest[4..6])? as i64;
    let mut i = 6;
    let mut second = 0;
    let mut fraction = 0i64;
    if rest.len() >= 9 && rest[6] == b':' {
        second = digits(&rest[7..9])? as i64;
        i = 9;
        if i < rest.len() && (rest[i] == b'.' || rest[i] == b',') {
            i += 1;
            let start = i;
            let mut scale = 100_000;
            while i < rest.len() && rest[i].is_ascii_digit() {
                fraction += (rest[i] - b'0') as i64 * scale;
                scale /= 10;
                i += 1;
            }
            if i == start {
                return None;
            }
        }
    }
    // 24:00 is not accepted; a leap second 60 is folded into the next minute.
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    micros += ((hour * 60 + minute) * 60 + second) * MICROS_PER_SECOND + fraction;
    let zone = &rest[i..];
    let offset_minutes = match zone {
        [] | [b'Z'] | [b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2] => {
            let h = digits(&[*h1, *h2])? as i64;
            if h > 23 {
                return None;
            }
            sign_of(*sign) * h * 60
        }
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] | [sign @ (b'+' | b'-'), h1, h2, m1, m2] => {
            let h = digits(&[*h1, *h2])? as i64;
            let m = digits(&[*m1, *m2])? as i64;
            if h > 23 || m > 59 {
                return None;
            }
            sign_of(*sign) * (h * 60 + m)
        }
        _ => return None,
    };
    in_range(micros - offset_minutes * 60 * MICROS_PER_SECOND)
}

/// The first instant of a `YYYY-MM-DD` date.
fn date_micros(b: &[u8; 10]) -> Option<i64> {
    if b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let year = digits(&b[0..4])? as i64;
    let month = digits(&b[5..7])?;
    let day = digits(&b[8..10])?;
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    Some(days_from_civil(year, month, day) * MICROS_PER_DAY)
}

/// The instant, if its UTC date is within 0001-01-01..=9999-12-31.
pub fn in_range(micros: i64) -> Option<i64> {
    (MIN_INSTANT..END_INSTANT)
        .contains(&micros)
        .then_some(micros)
}

fn sign_of(sign: u8) -> i64 {
    if sign == b'-' {
        -1
    } else {
        1
    }
}

fn digits(b: &[u8]) -> Option<u32> {
    let mut value = 0u32;
    for &c in b {
        if !c.is_ascii_digit() {
            return None;
        }
        value = value * 10 + (c - b'0') as u32;
    }
    Some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> i64 {
        NaiveDate::from_ymd_opt(y, mo, d)
            .unwrap()
            .and_hms_opt(h, mi, s)
            .unwrap()
            .and_utc()
            .timestamp()
            * MICROS_PER_SECOND
    }

    #[test]
    fn accepts_the_iso_shapes() {
        let t = ts(2025, 11, 23, 9, 50, 0);
        assert_eq!(parse_timestamp("2025-11-23T09:50:00Z"), Some(t));
        assert_eq!(parse_timestamp("2025-11-23T09:50:00"), Some(t));
        assert_eq!(parse_timestamp("2025-11-23 09:50"), Some(t));
        assert_eq!(parse_timestamp(" 2025-11-23T10:50:00+01:00 "), Some(t));
        assert_eq!(parse_timestamp("2025-11-23T04:20:00-0530"), Some(t));
        assert_eq!(
            parse_timestamp("2025-11-23T09:50:00.250Z"),
            Some(t + 250_000)
        );
        assert_eq!(
            parse_timestamp("2025-11-23"),
            Some(ts(2025, 11, 23, 0, 0, 0))
        );
    }

    #[test]
    fn the_memo_agrees_with_parsing_afresh() {
        // Dates that share a slot (the same day in other months and years), days that
        // do not exist, and bytes other than digits, in an order that makes each slot
        // hold several dates in turn.
        let memo = DateMemo::default();
        let mut texts = Vec::new();
        for year in ["0001", "2024", "2025", "9999"] {
            for month in 0..=13 {
                for day in [
                    "00", "01", "09", "10", "16", "28", "29", "30", "31", "32", "4x", "x4",
                    "\u{7f}1",
                ] {
                    texts.push(format!("{year}-{month:02}-{day}T12:30:00Z"));
                }
            }
        }
        for round in 0..3 {
            for (i, text) in texts.iter().enumerate() {
                let text = if (i + round) % 2 == 0 {
                    &text[..10]
                } else {
                    text
                };
                assert_eq!(
                    parse_timestamp_memo(text, &memo),
                    parse_timestamp(text),
                    "{text}"
                );
            }
            texts.reverse();
        }
    }

    #[test]
    fn a_remembered_date_gives_the_same_instants() {
        let t = ts(2025, 11, 23, 9, 50, 0);
        let midnight = |y, m, d| ts(y, m, d, 0, 0, 0);
        let cases = [
            ("2025-11-23T09:50:00Z", Some(t)),
            ("2025-11-23T25:00", None),
            ("2025-11-23 09:50", Some(t)),
            (" 2025-11-23T10:50:00+01:00", Some(t)),
            ("2025-02-29", None),
            ("2025-11-23", Some(midnight(2025, 11, 23))),
            ("2025-11-24T00:00:00+00:00", Some(midnight(2025, 11, 24))),
            ("2025-11-23T23:00:00-01:00", Some(midnight(2025, 11, 24))),
            ("9999-12-31T23:00:00-05:00", None),
            ("9999-12-31", Some(midnight(9999, 12, 31))),
            ("2025-11-2", None),
            ("2025-11-23X", None),
            ("yesterday", None),
        ];
        let memo = DateMemo::default();
        for _ in 0..2 {
            for (text, want) in cases {
                assert_eq!(parse_timestamp_memo(text, &memo), want, "{text}");
            }
        }
    }

    #[test]
    fn refuses_what_is_not_a_date() {
        for bad in [
            "",
            "yesterday",
            "2025-13-01",
            "2025-02-29",
            "2025-11-23T25:00",
            "2025-11-23T09:50:00+",
            "2025-12-31T12:00-99",
            "2025-11-23X",
            "23/11/2025",
        ] {
            assert_eq!(parse_timestamp(bad), None, "{bad}");
        }
        assert!(parse_timestamp("2024-02-29").is_some());
    }

    #[test]
    fn dates_round_trip_across_eras() {
        for (y, m, d) in [
            (1, 1, 1),
            (1969, 12, 31),
            (1970, 1, 1),
            (2000, 2, 29),
            (9999, 12, 31),
        ] {
            let date = NaiveDate::from_ymd_opt(y, m, d).unwrap();
            assert_eq!(date_of(start_of(date)), date);
            assert_eq!(date_of(start_of(date) + MICROS_PER_DAY - 1), date);
        }
    }

    #[test]
    fn only_years_0001_to_9999_in_utc() {
        assert_eq!(
            MIN_INSTANT,
            start_of(NaiveDate::from_ymd_opt(1, 1, 1).unwrap())
        );
        assert_eq!(
            END_INSTANT,
            start_of(NaiveDate::from_ymd_opt(9999, 12, 31).unwrap()) + MICROS_PER_DAY
        );
        for bad in [
            "0000-01-01",
            "0000-12-31T23:59:59Z",
            "9999-12-31T23:00:00-05:00",
            "9999-12-31T23:59:60Z",
            "0001-01-01T00:30+01:00",
        ] {
            assert_eq!(parse_timestamp(bad), None, "{bad}");
        }
        for (good, date) in [
            ("0001-01-01", (1, 1, 1)),
            ("0001-01-01T00:30-01:00", (1, 1, 1)),
            ("9999-12-31", (9999, 12, 31)),
            ("9999-12-31T23:59:59.999999Z", (9999, 12, 31)),
            ("9999-12-31T23:00:00+05:00", (9999, 12, 31)),
        ] {
            let t = parse_timestamp(good).expect(good);
            let (y, m, d) = date;
            assert_eq!(
                date_of(t),
                NaiveDate::from_ymd_opt(y, m, d).unwrap(),
                "{good}"
            );
        }
        assert_eq!(
            format_timestamp(parse_timestamp("9999-12-31T23:59:59Z").unwrap()),
            "9999-12-31T23:59:59Z"
        );
    }

    #[test]
    fn an_offset_can_move_the_utc_date() {
        let t = parse_timestamp("2025-12-31T23:30:00-02:00").unwrap();
        assert_eq!(date_of(t), NaiveDate::from_ymd_opt(2026, 1, 1).unwrap());
    }
}
