//! The queue's SQL: every change of a job's state, and every read of the monitor. Synchronous,
//! on a connection the caller holds (inside a write transaction for changes), with `now` passed
//! in, so that enqueueing can join the caller's transaction and tests can fix the clock.
//!
//! Each statement that moves jobs between states also moves their counts in `queue_state`, in
//! the same transaction: the counts are exact without counting a million rows.

use std::collections::HashMap;

use botdesk_store::Store;
use botdesk_store::rusqlite::{self, Connection, OptionalExtension, ToSql, params};

use crate::QueueError;
use crate::model::*;

/// Moves `n` jobs of `queue` from state `from` to state `to` in the counts.
fn shift(
    conn: &Connection,
    queue: QueueName,
    from: Option<JobState>,
    to: Option<JobState>,
    n: i64,
    now: i64,
) -> Result<(), QueueError> {
    if n == 0 || from == to {
        return Ok(());
    }
    let sql = match (from, to) {
        (Some(f), Some(t)) => format!(
            "UPDATE queue_state SET {f} = {f} - ?2, {t} = {t} + ?2, updated_at = ?3 WHERE queue = ?1",
            f = f.count_column(),
            t = t.count_column()
        ),
        (Some(f), None) => format!(
            "UPDATE queue_state SET {f} = {f} - ?2, updated_at = ?3 WHERE queue = ?1",
            f = f.count_column()
        ),
        (None, Some(t)) => format!(
            "UPDATE queue_state SET {t} = {t} + ?2, updated_at = ?3 WHERE queue = ?1",
            t = t.count_column()
        ),
        (None, None) => return Ok(()),
    };
    conn.prepare_cached(&sql)?.execute(params![queue, n, now])?;
    Ok(())
}

/// Count moves summed over a batch, written once per kind (not once per job).
#[derive(Default)]
struct Moves(HashMap<(QueueName, JobState, JobState), i64>);

impl Moves {
    fn add(&mut self, queue: QueueName, from: JobState, to: JobState) {
        *self.0.entry((queue, from, to)).or_default() += 1;
    }

    fn write(self, conn: &Connection, now: i64) -> Result<(), QueueError> {
        for ((queue, from, to), n) in self.0 {
            shift(conn, queue, Some(from), Some(to), n, now)?;
        }
        Ok(())
    }
}

/// Enqueues `job` (validated here) on `conn`, which may be inside the caller's transaction:
/// then the job exists exactly when the caller's changes do.
pub fn enqueue(conn: &Connection, now: i64, job: &NewJob) -> Result<Enqueued, QueueError> {
    let out = insert(conn, now, job, &backoff_json(&job.options.backoff)?)?;
    if out.created {
        shift(conn, job.queue, None, Some(initial_state(job)), 1, now)?;
    }
    Ok(out)
}

/// Enqueues many jobs in one go (one statement prepared once, counts moved once per queue).
pub fn enqueue_bulk(
    conn: &Connection,
    now: i64,
    jobs: &[NewJob],
) -> Result<Vec<Enqueued>, QueueError> {
    let mut added: HashMap<(QueueName, JobState), i64> = HashMap::new();
    let mut out = Vec::with_capacity(jobs.len());
    // Most batches share one backoff: written to JSON once.
    let mut backoff: Option<(Backoff, String)> = None;
    let mut rest = jobs;
    while let Some(job) = rest.first() {
        // Jobs without an idempotency key cannot conflict: up to ROWS_PER_INSERT of them go in
        // one multi-row statement (a statement per row costs more than the row).
        let run = rest
            .iter()
            .take(ROWS_PER_INSERT)
            .take_while(|j| {
                j.options.idempotency_key.is_none() && j.options.backoff == job.options.backoff
            })
            .count();
        if backoff.as_ref().map(|(b, _)| b) != Some(&job.options.backoff) {
            backoff = Some((job.options.backoff, backoff_json(&job.options.backoff)?));
        }
        let json = backoff
            .as_ref()
            .map(|(_, j)| j.as_str())
            .unwrap_or_default();
        let (chunk, created) = if run > 1 {
            let chunk = &rest[..run];
            (chunk, insert_many(conn, now, chunk, json)?)
        } else {
            (&rest[..1], vec![insert(conn, now, job, json)?])
        };
        for (job, e) in chunk.iter().zip(created) {
            if e.created {
                *added.entry((job.queue, initial_state(job))).or_default() += 1;
            }
            out.push(e);
        }
        rest = &rest[chunk.len()..];
    }
    for ((queue, state), n) in added {
        shift(conn, queue, None, Some(state), n, now)?;
    }
    Ok(out)
}

fn backoff_json(backoff: &Backoff) -> Result<String, QueueError> {
    serde_json::to_string(backoff).map_err(|e| QueueError::InvalidOptions {
        field: "backoff".into(),
        reason: e.to_string(),
    })
}

