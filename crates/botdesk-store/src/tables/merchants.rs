//! `merchants`: the shops the bot sells for; media, products, orders and webhooks belong to one.

use rusqlite::types::Value;
use serde::{Deserialize, Serialize};

use crate::record::{Columns, Record, json_value, opt, text};

crate::text_enum! {
    pub enum MerchantStatus { Active = "active", Suspended = "suspended", Closed = "closed" }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Merchant {
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub status: MerchantStatus,
    /// Free-form settings object.
    pub settings: serde_json::Value,
}

impl Record for Merchant {
    const TABLE: &'static str = "merchants";
    const COLUMNS: &'static [&'static str] = &["name", "phone", "email", "status", "settings"];

    fn values(&self) -> Vec<Value> {
        vec![
            text(&self.name),
            opt(&self.phone),
            opt(&self.email),
            self.status.into(),
            json_value(&self.settings),
        ]
    }

    fn read(cols: &mut Columns<'_, '_>) -> rusqlite::Result<Merchant> {
        Ok(Merchant {
            name: cols.take()?,
            phone: cols.take()?,
            email: cols.take()?,
            status: cols.take()?,
            settings: cols.json()?,
        })
    }
}
