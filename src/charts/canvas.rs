//! Drawing helpers shared by the charts: the SVG canvas, text, scales and axes.
//!
//! Everything is laid out in whole pixels on a fixed 640×320 canvas, and drawn with
//! plotters elements on the SVG backend. Colours are opaque, every text names the
//! embedded font family, and the same input always gives the same bytes.

use plotters::backend::SVGBackend;
use plotters::coord::Shift;
use plotters::drawing::{DrawingArea, DrawingAreaErrorKind, IntoDrawingArea};
use plotters::element::{Circle, PathElement, Rectangle, Text};
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{
    Color, FontDesc, FontFamily, FontStyle, FontTransform, RGBColor, ShapeStyle, TextStyle,
};

/// Canvas size in pixels (the SVG's width, height and viewBox).
pub const WIDTH: u32 = 640;
pub const HEIGHT: u32 = 320;

/// The font family named on every text element; the PDF step embeds this family.
pub const FONT_FAMILY: &str = "DejaVu Sans";

pub(super) const WHITE: RGBColor = RGBColor(255, 255, 255);
/// Main text: titles of axes, value labels.
pub(super) const INK: RGBColor = RGBColor(0x22, 0x22, 0x22);
/// Secondary text: tick labels, notes.
pub(super) const MUTED: RGBColor = RGBColor(0x55, 0x55, 0x55);
/// The zero line and axis ticks.
pub(super) const AXIS: RGBColor = RGBColor(0x77, 0x77, 0x77);
/// Grid lines.
pub(super) const GRID: RGBColor = RGBColor(0xE2, 0xE2, 0xE2);

pub(super) type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;
pub(super) type Drawn = Result<(), DrawingAreaErrorKind<std::io::Error>>;

/// Renders one chart into a complete, self-contained SVG document.
pub(super) fn render(description: &str, draw: impl FnOnce(&Area<'_>) -> Drawn) -> String {
    let mut body = String::new();
    let drawn = {
        let root = SVGBackend::with_string(&mut body, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE)
            .and_then(|()| draw(&root))
            .and_then(|()| root.present())
    };
    if drawn.is_err() {
        // Cannot happen with a String target; keep the output a valid document anyway.
        body = format!(
            "<svg>\n<rect x=\"0\" y=\"0\" width=\"{WIDTH}\" height=\"{HEIGHT}\" fill=\"#FFFFFF\"/>\n</svg>\n"
        );
    }
    finish(&body, description)
}

/// Replaces plotters' opening tag with ours: size, viewBox, an accessible name, and a
/// font fallback for viewers without DejaVu Sans.
fn finish(body: &str, description: &str) -> String {
    let rest = body.split_once('\n').map_or("", |(_, rest)| rest);
    let mut out = String::with_capacity(body.len() + description.len() + 400);
    out.push_str(&format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{HEIGHT}\" \
         viewBox=\"0 0 {WIDTH} {HEIGHT}\" role=\"img\" aria-label=\""
    ));
    out.push_str(&escape_xml(&clean(description)));
    out.push_str("\">\n");
    // Presentation attributes name DejaVu Sans; this rule adds fallbacks for browsers
    // and image viewers without it. Converters that have DejaVu Sans pick it first.
    out.push_str(&format!(
        "<style>text {{ font-family: \"{FONT_FAMILY}\", Verdana, Arial, sans-serif; }}</style>\n"
    ));
    // plotters puts a text's content on a line of its own; keep it on the tag's line so
    // no whitespace can shift the text, whatever `white-space` a page sets.
    let mut lines = rest.lines().peekable();
    while let Some(line) = lines.next() {
        out.push_str(line);
        if line.starts_with("<text ") {
            while let Some(next) = lines.next_if(|l| !l.starts_with("</text>")) {
                out.push_str(next);
            }
            if let Some(close) = lines.next() {
                out.push_str(close);
            }
        }
        out.push('\n');
    }
    out
}

/// Escapes text for XML content and attribute values.
pub fn escape_xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            other => out.push(other),
        }
    }
    out
}

/// Removes characters XML cannot carry even when escaped (control characters and
/// non-characters); plotters escapes `<`, `&` and quotes itself.
pub(super) fn clean(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() || c == '\u{FFFE}' || c == '\u{FFFF}' {
                ' '
            } else {
                c
            }
        })
        .collect()
}

