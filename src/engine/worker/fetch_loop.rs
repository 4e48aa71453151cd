//! The worker's loop: one tokio task per worker. Each turn it takes the
//! outcomes user code reported, encodes them, and sends a round (settle and
//! fetch in one script call, see [`round`]) when fewer than
//! [`round::MAX_IN_FLIGHT`] are on their way; replies are admitted in order.
//! Meanwhile it keeps taking outcomes and handing prefetched jobs to the slots
//! they free. With free slots and nothing to fetch it blocks on the queue's
//! marker (BZPOPMIN) on a dedicated connection while still accepting outcomes:
//! no polling.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use futures_util::StreamExt;
use futures_util::stream::FuturesOrdered;
use tokio::sync::mpsc::UnboundedReceiver;
use tokio::time::Instant;

use super::encode::{self, Batch};
use super::invoke;
use super::prefetch;
use super::shared::Shared;

mod round;
use crate::engine::connection::{Conn, blocking_connection};
use crate::engine::error::Error;
use crate::engine::keys::QueueKeys;
use crate::engine::processor::{Control, Delivery, Outcome, Settled, SettledAs, WorkerEvent};
use crate::engine::queue::now_ms;
use crate::engine::redis_error::is_server_condition;

/// Longest single block on the marker while delayed jobs exist (BullMQ: 10 s).
const MAX_BLOCK_S: f64 = 10.0;

type BlockFuture =
    Pin<Box<dyn Future<Output = redis::RedisResult<Option<(String, String, f64)>>> + Send>>;

/// The loop's state between turns.
struct FetchLoop {
    shared: Arc<Shared>,
    rx: UnboundedReceiver<Control>,
    /// Outcomes reported and not yet encoded.
    reported: Vec<(String, Outcome)>,
    /// Outcomes encoded and not yet accepted by Redis.
    batch: Batch,
    /// Settled without a round (moved, rate limited), delivered with the next one.
    settled: Vec<Settled>,
    /// Something may be ready: fetch when slots are free.
    want_fetch: bool,
    /// `drained` was reported and no job arrived since.
    drained: bool,
    /// Due time (ms) of the earliest delayed job, bounding the marker wait.
    next_delayed: u64,
    /// After a Redis error: no calls before this instant (paced by the
    /// worker's [`Outage`](crate::engine::retry::Outage)).
    retry_at: Option<Instant>,
    /// The rate limiter is full: no fetching before this instant.
    limited_until: Option<Instant>,
    /// Settle one job per call (a call failed on a batch).
    solo: bool,
    client_name: String,
    blocking_con: Option<Conn>,
    block: Option<BlockFuture>,
    /// Rounds on their way, oldest first.
    in_flight: FuturesOrdered<round::InFlight>,
    /// Jobs the rounds in flight settle (no longer user code's).
    settling: usize,
    /// Jobs the rounds in flight asked for.
    fetching: usize,
    /// Messages taken so far (a round compares it to see whether any came
    /// while it was on its way).
    epoch: u64,
    /// Jobs of failed rounds put back in line (see [`round::Requeue`]).
    requeue: round::Requeue,
}

/// Runs until closed; the last delivery says `Closed`.
pub(super) async fn run(shared: Arc<Shared>, rx: UnboundedReceiver<Control>) {
    let client_name = QueueKeys::worker_client_name(
        shared.queue.prefix(),
        shared.queue.name(),
        shared.opts.name.as_deref(),
    );
    let mut lp = FetchLoop {
        shared,
        rx,
        reported: Vec::new(),
        batch: Batch::default(),
        settled: Vec::new(),
        want_fetch: true,
        drained: false,
        next_delayed: 0,
        retry_at: None,
        limited_until: None,
        solo: false,
        client_name,
        blocking_con: None,
        block: None,
        in_flight: FuturesOrdered::new(),
        settling: 0,
        fetching: 0,
        epoch: 0,
        requeue: round::Requeue::default(),
    };
    // Open the named blocking connection up front, so `getWorkers()` lists this
    // worker even while the queue never runs dry.
    lp.connect_blocking().await;
    while lp.turn().await {}
    lp.shared.deliver(Delivery {
        settled: std::mem::take(&mut lp.settled),
        events: vec![WorkerEvent::Closed],
        ..Default::default()
    });
}

