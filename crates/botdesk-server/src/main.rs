//! `botdesk`: the command-line tool. It runs botdesk headless (`serve`) and maintains a data
//! dir (`migrate`, `backup`). Each subcommand translates flags into one core operation.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use botdesk_core::store::Actor;
use botdesk_core::{Config, ConfigOverrides, CoreError, Services, ServicesOptions, Shell, logging};
use clap::{Parser, Subcommand};

mod queue_cli;
mod sync_cli;
mod webhooks_cli;

#[derive(Debug, Parser)]
#[command(
    name = "botdesk",
    version,
    about = "botdesk: the local-first admin desk of a WhatsApp commerce bot",
    long_about = "botdesk keeps a WhatsApp commerce bot's templates, media, job queues and webhooks \
                  in a local store, and syncs them with the bot's Supabase project when online.\n\n\
                  This tool runs botdesk headless and maintains its data directory."
)]
struct Cli {
    /// Where botdesk keeps its store (botdesk.db), settings (botdesk.toml), logs and media.
    /// Defaults to the platform's app-data folder, the same one the desktop app uses
    /// (~/.local/share/app.botdesk on Linux).
    #[arg(long, global = true, env = "BOTDESK_DATA_DIR", value_name = "DIR")]
    data_dir: Option<PathBuf>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Create the store, or bring an existing one to this botdesk's schema, then exit.
    ///
    /// A store written by a newer botdesk, or a damaged file, is refused and left untouched.
    Migrate,

    /// Write a consistent copy of the store to FILE. Safe while botdesk is running.
    ///
    /// FILE must not exist yet. The copy is checked before it is put in place; to restore it,
    /// stop botdesk and copy it over DIR/botdesk.db.
    Backup {
        /// Where to write the copy.
        file: PathBuf,
    },

    /// Run headless: the REST API under /api and the web UI at /, until SIGINT or SIGTERM.
    ///
    /// Prints the URL it listens on. On SIGINT or SIGTERM it stops taking requests, lets
    /// in-flight work finish, and exits 0. It listens on a non-loopback address only once an
    /// API key exists (see `botdesk keys`).
    Serve {
        /// Address to listen on, as IP:PORT (port 0 picks a free port). Overrides `listen` in
        /// botdesk.toml and BOTDESK_LISTEN. Default 127.0.0.1:8787.
        #[arg(long, value_name = "ADDR")]
        listen: Option<String>,
    },

    /// Manage the API keys that guard the HTTP API.
    ///
    /// While no key exists the API answers only on this machine, without a key. Once one
    /// exists, every /api request needs `Authorization: Bearer <key>`.
    #[command(subcommand)]
    Keys(KeysCommand),

    /// Watch and fix the job queues from a terminal (works while botdesk runs: its workers
    /// pick a change up within a second).
    #[command(subcommand)]
    Queue(queue_cli::QueueCommand),

    /// Sign or verify a webhook body (Standard Webhooks), reading the body from stdin.
    #[command(subcommand)]
    Webhooks(webhooks_cli::WebhooksCommand),

    /// Sync with the bot's Supabase project: `status`, or `now`.
    #[command(subcommand)]
    Sync(sync_cli::SyncCommand),

    /// Print the HTTP API's OpenAPI 3.1 document (what `GET /api/openapi.json` serves), to
    /// generate a client or check it offline.
    Openapi,
}

