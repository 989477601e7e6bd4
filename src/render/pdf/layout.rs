//! Page layout of our own, independent of the PDF writer: greedy line breaking on measured
//! glyph advances, and a [`Flow`] that stacks blocks down pages (paragraphs, bullets,
//! panels, key-figure tiles, tables whose header row repeats after a page break, charts)
//! and stamps a footer on every page once the page count is known. It yields positioned
//! [`Item`]s in points, with y measured down from the top edge of the page.

use std::ops::Range;

use crate::narrative::{Figure, Table};

/// The two faces a document uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Weight {
    Regular,
    Bold,
}

/// An opaque sRGB colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    /// `0xRRGGBB`.
    pub const fn hex(v: u32) -> Rgb {
        Rgb((v >> 16) as u8, (v >> 8) as u8, v as u8)
    }
}

/// The colours of the HTML stylesheet.
pub mod colour {
    use super::Rgb;

    pub const INK: Rgb = Rgb::hex(0x1d2330);
    pub const MUTED: Rgb = Rgb::hex(0x5b6472);
    pub const LINE: Rgb = Rgb::hex(0xdde1e7);
    pub const ACCENT: Rgb = Rgb::hex(0x0072b2);
    pub const TILE: Rgb = Rgb::hex(0xf4f6f9);
    pub const CALLOUT: Rgb = Rgb::hex(0xfff7e0);
    pub const CALLOUT_BAR: Rgb = Rgb::hex(0xe69f00);
}

/// Text measurement, from the glyph advances of the faces that will be embedded.
pub trait Measure {
    /// The advance width of `text` in points.
    fn width(&self, text: &str, weight: Weight, size: f32) -> f32;
    /// How far glyphs reach above the baseline, as a fraction of the font size.
    fn ascent(&self) -> f32;
    /// How far glyphs reach below the baseline, as a positive fraction of the font size.
    fn descent(&self) -> f32;
}

/// A positioned primitive; y grows downwards from the top edge of the page.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    Text {
        x: f32,
        baseline: f32,
        size: f32,
        weight: Weight,
        colour: Rgb,
        text: String,
    },
    Rect {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        fill: Rgb,
        radius: f32,
    },
    Chart {
        id: String,
        x: f32,
        y: f32,
        w: f32,
        h: f32,
    },
}

/// Size, line height, face and colour of a run of text.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TextStyle {
    pub size: f32,
    pub leading: f32,
    pub weight: Weight,
    pub colour: Rgb,
}

impl TextStyle {
    pub fn with_weight(self, weight: Weight) -> TextStyle {
        TextStyle { weight, ..self }
    }
}

/// A piece of a paragraph in one face.
#[derive(Debug, Clone, PartialEq)]
pub struct Span {
    pub text: String,
    pub weight: Weight,
}

impl Span {
    pub fn new(text: impl Into<String>, weight: Weight) -> Span {
        Span {
            text: text.into(),
            weight,
        }
    }
}

/// A broken line: runs of text in one face each, and the width they take.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Line {
    pub runs: Vec<(Weight, String)>,
    pub width: f32,
}

impl Line {
    /// The line's text, faces ignored.
    pub fn text(&self) -> String {
        self.runs.iter().map(|(_, t)| t.as_str()).collect()
    }

    fn push(&mut self, weight: Weight, text: &str, width: f32) {
        match self.runs.last_mut() {
            Some((w, t)) if *w == weight => t.push_str(text),
            _ => self.runs.push((weight, text.to_string())),
        }
        self.width += width;
    }
}

/// A word and whether white space separates it from the one before.
struct Word {
    text: String,
    weight: Weight,
    spaced: bool,
}

/// Splits spans into words; `None` marks a forced line break (`\n`). A lone `%` joins
/// the number before it (`13.5 %` never breaks).
fn words(spans: &[Span]) -> Vec<Option<Word>> {
    let mut out: Vec<Option<Word>> = Vec::new();
    let mut spaced = false;
    for span in spans {
        for (i, part) in span.text.split('\n').enumerate() {
            if i > 0 {
                out.push(None);
                spaced = false;
            }
            let mut rest = part;
            while !rest.is_empty() {
                let Some(start) = rest.find(|c: char| c != ' ' && c != '\t') else {
                    spaced = true;
                    break;
                };
                spaced |= start > 0;
                rest = &rest[start..];
                let end = rest.find([' ', '\t']).unwrap_or(rest.len());
                let text = &rest[..end];
                match out.last_mut() {
                    Some(Some(previous))
                        if spaced && text.starts_with('%') && previous.weight == span.weight =>
                    {
                        previous.text.push(' ');
                        previous.text.push_str(text);
                    }
                    _ => out.push(Some(Word {
                        text: text.to_string(),
                        weight: span.weight,
                        spaced,
                    })),
                }
                spaced = false;
                rest = &rest[end..];
            }
        }
    }
    out
}

/// Breaks `spans` into lines no wider than `width` at `size` points: greedily at spaces,
/// and inside a word only when the word alone is wider than a line.
pub fn wrap(m: &impl Measure, spans: &[Span], size: f32, width: f32) -> Vec<Line> {
    let mut lines = Vec::new();
    let mut line = Line::default();
    for word in words(spans) {
        let Some(word) = word else {
            lines.push(std::mem::take(&mut line));
            continue;
        };
        let w = m.width(&word.text, word.weight, size);
        let gap = if word.spaced && !line.runs.is_empty() {
            m.width(" ", word.weight, size)
        } else {
            0.0
        };
        if !line.runs.is_empty() && line.width + gap + w > width {
            lines.push(std::mem::take(&mut line));
        } else if gap > 0.0 {
            line.push(word.weight, " ", gap);
        }
        if w <= width {
            line.push(word.weight, &word.text, w);
            continue;
        }
        // A word wider than a line: break it between characters.
        let mut piece = String::new();
        let mut piece_w = 0.0;
        for c in word.text.chars() {
            let cw = m.width(c.encode_utf8(&mut [0; 4]), word.weight, size);
            if line.width + piece_w + cw > width && !(piece.is_empty() && line.runs.is_empty()) {
                line.push(word.weight, &piece, piece_w);
                lines.push(std::mem::take(&mut line));
                piece.clear();
                piece_w = 0.0;
            }
            piece.push(c);
            piece_w += cw;
        }
        line.push(word.weight, &piece, piece_w);
    }
    if !line.runs.is_empty() {
        lines.push(line);
    }
    lines
}

