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

/// One record as parsed: its value, and the keys its object repeats (the first value of
/// a repeated key is kept, as the first of two same-named CSV columns is).
struct Element {
    value: Value,
    repeated: Vec<String>,
}

impl<'de> serde::Deserialize<'de> for Element {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Element, D::Error> {
        deserializer.deserialize_any(ElementVisitor)
    }
}

/// Parses one record (or a whole document). serde_json refuses a number past the range
/// of f64 (`1e400`), and with it the whole record; such a number is read as the text it
/// is instead, so it meets the check it meets in CSV ("not a finite number, ignored")
/// and the rest of the record is kept. Any other error is returned as it was.
fn parse_element(bytes: &[u8]) -> Result<Element, serde_json::Error> {
    let first = match serde_json::from_slice::<Element>(bytes) {
        Err(e) if out_of_range(&e) => e,
        other => return other,
    };
    let mut fixed = bytes.to_vec();
    let mut error = first;
    // Each pass quotes one number and parses again; past 16 the record is refused.
    for _ in 0..16 {
        if !quote_number_at(&mut fixed, &error) {
            break;
        }
        match serde_json::from_slice::<Element>(&fixed) {
            Err(e) if out_of_range(&e) => error = e,
            Ok(element) => return Ok(element),
            Err(_) => break,
        }
    }
    serde_json::from_slice::<Element>(bytes)
}

fn out_of_range(e: &serde_json::Error) -> bool {
    e.is_syntax() && e.to_string().starts_with("number out of range")
}

/// Puts quotes around the number that ends where `e` points (serde's line, and column
/// in bytes); false when no number is there.
fn quote_number_at(bytes: &mut Vec<u8>, e: &serde_json::Error) -> bool {
    let line_start = if e.line() <= 1 {
        0
    } else {
        match bytes
            .iter()
            .enumerate()
            .filter(|(_, b)| **b == b'\n')
            .nth(e.line() - 2)
        {
            Some((i, _)) => i + 1,
            None => return false,
        }
    };
    let at = (line_start + e.column()).min(bytes.len());
    let in_number = |b: &u8| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-');
    let start = bytes[..at]
        .iter()
        .rposition(|b| !in_number(b))
        .map_or(0, |i| i + 1);
    let end = at + bytes[at..].iter().take_while(|b| in_number(b)).count();
    if start >= end || !bytes[start..end].iter().any(u8::is_ascii_digit) {
        return false;
    }
    bytes.insert(end, b'"');
    bytes.insert(start, b'"');
    true
}

/// Builds an [`Element`]: an object entry by entry, anything else as a plain [`Value`].
struct ElementVisitor;

impl<'de> serde::de::Visitor<'de> for ElementVisitor {
    type Value = Element;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Element, A::Error> {
        let mut object = Map::new();
        let mut repeated = Vec::new();
        while let Some((key, value)) = map.next_entry::<String, Value>()? {
            if object.contains_key(&key) {
                if !repeated.contains(&key) {
                    repeated.push(key);
                }
            } else {
                object.insert(key, value);
            }
        }
        Ok(Element::plain(Value::Object(object)).with_repeated(repeated))
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Element, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Value>()? {
            items.push(item);
        }
        Ok(Element::plain(Value::Array(items)))
    }

