//! The engine's only view of user code. A worker hands batches of jobs (and the
//! results of earlier ones) to a [`Processor`]; the processor reports each job's
//! outcome through the [`Completions`] handle it was given. This keeps one
//! boundary crossing per batch, not per job, whatever the user code runs in.

use tokio::sync::mpsc::UnboundedSender;

use super::job::Job;

/// BullMQ's default message of `UnrecoverableError` (BullMQ exports it as
/// `UNRECOVERABLE_ERROR`): the error fails its job for good.
pub const UNRECOVERABLE_ERROR: &str = "bullmq:unrecoverable";
/// BullMQ's default message of `RateLimitError` (`RATE_LIMIT_ERROR`): BullMQ 6
/// recognises a rate-limited attempt by this message.
pub const RATE_LIMIT_ERROR: &str = "bullmq:rateLimitExceeded";
/// BullMQ's default message of `DelayedError` (`DELAYED_ERROR`).
pub const DELAYED_ERROR: &str = "bullmq:movedToDelayed";
/// BullMQ's default message of `WaitingError` (`WAITING_ERROR`).
pub const WAITING_ERROR: &str = "bullmq:movedToWait";
/// BullMQ's default message of `WaitingChildrenError` (`WAITING_CHILDREN_ERROR`).
pub const WAITING_CHILDREN_ERROR: &str = "bullmq:movedToWaitingChildren";

/// An error thrown by user code, with what BullMQ keeps of it.
#[derive(Debug, Clone, Default)]
pub struct ProcessError {
    /// `err.name` (`Error`, `UnrecoverableError`, ...).
    pub name: String,
    /// `err.message`; becomes `failedReason`.
    pub message: String,
    /// `err.stack`; appended to `stacktrace`.
    pub stack: Option<String>,
}

impl ProcessError {
    /// BullMQ's `UnrecoverableError`: the job fails for good, whatever attempts remain.
    pub fn is_unrecoverable(&self) -> bool {
        self.name == "UnrecoverableError" || self.message == UNRECOVERABLE_ERROR
    }

    /// BullMQ's `RateLimitError`: the job goes back to wait and the attempt is
    /// not counted (BullMQ 6 recognises it by its message).
    pub fn is_rate_limit(&self) -> bool {
        self.name == "RateLimitError" || self.message == RATE_LIMIT_ERROR
    }

    /// `DelayedError`, `WaitingError`, `WaitingChildrenError`: user code moved
    /// the job itself (e.g. `job.moveToDelayed`) and the worker only lets go of it.
    pub fn is_moved(&self) -> bool {
        matches!(
            self.name.as_str(),
            "DelayedError" | "WaitingError" | "WaitingChildrenError"
        )
    }
}

/// How a processor finished a job.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// Resolved; the value as JSON text (`null` for undefined).
    Completed(String),
    /// Threw or rejected. The worker settles the error by its kind: see
    /// [`ProcessError::is_rate_limit`], [`ProcessError::is_moved`],
    /// [`ProcessError::is_unrecoverable`].
    Failed {
        /// What was thrown.
        error: ProcessError,
        /// A delay computed by the caller's own backoff strategy (BullMQ's
        /// `settings.backoffStrategy`): `Some(-1)` = do not retry.
        backoff_ms: Option<i64>,
    },
}

/// What a worker did with a job after its outcome was reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SettledAs {
    /// Now in `completed` (or removed by removeOnComplete).
    Completed,
    /// Now in `failed` for good.
    Failed,
    /// Failed this attempt and will run again (delayed when `delay_ms` > 0, else waiting).
    Retrying,
    /// Back at the front of wait after a `RateLimitError`; the attempt does not count.
    RateLimited,
    /// User code moved the job itself (`DelayedError` and kin); the worker let go of it.
    Moved,
    /// The transition was refused (lost lock, job gone); the message says why.
    Rejected(String),
}

impl SettledAs {
    /// The name JS sees.
    pub fn as_str(&self) -> &'static str {
        match self {
            SettledAs::Completed => "completed",
            SettledAs::Failed => "failed",
            SettledAs::Retrying => "retrying",
            SettledAs::RateLimited => "rateLimited",
            SettledAs::Moved => "moved",
            SettledAs::Rejected(_) => "rejected",
        }
    }
}