/// [`wrap`] for text in one face, giving the lines' text.
pub fn wrap_plain(
    m: &impl Measure,
    text: &str,
    weight: Weight,
    size: f32,
    width: f32,
) -> Vec<String> {
    wrap(m, &[Span::new(text, weight)], size, width)
        .iter()
        .map(Line::text)
        .collect()
}

/// `text` cut short with an ellipsis so it is no wider than `width` (whole when it fits;
/// empty when not even the ellipsis does).
pub fn shorten(m: &impl Measure, text: &str, weight: Weight, size: f32, width: f32) -> String {
    if m.width(text, weight, size) <= width {
        return text.to_string();
    }
    let mut room = width - m.width("…", weight, size);
    if room < 0.0 {
        return String::new();
    }
    let mut kept = String::new();
    for c in text.chars() {
        room -= m.width(c.encode_utf8(&mut [0; 4]), weight, size);
        if room < 0.0 {
            break;
        }
        kept.push(c);
    }
    let mut out = kept.trim_end().to_string();
    out.push('…');
    out
}

/// Page size and margins, in points.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Frame {
    pub width: f32,
    pub height: f32,
    pub top: f32,
    pub bottom: f32,
    pub left: f32,
    pub right: f32,
}

impl Frame {
    pub fn content_width(&self) -> f32 {
        self.width - self.left - self.right
    }

    /// The y below which content must not reach (the footer lives there).
    pub fn limit(&self) -> f32 {
        self.height - self.bottom
    }
}

/// A tinted box behind text, with a coloured bar on its left (headline, callout).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Panel {
    pub fill: Rgb,
    pub bar: Rgb,
    pub bar_width: f32,
    pub pad_x: f32,
    pub pad_y: f32,
    /// Space between the panel's paragraphs.
    pub gap: f32,
}

/// How key figures are drawn as tiles.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TileStyle {
    pub label: TextStyle,
    pub value: TextStyle,
    pub detail: TextStyle,
    pub fill: Rgb,
    pub pad: f32,
    pub gap: f32,
    pub radius: f32,
    pub per_row: usize,
}

/// How tables are drawn.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TableStyle {
    pub text: TextStyle,
    pub pad_x: f32,
    pub pad_y: f32,
    pub header_fill: Rgb,
    pub rule: Rgb,
    pub rule_width: f32,
}

/// How a chart is sized: at most `max_width` wide at its own aspect ratio; with
/// `min_height` above zero it shrinks (down to that height) to fit the rest of a page.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChartBox {
    pub width: f32,
    pub height: f32,
    pub max_width: f32,
    pub min_height: f32,
    pub centred: bool,
    pub caption: TextStyle,
    pub caption_gap: f32,
}

/// Stacks blocks down pages, breaking to a new page where a block does not fit.
pub struct Flow<'m, M> {
    m: &'m M,
    frame: Frame,
    pages: Vec<Vec<Item>>,
    y: f32,
}

const EPSILON: f32 = 0.01;

impl<'m, M: Measure> Flow<'m, M> {
    pub fn new(m: &'m M, frame: Frame) -> Self {
        Flow::at(m, frame, frame.top)
    }

    /// A flow whose first page starts at `y` rather than at the top margin.
    fn at(m: &'m M, frame: Frame, y: f32) -> Self {
        Flow {
            m,
            frame,
            pages: vec![Vec::new()],
            y,
        }
    }

    pub fn frame(&self) -> Frame {
        self.frame
    }

    /// How far down the current page the next block starts.
    pub fn y(&self) -> f32 {
        self.y
    }

    pub fn page_count(&self) -> usize {
        self.pages.len()
    }

    /// Height left on the current page.
    pub fn remaining(&self) -> f32 {
        self.frame.limit() - self.y
    }

    fn at_top(&self) -> bool {
        self.y <= self.frame.top + EPSILON
    }

