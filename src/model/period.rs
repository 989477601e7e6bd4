//! Reporting periods: quarters, months, ISO weeks, named sprints and explicit date ranges.

use std::fmt;

use anyhow::{bail, Result};
use chrono::{Datelike, Days, Months, NaiveDate, Weekday};

use super::config::Sprint;

/// A calendar quarter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Quarter {
    pub year: i32,
    /// 1 to 4.
    pub q: u32,
}

impl Quarter {
    pub fn of(date: NaiveDate) -> Quarter {
        Quarter {
            year: date.year(),
            q: (date.month() - 1) / 3 + 1,
        }
    }

    pub fn start(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, (self.q - 1) * 3 + 1, 1).unwrap_or(NaiveDate::MIN)
    }

    pub fn end(self) -> NaiveDate {
        self.next().start().pred_opt().unwrap_or(NaiveDate::MAX)
    }

    pub fn next(self) -> Quarter {
        if self.q == 4 {
            Quarter {
                year: self.year + 1,
                q: 1,
            }
        } else {
            Quarter {
                year: self.year,
                q: self.q + 1,
            }
        }
    }

    pub fn prev(self) -> Quarter {
        if self.q == 1 {
            Quarter {
                year: self.year - 1,
                q: 4,
            }
        } else {
            Quarter {
                year: self.year,
                q: self.q - 1,
            }
        }
    }

    /// The latest quarter that ended on or before `date`.
    pub fn latest_full(date: NaiveDate) -> Quarter {
        let q = Quarter::of(date);
        if q.end() == date {
            q
        } else {
            q.prev()
        }
    }

    pub fn as_period(self) -> Period {
        Period {
            label: self.to_string(),
            start: self.start(),
            end: self.end(),
            kind: PeriodKind::Quarter,
        }
    }
}

impl fmt::Display for Quarter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-Q{}", self.year, self.q)
    }
}

/// What kind of range a period is, which decides what "the previous period" means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeriodKind {
    Quarter,
    Month,
    Week,
    Sprint,
    Range,
}

/// A closed range of UTC dates, both ends included.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Period {
    pub label: String,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub kind: PeriodKind,
}

/// `text` as a number when it is `min` to `max` ASCII digits and nothing else (no sign,
/// no spaces, which `str::parse` would take).
fn digits(text: &str, min: usize, max: usize) -> Option<u32> {
    let ok = (min..=max).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_digit());
    ok.then(|| text.parse().ok()).flatten()
}

