//! The templates area's wire types: queries, saves, status changes, rollbacks, previews,
//! versions and diffs.

use botdesk_templates::diff::ContentDiff;
use botdesk_templates::model::TemplateStatus;
use botdesk_templates::{Issue, MediaRef, Rendered, TemplateContent};
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use utoipa::openapi::schema::{KnownFormat, SchemaFormat, SchemaType};
use utoipa::openapi::{Ref, RefOr, Schema};
use utoipa::{IntoParams, PartialSchema, ToSchema};

// Templates -------------------------------------------------------------------------------------

/// `GET /api/templates` query: the original design's `?type=&status=`, and a search.
#[derive(
    Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize, TS, ToSchema, IntoParams,
)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TemplateQuery {
    /// `text`, `buttons`, `list`, `media` or `cta_url`.
    #[serde(rename = "type")]
    #[ts(optional)]
    pub kind: Option<String>,
    /// `draft`, `active` or `archived`.
    #[ts(optional)]
    pub status: Option<String>,
    /// Words to find in the name or the body.
    #[ts(optional)]
    pub q: Option<String>,
}

/// A template: its content, where it stands, and which version it is at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct TemplateDto {
    pub id: String,
    pub status: TemplateStatus,
    /// WhatsApp's own review status, when known (APPROVED, PENDING, REJECTED …).
    pub whatsapp_status: Option<String>,
    /// Bumped by every save; a save names the version it started from.
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
    #[serde(flatten)]
    #[ts(flatten)]
    pub content: TemplateContent,
}

/// Its schema is one object: the content's fields beside its own. (A derived `allOf` of the
/// content, which refuses fields it does not know, with the rest could never be met.)
impl utoipa::PartialSchema for TemplateDto {
    fn schema() -> RefOr<Schema> {
        use utoipa::openapi::schema::{Object, ObjectBuilder, Type};
        let own = ObjectBuilder::new()
            .schema_type(Type::Object)
            .description(Some(
                "A template: its content, where it stands, and which version it is at.",
            ))
            .property("id", Object::with_type(Type::String))
            .required("id")
            .property(
                "status",
                Ref::from_schema_name(<TemplateStatus as ToSchema>::name()),
            )
            .required("status")
            .property(
                "whatsapp_status",
                ObjectBuilder::new()
                    .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
                    .description(Some(
                        "WhatsApp's own review status, when known (APPROVED, PENDING, REJECTED …).",
                    )),
            )
            .property(
                "version",
                ObjectBuilder::new()
                    .schema_type(Type::Integer)
                    .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
                    .description(Some(
                        "Bumped by every save; a save names the version it started from.",
                    )),
            )
            .required("version")
            .property("created_at", Object::with_type(Type::String))
            .required("created_at")
            .property("updated_at", Object::with_type(Type::String))
            .required("updated_at")
            .build();
        let RefOr::T(Schema::Object(content)) = TemplateContent::schema() else {
            return RefOr::T(Schema::Object(own));
        };
        let mut merged = own;
        merged.properties.extend(content.properties);
        merged.required.extend(content.required);
        RefOr::T(Schema::Object(merged))
    }
}

impl ToSchema for TemplateDto {
    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        schemas.push((
            <TemplateStatus as ToSchema>::name().into_owned(),
            TemplateStatus::schema(),
        ));
        TemplateContent::schemas(schemas);
    }
}

/// A save of a template's content.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, TS, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TemplateUpdate {
    /// The version the editor started from: the save is refused if the template changed since.
    pub base_version: i64,
    pub content: TemplateContent,
    /// What changed, in words; made up from the changed fields when absent.
    #[serde(default)]
    #[ts(optional)]
    pub change_summary: Option<String>,
}

/// Moving a template to draft, active or archived.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, TS, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TemplateStatusChange {
    pub status: TemplateStatus,
    pub base_version: i64,
}

/// Going back to an earlier version: by its number, or by its id.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, TS, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TemplateRollback {
    #[serde(default)]
    #[ts(optional)]
    pub version: Option<i64>,
    #[serde(default)]
    #[ts(optional)]
    pub version_id: Option<String>,
    pub base_version: i64,
}

/// What `DELETE /api/templates/{id}` did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, ToSchema)]
pub struct TemplateRemovedDto {
    pub outcome: RemovalOutcome,
    /// The archived template, when archived.
    pub template: Option<TemplateDto>,
}

/// `POST /api/templates/validate`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, TS, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TemplateValidateRequest {
    pub content: TemplateContent,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, ToSchema)]
pub struct ValidationDto {
    /// Every problem, located; empty when the template can be saved.
    pub issues: Vec<Issue>,
}

/// `POST /api/templates/preview`: a saved template (`template_id`, the original design's shape)
/// or the editor's unsaved `draft`, filled with `variables` (declared examples fill the rest).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize, TS, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreviewRequest {
    #[serde(default)]
    #[ts(optional)]
    pub template_id: Option<String>,
    #[serde(default)]
    #[ts(optional)]
    pub draft: Option<TemplateContent>,
    #[serde(default)]
    pub variables: std::collections::BTreeMap<String, String>,
    #[serde(default)]
    #[ts(optional)]
    pub to: Option<String>,
    #[serde(default)]
    #[ts(optional)]
    pub header_media: Option<MediaRef>,
}

/// A template filled in: what the phone shows, the Cloud API requests, and every problem.
#[derive(Debug, Clone, PartialEq, Serialize, TS, ToSchema)]
pub struct PreviewDto {
    /// What the phone shows; `null` when a text does not parse.
    pub rendered: Option<Rendered>,
    /// The request that sends it as an approved WhatsApp template.
    #[ts(type = "unknown")]
    #[schema(value_type = Option<Object>)]
    pub template_send: Option<serde_json::Value>,
    /// The request for its kind inside the 24-hour window.
    #[ts(type = "unknown")]
    #[schema(value_type = Option<Object>)]
    pub session_message: Option<serde_json::Value>,
    pub issues: Vec<Issue>,
}

/// One saved version of a template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, ToSchema)]
pub struct TemplateVersionDto {
    pub id: String,
    pub version: i64,
    pub status: TemplateStatus,
    pub change_summary: String,
    pub actor: Option<String>,
    pub created_at: String,
}

/// `GET /api/templates/{id}/diff` query.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, TS, ToSchema, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DiffQuery {
    pub from: i64,
    pub to: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS, ToSchema)]
pub struct TemplateDiffDto {
    pub from: i64,
    pub to: i64,
    #[serde(flatten)]
    #[ts(flatten)]
    pub diff: ContentDiff,
}

/// What removing a template did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum RemovalOutcome {
    /// A draft that was never active: gone.
    Deleted,
    /// It was active once: archived, its versions kept.
    Archived,
}
