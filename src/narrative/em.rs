//! The engineering manager's 1:1 talking points: per-type trends and what each needs,
//! hotspots by component, escape mechanisms, time to resolve, stage leakage, data quality.

use super::words::{self, noun};
use super::{Context, Figure, Report, Section, Table, NO_FIGURE};
use crate::metrics::report::Spread;
use crate::metrics::stats::Direction;
use crate::model::ProblemType;
use crate::text::{count, hours, hours_words, int, join_list, opt_pct, pct};

pub(super) fn build(ctx: &Context<'_>) -> Report {
    let m = ctx.m;
    let t = &m.totals;
    let first = m
        .quarters
        .first()
        .map(|q| q.label.clone())
        .unwrap_or_default();
    let last = m
        .quarters
        .last()
        .map(|q| q.label.clone())
        .unwrap_or_default();

    // ", 2025-Q3 to 2026-Q3", or the one quarter.
    let shown = match m.quarters.len() {
        0 => String::new(),
        1 => format!(", {last}"),
        _ => format!(", {first} to {last}"),
    };
    let mut points = Vec::new();
    let mut dropping = Vec::new();
    let mut holding = Vec::new();
    for trend in &m.trends {
        let i = trend.kind;
        let a = m.quarters.first().map_or(0, |q| q.by_type[&i].escaped);
        let b = m.quarters.last().map_or(0, |q| q.by_type[&i].escaped);
        if a == 0 && b == 0 {
            continue;
        }
        let name = words::capitalise(noun(i, 2));
        if m.quarters.len() == 1 {
            points.push(format!(
                "{name}: {b} in {last}, the only quarter shown, so no trend yet. To bring them down: {}.",
                words::remedy(i)
            ));
            continue;
        }
        let span = format!("{a} in {first}, {b} in {last}");
        let point = match trend.direction {
            Direction::Dropping => {
                dropping.push(noun(i, 2));
                format!("{name} are dropping: {span}. Keep doing what works.")
            }
            Direction::Rising => {
                holding.push(noun(i, 2));
                format!("{name} are rising: {span}. Needed: {}.", words::remedy(i))
            }
            Direction::Steady => {
                holding.push(noun(i, 2));
                format!(
                    "{name} hold steady: {span}. To bring them down: {}.",
                    words::remedy(i)
                )
            }
            Direction::TooFewToCall => format!("{name}: too few to call a trend ({span})."),
        };
        points.push(point);
    }
    let mut headline = Vec::new();
    if m.quarters.len() > 1 {
        let mut s = String::new();
        if !dropping.is_empty() {
            s.push_str(&format!(
                "Dropping since {first}: {}. ",
                join_list(&dropping)
            ));
        }
        if !holding.is_empty() {
            s.push_str(&format!("Holding or rising: {}.", join_list(&holding)));
        }
        if !s.is_empty() {
            headline.push(s.trim_end().to_string());
        }
    }
    headline.extend(super::sprint::headline(ctx).into_iter().take(2));

    let mut figures = vec![
        Figure {
            label: "Escaped this period".into(),
            value: int(t.escaped),
            detail: format!("escape rate {}", opt_pct(t.escape_rate)),
        },
        if t.escaped == 0 {
            Figure {
                label: "Cost".into(),
                value: NO_FIGURE.into(),
                detail: "nothing escaped".into(),
            }
        } else {
            Figure {
                label: "Cost".into(),
                value: format!("{} h", hours(t.cost_hours)),
                detail: format!("{} h estimated", hours(t.estimated_hours)),
            }
        },
        Figure {
            label: "Detection rate".into(),
            value: opt_pct(t.detection_rate),
            detail: "caught before release".into(),
        },
    ];
    ctx.blank_if_empty(&mut figures);

    let mut sections = vec![Section {
        id: "trends".into(),
        heading: format!("Trends by type{shown}"),
        paragraphs: if points.is_empty() {
            vec!["No escaped problems in the quarters shown, so there is no trend to discuss.".into()]
        } else {
            Vec::new()
        },
        table: m
            .quarters
            .iter()
            .any(|q| q.problems > 0)
            .then(|| quarter_table(ctx)),
        chart: Some("escaped-by-quarter".into()),
        note: (!points.is_empty()).then(|| format!(
            "A type is rising or dropping when its count moved by at least {} between the first and last quarter shown; with fewer than 5 in both, it is too few to call.",
            pct(ctx.settings.trend_threshold)
        )),
        bullets: points,
    }];
    sections.push(Section {
        id: "cost".into(),
        heading: "Cost by type".into(),
        paragraphs: vec![if t.problems == 0 {
            format!("{}, so there is no cost to show.", ctx.nothing_found())
        } else if t.escaped == 0 {
            format!(
                "No problem escaped in {}, so escapes cost nothing.",
                ctx.period.label
            )
        } else {
            format!(
                "{}, escapes cost {}.",
                ctx.in_period,
                ctx.total_cost_words()
            )
        }],
        table: (t.escaped > 0).then(|| ctx.type_table()),
        // Earlier quarters' cost is still worth a chart when this period has none.
        chart: m
            .quarters
            .iter()
            .any(|q| q.cost_hours > 0.0)
            .then(|| "cost-by-quarter".into()),
        ..Section::default()
    });
    sections.push(hotspots(ctx));
    sections.push(mechanisms(ctx));
    sections.push(times(ctx));
    sections.push(leakage(ctx));
    sections.push(Section {
        id: "escape-rate".into(),
        heading: "Escape rate".into(),
        paragraphs: ctx.escape_rate_paragraphs(),
        note: ctx.small_sample_note(),
        chart: (m.quarters.len() > 1).then(|| "escape-rate-trend".into()),
        ..Section::default()
    });
    sections.push(ctx.data_quality());

    Report {
        audience: super::Audience::Em,
        title: format!("Quality talking points, {}", ctx.period.label),
        subtitle: match m.quarters.len() {
            0 => ctx.period.range.clone(),
            1 => format!(
                "{} · no earlier quarter in the data, so no trends yet",
                ctx.period.range
            ),
            _ => format!("{} · trends over {first} to {last}", ctx.period.range),
        },
        period: ctx.period.clone(),
        headline,
        figures,
        small_sample_note: ctx.small_sample_note(),
        sections,
        sources: Vec::new(),
    }
}

