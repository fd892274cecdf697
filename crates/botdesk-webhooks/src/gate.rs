//! The endpoint gate: one endpoint's share of the delivery workers. At most `per_endpoint`
//! deliveries to it are in flight; a delivery finding them all busy waits for a turn only when
//! the turn is near (the endpoint answers quickly), and behind a slow endpoint steps aside at
//! once so that its worker can serve other endpoints. Waiting rather than stepping aside keeps
//! a fast endpoint's backlog flowing without a round trip through the queue per delivery.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering::Relaxed};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// The longest a delivery waits for its endpoint's turn before stepping aside (back to the
/// queue, for a later try).
pub const MAX_TURN_WAIT: Duration = Duration::from_millis(200);

/// One endpoint's gate.
#[derive(Debug)]
pub struct EndpointGate {
    per_endpoint: usize,
    permits: Arc<Semaphore>,
    /// Deliveries waiting for a turn now.
    waiting: AtomicUsize,
    /// The endpoint's recent answer time (exponentially weighted), in microseconds.
    latency_us: AtomicU64,
    /// When the last answer came (microseconds after `born`): an endpoint that has not
    /// answered for a while is slow, whatever its average said.
    last_answer_us: AtomicU64,
    born: Instant,
}

impl EndpointGate {
    pub fn new(per_endpoint: usize) -> EndpointGate {
        let per_endpoint = per_endpoint.max(1);
        EndpointGate {
            per_endpoint,
            permits: Arc::new(Semaphore::new(per_endpoint)),
            waiting: 0.into(),
            latency_us: 0.into(),
            last_answer_us: 0.into(),
            born: Instant::now(),
        }
    }

    fn now_us(&self) -> u64 {
        self.born.elapsed().as_micros().min(u128::from(u64::MAX)) as u64
    }

    /// How long a delivery arriving now would wait for a turn: the deliveries ahead of it
    /// times the endpoint's answer time (its average, or how long it has been silent), shared
    /// by its turns.
    pub fn expected_wait(&self) -> Duration {
        let ahead = self.waiting.load(Relaxed) as u64 + 1;
        let silent = self
            .now_us()
            .saturating_sub(self.last_answer_us.load(Relaxed));
        let answer_us = self.latency_us.load(Relaxed).max(silent);
        Duration::from_micros(ahead.saturating_mul(answer_us) / self.per_endpoint as u64)
    }

    /// Notes how long the endpoint took to answer.
    pub fn record_answer(&self, took: Duration) {
        let new = took.as_micros().min(u128::from(u64::MAX)) as u64;
        // A lost update between two answers only skews the average a little.
        let old = self.latency_us.load(Relaxed);
        self.latency_us.store((old * 3 + new) / 4, Relaxed);
        self.last_answer_us.store(self.now_us(), Relaxed);
    }

    /// A turn: at once, after a short wait, or `None` (step aside).
    pub async fn turn(&self) -> Option<OwnedSemaphorePermit> {
        if let Ok(permit) = Arc::clone(&self.permits).try_acquire_owned() {
            return Some(permit);
        }
        if self.expected_wait() > MAX_TURN_WAIT {
            return None;
        }
        self.waiting.fetch_add(1, Relaxed);
        let permit =
            tokio::time::timeout(MAX_TURN_WAIT * 2, Arc::clone(&self.permits).acquire_owned())
                .await;
        self.waiting.fetch_sub(1, Relaxed);
        permit.ok().and_then(Result::ok)
    }
}

/// Every endpoint's gate, made on its first delivery.
#[derive(Debug)]
pub struct Gates<K> {
    per_endpoint: usize,
    gates: Mutex<HashMap<K, Arc<EndpointGate>>>,
}

impl<K: Hash + Eq> Gates<K> {
    pub fn new(per_endpoint: usize) -> Gates<K> {
        Gates {
            per_endpoint,
            gates: Mutex::new(HashMap::new()),
        }
    }

    /// The gate of endpoint `key`.
    pub fn of(&self, key: K) -> Arc<EndpointGate> {
        let mut gates = self.gates.lock().unwrap_or_else(|p| p.into_inner());
        Arc::clone(
            gates
                .entry(key)
                .or_insert_with(|| Arc::new(EndpointGate::new(self.per_endpoint))),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_fast_endpoint_is_waited_for_and_a_slow_one_stepped_around() {
        let gates = Gates::new(1);
        let gate = gates.of("fast");
        assert!(
            Arc::ptr_eq(&gate, &gates.of("fast")),
            "one gate per endpoint"
        );
        let held = gate.turn().await.expect("the first turn is free");
        gate.record_answer(Duration::from_millis(5));
        // Busy, but it answers in 5 ms: the next delivery waits for the turn.
        let waiter = {
            let gate = Arc::clone(&gate);
            tokio::spawn(async move { gate.turn().await.is_some() })
        };
        tokio::time::sleep(Duration::from_millis(20)).await;
        drop(held);
        assert!(waiter.await.unwrap(), "a near turn is waited for");

        let slow = gates.of("slow");
        let _held = slow.turn().await.expect("free");
        slow.record_answer(Duration::from_secs(2));
        assert!(slow.expected_wait() > MAX_TURN_WAIT);
        assert!(
            slow.turn().await.is_none(),
            "behind a slow endpoint: step aside"
        );
    }

    #[test]
    fn the_expected_wait_grows_with_the_deliveries_ahead_and_shrinks_with_permits() {
        let gate = EndpointGate::new(4);
        gate.record_answer(Duration::from_millis(100));
        let one = gate.expected_wait();
        gate.waiting.store(3, Relaxed);
        assert!(
            gate.expected_wait() >= one * 3,
            "{:?} vs {one:?}",
            gate.expected_wait()
        );
        assert!(
            EndpointGate::new(0).per_endpoint == 1,
            "at least one permit"
        );
    }
}
