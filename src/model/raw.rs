//! A raw row: the text of each known column as read, before validation.

use std::borrow::Cow;

/// The columns of the native format (SPEC 2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Field {
    Id,
    Title,
    Type,
    ToVerify,
    FoundStage,
    OriginStage,
    Severity,
    Release,
    Component,
    Team,
    Source,
    DetectedAt,
    IntroducedAt,
    ResolvedAt,
    CostHours,
    DevHours,
    QaHours,
    DevopsHours,
    PmHours,
    DowntimeMinutes,
    CustomersAffected,
    EscapeMechanism,
    Reopened,
}

impl Field {
    pub const COUNT: usize = 23;
    pub const ALL: [Field; Field::COUNT] = [
        Field::Id,
        Field::Title,
        Field::Type,
        Field::ToVerify,
        Field::FoundStage,
        Field::OriginStage,
        Field::Severity,
        Field::Release,
        Field::Component,
        Field::Team,
        Field::Source,
        Field::DetectedAt,
        Field::IntroducedAt,
        Field::ResolvedAt,
        Field::CostHours,
        Field::DevHours,
        Field::QaHours,
        Field::DevopsHours,
        Field::PmHours,
        Field::DowntimeMinutes,
        Field::CustomersAffected,
        Field::EscapeMechanism,
        Field::Reopened,
    ];

    /// The canonical column name.
    pub fn name(self) -> &'static str {
        match self {
            Field::Id => "id",
            Field::Title => "title",
            Field::Type => "type",
            Field::ToVerify => "to_verify",
            Field::FoundStage => "found_stage",
            Field::OriginStage => "origin_stage",
            Field::Severity => "severity",
            Field::Release => "release",
            Field::Component => "component",
            Field::Team => "team",
            Field::Source => "source",
            Field::DetectedAt => "detected_at",
            Field::IntroducedAt => "introduced_at",
            Field::ResolvedAt => "resolved_at",
            Field::CostHours => "cost_hours",
            Field::DevHours => "dev_hours",
            Field::QaHours => "qa_hours",
            Field::DevopsHours => "devops_hours",
            Field::PmHours => "pm_hours",
            Field::DowntimeMinutes => "downtime_minutes",
            Field::CustomersAffected => "customers_affected",
            Field::EscapeMechanism => "escape_mechanism",
            Field::Reopened => "reopened",
        }
    }

    pub fn index(self) -> usize {
        self as usize
    }

    /// Matches a header name case-insensitively, ignoring spaces, `-` and `_`. Without
    /// allocating: a JSON input asks this for every key of every record.
    pub fn from_header(header: &str) -> Option<Field> {
        // The name lower-cased and squeezed, if it can be one of ours: ASCII (a
        // character whose lower case is, such as the Kelvin sign, counts) and short.
        let mut key = [0u8; 24];
        let mut len = 0;
        let mut put = |c: u8| {
            let room = len < key.len();
            if room {
                key[len] = c;
                len += 1;
            }
            room
        };
        let header = header.trim_start_matches('\u{feff}');
        let ignored = |c: char| matches!(c, ' ' | '-' | '_' | '\t');
        if header.is_ascii() {
            for b in header.bytes().filter(|&b| !ignored(char::from(b))) {
                if !put(b.to_ascii_lowercase()) {
                    return None;
                }
            }
        } else {
            for c in header
                .chars()
                .filter(|&c| !ignored(c))
                .flat_map(char::to_lowercase)
            {
                if !c.is_ascii() || !put(c as u8) {
                    return None;
                }
            }
        }
        Field::squeezed(&key[..len])
    }

    /// The field whose name, without its `_`, is `key`.
    fn squeezed(key: &[u8]) -> Option<Field> {
        Some(match key {
            b"id" => Field::Id,
            b"title" => Field::Title,
            b"type" => Field::Type,
            b"toverify" => Field::ToVerify,
            b"foundstage" => Field::FoundStage,
            b"originstage" => Field::OriginStage,
            b"severity" => Field::Severity,
            b"release" => Field::Release,
            b"component" => Field::Component,
            b"team" => Field::Team,
            b"source" => Field::Source,
            b"detectedat" => Field::DetectedAt,
            b"introducedat" => Field::IntroducedAt,
            b"resolvedat" => Field::ResolvedAt,
            b"costhours" => Field::CostHours,
            b"devhours" => Field::DevHours,
            b"qahours" => Field::QaHours,
            b"devopshours" => Field::DevopsHours,
            b"pmhours" => Field::PmHours,
            b"downtimeminutes" => Field::DowntimeMinutes,
            b"customersaffected" => Field::CustomersAffected,
            b"escapemechanism" => Field::EscapeMechanism,
            b"reopened" => Field::Reopened,
            _ => return None,
        })
    }

    pub fn required(self) -> bool {
        matches!(self, Field::Id | Field::FoundStage | Field::DetectedAt)
    }
}

