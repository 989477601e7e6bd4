//! Sentences for crafted cases, built through the real engine.

use std::io::Write;

use super::*;
use crate::ingest::Ingest;
use crate::input::Source;
use crate::metrics::PeriodChoice;
use crate::model::period::Period;
use crate::model::Config;

const HEADER: &str = "id,title,found_stage,detected_at,type,severity,cost_hours\n";

/// Builds a report from CSV rows (after the header) for the period 2025-Q4.
fn report(rows: &str, audience: Audience) -> Report {
    report_with(rows, audience, "")
}

fn report_with(rows: &str, audience: Audience, config: &str) -> Report {
    report_for(rows, audience, config, "2025-Q4")
}

fn report_for(rows: &str, audience: Audience, config: &str, period: &str) -> Report {
    let config = Config::from_toml(config).unwrap();
    let settings = Settings::from_config(&config).unwrap();
    let mut file = tempfile::NamedTempFile::with_suffix(".csv").unwrap();
    file.write_all(HEADER.as_bytes()).unwrap();
    file.write_all(rows.as_bytes()).unwrap();
    let period = Period::parse(period, &config.sprints).unwrap();
    let mut ingest = Ingest::new(&config, PeriodChoice::Given(period));
    ingest
        .read(&Source::Path(file.path().to_path_buf()), None)
        .unwrap();
    build(&ingest.finish(&settings), &settings, audience)
}

/// `n` pre-release problems in October 2025.
fn caught(n: usize) -> String {
    (0..n)
        .map(|i| format!("C-{i},caught,unit,2025-10-{:02},,P2,\n", i % 28 + 1))
        .collect()
}

#[test]
fn three_escapes_of_two_types() {
    let rows = caught(40)
        + "E-1,Login fails,production,2025-11-03,code,P1,6\n\
           E-2,Cart empties,production,2025-11-04,code,P2,4\n\
           E-3,DNS outage,production,2025-11-05,infra,P0,12\n";
    let r = report(&rows, Audience::Sprint);
    assert_eq!(
        r.headline,
        [
            "In 2025-Q4 we had 3 escaped problems: 2 code defects and 1 infrastructure problem.",
            "Cost: 22 hours.",
            "The infrastructure problem was the most expensive (12 hours, 54.5 % of the cost).",
        ]
    );
    let expensive = r
        .sections
        .iter()
        .find(|s| s.id == "most-expensive")
        .unwrap();
    assert_eq!(
        expensive.paragraphs[0],
        "The most expensive was E-3 “DNS outage” (infrastructure problem, P0), at 12 hours."
    );
}

#[test]
fn zero_escapes_are_said_in_words() {
    let r = report(&caught(35), Audience::Sprint);
    assert_eq!(
        r.headline,
        ["In 2025-Q4, no problems escaped: all 35 problems found were caught before production."]
    );
    assert!(r.sections.iter().all(|s| s.id != "escaped-problems"));
    let empty = report("", Audience::Sprint);
    assert_eq!(
        empty.headline,
        ["In 2025-Q4, no problems were recorded: there is nothing to report for this period."]
    );
    let board = report("", Audience::Board);
    assert_eq!(board.headline, ["In 2025-Q4, no problems were recorded."]);
}

#[test]
fn one_escape() {
    let rows = caught(40) + "E-1,Checkout 500,production,2025-11-03,integration,P1,7.5\n";
    let r = report(&rows, Audience::Sprint);
    assert_eq!(
        r.headline,
        [
            "In 2025-Q4 we had 1 integration failure.",
            "Cost: about 8 hours."
        ]
    );
}

#[test]
fn a_tie_for_most_expensive() {
    let rows = caught(40)
        + "E-1,One,production,2025-11-03,code,P1,5\n\
           E-2,Two,production,2025-11-04,integration,P2,5\n";
    let r = report(&rows, Audience::Sprint);
    assert_eq!(
        r.headline[2],
        "The code defect and the integration failure cost the same, 5 hours each."
    );
    let expensive = r
        .sections
        .iter()
        .find(|s| s.id == "most-expensive")
        .unwrap();
    assert_eq!(
        expensive.paragraphs[0],
        "2 problems tie as the most expensive, at 5 hours each: E-1 “One” (code defect, P1) and E-2 “Two” (integration failure, P2)."
    );
}

