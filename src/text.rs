//! Number and word formatting shared by every human-readable output.

/// A fraction as a percentage with one decimal: `0.1176` → `11.8 %`.
pub fn pct(fraction: f64) -> String {
    format!("{:.1} %", fraction * 100.0)
}

/// An optional fraction as a percentage, or an en dash when there is none.
pub fn opt_pct(fraction: Option<f64>) -> String {
    fraction.map_or_else(|| "–".to_string(), pct)
}

/// Hours with one decimal, for tables.
pub fn hours(h: f64) -> String {
    format!("{h:.1}")
}

/// `1 problem`, `2 problems`.
pub fn count(n: u64, singular: &str, plural: &str) -> String {
    format!("{n} {}", if n == 1 { singular } else { plural })
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
        assert_eq!(count(1, "problem", "problems"), "1 problem");
        assert_eq!(count(0, "problem", "problems"), "0 problems");
    }
}
