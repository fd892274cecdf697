//! Rendering a compiled template with values: what the customer's phone shows, and the exact
//! JSON the WhatsApp Cloud API takes to send it, as an approved template (`type: template`)
//! or, inside the 24-hour window, as the session message of the template's kind (plain text,
//! interactive reply buttons, list, CTA URL, or a media message).
//!
//! Values are keyed like the declared variables (see [`crate::model::VariableDecl`]). A value is
//! copied as it is: a `{{x}}` inside it is never expanded again.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use ts_rs::TS;
use utoipa::ToSchema;

use crate::model::{Button, Header, ListSpec, ParameterFormat, TemplateKind};
use crate::parse::{Placeholder, Text};
use crate::rules::{Compiled, Issue, Part};

/// The values to fill in, by variable.
pub type Values = HashMap<String, String>;

/// The message as the phone shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, ToSchema)]
pub struct Rendered {
    pub header: Option<RenderedHeader>,
    pub body: String,
    pub footer: Option<String>,
    pub buttons: Vec<RenderedButton>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub list: Option<ListSpec>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum RenderedHeader {
    Text { text: String },
    Image { media_id: String },
    Video { media_id: String },
    Document { media_id: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, ToSchema)]
pub struct RenderedButton {
    /// `quick_reply`, `url`, `phone_number` or `copy_code`.
    #[serde(rename = "type")]
    pub kind: String,
    pub label: String,
    /// The reply id, the URL, the phone number or the code.
    pub value: String,
}

/// Where a header's media comes from when sending: a WhatsApp media id, or a public link. Without
/// one, the payload names the botdesk media record's id (for the bot to replace).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum MediaRef {
    Id(String),
    Link(String),
}

/// Who a payload is for, and the header media.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SendOptions {
    /// The recipient's phone number (international format); a placeholder when absent.
    #[serde(default)]
    #[ts(optional)]
    pub to: Option<String>,
    #[serde(default)]
    #[ts(optional)]
    pub header_media: Option<MediaRef>,
}

fn value_issue(code: &str, field: &str, message: String, p: Option<&Placeholder>) -> Issue {
    Issue {
        code: code.to_owned(),
        message,
        field: field.to_owned(),
        at: p.map(|p| p.at),
        len: p.map(|p| p.len),
        limit: None,
        variable: p.map(|p| p.name.clone()),
    }
}

impl Compiled {
    fn key(&self, part: Part, name: &str) -> String {
        part.key(self.content.parameter_format, name)
    }

    fn fill(
        &self,
        part: Part,
        text: &Text,
        values: &Values,
        field: &str,
        issues: &mut Vec<Issue>,
    ) -> String {
        let mut out = String::with_capacity(text.literal_chars + 16 * text.segments.len());
        let format = self.content.parameter_format;
        let missing = text.render_into(&mut out, |name| part.value(format, name, values));
        for p in missing {
            issues.push(value_issue(
                "template.value_missing",
                field,
                format!(
                    "no value for {{{{{}}}}} (line {}, column {})",
                    p.name, p.at.line, p.at.column
                ),
                Some(p),
            ));
        }
        out
    }

