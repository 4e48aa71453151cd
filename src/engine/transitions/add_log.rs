//! `lua/add_log.lua`: appends a line to a job's log, keeping the last
//! `keepLogs` lines when the job asks for it.

use super::{Call, status};
use crate::engine::error::Result;
use crate::engine::queue::Queue;
use crate::engine::scripts;

/// ARGV of `add_log`.
#[derive(Debug)]
pub struct AddLog<'a> {
    /// The job.
    pub job_id: &'a str,
    /// The line to append.
    pub row: &'a str,
    /// Keep only the last this many lines (`None` = keep all).
    pub keep_logs: Option<u64>,
}

impl AddLog<'_> {
    /// Appends the line; resolves with how many lines the log keeps.
    /// `JobNotFound` when the job does not exist.
    pub async fn run(&self, q: &Queue) -> Result<u64> {
        let k = q.keys();
        let reply: i64 = Call::new(
            &scripts::ADD_LOG,
            &[&k.job(self.job_id), &k.logs(self.job_id)],
        )
        .arg(self.row)
        .arg(self.keep_logs.unwrap_or(0))
        .invoke(q)
        .await?;
        status(&scripts::ADD_LOG, reply, self.job_id, "any")
    }
}