/// Parses one of our `#RRGGBB` colour constants; anything else becomes mid grey.
pub(super) fn rgb(hex: &str) -> RGBColor {
    let digits = hex.strip_prefix('#').unwrap_or(hex);
    let channel = |i: usize| {
        digits
            .get(i..i + 2)
            .and_then(|d| u8::from_str_radix(d, 16).ok())
            .unwrap_or(0x99)
    };
    RGBColor(channel(0), channel(2), channel(4))
}

/// Advance widths of DejaVu Sans for ASCII 32..=126, in units of 1/2048 em.
const DEJAVU_WIDTHS: [u16; 95] = [
    651, 821, 942, 1716, 1303, 1946, 1597, 563, 799, 799, 1024, 1716, 651, 739, 651, 690, 1303,
    1303, 1303, 1303, 1303, 1303, 1303, 1303, 1303, 1303, 690, 690, 1716, 1716, 1716, 1087, 2048,
    1401, 1405, 1430, 1577, 1294, 1178, 1587, 1540, 604, 604, 1343, 1141, 1767, 1532, 1612, 1235,
    1612, 1423, 1300, 1251, 1499, 1401, 2025, 1403, 1251, 1403, 799, 690, 799, 1716, 1024, 1024,
    1255, 1300, 1126, 1300, 1260, 721, 1300, 1298, 569, 569, 1186, 569, 1995, 1298, 1253, 1300,
    1300, 842, 1067, 803, 1298, 1212, 1675, 1212, 1212, 1075, 1303, 690, 1303, 1716,
];

/// The width of a text in DejaVu Sans at `px`, in pixels (other characters count as a digit).
pub(super) fn text_width(text: &str, px: f64) -> f64 {
    let units: u32 = text
        .chars()
        .map(|c| {
            let code = c as u32;
            if (32..=126).contains(&code) {
                u32::from(DEJAVU_WIDTHS[(code - 32) as usize])
            } else {
                1303
            }
        })
        .sum();
    f64::from(units) / 2048.0 * px
}

/// The text, shortened with an ellipsis if it is wider than `max` pixels in `font`.
pub(super) fn fit(text: &str, font: Font, max: f64) -> String {
    if font.width(text) <= max {
        return text.to_string();
    }
    let mut out: String = text.to_string();
    while !out.is_empty() && font.width(&out) + font.width("…") > max {
        out.pop();
    }
    format!("{}…", out.trim_end())
}

/// How a piece of text is set.
#[derive(Clone, Copy)]
pub(super) struct Font {
    /// Font size in CSS pixels.
    pub px: f64,
    pub bold: bool,
    pub colour: RGBColor,
}

impl Font {
    pub const fn new(px: f64, colour: RGBColor) -> Font {
        Font {
            px,
            bold: false,
            colour,
        }
    }

    pub const fn bold(self) -> Font {
        Font { bold: true, ..self }
    }

    pub fn width(&self, text: &str) -> f64 {
        let w = text_width(text, self.px);
        if self.bold {
            w * 1.1
        } else {
            w
        }
    }

    fn style(&self, h: HPos, v: VPos, rotate: bool) -> TextStyle<'static> {
        let weight = if self.bold {
            FontStyle::Bold
        } else {
            FontStyle::Normal
        };
        // plotters writes font-size as size / 1.24.
        let mut desc = FontDesc::new(FontFamily::Name(FONT_FAMILY), self.px * 1.24, weight);
        if rotate {
            desc = desc.transform(FontTransform::Rotate270);
        }
        TextStyle {
            font: desc,
            color: self.colour.to_backend_color(),
            pos: Pos::new(h, v),
        }
    }
}

pub(super) fn text(
    area: &Area<'_>,
    s: &str,
    at: (i32, i32),
    font: Font,
    h: HPos,
    v: VPos,
) -> Drawn {
    area.draw(&Text::new(clean(s), at, font.style(h, v, false)))
}

/// Text turned a quarter anticlockwise (reading bottom to top), centred on `at`.
pub(super) fn vertical_text(area: &Area<'_>, s: &str, at: (i32, i32), font: Font) -> Drawn {
    area.draw(&Text::new(
        clean(s),
        at,
        font.style(HPos::Center, VPos::Center, true),
    ))
}

