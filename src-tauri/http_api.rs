//! The HTTP API the desktop app serves on 127.0.0.1 when the owner switches it on (so that the
//! bot on the same machine can call botdesk). Off by default; started, moved to another port or
//! stopped as the setting changes; stopped gracefully when the app quits.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Mutex;
use std::time::Duration;

use botdesk_core::Services;
use botdesk_core::dto::{HttpApiStatusDto, SettingsDto};
use tokio::sync::oneshot;

struct Running {
    addr: SocketAddr,
    stop: oneshot::Sender<()>,
    task: tauri::async_runtime::JoinHandle<()>,
}

#[derive(Default)]
pub struct HttpApi {
    running: Mutex<Option<Running>>,
    error: Mutex<Option<String>>,
}

impl std::fmt::Debug for HttpApi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpApi")
            .field("status", &self.status())
            .finish()
    }
}

impl HttpApi {
    pub fn status(&self) -> HttpApiStatusDto {
        let running = self.running.lock().unwrap_or_else(|p| p.into_inner());
        HttpApiStatusDto {
            running: running.is_some(),
            url: running.as_ref().map(|r| format!("http://{}/api", r.addr)),
            error: self.error.lock().unwrap_or_else(|p| p.into_inner()).clone(),
        }
    }

    /// Makes the running server match `settings`.
    pub async fn apply(&self, ctx: &Services, settings: &SettingsDto) {
        let wanted = settings
            .desktop_http_api_enabled
            .then(|| SocketAddr::from((Ipv4Addr::LOCALHOST, settings.desktop_http_api_port)));
        let current = self
            .running
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_ref()
            .map(|r| r.addr);
        if current == wanted {
            return;
        }
        self.stop().await;
        *self.error.lock().unwrap_or_else(|p| p.into_inner()) = None;
        let Some(addr) = wanted else { return };
        match tokio::net::TcpListener::bind(addr).await {
            Ok(listener) => {
                let (stop, stopped) = oneshot::channel::<()>();
                let ctx = ctx.clone();
                let task = tauri::async_runtime::spawn(async move {
                    let shutdown = async move {
                        let _ = stopped.await;
                    };
                    if let Err(e) = botdesk_server::serve(ctx, listener, shutdown).await {
                        tracing::error!(error = %e, "the desktop HTTP API failed");
                    }
                });
                tracing::info!(%addr, "desktop HTTP API started");
                *self.running.lock().unwrap_or_else(|p| p.into_inner()) =
                    Some(Running { addr, stop, task });
            }
            Err(e) => {
                tracing::warn!(%addr, error = %e, "the desktop HTTP API could not start");
                *self.error.lock().unwrap_or_else(|p| p.into_inner()) =
                    Some(format!("cannot listen on {addr}: {e}"));
            }
        }
    }

    /// Stops the server, letting requests in flight finish (at most 5 s).
    pub async fn stop(&self) {
        let running = self
            .running
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        if let Some(running) = running {
            let _ = running.stop.send(());
            if tokio::time::timeout(Duration::from_secs(5), running.task)
                .await
                .is_err()
            {
                tracing::warn!("the desktop HTTP API did not stop within 5 s");
            }
            tracing::info!(addr = %running.addr, "desktop HTTP API stopped");
        }
    }
}
