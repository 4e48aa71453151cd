//! The engine's one error type. Each variant is something a caller decides on,
//! and maps to a stable, public code string (`ErrorCode::as_str`).

pub use super::error_code::ErrorCode;
pub use super::redis_error::RedisReply;
use super::transitions::ScriptCode;

/// Everything that can go wrong in the engine. `Clone`, so that one failure
/// can answer several waiters (QueueEvents' `wait_until_ready`).
#[derive(Debug, Clone, thiserror::Error)]
pub enum Error {
    /// The job id does not name a job in this queue. Its text is BullMQ's
    /// ("Missing key for job 7. moveToDelayed"): users match on it.
    #[error("{}", ScriptCode::JobNotExist.message(id, &bullmq_command(command), ""))]
    JobNotFound {
        /// The missing job's id.
        id: String,
        /// The transition that found it missing (its script name).
        command: &'static str,
    },
    /// The job's lock is missing or held by another worker (the job moved on).
    #[error("{}", lock_message(id, reason, command))]
    LockMismatch {
        /// The job's id.
        id: String,
        /// "missing" or "held by another worker".
        reason: &'static str,
        /// The transition that was refused (its script name).
        command: &'static str,
    },
    /// The job is not in the state the operation needs.
    #[error("{}", ScriptCode::JobNotInState.message(id, &bullmq_command(command), expected))]
    NotInState {
        /// The job's id.
        id: String,
        /// The state the operation expected.
        expected: &'static str,
        /// The transition that was refused (its script name).
        command: &'static str,
    },
    /// An option or argument is invalid; `field` names it.
    #[error("invalid {field}: {reason}")]
    InvalidOption {
        /// The option's name as the user wrote it (e.g. `opts.delay`).
        field: String,
        /// What is wrong with it.
        reason: String,
    },
    /// An option or argument refused with the text BullMQ gives for it, because
    /// users and tests match on that text (e.g. "Custom Id cannot be integers");
    /// its code is the same as [`Error::InvalidOption`]'s.
    #[error("{message}")]
    Refused {
        /// The option's name as the user wrote it (e.g. `opts.jobId`).
        field: String,
        /// BullMQ's message.
        message: String,
    },
    /// Redis could not be reached: refused, reset or timed out (the message
    /// names host:port, never the password).
    #[error("{0}")]
    Connection(String),
    /// The queue, worker or events reader was closed.
    #[error("{0} is closed")]
    Closed(&'static str),
    /// A Lua transition answered with a negative code this call cannot handle.
    #[error("script {name} failed with code {code}")]
    Script {
        /// The transition's name.
        name: &'static str,
        /// The script's return code (see [`ScriptCode`]).
        code: i64,
    },
    /// Data read from Redis is not in the layout ferroq expects (e.g. bad JSON
    /// written by another client).
    #[error("corrupt data for {what}: {reason}")]
    CorruptData {
        /// Which key or field.
        what: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The job cannot be removed because it is the current iteration of a job scheduler.
    #[error("Job {id} belongs to a job scheduler and cannot be removed directly. remove")]
    SchedulerJob {
        /// The job's id.
        id: String,
    },
    /// A job is locked by a worker and the operation needs it unlocked.
    #[error("job {id} is locked by a worker")]
    JobLocked {
        /// The job's id.
        id: String,
    },
    /// A job scheduler's next iteration cannot be created: its job id is taken
    /// (-10, cron) or every slot looked at is (-11, every).
    #[error("{} (scheduler {scheduler_id})", super::transitions::refusal_message(*code, scheduler_id, "upsertJobScheduler", "delayed"))]
    SchedulerCollision {
        /// The scheduler's id.
        scheduler_id: String,
        /// BullMQ's code: -10 SchedulerJobIdCollision, -11 SchedulerJobSlotsBusy.
        code: i64,
    },
    /// Redis answered with an error reply (out of memory, read-only, ...); see
    /// [`RedisReply`] for each kind and its code.
    #[error("{0}")]
    Redis(RedisReply),
    /// A flow child names a parent job that does not exist (-5).
    #[error("Missing key for parent job {parent_key}. {}", parent_command(command))]
    ParentNotFound {
        /// The parent's full key.
        parent_key: String,
        /// The transition that found it missing (its script name).
        command: &'static str,
    },
    /// The job already exists as the child of another parent (-7).
    #[error("The parent job {parent_key} cannot be replaced. addJob")]
    ParentConflict {
        /// The full key of the parent the job was to join.
        parent_key: String,
    },
    /// A job cannot complete while children are pending (-4), or has a child
    /// whose failure fails it (-9); `code` tells which.
    #[error("{}", super::transitions::refusal_message(*code, id, &bullmq_command(command), "active"))]
    Children {
        /// The job's id.
        id: String,
        /// -4 JobPendingChildren or -9 JobHasFailedChildren.
        code: i64,
        /// The transition that was refused (its script name).
        command: &'static str,
    },
    /// A flow spans queues whose keys hash to different Redis Cluster slots;
    /// one script cannot touch them atomically.
    #[error(
        "flow spans Redis Cluster slots: queue keys \"{first}\" and \"{other}\" hash to different slots; give every queue of a flow the same hash tag (e.g. prefix: '{{flows}}')"
    )]
    CrossSlot {
        /// The first node's queue key base.
        first: String,
        /// A queue key base in another slot.
        other: String,
    },
}

