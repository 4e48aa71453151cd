//! The consumer side. One tokio task per worker runs the fetch loop:
//!
//! 1. Outcomes reported through [`Completions`] are collected, and every
//!    collected outcome is settled in ONE `move_to_finished` call that also
//!    fetches as many new jobs as there are free slots (several transitions per
//!    round trip).
//! 2. The new jobs, plus what happened to the settled ones, go to the
//!    [`Processor`] in one [`Delivery`].
//! 3. With free slots and nothing to fetch, the loop blocks on the queue's
//!    `marker` (BZPOPMIN) on a dedicated connection while still accepting
//!    outcomes; no polling.
//!
//! Lock renewal ([`lock`]) and the stalled check ([`stalled`]) run on their
//! own timers, in Rust, so a blocked JS event loop cannot lose a healthy job.

pub mod backoff;
mod lock;
pub mod stalled;

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use redis::Value;
use tokio::sync::mpsc::{UnboundedReceiver, unbounded_channel};
use tokio::task::JoinHandle;
use tokio::time::Instant;

use super::connection::{Conn, blocking_connection};
use super::error::{Error, Result};
use super::job::{Job, JobSettings};
use super::keys::QueueKeys;
use super::options::{KeepJobs, MAX_RATE_LIMIT_DELAY_MS, WorkerOptions};
use super::processor::{
    Completions, Control, Delivery, Outcome, ProcessError, Processor, Settled, SettledAs,
    WorkerEvent,
};
use super::queue::{Queue, now_ms};
use super::scripts;
use super::shutdown::Shutdown;

/// Longest wait before retrying after a Redis error in the loop.
const MAX_ERROR_BACKOFF_MS: u64 = 5_000;
/// Longest single block on the marker while delayed jobs exist (BullMQ: 10 s).
const MAX_BLOCK_S: f64 = 10.0;

/// What the worker remembers of a job it holds.
struct ActiveJob {
    token: String,
    attempts_made: u64,
    settings: JobSettings,
    stacktrace: Option<String>,
    /// The job has a deduplication id to release when it finishes.
    has_dedup: bool,
    /// Set for jobs the worker fails itself (user code never saw them).
    hidden_json: Option<String>,
}

pub(crate) struct Shared {
    queue: Queue,
    opts: WorkerOptions,
    processor: Mutex<Option<Arc<dyn Processor>>>,
    control: Completions,
    active: Mutex<HashMap<String, ActiveJob>>,
    paused: AtomicBool,
    closing: AtomicBool,
    force: AtomicBool,
    token_prefix: String,
    seq: AtomicU64,
}

impl Shared {
    fn deliver(&self, d: Delivery) {
        if d.is_empty() {
            return;
        }
        let p = self
            .processor
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        if let Some(p) = p {
            p.deliver(d);
        }
    }

    fn report_error(&self, e: &dyn std::fmt::Display) {
        tracing::warn!(queue = %self.queue.name(), error = %e, "worker error");
        self.deliver(Delivery {
            events: vec![WorkerEvent::Error(e.to_string())],
            ..Default::default()
        });
    }

    fn wake(&self) {
        let _ = self.control.0.send(Control::Wake);
    }

    fn active_tokens(&self) -> Vec<(String, String)> {
        let a = self.active.lock().unwrap_or_else(|e| e.into_inner());
        a.iter()
            .map(|(id, j)| (id.clone(), j.token.clone()))
            .collect()
    }

    fn is_active(&self, id: &str) -> bool {
        self.active
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .contains_key(id)
    }

    fn active_len(&self) -> usize {
        self.active.lock().unwrap_or_else(|e| e.into_inner()).len()
    }
}

/// A worker: fetches jobs of one queue and hands them to a [`Processor`].
pub struct Worker {
    shared: Arc<Shared>,
    rx: Mutex<Option<UnboundedReceiver<Control>>>,
    running: tokio::sync::Mutex<Option<Running>>,
}

