//! The rest of BullMQ's Queue and Job API on a queue handle: meta, counts per
//! priority, isMaxed, id ranges, QueueEvents clients, log clearing, one
//! job's lock, deduplication and rate-limit keys, custom events, orphans, and
//! manual processing (take a job under a token, settle it with that token).

use std::collections::HashMap;

use napi::Env;
use napi_derive::napi;

use super::super::processor::outcome;
use super::{NativeQueue, non_neg};
use crate::engine::WorkerOptions;
use crate::engine::processor::Settled;
use crate::engine::worker::manual::ManualSettled;

/// What a queue writes to its meta hash when it connects (BullMQ's
/// `metaValues`), from the engine's consts: JS shows these, never its own copy.
#[napi(object)]
pub struct QueueMetaValues {
    /// The meta `version` (`bullmq:6.7.0+ferroq.<version>`).
    pub version: String,
    /// The events stream's default cap (meta `opts.maxLenEvents`).
    pub max_len_events: f64,
}

/// The meta values every queue writes (`version`, default `opts.maxLenEvents`).
#[napi(catch_unwind)]
pub fn queue_meta_values() -> QueueMetaValues {
    QueueMetaValues {
        version: crate::engine::queue::META_VERSION.to_string(),
        max_len_events: crate::engine::queue::DEFAULT_MAX_EVENTS as f64,
    }
}

/// What settling a job by hand wrote, and the next job (BullMQ's
/// moveToCompleted / moveToFailed answer).
#[napi(object)]
pub struct SettledJob {
    /// `completed`, `failed`, `retrying`, `rateLimited` or `moved`.
    pub state: String,
    /// `attemptsMade` now.
    pub attempts_made: f64,
    /// `finishedOn` (ms) when completed or failed.
    pub finished_on: Option<f64>,
    /// `failedReason` when failed or retrying.
    pub failed_reason: Option<String>,
    /// `stacktrace` as JSON text when failed or retrying.
    pub stacktrace: Option<String>,
    /// The retry delay (ms) when retried later.
    pub delay: Option<f64>,
    /// The next job as JSON text, when one was asked for and taken.
    pub next: Option<String>,
}

impl SettledJob {
    pub(crate) fn from_engine(m: ManualSettled) -> SettledJob {
        let Settled {
            state,
            attempts_made,
            finished_on,
            failed_reason,
            stacktrace,
            delay_ms,
            ..
        } = m.settled;
        SettledJob {
            state: state.as_str().to_string(),
            attempts_made: attempts_made as f64,
            finished_on: finished_on.map(|t| t as f64),
            failed_reason,
            stacktrace,
            delay: delay_ms.map(|d| d as f64),
            next: m.next.map(|t| t.json),
        }
    }
}

#[napi]
impl NativeQueue {
    /// Request: resolves with the meta hash (field -> value).
    #[napi(catch_unwind)]
    pub fn get_meta(&self, env: &Env) -> u32 {
        self.ask(env, |q| async move {
            Ok(q.get_meta()
                .await?
                .into_iter()
                .collect::<HashMap<String, String>>())
        })
    }

    /// Request: resolves with the meta `version` (writing this queue's meta first), or null.
    #[napi(catch_unwind)]
    pub fn get_version(&self, env: &Env) -> u32 {
        self.ask(env, |q| async move { q.get_version().await })
    }

    /// Request: resolves with the server's `INFO` text (one `section`, or the default ones).
    #[napi(catch_unwind)]
    pub fn redis_info(&self, env: &Env, section: Option<String>) -> u32 {
        self.ask(
            env,
            |q| async move { q.redis_info(section.as_deref()).await },
        )
    }

    /// Request: resolves with one count per priority, in the same order.
    #[napi(catch_unwind)]
    pub fn get_counts_per_priority(&self, env: &Env, priorities: Vec<f64>) -> u32 {
        self.ask(env, |q| async move {
            let ps = priorities
                .iter()
                .map(|p| non_neg(*p, "priorities"))
                .collect::<Result<Vec<_>, _>>()?;
            let counts = q.get_counts_per_priority(&ps).await?;
            Ok(counts.into_iter().map(|n| n as f64).collect::<Vec<_>>())
        })
    }

    /// Request: resolves with whether the global concurrency is used up.
    #[napi(catch_unwind)]
    pub fn is_maxed(&self, env: &Env) -> u32 {
        self.ask(env, |q| async move { q.is_maxed().await })
    }

    /// Request: resolves with the job ids of the given states (BullMQ's getRanges).
    #[napi(catch_unwind)]
    pub fn get_ranges(
        &self,
        env: &Env,
        states: Vec<String>,
        start: i64,
        end: i64,
        asc: bool,
    ) -> u32 {
        self.ask(env, |q| async move {
            q.get_ranges(&states, start, end, asc).await
        })
    }

    /// Request: resolves with the QueueEvents readers' CLIENT LIST entries.
    #[napi(catch_unwind)]
    pub fn get_queue_events_clients(&self, env: &Env) -> u32 {
        self.ask(env, |q| async move {
            let cs = q.get_queue_events_clients().await?;
            Ok(cs
                .into_iter()
                .map(|fields| fields.into_iter().collect::<HashMap<String, String>>())
                .collect::<Vec<_>>())
        })
    }

