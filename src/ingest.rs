//! Ingestion: drives the readers, validates each row, counts it once by id, and feeds
//! the metrics engine and the Data quality tally as the rows stream past.

use std::collections::BTreeMap;

use crate::ids::{IdSet, Seen};

use anyhow::Result;

use crate::input::rules::Classifier;
use crate::input::{self, Forked, Format, ReadContext, RowVisitor, Source};
use crate::metrics::{DataQuality, Engine, Metrics, PeriodChoice, Settings};
use crate::model::import_config::Mapping;
use crate::model::raw::{ColumnNames, RawRow};
use crate::model::validate::{Location, Validator};
use crate::model::{Config, Finding, Outcome, ProblemType};

/// Everything read so far, and the rules to read more.
pub struct Ingest {
    rules: Classifier,
    mappings: BTreeMap<String, Mapping>,
    state: State,
}

/// What reading accumulates; the readers hand their rows to it.
struct State {
    validator: Validator,
    engine: Engine,
    quality: DataQuality,
    /// Ids seen, with the file (index into `files`) and line of their first occurrence.
    seen: IdSet,
    files: Vec<String>,
    /// For `import`: usable rows are written out as native CSV instead of counted.
    export: Option<crate::output_csv::NativeWriter>,
    /// In a forked state: the listed duplicate findings, whose messages name lines that
    /// are only known once it is joined.
    local_duplicates: Option<Vec<LocalDuplicate>>,
    /// Rows read and not yet counted by the progress bar.
    unreported_rows: u64,
}

impl State {
    /// Counts a row for the progress bar, a few thousand at a time.
    fn count_row(&mut self) {
        self.unreported_rows += 1;
        if self.unreported_rows == crate::progress::ROW_STEP {
            crate::progress::add_rows(self.unreported_rows);
            self.unreported_rows = 0;
        }
    }
}

/// A duplicate found by a forked state (see [`RowVisitor::fork`]).
struct LocalDuplicate {
    /// Index into the forked state's listed findings.
    finding: usize,
    /// The id as the message shows it (cut short when long).
    id: String,
    first: Option<(u32, u64)>,
    /// Distinct ids the forked state had seen before this row.
    distinct_before: usize,
}

/// The message of a duplicate-id finding.
fn duplicate_message(id: &str, first: Option<(&str, u64)>) -> String {
    let first = first
        .map(|(file, line)| format!(" (first at {file}:{line})"))
        .unwrap_or_default();
    let id = crate::model::finding::shown(id);
    format!("problem {id} appears again{first}; counted once, as first seen")
}

impl Ingest {
    pub fn new(config: &Config, choice: PeriodChoice) -> Ingest {
        let validator = Validator::new(config);
        let stages = validator.vocabulary.stages.len();
        Ingest {
            rules: Classifier::new(config),
            mappings: config.import.mapping.clone(),
            state: State {
                validator,
                engine: Engine::new(stages, choice, &config.sprints),
                quality: DataQuality::default(),
                seen: IdSet::default(),
                files: Vec::new(),
                export: None,
                local_duplicates: None,
                unreported_rows: 0,
            },
        }
    }

    /// Reads one input completely.
    pub fn read(&mut self, source: &Source, forced: Option<Format>) -> Result<()> {
        let name = source.display_name();
        self.state.start_file(&name, forced.as_ref());
        let ctx = ReadContext {
            rules: &self.rules,
            mappings: &self.mappings,
        };
        input::read(source, forced.as_ref(), &ctx, &mut self.state)
    }

    /// Reads one input from bytes or any other reader, named `name` in findings.
    pub fn read_from(
        &mut self,
        name: &str,
        input: impl std::io::Read + Send,
        forced: Option<Format>,
    ) -> Result<()> {
        self.state.start_file(name, forced.as_ref());
        let ctx = ReadContext {
            rules: &self.rules,
            mappings: &self.mappings,
        };
        input::read_from(name, None, input, forced.as_ref(), &ctx, &mut self.state)
    }

