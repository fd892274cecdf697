//! WhatsApp's rules for templates, in one table ([`RULES`]) with the source of each, and the
//! check that applies them. Every problem becomes an [`Issue`] with its own code, the field it is
//! in, the position in that field's text when there is one, and the limit in its message.
//!
//! Lengths are counted in characters (Unicode scalar values), as WhatsApp counts them; a
//! placeholder counts as written (`{{order_id}}` is 12).

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Serialize;
use ts_rs::TS;
use utoipa::ToSchema;

use crate::model::{
    Button, Header, ParameterFormat, TemplateCategory, TemplateContent, TemplateKind,
};
use crate::parse::{self, Placeholder, Position, Segment, Text};

const COMPONENTS: &str = "https://developers.facebook.com/docs/whatsapp/business-management-api/message-templates/components";
const REPLY_BUTTONS: &str = "https://developers.facebook.com/docs/whatsapp/cloud-api/messages/interactive-reply-buttons-messages";
const LIST: &str =
    "https://developers.facebook.com/docs/whatsapp/cloud-api/messages/interactive-list-messages";
const CTA_URL: &str =
    "https://developers.facebook.com/docs/whatsapp/cloud-api/messages/interactive-cta-url-messages";
const TEXT: &str = "https://developers.facebook.com/docs/whatsapp/cloud-api/messages/text-messages";
const GUIDELINES: &str =
    "https://developers.facebook.com/docs/whatsapp/message-templates/guidelines";
const BOTDESK: &str = "botdesk (docs/guide.md, Templates)";

/// One of WhatsApp's rules: its code, its limit when it has one, and where it comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS, ToSchema)]
pub struct Rule {
    pub code: &'static str,
    pub limit: Option<u32>,
    pub rule: &'static str,
    pub source: &'static str,
}

macro_rules! rules {
    ($($name:ident = $code:literal, $limit:expr, $rule:literal, $source:expr;)+) => {
        $(pub const $name: Rule = Rule { code: $code, limit: $limit, rule: $rule, source: $source };)+
        /// Every rule, for the docs and the editor.
        pub const RULES: &[Rule] = &[$($name),+];
    };
}

