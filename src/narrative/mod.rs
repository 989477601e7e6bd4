//! The narrative builder: turns [`Metrics`] into the sentences, talking points, tables
//! and chart slots of one audience's report, before any template sees them, so every
//! format says the same thing. The structs here are what templates receive.

mod board;
mod em;
mod sprint;
pub mod words;

use chrono::NaiveDate;
use serde::Serialize;

use crate::metrics::report::TypeRow;
use crate::metrics::{Metrics, Settings};
use crate::model::ProblemType;
use crate::text::{
    count, date_words, hours, hours_words, int, join_list, money, opt_pct, pct, whole,
};

/// Who a report is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Audience {
    /// The QA lead's sprint review.
    Sprint,
    /// The engineering manager's 1:1 talking points.
    Em,
    /// The executives' quarterly summary.
    Board,
}

impl Audience {
    pub fn as_str(self) -> &'static str {
        match self {
            Audience::Sprint => "sprint",
            Audience::Em => "em",
            Audience::Board => "board",
        }
    }
}

/// A whole report, ready for a template.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Report {
    pub audience: Audience,
    /// The document title.
    pub title: String,
    /// One line under the title: period and scope.
    pub subtitle: String,
    pub period: PeriodText,
    /// The one or two sentences a reader should take away.
    pub headline: Vec<String>,
    /// Key figures shown as large tiles.
    pub figures: Vec<Figure>,
    /// Set when the rates rest on fewer problems than the small-sample threshold.
    pub small_sample_note: Option<String>,
    pub sections: Vec<Section>,
    /// The input files, for the footer.
    pub sources: Vec<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PeriodText {
    pub label: String,
    pub start: String,
    pub end: String,
    /// "1 July 2026 to 30 September 2026".
    pub range: String,
}

/// A headline number: `value` large, `label` above, `detail` small below.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Figure {
    pub label: String,
    pub value: String,
    pub detail: String,
}

/// A part of a report: any of paragraphs, bullets, a table and a chart, in that order.
#[derive(Debug, Clone, Serialize, PartialEq, Default)]
pub struct Section {
    /// A stable identifier (`escape-rate`, `data-quality`, …) for templates and anchors.
    pub id: String,
    pub heading: String,
    pub paragraphs: Vec<String>,
    pub bullets: Vec<String>,
    pub table: Option<Table>,
    /// The id of a chart (see the `charts` module) shown in this section.
    pub chart: Option<String>,
    /// A closing remark in small print.
    pub note: Option<String>,
}

/// A table; every cell is already formatted text.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Table {
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<String>>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Column {
    pub title: String,
    /// Numbers are right-aligned.
    pub numeric: bool,
}

impl Table {
    pub fn new(columns: &[(&str, bool)]) -> Table {
        Table {
            columns: columns
                .iter()
                .map(|(t, n)| Column {
                    title: t.to_string(),
                    numeric: *n,
                })
                .collect(),
            rows: Vec::new(),
        }
    }
}

/// What a tile shows instead of a zero that only means nothing happened.
pub const NO_FIGURE: &str = "–";

/// At most this many escaped problems are listed one by one.
pub const MAX_LISTED: usize = 100;

/// Builds the report of one audience.
pub fn build(metrics: &Metrics, settings: &Settings, audience: Audience) -> Report {
    let ctx = Context::new(metrics, settings);
    let mut report = match audience {
        Audience::Sprint => sprint::build(&ctx),
        Audience::Em => em::build(&ctx),
        Audience::Board => board::build(&ctx),
    };
    report.sources = metrics
        .data_quality
        .files
        .iter()
        .map(|f| f.file.clone())
        .collect();
    report
}

/// What every audience's builder needs, computed once.
pub(crate) struct Context<'a> {
    pub m: &'a Metrics,
    pub settings: &'a Settings,
    pub period: PeriodText,
    /// "In 2026-Q3" or "In Sprint 42".
    pub in_period: String,
}