    /// Reads deployments files; escaped problems read afterwards are attributed to
    /// their production deployments. Call before reading problems.
    pub fn read_deployments(&mut self, sources: &[Source], config: &Config) -> Result<()> {
        let production = &config.deployments.production_environments;
        let mut reads = Vec::new();
        for source in sources {
            let read = crate::input::deployments::read(source, &self.rules, production)?;
            reads.push((source.display_name(), read));
        }
        self.use_deployments(reads, config);
        Ok(())
    }

    /// [`Ingest::read_deployments`] for files given as their names and bytes.
    pub fn read_deployments_from(
        &mut self,
        files: &[(&str, &[u8])],
        config: &Config,
    ) -> Result<()> {
        let production = &config.deployments.production_environments;
        let mut reads = Vec::new();
        for (name, bytes) in files {
            let read = crate::input::deployments::parse(name, bytes, &self.rules, production)?;
            reads.push((name.to_string(), read));
        }
        self.use_deployments(reads, config);
        Ok(())
    }

    fn use_deployments(
        &mut self,
        reads: Vec<(String, crate::input::deployments::DeploymentsRead)>,
        config: &Config,
    ) {
        let mut all = Vec::new();
        for (file, read) in reads {
            let skipped = read.findings.len() as u64;
            self.state.quality.deployment_files.push(
                crate::metrics::quality::DeploymentFileQuality {
                    file,
                    rows_read: read.rows_read,
                    rows_used: read.deployments.len() as u64,
                    rows_skipped: skipped,
                    production: read.deployments.iter().filter(|d| d.production).count() as u64,
                },
            );
            for finding in read.findings {
                self.state.quality.add_finding(finding);
            }
            all.extend(read.deployments);
        }
        self.state
            .engine
            .set_releases(crate::metrics::releases::Releases::new(
                all,
                config.deployments.attribution_window_hours,
                config.thresholds.regression_window_minutes,
            ));
    }

    /// Makes this ingest write every usable row as native CSV (see [`Ingest::exported`])
    /// instead of computing metrics.
    pub fn export_rows(&mut self) {
        self.state.export = Some(crate::output_csv::NativeWriter::new());
    }

    /// The native CSV written so far by an [`Ingest::export_rows`] ingest.
    pub fn exported(self) -> (Vec<u8>, DataQuality) {
        let bytes = self
            .state
            .export
            .map(crate::output_csv::NativeWriter::finish)
            .unwrap_or_default();
        (bytes, self.state.quality)
    }

    pub fn quality(&self) -> &DataQuality {
        &self.state.quality
    }

    pub fn finish(self, settings: &Settings) -> Metrics {
        self.state.engine.finish(settings, self.state.quality)
    }
}

impl State {
    fn start_file(&mut self, name: &str, forced: Option<&Format>) {
        self.quality
            .start_file(name, &forced.map_or(String::new(), Format::name));
        self.files.push(name.to_string());
    }
}

impl RowVisitor for State {
    fn format(&mut self, name: &str) {
        if let Some(file) = self.quality.files.last_mut() {
            file.format = name.to_string();
        }
    }

    fn row(&mut self, row: &RawRow<'_>, line: u64, columns: &ColumnNames) {
        self.count_row();
        let file_index = self.files.len() - 1;
        let file = &self.files[file_index];
        let at = Location {
            file,
            line,
            columns,
        };
        let quality = &mut self.quality;
        let mut problem = self
            .validator
            .validate(row, &at, &mut |f| quality.add_finding(f));
        // Used where it is, rather than moved out of the `Option`.
        let Some(problem) = &mut problem else {
            quality.record_skipped();
            return;
        };
        if let Seen::Again(first) = self
            .seen
            .insert(problem.id.as_ref(), (file_index as u32, line))
        {
            let finding = at.finding(
                Some(crate::model::raw::Field::Id),
                Outcome::Duplicate,
                "duplicate id",
                duplicate_message(
                    &problem.id,
                    first.map(|(f, l)| (self.files[f as usize].as_str(), l)),
                ),
            );
            if let Some(local) = &mut self.local_duplicates {
                if quality.findings.len() < crate::metrics::quality::MAX_LISTED_FINDINGS {
                    local.push(LocalDuplicate {
                        finding: quality.findings.len(),
                        id: crate::model::finding::shown(&problem.id).into_owned(),
                        first,
                        distinct_before: self.seen.len(),
                    });
                }
            }
            quality.add_finding(finding);
            quality.record_duplicate();
            return;
        }
        quality.record_used();
        if problem.escaped {
            quality.unclassified += u64::from(problem.kind == Some(ProblemType::Unclassified));
            quality.to_verify += u64::from(problem.to_verify);
            quality.estimated_costs += u64::from(problem.cost.is_some_and(|c| c.estimated));
        }
        match &mut self.export {
            Some(writer) => writer.write(row),
            None => self.engine.add(problem),
        }
    }

