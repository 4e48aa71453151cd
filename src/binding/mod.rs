//! The napi binding: the only place that imports napi. Each `#[napi]` class
//! converts JS arguments, calls the engine and converts back; `src/js/` wraps
//! the classes in BullMQ's shapes. Everything Rust tells JS later (answers to
//! requests, worker and QueueEvents batches) goes through the one ordered
//! channel of `channel.rs`.

mod admin;
mod channel;
mod cli;
mod error;
mod events;
mod flow;
mod health;
mod logging;
mod options;
mod presets;
mod processor;
mod queue;
mod worker;

use napi_derive::napi;

/// Runs once per process when Node loads the addon.
#[napi_derive::module_init]
fn init() {
    logging::init();
    // One tokio worker thread by default: the engine is I/O-bound, and fewer
    // threads mean fewer wake-ups and context switches per job (measured by
    // the bench). FERROQ_WORKER_THREADS overrides it.
    let threads = std::env::var("FERROQ_WORKER_THREADS")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .filter(|n| *n > 0)
        .unwrap_or(1);
    if let Ok(rt) = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads)
        .thread_name("ferroq")
        .enable_all()
        .build()
    {
        napi::bindgen_prelude::create_custom_tokio_runtime(rt);
    }
}

/// ferroq's version.
#[napi(catch_unwind)]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

/// The stable error codes, for `instanceof`-free checks in JS.
#[napi(catch_unwind)]
pub fn error_codes() -> Vec<String> {
    crate::engine::ErrorCode::ALL
        .iter()
        .map(|c| c.as_str().to_string())
        .collect()
}
