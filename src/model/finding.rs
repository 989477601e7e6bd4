//! Findings: every row that was rejected or repaired, with where it was and what to do.

use std::fmt;

use serde::Serialize;

/// What happened to the row a finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// The row was not used.
    Skipped,
    /// The row was used; the value named was ignored or replaced.
    Repaired,
    /// The row repeated an id seen before and was not counted again.
    Duplicate,
    /// The whole file could not be read past this point.
    Fatal,
}

/// Characters of a value a finding quotes in full; a longer one is cut short.
const SHOWN_CHARS: usize = 80;

/// A value from the input as a finding quotes it: whole when short, else its start and
/// its length, so a 50 MB cell makes a one-line message.
pub fn shown(value: &str) -> std::borrow::Cow<'_, str> {
    match value.char_indices().nth(SHOWN_CHARS) {
        None => std::borrow::Cow::Borrowed(value),
        Some((cut, _)) => {
            let start = value[..cut]
                .char_indices()
                .nth(SHOWN_CHARS / 2)
                .map_or(cut, |(i, _)| i);
            std::borrow::Cow::Owned(format!(
                "{}… ({} characters)",
                &value[..start],
                value.chars().count()
            ))
        }
    }
}

/// One problem with the input, located as precisely as the format allows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub file: String,
    /// 1-based, counting the header line.
    pub line: u64,
    /// The column's header name as written in the file, when the finding is about one column.
    pub column: Option<String>,
    pub message: String,
    #[serde(skip)]
    pub outcome: Outcome,
    /// A short, stable reason used to count findings by kind.
    #[serde(skip)]
    pub reason: &'static str,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file, self.line)?;
        if let Some(column) = &self.column {
            write!(f, ": column '{column}'")?;
        }
        write!(f, ": {}", self.message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_values_are_cut_short() {
        assert_eq!(shown("PRJ-12"), "PRJ-12");
        let exact = "x".repeat(SHOWN_CHARS);
        assert_eq!(shown(&exact), exact);
        let long = "é".repeat(50_000_000 / 2);
        let cut = shown(&long);
        assert!(cut.ends_with("… (25000000 characters)"), "{cut}");
        assert!(cut.chars().count() < 80);
    }
}