#[test]
fn a_small_sample_is_flagged_everywhere() {
    let rows = caught(9) + "E-1,Crash,production,2025-11-03,code,P1,3\n";
    for audience in [Audience::Sprint, Audience::Em, Audience::Board] {
        let r = report(&rows, audience);
        assert_eq!(
            r.small_sample_note.as_deref(),
            Some("These rates rest on only 10 problems, fewer than 30: a single problem moves them a lot, so read them as rough."),
            "{audience:?}"
        );
    }
}

#[test]
fn estimated_costs_say_about() {
    let rows = caught(40) + "E-1,No hours,production,2025-11-03,regression,P2,\n";
    let r = report(&rows, Audience::Sprint);
    // The cost model's default for a regression is 8.5 hours.
    assert_eq!(r.headline[1], "Cost: about 9 hours, all estimated.");
    let expensive = r
        .sections
        .iter()
        .find(|s| s.id == "most-expensive")
        .unwrap();
    assert!(
        expensive.paragraphs[0].ends_with(
            "at about 9 hours, estimated from the cost model because no hours were logged."
        ),
        "{}",
        expensive.paragraphs[0]
    );
}

#[test]
fn money_appears_when_a_rate_is_set() {
    let rows = caught(40) + "E-1,Crash,production,2025-11-03,code,P1,10\n";
    let r = report_with(
        &rows,
        Audience::Sprint,
        "[cost]\nhourly_rate = 100.0\ncurrency = \"EUR\"\n",
    );
    assert_eq!(r.headline[1], "Cost: 10 hours (about 1,000 EUR).");
}

#[test]
fn no_team_is_named_in_any_report() {
    let config = Config::default();
    let settings = Settings::from_config(&config).unwrap();
    let mut file = tempfile::NamedTempFile::with_suffix(".csv").unwrap();
    writeln!(file, "id,found_stage,detected_at,type,team,component").unwrap();
    for i in 0..40 {
        let stage = if i % 4 == 0 { "production" } else { "unit" };
        writeln!(
            file,
            "T-{i},{stage},2025-11-0{},code,Zanzibar{},checkout",
            i % 9 + 1,
            i % 3
        )
        .unwrap();
    }
    let period = Period::parse("2025-Q4", &[]).unwrap();
    let mut ingest = Ingest::new(&config, PeriodChoice::Given(period));
    ingest
        .read(&Source::Path(file.path().to_path_buf()), None)
        .unwrap();
    let metrics = ingest.finish(&settings);
    for audience in [Audience::Sprint, Audience::Em, Audience::Board] {
        let text = serde_json::to_string(&build(&metrics, &settings, audience)).unwrap();
        assert!(!text.contains("Zanzibar"), "{audience:?} names a team");
    }
}

/// SPEC 6: every report carries at least one chart, with one quarter of data and with
/// nothing escaped.
#[test]
fn every_report_has_a_chart_even_with_one_quarter_and_no_escapes() {
    let escaped = caught(5) + "E-1,Login fails,production,2025-11-03,code,P1,6\n";
    for rows in [caught(5), escaped] {
        for audience in [Audience::Sprint, Audience::Em, Audience::Board] {
            let r = report(&rows, audience);
            let charts: Vec<&str> = r
                .sections
                .iter()
                .filter_map(|s| s.chart.as_deref())
                .collect();
            assert!(!charts.is_empty(), "{audience:?}: {rows}");
        }
    }
}

