//! Deployments files: native CSV or JSON (`release, deployed_at, environment, status`),
//! and the deployments APIs of GitHub (`ref`, `environment`, `created_at`) and GitLab
//! (`ref`, `status`, `environment.name`, `created_at`). Small files, read whole.

use crate::model::finding::shown;
use anyhow::{Context, Result};
use serde_json::Value;

use super::rules::Classifier;
use super::Source;
use crate::model::deployment::{DeployStatus, Deployment};
use crate::model::{Finding, Outcome};

/// The deployments read from one file, with what was wrong in it.
#[derive(Debug, Default)]
pub struct DeploymentsRead {
    pub deployments: Vec<Deployment>,
    pub findings: Vec<Finding>,
    pub rows_read: u64,
}

/// A deployment's fields as text, before validation.
#[derive(Default)]
struct RawDeployment {
    release: Option<String>,
    deployed_at: Option<String>,
    environment: Option<String>,
    status: Option<String>,
}

pub fn read(source: &Source, rules: &Classifier, production: &[String]) -> Result<DeploymentsRead> {
    let name = source.display_name();
    let bytes = match source {
        Source::Stdin => super::read_bounded(std::io::stdin()),
        Source::Path(p) => super::read_bounded(
            std::fs::File::open(p)
                .with_context(|| format!("cannot open the deployments file {}", p.display()))?,
        ),
    }
    .with_context(|| format!("cannot read the deployments file {name}"))?;
    let Some(bytes) = bytes else {
        anyhow::bail!(
            "the deployments file {name} is larger than {} MiB; is it the right file? A deployments file has one line per deployment",
            super::MAX_DOCUMENT_BYTES >> 20
        );
    };
    parse(&name, &bytes, rules, production)
}

/// The deployments in `bytes`, the whole of a file findings call `name`.
pub fn parse(
    name: &str,
    bytes: &[u8],
    rules: &Classifier,
    production: &[String],
) -> Result<DeploymentsRead> {
    let name = name.to_string();
    let text = String::from_utf8_lossy(bytes);
    let text = text.trim_start_matches('\u{feff}');
    let raws: Vec<(u64, RawDeployment)> = if text.trim_start().starts_with(['[', '{']) {
        json_rows(&name, text)?
    } else {
        csv_rows(&name, text)?
    };
    let mut out = DeploymentsRead::default();
    for (line, raw) in raws {
        out.rows_read += 1;
        let mut problem = |column: &str, message: String| {
            out.findings.push(Finding {
                file: name.clone(),
                line,
                column: Some(column.to_string()),
                message,
                outcome: Outcome::Skipped,
                reason: "bad deployment",
            })
        };
        let Some(release) = raw.release.filter(|r| !r.trim().is_empty()) else {
            problem(
                "release",
                "the deployment names no release; fill in the version or tag deployed".into(),
            );
            continue;
        };
        let Some(deployed_at) = raw
            .deployed_at
            .as_deref()
            .and_then(|d| rules.dates.parse(d))
        else {
            problem(
                "deployed_at",
                format!(
                    "deployment of {release}: '{}' is not a date; write it as 2025-11-23T09:50:00Z",
                    shown(&raw.deployed_at.unwrap_or_default()),
                    release = shown(&release)
                ),
            );
            continue;
        };
        let Some(status) = DeployStatus::parse(raw.status.as_deref().unwrap_or("")) else {
            problem(
                "status",
                format!(
                    "deployment of {release}: unknown status '{}'; use success, failed or rolled_back",
                    shown(&raw.status.unwrap_or_default()),
                    release = shown(&release)
                ),
            );
            continue;
        };
        let environment = raw.environment.filter(|e| !e.trim().is_empty());
        let is_production = environment.as_deref().is_none_or(|e| {
            production
                .iter()
                .any(|p| p.trim().eq_ignore_ascii_case(e.trim()))
        });
        out.deployments.push(Deployment {
            release: release.trim().to_string(),
            deployed_at,
            environment,
            status,
            production: is_production,
        });
    }
    Ok(out)
}

