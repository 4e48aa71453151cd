//! `lua/promote.lua`: moves one delayed job to wait (or prioritized) now.

use super::{Call, status};
use crate::engine::error::Result;
use crate::engine::keys::QueueKeys;
use crate::engine::queue::Queue;
use crate::engine::scripts;

/// ARGV of `promote`.
#[derive(Debug)]
pub struct Promote<'a> {
    /// The delayed job.
    pub job_id: &'a str,
}

impl Promote<'_> {
    /// KEYS, in the order the script's header lists them.
    pub fn keys(k: &QueueKeys) -> [&str; 8] {
        [
            &k.delayed,
            &k.wait,
            &k.prioritized,
            &k.pc,
            &k.marker,
            &k.events,
            &k.meta,
            &k.active,
        ]
    }

    /// Promotes the job; `NotInState` (delayed) when it is not delayed.
    pub async fn run(&self, q: &Queue) -> Result<()> {
        let k = q.keys();
        let reply: i64 = Call::new(&scripts::PROMOTE, &Self::keys(k))
            .arg(k.base())
            .arg(self.job_id)
            .invoke(q)
            .await?;
        status(&scripts::PROMOTE, reply, self.job_id, "delayed")?;
        Ok(())
    }
}
