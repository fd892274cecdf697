//! Parsing template text (a body, a header, a URL) into literal text and placeholders, once, so
//! that rendering is a copy. One linear pass; every problem is reported with its line and column
//! (1-based, in characters) and the UTF-16 offset the editor uses to point at it.
//!
//! Placeholders are `{{name}}` (named: lower-case letters, digits and `_`, not starting with a
//! digit) or `{{1}}` (positional). A literal `{{` or `}}` is written `\{{` or `\}}`; a
//! backslash anywhere else is an ordinary character, and so is a `}}` with no `{{` before it.

use serde::Serialize;
use ts_rs::TS;
use utoipa::ToSchema;

/// The most placeholders one text may hold; more is an error, not a slow parse.
pub const MAX_PLACEHOLDERS: usize = 100;

/// At most this many problems are reported for one text.
const MAX_ISSUES: usize = 20;

/// Where something is in a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS, ToSchema)]
pub struct Position {
    /// 1-based line.
    pub line: u32,
    /// 1-based column, in characters.
    pub column: u32,
    /// Offset from the start, in UTF-16 code units (what a browser's text field counts).
    pub offset: u32,
}

/// A `{{…}}` in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placeholder {
    pub name: String,
    pub at: Position,
    /// Length of the whole `{{…}}` in UTF-16 code units.
    pub len: u32,
}

impl Placeholder {
    pub fn is_positional(&self) -> bool {
        self.name.bytes().all(|b| b.is_ascii_digit())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    Literal(String),
    Placeholder(Placeholder),
}

/// A parsed text: literal runs and placeholders, in order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Text {
    pub segments: Vec<Segment>,
    /// Characters of literal text (placeholders excluded).
    pub literal_chars: usize,
}

/// A problem in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseIssue {
    pub code: &'static str,
    pub message: String,
    pub at: Position,
    /// Length of the offending span in UTF-16 code units.
    pub len: u32,
}

impl Text {
    pub fn placeholders(&self) -> impl Iterator<Item = &Placeholder> {
        self.segments.iter().filter_map(|s| match s {
            Segment::Placeholder(p) => Some(p),
            Segment::Literal(_) => None,
        })
    }

    /// Writes the text with each placeholder replaced by `value(name)`. Values are copied as
    /// they are: a value holding `{{x}}` is never expanded again. Returns the placeholders that
    /// had no value.
    pub fn render_into<'a, 'v>(
        &'a self,
        out: &mut String,
        value: impl Fn(&str) -> Option<&'v str>,
    ) -> Vec<&'a Placeholder> {
        let mut missing = Vec::new();
        for segment in &self.segments {
            match segment {
                Segment::Literal(text) => out.push_str(text),
                Segment::Placeholder(p) => match value(&p.name) {
                    Some(v) => out.push_str(v),
                    None => missing.push(p),
                },
            }
        }
        missing
    }
}

fn valid_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    match bytes.first() {
        None => false,
        Some(b'1'..=b'9') => bytes.iter().all(u8::is_ascii_digit),
        Some(b'a'..=b'z' | b'_') => bytes
            .iter()
            .all(|b| matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'_')),
        Some(_) => false,
    }
}

/// A cursor over the text that knows its line, column and UTF-16 offset.
struct Cursor<'t> {
    text: &'t str,
    byte: usize,
    pos: Position,
}

impl Cursor<'_> {
    fn rest(&self) -> &str {
        &self.text[self.byte..]
    }

    fn advance(&mut self, chars: usize) {
        for c in self.text[self.byte..].chars().take(chars) {
            self.byte += c.len_utf8();
            self.pos.offset += c.len_utf16() as u32;
            if c == '\n' {
                self.pos.line += 1;
                self.pos.column = 1;
            } else {
                self.pos.column += 1;
            }
        }
    }
}

fn utf16_len(s: &str) -> u32 {
    s.encode_utf16().count() as u32
}

