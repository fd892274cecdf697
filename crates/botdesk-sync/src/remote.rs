//! The server half: a connection to the Supabase project's Postgres, and the two calls sync
//! makes, each in its own transaction with the owner's claims set as Supabase's API sets them
//! (`SET LOCAL ROLE authenticated`, `request.jwt.claims`), so the row-level security policies
//! judge every change. Statements go unnamed, with their parameters' types given
//! (`query_typed`): nothing is prepared on the server, so a transaction-mode pooler (Supabase's,
//! PgBouncer) may hand each transaction to another backend.

use std::time::Duration;

use serde_json::Value;
use tokio_postgres::config::SslMode;
use tokio_postgres::tls::MakeTlsConnect;
use tokio_postgres::types::Type;
use tokio_postgres::{Client, NoTls};
use tokio_postgres_rustls::MakeRustlsConnect;

use crate::tls::TlsPolicy;

use crate::error::SyncError;
use crate::local::{Batch, PullRow, PushResult};

/// Where and as whom to sync.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteConfig {
    /// A libpq connection string or URL (`postgresql://user:password@host:port/db`).
    pub connection_string: String,
    /// The Supabase Auth user botdesk acts as (its id); without one the connection's own role
    /// is used (a project's `postgres` user: the policies then do not apply).
    pub user_id: Option<String>,
    /// This device (the pushed rows' `device_id`).
    pub device_id: String,
}

/// An open connection.
pub struct Remote {
    client: Client,
    config: RemoteConfig,
    task: tokio::task::JoinHandle<()>,
}

impl std::fmt::Debug for Remote {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Remote")
            .field("device", &self.config.device_id)
            .finish_non_exhaustive()
    }
}

/// How long connecting may take before the server counts as unreachable.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Connects with `tls` and runs the connection on its own task.
async fn spawn<T>(
    pg: &tokio_postgres::Config,
    tls: T,
) -> Result<(Client, tokio::task::JoinHandle<()>), SyncError>
where
    T: MakeTlsConnect<tokio_postgres::Socket>,
    T::Stream: Send + 'static,
{
    let (client, connection) = tokio::time::timeout(CONNECT_TIMEOUT, pg.connect(tls))
        .await
        .map_err(|_| SyncError::Unreachable("no answer within 10 s".into()))?
        .map_err(|e| SyncError::Unreachable(describe_connect_error(&e)))?;
    let task = tokio::spawn(async move {
        if let Err(e) = connection.await {
            tracing::debug!(error = %e, "the sync connection closed");
        }
    });
    Ok((client, task))
}

/// A connection failure in words, with its cause (a refused certificate, a password).
fn describe_connect_error(e: &tokio_postgres::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        text = format!("{text}: {cause}");
        source = cause.source();
    }
    text
}

impl Remote {
    pub async fn connect(config: &RemoteConfig) -> Result<Remote, SyncError> {
        let (connection_string, policy) = crate::tls::split_tls(&config.connection_string)?;
        let mut pg: tokio_postgres::Config = connection_string
            .parse()
            .map_err(|e: tokio_postgres::Error| SyncError::BadConnectionString(e.to_string()))?;
        if pg.get_connect_timeout().is_none() {
            pg.connect_timeout(CONNECT_TIMEOUT);
        }
        pg.application_name("botdesk-sync");
        pg.ssl_mode(match policy {
            TlsPolicy::Disable => SslMode::Disable,
            TlsPolicy::Encrypt { required: false } => SslMode::Prefer,
            TlsPolicy::Encrypt { required: true } | TlsPolicy::Verify { .. } => SslMode::Require,
        });
        let (client, task) = match crate::tls::client_config(&policy)? {
            None => spawn(&pg, NoTls).await?,
            Some(tls) => spawn(&pg, MakeRustlsConnect::new(tls)).await?,
        };
        Ok(Remote {
            client,
            config: config.clone(),
            task,
        })
    }

