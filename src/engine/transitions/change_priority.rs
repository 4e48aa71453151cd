//! `lua/change_priority.lua`: sets a job's priority; a job waiting to run moves
//! to its new place in line (BullMQ's `job.changePriority`).

use super::{Call, status};
use crate::engine::error::Result;
use crate::engine::keys::QueueKeys;
use crate::engine::queue::Queue;
use crate::engine::scripts;

/// ARGV of `change_priority`.
#[derive(Debug)]
pub struct ChangePriority<'a> {
    /// The job.
    pub job_id: &'a str,
    /// The new priority (0 = none, 1 = highest), already validated.
    pub priority: u64,
    /// Put it in front of the jobs of the same priority (or of wait).
    pub lifo: bool,
}

impl ChangePriority<'_> {
    /// KEYS, in the order the script's header lists them.
    pub fn keys(k: &QueueKeys) -> [&str; 6] {
        [
            &k.wait,
            &k.prioritized,
            &k.pc,
            &k.marker,
            &k.meta,
            &k.active,
        ]
    }

    /// Sets the priority; `JobNotFound` when the job does not exist.
    pub async fn run(&self, q: &Queue) -> Result<()> {
        let k = q.keys();
        let reply: i64 = Call::new(&scripts::CHANGE_PRIORITY, &Self::keys(k))
            .arg(k.base())
            .arg(self.job_id)
            .arg(self.priority)
            .arg(self.lifo)
            .invoke(q)
            .await?;
        status(&scripts::CHANGE_PRIORITY, reply, self.job_id, "any")?;
        Ok(())
    }
}
