//! `lua/clean_jobs_in_set.lua`: removes one state's jobs that finished (or
//! were created) before a cutoff, and emits `cleaned`. Locked active jobs and
//! pending scheduler iterations stay.

use super::Call;
use crate::engine::error::{Error, Result};
use crate::engine::queue::Queue;
use crate::engine::scripts;

/// ARGV of `clean_jobs_in_set`.
#[derive(Debug)]
pub struct CleanJobsInSet<'a> {
    /// BullMQ's state name (`completed`, `failed`, `wait`, `active`, `paused`,
    /// `delayed`, `prioritized` or `waiting-children`; `waiting` means `wait`).
    pub state: &'a str,
    /// Jobs whose time is at or before this (ms) are removed.
    pub cutoff_ms: u64,
    /// At most this many in this call.
    pub limit: u64,
}

impl CleanJobsInSet<'_> {
    /// Removes one batch; resolves with the removed ids. An unknown state is an
    /// invalid `type` (BullMQ's name of the argument).
    pub async fn run(&self, q: &Queue) -> Result<Vec<String>> {
        let k = q.keys();
        let state = if self.state == "waiting" {
            "wait"
        } else {
            self.state
        };
        let Some(set) = k.state(state) else {
            return Err(Error::invalid(
                "type",
                format!(
                    "unknown job state \"{state}\"; use completed, failed, wait, active, paused, delayed, prioritized or waiting-children"
                ),
            ));
        };
        Call::new(
            &scripts::CLEAN_JOBS_IN_SET,
            &[set, &k.events, &k.meta, &k.repeat],
        )
        .arg(k.base())
        .arg(state)
        .arg(self.cutoff_ms)
        .arg(self.limit)
        .invoke(q)
        .await
    }
}
