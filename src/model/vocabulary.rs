//! Resolves the words found in input files (stages, types, severities) to their
//! canonical values, using the configured order and synonyms.

use std::collections::HashMap;

use super::config::{normalize, Config};
use super::problem::{ProblemType, Severity};

/// Lookup tables built once from the configuration.
#[derive(Debug, Clone)]
pub struct Vocabulary {
    pub stages: Vec<String>,
    pub boundary: usize,
    stage_lookup: HashMap<String, usize>,
    type_lookup: HashMap<String, ProblemType>,
    severity_lookup: HashMap<String, Severity>,
}

impl Vocabulary {
    pub fn new(config: &Config) -> Vocabulary {
        let stages: Vec<String> = config.stages.order.iter().map(|s| normalize(s)).collect();
        let index_of = |name: &str| stages.iter().position(|s| *s == normalize(name));
        let mut stage_lookup: HashMap<String, usize> = stages
            .iter()
            .enumerate()
            .map(|(i, s)| (s.clone(), i))
            .collect();
        for (from, to) in config.stages.effective_synonyms() {
            if let Some(i) = index_of(&to) {
                stage_lookup.entry(normalize(&from)).or_insert(i);
            }
        }
        let mut type_lookup: HashMap<String, ProblemType> = ProblemType::ALL
            .into_iter()
            .map(|t| (t.as_str().to_string(), t))
            .collect();
        for (from, to) in &config.types.synonyms {
            if let Some(t) = ProblemType::from_canonical(&normalize(to)) {
                type_lookup.entry(normalize(from)).or_insert(t);
            }
        }
        let mut severity_lookup: HashMap<String, Severity> = Severity::ALL
            .into_iter()
            .map(|s| (s.as_str().to_ascii_lowercase(), s))
            .collect();
        for (from, to) in &config.severity.synonyms {
            if let Some(s) = Severity::from_canonical(&normalize(to)) {
                severity_lookup.entry(normalize(from)).or_insert(s);
            }
        }
        let boundary = index_of(&config.stages.boundary).unwrap_or(stages.len() - 1);
        Vocabulary {
            stages,
            boundary,
            stage_lookup,
            type_lookup,
            severity_lookup,
        }
    }

    pub fn stage(&self, value: &str) -> Option<usize> {
        lookup(&self.stage_lookup, value)
    }

    pub fn problem_type(&self, value: &str) -> Option<ProblemType> {
        lookup(&self.type_lookup, value)
    }

    pub fn severity(&self, value: &str) -> Option<Severity> {
        lookup(&self.severity_lookup, value)
    }
}

/// Looks a value up as it is when it is already normalized, which is the common case,
/// and only allocates a normalized copy otherwise.
fn lookup<T: Copy>(table: &HashMap<String, T>, value: &str) -> Option<T> {
    if let Some(found) = table.get(value) {
        return Some(*found);
    }
    let normalized = normalize(value);
    if normalized == value {
        None
    } else {
        table.get(&normalized).copied()
    }
}

/// Parses `true/false/yes/no/1/0` in any case, trimmed.
pub fn parse_bool(value: &str) -> Option<bool> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" | "yes" | "1" => Some(true),
        "false" | "no" | "0" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_match_ignoring_case_and_spaces() {
        let v = Vocabulary::new(&Config::default());
        assert_eq!(v.stage(" UAT "), Some(4));
        assert_eq!(v.stage("Prod"), Some(6));
        assert_eq!(v.stage("qa-lab"), None);
        assert_eq!(v.boundary, 6);
        assert_eq!(v.problem_type("Bug"), Some(ProblemType::Code));
        assert_eq!(v.problem_type("configuration"), Some(ProblemType::Infra));
        assert_eq!(v.severity("p1"), Some(Severity::P1));
        assert_eq!(v.severity("Critical"), Some(Severity::P0));
        assert_eq!(v.severity("trivial"), Some(Severity::P3));
        assert_eq!(v.severity("lowest"), Some(Severity::P4));
        assert_eq!(v.severity("P9"), None);
        assert_eq!(parse_bool(" Yes"), Some(true));
        assert_eq!(parse_bool("maybe"), None);
    }
}
