//! The metrics engine: streaming, mergeable accumulation of problems into tallies, then
//! one computation of every figure (SPEC 4). No I/O and no formatting here.

pub mod quality;
pub mod releases;
pub mod report;
pub mod stats;
pub mod tally;

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::model::band::Bands;
use crate::model::period::Period;
use crate::model::time::date_of;
use crate::model::{Config, Problem, Quarter};

pub use quality::DataQuality;
pub use report::Metrics;
pub use tally::Tally;

/// Which period the figures are for.
#[derive(Debug, Clone, PartialEq)]
pub enum PeriodChoice {
    /// The latest full quarter in the data, known only once everything is read.
    LatestFullQuarter,
    Given(Period),
}

/// The settings of the computation, taken from the configuration.
#[derive(Debug, Clone)]
pub struct Settings {
    pub stages: Vec<String>,
    pub boundary: String,
    pub weights: crate::model::config::SeverityWeights,
    pub bands: Bands,
    pub small_sample: u64,
    pub trend_threshold: f64,
    pub hourly_rate: Option<f64>,
    pub currency: String,
}

impl Settings {
    pub fn from_config(config: &Config) -> anyhow::Result<Settings> {
        let wanted = crate::model::config::normalize(&config.stages.boundary);
        // The boundary as the stage order spells it, so reports and the JSON name it alike.
        let boundary = config
            .stages
            .order
            .iter()
            .find(|s| crate::model::config::normalize(s) == wanted)
            .unwrap_or(&config.stages.boundary)
            .clone();
        Ok(Settings {
            stages: config.stages.order.clone(),
            boundary,
            weights: config.severity.weights,
            bands: Bands::from_config(&config.bands)?,
            small_sample: config.thresholds.small_sample,
            trend_threshold: config.thresholds.trend_pct / 100.0,
            hourly_rate: config.cost.hourly_rate,
            currency: config.cost.currency.clone(),
        })
    }
}

/// Accumulates problems as they are read. Memory grows with the number of quarters and
/// groups, and with the escaped problems of the periods a report may show.
#[derive(Debug, Clone)]
pub struct Engine {
    stages: usize,
    choice: PeriodChoice,
    /// For a given period: the period and the one before it, with their tallies.
    given: Option<[(Period, Tally); 2]>,
    quarters: BTreeMap<Quarter, Tally>,
    first: Option<NaiveDate>,
    last: Option<NaiveDate>,
    /// With the latest-quarter choice: quarters from here on keep their detail.
    keep_from: Option<Quarter>,
    /// The last date seen and its quarter, since rows often arrive in date order.
    cached_day: Option<(i64, NaiveDate, Quarter)>,
    /// Production deployments, when a deployments file was given.
    releases: Option<releases::Releases>,
}

impl Engine {
    pub fn new(
        stages: usize,
        choice: PeriodChoice,
        sprints: &[crate::model::config::Sprint],
    ) -> Engine {
        let given = match &choice {
            PeriodChoice::Given(period) => {
                let previous = period.previous(sprints).unwrap_or_else(|| Period {
                    label: String::new(),
                    start: NaiveDate::MIN,
                    end: NaiveDate::MIN,
                    kind: period.kind,
                });
                Some([
                    (period.clone(), Tally::new(stages, true)),
                    (previous, Tally::new(stages, true)),
                ])
            }
            PeriodChoice::LatestFullQuarter => None,
        };
        Engine {
            stages,
            choice,
            given,
            quarters: BTreeMap::new(),
            first: None,
            last: None,
            keep_from: None,
            cached_day: None,
            releases: None,
        }
    }

    /// Uses these deployments to attribute escapes and count releases.
    pub fn set_releases(&mut self, releases: releases::Releases) {
        self.releases = Some(releases);
    }

    /// Adds a problem; an escaped one may first be attributed to a deployment.
    pub fn add(&mut self, problem: &mut Problem<'_>) {
        let mut deployed_at = None;
        if let (Some(releases), true) = (&mut self.releases, problem.escaped) {
            let untyped = problem.kind == Some(crate::model::ProblemType::Unclassified);
            let attribution =
                releases.attribute(problem.detected_at, problem.release.as_deref(), untyped);
            if let Some(release) = attribution.release {
                problem.release = Some(std::borrow::Cow::Owned(release));
            }
            problem.likely_regression = attribution.likely_regression;
            deployed_at = attribution.deployed_at;
        }
        let problem = &*problem;
        let day = problem
            .detected_at
            .div_euclid(crate::model::time::MICROS_PER_DAY);
        let (date, quarter) = match self.cached_day {
            Some((d, date, quarter)) if d == day => (date, quarter),
            _ => {
                let date = date_of(problem.detected_at);
                let quarter = Quarter::of(date);
                self.cached_day = Some((day, date, quarter));
                (date, quarter)
            }
        };
        if self.first.is_none_or(|f| date < f) {
            self.first = Some(date);
        }
        if self.last.is_none_or(|l| date > l) {
            self.last = Some(date);
            if self.choice == PeriodChoice::LatestFullQuarter {
                let keep_from = Quarter::latest_full(date).prev();
                if self.keep_from != Some(keep_from) {
                    self.keep_from = Some(keep_from);
                    for (_, tally) in self.quarters.range_mut(..keep_from) {
                        tally.detail = None;
                    }
                }
            }
        }
        let keep_detail = self.keep_from.is_some_and(|k| quarter >= k);
        let stages = self.stages;
        self.quarters
            .entry(quarter)
            .or_insert_with(|| Tally::new(stages, keep_detail))
            .add(problem, deployed_at);
        if let Some(given) = &mut self.given {
            for (period, tally) in given.iter_mut() {
                if period.contains(date) {
                    tally.add(problem, deployed_at);
                }
            }
        }
    }