fn initial_state(job: &NewJob) -> JobState {
    if job.options.delay_ms > 0 {
        JobState::Delayed
    } else {
        JobState::Waiting
    }
}

/// Rows per multi-row INSERT (13 parameters each: well under SQLite's limit).
const ROWS_PER_INSERT: usize = 100;

const INSERT_COLUMNS: &str = "INSERT INTO queue_jobs (queue, name, version, state, priority, payload, \
     run_at, max_attempts, backoff, timeout_ms, idempotency_key, created_at, updated_at) VALUES ";

/// Inserts keyless jobs with one statement; their ids, in order.
fn insert_many(
    conn: &Connection,
    now: i64,
    jobs: &[NewJob],
    backoff: &str,
) -> Result<Vec<Enqueued>, QueueError> {
    let mut sql = String::with_capacity(INSERT_COLUMNS.len() + jobs.len() * 32);
    sql.push_str(INSERT_COLUMNS);
    for i in 0..jobs.len() {
        if i > 0 {
            sql.push(',');
        }
        sql.push_str("(?,?,?,?,?,?,?,?,?,?,NULL,?,?)");
    }
    sql.push_str(" RETURNING id");
    let mut values: Vec<rusqlite::types::ToSqlOutput<'_>> = Vec::with_capacity(jobs.len() * 12);
    for job in jobs {
        job.validate()?;
        values.extend([
            job.queue.to_sql()?,
            job.name.as_str().into(),
            i64::from(job.version).into(),
            initial_state(job).as_str().into(),
            job.options.priority.rank().into(),
            job.payload.as_str().into(),
            now.saturating_add(job.options.delay_ms as i64).into(),
            i64::from(job.options.max_attempts).into(),
            backoff.into(),
            (job.options.timeout_ms as i64).into(),
            now.into(),
            now.into(),
        ]);
    }
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut ids = stmt
        .query_map(rusqlite::params_from_iter(values.iter()), |r| {
            r.get::<_, i64>(0)
        })?
        .collect::<Result<Vec<i64>, _>>()?;
    // Rows get ascending ids in the order they are listed; RETURNING promises no order.
    ids.sort_unstable();
    Ok(ids
        .into_iter()
        .map(|id| Enqueued { id, created: true })
        .collect())
}

fn insert(
    conn: &Connection,
    now: i64,
    job: &NewJob,
    backoff: &str,
) -> Result<Enqueued, QueueError> {
    job.validate()?;
    let inserted = conn
        .prepare_cached(
            "INSERT INTO queue_jobs (queue, name, version, state, priority, payload, run_at, \
             max_attempts, backoff, timeout_ms, idempotency_key, created_at, updated_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12) \
             ON CONFLICT (queue, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING",
        )?
        .execute(params![
            job.queue,
            job.name,
            job.version,
            initial_state(job),
            job.options.priority.rank(),
            job.payload,
            now.saturating_add(job.options.delay_ms as i64),
            job.options.max_attempts,
            backoff,
            job.options.timeout_ms as i64,
            job.options.idempotency_key,
            now,
        ])?;
    if inserted == 1 {
        return Ok(Enqueued {
            id: conn.last_insert_rowid(),
            created: true,
        });
    }
    let id: i64 = conn
        .prepare_cached("SELECT id FROM queue_jobs WHERE queue = ?1 AND idempotency_key = ?2")?
        .query_row(params![job.queue, job.options.idempotency_key], |r| {
            r.get(0)
        })?;
    Ok(Enqueued { id, created: false })
}

/// A job a worker claimed: what it needs to run it.
#[derive(Debug, Clone, PartialEq)]
pub struct Claimed {
    pub id: i64,
    pub name: String,
    pub version: u32,
    pub payload: String,
    /// This attempt's number (1 = the first).
    pub attempt: u32,
    pub max_attempts: u32,
    pub timeout_ms: u64,
    pub started_at: i64,
}

/// Claims the first `?5` waiting jobs of queue `?4`, highest priority first, then oldest: a
/// forward range of the state index, no sort.
const CLAIM_SQL: &str = "UPDATE queue_jobs SET state = 'active', attempts = attempts + 1, \
     lease_owner = ?1, lease_until = ?2, started_at = ?3, finished_at = NULL, updated_at = ?3 \
     WHERE id IN (SELECT id FROM queue_jobs WHERE queue = ?4 AND state = 'waiting' \
                  ORDER BY priority, id LIMIT ?5) \
     RETURNING id, name, version, payload, attempts, max_attempts, timeout_ms, priority";

/// What a claim found.
#[derive(Debug, Default)]
pub struct Claim {
    pub jobs: Vec<Claimed>,
    pub paused: bool,
    /// Delayed jobs made ready by this claim.
    pub promoted: i64,
    /// When the next delayed job of the queue is due, if any.
    pub next_due: Option<i64>,
}