    fn expect_rows(&mut self, rows: u64) {
        self.seen.expect_more(rows);
    }

    fn warm(&mut self, ids: &mut dyn Iterator<Item = &str>) {
        std::hint::black_box(self.seen.warm(ids));
    }

    fn bad_row(&mut self, finding: Finding) {
        self.count_row();
        self.quality.add_finding(finding);
        self.quality.record_skipped();
    }

    fn finding(&mut self, finding: Finding) {
        self.quality.add_finding(finding);
    }

    fn fork(&self) -> Option<Box<dyn Forked>> {
        if self.export.is_some() {
            return None; // rows are written out in order
        }
        let mut quality = DataQuality::default();
        if let Some(file) = self.quality.files.last() {
            quality.start_file(&file.file, &file.format);
        }
        Some(Box::new(State {
            validator: self.validator.clone(),
            engine: self.engine.fork(),
            quality,
            seen: IdSet::with_exact_limit(self.seen.exact_limit()),
            files: self.files.clone(),
            export: None,
            local_duplicates: Some(Vec::new()),
            unreported_rows: 0,
        }))
    }

    fn join(&mut self, forked: Box<dyn Forked>, line_offset: u64) -> bool {
        let Ok(forked) = forked.into_any().downcast::<State>() else {
            return false;
        };
        let State {
            engine,
            mut quality,
            seen,
            local_duplicates,
            ..
        } = *forked;
        let distinct = self.seen.len();
        let limit = self.seen.exact_limit();
        if !self.seen.merge(seen, line_offset) {
            return false;
        }
        // Read in one go, a duplicate names its first line only while the set of ids
        // was still exact: while it had seen at most `limit` distinct ids.
        for local in local_duplicates.unwrap_or_default() {
            let first = local
                .first
                .filter(|_| distinct + local.distinct_before <= limit)
                .map(|(f, l)| (self.files[f as usize].as_str(), l + line_offset));
            if let Some(finding) = quality.findings.get_mut(local.finding) {
                finding.message = duplicate_message(&local.id, first);
            }
        }
        for finding in &mut quality.findings {
            finding.line += line_offset;
        }
        self.quality.absorb(quality);
        self.engine.merge(engine);
        true
    }
}

