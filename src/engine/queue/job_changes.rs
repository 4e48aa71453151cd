//! Changes to one job by id, each a call into its transition: progress, log
//! lines, data, delay, priority, promotion, parking in delayed, removal, retry.

use super::{Queue, now_ms};
use crate::engine::error::{Error, Result};
use crate::engine::job::FinishedState;
use crate::engine::options;
use crate::engine::scripts;
use crate::engine::transitions::add_log::AddLog;
use crate::engine::transitions::change_delay::ChangeDelay;
use crate::engine::transitions::change_priority::ChangePriority;
use crate::engine::transitions::move_to_delayed::MoveToDelayed;
use crate::engine::transitions::promote::Promote;
use crate::engine::transitions::remove_job::RemoveJob;
use crate::engine::transitions::reprocess_job::ReprocessJob;
use crate::engine::transitions::update_data::UpdateData;
use crate::engine::transitions::update_progress::UpdateProgress;

impl Queue {
    /// Stores progress (JSON text) and emits `progress`.
    pub async fn update_progress(&self, id: &str, progress_json: &str) -> Result<()> {
        UpdateProgress {
            job_id: id,
            progress_json,
        }
        .run(self)
        .await
    }

    /// Appends a log line; keeps the last `keep_logs` lines when set. Returns the count kept.
    pub async fn add_log(&self, id: &str, row: &str, keep_logs: Option<u64>) -> Result<u64> {
        AddLog {
            job_id: id,
            row,
            keep_logs,
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
        let priority = options::priority(&priority.into(), "priority")?;
        ChangePriority {
            job_id: id,
            priority,
            lifo,
        }
        .run(self)
        .await
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

    /// Removes a job no worker holds. `Ok(false)` when it is locked by a worker.
    pub async fn remove(&self, id: &str) -> Result<bool> {
        self.remove_job(id, true).await
    }

    /// Removes a job no worker holds; with `remove_children`, its flow
    /// children too (none of them held either). `Ok(false)` when something is held.
    pub async fn remove_job(&self, id: &str, remove_children: bool) -> Result<bool> {
        RemoveJob {
            job_id: id,
            remove_children,
        }
        .run(self)
        .await
    }

    /// Moves a completed or failed job back to wait (BullMQ's `job.retry(state)`),
    /// at the front when the job's own options say `lifo` (read from Redis first).
    pub async fn retry_job(
        &self,
        id: &str,
        state: &str,
        reset_attempts_made: bool,
        reset_attempts_started: bool,
    ) -> Result<()> {
        FinishedState::parse(state, "state")?;
        let lifo = match self.get_job(id).await? {
            Some(j) => j.settings().map(|s| s.lifo).unwrap_or(false),
            None => {
                return Err(Error::JobNotFound {
                    id: id.into(),
                    command: scripts::REPROCESS_JOB.name,
                });
            }
        };
        self.retry_job_with(id, state, lifo, reset_attempts_made, reset_attempts_started)
            .await
    }

    /// As [`Queue::retry_job`], with the job's `lifo` given by the caller (as
    /// a Job object knows it, and as BullMQ takes it): one script call, so
    /// retries sent one after another reach Redis in that order.
    pub async fn retry_job_with(
        &self,
        id: &str,
        state: &str,
        lifo: bool,
        reset_attempts_made: bool,
        reset_attempts_started: bool,
    ) -> Result<()> {
        ReprocessJob {
            job_id: id,
            from: FinishedState::parse(state, "state")?,
            lifo,
            reset_attempts_made,
            reset_attempts_started,
        }
        .run(self)
        .await
    }

    /// Releases deduplication id `dedup_id` (BullMQ's removeDeduplicationKey); returns 1 if it existed.
    pub async fn remove_deduplication_key(&self, dedup_id: &str) -> Result<u64> {
        let v = self
            .raw(redis::cmd("DEL").arg(self.keys().dedup(dedup_id)))
            .await?;
        Ok(redis::from_redis_value(v).unwrap_or(0))
    }
}