/// A date written `YYYY-MM-DD`, digits only.
fn strict_date(text: &str) -> Option<NaiveDate> {
    let mut parts = text.split('-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    NaiveDate::from_ymd_opt(digits(y, 4, 4)? as i32, digits(m, 2, 2)?, digits(d, 2, 2)?)
}

impl Period {
    /// Parses `2025-Q4`, `2025-11`, `2025-W47`, a sprint name, or `FROM..TO`, within the
    /// years 0001 to 9999 (the dates a timestamp can have).
    pub fn parse(text: &str, sprints: &[Sprint]) -> Result<Period> {
        let period = Period::parse_any(text, sprints)?;
        if !period.within_years() {
            bail!(
                "period '{}' reaches outside 0001-01-01..9999-12-31, the dates escape-report reads",
                text.trim()
            );
        }
        Ok(period)
    }

    /// True when the period lies within 0001-01-01..=9999-12-31.
    fn within_years(&self) -> bool {
        let first = NaiveDate::from_ymd_opt(1, 1, 1).expect("a date");
        let last = NaiveDate::from_ymd_opt(9999, 12, 31).expect("a date");
        first <= self.start && self.end <= last
    }

    fn parse_any(text: &str, sprints: &[Sprint]) -> Result<Period> {
        let t = text.trim();
        if let Some(sprint) = sprints.iter().find(|s| s.name == t) {
            return Ok(Period {
                label: sprint.name.clone(),
                start: sprint.start,
                end: sprint.end,
                kind: PeriodKind::Sprint,
            });
        }
        if let Some((from, to)) = t.split_once("..") {
            let date = |side: &str| {
                let side = side.trim();
                strict_date(side).ok_or_else(|| {
                    anyhow::anyhow!(
                        "period '{t}': '{side}' is not a date; write a range as FROM..TO with dates like 2025-10-01..2025-12-31"
                    )
                })
            };
            let (start, end) = (date(from)?, date(to)?);
            if end < start {
                bail!("period '{t}' ends before it starts");
            }
            return Ok(Period {
                label: format!("{start}..{end}"),
                start,
                end,
                kind: PeriodKind::Range,
            });
        }
        if let Some((year, rest)) = t.split_once('-') {
            if let Some(year) = digits(year, 4, 4) {
                let year = year as i32;
                let upper = rest.to_ascii_uppercase();
                if let Some(q) = upper.strip_prefix('Q') {
                    match digits(q, 1, 1) {
                        Some(q @ 1..=4) => return Ok(Quarter { year, q }.as_period()),
                        Some(_) => bail!("period '{t}': a year has quarters Q1 to Q4"),
                        None => {}
                    }
                } else if let Some(w) = upper.strip_prefix('W') {
                    if let Some(week) = digits(w, 1, 2) {
                        if let Some(start) = NaiveDate::from_isoywd_opt(year, week, Weekday::Mon) {
                            return Ok(Period {
                                label: format!("{year:04}-W{week:02}"),
                                start,
                                end: start + Days::new(6),
                                kind: PeriodKind::Week,
                            });
                        }
                        let weeks = if NaiveDate::from_isoywd_opt(year, 53, Weekday::Mon).is_some()
                        {
                            53
                        } else {
                            52
                        };
                        bail!("period '{t}': {year:04} has {weeks} ISO weeks, {year:04}-W01 to {year:04}-W{weeks}");
                    }
                } else if let Some(month) = digits(rest, 2, 2) {
                    let Some(start) = NaiveDate::from_ymd_opt(year, month, 1) else {
                        bail!("period '{t}': a month is 01 to 12");
                    };
                    let end = (start + Months::new(1)).pred_opt().unwrap_or(start);
                    return Ok(Period {
                        label: format!("{year:04}-{month:02}"),
                        start,
                        end,
                        kind: PeriodKind::Month,
                    });
                }
            }
        }
        let names: Vec<&str> = sprints.iter().map(|s| s.name.as_str()).collect();
        let hint = if names.is_empty() {
            String::new()
        } else {
            format!(
                ", or a sprint from the configuration ({})",
                names.join(", ")
            )
        };
        bail!("period '{t}' is not understood; use a quarter (2025-Q4), a month (2025-11), an ISO week (2025-W47), a range (2025-10-01..2025-12-31){hint}")
    }

    pub fn contains(&self, date: NaiveDate) -> bool {
        self.start <= date && date <= self.end
    }

    /// Number of days in the period.
    pub fn days(&self) -> i64 {
        (self.end - self.start).num_days() + 1
    }

    /// The period of the same kind just before this one, for comparisons; none before
    /// the year 0001.
    pub fn previous(&self, sprints: &[Sprint]) -> Option<Period> {
        self.previous_any(sprints).filter(Period::within_years)
    }

    fn previous_any(&self, sprints: &[Sprint]) -> Option<Period> {
        match self.kind {
            PeriodKind::Quarter => Some(Quarter::of(self.start).prev().as_period()),
            PeriodKind::Month => {
                let start = self.start.checked_sub_months(Months::new(1))?;
                Period::parse(&format!("{:04}-{:02}", start.year(), start.month()), &[]).ok()
            }
            PeriodKind::Week => {
                let start = self.start.checked_sub_days(Days::new(7))?;
                let week = start.iso_week();
                Period::parse(&format!("{:04}-W{:02}", week.year(), week.week()), &[]).ok()
            }
            PeriodKind::Sprint => sprints
                .iter()
                .filter(|s| s.end < self.start)
                .max_by_key(|s| s.end)
                .map(|s| Period {
                    label: s.name.clone(),
                    start: s.start,
                    end: s.end,
                    kind: PeriodKind::Sprint,
                }),
            PeriodKind::Range => {
                let end = self.start.pred_opt()?;
                let start = end.checked_sub_days(Days::new(self.days() as u64 - 1))?;
                Some(Period {
                    label: format!("{start}..{end}"),
                    start,
                    end,
                    kind: PeriodKind::Range,
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn parses_every_period_shape() {
        let q = Period::parse("2025-Q4", &[]).unwrap();
        assert_eq!((q.start, q.end), (d(2025, 10, 1), d(2025, 12, 31)));
        let m = Period::parse("2024-02", &[]).unwrap();
        assert_eq!((m.start, m.end), (d(2024, 2, 1), d(2024, 2, 29)));
        let w = Period::parse("2025-W47", &[]).unwrap();
        assert_eq!((w.start, w.end), (d(2025, 11, 17), d(2025, 11, 23)));
        let w1 = Period::parse("2026-W01", &[]).unwrap();
        assert_eq!(w1.start, d(2025, 12, 29));
        let r = Period::parse("2025-10-05..2025-10-05", &[]).unwrap();
        assert_eq!(r.days(), 1);
        let sprints = [Sprint {
            name: "Sprint 42".into(),
            start: d(2025, 11, 3),
            end: d(2025, 11, 14),
        }];
        let s = Period::parse("Sprint 42", &sprints).unwrap();
        assert_eq!((s.start, s.end), (d(2025, 11, 3), d(2025, 11, 14)));
    }

    #[test]
    fn refuses_nonsense_with_a_hint() {
        for bad in [
            "2025-Q5",
            "2025-13",
            "2025-W54",
            "last week",
            "2025-12-01..2025-11-01",
        ] {
            assert!(Period::parse(bad, &[]).is_err(), "{bad}");
        }
        let err = Period::parse("Q4", &[]).unwrap_err().to_string();
        assert!(err.contains("2025-Q4"), "{err}");
        // Signs and spaces that number parsing would take are not part of a period.
        for bad in [
            "2025-+1", "+202-Q1", "2025-Q+1", "2025-W+7", "2025-1", "2025-Q 1",
        ] {
            let err = Period::parse(bad, &[]).unwrap_err().to_string();
            assert!(err.contains("is not understood"), "{bad}: {err}");
        }
        let message = |t: &str| Period::parse(t, &[]).unwrap_err().to_string();
        assert_eq!(
            message("2021-W53"),
            "period '2021-W53': 2021 has 52 ISO weeks, 2021-W01 to 2021-W52"
        );
        assert_eq!(
            message("2020-W54"),
            "period '2020-W54': 2020 has 53 ISO weeks, 2020-W01 to 2020-W53"
        );
        assert_eq!(
            message("2025-Q5"),
            "period '2025-Q5': a year has quarters Q1 to Q4"
        );
        assert_eq!(message("2025-13"), "period '2025-13': a month is 01 to 12");
        assert_eq!(
            message("2023-02-29..2023-03-01"),
            "period '2023-02-29..2023-03-01': '2023-02-29' is not a date; write a range as FROM..TO with dates like 2025-10-01..2025-12-31"
        );
        assert_eq!(
            message("2023-03-01..+2023-03-05"),
            "period '2023-03-01..+2023-03-05': '+2023-03-05' is not a date; write a range as FROM..TO with dates like 2025-10-01..2025-12-31"
        );
        assert!(Period::parse("2024-02-29..2024-03-01", &[]).is_ok());
        assert_eq!(Period::parse("2020-W53", &[]).unwrap().label, "2020-W53");
    }

    #[test]
    fn latest_full_quarter_counts_the_last_day_as_ended() {
        assert_eq!(Quarter::latest_full(d(2025, 12, 31)).to_string(), "2025-Q4");
        assert_eq!(Quarter::latest_full(d(2025, 12, 30)).to_string(), "2025-Q3");
        assert_eq!(Quarter::latest_full(d(2026, 1, 1)).to_string(), "2025-Q4");
    }

    #[test]
    fn previous_periods() {
        let p = |t: &str| Period::parse(t, &[]).unwrap().previous(&[]).unwrap();
        assert_eq!(p("2025-Q1").label, "2024-Q4");
        assert_eq!(p("2025-03").label, "2025-02");
        assert_eq!(p("2025-W01").label, "2024-W52");
        assert_eq!(p("0010-01").label, "0009-12");
        assert_eq!(p("0010-W01").label, "0009-W53");
        let r = p("2025-10-11..2025-10-20");
        assert_eq!((r.start, r.end), (d(2025, 10, 1), d(2025, 10, 10)));
    }

    #[test]
    fn periods_stay_within_years_1_to_9999() {
        for bad in [
            "0000-Q4",
            "0000-12",
            "0000-W52",
            // ISO week 52 of 9999 ends on 10000-01-02.
            "9999-W52",
            "0000-12-31..0001-01-31",
        ] {
            let err = Period::parse(bad, &[]).unwrap_err().to_string();
            assert!(
                err.contains("outside 0001-01-01..9999-12-31"),
                "{bad}: {err}"
            );
        }
        for good in [
            "0001-Q1", "0001-01", "0001-W01", "9999-Q4", "9999-12", "9999-W51",
        ] {
            let period = Period::parse(good, &[]).unwrap();
            assert!(period.end <= d(9999, 12, 31), "{good}");
            assert_eq!(period.label, good, "a four-digit year");
        }
        for first in ["0001-Q1", "0001-01", "0001-W01", "0001-01-01..0001-01-31"] {
            let period = Period::parse(first, &[]).unwrap();
            assert_eq!(period.previous(&[]), None, "{first}");
        }
    }
}
