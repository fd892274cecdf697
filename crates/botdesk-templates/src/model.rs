//! What a template is: the content the owner edits, in the shape the editor sends and the store
//! keeps (its JSON columns hold [`Button`]s, [`ListSection`]s and [`VariableDecl`]s as written
//! here).

use serde::{Deserialize, Deserializer, Serialize};
use ts_rs::TS;
use utoipa::ToSchema;

pub use botdesk_store::tables::message_templates::{
    HeaderType, ParameterFormat, TemplateCategory, TemplateKind, TemplateStatus,
};

/// Everything about a template that a save can change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TemplateContent {
    /// `^[a-z0-9_]+$`, at most 512 characters.
    pub name: String,
    /// Which WhatsApp message the bot sends in a conversation (`type` in the original API).
    #[serde(rename = "type", alias = "kind")]
    pub kind: TemplateKind,
    #[serde(default = "default_category")]
    pub category: TemplateCategory,
    /// A WhatsApp language code, e.g. `en`, `en_US`, `pt_BR`.
    #[serde(default = "default_language")]
    pub language: String,
    /// `{{order_id}}` (named) or `{{1}}` (positional).
    #[serde(default = "default_format")]
    pub parameter_format: ParameterFormat,
    #[serde(default)]
    pub header: Header,
    pub body: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub footer: Option<String>,
    #[serde(default)]
    pub buttons: Vec<Button>,
    /// For `list` templates: the button that opens the list, and its sections.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub list: Option<ListSpec>,
    /// Every variable the template uses, with an example value (WhatsApp requires examples).
    #[serde(default, deserialize_with = "variables")]
    pub variables: Vec<VariableDecl>,
}

fn default_category() -> TemplateCategory {
    TemplateCategory::Utility
}

fn default_language() -> String {
    "en".into()
}

fn default_format() -> ParameterFormat {
    ParameterFormat::Named
}

/// The header above the body.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Header {
    #[default]
    None,
    /// At most 60 characters, at most one variable.
    Text {
        text: String,
    },
    /// A media record (its id) shown above the body.
    Image {
        media_id: String,
    },
    Video {
        media_id: String,
    },
    Document {
        media_id: String,
    },
}

impl Header {
    pub fn header_type(&self) -> HeaderType {
        match self {
            Header::None => HeaderType::None,
            Header::Text { .. } => HeaderType::Text,
            Header::Image { .. } => HeaderType::Image,
            Header::Video { .. } => HeaderType::Video,
            Header::Document { .. } => HeaderType::Document,
        }
    }

    pub fn media_id(&self) -> Option<&str> {
        match self {
            Header::Image { media_id }
            | Header::Video { media_id }
            | Header::Document { media_id } => Some(media_id),
            Header::None | Header::Text { .. } => None,
        }
    }

    /// Points a media header at another file; a header of text or none is left as it is.
    pub fn set_media_id(&mut self, id: String) {
        if let Header::Image { media_id }
        | Header::Video { media_id }
        | Header::Document { media_id } = self
        {
            *media_id = id;
        }
    }
}

/// A button under the message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Button {
    /// Sends `id` back to the bot when tapped.
    QuickReply { id: String, label: String },
    /// Opens `url`; at most one variable, at its end (`https://shop.example/t/{{order_id}}`).
    Url { label: String, url: String },
    /// Calls `phone_number` (international format, `+` and digits).
    PhoneNumber { label: String, phone_number: String },
    /// Copies `code` (at most 15 characters; a literal or one variable). Marketing only.
    CopyCode { code: String },
}

impl Button {
    pub fn label(&self) -> &str {
        match self {
            Button::QuickReply { label, .. }
            | Button::Url { label, .. }
            | Button::PhoneNumber { label, .. } => label,
            // WhatsApp shows its own label ("Copy offer code") on this button.
            Button::CopyCode { .. } => "Copy offer code",
        }
    }