    pub fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = self.frame.top;
    }

    /// Starts a new page unless `height` fits on this one (or this one is still empty).
    pub fn keep(&mut self, height: f32) {
        if height > self.remaining() + EPSILON && !self.at_top() {
            self.new_page();
        }
    }

    /// Vertical space between blocks; none at the top of a page.
    pub fn space(&mut self, height: f32) {
        if !self.at_top() {
            self.y = (self.y + height).min(self.frame.limit());
        }
    }

    pub fn push(&mut self, item: Item) {
        self.pages
            .last_mut()
            .expect("a flow always has a page")
            .push(item);
    }

    /// The baseline of a line whose box of height `leading` starts at `top`.
    fn baseline(&self, top: f32, style: &TextStyle) -> f32 {
        let glyphs = (self.m.ascent() + self.m.descent()) * style.size;
        top + (style.leading - glyphs) / 2.0 + self.m.ascent() * style.size
    }

    fn line_at(&mut self, line: &Line, x: f32, top: f32, style: &TextStyle) {
        let baseline = self.baseline(top, style);
        let mut x = x;
        for (weight, text) in &line.runs {
            let w = self.m.width(text, *weight, style.size);
            if !text.trim().is_empty() {
                self.push(Item::Text {
                    x,
                    baseline,
                    size: style.size,
                    weight: *weight,
                    colour: style.colour,
                    text: text.clone(),
                });
            }
            x += w;
        }
    }

    /// A horizontal rule across the content width.
    pub fn rule(&mut self, colour: Rgb, thickness: f32) {
        let (x, w) = (self.frame.left, self.frame.content_width());
        let y = self.y;
        self.push(Item::Rect {
            x,
            y,
            w,
            h: thickness,
            fill: colour,
            radius: 0.0,
        });
        self.y += thickness;
    }

    /// A paragraph, indented by `indent`, flowing onto the next page line by line (never
    /// leaving a single first line at the bottom of a page).
    pub fn text(&mut self, spans: &[Span], style: &TextStyle, indent: f32) {
        let width = self.frame.content_width() - indent;
        let lines = wrap(self.m, spans, style.size, width);
        self.keep(style.leading * lines.len().min(2) as f32);
        for line in &lines {
            self.keep(style.leading);
            let (x, top) = (self.frame.left + indent, self.y);
            self.line_at(line, x, top, style);
            self.y += style.leading;
        }
    }

    /// A bulleted list; each item's lines hang at `indent`.
    pub fn bullets(&mut self, items: &[String], style: &TextStyle, indent: f32, gap: f32) {
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                self.space(gap);
            }
            let width = self.frame.content_width() - indent;
            let lines = wrap(
                self.m,
                &[Span::new(item.as_str(), style.weight)],
                style.size,
                width,
            );
            self.keep(style.leading * lines.len().min(2) as f32);
            for (j, line) in lines.iter().enumerate() {
                self.keep(style.leading);
                let top = self.y;
                if j == 0 {
                    let bullet = Line {
                        runs: vec![(style.weight, "•".into())],
                        width: 0.0,
                    };
                    let x = self.frame.left + indent * 0.35;
                    self.line_at(&bullet, x, top, style);
                }
                let x = self.frame.left + indent;
                self.line_at(line, x, top, style);
                self.y += style.leading;
            }
        }
    }

    /// Paragraphs in a tinted panel; kept on one page when they fit on one.
    pub fn panel(&mut self, paragraphs: &[Vec<Span>], style: &TextStyle, panel: &Panel) {
        let inner = self.frame.content_width() - panel.bar_width - 2.0 * panel.pad_x;
        // Each line with the space above it inside the panel.
        let mut lines: Vec<(f32, Line)> = Vec::new();
        for (i, spans) in paragraphs.iter().enumerate() {
            for (j, line) in wrap(self.m, spans, style.size, inner)
                .into_iter()
                .enumerate()
            {
                let above = if i > 0 && j == 0 { panel.gap } else { 0.0 };
                lines.push((above, line));
            }
        }
        let total: f32 = lines.iter().map(|(a, _)| a + style.leading).sum();
        self.keep(total + 2.0 * panel.pad_y);
        let mut rest = lines.as_slice();
        while !rest.is_empty() {
            let room = self.remaining() - 2.0 * panel.pad_y;
            let mut used = 0.0;
            let mut n = 0;
            for (above, _) in rest {
                let h = if n == 0 { 0.0 } else { *above } + style.leading;
                if n > 0 && used + h > room + EPSILON {
                    break;
                }
                used += h;
                n += 1;
            }
            if used > room + EPSILON && !self.at_top() {
                self.new_page();
                continue;
            }
            let (part, later) = rest.split_at(n);
            let height = used + 2.0 * panel.pad_y;
            let (x, y, w) = (self.frame.left, self.y, self.frame.content_width());
            self.push(Item::Rect {
                x,
                y,
                w,
                h: height,
                fill: panel.fill,
                radius: 0.0,
            });
            self.push(Item::Rect {
                x,
                y,
                w: panel.bar_width,
                h: height,
                fill: panel.bar,
                radius: 0.0,
            });
            let mut top = y + panel.pad_y;
            for (k, (above, line)) in part.iter().enumerate() {
                if k > 0 {
                    top += above;
                }
                self.line_at(line, x + panel.bar_width + panel.pad_x, top, style);
                top += style.leading;
            }
            self.y = y + height;
            rest = later;
            if !rest.is_empty() {
                self.new_page();
            }
        }
    }

    /// Key figures as tiles, `per_row` to a row: label, large value, detail.
    pub fn tiles(&mut self, figures: &[Figure], style: &TileStyle) {
        for (r, row) in figures.chunks(style.per_row.max(1)).enumerate() {
            if r > 0 {
                self.space(style.gap);
            }
            let n = row.len() as f32;
            let tile_w = (self.frame.content_width() - style.gap * (n - 1.0)) / n;
            let inner = tile_w - 2.0 * style.pad;
            let blocks: Vec<[(Vec<Line>, TextStyle); 3]> = row
                .iter()
                .map(|f| {
                    [
                        (&f.label, style.label),
                        (&f.value, style.value),
                        (&f.detail, style.detail),
                    ]
                    .map(|(text, st)| {
                        let spans = [Span::new(text.as_str(), st.weight)];
                        (wrap(self.m, &spans, st.size, inner), st)
                    })
                })
                .collect();
            // Labels, values and details each start at the same height in every tile.
            let mut rows = [0.0f32; 3];
            for block in &blocks {
                for (k, (lines, st)) in block.iter().enumerate() {
                    rows[k] = rows[k].max(lines.len() as f32 * st.leading);
                }
            }
            let height = rows.iter().sum::<f32>() + 2.0 * style.pad;
            self.keep(height);
            let y = self.y;
            for (i, block) in blocks.iter().enumerate() {
                let x = self.frame.left + i as f32 * (tile_w + style.gap);
                self.push(Item::Rect {
                    x,
                    y,
                    w: tile_w,
                    h: height,
                    fill: style.fill,
                    radius: style.radius,
                });
                let mut top = y + style.pad;
                for ((lines, st), row) in block.iter().zip(rows) {
                    let mut line_top = top;
                    for line in lines {
                        self.line_at(line, x + style.pad, line_top, st);
                        line_top += st.leading;
                    }
                    top += row;
                }
            }
            self.y = y + height;
        }
    }

    /// A table across the content width. Rows never split unless one is taller than a
    /// whole page; after every page break the header row is drawn again.
    pub fn table(&mut self, table: &Table, style: &TableStyle) {
        let grid = Grid::new(self.m, table, style, self.frame.content_width());
        let header_h = grid.height(&grid.header) + style.rule_width;
        let first_h = grid.rows.first().map_or(0.0, |r| grid.height(r));
        self.keep(header_h + first_h);
        self.grid_row(&grid, &grid.header, 0..usize::MAX, true);
        for (i, row) in grid.rows.iter().enumerate() {
            let last = i + 1 == grid.rows.len();
            let lines = row.iter().map(Vec::len).max().unwrap_or(0).max(1);
            let mut from = 0;
            while from < lines {
                let fresh = (self.y - (self.frame.top + header_h)).abs() < EPSILON;
                let room = self.remaining() - 2.0 * style.pad_y - style.rule_width;
                let fit = ((room + EPSILON) / style.text.leading).floor().max(0.0) as usize;
                if fit < lines - from && !fresh {
                    self.new_page();
                    self.grid_row(&grid, &grid.header, 0..usize::MAX, true);
                    continue;
                }
                // Only a row taller than a page is cut, at a line, and continued.
                let to = if fit >= lines - from {
                    lines
                } else {
                    from + fit.max(1)
                };
                self.grid_row(&grid, row, from..to, false);
                if !last || to < lines {
                    self.grid_rule(&grid);
                }
                from = to;
                if from < lines {
                    self.new_page();
                    self.grid_row(&grid, &grid.header, 0..usize::MAX, true);
                }
            }
        }
    }

    /// Draws the `lines` of a row's cells at the current position (a header row on its
    /// tint, with the rule under it).
    fn grid_row(&mut self, grid: &Grid, cells: &[Vec<Line>], lines: Range<usize>, header: bool) {
        let style = grid.style;
        let count = cells
            .iter()
            .map(|c| c.len().min(lines.end).saturating_sub(lines.start))
            .max()
            .unwrap_or(0)
            .max(1);
        let h = count as f32 * style.text.leading + 2.0 * style.pad_y;
        let (left, y) = (self.frame.left, self.y);
        let text = if header {
            self.push(Item::Rect {
                x: left,
                y,
                w: grid.widths.iter().sum(),
                h,
                fill: style.header_fill,
                radius: 0.0,
            });
            style.text.with_weight(Weight::Bold)
        } else {
            style.text
        };
        let mut x = left;
        for ((cell, w), numeric) in cells.iter().zip(&grid.widths).zip(&grid.numeric) {
            let mut top = y + style.pad_y;
            for line in cell.iter().take(lines.end).skip(lines.start) {
                let lx = if *numeric {
                    x + w - style.pad_x - line.width
                } else {
                    x + style.pad_x
                };
                self.line_at(line, lx, top, &text);
                top += style.text.leading;
            }
            x += w;
        }
        self.y = y + h;
        if header {
            self.grid_rule(grid);
        }
    }

    fn grid_rule(&mut self, grid: &Grid) {
        let (x, y) = (self.frame.left, self.y);
        self.push(Item::Rect {
            x,
            y,
            w: grid.widths.iter().sum(),
            h: grid.style.rule_width,
            fill: grid.style.rule,
            radius: 0.0,
        });
        self.y += grid.style.rule_width;
    }

    /// A chart with its caption below it.
    pub fn chart(&mut self, id: &str, caption: &str, b: &ChartBox) {
        let content = self.frame.content_width();
        let caption_lines = wrap_plain(self.m, caption, b.caption.weight, b.caption.size, content);
        let caption_h = caption_lines.len() as f32 * b.caption.leading + b.caption_gap;
        let mut w = content.min(b.max_width);
        let mut h = w * b.height / b.width;
        if h + caption_h > self.remaining() {
            let shrunk = self.remaining() - caption_h;
            if b.min_height > 0.0 && shrunk >= b.min_height {
                h = shrunk;
                w = h * b.width / b.height;
            } else {
                self.new_page();
                if b.min_height > 0.0 && h + caption_h > self.remaining() {
                    h = (self.remaining() - caption_h).max(b.min_height);
                    w = h * b.width / b.height;
                }
            }
        }
        let x = if b.centred {
            self.frame.left + (content - w) / 2.0
        } else {
            self.frame.left
        };
        let y = self.y;
        self.push(Item::Chart {
            id: id.to_string(),
            x,
            y,
            w,
            h,
        });
        self.y += h + b.caption_gap;
        for line in caption_lines {
            let top = self.y;
            let line = Line {
                runs: vec![(b.caption.weight, line)],
                width: 0.0,
            };
            self.line_at(&line, x, top, &b.caption);
            self.y += b.caption.leading;
        }
    }

    /// Two columns side by side from here, `share` of the width on the left. Whatever
    /// overflows a column continues on the following pages.
    pub fn columns(
        &mut self,
        share: f32,
        gap: f32,
        left: impl FnOnce(&mut Flow<'m, M>),
        right: impl FnOnce(&mut Flow<'m, M>),
    ) {
        let left_width = (self.frame.content_width() - gap) * share;
        let left_frame = Frame {
            right: self.frame.width - self.frame.left - left_width,
            ..self.frame
        };
        let right_frame = Frame {
            left: self.frame.left + left_width + gap,
            ..self.frame
        };
        let mut a = Flow::at(self.m, left_frame, self.y);
        left(&mut a);
        let mut b = Flow::at(self.m, right_frame, self.y);
        right(&mut b);
        let last = a.pages.len().max(b.pages.len());
        let y = [&a, &b]
            .iter()
            .filter(|f| f.pages.len() == last)
            .map(|f| f.y)
            .fold(self.frame.top, f32::max);
        let first = self.pages.len() - 1;
        for column in [a.pages, b.pages] {
            for (i, items) in column.into_iter().enumerate() {
                if first + i == self.pages.len() {
                    self.pages.push(Vec::new());
                }
                self.pages[first + i].extend(items);
            }
        }
        self.y = y;
    }

    /// The pages, each with the items `footer(page, pages)` adds (pages count from 1).
    pub fn finish(self, footer: impl Fn(usize, usize) -> Vec<Item>) -> Vec<Vec<Item>> {
        with_footers(self.pages, footer)
    }

    /// The pages as they are, for callers that join several flows.
    pub fn into_pages(self) -> Vec<Vec<Item>> {
        self.pages
    }
}

/// Adds `footer(page, pages)` to every page (pages count from 1).
pub fn with_footers(
    pages: Vec<Vec<Item>>,
    footer: impl Fn(usize, usize) -> Vec<Item>,
) -> Vec<Vec<Item>> {
    let total = pages.len();
    pages
        .into_iter()
        .enumerate()
        .map(|(i, mut items)| {
            items.extend(footer(i + 1, total));
            items
        })
        .collect()
}

/// A table ready to draw: column widths and alignment, and every cell broken into lines.
struct Grid<'s> {
    style: &'s TableStyle,
    widths: Vec<f32>,
    numeric: Vec<bool>,
    header: Vec<Vec<Line>>,
    rows: Vec<Vec<Vec<Line>>>,
}

