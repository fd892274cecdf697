//! The template parser, the rules and the renderer on arbitrary input: nothing may panic, and
//! rendering keeps its promises (values copied literally, escapes undone, nothing else changed).

#![no_main]

use std::collections::HashMap;

use botdesk_templates::parse::{self, Segment};
use botdesk_templates::{SendOptions, TemplateContent, check};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    // The input is split into template parts and a value, so every part gets arbitrary text.
    let mut parts = text.splitn(5, '\u{1}');
    let body = parts.next().unwrap_or_default();
    let header = parts.next().unwrap_or_default();
    let footer = parts.next().unwrap_or_default();
    let url = parts.next().unwrap_or_default();
    let value = parts.next().unwrap_or_default();

    if let Ok(parsed) = parse::parse(body) {
        // Rendering with one value for every placeholder: the output is the literal text with
        // each placeholder replaced by exactly that value, never re-expanded.
        let mut out = String::new();
        let missing = parsed.render_into(&mut out, |_| Some(value));
        assert!(missing.is_empty());
        let mut expected = String::new();
        for segment in &parsed.segments {
            match segment {
                Segment::Literal(l) => expected.push_str(l),
                Segment::Placeholder(_) => expected.push_str(value),
            }
        }
        assert_eq!(out, expected);
        if parsed.placeholders().next().is_none() && !body.contains('\\') {
            assert_eq!(out, body, "text without placeholders or escapes renders as itself");
        }
    }

    for (format, kind) in [("named", "buttons"), ("positional", "cta_url"), ("named", "list"), ("positional", "text")] {
        let content = serde_json::json!({
            "name": "fuzz", "type": kind, "parameter_format": format,
            "header": {"type": "text", "text": header},
            "body": body, "footer": footer,
            "buttons": [{"type": "url", "label": "Open", "url": url}, {"type": "quick_reply", "id": "a", "label": value}],
            "list": {"button": value, "sections": [{"title": footer, "rows": [{"id": "r", "title": header}]}]},
        });
        let Ok(content) = serde_json::from_value::<TemplateContent>(content) else { continue };
        let checked = check(&content);
        if let Some(compiled) = checked.compiled {
            let values: HashMap<String, String> =
                compiled.keys.iter().map(|k| (k.clone(), value.to_owned())).collect();
            let _ = compiled.render(&values);
            let _ = compiled.template_send(&values, &SendOptions::default());
            let _ = compiled.session_message(&values, &SendOptions::default());
        }
    }
});
