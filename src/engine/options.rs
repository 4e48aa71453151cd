//! Options of queues, workers and jobs, with BullMQ's defaults as named consts,
//! and the validation that turns a user's job options into what is stored.

use serde_json::{Map, Value};

use super::error::{Error, Result};

/// BullMQ's default key prefix.
pub const DEFAULT_PREFIX: &str = "bull";
/// BullMQ's default `lockDuration` (ms).
pub const DEFAULT_LOCK_DURATION_MS: u64 = 30_000;
/// BullMQ's default `stalledInterval` (ms).
pub const DEFAULT_STALLED_INTERVAL_MS: u64 = 30_000;
/// BullMQ's default `maxStalledCount`.
pub const DEFAULT_MAX_STALLED_COUNT: u64 = 1;
/// BullMQ's default `drainDelay` (s): how long an idle worker blocks on the marker.
pub const DEFAULT_DRAIN_DELAY_S: f64 = 5.0;
/// BullMQ's default `concurrency`.
pub const DEFAULT_CONCURRENCY: usize = 1;
/// BullMQ's `maximumRateLimitDelay` (ms): the longest a rate-limited worker idles.
pub const MAX_RATE_LIMIT_DELAY_MS: u64 = 30_000;
/// BullMQ's largest priority (its `PRIORITY_LIMIT`, 2^21 - 1).
pub const MAX_PRIORITY: u64 = 2_097_151;
/// BullMQ's default `metrics.maxDataPoints` (one week of minutes).
pub const DEFAULT_METRICS_MAX_DATA_POINTS: u64 = 60 * 24 * 7;
/// Default largest accepted `data` JSON, in bytes (ferroq's guard; 0 disables it).
pub const DEFAULT_MAX_DATA_BYTES: usize = 64 * 1024 * 1024;

/// Where a queue's keys live.
#[derive(Debug, Clone)]
pub struct QueueOptions {
    /// Key prefix (`bull` by default). Use a hash tag (`{bull}`) on Redis Cluster.
    pub prefix: String,
    /// Largest `data` JSON accepted by `add`, in bytes (0 = no limit).
    pub max_data_bytes: usize,
}

impl Default for QueueOptions {
    fn default() -> Self {
        QueueOptions {
            prefix: DEFAULT_PREFIX.to_string(),
            max_data_bytes: DEFAULT_MAX_DATA_BYTES,
        }
    }
}

/// How long finished jobs are kept (BullMQ's `removeOnComplete` / `removeOnFail`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeepJobs {
    /// Keep at most this many (-1 = all, 0 = none).
    pub count: i64,
    /// Remove those older than this many seconds (0 = no age limit).
    pub age_s: u64,
}

impl KeepJobs {
    /// Keep everything (BullMQ's default).
    pub const ALL: KeepJobs = KeepJobs {
        count: -1,
        age_s: 0,
    };

    /// Reads `true`, `false`, a count, or `{ age, count }`; `field` names it in errors.
    pub fn from_json(v: &Value, field: &str) -> Result<KeepJobs> {
        match v {
            Value::Bool(true) => Ok(KeepJobs { count: 0, age_s: 0 }),
            Value::Bool(false) => Ok(KeepJobs::ALL),
            Value::Number(n) => match n.as_f64() {
                Some(x) if x >= 0.0 && x.fract() == 0.0 => Ok(KeepJobs {
                    count: x as i64,
                    age_s: 0,
                }),
                _ => Err(Error::invalid(
                    field,
                    "must be true, false, a count >= 0 or { age, count }",
                )),
            },
            Value::Object(o) => {
                let count = match o.get("count") {
                    None | Some(Value::Null) => -1,
                    Some(c) => non_negative_int(c, &format!("{field}.count"))? as i64,
                };
                let age_s = match o.get("age") {
                    None | Some(Value::Null) => 0,
                    Some(a) => non_negative_int(a, &format!("{field}.age"))?,
                };
                Ok(KeepJobs { count, age_s })
            }
            _ => Err(Error::invalid(
                field,
                "must be true, false, a count >= 0 or { age, count }",
            )),
        }
    }
}

