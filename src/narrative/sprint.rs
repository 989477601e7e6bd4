//! The QA lead's sprint review: what escaped, what it cost, the most expensive one,
//! the escape rate against the previous period, the list, and the plan.

use super::words::{self, counted, noun, type_breakdown};
use super::{Context, Figure, Report, Section, Table, MAX_LISTED, NO_FIGURE};
use crate::metrics::tally::EscapedItem;
use crate::text::{count, hours, int, join_list, opt_pct};

pub(super) fn build(ctx: &Context<'_>) -> Report {
    let m = ctx.m;
    let t = &m.totals;
    let mut sections = Vec::new();
    let headline = headline(ctx);

    let mut figures = vec![
        Figure {
            label: "Escaped problems".into(),
            value: int(t.escaped),
            detail: format!("of {} found", count(t.problems, "problem", "problems")),
        },
        Figure {
            label: "Escape rate".into(),
            value: opt_pct(t.escape_rate),
            detail: t.band.clone().unwrap_or_else(|| "no problems".into()),
        },
        if t.escaped == 0 {
            Figure {
                label: "Cost of escapes".into(),
                value: NO_FIGURE.into(),
                detail: "nothing escaped".into(),
            }
        } else {
            Figure {
                label: "Cost of escapes".into(),
                value: format!("{} h", hours(t.cost_hours)),
                detail: if t.estimated_hours > 0.0 {
                    format!("{} h estimated", hours(t.estimated_hours))
                } else {
                    "all logged".into()
                },
            }
        },
    ];
    ctx.blank_if_empty(&mut figures);
    if let Some(prev) = &m.previous {
        figures.push(Figure {
            label: format!(
                "Previous ({})",
                prev.period.label.clone().unwrap_or_default()
            ),
            value: opt_pct(prev.escape_rate),
            detail: if prev.problems == 0 {
                "no problems found".into()
            } else {
                format!("{} escaped", int(prev.escaped))
            },
        });
    }

    if t.escaped > 0 {
        sections.push(Section {
            id: "types".into(),
            heading: "What escaped, by type and cost".into(),
            paragraphs: vec![type_cost_sentence(ctx)],
            table: Some(ctx.type_table()),
            chart: Some("type-distribution".into()),
            ..Section::default()
        });
        sections.push(most_expensive(ctx));
    }
    sections.push(Section {
        id: "escape-rate".into(),
        heading: "Escape rate".into(),
        paragraphs: ctx.escape_rate_paragraphs(),
        note: ctx.small_sample_note(),
        // With escapes the type chart is there; without, this one is the report's chart
        // (SPEC 6: every report carries one), a single point when there is one quarter.
        chart: (m.quarters.len() > 1 || t.escaped == 0).then(|| "escape-rate-trend".into()),
        ..Section::default()
    });
    if t.escaped > 0 {
        sections.push(escaped_list(ctx));
    }
    let plan = ctx.plan(3);
    sections.push(Section {
        id: "plan".into(),
        heading: "Plan for the next sprint".into(),
        paragraphs: if t.problems == 0 {
            vec![format!(
                "{}, so there is nothing to plan from this period.",
                ctx.nothing_found()
            )]
        } else if plan.is_empty() {
            vec!["Nothing escaped, so there is nothing to fix: keep the checks that caught everything this period.".into()]
        } else {
            Vec::new()
        },
        bullets: plan,
        ..Section::default()
    });
    sections.push(ctx.data_quality());

    Report {
        audience: super::Audience::Sprint,
        title: format!("Sprint review: escaped problems, {}", ctx.period.label),
        subtitle: format!(
            "{} · problems found in {} or later count as escaped",
            ctx.period.range, m.boundary
        ),
        period: ctx.period.clone(),
        headline,
        figures,
        small_sample_note: ctx.small_sample_note(),
        sections,
        sources: Vec::new(),
    }
}

/// "This period we had 3 escaped problems: 2 code defects and 1 infrastructure problem.
/// Cost: about 22 hours. The infrastructure problem was the most expensive."
pub(super) fn headline(ctx: &Context<'_>) -> Vec<String> {
    let t = &ctx.m.totals;
    if t.problems == 0 {
        return vec![format!(
            "{}, no problems were recorded: there is nothing to report for this period.",
            ctx.in_period
        )];
    }
    if t.escaped == 0 {
        return vec![format!(
            "{}, no problems escaped: all {} found were caught before {}.",
            ctx.in_period,
            count(t.problems, "problem", "problems"),
            ctx.m.boundary
        )];
    }
    let breakdown = type_breakdown(&ctx.type_counts());
    let kinds = ctx.types().filter(|t| t.escaped > 0).count();
    let first = if kinds == 1 {
        format!("{} we had {}.", ctx.in_period, breakdown)
    } else {
        format!(
            "{} we had {}: {}.",
            ctx.in_period,
            count(t.escaped, "escaped problem", "escaped problems"),
            breakdown
        )
    };
    let mut out = vec![first, format!("Cost: {}.", ctx.total_cost_words())];
    if kinds > 1 {
        out.extend(costliest_type_sentence(ctx));
    }
    out
}

