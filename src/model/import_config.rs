//! The `[import]` and `[deployments]` sections: how real exports (Jira, GitHub,
//! PagerDuty, Zendesk, Freshdesk, any tool through a mapping) become problems.

use std::collections::BTreeMap;

use serde::Deserialize;

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct ImportConfig {
    /// Time zone of exports whose dates carry none (Jira, Freshdesk): `UTC` or an offset
    /// such as `+02:00`.
    pub timezone: String,
    /// Language of month names in Jira dates: `en`, `fr`, `es`, `de`, `it`, `pt`, `nl`.
    pub date_locale: String,
    /// Jira issue types that are defects; other issues are skipped with their reason.
    pub defect_issue_types: Vec<String>,
    /// Words in a label, tag, component, environment, status or found-in field, mapped
    /// to the stage where the problem was found. Matched ignoring case; a label
    /// `found-in:uat` also matches `uat`.
    pub stage_rules: BTreeMap<String, String>,
    /// Words in a label, tag, component, service name or title, mapped to a type.
    pub type_rules: BTreeMap<String, String>,
    /// The stage of a Jira or GitHub issue that no rule places: by default the earliest
    /// stage is not assumed; such issues count as found in this stage (see
    /// `Config::default_import_stage` for the stage taken when it is not set).
    pub default_stage: Option<String>,
    /// Header names in another language, mapped to the English export's names.
    pub header_aliases: BTreeMap<String, String>,
    /// Mappings for tools escape-report does not know: `[import.mapping.NAME]`.
    pub mapping: BTreeMap<String, Mapping>,
}

/// A generic mapping: which column holds which field, and fixed values.
#[derive(Debug, Clone, Deserialize, PartialEq, Default)]
#[serde(deny_unknown_fields, default)]
pub struct Mapping {
    /// Native field name → the column that holds it in this tool's export.
    pub columns: BTreeMap<String, String>,
    /// Native field name → a value every record gets (e.g. `found_stage = "production"`).
    pub fixed: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct DeploymentsConfig {
    /// Environment names that count as production (a deployment without one does too).
    pub production_environments: Vec<String>,
    /// Hours back from detection within which a deployment can be blamed; 0 means no limit.
    pub attribution_window_hours: f64,
}

fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

impl Default for ImportConfig {
    fn default() -> Self {
        ImportConfig {
            timezone: "UTC".into(),
            date_locale: "en".into(),
            defect_issue_types: ["Bug", "Defect", "Incident", "Problem"]
                .map(String::from)
                .to_vec(),
            stage_rules: map(&[
                ("production", "production"),
                ("prod", "production"),
                ("escaped", "production"),
                ("customer", "production"),
                ("live", "production"),
                ("staging", "staging"),
                ("preprod", "staging"),
                ("uat", "uat"),
                ("acceptance", "uat"),
                ("system", "system"),
                ("qa", "system"),
                ("integration-test", "integration"),
                ("unit", "unit"),
                ("code-review", "review"),
                ("review", "review"),
            ]),
            type_rules: map(&[
                ("infra", "infra"),
                ("infrastructure", "infra"),
                ("configuration", "infra"),
                ("config", "infra"),
                ("database", "infra"),
                ("network", "infra"),
                ("dns", "infra"),
                ("outage", "infra"),
                ("disk", "infra"),
                ("certificate", "infra"),
                ("kubernetes", "infra"),
                ("out of memory", "infra"),
                ("integration", "integration"),
                ("third-party", "integration"),
                ("partner", "integration"),
                ("webhook", "integration"),
                ("contract", "integration"),
                ("regression", "regression"),
                ("bug", "code"),
                ("code", "code"),
            ]),
            default_stage: None,
            header_aliases: map(&[
                ("Résumé", "Summary"),
                ("Clé de ticket", "Issue key"),
                ("Type de ticket", "Issue Type"),
                ("Priorité", "Priority"),
                ("Création", "Created"),
                ("Résolue", "Resolved"),
                ("Composants", "Component/s"),
                ("Étiquettes", "Labels"),
                ("Environnement", "Environment"),
                ("Resumen", "Summary"),
                ("Clave de incidencia", "Issue key"),
                ("Tipo de incidencia", "Issue Type"),
                ("Prioridad", "Priority"),
                ("Creada", "Created"),
                ("Resuelta", "Resolved"),
                ("Componentes", "Component/s"),
                ("Etiquetas", "Labels"),
                ("Entorno", "Environment"),
            ]),
            mapping: BTreeMap::new(),
        }
    }
}

impl Default for DeploymentsConfig {
    fn default() -> Self {
        DeploymentsConfig {
            production_environments: ["production", "prod", "live"].map(String::from).to_vec(),
            attribution_window_hours: 0.0,
        }
    }
}

/// Parses `UTC`, `Z`, `+02:00`, `-0530`, `+2` into minutes east of UTC.
pub fn parse_offset(text: &str) -> Option<i64> {
    let t = text.trim();
    if t.eq_ignore_ascii_case("utc") || t == "Z" || t.eq_ignore_ascii_case("gmt") {
        return Some(0);
    }
    if !t.is_ascii() {
        return None;
    }
    let (sign, rest) = match t.as_bytes().first()? {
        b'+' => (1, &t[1..]),
        b'-' => (-1, &t[1..]),
        _ => return None,
    };
    let (h, m) = match rest.split_once(':') {
        Some((h, m)) => (h, m),
        None if rest.len() == 4 => rest.split_at(2),
        None => (rest, "0"),
    };
    let digits = |s: &str| !s.is_empty() && s.len() <= 2 && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(h) || !digits(m) {
        return None;
    }
    let (h, m): (i64, i64) = (h.parse().ok()?, m.parse().ok()?);
    (h <= 14 && m < 60).then_some(sign * (h * 60 + m))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets() {
        assert_eq!(parse_offset("UTC"), Some(0));
        assert_eq!(parse_offset("+02:00"), Some(120));
        assert_eq!(parse_offset("-0530"), Some(-330));
        assert_eq!(parse_offset("+2"), Some(120));
        assert_eq!(parse_offset("Europe/Paris"), None);
        assert_eq!(parse_offset("--2000"), None);
        assert_eq!(parse_offset("+-2222222222223"), None);
    }
}