fn quarter_table(ctx: &Context<'_>) -> Table {
    let mut columns: Vec<(&str, bool)> = vec![("Quarter", false)];
    let labels: Vec<&str> = ProblemType::ALL
        .iter()
        .map(|t| words::short_label(*t))
        .collect();
    columns.extend(labels.iter().map(|l| (*l, true)));
    columns.extend([("Escaped", true), ("Rate", true), ("Hours", true)]);
    let mut table = Table::new(&columns);
    for q in &ctx.m.quarters {
        let mut row = vec![q.label.clone()];
        row.extend(ProblemType::ALL.iter().map(|t| int(q.by_type[t].escaped)));
        row.extend([int(q.escaped), opt_pct(q.escape_rate), hours(q.cost_hours)]);
        table.rows.push(row);
    }
    table
}

fn hotspots(ctx: &Context<'_>) -> Section {
    let mut rows: Vec<_> = ctx
        .m
        .by_component
        .iter()
        .filter(|r| r.escaped > 0)
        .collect();
    rows.sort_by(|a, b| {
        b.escaped
            .cmp(&a.escaped)
            .then(
                b.escape_rate
                    .unwrap_or(0.0)
                    .total_cmp(&a.escape_rate.unwrap_or(0.0)),
            )
            .then(a.key.cmp(&b.key))
    });
    let mut table = Table::new(&[
        ("Component", false),
        ("Problems", true),
        ("Escaped", true),
        ("Escape rate", true),
    ]);
    for r in rows.iter().take(8) {
        table.rows.push(vec![
            words::shown(&r.key).into_owned(),
            int(r.problems),
            int(r.escaped),
            opt_pct(r.escape_rate),
        ]);
    }
    let paragraphs = if rows.is_empty() {
        vec!["No component had an escaped problem this period.".into()]
    } else {
        let names: Vec<String> = rows
            .iter()
            .take(3)
            .map(|r| format!("{} ({} of {})", words::shown(&r.key), r.escaped, r.problems))
            .collect();
        vec![format!(
                "Where problems escaped most: {}. Components, not teams: the aim is where to add checks, not whom to blame.",
            join_list(&names)
        )]
    };
    Section {
        id: "hotspots".into(),
        heading: "Hotspots by component".into(),
        paragraphs,
        table: (!table.rows.is_empty()).then_some(table),
        ..Section::default()
    }
}

