//! The executives' summary: the period's escaped problems and cost against a baseline, the
//! biggest change and what drove it, and what we do next. Plain words; no team named.
//! A quarter is compared with the year's first quarter (SPEC 5), or with the year's earliest
//! quarter with recorded problems when the first has none, saying so; a month, week, sprint or
//! range with the period of the same kind before it, so like is compared with like.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::words::{self, noun};
use super::{Context, Figure, Report, Section, NO_FIGURE};
use crate::metrics::report::{QuarterRow, TypeQuarter};
use crate::model::{ProblemType, Quarter};
use crate::text::{count, hours_words, int, opt_pct, whole};

pub(super) fn build(ctx: &Context<'_>) -> Report {
    let m = ctx.m;
    let t = &m.totals;
    let label = &ctx.period.label;
    let quarterly = is_quarter(ctx);
    let (compared, baseline_note) = if quarterly {
        match (m.quarters.last(), baseline(&m.quarters)) {
            (Some(now), Baseline::Quarter(base, note)) => {
                let now = Side::quarter(now, Estimates::of_period(ctx));
                (
                    Some((Side::quarter(base, Estimates::unknown(ctx)), now)),
                    note,
                )
            }
            (_, Baseline::Missing(why)) => (None, Some(why)),
            (None, _) => (None, None),
        }
    } else {
        (previous_period(ctx), None)
    };

    let mut headline = Vec::new();
    if t.problems == 0 {
        headline.push(format!("{}, no problems were recorded.", ctx.in_period));
    } else if t.escaped == 0 {
        headline.push(format!("No problem reached production in {label}."));
        headline.push(if t.problems == 1 {
            "The one problem found was caught before release.".to_string()
        } else {
            format!(
                "All {} found were caught before release.",
                count(t.problems, "problem", "problems")
            )
        });
    } else {
        headline.push(format!(
            "{}, {} reached production, costing {}.",
            ctx.in_period,
            count(t.escaped, "problem", "problems"),
            ctx.total_cost_words()
        ));
        headline.push(format!(
            "{} of all problems were caught before release.",
            opt_pct(t.detection_rate)
        ));
    }
    let mut figures = vec![
        Figure {
            label: "Problems that reached production".into(),
            value: int(t.escaped),
            detail: format!("of {} found", int(t.problems)),
        },
        if t.escaped == 0 {
            Figure {
                label: "Work spent on them".into(),
                value: NO_FIGURE.into(),
                detail: "nothing reached production".into(),
            }
        } else {
            Figure {
                label: "Work spent on them".into(),
                value: format!("{} h", whole(t.cost_hours)),
                detail: match (t.cost_money, &t.currency) {
                    (Some(v), Some(c)) => crate::text::money(v, c),
                    _ => "hours of work".into(),
                },
            }
        },
        Figure {
            label: "Caught before release".into(),
            value: opt_pct(t.detection_rate),
            detail: t
                .band
                .clone()
                .map_or("no problems".into(), |b| format!("{b} band")),
        },
    ];

    let mut sections = Vec::new();
    if let Some((base, now)) = &compared {
        let mut comparison: Vec<String> = baseline_note.into_iter().collect();
        comparison.extend(compare(ctx, base, now));
        figures[0].detail = format!("{} in {}", int(base.escaped), base.label);
        sections.push(Section {
            id: "against-first-quarter".into(),
            heading: format!("{} against {}", now.label, base.label),
            paragraphs: comparison,
            chart: Some("escaped-by-quarter".into()),
            ..Section::default()
        });
        sections.push(biggest_change(ctx, base, now));
    } else {
        let (heading, paragraph) = if quarterly {
            (
                "Against earlier quarters".to_string(),
                baseline_note.unwrap_or_else(|| NO_EARLIER_QUARTER.to_string()),
            )
        } else {
            (
                "Against the period before".to_string(),
                match &m.previous {
                    Some(p) => format!(
                        "No problems were recorded in the period before, {}, to compare with.",
                        p.period.label.as_deref().unwrap_or_default()
                    ),
                    None => "There is no earlier period to compare with.".to_string(),
                },
            )
        };
        sections.push(Section {
            id: "against-first-quarter".into(),
            heading,
            paragraphs: vec![paragraph],
            // The quarter's own bar: the deck still shows what escaped (SPEC 6).
            chart: Some("escaped-by-quarter".into()),
            ..Section::default()
        });
    }
    if let (true, Some(last)) = (m.quarters.len() > 1, m.quarters.last()) {
        sections.push(Section {
            id: "cost-trend".into(),
            heading: "Where the hours go".into(),
            paragraphs: vec![format!(
                "Hours spent on problems that reached production, per quarter and kind, up to {}.",
                last.label
            )],
            chart: Some("cost-by-quarter".into()),
            ..Section::default()
        });
    }
    ctx.blank_if_empty(&mut figures);
    let when = if quarterly {
        "this quarter".to_string()
    } else {
        format!("in {label}")
    };
    sections.push(next_steps(ctx, &when));
    let mut quality = ctx.data_quality();
    quality.bullets.retain(|b| !b.starts_with("Repaired"));
    sections.push(quality);

    Report {
        audience: super::Audience::Board,
        title: format!("Quality report, {label}"),
        subtitle: format!(
            "{} · problems that reached customers and what they cost",
            ctx.period.range
        ),
        period: ctx.period.clone(),
        headline,
        figures,
        small_sample_note: ctx.small_sample_note(),
        sections,
        sources: Vec::new(),
    }
}