/// A queue-wide or per-worker rate limit: at most `max` jobs per `duration_ms`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limiter {
    /// Jobs per window.
    pub max: u64,
    /// Window length (ms).
    pub duration_ms: u64,
}

/// How a worker runs.
#[derive(Debug, Clone)]
pub struct WorkerOptions {
    /// Jobs processed at once by this worker.
    pub concurrency: usize,
    /// How long a job's lock lives without renewal (ms).
    pub lock_duration_ms: u64,
    /// How often locks are renewed (ms); BullMQ's default is half the lock duration.
    pub lock_renew_time_ms: u64,
    /// Period of the stalled-job check (ms).
    pub stalled_interval_ms: u64,
    /// How many times a job may stall before it fails.
    pub max_stalled_count: u64,
    /// Seconds an idle worker blocks waiting for a job.
    pub drain_delay_s: f64,
    /// Optional per-worker rate limit.
    pub limiter: Option<Limiter>,
    /// Optional worker name, stored as the job's `pb` and in the client name.
    pub name: Option<String>,
    /// Default for jobs without `removeOnComplete`.
    pub remove_on_complete: Option<KeepJobs>,
    /// Default for jobs without `removeOnFail`.
    pub remove_on_fail: Option<KeepJobs>,
    /// Skip the periodic stalled check (another process runs it).
    pub skip_stalled_check: bool,
    /// Take locks but never renew them (BullMQ's `skipLockRenewal`).
    pub skip_lock_renewal: bool,
    /// Keep BullMQ's per-minute metrics, at most this many points (0 = off).
    pub metrics_max_data_points: u64,
    /// The longest a rate-limited worker idles before it looks again (ms;
    /// BullMQ's `maximumRateLimitDelay`), so due delayed jobs still get promoted.
    pub max_rate_limit_delay_ms: u64,
    /// A fixed wait after a Redis error in the loop (BullMQ's `runRetryDelay`);
    /// `None`: ferroq's outage pacing (100 ms, 250 ms, then every 500 ms).
    pub run_retry_delay_ms: Option<u64>,
}

impl Default for WorkerOptions {
    fn default() -> Self {
        WorkerOptions {
            concurrency: DEFAULT_CONCURRENCY,
            lock_duration_ms: DEFAULT_LOCK_DURATION_MS,
            lock_renew_time_ms: DEFAULT_LOCK_DURATION_MS / 2,
            stalled_interval_ms: DEFAULT_STALLED_INTERVAL_MS,
            max_stalled_count: DEFAULT_MAX_STALLED_COUNT,
            drain_delay_s: DEFAULT_DRAIN_DELAY_S,
            limiter: None,
            name: None,
            remove_on_complete: None,
            remove_on_fail: None,
            skip_stalled_check: false,
            skip_lock_renewal: false,
            metrics_max_data_points: 0,
            max_rate_limit_delay_ms: MAX_RATE_LIMIT_DELAY_MS,
            run_retry_delay_ms: None,
        }
    }
}

impl WorkerOptions {
    /// Checks the numbers for sense; `field` names use the JS spelling.
    pub fn validate(&self) -> Result<()> {
        if self.concurrency == 0 {
            return Err(Error::invalid("concurrency", "must be an integer >= 1"));
        }
        if self.lock_duration_ms == 0 {
            return Err(Error::invalid("lockDuration", "must be > 0"));
        }
        if self.stalled_interval_ms == 0 {
            return Err(Error::invalid("stalledInterval", "must be > 0"));
        }
        if let Some(l) = self.limiter
            && (l.max == 0 || l.duration_ms == 0)
        {
            return Err(Error::invalid("limiter", "max and duration must be > 0"));
        }
        Ok(())
    }
}

