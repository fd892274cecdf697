//! The probe: a job kind every queue runs. It does only what it is asked (take some time, fail
//! its first attempts, panic) and notes each attempt it starts in `DATA_DIR/queue-probe.log`
//! (`queue id attempt` per line). The owner sends one from the Queues page to check that a
//! queue works; the reliability tests count in its log how often each job ran.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use botdesk_queue::{Job, JobContext, JobError, QueueName, Registry};
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use utoipa::ToSchema;

/// The log of probe attempts, in the data dir.
pub const PROBE_LOG: &str = "queue-probe.log";

/// The longest a probe may be asked to work: ten minutes.
pub const MAX_WORK_MS: u64 = 600_000;

/// What a probe job is asked to do.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Probe {
    /// Shown in the monitor, and returned as the result.
    pub note: String,
    /// How long each attempt works before it ends (at most ten minutes).
    #[ts(type = "number")]
    pub work_ms: u64,
    /// This many first attempts fail (then one succeeds, if attempts remain).
    pub fail_attempts: u32,
    /// Every attempt panics (the worker must survive it).
    pub panic: bool,
}

/// Where probe attempts are noted.
#[derive(Debug)]
pub struct ProbeLog {
    path: PathBuf,
    file: Mutex<Option<File>>,
}

impl ProbeLog {
    pub fn new(data_dir: &Path) -> ProbeLog {
        ProbeLog {
            path: data_dir.join(PROBE_LOG),
            file: Mutex::new(None),
        }
    }

    /// Appends one line. A write the kernel accepted survives the process being killed.
    fn note(&self, line: &str) -> std::io::Result<()> {
        let mut file = self.file.lock().unwrap_or_else(|p| p.into_inner());
        if file.is_none() {
            *file = Some(
                OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(&self.path)?,
            );
        }
        match file.as_mut() {
            Some(f) => f.write_all(line.as_bytes()),
            None => Ok(()),
        }
    }
}

impl Job for Probe {
    type State = ProbeLog;
    // Registered on every queue (see `register`); this is only its default home.
    const QUEUE: QueueName = QueueName::OrderProcessing;
    const NAME: &'static str = "probe";

    async fn run(self, log: Arc<ProbeLog>, cx: JobContext) -> Result<serde_json::Value, JobError> {
        log.note(&format!("{} {} {}\n", cx.queue, cx.id, cx.attempt))
            .map_err(|e| {
                JobError::retry(format!("probe: cannot write {}: {e}", log.path.display()))
            })?;
        if self.work_ms > 0 {
            let total = self.work_ms.min(MAX_WORK_MS);
            // Progress in steps, as a real job reports it.
            let steps = 4u64;
            for step in 1..=steps {
                tokio::time::sleep(Duration::from_millis(total / steps)).await;
                cx.progress(
                    (step * 100 / steps) as u8,
                    Some(&format!("step {step} of {steps}")),
                );
            }
        }
        if self.panic {
            panic!("probe: asked to panic");
        }
        if cx.attempt <= self.fail_attempts {
            return Err(JobError::retry(format!(
                "probe: asked to fail its first {} attempt{} (this was attempt {})",
                self.fail_attempts,
                if self.fail_attempts == 1 { "" } else { "s" },
                cx.attempt
            )));
        }
        Ok(serde_json::json!({ "note": self.note, "attempt": cx.attempt }))
    }
}

/// Registers the probe on every queue.
pub fn register(registry: &mut Registry, data_dir: &Path) {
    let log = Arc::new(ProbeLog::new(data_dir));
    for queue in QueueName::ALL {
        registry.register_on::<Probe>(*queue, Arc::clone(&log));
    }
}
