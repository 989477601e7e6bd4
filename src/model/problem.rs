//! The validated record: a `Problem` exists only after its row passed validation.

use std::borrow::Cow;

use serde::Serialize;

/// What kind of escaped problem this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ProblemType {
    Code,
    Infra,
    Integration,
    Regression,
    Unclassified,
}

impl ProblemType {
    pub const ALL: [ProblemType; 5] = [
        ProblemType::Code,
        ProblemType::Infra,
        ProblemType::Integration,
        ProblemType::Regression,
        ProblemType::Unclassified,
    ];

    /// The name used in JSON, configuration and tables.
    pub fn as_str(self) -> &'static str {
        match self {
            ProblemType::Code => "code",
            ProblemType::Infra => "infra",
            ProblemType::Integration => "integration",
            ProblemType::Regression => "regression",
            ProblemType::Unclassified => "unclassified",
        }
    }

    /// Position in [`ProblemType::ALL`], for per-type arrays.
    pub fn index(self) -> usize {
        self as usize
    }

    /// Parses an already normalized (trimmed, lower-case) canonical name.
    pub fn from_canonical(name: &str) -> Option<ProblemType> {
        ProblemType::ALL.into_iter().find(|t| t.as_str() == name)
    }
}

/// P0 (worst) to P4.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Severity {
    P0,
    P1,
    P2,
    P3,
    P4,
}

impl Severity {
    pub const ALL: [Severity; 5] = [
        Severity::P0,
        Severity::P1,
        Severity::P2,
        Severity::P3,
        Severity::P4,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::P0 => "P0",
            Severity::P1 => "P1",
            Severity::P2 => "P2",
            Severity::P3 => "P3",
            Severity::P4 => "P4",
        }
    }

    /// Parses an already normalized (trimmed, lower-case) `p0`..`p4`.
    pub fn from_canonical(name: &str) -> Option<Severity> {
        Severity::ALL
            .into_iter()
            .find(|s| s.as_str().eq_ignore_ascii_case(name))
    }
}

/// Why an escaped problem got past the earlier stages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Mechanism {
    NoTest,
    IneffectiveTest,
    UnrepresentativeData,
    EnvironmentMismatch,
    RequirementAmbiguity,
    ReviewMissed,
    FlakyOrSkipped,
}

impl Mechanism {
    pub const ALL: [Mechanism; 7] = [
        Mechanism::NoTest,
        Mechanism::IneffectiveTest,
        Mechanism::UnrepresentativeData,
        Mechanism::EnvironmentMismatch,
        Mechanism::RequirementAmbiguity,
        Mechanism::ReviewMissed,
        Mechanism::FlakyOrSkipped,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Mechanism::NoTest => "no_test",
            Mechanism::IneffectiveTest => "ineffective_test",
            Mechanism::UnrepresentativeData => "unrepresentative_data",
            Mechanism::EnvironmentMismatch => "environment_mismatch",
            Mechanism::RequirementAmbiguity => "requirement_ambiguity",
            Mechanism::ReviewMissed => "review_missed",
            Mechanism::FlakyOrSkipped => "flaky_or_skipped",
        }
    }

    pub fn index(self) -> usize {
        self as usize
    }
}

/// Where a problem was introduced (root cause), kept apart from where it was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OriginStage {
    Requirements,
    Design,
    Code,
    Configuration,
    Environment,
    Data,
}

impl OriginStage {
    pub const ALL: [OriginStage; 6] = [
        OriginStage::Requirements,
        OriginStage::Design,
        OriginStage::Code,
        OriginStage::Configuration,
        OriginStage::Environment,
        OriginStage::Data,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OriginStage::Requirements => "requirements",
            OriginStage::Design => "design",
            OriginStage::Code => "code",
            OriginStage::Configuration => "configuration",
            OriginStage::Environment => "environment",
            OriginStage::Data => "data",
        }
    }
}

/// Hours spent on a problem and whether they were logged or estimated from the cost model.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cost {
    pub hours: f64,
    pub estimated: bool,
}

/// One validated problem, borrowing its text from the row it was read from.
/// Timestamps are microseconds since the Unix epoch, UTC.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem<'a> {
    pub id: Cow<'a, str>,
    pub title: Cow<'a, str>,
    /// Index into the configured stage order.
    pub found_stage: usize,
    pub escaped: bool,
    /// The type of an escaped problem (`Unclassified` when none was given); `None` before release.
    pub kind: Option<ProblemType>,
    pub to_verify: bool,
    pub origin_stage: Option<OriginStage>,
    pub severity: Option<Severity>,
    pub release: Option<Cow<'a, str>>,
    pub component: Option<Cow<'a, str>>,
    pub team: Option<Cow<'a, str>>,
    pub source: Option<Cow<'a, str>>,
    pub detected_at: i64,
    pub introduced_at: Option<i64>,
    pub resolved_at: Option<i64>,
    /// Cost of an escaped problem; pre-release problems carry none.
    pub cost: Option<Cost>,
    pub downtime_minutes: Option<f64>,
    pub customers_affected: Option<u64>,
    pub mechanism: Option<Mechanism>,
    pub reopened: bool,
    /// Untyped and detected soon after a production deployment (set by attribution).
    pub likely_regression: bool,
}
