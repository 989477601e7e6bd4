//! Laid-out pages → a printpdf document → bytes. Resource names are fixed (no random
//! ids), fonts are subset to the characters drawn, and the file identifier is a hash of
//! the content, so the same pages always give the same bytes.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{anyhow, bail, Result};
use printpdf::{
    Color, FontId, LinePoint, OffsetDateTime, Op, PaintMode, PdfDocument, PdfFont, PdfFontHandle,
    PdfPage, PdfParseErrorSeverity, PdfSaveOptions, Point, Polygon, PolygonRing, Pt, Rect,
    TextItem, TextMatrix, WindingOrder, XObject, XObjectId, XObjectTransform,
};

use super::chart::ChartConverter;
use super::fonts::{drawn, Fonts};
use super::layout::{Item, Rgb, Weight};
use crate::charts::Chart;

/// Pages of one size, as laid out.
pub struct Pages {
    pub width: f32,
    pub height: f32,
    pub pages: Vec<Vec<Item>>,
}

/// What the document says about itself.
pub struct Metadata<'a> {
    pub title: &'a str,
    pub subject: &'a str,
    pub keywords: Vec<String>,
    /// Unix seconds.
    pub created: i64,
}

/// Fixed resource names, so content streams never depend on printpdf's random ids.
fn font_id(weight: Weight) -> FontId {
    FontId(match weight {
        Weight::Regular => "ERSREG".into(),
        Weight::Bold => "ERSBLD".into(),
    })
}

/// Writes the pages with the embedded fonts and the charts they place.
pub fn write(
    pages: &Pages,
    charts: &[Chart],
    fonts: &Fonts,
    meta: &Metadata<'_>,
) -> Result<Vec<u8>> {
    let mut doc = PdfDocument::new(meta.title);

    let mut used: BTreeMap<Weight, BTreeSet<char>> = BTreeMap::new();
    let mut chart_ids: Vec<&str> = Vec::new();
    for item in pages.pages.iter().flatten() {
        match item {
            Item::Text { weight, text, .. } => {
                used.entry(*weight).or_default().extend(drawn(text).chars())
            }
            Item::Chart { id, .. } if !chart_ids.contains(&id.as_str()) => chart_ids.push(id),
            _ => {}
        }
    }
    for (weight, chars) in &used {
        let font = fonts.face(*weight).subset(chars)?;
        doc.resources
            .fonts
            .map
            .insert(font_id(*weight), PdfFont::new(font));
    }
    let converter = ChartConverter::new(fonts);
    let mut xobjects = BTreeMap::new();
    for (i, id) in chart_ids.iter().enumerate() {
        let chart = charts
            .iter()
            .find(|c| c.id == *id)
            .ok_or_else(|| anyhow!("the layout places a chart `{id}` that was not given"))?;
        let name = XObjectId(format!("Chart{}", i + 1));
        let form = converter.convert(&chart.svg)?;
        doc.resources
            .xobjects
            .map
            .insert(name.clone(), XObject::External(form));
        xobjects.insert(*id, name);
    }

    let pdf_pages = pages
        .pages
        .iter()
        .map(|items| {
            // Exact point sizes (`PdfPage::new` goes through millimetres).
            let bounds = Rect::from_wh(Pt(pages.width), Pt(pages.height));
            PdfPage {
                media_box: bounds.clone(),
                trim_box: bounds.clone(),
                crop_box: bounds,
                ops: ops(items, pages.height, &xobjects),
            }
        })
        .collect();
    doc.with_pages(pdf_pages);

    // PDF dates have four-digit years: a period at the edge of the calendar (9999-Q4,
    // whose next day is in year 10000) or a far SOURCE_DATE_EPOCH is brought inside.
    const FIRST: i64 = -62_135_596_800; // 0001-01-01T00:00:00Z
    const LAST: i64 = 253_402_300_799; // 9999-12-31T23:59:59Z
    let created = meta.created.clamp(FIRST, LAST);
    let date = OffsetDateTime::from_unix_timestamp(created)
        .map_err(|e| anyhow!("the creation date {created} is out of range: {e}"))?;
    let info = &mut doc.metadata.info;
    info.creation_date = date;
    info.modification_date = date;
    info.metadata_date = date;
    info.subject = meta.subject.to_string();
    info.keywords = meta.keywords.clone();
    info.creator = format!("escape-report {}", env!("CARGO_PKG_VERSION"));
    info.producer = info.creator.clone();

    let options = PdfSaveOptions {
        optimize: true,
        subset_fonts: false,
        secure: true,
        image_optimization: None,
    };
    let mut warnings = Vec::new();
    let mut out = doc.to_lopdf_document(&options, &mut warnings);
    if let Some(w) = warnings
        .iter()
        .find(|w| w.severity == PdfParseErrorSeverity::Error)
    {
        bail!("cannot write the PDF: {}", w.msg);
    }
    hoist_chart_fonts(&mut out)?;
    tidy_info(&mut out)?;
    // printpdf draws the file identifier at random; derive it from the content instead.
    out.trailer.remove(b"ID");
    let mut probe = Vec::new();
    out.clone().save_to(&mut probe)?;
    let id = format!("{:016x}", super::fnv1a(&probe));
    out.trailer.set(
        "ID",
        lopdf::Object::Array(vec![
            lopdf::Object::string_literal(id.clone()),
            lopdf::Object::string_literal(id),
        ]),
    );
    if super::COMPRESS {
        out.compress();
    }
    let mut bytes = Vec::new();
    out.save_to(&mut bytes)?;
    Ok(bytes)
}