/// Backoff between attempts.
#[derive(Debug, Clone, PartialEq)]
pub enum Backoff {
    /// The same delay every time.
    Fixed {
        /// ms
        delay: u64,
        /// 0..=1
        jitter: f64,
    },
    /// `2^(n-1) * delay`.
    Exponential {
        /// ms
        delay: u64,
        /// 0..=1
        jitter: f64,
    },
    /// Computed by the worker's `backoffStrategy` (in JS).
    Custom {
        /// The type name given by the user.
        kind: String,
        /// ms, if given
        delay: u64,
    },
}

/// Deduplication settings (`opts.deduplication`).
#[derive(Debug, Clone, PartialEq)]
pub struct Dedup {
    /// The dedup id.
    pub id: String,
    /// TTL in ms (0 = until the job finishes).
    pub ttl_ms: u64,
    /// Re-arm the TTL on every duplicate.
    pub extend: bool,
    /// Debounce: a new job replaces a still-delayed one.
    pub replace: bool,
    /// While the owner is active, keep the newest duplicate and run it after.
    pub keep_last_if_active: bool,
}

/// The options of one job, validated, plus the `opts` JSON to store.
#[derive(Debug, Clone)]
pub struct JobOptions {
    /// Custom job id.
    pub job_id: Option<String>,
    /// ms before the job becomes ready.
    pub delay: u64,
    /// 0 = none, 1 = highest.
    pub priority: u64,
    /// Put the job at the front of wait.
    pub lifo: bool,
    /// Creation time override (ms).
    pub timestamp: Option<u64>,
    /// Deduplication.
    pub dedup: Option<Dedup>,
    /// `sizeLimit`: the largest `data` JSON accepted for this job, in bytes (`None` = no limit).
    pub size_limit: Option<u64>,
    /// `parent`: the flow parent this job is a child of.
    pub parent: Option<ParentRef>,
    /// The stored `opts` JSON (abbreviated keys, BullMQ-style).
    pub stored: String,
}

/// A child's parent (`opts.parent`, BullMQ's `{ id, queue }`) and how the
/// parent reacts when the child fails for good.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParentRef {
    /// The parent's job id.
    pub id: String,
    /// The parent's queue, qualified: `<prefix>:<queueName>`.
    pub queue: String,
    /// The failure flags set on the child, in BullMQ's order (`fpof`, `rdof`,
    /// `idof`, `cpof`); at most one is allowed.
    pub flags: Vec<&'static str>,
}

impl ParentRef {
    /// The parent's job key, `<queue>:<id>` (BullMQ's `parentKey`).
    pub fn key(&self) -> String {
        super::keys::QueueKeys::job_in(&self.queue, &self.id)
    }

    /// The child's `parent` field: `{"id","queueKey",<flag>:true}` as BullMQ stores it.
    pub fn json(&self) -> String {
        let mut m = Map::new();
        m.insert("id".into(), Value::from(self.id.clone()));
        m.insert("queueKey".into(), Value::from(self.queue.clone()));
        for f in &self.flags {
            m.insert((*f).into(), Value::Bool(true));
        }
        Value::Object(m).to_string()
    }
}

fn parse_parent(v: &Value, field: &str) -> Result<ParentRef> {
    let text = |k: &str| match v.get(k) {
        Some(Value::String(s)) if !s.is_empty() => Ok(s.clone()),
        Some(Value::Number(n)) if k == "id" => Ok(n.to_string()),
        _ => Err(Error::invalid(
            format!("{field}.{k}"),
            "must be a non-empty string ({ id, queue: '<prefix>:<queueName>' })",
        )),
    };
    if !v.is_object() {
        return Err(Error::invalid(field, "must be { id, queue }"));
    }
    Ok(ParentRef {
        id: text("id")?,
        queue: text("queue")?,
        flags: Vec::new(),
    })
}

fn non_negative_int(v: &Value, field: &str) -> Result<u64> {
    match v.as_f64() {
        Some(x) if x >= 0.0 && x.fract() == 0.0 && x <= 9_007_199_254_740_991.0 => Ok(x as u64),
        _ => Err(Error::invalid(
            field,
            format!("must be an integer >= 0, got {}", short(v)),
        )),
    }
}