    /// Fills in `values`. Missing values, and values for variables the template does not use,
    /// are reported.
    pub fn render(&self, values: &Values) -> Result<Rendered, Vec<Issue>> {
        let mut issues = Vec::new();
        let header = match &self.content.header {
            Header::None => None,
            Header::Text { .. } => self.header.as_ref().map(|t| RenderedHeader::Text {
                text: self.fill(Part::Header, t, values, "header.text", &mut issues),
            }),
            Header::Image { media_id } => Some(RenderedHeader::Image {
                media_id: media_id.clone(),
            }),
            Header::Video { media_id } => Some(RenderedHeader::Video {
                media_id: media_id.clone(),
            }),
            Header::Document { media_id } => Some(RenderedHeader::Document {
                media_id: media_id.clone(),
            }),
        };
        let body = self.fill(Part::Body, &self.body, values, "body", &mut issues);
        let footer = self
            .footer
            .as_ref()
            .map(|t| self.fill(Part::Body, t, values, "footer", &mut issues));
        let mut buttons = Vec::with_capacity(self.content.buttons.len());
        for (i, button) in self.content.buttons.iter().enumerate() {
            let value = match (button, self.button_texts.get(&i)) {
                (Button::QuickReply { id, .. }, _) => id.clone(),
                (Button::PhoneNumber { phone_number, .. }, _) => phone_number.clone(),
                (Button::Url { .. } | Button::CopyCode { .. }, Some(text)) => {
                    let field = if matches!(button, Button::Url { .. }) {
                        "url"
                    } else {
                        "code"
                    };
                    self.fill(
                        Part::Button(i),
                        text,
                        values,
                        &format!("buttons[{i}].{field}"),
                        &mut issues,
                    )
                }
                (Button::Url { url, .. }, None) => url.clone(),
                (Button::CopyCode { code }, None) => code.clone(),
            };
            buttons.push(RenderedButton {
                kind: button.type_name().to_owned(),
                label: button.label().to_owned(),
                value,
            });
        }
        let mut unknown: Vec<&String> = values.keys().filter(|k| !self.keys.contains(*k)).collect();
        unknown.sort();
        for name in unknown {
            issues.push(value_issue(
                "template.value_unknown",
                "variables",
                format!("{name:?} is not a variable of this template"),
                None,
            ));
        }
        if issues.is_empty() {
            Ok(Rendered {
                header,
                body,
                footer,
                buttons,
                list: self.content.list.clone(),
            })
        } else {
            Err(issues)
        }
    }

    /// The Cloud API request that sends this template as an approved WhatsApp template.
    pub fn template_send(
        &self,
        values: &Values,
        options: &SendOptions,
    ) -> Result<Value, Vec<Issue>> {
        if self.content.kind == TemplateKind::List {
            return Err(vec![value_issue(
                "template.list_has_no_template_send",
                "type",
                "WhatsApp templates cannot carry a list: a list is sent as an interactive message in the 24-hour window".into(),
                None,
            )]);
        }
        let mut issues = Vec::new();
        let too_long = self.content.body.chars().count()
            > crate::rules::BODY_MAX.limit.unwrap_or(1024) as usize;
        if too_long {
            issues.push(value_issue(
                "template.body_too_long_for_template_send",
                "body",
                "a body over 1024 characters can only be sent as plain text in the 24-hour window"
                    .into(),
                None,
            ));
        }
        let mut components = Vec::new();
        match &self.content.header {
            Header::Text { .. } => {
                if let Some(text) = &self.header
                    && text.placeholders().next().is_some()
                {
                    let params =
                        self.parameters(Part::Header, text, values, "header.text", &mut issues);
                    components.push(json!({"type": "header", "parameters": params}));
                }
            }
            header => {
                if let Some((kind, id)) = media_header(header) {
                    components.push(json!({"type": "header", "parameters": [{"type": kind, kind: media(options, id)}]}));
                }
            }
        }
        if self.body.placeholders().next().is_some() {
            let params = self.parameters(Part::Body, &self.body, values, "body", &mut issues);
            components.push(json!({"type": "body", "parameters": params}));
        }
        for (i, button) in self.content.buttons.iter().enumerate() {
            let index = i.to_string();
            match button {
                Button::QuickReply { id, .. } => components.push(json!({
                    "type": "button", "sub_type": "quick_reply", "index": index,
                    "parameters": [{"type": "payload", "payload": id}]
                })),
                Button::Url { .. } => {
                    if let Some(text) = self.button_texts.get(&i)
                        && let Some(p) = text.placeholders().next()
                    {
                        let key = self.key(Part::Button(i), &p.name);
                        let value = self.parameter_value(
                            &key,
                            p,
                            values,
                            &format!("buttons[{i}].url"),
                            &mut issues,
                        );
                        components.push(json!({
                            "type": "button", "sub_type": "url", "index": index,
                            "parameters": [{"type": "text", "text": value}]
                        }));
                    }
                }
                Button::CopyCode { code } => {
                    let value = match self
                        .button_texts
                        .get(&i)
                        .and_then(|t| t.placeholders().next())
                    {
                        Some(p) => {
                            let key = self.key(Part::Button(i), &p.name);
                            self.parameter_value(
                                &key,
                                p,
                                values,
                                &format!("buttons[{i}].code"),
                                &mut issues,
                            )
                        }
                        None => code.clone(),
                    };
                    components.push(json!({
                        "type": "button", "sub_type": "copy_code", "index": index,
                        "parameters": [{"type": "coupon_code", "coupon_code": value}]
                    }));
                }
                Button::PhoneNumber { .. } => {}
            }
        }
        if !issues.is_empty() {
            return Err(issues);
        }
        let mut template = json!({
            "name": self.content.name,
            "language": {"code": self.content.language},
        });
        if !components.is_empty() {
            template["components"] = Value::Array(components);
        }
        Ok(envelope(options, "template", template))
    }