/// Claims up to `limit` waiting jobs of `queue` for `owner` (highest priority first, then
/// oldest), leasing them until `now + lease_ms`; delayed jobs that are due become waiting first.
/// A paused queue gives nothing.
pub fn claim(
    conn: &Connection,
    now: i64,
    queue: QueueName,
    owner: &str,
    lease_ms: u64,
    limit: usize,
) -> Result<Claim, QueueError> {
    let paused: bool = conn
        .prepare_cached("SELECT paused FROM queue_state WHERE queue = ?1")?
        .query_row([queue], |r| r.get(0))?;
    let mut out = Claim {
        paused,
        ..Claim::default()
    };
    out.promoted = conn
        .prepare_cached(
            "UPDATE queue_jobs SET state = 'waiting', updated_at = ?1 \
             WHERE state = 'delayed' AND run_at <= ?1 AND queue = ?2",
        )?
        .execute(params![now, queue])? as i64;
    shift(
        conn,
        queue,
        Some(JobState::Delayed),
        Some(JobState::Waiting),
        out.promoted,
        now,
    )?;
    if !paused && limit > 0 {
        let mut stmt = conn.prepare_cached(CLAIM_SQL)?;
        let mut rows = stmt.query(params![
            owner,
            now.saturating_add(lease_ms as i64),
            now,
            queue,
            limit as i64
        ])?;
        let mut jobs = Vec::new();
        while let Some(r) = rows.next()? {
            let priority: i64 = r.get(7)?;
            jobs.push((
                priority,
                Claimed {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    version: r.get(2)?,
                    payload: r.get(3)?,
                    attempt: r.get(4)?,
                    max_attempts: r.get(5)?,
                    timeout_ms: r.get::<_, i64>(6)?.max(1) as u64,
                    started_at: now,
                },
            ));
        }
        // RETURNING gives rows in no promised order: run them in the order they were chosen.
        jobs.sort_by_key(|(priority, job)| (*priority, job.id));
        out.jobs = jobs.into_iter().map(|(_, job)| job).collect();
        shift(
            conn,
            queue,
            Some(JobState::Waiting),
            Some(JobState::Active),
            out.jobs.len() as i64,
            now,
        )?;
    }
    out.next_due = conn
        .prepare_cached(
            "SELECT run_at FROM queue_jobs WHERE state = 'delayed' AND queue = ?1 ORDER BY run_at LIMIT 1",
        )?
        .query_row([queue], |r| r.get(0))
        .optional()?;
    Ok(out)
}

/// How an attempt ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Done; the handler's result as JSON (none for `null`).
    Completed { result: Option<String> },
    /// Failed: retried after the backoff (or `retry_after_ms`, capped at 30 days) while
    /// attempts remain, unless `retry` is false.
    Failed {
        error: String,
        retry: bool,
        retry_after_ms: Option<u64>,
    },
    /// Not run (its handler found its target busy): delayed by `delay_ms`, the attempt not
    /// counted.
    Postponed { delay_ms: u64 },
    /// Not run to its end through no fault of its own (a shutdown): back to waiting, the
    /// attempt not counted.
    Released,
}

/// An attempt that ended, as the worker reports it.
#[derive(Debug, Clone, PartialEq)]
pub struct Finished {
    pub queue: QueueName,
    pub id: i64,
    pub attempt: u32,
    pub started_at: i64,
    pub outcome: Outcome,
}