rules! {
    NAME = "template.name_invalid", Some(512), "name: lower-case letters, digits and _, 1 to 512 characters", COMPONENTS;
    LANGUAGE = "template.language_invalid", None, "language: a WhatsApp language code such as en, en_US or pt_BR", COMPONENTS;
    BODY_EMPTY = "template.body_empty", None, "the body has text", COMPONENTS;
    BODY_MAX = "template.body_too_long", Some(1024), "body at most 1024 characters", COMPONENTS;
    TEXT_BODY_MAX = "template.text_body_too_long", Some(4096), "a plain text message at most 4096 characters", TEXT;
    HEADER_TEXT_MAX = "template.header_text_too_long", Some(60), "header text at most 60 characters", COMPONENTS;
    HEADER_TEXT_EMPTY = "template.header_text_empty", None, "a text header has text", COMPONENTS;
    HEADER_VARS = "template.header_too_many_variables", Some(1), "at most one variable in the header", COMPONENTS;
    HEADER_MEDIA = "template.header_media_missing", None, "a media header names a media file", COMPONENTS;
    FOOTER_MAX = "template.footer_too_long", Some(60), "footer at most 60 characters", COMPONENTS;
    FOOTER_VARS = "template.footer_has_variables", Some(0), "no variables in the footer", COMPONENTS;
    BUTTONS_MAX = "template.too_many_buttons", Some(10), "at most 10 buttons in all", COMPONENTS;
    BUTTON_LABEL_MAX = "template.button_label_too_long", Some(25), "button labels at most 25 characters", COMPONENTS;
    BUTTON_LABEL_EMPTY = "template.button_label_empty", None, "every button has a label", COMPONENTS;
    QUICK_REPLIES_GROUPED = "template.quick_replies_not_grouped", None, "quick replies in one contiguous group", COMPONENTS;
    URL_BUTTONS_MAX = "template.too_many_url_buttons", Some(2), "at most 2 URL buttons", COMPONENTS;
    URL_MAX = "template.url_too_long", Some(2000), "a button URL at most 2000 characters", COMPONENTS;
    URL_INVALID = "template.url_invalid", None, "a button URL is an http(s) URL", COMPONENTS;
    URL_VARS = "template.url_variable_misplaced", Some(1), "at most one variable in a URL, at its end", COMPONENTS;
    PHONE_BUTTONS_MAX = "template.too_many_phone_buttons", Some(1), "at most 1 phone number button", COMPONENTS;
    PHONE_INVALID = "template.phone_invalid", None, "a phone number in international format (+ and digits)", COMPONENTS;
    COPY_CODE_MAX_BUTTONS = "template.too_many_copy_code_buttons", Some(1), "at most 1 copy code button", COMPONENTS;
    COPY_CODE_MAX = "template.copy_code_too_long", Some(15), "a copy code at most 15 characters", COMPONENTS;
    COPY_CODE_MARKETING = "template.copy_code_not_marketing", None, "copy code buttons only in marketing templates", COMPONENTS;
    REPLY_BUTTONS_MAX = "template.too_many_reply_buttons", Some(3), "an interactive message has at most 3 reply buttons", REPLY_BUTTONS;
    REPLY_TITLE_MAX = "template.reply_title_too_long", Some(20), "a reply button title at most 20 characters", REPLY_BUTTONS;
    REPLY_ID_MAX = "template.reply_id_too_long", Some(256), "a reply button id at most 256 characters", REPLY_BUTTONS;
    REPLY_ID = "template.reply_id_invalid", None, "every reply button has its own non-empty id", REPLY_BUTTONS;
    BUTTONS_REQUIRED = "template.buttons_missing", Some(1), "a buttons template has at least one quick reply", REPLY_BUTTONS;
    BUTTONS_NOT_ALLOWED = "template.buttons_not_allowed", Some(0), "text and list templates have no buttons", BOTDESK;
    LIST_REQUIRED = "template.list_missing", None, "a list template has a list", LIST;
    LIST_NOT_ALLOWED = "template.list_not_allowed", None, "only list templates have a list", BOTDESK;
    LIST_BUTTON_MAX = "template.list_button_too_long", Some(20), "the list button at most 20 characters", LIST;
    LIST_ROWS_MAX = "template.too_many_list_rows", Some(10), "at most 10 rows across all sections", LIST;
    LIST_ROWS_MIN = "template.list_rows_missing", Some(1), "a list has at least one row", LIST;
    LIST_ROW_TITLE_MAX = "template.list_row_title_too_long", Some(24), "a row title at most 24 characters", LIST;
    LIST_ROW_DESCRIPTION_MAX = "template.list_row_description_too_long", Some(72), "a row description at most 72 characters", LIST;
    LIST_SECTION_TITLE_MAX = "template.list_section_title_too_long", Some(24), "a section title at most 24 characters", LIST;
    LIST_SECTION_TITLE = "template.list_section_title_missing", None, "with several sections, each has a title", LIST;
    LIST_ROW_ID = "template.list_row_id_invalid", Some(200), "every row has its own id, at most 200 characters", LIST;
    CTA_URL_BUTTON = "template.cta_url_button_missing", Some(1), "a CTA URL template has exactly one URL button and no other", CTA_URL;
    CTA_URL_LABEL_MAX = "template.cta_url_label_too_long", Some(20), "the CTA button text at most 20 characters", CTA_URL;
    MEDIA_HEADER = "template.media_header_missing", None, "a media template has an image, video or document header", COMPONENTS;
    VAR_AT_START = "template.variable_at_start", None, "a variable may not open the body", GUIDELINES;
    VAR_AT_END = "template.variable_at_end", None, "a variable may not close the body", GUIDELINES;
    VARS_ADJACENT = "template.variables_adjacent", None, "two variables may not touch (only spaces between them)", GUIDELINES;
    VAR_DENSITY = "template.too_many_variables", Some(3), "at least 3 words of fixed text per variable in the body", GUIDELINES;
    POSITIONAL_GAP = "template.positional_gap", None, "positional variables are numbered 1, 2, 3… without gaps", COMPONENTS;
    FORMAT_MISMATCH = "template.variable_format_mismatch", None, "named templates use {{name}}, positional ones {{1}}", COMPONENTS;
    VAR_UNDECLARED = "template.variable_undeclared", None, "every variable used is declared", BOTDESK;
    VAR_UNUSED = "template.variable_unused", None, "every variable declared is used", BOTDESK;
    VAR_DUPLICATE = "template.variable_duplicate", None, "a variable is declared once", BOTDESK;
    VAR_EXAMPLE = "template.variable_example_missing", None, "every variable has an example value", COMPONENTS;
}

/// A problem with a template, located.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, ToSchema)]
pub struct Issue {
    pub code: String,
    /// A sentence for a person, with the limit when there is one.
    pub message: String,
    /// Where: `name`, `body`, `header.text`, `footer`, `buttons[2].label`,
    /// `list.sections[0].rows[1].title`, `variables[3].example` …
    pub field: String,
    /// The position in that field's text, for text fields.
    pub at: Option<Position>,
    /// Length of the offending span (UTF-16 code units), with `at`.
    pub len: Option<u32>,
    pub limit: Option<u32>,
    /// The variable it is about (its value or its example), so that one missing example is
    /// reported once and the editor can point at that variable's input.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub variable: Option<String>,
}

impl Issue {
    fn new(rule: &Rule, field: impl Into<String>, message: impl Into<String>) -> Issue {
        Issue {
            code: rule.code.to_owned(),
            message: message.into(),
            field: field.into(),
            at: None,
            len: None,
            limit: rule.limit,
            variable: None,
        }
    }

    fn about(mut self, variable: &str) -> Issue {
        self.variable = Some(variable.to_owned());
        self
    }

    fn at(mut self, p: &Placeholder) -> Issue {
        self.at = Some(p.at);
        self.len = Some(p.len);
        self
    }

    fn from_parse(field: &str, issue: parse::ParseIssue) -> Issue {
        Issue {
            code: issue.code.to_owned(),
            message: issue.message,
            field: field.to_owned(),
            at: Some(issue.at),
            len: Some(issue.len),
            limit: None,
            variable: None,
        }
    }
}

fn chars(s: &str) -> usize {
    s.chars().count()
}

fn too_long(rule: &Rule, field: impl Into<String>, what: &str, value: &str) -> Option<Issue> {
    let limit = rule.limit.unwrap_or(u32::MAX) as usize;
    let n = chars(value);
    (n > limit).then(|| {
        Issue::new(
            rule,
            field,
            format!("{what} is {n} characters; WhatsApp allows at most {limit}"),
        )
    })
}

/// Which part of the template a placeholder is in: positional numbering restarts in each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Part {
    Header,
    Body,
    Button(usize),
}

