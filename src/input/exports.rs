//! Real exports read as CSV: Jira, PagerDuty, Zendesk, Freshdesk, and any tool through
//! a `[import.mapping.NAME]`. Each maps one record onto the native columns, so
//! validation, duplicates and Data quality work the same for every source.

use std::borrow::Cow;
use std::collections::BTreeMap;

use crate::model::finding::shown;
use crate::model::import_config::Mapping;
use crate::model::raw::{ColumnNames, Field, RawRow};

use super::rules::Classifier;

/// What a record of an export becomes. Made and consumed once per record, so the row is
/// not boxed.
#[allow(clippy::large_enum_variant)]
pub enum Mapped<'r> {
    Row(RawRow<'r>),
    /// Not a problem (a Story, a question ticket): counted as read and skipped.
    Skip {
        reason: &'static str,
        message: String,
    },
    /// Not a record at all (Jira Server's "Generated at … using JIRA" footer line): not
    /// counted.
    NotARecord,
}

/// The kinds of CSV escape-report recognises from their header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CsvKind {
    Native,
    Jira,
    PagerDuty,
    Zendesk,
    Freshdesk,
    Mapping(String),
}

impl CsvKind {
    pub fn name(&self) -> String {
        match self {
            CsvKind::Native => "csv".into(),
            CsvKind::Jira => "jira".into(),
            CsvKind::PagerDuty => "pagerduty".into(),
            CsvKind::Zendesk => "zendesk".into(),
            CsvKind::Freshdesk => "freshdesk".into(),
            CsvKind::Mapping(name) => format!("mapping:{name}"),
        }
    }
}

fn key(header: &str) -> String {
    header
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '_'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// Recognises an export from its (alias-resolved) header names.
pub fn detect(headers: &[String], mappings: &BTreeMap<String, Mapping>) -> CsvKind {
    let keys: Vec<String> = headers.iter().map(|h| key(h)).collect();
    let has = |k: &str| keys.iter().any(|x| x == k);
    if has("foundstage") && has("detectedat") && has("id") {
        return CsvKind::Native;
    }
    if (has("issuekey") || has("key")) && has("issuetype") && has("summary") {
        return CsvKind::Jira;
    }
    if has("incidentnumber") && (has("urgency") || has("servicename")) {
        return CsvKind::PagerDuty;
    }
    if has("ticketid") && has("subject") && (has("createdtime") || has("resolvedtime")) {
        return CsvKind::Freshdesk;
    }
    if has("subject") && has("id") && (has("requester") || has("via") || has("solvedat")) {
        return CsvKind::Zendesk;
    }
    for (name, mapping) in mappings {
        if !mapping.columns.is_empty() && mapping.columns.values().all(|c| has(&key(c))) {
            return CsvKind::Mapping(name.clone());
        }
    }
    CsvKind::Native
}

/// The decoded cells of one record.
pub struct Cells<'r> {
    pub values: Vec<Cow<'r, str>>,
}

impl<'r> Cells<'r> {
    fn get(&self, i: Option<usize>) -> Option<&str> {
        let v = self.values.get(i?)?.trim();
        (!v.is_empty()).then_some(v)
    }

    fn all(&self, indices: &[usize]) -> Vec<&str> {
        indices.iter().filter_map(|i| self.get(Some(*i))).collect()
    }
}

/// Column positions found in the header.
struct Columns {
    keys: Vec<String>,
}

impl Columns {
    fn one(&self, names: &[&str]) -> Option<usize> {
        names
            .iter()
            .find_map(|n| self.keys.iter().position(|k| *k == key(n)))
    }

    fn many(&self, names: &[&str]) -> Vec<usize> {
        let wanted: Vec<String> = names.iter().map(|n| key(n)).collect();
        (0..self.keys.len())
            .filter(|i| wanted.contains(&self.keys[*i]))
            .collect()
    }

    fn matching(&self, test: impl Fn(&str) -> bool) -> Vec<usize> {
        (0..self.keys.len())
            .filter(|i| test(&self.keys[*i]))
            .collect()
    }
}