    pub fn type_name(&self) -> &'static str {
        match self {
            Button::QuickReply { .. } => "quick_reply",
            Button::Url { .. } => "url",
            Button::PhoneNumber { .. } => "phone_number",
            Button::CopyCode { .. } => "copy_code",
        }
    }
}

/// Buttons as clients send them: with a `type`, or the original design's `{id, label}`, which
/// is a quick reply.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawButton {
    #[serde(rename = "type")]
    kind: Option<String>,
    id: Option<String>,
    label: Option<String>,
    url: Option<String>,
    phone_number: Option<String>,
    code: Option<String>,
}

impl<'de> Deserialize<'de> for Button {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Button, D::Error> {
        use serde::de::Error;
        let raw = RawButton::deserialize(d)?;
        let need = |value: Option<String>, field: &str| {
            value.ok_or_else(|| {
                D::Error::custom(format!(
                    "a {} button needs `{field}`",
                    raw.kind.as_deref().unwrap_or("quick_reply")
                ))
            })
        };
        match raw.kind.as_deref().unwrap_or("quick_reply") {
            "quick_reply" => Ok(Button::QuickReply {
                id: need(raw.id.clone(), "id")?,
                label: need(raw.label.clone(), "label")?,
            }),
            "url" => Ok(Button::Url {
                label: need(raw.label.clone(), "label")?,
                url: need(raw.url.clone(), "url")?,
            }),
            "phone_number" => Ok(Button::PhoneNumber {
                label: need(raw.label.clone(), "label")?,
                phone_number: need(raw.phone_number.clone(), "phone_number")?,
            }),
            "copy_code" => Ok(Button::CopyCode {
                code: need(raw.code.clone(), "code")?,
            }),
            other => Err(D::Error::custom(format!(
                "unknown button type {other:?}: one of quick_reply, url, phone_number, copy_code"
            ))),
        }
    }
}

/// A list message's contents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ListSpec {
    /// The label of the button that opens the list (at most 20 characters).
    pub button: String,
    pub sections: Vec<ListSection>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ListSection {
    /// At most 24 characters; required when there are several sections.
    #[serde(default)]
    pub title: String,
    pub rows: Vec<ListRow>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ListRow {
    pub id: String,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub description: Option<String>,
}

/// A variable the template uses, and an example value for it.
///
/// Named templates use the placeholder's name (`order_id`). Positional templates number their
/// placeholders per part, as WhatsApp does: the body's `{{1}}` is `1`, the header's is
/// `header.1`, the URL or copy-code button at index 2 has `button.2.1`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VariableDecl {
    pub name: String,
    #[serde(default)]
    pub example: String,
}

/// Variables as clients send them: `{name, example}` objects, or the original design's bare
/// names (whose missing examples the rules then report).
fn variables<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<VariableDecl>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Name(String),
        Decl(VariableDecl),
    }
    let raw = Vec::<Raw>::deserialize(d)?;
    Ok(raw
        .into_iter()
        .map(|r| match r {
            Raw::Name(name) => VariableDecl {
                name,
                example: String::new(),
            },
            Raw::Decl(decl) => decl,
        })
        .collect())
}

use botdesk_store::Id;
use botdesk_store::tables::message_templates::MessageTemplate;

/// A stored row whose content cannot be read back (written by something that broke the model).
#[derive(Debug, thiserror::Error)]
#[error("stored template {name:?} has unreadable {field}: {reason}")]
pub struct StoredContentError {
    pub name: String,
    pub field: &'static str,
    pub reason: String,
}

