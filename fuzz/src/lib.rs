//! Shared drivers for the fuzz targets: run escape-report's library API on fuzzer bytes
//! and check the invariants that must hold for any input (SPEC 2.4).

use escape_report::ingest::Ingest;
use escape_report::input::Format;
use escape_report::metrics::{Metrics, PeriodChoice, Settings};
use escape_report::model::Config;
use escape_report::narrative::{self, Audience};
use escape_report::render::{self, ChartFiles, OutputFormat, Templates};

/// A small valid data set, used by targets that fuzz something other than the data.
pub const WORKED_CSV: &[u8] = include_bytes!("../../tests/fixtures/worked.csv");

/// Reads `data` as one input named "fuzz" and computes the metrics; checks the invariants.
/// An `Err` from reading is allowed (an I/O error), a panic is not.
pub fn ingest(
    config: &Config,
    settings: &Settings,
    choice: PeriodChoice,
    data: &[u8],
    format: Option<Format>,
) -> Option<Metrics> {
    let mut ingest = Ingest::new(config, choice);
    let read = ingest.read_from("fuzz", data, format);
    let metrics = ingest.finish(settings);
    check_metrics(&metrics);
    // Reading from a byte slice cannot fail with an I/O error; any other error is a bug
    // worth seeing (problems with the content must become findings).
    if let Err(e) = read {
        panic!("read_from returned an error for in-memory input: {e:#}");
    }
    Some(metrics)
}

/// Problems with releases to attribute to deployments (the deployments fixture's).
pub const DEPLOYMENT_PROBLEMS: &[u8] =
    include_bytes!("../../tests/fixtures/deployments/problems.csv");

/// Reads `deployments` as a deployments file, then problems to attribute to them, and
/// computes the metrics for 2025-Q4; checks the invariants, the deployments file's own
/// count (read = used + skipped, production ≤ used) and the change failure rate.
pub fn deployments(deployments: &[u8], problems: &[u8]) {
    let (config, settings) = defaults();
    let period = escape_report::model::period::Period::parse("2025-Q4", &config.sprints)
        .expect("2025-Q4 is a period");
    let mut ingest = Ingest::new(&config, PeriodChoice::Given(period));
    // An error is a whole file refused (no header line); any other problem is a finding.
    if ingest
        .read_deployments_from(&[("deployments", deployments)], &config)
        .is_err()
    {
        return;
    }
    ingest
        .read_from("problems", problems, None)
        .expect("problems in memory are read");
    let m = ingest.finish(&settings);
    check_metrics(&m);
    for f in &m.data_quality.deployment_files {
        assert_eq!(f.rows_read, f.rows_used + f.rows_skipped, "{f:?}");
        assert!(f.production <= f.rows_used, "{f:?}");
    }
    if let Some(cfr) = m.totals.change_failure_rate {
        assert!((0.0..=1.0).contains(&cfr), "change failure rate {cfr}");
        assert!(m.totals.releases.is_some_and(|r| r > 0));
    }
}

/// The invariants every `Metrics` value must satisfy.
pub fn check_metrics(m: &Metrics) {
    let q = &m.data_quality;
    assert_eq!(
        q.rows_read,
        q.rows_used + q.rows_skipped + q.duplicates,
        "data quality: rows_read != rows_used + rows_skipped + duplicates (total): {q:?}"
    );
    let (mut read, mut used, mut skipped, mut dups) = (0, 0, 0, 0);
    for f in &q.files {
        assert_eq!(
            f.rows_read,
            f.rows_used + f.rows_skipped + f.duplicates,
            "data quality: invariant broken for file {f:?}"
        );
        read += f.rows_read;
        used += f.rows_used;
        skipped += f.rows_skipped;
        dups += f.duplicates;
    }
    assert_eq!(
        (read, used, skipped, dups),
        (q.rows_read, q.rows_used, q.rows_skipped, q.duplicates),
        "data quality: the files do not add up to the totals"
    );
    assert!(q.findings.len() as u64 <= q.findings_total);
    let t = &m.totals;
    assert!(t.escaped <= t.problems, "more escaped than problems: {t:?}");
    assert!(
        t.problems <= q.rows_used,
        "more problems in the period than rows used"
    );
    match (t.escape_rate, t.ci95_low, t.ci95_high) {
        (Some(r), Some(lo), Some(hi)) => {
            assert!((0.0..=1.0).contains(&r), "escape rate {r} outside [0, 1]");
            assert!(
                0.0 <= lo && lo <= r && r <= hi && hi <= 1.0,
                "escape rate {r} outside its interval [{lo}, {hi}]"
            );
        }
        (None, None, None) => assert_eq!(t.problems, 0),
        other => panic!("escape rate and interval disagree: {other:?}"),
    }
    if let Some(w) = t.weighted_escape_rate {
        assert!(
            (0.0..=1.0).contains(&w),
            "weighted escape rate {w} outside [0, 1]"
        );
    }
    for quarter in &m.quarters {
        assert!(quarter.escaped <= quarter.problems);
        if let Some(r) = quarter.escape_rate {
            assert!((0.0..=1.0).contains(&r));
        }
    }
    let json = serde_json::to_string(m).expect("metrics serialise to JSON");
    // Checked for syntax only: building a `Value` took a third of an execution.
    let _: serde::de::IgnoredAny = serde_json::from_str(&json).expect("metrics JSON parses back");
}

thread_local! {
    static TEMPLATES: Templates = Templates::load(None).expect("the built-in templates load");
}

/// Builds every audience's report and renders it as Markdown (with and without chart
/// files) and HTML, with and without charts.
pub fn render_all(metrics: &Metrics, settings: &Settings) {
    let charts = escape_report::charts::all(metrics, &settings.bands);
    for chart in &charts {
        assert!(
            chart.svg.starts_with("<svg"),
            "chart {} is not SVG",
            chart.id
        );
    }
    let files = ChartFiles {
        link_prefix: "report-".to_string(),
    };
    TEMPLATES.with(|templates| {
        for audience in [Audience::Sprint, Audience::Em, Audience::Board] {
            let report = narrative::build(metrics, settings, audience);
            for (format, chart_files) in [
                (OutputFormat::Md, None),
                (OutputFormat::Md, Some(&files)),
                (OutputFormat::Html, None),
            ] {
                let out = render::render(templates, &report, &charts, format, chart_files)
                    .unwrap_or_else(|e| panic!("render {audience:?} {format:?} failed: {e:#}"));
                assert!(
                    std::str::from_utf8(&out.document).is_ok(),
                    "the rendered document is not UTF-8"
                );
            }
            // --no-charts
            render::render(templates, &report, &[], OutputFormat::Html, None).unwrap_or_else(|e| {
                panic!("render {audience:?} html without charts failed: {e:#}")
            });
        }
    });
}

/// The default configuration and its settings.
pub fn defaults() -> (Config, Settings) {
    let config = Config::default();
    let settings = Settings::from_config(&config).expect("the default settings are valid");
    (config, settings)
}