struct Running {
    shutdown: Shutdown,
    main: JoinHandle<()>,
    timers: Vec<JoinHandle<()>>,
}

impl Worker {
    /// Creates a worker (nothing runs until [`Worker::run`]).
    pub fn new(queue: Queue, opts: WorkerOptions, processor: Arc<dyn Processor>) -> Result<Worker> {
        opts.validate()?;
        let (tx, rx) = unbounded_channel();
        Ok(Worker {
            shared: Arc::new(Shared {
                queue,
                opts,
                processor: Mutex::new(Some(processor)),
                control: Completions(tx),
                active: Mutex::new(HashMap::new()),
                paused: AtomicBool::new(false),
                closing: AtomicBool::new(false),
                force: AtomicBool::new(false),
                token_prefix: uuid::Uuid::new_v4().to_string(),
                seq: AtomicU64::new(0),
            }),
            rx: Mutex::new(Some(rx)),
            running: tokio::sync::Mutex::new(None),
        })
    }

    /// Where the processor reports outcomes.
    pub fn completions(&self) -> Completions {
        self.shared.control.clone()
    }

    /// The queue this worker consumes.
    pub fn queue(&self) -> &Queue {
        &self.shared.queue
    }

    /// Starts the loop and timers on the current tokio runtime. Fails if it
    /// already ran or the worker is closed.
    pub fn run(&self) -> Result<()> {
        if self.shared.closing.load(Ordering::Acquire) {
            return Err(Error::Closed("worker"));
        }
        let rx = self
            .rx
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
            .ok_or_else(|| Error::invalid("run", "worker is already running"))?;
        let (shutdown, signal) = Shutdown::new();
        tracing::info!(queue = %self.shared.queue.name(), concurrency = self.shared.opts.concurrency, "worker started");
        let main = tokio::spawn(run_loop(self.shared.clone(), rx));
        let mut timers = Vec::new();
        if !self.shared.opts.skip_lock_renewal {
            timers.push(tokio::spawn(lock::renew_locks(
                self.shared.clone(),
                signal.clone(),
            )));
        }
        if !self.shared.opts.skip_stalled_check {
            timers.push(tokio::spawn(stalled::check_periodically(
                self.shared.clone(),
                signal,
            )));
        }
        // try_lock cannot fail here: only run() and close() take it, and run() took rx first.
        if let Ok(mut r) = self.running.try_lock() {
            *r = Some(Running {
                shutdown,
                main,
                timers,
            });
        }
        Ok(())
    }

    /// Whether the loop is running (started and not closed).
    pub fn is_running(&self) -> bool {
        self.rx.lock().unwrap_or_else(|e| e.into_inner()).is_none()
            && !self.shared.closing.load(Ordering::Acquire)
    }

    /// Stops taking new jobs (jobs in hand finish). Redis is not touched.
    pub fn pause(&self) {
        self.shared.paused.store(true, Ordering::Release);
        self.shared.wake();
    }

    /// Takes new jobs again after [`Worker::pause`].
    pub fn resume(&self) {
        self.shared.paused.store(false, Ordering::Release);
        self.shared.wake();
    }

    /// Whether [`Worker::pause`] is in effect.
    pub fn is_paused(&self) -> bool {
        self.shared.paused.load(Ordering::Acquire)
    }

    /// How many jobs this worker holds right now.
    pub fn active_count(&self) -> usize {
        self.shared.active_len()
    }

    /// Shuts down in order: stop fetching; wait for jobs in hand (unless
    /// `force`); stop lock renewal and the stalled check; release the processor.
    /// Idempotent; concurrent calls all wait for the same end.
    pub async fn close(&self, force: bool) {
        self.shared.closing.store(true, Ordering::Release);
        if force {
            self.shared.force.store(true, Ordering::Release);
        }
        self.shared.wake();
        let mut running = self.running.lock().await;
        if let Some(r) = running.take() {
            let _ = r.main.await;
            r.shutdown.fire();
            for t in r.timers {
                let _ = t.await;
            }
        }
        tracing::info!(queue = %self.shared.queue.name(), force, "worker closed");
        // Dropping the processor releases whatever keeps the host alive (a JS callback).
        self.shared
            .processor
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
    }
}

