//! Sprint and EM reports as documents: title, headline panel, key-figure tiles, each
//! section in turn, the closing line, and a footer on every page. The type scale and
//! colours follow the HTML stylesheet; [`Theme`] and the section body are shared with
//! the slide deck.

use super::draw::Pages;
use super::fonts::Fonts;
use super::layout::{
    colour, shorten, wrap_plain, ChartBox, Flow, Frame, Item, Measure, Panel, Span, TableStyle,
    TextStyle, TileStyle, Weight,
};
use super::{chart_for, closing_line, Paper};
use crate::charts::Chart;
use crate::narrative::{Report, Section};

/// Sizes, spacing and colours of one kind of output.
pub(super) struct Theme {
    pub title: TextStyle,
    pub subtitle: TextStyle,
    pub headline: TextStyle,
    pub heading: TextStyle,
    pub body: TextStyle,
    pub note: TextStyle,
    pub footer: TextStyle,
    pub headline_panel: Panel,
    pub callout: Panel,
    pub tiles: TileStyle,
    pub table: TableStyle,
    pub chart: ChartBox,
    pub bullet_indent: f32,
    /// Space between paragraphs, and between the blocks of a section.
    pub gap: f32,
    /// Space above a section's heading.
    pub section_gap: f32,
}

fn style(size: f32, leading: f32, weight: Weight, colour: super::layout::Rgb) -> TextStyle {
    TextStyle {
        size,
        leading,
        weight,
        colour,
    }
}

impl Theme {
    /// The document scale: 10 pt body text, as the HTML's 16 px at print size.
    pub fn document() -> Theme {
        let body = style(10.0, 15.0, Weight::Regular, colour::INK);
        Theme {
            title: style(19.5, 24.0, Weight::Bold, colour::INK),
            subtitle: style(10.5, 14.0, Weight::Regular, colour::MUTED),
            headline: style(11.5, 16.5, Weight::Regular, colour::INK),
            heading: style(13.5, 18.0, Weight::Bold, colour::INK),
            body,
            note: style(8.5, 12.0, Weight::Regular, colour::MUTED),
            footer: style(7.5, 10.0, Weight::Regular, colour::MUTED),
            headline_panel: Panel {
                fill: colour::TILE,
                bar: colour::ACCENT,
                bar_width: 3.0,
                pad_x: 10.0,
                pad_y: 8.0,
                gap: 2.0,
            },
            callout: Panel {
                fill: colour::CALLOUT,
                bar: colour::CALLOUT_BAR,
                bar_width: 3.0,
                pad_x: 10.0,
                pad_y: 7.0,
                gap: 2.0,
            },
            tiles: TileStyle {
                label: style(7.5, 10.0, Weight::Regular, colour::MUTED),
                value: style(19.0, 25.0, Weight::Bold, colour::INK),
                detail: style(8.0, 11.0, Weight::Regular, colour::MUTED),
                fill: colour::TILE,
                pad: 9.0,
                gap: 8.0,
                radius: 5.0,
                per_row: 4,
            },
            table: TableStyle {
                text: style(8.5, 11.5, Weight::Regular, colour::INK),
                pad_x: 6.0,
                pad_y: 3.5,
                header_fill: colour::TILE,
                rule: colour::LINE,
                rule_width: 0.6,
            },
            chart: ChartBox {
                width: crate::charts::WIDTH as f32,
                height: crate::charts::HEIGHT as f32,
                max_width: 480.0,
                min_height: 180.0,
                centred: false,
                caption: style(8.5, 12.0, Weight::Regular, colour::MUTED),
                caption_gap: 4.0,
            },
            bullet_indent: 14.0,
            gap: 7.0,
            section_gap: 20.0,
        }
    }
}

/// Lays out a sprint or EM report on `paper`.
pub fn layout(report: &Report, charts: &[Chart], fonts: &Fonts, paper: Paper) -> Pages {
    let (width, height) = paper.size();
    let frame = Frame {
        width,
        height,
        top: 54.0,
        bottom: 64.0,
        left: 56.0,
        right: 56.0,
    };
    let t = Theme::document();
    let mut flow = Flow::new(fonts, frame);
    flow.text(
        &[Span::new(report.title.as_str(), Weight::Bold)],
        &t.title,
        0.0,
    );
    flow.space(3.0);
    flow.text(
        &[Span::new(report.subtitle.as_str(), Weight::Regular)],
        &t.subtitle,
        0.0,
    );
    flow.space(14.0);
    opening(&mut flow, report, &t);
    for section in &report.sections {
        flow.space(t.section_gap);
        let chart = chart_for(charts, section.chart.as_deref());
        heading(&mut flow, fonts, section, chart, &t);
        section_body(&mut flow, section, chart, &t);
    }
    flow.space(28.0);
    flow.keep(30.0);
    flow.rule(colour::LINE, 0.6);
    flow.space(6.0);
    flow.text(
        &[Span::new(closing_line(report), Weight::Regular)],
        &t.note,
        0.0,
    );
    Pages {
        width,
        height,
        pages: flow.finish(|n, of| footer(fonts, &frame, report, &t.footer, n, of)),
    }
}

