//! One test file per transition module (`transitions/<name>.rs` is tested in
//! `tests/transitions/<name>.rs`): each calls the transition directly and
//! checks what it leaves behind in Redis: keys, hashes, sets, events.

mod add_jobs;
mod add_log;
mod get_state;
mod remove_job;
mod update_progress;

use serde_json::json;

use crate::engine::{JobOptions, NewJob, Queue};

/// A job named `name` with data `{"n": n}` and the given options JSON.
pub fn new_job(name: &str, n: u64, opts: serde_json::Value) -> NewJob {
    NewJob {
        name: name.into(),
        data: json!({ "n": n }).to_string(),
        opts: JobOptions::from_json(opts.as_object().unwrap().clone()).unwrap(),
    }
}

/// Adds one plain job and returns its id.
pub async fn add(q: &Queue, opts: serde_json::Value) -> String {
    q.add(new_job("t", 1, opts)).await.unwrap()
}

/// Deletes the events stream, so a test sees only what its transition wrote.
pub async fn clear_events(q: &Queue) {
    let _: u64 = super::support::cmd(q, redis::cmd("DEL").arg(&q.keys().events)).await;
}
