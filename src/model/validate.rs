//! Validation: turns a [`RawRow`] into a [`Problem`], reporting every value it had to
//! reject or repair as a [`Finding`].

use std::borrow::Cow;

use super::config::Config;
use super::finding::{shown, visible, Finding, Outcome};
use super::problem::{Cost, Mechanism, OriginStage, Problem, ProblemType};
use super::raw::{ColumnNames, Field, RawRow};
use super::time::{parse_timestamp_memo, DateMemo};
use super::vocabulary::{find_word, parse_bool, Vocabulary};

/// Numbers from these up are taken for typing mistakes: a million hours is over a
/// hundred person-years for one problem (ten times the largest estimate the
/// configuration accepts), ten million minutes of downtime nineteen years, and a
/// trillion customers more than there are people.
const MAX_HOURS: f64 = 1e6;
const MAX_MINUTES: f64 = 1e7;
const MAX_CUSTOMERS: f64 = 1e12;

/// Text values (id, title, release, component, team, source) of more characters than
/// this are taken for a broken export: trackers keep far less in one field (GitHub
/// holds at most 65 536 characters in an issue's body, Jira 32 767 in a text field,
/// and titles stop at 255), while a quote out of place in a CSV file runs rows into one
/// value until the next quote.
pub const LONG_TEXT_CHARS: usize = 1 << 16;

/// Where a row came from, for findings.
#[derive(Debug, Clone, Copy)]
pub struct Location<'a> {
    pub file: &'a str,
    pub line: u64,
    pub columns: &'a ColumnNames,
}

impl Location<'_> {
    pub fn finding(
        &self,
        field: Option<Field>,
        outcome: Outcome,
        reason: &'static str,
        message: String,
    ) -> Finding {
        Finding {
            file: self.file.to_string(),
            line: self.line,
            column: field.map(|f| self.columns.get(f)),
            message,
            outcome,
            reason,
        }
    }
}

/// Validates rows against the configured vocabulary and cost model.
#[derive(Debug, Clone)]
pub struct Validator {
    pub vocabulary: Vocabulary,
    cost_model: super::config::CostModel,
    stage_list: String,
    /// The last dates of detected_at, introduced_at and resolved_at.
    dates: [DateMemo; 3],
}

impl Validator {
    pub fn new(config: &Config) -> Validator {
        let vocabulary = Vocabulary::new(config);
        let stage_list = config.stages.order.join(", ");
        Validator {
            vocabulary,
            cost_model: config.cost.model,
            stage_list,
            dates: Default::default(),
        }
    }

