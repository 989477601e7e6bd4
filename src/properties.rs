//! Property tests (proptest) over generated records: whatever the rows hold, ingestion
//! never panics, loses no row, keeps `rows_read = rows_used + rows_skipped + duplicates`,
//! keeps every rate in [0, 1] and inside its interval, and reading two inputs one after
//! the other gives the same figures as reading them as one file.
//!
//! Kept fast (a few seconds in a debug build): few cases, short inputs; set
//! `PROPTEST_CASES` for a longer search.

use proptest::prelude::*;
use serde_json::Value;

use crate::ingest::Ingest;
use crate::input::Format;
use crate::metrics::{Metrics, PeriodChoice, Settings};
use crate::model::period::Period;
use crate::model::raw::Field;
use crate::model::Config;

/// One generated record: a value (possibly empty) for every known column.
type Record = Vec<String>;

fn stage() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => prop::sample::select(vec![
            "review", "unit", "integration", "system", "uat", "staging", "production",
            "prod", "Production ", "PROD", "qa", "component", "live", "preprod",
        ])
        .prop_map(str::to_string),
        1 => any::<String>(),
        1 => Just(String::new()),
    ]
}

fn date() -> impl Strategy<Value = String> {
    let recent = (2024i32..=2026, 1u32..=12, 1u32..=31)
        .prop_map(|(y, m, d)| format!("{y:04}-{m:02}-{d:02}"));
    let any_year =
        (0i32..=9999, 1u32..=12, 1u32..=28).prop_map(|(y, m, d)| format!("{y:04}-{m:02}-{d:02}"));
    let with_time = (
        2024i32..=2026,
        1u32..=12,
        1u32..=28,
        0u32..=24,
        0u32..=60,
        0u32..=61,
        prop::sample::select(vec![
            "", "Z", "z", "+01:00", "-05:30", "+2359", "-23", "+24:00",
        ]),
        prop::sample::select(vec!["T", " ", "t", "x"]),
    )
        .prop_map(|(y, mo, d, h, mi, s, zone, sep)| {
            format!("{y:04}-{mo:02}-{d:02}{sep}{h:02}:{mi:02}:{s:02}{zone}")
        });
    prop_oneof![
        6 => recent,
        2 => any_year,
        3 => with_time,
        1 => prop::sample::select(vec![
            "0001-01-01", "9999-12-31", "0000-02-29", "2025-02-29", "2024-02-29",
            "yesterday", "23/11/2025", "2025-11-23T09:50:00.123456789Z", "",
        ])
        .prop_map(str::to_string),
        1 => any::<String>(),
    ]
}

fn number() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => (0u32..200).prop_map(|n| n.to_string()),
        2 => any::<f64>().prop_map(|f| f.to_string()),
        3 => prop::sample::select(vec![
            "NaN", "nan", "inf", "-inf", "infinity", "-1", "-0", "0", "1e308", "1e400",
            "-1e400", "999999999999", "1e12", "1e11", ".5", "5.", "2,5", "0x10", "",
        ])
        .prop_map(str::to_string),
        1 => any::<String>(),
    ]
}

fn word(list: &'static [&'static str]) -> impl Strategy<Value = String> {
    prop_oneof![
        5 => prop::sample::select(list).prop_map(str::to_string),
        1 => any::<String>(),
        1 => Just(String::new()),
    ]
}

/// Free text with the characters that break naive CSV and JSON writers.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[\",;\t\r\n\u{0}\u{FEFF}a-zZü€ ]{0,12}",
        Just(String::new()),
    ]
}

