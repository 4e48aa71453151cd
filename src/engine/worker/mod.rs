//! The consumer side. One tokio task per worker runs the fetch loop
//! ([`fetch_loop`]); each round goes through four parts:
//!
//! 1. [`encode`]: outcomes reported through [`Completions`] become the
//!    transitions' typed arguments (where each job goes, its new attemptsMade,
//!    stacktrace, retry delay).
//! 2. [`invoke`]: ONE `move_to_finished` call settles them all and fetches as
//!    many new jobs as there are free slots (`move_to_active` alone when there
//!    is nothing to settle; rate-limited jobs take their own transition).
//! 3. [`parse`]: the typed reply becomes the settled report and checked jobs.
//! 4. [`admit`]: new jobs are held, and the round's news goes to the
//!    [`Processor`] in one [`Delivery`]. Jobs fetched beyond free slots wait in
//!    the [`prefetch`] buffer and go to the processor as soon as slots free.
//!
//! With free slots and nothing to fetch, the loop blocks on the queue's
//! `marker` (BZPOPMIN) while still accepting outcomes; no polling. Lock renewal
//! ([`lock`]) and the stalled check ([`stalled`]) run on their own timers, in
//! Rust, so a blocked JS event loop cannot lose a healthy job.

mod admit;
pub mod backoff;
mod encode;
mod fetch_loop;
mod invoke;
mod lock;
pub mod manual;
mod parse;
mod prefetch;
mod shared;
pub mod stalled;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::mpsc::{UnboundedReceiver, unbounded_channel};
use tokio::task::JoinHandle;

use super::error::{Error, Result};
use super::options::WorkerOptions;
use super::processor::{Completions, Control, Delivery, Outcome, Processor};
use super::queue::Queue;
use super::retry::Outage;
use super::shutdown::Shutdown;
use shared::Shared;

/// A worker: fetches jobs of one queue and hands them to a [`Processor`].
pub struct Worker {
    shared: Arc<Shared>,
    rx: Mutex<Option<UnboundedReceiver<Control>>>,
    running: tokio::sync::Mutex<Option<Running>>,
}

struct Running {
    shutdown: Shutdown,
    /// The fetch loop; `None` for a worker processed by hand that only runs
    /// the stalled check (see `manual.rs`).
    main: Option<JoinHandle<()>>,
    timers: Vec<JoinHandle<()>>,
}

impl Worker {
    /// Creates a worker (nothing runs until [`Worker::run`]).
    pub fn new(queue: Queue, opts: WorkerOptions, processor: Arc<dyn Processor>) -> Result<Worker> {
        opts.validate()?;
        let (tx, rx) = unbounded_channel();
        let outage = Mutex::new(Outage::new("worker", queue.name()));
        Ok(Worker {
            shared: Arc::new(Shared {
                queue,
                concurrency: AtomicUsize::new(opts.concurrency),
                opts,
                processor: Mutex::new(Some(processor)),
                control: Completions(tx),
                active: Mutex::new(HashMap::new()),
                prefetch: Mutex::new(prefetch::Prefetch::default()),
                paused: AtomicBool::new(false),
                closing: AtomicBool::new(false),
                force: AtomicBool::new(false),
                token_prefix: uuid::Uuid::new_v4().to_string(),
                seq: AtomicU64::new(0),
                outage,
            }),
            rx: Mutex::new(Some(rx)),
            running: tokio::sync::Mutex::new(None),
        })
    }

    /// Where the processor reports outcomes.
    pub fn completions(&self) -> Completions {
        self.shared.control.clone()
    }

    /// Reports `outcomes` (as [`Completions::complete_many`]) and, for each
    /// reported job user code was running, takes a job from the prefetch
    /// buffer for user code to run next: their JSON, each job marked handed
    /// over. So fast jobs run back to back on user code's thread, with no
    /// hand-off through the loop. Nothing is taken while paused or closing.
    /// Returns `None` when the worker is gone.
    pub fn complete_and_claim(&self, outcomes: Vec<(String, Outcome)>) -> Option<Vec<String>> {
        let shared = &self.shared;
        let mut claimed = Vec::new();
        let stopping =
            shared.closing.load(Ordering::Acquire) || shared.paused.load(Ordering::Acquire);
        if !stopping {
            // Before the outcomes reach the loop: the slots they free are
            // filled here or, once the loop has them, by the loop; never both.
            let mut pf = shared.prefetch();
            if pf.len() > 0 {
                let mut freed = 0;
                let mut active = shared.active();
                for (id, _) in &outcomes {
                    if let Some(j) = active
                        .get_mut(id)
                        .filter(|j| j.started.is_some() && !j.released)
                    {
                        j.released = true;
                        freed += 1;
                    }
                }
                drop(active);
                let mut d = Delivery::default();
                pf.hand_out(shared, freed, &mut d);
                claimed = d.jobs_json;
            }
        }
        shared.control.complete_many(outcomes).then_some(claimed)
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
        let main = tokio::spawn(fetch_loop::run(self.shared.clone(), rx));
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
                main: Some(main),
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

    /// Changes how many jobs are processed at once (BullMQ's `worker.concurrency
    /// = n`); a larger number takes more jobs at once, a smaller one lets the
    /// jobs in hand finish.
    pub fn set_concurrency(&self, concurrency: usize) -> Result<()> {
        if concurrency == 0 {
            return Err(Error::invalid("concurrency", "must be an integer >= 1"));
        }
        self.shared
            .concurrency
            .store(concurrency, Ordering::Release);
        self.shared.wake();
        Ok(())
    }

    /// How many jobs are processed at once.
    pub fn concurrency(&self) -> usize {
        self.shared.concurrency.load(Ordering::Acquire)
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
            if let Some(main) = r.main {
                let _ = main.await;
            }
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