impl<'s> Grid<'s> {
    fn new(m: &impl Measure, table: &Table, style: &'s TableStyle, width: f32) -> Grid<'s> {
        let widths = column_widths(m, table, style, width);
        let cells = |texts: &mut dyn Iterator<Item = &String>, weight: Weight| -> Vec<Vec<Line>> {
            texts
                .zip(&widths)
                .map(|(t, w)| {
                    let spans = [Span::new(t.as_str(), weight)];
                    // A column as wide as its longest word keeps it whole despite rounding.
                    wrap(m, &spans, style.text.size, w - 2.0 * style.pad_x + EPSILON)
                })
                .collect()
        };
        let header = cells(&mut table.columns.iter().map(|c| &c.title), Weight::Bold);
        let rows = table
            .rows
            .iter()
            .map(|r| cells(&mut r.iter(), Weight::Regular))
            .collect();
        Grid {
            style,
            numeric: table.columns.iter().map(|c| c.numeric).collect(),
            widths,
            header,
            rows,
        }
    }

    /// The height of a whole row.
    fn height(&self, row: &[Vec<Line>]) -> f32 {
        let lines = row.iter().map(Vec::len).max().unwrap_or(0).max(1);
        lines as f32 * self.style.text.leading + 2.0 * self.style.pad_y
    }
}

/// Column widths filling `available`. Every column gets its natural (unwrapped) width
/// when they all fit, with the slack shared out. Otherwise each column is as wide as a
/// common level allows, between what it keeps and its natural width: the first
/// column's and numeric columns' cells do not wrap (as in the HTML), and every other
/// cell and header keeps its longest word. When even that does not fit, the columns
/// that keep the most give way first, one at a time until the rest fits: a first
/// column's cells wrap at spaces, then a column's long words (a URL in a title) break
/// between characters, so short columns (ids, numbers, one-word headers) stay whole.
pub fn column_widths(
    m: &impl Measure,
    table: &Table,
    style: &TableStyle,
    available: f32,
) -> Vec<f32> {
    let size = style.text.size;
    let pad = 2.0 * style.pad_x;
    let n = table.columns.len();
    let mut natural = vec![0.0f32; n];
    let mut longest_word = vec![0.0f32; n];
    let mut keep = vec![0.0f32; n];
    let mut measure = |i: usize, text: &str, weight: Weight, whole: bool| {
        let spans = [Span::new(text, weight)];
        let width = wrap(m, &spans, size, f32::INFINITY)
            .iter()
            .map(|l| l.width)
            .fold(0.0, f32::max);
        let word = words(&spans)
            .iter()
            .flatten()
            .map(|w| m.width(&w.text, w.weight, size))
            .fold(0.0, f32::max);
        natural[i] = natural[i].max(width + pad);
        longest_word[i] = longest_word[i].max(word + pad);
        keep[i] = keep[i].max(if whole { width } else { word } + pad);
    };
    for (i, c) in table.columns.iter().enumerate() {
        measure(i, &c.title, Weight::Bold, false);
    }
    for row in &table.rows {
        for (i, cell) in row.iter().enumerate().take(n) {
            let whole = i == 0 || table.columns[i].numeric;
            measure(i, cell, Weight::Regular, whole);
        }
    }
    let total: f32 = natural.iter().sum();
    if total <= 0.0 || available <= 0.0 {
        return natural;
    }
    if total <= available {
        return natural.iter().map(|w| w * available / total).collect();
    }
    // A column whose words break is still given a few characters' width.
    let least = vec![pad + 4.0 * size; n];
    for floor in [&longest_word, &least] {
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|&a, &b| keep[b].total_cmp(&keep[a]));
        for i in order {
            if keep.iter().sum::<f32>() <= available {
                break;
            }
            keep[i] = keep[i].min(floor[i]);
        }
    }
    if keep.iter().sum::<f32>() > available {
        let cap = level(available, &vec![0.0; n], &keep);
        keep.iter_mut().for_each(|k| *k = k.min(cap));
    }
    let at = level(available, &keep, &natural);
    keep.iter()
        .zip(&natural)
        .map(|(&lo, &hi)| at.clamp(lo, hi.max(lo)))
        .collect()
}

