//! Bar charts: the period's type distribution, and escaped problems and their cost per
//! quarter, stacked by type.

use plotters::style::text_anchor::{HPos, VPos};

use super::canvas::{
    self, legend, legend_width, message, rect, render, text, Area, Drawn, Font, Frame, LegendItem,
    Scale, AXIS, AXIS_TITLE_FONT, GRID, HEIGHT, INK, TICK_FONT, VALUE_FONT, WHITE, WIDTH,
};
use super::{and_list, colour, counted, type_label, Chart};
use crate::metrics::report::{QuarterRow, TypeQuarter};
use crate::metrics::Metrics;
use crate::model::ProblemType;

/// The selected period's escaped problems by type: horizontal bars, largest first,
/// each labelled with its count and share. Types with no escapes are left out.
pub fn type_distribution(metrics: &Metrics) -> Chart {
    let mut rows: Vec<(ProblemType, u64)> = metrics
        .by_type
        .iter()
        .filter(|r| r.escaped > 0)
        .map(|r| (r.kind, r.escaped))
        .collect();
    // Largest first; equal counts keep the usual type order.
    rows.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let total: u64 = rows.iter().map(|r| r.1).sum();
    let period = metrics.period.label.as_deref().map(canvas::clean);
    let title = match &period {
        Some(p) => format!("Escaped problems by type, {p}"),
        None => "Escaped problems by type".to_string(),
    };
    let when = period.unwrap_or_else(|| "this period".to_string());
    let description = if total == 0 {
        format!("No escaped problems in {when}.")
    } else {
        let parts: Vec<String> = rows
            .iter()
            .map(|&(t, n)| {
                format!(
                    "{} ({})",
                    counted(t, n),
                    crate::text::pct(n as f64 / total as f64)
                )
            })
            .collect();
        format!(
            "Escaped problems by type in {when}: {total} in total, {}.",
            and_list(&parts)
        )
    };
    let svg = render(&description, |area| {
        if rows.is_empty() {
            message(area, "No escaped problems in this period")
        } else {
            draw_distribution(area, &rows, total)
        }
    });
    Chart {
        id: "type-distribution",
        title,
        description,
        svg,
    }
}

fn draw_distribution(area: &Area<'_>, rows: &[(ProblemType, u64)], total: u64) -> Drawn {
    let name_font = Font::new(12.0, INK);
    let value_label = |n: u64| format!("{n} ({})", crate::text::pct(n as f64 / total as f64));
    let names_width = rows
        .iter()
        .map(|r| name_font.width(type_label(r.0)))
        .fold(0.0, f64::max)
        .ceil() as i32;
    let values_width = rows
        .iter()
        .map(|r| VALUE_FONT.width(&value_label(r.1)))
        .fold(0.0, f64::max)
        .ceil() as i32;
    let left = 16 + names_width + 12;
    let right = WIDTH as i32 - 16 - values_width - 8;
    let top = 16;
    let bottom = HEIGHT as i32 - 52;
    let max = rows.iter().map(|r| r.1).max().unwrap_or(0);
    let scale = Scale::nice(max as f64, true);
    let x = |v: f64| {
        left + ((v / scale.upper).clamp(0.0, 1.0) * f64::from(right - left)).round() as i32
    };

    for value in scale.ticks() {
        let px = x(value);
        if value > 0.0 {
            rect(area, (px, top), (px + 1, bottom), GRID)?;
        }
        rect(area, (px, bottom), (px + 1, bottom + 5), AXIS)?;
        text(
            area,
            &scale.label(value),
            (px, bottom + 8),
            TICK_FONT,
            HPos::Center,
            VPos::Top,
        )?;
    }
    text(
        area,
        "escaped problems",
        ((left + right) / 2, HEIGHT as i32 - 10),
        AXIS_TITLE_FONT,
        HPos::Center,
        VPos::Bottom,
    )?;

    let slot = f64::from(bottom - top) / rows.len() as f64;
    let thickness = (slot * 0.6).min(34.0);
    for (i, &(t, n)) in rows.iter().enumerate() {
        let centre = top as f64 + (i as f64 + 0.5) * slot;
        let y0 = (centre - thickness / 2.0).round() as i32;
        let y1 = (centre + thickness / 2.0).round() as i32;
        let end = x(n as f64);
        rect(area, (left, y0), (end, y1), canvas::rgb(colour(t)))?;
        let cy = centre.round() as i32;
        text(
            area,
            type_label(t),
            (left - 10, cy),
            name_font,
            HPos::Right,
            VPos::Center,
        )?;
        text(
            area,
            &value_label(n),
            (end + 6, cy),
            VALUE_FONT,
            HPos::Left,
            VPos::Center,
        )?;
    }
    // The zero line, over the bars' left edges.
    rect(area, (left - 1, top), (left, bottom + 1), AXIS)
}

