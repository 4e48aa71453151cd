//! `lua/move_jobs_to_wait.lua`: moves finished or delayed jobs back to wait in
//! bulk (BullMQ's `retryJobs` and `promoteJobs`), one batch per call.

use super::Call;
use crate::engine::error::Result;
use crate::engine::job::FinishedState;
use crate::engine::queue::Queue;
use crate::engine::scripts;

/// Which jobs move.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobsFrom {
    /// Finished jobs, retried: their outcome and finish times are cleared.
    Finished {
        /// The state they are in.
        state: FinishedState,
        /// Only jobs that finished at or before this time (ms).
        before_ms: u64,
    },
    /// Every delayed job, promoted.
    Delayed,
}

/// ARGV of `move_jobs_to_wait`.
#[derive(Debug)]
pub struct MoveJobsToWait {
    /// The jobs to move.
    pub from: JobsFrom,
    /// At most this many in this call (at least 1).
    pub count: u64,
}

impl MoveJobsToWait {
    /// Moves one batch; `true` while more jobs remain to move.
    pub async fn run(&self, q: &Queue) -> Result<bool> {
        let k = q.keys();
        let (set, max_score, name) = match self.from {
            JobsFrom::Finished { state, before_ms } => {
                (state.key(k), before_ms.to_string(), state.name())
            }
            JobsFrom::Delayed => (k.delayed.as_str(), "+inf".to_string(), "delayed"),
        };
        let more: i64 = Call::new(
            &scripts::MOVE_JOBS_TO_WAIT,
            &[set, &k.wait, &k.marker, &k.events, &k.meta, &k.active],
        )
        .arg(k.base())
        .arg(self.count.max(1))
        .arg(max_score)
        .arg(name)
        .invoke(q)
        .await?;
        Ok(more == 1)
    }
}
