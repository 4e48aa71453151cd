//! Job schedulers (BullMQ 6's replacement for repeatable jobs): a scheduler is
//! a job factory kept in Redis as the HASH `repeat:<id>` plus its next run in
//! the `repeat` ZSET. Each run is an ordinary job `repeat:<id>:<millis>`,
//! delayed until due. The next run is created when the current one starts
//! ([`Queue::schedule_next_iteration`], called by the worker), exactly when a
//! bullmq worker creates it, so schedulers made by either library keep running
//! on workers of the other.

mod next;
pub mod repeat;
mod view;

use serde_json::{Map, Value};

pub use repeat::RepeatOptions;
pub use view::JobScheduler;

use super::error::{Error, Result};
use super::job::Job;
use super::options::JobOptions;
use super::queue::{Queue, now_ms};
use super::transitions::add_job_scheduler::{AddJobScheduler, IterationOpts};
use super::transitions::remove_job_scheduler::RemoveJobScheduler;

/// The job every iteration of a scheduler becomes (BullMQ's job template).
#[derive(Debug, Clone, Default)]
pub struct JobTemplate {
    /// Job name (`None` = the scheduler id, as BullMQ).
    pub name: Option<String>,
    /// `data` as JSON text (empty = `{}`).
    pub data: String,
    /// Job options as the user gave them (long names).
    pub opts: Map<String, Value>,
}

/// Options BullMQ sets itself on every iteration; a template's own are ignored.
const ITERATION_OWNED: [&str; 6] = [
    "jobId",
    "delay",
    "repeat",
    "timestamp",
    "prevMillis",
    "repeatJobKey",
];

/// The template's options as stored (BullMQ's short keys), validated, plus
/// what the scripts need from them. `attempts` is only kept when given: the
/// scheduler hash stores the options as the user wrote them.
fn template_opts(opts: Map<String, Value>) -> Result<(Map<String, Value>, JobOptions)> {
    let mut opts = opts;
    for k in ITERATION_OWNED {
        opts.remove(k);
    }
    let attempts_given = opts.get("attempts").is_some_and(|v| !v.is_null());
    let parsed = JobOptions::from_json(opts).map_err(|e| match e {
        Error::InvalidOption { field, reason } => Error::InvalidOption {
            field: format!("jobTemplate.{field}"),
            reason,
        },
        Error::Refused { field, message } => Error::Refused {
            field: format!("jobTemplate.{field}"),
            message,
        },
        other => other,
    })?;
    let mut stored: Map<String, Value> =
        serde_json::from_str(&parsed.stored).map_err(|e| Error::CorruptData {
            what: "template opts".into(),
            reason: e.to_string(),
        })?;
    if !attempts_given {
        stored.remove("attempts");
    }
    Ok((stored, parsed))
}

impl Queue {
    /// Creates or updates scheduler `id` and its next iteration (BullMQ's
    /// `upsertJobScheduler`). Upserting again replaces a pending iteration
    /// instead of adding a second one. Resolves with the new iteration, or
    /// `None` when the schedule has already ended (`limit` reached, or a cron
    /// pattern with no run before `endDate`).
    pub async fn upsert_job_scheduler(
        &self,
        id: &str,
        repeat: RepeatOptions,
        template: JobTemplate,
    ) -> Result<Option<Job>> {
        if id.is_empty() {
            return Err(Error::invalid("jobSchedulerId", "must not be empty"));
        }
        let now = now_ms();
        if repeat.end_date.is_some_and(|end| end < now) {
            return Err(Error::refused(
                "repeatOpts.endDate",
                "End date must be greater than current timestamp",
            ));
        }
        let count = repeat.count.map_or(1, |c| c + 1);
        if repeat.limit.is_some_and(|limit| count > limit) {
            return Ok(None);
        }
        let (stored, parsed) = template_opts(template.opts)?;
        let cron_next = match &repeat.pattern {
            None => None,
            Some(_) => {
                let next = if repeat.immediately {
                    Some(now)
                } else {
                    repeat.next_cron_millis(now)?
                };
                match next {
                    Some(n) => Some(n.max(now)),
                    None => return Ok(None),
                }
            }
        };
        let mut iteration = stored.clone();
        iteration.insert("repeat".into(), repeat.iteration_json(count));
        iteration.insert("timestamp".into(), Value::from(now));
        if let Some(n) = cron_next {
            iteration.insert("prevMillis".into(), Value::from(n));
        }
        iteration.insert("repeatJobKey".into(), Value::from(id));
        let iteration = IterationOpts::new(id, &iteration);
        let template_opts = Value::Object(stored).to_string();
        // No data is `{}`, as BullMQ stores it.
        let data = if template.data.trim().is_empty() {
            "{}"
        } else {
            template.data.as_str()
        };
        let name = template.name.as_deref().unwrap_or(id);
        self.ensure_meta().await?;
        let added = AddJobScheduler {
            scheduler_id: id,
            now,
            cron_next,
            every: repeat.every,
            offset: repeat.offset,
            start_date: repeat.start_date,
            name,
            tz: repeat.tz.as_deref(),
            limit: repeat.limit,
            pattern: repeat.pattern.as_deref(),
            end_date: repeat.end_date,
            template_data: data,
            template_opts: &template_opts,
            iteration: &iteration,
            priority: parsed.priority,
            lifo: parsed.lifo,
        }
        .run(self)
        .await?;
        tracing::debug!(queue = %self.name(), scheduler = %id, job_id = %added.job_id, delay = added.delay, "job scheduler upserted");
        self.get_job(&added.job_id).await
    }

    /// Deletes scheduler `id` and its delayed iteration; false when it did not exist.
    pub async fn remove_job_scheduler(&self, id: &str) -> Result<bool> {
        RemoveJobScheduler { scheduler_id: id }.run(self).await
    }

    /// How many schedulers the queue has.
    pub async fn get_job_schedulers_count(&self) -> Result<u64> {
        let mut con = self.con()?;
        Ok(redis::cmd("ZCARD")
            .arg(&self.keys().repeat)
            .query_async(&mut con)
            .await?)
    }
}
