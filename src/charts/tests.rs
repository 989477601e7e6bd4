//! Chart tests on metrics computed by the real engine from a small CSV file.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::*;
use crate::ingest::Ingest;
use crate::input::Source;
use crate::metrics::{PeriodChoice, Settings};
use crate::model::period::Period;
use crate::model::Config;

/// 2025-Q2: 3 escaped (2 code, 1 infra) of 12; 2025-Q3: nothing unless `with_q3`
/// (then 1 escaped regression of 10); 2025-Q4: 6 escaped (3 code, 2 integration,
/// 1 regression) of 40.
fn csv(with_q3: bool) -> String {
    let mut out = String::from("id,title,type,found_stage,severity,detected_at,cost_hours\n");
    let mut id = 0;
    let mut row = |out: &mut String, date: &str, stage: &str, kind: &str, hours: &str| {
        id += 1;
        writeln!(
            out,
            "P-{id},Problem {id},{kind},{stage},P2,{date}T10:00:00Z,{hours}"
        )
        .unwrap();
    };
    for (kind, hours) in [("code", "4"), ("code", "6"), ("infra", "10")] {
        row(&mut out, "2025-05-10", "production", kind, hours);
    }
    for _ in 0..9 {
        row(&mut out, "2025-05-12", "unit", "", "");
    }
    if with_q3 {
        row(&mut out, "2025-08-10", "production", "regression", "5");
        for _ in 0..9 {
            row(&mut out, "2025-08-12", "unit", "", "");
        }
    }
    for (kind, hours) in [
        ("code", "2"),
        ("code", "3"),
        ("code", "1"),
        ("integration", "8"),
        ("integration", "12"),
        ("regression", "4.5"),
    ] {
        row(&mut out, "2025-11-03", "production", kind, hours);
    }
    for _ in 0..34 {
        row(&mut out, "2025-11-05", "unit", "", "");
    }
    out
}

fn metrics_for(csv: &str, period: &str) -> Metrics {
    let config = Config::default();
    let settings = Settings::from_config(&config).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("problems.csv");
    std::fs::write(&path, csv).unwrap();
    let choice = PeriodChoice::Given(Period::parse(period, &[]).unwrap());
    let mut ingest = Ingest::new(&config, choice);
    ingest.read(&Source::Path(path), None).unwrap();
    ingest.finish(&settings)
}

fn metrics() -> Metrics {
    metrics_for(&csv(false), "2025-Q4")
}

fn bands() -> Bands {
    Settings::from_config(&Config::default()).unwrap().bands
}

/// Checks that the document is one balanced element tree with only known entities.
fn assert_well_formed(svg: &str) {
    assert!(
        svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""),
        "{svg}"
    );
    assert!(svg.trim_end().ends_with("</svg>"));
    let mut stack: Vec<String> = Vec::new();
    let mut rest = svg;
    let mut roots = 0;
    while let Some(start) = rest.find('<') {
        let text = &rest[..start];
        check_entities(text);
        let end = rest[start..].find('>').expect("every tag closes") + start;
        let tag = &rest[start + 1..end];
        assert!(!tag.contains('<'), "a '<' inside a tag: {tag}");
        if let Some(name) = tag.strip_prefix('/') {
            assert_eq!(
                stack.pop().as_deref(),
                Some(name.trim()),
                "mismatched </{name}>"
            );
        } else {
            check_entities(tag);
            assert_eq!(
                tag.matches('"').count() % 2,
                0,
                "unbalanced quotes in <{tag}>"
            );
            let name: String = tag
                .chars()
                .take_while(|c| !c.is_whitespace() && *c != '/')
                .collect();
            if stack.is_empty() {
                roots += 1;
            }
            if !tag.ends_with('/') {
                stack.push(name);
            }
        }
        rest = &rest[end + 1..];
    }
    check_entities(rest);
    assert!(stack.is_empty(), "unclosed: {stack:?}");
    assert_eq!(roots, 1, "one root element");
    assert!(!svg.contains("href"), "no external references");
}

fn check_entities(text: &str) {
    for (i, _) in text.match_indices('&') {
        let tail = &text[i..];
        assert!(
            ["&lt;", "&gt;", "&amp;", "&quot;", "&apos;"]
                .iter()
                .any(|e| tail.starts_with(e)),
            "bare '&' in {text}"
        );
    }
}

