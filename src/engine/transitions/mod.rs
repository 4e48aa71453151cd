//! One Rust module per Lua transition, named like its script:
//! `lua/promote.lua` is run by `transitions/promote.rs`, and so on. Each module
//! owns the script's KEYS (built from [`QueueKeys`](super::keys::QueueKeys)),
//! its arguments as a typed struct, the decoding of its reply, and which
//! [`ScriptCode`]s it can answer with. `Queue` methods are short calls into
//! these modules; nothing else lists a script's KEYS or ARGV.
//!
//! A module's struct is the script's ARGV with names; `run` sends it and
//! decodes the reply. For example
//! `Promote { job_id: "7" }.run(&queue).await?` is `lua/promote.lua` on job 7.
//! Each module has a test of what it leaves in Redis in
//! `tests/transitions/<name>.rs`.
//!
//! Who runs each transition (engine method → JS method):
//!
//! | `lua/<name>.lua`, `transitions/<name>.rs` | engine | JS |
//! |---|---|---|
//! | `add_jobs` | `Queue::add`, `add_bulk` | `queue.add`, `addBulk` |
//! | `add_log` | `Queue::add_log` | `job.log`, `queue.addJobLog` |
//! | `change_delay` | `Queue::change_delay` | `job.changeDelay` |
//! | `change_priority` | `Queue::change_priority` | `job.changePriority` |
//! | `clean_jobs_in_set` | `Queue::clean` | `queue.clean` |
//! | `drain` | `Queue::drain` | `queue.drain` |
//! | `get_state` | `Queue::get_state` | `job.getState`, `queue.getJobState` |
//! | `move_jobs_to_wait` | `Queue::retry_jobs`, `promote_jobs` | `queue.retryJobs`, `promoteJobs` |
//! | `move_to_delayed` | `Queue::move_to_delayed` | `job.moveToDelayed` |
//! | `obliterate` | `Queue::obliterate` | `queue.obliterate` |
//! | `pause` | `Queue::pause`, `resume` | `queue.pause`, `resume` |
//! | `promote` | `Queue::promote` | `job.promote` |
//! | `remove_job` | `Queue::remove` | `job.remove`, `queue.remove` |
//! | `remove_deduplication_key` | `Queue::remove_deduplication_key_of` | `job.removeDeduplicationKey` |
//! | `remove_orphaned_jobs` | `Queue::remove_orphaned_jobs` | `queue.removeOrphanedJobs` |
//! | `reprocess_job` | `Queue::retry_job` | `job.retry` |
//! | `update_data` | `Queue::update_data` | `job.updateData` |
//! | `update_progress` | `Queue::update_progress` | `job.updateProgress`, `queue.updateJobProgress` |
//! | `add_job_scheduler` | `Queue::upsert_job_scheduler` | `queue.upsertJobScheduler` |
//! | `update_job_scheduler` | `Queue::schedule_next_iteration` | (the worker, as an iteration starts) |
//! | `remove_job_scheduler` | `Queue::remove_job_scheduler` | `queue.removeJobScheduler` |
//! | `add_flow` | `FlowProducer::add`, `add_bulk`; `Queue::add` of jobs with `opts.parent` | `flowProducer.add`, `addBulk`; `queue.add` with `parent` |
//! | `remove_child_dependency` | `Queue::remove_child_dependency` | `job.removeChildDependency` |
//! | `remove_unprocessed_children` | `Queue::remove_unprocessed_children` | `job.removeUnprocessedChildren` |
//! | `move_to_waiting_children` | `MoveToWaitingChildren` from `binding/queue/flow.rs` (tested in `tests/flow_tree.rs`) | `job.moveToWaitingChildren` |
//! | `move_to_active` | the worker's fetch (`worker/invoke.rs`) | `new Worker(...)` |
//! | `move_to_finished` | the worker's settle + fetch (`worker/invoke.rs`, `worker/manual.rs`) | a processor's result or throw; `job.moveToCompleted`, `moveToFailed` |
//! | `move_job_from_active_to_wait` | the worker, for a `RateLimitError`; `Queue::move_to_wait` | `Worker.RateLimitError()` thrown; `job.moveToWait` |
//! | `extend_locks` | the worker's lock renewal (`worker/lock.rs`); `Queue::extend_lock` | (automatic); `job.extendLock` |
//! | `move_stalled_jobs_to_wait` | the worker's stalled check (`worker/stalled.rs`) | (automatic) |

use redis::{ErrorKind, FromRedisValue, RedisError, RedisResult, ToRedisArgs};

