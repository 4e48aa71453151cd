//! Queue-wide reads and controls: counts and listings, pause/resume, cleaning,
//! limits, deduplication ids and metrics.

use std::collections::HashMap;

use napi::Env;
use napi_derive::napi;

use super::{NativeQueue, non_neg};

/// The `meta` part of a metrics answer (BullMQ's names).
#[napi(object)]
pub struct MetricsMeta {
    /// Jobs counted since the metrics began.
    pub count: f64,
    /// When the last data point was written (ms).
    #[napi(js_name = "prevTS")]
    pub prev_ts: f64,
    /// The count at that time.
    pub prev_count: f64,
}

/// Completed or failed jobs per minute (BullMQ's `getMetrics` shape).
#[napi(object)]
pub struct Metrics {
    /// The counters behind the data points.
    pub meta: MetricsMeta,
    /// Per-minute counts, newest first.
    pub data: Vec<f64>,
    /// How many data points exist in all.
    pub count: f64,
}

#[napi]
impl NativeQueue {
    /// Request: resolves with one count per state asked for, in the same order.
    #[napi(catch_unwind)]
    pub fn get_job_counts(&self, env: &Env, states: Vec<String>) -> u32 {
        self.ask(env, |q| async move {
            let counts = q.get_job_counts(&states).await?;
            Ok(counts
                .into_iter()
                .map(|(_, n)| n as f64)
                .collect::<Vec<_>>())
        })
    }

