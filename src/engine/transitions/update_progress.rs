//! `lua/update_progress.lua`: stores a job's progress and emits `progress`.

use super::{Call, status};
use crate::engine::error::Result;
use crate::engine::queue::Queue;
use crate::engine::scripts;

/// ARGV of `update_progress`.
#[derive(Debug)]
pub struct UpdateProgress<'a> {
    /// The job.
    pub job_id: &'a str,
    /// The progress as JSON text (a number or an object).
    pub progress_json: &'a str,
}

impl UpdateProgress<'_> {
    /// Stores the progress; `JobNotFound` when the job does not exist.
    pub async fn run(&self, q: &Queue) -> Result<()> {
        let k = q.keys();
        let reply: i64 = Call::new(
            &scripts::UPDATE_PROGRESS,
            &[&k.job(self.job_id), &k.events, &k.meta],
        )
        .arg(self.job_id)
        .arg(self.progress_json)
        .invoke(q)
        .await?;
        status(&scripts::UPDATE_PROGRESS, reply, self.job_id, "any")?;
        Ok(())
    }
}
