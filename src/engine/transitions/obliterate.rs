//! `lua/obliterate.lua`: deletes a paused queue and all its jobs, a batch per
//! call; the last call deletes the queue's bookkeeping keys.

use super::{Call, status};
use crate::engine::error::Result;
use crate::engine::keys::QueueKeys;
use crate::engine::queue::Queue;
use crate::engine::scripts;

/// ARGV of `obliterate`.
#[derive(Debug)]
pub struct Obliterate {
    /// Delete at most this many jobs in this call.
    pub count: u64,
    /// Delete even when jobs are active.
    pub force: bool,
}

impl Obliterate {
    /// KEYS, in the order the script's header lists them.
    pub fn keys(k: &QueueKeys) -> [&str; 10] {
        [
            &k.meta,
            &k.active,
            &k.delayed,
            &k.repeat,
            &k.completed,
            &k.wait,
            &k.paused,
            &k.prioritized,
            &k.failed,
            &k.waiting_children,
        ]
    }

    /// Deletes one batch; `true` while more remains. Refused with an invalid
    /// `obliterate` when the queue is not paused, or has active jobs and
    /// `force` is not set.
    pub async fn run(&self, q: &Queue) -> Result<bool> {
        let k = q.keys();
        let reply: i64 = Call::new(&scripts::OBLITERATE, &Self::keys(k))
            .arg(k.base())
            .arg(self.count)
            .arg(self.force)
            .invoke(q)
            .await?;
        Ok(status(&scripts::OBLITERATE, reply, "", "paused")? == 1)
    }
}
