//! `lua/remove_deduplication_key.lua`: deletes a deduplication key only while
//! it still names the given job (BullMQ's `job.removeDeduplicationKey`).

use super::Call;
use crate::engine::error::Result;
use crate::engine::queue::Queue;
use crate::engine::scripts;

/// ARGV of `remove_deduplication_key`.
#[derive(Debug, Clone, Copy)]
pub struct RemoveDeduplicationKey<'a> {
    /// The deduplication id (`opts.deduplication.id`).
    pub dedup_id: &'a str,
    /// The job that must own the key.
    pub job_id: &'a str,
}

impl RemoveDeduplicationKey<'_> {
    /// Deletes the key if `job_id` owns it; true when it did.
    pub async fn run(&self, q: &Queue) -> Result<bool> {
        let key = q.keys().dedup(self.dedup_id);
        let deleted: i64 = Call::new(&scripts::REMOVE_DEDUPLICATION_KEY, &[&key])
            .arg(self.job_id)
            .invoke(q)
            .await?;
        Ok(deleted > 0)
    }
}
