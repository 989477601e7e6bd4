//! Small statistics: the Wilson score interval, interpolated quantiles, trend direction.

use serde::Serialize;

/// z for a two-sided 95 % interval.
pub const Z95: f64 = 1.959_963_984_540_054;

/// The Wilson score interval for `successes` of `n` at 95 %; `None` when `n` is 0.
pub fn wilson(successes: u64, n: u64) -> Option<(f64, f64)> {
    if n == 0 {
        return None;
    }
    let n_f = n as f64;
    let p = successes as f64 / n_f;
    let z2 = Z95 * Z95;
    let denominator = 1.0 + z2 / n_f;
    let centre = (p + z2 / (2.0 * n_f)) / denominator;
    let half = Z95 * (p * (1.0 - p) / n_f + z2 / (4.0 * n_f * n_f)).sqrt() / denominator;
    let low = if successes == 0 {
        0.0
    } else {
        (centre - half).max(0.0)
    };
    let high = if successes == n {
        1.0
    } else {
        (centre + half).min(1.0)
    };
    Some((low, high))
}

/// The `p` quantile (0..=1) of sorted values, interpolating linearly between the closest
/// ranks (numpy's default, DuckDB's `quantile_cont`).
pub fn quantile_sorted(sorted: &[f64], p: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let position = p * (sorted.len() - 1) as f64;
    let lower = position.floor() as usize;
    let upper = position.ceil() as usize;
    let fraction = position - lower as f64;
    Some(sorted[lower] + (sorted[upper] - sorted[lower]) * fraction)
}

/// How a type's escaped count moved across the shown quarters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Direction {
    #[serde(rename = "rising")]
    Rising,
    #[serde(rename = "dropping")]
    Dropping,
    #[serde(rename = "steady")]
    Steady,
    #[serde(rename = "too few to call")]
    TooFewToCall,
}

impl Direction {
    /// Compares the first shown quarter's count with the last one's; `threshold` is a fraction.
    pub fn between(first: u64, last: u64, threshold: f64) -> Direction {
        if first < 5 && last < 5 {
            return Direction::TooFewToCall;
        }
        let base = first.max(1) as f64;
        let change = (last as f64 - first as f64) / base;
        if change >= threshold {
            Direction::Rising
        } else if change <= -threshold {
            Direction::Dropping
        } else {
            Direction::Steady
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Rising => "rising",
            Direction::Dropping => "dropping",
            Direction::Steady => "steady",
            Direction::TooFewToCall => "too few to call",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 5e-5
    }

    #[test]
    fn wilson_matches_worked_values() {
        let (lo, hi) = wilson(8, 38).unwrap();
        assert!(close(lo, 0.1107) && close(hi, 0.3635), "{lo} {hi}");
        let (lo, hi) = wilson(3, 38).unwrap();
        assert!(close(lo, 0.0272) && close(hi, 0.2080), "{lo} {hi}");
        let (lo, hi) = wilson(0, 10).unwrap();
        assert!(lo == 0.0 && close(hi, 0.2775), "{lo} {hi}");
        let (lo, hi) = wilson(10, 10).unwrap();
        assert!(close(lo, 0.7225) && hi == 1.0, "{lo} {hi}");
        assert_eq!(wilson(0, 0), None);
    }

    #[test]
    fn quantiles_interpolate_between_closest_ranks() {
        // numpy.percentile([1, 2, 3, 4], [50, 90]) == [2.5, 3.7]
        let v = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(quantile_sorted(&v, 0.5), Some(2.5));
        assert!((quantile_sorted(&v, 0.9).unwrap() - 3.7).abs() < 1e-12);
        // numpy.percentile([10, 20, 30, 40, 50], 90) == 46.0
        let v = [10.0, 20.0, 30.0, 40.0, 50.0];
        assert!((quantile_sorted(&v, 0.9).unwrap() - 46.0).abs() < 1e-12);
        assert_eq!(quantile_sorted(&v, 0.5), Some(30.0));
        assert_eq!(quantile_sorted(&[7.0], 0.9), Some(7.0));
        assert_eq!(quantile_sorted(&[], 0.5), None);
    }

    #[test]
    fn directions_at_and_around_the_threshold() {
        let t = 0.20;
        assert_eq!(Direction::between(4, 4, t), Direction::TooFewToCall);
        assert_eq!(Direction::between(0, 4, t), Direction::TooFewToCall);
        assert_eq!(Direction::between(4, 5, t), Direction::Rising); // +25 %
        assert_eq!(Direction::between(10, 12, t), Direction::Rising); // exactly +20 %
        assert_eq!(Direction::between(15, 18, t), Direction::Rising); // exactly +20 %
        assert_eq!(Direction::between(10, 11, t), Direction::Steady); // +10 %
        assert_eq!(Direction::between(10, 8, t), Direction::Dropping); // exactly -20 %
        assert_eq!(Direction::between(15, 12, t), Direction::Dropping); // exactly -20 %
        assert_eq!(Direction::between(10, 9, t), Direction::Steady); // -10 %
        assert_eq!(Direction::between(0, 5, t), Direction::Rising); // relative to 1
        assert_eq!(Direction::between(5, 0, t), Direction::Dropping);
        assert_eq!(Direction::between(6, 6, t), Direction::Steady);
    }
}