/// Chart fonts arrive as direct objects inside each form's resources; readers expect
/// font dictionaries and their descriptors to be indirect objects, so make them so.
fn hoist_chart_fonts(doc: &mut lopdf::Document) -> Result<()> {
    use lopdf::Object;
    let forms: Vec<lopdf::ObjectId> = doc
        .objects
        .iter()
        .filter(|(_, o)| {
            o.as_stream().is_ok_and(|s| {
                s.dict.get(b"Subtype").and_then(Object::as_name).ok() == Some(b"Form")
            })
        })
        .map(|(id, _)| *id)
        .collect();
    for form in forms {
        let fonts = match doc
            .get_object(form)?
            .as_stream()?
            .dict
            .get(b"Resources")
            .and_then(Object::as_dict)
            .and_then(|r| r.get(b"Font"))
            .and_then(Object::as_dict)
        {
            Ok(fonts) => fonts.clone(),
            Err(_) => continue,
        };
        let mut hoisted = lopdf::Dictionary::new();
        for (name, font) in fonts.iter() {
            let value = match font {
                Object::Dictionary(d) => Object::Reference(hoist_font(doc, d.clone())),
                other => other.clone(),
            };
            hoisted.set(name.clone(), value);
        }
        let stream = doc.get_object_mut(form)?.as_stream_mut()?;
        stream
            .dict
            .get_mut(b"Resources")?
            .as_dict_mut()?
            .set("Font", Object::Dictionary(hoisted));
    }
    Ok(())
}

/// Adds a Type 0 font, its descendant and their descriptors as indirect objects.
fn hoist_font(doc: &mut lopdf::Document, mut font: lopdf::Dictionary) -> lopdf::ObjectId {
    use lopdf::Object;
    if let Ok(Object::Dictionary(descriptor)) = font.get(b"FontDescriptor") {
        let id = doc.add_object(descriptor.clone());
        font.set("FontDescriptor", Object::Reference(id));
    }
    if let Ok(Object::Array(descendants)) = font.get(b"DescendantFonts") {
        let descendants: Vec<Object> = descendants
            .iter()
            .map(|d| match d {
                Object::Dictionary(d) => Object::Reference(hoist_font(doc, d.clone())),
                other => other.clone(),
            })
            .collect();
        font.set("DescendantFonts", Object::Array(descendants));
    }
    doc.add_object(font)
}

/// Drops what printpdf writes into the document information that is not true of our
/// files (a PDF/X version) or says nothing (empty strings).
fn tidy_info(doc: &mut lopdf::Document) -> Result<()> {
    let info = doc.trailer.get(b"Info")?.as_reference()?;
    let dict = doc.get_object_mut(info)?.as_dict_mut()?;
    dict.remove(b"GTS_PDFXVersion");
    let empty: Vec<Vec<u8>> = dict
        .iter()
        .filter(|(_, v)| v.as_str().is_ok_and(<[u8]>::is_empty))
        .map(|(k, _)| k.clone())
        .collect();
    for key in empty {
        dict.remove(&key);
    }
    Ok(())
}

