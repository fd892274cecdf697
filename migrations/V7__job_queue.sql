-- The durable job queue (crates/botdesk-queue). Local machinery, neither audited nor synced: a
-- job is not the owner's data (what a job changes is, in its own tables). Times are unix
-- milliseconds from the store's clock, compared on every claim.

-- One row per queue: whether it is paused, and how many of its jobs are in each state. The
-- counts are kept by the queue's own statements in the same transactions as the changes they
-- count (a trigger per row would cost more than the row), so stats cost one row read at any
-- number of jobs; `botdesk-queue` recounts them when it starts.
CREATE TABLE queue_state (
    -- The queues are the rows (a new queue is a new row, not a new constraint); jobs refer to them.
    queue      TEXT PRIMARY KEY NOT NULL CONSTRAINT ck_queue_state_queue CHECK (length(queue) BETWEEN 1 AND 64),
    paused     INTEGER NOT NULL DEFAULT 0 CONSTRAINT ck_queue_state_paused CHECK (paused IN (0, 1)),
    waiting    INTEGER NOT NULL DEFAULT 0,
    delayed    INTEGER NOT NULL DEFAULT 0,
    active     INTEGER NOT NULL DEFAULT 0,
    completed  INTEGER NOT NULL DEFAULT 0,
    failed     INTEGER NOT NULL DEFAULT 0,
    cancelled  INTEGER NOT NULL DEFAULT 0,
    updated_at INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

INSERT INTO queue_state (queue) VALUES
    ('media_processing'), ('message_sending'), ('order_processing'), ('webhook_delivery'), ('sync');

CREATE TABLE queue_jobs (
    -- Integer ids: they order the jobs (first in, first out within a priority) and page cheaply.
    id               INTEGER PRIMARY KEY,
    queue            TEXT NOT NULL REFERENCES queue_state (queue),
    -- The job type (a handler's NAME) and the version of its payload's shape.
    name             TEXT NOT NULL CONSTRAINT ck_queue_jobs_name CHECK (length(name) BETWEEN 1 AND 100),
    version          INTEGER NOT NULL DEFAULT 1 CONSTRAINT ck_queue_jobs_version CHECK (version >= 1),
    state            TEXT NOT NULL CONSTRAINT ck_queue_jobs_state
                     CHECK (state IN ('waiting', 'delayed', 'active', 'completed', 'failed', 'cancelled')),
    -- 0 high, 1 normal, 2 low: claimed in that order.
    priority         INTEGER NOT NULL DEFAULT 1 CONSTRAINT ck_queue_jobs_priority CHECK (priority IN (0, 1, 2)),
    payload          TEXT NOT NULL,
    -- When a delayed or retrying job may run.
    run_at           INTEGER NOT NULL,
    -- Attempts started (a claim counts one), and the most allowed.
    attempts         INTEGER NOT NULL DEFAULT 0,
    max_attempts     INTEGER NOT NULL CONSTRAINT ck_queue_jobs_max_attempts CHECK (max_attempts BETWEEN 1 AND 1000),
    -- The retry delays, as JSON: {"type":"exponential","base_ms":…,"cap_ms":…} or {"type":"fixed","delay_ms":…}.
    backoff          TEXT NOT NULL,
    timeout_ms       INTEGER NOT NULL CONSTRAINT ck_queue_jobs_timeout_ms CHECK (timeout_ms > 0),
    progress         INTEGER NOT NULL DEFAULT 0 CONSTRAINT ck_queue_jobs_progress CHECK (progress BETWEEN 0 AND 100),
    progress_message TEXT,
    result           TEXT,
    failed_reason    TEXT,
    idempotency_key  TEXT CONSTRAINT ck_queue_jobs_idempotency_key
                     CHECK (idempotency_key IS NULL OR length(idempotency_key) BETWEEN 1 AND 200),
    -- Who runs an active job, and until when it may without renewing (the heartbeat renews).
    lease_owner      TEXT,
    lease_until      INTEGER,
    created_at       INTEGER NOT NULL,
    started_at       INTEGER,
    finished_at      INTEGER,
    updated_at       INTEGER NOT NULL
);

-- One index serves what a worker claims next (a queue's waiting jobs by priority, then oldest),
-- the monitor's lists (a queue's jobs in one state, newest first: one range per priority, read
-- backwards), the counts, and the reaper's look at a queue's active jobs (few: at most its
-- concurrency, so leases need no index of their own). Every index costs every job on every
-- move, so there is one; a queue's list of every state walks the primary key.
CREATE INDEX ix_queue_jobs_state ON queue_jobs (queue, state, priority, id);
-- Delayed and retrying jobs, by when they are due.
CREATE INDEX ix_queue_jobs_due ON queue_jobs (run_at) WHERE state = 'delayed';
-- Enqueueing twice with one key gives one job.
CREATE UNIQUE INDEX ux_queue_jobs_idempotency ON queue_jobs (queue, idempotency_key)
    WHERE idempotency_key IS NOT NULL;

-- Every attempt that did not succeed: when it ran and why it failed (a success is the job's
-- own started_at / finished_at / result).
CREATE TABLE queue_job_attempts (
    job_id      INTEGER NOT NULL REFERENCES queue_jobs (id) ON DELETE CASCADE,
    attempt     INTEGER NOT NULL,
    started_at  INTEGER,
    finished_at INTEGER NOT NULL,
    error       TEXT NOT NULL,
    PRIMARY KEY (job_id, attempt)
) WITHOUT ROWID;
