//! `delivery_tasks`: getting an order to its customer, step by step.

use rusqlite::Connection;
use rusqlite::types::Value;
use serde::{Deserialize, Serialize};

use crate::error::StoreError;
use crate::record::{Columns, Record, Stored, opt, select_where, text};
use crate::types::{Id, Timestamp};

crate::text_enum! {
    pub enum DeliveryStatus {
        Pending = "pending", Assigned = "assigned", PickedUp = "picked_up",
        InTransit = "in_transit", Delivered = "delivered", Failed = "failed",
        Cancelled = "cancelled"
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryTask {
    pub order_id: Id,
    pub status: DeliveryStatus,
    pub assignee_name: Option<String>,
    pub assignee_phone: Option<String>,
    pub address: String,
    pub scheduled_at: Option<Timestamp>,
    pub started_at: Option<Timestamp>,
    pub completed_at: Option<Timestamp>,
    pub notes: String,
}

impl Record for DeliveryTask {
    const TABLE: &'static str = "delivery_tasks";
    const COLUMNS: &'static [&'static str] = &[
        "order_id",
        "status",
        "assignee_name",
        "assignee_phone",
        "address",
        "scheduled_at",
        "started_at",
        "completed_at",
        "notes",
    ];

    fn values(&self) -> Vec<Value> {
        vec![
            text(&self.order_id),
            self.status.into(),
            opt(&self.assignee_name),
            opt(&self.assignee_phone),
            text(&self.address),
            opt(&self.scheduled_at),
            opt(&self.started_at),
            opt(&self.completed_at),
            text(&self.notes),
        ]
    }

    fn read(cols: &mut Columns<'_, '_>) -> rusqlite::Result<DeliveryTask> {
        Ok(DeliveryTask {
            order_id: cols.take()?,
            status: cols.take()?,
            assignee_name: cols.take()?,
            assignee_phone: cols.take()?,
            address: cols.take()?,
            scheduled_at: cols.take()?,
            started_at: cols.take()?,
            completed_at: cols.take()?,
            notes: cols.take()?,
        })
    }
}

/// An order's delivery tasks, oldest first.
pub fn for_order(conn: &Connection, order_id: Id) -> Result<Vec<Stored<DeliveryTask>>, StoreError> {
    select_where(
        conn,
        "order_id = ?1 AND deleted_at IS NULL ORDER BY created_at, id",
        [order_id],
    )
}