impl Part {
    /// The value for placeholder `name` of this part, without building its key where the key
    /// is the name itself (named templates, and the body of positional ones).
    pub fn value<'v>(
        self,
        format: ParameterFormat,
        name: &str,
        values: &'v HashMap<String, String>,
    ) -> Option<&'v str> {
        match (format, self) {
            (ParameterFormat::Named, _) | (ParameterFormat::Positional, Part::Body) => {
                values.get(name)
            }
            _ => values.get(&self.key(format, name)),
        }
        .map(String::as_str)
    }

    /// The declared variable a placeholder of this part stands for (see [`crate::model::VariableDecl`]).
    pub fn key(self, format: ParameterFormat, name: &str) -> String {
        match (format, self) {
            (ParameterFormat::Named, _) | (ParameterFormat::Positional, Part::Body) => {
                name.to_owned()
            }
            (ParameterFormat::Positional, Part::Header) => format!("header.{name}"),
            (ParameterFormat::Positional, Part::Button(i)) => format!("button.{i}.{name}"),
        }
    }

    fn field(self, buttons: &[Button]) -> String {
        match self {
            Part::Header => "header.text".into(),
            Part::Body => "body".into(),
            Part::Button(i) => match buttons.get(i) {
                Some(Button::CopyCode { .. }) => format!("buttons[{i}].code"),
                _ => format!("buttons[{i}].url"),
            },
        }
    }
}

/// A template whose texts parsed: what the renderer works from.
#[derive(Debug, Clone)]
pub struct Compiled {
    pub content: TemplateContent,
    pub header: Option<Text>,
    pub body: Text,
    pub footer: Option<Text>,
    /// The parsed URL (URL buttons) or code (copy code buttons), by button index.
    pub button_texts: BTreeMap<usize, Text>,
    /// The key of every variable the texts use, known once so that rendering does not rebuild it.
    pub keys: HashSet<String>,
}

impl Compiled {
    /// Every text with placeholders, with its part.
    pub fn parts(&self) -> impl Iterator<Item = (Part, &Text)> {
        self.header
            .iter()
            .map(|t| (Part::Header, t))
            .chain(std::iter::once((Part::Body, &self.body)))
            .chain(self.button_texts.iter().map(|(i, t)| (Part::Button(*i), t)))
    }
}

/// The outcome of checking a template: what could be compiled, and every problem.
#[derive(Debug, Clone)]
pub struct Checked {
    /// `None` when a text did not parse.
    pub compiled: Option<Compiled>,
    pub issues: Vec<Issue>,
}

/// Checks `content` against every rule.
pub fn check(content: &TemplateContent) -> Checked {
    // Problems in the texts themselves come first: they are the most specific (10,000
    // placeholders is that, more than it is a long body).
    let mut issues = Vec::new();

    let mut parse_field = |field: &str, text: &str| match parse::parse(text) {
        Ok(t) => Some(t),
        Err(errs) => {
            issues.extend(errs.into_iter().map(|e| Issue::from_parse(field, e)));
            None
        }
    };
    let header = match &content.header {
        Header::Text { text } => Some(parse_field("header.text", text)),
        _ => None,
    };
    let body = parse_field("body", &content.body);
    let footer = content.footer.as_deref().map(|f| parse_field("footer", f));
    let mut button_texts = BTreeMap::new();
    let mut buttons_ok = true;
    for (i, button) in content.buttons.iter().enumerate() {
        let parsed = match button {
            Button::Url { url, .. } => parse_field(&format!("buttons[{i}].url"), url),
            Button::CopyCode { code } => parse_field(&format!("buttons[{i}].code"), code),
            _ => continue,
        };
        match parsed {
            Some(t) => {
                button_texts.insert(i, t);
            }
            None => buttons_ok = false,
        }
    }
    check_fields(content, &mut issues);
    let (Some(body), true, true, true) = (
        body,
        header.as_ref().is_none_or(Option::is_some),
        footer.as_ref().is_none_or(Option::is_some),
        buttons_ok,
    ) else {
        return Checked {
            compiled: None,
            issues,
        };
    };
    let mut compiled = Compiled {
        content: content.clone(),
        header: header.flatten(),
        body,
        footer: footer.flatten(),
        button_texts,
        keys: HashSet::new(),
    };
    let format = content.parameter_format;
    compiled.keys = compiled
        .parts()
        .flat_map(|(part, text)| text.placeholders().map(move |p| part.key(format, &p.name)))
        .collect();
    check_texts(&compiled, &mut issues);
    check_variables(&compiled, &mut issues);
    Checked {
        compiled: Some(compiled),
        issues,
    }
}

