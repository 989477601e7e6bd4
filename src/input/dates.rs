//! Dates as real exports write them: Jira's `22/Sep/25 9:26 AM` and its localised and
//! spreadsheet variants, and ISO timestamps with a space before the offset. Naive times
//! are in the configured zone (minutes east of UTC).

use crate::model::time::{days_from_civil, parse_timestamp, MICROS_PER_DAY, MICROS_PER_SECOND};

/// Month abbreviations by locale, lower case, January first.
pub fn month_names(locale: &str) -> Option<[&'static [&'static str]; 12]> {
    Some(match locale.trim().to_ascii_lowercase().as_str() {
        "en" => [
            &["jan", "january"],
            &["feb", "february"],
            &["mar", "march"],
            &["apr", "april"],
            &["may"],
            &["jun", "june"],
            &["jul", "july"],
            &["aug", "august"],
            &["sep", "sept", "september"],
            &["oct", "october"],
            &["nov", "november"],
            &["dec", "december"],
        ],
        "fr" => [
            &["janv", "jan", "janvier"],
            &["févr", "fevr", "fév", "février"],
            &["mars"],
            &["avr", "avril"],
            &["mai"],
            &["juin"],
            &["juil", "juillet"],
            &["août", "aout"],
            &["sept", "septembre"],
            &["oct", "octobre"],
            &["nov", "novembre"],
            &["déc", "dec", "décembre"],
        ],
        "es" => [
            &["ene", "enero"],
            &["feb", "febrero"],
            &["mar", "marzo"],
            &["abr", "abril"],
            &["may", "mayo"],
            &["jun", "junio"],
            &["jul", "julio"],
            &["ago", "agosto"],
            &["sep", "sept", "septiembre"],
            &["oct", "octubre"],
            &["nov", "noviembre"],
            &["dic", "diciembre"],
        ],
        "de" => [
            &["jan", "januar"],
            &["feb", "februar"],
            &["mär", "mrz", "märz"],
            &["apr", "april"],
            &["mai"],
            &["jun", "juni"],
            &["jul", "juli"],
            &["aug", "august"],
            &["sep", "sept", "september"],
            &["okt", "oktober"],
            &["nov", "november"],
            &["dez", "dezember"],
        ],
        "it" => [
            &["gen", "gennaio"],
            &["feb", "febbraio"],
            &["mar", "marzo"],
            &["apr", "aprile"],
            &["mag", "maggio"],
            &["giu", "giugno"],
            &["lug", "luglio"],
            &["ago", "agosto"],
            &["set", "settembre"],
            &["ott", "ottobre"],
            &["nov", "novembre"],
            &["dic", "dicembre"],
        ],
        "pt" => [
            &["jan", "janeiro"],
            &["fev", "fevereiro"],
            &["mar", "março"],
            &["abr", "abril"],
            &["mai", "maio"],
            &["jun", "junho"],
            &["jul", "julho"],
            &["ago", "agosto"],
            &["set", "setembro"],
            &["out", "outubro"],
            &["nov", "novembro"],
            &["dez", "dezembro"],
        ],
        "nl" => [
            &["jan", "januari"],
            &["feb", "februari"],
            &["mrt", "maart"],
            &["apr", "april"],
            &["mei"],
            &["jun", "juni"],
            &["jul", "juli"],
            &["aug", "augustus"],
            &["sep", "sept", "september"],
            &["okt", "oktober"],
            &["nov", "november"],
            &["dec", "december"],
        ],
        _ => return None,
    })
}

/// How dates without a zone are read.
#[derive(Debug, Clone, Copy)]
pub struct DateStyle {
    pub months: [&'static [&'static str]; 12],
    /// Minutes east of UTC for naive times.
    pub offset_minutes: i64,
}

impl DateStyle {
    pub fn new(locale: &str, offset_minutes: i64) -> DateStyle {
        DateStyle {
            months: month_names(locale)
                .or_else(|| month_names("en"))
                .expect("en exists"),
            offset_minutes,
        }
    }