impl FetchLoop {
    /// One turn; false when the loop ends.
    async fn turn(&mut self) -> bool {
        while let Ok(msg) = self.rx.try_recv() {
            self.take(msg);
        }
        let shared = self.shared.clone();
        let closing = shared.closing.load(Ordering::Acquire);
        let stopping = closing || shared.paused.load(Ordering::Acquire);
        // A forced close does not wait for the buffer to go back: its locks
        // expire and the stalled check returns the jobs. Rounds on their way
        // are taken, so what they settled is reported.
        if closing && shared.force.load(Ordering::Acquire) {
            self.finish_all().await;
            return false;
        }
        let back = {
            let mut pf = shared.prefetch();
            if pf.must_give_back(stopping) {
                pf.take_all()
            } else {
                Vec::new()
            }
        };
        if !back.is_empty() {
            prefetch::give_back(&shared, back).await;
        }
        if !stopping && shared.prefetch().wants_caps_check() {
            // Unknown counts as capped: no fetching ahead.
            let capped = shared.queue.has_global_caps().await.unwrap_or(true);
            shared.prefetch().set_capped(capped);
        }
        self.encode_and_hand_out(stopping);
        let now = Instant::now();
        if self.retry_at.is_some_and(|t| t <= now) {
            self.retry_at = None;
        }
        if self.limited_until.is_some_and(|t| t <= now) {
            self.limited_until = None;
        }
        if self.retry_at.is_none() {
            self.put_back_limited().await;
        }
        // Held: in the active map, less what is reported or being settled;
        // jobs asked for by rounds in flight take room too.
        let held = shared
            .active_len()
            .saturating_sub(self.batch.len() + self.settling);
        let room = shared.concurrency.load(Ordering::Acquire) + shared.prefetch().depth(&shared);
        let free = room.saturating_sub(held + self.fetching);
        let may_fetch = !closing
            && !shared.paused.load(Ordering::Acquire)
            && free > 0
            && self.limited_until.is_none();
        let fetch_n = if may_fetch && self.want_fetch {
            free
        } else {
            0
        };
        if self.may_send() && (!self.batch.finish.is_empty() || fetch_n > 0) {
            // Look again right away: the next turn waits if nothing changed.
            self.send(fetch_n);
            return true;
        }
        self.flush();
        let idle = self.in_flight.is_empty();
        if closing && idle && shared.active_len() == 0 && self.reported.is_empty() {
            return false;
        }
        if idle && may_fetch && !self.want_fetch && self.retry_at.is_none() {
            self.arm_block().await;
        }
        self.wait().await
    }

    fn take(&mut self, msg: Control) {
        // A finished job frees a slot (and, under a global concurrency or rate
        // limit, maybe room in the queue): settle it and fetch in the same call,
        // as BullMQ's moveToFinished does with fetchNext.
        let from = self.reported.len();
        match msg {
            Control::Complete { job_id, outcome } => self.reported.push((job_id, outcome)),
            Control::CompleteMany(outcomes) => self.reported.extend(outcomes),
            Control::Wake => {}
        }
        if from < self.reported.len() {
            let started: Vec<Instant> = {
                let active = self.shared.active();
                self.reported[from..]
                    .iter()
                    .filter_map(|(id, _)| active.get(id).and_then(|j| j.started))
                    .collect()
            };
            // Lock order: prefetch, then active.
            let mut pf = self.shared.prefetch();
            for s in started {
                pf.observe(s);
            }
        }
        self.want_fetch = true;
        self.epoch += 1;
    }

    /// Encodes what was reported; freed slots take buffered jobs at once,
    /// before any Redis work (also while a round is in flight).
    fn encode_and_hand_out(&mut self, stopping: bool) {
        let shared = self.shared.clone();
        let moved = encode::encode(&shared, &mut self.reported, &mut self.batch);
        self.settled.extend(moved);
        if stopping {
            return;
        }
        let mut pf = shared.prefetch();
        if pf.len() > 0 {
            let mut d = Delivery {
                settled: std::mem::take(&mut self.settled),
                ..Default::default()
            };
            let slots = self.js_slots(&pf);
            pf.hand_out(&shared, slots, &mut d);
            shared.deliver(d);
        }
    }

    /// User code's free slots: jobs held, less those reported, being settled
    /// or buffered. Read under the buffer's lock (`pf`), which user code's
    /// thread takes too (see [`super::Worker::complete_and_claim`]).
    fn js_slots(&self, pf: &prefetch::Prefetch) -> usize {
        let idle = self.batch.len() + self.settling + pf.len();
        let running = self.shared.active_len().saturating_sub(idle);
        self.shared
            .concurrency
            .load(Ordering::Acquire)
            .saturating_sub(running)
    }

