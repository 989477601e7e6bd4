//! Production deployments: attributing escaped problems to the release that shipped them,
//! flagging likely post-deployment regressions, and the change failure rate.

use crate::model::deployment::{DeployStatus, Deployment};
use crate::model::time::MICROS_PER_SECOND;

/// What attribution decided for one escaped problem.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Attribution {
    /// The release to record when the problem named none.
    pub release: Option<String>,
    /// Untyped and detected within the regression window after a deployment.
    pub likely_regression: bool,
    /// When the deployment the problem is attributed to reached production, if at or
    /// before its detection: where time to detect starts without an `introduced_at`.
    pub deployed_at: Option<i64>,
}

/// The production deployments, in time order, and which of them caused an escape.
#[derive(Debug, Clone)]
pub struct Releases {
    list: Vec<Deployment>,
    caused: Vec<bool>,
    /// How far back (microseconds) a deployment can be blamed; `None` is unlimited.
    window: Option<i64>,
    regression_window: i64,
}

impl Releases {
    pub fn new(
        deployments: Vec<Deployment>,
        window_hours: f64,
        regression_minutes: u64,
    ) -> Releases {
        let mut list: Vec<Deployment> = deployments.into_iter().filter(|d| d.production).collect();
        list.sort_by(|a, b| {
            a.deployed_at
                .cmp(&b.deployed_at)
                .then(a.release.cmp(&b.release))
        });
        let caused = vec![false; list.len()];
        Releases {
            list,
            caused,
            window: (window_hours > 0.0)
                .then_some((window_hours * 3600.0 * MICROS_PER_SECOND as f64) as i64),
            regression_window: regression_minutes as i64 * 60 * MICROS_PER_SECOND,
        }
    }

    /// The latest production deployment at or before `t`.
    fn latest_before(&self, t: i64) -> Option<usize> {
        self.list
            .partition_point(|d| d.deployed_at <= t)
            .checked_sub(1)
    }

    /// Attributes an escaped problem detected at `detected_at`: to the deployment of its
    /// own release when it names one, else to the latest production deployment before it.
    pub fn attribute(
        &mut self,
        detected_at: i64,
        release: Option<&str>,
        untyped: bool,
    ) -> Attribution {
        let latest = self.latest_before(detected_at);
        let likely_regression = untyped
            && latest
                .is_some_and(|i| detected_at - self.list[i].deployed_at <= self.regression_window);
        let (index, named) = match release {
            Some(name) => {
                let same: Vec<usize> = (0..self.list.len())
                    .filter(|i| self.list[*i].release == name)
                    .collect();
                let before = same
                    .iter()
                    .rev()
                    .find(|i| self.list[**i].deployed_at <= detected_at)
                    .or(same.first())
                    .copied();
                (before, None)
            }
            None => {
                let within = latest.filter(|i| {
                    self.window
                        .is_none_or(|w| detected_at - self.list[*i].deployed_at <= w)
                });
                (within, within.map(|i| self.list[i].release.clone()))
            }
        };
        if let Some(i) = index {
            self.caused[i] = true;
        }
        Attribution {
            release: named,
            likely_regression,
            deployed_at: index
                .map(|i| self.list[i].deployed_at)
                .filter(|at| *at <= detected_at),
        }
    }

    /// Production deployments in `[start, end)` and how many of them failed: failed,
    /// rolled back, or caused an escaped problem (each deployment counts once).
    pub fn in_range(&self, start: i64, end: i64) -> (u64, u64) {
        let mut total = 0;
        let mut failed = 0;
        for (d, caused) in self.list.iter().zip(&self.caused) {
            if d.deployed_at >= start && d.deployed_at < end {
                total += 1;
                if *caused || d.status != DeployStatus::Success {
                    failed += 1;
                }
            }
        }
        (total, failed)
    }

    /// The same deployments, none of them yet blamed for an escape.
    pub fn fresh(&self) -> Releases {
        Releases {
            caused: vec![false; self.list.len()],
            ..self.clone()
        }
    }

