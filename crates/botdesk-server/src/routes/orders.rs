//! Orders: listed, created by hand, their status and payment changed. The core announces each
//! change to the merchant's webhooks.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use botdesk_core::dto::{
    ErrorBodyDto, OrderCreate, OrderDto, OrderPageDto, OrderQuery, OrderUpdate,
};
use botdesk_core::ops;
use botdesk_core::ops::keys::Access;

use crate::AppState;
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiQuery};

type Reply<T> = Result<Json<T>, ApiError>;

/// Orders, newest first.
#[utoipa::path(get, path = "/api/orders", tag = "orders", params(OrderQuery),
    responses((status = 200, body = OrderPageDto), (status = 400, body = ErrorBodyDto)))]
pub async fn list(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<OrderQuery>,
) -> Reply<OrderPageDto> {
    Ok(Json(
        state
            .ctx
            .blocking(move |ctx| ops::orders::list(ctx, q))
            .await?,
    ))
}

/// Creates an order (announced as `order_created`).
#[utoipa::path(post, path = "/api/orders", tag = "orders", request_body = OrderCreate,
    responses((status = 201, body = OrderDto), (status = 400, body = ErrorBodyDto), (status = 409, body = ErrorBodyDto)))]
pub async fn create(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
    ApiJson(request): ApiJson<OrderCreate>,
) -> Result<(StatusCode, Json<OrderDto>), ApiError> {
    let actor = access.actor();
    let order = state
        .ctx
        .blocking(move |ctx| ops::orders::create(ctx, &actor, request))
        .await?;
    Ok((StatusCode::CREATED, Json(order)))
}

#[utoipa::path(get, path = "/api/orders/{id}", tag = "orders",
    responses((status = 200, body = OrderDto), (status = 404, body = ErrorBodyDto)))]
pub async fn get(State(state): State<AppState>, Path(id): Path<String>) -> Reply<OrderDto> {
    Ok(Json(
        state
            .ctx
            .blocking(move |ctx| ops::orders::get(ctx, &id))
            .await?,
    ))
}

/// Changes an order's status, payment or notes; a new status is announced as
/// `order_status_changed`, a payment turning `paid` as `payment_received`.
#[utoipa::path(patch, path = "/api/orders/{id}", tag = "orders", request_body = OrderUpdate,
    responses((status = 200, body = OrderDto), (status = 400, body = ErrorBodyDto), (status = 404, body = ErrorBodyDto)))]
pub async fn update(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<OrderUpdate>,
) -> Reply<OrderDto> {
    let actor = access.actor();
    Ok(Json(
        state
            .ctx
            .blocking(move |ctx| ops::orders::update(ctx, &actor, &id, request))
            .await?,
    ))
}
