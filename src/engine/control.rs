//! Queue control: clean, drain, obliterate, bulk retry/promote, single-job
//! moves made by processors, rate limiting, events trimming and metrics.

use super::error::{Error, Result};
use super::job::FinishedState;
use super::queue::{Queue, now_ms};
use super::transitions::change_delay::ChangeDelay;
use super::transitions::change_priority::ChangePriority;
use super::transitions::clean_jobs_in_set::CleanJobsInSet;
use super::transitions::drain::Drain;
use super::transitions::move_jobs_to_wait::{JobsFrom, MoveJobsToWait};
use super::transitions::move_to_delayed::MoveToDelayed;
use super::transitions::obliterate::Obliterate;
use super::transitions::promote::Promote;
use super::transitions::update_data::UpdateData;

/// Most jobs one clean/obliterate/retry call touches; callers loop for more.
const BATCH: u64 = 1000;

/// BullMQ's `getMetrics` answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Metrics {
    /// `count`, `prevTS`, `prevCount` of the metrics hash.
    pub count: u64,
    /// When the last data point was written (ms).
    pub prev_ts: u64,
    /// The count at that time.
    pub prev_count: u64,
    /// Per-minute counts, newest first.
    pub data: Vec<u64>,
    /// How many data points exist in all.
    pub total: u64,
}

impl Queue {
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

    /// Moves one delayed job to wait now.
    pub async fn promote(&self, id: &str) -> Result<()> {
        Promote { job_id: id }.run(self).await
    }

    /// Parks an active job (held with `token`) in delayed until `due_ms`.
    pub async fn move_to_delayed(&self, id: &str, token: &str, due_ms: u64) -> Result<()> {
        MoveToDelayed {
            job_id: id,
            token,
            due_ms,
            now_ms: now_ms(),
        }
        .run(self)
        .await
    }

    /// Replaces a job's data (JSON text).
    pub async fn update_data(&self, id: &str, data_json: &str) -> Result<()> {
        UpdateData {
            job_id: id,
            data_json,
        }
        .run(self)
        .await
    }

    /// Gives a delayed job a new delay, counted from now.
    pub async fn change_delay(&self, id: &str, delay_ms: u64) -> Result<()> {
        ChangeDelay {
            job_id: id,
            delay_ms,
            now_ms: now_ms(),
        }
        .run(self)
        .await
    }

    /// Sets a job's priority (0 = none); a waiting job moves to its new place in line.
    pub async fn change_priority(&self, id: &str, priority: u64, lifo: bool) -> Result<()> {
        if priority > super::options::MAX_PRIORITY {
            return Err(Error::refused(
                "priority",
                format!(
                    "Priority should be between 0 and {}",
                    super::options::MAX_PRIORITY
                ),
            ));
        }
        ChangePriority {
            job_id: id,
            priority,
            lifo,
        }
        .run(self)
        .await
    }

    /// Rate-limits the whole queue for `ms` (BullMQ's `queue.rateLimit`): workers
    /// with a limiter fetch nothing until it expires.
    pub async fn rate_limit(&self, ms: u64) -> Result<()> {
        if ms == 0 {
            return Ok(());
        }
        self.raw(
            redis::cmd("SET")
                .arg(&self.keys().limiter)
                .arg(9_007_199_254_740_991u64)
                .arg("PX")
                .arg(ms),
        )
        .await?;
        Ok(())
    }

    /// The limiter's remaining TTL (ms) when it is full for `max`, as BullMQ's getRateLimitTtl.
    pub async fn get_rate_limit_ttl(&self, max: Option<u64>) -> Result<i64> {
        let k = self.keys();
        let mut con = self.con()?;
        let (used, ttl, meta_max): (Option<u64>, i64, Option<u64>) = redis::pipe()
            .cmd("GET")
            .arg(&k.limiter)
            .cmd("PTTL")
            .arg(&k.limiter)
            .cmd("HGET")
            .arg(&k.meta)
            .arg("max")
            .query_async(&mut con)
            .await?;
        match max.or(meta_max) {
            Some(m) if used.unwrap_or(0) >= m => Ok(ttl.max(0)),
            Some(_) => Ok(0),
            None => Ok(ttl),
        }
    }

