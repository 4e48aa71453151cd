//! `lua/update_data.lua`: replaces a job's data (BullMQ's `job.updateData`).

use super::{Call, status};
use crate::engine::error::Result;
use crate::engine::queue::Queue;
use crate::engine::scripts;

/// ARGV of `update_data`.
#[derive(Debug)]
pub struct UpdateData<'a> {
    /// The job.
    pub job_id: &'a str,
    /// The new data as JSON text.
    pub data_json: &'a str,
}

impl UpdateData<'_> {
    /// Replaces the data; `JobNotFound` when the job does not exist.
    pub async fn run(&self, q: &Queue) -> Result<()> {
        let reply: i64 = Call::new(&scripts::UPDATE_DATA, &[&q.keys().job(self.job_id)])
            .arg(self.data_json)
            .invoke(q)
            .await?;
        status(&scripts::UPDATE_DATA, reply, self.job_id, "any")?;
        Ok(())
    }
}
