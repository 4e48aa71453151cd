//! JS option objects → engine options. They cross as typed objects
//! (`#[napi(object)]`, declared in binding.d.ts): napi refuses a value of the
//! wrong JS type naming the field (`... on WorkerHandleOptions.concurrency`),
//! and the checks here or in the engine refuse a value out of range naming it
//! as the user wrote it (`opts.concurrency`). The environment (REDIS_*) is read
//! in JS only (`src/js/connection.js`), which fills `connection` from it.

use napi::bindgen_prelude::{Either, Either3};
use napi_derive::napi;
use serde_json::{Map, Value};

use crate::engine::{self, ConnectionOptions, KeepJobs, Limiter, QueueOptions, WorkerOptions};

type R<T> = engine::Result<T>;

/// Where Redis is: a URL, host/port parts, or cluster nodes.
#[napi(object)]
pub struct RedisConnection {
    /// `redis://` or `rediss://` URL; wins over the parts.
    pub url: Option<String>,
    /// Host name or address.
    pub host: Option<String>,
    /// Port (0..65535).
    pub port: Option<f64>,
    /// ACL user name.
    pub username: Option<String>,
    /// Password.
    pub password: Option<String>,
    /// Database index.
    pub db: Option<f64>,
    /// `true`, or `{ ca }` with a PEM certificate authority.
    pub tls: Option<Either<bool, RedisTls>>,
    /// Cluster seed nodes: URLs or `{ host, port }`.
    pub cluster: Option<Vec<Either<String, RedisClusterNode>>>,
}

/// TLS settings.
#[napi(object)]
pub struct RedisTls {
    /// A PEM certificate authority to trust.
    pub ca: Option<String>,
}

/// One cluster seed node.
#[napi(object)]
pub struct RedisClusterNode {
    /// Host (default 127.0.0.1).
    pub host: Option<String>,
    /// Port (default 6379).
    pub port: Option<f64>,
}

/// What every native handle on a queue takes.
#[napi(object)]
pub struct QueueHandleOptions {
    /// Where Redis is (JS fills it from REDIS_* when the app gave none).
    pub connection: Option<RedisConnection>,
    /// Key prefix (BullMQ's default `bull`).
    pub prefix: Option<String>,
    /// Largest job data accepted, in bytes (0 = no limit).
    pub max_data_bytes: Option<f64>,
    /// The events stream's cap written to meta (BullMQ's `streams.events.maxLen`).
    pub max_len_events: Option<f64>,
    /// Leave the meta hash alone (BullMQ's `skipMetasUpdate`).
    pub skip_metas_update: Option<bool>,
}

/// `{ max, duration }`: at most `max` jobs per `duration` ms.
#[napi(object)]
pub struct LimiterOptions {
    /// Jobs per window.
    pub max: Option<f64>,
    /// Window length, ms.
    pub duration: Option<f64>,
}

/// `{ age, count }` of finished jobs to keep.
#[napi(object)]
pub struct KeepJobsOptions {
    /// Keep jobs at most this old, seconds.
    pub age: Option<f64>,
    /// Keep at most this many jobs.
    pub count: Option<f64>,
}

/// Worker metrics settings.
#[napi(object)]
pub struct WorkerMetricsOptions {
    /// Per-minute data points kept.
    pub max_data_points: Option<f64>,
}