/// Maps the records of one export file.
pub struct Mapper {
    kind: CsvKind,
    columns: Columns,
    // Positions, by meaning; which are used depends on the kind.
    id: Option<usize>,
    title: Option<usize>,
    issue_type: Option<usize>,
    priority: Option<usize>,
    urgency: Option<usize>,
    created: Option<usize>,
    resolved: Option<usize>,
    environment: Option<usize>,
    status: Option<usize>,
    labels: Vec<usize>,
    components: Vec<usize>,
    affects: Vec<usize>,
    found_in: Vec<usize>,
    team: Option<usize>,
    time_spent: Option<usize>,
    service: Option<usize>,
    mapping: Option<Mapping>,
}

impl Mapper {
    pub fn new(kind: CsvKind, headers: &[String], mappings: &BTreeMap<String, Mapping>) -> Mapper {
        let columns = Columns {
            keys: headers.iter().map(|h| key(h)).collect(),
        };
        let c = &columns;
        let mut m = Mapper {
            id: None,
            title: None,
            issue_type: None,
            priority: None,
            urgency: None,
            created: None,
            resolved: None,
            environment: None,
            status: None,
            labels: Vec::new(),
            components: Vec::new(),
            affects: Vec::new(),
            found_in: Vec::new(),
            team: None,
            time_spent: None,
            service: None,
            mapping: None,
            kind: kind.clone(),
            columns: Columns { keys: Vec::new() },
        };
        match kind {
            CsvKind::Jira => {
                m.id = c.one(&["Issue key", "Key"]);
                m.title = c.one(&["Summary"]);
                m.issue_type = c.one(&["Issue Type"]);
                m.priority = c.one(&["Priority"]);
                m.created = c.one(&["Created"]);
                m.resolved = c.one(&["Resolved", "Resolution Date"]);
                m.environment = c.one(&["Environment"]);
                m.status = c.one(&["Status"]);
                m.labels = c.many(&["Labels"]);
                m.components = c.many(&["Components", "Component/s"]);
                m.affects = c.many(&["Affects versions", "Affects Version/s"]);
                m.found_in = c.matching(|k| {
                    k.starts_with("customfield")
                        && (k.contains("found")
                            || k.contains("stage")
                            || k.contains("environment")
                            || k.contains("detected"))
                });
                m.team = c.one(&["Team", "Custom field (Team)"]);
                m.time_spent = c.one(&["Time Spent", "Σ Time Spent"]);
            }
            CsvKind::PagerDuty => {
                m.id = c.one(&["incident_number"]);
                m.title = c.one(&["description", "title"]);
                m.priority = c.one(&["priority_name", "priority"]);
                m.urgency = c.one(&["urgency"]);
                m.created = c.one(&["created_at"]);
                m.resolved = c.one(&["resolved_at"]);
                m.service = c.one(&["service_name"]);
                m.team = c.one(&["team_name"]);
            }
            CsvKind::Zendesk => {
                m.id = c.one(&["Id", "Ticket ID"]);
                m.title = c.one(&["Subject"]);
                m.issue_type = c.one(&["Ticket type", "Type"]);
                m.priority = c.one(&["Priority"]);
                m.created = c.one(&["Created at"]);
                m.resolved = c.one(&["Solved at"]);
                m.labels = c.many(&["Tags"]);
                m.components = c.many(&["Group", "Product"]);
            }
            CsvKind::Freshdesk => {
                m.id = c.one(&["Ticket ID"]);
                m.title = c.one(&["Subject"]);
                m.issue_type = c.one(&["Type"]);
                m.priority = c.one(&["Priority"]);
                m.created = c.one(&["Created time"]);
                m.resolved = c.one(&["Resolved time"]);
                m.labels = c.many(&["Tags"]);
                m.components = c.many(&["Product", "Group"]);
            }
            CsvKind::Mapping(ref name) => m.mapping = mappings.get(name).cloned(),
            CsvKind::Native => {}
        }
        m.columns = columns;
        m
    }