#[test]
fn the_last_gate_is_found_whatever_the_boundary_s_case() {
    // Dev 1, QA 1, Prod 1: leakage(QA) = found after QA / found at QA or after = 1 / 2.
    let config = "[stages]\norder = [\"Dev\", \"QA\", \"Prod\"]\nboundary = \"prod\"\n";
    let rows = "A,,dev,2025-11-01,,,\nB,,qa,2025-11-02,,,\nC,,prod,2025-11-02,code,,\n";
    let r = report_with(rows, Audience::Em, config);
    let leakage = r.sections.iter().find(|s| s.id == "stage-leakage").unwrap();
    assert_eq!(
        leakage.paragraphs[0],
        "For each stage, the share of the problems found there or later that got past it. \
         The last gate before Prod, QA, let 50.0 % of what reached it through."
    );
}

/// The board compares like with like: a month with the month before, not with a quarter.
/// 21 code defects in February (5 h each), 3 in May (4 h each, 12 h), 15 in June
/// (2 h each, 30 h), nothing in April.
#[test]
fn the_board_compares_a_month_with_the_month_before() {
    let mut rows = String::new();
    for i in 0..21 {
        rows += &format!("F-{i},,production,2026-02-{:02},code,,5\n", i + 1);
    }
    for i in 0..3 {
        rows += &format!("M-{i},,production,2026-05-{:02},code,,4\n", i + 1);
    }
    for i in 0..15 {
        rows += &format!("J-{i},,production,2026-06-{:02},code,,2\n", i + 1);
    }
    let board = |period| report_for(&rows, Audience::Board, "", period);

    let may = board("2026-05");
    assert_eq!(
        may.headline[0],
        "In 2026-05, 3 problems reached production, costing 12 hours."
    );
    assert_eq!(may.figures[0].detail, "of 3 found");
    assert_eq!(may.sections[0].heading, "Against the period before");
    assert_eq!(
        may.sections[0].paragraphs,
        ["No problems were recorded in the period before, 2026-04, to compare with."]
    );
    let text = serde_json::to_string(&may).unwrap();
    assert!(!text.contains("2026-Q1"), "{text}");

    let june = board("2026-06");
    assert_eq!(june.figures[0].detail, "3 in 2026-05");
    assert_eq!(june.sections[0].heading, "2026-06 against 2026-05");
    assert_eq!(
        june.sections[0].paragraphs,
        ["In 2026-05, 3 problems reached production and cost 12 hours; in 2026-06, 15 problems and 30 hours. That is 12 more problems and 18 hours more work."]
    );
    assert_eq!(
        june.sections[1].paragraphs,
        ["The biggest change is a new cost: code defects cost 18 hours more than in 2026-05 (from 12 hours to 30 hours), driven by more of them (3 in 2026-05, 15 in 2026-06)."]
    );
    let next = june.sections.iter().find(|s| s.id == "next").unwrap();
    assert_eq!(
        next.paragraphs,
        ["Focused on the kinds of problem that cost the most in 2026-06:"]
    );

    // A quarter is still compared with the year's first: 18 problems and 42 hours in
    // 2026-Q2 against 21 and 105 hours in 2026-Q1.
    let q2 = board("2026-Q2");
    assert_eq!(q2.figures[0].detail, "21 in 2026-Q1");
    assert_eq!(q2.sections[0].heading, "2026-Q2 against 2026-Q1");
    assert_eq!(
        q2.sections[0].paragraphs,
        ["In 2026-Q1, 21 problems reached production and cost 105 hours; in 2026-Q2, 18 problems and 42 hours. That is 3 fewer problems and 63 hours less work."]
    );
}