/// A Worker's own options, in BullMQ's names.
#[napi(object)]
pub struct WorkerHandleOptions {
    /// Jobs run at once (>= 1).
    pub concurrency: Option<f64>,
    /// Lock time-to-live, ms.
    pub lock_duration: Option<f64>,
    /// How often locks are renewed, ms.
    pub lock_renew_time: Option<f64>,
    /// How often stalled jobs are looked for, ms.
    pub stalled_interval: Option<f64>,
    /// Stalls before a job fails.
    pub max_stalled_count: Option<f64>,
    /// Seconds to block waiting for jobs.
    pub drain_delay: Option<f64>,
    /// Name shown in CLIENT LIST.
    pub name: Option<String>,
    /// Rate limit for this worker's queue.
    pub limiter: Option<LimiterOptions>,
    /// Completed jobs to keep: a boolean, a count or `{ age, count }`.
    pub remove_on_complete: Option<Either3<bool, f64, KeepJobsOptions>>,
    /// Failed jobs to keep: a boolean, a count or `{ age, count }`.
    pub remove_on_fail: Option<Either3<bool, f64, KeepJobsOptions>>,
    /// Never look for stalled jobs.
    pub skip_stalled_check: Option<bool>,
    /// Never renew locks.
    pub skip_lock_renewal: Option<bool>,
    /// Keep per-minute metrics.
    pub metrics: Option<WorkerMetricsOptions>,
    /// Longest idle while rate limited, ms (BullMQ's default 30000).
    pub maximum_rate_limit_delay: Option<f64>,
    /// Wait after a Redis error in the loop, ms (default: ferroq's outage pacing).
    pub run_retry_delay: Option<f64>,
}

/// BullMQ's short keys of a job's stored opts, as `[short, long]` pairs; a
/// long name `telemetry.metadata` means the option nests. The table is
/// `engine::options::names`; JS decodes stored opts with it.
#[napi(catch_unwind)]
pub fn job_opts_short_keys() -> Vec<Vec<String>> {
    use engine::options::names::{SHORT_KEYS, TELEMETRY_KEYS};
    let nested = TELEMETRY_KEYS
        .iter()
        .map(|(name, short)| (format!("telemetry.{name}"), *short));
    SHORT_KEYS
        .iter()
        .map(|(long, short)| (long.to_string(), *short))
        .chain(nested)
        .map(|(long, short)| vec![short.to_string(), long])
        .collect()
}

/// A whole number >= 0 (below 2^53), or a coded error naming `field`.
pub fn uint(v: Option<f64>, field: &str) -> R<Option<u64>> {
    v.map(|x| engine::options::numbers::whole_number(x, field))
        .transpose()
}

fn port(v: Option<f64>, field: &str) -> R<Option<u16>> {
    uint(v, field)?
        .map(|p| u16::try_from(p).map_err(|_| engine::Error::invalid(field, "must be 0..65535")))
        .transpose()
}

/// `connection` → engine options (defaults: the engine's, localhost:6379).
pub fn connection(c: Option<&RedisConnection>) -> R<ConnectionOptions> {
    let Some(c) = c else {
        return Ok(ConnectionOptions::default());
    };
    let mut out = ConnectionOptions {
        url: c.url.clone(),
        host: c.host.clone(),
        port: port(c.port, "connection.port")?,
        username: c.username.clone(),
        password: c.password.clone(),
        db: uint(c.db, "connection.db")?.map(|d| d as i64),
        ..ConnectionOptions::default()
    };
    match &c.tls {
        None | Some(Either::A(false)) => {}
        Some(Either::A(true)) => out.tls = true,
        Some(Either::B(t)) => {
            out.tls = true;
            out.tls_ca_pem = t.ca.as_ref().map(|ca| ca.clone().into_bytes());
        }
    }
    if let Some(nodes) = &c.cluster {
        let mut list = Vec::with_capacity(nodes.len());
        for n in nodes {
            list.push(match n {
                Either::A(url) => url.clone(),
                Either::B(node) => {
                    let host = node.host.clone().unwrap_or_else(|| "127.0.0.1".into());
                    let p = port(node.port, "connection.cluster.port")?.unwrap_or(6379);
                    format!("{host}:{p}")
                }
            });
        }
        out.cluster = Some(list);
    }
    Ok(out)
}

/// The queue part every handle takes: connection, prefix, maxDataBytes, the meta settings.
pub fn queue(o: &QueueHandleOptions) -> R<(ConnectionOptions, QueueOptions)> {
    let mut q = QueueOptions::default();
    if let Some(p) = &o.prefix {
        q.prefix = p.clone();
    }
    if let Some(m) = uint(o.max_data_bytes, "opts.maxDataBytes")? {
        q.max_data_bytes = m as usize;
    }
    q.max_len_events = uint(o.max_len_events, "opts.streams.events.maxLen")?;
    q.skip_metas_update = o.skip_metas_update.unwrap_or(false);
    Ok((connection(o.connection.as_ref())?, q))
}