    /// How findings name the columns: the export's own header where a field comes from one.
    pub fn column_names(&self, headers: &[String]) -> ColumnNames {
        let mut names = ColumnNames::default();
        let mut set = |field: Field, i: Option<usize>| {
            if let Some(h) = i.and_then(|i| headers.get(i)) {
                names.0[field.index()] = Some(h.clone());
            }
        };
        set(Field::Id, self.id);
        set(Field::Title, self.title);
        set(Field::Severity, self.priority);
        set(Field::DetectedAt, self.created);
        set(Field::ResolvedAt, self.resolved);
        set(
            Field::Component,
            self.components.first().copied().or(self.service),
        );
        set(Field::Team, self.team);
        set(Field::Release, self.affects.first().copied());
        set(Field::CostHours, self.time_spent);
        if let Some(mapping) = &self.mapping {
            for (field, column) in &mapping.columns {
                if let Some(f) = Field::from_header(field) {
                    names.0[f.index()] = Some(column.clone());
                }
            }
        }
        names
    }

    /// What the export needs and lacks, for a clear error instead of skipping every row.
    pub fn missing(&self) -> Option<String> {
        match self.kind {
            CsvKind::Mapping(ref name) => {
                let Some(mapping) = self.mapping.as_ref() else {
                    return Some(format!("the configuration has no [import.mapping.{name}]"));
                };
                let absent: Vec<&String> = mapping
                    .columns
                    .values()
                    .filter(|c| self.columns.one(&[c.as_str()]).is_none())
                    .collect();
                (!absent.is_empty()).then(|| {
                    format!(
                        "mapping '{name}' names columns this file does not have: {}",
                        absent
                            .iter()
                            .map(|s| s.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                })
            }
            _ if self.id.is_none() => {
                Some(format!("the {} export has no id column", self.kind.name()))
            }
            _ if self.created.is_none() => Some(format!(
                "the {} export has no creation date column",
                self.kind.name()
            )),
            _ => None,
        }
    }

    pub fn map<'r>(&self, cells: &'r Cells<'r>, rules: &Classifier) -> Mapped<'r> {
        match self.kind {
            CsvKind::Jira => self.jira(cells, rules),
            CsvKind::PagerDuty => self.pagerduty(cells, rules),
            CsvKind::Zendesk | CsvKind::Freshdesk => self.support(cells, rules),
            CsvKind::Mapping(_) => self.generic(cells),
            CsvKind::Native => Mapped::NotARecord,
        }
    }

    fn date(row: &mut RawRow<'_>, field: Field, text: Option<&str>, rules: &Classifier) {
        if let Some(text) = text {
            // An unparseable date stays as written, so validation reports it.
            let value = rules.date(text).unwrap_or_else(|| text.to_string());
            row.set(field, value);
        }
    }

    fn jira<'r>(&self, cells: &'r Cells<'r>, rules: &Classifier) -> Mapped<'r> {
        if is_jira_footer(cells) {
            return Mapped::NotARecord;
        }
        let issue_type = cells.get(self.issue_type).unwrap_or("");
        if !issue_type.is_empty() && !rules.is_defect_type(issue_type) {
            return Mapped::Skip {
                reason: "not a defect",
                message: format!(
                    "{} is a {issue_type}, not a defect; add its type to [import] defect_issue_types to count it",
                    shown(cells.get(self.id).unwrap_or("this issue")),
                    issue_type = shown(issue_type),
                ),
            };
        }
        let mut row = RawRow::default();
        if let Some(id) = cells.get(self.id) {
            row.set(Field::Id, id);
        }
        if let Some(t) = cells.get(self.title) {
            row.set(Field::Title, t);
        }
        let labels = cells.all(&self.labels);
        let components = cells.all(&self.components);
        let found_in = cells.all(&self.found_in);
        let stage_texts = found_in
            .iter()
            .copied()
            .chain(cells.get(self.environment))
            .chain(labels.iter().copied())
            .chain(cells.get(self.status));
        let stage = rules.stage(stage_texts);
        let escaped_guess = stage.is_none();
        row.set(
            Field::FoundStage,
            stage.unwrap_or_else(|| rules.default_stage.clone()),
        );
        let type_texts = labels
            .iter()
            .copied()
            .chain(components.iter().copied())
            .chain(found_in.iter().copied());
        match rules.problem_type(type_texts) {
            Some(t) => row.set(Field::Type, t),
            None => {
                if let Some(t) = rules.problem_type([issue_type]) {
                    row.set(Field::Type, t);
                }
                row.set(Field::ToVerify, "true");
            }
        }
        if escaped_guess {
            row.set(Field::ToVerify, "true");
        }
        if let Some(p) = cells.get(self.priority) {
            row.set(Field::Severity, p);
        }
        if let Some(r) = self.affects.iter().find_map(|i| cells.get(Some(*i))) {
            row.set(Field::Release, r);
        }
        if let Some(c) = components.first() {
            row.set(Field::Component, *c);
        }
        if let Some(t) = cells.get(self.team) {
            row.set(Field::Team, t);
        }
        if let Some(seconds) = cells
            .get(self.time_spent)
            .and_then(|s| s.parse::<f64>().ok())
        {
            row.set(Field::CostHours, format!("{}", seconds / 3600.0));
        }
        Self::date(&mut row, Field::DetectedAt, cells.get(self.created), rules);
        Self::date(&mut row, Field::ResolvedAt, cells.get(self.resolved), rules);
        row.set(Field::Source, "jira");
        Mapped::Row(row)
    }

    fn pagerduty<'r>(&self, cells: &'r Cells<'r>, rules: &Classifier) -> Mapped<'r> {
        let mut row = RawRow::default();
        if let Some(n) = cells.get(self.id) {
            row.set(Field::Id, format!("PD-{n}"));
        }
        let title = cells.get(self.title);
        if let Some(t) = title {
            row.set(Field::Title, t);
        }
        row.set(Field::FoundStage, "production");
        let service = cells.get(self.service);
        match rules.problem_type(title.into_iter().chain(service)) {
            Some(t) => row.set(Field::Type, t),
            None => row.set(Field::ToVerify, "true"),
        }
        if let Some(s) = pagerduty_severity(cells.get(self.priority), cells.get(self.urgency)) {
            row.set(Field::Severity, s);
        }
        if let Some(s) = service {
            row.set(Field::Component, s);
        }
        if let Some(t) = cells.get(self.team) {
            row.set(Field::Team, t);
        }
        Self::date(&mut row, Field::DetectedAt, cells.get(self.created), rules);
        Self::date(&mut row, Field::ResolvedAt, cells.get(self.resolved), rules);
        row.set(Field::Source, "pagerduty");
        Mapped::Row(row)
    }

    fn support<'r>(&self, cells: &'r Cells<'r>, rules: &Classifier) -> Mapped<'r> {
        let (prefix, source) = if self.kind == CsvKind::Zendesk {
            ("ZD", "zendesk")
        } else {
            ("FD", "freshdesk")
        };
        if let Some(kind) = cells.get(self.issue_type) {
            let k = kind.to_lowercase();
            if ["question", "task", "feature request", "feature", "request"].contains(&k.as_str()) {
                return Mapped::Skip {
                    reason: "not a defect",
                    message: format!(
                        "ticket {} is a {kind}, not a problem report",
                        shown(cells.get(self.id).unwrap_or("?")),
                        kind = shown(kind),
                    ),
                };
            }
        }
        let mut row = RawRow::default();
        if let Some(n) = cells.get(self.id) {
            row.set(Field::Id, format!("{prefix}-{n}"));
        }
        let title = cells.get(self.title);
        if let Some(t) = title {
            row.set(Field::Title, t);
        }
        row.set(Field::FoundStage, "production");
        // Tags are one cell of words separated by spaces or commas.
        let tags: Vec<&str> = cells
            .all(&self.labels)
            .into_iter()
            .flat_map(|t| t.split([' ', ',']))
            .filter(|t| !t.is_empty())
            .collect();
        match rules.problem_type(tags.iter().copied()) {
            Some(t) => row.set(Field::Type, t),
            None => row.set(Field::ToVerify, "true"),
        }
        if let Some(p) = cells.get(self.priority) {
            row.set(Field::Severity, support_severity(p));
        }
        if let Some(c) = cells.all(&self.components).first() {
            row.set(Field::Component, *c);
        }
        Self::date(&mut row, Field::DetectedAt, cells.get(self.created), rules);
        Self::date(&mut row, Field::ResolvedAt, cells.get(self.resolved), rules);
        row.set(Field::Source, source);
        Mapped::Row(row)
    }

    fn generic<'r>(&self, cells: &'r Cells<'r>) -> Mapped<'r> {
        let Some(mapping) = &self.mapping else {
            return Mapped::NotARecord;
        };
        let mut row = RawRow::default();
        for (field, column) in &mapping.columns {
            if let (Some(f), Some(v)) = (
                Field::from_header(field),
                cells.get(self.columns.one(&[column.as_str()])),
            ) {
                row.set(f, v);
            }
        }
        for (field, value) in &mapping.fixed {
            if let Some(f) = Field::from_header(field) {
                row.set(f, value.clone());
            }
        }
        Mapped::Row(row)
    }
}

/// Whether a record is the footer Jira Server puts under an export ("Generated at … by
/// Admin using JIRA 6.2.1…"): that text alone in the first cell, every other cell empty.
/// A summary that mentions Jira is an issue like any other.
fn is_jira_footer(cells: &Cells<'_>) -> bool {
    let Some((first, rest)) = cells.values.split_first() else {
        return false;
    };
    let first = first.trim();
    first.starts_with("Generated at ")
        && first.contains("JIRA")
        && rest.iter().all(|cell| cell.trim().is_empty())
}

/// PagerDuty priorities run P1 (worst) to P5; without one, urgency decides.
pub fn pagerduty_severity(priority: Option<&str>, urgency: Option<&str>) -> Option<&'static str> {
    if let Some(p) = priority {
        let p = p.trim().to_ascii_uppercase();
        return Some(match p.as_str() {
            "P1" | "SEV1" | "SEV-1" => "P0",
            "P2" | "SEV2" | "SEV-2" => "P1",
            "P3" | "SEV3" | "SEV-3" => "P2",
            "P4" | "SEV4" | "SEV-4" => "P3",
            "P5" | "SEV5" | "SEV-5" => "P4",
            _ => return urgency_severity(urgency),
        });
    }
    urgency_severity(urgency)
}

fn urgency_severity(urgency: Option<&str>) -> Option<&'static str> {
    match urgency?.trim().to_ascii_lowercase().as_str() {
        "high" => Some("P1"),
        "low" => Some("P3"),
        _ => None,
    }
}

