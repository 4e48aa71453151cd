//! Reads about a queue as a whole that BullMQ's Queue offers beside the job
//! getters: its meta hash, counts per priority, whether the global concurrency
//! is used up, and the QueueEvents readers connected to it.

use super::error::Result;
use super::keys::QueueKeys;
use super::queue::Queue;

/// A priority's scores in the `prioritized` set span `priority * 2^32` up to
/// the next priority's first score (the low 32 bits are the insertion counter).
const PRIORITY_SCORE_STEP: u64 = 1 << 32;

impl Queue {
    /// The queue's meta hash as stored (`version`, `opts.maxLenEvents`,
    /// `paused`, `concurrency`, `max`, `duration`, ...), after this queue wrote
    /// its own meta as BullMQ's Queue does when it connects.
    pub async fn get_meta(&self) -> Result<Vec<(String, String)>> {
        self.ensure_meta().await?;
        let mut con = self.con()?;
        Ok(redis::cmd("HGETALL")
            .arg(&self.keys().meta)
            .query_async(&mut con)
            .await?)
    }

    /// The meta `version` (what wrote the queue, `bullmq:<version>`), after
    /// this queue wrote its own meta as BullMQ's Queue does when it connects.
    pub async fn get_version(&self) -> Result<Option<String>> {
        self.ensure_meta().await?;
        let mut con = self.con()?;
        Ok(redis::cmd("HGET")
            .arg(&self.keys().meta)
            .arg("version")
            .query_async(&mut con)
            .await?)
    }

    /// The server's `INFO` text, one `section` or the default ones, exactly
    /// as Redis answers it: what dashboards (bull-board's Redis panel) parse
    /// for the version, memory and client counts.
    pub async fn redis_info(&self, section: Option<&str>) -> Result<String> {
        let mut cmd = redis::cmd("INFO");
        if let Some(section) = section {
            cmd.arg(section);
        }
        let mut con = self.con()?;
        Ok(cmd.query_async(&mut con).await?)
    }

    /// How many jobs wait with each of `priorities`: priority 0 counts the
    /// `wait` list, any other its range of the `prioritized` set (BullMQ's
    /// getCountsPerPriority).
    pub async fn get_counts_per_priority(&self, priorities: &[u64]) -> Result<Vec<u64>> {
        let k = self.keys();
        let mut pipe = redis::pipe();
        for &p in priorities {
            if p == 0 {
                pipe.cmd("LLEN").arg(&k.wait);
            } else {
                let low = p.saturating_mul(PRIORITY_SCORE_STEP);
                let high = (p + 1).saturating_mul(PRIORITY_SCORE_STEP) - 1;
                pipe.cmd("ZCOUNT").arg(&k.prioritized).arg(low).arg(high);
            }
        }
        let mut con = self.con()?;
        Ok(pipe.query_async(&mut con).await?)
    }

    /// Whether the queue's global concurrency (meta `concurrency`) is used up
    /// by the jobs now active (BullMQ's isMaxed); false without one.
    pub async fn is_maxed(&self) -> Result<bool> {
        let k = self.keys();
        let mut con = self.con()?;
        let (cap, active): (Option<u64>, u64) = redis::pipe()
            .atomic()
            .cmd("HGET")
            .arg(&k.meta)
            .arg("concurrency")
            .cmd("LLEN")
            .arg(&k.active)
            .query_async(&mut con)
            .await?;
        Ok(cap.is_some_and(|c| active >= c))
    }

    /// The connections of this queue's QueueEvents readers (from CLIENT LIST,
    /// by the name BullMQ gives them, `<prefix>:<base64 name>:qe`), each as
    /// its field/value pairs.
    pub async fn get_queue_events_clients(&self) -> Result<Vec<Vec<(String, String)>>> {
        let name = format!(
            "{}:qe",
            QueueKeys::worker_client_name(self.prefix(), self.name(), None)
        );
        self.clients_named(|n| n == name).await
    }
}