fn record() -> impl Strategy<Value = Record> {
    let id = prop_oneof![
        4 => "[A-D]-[0-9]",
        1 => any::<String>(),
        1 => Just(String::new()),
        1 => Just("  ".to_string()),
    ];
    let bool_word = || word(&["true", "false", "yes", "no", "1", "0", "maybe"]);
    (
        (
            id,
            text(),
            word(&[
                "code",
                "infra",
                "integration",
                "regression",
                "unclassified",
                "bug",
                "configuration",
            ]),
            bool_word(),
            stage(),
            word(&[
                "requirements",
                "design",
                "code",
                "configuration",
                "environment",
                "data",
            ]),
            word(&[
                "P0", "P1", "P2", "P3", "P4", "critical", "high", "medium", "low", "lowest", "P9",
            ]),
            prop_oneof![text(), Just("2025.04".to_string())],
        ),
        (
            text(),
            text(),
            text(),
            date(),
            date(),
            date(),
            number(),
            number(),
        ),
        (
            number(),
            number(),
            number(),
            number(),
            number(),
            word(&["no_test", "ineffective_test", "review_missed", "bad_luck"]),
            bool_word(),
        ),
    )
        .prop_map(|(a, b, c)| {
            vec![
                a.0, a.1, a.2, a.3, a.4, a.5, a.6, a.7, b.0, b.1, b.2, b.3, b.4, b.5, b.6, b.7,
                c.0, c.1, c.2, c.3, c.4, c.5, c.6,
            ]
        })
}

/// How a CSV file is written: column order, delimiter, line ending, byte-order mark.
#[derive(Debug, Clone)]
struct Layout {
    columns: Vec<usize>,
    delimiter: u8,
    crlf: bool,
    bom: bool,
}

fn layout() -> impl Strategy<Value = Layout> {
    (
        // `import`'s column order (whose defused cells are read back) or any other.
        prop_oneof![
            Just((0..Field::COUNT).collect::<Vec<_>>()),
            Just((0..Field::COUNT).collect::<Vec<_>>()).prop_shuffle(),
        ],
        prop::sample::select(vec![b',', b';', b'\t']),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(columns, delimiter, crlf, bom)| Layout {
            columns,
            delimiter,
            crlf,
            bom,
        })
}

fn csv_cell(value: &str, delimiter: u8, out: &mut Vec<u8>) {
    let special = value
        .bytes()
        .any(|b| matches!(b, b'"' | b'\r' | b'\n') || b == delimiter);
    // Also quote leading/trailing spaces so what is written is what is read.
    if special || value.is_empty() || value.trim() != value {
        out.push(b'"');
        out.extend_from_slice(value.replace('"', "\"\"").as_bytes());
        out.push(b'"');
    } else {
        out.extend_from_slice(value.as_bytes());
    }
}

fn csv_rows(records: &[Record], layout: &Layout, out: &mut Vec<u8>) {
    let eol: &[u8] = if layout.crlf { b"\r\n" } else { b"\n" };
    for record in records {
        for (i, &c) in layout.columns.iter().enumerate() {
            if i > 0 {
                out.push(layout.delimiter);
            }
            // In `import`'s column order, as `import` writes it: a cell a spreadsheet would
            // run is defused. In any other order the file is not taken for its output.
            let value = match layout.columns.iter().copied().eq(0..Field::COUNT) {
                true => crate::output_csv::defuse(&record[c]),
                false => record[c].clone(),
            };
            csv_cell(&value, layout.delimiter, out);
        }
        out.extend_from_slice(eol);
    }
}

fn csv_header(layout: &Layout, out: &mut Vec<u8>) {
    if layout.bom {
        out.extend_from_slice(b"\xEF\xBB\xBF");
    }
    let names: Vec<&str> = layout
        .columns
        .iter()
        .map(|&c| Field::ALL[c].name())
        .collect();
    out.extend_from_slice(
        names
            .join(&(layout.delimiter as char).to_string())
            .as_bytes(),
    );
    out.extend_from_slice(if layout.crlf { b"\r\n" } else { b"\n" });
}

fn csv_file(records: &[Record], layout: &Layout) -> Vec<u8> {
    let mut out = Vec::new();
    csv_header(layout, &mut out);
    csv_rows(records, layout, &mut out);
    out
}