fn check_fields(c: &TemplateContent, issues: &mut Vec<Issue>) {
    let name_ok = !c.name.is_empty()
        && chars(&c.name) <= 512
        && c.name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if !name_ok {
        issues.push(Issue::new(
            &NAME,
            "name",
            format!("{:?} is not a template name: use lower-case letters, digits and _ (at most 512), e.g. order_shipped", truncate(&c.name)),
        ));
    }
    if !valid_language(&c.language) {
        issues.push(Issue::new(
            &LANGUAGE,
            "language",
            format!(
                "{:?} is not a WhatsApp language code (such as en, en_US, pt_BR)",
                truncate(&c.language)
            ),
        ));
    }
    if c.body.trim().is_empty() {
        issues.push(Issue::new(&BODY_EMPTY, "body", "the body is empty"));
    }
    let body_rule = if c.kind == TemplateKind::Text {
        &TEXT_BODY_MAX
    } else {
        &BODY_MAX
    };
    issues.extend(too_long(body_rule, "body", "the body", &c.body));
    match &c.header {
        Header::Text { text } => {
            if text.trim().is_empty() {
                issues.push(Issue::new(
                    &HEADER_TEXT_EMPTY,
                    "header.text",
                    "the header text is empty",
                ));
            }
            issues.extend(too_long(
                &HEADER_TEXT_MAX,
                "header.text",
                "the header",
                text,
            ));
        }
        Header::Image { media_id } | Header::Video { media_id } | Header::Document { media_id }
            if media_id.trim().is_empty() =>
        {
            issues.push(Issue::new(
                &HEADER_MEDIA,
                "header.media_id",
                "choose the media file for the header",
            ));
        }
        _ => {}
    }
    if let Some(footer) = &c.footer {
        issues.extend(too_long(&FOOTER_MAX, "footer", "the footer", footer));
    }
    check_buttons(c, issues);
    check_kind(c, issues);
}

fn truncate(s: &str) -> String {
    if chars(s) > 40 {
        format!("{}…", s.chars().take(40).collect::<String>())
    } else {
        s.to_owned()
    }
}

fn valid_language(code: &str) -> bool {
    let (lang, region) = code
        .split_once('_')
        .map_or((code, None), |(l, r)| (l, Some(r)));
    (2..=3).contains(&lang.len())
        && lang.bytes().all(|b| b.is_ascii_lowercase())
        && region.is_none_or(|r| r.len() == 2 && r.bytes().all(|b| b.is_ascii_uppercase()))
}

fn check_buttons(c: &TemplateContent, issues: &mut Vec<Issue>) {
    let buttons = &c.buttons;
    if buttons.len() > 10 {
        issues.push(Issue::new(
            &BUTTONS_MAX,
            "buttons",
            format!("{} buttons; WhatsApp allows at most 10", buttons.len()),
        ));
    }
    let quick: Vec<usize> = buttons
        .iter()
        .enumerate()
        .filter(|(_, b)| matches!(b, Button::QuickReply { .. }))
        .map(|(i, _)| i)
        .collect();
    if let (Some(first), Some(last)) = (quick.first(), quick.last())
        && last - first + 1 != quick.len()
    {
        issues.push(Issue::new(
            &QUICK_REPLIES_GROUPED,
            "buttons",
            "quick replies must be next to each other, before or after the other buttons",
        ));
    }
    let count = |f: fn(&Button) -> bool| buttons.iter().filter(|b| f(b)).count();
    let urls = count(|b| matches!(b, Button::Url { .. }));
    if urls > 2 {
        issues.push(Issue::new(
            &URL_BUTTONS_MAX,
            "buttons",
            format!("{urls} URL buttons; WhatsApp allows at most 2"),
        ));
    }
    if count(|b| matches!(b, Button::PhoneNumber { .. })) > 1 {
        issues.push(Issue::new(
            &PHONE_BUTTONS_MAX,
            "buttons",
            "only one phone number button is allowed",
        ));
    }
    if count(|b| matches!(b, Button::CopyCode { .. })) > 1 {
        issues.push(Issue::new(
            &COPY_CODE_MAX_BUTTONS,
            "buttons",
            "only one copy code button is allowed",
        ));
    }
    let mut ids = HashSet::new();
    for (i, button) in buttons.iter().enumerate() {
        let label_field = format!("buttons[{i}].label");
        if !matches!(button, Button::CopyCode { .. }) {
            if button.label().trim().is_empty() {
                issues.push(Issue::new(
                    &BUTTON_LABEL_EMPTY,
                    &label_field,
                    "the button has no label",
                ));
            }
            issues.extend(too_long(
                &BUTTON_LABEL_MAX,
                &label_field,
                "the label",
                button.label(),
            ));
        }
        match button {
            Button::QuickReply { id, .. } => {
                let field = format!("buttons[{i}].id");
                if id.trim().is_empty() || !ids.insert(id.as_str()) {
                    issues.push(Issue::new(
                        &REPLY_ID,
                        &field,
                        "each quick reply needs its own id (what the bot receives)",
                    ));
                }
                issues.extend(too_long(&REPLY_ID_MAX, &field, "the id", id));
            }
            Button::Url { url, .. } => {
                let field = format!("buttons[{i}].url");
                issues.extend(too_long(&URL_MAX, &field, "the URL", url));
                let lower = url.to_ascii_lowercase();
                let host = lower
                    .strip_prefix("https://")
                    .or_else(|| lower.strip_prefix("http://"));
                if host.is_none_or(|h| {
                    h.is_empty() || h.starts_with(['/', '{']) || url.contains(char::is_whitespace)
                }) {
                    issues.push(Issue::new(
                        &URL_INVALID,
                        &field,
                        "the URL must start with https:// and a host name, with no spaces",
                    ));
                }
            }
            Button::PhoneNumber { phone_number, .. } => {
                let digits = phone_number.strip_prefix('+').unwrap_or(phone_number);
                if !(6..=20).contains(&digits.len()) || !digits.bytes().all(|b| b.is_ascii_digit())
                {
                    issues.push(Issue::new(
                        &PHONE_INVALID,
                        format!("buttons[{i}].phone_number"),
                        "write the number in international format, e.g. +15551234567",
                    ));
                }
            }
            Button::CopyCode { .. } => {
                if c.category != TemplateCategory::Marketing {
                    issues.push(Issue::new(
                        &COPY_CODE_MARKETING,
                        format!("buttons[{i}].code"),
                        "copy code buttons are only allowed in marketing templates",
                    ));
                }
            }
        }
    }
}