/// One side of the comparison: a quarter, or a shorter period.
struct Side {
    label: String,
    escaped: u64,
    cost_hours: f64,
    by_type: BTreeMap<ProblemType, TypeQuarter>,
    estimates: Estimates,
}

impl Side {
    fn quarter(q: &QuarterRow, estimates: Estimates) -> Side {
        Side {
            label: q.label.clone(),
            escaped: q.escaped,
            cost_hours: q.cost_hours,
            by_type: q.by_type.clone(),
            estimates,
        }
    }
}

/// Which of a side's hours include estimates from the cost model, so that "about" goes
/// with them and not with hours that were logged (SPEC 5).
struct Estimates {
    total: bool,
    types: Vec<ProblemType>,
}

impl Estimates {
    /// The selected period's, known exactly.
    fn of_period(ctx: &Context<'_>) -> Estimates {
        Estimates {
            total: ctx.m.totals.estimated_hours > 0.0,
            types: ctx
                .types()
                .filter(|t| t.estimated_hours > 0.0)
                .map(|t| t.kind)
                .collect(),
        }
    }

    /// An earlier period's: the metrics do not say, so any estimate in the data counts.
    fn unknown(ctx: &Context<'_>) -> Estimates {
        let any = ctx.m.data_quality.estimated_costs > 0;
        Estimates {
            total: any,
            types: if any {
                ProblemType::ALL.to_vec()
            } else {
                Vec::new()
            },
        }
    }

    fn of_type(&self, t: ProblemType) -> bool {
        self.types.contains(&t)
    }
}

/// Whether the period is one whole calendar quarter (`2025-Q4`, or a range that spans one).
fn is_quarter(ctx: &Context<'_>) -> bool {
    let date = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
    match (date(&ctx.period.start), date(&ctx.period.end)) {
        (Some(start), Some(end)) => {
            let q = Quarter::of(start);
            q.start() == start && q.end() == end
        }
        // No period at all: the quarterly wording, with nothing to compare.
        _ => true,
    }
}

/// The period and the one of the same kind before it, when problems were recorded in that.
fn previous_period(ctx: &Context<'_>) -> Option<(Side, Side)> {
    let m = ctx.m;
    let previous = m.previous.as_ref().filter(|p| p.problems > 0)?;
    let base = Side {
        label: previous.period.label.clone().unwrap_or_default(),
        escaped: previous.escaped,
        cost_hours: previous.cost_hours,
        by_type: previous.by_type.clone(),
        estimates: Estimates::unknown(ctx),
    };
    let now = Side {
        label: ctx.period.label.clone(),
        escaped: m.totals.escaped,
        cost_hours: m.totals.cost_hours,
        by_type: m
            .by_type
            .iter()
            .map(|t| {
                (
                    t.kind,
                    TypeQuarter {
                        escaped: t.escaped,
                        cost_hours: t.cost_hours,
                    },
                )
            })
            .collect(),
        estimates: Estimates::of_period(ctx),
    };
    Some((base, now))
}