/// Records attempts that ended. An attempt no longer holding its job (its lease ran out and
/// the job went back, it was cancelled, removed) changes nothing: it gives no transition.
pub fn finish(
    conn: &Connection,
    now: i64,
    owner: &str,
    done: &[Finished],
) -> Result<Vec<(QueueName, JobTransition)>, QueueError> {
    let mut transitions = Vec::with_capacity(done.len());
    let mut moves = Moves::default();
    for f in done {
        let guard = params![f.id, owner, f.attempt];
        let kind = match &f.outcome {
            Outcome::Completed { result } => {
                let n = conn
                    .prepare_cached(
                        "UPDATE queue_jobs SET state = 'completed', result = ?4, progress = 100, \
                         finished_at = ?5, lease_owner = NULL, lease_until = NULL, updated_at = ?5 \
                         WHERE id = ?1 AND state = 'active' AND lease_owner = ?2 AND attempts = ?3",
                    )?
                    .execute(params![f.id, owner, f.attempt, result, now])?;
                if n == 0 {
                    continue;
                }
                moves.add(f.queue, JobState::Active, JobState::Completed);
                TransitionKind::Completed
            }
            Outcome::Failed {
                error,
                retry,
                retry_after_ms,
            } => {
                let Some((max_attempts, backoff)) = conn
                    .prepare_cached(
                        "SELECT max_attempts, backoff FROM queue_jobs \
                         WHERE id = ?1 AND state = 'active' AND lease_owner = ?2 AND attempts = ?3",
                    )?
                    .query_row(guard, |r| Ok((r.get::<_, u32>(0)?, r.get::<_, String>(1)?)))
                    .optional()?
                else {
                    continue;
                };
                let next = if *retry && f.attempt < max_attempts {
                    let delay = match retry_after_ms {
                        Some(ms) => (*ms).min(MAX_DELAY_MS),
                        None => serde_json::from_str::<Backoff>(&backoff)
                            .unwrap_or(Backoff::Fixed { delay_ms: 0 })
                            .delay_ms(f.id, f.attempt),
                    };
                    Some(now.saturating_add(delay as i64))
                } else {
                    None
                };
                fail_attempt(
                    &mut moves,
                    conn,
                    now,
                    f.queue,
                    f.id,
                    f.attempt,
                    Some(f.started_at),
                    error,
                    next,
                )?
            }
            Outcome::Postponed { delay_ms } => {
                let n = conn
                    .prepare_cached(
                        "UPDATE queue_jobs SET state = 'delayed', attempts = attempts - 1, \
                         run_at = ?4, lease_owner = NULL, lease_until = NULL, updated_at = ?5 \
                         WHERE id = ?1 AND state = 'active' AND lease_owner = ?2 AND attempts = ?3",
                    )?
                    .execute(params![
                        f.id,
                        owner,
                        f.attempt,
                        now.saturating_add((*delay_ms).min(MAX_DELAY_MS) as i64),
                        now
                    ])?;
                if n == 0 {
                    continue;
                }
                moves.add(f.queue, JobState::Active, JobState::Delayed);
                TransitionKind::Released
            }
            Outcome::Released => {
                let n = conn
                    .prepare_cached(
                        "UPDATE queue_jobs SET state = 'waiting', attempts = attempts - 1, \
                         lease_owner = NULL, lease_until = NULL, updated_at = ?4 \
                         WHERE id = ?1 AND state = 'active' AND lease_owner = ?2 AND attempts = ?3",
                    )?
                    .execute(params![f.id, owner, f.attempt, now])?;
                if n == 0 {
                    continue;
                }
                moves.add(f.queue, JobState::Active, JobState::Waiting);
                TransitionKind::Released
            }
        };
        transitions.push((
            f.queue,
            JobTransition {
                id: f.id,
                kind,
                progress: None,
            },
        ));
    }
    moves.write(conn, now)?;
    Ok(transitions)
}

/// Ends an active job's attempt as failed: logs the attempt, then the job waits for its next
/// attempt (at `retry_at`) or, with none, has failed.
#[allow(clippy::too_many_arguments)]
fn fail_attempt(
    moves: &mut Moves,
    conn: &Connection,
    now: i64,
    queue: QueueName,
    id: i64,
    attempt: u32,
    started_at: Option<i64>,
    error: &str,
    retry_at: Option<i64>,
) -> Result<TransitionKind, QueueError> {
    let error: String = error.chars().take(4000).collect();
    conn.prepare_cached(
        "INSERT OR REPLACE INTO queue_job_attempts (job_id, attempt, started_at, finished_at, error) \
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![id, attempt, started_at, now, error])?;
    let (state, kind) = match retry_at {
        Some(at) if at > now => (JobState::Delayed, TransitionKind::Retrying),
        Some(_) => (JobState::Waiting, TransitionKind::Retrying),
        None => (JobState::Failed, TransitionKind::Failed),
    };
    conn.prepare_cached(
        "UPDATE queue_jobs SET state = ?2, failed_reason = ?3, run_at = coalesce(?4, run_at), \
         finished_at = CASE WHEN ?2 = 'failed' THEN ?5 ELSE NULL END, \
         lease_owner = NULL, lease_until = NULL, updated_at = ?5 WHERE id = ?1",
    )?
    .execute(params![id, state, error, retry_at, now])?;
    moves.add(queue, JobState::Active, state);
    Ok(kind)
}

/// Records an active job's progress (only while `owner`'s attempt still holds it).
pub fn progress(
    conn: &Connection,
    now: i64,
    owner: &str,
    id: i64,
    attempt: u32,
    percent: u8,
    message: Option<&str>,
) -> Result<bool, QueueError> {
    let message: Option<String> = message.map(|m| m.chars().take(500).collect());
    Ok(conn
        .prepare_cached(
            "UPDATE queue_jobs SET progress = ?4, progress_message = ?5, updated_at = ?6 \
             WHERE id = ?1 AND state = 'active' AND lease_owner = ?2 AND attempts = ?3",
        )?
        .execute(params![id, owner, attempt, percent.min(100), message, now])?
        == 1)
}

/// Extends the leases `owner` holds on `ids` to `until`; returns the ids it still holds (a job
/// missing from them was taken back, cancelled or removed: its attempt should stop). Only the
/// jobs the worker still tracks are renewed: one whose end it failed to record comes back when
/// its lease runs out.
pub fn renew_leases(
    conn: &Connection,
    owner: &str,
    ids: &[i64],
    until: i64,
) -> Result<Vec<i64>, QueueError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = serde_json::to_string(ids).map_err(|e| QueueError::Internal(e.to_string()))?;
    let mut stmt = conn.prepare_cached(
        "UPDATE queue_jobs SET lease_until = ?2 WHERE state = 'active' AND lease_owner = ?1 \
         AND id IN (SELECT value FROM json_each(?3)) RETURNING id",
    )?;
    let kept = stmt
        .query_map(params![owner, until, list], |r| r.get(0))?
        .collect::<Result<Vec<i64>, _>>()?;
    Ok(kept)
}