/// The header names as written in one file, indexed by [`Field`], for findings.
#[derive(Debug, Clone, Default)]
pub struct ColumnNames(pub [Option<String>; Field::COUNT]);

impl ColumnNames {
    /// The column as the file names it, or the canonical name when the file has none.
    pub fn get(&self, field: Field) -> String {
        self.0[field.index()]
            .clone()
            .unwrap_or_else(|| field.name().to_string())
    }
}

/// Trims white space, checking the ends first: most cells have none.
pub fn trim(value: &str) -> &str {
    let bytes = value.as_bytes();
    match (bytes.first(), bytes.last()) {
        (Some(a), Some(b)) if *a > b' ' && *b > b' ' => value,
        _ => value.trim(),
    }
}

/// The known columns of one row; an empty cell is `None`.
#[derive(Debug, Clone, Default)]
pub struct RawRow<'a> {
    pub values: [Option<Cow<'a, str>>; Field::COUNT],
    /// Known to hold no control character and no value of more than
    /// [`LONG_TEXT_CHARS`](super::validate::LONG_TEXT_CHARS) bytes (the reader checked
    /// the whole record at once), so validation need not check each value.
    pub plain: bool,
}

impl<'a> RawRow<'a> {
    /// The trimmed value of a column, `None` when absent or blank.
    pub fn get(&self, field: Field) -> Option<&str> {
        let value = trim(self.values[field.index()].as_deref()?);
        (!value.is_empty()).then_some(value)
    }

    pub fn set(&mut self, field: Field, value: impl Into<Cow<'a, str>>) {
        self.values[field.index()] = Some(value.into());
    }

    pub fn clear(&mut self) {
        for v in &mut self.values {
            *v = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_match_loosely() {
        assert_eq!(Field::from_header("Found Stage"), Some(Field::FoundStage));
        assert_eq!(Field::from_header("found-stage"), Some(Field::FoundStage));
        assert_eq!(Field::from_header("\u{feff}ID"), Some(Field::Id));
        assert_eq!(Field::from_header("DETECTED_AT"), Some(Field::DetectedAt));
        assert_eq!(
            Field::from_header("Escape Mechanism"),
            Some(Field::EscapeMechanism)
        );
        assert_eq!(Field::from_header("notes"), None);
        // `İ` lower-cases to `i` and a combining dot: not `id`.
        assert_eq!(Field::from_header("\u{130}D"), None);
        assert_eq!(Field::from_header("Team \t"), Some(Field::Team));
        assert_eq!(Field::from_header("ID\u{e9}"), None);
        assert_eq!(Field::from_header(&"x".repeat(100)), None);
        assert_eq!(Field::from_header(""), None);
        // Every name, and its squeezed upper-case spelling.
        for field in Field::ALL {
            assert_eq!(Field::from_header(field.name()), Some(field));
            let loud = field.name().replace('_', "").to_uppercase();
            assert_eq!(Field::from_header(&loud), Some(field));
        }
    }
}
