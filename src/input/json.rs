//! Native records as a JSON array of objects or as JSON Lines. The array is split into
//! elements by a small scanner, so it streams and every record knows its line.

use std::borrow::Cow;
use std::io::{BufRead, ErrorKind};

use anyhow::Result;
use serde_json::{Map, Value};

use super::exports::Mapped;
use super::json_exports::{self, JsonKind};
use super::{ReadContext, RowVisitor};
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
fn visit_value(
    file: &str,
    line: u64,
    value: Value,
    visitor: &mut dyn RowVisitor,
    ctx: &ReadContext<'_>,
    seen: &mut Option<JsonKind>,
) {
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
    let kind = JsonKind::of(&object);
    if seen.is_none() {
        *seen = Some(kind);
        visitor.format(kind.name());
    }
    let mapped = match kind {
        JsonKind::Native => return visit_object(file, line, object, visitor),
        JsonKind::GitHub => json_exports::github(&object, ctx.rules),
        JsonKind::PagerDuty => json_exports::pagerduty(&object, ctx.rules),
    };
    match mapped {
        Mapped::Row(row) => visitor.row(&row, line, &json_exports::column_names(kind)),
        Mapped::Skip { reason, message } => {
            visitor.bad_row(finding(file, line, Outcome::Skipped, reason, message))
        }
        Mapped::NotARecord => {}
    }
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
pub fn read_lines(
    file: &str,
    mut input: impl BufRead,
    visitor: &mut dyn RowVisitor,
    ctx: &ReadContext<'_>,
) -> Result<()> {
    let mut seen = None;
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
            Ok(value) => visit_value(file, line, value, visitor, ctx, &mut seen),
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

/// Keys under which list responses keep their records (`{"incidents": [...]}`).
const LIST_KEYS: &[&str] = &["incidents", "items", "issues", "records", "data"];

/// One JSON document that is an object: an API's list response. The records array is
/// streamed from where it starts, so line numbers stay right.
pub fn read_document(
    file: &str,
    mut input: impl BufRead,
    visitor: &mut dyn RowVisitor,
    ctx: &ReadContext<'_>,
) -> Result<()> {
    let mut text = Vec::new();
    input.read_to_end(&mut text)?;
    let value: Value = match serde_json::from_slice(&text) {
        Ok(v) => v,
        Err(e) => {
            visitor.finding(finding(file, e.line() as u64, Outcome::Fatal, "invalid JSON", format!("the file is not valid JSON ({e}); for one record per line, every line must be a complete object")));
            return Ok(());
        }
    };
    let Value::Object(object) = value else {
        return Ok(());
    };
    let Some(key) = LIST_KEYS
        .iter()
        .find(|k| matches!(object.get(**k), Some(Value::Array(_))))
    else {
        if JsonKind::of(&object) != JsonKind::Native || object.contains_key("id") {
            let mut seen = None;
            visit_value(file, 1, Value::Object(object), visitor, ctx, &mut seen);
        } else {
            visitor.finding(finding(
                file,
                1,
                Outcome::Fatal,
                "not an array",
                format!(
                    "expected a JSON array of records, or an object with one of {} holding them",
                    LIST_KEYS.join(", ")
                ),
            ));
        }
        return Ok(());
    };
    // Find where the array starts: after `"key"` and its colon.
    let needle = format!("\"{key}\"");
    let Some(at) = find(&text, needle.as_bytes()) else {
        return Ok(());
    };
    let rest = &text[at + needle.len()..];
    let Some(bracket) = rest.iter().position(|b| *b == b'[') else {
        return Ok(());
    };
    let start = at + needle.len() + bracket;
    let line = 1 + text[..start].iter().filter(|b| **b == b'\n').count() as u64;
    read_array_from(file, &text[start..], line, visitor, ctx)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
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
pub fn read_array(
    file: &str,
    input: impl BufRead,
    visitor: &mut dyn RowVisitor,
    ctx: &ReadContext<'_>,
) -> Result<()> {
    read_array_from(file, input, 1, visitor, ctx)
}

/// Reads an array whose `[` is the next significant byte, starting at `line`.
fn read_array_from(
    file: &str,
    input: impl BufRead,
    line: u64,
    visitor: &mut dyn RowVisitor,
    ctx: &ReadContext<'_>,
) -> Result<()> {
    let mut seen = None;
    let mut s = Scanner { input, line };
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
                if s.skip_whitespace()?.is_some() {
                    let line = s.line;
                    visitor.finding(finding(file, line, Outcome::Fatal, "data after the array", "there is more after the array's closing ]; it was not read. Put every record inside the one array".into()));
                }
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
            Ok(value) => visit_value(file, line, value, visitor, ctx, &mut seen),
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
