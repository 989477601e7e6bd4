//! The Data quality tally: what was read, used, skipped and repaired, per file and in
//! total, with every finding. `rows_read = rows_used + rows_skipped + duplicates` holds
//! per file and in total by construction.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::model::{Finding, Outcome};

/// At most this many findings are kept for listing; all of them are counted.
pub const MAX_LISTED_FINDINGS: usize = 10_000;

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct FileQuality {
    pub file: String,
    /// The format the file was read as.
    pub format: String,
    pub rows_read: u64,
    pub rows_used: u64,
    pub rows_skipped: u64,
    pub duplicates: u64,
}

/// What a deployments file gave: rows read, deployments used (production or not), rows
/// skipped for a finding, and how many of the used ones were to production.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct DeploymentFileQuality {
    pub file: String,
    pub rows_read: u64,
    pub rows_used: u64,
    pub rows_skipped: u64,
    pub production: u64,
}

/// Counts and findings over everything read, not only the selected period.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct DataQuality {
    pub rows_read: u64,
    pub rows_used: u64,
    pub rows_skipped: u64,
    pub duplicates: u64,
    /// Escaped problems without a known type.
    pub unclassified: u64,
    /// Escaped problems whose type is marked as not yet confirmed.
    pub to_verify: u64,
    /// Escaped problems whose cost came from the cost model.
    pub estimated_costs: u64,
    /// Rows skipped, by reason.
    pub skipped_by_reason: BTreeMap<String, u64>,
    /// Values ignored or replaced in rows that were used, by reason.
    pub repaired_by_reason: BTreeMap<String, u64>,
    pub files: Vec<FileQuality>,
    /// The deployments files (`--deployments`), which are not problem rows and so are
    /// not in the totals above.
    pub deployment_files: Vec<DeploymentFileQuality>,
    /// How many findings there were; `findings` lists the first [`MAX_LISTED_FINDINGS`]
    /// and, past them, every fatal one (a file that could not be read is never left out).
    pub findings_total: u64,
    pub findings: Vec<Finding>,
}

impl DataQuality {
    /// Starts counting a new file; later counts go to it.
    pub fn start_file(&mut self, file: &str, format: &str) {
        self.files.push(FileQuality {
            file: file.to_string(),
            format: format.to_string(),
            ..FileQuality::default()
        });
    }

    fn file(&mut self) -> &mut FileQuality {
        if self.files.is_empty() {
            self.start_file("-", "csv");
        }
        self.files.last_mut().expect("a file was just started")
    }

    pub fn record_used(&mut self) {
        self.rows_read += 1;
        self.rows_used += 1;
        let f = self.file();
        f.rows_read += 1;
        f.rows_used += 1;
    }

    pub fn record_skipped(&mut self) {
        self.rows_read += 1;
        self.rows_skipped += 1;
        let f = self.file();
        f.rows_read += 1;
        f.rows_skipped += 1;
    }

    pub fn record_duplicate(&mut self) {
        self.rows_read += 1;
        self.duplicates += 1;
        let f = self.file();
        f.rows_read += 1;
        f.duplicates += 1;
    }

    /// Keeps a finding and counts it under its reason.
    pub fn add_finding(&mut self, finding: Finding) {
        let by_reason = match finding.outcome {
            Outcome::Skipped | Outcome::Fatal => Some(&mut self.skipped_by_reason),
            Outcome::Repaired => Some(&mut self.repaired_by_reason),
            Outcome::Duplicate => None,
        };
        if let Some(map) = by_reason {
            *map.entry(finding.reason.to_string()).or_default() += 1;
        }
        self.findings_total += 1;
        if self.findings.len() < MAX_LISTED_FINDINGS || finding.outcome == Outcome::Fatal {
            self.findings.push(finding);
        }
    }

    /// Adds the counts and findings of `other`, which read the later part of this
    /// tally's current file.
    pub fn absorb(&mut self, other: DataQuality) {
        self.rows_read += other.rows_read;
        self.rows_used += other.rows_used;
        self.rows_skipped += other.rows_skipped;
        self.duplicates += other.duplicates;
        self.unclassified += other.unclassified;
        self.to_verify += other.to_verify;
        self.estimated_costs += other.estimated_costs;
        for (mine, theirs) in [
            (&mut self.skipped_by_reason, other.skipped_by_reason),
            (&mut self.repaired_by_reason, other.repaired_by_reason),
        ] {
            for (reason, n) in theirs {
                *mine.entry(reason).or_default() += n;
            }
        }
        let f = self.file();
        for theirs in &other.files {
            f.rows_read += theirs.rows_read;
            f.rows_used += theirs.rows_used;
            f.rows_skipped += theirs.rows_skipped;
            f.duplicates += theirs.duplicates;
        }
        self.findings_total += other.findings_total;
        let room = MAX_LISTED_FINDINGS.saturating_sub(self.findings.len());
        let kept = (other.findings.into_iter().enumerate())
            .filter(|(i, f)| *i < room || f.outcome == Outcome::Fatal);
        self.findings.extend(kept.map(|(_, f)| f));
    }

    /// True when a row was rejected or a file could not be read: `check` fails on these.
    pub fn has_errors(&self) -> bool {
        self.rows_skipped > 0
            || self
                .findings
                .iter()
                .any(|f| matches!(f.outcome, Outcome::Fatal | Outcome::Skipped))
    }
}
