//! `lua/get_state.lua`: the state of one job, looked up in BullMQ's order.

use super::Call;
use crate::engine::error::Result;
use crate::engine::keys::QueueKeys;
use crate::engine::queue::Queue;
use crate::engine::scripts;

/// ARGV of `get_state`.
#[derive(Debug)]
pub struct GetState<'a> {
    /// The job to look up.
    pub job_id: &'a str,
}

impl GetState<'_> {
    /// KEYS, in the order the script's header lists them.
    pub fn keys(k: &QueueKeys) -> [&str; 8] {
        [
            &k.completed,
            &k.failed,
            &k.delayed,
            &k.prioritized,
            &k.active,
            &k.wait,
            &k.paused,
            &k.waiting_children,
        ]
    }

    /// One of [`JOB_STATES`](crate::engine::job::JOB_STATES): `unknown` when the
    /// job is in no state (also when it does not exist).
    pub async fn run(&self, q: &Queue) -> Result<String> {
        Call::new(&scripts::GET_STATE, &Self::keys(q.keys()))
            .arg(self.job_id)
            .invoke(q)
            .await
    }
}