fn non_negative_num(v: &Value, field: &str) -> Result<f64> {
    match v.as_f64() {
        Some(x) if x >= 0.0 && x.is_finite() => Ok(x),
        _ => Err(Error::invalid(
            field,
            format!("must be a number >= 0, got {}", short(v)),
        )),
    }
}

/// A job priority, refused with BullMQ's messages: an integer 0..=MAX_PRIORITY.
pub fn priority(v: &Value, field: &str) -> Result<u64> {
    let Some(x) = v.as_f64() else {
        return Err(Error::invalid(
            field,
            format!("must be an integer >= 0, got {}", short(v)),
        ));
    };
    if x.fract() != 0.0 {
        return Err(Error::refused(field, "Priority should not be float"));
    }
    if !(0.0..=MAX_PRIORITY as f64).contains(&x) {
        return Err(Error::refused(
            field,
            format!("Priority should be between 0 and {MAX_PRIORITY}"),
        ));
    }
    Ok(x as u64)
}

/// JavaScript truthiness of a JSON value.
fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|x| x != 0.0),
        Value::String(s) => !s.is_empty(),
        _ => true,
    }
}

fn boolean(v: &Value, field: &str) -> Result<bool> {
    match v {
        Value::Bool(b) => Ok(*b),
        Value::Null => Ok(false),
        _ => Err(Error::invalid(
            field,
            format!("must be a boolean, got {}", short(v)),
        )),
    }
}

fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.len() > 40 {
        format!("{}…", &s[..s.floor_char_boundary(40)])
    } else {
        s
    }
}

/// Whether BullMQ takes `id` for an integer: `String(parseInt(id, 10)) === id`,
/// i.e. a canonical decimal (no sign but `-`, no leading zero, not `-0`) that
/// a double holds exactly.
fn is_integer_id(id: &str) -> bool {
    let digits = id.strip_prefix('-').unwrap_or(id);
    let canonical = !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && (digits == "0" || !digits.starts_with('0'))
        && id != "-0";
    canonical && digits.parse::<u64>().is_ok_and(|n| (n as f64) as u64 == n)
}

/// Checks a custom job id the way BullMQ does (with BullMQ's messages).
pub fn validate_job_id(id: &str) -> Result<()> {
    if id.is_empty() {
        return Err(Error::invalid("opts.jobId", "must not be empty"));
    }
    if id.len() > 1024 {
        return Err(Error::invalid("opts.jobId", "must be at most 1024 bytes"));
    }
    if id == "0" || id.starts_with("0:") {
        return Err(Error::refused(
            "opts.jobId",
            "JobId cannot be '0' or start with '0:'",
        ));
    }
    if is_integer_id(id) {
        return Err(Error::refused("opts.jobId", "Custom Id cannot be integers"));
    }
    if id.contains(':') && id.split(':').count() != 3 {
        return Err(Error::refused("opts.jobId", "Custom Id cannot contain :"));
    }
    Ok(())
}

/// Reads a backoff option (`n` or `{ type, delay, jitter }`).
pub fn parse_backoff(v: &Value, field: &str) -> Result<Option<Backoff>> {
    match v {
        Value::Null => Ok(None),
        Value::Number(_) => Ok(Some(Backoff::Fixed {
            delay: non_negative_int(v, field)?,
            jitter: 0.0,
        })),
        Value::Object(o) => {
            let delay = match o.get("delay") {
                None | Some(Value::Null) => 0,
                Some(d) => non_negative_int(d, &format!("{field}.delay"))?,
            };
            let jitter = match o.get("jitter") {
                None | Some(Value::Null) => 0.0,
                Some(j) => j
                    .as_f64()
                    .filter(|j| (0.0..=1.0).contains(j))
                    .ok_or_else(|| {
                        Error::refused(
                            format!("{field}.jitter"),
                            "Jitter should be between 0 and 1",
                        )
                    })?,
            };
            match o.get("type") {
                Some(Value::String(t)) if t == "fixed" => {
                    Ok(Some(Backoff::Fixed { delay, jitter }))
                }
                Some(Value::String(t)) if t == "exponential" => {
                    Ok(Some(Backoff::Exponential { delay, jitter }))
                }
                Some(Value::String(t)) if !t.is_empty() => Ok(Some(Backoff::Custom {
                    kind: t.clone(),
                    delay,
                })),
                Some(t) => Err(Error::invalid(
                    format!("{field}.type"),
                    format!(
                        "unknown backoff type {}; use 'fixed', 'exponential' or a custom type with a worker backoffStrategy",
                        short(t)
                    ),
                )),
                None => Err(Error::invalid(
                    format!("{field}.type"),
                    "is required ('fixed' or 'exponential')",
                )),
            }
        }
        _ => Err(Error::invalid(field, "must be a number or { type, delay }")),
    }
}