/// Parses `text`, or reports every problem found (up to a limit).
pub fn parse(text: &str) -> Result<Text, Vec<ParseIssue>> {
    let mut cur = Cursor {
        text,
        byte: 0,
        pos: Position {
            line: 1,
            column: 1,
            offset: 0,
        },
    };
    let mut segments = Vec::new();
    let mut literal = String::new();
    let mut literal_chars = 0usize;
    let mut issues: Vec<ParseIssue> = Vec::new();
    let mut placeholders = 0usize;

    while cur.byte < text.len() && issues.len() < MAX_ISSUES {
        let rest = cur.rest();
        if let Some(escaped) = rest.strip_prefix('\\').and_then(|r| {
            if r.starts_with("{{") {
                Some("{{")
            } else if r.starts_with("}}") {
                Some("}}")
            } else {
                None
            }
        }) {
            literal.push_str(escaped);
            literal_chars += 2;
            cur.advance(3);
            continue;
        }
        if !rest.starts_with("{{") {
            // Copy up to the next character that could start something.
            let end = rest.find(['{', '\\']).map_or(rest.len(), |i| i.max(1));
            let chunk = &rest[..end];
            literal.push_str(chunk);
            let n = chunk.chars().count();
            literal_chars += n;
            cur.advance(n);
            continue;
        }
        // A placeholder: it must close on the same line.
        let start = cur.pos;
        let line_end = rest.find('\n').unwrap_or(rest.len());
        let Some(close) = rest[2..line_end].find("}}").map(|i| i + 2) else {
            issues.push(ParseIssue {
                code: "template.placeholder_unclosed",
                message: "`{{` is not closed with `}}` on the same line (write `\\{{` for a \
                          literal `{{`)"
                    .to_owned(),
                at: start,
                len: 2,
            });
            literal.push_str("{{");
            literal_chars += 2;
            cur.advance(2);
            continue;
        };
        let inner = &rest[2..close];
        if let Some(k) = inner.find("{{") {
            // `{{a, b {{c}}`: the first `{{` never closed, and a good placeholder follows; but
            // `{{ {{c}} }}`, closed again after, is one placeholder nested in another.
            let after = &rest[close + 2..line_end];
            let outer_close = after.find("}}");
            let nested = outer_close.is_some_and(|c| after.find("{{").is_none_or(|o| c < o));
            if !nested {
                issues.push(ParseIssue {
                    code: "template.placeholder_unclosed",
                    message: "`{{` is not closed before the next `{{` (write `\\{{` for a \
                              literal `{{`)"
                        .to_owned(),
                    at: start,
                    len: 2,
                });
                let skipped = &rest[..2 + k];
                literal.push_str(skipped);
                let n = skipped.chars().count();
                literal_chars += n;
                cur.advance(n);
                continue;
            }
            let end = close + 2 + outer_close.unwrap_or(0) + 2;
            let whole = &rest[..end];
            issues.push(ParseIssue {
                code: "template.placeholder_nested",
                message: format!("`{whole}`: placeholders cannot contain braces"),
                at: start,
                len: utf16_len(whole),
            });
            cur.advance(whole.chars().count());
            continue;
        }
        let whole = &rest[..close + 2];
        let len = utf16_len(whole);
        // The position is the issue's `at`, never its text: clients place it themselves.
        let issue = |code: &'static str, what: String| ParseIssue {
            code,
            message: what,
            at: start,
            len,
        };
        if inner.contains('{') {
            issues.push(issue(
                "template.placeholder_malformed",
                format!("`{whole}` is not a valid placeholder: no braces inside"),
            ));
        } else if inner.trim().is_empty() {
            issues.push(issue(
                "template.placeholder_empty",
                "`{{}}` names no variable".into(),
            ));
        } else if !valid_name(inner) {
            let hint = if inner.trim() != inner || inner.contains(char::is_whitespace) {
                format!(
                    "no spaces in a placeholder: write `{{{{{}}}}}`",
                    inner.split_whitespace().collect::<Vec<_>>().join("_")
                )
            } else {
                "a name is lower-case letters, digits and `_` (not starting with a digit), or a number from 1".into()
            };
            issues.push(issue(
                "template.placeholder_malformed",
                format!("`{whole}` is not a valid placeholder: {hint}"),
            ));
        } else {
            placeholders += 1;
            if placeholders > MAX_PLACEHOLDERS {
                issues.push(issue(
                    "template.too_many_placeholders",
                    format!("more than {MAX_PLACEHOLDERS} placeholders in one text"),
                ));
                break;
            }
            if !literal.is_empty() {
                segments.push(Segment::Literal(std::mem::take(&mut literal)));
            }
            segments.push(Segment::Placeholder(Placeholder {
                name: inner.to_owned(),
                at: start,
                len,
            }));
        }
        let n = whole.chars().count();
        cur.advance(n);
    }
    if !issues.is_empty() {
        return Err(issues);
    }
    if !literal.is_empty() {
        segments.push(Segment::Literal(literal));
    }
    Ok(Text {
        segments,
        literal_chars,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(text: &str) -> Vec<String> {
        parse(text)
            .unwrap()
            .placeholders()
            .map(|p| p.name.clone())
            .collect()
    }

    fn codes(text: &str) -> Vec<&'static str> {
        parse(text)
            .unwrap_err()
            .into_iter()
            .map(|i| i.code)
            .collect()
    }

    #[test]
    fn placeholders_and_literals() {
        let t = parse("Hi {{customer_name}}, order {{order_id}} is ready").unwrap();
        assert_eq!(t.segments.len(), 5);
        assert_eq!(
            names("Hi {{customer_name}}, order {{order_id}}."),
            ["customer_name", "order_id"]
        );
        assert_eq!(names("{{1}} and {{2}}"), ["1", "2"]);
        assert_eq!(t.literal_chars, "Hi , order  is ready".chars().count());
    }

    #[test]
    fn positions_count_lines_columns_and_utf16() {
        let t = parse("Olá 👋\nTotal: {{total}}").unwrap();
        let p = t.placeholders().next().unwrap();
        assert_eq!((p.at.line, p.at.column), (2, 8));
        // "Olá 👋\n" is 7 UTF-16 units (the emoji is two), then "Total: " is 7.
        assert_eq!(p.at.offset, 14);
        assert_eq!(p.len, 9);
    }

    #[test]
    fn malformed_placeholders_are_located_and_named() {
        let issues = parse("Hello\n  {{ order id }} there").unwrap_err();
        assert_eq!(issues[0].code, "template.placeholder_malformed");
        assert_eq!((issues[0].at.line, issues[0].at.column), (2, 3));
        assert!(
            issues[0].message.contains("{{order_id}}"),
            "{}",
            issues[0].message
        );
        // Where is a field (`at`), not text a client would have to parse.
        for text in [
            "Hello\n  {{ order id }} there",
            "Hi {{name",
            "a {{b {{c}}",
            "{{ {{x}} }}",
        ] {
            for issue in parse(text).unwrap_err() {
                assert!(
                    !issue.message.contains("column"),
                    "{text:?}: {}",
                    issue.message
                );
            }
        }
        assert_eq!(codes("Hi {{}}"), ["template.placeholder_empty"]);
        assert_eq!(codes("Hi {{name"), ["template.placeholder_unclosed"]);
        assert_eq!(codes("Hi {{name\n}}"), ["template.placeholder_unclosed"]);
        assert_eq!(codes("{{ {{x}} }}"), ["template.placeholder_nested"]);
        assert_eq!(
            codes("a {{ {{x}} }} b {{y}} c"),
            ["template.placeholder_nested"]
        );
        assert_eq!(
            codes("Hi {{name, your order {{id}} is here"),
            ["template.placeholder_unclosed"]
        );
        assert_eq!(codes("{{{x}}}"), ["template.placeholder_malformed"]);
        assert_eq!(codes("{{Order}}"), ["template.placeholder_malformed"]);
        assert_eq!(codes("{{0}}"), ["template.placeholder_malformed"]);
        assert_eq!(
            codes("{{a}} {{}} {{b c}}"),
            [
                "template.placeholder_empty",
                "template.placeholder_malformed"
            ]
        );
    }

    #[test]
    fn escapes_give_literal_braces() {
        let t = parse(r"Use \{{code\}} as is, C:\path stays, lone }} too").unwrap();
        let mut out = String::new();
        t.render_into(&mut out, |_| None);
        assert_eq!(out, r"Use {{code}} as is, C:\path stays, lone }} too");
        assert_eq!(t.placeholders().count(), 0);
    }

    #[test]
    fn values_are_never_expanded_again() {
        let t = parse("A {{x}} B").unwrap();
        let mut out = String::new();
        let missing = t.render_into(&mut out, |_| Some("{{x}}\nline"));
        assert!(missing.is_empty());
        assert_eq!(out, "A {{x}}\nline B");
    }

    #[test]
    fn too_many_placeholders_is_an_error_not_a_slow_parse() {
        let text = "{{a}} ".repeat(10_000);
        let started = std::time::Instant::now();
        assert_eq!(codes(&text), ["template.too_many_placeholders"]);
        assert!(started.elapsed() < std::time::Duration::from_secs(1));
    }

    #[test]
    fn a_megabyte_parses_in_one_pass() {
        let text = "word {{x}} ".repeat(20).repeat(4_000);
        let _ = parse(&text);
        let plain = "plain text without placeholders. ".repeat(32_000);
        let t = parse(&plain).unwrap();
        assert_eq!(t.literal_chars, plain.chars().count());
    }
}
