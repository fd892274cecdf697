//! `botdesk sync status|now`: where sync stands, and one sync run here and now (also while the
//! app runs: the store takes turns between the two).

use std::path::Path;

use anyhow::Context;
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum SyncCommand {
    /// Where sync stands: the connection, changes waiting, refused rows, the last sync.
    Status {
        /// One JSON object instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Push what is waiting, pull what is new and send media files to Storage, now; exits 0 only
    /// when all of it went through.
    Now {
        /// One JSON object (what was pushed and pulled) instead of text.
        #[arg(long)]
        json: bool,
    },
}

pub fn run(data_dir: &Path, command: SyncCommand) -> anyhow::Result<()> {
    let ctx = crate::open_cli(data_dir)?;
    match command {
        SyncCommand::Status { json } => {
            let status = botdesk_core::sync::status(&ctx)?;
            let connection = botdesk_core::sync::connection(&ctx)?;
            if json {
                println!("{}", serde_json::to_string(&status)?);
                return Ok(());
            }
            match &connection.server {
                Some(server) => println!(
                    "connection: {server} as {}{}",
                    connection
                        .user_id
                        .as_deref()
                        .unwrap_or("the connection's own role"),
                    if connection.enabled {
                        ""
                    } else {
                        " (automatic sync off)"
                    }
                ),
                None => println!("connection: none (set it on the Sync page)"),
            }
            println!("state: {}", status.state);
            println!("changes waiting: {}", status.pending_changes);
            for table in &status.pending_by_table {
                println!("  {}: {}", table.table, table.rows);
            }
            println!("refused rows: {}", status.errors);
            match &connection.storage {
                Some(storage) => println!(
                    "media files: bucket {} at {}; {} waiting ({} of {} bytes sent), {} in the bucket",
                    storage.bucket,
                    storage.endpoint,
                    status.files.pending,
                    status.files.sent_bytes,
                    status.files.pending_bytes,
                    status.files.uploaded
                ),
                None => println!("media files: stay on this device (no Storage bucket set up)"),
            }
            if let Some(e) = &status.files.last_error {
                println!("  last file failure: {e}");
            }
            println!(
                "last sync: {}",
                status.last_sync_at.as_deref().unwrap_or("never")
            );
            if let Some(since) = &status.offline_since {
                println!("offline since: {since}");
            }
            if let Some(f) = &status.last_failure {
                println!("last failure: [{}] {}", f.code, f.message);
            }
            Ok(())
        }
        SyncCommand::Now { json } => {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .context("cannot start the async runtime")?;
            let report = runtime.block_on(botdesk_core::sync::sync_here(&ctx))?;
            if json {
                println!("{}", serde_json::to_string(&report)?);
            } else {
                println!(
                    "pushed {} change(s) in {} batch(es) ({} superseded, {} refused); pulled {} row(s) ({} kept local, {} refused)",
                    report.pushed.applied,
                    report.batches,
                    report.pushed.superseded,
                    report.pushed.refused,
                    report.pulled.applied,
                    report.pulled.superseded,
                    report.pulled.refused
                );
                let f = &report.files;
                if f.uploaded + f.already_there + f.failed > 0 {
                    println!(
                        "sent {} media file(s) to Storage ({} bytes; {} already there, {} failed)",
                        f.uploaded, f.bytes_sent, f.already_there, f.failed
                    );
                }
            }
            Ok(())
        }
    }
}
