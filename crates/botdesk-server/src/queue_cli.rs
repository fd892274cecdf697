//! `botdesk queue …`: the queue monitor for a terminal with no UI.

use std::path::Path;

use anyhow::Context;
use botdesk_core::Services;
use botdesk_core::queue::{JobQuery, JobState, QueueName};
use botdesk_core::queues::{self, JobAction};
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum QueueCommand {
    /// Each queue's counts: waiting, delayed, active, completed, failed, cancelled.
    Stats {
        /// One queue (default: all).
        queue: Option<String>,
    },
    /// List jobs, newest first.
    Jobs {
        /// One queue (default: all).
        queue: Option<String>,
        /// Only jobs in this state: waiting, delayed, active, completed, failed, cancelled.
        #[arg(long)]
        status: Option<String>,
        /// A job id, or text the payload contains.
        #[arg(long)]
        q: Option<String>,
        /// At most this many per queue.
        #[arg(long, default_value_t = 20)]
        limit: u32,
    },
    /// Everything about one job, with each failed attempt's error.
    Show { id: String },
    /// Give a failed or cancelled job another round of attempts.
    Retry { id: String },
    /// Retry every failed job of a queue.
    RetryFailed { queue: String },
    /// Cancel a job that has not finished.
    Cancel { id: String },
    /// Stop claiming a queue's jobs (running ones finish).
    Pause { queue: String },
    /// Claim a paused queue's jobs again.
    Resume { queue: String },
}

fn queues_of(name: Option<&str>) -> anyhow::Result<Vec<QueueName>> {
    Ok(match name {
        Some(name) => vec![queues::queue(name)?],
        None => QueueName::ALL.to_vec(),
    })
}

pub fn run(data_dir: &Path, command: QueueCommand) -> anyhow::Result<()> {
    let ctx = crate::open_cli(data_dir)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    match command {
        QueueCommand::Stats { queue } => {
            println!(
                "{:<18} {:>9} {:>9} {:>7} {:>10} {:>8} {:>9}  paused",
                "queue", "waiting", "delayed", "active", "completed", "failed", "cancelled"
            );
            for q in queues_of(queue.as_deref())? {
                let s = queues::stats(&ctx, q)?;
                println!(
                    "{:<18} {:>9} {:>9} {:>7} {:>10} {:>8} {:>9}  {}",
                    q.as_str(),
                    s.waiting,
                    s.delayed,
                    s.active,
                    s.completed,
                    s.failed,
                    s.cancelled,
                    if s.paused { "yes" } else { "no" }
                );
            }
        }
        QueueCommand::Jobs {
            queue,
            status,
            q,
            limit,
        } => {
            let status = match status {
                Some(s) => Some(s.parse::<JobState>().map_err(|e| {
                    botdesk_core::CoreError::invalid_field(
                        "queue.invalid_options",
                        "status",
                        e.to_string(),
                    )
                })?),
                None => None,
            };
            let mut any = false;
            for queue in queues_of(queue.as_deref())? {
                let query = JobQuery {
                    status,
                    q: q.clone(),
                    cursor: None,
                    limit: Some(limit),
                };
                for j in queues::list_jobs(&ctx, queue, &query)?.jobs {
                    any = true;
                    println!(
                        "#{:<8} {:<18} {:<10} {:<9} attempt {}/{}  {}  {}{}",
                        j.id,
                        queue.as_str(),
                        j.name,
                        j.state.as_str(),
                        j.attempts,
                        j.max_attempts,
                        j.updated_at,
                        j.payload_preview.chars().take(60).collect::<String>(),
                        j.failed_reason
                            .map(|r| format!("  ({r})"))
                            .unwrap_or_default()
                    );
                }
            }
            if !any {
                println!("no jobs");
            }
        }
        QueueCommand::Show { id } => {
            let (queue, id) = queues::queue_of_job(&ctx, &id)?;
            let j = queues::job(&ctx, queue, id)?;
            println!(
                "{}",
                serde_json::to_string_pretty(&j).context("cannot print the job")?
            );
        }
        QueueCommand::Retry { id } => act(&ctx, &runtime, &id, JobAction::Retry)?,
        QueueCommand::Cancel { id } => act(&ctx, &runtime, &id, JobAction::Cancel)?,
        QueueCommand::RetryFailed { queue } => {
            let q = queues::queue(&queue)?;
            let n = runtime.block_on(queues::retry_failed(&ctx, q))?;
            println!(
                "{} failed job{} of {q} will run again",
                n.count,
                if n.count == 1 { "" } else { "s" }
            );
        }
        QueueCommand::Pause { queue } => {
            let q = queues::queue(&queue)?;
            runtime.block_on(queues::set_paused(&ctx, q, true))?;
            println!("{q} paused: no new job starts until `botdesk queue resume {q}`");
        }
        QueueCommand::Resume { queue } => {
            let q = queues::queue(&queue)?;
            runtime.block_on(queues::set_paused(&ctx, q, false))?;
            println!("{q} resumed");
        }
    }
    Ok(())
}

fn act(
    ctx: &Services,
    runtime: &tokio::runtime::Runtime,
    id: &str,
    action: JobAction,
) -> anyhow::Result<()> {
    let (queue, id) = queues::queue_of_job(ctx, id)?;
    let done = runtime.block_on(queues::act(ctx, queue, id, action))?;
    match done.state {
        Some(state) => println!("job #{id} on {queue} is now {state}"),
        None => println!("job #{id} on {queue} removed"),
    }
    Ok(())
}
