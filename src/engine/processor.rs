//! The engine's only view of user code. A worker hands batches of jobs (and the
//! results of earlier ones) to a [`Processor`]; the processor reports each job's
//! outcome through the [`Completions`] handle it was given. This keeps one
//! boundary crossing per batch, not per job, whatever the user code runs in.

use tokio::sync::mpsc::UnboundedSender;

use super::job::Job;

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

/// How a processor finished a job.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// Resolved; the value as JSON text (`null` for undefined).
    Completed(String),
    /// Threw or rejected.
    Failed {
        /// What was thrown.
        error: ProcessError,
        /// A delay computed by the caller's own backoff strategy (BullMQ's
        /// `settings.backoffStrategy`): `Some(-1)` = do not retry.
        backoff_ms: Option<i64>,
    },
    /// The processor moved the job itself (BullMQ's DelayedError / WaitingError):
    /// the worker forgets it without touching Redis.
    Moved,
}

/// What a worker did with a job after its outcome was reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SettledAs {
    /// Now in `completed` (or removed by removeOnComplete).
    Completed,
    /// Now in `failed` for good.
    Failed,
    /// Failed this attempt and will run again (delayed or waiting).
    Retrying,
    /// The transition was refused (lost lock, job gone); the message says why.
    Rejected(String),
}

/// One job settled by the worker.
#[derive(Debug, Clone)]
pub struct Settled {
    /// The job's id.
    pub job_id: String,
    /// What happened.
    pub state: SettledAs,
    /// The job as JSON when user code never saw it (a deferred failure, corrupt
    /// data), so listeners still get a job object.
    pub job: Option<String>,
    /// The failure reason when the worker failed the job itself.
    pub reason: Option<String>,
}

/// Worker-level events.
#[derive(Debug, Clone)]
pub enum WorkerEvent {
    /// A Redis or internal error; the worker keeps running.
    Error(String),
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
