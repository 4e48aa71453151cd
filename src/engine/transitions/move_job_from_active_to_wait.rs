//! `lua/move_job_from_active_to_wait.lua`: put a rate-limited active job back
//! at the front of its line without counting an attempt (BullMQ's
//! `RateLimitError` path).

use redis::RedisResult;

use super::{Call, status};
use crate::engine::error::Result;
use crate::engine::keys::QueueKeys;
use crate::engine::queue::Queue;
use crate::engine::scripts;

/// ARGV of `move_job_from_active_to_wait`.
#[derive(Debug, Clone, Copy)]
pub struct MoveJobFromActiveToWait<'a> {
    /// The job's id.
    pub job_id: &'a str,
    /// The lock token the worker holds (`"0"` = unlocked).
    pub token: &'a str,
    /// The job never started (a prefetched job given back): its
    /// `attemptsStarted` count is taken back too.
    pub unstarted: bool,
}

impl MoveJobFromActiveToWait<'_> {
    /// KEYS.
    pub fn keys(k: &QueueKeys) -> [&str; 8] {
        [
            &k.active,
            &k.wait,
            &k.prioritized,
            &k.marker,
            &k.events,
            &k.meta,
            &k.stalled,
            &k.limiter,
        ]
    }

    /// Moves the job. The inner result is the limiter's remaining time (ms, 0
    /// when it is not set), or the refusal (job gone, lock lost, not active) as
    /// an engine error. Redis errors stay as they are: the worker loop retries
    /// transient ones.
    pub async fn run(&self, q: &Queue) -> RedisResult<Result<u64>> {
        let k = q.keys();
        let reply: i64 = Call::new(&scripts::MOVE_JOB_FROM_ACTIVE_TO_WAIT, &Self::keys(k))
            .arg(k.base())
            .arg(self.job_id)
            .arg(self.token)
            .arg(if self.unstarted { "1" } else { "0" })
            .invoke_raw(q)
            .await?;
        Ok(status(
            &scripts::MOVE_JOB_FROM_ACTIVE_TO_WAIT,
            reply,
            self.job_id,
            "active",
        ))
    }
}
