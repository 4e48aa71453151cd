//! `lua/drain.lua`: removes every job that waits to run (wait, a v5 paused
//! list, prioritized, and delayed when asked); scheduler iterations stay.

use super::Call;
use crate::engine::error::Result;
use crate::engine::queue::Queue;
use crate::engine::scripts;

/// ARGV of `drain`.
#[derive(Debug)]
pub struct Drain {
    /// Also remove delayed jobs.
    pub delayed: bool,
}

impl Drain {
    /// Removes the jobs; resolves with how many.
    pub async fn run(&self, q: &Queue) -> Result<u64> {
        let k = q.keys();
        Call::new(
            &scripts::DRAIN,
            &[
                &k.wait,
                &k.paused,
                &k.prioritized,
                &k.delayed,
                &k.pc,
                &k.repeat,
            ],
        )
        .arg(k.base())
        .arg(self.delayed)
        .invoke(q)
        .await
    }
}