    /// Caps how many jobs of this queue run at once across all workers
    /// (BullMQ's `setGlobalConcurrency`, stored as meta `concurrency`).
    pub async fn set_global_concurrency(&self, concurrency: u64) -> Result<()> {
        if concurrency == 0 {
            return Err(Error::invalid("concurrency", "must be an integer >= 1"));
        }
        self.raw(
            redis::cmd("HSET")
                .arg(&self.keys().meta)
                .arg("concurrency")
                .arg(concurrency),
        )
        .await?;
        Ok(())
    }

    /// Removes the global concurrency cap.
    pub async fn remove_global_concurrency(&self) -> Result<()> {
        self.raw(redis::cmd("HDEL").arg(&self.keys().meta).arg("concurrency"))
            .await?;
        Ok(())
    }

    /// The global concurrency cap, if set.
    pub async fn get_global_concurrency(&self) -> Result<Option<u64>> {
        let v = self
            .raw(redis::cmd("HGET").arg(&self.keys().meta).arg("concurrency"))
            .await?;
        Ok(redis::from_redis_value::<Option<u64>>(v).unwrap_or(None))
    }

    /// A queue-wide rate limit shared by every worker (BullMQ's
    /// `setGlobalRateLimit`, stored as meta `max` and `duration`).
    pub async fn set_global_rate_limit(&self, max: u64, duration_ms: u64) -> Result<()> {
        if max == 0 || duration_ms == 0 {
            return Err(Error::invalid("rateLimit", "max and duration must be > 0"));
        }
        self.raw(
            redis::cmd("HSET")
                .arg(&self.keys().meta)
                .arg("max")
                .arg(max)
                .arg("duration")
                .arg(duration_ms),
        )
        .await?;
        Ok(())
    }

    /// Removes the global rate limit.
    pub async fn remove_global_rate_limit(&self) -> Result<()> {
        self.raw(
            redis::cmd("HDEL")
                .arg(&self.keys().meta)
                .arg("max")
                .arg("duration"),
        )
        .await?;
        Ok(())
    }

    /// The global rate limit `(max, duration_ms)`, when both are set.
    pub async fn get_global_rate_limit(&self) -> Result<Option<(u64, u64)>> {
        let v = self
            .raw(
                redis::cmd("HMGET")
                    .arg(&self.keys().meta)
                    .arg("max")
                    .arg("duration"),
            )
            .await?;
        let pair: Vec<Option<u64>> = redis::from_redis_value(v).unwrap_or_default();
        Ok(match pair.as_slice() {
            [Some(m), Some(d)] => Some((*m, *d)),
            _ => None,
        })
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

    /// The id of the job that holds deduplication id `dedup_id`, if any.
    pub async fn get_deduplication_job_id(&self, dedup_id: &str) -> Result<Option<String>> {
        let v = self
            .raw(redis::cmd("GET").arg(self.keys().dedup(dedup_id)))
            .await?;
        Ok(redis::from_redis_value(v).unwrap_or(None))
    }

    /// Releases deduplication id `dedup_id` (BullMQ's removeDeduplicationKey); returns 1 if it existed.
    pub async fn remove_deduplication_key(&self, dedup_id: &str) -> Result<u64> {
        let v = self
            .raw(redis::cmd("DEL").arg(self.keys().dedup(dedup_id)))
            .await?;
        Ok(redis::from_redis_value(v).unwrap_or(0))
    }

    /// Completed or failed counts per minute, newest first (`start..=end` of the data list).
    pub async fn get_metrics(&self, kind: &str, start: i64, end: i64) -> Result<Metrics> {
        let k = self.keys();
        let key = match FinishedState::parse(kind, "type")? {
            FinishedState::Completed => &k.metrics_completed,
            FinishedState::Failed => &k.metrics_failed,
        };
        let data_key = format!("{key}:data");
        let mut con = self.con()?;
        let (meta, data, total): (Vec<Option<u64>>, Vec<u64>, u64) = redis::pipe()
            .cmd("HMGET")
            .arg(key)
            .arg("count")
            .arg("prevTS")
            .arg("prevCount")
            .cmd("LRANGE")
            .arg(&data_key)
            .arg(start)
            .arg(end)
            .cmd("LLEN")
            .arg(&data_key)
            .query_async(&mut con)
            .await?;
        Ok(Metrics {
            count: meta.first().copied().flatten().unwrap_or(0),
            prev_ts: meta.get(1).copied().flatten().unwrap_or(0),
            prev_count: meta.get(2).copied().flatten().unwrap_or(0),
            data,
            total,
        })
    }
}