fn check_kind(c: &TemplateContent, issues: &mut Vec<Issue>) {
    let quick: Vec<(usize, &String, &String)> = c
        .buttons
        .iter()
        .enumerate()
        .filter_map(|(i, b)| match b {
            Button::QuickReply { id, label } => Some((i, id, label)),
            _ => None,
        })
        .collect();
    match c.kind {
        TemplateKind::Text => {
            if !c.buttons.is_empty() {
                issues.push(Issue::new(
                    &BUTTONS_NOT_ALLOWED,
                    "buttons",
                    "a text template has no buttons; use the buttons or cta_url type",
                ));
            }
        }
        TemplateKind::Buttons => {
            if quick.is_empty() {
                issues.push(Issue::new(
                    &BUTTONS_REQUIRED,
                    "buttons",
                    "add at least one quick reply button",
                ));
            }
            if quick.len() > 3 {
                issues.push(Issue::new(
                    &REPLY_BUTTONS_MAX,
                    "buttons",
                    format!(
                        "{} quick replies; an interactive message shows at most 3",
                        quick.len()
                    ),
                ));
            }
            for (i, _, label) in &quick {
                issues.extend(too_long(
                    &REPLY_TITLE_MAX,
                    format!("buttons[{i}].label"),
                    "the reply button title",
                    label,
                ));
            }
        }
        TemplateKind::List => {
            if !c.buttons.is_empty() {
                issues.push(Issue::new(
                    &BUTTONS_NOT_ALLOWED,
                    "buttons",
                    "a list template has no buttons: its rows are the choices",
                ));
            }
        }
        TemplateKind::CtaUrl => {
            let urls: Vec<(usize, &String)> = c
                .buttons
                .iter()
                .enumerate()
                .filter_map(|(i, b)| match b {
                    Button::Url { label, .. } => Some((i, label)),
                    _ => None,
                })
                .collect();
            if urls.len() != 1 || c.buttons.len() != 1 {
                issues.push(Issue::new(
                    &CTA_URL_BUTTON,
                    "buttons",
                    "a CTA URL template has exactly one URL button and no other button",
                ));
            }
            for (i, label) in urls {
                issues.extend(too_long(
                    &CTA_URL_LABEL_MAX,
                    format!("buttons[{i}].label"),
                    "the button text",
                    label,
                ));
            }
        }
        TemplateKind::Media => {
            if c.header.media_id().is_none() {
                issues.push(Issue::new(
                    &MEDIA_HEADER,
                    "header",
                    "a media template shows an image, video or document header",
                ));
            }
        }
    }
    match (&c.list, c.kind) {
        (None, TemplateKind::List) => issues.push(Issue::new(
            &LIST_REQUIRED,
            "list",
            "add the list: a button label and at least one row",
        )),
        (Some(_), kind) if kind != TemplateKind::List => {
            issues.push(Issue::new(
                &LIST_NOT_ALLOWED,
                "list",
                "only list templates have a list",
            ));
        }
        (Some(list), _) => check_list(list, issues),
        (None, _) => {}
    }
}

fn check_list(list: &crate::model::ListSpec, issues: &mut Vec<Issue>) {
    issues.extend(too_long(
        &LIST_BUTTON_MAX,
        "list.button",
        "the list button",
        &list.button,
    ));
    if list.button.trim().is_empty() {
        issues.push(Issue::new(
            &BUTTON_LABEL_EMPTY,
            "list.button",
            "the list button has no label",
        ));
    }
    let rows: usize = list.sections.iter().map(|s| s.rows.len()).sum();
    if rows == 0 {
        issues.push(Issue::new(
            &LIST_ROWS_MIN,
            "list.sections",
            "add at least one row",
        ));
    }
    if rows > 10 {
        issues.push(Issue::new(
            &LIST_ROWS_MAX,
            "list.sections",
            format!("{rows} rows; WhatsApp allows at most 10 across all sections"),
        ));
    }
    let mut ids = HashSet::new();
    for (s, section) in list.sections.iter().enumerate() {
        let field = format!("list.sections[{s}].title");
        issues.extend(too_long(
            &LIST_SECTION_TITLE_MAX,
            &field,
            "the section title",
            &section.title,
        ));
        if list.sections.len() > 1 && section.title.trim().is_empty() {
            issues.push(Issue::new(
                &LIST_SECTION_TITLE,
                &field,
                "with several sections, each needs a title",
            ));
        }
        for (r, row) in section.rows.iter().enumerate() {
            let at = format!("list.sections[{s}].rows[{r}]");
            issues.extend(too_long(
                &LIST_ROW_TITLE_MAX,
                format!("{at}.title"),
                "the row title",
                &row.title,
            ));
            if row.title.trim().is_empty() {
                issues.push(Issue::new(
                    &BUTTON_LABEL_EMPTY,
                    format!("{at}.title"),
                    "the row has no title",
                ));
            }
            if let Some(d) = &row.description {
                issues.extend(too_long(
                    &LIST_ROW_DESCRIPTION_MAX,
                    format!("{at}.description"),
                    "the description",
                    d,
                ));
            }
            if row.id.trim().is_empty() || chars(&row.id) > 200 || !ids.insert(row.id.as_str()) {
                issues.push(Issue::new(
                    &LIST_ROW_ID,
                    format!("{at}.id"),
                    "each row needs its own id of at most 200 characters",
                ));
            }
        }
    }
}

