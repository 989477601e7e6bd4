//! Ingestion: drives the readers, validates each row, counts it once by id, and feeds
//! the metrics engine and the Data quality tally as the rows stream past.

use std::collections::HashMap;

use anyhow::Result;

use crate::input::{self, Format, RowVisitor, Source};
use crate::metrics::{DataQuality, Engine, Metrics, PeriodChoice, Settings};
use crate::model::raw::{ColumnNames, RawRow};
use crate::model::validate::{Location, Validator};
use crate::model::{Config, Finding, Outcome, ProblemType};

/// Everything read so far.
pub struct Ingest {
    validator: Validator,
    engine: Engine,
    quality: DataQuality,
    /// Ids seen, with the file (index into `files`) and line of their first occurrence.
    seen: HashMap<Box<str>, (u32, u64)>,
    files: Vec<String>,
}

impl Ingest {
    pub fn new(config: &Config, choice: PeriodChoice) -> Ingest {
        let validator = Validator::new(config);
        let stages = validator.vocabulary.stages.len();
        Ingest {
            validator,
            engine: Engine::new(stages, choice, &config.sprints),
            quality: DataQuality::default(),
            seen: HashMap::new(),
            files: Vec::new(),
        }
    }

    /// Reads one input completely.
    pub fn read(&mut self, source: &Source, forced: Option<Format>) -> Result<()> {
        let name = source.display_name();
        self.quality
            .start_file(&name, forced.map_or("", Format::name));
        self.files.push(name);
        let format = input::read(source, forced, self)?;
        if let Some(file) = self.quality.files.last_mut() {
            file.format = format.name().to_string();
        }
        Ok(())
    }

    /// Reads one input from bytes or any other reader, named `name` in findings.
    pub fn read_from(
        &mut self,
        name: &str,
        input: impl std::io::Read,
        forced: Option<Format>,
    ) -> Result<()> {
        self.quality
            .start_file(name, forced.map_or("", Format::name));
        self.files.push(name.to_string());
        let format = input::read_from(name, None, input, forced, self)?;
        if let Some(file) = self.quality.files.last_mut() {
            file.format = format.name().to_string();
        }
        Ok(())
    }

    pub fn quality(&self) -> &DataQuality {
        &self.quality
    }

    pub fn finish(self, settings: &Settings) -> Metrics {
        self.engine.finish(settings, self.quality)
    }
}

impl RowVisitor for Ingest {
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
        if let Some(&(first_file, first_line)) = self.seen.get(problem.id.as_ref()) {
            let first = &self.files[first_file as usize];
            let finding = at.finding(
                Some(crate::model::raw::Field::Id),
                Outcome::Duplicate,
                "duplicate id",
                format!(
                    "problem {} appears again (first at {first}:{first_line}); counted once, as first seen",
                    problem.id
                ),
            );
            quality.add_finding(finding);
            quality.record_duplicate();
            return;
        }
        self.seen
            .insert(problem.id.as_ref().into(), (file_index as u32, line));
        quality.record_used();
        if problem.escaped {
            quality.unclassified += u64::from(problem.kind == Some(ProblemType::Unclassified));
            quality.to_verify += u64::from(problem.to_verify);
            quality.estimated_costs += u64::from(problem.cost.is_some_and(|c| c.estimated));
        }
        self.engine.add(&problem);
    }

    fn bad_row(&mut self, finding: Finding) {
        self.quality.add_finding(finding);
        self.quality.record_skipped();
    }

    fn finding(&mut self, finding: Finding) {
        self.quality.add_finding(finding);
    }
}

/// Reads every source and computes the metrics in one pass.
pub fn compute(
    config: &Config,
    settings: &Settings,
    choice: PeriodChoice,
    sources: &[Source],
    forced: Option<Format>,
) -> Result<Metrics> {
    let mut ingest = Ingest::new(config, choice);
    for source in sources {
        ingest.read(source, forced)?;
    }
    Ok(ingest.finish(settings))
}
