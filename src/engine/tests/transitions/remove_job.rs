//! `remove_job`: what goes (hash, logs, set entry, owned dedup key), the
//! `removed` event, and the two refusals (locked, scheduler iteration).

use serde_json::json;

use super::{add, clear_events};
use crate::engine::Error;
use crate::engine::tests::support::{cmd, event_lines, exists, fresh_queue, job_hash, zset};
use crate::engine::transitions::remove_job::RemoveJob;

/// A completed job with logs and a dedup key is deleted entirely and the
/// event names the state it left.
#[tokio::test]
async fn removes_everything_of_a_finished_job() {
    let q = fresh_queue("tr-remove");
    let k = q.keys().clone();
    let id = add(&q, json!({"deduplication": {"id": "d"}})).await;
    q.add_log(&id, "line", None).await.unwrap();
    // Complete it by hand: out of wait, into completed.
    let _: u64 = cmd(&q, redis::cmd("LREM").arg(&k.wait).arg(0).arg(&id)).await;
    let _: u64 = cmd(&q, redis::cmd("ZADD").arg(&k.completed).arg(5).arg(&id)).await;
    clear_events(&q).await;

    assert!(
        RemoveJob {
            job_id: &id,
            remove_children: true
        }
        .run(&q)
        .await
        .unwrap()
    );
    assert!(job_hash(&q, &id).await.is_empty());
    assert!(!exists(&q, &k.logs(&id)).await);
    assert!(
        !exists(&q, &k.dedup("d")).await,
        "the job owned its dedup key"
    );
    assert!(zset(&q, &k.completed).await.is_empty());
    assert_eq!(
        event_lines(&q).await,
        [format!("removed jobId={id} prev=completed")]
    );
}

/// A job a worker holds (its lock exists) stays as it is; the reply says so.
#[tokio::test]
async fn a_locked_job_stays() {
    let q = fresh_queue("tr-remove-locked");
    let k = q.keys().clone();
    let id = add(&q, json!({})).await;
    let _: () = cmd(&q, redis::cmd("SET").arg(k.lock(&id)).arg("token")).await;
    clear_events(&q).await;
    assert!(
        !RemoveJob {
            job_id: &id,
            remove_children: true
        }
        .run(&q)
        .await
        .unwrap()
    );
    assert!(!job_hash(&q, &id).await.is_empty());
    assert!(exists(&q, &k.wait).await);
    assert!(!exists(&q, &k.events).await, "no event for a refusal");
}

/// The pending iteration of a job scheduler is refused with `SchedulerJob`.
#[tokio::test]
async fn a_scheduler_iteration_is_refused() {
    let q = fresh_queue("tr-remove-sched");
    let k = q.keys().clone();
    let id = "repeat:s1:1000";
    let _: () = cmd(&q, redis::cmd("HSET").arg(k.job(id)).arg("rjk").arg("s1")).await;
    let _: u64 = cmd(&q, redis::cmd("ZADD").arg(&k.repeat).arg(1000).arg("s1")).await;
    let r = RemoveJob {
        job_id: id,
        remove_children: true,
    }
    .run(&q)
    .await;
    assert!(matches!(r, Err(Error::SchedulerJob { .. })), "{r:?}");
    assert!(!job_hash(&q, id).await.is_empty());
}

/// Removing a job that does not exist is not an error and emits nothing.
#[tokio::test]
async fn nothing_to_remove_is_fine() {
    let q = fresh_queue("tr-remove-none");
    assert!(
        RemoveJob {
            job_id: "nope",
            remove_children: true
        }
        .run(&q)
        .await
        .unwrap()
    );
    assert!(!exists(&q, &q.keys().events).await);
}