    /// Returns the problem, or `None` when the row must be skipped; either way every
    /// finding goes to `report`.
    pub fn validate<'a>(
        &self,
        row: &'a RawRow<'_>,
        at: &Location<'_>,
        report: &mut dyn FnMut(Finding),
    ) -> Option<Problem<'a>> {
        let mut skip = |field: Field, reason: &'static str, message: String| {
            report(at.finding(Some(field), Outcome::Skipped, reason, message));
        };
        let Some(id) = row.get(Field::Id) else {
            skip(
                Field::Id,
                "missing id",
                "the row has no id; give every problem a unique id (the key in your tracker), or remove the row".into(),
            );
            return None;
        };
        let found_stage = match row.get(Field::FoundStage) {
            None => {
                skip(
                    Field::FoundStage,
                    "missing found_stage",
                    format!(
                        "problem {id} has no found stage; fill in where it was found ({})",
                        self.stage_list,
                        id = shown(id)
                    ),
                );
                return None;
            }
            Some(value) => match self.vocabulary.stage(value) {
                Some(stage) => stage,
                None => {
                    skip(
                        Field::FoundStage,
                        "unknown found_stage",
                        format!(
                            "problem {id}: unknown stage '{value}'; use one of {}, or add it to [stages] order or [stages.synonyms] in escape-report.toml",
                            self.stage_list, id = shown(id), value = shown(value)),
                    );
                    return None;
                }
            },
        };
        let detected_at = match row.get(Field::DetectedAt) {
            None => {
                skip(
                    Field::DetectedAt,
                    "missing detected_at",
                    format!("problem {id} has no detection time; fill in when it was found, e.g. 2025-11-23 or 2025-11-23T09:50:00Z", id = shown(id)),
                );
                return None;
            }
            Some(value) => match parse_timestamp_memo(value, &self.dates[0]) {
                Some(t) => t,
                None => {
                    skip(
                        Field::DetectedAt,
                        "invalid detected_at",
                        format!("problem {id}: '{value}' is not a date; write it as 2025-11-23 or 2025-11-23T09:50:00Z (naive times are UTC)", id = shown(id), value = shown(value)),
                    );
                    return None;
                }
            },
        };

        let mut repair = |field: Field, reason: &'static str, message: String| {
            report(at.finding(Some(field), Outcome::Repaired, reason, message));
        };
        let escaped = found_stage >= self.vocabulary.boundary;
        let kind = match row.get(Field::Type) {
            None => escaped.then_some(ProblemType::Unclassified),
            Some(value) => match self.vocabulary.problem_type(value) {
                Some(t) => escaped.then_some(t),
                None => {
                    repair(
                        Field::Type,
                        "unknown type",
                        format!(
                            "problem {id}: unknown type '{value}', counted as unclassified; use code, infra, integration, regression or unclassified, or add a synonym under [types.synonyms]", id = shown(id), value = shown(value)),
                    );
                    escaped.then_some(ProblemType::Unclassified)
                }
            },
        };
        // The checks below take a value that is there: the test for an empty cell stays
        // at the call, inline, and the closure is called only with a value (most optional
        // cells are empty; at 1 M rows this, with one move fewer of the problem, took
        // 87 M instructions off, cachegrind).
        let mut flag = |field: Field, value: &str| -> bool {
            parse_bool(value).unwrap_or_else(|| {
                repair(
                    field,
                    "invalid boolean",
                    format!(
                        "problem {id}: '{value}' is not true/false/yes/no/1/0; taken as false",
                        id = shown(id),
                        value = shown(value)
                    ),
                );
                false
            })
        };
        let to_verify = row
            .get(Field::ToVerify)
            .is_some_and(|v| flag(Field::ToVerify, v));
        let reopened = row
            .get(Field::Reopened)
            .is_some_and(|v| flag(Field::Reopened, v));
        let severity = row.get(Field::Severity).and_then(|value| {
            self.vocabulary.severity(value).or_else(|| {
                repair(
                    Field::Severity,
                    "unknown severity",
                    format!("problem {id}: unknown severity '{value}', counted as without severity; use P0..P4 or add a synonym under [severity.synonyms]", id = shown(id), value = shown(value)),
                );
                None
            })
        });
        let origin_stage = row.get(Field::OriginStage).and_then(|value| {
            find_word(&OriginStage::ALL, OriginStage::as_str, value).or_else(|| {
                repair(
                    Field::OriginStage,
                    "unknown origin_stage",
                    format!("problem {id}: unknown origin stage '{value}', ignored; use requirements, design, code, configuration, environment or data", id = shown(id), value = shown(value)),
                );
                None
            })
        });
        let mechanism =
            row.get(Field::EscapeMechanism).and_then(|value| {
                find_word(&Mechanism::ALL, Mechanism::as_str, value).or_else(|| {
                    let names: Vec<&str> = Mechanism::ALL.iter().map(|m| m.as_str()).collect();
                    repair(
                        Field::EscapeMechanism,
                        "unknown escape_mechanism",
                        format!(
                        "problem {id}: unknown escape mechanism '{value}', ignored; use one of {}",
                        names.join(", "), id = shown(id), value = shown(value)),
                    );
                    None
                })
            });
        let mut time = |field: Field, memo: &DateMemo, value: &str| {
            parse_timestamp_memo(value, memo).or_else(|| {
                repair(
                    field,
                    "invalid timestamp",
                    format!("problem {id}: '{value}' is not a date, ignored; write it as 2025-11-23 or 2025-11-23T09:50:00Z", id = shown(id), value = shown(value)),
                );
                None
            })
        };
        let mut introduced_at = row
            .get(Field::IntroducedAt)
            .and_then(|v| time(Field::IntroducedAt, &self.dates[1], v));
        let mut resolved_at = row
            .get(Field::ResolvedAt)
            .and_then(|v| time(Field::ResolvedAt, &self.dates[2], v));
        if introduced_at.is_some_and(|t| t > detected_at) {
            repair(
                Field::IntroducedAt,
                "introduced after detected",
                format!(
                    "problem {id} was introduced after it was detected; introduced_at ignored",
                    id = shown(id)
                ),
            );
            introduced_at = None;
        }
        if resolved_at.is_some_and(|t| t < detected_at) {
            repair(
                Field::ResolvedAt,
                "resolved before detected",
                format!(
                    "problem {id} was resolved before it was detected; resolved_at ignored",
                    id = shown(id)
                ),
            );
            resolved_at = None;
        }
        let mut parse_number = |field: Field, value: &str| -> Option<f64> {
            let (unit, max, limit) = match field {
                Field::DowntimeMinutes => ("minutes like 30 or 90", MAX_MINUTES, "10^7 minutes"),
                Field::CustomersAffected => ("a count like 12", MAX_CUSTOMERS, "10^12"),
                _ => ("hours like 4 or 2.5", MAX_HOURS, "10^6 hours"),
            };
            match value.parse::<f64>() {
                Ok(n) if (0.0..max).contains(&n) => Some(n),
                Ok(n) if n < 0.0 => {
                    repair(
                        field,
                        "negative number",
                        format!(
                            "problem {id}: negative value {value}, ignored",
                            id = shown(id),
                            value = shown(value)
                        ),
                    );
                    None
                }
                Ok(n) if n.is_finite() => {
                    repair(
                        field,
                        "implausible number",
                        format!("problem {id}: {value} is implausibly large ({limit} or more), ignored; write {unit}", id = shown(id), value = shown(value)),
                    );
                    None
                }
                Ok(_) => {
                    repair(
                        field,
                        "invalid number",
                        format!(
                            "problem {id}: '{value}' is not a finite number, ignored; write {unit}",
                            id = shown(id),
                            value = shown(value)
                        ),
                    );
                    None
                }
                Err(_) => {
                    repair(
                        field,
                        "invalid number",
                        format!(
                            "problem {id}: '{value}' is not a number, ignored; write {unit}",
                            id = shown(id),
                            value = shown(value)
                        ),
                    );
                    None
                }
            }
        };
        let mut number = |field: Field| row.get(field).and_then(|v| parse_number(field, v));
        let cost_hours = number(Field::CostHours);
        let roles = [
            number(Field::DevHours),
            number(Field::QaHours),
            number(Field::DevopsHours),
            number(Field::PmHours),
        ];
        let downtime_minutes = number(Field::DowntimeMinutes);
        let customers_affected = number(Field::CustomersAffected).map(|n| n.round() as u64);
        let cost = kind.map(|kind| {
            if let Some(hours) = cost_hours {
                Cost {
                    hours,
                    estimated: false,
                }
            } else if roles.iter().any(Option::is_some) {
                Cost {
                    hours: roles.iter().flatten().sum(),
                    estimated: false,
                }
            } else {
                Cost {
                    hours: self.cost_model.hours(kind),
                    estimated: true,
                }
            }
        });
        let text = |field: Field| row.get(field).map(Cow::Borrowed);
        // Built in the value returned, so that it is not copied into it.
        let mut problem = Some(Problem {
            id: Cow::Borrowed(id),
            title: text(Field::Title).unwrap_or_default(),
            found_stage,
            escaped,
            kind,
            to_verify,
            origin_stage,
            severity,
            release: text(Field::Release),
            component: text(Field::Component),
            team: text(Field::Team),
            source: text(Field::Source),
            detected_at,
            introduced_at,
            resolved_at,
            cost,
            downtime_minutes,
            customers_affected,
            mechanism,
            reopened,
            likely_regression: false,
        });
        if let (false, Some(problem)) = (row.plain, &mut problem) {
            make_visible(problem, at, report);
            flag_long_text(problem, at, report);
        }
        problem
    }
}

