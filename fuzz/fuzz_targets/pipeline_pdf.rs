//! The whole pipeline to PDF: bytes (format detected) → metrics → one audience's
//! narrative → charts → `render_pdf`. The first byte picks the paper (A4 or Letter, bit
//! 0) and the audience (the rest of it modulo 3): one PDF per input rather than three
//! makes three times the executions, and the audiences still all get fuzzed. The board
//! deck rendered twice must give the same bytes.
#![no_main]

use escape_report::metrics::PeriodChoice;
use escape_report::narrative::{self, Audience};
use escape_report::render::pdf::{render_pdf, Paper, PdfOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let first = data.first().copied().unwrap_or(0);
    let paper = if first & 1 == 1 {
        Paper::Letter
    } else {
        Paper::A4
    };
    let audience = [Audience::Sprint, Audience::Em, Audience::Board][usize::from(first >> 1) % 3];
    let (config, settings) = escape_report_fuzz::defaults();
    let Some(metrics) = escape_report_fuzz::ingest(
        &config,
        &settings,
        PeriodChoice::LatestFullQuarter,
        data,
        None,
    ) else {
        return;
    };
    let charts = escape_report::charts::all(&metrics, &settings.bands);
    let options = PdfOptions {
        paper,
        creation_date: 1_767_225_600,
    };
    let report = narrative::build(&metrics, &settings, audience);
    let pdf = render_pdf(&report, &charts, &options)
        .unwrap_or_else(|e| panic!("render_pdf {audience:?} failed: {e:#}"));
    assert!(pdf.starts_with(b"%PDF-"), "not a PDF");
    if audience == Audience::Board {
        let again = render_pdf(&report, &charts, &options).expect("second render");
        assert!(pdf == again, "the PDF differs between two renders");
    }
});
