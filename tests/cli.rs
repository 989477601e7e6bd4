//! End-to-end tests: the binary run on fixture files, as a user would.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
        .display()
        .to_string()
}

/// Runs escape-report in an empty directory, so no stray escape-report.toml is picked up.
struct Run {
    output: Output,
}

fn run(args: &[&str]) -> Run {
    run_in(&std::env::temp_dir(), args)
}

fn run_in(dir: &Path, args: &[&str]) -> Run {
    // Under coreutils' timeout, so that a hang fails its test (exit 124) rather than
    // stopping the whole run.
    let output = Command::new("timeout")
        .args(["-k", "5", "120", env!("CARGO_BIN_EXE_escape-report")])
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .output()
        .expect("the binary runs");
    Run { output }
}

impl Run {
    fn code(&self) -> i32 {
        let code = self.output.status.code().expect("exited normally");
        assert_ne!(code, 124, "the run took more than 120 s");
        code
    }
    fn stdout(&self) -> String {
        String::from_utf8(self.output.stdout.clone()).expect("stdout is UTF-8")
    }
    fn stderr(&self) -> String {
        String::from_utf8(self.output.stderr.clone()).expect("stderr is UTF-8")
    }
    fn json(&self) -> Value {
        assert_eq!(self.code(), 0, "stderr: {}", self.stderr());
        serde_json::from_str(&self.stdout()).expect("stdout is JSON")
    }
}

/// `metrics --json` on `args`, which must exit with `code` and say `said` on stderr;
/// its JSON, which is written whatever the exit code.
fn metrics_exiting(args: &[&str], code: i32, said: &str) -> Value {
    let mut all = vec!["metrics", "--json"];
    all.extend_from_slice(args);
    let r = run(&all);
    assert_eq!(r.code(), code, "stderr: {}", r.stderr());
    assert!(r.stderr().contains(said), "{}", r.stderr());
    serde_json::from_str(&r.stdout()).expect("stdout is JSON")
}

/// `metrics --json` on inputs that could not be read at all: exit 2, an error naming
/// them on stderr, and the JSON (whose data quality says why) on stdout all the same.
fn metrics_of_nothing(args: &[&str]) -> Value {
    metrics_exiting(args, 2, "error: no usable record in ")
}

/// `metrics --json` on inputs that were read but gave no usable row (SPEC 4): exit 0,
/// null figures, a warning on stderr, and data quality saying why.
fn metrics_of_unusable(args: &[&str]) -> Value {
    let m = metrics_exiting(args, 0, "warning: no usable record in ");
    assert_eq!(m["data_quality"]["rows_used"], 0, "{m}");
    assert!(m["totals"]["escape_rate"].is_null(), "{m}");
    m
}

fn metrics(args: &[&str]) -> Value {
    let mut all = vec!["metrics", "--json"];
    all.extend_from_slice(args);
    run(&all).json()
}

fn close(value: &Value, expected: f64) -> bool {
    value.as_f64().is_some_and(|v| (v - expected).abs() < 5e-5)
}

/// A new directory for one test, removed with everything in it when the test ends;
/// it derefs to its path so tests can `join` onto it.
#[derive(Debug)]
struct TempDir(tempfile::TempDir);

impl std::ops::Deref for TempDir {
    type Target = Path;
    fn deref(&self) -> &Path {
        self.0.path()
    }
}

impl AsRef<Path> for TempDir {
    fn as_ref(&self) -> &Path {
        self.0.path()
    }
}

fn temp_dir(name: &str) -> TempDir {
    let dir = tempfile::Builder::new()
        .prefix(&format!("escape-report-test-{name}-"))
        .tempdir()
        .unwrap();
    TempDir(dir)
}

/// Writes a test's input file; a failure here is the test's own setup failing.
fn write_file(path: impl AsRef<Path>, contents: impl AsRef<[u8]>) {
    let path = path.as_ref();
    std::fs::write(path, contents).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
}

/// Writes `contents` to the file `name` in `dir` and returns its path.
fn file_in(dir: &Path, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    write_file(&path, contents);
    path
}

#[test]
fn worked_example_with_the_production_boundary() {
    let m = metrics(&[&fixture("worked.csv"), "--period", "2025-Q4"]);
    let t = &m["totals"];
    assert_eq!(t["problems"], 38);
    assert_eq!(t["escaped"], 3);
    assert!(close(&t["escape_rate"], 3.0 / 38.0));
    assert!(
        close(&t["ci95_low"], 0.0272) && close(&t["ci95_high"], 0.2080),
        "{t}"
    );
    assert_eq!(t["band"], "excellent");
    assert!(close(&t["detection_rate"], 35.0 / 38.0));
    assert_eq!(m["boundary"], "production");
    // "component" is a synonym of the unit stage.
    assert_eq!(m["stages"][1]["stage"], "unit");
    assert_eq!(m["stages"][1]["found"], 20);
    // leakage(unit) = problems found after unit / found at unit or after = 18 / 38
    assert!(close(&m["stages"][1]["leakage"], 18.0 / 38.0));
    assert!(close(&m["stages"][4]["leakage"], 3.0 / 8.0));
}

#[test]
fn worked_example_with_the_uat_boundary() {
    let dir = temp_dir("uat");
    write_file(
        dir.join("escape-report.toml"),
        "[stages]\nboundary = \"uat\"\n",
    );
    let m = run_in(
        &dir,
        &[
            "metrics",
            "--json",
            &fixture("worked.csv"),
            "--period",
            "2025-Q4",
        ],
    )
    .json();
    let t = &m["totals"];
    assert_eq!(t["escaped"], 8);
    assert!(close(&t["escape_rate"], 8.0 / 38.0));
    assert!(
        close(&t["ci95_low"], 0.1107) && close(&t["ci95_high"], 0.3635),
        "{t}"
    );
    assert_eq!(t["band"], "concerning");
    assert_eq!(m["boundary"], "uat");
    // The five UAT problems have no type: escaped and unclassified.
    assert_eq!(m["by_type"][4]["type"], "unclassified");
    assert_eq!(m["by_type"][4]["escaped"], 5);
}

#[test]
fn findings_name_file_line_and_column() {
    let file = fixture("findings.csv");
    let r = run(&["check", &file]);
    assert_eq!(r.code(), 2, "rows were rejected");
    let err = r.stderr();
    let expect = [
        "findings.csv:4: column 'id': the row has no id",
        "findings.csv:5: column 'found_stage': problem A-3 has no found stage",
        "findings.csv:6: column 'found_stage': problem A-4: unknown stage 'qa-lab'",
        "findings.csv:7: column 'detected_at': problem A-5: 'yesterday' is not a date",
        "findings.csv:8: column 'type': problem A-6: unknown type 'cosmic-ray', counted as unclassified",
        "findings.csv:9: column 'severity': problem A-7: unknown severity 'P9'",
        "findings.csv:10: column 'cost_hours': problem A-8: 'two' is not a number",
        "findings.csv:11: column 'cost_hours': problem A-9: negative value -3",
        "findings.csv:12: column 'resolved_at': problem A-10 was resolved before it was detected",
        "findings.csv:13: column 'to_verify': problem A-11: 'maybe' is not true/false",
        "findings.csv:14: column 'escape_mechanism': problem A-12: unknown escape mechanism 'cosmic_rays'",
        "findings.csv:15: column 'id': problem A-1 appears again (first at",
    ];
    for e in expect {
        assert!(err.contains(e), "missing `{e}` in:\n{err}");
    }
    assert!(err.contains("error: "), "rejections are errors");
    assert!(
        r.stdout()
            .contains("14 rows read, 9 used, 4 skipped, 1 duplicate"),
        "{}",
        r.stdout()
    );

    let m = metrics(&[&file, "--period", "2025-11"]);
    let q = &m["data_quality"];
    assert_eq!(q["rows_read"], 14);
    assert_eq!(q["rows_used"], 9);
    assert_eq!(q["rows_skipped"], 4);
    assert_eq!(q["duplicates"], 1);
    assert_eq!(q["skipped_by_reason"]["unknown found_stage"], 1);
    assert_eq!(q["findings"][0]["line"], 4);
    assert_eq!(q["findings"][0]["column"], "id");
    // A-6 has an unknown type: unclassified. A-8 and A-9 have no usable hours: estimated.
    assert_eq!(q["unclassified"], 1);
    assert_eq!(q["estimated_costs"], 2);
    // Duplicates count once, under the first occurrence (A-1 was found in unit testing).
    assert_eq!(m["totals"]["problems"], 9);
    assert_eq!(m["totals"]["escaped"], 8);
}

#[test]
fn strict_turns_every_finding_into_an_error() {
    let r = run(&["metrics", "--json", "--strict", &fixture("findings.csv")]);
    assert_eq!(r.code(), 2);
    assert!(r.stdout().is_empty());
    assert!(
        r.stderr().contains("--strict: 12 problems were found"),
        "{}",
        r.stderr()
    );
    let clean = run(&["metrics", "--json", "--strict", &fixture("worked.csv")]);
    assert_eq!(clean.code(), 0);
}

