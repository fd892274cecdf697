//! Listing message templates (the original design's `GET /api/templates?type=&status=`).

use botdesk_store::Stored;
use botdesk_store::tables::message_templates::{
    self, MessageTemplate, TemplateKind, TemplateStatus,
};

use crate::ctx::Ctx;
use crate::dto::{TemplateDto, TemplateQuery};
use crate::error::CoreError;

pub(crate) fn dto(t: Stored<MessageTemplate>) -> TemplateDto {
    let m = t.meta;
    let d = t.data;
    TemplateDto {
        id: m.id.to_string(),
        name: d.name,
        kind: d.kind.as_str().to_owned(),
        category: d.category.as_str().to_owned(),
        language: d.language,
        status: d.status.as_str().to_owned(),
        whatsapp_status: d.whatsapp_status,
        parameter_format: d.parameter_format.as_str().to_owned(),
        header_type: d.header_type.as_str().to_owned(),
        header_text: d.header_text,
        header_media_id: d.header_media_id.map(|id| id.to_string()),
        body: d.body,
        footer: d.footer,
        buttons: d.buttons,
        list_button: d.list_button,
        list_sections: d.list_sections,
        variables: d.variables,
        version: d.version,
        created_at: m.created_at.to_string(),
        updated_at: m.updated_at.to_string(),
    }
}

/// Live templates by name, optionally of one type and status.
pub fn list(ctx: &Ctx, query: TemplateQuery) -> Result<Vec<TemplateDto>, CoreError> {
    let kind = parse::<TemplateKind>(query.kind.as_deref(), "type")?;
    let status = parse::<TemplateStatus>(query.status.as_deref(), "status")?;
    let rows = ctx
        .store()
        .read(|c| message_templates::list_by(c, kind, status))?;
    Ok(rows.into_iter().map(dto).collect())
}

fn parse<T>(value: Option<&str>, field: &'static str) -> Result<Option<T>, CoreError>
where
    T: std::str::FromStr<Err = botdesk_store::UnknownVariant>,
{
    match value {
        None | Some("") => Ok(None),
        Some(text) => text
            .parse()
            .map(Some)
            .map_err(|e: botdesk_store::UnknownVariant| {
                CoreError::invalid_field(
                    "request.invalid_filter",
                    field,
                    format!(
                        "{field} must be one of {}, not {text:?}",
                        e.allowed.join(", ")
                    ),
                )
            }),
    }
}