type BlockFuture =
    Pin<Box<dyn Future<Output = redis::RedisResult<Option<(String, String, f64)>>> + Send>>;

/// Outcome of one finish-and-fetch call.
struct Round {
    fetched: usize,
    rate_limit_ttl: u64,
    next_delayed: u64,
}

async fn run_loop(shared: Arc<Shared>, mut rx: UnboundedReceiver<Control>) {
    let concurrency = shared.opts.concurrency;
    let marker = shared.queue.keys().marker.clone();
    let client_name = QueueKeys::worker_client_name(
        shared.queue.prefix(),
        shared.queue.name(),
        shared.opts.name.as_deref(),
    );
    let mut pending: Vec<(String, Outcome)> = Vec::new();
    let mut want_fetch = true;
    let mut drained = false;
    let mut next_delayed: u64 = 0;
    let mut block: Option<BlockFuture> = None;
    let mut blocking_con: Option<Conn> = None;
    let mut sleep_until: Option<Instant> = None;
    let mut error_backoff_ms: u64 = 0;
    let mut solo = false;

    // Open the named blocking connection up front, so `getWorkers()` lists this
    // worker even while the queue never runs dry.
    match blocking_connection(&shared.queue.inner.target, &client_name).await {
        Ok(c) => blocking_con = Some(c),
        Err(e) => shared.report_error(&e),
    }

    loop {
        while let Ok(msg) = rx.try_recv() {
            take(msg, &mut pending, &mut want_fetch);
        }
        let closing = shared.closing.load(Ordering::Acquire);
        let force = shared.force.load(Ordering::Acquire);
        if closing && force {
            break;
        }
        let held = shared.active_len().saturating_sub(pending.len());
        let free = concurrency.saturating_sub(held);
        let can_fetch = !closing
            && !shared.paused.load(Ordering::Acquire)
            && free > 0
            && want_fetch
            && sleep_until.is_none();

        if !pending.is_empty() || can_fetch {
            let batch_len = if solo {
                1.min(pending.len())
            } else {
                pending.len()
            };
            let fetch_n = if can_fetch { free } else { 0 };
            match finish_and_fetch(&shared, &pending[..batch_len], fetch_n).await {
                Ok(round) => {
                    pending.drain(..batch_len);
                    solo = false;
                    error_backoff_ms = 0;
                    if fetch_n > 0 {
                        let mut events = Vec::new();
                        if round.fetched > 0 {
                            drained = false;
                        } else if round.rate_limit_ttl == 0 && !drained {
                            drained = true;
                            events.push(WorkerEvent::Drained);
                        }
                        shared.deliver(Delivery {
                            events,
                            ..Default::default()
                        });
                        want_fetch = round.fetched >= fetch_n;
                        next_delayed = round.next_delayed;
                        if round.rate_limit_ttl > 0 {
                            let ms = round.rate_limit_ttl.min(MAX_RATE_LIMIT_DELAY_MS);
                            sleep_until = Some(Instant::now() + Duration::from_millis(ms));
                        }
                    }
                }
                Err(e) => {
                    let transient = e.is_io_error()
                        || e.is_connection_dropped()
                        || e.is_timeout()
                        || e.is_connection_refusal();
                    if !transient && batch_len > 1 {
                        // One job's data may be what the script chokes on: settle one by one.
                        solo = true;
                    } else if !transient && batch_len == 1 {
                        let (id, _) = pending.remove(0);
                        shared
                            .active
                            .lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .remove(&id);
                        shared.deliver(Delivery {
                            settled: vec![Settled {
                                job_id: id,
                                state: SettledAs::Rejected(format!("could not settle job: {e}")),
                                job: None,
                                reason: None,
                            }],
                            ..Default::default()
                        });
                    } else {
                        shared.report_error(&Error::from(e));
                        error_backoff_ms = (error_backoff_ms * 2).clamp(100, MAX_ERROR_BACKOFF_MS);
                        sleep_until =
                            Some(Instant::now() + Duration::from_millis(error_backoff_ms));
                    }
                }
            }
            if !(sleep_until.is_some() && pending.is_empty()) {
                continue;
            }
        }

        if closing && shared.active_len() == 0 && pending.is_empty() {
            break;
        }

        // Nothing to do right now: block on the marker if there is room for a job.
        let paused = shared.paused.load(Ordering::Acquire);
        if block.is_none()
            && !closing
            && !paused
            && free > 0
            && !want_fetch
            && sleep_until.is_none()
        {
            if blocking_con.is_none() {
                match blocking_connection(&shared.queue.inner.target, &client_name).await {
                    Ok(c) => blocking_con = Some(c),
                    Err(e) => {
                        shared.report_error(&e);
                        error_backoff_ms = (error_backoff_ms * 2).clamp(100, MAX_ERROR_BACKOFF_MS);
                        sleep_until =
                            Some(Instant::now() + Duration::from_millis(error_backoff_ms));
                    }
                }
            }
            if let Some(con) = blocking_con.clone() {
                let timeout = block_timeout(next_delayed, shared.opts.drain_delay_s);
                let key = marker.clone();
                block = Some(Box::pin(async move {
                    let mut con = con;
                    redis::cmd("BZPOPMIN")
                        .arg(&key)
                        .arg(format!("{timeout:.3}"))
                        .query_async(&mut con)
                        .await
                }));
            }
        }

        let sleep = async {
            match sleep_until {
                Some(t) => tokio::time::sleep_until(t).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            msg = rx.recv() => match msg {
                Some(m) => take(m, &mut pending, &mut want_fetch),
                None => break,
            },
            r = async { block.as_mut().expect("guarded").await }, if block.is_some() => {
                block = None;
                match r {
                    Ok(Some((_, _, score))) if score > now_ms() as f64 + 1.0 => {
                        // A delayed job's marker: sleep on the marker until it is due.
                        next_delayed = score as u64;
                    }
                    Ok(_) => want_fetch = true,
                    Err(e) => {
                        blocking_con = None;
                        shared.report_error(&Error::from(e));
                        error_backoff_ms = (error_backoff_ms * 2).clamp(100, MAX_ERROR_BACKOFF_MS);
                        sleep_until = Some(Instant::now() + Duration::from_millis(error_backoff_ms));
                    }
                }
            },
            _ = sleep => {
                sleep_until = None;
                want_fetch = true;
            },
        }
    }
    shared.deliver(Delivery {
        events: vec![WorkerEvent::Closed],
        ..Default::default()
    });
}

fn take(msg: Control, pending: &mut Vec<(String, Outcome)>, want_fetch: &mut bool) {
    // A finished job frees a slot (and, under a global concurrency or rate
    // limit, maybe room in the queue): settle it and fetch in the same call, as
    // BullMQ's moveToFinished does with fetchNext.
    match msg {
        Control::Complete { job_id, outcome } => pending.push((job_id, outcome)),
        Control::CompleteMany(outcomes) => pending.extend(outcomes),
        Control::Wake => {}
    }
    *want_fetch = true;
}

fn block_timeout(next_delayed: u64, drain_delay_s: f64) -> f64 {
    if next_delayed > 0 {
        let wait = next_delayed.saturating_sub(now_ms()) as f64 / 1000.0;
        wait.clamp(0.001, MAX_BLOCK_S)
    } else {
        drain_delay_s.max(0.001)
    }
}

/// How a failed attempt is settled: the kind for `move_to_finished`, the retry
/// delay and the new stacktrace JSON.
fn settle_failure(
    job: &ActiveJob,
    error: &ProcessError,
    backoff_ms: Option<i64>,
) -> (&'static str, u64, String) {
    let mut trace: Vec<serde_json::Value> = job
        .stacktrace
        .as_deref()
        .and_then(|s| serde_json::from_str(s).ok())
        .unwrap_or_default();
    // As BullMQ: only an error that has a stack adds a line.
    if let Some(stack) = error.stack.as_deref().filter(|s| !s.is_empty()) {
        trace.push(serde_json::Value::String(stack.to_string()));
    }
    if let Some(limit) = job.settings.stack_trace_limit {
        let limit = limit as usize;
        if trace.len() > limit {
            trace.drain(..trace.len() - limit);
        }
    }
    let stack = serde_json::Value::Array(trace).to_string();
    let unrecoverable =
        error.name == "UnrecoverableError" || error.message == "bullmq:unrecoverable";
    let retry =
        !unrecoverable && job.attempts_made + 1 < job.settings.attempts && backoff_ms != Some(-1);
    if !retry {
        return ("f", 0, stack);
    }
    let delay = match backoff_ms {
        Some(ms) if ms >= 0 => ms as u64,
        _ => job
            .settings
            .backoff
            .as_ref()
            .map(|b| backoff::delay_ms(b, job.attempts_made + 1, backoff::random_unit()))
            .unwrap_or(0),
    };
    (if delay > 0 { "d" } else { "w" }, delay, stack)
}

fn keep_args(k: Option<KeepJobs>, fallback: Option<KeepJobs>) -> (i64, u64) {
    let k = k.or(fallback).unwrap_or(KeepJobs::ALL);
    (k.count, k.age_s)
}

/// Settles `finished` and fetches up to `fetch_n` jobs in one script call.
async fn finish_and_fetch(
    shared: &Arc<Shared>,
    finished: &[(String, Outcome)],
    fetch_n: usize,
) -> redis::RedisResult<Round> {
    let q = &shared.queue;
    let k = q.keys();
    let opts = &shared.opts;
    let now = now_ms();
    let seq = shared.seq.fetch_add(fetch_n as u64, Ordering::Relaxed);
    let (lim_max, lim_dur) = opts
        .limiter
        .map(|l| (l.max, l.duration_ms))
        .unwrap_or((0, 0));
    let token_prefix = shared.token_prefix.as_str();

    let mut args: Vec<Vec<u8>> = Vec::with_capacity(10 + finished.len() * 10);
    args.push(k.base().into());
    args.push(now.to_string().into_bytes());
    args.push(fetch_n.to_string().into_bytes());
    args.push(token_prefix.into());
    args.push(seq.to_string().into_bytes());
    args.push(opts.lock_duration_ms.to_string().into_bytes());
    args.push(lim_max.to_string().into_bytes());
    args.push(lim_dur.to_string().into_bytes());
    args.push(opts.name.clone().unwrap_or_default().into_bytes());

    // (job id, kind) of each job sent to the script, in order.
    let mut sent: Vec<(String, &'static str)> = Vec::new();
    let mut moved: Vec<String> = Vec::new();
    let mut finish_args: Vec<Vec<u8>> = Vec::with_capacity(finished.len() * 11);
    {
        let active = shared.active.lock().unwrap_or_else(|e| e.into_inner());
        for (id, outcome) in finished {
            let Some(job) = active.get(id) else { continue };
            let (kind, value, stack, delay, keep) = match outcome {
                Outcome::Completed(rv) => (
                    "c",
                    rv.clone(),
                    String::new(),
                    0,
                    keep_args(job.settings.remove_on_complete, opts.remove_on_complete),
                ),
                Outcome::Failed { error, backoff_ms } => {
                    let (kind, delay, stack) = settle_failure(job, error, *backoff_ms);
                    (
                        kind,
                        error.message.clone(),
                        stack,
                        delay,
                        keep_args(job.settings.remove_on_fail, opts.remove_on_fail),
                    )
                }
                Outcome::Moved => {
                    moved.push(id.clone());
                    continue;
                }
            };
            finish_args.push(id.clone().into_bytes());
            finish_args.push(job.token.clone().into_bytes());
            finish_args.push(kind.into());
            finish_args.push(value.into_bytes());
            finish_args.push(stack.into_bytes());
            finish_args.push(keep.0.to_string().into_bytes());
            finish_args.push(keep.1.to_string().into_bytes());
            finish_args.push(job.settings.attempts.to_string().into_bytes());
            finish_args.push(delay.to_string().into_bytes());
            let flags = match (job.settings.lifo, job.has_dedup) {
                (true, true) => "ld",
                (true, false) => "l",
                (false, true) => "d",
                (false, false) => "",
            };
            finish_args.push(flags.into());
            finish_args.push((job.attempts_made + 1).to_string().into_bytes());
            sent.push((id.clone(), kind));
        }
    }
    if !moved.is_empty() {
        let mut active = shared.active.lock().unwrap_or_else(|e| e.into_inner());
        for id in &moved {
            active.remove(id);
        }
    }
    if sent.is_empty() && fetch_n == 0 {
        return Ok(Round {
            fetched: 0,
            rate_limit_ttl: 0,
            next_delayed: 0,
        });
    }

    let mut con = q
        .con()
        .map_err(|_| redis::RedisError::from((redis::ErrorKind::Io, "worker closed")))?;
    let reply: Vec<Value> = if sent.is_empty() {
        let t = &scripts::MOVE_TO_ACTIVE;
        let mut inv = t.script().prepare_invoke();
        for key in k.fetch_keys() {
            inv.key(key);
        }
        for a in args {
            inv.arg(a);
        }
        let mut r: Vec<Value> = inv.invoke_async(&mut con).await?;
        r.insert(0, Value::Array(Vec::new()));
        r
    } else {
        args.push(opts.metrics_max_data_points.to_string().into_bytes());
        args.push(sent.len().to_string().into_bytes());
        args.extend(finish_args);
        let t = &scripts::MOVE_TO_FINISHED;
        let mut inv = t.script().prepare_invoke();
        for key in k.finish_keys() {
            inv.key(key);
        }
        for a in args {
            inv.arg(a);
        }
        inv.invoke_async(&mut con).await?
    };

    let mut it = reply.into_iter();
    let codes: Vec<i64> =
        redis::from_redis_value(it.next().unwrap_or(Value::Nil)).unwrap_or_default();
    let jobs_raw = match it.next() {
        Some(Value::Array(a)) => a,
        _ => Vec::new(),
    };
    let rate_limit_ttl: i64 = it
        .next()
        .and_then(|v| redis::from_redis_value(v).ok())
        .unwrap_or(0);
    let next_delayed: u64 = it
        .next()
        .and_then(|v| redis::from_redis_value::<i64>(v).ok())
        .unwrap_or(0)
        .max(0) as u64;

    let mut delivery = Delivery::default();
    let mut self_failed: Vec<(String, ProcessError)> = Vec::new();
    {
        let mut active = shared.active.lock().unwrap_or_else(|e| e.into_inner());
        for ((id, kind), code) in sent.into_iter().zip(codes) {
            let job = active.remove(&id);
            let state = match (code, kind) {
                (0, "c") => SettledAs::Completed,
                (0, "f") => SettledAs::Failed,
                (0, _) => SettledAs::Retrying,
                (c, _) => SettledAs::Rejected(rejection_message(c, &id)),
            };
            let (job_json, reason) = match job.and_then(|j| j.hidden_json) {
                // A job the worker failed itself: say why (its deferred failure), as BullMQ's
                // 'failed' event does; the job JSON still holds the previous failedReason.
                Some(js) => (Some(js), failure_message(finished, &id)),
                None => (None, None),
            };
            tracing::debug!(queue = %q.name(), job_id = %id, state = ?state, "job settled");
            delivery.settled.push(Settled {
                job_id: id,
                state,
                job: job_json,
                reason,
            });
        }

        let mut raw = jobs_raw.into_iter();
        let mut fetched = 0;
        while let (Some(id), Some(token), Some(fields)) = (raw.next(), raw.next(), raw.next()) {
            let id: String = redis::from_redis_value(id).unwrap_or_default();
            let token: String = redis::from_redis_value(token).unwrap_or_default();
            let fields: Vec<String> = redis::from_redis_value(fields).unwrap_or_default();
            fetched += 1;
            let Some(mut job) = Job::from_fields(&id, fields) else {
                // The hash vanished under us; the id alone sits in active until the stalled check.
                continue;
            };
            job.token = Some(token.clone());
            // The script returned the hash as read before it wrote these.
            job.processed_on = Some(now);
            job.attempts_started += 1;
            if let Some(name) = &opts.name {
                job.processed_by = Some(name.clone());
            }
            let settings = job.settings().unwrap_or_default();
            let mut entry = ActiveJob {
                token,
                attempts_made: job.attempts_made,
                settings,
                stacktrace: job.stacktrace.clone(),
                has_dedup: job.dedup_id.is_some(),
                hidden_json: None,
            };
            let problem = match (&job.deferred_failure, job.to_json()) {
                (Some(reason), js) => Err((reason.clone(), js.ok())),
                (None, Err(e)) => Err((e.to_string(), None)),
                (None, Ok(js)) => Ok(js),
            };
            let job_json = match problem {
                Ok(js) => js,
                Err((reason, js)) => {
                    // BullMQ fails such a job as soon as it is fetched, as unrecoverable.
                    entry.hidden_json = Some(js.unwrap_or_else(|| minimal_job_json(&job)));
                    self_failed.push((
                        id.clone(),
                        ProcessError {
                            name: "UnrecoverableError".into(),
                            // BullMQ's thrown UnrecoverableError leaves one stacktrace line.
                            stack: Some(format!("UnrecoverableError: {reason}")),
                            message: reason,
                        },
                    ));
                    active.insert(id, entry);
                    continue;
                }
            };
            tracing::debug!(queue = %q.name(), job_id = %id, "job active");
            active.insert(id, entry);
            delivery.jobs.push(job);
            delivery.jobs_json.push(job_json);
        }
        drop(active);
        for (id, error) in self_failed {
            let _ = shared.control.0.send(Control::Complete {
                job_id: id,
                outcome: Outcome::Failed {
                    error,
                    backoff_ms: Some(-1),
                },
            });
        }
        shared.deliver(delivery);
        Ok(Round {
            fetched,
            rate_limit_ttl: rate_limit_ttl.max(0) as u64,
            next_delayed,
        })
    }
}

/// The error message of `id`'s failed outcome in `finished`, if it failed.
fn failure_message(finished: &[(String, Outcome)], id: &str) -> Option<String> {
    finished.iter().find_map(|(fid, o)| match o {
        Outcome::Failed { error, .. } if fid == id => Some(error.message.clone()),
        _ => None,
    })
}

fn minimal_job_json(job: &Job) -> String {
    serde_json::json!({ "id": job.id, "name": job.name, "data": {}, "opts": {}, "timestamp": job.timestamp,
        "attemptsMade": job.attempts_made })
    .to_string()
}

fn rejection_message(code: i64, id: &str) -> String {
    match code {
        -1 => format!("Missing key for job {id}. moveToFinished"),
        -2 => format!("Missing lock for job {id}. moveToFinished"),
        -3 => format!("Job {id} is not in the active state. moveToFinished"),
        -6 => format!("Lock mismatch for job {id}. Cmd moveToFinished from active"),
        c => format!("moveToFinished failed for job {id} with code {c}"),
    }
}