/// The same records as JSON Lines, empty values left out.
fn jsonl_file(records: &[Record]) -> Vec<u8> {
    let mut out = Vec::new();
    for record in records {
        let object: serde_json::Map<String, Value> = Field::ALL
            .iter()
            .zip(record)
            .filter(|(_, v)| !v.is_empty())
            .map(|(f, v)| (f.name().to_string(), Value::String(v.clone())))
            .collect();
        out.extend_from_slice(Value::Object(object).to_string().as_bytes());
        out.push(b'\n');
    }
    out
}

fn choice() -> impl Strategy<Value = PeriodChoice> {
    prop_oneof![
        3 => Just(PeriodChoice::LatestFullQuarter),
        1 => prop::sample::select(vec!["2025-Q4", "2025-11", "2025-W47", "2024-12-15..2025-02-14"])
            .prop_map(|p| PeriodChoice::Given(Period::parse(p, &[]).expect("a valid period"))),
    ]
}

fn settings() -> (Config, Settings) {
    let config = Config::default();
    let settings = Settings::from_config(&config).expect("default settings");
    (config, settings)
}

fn compute(inputs: &[(&str, &[u8], Format)], choice: PeriodChoice) -> Metrics {
    let (config, settings) = settings();
    let mut ingest = Ingest::new(&config, choice);
    for (name, bytes, format) in inputs {
        ingest
            .read_from(name, *bytes, Some(format.clone()))
            .expect("reading bytes in memory cannot fail");
    }
    ingest.finish(&settings)
}

/// What `import` writes for `bytes`, with the data quality of reading them.
fn import(bytes: &[u8], format: Format) -> (Vec<u8>, crate::metrics::quality::DataQuality) {
    let (config, _) = settings();
    let mut ingest = Ingest::new(&config, PeriodChoice::LatestFullQuarter);
    ingest.export_rows();
    ingest
        .read_from("gen", bytes, Some(format))
        .expect("reading bytes in memory cannot fail");
    ingest.exported()
}

fn assert_rate_in_interval(rate: Option<f64>, low: Option<f64>, high: Option<f64>) {
    match (rate, low, high) {
        (Some(r), Some(lo), Some(hi)) => {
            assert!((0.0..=1.0).contains(&r), "escape rate {r} outside [0, 1]");
            assert!(
                0.0 <= lo && lo <= r && r <= hi && hi <= 1.0,
                "escape rate {r} outside its interval [{lo}, {hi}]"
            );
        }
        (None, None, None) => {}
        other => panic!("the rate and its interval disagree: {other:?}"),
    }
}

fn check_invariants(m: &Metrics, rows: u64) {
    let q = &m.data_quality;
    assert_eq!(q.rows_read, rows, "every row is read once: {q:?}");
    assert_eq!(q.rows_read, q.rows_used + q.rows_skipped + q.duplicates);
    for f in &q.files {
        assert_eq!(
            f.rows_read,
            f.rows_used + f.rows_skipped + f.duplicates,
            "{f:?}"
        );
    }
    assert_eq!(
        q.files.iter().map(|f| f.rows_read).sum::<u64>(),
        q.rows_read
    );
    let t = &m.totals;
    assert!(t.escaped <= t.problems && t.problems <= q.rows_used);
    assert_eq!(t.escape_rate.is_some(), t.problems > 0);
    assert_rate_in_interval(t.escape_rate, t.ci95_low, t.ci95_high);
    if let Some(w) = t.weighted_escape_rate {
        assert!((0.0..=1.0).contains(&w), "weighted rate {w}");
    }
    if let Some(d) = t.detection_rate {
        assert!((0.0..=1.0).contains(&d), "detection rate {d}");
    }
    assert!(
        t.cost_hours.is_finite() && t.cost_hours >= 0.0,
        "cost {}",
        t.cost_hours
    );
    assert!(t.estimated_hours <= t.cost_hours);
    for row in m.quarters.iter().map(|r| r.escape_rate) {
        assert!(row.is_none_or(|r| (0.0..=1.0).contains(&r)));
    }
    for row in m.by_type.iter() {
        assert!(row.cost_hours.is_finite() && row.cost_hours >= 0.0);
        assert!(row.share.is_none_or(|s| (0.0..=1.0).contains(&s)));
    }
    serde_json::to_string(m).expect("the metrics serialise");
}

