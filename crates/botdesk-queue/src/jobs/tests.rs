//! The SQL layer against a real store file, with the clock in the test's hands.

use botdesk_store::{Actor, Store, StoreError, StoreOptions};

use super::*;

const OWNER: &str = "worker-a";
const T0: i64 = 1_800_000_000_000;

fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), StoreOptions::default()).unwrap();
    (dir, store)
}

fn write<T>(
    store: &Store,
    f: impl FnOnce(&Connection) -> Result<T, QueueError>,
) -> Result<T, QueueError> {
    store.with_tx(&Actor::System("test".into()), |tx| f(tx))
}

fn job(queue: QueueName, payload: &str) -> NewJob {
    NewJob {
        queue,
        name: "noop".into(),
        version: 1,
        payload: payload.into(),
        options: JobOptions::default(),
    }
}

/// The counts kept by the statements must equal the jobs counted.
fn assert_counts_exact(store: &Store) {
    store
        .read(|c| -> Result<(), QueueError> {
            for q in QueueName::ALL {
                let kept = stats(c, *q)?;
                for (state, n) in [
                    (JobState::Waiting, kept.waiting),
                    (JobState::Delayed, kept.delayed),
                    (JobState::Active, kept.active),
                    (JobState::Completed, kept.completed),
                    (JobState::Failed, kept.failed),
                    (JobState::Cancelled, kept.cancelled),
                ] {
                    let counted: i64 = c.query_row(
                        "SELECT count(*) FROM queue_jobs WHERE queue = ?1 AND state = ?2",
                        params![q, state],
                        |r| r.get(0),
                    )?;
                    assert_eq!(n, counted, "{q} {state}");
                }
            }
            Ok(())
        })
        .unwrap();
}