    /// The parameters of one part, in WhatsApp's order: positional by number, named in order of
    /// first appearance; each name once.
    fn parameters(
        &self,
        part: Part,
        text: &Text,
        values: &Values,
        field: &str,
        issues: &mut Vec<Issue>,
    ) -> Vec<Value> {
        let mut seen = std::collections::HashSet::new();
        let mut placeholders: Vec<&Placeholder> = text
            .placeholders()
            .filter(|p| seen.insert(p.name.as_str()))
            .collect();
        let named = self.content.parameter_format == ParameterFormat::Named;
        if !named {
            placeholders.sort_by_key(|p| p.name.parse::<u32>().unwrap_or(u32::MAX));
        }
        placeholders
            .into_iter()
            .map(|p| {
                let value =
                    self.parameter_value(&self.key(part, &p.name), p, values, field, issues);
                if named {
                    json!({"type": "text", "parameter_name": p.name, "text": value})
                } else {
                    json!({"type": "text", "text": value})
                }
            })
            .collect()
    }

    /// A template parameter's value. WhatsApp refuses parameters with new lines, tabs or more
    /// than four spaces in a row (error 132018): they are reported, not sent.
    fn parameter_value(
        &self,
        key: &str,
        p: &Placeholder,
        values: &Values,
        field: &str,
        issues: &mut Vec<Issue>,
    ) -> String {
        let Some(value) = values.get(key) else {
            issues.push(value_issue(
                "template.value_missing",
                field,
                format!("no value for {{{{{}}}}}", p.name),
                Some(p),
            ));
            return String::new();
        };
        if value.contains(['\n', '\t']) || value.contains("     ") {
            issues.push(value_issue(
                "template.parameter_invalid",
                field,
                format!("the value of {{{{{}}}}} has a line break, a tab or more than 4 spaces in a row, which WhatsApp refuses in template parameters", p.name),
                Some(p),
            ));
        }
        if value.trim().is_empty() {
            issues.push(value_issue(
                "template.parameter_empty",
                field,
                format!("the value of {{{{{}}}}} is empty", p.name),
                Some(p),
            ));
        }
        value.clone()
    }

    /// The Cloud API request for this template's kind inside the 24-hour window.
    pub fn session_message(
        &self,
        values: &Values,
        options: &SendOptions,
    ) -> Result<Value, Vec<Issue>> {
        let rendered = self.render(values)?;
        self.session_message_of(&rendered, options)
    }

