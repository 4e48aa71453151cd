//! `lua/remove_unprocessed_children.lua`: removes the children a job still
//! waits for (BullMQ's `job.removeUnprocessedChildren`).

use super::Call;
use crate::engine::error::Result;
use crate::engine::queue::Queue;
use crate::engine::scripts;

/// KEYS of `remove_unprocessed_children` (it has no ARGV).
#[derive(Debug, Clone, Copy)]
pub struct RemoveUnprocessedChildren<'a> {
    /// The parent, in the queue the transition runs on.
    pub job_id: &'a str,
}

impl RemoveUnprocessedChildren<'_> {
    /// Removes the pending children no worker holds and that have not failed,
    /// with their own pending children; answers how many jobs went.
    pub async fn run(&self, q: &Queue) -> Result<u64> {
        let job_key = q.keys().job(self.job_id);
        Call::new(&scripts::REMOVE_UNPROCESSED_CHILDREN, &[&job_key])
            .invoke(q)
            .await
    }
}
