//! The two faces every PDF uses, DejaVu Sans regular and bold, compiled into the binary:
//! advance widths for the layout, and subsets holding only the characters a document
//! shows, for embedding.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use allsorts::binary::read::ReadScope;
use allsorts::font_data::FontData;
use allsorts::subset::{subset, CmapTarget, SubsetProfile};
use allsorts::tag;
use anyhow::{anyhow, Context as _, Result};
use printpdf::ParsedFont;

use super::layout::{Measure, Weight};

/// Characters that are never drawn (Unicode's Default_Ignorable_Code_Point: soft
/// hyphen, joiners, direction marks and controls, variation selectors, tags…). A face
/// without a glyph for one would show `.notdef`, an empty box, so the PDF leaves them
/// out, from the text drawn and from its measured width alike.
fn ignorable(c: char) -> bool {
    matches!(c,
        '\u{ad}' | '\u{34f}' | '\u{61c}' | '\u{115f}'..='\u{1160}' | '\u{17b4}'..='\u{17b5}'
        | '\u{180b}'..='\u{180f}' | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}'
        | '\u{2060}'..='\u{206f}' | '\u{3164}' | '\u{fe00}'..='\u{fe0f}' | '\u{feff}'
        | '\u{ffa0}' | '\u{fff0}'..='\u{fff8}' | '\u{1bca0}'..='\u{1bca3}'
        | '\u{1d173}'..='\u{1d17a}' | '\u{e0000}'..='\u{e0fff}')
}

/// `text` without its [`ignorable`] characters, as the PDF draws it.
pub fn drawn(text: &str) -> std::borrow::Cow<'_, str> {
    match text.chars().any(ignorable) {
        true => text.chars().filter(|&c| !ignorable(c)).collect(),
        false => std::borrow::Cow::Borrowed(text),
    }
}

/// One face: its bytes, its parsed tables and the name it carries in the PDF.
pub struct Face {
    bytes: &'static [u8],
    parsed: ParsedFont,
    name: &'static str,
}

/// The regular and bold faces.
pub struct Fonts {
    regular: Face,
    bold: Face,
}

impl Fonts {
    /// The embedded faces, parsed on first use (parsing builds a map of every glyph;
    /// done on every render, it was about a sixth of each render in a profile of the
    /// pipeline_pdf fuzz target).
    pub fn load() -> Result<&'static Fonts> {
        static FONTS: OnceLock<Result<Fonts, String>> = OnceLock::new();
        FONTS
            .get_or_init(|| {
                let regular = Face::parse(dejavu::sans::regular(), "DejaVuSans");
                let bold = Face::parse(dejavu::sans::bold(), "DejaVuSans-Bold");
                match (regular, bold) {
                    (Ok(regular), Ok(bold)) => Ok(Fonts { regular, bold }),
                    (Err(e), _) | (_, Err(e)) => Err(format!("{e:#}")),
                }
            })
            .as_ref()
            .map_err(|e| anyhow!("{e}"))
    }

    pub fn face(&self, weight: Weight) -> &Face {
        match weight {
            Weight::Regular => &self.regular,
            Weight::Bold => &self.bold,
        }
    }
}

impl Measure for Fonts {
    fn width(&self, text: &str, weight: Weight, size: f32) -> f32 {
        self.face(weight).width(text, size)
    }

    fn ascent(&self) -> f32 {
        self.regular.metric(self.regular.parsed.font_metrics.ascent)
    }

    fn descent(&self) -> f32 {
        -self
            .regular
            .metric(self.regular.parsed.font_metrics.descent)
    }
}

impl Face {
    fn parse(bytes: &'static [u8], name: &'static str) -> Result<Face> {
        let parsed = ParsedFont::from_bytes(bytes, 0, &mut Vec::new())
            .ok_or_else(|| anyhow!("the built-in font {name} cannot be read"))?;
        Ok(Face {
            bytes,
            parsed,
            name,
        })
    }

    /// The raw font file, for the chart converter's font database.
    pub fn bytes(&self) -> &'static [u8] {
        self.bytes
    }

    fn metric(&self, units: i16) -> f32 {
        f32::from(units) / f32::from(self.parsed.units_per_em)
    }

    /// The width of `text` at `size` points: the sum of its glyphs' advances (the PDF
    /// shows text without kerning, so this is exactly the width drawn).
    pub fn width(&self, text: &str, size: f32) -> f32 {
        let units: u32 = text
            .chars()
            .filter(|&c| !ignorable(c))
            .map(|c| {
                let gid = self.parsed.lookup_glyph_index(u32::from(c)).unwrap_or(0);
                u32::from(self.parsed.get_glyph_width(gid).unwrap_or(0))
            })
            .sum();
        units as f32 / f32::from(self.parsed.units_per_em) * size
    }

    /// The face cut down to the glyphs of `chars` (plus `.notdef`), with a Unicode cmap
    /// so the PDF writer can still map text to glyphs.
    pub fn subset(&self, chars: &BTreeSet<char>) -> Result<ParsedFont> {
        let glyphs: BTreeSet<u16> = chars
            .iter()
            .filter_map(|&c| self.parsed.lookup_glyph_index(u32::from(c)))
            .collect();
        let ids: Vec<u16> = std::iter::once(0)
            .chain(glyphs.into_iter().filter(|&g| g != 0))
            .collect();
        let data = ReadScope::new(self.bytes)
            .read::<FontData<'_>>()
            .map_err(|e| anyhow!("{e}"))?;
        let provider = data.table_provider(0).map_err(|e| anyhow!("{e}"))?;
        let profile = SubsetProfile::Custom(vec![
            tag::CMAP,
            tag::HEAD,
            tag::HHEA,
            tag::HMTX,
            tag::MAXP,
            tag::NAME,
            tag::OS_2,
            tag::POST,
            tag::CVT,
            tag::FPGM,
            tag::PREP,
        ]);
        let bytes = subset(&provider, &ids, &profile, CmapTarget::Unicode)
            .map_err(|e| anyhow!("{e}"))
            .with_context(|| format!("cannot subset the built-in font {}", self.name))?;
        let mut font = ParsedFont::from_bytes(&bytes, 0, &mut Vec::new())
            .ok_or_else(|| anyhow!("the subset of {} cannot be read", self.name))?;
        // A subset's name carries a six-letter tag that differs between subsets.
        let text: String = chars.iter().collect();
        let mut hash = super::fnv1a(text.as_bytes());
        let tag: String = (0..6)
            .map(|_| {
                let letter = char::from(b'A' + (hash % 26) as u8);
                hash /= 26;
                letter
            })
            .collect();
        font.font_name = Some(format!("{tag}+{}", self.name));
        Ok(font)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ignorable_characters_are_neither_drawn_nor_measured() {
        let fonts = Fonts::load().unwrap();
        let face = fonts.face(Weight::Regular);
        // U+061C (Arabic letter mark) has no glyph in DejaVu Sans: it would be a box.
        assert_eq!(face.parsed.lookup_glyph_index(0x61c), None);
        let marked = "ab\u{61c}c\u{200f}d\u{ad}\u{feff}";
        assert_eq!(drawn(marked), "abcd");
        assert!(matches!(drawn("abcd"), std::borrow::Cow::Borrowed(_)));
        assert_eq!(face.width(marked, 10.0), face.width("abcd", 10.0));
        assert!(face.width("abcd", 10.0) > 0.0);
        // Visible non-ASCII text stays.
        assert_eq!(drawn("Zürich \u{5e9}\u{5dc}"), "Zürich \u{5e9}\u{5dc}");
    }
}