    /// [`Compiled::session_message`] for a message already rendered.
    pub fn session_message_of(
        &self,
        r: &Rendered,
        options: &SendOptions,
    ) -> Result<Value, Vec<Issue>> {
        let header = match &r.header {
            Some(RenderedHeader::Text { text }) => Some(json!({"type": "text", "text": text})),
            Some(_) => media_header(&self.content.header)
                .map(|(kind, id)| json!({"type": kind, kind: media(options, id)})),
            None => None,
        };
        let interactive = |kind: &str, action: Value| {
            let mut i = json!({"type": kind, "body": {"text": r.body}, "action": action});
            if let Some(h) = &header {
                i["header"] = h.clone();
            }
            if let Some(f) = &r.footer {
                i["footer"] = json!({"text": f});
            }
            envelope(options, "interactive", i)
        };
        Ok(match self.content.kind {
            TemplateKind::Text => {
                let mut text = String::new();
                if let Some(RenderedHeader::Text { text: h }) = &r.header {
                    text.push_str(&format!("*{h}*\n\n"));
                }
                text.push_str(&r.body);
                if let Some(f) = &r.footer {
                    text.push_str(&format!("\n\n_{f}_"));
                }
                let preview = text.contains("https://") || text.contains("http://");
                envelope(
                    options,
                    "text",
                    json!({"preview_url": preview, "body": text}),
                )
            }
            TemplateKind::Buttons => {
                let buttons: Vec<Value> = r
                    .buttons
                    .iter()
                    .filter(|b| b.kind == "quick_reply")
                    .map(|b| json!({"type": "reply", "reply": {"id": b.value, "title": b.label}}))
                    .collect();
                interactive("button", json!({"buttons": buttons}))
            }
            TemplateKind::List => {
                let list = r.list.clone().unwrap_or(ListSpec {
                    button: String::new(),
                    sections: Vec::new(),
                });
                let sections: Vec<Value> = list
                    .sections
                    .iter()
                    .map(|s| {
                        let rows: Vec<Value> = s
                            .rows
                            .iter()
                            .map(|row| {
                                let mut v = json!({"id": row.id, "title": row.title});
                                if let Some(d) = &row.description {
                                    v["description"] = json!(d);
                                }
                                v
                            })
                            .collect();
                        let mut v = json!({"rows": rows});
                        if !s.title.is_empty() {
                            v["title"] = json!(s.title);
                        }
                        v
                    })
                    .collect();
                interactive("list", json!({"button": list.button, "sections": sections}))
            }
            TemplateKind::CtaUrl => {
                let button = r.buttons.iter().find(|b| b.kind == "url");
                let (label, url) = button.map_or((String::new(), String::new()), |b| {
                    (b.label.clone(), b.value.clone())
                });
                interactive(
                    "cta_url",
                    json!({"name": "cta_url", "parameters": {"display_text": label, "url": url}}),
                )
            }
            TemplateKind::Media => {
                let Some((kind, media_id)) = media_header(&self.content.header) else {
                    return Err(vec![value_issue(
                        "template.media_header_missing",
                        "header",
                        "a media message needs its image, video or document".into(),
                        None,
                    )]);
                };
                let mut m = media(options, media_id);
                m["caption"] = json!(r.body);
                envelope(options, kind, m)
            }
        })
    }
}

/// The Cloud API's name for a media header, and its media id.
fn media_header(header: &Header) -> Option<(&'static str, &str)> {
    match header {
        Header::Image { media_id } => Some(("image", media_id)),
        Header::Video { media_id } => Some(("video", media_id)),
        Header::Document { media_id } => Some(("document", media_id)),
        Header::None | Header::Text { .. } => None,
    }
}

fn media(options: &SendOptions, media_id: &str) -> Value {
    match &options.header_media {
        Some(MediaRef::Id(id)) => json!({"id": id}),
        Some(MediaRef::Link(link)) => json!({"link": link}),
        None => json!({"id": media_id}),
    }
}

fn envelope(options: &SendOptions, kind: &str, content: Value) -> Value {
    let mut message = json!({
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": options.to.clone().unwrap_or_else(|| "RECIPIENT_PHONE_NUMBER".into()),
        "type": kind,
    });
    message[kind] = content;
    message
}
