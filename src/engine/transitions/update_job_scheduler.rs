//! `lua/update_job_scheduler.lua`: add a scheduler's next iteration when its
//! current one starts (the step BullMQ's worker takes on every iteration).

use super::add_job_scheduler::{IterationOpts, opt};
use super::{Call, parse};
use crate::engine::error::Result;
use crate::engine::keys::QueueKeys;
use crate::engine::queue::Queue;
use crate::engine::scripts::UPDATE_JOB_SCHEDULER;

/// The script's arguments.
#[derive(Debug)]
pub struct UpdateJobScheduler<'a> {
    /// The scheduler id.
    pub scheduler_id: &'a str,
    /// The iteration that just started.
    pub producer_id: &'a str,
    /// Now (ms).
    pub now: u64,
    /// Next run of a cron scheduler; `None` for `every` (computed in Lua).
    pub cron_next: Option<u64>,
    /// `every` from the producer's opts (used when the hash lacks it).
    pub every: Option<u64>,
    /// `offset` from the producer's `opts.repeat`.
    pub offset: Option<u64>,
    /// The new iteration's opts, split for the script.
    pub iteration: &'a IterationOpts,
    /// Its priority.
    pub priority: u64,
    /// Front of wait.
    pub lifo: bool,
}

impl UpdateJobScheduler<'_> {
    /// KEYS, in the order the script's header lists them.
    pub fn keys(k: &QueueKeys) -> [&str; 10] {
        [
            &k.repeat,
            &k.delayed,
            &k.wait,
            &k.meta,
            &k.prioritized,
            &k.marker,
            &k.id,
            &k.events,
            &k.pc,
            &k.active,
        ]
    }

    /// Runs the script; the new iteration's id, or `None` when it added nothing.
    pub async fn run(&self, q: &Queue) -> Result<Option<String>> {
        let k = q.keys();
        let reply: redis::Value = Call::new(&UPDATE_JOB_SCHEDULER, &Self::keys(k))
            .arg(k.base())
            .arg(self.scheduler_id)
            .arg(self.producer_id)
            .arg(self.now)
            .arg(opt(self.cron_next))
            .arg(opt(self.every))
            .arg(opt(self.offset))
            .arg(&self.iteration.head)
            .arg(&self.iteration.tail)
            .arg(self.priority)
            .arg(self.lifo)
            .invoke(q)
            .await?;
        match reply {
            redis::Value::Int(_) => Ok(None),
            other => Ok(Some(parse(UPDATE_JOB_SCHEDULER.name, Some(other))?)),
        }
    }
}