impl Forked for State {
    fn into_any(self: Box<Self>) -> Box<dyn std::any::Any> {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::csv::JOINED;
    use std::io::Write;

    /// Metrics of `bytes` read as a file (in halves, when large enough) and as a stream
    /// (in one go), findings naming the same file; and whether the halves were joined.
    fn both_ways(bytes: &[u8], exact_limit: usize) -> (String, String, bool) {
        let mut file = tempfile::Builder::new().suffix(".csv").tempfile().unwrap();
        file.write_all(bytes).unwrap();
        let path = file.path().to_path_buf();
        let config = Config::default();
        let settings = Settings::from_config(&config).unwrap();
        let run = |chunked: bool| {
            let mut ingest = Ingest::new(&config, PeriodChoice::LatestFullQuarter);
            ingest.state.seen = IdSet::with_exact_limit(exact_limit);
            let before = JOINED.with(|j| j.get());
            if chunked {
                ingest.read(&Source::Path(path.clone()), None).unwrap();
            } else {
                let name = path.display().to_string();
                let file = std::fs::File::open(&path).unwrap();
                ingest.read_from(&name, file, None).unwrap();
            }
            let joined = JOINED.with(|j| j.get()) > before;
            let json = serde_json::to_string_pretty(&ingest.finish(&settings)).unwrap();
            (json, joined)
        };
        let (halves, joined) = run(true);
        let (whole, _) = run(false);
        (halves, whole, joined)
    }

    /// Rows with a finding every few lines, duplicates within the second half, and
    /// `extra` spliced in at row `at`.
    fn rows(n: usize, crlf: bool, at: usize, extra: &str) -> Vec<u8> {
        let eol = if crlf { "\r\n" } else { "\n" };
        let mut out = format!("id,title,found_stage,detected_at,type,cost_hours{eol}");
        for i in 0..n {
            if i == at {
                out.push_str(extra);
            }
            let id = if i > n * 3 / 4 && i % 7 == 0 {
                i - 3 * 7
            } else {
                i
            };
            let stage = ["production", "qa", "uat", "moon"][i % 4];
            let date = if i % 11 == 0 {
                "someday".to_string()
            } else {
                format!("2025-0{}-1{}", 1 + i % 9, i % 10)
            };
            let hours = if i % 13 == 0 { "x" } else { "2.5" };
            out.push_str(&format!(
                "P-{id},title {i},{stage},{date},code,{hours}{eol}"
            ));
            if i % 17 == 0 {
                out.push_str(eol);
            }
        }
        out.into_bytes()
    }

    #[test]
    fn halves_read_on_two_threads_equal_one_read() {
        for crlf in [false, true] {
            for limit in [1 << 17, 10, 100] {
                let (halves, whole, joined) = both_ways(&rows(400, crlf, 0, ""), limit);
                assert!(
                    joined,
                    "the halves were joined (crlf {crlf}, limit {limit})"
                );
                assert_eq!(halves, whole, "crlf {crlf}, limit {limit}");
                assert!(whole.contains("appears again"));
            }
        }
        // With a limit of 100, some duplicates in the second half name their first line
        // and later ones do not, as one read would have it.
        let (halves, _, _) = both_ways(&rows(400, false, 0, ""), 1 << 17);
        assert!(halves.contains("(first at "));
    }

    /// The findings of `bytes` read in one go, as `file:line: reason: message` lines.
    fn findings_of(bytes: &[u8]) -> Vec<String> {
        findings_in("in.csv", bytes)
    }

    /// [`findings_of`] for a file named `name` (its extension picks the format).
    fn findings_in(name: &str, bytes: &[u8]) -> Vec<String> {
        let mut ingest = Ingest::new(&Config::default(), PeriodChoice::LatestFullQuarter);
        ingest.read_from(name, bytes, None).unwrap();
        ingest
            .quality()
            .findings
            .iter()
            .map(|f| format!("{}:{}: {}: {}", f.file, f.line, f.reason, f.message))
            .collect()
    }

    #[test]
    fn a_repeated_column_is_a_finding() {
        let found = findings_of(
            b"id,found_stage,detected_at,Type,type\nA-1,production,2026-01-05,code,infrastructure\n",
        );
        assert_eq!(
            found,
            ["in.csv:1: repeated column: columns 4 and 5 of the header are both type; the values of column 5 are ignored. Remove or rename one of them"]
        );
    }

    #[test]
    fn control_characters_reach_no_output_and_are_a_finding() {
        let bytes = b"id,title,found_stage,detected_at,type,component\nA-1,\x1b]0;PWNED\x07\x1b[2J,production,2025-11-05,code,\x1b[31mred\r\nB-1,fine,production,2026-01-10,code,web\n";
        let found = findings_of(bytes);
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found[0].starts_with("in.csv:2: control characters: problem A-1: the title holds"));
        assert!(
            found[1].starts_with("in.csv:2: control characters: problem A-1: the component holds")
        );
        let config = Config::default();
        let settings = Settings::from_config(&config).unwrap();
        let mut ingest = Ingest::new(&config, PeriodChoice::LatestFullQuarter);
        ingest.read_from("in.csv", &bytes[..], None).unwrap();
        let json = serde_json::to_string(&ingest.finish(&settings)).unwrap();
        assert!(json.contains("\u{241b}[31mred"), "{json}");
        assert!(!json.contains("\\u001b"), "{json}");
    }

