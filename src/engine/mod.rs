//! The ferroq engine: a BullMQ-6-compatible job queue on Redis, in pure Rust
//! (tokio + redis-rs); no Node types anywhere below this module.
//!
//! Architecture:
//! - [`keys`] names every Redis key; [`scripts`] holds the Lua transitions
//!   (one file per atomic state change, under `lua/`) and [`transitions`] runs
//!   them, one Rust module per Lua file.
//! - [`queue::Queue`] is the producer and reader: add, getters, changes to one
//!   job, queue control, limits (`queue/`, a file per concern). It shares one
//!   reconnecting multiplexed connection.
//! - [`options`] holds the options of queues, workers and jobs, BullMQ's
//!   defaults, the one validator of each option, and BullMQ's short keys.
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
//!
//! # From a Lua file to everything about it
//! A transition has one name everywhere; for `promote`:
//! - `lua/promote.lua`: the script; its header lists KEYS, ARGV, `Returns:`
//!   (with each negative code) and `Emits:` (events written);
//! - `scripts::PROMOTE`: its source (with `lua/lib/` in front) and KEYS count;
//! - `transitions/promote.rs`: its KEYS from [`keys::QueueKeys`], its ARGV as
//!   a struct (`Promote { job_id }`), the decoding of its reply; its negative
//!   codes are [`transitions::ScriptCode`]s, which [`Error::from_script_code`]
//!   turns into [`Error`] variants;
//! - `tests/transitions/promote.rs`: a cargo test against a real redis-server
//!   of what it leaves behind (keys, hashes, sets, events);
//! - the engine method and the JS method that run it: the table in [`transitions`].
//!
//! A test checks that every script in [`scripts::ALL`] has its module.
#![warn(missing_docs)]
#![forbid(unsafe_code)]

pub mod connection;
pub mod error;
pub mod error_code;
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
pub mod resp;
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
