//! `lua/reprocess_job.lua`: moves a completed or failed job back to wait
//! (BullMQ's `job.retry`).

use super::{Call, status};
use crate::engine::error::Result;
use crate::engine::job::FinishedState;
use crate::engine::queue::Queue;
use crate::engine::scripts;

/// ARGV of `reprocess_job`.
#[derive(Debug)]
pub struct ReprocessJob<'a> {
    /// The finished job.
    pub job_id: &'a str,
    /// The state it is in; its outcome field is cleared.
    pub from: FinishedState,
    /// Put it at the front of wait (the job's own `lifo`).
    pub lifo: bool,
    /// Start counting attempts (`atm`) from 0 again.
    pub reset_attempts_made: bool,
    /// Start counting started attempts (`ats`) from 0 again.
    pub reset_attempts_started: bool,
}

impl ReprocessJob<'_> {
    /// Moves the job; `JobNotFound` when it does not exist, `NotInState` when
    /// it is not in `from`.
    pub async fn run(&self, q: &Queue) -> Result<()> {
        let k = q.keys();
        let keys = [
            self.from.key(k),
            &k.wait,
            &k.prioritized,
            &k.pc,
            &k.marker,
            &k.events,
            &k.meta,
            &k.active,
        ];
        let reply: i64 = Call::new(&scripts::REPROCESS_JOB, &keys)
            .arg(k.base())
            .arg(self.job_id)
            .arg(self.from.result_field())
            .arg(self.lifo)
            .arg(self.reset_attempts_made)
            .arg(self.reset_attempts_started)
            .arg(self.from.name())
            .invoke(q)
            .await?;
        status(
            &scripts::REPROCESS_JOB,
            reply,
            self.job_id,
            self.from.name(),
        )?;
        Ok(())
    }
}
