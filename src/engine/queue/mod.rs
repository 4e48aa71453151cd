//! A handle on one queue: the producer side, every read path and queue control.
//! A `Queue` is cheap to clone and shares one multiplexed connection. The
//! methods are split by concern; each state change is a short call into its
//! module in [`transitions`](super::transitions):
//! - `mod.rs`: the handle itself (connection, meta, close);
//! - `add.rs`: `add`, `add_bulk`;
//! - `lane.rs`: adds sent on a socket the caller owns (the JS add lane);
//! - `getters.rs`: jobs, counts, ranges, states, logs, workers, metrics;
//! - `job_changes.rs`: changes to one job by id (progress, log, data, delay,
//!   priority, promote, move to delayed, remove, retry);
//! - `control.rs`: the whole queue (pause/resume, clean, drain, obliterate,
//!   bulk retry/promote, events trimming);
//! - `limits.rs`: rate limits and global concurrency.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use redis::Value;
use tokio::sync::OnceCell;

use super::connection::{Conn, ConnectionOptions, Target, check_cluster_keys, command_connection};
use super::error::{Error, Result};
use super::keys::QueueKeys;
use super::options::QueueOptions;
use super::script_flags::ServerFeatures;

/// What ferroq writes as meta `version`. BullMQ writes `bullmq:<version>` and
/// tools key on that prefix (bull-board accepts a queue whose version starts
/// with `bullmq`): ferroq names the BullMQ release whose data layout it keeps,
/// with its own version as semver build metadata. The JS Queue's `metaValues`
/// shows the same string.
pub const META_VERSION: &str = concat!("bullmq:6.7.0+ferroq.", env!("CARGO_PKG_VERSION"));
/// BullMQ's default events stream cap.
pub const DEFAULT_MAX_EVENTS: u64 = 10_000;

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// A handle on one queue. Cloning shares the connection.
#[derive(Clone)]
pub struct Queue {
    pub(crate) inner: Arc<QueueInner>,
}

pub(crate) struct QueueInner {
    pub(crate) name: String,
    pub(crate) prefix: String,
    pub(crate) keys: QueueKeys,
    pub(crate) target: Target,
    pub(crate) con: Conn,
    opts: QueueOptions,
    meta_written: OnceCell<()>,
    closed: AtomicBool,
    /// What the server supports (script flags), asked on first use.
    pub(crate) server: OnceCell<ServerFeatures>,
}

/// Checks a queue name as BullMQ does: non-empty, no ':'.
pub fn validate_queue_name(name: &str) -> Result<()> {
    // BullMQ's messages, so code matching them keeps working.
    if name.is_empty() {
        return Err(Error::invalid("name", "Queue name must be provided"));
    }
    if name.contains(':') {
        return Err(Error::invalid(
            "name",
            format!("Queue name cannot contain : (\"{name}\")"),
        ));
    }
    Ok(())
}

mod add;
mod control;
mod getters;
mod job_changes;
mod lane;
mod limits;

pub use add::NewJob;
pub use getters::{JobCounts, Metrics};
pub use lane::{LaneAnswer, LanePlan, LaneReader, LaneTemplate, lane_answer};

impl Queue {
    /// Creates the handle; no I/O happens until the first command.
    pub fn new(name: &str, connection: &ConnectionOptions, opts: QueueOptions) -> Result<Queue> {
        validate_queue_name(name)?;
        if opts.prefix.is_empty() {
            return Err(Error::invalid("prefix", "must not be empty"));
        }
        let target = connection.target()?;
        let keys = QueueKeys::new(&opts.prefix, name);
        if target.is_cluster() {
            check_cluster_keys(keys.base())?;
        }
        let con = command_connection(&target)?;
        Ok(Queue {
            inner: Arc::new(QueueInner {
                name: name.to_string(),
                prefix: opts.prefix.clone(),
                keys,
                target,
                con,
                opts,
                meta_written: OnceCell::new(),
                closed: AtomicBool::new(false),
                server: OnceCell::new(),
            }),
        })
    }

    /// A handle on queue `name` under `prefix` that shares this one's
    /// connection (BullMQ's `forQueue`): flows touch many queues through one.
    pub fn sibling(&self, prefix: &str, name: &str) -> Result<Queue> {
        Queue::sharing(&self.inner.target, &self.inner.con, prefix, name)
    }

    /// A handle on queue `name` over an existing connection (no I/O).
    pub(crate) fn sharing(target: &Target, con: &Conn, prefix: &str, name: &str) -> Result<Queue> {
        validate_queue_name(name)?;
        if prefix.is_empty() {
            return Err(Error::invalid("prefix", "must not be empty"));
        }
        let keys = QueueKeys::new(prefix, name);
        if target.is_cluster() {
            check_cluster_keys(keys.base())?;
        }
        let opts = QueueOptions {
            prefix: prefix.to_string(),
            ..QueueOptions::default()
        };
        Ok(Queue {
            inner: Arc::new(QueueInner {
                name: name.to_string(),
                prefix: prefix.to_string(),
                keys,
                target: target.clone(),
                con: con.clone(),
                opts,
                meta_written: OnceCell::new(),
                server: OnceCell::new(),
                closed: AtomicBool::new(false),
            }),
        })
    }

    /// The queue's name.
    pub fn name(&self) -> &str {
        &self.inner.name
    }

    /// The key prefix.
    pub fn prefix(&self) -> &str {
        &self.inner.prefix
    }

    /// The queue's key names.
    pub fn keys(&self) -> &QueueKeys {
        &self.inner.keys
    }

    pub(crate) fn con(&self) -> Result<Conn> {
        if self.inner.closed.load(Ordering::Acquire) {
            return Err(Error::Closed("queue"));
        }
        Ok(self.inner.con.clone())
    }

    /// Commands the queue's connection sent a second time after a drop (see
    /// [`Conn::resends`]).
    pub(crate) fn resends(&self) -> u64 {
        self.inner.con.resends()
    }

    /// Writes meta `opts.maxLenEvents` and `version` once, as BullMQ's Queue does
    /// on connect (unless `skip_metas_update`).
    pub(crate) async fn ensure_meta(&self) -> Result<()> {
        if self.inner.opts.skip_metas_update {
            return Ok(());
        }
        self.inner
            .meta_written
            .get_or_try_init(|| async {
                let mut con = self.con()?;
                redis::cmd("HSET")
                    .arg(&self.inner.keys.meta)
                    .arg("opts.maxLenEvents")
                    .arg(self.inner.opts.max_len_events.unwrap_or(DEFAULT_MAX_EVENTS))
                    .arg("version")
                    .arg(META_VERSION)
                    .query_async::<()>(&mut con)
                    .await?;
                Ok::<(), Error>(())
            })
            .await?;
        Ok(())
    }

    /// Sends one raw command on the queue's connection (used by tests and tools).
    pub async fn raw(&self, cmd: &redis::Cmd) -> Result<Value> {
        let mut con = self.con()?;
        Ok(cmd.query_async(&mut con).await?)
    }

    /// Marks the handle closed; later calls fail with `Closed`. Idempotent.
    pub fn close(&self) {
        self.inner.closed.store(true, Ordering::Release);
    }

    /// Whether `close` was called.
    pub fn is_closed(&self) -> bool {
        self.inner.closed.load(Ordering::Acquire)
    }
}