fn colour(c: Rgb) -> Color {
    Color::Rgb(printpdf::Rgb {
        r: f32::from(c.0) / 255.0,
        g: f32::from(c.1) / 255.0,
        b: f32::from(c.2) / 255.0,
        icc_profile: None,
    })
}

/// The operations of one page; text runs share one text object.
fn ops(items: &[Item], height: f32, charts: &BTreeMap<&str, XObjectId>) -> Vec<Op> {
    let mut ops = Vec::new();
    let mut in_text = false;
    let mut font: Option<(Weight, f32)> = None;
    let mut fill: Option<Rgb> = None;
    for item in items {
        let is_text = matches!(item, Item::Text { .. });
        if in_text && !is_text {
            ops.push(Op::EndTextSection);
            in_text = false;
        }
        match item {
            Item::Text {
                x,
                baseline,
                size,
                weight,
                colour: c,
                text,
            } => {
                if !in_text {
                    ops.push(Op::StartTextSection);
                    in_text = true;
                }
                if font != Some((*weight, *size)) {
                    ops.push(Op::SetFont {
                        font: PdfFontHandle::External(font_id(*weight)),
                        size: Pt(*size),
                    });
                    font = Some((*weight, *size));
                }
                if fill != Some(*c) {
                    ops.push(Op::SetFillColor { col: colour(*c) });
                    fill = Some(*c);
                }
                ops.push(Op::SetTextMatrix {
                    matrix: TextMatrix::Translate(Pt(*x), Pt(height - baseline)),
                });
                ops.push(Op::ShowText {
                    items: vec![TextItem::Text(drawn(text).into_owned())],
                });
            }
            Item::Rect {
                x,
                y,
                w,
                h,
                fill: c,
                radius,
            } => {
                if fill != Some(*c) {
                    ops.push(Op::SetFillColor { col: colour(*c) });
                    fill = Some(*c);
                }
                let bottom = height - y - h;
                if *radius > 0.0 {
                    ops.push(Op::DrawPolygon {
                        polygon: rounded(*x, bottom, *w, *h, *radius),
                    });
                } else {
                    ops.push(Op::DrawRectangle {
                        rectangle: Rect {
                            x: Pt(*x),
                            y: Pt(bottom),
                            width: Pt(*w),
                            height: Pt(*h),
                            mode: Some(PaintMode::Fill),
                            winding_order: Some(WindingOrder::NonZero),
                        },
                    });
                }
            }
            Item::Chart { id, x, y, w, h } => {
                if let Some(name) = charts.get(id.as_str()) {
                    let scale = w / crate::charts::WIDTH as f32;
                    ops.push(Op::UseXobject {
                        id: name.clone(),
                        transform: XObjectTransform {
                            translate_x: Some(Pt(*x)),
                            translate_y: Some(Pt(height - y - h)),
                            scale_x: Some(scale),
                            scale_y: Some(scale),
                            no_auto_scale: true,
                            ..XObjectTransform::default()
                        },
                    });
                }
            }
        }
    }
    if in_text {
        ops.push(Op::EndTextSection);
    }
    ops
}

/// A filled rectangle with rounded corners (cubic Bézier quarter circles).
fn rounded(x: f32, y: f32, w: f32, h: f32, r: f32) -> Polygon {
    let r = r.min(w / 2.0).min(h / 2.0);
    let k = r * 0.552_284_8;
    let p = |x: f32, y: f32, bezier: bool| LinePoint {
        p: Point { x: Pt(x), y: Pt(y) },
        bezier,
    };
    let (x1, y1) = (x + w, y + h);
    let points = vec![
        p(x + r, y, false),
        p(x1 - r, y, false),
        p(x1 - r + k, y, true),
        p(x1, y + r - k, true),
        p(x1, y + r, false),
        p(x1, y1 - r, false),
        p(x1, y1 - r + k, true),
        p(x1 - r + k, y1, true),
        p(x1 - r, y1, false),
        p(x + r, y1, false),
        p(x + r - k, y1, true),
        p(x, y1 - r + k, true),
        p(x, y1 - r, false),
        p(x, y + r, false),
        p(x, y + r - k, true),
        p(x + r - k, y, true),
        p(x + r, y, false),
    ];
    Polygon {
        rings: vec![PolygonRing { points }],
        mode: PaintMode::Fill,
        winding_order: WindingOrder::NonZero,
    }
}
