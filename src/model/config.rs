//! The configuration file `escape-report.toml`: every key has a built-in default,
//! and unknown keys are errors so a typo never goes unnoticed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use chrono::NaiveDate;
use serde::Deserialize;

use super::problem::{ProblemType, Severity};

/// The most hours one problem can be assumed to cost (about 11 years of work).
pub const MAX_HOURS: f64 = 100_000.0;

/// The highest hourly rate accepted: ten million a person-hour is far above any rate in
/// any currency's units (the rupiah and the dong included).
pub const MAX_RATE: f64 = 10_000_000.0;
/// The largest severity weight: sums over a billion problems stay exact enough.
pub const MAX_WEIGHT: f64 = 1_000_000.0;

/// The name looked up in the working directory when `--config` is not given.
pub const CONFIG_FILE_NAME: &str = "escape-report.toml";

/// The whole configuration, as read from TOML with defaults filled in.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub stages: StagesConfig,
    pub types: SynonymsConfig,
    pub severity: SeverityConfig,
    pub cost: CostConfig,
    pub bands: BandsConfig,
    pub thresholds: Thresholds,
    #[serde(rename = "sprint")]
    pub sprints: Vec<Sprint>,
    pub import: super::import_config::ImportConfig,
    pub deployments: super::import_config::DeploymentsConfig,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct StagesConfig {
    /// Stages where problems are found, earliest first.
    pub order: Vec<String>,
    /// The first stage that counts as escaped.
    pub boundary: String,
    /// Other spellings of a stage name, mapped to a name in `order`. When absent, the
    /// built-in synonyms whose stage is in `order` apply.
    pub synonyms: Option<BTreeMap<String, String>>,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct SynonymsConfig {
    /// Other spellings of a type, mapped to code, infra, integration, regression or unclassified.
    pub synonyms: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct SeverityConfig {
    /// Other spellings of a severity, mapped to P0..P4.
    pub synonyms: BTreeMap<String, String>,
    /// Weight of each severity in the severity-weighted escape rate.
    pub weights: SeverityWeights,
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct SeverityWeights {
    #[serde(rename = "P0")]
    pub p0: f64,
    #[serde(rename = "P1")]
    pub p1: f64,
    #[serde(rename = "P2")]
    pub p2: f64,
    #[serde(rename = "P3")]
    pub p3: f64,
    #[serde(rename = "P4")]
    pub p4: f64,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct CostConfig {
    /// Hours assumed for an escaped problem of each type when none were logged.
    pub model: CostModel,
    /// Money per hour; when set, reports show costs in `currency` too.
    pub hourly_rate: Option<f64>,
    pub currency: String,
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct CostModel {
    pub code: f64,
    pub infra: f64,
    pub integration: f64,
    pub regression: f64,
    pub unclassified: f64,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct BandsConfig {
    /// `default`, `strict` or `custom`.
    pub preset: String,
    /// With preset `custom`: bands from best to worst, each with the rate (percent) where it ends.
    pub custom: Vec<CustomBand>,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CustomBand {
    pub name: String,
    /// Upper end of the band in percent; omit it on the last band.
    pub below: Option<f64>,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Thresholds {
    /// Below this many problems, every rate is flagged as resting on few problems.
    pub small_sample: u64,
    /// Minutes after a deployment within which an untyped problem is a likely regression.
    pub regression_window_minutes: u64,
    /// Relative change (percent) that makes a trend `rising` or `dropping`.
    pub trend_pct: f64,
}

/// A named date range usable as `--period NAME`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Sprint {
    pub name: String,
    #[serde(deserialize_with = "toml_date")]
    pub start: NaiveDate,
    #[serde(deserialize_with = "toml_date")]
    pub end: NaiveDate,
}

/// Accepts a TOML date (`start = 2025-11-03`) or the same date quoted.
fn toml_date<'de, D: serde::Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum DateValue {
        Toml(toml::value::Datetime),
        Text(String),
    }
    let text = match DateValue::deserialize(d)? {
        DateValue::Toml(dt) => dt.to_string(),
        DateValue::Text(s) => s,
    };
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| serde::de::Error::custom(format!("'{text}' is not a date like 2025-11-03")))
}

fn synonyms(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

impl Default for StagesConfig {
    fn default() -> Self {
        StagesConfig {
            order: [
                "review",
                "unit",
                "integration",
                "system",
                "uat",
                "staging",
                "production",
            ]
            .map(String::from)
            .to_vec(),
            boundary: "production".into(),
            synonyms: None,
        }
    }
}

impl StagesConfig {
    /// The synonyms in force: the built-in ones that name a configured stage, and the
    /// user's (which replace a built-in one of the same word).
    pub fn effective_synonyms(&self) -> BTreeMap<String, String> {
        let mine = self.synonyms.clone().unwrap_or_default();
        let words: Vec<String> = mine.keys().map(|k| normalize(k)).collect();
        default_stage_synonyms()
            .into_iter()
            .filter(|(_, to)| self.order.iter().any(|s| normalize(s) == *to))
            .filter(|(k, _)| !words.contains(&normalize(k)))
            .chain(mine)
            .collect()
    }

    /// The stage of `order` that `name` is, directly or through a synonym.
    pub fn resolve(&self, name: &str) -> Option<&str> {
        let name = normalize(name);
        let by_name = |n: &str| self.order.iter().find(|s| normalize(s) == n);
        by_name(&name)
            .or_else(|| {
                let synonyms = self.effective_synonyms();
                let to = synonyms.iter().find(|(k, _)| normalize(k) == name)?.1;
                by_name(&normalize(to))
            })
            .map(String::as_str)
    }
}

fn default_stage_synonyms() -> BTreeMap<String, String> {
    synonyms(&[
        ("code review", "review"),
        ("code-review", "review"),
        ("unit test", "unit"),
        ("unit-test", "unit"),
        ("component", "unit"),
        ("integration test", "integration"),
        ("integration-test", "integration"),
        ("system test", "system"),
        ("system-test", "system"),
        ("qa", "system"),
        ("acceptance", "uat"),
        ("user acceptance", "uat"),
        ("pre-production", "staging"),
        ("preprod", "staging"),
        ("stage", "staging"),
        ("prod", "production"),
        ("live", "production"),
    ])
}

impl Default for SynonymsConfig {
    fn default() -> Self {
        SynonymsConfig {
            synonyms: synonyms(&[
                ("bug", "code"),
                ("defect", "code"),
                ("infrastructure", "infra"),
                ("configuration", "infra"),
                ("config", "infra"),
                ("environment", "infra"),
                ("contract", "integration"),
                ("interface", "integration"),
                ("post-deployment regression", "regression"),
                ("deployment regression", "regression"),
                ("unknown", "unclassified"),
                ("other", "unclassified"),
            ]),
        }
    }
}

impl Default for SeverityConfig {
    fn default() -> Self {
        SeverityConfig {
            synonyms: synonyms(&[
                ("critical", "P0"),
                ("blocker", "P0"),
                ("highest", "P0"),
                ("high", "P1"),
                ("major", "P1"),
                ("medium", "P2"),
                ("minor", "P2"),
                ("low", "P3"),
                ("trivial", "P3"),
                ("lowest", "P4"),
            ]),
            weights: SeverityWeights::default(),
        }
    }
}

impl Default for SeverityWeights {
    fn default() -> Self {
        SeverityWeights {
            p0: 8.0,
            p1: 4.0,
            p2: 2.0,
            p3: 1.0,
            p4: 1.0,
        }
    }
}

impl SeverityWeights {
    /// The weight of a problem; one without a severity weighs 1.
    pub fn of(&self, severity: Option<Severity>) -> f64 {
        match severity {
            Some(Severity::P0) => self.p0,
            Some(Severity::P1) => self.p1,
            Some(Severity::P2) => self.p2,
            Some(Severity::P3) => self.p3,
            Some(Severity::P4) => self.p4,
            None => 1.0,
        }
    }
}

impl Default for CostConfig {
    fn default() -> Self {
        CostConfig {
            model: CostModel::default(),
            hourly_rate: None,
            currency: "USD".into(),
        }
    }
}

impl Default for CostModel {
    fn default() -> Self {
        CostModel {
            code: 5.5,
            infra: 10.0,
            integration: 12.0,
            regression: 8.5,
            unclassified: 8.0,
        }
    }
}

impl CostModel {
    /// Hours assumed for an escaped problem of this type when none were logged.
    pub fn hours(&self, kind: ProblemType) -> f64 {
        match kind {
            ProblemType::Code => self.code,
            ProblemType::Infra => self.infra,
            ProblemType::Integration => self.integration,
            ProblemType::Regression => self.regression,
            ProblemType::Unclassified => self.unclassified,
        }
    }
}

impl Default for BandsConfig {
    fn default() -> Self {
        BandsConfig {
            preset: "default".into(),
            custom: Vec::new(),
        }
    }
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            small_sample: 30,
            regression_window_minutes: 30,
            trend_pct: 20.0,
        }
    }
}

impl Config {
    /// Reads `path` if given, else `escape-report.toml` in the working directory if present,
    /// else the built-in defaults.
    pub fn load(path: Option<&Path>) -> Result<(Config, Option<PathBuf>)> {
        let path = match path {
            Some(p) => p.to_path_buf(),
            None => {
                let p = PathBuf::from(CONFIG_FILE_NAME);
                if !p.is_file() {
                    return Ok((Config::default(), None));
                }
                p
            }
        };
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read the configuration file {}", path.display()))?;
        let config = Config::from_toml(&text)
            .with_context(|| format!("invalid configuration file {}", path.display()))?;
        Ok((config, Some(path)))
    }

    /// Parses and checks a configuration; errors name the key and, for TOML errors, the line.
    pub fn from_toml(text: &str) -> Result<Config> {
        let mut config: Config = toml::from_str(text).map_err(|e| anyhow::anyhow!("{e}"))?;
        config.keep_built_ins();
        if let Err(e) = config.validate() {
            let message = e.to_string();
            return Err(match line_of_setting(text, &message) {
                Some(line) => anyhow::anyhow!("line {line}: {message}"),
                None => e,
            });
        }
        Ok(config)
    }

    /// The stage of an exported issue that no rule places: `[import] default_stage`, else
    /// `system` when the stage order has it, else the stage just before the boundary.
    pub fn default_import_stage(&self) -> String {
        if let Some(stage) = &self.import.default_stage {
            return stage.clone();
        }
        if let Some(system) = self.stages.resolve("system") {
            return system.to_string();
        }
        let order = &self.stages.order;
        let boundary = order
            .iter()
            .position(|s| normalize(s) == normalize(&self.stages.boundary))
            .unwrap_or(0);
        order
            .get(boundary.saturating_sub(1))
            .cloned()
            .unwrap_or_default()
    }

    /// A table of spellings or rules in the file adds to the built-in one instead of
    /// replacing it (a file naming one new label would otherwise lose `prod`, `bug`,
    /// `critical`…); an entry of the file replaces the built-in entry of the same word.
    fn keep_built_ins(&mut self) {
        /// `table` becomes the entries of `built_in` that `keep` allows, and the user's.
        fn extend(
            table: &mut BTreeMap<String, String>,
            built_in: BTreeMap<String, String>,
            keep: impl Fn(&str) -> bool,
        ) {
            // Without the table in the file, serde filled in the built-in one: entries
            // equal to built-in ones are not the user's.
            let mine: BTreeMap<String, String> = std::mem::take(table)
                .into_iter()
                .filter(|(k, v)| built_in.get(k) != Some(v))
                .collect();
            let words: Vec<String> = mine.keys().map(|k| normalize(k)).collect();
            *table = built_in
                .into_iter()
                .filter(|(k, to)| keep(to) && !words.contains(&normalize(k)))
                .chain(mine)
                .collect();
        }
        let defaults = Config::default();
        let all = |_: &str| true;
        extend(&mut self.types.synonyms, defaults.types.synonyms, all);
        extend(&mut self.severity.synonyms, defaults.severity.synonyms, all);
        extend(&mut self.import.type_rules, defaults.import.type_rules, all);
        extend(
            &mut self.import.header_aliases,
            defaults.import.header_aliases,
            all,
        );
        // Built-in stage rules apply when their stage is one of the configured ones.
        let stages = self.stages.clone();
        extend(
            &mut self.import.stage_rules,
            defaults.import.stage_rules,
            |to| stages.resolve(to).is_some(),
        );
    }

    fn validate(&self) -> Result<()> {
        let order = &self.stages.order;
        if order.is_empty() {
            bail!("[stages] order must name at least one stage");
        }
        let mut seen = std::collections::BTreeSet::new();
        for stage in order {
            if !seen.insert(normalize(stage)) {
                bail!("[stages] order names the stage '{stage}' twice");
            }
        }
        if !order
            .iter()
            .any(|s| normalize(s) == normalize(&self.stages.boundary))
        {
            bail!(
                "[stages] boundary '{}' is not in the stage order ({})",
                self.stages.boundary,
                order.join(", ")
            );
        }
        let strays: Vec<String> = self
            .stages
            .synonyms
            .iter()
            .flatten()
            .filter(|(_, to)| !order.iter().any(|s| normalize(s) == normalize(to)))
            .map(|(from, to)| format!("'{from}' to '{to}'"))
            .collect();
        if !strays.is_empty() {
            bail!(
                "[stages.synonyms] maps {}, which {} not in the stage order ({}); change or remove {}",
                strays.join(", "),
                if strays.len() == 1 { "is" } else { "are" },
                order.join(", "),
                if strays.len() == 1 { "it" } else { "them" },
            );
        }
        for (from, to) in &self.types.synonyms {
            if ProblemType::from_canonical(&normalize(to)).is_none() {
                bail!("[types.synonyms] maps '{from}' to '{to}'; use one of code, infra, integration, regression, unclassified");
            }
        }
        for (from, to) in &self.severity.synonyms {
            if Severity::from_canonical(&normalize(to)).is_none() {
                bail!("[severity.synonyms] maps '{from}' to '{to}'; use one of P0, P1, P2, P3, P4");
            }
        }
        let strays: Vec<String> = self
            .import
            .stage_rules
            .iter()
            .filter(|(_, to)| self.stages.resolve(to).is_none())
            .map(|(from, to)| format!("'{from}' to '{to}'"))
            .collect();
        if !strays.is_empty() {
            bail!(
                "[import.stage_rules] maps {}, which {} not in the stage order ({}); change or remove {}",
                strays.join(", "),
                if strays.len() == 1 { "is" } else { "are" },
                order.join(", "),
                if strays.len() == 1 { "it" } else { "them" },
            );
        }
        for (from, to) in &self.import.type_rules {
            let to_n = normalize(to);
            let known = ProblemType::from_canonical(&to_n).is_some()
                || self.types.synonyms.iter().any(|(k, v)| {
                    normalize(k) == to_n && ProblemType::from_canonical(&normalize(v)).is_some()
                });
            if !known {
                bail!("[import.type_rules] maps '{from}' to '{to}'; use one of code, infra, integration, regression, unclassified");
            }
        }
        if let Some(stage) = &self.import.default_stage {
            if self.stages.resolve(stage).is_none() {
                bail!(
                    "[import] default_stage '{stage}' is not in the stage order ({})",
                    order.join(", ")
                );
            }
        }
        let window = self.deployments.attribution_window_hours;
        if !(window.is_finite() && window >= 0.0) {
            bail!("[deployments] attribution_window_hours must be 0 (no limit) or a positive number of hours, not {window}");
        }
        if self.deployments.production_environments.is_empty() {
            bail!("[deployments] production_environments must name at least one environment (a deployment without an environment counts as production)");
        }
        let w = &self.severity.weights;
        for (name, value) in [
            ("P0", w.p0),
            ("P1", w.p1),
            ("P2", w.p2),
            ("P3", w.p3),
            ("P4", w.p4),
        ] {
            if !(value.is_finite() && value > 0.0 && value <= MAX_WEIGHT) {
                bail!("[severity.weights] {name} must be a positive number up to {MAX_WEIGHT}, not {value}");
            }
        }
        let m = &self.cost.model;
        for (name, value) in [
            ("code", m.code),
            ("infra", m.infra),
            ("integration", m.integration),
            ("regression", m.regression),
            ("unclassified", m.unclassified),
        ] {
            if !(value.is_finite() && (0.0..=MAX_HOURS).contains(&value)) {
                bail!("[cost.model] {name} must be from 0 to {MAX_HOURS} hours, not {value}");
            }
        }
        if let Some(rate) = self.cost.hourly_rate {
            if !(rate.is_finite() && (0.0..=MAX_RATE).contains(&rate)) {
                bail!("[cost] hourly_rate must be from 0 to {MAX_RATE} (money per hour, in [cost] currency), not {rate}");
            }
        }
        crate::model::band::Bands::from_config(&self.bands)?;
        if !(self.thresholds.trend_pct.is_finite() && self.thresholds.trend_pct > 0.0) {
            bail!("[thresholds] trend_pct must be a positive percentage");
        }
        if super::import_config::parse_offset(&self.import.timezone).is_none() {
            bail!(
                "[import] timezone '{}' is not understood; use UTC or an offset like +02:00",
                self.import.timezone
            );
        }
        if crate::input::dates::month_names(&self.import.date_locale).is_none() {
            bail!(
                "[import] date_locale '{}' is not known; use en, fr, es, de, it, pt or nl",
                self.import.date_locale
            );
        }
        for sprint in &self.sprints {
            if sprint.end < sprint.start {
                bail!(
                    "[[sprint]] '{}' ends ({}) before it starts ({})",
                    sprint.name,
                    sprint.end,
                    sprint.start
                );
            }
        }
        Ok(())
    }
}

/// How enumerated values are compared: trimmed and lower-cased.
pub fn normalize(value: &str) -> String {
    value.trim().to_lowercase()
}

/// The text `escape-report init` writes: every default, with a comment on each key.
pub fn default_toml() -> String {
    let c = Config::default();
    let mut out = String::new();
    out.push_str(
        "# escape-report configuration. Every key is optional: delete what you do not change.\n\
         # Unknown keys are errors, so a typo is reported rather than ignored.\n\n",
    );
    out.push_str("[stages]\n# Where problems are found, earliest first.\n");
    out.push_str(&format!("order = {}\n", toml_list(&c.stages.order)));
    out.push_str(
        "# The first stage that counts as escaped: problems found there or later escaped.\n",
    );
    out.push_str(&format!("boundary = \"{}\"\n\n", c.stages.boundary));
    push_built_in(
        &mut out,
        "Other spellings of a stage (matched ignoring case and surrounding spaces). The\n\
         # built-in ones below apply to whichever of their stages are in `order`; the\n\
         # entries of a table here must name a stage in `order`.",
        "stages.synonyms",
        &c.stages.effective_synonyms(),
    );
    push_built_in(
        &mut out,
        "Other spellings of a type: code, infra, integration, regression or unclassified.",
        "types.synonyms",
        &c.types.synonyms,
    );
    push_built_in(
        &mut out,
        "Other spellings of a severity: P0 (worst) .. P4.",
        "severity.synonyms",
        &c.severity.synonyms,
    );
    let w = c.severity.weights;
    out.push_str("\n# Weights for the severity-weighted escape rate; a problem without severity weighs 1.\n[severity.weights]\n");
    out.push_str(&format!(
        "P0 = {}\nP1 = {}\nP2 = {}\nP3 = {}\nP4 = {}\n",
        w.p0, w.p1, w.p2, w.p3, w.p4
    ));
    out.push_str(
        "\n[cost]\n# Set a rate to see costs in money as well as hours.\n# hourly_rate = 95.0\n",
    );
    out.push_str(&format!("currency = \"{}\"\n", c.cost.currency));
    let m = c.cost.model;
    out.push_str("\n# Hours assumed for an escaped problem of each type when none were logged (marked estimated).\n[cost.model]\n");
    out.push_str(&format!(
        "code = {:?}\ninfra = {:?}\nintegration = {:?}\nregression = {:?}\nunclassified = {:?}\n",
        m.code, m.infra, m.integration, m.regression, m.unclassified
    ));
    out.push_str(
        "\n# Escape-rate bands. preset = \"default\": excellent < 10 %, good 10-20 %, concerning 20-40 %, broken > 40 %.\n\
         # preset = \"strict\": strong < 5 %, healthy 5-10 %, needs attention 10-20 %, leaking > 20 %.\n\
         # preset = \"custom\" with your own, best first; the last one has no `below`:\n\
         #   [[bands.custom]]\n#   name = \"fine\"\n#   below = 15.0\n#   [[bands.custom]]\n#   name = \"not fine\"\n\
         [bands]\npreset = \"default\"\n",
    );
    let t = &c.thresholds;
    out.push_str("\n[thresholds]\n# Rates resting on fewer problems than this are flagged as small samples.\n");
    out.push_str(&format!("small_sample = {}\n", t.small_sample));
    out.push_str(
        "# Minutes after a deployment within which an untyped problem is a likely regression.\n",
    );
    out.push_str(&format!(
        "regression_window_minutes = {}\n",
        t.regression_window_minutes
    ));
    out.push_str(
        "# Relative change (percent) between quarters that counts as rising or dropping.\n",
    );
    out.push_str(&format!("trend_pct = {:?}\n", t.trend_pct));
    let import = &c.import;
    out.push_str(
        "\n# Reading real exports (Jira, GitHub, PagerDuty, Zendesk, Freshdesk).\n[import]\n",
    );
    out.push_str("# Time zone of export dates that carry none: UTC or an offset like +02:00.\n");
    out.push_str(&format!("timezone = {:?}\n", import.timezone));
    out.push_str("# Language of month names in Jira dates: en, fr, es, de, it, pt, nl.\n");
    out.push_str(&format!("date_locale = {:?}\n", import.date_locale));
    out.push_str("# Jira issue types that are defects; other issues are skipped and counted.\n");
    out.push_str(&format!(
        "defect_issue_types = {}\n",
        toml_list(&import.defect_issue_types)
    ));
    out.push_str("# Stage for a Jira or GitHub issue no rule places (marked to verify); without it,\n# system when the order has it, else the stage just before the boundary.\n");
    out.push_str(&format!(
        "# default_stage = {:?}\n",
        c.default_import_stage()
    ));
    push_built_in(
        &mut out,
        "A word in a label, tag, environment, status or found-in field -> the stage found in.\n\
         # The built-in rules below apply to whichever of their stages are in `order`.",
        "import.stage_rules",
        &import.stage_rules,
    );
    push_built_in(
        &mut out,
        "A word in a label, tag, component, service or title -> the type.",
        "import.type_rules",
        &import.type_rules,
    );
    push_built_in(
        &mut out,
        "Headers of exports in another language -> the English export's names.",
        "import.header_aliases",
        &import.header_aliases,
    );
    out.push_str(
        "\n# A tool escape-report does not know: which column holds which field, and fixed values.\n\
         # Used when a CSV has all the named columns, or with --input-format mapping:mytool.\n\
         # [import.mapping.mytool.columns]\n# id = \"Ticket\"\n# title = \"Headline\"\n# detected_at = \"Opened\"\n\
         # [import.mapping.mytool.fixed]\n# found_stage = \"production\"\n",
    );
    let d = &c.deployments;
    out.push_str("\n[deployments]\n# Environments that count as production (a deployment without one does too).\n");
    out.push_str(&format!(
        "production_environments = {}\n",
        toml_list(&d.production_environments)
    ));
    out.push_str("# Hours back from a problem's detection within which a deployment can be blamed; 0 = no limit.\n");
    out.push_str(&format!(
        "attribution_window_hours = {:?}\n",
        d.attribution_window_hours
    ));
    out.push_str(
        "\n# Sprints, usable as --period \"Sprint 42\" (both dates included).\n\
         # [[sprint]]\n# name = \"Sprint 42\"\n# start = 2025-11-03\n# end = 2025-11-14\n",
    );
    out
}

fn toml_list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| format!("{s:?}")).collect();
    format!("[{}]", quoted.join(", "))
}

/// A table whose built-in entries are always in force: written commented out, so the
/// file shows them, and a table the user writes adds to them (see `keep_built_ins`).
fn push_built_in(out: &mut String, comment: &str, table: &str, map: &BTreeMap<String, String>) {
    out.push_str(&format!(
        "\n# {comment}\n# Built in (a table [{table}] in this file adds to these, and its\n# entries replace the built-in ones of the same word):\n# [{table}]\n"
    ));
    for (k, v) in map {
        out.push_str(&format!("# {k:?} = {v:?}\n"));
    }
}

/// The line of `text` that sets what a validation message is about: the message starts
/// with the table (`[deployments] attribution_window_hours must …`), followed by the key
/// or by `maps 'word' to` for a table of spellings. `None` when the line is not found
/// for certain (a dotted key, an inline table): a wrong line would mislead more than
/// none, so keys are compared exactly and multi-line strings are passed over.
fn line_of_setting(text: &str, message: &str) -> Option<usize> {
    let rest = message.strip_prefix('[')?;
    let (table, rest) = rest.split_once(']')?;
    let rest = rest.trim_start();
    let key = match rest.strip_prefix("maps '") {
        Some(quoted) => quoted.split_once("' to '")?.0,
        None => rest.split_whitespace().next()?,
    };
    let unquote = |k: &str| {
        let k = k.trim();
        match k.strip_prefix('"').and_then(|k| k.strip_suffix('"')) {
            Some(inner) => inner.to_string(),
            None => k.trim_matches('\'').to_string(),
        }
    };
    let mut current = String::new();
    let mut in_string = false;
    for (n, line) in text.lines().enumerate() {
        // Inside a multi-line string, nothing is a header or a key.
        let fences = line.matches("\"\"\"").count() + line.matches("\'\'\'").count();
        let was_in_string = in_string;
        in_string ^= fences % 2 == 1;
        if was_in_string {
            continue;
        }
        let line = line.trim();
        if let Some(header) = line.strip_prefix('[') {
            current = header
                .split(']')
                .next()
                .unwrap_or_default()
                .trim()
                .to_string();
        } else if current == table {
            if let Some((name, _)) = line.split_once('=') {
                if unquote(name) == key {
                    return Some(n + 1);
                }
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn init_text_parses_back_to_the_defaults() {
        let parsed = Config::from_toml(&default_toml()).unwrap();
        assert_eq!(parsed, Config::default());
        // The stage spellings are all there, commented out.
        for (from, to) in Config::default().stages.effective_synonyms() {
            assert!(
                default_toml().contains(&format!("# {from:?} = {to:?}\n")),
                "{from}"
            );
        }
    }

    #[test]
    fn the_init_text_takes_another_stage_order_as_it_is() {
        let text = default_toml();
        let order = text.lines().find(|l| l.starts_with("order = ")).unwrap();
        let edited = text.replace(
            order,
            r#"order = ["code-review", "ci", "qa", "beta", "production"]"#,
        );
        let c = Config::from_toml(&edited).unwrap();
        let synonyms = c.stages.effective_synonyms();
        assert_eq!(synonyms.get("prod").map(String::as_str), Some("production"));
        assert!(
            synonyms.values().all(|to| to == "production"),
            "{synonyms:?}"
        );
    }

    #[test]
    fn tables_in_the_file_add_to_the_built_in_ones() {
        let c = Config::from_toml(
            "[types.synonyms]\ndefekt = \"code\"\nBug = \"infra\"\n[severity.synonyms]\nsev1 = \"P0\"\n\
             [import.stage_rules]\n\"found-in-prod\" = \"production\"\n[import.type_rules]\nterraform = \"infra\"\n\
             [import.header_aliases]\nZusammenfassung = \"Summary\"\n[stages.synonyms]\nlive-site = \"production\"\n",
        )
        .unwrap();
        let get = |m: &BTreeMap<String, String>, k: &str| m.get(k).cloned();
        assert_eq!(get(&c.types.synonyms, "defekt").as_deref(), Some("code"));
        assert_eq!(get(&c.types.synonyms, "defect").as_deref(), Some("code"));
        // The file's `Bug` replaces the built-in `bug`.
        assert_eq!(get(&c.types.synonyms, "Bug").as_deref(), Some("infra"));
        assert_eq!(get(&c.types.synonyms, "bug"), None);
        assert_eq!(get(&c.severity.synonyms, "sev1").as_deref(), Some("P0"));
        assert_eq!(get(&c.severity.synonyms, "critical").as_deref(), Some("P0"));
        assert_eq!(
            get(&c.import.stage_rules, "found-in-prod").as_deref(),
            Some("production")
        );
        assert_eq!(
            get(&c.import.stage_rules, "escaped").as_deref(),
            Some("production")
        );
        assert_eq!(
            get(&c.import.type_rules, "terraform").as_deref(),
            Some("infra")
        );
        assert_eq!(
            get(&c.import.type_rules, "webhook").as_deref(),
            Some("integration")
        );
        assert_eq!(
            get(&c.import.header_aliases, "Résumé").as_deref(),
            Some("Summary")
        );
        assert_eq!(
            get(&c.import.header_aliases, "Zusammenfassung").as_deref(),
            Some("Summary")
        );
        let stages = c.stages.effective_synonyms();
        assert_eq!(get(&stages, "live-site").as_deref(), Some("production"));
        assert_eq!(get(&stages, "prod").as_deref(), Some("production"));
    }

    #[test]
    fn another_stage_order_keeps_the_rules_that_name_its_stages() {
        let c = Config::from_toml(
            "[stages]\norder = [\"code-review\", \"ci\", \"qa\", \"beta\", \"production\"]\n",
        )
        .unwrap();
        let rules = &c.import.stage_rules;
        assert_eq!(rules.get("prod").map(String::as_str), Some("production"));
        assert_eq!(rules.get("uat"), None);
        // `system` is not a stage here: an issue no rule places is found in the stage
        // just before the boundary.
        assert_eq!(c.default_import_stage(), "beta");
        assert_eq!(Config::default().default_import_stage(), "system");
        let given = Config::from_toml("[import]\ndefault_stage = \"uat\"\n").unwrap();
        assert_eq!(given.default_import_stage(), "uat");
    }

    #[test]
    fn values_that_would_only_cause_trouble_later_are_refused() {
        for (text, expected) in [
            (
                "[import.stage_rules]\nuat = \"mars\"\n",
                "[import.stage_rules] maps 'uat' to 'mars', which is not in the stage order",
            ),
            (
                "[import.type_rules]\nx = \"bogus\"\n",
                "[import.type_rules] maps 'x' to 'bogus'; use one of",
            ),
            (
                "[import]\ndefault_stage = \"mars\"\n",
                "[import] default_stage 'mars' is not in the stage order",
            ),
            (
                "[deployments]\nattribution_window_hours = -5.0\n",
                "[deployments] attribution_window_hours must be 0",
            ),
            (
                "[deployments]\nattribution_window_hours = nan\n",
                "[deployments] attribution_window_hours must be 0",
            ),
            (
                "[deployments]\nproduction_environments = []\n",
                "[deployments] production_environments must name at least one",
            ),
            (
                "[severity.weights]\nP0 = 1e308\n",
                "[severity.weights] P0 must be a positive number up to 1000000",
            ),
        ] {
            // Each sets the value on its second line, which the message names.
            let err = format!("{:#}", Config::from_toml(text).unwrap_err());
            assert!(
                err.starts_with(&format!("line 2: {expected}")),
                "{text}: {err}"
            );
        }
        // The line is found past comments and other tables, with the key quoted; a
        // dotted key is not looked for, and the message then stands alone.
        let text =
            "# weights\n\n[stages]\nboundary = \"production\"\n[severity.weights]\n\"P1\" = -1\n";
        let err = format!("{:#}", Config::from_toml(text).unwrap_err());
        assert!(
            err.starts_with("line 6: [severity.weights] P1 must be"),
            "{err}"
        );
        // Keys compared exactly (a table's keys are case-sensitive), a key with a quote
        // in it, a multi-line string that looks like settings.
        for (text, line) in [
            ("[types.synonyms]\nBug = \"code\"\nbug = \"cdoe\"\n", 3),
            ("[stages.synonyms]\nit = \"integration\"\n\"it's\" = \"uta\"\n", 3),
            (
                "[cost]\ncurrency = \"\"\"\n[deployments]\nattribution_window_hours = 5\n\"\"\"\n[deployments]\nattribution_window_hours = -1\n",
                7,
            ),
        ] {
            let err = format!("{:#}", Config::from_toml(text).unwrap_err());
            assert!(err.starts_with(&format!("line {line}: [")), "{text}: {err}");
        }
        let err = format!(
            "{:#}",
            Config::from_toml("deployments.attribution_window_hours = -1\n").unwrap_err()
        );
        assert!(
            err.starts_with("[deployments] attribution_window_hours must be"),
            "{err}"
        );
        // A type rule may name a type by one of its spellings.
        assert!(Config::from_toml("[import.type_rules]\nterraform = \"infrastructure\"\n").is_ok());
    }

    #[test]
    fn every_spelling_of_a_stage_not_in_the_order_is_named() {
        let err = Config::from_toml(
            "[stages]\norder = [\"qa\", \"production\"]\nboundary = \"production\"\n[stages.synonyms]\nacceptance = \"uat\"\nlive = \"production\"\n\"unit test\" = \"unit\"\n",
        )
        .unwrap_err();
        assert_eq!(
            format!("{err:#}"),
            "line 5: [stages.synonyms] maps 'acceptance' to 'uat', 'unit test' to 'unit', which are not in the stage order (qa, production); change or remove them"
        );
    }

    #[test]
    fn unknown_keys_are_errors_that_name_the_key() {
        let err = Config::from_toml("[stages]\nbondary = \"uat\"\n").unwrap_err();
        let text = format!("{err:#}");
        assert!(text.contains("bondary"), "{text}");
        let err = Config::from_toml("colour = 1\n").unwrap_err();
        assert!(format!("{err:#}").contains("colour"));
    }

    #[test]
    fn wrong_types_and_absurd_rates_are_refused_with_the_key() {
        let err = Config::from_toml("[cost]\nhourly_rate = \"95\"\n").unwrap_err();
        let text = format!("{err:#}");
        assert!(
            text.contains("hourly_rate") && text.contains("line 2"),
            "{text}"
        );
        for rate in ["1e15", "-1.0", "nan", "inf"] {
            let err = Config::from_toml(&format!("[cost]\nhourly_rate = {rate}\n")).unwrap_err();
            assert!(
                format!("{err:#}").contains("hourly_rate must be from 0 to 10000000"),
                "{rate}: {err:#}"
            );
        }
        assert!(Config::from_toml("[cost]\nhourly_rate = 10000000\n").is_ok());
    }

    #[test]
    fn a_boundary_outside_the_order_is_refused() {
        let err = Config::from_toml("[stages]\nboundary = \"beta\"\n").unwrap_err();
        assert!(format!("{err:#}").contains("'beta' is not in the stage order"));
    }

    #[test]
    fn a_custom_stage_order_can_be_given() {
        let c = Config::from_toml(
            "[stages]\norder = [\"code-review\", \"ci\", \"qa\", \"beta\", \"production\"]\nboundary = \"beta\"\n",
        )
        .unwrap();
        assert_eq!(c.stages.order.len(), 5);
        let synonyms = c.stages.effective_synonyms();
        assert_eq!(synonyms.get("prod").map(String::as_str), Some("production"));
        assert!(!synonyms.contains_key("unit test"));
        assert_eq!(c.stages.boundary, "beta");
    }
}
