//! Options of queues, workers and jobs, with BullMQ's defaults as named consts,
//! and the one validator of each option (the binding and presets call these;
//! nothing else checks an option's range):
//! - `queue.rs`: [`QueueOptions`];
//! - `worker.rs`: [`WorkerOptions`], [`Limiter`], [`concurrency`], [`drain_delay`];
//! - `job.rs`: [`JobOptions`] (a user's options → the stored `opts` JSON),
//!   [`priority`]; `job_id.rs`: [`validate_job_id`]; `dedup.rs`: [`Dedup`];
//!   `parent.rs`: [`ParentRef`] (flows);
//! - `keep_jobs.rs`: [`KeepJobs`] (`removeOnComplete` / `removeOnFail`);
//! - `backoff.rs`: [`Backoff`];
//! - [`names`]: BullMQ's short keys of the stored `opts` (`kl`, `de`, ...);
//! - [`numbers`]: the number checks every option shares.

mod backoff;
mod dedup;
mod job;
mod job_id;
mod keep_jobs;
pub mod names;
pub mod numbers;
mod parent;
mod queue;
mod worker;

pub use backoff::{Backoff, parse_backoff};
pub use dedup::Dedup;
pub use job::{JobOptions, MAX_PRIORITY, priority};
pub use job_id::validate_job_id;
pub use keep_jobs::KeepJobs;
pub use parent::ParentRef;
pub use queue::{DEFAULT_MAX_DATA_BYTES, DEFAULT_PREFIX, QueueOptions};
pub use worker::{
    DEFAULT_CONCURRENCY, DEFAULT_DRAIN_DELAY_S, DEFAULT_LOCK_DURATION_MS,
    DEFAULT_MAX_STALLED_COUNT, DEFAULT_METRICS_MAX_DATA_POINTS, DEFAULT_STALLED_INTERVAL_MS,
    Limiter, MAX_RATE_LIMIT_DELAY_MS, WorkerOptions, concurrency, drain_delay,
};
