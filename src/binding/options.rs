//! JS option objects (received as JSON text) → engine options. Validation
//! errors name the field as the user wrote it. This is also where environment
//! defaults (REDIS_URL, REDIS_HOST, ...) are read: the engine reads none.

use serde_json::{Map, Value};

use crate::engine::{self, ConnectionOptions, KeepJobs, Limiter, QueueOptions, WorkerOptions};

type R<T> = engine::Result<T>;

fn obj(v: &Value, field: &str) -> R<Map<String, Value>> {
    match v {
        Value::Object(o) => Ok(o.clone()),
        Value::Null => Ok(Map::new()),
        _ => Err(engine::Error::invalid(field, "must be an object")),
    }
}

/// Parses options JSON text into an object.
pub fn parse(json: &str, field: &str) -> R<Map<String, Value>> {
    let v: Value = serde_json::from_str(json)
        .map_err(|e| engine::Error::invalid(field, format!("not valid JSON ({e})")))?;
    obj(&v, field)
}

fn string(o: &Map<String, Value>, key: &str, field: &str) -> R<Option<String>> {
    match o.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(Value::Number(n)) => Ok(Some(n.to_string())),
        Some(_) => Err(engine::Error::invalid(
            format!("{field}.{key}"),
            "must be a string",
        )),
    }
}

fn uint(o: &Map<String, Value>, key: &str, field: &str) -> R<Option<u64>> {
    match o.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => match v.as_f64() {
            Some(x) if x >= 0.0 && x.fract() == 0.0 && x < 9.0e15 => Ok(Some(x as u64)),
            _ => Err(engine::Error::invalid(
                format!("{field}.{key}"),
                format!("must be an integer >= 0, got {v}"),
            )),
        },
    }
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|s| !s.is_empty())
}

/// `connection` → engine options; missing parts come from REDIS_URL, else
/// REDIS_HOST / REDIS_PORT / REDIS_USERNAME / REDIS_PASSWORD / REDIS_DB.
pub fn connection(v: Option<&Value>) -> R<ConnectionOptions> {
    let field = "connection";
    let o = match v {
        Some(Value::String(url)) => {
            let mut m = Map::new();
            m.insert("url".into(), Value::String(url.clone()));
            m
        }
        Some(Value::Array(nodes)) => {
            let mut m = Map::new();
            m.insert("cluster".into(), Value::Array(nodes.clone()));
            m
        }
        Some(v) => obj(v, field)?,
        None => Map::new(),
    };
    let mut c = ConnectionOptions {
        url: string(&o, "url", field)?,
        host: string(&o, "host", field)?,
        port: uint(&o, "port", field)?
            .map(|p| {
                u16::try_from(p)
                    .map_err(|_| engine::Error::invalid("connection.port", "must be 0..65535"))
            })
            .transpose()?,
        username: string(&o, "username", field)?,
        password: string(&o, "password", field)?,
        db: uint(&o, "db", field)?.map(|d| d as i64),
        tls: false,
        tls_ca_pem: None,
        cluster: None,
    };
    if let Some(nodes) = o.get("cluster").filter(|v| !v.is_null()) {
        let Value::Array(nodes) = nodes else {
            return Err(engine::Error::invalid(
                "connection.cluster",
                "must be a list of nodes",
            ));
        };
        let mut list = Vec::with_capacity(nodes.len());
        for (i, n) in nodes.iter().enumerate() {
            list.push(match n {
                Value::String(s) => s.clone(),
                Value::Object(h) => {
                    let host = string(h, "host", "connection.cluster")?
                        .unwrap_or_else(|| "127.0.0.1".into());
                    let port = uint(h, "port", "connection.cluster")?.unwrap_or(6379);
                    format!("{host}:{port}")
                }
                _ => {
                    return Err(engine::Error::invalid(
                        format!("connection.cluster[{i}]"),
                        "must be a URL or { host, port }",
                    ));
                }
            });
        }
        c.cluster = Some(list);
    }
    match o.get("tls") {
        None | Some(Value::Null) | Some(Value::Bool(false)) => {}
        Some(Value::Bool(true)) => c.tls = true,
        Some(Value::Object(t)) => {
            c.tls = true;
            if let Some(ca) = string(t, "ca", "connection.tls")? {
                c.tls_ca_pem = Some(ca.into_bytes());
            }
        }
        Some(_) => {
            return Err(engine::Error::invalid(
                "connection.tls",
                "must be a boolean or { ca }",
            ));
        }
    }
    if c.url.is_none() && c.host.is_none() && c.cluster.is_none() {
        if let Some(url) = env("REDIS_URL") {
            c.url = Some(url);
        } else {
            c.host = env("REDIS_HOST");
            if c.port.is_none() {
                c.port = env("REDIS_PORT").and_then(|p| p.parse().ok());
            }
            if c.password.is_none() {
                c.password = env("REDIS_PASSWORD");
            }
            if c.username.is_none() {
                c.username = env("REDIS_USERNAME");
            }
            if c.db.is_none() {
                c.db = env("REDIS_DB").and_then(|d| d.parse().ok());
            }
        }
    }
    Ok(c)
}