    /// Puts rate-limited jobs back in line, one call each; the limiter's TTL
    /// holds fetching, as BullMQ's `limitUntil`.
    async fn put_back_limited(&mut self) {
        let shared = self.shared.clone();
        while let Some(job) = self.batch.limited.first() {
            let result = invoke::put_back_limited(&shared, job).await;
            let state = match result {
                Ok(Ok(ttl)) => {
                    self.limit_for(ttl);
                    SettledAs::RateLimited
                }
                Ok(Err(refused)) => SettledAs::Rejected(refused.to_string()),
                Err(e) if is_transient(&e) => return self.back_off(&Error::from(e)),
                Err(e) => SettledAs::Rejected(format!("could not settle job: {e}")),
            };
            let job = self.batch.limited.remove(0);
            shared.active().remove(&job.id);
            self.settled
                .push(Settled::bare(job.id, state, job.attempts_made));
        }
    }

    fn limit_for(&mut self, ttl_ms: u64) {
        if ttl_ms > 0 {
            let ms = ttl_ms.min(self.shared.opts.max_rate_limit_delay_ms);
            self.limited_until = Some(Instant::now() + Duration::from_millis(ms));
        }
    }

    /// Waits out a Redis failure: reported once per episode, retried every
    /// 100, 250, then 500 ms (see [`crate::engine::retry`]).
    fn back_off(&mut self, e: &Error) {
        // BullMQ's runRetryDelay, when set, replaces the outage pacing.
        let pause = self.shared.failed(e);
        let pause = self
            .shared
            .opts
            .run_retry_delay_ms
            .map_or(pause, Duration::from_millis);
        self.retry_at = Some(Instant::now() + pause);
    }

    /// Delivers what was settled without a round.
    fn flush(&mut self) {
        if !self.settled.is_empty() {
            self.shared.deliver(Delivery {
                settled: std::mem::take(&mut self.settled),
                ..Default::default()
            });
        }
    }

    async fn connect_blocking(&mut self) {
        match blocking_connection(&self.shared.queue.inner.target, &self.client_name).await {
            Ok(c) => self.blocking_con = Some(c),
            Err(e) => self.back_off(&e),
        }
    }

    /// Starts a wait on the marker (unless one is running).
    async fn arm_block(&mut self) {
        if self.block.is_some() {
            return;
        }
        if self.blocking_con.is_none() {
            self.connect_blocking().await;
        }
        let Some(mut con) = self.blocking_con.clone() else {
            return;
        };
        let timeout = block_timeout(self.next_delayed, self.shared.opts.drain_delay_s);
        let key = self.shared.queue.keys().marker.clone();
        self.block = Some(Box::pin(async move {
            redis::cmd("BZPOPMIN")
                .arg(&key)
                .arg(format!("{timeout:.3}"))
                .query_async(&mut con)
                .await
        }));
    }

    /// Waits for a round's reply, a report, the marker, or the next timer;
    /// false when the reporting side is gone.
    async fn wait(&mut self) -> bool {
        let deadline = self.shared.prefetch().deadline();
        let until = [self.retry_at, self.limited_until, deadline]
            .into_iter()
            .flatten()
            .min();
        let sleep = async {
            match until {
                Some(t) => tokio::time::sleep_until(t).await,
                None => std::future::pending().await,
            }
        };
        let block = async {
            match self.block.as_mut() {
                Some(b) => b.await,
                None => std::future::pending().await,
            }
        };
        let busy = !self.in_flight.is_empty();
        tokio::select! {
            // Replies first: the next round then carries what was reported meanwhile.
            biased;
            Some(done) = self.in_flight.next(), if busy => self.finish(done).await,
            msg = self.rx.recv() => match msg {
                Some(m) => self.take(m),
                None => return false,
            },
            r = block => {
                self.block = None;
                match r {
                    Ok(Some((_, _, score))) if score > now_ms() as f64 + 1.0 => {
                        // A delayed job's marker: sleep on the marker until it is due.
                        self.next_delayed = score as u64;
                    }
                    Ok(_) => self.want_fetch = true,
                    Err(e) => {
                        self.blocking_con = None;
                        self.back_off(&Error::from(e));
                    }
                }
            },
            // The next turn clears the timer that fired.
            _ = sleep => self.want_fetch = true,
        }
        true
    }
}

/// Out of memory, loading, busy, unreachable...: waited out; only other
/// errors can be about one job's data.
fn is_transient(e: &redis::RedisError) -> bool {
    is_server_condition(e)
}

fn block_timeout(next_delayed: u64, drain_delay_s: f64) -> f64 {
    if next_delayed > 0 {
        let wait = next_delayed.saturating_sub(now_ms()) as f64 / 1000.0;
        wait.clamp(0.001, MAX_BLOCK_S)
    } else {
        drain_delay_s.max(0.001)
    }
}