/// Support desks say Urgent, High, Normal or Medium, Low.
fn support_severity(priority: &str) -> &str {
    match priority.trim().to_ascii_lowercase().as_str() {
        "urgent" => "P0",
        "high" => "P1",
        "normal" | "medium" => "P2",
        "low" => "P3",
        _ => priority,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cells<'a>(values: &[&'a str]) -> Cells<'a> {
        Cells {
            values: values.iter().map(|v| Cow::Borrowed(*v)).collect(),
        }
    }

    #[test]
    fn only_a_line_of_its_own_is_the_jira_footer() {
        let footer =
            "Generated at Sun Mar 23 10:00:00 UTC 2014 by Admin using JIRA 6.2.1#6261-sha1:abc.";
        assert!(is_jira_footer(&cells(&[footer])));
        // A spreadsheet that saved it again pads the line with empty cells.
        assert!(is_jira_footer(&cells(&[footer, "", " ", ""])));
        // Issues whose summary mentions Jira, in the first column or not.
        assert!(!is_jira_footer(&cells(&[footer, "SHOP-9", "Bug"])));
        assert!(!is_jira_footer(&cells(&[
            "Generated at night by JIRA cron",
            "SHOP-3"
        ])));
        assert!(!is_jira_footer(&cells(&[
            "Sync fails when using JIRA webhooks"
        ])));
        assert!(!is_jira_footer(&cells(&[])));
    }

    #[test]
    fn a_mapping_the_configuration_lacks_is_missing_not_empty() {
        let headers = ["id".to_string()];
        let mapper = Mapper::new(CsvKind::Mapping("typo".into()), &headers, &BTreeMap::new());
        assert_eq!(
            mapper.missing().as_deref(),
            Some("the configuration has no [import.mapping.typo]")
        );
    }
}
