//! A plain text table for the terminal: columns padded to their widest cell,
//! numbers right-aligned.

/// Column alignment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Right,
}

#[derive(Debug, Clone)]
pub struct Table {
    headers: Vec<String>,
    align: Vec<Align>,
    rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new(columns: &[(&str, Align)]) -> Table {
        Table {
            headers: columns.iter().map(|(h, _)| h.to_string()).collect(),
            align: columns.iter().map(|(_, a)| *a).collect(),
            rows: Vec::new(),
        }
    }

    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    /// Renders with two spaces of indent; `bold` wraps the header row in ANSI bold.
    pub fn render(&self, bold: bool) -> String {
        let width = |s: &str| s.chars().count();
        let mut widths: Vec<usize> = self.headers.iter().map(|h| width(h)).collect();
        for row in &self.rows {
            for (i, cell) in row.iter().enumerate() {
                if let Some(w) = widths.get_mut(i) {
                    *w = (*w).max(width(cell));
                }
            }
        }
        let line = |cells: &[String]| {
            let mut out = String::from("  ");
            for (i, cell) in cells.iter().enumerate() {
                let pad = widths[i].saturating_sub(width(cell));
                if i > 0 {
                    out.push_str("  ");
                }
                match self.align[i] {
                    Align::Left => {
                        out.push_str(cell);
                        if i + 1 < cells.len() {
                            out.push_str(&" ".repeat(pad));
                        }
                    }
                    Align::Right => {
                        out.push_str(&" ".repeat(pad));
                        out.push_str(cell);
                    }
                }
            }
            out.push('\n');
            out
        };
        let mut out = String::new();
        let header = line(&self.headers);
        if bold {
            out.push_str(&format!(
                "\x1b[1m{}\x1b[0m\n",
                header.trim_end_matches('\n')
            ));
        } else {
            out.push_str(&header);
        }
        for row in &self.rows {
            out.push_str(&line(row));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pads_columns_and_aligns_numbers() {
        let mut t = Table::new(&[("Type", Align::Left), ("Escaped", Align::Right)]);
        t.row(vec!["code".into(), "12".into()]);
        t.row(vec!["integration".into(), "3".into()]);
        assert_eq!(
            t.render(false),
            "  Type         Escaped\n  code              12\n  integration        3\n"
        );
    }
}
