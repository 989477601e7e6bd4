//! Native records as a JSON array of objects or as JSON Lines. The array is split into
//! elements by a small scanner, so it streams and every record knows its line.

use std::borrow::Cow;
use std::io::{BufRead, ErrorKind};

use anyhow::Result;
use serde_json::{Map, Value};

use super::RowVisitor;
use crate::model::raw::{ColumnNames, Field, RawRow};
use crate::model::{Finding, Outcome};

fn finding(
    file: &str,
    line: u64,
    outcome: Outcome,
    reason: &'static str,
    message: String,
) -> Finding {
    Finding {
        file: file.to_string(),
        line,
        column: None,
        message,
        outcome,
        reason,
    }
}

/// Hands one parsed JSON value to the visitor as a row.
fn visit_value(file: &str, line: u64, value: Value, visitor: &mut dyn RowVisitor) {
    let Value::Object(object) = value else {
        visitor.bad_row(finding(
            file,
            line,
            Outcome::Skipped,
            "not an object",
            format!(
                "expected a record as a JSON object {{\"id\": …}}, found {}",
                kind_of(&value)
            ),
        ));
        return;
    };
    visit_object(file, line, object, visitor);
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn visit_object(file: &str, line: u64, object: Map<String, Value>, visitor: &mut dyn RowVisitor) {
    let mut columns = ColumnNames::default();
    let mut row = RawRow::default();
    for (key, value) in object {
        let Some(field) = Field::from_header(&key) else {
            continue;
        };
        if columns.0[field.index()].is_some() {
            continue;
        }
        let text = match value {
            Value::Null => None,
            Value::String(s) => Some(s),
            Value::Bool(b) => Some(b.to_string()),
            Value::Number(n) => Some(n.to_string()),
            other => {
                visitor.finding(Finding {
                    file: file.to_string(),
                    line,
                    column: Some(key.clone()),
                    message: format!(
                        "expected text or a number, found {}; the value is ignored",
                        kind_of(&other)
                    ),
                    outcome: Outcome::Repaired,
                    reason: "nested value",
                });
                None
            }
        };
        columns.0[field.index()] = Some(key);
        row.values[field.index()] = text.map(Cow::Owned);
    }
    for field in Field::ALL {
        if columns.0[field.index()].is_none() {
            columns.0[field.index()] = Some(field.name().to_string());
        }
    }
    visitor.row(&row, line, &columns);
}

/// JSON Lines: one object per non-blank line.
pub fn read_lines(file: &str, mut input: impl BufRead, visitor: &mut dyn RowVisitor) -> Result<()> {
    let mut buffer = Vec::new();
    let mut line = 0u64;
    loop {
        buffer.clear();
        if input.read_until(b'\n', &mut buffer)? == 0 {
            break;
        }
        line += 1;
        let text = if line == 1 {
            buffer.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&buffer)
        } else {
            &buffer[..]
        };
        if text.iter().all(|b| b.is_ascii_whitespace()) {
            continue;
        }
        match serde_json::from_slice::<Value>(text) {
            Ok(value) => visit_value(file, line, value, visitor),
            Err(e) => visitor.bad_row(finding(
                file,
                line,
                Outcome::Skipped,
                "invalid JSON",
                format!("the line is not valid JSON ({e}); JSON Lines needs one complete object per line"),
            )),
        }
    }
    Ok(())
}

/// Reads bytes one at a time from a buffered reader, counting lines.
struct Scanner<R> {
    input: R,
    line: u64,
}

impl<R: BufRead> Scanner<R> {
    fn peek(&mut self) -> std::io::Result<Option<u8>> {
        loop {
            match self.input.fill_buf() {
                Ok(buf) => return Ok(buf.first().copied()),
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        }
    }

    fn bump(&mut self) -> std::io::Result<Option<u8>> {
        let b = self.peek()?;
        if let Some(b) = b {
            self.input.consume(1);
            if b == b'\n' {
                self.line += 1;
            }
        }
        Ok(b)
    }

    fn skip_whitespace(&mut self) -> std::io::Result<Option<u8>> {
        while let Some(b) = self.peek()? {
            if !b.is_ascii_whitespace() {
                return Ok(Some(b));
            }
            self.bump()?;
        }
        Ok(None)
    }

    /// Copies one JSON value into `out`: a balanced object or array, or a scalar.
    fn take_value(&mut self, out: &mut Vec<u8>) -> std::io::Result<bool> {
        let mut depth = 0usize;
        let mut in_string = false;
        let mut escaped = false;
        while let Some(b) = self.peek()? {
            if depth == 0 && !in_string && matches!(b, b',' | b']') {
                return Ok(true);
            }
            self.bump()?;
            out.push(b);
            if in_string {
                if escaped {
                    escaped = false;
                } else if b == b'\\' {
                    escaped = true;
                } else if b == b'"' {
                    in_string = false;
                }
                continue;
            }
            match b {
                b'"' => in_string = true,
                b'{' | b'[' => depth += 1,
                b'}' | b']' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return Ok(true);
                    }
                }
                _ => {}
            }
        }
        Ok(false)
    }
}

/// A JSON array of record objects, streamed element by element.
pub fn read_array(file: &str, input: impl BufRead, visitor: &mut dyn RowVisitor) -> Result<()> {
    let mut s = Scanner { input, line: 1 };
    if s.peek()? == Some(0xEF) {
        for _ in 0..3 {
            s.bump()?;
        }
    }
    match s.skip_whitespace()? {
        Some(b'[') => {
            s.bump()?;
        }
        None => {
            visitor.finding(finding(
                file,
                1,
                Outcome::Fatal,
                "empty file",
                "the file is empty; export the records again as a JSON array of objects".into(),
            ));
            return Ok(());
        }
        Some(_) => {
            let line = s.line;
            visitor.finding(finding(file, line, Outcome::Fatal, "not an array", "expected a JSON array of records ([{\"id\": …}, …]); for one object per line, name the file .jsonl".into()));
            return Ok(());
        }
    }
    let mut element = Vec::new();
    loop {
        match s.skip_whitespace()? {
            Some(b']') => {
                s.bump()?;
                break;
            }
            None => {
                let line = s.line;
                visitor.finding(finding(file, line, Outcome::Fatal, "truncated file", "the file ends inside the array (no closing ]); it may be cut short: export it again".into()));
                return Ok(());
            }
            _ => {}
        }
        let line = s.line;
        element.clear();
        let complete = s.take_value(&mut element)?;
        match serde_json::from_slice::<Value>(&element) {
            Ok(value) => visit_value(file, line, value, visitor),
            Err(e) => {
                let at = line + e.line().saturating_sub(1) as u64;
                visitor.bad_row(finding(
                    file,
                    at,
                    Outcome::Skipped,
                    "invalid JSON",
                    format!("the record is not valid JSON ({e})"),
                ));
            }
        }
        if !complete {
            let line = s.line;
            visitor.finding(finding(
                file,
                line,
                Outcome::Fatal,
                "truncated file",
                "the file ends inside a record; it may be cut short: export it again".into(),
            ));
            return Ok(());
        }
        match s.skip_whitespace()? {
            Some(b',') => {
                s.bump()?;
            }
            Some(b']') => {}
            None => {}
            Some(other) => {
                let line = s.line;
                visitor.finding(finding(file, line, Outcome::Fatal, "invalid JSON", format!("expected , or ] between records, found '{}'; the rest of the file is not read", other as char)));
                return Ok(());
            }
        }
    }
    Ok(())
}
