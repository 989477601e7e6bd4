//! Ingestion: drives the readers, validates each row, counts it once by id, and feeds
//! the metrics engine and the Data quality tally as the rows stream past.

use std::collections::BTreeMap;

use crate::ids::{IdSet, Seen};

use anyhow::Result;

use crate::input::rules::Classifier;
use crate::input::{self, Format, ReadContext, RowVisitor, Source};
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
        let mut all = Vec::new();
        for source in sources {
            let read = crate::input::deployments::read(
                source,
                &self.rules,
                &config.deployments.production_environments,
            )?;
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
        Ok(())
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
        let file_index = self.files.len() - 1;
        let file = &self.files[file_index];
        let at = Location {
            file,
            line,
            columns,
        };
        let quality = &mut self.quality;
        let problem = self
            .validator
            .validate(row, &at, &mut |f| quality.add_finding(f));
        let Some(problem) = problem else {
            quality.record_skipped();
            return;
        };
        if let Seen::Again(first) = self
            .seen
            .insert(problem.id.as_ref(), (file_index as u32, line))
        {
            let first = first
                .map(|(f, l)| format!(" (first at {}:{l})", self.files[f as usize]))
                .unwrap_or_default();
            let finding = at.finding(
                Some(crate::model::raw::Field::Id),
                Outcome::Duplicate,
                "duplicate id",
                format!(
                    "problem {} appears again{first}; counted once, as first seen",
                    problem.id
                ),
            );
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
        let mut problem = problem;
        match &mut self.export {
            Some(writer) => writer.write(row),
            None => self.engine.add(&mut problem),
        }
    }

    fn bad_row(&mut self, finding: Finding) {
        self.quality.add_finding(finding);
        self.quality.record_skipped();
    }

    fn finding(&mut self, finding: Finding) {
        self.quality.add_finding(finding);
    }
}
