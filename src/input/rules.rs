//! Classification rules for real exports: which stage a problem was found in and what
//! type it is, decided from labels, tags, components, environments and titles.

use crate::model::config::{normalize, Config};
use crate::model::import_config::parse_offset;

use super::dates::DateStyle;

/// The rules of `[import]`, ready to apply.
#[derive(Debug, Clone)]
pub struct Classifier {
    stage_rules: Vec<(String, String)>,
    type_rules: Vec<(String, String)>,
    stage_order: Vec<String>,
    defect_issue_types: Vec<String>,
    pub default_stage: String,
    pub dates: DateStyle,
    pub header_aliases: Vec<(String, String)>,
}

/// Splits text into lower-case words; `-` stays inside words (`third-party`).
fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !(c.is_alphanumeric() || c == '-'))
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
}

/// True when `rule` is the whole text, or one of its words, or (for rules of several
/// words) a phrase inside it; all ignoring case.
fn matches(text: &str, rule: &str) -> bool {
    let text_l = text.trim().to_lowercase();
    if text_l == rule {
        return true;
    }
    if rule.contains(|c: char| !(c.is_alphanumeric() || c == '-')) {
        return text_l.contains(rule);
    }
    words(text).any(|w| w == rule)
}

impl Classifier {
    pub fn new(config: &Config) -> Classifier {
        let import = &config.import;
        let mut stage_rules: Vec<(String, String)> = import
            .stage_rules
            .iter()
            .map(|(k, v)| (normalize(k), normalize(v)))
            .collect();
        // Longer rules first, so `integration-test` wins over `integration`.
        stage_rules.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.0.cmp(&b.0)));
        let mut type_rules: Vec<(String, String)> = import
            .type_rules
            .iter()
            .map(|(k, v)| (normalize(k), normalize(v)))
            .collect();
        type_rules.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.0.cmp(&b.0)));
        Classifier {
            stage_rules,
            type_rules,
            stage_order: config.stages.order.iter().map(|s| normalize(s)).collect(),
            defect_issue_types: import
                .defect_issue_types
                .iter()
                .map(|s| normalize(s))
                .collect(),
            default_stage: config.default_import_stage(),
            dates: DateStyle::new(
                &import.date_locale,
                parse_offset(&import.timezone).unwrap_or(0),
            ),
            header_aliases: import
                .header_aliases
                .iter()
                .map(|(k, v)| (k.trim().to_lowercase(), v.clone()))
                .collect(),
        }
    }

    /// The latest stage any of the texts names (a problem seen in production was found
    /// there, whatever else its labels say).
    pub fn stage<'a>(&self, texts: impl IntoIterator<Item = &'a str>) -> Option<String> {
        let mut best: Option<(usize, &str)> = None;
        for text in texts {
            for (rule, stage) in &self.stage_rules {
                if matches(text, rule) {
                    let rank = self
                        .stage_order
                        .iter()
                        .position(|s| s == stage)
                        .unwrap_or(0);
                    if best.is_none_or(|(r, _)| rank > r) {
                        best = Some((rank, stage));
                    }
                }
            }
        }
        best.map(|(_, s)| s.to_string())
    }

    /// The type named by the texts, which come in priority order. A specific type
    /// (infra, integration, regression) wins over `code`, since "bug" says little.
    pub fn problem_type<'a>(&self, texts: impl IntoIterator<Item = &'a str>) -> Option<String> {
        let mut generic = None;
        for text in texts {
            for (rule, kind) in &self.type_rules {
                if matches(text, rule) {
                    if kind != "code" {
                        return Some(kind.clone());
                    }
                    generic.get_or_insert_with(|| kind.clone());
                }
            }
        }
        generic
    }

    pub fn is_defect_type(&self, issue_type: &str) -> bool {
        self.defect_issue_types.contains(&normalize(issue_type))
    }

    /// A header in another language, as the English export names it.
    pub fn header<'a>(&'a self, header: &'a str) -> &'a str {
        let key = header.trim().to_lowercase();
        self.header_aliases
            .iter()
            .find(|(from, _)| *from == key)
            .map_or(header.trim(), |(_, to)| to.as_str())
    }

    /// An export's date as RFC 3339 UTC, for the native `detected_at` and friends.
    pub fn date(&self, text: &str) -> Option<String> {
        self.dates
            .parse(text)
            .map(crate::model::time::format_timestamp)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_match_words_and_labels() {
        let c = Classifier::new(&Config::default());
        assert_eq!(c.stage(["found-in:uat"]).as_deref(), Some("uat"));
        assert_eq!(c.stage(["Production"]).as_deref(), Some("production"));
        assert_eq!(c.stage(["uat", "escaped"]).as_deref(), Some("production"));
        assert_eq!(c.stage(["frontend"]), None);
        assert_eq!(
            c.problem_type(["team-a", "infra"]).as_deref(),
            Some("infra")
        );
        assert_eq!(
            c.problem_type(["Database connection pool exhausted"])
                .as_deref(),
            Some("infra")
        );
        assert_eq!(
            c.problem_type(["third-party"]).as_deref(),
            Some("integration")
        );
        assert_eq!(c.problem_type(["apis"]), None);
        assert_eq!(
            c.problem_type(["bug", "regression"]).as_deref(),
            Some("regression")
        );
        assert_eq!(c.problem_type(["bug"]).as_deref(), Some("code"));
        assert!(c.is_defect_type(" bug "));
        assert!(!c.is_defect_type("Story"));
        assert_eq!(c.header("Résumé"), "Summary");
    }
}
