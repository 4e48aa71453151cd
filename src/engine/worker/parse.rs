//! Parse: a round's typed reply becomes the settled report and checked jobs.

use super::shared::{ActiveJob, Shared};
use crate::engine::job::Job;
use crate::engine::processor::{Outcome, ProcessError, Settled, SettledAs};
use crate::engine::transitions::move_to_active::FetchedJob;
use crate::engine::transitions::move_to_finished::{Finish, FinishedJob, refusal};

/// The settled report for `jobs`, which one call at time `now` answered with
/// `codes` (one per job, in order). The jobs leave the active map, except a
/// completion refused because of the job's children (-4 pending, -9 failed):
/// as BullMQ's worker, it becomes a failure of the attempt (unrecoverable for
/// -9), returned to be settled in the next round.
pub(super) fn settled(
    shared: &Shared,
    jobs: Vec<FinishedJob>,
    codes: Vec<i64>,
    now: u64,
) -> (Vec<Settled>, Vec<(String, Outcome)>) {
    let mut out = Vec::with_capacity(jobs.len());
    let mut refused = Vec::new();
    let mut active = shared.active();
    for (job, code) in jobs.into_iter().zip(codes) {
        if job.finish == Finish::Completed && (code == -4 || code == -9) {
            let message = refusal(code, &job.id).unwrap_or_default();
            let name = if code == -9 {
                "UnrecoverableError"
            } else {
                "Error"
            };
            let error = ProcessError {
                name: name.into(),
                stack: Some(format!("{name}: {message}")),
                message,
            };
            let backoff_ms = (code == -9).then_some(-1);
            refused.push((job.id, Outcome::Failed { error, backoff_ms }));
            continue;
        }
        let hidden = active.remove(&job.id).and_then(|held| held.hidden_json);
        let s = match refusal(code, &job.id) {
            Some(message) => Settled::bare(
                job.id.clone(),
                SettledAs::Rejected(message),
                job.attempts_made.saturating_sub(1),
            ),
            None => accepted(job, now),
        };
        tracing::debug!(queue = %shared.queue.name(), job_id = %s.job_id, state = ?s.state, "job settled");
        out.push(Settled { job: hidden, ..s });
    }
    (out, refused)
}

/// What Redis now holds for a job whose settling went through.
pub(super) fn accepted(job: FinishedJob, now: u64) -> Settled {
    let (state, finished_on) = match job.finish {
        Finish::Completed => (SettledAs::Completed, Some(now)),
        Finish::Failed => (SettledAs::Failed, Some(now)),
        Finish::RetryLater | Finish::RetryNow => (SettledAs::Retrying, None),
    };
    let failed = job.finish != Finish::Completed;
    Settled {
        job_id: job.id,
        state,
        attempts_made: job.attempts_made,
        finished_on,
        failed_reason: failed.then_some(job.value),
        stacktrace: failed.then_some(job.stacktrace),
        delay_ms: (job.finish == Finish::RetryLater).then_some(job.retry_delay_ms),
        job: None,
    }
}

/// A fetched job ready for user code, with its JSON (built anyway to check the data).
pub(super) struct Ready {
    pub job: Job,
    pub json: String,
    pub held: ActiveJob,
}

/// A fetched job with unusable data or a deferred failure: BullMQ fails such a
/// job as soon as it is fetched, as unrecoverable, and user code never sees it.
pub(super) struct Broken {
    pub id: String,
    pub held: ActiveJob,
    pub error: ProcessError,
}

/// The jobs one call fetched, checked.
#[derive(Default)]
pub(super) struct Arrivals {
    pub ready: Vec<Ready>,
    pub broken: Vec<Broken>,
}

/// Checks the jobs a call at time `now` fetched. A job whose hash vanished in
/// between is skipped: its id sits in active until the stalled check.
pub(super) fn arrivals(fetched: Vec<FetchedJob>, now: u64, worker: Option<&str>) -> Arrivals {
    let mut out = Arrivals {
        ready: Vec::with_capacity(fetched.len()),
        broken: Vec::new(),
    };
    for FetchedJob { id, token, fields } in fetched {
        let Some(mut job) = Job::from_fields(&id, fields) else {
            continue;
        };
        job.token = Some(token.clone());
        // The script returned the hash as read before it wrote these.
        job.processed_on = Some(now);
        job.attempts_started += 1;
        if let Some(name) = worker {
            job.processed_by = Some(name.to_string());
        }
        let mut held = ActiveJob {
            token,
            attempts_made: job.attempts_made,
            settings: job.settings().unwrap_or_default(),
            stacktrace: job.stacktrace.clone(),
            has_dedup: job.dedup_id.is_some(),
            has_parent: job.parent_key.is_some(),
            hidden_json: None,
            started: None,
            released: false,
        };
        let (reason, json) = match (&job.deferred_failure, job.to_json()) {
            (None, Ok(json)) => {
                out.ready.push(Ready { job, json, held });
                continue;
            }
            (Some(reason), js) => (reason.clone(), js.ok()),
            (None, Err(e)) => (e.to_string(), None),
        };
        held.hidden_json = Some(json.unwrap_or_else(|| minimal_job_json(&job)));
        out.broken.push(Broken {
            id,
            held,
            error: ProcessError {
                name: "UnrecoverableError".into(),
                // BullMQ's thrown UnrecoverableError leaves one stacktrace line.
                stack: Some(format!("UnrecoverableError: {reason}")),
                message: reason,
            },
        });
    }
    out
}

/// The least a listener needs when the stored job cannot be read as JSON.
fn minimal_job_json(job: &Job) -> String {
    serde_json::json!({ "id": job.id, "name": job.name, "data": {}, "opts": {}, "timestamp": job.timestamp,
        "attemptsMade": job.attempts_made })
    .to_string()
}