/// A filled rectangle between two corners (in either order).
pub(super) fn rect(area: &Area<'_>, a: (i32, i32), b: (i32, i32), colour: RGBColor) -> Drawn {
    let (x0, x1) = (a.0.min(b.0), a.0.max(b.0));
    let (y0, y1) = (a.1.min(b.1), a.1.max(b.1));
    if x0 == x1 || y0 == y1 {
        return Ok(());
    }
    area.draw(&Rectangle::new([(x0, y0), (x1, y1)], colour.filled()))
}

pub(super) fn polyline(
    area: &Area<'_>,
    points: Vec<(i32, i32)>,
    colour: RGBColor,
    width: u32,
) -> Drawn {
    area.draw(&PathElement::new(points, colour.stroke_width(width)))
}

pub(super) fn dot(area: &Area<'_>, at: (i32, i32), radius: i32, colour: RGBColor) -> Drawn {
    let style = ShapeStyle {
        color: colour.to_rgba(),
        filled: true,
        stroke_width: 1,
    };
    area.draw(&Circle::new(at, radius, style))
}

/// A message in the middle of an otherwise empty chart.
pub(super) fn message(area: &Area<'_>, s: &str) -> Drawn {
    let centre = (WIDTH as i32 / 2, HEIGHT as i32 / 2);
    rect(
        area,
        (24, 24),
        (WIDTH as i32 - 24, HEIGHT as i32 - 24),
        rgb("#F4F4F4"),
    )?;
    text(
        area,
        s,
        centre,
        Font::new(16.0, MUTED),
        HPos::Center,
        VPos::Center,
    )
}

/// A value axis from zero: its top value and the distance between ticks.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Scale {
    pub upper: f64,
    pub step: f64,
}

impl Scale {
    /// The smallest 1-2-5 step that covers `max` in at most five intervals, the axis
    /// ending at the first tick at or above `max`. Integer scales step by whole numbers.
    pub fn nice(max: f64, integer: bool) -> Scale {
        let max = if max.is_finite() && max > 0.0 {
            max
        } else {
            1.0
        };
        let raw = max / 5.0;
        let mut magnitude = 1.0;
        while magnitude * 10.0 <= raw {
            magnitude *= 10.0;
        }
        while magnitude > raw && magnitude > 1e-6 {
            magnitude /= 10.0;
        }
        let mut step = [1.0, 2.0, 5.0, 10.0]
            .into_iter()
            .map(|m| m * magnitude)
            .find(|s| *s >= raw)
            .unwrap_or(10.0 * magnitude);
        if integer {
            step = step.ceil().max(1.0);
        }
        let intervals = (max / step - 1e-9).ceil().max(1.0);
        Scale {
            upper: intervals * step,
            step,
        }
    }

    /// The tick values, from 0 to `upper`.
    pub fn ticks(&self) -> Vec<f64> {
        let n = (self.upper / self.step).round() as i64;
        (0..=n).map(|i| i as f64 * self.step).collect()
    }

    /// A tick label with just enough decimals for the step.
    pub fn label(&self, value: f64) -> String {
        if self.step >= 1.0 {
            format!("{value:.0}")
        } else if self.step >= 0.1 {
            format!("{value:.1}")
        } else {
            format!("{value:.2}")
        }
    }
}

/// The plot rectangle of a chart with vertical values and one slot per category.
pub(super) struct Frame {
    pub left: i32,
    pub top: i32,
    pub right: i32,
    pub bottom: i32,
    pub slots: usize,
    pub scale: Scale,
    /// The colour of the grid lines.
    pub grid: RGBColor,
}

pub(super) const TICK_FONT: Font = Font::new(12.0, MUTED);
pub(super) const AXIS_TITLE_FONT: Font = Font::new(12.0, INK);
pub(super) const VALUE_FONT: Font = Font::new(11.0, INK);

impl Frame {
    /// The left edge of the plot: room for the axis title and the widest tick label.
    pub fn left_for(scale: &Scale, label: impl Fn(f64) -> String) -> i32 {
        let widest = scale
            .ticks()
            .into_iter()
            .map(|v| TICK_FONT.width(&label(v)))
            .fold(0.0, f64::max);
        30 + widest.ceil() as i32 + 12
    }

    /// The vertical pixel of a value (clamped to the plot).
    pub fn y(&self, value: f64) -> i32 {
        let h = f64::from(self.bottom - self.top);
        let v = (value / self.scale.upper).clamp(0.0, 1.0);
        self.bottom - (v * h).round() as i32
    }

    pub fn slot_width(&self) -> f64 {
        f64::from(self.right - self.left) / self.slots.max(1) as f64
    }