/// Takes back active jobs whose lease ran out (their worker died, or slept past it): each such
/// attempt counts and is logged; the job waits again, or has failed when it was its last.
pub fn reap_expired(
    conn: &Connection,
    now: i64,
) -> Result<Vec<(QueueName, JobTransition)>, QueueError> {
    let mut expired: Vec<(i64, QueueName, u32, u32, Option<i64>)> = Vec::new();
    for queue in QueueName::ALL {
        let mut stmt = conn.prepare_cached(
            "SELECT id, queue, attempts, max_attempts, started_at FROM queue_jobs \
             WHERE queue = ?1 AND state = 'active' AND lease_until < ?2 LIMIT 10000",
        )?;
        let rows = stmt.query_map(params![queue, now], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })?;
        for row in rows {
            expired.push(row?);
        }
    }
    let mut out = Vec::with_capacity(expired.len());
    let mut moves = Moves::default();
    for (id, queue, attempt, max_attempts, started_at) in expired {
        let retry_at = (attempt < max_attempts).then_some(now);
        let kind = fail_attempt(
            &mut moves,
            conn,
            now,
            queue,
            id,
            attempt,
            started_at,
            "the worker stopped before finishing (its lease ran out: the app was killed, crashed or slept)",
            retry_at,
        )?;
        out.push((
            queue,
            JobTransition {
                id,
                kind,
                progress: None,
            },
        ));
    }
    moves.write(conn, now)?;
    Ok(out)
}

/// Recomputes every queue's counts from the jobs themselves (on start: the counts then stay
/// exact even if another program changed the rows).
pub fn recount(conn: &Connection, now: i64) -> Result<(), QueueError> {
    conn.execute(
        "UPDATE queue_state SET \
         waiting = (SELECT count(*) FROM queue_jobs j WHERE j.queue = queue_state.queue AND j.state = 'waiting'), \
         delayed = (SELECT count(*) FROM queue_jobs j WHERE j.queue = queue_state.queue AND j.state = 'delayed'), \
         active = (SELECT count(*) FROM queue_jobs j WHERE j.queue = queue_state.queue AND j.state = 'active'), \
         completed = (SELECT count(*) FROM queue_jobs j WHERE j.queue = queue_state.queue AND j.state = 'completed'), \
         failed = (SELECT count(*) FROM queue_jobs j WHERE j.queue = queue_state.queue AND j.state = 'failed'), \
         cancelled = (SELECT count(*) FROM queue_jobs j WHERE j.queue = queue_state.queue AND j.state = 'cancelled'), \
         updated_at = ?1",
        [now],
    )?;
    Ok(())
}

pub fn stats(conn: &Connection, queue: QueueName) -> Result<QueueStats, QueueError> {
    Ok(conn
        .prepare_cached(
            "SELECT active, waiting, completed, failed, delayed, cancelled, paused \
             FROM queue_state WHERE queue = ?1",
        )?
        .query_row([queue], |r| {
            Ok(QueueStats {
                queue,
                active: r.get(0)?,
                waiting: r.get(1)?,
                completed: r.get(2)?,
                failed: r.get(3)?,
                delayed: r.get(4)?,
                cancelled: r.get(5)?,
                paused: r.get(6)?,
            })
        })?)
}

pub fn all_stats(conn: &Connection) -> Result<Vec<QueueStats>, QueueError> {
    QueueName::ALL.iter().map(|q| stats(conn, *q)).collect()
}

pub fn set_paused(
    conn: &Connection,
    now: i64,
    queue: QueueName,
    paused: bool,
) -> Result<(), QueueError> {
    conn.prepare_cached("UPDATE queue_state SET paused = ?2, updated_at = ?3 WHERE queue = ?1")?
        .execute(params![queue, paused, now])?;
    Ok(())
}

fn state_of(conn: &Connection, queue: QueueName, id: i64) -> Result<JobState, QueueError> {
    conn.prepare_cached("SELECT state FROM queue_jobs WHERE id = ?1 AND queue = ?2")?
        .query_row(params![id, queue], |r| r.get(0))
        .optional()?
        .ok_or_else(|| not_found(queue, id))
}

