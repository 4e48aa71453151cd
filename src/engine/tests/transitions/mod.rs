//! One test file per transition module (`transitions/<name>.rs` is tested in
//! `tests/transitions/<name>.rs`): each calls the transition directly and
//! checks what it leaves behind in Redis: keys, hashes, sets, events.

mod add_jobs;
mod add_log;
mod change_delay;
mod change_priority;
mod clean_jobs_in_set;
mod drain;
mod extend_locks;
mod get_state;
mod move_job_from_active_to_wait;
mod move_jobs_to_wait;
mod move_stalled_jobs_to_wait;
mod move_to_active;
mod move_to_delayed;
mod move_to_finished;
mod obliterate;
mod pause;
mod promote;
mod remove_deduplication_key;
mod remove_job;
mod remove_orphaned_jobs;
mod reprocess_job;
mod update_data;
mod update_progress;

use serde_json::json;

use crate::engine::job::FinishedState;
use crate::engine::options::KeepJobs;
use crate::engine::queue::now_ms;
use crate::engine::transitions::move_to_active::{Fetched, MoveToActive};
use crate::engine::transitions::move_to_finished::{Finish, FinishedJob};
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

/// The lock token prefix of the test "worker" (tokens `test-worker:1`, ...).
pub const TOKENS: &str = "test-worker";

/// A fetch of `wanted` jobs at `now` by worker `w1`, lock duration 30 s.
pub fn fetch_args(now: u64, wanted: usize) -> MoveToActive<'static> {
    MoveToActive {
        now,
        wanted,
        token_prefix: TOKENS,
        seq: Some(0),
        lock_duration_ms: 30_000,
        limiter: None,
        worker_name: Some("w1"),
    }
}

/// Takes up to `wanted` jobs into active, as a worker's fetch does.
pub async fn fetch(q: &Queue, wanted: usize) -> Fetched {
    fetch_args(now_ms(), wanted).run(q).await.unwrap()
}

/// The settlement of job `id` (held with `token`) after its first attempt of 3.
pub fn finished(id: &str, token: &str, finish: Finish, value: &str) -> FinishedJob {
    FinishedJob {
        id: id.into(),
        token: token.into(),
        finish,
        value: value.into(),
        stacktrace: if finish == Finish::Completed {
            String::new()
        } else {
            json!(["Error: boom\n    at test"]).to_string()
        },
        keep: KeepJobs::ALL,
        attempts: 3,
        retry_delay_ms: 0,
        lifo: false,
        has_dedup: false,
        has_parent: false,
        attempts_made: 1,
    }
}

/// One field of a job's hash.
pub async fn field(q: &Queue, id: &str, name: &str) -> Option<String> {
    super::support::cmd(q, redis::cmd("HGET").arg(q.keys().job(id)).arg(name)).await
}

/// Moves waiting job `id` to `state` as a worker would have left it at time
/// `at` (ms): scored by `at`, with `finishedOn`, `processedOn`, the outcome
/// field and two attempts made and started.
pub async fn finish_by_hand(q: &Queue, id: &str, state: FinishedState, at: u64) {
    let k = q.keys();
    let _: u64 = super::support::cmd(q, redis::cmd("LREM").arg(&k.wait).arg(0).arg(id)).await;
    let _: u64 = super::support::cmd(q, redis::cmd("ZADD").arg(state.key(k)).arg(at).arg(id)).await;
    let _: u64 = super::support::cmd(
        q,
        redis::cmd("HSET")
            .arg(k.job(id))
            .arg("finishedOn")
            .arg(at)
            .arg("processedOn")
            .arg(at)
            .arg(state.result_field())
            .arg("\"x\"")
            .arg("atm")
            .arg(2)
            .arg("ats")
            .arg(2),
    )
    .await;
}
