use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use botdesk_core::dto::{
    DiffQuery, ErrorBodyDto, PreviewDto, PreviewRequest, TemplateDiffDto, TemplateDto,
    TemplateQuery, TemplateRemovedDto, TemplateRollback, TemplateStatusChange, TemplateUpdate,
    TemplateValidateRequest, TemplateVersionDto, ValidationDto,
};
use botdesk_core::ops;
use botdesk_core::ops::keys::Access;
use botdesk_core::store::Actor;

use crate::AppState;
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiQuery};

type Reply<T> = Result<Json<T>, ApiError>;

fn actor(access: &Access) -> Actor {
    access.actor()
}

/// Message templates by name, optionally of one type and status, matching `q`.
#[utoipa::path(get, path = "/api/templates", tag = "templates", params(TemplateQuery),
    responses((status = 200, body = Vec<TemplateDto>), (status = 400, body = ErrorBodyDto)))]
pub async fn list(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<TemplateQuery>,
) -> Reply<Vec<TemplateDto>> {
    Ok(Json(
        state
            .ctx
            .blocking(move |ctx| ops::templates::list(ctx, query))
            .await?,
    ))
}

/// Creates a draft template (version 1). Refused, with every problem located, when it breaks a
/// rule.
#[utoipa::path(post, path = "/api/templates", tag = "templates", request_body = botdesk_core::templates::TemplateContent,
    responses((status = 201, body = TemplateDto), (status = 400, body = ErrorBodyDto), (status = 409, body = ErrorBodyDto)))]
pub async fn create(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
    ApiJson(content): ApiJson<botdesk_core::templates::TemplateContent>,
) -> Result<(StatusCode, Json<TemplateDto>), ApiError> {
    let actor = actor(&access);
    let t = state
        .ctx
        .blocking(move |ctx| ops::templates::create(ctx, &actor, content))
        .await?;
    Ok((StatusCode::CREATED, Json(t)))
}

#[utoipa::path(get, path = "/api/templates/{id}", tag = "templates",
    responses((status = 200, body = TemplateDto), (status = 404, body = ErrorBodyDto)))]
pub async fn get(State(state): State<AppState>, Path(id): Path<String>) -> Reply<TemplateDto> {
    Ok(Json(
        state
            .ctx
            .blocking(move |ctx| ops::templates::get(ctx, &id))
            .await?,
    ))
}

/// Saves new content as a new version; refused when the template changed since `base_version`.
#[utoipa::path(put, path = "/api/templates/{id}", tag = "templates", request_body = TemplateUpdate,
    responses((status = 200, body = TemplateDto), (status = 400, body = ErrorBodyDto),
              (status = 404, body = ErrorBodyDto), (status = 409, body = ErrorBodyDto)))]
pub async fn update(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
    Path(id): Path<String>,
    ApiJson(update): ApiJson<TemplateUpdate>,
) -> Reply<TemplateDto> {
    let actor = actor(&access);
    Ok(Json(
        state
            .ctx
            .blocking(move |ctx| ops::templates::update(ctx, &actor, &id, update))
            .await?,
    ))
}

/// Deletes a draft that was never active; archives a template that was.
#[utoipa::path(delete, path = "/api/templates/{id}", tag = "templates",
    responses((status = 200, body = TemplateRemovedDto), (status = 404, body = ErrorBodyDto)))]
pub async fn remove(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
    Path(id): Path<String>,
) -> Reply<TemplateRemovedDto> {
    let actor = actor(&access);
    Ok(Json(
        state
            .ctx
            .blocking(move |ctx| ops::templates::remove(ctx, &actor, &id))
            .await?,
    ))
}

/// Activates, archives or returns a template to draft (a new version).
#[utoipa::path(post, path = "/api/templates/{id}/status", tag = "templates", request_body = TemplateStatusChange,
    responses((status = 200, body = TemplateDto), (status = 400, body = ErrorBodyDto), (status = 409, body = ErrorBodyDto)))]
pub async fn set_status(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
    Path(id): Path<String>,
    ApiJson(change): ApiJson<TemplateStatusChange>,
) -> Reply<TemplateDto> {
    let actor = actor(&access);
    Ok(Json(
        state
            .ctx
            .blocking(move |ctx| ops::templates::set_status(ctx, &actor, &id, change))
            .await?,
    ))
}

/// Brings back an earlier version's content as a new version.
#[utoipa::path(post, path = "/api/templates/{id}/rollback", tag = "templates", request_body = TemplateRollback,
    responses((status = 200, body = TemplateDto), (status = 400, body = ErrorBodyDto),
              (status = 404, body = ErrorBodyDto), (status = 409, body = ErrorBodyDto)))]
pub async fn rollback(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<TemplateRollback>,
) -> Reply<TemplateDto> {
    let actor = actor(&access);
    Ok(Json(
        state
            .ctx
            .blocking(move |ctx| ops::templates::rollback(ctx, &actor, &id, request))
            .await?,
    ))
}

/// A template's versions, newest first.
#[utoipa::path(get, path = "/api/templates/{id}/versions", tag = "templates",
    responses((status = 200, body = Vec<TemplateVersionDto>), (status = 404, body = ErrorBodyDto)))]
pub async fn versions(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Reply<Vec<TemplateVersionDto>> {
    Ok(Json(
        state
            .ctx
            .blocking(move |ctx| ops::templates::versions(ctx, &id))
            .await?,
    ))
}

/// What changed between two versions.
#[utoipa::path(get, path = "/api/templates/{id}/diff", tag = "templates", params(DiffQuery),
    responses((status = 200, body = TemplateDiffDto), (status = 404, body = ErrorBodyDto)))]
pub async fn diff(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<DiffQuery>,
) -> Reply<TemplateDiffDto> {
    Ok(Json(
        state
            .ctx
            .blocking(move |ctx| ops::templates::diff(ctx, &id, q.from, q.to))
            .await?,
    ))
}

/// Every problem with a template's content, without saving it.
#[utoipa::path(post, path = "/api/templates/validate", tag = "templates", request_body = TemplateValidateRequest,
    responses((status = 200, body = ValidationDto), (status = 400, body = ErrorBodyDto)))]
pub async fn validate(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<TemplateValidateRequest>,
) -> Reply<ValidationDto> {
    Ok(Json(
        state
            .ctx
            .blocking(move |ctx| ops::templates::validate(ctx, &request.content))
            .await?,
    ))
}

/// A saved template or an unsaved draft filled in: the phone's view, the Cloud API requests, and
/// every problem.
#[utoipa::path(post, path = "/api/templates/preview", tag = "templates", request_body = PreviewRequest,
    responses((status = 200, body = PreviewDto), (status = 400, body = ErrorBodyDto), (status = 404, body = ErrorBodyDto)))]
pub async fn preview(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<PreviewRequest>,
) -> Reply<PreviewDto> {
    // Runs here rather than on the blocking pool: a saved template is compiled once and kept
    // until the store changes, so a preview is a render (the store is read only on a miss).
    Ok(Json(ops::templates::preview(&state.ctx, request)?))
}

/// WhatsApp's rules, with their limits and sources.
#[utoipa::path(get, path = "/api/templates/rules", tag = "templates",
    responses((status = 200, body = Vec<botdesk_core::templates::Rule>)))]
pub async fn rules() -> Json<&'static [botdesk_core::templates::Rule]> {
    Json(ops::templates::rules())
}
