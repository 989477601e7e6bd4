//! Native CSV written by `import`: every column of SPEC 2.1, in order, with any cell that
//! a spreadsheet would take for a formula made inert and read back unchanged. Every
//! column, not only the free-text ones: an export's type or severity column can hold
//! `=1+1` as well, and is written out as it came (with a finding) for a person to fix.

use crate::model::raw::{Field, RawRow};

/// Prefixes text that a spreadsheet would evaluate with a `'`, and text that only
/// quotes before such a start keep from it (so that [`restore`] gives it back whole).
pub fn defuse(text: &str) -> String {
    if text.trim_start_matches('\'').starts_with(FORMULA) {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

/// What a spreadsheet takes a cell starting with for a formula.
const FORMULA: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Removes the `'` that [`defuse`] added, so reading our own output gives the original.
#[inline]
pub fn restore(text: &str) -> &str {
    match text.strip_prefix('\'') {
        Some(rest) if rest.trim_start_matches('\'').starts_with(FORMULA) => rest,
        _ => text,
    }
}

/// Writes rows as native CSV into memory.
pub struct NativeWriter {
    writer: csv::Writer<Vec<u8>>,
}

impl Default for NativeWriter {
    fn default() -> Self {
        Self::new()
    }
}

impl NativeWriter {
    pub fn new() -> NativeWriter {
        let mut writer = csv::Writer::from_writer(Vec::new());
        writer
            .write_record(Field::ALL.iter().map(|f| f.name()))
            .expect("writing to memory cannot fail");
        NativeWriter { writer }
    }

    pub fn write(&mut self, row: &RawRow<'_>) {
        // Control characters as the reports show them (see `visible`), so that the file
        // is safe to print, and formulas defused.
        let cells = Field::ALL
            .iter()
            .map(|f| defuse(&crate::model::finding::visible(row.get(*f).unwrap_or(""))));
        self.writer
            .write_record(cells)
            .expect("writing to memory cannot fail");
    }

    pub fn finish(self) -> Vec<u8> {
        self.writer.into_inner().unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_defused_and_restored() {
        for text in [
            "=HYPERLINK(\"x\")",
            "+1",
            "-cmd",
            "@SUM(A1)",
            "plain",
            "'quoted",
            "'=already prefixed",
            "''+twice",
        ] {
            assert_eq!(restore(&defuse(text)), text);
        }
        assert_eq!(defuse("=1+1"), "'=1+1");
        assert_eq!(defuse("fine"), "fine");
        assert_eq!(defuse("'=x"), "''=x");
        assert_eq!(defuse("'x"), "'x");
    }

    #[test]
    fn every_column_is_defused_not_only_free_text() {
        let mut row = RawRow::default();
        for field in Field::ALL {
            row.set(field, "=1+1");
        }
        let mut writer = NativeWriter::new();
        writer.write(&row);
        let written = String::from_utf8(writer.finish()).unwrap();
        let data = written.lines().nth(1).unwrap();
        let cells: Vec<&str> = data.split(',').collect();
        assert_eq!(cells.len(), Field::COUNT);
        assert!(cells.iter().all(|c| *c == "'=1+1"), "{data}");
    }
}
