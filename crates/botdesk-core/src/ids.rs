//! Ids named by a client: one "not found" for an id that does not parse and for one that names
//! no row, with the area's own code.

use botdesk_store::Id;

use crate::error::CoreError;

/// The id named in a path, or `code` (a `*.not_found`): an id that does not parse names no row.
pub(crate) fn id_or_not_found(text: &str, code: &'static str) -> Result<Id, CoreError> {
    text.trim().parse::<Id>().map_err(|_| CoreError::NotFound {
        code,
        message: format!(
            "no such {}: {:?}",
            code.split('.').next().unwrap_or("item"),
            text
        ),
    })
}

/// `code` for a `what` that does not exist (or no longer does).
pub(crate) fn not_found(code: &'static str, what: &str, id: impl std::fmt::Display) -> CoreError {
    CoreError::NotFound {
        code,
        message: format!("no {what} {id}"),
    }
}
