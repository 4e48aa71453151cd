//! `lua/move_to_finished.lua`: settle a batch of jobs a worker has finished
//! (completed, failed for good, retried now or later), then fetch its next jobs
//! in the same call.

use redis::{RedisResult, Value};

use super::move_to_active::{Fetched, MoveToActive};
use super::{Call, refusal_message};
use crate::engine::keys::QueueKeys;
use crate::engine::options::KeepJobs;
use crate::engine::queue::Queue;
use crate::engine::scripts;

/// Where a finished attempt sends the job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Finish {
    /// To `completed` (or deleted by removeOnComplete).
    Completed,
    /// To `failed` for good (or deleted by removeOnFail).
    Failed,
    /// Failed this attempt; to `delayed` for the retry delay.
    RetryLater,
    /// Failed this attempt; straight back to wait (or prioritized).
    RetryNow,
}

impl Finish {
    /// The script's kind letter.
    fn arg(self) -> &'static str {
        match self {
            Finish::Completed => "c",
            Finish::Failed => "f",
            Finish::RetryLater => "d",
            Finish::RetryNow => "w",
        }
    }

    /// Whether the job leaves the queue's working sets (completed or failed).
    pub fn is_final(self) -> bool {
        matches!(self, Finish::Completed | Finish::Failed)
    }
}

/// One job to settle.
#[derive(Debug, Clone)]
pub struct FinishedJob {
    /// The job's id.
    pub id: String,
    /// The lock token the worker holds (`"0"` = unlocked).
    pub token: String,
    /// Where it goes.
    pub finish: Finish,
    /// The return value JSON when completed, else the failed reason.
    pub value: String,
    /// The new `stacktrace` JSON array (empty when completed).
    pub stacktrace: String,
    /// removeOnComplete / removeOnFail in effect.
    pub keep: KeepJobs,
    /// `opts.attempts`.
    pub attempts: u64,
    /// Retry delay (ms) for [`Finish::RetryLater`].
    pub retry_delay_ms: u64,
    /// `opts.lifo` (where a retry re-enters wait).
    pub lifo: bool,
    /// The job has a deduplication id to release when it finishes.
    pub has_dedup: bool,
    /// The job is a flow child: finishing it updates its parent.
    pub has_parent: bool,
    /// `attemptsMade` after this attempt (written as is: the worker holds the lock).
    pub attempts_made: u64,
}

impl FinishedJob {
    fn args(&self, call: Call) -> Call {
        // One letter per property; most jobs have none, so no allocation.
        let flags = match (self.lifo, self.has_dedup, self.has_parent) {
            (false, false, false) => "",
            (true, false, false) => "l",
            (false, true, false) => "d",
            (true, true, false) => "ld",
            (false, false, true) => "p",
            (true, false, true) => "lp",
            (false, true, true) => "dp",
            (true, true, true) => "ldp",
        };
        call.arg(&self.id)
            .arg(&self.token)
            .arg(self.finish.arg())
            .arg(&self.value)
            .arg(&self.stacktrace)
            .arg(self.keep.count)
            .arg(self.keep.age_s)
            .arg(self.attempts)
            .arg(self.retry_delay_ms)
            .arg(flags)
            .arg(self.attempts_made)
    }
}

/// Jobs settled per `move_to_finished` script call (11 ARGV each).
pub const MOVE_TO_FINISHED_CHUNK: usize = 500;

/// ARGV of `move_to_finished`.
#[derive(Debug, Clone, Copy)]
pub struct MoveToFinished<'a> {
    /// The fetch that follows (`wanted` 0 = none); its `now` is the jobs' `finishedOn`.
    pub fetch: MoveToActive<'a>,
    /// Metrics: max data points (0 = no metrics).
    pub metrics_max_data_points: u64,
    /// The jobs to settle, in order.
    pub jobs: &'a [FinishedJob],
}

/// What the call returns.
#[derive(Debug, Default)]
pub struct FinishReply {
    /// One code per settled job, in order: 0 = done, else the
    /// [`ScriptCode`](super::ScriptCode) it was refused with.
    pub codes: Vec<i64>,
    /// The fetch's result.
    pub fetched: Fetched,
}

impl MoveToFinished<'_> {
    /// KEYS: the fetch keys, then what settling touches.
    pub fn keys(k: &QueueKeys) -> [&str; 15] {
        let f = MoveToActive::keys(k);
        [
            f[0],
            f[1],
            f[2],
            f[3],
            f[4],
            f[5],
            f[6],
            f[7],
            f[8],
            &k.stalled,
            &k.completed,
            &k.failed,
            &k.metrics_completed,
            &k.metrics_failed,
            &k.id,
        ]
    }

    /// Runs the call. Redis errors stay as they are: the worker loop retries
    /// transient ones. More than [`MOVE_TO_FINISHED_CHUNK`] jobs (a worker
    /// at high concurrency) go as several calls in one transaction (see
    /// [`atomic`](super::atomic)); only the last one fetches.
    pub async fn run(&self, q: &Queue) -> RedisResult<FinishReply> {
        let k = q.keys();
        let chunks: Vec<&[FinishedJob]> = if self.jobs.is_empty() {
            vec![self.jobs]
        } else {
            self.jobs.chunks(MOVE_TO_FINISHED_CHUNK).collect()
        };
        let last = chunks.len() - 1;
        let calls = chunks
            .into_iter()
            .enumerate()
            .map(|(i, jobs)| {
                let fetch = if i == last {
                    self.fetch
                } else {
                    MoveToActive {
                        wanted: 0,
                        ..self.fetch
                    }
                };
                let mut call = Call::new(&scripts::MOVE_TO_FINISHED, &Self::keys(k));
                call = fetch
                    .args(k, call)
                    .arg(self.metrics_max_data_points)
                    .arg(jobs.len());
                for job in jobs {
                    call = job.args(call);
                }
                call
            })
            .collect();
        let replies: Vec<Vec<Value>> = super::atomic::invoke_atomic_raw(calls, q).await?;
        let mut out = FinishReply::default();
        for (i, reply) in replies.into_iter().enumerate() {
            let mut it = reply.into_iter();
            let codes: Vec<i64> =
                redis::from_redis_value(it.next().unwrap_or(Value::Nil)).unwrap_or_default();
            out.codes.extend(codes);
            if i == last {
                out.fetched = Fetched::decode(it);
            }
        }
        Ok(out)
    }
}

/// BullMQ's message when settling job `id` was refused with `code`; `None` for 0.
pub fn refusal(code: i64, id: &str) -> Option<String> {
    (code < 0).then(|| refusal_message(code, id, "moveToFinished", "active"))
}