impl<'a> Context<'a> {
    fn new(m: &'a Metrics, settings: &'a Settings) -> Context<'a> {
        let parse = |s: &Option<String>| {
            s.as_deref()
                .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        };
        let (start, end) = (parse(&m.period.start), parse(&m.period.end));
        let label = m.period.label.clone().unwrap_or_else(|| "no period".into());
        let range = match (start, end) {
            (Some(s), Some(e)) if s == e => date_words(s),
            (Some(s), Some(e)) => format!("{} to {}", date_words(s), date_words(e)),
            _ => "no usable records".into(),
        };
        Context {
            m,
            settings,
            in_period: format!("In {label}"),
            period: PeriodText {
                label,
                start: m.period.start.clone().unwrap_or_default(),
                end: m.period.end.clone().unwrap_or_default(),
                range,
            },
        }
    }

    pub fn types(&self) -> impl Iterator<Item = &TypeRow> {
        self.m.by_type.iter()
    }

    /// Per-type escaped counts of the period.
    pub fn type_counts(&self) -> Vec<(ProblemType, u64)> {
        self.types().map(|t| (t.kind, t.escaped)).collect()
    }

    /// Hours, with money when an hourly rate is configured: "about 219 hours (about 20,843 EUR)".
    pub fn cost_words(&self, h: f64, estimated: bool) -> String {
        let words = hours_words(h, estimated);
        match self.settings.hourly_rate {
            Some(rate) if h > 0.0 => format!(
                "{words} (about {})",
                money(h * rate, &self.settings.currency)
            ),
            _ => words,
        }
    }

    /// "No problems were found in 2025-Q3".
    pub fn nothing_found(&self) -> String {
        format!("No problems were found in {}", self.period.label)
    }

    /// Tiles for a period without problems: a dash each with a word why, not zeros (SPEC 5).
    pub fn blank_if_empty(&self, figures: &mut [Figure]) {
        if self.m.totals.problems == 0 {
            for f in figures {
                f.value = NO_FIGURE.into();
                f.detail = "no problems found".into();
            }
        }
    }

    /// The note on small samples, when the period's rates rest on few problems.
    pub fn small_sample_note(&self) -> Option<String> {
        let t = &self.m.totals;
        (t.small_sample && t.problems > 0).then(|| {
            format!(
                "These rates rest on only {}, fewer than {}: a single problem moves them a lot, so read them as rough.",
                count(t.problems, "problem", "problems"),
                self.settings.small_sample
            )
        })
    }

    /// The escape rate in a sentence with its interval, band and the previous period.
    pub fn escape_rate_paragraphs(&self) -> Vec<String> {
        let t = &self.m.totals;
        let Some(rate) = t.escape_rate else {
            return vec![format!(
                "{}, no problems were recorded, so there is no escape rate.",
                self.in_period
            )];
        };
        let band = t.band.clone().unwrap_or_default();
        let band_range = self
            .settings
            .bands
            .range_text(&band)
            .map(|r| format!(" ({r})"))
            .unwrap_or_default();
        let mut out = vec![format!(
            "{} of the {} found escaped, an escape rate of {} in the {band} band{band_range}; the 95 % interval runs from {} to {}. The severity-weighted rate is {}.",
            int(t.escaped),
            count(t.problems, "problem", "problems"),
            pct(rate),
            opt_pct(t.ci95_low),
            opt_pct(t.ci95_high),
            opt_pct(t.weighted_escape_rate),
        )];
        if let (Some(releases), Some(cfr)) = (t.releases, t.change_failure_rate) {
            let failed = (cfr * releases as f64).round() as u64;
            out.push(format!(
                "There {} {} to production; {} failed, {} rolled back or let a problem escape: a change failure rate of {}.",
                if releases == 1 { "was" } else { "were" },
                count(releases, "deployment", "deployments"),
                int(failed),
                if failed == 1 { "was" } else { "were" },
                pct(cfr)
            ));
        }
        if let Some(prev) = &self.m.previous {
            let label = prev.period.label.clone().unwrap_or_default();
            match prev.escape_rate {
                Some(before) => {
                    let diff = (rate - before) * 100.0;
                    let change = if diff.abs() < 0.05 {
                        "about the same".to_string()
                    } else if diff < 0.0 {
                        format!("{:.1} points better now", -diff)
                    } else {
                        format!("{diff:.1} points worse now")
                    };
                    out.push(format!(
                        "In the previous period ({label}) it was {} ({} of {}): {change}.",
                        pct(before),
                        int(prev.escaped),
                        count(prev.problems, "problem", "problems"),
                    ));
                }
                None => out.push(format!(
                    "The previous period ({label}) has no recorded problems to compare with."
                )),
            }
        }
        out
    }

    /// The type table: escaped, share, hours, hours per problem, estimated hours, and the
    /// cost in money when an hourly rate is set.
    pub fn type_table(&self) -> Table {
        let money_title = format!("Cost ({})", self.settings.currency);
        let mut columns = vec![
            ("Type", false),
            ("Escaped", true),
            ("Share", true),
            ("Hours", true),
            ("Hours each", true),
            ("Estimated hours", true),
        ];
        let with_money = self.settings.hourly_rate.is_some();
        if with_money {
            columns.push((money_title.as_str(), true));
        }
        let mut table = Table::new(&columns);
        let money_cell = |v: Option<f64>| v.map_or("–".to_string(), |v| whole(v.max(0.0)));
        for t in self.types() {
            if t.escaped == 0 {
                continue;
            }
            let mut row = vec![
                words::label(t.kind).to_string(),
                int(t.escaped),
                opt_pct(t.share),
                hours(t.cost_hours),
                t.hours_per_problem.map_or("–".into(), hours),
                hours(t.estimated_hours),
            ];
            if with_money {
                row.push(money_cell(t.cost_money));
            }
            table.rows.push(row);
        }
        let total = &self.m.totals;
        table.rows.push(vec![
            "Total".into(),
            int(total.escaped),
            if total.escaped > 0 {
                "100.0 %".into()
            } else {
                "–".into()
            },
            hours(total.cost_hours),
            if total.escaped > 0 {
                hours(total.cost_hours / total.escaped as f64)
            } else {
                "–".into()
            },
            hours(total.estimated_hours),
        ]);
        if with_money {
            if let Some(row) = table.rows.last_mut() {
                row.push(money_cell(total.cost_money));
            }
        }
        table
    }

    /// Recommendations for the types that escaped most, then the top mechanisms.
    pub fn plan(&self, limit_types: usize) -> Vec<String> {
        let mut rows: Vec<&TypeRow> = self.types().filter(|t| t.escaped > 0).collect();
        rows.sort_by(|a, b| {
            b.cost_hours
                .total_cmp(&a.cost_hours)
                .then(b.escaped.cmp(&a.escaped))
                .then(a.kind.cmp(&b.kind))
        });
        let mut out: Vec<String> = rows
            .iter()
            .take(limit_types)
            .map(|t| {
                format!(
                    "{} ({}, {}): {}.",
                    words::capitalise(words::noun(t.kind, t.escaped)),
                    int(t.escaped),
                    hours_words(t.cost_hours, t.estimated_hours > 0.0),
                    words::remedy(t.kind)
                )
            })
            .collect();
        for m in self.m.mechanisms.iter().take(2) {
            out.push(format!(
                "{} let {} through: {}.",
                words::capitalise(words::mechanism_words(m.mechanism)),
                count(m.escaped, "problem", "problems"),
                words::mechanism_remedy(m.mechanism)
            ));
        }
        out
    }

    /// The Data quality section every report ends with.
    pub fn data_quality(&self) -> Section {
        let q = &self.m.data_quality;
        let mut paragraphs = vec![format!(
            "Read {} from {}: {} used, {} skipped, {}.",
            count(q.rows_read, "record", "records"),
            count(q.files.len() as u64, "file", "files"),
            int(q.rows_used),
            int(q.rows_skipped),
            count(q.duplicates, "duplicate merged", "duplicates merged"),
        )];
        let mut bullets: Vec<String> = q
            .skipped_by_reason
            .iter()
            .map(|(reason, n)| format!("Skipped, {reason}: {}", count(*n, "row", "rows")))
            .collect();
        bullets.extend(
            q.repaired_by_reason
                .iter()
                .map(|(reason, n)| format!("Repaired, {reason}: {}", count(*n, "value", "values"))),
        );
        let mut facts = Vec::new();
        if q.unclassified > 0 {
            facts.push(format!(
                "{} without a type",
                count(q.unclassified, "escaped problem is", "escaped problems are")
            ));
        }
        if q.to_verify > 0 {
            facts.push(format!(
                "{} a type still to verify",
                count(q.to_verify, "has", "have")
            ));
        }
        if q.estimated_costs > 0 {
            facts.push(format!(
                "{} estimated from the cost model because no hours were logged",
                count(q.estimated_costs, "cost is", "costs are")
            ));
        }
        if !facts.is_empty() {
            paragraphs.push(format!("Across all records, {}.", join_list(&facts)));
        }
        bullets.extend(self.m.integrity.signals.iter().cloned());
        Section {
            id: "data-quality".into(),
            heading: "Data quality".into(),
            paragraphs,
            bullets,
            note: (q.findings_total > 0).then(|| {
                "Run `escape-report check` on the same files to see every finding with its file, line and column.".into()
            }),
            ..Section::default()
        }
    }

    /// "about 20 hours, 8 of them estimated".
    pub fn total_cost_words(&self) -> String {
        let t = &self.m.totals;
        let words = self.cost_words(t.cost_hours, t.estimated_hours > 0.0);
        if t.estimated_hours > 0.0 && t.estimated_hours < t.cost_hours {
            format!(
                "{words}, about {} of them estimated",
                whole(t.estimated_hours)
            )
        } else if t.estimated_hours > 0.0 {
            format!("{words}, all estimated")
        } else {
            words
        }
    }
}

#[cfg(test)]
mod tests;
