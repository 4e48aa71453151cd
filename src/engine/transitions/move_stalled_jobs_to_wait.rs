//! `lua/move_stalled_jobs_to_wait.lua`: the periodic stalled-job check. Jobs
//! that were suspects at the previous check and have lost their lock go back to
//! wait (past `maxStalledCount` with a deferred failure); everything active
//! becomes a suspect until its lock is renewed.

use super::Call;
use crate::engine::error::Result;
use crate::engine::keys::QueueKeys;
use crate::engine::queue::Queue;
use crate::engine::scripts;

/// ARGV of `move_stalled_jobs_to_wait`.
#[derive(Debug, Clone, Copy)]
pub struct MoveStalledJobsToWait {
    /// How often a job may stall before it fails (BullMQ's `maxStalledCount`).
    pub max_stalled_count: u64,
    /// Time of the check (ms).
    pub now: u64,
    /// The check runs at most once per this many ms across all workers.
    pub stalled_interval_ms: u64,
}

impl MoveStalledJobsToWait {
    /// KEYS.
    pub fn keys(k: &QueueKeys) -> [&str; 7] {
        [
            &k.stalled,
            &k.wait,
            &k.active,
            &k.stalled_check,
            &k.meta,
            &k.marker,
            &k.events,
        ]
    }

    /// Runs the check; returns the ids moved back to wait (empty when another
    /// worker ran it within the interval).
    pub async fn run(&self, q: &Queue) -> Result<Vec<String>> {
        let k = q.keys();
        Call::new(&scripts::MOVE_STALLED_JOBS_TO_WAIT, &Self::keys(k))
            .arg(k.base())
            .arg(self.max_stalled_count)
            .arg(self.now)
            .arg(self.stalled_interval_ms)
            .invoke(q)
            .await
    }
}
