//! What each `/:name/...` route does to its queue, with engine calls only.
//! Each fn returns the success envelope's message and data, or an
//! [`ApiError`] with the status to answer.

use std::collections::HashMap;

use futures_util::future::join_all;
use serde_json::{Map, Value, json};

use super::ApiError;
use super::request::{self, Action, body_str, body_uint, query_param, query_uint};
use super::view::{self, QueueStats, job_view};
use crate::engine::{self, Queue};

/// Jobs per page of `GET /:name/jobs` when `end` is not given.
pub const DEFAULT_PAGE_SIZE: u64 = 20;
/// Most jobs one `GET /:name/jobs` returns, so one request stays small.
pub const MAX_PAGE_SIZE: u64 = 1000;
/// `POST /:name/clean` without `status` cleans completed jobs, the ones that pile up.
pub const DEFAULT_CLEAN_STATUS: &str = "completed";
/// `POST /:name/clean` without `grace` keeps the last hour of jobs for debugging.
pub const DEFAULT_CLEAN_GRACE_MS: u64 = 60 * 60 * 1000;
/// `POST /:name/clean` without `limit` removes at most this many (`0` = all, as BullMQ).
pub const DEFAULT_CLEAN_LIMIT: u64 = 1000;
/// `POST /:name/jobs/retry-failed` without `limit` retries at most this many.
pub const DEFAULT_RETRY_FAILED_LIMIT: u64 = 1000;
/// The largest `limit` of `retry-failed`, which retries job by job.
pub const MAX_RETRY_FAILED_LIMIT: u64 = 10_000;
/// How many single-job retries are in flight at once on the queue's connection.
const RETRY_CONCURRENCY: usize = 64;

/// A success envelope's message and data.
pub struct Reply {
    /// The `message` field.
    pub message: String,
    /// The `data` field.
    pub data: Value,
}

fn reply(message: impl Into<String>, data: impl serde::Serialize) -> Result<Reply, ApiError> {
    let data = serde_json::to_value(data).map_err(|e| ApiError::new(500, e.to_string()))?;
    Ok(Reply {
        message: message.into(),
        data,
    })
}

/// Runs `action` on `q`.
pub async fn run(
    q: &Queue,
    action: Action,
    query: &[(String, String)],
    body: &Map<String, Value>,
) -> Result<Reply, ApiError> {
    match action {
        Action::Stats => reply("Queue statistics retrieved successfully", stats(q).await?),
        Action::ListJobs => list_jobs(q, query).await,
        Action::Schedulers => reply(
            "Job schedulers retrieved successfully",
            schedulers(q).await?,
        ),
        Action::GetJob(id) => {
            let job = q.get_job(&id).await?.ok_or_else(|| job_not_found(q, &id))?;
            let state = q.get_state(&id).await?;
            reply("Job retrieved successfully", job_view(&job, &state))
        }
        Action::RetryJob(id) => retry_job(q, &id).await,
        Action::RemoveJob(id) => remove_job(q, &id).await,
        Action::Pause => {
            q.pause().await?;
            reply(
                "Queue paused successfully",
                json!({ "name": q.name(), "paused": true }),
            )
        }
        Action::Resume => {
            q.resume().await?;
            reply(
                "Queue resumed successfully",
                json!({ "name": q.name(), "paused": false }),
            )
        }
        Action::Clean => clean(q, body).await,
        Action::RetryFailed => retry_failed(q, body).await,
    }
}

/// One queue's stats: its counts and paused flag, read concurrently.
pub async fn stats(q: &Queue) -> engine::Result<QueueStats> {
    let states: Vec<String> = view::STAT_STATES.iter().map(|s| s.to_string()).collect();
    let (counts, paused) = tokio::try_join!(q.get_job_counts(&states), q.is_paused())?;
    Ok(QueueStats::from_counts(q.name(), &counts, paused))
}

/// One queue's job schedulers as BullMQ's `getJobSchedulers()` lists them
/// (soonest first): key, name, next run, pattern or every, tz, iterations, template.
pub async fn schedulers(q: &Queue) -> Result<Vec<Value>, ApiError> {
    q.get_job_schedulers(0, -1, true)
        .await?
        .iter()
        .map(|s| {
            let text = s.to_json()?;
            serde_json::from_str(&text).map_err(|e| ApiError::new(500, e.to_string()))
        })
        .collect()
}

/// Every queue's job schedulers, keyed by queue name (`GET /schedulers`).
pub async fn all_schedulers(queues: &[Queue]) -> Result<Reply, ApiError> {
    let lists = join_all(queues.iter().map(schedulers)).await;
    let mut data = Map::new();
    for (q, list) in queues.iter().zip(lists) {
        data.insert(q.name().to_string(), Value::Array(list?));
    }
    reply("Job schedulers retrieved successfully", Value::Object(data))
}

fn job_not_found(q: &Queue, id: &str) -> ApiError {
    ApiError::new(
        404,
        format!("job \"{id}\" not found in queue \"{}\"", q.name()),
    )
}

/// The engine states a `status` lists, in the order shown, and whether each is
/// read oldest first. `waiting` lists jobs in the order workers take them:
/// plain waiting jobs run before prioritized ones. Finished jobs show newest first.
fn list_plan(status: &str) -> (&'static [&'static str], bool) {
    match status {
        "waiting" => (&["wait", "paused", "prioritized"], true),
        "completed" => (&["completed"], false),
        "failed" => (&["failed"], false),
        "active" => (&["active"], true),
        "delayed" => (&["delayed"], true),
        "prioritized" => (&["prioritized"], true),
        "paused" => (&["paused"], true),
        _ => (&["waiting-children"], true),
    }
}

