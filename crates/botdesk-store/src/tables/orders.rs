//! `orders`: what customers bought through the bot. Amounts are integer minor units.

use rusqlite::Connection;
use rusqlite::types::Value;
use serde::{Deserialize, Serialize};

use crate::error::StoreError;
use crate::record::{Columns, Record, Stored, opt, select_one_where, text};
use crate::types::Id;

crate::text_enum! {
    pub enum OrderStatus {
        Pending = "pending", Confirmed = "confirmed", Processing = "processing",
        Shipped = "shipped", Delivered = "delivered", Cancelled = "cancelled", Refunded = "refunded"
    }
}

crate::text_enum! {
    pub enum PaymentStatus {
        Unpaid = "unpaid", Pending = "pending", Paid = "paid", Failed = "failed", Refunded = "refunded"
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Order {
    pub merchant_id: Option<Id>,
    /// The number customers see (`ORD-10482`); unique among live orders.
    pub order_number: String,
    pub customer_phone: Option<String>,
    pub customer_name: Option<String>,
    pub status: OrderStatus,
    pub payment_status: PaymentStatus,
    pub total_minor: i64,
    pub currency: String,
    pub notes: String,
}

impl Record for Order {
    const TABLE: &'static str = "orders";
    const COLUMNS: &'static [&'static str] = &[
        "merchant_id",
        "order_number",
        "customer_phone",
        "customer_name",
        "status",
        "payment_status",
        "total_minor",
        "currency",
        "notes",
    ];

    fn values(&self) -> Vec<Value> {
        vec![
            opt(&self.merchant_id),
            text(&self.order_number),
            opt(&self.customer_phone),
            opt(&self.customer_name),
            self.status.into(),
            self.payment_status.into(),
            Value::Integer(self.total_minor),
            text(&self.currency),
            text(&self.notes),
        ]
    }

    fn read(cols: &mut Columns<'_, '_>) -> rusqlite::Result<Order> {
        Ok(Order {
            merchant_id: cols.take()?,
            order_number: cols.take()?,
            customer_phone: cols.take()?,
            customer_name: cols.take()?,
            status: cols.take()?,
            payment_status: cols.take()?,
            total_minor: cols.take()?,
            currency: cols.take()?,
            notes: cols.take()?,
        })
    }
}

/// The live order with this number.
pub fn find_by_number(
    conn: &Connection,
    number: &str,
) -> Result<Option<Stored<Order>>, StoreError> {
    select_one_where(conn, "order_number = ?1 AND deleted_at IS NULL", [number])
}
