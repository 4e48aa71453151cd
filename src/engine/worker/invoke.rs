//! Invoke: one script call per round. Finished jobs and the fetch of their
//! successors travel together (`move_to_finished`); with nothing to settle the
//! fetch runs alone (`move_to_active`). Rate-limited jobs take their own
//! transition, one call each (rare by nature).

use std::sync::atomic::Ordering;

use redis::RedisResult;

use super::encode::LimitedJob;
use super::shared::Shared;
use crate::engine::error::Result;
use crate::engine::queue::now_ms;
use crate::engine::transitions::move_job_from_active_to_wait::MoveJobFromActiveToWait;
use crate::engine::transitions::move_to_active::MoveToActive;
use crate::engine::transitions::move_to_finished::{FinishReply, FinishedJob, MoveToFinished};

/// What one round's call returned.
pub(super) struct Round {
    /// The call's time (ms): `finishedOn` of what it settled, `processedOn` of what it fetched.
    pub now: u64,
    /// Codes of the settled jobs and the fetched jobs.
    pub reply: FinishReply,
}

/// Settles `jobs` and fetches up to `fetch_n` new ones in one call.
pub(super) async fn finish_and_fetch(
    shared: &Shared,
    jobs: &[FinishedJob],
    fetch_n: usize,
) -> RedisResult<Round> {
    let now = now_ms();
    if jobs.is_empty() && fetch_n == 0 {
        return Ok(Round {
            now,
            reply: FinishReply::default(),
        });
    }
    let opts = &shared.opts;
    let fetch = MoveToActive {
        now,
        wanted: fetch_n,
        token_prefix: &shared.token_prefix,
        seq: Some(shared.seq.fetch_add(fetch_n as u64, Ordering::Relaxed)),
        lock_duration_ms: opts.lock_duration_ms,
        limiter: opts.limiter,
        worker_name: opts.name.as_deref(),
    };
    let q = &shared.queue;
    let reply = if jobs.is_empty() {
        FinishReply {
            codes: Vec::new(),
            fetched: fetch.run(q).await?,
        }
    } else {
        let finish = MoveToFinished {
            fetch,
            metrics_max_data_points: opts.metrics_max_data_points,
            jobs,
        };
        finish.run(q).await?
    };
    Ok(Round { now, reply })
}

/// Puts a rate-limited job back in line: the limiter's remaining time (ms),
/// or why the transition refused.
pub(super) async fn put_back_limited(
    shared: &Shared,
    job: &LimitedJob,
) -> RedisResult<Result<u64>> {
    let args = MoveJobFromActiveToWait {
        job_id: &job.id,
        token: &job.token,
        unstarted: false,
    };
    args.run(&shared.queue).await
}
