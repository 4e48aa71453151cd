//! `clean_jobs_in_set`: which jobs go (by time, limit, lock, scheduler) and the
//! `cleaned` event.

use serde_json::json;

use super::{add, clear_events, finish_by_hand};
use crate::engine::Error;
use crate::engine::job::FinishedState;
use crate::engine::tests::support::{cmd, event_lines, exists, fresh_queue, list, zset};
use crate::engine::transitions::clean_jobs_in_set::CleanJobsInSet;

/// Completed jobs that finished at or before the cutoff go, with their keys,
/// at most `limit` of them, oldest first; the event counts them.
#[tokio::test]
async fn finished_jobs_before_the_cutoff_go() {
    let q = fresh_queue("tr-clean");
    let k = q.keys().clone();
    let mut ids = Vec::new();
    for t in [100, 200, 300, 400] {
        let id = add(&q, json!({})).await;
        finish_by_hand(&q, &id, FinishedState::Completed, t).await;
        ids.push(id);
    }
    clear_events(&q).await;
    let removed = CleanJobsInSet {
        state: "completed",
        cutoff_ms: 300,
        limit: 2,
    }
    .run(&q)
    .await
    .unwrap();
    assert_eq!(removed, ids[..2]);
    assert!(!exists(&q, &k.job(&ids[0])).await);
    assert!(exists(&q, &k.job(&ids[2])).await);
    let left: Vec<String> = zset(&q, &k.completed)
        .await
        .into_iter()
        .map(|(m, _)| m)
        .collect();
    assert_eq!(left, ids[2..]);
    assert_eq!(event_lines(&q).await, ["cleaned count=2"]);
}

/// In active, a job a worker still locks stays; an unlocked one goes.
/// `waiting` is read as `wait`.
#[tokio::test]
async fn locked_active_jobs_stay() {
    let q = fresh_queue("tr-clean-active");
    let k = q.keys().clone();
    let locked = add(&q, json!({"timestamp": 10})).await;
    let loose = add(&q, json!({"timestamp": 10})).await;
    let waiting = add(&q, json!({"timestamp": 10})).await;
    for id in [&locked, &loose] {
        let _: u64 = cmd(&q, redis::cmd("LREM").arg(&k.wait).arg(0).arg(id)).await;
        let _: u64 = cmd(&q, redis::cmd("LPUSH").arg(&k.active).arg(id)).await;
    }
    let _: () = cmd(&q, redis::cmd("SET").arg(k.lock(&locked)).arg("tok")).await;
    let clean = |state| CleanJobsInSet {
        state,
        cutoff_ms: 1000,
        limit: 10,
    };
    assert_eq!(clean("active").run(&q).await.unwrap(), [loose]);
    assert_eq!(list(&q, &k.active).await, [locked]);
    assert_eq!(clean("waiting").run(&q).await.unwrap(), [waiting]);
    assert!(list(&q, &k.wait).await.is_empty());
}

/// The pending iteration of a job scheduler is kept.
#[tokio::test]
async fn scheduler_iterations_stay() {
    let q = fresh_queue("tr-clean-sched");
    let k = q.keys().clone();
    let id = "repeat:s1:1000";
    let _: () = cmd(
        &q,
        redis::cmd("HSET")
            .arg(k.job(id))
            .arg("rjk")
            .arg("s1")
            .arg("timestamp")
            .arg(1),
    )
    .await;
    let _: u64 = cmd(&q, redis::cmd("ZADD").arg(&k.repeat).arg(1000).arg("s1")).await;
    let _: u64 = cmd(&q, redis::cmd("ZADD").arg(&k.delayed).arg(4096).arg(id)).await;
    let removed = CleanJobsInSet {
        state: "delayed",
        cutoff_ms: 1000,
        limit: 10,
    }
    .run(&q)
    .await
    .unwrap();
    assert!(removed.is_empty());
    assert!(exists(&q, &k.job(id)).await);
}

/// An unknown state is an invalid `type`, and nothing is written.
#[tokio::test]
async fn unknown_state_is_refused() {
    let q = fresh_queue("tr-clean-bad");
    let r = CleanJobsInSet {
        state: "done",
        cutoff_ms: 0,
        limit: 1,
    }
    .run(&q)
    .await;
    assert!(
        matches!(r, Err(Error::InvalidOption { ref field, .. }) if field == "type"),
        "{r:?}"
    );
    assert!(!exists(&q, &q.keys().events).await);
}
