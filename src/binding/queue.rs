//! `NativeQueue`: the engine's Queue for JS. Data and results cross as JSON text.

use napi::Env;
use napi::bindgen_prelude::*;
use napi_derive::napi;
use serde_json::Value;

use super::error::{Code, coded, invalid, promise};
use super::options;
use crate::engine::{self, JobOptions, NewJob, Queue};

/// A queue handle (producer and reader). Wrapped by `Queue` in index.js.
#[napi]
pub struct NativeQueue {
    pub(crate) inner: Queue,
}

fn job_json(j: &engine::Job) -> engine::Result<String> {
    j.to_json()
}

/// `timestamp` is the creation time JS already gave the Job object, so both agree.
fn new_job(
    name: String,
    data: String,
    opts_json: &str,
    timestamp: Option<f64>,
) -> engine::Result<NewJob> {
    let opts = options::parse(opts_json, "opts")?;
    let mut opts = JobOptions::from_json(opts)?;
    if opts.timestamp.is_none() {
        opts.timestamp = timestamp
            .filter(|t| t.is_finite() && *t > 0.0)
            .map(|t| t as u64);
    }
    Ok(NewJob { name, data, opts })
}

#[napi]
impl NativeQueue {
    /// `optsJson`: `{ connection, prefix, maxDataBytes }`.
    #[napi(constructor, catch_unwind)]
    pub fn new(name: String, opts_json: String) -> Result<Self, Code> {
        let o = options::parse(&opts_json, "opts").map_err(|e| coded(&e))?;
        let (conn, qopts) = options::queue(&o).map_err(|e| coded(&e))?;
        let q =
            napi::bindgen_prelude::within_runtime_if_available(|| Queue::new(&name, &conn, qopts))
                .map_err(|e| coded(&e))?;
        Ok(NativeQueue { inner: q })
    }

    /// The queue name.
    #[napi(getter)]
    pub fn name(&self) -> String {
        self.inner.name().to_string()
    }

    /// The key prefix.
    #[napi(getter)]
    pub fn prefix(&self) -> String {
        self.inner.prefix().to_string()
    }