/// Rules on where placeholders stand.
fn check_texts(c: &Compiled, issues: &mut Vec<Issue>) {
    if let Some(footer) = &c.footer
        && let Some(p) = footer.placeholders().next()
    {
        issues.push(Issue::new(&FOOTER_VARS, "footer", "the footer cannot have variables").at(p));
    }
    if let Some(header) = &c.header {
        let vars: Vec<&Placeholder> = header.placeholders().collect();
        if vars.len() > 1 {
            issues.push(
                Issue::new(
                    &HEADER_VARS,
                    "header.text",
                    format!("{} variables in the header; WhatsApp allows 1", vars.len()),
                )
                .at(vars[1]),
            );
        }
    }
    for (i, text) in &c.button_texts {
        let field = Part::Button(*i).field(&c.content.buttons);
        let vars: Vec<&Placeholder> = text.placeholders().collect();
        let last_is_var = matches!(text.segments.last(), Some(Segment::Placeholder(_)));
        let copy = matches!(c.content.buttons.get(*i), Some(Button::CopyCode { .. }));
        if vars.len() > 1
            || (!vars.is_empty() && !last_is_var)
            || (copy && !vars.is_empty() && text.segments.len() > 1)
        {
            let what = if copy {
                "a copy code is either fixed text or one variable"
            } else {
                "a URL has at most one variable, at its very end"
            };
            issues.push(Issue::new(&URL_VARS, &field, what).at(vars[vars.len() - 1]));
        }
        if copy && vars.is_empty() {
            let code = text
                .segments
                .iter()
                .map(|s| {
                    if let Segment::Literal(l) = s {
                        l.as_str()
                    } else {
                        ""
                    }
                })
                .collect::<String>();
            issues.extend(too_long(&COPY_CODE_MAX, &field, "the code", &code));
        }
    }
    // The body: where variables stand, and how many for its length.
    let segments: Vec<&Segment> = c
        .body
        .segments
        .iter()
        .filter(|s| !matches!(s, Segment::Literal(l) if l.trim().is_empty()))
        .collect();
    if let Some(Segment::Placeholder(p)) = segments.first() {
        issues.push(
            Issue::new(
                &VAR_AT_START,
                "body",
                "the body cannot begin with a variable: add some text before it",
            )
            .at(p),
        );
    }
    if let Some(Segment::Placeholder(p)) = segments.last() {
        issues.push(
            Issue::new(
                &VAR_AT_END,
                "body",
                "the body cannot end with a variable: add some text (even a full stop) after it",
            )
            .at(p),
        );
    }
    let mut previous: Option<&Segment> = None;
    for segment in &c.body.segments {
        if let (Some(Segment::Placeholder(_)), Segment::Placeholder(p)) = (previous, segment) {
            issues.push(
                Issue::new(
                    &VARS_ADJACENT,
                    "body",
                    "two variables touch: put words between them",
                )
                .at(p),
            );
        }
        let blank = matches!(segment, Segment::Literal(l) if l.trim().is_empty());
        if !blank {
            previous = Some(segment);
        }
    }
    let vars = c.body.placeholders().count();
    let words: usize = c
        .body
        .segments
        .iter()
        .map(|s| {
            if let Segment::Literal(l) = s {
                l.split_whitespace().count()
            } else {
                0
            }
        })
        .sum();
    if vars > 0 && words < 3 * vars {
        issues.push(Issue::new(
            &VAR_DENSITY,
            "body",
            format!("{vars} variables need at least {} words of fixed text around them (there are {words}); WhatsApp rejects templates that are mostly variables", 3 * vars),
        ));
    }
}