/// The level `x` at which the columns' widths, each `x` held between `lo` and `hi`, add
/// up to `target` (the widest of the `hi` when even they fall short).
fn level(target: f32, lo: &[f32], hi: &[f32]) -> f32 {
    let sum = |x: f32| -> f32 { lo.iter().zip(hi).map(|(&l, &h)| x.clamp(l, h.max(l))).sum() };
    let mut points: Vec<f32> = lo.iter().chain(hi).copied().collect();
    points.sort_by(f32::total_cmp);
    let (mut from, mut below) = (0.0, sum(0.0));
    for to in points {
        let above = sum(to);
        if above >= target {
            if above <= below {
                return to;
            }
            return from + (target - below) * (to - from) / (above - below);
        }
        (from, below) = (to, above);
    }
    from
}

/// Test support: the box each text item covers on a page (left, right, top, bottom,
/// text), measured with `m`.
#[cfg(test)]
pub(super) fn text_boxes<'a>(
    m: &impl Measure,
    items: &'a [Item],
) -> Vec<(f32, f32, f32, f32, &'a str)> {
    items
        .iter()
        .filter_map(|i| match i {
            Item::Text {
                x,
                baseline,
                size,
                weight,
                text,
                ..
            } => Some((
                *x,
                x + m.width(text, *weight, *size),
                baseline - m.ascent() * size,
                baseline + m.descent() * size,
                text.as_str(),
            )),
            _ => None,
        })
        .collect()
}

