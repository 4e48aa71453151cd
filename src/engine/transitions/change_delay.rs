//! `lua/change_delay.lua`: gives a delayed job a new delay counted from now
//! (BullMQ's `job.changeDelay`).

use super::{Call, status};
use crate::engine::error::Result;
use crate::engine::queue::Queue;
use crate::engine::scripts;

/// ARGV of `change_delay`.
#[derive(Debug)]
pub struct ChangeDelay<'a> {
    /// The delayed job.
    pub job_id: &'a str,
    /// The new delay (ms), counted from `now_ms`.
    pub delay_ms: u64,
    /// The current time (ms).
    pub now_ms: u64,
}

impl ChangeDelay<'_> {
    /// Re-schedules the job; `JobNotFound` when it does not exist, `NotInState`
    /// (delayed) when it is not delayed.
    pub async fn run(&self, q: &Queue) -> Result<()> {
        let k = q.keys();
        let reply: i64 = Call::new(
            &scripts::CHANGE_DELAY,
            &[&k.delayed, &k.marker, &k.events, &k.meta],
        )
        .arg(k.base())
        .arg(self.job_id)
        .arg(self.delay_ms)
        .arg(self.now_ms)
        .invoke(q)
        .await?;
        status(&scripts::CHANGE_DELAY, reply, self.job_id, "delayed")?;
        Ok(())
    }
}