fn mechanisms(ctx: &Context<'_>) -> Section {
    let m = ctx.m;
    let recorded: u64 = m.mechanisms.iter().map(|r| r.escaped).sum();
    let mut table = Table::new(&[
        ("Escape mechanism", false),
        ("Escaped", true),
        ("Share", true),
    ]);
    for r in &m.mechanisms {
        table.rows.push(vec![
            words::mechanism_label(r.mechanism).to_string(),
            int(r.escaped),
            pct(r.escaped as f64 / recorded.max(1) as f64),
        ]);
    }
    let paragraphs = match m.mechanisms.first() {
        None if m.totals.escaped == 0 => {
            vec!["Nothing escaped this period, so there are no escape mechanisms to show.".into()]
        }
        None => vec!["No escape mechanism was recorded this period; recording one per escape shows where the net has holes.".into()],
        Some(top) => vec![format!(
            "{} The most common was {} ({}): {}.",
            recorded_words(recorded, m.totals.escaped),
            words::mechanism_words(top.mechanism),
            int(top.escaped),
            words::mechanism_remedy(top.mechanism)
        )],
    };
    Section {
        id: "mechanisms".into(),
        heading: "How problems escaped".into(),
        paragraphs,
        table: (!table.rows.is_empty()).then_some(table),
        ..Section::default()
    }
}

/// "All 3 escaped problems have a recorded mechanism", "1 of the 4 escaped problems has one".
fn recorded_words(recorded: u64, escaped: u64) -> String {
    if recorded >= escaped {
        if escaped == 1 {
            "The escaped problem has a recorded mechanism.".into()
        } else {
            format!(
                "All {} escaped problems have a recorded mechanism.",
                int(escaped)
            )
        }
    } else {
        format!(
            "{} of the {} escaped problems {} a recorded mechanism.",
            int(recorded),
            int(escaped),
            if recorded == 1 { "has" } else { "have" }
        )
    }
}

fn times(ctx: &Context<'_>) -> Section {
    let m = ctx.m;
    let mut table = Table::new(&[
        ("Type", false),
        ("Resolve: median h", true),
        ("Resolve: 90th pct. h", true),
        ("Detect: median h", true),
        ("Detect: 90th pct. h", true),
    ]);
    for t in ProblemType::ALL {
        let r = m.time_to_resolve_hours.get(t.as_str());
        let d = m.time_to_detect_hours.get(t.as_str());
        if r.is_none() && d.is_none() {
            continue;
        }
        let cell = |v: Option<f64>| v.map_or("–".to_string(), hours);
        table.rows.push(vec![
            words::label(t).to_string(),
            cell(r.map(|s| s.median)),
            cell(r.map(|s| s.p90)),
            cell(d.map(|s| s.median)),
            cell(d.map(|s| s.p90)),
        ]);
    }
    let slowest = m
        .time_to_resolve_hours
        .iter()
        .max_by(|a, b| a.1.median.total_cmp(&b.1.median));
    let paragraphs = match slowest {
        None if m.totals.escaped == 0 => {
            vec!["Nothing escaped this period, so there are no times to resolve.".into()]
        }
        None => {
            vec!["No resolution times were recorded for this period's escaped problems.".into()]
        }
        Some((kind, s)) => {
            let t = ProblemType::ALL
                .into_iter()
                .find(|t| t.as_str() == kind)
                .unwrap_or(ProblemType::Unclassified);
            vec![resolve_sentence(t, s, m.time_to_resolve_hours.len() == 1)]
        }
    };
    Section {
        id: "time-to-resolve".into(),
        heading: "Time to resolve and to detect".into(),
        paragraphs,
        note: (!table.rows.is_empty()).then(|| "Medians and 90th percentiles in hours, for this period's escaped problems with the timestamps recorded. Time to detect counts from when a problem was introduced or, when that is not recorded, from the production deployment it is attributed to.".into()),
        table: (!table.rows.is_empty()).then_some(table),
        ..Section::default()
    }
}

