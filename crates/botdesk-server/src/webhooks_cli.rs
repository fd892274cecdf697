//! `botdesk webhooks sign|verify`: Standard Webhooks signatures from a terminal, for whoever
//! writes a receiver (or checks one of botdesk's deliveries by hand). The body is read from
//! stdin, byte for byte.

use std::io::Read;

use anyhow::{Context, bail};
use botdesk_core::webhooks::Secret;
use botdesk_core::webhooks::signing::{self, DEFAULT_TOLERANCE_S, Signed};
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum WebhooksCommand {
    /// Print the `webhook-signature` value for the body on stdin.
    Sign {
        /// The endpoint's secret, `whsec_…`.
        #[arg(long)]
        secret: String,
        /// The `webhook-id`.
        #[arg(long)]
        id: String,
        /// The `webhook-timestamp`, in seconds since 1970.
        #[arg(long)]
        timestamp: i64,
    },
    /// Check a signed body (on stdin): exit 0 only when a signature matches and the timestamp
    /// is within 5 minutes of now; otherwise print why and exit 1.
    Verify {
        #[arg(long)]
        secret: String,
        #[arg(long)]
        id: String,
        #[arg(long)]
        timestamp: String,
        /// The `webhook-signature` value (several space-separated signatures are fine).
        #[arg(long)]
        signature: String,
    },
}

fn stdin_body() -> anyhow::Result<Vec<u8>> {
    let mut body = Vec::new();
    std::io::stdin()
        .read_to_end(&mut body)
        .context("cannot read the body from stdin")?;
    Ok(body)
}

pub fn run(command: WebhooksCommand) -> anyhow::Result<()> {
    match command {
        WebhooksCommand::Sign {
            secret,
            id,
            timestamp,
        } => {
            let secret = Secret::parse(&secret).map_err(botdesk_core::CoreError::from)?;
            println!("{}", secret.sign(&id, timestamp, &stdin_body()?));
            Ok(())
        }
        WebhooksCommand::Verify {
            secret,
            id,
            timestamp,
            signature,
        } => {
            let secret = Secret::parse(&secret).map_err(botdesk_core::CoreError::from)?;
            let body = stdin_body()?;
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .context("the system clock is before 1970")?
                .as_secs() as i64;
            match signing::verify(
                &[&secret],
                Signed {
                    id: Some(&id),
                    timestamp: Some(&timestamp),
                    signature: Some(&signature),
                    body: &body,
                },
                now,
                DEFAULT_TOLERANCE_S,
            ) {
                Ok(()) => {
                    println!("valid");
                    Ok(())
                }
                Err(e) => bail!("{} ({})", e, e.code()),
            }
        }
    }
}
