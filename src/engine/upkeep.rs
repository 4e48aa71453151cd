//! Small operations BullMQ's Job and Queue offer beside the main transitions:
//! clearing a log, extending one lock, moving a job back to wait, releasing a
//! deduplication key, ending a rate limit, publishing a custom event (BullMQ's
//! QueueEventsProducer) and removing orphaned job data.

use super::error::Result;
use super::keys::glob_escape;
use super::queue::Queue;
use super::transitions::extend_locks::ExtendLocks;
use super::transitions::move_job_from_active_to_wait::MoveJobFromActiveToWait;
use super::transitions::remove_deduplication_key::RemoveDeduplicationKey;
use super::transitions::remove_orphaned_jobs::RemoveOrphanedJobs;

/// The job sub-keys a SCAN may find beside a job hash (`<job>:<suffix>`).
const JOB_SUB_KEYS: [&str; 6] = [
    "logs",
    "lock",
    "dependencies",
    "processed",
    "failed",
    "unsuccessful",
];

/// Key suffixes and prefixes of the queue itself (not jobs): BullMQ's key map,
/// plus the sub-key families (`repeat:<id>`, `de:<id>`, `dn:<id>`, `metrics:*`).
const QUEUE_KEYS: [&str; 18] = [
    "active",
    "wait",
    "waiting-children",
    "paused",
    "id",
    "delayed",
    "prioritized",
    "stalled-check",
    "completed",
    "failed",
    "stalled",
    "repeat",
    "limiter",
    "meta",
    "events",
    "pc",
    "marker",
    "de",
];

/// The job id a key under the queue's base names, if it is a job's key.
fn job_id_of(suffix: &str) -> Option<&str> {
    let head = suffix.split(':').next().unwrap_or(suffix);
    if suffix.is_empty() || QUEUE_KEYS.contains(&suffix) {
        return None;
    }
    if suffix.contains(':') && (QUEUE_KEYS.contains(&head) || ["dn", "metrics"].contains(&head)) {
        return None;
    }
    // A custom id may itself contain ':' (three segments): strip a known sub-key only.
    for sub in JOB_SUB_KEYS {
        if let Some(id) = suffix.strip_suffix(sub).and_then(|s| s.strip_suffix(':')) {
            return Some(id);
        }
    }
    Some(suffix)
}

impl Queue {
    /// Deletes a job's log, or keeps only its last `keep_logs` lines (> 0).
    pub async fn clear_logs(&self, id: &str, keep_logs: u64) -> Result<()> {
        let key = self.keys().logs(id);
        let mut cmd = redis::cmd(if keep_logs > 0 { "LTRIM" } else { "DEL" });
        cmd.arg(&key);
        if keep_logs > 0 {
            cmd.arg(-(keep_logs as i64)).arg(-1);
        }
        self.raw(&cmd).await?;
        Ok(())
    }

    /// Extends the lock of job `id` held with `token` by `duration_ms` from now
    /// (and takes it off the stalled suspects); false when the lock is missing
    /// or held by another token (BullMQ's job.extendLock).
    pub async fn extend_lock(&self, id: &str, token: &str, duration_ms: u64) -> Result<bool> {
        let jobs = [(id.to_string(), token.to_string())];
        let lost = ExtendLocks {
            lock_duration_ms: duration_ms,
            jobs: &jobs,
        }
        .run(self)
        .await?;
        Ok(lost.is_empty())
    }

    /// Moves active job `id`, held with `token`, back to wait without
    /// counting an attempt (BullMQ's job.moveToWait); returns the rate
    /// limiter's remaining time (ms, 0 when none).
    pub async fn move_to_wait(&self, id: &str, token: &str) -> Result<u64> {
        MoveJobFromActiveToWait {
            job_id: id,
            token,
            unstarted: false,
        }
        .run(self)
        .await?
    }