/// Queue options: `{ connection, prefix, maxDataBytes }`.
pub fn queue(o: &Map<String, Value>) -> R<(ConnectionOptions, QueueOptions)> {
    let mut q = QueueOptions::default();
    if let Some(p) = string(o, "prefix", "opts")? {
        q.prefix = p;
    }
    if let Some(m) = uint(o, "maxDataBytes", "opts")? {
        q.max_data_bytes = m as usize;
    }
    Ok((connection(o.get("connection"))?, q))
}

/// Worker options in BullMQ's names.
pub fn worker(o: &Map<String, Value>) -> R<WorkerOptions> {
    let f = "opts";
    let mut w = WorkerOptions::default();
    if let Some(c) = o.get("concurrency").filter(|v| !v.is_null()) {
        match c.as_f64() {
            Some(x) if x >= 1.0 && x.fract() == 0.0 && x <= 1_000_000.0 => {
                w.concurrency = x as usize
            }
            _ => {
                return Err(engine::Error::invalid(
                    "opts.concurrency",
                    format!("must be an integer >= 1, got {c}"),
                ));
            }
        }
    }
    if let Some(v) = uint(o, "lockDuration", f)? {
        w.lock_duration_ms = v;
        w.lock_renew_time_ms = v / 2;
    }
    if let Some(v) = uint(o, "lockRenewTime", f)? {
        w.lock_renew_time_ms = v;
    }
    if let Some(v) = uint(o, "stalledInterval", f)? {
        w.stalled_interval_ms = v;
    }
    if let Some(v) = uint(o, "maxStalledCount", f)? {
        w.max_stalled_count = v;
    }
    // Seconds, fractions allowed (BullMQ takes any number, e.g. 0.5).
    match o.get("drainDelay") {
        None | Some(Value::Null) => {}
        Some(v) => match v.as_f64() {
            Some(x) if x >= 0.0 && x.is_finite() => w.drain_delay_s = x,
            _ => {
                return Err(engine::Error::invalid(
                    "opts.drainDelay",
                    format!("must be a number of seconds >= 0, got {v}"),
                ));
            }
        },
    }
    if let Some(l) = o.get("limiter").filter(|v| !v.is_null()) {
        let l = obj(l, "opts.limiter")?;
        let max = uint(&l, "max", "opts.limiter")?
            .ok_or_else(|| engine::Error::invalid("opts.limiter.max", "is required"))?;
        let duration = uint(&l, "duration", "opts.limiter")?
            .ok_or_else(|| engine::Error::invalid("opts.limiter.duration", "is required"))?;
        w.limiter = Some(Limiter {
            max,
            duration_ms: duration,
        });
    }
    w.name = string(o, "name", f)?;
    if let Some(v) = o.get("removeOnComplete").filter(|v| !v.is_null()) {
        w.remove_on_complete = Some(KeepJobs::from_json(v, "opts.removeOnComplete")?);
    }
    if let Some(v) = o.get("removeOnFail").filter(|v| !v.is_null()) {
        w.remove_on_fail = Some(KeepJobs::from_json(v, "opts.removeOnFail")?);
    }
    w.skip_stalled_check = o
        .get("skipStalledCheck")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    w.skip_lock_renewal = o
        .get("skipLockRenewal")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    if let Some(m) = o.get("metrics").filter(|v| !v.is_null()) {
        let m = obj(m, "opts.metrics")?;
        w.metrics_max_data_points = uint(&m, "maxDataPoints", "opts.metrics")?
            .unwrap_or(engine::options::DEFAULT_METRICS_MAX_DATA_POINTS)
            .max(1);
    }
    w.validate()?;
    Ok(w)
}