    #[test]
    fn hours_of_a_million_or_more_are_typing_mistakes() {
        let found = findings_of(
            b"id,found_stage,detected_at,type,cost_hours,downtime_minutes\nA-1,production,2026-01-05,code,999999,9999999\nA-2,production,2026-01-05,code,1000000,10000000\nA-3,production,2026-01-05,code,999999999999,1\n",
        );
        assert_eq!(
            found,
            [
                "in.csv:3: implausible number: problem A-2: 1000000 is implausibly large (10^6 hours or more), ignored; write hours like 4 or 2.5",
                "in.csv:3: implausible number: problem A-2: 10000000 is implausibly large (10^7 minutes or more), ignored; write minutes like 30 or 90",
                "in.csv:4: implausible number: problem A-3: 999999999999 is implausibly large (10^6 hours or more), ignored; write hours like 4 or 2.5",
            ]
        );
    }

    #[test]
    fn text_past_65536_characters_is_a_finding_and_kept() {
        // 65 536 two-byte characters are past the byte gate and at the limit: no
        // finding; one more character, and a long ASCII component, are findings.
        let at_limit = "é".repeat(65_536);
        let past = format!("{at_limit}é");
        let component = "c".repeat(100_000);
        let csv = format!(
            "id,title,found_stage,detected_at,type,component\nA-1,{at_limit},production,2025-11-05,code,web\nA-2,{past},production,2025-11-05,code,{component}\nB-1,fine,production,2026-01-10,code,web\n"
        );
        let found = findings_of(csv.as_bytes());
        let tail = "characters long, more than a tracker keeps in one field; it is kept, and reports show only its start. A quote out of place in the export runs the rows after it into one value: check this row and the quotes before it, and export again";
        assert_eq!(
            found,
            [
                format!("in.csv:3: implausibly long text: problem A-2: the title is 65537 {tail}"),
                format!(
                    "in.csv:3: implausibly long text: problem A-2: the component is 100000 {tail}"
                ),
            ]
        );
        let config = Config::default();
        let settings = Settings::from_config(&config).unwrap();
        let mut ingest = Ingest::new(&config, PeriodChoice::LatestFullQuarter);
        ingest.read_from("in.csv", csv.as_bytes(), None).unwrap();
        let quality = ingest.quality();
        assert_eq!((quality.rows_used, quality.rows_skipped), (3, 0));
        let json = serde_json::to_string(&ingest.finish(&settings)).unwrap();
        assert!(json.contains(&component), "the component is kept whole");
    }

    #[test]
    fn repeated_json_keys_keep_the_first_value_and_are_findings() {
        let base = r#""found_stage": "production", "detected_at": "2026-01-05""#;
        let array = format!(
            "[{{\"id\": \"J2\", \"id\": \"J3\", \"type\": \"code\", \"type\": \"infra\", \"type\": \"code\", {base}}},\n {{\"id\": \"J3\", \"Type\": \"code\", \"type\": \"infra\", {base}}}]"
        );
        let found = findings_in("in.json", array.as_bytes());
        assert_eq!(
            found,
            [
                "in.json:1: repeated key: the record names the key \"id\" more than once; its first value is used and the later ones are ignored. Remove the repeats",
                "in.json:1: repeated key: the record names the key \"type\" more than once; its first value is used and the later ones are ignored. Remove the repeats",
                "in.json:2: repeated key: the keys \"Type\" and \"type\" both name the type column; the value of \"Type\" is used. Remove or rename one of them",
            ]
        );
        // J2 kept its id, so J3 is not a duplicate; both rows are used.
        let mut ingest = Ingest::new(&Config::default(), PeriodChoice::LatestFullQuarter);
        ingest.read_from("in.json", array.as_bytes(), None).unwrap();
        assert_eq!(
            (ingest.quality().rows_used, ingest.quality().duplicates),
            (2, 0)
        );
    }