#[derive(Debug, Subcommand)]
enum KeysCommand {
    /// Create a key and print it. It is shown this once; only its hash is kept.
    Create {
        /// What the key is for, e.g. "bot on the shop server".
        #[arg(long)]
        name: String,
    },
    /// List the keys (never the keys themselves).
    List,
    /// Revoke a key, by its id or its prefix.
    Revoke {
        /// The key's id or prefix, as `keys list` shows them.
        key: String,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            match err.downcast_ref::<CoreError>() {
                Some(core) => eprintln!("botdesk: error [{}]: {core}", core.code()),
                None => eprintln!("botdesk: error: {err:#}"),
            }
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    // Needs no data dir: nothing is opened, nothing is logged.
    if let Command::Openapi = cli.command {
        let doc = serde_json::to_string_pretty(&botdesk_server::openapi_document())
            .context("the document could not be written")?;
        println!("{doc}");
        return Ok(());
    }
    let data_dir = match cli.data_dir {
        Some(dir) => dir,
        None => botdesk_core::default_data_dir()
            .context("no app-data folder is known for this user; pass --data-dir DIR")?,
    };
    let stderr_level = match cli.command {
        Command::Serve { .. } => tracing::Level::INFO,
        _ => tracing::Level::WARN,
    };
    let _log = logging::init(&data_dir, stderr_level);
    match cli.command {
        Command::Migrate => {
            let report = botdesk_core::system::maintenance::migrate(&data_dir)?;
            if report.from_version == report.schema_version {
                println!(
                    "store up to date: {} (schema version {})",
                    report.db_path, report.schema_version
                );
            } else {
                println!(
                    "store ready: {} (schema version {}, was {})",
                    report.db_path, report.schema_version, report.from_version
                );
            }
            Ok(())
        }
        Command::Backup { file } => {
            let report = botdesk_core::system::maintenance::backup(&data_dir, &file)?;
            println!(
                "backup written: {} ({} bytes, schema version {})",
                report.path, report.bytes, report.schema_version
            );
            Ok(())
        }
        Command::Serve { listen } => {
            let ctx = open(&data_dir, ConfigOverrides { listen }, Shell::Server)?;
            botdesk_core::system::keys::check_listen(&ctx, ctx.config().listen)?;
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
                .context("cannot start the async runtime")?;
            runtime.block_on(serve(ctx))
        }
        Command::Keys(command) => keys(&data_dir, command),
        Command::Queue(command) => queue_cli::run(&data_dir, command),
        Command::Webhooks(command) => webhooks_cli::run(command),
        Command::Sync(command) => sync_cli::run(&data_dir, command),
        Command::Openapi => Ok(()),
    }
}

/// The core as a command opens it: the settings read as `serve` reads them (the data dir's
/// `botdesk.toml`, then `BOTDESK_*`, then the flags).
fn open(
    data_dir: &std::path::Path,
    overrides: ConfigOverrides,
    shell: Shell,
) -> anyhow::Result<Services> {
    let config = Config::load(data_dir, |k| std::env::var(k).ok(), &overrides)?;
    Ok(Services::open(ServicesOptions::new(
        data_dir, config, shell,
    ))?)
}

/// The core for a command other than `serve`.
pub(crate) fn open_cli(data_dir: &std::path::Path) -> anyhow::Result<Services> {
    open(data_dir, ConfigOverrides::default(), Shell::Cli)
}

fn keys(data_dir: &std::path::Path, command: KeysCommand) -> anyhow::Result<()> {
    let ctx = open_cli(data_dir)?;
    match command {
        KeysCommand::Create { name } => {
            let created =
                botdesk_core::system::keys::create(&ctx, &Actor::Cli("keys create".into()), &name)?;
            println!("{}", created.token);
            eprintln!(
                "created API key {} ({}). This is the only time it is shown: store it now.",
                created.key.prefix, created.key.name
            );
        }
        KeysCommand::List => {
            let keys = botdesk_core::system::keys::list(&ctx)?;
            if keys.is_empty() {
                println!("no API keys: the API answers only on this machine, without a key");
            }
            for key in keys {
                let state = if key.revoked_at.is_some() {
                    "revoked"
                } else {
                    "active"
                };
                println!(
                    "{}  {}  {state:<7}  created {}  last used {}  {}",
                    key.prefix,
                    key.id,
                    key.created_at,
                    key.last_used_at.as_deref().unwrap_or("never"),
                    key.name
                );
            }
        }
        KeysCommand::Revoke { key } => {
            let revoked =
                botdesk_core::system::keys::revoke(&ctx, &Actor::Cli("keys revoke".into()), &key)?;
            println!("revoked API key {} ({})", revoked.prefix, revoked.name);
        }
    }
    Ok(())
}

async fn serve(ctx: Services) -> anyhow::Result<()> {
    let addr = ctx.config().listen;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))?;
    let local = listener
        .local_addr()
        .context("the listener has no address")?;
    // Listening for signals before saying so: a SIGTERM right after the line is heard.
    let signals = botdesk_core::shutdown::Signals::listen();
    println!("botdesk listening on http://{local}");
    std::io::stdout().flush().ok();
    tracing::info!(%local, data_dir = %ctx.data_dir().display(), "serving");
    botdesk_core::runtime::start(&ctx).await?;
    botdesk_server::serve(ctx.clone(), listener, signals.wait())
        .await
        .context("the server failed")?;
    botdesk_core::runtime::stop(&ctx).await;
    tracing::info!("stopped");
    Ok(())
}
