//! Methods on one job: read it, report on it, move it, change it.

use napi::Env;
use napi_derive::napi;

use super::{NativeQueue, non_neg};

/// A job's log lines and how many there are in all.
#[napi(object)]
pub struct JobLogs {
    /// The lines asked for.
    pub logs: Vec<String>,
    /// How many lines the job has.
    pub count: f64,
}

#[napi]
impl NativeQueue {
    /// Request: resolves with the job as JSON text, or null.
    #[napi(catch_unwind)]
    pub fn get_job(&self, env: &Env, id: String) -> u32 {
        self.ask(env, |q| async move {
            match q.get_job(&id).await? {
                Some(j) => Ok(Some(j.to_json()?)),
                None => Ok(None),
            }
        })
    }

    /// Request: resolves with the job's state name.
    #[napi(catch_unwind)]
    pub fn get_state(&self, env: &Env, id: String) -> u32 {
        self.ask(env, |q| async move { q.get_state(&id).await })
    }

    /// Stores progress (JSON text). Request: resolves with nothing.
    #[napi(catch_unwind)]
    pub fn update_progress(&self, env: &Env, id: String, progress_json: String) -> u32 {
        self.ask(env, |q| async move {
            q.update_progress(&id, &progress_json).await
        })
    }

    /// Appends a log line. Request: resolves with the number of lines kept.
    #[napi(catch_unwind)]
    pub fn add_log(&self, env: &Env, id: String, row: String, keep_logs: Option<u32>) -> u32 {
        self.ask(env, |q| async move {
            let n = q.add_log(&id, &row, keep_logs.map(u64::from)).await?;
            Ok(n as f64)
        })
    }

    /// Request: resolves with `JobLogs`.
    #[napi(catch_unwind)]
    pub fn get_job_logs(&self, env: &Env, id: String, start: i64, end: i64, asc: bool) -> u32 {
        self.ask(env, |q| async move {
            let (logs, count) = q.get_job_logs(&id, start, end, asc).await?;
            Ok(JobLogs {
                logs,
                count: count as f64,
            })
        })
    }

    /// Removes a job. Request: resolves false when a worker holds it.
    #[napi(catch_unwind)]
    pub fn remove(&self, env: &Env, id: String) -> u32 {
        self.ask(env, |q| async move { q.remove(&id).await })
    }

    /// Moves a completed/failed job back to wait; `lifo` is the job's own
    /// option when the caller has it (else it is read first). Request:
    /// resolves with nothing.
    #[napi(catch_unwind)]
    pub fn retry_job(
        &self,
        env: &Env,
        id: String,
        state: String,
        reset_attempts_made: bool,
        reset_attempts_started: bool,
        lifo: Option<bool>,
    ) -> u32 {
        self.ask(env, |q| async move {
            let (ram, ras) = (reset_attempts_made, reset_attempts_started);
            match lifo {
                Some(lifo) => q.retry_job_with(&id, &state, lifo, ram, ras).await,
                None => q.retry_job(&id, &state, ram, ras).await,
            }
        })
    }

    /// Moves one delayed job to wait. Request: resolves with nothing.
    #[napi(catch_unwind)]
    pub fn promote(&self, env: &Env, id: String) -> u32 {
        self.ask(env, |q| async move { q.promote(&id).await })
    }

    /// Parks an active job in delayed until `timestamp`. Request: resolves with nothing.
    #[napi(catch_unwind)]
    pub fn move_to_delayed(&self, env: &Env, id: String, token: String, timestamp: f64) -> u32 {
        self.ask(env, |q| async move {
            q.move_to_delayed(&id, &token, non_neg(timestamp, "timestamp")?)
                .await
        })
    }

    /// Replaces a job's data. Request: resolves with nothing.
    #[napi(catch_unwind)]
    pub fn update_data(&self, env: &Env, id: String, data_json: String) -> u32 {
        self.ask(env, |q| async move { q.update_data(&id, &data_json).await })
    }

    /// Gives a delayed job a new delay from now. Request: resolves with nothing.
    #[napi(catch_unwind)]
    pub fn change_delay(&self, env: &Env, id: String, delay: f64) -> u32 {
        self.ask(env, |q| async move {
            q.change_delay(&id, non_neg(delay, "delay")?).await
        })
    }

    /// Sets a job's priority. Request: resolves with nothing.
    #[napi(catch_unwind)]
    pub fn change_priority(&self, env: &Env, id: String, priority: f64, lifo: bool) -> u32 {
        self.ask(env, |q| async move {
            q.change_priority(&id, non_neg(priority, "priority")?, lifo)
                .await
        })
    }
}
