//! The catalogue: the products the bot sells and the merchants (shops) botdesk serves, listed
//! for the pickers and created by hand. A product's merchant must exist; each refusal has the
//! catalogue's own code.

use botdesk_store::tables::merchants::{Merchant, MerchantStatus};
use botdesk_store::tables::products::{Product, ProductStatus};
use botdesk_store::{Actor, Filter, Id, Stored};

use crate::catalog::wire::{MerchantCreate, MerchantDto, ProductCreate, ProductDto};
use crate::error::CoreError;
use crate::ids::{id_or_not_found, not_found};
use crate::services::Services;

/// The live merchant `text` names, or `product.unknown_merchant`.
fn live_merchant(conn: &botdesk_store::rusqlite::Connection, text: &str) -> Result<Id, CoreError> {
    let unknown = || {
        CoreError::invalid_field(
            "product.unknown_merchant",
            "merchant_id",
            format!(
                "no merchant {:?}: create it first, or leave merchant_id out",
                text.chars().take(60).collect::<String>()
            ),
        )
    };
    let id = text.parse::<Id>().map_err(|_| unknown())?;
    match botdesk_store::find::<Merchant>(conn, id)? {
        Some(m) if !m.is_deleted() => Ok(id),
        _ => Err(unknown()),
    }
}

/// Every live row of a table, in pages (a shop may have more products than one page holds),
/// sorted by name for a picker.
fn all_by_name<R: botdesk_store::Record, D>(
    ctx: &Services,
    dto: impl Fn(Stored<R>) -> D,
    name: impl Fn(&D) -> String,
) -> Result<Vec<D>, CoreError> {
    let rows = ctx
        .store()
        .read(|c| botdesk_store::list_all::<R>(c, &Filter::live()))?;
    let mut out: Vec<D> = rows.into_iter().map(dto).collect();
    out.sort_by_cached_key(|d| name(d).to_lowercase());
    Ok(out)
}

/// A trimmed name of 1–`max` characters, or `code`.
fn valid_name(raw: &str, max: usize, code: &'static str, what: &str) -> Result<String, CoreError> {
    let name = raw.trim();
    if name.is_empty() || name.chars().count() > max {
        return Err(CoreError::invalid_field(
            code,
            "name",
            format!("a {what} name is 1–{max} characters"),
        ));
    }
    Ok(name.to_owned())
}

impl From<Stored<Product>> for ProductDto {
    fn from(p: Stored<Product>) -> ProductDto {
        ProductDto {
            id: p.meta.id.to_string(),
            name: p.data.name,
            sku: p.data.sku,
            merchant_id: p.data.merchant_id.map(|m| m.to_string()),
        }
    }
}

impl From<Stored<Merchant>> for MerchantDto {
    fn from(m: Stored<Merchant>) -> MerchantDto {
        MerchantDto {
            id: m.meta.id.to_string(),
            name: m.data.name,
        }
    }
}

/// One live product, or `product.not_found`.
pub fn product(ctx: &Services, id: &str) -> Result<ProductDto, CoreError> {
    let id = id_or_not_found(id, "product.not_found")?;
    ctx.store()
        .read(|c| botdesk_store::find::<Product>(c, id))?
        .filter(|p| !p.is_deleted())
        .map(ProductDto::from)
        .ok_or_else(|| not_found("product.not_found", "product", id))
}

pub fn products(ctx: &Services) -> Result<Vec<ProductDto>, CoreError> {
    all_by_name(ctx, ProductDto::from, |p| p.name.clone())
}

pub fn create_product(
    ctx: &Services,
    actor: &Actor,
    request: ProductCreate,
) -> Result<ProductDto, CoreError> {
    let name = valid_name(&request.name, 300, "product.invalid_name", "product")?;
    let product = ctx.store().with_tx(actor, |tx| {
        let merchant_id = match request
            .merchant_id
            .as_deref()
            .map(str::trim)
            .filter(|m| !m.is_empty())
        {
            Some(m) => Some(live_merchant(tx, m)?),
            None => None,
        };
        Ok::<_, CoreError>(botdesk_store::insert(
            tx,
            Product {
                merchant_id,
                sku: request.sku.clone().filter(|s| !s.trim().is_empty()),
                name: name.clone(),
                description: String::new(),
                price_minor: 0,
                currency: "USD".into(),
                stock: None,
                status: ProductStatus::Active,
            },
        )?)
    })?;
    Ok(product.into())
}

pub fn merchants(ctx: &Services) -> Result<Vec<MerchantDto>, CoreError> {
    all_by_name(ctx, MerchantDto::from, |m| m.name.clone())
}

pub fn create_merchant(
    ctx: &Services,
    actor: &Actor,
    request: MerchantCreate,
) -> Result<MerchantDto, CoreError> {
    let name = valid_name(&request.name, 200, "merchant.invalid_name", "merchant")?;
    let merchant = ctx.store().with_tx(actor, |tx| {
        botdesk_store::insert(
            tx,
            Merchant {
                name: name.clone(),
                phone: None,
                email: None,
                status: MerchantStatus::Active,
                settings: serde_json::json!({}),
            },
        )
    })?;
    Ok(merchant.into())
}