fn csv_rows(name: &str, text: &str) -> Result<Vec<(u64, RawDeployment)>> {
    let delimiter = super::csv::detect_delimiter(text.as_bytes());
    // The records reader of native files, so lines are numbered as an editor numbers
    // them (CR LF, blank lines, lone CR line ends).
    let input = super::records::LineEnds::sniff(text.as_bytes())
        .with_context(|| format!("cannot read {name}"))?;
    let mut records = super::records::Records::new(input, delimiter, 0, 0);
    let mut record = super::records::Record::default();
    if !records
        .read(&mut record)
        .with_context(|| format!("cannot read {name}"))?
        || record.too_long
    {
        anyhow::bail!("{name}: the deployments file has no header line");
    }
    let headers: Vec<String> = record
        .iter()
        .map(|h| {
            String::from_utf8_lossy(h)
                .trim()
                .to_lowercase()
                .replace([' ', '-'], "_")
        })
        .collect();
    let find = |names: &[&str]| headers.iter().position(|h| names.contains(&h.as_str()));
    let release = find(&["release", "version", "ref", "tag"]);
    let at = find(&["deployed_at", "created_at", "date", "time", "finished_at"]);
    let environment = find(&["environment", "env"]);
    let status = find(&["status", "state", "result"]);
    if release.is_none() || at.is_none() {
        anyhow::bail!(
            "{name}:{}: a deployments file needs release and deployed_at columns (found: {})",
            record.line,
            crate::model::finding::shown(&super::csv::header_names(&record))
        );
    }
    let mut rows = Vec::new();
    while records
        .read(&mut record)
        .with_context(|| format!("cannot read {name}"))?
    {
        if record.too_long {
            anyhow::bail!(
                "{name}:{}: a row longer than 64 MiB; is a quote left open?",
                record.line
            );
        }
        if record.len() == 1 && record.get(0).is_some_and(<[u8]>::is_empty) {
            continue; // a blank line
        }
        let get = |i: Option<usize>| {
            let bytes = record.get(i?)?;
            Some(crate::model::finding::visible(&String::from_utf8_lossy(bytes)).into_owned())
        };
        rows.push((
            record.line,
            RawDeployment {
                release: get(release),
                deployed_at: get(at),
                environment: get(environment),
                status: get(status),
            },
        ));
    }
    Ok(rows)
}

fn json_rows(name: &str, text: &str) -> Result<Vec<(u64, RawDeployment)>> {
    let value: Value =
        serde_json::from_str(text).with_context(|| format!("{name} is not valid JSON"))?;
    let items = match value {
        Value::Array(items) => items,
        Value::Object(mut o) => match o.remove("deployments") {
            Some(Value::Array(items)) => items,
            _ => anyhow::bail!("{name}: expected a JSON array of deployments"),
        },
        _ => anyhow::bail!("{name}: expected a JSON array of deployments"),
    };
    let string = |v: Option<&Value>| match v {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        Some(Value::Object(o)) => o.get("name").and_then(Value::as_str).map(str::to_string),
        _ => None,
    };
    Ok(items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let get = |keys: &[&str]| keys.iter().find_map(|k| string(item.get(*k)));
            (
                i as u64 + 1,
                RawDeployment {
                    release: get(&["release", "version", "tag", "ref", "sha"]),
                    deployed_at: get(&["deployed_at", "created_at", "finished_at"]),
                    environment: get(&["environment"]),
                    status: get(&["status", "state"]),
                },
            )
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_numbered_as_an_editor_numbers_lines() {
        for (text, lines) in [
            (
                "release,deployed_at\nr1,2025-04-20\nr2,2025-04-21\n",
                [2, 3],
            ),
            (
                "release,deployed_at\r\nr1,2025-04-20\r\n\r\nr2,2025-04-21\r\n",
                [2, 4],
            ),
            (
                "release,deployed_at\rr1,2025-04-20\r\rr2,2025-04-21\r",
                [2, 4],
            ),
        ] {
            let rows = csv_rows("d.csv", text).unwrap();
            let found: Vec<u64> = rows.iter().map(|(line, _)| *line).collect();
            assert_eq!(found, lines, "{text:?}");
            assert_eq!(rows[1].1.release.as_deref(), Some("r2"));
        }
    }

    #[test]
    fn control_characters_in_a_release_are_made_visible() {
        let rows = csv_rows("d.csv", "release,deployed_at\nr1\u{1b}[31m,2025-04-20\n").unwrap();
        assert_eq!(rows[0].1.release.as_deref(), Some("r1\u{241b}[31m"));
    }
}