/// The metrics JSON without what depends on how the input was split into files: the
/// per-file counts, each finding's file, line and message (which names a location),
/// and the whole-file "no rows" finding (one per file without rows; JSON Lines have no
/// header to be alone in the file).
fn comparable(m: &Metrics) -> Value {
    let mut value = serde_json::to_value(m).expect("the metrics serialise");
    let quality = value
        .get_mut("data_quality")
        .and_then(Value::as_object_mut)
        .expect("data_quality is an object");
    quality.remove("files");
    quality.remove("findings");
    let no_rows = |f: &&crate::model::Finding| f.reason == "no rows";
    let alone = m.data_quality.findings.iter().filter(no_rows).count() as u64;
    quality.insert(
        "findings_total".into(),
        (m.data_quality.findings_total - alone).into(),
    );
    if let Some(skipped) = quality
        .get_mut("skipped_by_reason")
        .and_then(Value::as_object_mut)
    {
        skipped.remove("no rows");
    }
    let findings: Vec<Value> = m
        .data_quality
        .findings
        .iter()
        .filter(|f| !no_rows(f))
        .map(|f| serde_json::json!([f.column, format!("{:?}", f.outcome), f.reason]))
        .collect();
    quality.insert("findings".into(), Value::Array(findings));
    value
}

/// 32 cases per property in `cargo test`; `PROPTEST_CASES=5000 cargo test properties`
/// searches harder.
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(32)
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: cases(),
        max_shrink_iters: 2_000,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// Arbitrary records as CSV never panic, every row is accounted for, and the rates
    /// stay in [0, 1] and inside their interval.
    #[test]
    fn csv_records_keep_the_invariants(
        records in prop::collection::vec(record(), 0..16),
        layout in layout(),
        choice in choice(),
    ) {
        let bytes = csv_file(&records, &layout);
        let m = compute(&[("gen.csv", &bytes, Format::Csv)], choice);
        check_invariants(&m, records.len() as u64);
    }

    /// The same records as JSON Lines give the same figures as the CSV (only line numbers
    /// and the format differ).
    #[test]
    fn jsonl_reads_the_same_records_as_csv(
        records in prop::collection::vec(record(), 0..10),
        layout in layout(),
    ) {
        let csv = csv_file(&records, &layout);
        let jsonl = jsonl_file(&records);
        let a = compute(&[("gen", &csv, Format::Csv)], PeriodChoice::LatestFullQuarter);
        let b = compute(&[("gen", &jsonl, Format::Jsonl)], PeriodChoice::LatestFullQuarter);
        check_invariants(&b, records.len() as u64);
        prop_assert_eq!(comparable(&a), comparable(&b));
    }

    /// Reading two files one after the other equals reading their concatenation.
    #[test]
    fn two_inputs_equal_their_concatenation(
        first in prop::collection::vec(record(), 0..8),
        second in prop::collection::vec(record(), 0..8),
        layout in layout(),
        choice in choice(),
    ) {
        let a = csv_file(&first, &layout);
        let b = csv_file(&second, &layout);
        let mut both = a.clone();
        csv_rows(&second, &layout, &mut both);
        let split = compute(
            &[("a.csv", &a, Format::Csv), ("b.csv", &b, Format::Csv)],
            choice.clone(),
        );
        let joined = compute(&[("ab.csv", &both, Format::Csv)], choice);
        check_invariants(&split, (first.len() + second.len()) as u64);
        check_invariants(&joined, (first.len() + second.len()) as u64);
        prop_assert_eq!(split.data_quality.files.len(), 2);
        prop_assert_eq!(comparable(&split), comparable(&joined));
    }

    /// `import` of arbitrary records (as CSV or JSON Lines) read back as native CSV uses
    /// every row it wrote, skips none, and writes the very same CSV again.
    #[test]
    fn the_import_reads_back_unchanged(
        records in prop::collection::vec(record(), 0..12),
        layout in layout(),
        as_jsonl in any::<bool>(),
    ) {
        let (bytes, format) = match as_jsonl {
            true => (jsonl_file(&records), Format::Jsonl),
            false => (csv_file(&records, &layout), Format::Csv),
        };
        let (csv, first) = import(&bytes, format);
        let (again, read_back) = import(&csv, Format::Csv);
        prop_assert_eq!(read_back.rows_read, first.rows_used);
        prop_assert_eq!(read_back.rows_used, first.rows_used);
        prop_assert_eq!(String::from_utf8_lossy(&again), String::from_utf8_lossy(&csv));
    }

    /// Arbitrary bytes in any format never panic and keep the Data quality invariant.
    #[test]
    fn arbitrary_bytes_never_panic(
        bytes in prop::collection::vec(any::<u8>(), 0..512),
        prefix in prop::sample::select(vec![
            &b""[..], b"id,found_stage,detected_at\n", b"[", b"[{\"id\":", b"{\"id\":",
        ]),
    ) {
        let mut input = prefix.to_vec();
        input.extend_from_slice(&bytes);
        for format in [Format::Csv, Format::Json, Format::Jsonl] {
            let m = compute(&[("bytes", &input, format)], PeriodChoice::LatestFullQuarter);
            let q = &m.data_quality;
            prop_assert_eq!(q.rows_read, q.rows_used + q.rows_skipped + q.duplicates);
            assert_rate_in_interval(m.totals.escape_rate, m.totals.ci95_low, m.totals.ci95_high);
        }
    }
}

