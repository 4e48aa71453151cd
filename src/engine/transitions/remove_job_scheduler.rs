//! `lua/remove_job_scheduler.lua`: delete a scheduler and its delayed iteration.

use super::Call;
use crate::engine::error::Result;
use crate::engine::keys::QueueKeys;
use crate::engine::queue::Queue;
use crate::engine::scripts::REMOVE_JOB_SCHEDULER;

/// ARGV of `remove_job_scheduler`.
#[derive(Debug)]
pub struct RemoveJobScheduler<'a> {
    /// The scheduler to remove.
    pub scheduler_id: &'a str,
}

impl RemoveJobScheduler<'_> {
    /// KEYS, in the order the script's header lists them.
    pub fn keys(k: &QueueKeys) -> [&str; 3] {
        [&k.repeat, &k.delayed, &k.events]
    }

    /// `true` when the scheduler existed.
    pub async fn run(&self, q: &Queue) -> Result<bool> {
        let k = q.keys();
        let removed: i64 = Call::new(&REMOVE_JOB_SCHEDULER, &Self::keys(k))
            .arg(k.base())
            .arg(self.scheduler_id)
            .invoke(q)
            .await?;
        Ok(removed == 1)
    }
}
