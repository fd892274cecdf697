//! The JSON routes, made from the core's table of operations: one generic handler reads the
//! path's parameters, the query and the JSON body as the operation declares them, runs it as
//! the caller the guard let through, and answers with its status.

use std::collections::HashMap;

use axum::Router;
use axum::extract::{DefaultBodyLimit, FromRequest, FromRequestParts, Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, delete, get, patch, post, put};
use axum::{Extension, Json};
use botdesk_core::api::{BodyLimit, Input, Method, Operation, Visitor};
use botdesk_core::system::keys::Access;
use botdesk_core::{Caller, ErrorKind};

use crate::AppState;
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiQuery};

/// The body limits the routes have.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// A file as base64 in JSON.
    pub media_base64: usize,
}

/// Adds every operation of the core's surface to `router` (paths without their `/api`).
pub fn routes(router: Router<AppState>, limits: Limits) -> Router<AppState> {
    let mut add = AddRoutes {
        router: Some(router),
        limits,
    };
    <botdesk_core::surface::Api as botdesk_core::api::Surface>::visit(&mut add);
    add.router.unwrap_or_default()
}

struct AddRoutes {
    router: Option<Router<AppState>>,
    limits: Limits,
}

impl Visitor for AddRoutes {
    fn op<O: Operation>(&mut self) {
        let spec = O::SPEC;
        let mut route: MethodRouter<AppState> = match spec.method {
            Method::Get => get(handle::<O>),
            Method::Post => post(handle::<O>),
            Method::Put => put(handle::<O>),
            Method::Patch => patch(handle::<O>),
            Method::Delete => delete(handle::<O>),
        };
        if spec.body_limit == BodyLimit::MediaBase64 {
            route = route.layer(DefaultBodyLimit::max(self.limits.media_base64));
        }
        let path = spec.path.strip_prefix("/api").unwrap_or(spec.path);
        self.router = self.router.take().map(|r| r.route(path, route));
    }
}

async fn handle<O: Operation>(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
    request: Request,
) -> Result<Response, ApiError> {
    let (mut parts, body) = request.into_parts();
    let path: O::Path = if O::SPEC.path_params.is_empty() {
        from_object(serde_json::Map::new())?
    } else {
        let Path(params) = Path::<HashMap<String, String>>::from_request_parts(&mut parts, &state)
            .await
            .map_err(|e| {
                ApiError::new(
                    ErrorKind::Invalid,
                    "request.invalid_path",
                    format!("the path is not what this call takes: {}", e.body_text()),
                )
            })?;
        from_object(
            params
                .into_iter()
                .map(|(k, v)| (k, serde_json::Value::String(v)))
                .collect(),
        )?
    };
    let query: O::Query = if O::SPEC.has_query {
        ApiQuery::<O::Query>::from_request_parts(&mut parts, &state)
            .await?
            .0
    } else {
        from_object(serde_json::Map::new())?
    };
    let body: O::Body = if O::SPEC.has_body {
        let ApiJson(body) =
            ApiJson::<O::Body>::from_request(Request::from_parts(parts, body), &state).await?;
        body
    } else {
        from_object(serde_json::Map::new())?
    };
    let output = O::run(
        state.ctx.clone(),
        Caller::new(access.actor()),
        Input { path, query, body },
    )
    .await?;
    let status = StatusCode::from_u16(O::status(&output)).unwrap_or(StatusCode::OK);
    if status == StatusCode::NO_CONTENT {
        return Ok(status.into_response());
    }
    Ok((status, Json(output)).into_response())
}

/// A part that the request does not carry, or the path's parameters, read as the operation's
/// type.
fn from_object<T: serde::de::DeserializeOwned>(
    object: serde_json::Map<String, serde_json::Value>,
) -> Result<T, ApiError> {
    Ok(botdesk_core::request::from_value(
        serde_json::Value::Object(object),
    )?)
}
