//! QueueEvents: reads a queue's events stream (XREAD BLOCK on a dedicated
//! connection named `<prefix>:<base64(name)>:qe`, as BullMQ names it) and hands
//! each batch of entries to an [`EventSink`].

use std::sync::{Arc, Mutex};

use redis::Value;
use tokio::sync::Notify;

use super::connection::{ConnectionOptions, Target, blocking_connection, check_cluster_keys};
use super::error::{Error, Result};
use super::keys::QueueKeys;
use super::queue::validate_queue_name;
use super::retry::Outage;
use super::shutdown::{Shutdown, ShutdownSignal};

/// One XRANGE/XREVRANGE entry: id and field/value pairs.
type StreamEntry = (String, Vec<(String, String)>);

/// BullMQ's default XREAD block time (ms).
pub const DEFAULT_BLOCKING_TIMEOUT_MS: u64 = 10_000;

/// One stream entry: its id and its field/value pairs (`event` among them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamEvent {
    /// Stream entry id (`<ms>-<seq>`).
    pub id: String,
    /// Field/value pairs in stream order.
    pub fields: Vec<(String, String)>,
}

/// Where QueueEvents sends what it reads.
pub trait EventSink: Send + Sync + 'static {
    /// A batch of entries, in stream order.
    fn events(&self, events: Vec<StreamEvent>);
    /// A read error (its stable code and message); the reader keeps retrying.
    fn error(&self, code: &'static str, message: String);
}

fn report(sink: &Arc<dyn EventSink>, key: &str, e: &Error) {
    tracing::warn!(events = %key, code = %e.code(), error = %e, "queue events reader error");
    sink.error(e.code().as_str(), e.to_string());
}

/// Options of a [`QueueEvents`] reader.
#[derive(Debug, Clone)]
pub struct QueueEventsOptions {
    /// Key prefix.
    pub prefix: String,
    /// Start after this entry id; `None` = only events from now on (`$`).
    pub last_event_id: Option<String>,
    /// XREAD BLOCK time (ms).
    pub blocking_timeout_ms: u64,
}

impl Default for QueueEventsOptions {
    fn default() -> Self {
        QueueEventsOptions {
            prefix: super::options::DEFAULT_PREFIX.into(),
            last_event_id: None,
            blocking_timeout_ms: DEFAULT_BLOCKING_TIMEOUT_MS,
        }
    }
}

/// A reader of one queue's events stream.
pub struct QueueEvents {
    target: Target,
    events_key: String,
    client_name: String,
    opts: QueueEventsOptions,
    sink: Mutex<Option<Arc<dyn EventSink>>>,
    ready: Arc<Notify>,
    is_ready: Arc<std::sync::atomic::AtomicBool>,
    /// The reader's last failure while not yet ready (what `wait_until_ready` rejects with).
    failure: Arc<Mutex<Option<Error>>>,
    running: tokio::sync::Mutex<Option<(Shutdown, tokio::task::JoinHandle<()>)>>,
}

impl QueueEvents {
    /// Creates the reader (no I/O until [`QueueEvents::run`]).
    pub fn new(
        name: &str,
        connection: &ConnectionOptions,
        opts: QueueEventsOptions,
        sink: Arc<dyn EventSink>,
    ) -> Result<Self> {
        validate_queue_name(name)?;
        let keys = QueueKeys::new(&opts.prefix, name);
        let target = connection.target()?;
        if target.is_cluster() {
            check_cluster_keys(keys.base())?;
        }
        Ok(QueueEvents {
            target,
            events_key: keys.events.clone(),
            client_name: format!(
                "{}:qe",
                QueueKeys::worker_client_name(&opts.prefix, name, None)
            ),
            opts,
            sink: Mutex::new(Some(sink)),
            ready: Arc::new(Notify::new()),
            is_ready: Arc::new(std::sync::atomic::AtomicBool::new(false)),
            failure: Arc::new(Mutex::new(None)),
            running: tokio::sync::Mutex::new(None),
        })
    }

    /// Starts reading on the current tokio runtime. Calling it twice is a no-op.
    pub fn run(&self) {
        let Ok(mut running) = self.running.try_lock() else {
            return;
        };
        if running.is_some() {
            return;
        }
        let Some(sink) = self.sink.lock().unwrap_or_else(|e| e.into_inner()).clone() else {
            return;
        };
        let (shutdown, signal) = Shutdown::new();
        let task = tokio::spawn(read_loop(
            self.target.clone(),
            self.events_key.clone(),
            self.client_name.clone(),
            self.opts.clone(),
            sink,
            signal,
            Readiness {
                ready: self.ready.clone(),
                is_ready: self.is_ready.clone(),
                failure: self.failure.clone(),
            },
        ));
        *running = Some((shutdown, task));
    }

    /// Resolves once the reader is connected and positioned in the stream:
    /// every event written after this resolves will be delivered. While the
    /// reader has never been ready, its failure to connect (or to read the
    /// stream's position) is returned instead of waiting on: the reader keeps
    /// retrying, so a later call can succeed.
    pub async fn wait_until_ready(&self) -> Result<()> {
        loop {
            let notified = self.ready.notified();
            if self.is_ready.load(std::sync::atomic::Ordering::Acquire) {
                return Ok(());
            }
            if let Some(e) = self
                .failure
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .clone()
            {
                return Err(e);
            }
            notified.await;
        }
    }

