//! The figures themselves, in the shape of the `metrics --json` contract (SPEC 4).
//! Every renderer reads this; rates are fractions and numbers are not rounded.

use std::collections::BTreeMap;

use serde::Serialize;

use super::quality::DataQuality;
use super::stats::{quantile_sorted, wilson, Direction};
use super::tally::{Count, EscapedItem, Tally};
use super::Settings;
use crate::model::period::Period;
use crate::model::{Mechanism, ProblemType, Quarter, Severity};

pub const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Metrics {
    pub schema_version: u32,
    pub period: PeriodView,
    pub boundary: String,
    /// The first and last detection dates among all usable rows.
    pub data_range: DataRange,
    pub totals: Totals,
    pub by_type: Vec<TypeRow>,
    pub by_severity: Vec<GroupRow>,
    pub by_component: Vec<GroupRow>,
    pub by_team: Vec<GroupRow>,
    pub by_release: Vec<GroupRow>,
    pub stages: Vec<StageRow>,
    pub quarters: Vec<QuarterRow>,
    pub trends: Vec<TrendRow>,
    pub time_to_detect_hours: BTreeMap<String, Spread>,
    pub time_to_resolve_hours: BTreeMap<String, Spread>,
    pub mechanisms: Vec<MechanismRow>,
    /// The period before the selected one, for comparisons (not part of the stable contract).
    pub previous: Option<PreviousPeriod>,
    pub integrity: Integrity,
    pub data_quality: DataQuality,
    /// The selected period's most expensive escaped problems (at most
    /// [`super::tally::KEPT_ESCAPED`]), most expensive first; for reports, not JSON.
    #[serde(skip)]
    pub escaped_problems: Vec<EscapedItem>,
    /// The highest cost of one escaped problem in the period and how many share it.
    #[serde(skip)]
    pub top_cost: Option<(f64, u64)>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PeriodView {
    pub label: Option<String>,
    pub start: Option<String>,
    pub end: Option<String>,
}

impl PeriodView {
    fn of(period: Option<&Period>) -> PeriodView {
        PeriodView {
            label: period.map(|p| p.label.clone()),
            start: period.map(|p| p.start.to_string()),
            end: period.map(|p| p.end.to_string()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DataRange {
    pub first: Option<String>,
    pub last: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Totals {
    pub problems: u64,
    pub escaped: u64,
    pub escape_rate: Option<f64>,
    pub ci95_low: Option<f64>,
    pub ci95_high: Option<f64>,
    pub weighted_escape_rate: Option<f64>,
    pub band: Option<String>,
    pub detection_rate: Option<f64>,
    pub cost_hours: f64,
    /// Production deployments in the period; null without a deployments file.
    pub releases: Option<u64>,
    /// Null without a deployments file.
    pub change_failure_rate: Option<f64>,
    /// Part of `cost_hours` that came from the cost model.
    pub estimated_hours: f64,
    /// `cost_hours` times the configured hourly rate, when one is set.
    pub cost_money: Option<f64>,
    pub currency: Option<String>,
    /// True when the rates rest on fewer problems than the small-sample threshold.
    pub small_sample: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TypeRow {
    #[serde(rename = "type")]
    pub kind: ProblemType,
    pub escaped: u64,
    pub share: Option<f64>,
    pub cost_hours: f64,
    pub estimated_hours: f64,
    /// Share of all escaped cost.
    pub cost_share: Option<f64>,
    pub hours_per_problem: Option<f64>,
    /// Share of this type's hours that were estimated.
    pub estimated_share: Option<f64>,
    pub to_verify: u64,
    /// The type's hours at the hourly rate; null without one.
    pub cost_money: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupRow {
    pub key: String,
    pub problems: u64,
    pub escaped: u64,
    pub escape_rate: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StageRow {
    pub stage: String,
    pub found: u64,
    pub leakage: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct TypeQuarter {
    pub escaped: u64,
    pub cost_hours: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuarterRow {
    pub label: String,
    pub problems: u64,
    pub escaped: u64,
    pub escape_rate: Option<f64>,
    pub cost_hours: f64,
    pub by_type: BTreeMap<ProblemType, TypeQuarter>,
    /// Share of pre-release problems that are P3 or P4.
    pub low_severity_prerelease_share: Option<f64>,
    /// Production deployments in the quarter; null without a deployments file.
    pub releases: Option<u64>,
    pub change_failure_rate: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrendRow {
    #[serde(rename = "type")]
    pub kind: ProblemType,
    pub direction: Direction,
    pub qoq_escaped_delta: Option<i64>,
    pub qoq_escaped_change: Option<f64>,
    pub qoq_cost_delta: Option<f64>,
    pub qoq_cost_change: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Spread {
    pub median: f64,
    pub p90: f64,
    pub count: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MechanismRow {
    pub mechanism: Mechanism,
    pub escaped: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PreviousPeriod {
    pub period: PeriodView,
    pub problems: u64,
    pub escaped: u64,
    pub escape_rate: Option<f64>,
    pub weighted_escape_rate: Option<f64>,
    pub band: Option<String>,
    pub cost_hours: f64,
    pub by_type: BTreeMap<ProblemType, TypeQuarter>,
}

/// Signals that the figures may be distorted by how the data was recorded.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Integrity {
    /// Escaped problems of the period without a release.
    pub escaped_without_release: u64,
    /// Untyped escapes detected within the regression window after a deployment: likely
    /// post-deployment regressions, to verify.
    pub likely_regressions: u64,
    /// Share of the period's escaped problems that are unclassified.
    pub unclassified_share: Option<f64>,
    /// Share of the period's escaped problems whose type is to be verified.
    pub to_verify_share: Option<f64>,
    /// Share of pre-release problems of severity P3 or P4, this period and the previous one.
    pub low_severity_prerelease_share: Option<f64>,
    pub previous_low_severity_prerelease_share: Option<f64>,
    /// Plain-language warnings, one per signal that fired.
    pub signals: Vec<String>,
}

fn ratio(a: u64, b: u64) -> Option<f64> {
    (b > 0).then(|| a as f64 / b as f64)
}

fn fratio(a: f64, b: f64) -> Option<f64> {
    (b > 0.0).then(|| a / b)
}

fn weighted_rate(settings: &Settings, tally: &Tally) -> Option<f64> {
    let weight = |slot: usize| match Severity::ALL.get(slot) {
        Some(s) => settings.weights.of(Some(*s)),
        None => settings.weights.of(None),
    };
    let mut all = 0.0;
    let mut escaped = 0.0;
    for (slot, count) in tally.by_severity.iter().enumerate() {
        all += weight(slot) * count.problems as f64;
        escaped += weight(slot) * count.escaped as f64;
    }
    fratio(escaped, all)
}

/// Rows sorted by key, whatever order the counts were kept in.
fn groups(map: &super::tally::Groups) -> Vec<GroupRow> {
    let mut keys: Vec<(String, &Count)> = map.iter().collect();
    keys.sort_by(|a, b| a.0.cmp(&b.0));
    keys.into_iter()
        .map(|(key, c)| GroupRow {
            key,
            problems: c.problems,
            escaped: c.escaped,
            escape_rate: ratio(c.escaped, c.problems),
        })
        .collect()
}

fn by_type_quarter(tally: &Tally) -> BTreeMap<ProblemType, TypeQuarter> {
    ProblemType::ALL
        .into_iter()
        .map(|t| {
            let tt = &tally.types[t.index()];
            (
                t,
                TypeQuarter {
                    escaped: tt.escaped,
                    cost_hours: tt.cost.as_f64(),
                },
            )
        })
        .collect()
}

fn spreads(samples: &mut [Vec<f64>; 5]) -> BTreeMap<String, Spread> {
    let mut out = BTreeMap::new();
    for t in ProblemType::ALL {
        let values = &mut samples[t.index()];
        if values.is_empty() {
            continue;
        }
        values.sort_by(f64::total_cmp);
        if let (Some(median), Some(p90)) =
            (quantile_sorted(values, 0.5), quantile_sorted(values, 0.9))
        {
            out.insert(
                t.as_str().to_string(),
                Spread {
                    median,
                    p90,
                    count: values.len(),
                },
            );
        }
    }
    out
}

/// Production deployments and failed ones, for the period and each shown quarter; `None`
/// without a deployments file.
#[derive(Debug, Clone, Default)]
pub struct ReleaseCounts {
    pub period: Option<(u64, u64)>,
    pub quarters: Vec<Option<(u64, u64)>>,
}

/// What the engine hands over for the final computation.
pub(super) struct Tallies {
    pub data_range: DataRange,
    pub release_counts: ReleaseCounts,
    pub period: Option<Period>,
    pub selected: Tally,
    pub previous: Option<(Period, Tally)>,
    pub shown: Vec<(Quarter, Tally)>,
}

pub(super) fn compute(settings: &Settings, tallies: Tallies, quality: DataQuality) -> Metrics {
    let Tallies {
        data_range,
        release_counts,
        period,
        mut selected,
        previous,
        shown,
    } = tallies;
    let total = selected.total;
    let escape_rate = ratio(total.escaped, total.problems);
    let interval = wilson(total.escaped, total.problems);
    let cost = selected.cost().as_f64();
    let mut estimated = super::tally::Hours::default();
    for t in &selected.types {
        estimated += t.estimated_cost;
    }
    let totals = Totals {
        problems: total.problems,
        escaped: total.escaped,
        escape_rate,
        ci95_low: interval.map(|i| i.0),
        ci95_high: interval.map(|i| i.1),
        weighted_escape_rate: weighted_rate(settings, &selected),
        band: escape_rate.map(|r| settings.bands.classify(r).to_string()),
        detection_rate: escape_rate.map(|r| 1.0 - r),
        cost_hours: cost,
        releases: release_counts.period.map(|(total, _)| total),
        change_failure_rate: release_counts
            .period
            .and_then(|(total, failed)| ratio(failed, total)),
        estimated_hours: estimated.as_f64(),
        cost_money: settings.hourly_rate.map(|rate| rate * cost),
        currency: settings.hourly_rate.map(|_| settings.currency.clone()),
        small_sample: total.problems < settings.small_sample,
    };
    let by_type = ProblemType::ALL
        .into_iter()
        .map(|t| {
            let tt = &selected.types[t.index()];
            let hours = tt.cost.as_f64();
            TypeRow {
                kind: t,
                escaped: tt.escaped,
                share: ratio(tt.escaped, total.escaped),
                cost_hours: hours,
                estimated_hours: tt.estimated_cost.as_f64(),
                cost_share: fratio(hours, cost),
                hours_per_problem: (tt.escaped > 0).then(|| hours / tt.escaped as f64),
                estimated_share: fratio(tt.estimated_cost.as_f64(), hours),
                to_verify: tt.to_verify,
                cost_money: settings.hourly_rate.map(|rate| rate * hours),
            }
        })
        .collect();
    let by_severity = selected
        .by_severity
        .iter()
        .enumerate()
        .filter(|(_, c)| c.problems > 0)
        .map(|(slot, c)| GroupRow {
            key: Severity::ALL
                .get(slot)
                .map_or("none", |s| s.as_str())
                .to_string(),
            problems: c.problems,
            escaped: c.escaped,
            escape_rate: ratio(c.escaped, c.problems),
        })
        .collect();
    let stages = {
        let mut at_or_after: u64 = selected.stages.iter().sum();
        settings
            .stages
            .iter()
            .zip(&selected.stages)
            .map(|(name, &found)| {
                let after = at_or_after - found;
                let row = StageRow {
                    stage: name.clone(),
                    found,
                    leakage: ratio(after, at_or_after),
                };
                at_or_after = after;
                row
            })
            .collect()
    };
    let quarters: Vec<QuarterRow> = shown
        .iter()
        .zip(
            release_counts
                .quarters
                .iter()
                .chain(std::iter::repeat(&None)),
        )
        .map(|((q, t), releases)| QuarterRow {
            releases: releases.map(|(total, _)| total),
            change_failure_rate: releases.and_then(|(total, failed)| ratio(failed, total)),
            label: q.to_string(),
            problems: t.total.problems,
            escaped: t.total.escaped,
            escape_rate: ratio(t.total.escaped, t.total.problems),
            cost_hours: t.cost().as_f64(),
            by_type: by_type_quarter(t),
            low_severity_prerelease_share: ratio(t.low_severity_prerelease, t.prerelease()),
        })
        .collect();
    let trends = ProblemType::ALL
        .into_iter()
        .map(|t| {
            let i = t.index();
            let first = shown.first().map_or(0, |(_, q)| q.types[i].escaped);
            let last = shown.last().map_or(0, |(_, q)| q.types[i].escaped);
            let pair = (shown.len() >= 2).then(|| {
                let a = &shown[shown.len() - 2].1.types[i];
                let b = &shown[shown.len() - 1].1.types[i];
                (a, b)
            });
            TrendRow {
                kind: t,
                direction: Direction::between(first, last, settings.trend_threshold),
                qoq_escaped_delta: pair.map(|(a, b)| b.escaped as i64 - a.escaped as i64),
                qoq_escaped_change: pair.and_then(|(a, b)| {
                    (a.escaped > 0)
                        .then(|| (b.escaped as f64 - a.escaped as f64) / a.escaped as f64)
                }),
                qoq_cost_delta: pair.map(|(a, b)| (b.cost - a.cost).as_f64()),
                qoq_cost_change: pair.and_then(|(a, b)| {
                    (a.cost.as_f64() > 0.0).then(|| (b.cost - a.cost).as_f64() / a.cost.as_f64())
                }),
            }
        })
        .collect();
    let mut detail = selected.detail.take().unwrap_or_default();
    let time_to_detect_hours = spreads(&mut detail.time_to_detect);
    let time_to_resolve_hours = spreads(&mut detail.time_to_resolve);
    let mut mechanisms: Vec<MechanismRow> = Mechanism::ALL
        .into_iter()
        .filter(|m| selected.mechanisms[m.index()] > 0)
        .map(|m| MechanismRow {
            mechanism: m,
            escaped: selected.mechanisms[m.index()],
        })
        .collect();
    mechanisms.sort_by(|a, b| {
        b.escaped
            .cmp(&a.escaped)
            .then_with(|| a.mechanism.as_str().cmp(b.mechanism.as_str()))
    });
    let previous_view = previous.as_ref().map(|(p, t)| {
        let rate = ratio(t.total.escaped, t.total.problems);
        PreviousPeriod {
            period: PeriodView::of(Some(p)),
            problems: t.total.problems,
            escaped: t.total.escaped,
            escape_rate: rate,
            weighted_escape_rate: weighted_rate(settings, t),
            band: rate.map(|r| settings.bands.classify(r).to_string()),
            cost_hours: t.cost().as_f64(),
            by_type: by_type_quarter(t),
        }
    });
    let integrity = integrity(&selected, previous.as_ref().map(|(_, t)| t));
    let mut escaped_problems = detail.escaped;
    escaped_problems.sort_by(super::tally::by_cost);
    escaped_problems.truncate(super::tally::KEPT_ESCAPED);
    Metrics {
        schema_version: SCHEMA_VERSION,
        period: PeriodView::of(period.as_ref()),
        boundary: settings.boundary.clone(),
        data_range,
        totals,
        by_type,
        by_severity,
        by_component: groups(&selected.by_component),
        by_team: groups(&selected.by_team),
        by_release: groups(&selected.by_release),
        stages,
        quarters,
        trends,
        time_to_detect_hours,
        time_to_resolve_hours,
        mechanisms,
        previous: previous_view,
        integrity,
        data_quality: quality,
        escaped_problems,
        top_cost: detail.top_hours,
    }
}

fn integrity(selected: &Tally, previous: Option<&Tally>) -> Integrity {
    let escaped = selected.total.escaped;
    let unclassified = selected.types[ProblemType::Unclassified.index()].escaped;
    let to_verify: u64 = selected.types.iter().map(|t| t.to_verify).sum();
    let low = ratio(selected.low_severity_prerelease, selected.prerelease());
    let previous_low = previous.and_then(|p| ratio(p.low_severity_prerelease, p.prerelease()));
    let mut signals = Vec::new();
    if let (Some(now), Some(before)) = (low, previous_low) {
        if now - before >= 0.10 {
            signals.push(format!(
                "The share of low-severity (P3/P4) problems found before release rose from {:.1} % to {:.1} %; more minor findings make the escape rate look better without fewer escapes.",
                before * 100.0,
                now * 100.0
            ));
        }
    }
    if selected.escaped_without_release > 0 {
        let without = selected.escaped_without_release;
        let who = match (without, escaped) {
            (1, 1) => "The escaped problem has".to_string(),
            (n, m) if n == m => format!("All {n} escaped problems have"),
            (1, m) => format!("1 of the {m} escaped problems has"),
            (n, m) => format!("{n} of the {m} escaped problems have"),
        };
        signals.push(format!(
            "{who} no release, so escapes per release are incomplete."
        ));
    }
    if let Some(share) = ratio(unclassified, escaped).filter(|s| *s >= 0.10) {
        signals.push(format!(
            "{:.1} % of escaped problems have no type, so the type breakdown is uncertain.",
            share * 100.0
        ));
    }
    if selected.likely_regressions > 0 {
        let one = selected.likely_regressions == 1;
        signals.push(format!(
            "{} without a type {} detected within minutes of a deployment: {} to verify.",
            crate::text::count(
                selected.likely_regressions,
                "escaped problem",
                "escaped problems"
            ),
            if one { "was" } else { "were" },
            if one {
                "a likely post-deployment regression"
            } else {
                "likely post-deployment regressions"
            }
        ));
    }
    Integrity {
        escaped_without_release: selected.escaped_without_release,
        likely_regressions: selected.likely_regressions,
        unclassified_share: ratio(unclassified, escaped),
        to_verify_share: ratio(to_verify, escaped),
        low_severity_prerelease_share: low,
        previous_low_severity_prerelease_share: previous_low,
        signals,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_missing_release_signal_agrees_with_its_counts() {
        let signal = |without: u64, escaped: u64| {
            let mut tally = Tally::default();
            tally.total.escaped = escaped;
            tally.total.problems = escaped;
            tally.escaped_without_release = without;
            integrity(&tally, None).signals.join(" ")
        };
        let end = "no release, so escapes per release are incomplete.";
        assert_eq!(signal(1, 1), format!("The escaped problem has {end}"));
        assert_eq!(signal(3, 3), format!("All 3 escaped problems have {end}"));
        assert_eq!(
            signal(1, 20),
            format!("1 of the 20 escaped problems has {end}")
        );
        assert_eq!(
            signal(2, 20),
            format!("2 of the 20 escaped problems have {end}")
        );
    }
}