#[test]
fn quarters_are_cut_in_utc() {
    let m = metrics(&[&fixture("utc.csv"), "--period", "2026-Q1"]);
    // U-1 (23:30 at -02:00 is 01:30 UTC on 1 January) and U-3 (00:00 at +01:00 is still
    // 31 December in UTC) change quarters; U-2 stays in 2025-Q4.
    assert_eq!(m["totals"]["problems"], 1);
    assert_eq!(m["totals"]["escaped"], 1);
    let labels: Vec<&str> = m["quarters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["label"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["2025-Q4", "2026-Q1"]);
    assert_eq!(m["quarters"][0]["problems"], 3);
    assert_eq!(m["quarters"][0]["escaped"], 1);
}

#[test]
fn default_period_is_the_latest_full_quarter() {
    // The latest detection is on 2026-01-01 (UTC), so the latest full quarter is 2025-Q4.
    let m = metrics(&[&fixture("utc.csv")]);
    assert_eq!(m["period"]["label"], "2025-Q4");
    assert_eq!(m["period"]["start"], "2025-10-01");
    assert_eq!(m["period"]["end"], "2025-12-31");
}

#[test]
fn bom_crlf_and_loose_headers_are_read() {
    let m = metrics(&[&fixture("bom-crlf.csv"), "--period", "2025-11"]);
    assert_eq!(m["data_quality"]["rows_used"], 1, "{}", m["data_quality"]);
    assert_eq!(m["totals"]["escaped"], 1);
    assert_eq!(m["by_type"][0]["escaped"], 1, "Bug is a synonym of code");
}

#[test]
fn json_arrays_and_lines_keep_line_numbers() {
    let m = metrics(&[
        &fixture("records.json"),
        &fixture("records.jsonl"),
        "--period",
        "2025-11",
    ]);
    let q = &m["data_quality"];
    assert_eq!(q["files"][0]["rows_read"], 4);
    assert_eq!(q["files"][0]["rows_used"], 2);
    assert_eq!(q["files"][1]["rows_read"], 3);
    assert_eq!(q["files"][1]["rows_used"], 2);
    let findings = q["findings"].as_array().unwrap();
    let at = |file: &str, line: u64| {
        findings
            .iter()
            .any(|f| f["file"].as_str().unwrap().ends_with(file) && f["line"] == line)
    };
    assert!(
        at("records.json", 5),
        "unknown stage on line 5: {findings:?}"
    );
    assert!(
        at("records.json", 6),
        "a number instead of an object on line 6"
    );
    assert!(at("records.jsonl", 4), "broken JSON on line 4");
    assert_eq!(m["totals"]["problems"], 4);
    assert_eq!(q["to_verify"], 1);
}

#[test]
fn every_file_counts_rows_read_as_used_skipped_or_duplicate() {
    let m = metrics(&[
        &fixture("findings.csv"),
        &fixture("worked.csv"),
        &fixture("records.json"),
    ]);
    let q = &m["data_quality"];
    let mut sum = 0;
    for f in q["files"].as_array().unwrap() {
        let (r, u, s, d) = (
            f["rows_read"].as_u64().unwrap(),
            f["rows_used"].as_u64().unwrap(),
            f["rows_skipped"].as_u64().unwrap(),
            f["duplicates"].as_u64().unwrap(),
        );
        assert_eq!(r, u + s + d, "{f}");
        sum += r;
    }
    assert_eq!(q["rows_read"].as_u64().unwrap(), sum);
}

#[test]
fn stdin_is_read_with_a_dash() {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_escape-report"))
        .args(["metrics", "--json", "-", "--period", "2025-Q4"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(&std::fs::read(fixture("worked.csv")).unwrap())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let m: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(m["totals"]["problems"], 38);
    assert_eq!(m["data_quality"]["files"][0]["file"], "<stdin>");
}

#[test]
fn gate_exits_one_when_exceeded() {
    // 3 of 38 = 7.9 %.
    let pass = run(&[
        "gate",
        &fixture("worked.csv"),
        "--period",
        "2025-Q4",
        "--max-escape-rate",
        "8",
    ]);
    assert_eq!(pass.code(), 0, "{}", pass.stdout());
    assert!(pass.stdout().contains("gate passed"));
    let fail = run(&[
        "gate",
        &fixture("worked.csv"),
        "--period",
        "2025-Q4",
        "--max-escape-rate",
        "7.8",
    ]);
    assert_eq!(fail.code(), 1);
    assert!(
        fail.stdout()
            .contains("escape rate 7.9 % exceeds the limit of 7.8 %"),
        "{}",
        fail.stdout()
    );
    let bad = run(&["gate", &fixture("worked.csv"), "--max-escape-rate", "150"]);
    assert_eq!(bad.code(), 2);
}

/// `check` of one escaped problem (a.csv) with `deployments` as d.csv, both in `dir`;
/// the paths of both files and the run.
fn check_with_deployments(dir: &Path, deployments: &str) -> (PathBuf, PathBuf, Run) {
    let problems = file_in(
        dir,
        "a.csv",
        "id,found_stage,detected_at\nA,production,2025-11-01\n",
    );
    let deployments = file_in(dir, "d.csv", deployments);
    let r = run(&[
        "check",
        problems.to_str().unwrap(),
        "--deployments",
        deployments.to_str().unwrap(),
    ]);
    (problems, deployments, r)
}

#[test]
fn check_counts_the_deployments_file_it_fails_on() {
    let dir = temp_dir("check-deployments");
    let (problems, deployments, r) = check_with_deployments(&dir, "release,deployed_at,environment\nr1,notadate,production\nr2,2025-10-01,staging\nr3,2025-10-02,production\nr4,2025-10-03,\n");
    assert_eq!(r.code(), 2, "{}", r.stderr());
    // Four rows: one without a date skipped, three used, two of them (r3, and r4 with
    // no environment) to production.
    let line = format!(
        "{} (deployments): 4 rows read, 3 used (2 to production), 1 skipped\n",
        deployments.display()
    );
    assert!(r.stdout().contains(&line), "{}", r.stdout());
    assert!(r.stderr().contains("d.csv:2"), "{}", r.stderr());
    let m = run(&[
        "metrics",
        "--json",
        problems.to_str().unwrap(),
        "--deployments",
        deployments.to_str().unwrap(),
    ])
    .json();
    let files = &m["data_quality"]["deployment_files"];
    assert_eq!(files[0]["rows_read"], 4);
    assert_eq!(files[0]["rows_skipped"], 1);
    assert_eq!(files[0]["production"], 2);
    assert_eq!(m["data_quality"]["rows_read"], 1);
}

/// A deployments file without the columns it needs names the header's line and lists
/// the names as the file spells them, quoted, so an empty one and a comma show.
#[test]
fn a_deployments_header_without_its_columns_is_listed_as_written() {
    let dir = temp_dir("deployments-header");
    let (_, _, r) = check_with_deployments(&dir, "\n\nRelease Name,,\",\"\nr1,x,y\n");
    assert_eq!(r.code(), 2, "{}", r.stderr());
    assert!(
        r.stderr().contains(
            "d.csv:3: a deployments file needs release and deployed_at columns (found: 'Release Name', '', ',')"
        ),
        "{}",
        r.stderr()
    );
}

#[test]
fn check_says_what_its_warnings_were_and_strict_calls_them_errors() {
    let dir = temp_dir("check-warnings");
    let dup = file_in(
        &dir,
        "dup.csv",
        "id,found_stage,detected_at\nA,production,2025-11-01\nA,unit,2025-11-02\n",
    );
    let r = run(&["check", dup.to_str().unwrap()]);
    assert_eq!(r.code(), 0);
    assert!(
        r.stdout().ends_with("check passed with warnings: no row was rejected; 1 repeated id was counted once (listed above on stderr)\n"),
        "{}",
        r.stdout()
    );
    let both = file_in(&dir, "both.csv", "id,found_stage,detected_at\nA,production,2025-11-01\nA,unit,2025-11-02\nB,unit,2025-11-02,x\nC,unit,2025-11-02,y\n");
    let r = run(&["check", both.to_str().unwrap()]);
    assert!(
        r.stdout().ends_with("no row was rejected; 2 values were repaired and 1 repeated id was counted once (listed above on stderr)\n"),
        "{}",
        r.stdout()
    );
    assert!(r.stderr().starts_with("warning: "), "{}", r.stderr());
    let strict = run(&["check", both.to_str().unwrap(), "--strict"]);
    assert_eq!(strict.code(), 2);
    let stderr = strict.stderr();
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 4, "{}", strict.stderr());
    assert!(
        lines.iter().all(|l| l.starts_with("error: ")),
        "{}",
        strict.stderr()
    );
}

/// The README's example rules add to the built-in ones: reading a Jira export with them
/// gives the same figures as without (they used to replace `prod`, `escaped`… so every
/// escape counted as found before release).
#[test]
fn the_readme_s_rules_add_to_the_built_in_ones() {
    let dir = temp_dir("readme-rules");
    let config = file_in(&dir, "c.toml", "[import.stage_rules]\n\"found-in-prod\" = \"production\"\n[import.type_rules]\nterraform = \"infra\"\n[types.synonyms]\ndefekt = \"code\"\n[severity.synonyms]\nsev1 = \"P0\"\n");
    let jira = fixture("exports/jira-cloud.csv");
    let plain = metrics(&[&jira, "--period", "2025-Q3"]);
    let with = metrics(&[
        &jira,
        "--period",
        "2025-Q3",
        "--config",
        config.to_str().unwrap(),
    ]);
    assert!(plain["totals"]["escaped"].as_u64().unwrap() > 0);
    assert_eq!(with["totals"], plain["totals"]);
    assert_eq!(with["by_type"], plain["by_type"]);
    assert_eq!(with["by_severity"], plain["by_severity"]);
}

#[test]
fn a_rate_equal_to_the_limit_passes_the_gate() {
    let dir = temp_dir("gate-limit");
    // (escaped, problems, limit in %): each rate is exactly its limit; 0.07 * 100 and
    // 0.55 * 100 are a little over 7 and 55 in floating point.
    for (escaped, problems, limit) in [
        (7, 100, "7"),
        (11, 20, "55"),
        (3, 40, "7.5"),
        (1, 3, "33.4"),
    ] {
        let mut csv = String::from("id,found_stage,detected_at,severity\n");
        for i in 0..problems {
            let stage = if i < escaped { "production" } else { "unit" };
            csv.push_str(&format!("G{i},{stage},2025-11-05,P1\n"));
        }
        let file = dir.join(format!("g{problems}.csv"));
        write_file(&file, csv);
        let file = file.display().to_string();
        let at = |flag: &str, limit: &str| {
            let mut args = vec!["gate", &file, "--period", "2025-Q4", "--max-escape-rate"];
            args.extend(match flag {
                "rate" => [limit, "--max-weighted", "100"],
                _ => ["100", "--max-weighted", limit],
            });
            run(&args)
        };
        for flag in ["rate", "weighted"] {
            let r = at(flag, limit);
            assert_eq!(
                r.code(),
                0,
                "{flag} {escaped}/{problems} at {limit} %: {}",
                r.stdout()
            );
            assert!(r
                .stdout()
                .contains(&format!("is within the limit of {limit} %")));
        }
        // A hair under the rate fails.
        let under = format!("{}", escaped as f64 * 100.0 / problems as f64 - 0.01);
        assert_eq!(
            at("rate", &under).code(),
            1,
            "{escaped}/{problems} at {under} %"
        );
    }
}

#[test]
fn init_writes_a_config_that_is_read_back() {
    let dir = temp_dir("init");
    let r = run_in(&dir, &["init"]);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    let text = std::fs::read_to_string(dir.join("escape-report.toml")).unwrap();
    assert!(text.contains("boundary = \"production\""));
    let again = run_in(&dir, &["init"]);
    assert_eq!(again.code(), 2, "an existing file is not replaced");
    assert!(again.stderr().contains("--force"));
    let m = run_in(
        &dir,
        &[
            "metrics",
            "--json",
            &fixture("worked.csv"),
            "--period",
            "2025-Q4",
        ],
    )
    .json();
    assert_eq!(m["totals"]["escaped"], 3);
}

#[test]
fn a_config_typo_is_an_error_naming_the_key() {
    let dir = temp_dir("typo");
    write_file(
        dir.join("escape-report.toml"),
        "[thresholds]\nsmall_sampel = 10\n",
    );
    let r = run_in(&dir, &["summary", &fixture("worked.csv")]);
    assert_eq!(r.code(), 2);
    assert!(r.stderr().contains("small_sampel"), "{}", r.stderr());
    assert!(r.stderr().contains("escape-report.toml"), "{}", r.stderr());
}

#[test]
fn missing_files_and_bad_periods_are_usage_errors() {
    let r = run(&["summary", "/no/such/file.csv"]);
    assert_eq!(r.code(), 2);
    assert!(r.stderr().contains("/no/such/file.csv"));
    let r = run(&["summary", &fixture("worked.csv"), "--period", "last week"]);
    assert_eq!(r.code(), 2);
    assert!(r.stderr().contains("2025-W47"), "{}", r.stderr());
}

/// Mistakes on the command line exit 2 with the usage error on stderr and nothing on
/// stdout, where a report would go.
#[test]
fn command_line_mistakes_exit_2_with_nothing_on_stdout() {
    let worked = fixture("worked.csv");
    for (args, said) in [
        (
            vec!["render", &worked, "--audience", "sprint", "--bogus"],
            "unexpected argument '--bogus'",
        ),
        (vec!["render", &worked], "--audience <AUDIENCE>"),
        (
            vec!["render", &worked, "--audience", "ceo"],
            "invalid value 'ceo' for '--audience",
        ),
        (
            vec!["render", &worked, "--audience", "em", "--format", "docx"],
            "invalid value 'docx'",
        ),
        (
            vec!["metrics", &worked, "--period"],
            "a value is required for '--period",
        ),
        (vec!["frobnicate"], "unrecognized subcommand 'frobnicate'"),
        (vec!["import", "nosuch", &worked], "unknown format 'nosuch'"),
    ] {
        let r = run(&args);
        assert_eq!(r.code(), 2, "{args:?}");
        assert!(
            r.stderr().starts_with("error: ") && r.stderr().contains(said),
            "{args:?}: {}",
            r.stderr()
        );
        assert_eq!(r.stdout(), "", "{args:?}");
    }
    // `import` refuses to write over the file it reads.
    let dir = temp_dir("import-over-input");
    let input = dir.join("p.csv");
    std::fs::copy(&worked, &input).unwrap();
    let r = run_in(&dir, &["import", "csv", "p.csv", "-o", "p.csv"]);
    assert_eq!(r.code(), 2);
    assert!(
        r.stderr().contains("the output p.csv is also an input"),
        "{}",
        r.stderr()
    );
    assert_eq!(
        std::fs::read(&input).unwrap(),
        std::fs::read(&worked).unwrap()
    );
}

#[test]
fn every_command_has_help_with_an_example() {
    for cmd in ["check", "summary", "metrics", "gate", "init", "completions"] {
        let r = run(&[cmd, "--help"]);
        assert_eq!(r.code(), 0);
        assert!(r.stdout().contains("Example:"), "{cmd}");
    }
}

#[test]
fn metrics_json_on_the_samples() {
    let r = run_in(
        Path::new(env!("CARGO_MANIFEST_DIR")),
        &["metrics", "--json", "samples/problems.csv"],
    );
    let m = r.json();
    // Pinned and reviewed by hand; see samples/README.md for how the data was made.
    insta::assert_snapshot!("metrics_samples", r.stdout());
    assert_eq!(m["schema_version"], 1);
    assert_eq!(
        m["data_quality"]["rows_read"],
        m["data_quality"]["rows_used"]
    );
}

#[test]
fn summary_on_the_samples() {
    let r = run_in(
        Path::new(env!("CARGO_MANIFEST_DIR")),
        &["summary", "samples/problems.csv"],
    );
    assert_eq!(r.code(), 0);
    insta::assert_snapshot!("summary_samples", r.stdout());
}

/// Runs the sample generator (examples/generate.rs) through cargo.
fn generate(rows: u32, seed: u32, out: &Path) {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .args(["run", "--quiet", "--example", "generate", "--", "--rows"])
        .arg(rows.to_string())
        .arg("--seed")
        .arg(seed.to_string())
        .arg("--out")
        .arg(out)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .status()
        .expect("cargo runs the generator");
    assert!(status.success());
}

/// The engine agrees, figure by figure, with an independent Python implementation of
/// SPEC 4 (scripts/oracle.py, written separately from the spec) on data it never saw.
#[test]
fn metrics_agree_with_the_independent_oracle() {
    let dir = temp_dir("oracle");
    let data = dir.join("20k.csv");
    generate(20_000, 7, &data);
    let data = data.display().to_string();
    // The generator's releases, `year.sequence` every other Tuesday at 10:00 UTC from
    // 2024-01-02; some failed or rolled back, some also on staging, some on "live".
    let deployments = dir.join("deployments.csv");
    let mut list = String::from("release,deployed_at,environment,status\n");
    let mut sequence = (0, 0);
    for k in 0..70 {
        let day = chrono::NaiveDate::from_ymd_opt(2024, 1, 2).unwrap() + chrono::Days::new(14 * k);
        let year = chrono::Datelike::year(&day);
        sequence = if sequence.0 == year {
            (year, sequence.1 + 1)
        } else {
            (year, 1)
        };
        let release = format!("{year}.{:02}", sequence.1);
        let status = ["success", "success", "failed", "success", "rolled_back"][k as usize % 5];
        let environment = if k % 3 == 0 { "live" } else { "production" };
        list.push_str(&format!(
            "{release},{day}T10:00:00Z,{environment},{status}\n"
        ));
        list.push_str(&format!("{release},{day}T08:00:00Z,staging,success\n"));
    }
    write_file(&deployments, list);
    let deployments = deployments.display().to_string();
    // Money per type (SPEC 4) with an hourly rate.
    let rated = file_in(&dir, "rate.toml", "[cost]\nhourly_rate = 95.5\n");
    let rated = rated.display().to_string();
    for (period, deployed, rate) in [
        (None, false, false),
        (Some("2025-Q3"), false, false),
        (Some("2026-02"), false, false),
        (Some("2025-W47"), false, false),
        (Some("2024-12-15..2025-03-14"), false, false),
        (None, true, false),
        (Some("2025-W47"), true, false),
        (Some("2025-Q3"), false, true),
    ] {
        let mut args = vec!["metrics", "--json", data.as_str()];
        if let Some(p) = period {
            args.extend(["--period", p]);
        }
        if deployed {
            args.extend(["--deployments", deployments.as_str()]);
        }
        if rate {
            args.extend(["--config", rated.as_str()]);
        }
        let ours = run(&args);
        assert_eq!(ours.code(), 0, "{}", ours.stderr());
        let ours_path = file_in(&dir, "ours.json", &ours.output.stdout);
        let mut oracle = Command::new("python3");
        oracle
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/oracle.py"))
            .arg(&data)
            .arg("--compare")
            .arg(&ours_path);
        if let Some(p) = period {
            oracle.args(["--period", p]);
        }
        if deployed {
            oracle.args(["--deployments", deployments.as_str()]);
        }
        if rate {
            oracle.args(["--hourly-rate", "95.5"]);
        }
        let out = oracle.output().expect("python3 runs the oracle");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "period {period:?}, deployments {deployed}:\n{text}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let agreed: u64 = text
            .split_whitespace()
            .nth(1)
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        assert!(agreed > 200, "too few figures compared: {text}");
    }
}

/// Renders into a fresh directory and returns (document, chart files written beside it).
fn render_to(dir: &Path, audience: &str, format: &str, extra: &[&str]) -> (String, Vec<String>) {
    let out = dir.join(format!("{audience}.{format}"));
    let out_text = out.display().to_string();
    let mut args = vec![
        "render",
        "samples/problems.csv",
        "--audience",
        audience,
        "--format",
        format,
        "-o",
        out_text.as_str(),
    ];
    args.extend_from_slice(extra);
    let r = run_in(Path::new(env!("CARGO_MANIFEST_DIR")), &args);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    let doc = std::fs::read_to_string(&out).unwrap();
    let mut charts: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(&format!("{audience}-")) && n.ends_with(".svg"))
        .collect();
    charts.sort();
    (doc, charts)
}

#[test]
fn reports_on_the_samples() {
    let dir = temp_dir("reports");
    for audience in ["sprint", "em", "board"] {
        let (md, charts) = render_to(&dir, audience, "md", &[]);
        assert!(
            !charts.is_empty(),
            "{audience}: charts are written beside the Markdown"
        );
        for chart in &charts {
            assert!(
                md.contains(&format!("]({chart})")),
                "{audience}: {chart} is linked"
            );
            let svg = std::fs::read_to_string(dir.join(chart)).unwrap();
            assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
        }
        insta::assert_snapshot!(format!("render_{audience}_md"), md);
        let (html, _) = render_to(&dir, audience, "html", &[]);
        assert!(html.contains("<svg"), "{audience}: charts are inline");
        assert!(
            !html.contains("<link") && !html.contains("src=\"http"),
            "no external requests"
        );
        insta::assert_snapshot!(format!("render_{audience}_html"), html);
    }
}

#[test]
fn report_numbers_equal_the_metrics() {
    let m = run_in(
        Path::new(env!("CARGO_MANIFEST_DIR")),
        &["metrics", "--json", "samples/problems.csv"],
    )
    .json();
    let dir = temp_dir("numbers");
    let (sprint, _) = render_to(&dir, "sprint", "md", &["--no-charts"]);
    let t = &m["totals"];
    let rate = format!("{:.1} %", t["escape_rate"].as_f64().unwrap() * 100.0);
    let escaped = t["escaped"].as_u64().unwrap();
    let problems = t["problems"].as_u64().unwrap();
    assert!(
        sprint.contains(&format!("we had {escaped} escaped problems")),
        "{sprint}"
    );
    assert!(sprint.contains(&format!(
        "{escaped} of the {problems} problems found escaped, an escape rate of {rate}"
    )));
    let cost = t["cost_hours"].as_f64().unwrap();
    assert!(sprint.contains(&format!("Cost: about {} hours", cost.round())));
    let (board, _) = render_to(&dir, "board", "md", &["--no-charts"]);
    assert!(board.contains(&format!("{escaped} problems reached production")));
    let (em, _) = render_to(&dir, "em", "md", &["--no-charts"]);
    for trend in m["trends"].as_array().unwrap() {
        if trend["direction"] == "dropping" && trend["type"] == "code" {
            assert!(em.contains("Code defects are dropping"), "{em}");
        }
    }
    assert!(!em.contains(".svg"), "--no-charts leaves charts out");
}

#[test]
fn hostile_text_shows_literally() {
    let file = fixture("hostile.csv");
    let render = |audience: &str, format: &str| {
        run(&[
            "render",
            &file,
            "--period",
            "2025-Q4",
            "--audience",
            audience,
            "--format",
            format,
        ])
    };
    let md = render("sprint", "md");
    assert_eq!(md.code(), 0, "{}", md.stderr());
    let md = md.stdout();
    assert!(
        md.contains(
            "&lt;script&gt;document.title='PWNED'&lt;/script&gt; \\| pipe newline \\*\\*bold\\*\\*"
        ),
        "{md}"
    );
    assert!(!md.contains("<script>") && !md.contains("<img"));
    // Every table row still has as many cells as the header.
    for line in md.lines().filter(|l| l.starts_with("| X-")) {
        let unescaped = line.matches('|').count() - line.matches("\\|").count();
        assert_eq!(unescaped, 6, "five cells: {line}");
    }
    let html = render("em", "html").stdout();
    assert!(!html.contains("<script>document") && !html.contains("<img src=x"));
    assert!(html.contains("&lt;b&gt;checkout&lt;/b&gt;"));
    // The PDF draws the text as it is: markup, pipes and asterisks are letters there.
    let pdf = pdf_text(&render("sprint", "pdf"));
    for shown in [
        "“<script>document.title='PWNED'</script>|pipenewline**bold**<imgsrc=xonerror=\"document.title='PWNED2'\">”",
        "Zürich—5€naïvecafé",
    ] {
        assert!(pdf.contains(shown), "{shown} in {pdf}");
    }
    let sprint = run(&[
        "render",
        &file,
        "--period",
        "2025-Q4",
        "--audience",
        "sprint",
        "--format",
        "html",
    ])
    .stdout();
    assert!(
        sprint.contains("&lt;script&gt;document.title=&#x27;PWNED&#x27;&lt;&#x2F;script&gt;")
            || sprint.contains("&lt;script&gt;"),
        "{sprint}"
    );
    assert!(sprint.contains("Zürich — 5 € naïve café"));
}

/// A sprint named `Sprint #` keeps its `#` in the heading: a trailing ` #` would otherwise
/// be read as the heading's closing sequence and dropped.
#[test]
fn a_sprint_name_ending_in_a_hash_stays_in_the_heading() {
    let dir = temp_dir("hash-sprint");
    let config = file_in(
        &dir,
        "c.toml",
        "[[sprint]]\nname = \"Sprint #\"\nstart = 2025-11-01\nend = 2025-11-14\n",
    );
    let data = file_in(
        &dir,
        "a.csv",
        "id,found_stage,detected_at\nA,production,2025-11-05\n",
    );
    let r = run(&[
        "render",
        &data.display().to_string(),
        "--config",
        &config.display().to_string(),
        "--period",
        "Sprint #",
        "--audience",
        "sprint",
        "--no-charts",
    ]);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    assert_eq!(
        r.stdout().lines().next(),
        Some("# Sprint review: escaped problems, Sprint \\#")
    );
}

#[test]
fn user_templates_override_the_built_ins() {
    let dir = temp_dir("templates");
    let tdir = dir.join("mine");
    let t = tdir.display().to_string();
    let r = run(&["templates", "export", &t]);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    assert!(tdir.join("sprint.md").is_file() && tdir.join("_section.html").is_file());
    let again = run(&["templates", "export", &t]);
    assert_eq!(
        again.code(),
        2,
        "existing templates are not replaced without --force"
    );
    // All the templates or none: the last one cannot be written (a directory is in its
    // place), and none of the others is written either.
    let blocked = dir.join("blocked");
    std::fs::create_dir_all(blocked.join("_style.html")).unwrap();
    let r = run(&[
        "templates",
        "export",
        "--force",
        &blocked.display().to_string(),
    ]);
    assert_eq!(r.code(), 2, "{}", r.stderr());
    assert!(r.stderr().contains("_style.html"), "{}", r.stderr());
    assert_eq!(names_in(&blocked), ["_style.html"]);
    let original = std::fs::read_to_string(tdir.join("sprint.md")).unwrap();
    write_file(
        tdir.join("sprint.md"),
        format!("CUSTOM MARKER {{{{ report.period.label }}}}\n{original}"),
    );
    let r = run(&[
        "render",
        &fixture("worked.csv"),
        "--period",
        "2025-Q4",
        "--audience",
        "sprint",
        "--templates",
        &t,
    ]);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    assert!(
        r.stdout().starts_with("CUSTOM MARKER 2025-Q4"),
        "{}",
        r.stdout()
    );

    write_file(tdir.join("em.md"), "# Title\n\n{{ report.title }\n");
    let broken = run(&[
        "render",
        &fixture("worked.csv"),
        "--audience",
        "em",
        "--templates",
        &t,
    ]);
    assert_eq!(broken.code(), 2);
    let err = broken.stderr();
    assert!(
        err.contains("em.md:3:"),
        "the error names the template and line: {err}"
    );
    assert!(err.contains(&t), "and the directory: {err}");

    write_file(tdir.join("em.md"), "{{ report.no_such_thing.x }}\n");
    let missing = run(&[
        "render",
        &fixture("worked.csv"),
        "--audience",
        "em",
        "--templates",
        &t,
    ]);
    assert_eq!(missing.code(), 2);
    assert!(
        missing.stderr().contains("em.md:1:"),
        "{}",
        missing.stderr()
    );
}

#[test]
fn markdown_to_stdout_has_no_chart_files_unless_asked() {
    let dir = temp_dir("stdout-md");
    let r = run_in(
        &dir,
        &[
            "render",
            &fixture("worked.csv"),
            "--period",
            "2025-Q4",
            "--audience",
            "sprint",
        ],
    );
    assert_eq!(r.code(), 0);
    assert!(!r.stdout().contains(".svg"));
    assert_eq!(
        std::fs::read_dir(&dir).unwrap().count(),
        0,
        "nothing written beside"
    );
    let r = run_in(
        &dir,
        &[
            "render",
            &fixture("worked.csv"),
            "--period",
            "2025-Q4",
            "--audience",
            "sprint",
            "--charts-dir",
            "charts",
        ],
    );
    assert!(
        r.stdout().contains("](charts/type-distribution.svg)"),
        "{}",
        r.stdout()
    );
    assert!(dir.join("charts/type-distribution.svg").is_file());
}

#[test]
fn a_report_never_overwrites_its_input() {
    let dir = temp_dir("overwrite");
    let input = dir.join("in.csv");
    std::fs::copy(fixture("worked.csv"), &input).unwrap();
    let i = input.display().to_string();
    let r = run(&["render", &i, "--audience", "sprint", "-o", &i]);
    assert_eq!(r.code(), 2);
    assert!(r.stderr().contains("is also an input"));
    assert_eq!(
        std::fs::read(&input).unwrap(),
        std::fs::read(fixture("worked.csv")).unwrap()
    );
}

/// Imports an export and returns the native CSV's rows as maps, with stderr.
fn import(source: &str, file: &str) -> (Vec<std::collections::BTreeMap<String, String>>, String) {
    let r = run(&["import", source, &fixture(&format!("exports/{file}"))]);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    let text = r.stdout();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader.headers().unwrap().clone();
    let rows = reader
        .records()
        .map(|rec| {
            headers
                .iter()
                .zip(rec.unwrap().iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect();
    (rows, r.stderr())
}

/// Checks selected columns of each imported row: `id|found_stage|type|to_verify|severity|detected_at|resolved_at`.
fn expect_rows(rows: &[std::collections::BTreeMap<String, String>], expected: &[&str]) {
    let keys = [
        "id",
        "found_stage",
        "type",
        "to_verify",
        "severity",
        "detected_at",
        "resolved_at",
    ];
    let got: Vec<String> = rows
        .iter()
        .map(|r| {
            keys.iter()
                .map(|k| r[*k].as_str())
                .collect::<Vec<_>>()
                .join("|")
        })
        .collect();
    assert_eq!(got, expected);
}

#[test]
fn jira_exports_import_as_expected() {
    let (rows, err) = import("jira", "jira-cloud.csv");
    expect_rows(
        &rows,
        &[
            // Label `escaped` and Environment `Production`; type only from the issue type, so to verify.
            "SHOP-101|production|code|true|High|2025-09-22T09:26:00Z|2025-09-23T16:00:00Z",
            // Label found-in:uat; label infra.
            "SHOP-102|uat|infra||Medium|2025-09-24T00:00:00Z|",
            // The custom field "Found in" says Production.
            "SHOP-104|production|code|true|Highest|2025-09-26T15:45:00Z|2025-09-27T09:00:00Z",
            // Nothing places it: the default stage, to verify.
            "SHOP-105|system|code|true|Lowest|2025-09-27T08:00:00Z|",
        ],
    );
    assert_eq!(rows[0]["title"], "Checkout total wrong, Zürich VAT");
    assert_eq!(rows[0]["cost_hours"], "4", "Time Spent 14400 s");
    assert_eq!(rows[0]["release"], "2025.18");
    assert_eq!(rows[0]["component"], "checkout");
    assert!(
        err.contains("jira-cloud.csv:5: SHOP-103 is a Story, not a defect"),
        "{err}"
    );
    assert!(
        err.contains("imported 4 of 5 records as jira: 1 skipped (1 not a defect)"),
        "{err}"
    );

    let (rows, err) = import("jira", "jira-server-cp1252.csv");
    expect_rows(
        &rows,
        &[
            "OPS-7|production|infra||Critical|2014-03-22T07:59:00Z|2014-03-22T11:30:00Z",
            "OPS-8|staging|code|true|Major|2014-03-23T10:00:00Z|",
        ],
    );
    assert_eq!(
        rows[0]["title"], "Zürich DNS – outage",
        "Windows-1252 transcoded"
    );
    assert!(err.contains("read as Windows-1252"), "{err}");
    assert!(
        err.contains("imported 2 of 2 records"),
        "the footer is not a record: {err}"
    );

    let (rows, _) = import("jira", "jira-fr.csv");
    expect_rows(
        &rows,
        &["BOUT-1|production|code|true|High|2016-10-19T10:36:00Z|2016-10-20T09:00:00Z"],
    );
}

/// A row of an export with more or fewer fields than the header gets the same finding
/// as a native row; Jira's repeated columns and its footer line are not that.
#[test]
fn export_rows_with_the_wrong_number_of_fields_are_findings() {
    let dir = temp_dir("export-fields");
    let jira = file_in(
        &dir,
        "j.csv",
        "Summary,Issue key,Issue Type,Priority,Created,Environment,Labels,Labels\n\
         Short,SHOP-2,Bug\n\
         Extra,SHOP-3,Bug,High,22/Sep/25 9:26 AM,Production,code,ui,x,y\n\
         Right,SHOP-4,Bug,High,22/Sep/25 9:26 AM,Production,code,\n\
         Generated at Tue Sep 30 10:00:00 UTC 2025 by Admin using JIRA 9.12.1#912001-sha1:abc.\n",
    );
    let pd = file_in(&dir, "pd.csv", "incident_number,description,urgency,priority_name,service_name,team_name,created_at,resolved_at\n\
         2001,Disk full,high,P2,Batch,Platform,2025-11-09T10:00:00Z\n");
    let r = run(&["check", jira.to_str().unwrap(), pd.to_str().unwrap()]);
    let err = r.stderr();
    for e in [
        "j.csv:2: the row has 3 fields but the header has 8; the missing ones are taken as empty (a truncated line or a stray delimiter?)",
        "j.csv:3: the row has 10 fields but the header has 8; the extra ones are ignored (an unquoted delimiter inside a value?)",
        "pd.csv:2: the row has 7 fields but the header has 8; the missing ones are taken as empty",
    ] {
        assert!(err.contains(e), "missing `{e}` in:\n{err}");
    }
    assert_eq!(err.matches("fields but the header has").count(), 3, "{err}");
}

/// An export with a header line and no rows (Jira's footer is not one) is an error, as
/// a native file is.
#[test]
fn an_export_without_rows_is_an_error() {
    let dir = temp_dir("export-no-rows");
    let jira = file_in(
        &dir,
        "j.csv",
        "\nSummary,Issue key,Issue Type,Created\n\n\
         Generated at Tue Sep 30 10:00:00 UTC 2025 by Admin using JIRA 9.12.1#912001-sha1:abc.\n",
    );
    let zd = file_in(&dir, "zd.csv", "Id,Subject,Requester,Created at\n");
    let r = run(&["check", jira.to_str().unwrap(), zd.to_str().unwrap()]);
    assert_eq!(r.code(), 2, "{}", r.stdout());
    let err = r.stderr();
    for e in [
        "j.csv:2: the file has a header line but no rows",
        "zd.csv:1: the file has a header line but no rows",
    ] {
        assert!(err.contains(e), "missing `{e}` in:\n{err}");
    }
}

/// Only Jira Server's footer line is not a record: an issue whose summary mentions Jira
/// is counted like any other.
#[test]
fn jira_issues_that_mention_jira_are_counted() {
    let dir = temp_dir("jira-mentions");
    let file = file_in(&dir, "j.csv", "Summary,Issue key,Issue Type,Priority,Created,Environment,Labels\n\
         Crash,SHOP-1,Bug,High,22/Sep/25 9:26 AM,Production,code\n\
         Sync fails when using JIRA webhooks,SHOP-2,Bug,High,23/Sep/25 9:26 AM,Production,integration\n\
         Generated at night by JIRA cron,SHOP-3,Bug,High,24/Sep/25 9:26 AM,Production,code\n\
         Generated at Tue Sep 30 10:00:00 UTC 2025 by Admin using JIRA 9.12.1#912001-sha1:abc.\n");
    let r = run(&["check", file.to_str().unwrap()]);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    assert!(
        r.stdout()
            .contains("j.csv (jira): 3 rows read, 3 used, 0 skipped"),
        "{}",
        r.stdout()
    );
    let r = run(&["import", "jira", file.to_str().unwrap()]);
    let out = r.stdout();
    let ids: Vec<&str> = out
        .lines()
        .skip(1)
        .filter_map(|l| l.split(',').next())
        .collect();
    assert_eq!(ids, ["SHOP-1", "SHOP-2", "SHOP-3"], "{}", r.stderr());
}

#[test]
fn github_and_pagerduty_import_as_expected() {
    let (rows, err) = import("github", "github-rest.json");
    expect_rows(
        &rows,
        &["acme/shop#42|production|regression|true|p1|2025-11-03T10:00:00Z|2025-11-04T12:30:00Z"],
    );
    assert!(
        err.contains("github-rest.json:12: acme/shop#43 is a pull request"),
        "{err}"
    );
    assert!(
        err.contains("github-rest.json:21: acme/shop#44 is labelled 'enhancement'"),
        "{err}"
    );
    assert!(
        err.contains("github-rest.json:29: column 'number': problem acme/shop#42 appears again"),
        "{err}"
    );
    assert!(
        err.contains("imported 1 of 4 records as github: 2 skipped"),
        "{err}"
    );
    let (rows, _) = import("github", "github-gh.json");
    expect_rows(&rows, &["#7|staging|code|||2025-11-06T08:00:00Z|"]);

    let (rows, _) = import("pagerduty", "pagerduty.json");
    expect_rows(
        &rows,
        &[
            // Priority P1 is PagerDuty's worst; resolved when its status changed to resolved.
            "PD-1001|production|infra||P0|2025-11-07T03:12:00Z|2025-11-07T04:00:00Z",
            // No priority: urgency low; no resolution yet.
            "PD-1002|production|integration||P3|2025-11-08T13:00:00Z|",
        ],
    );
    assert_eq!(rows[0]["team"], "Payments");
    assert_eq!(rows[0]["component"], "Checkout API");
    let (rows, _) = import("pagerduty", "pagerduty.csv");
    expect_rows(
        &rows,
        &[
            "PD-2001|production|infra||P1|2025-11-09T10:00:00Z|2025-11-09T11:00:00Z",
            "PD-2002|production||true|P3|2025-11-10T09:00:00Z|",
        ],
    );
}

/// The same issue number in two repositories is two problems: the id names the
/// repository, from `gh`'s `url` as from the REST API's `html_url`.
#[test]
fn github_issues_of_two_repositories_are_not_duplicates() {
    let dir = temp_dir("github-repos");
    let a = dir.join("a.json");
    let b = dir.join("b.json");
    write_file(
        &a,
        r#"[{"createdAt":"2025-11-06T08:00:00Z","labels":[{"name":"bug"}],"number":7,"title":"Web bug","url":"https://github.com/acme/web/issues/7"},
{"createdAt":"2025-11-06T09:00:00Z","labels":[{"name":"bug"}],"number":8,"title":"Web fix","url":"https://github.com/acme/web/pull/8"}]"#,
    );
    write_file(
        &b,
        r#"[{"created_at":"2025-11-07T08:00:00Z","labels":[{"name":"bug"}],"number":7,"title":"API bug","url":"https://api.github.com/repos/acme/api/issues/7","html_url":"https://github.com/acme/api/issues/7"},
{"createdAt":"2025-11-08T08:00:00Z","labels":[{"name":"bug"}],"number":7,"title":"CLI bug","repository":{"name":"cli","nameWithOwner":"acme/cli"}},
{"created_at":"2025-11-08T09:00:00Z","labels":[{"name":"bug"}],"number":7,"title":"Docs bug","repository":{"nameWithOwner":"acme","full_name":"acme/docs"}},
{"created_at":"2025-11-08T10:00:00Z","labels":[{"name":"bug"}],"number":9,"title":"Odd","repository":"/"},
{"created_at":"2025-11-08T10:00:00Z","labels":[{"name":"bug"}],"number":10,"title":"Odd","repository":{"nameWithOwner":"acme/"}},
{"created_at":"2025-11-08T10:00:00Z","labels":[{"name":"bug"}],"number":11,"title":"Odd","repository":"acme/web#12"},
{"created_at":"2025-11-08T10:00:00Z","labels":[{"name":"bug"}],"number":12,"title":"Odd","repository":"a/b/c"}]"#,
    );
    let r = run(&["import", "github", a.to_str().unwrap(), b.to_str().unwrap()]);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    let out = r.stdout();
    let ids: Vec<&str> = out
        .lines()
        .skip(1)
        .filter_map(|l| l.split(',').next())
        .collect();
    assert_eq!(
        ids,
        [
            "acme/web#7",
            "acme/api#7",
            "acme/cli#7",
            "acme/docs#7",
            "#9",
            "#10",
            "#11",
            "#12"
        ],
        "{}",
        r.stderr()
    );
    assert!(
        r.stderr()
            .contains("a.json:2: acme/web#8 is a pull request, not an issue"),
        "{}",
        r.stderr()
    );
    assert!(!r.stderr().contains("appears again"), "{}", r.stderr());
}

#[test]
fn support_desks_import_as_expected() {
    let (rows, err) = import("zendesk", "zendesk.csv");
    expect_rows(
        &rows,
        &["ZD-501|production|code||P1|2025-11-11T08:00:00Z|2025-11-12T09:00:00Z"],
    );
    assert!(
        err.contains("zendesk.csv:3: ticket 502 is a question"),
        "{err}"
    );
    let (rows, _) = import("freshdesk", "freshdesk.csv");
    expect_rows(
        &rows,
        &["FD-9001|production|integration||P0|2025-11-12T08:00:00Z|2025-11-12T18:00:00Z"],
    );
}

#[test]
fn exports_are_detected_without_being_named() {
    let files = [
        "jira-cloud.csv",
        "github-rest.json",
        "pagerduty.json",
        "pagerduty.csv",
        "zendesk.csv",
        "freshdesk.csv",
    ];
    let paths: Vec<String> = files
        .iter()
        .map(|f| fixture(&format!("exports/{f}")))
        .collect();
    let mut args = vec!["metrics", "--json", "--period", "2025-Q4"];
    args.extend(paths.iter().map(String::as_str));
    let m = run(&args).json();
    let formats: Vec<&str> = m["data_quality"]["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["format"].as_str().unwrap())
        .collect();
    assert_eq!(
        formats,
        [
            "jira",
            "github",
            "pagerduty",
            "pagerduty",
            "zendesk",
            "freshdesk"
        ]
    );
    for f in m["data_quality"]["files"].as_array().unwrap() {
        let n = |k: &str| f[k].as_u64().unwrap();
        assert_eq!(
            n("rows_read"),
            n("rows_used") + n("rows_skipped") + n("duplicates"),
            "{f}"
        );
    }
}

#[test]
fn imported_csv_defuses_formulas_and_reads_back_unchanged() {
    let dir = temp_dir("formula");
    let export = file_in(&dir, "jira.csv", "Summary,Issue key,Issue Type,Priority,Created,Environment,Components\n\"=HYPERLINK(\"\"http://x\"\")\",SHOP-1,Bug,High,03/Nov/25 10:00 AM,production,@admin\n");
    let out = dir.join("problems.csv");
    let r = run(&[
        "import",
        "jira",
        &export.display().to_string(),
        "-o",
        &out.display().to_string(),
    ]);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    let written = std::fs::read_to_string(&out).unwrap();
    assert!(
        written.contains("\"'=HYPERLINK(\"\"http://x\"\")\""),
        "{written}"
    );
    assert!(written.contains(",'@admin,"), "{written}");
    let md = run(&[
        "render",
        &out.display().to_string(),
        "--period",
        "2025-Q4",
        "--audience",
        "sprint",
    ])
    .stdout();
    assert!(
        md.contains("=HYPERLINK(\"http://x\")") && !md.contains("'=HYPERLINK"),
        "{md}"
    );
}

/// Worked by hand: production deployments in 2025-Q4 are 1.0, 1.1, 1.2, 1.3, 1.4, 1.5 and
/// 1.6 (`prod` counts; the staging deployment does not): 7. Failed: 1.0 (D-5 names it),
/// 1.1 (D-2 and D-3, counted once), 1.2 (rolled back), 1.3 (D-4), 1.4 (failed): 5 of 7.
#[test]
fn deployments_attribution_and_change_failure_rate() {
    let m = metrics(&[
        &fixture("deployments/problems.csv"),
        "--deployments",
        &fixture("deployments/deployments.csv"),
        "--period",
        "2025-Q4",
    ]);
    assert_eq!(m["totals"]["releases"], 7);
    assert!(close(&m["totals"]["change_failure_rate"], 5.0 / 7.0));
    let by_release: Vec<(String, u64)> = m["by_release"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["key"].as_str().unwrap().to_string(),
                r["escaped"].as_u64().unwrap(),
            )
        })
        .collect();
    // D-1 came before any deployment and stays without a release; D-6 was not escaped.
    assert_eq!(
        by_release,
        [
            ("(none)".to_string(), 1),
            ("1.0".into(), 1),
            ("1.1".into(), 2),
            ("1.3".into(), 1)
        ]
    );
    assert_eq!(
        m["integrity"]["likely_regressions"], 1,
        "D-4: untyped, 20 minutes after 1.3"
    );
    assert_eq!(m["quarters"][0]["releases"], 7);
    let without = metrics(&[&fixture("deployments/problems.csv"), "--period", "2025-Q4"]);
    assert!(without["totals"]["releases"].is_null());
    assert!(without["totals"]["change_failure_rate"].is_null());
    let sprint = run(&[
        "render",
        &fixture("deployments/problems.csv"),
        "--deployments",
        &fixture("deployments/deployments.csv"),
        "--period",
        "2025-Q4",
        "--audience",
        "sprint",
    ])
    .stdout();
    assert!(sprint.contains("There were 7 deployments to production; 5 failed, were rolled back or let a problem escape: a change failure rate of 71.4 %."), "{sprint}");
    assert!(sprint.contains("a likely post-deployment regression to verify"));
    // The GitLab deployments API: v1.1 caused D-2 and D-3, v1.2 failed; staging is ignored.
    let gitlab = metrics(&[
        &fixture("deployments/problems.csv"),
        "--deployments",
        &fixture("deployments/gitlab.json"),
        "--period",
        "2025-Q4",
    ]);
    assert_eq!(gitlab["totals"]["releases"], 2);
    assert!(close(&gitlab["totals"]["change_failure_rate"], 1.0));
}

/// Time to detect runs from `introduced_at`, or else from the production deployment the
/// problem is attributed to (SPEC 4), worked by hand:
/// code: D1 (latest deployment r1) 24 h, D2 (names r1) 48 h: median 36, p90 24 + 0.9 × 24 = 45.6;
/// infra: D3 introduced 12 h before (not r1's 60 h), D4 names r2, deployed only after it was
/// detected (none), D5 (latest deployment r2) 24 h: median 18, p90 12 + 0.9 × 12 = 22.8.
#[test]
fn time_to_detect_starts_at_the_attributed_deployment() {
    let dir = temp_dir("ttd-deployments");
    let deployments = file_in(
        &dir,
        "dep.csv",
        "release,deployed_at,environment,status\n\
         r1,2025-10-01T00:00:00Z,production,success\n\
         r2,2025-10-05T00:00:00Z,production,success\n",
    );
    let problems = file_in(
        &dir,
        "p.csv",
        "id,type,found_stage,detected_at,release,introduced_at\n\
         D1,code,production,2025-10-02T00:00:00Z,,\n\
         D2,code,production,2025-10-03T00:00:00Z,r1,\n\
         D3,infra,production,2025-10-03T12:00:00Z,,2025-10-03T00:00:00Z\n\
         D4,infra,production,2025-10-04T00:00:00Z,r2,\n\
         D5,infra,production,2025-10-06T00:00:00Z,,\n\
         S1,code,staging,2025-10-06T00:00:00Z,,\n",
    );
    let m = metrics(&[
        problems.to_str().unwrap(),
        "--deployments",
        deployments.to_str().unwrap(),
        "--period",
        "2025-Q4",
    ]);
    let ttd = &m["time_to_detect_hours"];
    assert_eq!(ttd.as_object().unwrap().len(), 2, "{ttd}");
    assert!(close(&ttd["code"]["median"], 36.0), "{ttd}");
    assert!(close(&ttd["code"]["p90"], 45.6), "{ttd}");
    assert!(close(&ttd["infra"]["median"], 18.0), "{ttd}");
    assert!(close(&ttd["infra"]["p90"], 22.8), "{ttd}");
    assert_eq!(ttd["infra"]["count"], 2);
    // Without the deployments only D3 has a start.
    let without = metrics(&[problems.to_str().unwrap(), "--period", "2025-Q4"]);
    let ttd = &without["time_to_detect_hours"];
    assert_eq!(ttd.as_object().unwrap().len(), 1, "{ttd}");
    assert!(close(&ttd["infra"]["median"], 12.0), "{ttd}");
}

#[test]
fn a_mapping_reads_a_tool_we_never_heard_of() {
    let dir = temp_dir("mapping");
    write_file(dir.join("escape-report.toml"),
        "[import.mapping.mytool.columns]\nid = \"Ticket\"\ntitle = \"Headline\"\ndetected_at = \"Opened\"\ntype = \"Kind\"\n\n[import.mapping.mytool.fixed]\nfound_stage = \"production\"\n");
    write_file(dir.join("tool.csv"),
        "Ticket,Headline,Opened,Kind,Owner\nT-1,Broken export,2025-11-03,infra,ann\nT-2,Wrong total,2025-11-04,bug,bob\n");
    let m = run_in(
        &dir,
        &["metrics", "--json", "tool.csv", "--period", "2025-Q4"],
    )
    .json();
    assert_eq!(m["data_quality"]["files"][0]["format"], "mapping:mytool");
    assert_eq!(m["totals"]["escaped"], 2);
    assert_eq!(m["by_type"][0]["escaped"], 1, "bug is a synonym of code");
    assert_eq!(m["by_type"][1]["escaped"], 1);
    let forced = run_in(&dir, &["import", "mapping:mytool", "tool.csv"]);
    assert_eq!(forced.code(), 0, "{}", forced.stderr());
    assert!(
        forced
            .stdout()
            .contains("T-1,Broken export,infra,,production"),
        "{}",
        forced.stdout()
    );
}

/// A mapping the configuration does not have is a usage error, not a file of rows that
/// are all nothing.
#[test]
fn an_unknown_mapping_is_a_usage_error_that_names_the_known_ones() {
    let dir = temp_dir("unknown-mapping");
    write_file(
        dir.join("a.csv"),
        "id,found_stage,detected_at\nA,production,2025-11-01\nB,unit,2025-11-02\n",
    );
    for args in [
        &["check", "a.csv", "--input-format", "mapping:typo"][..],
        &[
            "render",
            "a.csv",
            "--audience",
            "em",
            "--input-format",
            "mapping:typo",
        ],
        &["import", "mapping:typo", "a.csv"],
    ] {
        let r = run_in(&dir, args);
        assert_eq!(r.code(), 2, "{args:?}: {}", r.stdout());
        assert_eq!(
            r.stderr(),
            "error: unknown format 'mapping:typo': the configuration has no mapping; add an [import.mapping.typo] section to escape-report.toml (`escape-report init` writes one as an example), or give the file that has it with --config\n",
            "{args:?}"
        );
        assert_eq!(r.stdout(), "", "{args:?}");
    }
    write_file(dir.join("escape-report.toml"),
        "[import.mapping.tool.columns]\nid = \"id\"\n\n[import.mapping.other.fixed]\nfound_stage = \"production\"\n");
    let r = run_in(&dir, &["check", "a.csv", "--input-format", "mapping:typo"]);
    assert_eq!(r.code(), 2);
    assert_eq!(
        r.stderr(),
        "error: unknown format 'mapping:typo': the configuration has no [import.mapping.typo]; use mapping:other or mapping:tool, or add that section\n"
    );
}

#[test]
fn every_output_is_byte_identical_run_after_run() {
    let dir = temp_dir("determinism");
    let samples = fixture("../../samples/problems.csv");
    // The second round runs from another directory, in another time zone and locale:
    // none of these may reach the output.
    let run_round = |round: usize, args: &[&str]| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_escape-report"));
        command.args(args).env_remove("SOURCE_DATE_EPOCH");
        if round == 0 {
            command
                .current_dir(env!("CARGO_MANIFEST_DIR"))
                .env("TZ", "UTC");
        } else {
            command
                .current_dir(&*dir)
                .env("TZ", "Pacific/Kiritimati")
                .env("LC_ALL", "de_DE.UTF-8")
                .env("LANG", "de_DE.UTF-8");
        }
        let output = command.output().unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        output.stdout
    };
    let mut first = Vec::new();
    for round in 0..2 {
        let out = dir.join(format!("round{round}"));
        std::fs::create_dir_all(&out).unwrap();
        let mut files = Vec::new();
        for audience in ["sprint", "em", "board"] {
            for format in ["pdf", "md", "html"] {
                let doc = out.join(format!("{audience}.{format}"));
                let doc_text = doc.display().to_string();
                run_round(
                    round,
                    &[
                        "render",
                        &samples,
                        "--audience",
                        audience,
                        "--format",
                        format,
                        "-o",
                        &doc_text,
                    ],
                );
                files.push((doc_text, std::fs::read(&doc).unwrap()));
            }
        }
        assert!(files[0].1.starts_with(b"%PDF-"), "sprint.pdf is a PDF");
        let mut charts: Vec<_> = std::fs::read_dir(&out)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "svg"))
            .collect();
        charts.sort();
        assert!(charts.len() >= 6, "{charts:?}");
        for chart in charts {
            let bytes = std::fs::read(&chart).unwrap();
            files.push((chart.display().to_string(), bytes));
        }
        let json = run_round(round, &["metrics", "--json", &samples]);
        files.push(("metrics --json".into(), json));
        if round == 0 {
            first = files;
        } else {
            assert_eq!(first.len(), files.len());
            for ((name, a), (_, b)) in first.iter().zip(&files) {
                assert!(a == b, "{name} differs between two runs");
            }
        }
    }
}

