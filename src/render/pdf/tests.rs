//! PDFs of reports built through the real pipeline (CSV → ingest → narrative and
//! charts), parsed back with lopdf.

use std::io::Write as _;
use std::path::Path;

use lopdf::{Dictionary, Document, Object};

use super::*;
use crate::ingest::Ingest;
use crate::input::Source;
use crate::metrics::{Metrics, PeriodChoice, Settings};
use crate::model::period::Period;
use crate::model::Config;
use crate::narrative::{Section, Table};

const DATE: i64 = 1_790_000_000;

fn metrics_from(path: &Path, choice: PeriodChoice) -> (Metrics, Settings) {
    let config = Config::default();
    let settings = Settings::from_config(&config).unwrap();
    let mut ingest = Ingest::new(&config, choice);
    ingest
        .read(&Source::Path(path.to_path_buf()), None)
        .unwrap();
    (ingest.finish(&settings), settings)
}

/// The report and charts of the bundled samples (latest full quarter).
fn sample(audience: Audience) -> (Report, Vec<Chart>) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/problems.csv");
    let (metrics, settings) = metrics_from(&path, PeriodChoice::LatestFullQuarter);
    let report = crate::narrative::build(&metrics, &settings, audience);
    (report, crate::charts::all(&metrics, &settings.bands))
}

/// The report of CSV rows (after the header) for 2025-Q4.
fn from_rows(rows: &str, audience: Audience) -> (Report, Vec<Chart>) {
    let mut file = tempfile::NamedTempFile::with_suffix(".csv").unwrap();
    file.write_all(b"id,title,found_stage,detected_at,type,severity,cost_hours\n")
        .unwrap();
    file.write_all(rows.as_bytes()).unwrap();
    let period = Period::parse("2025-Q4", &[]).unwrap();
    let (metrics, settings) = metrics_from(file.path(), PeriodChoice::Given(period));
    let report = crate::narrative::build(&metrics, &settings, audience);
    (report, crate::charts::all(&metrics, &settings.bands))
}

fn pdf(report: &Report, charts: &[Chart], paper: Paper) -> Vec<u8> {
    let options = PdfOptions {
        paper,
        creation_date: DATE,
    };
    render_pdf(report, charts, &options).unwrap()
}

fn parse(bytes: &[u8]) -> Document {
    Document::load_mem(bytes).unwrap()
}

