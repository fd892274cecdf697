//! The orders area's wire types.

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use utoipa::{IntoParams, ToSchema};

/// An order, with its lines. Amounts are integer minor units (cents).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, ToSchema)]
pub struct OrderDto {
    pub id: String,
    pub merchant_id: Option<String>,
    pub order_number: String,
    pub customer_phone: Option<String>,
    pub customer_name: Option<String>,
    pub status: botdesk_store::tables::orders::OrderStatus,
    pub payment_status: botdesk_store::tables::orders::PaymentStatus,
    #[ts(type = "number")]
    pub total_minor: i64,
    pub currency: String,
    pub notes: String,
    pub items: Vec<OrderItemDto>,
    pub created_at: String,
    pub updated_at: String,
}

/// One line of an order, with the product's name and price as they were.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrderItemDto {
    #[serde(default)]
    #[ts(optional)]
    pub product_id: Option<String>,
    pub name: String,
    #[ts(type = "number")]
    pub quantity: i64,
    #[ts(type = "number")]
    pub unit_price_minor: i64,
}

/// `POST /api/orders`: an order taken outside the bot (a phone call, the counter). Announced
/// to webhooks as `order_created`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrderCreate {
    #[serde(default)]
    #[ts(optional)]
    pub merchant_id: Option<String>,
    /// Generated (`ORD-…`) when left out.
    #[serde(default)]
    #[ts(optional)]
    pub order_number: Option<String>,
    #[serde(default)]
    #[ts(optional)]
    pub customer_phone: Option<String>,
    #[serde(default)]
    #[ts(optional)]
    pub customer_name: Option<String>,
    /// ISO 4217, `USD` when left out.
    #[serde(default)]
    #[ts(optional)]
    pub currency: Option<String>,
    pub items: Vec<OrderItemDto>,
    #[serde(default)]
    #[ts(optional)]
    pub notes: Option<String>,
}

/// `PATCH /api/orders/{id}`: what the owner changes on an order. A new status is announced as
/// `order_status_changed`, a payment turning `paid` as `payment_received`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrderUpdate {
    #[serde(default)]
    #[ts(optional)]
    pub status: Option<botdesk_store::tables::orders::OrderStatus>,
    #[serde(default)]
    #[ts(optional)]
    pub payment_status: Option<botdesk_store::tables::orders::PaymentStatus>,
    #[serde(default)]
    #[ts(optional)]
    pub notes: Option<String>,
}

/// `GET /api/orders`: newest first, optionally of one merchant or in one status.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, TS, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct OrderQuery {
    #[serde(default)]
    #[ts(optional)]
    pub merchant_id: Option<String>,
    #[serde(default)]
    #[ts(optional)]
    pub status: Option<String>,
    #[serde(default)]
    #[ts(optional)]
    pub cursor: Option<String>,
    #[serde(default)]
    #[ts(optional, type = "number")]
    pub limit: Option<u32>,
}

/// A page of orders.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, ToSchema)]
pub struct OrderPageDto {
    pub items: Vec<OrderDto>,
    pub next_cursor: Option<String>,
}