/// The value of attribute `name` in one tag.
fn attr<'t>(tag: &'t str, name: &str) -> Option<&'t str> {
    let key = format!(" {name}=\"");
    let start = tag.find(&key)? + key.len();
    let len = tag[start..].find('"')?;
    Some(&tag[start..start + len])
}

struct Bar {
    x: i32,
    height: i32,
    fill: String,
}

/// Every `<rect>` filled with a type colour, except the legend's 12×12 swatches.
fn type_rects(svg: &str) -> Vec<Bar> {
    svg.split("<rect")
        .skip(1)
        .filter_map(|r| {
            let tag = &r[..r.find('>')?];
            let fill = attr(tag, "fill")?;
            let swatch = attr(tag, "width") == Some("12") && attr(tag, "height") == Some("12");
            (!swatch && TYPE_COLOURS.iter().any(|(_, c)| *c == fill)).then(|| Bar {
                x: attr(tag, "x").unwrap().parse().unwrap(),
                height: attr(tag, "height").unwrap().parse().unwrap(),
                fill: fill.to_string(),
            })
        })
        .collect()
}

fn close_to(actual: f64, expected: f64, tolerance: f64) -> bool {
    (actual - expected).abs() <= tolerance
}

#[test]
fn colours_follow_the_type_order() {
    for (i, (t, hex)) in TYPE_COLOURS.iter().enumerate() {
        assert_eq!(t.index(), i);
        assert_eq!(colour(*t), *hex);
        assert!(hex.len() == 7 && hex.starts_with('#'));
    }
    assert_eq!(colour(ProblemType::Code), "#0072B2");
}

#[test]
fn every_chart_is_a_well_formed_self_contained_svg() {
    let m = metrics();
    let charts = all(&m, &bands());
    let ids: Vec<&str> = charts.iter().map(|c| c.id).collect();
    assert_eq!(
        ids,
        [
            "type-distribution",
            "escaped-by-quarter",
            "cost-by-quarter",
            "escape-rate-trend"
        ]
    );
    for chart in &charts {
        assert_well_formed(&chart.svg);
        assert!(chart
            .svg
            .contains(&format!("viewBox=\"0 0 {WIDTH} {HEIGHT}\"")));
        let title = format!(">{}</text>", chart.title);
        assert!(!chart.svg.contains(&title), "no title inside the picture");
        // Every text names the embedded family; every colour is opaque.
        let texts: Vec<&str> = chart.svg.split("<text").skip(1).collect();
        assert!(!texts.is_empty());
        for t in texts {
            let tag = &t[..t.find('>').unwrap()];
            assert_eq!(attr(tag, "font-family"), Some(FONT_FAMILY), "{tag}");
        }
        for (i, _) in chart.svg.match_indices(" opacity=\"") {
            assert!(chart.svg[i..].starts_with(" opacity=\"1\""), "{}", chart.id);
        }
        assert!(!chart.svg.contains("rgba"));
        assert!(
            !chart.svg.contains("\n</text>"),
            "text content on the tag's line"
        );
    }
}

#[test]
fn quarter_charts_show_every_quarter_label() {
    let m = metrics();
    let labels: Vec<&str> = m.quarters.iter().map(|q| q.label.as_str()).collect();
    assert_eq!(labels, ["2025-Q2", "2025-Q3", "2025-Q4"]);
    for chart in [
        escaped_by_quarter(&m),
        cost_by_quarter(&m),
        escape_rate_trend(&m, &bands()),
    ] {
        for label in &labels {
            assert!(
                chart.svg.contains(&format!(">{label}</text>")),
                "{} lacks {label}",
                chart.id
            );
        }
    }
}