    #[test]
    fn a_json_document_that_repeats_a_key_keeps_the_first() {
        // PagerDuty's list response with "incidents" twice: the first, with the records.
        let incident = r#"{"id": "P1", "incident_number": 1, "title": "Down", "status": "resolved", "created_at": "2026-01-05T10:00:00Z", "urgency": "high", "service": {"summary": "web"}}"#;
        let document = format!("{{\"incidents\": [{incident}],\n \"incidents\": []}}");
        let mut ingest = Ingest::new(&Config::default(), PeriodChoice::LatestFullQuarter);
        ingest
            .read_from("pd.json", document.as_bytes(), None)
            .unwrap();
        let q = ingest.quality();
        assert_eq!(q.rows_read, 1, "{:?}", q.findings);
        assert_eq!(q.findings[0].reason, "repeated key");
        assert_eq!(q.findings[0].column.as_deref(), Some("incidents"));
    }

    #[test]
    fn a_byte_order_mark_on_any_json_line_is_skipped() {
        let line = r#"{"id": "L1", "found_stage": "production", "detected_at": "2026-01-05"}"#;
        let joined = format!("\u{feff}{line}\n\u{feff}{}\n", line.replace("L1", "L2"));
        assert_eq!(
            findings_in("in.jsonl", joined.as_bytes()),
            Vec::<String>::new()
        );
    }

    #[test]
    fn a_repeated_header_line_is_named_as_such() {
        for copy in [
            "id,found_stage,detected_at",
            "\u{feff}id,found_stage,detected_at",
            "ID, Found Stage ,Detected-At",
        ] {
            let joined = format!("\u{feff}id,found_stage,detected_at\nA-1,production,2026-01-05\n{copy}\nB-1,production,2026-01-06\n");
            assert_eq!(
                findings_of(joined.as_bytes()),
                ["in.csv:3: repeated header: this line repeats the header line (were files joined together?); it is skipped. Remove it, or give the files as separate inputs"],
                "{copy}"
            );
        }
    }