use super::connection::Conn;
use super::error::{Error, Result};
use super::queue::Queue;
use super::scripts::Transition;

pub mod add_flow;
pub mod add_job_scheduler;
pub mod add_jobs;
pub mod add_log;
pub(crate) mod atomic;
pub mod change_delay;
pub mod change_priority;
pub mod clean_jobs_in_set;
pub mod drain;
pub mod extend_locks;
pub mod get_state;
pub mod move_job_from_active_to_wait;
pub mod move_jobs_to_wait;
pub mod move_stalled_jobs_to_wait;
pub mod move_to_active;
pub mod move_to_delayed;
pub mod move_to_finished;
pub mod move_to_waiting_children;
pub mod obliterate;
pub mod pause;
pub mod promote;
pub mod remove_child_dependency;
pub mod remove_deduplication_key;
pub mod remove_job;
pub mod remove_job_scheduler;
pub mod remove_orphaned_jobs;
pub mod remove_unprocessed_children;
pub mod reprocess_job;
pub mod update_data;
pub mod update_job_scheduler;
pub mod update_progress;

/// The negative integers a transition answers with when it refused to act.
/// BullMQ's codes keep BullMQ's numbers (`bullmq-data-layout.md` §11, its
/// `ErrorCode` enum); ferroq's own start at -100 so BullMQ's list can grow.
/// Each Lua header names the codes its script returns; [`Error::from_script_code`]
/// maps each code to one [`Error`] variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScriptCode {
    /// -1: the job's hash does not exist.
    JobNotExist,
    /// -2: the job has no lock (a worker's token was expected).
    JobLockNotExist,
    /// -3: the job is not in the state (set or list) the transition needs.
    JobNotInState,
    /// -4: the job still has children to wait for (flows).
    JobPendingChildren,
    /// -5: the parent job named by the job does not exist (flows).
    ParentJobNotExist,
    /// -6: the job's lock is held by another token.
    JobLockMismatch,
    /// -7: the parent job cannot be replaced (flows).
    ParentJobCannotBeReplaced,
    /// -8: the job is the pending iteration of a job scheduler.
    JobBelongsToJobScheduler,
    /// -9: the job has failed children (flows).
    JobHasFailedChildren,
    /// -10: a job scheduler's next job id is taken.
    SchedulerJobIdCollision,
    /// -11: a job scheduler's slot is busy.
    SchedulerJobSlotsBusy,
    /// -100: `obliterate` needs the queue paused first.
    QueueNotPaused,
    /// -101: `obliterate` without `force` found active jobs.
    QueueHasActiveJobs,
}

impl ScriptCode {
    /// Every code, for listings and tests.
    pub const ALL: [ScriptCode; 13] = [
        ScriptCode::JobNotExist,
        ScriptCode::JobLockNotExist,
        ScriptCode::JobNotInState,
        ScriptCode::JobPendingChildren,
        ScriptCode::ParentJobNotExist,
        ScriptCode::JobLockMismatch,
        ScriptCode::ParentJobCannotBeReplaced,
        ScriptCode::JobBelongsToJobScheduler,
        ScriptCode::JobHasFailedChildren,
        ScriptCode::SchedulerJobIdCollision,
        ScriptCode::SchedulerJobSlotsBusy,
        ScriptCode::QueueNotPaused,
        ScriptCode::QueueHasActiveJobs,
    ];

    /// The integer the Lua scripts return for this code.
    pub const fn code(self) -> i64 {
        match self {
            ScriptCode::JobNotExist => -1,
            ScriptCode::JobLockNotExist => -2,
            ScriptCode::JobNotInState => -3,
            ScriptCode::JobPendingChildren => -4,
            ScriptCode::ParentJobNotExist => -5,
            ScriptCode::JobLockMismatch => -6,
            ScriptCode::ParentJobCannotBeReplaced => -7,
            ScriptCode::JobBelongsToJobScheduler => -8,
            ScriptCode::JobHasFailedChildren => -9,
            ScriptCode::SchedulerJobIdCollision => -10,
            ScriptCode::SchedulerJobSlotsBusy => -11,
            ScriptCode::QueueNotPaused => -100,
            ScriptCode::QueueHasActiveJobs => -101,
        }
    }

    /// The code for a script's integer reply; `None` for success values and
    /// integers no script returns.
    pub fn from_code(code: i64) -> Option<ScriptCode> {
        ScriptCode::ALL.into_iter().find(|c| c.code() == code)
    }

