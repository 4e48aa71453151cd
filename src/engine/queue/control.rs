//! Control of the whole queue: pause/resume, clean, drain, obliterate, bulk
//! retry and promote, events trimming. Batched transitions loop here until done.

use super::{Queue, now_ms};
use crate::engine::error::Result;
use crate::engine::job::FinishedState;
use crate::engine::transitions::clean_jobs_in_set::CleanJobsInSet;
use crate::engine::transitions::drain::Drain;
use crate::engine::transitions::move_jobs_to_wait::{JobsFrom, MoveJobsToWait};
use crate::engine::transitions::obliterate::Obliterate;
use crate::engine::transitions::pause::Pause;

/// Most jobs one clean/obliterate/retry call touches; callers loop for more.
const BATCH: u64 = 1000;

impl Queue {
    /// Pauses the whole queue: workers fetch nothing until `resume`.
    pub async fn pause(&self) -> Result<()> {
        Pause::Pause.run(self).await
    }

    /// Resumes a paused queue.
    pub async fn resume(&self) -> Result<()> {
        Pause::Resume.run(self).await
    }

    /// Removes up to `limit` jobs (0 = all) of `state` that finished (or were
    /// created) at least `grace_ms` ago; returns their ids. Emits `cleaned`.
    pub async fn clean(&self, grace_ms: u64, limit: u64, state: &str) -> Result<Vec<String>> {
        let cutoff_ms = now_ms().saturating_sub(grace_ms);
        let mut removed: Vec<String> = Vec::new();
        loop {
            let want = if limit == 0 {
                BATCH
            } else {
                (limit - removed.len() as u64).min(BATCH)
            };
            let ids = CleanJobsInSet {
                state,
                cutoff_ms,
                limit: want,
            }
            .run(self)
            .await?;
            let got = ids.len() as u64;
            removed.extend(ids);
            if got < want || (limit > 0 && removed.len() as u64 >= limit) {
                return Ok(removed);
            }
        }
    }

    /// Removes every waiting job (and delayed ones if `delayed`); returns how many.
    pub async fn drain(&self, delayed: bool) -> Result<u64> {
        Drain { delayed }.run(self).await
    }

    /// Pauses the queue, then deletes it with all its jobs. Without `force` it
    /// refuses while jobs are active.
    pub async fn obliterate(&self, force: bool) -> Result<()> {
        self.pause().await?;
        let batch = Obliterate {
            count: BATCH,
            force,
        };
        while batch.run(self).await? {}
        Ok(())
    }

    /// Moves jobs of `state` (`failed` or `completed`) that finished at or
    /// before `before_ms` back to wait, `count` per round trip.
    pub async fn retry_jobs(&self, state: &str, count: u64, before_ms: Option<u64>) -> Result<()> {
        let state = FinishedState::parse(state, "state")?;
        let before_ms = before_ms.unwrap_or_else(now_ms);
        self.move_jobs_to_wait(JobsFrom::Finished { state, before_ms }, count)
            .await
    }

    /// Moves every delayed job to wait now, `count` per round trip.
    pub async fn promote_jobs(&self, count: u64) -> Result<()> {
        self.move_jobs_to_wait(JobsFrom::Delayed, count).await
    }

    async fn move_jobs_to_wait(&self, from: JobsFrom, count: u64) -> Result<()> {
        let batch = MoveJobsToWait {
            from,
            count: count.clamp(1, 10_000),
        };
        while batch.run(self).await? {}
        Ok(())
    }

    /// Trims the events stream to about `max_length` entries.
    pub async fn trim_events(&self, max_length: u64) -> Result<u64> {
        let v = self
            .raw(
                redis::cmd("XTRIM")
                    .arg(&self.keys().events)
                    .arg("MAXLEN")
                    .arg("~")
                    .arg(max_length),
            )
            .await?;
        Ok(redis::from_redis_value(v).unwrap_or(0))
    }
}