    pub fn slot_centre(&self, i: usize) -> i32 {
        self.left + ((i as f64 + 0.5) * self.slot_width()).round() as i32
    }

    /// Grid lines and tick labels of the value axis, and the axis title.
    pub fn draw_value_axis(
        &self,
        area: &Area<'_>,
        title: &str,
        label: impl Fn(f64) -> String,
    ) -> Drawn {
        for value in self.scale.ticks() {
            let y = self.y(value);
            if value > 0.0 {
                rect(area, (self.left, y), (self.right, y + 1), self.grid)?;
            }
            rect(area, (self.left - 5, y), (self.left, y + 1), AXIS)?;
            text(
                area,
                &label(value),
                (self.left - 8, y),
                TICK_FONT,
                HPos::Right,
                VPos::Center,
            )?;
        }
        vertical_text(
            area,
            title,
            (14, (self.top + self.bottom) / 2),
            AXIS_TITLE_FONT,
        )
    }

    /// The zero line and the category labels under the slots.
    pub fn draw_category_axis(&self, area: &Area<'_>, labels: &[String]) -> Drawn {
        rect(
            area,
            (self.left, self.bottom),
            (self.right, self.bottom + 1),
            AXIS,
        )?;
        for (i, label) in labels.iter().enumerate() {
            text(
                area,
                label,
                (self.slot_centre(i), self.bottom + 8),
                TICK_FONT,
                HPos::Center,
                VPos::Top,
            )?;
        }
        Ok(())
    }
}

/// One legend entry: a colour swatch and its name.
pub(super) struct LegendItem<'s> {
    pub colour: RGBColor,
    pub name: &'s str,
}

pub(super) const LEGEND_FONT: Font = Font::new(12.0, INK);

/// The width a legend column needs.
pub(super) fn legend_width(items: &[LegendItem<'_>]) -> i32 {
    let widest = items
        .iter()
        .map(|i| LEGEND_FONT.width(i.name))
        .fold(0.0, f64::max);
    18 + widest.ceil() as i32
}

/// A legend column: entries top to bottom from `(x, y)`.
pub(super) fn legend(area: &Area<'_>, items: &[LegendItem<'_>], x: i32, y: i32) -> Drawn {
    for (i, item) in items.iter().enumerate() {
        let row = y + 22 * i as i32;
        rect(area, (x, row - 6), (x + 12, row + 6), item.colour)?;
        text(
            area,
            item.name,
            (x + 18, row),
            LEGEND_FONT,
            HPos::Left,
            VPos::Center,
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_scales() {
        assert_eq!(
            Scale::nice(23.0, true),
            Scale {
                upper: 25.0,
                step: 5.0
            }
        );
        assert_eq!(
            Scale::nice(10.0, true),
            Scale {
                upper: 10.0,
                step: 2.0
            }
        );
        assert_eq!(
            Scale::nice(3.0, true),
            Scale {
                upper: 3.0,
                step: 1.0
            }
        );
        assert_eq!(
            Scale::nice(0.0, true),
            Scale {
                upper: 1.0,
                step: 1.0
            }
        );
        assert_eq!(
            Scale::nice(223.2, false),
            Scale {
                upper: 250.0,
                step: 50.0
            }
        );
        assert_eq!(
            Scale::nice(2.2, false),
            Scale {
                upper: 2.5,
                step: 0.5
            }
        );
        assert_eq!(
            Scale::nice(9.0, true).ticks(),
            vec![0.0, 2.0, 4.0, 6.0, 8.0, 10.0]
        );
    }

    #[test]
    fn escapes_and_cleans() {
        assert_eq!(
            escape_xml("a<b & \"c\" 'd'>"),
            "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;"
        );
        assert_eq!(clean("a\u{0}b\nc"), "a b c");
        assert_eq!(rgb("#0072B2"), RGBColor(0x00, 0x72, 0xB2));
        let font = Font::new(11.0, INK);
        assert_eq!(fit("good", font, 100.0), "good");
        let long = fit("a very long band name that will not fit", font, 100.0);
        assert!(long.ends_with('…') && font.width(&long) <= 100.0, "{long}");
    }

    #[test]
    fn widths_follow_dejavu() {
        // "0" is 1303/2048 em.
        assert!((text_width("00", 2048.0) - 2606.0).abs() < 1e-9);
        assert!(text_width("post-deployment regressions", 12.0) > 150.0);
    }
}
