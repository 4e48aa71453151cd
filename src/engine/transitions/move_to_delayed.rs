//! `lua/move_to_delayed.lua`: a processor parks its own active job until a
//! given time (BullMQ's `job.moveToDelayed`; the attempt is not counted).

use super::{Call, status};
use crate::engine::error::Result;
use crate::engine::keys::QueueKeys;
use crate::engine::queue::Queue;
use crate::engine::scripts;

/// ARGV of `move_to_delayed`.
#[derive(Debug)]
pub struct MoveToDelayed<'a> {
    /// The active job.
    pub job_id: &'a str,
    /// The lock token its worker holds (`"0"` = the job is not locked).
    pub token: &'a str,
    /// When it becomes ready again (ms); a time in the past means now.
    pub due_ms: u64,
    /// The current time (ms).
    pub now_ms: u64,
}

impl MoveToDelayed<'_> {
    /// KEYS, in the order the script's header lists them.
    pub fn keys(k: &QueueKeys) -> [&str; 6] {
        [
            &k.active, &k.delayed, &k.marker, &k.events, &k.meta, &k.stalled,
        ]
    }

    /// Parks the job and releases its lock; `JobNotFound`, `LockMismatch`
    /// (lock missing or held by another token) or `NotInState` (active).
    pub async fn run(&self, q: &Queue) -> Result<()> {
        let k = q.keys();
        let reply: i64 = Call::new(&scripts::MOVE_TO_DELAYED, &Self::keys(k))
            .arg(k.base())
            .arg(self.job_id)
            .arg(self.token)
            .arg(self.due_ms)
            .arg(self.now_ms)
            .invoke(q)
            .await?;
        status(&scripts::MOVE_TO_DELAYED, reply, self.job_id, "active")?;
        Ok(())
    }
}