    /// The engine error for this refusal of transition `t` on job `job_id`,
    /// which it needed in state `expected` (see [`Error::from_script_code`]).
    pub fn into_error(self, t: &'static Transition, job_id: &str, expected: &'static str) -> Error {
        Error::from_script_code(t.name, self.code(), job_id, expected)
    }

    /// The message BullMQ gives when its `command` (e.g. `moveToFinished`) on
    /// job `job_id` in `state` is refused with this code, so that ferroq's
    /// errors and `failed` events read as BullMQ's do. For the parent codes
    /// (-5, -7) `job_id` is the parent's key, as BullMQ names it.
    pub fn message(self, job_id: &str, command: &str, state: &str) -> String {
        match self {
            ScriptCode::JobNotExist => format!("Missing key for job {job_id}. {command}"),
            ScriptCode::JobLockNotExist => format!("Missing lock for job {job_id}. {command}"),
            ScriptCode::JobNotInState => {
                format!("Job {job_id} is not in the {state} state. {command}")
            }
            ScriptCode::JobPendingChildren => {
                format!("Job {job_id} has pending dependencies. {command}")
            }
            ScriptCode::ParentJobNotExist => {
                format!("Missing key for parent job {job_id}. {command}")
            }
            ScriptCode::JobLockMismatch => {
                format!("Lock mismatch for job {job_id}. Cmd {command} from {state}")
            }
            ScriptCode::ParentJobCannotBeReplaced => {
                format!("The parent job {job_id} cannot be replaced. {command}")
            }
            ScriptCode::JobBelongsToJobScheduler => format!(
                "Job {job_id} belongs to a job scheduler and cannot be removed directly. {command}"
            ),
            ScriptCode::JobHasFailedChildren => {
                format!(
                    "Cannot complete job {job_id} because it has at least one failed child. {command}"
                )
            }
            ScriptCode::SchedulerJobIdCollision => {
                format!("Cannot create job scheduler iteration - job ID already exists. {command}")
            }
            ScriptCode::SchedulerJobSlotsBusy => {
                format!(
                    "Cannot create job scheduler iteration - current and next time slots already have jobs. {command}"
                )
            }
            ScriptCode::QueueNotPaused => "Cannot obliterate non-paused queue".to_string(),
            ScriptCode::QueueHasActiveJobs => {
                "Cannot obliterate queue with active jobs".to_string()
            }
        }
    }
}

/// [`ScriptCode::message`] for any integer reply `code`, with BullMQ's text for
/// codes it does not know.
pub fn refusal_message(code: i64, job_id: &str, command: &str, state: &str) -> String {
    match ScriptCode::from_code(code) {
        Some(c) => c.message(job_id, command, state),
        None => format!("Unknown code {code} error for {job_id}. {command}"),
    }
}

/// One script call being built: KEYS first, then ARGV, as the Lua header lists them.
pub(crate) struct Call {
    transition: &'static Transition,
    keys: Vec<String>,
    args: Vec<Vec<u8>>,
}

impl Call {
    /// Starts a call of `transition` with its KEYS.
    pub(crate) fn new(transition: &'static Transition, keys: &[&str]) -> Call {
        debug_assert_eq!(
            keys.len(),
            transition.keys,
            "{} takes {} keys",
            transition.name,
            transition.keys
        );
        Call {
            transition,
            keys: keys.iter().map(|k| k.to_string()).collect(),
            args: Vec::new(),
        }
    }

    /// Appends one ARGV value (numbers are sent as decimal text, `bool` as "1"/"0").
    pub(crate) fn arg(mut self, value: impl ToRedisArgs) -> Call {
        self.args.extend(value.to_redis_args());
        self
    }

    /// The call as one `EVALSHA` command's bytes (RESP), for a caller writing to
    /// its own connection; `sha`: the hash of the script text the server runs.
    pub(crate) fn packed(&self, sha: &str) -> Vec<u8> {
        use std::io::Write;
        let nkeys = self.keys.len().to_string();
        let head: [&[u8]; 3] = [b"EVALSHA", sha.as_bytes(), nkeys.as_bytes()];
        let parts = head
            .into_iter()
            .chain(self.keys.iter().map(|k| k.as_bytes()))
            .chain(self.args.iter().map(|a| a.as_slice()));
        let size: usize = parts.clone().map(|p| p.len() + 16).sum();
        let mut out = Vec::with_capacity(size + 16);
        // RESP: an array of bulk strings (writes to a Vec cannot fail).
        let _ = write!(out, "*{}\r\n", 3 + self.keys.len() + self.args.len());
        for p in parts {
            let _ = write!(out, "${}\r\n", p.len());
            out.extend_from_slice(p);
            out.extend_from_slice(b"\r\n");
        }
        out
    }

