//! `product_media`: which media files show a product, in which order, and which is primary.

use rusqlite::Connection;
use rusqlite::types::Value;
use serde::{Deserialize, Serialize};

use crate::error::StoreError;
use crate::record::{Columns, Record, Stored, select_where, text};
use crate::types::Id;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductMedia {
    pub product_id: Id,
    pub media_id: Id,
    pub position: i64,
    /// At most one per product.
    pub is_primary: bool,
}

impl Record for ProductMedia {
    const TABLE: &'static str = "product_media";
    const COLUMNS: &'static [&'static str] = &["product_id", "media_id", "position", "is_primary"];

    fn values(&self) -> Vec<Value> {
        vec![
            text(&self.product_id),
            text(&self.media_id),
            Value::Integer(self.position),
            Value::Integer(i64::from(self.is_primary)),
        ]
    }

    fn read(cols: &mut Columns<'_, '_>) -> rusqlite::Result<ProductMedia> {
        Ok(ProductMedia {
            product_id: cols.take()?,
            media_id: cols.take()?,
            position: cols.take()?,
            is_primary: cols.flag()?,
        })
    }
}

/// A product's media, in display order.
pub fn for_product(
    conn: &Connection,
    product_id: Id,
) -> Result<Vec<Stored<ProductMedia>>, StoreError> {
    select_where(
        conn,
        "product_id = ?1 AND deleted_at IS NULL ORDER BY position, created_at",
        [product_id],
    )
}

/// The live links of a media file to products.
pub fn for_media(conn: &Connection, media_id: Id) -> Result<Vec<Stored<ProductMedia>>, StoreError> {
    select_where(
        conn,
        "media_id = ?1 AND deleted_at IS NULL ORDER BY created_at",
        [media_id],
    )
}