impl JobOptions {
    /// Validates a user's options object and builds the stored opts JSON:
    /// `deduplication` → `de`, `keepLogs` → `kl` (and the flow flags),
    /// `telemetry.metadata` / `.omitContext` → `tm` / `omc`, a number
    /// backoff normalised to `{ type: 'fixed', delay }`, nulls dropped, and
    /// `attempts` always present, as BullMQ stores them.
    pub fn from_json(opts: Map<String, Value>) -> Result<JobOptions> {
        let mut out = Map::with_capacity(opts.len() + 1);
        let mut o = JobOptions {
            job_id: None,
            delay: 0,
            priority: 0,
            lifo: false,
            timestamp: None,
            dedup: None,
            size_limit: None,
            parent: None,
            stored: String::new(),
        };
        let mut attempts_seen = false;
        for (key, value) in opts.clone() {
            if value.is_null() {
                continue;
            }
            let field = format!("opts.{key}");
            let stored_key = match key.as_str() {
                "jobId" => {
                    let id = match &value {
                        // BullMQ takes an empty id for no id (a generated one).
                        Value::String(s) if s.is_empty() => continue,
                        Value::String(s) => s.clone(),
                        _ => {
                            return Err(Error::invalid(
                                field,
                                format!("must be a string, got {}", short(&value)),
                            ));
                        }
                    };
                    validate_job_id(&id)?;
                    o.job_id = Some(id);
                    "jobId"
                }
                "delay" => {
                    o.delay = non_negative_num(&value, &field)?.floor() as u64;
                    "delay"
                }
                "priority" => {
                    o.priority = priority(&value, &field)?;
                    "priority"
                }
                "lifo" => {
                    o.lifo = boolean(&value, &field)?;
                    "lifo"
                }
                "attempts" => {
                    non_negative_int(&value, &field)?;
                    attempts_seen = true;
                    "attempts"
                }
                "timestamp" => {
                    o.timestamp = Some(non_negative_int(&value, &field)?);
                    "timestamp"
                }
                "backoff" => {
                    // Any named type is accepted, as BullMQ does: the worker's
                    // backoffStrategy computes the delay of a type it does not know.
                    match parse_backoff(&value, &field)? {
                        Some(Backoff::Fixed { delay, .. }) if value.is_number() => {
                            out.insert(
                                "backoff".into(),
                                serde_json::json!({ "type": "fixed", "delay": delay }),
                            );
                            continue;
                        }
                        _ => {}
                    }
                    "backoff"
                }
                "removeOnComplete" | "removeOnFail" => {
                    KeepJobs::from_json(&value, &field)?;
                    key.as_str()
                }
                "stackTraceLimit" | "keepLogs" | "sizeLimit" => {
                    let n = non_negative_int(&value, &field)?;
                    if key == "sizeLimit" && n > 0 {
                        o.size_limit = Some(n);
                    }
                    match key.as_str() {
                        "keepLogs" => "kl",
                        k => k,
                    }
                }
                "debounce" => {
                    return Err(Error::refused(
                        field,
                        "Debounce option has been removed. Use deduplication option instead",
                    ));
                }
                "deduplication" => {
                    o.dedup = Some(parse_dedup(&value, &field)?);
                    "de"
                }
                "telemetry" => {
                    // BullMQ keeps only these two, as top-level `tm` and `omc`.
                    if let Value::Object(t) = &value {
                        for (from, to) in [("metadata", "tm"), ("omitContext", "omc")] {
                            if let Some(v) = t.get(from).filter(|v| !v.is_null()) {
                                out.insert(to.into(), v.clone());
                            }
                        }
                    }
                    continue;
                }
                "failParentOnFailure" => "fpof",
                "continueParentOnFailure" => "cpof",
                "ignoreDependencyOnFailure" => "idof",
                "removeDependencyOnFailure" => "rdof",
                "parent" => {
                    o.parent = Some(parse_parent(&value, &field)?);
                    "parent"
                }
                "repeat" => {
                    return Err(Error::invalid(
                        field,
                        "is not supported on add: use upsertJobScheduler for repeating jobs",
                    ));
                }
                _ => key.as_str(),
            };
            out.insert(stored_key.to_string(), value);
        }
        // BullMQ's order in its message.
        let exclusive: Vec<&str> = [
            "removeDependencyOnFailure",
            "failParentOnFailure",
            "continueParentOnFailure",
            "ignoreDependencyOnFailure",
        ]
        .into_iter()
        .filter(|k| opts.get(*k).is_some_and(truthy))
        .collect();
        if exclusive.len() > 1 {
            return Err(Error::refused(
                "opts",
                format!(
                    "The following options cannot be used together: {}",
                    exclusive.join(", ")
                ),
            ));
        }
        if let Some(p) = o.parent.as_mut() {
            if o.dedup.is_some() {
                return Err(Error::refused(
                    "opts.deduplication",
                    "Deduplication and parent options cannot be used together",
                ));
            }
            // BullMQ's order on the parent field: fpof, rdof, idof, cpof.
            for (long, short) in [
                ("failParentOnFailure", "fpof"),
                ("removeDependencyOnFailure", "rdof"),
                ("ignoreDependencyOnFailure", "idof"),
                ("continueParentOnFailure", "cpof"),
            ] {
                if opts.get(long).is_some_and(truthy) {
                    p.flags.push(short);
                }
            }
        }
        if !attempts_seen {
            out.insert("attempts".into(), Value::from(0));
        }
        if o.dedup.is_some() && o.job_id.is_some() {
            // BullMQ allows both; the dedup id decides, the custom id names the job.
        }
        o.stored = Value::Object(out).to_string();
        Ok(o)
    }
}