/// "The infrastructure problems were the most expensive (about 123 hours, 56 % of the cost)",
/// or the types that tie; nothing when no escaped problem cost any hours.
fn costliest_type_sentence(ctx: &Context<'_>) -> Option<String> {
    let escaped: Vec<_> = ctx.types().filter(|t| t.escaped > 0).collect();
    let max = escaped
        .iter()
        .map(|t| t.cost_hours)
        .fold(f64::NEG_INFINITY, f64::max);
    if max <= 0.0 {
        return None;
    }
    let top: Vec<_> = escaped
        .iter()
        .filter(|t| (t.cost_hours - max).abs() < 1e-9)
        .collect();
    if top.len() > 1 {
        let names: Vec<String> = top
            .iter()
            .map(|t| match t.escaped {
                1 => format!("the {}", noun(t.kind, 1)),
                n => format!("the {} {}", int(n), noun(t.kind, n)),
            })
            .collect();
        let each = if top.iter().all(|t| t.escaped == 1) {
            "each"
        } else {
            "for each type"
        };
        let others = if escaped.len() > top.len() {
            ", more than any other type"
        } else {
            ""
        };
        return Some(format!(
            "{} cost the same, {} {each}{others}.",
            words::capitalise(&join_list(&names)),
            ctx.cost_words(max, top.iter().any(|t| t.estimated_hours > 0.0))
        ));
    }
    let t = top[0];
    Some(format!(
        "The {} {} the most expensive ({}, {} of the cost).",
        noun(t.kind, t.escaped),
        if t.escaped == 1 { "was" } else { "were" },
        ctx.cost_words(t.cost_hours, t.estimated_hours > 0.0),
        opt_pct(t.cost_share)
    ))
}

fn type_cost_sentence(ctx: &Context<'_>) -> String {
    let parts: Vec<String> = {
        let mut rows: Vec<_> = ctx.types().filter(|t| t.escaped > 0).collect();
        rows.sort_by(|a, b| {
            b.cost_hours
                .total_cmp(&a.cost_hours)
                .then(a.kind.cmp(&b.kind))
        });
        rows.iter()
            .map(|t| {
                format!(
                    "{} cost {}",
                    counted(t.kind, t.escaped),
                    ctx.cost_words(t.cost_hours, t.estimated_hours > 0.0)
                )
            })
            .collect()
    };
    format!("{}.", words::capitalise(&join_list(&parts)))
}

fn describe(item: &EscapedItem) -> String {
    let title = if item.title.is_empty() {
        String::new()
    } else {
        format!(" “{}”", words::shown(&item.title))
    };
    let severity = item
        .severity
        .map(|s| format!(", {}", s.as_str()))
        .unwrap_or_default();
    let id = words::shown(&item.id);
    format!("{id}{title} ({}{severity})", noun(item.kind, 1))
}

fn most_expensive(ctx: &Context<'_>) -> Section {
    let items = &ctx.m.escaped_problems;
    let mut paragraphs = Vec::new();
    if let Some(top) = items.first() {
        let tied: Vec<&EscapedItem> = items
            .iter()
            .take_while(|i| (i.hours - top.hours).abs() < 1e-9)
            .collect();
        let tied_count = ctx.m.top_cost.map_or(tied.len() as u64, |(_, n)| n);
        let estimated = tied.iter().any(|i| i.estimated);
        let hours_text = ctx.cost_words(top.hours, estimated);
        if tied_count == 1 {
            let mut s = format!("The most expensive was {}, at {hours_text}", describe(top));
            if top.estimated {
                s.push_str(", estimated from the cost model because no hours were logged");
            }
            s.push('.');
            paragraphs.push(s);
            if let Some(m) = top.mechanism {
                paragraphs.push(format!(
                    "It escaped through {}; next time: {}.",
                    words::mechanism_words(m),
                    words::mechanism_remedy(m)
                ));
            } else {
                paragraphs.push(format!(
                    "No escape mechanism was recorded for it. For {}, the usual remedy is to {}.",
                    noun(top.kind, 2),
                    words::remedy(top.kind)
                ));
            }
        } else {
            let list: Vec<String> = tied.iter().take(5).map(|i| describe(i)).collect();
            let more = tied_count.saturating_sub(list.len() as u64);
            let listed = if more > 0 {
                format!("{} and {} more", list.join(", "), int(more))
            } else {
                join_list(&list)
            };
            paragraphs.push(format!(
                "{} problems tie as the most expensive, at {hours_text} each: {listed}.",
                int(tied_count),
            ));
        }
    }
    Section {
        id: "most-expensive".into(),
        heading: "The most expensive escape".into(),
        paragraphs,
        ..Section::default()
    }
}

fn escaped_list(ctx: &Context<'_>) -> Section {
    let items = &ctx.m.escaped_problems;
    let mut table = Table::new(&[
        ("Id", false),
        ("Title", false),
        ("Type", false),
        ("Severity", false),
        ("Hours", true),
    ]);
    for item in items.iter().take(MAX_LISTED) {
        let mut kind = words::label_one(item.kind).to_string();
        if item.likely_regression {
            kind.push_str(" (likely regression)");
        } else if item.to_verify {
            kind.push_str(" (to verify)");
        }
        table.rows.push(vec![
            words::shown(&item.id).into_owned(),
            words::shown(&item.title).into_owned(),
            kind,
            item.severity.map_or("–".into(), |s| s.as_str().to_string()),
            if item.estimated {
                format!("{} (est.)", hours(item.hours))
            } else {
                hours(item.hours)
            },
        ]);
    }
    let more = (ctx.m.totals.escaped as usize).saturating_sub(items.len().min(MAX_LISTED));
    Section {
        id: "escaped-problems".into(),
        heading: "Escaped problems".into(),
        paragraphs: vec![format!(
            "Most expensive first. Hours marked (est.) come from the cost model because none were logged.{}",
            if more > 0 {
                format!(" The {} cheapest are not listed here; `escape-report metrics --json` has the figures.", int(more as u64))
            } else {
                String::new()
            }
        )],
        table: Some(table),
        ..Section::default()
    }
}
