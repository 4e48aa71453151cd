//! Prefetch: while user code runs the current jobs, the loop fetches a few
//! more (locked, in the active map, so [`super::lock`] renews them like any
//! held job) and hands them over the moment a slot frees, with no Redis round
//! trip between one job finishing and the next starting. User code's thread
//! takes them itself as it reports outcomes (one per slot freed, see
//! [`super::Worker::complete_and_claim`]); the loop hands over the rest.
//!
//! Fairness rules, so a buffer never starves another worker:
//! - Only for fast jobs: the buffer fills only while the average job (from
//!   hand-over to its outcome reaching the loop) takes at most
//!   [`FAST_JOB_MS`]. Slow jobs gain next to nothing from it (a round trip is a
//!   small part of each job) and would sit in the buffer for a whole job.
//! - Never for long: a job that waited [`MAX_WAIT_MS`] in the buffer (user
//!   code got slower, or it hangs) goes back to wait with the rest of the
//!   buffer, at the front of its line, attempt not counted, so an idle worker
//!   takes it at once.
//! - Only in a steady stream: after [`WARM_JOBS`] outcomes, and while the last
//!   fetch came back full (the queue has a backlog), so a worker that runs a
//!   few jobs never takes one ahead (a job fetched ahead shows as active, with
//!   its `active` event, even if it is given back).
//! - Paused or closing: the buffer goes back at once.
//! - Never under a cap shared with other workers (the worker's own limiter, or
//!   the queue's global concurrency or rate limit, read every
//!   [`CAPS_CHECK_MS`]): a job held ahead would count against the cap and
//!   keep another worker from running it.

use std::collections::VecDeque;
use std::sync::atomic::Ordering;
use std::time::Duration;

use tokio::time::Instant;

use super::shared::Shared;
use crate::engine::job::Job;
use crate::engine::processor::Delivery;
use crate::engine::transitions::move_job_from_active_to_wait::MoveJobFromActiveToWait;

/// Most jobs fetched ahead: `min(AHEAD_BATCHES * concurrency, PREFETCH_CAP)`.
/// The cap bounds what a crashed worker strands until the stalled check.
pub(super) const PREFETCH_CAP: usize = 64;
/// Batches of `concurrency` jobs held ahead. With two rounds in flight each
/// round carries about half of what is held, and every call has a fixed cost
/// (Redis ~40 µs before its first job, a wake-up and a reply to parse), so a
/// deeper buffer means fewer, larger calls. Measured at concurrency 10 (Node /
/// Redis µs per job): 2 batches 19.3 / 23.3, 4 batches 16.3 / 20.5, 6 batches
/// 14.9 / 19.2. User code takes buffered jobs as it reports outcomes, so the
/// buffer drains as fast as it runs them.
pub(super) const AHEAD_BATCHES: usize = 6;
/// Jobs averaging more than this (ms) are not fetched ahead.
pub(super) const FAST_JOB_MS: f64 = 10.0;
/// Outcomes seen before fetching ahead at all.
pub(super) const WARM_JOBS: u64 = 100;
/// Longest a job waits in the buffer before the buffer goes back to wait.
pub(super) const MAX_WAIT_MS: u64 = 50;
/// How often (ms) a worker about to fetch ahead reads the queue's caps again.
pub(super) const CAPS_CHECK_MS: u64 = 1000;

/// Jobs fetched ahead and not yet handed to user code, oldest first.
#[derive(Default)]
pub(super) struct Prefetch {
    jobs: VecDeque<(Job, String)>,
    /// When the oldest buffered job arrived in the buffer.
    since: Option<Instant>,
    /// Moving average of job durations (ms); `None` before the first outcome.
    avg_job_ms: Option<f64>,
    /// The buffer went back for waiting too long: no fetching ahead until
    /// user code reports an outcome again.
    held_off: bool,
    /// When the queue's caps were last read, and whether it had one.
    caps: Option<(Instant, bool)>,
    /// Outcomes seen (up to [`WARM_JOBS`]).
    seen: u64,
    /// The last fetch got all it asked for.
    backlog: bool,
}

impl Prefetch {
    /// How many jobs are buffered.
    pub fn len(&self) -> usize {
        self.jobs.len()
    }

    /// How many jobs to hold beyond user code's slots right now.
    pub fn depth(&self, shared: &Shared) -> usize {
        let uncapped = shared.opts.limiter.is_none() && matches!(self.caps, Some((_, false)));
        if self.warm() && uncapped {
            (AHEAD_BATCHES * shared.concurrency.load(Ordering::Acquire)).min(PREFETCH_CAP)
        } else {
            0
        }
    }