#[test]
fn a_closed_pipe_is_not_an_error() {
    use std::process::Stdio;
    // The samples as native CSV (about 200 KB) are larger than a pipe's buffer, so
    // writing them must hit the closed end.
    let mut child = Command::new(env!("CARGO_BIN_EXE_escape-report"))
        .args(["import", "csv", "samples/problems.csv"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Read nothing and close our end, as `| head -0` would.
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("error"), "{err}");
}

/// Found by fuzzing: a huge cost model overflowed the sum of hours.
#[test]
fn a_huge_cost_model_is_refused_not_overflowed() {
    let r = run(&[
        "metrics",
        "--json",
        &fixture("fuzz/cost-model-overflow.csv"),
        "--config",
        &fixture("fuzz/cost-model-overflow.toml"),
    ]);
    assert_eq!(r.code(), 2);
    assert!(
        r.stderr()
            .contains("[cost.model] code must be from 0 to 100000 hours"),
        "{}",
        r.stderr()
    );
}

#[test]
fn gzip_and_zstd_inputs_read_like_the_plain_file() {
    let plain = metrics(&[&fixture("worked.csv"), "--period", "2025-Q4"]);
    for compressed in ["worked.csv.gz", "worked.csv.zst"] {
        let m = metrics(&[&fixture(compressed), "--period", "2025-Q4"]);
        assert_eq!(m["totals"], plain["totals"], "{compressed}");
        assert_eq!(m["data_quality"]["rows_read"], 38, "{compressed}");
    }
}

/// Found by fuzzing: non-ASCII text where a date's zone or a configured offset is
/// expected used to cut a character in two.
#[test]
fn non_ascii_in_dates_and_offsets_is_reported_not_a_panic() {
    let m = metrics_of_unusable(&[&fixture("fuzz/export-date-char-boundary.csv")]);
    assert_eq!(m["data_quality"]["rows_skipped"], 1);
    assert_eq!(
        m["data_quality"]["skipped_by_reason"]["invalid detected_at"],
        1
    );
    // The same in a Zendesk export saved as Windows-1252: 0x92 read as '’' in the date.
    let m = metrics_of_unusable(&[&fixture("fuzz/export-date-cp1252-char-boundary.csv")]);
    let quality = &m["data_quality"];
    assert_eq!(quality["files"][0]["format"], "zendesk");
    assert_eq!(quality["repaired_by_reason"]["Windows-1252 text"], 1);
    assert_eq!(quality["skipped_by_reason"]["invalid detected_at"], 1);
    let message = quality["findings"][1]["message"].as_str().unwrap();
    assert!(
        message.contains("'2025-11-11 10’’e2' is not a date"),
        "{message}"
    );
    let r = run(&[
        "metrics",
        "--json",
        &fixture("worked.csv"),
        "--config",
        &fixture("fuzz/import-timezone-char-boundary.toml"),
    ]);
    assert_eq!(r.code(), 2);
    assert!(r.stderr().contains("timezone"), "{}", r.stderr());
}

#[test]
fn failing_writes_exit_2_and_leave_nothing() {
    let dir = temp_dir("failing-writes");
    let missing = dir.join("no/such/dir/report.md");
    let r = run(&[
        "render",
        &fixture("worked.csv"),
        "--period",
        "2025-Q4",
        "--audience",
        "sprint",
        "-o",
        &missing.display().to_string(),
    ]);
    assert_eq!(r.code(), 2);
    assert!(r.stderr().contains("does not exist"), "{}", r.stderr());
    assert!(!dir.join("no").exists(), "no directory was created");
    let r = run(&[
        "render",
        &fixture("worked.csv"),
        "--audience",
        "sprint",
        "-o",
        &dir.display().to_string(),
    ]);
    assert_eq!(r.code(), 2);
    assert!(r.stderr().contains("is a directory"));
    // A full device: a copy of /dev/full made in the test's directory when the test may
    // make devices (as root), so that a regression cannot replace the real one.
    let devices = temp_dir("failing-writes-device");
    let full = devices.join("full");
    let made = Command::new("mknod")
        .args([full.to_str().unwrap(), "c", "1", "7"])
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    let full = if made {
        full
    } else {
        PathBuf::from("/dev/full")
    };
    if full.exists() {
        let r = run(&[
            "render",
            &fixture("worked.csv"),
            "--audience",
            "sprint",
            "-o",
            full.to_str().unwrap(),
        ]);
        assert_eq!(r.code(), 2);
        assert!(r.stderr().contains("No space left"), "{}", r.stderr());
        let meta = std::fs::metadata(&full).unwrap();
        assert!(!meta.is_file(), "the device was written to, not replaced");
    }
    assert_eq!(
        std::fs::read_dir(&dir).unwrap().count(),
        0,
        "no temporary file left: {dir:?}"
    );
    // A write to a regular file that fails part way (a file size limit of a few
    // kilobytes, its signal ignored so that the write returns an error): exit 2, a
    // message naming the file, and nothing left in the directory.
    let limited = |args: &[&str]| {
        Command::new("sh")
            .arg("-c")
            .arg("trap '' XFSZ; ulimit -f 8; exec \"$0\" \"$@\"")
            .arg(env!("CARGO_BIN_EXE_escape-report"))
            .args(args)
            .current_dir(&*dir)
            .output()
            .unwrap()
    };
    let samples = fixture("../../samples/problems.csv");
    for (args, file) in [
        (
            vec![
                "render",
                &samples,
                "--audience",
                "em",
                "--format",
                "pdf",
                "-o",
                "r.pdf",
            ],
            "r.pdf",
        ),
        (
            vec!["render", &samples, "--audience", "em", "-o", "r.md"],
            "r.md",
        ),
        (vec!["import", "csv", &samples, "-o", "i.csv"], "i.csv"),
    ] {
        let out = limited(&args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{file}: {err}");
        assert!(
            err.contains(&format!("error: cannot write {file}: File too large")),
            "{err}"
        );
        assert!(
            !err.contains(".escape-report-"),
            "the temporary file is not named: {err}"
        );
        assert_eq!(names_in(&dir), Vec::<String>::new(), "{file}");
    }
}

/// Found by fuzzing: user templates that loop for ever or double a string without end
/// are stopped with a clear error instead of hanging or exhausting memory.
#[test]
fn runaway_user_templates_are_stopped() {
    for (dir, expect) in [
        ("fuzz/template-nested-loop", "ran for more than 2 s"),
        ("fuzz/template-string-doubling", ""),
    ] {
        let started = std::time::Instant::now();
        let output = Command::new(env!("CARGO_BIN_EXE_escape-report"))
            .args([
                "render",
                &fixture("worked.csv"),
                "--audience",
                "sprint",
                "--templates",
                &fixture(dir),
            ])
            .env("ESCAPE_REPORT_TEMPLATE_SECONDS", "2")
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{dir}");
        let err = String::from_utf8_lossy(&output.stderr);
        assert!(
            err.contains("error: the templates in") && err.contains(expect),
            "{dir}: {err}"
        );
        assert!(
            started.elapsed().as_secs() < 30,
            "{dir} was stopped in time"
        );
    }
}

/// Found by fuzzing: offsets beyond ±23 hours and signed garbage were accepted.
#[test]
fn impossible_offsets_are_refused() {
    let m = metrics_of_unusable(&[&fixture("fuzz/timestamp-offset-over-23h.csv")]);
    assert_eq!(
        m["data_quality"]["skipped_by_reason"]["invalid detected_at"],
        2
    );
    for config in [
        "fuzz/import-timezone-double-sign.toml",
        "fuzz/import-timezone-overflow.toml",
    ] {
        let r = run(&[
            "metrics",
            "--json",
            &fixture("worked.csv"),
            "--config",
            &fixture(config),
        ]);
        assert_eq!(r.code(), 2, "{config}");
        assert!(
            r.stderr().contains("[import] timezone"),
            "{config}: {}",
            r.stderr()
        );
    }
}

/// Found by hand after fuzzing: records after an array's closing bracket were dropped
/// without a word, and escape sequences from the data reached the terminal.
#[test]
fn trailing_json_and_control_characters_are_reported_safely() {
    let m = metrics(&[&fixture("fuzz/json-after-closing-bracket.json")]);
    assert_eq!(
        m["data_quality"]["skipped_by_reason"]["data after the array"],
        1
    );
    let r = run(&["check", &fixture("fuzz/control-chars-in-findings.csv")]);
    let err = r.stderr();
    assert!(!err.contains('\u{1b}') && !err.contains('\u{7}'), "{err:?}");
    assert!(err.contains('\u{241b}'), "{err}");
}

/// Year 0000 and instants that fall outside 0001-01-01..=9999-12-31 once converted to UTC
/// are not dates: they are reported, and no date prints with five digits or a sign.
#[test]
fn dates_outside_years_1_to_9999_are_findings() {
    let r = run(&[
        "metrics",
        "--json",
        &fixture("dates-out-of-range.csv"),
        "--period",
        "2025-Q4",
    ]);
    let out = r.stdout();
    assert!(
        !out.contains("+10000") && !out.contains("\"10000-"),
        "{out}"
    );
    let m = r.json();
    let q = &m["data_quality"];
    assert_eq!(q["skipped_by_reason"]["invalid detected_at"], 3, "{q}");
    assert_eq!(q["repaired_by_reason"]["invalid timestamp"], 1, "{q}");
    assert_eq!(q["rows_used"], 3, "{q}");
    let lines: Vec<u64> = q["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, [3, 4, 5, 7], "{q}");
    assert_eq!(m["data_range"]["first"], "0001-01-01");
    assert_eq!(m["data_range"]["last"], "9999-12-31");
}

/// A JSON object that keeps its records under a key other than PagerDuty's `incidents`
/// is one clear error naming the keys and how to extract the array, not a row per line.
/// PagerDuty's list response, pretty or on one line, is still read.
#[test]
fn a_json_object_is_one_finding_naming_its_keys() {
    let dir = temp_dir("json-object");
    let one_line = fixture("records-object.json");
    let text = std::fs::read_to_string(&one_line).unwrap();
    let value: Value = serde_json::from_str(&text).unwrap();
    let pretty = file_in(
        &dir,
        "pretty.json",
        serde_json::to_string_pretty(&value).unwrap(),
    );
    let pretty = pretty.display().to_string();
    for (file, forced) in [(&one_line, None), (&pretty, None), (&pretty, Some("json"))] {
        let mut args = vec!["check", file.as_str()];
        if let Some(format) = forced {
            args.extend(["--input-format", format]);
        }
        let r = run(&args);
        assert_eq!(r.code(), 2, "{file}");
        let err = r.stderr();
        assert_eq!(err.lines().count(), 1, "one finding: {err}");
        let name = Path::new(file).file_name().unwrap().to_str().unwrap();
        assert!(
            err.contains(&format!(
                "{name}:1: the file is a JSON object with the keys records, count;"
            )),
            "{err}"
        );
        assert!(
            err.contains(&format!("jq '.records' {file} > records.json")),
            "{err}"
        );
        assert!(!err.contains("no id"), "{err}");
        let mut args = vec![file.as_str()];
        args.extend(forced.map(|f| ["--input-format", f]).into_iter().flatten());
        let m = metrics_of_nothing(&args);
        let q = &m["data_quality"];
        assert_eq!(q["rows_read"], 0, "{q}");
        assert_eq!(q["skipped_by_reason"]["not an array"], 1, "{q}");
        assert_eq!(q["findings"].as_array().unwrap().len(), 1, "{q}");
    }

    let pagerduty = fixture("exports/pagerduty.json");
    let compact = dir.join("pagerduty-compact.json");
    let value: Value = serde_json::from_str(&std::fs::read_to_string(&pagerduty).unwrap()).unwrap();
    write_file(&compact, serde_json::to_string(&value).unwrap());
    let compact = compact.display().to_string();
    for file in [&pagerduty, &compact] {
        let r = run(&["check", file]);
        assert_eq!(r.code(), 0, "{file}: {}", r.stderr());
        assert!(
            r.stdout()
                .contains("(pagerduty): 2 rows read, 2 used, 0 skipped"),
            "{file}: {}",
            r.stdout()
        );
    }
}

/// An interrupted run (SIGINT, and SIGTERM and SIGHUP) removes the temporary file of the
/// write in progress and exits 130, leaving neither it nor the output behind. The test
/// hook ESCAPE_REPORT_TEST_PAUSE_BEFORE_RENAME_MS holds the write between the temporary
/// file and the rename.
#[cfg(unix)]
#[test]
fn an_interrupted_write_leaves_nothing_behind() {
    use std::process::Stdio;
    for signal in ["INT", "TERM", "HUP"] {
        let dir = temp_dir(&format!("interrupted-{signal}"));
        let report = dir.join("report.pdf");
        let mut child = Command::new(env!("CARGO_BIN_EXE_escape-report"))
            .args([
                "render",
                &fixture("worked.csv"),
                "--period",
                "2025-Q4",
                "--audience",
                "board",
                "--format",
                "pdf",
                "-o",
                &report.display().to_string(),
            ])
            .env("ESCAPE_REPORT_TEST_PAUSE_BEFORE_RENAME_MS", "60000")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Once the temporary file is written and the run pauses before the rename.
        interrupt_when_written(&mut child, &dir, signal);
        let out = child.wait_with_output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(130),
            "SIG{signal}: {:?} {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        let left: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert!(left.is_empty(), "SIG{signal}: left behind: {left:?}");
        assert!(!report.exists());
    }
}

/// A report written over an existing file keeps that file's permissions: a report kept
/// private (0600) does not become readable by everyone when it is written again.
#[cfg(unix)]
#[test]
fn a_replaced_file_keeps_its_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let dir = temp_dir("permissions");
    for mode in [0o600, 0o640, 0o604] {
        let report = dir.join(format!("r{mode:o}.md"));
        write_file(&report, "old");
        std::fs::set_permissions(&report, std::fs::Permissions::from_mode(mode)).unwrap();
        let r = run(&[
            "render",
            &fixture("worked.csv"),
            "--audience",
            "sprint",
            "--no-charts",
            "-o",
            report.to_str().unwrap(),
        ]);
        assert_eq!(r.code(), 0, "{}", r.stderr());
        let meta = std::fs::metadata(&report).unwrap();
        assert_eq!(meta.permissions().mode() & 0o777, mode);
        assert!(std::fs::read_to_string(&report).unwrap().starts_with("# "));
    }
}

/// `-o /dev/stdout` on a pipe is written to directly: the report arrives on the pipe, and
/// /dev/stdout is neither renamed over (as root that would replace it for the whole
/// system) nor given a temporary file beside it.
#[cfg(unix)]
#[test]
fn dev_stdout_is_written_to_not_replaced() {
    let stdout = Path::new("/dev/stdout");
    let Ok(before) = std::fs::symlink_metadata(stdout) else {
        return;
    };
    let dir = temp_dir("dev-stdout");
    let r = run_in(
        &dir,
        &[
            "render",
            &fixture("worked.csv"),
            "--period",
            "2025-Q4",
            "--audience",
            "sprint",
            "-o",
            "/dev/stdout",
        ],
    );
    assert_eq!(r.code(), 0, "{}", r.stderr());
    assert!(r.stdout().starts_with("# "), "{}", r.stdout());
    assert!(r.stdout().contains("2025-Q4"), "{}", r.stdout());
    let after = std::fs::symlink_metadata(stdout).unwrap();
    assert_eq!(before.file_type(), after.file_type());
    assert!(after.file_type().is_symlink() || !after.is_file());
    let temporary: Vec<_> = std::fs::read_dir("/dev")
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with(".escape-report-")
        })
        .collect();
    assert!(temporary.is_empty(), "{temporary:?}");
    assert_eq!(
        std::fs::read_dir(&dir).unwrap().count(),
        0,
        "no chart files beside a special file"
    );
}

