//! Charts as vector form objects: the chart's SVG is parsed by usvg against a font
//! database holding only the embedded DejaVu faces, converted by svg2pdf into a
//! one-page PDF at 72 dpi (one SVG pixel is one point), and that page's content and
//! resources become a self-contained form XObject. Labels stay real text in DejaVu Sans.

use std::collections::BTreeMap;
use std::sync::Arc;

use anyhow::{anyhow, bail, Result};
use printpdf::{DictItem, ExternalStream, ExternalXObject};
use svg2pdf::usvg::{self, fontdb};

use super::fonts::Fonts;
use super::layout::Weight;

/// Deepest nesting of PDF objects copied out of the converter's page.
const MAX_DEPTH: usize = 32;

/// Converts charts with the embedded faces.
pub struct ChartConverter {
    fontdb: Arc<fontdb::Database>,
}

impl ChartConverter {
    pub fn new(fonts: &Fonts) -> ChartConverter {
        let mut db = fontdb::Database::new();
        for weight in [Weight::Regular, Weight::Bold] {
            let bytes: &'static [u8] = fonts.face(weight).bytes();
            db.load_font_source(fontdb::Source::Binary(Arc::new(bytes)));
        }
        ChartConverter {
            fontdb: Arc::new(db),
        }
    }

    /// The chart as a form XObject whose bounding box is the SVG's size in points.
    pub fn convert(&self, svg: &str) -> Result<ExternalXObject> {
        let options = usvg::Options {
            dpi: 72.0,
            font_family: crate::charts::FONT_FAMILY.to_string(),
            fontdb: Arc::clone(&self.fontdb),
            ..usvg::Options::default()
        };
        let tree = usvg::Tree::from_str(svg, &options)
            .map_err(|e| anyhow!("cannot read the chart's SVG: {e}"))?;
        let expected = svg.matches("<text").count();
        let kept = count_text(tree.root());
        if kept < expected {
            bail!(
                "{} of the chart's {expected} labels have no font",
                expected - kept
            );
        }
        let conversion = svg2pdf::ConversionOptions {
            compress: false,
            ..svg2pdf::ConversionOptions::default()
        };
        let pdf = svg2pdf::to_pdf(&tree, conversion, svg2pdf::PageOptions { dpi: 72.0 })
            .map_err(|e| anyhow!("cannot convert the chart to PDF: {e}"))?;
        let doc = lopdf::Document::load_mem(&pdf)?;
        let page = doc
            .page_iter()
            .next()
            .ok_or_else(|| anyhow!("the converted chart has no page"))?;
        let content = doc.get_page_content(page);
        let page_dict = doc.get_dictionary(page)?;
        let size = tree.size();
        let mut dict = BTreeMap::from([
            ("Type".to_string(), DictItem::Name("XObject".into())),
            ("Subtype".to_string(), DictItem::Name("Form".into())),
            (
                "BBox".to_string(),
                DictItem::Array(vec![
                    DictItem::Real(0.0),
                    DictItem::Real(0.0),
                    DictItem::Real(size.width()),
                    DictItem::Real(size.height()),
                ]),
            ),
        ]);
        for key in ["Resources", "Group"] {
            if let Ok(value) = page_dict.get(key.as_bytes()) {
                dict.insert(key.to_string(), inline(&doc, value, 0)?);
            }
        }
        Ok(ExternalXObject {
            stream: ExternalStream {
                dict,
                content,
                compress: super::COMPRESS,
            },
            width: None,
            height: None,
            dpi: None,
        })
    }
}

/// Text nodes that survived parsing (usvg drops text it has no font for).
fn count_text(group: &usvg::Group) -> usize {
    group
        .children()
        .iter()
        .map(|node| match node {
            usvg::Node::Text(_) => 1,
            usvg::Node::Group(g) => count_text(g),
            _ => 0,
        })
        .sum()
}

/// Copies an object out of the converter's document, resolving references, so the form
/// XObject carries everything it uses (streams become indirect objects when written).
fn inline(doc: &lopdf::Document, object: &lopdf::Object, depth: usize) -> Result<DictItem> {
    use lopdf::Object;
    if depth > MAX_DEPTH {
        bail!("the converted chart's resources nest too deeply");
    }
    Ok(match object {
        Object::Reference(id) => inline(doc, doc.get_object(*id)?, depth + 1)?,
        Object::Array(items) => DictItem::Array(
            items
                .iter()
                .map(|o| inline(doc, o, depth + 1))
                .collect::<Result<_>>()?,
        ),
        Object::Dictionary(d) => DictItem::Dict {
            map: entries(doc, d, depth, |_| true)?,
        },
        Object::Stream(s) => {
            let (content, decoded) = match s.decompressed_content() {
                Ok(c) => (c, true),
                Err(_) => (s.content.clone(), false),
            };
            let dict = entries(doc, &s.dict, depth, |k| {
                k != b"Length" && !(decoded && (k == b"Filter" || k == b"DecodeParms"))
            })?;
            DictItem::Stream {
                stream: ExternalStream {
                    dict,
                    content,
                    compress: decoded && super::COMPRESS,
                },
            }
        }
        other => DictItem::from_lopdf(other),
    })
}

fn entries(
    doc: &lopdf::Document,
    dict: &lopdf::Dictionary,
    depth: usize,
    keep: impl Fn(&[u8]) -> bool,
) -> Result<BTreeMap<String, DictItem>> {
    dict.iter()
        .filter(|(k, _)| keep(k))
        .map(|(k, v)| {
            Ok((
                String::from_utf8_lossy(k).into_owned(),
                inline(doc, v, depth + 1)?,
            ))
        })
        .collect()
}