    #[test]
    fn a_truncated_json_array_and_nul_bytes_are_findings() {
        let cut = r#"[{"id": "A-1", "found_stage": "production", "detected_at": "2026-01-05"},
 {"id": "A-2", "found_"#;
        let found = findings_in("in.json", cut.as_bytes());
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found[0].starts_with("in.json:2: invalid JSON: the record is not valid JSON"));
        assert_eq!(found[1], "in.json:2: truncated file: the file ends inside a record; it may be cut short: export it again");
        // Numbers past f64 (serde_json refuses them) lose their value, not their record,
        // as in CSV; in an array, in JSON Lines, and twice in one record.
        let huge = r#"[{"id": "A-1", "found_stage": "production", "detected_at": "2026-01-05",
  "cost_hours": 1e400, "dev_hours": -2E+999, "qa_hours": 2}]"#;
        assert_eq!(
            findings_in("in.json", huge.as_bytes()),
            [
                "in.json:1: invalid number: problem A-1: '1e400' is not a finite number, ignored; write hours like 4 or 2.5",
                "in.json:1: negative number: problem A-1: negative value -2E+999, ignored",
            ]
        );
        let line = huge
            .trim_start_matches('[')
            .trim_end_matches(']')
            .replace('\n', "");
        assert_eq!(findings_in("in.jsonl", line.as_bytes()).len(), 2);
        // A stray comma: an empty element, counted as a skipped row, and said plainly.
        let record = r#"{"id": "A-1", "found_stage": "production", "detected_at": "2026-01-05"}"#;
        let stray = format!("[{record},\n,{}]", record.replace("A-1", "A-2"));
        assert_eq!(
            findings_in("in.json", stray.as_bytes()),
            ["in.json:2: invalid JSON: there is no record before this comma (a stray comma?); remove it"]
        );
        let nul = b"id,title,found_stage,detected_at\nA-1,a\0b,production,2026-01-05\n";
        assert_eq!(
            findings_of(nul),
            ["in.csv:2: control characters: problem A-1: the title holds control characters (invisible codes such as ESC, NUL or a right-to-left override that a terminal or viewer acts on), which reports show as symbols such as \u{241b} or \u{fffd}; remove them where the value was typed or exported"]
        );
    }

    #[test]
    fn a_leading_quote_is_kept_in_files_import_did_not_write() {
        let hand =
            b"id,found_stage,detected_at\n-1,production,2026-01-05\n'-1,production,2026-01-05\n";
        assert_eq!(findings_of(hand), Vec::<String>::new());
        // The same ids written by `import` (every column, in its order) are one id.
        let mut writer = crate::output_csv::NativeWriter::new();
        for id in ["-1", "'-1"] {
            let mut row = RawRow::default();
            row.set(crate::model::raw::Field::Id, id);
            row.set(crate::model::raw::Field::FoundStage, "production");
            row.set(crate::model::raw::Field::DetectedAt, "2026-01-05");
            writer.write(&row);
        }
        let written = writer.finish();
        assert_eq!(findings_of(&written), Vec::<String>::new());
    }

    #[test]
    fn a_repeated_header_in_an_export_is_named_as_such() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/exports/jira-cloud.csv"
        );
        let export = std::fs::read_to_string(path).unwrap();
        let lines = export.lines().count();
        let joined = format!(
            "{export}{}",
            export.lines().take(2).collect::<Vec<_>>().join("\n")
        );
        let found = findings_in("jira.csv", joined.as_bytes());
        let repeated = format!("jira.csv:{}: repeated header:", lines + 1);
        assert!(found.iter().any(|f| f.starts_with(&repeated)), "{found:?}");
        assert!(!found.iter().any(|f| f.contains("Issue Type")), "{found:?}");
    }

    #[test]
    fn endless_zeros_stop_at_the_first_row() {
        // Like `check /dev/zero`: one line that never ends.
        let mut ingest = Ingest::new(&Config::default(), PeriodChoice::LatestFullQuarter);
        ingest
            .read_from("zero.csv", std::io::repeat(0), None)
            .unwrap();
        let found = &ingest.quality().findings;
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].line, found[0].reason), (1, "row too long"));
    }

    #[test]
    fn an_endless_json_record_stops_the_read_with_memory_bounded() {
        let record = r#"{"id": "A-1", "found_stage": "production", "detected_at": "2026-01-05"}"#;
        let long = format!(
            r#"{{"id": "{}"}}"#,
            "x".repeat(crate::input::records::MAX_RECORD_BYTES)
        );
        let array = format!("[{record},\n{long},\n{record}]");
        let lines = format!("{record}\n{long}\n{record}\n");
        for (name, bytes) in [("in.json", array), ("in.jsonl", lines)] {
            let found = findings_in(name, bytes.as_bytes());
            assert_eq!(found.len(), 1, "{name}: {found:?}");
            assert!(
                found[0].starts_with(&format!("{name}:2: record too long: this record is longer than 64 MiB, so it and the rest of the file were not read")),
                "{name}: {found:?}"
            );
        }
    }

    #[test]
    fn an_id_in_both_halves_is_read_again_in_one_go() {
        let bytes = rows(400, false, 380, "P-5,again,production,2025-03-01,code,1\n");
        let (halves, whole, joined) = both_ways(&bytes, 1 << 17);
        assert!(!joined);
        assert_eq!(halves, whole);
        assert!(halves.contains("problem P-5 appears again"));
    }

    #[test]
    fn a_quoted_value_across_the_middle_is_read_again_in_one_go() {
        let long = "line\n".repeat(400);
        let bytes = rows(
            300,
            false,
            150,
            &format!("Q-1,\"{long}\",production,2025-03-01,code,1\n"),
        );
        let (halves, whole, joined) = both_ways(&bytes, 1 << 17);
        assert!(!joined);
        assert_eq!(halves, whole);
    }
}