    fn month(&self, word: &str) -> Option<u32> {
        let w = word.trim_end_matches('.').to_lowercase();
        let english = month_names("en").expect("en exists");
        self.months
            .iter()
            .position(|names| names.contains(&w.as_str()))
            .or_else(|| english.iter().position(|names| names.contains(&w.as_str())))
            .map(|i| i as u32 + 1)
    }

    /// Parses an export's date into microseconds since the epoch, UTC.
    /// The instant `text` names, if it is a date of years 0001 to 9999 in UTC.
    pub fn parse(&self, text: &str) -> Option<i64> {
        self.parse_any(text).and_then(crate::model::time::in_range)
    }

    fn parse_any(&self, text: &str) -> Option<i64> {
        let t = text.trim();
        if t.is_empty() {
            return None;
        }
        if t.as_bytes().get(4) == Some(&b'-') {
            return self.parse_iso(t);
        }
        // d/Mon/yy[yy] [h:mm[:ss] [AM|PM]] or d/m/yyyy [h:mm]
        let (date, time) = match t.split_once(' ') {
            Some((d, rest)) => (d, rest.trim()),
            None => (t, ""),
        };
        let mut parts = date.split(['/', '.', '-']).filter(|p| !p.is_empty());
        let day: u32 = parts.next()?.parse().ok()?;
        let month_part = parts.next()?;
        let month = match month_part.parse::<u32>() {
            Ok(m) => m,
            Err(_) => self.month(month_part)?,
        };
        let year_part = parts.next()?;
        let mut year: i64 = year_part.parse().ok()?;
        if year_part.len() <= 2 {
            year += if year < 70 { 2000 } else { 1900 };
        }
        if parts.next().is_some() || !(1..=12).contains(&month) || day == 0 || day > 31 {
            return None;
        }
        // Refuses 31 February and the like.
        chrono::NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)?;
        let mut seconds = 0i64;
        if !time.is_empty() {
            let (clock, meridiem) = match time.rsplit_once(' ') {
                Some((c, m)) => (c.trim(), Some(m.trim().to_ascii_uppercase())),
                None => (time, None),
            };
            // Unsigned: a sign is not part of a clock time (and -20000000001394 hours
            // overflowed the sum below; found by fuzzing).
            let mut fields = clock.split(':');
            let number = |text: &str| text.parse::<u8>().ok().map(i64::from);
            let mut hour = number(fields.next()?)?;
            let minute = number(fields.next()?)?;
            let second = match fields.next() {
                Some(s) => number(s)?,
                None => 0,
            };
            match meridiem.as_deref() {
                Some("AM") if hour == 12 => hour = 0,
                Some("AM") => {}
                Some("PM") if hour < 12 => hour += 12,
                Some("PM") => {}
                Some(_) => return None,
                None => {}
            }
            if hour > 23 || minute > 59 || second > 59 {
                return None;
            }
            seconds = (hour * 60 + minute) * 60 + second;
        }
        let local =
            days_from_civil(year, month, day) * MICROS_PER_DAY + seconds * MICROS_PER_SECOND;
        Some(local - self.offset_minutes * 60 * MICROS_PER_SECOND)
    }

    /// ISO dates, also with a space before the offset (`2025-09-22 09:26:00 +0200`) or a
    /// trailing `UTC`; naive ones in the configured zone.
    fn parse_iso(&self, t: &str) -> Option<i64> {
        let t = t.trim_end_matches(" UTC").trim_end_matches(" utc");
        let joined;
        let t = match t.rsplit_once(' ') {
            Some((head, zone)) if zone.starts_with(['+', '-']) && head.len() > 10 => {
                joined = format!("{head}{zone}");
                joined.as_str()
            }
            _ => t,
        };
        let has_zone = t.len() > 10
            && (t.ends_with(['Z', 'z']) || {
                // Bytes, not a str slice: the tail may start inside a character.
                let tail = &t.as_bytes()[t.len().saturating_sub(6)..];
                tail.contains(&b'+') || tail[1..].contains(&b'-')
            });
        let instant = parse_timestamp(t)?;
        Some(if has_zone {
            instant
        } else {
            instant - self.offset_minutes * 60 * MICROS_PER_SECOND
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::time::format_timestamp;

    fn utc(text: &str) -> String {
        format_timestamp(DateStyle::new("en", 0).parse(text).expect(text))
    }

    #[test]
    fn jira_dates() {
        assert_eq!(utc("22/Sep/25 9:26 AM"), "2025-09-22T09:26:00Z");
        assert_eq!(utc("22/Sep/25 9:26 PM"), "2025-09-22T21:26:00Z");
        assert_eq!(utc("18/Sep/25 12:00 AM"), "2025-09-18T00:00:00Z");
        assert_eq!(utc("18/Sep/25 12:30 PM"), "2025-09-18T12:30:00Z");
        assert_eq!(utc("22/Mar/14 07:59"), "2014-03-22T07:59:00Z");
        assert_eq!(utc("22/09/2025 09:26"), "2025-09-22T09:26:00Z");
        assert_eq!(utc("2025-09-22 09:26"), "2025-09-22T09:26:00Z");
        assert_eq!(utc("2025-09-22 09:26:00 +0200"), "2025-09-22T07:26:00Z");
        assert_eq!(utc("2025-09-22T09:26:00.000+0200"), "2025-09-22T07:26:00Z");
    }

    #[test]
    fn localised_months_and_zones() {
        let fr = DateStyle::new("fr", 120);
        assert_eq!(
            format_timestamp(fr.parse("19/oct./16 10:36 AM").unwrap()),
            "2016-10-19T08:36:00Z"
        );
        assert_eq!(
            format_timestamp(fr.parse("3/févr./26 10:00").unwrap()),
            "2026-02-03T08:00:00Z"
        );
        let es = DateStyle::new("es", 0);
        assert_eq!(
            format_timestamp(es.parse("5/ene/26 10:00 AM").unwrap()),
            "2026-01-05T10:00:00Z"
        );
        // An ISO time with its own zone ignores the configured one.
        assert_eq!(
            format_timestamp(fr.parse("2025-09-22T09:26:00Z").unwrap()),
            "2025-09-22T09:26:00Z"
        );
    }

    #[test]
    fn clock_times_have_no_sign_and_no_overflow() {
        let en = DateStyle::new("en", 0);
        for text in [
            "1-2-0 -20000000001394:4",
            "1-sep-.0 4:-0488888888888884",
            "1/2/2025 -3:00",
            "1/2/2025 3:-5",
            "1/2/2025 300:00",
        ] {
            assert_eq!(en.parse(text), None, "{text}");
        }
        assert_eq!(utc("1/2/2025 3:05"), "2025-02-01T03:05:00Z");
    }

    #[test]
    fn only_years_0001_to_9999_in_utc() {
        let en = DateStyle::new("en", 0);
        assert_eq!(en.parse("31/12/99999"), None);
        assert_eq!(en.parse("1/1/0000"), None);
        assert_eq!(utc("1/1/0001"), "0001-01-01T00:00:00Z");
        assert_eq!(utc("31/12/9999 11:00 PM"), "9999-12-31T23:00:00Z");
        // Naive times in a zone west of UTC that fall into year 10000 there.
        let west = DateStyle::new("en", -300);
        assert_eq!(west.parse("9999-12-31 20:00"), None);
        assert_eq!(west.parse("31/12/9999 8:00 PM"), None);
        assert!(west.parse("31/12/9999 6:00 PM").is_some());
    }

    #[test]
    fn nonsense_is_refused() {
        let en = DateStyle::new("en", 0);
        for bad in [
            "",
            "yesterday",
            "31/Feb/25 10:00",
            "22/Foo/25",
            "22/Sep/25 25:00",
            "22/Sep/25 9:26 XM",
        ] {
            assert_eq!(en.parse(bad), None, "{bad}");
        }
    }
}