    fn visit_bool<E>(self, v: bool) -> Result<Element, E> {
        Ok(Element::plain(Value::Bool(v)))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Element, E> {
        Ok(Element::plain(Value::from(v)))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Element, E> {
        Ok(Element::plain(Value::from(v)))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Element, E> {
        Ok(Element::plain(Value::from(v)))
    }

    fn visit_str<E>(self, v: &str) -> Result<Element, E> {
        Ok(Element::plain(Value::from(v)))
    }

    fn visit_string<E>(self, v: String) -> Result<Element, E> {
        Ok(Element::plain(Value::String(v)))
    }

    fn visit_unit<E>(self) -> Result<Element, E> {
        Ok(Element::plain(Value::Null))
    }
}

impl Element {
    fn plain(value: Value) -> Element {
        Element {
            value,
            repeated: Vec::new(),
        }
    }

    fn with_repeated(mut self, repeated: Vec<String>) -> Element {
        self.repeated = repeated;
        self
    }

    /// Reports the repeated keys, then gives the value.
    fn report(self, file: &str, line: u64, visitor: &mut dyn RowVisitor) -> Value {
        for key in &self.repeated {
            visitor.finding(Finding {
                file: file.to_string(),
                line,
                column: Some(crate::model::finding::shown(key).into_owned()),
                message: format!(
                    "the record names the key \"{}\" more than once; its first value is used and the later ones are ignored. Remove the repeats",
                    crate::model::finding::shown(key)
                ),
                outcome: Outcome::Repaired,
                reason: "repeated key",
            });
        }
        self.value
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
        if let Some(first) = &columns.0[field.index()] {
            visitor.finding(Finding {
                file: file.to_string(),
                line,
                column: Some(crate::model::finding::shown(&key).into_owned()),
                message: format!(
                    "the keys \"{}\" and \"{}\" both name the {} column; the value of \"{}\" is used. Remove or rename one of them",
                    crate::model::finding::shown(first),
                    crate::model::finding::shown(&key),
                    field.name(),
                    crate::model::finding::shown(first)
                ),
                outcome: Outcome::Repaired,
                reason: "repeated key",
            });
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

/// JSON Lines: one object per non-blank line. A line that is PagerDuty's whole list
/// response on one line (`{"incidents": [...], ...}`, as its API writes it) is read as
/// that list; a first line that is another list response (`{"records": [...]}`) is one
/// fatal finding, not a record without an id.
pub fn read_lines(
    file: &str,
    mut input: impl BufRead,
    visitor: &mut dyn RowVisitor,
    ctx: &ReadContext<'_>,
) -> Result<()> {
    let mut seen = None;
    let mut buffer = Vec::new();
    let mut line = 0u64;
    let mut first = true;
    loop {
        buffer.clear();
        let limit = super::records::MAX_RECORD_BYTES as u64 + 1;
        if std::io::Read::take(input.by_ref(), limit).read_until(b'\n', &mut buffer)? == 0 {
            break;
        }
        line += 1;
        if buffer.len() as u64 == limit && buffer.last() != Some(&b'\n') {
            visitor.bad_row(too_long(file, line));
            return Ok(());
        }
        // A byte-order mark starts the first line, or any line of files joined with `cat`.
        let text = buffer.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&buffer);
        if text.iter().all(|b| b.is_ascii_whitespace()) {
            continue;
        }
        let is_first = std::mem::take(&mut first);
        let parsed = parse_element(text).map(|e| e.report(file, line, visitor));
        match parsed {
            Ok(Value::Object(object)) => match Shape::of(&object) {
                Shape::Incidents => read_incidents(file, text, line, &object, visitor, ctx),
                Shape::Other if is_first && records_key(&object).is_some() => {
                    not_an_array(file, line, &object, visitor);
                    return Ok(());
                }
                Shape::Record | Shape::Other => {
                    visit_value(file, line, Value::Object(object), visitor, ctx, &mut seen)
                }
            },
            Ok(value) => visit_value(file, line, value, visitor, ctx, &mut seen),
            Err(e) => visitor.bad_row(finding(
                file,
                line,
                Outcome::Skipped,
                "invalid JSON",
                invalid(
                    &e,
                    "the line",
                    "; JSON Lines needs one complete object per line",
                ),
            )),
        }
    }
    if first {
        visitor.finding(no_rows(file, 1, "the file has no records"));
    }
    Ok(())
}

/// The finding for a JSON document (not an array or lines) too large to read whole.
fn too_large(file: &str) -> Finding {
    finding(
        file,
        1,
        Outcome::Fatal,
        "file too large",
        format!(
            "the file is one JSON object larger than {} MiB, too large to read whole, and was not read; export the records as a JSON array ([{{…}}, {{…}}]) or as JSON Lines, which are read record by record",
            super::MAX_DOCUMENT_BYTES >> 20
        ),
    )
}

/// The finding for a JSON record (an array element or a line) too long to read.
fn too_long(file: &str, line: u64) -> Finding {
    finding(
        file,
        line,
        Outcome::Fatal,
        "record too long",
        format!(
            "this record is longer than {} MiB, so it and the rest of the file were not read; is a string left open, or is the file not JSON?",
            super::records::MAX_RECORD_BYTES >> 20
        ),
    )
}

/// The finding for an input that holds no records at all.
fn no_rows(file: &str, line: u64, what: &str) -> Finding {
    finding(
        file,
        line,
        Outcome::Fatal,
        "no rows",
        format!("{what}; export the records again (is the export's filter too narrow?)"),
    )
}

/// The key under which PagerDuty's REST v2 list response keeps its records.
const INCIDENTS: &str = "incidents";

/// What a JSON object read where records are expected turns out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// PagerDuty's list response: `{"incidents": [...], "limit": 25, ...}`.
    Incidents,
    /// One record: an export's record, or a native one with an id.
    Record,
    /// Anything else: another API's list response, or a record without an id.
    Other,
}

impl Shape {
    fn of(object: &Map<String, Value>) -> Shape {
        let kind = JsonKind::of(object);
        if kind != JsonKind::Native
            || object
                .keys()
                .any(|k| Field::from_header(k) == Some(Field::Id))
        {
            Shape::Record
        } else if matches!(object.get(INCIDENTS), Some(Value::Array(_))) {
            Shape::Incidents
        } else {
            Shape::Other
        }
    }
}

/// The first key whose value is an array, preferring an array of objects: where a list
/// response keeps its records.
fn records_key(object: &Map<String, Value>) -> Option<&str> {
    let arrays = || {
        object.iter().filter_map(|(k, v)| match v {
            Value::Array(items) => Some((k.as_str(), items)),
            _ => None,
        })
    };
    arrays()
        .find(|(_, items)| !items.is_empty() && items.iter().all(Value::is_object))
        .or_else(|| arrays().next())
        .map(|(k, _)| k)
}

/// What is wrong with JSON that serde could not read: its own words, except for nesting
/// past its depth limit, which is said plainly.
fn invalid(e: &serde_json::Error, what: &str, advice: &str) -> String {
    let text = e.to_string();
    // serde's position is counted from the record's start, not the file's; the
    // finding's line already says where the record is.
    if text.starts_with("recursion limit exceeded") {
        format!("{what} is nested more than 128 levels deep; a record's values are text, numbers or short lists: export the records again")
    } else {
        format!("{what} is not valid JSON ({text}){advice}")
    }
}

/// Quotes a word for a POSIX shell when it needs it.
fn shell_quote(word: &str) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || "_./-:@%+=,".contains(c);
    if !word.is_empty() && word.chars().all(safe) {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

/// One fatal finding for an object that is not a list of records we know: it names the
/// keys the object has and says how to get at the array.
fn not_an_array(file: &str, line: u64, object: &Map<String, Value>, visitor: &mut dyn RowVisitor) {
    const SHOWN: usize = 8;
    let mut keys: Vec<String> = object
        .keys()
        .take(SHOWN)
        .map(|k| {
            if k.chars().count() > 40 {
                format!("{}…", k.chars().take(40).collect::<String>())
            } else {
                k.clone()
            }
        })
        .collect();
    if object.len() > SHOWN {
        keys.push(format!("and {} more", object.len() - SHOWN));
    }
    let has = if object.is_empty() {
        "no keys".to_string()
    } else if object.len() == 1 {
        format!("the key {}", keys[0])
    } else {
        format!("the keys {}", keys.join(", "))
    };
    let reads = "escape-report reads an array of records ([{\"id\": …}, …]), JSON Lines (one record per line) or PagerDuty's {\"incidents\": […]}";
    let todo = match records_key(object) {
        Some(key) => {
            let simple = key.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
                && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            let filter = if simple {
                format!(".{key}")
            } else {
                format!(".[{}]", Value::String(key.to_string()))
            };
            let filter = format!("'{}'", filter.replace('\'', "'\\''"));
            let name = std::path::Path::new(file)
                .file_name()
                .and_then(|n| n.to_str());
            let out = if name == Some("records.json") {
                "records-array.json"
            } else {
                "records.json"
            };
            let command = if file == "<stdin>" {
                format!("… | jq {filter} > {out}")
            } else {
                format!("jq {filter} {} > {out}", shell_quote(file))
            };
            format!("Extract the array, e.g. {command}, and read that file")
        }
        None => "Export the records in one of these shapes".to_string(),
    };
    visitor.format("json");
    visitor.finding(finding(
        file,
        line,
        Outcome::Fatal,
        "not an array",
        format!("the file is a JSON object with {has}; {reads}. {todo}"),
    ));
}

/// One JSON document that is an object: PagerDuty's list response, whose records array is
/// streamed from where it starts so line numbers stay right, or a single record.
pub fn read_document(
    file: &str,
    mut input: impl BufRead,
    visitor: &mut dyn RowVisitor,
    ctx: &ReadContext<'_>,
) -> Result<()> {
    let Some(text) = super::read_bounded(&mut input)? else {
        visitor.finding(too_large(file));
        return Ok(());
    };
    let text = text.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&text);
    let value: Value = match parse_element(text) {
        Ok(element) => element.report(file, 1, visitor),
        Err(e) => {
            visitor.finding(finding(
                file,
                e.line() as u64,
                Outcome::Fatal,
                "invalid JSON",
                invalid(
                    &e,
                    "the file",
                    "; for one record per line, every line must be a complete object",
                ),
            ));
            return Ok(());
        }
    };
    read_object(file, text, 1, value, visitor, ctx);
    Ok(())
}

/// A whole document (`text`, starting on line `base`) that parsed as `value`.
fn read_object(
    file: &str,
    text: &[u8],
    base: u64,
    value: Value,
    visitor: &mut dyn RowVisitor,
    ctx: &ReadContext<'_>,
) {
    let first = text
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(0);
    let line = base + text[..first].iter().filter(|b| **b == b'\n').count() as u64;
    let Value::Object(object) = value else {
        return;
    };
    match Shape::of(&object) {
        Shape::Incidents => read_incidents(file, text, base, &object, visitor, ctx),
        Shape::Record => {
            let mut seen = None;
            visit_value(file, line, Value::Object(object), visitor, ctx, &mut seen);
        }
        Shape::Other => not_an_array(file, line, &object, visitor),
    }
}

/// Reads the `incidents` array of a PagerDuty list response held in `text`, which starts
/// on `line`; what follows the array (`"limit": 25, …`) belongs to the response.
fn read_incidents(
    file: &str,
    text: &[u8],
    line: u64,
    object: &Map<String, Value>,
    visitor: &mut dyn RowVisitor,
    ctx: &ReadContext<'_>,
) {
    visitor.format(JsonKind::PagerDuty.name());
    match value_start(text, INCIDENTS) {
        Some(start) => {
            let line = line + text[..start].iter().filter(|b| **b == b'\n').count() as u64;
            // Reading from a slice cannot fail.
            let _ = read_array_from(file, &text[start..], line, true, visitor, ctx);
        }
        // The key is spelt with escapes: read the records without their own lines.
        None => {
            let mut seen = None;
            if let Some(Value::Array(items)) = object.get(INCIDENTS) {
                for item in items {
                    visit_value(file, line, item.clone(), visitor, ctx, &mut seen);
                }
            }
        }
    }
}

/// Where the value of a top-level `key` starts in a valid JSON object (the last one, as
/// serde_json keeps the last of repeated keys).
fn value_start(text: &[u8], key: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut expect_key = false;
    let mut i = 0;
    while i < text.len() {
        match text[i] {
            b'"' => {
                let start = i + 1;
                i += 1;
                while i < text.len() && text[i] != b'"' {
                    if text[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
                if depth == 1 && expect_key {
                    expect_key = false;
                    if text.get(start..i) == Some(key.as_bytes()) {
                        let mut j = i + 1;
                        while j < text.len() && (text[j].is_ascii_whitespace() || text[j] == b':') {
                            j += 1;
                        }
                        // The first, as a repeated key's first value is the one kept.
                        return Some(j);
                    }
                }
            }
            b'{' => {
                depth += 1;
                expect_key = depth == 1;
            }
            b'[' => depth += 1,
            b'}' | b']' => depth = depth.saturating_sub(1),
            b',' if depth == 1 => expect_key = true,
            _ => {}
        }
        i += 1;
    }
    None
}

/// Reads bytes one at a time from a buffered reader, counting lines.
struct Scanner<R> {
    input: R,
    line: u64,
}

impl<R: BufRead> Scanner<R> {
    /// The buffered input, refilled when empty (empty at the end); an interrupted read
    /// is tried again.
    fn fill(&mut self) -> std::io::Result<&[u8]> {
        loop {
            match self.input.fill_buf() {
                Ok(_) => break,
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        }
        // Asked again rather than returned from the loop, which the borrow checker does
        // not accept; a filled buffer is returned as it is, without a read.
        self.input.fill_buf()
    }

    fn peek(&mut self) -> std::io::Result<Option<u8>> {
        Ok(self.fill()?.first().copied())
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

    /// Copies one JSON value into `out`: a balanced object or array, or a scalar. False
    /// when the input ends inside it; an error of kind `FileTooLarge` when it is longer
    /// than [`MAX_RECORD_BYTES`](super::records::MAX_RECORD_BYTES).
    fn take_value(&mut self, out: &mut Vec<u8>) -> std::io::Result<bool> {
        let mut depth = 0usize;
        let mut in_string = false;
        let mut escaped = false;
        loop {
            let buf = self.fill()?;
            if buf.is_empty() {
                return Ok(false);
            }
            // A buffer at a time: how much of it is the value's, and whether it ends there
            // (a `,` or `]` after a scalar is left for the caller).
            let (mut taken, mut ends) = (buf.len(), false);
            for (i, &b) in buf.iter().enumerate() {
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
                    b',' | b']' if depth == 0 => {
                        (taken, ends) = (i, true);
                        break;
                    }
                    b'"' => in_string = true,
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth = depth.saturating_sub(1);
                        if depth == 0 {
                            (taken, ends) = (i + 1, true);
                            break;
                        }
                    }
                    _ => {}
                }
            }
            let value = &buf[..taken];
            let lines = memchr::memchr_iter(b'\n', value).count() as u64;
            out.extend_from_slice(value);
            self.line += lines;
            self.input.consume(taken);
            if out.len() > super::records::MAX_RECORD_BYTES {
                return Err(ErrorKind::FileTooLarge.into());
            }
            if ends {
                return Ok(true);
            }
        }
    }
}

/// A JSON array of record objects, streamed element by element.
pub fn read_array(
    file: &str,
    input: impl BufRead,
    visitor: &mut dyn RowVisitor,
    ctx: &ReadContext<'_>,
) -> Result<()> {
    read_array_from(file, input, 1, false, visitor, ctx)
}

/// Reads an array whose `[` is the next significant byte, starting at `line`. A `nested`
/// array is a value inside a document, which goes on after its closing `]`.
fn read_array_from(
    file: &str,
    input: impl BufRead,
    line: u64,
    nested: bool,
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
        Some(b'{') if !nested => {
            // `--input-format json` on a list response: read it as a document.
            let Some(text) = super::read_bounded(&mut s.input)? else {
                visitor.finding(too_large(file));
                return Ok(());
            };
            match parse_element(&text) {
                Ok(element) => {
                    let value = element.report(file, s.line, visitor);
                    read_object(file, &text, s.line, value, visitor, ctx)
                }
                Err(_) => visitor.finding(finding(file, s.line, Outcome::Fatal, "not an array", "expected a JSON array of records ([{\"id\": …}, …]); for one object per line, name the file .jsonl".into())),
            }
            return Ok(());
        }
        Some(_) => {
            let line = s.line;
            visitor.finding(finding(file, line, Outcome::Fatal, "not an array", "expected a JSON array of records ([{\"id\": …}, …]); for one object per line, name the file .jsonl".into()));
            return Ok(());
        }
    }
    let mut element = Vec::new();
    let mut records = 0u64;
    loop {
        match s.skip_whitespace()? {
            Some(b']') => {
                let line = s.line;
                s.bump()?;
                if records == 0 {
                    visitor.finding(no_rows(file, line, "the array has no records"));
                }
                if !nested && s.skip_whitespace()?.is_some() {
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
        records += 1;
        let complete = match s.take_value(&mut element) {
            Err(e) if e.kind() == ErrorKind::FileTooLarge => {
                visitor.bad_row(too_long(file, line));
                return Ok(());
            }
            other => other?,
        };
        match parse_element(&element) {
            Ok(parsed) => {
                let value = parsed.report(file, line, visitor);
                visit_value(file, line, value, visitor, ctx, &mut seen)
            }
            Err(e) => {
                let at = line + e.line().saturating_sub(1) as u64;
                let message = if element.iter().all(u8::is_ascii_whitespace) {
                    // `[,1]`, `[1,,2]`: nothing between two commas, which serde calls
                    // an end of file at column 0.
                    "there is no record before this comma (a stray comma?); remove it".into()
                } else {
                    invalid(&e, "the record", "")
                };
                visitor.bad_row(finding(file, at, Outcome::Skipped, "invalid JSON", message));
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The values of `text` (elements of an array without its brackets) as the scanner
    /// takes them through a buffer of `capacity` bytes, with the line after each.
    fn values(text: &[u8], capacity: usize) -> Vec<(String, u64)> {
        let mut s = Scanner {
            input: std::io::BufReader::with_capacity(capacity, text),
            line: 1,
        };
        let mut taken = Vec::new();
        while s.skip_whitespace().unwrap().is_some() {
            let mut out = Vec::new();
            let whole = s.take_value(&mut out).unwrap();
            taken.push((String::from_utf8(out).unwrap(), s.line));
            if !whole || s.bump().unwrap() == Some(b']') {
                break;
            }
        }
        taken
    }

    #[test]
    fn values_are_taken_whole_across_buffer_edges() {
        let text =
            b"{\"a\": \"x, ] } \\\" [\",\n \"b\": [1, {\"c\": 2}]},\n 12.5 ,\n\"s\\\\\" ,[]]";
        let expected = vec![
            (
                "{\"a\": \"x, ] } \\\" [\",\n \"b\": [1, {\"c\": 2}]}".to_string(),
                2,
            ),
            ("12.5 ".to_string(), 3),
            ("\"s\\\\\" ".to_string(), 4),
            ("[]".to_string(), 4),
        ];
        for capacity in (1..=9).chain([64, 4096]) {
            assert_eq!(values(text, capacity), expected, "capacity {capacity}");
        }
        // An unfinished value is not whole.
        let mut s = Scanner {
            input: std::io::BufReader::with_capacity(3, &b"{\"a\": [1, 2"[..]),
            line: 1,
        };
        assert!(!s.take_value(&mut Vec::new()).unwrap());
    }
}
