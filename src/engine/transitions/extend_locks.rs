//! `lua/extend_locks.lua`: renew the locks of a worker's active jobs; a renewed
//! job also leaves the stalled set.

use super::Call;
use crate::engine::error::Result;
use crate::engine::keys::QueueKeys;
use crate::engine::queue::Queue;
use crate::engine::scripts;

/// ARGV of `extend_locks`.
#[derive(Debug, Clone, Copy)]
pub struct ExtendLocks<'a> {
    /// New lock duration (ms), counted from now.
    pub lock_duration_ms: u64,
    /// `(job id, lock token)` of each job the worker holds.
    pub jobs: &'a [(String, String)],
}

impl ExtendLocks<'_> {
    /// KEYS.
    pub fn keys(k: &QueueKeys) -> [&str; 1] {
        [&k.stalled]
    }

    /// Renews; returns the ids whose lock was missing or held by another token
    /// (the worker has lost those jobs).
    pub async fn run(&self, q: &Queue) -> Result<Vec<String>> {
        let k = q.keys();
        let mut call = Call::new(&scripts::EXTEND_LOCKS, &Self::keys(k))
            .arg(k.base())
            .arg(self.lock_duration_ms);
        for (id, token) in self.jobs {
            call = call.arg(id).arg(token);
        }
        call.invoke(q).await
    }
}
