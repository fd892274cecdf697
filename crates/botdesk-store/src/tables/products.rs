//! `products`: the catalogue the bot sells from. Prices are integer minor units (cents).

use rusqlite::types::Value;
use serde::{Deserialize, Serialize};

use crate::record::{Columns, Record, opt, text};
use crate::types::Id;

crate::text_enum! {
    pub enum ProductStatus { Draft = "draft", Active = "active", Archived = "archived" }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Product {
    pub merchant_id: Option<Id>,
    pub sku: Option<String>,
    pub name: String,
    pub description: String,
    pub price_minor: i64,
    /// ISO 4217, upper case.
    pub currency: String,
    /// `None` when stock is not tracked.
    pub stock: Option<i64>,
    pub status: ProductStatus,
}

impl Record for Product {
    const TABLE: &'static str = "products";
    const COLUMNS: &'static [&'static str] = &[
        "merchant_id",
        "sku",
        "name",
        "description",
        "price_minor",
        "currency",
        "stock",
        "status",
    ];

    fn values(&self) -> Vec<Value> {
        vec![
            opt(&self.merchant_id),
            opt(&self.sku),
            text(&self.name),
            text(&self.description),
            Value::Integer(self.price_minor),
            text(&self.currency),
            self.stock.map_or(Value::Null, Value::Integer),
            self.status.into(),
        ]
    }

    fn read(cols: &mut Columns<'_, '_>) -> rusqlite::Result<Product> {
        Ok(Product {
            merchant_id: cols.take()?,
            sku: cols.take()?,
            name: cols.take()?,
            description: cols.take()?,
            price_minor: cols.take()?,
            currency: cols.take()?,
            stock: cols.take()?,
            status: cols.take()?,
        })
    }
}