/// Test support: no two of `boxes` overlap (touching edges are allowed); `context`
/// starts the failure message.
#[cfg(test)]
pub(super) fn assert_boxes_apart(boxes: &[(f32, f32, f32, f32, &str)], context: &str) {
    for (i, a) in boxes.iter().enumerate() {
        for b in &boxes[i + 1..] {
            let apart =
                a.1 <= b.0 + 0.01 || b.1 <= a.0 + 0.01 || a.3 <= b.2 + 0.01 || b.3 <= a.2 + 0.01;
            assert!(apart, "{context}{:?} overlaps {:?}", a.4, b.4);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::narrative::Table;

    /// Every character is half an em wide; glyphs reach 0.8 em up and 0.2 em down.
    struct Mono;

    impl Measure for Mono {
        fn width(&self, text: &str, _: Weight, size: f32) -> f32 {
            text.chars().count() as f32 * size * 0.5
        }
        fn ascent(&self) -> f32 {
            0.8
        }
        fn descent(&self) -> f32 {
            0.2
        }
    }

    /// The top and bottom edge of what an item covers (text: its glyph box).
    fn extent(item: &Item) -> (f32, f32) {
        match item {
            Item::Text { baseline, size, .. } => (
                baseline - Mono.ascent() * size,
                baseline + Mono.descent() * size,
            ),
            Item::Rect { y, h, .. } | Item::Chart { y, h, .. } => (*y, y + h),
        }
    }

    /// Wraps at 10 pt, where each character is 5 pt wide.
    fn lines(text: &str, chars: usize) -> Vec<String> {
        wrap_plain(&Mono, text, Weight::Regular, 10.0, chars as f32 * 5.0)
    }

    #[test]
    fn breaks_at_spaces_greedily() {
        assert_eq!(
            lines("the quick brown fox jumps over the lazy dog", 15),
            ["the quick brown", "fox jumps over", "the lazy dog"]
        );
        assert_eq!(lines("exactly fits", 12), ["exactly fits"]);
        assert_eq!(lines("exactly fits", 11), ["exactly", "fits"]);
    }

    #[test]
    fn collapses_runs_of_spaces_and_ignores_edges() {
        assert_eq!(lines("  a   b  ", 20), ["a b"]);
        assert!(lines("", 10).is_empty());
        assert!(lines("   ", 10).is_empty());
    }

    #[test]
    fn splits_words_longer_than_a_line() {
        assert_eq!(
            lines("see /work/samples/problems.csv now", 10),
            ["see", "/work/samp", "les/proble", "ms.csv now"]
        );
    }

    #[test]
    fn keeps_percent_signs_with_their_number() {
        assert_eq!(lines("a rate of 13.5 %", 14), ["a rate of", "13.5 %"]);
        assert_eq!(lines("from 10 % to 20 %);", 12), ["from 10 % to", "20 %);"]);
    }

    #[test]
    fn honours_newlines_and_mixed_faces() {
        let spans = [
            Span::new("Few problems:", Weight::Bold),
            Span::new(" rates are rough\nread them so", Weight::Regular),
        ];
        let out = wrap(&Mono, &spans, 10.0, 150.0);
        assert_eq!(out.len(), 2);
        assert_eq!(
            out[0].runs,
            [
                (Weight::Bold, "Few problems:".to_string()),
                (Weight::Regular, " rates are rough".to_string())
            ]
        );
        assert_eq!(out[0].width, 29.0 * 5.0);
        assert_eq!(out[1].text(), "read them so");
    }

    #[test]
    fn measures_non_ascii_by_characters_not_bytes() {
        assert_eq!(
            lines("Zürich — 5 € naïve café", 12),
            ["Zürich — 5 €", "naïve café"]
        );
    }

    #[test]
    fn real_fonts_wrap_within_the_width() {
        let fonts = super::super::fonts::Fonts::load().unwrap();
        let text = "The infrastructure problems were the most expensive (about 123 hours, 55.9 % of the cost).";
        for width in [80.0, 150.0, 300.0] {
            let out = wrap(fonts, &[Span::new(text, Weight::Regular)], 10.0, width);
            assert!(out.iter().all(|l| l.width <= width + 0.01), "{out:?}");
            let joined: Vec<String> = out.iter().map(Line::text).collect();
            assert_eq!(joined.join(" "), text);
        }
        assert!(fonts.width("W", Weight::Bold, 10.0) > fonts.width("i", Weight::Regular, 10.0));
    }

    #[test]
    fn shortens_text_with_an_ellipsis_to_fit() {
        let cut = |text: &str, chars: usize| {
            shorten(&Mono, text, Weight::Regular, 10.0, chars as f32 * 5.0)
        };
        assert_eq!(cut("fits exactly", 12), "fits exactly");
        assert_eq!(cut("Sprint 42 – Zürich, Wien", 12), "Sprint 42 –…");
        assert_eq!(cut("Sprint 42 – Zürich, Wien", 11), "Sprint 42…");
        assert_eq!(cut("Zürich", 1), "…");
        assert_eq!(cut("Zürich", 0), "");
    }

    fn frame() -> Frame {
        Frame {
            width: 400.0,
            height: 600.0,
            top: 50.0,
            bottom: 60.0,
            left: 40.0,
            right: 40.0,
        }
    }

    fn table_style() -> TableStyle {
        TableStyle {
            text: TextStyle {
                size: 8.0,
                leading: 10.0,
                weight: Weight::Regular,
                colour: colour::INK,
            },
            pad_x: 4.0,
            pad_y: 3.0,
            header_fill: colour::TILE,
            rule: colour::LINE,
            rule_width: 0.5,
        }
    }

    fn big_table(rows: usize) -> Table {
        let mut table = Table::new(&[("Id", false), ("Title", false), ("Hours", true)]);
        for i in 0..rows {
            let title = if i % 7 == 0 {
                format!("Problem {i} with a title long enough to wrap onto a second line here")
            } else {
                format!("Problem {i}")
            };
            table
                .rows
                .push(vec![format!("P-{i}"), title, format!("{i}.5")]);
        }
        table
    }

    fn texts(page: &[Item]) -> Vec<&str> {
        page.iter()
            .filter_map(|i| match i {
                Item::Text { text, .. } => Some(text.as_str()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn a_long_table_repeats_its_header_on_every_page() {
        let table = big_table(300);
        let mut flow = Flow::new(&Mono, frame());
        flow.text(
            &[Span::new("Before the table.", Weight::Regular)],
            &table_style().text,
            0.0,
        );
        flow.table(&table, &table_style());
        flow.text(
            &[Span::new("After the table.", Weight::Regular)],
            &table_style().text,
            0.0,
        );
        let pages = flow.finish(|_, _| Vec::new());
        assert!(pages.len() >= 5, "{} pages", pages.len());
        let mut seen = Vec::new();
        for page in &pages {
            let t = texts(page);
            let header = t
                .iter()
                .position(|s| *s == "Id")
                .expect("header on every page");
            assert_eq!(&t[header..header + 3], ["Id", "Title", "Hours"]);
            seen.extend(
                t.iter()
                    .filter(|s| s.starts_with("P-"))
                    .map(|s| s.to_string()),
            );
        }
        let expected: Vec<String> = (0..300).map(|i| format!("P-{i}")).collect();
        assert_eq!(seen, expected, "every row once, in order");
        assert_eq!(
            texts(pages.last().unwrap()).last(),
            Some(&"After the table.")
        );
    }

    #[test]
    fn table_rows_stay_whole_and_inside_the_page() {
        let table = big_table(300);
        let f = frame();
        let mut flow = Flow::new(&Mono, f);
        flow.table(&table, &table_style());
        flow.text(
            &[Span::new("After.", Weight::Regular)],
            &table_style().text,
            0.0,
        );
        for page in flow.finish(|_, _| Vec::new()) {
            let mut previous_bottom = 0.0;
            for item in &page {
                let (top, bottom) = extent(item);
                assert!(
                    top >= f.top - 0.01 && bottom <= f.limit() + 0.01,
                    "{item:?}"
                );
                if let Item::Text { text, .. } = item {
                    // A wrapped title's second line belongs to its row: rows are whole
                    // when each row id's page also holds its title's last words.
                    if text.starts_with("P-") {
                        assert!(top >= previous_bottom - 3.1, "{item:?} overlaps");
                    }
                    previous_bottom = previous_bottom.max(bottom);
                }
            }
            let t = texts(&page);
            for (i, s) in t.iter().enumerate() {
                if s.starts_with("Problem") && s.ends_with("title long enough") {
                    assert!(
                        t[i + 1..].iter().any(|n| n.starts_with("to wrap")),
                        "row split: {s}"
                    );
                }
            }
        }
    }

    #[test]
    fn a_row_taller_than_a_page_is_split_rather_than_overflowing() {
        let mut table = Table::new(&[("Id", false), ("Title", false)]);
        table.rows.push(vec!["P-1".into(), "word ".repeat(4000)]);
        let f = frame();
        let mut flow = Flow::new(&Mono, f);
        flow.table(&table, &table_style());
        let pages = flow.finish(|_, _| Vec::new());
        assert!(pages.len() > 1);
        for page in &pages {
            assert_eq!(texts(page)[..2], ["Id", "Title"]);
            for item in page {
                assert!(extent(item).1 <= f.limit() + 0.01);
            }
        }
    }

    #[test]
    fn column_widths_fill_the_width_and_keep_numbers_whole() {
        let table = big_table(20);
        let style = table_style();
        let widths = column_widths(&Mono, &table, &style, 320.0);
        assert!(
            (widths.iter().sum::<f32>() - 320.0).abs() < 0.01,
            "{widths:?}"
        );
        assert!(widths[2] >= Mono.width("Hours", Weight::Bold, 8.0) + 8.0);
        assert!(widths[0] >= Mono.width("P-19", Weight::Regular, 8.0) + 8.0);
        let narrow = Table {
            rows: vec![vec!["1".into(), "2".into(), "3".into()]],
            ..table
        };
        let widths = column_widths(&Mono, &narrow, &style, 320.0);
        assert!((widths.iter().sum::<f32>() - 320.0).abs() < 0.01);
    }

    /// A sprint-style table whose first title holds one unbroken token of `len` characters.
    fn long_token_table(len: usize) -> Table {
        let mut table = Table::new(&[
            ("Id", false),
            ("Title", false),
            ("Type", false),
            ("Severity", false),
            ("Hours", true),
        ]);
        let url = format!("https://shop.example.com/{}", "x".repeat(len));
        table.rows.push(vec![
            "L1".into(),
            format!("500 from {url}"),
            "Code defect".into(),
            "P1".into(),
            "5.0".into(),
        ]);
        table.rows.push(vec![
            "L2".into(),
            "Short one".into(),
            "Infrastructure problem".into(),
            "P2".into(),
            "4.0".into(),
        ]);
        table
    }

    /// Every text item of a table drawn across the frame: its column (by where it
    /// starts), and whether it lies between that column's paddings.
    fn assert_cells_fit(m: &impl Measure, table: &Table, style: &TableStyle, f: Frame) {
        let widths = column_widths(m, table, style, f.content_width());
        assert!(
            (widths.iter().sum::<f32>() - f.content_width()).abs() < 0.01,
            "{widths:?}"
        );
        let mut flow = Flow::new(m, f);
        flow.table(table, style);
        let edges: Vec<f32> = widths
            .iter()
            .scan(f.left, |x, w| {
                *x += w;
                Some(*x)
            })
            .collect();
        for page in flow.finish(|_, _| Vec::new()) {
            let boxes = text_boxes(m, &page);
            for &(x0, x1, _, _, text) in &boxes {
                let col = edges
                    .iter()
                    .position(|&e| x0 < e)
                    .expect("inside the table");
                let start = if col == 0 { f.left } else { edges[col - 1] };
                assert!(
                    x0 >= start + style.pad_x - 0.02 && x1 <= edges[col] - style.pad_x + 0.02,
                    "{text:?} ({x0}..{x1}) leaves column {col} ({start}..{})",
                    edges[col]
                );
            }
            assert_boxes_apart(&boxes, "");
        }
    }

    #[test]
    fn a_long_token_breaks_in_its_own_column_and_short_columns_stay_whole() {
        let style = table_style();
        for len in [90, 250, 1000] {
            let table = long_token_table(len);
            assert_cells_fit(&Mono, &table, &style, frame());
            let mut flow = Flow::new(&Mono, frame());
            flow.table(&table, &style);
            let pages = flow.finish(|_, _| Vec::new());
            let t = texts(&pages[0]);
            for whole in [
                "Id", "Title", "Type", "Severity", "Hours", "L1", "5.0", "P2",
            ] {
                assert!(t.contains(&whole), "{len}: {whole:?} broken: {t:?}");
            }
            assert!(
                t.iter().any(|s| s.starts_with("Infrastructure")),
                "{len}: {t:?}"
            );
        }
    }

    #[test]
    fn real_fonts_keep_long_tokens_inside_their_cells() {
        let fonts = super::super::fonts::Fonts::load().unwrap();
        let style = table_style();
        // A4 and a narrow column of a slide.
        for (left, right) in [(56.0, 56.0), (40.0, 200.0)] {
            let f = Frame {
                left,
                right,
                ..frame()
            };
            for len in [0, 90, 250] {
                assert_cells_fit(fonts, &long_token_table(len), &style, f);
            }
            assert_cells_fit(fonts, &big_table(40), &style, f);
        }
    }

    #[test]
    fn numeric_headers_wrap_at_spaces_rather_than_inside_words() {
        let mut table = Table::new(&[
            ("Type", false),
            ("Resolve: median h", true),
            ("Resolve: 90th pct. h", true),
            ("Detect: median h", true),
            ("Detect: 90th pct. h", true),
        ]);
        table.rows.push(vec![
            "Infrastructure problems".into(),
            "12.5".into(),
            "140.0".into(),
            "3.0".into(),
            "1,024.0".into(),
        ]);
        let f = Frame {
            right: 90.0,
            ..frame()
        };
        assert_cells_fit(&Mono, &table, &table_style(), f);
        let mut flow = Flow::new(&Mono, f);
        flow.table(&table, &table_style());
        let pages = flow.finish(|_, _| Vec::new());
        let t = texts(&pages[0]);
        for whole in ["Infrastructure problems", "Resolve:", "Detect:", "1,024.0"] {
            assert!(t.contains(&whole), "{whole:?} broken: {t:?}");
        }
    }

    #[test]
    fn headings_and_panels_stay_on_one_page_when_they_fit() {
        let style = table_style().text;
        let panel = Panel {
            fill: colour::TILE,
            bar: colour::ACCENT,
            bar_width: 3.0,
            pad_x: 6.0,
            pad_y: 6.0,
            gap: 2.0,
        };
        let mut flow = Flow::new(&Mono, frame());
        while flow.remaining() > 30.0 {
            flow.text(&[Span::new("filler", Weight::Regular)], &style, 0.0);
        }
        flow.panel(&[vec![Span::new("one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen", Weight::Regular)]], &style, &panel);
        assert_eq!(flow.page_count(), 2);
        let pages = flow.finish(|_, _| Vec::new());
        assert!(texts(&pages[1]).iter().any(|t| t.starts_with("one two")));
    }

    #[test]
    fn every_page_gets_its_footer_with_the_page_count() {
        let mut flow = Flow::new(&Mono, frame());
        for _ in 0..3 {
            flow.text(&[Span::new("x", Weight::Regular)], &table_style().text, 0.0);
            flow.new_page();
        }
        let pages = flow.finish(|n, of| {
            vec![Item::Text {
                x: 0.0,
                baseline: 590.0,
                size: 7.0,
                weight: Weight::Regular,
                colour: colour::MUTED,
                text: format!("page {n} of {of}"),
            }]
        });
        let footers: Vec<&str> = pages.iter().map(|p| *texts(p).last().unwrap()).collect();
        assert_eq!(
            footers,
            ["page 1 of 4", "page 2 of 4", "page 3 of 4", "page 4 of 4"]
        );
    }

    #[test]
    fn tiles_share_a_row_and_have_equal_heights() {
        let figures: Vec<Figure> = (0..4)
            .map(|i| Figure {
                label: format!("Label {i}"),
                value: format!("{i}0 %"),
                detail: if i == 2 {
                    "a detail long enough to wrap over lines".into()
                } else {
                    "short".into()
                },
            })
            .collect();
        let text = table_style().text;
        let style = TileStyle {
            label: text,
            value: text.with_weight(Weight::Bold),
            detail: text,
            fill: colour::TILE,
            pad: 6.0,
            gap: 8.0,
            radius: 4.0,
            per_row: 4,
        };
        let mut flow = Flow::new(&Mono, frame());
        flow.tiles(&figures, &style);
        let pages = flow.finish(|_, _| Vec::new());
        let rects: Vec<(f32, f32, f32)> = pages[0]
            .iter()
            .filter_map(|i| match i {
                Item::Rect { x, y, h, .. } => Some((*x, *y, *h)),
                _ => None,
            })
            .collect();
        assert_eq!(rects.len(), 4);
        assert!(rects.iter().all(|r| r.1 == rects[0].1 && r.2 == rects[0].2));
        assert!(rects.windows(2).all(|w| w[1].0 > w[0].0));
    }
}
