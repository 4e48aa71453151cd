//! The learning tracker (seed app 000): recompute a user's learning insights a
//! few seconds after their last activity, once per burst of activity.
//!
//! Debounce is BullMQ 6 deduplication in debounce mode: every update for a user
//! is a delayed job with `deduplication: { id: <user>, ttl, extend, replace,
//! keepLastIfActive }`. A newer call replaces the pending (delayed) job, so a
//! burst gives one run about `debounce_ms` after its last call; a call while
//! that user's job runs is held back and runs once after it. The data stays
//! what bullmq writes, so bullmq tools read it.

use serde_json::json;

use crate::engine::{Error, JobOptions, NewJob, Queue, Result};

/// The queue name used when none is given.
pub const DEFAULT_QUEUE_NAME: &str = "learning-tracker";
/// The seed app's debounce window (ms).
pub const DEFAULT_DEBOUNCE_MS: u64 = 5_000;
/// The seed app's worker concurrency.
pub const DEFAULT_CONCURRENCY: usize = 5;
/// The seed app's attempts ("retry 3 times").
pub const DEFAULT_ATTEMPTS: u64 = 3;
/// First retry delay of the exponential backoff (ms).
pub const DEFAULT_BACKOFF_MS: u64 = 1_000;
/// The job name every update carries.
pub const JOB_NAME: &str = "update-learning-insights";
/// Finished jobs kept for monitoring.
const KEEP_COMPLETED: u64 = 100;
const KEEP_FAILED: u64 = 500;

/// Tracker settings.
#[derive(Debug, Clone)]
pub struct TrackerConfig {
    /// Debounce window (ms).
    pub debounce_ms: u64,
    /// Attempts per update.
    pub attempts: u64,
    /// Exponential backoff base delay (ms).
    pub backoff_ms: u64,
}

impl Default for TrackerConfig {
    fn default() -> Self {
        TrackerConfig {
            debounce_ms: DEFAULT_DEBOUNCE_MS,
            attempts: DEFAULT_ATTEMPTS,
            backoff_ms: DEFAULT_BACKOFF_MS,
        }
    }
}

/// What `getQueueStatus()` reports; `waiting` counts every pending job
/// (delayed and prioritized included) and `total = waiting + active`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrackerStatus {
    /// Pending updates.
    pub waiting: u64,
    /// Running updates.
    pub active: u64,
    /// Kept completed updates.
    pub completed: u64,
    /// Kept failed updates.
    pub failed: u64,
    /// waiting + active.
    pub total: u64,
}

/// A learning tracker on one queue.
#[derive(Clone)]
pub struct LearningTracker {
    queue: Queue,
    config: TrackerConfig,
}

/// Checks a user id: a non-empty string without control characters, at most 256 bytes.
pub fn validate_user_id(user_id: &str) -> Result<()> {
    if user_id.is_empty() {
        return Err(Error::invalid("userId", "must not be empty"));
    }
    if user_id.len() > 256 || user_id.chars().any(char::is_control) {
        return Err(Error::invalid(
            "userId",
            "must be at most 256 printable characters",
        ));
    }
    Ok(())
}

impl LearningTracker {
    /// A tracker adding to `queue`.
    pub fn new(queue: Queue, config: TrackerConfig) -> Self {
        LearningTracker { queue, config }
    }

    /// The queue it uses.
    pub fn queue(&self) -> &Queue {
        &self.queue
    }

    fn dedup_id(user_id: &str) -> String {
        format!("learning:{user_id}")
    }

    /// The debounced update job for a user.
    pub fn update_job(&self, user_id: &str) -> Result<NewJob> {
        validate_user_id(user_id)?;
        let c = &self.config;
        let opts = json!({
            "delay": c.debounce_ms,
            "attempts": c.attempts,
            "backoff": { "type": "exponential", "delay": c.backoff_ms },
            "removeOnComplete": { "count": KEEP_COMPLETED },
            "removeOnFail": { "count": KEEP_FAILED },
            "deduplication": {
                "id": Self::dedup_id(user_id),
                "ttl": c.debounce_ms.max(1),
                "extend": true,
                "replace": true,
                "keepLastIfActive": true,
            },
        });
        let opts = match opts {
            serde_json::Value::Object(m) => JobOptions::from_json(m)?,
            _ => unreachable!("a json! object literal"),
        };
        Ok(NewJob {
            name: JOB_NAME.to_string(),
            data: json!({ "userId": user_id }).to_string(),
            opts,
        })
    }

    /// Queues (or re-debounces) an update; resolves with the pending job's id.
    pub async fn queue_update(&self, user_id: &str) -> Result<String> {
        self.queue.add(self.update_job(user_id)?).await
    }

    /// Removes the user's pending (not yet running) update, if any. Returns whether one was removed.
    pub async fn cancel_pending(&self, user_id: &str) -> Result<bool> {
        validate_user_id(user_id)?;
        let Some(id) = self
            .queue
            .get_deduplication_job_id(&Self::dedup_id(user_id))
            .await?
        else {
            return Ok(false);
        };
        match self.queue.get_state(&id).await?.as_str() {
            "delayed" | "waiting" | "prioritized" => self.queue.remove(&id).await,
            _ => Ok(false),
        }
    }

    /// Counts for monitoring.
    pub async fn status(&self) -> Result<TrackerStatus> {
        let states: Vec<String> = [
            "waiting",
            "delayed",
            "prioritized",
            "active",
            "completed",
            "failed",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let c = self.queue.get_job_counts(&states).await?;
        let n = |i: usize| c.get(i).map(|x| x.1).unwrap_or(0);
        let waiting = n(0) + n(1) + n(2);
        let active = n(3);
        Ok(TrackerStatus {
            waiting,
            active,
            completed: n(4),
            failed: n(5),
            total: waiting + active,
        })
    }

    /// Removes every pending update; returns how many.
    pub async fn clear_pending(&self) -> Result<u64> {
        self.queue.drain(true).await
    }
}