    /// Deletes a job's log (or keeps its last `keepLogs` lines). Request: resolves with nothing.
    #[napi(catch_unwind)]
    pub fn clear_logs(&self, env: &Env, id: String, keep_logs: f64) -> u32 {
        self.ask(env, |q| async move {
            q.clear_logs(&id, non_neg(keep_logs, "keepLogs")?).await
        })
    }

    /// Extends one job's lock. Request: resolves with 1 (extended) or 0 (lock lost).
    #[napi(catch_unwind)]
    pub fn extend_lock(&self, env: &Env, id: String, token: String, duration: f64) -> u32 {
        self.ask(env, |q| async move {
            let ok = q
                .extend_lock(&id, &token, non_neg(duration, "duration")?)
                .await?;
            Ok(u32::from(ok))
        })
    }

    /// Extends several jobs' locks (`ids[i]` held with `tokens[i]`). Request:
    /// resolves with the ids whose lock was lost.
    #[napi(catch_unwind)]
    pub fn extend_locks(
        &self,
        env: &Env,
        ids: Vec<String>,
        tokens: Vec<String>,
        duration: f64,
    ) -> u32 {
        self.ask(env, |q| async move {
            if ids.len() != tokens.len() {
                return Err(crate::engine::Error::invalid(
                    "tokens",
                    "must be as many as the job ids",
                ));
            }
            let pairs: Vec<(String, String)> = ids.into_iter().zip(tokens).collect();
            q.extend_locks(&pairs, non_neg(duration, "duration")?).await
        })
    }

    /// Deletes BullMQ < 5's priority set. Request: resolves with 1 if it existed, else 0.
    #[napi(catch_unwind)]
    pub fn remove_deprecated_priority_key(&self, env: &Env) -> u32 {
        self.ask(env, |q| async move {
            Ok(q.remove_deprecated_priority_key().await? as f64)
        })
    }

    /// Moves an active job held with `token` back to wait. Request: resolves
    /// with the rate limiter's remaining time (ms).
    #[napi(catch_unwind)]
    pub fn move_to_wait(&self, env: &Env, id: String, token: String) -> u32 {
        self.ask(env, |q| async move {
            Ok(q.move_to_wait(&id, &token).await? as f64)
        })
    }

    /// Deletes a deduplication key while `jobId` owns it. Request: resolves with 1 or 0.
    #[napi(catch_unwind)]
    pub fn remove_deduplication_key_of(&self, env: &Env, dedup_id: String, job_id: String) -> u32 {
        self.ask(env, |q| async move {
            Ok(u32::from(
                q.remove_deduplication_key_of(&dedup_id, &job_id).await?,
            ))
        })
    }

    /// Ends a rate limit. Request: resolves with 1 if there was one, else 0.
    #[napi(catch_unwind)]
    pub fn remove_rate_limit_key(&self, env: &Env) -> u32 {
        self.ask(env, |q| async move {
            Ok(q.remove_rate_limit_key().await? as f64)
        })
    }

    /// Writes a custom event (`[field, value, ...]`). Request: resolves with its stream id.
    #[napi(catch_unwind)]
    pub fn publish_event(&self, env: &Env, fields: Vec<String>, max_events: f64) -> u32 {
        self.ask(env, |q| async move {
            let pairs: Vec<(String, String)> = fields
                .chunks(2)
                .map(|p| (p[0].clone(), p.get(1).cloned().unwrap_or_default()))
                .collect();
            q.publish_event(&pairs, non_neg(max_events, "maxEvents")?)
                .await
        })
    }

    /// Removes orphaned job keys. Request: resolves with how many jobs.
    #[napi(catch_unwind)]
    pub fn remove_orphaned_jobs(&self, env: &Env, count: f64, limit: f64) -> u32 {
        self.ask(env, |q| async move {
            let n = q
                .remove_orphaned_jobs(non_neg(count, "count")?, non_neg(limit, "limit")?)
                .await?;
            Ok(n as f64)
        })
    }

    /// Takes the next job locked with `token` (default worker options).
    /// Request: resolves with the job as JSON text, or null.
    #[napi(catch_unwind)]
    pub fn take_job(&self, env: &Env, token: String) -> u32 {
        self.ask(env, |q| async move {
            let taken = q.take_job(&token, &WorkerOptions::default()).await?;
            Ok(taken.map(|t| t.json))
        })
    }

    /// Settles job `id` held with `token`: `ok` with the result JSON, else
    /// the error JSON (as `NativeWorker.completeMany` takes them), with the
    /// default worker options. Request: resolves with a `SettledJob`.
    #[napi(catch_unwind)]
    pub fn settle_job(
        &self,
        env: &Env,
        id: String,
        token: String,
        ok: bool,
        payload: String,
        fetch_next: bool,
    ) -> u32 {
        self.ask(env, |q| async move {
            let opts = WorkerOptions::default();
            let m = q
                .settle_job(&id, &token, outcome(ok, payload), fetch_next, &opts)
                .await?;
            Ok(SettledJob::from_engine(m))
        })
    }
}
