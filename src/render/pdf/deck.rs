//! The board report as a 16:9 slide deck (338.7 × 190.5 mm): a title slide with the
//! headline and key figures, then one slide per section, its chart beside its text.
//! Type is large for a projector: each slide is set at the largest body size, from 24 pt
//! down to 14 pt, at which it fits on one slide; only then does content move to a second.

use super::document::{footer, opening, section_body, Theme};
use super::draw::Pages;
use super::fonts::Fonts;
use super::layout::{
    colour, with_footers, ChartBox, Flow, Frame, Item, Panel, Span, TableStyle, TextStyle,
    TileStyle, Weight,
};
use super::{chart_for, closing_line};
use crate::charts::Chart;
use crate::narrative::Report;

const WIDTH: f32 = 960.0;
const HEIGHT: f32 = 540.0;
/// Body text sizes tried, largest first.
const SIZES: [f32; 6] = [24.0, 22.0, 20.0, 18.0, 16.0, 14.0];

fn style(size: f32, leading: f32, weight: Weight, colour: super::layout::Rgb) -> TextStyle {
    TextStyle {
        size,
        leading,
        weight,
        colour,
    }
}

impl Theme {
    /// The slide scale around `body` points of body text.
    fn slides(body: f32) -> Theme {
        let s = body / 20.0;
        Theme {
            title: style(40.0 * s, 48.0 * s, Weight::Bold, colour::INK),
            subtitle: style(17.0 * s, 23.0 * s, Weight::Regular, colour::MUTED),
            headline: style(22.0 * s, 31.0 * s, Weight::Regular, colour::INK),
            heading: style(30.0 * s, 38.0 * s, Weight::Bold, colour::INK),
            body: style(body, body * 1.45, Weight::Regular, colour::INK),
            note: style(13.0 * s, 18.0 * s, Weight::Regular, colour::MUTED),
            footer: style(10.0, 13.0, Weight::Regular, colour::MUTED),
            headline_panel: Panel {
                fill: colour::TILE,
                bar: colour::ACCENT,
                bar_width: 5.0,
                pad_x: 18.0 * s,
                pad_y: 14.0 * s,
                gap: 6.0 * s,
            },
            callout: Panel {
                fill: colour::CALLOUT,
                bar: colour::CALLOUT_BAR,
                bar_width: 5.0,
                pad_x: 16.0 * s,
                pad_y: 10.0 * s,
                gap: 4.0 * s,
            },
            tiles: TileStyle {
                label: style(14.0 * s, 19.0 * s, Weight::Regular, colour::MUTED),
                value: style(42.0 * s, 52.0 * s, Weight::Bold, colour::INK),
                detail: style(14.0 * s, 19.0 * s, Weight::Regular, colour::MUTED),
                fill: colour::TILE,
                pad: 16.0 * s,
                gap: 16.0,
                radius: 8.0,
                per_row: 4,
            },
            table: TableStyle {
                text: style(13.0 * s, 17.0 * s, Weight::Regular, colour::INK),
                pad_x: 9.0,
                pad_y: 5.0,
                header_fill: colour::TILE,
                rule: colour::LINE,
                rule_width: 0.8,
            },
            chart: ChartBox {
                width: crate::charts::WIDTH as f32,
                height: crate::charts::HEIGHT as f32,
                max_width: 720.0,
                min_height: 180.0,
                centred: true,
                caption: style(12.0 * s, 16.0 * s, Weight::Regular, colour::MUTED),
                caption_gap: 6.0,
            },
            bullet_indent: 28.0 * s,
            gap: 14.0 * s,
            section_gap: 0.0,
        }
    }
}

/// Lays out the board report as slides.
pub fn layout(report: &Report, charts: &[Chart], fonts: &Fonts) -> Pages {
    let frame = Frame {
        width: WIDTH,
        height: HEIGHT,
        top: 54.0,
        bottom: 52.0,
        left: 64.0,
        right: 64.0,
    };
    let mut slides = fit(fonts, frame, |flow, t| {
        flow.space(24.0);
        flow.text(
            &[Span::new(report.title.as_str(), Weight::Bold)],
            &t.title,
            0.0,
        );
        flow.space(6.0);
        flow.text(
            &[Span::new(report.subtitle.as_str(), Weight::Regular)],
            &t.subtitle,
            0.0,
        );
        flow.space(28.0);
        opening(flow, report, t);
    });
    for (i, section) in report.sections.iter().enumerate() {
        let last = i + 1 == report.sections.len();
        slides.extend(fit(fonts, frame, |flow, t| {
            flow.text(
                &[Span::new(section.heading.as_str(), Weight::Bold)],
                &t.heading,
                0.0,
            );
            flow.space(8.0);
            let y = flow.y();
            flow.push(Item::Rect {
                x: frame.left,
                y,
                w: 56.0,
                h: 4.0,
                fill: colour::ACCENT,
                radius: 0.0,
            });
            flow.space(24.0);
            let has_text = !(section.paragraphs.is_empty()
                && section.bullets.is_empty()
                && section.table.is_none());
            match chart_for(charts, section.chart.as_deref()) {
                Some(chart) if has_text => flow.columns(
                    0.36,
                    40.0,
                    |left| section_body(left, section, None, t),
                    |right| right.chart(chart.id, &chart.title, &t.chart),
                ),
                chart => section_body(flow, section, chart, t),
            }
            if last {
                flow.space(t.gap * 2.0);
                flow.text(
                    &[Span::new(closing_line(report), Weight::Regular)],
                    &t.note,
                    0.0,
                );
            }
        }));
    }
    let footer_style = Theme::slides(SIZES[0]).footer;
    let pages = with_footers(slides, |n, of| {
        let mut items = vec![Item::Rect {
            x: 0.0,
            y: 0.0,
            w: WIDTH,
            h: 8.0,
            fill: colour::ACCENT,
            radius: 0.0,
        }];
        items.extend(footer(fonts, &frame, report, &footer_style, n, of));
        items
    });
    Pages {
        width: WIDTH,
        height: HEIGHT,
        pages,
    }
}

/// Lays out one slide's content at the largest size at which it fits on one slide.
fn fit(
    fonts: &Fonts,
    frame: Frame,
    content: impl Fn(&mut Flow<'_, Fonts>, &Theme),
) -> Vec<Vec<Item>> {
    let mut pages = Vec::new();
    for size in SIZES {
        let mut flow = Flow::new(fonts, frame);
        content(&mut flow, &Theme::slides(size));
        let fits = flow.page_count() == 1;
        pages = flow.into_pages();
        if fits {
            break;
        }
    }
    pages
}