/// Only unclassified problems escaped: something did reach production, and the step is to
/// say what it was (found by the audit: the board said "Nothing reached production").
#[test]
fn the_board_asks_to_classify_what_escaped_unclassified() {
    let rows = "U1,x,production,2025-11-05,,,\nU2,y,unit,2025-11-06,,,\n";
    let r = report(rows, Audience::Board);
    let next = r.sections.iter().find(|s| s.id == "next").unwrap();
    assert_eq!(
        next.paragraphs,
        ["1 problem reached production this quarter without a record of what kind of problem it was, so the first step is to find out:"]
    );
    assert_eq!(
        next.bullets,
        ["Unclassified problems: record what kind of problem each one is, so the next report can say what to fix."]
    );
    // With a classified kind beside them, that kind leads and classifying follows.
    let rows = "U1,x,production,2025-11-05,,,2\nC1,y,production,2025-11-06,code,,3\n";
    let r = report(rows, Audience::Board);
    let next = r.sections.iter().find(|s| s.id == "next").unwrap();
    assert_eq!(
        next.paragraphs,
        ["Focused on the kinds of problem that cost the most this quarter:"]
    );
    assert_eq!(
        next.bullets,
        [
            "Code defects: more automated tests on the code that changes most, and no feature counted as done without them.",
            "Unclassified problems: record what kind of problem each one is, so the next report can say what to fix.",
        ]
    );
}

/// A quarter is compared with the year's first quarter, or with the year's earliest quarter
/// with recorded problems, saying which; never "no earlier quarter" when there is one.
#[test]
fn the_board_compares_with_the_year_s_earliest_quarter_with_data() {
    // The data starts in 2025-Q2: 2025-Q1 is not even shown.
    let rows = "B1,,production,2025-05-01,code,,4\n\
                B2,,production,2025-08-01,code,,4\n\
                B3,,production,2025-11-01,infra,,10\n\
                B4,,unit,2025-11-02,,,\n";
    let r = report(rows, Audience::Board);
    assert_eq!(r.sections[0].heading, "2025-Q4 against 2025-Q2");
    assert_eq!(r.figures[0].detail, "1 in 2025-Q2");
    assert_eq!(
        r.sections[0].paragraphs[0],
        "No problems were recorded in 2025-Q1, so 2025-Q4 is compared with 2025-Q2, the earliest quarter of 2025 with recorded problems."
    );
    assert_eq!(r.sections[0].paragraphs.len(), 2);

    // 2025-Q1 is shown (the data starts in 2024) but empty: the same.
    let rows = "A,,production,2024-12-01,code,,4\nB,,production,2025-05-01,code,,4\nC,,production,2025-11-01,code,,4\n";
    let r = report(rows, Audience::Board);
    assert_eq!(r.sections[0].heading, "2025-Q4 against 2025-Q2");

    // Nothing earlier in 2025, though 2024 has problems.
    let rows = "A,,production,2024-12-01,code,,4\nC,,production,2025-11-01,code,,4\n";
    let r = report(rows, Audience::Board);
    assert_eq!(r.sections[0].heading, "Against earlier quarters");
    assert_eq!(
        r.sections[0].paragraphs,
        ["No problems were recorded from 2025-Q1 to 2025-Q3, so there is no earlier quarter of 2025 to compare with."]
    );

    // A first quarter is compared with the one before, which here is empty.
    let rows = "A,,production,2024-08-01,code,,4\nC,,production,2025-02-01,code,,4\n";
    let r = report_for(rows, Audience::Board, "", "2025-Q1");
    assert_eq!(
        r.sections[0].paragraphs,
        ["No problems were recorded in 2024-Q4, the quarter before, to compare with."]
    );

    // The data starts in the quarter itself.
    let rows = "C,,production,2025-11-01,code,,4\n";
    let r = report(rows, Audience::Board);
    assert_eq!(
        r.sections[0].paragraphs,
        ["There is no earlier quarter in the data to compare with."]
    );
}

/// Problems were found before release but none reached the last gate: the sentence says
/// what the table shows (the audit found "No problems reached the stages before release"
/// beside a table with unit 1, uat 1).
#[test]
fn stage_leakage_without_anything_at_the_last_gate() {
    let rows = "R1,,unit,2025-11-01,,,\nR2,,uat,2025-11-02,,,\n";
    let r = report(rows, Audience::Em);
    let leakage = r.sections.iter().find(|s| s.id == "stage-leakage").unwrap();
    assert_eq!(
        leakage.paragraphs,
        [
            "For each stage, the share of the problems found there or later that got past it. \
          No problem got as far as staging, the last gate before production, so none escaped."
        ]
    );
    // With the boundary on the first stage there are no gates before release at all.
    let config = "[stages]\norder = [\"unit\", \"uat\"]\nboundary = \"unit\"\n";
    let r = report_with(rows, Audience::Em, config);
    let leakage = r.sections.iter().find(|s| s.id == "stage-leakage").unwrap();
    assert_eq!(
        leakage.paragraphs,
        ["Every stage counts as escaped: the boundary, unit, is the first stage, so there is no gate before release to measure."]
    );
}