    /// An empty engine with the same settings (and deployments), for problems read on
    /// another thread; [`Engine::merge`] brings them back.
    pub fn fork(&self) -> Engine {
        let stages = self.stages;
        Engine {
            stages,
            choice: self.choice.clone(),
            given: self.given.as_ref().map(|given| {
                given
                    .clone()
                    .map(|(period, _)| (period, Tally::new(stages, true)))
            }),
            quarters: BTreeMap::new(),
            first: None,
            last: None,
            keep_from: None,
            cached_day: None,
            releases: self.releases.as_ref().map(releases::Releases::fresh),
        }
    }

    /// Adds another engine's counts, read with the same settings, into this one.
    pub fn merge(&mut self, other: Engine) {
        if let (Some(mine), Some(theirs)) = (&mut self.given, other.given) {
            for ((_, a), (_, b)) in mine.iter_mut().zip(theirs) {
                a.merge(b);
            }
        }
        for (quarter, tally) in other.quarters {
            self.quarters.entry(quarter).or_default().merge(tally);
        }
        self.first = match (self.first, other.first) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        self.last = match (self.last, other.last) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        if let (Some(mine), Some(theirs)) = (&mut self.releases, &other.releases) {
            mine.merge(theirs);
        }
        if let Some(keep_from) = self
            .last
            .filter(|_| self.choice == PeriodChoice::LatestFullQuarter)
            .map(|d| Quarter::latest_full(d).prev())
        {
            self.keep_from = Some(keep_from);
            for (_, tally) in self.quarters.range_mut(..keep_from) {
                tally.detail = None;
            }
        }
    }

    /// Computes every figure.
    pub fn finish(mut self, settings: &Settings, quality: DataQuality) -> Metrics {
        let stages = self.stages;
        let (period, selected, previous) = match (self.given.take(), self.last) {
            (Some([(period, selected), (previous_period, previous)]), _) => {
                let previous =
                    (!previous_period.label.is_empty()).then_some((previous_period, previous));
                (Some(period), selected, previous)
            }
            // Data only in 0001-Q1 has no full quarter before it: there is no year 0.
            (None, Some(last)) if Quarter::latest_full(last).year >= 1 => {
                let quarter = Quarter::latest_full(last);
                let selected = self
                    .quarters
                    .get(&quarter)
                    .cloned()
                    .unwrap_or_else(|| Tally::new(stages, true));
                let previous = (quarter.prev().year >= 1).then(|| {
                    let tally = self
                        .quarters
                        .get(&quarter.prev())
                        .cloned()
                        .unwrap_or_else(|| Tally::new(stages, true));
                    (quarter.prev().as_period(), tally)
                });
                (Some(quarter.as_period()), selected, previous)
            }
            (None, _) => (None, Tally::new(stages, true), None),
        };
        let shown = match (&period, self.first) {
            (Some(period), first) => {
                let last = Quarter::of(period.end);
                let earliest = first.map(Quarter::of);
                let mut q = last;
                let mut list = vec![last];
                for _ in 0..4 {
                    q = q.prev();
                    if earliest.is_none_or(|e| q < e) {
                        break;
                    }
                    list.push(q);
                }
                list.reverse();
                list.into_iter()
                    .map(|q| {
                        let tally = self
                            .quarters
                            .remove(&q)
                            .unwrap_or_else(|| Tally::new(stages, false));
                        (q, tally)
                    })
                    .collect()
            }
            (None, _) => Vec::new(),
        };
        let count_releases = |start: NaiveDate, end: NaiveDate| {
            self.releases.as_ref().map(|r| {
                r.in_range(
                    crate::model::time::start_of(start),
                    crate::model::time::start_of(end) + crate::model::time::MICROS_PER_DAY,
                )
            })
        };
        let release_counts = report::ReleaseCounts {
            period: period.as_ref().and_then(|p| count_releases(p.start, p.end)),
            quarters: shown
                .iter()
                .map(|(q, _)| count_releases(q.start(), q.end()))
                .collect(),
        };
        let data_range = report::DataRange {
            first: self.first.map(|d| d.to_string()),
            last: self.last.map(|d| d.to_string()),
        };
        report::compute(
            settings,
            report::Tallies {
                data_range,
                release_counts,
                period,
                selected,
                previous,
                shown,
            },
            quality,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_boundary_is_named_as_the_stage_order_spells_it() {
        let config = Config::from_toml(
            "[stages]\norder = [\"Dev\", \"QA\", \"Prod\"]\nboundary = \" prod\"\n",
        )
        .unwrap();
        assert_eq!(Settings::from_config(&config).unwrap().boundary, "Prod");
    }
}
