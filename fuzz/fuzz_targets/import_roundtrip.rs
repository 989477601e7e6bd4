//! `import`: bytes in any format (the first byte picks it, or detection) → native CSV
//! (`Ingest::export_rows`) → that CSV read back. Reading it back must use every row
//! written, skip none, and write the very same CSV again: escape-report reads its own
//! output unchanged, formula-defused cells included.
#![no_main]

use escape_report::ingest::Ingest;
use escape_report::input::Format;
use escape_report::metrics::PeriodChoice;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, bytes)) = data.split_first() else {
        return;
    };
    let format = match selector % 8 {
        0 => Some(Format::Jira),
        1 => Some(Format::Github),
        2 => Some(Format::Pagerduty),
        3 => Some(Format::Zendesk),
        4 => Some(Format::Freshdesk),
        5 => Some(Format::Csv),
        6 => Some(Format::Json),
        _ => None,
    };
    let (config, _) = escape_report_fuzz::defaults();
    let mut first = Ingest::new(&config, PeriodChoice::LatestFullQuarter);
    first.export_rows();
    first
        .read_from("fuzz", bytes, format)
        .expect("input in memory is read");
    let (csv, quality) = first.exported();
    if quality.rows_used == 0 {
        return;
    }
    let mut again = Ingest::new(&config, PeriodChoice::LatestFullQuarter);
    again.export_rows();
    again
        .read_from("import.csv", &csv[..], Some(Format::Csv))
        .expect("the import in memory is read");
    let (csv_again, read_back) = again.exported();
    assert_eq!(
        (read_back.rows_read, read_back.rows_used),
        (quality.rows_used, quality.rows_used),
        "the import read back lost rows: {:?}",
        read_back.findings
    );
    assert!(
        csv_again == csv,
        "the import read back writes another CSV:\n{}\n---\n{}",
        String::from_utf8_lossy(&csv),
        String::from_utf8_lossy(&csv_again)
    );
});