/// A named pipe given as the output is written to directly and stays a named pipe.
#[cfg(unix)]
#[test]
fn a_named_pipe_is_written_to_not_replaced() {
    use std::os::unix::fs::FileTypeExt;
    use std::time::Duration;
    let dir = temp_dir("fifo");
    let fifo = dir.join("report.pipe");
    let made = Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        return;
    }
    for format in ["html", "pdf"] {
        // Read the pipe on a thread: a timeout, not a hang, if the pipe were replaced.
        let (send, receive) = std::sync::mpsc::channel();
        let reading = fifo.clone();
        std::thread::spawn(move || {
            let _ = send.send(std::fs::read(&reading));
        });
        let r = run(&[
            "render",
            &fixture("worked.csv"),
            "--period",
            "2025-Q4",
            "--audience",
            "em",
            "--format",
            format,
            "-o",
            &fifo.display().to_string(),
        ]);
        assert_eq!(r.code(), 0, "{format}: {}", r.stderr());
        let bytes = receive
            .recv_timeout(Duration::from_secs(60))
            .expect("the report arrives on the pipe")
            .unwrap();
        let text = String::from_utf8_lossy(&bytes);
        if format == "html" {
            assert!(text.trim_end().ends_with("</html>"), "{text}");
        } else {
            assert!(bytes.starts_with(b"%PDF-"), "{format}");
            assert!(
                text.trim_end().ends_with("%%EOF"),
                "{format}: the whole PDF"
            );
        }
        let meta = std::fs::symlink_metadata(&fifo).unwrap();
        assert!(meta.file_type().is_fifo(), "{format}: still a named pipe");
        let names: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["report.pipe"], "{format}: nothing else in {dir:?}");
    }
}

