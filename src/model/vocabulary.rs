//! Resolves the words found in input files (stages, types, severities) to their
//! canonical values, using the configured order and synonyms.

use super::config::{normalize, Config};
use super::problem::{ProblemType, Severity};
use crate::short_key::ShortKey;

/// Lookup tables built once from the configuration.
#[derive(Debug, Clone)]
pub struct Vocabulary {
    pub stages: Vec<String>,
    pub boundary: usize,
    stage_lookup: Table<usize>,
    type_lookup: Table<ProblemType>,
    severity_lookup: Table<Severity>,
}

impl Vocabulary {
    pub fn new(config: &Config) -> Vocabulary {
        let stages: Vec<String> = config.stages.order.iter().map(|s| normalize(s)).collect();
        let index_of = |name: &str| stages.iter().position(|s| *s == normalize(name));
        let mut stage_lookup: Table<usize> = stages
            .iter()
            .enumerate()
            .map(|(i, s)| (s.clone(), i))
            .collect();
        for (from, to) in config.stages.effective_synonyms() {
            if let Some(i) = index_of(&to) {
                stage_lookup.add(normalize(&from), i);
            }
        }
        let mut type_lookup: Table<ProblemType> = ProblemType::ALL
            .into_iter()
            .map(|t| (t.as_str().to_string(), t))
            .collect();
        for (from, to) in &config.types.synonyms {
            if let Some(t) = ProblemType::from_canonical(&normalize(to)) {
                type_lookup.add(normalize(from), t);
            }
        }
        let mut severity_lookup: Table<Severity> = Severity::ALL
            .into_iter()
            .map(|s| (s.as_str().to_ascii_lowercase(), s))
            .collect();
        for (from, to) in &config.severity.synonyms {
            if let Some(s) = Severity::from_canonical(&normalize(to)) {
                severity_lookup.add(normalize(from), s);
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

/// A small lookup table of normalized (trimmed, lower-case) words. ASCII words of up to
/// 16 bytes are kept in a hash table under their [`ShortKey`], so that a value is
/// lower-cased once, as numbers, and found with one probe; the others are grouped by
/// length, and a value is compared only with the words as long as it.
#[derive(Debug, Clone)]
pub struct Table<T> {
    short: rustc_hash::FxHashMap<ShortKey, T>,
    /// `by_len[n]`: the words of `n` bytes.
    by_len: Vec<Vec<(String, T)>>,
}

impl<T: Copy> FromIterator<(String, T)> for Table<T> {
    fn from_iter<I: IntoIterator<Item = (String, T)>>(iter: I) -> Self {
        let mut table = Table {
            short: Default::default(),
            by_len: Vec::new(),
        };
        for (word, value) in iter {
            table.add(word, value);
        }
        table
    }
}

impl<T: Copy> Table<T> {
    /// Adds a word unless it is already there.
    fn add(&mut self, word: String, value: T) {
        let n = word.len();
        if self.by_len.len() <= n {
            self.by_len.resize_with(n + 1, Vec::new);
        }
        if !self.by_len[n].iter().any(|(w, _)| *w == word) {
            if let Some(key) = ShortKey::of(&word).and_then(ShortKey::ascii_lowercase) {
                self.short.entry(key).or_insert(value);
            }
            self.by_len[n].push((word, value));
        }
    }

    fn words(&self, len: usize) -> &[(String, T)] {
        self.by_len.get(len).map_or(&[], Vec::as_slice)
    }
}

fn lookup<T: Copy>(table: &Table<T>, value: &str) -> Option<T> {
    let value = super::raw::trim(value);
    if let Some(key) = ShortKey::of(value).and_then(ShortKey::ascii_lowercase) {
        return table.short.get(&key).copied();
    }
    if value.is_ascii() {
        return table
            .words(value.len())
            .iter()
            .find(|(w, _)| w.eq_ignore_ascii_case(value))
            .map(|(_, t)| *t);
    }
    let normalized = normalize(value);
    table
        .words(normalized.len())
        .iter()
        .find(|(w, _)| *w == normalized)
        .map(|(_, t)| *t)
}

/// The canonical word (as `name` spells it, lower case with `_`) that `value` names,
/// ignoring case and accepting `-` or a space for `_`.
pub fn find_word<T: Copy>(all: &[T], name: impl Fn(T) -> &'static str, value: &str) -> Option<T> {
    let loose_eq = |canonical: &str, value: &str| {
        canonical.len() == value.len()
            && canonical.bytes().zip(value.bytes()).all(|(c, v)| {
                if c == b'_' {
                    matches!(v, b'_' | b'-' | b' ')
                } else {
                    c == v.to_ascii_lowercase()
                }
            })
    };
    if value.is_ascii() {
        return all.iter().copied().find(|&t| loose_eq(name(t), value));
    }
    let lower = value.to_lowercase();
    all.iter().copied().find(|&t| loose_eq(name(t), &lower))
}

/// Parses `true/false/yes/no/1/0` in any case, trimmed.
pub fn parse_bool(value: &str) -> Option<bool> {
    let v = super::raw::trim(value);
    let is = |word: &str| v.eq_ignore_ascii_case(word);
    if is("true") || is("yes") || v == "1" {
        Some(true)
    } else if is("false") || is("no") || v == "0" {
        Some(false)
    } else {
        None
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
        let names = ["code", "missing_test"];
        assert_eq!(find_word(&[0, 1], |i| names[i], "Missing-Test"), Some(1));
        assert_eq!(find_word(&[0, 1], |i| names[i], "missing test"), Some(1));
        assert_eq!(find_word(&[0, 1], |i| names[i], "CODE"), Some(0));
        assert_eq!(find_word(&[0, 1], |i| names[i], "codes"), None);
        // Non-ASCII text is lower-cased first: the Kelvin sign lower-cases to `k`.
        let names = ["kind"];
        assert_eq!(find_word(&[0], |i| names[i], "\u{212A}IND"), Some(0));
        assert_eq!(parse_bool("maybe"), None);
        // Words longer than 16 bytes, and values that differ only past 16 bytes.
        let long = Config {
            stages: crate::model::config::StagesConfig {
                order: vec![
                    "unit".into(),
                    "integration-environment".into(),
                    "prod".into(),
                ],
                ..Config::default().stages
            },
            ..Config::default()
        };
        let v = Vocabulary::new(&long);
        assert_eq!(v.stage("Integration-Environment"), Some(1));
        assert_eq!(v.stage("integration-environmenT"), Some(1));
        assert_eq!(v.stage("integration-environmen"), None);
        assert_eq!(v.stage("integration-environmenx"), None);
        assert_eq!(v.stage("UNIT\u{0}"), None);
    }
}
