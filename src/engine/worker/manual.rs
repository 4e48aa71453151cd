//! Manual processing, as in BullMQ's "manual processing" guide: a caller takes
//! the next job under a lock token of its own (`worker.getNextJob(token)`),
//! works on it wherever it likes, and settles it itself with that token
//! (`job.moveToCompleted` / `job.moveToFailed`), optionally taking the next job
//! in the same call. No worker loop runs and nothing renews the lock: the caller
//! extends it (`job.extendLock`). The transitions and the decisions (retry,
//! backoff, stacktrace, keep) are the loop's own.

use std::sync::atomic::Ordering;

use super::encode::{finished, settle_failure};
use super::parse::{Arrivals, accepted, arrivals};
use super::shared::ActiveJob;
use super::{Running, Worker, stalled};
use crate::engine::connection::blocking_connection;
use crate::engine::error::{Error, Result};
use crate::engine::keys::QueueKeys;
use crate::engine::options::WorkerOptions;
use crate::engine::processor::{Outcome, Settled, SettledAs};
use crate::engine::queue::{Queue, now_ms};
use crate::engine::scripts;
use crate::engine::shutdown::Shutdown;
use crate::engine::transitions::move_job_from_active_to_wait::MoveJobFromActiveToWait;
use crate::engine::transitions::move_to_active::{Fetched, MoveToActive};
use crate::engine::transitions::move_to_finished::{Finish, FinishedJob, MoveToFinished};

/// The longest single wait for a job in [`Worker::get_next_job`] (BullMQ's
/// 10 s cap on a blocking call).
const MAX_BLOCK_S: f64 = 10.0;

/// A job taken with a caller's token, as JSON (BullMQ's field names, its
/// `token` among them), read when it became active.
#[derive(Debug)]
pub struct TakenJob {
    /// The job as JSON.
    pub json: String,
}

/// What settling a job by hand did, and the next job if one was asked for.
#[derive(Debug)]
pub struct ManualSettled {
    /// The fields the settling wrote (as the worker loop reports them).
    pub settled: Settled,
    /// The next job, taken under the same token (`fetchNext`).
    pub next: Option<TakenJob>,
}

/// The fetch part of a call under `token` (`wanted` 0 or 1).
fn fetch<'a>(now: u64, wanted: usize, token: &'a str, opts: &'a WorkerOptions) -> MoveToActive<'a> {
    MoveToActive {
        now,
        wanted,
        token_prefix: token,
        seq: None,
        lock_duration_ms: opts.lock_duration_ms,
        limiter: opts.limiter,
        worker_name: opts.name.as_deref(),
    }
}

/// The job a fetch at `now` took, checked as the loop checks it. A job
/// scheduler's iteration gets its next one created first, as in the loop.
async fn taken(q: &Queue, fetched: Fetched, now: u64, opts: &WorkerOptions) -> Option<TakenJob> {
    let Arrivals { ready, broken } = arrivals(fetched.jobs, now, opts.name.as_deref());
    if let Some(r) = ready.into_iter().next() {
        if r.job.repeat_job_key.is_some()
            && let Err(e) = q.schedule_next_iteration(&r.job).await
        {
            tracing::warn!(queue = %q.name(), job_id = %r.job.id, error = %e, "Failed to add repeatable job for next iteration");
        }
        return Some(TakenJob { json: r.json });
    }
    // A job with a deferred failure or unreadable data: the caller gets it as
    // the loop would report it; settling it is the caller's decision.
    let json = broken.into_iter().next()?.held.hidden_json?;
    Some(TakenJob { json })
}

impl Queue {
    /// Moves the next ready job to active, locked with `token` as the whole
    /// lock value (BullMQ's `worker.moveToActive(token)`); `None` when no job
    /// is ready or the rate limit is reached.
    pub async fn take_job(&self, token: &str, opts: &WorkerOptions) -> Result<Option<TakenJob>> {
        let now = now_ms();
        let fetched = fetch(now, 1, token, opts).run(self).await?;
        Ok(taken(self, fetched, now, opts).await)
    }