/// With standard output redirected to a file, `-o /dev/stdout` leads to a regular file:
/// it must still be written through standard output, not renamed over /dev/stdout (as
/// root that replaces /dev/stdout for the whole system) nor given chart files in /dev.
/// Tested with a link of our own to /proc/self/fd/1, so a failure cannot harm /dev.
/// Other symbolic links are followed: the file they lead to is replaced, the link stays.
#[cfg(target_os = "linux")]
#[test]
fn links_to_stdout_and_files_are_written_through() {
    use std::os::unix::fs::symlink;
    let dir = temp_dir("links");
    let link = dir.join("stdout");
    symlink("/proc/self/fd/1", &link).unwrap();
    let out = dir.join("out.md");
    let output = Command::new(env!("CARGO_BIN_EXE_escape-report"))
        .args([
            "render",
            &fixture("worked.csv"),
            "--period",
            "2025-Q4",
            "--audience",
            "sprint",
            "-o",
            &link.display().to_string(),
        ])
        .current_dir(&dir)
        .stdout(std::fs::File::create(&out).unwrap())
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report = std::fs::read_to_string(&out).unwrap();
    assert!(
        report.starts_with("# ") && report.contains("2025-Q4"),
        "{report}"
    );
    assert!(!report.contains(".svg"), "no chart files: {report}");
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["out.md", "stdout"]);

    std::fs::create_dir(dir.join("reports")).unwrap();
    write_file(dir.join("reports/q4.html"), "old");
    symlink("reports/q4.html", dir.join("latest.html")).unwrap();
    symlink("reports/next.html", dir.join("next.html")).unwrap();
    for name in ["latest.html", "next.html"] {
        let r = run_in(
            &dir,
            &[
                "render",
                &fixture("worked.csv"),
                "--period",
                "2025-Q4",
                "--audience",
                "em",
                "--format",
                "html",
                "-o",
                name,
            ],
        );
        assert_eq!(r.code(), 0, "{name}: {}", r.stderr());
        let meta = std::fs::symlink_metadata(dir.join(name)).unwrap();
        assert!(meta.file_type().is_symlink(), "{name} is still a link");
    }
    for file in ["q4.html", "next.html"] {
        let html = std::fs::read_to_string(dir.join("reports").join(file)).unwrap();
        assert!(html.contains("</html>"), "{file}: {html}");
    }
    assert_eq!(std::fs::read_dir(dir.join("reports")).unwrap().count(), 2);
}

#[test]
fn lines_are_right_after_crlf_and_blank_lines_and_lone_headers_and_open_quotes_are_findings() {
    let dir = temp_dir("lines");
    let header = "id,found_stage,detected_at,type";
    // Windows line ends, a blank line (line 4), and a two-line quoted value (lines 6-7).
    let crlf = file_in(&dir, "crlf.csv", format!("{header}\r\nA1,production,2025-07-01,code\r\nA2,production,someday,code\r\n\r\nA3,production,2025-07-02,weird\r\nA4,\"moon\r\nbase\",2025-07-03,code\r\nA5,production,2025-07-04,odd\r\n"));
    let r = run(&["check", crlf.to_str().unwrap()]);
    let err = r.stderr();
    for e in [
        "crlf.csv:3: column 'detected_at': problem A2: 'someday' is not a date",
        "crlf.csv:5: column 'type': problem A3: unknown type 'weird'",
        "crlf.csv:6: column 'found_stage': problem A4: unknown stage",
        "crlf.csv:8: column 'type': problem A5: unknown type 'odd'",
    ] {
        assert!(err.contains(e), "missing `{e}` in:\n{err}");
    }

    let lone = file_in(&dir, "header-only.csv", format!("{header}\n"));
    let r = run(&["check", lone.to_str().unwrap()]);
    assert_eq!(r.code(), 2);
    assert!(
        r.stderr()
            .contains("header-only.csv:1: the file has a header line but no rows"),
        "{}",
        r.stderr()
    );

    let open = file_in(&dir, "open-quote.csv", format!("{header}\nB1,production,2025-07-01,code\nB2,\"production,2025-07-02,code\nB3,production,2025-07-03,code\n"));
    let r = run(&["check", open.to_str().unwrap()]);
    assert_eq!(r.code(), 2);
    let err = r.stderr();
    assert!(
        err.contains("open-quote.csv:3: a quoted value in this row is never closed"),
        "{err}"
    );
    assert!(!err.contains("fields but the header has"), "{err}");
    assert!(
        r.stdout().contains("2 rows read, 1 used, 1 skipped"),
        "{}",
        r.stdout()
    );
}

