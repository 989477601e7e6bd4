//! Real exports read as JSON: GitHub issues (REST array and `gh issue list --json`) and
//! PagerDuty REST v2 incidents. Each record maps onto the native columns.

use std::borrow::Cow;

use serde_json::{Map, Value};

use super::exports::{pagerduty_severity, Mapped};
use super::rules::Classifier;
use crate::model::raw::{ColumnNames, Field, RawRow};

/// What a JSON record is, judged from its keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonKind {
    Native,
    GitHub,
    PagerDuty,
}

impl JsonKind {
    pub fn of(object: &Map<String, Value>) -> JsonKind {
        if object.contains_key("incident_number") {
            JsonKind::PagerDuty
        } else if object.contains_key("number")
            && (object.contains_key("labels")
                || object.contains_key("createdAt")
                || object.contains_key("html_url"))
        {
            JsonKind::GitHub
        } else {
            JsonKind::Native
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            JsonKind::Native => "json",
            JsonKind::GitHub => "github",
            JsonKind::PagerDuty => "pagerduty",
        }
    }
}

fn text<'a>(object: &'a Map<String, Value>, keys: &[&str]) -> Option<&'a str> {
    keys.iter().find_map(|k| match object.get(*k) {
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s.as_str()),
        _ => None,
    })
}

/// A nested `{summary|name}` such as PagerDuty's `service` or `priority`.
fn summary<'a>(object: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    match object.get(key)? {
        Value::Object(inner) => text(inner, &["summary", "name"]),
        Value::String(s) => Some(s.as_str()),
        _ => None,
    }
}

fn date(row: &mut RawRow<'_>, field: Field, value: Option<&str>, rules: &Classifier) {
    if let Some(v) = value {
        row.set(field, rules.date(v).unwrap_or_else(|| v.to_string()));
    }
}

/// Column names for findings about exported JSON records.
pub fn column_names(kind: JsonKind) -> ColumnNames {
    let mut names = ColumnNames::default();
    let pairs: &[(Field, &str)] = match kind {
        JsonKind::GitHub => &[
            (Field::Id, "number"),
            (Field::Title, "title"),
            (Field::DetectedAt, "created_at"),
            (Field::ResolvedAt, "closed_at"),
            (Field::Severity, "labels"),
            (Field::FoundStage, "labels"),
            (Field::Type, "labels"),
        ],
        JsonKind::PagerDuty => &[
            (Field::Id, "incident_number"),
            (Field::Title, "title"),
            (Field::DetectedAt, "created_at"),
            (Field::ResolvedAt, "resolved_at"),
            (Field::Severity, "priority"),
        ],
        JsonKind::Native => &[],
    };
    for (field, name) in pairs {
        names.0[field.index()] = Some(name.to_string());
    }
    names
}

const NON_DEFECT_LABELS: &[&str] = &[
    "enhancement",
    "feature",
    "feature request",
    "question",
    "documentation",
    "docs",
    "duplicate",
    "invalid",
    "wontfix",
    "won't fix",
];

/// One GitHub issue; pull requests and issues labelled as non-defects are skipped.
pub fn github(object: &Map<String, Value>, rules: &Classifier) -> Mapped<'static> {
    let number = match object.get("number") {
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::String(s)) => s.clone(),
        _ => String::new(),
    };
    let urls = || {
        ["html_url", "url"]
            .iter()
            .filter_map(|k| object.get(*k).and_then(Value::as_str))
    };
    // Issues of different repositories have the same numbers: the id names the repository.
    // Without a URL: `gh search issues --json repository` gives
    // `{"nameWithOwner": "acme/web"}`, the REST API's repository object `full_name`.
    let owner_name = |r: &str| {
        let r = r.trim();
        let (owner, name) = r.split_once('/')?;
        let part =
            |p: &str| !p.is_empty() && !p.contains(['/', '#']) && !p.contains(char::is_whitespace);
        (part(owner) && part(name)).then(|| r.to_string())
    };
    let named = match object.get("repository") {
        Some(Value::Object(r)) => ["nameWithOwner", "full_name"]
            .iter()
            .filter_map(|k| r.get(*k).and_then(Value::as_str))
            .find_map(owner_name),
        Some(Value::String(s)) => owner_name(s),
        _ => None,
    };
    let repo = urls()
        .chain(text(object, &["repository_url"]))
        .find_map(repository)
        .or(named);
    let id = match &repo {
        Some(r) => format!("{r}#{number}"),
        None => format!("#{number}"),
    };
    if object.get("pull_request").is_some_and(|v| !v.is_null())
        || object.get("isPullRequest") == Some(&Value::Bool(true))
        || urls().any(|u| u.contains("/pull/"))
    {
        return Mapped::Skip {
            reason: "pull request",
            message: format!("{id} is a pull request, not an issue"),
        };
    }
    let labels: Vec<&str> = match object.get("labels") {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|l| match l {
                Value::String(s) => Some(s.as_str()),
                Value::Object(o) => text(o, &["name"]),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    };
    if let Some(label) = labels
        .iter()
        .find(|l| NON_DEFECT_LABELS.contains(&l.trim().to_lowercase().as_str()))
    {
        return Mapped::Skip {
            reason: "not a defect",
            message: format!(
                "{id} is labelled '{label}', not a defect",
                label = crate::model::finding::shown(label)
            ),
        };
    }
    let mut row = RawRow::default();
    if !number.is_empty() {
        row.set(Field::Id, id);
    }
    if let Some(t) = text(object, &["title"]) {
        row.set(Field::Title, t.to_string());
    }
    // Issues people file on GitHub are mostly found in use, unless a label says otherwise.
    let stage = rules.stage(labels.iter().copied());
    let stage_known = stage.is_some();
    row.set(
        Field::FoundStage,
        stage.unwrap_or_else(|| "production".into()),
    );
    match rules.problem_type(labels.iter().copied()) {
        Some(t) => row.set(Field::Type, t),
        None => row.set(Field::ToVerify, "true"),
    }
    if !stage_known {
        row.set(Field::ToVerify, "true");
    }
    let severity = labels.iter().find_map(|l| {
        let l = l.trim().to_lowercase();
        let l = l
            .trim_start_matches("severity:")
            .trim_start_matches("severity/")
            .trim_start_matches("priority:")
            .trim_start_matches("priority/")
            .trim_start_matches("sev:")
            .trim()
            .to_string();
        let known = [
            "p0", "p1", "p2", "p3", "p4", "critical", "blocker", "highest", "high", "major",
            "medium", "minor", "low", "trivial", "lowest",
        ];
        known.contains(&l.as_str()).then_some(l)
    });
    if let Some(s) = severity {
        row.set(Field::Severity, s);
    }
    date(
        &mut row,
        Field::DetectedAt,
        text(object, &["created_at", "createdAt"]),
        rules,
    );
    date(
        &mut row,
        Field::ResolvedAt,
        text(object, &["closed_at", "closedAt"]),
        rules,
    );
    row.set(Field::Source, "github");
    Mapped::Row(into_owned(row))
}

