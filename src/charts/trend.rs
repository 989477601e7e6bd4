//! The escape rate per quarter as a line over the benchmark bands.

use plotters::style::text_anchor::{HPos, VPos};
use plotters::style::RGBColor;

use super::canvas::{
    self, dot, message, polyline, rect, render, text, Area, Drawn, Font, Frame, Scale, HEIGHT, INK,
    MUTED, VALUE_FONT, WHITE, WIDTH,
};
use super::{and_list, Chart};
use crate::metrics::Metrics;
use crate::model::band::Bands;
use crate::text::pct;

/// One band as drawn: its name and its range in percent.
struct Region {
    name: String,
    low: f64,
    high: Option<f64>,
}

fn regions(bands: &Bands) -> Vec<Region> {
    let mut low = 0.0;
    bands
        .limits()
        .map(|(name, upper)| {
            let region = Region {
                name: canvas::clean(name),
                low,
                high: upper.map(|u| u * 100.0),
            };
            low = region.high.unwrap_or(low);
            region
        })
        .collect()
}

/// Escape rate per quarter (oldest first) as a line with points, drawn over the bands
/// of [`Bands::limits`]; quarters without problems leave a gap.
pub fn escape_rate_trend(metrics: &Metrics, bands: &Bands) -> Chart {
    let quarters = &metrics.quarters;
    let labels: Vec<String> = quarters.iter().map(|q| canvas::clean(&q.label)).collect();
    let rates: Vec<Option<f64>> = quarters
        .iter()
        .map(|q| q.escape_rate.filter(|r| r.is_finite()))
        .collect();
    let regions = regions(bands);

    let band_words: Vec<String> = regions
        .iter()
        .enumerate()
        .map(|(i, r)| match r.high {
            // The last-but-one band includes its upper bound.
            Some(h) if i + 2 == regions.len() => format!("{} up to {}", r.name, pct(h / 100.0)),
            Some(h) => format!("{} below {}", r.name, pct(h / 100.0)),
            None => format!("{} above {}", r.name, pct(r.low / 100.0)),
        })
        .collect();
    let points: Vec<String> = labels
        .iter()
        .zip(&rates)
        .map(|(label, rate)| match rate {
            Some(r) => format!(
                "{label} {} ({})",
                pct(*r),
                canvas::clean(bands.classify(*r))
            ),
            None => format!("{label} no problems found"),
        })
        .collect();
    let description = if points.is_empty() {
        "Escape rate per quarter: there are no quarters to show.".to_string()
    } else {
        format!(
            "Escape rate per quarter against the bands ({}): {}.",
            and_list(&band_words),
            points.join(", ")
        )
    };

    let svg = render(&description, |area| {
        if rates.iter().all(Option::is_none) {
            let note = if quarters.is_empty() {
                "No data for these quarters"
            } else {
                "No problems found in these quarters"
            };
            message(area, note)
        } else {
            draw_trend(area, &labels, &rates, &regions, bands)
        }
    });
    Chart {
        id: "escape-rate-trend",
        title: "Escape rate per quarter against the bands".to_string(),
        description,
        svg,
    }
}

