//! `order_items`: the lines of an order, with the product's name and price as they were.

use rusqlite::Connection;
use rusqlite::types::Value;
use serde::{Deserialize, Serialize};

use crate::error::StoreError;
use crate::record::{Columns, Record, Stored, opt, select_where, text};
use crate::types::Id;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderItem {
    pub order_id: Id,
    /// `None` once the product itself was removed.
    pub product_id: Option<Id>,
    pub name: String,
    pub quantity: i64,
    pub unit_price_minor: i64,
}

impl Record for OrderItem {
    const TABLE: &'static str = "order_items";
    const COLUMNS: &'static [&'static str] = &[
        "order_id",
        "product_id",
        "name",
        "quantity",
        "unit_price_minor",
    ];

    fn values(&self) -> Vec<Value> {
        vec![
            text(&self.order_id),
            opt(&self.product_id),
            text(&self.name),
            Value::Integer(self.quantity),
            Value::Integer(self.unit_price_minor),
        ]
    }

    fn read(cols: &mut Columns<'_, '_>) -> rusqlite::Result<OrderItem> {
        Ok(OrderItem {
            order_id: cols.take()?,
            product_id: cols.take()?,
            name: cols.take()?,
            quantity: cols.take()?,
            unit_price_minor: cols.take()?,
        })
    }
}

/// An order's lines, in the order they were added.
pub fn for_order(conn: &Connection, order_id: Id) -> Result<Vec<Stored<OrderItem>>, StoreError> {
    select_where(
        conn,
        "order_id = ?1 AND deleted_at IS NULL ORDER BY created_at, id",
        [order_id],
    )
}