    /// Stops reading and releases the sink. Idempotent.
    pub async fn close(&self) {
        if let Some((shutdown, task)) = self.running.lock().await.take() {
            shutdown.fire();
            let _ = task.await;
        }
        self.sink.lock().unwrap_or_else(|e| e.into_inner()).take();
        // Let anyone waiting for readiness go.
        self.is_ready
            .store(true, std::sync::atomic::Ordering::Release);
        self.ready.notify_waiters();
    }
}

/// What the read loop tells `wait_until_ready`: ready, or why not yet.
struct Readiness {
    ready: Arc<Notify>,
    is_ready: Arc<std::sync::atomic::AtomicBool>,
    failure: Arc<Mutex<Option<Error>>>,
}

impl Readiness {
    /// Positioned in the stream: waiters resolve, and a past failure is forgotten.
    fn ready(&self) {
        self.failure
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        if !self
            .is_ready
            .swap(true, std::sync::atomic::Ordering::AcqRel)
        {
            self.ready.notify_waiters();
        }
    }

    /// An attempt failed: while never ready, waiters reject with `e`.
    fn failed(&self, e: &Error) {
        if self.is_ready.load(std::sync::atomic::Ordering::Acquire) {
            return;
        }
        *self.failure.lock().unwrap_or_else(|e| e.into_inner()) = Some(e.clone());
        self.ready.notify_waiters();
    }
}

async fn read_loop(
    target: Target,
    key: String,
    client_name: String,
    opts: QueueEventsOptions,
    sink: Arc<dyn EventSink>,
    mut stop: ShutdownSignal,
    readiness: Readiness,
) {
    let mut last_id = opts.last_event_id.clone();
    let mut outage = Outage::new("queue events", key.clone());
    // After a failure: report it once per episode, pause, connect again.
    let mut failure: Option<Error> = None;
    'connect: loop {
        if let Some(e) = failure.take() {
            readiness.failed(&e);
            let (pause, first) = outage.failed(&e);
            if first {
                report(&sink, &key, &e);
            }
            tokio::select! {
                _ = stop.fired() => return,
                _ = tokio::time::sleep(pause) => {}
            }
        }
        if stop.is_fired() {
            return;
        }
        let con = tokio::select! {
            _ = stop.fired() => return,
            c = blocking_connection(&target, &client_name) => c,
        };
        let mut con = match con {
            Ok(c) => c,
            Err(e) => {
                failure = Some(e);
                continue 'connect;
            }
        };
        // "$" would miss what is written between now and the first XREAD; pin
        // the position to the current last entry instead.
        if last_id.is_none() {
            let r: redis::RedisResult<Vec<StreamEntry>> = redis::cmd("XREVRANGE")
                .arg(&key)
                .arg("+")
                .arg("-")
                .arg("COUNT")
                .arg(1)
                .query_async(&mut con)
                .await;
            match r {
                Ok(v) => {
                    outage.succeeded();
                    last_id = Some(
                        v.into_iter()
                            .next()
                            .map(|(id, _)| id)
                            .unwrap_or_else(|| "0-0".into()),
                    )
                }
                Err(e) => {
                    failure = Some(Error::from(e));
                    continue 'connect;
                }
            }
        }
        readiness.ready();
        loop {
            let from = last_id.clone().unwrap_or_else(|| "$".into());
            let mut cmd = redis::cmd("XREAD");
            cmd.arg("BLOCK")
                .arg(opts.blocking_timeout_ms.max(1))
                .arg("STREAMS")
                .arg(&key)
                .arg(&from);
            let read = cmd.query_async::<Value>(&mut con);
            let reply = tokio::select! {
                _ = stop.fired() => return,
                r = read => r,
            };
            match reply {
                Ok(v) => {
                    outage.succeeded();
                    let events = parse_xread(v);
                    if let Some(last) = events.last() {
                        last_id = Some(last.id.clone());
                        sink.events(events);
                    }
                }
                Err(e) => {
                    failure = Some(Error::from(e));
                    continue 'connect;
                }
            }
        }
    }
}

/// XREAD's reply (`[[key, [[id, [f, v, ...]], ...]]]`, or a RESP3 map) → entries.
fn parse_xread(v: Value) -> Vec<StreamEvent> {
    let mut out = Vec::new();
    let streams = match v {
        Value::Array(a) => a,
        Value::Map(m) => m
            .into_iter()
            .map(|(k, v)| Value::Array(vec![k, v]))
            .collect(),
        _ => return out,
    };
    for stream in streams {
        let Value::Array(mut pair) = stream else {
            continue;
        };
        if pair.len() != 2 {
            continue;
        }
        let Value::Array(entries) = pair.pop().unwrap_or(Value::Nil) else {
            continue;
        };
        for entry in entries {
            let Ok((id, flat)) = redis::from_redis_value::<(String, Vec<String>)>(entry) else {
                continue;
            };
            let mut fields = Vec::with_capacity(flat.len() / 2);
            let mut it = flat.into_iter();
            while let (Some(k), Some(v)) = (it.next(), it.next()) {
                fields.push((k, v));
            }
            out.push(StreamEvent { id, fields });
        }
    }
    out
}
