//! The producer side and every read path: add, add_bulk, getters, progress,
//! logs, pause/resume, remove, retry. A `Queue` is cheap to clone and shares one
//! multiplexed connection.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use redis::Value;
use tokio::sync::OnceCell;

use super::connection::{Conn, ConnectionOptions, Target, check_cluster_keys, command_connection};
use super::error::{Error, Result};
use super::job::{FinishedState, Job};
use super::keys::QueueKeys;
use super::options::{JobOptions, QueueOptions};
use super::script_flags::ServerFeatures;
use super::scripts;
use super::transitions::add_jobs::AddJobs;
use super::transitions::add_log::AddLog;
use super::transitions::get_state::GetState;
use super::transitions::pause::Pause;
use super::transitions::remove_job::RemoveJob;
use super::transitions::reprocess_job::ReprocessJob;
use super::transitions::update_progress::UpdateProgress;

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

/// A job to add: its name, `data` as JSON text, and validated options.
#[derive(Debug, Clone)]
pub struct NewJob {
    /// Job name.
    pub name: String,
    /// `data` as JSON text.
    pub data: String,
    /// Validated options.
    pub opts: JobOptions,
}

/// Counts per state, in the order asked.
pub type JobCounts = Vec<(String, u64)>;

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
    if name.is_empty() {
        return Err(Error::invalid("name", "queue name must not be empty"));
    }
    if name.contains(':') {
        return Err(Error::invalid(
            "name",
            format!("queue name \"{name}\" must not contain ':'"),
        ));
    }
    Ok(())
}

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

    /// Writes meta `opts.maxLenEvents` and `version` once, as BullMQ's Queue does on connect.
    pub(crate) async fn ensure_meta(&self) -> Result<()> {
        self.inner
            .meta_written
            .get_or_try_init(|| async {
                let mut con = self.con()?;
                redis::cmd("HSET")
                    .arg(&self.inner.keys.meta)
                    .arg("opts.maxLenEvents")
                    .arg(DEFAULT_MAX_EVENTS)
                    .arg("version")
                    .arg(META_VERSION)
                    .query_async::<()>(&mut con)
                    .await?;
                Ok::<(), Error>(())
            })
            .await?;
        Ok(())
    }

    /// Adds one job; resolves with its id (the existing id for a duplicate custom
    /// id or a deduplicated add).
    pub async fn add(&self, job: NewJob) -> Result<String> {
        let mut ids = self.add_bulk(vec![job]).await?;
        ids.pop().ok_or(Error::Script {
            name: scripts::ADD_JOBS.name,
            code: 0,
        })
    }

    /// Adds many jobs in one atomic script call; ids in input order.
    pub async fn add_bulk(&self, jobs: Vec<NewJob>) -> Result<Vec<String>> {
        if jobs.is_empty() {
            return Ok(Vec::new());
        }
        for (i, j) in jobs.iter().enumerate() {
            let field = || {
                if jobs.len() > 1 {
                    format!("jobs[{i}].data")
                } else {
                    "data".into()
                }
            };
            let max = self.inner.opts.max_data_bytes;
            if max > 0 && j.data.len() > max {
                return Err(Error::invalid(
                    field(),
                    format!("is {} bytes, over the limit of {max} bytes", j.data.len()),
                ));
            }
            // The job's own opts.sizeLimit, checked as BullMQ does (UTF-8 bytes of the JSON).
            if let Some(limit) = j.opts.size_limit
                && j.data.len() as u64 > limit
            {
                return Err(Error::refused(
                    field(),
                    format!("The size of job {} exceeds the limit {limit} bytes", j.name),
                ));
            }
        }
        self.ensure_meta().await?;
        if jobs.iter().any(|j| j.opts.parent.is_some()) {
            // Flow children (`opts.parent`): see flow/mod.rs.
            return self.add_with_parents(jobs, now_ms()).await;
        }
        let ids = AddJobs {
            jobs: &jobs,
            now_ms: now_ms(),
        }
        .run(self)
        .await?;
        tracing::debug!(queue = %self.inner.name, count = ids.len(), first_id = ?ids.first(), "jobs added");
        Ok(ids)
    }

    /// Reads one job, or `None` if it does not exist.
    pub async fn get_job(&self, id: &str) -> Result<Option<Job>> {
        let mut con = self.con()?;
        let fields: Vec<String> = redis::cmd("HGETALL")
            .arg(self.inner.keys.job(id))
            .query_async(&mut con)
            .await?;
        Ok(Job::from_fields(id, fields))
    }

    /// Reads many jobs in one round trip, skipping missing ones.
    pub async fn get_jobs_by_id(&self, ids: &[String]) -> Result<Vec<Job>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut pipe = redis::pipe();
        for id in ids {
            pipe.cmd("HGETALL").arg(self.inner.keys.job(id));
        }
        let mut con = self.con()?;
        let all: Vec<Vec<String>> = pipe.query_async(&mut con).await?;
        Ok(ids
            .iter()
            .zip(all)
            .filter_map(|(id, f)| Job::from_fields(id, f))
            .collect())
    }

    /// Counts jobs per state (`waiting` = `wait`; unknown names count 0 as in BullMQ).
    pub async fn get_job_counts(&self, states: &[String]) -> Result<JobCounts> {
        let mut pipe = redis::pipe();
        for s in states {
            let key = self.inner.keys.state(s);
            match (s.as_str(), key) {
                ("wait" | "waiting" | "active" | "paused", Some(k)) => pipe.cmd("LLEN").arg(k),
                (_, Some(k)) => pipe.cmd("ZCARD").arg(k),
                // BullMQ counts any other name as the ZSET P<name>.
                (other, None) => pipe
                    .cmd("ZCARD")
                    .arg(format!("{}{other}", self.inner.keys.base())),
            };
        }
        let mut con = self.con()?;
        let counts: Vec<u64> = pipe.query_async(&mut con).await?;
        Ok(states.iter().cloned().zip(counts).collect())
    }

    /// Job ids in the given states, `start..=end` of each (negative `end` = to the
    /// end), ascending = oldest first, as BullMQ's getRanges.
    pub async fn get_ranges(
        &self,
        states: &[String],
        start: i64,
        end: i64,
        asc: bool,
    ) -> Result<Vec<String>> {
        let mut pipe = redis::pipe();
        let mut list_kinds = Vec::new();
        for s in states {
            let Some(key) = self.inner.keys.state(s) else {
                return Err(Error::invalid(
                    "types",
                    format!("unknown job state \"{s}\""),
                ));
            };
            let is_list = matches!(s.as_str(), "wait" | "waiting" | "active" | "paused");
            list_kinds.push(is_list);
            if is_list {
                if asc {
                    // Oldest first = from the tail.
                    let (a, b) = (-(end + 1), -(start + 1));
                    pipe.cmd("LRANGE")
                        .arg(key)
                        .arg(if end < 0 { 0 } else { a })
                        .arg(b);
                } else {
                    pipe.cmd("LRANGE").arg(key).arg(start).arg(end);
                }
            } else if asc {
                pipe.cmd("ZRANGE").arg(key).arg(start).arg(end);
            } else {
                pipe.cmd("ZREVRANGE").arg(key).arg(start).arg(end);
            }
        }
        let mut con = self.con()?;
        let ranges: Vec<Vec<String>> = pipe.query_async(&mut con).await?;
        let mut ids = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for (mut r, is_list) in ranges.into_iter().zip(list_kinds) {
            if is_list && asc {
                r.reverse();
            }
            for id in r {
                if seen.insert(id.clone()) {
                    ids.push(id);
                }
            }
        }
        Ok(ids)
    }

    /// Jobs in the given states (see [`Queue::get_ranges`]).
    pub async fn get_jobs(
        &self,
        states: &[String],
        start: i64,
        end: i64,
        asc: bool,
    ) -> Result<Vec<Job>> {
        let ids = self.get_ranges(states, start, end, asc).await?;
        self.get_jobs_by_id(&ids).await
    }

    /// The job's state as BullMQ names it (`unknown` when in none).
    pub async fn get_state(&self, id: &str) -> Result<String> {
        GetState { job_id: id }.run(self).await
    }

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

    /// Log lines `start..=end` (ascending) and the total count.
    pub async fn get_job_logs(
        &self,
        id: &str,
        start: i64,
        end: i64,
        asc: bool,
    ) -> Result<(Vec<String>, u64)> {
        let key = self.inner.keys.logs(id);
        let (a, b) = if asc {
            (start, end)
        } else {
            (-(end + 1), -(start + 1))
        };
        let mut con = self.con()?;
        let (mut logs, count): (Vec<String>, u64) = redis::pipe()
            .cmd("LRANGE")
            .arg(&key)
            .arg(a)
            .arg(b)
            .cmd("LLEN")
            .arg(&key)
            .query_async(&mut con)
            .await?;
        if !asc {
            logs.reverse();
        }
        Ok((logs, count))
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

    /// Moves a completed or failed job back to wait (BullMQ's `job.retry(state)`).
    pub async fn retry_job(
        &self,
        id: &str,
        state: &str,
        reset_attempts_made: bool,
        reset_attempts_started: bool,
    ) -> Result<()> {
        let from = FinishedState::parse(state, "state")?;
        let lifo = match self.get_job(id).await? {
            Some(j) => j.settings().map(|s| s.lifo).unwrap_or(false),
            None => {
                return Err(Error::JobNotFound {
                    id: id.into(),
                    command: scripts::REPROCESS_JOB.name,
                });
            }
        };
        ReprocessJob {
            job_id: id,
            from,
            lifo,
            reset_attempts_made,
            reset_attempts_started,
        }
        .run(self)
        .await
    }

    /// Pauses the whole queue: workers fetch nothing until `resume`.
    pub async fn pause(&self) -> Result<()> {
        Pause::Pause.run(self).await
    }

    /// Resumes a paused queue.
    pub async fn resume(&self) -> Result<()> {
        Pause::Resume.run(self).await
    }

    /// Whether the queue is paused (meta `paused` exists).
    pub async fn is_paused(&self) -> Result<bool> {
        let mut con = self.con()?;
        Ok(redis::cmd("HEXISTS")
            .arg(&self.inner.keys.meta)
            .arg("paused")
            .query_async(&mut con)
            .await?)
    }

    /// The `CLIENT LIST` entries of this queue's workers, as BullMQ's `getWorkers()`.
    pub async fn get_workers(&self) -> Result<Vec<Vec<(String, String)>>> {
        let mut con = self.con()?;
        let list: String = redis::cmd("CLIENT")
            .arg("LIST")
            .query_async(&mut con)
            .await?;
        let base = QueueKeys::worker_client_name(&self.inner.prefix, &self.inner.name, None);
        let worker_prefix = format!("{base}:w:");
        Ok(list
            .lines()
            .map(|line| {
                line.split(' ')
                    .filter_map(|kv| kv.split_once('='))
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect::<Vec<_>>()
            })
            .filter(|fields| {
                fields
                    .iter()
                    .any(|(k, v)| k == "name" && (*v == base || v.starts_with(&worker_prefix)))
            })
            .collect())
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