fn keep_jobs(v: &Option<Either3<bool, f64, KeepJobsOptions>>, field: &str) -> R<Option<KeepJobs>> {
    let json = match v {
        None => return Ok(None),
        Some(Either3::A(b)) => Value::Bool(*b),
        Some(Either3::B(n)) => serde_json::Number::from_f64(*n).map_or(Value::Null, Value::Number),
        Some(Either3::C(k)) => {
            let mut m = Map::new();
            for (key, v) in [("age", k.age), ("count", k.count)] {
                if let Some(n) = v.and_then(serde_json::Number::from_f64) {
                    m.insert(key.into(), Value::Number(n));
                }
            }
            Value::Object(m)
        }
    };
    KeepJobs::from_json(&json, field).map(Some)
}

/// Worker options in BullMQ's names; the engine checks how they fit together.
pub fn worker(o: &WorkerHandleOptions) -> R<WorkerOptions> {
    let mut w = WorkerOptions::default();
    if let Some(c) = o.concurrency {
        w.concurrency = engine::options::concurrency(c, "opts.concurrency")?;
    }
    if let Some(v) = uint(o.lock_duration, "opts.lockDuration")? {
        w.lock_duration_ms = v;
        w.lock_renew_time_ms = v / 2;
    }
    if let Some(v) = uint(o.lock_renew_time, "opts.lockRenewTime")? {
        w.lock_renew_time_ms = v;
    }
    if let Some(v) = uint(o.stalled_interval, "opts.stalledInterval")? {
        w.stalled_interval_ms = v;
    }
    if let Some(v) = uint(o.max_stalled_count, "opts.maxStalledCount")? {
        w.max_stalled_count = v;
    }
    if let Some(x) = o.drain_delay {
        w.drain_delay_s = engine::options::drain_delay(x, "opts.drainDelay")?;
    }
    if let Some(l) = &o.limiter {
        let max = uint(l.max, "opts.limiter.max")?
            .ok_or_else(|| engine::Error::invalid("opts.limiter.max", "is required"))?;
        let duration = uint(l.duration, "opts.limiter.duration")?
            .ok_or_else(|| engine::Error::invalid("opts.limiter.duration", "is required"))?;
        w.limiter = Some(Limiter {
            max,
            duration_ms: duration,
        });
    }
    if let Some(v) = uint(o.maximum_rate_limit_delay, "opts.maximumRateLimitDelay")? {
        w.max_rate_limit_delay_ms = v;
    }
    w.run_retry_delay_ms = uint(o.run_retry_delay, "opts.runRetryDelay")?;
    w.name = o.name.clone();
    w.remove_on_complete = keep_jobs(&o.remove_on_complete, "opts.removeOnComplete")?;
    w.remove_on_fail = keep_jobs(&o.remove_on_fail, "opts.removeOnFail")?;
    w.skip_stalled_check = o.skip_stalled_check.unwrap_or(false);
    w.skip_lock_renewal = o.skip_lock_renewal.unwrap_or(false);
    if let Some(m) = &o.metrics {
        w.metrics_max_data_points = uint(m.max_data_points, "opts.metrics.maxDataPoints")?
            .unwrap_or(engine::options::DEFAULT_METRICS_MAX_DATA_POINTS)
            .max(1);
    }
    w.validate()?;
    Ok(w)
}

/// Parses JSON text into an object (job options, preset settings).
pub fn parse(json: &str, field: &str) -> R<Map<String, Value>> {
    match serde_json::from_str(json) {
        Ok(Value::Object(o)) => Ok(o),
        Ok(Value::Null) => Ok(Map::new()),
        Ok(_) => Err(engine::Error::invalid(field, "must be an object")),
        Err(e) => Err(engine::Error::invalid(
            field,
            format!("not valid JSON ({e})"),
        )),
    }
}
