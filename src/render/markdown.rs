//! Markdown escaping: the `md` template filter, and tidying of template output.

/// Escapes text so Markdown shows it literally, in headings, paragraphs, list items and
/// table cells: punctuation that could start emphasis, links, code, headings or HTML is
/// backslash-escaped, `<` `>` `&` become entities, and line breaks become spaces. Spaces
/// and line breaks around the text are dropped (Markdown would not show them, and leading
/// ones could make a code block); a leading `1.` or `1)` that would start a list and a
/// trailing ` #` that would close a heading are escaped.
pub fn escape(text: &str) -> String {
    let text = text.trim_matches([' ', '\t', '\r', '\n']);
    let mut out = String::with_capacity(text.len() + 8);
    if text.starts_with(['-', '+', '#', '=']) {
        out.push('\\');
    }
    let list_marker = {
        let digits = text.len() - text.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        let rest = &text[digits..];
        let after = rest.get(1..).unwrap_or("");
        ((1..=9).contains(&digits)
            && rest.starts_with(['.', ')'])
            && (after.is_empty() || after.starts_with([' ', '\t'])))
        .then_some(digits)
    };
    let closing_hashes = {
        let before = text.trim_end_matches('#');
        (before.len() < text.len() && before.ends_with([' ', '\t'])).then_some(before.len())
    };
    for (i, c) in text.char_indices() {
        if Some(i) == list_marker || Some(i) == closing_hashes {
            out.push('\\');
        }
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '!' | '|' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\r' => {}
            '\n' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

/// Collapses runs of blank lines left by template tags and ends with one newline.
pub fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank = 0;
    for line in text.lines() {
        let line = line.trim_end();
        if line.is_empty() {
            blank += 1;
            if blank > 1 || out.is_empty() {
                continue;
            }
        } else {
            blank = 0;
        }
        out.push_str(line);
        out.push('\n');
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_specials_are_shown_literally() {
        assert_eq!(
            escape("<script>alert(1)</script> a|b **bold**\nnext"),
            "&lt;script&gt;alert(1)&lt;/script&gt; a\\|b \\*\\*bold\\*\\* next"
        );
        assert_eq!(escape("[x](http://e)"), "\\[x\\](http://e)");
        assert_eq!(escape("# not a heading"), "\\# not a heading");
        assert_eq!(escape("- not a list"), "\\- not a list");
        assert_eq!(escape("Zürich — 5 €"), "Zürich — 5 €");
    }

    #[test]
    fn what_would_close_a_heading_or_start_a_block_is_escaped() {
        // A trailing run of `#` after a space is a heading's closing sequence.
        assert_eq!(escape("Sprint #"), "Sprint \\#");
        assert_eq!(escape("Sprint ## \n"), "Sprint \\##");
        assert_eq!(escape("Sprint\t#"), "Sprint\t\\#");
        // Not preceded by a space: literal already.
        assert_eq!(escape("C#"), "C#");
        assert_eq!(escape("issue #12"), "issue #12");
        // A list marker at the start, in a list item or at a line's start.
        assert_eq!(escape("1. first"), "1\\. first");
        assert_eq!(escape("12) twelfth"), "12\\) twelfth");
        assert_eq!(escape("3."), "3\\.");
        assert_eq!(escape("1.5 hours"), "1.5 hours");
        assert_eq!(escape("1234567890. too long"), "1234567890. too long");
        // Leading spaces would make an indented code block; a trailing backslash stays one.
        assert_eq!(escape("    code"), "code");
        assert_eq!(escape("ends in \\"), "ends in \\\\");
        assert_eq!(escape("\n"), "");
    }

    #[test]
    fn tidy_collapses_blank_lines() {
        assert_eq!(tidy("\n\na\n\n\n\nb  \n\n"), "a\n\nb\n");
    }
}