/// Headline panel, key-figure tiles and the small-sample callout.
pub(super) fn opening(flow: &mut Flow<'_, Fonts>, report: &Report, t: &Theme) {
    if !report.headline.is_empty() {
        let paragraphs: Vec<Vec<Span>> = report
            .headline
            .iter()
            .map(|h| vec![Span::new(h.as_str(), Weight::Regular)])
            .collect();
        flow.panel(&paragraphs, &t.headline, &t.headline_panel);
        flow.space(t.gap * 2.0);
    }
    if !report.figures.is_empty() {
        flow.tiles(&report.figures, &t.tiles);
        flow.space(t.gap * 2.0);
    }
    if let Some(note) = &report.small_sample_note {
        let spans = vec![
            Span::new("Few problems:", Weight::Bold),
            Span::new(format!(" {note}"), Weight::Regular),
        ];
        flow.panel(&[spans], &t.body, &t.callout);
        flow.space(t.gap);
    }
}

/// A section heading with a thin rule under it, kept on one page with the start of
/// what follows: a short introduction together with the table or chart after it.
fn heading(
    flow: &mut Flow<'_, Fonts>,
    fonts: &Fonts,
    s: &Section,
    chart: Option<&Chart>,
    t: &Theme,
) {
    let width = flow.frame().content_width();
    let lines = |text: &str, style: &TextStyle| {
        wrap_plain(fonts, text, style.weight, style.size, width).len() as f32 * style.leading
    };
    let text: f32 = s
        .paragraphs
        .iter()
        .chain(&s.bullets)
        .map(|p| lines(p, &t.body) + t.gap)
        .sum();
    let short = 6.0 * t.body.leading;
    let mut lead = text.min(short);
    if text <= short {
        if s.table.is_some() {
            lead += 2.0 * (t.table.text.leading + 2.0 * t.table.pad_y) + t.gap;
        } else if chart.is_some() {
            lead += t.chart.min_height + t.chart.caption.leading + t.gap;
        }
    }
    flow.keep(lines(&s.heading, &t.heading) + 12.0 + lead);
    flow.text(
        &[Span::new(s.heading.as_str(), Weight::Bold)],
        &t.heading,
        0.0,
    );
    flow.space(3.0);
    flow.rule(colour::LINE, 0.75);
    flow.space(8.0);
}

/// Paragraphs, bullets, table, chart and note, in the order the HTML shows them.
pub(super) fn section_body(
    flow: &mut Flow<'_, Fonts>,
    s: &Section,
    chart: Option<&Chart>,
    t: &Theme,
) {
    let mut first = true;
    let mut gap = |flow: &mut Flow<'_, Fonts>, h: f32| {
        if !first {
            flow.space(h);
        }
        first = false;
    };
    for p in &s.paragraphs {
        gap(flow, t.gap);
        flow.text(&[Span::new(p.as_str(), Weight::Regular)], &t.body, 0.0);
    }
    if !s.bullets.is_empty() {
        gap(flow, t.gap);
        flow.bullets(&s.bullets, &t.body, t.bullet_indent, t.gap * 0.4);
    }
    if let Some(table) = &s.table {
        gap(flow, t.gap * 1.3);
        flow.table(table, &t.table);
    }
    if let Some(chart) = chart {
        gap(flow, t.gap * 1.6);
        flow.chart(chart.id, &chart.title, &t.chart);
    }
    if let Some(note) = &s.note {
        gap(flow, t.gap);
        flow.text(&[Span::new(note.as_str(), Weight::Regular)], &t.note, 0.0);
    }
}

/// The footer: a thin rule, the period on the left, the generator and page on the right.
/// A period whose name is too long to sit beside the page number is cut short with an
/// ellipsis (keeping its dates when there is room); the title shows it in full.
pub(super) fn footer(
    fonts: &Fonts,
    frame: &Frame,
    report: &Report,
    style: &TextStyle,
    page: usize,
    pages: usize,
) -> Vec<Item> {
    let rule_y = frame.limit() + style.size * 2.0;
    let baseline = rule_y + style.size * 1.9;
    let right = format!("escape-report · page {page} of {pages}");
    let right_w = fonts.width(&right, style.weight, style.size);
    let right_x = frame.width - frame.right - right_w;
    let room = frame.content_width() - right_w - 2.0 * style.size;
    let measure = |text: &str| fonts.width(text, style.weight, style.size);
    let range = format!(" · {}", report.period.range);
    let whole = format!("{}{range}", report.period.label);
    let left = if measure(&whole) <= room {
        whole
    } else if room - measure(&range) >= 6.0 * style.size {
        let label = &report.period.label;
        shorten(
            fonts,
            label,
            style.weight,
            style.size,
            room - measure(&range),
        ) + &range
    } else {
        shorten(fonts, &whole, style.weight, style.size, room)
    };
    let text = |x: f32, text: String| Item::Text {
        x,
        baseline,
        size: style.size,
        weight: style.weight,
        colour: style.colour,
        text,
    };
    vec![
        Item::Rect {
            x: frame.left,
            y: rule_y,
            w: frame.content_width(),
            h: 0.5,
            fill: colour::LINE,
            radius: 0.0,
        },
        text(frame.left, left),
        text(right_x, right),
    ]
}
