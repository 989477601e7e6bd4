//! Benchmark bands for the escape rate: a band includes its lower bound, and the
//! last-but-one band also includes its upper bound (so 40.0 % is still "concerning").

use anyhow::{bail, Result};

use super::config::BandsConfig;

#[derive(Debug, Clone, PartialEq)]
pub struct Bands {
    /// Band names best first, with the rate (a fraction) where each ends; the last has none.
    bands: Vec<(String, Option<f64>)>,
}

impl Bands {
    pub fn from_config(config: &BandsConfig) -> Result<Bands> {
        let fixed = |list: &[(&str, Option<f64>)]| Bands {
            bands: list.iter().map(|(n, b)| (n.to_string(), *b)).collect(),
        };
        let preset = config.preset.trim();
        if preset != "custom" && !config.custom.is_empty() {
            bail!("[[bands.custom]] is given but [bands] preset is \"{preset}\", so it would be ignored; set preset = \"custom\" to use it, or remove it");
        }
        let bands = match preset {
            "default" => fixed(&[
                ("excellent", Some(0.10)),
                ("good", Some(0.20)),
                ("concerning", Some(0.40)),
                ("broken", None),
            ]),
            "strict" => fixed(&[
                ("strong", Some(0.05)),
                ("healthy", Some(0.10)),
                ("needs attention", Some(0.20)),
                ("leaking", None),
            ]),
            "custom" => {
                let list = &config.custom;
                if list.len() < 2 {
                    bail!("[bands] preset \"custom\" needs at least two [[bands.custom]] entries");
                }
                let mut bands = Vec::new();
                let mut previous = 0.0;
                for (i, band) in list.iter().enumerate() {
                    let name = band.name.trim();
                    if name.is_empty() {
                        bail!("[[bands.custom]] number {} has no name", i + 1);
                    }
                    if list[..i]
                        .iter()
                        .any(|b| b.name.trim().eq_ignore_ascii_case(name))
                    {
                        bail!("[[bands.custom]] names the band '{name}' twice; give each band its own name");
                    }
                    let last = i + 1 == list.len();
                    match (band.below, last) {
                        (None, true) => bands.push((band.name.clone(), None)),
                        (Some(_), true) => bail!(
                            "[[bands.custom]] '{}' is the last band and must not have `below`",
                            band.name
                        ),
                        (None, false) => bail!(
                            "[[bands.custom]] '{}' needs `below` (percent where it ends)",
                            band.name
                        ),
                        (Some(pct), false) => {
                            if !(pct.is_finite() && pct > previous && pct <= 100.0) {
                                bail!("[[bands.custom]] '{}' has below = {pct}; limits must rise from 0 to 100", band.name);
                            }
                            previous = pct;
                            bands.push((band.name.clone(), Some(pct / 100.0)));
                        }
                    }
                }
                Bands { bands }
            }
            other => bail!("[bands] preset '{other}' is unknown; use default, strict or custom"),
        };
        Ok(bands)
    }

    /// The band of an escape rate given as a fraction.
    pub fn classify(&self, rate: f64) -> &str {
        let n = self.bands.len();
        for (i, (name, upper)) in self.bands.iter().enumerate() {
            let Some(upper) = upper else { break };
            let inclusive = i + 2 == n;
            if rate < *upper || (inclusive && rate == *upper) {
                return name;
            }
        }
        &self.bands[n - 1].0
    }

    /// The range of a band in words, e.g. `10 % to 20 %`, `under 10 %`, `over 40 %`.
    pub fn range_text(&self, name: &str) -> Option<String> {
        let i = self.bands.iter().position(|(n, _)| n == name)?;
        let lower = i.checked_sub(1).and_then(|j| self.bands[j].1);
        let upper = self.bands[i].1;
        let p = |f: f64| format!("{} %", (f * 1000.0).round() / 10.0);
        Some(match (lower, upper) {
            (None, Some(u)) => format!("under {}", p(u)),
            (Some(l), Some(u)) => format!("{} to {}", p(l), p(u)),
            (Some(l), None) => format!("over {}", p(l)),
            (None, None) => "any rate".to_string(),
        })
    }

    /// Each band's name with its range, best first, for legends and charts.
    pub fn limits(&self) -> impl Iterator<Item = (&str, Option<f64>)> {
        self.bands.iter().map(|(n, u)| (n.as_str(), *u))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn preset(name: &str) -> Bands {
        Bands::from_config(&BandsConfig {
            preset: name.into(),
            custom: vec![],
        })
        .unwrap()
    }

    #[test]
    fn default_band_edges_follow_the_spec() {
        let b = preset("default");
        assert_eq!(b.classify(0.0), "excellent");
        assert_eq!(b.classify(0.0999), "excellent");
        assert_eq!(b.classify(4.0 / 40.0), "good");
        assert_eq!(b.classify(0.10), "good");
        assert_eq!(b.classify(3.0 / 15.0), "concerning");
        assert_eq!(b.classify(0.20), "concerning");
        assert_eq!(b.classify(0.40), "concerning");
        assert_eq!(b.classify(2.0 / 5.0), "concerning");
        assert_eq!(b.classify(0.401), "broken");
        assert_eq!(b.classify(1.0), "broken");
    }

    #[test]
    fn band_ranges_in_words() {
        let b = preset("default");
        assert_eq!(b.range_text("excellent").unwrap(), "under 10 %");
        assert_eq!(b.range_text("good").unwrap(), "10 % to 20 %");
        assert_eq!(b.range_text("broken").unwrap(), "over 40 %");
        assert_eq!(b.range_text("nope"), None);
    }

    #[test]
    fn strict_band_edges() {
        let b = preset("strict");
        assert_eq!(b.classify(0.049), "strong");
        assert_eq!(b.classify(0.05), "healthy");
        assert_eq!(b.classify(0.10), "needs attention");
        assert_eq!(b.classify(0.20), "needs attention");
        assert_eq!(b.classify(0.2001), "leaking");
    }

    #[test]
    fn custom_bands_need_their_preset_and_names_of_their_own() {
        use crate::model::config::CustomBand;
        let band = |name: &str, below: Option<f64>| CustomBand {
            name: name.into(),
            below,
        };
        let message = |preset: &str, custom: Vec<CustomBand>| {
            let config = BandsConfig {
                preset: preset.into(),
                custom,
            };
            Bands::from_config(&config).unwrap_err().to_string()
        };
        assert_eq!(
            message(
                "custom",
                vec![
                    band("ok", Some(10.0)),
                    band("OK", Some(50.0)),
                    band("bad", None)
                ]
            ),
            "[[bands.custom]] names the band 'OK' twice; give each band its own name"
        );
        assert_eq!(
            message("default", vec![band("fine", Some(15.0)), band("not fine", None)]),
            "[[bands.custom]] is given but [bands] preset is \"default\", so it would be ignored; set preset = \"custom\" to use it, or remove it"
        );
        assert_eq!(
            message(
                "custom",
                vec![band(" ", Some(15.0)), band("not fine", None)]
            ),
            "[[bands.custom]] number 1 has no name"
        );
    }
}
