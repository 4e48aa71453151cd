//! `lua/move_to_waiting_children.lua`: parks an active job until its children finish.

use super::Call;
use crate::engine::error::{Error, Result};
use crate::engine::keys::QueueKeys;
use crate::engine::queue::Queue;
use crate::engine::scripts::MOVE_TO_WAITING_CHILDREN;

/// ARGV of `move_to_waiting_children`.
#[derive(Debug)]
pub struct MoveToWaitingChildren<'a> {
    /// The active job.
    pub job_id: &'a str,
    /// Its lock token ("0" = none).
    pub token: &'a str,
    /// Wait only for this child (its full key), not any.
    pub child_key: Option<&'a str>,
    /// Now (ms): the job's score in waiting-children.
    pub now: u64,
}

impl MoveToWaitingChildren<'_> {
    /// KEYS, in the order the script's header lists them.
    pub fn keys(k: &QueueKeys) -> [&str; 4] {
        [&k.active, &k.waiting_children, &k.stalled, &k.events]
    }

    /// `true` when the job moved; `false` when it has nothing to wait for.
    pub async fn run(&self, q: &Queue) -> Result<bool> {
        let k = q.keys();
        let code: i64 = Call::new(&MOVE_TO_WAITING_CHILDREN, &Self::keys(k))
            .arg(k.base())
            .arg(self.job_id)
            .arg(self.token)
            .arg(self.child_key.unwrap_or_default())
            .arg(self.now)
            .invoke(q)
            .await?;
        match code {
            0 => Ok(true),
            1 => Ok(false),
            c => Err(Error::from_script_code(
                MOVE_TO_WAITING_CHILDREN.name,
                c,
                self.job_id,
                "active",
            )),
        }
    }
}