async fn list_jobs(q: &Queue, query: &[(String, String)]) -> Result<Reply, ApiError> {
    let status = request::status(query_param(query, "status"), "waiting")?;
    let start = query_uint(query, "start")?.unwrap_or(0);
    let end = query_uint(query, "end")?.unwrap_or(start + DEFAULT_PAGE_SIZE - 1);
    if end < start {
        return Err(ApiError::bad_request(format!(
            "end ({end}) must be >= start ({start})"
        )));
    }
    if end - start >= MAX_PAGE_SIZE {
        return Err(ApiError::bad_request(format!(
            "at most {MAX_PAGE_SIZE} jobs per request (end - start < {MAX_PAGE_SIZE})"
        )));
    }
    let (states, asc) = list_plan(status);
    let states: Vec<String> = states.iter().map(|s| s.to_string()).collect();
    // `start..=end` counts across the states in order, so a page can span
    // the end of one list and the start of the next.
    let counts = if states.len() > 1 {
        q.get_job_counts(&states).await?
    } else {
        vec![(states[0].clone(), u64::MAX)]
    };
    let mut ids = Vec::new();
    let mut state_of = HashMap::new();
    let mut offset = 0u64;
    for (state, count) in counts {
        let first = offset;
        offset = offset.saturating_add(count);
        if count == 0 || end < first || start >= offset {
            continue;
        }
        let (from, to) = (start.max(first) - first, end.min(offset - 1) - first);
        let page = q
            .get_ranges(std::slice::from_ref(&state), from as i64, to as i64, asc)
            .await?;
        for id in page {
            state_of.insert(id.clone(), view::shown_state(&state).to_string());
            ids.push(id);
        }
    }
    let jobs: Vec<Value> = q
        .get_jobs_by_id(&ids)
        .await?
        .iter()
        .map(|j| job_view(j, state_of.get(&j.id).map_or(status, String::as_str)))
        .collect();
    reply("Jobs retrieved successfully", jobs)
}

async fn retry_job(q: &Queue, id: &str) -> Result<Reply, ApiError> {
    let state = q.get_state(id).await?;
    match state.as_str() {
        "failed" | "completed" => {
            q.retry_job(id, &state, false, false).await?;
            reply(
                "Job queued for retry",
                json!({ "id": id, "previousState": state }),
            )
        }
        "unknown" => Err(job_not_found(q, id)),
        other => Err(ApiError::new(
            409,
            format!("job \"{id}\" is {other}; only failed or completed jobs can be retried"),
        )),
    }
}

async fn remove_job(q: &Queue, id: &str) -> Result<Reply, ApiError> {
    if q.get_state(id).await? == "unknown" {
        return Err(job_not_found(q, id));
    }
    if q.remove(id).await? {
        reply("Job removed successfully", json!({ "id": id }))
    } else {
        Err(ApiError::new(
            409,
            format!("job \"{id}\" is locked by a worker; remove it once it finishes"),
        ))
    }
}

async fn clean(q: &Queue, body: &Map<String, Value>) -> Result<Reply, ApiError> {
    let status = request::status(body_str(body, "status")?, DEFAULT_CLEAN_STATUS)?;
    let grace = body_uint(body, "grace")?.unwrap_or(DEFAULT_CLEAN_GRACE_MS);
    let limit = body_uint(body, "limit")?.unwrap_or(DEFAULT_CLEAN_LIMIT);
    let ids = q.clean(grace, limit, status).await?;
    reply(
        format!("Cleaned {} {status} jobs", ids.len()),
        json!({ "status": status, "grace": grace, "limit": limit, "removed": ids.len(), "jobIds": ids }),
    )
}

async fn retry_failed(q: &Queue, body: &Map<String, Value>) -> Result<Reply, ApiError> {
    let limit = body_uint(body, "limit")?.unwrap_or(DEFAULT_RETRY_FAILED_LIMIT);
    if !(1..=MAX_RETRY_FAILED_LIMIT).contains(&limit) {
        return Err(ApiError::bad_request(format!(
            "limit must be between 1 and {MAX_RETRY_FAILED_LIMIT}, got {limit}"
        )));
    }
    // Job by job, oldest failure first: `retry_jobs` has no overall limit.
    let ids = q
        .get_ranges(&["failed".to_string()], 0, limit as i64 - 1, true)
        .await?;
    let mut retried = Vec::new();
    for chunk in ids.chunks(RETRY_CONCURRENCY) {
        let results = join_all(
            chunk
                .iter()
                .map(|id| q.retry_job(id, "failed", false, false)),
        )
        .await;
        for (id, r) in chunk.iter().zip(results) {
            match r {
                Ok(()) => retried.push(id.clone()),
                // Retried or removed by someone else since the ids were read.
                Err(engine::Error::NotInState { .. } | engine::Error::JobNotFound { .. }) => {}
                Err(e) => return Err(e.into()),
            }
        }
    }
    reply(
        format!("Retried {} failed jobs", retried.len()),
        json!({ "retried": retried.len(), "jobIds": retried }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waiting_lists_wait_then_prioritized_and_finished_jobs_newest_first() {
        assert_eq!(
            list_plan("waiting"),
            (&["wait", "paused", "prioritized"][..], true)
        );
        assert_eq!(list_plan("failed"), (&["failed"][..], false));
        for s in request::STATUSES {
            assert!(!list_plan(s).0.is_empty());
        }
    }
}