    /// Adds the escapes another reader attributed, for merged engines.
    pub fn merge(&mut self, other: &Releases) {
        for (mine, theirs) in self.caused.iter_mut().zip(&other.caused) {
            *mine |= theirs;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::time::parse_timestamp;

    fn dep(release: &str, at: &str, status: DeployStatus) -> Deployment {
        Deployment {
            release: release.into(),
            deployed_at: parse_timestamp(at).unwrap(),
            environment: None,
            status,
            production: true,
        }
    }

    fn t(s: &str) -> i64 {
        parse_timestamp(s).unwrap()
    }

    #[test]
    fn attribution_and_change_failure_rate_worked_by_hand() {
        let mut r = Releases::new(
            vec![
                dep("1.0", "2025-11-03T10:00:00Z", DeployStatus::Success),
                dep("1.1", "2025-11-10T10:00:00Z", DeployStatus::Success),
                dep("1.2", "2025-11-17T10:00:00Z", DeployStatus::RolledBack),
                dep("1.3", "2025-11-24T10:00:00Z", DeployStatus::Success),
            ],
            0.0,
            30,
        );
        // Before any deployment: no release, nothing blamed.
        assert_eq!(
            r.attribute(t("2025-11-01T00:00:00Z"), None, false),
            Attribution::default()
        );
        // Two incidents after 1.1: both attributed to it; it counts once.
        assert_eq!(
            r.attribute(t("2025-11-11T09:00:00Z"), None, false)
                .release
                .as_deref(),
            Some("1.1")
        );
        assert_eq!(
            r.attribute(t("2025-11-12T09:00:00Z"), None, false)
                .release
                .as_deref(),
            Some("1.1")
        );
        // Untyped, 20 minutes after 1.3: a likely regression.
        let a = r.attribute(t("2025-11-24T10:20:00Z"), None, true);
        assert_eq!(a.release.as_deref(), Some("1.3"));
        assert!(a.likely_regression);
        // Untyped, 31 minutes after: not flagged.
        assert!(
            !r.attribute(t("2025-11-24T10:31:00Z"), None, true)
                .likely_regression
        );
        // A problem naming its release blames that release's deployment, not the latest.
        assert_eq!(
            r.attribute(t("2025-11-25T09:00:00Z"), Some("1.0"), false)
                .release,
            None
        );
        // November: 4 deployments; 1.0 (named), 1.1 (two incidents), 1.2 (rolled back) and
        // 1.3 (incidents) failed: all four.
        assert_eq!(
            r.in_range(t("2025-11-01T00:00:00Z"), t("2025-12-01T00:00:00Z")),
            (4, 4)
        );
        // The first three weeks only: 1.0, 1.1 and 1.2.
        assert_eq!(
            r.in_range(t("2025-11-01T00:00:00Z"), t("2025-11-20T00:00:00Z")),
            (3, 3)
        );
    }

    #[test]
    fn the_attributed_deployment_starts_time_to_detect() {
        let mut r = Releases::new(
            vec![
                dep("1.0", "2025-11-03T10:00:00Z", DeployStatus::Success),
                dep("1.0", "2025-11-05T10:00:00Z", DeployStatus::Success),
                dep("1.1", "2025-11-10T10:00:00Z", DeployStatus::Success),
            ],
            0.0,
            30,
        );
        let at = |s| Some(t(s));
        // Without a release: the latest deployment at or before detection.
        assert_eq!(
            r.attribute(t("2025-11-11T09:00:00Z"), None, false)
                .deployed_at,
            at("2025-11-10T10:00:00Z")
        );
        // Naming its release: that release's latest deployment at or before detection.
        assert_eq!(
            r.attribute(t("2025-11-12T09:00:00Z"), Some("1.0"), false)
                .deployed_at,
            at("2025-11-05T10:00:00Z")
        );
        assert_eq!(
            r.attribute(t("2025-11-04T09:00:00Z"), Some("1.0"), false)
                .deployed_at,
            at("2025-11-03T10:00:00Z")
        );
        // A release first deployed after the problem was detected: no time to detect.
        assert_eq!(
            r.attribute(t("2025-11-09T09:00:00Z"), Some("1.1"), false)
                .deployed_at,
            None
        );
        // An unknown release, or nothing deployed yet: none either.
        assert_eq!(
            r.attribute(t("2025-11-12T09:00:00Z"), Some("9.9"), false)
                .deployed_at,
            None
        );
        assert_eq!(
            r.attribute(t("2025-11-01T09:00:00Z"), None, false)
                .deployed_at,
            None
        );
    }

    #[test]
    fn the_attribution_window_limits_blame() {
        let mut r = Releases::new(
            vec![dep("1.0", "2025-11-03T10:00:00Z", DeployStatus::Success)],
            24.0,
            30,
        );
        assert_eq!(
            r.attribute(t("2025-11-05T10:00:00Z"), None, false).release,
            None
        );
        assert_eq!(
            r.in_range(t("2025-11-01T00:00:00Z"), t("2025-12-01T00:00:00Z")),
            (1, 0)
        );
        assert_eq!(
            r.attribute(t("2025-11-04T09:00:00Z"), None, false)
                .release
                .as_deref(),
            Some("1.0")
        );
    }
}
