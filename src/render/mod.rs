//! Renderers: a report view in, bytes out. Markdown and HTML come from tera templates,
//! built in (compiled into the binary) unless a file of the same name in a user's
//! template directory replaces them. Renderers never write files: they return the
//! document and the chart files that go beside it.

pub mod markdown;
pub mod pdf;
pub mod templates;

use std::collections::BTreeMap;

use anyhow::Result;
use serde::Serialize;

use crate::charts::Chart;
use crate::narrative::{Audience, Report};

pub use templates::Templates;

/// The output formats of `render`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    Md,
    Html,
    Pdf,
}

impl OutputFormat {
    pub fn extension(self) -> &'static str {
        match self {
            OutputFormat::Md => "md",
            OutputFormat::Html => "html",
            OutputFormat::Pdf => "pdf",
        }
    }
}

/// A rendered document and the files to write beside it.
#[derive(Debug, Clone, PartialEq)]
pub struct Rendered {
    pub document: Vec<u8>,
    /// Chart files, as (file name, contents).
    pub attachments: Vec<(String, Vec<u8>)>,
}

/// A chart as templates see it.
#[derive(Debug, Clone, Serialize)]
struct ChartView<'a> {
    id: &'a str,
    title: &'a str,
    description: &'a str,
    /// The SVG markup, for inlining (HTML).
    svg: &'a str,
    /// Where the chart file is, relative to the document (Markdown).
    file: String,
}

/// Everything a template receives.
#[derive(Debug, Clone, Serialize)]
struct TemplateContext<'a> {
    report: &'a Report,
    charts: BTreeMap<&'a str, ChartView<'a>>,
    sources_text: String,
    meta: Meta,
}

#[derive(Debug, Clone, Serialize)]
struct Meta {
    version: &'static str,
    audience: Audience,
}

/// How Markdown links its charts: files named `<prefix><chart id>.svg`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChartFiles {
    /// Prefix of each chart file's path as written in the link, e.g. `report-` or `charts/`.
    pub link_prefix: String,
}

/// Renders a report. `charts` are the charts the report's sections refer to; a section
/// whose chart is missing shows none (used for `--no-charts`).
pub fn render(
    templates: &Templates,
    report: &Report,
    charts: &[Chart],
    format: OutputFormat,
    chart_files: Option<&ChartFiles>,
) -> Result<Rendered> {
    let mut report = report.clone();
    let available: BTreeMap<&str, &Chart> = charts.iter().map(|c| (c.id, c)).collect();
    let linkable = format == OutputFormat::Html || chart_files.is_some();
    for section in &mut report.sections {
        if section
            .chart
            .as_deref()
            .is_some_and(|id| !linkable || !available.contains_key(id))
        {
            section.chart = None;
        }
    }
    let prefix = chart_files.map_or(String::new(), |f| f.link_prefix.clone());
    let mut views = BTreeMap::new();
    let mut attachments = Vec::new();
    for section in &report.sections {
        let Some(chart) = section.chart.as_deref().and_then(|id| available.get(id)) else {
            continue;
        };
        if views.contains_key(chart.id) {
            continue;
        }
        let file = format!("{prefix}{}.svg", chart.id);
        if format == OutputFormat::Md {
            attachments.push((format!("{}.svg", chart.id), chart.svg.clone().into_bytes()));
        }
        views.insert(
            chart.id,
            ChartView {
                id: chart.id,
                title: &chart.title,
                description: &chart.description,
                svg: &chart.svg,
                file,
            },
        );
    }
    let context = TemplateContext {
        report: &report,
        charts: views,
        sources_text: crate::text::join_list(&report.sources),
        meta: Meta {
            version: env!("CARGO_PKG_VERSION"),
            audience: report.audience,
        },
    };
    let name = format!("{}.{}", report.audience.as_str(), format.extension());
    let mut text = templates.render(&name, &context)?;
    if format == OutputFormat::Md {
        text = markdown::tidy(&text);
    }
    Ok(Rendered {
        document: text.into_bytes(),
        attachments,
    })
}