const NO_EARLIER_QUARTER: &str = "There is no earlier quarter in the data to compare with.";

/// What a quarter is compared with.
enum Baseline<'q> {
    /// A quarter with recorded problems, and why it is not the year's first when it is not.
    Quarter(&'q QuarterRow, Option<String>),
    /// No quarter to compare with, and why.
    Missing(String),
}

/// The year's earliest quarter with recorded problems among the quarters shown (the first
/// quarter, unless it has none); for a first quarter, the one before.
fn baseline(quarters: &[QuarterRow]) -> Baseline<'_> {
    let Some((last, earlier)) = quarters.split_last() else {
        return Baseline::Missing(NO_EARLIER_QUARTER.into());
    };
    let year = last.label.get(..4).unwrap_or_default();
    let first_of_year = format!("{year}-Q1");
    if last.label == first_of_year {
        return match earlier.last() {
            None => Baseline::Missing(NO_EARLIER_QUARTER.into()),
            Some(q) if q.problems == 0 => Baseline::Missing(format!(
                "No problems were recorded in {}, the quarter before, to compare with.",
                q.label
            )),
            Some(q) => Baseline::Quarter(q, None),
        };
    }
    let same_year: Vec<&QuarterRow> = earlier
        .iter()
        .filter(|q| q.label.get(..4) == Some(year))
        .collect();
    match same_year.iter().find(|q| q.problems > 0) {
        Some(q) if q.label == first_of_year => Baseline::Quarter(q, None),
        Some(q) => Baseline::Quarter(
            q,
            Some(format!(
                "No problems were recorded in {first_of_year}, so {} is compared with {}, the earliest quarter of {year} with recorded problems.",
                last.label, q.label
            )),
        ),
        None => match same_year.as_slice() {
            [] => Baseline::Missing(NO_EARLIER_QUARTER.into()),
            [one] => Baseline::Missing(format!(
                "No problems were recorded in {}, so there is no earlier quarter of {year} to compare with.",
                one.label
            )),
            [a, b] => Baseline::Missing(format!(
                "No problems were recorded in {} or {}, so there is no earlier quarter of {year} to compare with.",
                a.label, b.label
            )),
            [a, .., z] => Baseline::Missing(format!(
                "No problems were recorded from {} to {}, so there is no earlier quarter of {year} to compare with.",
                a.label, z.label
            )),
        },
    }
}

fn compare(ctx: &Context<'_>, base: &Side, now: &Side) -> Vec<String> {
    let diff = now.escaped as i64 - base.escaped as i64;
    let count_change = match diff {
        0 => "the same number of problems".to_string(),
        d if d < 0 => count((-d) as u64, "fewer problem", "fewer problems"),
        d => count(d as u64, "more problem", "more problems"),
    };
    let hours_diff = now.cost_hours - base.cost_hours;
    let either = base.estimates.total || now.estimates.total;
    let cost_change = if hours_diff.abs() < 0.5 {
        "about the same work".to_string()
    } else if hours_diff < 0.0 {
        format!("{} less work", ctx.cost_words(-hours_diff, either))
    } else {
        format!("{} more work", ctx.cost_words(hours_diff, either))
    };
    let before = if base.escaped == 0 {
        format!("In {}, no problem reached production", base.label)
    } else {
        format!(
            "In {}, {} reached production and cost {}",
            base.label,
            count(base.escaped, "problem", "problems"),
            ctx.cost_words(base.cost_hours, base.estimates.total)
        )
    };
    let now_cost = ctx.cost_words(now.cost_hours, now.estimates.total);
    let now_count = count(now.escaped, "problem", "problems");
    let after = match (base.escaped, now.escaped) {
        (_, 0) => format!("in {}, none", now.label),
        (0, _) => format!("in {}, {now_count} did, costing {now_cost}", now.label),
        _ => format!("in {}, {now_count} and {now_cost}", now.label),
    };
    vec![format!(
        "{before}; {after}. That is {count_change} and {cost_change}."
    )]
}

