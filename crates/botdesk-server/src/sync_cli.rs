//! `botdesk sync status|now`: where sync stands, and one sync run here and now (also while the
//! app runs: the store takes turns between the two).

use std::path::Path;

use anyhow::Context;
use botdesk_core::{Config, Ctx, CtxOptions, Shell, ops};
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum SyncCommand {
    /// Where sync stands: the connection, changes waiting, refused rows, the last sync.
    Status {
        /// One JSON object instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Push what is waiting and pull what is new, now; exits 0 only when both went through.
    Now {
        /// One JSON object (what was pushed and pulled) instead of text.
        #[arg(long)]
        json: bool,
    },
}

pub fn run(data_dir: &Path, command: SyncCommand) -> anyhow::Result<()> {
    let config = Config::load(data_dir, |k| std::env::var(k).ok(), &Default::default())?;
    let ctx = Ctx::open(CtxOptions::new(data_dir, config, Shell::Cli))?;
    match command {
        SyncCommand::Status { json } => {
            let status = ops::sync::status(&ctx)?;
            let connection = ops::sync::connection(&ctx)?;
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
            let report = runtime.block_on(ops::sync::sync_here(&ctx))?;
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
            }
            Ok(())
        }
    }
}
