//! Every read path: jobs, counts, ranges, states, logs, workers, dedup owners
//! and metrics. Plain reads go straight to Redis; `get_state` is a transition.

use super::Queue;
use crate::engine::error::{Error, Result};
use crate::engine::job::{FinishedState, Job};
use crate::engine::keys::QueueKeys;
use crate::engine::transitions::get_state::GetState;

/// Counts per state, in the order asked.
pub type JobCounts = Vec<(String, u64)>;

/// BullMQ's `getMetrics` answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Metrics {
    /// `count`, `prevTS`, `prevCount` of the metrics hash.
    pub count: u64,
    /// When the last data point was written (ms).
    pub prev_ts: u64,
    /// The count at that time.
    pub prev_count: u64,
    /// Per-minute counts, newest first.
    pub data: Vec<u64>,
    /// How many data points exist in all.
    pub total: u64,
}

impl Queue {
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
        let base = QueueKeys::worker_client_name(&self.inner.prefix, &self.inner.name, None);
        let worker_prefix = format!("{base}:w:");
        self.clients_named(|name| name == base || name.starts_with(&worker_prefix))
            .await
    }

    /// The `CLIENT LIST` entries whose connection name passes `keep`, each as
    /// its field/value pairs.
    pub(crate) async fn clients_named(
        &self,
        keep: impl Fn(&str) -> bool,
    ) -> Result<Vec<Vec<(String, String)>>> {
        let mut con = self.con()?;
        let list: Option<String> = redis::cmd("CLIENT")
            .arg("LIST")
            .query_async(&mut con)
            .await?;
        Ok(list
            .unwrap_or_default()
            .lines()
            .map(|line| {
                line.split(' ')
                    .filter_map(|kv| kv.split_once('='))
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect::<Vec<_>>()
            })
            .filter(|fields| fields.iter().any(|(k, v)| k == "name" && keep(v)))
            .collect())
    }

    /// The id of the job that holds deduplication id `dedup_id`, if any.
    pub async fn get_deduplication_job_id(&self, dedup_id: &str) -> Result<Option<String>> {
        let v = self
            .raw(redis::cmd("GET").arg(self.keys().dedup(dedup_id)))
            .await?;
        Ok(redis::from_redis_value(v).unwrap_or(None))
    }

    /// Completed or failed counts per minute, newest first (`start..=end` of the data list).
    pub async fn get_metrics(&self, kind: &str, start: i64, end: i64) -> Result<Metrics> {
        let k = self.keys();
        let key = match FinishedState::parse(kind, "type")? {
            FinishedState::Completed => &k.metrics_completed,
            FinishedState::Failed => &k.metrics_failed,
        };
        let data_key = format!("{key}:data");
        let mut con = self.con()?;
        let (meta, data, total): (Vec<Option<u64>>, Vec<u64>, u64) = redis::pipe()
            .cmd("HMGET")
            .arg(key)
            .arg("count")
            .arg("prevTS")
            .arg("prevCount")
            .cmd("LRANGE")
            .arg(&data_key)
            .arg(start)
            .arg(end)
            .cmd("LLEN")
            .arg(&data_key)
            .query_async(&mut con)
            .await?;
        Ok(Metrics {
            count: meta.first().copied().flatten().unwrap_or(0),
            prev_ts: meta.get(1).copied().flatten().unwrap_or(0),
            prev_count: meta.get(2).copied().flatten().unwrap_or(0),
            data,
            total,
        })
    }
}