/// The content of a stored template.
pub fn from_stored(t: &MessageTemplate) -> Result<TemplateContent, StoredContentError> {
    let bad = |field: &'static str, reason: String| StoredContentError {
        name: t.name.clone(),
        field,
        reason,
    };
    let media = || {
        t.header_media_id
            .map(|id| id.to_string())
            .unwrap_or_default()
    };
    let header = match t.header_type {
        HeaderType::None => Header::None,
        HeaderType::Text => Header::Text {
            text: t.header_text.clone().unwrap_or_default(),
        },
        HeaderType::Image => Header::Image { media_id: media() },
        HeaderType::Video => Header::Video { media_id: media() },
        HeaderType::Document => Header::Document { media_id: media() },
    };
    let buttons =
        serde_json::from_value(t.buttons.clone()).map_err(|e| bad("buttons", e.to_string()))?;
    let sections: Vec<ListSection> = serde_json::from_value(t.list_sections.clone())
        .map_err(|e| bad("list_sections", e.to_string()))?;
    let list = match (&t.list_button, sections.is_empty()) {
        (None, true) => None,
        (button, _) => Some(ListSpec {
            button: button.clone().unwrap_or_default(),
            sections,
        }),
    };
    let variables =
        serde_json::from_value(t.variables.clone()).map_err(|e| bad("variables", e.to_string()))?;
    Ok(TemplateContent {
        name: t.name.clone(),
        kind: t.kind,
        category: t.category,
        language: t.language.clone(),
        parameter_format: t.parameter_format,
        header,
        body: t.body.clone(),
        footer: t.footer.clone(),
        buttons,
        list,
        variables,
    })
}

/// The stored row for `content`, keeping what is not content (status, version, author) from
/// `base`. `header_media` is the header's media record, already checked to exist.
pub fn to_stored(
    content: &TemplateContent,
    header_media: Option<Id>,
    base: &MessageTemplate,
) -> MessageTemplate {
    MessageTemplate {
        name: content.name.clone(),
        kind: content.kind,
        category: content.category,
        language: content.language.clone(),
        parameter_format: content.parameter_format,
        header_type: content.header.header_type(),
        header_text: match &content.header {
            Header::Text { text } => Some(text.clone()),
            _ => None,
        },
        header_media_id: header_media,
        body: content.body.clone(),
        footer: content.footer.clone().filter(|f| !f.is_empty()),
        buttons: to_json(&content.buttons),
        list_button: content.list.as_ref().map(|l| l.button.clone()),
        list_sections: content
            .list
            .as_ref()
            .map_or_else(|| serde_json::json!([]), |l| to_json(&l.sections)),
        variables: to_json(&content.variables),
        ..base.clone()
    }
}

/// Serialising the model's own types cannot fail (no maps with non-string keys, no floats).
fn to_json<T: Serialize>(value: &T) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or(serde_json::Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_original_designs_create_request_reads() {
        let content: TemplateContent = serde_json::from_value(serde_json::json!({
            "name": "order_confirmation",
            "type": "buttons",
            "body": "Order confirmed! {{order_id}}",
            "buttons": [{"id": "track", "label": "Track"}],
            "variables": ["order_id", "amount"]
        }))
        .unwrap();
        assert_eq!(content.kind, TemplateKind::Buttons);
        assert_eq!(
            content.buttons,
            [Button::QuickReply {
                id: "track".into(),
                label: "Track".into()
            }]
        );
        assert_eq!(
            content.variables[1],
            VariableDecl {
                name: "amount".into(),
                example: String::new()
            }
        );
        assert_eq!(content.header, Header::None);
        assert_eq!(content.language, "en");
    }

    #[test]
    fn buttons_round_trip_and_bad_ones_say_why() {
        let url = Button::Url {
            label: "Pay".into(),
            url: "https://pay.example/{{ref}}".into(),
        };
        let json = serde_json::to_value(&url).unwrap();
        assert_eq!(json["type"], "url");
        assert_eq!(serde_json::from_value::<Button>(json).unwrap(), url);
        let err =
            serde_json::from_value::<Button>(serde_json::json!({"type": "url", "label": "x"}))
                .unwrap_err();
        assert!(err.to_string().contains("needs `url`"), "{err}");
        let err =
            serde_json::from_value::<Button>(serde_json::json!({"type": "carousel"})).unwrap_err();
        assert!(err.to_string().contains("unknown button type"), "{err}");
    }
}
