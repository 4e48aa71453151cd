//! The napi binding: the only place that imports napi. Each `#[napi]` class
//! converts JS arguments, calls the engine and converts back; `index.js` wraps
//! the classes in BullMQ's shapes.

mod cli;
mod error;
mod events;
mod options;
mod presets;
mod processor;
mod queue;
mod worker;

use napi_derive::napi;

/// ferroq's version.
#[napi]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

/// The stable error codes, for `instanceof`-free checks in JS.
#[napi]
pub fn error_codes() -> Vec<String> {
    use crate::engine::ErrorCode::*;
    [
        JobNotFound,
        LockMismatch,
        NotInState,
        InvalidOption,
        Connection,
        Closed,
        Script,
        CorruptData,
        SchedulerJob,
        JobLocked,
    ]
    .iter()
    .map(|c| c.as_str().to_string())
    .collect()
}