    /// Fetching ahead would pay off: a steady stream of fast jobs.
    fn warm(&self) -> bool {
        self.fast() && self.backlog && self.seen >= WARM_JOBS
    }

    /// The queue's caps should be read (again) before fetching ahead.
    pub fn wants_caps_check(&self) -> bool {
        self.warm()
            && self
                .caps
                .is_none_or(|(at, _)| at.elapsed() >= Duration::from_millis(CAPS_CHECK_MS))
    }

    /// Records whether the queue has a cap shared by its workers.
    pub fn set_capped(&mut self, capped: bool) {
        self.caps = Some((Instant::now(), capped));
    }

    /// Jobs are fast and the buffer was not sent back since the last outcome.
    fn fast(&self) -> bool {
        self.avg_job_ms.is_some_and(|ms| ms <= FAST_JOB_MS) && !self.held_off
    }

    /// Records whether the last fetch got all it asked for.
    pub fn fetched(&mut self, full: bool) {
        self.backlog = full;
    }

    /// Folds the duration of a job handed over at `started` into the average.
    pub fn observe(&mut self, started: Instant) {
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        self.held_off = false;
        self.seen = (self.seen + 1).min(WARM_JOBS);
        self.avg_job_ms = Some(match self.avg_job_ms {
            Some(avg) => avg * 0.8 + ms * 0.2,
            None => ms,
        });
    }

    /// Buffers jobs fetched beyond user code's free slots.
    pub fn push(&mut self, jobs: impl IntoIterator<Item = (Job, String)>) {
        let before = self.jobs.len();
        self.jobs.extend(jobs);
        if before == 0 && !self.jobs.is_empty() {
            self.since = Some(Instant::now());
        }
    }

    /// Moves up to `slots` buffered jobs into `delivery` (oldest first) and
    /// marks them handed over.
    pub fn hand_out(&mut self, shared: &Shared, slots: usize, delivery: &mut Delivery) {
        let n = slots.min(self.jobs.len());
        if n == 0 {
            return;
        }
        let now = Instant::now();
        let mut active = shared.active();
        for (job, json) in self.jobs.drain(..n) {
            if let Some(held) = active.get_mut(&job.id) {
                held.started = Some(now);
            }
            delivery.jobs.push(job);
            delivery.jobs_json.push(json);
        }
        drop(active);
        self.since = (!self.jobs.is_empty()).then_some(now);
    }

    /// When the buffer must go back if nothing took it (`None` when empty).
    pub fn deadline(&self) -> Option<Instant> {
        self.since.map(|t| t + Duration::from_millis(MAX_WAIT_MS))
    }

    /// Whether the buffer must go back now: paused, closing, jobs turned slow,
    /// or it waited too long.
    pub fn must_give_back(&self, stopping: bool) -> bool {
        !self.jobs.is_empty()
            && (stopping || !self.fast() || self.deadline().is_some_and(|t| t <= Instant::now()))
    }

    /// Takes every buffered job out, to [`give_back`]; no fetching ahead
    /// until user code reports an outcome again.
    pub fn take_all(&mut self) -> Vec<(Job, String)> {
        self.since = None;
        self.held_off = true;
        self.jobs.drain(..).collect()
    }
}

/// Puts buffered `jobs` (from [`Prefetch::take_all`]) back at the front of
/// their line (newest first, so the oldest ends up next), attempt and start
/// not counted. A job that cannot go back (lock lost, Redis down) is let go
/// of: its lock expires and the stalled check returns it.
pub(super) async fn give_back(shared: &Shared, mut jobs: Vec<(Job, String)>) {
    shared.release(jobs.iter().map(|(job, _)| job.id.as_str()));
    while let Some((job, _)) = jobs.pop() {
        let token = job.token.clone().unwrap_or_default();
        let back = MoveJobFromActiveToWait {
            job_id: &job.id,
            token: &token,
            unstarted: true,
        };
        match back.run(&shared.queue).await {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => {
                tracing::debug!(job_id = %job.id, error = %e, "prefetched job not given back")
            }
            Err(e) => {
                tracing::warn!(job_id = %job.id, error = %e, "prefetched job not given back")
            }
        }
        shared.active().remove(&job.id);
    }
    tracing::debug!(queue = %shared.queue.name(), "prefetched jobs given back");
}
