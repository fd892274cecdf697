//! The sync area's operations.

use crate::sync::ops::{self, Resolution};
use crate::sync::scheduler;
use crate::sync::status;
use crate::sync::wire::{
    SyncConnectionDto, SyncConnectionUpdate, SyncErrorDto, SyncStatusDto, SyncTestDto,
};

crate::operations! {
    tag "sync";

    /// Where sync stands: synced, changes pending (by table), syncing, offline since, errors.
    sync_status: Get "/api/sync" -> SyncStatusDto
        => blocking |s, c, i| status::status(s);

    /// Queues a sync now (even while backing off from an unreachable server).
    sync_now: Post "/api/sync/now" -> SyncStatusDto
        => blocking |s, c, i| scheduler::sync_now(s);

    /// Where sync goes, without the password.
    sync_connection: Get "/api/sync/connection" -> SyncConnectionDto
        => blocking |s, c, i| ops::connection(s);

    /// Sets the project's connection (an empty connection string removes it).
    set_sync_connection: Put "/api/sync/connection" body(SyncConnectionUpdate)
        -> SyncConnectionDto
        => blocking |s, c, i| ops::set_connection(s, &c.actor, i.body);

    /// Tries a connection without syncing.
    ///
    /// Connects to the saved connection, or to the one in the body, and checks that the
    /// project has botdesk's migrations (and, when given, that the Storage bucket opens).
    test_sync_connection: Post "/api/sync/connection/test" body(SyncConnectionUpdate)
        -> SyncTestDto
        => future |s, c, i| ops::test_connection(s, Some(i.body));

    /// The rows the server refused, newest first.
    sync_errors: Get "/api/sync/errors" -> [SyncErrorDto]
        => blocking |s, c, i| ops::errors(s);

    /// Resolves a refused row.
    ///
    /// `retry` (send it again), `keep-local` (keep this device's version unsent) or
    /// `discard-local` (take the server's).
    resolve_sync_error: Post "/api/sync/errors/{id}/{action}" path(id, action) -> SyncStatusDto
        => future |s, c, i| async {
            let resolution: Resolution = i.path.action.parse()?;
            ops::resolve(s, &c.actor, &i.path.id, resolution).await?;
            s.blocking(status::status).await
        };
}