    /// Sends the call on the queue's connection and decodes the reply as `T`.
    pub(crate) async fn invoke<T: FromRedisValue>(self, queue: &Queue) -> Result<T> {
        let name = self.transition.name;
        let keys = self.keys.len();
        let mut con = queue.con()?;
        self.send(queue, &mut con).await.map_err(|e| {
            tracing::debug!(script = name, keys, error = %e, "script call failed");
            Error::from(e)
        })
    }

    /// As [`Call::invoke`], with Redis's error kept as is: the worker loop
    /// retries transient failures (I/O, dropped connection) and settles the
    /// rest. A closed queue is an I/O error here.
    pub(crate) async fn invoke_raw<T: FromRedisValue>(self, queue: &Queue) -> RedisResult<T> {
        let mut con = queue
            .con()
            .map_err(|_| RedisError::from((ErrorKind::Io, "queue closed")))?;
        self.send(queue, &mut con).await
    }

    /// Runs the script text chosen for the queue's server (`allow-oom` flags
    /// where supported, see [`script_flags`](super::script_flags)).
    async fn send<T: FromRedisValue>(self, queue: &Queue, con: &mut Conn) -> RedisResult<T> {
        let mut invocation = queue.script(self.transition).await?.prepare_invoke();
        for k in &self.keys {
            invocation.key(k);
        }
        for a in &self.args {
            invocation.arg(a);
        }
        invocation.invoke_async(con).await
    }
}

/// Decodes one element of a script's reply, naming the script when it does not fit.
pub(crate) fn parse<T: FromRedisValue>(script: &'static str, v: Option<redis::Value>) -> Result<T> {
    redis::from_redis_value(v.unwrap_or(redis::Value::Nil)).map_err(|e| Error::CorruptData {
        what: format!("reply of {script}"),
        reason: e.to_string(),
    })
}

/// A reply that is a count or 0 on success and a negative [`ScriptCode`] on
/// refusal: the count, or the code's [`Error`] for job `job_id`, which the
/// transition needed in the `expected` state.
pub(crate) fn status(
    transition: &'static Transition,
    reply: i64,
    job_id: &str,
    expected: &'static str,
) -> Result<u64> {
    if reply < 0 {
        Err(Error::from_script_code(
            transition.name,
            reply,
            job_id,
            expected,
        ))
    } else {
        Ok(reply as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::ScriptCode;

    /// Codes are distinct and round-trip through their integers.
    #[test]
    fn codes_round_trip() {
        for c in ScriptCode::ALL {
            assert!(c.code() < 0);
            assert_eq!(ScriptCode::from_code(c.code()), Some(c));
        }
        assert_eq!(ScriptCode::from_code(0), None);
        assert_eq!(ScriptCode::from_code(-12), None);
    }

    /// Every script in `scripts::ALL` has its Lua file and its Rust module of
    /// the same name, and is listed in this module's table.
    #[test]
    fn every_script_has_its_module() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/engine");
        let table = include_str!("mod.rs");
        for t in crate::engine::scripts::ALL {
            for path in [
                format!("{dir}/lua/{}.lua", t.name),
                format!("{dir}/transitions/{}.rs", t.name),
            ] {
                assert!(std::path::Path::new(&path).exists(), "{path} is missing");
            }
            assert!(
                table.contains(&format!("//! | `{}` |", t.name)),
                "{} is not in the table of transitions/mod.rs",
                t.name
            );
        }
    }

    /// Every negative code a Lua header names is a known ScriptCode.
    #[test]
    fn headers_name_only_known_codes() {
        for t in crate::engine::scripts::ALL {
            let own = t.source.rsplit("--[[").next().unwrap();
            let header = own.split("]]").next().unwrap();
            let returns = header.split("Returns:").nth(1).unwrap_or("");
            let returns = returns.split("Emits:").next().unwrap();
            for word in returns.split(|c: char| !(c == '-' || c.is_ascii_digit())) {
                if let Some(n) = word.strip_prefix('-').and_then(|d| d.parse::<i64>().ok()) {
                    assert!(
                        ScriptCode::from_code(-n).is_some(),
                        "{} header names unknown code -{n}",
                        t.name
                    );
                }
            }
        }
    }
}