#[test]
fn stacked_bars_are_proportional_to_the_counts() {
    let chart = escaped_by_quarter(&metrics());
    let rects = type_rects(&chart.svg);
    let mut bars: BTreeMap<i32, Vec<&Bar>> = BTreeMap::new();
    for r in &rects {
        bars.entry(r.x).or_default().push(r);
    }
    // Q2 and Q4 have escapes, Q3 none.
    assert_eq!(bars.len(), 2, "two stacks");
    let q2 = &bars.values().next().unwrap();
    let q4 = &bars.values().last().unwrap();
    let height = |bar: &[&Bar], t: ProblemType| {
        bar.iter()
            .find(|r| r.fill == colour(t))
            .map(|r| f64::from(r.height))
            .unwrap()
    };
    assert_eq!(q2.len(), 2);
    assert_eq!(q4.len(), 3);
    let unit = height(q4, ProblemType::Regression);
    assert!(unit > 10.0);
    assert!(close_to(height(q4, ProblemType::Code), 3.0 * unit, 1.5));
    assert!(close_to(
        height(q4, ProblemType::Integration),
        2.0 * unit,
        1.5
    ));
    assert!(close_to(height(q2, ProblemType::Code), 2.0 * unit, 1.5));
    assert!(close_to(height(q2, ProblemType::Infra), unit, 1.5));
    // The count axis ends at a whole number at or above the tallest stack: 6 → 6.
    assert!(chart.svg.contains(">6</text>"));
}

#[test]
fn cost_bars_are_proportional_to_the_hours() {
    let chart = cost_by_quarter(&metrics());
    let rects = type_rects(&chart.svg);
    let find = |fill: &str, nth: usize| {
        f64::from(
            rects
                .iter()
                .filter(|r| r.fill == fill)
                .nth(nth)
                .unwrap()
                .height,
        )
    };
    // Q4: code 6 h, integration 20 h, regression 4.5 h; Q2: code 10 h, infra 10 h.
    let code_q2 = find(colour(ProblemType::Code), 0);
    let code_q4 = find(colour(ProblemType::Code), 1);
    let integration = find(colour(ProblemType::Integration), 0);
    let infra = find(colour(ProblemType::Infra), 0);
    assert!(close_to(code_q4 / code_q2, 0.6, 0.02));
    assert!(close_to(integration / code_q2, 2.0, 0.03));
    assert!(close_to(infra, code_q2, 1.0));
    assert!(chart.svg.contains(">hours</text>"));
    assert!(chart.svg.contains(">30.5</text>"), "the Q4 total");
}

#[test]
fn type_distribution_shows_each_type_with_escapes() {
    let m = metrics();
    let chart = type_distribution(&m);
    assert_eq!(chart.title, "Escaped problems by type, 2025-Q4");
    let rects = type_rects(&chart.svg);
    let fills: Vec<&str> = rects.iter().map(|r| r.fill.as_str()).collect();
    // Largest first: code 3, integration 2, regression 1.
    assert_eq!(
        fills,
        [
            colour(ProblemType::Code),
            colour(ProblemType::Integration),
            colour(ProblemType::Regression)
        ]
    );
    let width = |i: usize| {
        let tag =
            chart.svg.split("<rect").skip(1).filter(|r| {
                attr(r, "fill").is_some_and(|f| TYPE_COLOURS.iter().any(|(_, c)| *c == f))
            });
        let tag = tag.clone().nth(i).unwrap();
        attr(tag, "width").unwrap().parse::<f64>().unwrap()
    };
    assert!(close_to(width(0), 1.5 * width(1), 1.5));
    assert!(close_to(width(1), 2.0 * width(2), 1.5));
    for label in [
        "code defects",
        "integration",
        "post-deployment regressions",
        "3 (50.0 %)",
    ] {
        assert!(chart.svg.contains(&format!(">{label}</text>")), "{label}");
    }
    assert!(
        !chart.svg.contains(">infrastructure</text>"),
        "no bar for 0 escapes"
    );
    assert_eq!(
        chart.description,
        "Escaped problems by type in 2025-Q4: 6 in total, 3 code defects (50.0 %), \
         2 integration failures (33.3 %) and 1 post-deployment regression (16.7 %)."
    );
}

#[test]
fn a_period_without_escapes_says_so() {
    let m = metrics_for(&csv(false), "2025-Q3");
    assert_eq!(m.totals.escaped, 0);
    let chart = type_distribution(&m);
    assert_well_formed(&chart.svg);
    assert!(chart.svg.contains("No escaped problems in this period"));
    assert!(type_rects(&chart.svg).is_empty());
    assert_eq!(chart.description, "No escaped problems in 2025-Q3.");
}