#[test]
fn a_job_goes_from_waiting_to_completed_and_the_counts_follow() {
    let (_d, store) = store();
    let e = write(&store, |c| {
        enqueue(c, T0, &job(QueueName::MessageSending, r#"{"to":"+1555"}"#))
    })
    .unwrap();
    assert!(e.created);
    let claim = write(&store, |c| {
        claim(c, T0 + 1, QueueName::MessageSending, OWNER, 30_000, 10)
    })
    .unwrap();
    assert_eq!(claim.jobs.len(), 1);
    let j = &claim.jobs[0];
    assert_eq!(
        (j.id, j.attempt, j.payload.as_str()),
        (e.id, 1, r#"{"to":"+1555"}"#)
    );
    // Claimed jobs are not claimed again.
    assert!(
        write(&store, |c| super::claim(
            c,
            T0 + 2,
            QueueName::MessageSending,
            "other",
            30_000,
            10
        ))
        .unwrap()
        .jobs
        .is_empty()
    );
    let done = Finished {
        queue: QueueName::MessageSending,
        id: e.id,
        attempt: 1,
        started_at: T0 + 1,
        outcome: Outcome::Completed {
            result: Some(r#"{"sent":true}"#.into()),
        },
    };
    let t = write(&store, |c| {
        finish(c, T0 + 5, OWNER, std::slice::from_ref(&done))
    })
    .unwrap();
    assert_eq!(t[0].1.kind, TransitionKind::Completed);
    let d = store
        .read(|c| detail(c, QueueName::MessageSending, e.id))
        .unwrap();
    assert_eq!(d.state, JobState::Completed);
    assert_eq!(d.result, Some(serde_json::json!({"sent": true})));
    assert_eq!(d.progress, 100);
    let s = store.read(|c| stats(c, QueueName::MessageSending)).unwrap();
    assert_eq!((s.waiting, s.active, s.completed), (0, 0, 1));
    // Reporting the same attempt again changes nothing.
    assert!(
        write(&store, |c| finish(c, T0 + 6, OWNER, &[done]))
            .unwrap()
            .is_empty()
    );
    assert_counts_exact(&store);
}

#[test]
fn priorities_run_first_then_oldest_first() {
    let (_d, store) = store();
    let mut ids = Vec::new();
    for (i, p) in [
        Priority::Low,
        Priority::Normal,
        Priority::High,
        Priority::Normal,
        Priority::High,
    ]
    .iter()
    .enumerate()
    {
        let mut j = job(QueueName::OrderProcessing, &format!("{{\"i\":{i}}}"));
        j.options.priority = *p;
        ids.push(write(&store, |c| enqueue(c, T0, &j)).unwrap().id);
    }
    let claim = write(&store, |c| {
        claim(c, T0, QueueName::OrderProcessing, OWNER, 1000, 10)
    })
    .unwrap();
    let order: Vec<i64> = claim.jobs.iter().map(|j| j.id).collect();
    assert_eq!(order, vec![ids[2], ids[4], ids[1], ids[3], ids[0]]);
}

#[test]
fn enqueueing_twice_with_one_key_gives_one_job() {
    let (_d, store) = store();
    let mut j = job(QueueName::WebhookDelivery, "{}");
    j.options.idempotency_key = Some("order-42-paid".into());
    let a = write(&store, |c| enqueue(c, T0, &j)).unwrap();
    let b = write(&store, |c| enqueue(c, T0 + 1, &j)).unwrap();
    assert_eq!(a.id, b.id);
    assert!(a.created && !b.created);
    // The same key on another queue is another job.
    j.queue = QueueName::MessageSending;
    assert_ne!(write(&store, |c| enqueue(c, T0, &j)).unwrap().id, a.id);
    let bulk = write(&store, |c| enqueue_bulk(c, T0, &[j.clone(), j.clone()])).unwrap();
    assert!(!bulk[0].created && !bulk[1].created);
    assert_counts_exact(&store);
}

#[test]
fn enqueueing_joins_the_callers_transaction() {
    let (_d, store) = store();
    let err = store
        .with_tx(
            &Actor::System("test".into()),
            |tx| -> Result<(), QueueError> {
                enqueue(tx, T0, &job(QueueName::OrderProcessing, "{}"))?;
                // The caller's own change fails after the job was queued: both roll back.
                tx.execute("INSERT INTO merchants (id, name) VALUES ('short', 'x')", [])?;
                Ok(())
            },
        )
        .unwrap_err();
    assert!(
        matches!(err, QueueError::Store(StoreError::CheckViolation { .. })),
        "{err:?}"
    );
    let s = store
        .read(|c| stats(c, QueueName::OrderProcessing))
        .unwrap();
    assert_eq!(s.waiting, 0);
    let n: i64 = store
        .read(|c| {
            c.query_row("SELECT count(*) FROM queue_jobs", [], |r| r.get(0))
                .map_err(QueueError::from)
        })
        .unwrap();
    assert_eq!(n, 0);
}

#[test]
fn retries_follow_the_backoff_on_the_stored_clock() {
    let (_d, store) = store();
    let mut j = job(QueueName::WebhookDelivery, "{}");
    j.options.max_attempts = 3;
    j.options.backoff = Backoff::Exponential {
        base_ms: 1_000,
        cap_ms: 60_000,
    };
    let id = write(&store, |c| enqueue(c, T0, &j)).unwrap().id;
    let mut now = T0;
    for attempt in 1..=3u32 {
        let claim = write(&store, |c| {
            claim(c, now, QueueName::WebhookDelivery, OWNER, 30_000, 1)
        })
        .unwrap();
        assert_eq!(claim.jobs.len(), 1, "attempt {attempt} is claimed when due");
        assert_eq!(claim.jobs[0].attempt, attempt);
        let failed = Finished {
            queue: QueueName::WebhookDelivery,
            id,
            attempt,
            started_at: now,
            outcome: Outcome::Failed {
                error: format!("HTTP 503 #{attempt}"),
                retry: true,
                retry_after_ms: None,
            },
        };
        let t = write(&store, |c| finish(c, now + 10, OWNER, &[failed])).unwrap();
        if attempt == 3 {
            assert_eq!(t[0].1.kind, TransitionKind::Failed);
            break;
        }
        assert_eq!(t[0].1.kind, TransitionKind::Retrying);
        let d = store
            .read(|c| detail(c, QueueName::WebhookDelivery, id))
            .unwrap();
        assert_eq!(d.state, JobState::Delayed);
        let due = Timestamp::from_str(&d.run_at).unwrap().unix_millis();
        let delay = due - (now + 10);
        let full = 1_000i64 << (attempt - 1);
        assert!(
            (full / 2..=full).contains(&delay),
            "attempt {attempt}: waited {delay} ms of {full}"
        );
        assert_eq!(delay as u64, j.options.backoff.delay_ms(id, attempt));
        // Not a millisecond early, and on time.
        let early = write(&store, |c| {
            super::claim(c, due - 1, QueueName::WebhookDelivery, OWNER, 30_000, 1)
        })
        .unwrap();
        assert!(early.jobs.is_empty());
        assert_eq!(early.next_due, Some(due));
        now = due;
    }
    let d = store
        .read(|c| detail(c, QueueName::WebhookDelivery, id))
        .unwrap();
    assert_eq!(d.state, JobState::Failed);
    assert_eq!(d.failed_reason.as_deref(), Some("HTTP 503 #3"));
    let errors: Vec<&str> = d.failures.iter().map(|f| f.error.as_str()).collect();
    assert_eq!(errors, ["HTTP 503 #1", "HTTP 503 #2", "HTTP 503 #3"]);
    assert_eq!(
        store
            .read(|c| status(c, QueueName::WebhookDelivery, id))
            .unwrap()
            .failed_reason
            .as_deref(),
        Some("HTTP 503 #3")
    );
    // A manual retry gives it another round, and it can complete.
    write(&store, |c| retry(c, now, QueueName::WebhookDelivery, id)).unwrap();
    let claim = write(&store, |c| {
        claim(c, now, QueueName::WebhookDelivery, OWNER, 30_000, 1)
    })
    .unwrap();
    assert_eq!(claim.jobs[0].attempt, 4);
    assert_eq!(claim.jobs[0].max_attempts, 6);
    assert_counts_exact(&store);
}

#[test]
fn a_failure_that_should_not_be_retried_fails_at_once() {
    let (_d, store) = store();
    let id = write(&store, |c| {
        enqueue(c, T0, &job(QueueName::MediaProcessing, "{}"))
    })
    .unwrap()
    .id;
    write(&store, |c| {
        claim(c, T0, QueueName::MediaProcessing, OWNER, 30_000, 1)
    })
    .unwrap();
    let f = Finished {
        queue: QueueName::MediaProcessing,
        id,
        attempt: 1,
        started_at: T0,
        outcome: Outcome::Failed {
            error: "not an image".into(),
            retry: false,
            retry_after_ms: None,
        },
    };
    write(&store, |c| finish(c, T0, OWNER, &[f])).unwrap();
    assert_eq!(
        store
            .read(|c| status(c, QueueName::MediaProcessing, id))
            .unwrap()
            .status,
        JobState::Failed
    );
}

#[test]
fn an_expired_lease_gives_the_job_back_and_counts_the_attempt() {
    let (_d, store) = store();
    let mut j = job(QueueName::MessageSending, "{}");
    j.options.max_attempts = 2;
    let id = write(&store, |c| enqueue(c, T0, &j)).unwrap().id;
    write(&store, |c| {
        claim(c, T0, QueueName::MessageSending, "dead-worker", 1_000, 1)
    })
    .unwrap();
    // Renewed by its heartbeat, the lease holds.
    assert_eq!(
        write(&store, |c| renew_leases(
            c,
            "dead-worker",
            &[id],
            T0 + 2_000
        ))
        .unwrap(),
        vec![id]
    );
    assert!(
        write(&store, |c| reap_expired(c, T0 + 1_500))
            .unwrap()
            .is_empty()
    );
    // Then the worker dies: nobody renews it.
    let t = write(&store, |c| reap_expired(c, T0 + 2_001)).unwrap();
    assert_eq!(t[0].1.kind, TransitionKind::Retrying);
    let claim = write(&store, |c| {
        claim(c, T0 + 2_001, QueueName::MessageSending, OWNER, 1_000, 1)
    })
    .unwrap();
    assert_eq!(claim.jobs[0].attempt, 2);
    // The dead worker's late report does not count: the job is no longer its.
    let late = Finished {
        queue: QueueName::MessageSending,
        id,
        attempt: 1,
        started_at: T0,
        outcome: Outcome::Completed { result: None },
    };
    assert!(
        write(&store, |c| finish(c, T0 + 2_002, "dead-worker", &[late]))
            .unwrap()
            .is_empty()
    );
    assert!(
        write(&store, |c| renew_leases(
            c,
            "dead-worker",
            &[id],
            T0 + 9_000
        ))
        .unwrap()
        .is_empty()
    );
    // The second lease runs out too: that was the last attempt.
    let t = write(&store, |c| reap_expired(c, T0 + 5_000)).unwrap();
    assert_eq!(t[0].1.kind, TransitionKind::Failed);
    let d = store
        .read(|c| detail(c, QueueName::MessageSending, id))
        .unwrap();
    assert_eq!(d.failures.len(), 2);
    assert!(d.failed_reason.unwrap().contains("lease ran out"));
    assert_counts_exact(&store);
}

#[test]
fn released_jobs_wait_again_without_spending_an_attempt() {
    let (_d, store) = store();
    let id = write(&store, |c| {
        enqueue(c, T0, &job(QueueName::MessageSending, "{}"))
    })
    .unwrap()
    .id;
    write(&store, |c| {
        claim(c, T0, QueueName::MessageSending, OWNER, 1_000, 1)
    })
    .unwrap();
    let f = Finished {
        queue: QueueName::MessageSending,
        id,
        attempt: 1,
        started_at: T0,
        outcome: Outcome::Released,
    };
    write(&store, |c| finish(c, T0, OWNER, &[f])).unwrap();
    let s = store
        .read(|c| status(c, QueueName::MessageSending, id))
        .unwrap();
    assert_eq!((s.status, s.attempts), (JobState::Waiting, 0));
}

#[test]
fn a_paused_queue_gives_nothing_to_claim() {
    let (_d, store) = store();
    write(&store, |c| {
        enqueue(c, T0, &job(QueueName::OrderProcessing, "{}"))
    })
    .unwrap();
    write(&store, |c| {
        set_paused(c, T0, QueueName::OrderProcessing, true)
    })
    .unwrap();
    let claim = write(&store, |c| {
        claim(c, T0, QueueName::OrderProcessing, OWNER, 1_000, 5)
    })
    .unwrap();
    assert!(claim.paused && claim.jobs.is_empty());
    assert!(
        store
            .read(|c| stats(c, QueueName::OrderProcessing))
            .unwrap()
            .paused
    );
    write(&store, |c| {
        set_paused(c, T0, QueueName::OrderProcessing, false)
    })
    .unwrap();
    assert_eq!(
        write(&store, |c| super::claim(
            c,
            T0,
            QueueName::OrderProcessing,
            OWNER,
            1_000,
            5
        ))
        .unwrap()
        .jobs
        .len(),
        1
    );
}

#[test]
fn monitor_actions_check_the_state_they_act_on() {
    let (_d, store) = store();
    let q = QueueName::OrderProcessing;
    let mut delayed = job(q, "{}");
    delayed.options.delay_ms = 60_000;
    let d = write(&store, |c| enqueue(c, T0, &delayed)).unwrap().id;
    let w = write(&store, |c| enqueue(c, T0, &job(q, "{}"))).unwrap().id;
    // Only a delayed job can be promoted; only a failed or cancelled one retried.
    assert_eq!(
        write(&store, |c| promote(c, T0, q, w)).unwrap_err().code(),
        "queue.invalid_state"
    );
    assert_eq!(
        write(&store, |c| retry(c, T0, q, w)).unwrap_err().code(),
        "queue.invalid_state"
    );
    write(&store, |c| promote(c, T0, q, d)).unwrap();
    assert_eq!(
        store.read(|c| status(c, q, d)).unwrap().status,
        JobState::Waiting
    );
    // Running jobs are cancelled, not removed.
    let claimed = write(&store, |c| super::claim(c, T0, q, OWNER, 1_000, 1))
        .unwrap()
        .jobs[0]
        .id;
    assert_eq!(
        write(&store, |c| remove(c, T0, q, claimed))
            .unwrap_err()
            .code(),
        "queue.invalid_state"
    );
    assert_eq!(
        write(&store, |c| cancel(c, T0, q, claimed)).unwrap(),
        JobState::Active
    );
    assert_eq!(
        write(&store, |c| cancel(c, T0, q, claimed))
            .unwrap_err()
            .code(),
        "queue.invalid_state"
    );
    let other = if claimed == d { w } else { d };
    write(&store, |c| remove(c, T0, q, other)).unwrap();
    assert_eq!(
        store.read(|c| status(c, q, other)).unwrap_err().code(),
        "queue.job_not_found"
    );
    // Another queue's id is not found on this one.
    assert_eq!(
        store
            .read(|c| status(c, QueueName::Sync, claimed))
            .unwrap_err()
            .code(),
        "queue.job_not_found"
    );
    write(&store, |c| retry(c, T0, q, claimed)).unwrap();
    assert_counts_exact(&store);
}

#[test]
fn lists_page_newest_first_and_search_ids_and_payloads() {
    let (_d, store) = store();
    let q = QueueName::MessageSending;
    let jobs: Vec<NewJob> = (0..25)
        .map(|i| {
            job(
                q,
                &format!(r#"{{"to":"+1555000{i:02}","body":"50% off_{i}"}}"#),
            )
        })
        .collect();
    let ids: Vec<i64> = write(&store, |c| enqueue_bulk(c, T0, &jobs))
        .unwrap()
        .iter()
        .map(|e| e.id)
        .collect();
    let first = store
        .read(|c| {
            list(
                c,
                q,
                &JobQuery {
                    limit: Some(10),
                    ..JobQuery::default()
                },
            )
        })
        .unwrap();
    assert_eq!(first.jobs.len(), 10);
    assert_eq!(first.jobs[0].id, ids[24]);
    let mut seen: Vec<i64> = first.jobs.iter().map(|j| j.id).collect();
    let mut cursor = first.next_cursor;
    while let Some(c) = cursor {
        let page = store
            .read(|conn| {
                list(
                    conn,
                    q,
                    &JobQuery {
                        limit: Some(10),
                        cursor: Some(c.clone()),
                        ..JobQuery::default()
                    },
                )
            })
            .unwrap();
        seen.extend(page.jobs.iter().map(|j| j.id));
        cursor = page.next_cursor;
    }
    let mut expected = ids.clone();
    expected.reverse();
    assert_eq!(seen, expected);
    // Payload text, case-insensitive, with LIKE's wildcards taken literally.
    let found = store
        .read(|c| {
            list(
                c,
                q,
                &JobQuery {
                    q: Some("+155500017".into()),
                    ..JobQuery::default()
                },
            )
        })
        .unwrap();
    assert_eq!(
        found.jobs.iter().map(|j| j.id).collect::<Vec<_>>(),
        vec![ids[17]]
    );
    let found = store
        .read(|c| {
            list(
                c,
                q,
                &JobQuery {
                    q: Some("OFF_1".into()),
                    ..JobQuery::default()
                },
            )
        })
        .unwrap();
    assert_eq!(found.jobs.len(), 11); // off_1, off_10..off_19
    let found = store
        .read(|c| {
            list(
                c,
                q,
                &JobQuery {
                    q: Some("0%".into()),
                    ..JobQuery::default()
                },
            )
        })
        .unwrap();
    assert_eq!(found.jobs.len(), 25);
    let found = store
        .read(|c| {
            list(
                c,
                q,
                &JobQuery {
                    q: Some("x%y".into()),
                    ..JobQuery::default()
                },
            )
        })
        .unwrap();
    assert!(found.jobs.is_empty());
    // An id.
    let found = store
        .read(|c| {
            list(
                c,
                q,
                &JobQuery {
                    q: Some(format!("#{}", ids[3])),
                    ..JobQuery::default()
                },
            )
        })
        .unwrap();
    assert_eq!(found.jobs[0].id, ids[3]);
    // By state.
    let waiting = store
        .read(|c| {
            list(
                c,
                q,
                &JobQuery {
                    status: Some(JobState::Waiting),
                    limit: Some(500),
                    ..JobQuery::default()
                },
            )
        })
        .unwrap();
    assert_eq!(waiting.jobs.len(), 25);
    let failed = store
        .read(|c| {
            list(
                c,
                q,
                &JobQuery {
                    status: Some(JobState::Failed),
                    ..JobQuery::default()
                },
            )
        })
        .unwrap();
    assert!(failed.jobs.is_empty() && failed.next_cursor.is_none());
    assert_eq!(
        store
            .read(|c| list(
                c,
                q,
                &JobQuery {
                    cursor: Some("nope".into()),
                    ..JobQuery::default()
                }
            ))
            .unwrap_err()
            .code(),
        "queue.invalid_cursor"
    );
}

#[test]
fn cleaning_keeps_the_newest_and_the_young() {
    let (_d, store) = store();
    let q = QueueName::OrderProcessing;
    let jobs: Vec<NewJob> = (0..10).map(|i| job(q, &format!("{{\"i\":{i}}}"))).collect();
    write(&store, |c| enqueue_bulk(c, T0, &jobs)).unwrap();
    let claimed = write(&store, |c| super::claim(c, T0, q, OWNER, 1_000, 10))
        .unwrap()
        .jobs;
    let done: Vec<Finished> = claimed
        .iter()
        .map(|j| Finished {
            queue: q,
            id: j.id,
            attempt: 1,
            started_at: T0,
            outcome: Outcome::Completed { result: None },
        })
        .collect();
    for (i, f) in done.into_iter().enumerate() {
        write(&store, |c| finish(c, T0 + i as i64 * 1000, OWNER, &[f])).unwrap();
    }
    // Finished before T0 + 3 s: three of them.
    assert_eq!(
        write(&store, |c| clean(
            c,
            T0,
            q,
            JobState::Completed,
            Some(T0 + 3_000),
            None,
            1000
        ))
        .unwrap(),
        3
    );
    // Keep the newest 4 of the 7 left.
    assert_eq!(
        write(&store, |c| clean(
            c,
            T0,
            q,
            JobState::Completed,
            None,
            Some(4),
            1000
        ))
        .unwrap(),
        3
    );
    assert_eq!(
        write(&store, |c| clean(
            c,
            T0,
            q,
            JobState::Completed,
            None,
            Some(4),
            1000
        ))
        .unwrap(),
        0
    );
    let left = store.read(|c| list(c, q, &JobQuery::default())).unwrap();
    assert_eq!(left.jobs.len(), 4);
    assert_eq!(left.jobs[0].id, claimed[9].id);
    // Waiting jobs are never "cleaned".
    assert_eq!(
        write(&store, |c| clean(
            c,
            T0,
            q,
            JobState::Waiting,
            None,
            None,
            10
        ))
        .unwrap_err()
        .code(),
        "queue.invalid_options"
    );
    assert_eq!(
        write(&store, |c| clean(
            c,
            T0,
            q,
            JobState::Completed,
            None,
            None,
            10
        ))
        .unwrap(),
        4
    );
    assert_counts_exact(&store);
}

#[test]
fn bad_jobs_are_refused_with_a_code() {
    let (_d, store) = store();
    let mut big = job(QueueName::Sync, "{}");
    big.payload = format!("\"{}\"", "x".repeat(MAX_PAYLOAD_BYTES));
    assert_eq!(
        write(&store, |c| enqueue(c, T0, &big)).unwrap_err().code(),
        "queue.invalid_payload"
    );
    let mut unnamed = job(QueueName::Sync, "{}");
    unnamed.name.clear();
    assert_eq!(
        write(&store, |c| enqueue(c, T0, &unnamed))
            .unwrap_err()
            .code(),
        "queue.invalid_options"
    );
    // A bulk with one bad job enqueues none of them.
    let err = write(&store, |c| {
        enqueue_bulk(c, T0, &[job(QueueName::Sync, "{}"), unnamed.clone()])
    })
    .unwrap_err();
    assert_eq!(err.code(), "queue.invalid_options");
    assert_eq!(
        store.read(|c| stats(c, QueueName::Sync)).unwrap().waiting,
        0
    );
}

#[test]
fn recount_rebuilds_counts_changed_behind_the_queues_back() {
    let (_d, store) = store();
    write(&store, |c| {
        enqueue_bulk(
            c,
            T0,
            &[job(QueueName::Sync, "{}"), job(QueueName::Sync, "{}")],
        )
    })
    .unwrap();
    write(&store, |c| {
        c.execute("UPDATE queue_state SET waiting = 99", [])?;
        recount(c, T0)
    })
    .unwrap();
    assert_eq!(
        store.read(|c| stats(c, QueueName::Sync)).unwrap().waiting,
        2
    );
    assert_counts_exact(&store);
}

#[test]
fn a_full_disk_is_a_clear_error_and_leaves_the_queue_sound() {
    let (_d, store) = store();
    let q = QueueName::OrderProcessing;
    let kept = write(&store, |c| {
        enqueue_bulk(c, T0, &[job(q, "{}"), job(q, "{}")])
    })
    .unwrap();
    // SQLite reports a full disk and a file at its page limit the same way (SQLITE_FULL).
    let pages: i64 = store
        .read(|c| Ok::<_, QueueError>(c.query_row("PRAGMA page_count", [], |r| r.get(0))?))
        .unwrap();
    let limit = |n: i64| {
        write(&store, |c| {
            let _: i64 = c.query_row(&format!("PRAGMA max_page_count = {n}"), [], |r| r.get(0))?;
            Ok(())
        })
        .unwrap()
    };
    limit(pages + 3);
    let padding = "x".repeat(3_000);
    let big: Vec<NewJob> = (0..500)
        .map(|_| job(q, &format!("{{\"pad\":\"{padding}\"}}")))
        .collect();
    let err = write(&store, |c| enqueue_bulk(c, T0, &big)).unwrap_err();
    assert_eq!(err.code(), "store.disk_full", "{err}");
    // Nothing of the refused batch was written; the file is sound.
    limit(1_000_000_000);
    assert_eq!(
        store.read(|c| stats(c, q)).unwrap().waiting,
        2,
        "the earlier jobs are all there"
    );
    let ok: String = store
        .read(|c| Ok::<_, QueueError>(c.query_row("PRAGMA integrity_check", [], |r| r.get(0))?))
        .unwrap();
    assert_eq!(ok, "ok");
    assert_counts_exact(&store);
    // With room again, the queue goes on.
    let claimed = write(&store, |c| super::claim(c, T0, q, OWNER, 1_000, 10)).unwrap();
    assert_eq!(
        claimed.jobs.iter().map(|j| j.id).collect::<Vec<_>>(),
        kept.iter().map(|e| e.id).collect::<Vec<_>>()
    );
}

#[test]
fn claims_and_state_lists_read_the_index_without_sorting_a_whole_state() {
    let (_d, store) = store();
    let plan = |sql: &str| -> String {
        store
            .read(|c| -> Result<String, QueueError> {
                let mut stmt = c.prepare(&format!("EXPLAIN QUERY PLAN {sql}"))?;
                let unbound = vec![rusqlite::types::Value::Null; stmt.parameter_count()];
                let rows = stmt.query_map(rusqlite::params_from_iter(unbound), |r| {
                    r.get::<_, String>(3)
                })?;
                Ok(rows.collect::<Result<Vec<_>, _>>()?.join("\n"))
            })
            .unwrap()
    };
    let claim = plan(CLAIM_SQL);
    assert!(claim.contains("ix_queue_jobs_state"), "{claim}");
    assert!(
        !claim.contains("TEMP B-TREE"),
        "a claim sorts nothing: {claim}"
    );
    let list = plan(&newest_in_state("id", "", 51));
    assert!(!list.contains("SCAN queue_jobs"), "{list}");
    // Each priority's range is read newest first and stops at the page; only the merge of at
    // most three pages is sorted.
    assert_eq!(
        list.matches("SEARCH queue_jobs USING COVERING INDEX ix_queue_jobs_state")
            .count(),
        3,
        "{list}"
    );
}

use std::str::FromStr;

use botdesk_store::Timestamp;
