//! Charts (SPEC 6): metrics → self-contained SVG documents drawn with plotters.
//!
//! Four charts, each with an id, a title for the report to print above it, a
//! one-sentence text alternative stating the figures, and the SVG itself: 640×320 px
//! with a viewBox (so it scales when inlined into HTML), a white background, opaque
//! colours only, every text in "DejaVu Sans" (the family the PDF step embeds), no
//! external references, and no title inside the picture. The same metrics always
//! give byte-identical SVG.

mod bars;
mod canvas;
mod trend;

#[cfg(test)]
mod tests;

use crate::metrics::Metrics;
use crate::model::band::Bands;
use crate::model::ProblemType;
use crate::narrative::words::counted;
use crate::text::join_list as and_list;

pub use bars::{cost_by_quarter, escaped_by_quarter, type_distribution};
pub use canvas::{escape_xml, FONT_FAMILY, HEIGHT, WIDTH};
pub use trend::escape_rate_trend;

/// One colour per problem type, the same in every chart, legend and stylesheet
/// (Okabe–Ito, distinguishable with the common colour-vision deficiencies).
/// In the order of [`ProblemType::ALL`].
pub const TYPE_COLOURS: [(ProblemType, &str); 5] = [
    (ProblemType::Code, "#0072B2"),
    (ProblemType::Infra, "#E69F00"),
    (ProblemType::Integration, "#009E73"),
    (ProblemType::Regression, "#CC79A7"),
    (ProblemType::Unclassified, "#999999"),
];

/// The colour of a problem type, as `#RRGGBB`.
pub fn colour(t: ProblemType) -> &'static str {
    TYPE_COLOURS[t.index()].1
}

/// The name of a type in legends and axis labels, as readers say it.
pub fn type_label(t: ProblemType) -> &'static str {
    match t {
        ProblemType::Code => "code defects",
        ProblemType::Infra => "infrastructure",
        ProblemType::Integration => "integration",
        ProblemType::Regression => "post-deployment regressions",
        ProblemType::Unclassified => "unclassified",
    }
}

/// A rendered chart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chart {
    /// Stable identifier, usable as an HTML id and a file stem (`escaped-by-quarter`).
    pub id: &'static str,
    /// The heading the report prints above the chart.
    pub title: String,
    /// One sentence stating the figures, for alt text and screen readers.
    pub description: String,
    /// A complete SVG document (starts with `<svg`, no XML declaration).
    pub svg: String,
}

impl Chart {
    /// The file name when the chart is written beside a document: `<id>.svg`.
    pub fn file_name(&self) -> String {
        format!("{}.svg", self.id)
    }
}

/// Every chart, in the order a report shows them.
pub fn all(metrics: &Metrics, bands: &Bands) -> Vec<Chart> {
    vec![
        type_distribution(metrics),
        escaped_by_quarter(metrics),
        cost_by_quarter(metrics),
        escape_rate_trend(metrics, bands),
    ]
}
