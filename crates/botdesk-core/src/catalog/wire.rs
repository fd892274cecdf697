//! The catalogue's wire types: products and merchants.

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use utoipa::ToSchema;

/// A product, as the media pickers show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, ToSchema)]
pub struct ProductDto {
    pub id: String,
    pub name: String,
    pub sku: Option<String>,
    pub merchant_id: Option<String>,
}

/// `POST /api/products`: a product the bot sells (the bot's catalogue syncs them too).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProductCreate {
    pub name: String,
    #[serde(default)]
    #[ts(optional)]
    pub sku: Option<String>,
    #[serde(default)]
    #[ts(optional)]
    pub merchant_id: Option<String>,
}

/// A merchant, as the media filters show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, ToSchema)]
pub struct MerchantDto {
    pub id: String,
    pub name: String,
}

/// `POST /api/merchants`: a shop botdesk serves.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MerchantCreate {
    pub name: String,
}
