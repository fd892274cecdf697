//! `users`: the people who act in botdesk and in the bot (owners, admins, staff).

use rusqlite::Connection;
use rusqlite::types::Value;
use serde::{Deserialize, Serialize};

use crate::error::StoreError;
use crate::record::{Columns, Record, Stored, opt, select_one_where, text};

crate::text_enum! {
    /// What a user may do.
    pub enum UserRole { Owner = "owner", Admin = "admin", Staff = "staff", Viewer = "viewer" }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub email: Option<String>,
    pub display_name: String,
    pub role: UserRole,
    pub phone: Option<String>,
}

impl Record for User {
    const TABLE: &'static str = "users";
    const COLUMNS: &'static [&'static str] = &["email", "display_name", "role", "phone"];

    fn values(&self) -> Vec<Value> {
        vec![
            opt(&self.email),
            text(&self.display_name),
            self.role.into(),
            opt(&self.phone),
        ]
    }

    fn read(cols: &mut Columns<'_, '_>) -> rusqlite::Result<User> {
        Ok(User {
            email: cols.take()?,
            display_name: cols.take()?,
            role: cols.take()?,
            phone: cols.take()?,
        })
    }
}

/// The live user with this email (case-insensitive).
pub fn find_by_email(conn: &Connection, email: &str) -> Result<Option<Stored<User>>, StoreError> {
    select_one_where(
        conn,
        "lower(email) = lower(?1) AND deleted_at IS NULL",
        [email],
    )
}