    /// Settles active job `id`, held with `token`, with `outcome`, as the
    /// worker loop settles a job (completed; failed for good, retried now or
    /// later by its attempts and backoff; a `RateLimitError` back to wait; a
    /// moved job let go of). With `fetch_next`, takes the next job under the
    /// same token in the same call. Refusals (job gone, lock lost, not active)
    /// are errors with BullMQ's texts.
    pub async fn settle_job(
        &self,
        id: &str,
        token: &str,
        outcome: Outcome,
        fetch_next: bool,
        opts: &WorkerOptions,
    ) -> Result<ManualSettled> {
        let finish = scripts::MOVE_TO_FINISHED.name;
        let Some(stored) = self.get_job(id).await? else {
            return Err(Error::JobNotFound {
                id: id.into(),
                command: finish,
            });
        };
        let held = ActiveJob {
            token: token.to_string(),
            attempts_made: stored.attempts_made,
            settings: stored.settings().unwrap_or_default(),
            stacktrace: stored.stacktrace.clone(),
            has_dedup: stored.dedup_id.is_some(),
            has_parent: stored.parent_key.is_some(),
            hidden_json: None,
            started: None,
            released: false,
        };
        let settings = &held.settings;
        let job = match outcome {
            Outcome::Completed(value) => FinishedJob {
                finish: Finish::Completed,
                value,
                ..finished(
                    id.to_string(),
                    &held,
                    settings.remove_on_complete,
                    opts.remove_on_complete,
                )
            },
            Outcome::Failed { error, .. } if error.is_rate_limit() => {
                let args = MoveJobFromActiveToWait {
                    job_id: id,
                    token,
                    unstarted: false,
                };
                args.run(self).await??;
                let state = SettledAs::RateLimited;
                return self
                    .let_go(id, state, held.attempts_made, fetch_next, token, opts)
                    .await;
            }
            Outcome::Failed { error, .. } if error.is_moved() => {
                let state = SettledAs::Moved;
                return self
                    .let_go(id, state, held.attempts_made, fetch_next, token, opts)
                    .await;
            }
            Outcome::Failed { error, backoff_ms } => {
                let (finish, retry_delay_ms, stacktrace) =
                    settle_failure(&held, &error, backoff_ms);
                FinishedJob {
                    finish,
                    value: error.message,
                    stacktrace,
                    retry_delay_ms,
                    ..finished(
                        id.to_string(),
                        &held,
                        settings.remove_on_fail,
                        opts.remove_on_fail,
                    )
                }
            }
        };
        let now = now_ms();
        // As BullMQ: a retry straight back to wait (its retryJob) fetches no
        // next job, and errors name the command BullMQ's path would have run.
        let (wanted, command) = match job.finish {
            Finish::RetryNow => (0, "retryJob"),
            Finish::RetryLater => (usize::from(fetch_next), "moveToDelayed"),
            Finish::Completed | Finish::Failed => (usize::from(fetch_next), finish),
        };
        let jobs = [job];
        let call = MoveToFinished {
            fetch: fetch(now, wanted, token, opts),
            metrics_max_data_points: opts.metrics_max_data_points,
            jobs: &jobs,
        };
        let reply = call.run(self).await?;
        let [job] = jobs;
        match reply.codes.first().copied().unwrap_or(0) {
            0 => Ok(ManualSettled {
                settled: accepted(job, now),
                next: taken(self, reply.fetched, now, opts).await,
            }),
            code => Err(Error::from_script_code(command, code, id, "active")),
        }
    }

    /// The report for a job settled without `move_to_finished`, and the next
    /// job when asked for.
    async fn let_go(
        &self,
        id: &str,
        state: SettledAs,
        attempts_made: u64,
        fetch_next: bool,
        token: &str,
        opts: &WorkerOptions,
    ) -> Result<ManualSettled> {
        let next = if fetch_next {
            self.take_job(token, opts).await?
        } else {
            None
        };
        Ok(ManualSettled {
            settled: Settled::bare(id.to_string(), state, attempts_made),
            next,
        })
    }
}

impl Worker {
    /// BullMQ's `worker.getNextJob(token, { block })`: the next ready job,
    /// active and locked with `token`; `None` while the worker is paused or
    /// closing, or when no job came. With `block`, an empty queue is waited on
    /// (the queue's marker) for up to `drainDelay`, or until the next delayed
    /// job is due, and looked at once more.
    pub async fn get_next_job(&self, token: &str, block: bool) -> Result<Option<TakenJob>> {
        let shared = &self.shared;
        let stopped =
            || shared.paused.load(Ordering::Acquire) || shared.closing.load(Ordering::Acquire);
        if stopped() {
            return Ok(None);
        }
        let q = &shared.queue;
        let opts = &shared.opts;
        let now = now_ms();
        let fetched = fetch(now, 1, token, opts).run(q).await?;
        let (limited, next_delayed) = (fetched.rate_limit_ttl > 0, fetched.next_delayed_ms);
        let first = taken(q, fetched, now, opts).await;
        if first.is_some() || !block || limited {
            return Ok(first);
        }
        let wait = if next_delayed > 0 {
            (next_delayed.saturating_sub(now_ms()) as f64 / 1000.0).clamp(0.001, MAX_BLOCK_S)
        } else {
            opts.drain_delay_s.clamp(0.001, MAX_BLOCK_S)
        };
        let name = QueueKeys::worker_client_name(q.prefix(), q.name(), opts.name.as_deref());
        let mut con = blocking_connection(&q.inner.target, &name).await?;
        let _: Option<(String, String, f64)> = redis::cmd("BZPOPMIN")
            .arg(&q.keys().marker)
            .arg(format!("{wait:.3}"))
            .query_async(&mut con)
            .await?;
        if stopped() {
            return Ok(None);
        }
        q.take_job(token, opts).await
    }

    /// BullMQ's `worker.startStalledCheckTimer()` for a worker processed by
    /// hand: the periodic stalled check (stalledInterval, maxStalledCount) runs
    /// until [`Worker::close`]. Nothing to do for a running worker (its loop
    /// has the check) or when it runs already.
    pub fn start_stalled_check_timer(&self) -> Result<()> {
        if self.shared.closing.load(Ordering::Acquire) {
            return Err(Error::Closed("worker"));
        }
        if self.shared.opts.skip_stalled_check || self.is_running() {
            return Ok(());
        }
        let Ok(mut running) = self.running.try_lock() else {
            return Ok(());
        };
        if running.is_none() {
            let (shutdown, signal) = Shutdown::new();
            let timer = tokio::spawn(stalled::check_periodically(self.shared.clone(), signal));
            *running = Some(Running {
                shutdown,
                main: None,
                timers: vec![timer],
            });
        }
        Ok(())
    }

    /// [`Queue::settle_job`] with this worker's options (removeOnComplete and
    /// removeOnFail defaults, lock duration, limiter, name, metrics).
    pub async fn settle_job(
        &self,
        id: &str,
        token: &str,
        outcome: Outcome,
        fetch_next: bool,
    ) -> Result<ManualSettled> {
        let q = &self.shared.queue;
        q.settle_job(id, token, outcome, fetch_next, &self.shared.opts)
            .await
    }
}
