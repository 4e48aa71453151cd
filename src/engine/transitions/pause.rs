//! `lua/pause.lua`: pauses or resumes the whole queue (v6 semantics: only meta
//! `paused` changes; jobs stay in wait). Resuming migrates a v5 `paused` list.

use super::Call;
use crate::engine::error::Result;
use crate::engine::keys::QueueKeys;
use crate::engine::queue::Queue;
use crate::engine::scripts;

/// ARGV of `pause`: which way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pause {
    /// Workers fetch nothing until resumed; emits `paused`.
    Pause,
    /// Workers fetch again; emits `resumed`.
    Resume,
}

impl Pause {
    /// KEYS, in the order the script's header lists them.
    pub fn keys(k: &QueueKeys) -> [&str; 7] {
        [
            &k.meta,
            &k.marker,
            &k.events,
            &k.wait,
            &k.paused,
            &k.prioritized,
            &k.delayed,
        ]
    }

    /// Pauses or resumes.
    pub async fn run(self, q: &Queue) -> Result<()> {
        let action = match self {
            Pause::Pause => "pause",
            Pause::Resume => "resume",
        };
        let _always_one: i64 = Call::new(&scripts::PAUSE, &Self::keys(q.keys()))
            .arg(action)
            .invoke(q)
            .await?;
        Ok(())
    }
}