#[test]
fn quarters_without_escapes_say_so() {
    let mut m = metrics();
    for q in &mut m.quarters {
        for t in q.by_type.values_mut() {
            t.escaped = 0;
            t.cost_hours = 0.0;
        }
    }
    let escaped = escaped_by_quarter(&m);
    assert!(escaped
        .svg
        .contains("No escaped problems in these quarters"));
    assert!(cost_by_quarter(&m)
        .svg
        .contains("No cost of escaped problems"));
    m.quarters.clear();
    let trend = escape_rate_trend(&m, &bands());
    assert_well_formed(&trend.svg);
    assert!(trend.svg.contains("No data for these quarters"));
}

#[test]
fn descriptions_state_the_figures() {
    let m = metrics();
    assert_eq!(
        escaped_by_quarter(&m).description,
        "Escaped problems per quarter by type: 2025-Q2 had 3 (2 code defects and \
         1 infrastructure problem); 2025-Q3 had none; 2025-Q4 had 6 (3 code defects, \
         2 integration failures and 1 post-deployment regression)."
    );
    assert_eq!(
        cost_by_quarter(&m).description,
        "Cost of escaped problems per quarter by type, in hours: 2025-Q2 20.0 hours \
         (code defects 10.0 and infrastructure 10.0); 2025-Q3 none; 2025-Q4 30.5 hours \
         (code defects 6.0, integration 20.0 and post-deployment regressions 4.5)."
    );
    assert_eq!(
        escape_rate_trend(&m, &bands()).description,
        "Escape rate per quarter against the bands (excellent below 10.0 %, good below \
         20.0 %, concerning up to 40.0 % and broken above 40.0 %): 2025-Q2 25.0 % \
         (concerning), 2025-Q3 no problems found, 2025-Q4 15.0 % (good)."
    );
}

#[test]
fn the_trend_draws_bands_and_leaves_gaps() {
    let m = metrics();
    let chart = escape_rate_trend(&m, &bands());
    for name in ["excellent", "good", "concerning", "broken"] {
        assert!(chart.svg.contains(&format!(">{name}</text>")), "{name}");
    }
    for value in ["25.0 %", "15.0 %", "no problems", "0 %", "50 %"] {
        assert!(chart.svg.contains(&format!(">{value}</text>")), "{value}");
    }
    // Q3 has no problems: two lone points, no line through the gap.
    assert!(!chart.svg.contains("<polyline"));
    assert_eq!(
        chart.svg.matches("<circle").count(),
        4,
        "two points, each ringed"
    );

    let joined = escape_rate_trend(&metrics_for(&csv(true), "2025-Q4"), &bands());
    let lines: Vec<&str> = joined.svg.split("<polyline").skip(1).collect();
    assert_eq!(lines.len(), 1);
    let points = attr(lines[0], "points").unwrap();
    assert_eq!(points.split_whitespace().count(), 3);
    assert!(joined.svg.contains(">10.0 %</text>"));
}

#[test]
fn the_trend_ranks_points_by_height() {
    // 25 % is drawn higher (smaller y) than 15 %.
    let chart = escape_rate_trend(&metrics(), &bands());
    let ys: Vec<i32> = chart
        .svg
        .split("<circle")
        .skip(1)
        .filter(|c| attr(c, "r") == Some("4"))
        .map(|c| attr(c, "cy").unwrap().parse().unwrap())
        .collect();
    assert_eq!(ys.len(), 2);
    assert!(ys[0] < ys[1]);
}

#[test]
fn text_from_the_data_is_escaped() {
    let mut m = metrics();
    m.quarters[0].label = "<b>&'\"\u{1}".to_string();
    m.period.label = Some("Sprint <1> & \"2\"".to_string());
    for chart in all(&m, &bands()) {
        assert_well_formed(&chart.svg);
        assert!(!chart.svg.contains("<b>"));
        assert!(!chart.svg.contains('\u{1}'));
    }
    let chart = escaped_by_quarter(&m);
    assert!(chart.svg.contains("&lt;b&gt;&amp;&apos;&quot;"));
    assert!(type_distribution(&m)
        .svg
        .contains("Sprint &lt;1&gt; &amp; &quot;2&quot;"));
}

#[test]
fn renders_are_byte_identical() {
    let a = all(&metrics(), &bands());
    let b = all(&metrics(), &bands());
    assert_eq!(a, b);
}