/// At least this many times before a sentence speaks of the slowest tenth.
const TAIL_SAMPLE: usize = 10;

/// The slowest type's time to resolve in words: a median, and the slowest tenth only when
/// there are enough problems for one; `only` when no other type has times.
fn resolve_sentence(t: ProblemType, s: &Spread, only: bool) -> String {
    let median = hours_words(s.median, false);
    let tail = if s.count >= TAIL_SAMPLE {
        format!(", and 1 in 10 takes {} or more", hours_words(s.p90, false))
    } else {
        String::new()
    };
    match (only, s.count) {
        (true, 1) => format!(
            "Resolution times were recorded only for 1 {}: it took {median}.",
            noun(t, 1)
        ),
        (true, n) => format!(
            "Resolution times were recorded only for {}: a median of {median}{tail}.",
            words::counted(t, n as u64)
        ),
        (false, 1) => format!(
            "{} take longest to resolve: the only one with a time recorded took {median}.",
            words::capitalise(noun(t, 2))
        ),
        (false, n) if n < TAIL_SAMPLE => format!(
            "{} take longest to resolve: a median of {median} across {}.",
            words::capitalise(noun(t, 2)),
            count(n as u64, "problem", "problems")
        ),
        (false, _) => format!(
            "{} take longest to resolve: a median of {median}{tail}.",
            words::capitalise(noun(t, 2))
        ),
    }
}

fn leakage(ctx: &Context<'_>) -> Section {
    let m = ctx.m;
    if m.totals.problems == 0 {
        return Section {
            id: "stage-leakage".into(),
            heading: "Stage leakage".into(),
            paragraphs: vec![format!(
                "{}, so there is no stage leakage to show.",
                ctx.nothing_found()
            )],
            ..Section::default()
        };
    }
    let boundary = m
        .stages
        .iter()
        .position(|s| s.stage == m.boundary)
        .unwrap_or(m.stages.len());
    let mut table = Table::new(&[
        ("Stage", false),
        ("Found here", true),
        ("Got past it", true),
    ]);
    for s in &m.stages {
        table
            .rows
            .push(vec![s.stage.clone(), int(s.found), opt_pct(s.leakage)]);
    }
    let last_gate = boundary.checked_sub(1).and_then(|i| m.stages.get(i));
    let explain =
        "For each stage, the share of the problems found there or later that got past it.";
    let paragraphs = match last_gate {
        Some(gate) if gate.leakage.is_some() => vec![format!(
            "{explain} The last gate before {}, {}, let {} of what reached it through.",
            m.boundary,
            gate.stage,
            opt_pct(gate.leakage)
        )],
        // Nothing was found at the last gate or later, so nothing escaped.
        Some(gate) => vec![format!(
            "{explain} No problem got as far as {}, the last gate before {}, so none escaped.",
            gate.stage, m.boundary
        )],
        None => vec![format!(
            "Every stage counts as escaped: the boundary, {}, is the first stage, so there is no gate before release to measure.",
            m.boundary
        )],
    };
    Section {
        id: "stage-leakage".into(),
        heading: "Stage leakage".into(),
        paragraphs,
        table: Some(table),
        note: Some(count(m.totals.problems, "problem", "problems") + " in the period."),
        ..Section::default()
    }
}
