//! `#[napi]` wrappers for the presets (learning tracker, email queues).

use napi::Env;
use napi::bindgen_prelude::*;
use napi_derive::napi;
use serde_json::Value;

use super::channel::{Channel, NativeChannel};
use super::error::{Code, coded};
use super::options::{self, QueueHandleOptions};
use crate::engine::{self, Queue};
use crate::presets::email_queues::{EmailSystemConfig, email_job};
use crate::presets::learning_tracker::{LearningTracker, TrackerConfig};

/// The learning tracker's queue side. Wrapped by `createLearningTracker` in JS,
/// which adds the Worker running the app's processor.
#[napi]
pub struct NativeLearningTracker {
    inner: LearningTracker,
    channel: Channel,
}

/// The learning tracker's timings.
#[napi(object)]
pub struct LearningTrackerHandleOptions {
    /// Quiet time before a user's update runs, ms.
    pub debounce_ms: Option<f64>,
    /// Tries per update.
    pub attempts: Option<f64>,
    /// First retry delay, ms (exponential).
    pub backoff_delay: Option<f64>,
}

/// The learning tracker's defaults: the one place they are written is
/// `presets/learning_tracker.rs`; `createLearningTracker` in JS reads them here.
#[napi(object)]
pub struct LearningTrackerDefaults {
    /// Queue name when none is given.
    pub queue_name: String,
    /// Quiet time before a user's update runs, ms.
    pub debounce_ms: f64,
    /// Tries per update.
    pub attempts: f64,
    /// Worker concurrency.
    pub concurrency: f64,
}

/// The learning tracker's defaults (queue name, debounce, attempts, concurrency).
#[napi(catch_unwind)]
pub fn learning_tracker_defaults() -> LearningTrackerDefaults {
    use crate::presets::learning_tracker as lt;
    LearningTrackerDefaults {
        queue_name: lt::DEFAULT_QUEUE_NAME.to_string(),
        debounce_ms: lt::DEFAULT_DEBOUNCE_MS as f64,
        attempts: lt::DEFAULT_ATTEMPTS as f64,
        concurrency: lt::DEFAULT_CONCURRENCY as f64,
    }
}

/// The tracker's queue, counted per state.
#[napi(object)]
pub struct TrackerStatus {
    /// Updates waiting to run (debounce window included).
    pub waiting: f64,
    /// Updates running.
    pub active: f64,
    /// Updates done.
    pub completed: f64,
    /// Updates failed for good.
    pub failed: f64,
    /// All of the above.
    pub total: f64,
}

#[napi]
impl NativeLearningTracker {
    /// `queue`: where the tracker's queue lives; `opts`: its timings.
    #[napi(constructor, catch_unwind)]
    pub fn new(
        queue_name: String,
        queue: QueueHandleOptions,
        opts: LearningTrackerHandleOptions,
        channel: &NativeChannel,
    ) -> Result<Self, Code> {
        let (conn, qopts) = options::queue(&queue).map_err(|e| coded(&e))?;
        let mut config = TrackerConfig::default();
        // Fractions are cut: these are milliseconds and counts.
        let num = |v: Option<f64>, k: &str| {
            v.map(|x| engine::options::numbers::non_negative(x, k).map(|x| x as u64))
                .transpose()
                .map_err(|e| coded(&e))
        };
        if let Some(d) = num(opts.debounce_ms, "debounceMs")? {
            config.debounce_ms = d;
        }
        if let Some(a) = num(opts.attempts, "attempts")? {
            config.attempts = a.max(1);
        }
        if let Some(b) = num(opts.backoff_delay, "backoffDelay")? {
            config.backoff_ms = b;
        }
        let queue = napi::bindgen_prelude::within_runtime_if_available(|| {
            Queue::new(&queue_name, &conn, qopts)
        })
        .map_err(|e| coded(&e))?;
        Ok(NativeLearningTracker {
            inner: LearningTracker::new(queue, config),
            channel: channel.channel.clone(),
        })
    }

    /// Queues (or re-debounces) a user's update. Request: resolves with the pending job id.
    #[napi(catch_unwind)]
    pub fn queue_update(&self, env: &Env, user_id: String) -> u32 {
        let t = self.inner.clone();
        self.channel
            .request(env, async move { t.queue_update(&user_id).await })
    }

    /// Removes the user's pending update. Request: resolves with whether there was one.
    #[napi(catch_unwind)]
    pub fn cancel_pending(&self, env: &Env, user_id: String) -> u32 {
        let t = self.inner.clone();
        self.channel
            .request(env, async move { t.cancel_pending(&user_id).await })
    }

    /// Request: resolves with a `TrackerStatus`.
    #[napi(catch_unwind)]
    pub fn status(&self, env: &Env) -> u32 {
        let t = self.inner.clone();
        self.channel.request(env, async move {
            let s = t.status().await?;
            Ok(TrackerStatus {
                waiting: s.waiting as f64,
                active: s.active as f64,
                completed: s.completed as f64,
                failed: s.failed as f64,
                total: s.total as f64,
            })
        })
    }

    /// Removes every pending update. Request: resolves with how many.
    #[napi(catch_unwind)]
    pub fn clear_pending(&self, env: &Env) -> u32 {
        let t = self.inner.clone();
        self.channel
            .request(env, async move { Ok(t.clear_pending().await? as f64) })
    }

    /// Closes the queue handle.
    #[napi(catch_unwind)]
    pub fn close(&self) {
        self.inner.queue().close();
    }
}

/// The email system's settings from `envJson` (the JS `process.env`, which is
/// what Node code changes), as JSON text:
/// `{ queues: [{ name, concurrency, env }], attempts, retryDelay, redisEnabled, jobOptions }`.
#[napi(catch_unwind)]
pub fn email_system_config(env_json: String) -> Result<String, Code> {
    let env: serde_json::Map<String, Value> = serde_json::from_str(&env_json).map_err(|e| {
        coded(&engine::Error::invalid(
            "env",
            format!("must be a JSON object ({e})"),
        ))
    })?;
    let lookup = |k: &str| env.get(k).and_then(Value::as_str).map(str::to_string);
    let c = EmailSystemConfig::from_vars(&lookup).map_err(|e| coded(&e))?;
    let queues: Vec<Value> = c
        .queues
        .iter()
        .map(|q| serde_json::json!({ "name": q.name, "concurrency": q.concurrency, "env": q.env }))
        .collect();
    Ok(serde_json::json!({
        "queues": queues,
        "attempts": c.attempts,
        "retryDelay": c.retry_delay_ms,
        "redisEnabled": c.redis_enabled,
        "jobOptions": c.job_options(),
        "cleanupSchedule": c.cleanup_schedule,
        "cleanupSchedulerId": crate::presets::email_queues::CLEANUP_SCHEDULER_ID,
        "cleanupJobName": crate::presets::email_queues::CLEANUP_JOB_NAME,
    })
    .to_string())
}

/// Validates an email helper's arguments (`argsJson`: a JSON array) and returns
/// `{ queue, name, data }` as JSON text; throws a coded error naming the bad field.
#[napi(catch_unwind)]
pub fn email_job_for(kind: String, args_json: String) -> Result<String, Code> {
    let args: Vec<Value> = serde_json::from_str(&args_json).map_err(|e| {
        coded(&engine::Error::invalid(
            "arguments",
            format!("must be JSON-serialisable ({e})"),
        ))
    })?;
    let job = email_job(&kind, &args).map_err(|e| coded(&e))?;
    Ok(serde_json::json!({ "queue": job.queue, "name": job.name, "data": job.data }).to_string())
}
