//! `move_jobs_to_wait`: bulk retry of finished jobs by finish time, bulk promote.

use serde_json::json;

use super::{add, clear_events, finish_by_hand};
use crate::engine::job::FinishedState;
use crate::engine::tests::support::{event_lines, exists, fresh_queue, job_hash, list, zset};
use crate::engine::transitions::move_jobs_to_wait::{JobsFrom, MoveJobsToWait};

/// Failed jobs finished at or before the time move back to wait in batches
/// (the reply says whether more remain); later ones stay failed.
#[tokio::test]
async fn retries_failed_jobs_finished_before_a_time() {
    let q = fresh_queue("tr-retry-jobs");
    let k = q.keys().clone();
    let mut ids = Vec::new();
    for t in [100, 200, 300] {
        let id = add(&q, json!({})).await;
        finish_by_hand(&q, &id, FinishedState::Failed, t).await;
        ids.push(id);
    }
    clear_events(&q).await;
    let batch = MoveJobsToWait {
        from: JobsFrom::Finished {
            state: FinishedState::Failed,
            before_ms: 200,
        },
        count: 1,
    };
    assert!(batch.run(&q).await.unwrap(), "one more due");
    assert!(!batch.run(&q).await.unwrap());
    assert_eq!(list(&q, &k.wait).await, [ids[1].clone(), ids[0].clone()]);
    assert_eq!(zset(&q, &k.failed).await, [(ids[2].clone(), "300".into())]);
    let h = job_hash(&q, &ids[0]).await;
    assert!(
        h.iter()
            .all(|(f, _)| !["failedReason", "finishedOn", "processedOn"].contains(&f.as_str())),
        "{h:?}"
    );
    assert!(exists(&q, &k.marker).await);
    assert_eq!(
        event_lines(&q).await,
        [
            format!("waiting jobId={} prev=failed", ids[0]),
            format!("waiting jobId={} prev=failed", ids[1]),
        ]
    );
}

/// Every delayed job is promoted, however far off its due time; the one due
/// first is at the tail of wait (runs first).
#[tokio::test]
async fn promotes_all_delayed_jobs() {
    let q = fresh_queue("tr-promote-jobs");
    let k = q.keys().clone();
    let a = add(&q, json!({"delay": 1000})).await;
    let b = add(&q, json!({"delay": 9_000_000})).await;
    let batch = MoveJobsToWait {
        from: JobsFrom::Delayed,
        count: 10,
    };
    assert!(!batch.run(&q).await.unwrap());
    assert!(!exists(&q, &k.delayed).await);
    assert_eq!(list(&q, &k.wait).await, [b, a]);
}
