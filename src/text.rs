//! Number and word formatting shared by every human-readable output.

/// A fraction as a percentage with one decimal: `0.1176` → `11.8 %`.
pub fn pct(fraction: f64) -> String {
    format!("{:.1} %", fraction * 100.0)
}

/// An optional fraction as a percentage, or an en dash when there is none.
pub fn opt_pct(fraction: Option<f64>) -> String {
    fraction.map_or_else(|| "–".to_string(), pct)
}

/// Hours with one decimal, for tables, thousands grouped as in sentences (18,966.1).
pub fn hours(h: f64) -> String {
    let text = format!("{h:.1}");
    match text.split_once('.') {
        Some((whole, tenth)) if whole.len() > 3 => match whole.parse::<u64>() {
            Ok(n) => format!("{}.{tenth}", int(n)),
            Err(_) => text,
        },
        _ => text,
    }
}

/// `1 problem`, `2 problems`.
pub fn count(n: u64, singular: &str, plural: &str) -> String {
    format!("{} {}", int(n), if n == 1 { singular } else { plural })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(pct(2.0 / 17.0), "11.8 %");
        assert_eq!(pct(0.0), "0.0 %");
        assert_eq!(opt_pct(None), "–");
        assert_eq!(hours(22.04), "22.0");
        assert_eq!(hours(18966.06), "18,966.1");
        assert_eq!(hours(999.96), "1,000.0");
        assert_eq!(count(1, "problem", "problems"), "1 problem");
        assert_eq!(count(0, "problem", "problems"), "0 problems");
    }
}

/// An integer with thousands separators: `12345` → `12,345`.
pub fn int(n: u64) -> String {
    grouped(&n.to_string())
}

/// Digits with a comma before every group of three from the right.
fn grouped(digits: &str) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A number rounded to a whole one, with thousands separators, however large (no
/// conversion to a machine integer that could saturate): `1234567.6` → `1,234,568`.
pub fn whole(x: f64) -> String {
    let abs = x.round().abs();
    let digits = if abs < 1e15 {
        format!("{abs:.0}")
    } else {
        // The fifteen digits a double holds for sure, then zeros, rather than the
        // binary value's noise (5e27 is 4,999,999,999,999,999,791,559,868,416 exactly).
        let sci = format!("{abs:.14e}");
        let (mantissa, exponent) = sci.split_once('e').unwrap_or((&sci, "0"));
        let mut digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
        let length = exponent.parse::<usize>().unwrap_or(0) + 1;
        while digits.len() < length {
            digits.push('0');
        }
        digits
    };
    let sign = if x.round() < 0.0 { "-" } else { "" };
    format!("{sign}{}", grouped(&digits))
}

/// `a`, `a and b`, `a, b and c`.
pub fn join_list<S: AsRef<str>>(items: &[S]) -> String {
    match items {
        [] => String::new(),
        [one] => one.as_ref().to_string(),
        [rest @ .., last] => {
            let head: Vec<&str> = rest.iter().map(AsRef::as_ref).collect();
            format!("{} and {}", head.join(", "), last.as_ref())
        }
    }
}

/// Hours for a sentence: whole hours, with "about" when rounded or estimated.
pub fn hours_words(h: f64, estimated: bool) -> String {
    let rounded = h.round();
    let exact = (h - rounded).abs() < 1e-9 && !estimated;
    if h > 0.0 && rounded == 0.0 {
        return "less than an hour".to_string();
    }
    let unit = if rounded == 1.0 { "hour" } else { "hours" };
    let n = whole(rounded.abs());
    if exact {
        format!("{n} {unit}")
    } else {
        format!("about {n} {unit}")
    }
}

/// Money rounded to whole units with separators: `20843.0, "EUR"` → `20,843 EUR`.
pub fn money(amount: f64, currency: &str) -> String {
    format!("{} {currency}", whole(amount.max(0.0)))
}

/// A date in words: `2026-07-01` → `1 July 2026`.
pub fn date_words(date: chrono::NaiveDate) -> String {
    date.format("%-d %B %Y").to_string()
}

#[cfg(test)]
mod more_tests {
    use super::*;

    #[test]
    fn whole_numbers_of_any_size_keep_their_digits() {
        assert_eq!(whole(0.4), "0");
        assert_eq!(whole(1234567.6), "1,234,568");
        assert_eq!(whole(-1234.5), "-1,235");
        // Past u64::MAX (18,446,744,073,709,551,615), where a cast would saturate.
        assert_eq!(whole(5e27), "5,000,000,000,000,000,000,000,000,000");
        assert_eq!(
            money(5e27, "EUR"),
            "5,000,000,000,000,000,000,000,000,000 EUR"
        );
        assert_eq!(whole(123456789012345680.0), "123,456,789,012,346,000");
        assert_eq!(whole(f64::MAX).len(), 309 + 102);
    }

    #[test]
    fn words() {
        assert_eq!(int(1200), "1,200");
        assert_eq!(int(999), "999");
        assert_eq!(int(1_234_567), "1,234,567");
        assert_eq!(join_list(&["a"]), "a");
        assert_eq!(join_list(&["a", "b"]), "a and b");
        assert_eq!(join_list(&["a", "b", "c"]), "a, b and c");
        assert_eq!(hours_words(22.0, false), "22 hours");
        assert_eq!(hours_words(22.0, true), "about 22 hours");
        assert_eq!(hours_words(21.6, false), "about 22 hours");
        assert_eq!(hours_words(1.0, false), "1 hour");
        assert_eq!(hours_words(0.2, false), "less than an hour");
        assert_eq!(money(20843.4, "EUR"), "20,843 EUR");
        let d = chrono::NaiveDate::from_ymd_opt(2026, 7, 1).unwrap();
        assert_eq!(date_words(d), "1 July 2026");
    }
}