    async fn begin(&mut self) -> Result<tokio_postgres::Transaction<'_>, SyncError> {
        let user = self.config.user_id.clone();
        let tx = self.client.transaction().await?;
        if let Some(uid) = user {
            tx.batch_execute("SET LOCAL ROLE authenticated").await?;
            let claims = serde_json::json!({"sub": uid, "role": "authenticated"}).to_string();
            tx.query_typed(
                "SELECT set_config('request.jwt.claims', $1, true)",
                &[(&claims, Type::TEXT)],
            )
            .await?;
        }
        Ok(tx)
    }

    /// Sends a batch; the answer, one result per change.
    pub async fn push(&mut self, batch: &Batch) -> Result<Vec<PushResult>, SyncError> {
        let id: uuid::Uuid = batch
            .id
            .parse()
            .map_err(|_| SyncError::BadRow(format!("{:?} is not a batch id", batch.id)))?;
        let device = self.config.device_id.clone();
        let tx = self.begin().await?;
        let row = tx
            .query_typed_one(
                "SELECT botdesk_sync.push($1, $2, $3)",
                &[
                    (&id, Type::UUID),
                    (&device, Type::TEXT),
                    (&batch.changes, Type::JSONB),
                ],
            )
            .await?;
        tx.commit().await?;
        let answer: Value = row.get(0);
        serde_json::from_value(answer)
            .map_err(|e| SyncError::Server(format!("push answered something unexpected: {e}")))
    }

    /// Up to `limit` rows changed after `after`, in sequence order.
    pub async fn pull(&mut self, after: i64, limit: i32) -> Result<Vec<PullRow>, SyncError> {
        let tx = self.begin().await?;
        let rows = tx
            .query_typed(
                "SELECT seq, tbl, id::text, hlc, row_data FROM botdesk_sync.pull($1, $2)",
                &[(&after, Type::INT8), (&limit, Type::INT4)],
            )
            .await?;
        tx.commit().await?;
        rows.iter().map(pull_row).collect()
    }

    /// The server's version of one row, if it has one this user may see.
    pub async fn pull_one(&mut self, table: &str, id: &str) -> Result<Option<PullRow>, SyncError> {
        let uuid: uuid::Uuid = id
            .parse()
            .map_err(|_| SyncError::BadRow(format!("{id:?} is not a row id")))?;
        let tx = self.begin().await?;
        let rows = tx
            .query_typed(
                "SELECT seq, tbl, id::text, hlc, row_data FROM botdesk_sync.pull_one($1, $2)",
                &[(&table, Type::TEXT), (&uuid, Type::UUID)],
            )
            .await?;
        tx.commit().await?;
        rows.first().map(pull_row).transpose()
    }

    /// Whether the server answers and has botdesk's migrations.
    pub async fn check(&mut self) -> Result<(), SyncError> {
        let tx = self.begin().await?;
        let present: bool = tx
            .query_typed_one(
                "SELECT to_regprocedure('botdesk_sync.push(uuid,text,jsonb)') IS NOT NULL",
                &[],
            )
            .await?
            .get(0);
        tx.commit().await?;
        if present {
            Ok(())
        } else {
            Err(SyncError::Server(
                "the project lacks botdesk's migrations: apply supabase/migrations first".into(),
            ))
        }
    }
}

fn pull_row(r: &tokio_postgres::Row) -> Result<PullRow, SyncError> {
    let row: Value = r.get(4);
    let Value::Object(row) = row else {
        return Err(SyncError::Server(
            "pull answered a row that is not an object".into(),
        ));
    };
    Ok(PullRow {
        seq: r.get(0),
        table: r.get(1),
        id: r.get(2),
        hlc: r.get(3),
        row,
    })
}

impl Drop for Remote {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// What a connection string names, for showing it without its password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionSummary {
    /// `host:port/database`.
    pub server: String,
    pub user: Option<String>,
}

/// Checks a connection string (libpq key=value or a `postgresql://` URL) and says what it
/// names.
pub fn summarize(connection_string: &str) -> Result<ConnectionSummary, SyncError> {
    let (plain, _) = crate::tls::split_tls(connection_string)?;
    let config: tokio_postgres::Config = plain
        .parse()
        .map_err(|e: tokio_postgres::Error| SyncError::BadConnectionString(e.to_string()))?;
    let host = match config.get_hosts().first() {
        Some(tokio_postgres::config::Host::Tcp(name)) => name.clone(),
        #[cfg(unix)]
        Some(tokio_postgres::config::Host::Unix(path)) => path.display().to_string(),
        None => return Err(SyncError::BadConnectionString("it names no host".into())),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    Ok(ConnectionSummary {
        server: format!(
            "{host}:{port}/{}",
            config.get_dbname().unwrap_or("postgres")
        ),
        user: config.get_user().map(str::to_owned),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_connection_string_is_summarised_without_its_password() {
        let s = summarize(
            "postgresql://postgres.abc:s3cret@aws-0-eu.pooler.supabase.com:6543/postgres",
        )
        .unwrap();
        assert_eq!(s.server, "aws-0-eu.pooler.supabase.com:6543/postgres");
        assert_eq!(s.user.as_deref(), Some("postgres.abc"));
        let kv = summarize("host=127.0.0.1 port=5433 user=me dbname=shop password=x").unwrap();
        assert_eq!(kv.server, "127.0.0.1:5433/shop");
        for bad in ["", "not a url at all =", "postgresql://", "port=5432"] {
            assert!(summarize(bad).is_err(), "{bad:?}");
        }
    }
}
