//! What changed between two versions of a template: the fields that differ, and the body line
//! by line.

use serde::Serialize;
use similar::{ChangeTag, TextDiff};
use ts_rs::TS;
use utoipa::ToSchema;

use crate::model::TemplateContent;

#[derive(Debug, Clone, PartialEq, Serialize, TS, ToSchema)]
pub struct ContentDiff {
    /// Every field whose value differs (the body included), old and new.
    pub fields: Vec<FieldChange>,
    /// The body, line by line: unchanged, removed and added lines in reading order.
    pub body: Vec<LineChange>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS, ToSchema)]
pub struct FieldChange {
    pub field: String,
    /// Any JSON value: a text, a number, a list, an object.
    #[ts(type = "unknown")]
    pub old: serde_json::Value,
    #[ts(type = "unknown")]
    pub new: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, ToSchema)]
pub struct LineChange {
    /// `equal`, `delete` or `insert`.
    pub op: String,
    pub text: String,
}

/// The fields of [`TemplateContent`] as they are serialised, in reading order. An absent
/// optional field (no footer) is compared as null.
const FIELDS: &[&str] = &[
    "name",
    "type",
    "category",
    "language",
    "parameter_format",
    "header",
    "body",
    "footer",
    "buttons",
    "list",
    "variables",
];

fn fields(c: &TemplateContent) -> serde_json::Map<String, serde_json::Value> {
    match serde_json::to_value(c) {
        Ok(serde_json::Value::Object(map)) => map,
        _ => serde_json::Map::new(),
    }
}

pub fn diff(old: &TemplateContent, new: &TemplateContent) -> ContentDiff {
    let (a, b) = (fields(old), fields(new));
    let changes = FIELDS
        .iter()
        .map(|f| {
            let get = |m: &serde_json::Map<String, serde_json::Value>| {
                m.get(*f).cloned().unwrap_or(serde_json::Value::Null)
            };
            FieldChange {
                field: (*f).to_owned(),
                old: get(&a),
                new: get(&b),
            }
        })
        .filter(|c| c.old != c.new)
        .collect();
    let body = TextDiff::from_lines(&old.body, &new.body)
        .iter_all_changes()
        .map(|change| LineChange {
            op: match change.tag() {
                ChangeTag::Equal => "equal",
                ChangeTag::Delete => "delete",
                ChangeTag::Insert => "insert",
            }
            .to_owned(),
            text: change.value().trim_end_matches('\n').to_owned(),
        })
        .collect();
    ContentDiff {
        fields: changes,
        body,
    }
}

/// "body and buttons changed": a version's summary when the owner gives none.
pub fn summary(old: &TemplateContent, new: &TemplateContent) -> String {
    let changed: Vec<String> = diff(old, new).fields.into_iter().map(|f| f.field).collect();
    match changed.as_slice() {
        [] => "no changes".into(),
        [one] => format!("{one} changed"),
        [init @ .., last] => format!("{} and {last} changed", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn content(body: &str, footer: Option<&str>) -> TemplateContent {
        serde_json::from_value(serde_json::json!({
            "name": "t", "type": "text", "body": body, "footer": footer
        }))
        .unwrap()
    }

    #[test]
    fn every_serialised_field_is_compared() {
        let c = content("x", Some("y"));
        let mut with_list = c.clone();
        with_list.list = Some(crate::model::ListSpec {
            button: "b".into(),
            sections: Vec::new(),
        });
        for key in fields(&with_list).keys() {
            assert!(
                FIELDS.contains(&key.as_str()),
                "{key} is missing from FIELDS"
            );
        }
    }

    #[test]
    fn fields_and_lines() {
        let a = content("Hello\nyour order\nbye", None);
        let b = content("Hello\nyour parcel\nbye", Some("Thanks"));
        let d = diff(&a, &b);
        let names: Vec<&str> = d.fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(names, ["body", "footer"]);
        let ops: Vec<(&str, &str)> = d
            .body
            .iter()
            .map(|l| (l.op.as_str(), l.text.as_str()))
            .collect();
        assert_eq!(
            ops,
            [
                ("equal", "Hello"),
                ("delete", "your order"),
                ("insert", "your parcel"),
                ("equal", "bye")
            ]
        );
        assert_eq!(summary(&a, &b), "body and footer changed");
        assert_eq!(summary(&a, &a), "no changes");
    }
}