    /// Request: resolves with the jobs as JSON text (an array).
    #[napi(catch_unwind)]
    pub fn get_jobs(&self, env: &Env, states: Vec<String>, start: i64, end: i64, asc: bool) -> u32 {
        self.ask(env, |q| async move {
            let jobs = q.get_jobs(&states, start, end, asc).await?;
            let mut out = String::from("[");
            for (i, j) in jobs.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&j.to_json()?);
            }
            out.push(']');
            Ok(out)
        })
    }

    /// Pauses the queue for all workers. Request: resolves with nothing.
    #[napi(catch_unwind)]
    pub fn pause(&self, env: &Env) -> u32 {
        self.ask(env, |q| async move { q.pause().await })
    }

    /// Resumes the queue. Request: resolves with nothing.
    #[napi(catch_unwind)]
    pub fn resume(&self, env: &Env) -> u32 {
        self.ask(env, |q| async move { q.resume().await })
    }

    /// Request: resolves with whether the queue is paused.
    #[napi(catch_unwind)]
    pub fn is_paused(&self, env: &Env) -> u32 {
        self.ask(env, |q| async move { q.is_paused().await })
    }

    /// Request: resolves with the workers' CLIENT LIST entries (field -> value).
    #[napi(catch_unwind)]
    pub fn get_workers(&self, env: &Env) -> u32 {
        self.ask(env, |q| async move {
            let ws = q.get_workers().await?;
            Ok(ws
                .into_iter()
                .map(|fields| fields.into_iter().collect::<HashMap<String, String>>())
                .collect::<Vec<_>>())
        })
    }

    /// Round trip to Redis (PING). Request: rejects when it is unreachable.
    #[napi(catch_unwind)]
    pub fn ping(&self, env: &Env) -> u32 {
        self.ask(env, |q| async move {
            q.raw(&redis::cmd("PING")).await.map(|_| ())
        })
    }

    /// Removes old jobs of one state. Request: resolves with their ids.
    #[napi(catch_unwind)]
    pub fn clean(&self, env: &Env, grace: f64, limit: f64, state: String) -> u32 {
        self.ask(env, |q| async move {
            q.clean(non_neg(grace, "grace")?, non_neg(limit, "limit")?, &state)
                .await
        })
    }

    /// Removes waiting (and with `delayed`, delayed) jobs. Request: resolves with how many.
    #[napi(catch_unwind)]
    pub fn drain(&self, env: &Env, delayed: bool) -> u32 {
        self.ask(env, |q| async move { Ok(q.drain(delayed).await? as f64) })
    }

    /// Deletes the queue and all its data. Request: resolves with nothing.
    #[napi(catch_unwind)]
    pub fn obliterate(&self, env: &Env, force: bool) -> u32 {
        self.ask(env, |q| async move { q.obliterate(force).await })
    }

    /// Moves failed/completed jobs back to wait. Request: resolves with nothing.
    #[napi(catch_unwind)]
    pub fn retry_jobs(&self, env: &Env, state: String, count: f64, timestamp: Option<f64>) -> u32 {
        self.ask(env, |q| async move {
            let ts = timestamp.map(|t| non_neg(t, "timestamp")).transpose()?;
            q.retry_jobs(&state, non_neg(count, "count")?, ts).await
        })
    }

    /// Moves delayed jobs to wait. Request: resolves with nothing.
    #[napi(catch_unwind)]
    pub fn promote_jobs(&self, env: &Env, count: f64) -> u32 {
        self.ask(env, |q| async move {
            q.promote_jobs(non_neg(count, "count")?).await
        })
    }

    /// Rate-limits the queue for `ms`. Request: resolves with nothing.
    #[napi(catch_unwind)]
    pub fn rate_limit(&self, env: &Env, ms: f64) -> u32 {
        self.ask(env, |q| async move {
            q.rate_limit(non_neg(ms, "expireTimeMs")?).await
        })
    }

    /// Request: resolves with the limiter's TTL when full.
    #[napi(catch_unwind)]
    pub fn get_rate_limit_ttl(&self, env: &Env, max: Option<f64>) -> u32 {
        self.ask(env, |q| async move {
            let max = max.map(|m| non_neg(m, "maxJobs")).transpose()?;
            Ok(q.get_rate_limit_ttl(max).await? as f64)
        })
    }

    /// Trims the events stream. Request: resolves with the number of entries removed.
    #[napi(catch_unwind)]
    pub fn trim_events(&self, env: &Env, max_length: f64) -> u32 {
        self.ask(env, |q| async move {
            Ok(q.trim_events(non_neg(max_length, "maxLength")?).await? as f64)
        })
    }

    /// Request: resolves with the job id holding a deduplication id, or null.
    #[napi(catch_unwind)]
    pub fn get_deduplication_job_id(&self, env: &Env, id: String) -> u32 {
        self.ask(
            env,
            |q| async move { q.get_deduplication_job_id(&id).await },
        )
    }

    /// Releases a deduplication id. Request: resolves 1 if it existed.
    #[napi(catch_unwind)]
    pub fn remove_deduplication_key(&self, env: &Env, id: String) -> u32 {
        self.ask(env, |q| async move {
            Ok(q.remove_deduplication_key(&id).await? as f64)
        })
    }

    /// Request: resolves with `Metrics` of `kind` ('completed' or 'failed').
    #[napi(catch_unwind)]
    pub fn get_metrics(&self, env: &Env, kind: String, start: i64, end: i64) -> u32 {
        self.ask(env, |q| async move {
            let m = q.get_metrics(&kind, start, end).await?;
            Ok(Metrics {
                meta: MetricsMeta {
                    count: m.count as f64,
                    prev_ts: m.prev_ts as f64,
                    prev_count: m.prev_count as f64,
                },
                data: m.data.into_iter().map(|n| n as f64).collect(),
                count: m.total as f64,
            })
        })
    }

    /// Sets (n >= 1) or with 0 removes the queue-wide concurrency cap.
    /// Request: resolves with nothing.
    #[napi(catch_unwind)]
    pub fn set_global_concurrency(&self, env: &Env, concurrency: f64) -> u32 {
        self.ask(env, |q| async move {
            match non_neg(concurrency, "concurrency")? {
                0 => q.remove_global_concurrency().await,
                n => q.set_global_concurrency(n).await,
            }
        })
    }

    /// Request: resolves with the queue-wide concurrency cap, or null.
    #[napi(catch_unwind)]
    pub fn get_global_concurrency(&self, env: &Env) -> u32 {
        self.ask(env, |q| async move {
            Ok(q.get_global_concurrency().await?.map(|n| n as f64))
        })
    }

    /// Sets (or with max 0 removes) the queue-wide rate limit. Request: resolves with nothing.
    #[napi(catch_unwind)]
    pub fn set_global_rate_limit(&self, env: &Env, max: f64, duration: f64) -> u32 {
        self.ask(env, |q| async move {
            match non_neg(max, "max")? {
                0 => q.remove_global_rate_limit().await,
                m => {
                    q.set_global_rate_limit(m, non_neg(duration, "duration")?)
                        .await
                }
            }
        })
    }

    /// Request: resolves with `[max, duration]` of the queue-wide rate limit, or null.
    #[napi(catch_unwind)]
    pub fn get_global_rate_limit(&self, env: &Env) -> u32 {
        self.ask(env, |q| async move {
            Ok(q.get_global_rate_limit()
                .await?
                .map(|(m, d)| vec![m as f64, d as f64]))
        })
    }
}
