//! Rate limits and the global concurrency cap, stored as BullMQ stores them
//! (the `limiter` key, meta `max`/`duration`, meta `concurrency`).

use super::Queue;
use crate::engine::error::{Error, Result};
use crate::engine::options::Limiter;

impl Queue {
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

    /// Whether a queue-wide cap is set (global concurrency or global rate
    /// limit): every worker's fetch counts against it.
    pub async fn has_global_caps(&self) -> Result<bool> {
        let v = self
            .raw(
                redis::cmd("HMGET")
                    .arg(&self.keys().meta)
                    .arg("concurrency")
                    .arg("max"),
            )
            .await?;
        let caps: Vec<Option<String>> = redis::from_redis_value(v).unwrap_or_default();
        Ok(caps.iter().any(Option::is_some))
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
        Limiter::checked(max, duration_ms, "rateLimit")?;
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
}