fn not_found(queue: QueueName, id: i64) -> QueueError {
    QueueError::JobNotFound {
        queue: queue.to_string(),
        id: id.to_string(),
    }
}

/// The newest job of type `name` on `queue` whose payload's top-level `field` is `value` (the
/// job a record's work runs as: a media file's processing), none when there is none.
pub fn newest_with_payload(
    conn: &Connection,
    queue: QueueName,
    name: &str,
    field: &str,
    value: &str,
) -> Result<Option<i64>, QueueError> {
    Ok(conn
        .prepare_cached(
            "SELECT id FROM queue_jobs WHERE queue = ?1 AND name = ?2 \
             AND json_extract(payload, ?3) = ?4 ORDER BY id DESC LIMIT 1",
        )?
        .query_row(params![queue, name, format!("$.{field}"), value], |r| {
            r.get(0)
        })
        .optional()?)
}

/// The queue job `id` is on (ids are unique across queues).
pub fn queue_of(conn: &Connection, id: i64) -> Result<Option<QueueName>, QueueError> {
    Ok(conn
        .prepare_cached("SELECT queue FROM queue_jobs WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?)
}

pub fn status(conn: &Connection, queue: QueueName, id: i64) -> Result<JobStatus, QueueError> {
    conn.prepare_cached(
        "SELECT state, progress, attempts, failed_reason FROM queue_jobs WHERE id = ?1 AND queue = ?2",
    )?
    .query_row(params![id, queue], |r| {
        Ok(JobStatus {
            id,
            status: r.get(0)?,
            progress: r.get(1)?,
            attempts: r.get(2)?,
            failed_reason: r.get(3)?,
        })
    })
    .optional()?
    .ok_or_else(|| not_found(queue, id))
}

pub fn detail(conn: &Connection, queue: QueueName, id: i64) -> Result<JobDetail, QueueError> {
    let mut job = conn
        .prepare_cached(
            "SELECT name, version, state, priority, payload, attempts, max_attempts, backoff, \
             timeout_ms, progress, progress_message, result, failed_reason, idempotency_key, run_at, \
             created_at, started_at, finished_at, updated_at FROM queue_jobs WHERE id = ?1 AND queue = ?2",
        )?
        .query_row(params![id, queue], |r| {
            let payload: String = r.get(4)?;
            let backoff: String = r.get(7)?;
            let result: Option<String> = r.get(11)?;
            Ok(JobDetail {
                id,
                queue,
                name: r.get(0)?,
                version: r.get(1)?,
                state: r.get(2)?,
                priority: Priority::from_rank(r.get(3)?),
                payload: serde_json::from_str(&payload).unwrap_or(serde_json::Value::String(payload)),
                attempts: r.get(5)?,
                max_attempts: r.get(6)?,
                backoff: serde_json::from_str(&backoff).unwrap_or(Backoff::Fixed { delay_ms: 0 }),
                timeout_ms: r.get::<_, i64>(8)?.max(0) as u64,
                progress: r.get(9)?,
                progress_message: r.get(10)?,
                result: result.map(|t| serde_json::from_str(&t).unwrap_or(serde_json::Value::String(t))),
                failed_reason: r.get(12)?,
                idempotency_key: r.get(13)?,
                run_at: iso(r.get(14)?),
                created_at: iso(r.get(15)?),
                started_at: r.get::<_, Option<i64>>(16)?.map(iso),
                finished_at: r.get::<_, Option<i64>>(17)?.map(iso),
                updated_at: iso(r.get(18)?),
                failures: Vec::new(),
                actions: Vec::new(),
            })
        })
        .optional()?
        .ok_or_else(|| not_found(queue, id))?;
    job.actions = job.state.actions();
    job.failures = conn
        .prepare_cached(
            "SELECT attempt, started_at, finished_at, error FROM queue_job_attempts \
             WHERE job_id = ?1 ORDER BY attempt",
        )?
        .query_map([id], |r| {
            Ok(AttemptRecord {
                attempt: r.get(0)?,
                started_at: r.get::<_, Option<i64>>(1)?.map(iso),
                finished_at: iso(r.get(2)?),
                error: r.get(3)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(job)
}

/// The most rows one page holds.
pub const MAX_PAGE: u32 = 200;

/// The SQL for `columns` of the newest jobs (id below `?2`) of queue `?1` in state `?3`, newest
/// first: one backwards range of the state index per priority, each stopped at `limit`, merged.
/// (A single `ORDER BY id` over the state would read and sort all of its jobs.)
fn newest_in_state(columns: &str, filter: &str, limit: u32) -> String {
    let branch = |priority: i64| {
        format!(
            "SELECT * FROM (SELECT {columns} FROM queue_jobs WHERE queue = ?1 AND state = ?3 \
             AND priority = {priority} AND id < ?2{filter} ORDER BY id DESC LIMIT {limit})"
        )
    };
    format!(
        "SELECT * FROM ({} UNION ALL {} UNION ALL {}) ORDER BY id DESC LIMIT {limit}",
        branch(0),
        branch(1),
        branch(2)
    )
}

/// A page of `queue`'s jobs, newest first, filtered by state and by an id or payload text.
pub fn list(conn: &Connection, queue: QueueName, query: &JobQuery) -> Result<JobPage, QueueError> {
    let limit = query.limit.unwrap_or(50).clamp(1, MAX_PAGE);
    let before = match query.cursor.as_deref() {
        None | Some("") => i64::MAX,
        Some(c) => c.parse::<i64>().map_err(|_| QueueError::InvalidCursor)?,
    };
    let mut filter = String::new();
    let mut args: Vec<rusqlite::types::Value> = vec![queue.into(), before.into()];
    if let Some(state) = query.status {
        args.push(state.into());
    }
    let search = query.q.as_deref().map(str::trim).filter(|q| !q.is_empty());
    if let Some(q) = search {
        if q.chars().count() > 200 {
            return Err(QueueError::InvalidOptions {
                field: "q".into(),
                reason: "a search has at most 200 characters".into(),
            });
        }
        let n = args.len() + 1;
        let pattern = format!(
            "%{}%",
            q.replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        );
        match q.trim_start_matches('#').parse::<i64>() {
            Ok(id) => {
                filter = format!(" AND (id = ?{n} OR payload LIKE ?{} ESCAPE '\\')", n + 1);
                args.push(id.into());
            }
            Err(_) => filter = format!(" AND payload LIKE ?{n} ESCAPE '\\'"),
        }
        args.push(pattern.into());
    }
    let columns = "id, name, state, priority, attempts, max_attempts, progress, failed_reason, \
                   substr(payload, 1, 200) AS preview, created_at, updated_at, run_at";
    let sql = match query.status {
        Some(_) => newest_in_state(columns, &filter, limit + 1),
        // `+queue`: walk the primary key newest first (stopping at a page), not the state
        // index, which would read and sort every job of the queue.
        None => format!(
            "SELECT {columns} FROM queue_jobs WHERE +queue = ?1 AND id < ?2{filter} \
             ORDER BY id DESC LIMIT {}",
            limit + 1
        ),
    };
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut jobs: Vec<JobSummary> = stmt
        .query_map(rusqlite::params_from_iter(args.iter()), |r| {
            Ok(JobSummary {
                id: r.get(0)?,
                queue,
                name: r.get(1)?,
                state: r.get(2)?,
                priority: Priority::from_rank(r.get(3)?),
                attempts: r.get(4)?,
                max_attempts: r.get(5)?,
                progress: r.get(6)?,
                failed_reason: r.get(7)?,
                payload_preview: r.get(8)?,
                created_at: iso(r.get(9)?),
                updated_at: iso(r.get(10)?),
                run_at: iso(r.get(11)?),
            })
        })?
        .collect::<Result<_, _>>()?;
    let next_cursor = if jobs.len() > limit as usize {
        jobs.truncate(limit as usize);
        jobs.last().map(|j| j.id.to_string())
    } else {
        None
    };
    Ok(JobPage { jobs, next_cursor })
}

/// What a retry sets (`?2` = now): waiting again, with another round of its attempts (capped
/// at the schema's 1000) and its progress reset.
const NEW_ROUND: &str = "state = 'waiting', run_at = ?2, \
     max_attempts = min(1000, attempts + max_attempts), progress = 0, progress_message = NULL, \
     finished_at = NULL, updated_at = ?2";

/// Gives a failed or cancelled job another round of its attempts.
pub fn retry(conn: &Connection, now: i64, queue: QueueName, id: i64) -> Result<(), QueueError> {
    let state = state_of(conn, queue, id)?;
    if !state.allows(JobAction::Retry) {
        return Err(QueueError::InvalidState {
            id,
            state,
            action: "retried",
        });
    }
    conn.prepare_cached(&format!("UPDATE queue_jobs SET {NEW_ROUND} WHERE id = ?1"))?
        .execute(params![id, now])?;
    shift(conn, queue, Some(state), Some(JobState::Waiting), 1, now)
}

/// Retries every failed job of `queue`; returns how many.
pub fn retry_all_failed(conn: &Connection, now: i64, queue: QueueName) -> Result<i64, QueueError> {
    let n = conn
        .prepare_cached(&format!(
            "UPDATE queue_jobs SET {NEW_ROUND} WHERE queue = ?1 AND state = 'failed'"
        ))?
        .execute(params![queue, now])? as i64;
    shift(
        conn,
        queue,
        Some(JobState::Failed),
        Some(JobState::Waiting),
        n,
        now,
    )?;
    Ok(n)
}

/// Cancels a job that has not finished; returns the state it was in (an active job's attempt
/// is then stopped by its worker, whose result no longer counts).
pub fn cancel(
    conn: &Connection,
    now: i64,
    queue: QueueName,
    id: i64,
) -> Result<JobState, QueueError> {
    let state = state_of(conn, queue, id)?;
    if !state.allows(JobAction::Cancel) {
        return Err(QueueError::InvalidState {
            id,
            state,
            action: "cancelled",
        });
    }
    conn.prepare_cached(
        "UPDATE queue_jobs SET state = 'cancelled', failed_reason = coalesce(failed_reason, 'cancelled'), \
         lease_owner = NULL, lease_until = NULL, finished_at = ?2, updated_at = ?2 WHERE id = ?1",
    )?
    .execute(params![id, now])?;
    shift(conn, queue, Some(state), Some(JobState::Cancelled), 1, now)?;
    Ok(state)
}

/// Deletes a job that is not running (with its attempt log).
pub fn remove(
    conn: &Connection,
    now: i64,
    queue: QueueName,
    id: i64,
) -> Result<JobState, QueueError> {
    let state = state_of(conn, queue, id)?;
    if !state.allows(JobAction::Remove) {
        return Err(QueueError::InvalidState {
            id,
            state,
            action: "removed while it runs (cancel it first)",
        });
    }
    conn.prepare_cached("DELETE FROM queue_jobs WHERE id = ?1")?
        .execute([id])?;
    shift(conn, queue, Some(state), None, 1, now)?;
    Ok(state)
}

/// Makes a delayed job ready now.
pub fn promote(conn: &Connection, now: i64, queue: QueueName, id: i64) -> Result<(), QueueError> {
    let state = state_of(conn, queue, id)?;
    if !state.allows(JobAction::Promote) {
        return Err(QueueError::InvalidState {
            id,
            state,
            action: "promoted (only a delayed job can be)",
        });
    }
    conn.prepare_cached(
        "UPDATE queue_jobs SET state = 'waiting', run_at = ?2, updated_at = ?2 WHERE id = ?1",
    )?
    .execute(params![id, now])?;
    shift(
        conn,
        queue,
        Some(JobState::Delayed),
        Some(JobState::Waiting),
        1,
        now,
    )
}

/// Deletes up to `batch` finished jobs of `queue` in `state` that finished before
/// `finished_before`, or are beyond the newest `keep` of that state. Returns how many.
pub fn clean(
    conn: &Connection,
    now: i64,
    queue: QueueName,
    state: JobState,
    finished_before: Option<i64>,
    keep: Option<u64>,
    batch: usize,
) -> Result<i64, QueueError> {
    if !state.is_finished() {
        return Err(QueueError::InvalidOptions {
            field: "status".into(),
            reason: "only completed, failed or cancelled jobs can be cleaned".into(),
        });
    }
    // The id below which jobs are beyond the newest `keep` (ids grow with time).
    let keep_below: Option<i64> = match keep {
        None => None,
        Some(keep) => {
            let keep = keep.min(1_000_000_000) as u32;
            let sql = format!(
                "SELECT id FROM ({}) ORDER BY id DESC LIMIT 1 OFFSET {keep}",
                newest_in_state("id", "", keep + 1)
            );
            conn.prepare_cached(&sql)?
                .query_row(params![queue, i64::MAX, state], |r| r.get(0))
                .optional()?
                .map(|id: i64| id + 1)
        }
    };
    if finished_before.is_none() && keep_below.is_none() && keep.is_some() {
        return Ok(0);
    }
    let n = conn
        .prepare_cached(
            "DELETE FROM queue_jobs WHERE id IN (SELECT id FROM queue_jobs WHERE queue = ?1 AND state = ?2 \
             AND ((?3 IS NULL AND ?4 IS NULL) OR coalesce(finished_at, updated_at) < ?3 OR id < ?4) \
             LIMIT ?5)",
        )?
        .execute(params![queue, state, finished_before, keep_below, batch as i64])? as i64;
    shift(conn, queue, Some(state), None, n, now)?;
    Ok(n)
}

/// Deletes all of `queue`'s finished jobs in `state` (or those finished before `finished_before`),
/// a transaction per batch so that other writes go on in between; returns how many.
pub fn clean_in_batches(
    store: &Store,
    queue: QueueName,
    state: JobState,
    finished_before: Option<i64>,
) -> Result<i64, QueueError> {
    const BATCH: usize = 5_000;
    let mut total = 0;
    loop {
        let n = store.with_untracked_tx(|tx| {
            clean(
                tx,
                store.now().unix_millis(),
                queue,
                state,
                finished_before,
                None,
                BATCH,
            )
        })?;
        total += n;
        if n < BATCH as i64 {
            return Ok(total);
        }
    }
}

#[cfg(test)]
mod tests;