fn parse_dedup(v: &Value, field: &str) -> Result<Dedup> {
    let o = v
        .as_object()
        .ok_or_else(|| Error::invalid(field, "must be { id, ttl?, extend?, replace? }"))?;
    let id = match o.get("id") {
        Some(Value::String(s)) if !s.is_empty() => s.clone(),
        Some(Value::String(_)) | Some(Value::Null) | None => {
            return Err(Error::refused(
                format!("{field}.id"),
                "Deduplication id must be provided",
            ));
        }
        Some(_) => {
            return Err(Error::invalid(
                format!("{field}.id"),
                "must be a non-empty string",
            ));
        }
    };
    let ttl_ms = match o.get("ttl") {
        None | Some(Value::Null) => 0,
        Some(t) => non_negative_int(t, &format!("{field}.ttl"))?,
    };
    let extend = o
        .get("extend")
        .map(|b| boolean(b, &format!("{field}.extend")))
        .transpose()?
        .unwrap_or(false);
    let replace = o
        .get("replace")
        .map(|b| boolean(b, &format!("{field}.replace")))
        .transpose()?
        .unwrap_or(false);
    let keep_last_if_active = o
        .get("keepLastIfActive")
        .map(|b| boolean(b, &format!("{field}.keepLastIfActive")))
        .transpose()?
        .unwrap_or(false);
    Ok(Dedup {
        id,
        ttl_ms,
        extend,
        replace,
        keep_last_if_active,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn opts(v: Value) -> Result<JobOptions> {
        JobOptions::from_json(v.as_object().unwrap().clone())
    }

    #[test]
    fn stores_bullmq_shapes() {
        let o =
            opts(json!({"backoff": 100, "deduplication": {"id": "x"}, "keepLogs": 3, "foo": null}))
                .unwrap();
        let stored: Value = serde_json::from_str(&o.stored).unwrap();
        assert_eq!(stored["backoff"], json!({"type": "fixed", "delay": 100}));
        assert_eq!(stored["de"], json!({"id": "x"}));
        assert_eq!(stored["kl"], json!(3));
        assert_eq!(stored["attempts"], json!(0));
        assert!(stored.get("foo").is_none());
        let t = opts(json!({"telemetry": {"metadata": "m", "omitContext": true}})).unwrap();
        let stored: Value = serde_json::from_str(&t.stored).unwrap();
        assert_eq!(stored, json!({"tm": "m", "omc": true, "attempts": 0}));
    }

    #[test]
    fn rejects_bad_input_naming_the_field() {
        for (v, field) in [
            (json!({"delay": -1}), "opts.delay"),
            (json!({"delay": "soon"}), "opts.delay"),
            (json!({"jobId": "123"}), "opts.jobId"),
            (json!({"jobId": "a:b"}), "opts.jobId"),
            (json!({"backoff": {"type": 7}}), "opts.backoff.type"),
            (json!({"removeOnComplete": "yes"}), "opts.removeOnComplete"),
        ] {
            match opts(v) {
                Err(Error::InvalidOption { field: f, .. } | Error::Refused { field: f, .. }) => {
                    assert_eq!(f, field)
                }
                other => panic!("expected InvalidOption for {field}, got {other:?}"),
            }
        }
    }

    #[test]
    fn refuses_with_bullmq_messages() {
        for (v, message) in [
            (json!({"jobId": "12"}), "Custom Id cannot be integers"),
            (json!({"jobId": "-3"}), "Custom Id cannot be integers"),
            (json!({"jobId": "a:b"}), "Custom Id cannot contain :"),
            (json!({"priority": 1.5}), "Priority should not be float"),
            (
                json!({"priority": 2_097_152}),
                "Priority should be between 0 and 2097151",
            ),
            (
                json!({"backoff": {"type": "fixed", "jitter": 2}}),
                "Jitter should be between 0 and 1",
            ),
            (
                json!({"deduplication": {"id": ""}}),
                "Deduplication id must be provided",
            ),
            (
                json!({"debounce": {"id": "x"}}),
                "Debounce option has been removed. Use deduplication option instead",
            ),
            (
                json!({"failParentOnFailure": true, "ignoreDependencyOnFailure": true}),
                "The following options cannot be used together: failParentOnFailure, ignoreDependencyOnFailure",
            ),
        ] {
            match opts(v.clone()) {
                Err(e @ Error::Refused { .. }) => {
                    assert_eq!(e.to_string(), message);
                    assert_eq!(e.code(), crate::engine::ErrorCode::InvalidOption);
                }
                other => panic!("expected {message:?} for {v}, got {other:?}"),
            }
        }
    }

    #[test]
    fn accepts_what_bullmq_accepts() {
        let o = opts(json!({"jobId": "", "priority": 2_097_151, "backoff": {"type": "my-type"}}))
            .unwrap();
        assert_eq!(o.job_id, None);
        assert_eq!(o.priority, 2_097_151);
        // Not integers to BullMQ: a leading zero, a plus sign, "-0", beyond 2^53.
        for id in ["012", "+5", "-0", "9007199254740993"] {
            assert!(validate_job_id(id).is_ok(), "{id}");
        }
    }

    #[test]
    fn three_segment_ids_are_allowed() {
        assert!(validate_job_id("repeat:abc:123").is_ok());
        assert!(validate_job_id("user-1").is_ok());
    }
}