/// One job settled by the worker, with the fields the settling wrote, so a
/// caller's copy of the job matches Redis without computing anything itself.
#[derive(Debug, Clone)]
pub struct Settled {
    /// The job's id.
    pub job_id: String,
    /// What happened.
    pub state: SettledAs,
    /// `attemptsMade` now (counted for completed, failed and retrying).
    pub attempts_made: u64,
    /// `finishedOn` (ms), for completed and failed.
    pub finished_on: Option<u64>,
    /// `failedReason`, for failed and retrying.
    pub failed_reason: Option<String>,
    /// `stacktrace` as a JSON array, for failed and retrying.
    pub stacktrace: Option<String>,
    /// The retry delay (ms) when retrying later; BullMQ sets it as the job's `delay`.
    pub delay_ms: Option<u64>,
    /// The job as JSON when user code never saw it (a deferred failure, corrupt
    /// data), so listeners still get a job object.
    pub job: Option<String>,
}

impl Settled {
    /// An entry with no fields written (rate limited, moved, rejected).
    pub fn bare(job_id: String, state: SettledAs, attempts_made: u64) -> Settled {
        Settled {
            job_id,
            state,
            attempts_made,
            finished_on: None,
            failed_reason: None,
            stacktrace: None,
            delay_ms: None,
            job: None,
        }
    }
}

/// Worker-level events.
#[derive(Debug, Clone)]
pub enum WorkerEvent {
    /// A Redis or internal error; the worker keeps running.
    Error {
        /// Its stable code (`ERR_FERROQ_REDIS_OOM`, `ERR_FERROQ_CONNECTION`, ...).
        code: &'static str,
        /// What happened and what to do.
        message: String,
    },
    /// The queue has no more ready jobs for now.
    Drained,
    /// A job of this queue was found stalled and moved back to wait.
    Stalled(String),
    /// A job's lock could not be renewed.
    LockLost(String),
    /// The worker's loop has ended; this is the last delivery.
    Closed,
}

/// One hand-over from a worker to user code.
#[derive(Debug, Default)]
pub struct Delivery {
    /// Jobs to start now (each has its lock `token`).
    pub jobs: Vec<Job>,
    /// `jobs[i]` as JSON ([`Job::to_json`]): the worker builds it anyway to
    /// check the stored data, so a processor that needs JSON does not build it again.
    pub jobs_json: Vec<String>,
    /// Jobs whose outcome is now in Redis.
    pub settled: Vec<Settled>,
    /// Worker events.
    pub events: Vec<WorkerEvent>,
}

impl Delivery {
    /// Nothing to say.
    pub fn is_empty(&self) -> bool {
        self.jobs.is_empty() && self.settled.is_empty() && self.events.is_empty()
    }
}

/// User code, as the worker sees it.
pub trait Processor: Send + Sync + 'static {
    /// Called on the worker's task with each batch; must not block. Each job in
    /// `delivery.jobs` must later be reported through [`Completions::complete`].
    fn deliver(&self, delivery: Delivery);
}

/// Messages into a worker's loop.
#[derive(Debug)]
pub(crate) enum Control {
    Complete { job_id: String, outcome: Outcome },
    CompleteMany(Vec<(String, Outcome)>),
    Wake,
}

/// Where a processor reports outcomes. Cheap to clone; usable from any thread.
#[derive(Clone, Debug)]
pub struct Completions(pub(crate) UnboundedSender<Control>);

impl Completions {
    /// Reports that job `job_id` finished. Returns false when the worker is gone.
    pub fn complete(&self, job_id: String, outcome: Outcome) -> bool {
        self.0.send(Control::Complete { job_id, outcome }).is_ok()
    }

    /// Reports several outcomes at once: the worker settles them together.
    pub fn complete_many(&self, outcomes: Vec<(String, Outcome)>) -> bool {
        self.0.send(Control::CompleteMany(outcomes)).is_ok()
    }
}
