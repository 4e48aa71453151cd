//! `lua/remove_orphaned_jobs.lua`: of candidate job ids, deletes the keys of
//! those no state holds (job data an old removal left behind).

use super::Call;
use crate::engine::error::Result;
use crate::engine::keys::QueueKeys;
use crate::engine::queue::Queue;
use crate::engine::scripts;

/// ARGV of `remove_orphaned_jobs`.
#[derive(Debug, Clone, Copy)]
pub struct RemoveOrphanedJobs<'a> {
    /// Ids whose keys exist (from a SCAN); the script checks each.
    pub candidates: &'a [String],
}

impl RemoveOrphanedJobs<'_> {
    /// KEYS: every state that holds job ids.
    pub fn keys(k: &QueueKeys) -> [&str; 9] {
        [
            &k.wait,
            &k.active,
            &k.paused,
            &k.prioritized,
            &k.delayed,
            &k.completed,
            &k.failed,
            &k.waiting_children,
            &k.stalled,
        ]
    }

    /// Removes the orphans among the candidates; returns how many.
    pub async fn run(&self, q: &Queue) -> Result<u64> {
        let k = q.keys();
        let mut call = Call::new(&scripts::REMOVE_ORPHANED_JOBS, &Self::keys(k)).arg(k.base());
        for id in self.candidates {
            call = call.arg(id);
        }
        call.invoke(q).await
    }
}