/// An input without a header or a record still has a format to name in Data quality.
#[test]
fn inputs_without_records_are_named_for_their_format() {
    let dir = temp_dir("empty-formats");
    let mut args = vec!["check".to_string()];
    for (name, text) in [
        ("empty.json", ""),
        ("e.json", "[]\n"),
        ("empty.csv", ""),
        ("lines.jsonl", "\n"),
        ("pd.json", "{\"incidents\": []}\n"),
    ] {
        write_file(dir.join(name), text);
        args.push(dir.join(name).to_str().unwrap().to_string());
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let r = run(&args);
    assert_eq!(r.code(), 2, "{}", r.stderr());
    let out = r.stdout();
    for label in [
        "empty.json (json): 0 rows read",
        "e.json (json): 0 rows read",
        "empty.csv (csv): 0 rows read",
        "lines.jsonl (json): 0 rows read",
        "pd.json (pagerduty): 0 rows read",
    ] {
        assert!(out.contains(label), "missing `{label}` in:\n{out}");
    }
    let forced = run(&["check", args[1], "--input-format", "jsonl"]);
    assert!(
        forced.stdout().contains("empty.json (jsonl): 0 rows read"),
        "{}",
        forced.stdout()
    );
}

/// Blank lines before the header: the delimiter is the header's, and findings about the
/// header name the line it is on.
#[test]
fn blank_lines_before_the_header_change_neither_the_delimiter_nor_the_header_line() {
    let dir = temp_dir("blank-first");
    let write = |name: &str, text: &str| file_in(&dir, name, text).display().to_string();
    let semi = write(
        "semi.csv",
        "\nid;found_stage;detected_at\nS1;production;2025-11-01\n",
    );
    let tab = write(
        "tab.csv",
        "\r\n\r\nid\tfound_stage\tdetected_at\r\nT1\tunit\t2025-11-01\r\n",
    );
    let r = run(&["check", &semi, &tab]);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    let out = r.stdout();
    assert!(out.contains("semi.csv (csv): 1 row read, 1 used"), "{out}");
    assert!(out.contains("tab.csv (csv): 1 row read, 1 used"), "{out}");

    for (name, text, finding) in [
        (
            "rep.csv",
            "\n\nid,found_stage,detected_at,id\nS1,unit,2025-11-01,x\n",
            "rep.csv:3: column 'id': columns 1 and 4 of the header are both id",
        ),
        (
            "missing.csv",
            "\nid,stage,when\nS1,unit,2025-11-01\n",
            "missing.csv:2: the header has no found_stage, detected_at columns",
        ),
        (
            // Names quoted one by one: an empty name and one that is a comma stay
            // visible (the csv crate's bench/game.csv starts so).
            "game.csv",
            "hello,\",\",\" \",world\nhello,\",\",\" \",world\n",
            "(the header has: 'hello', ',', '', 'world')",
        ),
        (
            "wide.csv",
            "c1,c2,c3,c4,c5,c6,c7,c8,c9,c10,c11,c12,c13,c14\n1,2,3,4,5,6,7,8,9,10,11,12,13,14\n",
            "'c11', 'c12' and 2 more)",
        ),
        (
            "header-only.csv",
            "\n\n\nid,found_stage,detected_at\n",
            "header-only.csv:4: the file has a header line but no rows",
        ),
        (
            "jira.csv",
            "\nSummary,Issue key,Issue Type\nCrash,SHOP-1,Bug\n",
            "jira.csv:2: the jira export has no creation date column",
        ),
    ] {
        let r = run(&["check", &write(name, text)]);
        assert!(r.stderr().contains(finding), "{name}: {}", r.stderr());
    }
}

/// A file large enough to be read in two halves on two threads gives the same JSON,
/// findings and all, as the same bytes read from standard input in one go.
#[test]
fn a_large_file_read_in_halves_equals_one_read() {
    let dir = temp_dir("halves");
    let file = dir.join("large.csv");
    let mut text = String::from("id,title,found_stage,detected_at,type,cost_hours,component\r\n");
    let n = 100_000;
    for i in 0..n {
        // Duplicates within the second half, findings throughout, a blank line now and then.
        let id = if i > n * 3 / 4 && i % 97 == 0 {
            i - 1000
        } else {
            i
        };
        let stage = ["production", "qa", "uat", "moon", "staging"][i % 5];
        let date = if i % 101 == 0 {
            "later".to_string()
        } else {
            format!("202{}-{:02}-{:02}", 4 + i % 2, 1 + i % 12, 1 + i % 28)
        };
        let hours = if i % 89 == 0 { "lots" } else { "1.5" };
        text.push_str(&format!(
            "P-{id},\"title, {i}\",{stage},{date},code,{hours},c{}\r\n",
            i % 7
        ));
        if i % 1000 == 0 {
            text.push_str("\r\n");
        }
    }
    assert!(text.len() > 4 << 20, "large enough to be split");
    write_file(&file, &text);
    let path = file.to_str().unwrap();
    let halves = run(&[
        "metrics",
        "--json",
        "--period",
        "2025-01-01..2025-12-31",
        path,
    ]);
    let output = Command::new(env!("CARGO_BIN_EXE_escape-report"))
        .args([
            "metrics",
            "--json",
            "--period",
            "2025-01-01..2025-12-31",
            "-",
        ])
        .stdin(std::fs::File::open(&file).unwrap())
        .output()
        .unwrap();
    let whole = String::from_utf8(output.stdout)
        .unwrap()
        .replace("<stdin>", path);
    assert_eq!(halves.code(), 0, "{}", halves.stderr());
    assert!(halves.stdout() == whole, "the halves differ from one read");
    let m = halves.json();
    assert!(m["data_quality"]["duplicates"].as_u64().unwrap() > 50);
    assert!(m["data_quality"]["findings_total"].as_u64().unwrap() > 1000);
    // With deployments each half attributes its own escapes, times to detect included.
    let deployments = dir.join("deployments.csv");
    let mut list = String::from("release,deployed_at,environment,status\n");
    for month in 1..=12 {
        list.push_str(&format!(
            "r{month},2025-{month:02}-03T12:00:00Z,production,success\n"
        ));
    }
    write_file(&deployments, list);
    let args = |input: &str| -> Vec<String> {
        [
            "metrics",
            "--json",
            "--period",
            "2025-01-01..2025-12-31",
            "--deployments",
            deployments.to_str().unwrap(),
            input,
        ]
        .map(String::from)
        .to_vec()
    };
    let halves = Command::new(env!("CARGO_BIN_EXE_escape-report"))
        .args(args(path))
        .output()
        .unwrap();
    let whole = Command::new(env!("CARGO_BIN_EXE_escape-report"))
        .args(args("-"))
        .stdin(std::fs::File::open(&file).unwrap())
        .output()
        .unwrap();
    let halves = String::from_utf8(halves.stdout).unwrap();
    let whole = String::from_utf8(whole.stdout)
        .unwrap()
        .replace("<stdin>", path);
    assert!(
        halves == whole,
        "with deployments, the halves differ from one read"
    );
    let m: Value = serde_json::from_str(&halves).unwrap();
    assert!(m["time_to_detect_hours"]["code"]["count"].as_u64().unwrap() > 1000);
    assert!(m["totals"]["change_failure_rate"].as_f64().unwrap() > 0.5);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A runaway title and component (a megabyte each, on the period's most expensive
/// escape) are cut in every report: the files stay the size of a normal report rather
/// than holding the fields whole, twice over in the sprint review.
#[test]
fn runaway_fields_do_not_swell_reports() {
    let dir = temp_dir("runaway");
    let title = "pasted ".repeat(150_000);
    let component = "c".repeat(1_000_000);
    let mut csv = String::from("id,title,component,found_stage,detected_at,type,cost_hours\n");
    for i in 0..20 {
        csv.push_str(&format!(
            "C-{i},caught,api,unit,2025-10-{:02},code,\n",
            i + 1
        ));
    }
    csv.push_str(&format!(
        "E-1,{title},{component},production,2025-11-03,code,40\n"
    ));
    csv.push_str("E-2,Small,api,production,2025-11-04,code,1\n");
    let input = file_in(&dir, "runaway.csv", csv);
    let input = input.display().to_string();
    for audience in ["sprint", "em"] {
        for format in ["md", "html", "pdf"] {
            let out = dir.join(format!("{audience}.{format}"));
            let r = run(&[
                "render",
                &input,
                "--period",
                "2025-Q4",
                "--audience",
                audience,
                "--format",
                format,
                "-o",
                &out.display().to_string(),
            ]);
            assert_eq!(r.code(), 0, "{audience} {format}: {}", r.stderr());
            let size = std::fs::metadata(&out).unwrap().len();
            assert!(size < 400_000, "{audience}.{format} is {size} bytes");
        }
    }
    let sprint = std::fs::read_to_string(dir.join("sprint.md")).unwrap();
    assert!(
        sprint.contains(&format!("{}…", "pasted ".repeat(36).trim_end())),
        "{sprint}"
    );
    let em = std::fs::read_to_string(dir.join("em.md")).unwrap();
    assert!(em.contains(&format!("{}…", "c".repeat(256))), "{em}");
    // In HTML, a long first cell may wrap (the others keep to one line), so the table
    // does not scroll sideways.
    let em = std::fs::read_to_string(dir.join("em.html")).unwrap();
    assert!(em.contains(&format!("<td class=\"long\">{}…</td>", "c".repeat(256))));
}

/// The hostile and broken inputs of issue 7, each run through `check`: never a panic,
/// exit 0 or 2, and a finding that names the file and line and says what to do.
#[test]
fn hostile_and_broken_inputs_give_located_findings() {
    let dir = temp_dir("hostile");
    let header = "id,found_stage,detected_at,type,cost_hours";
    let huge_id = "X".repeat(50_000_000);
    let wide_header = {
        let mut h = String::from("id,found_stage,detected_at");
        for i in 0..9_997 {
            h.push_str(&format!(",extra{i}"));
        }
        h
    };
    let wide_row = format!("W-1,production,2025-07-01{}", ",x".repeat(9_997));
    let mut binary: Vec<u8> = (0..4096u32).map(|i| (i * 7919 % 251) as u8).collect();
    binary[10] = 0;
    let mut cp1252 =
        format!("{header}\nC-1,production,2025-07-01,code,1\nC-2,production,2025-07-02,")
            .into_bytes();
    cp1252.extend_from_slice(b"Z\xfcrich,1\n");
    // Invalid UTF-8 past the sniffed start of the file (which would be read as
    // Windows-1252) is replaced in the one cell.
    let mut bad_utf8 = String::from("id,title,found_stage,detected_at\n");
    for i in 0..6_000 {
        bad_utf8.push_str(&format!(
            "V-{i},a title long enough to fill the head,production,2025-07-01\n"
        ));
    }
    let mut bad_utf8 = bad_utf8.into_bytes();
    bad_utf8.extend_from_slice(b"U-1,caf\xc3(,production,2025-07-01\n");
    // A character split by a quote and a delimiter: the record's fields joined end to
    // end are valid UTF-8, each field alone is not (the reader must check the fields).
    let mut split_char = String::from("id,title,type,found_stage,detected_at\n");
    for i in 0..6_000 {
        split_char.push_str(&format!(
            "V-{i},a title long enough to fill the head,code,production,2025-07-01\n"
        ));
    }
    let mut split_char = split_char.into_bytes();
    split_char.extend_from_slice(b"U-2,\"say \"\"caf\xc3\",\xa9,production,2025-07-01\n");
    // (name, bytes, expected exit code, what stderr must contain)
    let cases: Vec<(&str, Vec<u8>, i32, String)> = vec![
        ("empty.csv", Vec::new(), 2, "empty.csv:1: the file is empty; export the records again, with a header line naming the columns".into()),
        ("header.csv", format!("{header}\n").into_bytes(), 2, "header.csv:1: the file has a header line but no rows; export the records again (is the export's filter too narrow?)".into()),
        (
            "truncated.csv",
            format!("{header}\nA,production,2025-07-01,code,1\nB,produ").into_bytes(),
            2,
            "truncated.csv:3: the row has 2 fields but the header has 5; the missing ones are taken as empty (a truncated line or a stray delimiter?)".into(),
        ),
        (
            "delimiters.csv",
            format!("{header}\nA,production,2025-07-01,code,1\nB;production;2025-07-02;code;1\n").into_bytes(),
            2,
            "delimiters.csv:3: the row has 1 fields but the header has 5; the missing ones are taken as empty (a truncated line or a stray delimiter?)".into(),
        ),
        (
            "endings.csv",
            format!("{header}\r\nA,production,2025-07-01,code,1\nB,production,when,code,1\r\n").into_bytes(),
            2,
            "endings.csv:3: column 'detected_at': problem B: 'when' is not a date; write it as 2025-11-23 or 2025-11-23T09:50:00Z".into(),
        ),
        (
            "lone-cr.csv",
            format!("{header}\nA,production,2025-07-01,code,1\rB,production,when,code,1\n").into_bytes(),
            2,
            "lone-cr.csv:3: column 'detected_at': problem B: 'when' is not a date; write it as 2025-11-23 or 2025-11-23T09:50:00Z".into(),
        ),
        ("binary.csv", binary, 2, "binary.csv:1: the header has no id, found_stage, detected_at columns; the native format needs id, found_stage and detected_at".into()),
        ("cp1252.csv", cp1252, 0, "cp1252.csv:1: the file is not UTF-8; it was read as Windows-1252".into()),
        ("utf8.csv", bad_utf8, 0, "utf8.csv:6002: column 'title': the value is not valid UTF-8".into()),
        ("split.csv", split_char, 0, "split.csv:6002: column 'title': the value is not valid UTF-8".into()),
        (
            "huge.csv",
            format!("{header}\n{huge_id},moon,2025-07-01,code,1\n").into_bytes(),
            2,
            "huge.csv:2: column 'found_stage': problem XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX… (50000000 characters): unknown stage 'moon'".into(),
        ),
        (
            "long-title.csv",
            format!("id,title,found_stage,detected_at\nT-1,{},production,2025-07-01\n", "Y".repeat(50_000_000)).into_bytes(),
            0,
            "long-title.csv:2: column 'title': problem T-1: the title is 50000000 characters long, more than a tracker keeps in one field; it is kept, and reports show only its start. A quote out of place".into(),
        ),
        ("wide.csv", format!("{wide_header}\n{wide_row}\n").into_bytes(), 0, String::new()),
        (
            "hours.csv",
            format!("{header}\nH-1,production,2025-07-01,code,NaN\nH-2,production,2025-07-01,code,inf\nH-3,production,2025-07-01,code,-3\nH-4,production,2025-07-01,code,1e308\n").into_bytes(),
            0,
            "hours.csv:5: column 'cost_hours': problem H-4: 1e308 is implausibly large".into(),
        ),
        (
            "nested.json",
            "[".repeat(100_000).into_bytes(),
            2,
            "nested.json:1: the record is nested more than 128 levels deep; a record's values are text, numbers or short lists: export the records again".into(),
        ),
        (
            "nested-value.json",
            format!("[\n{{\"id\": \"A\", \"found_stage\": \"production\", \"detected_at\": \"2025-07-01\"}},\n{{\"id\": \"B\",\n\"title\": {}{}}}\n]\n", "[".repeat(200), "]".repeat(200)).into_bytes(),
            2,
            "nested-value.json:4: the record is nested more than 128 levels deep".into(),
        ),
        (
            "nested.jsonl",
            format!("{{\"id\": \"A\", \"found_stage\": \"production\", \"detected_at\": \"2025-07-01\"}}\n{{\"id\": \"B\", \"title\": {}{}}}\n", "[".repeat(200), "]".repeat(200)).into_bytes(),
            2,
            "nested.jsonl:2: the line is nested more than 128 levels deep".into(),
        ),
    ];
    for (name, bytes, code, expected) in &cases {
        let path = dir.join(name);
        write_file(&path, bytes);
        let r = run(&["check", path.to_str().unwrap()]);
        let err = r.stderr();
        assert!(!err.contains("panicked"), "{name}: {err}");
        assert_eq!(
            r.code(),
            *code,
            "{name}: {}",
            err.chars().take(2000).collect::<String>()
        );
        assert!(
            err.contains(expected.as_str()),
            "{name}: missing `{expected}` in {}",
            err.chars().take(2000).collect::<String>()
        );
        assert!(
            err.len() < 20_000,
            "{name}: {} bytes of messages",
            err.len()
        );
    }
    let r = run(&["check", dir.join("hours.csv").to_str().unwrap()]);
    let err = r.stderr();
    assert!(
        err.contains("problem H-1: 'NaN' is not a finite number"),
        "{err}"
    );
    assert!(
        err.contains("problem H-2: 'inf' is not a finite number"),
        "{err}"
    );
    assert!(err.contains("problem H-3: negative value -3"), "{err}");
    let wide = run(&["check", dir.join("wide.csv").to_str().unwrap()]);
    assert!(
        wide.stdout().contains("1 row read, 1 used"),
        "{}",
        wide.stdout()
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// An empty JSON array and an empty JSON Lines file say they have no records, as a CSV
/// header without rows does; data only in 0001-Q1 has no default period (there is no
/// year 0 for a previous quarter to be in).
#[test]
fn empty_json_inputs_and_the_first_quarter_of_year_one() {
    let dir = temp_dir("edges");
    let array = file_in(&dir, "empty.json", "[ ]\n");
    let lines = file_in(&dir, "empty.jsonl", "\n\n");
    for (path, text) in [
        (&array, "empty.json:1: the array has no records"),
        (&lines, "empty.jsonl:1: the file has no records"),
    ] {
        let r = run(&["check", path.to_str().unwrap()]);
        assert_eq!(r.code(), 2);
        assert!(r.stderr().contains(text), "{}", r.stderr());
    }
    let early = file_in(
        &dir,
        "early.csv",
        "id,found_stage,detected_at,type\nE-1,production,0001-02-01,code\n",
    );
    let r = run(&["metrics", "--json", early.to_str().unwrap()]);
    let out = r.stdout();
    assert_eq!(r.code(), 0, "{}", r.stderr());
    assert!(!out.contains("0000-"), "{out}");
    let m: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(m["period"]["label"], Value::Null);
    assert_eq!(m["data_range"]["first"], "0001-02-01");
    let q2 = file_in(
        &dir,
        "q2.csv",
        "id,found_stage,detected_at,type\nE-1,production,0001-03-31,code\n",
    );
    let m = metrics(&[q2.to_str().unwrap()]);
    assert_eq!(m["period"]["label"], "0001-Q1");
    assert_eq!(m["previous"], Value::Null, "{}", m["previous"]);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Excel's "Unicode Text": UTF-16 with a byte-order mark, tab-separated, CRLF. Read as
/// the same records in UTF-8 are, with no finding about the encoding; a lone surrogate
/// is replaced and reported.
#[test]
fn utf16_text_reads_like_utf8() {
    let worked = std::fs::read_to_string(fixture("worked.csv")).unwrap();
    let dir = temp_dir("utf16");
    let tabbed: String = worked
        .lines()
        .map(|line| {
            assert!(!line.contains('"'), "the fixture has no quoted commas");
            format!("{}\r\n", line.replace(',', "\t"))
        })
        .collect();
    let encode = |text: &str, little: bool| -> Vec<u8> {
        let mut bytes = if little {
            vec![0xFF, 0xFE]
        } else {
            vec![0xFE, 0xFF]
        };
        for unit in text.encode_utf16() {
            bytes.extend(if little {
                unit.to_le_bytes()
            } else {
                unit.to_be_bytes()
            });
        }
        bytes
    };
    let expected = metrics(&[&fixture("worked.csv")]);
    for little in [true, false] {
        let file = dir.join(if little { "le.txt" } else { "be.txt" });
        write_file(&file, encode(&tabbed, little));
        let got = metrics(&[file.to_str().unwrap()]);
        assert_eq!(got["totals"], expected["totals"], "little endian: {little}");
        assert_eq!(got["by_type"], expected["by_type"]);
        // The same findings, on the same lines (only the file's name differs).
        let located = |m: &Value| -> Vec<(Value, Value, Value)> {
            m["data_quality"]["findings"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| (f["line"].clone(), f["column"].clone(), f["reason"].clone()))
                .collect()
        };
        assert_eq!(located(&got), located(&expected));
        assert_eq!(
            got["data_quality"]["rows_used"],
            expected["data_quality"]["rows_used"]
        );
    }
    let mut broken = encode(&tabbed, true);
    broken.extend_from_slice(&[0x00, 0xD8]);
    let file = file_in(&dir, "broken.txt", broken);
    let out = run(&["check", file.to_str().unwrap()]);
    assert!(
        out.stderr()
            .contains("the file is UTF-16LE, but some of it is not valid UTF-16LE"),
        "{}",
        out.stderr()
    );
}

/// A file with nothing usable is an input error for the commands that report figures,
/// not an empty report that says nothing escaped; one bad file among good ones is named
/// and the report still made.
#[test]
fn nothing_usable_is_an_error_not_an_empty_report() {
    let dir = temp_dir("nothing-usable");
    let other = file_in(&dir, "other.csv", "column_a,column_b\n1,2\n");
    let other = other.to_str().unwrap();
    let out = dir.join("report.md");
    for args in [
        vec![
            "render",
            other,
            "--audience",
            "sprint",
            "--format",
            "md",
            "-o",
            out.to_str().unwrap(),
        ],
        vec!["summary", other],
        vec!["gate", "--max-escape-rate", "50", other],
    ] {
        let r = run(&args);
        assert_eq!(r.code(), 2, "{args:?}: {}", r.stderr());
        assert!(
            r.stderr()
                .contains("other.csv:1: the header has no id, found_stage, detected_at"),
            "{}",
            r.stderr()
        );
        assert!(
            r.stderr().contains("no usable record in "),
            "{}",
            r.stderr()
        );
        assert!(r.stdout().is_empty(), "{args:?}");
        assert!(!out.exists(), "no report is written");
    }
    let m = metrics_of_nothing(&[other]);
    assert_eq!(m["data_quality"]["skipped_by_reason"]["missing columns"], 1);
    // With a good file beside it: the bad one is named, the report is made.
    let worked = fixture("worked.csv");
    let r = run(&[
        "render",
        &worked,
        other,
        "--audience",
        "sprint",
        "--format",
        "md",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    assert!(
        r.stderr().contains("other.csv:1: the header has no id"),
        "{}",
        r.stderr()
    );
    assert!(out.exists());
}

/// Renders `worked.csv` (2025-Q4, sprint) in `dir` with `extra` arguments.
fn render_worked_in(dir: &Path, extra: &[&str]) -> Run {
    let worked = fixture("worked.csv");
    let mut args = vec![
        "render",
        worked.as_str(),
        "--period",
        "2025-Q4",
        "--audience",
        "sprint",
    ];
    args.extend_from_slice(extra);
    run_in(dir, &args)
}

/// The names in a directory, sorted.
fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// `-o` onto any file the run reads (a deployments file, the configuration, a template)
/// is refused, and so is a chart file that would land on one; nothing is written.
#[test]
fn an_output_never_replaces_any_input() {
    let dir = temp_dir("inputs-as-outputs");
    let keep = "[stages]\nboundary = \"production\"\n";
    let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/problems.csv");
    std::fs::copy(samples, dir.join("problems.csv")).unwrap();
    std::fs::copy(
        fixture("deployments/deployments.csv"),
        dir.join("deployments.csv"),
    )
    .unwrap();
    std::fs::hard_link(dir.join("deployments.csv"), dir.join("linked.csv")).unwrap();
    write_file(dir.join("escape-report.toml"), keep);
    write_file(dir.join("other.toml"), keep);
    write_file(dir.join("r-type-distribution.svg"), keep);
    std::fs::create_dir(dir.join("charts")).unwrap();
    write_file(dir.join("charts/escape-rate-trend.svg"), keep);
    let r = run_in(&dir, &["templates", "export", "tpl"]);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    let before: Vec<(String, Vec<u8>)> = [
        "deployments.csv",
        "escape-report.toml",
        "other.toml",
        "r-type-distribution.svg",
        "charts/escape-rate-trend.svg",
        "tpl/sprint.md",
    ]
    .iter()
    .map(|n| (n.to_string(), std::fs::read(dir.join(n)).unwrap()))
    .collect();
    let render = ["render", "problems.csv", "--audience", "sprint"];
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["--deployments", "deployments.csv", "-o", "deployments.csv"],
            "deployments.csv",
        ),
        (
            vec!["--deployments", "deployments.csv", "-o", "linked.csv"],
            "linked.csv",
        ),
        (vec!["-o", "escape-report.toml"], "escape-report.toml"),
        (
            vec!["--config", "other.toml", "-o", "other.toml"],
            "other.toml",
        ),
        (
            vec!["--templates", "tpl", "-o", "tpl/sprint.md"],
            "tpl/sprint.md",
        ),
        (
            vec!["--config", "r-type-distribution.svg", "-o", "r.md"],
            "r-type-distribution.svg",
        ),
        (
            vec![
                "--config",
                "charts/escape-rate-trend.svg",
                "--charts-dir",
                "charts",
                "-o",
                "r.md",
            ],
            "escape-rate-trend.svg",
        ),
    ];
    for (extra, named) in cases {
        let mut args = render.to_vec();
        args.extend_from_slice(&extra);
        let r = run_in(&dir, &args);
        assert_eq!(r.code(), 2, "{extra:?}: {}", r.stderr());
        assert!(
            r.stderr().contains(named) && r.stderr().contains("is also an input"),
            "{extra:?}: {}",
            r.stderr()
        );
        assert!(!dir.join("r.md").exists(), "{extra:?}: no report written");
    }
    let r = run_in(
        &dir,
        &[
            "import",
            "csv",
            "problems.csv",
            "--config",
            "other.toml",
            "-o",
            "other.toml",
        ],
    );
    assert_eq!(r.code(), 2, "{}", r.stderr());
    assert!(r.stderr().contains("other.toml"), "{}", r.stderr());
    let r = run_in(
        &dir,
        &["import", "csv", "problems.csv", "-o", "escape-report.toml"],
    );
    assert_eq!(r.code(), 2, "{}", r.stderr());
    for (name, bytes) in before {
        assert_eq!(std::fs::read(dir.join(&name)).unwrap(), bytes, "{name}");
    }
    assert_eq!(
        names_in(&dir),
        [
            "charts",
            "deployments.csv",
            "escape-report.toml",
            "linked.csv",
            "other.toml",
            "problems.csv",
            "r-type-distribution.svg",
            "tpl"
        ]
    );
    assert_eq!(names_in(&dir.join("charts")), ["escape-rate-trend.svg"]);
}

/// `check many.csv 2>&1 | head -1`: thousands of findings on a standard error that is
/// closed after the first line end the messages, not the program; the exit code is the
/// one the check would have had.
#[test]
fn findings_on_a_closed_stderr_are_not_a_panic() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    let dir = temp_dir("closed-stderr");
    let many = dir.join("many.csv");
    let mut csv = String::from("id,found_stage,detected_at,type,severity\n");
    for i in 0..3000 {
        csv.push_str(&format!("X-{i},qa-lab,2025-11-01,code,high\n"));
    }
    write_file(&many, csv);
    let mut child = Command::new(env!("CARGO_BIN_EXE_escape-report"))
        .args(["check", &many.display().to_string()])
        .current_dir(&dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stderr.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.contains("unknown stage 'qa-lab'"), "{first}");
    drop(child.stdout.take());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(2), "{status:?}");
}

/// `import … -o /dev/stdout | head -c10`: the direct write to a pipe that is closed
/// early is not an error.
#[cfg(target_os = "linux")]
#[test]
fn a_closed_pipe_named_as_the_output_is_not_an_error() {
    use std::io::Read;
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_escape-report"))
        .args(["import", "csv", "samples/problems.csv", "-o", "/dev/stdout"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut head = [0u8; 10];
    child.stdout.take().unwrap().read_exact(&mut head).unwrap();
    assert_eq!(&head, b"id,title,t");
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(!err.contains("error"), "{err}");
}

/// A Markdown report and its charts are written as one group: when a chart cannot be
/// written, or the run is interrupted while they are, no file is left.
#[test]
fn a_markdown_report_is_never_left_without_its_charts() {
    let dir = temp_dir("md-group");
    // --charts-dir cannot be created: a file is in the way.
    write_file(dir.join("in-the-way"), "x");
    let r = render_worked_in(&dir, &["-o", "r.md", "--charts-dir", "in-the-way/charts"]);
    assert_eq!(r.code(), 2, "{}", r.stderr());
    assert!(r.stderr().contains("in-the-way/charts"), "{}", r.stderr());
    assert_eq!(names_in(&dir), ["in-the-way"]);
    if Path::new("/proc/self").exists() {
        let r = render_worked_in(&dir, &["-o", "r.md", "--charts-dir", "/proc/nope"]);
        assert_eq!(r.code(), 2, "{}", r.stderr());
        assert_eq!(names_in(&dir), ["in-the-way"]);
    }
    // A directory where a chart file goes.
    std::fs::create_dir(dir.join("r-type-distribution.svg")).unwrap();
    let r = render_worked_in(&dir, &["-o", "r.md"]);
    assert_eq!(r.code(), 2, "{}", r.stderr());
    assert!(
        r.stderr()
            .contains("r-type-distribution.svg is a directory"),
        "{}",
        r.stderr()
    );
    assert_eq!(names_in(&dir), ["in-the-way", "r-type-distribution.svg"]);
    assert!(names_in(&dir.join("r-type-distribution.svg")).is_empty());
}

/// An interrupt while the chart files are written leaves neither them nor the report.
#[cfg(unix)]
#[test]
fn an_interrupted_markdown_report_leaves_nothing() {
    use std::process::Stdio;
    // Charts into a directory that exists, and into one the run creates (with its parent).
    for (charts, made) in [("charts", false), ("new/charts", true)] {
        let dir = temp_dir("md-interrupted");
        if !made {
            std::fs::create_dir(dir.join(charts)).unwrap();
        }
        let mut child = Command::new(env!("CARGO_BIN_EXE_escape-report"))
            .args([
                "render",
                &fixture("worked.csv"),
                "--period",
                "2025-Q4",
                "--audience",
                "sprint",
                "-o",
                "r.md",
                "--charts-dir",
                charts,
            ])
            .current_dir(&dir)
            .env("ESCAPE_REPORT_TEST_PAUSE_BEFORE_RENAME_MS", "5000")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Once a chart's temporary file is written.
        let charts_dir = dir.join(charts);
        let started = std::time::Instant::now();
        while !charts_dir.is_dir() && started.elapsed().as_secs() < 60 {
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        interrupt_when_written(&mut child, &charts_dir, "INT");
        let out = child.wait_with_output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(130),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        if made {
            assert!(names_in(&dir).is_empty(), "{:?}", names_in(&dir));
        } else {
            assert_eq!(names_in(&dir), ["charts"]);
            assert!(names_in(&dir.join("charts")).is_empty());
        }
    }
}

/// Chart links are percent-encoded so CommonMark reads them as images whatever the
/// report's or the directory's name; the files keep their names.
#[test]
fn chart_links_read_as_images_whatever_the_names() {
    let dir = temp_dir("link-names");
    let r = render_worked_in(&dir, &["-o", "my report (q4).md"]);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    let doc = std::fs::read_to_string(dir.join("my report (q4).md")).unwrap();
    assert!(
        doc.contains("](my%20report%20%28q4%29-type-distribution.svg)\n"),
        "{doc}"
    );
    assert!(dir.join("my report (q4)-type-distribution.svg").is_file());
    let r = render_worked_in(&dir, &["-o", "out.md", "--charts-dir", "ch arts)x<ä>%#"]);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    let doc = std::fs::read_to_string(dir.join("out.md")).unwrap();
    assert!(
        doc.contains("](ch%20arts%29x%3C%C3%A4%3E%25%23/type-distribution.svg)\n"),
        "{doc}"
    );
    assert!(dir.join("ch arts)x<ä>%#/type-distribution.svg").is_file());
}

/// `import` takes `--quiet`/`-q` like the other reading commands; with stderr piped
/// there is never a progress bar, so stderr holds only the import line.
#[test]
fn import_takes_quiet_and_a_piped_stderr_gets_no_progress_bar() {
    for quiet in [&["-q"][..], &["--quiet"], &[]] {
        let mut args = vec!["import", "csv", "-o", "-"];
        args.extend_from_slice(quiet);
        let worked = fixture("worked.csv");
        args.push(&worked);
        let r = run(&args);
        assert_eq!(r.code(), 0, "{}", r.stderr());
        assert!(
            r.stderr().starts_with("imported 38 of 38 records as csv"),
            "{}",
            r.stderr()
        );
        assert_eq!(r.stderr().lines().count(), 1, "{}", r.stderr());
    }
    for input in ["worked.csv", "worked.csv.gz", "worked.csv.zst"] {
        let r = run(&["metrics", "--json", &fixture(input)]);
        assert_eq!(r.code(), 0, "{}", r.stderr());
        assert_eq!(r.stderr(), "");
    }
}

/// Standard input named twice (two inputs, or an input and the deployments) is a usage
/// error found before anything is read: a missing file named first is not reached.
#[test]
fn standard_input_can_be_named_only_once() {
    use std::process::Stdio;
    let cases: [&[&str]; 4] = [
        &["summary", "-", "-"],
        &["metrics", "--json", "missing.csv", "-", "-"],
        &["render", "--audience", "em", "-", "--deployments", "-"],
        &["import", "csv", "-", "-"],
    ];
    for args in cases {
        let out = Command::new(env!("CARGO_BIN_EXE_escape-report"))
            .args(args)
            .current_dir(std::env::temp_dir())
            .stdin(std::fs::File::open(fixture("worked.csv")).unwrap())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert_eq!(
            stderr, "error: standard input (-) can be read only once; name it once\n",
            "{args:?}"
        );
        assert!(out.stdout.is_empty(), "{args:?}");
    }
    let r = run(&["metrics", "--json", "-", "--deployments", "missing.csv"]);
    assert!(!r.stderr().contains("only once"), "{}", r.stderr());
}

/// Every command and subcommand, found from clap's own tree, has help with an example;
/// the top level lists every exit code, and the texts say what the commands do.
#[test]
fn every_command_and_subcommand_has_help_with_an_example() {
    use clap::CommandFactory;
    fn paths(cmd: &clap::Command, prefix: Vec<String>, out: &mut Vec<Vec<String>>) {
        out.push(prefix.clone());
        for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
            let mut path = prefix.clone();
            path.push(sub.get_name().to_string());
            paths(sub, path, out);
        }
    }
    let mut all = Vec::new();
    paths(&escape_report::cli::Cli::command(), Vec::new(), &mut all);
    assert!(all.len() >= 11, "{all:?}");
    for path in &all {
        let mut args: Vec<&str> = path.iter().map(String::as_str).collect();
        args.push("--help");
        let r = run(&args);
        assert_eq!(r.code(), 0, "{path:?}");
        assert!(r.stdout().contains("Example"), "{path:?}: {}", r.stdout());
    }
    let top = run(&["--help"]).stdout();
    assert!(
        top.contains("2 usage, input or output error, 130 interrupted"),
        "{top}"
    );
    let help = run(&["--help"]).stdout();
    assert!(help.contains("Markdown, HTML or PDF"), "{help}");
    let render = run(&["render", "--help"]).stdout();
    assert!(render.contains("Markdown, HTML or PDF"), "{render}");
    let summary = run(&["summary", "--help"]).stdout();
    let words: String = summary.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(words.contains("gzip or zstd"), "{summary}");
    assert!(
        words.contains("(Jira, GitHub, PagerDuty, Zendesk, Freshdesk) detected from their header"),
        "{summary}"
    );
}

/// A gzip or zstd file cut short (or with bytes after its end that are not another
/// member or frame) is an error naming the file and saying what to do, not a decoder's
/// debug dump.
#[test]
fn a_truncated_compressed_file_is_named_with_a_fix() {
    let dir = temp_dir("truncated");
    for format in ["gz", "zst"] {
        let whole = std::fs::read(fixture(&format!("worked.csv.{format}"))).unwrap();
        let kind = if format == "gz" { "gzip" } else { "zstd" };
        for (name, bytes) in [
            (
                format!("half.csv.{format}"),
                whole[..whole.len() / 2].to_vec(),
            ),
            (format!("head.csv.{format}"), whole[..6].to_vec()),
        ] {
            let path = dir.join(&name);
            write_file(&path, bytes);
            let r = run(&["metrics", "--json", path.to_str().unwrap()]);
            assert_eq!(r.code(), 2, "{name}: {}", r.stderr());
            assert_eq!(
                r.stderr(),
                format!(
                    "error: cannot read {}: the compressed data ends early or is damaged ({kind}: unexpected end of file); the file may be cut short: copy or export it again\n",
                    path.display()
                ),
                "{name}"
            );
            assert_eq!(r.stdout(), "", "{name}");
        }
        let path = dir.join(format!("trailing.csv.{format}"));
        write_file(&path, [&whole[..], b"trailing bytes"].concat());
        let r = run(&["check", path.to_str().unwrap()]);
        assert_eq!(r.code(), 2, "{}", r.stderr());
        assert!(
            r.stderr().contains(&format!(
                "cannot read {}: the compressed data ends early or is damaged ({kind}: ",
                path.display()
            )),
            "{}",
            r.stderr()
        );
        assert!(!r.stderr().contains("Error {"), "{}", r.stderr());
    }
}

/// Concatenated zstd frames (`zstd -c a b`, `cat a.zst b.zst`) are read to the end,
/// like concatenated gzip members, with skippable frames skipped.
#[test]
fn every_zstd_frame_of_a_file_is_read() {
    let dir = temp_dir("zstd-frames");
    for format in ["gz", "zst"] {
        let whole = std::fs::read(fixture(&format!("worked.csv.{format}"))).unwrap();
        let path = dir.join(format!("twice.csv.{format}"));
        let mut bytes = whole.clone();
        if format == "zst" {
            // A skippable frame: magic, length, then that many bytes.
            bytes.extend_from_slice(&0x184D_2A50u32.to_le_bytes());
            bytes.extend_from_slice(&3u32.to_le_bytes());
            bytes.extend_from_slice(b"abc");
        }
        bytes.extend_from_slice(&whole);
        write_file(&path, bytes);
        let m = metrics(&[path.to_str().unwrap(), "--period", "2025-Q4"]);
        // The second copy's header line is read as a row too.
        assert_eq!(m["data_quality"]["rows_read"], 38 + 1 + 38, "{format}");
        assert_eq!(m["data_quality"]["duplicates"], 38, "{format}");
    }
}

/// A SOURCE_DATE_EPOCH that is not a number is not used silently: a warning says so, and
/// the PDF is dated from the period, byte for byte as without the variable.
#[test]
fn an_unreadable_source_date_epoch_is_a_warning() {
    let dir = temp_dir("source-date-epoch");
    let pdf = |epoch: Option<&str>, name: &str| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_escape-report"));
        command
            .args([
                "render",
                &fixture("worked.csv"),
                "--audience",
                "sprint",
                "--format",
                "pdf",
                "-o",
                name,
            ])
            .current_dir(&*dir)
            .env_remove("SOURCE_DATE_EPOCH");
        if let Some(epoch) = epoch {
            command.env("SOURCE_DATE_EPOCH", epoch);
        }
        let output = command.output().unwrap();
        assert!(output.status.success());
        (
            String::from_utf8_lossy(&output.stderr).into_owned(),
            std::fs::read(dir.join(name)).unwrap(),
        )
    };
    let (warning, dated) = pdf(Some("abc"), "a.pdf");
    assert!(
        warning.contains("warning: SOURCE_DATE_EPOCH 'abc' is not a whole number of seconds"),
        "{warning}"
    );
    let (quiet, plain) = pdf(None, "b.pdf");
    assert_eq!(quiet, "");
    assert!(dated == plain, "the PDF is dated as without the variable");
    // Without the variable: the day after the period (2025-Q3), never the clock.
    assert_eq!(creation_date(&plain), "D:20251001000000+00'00'");
    let (_, given) = pdf(Some("1700000000"), "c.pdf");
    assert_eq!(creation_date(&given), "D:20231114221320+00'00'");
}

/// The `/CreationDate` in a PDF's document information.
fn creation_date(pdf: &[u8]) -> String {
    let doc = lopdf::Document::load_mem(pdf).unwrap();
    let info = doc.trailer.get(b"Info").unwrap().as_reference().unwrap();
    let info = doc.get_object(info).unwrap().as_dict().unwrap();
    lopdf::decode_text_string(info.get(b"CreationDate").unwrap()).unwrap()
}

/// `import` of input without one usable record fails like every other command: exit 2
/// and no file written.
#[test]
fn import_of_nothing_usable_writes_nothing() {
    let dir = temp_dir("import-nothing");
    write_file(dir.join("empty.csv"), "");
    write_file(dir.join("jira.csv"), "Summary,Status\nLogin fails,Done\n");
    for (source, file) in [("csv", "empty.csv"), ("jira", "jira.csv")] {
        let r = run_in(&dir, &["import", source, file, "-o", "out.csv"]);
        assert_eq!(r.code(), 2, "{source}: {}", r.stderr());
        assert!(
            r.stderr().contains("error: no usable record in"),
            "{}",
            r.stderr()
        );
        assert!(!dir.join("out.csv").exists());
    }
}

/// Control characters never reach a terminal or a file raw: not from the data through
/// `import`, not from a file's name, not from a mistyped option.
#[test]
fn control_characters_from_names_options_and_import_are_neutralised() {
    let dir = temp_dir("control-names");
    let name = "bad\u{1b}[31mname.csv";
    write_file(
        dir.join(name),
        "id,title,found_stage,detected_at\nA-1,\u{1b}]0;PWNED\u{7},production,2025-05-01\n",
    );
    let r = run_in(&dir, &["check", name]);
    assert!(!r.stdout().contains('\u{1b}') && r.stdout().contains("bad\u{241b}[31mname.csv"));
    let r = run_in(&dir, &["import", "csv", name]);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    assert!(!r.stdout().contains('\u{1b}') && !r.stdout().contains('\u{7}'));
    assert!(
        r.stdout().contains("\u{241b}]0;PWNED\u{2407}"),
        "{}",
        r.stdout()
    );
    let r = run_in(&dir, &["summary", name, "--period", "2025\u{1b}[31m"]);
    assert_eq!(r.code(), 2);
    assert!(
        !r.stderr().contains('\u{1b}') && r.stderr().contains("2025\\u{1b}[31m"),
        "{}",
        r.stderr()
    );
}

/// A right-to-left override in a file's name shows the rest of a terminal line
/// backwards: it is named in errors and replaced in reports, never printed raw.
#[test]
fn direction_controls_in_file_names_do_not_reach_the_terminal() {
    let dir = temp_dir("direction-names");
    let name = "pay\u{202e}vsc.csv";
    let r = run_in(&dir, &["check", name]);
    assert_eq!(r.code(), 2);
    assert!(
        !r.stderr().contains('\u{202e}') && r.stderr().contains("pay\\u{202e}vsc.csv"),
        "{}",
        r.stderr()
    );
    write_file(
        dir.join(name),
        "id,title,found_stage,detected_at\nA-1,x,production,2025-05-01\n",
    );
    let r = run_in(&dir, &["check", name]);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    assert!(
        !r.stdout().contains('\u{202e}') && r.stdout().contains("pay\u{fffd}vsc.csv"),
        "{}",
        r.stdout()
    );
}

/// Chart links in Markdown lead from the report's directory to the charts, wherever
/// `--charts-dir` is.
#[test]
fn chart_links_are_relative_to_the_report() {
    let dir = temp_dir("chart-links-relative");
    std::fs::create_dir(dir.join("out")).unwrap();
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/problems.csv");
    let sample = sample.to_str().unwrap();
    for (report, charts, link) in [
        ("out/r.md", "charts", "](../charts/escaped-by-quarter.svg)"),
        ("./out/r2.md", "out/c2", "](c2/escaped-by-quarter.svg)"),
        ("r3.md", "./c3/", "](c3/escaped-by-quarter.svg)"),
    ] {
        let args = [
            "render",
            sample,
            "--audience",
            "board",
            "--format",
            "md",
            "-o",
            report,
            "--charts-dir",
            charts,
        ];
        let r = run_in(&dir, &args);
        assert_eq!(r.code(), 0, "{}", r.stderr());
        let text = std::fs::read_to_string(dir.join(report)).unwrap();
        assert!(text.contains(link), "{report}: {text}");
        let target = dir
            .join(Path::new(report).parent().unwrap())
            .join(&link[2..link.len() - 1]);
        assert!(target.is_file(), "{} is written", target.display());
    }
}

/// Waits (up to a minute) until a temporary file of a write in progress has bytes in
/// `dir`, then sends the running `child` SIG`signal`.
#[cfg(unix)]
fn interrupt_when_written(child: &mut std::process::Child, dir: &Path, signal: &str) {
    use std::time::{Duration, Instant};
    let started = Instant::now();
    loop {
        let written = std::fs::read_dir(dir).unwrap().any(|entry| {
            let entry = entry.unwrap();
            entry
                .file_name()
                .to_string_lossy()
                .starts_with(".escape-report-")
                && entry.metadata().is_ok_and(|m| m.len() > 0)
        });
        if written {
            break;
        }
        if let Some(status) = child.try_wait().unwrap() {
            panic!("SIG{signal}: the run ended before it was interrupted: {status}");
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "SIG{signal}: no temporary file appeared in {dir:?}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let kill = Command::new("kill")
        .args([format!("-{signal}"), child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
}

/// SPEC 4: `metrics --json` exits 0 on inputs that were read but gave no usable row (a
/// header without rows, an empty array, every row skipped), and 2 when one could not be
/// read at all, whichever order the files come in and however many findings come
/// before it.
#[test]
fn metrics_exits_2_only_when_an_input_could_not_be_read() {
    let dir = temp_dir("metrics-exit");
    let header = file_in(
        &dir,
        "header.csv",
        "id,title,type,found_stage,detected_at\n",
    );
    let empty = file_in(&dir, "empty.json", "[ ]");
    let nocols = file_in(&dir, "nocols.csv", "foo,bar\n1,2\n");
    // More skipped rows than the findings list keeps.
    let mut text = String::from("id,found_stage,detected_at\n");
    for i in 0..10_001 {
        text.push_str(&format!("M-{i},moon,2025-07-01\n"));
    }
    let many = file_in(&dir, "many.csv", text);
    let path = |p: &std::path::PathBuf| p.to_str().unwrap().to_string();
    for file in [&header, &empty] {
        let m = metrics_of_unusable(&[&path(file)]);
        assert_eq!(m["data_quality"]["rows_read"], 0);
    }
    let m = metrics_of_unusable(&[&path(&many), &path(&header)]);
    assert_eq!(m["data_quality"]["rows_skipped"], 10_001);
    for files in [[&many, &nocols], [&nocols, &many]] {
        let files = files.map(path);
        let m = metrics_of_nothing(&[&files[0], &files[1]]);
        assert_eq!(m["data_quality"]["skipped_by_reason"]["missing columns"], 1);
        let r = run(&["metrics", "--json", &files[0], &files[1]]);
        assert!(
            r.stderr()
                .contains("nocols.csv:1: the header has no id, found_stage, detected_at columns"),
            "{}",
            r.stderr()
        );
        // `check` fails on it too, though the list of findings was full before it.
        assert_eq!(run(&["check", &files[0], &files[1]]).code(), 2);
    }
}

/// A right-to-left override or a direction isolate in data text reaches no output: it
/// shows as U+FFFD in every format, and `check` reports the value it changed.
#[test]
fn direction_controls_in_data_show_as_replacement_characters() {
    let dir = temp_dir("bidi");
    let file = file_in(
        &dir,
        "bidi.csv",
        "id,title,type,found_stage,detected_at,component\n\
         B-1,pay \u{202e}fdp.exe,code,production,2025-11-03,\u{2066}web\u{2069}\n\
         B-2,plain,code,unit,2025-11-04,api\n",
    );
    let file = file.to_str().unwrap();
    let check = run(&["check", file]);
    assert!(
        check.stderr().contains(
            "bidi.csv:2: column 'title': problem B-1: the title holds control characters"
        ),
        "{}",
        check.stderr()
    );
    for format in ["md", "html"] {
        let r = run(&[
            "render",
            file,
            "--period",
            "2025-Q4",
            "--audience",
            "sprint",
            "--format",
            format,
        ]);
        assert_eq!(r.code(), 0, "{}", r.stderr());
        let out = r.stdout();
        assert!(out.contains("pay \u{fffd}fdp.exe"), "{format}: {out}");
        assert!(
            !out.contains(['\u{202e}', '\u{2066}', '\u{2069}']),
            "{format}: {out}"
        );
    }
    for audience in ["sprint", "em"] {
        let text = pdf_text(&run(&[
            "render",
            file,
            "--period",
            "2025-Q4",
            "--audience",
            audience,
            "--format",
            "pdf",
        ]));
        let expect = if audience == "sprint" {
            "pay\u{fffd}fdp.exe"
        } else {
            "\u{fffd}web\u{fffd}"
        };
        assert!(text.contains(expect), "{audience}: {text}");
        assert!(
            !text.contains(['\u{202e}', '\u{2066}', '\u{2069}']),
            "{text}"
        );
    }
    let summary = run(&["summary", file, "--period", "2025-Q4"]).stdout();
    assert!(!summary.contains('\u{202e}'), "{summary}");
}

/// The text of a PDF written to standard output, every page, without white space (lines
/// are joined without a separator, so a sentence wrapped over lines is found whole).
fn pdf_text(run: &Run) -> String {
    assert_eq!(run.code(), 0, "{}", run.stderr());
    let doc = lopdf::Document::load_mem(&run.output.stdout).expect("a PDF");
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    let text = doc.extract_text(&pages).unwrap();
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

/// A file that cannot be read fails `check` even after ten thousand findings of other
/// kinds (the findings list is capped, but never drops a fatal one).
#[test]
fn an_unreadable_file_fails_check_after_many_repaired_values() {
    let dir = temp_dir("check-cap");
    let mut text = String::from("id,found_stage,detected_at,type\n");
    for i in 0..10_001 {
        text.push_str(&format!("R-{i},production,2025-07-01,weird\n"));
    }
    let repaired = file_in(&dir, "repaired.csv", text);
    let nocols = file_in(&dir, "nocols.csv", "foo,bar\n1,2\n");
    let r = run(&[
        "check",
        repaired.to_str().unwrap(),
        nocols.to_str().unwrap(),
    ]);
    assert_eq!(r.code(), 2, "{}", r.stderr());
    assert!(
        r.stderr().contains("nocols.csv:1: the header has no id"),
        "{}",
        r.stderr()
    );
}