impl From<redis::RedisError> for Error {
    fn from(e: redis::RedisError) -> Self {
        // Never carries the password: replies are Redis's text, connection
        // failures name only host:port.
        super::redis_error::classify(e)
    }
}

impl Error {
    /// The stable code for this error.
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::JobNotFound { .. } => ErrorCode::JobNotFound,
            Error::LockMismatch { .. } => ErrorCode::LockMismatch,
            Error::NotInState { .. } => ErrorCode::NotInState,
            Error::InvalidOption { .. } | Error::Refused { .. } => ErrorCode::InvalidOption,
            Error::Connection(_) => ErrorCode::Connection,
            Error::Closed(_) => ErrorCode::Closed,
            Error::Script { .. } => ErrorCode::Script,
            Error::CorruptData { .. } => ErrorCode::CorruptData,
            Error::SchedulerJob { .. } => ErrorCode::SchedulerJob,
            Error::JobLocked { .. } => ErrorCode::JobLocked,
            Error::SchedulerCollision { .. } => ErrorCode::SchedulerCollision,
            Error::Redis(r) => r.code(),
            Error::ParentNotFound { .. } => ErrorCode::ParentNotFound,
            Error::ParentConflict { .. } => ErrorCode::ParentConflict,
            Error::Children { code: -9, .. } => ErrorCode::FailedChildren,
            Error::Children { .. } => ErrorCode::PendingChildren,
            Error::CrossSlot { .. } => ErrorCode::CrossSlot,
        }
    }

    /// Shorthand for an [`Error::InvalidOption`].
    pub fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::InvalidOption {
            field: field.into(),
            reason: reason.into(),
        }
    }

    /// Shorthand for an [`Error::Refused`]: `field` refused with BullMQ's `message`.
    pub fn refused(field: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Refused {
            field: field.into(),
            message: message.into(),
        }
    }

    /// Maps a transition's negative return code (a [`ScriptCode`]) for job `id`
    /// to its variant; `expected` is the state the transition needed the job in.
    /// Codes no caller can act on stay [`Error::Script`].
    pub fn from_script_code(
        name: &'static str,
        code: i64,
        id: &str,
        expected: &'static str,
    ) -> Self {
        let id = id.to_string();
        let command = name;
        match ScriptCode::from_code(code) {
            Some(ScriptCode::JobNotExist) => Error::JobNotFound { id, command },
            Some(ScriptCode::JobLockNotExist) => Error::LockMismatch {
                id,
                reason: "missing",
                command,
            },
            Some(ScriptCode::JobLockMismatch) => Error::LockMismatch {
                id,
                reason: "held by another worker",
                command,
            },
            Some(ScriptCode::JobNotInState) => Error::NotInState {
                id,
                expected,
                command,
            },
            Some(ScriptCode::JobBelongsToJobScheduler) => Error::SchedulerJob { id },
            Some(ScriptCode::SchedulerJobIdCollision | ScriptCode::SchedulerJobSlotsBusy) => {
                Error::SchedulerCollision {
                    scheduler_id: id,
                    code,
                }
            }
            // BullMQ's texts ("Cannot obliterate queue with active jobs"), the invalid-option code.
            Some(c @ (ScriptCode::QueueNotPaused | ScriptCode::QueueHasActiveJobs)) => {
                Error::refused(name, c.message(&id, name, expected))
            }
            // For the parent codes `id` is the parent's key, as BullMQ names it.
            Some(ScriptCode::ParentJobNotExist) => Error::ParentNotFound {
                parent_key: id,
                command,
            },
            Some(ScriptCode::ParentJobCannotBeReplaced) => Error::ParentConflict { parent_key: id },
            Some(ScriptCode::JobPendingChildren | ScriptCode::JobHasFailedChildren) => {
                Error::Children { id, code, command }
            }
            None => Error::Script { name, code },
        }
    }
}

/// BullMQ's name of the command a transition stands for: its script name in
/// camelCase (`move_to_delayed` -> `moveToDelayed`).
pub fn bullmq_command(script: &str) -> String {
    let mut out = String::with_capacity(script.len());
    let mut upper = false;
    for c in script.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// BullMQ's command name in a missing-parent message: adding a child is its `addJob`.
fn parent_command(script: &str) -> String {
    if script == "add_flow" {
        "addJob".to_string()
    } else {
        bullmq_command(script)
    }
}

/// BullMQ's text for a lock that is missing or held by another token.
fn lock_message(id: &str, reason: &str, command: &str) -> String {
    let code = if reason == "missing" {
        ScriptCode::JobLockNotExist
    } else {
        ScriptCode::JobLockMismatch
    };
    code.message(id, &bullmq_command(command), "active")
}

/// The engine's result type.
pub type Result<T> = std::result::Result<T, Error>;