/// The trend threshold reads as a percentage with one decimal, without float noise
/// (7.0 / 100 * 100 is 7.000000000000001).
#[test]
fn the_trend_threshold_reads_as_a_percentage() {
    for (pct, text) in [
        ("7.0", "7.0 %"),
        ("14", "14.0 %"),
        ("29", "29.0 %"),
        ("57", "57.0 %"),
    ] {
        let config = format!("[thresholds]\ntrend_pct = {pct}\n");
        let r = report_with("C1,,production,2025-11-01,code,,1\n", Audience::Em, &config);
        let trends = r.sections.iter().find(|s| s.id == "trends").unwrap();
        let note = trends.note.as_deref().unwrap();
        assert!(
            note.contains(&format!("moved by at least {text} between")),
            "{note}"
        );
    }
}

/// Sentences give whole hours (SPEC 5) and claim a slowest tenth only with enough problems.
#[test]
fn times_to_resolve_in_whole_hours_and_no_tail_from_few_problems() {
    let header = "id,found_stage,detected_at,resolved_at,type,cost_hours\n";
    let em = |rows: &str| {
        let config = Config::default();
        let settings = Settings::from_config(&config).unwrap();
        let mut file = tempfile::NamedTempFile::with_suffix(".csv").unwrap();
        write!(file, "{header}{rows}").unwrap();
        let period = Period::parse("2025-Q4", &[]).unwrap();
        let mut ingest = Ingest::new(&config, PeriodChoice::Given(period));
        ingest
            .read(&Source::Path(file.path().to_path_buf()), None)
            .unwrap();
        let r = build(&ingest.finish(&settings), &settings, Audience::Em);
        let times = r
            .sections
            .iter()
            .find(|s| s.id == "time-to-resolve")
            .unwrap();
        times.paragraphs[0].clone()
    };
    // One code defect, resolved a day later.
    assert_eq!(
        em("A,production,2025-11-01T00:00:00Z,2025-11-02T00:00:00Z,code,1\n"),
        "Resolution times were recorded only for 1 code defect: it took 24 hours."
    );
    // Two types; code defects take 10 h and 13 h (median 11.5 h), the infrastructure problem 2 h.
    let rows = "A,production,2025-11-01T00:00:00Z,2025-11-01T10:00:00Z,code,1\n\
                B,production,2025-11-01T00:00:00Z,2025-11-01T13:00:00Z,code,1\n\
                C,production,2025-11-01T00:00:00Z,2025-11-01T02:00:00Z,infra,1\n";
    assert_eq!(
        em(rows),
        "Code defects take longest to resolve: a median of about 12 hours across 2 problems."
    );
    // Ten code defects taking 1 to 10 hours: median 5.5 h, 90th percentile 9.1 h.
    let rows: String = (1..=10)
        .map(|h| format!("A{h},production,2025-11-01T00:00:00Z,2025-11-01T{h:02}:00:00Z,code,1\n"))
        .collect();
    assert_eq!(
        em(&(rows + "C,production,2025-11-01T00:00:00Z,2025-11-01T02:00:00Z,infra,1\n")),
        "Code defects take longest to resolve: a median of about 6 hours, and 1 in 10 takes about 9 hours or more."
    );
}

