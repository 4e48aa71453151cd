//! `lua/remove_job.lua`: deletes a job no worker holds, from whichever state it
//! is in, and emits `removed`.

use super::{Call, status};
use crate::engine::error::Result;
use crate::engine::keys::QueueKeys;
use crate::engine::queue::Queue;
use crate::engine::scripts;

/// ARGV of `remove_job`.
#[derive(Debug)]
pub struct RemoveJob<'a> {
    /// The job to remove.
    pub job_id: &'a str,
    /// Also remove its children (BullMQ's `removeChildren`, default true).
    pub remove_children: bool,
}

impl RemoveJob<'_> {
    /// KEYS, in the order the script's header lists them.
    pub fn keys(k: &QueueKeys) -> [&str; 11] {
        [
            &k.wait,
            &k.active,
            &k.prioritized,
            &k.delayed,
            &k.completed,
            &k.failed,
            &k.waiting_children,
            &k.paused,
            &k.events,
            &k.meta,
            &k.repeat,
        ]
    }

    /// `true` when the job is gone (also when there was nothing to remove),
    /// `false` when a worker holds its lock; `SchedulerJob` for the pending
    /// iteration of a job scheduler.
    pub async fn run(&self, q: &Queue) -> Result<bool> {
        let k = q.keys();
        let reply: i64 = Call::new(&scripts::REMOVE_JOB, &Self::keys(k))
            .arg(k.base())
            .arg(self.job_id)
            .arg(self.remove_children)
            .invoke(q)
            .await?;
        Ok(status(&scripts::REMOVE_JOB, reply, self.job_id, "any")? == 1)
    }
}