/// Light, opaque tints from green (best band) through yellow to red (worst).
fn tint(i: usize, n: usize) -> RGBColor {
    const STOPS: [(f64, f64, f64); 3] = [
        (0xE1 as f64, 0xF0 as f64, 0xE1 as f64),
        (0xFA as f64, 0xF1 as f64, 0xD2 as f64),
        (0xF8 as f64, 0xDC as f64, 0xD8 as f64),
    ];
    let t = if n > 1 {
        i as f64 / (n - 1) as f64
    } else {
        0.0
    };
    let (a, b, f) = if t <= 0.5 {
        (STOPS[0], STOPS[1], t * 2.0)
    } else {
        (STOPS[1], STOPS[2], t * 2.0 - 1.0)
    };
    let mix = |x: f64, y: f64| (x + (y - x) * f).round().clamp(0.0, 255.0) as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// The axis top in percent: above the highest rate, showing the whole band it lies in
/// and a little of the next one, never above 100 %.
fn scale_for(rates: &[Option<f64>], regions: &[Region], bands: &Bands) -> Scale {
    let max = rates.iter().flatten().copied().fold(0.0, f64::max);
    let band = bands.classify(max);
    let band_top = regions
        .iter()
        .find(|r| r.name == canvas::clean(band))
        .and_then(|r| r.high)
        .unwrap_or(0.0);
    let target = (max * 100.0 * 1.15).max(band_top * 1.1).min(100.0);
    let scale = Scale::nice(target, false);
    if scale.upper > 100.0 {
        let step = if (100.0 / scale.step).fract() == 0.0 {
            scale.step
        } else {
            20.0
        };
        Scale { upper: 100.0, step }
    } else {
        scale
    }
}

fn draw_trend(
    area: &Area<'_>,
    labels: &[String],
    rates: &[Option<f64>],
    regions: &[Region],
    bands: &Bands,
) -> Drawn {
    let band_font = Font::new(11.0, MUTED);
    let names_width = regions
        .iter()
        .map(|r| band_font.width(&r.name))
        .fold(0.0, f64::max)
        .min(160.0)
        .ceil() as i32;
    let scale = scale_for(rates, regions, bands);
    let tick = |v: f64| format!("{} %", scale.label(v));
    let frame = Frame {
        left: Frame::left_for(&scale, tick),
        top: 24,
        right: WIDTH as i32 - 16 - names_width - 12,
        bottom: HEIGHT as i32 - 36,
        slots: labels.len(),
        scale,
        grid: WHITE,
    };
    let upper = frame.scale.upper;

    // The bands, tinted across the plot and under their names on the right.
    for (i, region) in regions.iter().enumerate() {
        if region.low >= upper {
            continue;
        }
        let high = region.high.unwrap_or(upper).min(upper);
        let (y_low, y_high) = (frame.y(region.low), frame.y(high));
        rect(
            area,
            (frame.left, y_high),
            (WIDTH as i32 - 8, y_low),
            tint(i, regions.len()),
        )?;
        if y_low - y_high >= 14 {
            text(
                area,
                &canvas::fit(&region.name, band_font, f64::from(names_width)),
                (frame.right + 10, (y_low + y_high) / 2),
                band_font,
                HPos::Left,
                VPos::Center,
            )?;
        }
    }
    frame.draw_value_axis(area, "escape rate", tick)?;

    let points: Vec<Option<(i32, i32)>> = rates
        .iter()
        .enumerate()
        .map(|(i, r)| r.map(|r| (frame.slot_centre(i), frame.y(r * 100.0))))
        .collect();
    // The line, broken where a quarter has no rate.
    for run in points.split(Option::is_none) {
        let run: Vec<(i32, i32)> = run.iter().flatten().copied().collect();
        if run.len() >= 2 {
            polyline(area, run, INK, 2)?;
        }
    }
    for (i, point) in points.iter().enumerate() {
        let Some((x, y)) = *point else {
            text(
                area,
                "no problems",
                (frame.slot_centre(i), frame.bottom - 6),
                Font::new(11.0, MUTED),
                HPos::Center,
                VPos::Bottom,
            )?;
            continue;
        };
        dot(area, (x, y), 6, WHITE)?;
        dot(area, (x, y), 4, INK)?;
        // The value above the point, unless the line leaves upwards on both sides.
        let neighbours: Vec<i32> = [i.checked_sub(1), Some(i + 1)]
            .into_iter()
            .flatten()
            .filter_map(|j| points.get(j).copied().flatten())
            .map(|p| p.1)
            .collect();
        let below =
            !neighbours.is_empty() && neighbours.iter().all(|&ny| ny < y) && y + 24 < frame.bottom;
        let value = pct(rates[i].unwrap_or(0.0));
        if below {
            text(
                area,
                &value,
                (x, y + 10),
                VALUE_FONT.bold(),
                HPos::Center,
                VPos::Top,
            )?;
        } else {
            text(
                area,
                &value,
                (x, y - 10),
                VALUE_FONT.bold(),
                HPos::Center,
                VPos::Bottom,
            )?;
        }
    }
    frame.draw_category_axis(area, labels)
}