fn biggest_change(ctx: &Context<'_>, base: &Side, now: &Side) -> Section {
    let change = |t: &ProblemType| {
        let (a, b): (&TypeQuarter, &TypeQuarter) = (&base.by_type[t], &now.by_type[t]);
        (b.cost_hours - a.cost_hours, *a, *b)
    };
    let biggest = ProblemType::ALL
        .iter()
        .map(|t| (*t, change(t)))
        .max_by(|x, y| x.1 .0.abs().total_cmp(&y.1 .0.abs()).then(y.0.cmp(&x.0)));
    let paragraphs = match biggest {
        Some((t, (delta, a, b))) if delta.abs() >= 0.5 => {
            let direction = if delta > 0.0 {
                "a new cost"
            } else {
                "a saving"
            };
            let (est_a, est_b) = (base.estimates.of_type(t), now.estimates.of_type(t));
            let per_a = (a.escaped > 0).then(|| a.cost_hours / a.escaped as f64);
            let per_b = (b.escaped > 0).then(|| b.cost_hours / b.escaped as f64);
            let driver = if a.escaped != b.escaped {
                format!(
                    "driven by {} ({} in {}, {} in {})",
                    if b.escaped > a.escaped {
                        "more of them"
                    } else {
                        "fewer of them"
                    },
                    a.escaped,
                    base.label,
                    b.escaped,
                    now.label
                )
            } else {
                match (per_a, per_b) {
                    (Some(x), Some(y)) => format!(
                        "with the same number of problems, each {} ({} each instead of {})",
                        if y > x {
                            "costing more"
                        } else {
                            "costing less"
                        },
                        hours_words(y, est_b),
                        hours_words(x, est_a)
                    ),
                    _ => "with the same number of problems".into(),
                }
            };
            let spent = |h: f64, estimated: bool| {
                if h == 0.0 {
                    "nothing".to_string()
                } else {
                    hours_words(h, estimated)
                }
            };
            vec![format!(
                "The biggest change is {direction}: {} cost {} {} than in {} (from {} to {}), {driver}.",
                noun(t, 2),
                ctx.cost_words(delta.abs(), est_a || est_b),
                if delta > 0.0 { "more" } else { "less" },
                base.label,
                spent(a.cost_hours, est_a),
                spent(b.cost_hours, est_b),
            )]
        }
        _ => vec![format!(
            "No kind of problem changed by more than an hour of work since {}.",
            base.label
        )],
    };
    Section {
        id: "biggest-change".into(),
        heading: "The biggest change".into(),
        paragraphs,
        ..Section::default()
    }
}

/// `when` is "this quarter" or "in 2026-05". Unclassified problems get their own step,
/// after the kinds that cost the most: they cannot be fixed until someone says what they were.
fn next_steps(ctx: &Context<'_>, when: &str) -> Section {
    let mut rows: Vec<_> = ctx
        .types()
        .filter(|t| t.escaped > 0 && t.kind != ProblemType::Unclassified)
        .collect();
    rows.sort_by(|a, b| {
        b.cost_hours
            .total_cmp(&a.cost_hours)
            .then(a.kind.cmp(&b.kind))
    });
    let step = |kind: ProblemType| {
        format!(
            "{}: {}.",
            words::capitalise(noun(kind, 2)),
            words::remedy_plain(kind)
        )
    };
    let mut bullets: Vec<String> = rows.iter().take(3).map(|t| step(t.kind)).collect();
    let unclassified = ctx
        .types()
        .find(|t| t.kind == ProblemType::Unclassified)
        .map_or(0, |t| t.escaped);
    let paragraph = if ctx.m.totals.problems == 0 {
        format!(
            "{}, so there is nothing new to act on.",
            ctx.nothing_found()
        )
    } else if ctx.m.totals.escaped == 0 {
        format!("Nothing reached production {when}; we keep the checks that made that possible.")
    } else if bullets.is_empty() {
        format!(
            "{} reached production {when} without a record of what kind of problem {}, so the first step is to find out:",
            count(unclassified, "problem", "problems"),
            if unclassified == 1 { "it was" } else { "they were" }
        )
    } else {
        format!("Focused on the kinds of problem that cost the most {when}:")
    };
    if unclassified > 0 {
        bullets.push(step(ProblemType::Unclassified));
    }
    Section {
        id: "next".into(),
        heading: "What we do next".into(),
        paragraphs: vec![paragraph],
        bullets,
        ..Section::default()
    }
}