/// `owner/name` from the URL of an issue or pull request: the web page
/// (`https://github.com/acme/web/issues/7`, `…/pull/7`), the REST API's
/// (`https://api.github.com/repos/acme/web/issues/7`), GitHub Enterprise's, or the
/// repository's own API URL (`…/repos/acme/web`).
fn repository(url: &str) -> Option<String> {
    let path = url.split_once("://").map_or(url, |(_, rest)| rest);
    let path = path.split(['?', '#']).next().unwrap_or_default();
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    // After the host: …/OWNER/NAME/issues/N, or …/repos/OWNER/NAME.
    let (owner, name) = match segments
        .iter()
        .rposition(|s| matches!(*s, "issues" | "pull" | "pulls"))
    {
        Some(at) if at >= 3 => (segments[at - 2], segments[at - 1]),
        _ => match segments.iter().rposition(|s| *s == "repos") {
            Some(at) if segments.len() == at + 3 => (segments[at + 1], segments[at + 2]),
            _ => return None,
        },
    };
    Some(format!("{owner}/{name}"))
}

/// One PagerDuty incident (REST v2).
pub fn pagerduty(object: &Map<String, Value>, rules: &Classifier) -> Mapped<'static> {
    let mut row = RawRow::default();
    match object.get("incident_number") {
        Some(Value::Number(n)) => row.set(Field::Id, format!("PD-{n}")),
        Some(Value::String(s)) => row.set(Field::Id, format!("PD-{s}")),
        _ => {}
    }
    let title = text(object, &["title", "summary", "description"]);
    if let Some(t) = title {
        row.set(Field::Title, t.to_string());
    }
    row.set(Field::FoundStage, "production");
    let service = summary(object, "service");
    match rules.problem_type(title.into_iter().chain(service)) {
        Some(t) => row.set(Field::Type, t),
        None => row.set(Field::ToVerify, "true"),
    }
    if let Some(s) = pagerduty_severity(summary(object, "priority"), text(object, &["urgency"])) {
        row.set(Field::Severity, s);
    }
    if let Some(s) = service {
        row.set(Field::Component, s.to_string());
    }
    if let Some(Value::Array(teams)) = object.get("teams") {
        if let Some(Value::Object(team)) = teams.first() {
            if let Some(name) = text(team, &["summary", "name"]) {
                row.set(Field::Team, name.to_string());
            }
        }
    }
    date(
        &mut row,
        Field::DetectedAt,
        text(object, &["created_at"]),
        rules,
    );
    let resolved = text(object, &["resolved_at"]).or_else(|| {
        (text(object, &["status"]) == Some("resolved"))
            .then(|| text(object, &["last_status_change_at"]))
            .flatten()
    });
    date(&mut row, Field::ResolvedAt, resolved, rules);
    row.set(Field::Source, "pagerduty");
    Mapped::Row(into_owned(row))
}

fn into_owned(row: RawRow<'_>) -> RawRow<'static> {
    RawRow {
        values: row.values.map(|v| v.map(|c| Cow::Owned(c.into_owned()))),
        plain: row.plain,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_repository_comes_from_any_url_of_an_issue() {
        for url in [
            "https://github.com/acme/web/issues/7",
            "https://github.com/acme/web/pull/7",
            "https://github.com/acme/web/issues/7#issuecomment-1",
            "https://api.github.com/repos/acme/web/issues/7",
            "https://api.github.com/repos/acme/web/pulls/7",
            "https://api.github.com/repos/acme/web",
            "https://ghe.example.com/api/v3/repos/acme/web/issues/7",
            "https://ghe.example.com/acme/web/issues/7",
        ] {
            assert_eq!(repository(url).as_deref(), Some("acme/web"), "{url}");
        }
        // A repository called "issues".
        assert_eq!(
            repository("https://github.com/acme/issues/issues/7").as_deref(),
            Some("acme/issues")
        );
        for url in [
            "",
            "https://github.com/",
            "https://github.com/issues/7",
            "not a url",
        ] {
            assert_eq!(repository(url), None, "{url}");
        }
    }
}