/// "about" goes with rounded or estimated figures only (SPEC 5): logged hours are exact on
/// every slide, as in the headline.
#[test]
fn the_board_says_about_only_for_estimates_and_rounding() {
    let logged = "A,,production,2025-02-01,code,,1\n\
                  B,,production,2025-11-01,code,,30\n\
                  C,,production,2025-11-02,code,,7\n";
    let r = report(logged, Audience::Board);
    assert_eq!(
        r.headline[0],
        "In 2025-Q4, 2 problems reached production, costing 37 hours."
    );
    assert_eq!(
        r.sections[0].paragraphs,
        ["In 2025-Q1, 1 problem reached production and cost 1 hour; in 2025-Q4, 2 problems and 37 hours. That is 1 more problem and 36 hours more work."]
    );
    assert_eq!(
        r.sections[1].paragraphs,
        ["The biggest change is a new cost: code defects cost 36 hours more than in 2025-Q1 (from 1 hour to 37 hours), driven by more of them (1 in 2025-Q1, 2 in 2025-Q4)."]
    );
    // A regression without hours in 2025-Q1 is estimated at 8.5 hours: 2025-Q1 now costs
    // 9.5 hours, about 10, and the change is 27.5 hours, about 28. The metrics do not say
    // which earlier quarter holds an estimate, so the earlier side reads "about".
    let r = report(
        &(logged.to_string() + "D,,production,2025-02-02,regression,,\n"),
        Audience::Board,
    );
    assert_eq!(
        r.sections[0].paragraphs,
        ["In 2025-Q1, 2 problems reached production and cost about 10 hours; in 2025-Q4, 2 problems and 37 hours. That is the same number of problems and about 28 hours more work."]
    );
    assert_eq!(
        r.sections[1].paragraphs,
        ["The biggest change is a new cost: code defects cost about 36 hours more than in 2025-Q1 (from about 1 hour to 37 hours), driven by more of them (1 in 2025-Q1, 2 in 2025-Q4)."]
    );
}

/// Lists read as English: one "and", counts that agree, no "more than any other type" when
/// no other type escaped, and no tie at 0 hours.
#[test]
fn ties_and_lists_read_as_english() {
    // Two code defects of 1.5 hours (3 together) and an infrastructure problem of 3.
    let rows = "C1,,production,2025-11-01,code,,1.5\n\
                C2,,production,2025-11-02,code,,1.5\n\
                I1,,production,2025-11-03,infra,,3\n";
    let r = report(rows, Audience::Sprint);
    assert_eq!(
        r.headline[2],
        "The 2 code defects and the infrastructure problem cost the same, 3 hours for each type."
    );
    let r = report(
        &(rows.to_string() + "N1,,production,2025-11-04,integration,,1\n"),
        Audience::Sprint,
    );
    assert_eq!(
        r.headline[2],
        "The 2 code defects and the infrastructure problem cost the same, 3 hours for each type, more than any other type."
    );
    // Nothing cost anything: no sentence about the most expensive type.
    let r = report(
        "C1,,production,2025-11-01,code,,0\nI1,,production,2025-11-03,infra,,0\n",
        Audience::Sprint,
    );
    assert_eq!(
        r.headline,
        [
            "In 2025-Q4 we had 2 escaped problems: 1 code defect and 1 infrastructure problem.",
            "Cost: 0 hours.",
        ]
    );

    // Seven problems of 3 hours each: five listed, then "and 2 more" after a comma list.
    let rows: String = (1..=7)
        .map(|i| {
            let kind = if i % 2 == 1 { "code" } else { "infra" };
            format!("T{i},t{i},production,2025-11-0{i},{kind},,3\n")
        })
        .collect();
    let r = report(&rows, Audience::Sprint);
    let expensive = r
        .sections
        .iter()
        .find(|s| s.id == "most-expensive")
        .unwrap();
    assert_eq!(
        expensive.paragraphs[0],
        "7 problems tie as the most expensive, at 3 hours each: \
         T1 “t1” (code defect), T2 “t2” (infrastructure problem), T3 “t3” (code defect), \
         T4 “t4” (infrastructure problem), T5 “t5” (code defect) and 2 more."
    );
}

