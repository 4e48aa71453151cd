//! The ferroq engine: a BullMQ-6-compatible job queue on Redis, in pure Rust
//! (tokio + redis-rs); no Node types anywhere below this module.
//!
//! Architecture:
//! - [`keys`] names every Redis key; [`scripts`] holds the Lua transitions
//!   (one file per atomic state change, under `lua/`).
//! - [`queue::Queue`] is the producer and reader: add, getters, progress, logs,
//!   pause/resume, remove, retry. It shares one reconnecting multiplexed connection.
//! - [`worker::Worker`] runs one tokio task that settles finished jobs and fetches
//!   new ones in the same script call, blocks on the queue's marker when idle,
//!   and renews locks and checks for stalled jobs on Rust timers.
//! - [`processor::Processor`] is how user code (JS, or Rust in tests) sees jobs:
//!   batches in, outcomes back through [`processor::Completions`].
//! - [`events::QueueEvents`] reads the events stream from any process.
//! - [`error::Error`] carries stable codes ([`error::ErrorCode`]).
//! - [`memory`] is the embedded store behind `memory://` URLs: the same Lua
//!   transitions on an in-process Lua 5.1 over in-memory Redis data types (not durable).
//!
//! The engine reads no environment variables; callers pass options.
#![warn(missing_docs)]
#![forbid(unsafe_code)]

pub mod connection;
pub mod error;
pub mod events;
pub mod explain;
pub mod flow;
pub mod inspect;
pub mod job;
pub mod keys;
pub mod link;
pub mod memory;
pub mod options;
pub mod processor;
pub mod queue;
pub mod redis_error;
pub mod redis_health;
pub mod retry;
pub mod scheduler;
pub mod script_flags;
pub mod scripts;
pub mod shutdown;
pub mod transitions;
pub mod upkeep;
pub mod worker;

#[cfg(test)]
mod tests;

pub use connection::ConnectionOptions;
pub use error::{Error, ErrorCode, Result};
pub use events::{EventSink, QueueEvents, QueueEventsOptions, StreamEvent};
pub use job::Job;
pub use options::{JobOptions, KeepJobs, Limiter, QueueOptions, WorkerOptions};
pub use processor::{
    Completions, Delivery, Outcome, ProcessError, Processor, Settled, SettledAs, WorkerEvent,
};
pub use queue::{NewJob, Queue};
pub use worker::Worker;
