//! The whole pipeline to PDF: bytes (format detected) → metrics → every audience's
//! narrative → charts → `render_pdf` (A4 or Letter, picked by the first byte). The same
//! report rendered twice must give the same bytes.
#![no_main]

use escape_report::metrics::PeriodChoice;
use escape_report::narrative::{self, Audience};
use escape_report::render::pdf::{render_pdf, Paper, PdfOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let paper = if data.first().is_some_and(|b| b & 1 == 1) {
        Paper::Letter
    } else {
        Paper::A4
    };
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
    for audience in [Audience::Sprint, Audience::Em, Audience::Board] {
        let report = narrative::build(&metrics, &settings, audience);
        let pdf = render_pdf(&report, &charts, &options)
            .unwrap_or_else(|e| panic!("render_pdf {audience:?} failed: {e:#}"));
        assert!(pdf.starts_with(b"%PDF-"), "not a PDF");
        if audience == Audience::Board {
            let again = render_pdf(&report, &charts, &options).expect("second render");
            assert!(pdf == again, "the PDF differs between two renders");
        }
    }
});