/// "1 of 1 escaped problems have" reads as English.
#[test]
fn the_mechanism_count_agrees_with_its_verb() {
    let header = "id,found_stage,detected_at,type,escape_mechanism\n";
    let em = |rows: &str| {
        let config = Config::default();
        let settings = Settings::from_config(&config).unwrap();
        let mut file = tempfile::NamedTempFile::with_suffix(".csv").unwrap();
        write!(file, "{header}{rows}").unwrap();
        let period = Period::parse("2025-Q4", &[]).unwrap();
        let mut ingest = Ingest::new(&config, PeriodChoice::Given(period));
        ingest
            .read(&Source::Path(file.path().to_path_buf()), None)
            .unwrap();
        let r = build(&ingest.finish(&settings), &settings, Audience::Em);
        let s = r.sections.iter().find(|s| s.id == "mechanisms").unwrap();
        s.paragraphs[0].clone()
    };
    assert_eq!(
        em("A,production,2025-11-01,code,no_test\n"),
        "The escaped problem has a recorded mechanism. The most common was no test (1): write tests for the paths that had none."
    );
    assert_eq!(
        em("A,production,2025-11-01,code,no_test\nB,production,2025-11-02,code,no_test\n"),
        "All 2 escaped problems have a recorded mechanism. The most common was no test (2): write tests for the paths that had none."
    );
    assert_eq!(
        em("A,production,2025-11-01,code,no_test\nB,production,2025-11-02,code,\n"),
        "1 of the 2 escaped problems has a recorded mechanism. The most common was no test (1): write tests for the paths that had none."
    );
}

/// With one quarter shown there is no span "2025-Q4 to 2025-Q4" and no "1 in 2025-Q4, 1 in
/// 2025-Q4".
#[test]
fn one_quarter_is_not_a_trend() {
    let r = report("C1,,production,2025-11-01,code,,1\n", Audience::Em);
    assert_eq!(
        r.subtitle,
        "1 October 2025 to 31 December 2025 · no earlier quarter in the data, so no trends yet"
    );
    let trends = r.sections.iter().find(|s| s.id == "trends").unwrap();
    assert_eq!(trends.heading, "Trends by type, 2025-Q4");
    assert_eq!(
        trends.bullets,
        ["Code defects: 1 in 2025-Q4, the only quarter shown, so no trend yet. To bring them down: raise test coverage where the defects escaped and make tests part of the definition of done."]
    );
}

/// An empty period says so rather than printing zeros (SPEC 5): no tiles of zeros, no
/// all-zero tables, in every audience.
#[test]
fn an_empty_period_prints_no_zeros() {
    let rows = "U1,x,production,2025-11-05,,,\nU2,y,unit,2025-11-06,,,\n";
    for audience in [Audience::Sprint, Audience::Em, Audience::Board] {
        let r = report_for(rows, audience, "", "2025-Q3");
        for f in &r.figures[..3] {
            assert_eq!(
                (f.value.as_str(), f.detail.as_str()),
                ("–", "no problems found"),
                "{audience:?}"
            );
        }
        let text = serde_json::to_string(&r.sections).unwrap();
        assert!(!text.contains("0.0"), "{audience:?}: {text}");
        assert!(!text.contains("0 hours"), "{audience:?}: {text}");
    }
    let em = report_for(rows, Audience::Em, "", "2025-Q3");
    let cost = em.sections.iter().find(|s| s.id == "cost").unwrap();
    assert_eq!(
        cost.paragraphs,
        ["No problems were found in 2025-Q3, so there is no cost to show."]
    );
    assert!(cost.table.is_none());
    let leakage = em
        .sections
        .iter()
        .find(|s| s.id == "stage-leakage")
        .unwrap();
    assert_eq!(
        leakage.paragraphs,
        ["No problems were found in 2025-Q3, so there is no stage leakage to show."]
    );
    assert!(leakage.table.is_none() && leakage.note.is_none());
}

