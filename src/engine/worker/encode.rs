//! Encode: the outcomes user code reported become what the transitions take.
//! Everything about a finished attempt is decided here, once: where the job
//! goes, its new `attemptsMade`, `stacktrace` and retry delay. The same values
//! go to Redis and, after the call, into the settled report.

use super::backoff;
use super::shared::{ActiveJob, Shared};
use crate::engine::options::KeepJobs;
use crate::engine::processor::{Outcome, ProcessError, Settled, SettledAs};
use crate::engine::transitions::move_to_finished::{Finish, FinishedJob};

/// A job to put back after a `RateLimitError` (its own transition).
#[derive(Debug)]
pub(super) struct LimitedJob {
    pub id: String,
    pub token: String,
    pub attempts_made: u64,
}

/// Outcomes encoded and not yet accepted by Redis. They stay here across
/// failed calls, so a retry sends the same decisions.
#[derive(Debug, Default)]
pub(super) struct Batch {
    /// For `move_to_finished`, in report order.
    pub finish: Vec<FinishedJob>,
    /// For `move_job_from_active_to_wait`, one call each.
    pub limited: Vec<LimitedJob>,
}

impl Batch {
    /// Jobs still held in the active map but already reported.
    pub fn len(&self) -> usize {
        self.finish.len() + self.limited.len()
    }
}

/// Moves every reported outcome into `batch`. Jobs user code moved itself need
/// no Redis work: they are let go of here and returned as settled.
pub(super) fn encode(
    shared: &Shared,
    reported: &mut Vec<(String, Outcome)>,
    batch: &mut Batch,
) -> Vec<Settled> {
    let mut moved = Vec::new();
    if reported.is_empty() {
        return moved;
    }
    let opts = &shared.opts;
    let mut active = shared.active();
    for (id, outcome) in reported.drain(..) {
        // An id the worker does not hold (reported twice, or lost) is ignored.
        let Some(job) = active.get_mut(&id) else {
            continue;
        };
        job.released = true;
        let job = &*job;
        match outcome {
            Outcome::Completed(returnvalue) => batch.finish.push(FinishedJob {
                finish: Finish::Completed,
                value: returnvalue,
                stacktrace: String::new(),
                retry_delay_ms: 0,
                ..finished(
                    id,
                    job,
                    job.settings.remove_on_complete,
                    opts.remove_on_complete,
                )
            }),
            Outcome::Failed { error, .. } if error.is_rate_limit() => {
                batch.limited.push(LimitedJob {
                    token: job.token.clone(),
                    attempts_made: job.attempts_made,
                    id,
                });
            }
            Outcome::Failed { error, .. } if error.is_moved() => {
                let attempts = job.attempts_made;
                active.remove(&id);
                moved.push(Settled::bare(id, SettledAs::Moved, attempts));
            }
            Outcome::Failed { error, backoff_ms } => {
                let (finish, retry_delay_ms, stacktrace) = settle_failure(job, &error, backoff_ms);
                batch.finish.push(FinishedJob {
                    finish,
                    value: error.message,
                    stacktrace,
                    retry_delay_ms,
                    ..finished(id, job, job.settings.remove_on_fail, opts.remove_on_fail)
                });
            }
        }
    }
    moved
}

/// The fields every finished attempt shares.
pub(super) fn finished(
    id: String,
    job: &ActiveJob,
    keep: Option<KeepJobs>,
    fallback: Option<KeepJobs>,
) -> FinishedJob {
    FinishedJob {
        id,
        token: job.token.clone(),
        finish: Finish::Completed,
        value: String::new(),
        stacktrace: String::new(),
        keep: keep.or(fallback).unwrap_or(KeepJobs::ALL),
        attempts: job.settings.attempts,
        retry_delay_ms: 0,
        lifo: job.settings.lifo,
        has_dedup: job.has_dedup,
        has_parent: job.has_parent,
        attempts_made: job.attempts_made + 1,
    }
}

/// How a failed attempt is settled: where it goes, the retry delay and the new
/// stacktrace JSON.
pub(super) fn settle_failure(
    job: &ActiveJob,
    error: &ProcessError,
    backoff_ms: Option<i64>,
) -> (Finish, u64, String) {
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
    let retry = !error.is_unrecoverable()
        && job.attempts_made + 1 < job.settings.attempts
        && backoff_ms != Some(-1);
    if !retry {
        return (Finish::Failed, 0, stack);
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
    let finish = if delay > 0 {
        Finish::RetryLater
    } else {
        Finish::RetryNow
    };
    (finish, delay, stack)
}