#[test]
fn the_generators_write_what_the_readers_read() {
    // A fixed record through the CSV writer above: one problem, used, escaped.
    let mut record: Record = vec![String::new(); Field::COUNT];
    record[Field::Id.index()] = "P-1".into();
    record[Field::Title.index()] = "a \"quoted\", multi\nline title".into();
    record[Field::FoundStage.index()] = "production".into();
    record[Field::DetectedAt.index()] = "2025-11-05".into();
    record[Field::Type.index()] = "code".into();
    let layout = Layout {
        columns: (0..Field::COUNT).rev().collect(),
        delimiter: b';',
        crlf: true,
        bom: true,
    };
    let bytes = csv_file(std::slice::from_ref(&record), &layout);
    let m = compute(
        &[("fixed.csv", &bytes, Format::Csv)],
        PeriodChoice::Given(Period::parse("2025-Q4", &[]).expect("period")),
    );
    assert_eq!(
        (m.data_quality.rows_used, m.totals.escaped),
        (1, 1),
        "{:?}",
        m.data_quality.findings
    );
    let jsonl = jsonl_file(&[record]);
    let j = compute(
        &[("fixed.jsonl", &jsonl, Format::Jsonl)],
        PeriodChoice::Given(Period::parse("2025-Q4", &[]).expect("period")),
    );
    assert_eq!(comparable(&m), comparable(&j));
}

#[test]
fn the_generated_records_reach_every_outcome() {
    // Guards the generators: with a fixed seed, generated rows must include usable,
    // escaped, skipped and duplicate ones, or the properties above would test little.
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let records: Vec<Record> = (0..200)
        .map(|_| record().new_tree(&mut runner).expect("a record").current())
        .collect();
    let layout = Layout {
        columns: (0..Field::COUNT).collect(),
        delimiter: b',',
        crlf: false,
        bom: false,
    };
    let m = compute(
        &[("gen.csv", &csv_file(&records, &layout), Format::Csv)],
        PeriodChoice::Given(Period::parse("2024-01-01..2026-12-31", &[]).expect("period")),
    );
    check_invariants(&m, 200);
    let q = &m.data_quality;
    assert!(q.rows_used > 20, "{q:?}");
    assert!(q.rows_skipped > 20, "{q:?}");
    assert!(q.duplicates > 5, "{q:?}");
    assert!(m.totals.escaped > 5, "{:?}", m.totals);
    assert!(!q.repaired_by_reason.is_empty(), "{q:?}");
}