/// A finding for each text value of more than [`LONG_TEXT_CHARS`] characters. The value
/// is kept whole (the metrics and `import` carry it); reports show its start. Off the
/// common path, with [`make_visible`]: a reader marks a row plain only when the whole
/// record is shorter than that.
#[cold]
fn flag_long_text(problem: &Problem<'_>, at: &Location<'_>, report: &mut dyn FnMut(Finding)) {
    let values = [
        (Field::Id, Some(&problem.id)),
        (Field::Title, Some(&problem.title)),
        (Field::Release, problem.release.as_ref()),
        (Field::Component, problem.component.as_ref()),
        (Field::Team, problem.team.as_ref()),
        (Field::Source, problem.source.as_ref()),
    ];
    for (field, value) in values {
        // A character takes at least one byte: only a value this long in bytes is
        // counted.
        let Some(value) = value.filter(|v| v.len() > LONG_TEXT_CHARS) else {
            continue;
        };
        let chars = value.chars().count();
        if chars > LONG_TEXT_CHARS {
            report(at.finding(
                Some(field),
                Outcome::Repaired,
                "implausibly long text",
                format!(
                    "problem {id}: the {field} is {chars} characters long, more than a tracker keeps in one field; it is kept, and reports show only its start. A quote out of place in the export runs the rows after it into one value: check this row and the quotes before it, and export again",
                    field = field.name(),
                    id = shown(&problem.id)
                ),
            ));
        }
    }
}

/// Replaces the control characters in the problem's text (see [`visible`]), with a
/// finding for each value changed. Off the common path: readers mark rows they checked.
#[cold]
fn make_visible(problem: &mut Problem<'_>, at: &Location<'_>, report: &mut dyn FnMut(Finding)) {
    // Borrowed from the row, as a rule: no copy.
    let id = problem.id.clone();
    let mut fix = |field: Field, value: &mut Cow<'_, str>| {
        if let Cow::Owned(changed) = visible(value) {
            *value = Cow::Owned(changed);
            report(at.finding(
                Some(field),
                Outcome::Repaired,
                "control characters",
                format!(
                    "problem {id}: the {} holds control characters (invisible codes such as ESC, NUL or a right-to-left override that a terminal or viewer acts on), which reports show as symbols such as ␛ or �; remove them where the value was typed or exported",
                    field.name(),
                    id = shown(&id)
                ),
            ));
        }
    };
    fix(Field::Id, &mut problem.id);
    fix(Field::Title, &mut problem.title);
    for (field, value) in [
        (Field::Release, &mut problem.release),
        (Field::Component, &mut problem.component),
        (Field::Team, &mut problem.team),
        (Field::Source, &mut problem.source),
    ] {
        if let Some(value) = value {
            fix(field, value);
        }
    }
}