    /// Extends the locks of several jobs (`(id, token)` pairs) by `duration_ms`;
    /// returns the ids whose lock was missing or held by another token
    /// (BullMQ's worker.extendJobLocks).
    pub async fn extend_locks(
        &self,
        jobs: &[(String, String)],
        duration_ms: u64,
    ) -> Result<Vec<String>> {
        ExtendLocks {
            lock_duration_ms: duration_ms,
            jobs,
        }
        .run(self)
        .await
    }

    /// Deletes the priority set BullMQ < 5 used (BullMQ's removeDeprecatedPriorityKey); 1 if it existed.
    pub async fn remove_deprecated_priority_key(&self) -> Result<u64> {
        let mut con = self.con()?;
        Ok(redis::cmd("DEL")
            .arg(self.keys().deprecated_priority())
            .query_async(&mut con)
            .await?)
    }

    /// Deletes deduplication key `dedup_id` only while job `job_id` owns it.
    pub async fn remove_deduplication_key_of(&self, dedup_id: &str, job_id: &str) -> Result<bool> {
        RemoveDeduplicationKey { dedup_id, job_id }.run(self).await
    }

    /// Deletes the rate-limit key (ends a rate limit now); 1 if there was one.
    pub async fn remove_rate_limit_key(&self) -> Result<u64> {
        let mut con = self.con()?;
        Ok(redis::cmd("DEL")
            .arg(&self.keys().limiter)
            .query_async(&mut con)
            .await?)
    }

    /// Writes a custom event (`fields`, `event` among them) to the events
    /// stream, trimmed to about `max_len` entries; returns its stream id.
    pub async fn publish_event(&self, fields: &[(String, String)], max_len: u64) -> Result<String> {
        let mut cmd = redis::cmd("XADD");
        cmd.arg(&self.keys().events)
            .arg("MAXLEN")
            .arg("~")
            .arg(max_len)
            .arg("*");
        for (k, v) in fields {
            cmd.arg(k).arg(v);
        }
        let mut con = self.con()?;
        Ok(cmd.query_async(&mut con).await?)
    }

    /// Finds job keys no state holds (SCAN, `count` keys per step) and removes
    /// them, at most about `limit` jobs (0 = all); returns how many
    /// (BullMQ's removeOrphanedJobs).
    pub async fn remove_orphaned_jobs(&self, count: u64, limit: u64) -> Result<u64> {
        let base = self.keys().base().to_string();
        let pattern = format!("{}*", glob_escape(&base));
        let mut cursor = "0".to_string();
        let mut removed = 0;
        loop {
            let mut con = self.con()?;
            let (next, keys): (String, Vec<String>) = redis::cmd("SCAN")
                .arg(&cursor)
                .arg("MATCH")
                .arg(&pattern)
                .arg("COUNT")
                .arg(count.max(1))
                .query_async(&mut con)
                .await?;
            let mut candidates: Vec<String> = keys
                .iter()
                .filter_map(|key| key.strip_prefix(base.as_str()).and_then(job_id_of))
                .map(str::to_string)
                .collect();
            candidates.sort();
            candidates.dedup();
            if !candidates.is_empty() {
                removed += RemoveOrphanedJobs {
                    candidates: &candidates,
                }
                .run(self)
                .await?;
            }
            if next == "0" || (limit > 0 && removed >= limit) {
                return Ok(removed);
            }
            cursor = next;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::job_id_of;

    #[test]
    fn tells_job_keys_from_queue_keys() {
        assert_eq!(job_id_of("12"), Some("12"));
        assert_eq!(job_id_of("12:logs"), Some("12"));
        assert_eq!(job_id_of("a:b:c"), Some("a:b:c"));
        assert_eq!(job_id_of("a:b:c:lock"), Some("a:b:c"));
        for queue_key in [
            "wait",
            "meta",
            "de:x",
            "dn:x",
            "repeat:s",
            "metrics:completed",
            "",
        ] {
            assert_eq!(job_id_of(queue_key), None, "{queue_key}");
        }
    }
}