    /// Adds one job; resolves with its id.
    #[napi(catch_unwind, ts_return_type = "Promise<string>")]
    pub fn add<'e>(
        &self,
        env: &'e Env,
        name: String,
        data_json: String,
        opts_json: String,
        timestamp: Option<f64>,
    ) -> Result<PromiseRaw<'e, String>> {
        let q = self.inner.clone();
        promise(
            env,
            async move {
                q.add(new_job(name, data_json, &opts_json, timestamp)?)
                    .await
            },
            |id| id,
        )
    }

    /// Adds jobs (`[[name, dataJson, optsJson, timestamp], ...]` as JSON) in one call; resolves with their ids.
    #[napi(catch_unwind, ts_return_type = "Promise<string[]>")]
    pub fn add_bulk<'e>(
        &self,
        env: &'e Env,
        jobs_json: String,
    ) -> Result<PromiseRaw<'e, Vec<String>>> {
        let q = self.inner.clone();
        promise(
            env,
            async move {
                let jobs: Vec<(String, String, String, Option<f64>)> =
                    serde_json::from_str(&jobs_json).map_err(|e| {
                        engine::Error::invalid(
                            "jobs",
                            format!("must be a list of {{ name, data, opts }} ({e})"),
                        )
                    })?;
                let mut out = Vec::with_capacity(jobs.len());
                for (i, (name, data, opts, ts)) in jobs.into_iter().enumerate() {
                    out.push(new_job(name, data, &opts, ts).map_err(|e| match e {
                        engine::Error::InvalidOption { field, reason } => {
                            engine::Error::InvalidOption {
                                field: format!("jobs[{i}].{field}"),
                                reason,
                            }
                        }
                        other => other,
                    })?);
                }
                q.add_bulk(out).await
            },
            |ids| ids,
        )
    }

    /// Resolves with the job as JSON text, or null.
    #[napi(catch_unwind, ts_return_type = "Promise<string | null>")]
    pub fn get_job<'e>(&self, env: &'e Env, id: String) -> Result<PromiseRaw<'e, Option<String>>> {
        let q = self.inner.clone();
        promise(
            env,
            async move {
                match q.get_job(&id).await? {
                    Some(j) => Ok(Some(job_json(&j)?)),
                    None => Ok(None),
                }
            },
            |j| j,
        )
    }

    /// Resolves with `{ state: count }` as JSON text.
    #[napi(catch_unwind, ts_return_type = "Promise<string>")]
    pub fn get_job_counts<'e>(
        &self,
        env: &'e Env,
        states: Vec<String>,
    ) -> Result<PromiseRaw<'e, String>> {
        let q = self.inner.clone();
        promise(
            env,
            async move {
                let counts = q.get_job_counts(&states).await?;
                let m: serde_json::Map<String, Value> = counts
                    .into_iter()
                    .map(|(k, v)| (k, Value::from(v)))
                    .collect();
                Ok(Value::Object(m).to_string())
            },
            |s| s,
        )
    }

    /// Resolves with a JSON array of jobs.
    #[napi(catch_unwind, ts_return_type = "Promise<string>")]
    pub fn get_jobs<'e>(
        &self,
        env: &'e Env,
        states: Vec<String>,
        start: i64,
        end: i64,
        asc: bool,
    ) -> Result<PromiseRaw<'e, String>> {
        let q = self.inner.clone();
        promise(
            env,
            async move {
                let jobs = q.get_jobs(&states, start, end, asc).await?;
                let mut out = String::from("[");
                for (i, j) in jobs.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&job_json(j)?);
                }
                out.push(']');
                Ok(out)
            },
            |s| s,
        )
    }

    /// Resolves with the job's state name.
    #[napi(catch_unwind, ts_return_type = "Promise<string>")]
    pub fn get_state<'e>(&self, env: &'e Env, id: String) -> Result<PromiseRaw<'e, String>> {
        let q = self.inner.clone();
        promise(env, async move { q.get_state(&id).await }, |s| s)
    }

    /// Stores progress (JSON text).
    #[napi(catch_unwind, ts_return_type = "Promise<void>")]
    pub fn update_progress<'e>(
        &self,
        env: &'e Env,
        id: String,
        progress_json: String,
    ) -> Result<PromiseRaw<'e, ()>> {
        let q = self.inner.clone();
        promise(
            env,
            async move { q.update_progress(&id, &progress_json).await },
            |_| (),
        )
    }

    /// Appends a log line; resolves with the number of lines kept.
    #[napi(catch_unwind, ts_return_type = "Promise<number>")]
    pub fn add_log<'e>(
        &self,
        env: &'e Env,
        id: String,
        row: String,
        keep_logs: Option<u32>,
    ) -> Result<PromiseRaw<'e, u32>> {
        let q = self.inner.clone();
        promise(
            env,
            async move { q.add_log(&id, &row, keep_logs.map(u64::from)).await },
            |n| n as u32,
        )
    }

    /// Resolves with `{ logs, count }` as JSON text.
    #[napi(catch_unwind, ts_return_type = "Promise<string>")]
    pub fn get_job_logs<'e>(
        &self,
        env: &'e Env,
        id: String,
        start: i64,
        end: i64,
        asc: bool,
    ) -> Result<PromiseRaw<'e, String>> {
        let q = self.inner.clone();
        promise(
            env,
            async move {
                let (logs, count) = q.get_job_logs(&id, start, end, asc).await?;
                Ok(serde_json::json!({ "logs": logs, "count": count }).to_string())
            },
            |s| s,
        )
    }

    /// Removes a job; resolves false when a worker holds it.
    #[napi(catch_unwind, ts_return_type = "Promise<boolean>")]
    pub fn remove<'e>(&self, env: &'e Env, id: String) -> Result<PromiseRaw<'e, bool>> {
        let q = self.inner.clone();
        promise(env, async move { q.remove(&id).await }, |b| b)
    }

    /// Moves a completed/failed job back to wait.
    #[napi(catch_unwind, ts_return_type = "Promise<void>")]
    pub fn retry_job<'e>(
        &self,
        env: &'e Env,
        id: String,
        state: String,
        reset_attempts_made: bool,
        reset_attempts_started: bool,
    ) -> Result<PromiseRaw<'e, ()>> {
        let q = self.inner.clone();
        promise(
            env,
            async move {
                q.retry_job(&id, &state, reset_attempts_made, reset_attempts_started)
                    .await
            },
            |_| (),
        )
    }

    /// Pauses the queue for all workers.
    #[napi(catch_unwind, ts_return_type = "Promise<void>")]
    pub fn pause<'e>(&self, env: &'e Env) -> Result<PromiseRaw<'e, ()>> {
        let q = self.inner.clone();
        promise(env, async move { q.pause().await }, |_| ())
    }

    /// Resumes the queue.
    #[napi(catch_unwind, ts_return_type = "Promise<void>")]
    pub fn resume<'e>(&self, env: &'e Env) -> Result<PromiseRaw<'e, ()>> {
        let q = self.inner.clone();
        promise(env, async move { q.resume().await }, |_| ())
    }

    /// Whether the queue is paused.
    #[napi(catch_unwind, ts_return_type = "Promise<boolean>")]
    pub fn is_paused<'e>(&self, env: &'e Env) -> Result<PromiseRaw<'e, bool>> {
        let q = self.inner.clone();
        promise(env, async move { q.is_paused().await }, |b| b)
    }

    /// Resolves with the workers' CLIENT LIST entries as a JSON array of objects.
    #[napi(catch_unwind, ts_return_type = "Promise<string>")]
    pub fn get_workers<'e>(&self, env: &'e Env) -> Result<PromiseRaw<'e, String>> {
        let q = self.inner.clone();
        promise(
            env,
            async move {
                let ws = q.get_workers().await?;
                let arr: Vec<Value> = ws
                    .into_iter()
                    .map(|fields| {
                        Value::Object(
                            fields
                                .into_iter()
                                .map(|(k, v)| (k, Value::String(v)))
                                .collect(),
                        )
                    })
                    .collect();
                Ok(Value::Array(arr).to_string())
            },
            |s| s,
        )
    }

    /// Round trip to Redis (PING); rejects when it is unreachable.
    #[napi(catch_unwind, ts_return_type = "Promise<void>")]
    pub fn ping<'e>(&self, env: &'e Env) -> Result<PromiseRaw<'e, ()>> {
        let q = self.inner.clone();
        promise(
            env,
            async move { q.raw(&redis::cmd("PING")).await.map(|_| ()) },
            |_| (),
        )
    }

    /// Removes old jobs of one state; resolves with their ids.
    #[napi(catch_unwind, ts_return_type = "Promise<string[]>")]
    pub fn clean<'e>(
        &self,
        env: &'e Env,
        grace: f64,
        limit: f64,
        state: String,
    ) -> Result<PromiseRaw<'e, Vec<String>>> {
        let q = self.inner.clone();
        promise(
            env,
            async move {
                q.clean(non_neg(grace, "grace")?, non_neg(limit, "limit")?, &state)
                    .await
            },
            |ids| ids,
        )
    }

    /// Removes waiting (and with `delayed`, delayed) jobs; resolves with how many.
    #[napi(catch_unwind, ts_return_type = "Promise<number>")]
    pub fn drain<'e>(&self, env: &'e Env, delayed: bool) -> Result<PromiseRaw<'e, u32>> {
        let q = self.inner.clone();
        promise(env, async move { q.drain(delayed).await }, |n| n as u32)
    }

    /// Deletes the queue and all its data.
    #[napi(catch_unwind, ts_return_type = "Promise<void>")]
    pub fn obliterate<'e>(&self, env: &'e Env, force: bool) -> Result<PromiseRaw<'e, ()>> {
        let q = self.inner.clone();
        promise(env, async move { q.obliterate(force).await }, |_| ())
    }

    /// Moves failed/completed jobs back to wait.
    #[napi(catch_unwind, ts_return_type = "Promise<void>")]
    pub fn retry_jobs<'e>(
        &self,
        env: &'e Env,
        state: String,
        count: f64,
        timestamp: Option<f64>,
    ) -> Result<PromiseRaw<'e, ()>> {
        let q = self.inner.clone();
        promise(
            env,
            async move {
                let ts = timestamp.map(|t| non_neg(t, "timestamp")).transpose()?;
                q.retry_jobs(&state, non_neg(count, "count")?, ts).await
            },
            |_| (),
        )
    }

    /// Moves all delayed jobs to wait.
    #[napi(catch_unwind, ts_return_type = "Promise<void>")]
    pub fn promote_jobs<'e>(&self, env: &'e Env, count: f64) -> Result<PromiseRaw<'e, ()>> {
        let q = self.inner.clone();
        promise(
            env,
            async move { q.promote_jobs(non_neg(count, "count")?).await },
            |_| (),
        )
    }

    /// Moves one delayed job to wait.
    #[napi(catch_unwind, ts_return_type = "Promise<void>")]
    pub fn promote<'e>(&self, env: &'e Env, id: String) -> Result<PromiseRaw<'e, ()>> {
        let q = self.inner.clone();
        promise(env, async move { q.promote(&id).await }, |_| ())
    }

    /// Parks an active job in delayed until `timestamp`.
    #[napi(catch_unwind, ts_return_type = "Promise<void>")]
    pub fn move_to_delayed<'e>(
        &self,
        env: &'e Env,
        id: String,
        token: String,
        timestamp: f64,
    ) -> Result<PromiseRaw<'e, ()>> {
        let q = self.inner.clone();
        promise(
            env,
            async move {
                q.move_to_delayed(&id, &token, non_neg(timestamp, "timestamp")?)
                    .await
            },
            |_| (),
        )
    }

    /// Rate-limits the queue for `ms`.
    #[napi(catch_unwind, ts_return_type = "Promise<void>")]
    pub fn rate_limit<'e>(&self, env: &'e Env, ms: f64) -> Result<PromiseRaw<'e, ()>> {
        let q = self.inner.clone();
        promise(
            env,
            async move { q.rate_limit(non_neg(ms, "expireTimeMs")?).await },
            |_| (),
        )
    }

    /// The limiter's TTL when full.
    #[napi(catch_unwind, ts_return_type = "Promise<number>")]
    pub fn get_rate_limit_ttl<'e>(
        &self,
        env: &'e Env,
        max: Option<f64>,
    ) -> Result<PromiseRaw<'e, f64>> {
        let q = self.inner.clone();
        promise(
            env,
            async move {
                q.get_rate_limit_ttl(max.map(|m| non_neg(m, "maxJobs")).transpose()?)
                    .await
            },
            |t| t as f64,
        )
    }

    /// Trims the events stream; resolves with the number of entries removed.
    #[napi(catch_unwind, ts_return_type = "Promise<number>")]
    pub fn trim_events<'e>(&self, env: &'e Env, max_length: f64) -> Result<PromiseRaw<'e, f64>> {
        let q = self.inner.clone();
        promise(
            env,
            async move { q.trim_events(non_neg(max_length, "maxLength")?).await },
            |n| n as f64,
        )
    }

    /// The job id holding a deduplication id, or null.
    #[napi(catch_unwind, ts_return_type = "Promise<string | null>")]
    pub fn get_deduplication_job_id<'e>(
        &self,
        env: &'e Env,
        id: String,
    ) -> Result<PromiseRaw<'e, Option<String>>> {
        let q = self.inner.clone();
        promise(
            env,
            async move { q.get_deduplication_job_id(&id).await },
            |v| v,
        )
    }

    /// Releases a deduplication id; resolves 1 if it existed.
    #[napi(catch_unwind, ts_return_type = "Promise<number>")]
    pub fn remove_deduplication_key<'e>(
        &self,
        env: &'e Env,
        id: String,
    ) -> Result<PromiseRaw<'e, u32>> {
        let q = self.inner.clone();
        promise(
            env,
            async move { q.remove_deduplication_key(&id).await },
            |n| n as u32,
        )
    }

    /// Resolves with `{ meta: { count, prevTS, prevCount }, data, count }` as JSON text.
    #[napi(catch_unwind, ts_return_type = "Promise<string>")]
    pub fn get_metrics<'e>(
        &self,
        env: &'e Env,
        kind: String,
        start: i64,
        end: i64,
    ) -> Result<PromiseRaw<'e, String>> {
        let q = self.inner.clone();
        promise(
            env,
            async move {
                let m = q.get_metrics(&kind, start, end).await?;
                Ok(serde_json::json!({
                    "meta": { "count": m.count, "prevTS": m.prev_ts, "prevCount": m.prev_count },
                    "data": m.data,
                    "count": m.total,
                })
                .to_string())
            },
            |s| s,
        )
    }

    /// Sets (n >= 1) or with 0 removes the queue-wide concurrency cap.
    #[napi(catch_unwind, ts_return_type = "Promise<void>")]
    pub fn set_global_concurrency<'e>(
        &self,
        env: &'e Env,
        concurrency: f64,
    ) -> Result<PromiseRaw<'e, ()>> {
        let q = self.inner.clone();
        promise(
            env,
            async move {
                match non_neg(concurrency, "concurrency")? {
                    0 => q.remove_global_concurrency().await,
                    n => q.set_global_concurrency(n).await,
                }
            },
            |_| (),
        )
    }

    /// The queue-wide concurrency cap, or null.
    #[napi(catch_unwind, ts_return_type = "Promise<number | null>")]
    pub fn get_global_concurrency<'e>(&self, env: &'e Env) -> Result<PromiseRaw<'e, Option<f64>>> {
        let q = self.inner.clone();
        promise(env, async move { q.get_global_concurrency().await }, |v| {
            v.map(|n| n as f64)
        })
    }

    /// Sets (or with max 0 removes) the queue-wide rate limit.
    #[napi(catch_unwind, ts_return_type = "Promise<void>")]
    pub fn set_global_rate_limit<'e>(
        &self,
        env: &'e Env,
        max: f64,
        duration: f64,
    ) -> Result<PromiseRaw<'e, ()>> {
        let q = self.inner.clone();
        promise(
            env,
            async move {
                match non_neg(max, "max")? {
                    0 => q.remove_global_rate_limit().await,
                    m => {
                        q.set_global_rate_limit(m, non_neg(duration, "duration")?)
                            .await
                    }
                }
            },
            |_| (),
        )
    }

    /// `[max, duration]` of the queue-wide rate limit, or null.
    #[napi(catch_unwind, ts_return_type = "Promise<number[] | null>")]
    pub fn get_global_rate_limit<'e>(
        &self,
        env: &'e Env,
    ) -> Result<PromiseRaw<'e, Option<Vec<f64>>>> {
        let q = self.inner.clone();
        promise(env, async move { q.get_global_rate_limit().await }, |v| {
            v.map(|(m, d)| vec![m as f64, d as f64])
        })
    }

    /// Replaces a job's data.
    #[napi(catch_unwind, ts_return_type = "Promise<void>")]
    pub fn update_data<'e>(
        &self,
        env: &'e Env,
        id: String,
        data_json: String,
    ) -> Result<PromiseRaw<'e, ()>> {
        let q = self.inner.clone();
        promise(
            env,
            async move { q.update_data(&id, &data_json).await },
            |_| (),
        )
    }

    /// Gives a delayed job a new delay from now.
    #[napi(catch_unwind, ts_return_type = "Promise<void>")]
    pub fn change_delay<'e>(
        &self,
        env: &'e Env,
        id: String,
        delay: f64,
    ) -> Result<PromiseRaw<'e, ()>> {
        let q = self.inner.clone();
        promise(
            env,
            async move { q.change_delay(&id, non_neg(delay, "delay")?).await },
            |_| (),
        )
    }

    /// Sets a job's priority.
    #[napi(catch_unwind, ts_return_type = "Promise<void>")]
    pub fn change_priority<'e>(
        &self,
        env: &'e Env,
        id: String,
        priority: f64,
        lifo: bool,
    ) -> Result<PromiseRaw<'e, ()>> {
        let q = self.inner.clone();
        promise(
            env,
            async move {
                q.change_priority(&id, non_neg(priority, "priority")?, lifo)
                    .await
            },
            |_| (),
        )
    }

    /// Marks the handle closed. Idempotent.
    #[napi(catch_unwind)]
    pub fn close(&self) {
        self.inner.close();
    }
}

/// A JS number that must be a whole number >= 0; `field` names it in the error.
fn non_neg(v: f64, field: &str) -> engine::Result<u64> {
    if v.is_finite() && v >= 0.0 && v.fract() == 0.0 {
        Ok(v as u64)
    } else {
        Err(engine::Error::invalid(
            field,
            format!("must be an integer >= 0, got {v}"),
        ))
    }
}

/// Checks a custom job id (BullMQ's rules); throws a coded error.
#[napi(catch_unwind)]
pub fn validate_job_id(id: String) -> Result<(), Code> {
    engine::options::validate_job_id(&id).map_err(|e| coded(&e))
}

/// Checks a queue name; throws a coded error.
#[napi(catch_unwind)]
pub fn validate_queue_name(name: String) -> Result<(), Code> {
    if name.len() > 10_000 {
        return Err(invalid("name", "is too long"));
    }
    engine::queue::validate_queue_name(&name).map_err(|e| coded(&e))
}
