//! The step a worker takes when it starts a scheduler's iteration: create the
//! next one. BullMQ's worker does this as it moves the iteration to active, so
//! a ferroq worker must too, or bullmq-made schedulers would stop on it.

use serde_json::{Map, Value};

use super::repeat::RepeatOptions;
use super::view::{is_legacy_repeat_key, legacy_error};
use crate::engine::error::{Error, Result};
use crate::engine::job::Job;
use crate::engine::queue::{Queue, now_ms};
use crate::engine::transitions::add_job_scheduler::IterationOpts;
use crate::engine::transitions::update_job_scheduler::UpdateJobScheduler;

impl Queue {
    /// Creates the next iteration of the scheduler `job` belongs to (its `rjk`),
    /// unless the schedule ended (`limit`, `endDate`) or `job` is no longer the
    /// scheduler's current iteration. Resolves with the new iteration's id.
    pub async fn schedule_next_iteration(&self, job: &Job) -> Result<Option<String>> {
        let Some(scheduler_id) = job.repeat_job_key.as_deref() else {
            return Ok(None);
        };
        if is_legacy_repeat_key(scheduler_id) {
            // Only a scheduler (its hash has `ic`) with such an id goes on.
            let mut con = self.con()?;
            let is_scheduler: bool = redis::cmd("HEXISTS")
                .arg(self.keys().scheduler(scheduler_id))
                .arg("ic")
                .query_async(&mut con)
                .await?;
            if !is_scheduler {
                return Err(legacy_error(scheduler_id));
            }
        }
        let mut opts: Map<String, Value> = serde_json::from_str(&job.opts).unwrap_or_default();
        let repeat_map = match opts.get("repeat") {
            Some(Value::Object(m)) => m.clone(),
            _ => Map::new(),
        };
        let repeat = RepeatOptions::from_json(&repeat_map, "opts.repeat").map_err(|e| {
            Error::CorruptData {
                what: format!("opts.repeat of job {}", job.id),
                reason: e.to_string(),
            }
        })?;
        let count = repeat.count.map_or(1, |c| c + 1);
        if repeat.limit.is_some_and(|limit| count > limit) {
            return Ok(None);
        }
        let wall = now_ms();
        if repeat.end_date.is_some_and(|end| wall > end) {
            return Ok(None);
        }
        // A cron run is computed from the later of now and this iteration's time.
        let prev = opts.get("prevMillis").and_then(Value::as_u64).unwrap_or(0);
        let from = wall.max(prev);
        let cron_next = match &repeat.pattern {
            None => None,
            Some(_) => match repeat.next_cron_millis(from)? {
                Some(n) => Some(n.max(from)),
                None => return Ok(None),
            },
        };
        let priority = opts.get("priority").and_then(Value::as_u64).unwrap_or(0);
        let lifo = opts.get("lifo").and_then(Value::as_bool).unwrap_or(false);
        opts.remove("jobId");
        opts.remove("delay");
        opts.insert("repeat".into(), repeat.iteration_json(count));
        opts.insert("timestamp".into(), Value::from(wall));
        match cron_next {
            Some(n) => opts.insert("prevMillis".into(), Value::from(n)),
            None => opts.remove("prevMillis"),
        };
        opts.insert("repeatJobKey".into(), Value::from(scheduler_id));
        let iteration = IterationOpts::new(scheduler_id, &opts);
        let next = UpdateJobScheduler {
            scheduler_id,
            producer_id: &job.id,
            now: wall,
            cron_next,
            every: repeat.every,
            offset: repeat.offset,
            iteration: &iteration,
            priority,
            lifo,
        }
        .run(self)
        .await?;
        tracing::debug!(queue = %self.name(), scheduler = %scheduler_id, job_id = %job.id, next = ?next, "next scheduler iteration");
        Ok(next)
    }
}