/// Rules on the variables: format, numbering, declarations, examples.
fn check_variables(c: &Compiled, issues: &mut Vec<Issue>) {
    let format = c.content.parameter_format;
    let buttons = &c.content.buttons;
    let mut used: HashMap<String, &Placeholder> = HashMap::new();
    let mut used_in: Vec<(String, Part, &Placeholder)> = Vec::new();
    for (part, text) in c.parts() {
        let mut numbers = Vec::new();
        for p in text.placeholders() {
            match (format, p.is_positional()) {
                (ParameterFormat::Named, true) => {
                    issues.push(Issue::new(&FORMAT_MISMATCH, part.field(buttons), format!("{{{{{}}}}} is positional, but this template uses named variables like {{{{order_id}}}}", p.name)).at(p));
                    continue;
                }
                (ParameterFormat::Positional, false) => {
                    issues.push(Issue::new(&FORMAT_MISMATCH, part.field(buttons), format!("{{{{{}}}}} is named, but this template uses positional variables {{{{1}}}}, {{{{2}}}}…", p.name)).at(p));
                    continue;
                }
                (ParameterFormat::Positional, true) => {
                    numbers.push((p.name.parse::<u32>().unwrap_or(0), p))
                }
                (ParameterFormat::Named, false) => {}
            }
            let key = part.key(format, &p.name);
            used.entry(key.clone()).or_insert(p);
            used_in.push((key, part, p));
        }
        numbers.sort_by_key(|(n, _)| *n);
        numbers.dedup_by_key(|(n, _)| *n);
        for (expected, (n, p)) in (1u32..).zip(&numbers) {
            if *n != expected {
                issues.push(Issue::new(&POSITIONAL_GAP, part.field(buttons), format!("{{{{{n}}}}} comes where {{{{{expected}}}}} is missing: number the variables 1, 2, 3… without gaps")).at(p));
                break;
            }
        }
    }
    let mut declared: HashMap<&str, usize> = HashMap::new();
    for (i, v) in c.content.variables.iter().enumerate() {
        if declared.insert(v.name.as_str(), i).is_some() {
            issues.push(Issue::new(
                &VAR_DUPLICATE,
                format!("variables[{i}].name"),
                format!("{:?} is declared twice", v.name),
            ));
            continue;
        }
        if !used.contains_key(&v.name) {
            issues.push(Issue::new(
                &VAR_UNUSED,
                format!("variables[{i}].name"),
                format!(
                    "{:?} is declared but not used: remove it, or use {{{{{}}}}}",
                    v.name, v.name
                ),
            ));
        }
        if v.example.trim().is_empty() {
            issues.push(
                Issue::new(
                    &VAR_EXAMPLE,
                    format!("variables[{i}].example"),
                    format!(
                        "add an example for {{{{{}}}}}: WhatsApp reviews a template with an example of each variable",
                        v.name
                    ),
                )
                .about(&v.name),
            );
        }
    }
    let mut reported = HashSet::new();
    for (key, part, p) in used_in {
        if !declared.contains_key(key.as_str()) && reported.insert(key.clone()) {
            issues.push(
                Issue::new(
                    &VAR_UNDECLARED,
                    part.field(buttons),
                    format!(
                        "{{{{{}}}}} is not declared: add {key:?} to the variables with an example",
                        p.name
                    ),
                )
                .at(p),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ListRow, ListSection, ListSpec, VariableDecl};

    fn base() -> TemplateContent {
        serde_json::from_value(serde_json::json!({
            "name": "order_shipped",
            "type": "text",
            "body": "Hi {{name}}, your order {{order_id}} has shipped and will arrive soon.",
            "variables": [{"name": "name", "example": "Amina"}, {"name": "order_id", "example": "ORD-1"}]
        }))
        .unwrap()
    }

    fn codes(c: &TemplateContent) -> Vec<String> {
        check(c).issues.into_iter().map(|i| i.code).collect()
    }

    #[test]
    fn a_good_template_has_no_issues() {
        assert_eq!(codes(&base()), Vec::<String>::new());
    }

    #[test]
    fn every_rule_code_is_unique_and_has_a_source() {
        let mut seen = HashSet::new();
        for rule in RULES {
            assert!(seen.insert(rule.code), "{} twice", rule.code);
            assert!(rule.code.starts_with("template."));
            assert!(!rule.source.is_empty() && !rule.rule.is_empty());
        }
    }

    #[test]
    fn lengths_have_their_limits_in_the_message() {
        let mut c = base();
        c.kind = TemplateKind::Buttons;
        c.body = format!(
            "Hi {{{{name}}}}, order {{{{order_id}}}} {}.",
            "x".repeat(1100)
        );
        c.footer = Some("f".repeat(61));
        c.header = Header::Text {
            text: "h".repeat(61),
        };
        c.buttons = vec![Button::QuickReply {
            id: "a".into(),
            label: "l".repeat(26),
        }];
        let issues = check(&c).issues;
        for (code, limit) in [
            ("template.body_too_long", "1024"),
            ("template.footer_too_long", "60"),
            ("template.header_text_too_long", "60"),
            ("template.button_label_too_long", "25"),
            ("template.reply_title_too_long", "20"),
        ] {
            let issue = issues
                .iter()
                .find(|i| i.code == code)
                .unwrap_or_else(|| panic!("{code} in {issues:?}"));
            assert!(issue.message.contains(limit), "{}", issue.message);
        }
        let mut text = base();
        text.body = format!(
            "Hi {{{{name}}}}, order {{{{order_id}}}} {}.",
            "word ".repeat(220)
        );
        assert_eq!(
            codes(&text),
            Vec::<String>::new(),
            "a plain text message may be up to 4096"
        );
        text.body = "y".repeat(4097);
        assert!(codes(&text).contains(&"template.text_body_too_long".into()));
    }

    #[test]
    fn variables_are_located_and_named() {
        let mut c = base();
        c.body =
            "{{name}} your order\n{{order_id}} {{extra}} shipped, tracking soon on the way".into();
        let issues = check(&c).issues;
        let start = issues
            .iter()
            .find(|i| i.code == "template.variable_at_start")
            .unwrap();
        assert_eq!(start.at.map(|a| (a.line, a.column)), Some((1, 1)));
        let adjacent = issues
            .iter()
            .find(|i| i.code == "template.variables_adjacent")
            .unwrap();
        assert_eq!(adjacent.at.map(|a| (a.line, a.column)), Some((2, 14)));
        let undeclared = issues
            .iter()
            .find(|i| i.code == "template.variable_undeclared")
            .unwrap();
        assert!(undeclared.message.contains("extra"));

        let mut c = base();
        c.body = "Hello there, your order is {{order_id}}".into();
        let codes = codes(&c);
        assert!(codes.contains(&"template.variable_at_end".into()));
        assert!(
            codes.contains(&"template.variable_unused".into()),
            "{codes:?}"
        );
    }

    #[test]
    fn examples_density_and_duplicates() {
        let mut c = base();
        c.variables[1].example = " ".into();
        c.variables.push(VariableDecl {
            name: "name".into(),
            example: "x".into(),
        });
        let codes_now = codes(&c);
        assert!(codes_now.contains(&"template.variable_example_missing".into()));
        assert!(codes_now.contains(&"template.variable_duplicate".into()));
        let mut dense = base();
        dense.body = "Hi {{name}} and {{order_id}}.".into();
        assert!(codes(&dense).contains(&"template.too_many_variables".into()));
    }

    #[test]
    fn positional_templates_number_each_part_without_gaps() {
        let mut c = base();
        c.parameter_format = ParameterFormat::Positional;
        c.body = "Hello {{1}}, your order {{3}} has shipped today.".into();
        c.variables = vec![
            VariableDecl {
                name: "1".into(),
                example: "A".into(),
            },
            VariableDecl {
                name: "3".into(),
                example: "B".into(),
            },
        ];
        assert!(codes(&c).contains(&"template.positional_gap".into()));
        c.body = "Hello {{1}}, your order {{2}} has shipped today.".into();
        c.header = Header::Text {
            text: "For {{1}}".into(),
        };
        c.variables = ["1", "2", "header.1"]
            .iter()
            .map(|n| VariableDecl {
                name: (*n).into(),
                example: "x".into(),
            })
            .collect();
        assert_eq!(codes(&c), Vec::<String>::new());
        c.body = "Hello {{name}}, your order {{2}} has shipped today.".into();
        assert!(codes(&c).contains(&"template.variable_format_mismatch".into()));
    }

    #[test]
    fn buttons_follow_whatsapps_rules() {
        let mut c = base();
        c.kind = TemplateKind::Buttons;
        c.category = TemplateCategory::Utility;
        let qr = |id: &str| Button::QuickReply {
            id: id.into(),
            label: "Ok".into(),
        };
        let url = |u: &str| Button::Url {
            label: "Open".into(),
            url: u.into(),
        };
        c.buttons = vec![
            qr("a"),
            url("https://x.example/{{order_id}}"),
            qr("b"),
            url("https://x.example"),
            url("ftp://x"),
            Button::PhoneNumber {
                label: "Call".into(),
                phone_number: "12".into(),
            },
            Button::CopyCode {
                code: "SAVE10".into(),
            },
            qr("a"),
            qr("c"),
        ];
        let codes = codes(&c);
        for code in [
            "template.quick_replies_not_grouped",
            "template.too_many_url_buttons",
            "template.url_invalid",
            "template.phone_invalid",
            "template.copy_code_not_marketing",
            "template.reply_id_invalid",
            "template.too_many_reply_buttons",
        ] {
            assert!(codes.contains(&code.to_owned()), "{code} in {codes:?}");
        }
        let mut c = base();
        c.kind = TemplateKind::CtaUrl;
        c.buttons = vec![Button::Url {
            label: "Pay".into(),
            url: "https://pay.example/{{order_id}}/now".into(),
        }];
        assert!(self::codes(&c).contains(&"template.url_variable_misplaced".into()));
        c.buttons = vec![Button::Url {
            label: "Pay".into(),
            url: "https://pay.example/p/{{order_id}}".into(),
        }];
        assert_eq!(self::codes(&c), Vec::<String>::new());
    }

    #[test]
    fn lists_follow_whatsapps_rules() {
        let mut c = base();
        c.kind = TemplateKind::List;
        assert!(codes(&c).contains(&"template.list_missing".into()));
        let row = |id: &str| ListRow {
            id: id.into(),
            title: "t".into(),
            description: Some("d".repeat(73)),
        };
        c.list = Some(ListSpec {
            button: "Choose one of these fine options".into(),
            sections: vec![
                ListSection {
                    title: String::new(),
                    rows: (0..6).map(|i| row(&i.to_string())).collect(),
                },
                ListSection {
                    title: "s".repeat(25),
                    rows: (0..5).map(|i| row(&format!("x{i}"))).collect(),
                },
            ],
        });
        let codes = codes(&c);
        for code in [
            "template.list_button_too_long",
            "template.too_many_list_rows",
            "template.list_row_description_too_long",
            "template.list_section_title_too_long",
            "template.list_section_title_missing",
        ] {
            assert!(codes.contains(&code.to_owned()), "{code} in {codes:?}");
        }
    }

    #[test]
    fn names_languages_and_kinds() {
        let mut c = base();
        c.name = "Order Shipped".into();
        c.language = "english".into();
        c.buttons = vec![Button::QuickReply {
            id: "a".into(),
            label: "A".into(),
        }];
        let codes = codes(&c);
        for code in [
            "template.name_invalid",
            "template.language_invalid",
            "template.buttons_not_allowed",
        ] {
            assert!(codes.contains(&code.to_owned()), "{code} in {codes:?}");
        }
        let mut m = base();
        m.kind = TemplateKind::Media;
        assert!(self::codes(&m).contains(&"template.media_header_missing".into()));
    }

    #[test]
    fn parse_errors_come_with_their_field_and_position() {
        let mut c = base();
        c.body = "Hi {{ name }}, order {{order_id}} shipped today".into();
        let checked = check(&c);
        assert!(checked.compiled.is_none());
        let issue = &checked.issues[0];
        assert_eq!(
            (issue.code.as_str(), issue.field.as_str()),
            ("template.placeholder_malformed", "body")
        );
        assert_eq!(issue.at.map(|a| a.column), Some(4));
    }
}