/// Escaped problems per quarter, oldest first, stacked by type.
pub fn escaped_by_quarter(metrics: &Metrics) -> Chart {
    let quarters = &metrics.quarters;
    let parts: Vec<String> = quarters
        .iter()
        .map(|q| {
            let label = canvas::clean(&q.label);
            let total: u64 = q.by_type.values().map(|t| t.escaped).sum();
            if total == 0 {
                return format!("{label} had none");
            }
            let types: Vec<String> = ProblemType::ALL
                .into_iter()
                .filter_map(|t| {
                    let n = q.by_type.get(&t).map_or(0, |v| v.escaped);
                    (n > 0).then(|| counted(t, n))
                })
                .collect();
            format!("{label} had {total} ({})", and_list(&types))
        })
        .collect();
    let description = if parts.is_empty() {
        "Escaped problems per quarter by type: there are no quarters to show.".to_string()
    } else {
        format!(
            "Escaped problems per quarter by type: {}.",
            parts.join("; ")
        )
    };
    let svg = render(&description, |area| {
        stacked(
            area,
            quarters,
            &Stack {
                value: |t: &TypeQuarter| t.escaped as f64,
                integer: true,
                axis_title: "escaped problems",
                total_label: |v: f64| format!("{v:.0}"),
                empty: "No escaped problems in these quarters",
            },
        )
    });
    Chart {
        id: "escaped-by-quarter",
        title: "Escaped problems per quarter, by type".to_string(),
        description,
        svg,
    }
}

/// Cost hours of escaped problems per quarter, oldest first, stacked by type.
pub fn cost_by_quarter(metrics: &Metrics) -> Chart {
    let quarters = &metrics.quarters;
    let parts: Vec<String> = quarters
        .iter()
        .map(|q| {
            let label = canvas::clean(&q.label);
            let total: f64 = q.by_type.values().map(|t| t.cost_hours).sum();
            if total <= 0.0 {
                return format!("{label} none");
            }
            let types: Vec<String> = ProblemType::ALL
                .into_iter()
                .filter_map(|t| {
                    let h = q.by_type.get(&t).map_or(0.0, |v| v.cost_hours);
                    (h > 0.0).then(|| format!("{} {}", type_label(t), crate::text::hours(h)))
                })
                .collect();
            format!(
                "{label} {} hours ({})",
                crate::text::hours(total),
                and_list(&types)
            )
        })
        .collect();
    let description = if parts.is_empty() {
        "Cost of escaped problems per quarter by type: there are no quarters to show.".to_string()
    } else {
        format!(
            "Cost of escaped problems per quarter by type, in hours: {}.",
            parts.join("; ")
        )
    };
    let svg = render(&description, |area| {
        stacked(
            area,
            quarters,
            &Stack {
                value: |t: &TypeQuarter| t.cost_hours,
                integer: false,
                axis_title: "hours",
                total_label: crate::text::hours,
                empty: "No cost of escaped problems in these quarters",
            },
        )
    });
    Chart {
        id: "cost-by-quarter",
        title: "Cost of escaped problems per quarter, by type (hours)".to_string(),
        description,
        svg,
    }
}

/// What a stacked chart shows.
struct Stack<V, L> {
    value: V,
    integer: bool,
    axis_title: &'static str,
    total_label: L,
    empty: &'static str,
}

fn stacked<V, L>(area: &Area<'_>, quarters: &[QuarterRow], stack: &Stack<V, L>) -> Drawn
where
    V: Fn(&TypeQuarter) -> f64,
    L: Fn(f64) -> String,
{
    let value = |q: &QuarterRow, t: ProblemType| {
        q.by_type
            .get(&t)
            .map(&stack.value)
            .filter(|v| v.is_finite() && *v > 0.0)
            .unwrap_or(0.0)
    };
    let present: Vec<ProblemType> = ProblemType::ALL
        .into_iter()
        .filter(|&t| quarters.iter().any(|q| value(q, t) > 0.0))
        .collect();
    if present.is_empty() {
        return message(area, stack.empty);
    }
    // The legend reads top to bottom like the stacks.
    let items: Vec<LegendItem<'_>> = present
        .iter()
        .rev()
        .map(|&t| LegendItem {
            colour: canvas::rgb(colour(t)),
            name: type_label(t),
        })
        .collect();
    let legend_x = WIDTH as i32 - 12 - legend_width(&items);
    let totals: Vec<f64> = quarters
        .iter()
        .map(|q| ProblemType::ALL.into_iter().map(|t| value(q, t)).sum())
        .collect();
    let max = totals.iter().copied().fold(0.0, f64::max);
    let scale = Scale::nice(max, stack.integer);
    let frame = Frame {
        left: Frame::left_for(&scale, |v| scale.label(v)),
        top: 24,
        right: legend_x - 28,
        bottom: HEIGHT as i32 - 36,
        slots: quarters.len(),
        scale,
        grid: GRID,
    };
    frame.draw_value_axis(area, stack.axis_title, |v| frame.scale.label(v))?;

    let width = (frame.slot_width() * 0.56).min(64.0);
    for (i, q) in quarters.iter().enumerate() {
        let centre = frame.slot_centre(i);
        let x0 = centre - (width / 2.0).round() as i32;
        let x1 = x0 + width.round() as i32;
        let mut sum = 0.0;
        let mut base = frame.y(0.0);
        let mut joins = Vec::new();
        for t in ProblemType::ALL {
            let v = value(q, t);
            if v <= 0.0 {
                continue;
            }
            sum += v;
            let top = frame.y(sum);
            rect(area, (x0, top), (x1, base), canvas::rgb(colour(t)))?;
            joins.push(top);
            base = top;
        }
        // Thin white lines between the segments of a stack.
        joins.pop();
        for y in joins {
            rect(area, (x0, y), (x1, y + 1), WHITE)?;
        }
        text(
            area,
            &(stack.total_label)(totals[i]),
            (centre, base - 4),
            VALUE_FONT.bold(),
            HPos::Center,
            VPos::Bottom,
        )?;
    }
    let labels: Vec<String> = quarters.iter().map(|q| q.label.clone()).collect();
    frame.draw_category_axis(area, &labels)?;
    legend(area, &items, legend_x, frame.top + 6)
}