/// A period where nothing escaped says that, not "0 problems reached production, costing
/// 0 hours", and shows no cost of zero.
#[test]
fn an_escape_free_period_says_so() {
    let rows = "R1,,unit,2025-11-01,,,\nR2,,uat,2025-11-02,,,\n";
    let board = report(rows, Audience::Board);
    assert_eq!(
        board.headline,
        [
            "No problem reached production in 2025-Q4.",
            "All 2 problems found were caught before release.",
        ]
    );
    assert_eq!(board.figures[1].value, "–");
    assert_eq!(board.figures[1].detail, "nothing reached production");
    let em = report(rows, Audience::Em);
    let cost = em.sections.iter().find(|s| s.id == "cost").unwrap();
    assert_eq!(
        cost.paragraphs,
        ["No problem escaped in 2025-Q4, so escapes cost nothing."]
    );
    assert!(cost.table.is_none());
    assert_eq!(
        (em.figures[1].value.as_str(), em.figures[1].detail.as_str()),
        ("–", "nothing escaped")
    );
    let sprint = report(rows, Audience::Sprint);
    assert_eq!(
        (
            sprint.figures[2].value.as_str(),
            sprint.figures[2].detail.as_str()
        ),
        ("–", "nothing escaped")
    );
}

/// SPEC 4: money per type when an hourly rate is set, in the type tables.
#[test]
fn type_tables_carry_money_with_a_rate() {
    // Code 4 h and infrastructure 10 h at 95.5 EUR: 382, 955 and 1,337 in all.
    let rows = "A,,production,2025-11-01,code,,4\nB,,production,2025-11-02,infra,,10\n";
    let config = "[cost]\nhourly_rate = 95.5\ncurrency = \"EUR\"\n";
    for audience in [Audience::Sprint, Audience::Em] {
        let r = report_with(rows, audience, config);
        let table = r
            .sections
            .iter()
            .find_map(|s| s.table.as_ref().filter(|t| t.columns[0].title == "Type"))
            .unwrap();
        assert_eq!(table.columns.last().unwrap().title, "Cost (EUR)");
        let money: Vec<&str> = table.rows.iter().map(|r| r[6].as_str()).collect();
        assert_eq!(money, ["382", "955", "1,337"], "{audience:?}");
        let plain = report(rows, audience);
        let table = plain
            .sections
            .iter()
            .find_map(|s| s.table.as_ref().filter(|t| t.columns[0].title == "Type"))
            .unwrap();
        assert_eq!(table.columns.len(), 6);
    }
}

/// Data text past 256 characters is cut for the report, at a space when one is near.
#[test]
fn runaway_text_is_cut_for_reports() {
    assert!(matches!(
        words::shown("Login fails"),
        std::borrow::Cow::Borrowed("Login fails")
    ));
    let exact = "x".repeat(256);
    assert_eq!(words::shown(&exact), exact);
    // No space: 256 characters and the ellipsis; characters, not bytes.
    assert_eq!(words::shown(&"é".repeat(300)), "é".repeat(256) + "…");
    // "word " repeated: the cut is at the last space within the limit (character 255),
    // so the report shows 51 whole words.
    let words_only = "word ".repeat(1000);
    assert_eq!(
        words::shown(&words_only),
        format!("{}…", "word ".repeat(51).trim_end())
    );
    // A space far from the end is not used: "a " then 300 letters.
    let one_space = format!("a {}", "b".repeat(300));
    assert_eq!(words::shown(&one_space), format!("a {}…", "b".repeat(254)));
}

/// A title of a million characters on the most expensive escape: the sentence and the
/// table show its first words, not the whole field.
#[test]
fn a_runaway_title_is_shown_cut() {
    let title = "pasted ".repeat(150_000);
    let rows = caught(10) + &format!("E-1,{title},production,2025-11-03,code,P1,6\n");
    let r = report(&rows, Audience::Sprint);
    let all = format!("{r:?}");
    assert!(all.len() < 40_000, "{} bytes", all.len());
    let cut = format!("{}…", "pasted ".repeat(36).trim_end());
    assert!(all.contains(&format!("“{cut}”")), "not in the sentence");
    assert!(all.contains(&format!("\"{cut}\"")), "not in the table");
}