/// Text without white space: lopdf joins lines without a separator, and a sentence
/// wrapped over lines must still be found.
fn squash(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

/// The text of every page, squashed.
fn page_texts(doc: &Document) -> Vec<String> {
    (1..=doc.get_pages().len() as u32)
        .map(|n| squash(&doc.extract_text(&[n]).unwrap()))
        .collect()
}

fn page_sizes(doc: &Document) -> Vec<(f32, f32)> {
    doc.page_iter()
        .map(|id| {
            let page = doc.get_dictionary(id).unwrap();
            let b = page.get(b"MediaBox").unwrap().as_array().unwrap();
            let n = |o: &Object| o.as_float().unwrap();
            (n(&b[2]) - n(&b[0]), n(&b[3]) - n(&b[1]))
        })
        .collect()
}

fn dicts(doc: &Document) -> impl Iterator<Item = &Dictionary> {
    doc.objects.values().filter_map(|o| match o {
        Object::Dictionary(d) => Some(d),
        Object::Stream(s) => Some(&s.dict),
        _ => None,
    })
}

fn has(dict: &Dictionary, key: &[u8], name: &[u8]) -> bool {
    dict.get(key).and_then(Object::as_name).ok() == Some(name)
}

fn resolve<'a>(doc: &'a Document, o: &'a Object) -> &'a Object {
    match o {
        Object::Reference(id) => doc.get_object(*id).unwrap(),
        other => other,
    }
}

/// Everything the HTML shows, as text: the PDF must contain each piece.
fn expected_text(report: &Report, charts: &[Chart]) -> Vec<String> {
    let mut out = vec![
        report.title.clone(),
        report.subtitle.clone(),
        closing_line(report),
    ];
    out.extend(report.headline.iter().cloned());
    for f in &report.figures {
        out.extend([f.label.clone(), f.value.clone(), f.detail.clone()]);
    }
    out.extend(report.small_sample_note.iter().cloned());
    for s in &report.sections {
        out.push(s.heading.clone());
        out.extend(s.paragraphs.iter().cloned());
        out.extend(s.bullets.iter().cloned());
        out.extend(s.note.iter().cloned());
        if let Some(t) = &s.table {
            out.extend(t.columns.iter().map(|c| c.title.clone()));
            out.extend(t.rows.iter().flatten().cloned());
        }
        out.extend(chart_for(charts, s.chart.as_deref()).map(|c| c.title.clone()));
    }
    out
}

#[test]
fn every_audience_says_everything_its_report_says() {
    for audience in [Audience::Sprint, Audience::Em, Audience::Board] {
        let (report, charts) = sample(audience);
        let doc = parse(&pdf(&report, &charts, Paper::A4));
        let text = page_texts(&doc).concat();
        for piece in expected_text(&report, &charts) {
            assert!(
                text.contains(&squash(&piece)),
                "{audience:?}: missing {piece:?}"
            );
        }
    }
}

/// `n` problems caught before release in October 2025.
fn caught(n: usize) -> String {
    (0..n)
        .map(|i| format!("C-{i},caught,unit,2025-10-{:02},,P2,\n", i % 28 + 1))
        .collect()
}

#[test]
fn key_sentences_and_figures() {
    let rows = caught(40)
        + "E-1,Login fails,production,2025-11-03,code,P1,6\n\
           E-2,Cart empties,production,2025-11-04,code,P2,4\n\
           E-3,DNS outage,production,2025-11-05,infra,P0,12\n";
    let (report, charts) = from_rows(&rows, Audience::Sprint);
    let text = page_texts(&parse(&pdf(&report, &charts, Paper::A4))).concat();
    for expected in [
        "In 2025-Q4 we had 3 escaped problems: 2 code defects and 1 infrastructure problem.",
        "Cost: 22 hours.",
        "The infrastructure problem was the most expensive (12 hours, 54.5 % of the cost).",
        "an escape rate of 7.0 %",
        "E-3DNS outageInfrastructureP012.0",
    ] {
        assert!(text.contains(&squash(expected)), "missing {expected:?}");
    }
}

#[test]
fn every_page_has_a_footer_with_period_and_page_number() {
    let (report, charts) = sample(Audience::Em);
    let pages = page_texts(&parse(&pdf(&report, &charts, Paper::A4)));
    assert!(pages.len() > 1);
    for (i, page) in pages.iter().enumerate() {
        let footer = format!(
            "2026-Q3 · 1 July 2026 to 30 September 2026escape-report · page {} of {}",
            i + 1,
            pages.len()
        );
        assert!(page.contains(&squash(&footer)), "page {}: {page}", i + 1);
    }
}

#[test]
fn documents_are_portrait_a4_or_letter() {
    let (report, charts) = sample(Audience::Sprint);
    for (paper, size) in [(Paper::A4, (595, 842)), (Paper::Letter, (612, 792))] {
        let sizes = page_sizes(&parse(&pdf(&report, &charts, paper)));
        assert!(sizes.len() >= 2);
        for (w, h) in sizes {
            assert_eq!((w.round() as i32, h.round() as i32), size, "{paper:?}");
        }
    }
}

#[test]
fn board_is_a_16_9_deck_with_a_slide_per_section() {
    let (report, charts) = sample(Audience::Board);
    let doc = parse(&pdf(&report, &charts, Paper::Letter));
    let sizes = page_sizes(&doc);
    assert_eq!(sizes.len(), 1 + report.sections.len());
    for (w, h) in sizes {
        assert_eq!((w, h), (960.0, 540.0));
        assert!((w / h - 16.0 / 9.0).abs() < 1e-3);
    }
    let slides = page_texts(&doc);
    assert!(slides[0].contains(&squash(&report.headline[0])));
    for (slide, section) in slides[1..].iter().zip(&report.sections) {
        assert!(slide.starts_with(&squash(&section.heading)), "{slide}");
    }
}

#[test]
fn every_font_is_embedded() {
    let (report, charts) = sample(Audience::Sprint);
    let doc = parse(&pdf(&report, &charts, Paper::A4));
    let fonts: Vec<&Dictionary> = dicts(&doc).filter(|d| has(d, b"Type", b"Font")).collect();
    let composite: Vec<&Dictionary> = fonts
        .iter()
        .copied()
        .filter(|d| has(d, b"Subtype", b"Type0"))
        .collect();
    // Our regular and bold, and each chart's own subset.
    assert!(composite.len() >= 3, "{} fonts", composite.len());
    for font in &fonts {
        let subtype = font.get(b"Subtype").unwrap().as_name().unwrap();
        assert!(
            subtype == b"Type0" || subtype == b"CIDFontType2",
            "a font that is not embedded: {font:?}"
        );
    }
    for font in composite {
        assert!(font.get(b"ToUnicode").is_ok(), "text must stay searchable");
        let descendants = resolve(&doc, font.get(b"DescendantFonts").unwrap());
        let cid = resolve(&doc, &descendants.as_array().unwrap()[0])
            .as_dict()
            .unwrap();
        let descriptor = resolve(&doc, cid.get(b"FontDescriptor").unwrap())
            .as_dict()
            .unwrap();
        let file = resolve(&doc, descriptor.get(b"FontFile2").unwrap());
        assert!(!file.as_stream().unwrap().content.is_empty());
        let name = descriptor.get(b"FontName").unwrap().as_name().unwrap();
        assert!(
            name.ends_with(b"+DejaVuSans") || name.ends_with(b"+DejaVuSans-Bold"),
            "{}",
            String::from_utf8_lossy(name)
        );
    }
}

#[test]
fn fonts_are_subsets_and_the_file_stays_small() {
    let (report, charts) = sample(Audience::Sprint);
    let bytes = pdf(&report, &charts, Paper::A4);
    // Whole DejaVu Sans regular and bold are about 1.4 MB before compression.
    assert!(bytes.len() < 250_000, "{} bytes", bytes.len());
}

#[test]
fn charts_are_vector_forms_with_real_text() {
    let (report, charts) = sample(Audience::Em);
    let doc = parse(&pdf(&report, &charts, Paper::A4));
    let shown: std::collections::BTreeSet<&str> = report
        .sections
        .iter()
        .filter_map(|s| s.chart.as_deref())
        .collect();
    let forms: Vec<&lopdf::Stream> = doc
        .objects
        .values()
        .filter_map(|o| o.as_stream().ok())
        .filter(|s| has(&s.dict, b"Subtype", b"Form"))
        .collect();
    assert_eq!(forms.len(), shown.len());
    for form in forms {
        let content = String::from_utf8_lossy(&form.decompressed_content().unwrap()).into_owned();
        assert!(content.contains("BT") && content.contains("Tj") || content.contains("TJ"));
        let resources = resolve(&doc, form.dict.get(b"Resources").unwrap())
            .as_dict()
            .unwrap();
        assert!(resources.get(b"Font").is_ok(), "chart labels need a font");
    }
}

#[test]
fn a_missing_chart_is_left_out() {
    let (report, _) = sample(Audience::Board);
    let doc = parse(&pdf(&report, &[], Paper::A4));
    let text = page_texts(&doc).concat();
    assert!(text.contains(&squash(&report.headline[0])));
    assert!(!doc.objects.values().any(|o| o
        .as_stream()
        .is_ok_and(|s| has(&s.dict, b"Subtype", b"Form"))));
}

#[test]
fn a_300_row_table_spans_pages_and_repeats_its_header() {
    let (mut report, charts) = sample(Audience::Sprint);
    let mut table = Table::new(&[("Id", false), ("Title", false), ("Hours", true)]);
    for i in 0..300 {
        table.rows.push(vec![
            format!("R-{i:03}"),
            format!("Row number {i}"),
            format!("{i}.0"),
        ]);
    }
    report.sections.push(Section {
        id: "long".into(),
        heading: "A long table".into(),
        table: Some(table),
        ..Section::default()
    });
    let pages = page_texts(&parse(&pdf(&report, &charts, Paper::A4)));
    let holding: Vec<&String> = pages.iter().filter(|p| p.contains("R-")).collect();
    assert!(holding.len() >= 4, "{} pages", holding.len());
    let mut next = 0;
    for page in holding {
        assert!(page.contains("IdTitleHours"), "no header: {page}");
        while let Some(at) = page.find(&format!("R-{next:03}Rownumber{next}{next}.0")) {
            assert!(at > page.find("IdTitleHours").unwrap());
            next += 1;
            if next == 300 {
                break;
            }
        }
    }
    assert_eq!(next, 300, "every row once, whole and in order");
}

#[test]
fn non_ascii_text_survives_extraction() {
    let rows = "E-1,Zürich — 5 € naïve café,production,2025-11-03,code,P1,6\n\
                E-2,Ελληνικά γράμματα,production,2025-11-04,infra,P2,4\n\
                E-3,Кириллица в заголовке,production,2025-11-05,integration,P2,3\n\
                C-1,caught,unit,2025-10-01,,P3,\n";
    let (report, charts) = from_rows(rows, Audience::Sprint);
    let text = page_texts(&parse(&pdf(&report, &charts, Paper::A4))).concat();
    for title in [
        "Zürich — 5 € naïve café",
        "Ελληνικά γράμματα",
        "Кириллица в заголовке",
    ] {
        assert!(text.contains(&squash(title)), "missing {title}");
    }
}

#[test]
fn an_empty_period_still_renders() {
    let (report, charts) = from_rows("C-1,caught,unit,2025-05-01,,P3,\n", Audience::Em);
    let text = page_texts(&parse(&pdf(&report, &charts, Paper::A4))).concat();
    assert!(text.contains(&squash(&report.headline[0])));
}

#[test]
fn the_same_input_gives_the_same_bytes() {
    let (report, charts) = sample(Audience::Board);
    let first = pdf(&report, &charts, Paper::A4);
    let second = pdf(&report, &charts, Paper::A4);
    if first != second {
        std::fs::write("/tmp/pdfcheck/det1.pdf", &first).unwrap();
        std::fs::write("/tmp/pdfcheck/det2.pdf", &second).unwrap();
    }
    assert!(first == second, "two renders differ");
    let options = PdfOptions {
        paper: Paper::A4,
        creation_date: DATE + 86_400,
    };
    assert!(first != render_pdf(&report, &charts, &options).unwrap());
}

#[test]
fn creation_dates_past_the_calendar_are_brought_inside() {
    let (report, charts) = sample(Audience::Sprint);
    for (created, expected) in [
        (253_402_300_800, "D:99991231235959+00'00'"),
        (i64::MAX, "D:99991231235959+00'00'"),
        (i64::MIN, "D:00010101000000+00'00'"),
    ] {
        let options = PdfOptions {
            paper: Paper::A4,
            creation_date: created,
        };
        let doc = parse(&render_pdf(&report, &charts, &options).unwrap());
        let info = resolve(&doc, doc.trailer.get(b"Info").unwrap())
            .as_dict()
            .unwrap();
        let date = lopdf::decode_text_string(info.get(b"CreationDate").unwrap()).unwrap();
        assert_eq!(date, expected);
    }
}

#[test]
fn metadata_comes_from_the_report_and_options() {
    let (report, charts) = sample(Audience::Sprint);
    let doc = parse(&pdf(&report, &charts, Paper::A4));
    let info = resolve(&doc, doc.trailer.get(b"Info").unwrap())
        .as_dict()
        .unwrap();
    let text = |key: &[u8]| lopdf::decode_text_string(info.get(key).unwrap()).unwrap();
    assert_eq!(text(b"Title"), report.title);
    assert_eq!(text(b"Subject"), report.subtitle);
    // 1 790 000 000 s after the epoch.
    assert_eq!(text(b"CreationDate"), "D:20260921141320+00'00'");
    assert!(info.get(b"GTS_PDFXVersion").is_err(), "not a PDF/X file");
    assert!(info.get(b"Author").is_err(), "no empty entries");
}

/// Laid-out pages: no two text items overlap, and every one stays between the margins.
fn assert_text_apart_and_inside(pages: &draw::Pages, fonts: &fonts::Fonts, margin: f32) {
    for (n, page) in pages.pages.iter().enumerate() {
        let boxes = layout::text_boxes(fonts, page);
        for &(x0, x1, _, _, text) in &boxes {
            assert!(
                x0 >= margin - 0.01 && x1 <= pages.width - margin + 0.01,
                "page {}: {text:?} ({x0}..{x1}) outside the margins",
                n + 1
            );
        }
        layout::assert_boxes_apart(&boxes, &format!("page {}: ", n + 1));
    }
}

/// Every text item of every page.
fn item_texts(pages: &draw::Pages) -> Vec<&str> {
    pages
        .pages
        .iter()
        .flatten()
        .filter_map(|i| match i {
            layout::Item::Text { text, .. } => Some(text.as_str()),
            _ => None,
        })
        .collect()
}

/// Escaped problems whose first title holds an unbroken URL of `len` characters.
fn long_token_rows(len: usize) -> String {
    format!(
        "L1,500 from https://shop.example.com/{},production,2025-11-01,code,P1,5\n\
         L2,Short one,production,2025-11-02,infra,P2,4\n",
        "x".repeat(len)
    )
}

#[test]
fn a_long_token_in_a_title_keeps_the_document_table_apart() {
    let fonts = fonts::Fonts::load().unwrap();
    for len in [90, 250] {
        let (report, charts) = from_rows(&long_token_rows(len), Audience::Sprint);
        for paper in [Paper::A4, Paper::Letter] {
            let pages = document::layout(&report, &charts, fonts, paper);
            assert_text_apart_and_inside(&pages, fonts, 56.0);
            let items = item_texts(&pages);
            for whole in [
                "Id",
                "Severity",
                "Hours",
                "L1",
                "L2",
                "5.0",
                "Code defect",
                "P1",
            ] {
                assert!(items.contains(&whole), "{len}: {whole:?} was broken");
            }
        }
        let text = page_texts(&parse(&pdf(&report, &charts, Paper::A4))).concat();
        let header = squash("Id Title Type Severity Hours");
        assert!(text.contains(&header), "{text}");
        assert!(text.contains("L2ShortoneInfrastructureP24.0"), "{text}");
    }
}

#[test]
fn a_long_token_in_a_slide_table_keeps_it_apart() {
    let fonts = fonts::Fonts::load().unwrap();
    let (sprint, _) = from_rows(&long_token_rows(250), Audience::Sprint);
    let (mut report, charts) = sample(Audience::Board);
    let table = sprint
        .sections
        .iter()
        .find_map(|s| s.table.clone().filter(|t| t.columns[0].title == "Id"))
        .unwrap();
    // Beside a chart, in the slide's narrow left column.
    let section = report
        .sections
        .iter_mut()
        .find(|s| s.chart.is_some() && !s.paragraphs.is_empty())
        .unwrap();
    section.table = Some(table);
    let pages = deck::layout(&report, &charts, fonts);
    assert_text_apart_and_inside(&pages, fonts, 64.0);
    let items = item_texts(&pages);
    for whole in ["Id", "Hours", "L1", "L2", "5.0", "4.0", "Infrastructure"] {
        assert!(items.contains(&whole), "{whole:?} was broken");
    }
}

#[test]
fn the_samples_lay_out_without_overlapping_text() {
    let fonts = fonts::Fonts::load().unwrap();
    for audience in [Audience::Sprint, Audience::Em] {
        let (report, charts) = sample(audience);
        let pages = document::layout(&report, &charts, fonts, Paper::A4);
        assert_text_apart_and_inside(&pages, fonts, 56.0);
    }
    let (report, charts) = sample(Audience::Board);
    assert_text_apart_and_inside(&deck::layout(&report, &charts, fonts), fonts, 64.0);
}

#[test]
fn a_long_period_name_is_shortened_in_the_footer_beside_the_page_number() {
    let fonts = fonts::Fonts::load().unwrap();
    let name = "Sprint 42 – Checkout hardening and the payment-provider migration for the DACH region (Zürich, Wien, München) with extra scope";
    for audience in [Audience::Sprint, Audience::Board] {
        let (mut report, charts) = sample(audience);
        report.period.label = name.into();
        let pages = match audience {
            Audience::Board => vec![(deck::layout(&report, &charts, fonts), 64.0)],
            _ => [Paper::A4, Paper::Letter]
                .map(|paper| (document::layout(&report, &charts, fonts, paper), 56.0))
                .into(),
        };
        for (pages, margin) in pages {
            assert_text_apart_and_inside(&pages, fonts, margin);
            let footers: Vec<&str> = item_texts(&pages)
                .into_iter()
                .filter(|t| t.ends_with(" · 1 July 2026 to 30 September 2026"))
                .collect();
            assert_eq!(footers.len(), pages.pages.len(), "{footers:?}");
            for footer in footers {
                assert!(footer.starts_with("Sprint 42 – Checkout hardening"));
                assert!(footer.contains("… · "), "{footer}");
            }
        }
    }
}
